/*
 * QMP: the JSON protocol QEMU's tooling speaks. A connection gets a greeting,
 * must negotiate with qmp_capabilities, then sends {"execute": CMD,
 * "arguments": {...}, "id": ANY} objects and gets {"return": ...} or
 * {"error": {"class", "desc"}} back, plus asynchronous events. Bad input of
 * any kind gets an error reply; the connection stays up.
 */
#include "monitor-internal.h"
#include "monitor/qmp-event.h"
#include <math.h>

/* ---- splitting the byte stream into JSON values ---- */

void json_splitter_init(JsonSplitter *js,
                        void (*emit)(void *opaque, const char *text, size_t len),
                        void (*error)(void *opaque, const char *msg), void *opaque)
{
    memset(js, 0, sizeof(*js));
    js->buf = g_string_new(NULL);
    js->stack = g_byte_array_new();
    js->emit = emit;
    js->error = error;
    js->opaque = opaque;
}

static void splitter_clear(JsonSplitter *js)
{
    g_string_truncate(js->buf, 0);
    g_byte_array_set_size(js->stack, 0);
    js->in_string = false;
    js->escape = false;
    js->in_scalar = false;
    js->discarding = false;
}

void json_splitter_reset(JsonSplitter *js)
{
    splitter_clear(js);
    js->recovering = false;
}

void json_splitter_destroy(JsonSplitter *js)
{
    g_string_free(js->buf, TRUE);
    g_byte_array_free(js->stack, TRUE);
}

/* A framing error: report it, drop the value and the rest of its line. */
static void splitter_fail(JsonSplitter *js, const char *msg, bool at_newline)
{
    bool was_discarding = js->discarding;
    splitter_clear(js);
    js->recovering = !at_newline;
    if (!was_discarding) {
        js->error(js->opaque, msg);
    }
}

static void splitter_complete(JsonSplitter *js)
{
    if (!js->discarding) {
        js->emit(js->opaque, js->buf->str, js->buf->len);
    }
    splitter_clear(js);
}

static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void splitter_append(JsonSplitter *js, uint8_t c)
{
    if (js->discarding) {
        return;
    }
    if (js->buf->len >= QMP_MAX_VALUE_LEN) {
        /* Report now, then swallow the rest of the value without storing it. */
        js->error(js->opaque, "JSON parse error, value too long");
        g_string_truncate(js->buf, 0);
        js->discarding = true;
        return;
    }
    g_string_append_c(js->buf, c);
}

static void splitter_byte(JsonSplitter *js, uint8_t c)
{
    if (js->recovering) {
        if (c == '\n') {
            js->recovering = false;
        }
        return;
    }
    if (js->in_string) {
        if (c < 0x20) {
            /* RFC 8259 §7: control characters must be escaped in strings. */
            splitter_fail(js, "JSON parse error, control character in string",
                          c == '\n');
            return;
        }
        splitter_append(js, c);
        if (js->escape) {
            js->escape = false;
        } else if (c == '\\') {
            js->escape = true;
        } else if (c == '"') {
            js->in_string = false;
            if (js->stack->len == 0) {
                splitter_complete(js);
            }
        }
        return;
    }
    if (js->in_scalar) {
        if (!is_space(c) && !strchr("{}[]\",:", c)) {
            splitter_append(js, c);
            return;
        }
        splitter_complete(js);
        /* and look at @c again as the start of what follows */
    }
    if (js->stack->len == 0) {
        if (is_space(c)) {
            return;
        }
        switch (c) {
        case '{':
        case '[':
            g_byte_array_append(js->stack, &c, 1);
            splitter_append(js, c);
            return;
        case '"':
            js->in_string = true;
            splitter_append(js, c);
            return;
        case '}':
        case ']':
        case ',':
        case ':': {
            g_autofree char *msg = g_strdup_printf("JSON parse error, stray '%c'", c);
            js->error(js->opaque, msg);
            return;
        }
        default:
            js->in_scalar = true;
            splitter_append(js, c);
            return;
        }
    }
    switch (c) {
    case '"':
        js->in_string = true;
        break;
    case '{':
    case '[':
        if (js->stack->len >= QMP_MAX_NESTING) {
            splitter_fail(js, "JSON parse error, too many nested containers", false);
            return;
        }
        g_byte_array_append(js->stack, &c, 1);
        break;
    case '}':
    case ']': {
        uint8_t open = js->stack->data[js->stack->len - 1];
        if ((c == '}') != (open == '{')) {
            g_autofree char *msg =
                g_strdup_printf("JSON parse error, '%c' closes '%c'", c, open);
            splitter_fail(js, msg, false);
            return;
        }
        g_byte_array_set_size(js->stack, js->stack->len - 1);
        splitter_append(js, c);
        if (js->stack->len == 0) {
            splitter_complete(js);
        }
        return;
    }
    default:
        /* Outside strings JSON has only structure, numbers and literals. */
        if (!is_space(c) && !g_ascii_isalnum(c) && !strchr(",:-+.", c)) {
            g_autofree char *msg = g_strdup_printf(
                c >= 0x20 && c < 0x7f ? "JSON parse error, invalid character '%c'"
                                      : "JSON parse error, invalid byte 0x%02x", c);
            splitter_fail(js, msg, false);
            return;
        }
        break;
    }
    splitter_append(js, c);
}

