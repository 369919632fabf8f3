/*
 * Memory slots added, moved and removed at run time. Needs
 * `-device emu-testdev` (hw/misc/testdev.c), whose RAM, ROM and MMIO windows
 * the guest maps through ports 0xe0-0xe7. Under KVM each change of the map
 * becomes KVM_SET_USER_MEMORY_REGION calls from emu's slot listener:
 *  - RAM above 4 GiB keeps a pattern when moved into the PCI hole, and the old
 *    place becomes a hole (reads exit to emu: all-ones);
 *  - the RAM window's dirty log survives moves and unmaps of its slot;
 *  - a ROM is a read-only slot: reads come from memory, writes exit and are
 *    dropped (the device checks its ROM is intact);
 *  - an MMIO region is no slot at all: every access is one exit, counted;
 *  - a ROM overlaid on guest RAM splits the RAM slot, and unmapping it joins
 *    the RAM back with its contents;
 *  - 600 cycles of map/move/unmap: a slot leaked per cycle would exhaust the
 *    512 slots emu uses. emu then serves the windows through exits, which
 *    read the same, so the guest times ring-3 reads to tell a slot from an
 *    exit (and the host checks emu's slot log, see test_kvm.py).
 * With "hold" on the command line the guest leaves a known map in place and
 * halts, for the host to inspect with `info mtree -f`.
 */
#include "libguest.h"
#include "../../include/hw/misc/testdev-regs.h"

#define IDX (TESTDEV_IOBASE + TESTDEV_PORT_INDEX)
#define DATA (TESTDEV_IOBASE + TESTDEV_PORT_DATA)

#define HIGH 0x180000000ul          /* 6 GiB: no RAM there, inside the 8 GiB identity map */
#define HOLE 0xd0000000ul           /* the PCI hole below 4 GiB */
#define ROM_AT (HOLE + 0x100000)
#define MMIO_AT (HOLE + 0x200000)
#define GUEST_RAM 0x2000000ul       /* 32 MiB: guest RAM the image does not use */
#define CYCLES 600

static uint32_t td_rd(uint32_t reg)
{
    outl(IDX, reg);
    return inl(DATA);
}

static void td_wr(uint32_t reg, uint32_t val)
{
    outl(IDX, reg);
    outl(DATA, val);
}

/* Stage @addr for window @w, write @ctl; returns the STATUS bits it set (cleared). */
static uint32_t win_ctl(int w, uint64_t addr, uint32_t ctl)
{
    td_wr(TESTDEV_REG_WIN(w) + TESTDEV_WIN_ADDR_LO, (uint32_t)addr);
    td_wr(TESTDEV_REG_WIN(w) + TESTDEV_WIN_ADDR_HI, addr >> 32);
    td_wr(TESTDEV_REG_WIN(w) + TESTDEV_WIN_CTL, ctl);
    uint32_t st = td_rd(TESTDEV_REG_STATUS);
    if (st) {
        td_wr(TESTDEV_REG_STATUS, st);
    }
    return st;
}

static uint64_t pattern(uint64_t i)
{
    return (i + 1) * 0x9e3779b97f4a7c15ull ^ 0x52414d21ull;
}

/* Index of the first qword of the RAM window at @base that lacks the pattern, or -1. */
static long ram_mismatch(uintptr_t base)
{
    volatile uint64_t *p = (volatile uint64_t *)base;
    for (unsigned long i = 0; i < TESTDEV_RAM_SIZE / 8; i++) {
        if (p[i] != pattern(i)) {
            return (long)i;
        }
    }
    return -1;
}

