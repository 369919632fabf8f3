/*
 * Monitor tests: QMP and HMP driven in-process through chardevs (an in-memory
 * ring for most, a real unix socket for the connection life cycle). Pins the
 * QMP wire format QEMU's tooling expects (greeting, negotiation, replies, ids,
 * errors, events), the stream framing (several values per write, one value
 * over several writes, recovery after garbage), and HMP's line handling.
 */
#include "util/osdep.h"
#include <sys/socket.h>
#include <sys/un.h>
#include "monitor/monitor.h"
#include "monitor/qmp-event.h"
#include "chardev/char.h"
#include "qom/object.h"
#include "system/memory.h"
#include "system/runstate.h"

static char *tmpdir;

/* ---- a small object to poke with qom-get/qom-set ---- */

#define TYPE_TEST_GADGET "test-gadget"

typedef struct {
    Object parent;
    bool enabled;
    int64_t count;
    char *label;            /* freed by QOM with the object */
} TestGadget;

static void gadget_class_init(ObjectClass *klass, void *data)
{
    object_class_property_add_field(klass, "enabled", PROP_KIND_BOOL,
                                    offsetof(TestGadget, enabled), 1, "a switch");
    object_class_property_add_field(klass, "count", PROP_KIND_INT,
                                    offsetof(TestGadget, count), 8, "a counter");
    object_class_property_add_field(klass, "label", PROP_KIND_STRING,
                                    offsetof(TestGadget, label), 8, NULL);
}

static const TypeInfo gadget_info = {
    .name = TYPE_TEST_GADGET,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(TestGadget),
    .class_init = gadget_class_init,
};

static void register_gadget(void)
{
    type_register_static(&gadget_info);
}
type_init(register_gadget)

/* ---- ring chardev plumbing ---- */

static Chardev *ring_new(const char *id)
{
    g_autofree char *spec = g_strdup_printf("ringbuf,id=%s,size=1M", id);
    g_autoptr(Opts) opts = opts_parse(spec, "backend", &error_abort);
    return qemu_chr_new_from_opts(opts, &error_abort);
}

static char *ring_take(Chardev *chr)
{
    size_t n = qemu_chr_ringbuf_count(chr);
    char *s = g_malloc(n + 1);
    g_assert_cmpuint(qemu_chr_ringbuf_read(chr, (uint8_t *)s, n), ==, n);
    s[n] = 0;
    return s;
}

/* Type at the monitor: as the host side would, never more than it can take. */
static void feed(Chardev *chr, const char *s, size_t len)
{
    while (len) {
        int room = qemu_chr_be_can_write(chr);
        g_assert_cmpint(room, >, 0);
        size_t n = MIN((size_t)room, len);
        qemu_chr_be_write(chr, (const uint8_t *)s, n);
        s += n;
        len -= n;
    }
}

static void feed_str(Chardev *chr, const char *s)
{
    feed(chr, s, strlen(s));
}

static void chr_del(Chardev *chr)
{
    object_unparent(OBJECT(chr));
}

/* ---- QMP output parsing ---- */

/* Every line of @text parsed as a JSON object; each line must end in "\r\n". */
static GPtrArray *parse_lines(const char *text)
{
    GPtrArray *objs = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (!**l) {
            continue;
        }
        g_assert_true(g_str_has_suffix(*l, "\r"));
        g_autoptr(JsonParser) p = json_parser_new();
        g_assert_true(json_parser_load_from_data(p, *l, -1, NULL));
        JsonNode *root = json_parser_get_root(p);
        g_assert_true(JSON_NODE_HOLDS_OBJECT(root));
        g_ptr_array_add(objs, json_object_ref(json_node_get_object(root)));
    }
    return objs;
}

/* Events seen by qmp_take (newest last); tests look at and clear it. */
static GPtrArray *events;

/* Everything the monitor wrote: replies returned, events moved to @events. */
static GPtrArray *qmp_take(Chardev *chr)
{
    g_autofree char *text = ring_take(chr);
    GPtrArray *all = parse_lines(text);
    GPtrArray *replies =
        g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
    for (guint i = 0; i < all->len; i++) {
        JsonObject *o = g_ptr_array_index(all, i);
        g_ptr_array_add(json_object_has_member(o, "event") ? events : replies,
                        json_object_ref(o));
    }
    g_ptr_array_free(all, TRUE);
    return replies;
}

/* Send @in; expect exactly one reply and return it (caller unrefs). */
static JsonObject *qmp(Chardev *chr, const char *in)
{
    feed_str(chr, in);
    GPtrArray *r = qmp_take(chr);
    g_assert_cmpuint(r->len, ==, 1);
    JsonObject *o = json_object_ref(g_ptr_array_index(r, 0));
    g_ptr_array_free(r, TRUE);
    return o;
}

static const char *err_class(JsonObject *reply)
{
    g_assert_true(json_object_has_member(reply, "error"));
    return json_object_get_string_member(json_object_get_object_member(reply, "error"),
                                         "class");
}

static const char *err_desc(JsonObject *reply)
{
    return json_object_get_string_member(json_object_get_object_member(reply, "error"),
                                         "desc");
}

static void assert_empty_return(JsonObject *reply)
{
    g_assert_true(json_object_has_member(reply, "return"));
    JsonObject *ret = json_object_get_object_member(reply, "return");
    g_assert_nonnull(ret);
    g_assert_cmpuint(json_object_get_size(ret), ==, 0);
}

static JsonObject *return_object(JsonObject *reply)
{
    g_assert_false(json_object_has_member(reply, "error"));
    return json_object_get_object_member(reply, "return");
}

/* A negotiated QMP monitor on a fresh ring. */
static Chardev *qmp_ring(const char *id)
{
    Chardev *chr = ring_new(id);
    g_assert_true(monitor_init(chr, true, false, &error_abort));
    g_autoptr(GPtrArray) greeting = qmp_take(chr);
    g_assert_cmpuint(greeting->len, ==, 1);
    JsonObject *r = qmp(chr, "{\"execute\": \"qmp_capabilities\"}\n");
    assert_empty_return(r);
    json_object_unref(r);
    return chr;
}

/* ---- QMP ---- */

