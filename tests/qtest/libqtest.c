/*
 * libqtest: start emu under the qtest accelerator and talk to it. emu is the
 * client of both sockets (-qtest unix:PATH, -qmp unix:PATH): libqtest listens,
 * spawns emu, and accepts the two connections.
 */
#include "libqtest.h"
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_IRQ 256
#define CONNECT_TIMEOUT_S 30
#define QUIT_TIMEOUT_S 30
#define DEFAULT_REPLY_TIMEOUT_S 120
/* Keep each buffer command well under the server's 64 MiB limit. */
#define XFER_CHUNK (16u * 1024 * 1024)

struct QTestState {
    pid_t pid;
    int fd;                 /* qtest socket */
    int qmp_fd;
    int log_fd;             /* emu's stdout+stderr (an unlinked temp file) */
    bool exited;
    int wstatus;
    GString *rx;            /* qtest bytes not yet consumed */
    GString *qmp_rx;
    GQueue events;          /* JsonNode *: QMP events not yet waited for */
    bool irq_level[MAX_IRQ];
    int reply_timeout_ms;
    char *tmpdir;           /* sockets and log until emu has connected */
};

static void remove_tmpdir(QTestState *s)
{
    if (s->tmpdir) {
        static const char *const names[] = { "qtest.sock", "qmp.sock", "emu.log" };
        for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
            g_autofree char *path = g_build_filename(s->tmpdir, names[i], NULL);
            unlink(path);
        }
        rmdir(s->tmpdir);
        g_clear_pointer(&s->tmpdir, g_free);
    }
}

/* ---- failure ---- */

static void dump_stderr(QTestState *s, FILE *to)
{
    g_autofree char *text = qtest_get_stderr(s);
    if (text && *text) {
        fprintf(to, "---- emu output ----\n%s%s---- end of emu output ----\n", text,
                g_str_has_suffix(text, "\n") ? "" : "\n");
    }
}

static void reap(QTestState *s, int timeout_ms)
{
    for (int waited = 0; !s->exited; waited += 10) {
        pid_t r = waitpid(s->pid, &s->wstatus, timeout_ms < 0 ? 0 : WNOHANG);
        if (r == s->pid || (r < 0 && errno != EINTR)) {
            s->exited = true;
            break;
        }
        if (timeout_ms >= 0 && waited >= timeout_ms) {
            break;
        }
        if (timeout_ms >= 0) {
            g_usleep(10 * 1000);
        }
    }
}

static char *describe_status(QTestState *s)
{
    if (!s->exited) {
        return g_strdup("still running");
    }
    if (WIFEXITED(s->wstatus)) {
        return g_strdup_printf("exited with status %d", WEXITSTATUS(s->wstatus));
    }
    if (WIFSIGNALED(s->wstatus)) {
        return g_strdup_printf("killed by signal %d (%s)", WTERMSIG(s->wstatus),
                               strsignal(WTERMSIG(s->wstatus)));
    }
    return g_strdup("gone");
}

/*
 * Something the test cannot continue from: say what, show emu's output, make
 * sure emu is gone, and fail the test.
 */
static G_GNUC_NORETURN G_GNUC_PRINTF(2, 3)
void qtest_die(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    reap(s, 200);
    g_autofree char *status = describe_status(s);
    fprintf(stderr, "libqtest: %s (emu pid %d: %s)\n", msg, (int)s->pid, status);
    dump_stderr(s, stderr);
    if (!s->exited) {
        kill(s->pid, SIGKILL);
        reap(s, -1);
    }
    remove_tmpdir(s);
    fflush(stderr);
    abort();
}

/* ---- raw I/O ---- */

static void send_all(QTestState *s, int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            qtest_die(s, "sending to emu failed: %s", g_strerror(errno));
        }
        buf += n;
        len -= n;
    }
}

/* Read more bytes into @rx; dies on timeout or when emu closes the socket. */
static void fill(QTestState *s, int fd, GString *rx, const char *what)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    char buf[65536];
    for (;;) {
        int r = poll(&pfd, 1, s->reply_timeout_ms);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r == 0) {
            qtest_die(s, "no %s from emu within %d s", what, s->reply_timeout_ms / 1000);
        }
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0) {
            qtest_die(s, "emu closed the %s connection", what);
        }
        g_string_append_len(rx, buf, n);
        return;
    }
}