void json_splitter_feed(JsonSplitter *js, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        splitter_byte(js, buf[i]);
    }
}

/* ---- JSON text ---- */

/*
 * QEMU's layout ({"a": 1, "b": [1, 2]}, or 4-space indentation when pretty)
 * and ASCII only: anything else is a \uXXXX escape, so a client never sees raw
 * control characters or invalid UTF-8 (HMP output may carry either).
 */
static void json_write_string(GString *out, const char *s)
{
    g_autofree char *valid = g_utf8_make_valid(s, -1);
    g_string_append_c(out, '"');
    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        switch (c) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\b':
            g_string_append(out, "\\b");
            break;
        case '\f':
            g_string_append(out, "\\f");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                g_string_append_c(out, c);
            } else if (c < 0x10000) {
                g_string_append_printf(out, "\\u%04X", c);
            } else {
                /* RFC 8259 §7: a surrogate pair. */
                c -= 0x10000;
                g_string_append_printf(out, "\\u%04X\\u%04X", 0xd800 | (c >> 10),
                                       0xdc00 | (c & 0x3ff));
            }
            break;
        }
    }
    g_string_append_c(out, '"');
}

static void json_newline(GString *out, bool pretty, int level)
{
    if (pretty) {
        g_string_append_c(out, '\n');
        g_string_append_printf(out, "%*s", level * 4, "");
    }
}

static void json_write_node(GString *out, JsonNode *node, bool pretty, int level)
{
    switch (json_node_get_node_type(node)) {
    case JSON_NODE_OBJECT: {
        JsonObject *obj = json_node_get_object(node);
        g_autoptr(GList) names = json_object_get_members(obj);
        g_string_append_c(out, '{');
        for (GList *l = names; l; l = l->next) {
            json_newline(out, pretty, level + 1);
            json_write_string(out, l->data);
            g_string_append(out, ": ");
            json_write_node(out, json_object_get_member(obj, l->data), pretty, level + 1);
            if (l->next) {
                g_string_append(out, pretty ? "," : ", ");
            }
        }
        if (names) {
            json_newline(out, pretty, level);
        }
        g_string_append_c(out, '}');
        break;
    }
    case JSON_NODE_ARRAY: {
        JsonArray *arr = json_node_get_array(node);
        guint n = json_array_get_length(arr);
        g_string_append_c(out, '[');
        for (guint i = 0; i < n; i++) {
            json_newline(out, pretty, level + 1);
            json_write_node(out, json_array_get_element(arr, i), pretty, level + 1);
            if (i + 1 < n) {
                g_string_append(out, pretty ? "," : ", ");
            }
        }
        if (n) {
            json_newline(out, pretty, level);
        }
        g_string_append_c(out, ']');
        break;
    }
    case JSON_NODE_NULL:
        g_string_append(out, "null");
        break;
    case JSON_NODE_VALUE:
        switch (json_node_get_value_type(node)) {
        case G_TYPE_BOOLEAN:
            g_string_append(out, json_node_get_boolean(node) ? "true" : "false");
            break;
        case G_TYPE_INT64:
            g_string_append_printf(out, "%" PRId64, json_node_get_int(node));
            break;
        case G_TYPE_DOUBLE: {
            double d = json_node_get_double(node);
            char buf[G_ASCII_DTOSTR_BUF_SIZE];
            /* JSON has no NaN or infinity. */
            g_string_append(out, isfinite(d) ? g_ascii_dtostr(buf, sizeof(buf), d)
                                             : "null");
            break;
        }
        case G_TYPE_STRING:
            json_write_string(out, json_node_get_string(node));
            break;
        default:
            g_string_append(out, "null");
            break;
        }
        break;
    }
}

