/*
 * IOThreads (-object iothread,id=NAME): a thread that runs its own event loop
 * (a GMainContext) so that device work bound to it -- a virtio-blk dataplane's
 * queue notifications and block completions -- runs without the big lock and
 * without the main loop. What runs there must not take the big lock (the main
 * thread may be waiting for the iothread while holding it), and touches guest
 * memory only inside an RCU read section (include/util/rcu.h).
 */
#ifndef SYSTEM_IOTHREAD_H
#define SYSTEM_IOTHREAD_H

#include "qom/object.h"
#include "qom/object_interfaces.h"

#define TYPE_IOTHREAD "iothread"

typedef struct IOThread {
    Object parent_obj;
    GMainContext *ctx;
    GThread *thread;
    int thread_id;              /* the host's TID (query-iothreads thread-id) */
    int stopping;               /* atomic */
    GMutex lock;
    GCond cond;
    /* QEMU's polling knobs: accepted and reported; emu's loop always sleeps in poll. */
    uint64_t poll_max_ns;
    uint64_t poll_grow;
    uint64_t poll_shrink;
    uint64_t aio_max_batch;
    /* counters */
    uint64_t sync_calls;        /* iothread_run_sync calls */
} IOThread;

DECLARE_INSTANCE_CHECKER(IOThread, IOTHREAD, TYPE_IOTHREAD)

/* The iothread /objects/@id, or NULL (no such object, or not an iothread). */
IOThread *iothread_find(const char *id);
const char *iothread_get_id(IOThread *t);
GMainContext *iothread_get_context(IOThread *t);
/* Whether the caller is @t's thread. */
bool iothread_is_current(IOThread *t);
/*
 * Run @fn(@opaque) in @t's thread and wait for it to return (directly when
 * called from @t's thread). The caller may hold the big lock; @fn must not take it.
 */
void iothread_run_sync(IOThread *t, void (*fn)(void *opaque), void *opaque);
/*
 * At exit, after the vCPUs have stopped and before devices and drives go:
 * every iothread completes the requests of the backends it serves, stops
 * and is joined. Its context stays until the object is finalized.
 */
void iothread_stop_all(void);

#endif
