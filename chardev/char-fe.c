/* The frontend side: how a device or the monitor attaches to a chardev. */
#include "util/osdep.h"
#include <poll.h>
#include "chardev/char-internal.h"

bool qemu_chr_fe_init(CharBackend *be, Chardev *s, Error **errp)
{
    memset(be, 0, sizeof(*be));
    if (qemu_chr_is_mux(s)) {
        if (!mux_chr_attach(s, be, errp)) {
            return false;
        }
    } else {
        if (s->be) {
            error_setg(errp, "chardev '%s' is already in use", s->label);
            return false;
        }
        s->be = be;
    }
    be->chr = s;
    return true;
}

void qemu_chr_fe_deinit(CharBackend *be, bool del)
{
    Chardev *s = be->chr;

    if (!s) {
        return;
    }
    qemu_chr_fe_set_handlers(be, NULL, NULL, NULL, NULL, NULL, true);
    if (qemu_chr_is_mux(s)) {
        mux_chr_detach(s, be);
    } else if (s->be == be) {
        s->be = NULL;
    }
    be->chr = NULL;
    if (del) {
        if (OBJECT(s)->parent) {
            object_unparent(OBJECT(s));
        } else {
            object_unref(s);
        }
    }
}

void qemu_chr_fe_set_handlers(CharBackend *be, IOCanReadHandler *can_read,
                              IOReadHandler *read, IOEventHandler *event,
                              void *opaque, GMainContext *ctx, bool set_open)
{
    Chardev *s = be->chr;
    ChardevClass *cc;
    bool fe_open = can_read || read || event || opaque;

    if (!s) {
        return;
    }
    cc = CHARDEV_GET_CLASS(s);
    be->chr_can_read = can_read;
    be->chr_read = read;
    be->chr_event = event;
    be->opaque = opaque;
    if (set_open) {
        be->fe_open = fe_open;
    }
    if (!qemu_chr_is_mux(s)) {
        s->gcontext = ctx;
    }
    if (cc->chr_update_read_handler) {
        cc->chr_update_read_handler(s);
    }
    if (qemu_chr_is_mux(s)) {
        mux_chr_handlers_changed(s, be);
    } else if (fe_open && s->be_open && event) {
        /* Attaching to a backend that is already connected. */
        event(opaque, CHR_EVENT_OPENED);
    }
}

void qemu_chr_fe_take_focus(CharBackend *be)
{
    if (be->chr && qemu_chr_is_mux(be->chr)) {
        mux_chr_set_focus(be->chr, be->tag);
    }
}

/* Without a chardev the bytes go nowhere, like a UART with no cable. */
int qemu_chr_fe_write(CharBackend *be, const uint8_t *buf, int len)
{
    return be->chr ? qemu_chr_write(be->chr, buf, len, false) : len;
}

int qemu_chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len)
{
    return be->chr ? qemu_chr_write(be->chr, buf, len, true) : len;
}

void qemu_chr_fe_printf(CharBackend *be, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *s = NULL;

    va_start(ap, fmt);
    s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qemu_chr_fe_write_all(be, (const uint8_t *)s, strlen(s));
}

guint qemu_chr_fe_add_watch(CharBackend *be, GIOCondition cond, GSourceFunc func,
                            void *user_data)
{
    Chardev *s = be->chr;
    ChardevClass *cc;
    GSource *src;
    guint id;

    if (!s) {
        return 0;
    }
    cc = CHARDEV_GET_CLASS(s);
    src = cc->chr_add_watch ? cc->chr_add_watch(s, cond) : NULL;
    if (!src) {
        return 0;
    }
    g_source_set_callback(src, func, user_data, NULL);
    id = g_source_attach(src, s->gcontext);
    g_source_unref(src);
    return id;
}

bool qemu_chr_fe_can_write(CharBackend *be)
{
    Chardev *s = be->chr;
    ChardevClass *cc;
    int fd;

    if (!s) {
        return true;
    }
    cc = CHARDEV_GET_CLASS(s);
    fd = cc->chr_out_fd ? cc->chr_out_fd(s) : -1;
    if (fd < 0) {
        return true;
    }
    struct pollfd pfd = { .fd = fd, .events = POLLOUT };
    return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLOUT);
}

void qemu_chr_fe_accept_input(CharBackend *be)
{
    Chardev *s = be->chr;
    ChardevClass *cc;

    if (!s) {
        return;
    }
    if (qemu_chr_is_mux(s)) {
        mux_chr_accept_input(s, be->tag);
        return;
    }
    cc = CHARDEV_GET_CLASS(s);
    if (cc->chr_accept_input) {
        cc->chr_accept_input(s);
    }
    /* The read sources re-check can_read each time the loop prepares a poll. */
    g_main_context_wakeup(s->gcontext);
}

bool qemu_chr_fe_backend_connected(CharBackend *be)
{
    return be->chr != NULL;
}

bool qemu_chr_fe_backend_open(CharBackend *be)
{
    return be->chr && be->chr->be_open;
}

void qemu_chr_fe_set_echo(CharBackend *be, bool echo)
{
    ChardevClass *cc;

    if (!be->chr) {
        return;
    }
    cc = CHARDEV_GET_CLASS(be->chr);
    if (cc->chr_set_echo) {
        cc->chr_set_echo(be->chr, echo);
    }
}

Chardev *qemu_chr_fe_get_driver(CharBackend *be)
{
    return be->chr;
}
