/*
 * The main loop (GLib's default context, iterated by emu so that timers on emu's
 * clocks fire on time) and the big lock every device callback runs under.
 */
#ifndef SYSTEM_MAIN_LOOP_H
#define SYSTEM_MAIN_LOOP_H

#include "util/osdep.h"

void main_loop_init(void);
/* One iteration: poll file descriptors (timeout from the nearest timer), dispatch
 * GLib sources, run expired timers and bottom halves. */
void main_loop_wait(bool nonblocking);
/* Run until an exit is requested; returns emu's exit status. */
int main_loop_run(void);
/* Wake the main loop from another thread. */
void main_loop_notify(void);

/* The big lock. The main loop holds it except while it polls. */
void bql_lock(void);
void bql_unlock(void);
bool bql_locked(void);

/* Bottom halves: run once on the main loop, soon, after being scheduled.
 * Scheduling is safe from any thread. */
typedef struct EmuBH EmuBH;
typedef void EmuBHFunc(void *opaque);
EmuBH *bh_new(EmuBHFunc *cb, void *opaque);
void bh_schedule(EmuBH *bh);
void bh_cancel(EmuBH *bh);
void bh_delete(EmuBH *bh);

#endif