static void test_qmp_greeting_and_negotiation(void)
{
    Chardev *chr = ring_new("qmp-neg");
    g_assert_true(monitor_init(chr, true, false, &error_abort));

    /* The ring is open right away, so the greeting is already there. */
    g_autoptr(GPtrArray) g = qmp_take(chr);
    g_assert_cmpuint(g->len, ==, 1);
    JsonObject *q = json_object_get_object_member(g_ptr_array_index(g, 0), "QMP");
    g_assert_nonnull(q);
    JsonObject *ver = json_object_get_object_member(q, "version");
    JsonObject *qemu = json_object_get_object_member(ver, "qemu");
    g_assert_cmpint(json_object_get_int_member(qemu, "major"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(qemu, "minor"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(qemu, "micro"), ==, 0);
    g_assert_cmpstr(json_object_get_string_member(ver, "package"), ==, "emu");
    JsonArray *caps = json_object_get_array_member(q, "capabilities");
    g_assert_cmpuint(json_array_get_length(caps), ==, 1);
    g_assert_cmpstr(json_array_get_string_element(caps, 0), ==, "oob");

    /* Nothing runs before negotiation, not even query-commands. */
    JsonObject *r = qmp(chr, "{\"execute\": \"query-status\", \"id\": 7}");
    g_assert_cmpstr(err_class(r), ==, "CommandNotFound");
    g_assert_cmpstr(err_desc(r), ==,
                    "Expecting capabilities negotiation with 'qmp_capabilities'");
    g_assert_cmpint(json_object_get_int_member(r, "id"), ==, 7);
    json_object_unref(r);

    /* Events are held back until negotiation too. */
    qmp_event_emit("TEST_EVENT", NULL);
    g_autoptr(GPtrArray) none = qmp_take(chr);
    g_assert_cmpuint(none->len, ==, 0);
    g_assert_cmpuint(events->len, ==, 0);

    r = qmp(chr, "{\"execute\": \"qmp_capabilities\", \"arguments\": "
                 "{\"enable\": [\"oob\"]}}");
    assert_empty_return(r);
    json_object_unref(r);

    /* A second negotiation is refused the way QEMU refuses it. */
    r = qmp(chr, "{\"execute\": \"qmp_capabilities\"}");
    g_assert_cmpstr(err_class(r), ==, "CommandNotFound");
    json_object_unref(r);

    qmp_event_emit("TEST_EVENT", NULL);
    g_autoptr(GPtrArray) after = qmp_take(chr);
    g_assert_cmpuint(after->len, ==, 0);
    g_assert_cmpuint(events->len, ==, 1);
    g_assert_cmpstr(json_object_get_string_member(g_ptr_array_index(events, 0), "event"),
                    ==, "TEST_EVENT");
    g_ptr_array_set_size(events, 0);

    monitor_cleanup();
    chr_del(chr);
}

static void test_qmp_queries(void)
{
    Chardev *chr = qmp_ring("qmp-q");

    JsonObject *r = qmp(chr, "{\"execute\": \"query-version\", \"id\": \"v1\"}");
    JsonObject *ret = return_object(r);
    JsonObject *qemu = json_object_get_object_member(ret, "qemu");
    g_assert_cmpint(json_object_get_int_member(qemu, "major"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(qemu, "minor"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(qemu, "micro"), ==, 0);
    g_assert_cmpstr(json_object_get_string_member(ret, "package"), ==, "emu");
    g_assert_cmpstr(json_object_get_string_member(r, "id"), ==, "v1");
    json_object_unref(r);

    /* Any JSON value is echoed back as the id, structure and all. */
    r = qmp(chr, "{\"execute\": \"query-name\", \"id\": {\"seq\": [1, 2]}}");
    JsonObject *id = json_object_get_object_member(r, "id");
    g_assert_nonnull(id);
    g_assert_cmpuint(json_array_get_length(json_object_get_array_member(id, "seq")), ==, 2);
    g_assert_false(json_object_has_member(return_object(r), "name"));
    json_object_unref(r);

    monitor_set_vm_name("guest-one");
    r = qmp(chr, "{\"execute\": \"query-name\"}");
    g_assert_cmpstr(json_object_get_string_member(return_object(r), "name"), ==,
                    "guest-one");
    g_assert_false(json_object_has_member(r, "id"));
    json_object_unref(r);
    monitor_set_vm_name(NULL);

    r = qmp(chr, "{\"execute\": \"query-commands\"}");
    JsonArray *cmds = json_object_get_array_member(r, "return");
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < json_array_get_length(cmds); i++) {
        JsonObject *c = json_array_get_object_element(cmds, i);
        g_hash_table_add(names, (gpointer)json_object_get_string_member(c, "name"));
    }
    const char *want[] = {
        "qmp_capabilities", "query-version", "query-status", "query-commands", "stop",
        "cont", "system_reset", "system_powerdown", "quit", "human-monitor-command",
        "qom-list", "qom-get", "qom-set", "query-name", "query-chardev",
    };
    for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
        g_assert_true(g_hash_table_contains(names, want[i]));
    }
    /* HMP-only commands are not QMP commands. */
    g_assert_false(g_hash_table_contains(names, "help"));
    g_assert_false(g_hash_table_contains(names, "info"));
    json_object_unref(r);

    /* query-chardev sees the ring the monitor sits on. */
    r = qmp(chr, "{\"execute\": \"query-chardev\"}");
    JsonArray *devs = json_object_get_array_member(r, "return");
    bool found = false;
    for (guint i = 0; i < json_array_get_length(devs); i++) {
        JsonObject *d = json_array_get_object_element(devs, i);
        if (!strcmp(json_object_get_string_member(d, "label"), "qmp-q")) {
            found = true;
            g_assert_true(json_object_get_boolean_member(d, "frontend-open"));
            g_assert_nonnull(json_object_get_string_member(d, "filename"));
        }
    }
    g_assert_true(found);
    json_object_unref(r);

    monitor_cleanup();
    chr_del(chr);
}

static const char *status_of(Chardev *chr, bool *running)
{
    static char buf[64];
    JsonObject *r = qmp(chr, "{\"execute\": \"query-status\"}");
    JsonObject *ret = return_object(r);
    *running = json_object_get_boolean_member(ret, "running");
    g_assert_false(json_object_get_boolean_member(ret, "singlestep"));
    g_strlcpy(buf, json_object_get_string_member(ret, "status"), sizeof(buf));
    json_object_unref(r);
    return buf;
}

static void test_qmp_run_control(void)
{
    Chardev *chr = qmp_ring("qmp-run");
    bool running;

    g_assert_cmpstr(status_of(chr, &running), ==, "prelaunch");
    g_assert_false(running);

    /* stop in prelaunch changes nothing (as in QEMU with -S). */
    JsonObject *r = qmp(chr, "{\"execute\": \"stop\"}");
    assert_empty_return(r);
    json_object_unref(r);
    g_assert_cmpstr(status_of(chr, &running), ==, "prelaunch");
    g_assert_cmpuint(events->len, ==, 0);

    /* cont from prelaunch starts the VM; RESUME comes before the reply. */
    feed_str(chr, "{\"execute\": \"cont\", \"id\": 1}");
    g_autofree char *raw = ring_take(chr);
    const char *ev = strstr(raw, "\"RESUME\"");
    const char *ret = strstr(raw, "\"return\"");
    g_assert_nonnull(ev);
    g_assert_nonnull(ret);
    g_assert_true(ev < ret);
    g_assert_cmpstr(status_of(chr, &running), ==, "running");
    g_assert_true(running);

    r = qmp(chr, "{\"execute\": \"stop\"}");
    assert_empty_return(r);
    json_object_unref(r);
    g_assert_cmpuint(events->len, ==, 1);
    JsonObject *stop_ev = g_ptr_array_index(events, 0);
    g_assert_cmpstr(json_object_get_string_member(stop_ev, "event"), ==, "STOP");
    g_assert_true(json_object_has_member(stop_ev, "timestamp"));
    g_ptr_array_set_size(events, 0);
    g_assert_cmpstr(status_of(chr, &running), ==, "paused");
    g_assert_false(running);

    r = qmp(chr, "{\"execute\": \"cont\"}");
    json_object_unref(r);
    g_assert_cmpuint(events->len, ==, 1);
    g_assert_cmpstr(json_object_get_string_member(g_ptr_array_index(events, 0), "event"),
                    ==, "RESUME");
    g_ptr_array_set_size(events, 0);
    g_assert_cmpstr(status_of(chr, &running), ==, "running");

    /* system_reset: the main loop resets and a RESET event says why. */
    int status = -1;
    r = qmp(chr, "{\"execute\": \"system_reset\"}");
    assert_empty_return(r);
    json_object_unref(r);
    g_assert_false(main_loop_should_exit(&status));
    g_autoptr(GPtrArray) none = qmp_take(chr);
    g_assert_cmpuint(none->len, ==, 0);
    g_assert_cmpuint(events->len, ==, 1);
    JsonObject *reset = g_ptr_array_index(events, 0);
    g_assert_cmpstr(json_object_get_string_member(reset, "event"), ==, "RESET");
    JsonObject *data = json_object_get_object_member(reset, "data");
    g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==,
                    "host-qmp-system-reset");
    g_assert_false(json_object_get_boolean_member(data, "guest"));
    g_ptr_array_set_size(events, 0);

    r = qmp(chr, "{\"execute\": \"system_powerdown\"}");
    assert_empty_return(r);
    json_object_unref(r);
    g_assert_false(main_loop_should_exit(&status));
    g_autoptr(GPtrArray) none2 = qmp_take(chr);
    g_assert_cmpuint(events->len, ==, 1);
    g_assert_cmpstr(json_object_get_string_member(g_ptr_array_index(events, 0), "event"),
                    ==, "POWERDOWN");
    g_ptr_array_set_size(events, 0);

    r = qmp(chr, "{\"execute\": \"stop\"}");
    json_object_unref(r);
    g_ptr_array_set_size(events, 0);

    monitor_cleanup();
    chr_del(chr);
}

static void test_qmp_errors(void)
{
    Chardev *chr = qmp_ring("qmp-err");

    JsonObject *r = qmp(chr, "{\"execute\": \"no-such-command\", \"id\": \"x\"}");
    g_assert_cmpstr(err_class(r), ==, "CommandNotFound");
    g_assert_cmpstr(err_desc(r), ==, "The command no-such-command has not been found");
    g_assert_cmpstr(json_object_get_string_member(r, "id"), ==, "x");
    json_object_unref(r);

    /* HMP-only commands do not exist in QMP. */
    r = qmp(chr, "{\"execute\": \"help\"}");
    g_assert_cmpstr(err_class(r), ==, "CommandNotFound");
    json_object_unref(r);

    r = qmp(chr, "{\"execute\": \"query-status\", \"arguments\": {\"verbose\": true}}");
    g_assert_cmpstr(err_class(r), ==, "GenericError");
    g_assert_cmpstr(err_desc(r), ==, "Parameter 'verbose' is unexpected");
    json_object_unref(r);

    r = qmp(chr, "{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"/\"}}");
    g_assert_cmpstr(err_desc(r), ==, "Parameter 'property' is missing");
    json_object_unref(r);

    r = qmp(chr, "{\"execute\": \"qom-get\", \"arguments\": "
                 "{\"path\": 5, \"property\": \"x\"}}");
    g_assert_cmpstr(err_desc(r), ==, "Invalid parameter type for 'path', expected: string");
    json_object_unref(r);

    r = qmp(chr, "{\"execute\": \"human-monitor-command\", \"arguments\": "
                 "{\"command-line\": \"info status\", \"cpu-index\": \"zero\"}}");
    g_assert_cmpstr(err_desc(r), ==,
                    "Invalid parameter type for 'cpu-index', expected: integer");
    json_object_unref(r);

    r = qmp(chr, "{\"execute\": \"stop\", \"arguments\": []}");
    g_assert_cmpstr(err_desc(r), ==, "QMP input member 'arguments' must be an object");
    json_object_unref(r);

    r = qmp(chr, "{\"execute\": 42}");
    g_assert_cmpstr(err_desc(r), ==, "QMP input member 'execute' must be a string");
    json_object_unref(r);

    r = qmp(chr, "{\"arguments\": {}, \"id\": 3}");
    g_assert_cmpstr(err_desc(r), ==, "QMP input lacks member 'execute'");
    g_assert_cmpint(json_object_get_int_member(r, "id"), ==, 3);
    json_object_unref(r);

    r = qmp(chr, "{\"execute\": \"stop\", \"bogus\": 1}");
    g_assert_cmpstr(err_desc(r), ==, "QMP input member 'bogus' is unexpected");
    json_object_unref(r);

    r = qmp(chr, "[1, 2, 3]");
    g_assert_cmpstr(err_desc(r), ==, "QMP input must be a JSON object");
    json_object_unref(r);

    r = qmp(chr, "\"just a string\"");
    g_assert_cmpstr(err_desc(r), ==, "QMP input must be a JSON object");
    json_object_unref(r);

    r = qmp(chr, "{\"exec-oob\": \"query-status\"}");
    g_assert_cmpstr(err_class(r), ==, "GenericError");
    json_object_unref(r);

    monitor_cleanup();
    chr_del(chr);
}

static void test_qmp_framing(void)
{
    Chardev *chr = qmp_ring("qmp-frame");

    /* Two commands in one write, no separator at all. */
    feed_str(chr, "{\"execute\": \"query-name\", \"id\": 1}"
                  "{\"execute\": \"query-status\", \"id\": 2}");
    g_autoptr(GPtrArray) two = qmp_take(chr);
    g_assert_cmpuint(two->len, ==, 2);
    g_assert_cmpint(json_object_get_int_member(g_ptr_array_index(two, 0), "id"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(g_ptr_array_index(two, 1), "id"), ==, 2);

    /* One command split across writes, even inside a string and an escape. */
    const char *cmd = "  {\"execute\":\n \"query-\\u0073tatus\", \"id\": \"a}b\\\"c\"}\r\n";
    for (const char *p = cmd; *p; p++) {
        feed(chr, p, 1);
        if (p[1] && p[1] != '\r' && p[1] != '\n') {
            g_autoptr(GPtrArray) nothing = qmp_take(chr);
            g_assert_cmpuint(nothing->len, ==, 0);
        }
    }
    g_autoptr(GPtrArray) one = qmp_take(chr);
    g_assert_cmpuint(one->len, ==, 1);
    JsonObject *r = g_ptr_array_index(one, 0);
    g_assert_cmpstr(json_object_get_string_member(r, "id"), ==, "a}b\"c");
    g_assert_nonnull(json_object_get_object_member(r, "return"));

    /* Malformed JSON: an error reply, and the next command still works. */
    feed_str(chr, "{\"execute\": 'stop'}\n{\"execute\": \"query-name\", \"id\": 9}\n");
    g_autoptr(GPtrArray) bad = qmp_take(chr);
    g_assert_cmpuint(bad->len, ==, 2);
    g_assert_cmpstr(err_class(g_ptr_array_index(bad, 0)), ==, "GenericError");
    g_assert_true(g_str_has_prefix(err_desc(g_ptr_array_index(bad, 0)),
                                   "JSON parse error"));
    g_assert_cmpint(json_object_get_int_member(g_ptr_array_index(bad, 1), "id"), ==, 9);

    /* Balanced but not JSON: json-glib's error, then carry on. */
    feed_str(chr, "{\"execute\" \"stop\"}{\"execute\": \"query-name\", \"id\": 10}");
    g_autoptr(GPtrArray) bad2 = qmp_take(chr);
    g_assert_cmpuint(bad2->len, ==, 2);
    g_assert_true(g_str_has_prefix(err_desc(g_ptr_array_index(bad2, 0)),
                                   "JSON parse error, "));
    g_assert_cmpint(json_object_get_int_member(g_ptr_array_index(bad2, 1), "id"), ==, 10);

    /* Mismatched brackets and a raw newline inside a string. */
    feed_str(chr, "{\"a\": [1, 2}\n{\"execute\": \"query-name\", \"id\": 11}\n");
    g_autoptr(GPtrArray) bad3 = qmp_take(chr);
    g_assert_cmpuint(bad3->len, ==, 2);
    g_assert_nonnull(json_object_get_member(g_ptr_array_index(bad3, 0), "error"));
    g_assert_cmpint(json_object_get_int_member(g_ptr_array_index(bad3, 1), "id"), ==, 11);
    feed_str(chr, "{\"execute\": \"stop\n{\"execute\": \"query-name\", \"id\": 12}\n");
    g_autoptr(GPtrArray) bad4 = qmp_take(chr);
    g_assert_cmpuint(bad4->len, ==, 2);
    g_assert_cmpint(json_object_get_int_member(g_ptr_array_index(bad4, 1), "id"), ==, 12);

    /* A stray closer and a bare number at the top level. */
    feed_str(chr, "} 42 {\"execute\": \"query-name\", \"id\": 13}");
    g_autoptr(GPtrArray) bad5 = qmp_take(chr);
    g_assert_cmpuint(bad5->len, ==, 3);
    g_assert_cmpstr(err_desc(g_ptr_array_index(bad5, 1)), ==,
                    "QMP input must be a JSON object");
    g_assert_cmpint(json_object_get_int_member(g_ptr_array_index(bad5, 2), "id"), ==, 13);

    /* A value over the size cap: one error, the rest swallowed, then normal. */
    GString *big = g_string_new("{\"execute\": \"query-name\", \"id\": \"");
    for (int i = 0; i < 1100 * 1024; i++) {
        g_string_append_c(big, 'x');
    }
    g_string_append(big, "\"}{\"execute\": \"query-name\", \"id\": 14}");
    feed(chr, big->str, big->len);
    g_string_free(big, TRUE);
    g_autoptr(GPtrArray) bad6 = qmp_take(chr);
    g_assert_cmpuint(bad6->len, ==, 2);
    g_assert_cmpstr(err_desc(g_ptr_array_index(bad6, 0)), ==,
                    "JSON parse error, value too long");
    g_assert_cmpint(json_object_get_int_member(g_ptr_array_index(bad6, 1), "id"), ==, 14);

    /* Deep nesting is refused rather than followed. */
    GString *deep = g_string_new("{\"execute\": \"stop\", \"id\": ");
    for (int i = 0; i < 2000; i++) {
        g_string_append_c(deep, '[');
    }
    g_string_append(deep, "\n{\"execute\": \"query-name\", \"id\": 15}");
    feed(chr, deep->str, deep->len);
    g_string_free(deep, TRUE);
    g_autoptr(GPtrArray) bad7 = qmp_take(chr);
    g_assert_cmpuint(bad7->len, ==, 2);
    g_assert_cmpint(json_object_get_int_member(g_ptr_array_index(bad7, 1), "id"), ==, 15);

    monitor_cleanup();
    chr_del(chr);
}

static void test_qmp_pretty(void)
{
    Chardev *chr = ring_new("qmp-pretty");
    g_assert_true(monitor_init(chr, true, true, &error_abort));
    g_autofree char *greeting = ring_take(chr);
    /* Indented, over several lines, and still one JSON value. */
    g_assert_nonnull(strstr(greeting, "\r\n    \"QMP\""));
    feed_str(chr, "{\"execute\": \"qmp_capabilities\"}");
    g_autofree char *reply = ring_take(chr);
    g_autoptr(JsonParser) p = json_parser_new();
    g_assert_true(json_parser_load_from_data(p, reply, -1, NULL));
    g_assert_true(json_object_has_member(json_node_get_object(json_parser_get_root(p)),
                                         "return"));
    monitor_cleanup();
    chr_del(chr);
}

static void test_qmp_hmp_passthrough(void)
{
    Chardev *chr = qmp_ring("qmp-hmp");

    JsonObject *r = qmp(chr, "{\"execute\": \"human-monitor-command\", \"arguments\": "
                             "{\"command-line\": \"info version\"}, \"id\": 5}");
    g_assert_cmpstr(json_object_get_string_member(r, "return"), ==, EMU_VERSION "\n");
    g_assert_cmpint(json_object_get_int_member(r, "id"), ==, 5);
    json_object_unref(r);

    r = qmp(chr, "{\"execute\": \"human-monitor-command\", \"arguments\": "
                 "{\"command-line\": \"nonsense 1 2\"}}");
    g_assert_cmpstr(json_object_get_string_member(r, "return"), ==,
                    "unknown command: 'nonsense'\n");
    json_object_unref(r);

    /* HMP stop goes through the same code: the STOP event reaches QMP. */
    vm_start();
    g_ptr_array_unref(qmp_take(chr));
    g_ptr_array_set_size(events, 0);
    g_autofree char *out = hmp_run_line("stop");
    g_assert_cmpstr(out, ==, "");
    g_autoptr(GPtrArray) none = qmp_take(chr);
    g_assert_cmpuint(events->len, ==, 1);
    g_assert_cmpstr(json_object_get_string_member(g_ptr_array_index(events, 0), "event"),
                    ==, "STOP");
    g_ptr_array_set_size(events, 0);
    g_autofree char *st = hmp_run_line("info status");
    g_assert_cmpstr(st, ==, "VM status: paused\n");

    monitor_cleanup();
    chr_del(chr);
}

static void test_qmp_qom(void)
{
    Chardev *chr = qmp_ring("qmp-qom");
    Object *gadget = object_new(TYPE_TEST_GADGET);
    object_property_add_child(object_get_objects_root(), "gadget0", gadget);
    object_unref(gadget);

    /* qom-list "/" shows child<> properties, e.g. the objects container. */
    JsonObject *r = qmp(chr, "{\"execute\": \"qom-list\", \"arguments\": {\"path\": \"/\"}}");
    JsonArray *props = json_object_get_array_member(r, "return");
    bool found = false;
    for (guint i = 0; i < json_array_get_length(props); i++) {
        JsonObject *p = json_array_get_object_element(props, i);
        if (!strcmp(json_object_get_string_member(p, "name"), "objects")) {
            g_assert_cmpstr(json_object_get_string_member(p, "type"), ==,
                            "child<container>");
            found = true;
        }
    }
    g_assert_true(found);
    json_object_unref(r);

    r = qmp(chr, "{\"execute\": \"qom-list\", \"arguments\": "
                 "{\"path\": \"/objects/gadget0\"}}");
    props = json_object_get_array_member(r, "return");
    g_assert_cmpuint(json_array_get_length(props), >=, 3);
    GHashTable *types = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < json_array_get_length(props); i++) {
        JsonObject *p = json_array_get_object_element(props, i);
        g_hash_table_insert(types, (gpointer)json_object_get_string_member(p, "name"),
                            (gpointer)json_object_get_string_member(p, "type"));
    }
    g_assert_cmpstr(g_hash_table_lookup(types, "enabled"), ==, "bool");
    g_assert_cmpstr(g_hash_table_lookup(types, "count"), ==, "int64");
    g_assert_cmpstr(g_hash_table_lookup(types, "label"), ==, "str");
    g_hash_table_destroy(types);
    json_object_unref(r);

    /* Values come back as JSON of the property's type. */
    r = qmp(chr, "{\"execute\": \"qom-get\", \"arguments\": "
                 "{\"path\": \"/objects/gadget0\", \"property\": \"enabled\"}}");
    g_assert_false(json_object_get_boolean_member(r, "return"));
    json_object_unref(r);

    r = qmp(chr, "{\"execute\": \"qom-set\", \"arguments\": {\"path\": "
                 "\"/objects/gadget0\", \"property\": \"enabled\", \"value\": true}}");
    assert_empty_return(r);
    json_object_unref(r);
    g_assert_true(((TestGadget *)gadget)->enabled);

    r = qmp(chr, "{\"execute\": \"qom-set\", \"arguments\": {\"path\": "
                 "\"/objects/gadget0\", \"property\": \"count\", \"value\": -42}}");
    assert_empty_return(r);
    json_object_unref(r);
    r = qmp(chr, "{\"execute\": \"qom-get\", \"arguments\": "
                 "{\"path\": \"gadget0\", \"property\": \"count\"}}");
    g_assert_cmpint(json_object_get_int_member(r, "return"), ==, -42);
    json_object_unref(r);

    /* Strings are parsed the way the command line spells values. */
    r = qmp(chr, "{\"execute\": \"qom-set\", \"arguments\": {\"path\": "
                 "\"/objects/gadget0\", \"property\": \"count\", \"value\": \"0x10\"}}");
    assert_empty_return(r);
    json_object_unref(r);
    g_assert_cmpint(((TestGadget *)gadget)->count, ==, 16);
    r = qmp(chr, "{\"execute\": \"qom-set\", \"arguments\": {\"path\": "
                 "\"/objects/gadget0\", \"property\": \"enabled\", \"value\": \"off\"}}");
    json_object_unref(r);
    g_assert_false(((TestGadget *)gadget)->enabled);
    r = qmp(chr, "{\"execute\": \"qom-set\", \"arguments\": {\"path\": "
                 "\"/objects/gadget0\", \"property\": \"label\", \"value\": \"hi there\"}}");
    json_object_unref(r);
    r = qmp(chr, "{\"execute\": \"qom-get\", \"arguments\": "
                 "{\"path\": \"/objects/gadget0\", \"property\": \"label\"}}");
    g_assert_cmpstr(json_object_get_string_member(r, "return"), ==, "hi there");
    json_object_unref(r);

    /* Bad values, paths and properties are errors, not crashes. */
    r = qmp(chr, "{\"execute\": \"qom-set\", \"arguments\": {\"path\": "
                 "\"/objects/gadget0\", \"property\": \"count\", \"value\": \"many\"}}");
    g_assert_cmpstr(err_class(r), ==, "GenericError");
    json_object_unref(r);
    r = qmp(chr, "{\"execute\": \"qom-set\", \"arguments\": {\"path\": "
                 "\"/objects/gadget0\", \"property\": \"count\", \"value\": [1]}}");
    g_assert_cmpstr(err_class(r), ==, "GenericError");
    json_object_unref(r);
    r = qmp(chr, "{\"execute\": \"qom-get\", \"arguments\": "
                 "{\"path\": \"/nowhere\", \"property\": \"x\"}}");
    g_assert_cmpstr(err_class(r), ==, "DeviceNotFound");
    json_object_unref(r);
    r = qmp(chr, "{\"execute\": \"qom-get\", \"arguments\": "
                 "{\"path\": \"/objects/gadget0\", \"property\": \"nope\"}}");
    g_assert_cmpstr(err_class(r), ==, "GenericError");
    json_object_unref(r);

    /* The same through HMP. */
    g_autofree char *out = hmp_run_line("qom-set /objects/gadget0 count 7");
    g_assert_cmpstr(out, ==, "");
    g_assert_cmpint(((TestGadget *)gadget)->count, ==, 7);
    g_autofree char *got = hmp_run_line("qom-get /objects/gadget0 count");
    g_assert_cmpstr(got, ==, "7\n");
    g_autofree char *lst = hmp_run_line("qom-list /objects/gadget0");
    g_assert_nonnull(strstr(lst, "enabled (bool)\n"));
    g_autofree char *tree = hmp_run_line("info qom-tree /objects");
    g_assert_nonnull(strstr(tree, "  /gadget0 (test-gadget)\n"));
    g_autofree char *bad = hmp_run_line("qom-get /objects/gadget0");
    g_assert_nonnull(strstr(bad, "missing argument 'property'"));
    g_autofree char *bad2 = hmp_run_line("qom-set /objects/gadget0 count lots");
    g_assert_true(g_str_has_prefix(bad2, "Error: "));

    object_unparent(gadget);
    monitor_cleanup();
    chr_del(chr);
}

static void test_qmp_quit(void)
{
    Chardev *chr = qmp_ring("qmp-quit");
    int status = -1;

    /* The reply is out before the main loop acts on the request. */
    JsonObject *r = qmp(chr, "{\"execute\": \"quit\", \"id\": \"bye\"}");
    assert_empty_return(r);
    g_assert_cmpstr(json_object_get_string_member(r, "id"), ==, "bye");
    json_object_unref(r);
    g_assert_true(main_loop_should_exit(&status));
    g_assert_cmpint(status, ==, 0);
    g_autoptr(GPtrArray) none = qmp_take(chr);
    g_assert_cmpuint(events->len, ==, 1);
    JsonObject *ev = g_ptr_array_index(events, 0);
    g_assert_cmpstr(json_object_get_string_member(ev, "event"), ==, "SHUTDOWN");
    g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(ev, "data"),
                                                  "reason"), ==, "host-qmp-quit");
    g_ptr_array_set_size(events, 0);

    monitor_cleanup();
    chr_del(chr);
}

