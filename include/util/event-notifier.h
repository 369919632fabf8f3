/*
 * EventNotifier: an eventfd(2) one thread (or KVM) signals and another waits
 * on. ioeventfd (a guest write to a doorbell signals it, no exit to the device
 * code), irqfd (signalling it raises an interrupt in KVM) and the wake-ups
 * between emu's threads are all made of these.
 *
 * A handler can be attached to a GMainContext (NULL: the main loop, where it
 * runs with the big lock held; an iothread's context: in that thread without
 * it). Attach and detach from the thread that iterates the context, or while
 * that context is not being iterated.
 */
#ifndef UTIL_EVENT_NOTIFIER_H
#define UTIL_EVENT_NOTIFIER_H

#include "util/osdep.h"

typedef struct EventNotifier EventNotifier;
typedef void EventNotifierHandler(EventNotifier *e);

struct EventNotifier {
    int fd;                     /* -1: not initialised */
    GSource *source;            /* the attached handler, or NULL */
    EventNotifierHandler *handler;
};

/* 0 or -errno. @active: start signalled. */
int event_notifier_init(EventNotifier *e, bool active);
/* Detaches the handler and closes the fd; safe on a zeroed or cleaned notifier. */
void event_notifier_cleanup(EventNotifier *e);
bool event_notifier_initialized(const EventNotifier *e);
int event_notifier_get_fd(const EventNotifier *e);
/* Signal it: any thread, async-signal-safe. 0 or -errno. */
int event_notifier_set(EventNotifier *e);
/* Whether it was signalled; clears it. Never blocks. */
bool event_notifier_test_and_clear(EventNotifier *e);

/*
 * Run @handler(@e) from @ctx's loop whenever @e is signalled (the handler
 * clears it). @handler NULL detaches. Replaces any previous attachment.
 */
void event_notifier_set_handler(EventNotifier *e, GMainContext *ctx,
                                EventNotifierHandler *handler);

#endif
