/*
 * The HPET on -machine pc (/machine/hpet0 at 0xfed00000): capabilities
 * (vendor 0x8086, 3 timers, 64-bit, legacy capable, 10 ns period), the main
 * counter (100,000,000 per virtual second, halted by ENABLE_CNF = 0, writable),
 * one-shot and periodic comparators in level and edge mode with the status
 * register, 32-bit mode, route capabilities (-global hpet.intcap), legacy
 * replacement taking IRQ 0 from the PIT and IRQ 8 from the RTC, and the ACPI
 * HPET table. Facts from the IA-PC HPET specification 1.0a.
 */
#include "libqtest.h"

#include <string.h>

#define HPET 0xfed00000ull
#define ID (HPET + 0x000)
#define CFG (HPET + 0x010)
#define STATUS (HPET + 0x020)
#define COUNTER (HPET + 0x0f0)
#define TN_CFG(n) (HPET + 0x100 + 0x20 * (n))
#define TN_CMP(n) (HPET + 0x108 + 0x20 * (n))

#define CFG_ENABLE 1
#define CFG_LEGACY 2
#define TN_LEVEL (1u << 1)
#define TN_ENABLE (1u << 2)
#define TN_PERIODIC (1u << 3)
#define TN_SETVAL (1u << 6)
#define TN_32BIT (1u << 8)
#define TN_ROUTE(n) ((n) << 9)

static QTestState *start(const char *extra)
{
    QTestState *s = qtest_initf("-machine pc %s", extra);
    qtest_irq_intercept_in(s, "/machine/gsi");
    return s;
}

static char *hmp(QTestState *s, const char *cmd)
{
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'human-monitor-command', "
                                      "'arguments': {'command-line': '%s'}}", cmd);
    return g_strdup(json_node_get_string(qtest_qmp_return(r)));
}

