/*
 * "pty": a pseudo-terminal whose slave path is printed ("char device
 * redirected to /dev/pts/N") and readable as the "pty-path" property.
 * Until someone opens the slave, the master reports hang-up: output is dropped
 * (never blocking the guest) and a 1 s timer looks for a reader, as QEMU does.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include "chardev/char-internal.h"

typedef struct PtyChardev {
    FdChardev parent;
    char *path;
    bool connected;
    GSource *poll_timer;
    GSource *open_src;
} PtyChardev;

DECLARE_INSTANCE_CHECKER(PtyChardev, PTY_CHARDEV, TYPE_CHARDEV_PTY)

static void pty_set_connected(Chardev *chr, bool connected);

/* Someone has the slave open when the master stops reporting hang-up. */
static bool pty_peer_present(PtyChardev *p)
{
    struct pollfd pfd = { .fd = p->parent.fd_in, .events = POLLIN };

    return poll(&pfd, 1, 0) >= 0 && !(pfd.revents & POLLHUP);
}

static gboolean pty_poll_timer(gpointer opaque)
{
    Chardev *chr = opaque;

    if (pty_peer_present(PTY_CHARDEV(chr))) {
        pty_set_connected(chr, true);
    }
    return G_SOURCE_CONTINUE;
}

static gboolean pty_send_open(gpointer opaque)
{
    Chardev *chr = opaque;
    PtyChardev *p = PTY_CHARDEV(chr);

    g_source_unref(p->open_src);
    p->open_src = NULL;
    qemu_chr_be_event(chr, CHR_EVENT_OPENED);
    return G_SOURCE_REMOVE;
}

static gboolean pty_read(Chardev *chr, GIOCondition cond, void *opaque)
{
    int n = chr_fd_read_deliver(chr, FD_CHARDEV(chr)->fd_in);

    if (n == 0 || n == -1) {
        /* EIO: the last process with the slave open closed it. */
        FdChardev *s = FD_CHARDEV(chr);
        g_source_unref(s->read_src);
        s->read_src = NULL;
        pty_set_connected(chr, false);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void pty_update_read_handler(Chardev *chr)
{
    FdChardev *s = FD_CHARDEV(chr);

    fd_chr_remove_read_source(chr);
    if (PTY_CHARDEV(chr)->connected) {
        s->read_src = chr_fd_read_source_add(chr, s->fd_in, pty_read, NULL);
    }
}

static void pty_set_connected(Chardev *chr, bool connected)
{
    PtyChardev *p = PTY_CHARDEV(chr);

    if (p->connected == connected) {
        return;
    }
    p->connected = connected;
    if (connected) {
        chr_source_remove(&p->poll_timer);
        pty_update_read_handler(chr);
        /* Deferred: this can be reached from inside a frontend's write. */
        if (!p->open_src) {
            p->open_src = chr_timeout_add(chr, 0, pty_send_open, chr);
        }
    } else {
        fd_chr_remove_read_source(chr);
        chr_source_remove(&p->open_src);
        if (!p->poll_timer) {
            p->poll_timer = chr_timeout_add(chr, 1000, pty_poll_timer, chr);
        }
        qemu_chr_be_event(chr, CHR_EVENT_CLOSED);
    }
}

static int pty_write(Chardev *chr, const uint8_t *buf, int len)
{
    PtyChardev *p = PTY_CHARDEV(chr);

    if (!p->connected) {
        if (!pty_peer_present(p)) {
            return len;
        }
        pty_set_connected(chr, true);
    }
    return fd_chr_write(chr, buf, len);
}

static GSource *pty_add_watch(Chardev *chr, GIOCondition cond)
{
    PtyChardev *p = PTY_CHARDEV(chr);

    return p->connected ? chr_fd_watch_new(p->parent.fd_out, cond) : NULL;
}

static bool pty_open(Chardev *chr, Opts *opts, Error **errp)
{
    PtyChardev *p = PTY_CHARDEV(chr);
    char name[256];
    struct termios tty;
    int master, slave;

    if (openpty(&master, &slave, name, NULL, NULL) < 0) {
        error_setg_errno(errp, errno, "cannot open a pseudo-terminal");
        return false;
    }
    if (tcgetattr(slave, &tty) == 0) {
        cfmakeraw(&tty);
        tcsetattr(slave, TCSAFLUSH, &tty);
    }
    /* Keeping the slave open would hide whether anybody else has it. */
    close(slave);
    if (!chr_fd_set_nonblocking(master, true, errp)) {
        close(master);
        return false;
    }
    fcntl(master, F_SETFD, FD_CLOEXEC);
    fd_chr_set_fds(chr, master, master, true);
    p->path = g_strdup(name);
    chr->filename = g_strdup_printf("pty:%s", name);
    error_report("char device redirected to %s (label %s)", name, chr->label);
    p->poll_timer = chr_timeout_add(chr, 1000, pty_poll_timer, chr);
    return true;
}

static char *pty_get_path(Object *obj, Error **errp)
{
    return g_strdup(PTY_CHARDEV(obj)->path);
}

static void pty_finalize(Object *obj)
{
    PtyChardev *p = PTY_CHARDEV(obj);

    chr_source_remove(&p->poll_timer);
    chr_source_remove(&p->open_src);
    g_free(p->path);
}

static void pty_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = pty_open;
    cc->chr_write = pty_write;
    cc->chr_update_read_handler = pty_update_read_handler;
    cc->chr_add_watch = pty_add_watch;
    object_class_property_add_str(oc, "pty-path", pty_get_path, NULL);
}

static const TypeInfo pty_types[] = {
    {
        .name = TYPE_CHARDEV_PTY,
        .parent = TYPE_CHARDEV_FD,
        .instance_size = sizeof(PtyChardev),
        .instance_finalize = pty_finalize,
        .class_init = pty_class_init,
    },
};
DEFINE_TYPES(pty_types)
