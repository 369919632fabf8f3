/*
 * MSI from a PCI function (-device emu-pci-testdev) to the BSP's LAPIC, and
 * CR8 as the TPR (Intel SDM vol. 3 §10.8.6.1: CR8[3:0] = TPR[7:4], both views
 * of one register; an interrupt whose priority class is not above the TPR's
 * waits). Runs with KVM's in-kernel irqchip and with kernel-irqchip=off.
 */
#include "libguest.h"
#include "../../include/hw/misc/pci-testdev-regs.h"

#define MSI_VECTOR 0x41             /* priority class 4 */
#define TESTDEV_IOBASE 0xc000
#define TIMEOUT 5000000000ull       /* TSC cycles */

static volatile uint32_t msi_count;

static void on_msi(InterruptFrame *f)
{
    msi_count++;
    lapic_eoi();
}

static void on_spurious(InterruptFrame *f)
{
}

static uint64_t read_cr8(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr8, %0" : "=r"(v));
    return v;
}

static void write_cr8(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr8" : : "r"(v) : "memory");
}

static bool wait_count(uint32_t n)
{
    uint64_t t0 = rdtsc();
    while (msi_count < n && rdtsc() - t0 < TIMEOUT) {
        pause();
    }
    return msi_count >= n;
}

void test_main(void)
{
    int dev = -1;
    for (int d = 0; d < 32 && dev < 0; d++) {
        if (pci_cfg_read(d, 0) == (PCITESTDEV_DEVICE_ID << 16 | PCITESTDEV_VENDOR_ID)) {
            dev = d;
        }
    }
    if (dev < 0) {
        guest_skip("no emu-pci-testdev on bus 0");
    }
    /* The MSI capability (PCI 3.0 §6.8.1): ID 5 in the capability list. */
    int cap = pci_cfg_read(dev, 0x34) & 0xfc;
    while (cap && (pci_cfg_read(dev, cap) & 0xff) != 0x05) {
        cap = (pci_cfg_read(dev, cap) >> 8) & 0xfc;
    }
    check(cap != 0, "the test device has an MSI capability");
    if (!cap) {
        guest_done();
    }
    pci_cfg_write(dev, 0x10, TESTDEV_IOBASE);           /* BAR0: I/O */
    pci_cfg_write(dev, 0x04, 0x7);                      /* I/O, memory, bus master */
    check(inl(TESTDEV_IOBASE + PCITESTDEV_REG_ID) == PCITESTDEV_ID_VALUE,
          "the device answers at its I/O BAR");

    uint32_t ctrl = pci_cfg_read(dev, cap);
    bool is64 = ctrl & (1u << 23);                      /* message control bit 7 */
    pci_cfg_write(dev, cap + 4, 0xfee00000u | lapic_id() << 12);   /* fixed, physical */
    if (is64) {
        pci_cfg_write(dev, cap + 8, 0);
    }
    pci_cfg_write(dev, cap + (is64 ? 12 : 8), MSI_VECTOR);          /* edge, fixed */
    pci_cfg_write(dev, cap, ctrl | 1u << 16);           /* MSI enable, one vector */

    set_handler(MSI_VECTOR, on_msi);
    set_handler(0xff, on_spurious);
    lapic_enable();
    write_cr8(0);
    sti();

    outl(TESTDEV_IOBASE + PCITESTDEV_REG_MSI, 0);
    check(wait_count(1), "MSI vector %#x reached the IDT handler (%u)", MSI_VECTOR,
          msi_count);

    /* CR8 -> TPR: class 5 masks vector 0x41 until CR8 drops. */
    write_cr8(5);
    check((lapic_read(0x80) & 0xf0) == 0x50, "MOV to CR8 5 shows as LAPIC TPR %#x",
          lapic_read(0x80));
    outl(TESTDEV_IOBASE + PCITESTDEV_REG_MSI, 0);
    uint64_t t0 = rdtsc();
    while (rdtsc() - t0 < 200000000ull) {
        pause();
    }
    check(msi_count == 1, "an MSI below the TPR's class waits (%u delivered)", msi_count);
    /* TPR -> CR8: the memory-mapped register and CR8 are one. */
    lapic_write(0x80, 0x30);
    check(read_cr8() == 3, "LAPIC TPR 0x30 reads back as CR8 %lu",
          (unsigned long)read_cr8());
    check(wait_count(2), "lowering the TPR below class 4 delivers it (%u)", msi_count);
    write_cr8(0);
    cli();
    guest_done();
}
