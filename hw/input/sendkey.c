/*
 * QMP send-key and HMP sendkey: press keys on the PS/2 keyboard, hold them,
 * release them in reverse order, as QEMU's commands of the same names do.
 *
 *   { "execute": "send-key", "arguments": { "keys": [ { "type": "qcode",
 *     "data": "ctrl" }, { "type": "number", "data": 56 } ], "hold-time": 50 } }
 *   (emu) sendkey ctrl-alt-f1 [hold-ms]
 *
 * The releases come after hold-time milliseconds (default 100) of guest time,
 * so under qtest they wait for clock_step. A new send-key first releases keys
 * still held by the previous one.
 */
#include "hw/input/ps2.h"
#include "monitor/monitor.h"
#include "util/timer.h"

#define SENDKEY_MAX_KEYS 16
#define SENDKEY_DEFAULT_HOLD_MS 100
#define SENDKEY_MAX_HOLD_MS (24 * 3600 * 1000LL)

static struct {
    EmuTimer *timer;
    QKeyCode keys[SENDKEY_MAX_KEYS];
    int count;
} held;

static void release_held_keys(void)
{
    PS2KbdState *kbd = ps2_find_keyboard();
    int n = held.count;

    held.count = 0;
    if (held.timer) {
        timer_del(held.timer);
    }
    for (int i = n - 1; kbd && i >= 0; i--) {
        ps2_keyboard_event(kbd, held.keys[i], false);
    }
}

static void release_timer_cb(void *opaque)
{
    release_held_keys();
}

static bool send_keys(const QKeyCode *keys, int n, int64_t hold_ms, Error **errp)
{
    PS2KbdState *kbd = ps2_find_keyboard();

    if (!kbd) {
        error_setg(errp, "send-key: this machine has no PS/2 keyboard");
        return false;
    }
    if (hold_ms < 0 || hold_ms > SENDKEY_MAX_HOLD_MS) {
        error_setg(errp, "send-key: hold-time must be 0 to %lld ms", SENDKEY_MAX_HOLD_MS);
        return false;
    }
    release_held_keys();
    for (int i = 0; i < n; i++) {
        ps2_keyboard_event(kbd, keys[i], true);
    }
    memcpy(held.keys, keys, n * sizeof(keys[0]));
    held.count = n;
    if (hold_ms == 0) {
        release_held_keys();
        return true;
    }
    if (!held.timer) {
        held.timer = timer_new_ns(EMU_CLOCK_VIRTUAL, release_timer_cb, NULL);
    }
    timer_mod_ns(held.timer, clock_get_ns(EMU_CLOCK_VIRTUAL) + hold_ms * SCALE_MS);
    return true;
}

static QKeyCode key_from_number(int64_t number, Error **errp)
{
    QKeyCode key = number > 0 && number <= 0xff ? qkey_code_from_number(number)
                                                 : Q_KEY_CODE_UNMAPPED;
    if (key == Q_KEY_CODE_UNMAPPED) {
        error_setg(errp, "send-key: no key has number %" PRId64, number);
    }
    return key;
}

static QKeyCode key_from_name(const char *name, Error **errp)
{
    QKeyCode key = qkey_code_from_name(name);
    if (key == Q_KEY_CODE_UNMAPPED) {
        error_setg(errp, "send-key: unknown key '%s'", name);
    }
    return key;
}

