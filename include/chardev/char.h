/*
 * Character devices: host-side byte streams (stdio, files, pipes, sockets,
 * ptys, in-memory rings) that guest-facing frontends (UARTs, the monitor,
 * debug consoles) read from and write to.
 *
 * A Chardev is a QOM object ("chardev-null", "chardev-socket", ...). A frontend
 * attaches with a CharBackend (qemu_chr_fe_init) and registers handlers; input
 * is delivered only while the frontend's can_read says it has room, so a
 * backend holds host input rather than drop it. Output is non-blocking: a write
 * returns how much the host side took, and qemu_chr_fe_add_watch tells the
 * frontend when it may try again.
 *
 * All of this runs on the main loop with the big lock held.
 */
#ifndef CHARDEV_CHAR_H
#define CHARDEV_CHAR_H

#include "util/osdep.h"
#include "util/error.h"
#include "util/keyval.h"
#include "qom/object.h"

typedef enum ChrEvent {
    CHR_EVENT_BREAK,     /* serial break (Ctrl-A b on a mux) */
    CHR_EVENT_OPENED,    /* the host side is connected */
    CHR_EVENT_MUX_IN,    /* a mux gave this frontend the focus */
    CHR_EVENT_MUX_OUT,   /* a mux took the focus away */
    CHR_EVENT_CLOSED,    /* the host side went away */
} ChrEvent;

/* How many bytes the frontend can take now (0 = hold input). */
typedef int IOCanReadHandler(void *opaque);
typedef void IOReadHandler(void *opaque, const uint8_t *buf, int size);
typedef void IOEventHandler(void *opaque, ChrEvent event);

typedef struct Chardev Chardev;
typedef struct ChardevClass ChardevClass;

/* A frontend's attachment to a chardev. Embed it in the device state. */
typedef struct CharBackend {
    Chardev *chr;
    IOCanReadHandler *chr_can_read;
    IOReadHandler *chr_read;
    IOEventHandler *chr_event;
    void *opaque;
    int tag;              /* slot on a mux */
    bool fe_open;
} CharBackend;

#define TYPE_CHARDEV "chardev"
#define TYPE_CHARDEV_NULL "chardev-null"
#define TYPE_CHARDEV_FILE "chardev-file"
#define TYPE_CHARDEV_PIPE "chardev-pipe"
#define TYPE_CHARDEV_STDIO "chardev-stdio"
#define TYPE_CHARDEV_SOCKET "chardev-socket"
#define TYPE_CHARDEV_PTY "chardev-pty"
#define TYPE_CHARDEV_RINGBUF "chardev-ringbuf"
#define TYPE_CHARDEV_MUX "chardev-mux"

struct Chardev {
    Object parent_obj;
    char *label;            /* the id */
    char *filename;         /* what it is connected to: "unix:/tmp/s,server=on" */
    CharBackend *be;        /* the frontend (a mux keeps its own list) */
    bool be_open;           /* the host side is connected */
    GMainContext *gcontext; /* where I/O sources run; NULL = default */
    int logfd;              /* logfile=: copy of everything written, or -1 */
};

struct ChardevClass {
    ObjectClass parent_class;
    /* Not creatable with -chardev and not listed (the mux). */
    bool internal;
    /*
     * The backend's own option keys (NULL-terminated). Anything else is
     * refused before open() runs, so a typo never leaves a truncated file or
     * a bound socket behind.
     */
    const char *const *opts_keys;
    /*
     * Set up the backend from @opts, consuming (opts_get) every key it knows.
     * Sets chr->be_open if the host side is connected right away.
     */
    bool (*open)(Chardev *chr, Opts *opts, Error **errp);
    /* Non-blocking: returns bytes taken (0 when the host side is full), or -1. */
    int (*chr_write)(Chardev *chr, const uint8_t *buf, int len);
    /* A source that fires when @cond (G_IO_OUT) holds; NULL if not watchable. */
    GSource *(*chr_add_watch)(Chardev *chr, GIOCondition cond);
    /* The frontend's handlers or context changed: (re)arm input sources. */
    void (*chr_update_read_handler)(Chardev *chr);
    /* The frontend's can_read may have become non-zero. */
    void (*chr_accept_input)(Chardev *chr);
    /* Terminal echo/cooked mode on (QMP over stdio) or off (raw). */
    void (*chr_set_echo)(Chardev *chr, bool echo);
    /* An fd to poll for writability in qemu_chr_fe_write_all, or -1. */
    int (*chr_out_fd)(Chardev *chr);
};

DECLARE_OBJ_CHECKERS(Chardev, ChardevClass, CHARDEV, TYPE_CHARDEV)

/* ---- creation ---- */

