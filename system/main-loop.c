/*
 * The main loop: GLib's default context iterated by hand so the poll timeout
 * comes from emu's timers (ns precision with ppoll) and the big lock is dropped
 * exactly while the thread sleeps.
 */
#include "system/main-loop.h"
#include "system/runstate.h"
#include "util/timer.h"
#include <glib-unix.h>
#include <poll.h>
#include <signal.h>
#include <time.h>

static GMutex bql;
static __thread bool bql_held;

void bql_lock(void)
{
    g_assert(!bql_held);
    g_mutex_lock(&bql);
    bql_held = true;
}

void bql_unlock(void)
{
    g_assert(bql_held);
    bql_held = false;
    g_mutex_unlock(&bql);
}

/* Take the big lock only if it is free (a thread that must not wait for it). */
bool bql_trylock(void)
{
    g_assert(!bql_held);
    if (!g_mutex_trylock(&bql)) {
        return false;
    }
    bql_held = true;
    return true;
}

bool bql_locked(void)
{
    return bql_held;
}

/* ---- bottom halves ---- */

struct EmuBH {
    EmuBHFunc *cb;
    void *opaque;
    int scheduled;    /* atomic */
    bool deleted;
};

static GMutex bh_lock;
static GPtrArray *bh_list;

typedef struct {
    GSource source;
} BHSource;

static bool any_bh_scheduled(void)
{
    bool any = false;
    g_mutex_lock(&bh_lock);
    for (guint i = 0; bh_list && i < bh_list->len; i++) {
        EmuBH *bh = g_ptr_array_index(bh_list, i);
        if (g_atomic_int_get(&bh->scheduled) && !bh->deleted) {
            any = true;
            break;
        }
    }
    g_mutex_unlock(&bh_lock);
    return any;
}

static gboolean bh_prepare(GSource *s, gint *timeout)
{
    *timeout = -1;
    return any_bh_scheduled();
}

static gboolean bh_check(GSource *s)
{
    return any_bh_scheduled();
}