/* One element of "keys": {"type": "qcode", "data": NAME} or {"type": "number", ...}. */
static QKeyCode key_from_json(JsonNode *node, Error **errp)
{
    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        error_setg(errp, "send-key: each key must be an object with 'type' and 'data'");
        return Q_KEY_CODE_UNMAPPED;
    }
    JsonObject *obj = json_node_get_object(node);
    JsonNode *type = json_object_get_member(obj, "type");
    JsonNode *data = json_object_get_member(obj, "data");
    const char *t = type && JSON_NODE_HOLDS_VALUE(type) &&
                    json_node_get_value_type(type) == G_TYPE_STRING
                    ? json_node_get_string(type) : NULL;
    bool data_is_string = data && JSON_NODE_HOLDS_VALUE(data) &&
                          json_node_get_value_type(data) == G_TYPE_STRING;
    bool data_is_int = data && JSON_NODE_HOLDS_VALUE(data) &&
                       json_node_get_value_type(data) == G_TYPE_INT64;

    if (t && !strcmp(t, "qcode") && data_is_string) {
        return key_from_name(json_node_get_string(data), errp);
    }
    if (t && !strcmp(t, "number") && data_is_int) {
        return key_from_number(json_node_get_int(data), errp);
    }
    error_setg(errp, "send-key: a key is {'type': 'qcode', 'data': NAME} or "
               "{'type': 'number', 'data': INTEGER}");
    return Q_KEY_CODE_UNMAPPED;
}

static JsonNode *qmp_send_key(JsonObject *args, Error **errp)
{
    JsonNode *keys_node = json_object_get_member(args, "keys");
    QKeyCode keys[SENDKEY_MAX_KEYS];

    if (!JSON_NODE_HOLDS_ARRAY(keys_node)) {
        error_setg(errp, "Invalid parameter type for 'keys', expected: array");
        return NULL;
    }
    JsonArray *arr = json_node_get_array(keys_node);
    guint n = json_array_get_length(arr);
    if (n == 0 || n > SENDKEY_MAX_KEYS) {
        error_setg(errp, "send-key: between 1 and %d keys, not %u", SENDKEY_MAX_KEYS, n);
        return NULL;
    }
    for (guint i = 0; i < n; i++) {
        keys[i] = key_from_json(json_array_get_element(arr, i), errp);
        if (keys[i] == Q_KEY_CODE_UNMAPPED) {
            return NULL;
        }
    }
    int64_t hold = json_object_get_int_member_with_default(args, "hold-time",
                                                           SENDKEY_DEFAULT_HOLD_MS);
    send_keys(keys, n, hold, errp);
    return NULL;
}

/* HMP: "ctrl-alt-f1", names or numbers ("0x1d") joined by '-'. */
static void hmp_sendkey(Monitor *mon, JsonObject *args)
{
    const char *spec = json_object_get_string_member(args, "keys");
    int64_t hold = json_object_get_int_member_with_default(args, "hold-time",
                                                           SENDKEY_DEFAULT_HOLD_MS);
    g_auto(GStrv) parts = g_strsplit(spec, "-", -1);
    QKeyCode keys[SENDKEY_MAX_KEYS];
    Error *err = NULL;
    int n = 0;

    for (int i = 0; parts[i]; i++) {
        const char *p = parts[i];
        char *end;
        if (n == SENDKEY_MAX_KEYS) {
            error_setg(&err, "sendkey: at most %d keys", SENDKEY_MAX_KEYS);
            break;
        }
        if (g_ascii_isdigit(p[0]) && p[1]) {
            /* "0x1e" or "30"; a single digit is the key of that name. */
            int64_t v = g_ascii_strtoll(p, &end, 0);
            if (*end) {
                error_setg(&err, "sendkey: bad key number '%s'", p);
                break;
            }
            keys[n] = key_from_number(v, &err);
        } else {
            keys[n] = key_from_name(p, &err);
        }
        if (err) {
            break;
        }
        n++;
    }
    if (!err) {
        send_keys(keys, n, hold, &err);
    }
    hmp_handle_error(mon, err);
}

static const MonitorCommand sendkey_commands[] = {
    {
        .name = "send-key",
        .args_type = "keys:V,hold-time:i?",
        .help = "press keys on the PS/2 keyboard, then release them",
        .qmp = qmp_send_key,
    },
    {
        .name = "sendkey",
        .args_type = "keys:s,hold-time:i?",
        .params = "keys [hold_ms]",
        .help = "send keys to the VM (e.g. 'sendkey ctrl-alt-f1', default hold 100 ms)",
        .hmp = hmp_sendkey,
    },
};

static void __attribute__((constructor)) sendkey_register(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(sendkey_commands); i++) {
        monitor_register_command(&sendkey_commands[i]);
    }
}