/*
 * -chardev BACKEND,id=ID,...: @opts comes from opts_parse(str, "backend", ...).
 * Adds the chardev as /chardevs/ID. With mux=on, ID is a mux over "ID-base".
 */
Chardev *qemu_chr_new_from_opts(Opts *opts, Error **errp);
/*
 * Legacy specs of -serial, -monitor, -qmp, -parallel...: "stdio", "null",
 * "mon:stdio", "file:PATH", "pipe:PATH", "pty", "unix:PATH[,server,...]",
 * "tcp:[HOST]:PORT[,...]", "chardev:ID". "none" returns NULL without an error.
 * @label becomes the id (it must not exist yet, except for "chardev:ID").
 */
Chardev *qemu_chr_new(const char *label, const char *spec, Error **errp);
/* The chardev with this id, or NULL. */
Chardev *qemu_chr_find(const char *id);
bool qemu_chr_is_mux(Chardev *chr);
/* For "info chardev": call @fn on every chardev under /chardevs, in id order. */
void qemu_chr_foreach(void (*fn)(Chardev *chr, void *opaque), void *opaque);
/* "-chardev help". */
void qemu_chr_print_backends(FILE *f);
/* Delete every chardev and restore the terminal; main() calls it at exit. */
void qemu_chr_cleanup(void);
/* -echr: the mux escape character (default 0x01, Ctrl-A). */
void qemu_chr_set_escape_char(int c);

/* ---- for backends: delivering input and events to the frontend ---- */

/* How many bytes the frontend can take now. */
int qemu_chr_be_can_write(Chardev *s);
/* Hand input to the frontend; call only with len <= qemu_chr_be_can_write(). */
void qemu_chr_be_write(Chardev *s, const uint8_t *buf, int len);
/* OPENED/CLOSED also update be_open. */
void qemu_chr_be_event(Chardev *s, ChrEvent event);

/* Write to the host side (what qemu_chr_fe_write calls); logs to logfile=. */
int qemu_chr_write(Chardev *s, const uint8_t *buf, int len, bool write_all);

/* ringbuf: take up to @len of the oldest bytes out of the ring. */
size_t qemu_chr_ringbuf_read(Chardev *chr, uint8_t *buf, size_t len);
/* ringbuf: bytes currently held. */
size_t qemu_chr_ringbuf_count(Chardev *chr);

/* ---- for frontends ---- */

/* Attach; a non-mux chardev takes one frontend, a mux up to 4. */
bool qemu_chr_fe_init(CharBackend *be, Chardev *s, Error **errp);
/* Detach; with @del also delete the chardev. */
void qemu_chr_fe_deinit(CharBackend *be, bool del);
/*
 * Register handlers (all NULL = stop receiving). @ctx NULL = the main loop.
 * With @set_open the frontend counts as open while it has handlers. A frontend
 * that registers handlers on a mux takes the focus (as in QEMU), and one that
 * attaches to a connected backend gets CHR_EVENT_OPENED right away.
 */
void qemu_chr_fe_set_handlers(CharBackend *be, IOCanReadHandler *can_read,
                              IOReadHandler *read, IOEventHandler *event,
                              void *opaque, GMainContext *ctx, bool set_open);
/* On a mux: input goes to this frontend from now on. */
void qemu_chr_fe_take_focus(CharBackend *be);
/*
 * Non-blocking; returns bytes taken (maybe fewer than @len, or 0), -1 on error.
 * Bytes written while nobody is connected (a socket without a client, a pty
 * nobody opened) or without any chardev are dropped and count as taken.
 */
int qemu_chr_fe_write(CharBackend *be, const uint8_t *buf, int len);
/* Blocks until everything is written or the host side is gone (monitor replies). */
int qemu_chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len);
void qemu_chr_fe_printf(CharBackend *be, const char *fmt, ...) EMU_PRINTF(2, 3);
/*
 * Call @func(@user_data) on the main loop when @cond (G_IO_OUT) holds; returns
 * the GSource id (0 if the backend cannot be watched: just retry or drop).
 * @func returns G_SOURCE_REMOVE or G_SOURCE_CONTINUE.
 */
guint qemu_chr_fe_add_watch(CharBackend *be, GIOCondition cond, GSourceFunc func,
                            void *user_data);
/* Cheap check that a write would take at least one byte now. */
bool qemu_chr_fe_can_write(CharBackend *be);
/* The frontend's can_read may be non-zero now: deliver held input. */
void qemu_chr_fe_accept_input(CharBackend *be);
/* Attached to a chardev at all. */
bool qemu_chr_fe_backend_connected(CharBackend *be);
/* The host side is connected (a socket has a client...). */
bool qemu_chr_fe_backend_open(CharBackend *be);
void qemu_chr_fe_set_echo(CharBackend *be, bool echo);
Chardev *qemu_chr_fe_get_driver(CharBackend *be);

#endif
