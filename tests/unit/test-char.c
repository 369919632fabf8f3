/*
 * Chardev tests: the backends' real I/O (files, FIFOs, unix/tcp sockets, ptys),
 * the mux escape keys, input held while a frontend is full, output
 * backpressure, and the errors users see for bad options and specs.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include "chardev/char.h"
#include "system/runstate.h"

static char *tmpdir;

typedef struct FeState {
    CharBackend be;
    GString *rx;
    int can_read;
    bool budget;        /* can_read is a byte budget that reads use up */
    int events[CHR_EVENT_CLOSED + 1];
} FeState;

static int fe_can_read(void *opaque)
{
    return ((FeState *)opaque)->can_read;
}

static void fe_read(void *opaque, const uint8_t *buf, int size)
{
    FeState *fe = opaque;

    /* A backend must never hand over more than can_read allowed. */
    g_assert_cmpint(size, <=, fe->can_read);
    g_string_append_len(fe->rx, (const char *)buf, size);
    if (fe->budget) {
        fe->can_read -= size;
    }
}

static void fe_event(void *opaque, ChrEvent event)
{
    ((FeState *)opaque)->events[event]++;
}

static void fe_attach(FeState *fe, Chardev *chr)
{
    memset(fe, 0, sizeof(*fe));
    fe->rx = g_string_new(NULL);
    fe->can_read = 4096;
    g_assert_true(qemu_chr_fe_init(&fe->be, chr, &error_abort));
    qemu_chr_fe_set_handlers(&fe->be, fe_can_read, fe_read, fe_event, fe, NULL, true);
}

static void fe_free(FeState *fe, bool del)
{
    qemu_chr_fe_deinit(&fe->be, del);
    g_string_free(fe->rx, TRUE);
    fe->rx = NULL;
}

static int fe_puts(FeState *fe, const char *s)
{
    return qemu_chr_fe_write(&fe->be, (const uint8_t *)s, strlen(s));
}

static Chardev *chr_new(const char *spec)
{
    g_autoptr(Opts) opts = opts_parse(spec, "backend", &error_abort);
    return qemu_chr_new_from_opts(opts, &error_abort);
}

/* The error message for @spec, which must fail. */
static char *chr_new_error(const char *spec)
{
    Error *err = NULL;
    g_autoptr(Opts) opts = opts_parse(spec, "backend", &error_abort);
    Chardev *chr = qemu_chr_new_from_opts(opts, &err);
    char *msg;

    g_assert_null(chr);
    g_assert_nonnull(err);
    msg = g_strdup(error_get_pretty(err));
    error_free(err);
    return msg;
}

static void chr_del(const char *id)
{
    Chardev *chr = qemu_chr_find(id);

    g_assert_nonnull(chr);
    object_unparent(OBJECT(chr));
    g_assert_null(qemu_chr_find(id));
}

/* Run the main loop until @done says so; false after @ms milliseconds. */
static bool run_until(bool (*done)(void *), void *data, int ms)
{
    gint64 deadline = g_get_monotonic_time() + ms * 1000;

    while (!done(data)) {
        if (g_get_monotonic_time() > deadline) {
            return false;
        }
        g_main_context_iteration(NULL, FALSE);
        g_usleep(500);
    }
    return true;
}

static void run_for(int ms)
{
    gint64 deadline = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < deadline) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(500);
    }
}

static gboolean set_flag(gpointer opaque)
{
    *(bool *)opaque = true;
    return G_SOURCE_REMOVE;
}

/* Blocking main-loop iterations in @ms: a handful unless something spins. */
static int count_blocking_iterations(int ms)
{
    bool done = false;
    int n = 0;

    g_timeout_add(ms, set_flag, &done);
    while (!done) {
        g_main_context_iteration(NULL, TRUE);
        n++;
    }
    return n;
}

typedef struct {
    FeState *fe;
    ChrEvent event;
    int count;
} EventWait;

static bool event_seen(void *opaque)
{
    EventWait *w = opaque;
    return w->fe->events[w->event] >= w->count;
}