/* ---- qtest protocol ---- */

static char *read_line(QTestState *s)
{
    char *nl;
    while (!(nl = memchr(s->rx->str, '\n', s->rx->len))) {
        fill(s, s->fd, s->rx, "qtest reply");
    }
    size_t len = nl - s->rx->str;
    char *line = g_strndup(s->rx->str, len);
    g_string_erase(s->rx, 0, len + 1);
    return line;
}

/* Handle "IRQ raise N" / "IRQ lower N"; false if @line is not one. */
static bool handle_async(QTestState *s, const char *line)
{
    bool raise;
    const char *num;
    if (g_str_has_prefix(line, "IRQ raise ")) {
        raise = true;
        num = line + 10;
    } else if (g_str_has_prefix(line, "IRQ lower ")) {
        raise = false;
        num = line + 10;
    } else {
        return false;
    }
    char *end;
    long n = strtol(num, &end, 10);
    if (*end || end == num) {
        qtest_die(s, "malformed IRQ line from emu: '%s'", line);
    }
    if (n >= 0 && n < MAX_IRQ) {
        s->irq_level[n] = raise;
    }
    return true;
}

void qtest_raw_send(QTestState *s, const char *bytes)
{
    send_all(s, s->fd, bytes, strlen(bytes));
}

char *qtest_raw_cmd(QTestState *s, const char *line)
{
    size_t len = strlen(line);
    send_all(s, s->fd, line, len);
    if (!len || line[len - 1] != '\n') {
        send_all(s, s->fd, "\n", 1);
    }
    return qtest_raw_recv(s);
}

char *qtest_raw_recv(QTestState *s)
{
    for (;;) {
        char *reply = read_line(s);
        if (!handle_async(s, reply)) {
            return reply;
        }
        g_free(reply);
    }
}

/* Send a command and return its reply, which must start with "OK". */
static G_GNUC_PRINTF(2, 3) char *qtest_cmd(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    char *reply = qtest_raw_cmd(s, cmd);
    if (strcmp(reply, "OK") != 0 && !g_str_has_prefix(reply, "OK ")) {
        if (strlen(cmd) > 200) {
            strcpy(cmd + 190, "...");
        }
        qtest_die(s, "qtest command '%s' failed: %s", cmd, reply);
    }
    return reply;
}

static void qtest_cmd_ok(QTestState *s, const char *cmd)
{
    g_free(qtest_cmd(s, "%s", cmd));
}

/* The unsigned number after "OK ". */
static uint64_t reply_u64(QTestState *s, const char *cmd, char *reply)
{
    char *end;
    const char *num = reply + 3;
    errno = 0;
    uint64_t v = g_ascii_strtoull(num, &end, 0);
    if (!g_str_has_prefix(reply, "OK ") || *end || end == num || errno) {
        qtest_die(s, "unexpected reply to '%s': '%s'", cmd, reply);
    }
    g_free(reply);
    return v;
}

static int64_t reply_i64(QTestState *s, const char *cmd, char *reply)
{
    char *end;
    const char *num = reply + 3;
    errno = 0;
    int64_t v = g_ascii_strtoll(num, &end, 10);
    if (!g_str_has_prefix(reply, "OK ") || *end || end == num || errno) {
        qtest_die(s, "unexpected reply to '%s': '%s'", cmd, reply);
    }
    g_free(reply);
    return v;
}

static void out_n(QTestState *s, const char *cmd, uint16_t port, uint32_t v)
{
    g_free(qtest_cmd(s, "%s 0x%x 0x%x", cmd, port, v));
}

void qtest_outb(QTestState *s, uint16_t port, uint8_t value)
{
    out_n(s, "outb", port, value);
}

void qtest_outw(QTestState *s, uint16_t port, uint16_t value)
{
    out_n(s, "outw", port, value);
}

void qtest_outl(QTestState *s, uint16_t port, uint32_t value)
{
    out_n(s, "outl", port, value);
}

static uint32_t in_n(QTestState *s, const char *cmd, uint16_t port)
{
    return reply_u64(s, cmd, qtest_cmd(s, "%s 0x%x", cmd, port));
}

