/*
 * emu-testdev (hw/misc/testdev.c): the test-only device whose RAM, ROM and
 * MMIO windows a guest maps, moves and unmaps at run time. Checks the register
 * rules (validation, status bits, counters, reset) and that the windows really
 * appear in and leave guest-physical memory (qtest reads/writes go through the
 * flat view of address_space_memory, as a CPU's would).
 */
#include "libqtest.h"
#include "../../include/hw/misc/testdev-regs.h"

#include <string.h>

#define IDX (TESTDEV_IOBASE + TESTDEV_PORT_INDEX)
#define DATA (TESTDEV_IOBASE + TESTDEV_PORT_DATA)

#define HIGH 0x100000000ull     /* above 4 GiB: no RAM there with the default -m */
#define HOLE 0xd0000000ull      /* below 4 GiB, above RAM: nothing mapped */
#define RAM_WIN TESTDEV_REG_WIN(TESTDEV_WIN_RAM)
#define ROM_WIN TESTDEV_REG_WIN(TESTDEV_WIN_ROM)
#define MMIO_WIN TESTDEV_REG_WIN(TESTDEV_WIN_MMIO)

static uint32_t rd(QTestState *s, uint32_t reg)
{
    qtest_outl(s, IDX, reg);
    return qtest_inl(s, DATA);
}

static void wr(QTestState *s, uint32_t reg, uint32_t val)
{
    qtest_outl(s, IDX, reg);
    qtest_outl(s, DATA, val);
}

/* Stage @addr for window register block @win and write CTL; returns STATUS (cleared). */
static uint32_t win_ctl(QTestState *s, uint32_t win, uint64_t addr, uint32_t ctl)
{
    wr(s, win + TESTDEV_WIN_ADDR_LO, (uint32_t)addr);
    wr(s, win + TESTDEV_WIN_ADDR_HI, addr >> 32);
    wr(s, win + TESTDEV_WIN_CTL, ctl);
    uint32_t st = rd(s, TESTDEV_REG_STATUS);
    wr(s, TESTDEV_REG_STATUS, st);
    return st;
}

static QTestState *start(void)
{
    return qtest_init("-machine pc -device emu-testdev");
}

static char *flat_view(QTestState *s)
{
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'human-monitor-command', "
                                      "'arguments': {'command-line': 'info mtree -f'}}");
    JsonNode *out = qtest_qmp_return(r);
    g_assert_nonnull(out);
    return g_strdup(json_node_get_string(out));
}

static void test_id_and_registers(void)
{
    QTestState *s = start();
    g_assert_cmphex(rd(s, TESTDEV_REG_ID), ==, TESTDEV_ID_VALUE);
    g_assert_cmphex(qtest_inl(s, IDX), ==, TESTDEV_REG_ID);
    g_assert_cmphex(rd(s, TESTDEV_REG_STATUS), ==, 0);
    g_assert_cmphex(rd(s, TESTDEV_REG_CHANGES), ==, 0);
    g_assert_cmphex(rd(s, TESTDEV_REG_ROM_DIFF), ==, 0);
    g_assert_cmphex(rd(s, RAM_WIN + TESTDEV_WIN_CTL), ==, 0);

    /* Staged addresses read back whole; staging alone maps nothing. */
    wr(s, RAM_WIN + TESTDEV_WIN_ADDR_LO, 0x12340000);
    wr(s, RAM_WIN + TESTDEV_WIN_ADDR_HI, 0x5);
    g_assert_cmphex(rd(s, RAM_WIN + TESTDEV_WIN_ADDR_LO), ==, 0x12340000);
    g_assert_cmphex(rd(s, RAM_WIN + TESTDEV_WIN_ADDR_HI), ==, 0x5);
    g_assert_cmphex(rd(s, TESTDEV_REG_CHANGES), ==, 0);

    /* Unknown registers and writes to read-only ones: ERR_REG, nothing else. */
    g_assert_cmphex(rd(s, 0x0f), ==, 0xffffffff);
    g_assert_cmphex(rd(s, TESTDEV_REG_STATUS), ==, TESTDEV_ERR_REG);
    wr(s, TESTDEV_REG_STATUS, TESTDEV_ERR_REG);          /* write 1 to clear */
    g_assert_cmphex(rd(s, TESTDEV_REG_STATUS), ==, 0);
    wr(s, TESTDEV_REG_CHANGES, 7);
    g_assert_cmphex(rd(s, TESTDEV_REG_CHANGES), ==, 0);
    g_assert_cmphex(rd(s, TESTDEV_REG_STATUS), ==, TESTDEV_ERR_REG);
    wr(s, TESTDEV_REG_STATUS, 0);                         /* 0 clears nothing */
    g_assert_cmphex(rd(s, TESTDEV_REG_STATUS), ==, TESTDEV_ERR_REG);
    wr(s, TESTDEV_REG_STATUS, 0xffffffff);

    /* The ports take 32-bit accesses only: narrower ones float and change nothing. */
    qtest_outl(s, IDX, TESTDEV_REG_ID);
    qtest_outb(s, IDX, TESTDEV_REG_STATUS);
    g_assert_cmphex(qtest_inb(s, DATA), ==, 0xff);
    g_assert_cmphex(qtest_inw(s, DATA), ==, 0xffff);
    g_assert_cmphex(qtest_inl(s, DATA), ==, TESTDEV_ID_VALUE);
    /* Ports 0xe8 and beyond are not the device's (0xe9 is debugcon's). */
    g_assert_cmphex(qtest_inl(s, TESTDEV_IOBASE + 8), ==, 0xffffffff);
    qtest_quit(s);
}

