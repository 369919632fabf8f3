/* The fd-backed base type shared by file, pipe, stdio and pty. */
#include "util/osdep.h"
#include "chardev/char-internal.h"

void fd_chr_set_fds(Chardev *chr, int fd_in, int fd_out, bool own)
{
    FdChardev *s = FD_CHARDEV(chr);

    s->fd_in = fd_in;
    s->fd_out = fd_out;
    s->own_in = own && fd_in >= 0;
    s->own_out = own && fd_out >= 0 && fd_out != fd_in;
}

int fd_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    FdChardev *s = FD_CHARDEV(chr);

    if (s->fd_out < 0) {
        return len;
    }
    return chr_fd_write(s->fd_out, buf, len);
}

static gboolean fd_chr_read(Chardev *chr, GIOCondition cond, void *opaque)
{
    FdChardev *s = FD_CHARDEV(chr);
    int n = chr_fd_read_deliver(chr, s->fd_in);

    if (n == 0 || n == -1) {
        /* EOF (stdin redirected from a file, a pipe's writer gone): stop polling
         * instead of spinning on an fd that stays readable forever. */
        s->eof = true;
        g_source_unref(s->read_src);
        s->read_src = NULL;
        qemu_chr_be_event(chr, CHR_EVENT_CLOSED);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

void fd_chr_remove_read_source(Chardev *chr)
{
    chr_source_remove(&FD_CHARDEV(chr)->read_src);
}

void fd_chr_update_read_handler(Chardev *chr)
{
    FdChardev *s = FD_CHARDEV(chr);

    fd_chr_remove_read_source(chr);
    if (s->fd_in >= 0 && !s->eof) {
        s->read_src = chr_fd_read_source_add(chr, s->fd_in, fd_chr_read, NULL);
    }
}

static GSource *fd_chr_add_watch(Chardev *chr, GIOCondition cond)
{
    FdChardev *s = FD_CHARDEV(chr);

    return s->fd_out >= 0 ? chr_fd_watch_new(s->fd_out, cond) : NULL;
}

static int fd_chr_out_fd(Chardev *chr)
{
    return FD_CHARDEV(chr)->fd_out;
}

static void fd_chr_init(Object *obj)
{
    FdChardev *s = FD_CHARDEV(obj);

    s->fd_in = -1;
    s->fd_out = -1;
}

static void fd_chr_finalize(Object *obj)
{
    FdChardev *s = FD_CHARDEV(obj);

    fd_chr_remove_read_source(CHARDEV(obj));
    if (s->own_in) {
        close(s->fd_in);
    }
    if (s->own_out) {
        close(s->fd_out);
    }
}

static void fd_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->chr_write = fd_chr_write;
    cc->chr_update_read_handler = fd_chr_update_read_handler;
    cc->chr_add_watch = fd_chr_add_watch;
    cc->chr_out_fd = fd_chr_out_fd;
}

static const TypeInfo fd_types[] = {
    {
        .name = TYPE_CHARDEV_FD,
        .parent = TYPE_CHARDEV,
        .instance_size = sizeof(FdChardev),
        .instance_init = fd_chr_init,
        .instance_finalize = fd_chr_finalize,
        .abstract = true,
        .class_init = fd_chr_class_init,
    },
};
DEFINE_TYPES(fd_types)
