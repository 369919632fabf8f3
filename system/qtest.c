/*
 * The qtest server. One command per line, words separated by spaces; every
 * command gets exactly one reply line: "OK", "OK VALUE" or "FAIL reason" (the
 * command was refused: bad arguments, unknown device...; nothing happened).
 * QEMU also answers "ERR ..." to some malformed writes, so clients should treat
 * anything but OK as a failure. Besides replies the server sends
 * asynchronous "IRQ raise N" / "IRQ lower N" lines for intercepted IRQ lines, at
 * any time, including before the reply of the command that caused them.
 *
 * The commands and reply formats are QEMU's (its system/qtest.c "QTest Protocol"),
 * so tests written against libqtest's wire format work unchanged:
 *
 *   outb|outw|outl PORT VALUE            -> OK
 *   inb|inw|inl PORT                     -> OK 0x%04x
 *   writeb|writew|writel|writeq ADDR VAL -> OK        (guest little-endian)
 *   readb|readw|readl|readq ADDR         -> OK 0x%016x
 *   read ADDR SIZE                       -> OK 0xHEXBYTES
 *   write ADDR SIZE 0xHEXBYTES           -> OK        (short data is zero-filled)
 *   b64read ADDR SIZE                    -> OK BASE64
 *   b64write ADDR SIZE BASE64            -> OK        (a size mismatch truncates)
 *   memset ADDR SIZE BYTE                -> OK        (SIZE may be 0)
 *   endianness                           -> OK little
 *   clock_step [NS]                      -> OK NEW_NS (no NS: to the next deadline)
 *   clock_set NS                         -> OK NS, or FAIL CURRENT if NS is past
 *   irq_intercept_in PATH [NAME]         -> OK
 *   irq_intercept_out PATH [NAME]        -> OK
 *   set_irq_in PATH NAME NUM LEVEL       -> OK        (NAME "unnamed-gpio-in")
 *
 * Numbers are decimal, 0x hex or 0 octal (QEMU uses strtoul base 0), and must
 * be whole words in range; anything else is a FAIL reply, never a crash, and
 * the connection stays usable. Memory accesses go through address_space_memory
 * like a CPU's would: holes read all-ones and drop writes. read, write, b64read
 * and b64write move at most 64 MiB per command, memset at most 4 GiB.
 *
 * IRQ numbers count from 0 within the intercepted GPIO list (the unnamed one
 * unless NAME is given). As in QEMU, one device per run can be intercepted, and
 * an intercepted line still delivers its level to where it went before.
 *
 * Unlike QEMU, which runs until libqtest kills it, emu shuts down when the test
 * closes the qtest connection, so a crashed test leaves no emu behind.
 */
#include "system/qtest.h"
#include "chardev/char.h"
#include "hw/core/irq.h"
#include "hw/core/qdev.h"
#include "system/memory.h"
#include "system/runstate.h"
#include "util/cutils.h"
#include "util/timer.h"
#include <limits.h>

/* Levels are tracked (and changes reported once) for lines 0..QTEST_MAX_IRQ-1. */
#define QTEST_MAX_IRQ 256
/* read/write/b64read/b64write buffer their data: bound what a line may ask for. */
#define QTEST_MAX_XFER (64u * 1024 * 1024)
/* memset writes in chunks; this only bounds how long one command may take. */
#define QTEST_MAX_MEMSET (4ull << 30)
#define QTEST_MEMSET_CHUNK (64u * 1024)
/* The longest line: a write of QTEST_MAX_XFER bytes in hex, plus the words. */
#define QTEST_MAX_LINE (2 * QTEST_MAX_XFER + 256)

typedef struct QTestServer {
    Chardev *chr;
    CharBackend be;
    bool opened;
    GString *inbuf;
    bool skipping_line;     /* an over-long line is being dropped up to its '\n' */
    FILE *log;
    GTimer *log_timer;
    GString *capture;       /* qtest_process_line_for_test: collect, don't send */
} QTestServer;