/* ---- QMP over a real socket ---- */

static int unix_connect(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    return fd;
}

/* One "\r\n"-terminated line from @fd, running the main loop meanwhile. */
static char *sock_line(int fd)
{
    GString *s = g_string_new(NULL);
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (!g_str_has_suffix(s->str, "\n")) {
        char c;
        ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);
        if (n == 1) {
            g_string_append_c(s, c);
            continue;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_main_context_iteration(NULL, FALSE);
        g_usleep(200);
    }
    return g_string_free(s, FALSE);
}

static void sock_send(int fd, const char *s)
{
    g_assert_cmpint(send(fd, s, strlen(s), 0), ==, (ssize_t)strlen(s));
}

static void test_qmp_socket(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "qmp.sock", NULL);
    g_autofree char *spec = g_strdup_printf("unix:%s,server=on,wait=off", path);
    Chardev *chr = qemu_chr_new("qmp", spec, &error_abort);
    g_assert_true(monitor_init(chr, true, false, &error_abort));

    for (int round = 0; round < 2; round++) {
        /* Each connection gets a greeting and must negotiate again. */
        int fd = unix_connect(path);
        g_autofree char *greeting = sock_line(fd);
        g_assert_true(g_str_has_prefix(greeting, "{\"QMP\": {\"version\": {\"qemu\": "));
        g_assert_true(g_str_has_suffix(greeting, "}\r\n"));
        sock_send(fd, "{\"execute\": \"query-status\"}\n");
        g_autofree char *refused = sock_line(fd);
        g_assert_nonnull(strstr(refused, "CommandNotFound"));
        /* Split over two sends, with a pause between them. */
        sock_send(fd, "{\"execute\": \"qmp_capa");
        for (int i = 0; i < 20; i++) {
            g_main_context_iteration(NULL, FALSE);
        }
        sock_send(fd, "bilities\"}\n");
        g_autofree char *ok = sock_line(fd);
        g_assert_cmpstr(ok, ==, "{\"return\": {}}\r\n");
        sock_send(fd, "{\"execute\": \"query-version\", \"id\": 1}\n");
        g_autofree char *ver = sock_line(fd);
        g_assert_nonnull(strstr(ver, "\"package\": \"emu\""));
        /* Half a command left behind must not leak into the next client. */
        sock_send(fd, "{\"execute\": ");
        for (int i = 0; i < 20; i++) {
            g_main_context_iteration(NULL, FALSE);
        }
        close(fd);
        for (int i = 0; i < 50; i++) {
            g_main_context_iteration(NULL, FALSE);
            g_usleep(200);
        }
    }

    monitor_cleanup();
    chr_del(chr);
}