char *monitor_json_to_string(JsonNode *node, bool pretty)
{
    GString *out = g_string_new(NULL);
    json_write_node(out, node, pretty, 0);
    return g_string_free(out, FALSE);
}

/* ---- replies ---- */

static void qmp_send(Monitor *mon, JsonNode *root)
{
    g_autofree char *text = monitor_json_to_string(root, mon->pretty);
    g_autofree char *line = g_strconcat(text, "\n", NULL);
    monitor_puts(mon, line);
}

static void qmp_send_object(Monitor *mon, JsonObject *obj)
{
    JsonNode *root = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(root, obj);
    qmp_send(mon, root);
    json_node_unref(root);
}

static void qmp_send_error(Monitor *mon, const char *cls, const char *desc, JsonNode *id)
{
    JsonObject *reply = json_object_new();
    JsonObject *err = json_object_new();
    json_object_set_string_member(err, "class", cls);
    json_object_set_string_member(err, "desc", desc);
    json_object_set_object_member(reply, "error", err);
    if (id) {
        json_object_set_member(reply, "id", json_node_copy(id));
    }
    qmp_send_object(mon, reply);
}

static void qmp_send_greeting(Monitor *mon)
{
    int major = 0, minor = 0, micro = 0;
    sscanf(EMU_VERSION, "%d.%d.%d", &major, &minor, &micro);

    /* QEMU's exact shape, so QEMU's QMP libraries accept us. */
    JsonObject *qemu = json_object_new();
    json_object_set_int_member(qemu, "micro", micro);
    json_object_set_int_member(qemu, "minor", minor);
    json_object_set_int_member(qemu, "major", major);
    JsonObject *version = json_object_new();
    json_object_set_object_member(version, "qemu", qemu);
    json_object_set_string_member(version, "package", "emu");
    JsonArray *caps = json_array_new();
    json_array_add_string_element(caps, "oob");
    JsonObject *body = json_object_new();
    json_object_set_object_member(body, "version", version);
    json_object_set_array_member(body, "capabilities", caps);
    JsonObject *greeting = json_object_new();
    json_object_set_object_member(greeting, "QMP", body);
    qmp_send_object(mon, greeting);
}

/* ---- dispatch ---- */

