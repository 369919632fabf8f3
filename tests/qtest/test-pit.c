/*
 * The 8254 PIT on -machine pc (/machine/i8254, ports 0x40-0x43, 1.193182 MHz):
 * channel 0's output on GSI 0 in modes 0 (one-shot), 2 (rate generator) and
 * 3 (square wave) at the exact tick times, the IRQ 0 rate seen by the 8259,
 * counter latch and read-back (count and status, null count), LSB-only,
 * MSB-only and BCD counting, and channel 2's gate and output through port
 * 0x61 in modes 0 and 1. Tick k after a count is loaded happens at
 * ceil(k * 10^9 / 1193182) ns on the virtual clock, which only moves when the
 * test steps it. Facts from the Intel 8254 datasheet.
 */
#include "libqtest.h"

#include <string.h>

#define CH0 0x40
#define CH1 0x41
#define CH2 0x42
#define MODE 0x43
#define PORT61 0x61
#define PIT_HZ 1193182ull

static uint64_t tick_ns(uint64_t k)
{
    return (k * 1000000000ull + PIT_HZ - 1) / PIT_HZ;
}

static QTestState *start(void)
{
    /* The 8254 as the datasheet has it: no lost-tick reinjection (that is
     * test-pit-reinject.c's). */
    QTestState *s = qtest_init("-machine pc -global isa-pit.lost_tick_policy=discard");
    qtest_irq_intercept_in(s, "/machine/gsi");
    return s;
}

/* Write a 16-bit count LSB first and return the time it was loaded. */
static int64_t load_word(QTestState *s, uint16_t port, uint16_t count)
{
    int64_t t = qtest_clock_step(s, 1);
    qtest_outb(s, port, count & 0xff);
    qtest_outb(s, port, count >> 8);
    return t;
}

static void at(QTestState *s, int64_t t0, uint64_t ticks, int64_t delta_ns)
{
    qtest_clock_set(s, t0 + tick_ns(ticks) + delta_ns);
}

static uint16_t read_word(QTestState *s, uint16_t port)
{
    uint8_t lo = qtest_inb(s, port);
    return lo | qtest_inb(s, port) << 8;
}

static bool out2(QTestState *s)
{
    return qtest_inb(s, PORT61) & 0x20;
}