static void test_ram_window_move(void)
{
    QTestState *s = start();

    g_assert_cmphex(qtest_readl(s, HIGH), ==, 0xffffffff);
    g_assert_cmphex(win_ctl(s, RAM_WIN, HIGH, TESTDEV_CTL_MAP), ==, 0);
    g_assert_cmphex(rd(s, RAM_WIN + TESTDEV_WIN_CTL), ==, TESTDEV_CTL_MAP);
    g_assert_cmphex(rd(s, TESTDEV_REG_CHANGES), ==, 1);

    /* It is RAM: zeroed, keeps what is written, every byte of the 64 KiB. */
    g_assert_cmphex(qtest_readq(s, HIGH), ==, 0);
    for (uint64_t off = 0; off < TESTDEV_RAM_SIZE; off += 0x1000) {
        qtest_writel(s, HIGH + off, 0xa5000000 | (uint32_t)off);
    }
    qtest_writeq(s, HIGH + TESTDEV_RAM_SIZE - 8, 0x0123456789abcdefull);
    g_assert_cmphex(qtest_readl(s, HIGH + 0x3000), ==, 0xa5003000);
    g_assert_cmphex(qtest_readq(s, HIGH + TESTDEV_RAM_SIZE - 8), ==, 0x0123456789abcdefull);
    g_assert_cmphex(qtest_readl(s, HIGH + TESTDEV_RAM_SIZE), ==, 0xffffffff);

    /* Move below 4 GiB: the contents follow; the old place is a hole again. */
    g_assert_cmphex(win_ctl(s, RAM_WIN, HOLE, TESTDEV_CTL_MAP), ==, 0);
    g_assert_cmphex(rd(s, TESTDEV_REG_CHANGES), ==, 2);
    for (uint64_t off = 0; off < TESTDEV_RAM_SIZE - 0x1000; off += 0x1000) {
        g_assert_cmphex(qtest_readl(s, HOLE + off), ==, 0xa5000000 | (uint32_t)off);
    }
    g_assert_cmphex(qtest_readq(s, HOLE + TESTDEV_RAM_SIZE - 8), ==, 0x0123456789abcdefull);
    g_assert_cmphex(qtest_readl(s, HIGH), ==, 0xffffffff);
    qtest_writel(s, HIGH, 0);
    g_assert_cmphex(qtest_readl(s, HOLE), ==, 0xa5000000);

    g_autofree char *fv = flat_view(s);
    g_assert_nonnull(strstr(fv, "00000000d0000000-00000000d000ffff (prio 0, ram): "
                                "testdev.ram"));
    g_assert_null(strstr(fv, "0000000100000000"));

    /* Mapping again where it is changes nothing. */
    g_assert_cmphex(win_ctl(s, RAM_WIN, HOLE, TESTDEV_CTL_MAP), ==, 0);
    g_assert_cmphex(rd(s, TESTDEV_REG_CHANGES), ==, 2);

    /* Unmap: a hole; the contents survive for the next map. */
    g_assert_cmphex(win_ctl(s, RAM_WIN, HOLE, 0), ==, 0);
    g_assert_cmphex(rd(s, TESTDEV_REG_CHANGES), ==, 3);
    g_assert_cmphex(qtest_readl(s, HOLE), ==, 0xffffffff);
    g_assert_cmphex(win_ctl(s, RAM_WIN, HOLE, 0), ==, 0);
    g_assert_cmphex(rd(s, TESTDEV_REG_CHANGES), ==, 3);
    g_assert_cmphex(win_ctl(s, RAM_WIN, HIGH + 0x10000, TESTDEV_CTL_MAP), ==, 0);
    g_assert_cmphex(qtest_readl(s, HIGH + 0x10000 + 0x2000), ==, 0xa5002000);
    qtest_quit(s);
}