static bool wait_event(FeState *fe, ChrEvent event, int count, int ms)
{
    EventWait w = { fe, event, count };
    return run_until(event_seen, &w, ms);
}

typedef struct {
    FeState *fe;
    size_t len;
} RxWait;

static bool rx_has(void *opaque)
{
    RxWait *w = opaque;
    return w->fe->rx->len >= w->len;
}

static bool wait_rx(FeState *fe, size_t len, int ms)
{
    RxWait w = { fe, len };
    return run_until(rx_has, &w, ms);
}

static char *ring_take(Chardev *rb)
{
    size_t n = qemu_chr_ringbuf_count(rb);
    char *s = g_malloc0(n + 1);

    g_assert_cmpuint(qemu_chr_ringbuf_read(rb, (uint8_t *)s, n), ==, n);
    return s;
}

static char *tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

/* ---- ringbuf, null, file, pipe ---- */

static void test_ringbuf(void)
{
    Chardev *rb = chr_new("ringbuf,id=rb0,size=8");
    FeState fe;
    uint8_t buf[16];
    size_t n;

    fe_attach(&fe, rb);
    g_assert_cmpint(fe_puts(&fe, "abcde"), ==, 5);
    n = qemu_chr_ringbuf_read(rb, buf, 3);
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmpmem(buf, 3, "abc", 3);
    /* 2 left + 6 new = exactly full, wrapping round the end of the array. */
    g_assert_cmpint(fe_puts(&fe, "fghijk"), ==, 6);
    g_assert_cmpuint(qemu_chr_ringbuf_count(rb), ==, 8);
    n = qemu_chr_ringbuf_read(rb, buf, sizeof(buf));
    g_assert_cmpmem(buf, n, "defghijk", 8);
    /* Overflow keeps the newest bytes. */
    g_assert_cmpint(fe_puts(&fe, "0123456789"), ==, 10);
    n = qemu_chr_ringbuf_read(rb, buf, sizeof(buf));
    g_assert_cmpmem(buf, n, "23456789", 8);
    g_assert_cmpuint(qemu_chr_ringbuf_count(rb), ==, 0);
    fe_free(&fe, true);
    g_assert_null(qemu_chr_find("rb0"));

    g_autofree char *msg = chr_new_error("ringbuf,id=rb1,size=100");
    g_assert_nonnull(strstr(msg, "power of two"));
}

static void test_null(void)
{
    Error *err = NULL;
    Chardev *chr = qemu_chr_new("null0", "null", &err);
    FeState fe;
    static uint8_t big[100000];

    g_assert_null(err);
    fe_attach(&fe, chr);
    g_assert_cmpint(qemu_chr_fe_write(&fe.be, big, sizeof(big)), ==, sizeof(big));
    g_assert_true(qemu_chr_fe_can_write(&fe.be));
    g_assert_true(qemu_chr_fe_backend_open(&fe.be));
    fe_free(&fe, true);

    /* "none" is no chardev at all, and not an error. */
    g_assert_null(qemu_chr_new("none0", "none", &err));
    g_assert_null(err);
}

static char *file_contents(const char *path)
{
    char *s = NULL;
    g_assert_true(g_file_get_contents(path, &s, NULL, NULL));
    return s;
}

static void test_file(void)
{
    g_autofree char *path = tmp_path("out.txt");
    g_autofree char *spec = NULL;
    g_autofree char *c1 = NULL, *c2 = NULL, *c3 = NULL;
    FeState fe;

    spec = g_strdup_printf("file,id=f0,path=%s", path);
    fe_attach(&fe, chr_new(spec));
    g_assert_cmpint(fe_puts(&fe, "hello"), ==, 5);
    fe_free(&fe, true);
    c1 = file_contents(path);
    g_assert_cmpstr(c1, ==, "hello");

    g_free(spec);
    spec = g_strdup_printf("file,id=f0,path=%s,append=on", path);
    fe_attach(&fe, chr_new(spec));
    fe_puts(&fe, " world");
    fe_free(&fe, true);
    c2 = file_contents(path);
    g_assert_cmpstr(c2, ==, "hello world");

    /* Without append= the file starts over. */
    g_free(spec);
    spec = g_strdup_printf("file,id=f0,path=%s", path);
    fe_attach(&fe, chr_new(spec));
    fe_puts(&fe, "x");
    fe_free(&fe, true);
    c3 = file_contents(path);
    g_assert_cmpstr(c3, ==, "x");
}