static QTestServer server;
static bool qtest_accel_enabled;

/* QEMU allows one intercepted device per run; so do we. */
static DeviceState *irq_intercept_dev;
static bool irq_levels[QTEST_MAX_IRQ];

bool qtest_enabled(void)
{
    return qtest_accel_enabled;
}

void qtest_set_enabled(bool enabled)
{
    qtest_accel_enabled = enabled;
}

/* ---- output ---- */

static double log_elapsed(void)
{
    return server.log_timer ? g_timer_elapsed(server.log_timer, NULL) : 0.0;
}

static void qtest_send(const char *str)
{
    if (server.capture) {
        g_string_append(server.capture, str);
        return;
    }
    if (server.log) {
        fprintf(server.log, "[S +%.6f] %s", log_elapsed(), str);
        fflush(server.log);
    }
    if (server.opened) {
        qemu_chr_fe_write_all(&server.be, (const uint8_t *)str, strlen(str));
    }
}

static void qtest_sendf(const char *fmt, ...) EMU_PRINTF(1, 2);
static void qtest_sendf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_send(s);
}

/* ---- IRQ interception ---- */

static void irq_report(int n, int level)
{
    bool high = level != 0;
    if (n >= 0 && n < QTEST_MAX_IRQ) {
        if (irq_levels[n] == high) {
            return;
        }
        irq_levels[n] = high;
    }
    qtest_sendf("IRQ %s %d\n", high ? "raise" : "lower", n);
}

/*
 * An intercepted input line: the device still gets the level (through a copy
 * of the line's original handler) and the test hears about the change.
 */
static void irq_in_handler(void *opaque, int n, int level)
{
    struct IRQState *orig = &((struct IRQState *)opaque)[n];
    if (orig->handler) {
        orig->handler(orig->opaque, orig->n, level);
    }
    irq_report(n, level);
}

/* An intercepted output pin: forward to whatever it was connected to. */
static void irq_out_handler(void *opaque, int n, int level)
{
    qemu_irq *orig = opaque;
    qemu_set_irq(orig[n], level);
    irq_report(n, level);
}

/* Find a GPIO list without creating it (qdev_get_named_gpio_list would). */
static NamedGPIOList *find_gpio_list(DeviceState *dev, const char *name)
{
    for (NamedGPIOList *l = dev->gpios; l; l = l->next) {
        if (g_strcmp0(l->name, name) == 0) {
            return l;
        }
    }
    return NULL;
}

static DeviceState *resolve_device(const char *path, GString *reply)
{
    bool ambiguous = false;
    Object *obj = object_resolve_path(path, &ambiguous);
    if (!obj) {
        g_string_append(reply, ambiguous ? "FAIL Ambiguous device path\n"
                                         : "FAIL Unknown device\n");
        return NULL;
    }
    Object *dev = object_dynamic_cast(obj, TYPE_DEVICE);
    if (!dev) {
        g_string_append(reply, "FAIL Not a device\n");
        return NULL;
    }
    return DEVICE(dev);
}

static void intercept_in(NamedGPIOList *l)
{
    struct IRQState *orig = g_new(struct IRQState, l->num_in);
    for (int i = 0; i < l->num_in; i++) {
        orig[i] = *l->in[i];
    }
    qemu_irq_intercept_in(l->in, irq_in_handler, orig, l->num_in);
}

static void intercept_out(NamedGPIOList *l)
{
    qemu_irq *orig = g_new0(qemu_irq, l->num_out);
    for (int i = 0; i < l->num_out; i++) {
        orig[i] = *l->out[i];
        *l->out[i] = qemu_allocate_irq(irq_out_handler, orig, i);
    }
}