static void test_rom_window(void)
{
    QTestState *s = start();
    const uint64_t at = 0xe0000000;

    g_assert_cmphex(win_ctl(s, ROM_WIN, at, TESTDEV_CTL_MAP), ==, 0);
    for (uint32_t i = 0; i < TESTDEV_ROM_SIZE / 4; i += 97) {
        g_assert_cmphex(qtest_readl(s, at + 4 * i), ==, TESTDEV_ROM_WORD(i));
    }
    g_assert_cmphex(qtest_readl(s, at + TESTDEV_ROM_SIZE - 4), ==,
                    TESTDEV_ROM_WORD(TESTDEV_ROM_SIZE / 4 - 1));
    /* Writes to ROM are dropped. */
    qtest_writel(s, at, 0);
    qtest_writeq(s, at + 0x100, 0);
    g_assert_cmphex(qtest_readl(s, at), ==, TESTDEV_ROM_WORD(0));
    g_assert_cmphex(rd(s, TESTDEV_REG_ROM_DIFF), ==, 0);

    g_autofree char *fv = flat_view(s);
    g_assert_nonnull(strstr(fv, "00000000e0000000-00000000e000ffff (prio 0, rom): "
                                "testdev.rom"));

    g_assert_cmphex(win_ctl(s, ROM_WIN, at, 0), ==, 0);
    g_assert_cmphex(qtest_readl(s, at), ==, 0xffffffff);
    g_assert_cmphex(rd(s, TESTDEV_REG_CHANGES), ==, 2);
    qtest_quit(s);
}

static void test_mmio_window(void)
{
    QTestState *s = start();
    const uint64_t at = HOLE + 0x101000;

    g_assert_cmphex(win_ctl(s, MMIO_WIN, at, TESTDEV_CTL_MAP), ==, 0);
    g_assert_cmphex(qtest_readq(s, at + TESTDEV_MMIO_COUNT), ==, 0);
    g_assert_cmphex(qtest_readl(s, at + TESTDEV_MMIO_ID), ==, TESTDEV_ID_VALUE);
    g_assert_cmphex(qtest_readq(s, at + TESTDEV_MMIO_SCRATCH), ==, 0);
    /* Two accesses so far; reading COUNT (any width) does not count. */
    g_assert_cmphex(qtest_readl(s, at + TESTDEV_MMIO_COUNT), ==, 2);
    g_assert_cmphex(qtest_readb(s, at + TESTDEV_MMIO_COUNT), ==, 2);
    g_assert_cmphex(rd(s, TESTDEV_REG_MMIO_COUNT), ==, 2);

    qtest_writeq(s, at + TESTDEV_MMIO_SCRATCH, 0x1122334455667788ull);
    g_assert_cmphex(qtest_readq(s, at + TESTDEV_MMIO_SCRATCH), ==, 0x1122334455667788ull);
    qtest_writel(s, at + TESTDEV_MMIO_SCRATCH + 4, 0xdeadbeef);
    qtest_writew(s, at + TESTDEV_MMIO_SCRATCH + 2, 0xcafe);
    qtest_writeb(s, at + TESTDEV_MMIO_SCRATCH, 0x01);
    g_assert_cmphex(qtest_readq(s, at + TESTDEV_MMIO_SCRATCH), ==, 0xdeadbeefcafe7701ull);
    g_assert_cmphex(qtest_readw(s, at + TESTDEV_MMIO_SCRATCH + 4), ==, 0xbeef);
    g_assert_cmphex(qtest_readb(s, at + TESTDEV_MMIO_SCRATCH + 7), ==, 0xde);
    /* 2 + 2 + 3 writes + 3 reads = 10. */
    g_assert_cmphex(qtest_readq(s, at + TESTDEV_MMIO_COUNT), ==, 10);
    /* Writes to read-only offsets and reads of unused ones count too. */
    qtest_writel(s, at + TESTDEV_MMIO_ID, 0);
    qtest_writel(s, at + TESTDEV_MMIO_COUNT, 0);
    g_assert_cmphex(qtest_readl(s, at + 0x800), ==, 0);
    g_assert_cmphex(qtest_readl(s, at + TESTDEV_MMIO_ID), ==, TESTDEV_ID_VALUE);
    g_assert_cmphex(qtest_readq(s, at + TESTDEV_MMIO_COUNT), ==, 14);

    g_autofree char *fv = flat_view(s);
    g_assert_nonnull(strstr(fv, "00000000d0101000-00000000d0101fff (prio 0, i/o): "
                                "testdev.mmio"));

    g_assert_cmphex(win_ctl(s, MMIO_WIN, at, 0), ==, 0);
    g_assert_cmphex(qtest_readl(s, at + TESTDEV_MMIO_ID), ==, 0xffffffff);
    g_assert_cmphex(rd(s, TESTDEV_REG_MMIO_COUNT), ==, 14);
    qtest_quit(s);
}

