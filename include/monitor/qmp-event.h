/* QMP events: any layer may emit one; every QMP monitor that negotiated receives it. */
#ifndef MONITOR_QMP_EVENT_H
#define MONITOR_QMP_EVENT_H

#include "util/osdep.h"
#include <json-glib/json-glib.h>

/* Emit {"event": NAME, "data": DATA, "timestamp": {...}}; takes ownership of @data
 * (may be NULL for an empty object). */
void qmp_event_emit(const char *name, JsonObject *data);

typedef void QmpEventSink(const char *json_text, void *opaque);
void qmp_event_add_sink(QmpEventSink *sink, void *opaque);
void qmp_event_remove_sink(QmpEventSink *sink, void *opaque);

#endif
