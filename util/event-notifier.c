/* EventNotifier (include/util/event-notifier.h): eventfd(2) with GLib sources. */
#include "util/event-notifier.h"
#include <glib-unix.h>
#include <sys/eventfd.h>
#include <unistd.h>

int event_notifier_init(EventNotifier *e, bool active)
{
    e->source = NULL;
    e->handler = NULL;
    e->fd = eventfd(active ? 1 : 0, EFD_NONBLOCK | EFD_CLOEXEC);
    return e->fd < 0 ? -errno : 0;
}

bool event_notifier_initialized(const EventNotifier *e)
{
    /* A zeroed struct (fd 0) counts as uninitialised: fd 0 is never an eventfd here. */
    return e->fd > 0;
}

void event_notifier_cleanup(EventNotifier *e)
{
    event_notifier_set_handler(e, NULL, NULL);
    if (event_notifier_initialized(e)) {
        close(e->fd);
    }
    e->fd = -1;
}

int event_notifier_get_fd(const EventNotifier *e)
{
    return e->fd;
}

int event_notifier_set(EventNotifier *e)
{
    uint64_t one = 1;
    ssize_t r;
    do {
        r = write(e->fd, &one, sizeof(one));
    } while (r < 0 && errno == EINTR);
    /* EAGAIN: the counter is at its maximum, which is signalled enough. */
    return r < 0 && errno != EAGAIN ? -errno : 0;
}

bool event_notifier_test_and_clear(EventNotifier *e)
{
    uint64_t v;
    ssize_t r;
    do {
        r = read(e->fd, &v, sizeof(v));
    } while (r < 0 && errno == EINTR);
    return r == sizeof(v) && v != 0;
}

static gboolean event_notifier_dispatch(gint fd, GIOCondition cond, gpointer opaque)
{
    EventNotifier *e = opaque;
    if (e->handler) {
        e->handler(e);
    }
    return G_SOURCE_CONTINUE;
}

void event_notifier_set_handler(EventNotifier *e, GMainContext *ctx,
                                EventNotifierHandler *handler)
{
    if (e->source) {
        g_source_destroy(e->source);
        g_source_unref(e->source);
        e->source = NULL;
    }
    e->handler = handler;
    if (!handler || !event_notifier_initialized(e)) {
        return;
    }
    e->source = g_unix_fd_source_new(e->fd, G_IO_IN);
    g_source_set_callback(e->source, (GSourceFunc)(void (*)(void))event_notifier_dispatch,
                          e, NULL);
    g_source_attach(e->source, ctx);
}