static void test_caps_counter(void)
{
    QTestState *s = start("");

    g_assert_cmphex(qtest_readl(s, ID), ==, 0x8086a201);
    g_assert_cmphex(qtest_readl(s, ID + 4), ==, 10000000);      /* fs per tick */
    g_assert_cmphex(qtest_readq(s, ID), ==, 0x009896808086a201ull);
    for (int n = 0; n < 3; n++) {
        /* Periodic and 64-bit capable; routes: IRQ 2 (QEMU's i440FX pc). */
        g_assert_cmphex(qtest_readq(s, TN_CFG(n)), ==, 0x0000000400000030ull);
        g_assert_cmphex(qtest_readq(s, TN_CMP(n)), ==, ~0ull);
    }
    /* Halted at reset: the counter does not move. */
    g_assert_cmphex(qtest_readq(s, CFG), ==, 0);
    qtest_clock_step(s, 1000000);
    g_assert_cmphex(qtest_readq(s, COUNTER), ==, 0);
    qtest_writel(s, CFG, CFG_ENABLE);
    qtest_clock_step(s, 1000000000);
    g_assert_cmphex(qtest_readq(s, COUNTER), ==, 100000000);
    g_assert_cmphex(qtest_readl(s, COUNTER), ==, 100000000);
    g_assert_cmphex(qtest_readl(s, COUNTER + 4), ==, 0);
    /* Halting keeps the value. */
    qtest_writel(s, CFG, 0);
    qtest_clock_step(s, 1000000);
    g_assert_cmphex(qtest_readq(s, COUNTER), ==, 100000000);
    /* Written while halted, it counts on from there. */
    qtest_writeq(s, COUNTER, 0x00000001fffffff0ull);
    qtest_writel(s, CFG, CFG_ENABLE);
    qtest_clock_step(s, 200);
    g_assert_cmphex(qtest_readq(s, COUNTER), ==, 0x0000000200000004ull);
    g_assert_cmphex(qtest_readl(s, COUNTER + 4), ==, 2);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_oneshot_level(void)
{
    QTestState *s = start("");

    qtest_writel(s, TN_CFG(0), TN_LEVEL | TN_ENABLE | TN_ROUTE(2));
    qtest_writeq(s, TN_CMP(0), 1000);
    int64_t t0 = qtest_clock_step(s, 1);
    qtest_writel(s, CFG, CFG_ENABLE);
    qtest_clock_set(s, t0 + 10000 - 1);
    g_assert_false(qtest_get_irq(s, 2));
    g_assert_cmphex(qtest_readl(s, STATUS), ==, 0);
    qtest_clock_set(s, t0 + 10000);
    g_assert_true(qtest_get_irq(s, 2));
    g_assert_cmphex(qtest_readl(s, STATUS), ==, 1);
    /* Writing 1 to the status bit ends the level interrupt. */
    qtest_writel(s, STATUS, 1);
    g_assert_false(qtest_get_irq(s, 2));
    g_assert_cmphex(qtest_readl(s, STATUS), ==, 0);
    /* 64-bit one-shot: no further match. */
    qtest_clock_step(s, 100000000);
    g_assert_false(qtest_get_irq(s, 2));

    /* With Tn_INT_ENB_CNF clear the status bit is still set, but no line. */
    qtest_writel(s, TN_CFG(0), TN_LEVEL | TN_ROUTE(2));
    uint64_t now = qtest_readq(s, COUNTER);
    qtest_writeq(s, TN_CMP(0), now + 100);
    qtest_clock_step(s, 1000);
    g_assert_cmphex(qtest_readl(s, STATUS), ==, 1);
    g_assert_false(qtest_get_irq(s, 2));
    /* Enabling the interrupt with the status set asserts the line. */
    qtest_writel(s, TN_CFG(0), TN_LEVEL | TN_ENABLE | TN_ROUTE(2));
    g_assert_true(qtest_get_irq(s, 2));
    /* Halting the HPET disables its interrupts. */
    qtest_writel(s, CFG, 0);
    g_assert_false(qtest_get_irq(s, 2));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_periodic(void)
{
    QTestState *s = start("");

    /* VAL_SET: the first comparator write sets accumulator and period. */
    qtest_writel(s, TN_CFG(0), TN_LEVEL | TN_ENABLE | TN_PERIODIC | TN_SETVAL | TN_ROUTE(2));
    qtest_writeq(s, TN_CMP(0), 5000);
    g_assert_cmphex(qtest_readl(s, TN_CFG(0)) & TN_SETVAL, ==, 0);
    int64_t t0 = qtest_clock_step(s, 1);
    qtest_writel(s, CFG, CFG_ENABLE);
    for (int k = 1; k <= 3; k++) {
        qtest_clock_set(s, t0 + k * 50000 - 1);
        g_assert_false(qtest_get_irq(s, 2));
        qtest_clock_set(s, t0 + k * 50000);
        g_assert_true(qtest_get_irq(s, 2));
        /* The comparator moved on by the period. */
        g_assert_cmphex(qtest_readq(s, TN_CMP(0)), ==, (k + 1) * 5000);
        qtest_writel(s, STATUS, 1);
        g_assert_false(qtest_get_irq(s, 2));
    }
    /* Without VAL_SET a write changes only the period. */
    qtest_writeq(s, TN_CMP(0), 2000);
    g_assert_cmphex(qtest_readq(s, TN_CMP(0)), ==, 20000);
    qtest_clock_set(s, t0 + 200000);
    g_assert_true(qtest_get_irq(s, 2));
    g_assert_cmphex(qtest_readq(s, TN_CMP(0)), ==, 22000);

    /* A 32-bit one-shot timer fires at the match, then when the low 32 bits
     * wrap, then at the match again (§2.3.9.2.1). */
    qtest_writel(s, CFG, 0);
    qtest_writel(s, STATUS, 1);
    qtest_writel(s, TN_CFG(0), 0);
    g_assert_false(qtest_get_irq(s, 2));
    qtest_writeq(s, COUNTER, 0xffffff00ull);
    qtest_writel(s, TN_CFG(2), TN_LEVEL | TN_ENABLE | TN_32BIT | TN_ROUTE(2));
    qtest_writel(s, TN_CMP(2), 0xffffff80);
    qtest_writel(s, CFG, CFG_ENABLE);
    qtest_clock_step(s, 0x80 * 10);
    g_assert_cmphex(qtest_readl(s, STATUS), ==, 4);
    qtest_writel(s, STATUS, 4);
    qtest_clock_step(s, 0x80 * 10 - 1);
    g_assert_cmphex(qtest_readl(s, STATUS), ==, 0);
    qtest_clock_step(s, 1);                     /* counter 0x100000000 */
    g_assert_cmphex(qtest_readl(s, STATUS), ==, 4);
    qtest_writel(s, STATUS, 4);
    qtest_clock_step(s, 1000000000);            /* 10 s: no match, no wrap */
    g_assert_cmphex(qtest_readl(s, STATUS), ==, 0);
    qtest_writel(s, TN_CFG(2), 0);

    /* 32-bit mode truncates the comparator. */
    qtest_writel(s, TN_CFG(1), TN_32BIT);
    qtest_writeq(s, TN_CMP(1), 0x123456789ull);
    g_assert_cmphex(qtest_readq(s, TN_CMP(1)), ==, 0x23456789);

    /* Edge-triggered periodic timer 1 (route 2), counted by the I/O APIC. */
    qtest_writel(s, 0xfec00000, 0x10 + 2 * 2);
    qtest_writel(s, 0xfec00010, 0x30);          /* pin 2: edge, vector 0x30 */
    qtest_writel(s, STATUS, 1);
    qtest_writel(s, TN_CFG(0), 0);
    qtest_writel(s, TN_CFG(1), TN_ENABLE | TN_PERIODIC | TN_SETVAL | TN_ROUTE(2));
    uint64_t c = qtest_readq(s, COUNTER);
    qtest_writeq(s, TN_CMP(1), c + 1000);
    qtest_writeq(s, TN_CMP(1), 1000);
    g_assert_cmphex(qtest_readl(s, STATUS), ==, 0);
    qtest_clock_step(s, 100000 + 5);
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'qom-get', 'arguments': "
                                      "{'path': '/machine/ioapic', 'property': 'delivered'}}");
    g_assert_cmpint(json_node_get_int(qtest_qmp_return(r)), ==, 10);
    g_assert_cmphex(qtest_readl(s, STATUS), ==, 0);   /* no status in edge mode */
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_routes(void)
{
    QTestState *s = start("");

    /* Route 5 is not in the capability: the old route stays. */
    qtest_writel(s, TN_CFG(2), TN_ROUTE(5));
    g_assert_cmphex(qtest_readl(s, TN_CFG(2)) & TN_ROUTE(0x1f), ==, 0);
    qtest_writel(s, TN_CFG(2), TN_ROUTE(2));
    g_assert_cmphex(qtest_readl(s, TN_CFG(2)) & TN_ROUTE(0x1f), ==, TN_ROUTE(2));
    g_assert_cmpint(qtest_quit(s), ==, 0);

    /* QEMU's q35 routes: IRQ 2, 8 and 16-23. */
    s = start("-global hpet.intcap=0xff0104");
    g_assert_cmphex(qtest_readl(s, TN_CFG(2) + 4), ==, 0xff0104);
    qtest_writel(s, TN_CFG(2), TN_LEVEL | TN_ENABLE | TN_ROUTE(17));
    g_assert_cmphex(qtest_readl(s, TN_CFG(2)) & TN_ROUTE(0x1f), ==, TN_ROUTE(17));
    qtest_writeq(s, TN_CMP(2), 10);
    qtest_writel(s, CFG, CFG_ENABLE);
    qtest_clock_step(s, 100);
    g_assert_true(qtest_get_irq(s, 17));
    g_assert_cmphex(qtest_readl(s, STATUS), ==, 4);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static uint8_t cmos_read(QTestState *s, uint8_t idx)
{
    qtest_outb(s, 0x70, idx);
    return qtest_inb(s, 0x71);
}

static void test_legacy_replacement(void)
{
    QTestState *s = start("-rtc clock=vm");

    /* PIT channel 0 in mode 3 (count 1000) and the RTC's periodic interrupt. */
    qtest_outb(s, 0x43, 0x36);
    int64_t t0 = qtest_clock_step(s, 1);
    qtest_outb(s, 0x40, 1000 & 0xff);
    qtest_outb(s, 0x40, 1000 >> 8);
    qtest_outb(s, 0x70, 0x0b);
    qtest_outb(s, 0x71, 0x42);                  /* PIE, 24-hour */
    qtest_clock_set(s, t0 + 2000000);           /* 2 ms: RTC flag set */
    g_assert_true(qtest_get_irq(s, 8));
    /* PIT tick 2386 (t=1.999907 ms) -> OUT high until tick 2500. */
    g_assert_true(qtest_get_irq(s, 0));

    qtest_writel(s, CFG, CFG_LEGACY);
    g_assert_false(qtest_get_irq(s, 0));
    g_assert_false(qtest_get_irq(s, 8));
    g_autofree char *info = hmp(s, "info pit");
    g_assert_nonnull(strstr(info, "IRQ 0 owned by the HPET"));
    /* The PIT keeps counting but no longer reaches GSI 0. */
    qtest_clock_set(s, t0 + 3000000);
    g_assert_false(qtest_get_irq(s, 0));
    g_assert_cmphex(qtest_readl(s, 0xfed00000 + 0x10), ==, CFG_LEGACY);

    /* Timer 0 now interrupts on IRQ 0 (GSI 0), timer 1 on IRQ 8. */
    qtest_writel(s, TN_CFG(0), TN_LEVEL | TN_ENABLE);
    qtest_writel(s, TN_CFG(1), TN_LEVEL | TN_ENABLE);
    qtest_writeq(s, TN_CMP(0), 100);
    qtest_writeq(s, TN_CMP(1), 200);
    qtest_writel(s, CFG, CFG_LEGACY | CFG_ENABLE);
    qtest_clock_step(s, 1000);
    g_assert_true(qtest_get_irq(s, 0));
    g_assert_false(qtest_get_irq(s, 2));
    qtest_clock_step(s, 1000);
    g_assert_true(qtest_get_irq(s, 8));
    g_assert_cmphex(qtest_readl(s, STATUS), ==, 3);
    qtest_writel(s, STATUS, 3);
    g_assert_false(qtest_get_irq(s, 0));
    g_assert_false(qtest_get_irq(s, 8));

    /* Leaving legacy mode hands IRQ 8 back to the RTC (still asserting) and
     * IRQ 0 back to the PIT. */
    qtest_writel(s, CFG, CFG_ENABLE);
    g_assert_true(qtest_get_irq(s, 8));
    cmos_read(s, 0x0c);                         /* reading C ends it */
    g_assert_false(qtest_get_irq(s, 8));
    int64_t now = qtest_clock_step(s, 1);
    uint64_t tick = (now - t0) * 1193182ull / 1000000000ull;
    g_assert_cmpint(qtest_get_irq(s, 0), ==, tick % 1000 < 500);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* The ACPI HPET table (spec §3.2.4) is in the tables emu writes for direct
 * boot at 0xe0000-0xfffff. */
static void test_acpi_table(void)
{
    QTestState *s = qtest_init("-machine pc");
    g_autofree uint8_t *area = g_malloc(0x20000);
    qtest_memread(s, 0xe0000, area, 0x20000);
    long off = -1;
    for (long i = 0; i + 56 <= 0x20000; i++) {     /* tables are packed, unaligned */
        if (!memcmp(area + i, "HPET", 4)) {
            off = i;
            break;
        }
    }
    g_assert_cmpint(off, >=, 0);
    const uint8_t *t = area + off;
    uint32_t len = t[4] | t[5] << 8 | t[6] << 16 | (uint32_t)t[7] << 24;
    g_assert_cmpuint(len, ==, 56);
    uint8_t sum = 0;
    for (uint32_t i = 0; i < len; i++) {
        sum += t[i];
    }
    g_assert_cmpuint(sum, ==, 0);
    g_assert_cmphex(t[36] | t[37] << 8 | t[38] << 16 | (uint32_t)t[39] << 24, ==, 0x8086a201);
    g_assert_cmphex(t[44] | t[45] << 8 | t[46] << 16 | (uint32_t)t[47] << 24, ==, 0xfed00000);
    g_assert_cmpint(qtest_quit(s), ==, 0);

    /* -machine hpet=off: no device, no table. */
    s = qtest_init("-machine pc,hpet=off");
    qtest_memread(s, 0xe0000, area, 0x20000);
    int tables = 0;
    for (long i = 0; i + 8 <= 0x20000; i++) {
        tables += !memcmp(area + i, "HPET", 4) && area[i + 4] == 56;
    }
    g_assert_cmpint(tables, ==, 0);
    g_assert_cmphex(qtest_readl(s, ID), ==, 0xffffffff);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hpet/caps-counter", test_caps_counter);
    g_test_add_func("/hpet/oneshot-level", test_oneshot_level);
    g_test_add_func("/hpet/periodic", test_periodic);
    g_test_add_func("/hpet/routes", test_routes);
    g_test_add_func("/hpet/legacy-replacement", test_legacy_replacement);
    g_test_add_func("/hpet/acpi-table", test_acpi_table);
    return g_test_run();
}
