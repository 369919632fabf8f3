/*
 * "file": output to path= (truncated, or appended with append=on), optional
 * input from in=. "pipe": path.in/path.out FIFOs, or one FIFO at path, as QEMU.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include "chardev/char-internal.h"

static bool file_open(Chardev *chr, Opts *opts, Error **errp)
{
    const char *path = opts_get(opts, "path");
    const char *in = opts_get(opts, "in");
    bool append;
    int fd_out, fd_in = -1;

    if (!opts_get_bool(opts, "append", false, &append, errp)) {
        return false;
    }
    if (!path || !*path) {
        error_setg(errp, "file backend needs path=FILE");
        return false;
    }
    fd_out = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC),
                  0666);
    if (fd_out < 0) {
        error_setg_errno(errp, errno, "cannot open '%s' for writing", path);
        return false;
    }
    if (in) {
        fd_in = open(in, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd_in < 0) {
            error_setg_errno(errp, errno, "cannot open '%s' for reading", in);
            close(fd_out);
            return false;
        }
    }
    fd_chr_set_fds(chr, fd_in, fd_out, true);
    chr->filename = g_strdup_printf("file:%s", path);
    chr->be_open = true;
    return true;
}

static bool pipe_open(Chardev *chr, Opts *opts, Error **errp)
{
    const char *path = opts_get(opts, "path");
    g_autofree char *path_in = NULL;
    g_autofree char *path_out = NULL;
    int fd_in, fd_out;

    if (!path || !*path) {
        error_setg(errp, "pipe backend needs path=PATH");
        return false;
    }
    /*
     * O_RDWR on a FIFO does not wait for the other end to open (Linux) and
     * keeps it from reporting EOF whenever the peer closes and reopens.
     */
    path_in = g_strdup_printf("%s.in", path);
    path_out = g_strdup_printf("%s.out", path);
    fd_in = open(path_in, O_RDWR | O_CLOEXEC | O_NONBLOCK);
    fd_out = open(path_out, O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd_in < 0 || fd_out < 0) {
        if (fd_in >= 0) {
            close(fd_in);
        }
        if (fd_out >= 0) {
            close(fd_out);
        }
        fd_in = fd_out = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
        if (fd_in < 0) {
            error_setg_errno(errp, errno, "cannot open '%s' (or '%s' and '%s')",
                             path, path_in, path_out);
            return false;
        }
    }
    fd_chr_set_fds(chr, fd_in, fd_out, true);
    chr->filename = g_strdup_printf("pipe:%s", path);
    chr->be_open = true;
    return true;
}

static const char *const file_keys[] = { "path", "append", "in", NULL };

static void file_class_init(ObjectClass *oc, void *data)
{
    CHARDEV_CLASS(oc)->opts_keys = file_keys;
    CHARDEV_CLASS(oc)->open = file_open;
}

static const char *const pipe_keys[] = { "path", NULL };

static void pipe_class_init(ObjectClass *oc, void *data)
{
    CHARDEV_CLASS(oc)->opts_keys = pipe_keys;
    CHARDEV_CLASS(oc)->open = pipe_open;
}

static const TypeInfo file_types[] = {
    {
        .name = TYPE_CHARDEV_FILE,
        .parent = TYPE_CHARDEV_FD,
        .instance_size = sizeof(FdChardev),
        .class_init = file_class_init,
    },
    {
        .name = TYPE_CHARDEV_PIPE,
        .parent = TYPE_CHARDEV_FD,
        .instance_size = sizeof(FdChardev),
        .class_init = pipe_class_init,
    },
};
DEFINE_TYPES(file_types)
