/*
 * Read-copy-update: readers that take no lock and write no shared cache line,
 * writers that publish a new version of a structure and free the old one only
 * once no reader can still hold it.
 *
 * Readers bracket their use of RCU-protected pointers with rcu_read_lock() and
 * rcu_read_unlock() (sections nest; only the outermost pair costs anything: a
 * store to a per-thread counter and one full fence). Inside a section they load
 * the pointer with __atomic_load_n(..., __ATOMIC_ACQUIRE); the object it points
 * to stays valid until the section ends. A section must not wait for a grace
 * period (synchronize_rcu, drain_call_rcu): that deadlocks.
 *
 * Writers publish the new pointer with a release store, then either wait with
 * synchronize_rcu() (never while holding a lock a reader may wait for, e.g. the
 * big lock) or hand the old object to call_rcu1(), whose callbacks run on a
 * helper thread after a grace period. rcu_try_synchronize() is the non-blocking
 * test: true if a grace period has already elapsed because no reader was inside
 * a section at all.
 *
 * Grace periods: a global 64-bit counter. A reader entering its outermost
 * section copies the counter into its thread's slot (0 = outside any section);
 * a writer increments the counter and waits until every slot is 0 or at least
 * the new value. Long-running readers (a vCPU thread keeps one section open
 * while it runs guest code) call rcu_quiescent_state() at points where they
 * hold no protected pointer: this makes them look like new readers.
 */
#ifndef UTIL_RCU_H
#define UTIL_RCU_H

#include "util/osdep.h"

typedef struct RcuReader {
    uint64_t ctr;                  /* grace-period count at entry; 0 = outside */
    unsigned depth;                /* section nesting, this thread only */
    bool registered;
    struct RcuReader *next;        /* registry, under rcu_registry_lock */
    struct RcuReader **pprev;
} RcuReader;

extern uint64_t rcu_gp_ctr;
extern __thread RcuReader rcu_reader;

/* Puts the calling thread in the registry (done on its first section). */
void rcu_register_thread(void);
/* Takes it out; done automatically when a registered thread exits. */
void rcu_unregister_thread(void);

static inline void rcu_read_lock(void)
{
    RcuReader *r = &rcu_reader;
    if (r->depth++ == 0) {
        if (G_UNLIKELY(!r->registered)) {
            rcu_register_thread();
        }
        __atomic_store_n(&r->ctr, __atomic_load_n(&rcu_gp_ctr, __ATOMIC_RELAXED),
                         __ATOMIC_RELAXED);
        /* The slot must be visible before the section loads any pointer. */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    }
}

static inline void rcu_read_unlock(void)
{
    RcuReader *r = &rcu_reader;
    g_assert(r->depth > 0);
    if (--r->depth == 0) {
        /* Every load of the section happens before the writer sees 0. */
        __atomic_store_n(&r->ctr, 0, __ATOMIC_RELEASE);
    }
}

static inline bool rcu_read_locked(void)
{
    return rcu_reader.depth > 0;
}

/*
 * A reader in its outermost section that holds no protected pointer at this
 * point: let grace periods that began before now end.
 */
static inline void rcu_quiescent_state(void)
{
    RcuReader *r = &rcu_reader;
    uint64_t gp = __atomic_load_n(&rcu_gp_ctr, __ATOMIC_RELAXED);
    if (r->depth == 1 && __atomic_load_n(&r->ctr, __ATOMIC_RELAXED) != gp) {
        __atomic_store_n(&r->ctr, gp, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    }
}

/* Section depth, and setting it back after a longjmp skipped some unlocks. */
static inline unsigned rcu_read_depth(void)
{
    return rcu_reader.depth;
}

static inline void rcu_read_depth_restore(unsigned depth)
{
    RcuReader *r = &rcu_reader;
    g_assert(depth > 0 && depth <= r->depth);
    r->depth = depth;
}

/* Wait until every section that was open when this was called has ended. */
void synchronize_rcu(void);
/* Start a grace period; true if it is already over (no reader in a section). */
bool rcu_try_synchronize(void);

typedef struct RcuHead RcuHead;
typedef void RcuCbFunc(RcuHead *head);
struct RcuHead {
    RcuHead *next;
    RcuCbFunc *func;
};

/*
 * Run @func(@head) on the RCU thread after a grace period; callbacks queued by
 * one thread run in the order queued. Any thread, any lock held.
 */
void call_rcu1(RcuHead *head, RcuCbFunc *func);
/* Wait until every callback queued before this call has run. Not in a section. */
void drain_call_rcu(void);
/* Grace periods completed so far (for tests and statistics). */
uint64_t rcu_grace_periods(void);

#endif