static void test_ram_window(void)
{
    check(mmio_read64(HIGH) == ~0ull, "nothing at %#lx before the RAM window", HIGH);
    uint32_t st = win_ctl(TESTDEV_WIN_RAM, HIGH, TESTDEV_CTL_MAP);
    check(st == 0 && td_rd(TESTDEV_REG_WIN(TESTDEV_WIN_RAM) + TESTDEV_WIN_CTL) ==
          TESTDEV_CTL_MAP, "RAM window mapped at %#lx above 4 GiB (status %#x)", HIGH, st);
    volatile uint64_t *p = (volatile uint64_t *)HIGH;
    check(p[0] == 0 && p[TESTDEV_RAM_SIZE / 8 - 1] == 0, "the RAM window starts zeroed");
    for (unsigned long i = 0; i < TESTDEV_RAM_SIZE / 8; i++) {
        p[i] = pattern(i);
    }
    long bad = ram_mismatch(HIGH);
    check(bad < 0, "64 KiB pattern written and read back above 4 GiB (first bad qword %ld)",
          bad);

    st = win_ctl(TESTDEV_WIN_RAM, HOLE, TESTDEV_CTL_MAP);
    check(st == 0 && td_rd(TESTDEV_REG_CHANGES) == 2, "RAM window moved to %#lx (status "
          "%#x, %u changes)", HOLE, st, td_rd(TESTDEV_REG_CHANGES));
    bad = ram_mismatch(HOLE);
    check(bad < 0, "the pattern moved with the window below 4 GiB (first bad qword %ld)",
          bad);
    check(mmio_read64(HIGH) == ~0ull && mmio_read32(HIGH + 0x8000) == ~0u &&
          mmio_read8(HIGH + TESTDEV_RAM_SIZE - 1) == 0xff,
          "the old place above 4 GiB is a hole now: reads are all-ones");
    mmio_write64(HIGH, 0x1234);
    check(mmio_read64(HIGH) == ~0ull && mmio_read64(HOLE) == pattern(0),
          "a write to the old place is dropped and does not reach the window");
    /* The window is writable where it now is. */
    p = (volatile uint64_t *)HOLE;
    p[1] = 0x600dcafe;
    check(p[1] == 0x600dcafe, "the moved window is writable RAM");
    p[1] = pattern(1);
}

/*
 * The RAM window is logged like a framebuffer (its slot has
 * KVM_MEM_LOG_DIRTY_PAGES). Pages written just before a move or an unmap must
 * still be reported afterwards: the log KVM kept for the old slot has to be
 * collected before the slot goes away.
 */
static void test_dirty_log(void)
{
    volatile uint64_t *p = (volatile uint64_t *)HOLE;
    td_rd(TESTDEV_REG_RAM_DIRTY);
    uint32_t d = td_rd(TESTDEV_REG_RAM_DIRTY);
    check(d == 0, "reading RAM_DIRTY clears it (%#x)", d);
    p[3 * 512] = pattern(3 * 512);
    p[9 * 512 + 7] = pattern(9 * 512 + 7);
    d = td_rd(TESTDEV_REG_RAM_DIRTY);
    check(d == (1u << 3 | 1u << 9), "pages 3 and 9 written in place are dirty (%#x)", d);

    p[5 * 512] = pattern(5 * 512);
    uint32_t st = win_ctl(TESTDEV_WIN_RAM, HIGH, TESTDEV_CTL_MAP);
    d = td_rd(TESTDEV_REG_RAM_DIRTY);
    check(st == 0 && d == 1u << 5, "page 5 written just before a move is still dirty after "
          "it (%#x)", d);
    p = (volatile uint64_t *)HIGH;
    p[15 * 512 + 511] = pattern(15 * 512 + 511);
    p[0] = pattern(0);
    st = win_ctl(TESTDEV_WIN_RAM, HIGH, 0);
    d = td_rd(TESTDEV_REG_RAM_DIRTY);
    check(st == 0 && d == (1u << 0 | 1u << 15), "pages 0 and 15 written just before an "
          "unmap are still dirty after it (%#x)", d);
    st = win_ctl(TESTDEV_WIN_RAM, HOLE, TESTDEV_CTL_MAP);
    long bad = ram_mismatch(HOLE);
    check(st == 0 && bad < 0 && td_rd(TESTDEV_REG_RAM_DIRTY) == 0,
          "mapped again in the hole: pattern intact, nothing dirty (bad qword %ld)", bad);
}

