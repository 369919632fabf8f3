/*
 * 16550A UART (isa-serial) on -machine pc: registers after reset, divisor latch,
 * scratch, loopback, interrupt sources and their priority, OUT2 gating of the
 * IRQ on GSI 4/3, the FIFO trigger level and character timeout, and bytes
 * moving both ways through a chardev, including host-side backpressure.
 * Register semantics follow the PC16550D datasheet.
 */
#include "libqtest.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define COM1 0x3f8
#define COM2 0x2f8

#define RBR 0
#define THR 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_BI 0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

static uint8_t rd(QTestState *s, uint16_t base, int reg)
{
    return qtest_inb(s, base + reg);
}

static void wr(QTestState *s, uint16_t base, int reg, uint8_t v)
{
    qtest_outb(s, base + reg, v);
}

static QTestState *start_pc(const char *extra)
{
    QTestState *s = qtest_initf("-machine pc %s", extra ? extra : "");
    qtest_irq_intercept_in(s, "/machine/gsi");
    return s;
}

/* ---- socket helpers: the test plays the host end of -chardev socket ---- */

typedef struct {
    char *dir;
    char *path;
    int fd;
} HostSocket;

static void host_socket_init(HostSocket *h)
{
    GError *err = NULL;
    h->dir = g_dir_make_tmp("emu-serial-XXXXXX", &err);
    g_assert_no_error(err);
    h->path = g_build_filename(h->dir, "sock", NULL);
    h->fd = -1;
}