static void test_ram_dirty(void)
{
    QTestState *s = start();

    g_assert_cmphex(rd(s, TESTDEV_REG_RAM_DIRTY), ==, 0);    /* clean after reset */
    g_assert_cmphex(win_ctl(s, RAM_WIN, HOLE, TESTDEV_CTL_MAP), ==, 0);
    g_assert_cmphex(rd(s, TESTDEV_REG_RAM_DIRTY), ==, 0);
    qtest_writel(s, HOLE + 0x2000, 1);
    qtest_writeb(s, HOLE + 0xffff, 1);
    qtest_readl(s, HOLE + 0x5000);
    g_assert_cmphex(rd(s, TESTDEV_REG_RAM_DIRTY), ==, 0x8004);
    g_assert_cmphex(rd(s, TESTDEV_REG_RAM_DIRTY), ==, 0);
    /* A write across a page boundary dirties both pages. */
    qtest_writeq(s, HOLE + 0x6ffc, ~0ull);
    g_assert_cmphex(win_ctl(s, RAM_WIN, HIGH, TESTDEV_CTL_MAP), ==, 0);
    g_assert_cmphex(rd(s, TESTDEV_REG_RAM_DIRTY), ==, 0xc0);
    qtest_quit(s);
}

static void test_refusals(void)
{
    QTestState *s = start();
    uint32_t changes = 0;

    /* Alignment: a multiple of the window's size. */
    g_assert_cmphex(win_ctl(s, RAM_WIN, HOLE + 0x1000, TESTDEV_CTL_MAP), ==,
                    TESTDEV_ERR_ALIGN);
    g_assert_cmphex(win_ctl(s, MMIO_WIN, HOLE + 0x800, TESTDEV_CTL_MAP), ==,
                    TESTDEV_ERR_ALIGN);
    g_assert_cmphex(win_ctl(s, MMIO_WIN, HOLE + 0x1000, TESTDEV_CTL_MAP), ==, 0);
    changes++;
    /* Range: the interrupt controllers and firmware, and beyond 64 GiB. */
    g_assert_cmphex(win_ctl(s, ROM_WIN, 0xfee00000, TESTDEV_CTL_MAP | TESTDEV_CTL_OVERLAY),
                    ==, TESTDEV_ERR_RANGE);
    g_assert_cmphex(win_ctl(s, ROM_WIN, 0xfebf0000, TESTDEV_CTL_MAP), ==, 0);
    changes++;
    g_assert_cmphex(win_ctl(s, ROM_WIN, 0xfebf0000, 0), ==, 0);
    changes++;
    g_assert_cmphex(win_ctl(s, RAM_WIN, TESTDEV_ADDR_LIMIT, TESTDEV_CTL_MAP), ==,
                    TESTDEV_ERR_RANGE);
    g_assert_cmphex(win_ctl(s, RAM_WIN, 0xfffffffffff0000ull, TESTDEV_CTL_MAP), ==,
                    TESTDEV_ERR_RANGE);
    g_assert_cmphex(win_ctl(s, RAM_WIN, TESTDEV_ADDR_LIMIT - TESTDEV_RAM_SIZE,
                            TESTDEV_CTL_MAP), ==, 0);
    changes++;
    /* Another window of the device: refused even with OVERLAY. */
    g_assert_cmphex(win_ctl(s, ROM_WIN, HOLE, TESTDEV_CTL_MAP | TESTDEV_CTL_OVERLAY), ==,
                    TESTDEV_ERR_OVERLAP);
    /* Reserved CTL bits. */
    g_assert_cmphex(win_ctl(s, ROM_WIN, 0xe0000000, TESTDEV_CTL_MAP | 0x80), ==,
                    TESTDEV_ERR_CTL);
    g_assert_cmphex(rd(s, ROM_WIN + TESTDEV_WIN_CTL), ==, 0);
    g_assert_cmphex(rd(s, TESTDEV_REG_CHANGES), ==, changes);

    /* Guest RAM (0-128 MiB): refused, unless overlaid. */
    qtest_writel(s, 0x200000, 0x600dda7a);
    g_assert_cmphex(win_ctl(s, ROM_WIN, 0x200000, TESTDEV_CTL_MAP), ==,
                    TESTDEV_ERR_OVERLAP);
    g_assert_cmphex(win_ctl(s, ROM_WIN, 0x7ff0000, TESTDEV_CTL_MAP), ==,
                    TESTDEV_ERR_OVERLAP);
    g_assert_cmphex(qtest_readl(s, 0x200000), ==, 0x600dda7a);
    g_assert_cmphex(rd(s, TESTDEV_REG_CHANGES), ==, changes);
    g_assert_cmphex(win_ctl(s, ROM_WIN, 0x200000, TESTDEV_CTL_MAP | TESTDEV_CTL_OVERLAY),
                    ==, 0);
    changes++;
    g_assert_cmphex(rd(s, ROM_WIN + TESTDEV_WIN_CTL), ==,
                    TESTDEV_CTL_MAP | TESTDEV_CTL_OVERLAY);
    g_assert_cmphex(qtest_readl(s, 0x200000), ==, TESTDEV_ROM_WORD(0));
    g_assert_cmphex(qtest_readl(s, 0x1ffffc), ==, 0);          /* RAM around it */
    g_autofree char *fv = flat_view(s);
    g_assert_nonnull(strstr(fv, "0000000000200000-000000000020ffff (prio 1, rom): "
                                "testdev.rom"));
    g_assert_nonnull(strstr(fv, "0000000000210000-0000000007ffffff (prio 0, ram): "
                                "pc.ram @0000000000210000"));
    /* OVERLAY does not flip in place (what is beneath is unknown): unmap first. */
    g_assert_cmphex(win_ctl(s, ROM_WIN, 0x200000, TESTDEV_CTL_MAP), ==, TESTDEV_ERR_CTL);
    g_assert_cmphex(rd(s, ROM_WIN + TESTDEV_WIN_CTL), ==,
                    TESTDEV_CTL_MAP | TESTDEV_CTL_OVERLAY);
    /* Moving an overlay into guest RAM without OVERLAY: refused, it stays. */
    g_assert_cmphex(win_ctl(s, ROM_WIN, 0x300000, TESTDEV_CTL_MAP), ==,
                    TESTDEV_ERR_OVERLAP);
    g_assert_cmphex(qtest_readl(s, 0x200000), ==, TESTDEV_ROM_WORD(0));
    /* Unmapped, the guest's RAM is back untouched. */
    g_assert_cmphex(win_ctl(s, ROM_WIN, 0x200000, 0), ==, 0);
    changes++;
    g_assert_cmphex(qtest_readl(s, 0x200000), ==, 0x600dda7a);
    g_assert_cmphex(rd(s, TESTDEV_REG_CHANGES), ==, changes);
    g_free(fv);
    fv = flat_view(s);
    /* One RAM range again from the end of the PCI-decoded VGA window up. */
    g_assert_nonnull(strstr(fv, "00000000000c0000-0000000007ffffff (prio 0, ram): "
                                "pc.ram @00000000000c0000"));
    qtest_quit(s);
}