static void test_rom_window(void)
{
    uint32_t st = win_ctl(TESTDEV_WIN_ROM, ROM_AT, TESTDEV_CTL_MAP);
    check(st == 0, "ROM mapped at %#lx (status %#x)", ROM_AT, st);
    volatile uint32_t *r = (volatile uint32_t *)ROM_AT;
    unsigned bad = 0;
    for (unsigned i = 0; i < TESTDEV_ROM_SIZE / 4; i++) {
        bad += r[i] != TESTDEV_ROM_WORD(i);
    }
    check(bad == 0, "the ROM reads its pattern (%u of %llu words wrong)", bad,
          TESTDEV_ROM_SIZE / 4);
    /* Writes: a read-only slot sends them to emu, which drops them. */
    mmio_write32(ROM_AT, 0);
    mmio_write64(ROM_AT + 0x100, ~0ull);
    mmio_write8(ROM_AT + TESTDEV_ROM_SIZE - 1, 0);
    check(r[0] == TESTDEV_ROM_WORD(0) && r[0x40] == TESTDEV_ROM_WORD(0x40) &&
          r[0x41] == TESTDEV_ROM_WORD(0x41) &&
          r[TESTDEV_ROM_SIZE / 4 - 1] == TESTDEV_ROM_WORD(TESTDEV_ROM_SIZE / 4 - 1),
          "writes to the ROM are ignored");
    uint32_t diff = td_rd(TESTDEV_REG_ROM_DIFF);
    check(diff == 0, "the device's ROM is unchanged (%u words differ)", diff);
    st = win_ctl(TESTDEV_WIN_ROM, ROM_AT, 0);
    check(st == 0 && mmio_read32(ROM_AT) == ~0u && mmio_read64(ROM_AT + 0x8000) == ~0ull,
          "ROM unmapped: its place reads all-ones");
}

static void test_mmio_window(void)
{
    uint32_t st = win_ctl(TESTDEV_WIN_MMIO, MMIO_AT, TESTDEV_CTL_MAP);
    check(st == 0, "MMIO region mapped at %#lx (status %#x)", MMIO_AT, st);
    uint64_t c0 = mmio_read64(MMIO_AT + TESTDEV_MMIO_COUNT);
    check(mmio_read32(MMIO_AT + TESTDEV_MMIO_ID) == TESTDEV_ID_VALUE, "MMIO ID register");
    mmio_write64(MMIO_AT + TESTDEV_MMIO_SCRATCH, 0x0123456789abcdefull);
    uint64_t v = mmio_read64(MMIO_AT + TESTDEV_MMIO_SCRATCH);
    check(v == 0x0123456789abcdefull, "8-byte scratch round trip: %#lx", v);
    mmio_write32(MMIO_AT + TESTDEV_MMIO_SCRATCH + 4, 0xfeedface);
    mmio_write16(MMIO_AT + TESTDEV_MMIO_SCRATCH + 2, 0xbeef);
    mmio_write8(MMIO_AT + TESTDEV_MMIO_SCRATCH + 1, 0x5a);
    v = mmio_read64(MMIO_AT + TESTDEV_MMIO_SCRATCH);
    check(v == 0xfeedfacebeef5aefull, "4, 2 and 1-byte scratch writes: %#lx", v);
    check(mmio_read16(MMIO_AT + TESTDEV_MMIO_SCRATCH + 6) == 0xfeed &&
          mmio_read8(MMIO_AT + TESTDEV_MMIO_SCRATCH + 2) == 0xef,
          "2 and 1-byte scratch reads");
    /* 1 read of ID, 1 write, 1 read, 3 writes, 1 read, 2 reads: 9 exits. */
    uint64_t c1 = mmio_read64(MMIO_AT + TESTDEV_MMIO_COUNT);
    check(c1 - c0 == 9, "the access counter moved by exactly 9 (%lu)", c1 - c0);
    check(td_rd(TESTDEV_REG_MMIO_COUNT) == (uint32_t)c1,
          "the counter seen through the ports agrees");
    st = win_ctl(TESTDEV_WIN_MMIO, MMIO_AT, 0);
    check(st == 0 && mmio_read32(MMIO_AT + TESTDEV_MMIO_ID) == ~0u,
          "MMIO region unmapped: all-ones");
    check(td_rd(TESTDEV_REG_MMIO_COUNT) == (uint32_t)c1,
          "an access to the unmapped region does not reach the device");
}