uint8_t qtest_inb(QTestState *s, uint16_t port)
{
    return in_n(s, "inb", port);
}

uint16_t qtest_inw(QTestState *s, uint16_t port)
{
    return in_n(s, "inw", port);
}

uint32_t qtest_inl(QTestState *s, uint16_t port)
{
    return in_n(s, "inl", port);
}

static void write_n(QTestState *s, const char *cmd, uint64_t addr, uint64_t v)
{
    g_free(qtest_cmd(s, "%s 0x%" PRIx64 " 0x%" PRIx64, cmd, addr, v));
}

void qtest_writeb(QTestState *s, uint64_t addr, uint8_t value)
{
    write_n(s, "writeb", addr, value);
}

void qtest_writew(QTestState *s, uint64_t addr, uint16_t value)
{
    write_n(s, "writew", addr, value);
}

void qtest_writel(QTestState *s, uint64_t addr, uint32_t value)
{
    write_n(s, "writel", addr, value);
}

void qtest_writeq(QTestState *s, uint64_t addr, uint64_t value)
{
    write_n(s, "writeq", addr, value);
}

static uint64_t read_n(QTestState *s, const char *cmd, uint64_t addr)
{
    return reply_u64(s, cmd, qtest_cmd(s, "%s 0x%" PRIx64, cmd, addr));
}

uint8_t qtest_readb(QTestState *s, uint64_t addr)
{
    return read_n(s, "readb", addr);
}

uint16_t qtest_readw(QTestState *s, uint64_t addr)
{
    return read_n(s, "readw", addr);
}

uint32_t qtest_readl(QTestState *s, uint64_t addr)
{
    return read_n(s, "readl", addr);
}

uint64_t qtest_readq(QTestState *s, uint64_t addr)
{
    return read_n(s, "readq", addr);
}

void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    uint8_t *p = data;
    for (size_t done = 0; done < size;) {
        size_t n = MIN(size - done, XFER_CHUNK);
        g_autofree char *reply = qtest_cmd(s, "read 0x%" PRIx64 " 0x%zx", addr + done, n);
        const char *hex = reply + 3;
        if (!g_str_has_prefix(hex, "0x") || strlen(hex + 2) != 2 * n) {
            qtest_die(s, "bad reply to read of %zu bytes: '%.80s'", n, reply);
        }
        hex += 2;
        for (size_t i = 0; i < n; i++) {
            int hi = g_ascii_xdigit_value(hex[2 * i]);
            int lo = g_ascii_xdigit_value(hex[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                qtest_die(s, "non-hex reply to read: '%.80s'", reply);
            }
            p[done + i] = hi << 4 | lo;
        }
        done += n;
    }
}

void qtest_memwrite(QTestState *s, uint64_t addr, const void *data, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = data;
    for (size_t done = 0; done < size;) {
        size_t n = MIN(size - done, XFER_CHUNK);
        GString *cmd = g_string_sized_new(2 * n + 64);
        g_string_printf(cmd, "write 0x%" PRIx64 " 0x%zx 0x", addr + done, n);
        for (size_t i = 0; i < n; i++) {
            g_string_append_c(cmd, hex[p[done + i] >> 4]);
            g_string_append_c(cmd, hex[p[done + i] & 15]);
        }
        qtest_cmd_ok(s, cmd->str);
        g_string_free(cmd, true);
        done += n;
    }
}

void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    uint8_t *p = data;
    for (size_t done = 0; done < size;) {
        size_t n = MIN(size - done, XFER_CHUNK);
        g_autofree char *reply = qtest_cmd(s, "b64read 0x%" PRIx64 " 0x%zx",
                                           addr + done, n);
        gsize len = 0;
        g_autofree uint8_t *bytes = g_base64_decode(reply + 3, &len);
        if (len != n) {
            qtest_die(s, "b64read of %zu bytes returned %zu", n, (size_t)len);
        }
        memcpy(p + done, bytes, n);
        done += n;
    }
}

void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data, size_t size)
{
    const uint8_t *p = data;
    for (size_t done = 0; done < size;) {
        size_t n = MIN(size - done, XFER_CHUNK);
        g_autofree char *b64 = g_base64_encode(p + done, n);
        g_free(qtest_cmd(s, "b64write 0x%" PRIx64 " 0x%zx %s", addr + done, n, b64));
        done += n;
    }
}