static void host_socket_connect(HostSocket *h)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_assert_cmpuint(strlen(h->path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, h->path);
    h->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(h->fd, >=, 0);
    g_assert_cmpint(connect(h->fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
}

static void host_socket_cleanup(HostSocket *h)
{
    if (h->fd >= 0) {
        close(h->fd);
    }
    unlink(h->path);
    rmdir(h->dir);
    g_free(h->path);
    g_free(h->dir);
}

static QTestState *start_with_socket(HostSocket *h, const char *extra)
{
    host_socket_init(h);
    g_autofree char *args = g_strdup_printf(
        "-chardev socket,id=c0,path=%s,server=on,wait=off -serial chardev:c0 %s",
        h->path, extra ? extra : "");
    QTestState *s = start_pc(args);
    host_socket_connect(h);
    return s;
}

static void host_send(HostSocket *h, const void *buf, size_t len)
{
    g_assert_cmpint(write(h->fd, buf, len), ==, (ssize_t)len);
}

/* Read exactly @len bytes from the host end (failing after 10 s). */
static void host_recv(HostSocket *h, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        struct pollfd p = { .fd = h->fd, .events = POLLIN };
        int r = poll(&p, 1, 10000);
        g_assert_cmpint(r, ==, 1);
        ssize_t n = read(h->fd, buf + got, len - got);
        g_assert_cmpint(n, >, 0);
        got += n;
    }
}

/* Wait until LSR shows @mask set (emu picks host input up on its main loop). */
static uint8_t wait_lsr(QTestState *s, uint16_t base, uint8_t mask)
{
    for (int i = 0; i < 5000; i++) {
        uint8_t lsr = rd(s, base, LSR);
        if ((lsr & mask) == mask) {
            return lsr;
        }
        g_usleep(1000);
    }
    g_error("LSR never showed 0x%02x", mask);
}

/* ---- registers ---- */

/* Table IV master-reset values. */
static void test_reset_values(void)
{
    QTestState *s = start_pc(NULL);

    g_assert_cmphex(rd(s, COM1, IER), ==, 0x00);
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x01);
    g_assert_cmphex(rd(s, COM1, LCR), ==, 0x00);
    g_assert_cmphex(rd(s, COM1, MCR), ==, 0x00);
    g_assert_cmphex(rd(s, COM1, LSR), ==, LSR_THRE | LSR_TEMT);
    /* No modem lines on a chardev: CTS, DSR and DCD show a ready modem. */
    g_assert_cmphex(rd(s, COM1, MSR), ==, 0xb0);
    /* No second port without a second -serial. */
    g_assert_cmphex(rd(s, COM2, LSR), ==, 0xff);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_scratch(void)
{
    QTestState *s = start_pc(NULL);
    static const uint8_t vals[] = { 0x00, 0x55, 0xaa, 0xff, 0x5a };

    for (size_t i = 0; i < sizeof(vals); i++) {
        wr(s, COM1, SCR, vals[i]);
        g_assert_cmphex(rd(s, COM1, SCR), ==, vals[i]);
    }
    /* Not disturbed by DLAB. */
    wr(s, COM1, LCR, 0x80);
    g_assert_cmphex(rd(s, COM1, SCR), ==, 0x5a);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_divisor_latch(void)
{
    QTestState *s = start_pc(NULL);

    wr(s, COM1, IER, 0x05);
    wr(s, COM1, LCR, 0x83);             /* DLAB, 8N1 */
    wr(s, COM1, DLL, 0x34);
    wr(s, COM1, DLM, 0x12);
    g_assert_cmphex(rd(s, COM1, DLL), ==, 0x34);
    g_assert_cmphex(rd(s, COM1, DLM), ==, 0x12);
    g_assert_cmphex(rd(s, COM1, LCR), ==, 0x83);
    wr(s, COM1, LCR, 0x03);
    /* DLAB off: offsets 0/1 are RBR/IER again, IER kept its value. */
    g_assert_cmphex(rd(s, COM1, IER), ==, 0x05);
    /* IER has 4 bits. */
    wr(s, COM1, IER, 0xff);
    g_assert_cmphex(rd(s, COM1, IER), ==, 0x0f);
    wr(s, COM1, IER, 0);
    wr(s, COM1, LCR, 0x80);
    g_assert_cmphex(rd(s, COM1, DLL), ==, 0x34);
    g_assert_cmphex(rd(s, COM1, DLM), ==, 0x12);
    wr(s, COM1, LCR, 0x03);
    /* Writing DLL with DLAB set sent nothing. */
    g_assert_cmphex(rd(s, COM1, LSR), ==, LSR_THRE | LSR_TEMT);

    /* LSR and MSR are read-only: writes are ignored and counted. */
    wr(s, COM1, LSR, 0x00);
    wr(s, COM1, MSR, 0x00);
    g_assert_cmphex(rd(s, COM1, LSR), ==, LSR_THRE | LSR_TEMT);
    JsonNode *r = qtest_qmp(s, "{'execute': 'human-monitor-command', "
                               "'arguments': {'command-line': 'info serial'}}");
    const char *text = json_node_get_string(qtest_qmp_return(r));
    g_assert_nonnull(strstr(text, "COM1: isa-serial at 0x3f8, irq 4"));
    g_assert_nonnull(strstr(text, "chardev serial0, 24 baud, 8N1"));  /* 115200 / 0x1234 */
    g_assert_nonnull(strstr(text, "ignored accesses 2"));
    json_node_unref(r);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_loopback(void)
{
    QTestState *s = start_pc(NULL);

    wr(s, COM1, MCR, MCR_LOOP);
    wr(s, COM1, THR, 0x55);
    g_assert_cmphex(rd(s, COM1, LSR), ==, LSR_THRE | LSR_TEMT | LSR_DR);
    g_assert_cmphex(rd(s, COM1, RBR), ==, 0x55);
    g_assert_cmphex(rd(s, COM1, LSR), ==, LSR_THRE | LSR_TEMT);

    /* MCR outputs drive the MSR inputs: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
    rd(s, COM1, MSR);                   /* clear deltas from entering loopback */
    wr(s, COM1, MCR, MCR_LOOP | MCR_RTS);
    g_assert_cmphex(rd(s, COM1, MSR), ==, 0x10 | 0x01);   /* CTS + DCTS */
    g_assert_cmphex(rd(s, COM1, MSR), ==, 0x10);          /* deltas clear on read */
    wr(s, COM1, MCR, MCR_LOOP | MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2);
    g_assert_cmphex(rd(s, COM1, MSR) & 0xf0, ==, 0xf0);
    /* RI dropping sets TERI (trailing edge only). */
    wr(s, COM1, MCR, MCR_LOOP | MCR_DTR | MCR_RTS | MCR_OUT2);
    g_assert_cmphex(rd(s, COM1, MSR), ==, 0xb0 | 0x04);
    /* Linux's 8250 autoconfig check: LOOP | OUT2 | RTS gives CTS + DCD. */
    wr(s, COM1, MCR, MCR_LOOP | 0x0a);
    g_assert_cmphex(rd(s, COM1, MSR) & 0xf0, ==, 0x90);

    /* 16450 mode overrun: a second byte before reading the first sets OE. */
    wr(s, COM1, THR, 0x01);
    wr(s, COM1, THR, 0x02);
    g_assert_cmphex(rd(s, COM1, LSR), ==, LSR_THRE | LSR_TEMT | LSR_DR | LSR_OE);
    g_assert_cmphex(rd(s, COM1, LSR), ==, LSR_THRE | LSR_TEMT | LSR_DR);
    g_assert_cmphex(rd(s, COM1, RBR), ==, 0x02);

    /* A break sent in loopback comes back as a 0 byte with BI. */
    wr(s, COM1, IER, 0x04);
    wr(s, COM1, LCR, 0x43);
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x06);          /* line status */
    g_assert_cmphex(rd(s, COM1, LSR), ==, LSR_THRE | LSR_TEMT | LSR_DR | LSR_BI);
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x01);
    g_assert_cmphex(rd(s, COM1, RBR), ==, 0x00);
    wr(s, COM1, LCR, 0x03);

    /* Leaving loopback: MSR back to the chardev's ready modem. */
    wr(s, COM1, MCR, 0);
    g_assert_cmphex(rd(s, COM1, MSR) & 0xf0, ==, 0xb0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- interrupts ---- */

static void test_thre_irq(void)
{
    QTestState *s = start_pc(NULL);

    g_assert_false(qtest_get_irq(s, 4));
    wr(s, COM1, IER, 0x02);
    /* Pending in IIR, but OUT2 keeps the line off the PIC. */
    g_assert_false(qtest_get_irq(s, 4));
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x02);
    /* The IIR read cleared it. */
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x01);
    /* Writing IER with ETBEI while THR is empty raises it again. */
    wr(s, COM1, IER, 0x02);
    wr(s, COM1, MCR, MCR_OUT2);
    g_assert_true(qtest_get_irq(s, 4));
    g_assert_false(qtest_get_irq(s, 3));
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x02);
    g_assert_false(qtest_get_irq(s, 4));
    /* Sending a byte empties THR again: a fresh THRE interrupt. */
    wr(s, COM1, THR, 'x');
    g_assert_true(qtest_get_irq(s, 4));
    /* Masking ETBEI drops the line, OUT2 off gates it. */
    wr(s, COM1, IER, 0x00);
    g_assert_false(qtest_get_irq(s, 4));
    wr(s, COM1, IER, 0x02);
    g_assert_true(qtest_get_irq(s, 4));
    wr(s, COM1, MCR, 0);
    g_assert_false(qtest_get_irq(s, 4));
    /* Loopback forces OUT2 inactive, which gates the IRQ too. */
    wr(s, COM1, MCR, MCR_OUT2 | MCR_LOOP);
    g_assert_false(qtest_get_irq(s, 4));
    wr(s, COM1, MCR, MCR_OUT2);
    g_assert_true(qtest_get_irq(s, 4));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Table V priorities: line status > RX data > THRE > modem status. */
static void test_irq_priority(void)
{
    QTestState *s = start_pc(NULL);

    wr(s, COM1, MCR, MCR_LOOP);
    rd(s, COM1, MSR);
    wr(s, COM1, IER, 0x0f);
    /* THRE pending (IER write with THR empty). */
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x02);
    /* That IIR read cleared THRE, so a modem status change shows now. */
    wr(s, COM1, MCR, MCR_LOOP | MCR_DTR);
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x00);
    /* Received data beats modem status; overrun beats received data. */
    wr(s, COM1, THR, 0x11);
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x04);
    wr(s, COM1, THR, 0x22);
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x06);
    rd(s, COM1, LSR);
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x04);
    rd(s, COM1, RBR);
    /* THRE from the second byte was latched too, ahead of modem status. */
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x02);
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x00);
    rd(s, COM1, MSR);
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x01);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- FIFOs ---- */