/* irq_intercept_in|irq_intercept_out PATH [NAME]: NAME picks a named GPIO list. */
static void cmd_irq_intercept(char **argv, int argc, GString *reply)
{
    bool out = strcmp(argv[0], "irq_intercept_out") == 0;
    const char *name = argc > 2 ? argv[2] : NULL;
    DeviceState *dev = resolve_device(argv[1], reply);
    if (!dev) {
        return;
    }
    if (irq_intercept_dev) {
        g_string_append(reply, irq_intercept_dev == dev ? "OK\n"
                                : "FAIL IRQ intercept already enabled\n");
        return;
    }
    NamedGPIOList *l = find_gpio_list(dev, name);
    if (!l || (out ? l->num_out : l->num_in) == 0) {
        g_string_append(reply, "FAIL No intercepts installed\n");
        return;
    }
    if (out) {
        intercept_out(l);
    } else {
        intercept_in(l);
    }
    irq_intercept_dev = dev;
    g_string_append(reply, "OK\n");
}

/* ---- argument parsing ---- */

static bool get_u64(const char *what, const char *str, uint64_t max, uint64_t *val,
                    GString *reply)
{
    if (!parse_uint64(str, val, NULL)) {
        g_string_append_printf(reply, "FAIL %s is not a number\n", what);
        return false;
    }
    if (*val > max) {
        g_string_append_printf(reply, "FAIL %s is out of range (at most 0x%" PRIx64 ")\n",
                               what, max);
        return false;
    }
    return true;
}

static bool get_i64(const char *what, const char *str, int64_t min, int64_t max,
                    int64_t *val, GString *reply)
{
    if (!parse_int64(str, val, NULL)) {
        g_string_append_printf(reply, "FAIL %s is not a number\n", what);
        return false;
    }
    if (*val < min || *val > max) {
        g_string_append_printf(reply, "FAIL %s is out of range\n", what);
        return false;
    }
    return true;
}

/* ADDR and SIZE of a buffer command; the range must not wrap around 2^64. */
static bool get_range(char **argv, uint64_t max_size, uint64_t *addr, uint64_t *size,
                      GString *reply)
{
    if (!get_u64("ADDR", argv[1], UINT64_MAX, addr, reply) ||
        !get_u64("SIZE", argv[2], max_size, size, reply)) {
        return false;
    }
    if (*size && *addr + (*size - 1) < *addr) {
        g_string_append(reply, "FAIL ADDR + SIZE wraps around\n");
        return false;
    }
    return true;
}

static unsigned width_of(char suffix)
{
    switch (suffix) {
    case 'b': return 1;
    case 'w': return 2;
    case 'l': return 4;
    case 'q': return 8;
    default: g_assert_not_reached();
    }
}

static uint64_t width_mask(unsigned width)
{
    return width == 8 ? UINT64_MAX : (UINT64_C(1) << (width * 8)) - 1;
}

/* ---- commands ---- */

static void cmd_out(char **argv, int argc, GString *reply)
{
    unsigned width = width_of(argv[0][3]);
    uint64_t port, val;
    if (!get_u64("PORT", argv[1], 0xffff, &port, reply) ||
        !get_u64("VALUE", argv[2], width_mask(width), &val, reply)) {
        return;
    }
    switch (width) {
    case 1: cpu_outb(port, val); break;
    case 2: cpu_outw(port, val); break;
    default: cpu_outl(port, val); break;
    }
    g_string_append(reply, "OK\n");
}

static void cmd_in(char **argv, int argc, GString *reply)
{
    unsigned width = width_of(argv[0][2]);
    uint64_t port;
    uint32_t val;
    if (!get_u64("PORT", argv[1], 0xffff, &port, reply)) {
        return;
    }
    switch (width) {
    case 1: val = cpu_inb(port); break;
    case 2: val = cpu_inw(port); break;
    default: val = cpu_inl(port); break;
    }
    g_string_append_printf(reply, "OK 0x%04x\n", val);
}

