/* Fan-out of QMP events to every QMP monitor. */
#include "monitor/qmp-event.h"
#include "util/timer.h"

typedef struct {
    QmpEventSink *sink;
    void *opaque;
} Sink;

static GArray *sinks;

void qmp_event_add_sink(QmpEventSink *sink, void *opaque)
{
    if (!sinks) {
        sinks = g_array_new(FALSE, FALSE, sizeof(Sink));
    }
    Sink s = { sink, opaque };
    g_array_append_val(sinks, s);
}

void qmp_event_remove_sink(QmpEventSink *sink, void *opaque)
{
    for (guint i = 0; sinks && i < sinks->len; i++) {
        Sink *s = &g_array_index(sinks, Sink, i);
        if (s->sink == sink && s->opaque == opaque) {
            g_array_remove_index(sinks, i);
            return;
        }
    }
}

void qmp_event_emit(const char *name, JsonObject *data)
{
    int64_t now = clock_get_ns(EMU_CLOCK_HOST) / 1000;
    JsonObject *ev = json_object_new();
    JsonObject *ts = json_object_new();
    json_object_set_int_member(ts, "seconds", now / 1000000);
    json_object_set_int_member(ts, "microseconds", now % 1000000);
    json_object_set_string_member(ev, "event", name);
    json_object_set_object_member(ev, "data", data ? data : json_object_new());
    json_object_set_object_member(ev, "timestamp", ts);

    JsonNode *root = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(root, ev);
    g_autofree char *text = json_to_string(root, FALSE);
    json_node_unref(root);
    for (guint i = 0; sinks && i < sinks->len; i++) {
        Sink *s = &g_array_index(sinks, Sink, i);
        s->sink(text, s->opaque);
    }
}