static void test_fifo_loopback(void)
{
    QTestState *s = start_pc(NULL);

    wr(s, COM1, FCR, 0x07);             /* enable, clear both, trigger 1 */
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0xc1);
    wr(s, COM1, MCR, MCR_LOOP);
    for (int i = 0; i < 16; i++) {
        wr(s, COM1, THR, 0x40 + i);
    }
    /* A 17th byte overruns the full RX FIFO and is lost. */
    wr(s, COM1, THR, 0x99);
    g_assert_cmphex(rd(s, COM1, LSR), ==, LSR_THRE | LSR_TEMT | LSR_DR | LSR_OE);
    for (int i = 0; i < 16; i++) {
        g_assert_cmphex(rd(s, COM1, RBR), ==, 0x40 + i);
    }
    g_assert_cmphex(rd(s, COM1, LSR), ==, LSR_THRE | LSR_TEMT);
    /* RX FIFO reset drops what was received. */
    wr(s, COM1, THR, 0x01);
    wr(s, COM1, FCR, 0x03);
    g_assert_cmphex(rd(s, COM1, LSR), ==, LSR_THRE | LSR_TEMT);
    /* FIFOs off: IIR top bits clear. */
    wr(s, COM1, FCR, 0x00);
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x01);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* 4 character times at 115200 baud, 8N1: 4 * 10 bits / 115200 s. */
#define CHAR_TIMEOUT_NS (4LL * 10 * 1000000000LL / 115200)