static void test_qmp_slow_client(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "slow.sock", NULL);
    g_autofree char *spec = g_strdup_printf("unix:%s,server=on,wait=off", path);
    Chardev *chr = qemu_chr_new("qmp-slow", spec, &error_abort);
    const int nev = 20000;
    g_assert_true(monitor_init(chr, true, false, &error_abort));

    int fd = unix_connect(path);
    g_free(sock_line(fd));
    sock_send(fd, "{\"execute\": \"qmp_capabilities\"}\n");
    g_free(sock_line(fd));

    /*
     * Far more than a socket buffer holds, while the client reads nothing:
     * emu must keep going (this would hang if output blocked), and the client
     * later gets every event, whole and in order.
     */
    for (int i = 0; i < nev; i++) {
        JsonObject *data = json_object_new();
        json_object_set_int_member(data, "seq", i);
        qmp_event_emit("TEST_FLOOD", data);
    }
    for (int i = 0; i < nev; i++) {
        g_autofree char *line = sock_line(fd);
        g_autofree char *want = g_strdup_printf("\"data\": {\"seq\": %d}", i);
        g_assert_nonnull(strstr(line, want));
    }
    close(fd);
    monitor_cleanup();
    chr_del(chr);
}

/* ---- HMP ---- */

static void test_hmp_chardev(void)
{
    Chardev *chr = ring_new("hmp0");
    g_assert_true(monitor_init(chr, false, false, &error_abort));
    g_autofree char *banner = ring_take(chr);
    g_assert_cmpstr(banner, ==,
                    "emu " EMU_VERSION " monitor - type 'help' for more information\r\n"
                    "(emu) ");

    /* Plain piped lines: echoed, run, answered, new prompt. */
    runstate_set(RUN_STATE_PAUSED);
    feed_str(chr, "info status\n");
    g_autofree char *st = ring_take(chr);
    g_assert_cmpstr(st, ==, "info status\r\nVM status: paused\r\n(emu) ");

    vm_start();
    feed_str(chr, "info status\r\n");
    g_autofree char *st2 = ring_take(chr);
    g_assert_nonnull(strstr(st2, "VM status: running\r\n"));
    /* "\r\n" is one Enter, not an Enter and an empty line. */
    g_assert_cmpuint(strlen(strstr(st2, "(emu) ")), ==, strlen("(emu) "));

    /* stop/cont from HMP move the run state. */
    feed_str(chr, "stop\n");
    g_free(ring_take(chr));
    g_assert_cmpint(runstate_get(), ==, RUN_STATE_PAUSED);
    feed_str(chr, "cont\n");
    g_free(ring_take(chr));
    g_assert_true(runstate_is_running());
    vm_stop(RUN_STATE_PAUSED);
    g_ptr_array_set_size(events, 0);

    /* Line editing: backspace and Ctrl-U. */
    feed_str(chr, "info versiox\x7fn\n");
    g_autofree char *ver = ring_take(chr);
    g_assert_nonnull(strstr(ver, "\r\n" EMU_VERSION "\r\n"));
    feed_str(chr, "garbage\x15info version\n");
    g_autofree char *ver2 = ring_take(chr);
    g_assert_nonnull(strstr(ver2, EMU_VERSION "\r\n"));
    g_assert_null(strstr(ver2, "unknown command"));

    /* History: up arrow recalls the last line. */
    feed_str(chr, "\033[A\n");
    g_autofree char *ver3 = ring_take(chr);
    g_assert_nonnull(strstr(ver3, EMU_VERSION "\r\n"));

    feed_str(chr, "frobnicate now\n");
    g_autofree char *unk = ring_take(chr);
    g_assert_nonnull(strstr(unk, "unknown command: 'frobnicate'\r\n"));

    feed_str(chr, "help\n");
    g_autofree char *help = ring_take(chr);
    g_assert_nonnull(strstr(help, "qom-get path property -- "));
    g_assert_nonnull(strstr(help, "system_reset -- "));
    g_assert_null(strstr(help, "query-status"));

    feed_str(chr, "info\n");
    g_autofree char *infos = ring_take(chr);
    g_assert_nonnull(strstr(infos, "info mtree [-f] -- "));
    g_assert_nonnull(strstr(infos, "info qtree -- "));
    g_assert_nonnull(strstr(infos, "info chardev -- "));

    feed_str(chr, "info chardev\n");
    g_autofree char *chardevs = ring_take(chr);
    g_assert_nonnull(strstr(chardevs, "hmp0: filename="));

    feed_str(chr, "info mtree\n");
    g_autofree char *mtree = ring_take(chr);
    g_assert_nonnull(strstr(mtree, "address-space: "));
    feed_str(chr, "info mtree -f\n");
    g_autofree char *flat = ring_take(chr);
    g_assert_null(strstr(flat, "Usage"));
    feed_str(chr, "info mtree -x\n");
    g_autofree char *badflag = ring_take(chr);
    g_assert_nonnull(strstr(badflag, "Usage: info mtree [-f]"));

    feed_str(chr, "info qtree\n");
    g_autofree char *qtree = ring_take(chr);
    g_assert_true(g_str_has_prefix(qtree, "info qtree\r\n"));

    feed_str(chr, "info nonsense\n");
    g_autofree char *badinfo = ring_take(chr);
    g_assert_nonnull(strstr(badinfo, "unknown info command: 'nonsense'"));

    feed_str(chr, "help stop\n");
    g_autofree char *hs = ring_take(chr);
    g_assert_nonnull(strstr(hs, "stop -- stop emulation\r\n"));

    monitor_cleanup();
    chr_del(chr);
}