void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern, size_t size)
{
    g_free(qtest_cmd(s, "memset 0x%" PRIx64 " 0x%zx 0x%02x", addr, size, pattern));
}

int64_t qtest_clock_step_next(QTestState *s)
{
    return reply_i64(s, "clock_step", qtest_cmd(s, "clock_step"));
}

int64_t qtest_clock_step(QTestState *s, int64_t step)
{
    return reply_i64(s, "clock_step", qtest_cmd(s, "clock_step %" PRId64, step));
}

int64_t qtest_clock_set(QTestState *s, int64_t value)
{
    return reply_i64(s, "clock_set", qtest_cmd(s, "clock_set %" PRId64, value));
}

void qtest_irq_intercept_in(QTestState *s, const char *path)
{
    g_free(qtest_cmd(s, "irq_intercept_in %s", path));
}

void qtest_irq_intercept_out(QTestState *s, const char *path)
{
    g_free(qtest_cmd(s, "irq_intercept_out %s", path));
}

bool qtest_get_irq(QTestState *s, int num)
{
    g_assert(num >= 0 && num < MAX_IRQ);
    /* A side-effect-free round trip, so IRQ lines sent before it are seen. */
    g_free(qtest_cmd(s, "endianness"));
    return s->irq_level[num];
}

void qtest_set_irq_in(QTestState *s, const char *path, const char *name, int num,
                      int level)
{
    g_free(qtest_cmd(s, "set_irq_in %s %s %d %d", path, name ? name : "unnamed-gpio-in",
                     num, level));
}

/* ---- QMP ---- */

/*
 * QEMU's tests write JSON with single-quoted strings; turn those into standard
 * JSON so json-glib can parse it.
 */
static char *qmp_requote(const char *in)
{
    GString *out = g_string_sized_new(strlen(in) + 8);
    char quote = 0;
    for (const char *p = in; *p; p++) {
        if (!quote) {
            if (*p == '\'' || *p == '"') {
                quote = *p;
                g_string_append_c(out, '"');
            } else {
                g_string_append_c(out, *p);
            }
        } else if (*p == '\\' && p[1]) {
            p++;
            if (*p == '\'') {
                g_string_append_c(out, '\'');
            } else {
                g_string_append_c(out, '\\');
                g_string_append_c(out, *p);
            }
        } else if (*p == quote) {
            quote = 0;
            g_string_append_c(out, '"');
        } else if (*p == '"') {
            g_string_append(out, "\\\"");
        } else {
            g_string_append_c(out, *p);
        }
    }
    return g_string_free(out, false);
}

static void qmp_vsend(QTestState *s, const char *fmt, va_list ap)
{
    g_autofree char *text = g_strdup_vprintf(fmt, ap);
    g_autofree char *json = qmp_requote(text);
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) check = json_from_string(json, &err);
    if (!check) {
        qtest_die(s, "QMP command is not JSON: %s (%s)", json, err->message);
    }
    send_all(s, s->qmp_fd, json, strlen(json));
    send_all(s, s->qmp_fd, "\r\n", 2);
}

void qtest_qmp_send(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    qmp_vsend(s, fmt, ap);
    va_end(ap);
}

/* The length of the first complete JSON object in @buf, or 0 if none yet. */
static size_t json_object_end(const char *buf, size_t len)
{
    int depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_str) {
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                in_str = false;
            }
        } else if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) {
                return i + 1;
            }
        }
    }
    return 0;
}

