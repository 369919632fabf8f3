/* GLib sources and fd helpers shared by the fd-based backends. */
#include "util/osdep.h"
#include <fcntl.h>
#include <glib-unix.h>
#include "chardev/char-internal.h"

typedef struct ChrFdReadSource {
    GSource source;
    Chardev *chr;
    int fd;
    gpointer tag;          /* the fd's poll record while we want input */
    ChrFdReadFunc *fn;
    void *opaque;
} ChrFdReadSource;

/*
 * The fd is polled only while the frontend has room. Not polling it at all
 * (rather than polling with no events) matters: a hung-up fd reports POLLHUP
 * whatever the event mask, and the loop would spin while the frontend is full.
 */
static gboolean fd_read_prepare(GSource *source, gint *timeout)
{
    ChrFdReadSource *s = (ChrFdReadSource *)source;
    bool want = qemu_chr_be_can_write(s->chr) > 0;

    if (want && !s->tag) {
        s->tag = g_source_add_unix_fd(source, s->fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    } else if (!want && s->tag) {
        g_source_remove_unix_fd(source, s->tag);
        s->tag = NULL;
    }
    *timeout = -1;
    return FALSE;
}

static gboolean fd_read_check(GSource *source)
{
    ChrFdReadSource *s = (ChrFdReadSource *)source;
    return s->tag && g_source_query_unix_fd(source, s->tag) != 0;
}

static gboolean fd_read_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    ChrFdReadSource *s = (ChrFdReadSource *)source;
    GIOCondition cond = s->tag ? g_source_query_unix_fd(source, s->tag) : 0;
    return s->fn(s->chr, cond, s->opaque);
}

static GSourceFuncs fd_read_funcs = {
    .prepare = fd_read_prepare,
    .check = fd_read_check,
    .dispatch = fd_read_dispatch,
};

GSource *chr_fd_read_source_add(Chardev *chr, int fd, ChrFdReadFunc *fn, void *opaque)
{
    GSource *source = g_source_new(&fd_read_funcs, sizeof(ChrFdReadSource));
    ChrFdReadSource *s = (ChrFdReadSource *)source;

    s->chr = chr;
    s->fd = fd;
    s->fn = fn;
    s->opaque = opaque;
    g_source_set_name(source, "chardev-read");
    g_source_attach(source, chr->gcontext);
    return source;
}

typedef struct ChrFdWatch {
    GSource source;
    gpointer tag;
} ChrFdWatch;

static gboolean fd_watch_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    if (!cb) {
        return G_SOURCE_REMOVE;
    }
    return cb(data);
}

static GSourceFuncs fd_watch_funcs = {
    .dispatch = fd_watch_dispatch,
};

GSource *chr_fd_watch_new(int fd, GIOCondition cond)
{
    GSource *source = g_source_new(&fd_watch_funcs, sizeof(ChrFdWatch));
    ChrFdWatch *w = (ChrFdWatch *)source;

    /* HUP/ERR too, so a frontend waiting on a dead peer wakes up and finds out. */
    w->tag = g_source_add_unix_fd(source, fd, cond | G_IO_HUP | G_IO_ERR);
    g_source_set_name(source, "chardev-watch");
    return source;
}

void chr_source_remove(GSource **src)
{
    if (*src) {
        g_source_destroy(*src);
        g_source_unref(*src);
        *src = NULL;
    }
}

GSource *chr_timeout_add(Chardev *chr, guint ms, GSourceFunc fn, void *opaque)
{
    GSource *source = ms ? g_timeout_source_new(ms) : g_idle_source_new();

    g_source_set_callback(source, fn, opaque, NULL);
    g_source_attach(source, chr->gcontext);
    return source;
}

int chr_fd_write(int fd, const uint8_t *buf, int len)
{
    ssize_t n;

    do {
        n = write(fd, buf, len);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    }
    return n;
}

int chr_fd_read_deliver(Chardev *chr, int fd)
{
    uint8_t buf[4096];
    int room = qemu_chr_be_can_write(chr);
    ssize_t n;

    if (room <= 0) {
        return -2;
    }
    do {
        n = read(fd, buf, MIN(room, (int)sizeof(buf)));
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? -2 : -1;
    }
    if (n > 0) {
        qemu_chr_be_write(chr, buf, n);
    }
    return n;
}

bool chr_fd_set_nonblocking(int fd, bool nb, Error **errp)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 ||
        fcntl(fd, F_SETFL, nb ? flags | O_NONBLOCK : flags & ~O_NONBLOCK) < 0) {
        error_setg_errno(errp, errno, "cannot make fd %d non-blocking", fd);
        return false;
    }
    return true;
}

void chr_termios_make_raw(struct termios *tty, bool allow_signals)
{
    tty->c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    tty->c_oflag |= OPOST;
    tty->c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    if (!allow_signals) {
        tty->c_lflag &= ~ISIG;
    }
    tty->c_cflag &= ~(CSIZE | PARENB);
    tty->c_cflag |= CS8;
    tty->c_cc[VMIN] = 1;
    tty->c_cc[VTIME] = 0;
}