static void test_rx_socket(void)
{
    HostSocket h;
    QTestState *s = start_with_socket(&h, NULL);

    wr(s, COM1, LCR, 0x83);
    wr(s, COM1, DLL, 1);
    wr(s, COM1, DLM, 0);
    wr(s, COM1, LCR, 0x03);
    wr(s, COM1, IER, 0x01);
    wr(s, COM1, MCR, MCR_OUT2 | MCR_DTR | MCR_RTS);
    g_assert_false(qtest_get_irq(s, 4));

    host_send(&h, "Hi", 2);
    wait_lsr(s, COM1, LSR_DR);
    g_assert_true(qtest_get_irq(s, 4));
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x04);
    g_assert_cmphex(rd(s, COM1, RBR), ==, 'H');
    /* No FIFO: the second byte waited in the chardev until RBR was read. */
    wait_lsr(s, COM1, LSR_DR);
    g_assert_cmphex(rd(s, COM1, RBR), ==, 'i');
    g_assert_false(qtest_get_irq(s, 4));
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0x01);

    /* FIFO with trigger level 8: 3 bytes don't interrupt until the timeout. */
    wr(s, COM1, FCR, 0x87);
    host_send(&h, "abc", 3);
    wait_lsr(s, COM1, LSR_DR);
    g_usleep(50 * 1000);                /* let all three arrive */
    g_assert_false(qtest_get_irq(s, 4));
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0xc1);
    qtest_clock_step(s, CHAR_TIMEOUT_NS - 1000);
    g_assert_false(qtest_get_irq(s, 4));
    qtest_clock_step(s, 1000);
    g_assert_true(qtest_get_irq(s, 4));
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0xcc);    /* character timeout */
    g_assert_cmphex(rd(s, COM1, RBR), ==, 'a');
    /* Reading a byte clears the timeout and restarts the timer. */
    g_assert_false(qtest_get_irq(s, 4));
    qtest_clock_step(s, CHAR_TIMEOUT_NS);
    g_assert_true(qtest_get_irq(s, 4));
    g_assert_cmphex(rd(s, COM1, RBR), ==, 'b');
    g_assert_cmphex(rd(s, COM1, RBR), ==, 'c');
    g_assert_false(qtest_get_irq(s, 4));

    /* 8 bytes reach the trigger level: RX data available right away. */
    host_send(&h, "01234567", 8);
    for (int i = 0; i < 5000 && !qtest_get_irq(s, 4); i++) {
        g_usleep(1000);
    }
    g_assert_true(qtest_get_irq(s, 4));
    g_assert_cmphex(rd(s, COM1, IIR), ==, 0xc4);
    for (int i = 0; i < 8; i++) {
        g_assert_cmphex(rd(s, COM1, RBR), ==, '0' + i);
    }
    g_assert_cmphex(rd(s, COM1, LSR), ==, LSR_THRE | LSR_TEMT);

    /* More than the FIFO holds: the chardev holds the rest, nothing is lost. */
    uint8_t big[40];
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = 0x80 + i;
    }
    host_send(&h, big, sizeof(big));
    for (size_t i = 0; i < sizeof(big); i++) {
        wait_lsr(s, COM1, LSR_DR);
        g_assert_cmphex(rd(s, COM1, RBR), ==, big[i]);
    }
    g_assert_cmphex(rd(s, COM1, LSR) & LSR_OE, ==, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    host_socket_cleanup(&h);
}