static gboolean bh_dispatch(GSource *s, GSourceFunc cb, gpointer data)
{
    /* Snapshot, then run: a callback may schedule or delete BHs. */
    g_mutex_lock(&bh_lock);
    GPtrArray *run = g_ptr_array_new();
    for (guint i = 0; i < bh_list->len; i++) {
        EmuBH *bh = g_ptr_array_index(bh_list, i);
        if (!bh->deleted && g_atomic_int_compare_and_exchange(&bh->scheduled, 1, 0)) {
            g_ptr_array_add(run, bh);
        }
    }
    g_mutex_unlock(&bh_lock);
    for (guint i = 0; i < run->len; i++) {
        EmuBH *bh = g_ptr_array_index(run, i);
        if (!bh->deleted) {
            bh->cb(bh->opaque);
        }
    }
    g_ptr_array_free(run, TRUE);
    /* Reap deleted ones now that nothing references them. */
    g_mutex_lock(&bh_lock);
    for (guint i = bh_list->len; i-- > 0;) {
        EmuBH *bh = g_ptr_array_index(bh_list, i);
        if (bh->deleted) {
            g_ptr_array_remove_index(bh_list, i);
            g_free(bh);
        }
    }
    g_mutex_unlock(&bh_lock);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs bh_source_funcs = {
    .prepare = bh_prepare,
    .check = bh_check,
    .dispatch = bh_dispatch,
};

static GSource *bh_source;

static void bh_source_init(void)
{
    if (!bh_source) {
        bh_list = g_ptr_array_new();
        bh_source = g_source_new(&bh_source_funcs, sizeof(BHSource));
        g_source_attach(bh_source, NULL);
    }
}

EmuBH *bh_new(EmuBHFunc *cb, void *opaque)
{
    EmuBH *bh = g_new0(EmuBH, 1);
    bh->cb = cb;
    bh->opaque = opaque;
    g_mutex_lock(&bh_lock);
    bh_source_init();
    g_ptr_array_add(bh_list, bh);
    g_mutex_unlock(&bh_lock);
    return bh;
}

void bh_schedule(EmuBH *bh)
{
    if (g_atomic_int_compare_and_exchange(&bh->scheduled, 0, 1)) {
        main_loop_notify();
    }
}

void bh_cancel(EmuBH *bh)
{
    g_atomic_int_set(&bh->scheduled, 0);
}

void bh_delete(EmuBH *bh)
{
    if (bh) {
        g_atomic_int_set(&bh->scheduled, 0);
        bh->deleted = true;
        main_loop_notify();
    }
}

/* ---- pollers outside GLib (main_loop_add_poller) ---- */

struct MainLoopPoller {
    MainLoopPollFill *fill;
    MainLoopPollDone *done;
    void *opaque;
    guint first, count;         /* its slots in this iteration's set */
};

static GPtrArray *pollers;      /* of MainLoopPoller * */

MainLoopPoller *main_loop_add_poller(MainLoopPollFill *fill, MainLoopPollDone *done,
                                     void *opaque)
{
    MainLoopPoller *p = g_new0(MainLoopPoller, 1);
    p->fill = fill;
    p->done = done;
    p->opaque = opaque;
    if (!pollers) {
        pollers = g_ptr_array_new();
    }
    g_ptr_array_add(pollers, p);
    return p;
}

void main_loop_remove_poller(MainLoopPoller *p)
{
    if (p && pollers && g_ptr_array_remove(pollers, p)) {
        g_free(p);
    }
}

/* ---- the loop ---- */

/* Set in the thread that runs main_loop_wait(). */
static __thread bool main_loop_thread;

void main_loop_notify(void)
{
    /*
     * The loop's own thread recomputes its poll set and timer deadline
     * before it sleeps again; waking it would only cost an idle iteration
     * (an eventfd write and a poll that returns at once).
     */
    if (main_loop_thread) {
        return;
    }
    g_main_context_wakeup(g_main_context_default());
}

static gboolean on_quit_signal(gpointer data)
{
    int sig = GPOINTER_TO_INT(data);
    fprintf(stderr, "emu: terminating on signal %d\n", sig);
    system_shutdown_request(SHUTDOWN_CAUSE_HOST_SIGNAL);
    return G_SOURCE_CONTINUE;
}

void main_loop_init(void)
{
    static bool done;
    if (done) {
        return;
    }
    done = true;
    signal(SIGPIPE, SIG_IGN);
    g_mutex_lock(&bh_lock);
    bh_source_init();
    g_mutex_unlock(&bh_lock);
    g_unix_signal_add(SIGINT, on_quit_signal, GINT_TO_POINTER(SIGINT));
    g_unix_signal_add(SIGTERM, on_quit_signal, GINT_TO_POINTER(SIGTERM));
    g_unix_signal_add(SIGHUP, on_quit_signal, GINT_TO_POINTER(SIGHUP));
    timers_set_notify(main_loop_notify);
    if (!bql_locked()) {
        bql_lock();
    }
}

void main_loop_wait(bool nonblocking)
{
    static GPollFD *fds;
    static gint nfds_alloc;
    GMainContext *ctx = g_main_context_default();
    gint max_priority, glib_timeout, nfds;

    if (!g_main_context_acquire(ctx)) {
        return;
    }
    main_loop_thread = true;
    g_main_context_prepare(ctx, &max_priority);
    while ((nfds = g_main_context_query(ctx, max_priority, &glib_timeout, fds,
                                        nfds_alloc)) > nfds_alloc) {
        nfds_alloc = nfds;
        fds = g_renew(GPollFD, fds, nfds_alloc);
    }

    int64_t timeout_ns = glib_timeout < 0 ? -1 : (int64_t)glib_timeout * SCALE_MS;
    int64_t timer_ns = timers_deadline_ns();
    if (timer_ns >= 0 && (timeout_ns < 0 || timer_ns < timeout_ns)) {
        timeout_ns = timer_ns;
    }

    /* The pollers' fds go after GLib's, in one ppoll. */
    static GArray *set;
    if (!set) {
        set = g_array_new(FALSE, FALSE, sizeof(GPollFD));
    }
    g_array_set_size(set, 0);
    if (nfds) {
        g_array_append_vals(set, fds, nfds);
    }
    guint npollers = pollers ? pollers->len : 0;
    for (guint i = 0; i < npollers; i++) {
        MainLoopPoller *p = g_ptr_array_index(pollers, i);
        p->first = set->len;
        p->fill(set, &timeout_ns, p->opaque);
        p->count = set->len - p->first;
    }
    if (nonblocking) {
        timeout_ns = 0;
    }

    struct timespec ts, *tsp = NULL;
    if (timeout_ns >= 0) {
        ts.tv_sec = timeout_ns / NANOSECONDS_PER_SECOND;
        ts.tv_nsec = timeout_ns % NANOSECONDS_PER_SECOND;
        tsp = &ts;
    }
    /* GPollFD has struct pollfd's layout on Linux. */
    G_STATIC_ASSERT(sizeof(GPollFD) == sizeof(struct pollfd));
    bool locked = bql_locked();
    if (locked && timeout_ns != 0) {
        bql_unlock();
    }
    GPollFD *all = (GPollFD *)set->data;
    int r = ppoll((struct pollfd *)all, set->len, tsp, NULL);
    if (locked && timeout_ns != 0) {
        bql_lock();
    }
    if (r < 0) {
        for (guint i = 0; i < set->len; i++) {
            all[i].revents = 0;
        }
    }
    if (nfds) {
        memcpy(fds, all, nfds * sizeof(GPollFD));
    }
    if (g_main_context_check(ctx, max_priority, fds, nfds)) {
        g_main_context_dispatch(ctx);
    }
    g_main_context_release(ctx);
    /*
     * Pollers as they were before the poll (GLib's callbacks may have added
     * some, which start next iteration, or removed some).
     */
    for (guint i = 0; pollers && i < MIN(npollers, pollers->len); i++) {
        MainLoopPoller *p = g_ptr_array_index(pollers, i);
        if (p->first + p->count <= set->len) {
            p->done((GPollFD *)set->data + p->first, p->count, r < 0, p->opaque);
        }
    }
    timers_run_expired();
}

int main_loop_run(void)
{
    int status = 0;
    while (!main_loop_should_exit(&status)) {
        main_loop_wait(false);
    }
    return status;
}