static void test_overlay(void)
{
    volatile uint64_t *g = (volatile uint64_t *)GUEST_RAM;
    g[0] = 0x1111222233334444ull;
    g[TESTDEV_ROM_SIZE / 8] = 0x5555666677778888ull;
    g[-1] = 0x9999aaaabbbbccccull;
    uint32_t changes = td_rd(TESTDEV_REG_CHANGES);
    uint32_t st = win_ctl(TESTDEV_WIN_ROM, GUEST_RAM, TESTDEV_CTL_MAP);
    check(st == TESTDEV_ERR_OVERLAP && td_rd(TESTDEV_REG_CHANGES) == changes &&
          g[0] == 0x1111222233334444ull,
          "mapping over guest RAM without OVERLAY is refused (status %#x)", st);
    st = win_ctl(TESTDEV_WIN_ROM, GUEST_RAM, TESTDEV_CTL_MAP | TESTDEV_CTL_OVERLAY);
    check(st == 0 && (uint32_t)g[0] == TESTDEV_ROM_WORD(0),
          "the ROM overlays guest RAM at %#lx", GUEST_RAM);
    check(g[-1] == 0x9999aaaabbbbccccull && g[TESTDEV_ROM_SIZE / 8] == 0x5555666677778888ull,
          "guest RAM on both sides of the overlay is intact");
    g[2] = 0;
    check(g[2] != 0 && td_rd(TESTDEV_REG_ROM_DIFF) == 0, "the overlay is read-only");
    st = win_ctl(TESTDEV_WIN_ROM, GUEST_RAM, 0);
    check(st == 0 && g[0] == 0x1111222233334444ull && g[-1] == 0x9999aaaabbbbccccull &&
          g[TESTDEV_ROM_SIZE / 8] == 0x5555666677778888ull,
          "unmapped: the guest RAM beneath is back with its contents");
    g[0] = 42;
    check(g[0] == 42, "and writable again");
}

static void test_cycles(void)
{
    uint32_t changes = td_rd(TESTDEV_REG_CHANGES);
    unsigned failures = 0;
    int first_bad = -1;
    const char *what = "";

    for (int i = 0; i < CYCLES; i++) {
        /* The ROM and MMIO come and go at changing places, below and above 4 GiB. */
        uint64_t rom = (i & 1 ? HIGH + 0x100000 : ROM_AT) + (uint64_t)(i % 5) * 0x10000;
        uint64_t mmio = (i & 2 ? HIGH + 0x200000 : MMIO_AT) + (uint64_t)(i % 7) * 0x1000;
        uint64_t ram = i & 1 ? HIGH : HOLE;
        const char *err = NULL;

        if (win_ctl(TESTDEV_WIN_RAM, ram, TESTDEV_CTL_MAP)) {
            err = "RAM move refused";
        } else if (mmio_read64(ram + 8 * (i % 64)) != pattern(i % 64)) {
            err = "RAM window lost its pattern";
        } else if (win_ctl(TESTDEV_WIN_ROM, rom, TESTDEV_CTL_MAP) ||
                   win_ctl(TESTDEV_WIN_MMIO, mmio, TESTDEV_CTL_MAP)) {
            err = "map refused";
        } else if (mmio_read32(rom + 4 * (i * 13 % 16384)) != TESTDEV_ROM_WORD(i * 13 % 16384)) {
            err = "ROM not readable";
        } else if (mmio_read32(mmio + TESTDEV_MMIO_ID) != TESTDEV_ID_VALUE) {
            err = "MMIO not reachable";
        } else if (win_ctl(TESTDEV_WIN_ROM, rom, 0) || win_ctl(TESTDEV_WIN_MMIO, mmio, 0)) {
            err = "unmap refused";
        } else if (mmio_read32(rom) != ~0u || mmio_read32(mmio + TESTDEV_MMIO_ID) != ~0u) {
            err = "unmapped window still visible";
        }
        if (err) {
            if (first_bad < 0) {
                first_bad = i;
                what = err;
            }
            failures++;
        }
    }
    check(failures == 0, "%d map/move/unmap cycles of RAM, ROM and MMIO (%u failed, first "
          "at cycle %d: %s)", CYCLES, failures, first_bad, what);
    /* Each cycle: one RAM move, ROM and MMIO mapped and unmapped. */
    uint32_t n = td_rd(TESTDEV_REG_CHANGES) - changes;
    /* The RAM window starts at HOLE, where cycle 0 wants it: no move there. */
    check(n == 5 * CYCLES - 1, "the device made %u map changes in %d cycles (expected %d)",
          n, CYCLES, 5 * CYCLES - 1);
    check(ram_mismatch(HIGH) < 0, "the RAM window kept its whole pattern");
}