static void qmp_dispatch(Monitor *mon, JsonNode *root)
{
    if (!JSON_NODE_HOLDS_OBJECT(root)) {
        qmp_send_error(mon, "GenericError", "QMP input must be a JSON object", NULL);
        return;
    }
    JsonObject *req = json_node_get_object(root);
    JsonNode *id = json_object_get_member(req, "id");
    const char *exec_key = "execute";

    g_autoptr(GList) members = json_object_get_members(req);
    for (GList *l = members; l; l = l->next) {
        const char *key = l->data;
        if (strcmp(key, "execute") && strcmp(key, "exec-oob") &&
            strcmp(key, "arguments") && strcmp(key, "id") && strcmp(key, "control")) {
            g_autofree char *msg =
                g_strdup_printf("QMP input member '%s' is unexpected", key);
            qmp_send_error(mon, "GenericError", msg, id);
            return;
        }
    }
    JsonNode *exec = json_object_get_member(req, "execute");
    if (json_object_has_member(req, "exec-oob")) {
        if (exec) {
            qmp_send_error(mon, "GenericError",
                           "QMP input must not have both 'execute' and 'exec-oob'", id);
            return;
        }
        exec = json_object_get_member(req, "exec-oob");
        exec_key = "exec-oob";
    }
    if (!exec) {
        qmp_send_error(mon, "GenericError", "QMP input lacks member 'execute'", id);
        return;
    }
    if (!JSON_NODE_HOLDS_VALUE(exec) || json_node_get_value_type(exec) != G_TYPE_STRING) {
        g_autofree char *msg =
            g_strdup_printf("QMP input member '%s' must be a string", exec_key);
        qmp_send_error(mon, "GenericError", msg, id);
        return;
    }
    const char *name = json_node_get_string(exec);
    JsonNode *argnode = json_object_get_member(req, "arguments");
    if (argnode && !JSON_NODE_HOLDS_OBJECT(argnode)) {
        qmp_send_error(mon, "GenericError",
                       "QMP input member 'arguments' must be an object", id);
        return;
    }

    const MonitorCommand *cmd = monitor_find_command(name);
    if (!mon->negotiated && strcmp(name, "qmp_capabilities")) {
        qmp_send_error(mon, "CommandNotFound",
                       "Expecting capabilities negotiation with 'qmp_capabilities'", id);
        return;
    }
    if (!cmd || !cmd->qmp) {
        g_autofree char *msg = g_strdup_printf("The command %s has not been found", name);
        qmp_send_error(mon, "CommandNotFound", msg, id);
        return;
    }
    if (!strcmp(exec_key, "exec-oob")) {
        /* Commands run in order on the main loop; none may overtake another. */
        g_autofree char *msg = g_strdup_printf("The command %s does not support OOB",
                                               name);
        qmp_send_error(mon, "GenericError", msg, id);
        return;
    }

    JsonObject *args = argnode ? json_object_ref(json_node_get_object(argnode))
                               : json_object_new();
    Error *err = NULL;
    JsonNode *ret = NULL;
    if (monitor_check_qmp_args(cmd->args_type, args, &err)) {
        Monitor *saved = cur_mon;
        cur_mon = mon;
        ret = cmd->qmp(args, &err);
        cur_mon = saved;
    }
    json_object_unref(args);

    if (err) {
        if (ret) {
            json_node_unref(ret);
        }
        qmp_send_error(mon, error_get_class(err), error_get_pretty(err), id);
        error_free(err);
        return;
    }
    JsonObject *reply = json_object_new();
    if (ret) {
        json_object_set_member(reply, "return", ret);
    } else {
        json_object_set_object_member(reply, "return", json_object_new());
    }
    if (id) {
        json_object_set_member(reply, "id", json_node_copy(id));
    }
    qmp_send_object(mon, reply);
}

static void qmp_emit_value(void *opaque, const char *text, size_t len)
{
    Monitor *mon = opaque;
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    GError *gerr = NULL;

    if (!json_parser_load_from_data(parser, text, len, &gerr)) {
        g_autofree char *msg = g_strdup_printf("JSON parse error, %s", gerr->message);
        g_error_free(gerr);
        qmp_send_error(mon, "GenericError", msg, NULL);
        return;
    }
    JsonNode *root = json_parser_get_root(parser);
    if (!root) {
        qmp_send_error(mon, "GenericError", "JSON parse error, empty input", NULL);
        return;
    }
    qmp_dispatch(mon, root);
}

static void qmp_splitter_error(void *opaque, const char *msg)
{
    qmp_send_error(opaque, "GenericError", msg, NULL);
}

/* ---- qmp_capabilities and query-commands (they need the monitor) ---- */