static void test_mode2_rate(void)
{
    QTestState *s = start();
    const uint16_t n = 11932;               /* 100 Hz, as Linux's HZ=100 */

    /* The 8259, IRQ 0 unmasked, to count the edges it sees. */
    qtest_outb(s, 0x20, 0x11);
    qtest_outb(s, 0x21, 0x08);
    qtest_outb(s, 0x21, 0x04);
    qtest_outb(s, 0x21, 0x01);

    g_assert_false(qtest_get_irq(s, 0));    /* idle after reset: OUT low */
    qtest_outb(s, MODE, 0x34);              /* channel 0, LSB then MSB, mode 2 */
    g_assert_true(qtest_get_irq(s, 0));     /* mode 2: OUT high */
    int64_t t0 = load_word(s, CH0, n);
    for (uint64_t k = 1; k <= 3; k++) {
        /* OUT goes low for the one tick where the count is 1. */
        at(s, t0, k * n - 1, -1);
        g_assert_true(qtest_get_irq(s, 0));
        at(s, t0, k * n - 1, 0);
        g_assert_false(qtest_get_irq(s, 0));
        at(s, t0, k * n, 0);
        g_assert_true(qtest_get_irq(s, 0));
    }
    /* 100 ms in all: the 8259 saw 10 rising edges plus the first one. */
    at(s, t0, 10 * n, 100);
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'human-monitor-command', "
                                      "'arguments': {'command-line': 'info irq'}}");
    g_assert_nonnull(strstr(json_node_get_string(qtest_qmp_return(r)), " 0: 11\n"));
    /* An edge latched in IRR; after acknowledge and EOI, the next period's. */
    qtest_outb(s, 0x20, 0x0c);
    g_assert_cmphex(qtest_inb(s, 0x20), ==, 0x80);
    qtest_outb(s, 0x20, 0x20);
    qtest_outb(s, 0x20, 0x0a);
    g_assert_cmphex(qtest_inb(s, 0x20) & 1, ==, 0);
    at(s, t0, 11 * n, 0);
    qtest_outb(s, 0x20, 0x0a);
    g_assert_cmphex(qtest_inb(s, 0x20) & 1, ==, 1);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_mode0_mode3(void)
{
    QTestState *s = start();

    qtest_outb(s, MODE, 0x30);              /* channel 0, mode 0 */
    g_assert_false(qtest_get_irq(s, 0));
    int64_t t0 = load_word(s, CH0, 1000);
    at(s, t0, 400, 0);
    g_assert_cmpuint(read_word(s, CH0), ==, 600);
    at(s, t0, 1000, -1);
    g_assert_false(qtest_get_irq(s, 0));
    at(s, t0, 1000, 0);
    g_assert_true(qtest_get_irq(s, 0));     /* terminal count */
    at(s, t0, 70000, 0);
    g_assert_true(qtest_get_irq(s, 0));     /* and stays high: no reload */
    g_assert_cmpuint(read_word(s, CH0), ==, (1000 - 70000) & 0xffff);   /* wraps on */

    /* Mode 3, count 1000: high 500 ticks, low 500. */
    qtest_outb(s, MODE, 0x36);
    g_assert_true(qtest_get_irq(s, 0));
    t0 = load_word(s, CH0, 1000);
    at(s, t0, 499, 0);
    g_assert_true(qtest_get_irq(s, 0));
    at(s, t0, 500, 0);
    g_assert_false(qtest_get_irq(s, 0));
    at(s, t0, 999, 0);
    g_assert_false(qtest_get_irq(s, 0));
    at(s, t0, 1000, 0);
    g_assert_true(qtest_get_irq(s, 0));
    at(s, t0, 2500, 0);
    g_assert_false(qtest_get_irq(s, 0));
    /* A new control word stops it: mode 0 without a count holds OUT low. */
    qtest_outb(s, MODE, 0x30);
    g_assert_false(qtest_get_irq(s, 0));
    at(s, t0, 10000, 0);
    g_assert_false(qtest_get_irq(s, 0));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_latch_readback(void)
{
    QTestState *s = start();

    qtest_outb(s, MODE, 0x34);
    int64_t t0 = load_word(s, CH0, 0x1000);
    at(s, t0, 0x100, 0);
    qtest_outb(s, MODE, 0x00);              /* counter latch, channel 0 */
    at(s, t0, 0x200, 0);
    qtest_outb(s, MODE, 0x00);              /* ignored: already latched */
    at(s, t0, 0x300, 0);
    g_assert_cmphex(read_word(s, CH0), ==, 0x0f00);
    g_assert_cmphex(read_word(s, CH0), ==, 0x0d00);     /* live again */
    /* Read-back of count and status: status first (OUT high, RW=3, mode 2),
     * both as they were at the command. */
    qtest_outb(s, MODE, 0xc2);
    at(s, t0, 0x400, 0);
    g_assert_cmphex(qtest_inb(s, CH0), ==, 0xb4);
    g_assert_cmphex(read_word(s, CH0), ==, 0x0d00);
    g_assert_cmphex(read_word(s, CH0), ==, 0x0c00);

    /* Null count: set by a count write until it reaches the counting element. */
    qtest_outb(s, MODE, 0x70);              /* channel 1, mode 0 */
    int64_t t1 = load_word(s, CH1, 5);
    qtest_outb(s, MODE, 0xe4);              /* status of channel 1 only */
    g_assert_cmphex(qtest_inb(s, CH1), ==, 0x70);
    at(s, t1, 1, 0);
    qtest_outb(s, MODE, 0xe4);
    g_assert_cmphex(qtest_inb(s, CH1), ==, 0x30);
    at(s, t1, 5, 0);
    qtest_outb(s, MODE, 0xe4);
    g_assert_cmphex(qtest_inb(s, CH1), ==, 0xb0);     /* OUT high at terminal count */

    /* LSB only. */
    qtest_outb(s, MODE, 0x54);
    t1 = qtest_clock_step(s, 1);
    qtest_outb(s, CH1, 0x80);
    at(s, t1, 0x10, 0);
    g_assert_cmphex(qtest_inb(s, CH1), ==, 0x70);
    /* MSB only: count 0x200. */
    qtest_outb(s, MODE, 0x64);
    t1 = qtest_clock_step(s, 1);
    qtest_outb(s, CH1, 0x02);
    at(s, t1, 0x10, 0);
    g_assert_cmphex(qtest_inb(s, CH1), ==, 0x01);
    /* BCD: 1000 decimal counts down in BCD. */
    qtest_outb(s, MODE, 0x75);
    t1 = load_word(s, CH1, 0x1000);
    at(s, t1, 10, 0);
    g_assert_cmphex(read_word(s, CH1), ==, 0x0990);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_channel2_port61(void)
{
    QTestState *s = start();

    qtest_outb(s, PORT61, 0x00);            /* gate 2 low */
    qtest_outb(s, MODE, 0xb0);              /* channel 2, mode 0 */
    load_word(s, CH2, 1000);
    g_assert_false(out2(s));
    qtest_clock_step(s, tick_ns(2000));
    g_assert_false(out2(s));                /* suspended by the gate */
    g_assert_cmpuint(read_word(s, CH2), ==, 1000);
    int64_t t0 = qtest_clock_step(s, 1);
    qtest_outb(s, PORT61, 0x01);
    at(s, t0, 1000, -1);
    g_assert_false(out2(s));
    at(s, t0, 1000, 0);
    g_assert_true(out2(s));

    /* Mode 1: OUT high until the gate's rising edge, then low for N ticks. */
    qtest_outb(s, PORT61, 0x00);
    qtest_outb(s, MODE, 0xb2);
    load_word(s, CH2, 100);
    g_assert_true(out2(s));
    t0 = qtest_clock_step(s, 1);
    qtest_outb(s, PORT61, 0x01);
    g_assert_false(out2(s));
    at(s, t0, 100, -1);
    g_assert_false(out2(s));
    at(s, t0, 100, 0);
    g_assert_true(out2(s));

    /* Mode 3 (the speaker tone): gate low forces OUT high. */
    qtest_outb(s, MODE, 0xb6);
    t0 = load_word(s, CH2, 200);
    at(s, t0, 150, 0);
    g_assert_false(out2(s));
    qtest_outb(s, PORT61, 0x00);
    g_assert_true(out2(s));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pit/mode2-rate", test_mode2_rate);
    g_test_add_func("/pit/mode0-mode3", test_mode0_mode3);
    g_test_add_func("/pit/latch-readback", test_latch_readback);
    g_test_add_func("/pit/channel2-port61", test_channel2_port61);
    return g_test_run();
}