static uint8_t user_stack[8192] __attribute__((aligned(16)));

/* At ring 3: TSC cycles to read the 4 KiB at @base, 8 bytes at a time. */
static uint64_t user_read_page(uint64_t base)
{
    volatile uint64_t *p = (volatile uint64_t *)base;
    uint64_t sum = 0;
    uint64_t t0 = rdtsc();
    for (int i = 0; i < 512; i++) {
        sum += p[i];
    }
    uint64_t t = rdtsc() - t0;
    __asm__ volatile("" : : "r"(sum));
    return t;
}

/* The fastest of a few runs, so that a host interrupt does not count. */
static uint64_t read_cycles(uintptr_t base)
{
    uint64_t best = ~0ull;
    for (int i = 0; i < 5; i++) {
        uint64_t t = run_user(user_read_page, base, user_stack + sizeof(user_stack), 0x2);
        best = t < best ? t : best;
    }
    return best;
}

static bool on_kvm(void)
{
    uint32_t r[4];
    cpuid(0x40000000, 0, r);
    return r[1] == 0x4b4d564b && r[2] == 0x564b4d56 && r[3] == 0x4d;    /* "KVMKVMKVM" */
}

/*
 * Whether the windows are KVM memory slots, not just correct: memory served
 * by exits (a slot that was never made, e.g. because leaked slots ran out)
 * reads the same values, only thousands of times slower. Ring-3 code runs
 * natively under kvm_pvm too, so a read from a slot costs nanoseconds and an
 * exit tens of microseconds; guest RAM is the yardstick.
 */
static void test_slot_backed(void)
{
    if (!on_kvm()) {
        printf("not KVM: slot timing not checked\n");
        return;
    }
    uint64_t ram = read_cycles(GUEST_RAM + 0x100000);
    uint64_t win = read_cycles(HIGH);
    check(win < 50 * ram, "after the cycles the RAM window is a KVM slot: %lu TSC cycles "
          "per 4 KiB vs %lu for guest RAM", win, ram);
    uint32_t st = win_ctl(TESTDEV_WIN_ROM, ROM_AT, TESTDEV_CTL_MAP);
    uint64_t rom = read_cycles(ROM_AT + 0x1000);
    check(st == 0 && rom < 50 * ram, "the ROM is a KVM slot: %lu cycles", rom);
    st |= win_ctl(TESTDEV_WIN_ROM, ROM_AT, 0);
    st |= win_ctl(TESTDEV_WIN_MMIO, MMIO_AT, TESTDEV_CTL_MAP);
    uint64_t mmio = read_cycles(MMIO_AT);
    st |= win_ctl(TESTDEV_WIN_MMIO, MMIO_AT, 0);
    check(st == 0 && mmio > 50 * ram, "the yardstick: MMIO (an exit per read) is slower, "
          "%lu cycles", mmio);
}

static void hold(void)
{
    /* A known final map for the host: RAM in the hole, ROM over guest RAM, MMIO high. */
    uint32_t st = win_ctl(TESTDEV_WIN_RAM, HOLE, TESTDEV_CTL_MAP);
    st |= win_ctl(TESTDEV_WIN_ROM, GUEST_RAM, TESTDEV_CTL_MAP | TESTDEV_CTL_OVERLAY);
    st |= win_ctl(TESTDEV_WIN_MMIO, HIGH + 0x200000, TESTDEV_CTL_MAP);
    printf("HOLD status %#x\n", st);
    /*
     * Spin rather than CLI/HLT: on kvm_pvm the guest is not back at CPL 0 after
     * run_user() (CS reads 0x33 after the SYSCALL), so CLI would raise #GP.
     */
    for (;;) {
        pause();
    }
}

void test_main(void)
{
    uint32_t id = td_rd(TESTDEV_REG_ID);
    if (id != TESTDEV_ID_VALUE) {
        check(false, "emu-testdev at port %#x (ID %#x; run with -device emu-testdev)",
              TESTDEV_IOBASE, id);
        return;
    }
    test_ram_window();
    test_dirty_log();
    test_rom_window();
    test_mmio_window();
    test_overlay();
    test_cycles();
    test_slot_backed();
    if (cmdline_has("hold")) {
        hold();
    }
}