/* The next QMP message, event or not. */
static JsonNode *qmp_read_message(QTestState *s)
{
    for (;;) {
        /* Skip the whitespace (CRLF) between messages. */
        size_t skip = 0;
        while (skip < s->qmp_rx->len && g_ascii_isspace(s->qmp_rx->str[skip])) {
            skip++;
        }
        g_string_erase(s->qmp_rx, 0, skip);
        if (s->qmp_rx->len && s->qmp_rx->str[0] != '{') {
            qtest_die(s, "QMP stream does not start an object: '%.80s'", s->qmp_rx->str);
        }
        size_t end = json_object_end(s->qmp_rx->str, s->qmp_rx->len);
        if (end) {
            g_autofree char *text = g_strndup(s->qmp_rx->str, end);
            g_string_erase(s->qmp_rx, 0, end);
            g_autoptr(GError) err = NULL;
            JsonNode *node = json_from_string(text, &err);
            if (!node || !JSON_NODE_HOLDS_OBJECT(node)) {
                qtest_die(s, "bad QMP message '%.200s': %s", text,
                          err ? err->message : "not an object");
            }
            return node;
        }
        fill(s, s->qmp_fd, s->qmp_rx, "QMP message");
    }
}

static const char *event_name(JsonNode *msg)
{
    JsonObject *o = json_node_get_object(msg);
    return json_object_has_member(o, "event")
           ? json_object_get_string_member(o, "event") : NULL;
}

JsonNode *qtest_qmp_receive(QTestState *s)
{
    for (;;) {
        JsonNode *msg = qmp_read_message(s);
        if (!event_name(msg)) {
            return msg;
        }
        g_queue_push_tail(&s->events, msg);
    }
}

JsonNode *qtest_qmp(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    qmp_vsend(s, fmt, ap);
    va_end(ap);
    return qtest_qmp_receive(s);
}

JsonNode *qtest_qmp_eventwait_ref(QTestState *s, const char *name)
{
    for (GList *l = s->events.head; l; l = l->next) {
        if (g_strcmp0(event_name(l->data), name) == 0) {
            JsonNode *ev = l->data;
            g_queue_delete_link(&s->events, l);
            return ev;
        }
    }
    for (;;) {
        JsonNode *msg = qmp_read_message(s);
        const char *ev = event_name(msg);
        if (!ev) {
            g_autofree char *text = json_to_string(msg, false);
            qtest_die(s, "QMP response '%.200s' while waiting for event %s", text, name);
        }
        if (strcmp(ev, name) == 0) {
            return msg;
        }
        g_queue_push_tail(&s->events, msg);
    }
}

void qtest_qmp_eventwait(QTestState *s, const char *name)
{
    json_node_unref(qtest_qmp_eventwait_ref(s, name));
}

JsonNode *qtest_qmp_return(JsonNode *response)
{
    JsonObject *o = json_node_get_object(response);
    return json_object_has_member(o, "return") ? json_object_get_member(o, "return")
                                                : NULL;
}

const char *qtest_vm_status(QTestState *s)
{
    static char buf[32];
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'query-status'}");
    JsonObject *o = json_node_get_object(qtest_qmp_return(r));
    g_strlcpy(buf, json_object_get_string_member(o, "status"), sizeof(buf));
    return buf;
}

char *qtest_qmp_error(QTestState *s, const char *cmd)
{
    g_autoptr(JsonNode) r = qtest_qmp(s, "%s", cmd);
    JsonObject *o = json_node_get_object(r);
    if (!json_object_has_member(o, "error")) {
        return NULL;
    }
    return g_strdup(json_object_get_string_member(
        json_object_get_object_member(o, "error"), "desc"));
}

/* ---- start and stop ---- */

static int listen_unix(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert(fd >= 0);
    g_assert(strlen(path) < sizeof(addr.sun_path));
    strcpy(addr.sun_path, path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0) {
        g_error("libqtest: cannot listen on %s: %s", path, g_strerror(errno));
    }
    return fd;
}

static const char *emu_binary(void)
{
    const char *bin = g_getenv("EMU_BINARY");
    return bin && *bin ? bin : "build/emu";
}

/* qtest_set_fsize_limit(): RLIMIT_FSIZE for the next emu started (0: inherit). */
static rlim_t next_fsize_limit;

void qtest_set_fsize_limit(uint64_t bytes)
{
    next_fsize_limit = bytes;
}