static void test_tx_socket(void)
{
    HostSocket h;
    QTestState *s = start_with_socket(&h, NULL);
    const char msg[] = "hello, world\n";
    uint8_t back[sizeof(msg) - 1];

    for (size_t i = 0; i < sizeof(msg) - 1; i++) {
        g_assert_cmphex(rd(s, COM1, LSR) & LSR_THRE, ==, LSR_THRE);
        wr(s, COM1, THR, msg[i]);
    }
    host_recv(&h, back, sizeof(back));
    g_assert_cmpmem(back, sizeof(back), msg, sizeof(msg) - 1);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    host_socket_cleanup(&h);
}

/* Drain whatever the host end has now into @buf (no waiting). */
static size_t host_drain(HostSocket *h, uint8_t *buf, size_t space)
{
    size_t got = 0;
    while (got < space) {
        ssize_t n = recv(h->fd, buf + got, space - got, MSG_DONTWAIT);
        if (n <= 0) {
            break;
        }
        got += n;
    }
    return got;
}

/*
 * The host side stops reading: the UART keeps bytes in its shift register and
 * FIFO, THRE stays clear (the guest waits instead of losing data), and when
 * the host reads again everything arrives in order.
 */
static void test_tx_backpressure(void)
{
    enum { TOTAL = 1024 * 1024, BATCH = 16 };
    HostSocket h;
    QTestState *s = start_with_socket(&h, NULL);
    uint8_t *sent = g_malloc(TOTAL), *got = g_malloc(TOTAL);
    size_t nsent = 0, ngot = 0;
    int stalls = 0;
    GString *cmd = g_string_new(NULL);

    for (size_t i = 0; i < TOTAL; i++) {
        sent[i] = (i * 7 + (i >> 8)) & 0xff;
    }
    wr(s, COM1, FCR, 0x07);
    while (nsent < TOTAL) {
        /* THRE in FIFO mode: the whole TX FIFO is free. */
        int polls = 0;
        while (!(rd(s, COM1, LSR) & LSR_THRE)) {
            if (++polls == 20) {
                /* Stalled on a full host side: read some, like a slow host. */
                stalls++;
                ngot += host_drain(&h, got + ngot, TOTAL - ngot);
                polls = 0;
            }
        }
        g_string_truncate(cmd, 0);
        for (int i = 0; i < BATCH && nsent < TOTAL; i++) {
            g_string_append_printf(cmd, "outb 0x%x 0x%x\n", COM1 + THR, sent[nsent++]);
        }
        /* Pipeline the batch: one reply per command. */
        qtest_raw_send(s, cmd->str);
        for (const char *p = cmd->str; (p = strchr(p, '\n')); p++) {
            g_autofree char *r = qtest_raw_recv(s);
            g_assert_cmpstr(r, ==, "OK");
        }
    }
    while (ngot < TOTAL) {
        struct pollfd p = { .fd = h.fd, .events = POLLIN };
        g_assert_cmpint(poll(&p, 1, 10000), ==, 1);
        ngot += host_drain(&h, got + ngot, TOTAL - ngot);
    }
    g_assert_cmpint(stalls, >, 0);
    g_assert_cmpmem(got, TOTAL, sent, TOTAL);
    wait_lsr(s, COM1, LSR_THRE | LSR_TEMT);
    g_string_free(cmd, TRUE);
    g_free(sent);
    g_free(got);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    host_socket_cleanup(&h);
}

/* ---- more ports ---- */

static char *read_file_contents(const char *path)
{
    char *data = NULL;
    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    return data;
}

