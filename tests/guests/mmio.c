/*
 * MMIO exits of every width to unassigned guest-physical addresses (reads are
 * all-ones, writes are dropped), the in-kernel IOAPIC and LAPIC registers, and,
 * with -m above 4 GiB, RAM mapped above 4 GiB by a second memory slot.
 */
#include "libguest.h"

#define HOLE 0xd0000000ul           /* PCI hole below 4 GiB: nothing mapped */

void test_main(void)
{
    check(mmio_read8(HOLE) == 0xff, "8-bit read of unassigned memory: 0xff");
    check(mmio_read16(HOLE + 2) == 0xffff, "16-bit read of unassigned memory: 0xffff");
    check(mmio_read32(HOLE + 4) == 0xffffffff, "32-bit read of unassigned memory");
    check(mmio_read64(HOLE + 8) == ~0ull, "64-bit read of unassigned memory");
    mmio_write8(HOLE, 1);
    mmio_write16(HOLE + 2, 2);
    mmio_write32(HOLE + 4, 3);
    mmio_write64(HOLE + 8, 4);
    check(mmio_read64(HOLE) == ~0ull && mmio_read64(HOLE + 8) == ~0ull,
          "writes to unassigned memory are dropped");
    check(mmio_read32(HOLE + 0x1002) == 0xffffffff, "unaligned 32-bit read: all-ones");

    /* IOAPIC version register, 24 pins: KVM's in-kernel one is an 82093AA
     * (§3.2.2, version 0x11); emu's own (kernel-irqchip=off) reports 0x20 as
     * QEMU's, the version with the EOI register. */
    uint32_t ver = ioapic_read(1);
    check(((ver & 0xff) == 0x11 || (ver & 0xff) == 0x20) && ((ver >> 16) & 0xff) == 23,
          "IOAPIC version %#x: 0x11 or 0x20 with 24 redirection entries", ver);
    /* In-kernel LAPIC: ID of the BSP and a version register. */
    check(lapic_id() == 0, "LAPIC ID of the BSP is 0");
    uint32_t lver = lapic_read(0x30);
    check((lver & 0xff) >= 0x10 && (lver & 0xff) <= 0x15, "LAPIC version %#x (integrated)",
          lver);

    uint64_t high = cmdline_uint("highmem", 0);
    if (high) {
        /* RAM above 4 GiB (the "ram-above-4g" slot): write and read back. */
        volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)high;
        p[0] = 0x0123456789abcdefull;
        p[511] = 0xfedcba9876543210ull;
        check(p[0] == 0x0123456789abcdefull && p[511] == 0xfedcba9876543210ull,
              "RAM at %#lx (above 4 GiB) keeps what was written", high);
        /* And it is RAM, not MMIO: a big copy without exits is fast enough to finish. */
        for (int i = 0; i < 4096; i++) {
            p[1024 + i] = i * 3;
        }
        uint64_t sum = 0;
        for (int i = 0; i < 4096; i++) {
            sum += p[1024 + i];
        }
        check(sum == 3ull * 4095 * 4096 / 2, "32 KiB above 4 GiB: sum %lu", sum);
    }
}
