/*
 * -object iothread: a thread iterating its own GMainContext (see
 * include/system/iothread.h), and the monitor's `info iothreads` /
 * `query-iothreads` (id, thread-id and the polling parameters, as QEMU).
 */
#include "system/iothread.h"
#include "block/block-backend.h"
#include "monitor/monitor.h"
#include "util/rcu.h"
#include <sys/syscall.h>
#include <unistd.h>

static gpointer iothread_main(gpointer opaque)
{
    IOThread *t = opaque;

    /* Dataplane handlers read guest memory under RCU: be a known reader. */
    rcu_register_thread();
    g_main_context_push_thread_default(t->ctx);
    g_mutex_lock(&t->lock);
    t->thread_id = (int)syscall(SYS_gettid);
    g_cond_broadcast(&t->cond);
    g_mutex_unlock(&t->lock);

    while (!g_atomic_int_get(&t->stopping)) {
        g_main_context_iteration(t->ctx, TRUE);
    }
    g_main_context_pop_thread_default(t->ctx);
    rcu_unregister_thread();
    return NULL;
}

static bool iothread_complete(Object *obj, Error **errp)
{
    IOThread *t = IOTHREAD(obj);
    g_autofree char *name = NULL;
    const char *id = object_get_canonical_path_component(obj);
    GError *gerr = NULL;

    t->ctx = g_main_context_new();
    /* As QEMU names them ("IO iothread0"), so that top -H shows which is which. */
    name = g_strdup_printf("IO %s", id ? id : "iothread");
    t->thread = g_thread_try_new(name, iothread_main, t, &gerr);
    if (!t->thread) {
        error_setg(errp, "iothread: cannot create a thread: %s", gerr->message);
        g_error_free(gerr);
        g_main_context_unref(t->ctx);
        t->ctx = NULL;
        return false;
    }
    g_mutex_lock(&t->lock);
    while (!t->thread_id) {
        g_cond_wait(&t->cond, &t->lock);
    }
    g_mutex_unlock(&t->lock);
    return true;
}

static void iothread_init(Object *obj)
{
    IOThread *t = IOTHREAD(obj);
    g_mutex_init(&t->lock);
    g_cond_init(&t->cond);
}

/*
 * In the iothread: the loop ends after this dispatch, with the requests of
 * the backends served here completed (their callbacks run here, as always).
 * Doorbells not yet dispatched stay unserved: the vCPUs have stopped.
 */
static void iothread_stop_bh(void *opaque)
{
    IOThread *t = opaque;
    g_atomic_int_set(&t->stopping, 1);
    blk_drain_context(t->ctx);
}

/* Stop @t's thread and join it; its context stays (sources may still detach). */
static void iothread_stop(IOThread *t)
{
    if (!t->thread) {
        return;
    }
    /* References are dropped on the main thread, never by the iothread itself. */
    g_assert(!iothread_is_current(t));
    iothread_run_sync(t, iothread_stop_bh, t);
    g_thread_join(t->thread);
    t->thread = NULL;
}

static int iothread_stop_child(Object *child, void *opaque)
{
    IOThread *t = (IOThread *)object_dynamic_cast(child, TYPE_IOTHREAD);
    if (t) {
        iothread_stop(t);
    }
    return 0;
}

void iothread_stop_all(void)
{
    object_child_foreach(object_get_objects_root(), iothread_stop_child, NULL);
}

static void iothread_finalize(Object *obj)
{
    IOThread *t = IOTHREAD(obj);
    iothread_stop(t);
    if (t->ctx) {
        g_main_context_unref(t->ctx);
        t->ctx = NULL;
    }
    g_mutex_clear(&t->lock);
    g_cond_clear(&t->cond);
}

IOThread *iothread_find(const char *id)
{
    Object *root = object_get_objects_root();
    Object *obj = id ? object_resolve_path_component(root, id) : NULL;
    return obj ? (IOThread *)object_dynamic_cast(obj, TYPE_IOTHREAD) : NULL;
}

const char *iothread_get_id(IOThread *t)
{
    return object_get_canonical_path_component(OBJECT(t));
}

GMainContext *iothread_get_context(IOThread *t)
{
    return t->ctx;
}

bool iothread_is_current(IOThread *t)
{
    return g_thread_self() == t->thread;
}

typedef struct SyncCall {
    void (*fn)(void *opaque);
    void *opaque;
    GMutex lock;
    GCond cond;
    bool done;
} SyncCall;

static gboolean sync_call_run(gpointer opaque)
{
    SyncCall *c = opaque;
    c->fn(c->opaque);
    g_mutex_lock(&c->lock);
    c->done = true;
    g_cond_signal(&c->cond);
    g_mutex_unlock(&c->lock);
    return G_SOURCE_REMOVE;
}

