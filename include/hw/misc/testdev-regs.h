/*
 * Register layout of emu-testdev (hw/misc/testdev.c), a device for tests only.
 * Plain defines and no includes, so that the freestanding test guests
 * (tests/guests) and the qtest share it with the device.
 *
 * I/O ports (iobase, default 0xe0; 32-bit accesses only):
 *   iobase + 0  INDEX: selects a register
 *   iobase + 4  DATA:  reads/writes the selected register
 *
 * Each window (RAM 64 KiB, ROM 64 KiB, MMIO 4 KiB) has a staged 64-bit address
 * (ADDR_LO/ADDR_HI) and a control register. Writing CTL applies it in one
 * memory transaction: MAP maps the window at the staged address (or moves it
 * there if mapped elsewhere), no MAP unmaps it. A refused change leaves the
 * memory map as it was and sets a STATUS bit.
 */
#ifndef HW_MISC_TESTDEV_REGS_H
#define HW_MISC_TESTDEV_REGS_H

#define TESTDEV_IOBASE          0xe0
#define TESTDEV_IOSIZE          8
#define TESTDEV_PORT_INDEX      0
#define TESTDEV_PORT_DATA       4

#define TESTDEV_ID_VALUE        0x44544d45u    /* "EMTD" */

/* Register indexes. */
#define TESTDEV_REG_ID          0x00    /* RO: TESTDEV_ID_VALUE */
#define TESTDEV_REG_STATUS      0x01    /* error bits, sticky; write 1 to clear */
#define TESTDEV_REG_CHANGES     0x02    /* RO: memory-map changes the device made */
#define TESTDEV_REG_ROM_DIFF    0x03    /* RO: 32-bit ROM words that differ from the pattern */
#define TESTDEV_REG_MMIO_COUNT  0x04    /* RO: the MMIO window's access counter */
#define TESTDEV_REG_RAM_DIRTY   0x05    /* RO: bit n = 4 KiB page n of the RAM window was
                                         * written since the last read (read clears) */

/* Windows: TESTDEV_REG_WIN(w) + ADDR_LO/ADDR_HI/CTL. */
#define TESTDEV_WIN_RAM         0
#define TESTDEV_WIN_ROM         1
#define TESTDEV_WIN_MMIO        2
#define TESTDEV_NR_WIN          3
#define TESTDEV_REG_WIN(w)      (0x10 + 4 * (w))
#define TESTDEV_WIN_ADDR_LO     0
#define TESTDEV_WIN_ADDR_HI     1
#define TESTDEV_WIN_CTL         2

#define TESTDEV_CTL_MAP         0x1     /* mapped (write: map or move; 0: unmap) */
#define TESTDEV_CTL_OVERLAY     0x2     /* may cover other memory, with priority 1 */

#define TESTDEV_RAM_SIZE        0x10000ull
#define TESTDEV_ROM_SIZE        0x10000ull
#define TESTDEV_MMIO_SIZE       0x1000ull

/* STATUS bits: why the last refused request was refused. */
#define TESTDEV_ERR_ALIGN       0x01    /* address not a multiple of the window size */
#define TESTDEV_ERR_RANGE       0x02    /* beyond TESTDEV_ADDR_LIMIT or in the reserved range */
#define TESTDEV_ERR_OVERLAP     0x04    /* something is mapped there (without OVERLAY), or
                                         * another window of this device */
#define TESTDEV_ERR_CTL         0x08    /* reserved CTL bits, or OVERLAY flipped in place */
#define TESTDEV_ERR_REG         0x10    /* unknown register, or a write to a read-only one */

/*
 * Addresses a window may use: below 64 GiB (every x86-64 CPU has at least 36
 * physical address bits) and outside 0xfec00000-0xffffffff (IOAPIC, HPET,
 * LAPIC, KVM's TSS and identity map, the BIOS) even with OVERLAY.
 */
#define TESTDEV_ADDR_LIMIT      (1ull << 36)
#define TESTDEV_RESERVED_START  0xfec00000ull
#define TESTDEV_RESERVED_END    0x100000000ull

/* MMIO window registers (offsets; 1, 2, 4 or 8-byte aligned accesses). */
#define TESTDEV_MMIO_SCRATCH    0x00    /* 64-bit read/write */
#define TESTDEV_MMIO_COUNT      0x08    /* accesses to the window, reads of COUNT excepted */
#define TESTDEV_MMIO_ID         0x10    /* TESTDEV_ID_VALUE */

/* The ROM's contents: 32-bit little-endian word @i (of TESTDEV_ROM_SIZE / 4). */
#define TESTDEV_ROM_WORD(i)     ((unsigned int)(i) * 0x9e3779b1u ^ 0x524f4d21u)

#endif
