/*
 * The I/O APIC on -machine pc (/machine/ioapic at 0xfec00000, IOREGSEL +0x00,
 * IOWIN +0x10, EOI +0x40): ID/version/arbitration registers, the redirection
 * table (masked at reset, read-only delivery status and remote IRR),
 * edge and level delivery from GSI inputs, masked pins, remote IRR held until
 * EOI (the EOI register, or switching the entry to edge), and the board's
 * routing: ISA IRQ 0 and GSI 2 on pin 2, the 8259's INT on pin 0. Under qtest
 * there is no local APIC, so messages are dropped by the APIC bus; the I/O
 * APIC's QOM counters "delivered" and "last-message" (the redirection entry
 * sent) show what it sent. Facts from the 82093AA datasheet §3.
 */
#include "libqtest.h"

#include <string.h>

#define IOAPIC 0xfec00000ull
#define IOREGSEL (IOAPIC + 0x00)
#define IOWIN (IOAPIC + 0x10)
#define IOEOI (IOAPIC + 0x40)
#define REDTBL(n) (0x10 + 2 * (n))
#define MASKED (1u << 16)
#define LEVEL (1u << 15)
#define REMOTE_IRR (1u << 14)

static uint32_t ioapic_read(QTestState *s, uint8_t reg)
{
    qtest_writel(s, IOREGSEL, reg);
    return qtest_readl(s, IOWIN);
}

static void ioapic_write(QTestState *s, uint8_t reg, uint32_t val)
{
    qtest_writel(s, IOREGSEL, reg);
    qtest_writel(s, IOWIN, val);
}

static void gsi(QTestState *s, int n, int level)
{
    qtest_set_irq_in(s, "/machine/gsi", NULL, n, level);
}

static uint64_t qom_uint(QTestState *s, const char *prop)
{
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'qom-get', 'arguments': "
                                      "{'path': '/machine/ioapic', 'property': '%s'}}", prop);
    JsonNode *v = qtest_qmp_return(r);
    g_assert_nonnull(v);
    return json_node_get_int(v);
}

static uint64_t delivered(QTestState *s)
{
    return qom_uint(s, "delivered");
}