void iothread_run_sync(IOThread *t, void (*fn)(void *opaque), void *opaque)
{
    t->sync_calls++;
    if (iothread_is_current(t)) {
        fn(opaque);
        return;
    }
    if (!t->thread) {
        /* Stopped (iothread_stop_all): run it here, as the context's owner. */
        g_main_context_acquire(t->ctx);
        fn(opaque);
        g_main_context_release(t->ctx);
        return;
    }
    SyncCall c = { .fn = fn, .opaque = opaque };
    g_mutex_init(&c.lock);
    g_cond_init(&c.cond);
    GSource *s = g_idle_source_new();
    g_source_set_priority(s, G_PRIORITY_HIGH);
    g_source_set_callback(s, sync_call_run, &c, NULL);
    g_source_attach(s, t->ctx);
    g_source_unref(s);
    g_mutex_lock(&c.lock);
    while (!c.done) {
        g_cond_wait(&c.cond, &c.lock);
    }
    g_mutex_unlock(&c.lock);
    g_mutex_clear(&c.lock);
    g_cond_clear(&c.cond);
}

/* ---- monitor ---- */

static int iothread_to_json(Object *child, void *opaque)
{
    IOThread *t = (IOThread *)object_dynamic_cast(child, TYPE_IOTHREAD);
    if (!t) {
        return 0;
    }
    JsonObject *o = json_object_new();
    json_object_set_string_member(o, "id", iothread_get_id(t));
    json_object_set_int_member(o, "thread-id", t->thread_id);
    json_object_set_int_member(o, "poll-max-ns", t->poll_max_ns);
    json_object_set_int_member(o, "poll-grow", t->poll_grow);
    json_object_set_int_member(o, "poll-shrink", t->poll_shrink);
    json_object_set_int_member(o, "aio-max-batch", t->aio_max_batch);
    json_array_add_object_element(opaque, o);
    return 0;
}

static JsonNode *qmp_query_iothreads(JsonObject *args, Error **errp)
{
    JsonArray *arr = json_array_new();
    object_child_foreach(object_get_objects_root(), iothread_to_json, arr);
    JsonNode *n = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(n, arr);
    return n;
}

static void info_iothreads(GString *out)
{
    JsonNode *v = qmp_query_iothreads(NULL, NULL);
    JsonArray *arr = json_node_get_array(v);
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);
        g_string_append_printf(out, "%s:\n", json_object_get_string_member(o, "id"));
        g_string_append_printf(out, "  thread_id=%" PRId64 "\n",
                               json_object_get_int_member(o, "thread-id"));
        static const char *const knobs[] = {
            "poll-max-ns", "poll-grow", "poll-shrink", "aio-max-batch",
        };
        for (size_t k = 0; k < G_N_ELEMENTS(knobs); k++) {
            g_string_append_printf(out, "  %s=%" PRId64 "\n", knobs[k],
                                   json_object_get_int_member(o, knobs[k]));
        }
    }
    json_node_unref(v);
}

static const MonitorCommand iothread_commands[] = {
    {
        .name = "query-iothreads",
        .help = "the iothreads (-object iothread) and their host thread ids",
        .qmp = qmp_query_iothreads,
    },
};

static void __attribute__((constructor)) iothread_register_monitor(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(iothread_commands); i++) {
        monitor_register_command(&iothread_commands[i]);
    }
    monitor_register_info("iothreads", "show the iothreads", info_iothreads);
}

/* ---- type ---- */

/* A device bound to it (iothread=) holds a reference besides /objects' own. */
static bool iothread_can_be_deleted(Object *obj)
{
    return obj->ref <= 1;
}

static void iothread_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = (UserCreatableClass *)object_class_dynamic_cast(
        oc, TYPE_USER_CREATABLE);
    static const struct {
        const char *name;
        size_t offset;
        uint64_t def;
        const char *desc;
    } knobs[] = {
        /* QEMU's defaults (IOThread poll-max-ns 32768 on Linux). */
        { "poll-max-ns", offsetof(IOThread, poll_max_ns), 32768,
          "maximum ns to busy-poll (accepted; emu does not busy-poll)" },
        { "poll-grow", offsetof(IOThread, poll_grow), 0, "polling time grow factor" },
        { "poll-shrink", offsetof(IOThread, poll_shrink), 0,
          "polling time shrink divisor" },
        { "aio-max-batch", offsetof(IOThread, aio_max_batch), 0,
          "maximum requests to batch (0: the default)" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(knobs); i++) {
        ObjectProperty *p = object_class_property_add_field(oc, knobs[i].name,
                                                            PROP_KIND_UINT,
                                                            knobs[i].offset, 8,
                                                            knobs[i].desc);
        object_property_set_default_uint(p, knobs[i].def);
    }
    if (ucc) {
        ucc->complete = iothread_complete;
        ucc->can_be_deleted = iothread_can_be_deleted;
    }
}

static const TypeInfo iothread_types[] = {
    {
        .name = TYPE_IOTHREAD,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(IOThread),
        .instance_init = iothread_init,
        .instance_finalize = iothread_finalize,
        .class_init = iothread_class_init,
        .interfaces = (const InterfaceInfo[]) {
            { TYPE_USER_CREATABLE },
            { NULL },
        },
    },
};
DEFINE_TYPES(iothread_types)