static void cmd_write_n(char **argv, int argc, GString *reply)
{
    unsigned width = width_of(argv[0][5]);
    uint64_t addr, val;
    uint8_t buf[8];
    if (!get_u64("ADDR", argv[1], UINT64_MAX - (width - 1), &addr, reply) ||
        !get_u64("VALUE", argv[2], width_mask(width), &val, reply)) {
        return;
    }
    /* x86 guests are little-endian. */
    for (unsigned i = 0; i < width; i++) {
        buf[i] = val >> (8 * i);
    }
    address_space_write(&address_space_memory, addr, buf, width);
    g_string_append(reply, "OK\n");
}

static void cmd_read_n(char **argv, int argc, GString *reply)
{
    unsigned width = width_of(argv[0][4]);
    uint64_t addr, val = 0;
    uint8_t buf[8];
    if (!get_u64("ADDR", argv[1], UINT64_MAX - (width - 1), &addr, reply)) {
        return;
    }
    address_space_read(&address_space_memory, addr, buf, width);
    for (unsigned i = 0; i < width; i++) {
        val |= (uint64_t)buf[i] << (8 * i);
    }
    g_string_append_printf(reply, "OK 0x%016" PRIx64 "\n", val);
}

static void cmd_read(char **argv, int argc, GString *reply)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t addr, size;
    if (!get_range(argv, QTEST_MAX_XFER, &addr, &size, reply)) {
        return;
    }
    if (size == 0) {
        g_string_append(reply, "FAIL SIZE must not be 0\n");
        return;
    }
    g_autofree uint8_t *data = g_malloc(size);
    address_space_read(&address_space_memory, addr, data, size);
    g_string_append(reply, "OK 0x");
    for (uint64_t i = 0; i < size; i++) {
        g_string_append_c(reply, hex[data[i] >> 4]);
        g_string_append_c(reply, hex[data[i] & 15]);
    }
    g_string_append_c(reply, '\n');
}