static int serial_can_read(void *opaque)
{
    return 0;
}

static void test_hmp_mux(void)
{
    g_autoptr(Opts) opts = opts_parse("ringbuf,id=hmux,size=65536,mux=on", "backend",
                                      &error_abort);
    Chardev *mux = qemu_chr_new_from_opts(opts, &error_abort);
    Chardev *base = qemu_chr_find("hmux-base");
    g_assert_true(monitor_init(mux, false, false, &error_abort));
    g_autofree char *banner = ring_take(base);
    g_assert_nonnull(strstr(banner, "monitor - type 'help' for more information"));

    /* A second frontend (the serial port) takes the focus... */
    CharBackend serial = { 0 };
    g_assert_true(qemu_chr_fe_init(&serial, mux, &error_abort));
    qemu_chr_fe_set_handlers(&serial, serial_can_read, NULL, NULL, NULL, NULL, true);
    g_autofree char *left = ring_take(base);
    /* The monitor leaves its prompt line for the guest's output. */
    g_assert_cmpstr(left, ==, "\r\n");
    /* ...and C-a c gives it back to the monitor, which shows its prompt. */
    qemu_chr_be_write(base, (const uint8_t *)"\001c", 2);
    g_autofree char *prompt = ring_take(base);
    g_assert_nonnull(strstr(prompt, "(emu) "));
    feed_str(base, "info version\r");
    g_autofree char *ver = ring_take(base);
    g_assert_nonnull(strstr(ver, EMU_VERSION "\r\n"));

    qemu_chr_fe_deinit(&serial, false);
    monitor_cleanup();
    chr_del(mux);
    chr_del(base);
}

