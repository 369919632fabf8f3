/*
 * The 8254's lost-tick reinjection (isa-pit lost_tick_policy=delay, the
 * default; QEMU's kvm-pit property of that name): channel 0 periods that end
 * while the previous IRQ 0 interrupt is not yet acknowledged are owed to the
 * guest, and each acknowledge -- an 8259 INTA (here the poll command, which
 * the 8259A datasheet defines as an INTA without the vector) or an EOI of the
 * vector of I/O APIC pin 2 (here the I/O APIC's EOI register) -- sends one
 * more edge until the debt is paid. Reprogramming channel 0 or masking the
 * line drops the debt. The HPET's timer 0 in legacy replacement mode (what
 * Linux uses for IRQ 0 when there is an HPET) owes its periods the same way.
 *
 * The oracle is the period count: mode 2 with count n has a rising edge of
 * OUT at every tick k * n (8254 datasheet, mode 2), tick k at
 * k * 10^9 / 1193182 ns of the virtual clock, which moves only when the test
 * steps it. Stepping over N periods with nothing acknowledged must give the
 * guest N interrupts in all, however many acknowledges it makes.
 */
#include "libqtest.h"

#include <string.h>

#define CH0 0x40
#define MODE 0x43
#define PIC_CMD 0x20
#define PIC_DATA 0x21
#define IOAPIC 0xfec00000ull
#define IOREGSEL (IOAPIC + 0x00)
#define IOWIN (IOAPIC + 0x10)
#define IOEOI (IOAPIC + 0x40)
#define REDTBL(n) (0x10 + 2 * (n))
#define MASKED (1u << 16)
#define PIT_HZ 1193182ull
#define COUNT 1193                          /* ~1 ms */
#define TIMER_VECTOR 0x30

static int64_t period_ns(void)
{
    return (COUNT * 1000000000ull + PIT_HZ - 1) / PIT_HZ;
}

static QTestState *start(const char *policy)
{
    return qtest_initf("-machine pc%s%s", policy ? " -global isa-pit.lost_tick_policy=" : "",
                       policy ? policy : "");
}

/* ICW1-4: vectors 0x08.., cascade on IR2, 8086 mode; then OCW1 = @imr. */
static void pic_init(QTestState *s, uint8_t imr)
{
    qtest_outb(s, PIC_CMD, 0x11);
    qtest_outb(s, PIC_DATA, 0x08);
    qtest_outb(s, PIC_DATA, 0x04);
    qtest_outb(s, PIC_DATA, 0x01);
    qtest_outb(s, PIC_DATA, imr);
}

static int pic_drain(QTestState *s);

/* Channel 0, LSB then MSB, mode 2 (rate generator), count COUNT. The control
 * word takes OUT from low (reset) to high: that edge is taken here. */
static void pit_start_mode2(QTestState *s)
{
    qtest_clock_step(s, 1);
    qtest_outb(s, MODE, 0x34);
    qtest_outb(s, CH0, COUNT & 0xff);
    qtest_outb(s, CH0, COUNT >> 8);
    pic_drain(s);
    /* Half-way into the first period: whole steps never land on an edge. */
    qtest_clock_step(s, period_ns() / 2);
}

/* Let @n whole periods pass. */
static void periods(QTestState *s, int n)
{
    qtest_clock_step(s, n * period_ns());
}

/* Poll command (OCW3 P=1), then the read that acts as INTA: IR0 taken? Ends
 * its service with a non-specific EOI, as a handler would. */
static bool pic_take_irq0(QTestState *s)
{
    qtest_outb(s, PIC_CMD, 0x0c);
    uint8_t v = qtest_inb(s, PIC_CMD);
    if (!(v & 0x80)) {
        return false;
    }
    qtest_outb(s, PIC_CMD, 0x20);
    return (v & 7) == 0;
}

/* How many IRQ 0 interrupts the 8259 hands out without the clock moving
 * (bounded, so that an endless storm fails instead of hanging). */
static int pic_drain(QTestState *s)
{
    int n = 0;
    while (n < 5000 && pic_take_irq0(s)) {
        n++;
    }
    return n;
}