static void test_second_port(void)
{
    GError *err = NULL;
    g_autofree char *dir = g_dir_make_tmp("emu-serial-XXXXXX", &err);
    g_assert_no_error(err);
    g_autofree char *file = g_build_filename(dir, "com2.txt", NULL);
    g_autofree char *args = g_strdup_printf("-serial null -serial file:%s", file);
    QTestState *s = start_pc(args);

    g_assert_cmphex(rd(s, COM2, LSR), ==, LSR_THRE | LSR_TEMT);
    wr(s, COM2, SCR, 0xa5);
    g_assert_cmphex(rd(s, COM2, SCR), ==, 0xa5);
    g_assert_cmphex(rd(s, COM1, SCR), ==, 0x00);
    for (const char *p = "COM2 ok"; *p; p++) {
        wr(s, COM2, THR, *p);
    }
    /* COM2 interrupts on IRQ 3. */
    wr(s, COM2, IER, 0x02);
    wr(s, COM2, MCR, MCR_OUT2);
    g_assert_true(qtest_get_irq(s, 3));
    g_assert_false(qtest_get_irq(s, 4));
    g_autofree char *info = NULL;
    g_assert_cmpint(qtest_quit(s), ==, 0);
    info = read_file_contents(file);
    g_assert_cmpstr(info, ==, "COM2 ok");
    unlink(file);
    rmdir(dir);
}

/* -device isa-serial with a chardev by id, at an address of our choosing. */
static void test_device_add(void)
{
    GError *err = NULL;
    g_autofree char *dir = g_dir_make_tmp("emu-serial-XXXXXX", &err);
    g_assert_no_error(err);
    g_autofree char *file = g_build_filename(dir, "out.txt", NULL);
    g_autofree char *args = g_strdup_printf(
        "-chardev file,id=c0,path=%s -device isa-serial,chardev=c0,iobase=0x2e8,irq=5",
        file);
    QTestState *s = start_pc(args);

    wr(s, 0x2e8, THR, 'Z');
    wr(s, 0x2e8, IER, 0x02);
    wr(s, 0x2e8, MCR, MCR_OUT2);
    g_assert_true(qtest_get_irq(s, 5));
    g_assert_cmpint(qtest_quit(s), ==, 0);
    g_autofree char *out = read_file_contents(file);
    g_assert_cmpstr(out, ==, "Z");
    unlink(file);
    rmdir(dir);
}

/* Bad -device isa-serial options stop emu with a message naming the problem. */
static void test_device_errors(void)
{
    static const struct {
        const char *args;
        const char *msg;
    } cases[] = {
        { "-device isa-serial,chardev=nope", "chardev 'nope' not found" },
        { "-device isa-serial,iobase=0x3f8", "overlaps" },
        { "-device isa-serial,irq=16,iobase=0x100", "ISA IRQs are 0..15" },
    };
    const char *emu = g_getenv("EMU_BINARY") ? g_getenv("EMU_BINARY") : "build/emu";

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        /* timeout(1) in case emu wrongly starts and keeps running. */
        g_autofree char *cmd = g_strdup_printf("timeout 30 %s -machine pc -accel qtest "
                                               "-display none -qtest null %s", emu,
                                               cases[i].args);
        g_autofree char *out = NULL, *errout = NULL;
        g_auto(GStrv) argv = NULL;
        int status = 0;
        GError *err = NULL;
        g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
        g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                                   &errout, &status, &err));
        g_assert_no_error(err);
        g_assert_false(g_spawn_check_wait_status(status, NULL));
        if (!strstr(errout, cases[i].msg)) {
            g_error("'%s': expected '%s' in: %s", cases[i].args, cases[i].msg, errout);
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/serial/reset-values", test_reset_values);
    g_test_add_func("/serial/scratch", test_scratch);
    g_test_add_func("/serial/divisor-latch", test_divisor_latch);
    g_test_add_func("/serial/loopback", test_loopback);
    g_test_add_func("/serial/thre-irq", test_thre_irq);
    g_test_add_func("/serial/irq-priority", test_irq_priority);
    g_test_add_func("/serial/fifo-loopback", test_fifo_loopback);
    g_test_add_func("/serial/rx-socket", test_rx_socket);
    g_test_add_func("/serial/tx-socket", test_tx_socket);
    g_test_add_func("/serial/tx-backpressure", test_tx_backpressure);
    g_test_add_func("/serial/second-port", test_second_port);
    g_test_add_func("/serial/device-add", test_device_add);
    g_test_add_func("/serial/device-errors", test_device_errors);
    return g_test_run();
}