static void test_logfile(void)
{
    g_autofree char *log = tmp_path("log.txt");
    g_autofree char *spec = g_strdup_printf("ringbuf,id=lg0,logfile=%s", log);
    g_autofree char *c = NULL;
    FeState fe;

    fe_attach(&fe, chr_new(spec));
    fe_puts(&fe, "logged");
    fe_free(&fe, true);
    c = file_contents(log);
    g_assert_cmpstr(c, ==, "logged");
}

static void test_pipe(void)
{
    g_autofree char *base = tmp_path("fifo");
    g_autofree char *in = g_strdup_printf("%s.in", base);
    g_autofree char *out = g_strdup_printf("%s.out", base);
    g_autofree char *spec = g_strdup_printf("pipe,id=p0,path=%s", base);
    char buf[16] = "";
    FeState fe;
    int rfd, wfd;

    g_assert_cmpint(mkfifo(in, 0600), ==, 0);
    g_assert_cmpint(mkfifo(out, 0600), ==, 0);
    fe_attach(&fe, chr_new(spec));

    rfd = open(out, O_RDONLY | O_NONBLOCK);
    g_assert_cmpint(rfd, >=, 0);
    g_assert_cmpint(fe_puts(&fe, "to-host"), ==, 7);
    g_assert_cmpint(read(rfd, buf, sizeof(buf)), ==, 7);
    g_assert_cmpmem(buf, 7, "to-host", 7);

    wfd = open(in, O_WRONLY | O_NONBLOCK);
    g_assert_cmpint(wfd, >=, 0);
    g_assert_cmpint(write(wfd, "to-guest", 8), ==, 8);
    g_assert_true(wait_rx(&fe, 8, 2000));
    g_assert_cmpstr(fe.rx->str, ==, "to-guest");

    close(rfd);
    close(wfd);
    fe_free(&fe, true);
}

/* ---- mux ---- */