static JsonNode *qmp_qmp_capabilities(JsonObject *args, Error **errp)
{
    Monitor *mon = cur_mon;
    if (mon->negotiated) {
        Error *err = NULL;
        error_setg(&err, "Capabilities negotiation is already complete, command ignored");
        error_set_class(err, "CommandNotFound");
        error_propagate(errp, err);
        return NULL;
    }
    JsonNode *enable = json_object_get_member(args, "enable");
    if (enable) {
        if (!JSON_NODE_HOLDS_ARRAY(enable)) {
            error_setg(errp, "Invalid parameter type for 'enable', expected: array");
            return NULL;
        }
        JsonArray *caps = json_node_get_array(enable);
        for (guint i = 0; i < json_array_get_length(caps); i++) {
            JsonNode *c = json_array_get_element(caps, i);
            if (!JSON_NODE_HOLDS_VALUE(c) || json_node_get_value_type(c) != G_TYPE_STRING
                || strcmp(json_node_get_string(c), "oob")) {
                error_setg(errp, "Parameter 'enable' does not accept value");
                return NULL;
            }
        }
    }
    mon->negotiated = true;
    return NULL;
}

static JsonNode *qmp_query_commands(JsonObject *args, Error **errp)
{
    JsonArray *arr = json_array_new();
    GPtrArray *list = monitor_command_list();
    for (guint i = 0; i < list->len; i++) {
        const MonitorCommand *cmd = g_ptr_array_index(list, i);
        if (cmd->qmp) {
            JsonObject *o = json_object_new();
            json_object_set_string_member(o, "name", cmd->name);
            json_array_add_object_element(arr, o);
        }
    }
    g_ptr_array_free(list, TRUE);
    JsonNode *ret = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(ret, arr);
    return ret;
}

static const MonitorCommand qmp_builtin_commands[] = {
    {
        .name = "qmp_capabilities",
        .args_type = "enable:V?",
        .help = "leave capabilities negotiation mode",
        .qmp = qmp_qmp_capabilities,
    },
    {
        .name = "query-commands",
        .help = "list the QMP commands",
        .qmp = qmp_query_commands,
    },
};

static void __attribute__((constructor)) qmp_register_builtins(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(qmp_builtin_commands); i++) {
        monitor_register_command(&qmp_builtin_commands[i]);
    }
}

/* ---- the chardev side ---- */

static void qmp_event_sink(const char *json_text, void *opaque)
{
    Monitor *mon = opaque;
    if (!mon->negotiated) {
        return;
    }
    /* Re-rendered so events look like replies (QEMU's layout, pretty or not). */
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    if (json_parser_load_from_data(parser, json_text, -1, NULL)) {
        qmp_send(mon, json_parser_get_root(parser));
    }
}

static int qmp_can_read(void *opaque)
{
    return 4096;
}

static void qmp_read(void *opaque, const uint8_t *buf, int size)
{
    Monitor *mon = opaque;
    json_splitter_feed(&mon->splitter, buf, size);
}

static void qmp_event(void *opaque, ChrEvent event)
{
    Monitor *mon = opaque;
    switch (event) {
    case CHR_EVENT_OPENED:
        /* Every new client starts from scratch: greeting, then negotiation. */
        mon->negotiated = false;
        json_splitter_reset(&mon->splitter);
        monitor_discard_output(mon);
        qmp_send_greeting(mon);
        break;
    case CHR_EVENT_CLOSED:
        monitor_discard_output(mon);
        mon->negotiated = false;
        json_splitter_reset(&mon->splitter);
        break;
    default:
        break;
    }
}

void qmp_init(Monitor *mon)
{
    json_splitter_init(&mon->splitter, qmp_emit_value, qmp_splitter_error, mon);
    qmp_event_add_sink(qmp_event_sink, mon);
    /* On a terminal (-qmp stdio) let the user see what they type. */
    qemu_chr_fe_set_echo(&mon->chr, true);
    qemu_chr_fe_set_handlers(&mon->chr, qmp_can_read, qmp_read, qmp_event, mon,
                             NULL, true);
}

void qmp_destroy(Monitor *mon)
{
    qmp_event_remove_sink(qmp_event_sink, mon);
    json_splitter_destroy(&mon->splitter);
}
