/*
 * The PCI core on -machine pc, driven as a guest drives it: configuration
 * cycles through 0xcf8/0xcfc, BARs sized and placed, memory and I/O reached
 * through the machine's address spaces. The oracle is the PCI Local Bus
 * Specification 3.0: the type 1 mechanism (§3.2.2.3.2), the header's
 * read-only / writable / write-1-to-clear bits (§6.2), BAR encodings and
 * decoding rules (§6.2.5), the capability list (§6.7); and for the monitor,
 * QEMU's `info pci` format. The test function is emu-pci-testdev
 * (include/hw/misc/pci-testdev-regs.h).
 */
#include "pci-helpers.h"

#define TD BDF(3, 0)
#define TD_ARGS "-machine pc -m 128M -vga none -device emu-pci-testdev,addr=03.0,id=t0"
#define IO_BASE 0xc000
#define MMIO_BASE 0xfebf0000u
#define RAM64_BASE 0x100000000ull       /* above 4 GiB: nothing else there at -m 128M */
#define MSIX_BASE 0xfebf1000u
#define RAM32_BASE 0xfea00000u
#define ROM_BASE 0xfeb00000u

static char *tmpdir;

static void program_bars(QTestState *s, uint32_t bdf)
{
    cfg_writel(s, bdf, PCI_BASE_ADDRESS_0, IO_BASE);
    cfg_writel(s, bdf, PCI_BASE_ADDRESS_0 + 4, MMIO_BASE);
    cfg_writel(s, bdf, PCI_BASE_ADDRESS_0 + 8, (uint32_t)RAM64_BASE);
    cfg_writel(s, bdf, PCI_BASE_ADDRESS_0 + 12, RAM64_BASE >> 32);
    cfg_writel(s, bdf, PCI_BASE_ADDRESS_0 + 16, MSIX_BASE);
    cfg_writel(s, bdf, PCI_BASE_ADDRESS_0 + 20, RAM32_BASE);
    cfg_writel(s, bdf, PCI_ROM_ADDRESS, ROM_BASE);
}

/* ---- the type 1 mechanism ---- */

