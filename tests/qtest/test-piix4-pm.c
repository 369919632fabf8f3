/*
 * The PIIX4 PM function at 00:01.3 (82371AB datasheet §3.4): its IDs, the
 * registers SeaBIOS programs, and PMBA/PMIOSE moving the ACPI PM block: the
 * PM timer (a 24-bit counter at 3.579545 MHz, ACPI 6.5 §4.8.3.3) answers at
 * the new base + 8 and no longer at the old one.
 */
#include "pci-helpers.h"

#define PM_FN BDF(1, 3)
#define PMBA 0x40
#define PMREGMISC 0x80
#define DEVACTB 0x58
#define SMBBA 0x90

/* Timer ticks in @ns of virtual time, as the ACPI spec's frequency gives. */
static uint32_t ticks(int64_t ns)
{
    return (uint32_t)((__int128)ns * 3579545 / 1000000000);
}

/* The timer at @port advances by the right amount over 1 ms of virtual time. */
static bool timer_runs_at(QTestState *s, uint16_t port)
{
    uint32_t a = qtest_inl(s, port);
    qtest_clock_step(s, 1000000);
    uint32_t b = qtest_inl(s, port);
    uint32_t d = (b - a) & 0xffffff;
    return a != 0xffffffff && (a >> 24) == 0 && d >= ticks(1000000) - 1 &&
           d <= ticks(1000000) + 1;
}

static void test_ids(void)
{
    QTestState *s = qtest_init("-machine pc");

    g_assert_cmphex(cfg_readw(s, PM_FN, PCI_VENDOR_ID), ==, 0x8086);
    g_assert_cmphex(cfg_readw(s, PM_FN, PCI_DEVICE_ID), ==, 0x7113);
    g_assert_cmphex(cfg_readb(s, PM_FN, PCI_REVISION_ID), ==, 0x03);
    g_assert_cmphex(cfg_readw(s, PM_FN, PCI_CLASS_DEVICE), ==, 0x0680);
    g_assert_cmphex(cfg_readb(s, PM_FN, PCI_HEADER_TYPE) & 0x7f, ==, 0);
    /* Function 0 says the device has more functions (PCI 3.0 §6.2.1). */
    g_assert_cmphex(cfg_readb(s, BDF(1, 0), PCI_HEADER_TYPE) & 0x80, ==, 0x80);
    g_assert_cmphex(cfg_readb(s, PM_FN, PCI_INTERRUPT_LINE), ==, 9);
    g_assert_cmphex(cfg_readb(s, PM_FN, PCI_INTERRUPT_PIN), ==, 1);
    /* Without firmware emu placed the block at 0x600 itself, I/O bit set. */
    g_assert_cmphex(cfg_readl(s, PM_FN, PMBA), ==, 0x601);
    g_assert_cmphex(cfg_readb(s, PM_FN, PMREGMISC) & 1, ==, 1);
    /* No SMM: APMC_EN set so SeaBIOS skips SMM setup. */
    g_assert_cmphex(cfg_readl(s, PM_FN, DEVACTB) & (1u << 25), ==, 1u << 25);
    /* SMBus base: bit 0 reads 1, bits 15:4 hold what is written. */
    g_assert_cmphex(cfg_readl(s, PM_FN, SMBBA), ==, 0x1);
    cfg_writel(s, PM_FN, SMBBA, 0x0700);
    g_assert_cmphex(cfg_readl(s, PM_FN, SMBBA), ==, 0x0701);
    g_assert_true(timer_runs_at(s, 0x608));
    qtest_quit(s);
}

static void test_relocate(void)
{
    QTestState *s = qtest_init("-machine pc");

    /* Move it as a BIOS would: PMBA, then PMIOSE stays on. Bits 5:1 are
     * read-only zero. */
    cfg_writel(s, PM_FN, PMBA, 0xb03f);
    g_assert_cmphex(cfg_readl(s, PM_FN, PMBA), ==, 0xb001);
    g_assert_true(timer_runs_at(s, 0xb008));
    g_assert_cmphex(qtest_inl(s, 0x608), ==, 0xffffffff);
    /* PMIOSE off: nothing decodes. */
    cfg_writeb(s, PM_FN, PMREGMISC, 0);
    g_assert_cmphex(qtest_inl(s, 0xb008), ==, 0xffffffff);
    g_assert_cmphex(qtest_inl(s, 0x608), ==, 0xffffffff);
    /* Back at 0x600: PM1_CNT's SCI_EN (reset value 1) and the timer. */
    cfg_writel(s, PM_FN, PMBA, 0x600);
    cfg_writeb(s, PM_FN, PMREGMISC, 1);
    g_assert_cmphex(qtest_inw(s, 0x604) & 1, ==, 1);
    g_assert_true(timer_runs_at(s, 0x608));
    g_assert_cmphex(qtest_inl(s, 0xb008), ==, 0xffffffff);
    /* A system reset puts emu's own placement back. */
    cfg_writel(s, PM_FN, PMBA, 0xc000);
    qtest_outb(s, 0xcf9, 0x06);
    g_assert_cmphex(cfg_readl(s, PM_FN, PMBA), ==, 0x601);
    g_assert_true(timer_runs_at(s, 0x608));
    qtest_quit(s);
}

/* With firmware the block is off from reset until the BIOS programs it. */
static void test_firmware_reset(void)
{
    if (!g_file_test("/usr/share/seabios/bios-256k.bin", G_FILE_TEST_EXISTS)) {
        g_test_skip("no /usr/share/seabios/bios-256k.bin");
        return;
    }
    QTestState *s = qtest_init("-machine pc -bios bios-256k.bin");
    g_assert_cmphex(cfg_readl(s, PM_FN, PMBA), ==, 0x1);
    g_assert_cmphex(cfg_readb(s, PM_FN, PMREGMISC), ==, 0);
    g_assert_cmphex(qtest_inl(s, 0x608), ==, 0xffffffff);
    cfg_writel(s, PM_FN, PMBA, 0x601);
    cfg_writeb(s, PM_FN, PMREGMISC, 1);
    g_assert_true(timer_runs_at(s, 0x608));
    qtest_quit(s);
}

/* acpi=off: no PM block, so no PM function either. */
static void test_acpi_off(void)
{
    QTestState *s = qtest_init("-machine pc,acpi=off");
    g_assert_cmphex(cfg_readl(s, PM_FN, 0), ==, 0xffffffff);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/piix4-pm/ids", test_ids);
    g_test_add_func("/piix4-pm/relocate", test_relocate);
    g_test_add_func("/piix4-pm/firmware-reset", test_firmware_reset);
    g_test_add_func("/piix4-pm/acpi-off", test_acpi_off);
    return g_test_run();
}