static void test_reset(void)
{
    QTestState *s = start();

    g_assert_cmphex(win_ctl(s, RAM_WIN, HOLE, TESTDEV_CTL_MAP), ==, 0);
    g_assert_cmphex(win_ctl(s, ROM_WIN, HIGH, TESTDEV_CTL_MAP), ==, 0);
    g_assert_cmphex(win_ctl(s, MMIO_WIN, HOLE + 0x100000, TESTDEV_CTL_MAP), ==, 0);
    qtest_writel(s, HOLE, 0x12345678);
    qtest_writeq(s, HOLE + 0x100000, 42);
    rd(s, 0x0f);

    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'system_reset'}");
    g_assert_nonnull(qtest_qmp_return(r));
    qtest_qmp_eventwait(s, "RESET");

    g_assert_cmphex(qtest_readl(s, HOLE), ==, 0xffffffff);
    g_assert_cmphex(qtest_readl(s, HIGH), ==, 0xffffffff);
    g_assert_cmphex(qtest_readl(s, HOLE + 0x100000), ==, 0xffffffff);
    for (int w = 0; w < TESTDEV_NR_WIN; w++) {
        g_assert_cmphex(rd(s, TESTDEV_REG_WIN(w) + TESTDEV_WIN_CTL), ==, 0);
        g_assert_cmphex(rd(s, TESTDEV_REG_WIN(w) + TESTDEV_WIN_ADDR_LO), ==, 0);
    }
    g_assert_cmphex(rd(s, TESTDEV_REG_STATUS), ==, 0);
    g_assert_cmphex(rd(s, TESTDEV_REG_CHANGES), ==, 0);
    g_assert_cmphex(rd(s, TESTDEV_REG_MMIO_COUNT), ==, 0);
    g_assert_cmphex(rd(s, TESTDEV_REG_ROM_DIFF), ==, 0);
    /* RAM starts zeroed again, the scratch register too. */
    g_assert_cmphex(win_ctl(s, RAM_WIN, HOLE, TESTDEV_CTL_MAP), ==, 0);
    g_assert_cmphex(qtest_readl(s, HOLE), ==, 0);
    g_assert_cmphex(win_ctl(s, MMIO_WIN, HIGH, TESTDEV_CTL_MAP), ==, 0);
    g_assert_cmphex(qtest_readq(s, HIGH + TESTDEV_MMIO_SCRATCH), ==, 0);
    qtest_quit(s);
}