static void cmd_write(char **argv, int argc, GString *reply)
{
    uint64_t addr, size;
    const char *data = argv[3];
    if (!get_range(argv, QTEST_MAX_XFER, &addr, &size, reply)) {
        return;
    }
    if (data[0] != '0' || (data[1] != 'x' && data[1] != 'X')) {
        g_string_append(reply, "FAIL DATA must start with 0x\n");
        return;
    }
    data += 2;
    size_t ndigits = strlen(data);
    if (ndigits % 2) {
        g_string_append(reply, "FAIL DATA must have an even number of hex digits\n");
        return;
    }
    if (ndigits / 2 > size) {
        g_string_append(reply, "FAIL DATA is longer than SIZE\n");
        return;
    }
    /* Data shorter than SIZE is zero-filled at the end (QEMU's rule). */
    g_autofree uint8_t *buf = g_malloc0(size ? size : 1);
    for (size_t i = 0; i < ndigits / 2; i++) {
        int hi = g_ascii_xdigit_value(data[2 * i]);
        int lo = g_ascii_xdigit_value(data[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            g_string_append(reply, "FAIL DATA is not hex\n");
            return;
        }
        buf[i] = hi << 4 | lo;
    }
    if (size) {
        address_space_write(&address_space_memory, addr, buf, size);
    }
    g_string_append(reply, "OK\n");
}

static void cmd_b64read(char **argv, int argc, GString *reply)
{
    uint64_t addr, size;
    if (!get_range(argv, QTEST_MAX_XFER, &addr, &size, reply)) {
        return;
    }
    if (size == 0) {
        g_string_append(reply, "FAIL SIZE must not be 0\n");
        return;
    }
    g_autofree uint8_t *data = g_malloc(size);
    address_space_read(&address_space_memory, addr, data, size);
    g_autofree char *b64 = g_base64_encode(data, size);
    g_string_append_printf(reply, "OK %s\n", b64);
}

static bool is_base64(const char *s)
{
    for (; *s; s++) {
        if (!g_ascii_isalnum(*s) && *s != '+' && *s != '/' && *s != '=') {
            return false;
        }
    }
    return true;
}

static void cmd_b64write(char **argv, int argc, GString *reply)
{
    uint64_t addr, size;
    if (!get_range(argv, QTEST_MAX_XFER, &addr, &size, reply)) {
        return;
    }
    if (!is_base64(argv[3])) {
        g_string_append(reply, "FAIL DATA is not base64\n");
        return;
    }
    gsize len = 0;
    g_autofree uint8_t *data = g_base64_decode(argv[3], &len);
    if (len != size) {
        if (server.log) {
            fprintf(server.log, "[I +%.6f] b64write: SIZE %" PRIu64 " but %zu bytes of "
                    "data; writing %" PRIu64 "\n", log_elapsed(), size, (size_t)len,
                    MIN((uint64_t)len, size));
        }
    }
    if (MIN((uint64_t)len, size)) {
        address_space_write(&address_space_memory, addr, data, MIN((uint64_t)len, size));
    }
    g_string_append(reply, "OK\n");
}

static void cmd_memset(char **argv, int argc, GString *reply)
{
    uint64_t addr, size, byte;
    if (!get_range(argv, QTEST_MAX_MEMSET, &addr, &size, reply) ||
        !get_u64("VALUE", argv[3], 0xff, &byte, reply)) {
        return;
    }
    uint64_t chunk = MIN(size, QTEST_MEMSET_CHUNK);
    g_autofree uint8_t *buf = g_malloc(chunk ? chunk : 1);
    memset(buf, byte, chunk);
    for (uint64_t done = 0; done < size; done += chunk) {
        address_space_write(&address_space_memory, addr + done, buf,
                            MIN(chunk, size - done));
    }
    g_string_append(reply, "OK\n");
}

static void cmd_endianness(char **argv, int argc, GString *reply)
{
    g_string_append(reply, "OK little\n");
}

static bool check_clock_owned(GString *reply)
{
    if (!clock_virtual_is_manual()) {
        g_string_append(reply, "FAIL the virtual clock is not under test control "
                               "(use -accel qtest)\n");
        return false;
    }
    return true;
}

static void cmd_clock_step(char **argv, int argc, GString *reply)
{
    int64_t now, target;
    if (!check_clock_owned(reply)) {
        return;
    }
    now = clock_get_ns(EMU_CLOCK_VIRTUAL);
    if (argc > 1) {
        int64_t ns;
        if (!get_i64("NS", argv[1], 1, INT64_MAX, &ns, reply)) {
            return;
        }
        if (ns > INT64_MAX - now) {
            g_string_append(reply, "FAIL NS would overflow the clock\n");
            return;
        }
        target = now + ns;
    } else {
        target = clock_virtual_next_deadline_ns();
        if (target < 0) {
            g_string_append(reply, "FAIL cannot advance clock to the next deadline "
                                   "because there is no pending deadline\n");
            return;
        }
        /*
         * A timer already due (armed in the past while the VM was stopped) runs
         * now; time does not need to move for it.
         */
        target = MAX(target, now);
    }
    clock_virtual_advance_to(target);
    g_string_append_printf(reply, "OK %" PRId64 "\n", clock_get_ns(EMU_CLOCK_VIRTUAL));
}

static void cmd_clock_set(char **argv, int argc, GString *reply)
{
    int64_t ns;
    if (!check_clock_owned(reply) || !get_i64("NS", argv[1], 0, INT64_MAX, &ns, reply)) {
        return;
    }
    /* The clock never goes back: setting a past time is refused with the time. */
    if (ns >= clock_get_ns(EMU_CLOCK_VIRTUAL)) {
        clock_virtual_advance_to(ns);
    }
    int64_t now = clock_get_ns(EMU_CLOCK_VIRTUAL);
    g_string_append_printf(reply, "%s %" PRId64 "\n", now == ns ? "OK" : "FAIL", now);
}

static void cmd_set_irq_in(char **argv, int argc, GString *reply)
{
    DeviceState *dev = resolve_device(argv[1], reply);
    const char *name = strcmp(argv[2], "unnamed-gpio-in") ? argv[2] : NULL;
    int64_t num, level;
    if (!dev || !get_i64("NUM", argv[3], 0, INT_MAX, &num, reply) ||
        !get_i64("LEVEL", argv[4], INT_MIN, INT_MAX, &level, reply)) {
        return;
    }
    NamedGPIOList *l = find_gpio_list(dev, name);
    if (!l || num >= l->num_in) {
        g_string_append(reply, "FAIL No such input line\n");
        return;
    }
    qemu_set_irq(l->in[num], level);
    g_string_append(reply, "OK\n");
}

typedef struct QTestCommand {
    const char *name;
    int min_args;       /* not counting the command word */
    int max_args;
    void (*fn)(char **argv, int argc, GString *reply);
} QTestCommand;

static const QTestCommand commands[] = {
    { "outb", 2, 2, cmd_out },
    { "outw", 2, 2, cmd_out },
    { "outl", 2, 2, cmd_out },
    { "inb", 1, 1, cmd_in },
    { "inw", 1, 1, cmd_in },
    { "inl", 1, 1, cmd_in },
    { "writeb", 2, 2, cmd_write_n },
    { "writew", 2, 2, cmd_write_n },
    { "writel", 2, 2, cmd_write_n },
    { "writeq", 2, 2, cmd_write_n },
    { "readb", 1, 1, cmd_read_n },
    { "readw", 1, 1, cmd_read_n },
    { "readl", 1, 1, cmd_read_n },
    { "readq", 1, 1, cmd_read_n },
    { "read", 2, 2, cmd_read },
    { "write", 3, 3, cmd_write },
    { "b64read", 2, 2, cmd_b64read },
    { "b64write", 3, 3, cmd_b64write },
    { "memset", 3, 3, cmd_memset },
    { "endianness", 0, 0, cmd_endianness },
    { "clock_step", 0, 1, cmd_clock_step },
    { "clock_set", 1, 1, cmd_clock_set },
    { "irq_intercept_in", 1, 2, cmd_irq_intercept },
    { "irq_intercept_out", 1, 2, cmd_irq_intercept },
    { "set_irq_in", 4, 4, cmd_set_irq_in },
};

/* A word from the client, made safe to echo on one line of a reply. */
static char *sanitize_word(const char *word)
{
    char *s = g_strndup(word, 64);
    for (char *p = s; *p; p++) {
        if (!g_ascii_isprint(*p)) {
            *p = '?';
        }
    }
    return s;
}

static void qtest_process_line(char *line)
{
    g_autoptr(GString) reply = g_string_new(NULL);
    g_autoptr(GPtrArray) words = g_ptr_array_new();

    /* Tolerate CRLF clients and runs of spaces; tabs are separators too. */
    size_t len = strlen(line);
    if (len && line[len - 1] == '\r') {
        line[--len] = '\0';
    }
    if (server.log && !server.capture) {
        fprintf(server.log, "[R +%.6f] %s\n", log_elapsed(), line);
        fflush(server.log);
    }
    for (char *save = NULL, *w = strtok_r(line, " \t", &save); w;
         w = strtok_r(NULL, " \t", &save)) {
        g_ptr_array_add(words, w);
    }
    int argc = words->len;
    g_ptr_array_add(words, NULL);
    char **argv = (char **)words->pdata;

    if (argc == 0) {
        qtest_send("FAIL empty command\n");
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        const QTestCommand *c = &commands[i];
        if (strcmp(argv[0], c->name) != 0) {
            continue;
        }
        if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
            if (c->min_args == c->max_args) {
                qtest_sendf("FAIL %s takes %d argument(s), got %d\n", c->name,
                            c->min_args, argc - 1);
            } else {
                qtest_sendf("FAIL %s takes %d to %d arguments, got %d\n", c->name,
                            c->min_args, c->max_args, argc - 1);
            }
            return;
        }
        c->fn(argv, argc, reply);
        qtest_send(reply->str);
        return;
    }
    g_autofree char *cmd = sanitize_word(argv[0]);
    qtest_sendf("FAIL Unknown command '%s'\n", cmd);
}