static void test_registers(void)
{
    QTestState *s = qtest_init("-machine pc");

    /* Version 0x20, 24 entries (maximum redirection entry 23). */
    g_assert_cmphex(ioapic_read(s, 0x01), ==, 0x00170020);
    g_assert_cmphex(ioapic_read(s, 0x00), ==, 0);
    ioapic_write(s, 0x00, 0x0a000000);
    g_assert_cmphex(ioapic_read(s, 0x00), ==, 0x0a000000);
    g_assert_cmphex(ioapic_read(s, 0x02), ==, 0x0a000000);     /* arbitration ID */
    ioapic_write(s, 0x01, 0);                                  /* read-only */
    g_assert_cmphex(ioapic_read(s, 0x01), ==, 0x00170020);
    g_assert_cmphex(qtest_readl(s, IOREGSEL), ==, 0x01);
    /* Every entry masked at reset. */
    for (int pin = 0; pin < 24; pin++) {
        g_assert_cmphex(ioapic_read(s, REDTBL(pin)), ==, MASKED);
        g_assert_cmphex(ioapic_read(s, REDTBL(pin) + 1), ==, 0);
    }
    /* Entries read back; delivery status and remote IRR are read-only. */
    ioapic_write(s, REDTBL(7), 0xffffffff);
    g_assert_cmphex(ioapic_read(s, REDTBL(7)), ==, 0x0001afff);
    ioapic_write(s, REDTBL(7) + 1, 0xff000000);
    g_assert_cmphex(ioapic_read(s, REDTBL(7) + 1), ==, 0xff000000);
    ioapic_write(s, REDTBL(7) + 1, 0x00ffffff);
    g_assert_cmphex(ioapic_read(s, REDTBL(7) + 1), ==, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_edge(void)
{
    QTestState *s = qtest_init("-machine pc");

    /* Masked: an edge is lost. */
    gsi(s, 4, 1);
    gsi(s, 4, 0);
    g_assert_cmpuint(delivered(s), ==, 0);
    ioapic_write(s, REDTBL(4) + 1, 0x01000000);
    ioapic_write(s, REDTBL(4), 0x34);
    g_assert_cmpuint(delivered(s), ==, 0);
    gsi(s, 4, 1);
    g_assert_cmpuint(delivered(s), ==, 1);
    g_assert_cmphex(qom_uint(s, "last-message"), ==, 0x0100000000000034ull);
    /* Holding the line is one edge; no remote IRR for edge entries. */
    gsi(s, 4, 1);
    g_assert_cmpuint(delivered(s), ==, 1);
    g_assert_cmphex(ioapic_read(s, REDTBL(4)) & REMOTE_IRR, ==, 0);
    gsi(s, 4, 0);
    gsi(s, 4, 1);
    g_assert_cmpuint(delivered(s), ==, 2);
    gsi(s, 4, 0);

    /* ISA IRQ 0 arrives on pin 2 (the MADT override), as does GSI 2. */
    ioapic_write(s, REDTBL(2), 0x30);
    gsi(s, 0, 1);
    g_assert_cmpuint(delivered(s), ==, 3);
    g_assert_cmphex(qom_uint(s, "last-message") & 0xff, ==, 0x30);
    gsi(s, 0, 0);
    gsi(s, 2, 1);
    g_assert_cmpuint(delivered(s), ==, 4);
    gsi(s, 2, 0);
    /* Pin 0 carries the 8259's INT (virtual wire mode B): an ExtINT entry. */
    ioapic_write(s, REDTBL(0), 0x700);
    qtest_outb(s, 0x20, 0x11);
    qtest_outb(s, 0x21, 0x08);
    qtest_outb(s, 0x21, 0x04);
    qtest_outb(s, 0x21, 0x01);
    gsi(s, 1, 1);
    g_assert_cmpuint(delivered(s), ==, 5);
    g_assert_cmphex(qom_uint(s, "last-message"), ==, 0x700);

    /* Without CPUs the APIC bus drops what it gets, and says so. */
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'human-monitor-command', "
                                      "'arguments': {'command-line': 'info pic'}}");
    const char *text = json_node_get_string(qtest_qmp_return(r));
    g_assert_nonnull(strstr(text, "ioapic0: 5 messages sent, 5 dropped by the APIC bus"));
    g_assert_nonnull(strstr(text, "pin 4  0x0100000000000034 dest=1 vec=52"));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_level_remote_irr(void)
{
    QTestState *s = qtest_init("-machine pc");

    ioapic_write(s, REDTBL(10), LEVEL | 0x3a);
    gsi(s, 10, 1);
    g_assert_cmpuint(delivered(s), ==, 1);
    g_assert_cmphex(ioapic_read(s, REDTBL(10)), ==, LEVEL | REMOTE_IRR | 0x3a);
    /* No more messages until the EOI, however the line moves. */
    gsi(s, 10, 0);
    gsi(s, 10, 1);
    g_assert_cmpuint(delivered(s), ==, 1);
    /* EOI for another vector changes nothing. */
    qtest_writel(s, IOEOI, 0x3b);
    g_assert_cmphex(ioapic_read(s, REDTBL(10)) & REMOTE_IRR, ==, REMOTE_IRR);
    /* EOI with the line still asserted: delivered again. */
    qtest_writel(s, IOEOI, 0x3a);
    g_assert_cmpuint(delivered(s), ==, 2);
    g_assert_cmphex(ioapic_read(s, REDTBL(10)) & REMOTE_IRR, ==, REMOTE_IRR);
    /* Line released, EOI: remote IRR clears, nothing sent. */
    gsi(s, 10, 0);
    qtest_writel(s, IOEOI, 0x3a);
    g_assert_cmpuint(delivered(s), ==, 2);
    g_assert_cmphex(ioapic_read(s, REDTBL(10)) & REMOTE_IRR, ==, 0);

    /* A level asserted while masked is delivered when unmasked. */
    ioapic_write(s, REDTBL(11), MASKED | LEVEL | 0x3c);
    gsi(s, 11, 1);
    g_assert_cmpuint(delivered(s), ==, 2);
    ioapic_write(s, REDTBL(11), LEVEL | 0x3c);
    g_assert_cmpuint(delivered(s), ==, 3);
    /* Switching the entry to edge clears remote IRR (Linux's EOI fallback for
     * I/O APICs without an EOI register); back to level, still asserted:
     * delivered again. */
    ioapic_write(s, REDTBL(11), MASKED | 0x3c);
    g_assert_cmphex(ioapic_read(s, REDTBL(11)) & REMOTE_IRR, ==, 0);
    ioapic_write(s, REDTBL(11), LEVEL | 0x3c);
    g_assert_cmpuint(delivered(s), ==, 4);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ioapic/registers", test_registers);
    g_test_add_func("/ioapic/edge", test_edge);
    g_test_add_func("/ioapic/level-remote-irr", test_level_remote_irr);
    return g_test_run();
}