static void test_confadd(void)
{
    QTestState *s = qtest_init(TD_ARGS);

    qtest_outl(s, CONFADD, 0x80000000);
    g_assert_cmphex(qtest_inl(s, CONFADD), ==, 0x80000000);
    /* Bits 30:24 and 1:0 are reserved and read 0. */
    qtest_outl(s, CONFADD, 0xffffffff);
    g_assert_cmphex(qtest_inl(s, CONFADD), ==, 0x80fffffc);
    /* Only a dword access is CONFIG_ADDRESS (Linux's type-1 probe relies on it). */
    qtest_outl(s, CONFADD, 0x80000000);
    qtest_outb(s, CONFADD + 3, 0x01);
    qtest_outw(s, CONFADD, 0x1234);
    g_assert_cmphex(qtest_inl(s, CONFADD), ==, 0x80000000);
    g_assert_cmphex(qtest_inb(s, CONFADD), ==, 0xff);
    g_assert_cmphex(qtest_inw(s, CONFADD + 2), ==, 0xffff);

    /* Enable bit clear: no configuration cycle, CONFIG_DATA reads all-ones. */
    qtest_outl(s, CONFADD, 0x00000000);
    g_assert_cmphex(qtest_inl(s, CONFDATA), ==, 0xffffffff);
    qtest_outl(s, CONFADD, 0x80000000);
    g_assert_cmphex(qtest_inl(s, CONFDATA), ==, 0x12378086);
    /* Nothing at the address: master abort, all-ones at every width. */
    g_assert_cmphex(cfg_readl(s, BDF(0x1f, 0), 0), ==, 0xffffffff);
    g_assert_cmphex(cfg_readw(s, BDF(0x1f, 7), 2), ==, 0xffff);
    g_assert_cmphex(cfg_readb(s, BDF(0x1f, 0), 3), ==, 0xff);
    g_assert_cmphex(cfg_readl(s, BDF(1, 2), 0), ==, 0xffffffff);
    g_assert_cmphex(cfg_readl(s, 1 << 16, 0), ==, 0xffffffff);    /* bus 1 */
    cfg_writel(s, BDF(0x1f, 0), PCI_COMMAND, 0xffffffff);           /* goes nowhere */
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_data_port_widths(void)
{
    QTestState *s = qtest_init(TD_ARGS);
    const uint8_t id[4] = { 0x86, 0x80, 0x37, 0x12 };    /* i440FX 8086:1237 */

    qtest_outl(s, CONFADD, cfg_addr(BDF(0, 0), 0));
    g_assert_cmphex(qtest_inl(s, CONFDATA), ==, 0x12378086);
    for (int i = 0; i < 4; i++) {
        g_assert_cmphex(qtest_inb(s, CONFDATA + i), ==, id[i]);
    }
    g_assert_cmphex(qtest_inw(s, CONFDATA), ==, 0x8086);
    g_assert_cmphex(qtest_inw(s, CONFDATA + 2), ==, 0x1237);
    /* Unaligned: byte n of the port is byte n of the register; past 0xcff is
     * another port (nothing there: 0xff). */
    g_assert_cmphex(qtest_inw(s, CONFDATA + 1), ==, 0x3780);
    g_assert_cmphex(qtest_inl(s, CONFDATA + 1), ==, 0xff123780);
    g_assert_cmphex(qtest_inw(s, CONFDATA + 3), ==, 0xff12);

    /* Writes: cache line size 0x0c, latency 0x0d (RW), header type 0x0e and
     * BIST 0x0f (RO) of the test function. */
    qtest_outl(s, CONFADD, cfg_addr(TD, 0x0c));
    qtest_outl(s, CONFDATA, 0);
    qtest_outw(s, CONFDATA + 1, 0xa5b6);            /* 0x0d = b6, 0x0e RO */
    g_assert_cmphex(cfg_readl(s, TD, 0x0c), ==, 0x0000b600);
    qtest_outb(s, CONFADD, 0);                       /* not CONFADD: nothing moves */
    qtest_outl(s, CONFADD, cfg_addr(TD, 0x0c));
    qtest_outl(s, CONFDATA + 1, 0xffffffff);        /* 0x0d-0x0f, then port 0xd00 */
    g_assert_cmphex(cfg_readl(s, TD, 0x0c), ==, 0x0000ff00);
    qtest_outb(s, CONFDATA, 0x40);
    g_assert_cmphex(cfg_readl(s, TD, 0x0c), ==, 0x0000ff40);
    /* Interrupt line (0x3c, RW) beside interrupt pin (0x3d, RO = INTA). */
    cfg_writew(s, TD, 0x3c, 0xffff);
    g_assert_cmphex(cfg_readw(s, TD, 0x3c), ==, 0x01ff);
    cfg_writeb(s, TD, 0x3d, 3);
    g_assert_cmphex(cfg_readb(s, TD, 0x3d), ==, 1);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- header masks ---- */

static void test_header_masks(void)
{
    QTestState *s = qtest_init(TD_ARGS " -device emu-pci-testdev,addr=04.0,msi-vectors=0,"
                               "msix-vectors=0");
    uint32_t ro_regs[] = { 0x00, 0x08, 0x28, 0x2c, 0x34, 0x38 };

    for (size_t i = 0; i < G_N_ELEMENTS(ro_regs); i++) {
        uint32_t before = cfg_readl(s, TD, ro_regs[i]);
        cfg_writel(s, TD, ro_regs[i], 0xffffffff);
        cfg_writel(s, TD, ro_regs[i], 0);
        g_assert_cmphex(cfg_readl(s, TD, ro_regs[i]), ==, before);
    }
    g_assert_cmphex(cfg_readl(s, TD, 0x00), ==,
                    (uint32_t)PCITESTDEV_DEVICE_ID << 16 | PCITESTDEV_VENDOR_ID);
    g_assert_cmphex(cfg_readl(s, TD, 0x08), ==,
                    (uint32_t)PCITESTDEV_CLASS << 16 | PCITESTDEV_REVISION);
    g_assert_cmphex(cfg_readl(s, TD, 0x2c), ==, 0x11001af4);     /* QEMU's subsystem */
    /* Header type 0, single function; BIST not supported (0). */
    cfg_writel(s, TD, 0x0c, 0xffffffff);
    g_assert_cmphex(cfg_readl(s, TD, 0x0c) >> 16, ==, 0x0000);

    /* Command: I/O, memory, bus master, parity, SERR#, INTx disable; bits
     * 11-15 reserved. */
    cfg_writew(s, TD, PCI_COMMAND, 0xffff);
    g_assert_cmphex(cfg_readw(s, TD, PCI_COMMAND), ==, 0x0547);
    cfg_writew(s, TD, PCI_COMMAND, 0);
    g_assert_cmphex(cfg_readw(s, TD, PCI_COMMAND), ==, 0);

    /* Status: the capability list bit is read-only; error bits are RW1C. Get
     * Received Master Abort set by a bus-master write that nothing claims. */
    uint16_t st = cfg_readw(s, TD, PCI_STATUS);
    g_assert_cmphex(st, ==, PCI_STATUS_CAP_LIST);
    g_assert_cmphex(cfg_readw(s, BDF(4, 0), PCI_STATUS), ==, 0);  /* no capabilities */
    cfg_writel(s, TD, PCI_BASE_ADDRESS_0, IO_BASE);
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    qtest_outl(s, IO_BASE + PCITESTDEV_REG_DMA_LO, 0xd0000000);  /* PCI hole, empty */
    qtest_outl(s, IO_BASE + PCITESTDEV_REG_DMA_HI, 0);
    qtest_outl(s, IO_BASE + PCITESTDEV_REG_DMA_WRITE, 0x1234);
    st = cfg_readw(s, TD, PCI_STATUS);
    g_assert_cmphex(st, ==, PCI_STATUS_CAP_LIST | PCI_STATUS_REC_MASTER_ABORT);
    cfg_writew(s, TD, PCI_STATUS, 0);                            /* writing 0: kept */
    g_assert_cmphex(cfg_readw(s, TD, PCI_STATUS), ==, st);
    cfg_writew(s, TD, PCI_STATUS, PCI_STATUS_REC_TARGET_ABORT);  /* other bit: kept */
    g_assert_cmphex(cfg_readw(s, TD, PCI_STATUS), ==, st);
    cfg_writew(s, TD, PCI_STATUS, 0xffff);                       /* 1 clears; RO stays */
    g_assert_cmphex(cfg_readw(s, TD, PCI_STATUS), ==, PCI_STATUS_CAP_LIST);
    /* A write of the command word alone does not touch status (byte lanes). */
    qtest_outl(s, IO_BASE + PCITESTDEV_REG_DMA_WRITE, 0x1234);
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    g_assert_cmphex(cfg_readw(s, TD, PCI_STATUS) & PCI_STATUS_REC_MASTER_ABORT, !=, 0);

    /* Device-specific space outside capabilities is read-only 0 here. */
    cfg_writel(s, BDF(4, 0), 0x40, 0xffffffff);
    cfg_writel(s, BDF(4, 0), 0xfc, 0xffffffff);
    g_assert_cmphex(cfg_readl(s, BDF(4, 0), 0x40), ==, 0);
    g_assert_cmphex(cfg_readl(s, BDF(4, 0), 0xfc), ==, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- BARs ---- */

static void test_bar_sizing(void)
{
    QTestState *s = qtest_init(TD_ARGS " -device emu-pci-testdev,addr=04.0,msix-vectors=0");

    /* Type bits read-only in the low bits, size from the writable high bits. */
    g_assert_cmphex(cfg_size_bar(s, TD, 0x10), ==,
                    (uint32_t)~(PCITESTDEV_IO_SIZE - 1) | PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmphex(cfg_size_bar(s, TD, 0x14), ==, (uint32_t)~(PCITESTDEV_MMIO_SIZE - 1));
    g_assert_cmphex(cfg_size_bar(s, TD, 0x18), ==,
                    (uint32_t)~(PCITESTDEV_RAM64_SIZE - 1) | PCI_BASE_ADDRESS_MEM_TYPE_64 |
                    PCI_BASE_ADDRESS_MEM_PREFETCH);
    g_assert_cmphex(cfg_size_bar(s, TD, 0x1c), ==, 0xffffffff);    /* upper half */
    g_assert_cmphex(cfg_size_bar(s, TD, 0x20), ==, (uint32_t)~(PCITESTDEV_MSIX_SIZE - 1));
    g_assert_cmphex(cfg_size_bar(s, TD, 0x24), ==,
                    (uint32_t)~(PCITESTDEV_RAM32_SIZE - 1) | PCI_BASE_ADDRESS_MEM_PREFETCH);
    /* The ROM BAR: address bits and the enable bit are writable (§6.2.5.2). */
    g_assert_cmphex(cfg_size_bar(s, TD, 0x30), ==, (uint32_t)~(PCITESTDEV_ROM_SIZE - 1) | 1);
    cfg_writel(s, TD, 0x30, 0xfffffffe);
    g_assert_cmphex(cfg_readl(s, TD, 0x30), ==, (uint32_t)~(PCITESTDEV_ROM_SIZE - 1));
    /* Reset values: type bits only. */
    g_assert_cmphex(cfg_readl(s, TD, 0x10), ==, 1);
    g_assert_cmphex(cfg_readl(s, TD, 0x18), ==, 0xc);
    g_assert_cmphex(cfg_readl(s, TD, 0x24), ==, 0x8);
    /* Unimplemented BARs are read-only 0: BAR4 without MSI-X, and the bridges'. */
    g_assert_cmphex(cfg_size_bar(s, BDF(4, 0), 0x20), ==, 0);
    for (uint32_t reg = 0x10; reg <= 0x24; reg += 4) {
        g_assert_cmphex(cfg_size_bar(s, BDF(0, 0), reg), ==, 0);
        g_assert_cmphex(cfg_size_bar(s, BDF(1, 0), reg), ==, 0);
    }
    g_assert_cmphex(cfg_size_bar(s, BDF(0, 0), 0x30), ==, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_bar_mapping(void)
{
    QTestState *s = qtest_init(TD_ARGS);

    program_bars(s, TD);
    /* Command 0: nothing decodes. */
    g_assert_cmphex(qtest_inl(s, IO_BASE), ==, 0xffffffff);
    g_assert_cmphex(qtest_readl(s, MMIO_BASE), ==, 0xffffffff);
    g_assert_cmphex(qtest_readl(s, RAM64_BASE), ==, 0xffffffff);

    /* I/O only. */
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_IO);
    g_assert_cmphex(qtest_inl(s, IO_BASE + PCITESTDEV_REG_ID), ==, PCITESTDEV_ID_VALUE);
    g_assert_cmphex(qtest_readl(s, MMIO_BASE), ==, 0xffffffff);
    /* Memory too. */
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    g_assert_cmphex(qtest_readl(s, MMIO_BASE + PCITESTDEV_REG_ID), ==, PCITESTDEV_ID_VALUE);
    qtest_writel(s, MMIO_BASE + PCITESTDEV_REG_SCRATCH, 0xcafef00d);
    g_assert_cmphex(qtest_inl(s, IO_BASE + PCITESTDEV_REG_SCRATCH), ==, 0xcafef00d);
    /* The 64-bit prefetchable RAM BAR above 4 GiB and the 32-bit one. */
    qtest_writeq(s, RAM64_BASE + 0x8000, 0x0123456789abcdefull);
    g_assert_cmphex(qtest_readq(s, RAM64_BASE + 0x8000), ==, 0x0123456789abcdefull);
    qtest_writel(s, RAM32_BASE + 0xfffc, 0x600dcafe);
    g_assert_cmphex(qtest_readl(s, RAM32_BASE + 0xfffc), ==, 0x600dcafe);
    /* The ROM decodes only with its enable bit; it holds its pattern and drops
     * writes. */
    g_assert_cmphex(qtest_readl(s, ROM_BASE), ==, 0xffffffff);
    cfg_writel(s, TD, PCI_ROM_ADDRESS, ROM_BASE | PCI_ROM_ADDRESS_ENABLE);
    g_assert_cmphex(qtest_readw(s, ROM_BASE), ==, 0xaa55);
    g_assert_cmphex(qtest_readb(s, ROM_BASE + 0x1234), ==, PCITESTDEV_ROM_BYTE(0x1234));
    qtest_writeb(s, ROM_BASE + 0x1234, 0);
    g_assert_cmphex(qtest_readb(s, ROM_BASE + 0x1234), ==, PCITESTDEV_ROM_BYTE(0x1234));

    /* Moving a BAR: gone from the old place, there at the new one. */
    cfg_writel(s, TD, PCI_BASE_ADDRESS_0 + 4, MMIO_BASE - 0x10000);
    g_assert_cmphex(qtest_readl(s, MMIO_BASE), ==, 0xffffffff);
    g_assert_cmphex(qtest_readl(s, MMIO_BASE - 0x10000 + PCITESTDEV_REG_ID), ==,
                    PCITESTDEV_ID_VALUE);
    /* The 64-bit BAR follows each half; RAM contents go with it. */
    cfg_writel(s, TD, PCI_BASE_ADDRESS_0 + 12, 2);
    g_assert_cmphex(qtest_readq(s, RAM64_BASE), ==, 0xffffffffffffffffull);
    g_assert_cmphex(qtest_readq(s, 0x200000000ull + 0x8000), ==, 0x0123456789abcdefull);
    /* Low bits written into a BAR are cut to its size. */
    cfg_writel(s, TD, PCI_BASE_ADDRESS_0, IO_BASE + 0x123);
    g_assert_cmphex(cfg_readl(s, TD, PCI_BASE_ADDRESS_0), ==, (IO_BASE + 0x100) | 1);
    g_assert_cmphex(qtest_inl(s, IO_BASE + 0x100 + PCITESTDEV_REG_ID), ==,
                    PCITESTDEV_ID_VALUE);
    /* An I/O BAR beyond the 64 KiB port space, or at 0, decodes nothing. */
    cfg_writel(s, TD, PCI_BASE_ADDRESS_0, 0x10000);
    g_assert_cmphex(qtest_inl(s, 0x0000 + PCITESTDEV_REG_ID), ==, 0xffffffff);
    cfg_writel(s, TD, PCI_BASE_ADDRESS_0, IO_BASE);

    /* Memory decoding off: every memory BAR and the ROM vanish, I/O stays. */
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_IO);
    g_assert_cmphex(qtest_readl(s, MMIO_BASE - 0x10000), ==, 0xffffffff);
    g_assert_cmphex(qtest_readl(s, ROM_BASE), ==, 0xffffffff);
    g_assert_cmphex(qtest_readl(s, RAM32_BASE + 0xfffc), ==, 0xffffffff);
    g_assert_cmphex(qtest_inl(s, IO_BASE + PCITESTDEV_REG_ID), ==, PCITESTDEV_ID_VALUE);
    /* Back on: the RAM BAR kept its contents. */
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_MEMORY);
    g_assert_cmphex(qtest_readl(s, RAM32_BASE + 0xfffc), ==, 0x600dcafe);
    g_assert_cmphex(qtest_inl(s, IO_BASE + PCITESTDEV_REG_ID), ==, 0xffffffff);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Bus mastering gates DMA (§6.2.2 bit 2). */
static void test_bus_master(void)
{
    QTestState *s = qtest_init(TD_ARGS);

    cfg_writel(s, TD, PCI_BASE_ADDRESS_0, IO_BASE);
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_IO);
    qtest_writel(s, 0x8000, 0x11111111);
    qtest_outl(s, IO_BASE + PCITESTDEV_REG_DMA_LO, 0x8000);
    qtest_outl(s, IO_BASE + PCITESTDEV_REG_DMA_WRITE, 0xabcdef01);
    g_assert_cmphex(qtest_inl(s, IO_BASE + PCITESTDEV_REG_DMA_STATUS), ==, 1);
    g_assert_cmphex(qtest_readl(s, 0x8000), ==, 0x11111111);
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    qtest_outl(s, IO_BASE + PCITESTDEV_REG_DMA_WRITE, 0xabcdef01);
    g_assert_cmphex(qtest_inl(s, IO_BASE + PCITESTDEV_REG_DMA_STATUS), ==, 0);
    g_assert_cmphex(qtest_readl(s, 0x8000), ==, 0xabcdef01);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_capabilities(void)
{
    QTestState *s = qtest_init(TD_ARGS " -device emu-pci-testdev,addr=04.0,msi-vectors=0,"
                               "msix-vectors=0");
    uint8_t msi = cfg_find_cap(s, TD, PCI_CAP_ID_MSI);
    uint8_t msix = cfg_find_cap(s, TD, PCI_CAP_ID_MSIX);

    g_assert_cmpuint(msi, >=, 0x40);
    g_assert_cmpuint(msix, >=, 0x40);
    g_assert_cmpuint(msi & 3, ==, 0);
    g_assert_cmpuint(msix & 3, ==, 0);
    g_assert_cmpuint(cfg_find_cap(s, TD, PCI_CAP_ID_PM), ==, 0);
    /* 64-bit MSI with per-vector masking: 24 bytes; MSI-X: 12. No overlap. */
    g_assert_true(msi + 24 <= msix || msix + 12 <= msi);
    /* The list ends: exactly two entries. */
    uint8_t first = cfg_readb(s, TD, PCI_CAPABILITY_LIST);
    uint8_t second = cfg_readb(s, TD, first + 1);
    g_assert_cmpuint(cfg_readb(s, TD, second + 1), ==, 0);
    /* Capability headers are read-only. */
    uint8_t next = cfg_readb(s, TD, msi + 1);
    cfg_writew(s, TD, msi, 0xffff);
    g_assert_cmphex(cfg_readb(s, TD, msi), ==, PCI_CAP_ID_MSI);
    g_assert_cmphex(cfg_readb(s, TD, msi + 1), ==, next);
    cfg_writeb(s, TD, PCI_CAPABILITY_LIST, 0x80);
    g_assert_cmphex(cfg_readb(s, TD, PCI_CAPABILITY_LIST), ==, first);
    /* MSI-X: table in BAR4 at 0, PBA at 0x800, 8 vectors. */
    g_assert_cmphex(cfg_readw(s, TD, msix + 2), ==, 7);
    g_assert_cmphex(cfg_readl(s, TD, msix + 4), ==, 4);
    g_assert_cmphex(cfg_readl(s, TD, msix + 8), ==, PCITESTDEV_MSIX_PBA | 4);
    /* MSI: 4 vectors capable (log2 2), 64-bit, maskable. */
    g_assert_cmphex(cfg_readw(s, TD, msi + 2), ==, 0x0184);
    /* No capabilities: status bit 4 clear, pointer 0. */
    g_assert_cmphex(cfg_readw(s, BDF(4, 0), PCI_STATUS) & PCI_STATUS_CAP_LIST, ==, 0);
    g_assert_cmphex(cfg_readb(s, BDF(4, 0), PCI_CAPABILITY_LIST), ==, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- reset ---- */

static void test_reset(void)
{
    QTestState *s = qtest_init(TD_ARGS);

    program_bars(s, TD);
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    cfg_writeb(s, TD, PCI_INTERRUPT_LINE, 11);
    g_assert_cmphex(qtest_readl(s, MMIO_BASE), ==, PCITESTDEV_ID_VALUE);
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(s, "RESET");
    g_assert_cmphex(cfg_readw(s, TD, PCI_COMMAND), ==, 0);
    g_assert_cmphex(cfg_readl(s, TD, PCI_BASE_ADDRESS_0), ==, 1);
    g_assert_cmphex(cfg_readl(s, TD, PCI_BASE_ADDRESS_0 + 4), ==, 0);
    g_assert_cmphex(cfg_readl(s, TD, PCI_ROM_ADDRESS), ==, 0);
    g_assert_cmphex(cfg_readb(s, TD, PCI_INTERRUPT_LINE), ==, 0);
    g_assert_cmphex(qtest_readl(s, MMIO_BASE), ==, 0xffffffff);
    g_assert_cmphex(qtest_inl(s, IO_BASE), ==, 0xffffffff);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- hostile guests ---- */

/* Where the PCI spec says BAR @bar decodes, from its value and the command. */
static uint64_t expected_bar_addr(uint32_t *cfg, int bar, uint64_t size, bool io, bool is64)
{
    uint16_t cmd = cfg[1] & 0xffff;
    if (bar == 6) {
        if (!(cmd & 2) || !(cfg[12] & 1)) {
            return UINT64_MAX;
        }
        uint64_t a = cfg[12] & ~(uint32_t)(size - 1);
        return a ? a : UINT64_MAX;
    }
    uint32_t lo = cfg[4 + bar];
    if (io) {
        uint64_t a = lo & ~3u & ~(uint32_t)(size - 1);
        return (cmd & 1) && a && a + size <= 0x10000 ? a : UINT64_MAX;
    }
    uint64_t a = (lo & ~0xfu) | (is64 ? (uint64_t)cfg[5 + bar] << 32 : 0);
    a &= ~(size - 1);
    return (cmd & 2) && a ? a : UINT64_MAX;
}

/* query-pci's view of function 03.0 against the spec's decode of its config. */
static void check_bars_decode(QTestState *s)
{
    uint32_t cfg[16];
    for (int i = 0; i < 16; i++) {
        cfg[i] = cfg_readl(s, TD, i * 4);
    }
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'query-pci'}");
    JsonArray *devs = json_object_get_array_member(
        json_array_get_object_element(json_node_get_array(qtest_qmp_return(r)), 0),
        "devices");
    bool seen = false;
    for (guint i = 0; i < json_array_get_length(devs); i++) {
        JsonObject *d = json_array_get_object_element(devs, i);
        if (json_object_get_int_member(d, "slot") != 3) {
            continue;
        }
        seen = true;
        JsonArray *regs = json_object_get_array_member(d, "regions");
        g_assert_cmpuint(json_array_get_length(regs), ==, 6);   /* BAR3: BAR2's top */
        for (guint k = 0; k < json_array_get_length(regs); k++) {
            JsonObject *reg = json_array_get_object_element(regs, k);
            int bar = json_object_get_int_member(reg, "bar");
            uint64_t size = json_object_get_int_member(reg, "size");
            bool io = !strcmp(json_object_get_string_member(reg, "type"), "io");
            bool is64 = !io && json_object_get_boolean_member(reg, "mem_type_64");
            uint64_t got = (uint64_t)json_object_get_int_member(reg, "address");
            uint64_t want = expected_bar_addr(cfg, bar, size, io, is64);
            if (got != want) {
                g_error("BAR%d: mapped at 0x%" PRIx64 ", the spec says 0x%" PRIx64
                        " (command 0x%04x, BAR 0x%08x)", bar, got, want, cfg[1] & 0xffff,
                        bar == 6 ? cfg[12] : cfg[4 + bar]);
            }
        }
    }
    g_assert_true(seen);
}

static void test_hostile_config(void)
{
    QTestState *s = qtest_init(TD_ARGS " -device emu-pci-testdev,addr=04.0,msix-vectors=0,"
                               "msi-64bit=off,msi-maskbit=off,intx-pin=4");
    const uint32_t fns[] = { BDF(0, 0), BDF(1, 0), TD, BDF(4, 0) };

    /* All-ones, then zeros, at every width into every register of every function. */
    for (size_t f = 0; f < G_N_ELEMENTS(fns); f++) {
        for (uint32_t reg = 0; reg < 256; reg += 4) {
            cfg_writel(s, fns[f], reg, 0xffffffff);
        }
        for (uint32_t reg = 0; reg < 256; reg++) {
            cfg_writeb(s, fns[f], reg, 0xff);
            cfg_writew(s, fns[f], reg & ~1u, 0xffff);
            (void)cfg_readl(s, fns[f], reg);
        }
    }
    /* IDs survive; the machine still answers. */
    g_assert_cmphex(cfg_readl(s, BDF(0, 0), 0), ==, 0x12378086);
    g_assert_cmphex(cfg_readl(s, BDF(1, 0), 0), ==, 0x70008086);
    g_assert_cmphex(cfg_readl(s, TD, 0), ==, 0x7e571234);
    check_bars_decode(s);
    for (size_t f = 0; f < G_N_ELEMENTS(fns); f++) {
        for (uint32_t reg = 0; reg < 256; reg += 4) {
            cfg_writel(s, fns[f], reg, 0);
        }
    }
    g_assert_cmphex(cfg_readl(s, BDF(0, 0), 0), ==, 0x12378086);
    check_bars_decode(s);

    /* Garbage BAR values with decoding on and off. */
    GRand *rnd = g_rand_new_with_seed(0x9c1);
    for (int round = 0; round < 300; round++) {
        uint32_t reg = g_rand_int_range(rnd, 0, 8);
        uint32_t off = reg == 7 ? PCI_COMMAND : reg == 6 ? PCI_ROM_ADDRESS
                                                          : PCI_BASE_ADDRESS_0 + reg * 4;
        uint32_t v = g_rand_int(rnd);
        if (g_rand_boolean(rnd)) {
            v |= 0xfff00000;            /* near the top of 4 GiB: firmware, APICs */
        }
        cfg_writel(s, TD, off, v);
        if (round % 25 == 0) {
            check_bars_decode(s);
            (void)qtest_readl(s, 0xfee00000);
            (void)qtest_inl(s, 0xcf8);
        }
    }
    g_rand_free(rnd);
    check_bars_decode(s);
    /* Configuration space is still reachable (0xcf8 cannot be taken by a BAR). */
    cfg_writel(s, TD, PCI_BASE_ADDRESS_0, 0xcc0);
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_IO);
    g_assert_cmphex(cfg_readl(s, BDF(0, 0), 0), ==, 0x12378086);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_overlapping_bars(void)
{
    QTestState *s = qtest_init(TD_ARGS " -device emu-pci-testdev,addr=04.0");

    /* Two functions' BARs on top of each other, and over RAM and the I/O APIC. */
    cfg_writel(s, TD, PCI_BASE_ADDRESS_0 + 4, MMIO_BASE);
    cfg_writel(s, TD, PCI_BASE_ADDRESS_0 + 16, MMIO_BASE);           /* MSI-X BAR too */
    cfg_writel(s, BDF(4, 0), PCI_BASE_ADDRESS_0 + 4, MMIO_BASE);
    cfg_writel(s, TD, PCI_BASE_ADDRESS_0 + 20, 0x00100000);          /* over RAM */
    cfg_writel(s, BDF(4, 0), PCI_BASE_ADDRESS_0 + 20, 0xfec00000);   /* over the IOAPIC */
    qtest_writel(s, 0x100000, 0x5a5aa5a5);
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_MEMORY);
    cfg_writew(s, BDF(4, 0), PCI_COMMAND, PCI_COMMAND_MEMORY);
    /* One of the overlapping BARs answers (which one is undefined, §6.2.5.1):
     * a register BAR (the ID) or the MSI-X table (entry 0's address, 0). */
    uint32_t v = qtest_readl(s, MMIO_BASE + PCITESTDEV_REG_ID);
    g_assert_true(v == PCITESTDEV_ID_VALUE || v == 0);
    /* RAM and the board's devices sit above PCI and keep their addresses. */
    g_assert_cmphex(qtest_readl(s, 0x100000), ==, 0x5a5aa5a5);
    qtest_writel(s, 0xfec00000, 1);                      /* IOAPIC: select the version */
    g_assert_cmphex(qtest_readl(s, 0xfec00010) & 0xff, ==, 0x20);
    /* Moving them apart again. */
    cfg_writel(s, BDF(4, 0), PCI_BASE_ADDRESS_0 + 4, 0xfe000000u);
    cfg_writel(s, TD, PCI_BASE_ADDRESS_0 + 16, MSIX_BASE);
    qtest_writel(s, MMIO_BASE + PCITESTDEV_REG_SCRATCH, 1);
    qtest_writel(s, 0xfe000000u + PCITESTDEV_REG_SCRATCH, 2);
    cfg_writel(s, TD, PCI_BASE_ADDRESS_0, IO_BASE);
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
    g_assert_cmphex(qtest_inl(s, IO_BASE + PCITESTDEV_REG_SCRATCH), ==, 1);
    g_assert_cmphex(qtest_readl(s, 0xfe000000u + PCITESTDEV_REG_SCRATCH), ==, 2);
    check_bars_decode(s);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- -device ---- */

static void test_device_add(void)
{
    /* Automatic placement: the first empty slot after 00.0 and 01.0. */
    QTestState *s = qtest_init("-machine pc -vga none -device emu-pci-testdev,id=a "
                               "-device emu-pci-testdev,addr=1f.0 "
                               "-device emu-pci-testdev,id=b");
    g_assert_cmphex(cfg_readl(s, BDF(2, 0), 0), ==, 0x7e571234);
    g_assert_cmphex(cfg_readl(s, BDF(3, 0), 0), ==, 0x7e571234);
    g_assert_cmphex(cfg_readl(s, BDF(0x1f, 0), 0), ==, 0x7e571234);
    /* Single function: header type bit 7 clear; PIIX3 is multifunction. */
    g_assert_cmphex(cfg_readb(s, BDF(2, 0), PCI_HEADER_TYPE), ==, 0x00);
    g_assert_cmphex(cfg_readb(s, BDF(1, 0), PCI_HEADER_TYPE), ==, 0x80);
    g_assert_cmphex(cfg_readb(s, BDF(0, 0), PCI_HEADER_TYPE), ==, 0x00);
    g_assert_cmpint(qtest_quit(s), ==, 0);

    /* Multifunction: function 0 says so, others follow. */
    s = qtest_init("-machine pc -device emu-pci-testdev,addr=5.0,multifunction=on "
                   "-device emu-pci-testdev,addr=05.7,bus=pci.0");
    g_assert_cmphex(cfg_readb(s, BDF(5, 0), PCI_HEADER_TYPE), ==, 0x80);
    g_assert_cmphex(cfg_readl(s, BDF(5, 7), 0), ==, 0x7e571234);
    g_assert_cmphex(cfg_readl(s, BDF(5, 3), 0), ==, 0xffffffff);
    g_assert_cmpint(qtest_quit(s), ==, 0);

    g_free(expect_start_failure("-machine pc -device emu-pci-testdev,addr=01.0",
                                "PCI: slot 1 function 0 not available for emu-pci-testdev, "
                                "in use by PIIX3,id="));
    g_free(expect_start_failure("-machine pc -nic none -device emu-pci-testdev,addr=3,id=first "
                                "-device emu-pci-testdev,addr=03.0",
                                "in use by emu-pci-testdev,id=first"));
    g_free(expect_start_failure("-machine pc -device emu-pci-testdev,bus=pci.1",
                                "Bus 'pci.1' not found"));
    g_free(expect_start_failure("-machine pc -device emu-pci-testdev,bus=isa.0",
                                "bus 'isa.0' is a 'ISA'"));
    g_free(expect_start_failure("-machine none -device emu-pci-testdev",
                                "no free 'PCI' bus"));
    const char *bad_addrs[] = { "20", "3.8", "zz", "3.", ".1", "-1", "3.0x", "" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad_addrs); i++) {
        g_autofree char *args = g_strdup_printf("-machine pc -device emu-pci-testdev,"
                                                "addr=%s", bad_addrs[i]);
        g_autofree char *want = g_strdup_printf("Property 'emu-pci-testdev.addr' doesn't "
                                                "take value '%s'", bad_addrs[i]);
        g_free(expect_start_failure(args, want));
    }
    g_free(expect_start_failure("-machine pc -device emu-pci-testdev,addr=5.0 "
                                "-device emu-pci-testdev,addr=5.1",
                                "PCI: single function device can't be populated in "
                                "function 5.1"));
    g_free(expect_start_failure("-machine pc -device emu-pci-testdev,addr=5.2 "
                                "-device emu-pci-testdev,addr=5.0",
                                "PCI: 5.0 indicates single function, but 5.2 is already "
                                "populated."));
    g_free(expect_start_failure("-machine pc -device emu-pci-testdev,msi-vectors=3",
                                "msi-vectors=3"));
    g_free(expect_start_failure("-machine pc -device emu-pci-testdev,intx-pin=5",
                                "intx-pin=5"));
    g_autofree char *missing = g_build_filename(tmpdir, "nope.rom", NULL);
    g_autofree char *args = g_strdup_printf("-machine pc -device emu-pci-testdev,romfile=%s",
                                            missing);
    g_free(expect_start_failure(args, "failed to find romfile"));
}

/* An option ROM from a file: size rounded up to a power of two, contents as given. */
static void test_romfile(void)
{
    uint8_t data[5000];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i ^ (i >> 8) ^ 0x3c);
    }
    data[0] = 0x55;
    data[1] = 0xaa;
    g_autofree char *path = g_build_filename(tmpdir, "opt.rom", NULL);
    g_assert_true(g_file_set_contents(path, (char *)data, sizeof(data), NULL));
    QTestState *s = qtest_initf("-machine pc -device emu-pci-testdev,addr=3,romfile=%s",
                                path);
    g_assert_cmphex(cfg_size_bar(s, TD, PCI_ROM_ADDRESS), ==, 0xffffe001);   /* 8 KiB */
    cfg_writel(s, TD, PCI_ROM_ADDRESS, ROM_BASE | 1);
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_MEMORY);
    uint8_t back[sizeof(data)];
    qtest_memread(s, ROM_BASE, back, sizeof(back));
    g_assert_cmpmem(back, sizeof(back), data, sizeof(data));
    g_assert_cmphex(qtest_readb(s, ROM_BASE + sizeof(data)), ==, 0xff);     /* padding */
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- the monitor ---- */

static void test_info_pci(void)
{
    QTestState *s = qtest_init(TD_ARGS);

    program_bars(s, TD);
    cfg_writel(s, TD, PCI_ROM_ADDRESS, ROM_BASE | 1);
    cfg_writew(s, TD, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    cfg_writeb(s, TD, PCI_INTERRUPT_LINE, 11);
    g_autofree char *out = hmp(s, "info pci");
    const char *want =
        "  Bus  0, device   0, function 0:\n"
        "    Host bridge: PCI device 8086:1237\n"
        "      PCI subsystem 1af4:1100\n"
        "      id \"\"\n"
        "  Bus  0, device   1, function 0:\n"
        "    ISA bridge: PCI device 8086:7000\n"
        "      PCI subsystem 1af4:1100\n"
        "      id \"\"\n"
        "  Bus  0, device   1, function 1:\n"
        "    IDE controller: PCI device 8086:7010\n"
        "      PCI subsystem 1af4:1100\n"
        "      BAR4: I/O (not mapped)\n"
        "      id \"\"\n"
        "  Bus  0, device   1, function 3:\n"
        "    Bridge: PCI device 8086:7113\n"
        "      PCI subsystem 1af4:1100\n"
        "      IRQ 9, pin A\n"
        "      id \"\"\n"
        "  Bus  0, device   3, function 0:\n"
        "    Class ff00: PCI device 1234:7e57\n"
        "      PCI subsystem 1af4:1100\n"
        "      IRQ 11, pin A\n"
        "      BAR0: I/O at 0xc000 [0xc03f]\n"
        "      BAR1: 32 bit memory at 0xfebf0000 [0xfebf0fff]\n"
        "      BAR2: 64 bit prefetchable memory at 0x100000000 [0x1000fffff]\n"
        "      BAR4: 32 bit memory at 0xfebf1000 [0xfebf1fff]\n"
        "      BAR5: 32 bit prefetchable memory at 0xfea00000 [0xfea0ffff]\n"
        "      BAR6: 32 bit memory at 0xfeb00000 [0xfeb01fff]\n"
        "      id \"t0\"\n";
    g_assert_cmpstr(out, ==, want);

    /* Unmapped BARs say so. */
    cfg_writew(s, TD, PCI_COMMAND, 0);
    g_free(out);
    out = hmp(s, "info pci");
    g_assert_nonnull(strstr(out, "      BAR0: I/O (not mapped)\n"
                                 "      BAR1: 32 bit memory (not mapped)\n"
                                 "      BAR2: 64 bit prefetchable memory (not mapped)\n"));

    /* query-pci carries the same facts. */
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'query-pci'}");
    JsonArray *buses = json_node_get_array(qtest_qmp_return(r));
    g_assert_cmpuint(json_array_get_length(buses), ==, 1);
    JsonObject *bus = json_array_get_object_element(buses, 0);
    g_assert_cmpint(json_object_get_int_member(bus, "bus"), ==, 0);
    JsonArray *devs = json_object_get_array_member(bus, "devices");
    /* 00.0, 01.0, 01.1 (IDE), 01.3 (PM), 03.0 */
    g_assert_cmpuint(json_array_get_length(devs), ==, 5);
    JsonObject *d = json_array_get_object_element(devs, 4);
    g_assert_cmpint(json_object_get_int_member(d, "slot"), ==, 3);
    g_assert_cmpint(json_object_get_int_member(d, "function"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(d, "irq"), ==, 11);
    g_assert_cmpint(json_object_get_int_member(d, "irq_pin"), ==, 1);
    g_assert_cmpstr(json_object_get_string_member(d, "qdev_id"), ==, "t0");
    JsonObject *id = json_object_get_object_member(d, "id");
    g_assert_cmphex(json_object_get_int_member(id, "vendor"), ==, 0x1234);
    g_assert_cmphex(json_object_get_int_member(id, "device"), ==, 0x7e57);
    JsonObject *cls = json_object_get_object_member(d, "class_info");
    g_assert_cmphex(json_object_get_int_member(cls, "class"), ==, 0xff00);
    g_assert_false(json_object_has_member(cls, "desc"));
    JsonObject *host = json_array_get_object_element(devs, 0);
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(host, "class_info"), "desc"),
                    ==, "Host bridge");
    g_assert_false(json_object_has_member(host, "irq"));
    JsonArray *regs = json_object_get_array_member(d, "regions");
    JsonObject *bar2 = json_array_get_object_element(regs, 2);
    g_assert_cmpint(json_object_get_int_member(bar2, "bar"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(bar2, "size"), ==, PCITESTDEV_RAM64_SIZE);
    g_assert_cmpint(json_object_get_int_member(bar2, "address"), ==, -1);
    g_assert_true(json_object_get_boolean_member(bar2, "prefetch"));
    g_assert_true(json_object_get_boolean_member(bar2, "mem_type_64"));

    /* info qtree shows the bus and the address like QEMU. */
    g_free(out);
    out = hmp(s, "info qtree");
    g_assert_nonnull(strstr(out, "bus: pci.0\n"));
    g_assert_nonnull(strstr(out, "class ISA bridge, addr 00:01.0, pci id 8086:7000 "
                                 "(sub 1af4:1100)\n"));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("emu-pci-XXXXXX", NULL);
    g_test_add_func("/pci/host/confadd", test_confadd);
    g_test_add_func("/pci/host/data-port-widths", test_data_port_widths);
    g_test_add_func("/pci/config/header-masks", test_header_masks);
    g_test_add_func("/pci/config/capabilities", test_capabilities);
    g_test_add_func("/pci/bar/sizing", test_bar_sizing);
    g_test_add_func("/pci/bar/mapping", test_bar_mapping);
    g_test_add_func("/pci/bar/romfile", test_romfile);
    g_test_add_func("/pci/bus-master", test_bus_master);
    g_test_add_func("/pci/reset", test_reset);
    g_test_add_func("/pci/hostile/config", test_hostile_config);
    g_test_add_func("/pci/hostile/overlapping-bars", test_overlapping_bars);
    g_test_add_func("/pci/device-add", test_device_add);
    g_test_add_func("/pci/monitor/info-pci", test_info_pci);
    int ret = g_test_run();
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(cmd)) {
        /* best effort */
    }
    return ret;
}