char *qtest_process_line_for_test(const char *line)
{
    g_autofree char *copy = g_strdup(line);
    GString *out = g_string_new(NULL);
    server.capture = out;
    qtest_process_line(copy);
    server.capture = NULL;
    return g_string_free(out, false);
}

/* ---- the chardev frontend ---- */

static int qtest_can_read(void *opaque)
{
    return 64 * 1024;
}

static void qtest_read(void *opaque, const uint8_t *buf, int size)
{
    for (int i = 0; i < size; i++) {
        const uint8_t *nl = memchr(buf + i, '\n', size - i);
        int n = nl ? nl - (buf + i) : size - i;
        if (server.skipping_line) {
            /* The rest of a line already answered with FAIL. */
        } else if (server.inbuf->len + n > QTEST_MAX_LINE) {
            g_string_truncate(server.inbuf, 0);
            server.skipping_line = true;
            qtest_send("FAIL line too long\n");
        } else {
            g_string_append_len(server.inbuf, (const char *)buf + i, n);
        }
        i += n;
        if (!nl) {
            break;
        }
        if (server.skipping_line) {
            server.skipping_line = false;
        } else {
            /* A NUL inside the line just ends it early; it cannot crash anything. */
            qtest_process_line(server.inbuf->str);
            g_string_truncate(server.inbuf, 0);
        }
    }
}

