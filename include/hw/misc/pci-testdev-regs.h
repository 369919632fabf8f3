/*
 * Register layout of emu-pci-testdev (hw/misc/pci-testdev.c), a PCI function
 * for emu's tests only. Plain defines, no includes: the qtests share them.
 *
 * BARs (sizes fixed so tests can check sizing):
 *   BAR0  I/O, 64 bytes: the registers below
 *   BAR1  32-bit memory, 4 KiB: the same registers
 *   BAR2  64-bit prefetchable memory (BAR2+BAR3), 1 MiB of RAM
 *   BAR4  32-bit memory, 4 KiB: MSI-X table at 0, PBA at 0x800 (if msix-vectors)
 *   BAR5  32-bit prefetchable memory, 64 KiB of RAM
 *   ROM   8 KiB: 0x55 0xaa, then byte i = PCITESTDEV_ROM_BYTE(i)
 * Registers are 32 bits; narrower aligned accesses read/write part of one.
 */
#ifndef HW_MISC_PCI_TESTDEV_REGS_H
#define HW_MISC_PCI_TESTDEV_REGS_H

#define PCITESTDEV_VENDOR_ID    0x1234
#define PCITESTDEV_DEVICE_ID    0x7e57
#define PCITESTDEV_REVISION     0x01
#define PCITESTDEV_CLASS        0xff00      /* unassigned class */

#define PCITESTDEV_IO_SIZE      0x40
#define PCITESTDEV_MMIO_SIZE    0x1000
#define PCITESTDEV_RAM64_SIZE   0x100000
#define PCITESTDEV_MSIX_SIZE    0x1000
#define PCITESTDEV_MSIX_PBA     0x800
#define PCITESTDEV_RAM32_SIZE   0x10000
#define PCITESTDEV_ROM_SIZE     0x2000
#define PCITESTDEV_ROM_BYTE(i)  ((unsigned char)((i) * 13 + 0x21))

#define PCITESTDEV_ID_VALUE     0x49435045u     /* "EPCI" */

#define PCITESTDEV_REG_ID       0x00    /* RO */
#define PCITESTDEV_REG_INTX     0x04    /* bit 0: INTx asserted (write to drive it) */
#define PCITESTDEV_REG_MSI      0x08    /* write N: signal MSI vector N */
#define PCITESTDEV_REG_MSIX     0x0c    /* write N: signal MSI-X vector N */
#define PCITESTDEV_REG_SCRATCH  0x10
#define PCITESTDEV_REG_COUNT    0x14    /* RO: register accesses so far */
#define PCITESTDEV_REG_DMA_LO   0x18    /* DMA target address, low */
#define PCITESTDEV_REG_DMA_HI   0x1c    /* DMA target address, high */
#define PCITESTDEV_REG_DMA_WRITE 0x20   /* write V: DMA-write the dword V to the target */
#define PCITESTDEV_REG_DMA_STATUS 0x24  /* RO: 0 = last DMA done, 1 = refused */

#endif