static void ioapic_write(QTestState *s, uint8_t reg, uint32_t val)
{
    qtest_writel(s, IOREGSEL, reg);
    qtest_writel(s, IOWIN, val);
}

static uint64_t ioapic_delivered(QTestState *s)
{
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'qom-get', 'arguments': "
                                      "{'path': '/machine/ioapic', 'property': 'delivered'}}");
    JsonNode *v = qtest_qmp_return(r);
    g_assert_nonnull(v);
    return json_node_get_int(v);
}

/* EOIs of the timer vector through the I/O APIC's EOI register until one
 * sends no new message; returns how many did. */
static int ioapic_drain(QTestState *s)
{
    int n = 0;
    uint64_t before = ioapic_delivered(s);

    while (n < 1000) {
        qtest_writel(s, IOEOI, TIMER_VECTOR);
        uint64_t now = ioapic_delivered(s);
        if (now == before) {
            break;
        }
        g_assert_cmpuint(now, ==, before + 1);
        before = now;
        n++;
    }
    return n;
}

static void test_pic_backlog(void)
{
    QTestState *s = start(NULL);
    const int n = 12;

    pic_init(s, 0x00);
    pit_start_mode2(s);
    /* Acknowledged at once: one interrupt per period, nothing owed. */
    for (int i = 0; i < 3; i++) {
        periods(s, 1);
        g_assert_cmpint(pic_drain(s), ==, 1);
    }
    /* N periods unacknowledged: the 8259 latched one edge; N - 1 are owed
     * and come one per INTA. */
    periods(s, n);
    g_assert_cmpint(pic_drain(s), ==, n);
    /* Paid: the next period gives one again. */
    periods(s, 1);
    g_assert_cmpint(pic_drain(s), ==, 1);

    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'human-monitor-command', "
                                      "'arguments': {'command-line': 'info pit'}}");
    const char *text = json_node_get_string(qtest_qmp_return(r));
    g_assert_nonnull(strstr(text, "lost_tick_policy delay, 0 periods owed, 11 reinjected"));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_pic_discard(void)
{
    QTestState *s = start("discard");

    pic_init(s, 0x00);
    pit_start_mode2(s);
    periods(s, 12);
    g_assert_cmpint(pic_drain(s), ==, 1);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_reprogram_drops(void)
{
    QTestState *s = start("delay");

    pic_init(s, 0x00);
    pit_start_mode2(s);
    periods(s, 10);
    /* A new control word for channel 0: the debt goes; the edge already
     * latched in IRR stays. */
    qtest_outb(s, MODE, 0x34);
    g_assert_cmpint(pic_drain(s), ==, 1);

    /* Same for a new count alone. */
    qtest_outb(s, CH0, COUNT & 0xff);
    qtest_outb(s, CH0, COUNT >> 8);
    periods(s, 10);
    qtest_outb(s, CH0, COUNT & 0xff);
    qtest_outb(s, CH0, COUNT >> 8);
    g_assert_cmpint(pic_drain(s), ==, 1);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_pic_mask_drops(void)
{
    QTestState *s = start(NULL);

    pic_init(s, 0x00);
    pit_start_mode2(s);
    /* Masked then unmasked between periods (Linux's mask_and_ack_8259A around
     * each interrupt): the debt stays. */
    periods(s, 6);
    qtest_outb(s, PIC_DATA, 0x01);
    qtest_outb(s, PIC_DATA, 0x00);
    g_assert_cmpint(pic_drain(s), ==, 6);
    /* Masked across periods: the 8259 still latches one edge in IRR, the debt
     * goes on unmask. */
    qtest_outb(s, PIC_DATA, 0x01);
    periods(s, 6);
    g_assert_cmpint(pic_drain(s), ==, 0);
    qtest_outb(s, PIC_DATA, 0x00);
    g_assert_cmpint(pic_drain(s), ==, 1);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_ioapic_backlog(void)
{
    QTestState *s = start(NULL);
    const int n = 8;

    pic_init(s, 0xff);                      /* IRQ 0 through the I/O APIC only */
    ioapic_write(s, REDTBL(2) + 1, 0);
    ioapic_write(s, REDTBL(2), TIMER_VECTOR);   /* fixed, edge, unmasked */
    pit_start_mode2(s);
    uint64_t d0 = ioapic_delivered(s);
    periods(s, 1);
    g_assert_cmpuint(ioapic_delivered(s), ==, d0 + 1);
    g_assert_cmpint(ioapic_drain(s), ==, 0);     /* acknowledged in time */

    /* N periods without EOI: the I/O APIC passes each edge on, but the local
     * APIC's IRR holds one; N - 1 come again, one per EOI. */
    d0 = ioapic_delivered(s);
    periods(s, n);
    g_assert_cmpuint(ioapic_delivered(s), ==, d0 + n);
    g_assert_cmpint(ioapic_drain(s), ==, n - 1);

    /* Masking pin 2 drops the debt, as unmasking does. */
    periods(s, n);
    ioapic_write(s, REDTBL(2), TIMER_VECTOR | MASKED);
    ioapic_write(s, REDTBL(2), TIMER_VECTOR);
    g_assert_cmpint(ioapic_drain(s), ==, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_bound_and_reset(void)
{
    QTestState *s = start(NULL);

    pic_init(s, 0x00);
    pit_start_mode2(s);
    /* Five seconds unacknowledged: at most one second of periods is owed. */
    qtest_clock_step(s, 5000000000ll);
    int got = pic_drain(s);
    g_assert_cmpint(got, ==, 1 + PIT_HZ / COUNT);
    /* A machine reset drops the debt and the channel's programming. */
    periods(s, 10);
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'system_reset'}");
    g_assert_nonnull(qtest_qmp_return(r));
    pic_init(s, 0x00);
    periods(s, 10);
    g_assert_cmpint(pic_drain(s), ==, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/*
 * The HPET's timer 0 in legacy replacement mode is IRQ 0 in the 8254's place
 * (IA-PC HPET 1.0a §2.4) and owes its periods the same way. 100 MHz counter:
 * a period of 100000 ticks is 1 ms; periodic mode matches every period
 * (§2.3.9.2.2).
 */
#define HPET_BASE 0xfed00000ull
#define HPET_PERIOD_TICKS 100000
#define HPET_PERIOD_NS 1000000

static void test_hpet_backlog(void)
{
    QTestState *s = start(NULL);
    const int n = 9;

    pic_init(s, 0x00);
    /* Timer 0: enabled, periodic, edge, accumulator set by the next write. */
    qtest_writeq(s, HPET_BASE + 0x100, 0x4c);
    qtest_writeq(s, HPET_BASE + 0x108, HPET_PERIOD_TICKS);
    qtest_writel(s, HPET_BASE + 0x10, 0x3);     /* ENABLE_CNF | LEG_RT_CNF */
    qtest_clock_step(s, HPET_PERIOD_NS / 2);
    g_assert_cmpint(pic_drain(s), ==, 0);
    qtest_clock_step(s, HPET_PERIOD_NS);
    g_assert_cmpint(pic_drain(s), ==, 1);
    qtest_clock_step(s, n * HPET_PERIOD_NS);
    g_assert_cmpint(pic_drain(s), ==, n);
    /* Rewriting timer 0's comparator drops the debt. */
    qtest_clock_step(s, n * HPET_PERIOD_NS);
    qtest_writeq(s, HPET_BASE + 0x108, HPET_PERIOD_TICKS);
    g_assert_cmpint(pic_drain(s), ==, 1);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pit-reinject/pic-backlog", test_pic_backlog);
    g_test_add_func("/pit-reinject/pic-discard", test_pic_discard);
    g_test_add_func("/pit-reinject/reprogram-drops", test_reprogram_drops);
    g_test_add_func("/pit-reinject/pic-mask", test_pic_mask_drops);
    g_test_add_func("/pit-reinject/ioapic-backlog", test_ioapic_backlog);
    g_test_add_func("/pit-reinject/bound-and-reset", test_bound_and_reset);
    g_test_add_func("/pit-reinject/hpet-backlog", test_hpet_backlog);
    return g_test_run();
}
