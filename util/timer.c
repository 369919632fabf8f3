/* Clocks and timer lists, one sorted list per clock. */
#include "util/timer.h"
#include <sched.h>
#include <time.h>

typedef struct {
    EmuTimer *head;
} TimerList;

static TimerList lists[EMU_CLOCK__MAX];
static GMutex timer_lock;
static void (*notify_cb)(void);

/*
 * Virtual clock: monotonic host time minus time spent stopped. Written under
 * timer_lock; read without it (RDTSC, every device's clock read) through a
 * sequence count: odd while a writer is changing the fields, and a reader
 * that sees it change retries. The fields are accessed with relaxed atomics.
 */
static struct {
    bool enabled;
    bool manual;
    int64_t offset;       /* virtual = monotonic + offset while enabled */
    int64_t frozen;       /* value while disabled or manual */
} vclock = { .enabled = false, .manual = false };
static unsigned vclock_seq;

#define VC_GET(f) __atomic_load_n(&vclock.f, __ATOMIC_RELAXED)
#define VC_SET(f, v) __atomic_store_n(&vclock.f, (v), __ATOMIC_RELAXED)

/* Under timer_lock. */
static void vclock_write_begin(void)
{
    __atomic_store_n(&vclock_seq, vclock_seq + 1, __ATOMIC_RELAXED);
    /* the odd count is visible before any field changes, and before the
     * writer reads the host clock its new fields are based on */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void vclock_write_end(void)
{
    __atomic_store_n(&vclock_seq, vclock_seq + 1, __ATOMIC_RELEASE);
}

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
}

static int64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
}

int64_t clock_get_ns(EmuClockType type)
{
    switch (type) {
    case EMU_CLOCK_REALTIME:
        return monotonic_ns();
    case EMU_CLOCK_HOST:
        return host_ns();
    case EMU_CLOCK_VIRTUAL: {
        for (;;) {
            unsigned seq = __atomic_load_n(&vclock_seq, __ATOMIC_ACQUIRE);
            if (G_UNLIKELY(seq & 1)) {
                sched_yield();
                continue;
            }
            int64_t v = (VC_GET(enabled) && !VC_GET(manual))
                        ? monotonic_ns() + VC_GET(offset) : VC_GET(frozen);
            __atomic_thread_fence(__ATOMIC_ACQUIRE);
            if (G_LIKELY(__atomic_load_n(&vclock_seq, __ATOMIC_RELAXED) == seq)) {
                return v;
            }
        }
    }
    default:
        g_assert_not_reached();
    }
}

void clock_virtual_enable(bool enabled)
{
    g_mutex_lock(&timer_lock);
    vclock_write_begin();
    if (enabled != vclock.enabled && !vclock.manual) {
        if (enabled) {
            VC_SET(offset, vclock.frozen - monotonic_ns());
        } else {
            VC_SET(frozen, monotonic_ns() + vclock.offset);
        }
    }
    VC_SET(enabled, enabled);
    vclock_write_end();
    g_mutex_unlock(&timer_lock);
    if (notify_cb) {
        notify_cb();
    }
}

bool clock_virtual_enabled(void)
{
    return VC_GET(enabled);
}

void clock_virtual_set_manual(bool manual)
{
    g_mutex_lock(&timer_lock);
    vclock_write_begin();
    if (manual && !vclock.manual && vclock.enabled) {
        VC_SET(frozen, monotonic_ns() + vclock.offset);
    } else if (!manual && vclock.manual && vclock.enabled) {
        VC_SET(offset, vclock.frozen - monotonic_ns());
    }
    VC_SET(manual, manual);
    vclock_write_end();
    g_mutex_unlock(&timer_lock);
}

bool clock_virtual_is_manual(void)
{
    return VC_GET(manual);
}

void timer_init(EmuTimer *t, EmuClockType type, int scale, EmuTimerCB *cb, void *opaque)
{
    memset(t, 0, sizeof(*t));
    t->clock = type;
    t->scale = scale;
    t->cb = cb;
    t->opaque = opaque;
    t->expire_time = -1;
}

EmuTimer *timer_new(EmuClockType type, int scale, EmuTimerCB *cb, void *opaque)
{
    EmuTimer *t = g_new(EmuTimer, 1);
    timer_init(t, type, scale, cb, opaque);
    return t;
}

static void timer_unlink_locked(EmuTimer *t)
{
    EmuTimer **pt = &lists[t->clock].head;
    for (; *pt; pt = &(*pt)->next) {
        if (*pt == t) {
            *pt = t->next;
            break;
        }
    }
    t->next = NULL;
    t->expire_time = -1;
}

