/* Shared between the chardev core, the frontend API and the backends. */
#ifndef CHARDEV_CHAR_INTERNAL_H
#define CHARDEV_CHAR_INTERNAL_H

#include <termios.h>

#include "chardev/char.h"

/* Frontends a mux can carry (QEMU's limit too). */
#define MAX_MUX 4

/* ---- fd sources (char-io.c) ---- */

/*
 * Called when @fd is readable (or hung up) and the frontend can take input.
 * Return FALSE to remove the source.
 */
typedef gboolean ChrFdReadFunc(Chardev *chr, GIOCondition cond, void *opaque);

/*
 * A source on chr->gcontext polling @fd only while qemu_chr_be_can_write(chr)
 * is non-zero, so input the frontend cannot take stays in the kernel.
 */
GSource *chr_fd_read_source_add(Chardev *chr, int fd, ChrFdReadFunc *fn, void *opaque);
/* A source firing a GSourceFunc callback while @fd meets @cond (for add_watch). */
GSource *chr_fd_watch_new(int fd, GIOCondition cond);
/* Destroy and unref *@src if set; clears it. */
void chr_source_remove(GSource **src);
/* An idle/timeout source on chr->gcontext; returned with a reference held. */
GSource *chr_timeout_add(Chardev *chr, guint ms, GSourceFunc fn, void *opaque);

/* Non-blocking write: bytes written, 0 if the fd is full, -1 (errno) on error. */
int chr_fd_write(int fd, const uint8_t *buf, int len);
/*
 * Read what the frontend can take from @fd and deliver it. Returns bytes
 * delivered, 0 at EOF, -1 on a read error, -2 if nothing was there (EAGAIN).
 */
int chr_fd_read_deliver(Chardev *chr, int fd);
bool chr_fd_set_nonblocking(int fd, bool nb, Error **errp);
/* Raw input settings (output post-processing kept so "\n" still ends a line). */
void chr_termios_make_raw(struct termios *tty, bool allow_signals);

/* ---- fd-backed chardevs (char-fd.c): file, pipe, stdio, pty ---- */

#define TYPE_CHARDEV_FD "chardev-fd"

typedef struct FdChardev {
    Chardev parent;
    int fd_in;              /* -1: no input */
    int fd_out;             /* -1: output is dropped */
    bool own_in, own_out;   /* close them at finalize */
    bool eof;               /* input ended: stop polling */
    GSource *read_src;
} FdChardev;

DECLARE_INSTANCE_CHECKER(FdChardev, FD_CHARDEV, TYPE_CHARDEV_FD)

/* Take over @fd_in/@fd_out (either may be -1; both may be the same fd). */
void fd_chr_set_fds(Chardev *chr, int fd_in, int fd_out, bool own);
int fd_chr_write(Chardev *chr, const uint8_t *buf, int len);
void fd_chr_update_read_handler(Chardev *chr);
void fd_chr_remove_read_source(Chardev *chr);

/* ---- mux (char-mux.c) ---- */

extern int chr_escape_char;
bool mux_chr_attach(Chardev *mux, CharBackend *be, Error **errp);
void mux_chr_detach(Chardev *mux, CharBackend *be);
void mux_chr_set_focus(Chardev *mux, int tag);
/* A frontend's handlers changed: take focus / flush held input. */
void mux_chr_handlers_changed(Chardev *mux, CharBackend *be);
void mux_chr_accept_input(Chardev *mux, int tag);
int mux_chr_can_read(void *opaque);
void mux_chr_read(void *opaque, const uint8_t *buf, int len);
void mux_chr_event(void *opaque, ChrEvent event);
/* Wrap @base (already in /chardevs) in a mux with @id. */
Chardev *mux_chr_new(const char *id, Chardev *base, Error **errp);

/* ---- core (char.c) ---- */

/* Add @chr (with its label set) to /chardevs; drops the caller's reference. */
void chr_add_to_tree(Chardev *chr);

#endif
