/*
 * Read-copy-update (include/util/rcu.h): the reader registry, grace periods and
 * the thread that runs call_rcu1 callbacks.
 *
 * Why one counter and one fence suffice (x86-TSO and C11 seq_cst fences alike):
 * a writer stores the new pointer, increments rcu_gp_ctr (seq_cst), then reads
 * every reader's slot. A reader stores its slot, fences, then loads the pointer.
 * Either the writer sees the reader's slot (old count: it waits for the
 * reader; new count: the reader loaded the counter after the increment, hence
 * sees the new pointer) or the reader's fence orders its pointer load after
 * the writer's store (store-buffering with fences on both sides), and the
 * reader holds the new version only. Counts are 64-bit and never wrap.
 */
#include "util/rcu.h"
#include <pthread.h>

uint64_t rcu_gp_ctr = 1;
__thread RcuReader rcu_reader;

static GMutex rcu_registry_lock;
static RcuReader *rcu_registry;
/*
 * Grace periods need no writer-side lock: each writer waits for the readers
 * older than its own count, whoever else is waiting. (A lock held while
 * polling would deadlock rcu_try_synchronize callers holding the big lock.)
 */
static uint64_t rcu_gp_done;

static pthread_key_t rcu_exit_key;
static GOnce rcu_key_once = G_ONCE_INIT;

static void rcu_thread_exit(void *arg)
{
    (void)arg;
    rcu_unregister_thread();
}

static gpointer rcu_key_init(gpointer unused)
{
    (void)unused;
    if (pthread_key_create(&rcu_exit_key, rcu_thread_exit)) {
        g_error("rcu: pthread_key_create failed");
    }
    return NULL;
}

void rcu_register_thread(void)
{
    RcuReader *r = &rcu_reader;
    if (r->registered) {
        return;
    }
    g_once(&rcu_key_once, rcu_key_init, NULL);
    /* A non-NULL value makes the key's destructor run when the thread exits. */
    pthread_setspecific(rcu_exit_key, r);
    g_mutex_lock(&rcu_registry_lock);
    r->next = rcu_registry;
    if (rcu_registry) {
        rcu_registry->pprev = &r->next;
    }
    r->pprev = &rcu_registry;
    rcu_registry = r;
    r->registered = true;
    g_mutex_unlock(&rcu_registry_lock);
}

void rcu_unregister_thread(void)
{
    RcuReader *r = &rcu_reader;
    if (!r->registered) {
        return;
    }
    g_mutex_lock(&rcu_registry_lock);
    *r->pprev = r->next;
    if (r->next) {
        r->next->pprev = r->pprev;
    }
    r->next = NULL;
    r->pprev = NULL;
    r->registered = false;
    /* A thread leaving inside a section (it longjmp'ed out) holds nothing now. */
    r->depth = 0;
    __atomic_store_n(&r->ctr, 0, __ATOMIC_RELEASE);
    g_mutex_unlock(&rcu_registry_lock);
    if (pthread_getspecific(rcu_exit_key) == r) {
        pthread_setspecific(rcu_exit_key, NULL);
    }
}

/* A reader that can still hold something published before count @gp. */
static bool reader_blocks(RcuReader *r, uint64_t gp)
{
    uint64_t c = __atomic_load_n(&r->ctr, __ATOMIC_ACQUIRE);
    return c != 0 && c < gp;
}

static bool readers_all_past(uint64_t gp)
{
    for (RcuReader *r = rcu_registry; r; r = r->next) {
        if (reader_blocks(r, gp)) {
            return false;
        }
    }
    return true;
}

static uint64_t gp_start(void)
{
    /* The caller's publishing store comes before the increment... */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t gp = __atomic_add_fetch(&rcu_gp_ctr, 1, __ATOMIC_SEQ_CST);
    /* ... and the increment before the slots are read. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return gp;
}

static void gp_finish(uint64_t gp)
{
    /* Everything the readers did happens before the caller frees. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t done = __atomic_load_n(&rcu_gp_done, __ATOMIC_RELAXED);
    while (done < gp && !__atomic_compare_exchange_n(&rcu_gp_done, &done, gp, true,
                                                     __ATOMIC_RELAXED,
                                                     __ATOMIC_RELAXED)) {
        /* @done was reloaded */
    }
}

void synchronize_rcu(void)
{
    g_assert(!rcu_read_locked());
    uint64_t gp = gp_start();
    unsigned backoff = 10;

    g_mutex_lock(&rcu_registry_lock);
    while (!readers_all_past(gp)) {
        /*
         * Poll with the registry unlocked, so that threads can come and go
         * (a reader we wait for may need one of them to make progress).
         */
        g_mutex_unlock(&rcu_registry_lock);
        g_usleep(backoff);
        backoff = MIN(backoff * 2, 1000);
        g_mutex_lock(&rcu_registry_lock);
    }
    g_mutex_unlock(&rcu_registry_lock);
    gp_finish(gp);
}

bool rcu_try_synchronize(void)
{
    if (rcu_read_locked()) {
        return false;
    }
    uint64_t gp = gp_start();
    g_mutex_lock(&rcu_registry_lock);
    bool done = readers_all_past(gp);
    g_mutex_unlock(&rcu_registry_lock);
    if (done) {
        gp_finish(gp);
    }
    return done;
}

uint64_t rcu_grace_periods(void)
{
    return __atomic_load_n(&rcu_gp_done, __ATOMIC_RELAXED);
}

/* ---- call_rcu1 ---- */

static GMutex cb_lock;
static GCond cb_cond;              /* work queued, or callbacks completed */
static RcuHead *cb_head, **cb_tail = &cb_head;
static uint64_t cb_queued, cb_done;
static GThread *cb_thread;

static gpointer call_rcu_thread(gpointer unused)
{
    (void)unused;
    for (;;) {
        g_mutex_lock(&cb_lock);
        while (!cb_head) {
            g_cond_wait(&cb_cond, &cb_lock);
        }
        g_mutex_unlock(&cb_lock);
        /* Let a burst of updates (a guest reprogramming BARs) share one period. */
        g_usleep(1000);

        g_mutex_lock(&cb_lock);
        RcuHead *list = cb_head;
        uint64_t n = cb_queued;
        cb_head = NULL;
        cb_tail = &cb_head;
        g_mutex_unlock(&cb_lock);

        synchronize_rcu();
        while (list) {
            RcuHead *next = list->next;
            list->func(list);
            list = next;
        }

        g_mutex_lock(&cb_lock);
        cb_done = n;
        g_cond_broadcast(&cb_cond);
        g_mutex_unlock(&cb_lock);
    }
    return NULL;
}

void call_rcu1(RcuHead *head, RcuCbFunc *func)
{
    head->func = func;
    head->next = NULL;
    g_mutex_lock(&cb_lock);
    if (!cb_thread) {
        cb_thread = g_thread_new("call_rcu", call_rcu_thread, NULL);
    }
    *cb_tail = head;
    cb_tail = &head->next;
    cb_queued++;
    g_cond_broadcast(&cb_cond);
    g_mutex_unlock(&cb_lock);
}

void drain_call_rcu(void)
{
    g_assert(!rcu_read_locked());
    g_mutex_lock(&cb_lock);
    uint64_t target = cb_queued;
    while (cb_done < target) {
        g_cond_wait(&cb_cond, &cb_lock);
    }
    g_mutex_unlock(&cb_lock);
}