static void test_map_cycles(void)
{
    /* Many map/unmap/move cycles: the flat view ends as it began. */
    QTestState *s = start();
    for (int i = 0; i < 200; i++) {
        uint64_t a = HIGH + (uint64_t)(i % 7) * TESTDEV_RAM_SIZE;
        g_assert_cmphex(win_ctl(s, RAM_WIN, a, TESTDEV_CTL_MAP), ==, 0);
        g_assert_cmphex(win_ctl(s, ROM_WIN, HOLE, TESTDEV_CTL_MAP), ==, 0);
        g_assert_cmphex(qtest_readl(s, HOLE + 4), ==, TESTDEV_ROM_WORD(1));
        g_assert_cmphex(win_ctl(s, ROM_WIN, HOLE, 0), ==, 0);
    }
    g_assert_cmphex(win_ctl(s, RAM_WIN, 0, 0), ==, 0);
    g_assert_cmphex(rd(s, TESTDEV_REG_CHANGES), ==, 601);
    g_autofree char *fv = flat_view(s);
    g_assert_null(strstr(fv, "testdev."));   /* the ports stay */
    qtest_quit(s);
}

static void test_iobase(void)
{
    QTestState *s = qtest_init("-machine pc -device emu-testdev,iobase=0x5f0");
    g_assert_cmphex(qtest_inl(s, IDX), ==, 0xffffffff);
    qtest_outl(s, 0x5f0, TESTDEV_REG_ID);
    g_assert_cmphex(qtest_inl(s, 0x5f4), ==, TESTDEV_ID_VALUE);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/testdev/id-and-registers", test_id_and_registers);
    g_test_add_func("/testdev/ram-window-move", test_ram_window_move);
    g_test_add_func("/testdev/rom-window", test_rom_window);
    g_test_add_func("/testdev/mmio-window", test_mmio_window);
    g_test_add_func("/testdev/ram-dirty", test_ram_dirty);
    g_test_add_func("/testdev/refusals", test_refusals);
    g_test_add_func("/testdev/reset", test_reset);
    g_test_add_func("/testdev/map-cycles", test_map_cycles);
    g_test_add_func("/testdev/iobase", test_iobase);
    return g_test_run();
}