static void test_monitor_init_busy(void)
{
    Chardev *chr = ring_new("busy");
    Error *err = NULL;
    g_assert_true(monitor_init(chr, false, false, &error_abort));
    /* A plain chardev takes one frontend: a second monitor is refused. */
    g_assert_false(monitor_init(chr, true, false, &err));
    g_assert_nonnull(err);
    error_free(err);
    monitor_cleanup();
    chr_del(chr);
}

/* A command and an info subcommand added from outside, as subsystems do. */
static JsonNode *qmp_test_echo(JsonObject *args, Error **errp)
{
    JsonNode *n = json_node_new(JSON_NODE_VALUE);
    json_node_set_int(n, json_object_get_int_member_with_default(args, "n", 0) * 2);
    return n;
}

static void hmp_test_echo(Monitor *mon, JsonObject *args)
{
    Error *err = NULL;
    JsonNode *n = qmp_test_echo(args, &err);
    monitor_printf(mon, "twice: %" PRId64 "\n", json_node_get_int(n));
    json_node_unref(n);
}

static void info_test(GString *out)
{
    g_string_append(out, "test info\n");
}

static const MonitorCommand test_echo_cmd = {
    .name = "x-test-double",
    .args_type = "n:i",
    .params = "n",
    .help = "double a number",
    .qmp = qmp_test_echo,
    .hmp = hmp_test_echo,
};