static void test_mux(void)
{
    Chardev *mux = chr_new("ringbuf,id=mx,size=4096,mux=on");
    Chardev *base = qemu_chr_find("mx-base");
    FeState fe1, fe2;
    g_autofree char *out = NULL;
    g_autofree char *help = NULL;

    g_assert_true(qemu_chr_is_mux(mux));
    g_assert_nonnull(base);
    g_assert_false(qemu_chr_is_mux(base));

    fe_attach(&fe1, mux);
    fe_attach(&fe2, mux);
    /* The frontend that registered last has the focus. */
    g_assert_cmpint(fe2.events[CHR_EVENT_MUX_IN], ==, 1);
    g_assert_cmpint(fe1.events[CHR_EVENT_MUX_OUT], ==, 1);
    g_assert_cmpint(fe1.events[CHR_EVENT_OPENED], ==, 1);

    qemu_chr_be_write(base, (const uint8_t *)"hello", 5);
    g_assert_cmpstr(fe2.rx->str, ==, "hello");
    g_assert_cmpuint(fe1.rx->len, ==, 0);

    /* C-a c: focus moves to the other frontend. */
    qemu_chr_be_write(base, (const uint8_t *)"\001cab", 4);
    g_assert_cmpint(fe2.events[CHR_EVENT_MUX_OUT], ==, 1);
    g_assert_cmpint(fe1.events[CHR_EVENT_MUX_IN], ==, 2);
    g_assert_cmpstr(fe1.rx->str, ==, "ab");
    g_assert_cmpstr(fe2.rx->str, ==, "hello");

    /* C-a C-a is one literal C-a; an escape split across reads still works. */
    qemu_chr_be_write(base, (const uint8_t *)"\001", 1);
    qemu_chr_be_write(base, (const uint8_t *)"\001", 1);
    g_assert_cmpstr(fe1.rx->str, ==, "ab\001");

    /* C-a b: a break for the focused frontend only; unknown keys do nothing. */
    qemu_chr_be_write(base, (const uint8_t *)"\001b\001z", 4);
    g_assert_cmpint(fe1.events[CHR_EVENT_BREAK], ==, 1);
    g_assert_cmpint(fe2.events[CHR_EVENT_BREAK], ==, 0);
    g_assert_cmpstr(fe1.rx->str, ==, "ab\001");

    /* C-a h prints the keys to the backend. */
    g_free(ring_take(base));
    qemu_chr_be_write(base, (const uint8_t *)"\001h", 2);
    help = ring_take(base);
    g_assert_nonnull(strstr(help, "C-a x    exit emulator"));
    g_assert_nonnull(strstr(help, "C-a c    switch between console and monitor"));
    g_assert_nonnull(strstr(help, "C-a C-a  sends C-a"));

    /* Input the focused frontend cannot take is held, then delivered. */
    fe1.can_read = 0;
    g_assert_cmpint(qemu_chr_be_can_write(base), >, 0);
    qemu_chr_be_write(base, (const uint8_t *)"held", 4);
    g_assert_cmpstr(fe1.rx->str, ==, "ab\001");
    fe1.can_read = 2;
    fe1.budget = true;
    qemu_chr_fe_accept_input(&fe1.be);
    g_assert_cmpstr(fe1.rx->str, ==, "ab\001he");
    g_assert_cmpint(fe1.can_read, ==, 0);
    fe1.budget = false;
    fe1.can_read = 100;
    qemu_chr_fe_accept_input(&fe1.be);
    g_assert_cmpstr(fe1.rx->str, ==, "ab\001held");

    /* Output from every frontend reaches the backend. */
    fe_puts(&fe1, "one,");
    fe_puts(&fe2, "two");
    out = ring_take(base);
    g_assert_cmpstr(out, ==, "one,two");

    /* C-a t: lines get a time stamp. */
    qemu_chr_be_write(base, (const uint8_t *)"\001t", 2);
    fe_puts(&fe2, "a\nb\n");
    g_free(out);
    out = ring_take(base);
    g_assert_true(g_str_has_prefix(out, "a\n[00:00:0"));
    g_assert_true(g_str_has_suffix(out, "] b\n"));
    qemu_chr_be_write(base, (const uint8_t *)"\001t", 2);

    /* A mux takes four frontends; a non-mux chardev only one. */
    FeState fe3, fe4;
    CharBackend fe5;
    Error *err = NULL;
    fe_attach(&fe3, mux);
    fe_attach(&fe4, mux);
    g_assert_false(qemu_chr_fe_init(&fe5, mux, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_false(qemu_chr_fe_init(&fe5, base, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "already in use"));
    error_free(err);
    fe_free(&fe4, false);
    fe_free(&fe3, false);

    fe_free(&fe2, false);
    fe_free(&fe1, true);
    chr_del("mx-base");
}

static void test_mux_quit(void)
{
    Chardev *mux = chr_new("ringbuf,id=mq,mux=on");
    Chardev *base = qemu_chr_find("mq-base");
    g_autofree char *out = NULL;
    FeState fe;
    int status = -1;

    fe_attach(&fe, mux);
    g_assert_false(main_loop_should_exit(&status));
    qemu_chr_be_write(base, (const uint8_t *)"\001x", 2);
    out = ring_take(base);
    g_assert_cmpstr(out, ==, "emu: terminated\r\n");
    g_assert_true(main_loop_should_exit(&status));
    g_assert_cmpint(status, ==, 0);
    fe_free(&fe, true);
    chr_del("mq-base");
}

/* ---- sockets ---- */

static int unix_connect(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    return fd;
}

/* Read exactly @len bytes from @fd while the main loop keeps running. */
static void sock_expect(int fd, const char *want)
{
    size_t len = strlen(want), got = 0;
    char buf[256];
    gint64 deadline = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;

    g_assert_cmpuint(len, <, sizeof(buf));
    while (got < len && g_get_monotonic_time() < deadline) {
        ssize_t n = recv(fd, buf + got, len - got, MSG_DONTWAIT);
        if (n > 0) {
            got += n;
        } else {
            g_main_context_iteration(NULL, FALSE);
            g_usleep(500);
        }
    }
    g_assert_cmpmem(buf, got, want, len);
}

static void test_socket_server(void)
{
    g_autofree char *path = tmp_path("srv.sock");
    g_autofree char *spec = g_strdup_printf("socket,id=ss,path=%s,server=on,wait=off",
                                            path);
    FeState fe;
    int fd;

    fe_attach(&fe, chr_new(spec));
    g_assert_false(qemu_chr_fe_backend_open(&fe.be));
    /* Nobody connected: output is dropped, never blocks. */
    g_assert_cmpint(fe_puts(&fe, "lost"), ==, 4);

    fd = unix_connect(path);
    g_assert_true(wait_event(&fe, CHR_EVENT_OPENED, 1, 2000));
    g_assert_true(qemu_chr_fe_backend_open(&fe.be));
    g_assert_cmpint(send(fd, "ping", 4, 0), ==, 4);
    g_assert_true(wait_rx(&fe, 4, 2000));
    g_assert_cmpstr(fe.rx->str, ==, "ping");
    g_assert_cmpint(fe_puts(&fe, "pong"), ==, 4);
    sock_expect(fd, "pong");

    close(fd);
    g_assert_true(wait_event(&fe, CHR_EVENT_CLOSED, 1, 2000));
    g_assert_false(qemu_chr_fe_backend_open(&fe.be));

    /* The server listens again. */
    fd = unix_connect(path);
    g_assert_true(wait_event(&fe, CHR_EVENT_OPENED, 2, 2000));
    fe_puts(&fe, "again");
    sock_expect(fd, "again");

    /*
     * Input waits in the socket while the frontend has no room, and the loop
     * sleeps instead of spinning on the readable fd, even after a hang-up.
     */
    fe.can_read = 0;
    g_string_truncate(fe.rx, 0);
    g_assert_cmpint(send(fd, "held", 4, 0), ==, 4);
    g_assert_cmpint(count_blocking_iterations(50), <, 10);
    close(fd);
    g_assert_cmpint(count_blocking_iterations(50), <, 10);
    g_assert_cmpuint(fe.rx->len, ==, 0);
    g_assert_cmpint(fe.events[CHR_EVENT_CLOSED], ==, 1);
    fe.can_read = 100;
    qemu_chr_fe_accept_input(&fe.be);
    g_assert_true(wait_rx(&fe, 4, 2000));
    g_assert_cmpstr(fe.rx->str, ==, "held");
    g_assert_true(wait_event(&fe, CHR_EVENT_CLOSED, 2, 2000));

    fe_free(&fe, true);
    /* The socket file goes with the chardev. */
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

static gboolean watch_fired(gpointer opaque)
{
    (*(int *)opaque)++;
    return G_SOURCE_REMOVE;
}

static bool int_set(void *opaque)
{
    return *(int *)opaque > 0;
}

static void test_socket_backpressure(void)
{
    g_autofree char *path = tmp_path("bp.sock");
    g_autofree char *spec = g_strdup_printf("socket,id=bp,path=%s,server=on,wait=off",
                                            path);
    static uint8_t chunk[65536];
    FeState fe;
    int fd, fired = 0, n = 0;
    long total = 0, drained = 0;

    fe_attach(&fe, chr_new(spec));
    fd = unix_connect(path);
    g_assert_true(wait_event(&fe, CHR_EVENT_OPENED, 1, 2000));

    /* The peer does not read: the kernel buffer fills and writes come up short. */
    for (int i = 0; i < 1000; i++) {
        n = qemu_chr_fe_write(&fe.be, chunk, sizeof(chunk));
        g_assert_cmpint(n, >=, 0);
        total += n;
        if (n < (int)sizeof(chunk)) {
            break;
        }
    }
    g_assert_cmpint(n, <, (int)sizeof(chunk));
    g_assert_false(qemu_chr_fe_can_write(&fe.be));
    g_assert_cmpuint(qemu_chr_fe_add_watch(&fe.be, G_IO_OUT, watch_fired, &fired), >, 0);
    run_for(20);
    g_assert_cmpint(fired, ==, 0);

    /* Draining the peer wakes the frontend. */
    while (drained < total) {
        ssize_t r = recv(fd, chunk, sizeof(chunk), 0);
        g_assert_cmpint(r, >, 0);
        drained += r;
    }
    g_assert_true(run_until(int_set, &fired, 2000));
    g_assert_true(qemu_chr_fe_can_write(&fe.be));

    close(fd);
    fe_free(&fe, true);
}

static void test_socket_reconnect(void)
{
    g_autofree char *path = tmp_path("rc.sock");
    g_autofree char *srv_spec =
        g_strdup_printf("socket,id=rcs,path=%s,server=on,wait=off", path);
    g_autofree char *cli_spec = g_strdup_printf("socket,id=rcc,path=%s,reconnect-ms=20",
                                                path);
    g_autofree char *msg = NULL;
    FeState srv, cli;

    /* A client without reconnect fails when nobody listens. */
    g_autofree char *bad = g_strdup_printf("socket,id=rcx,path=%s", path);
    msg = chr_new_error(bad);
    g_assert_nonnull(strstr(msg, "cannot connect"));

    /* With reconnect, creation succeeds and connecting happens later. */
    fe_attach(&cli, chr_new(cli_spec));
    g_assert_false(qemu_chr_fe_backend_open(&cli.be));
    run_for(50);
    fe_attach(&srv, chr_new(srv_spec));
    g_assert_true(wait_event(&cli, CHR_EVENT_OPENED, 1, 2000));
    g_assert_true(wait_event(&srv, CHR_EVENT_OPENED, 1, 2000));

    fe_puts(&cli, "c2s");
    g_assert_true(wait_rx(&srv, 3, 2000));
    g_assert_cmpstr(srv.rx->str, ==, "c2s");
    fe_puts(&srv, "s2c");
    g_assert_true(wait_rx(&cli, 3, 2000));
    g_assert_cmpstr(cli.rx->str, ==, "s2c");

    /* The server goes away and comes back: the client follows. */
    fe_free(&srv, true);
    g_assert_true(wait_event(&cli, CHR_EVENT_CLOSED, 1, 2000));
    fe_attach(&srv, chr_new(srv_spec));
    g_assert_true(wait_event(&cli, CHR_EVENT_OPENED, 2, 2000));
    g_assert_true(wait_event(&srv, CHR_EVENT_OPENED, 1, 2000));
    fe_puts(&cli, "back");
    g_assert_true(wait_rx(&srv, 4, 2000));
    g_assert_cmpstr(srv.rx->str, ==, "back");

    fe_free(&cli, true);
    fe_free(&srv, true);
}

static void test_socket_tcp(void)
{
    Error *err = NULL;
    Chardev *chr = qemu_chr_new("tcp0", "tcp:127.0.0.1:0,server,nowait", &err);
    struct sockaddr_in sa = { .sin_family = AF_INET };
    const char *port;
    FeState fe;
    int fd;

    g_assert_null(err);
    /* Port 0 picks a free port; the description says which. */
    g_assert_true(g_str_has_prefix(chr->filename, "tcp:127.0.0.1:"));
    port = chr->filename + strlen("tcp:127.0.0.1:");
    sa.sin_port = htons(atoi(port));
    g_assert_cmpint(ntohs(sa.sin_port), >, 0);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);

    fe_attach(&fe, chr);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_true(wait_event(&fe, CHR_EVENT_OPENED, 1, 2000));
    g_assert_cmpint(send(fd, "tcp", 3, 0), ==, 3);
    g_assert_true(wait_rx(&fe, 3, 2000));
    g_assert_cmpstr(fe.rx->str, ==, "tcp");
    close(fd);
    fe_free(&fe, true);
}

static gpointer connect_later(gpointer path)
{
    g_usleep(100 * 1000);
    return GINT_TO_POINTER(unix_connect(path));
}

static void test_socket_wait(void)
{
    g_autofree char *path = tmp_path("wait.sock");
    g_autofree char *spec = g_strdup_printf("socket,id=sw,path=%s,server=on", path);
    GThread *t = g_thread_new("client", connect_later, path);
    FeState fe;
    int fd;

    /* wait=on (the default) returns only once a client is there. */
    Chardev *chr = chr_new(spec);
    fd = GPOINTER_TO_INT(g_thread_join(t));
    g_assert_true(chr->be_open);
    fe_attach(&fe, chr);
    g_assert_cmpint(fe.events[CHR_EVENT_OPENED], ==, 1);
    close(fd);
    fe_free(&fe, true);
}

/* ---- pty ---- */

static void test_pty(void)
{
    Error *err = NULL;
    Chardev *chr = qemu_chr_new("pty0", "pty", &err);
    g_autofree char *path = NULL;
    char buf[16];
    FeState fe;
    int fd;

    g_assert_null(err);
    path = object_property_get_str(OBJECT(chr), "pty-path", &error_abort);
    g_assert_true(g_str_has_prefix(path, "/dev/pts/"));
    fe_attach(&fe, chr);
    /* Nobody has the slave open: dropped without blocking. */
    for (int i = 0; i < 100; i++) {
        g_assert_cmpint(fe_puts(&fe, "0123456789012345678901234567890123456789"), ==, 40);
    }

    fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(fe_puts(&fe, "hi\n"), ==, 3);
    g_assert_true(wait_event(&fe, CHR_EVENT_OPENED, 1, 3000));
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    g_assert_cmpint(poll(&pfd, 1, 2000), ==, 1);
    /* Raw mode: no "\n" -> "\r\n" on the way out. */
    g_assert_cmpint(read(fd, buf, sizeof(buf)), ==, 3);
    g_assert_cmpmem(buf, 3, "hi\n", 3);
    g_assert_cmpint(write(fd, "in", 2), ==, 2);
    g_assert_true(wait_rx(&fe, 2, 2000));
    g_assert_cmpstr(fe.rx->str, ==, "in");
    close(fd);
    g_assert_true(wait_event(&fe, CHR_EVENT_CLOSED, 1, 2000));
    fe_free(&fe, true);
}

/* ---- options and specs ---- */

static void test_bad_specs(void)
{
    static const struct {
        const char *spec;
        const char *msg;
    } cases[] = {
        { "bogus:x", "unknown character device" },
        { "unix:", "no socket path" },
        { "tcp:host", "no port" },
        { "tcp:host:", "no port" },
        { "file:", "no path" },
        { "pipe:", "no path" },
        { "vc", "not built yet" },
        { "vc:80Cx24C", "not built yet" },
        { "udp:127.0.0.1:5555", "not supported" },
        { "telnet::4444,server", "not supported" },
        { "chardev:nosuch", "no chardev with id 'nosuch'" },
        { "unix:/tmp/x,frob=1", "unknown parameter 'frob'" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        Error *err = NULL;
        g_autofree char *label = g_strdup_printf("bad%zu", i);
        g_assert_null(qemu_chr_new(label, cases[i].spec, &err));
        g_assert_nonnull(err);
        if (!strstr(error_get_pretty(err), cases[i].msg) ||
            !strstr(error_get_pretty(err), cases[i].spec)) {
            g_error("'%s': got '%s'", cases[i].spec, error_get_pretty(err));
        }
        error_free(err);
        g_assert_null(qemu_chr_find(label));
    }
}

static void test_chardev_opts(void)
{
    g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL, *m4 = NULL, *m5 = NULL;
    g_autofree char *m6 = NULL, *m7 = NULL, *m8 = NULL;
    Error *err = NULL;
    Chardev *chr;

    chr = chr_new("null,id=dup");
    m1 = chr_new_error("null,id=dup");
    g_assert_nonnull(strstr(m1, "'dup' already exists"));
    m2 = chr_new_error("null");
    g_assert_nonnull(strstr(m2, "'id' is required"));
    m3 = chr_new_error("null,id=n1,foo=bar");
    g_assert_cmpstr(m3, ==, "-chardev: unknown parameter 'foo'");
    g_assert_null(qemu_chr_find("n1"));
    m4 = chr_new_error("nosuch,id=n2");
    g_assert_nonnull(strstr(m4, "'nosuch' is not a valid chardev backend"));
    m5 = chr_new_error("socket,id=n3");
    g_assert_nonnull(strstr(m5, "path="));
    m6 = chr_new_error("file,id=n4");
    g_assert_nonnull(strstr(m6, "path="));
    m7 = chr_new_error("null,id=9bad");
    g_assert_nonnull(strstr(m7, "invalid"));

    /* "mon:" wraps the backend in a mux for the monitor to join. */
    chr = qemu_chr_new("mon0", "mon:null", &err);
    g_assert_null(err);
    g_assert_true(qemu_chr_is_mux(chr));
    g_assert_nonnull(qemu_chr_find("mon0-base"));
    chr_del("mon0");
    chr_del("mon0-base");

    /* "chardev:ID" finds one made with -chardev. */
    chr = qemu_chr_find("dup");
    g_assert_true(qemu_chr_new("lbl", "chardev:dup", &err) == chr);
    g_assert_null(err);
    chr_del("dup");

    /* Only one chardev can own the terminal. */
    chr = chr_new("stdio,id=st0");
    m8 = chr_new_error("stdio,id=st1");
    g_assert_nonnull(strstr(m8, "cannot use stdio by multiple character devices"));
    chr_del("st0");
    chr = chr_new("stdio,id=st1");
    chr_del("st1");
}

static void test_help(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    qemu_chr_print_backends(f);
    fclose(f);
    g_assert_true(g_str_has_prefix(text, "Available chardev backend types:\n"));
    g_assert_nonnull(strstr(text, "  socket\n"));
    g_assert_nonnull(strstr(text, "  ringbuf\n"));
    g_assert_nonnull(strstr(text, "  stdio\n"));
    g_assert_null(strstr(text, "mux"));
    g_assert_null(strstr(text, "chardev-"));
    free(text);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("emu-char-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);

    g_test_add_func("/char/ringbuf", test_ringbuf);
    g_test_add_func("/char/null", test_null);
    g_test_add_func("/char/file", test_file);
    g_test_add_func("/char/logfile", test_logfile);
    g_test_add_func("/char/pipe", test_pipe);
    g_test_add_func("/char/mux", test_mux);
    g_test_add_func("/char/socket/server", test_socket_server);
    g_test_add_func("/char/socket/backpressure", test_socket_backpressure);
    g_test_add_func("/char/socket/reconnect", test_socket_reconnect);
    g_test_add_func("/char/socket/tcp", test_socket_tcp);
    g_test_add_func("/char/socket/wait", test_socket_wait);
    g_test_add_func("/char/pty", test_pty);
    g_test_add_func("/char/bad-specs", test_bad_specs);
    g_test_add_func("/char/opts", test_chardev_opts);
    g_test_add_func("/char/help", test_help);
    /* Last: it leaves a shutdown request behind (consumed by the test). */
    g_test_add_func("/char/mux/quit", test_mux_quit);
    ret = g_test_run();

    GDir *d = g_dir_open(tmpdir, 0, NULL);
    for (const char *n; d && (n = g_dir_read_name(d));) {
        g_autofree char *p = g_build_filename(tmpdir, n, NULL);
        unlink(p);
    }
    if (d) {
        g_dir_close(d);
    }
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
