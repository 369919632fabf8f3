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

/*
 * Pollers whose fd set is rebuilt every iteration (libslirp), kept out of
 * GLib, whose poll records wake the loop whenever one is added or removed.
 * Before the loop sleeps, fill appends GPollFDs to @fds and may lower
 * *@timeout_ns (-1: none); after it wakes (and GLib's sources ran), done
 * gets those entries with their revents (@error: the poll failed, revents
 * are 0). Both run in the main loop thread with the big lock held.
 */
typedef struct MainLoopPoller MainLoopPoller;
typedef void MainLoopPollFill(GArray *fds, int64_t *timeout_ns, void *opaque);
typedef void MainLoopPollDone(GPollFD *fds, guint n, bool error, void *opaque);
MainLoopPoller *main_loop_add_poller(MainLoopPollFill *fill, MainLoopPollDone *done,
                                     void *opaque);
void main_loop_remove_poller(MainLoopPoller *p);

/* The big lock. The main loop holds it except while it polls. */
void bql_lock(void);
void bql_unlock(void);
/* Take it if nobody holds it: true if taken. */
bool bql_trylock(void);
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