void timer_del(EmuTimer *t)
{
    g_mutex_lock(&timer_lock);
    if (t->expire_time >= 0) {
        timer_unlink_locked(t);
    }
    g_mutex_unlock(&timer_lock);
}

void timer_free(EmuTimer *t)
{
    if (t) {
        timer_del(t);
        g_free(t);
    }
}

void timer_mod_ns(EmuTimer *t, int64_t expire_ns)
{
    bool first;
    if (expire_ns < 0) {
        expire_ns = 0;
    }
    g_mutex_lock(&timer_lock);
    if (t->expire_time >= 0) {
        timer_unlink_locked(t);
    }
    EmuTimer **pt = &lists[t->clock].head;
    while (*pt && (*pt)->expire_time <= expire_ns) {
        pt = &(*pt)->next;
    }
    t->expire_time = expire_ns;
    t->next = *pt;
    *pt = t;
    first = (pt == &lists[t->clock].head);
    g_mutex_unlock(&timer_lock);
    if (first && notify_cb) {
        notify_cb();
    }
}

void timer_mod(EmuTimer *t, int64_t expire_time)
{
    int64_t ns = expire_time;
    if (t->scale != 1) {
        ns = expire_time > INT64_MAX / t->scale ? INT64_MAX : expire_time * t->scale;
    }
    timer_mod_ns(t, ns);
}

bool timer_pending(EmuTimer *t)
{
    return t->expire_time >= 0;
}

bool timer_expired(EmuTimer *t, int64_t current_time)
{
    return timer_pending(t) && t->expire_time <= current_time * t->scale;
}

int64_t timer_expire_time_ns(EmuTimer *t)
{
    return t->expire_time;
}

int64_t timers_deadline_ns(void)
{
    int64_t best = -1;
    for (int c = 0; c < EMU_CLOCK__MAX; c++) {
        if (c == EMU_CLOCK_VIRTUAL && (!vclock.enabled || vclock.manual)) {
            continue;
        }
        g_mutex_lock(&timer_lock);
        int64_t exp = lists[c].head ? lists[c].head->expire_time : -1;
        g_mutex_unlock(&timer_lock);
        if (exp < 0) {
            continue;
        }
        int64_t delta = exp - clock_get_ns(c);
        if (delta < 0) {
            delta = 0;
        }
        if (best < 0 || delta < best) {
            best = delta;
        }
    }
    return best;
}

/* Run every timer on @c whose deadline is <= @now; callbacks may re-arm. */
static bool run_clock(EmuClockType c, int64_t now)
{
    bool ran = false;
    for (;;) {
        g_mutex_lock(&timer_lock);
        EmuTimer *t = lists[c].head;
        if (!t || t->expire_time > now) {
            g_mutex_unlock(&timer_lock);
            break;
        }
        timer_unlink_locked(t);
        EmuTimerCB *cb = t->cb;
        void *opaque = t->opaque;
        g_mutex_unlock(&timer_lock);
        cb(opaque);
        ran = true;
    }
    return ran;
}

bool timers_run_expired(void)
{
    bool ran = false;
    for (int c = 0; c < EMU_CLOCK__MAX; c++) {
        if (c == EMU_CLOCK_VIRTUAL && !vclock.enabled) {
            continue;
        }
        ran |= run_clock(c, clock_get_ns(c));
    }
    return ran;
}

void clock_virtual_advance_to(int64_t target_ns)
{
    /* Step through each deadline so callbacks see the time they asked for. */
    for (;;) {
        g_mutex_lock(&timer_lock);
        EmuTimer *t = lists[EMU_CLOCK_VIRTUAL].head;
        int64_t next = t ? t->expire_time : -1;
        if (next < 0 || next > target_ns) {
            vclock_write_begin();
            VC_SET(frozen, MAX(vclock.frozen, target_ns));
            vclock_write_end();
            g_mutex_unlock(&timer_lock);
            break;
        }
        vclock_write_begin();
        VC_SET(frozen, MAX(vclock.frozen, next));
        vclock_write_end();
        g_mutex_unlock(&timer_lock);
        run_clock(EMU_CLOCK_VIRTUAL, next);
    }
}

int64_t clock_virtual_next_deadline_ns(void)
{
    g_mutex_lock(&timer_lock);
    EmuTimer *t = lists[EMU_CLOCK_VIRTUAL].head;
    int64_t next = t ? t->expire_time : -1;
    g_mutex_unlock(&timer_lock);
    return next;
}

void timers_set_notify(void (*notify)(void))
{
    notify_cb = notify;
}