static void test_register(void)
{
    monitor_register_command(&test_echo_cmd);
    monitor_register_info("x-test", "test info", info_test);

    g_autofree char *a = hmp_run_line("x-test-double 0x15");
    g_assert_cmpstr(a, ==, "twice: 42\n");
    g_autofree char *b = hmp_run_line("x-test-double twelve");
    g_assert_nonnull(strstr(b, "argument 'n'"));
    g_autofree char *c = hmp_run_line("x-test-double 1 2");
    g_assert_nonnull(strstr(c, "extraneous characters"));
    g_autofree char *d = hmp_run_line("info x-test");
    g_assert_cmpstr(d, ==, "test info\n");

    Chardev *chr = qmp_ring("qmp-reg");
    JsonObject *r = qmp(chr, "{\"execute\": \"x-test-double\", \"arguments\": {\"n\": 4}}");
    g_assert_cmpint(json_object_get_int_member(r, "return"), ==, 8);
    json_object_unref(r);
    monitor_cleanup();
    chr_del(chr);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("emu-monitor-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    events = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
    memory_init();

    g_test_add_func("/monitor/qmp/greeting", test_qmp_greeting_and_negotiation);
    g_test_add_func("/monitor/qmp/queries", test_qmp_queries);
    g_test_add_func("/monitor/qmp/run-control", test_qmp_run_control);
    g_test_add_func("/monitor/qmp/errors", test_qmp_errors);
    g_test_add_func("/monitor/qmp/framing", test_qmp_framing);
    g_test_add_func("/monitor/qmp/pretty", test_qmp_pretty);
    g_test_add_func("/monitor/qmp/hmp-passthrough", test_qmp_hmp_passthrough);
    g_test_add_func("/monitor/qmp/qom", test_qmp_qom);
    g_test_add_func("/monitor/qmp/socket", test_qmp_socket);
    g_test_add_func("/monitor/qmp/slow-client", test_qmp_slow_client);
    g_test_add_func("/monitor/hmp/chardev", test_hmp_chardev);
    g_test_add_func("/monitor/hmp/mux", test_hmp_mux);
    g_test_add_func("/monitor/init-busy", test_monitor_init_busy);
    g_test_add_func("/monitor/register", test_register);
    /* Last: it leaves the process in "shutting down". */
    g_test_add_func("/monitor/shutdown/quit", test_qmp_quit);
    ret = g_test_run();

    qemu_chr_cleanup();
    g_ptr_array_free(events, TRUE);
    g_autofree char *sock = g_build_filename(tmpdir, "qmp.sock", NULL);
    g_autofree char *slow = g_build_filename(tmpdir, "slow.sock", NULL);
    unlink(sock);
    unlink(slow);
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
