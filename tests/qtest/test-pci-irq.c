/*
 * PCI interrupts on -machine pc: INTx through the PIIX3 PIRQ routers to the
 * GSI router's inputs (intercepted: /machine/gsi, ISA IRQ n = GSI n, PIRQA-D
 * also on GSI 16-19), MSI and MSI-X messages from emu-pci-testdev.
 *
 * Oracles: the board's INTx swizzle as SeaBIOS programs it (slot s pin p ->
 * PIRQ (s - 1 + p) mod 4), PIIX3 PIRQRC semantics (82371SB §2.2.9), the
 * command/status INTx bits (PCI 3.0 §6.2.2-3), MSI and MSI-X message, mask
 * and pending rules (§6.8.1-2). Messages are observed where they land: in
 * guest RAM (the test points them there, as QEMU's libqos does), in a RAM
 * BAR above 4 GiB, and in the APIC window at 0xfee00000 (`info lapic` counts
 * messages there that no CPU took; qtest runs none).
 */
#include "pci-helpers.h"

#define PIIX3 BDF(1, 0)
#define IO(slot) (0xc000 + (slot) * 0x100)

static void td_setup(QTestState *s, int slot)
{
    cfg_writel(s, BDF(slot, 0), PCI_BASE_ADDRESS_0, IO(slot));
    cfg_writew(s, BDF(slot, 0), PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
}

static void intx(QTestState *s, int slot, int level)
{
    qtest_outl(s, IO(slot) + PCITESTDEV_REG_INTX, level);
}

static int pirq_of(int slot, int pin)
{
    return (slot - 1 + pin - 1) & 3;
}

/* Exactly the GSIs in @mask are asserted. */
static void expect_gsis(QTestState *s, uint32_t mask)
{
    for (int g = 0; g < 24; g++) {
        bool want = mask & (1u << g);
        if (qtest_get_irq(s, g) != want) {
            g_error("GSI %d is %s, expected %s (expected set: 0x%06x)", g,
                    want ? "low" : "high", want ? "high" : "low", mask);
        }
    }
}

#define GSI(n) (1u << (n))

static QTestState *start_intx(void)
{
    QTestState *s = qtest_init("-machine pc -device emu-pci-testdev,addr=03.0 "
                               "-device emu-pci-testdev,addr=04.0,intx-pin=2 "
                               "-device emu-pci-testdev,addr=07.0,intx-pin=0 "
                               "-device emu-pci-testdev,addr=08.0,intx-pin=4 "
                               "-device emu-pci-testdev,addr=0c.0 "
                               "-device emu-pci-testdev,addr=0d.0,intx-pin=2");
    qtest_irq_intercept_in(s, "/machine/gsi");
    const int slots[] = { 3, 4, 7, 8, 12, 13 };
    for (size_t i = 0; i < G_N_ELEMENTS(slots); i++) {
        td_setup(s, slots[i]);
    }
    return s;
}

static void test_swizzle(void)
{
    QTestState *s = start_intx();
    const struct { int slot, pin; } fns[] = { { 3, 1 }, { 4, 2 }, { 8, 4 }, { 12, 1 },
                                                { 13, 2 } };

    /* Routing disabled at reset (PIRQRC = 0x80): only the I/O APIC inputs. */
    for (int p = 0; p < 4; p++) {
        g_assert_cmphex(cfg_readb(s, PIIX3, 0x60 + p), ==, 0x80);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(fns); i++) {
        g_assert_cmpuint(cfg_readb(s, BDF(fns[i].slot, 0), PCI_INTERRUPT_PIN), ==,
                         fns[i].pin);
        intx(s, fns[i].slot, 1);
        expect_gsis(s, GSI(16 + pirq_of(fns[i].slot, fns[i].pin)));
        intx(s, fns[i].slot, 0);
        expect_gsis(s, 0);
    }
    /* SeaBIOS's routing: PIRQA/B -> 10, PIRQC/D -> 11 (piix_isa_bridge_setup). */
    cfg_writel(s, PIIX3, 0x60, 0x0b0b0a0a);
    for (size_t i = 0; i < G_N_ELEMENTS(fns); i++) {
        int pirq = pirq_of(fns[i].slot, fns[i].pin);
        intx(s, fns[i].slot, 1);
        expect_gsis(s, GSI(16 + pirq) | GSI(pirq < 2 ? 10 : 11));
        intx(s, fns[i].slot, 0);
    }
    expect_gsis(s, 0);
    /* No interrupt pin: asserting does nothing. */
    intx(s, 7, 1);
    expect_gsis(s, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_routing(void)
{
    QTestState *s = start_intx();
    int pirq3 = pirq_of(3, 1);          /* PIRQC */
    int pirq12 = pirq_of(12, 1);        /* PIRQD */

    cfg_writeb(s, PIIX3, 0x60 + pirq3, 5);
    intx(s, 3, 1);
    expect_gsis(s, GSI(5) | GSI(16 + pirq3));
    /* Re-route while asserted: the old IRQ drops, the new one rises. */
    cfg_writeb(s, PIIX3, 0x60 + pirq3, 9);
    expect_gsis(s, GSI(9) | GSI(16 + pirq3));
    /* Disable routing (bit 7) keeps the IRQ number but routes nothing. */
    cfg_writeb(s, PIIX3, 0x60 + pirq3, 0x89);
    g_assert_cmphex(cfg_readb(s, PIIX3, 0x60 + pirq3), ==, 0x89);
    expect_gsis(s, GSI(16 + pirq3));
    /* Reserved bits 6:4 read 0. */
    cfg_writeb(s, PIIX3, 0x60 + pirq3, 0x7f);
    g_assert_cmphex(cfg_readb(s, PIIX3, 0x60 + pirq3), ==, 0x0f);
    expect_gsis(s, GSI(15) | GSI(16 + pirq3));
    /* Reserved IRQs 0, 1, 2, 8, 13: nothing routed there. */
    const int reserved[] = { 0, 1, 2, 8, 13 };
    for (size_t i = 0; i < G_N_ELEMENTS(reserved); i++) {
        cfg_writeb(s, PIIX3, 0x60 + pirq3, reserved[i]);
        expect_gsis(s, GSI(16 + pirq3));
    }
    /* Two PIRQs on one IRQ, two functions on one PIRQ: wire-OR. */
    cfg_writeb(s, PIIX3, 0x60 + pirq3, 11);
    cfg_writeb(s, PIIX3, 0x60 + pirq12, 11);
    intx(s, 12, 1);
    expect_gsis(s, GSI(11) | GSI(16 + pirq3) | GSI(16 + pirq12));
    intx(s, 3, 0);
    expect_gsis(s, GSI(11) | GSI(16 + pirq12));
    intx(s, 12, 0);
    expect_gsis(s, 0);
    /* 08.0 pin D and 03.0 pin A share PIRQC. */
    g_assert_cmpint(pirq_of(8, 4), ==, pirq3);
    intx(s, 3, 1);
    intx(s, 8, 1);
    intx(s, 3, 0);
    expect_gsis(s, GSI(11) | GSI(16 + pirq3));
    intx(s, 8, 0);
    expect_gsis(s, 0);
    /* A system reset drops every line and the routing. */
    intx(s, 3, 1);
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(s, "RESET");
    expect_gsis(s, 0);
    g_assert_cmphex(cfg_readl(s, PIIX3, 0x60), ==, 0x80808080);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Interrupt Status follows the request; Interrupt Disable gates the pin. */
static void test_intx_disable(void)
{
    QTestState *s = start_intx();
    int pirq = pirq_of(3, 1);

    cfg_writeb(s, PIIX3, 0x60 + pirq, 10);
    g_assert_cmphex(cfg_readw(s, BDF(3, 0), PCI_STATUS) & PCI_STATUS_INTERRUPT, ==, 0);
    intx(s, 3, 1);
    g_assert_cmphex(cfg_readw(s, BDF(3, 0), PCI_STATUS) & PCI_STATUS_INTERRUPT, !=, 0);
    expect_gsis(s, GSI(10) | GSI(16 + pirq));
    cfg_writew(s, BDF(3, 0), PCI_COMMAND,
               PCI_COMMAND_IO | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
    expect_gsis(s, 0);
    g_assert_cmphex(cfg_readw(s, BDF(3, 0), PCI_STATUS) & PCI_STATUS_INTERRUPT, !=, 0);
    cfg_writew(s, BDF(3, 0), PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    expect_gsis(s, GSI(10) | GSI(16 + pirq));
    /* The status bit is read-only: writing it changes nothing. */
    cfg_writew(s, BDF(3, 0), PCI_STATUS, 0xffff);
    g_assert_cmphex(cfg_readw(s, BDF(3, 0), PCI_STATUS) & PCI_STATUS_INTERRUPT, !=, 0);
    intx(s, 3, 0);
    g_assert_cmphex(cfg_readw(s, BDF(3, 0), PCI_STATUS) & PCI_STATUS_INTERRUPT, ==, 0);
    expect_gsis(s, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- MSI ---- */

#define TD BDF(3, 0)
#define TD2 BDF(4, 0)
#define MSG_RAM 0x10000

static uint64_t apic_dropped(QTestState *s)
{
    g_autofree char *out = hmp(s, "info lapic");
    const char *p = strstr(out, "APIC bus: ");
    g_assert_nonnull(p);
    return g_ascii_strtoull(p + strlen("APIC bus: "), NULL, 10);
}

static void msi(QTestState *s, unsigned vector)
{
    qtest_outl(s, IO(3) + PCITESTDEV_REG_MSI, vector);
}

static void test_msi(void)
{
    QTestState *s = qtest_init("-machine pc -device emu-pci-testdev,addr=03.0 "
                               "-device emu-pci-testdev,addr=04.0");
    uint8_t cap = cfg_find_cap(s, TD, PCI_CAP_ID_MSI);
    g_assert_cmpuint(cap, !=, 0);
    td_setup(s, 3);
    qtest_irq_intercept_in(s, "/machine/gsi");

    /* 64-bit capable, maskable: address lo/hi at +4/+8, data +12, mask +16,
     * pending +20. Address bits 1:0 are read-only 0. */
    cfg_writel(s, TD, cap + 4, MSG_RAM | 3);
    g_assert_cmphex(cfg_readl(s, TD, cap + 4), ==, MSG_RAM);
    cfg_writel(s, TD, cap + 8, 0);
    cfg_writel(s, TD, cap + 12, 0xffff4560);            /* data is 16 bits */
    g_assert_cmphex(cfg_readl(s, TD, cap + 12), ==, 0x4560);
    qtest_writel(s, MSG_RAM, 0);
    /* Disabled: nothing is sent. */
    msi(s, 0);
    g_assert_cmphex(qtest_readl(s, MSG_RAM), ==, 0);
    /* Enabled with 4 vectors: vector v replaces the low 2 bits of the data. */
    cfg_writew(s, TD, cap + 2, 0x0001 | (2 << 4));
    g_assert_cmphex(cfg_readw(s, TD, cap + 2), ==, 0x01a5);
    msi(s, 2);
    g_assert_cmphex(qtest_readl(s, MSG_RAM), ==, 0x4562);
    msi(s, 3);
    g_assert_cmphex(qtest_readl(s, MSG_RAM), ==, 0x4563);
    /* Two vectors enabled: vector 3 folds onto 1. */
    cfg_writew(s, TD, cap + 2, 0x0001 | (1 << 4));
    msi(s, 3);
    g_assert_cmphex(qtest_readl(s, MSG_RAM), ==, 0x4561);
    /* More enabled than capable (software error): 4 are used. */
    cfg_writew(s, TD, cap + 2, 0x0001 | (5 << 4));
    msi(s, 3);
    g_assert_cmphex(qtest_readl(s, MSG_RAM), ==, 0x4563);
    cfg_writew(s, TD, cap + 2, 0x0001 | (2 << 4));

    /* Per-vector mask: held in the pending bit, sent on unmask. Only the
     * capable vectors' mask bits exist. */
    cfg_writel(s, TD, cap + 16, 0xffffffff);
    g_assert_cmphex(cfg_readl(s, TD, cap + 16), ==, 0xf);
    cfg_writel(s, TD, cap + 16, 1u << 1);
    qtest_writel(s, MSG_RAM, 0);
    msi(s, 1);
    g_assert_cmphex(qtest_readl(s, MSG_RAM), ==, 0);
    g_assert_cmphex(cfg_readl(s, TD, cap + 20), ==, 1u << 1);
    cfg_writel(s, TD, cap + 20, 0);                      /* pending is read-only */
    g_assert_cmphex(cfg_readl(s, TD, cap + 20), ==, 1u << 1);
    msi(s, 0);                                          /* unmasked: goes out */
    g_assert_cmphex(qtest_readl(s, MSG_RAM), ==, 0x4560);
    cfg_writel(s, TD, cap + 16, 0);
    g_assert_cmphex(qtest_readl(s, MSG_RAM), ==, 0x4561);
    g_assert_cmphex(cfg_readl(s, TD, cap + 20), ==, 0);

    /* A 64-bit address: into the second function's RAM BAR above 4 GiB. */
    cfg_writel(s, TD2, PCI_BASE_ADDRESS_0 + 8, 0);
    cfg_writel(s, TD2, PCI_BASE_ADDRESS_0 + 12, 0x3);
    cfg_writew(s, TD2, PCI_COMMAND, PCI_COMMAND_MEMORY);
    cfg_writel(s, TD, cap + 4, 0x40);
    cfg_writel(s, TD, cap + 8, 0x3);
    msi(s, 2);
    g_assert_cmphex(qtest_readl(s, 0x300000040ull), ==, 0x4562);

    /* Bus mastering off: the function may not send. */
    cfg_writel(s, TD, cap + 4, MSG_RAM);
    cfg_writel(s, TD, cap + 8, 0);
    qtest_writel(s, MSG_RAM, 0);
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_IO);
    msi(s, 1);
    g_assert_cmphex(qtest_readl(s, MSG_RAM), ==, 0);
    g_autofree char *info = hmp(s, "info pci");
    g_assert_nonnull(strstr(info, "MSIs blocked (bus mastering off) 1\n"));
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER);

    /* INTx is silent while MSI is enabled, and back when it is not. */
    cfg_writeb(s, PIIX3, 0x60 + pirq_of(3, 1), 10);
    intx(s, 3, 1);
    g_assert_false(qtest_get_irq(s, 10));
    cfg_writew(s, TD, cap + 2, 0);
    g_assert_true(qtest_get_irq(s, 10));
    cfg_writew(s, TD, cap + 2, 1);
    g_assert_false(qtest_get_irq(s, 10));
    intx(s, 3, 0);

    /* To the APIC window: the interrupt controllers take it (no CPU here, so
     * the APIC bus counts it as undelivered). */
    uint64_t before = apic_dropped(s);
    cfg_writel(s, TD, cap + 4, 0xfee00000);
    cfg_writel(s, TD, cap + 12, 0x0041);
    msi(s, 0);
    msi(s, 0);
    g_assert_cmpuint(apic_dropped(s), ==, before + 2);

    /* Reset: disabled, address/data/mask cleared. */
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(s, "RESET");
    g_assert_cmphex(cfg_readw(s, TD, cap + 2), ==, 0x0184);
    g_assert_cmphex(cfg_readl(s, TD, cap + 4), ==, 0);
    g_assert_cmphex(cfg_readl(s, TD, cap + 16), ==, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* The 32-bit layout without masking: data at +8, nothing after +10. */
static void test_msi_32bit(void)
{
    QTestState *s = qtest_init("-machine pc -device emu-pci-testdev,addr=03.0,"
                               "msi-64bit=off,msi-maskbit=off,msi-vectors=1");
    uint8_t cap = cfg_find_cap(s, TD, PCI_CAP_ID_MSI);
    td_setup(s, 3);
    g_assert_cmphex(cfg_readw(s, TD, cap + 2), ==, 0x0000);
    cfg_writel(s, TD, cap + 4, MSG_RAM + 0x100);
    cfg_writel(s, TD, cap + 8, 0xffffbeef);
    g_assert_cmphex(cfg_readl(s, TD, cap + 8), ==, 0xbeef);
    cfg_writew(s, TD, cap + 2, 0x0071);              /* enable, ask for 128 */
    msi(s, 0);
    g_assert_cmphex(qtest_readl(s, MSG_RAM + 0x100), ==, 0xbeef);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- MSI-X ---- */

#define MSIX_BAR 0xfebf1000u
#define TABLE(v, f) (MSIX_BAR + (v) * 16 + (f))
#define PBA (MSIX_BAR + PCITESTDEV_MSIX_PBA)

static void msix(QTestState *s, unsigned vector)
{
    qtest_outl(s, IO(3) + PCITESTDEV_REG_MSIX, vector);
}

static void test_msix(void)
{
    QTestState *s = qtest_init("-machine pc -device emu-pci-testdev,addr=03.0");
    uint8_t cap = cfg_find_cap(s, TD, PCI_CAP_ID_MSIX);
    td_setup(s, 3);
    qtest_irq_intercept_in(s, "/machine/gsi");
    cfg_writel(s, TD, PCI_BASE_ADDRESS_0 + 16, MSIX_BAR);
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);

    /* Reset state: every vector masked, nothing pending (§6.8.2.9). */
    for (int v = 0; v < 8; v++) {
        g_assert_cmphex(qtest_readl(s, TABLE(v, 12)), ==, 1);
        g_assert_cmphex(qtest_readl(s, TABLE(v, 0)), ==, 0);
    }
    g_assert_cmphex(qtest_readq(s, PBA), ==, 0);
    /* Address bits 1:0 read 0; vector control keeps only the mask bit. */
    qtest_writel(s, TABLE(2, 0), MSG_RAM | 3);
    g_assert_cmphex(qtest_readl(s, TABLE(2, 0)), ==, MSG_RAM);
    qtest_writel(s, TABLE(2, 4), 0);
    qtest_writel(s, TABLE(2, 8), 0xdead0002);
    qtest_writel(s, TABLE(2, 12), 0xfffffffe);
    g_assert_cmphex(qtest_readl(s, TABLE(2, 12)), ==, 0);
    qtest_writel(s, TABLE(2, 12), 1);
    /* A qword write is two dwords. */
    qtest_writeq(s, TABLE(5, 0), MSG_RAM + 0x10);
    qtest_writeq(s, TABLE(5, 8), 0x00000001dead0005ull);
    g_assert_cmphex(qtest_readq(s, TABLE(5, 8)), ==, 0x00000001dead0005ull);
    /* Byte and word accesses are outside the rules: refused. */
    g_assert_cmphex(qtest_readb(s, TABLE(5, 8)), ==, 0xff);
    qtest_writew(s, TABLE(5, 8), 0);
    g_assert_cmphex(qtest_readl(s, TABLE(5, 8)), ==, 0xdead0005);
    qtest_writel(s, MSG_RAM, 0);
    qtest_writel(s, MSG_RAM + 0x10, 0);

    /* Disabled: nothing happens, not even a pending bit. */
    msix(s, 2);
    g_assert_cmphex(qtest_readq(s, PBA), ==, 0);
    /* Enabled, vector masked: pending; unmask sends it. */
    cfg_writew(s, TD, cap + 2, 0x8000);
    g_assert_cmphex(cfg_readw(s, TD, cap + 2), ==, 0x8007);
    msix(s, 2);
    g_assert_cmphex(qtest_readl(s, MSG_RAM), ==, 0);
    g_assert_cmphex(qtest_readq(s, PBA), ==, 1u << 2);
    qtest_writeq(s, PBA, 0);                             /* the PBA is read-only */
    g_assert_cmphex(qtest_readq(s, PBA), ==, 1u << 2);
    qtest_writel(s, TABLE(2, 12), 0);
    g_assert_cmphex(qtest_readl(s, MSG_RAM), ==, 0xdead0002);
    g_assert_cmphex(qtest_readq(s, PBA), ==, 0);
    /* Unmasked: straight out. */
    qtest_writel(s, MSG_RAM, 0);
    msix(s, 2);
    g_assert_cmphex(qtest_readl(s, MSG_RAM), ==, 0xdead0002);

    /* Function mask holds every vector; clearing it sends what is pending. */
    qtest_writel(s, TABLE(5, 12), 0);
    cfg_writew(s, TD, cap + 2, 0xc000);
    msix(s, 5);
    msix(s, 2);
    g_assert_cmphex(qtest_readq(s, PBA), ==, (1u << 2) | (1u << 5));
    g_assert_cmphex(qtest_readl(s, MSG_RAM + 0x10), ==, 0);
    qtest_writel(s, MSG_RAM, 0);
    cfg_writew(s, TD, cap + 2, 0x8000);
    g_assert_cmphex(qtest_readl(s, MSG_RAM + 0x10), ==, 0xdead0005);
    g_assert_cmphex(qtest_readl(s, MSG_RAM), ==, 0xdead0002);
    g_assert_cmphex(qtest_readq(s, PBA), ==, 0);

    /* INTx is silent while MSI-X is enabled. */
    cfg_writeb(s, PIIX3, 0x60 + pirq_of(3, 1), 11);
    intx(s, 3, 1);
    g_assert_false(qtest_get_irq(s, 11));
    cfg_writew(s, TD, cap + 2, 0);
    g_assert_true(qtest_get_irq(s, 11));
    intx(s, 3, 0);

    /* To the APIC window. */
    uint64_t before = apic_dropped(s);
    qtest_writel(s, TABLE(0, 0), 0xfee01000);
    qtest_writel(s, TABLE(0, 8), 0x0042);
    qtest_writel(s, TABLE(0, 12), 0);
    cfg_writew(s, TD, cap + 2, 0x8000);
    msix(s, 0);
    g_assert_cmpuint(apic_dropped(s), ==, before + 1);

    /* Bus mastering off: held back, counted, not pending. */
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    qtest_writel(s, MSG_RAM, 0);
    msix(s, 2);
    g_assert_cmphex(qtest_readl(s, MSG_RAM), ==, 0);
    g_assert_cmpuint(apic_dropped(s), ==, before + 1);

    /* Reset masks everything again. */
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(s, "RESET");
    cfg_writel(s, TD, PCI_BASE_ADDRESS_0 + 16, MSIX_BAR);
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_MEMORY);
    g_assert_cmphex(qtest_readl(s, TABLE(2, 12)), ==, 1);
    g_assert_cmphex(qtest_readl(s, TABLE(2, 0)), ==, 0);
    g_assert_cmphex(cfg_readw(s, TD, cap + 2), ==, 7);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pci-irq/intx/swizzle", test_swizzle);
    g_test_add_func("/pci-irq/intx/routing", test_routing);
    g_test_add_func("/pci-irq/intx/disable", test_intx_disable);
    g_test_add_func("/pci-irq/msi/64bit-maskable", test_msi);
    g_test_add_func("/pci-irq/msi/32bit", test_msi_32bit);
    g_test_add_func("/pci-irq/msix", test_msix);
    return g_test_run();
}