static void qtest_event(void *opaque, ChrEvent event)
{
    switch (event) {
    case CHR_EVENT_OPENED:
        server.opened = true;
        memset(irq_levels, 0, sizeof(irq_levels));
        if (server.log) {
            fprintf(server.log, "[I +%.6f] OPENED\n", log_elapsed());
            fflush(server.log);
        }
        break;
    case CHR_EVENT_CLOSED:
        if (!server.opened) {
            break;
        }
        server.opened = false;
        g_string_truncate(server.inbuf, 0);
        server.skipping_line = false;
        if (server.log) {
            fprintf(server.log, "[I +%.6f] CLOSED\n", log_elapsed());
            fflush(server.log);
        }
        /*
         * The test is gone (finished or crashed): nobody can drive this machine
         * any more, so don't leave an orphan emu running. Like closing the window.
         */
        system_shutdown_request(SHUTDOWN_CAUSE_HOST_UI);
        break;
    default:
        break;
    }
}

bool qtest_server_init(const char *chardev_spec, const char *log_path, Error **errp)
{
    if (server.chr) {
        error_setg(errp, "there is already a qtest server");
        return false;
    }
    if (log_path && strcmp(log_path, "none") != 0) {
        server.log = fopen(log_path, "w");
        if (!server.log) {
            error_setg_errno(errp, errno, "cannot open the qtest log %s", log_path);
            return false;
        }
        server.log_timer = g_timer_new();
    }
    Chardev *chr = qemu_chr_new("qtest", chardev_spec, errp);
    if (!chr) {
        if (errp && !*errp) {
            error_setg(errp, "no character device to serve qtest on");
        }
        goto fail;
    }
    if (!qemu_chr_fe_init(&server.be, chr, errp)) {
        goto fail;
    }
    server.chr = chr;
    server.inbuf = g_string_new(NULL);
    qemu_chr_fe_set_handlers(&server.be, qtest_can_read, qtest_read, qtest_event,
                             &server, NULL, true);
    /* On a terminal ("-qtest stdio") a person types commands: let them see it. */
    qemu_chr_fe_set_echo(&server.be, true);
    return true;

fail:
    if (server.log) {
        fclose(server.log);
        server.log = NULL;
    }
    g_clear_pointer(&server.log_timer, g_timer_destroy);
    return false;
}
