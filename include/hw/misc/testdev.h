/*
 * emu-testdev: a device for tests only (in the spirit of QEMU's pc-testdev used
 * by kvm-unit-tests). Through a pair of I/O ports a guest maps, moves and
 * unmaps a RAM window, a ROM and an MMIO region anywhere in guest-physical
 * memory, so that tests exercise memory-map changes at run time (KVM memory
 * slots, flat views). Register layout: hw/misc/testdev-regs.h.
 */
#ifndef HW_MISC_TESTDEV_H
#define HW_MISC_TESTDEV_H

#include "hw/isa/isa.h"
#include "hw/misc/testdev-regs.h"

#define TYPE_EMU_TESTDEV "emu-testdev"

typedef struct TestDevWindow {
    MemoryRegion mr;
    uint64_t size;
    uint64_t staged;           /* ADDR_LO/ADDR_HI as written */
    uint64_t addr;             /* where it is mapped, if mapped */
    bool mapped;
    bool overlay;
} TestDevWindow;

typedef struct TestDevState {
    ISADevice parent_obj;
    MemoryRegion io;
    uint32_t iobase;

    uint32_t index;
    uint32_t status;
    uint32_t changes;
    TestDevWindow win[TESTDEV_NR_WIN];
    uint64_t scratch;
    uint64_t mmio_count;
} TestDevState;

DECLARE_INSTANCE_CHECKER(TestDevState, EMU_TESTDEV, TYPE_EMU_TESTDEV)

#endif
