/*
 * Clocks and timers. Timers fire on the main loop with the big lock held.
 *   EMU_CLOCK_REALTIME  monotonic host time, always running (UI, monitor timeouts)
 *   EMU_CLOCK_VIRTUAL   guest time: stops while the VM is stopped; under qtest it only
 *                   moves when the test steps it
 *   EMU_CLOCK_HOST      wall-clock time (follows host clock changes; RTC base)
 */
#ifndef UTIL_TIMER_H
#define UTIL_TIMER_H

#include "util/osdep.h"

typedef enum {
    EMU_CLOCK_REALTIME,
    EMU_CLOCK_VIRTUAL,
    EMU_CLOCK_HOST,
    EMU_CLOCK__MAX,
} EmuClockType;

#define NANOSECONDS_PER_SECOND 1000000000LL
#define SCALE_MS 1000000
#define SCALE_US 1000
#define SCALE_NS 1

typedef void EmuTimerCB(void *opaque);

typedef struct EmuTimer {
    EmuClockType clock;
    int64_t expire_time;      /* ns; -1 when not pending */
    int scale;
    EmuTimerCB *cb;
    void *opaque;
    struct EmuTimer *next;
} EmuTimer;

int64_t clock_get_ns(EmuClockType type);
static inline int64_t clock_get_ms(EmuClockType type)
{
    return clock_get_ns(type) / SCALE_MS;
}

/* Virtual clock control (run state and qtest). */
void clock_virtual_enable(bool enabled);
bool clock_virtual_enabled(void);
void clock_virtual_set_manual(bool manual);   /* qtest: time moves only on step */
bool clock_virtual_is_manual(void);
/* Manual mode: advance to @target ns, firing timers in order. */
void clock_virtual_advance_to(int64_t target_ns);
/* Absolute expiry (ns) of the earliest pending virtual-clock timer, or -1 (qtest's
 * clock_step without an argument). */
int64_t clock_virtual_next_deadline_ns(void);

void timer_init(EmuTimer *t, EmuClockType type, int scale, EmuTimerCB *cb, void *opaque);
EmuTimer *timer_new(EmuClockType type, int scale, EmuTimerCB *cb, void *opaque);
static inline EmuTimer *timer_new_ns(EmuClockType type, EmuTimerCB *cb, void *opaque)
{
    return timer_new(type, SCALE_NS, cb, opaque);
}
static inline EmuTimer *timer_new_ms(EmuClockType type, EmuTimerCB *cb, void *opaque)
{
    return timer_new(type, SCALE_MS, cb, opaque);
}
void timer_free(EmuTimer *t);
/* Arm at an absolute time in the timer's scale. */
void timer_mod(EmuTimer *t, int64_t expire_time);
void timer_mod_ns(EmuTimer *t, int64_t expire_ns);
void timer_del(EmuTimer *t);
bool timer_pending(EmuTimer *t);
bool timer_expired(EmuTimer *t, int64_t current_time);
int64_t timer_expire_time_ns(EmuTimer *t);

/* Nearest deadline over all clocks, in ns from now, or -1 when none. */
int64_t timers_deadline_ns(void);
/* Run expired timers on every clock; true if any ran. */
bool timers_run_expired(void);
/* Called when a timer is armed from another thread so the main loop re-polls. */
void timers_set_notify(void (*notify)(void));

#endif
