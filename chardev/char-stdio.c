/*
 * "stdio": the terminal emu was started from. Input is switched to raw mode
 * (so Ctrl-A, arrows and Ctrl-C reach the mux or the guest) and restored at
 * exit on every path, including exit() from anywhere (atexit).
 * signal=on (default) keeps Ctrl-C/Ctrl-Z as signals; "mon:stdio" and
 * -nographic pass signal=off so Ctrl-C goes to the guest, as in QEMU.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include "chardev/char-internal.h"

static bool stdio_in_use;
static bool stdio_allow_signal;
static bool tty_saved;
static struct termios saved_tty;
static struct termios active_tty;   /* what we last set, for SIGCONT */

static void stdio_restore_tty(void)
{
    if (tty_saved) {
        tcsetattr(0, TCSANOW, &saved_tty);
    }
}

static void stdio_set_echo(Chardev *chr, bool echo)
{
    struct termios tty;

    if (!tty_saved) {
        return;
    }
    tty = saved_tty;
    if (!echo) {
        chr_termios_make_raw(&tty, stdio_allow_signal);
    } else if (!stdio_allow_signal) {
        tty.c_lflag &= ~ISIG;
    }
    active_tty = tty;
    tcsetattr(0, TCSANOW, &tty);
}

/*
 * After Ctrl-Z and "fg" the shell has put the terminal back in cooked mode:
 * raw mode again (tcsetattr is async-signal-safe).
 */
static void stdio_sigcont(int sig)
{
    if (tty_saved) {
        tcsetattr(0, TCSANOW, &active_tty);
    }
}

/*
 * A private non-blocking description of a terminal or pipe. Setting O_NONBLOCK
 * on fd 0/1 themselves would also change the description the shell and our own
 * stderr share, and turn their writes into EAGAIN failures. Regular files and
 * sockets keep the inherited fd (-1 here): files never block, and reads only
 * happen after poll() said there is data.
 */
static int stdio_reopen(int fd, int flags)
{
    char path[32];
    struct stat st;

    if (fstat(fd, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
        return -1;
    }
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    return open(path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
}

static bool stdio_open(Chardev *chr, Opts *opts, Error **errp)
{
    FdChardev *s = FD_CHARDEV(chr);
    bool allow_signal;
    int fd_in, fd_out;

    if (!opts_get_bool(opts, "signal", true, &allow_signal, errp)) {
        return false;
    }
    if (stdio_in_use) {
        error_setg(errp, "cannot use stdio by multiple character devices");
        return false;
    }
    fd_in = stdio_reopen(0, O_RDONLY);
    fd_out = stdio_reopen(1, O_WRONLY);
    s->fd_in = fd_in >= 0 ? fd_in : 0;
    s->fd_out = fd_out >= 0 ? fd_out : 1;
    s->own_in = fd_in >= 0;
    s->own_out = fd_out >= 0;

    stdio_in_use = true;
    stdio_allow_signal = allow_signal;
    if (isatty(0) && tcgetattr(0, &saved_tty) == 0) {
        static bool atexit_done;
        if (!atexit_done) {
            struct sigaction act = { .sa_handler = stdio_sigcont, .sa_flags = SA_RESTART };
            atexit(stdio_restore_tty);
            sigaction(SIGCONT, &act, NULL);
            atexit_done = true;
        }
        tty_saved = true;
        stdio_set_echo(chr, false);
    }
    chr->filename = g_strdup("stdio");
    chr->be_open = true;
    return true;
}

static void stdio_finalize(Object *obj)
{
    stdio_restore_tty();
    tty_saved = false;
    stdio_in_use = false;
}

static const char *const stdio_keys[] = { "signal", NULL };

static void stdio_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->opts_keys = stdio_keys;
    cc->open = stdio_open;
    cc->chr_set_echo = stdio_set_echo;
}

static const TypeInfo stdio_types[] = {
    {
        .name = TYPE_CHARDEV_STDIO,
        .parent = TYPE_CHARDEV_FD,
        .instance_size = sizeof(FdChardev),
        .instance_finalize = stdio_finalize,
        .class_init = stdio_class_init,
    },
};
DEFINE_TYPES(stdio_types)