static void spawn(QTestState *s, char **argv)
{
    pid_t parent = getpid();
    rlim_t fsize = next_fsize_limit;
    next_fsize_limit = 0;
    s->pid = fork();
    g_assert(s->pid >= 0);
    if (s->pid == 0) {
        /* If the test dies, emu dies with it rather than linger. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(127);
        }
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        dup2(devnull, 0);
        /* emu's stdout must not mix into the test's TAP output. */
        dup2(s->log_fd, 1);
        dup2(s->log_fd, 2);
        if (fsize) {
            /* Writes past the limit fail with EFBIG instead of killing emu. */
            struct rlimit lim;
            getrlimit(RLIMIT_FSIZE, &lim);
            lim.rlim_cur = fsize;
            signal(SIGXFSZ, SIG_IGN);
            setrlimit(RLIMIT_FSIZE, &lim);
        }
        execv(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
}

/* Accept emu's connection on both sockets, failing fast if emu exits. */
static void accept_both(QTestState *s, int qtest_listen, int qmp_listen)
{
    int64_t deadline = g_get_monotonic_time() + CONNECT_TIMEOUT_S * G_USEC_PER_SEC;
    s->fd = s->qmp_fd = -1;
    while (s->fd < 0 || s->qmp_fd < 0) {
        struct pollfd pfd[2] = {
            { .fd = s->fd < 0 ? qtest_listen : -1, .events = POLLIN },
            { .fd = s->qmp_fd < 0 ? qmp_listen : -1, .events = POLLIN },
        };
        int r = poll(pfd, 2, 100);
        if (r < 0 && errno != EINTR) {
            qtest_die(s, "poll: %s", g_strerror(errno));
        }
        if (r > 0 && (pfd[0].revents & POLLIN)) {
            s->fd = accept4(qtest_listen, NULL, NULL, SOCK_CLOEXEC);
        }
        if (r > 0 && (pfd[1].revents & POLLIN)) {
            s->qmp_fd = accept4(qmp_listen, NULL, NULL, SOCK_CLOEXEC);
        }
        reap(s, 0);
        if (s->exited) {
            qtest_die(s, "emu exited before connecting to the %s socket",
                      s->fd < 0 ? "qtest" : "QMP");
        }
        if (g_get_monotonic_time() > deadline) {
            qtest_die(s, "emu did not connect to the %s socket within %d s",
                      s->fd < 0 ? "qtest" : "QMP", CONNECT_TIMEOUT_S);
        }
    }
}

QTestState *qtest_init(const char *extra_args)
{
    QTestState *s = g_new0(QTestState, 1);
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) extra = NULL;
    int nextra = 0;

    if (extra_args && *extra_args &&
        !g_shell_parse_argv(extra_args, &nextra, &extra, &err)) {
        g_error("libqtest: cannot split arguments '%s': %s", extra_args, err->message);
    }
    const char *timeout = g_getenv("QTEST_TIMEOUT");
    s->reply_timeout_ms = (timeout && atoi(timeout) > 0 ? atoi(timeout)
                                                         : DEFAULT_REPLY_TIMEOUT_S) * 1000;
    s->rx = g_string_new(NULL);
    s->qmp_rx = g_string_new(NULL);
    g_queue_init(&s->events);

    s->tmpdir = g_dir_make_tmp("emu-qtest-XXXXXX", &err);
    if (!s->tmpdir) {
        g_error("libqtest: cannot make a temporary directory: %s", err->message);
    }
    const char *dir = s->tmpdir;
    g_autofree char *qtest_path = g_build_filename(dir, "qtest.sock", NULL);
    g_autofree char *qmp_path = g_build_filename(dir, "qmp.sock", NULL);
    g_autofree char *log_path = g_build_filename(dir, "emu.log", NULL);
    int qtest_listen = listen_unix(qtest_path);
    int qmp_listen = listen_unix(qmp_path);
    s->log_fd = open(log_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    g_assert(s->log_fd >= 0);

    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(argv, g_strdup(emu_binary()));
    g_ptr_array_add(argv, g_strdup("-accel"));
    g_ptr_array_add(argv, g_strdup("qtest"));
    g_ptr_array_add(argv, g_strdup("-qtest"));
    g_ptr_array_add(argv, g_strconcat("unix:", qtest_path, NULL));
    g_ptr_array_add(argv, g_strdup("-qmp"));
    g_ptr_array_add(argv, g_strconcat("unix:", qmp_path, NULL));
    g_ptr_array_add(argv, g_strdup("-display"));
    g_ptr_array_add(argv, g_strdup("none"));
    /*
     * No default NIC (an e1000 on a user backend in slot 3, as QEMU's pc): tests
     * pin the PCI layout they build. A test that wants one passes -nic/-device.
     */
    g_ptr_array_add(argv, g_strdup("-nic"));
    g_ptr_array_add(argv, g_strdup("none"));
    if (g_getenv("QTEST_LOG")) {
        g_ptr_array_add(argv, g_strdup("-qtest-log"));
        g_ptr_array_add(argv, g_strdup(g_getenv("QTEST_LOG")));
    }
    for (int i = 0; i < nextra; i++) {
        g_ptr_array_add(argv, g_strdup(extra[i]));
    }
    g_ptr_array_add(argv, NULL);
    if (g_getenv("QTEST_VERBOSE")) {
        g_autofree char *cmdline = g_strjoinv(" ", (char **)argv->pdata);
        fprintf(stderr, "libqtest: starting %s\n", cmdline);
    }
    spawn(s, (char **)argv->pdata);
    g_ptr_array_free(argv, true);

    accept_both(s, qtest_listen, qmp_listen);
    /* Both connected: nothing needs the names any more (the log stays open). */
    close(qtest_listen);
    close(qmp_listen);
    remove_tmpdir(s);

    g_autoptr(JsonNode) greeting = qmp_read_message(s);
    if (!json_object_has_member(json_node_get_object(greeting), "QMP")) {
        g_autofree char *text = json_to_string(greeting, false);
        qtest_die(s, "expected the QMP greeting, got %s", text);
    }
    g_autoptr(JsonNode) caps = qtest_qmp(s, "{'execute': 'qmp_capabilities'}");
    if (!qtest_qmp_return(caps)) {
        g_autofree char *text = json_to_string(caps, false);
        qtest_die(s, "qmp_capabilities failed: %s", text);
    }
    return s;
}

QTestState *qtest_initf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtest_init(args);
}

char *qtest_get_stderr(QTestState *s)
{
    GString *out = g_string_new(NULL);
    char buf[4096];
    ssize_t n;
    for (off_t off = 0; (n = pread(s->log_fd, buf, sizeof(buf), off)) > 0; off += n) {
        g_string_append_len(out, buf, n);
    }
    return g_string_free(out, false);
}

pid_t qtest_pid(QTestState *s)
{
    return s->pid;
}

int qtest_quit(QTestState *s)
{
    if (s->qmp_fd >= 0) {
        /* Best effort: emu may close the connection before or after answering. */
        static const char quit[] = "{\"execute\": \"quit\"}\r\n";
        if (send(s->qmp_fd, quit, strlen(quit), MSG_NOSIGNAL) == (ssize_t)strlen(quit)) {
            struct pollfd pfd = { .fd = s->qmp_fd, .events = POLLIN };
            char buf[4096];
            while (poll(&pfd, 1, QUIT_TIMEOUT_S * 1000) > 0 &&
                   read(s->qmp_fd, buf, sizeof(buf)) > 0) {
                /* Drain until emu closes its end. */
            }
        }
        close(s->qmp_fd);
    }
    /* Closing the qtest socket makes emu shut down even if QMP quit did not. */
    close(s->fd);
    reap(s, QUIT_TIMEOUT_S * 1000);
    if (!s->exited) {
        fprintf(stderr, "libqtest: emu (pid %d) did not exit within %d s; killing it\n",
                (int)s->pid, QUIT_TIMEOUT_S);
        kill(s->pid, SIGKILL);
        reap(s, -1);
    }
    int status = WIFEXITED(s->wstatus) ? WEXITSTATUS(s->wstatus)
               : WIFSIGNALED(s->wstatus) ? 128 + WTERMSIG(s->wstatus) : -1;
    if (status != 0 || g_getenv("QTEST_VERBOSE")) {
        g_autofree char *desc = describe_status(s);
        fprintf(stderr, "libqtest: emu %s\n", desc);
        dump_stderr(s, stderr);
    }
    close(s->log_fd);
    g_string_free(s->rx, true);
    g_string_free(s->qmp_rx, true);
    g_queue_clear_full(&s->events, (GDestroyNotify)json_node_unref);
    g_free(s);
    return status;
}
