/*
 * ioeventfd test guest: a minimal virtio-blk-pci driver (modern interface,
 * virtio 1.2 §4.1.4, one split queue §2.7) that rings queue 0's doorbell
 * (§4.1.4.4) `notifies=N` times with nothing in the ring, then reads sector 0
 * through the same doorbell and compares it with what the host put there.
 * With ioeventfd each doorbell write ends in the kernel as an eventfd signal
 * (KVM_IOEVENTFD) instead of an MMIO exit to emu; the host counts the exits
 * (tests/functional/test_kvm.py case ioeventfd). After "NOTIFY-DONE" the
 * guest halts with interrupts off so the host can ask emu over QMP.
 *
 * With `msix`, the queue's interrupt is MSI-X vector 0, a fixed MSI to this
 * CPU's LAPIC (PCI 3.0 §6.8.2), and `reads=R` more reads each wait for their
 * interrupt: from an iothread under KVM these go out through an irqfd.
 *
 * Expects: -drive if=none,id=d0,format=raw,file=DISK (starts with MAGIC)
 *          -device virtio-blk-pci,drive=d0[,ioeventfd=on|off]
 */
#include "libguest.h"

#define TIMEOUT 20000000000ull
#define QSZ 16
#define MAGIC "emu ioeventfd disk"

#define CC_DFSELECT     0x00
#define CC_DF           0x04
#define CC_GFSELECT     0x08
#define CC_GF           0x0c
#define CC_STATUS       0x14
#define CC_QSEL         0x16
#define CC_QSIZE        0x18
#define CC_QMSIX        0x1a
#define CC_QENABLE      0x1c
#define CC_QNOTIFY_OFF  0x1e
#define CC_QDESC        0x20
#define CC_QDRIVER      0x28
#define CC_QDEVICE      0x30

typedef struct VDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VDesc;

#define MSI_VECTOR 0x41
#define CC_MSIX_CONFIG  0x10

static uint8_t ring[4096] __attribute__((aligned(4096)));
static volatile uint32_t irqs;

static void on_irq(InterruptFrame *f)
{
    irqs++;
    lapic_eoi();
}

static void on_spurious(InterruptFrame *f)
{
}
static uint8_t bufs[3][4096] __attribute__((aligned(4096)));

void test_main(void)
{
    cli();
    int d = -1;
    for (int i = 0; i < 32 && d < 0; i++) {
        uint32_t id = pci_cfg_read(i, 0);
        if (id == (0x1001u << 16 | 0x1af4) || id == (0x1042u << 16 | 0x1af4)) {
            d = i;
        }
    }
    if (d < 0) {
        guest_skip("needs virtio-blk-pci on bus 0");
    }
    /* BAR 4 at 0xe0000000 (no firmware here), memory decoding and bus mastering. */
    uintptr_t base = 0xe0000000, common = 0, notify = 0;
    uint32_t mult = 0;
    pci_cfg_write(d, 0x04, 0);
    pci_cfg_write(d, 0x20, (uint32_t)base);
    pci_cfg_write(d, 0x24, 0);
    pci_cfg_write(d, 0x14, (uint32_t)base + 0x10000);      /* BAR 1: the MSI-X table */
    pci_cfg_write(d, 0x04, 0x6);
    bool msix = cmdline_has("msix");
    int msix_cap = 0;
    for (int cap = pci_cfg_read(d, 0x34) & 0xfc; cap; cap = (pci_cfg_read(d, cap) >> 8) & 0xfc) {
        uint32_t w0 = pci_cfg_read(d, cap);
        if ((w0 & 0xff) == 0x11) {
            msix_cap = cap;
        }
        if ((w0 & 0xff) != 0x09 || (pci_cfg_read(d, cap + 4) & 0xff) != 4) {
            continue;
        }
        if ((w0 >> 24) == 1) {
            common = base + pci_cfg_read(d, cap + 8);
        } else if ((w0 >> 24) == 2) {
            notify = base + pci_cfg_read(d, cap + 8);
            mult = pci_cfg_read(d, cap + 16);
        }
    }
    check(common && notify, "common and notify capabilities in BAR 4");

    /* §3.1.1: reset, ACK, DRIVER, VERSION_1 only, FEATURES_OK, queue 0, DRIVER_OK. */
    if (msix) {
        /* Entry 0 of the table (BAR 1 at its offset): a fixed MSI to this LAPIC. */
        check(msix_cap != 0, "an MSI-X capability");
        uint32_t tbl = pci_cfg_read(d, msix_cap + 4);
        check((tbl & 7) == 1, "the MSI-X table is in BAR 1");
        uintptr_t e = base + 0x10000 + (tbl & ~7u);
        mmio_write32(e, 0xfee00000u | lapic_id() << 12);
        mmio_write32(e + 4, 0);
        mmio_write32(e + 8, MSI_VECTOR);
        mmio_write32(e + 12, 0);                        /* unmasked */
        pci_cfg_write(d, msix_cap, pci_cfg_read(d, msix_cap) | 1u << 31);  /* MSI-X enable */
        set_handler(MSI_VECTOR, on_irq);
        set_handler(0xff, on_spurious);
        lapic_enable();
    }
    mmio_write8(common + CC_STATUS, 0);
    mmio_write8(common + CC_STATUS, 3);
    mmio_write32(common + CC_GFSELECT, 0);
    mmio_write32(common + CC_GF, 0);
    mmio_write32(common + CC_GFSELECT, 1);
    mmio_write32(common + CC_GF, 1);
    mmio_write8(common + CC_STATUS, 11);
    check(mmio_read8(common + CC_STATUS) & 8, "FEATURES_OK accepted");
    VDesc *desc = (VDesc *)ring;
    volatile uint16_t *avail = (volatile uint16_t *)(ring + 1024);
    volatile uint32_t *used = (volatile uint32_t *)(ring + 2048);
    mmio_write16(common + CC_QSEL, 0);
    mmio_write16(common + CC_QSIZE, QSZ);
    mmio_write32(common + CC_QDESC, (uint32_t)(uintptr_t)desc);
    mmio_write32(common + CC_QDESC + 4, 0);
    mmio_write32(common + CC_QDRIVER, (uint32_t)(uintptr_t)avail);
    mmio_write32(common + CC_QDRIVER + 4, 0);
    mmio_write32(common + CC_QDEVICE, (uint32_t)(uintptr_t)used);
    mmio_write32(common + CC_QDEVICE + 4, 0);
    if (msix) {
        mmio_write16(common + CC_MSIX_CONFIG, 0xffff);
        mmio_write16(common + CC_QMSIX, 0);
        check(mmio_read16(common + CC_QMSIX) == 0, "queue 0 uses MSI-X vector 0");
    }
    uintptr_t db = notify + (uintptr_t)mmio_read16(common + CC_QNOTIFY_OFF) * mult;
    mmio_write16(common + CC_QENABLE, 1);
    mmio_write8(common + CC_STATUS, 15);
    check(mmio_read8(common + CC_STATUS) == 15, "DRIVER_OK");

    /* The doorbell with an empty ring: the device finds nothing to do. */
    uint64_t n = cmdline_uint("notifies", 2000);
    uint64_t t0 = rdtsc();
    for (uint64_t i = 0; i < n; i++) {
        mmio_write16(db, 0);
    }
    printf("rang the doorbell %lu times in %lu TSC cycles\n", (unsigned long)n,
           (unsigned long)(rdtsc() - t0));

    /* Real requests through it: read sector 0 (§5.2.6), 1 + reads times. */
    if (msix) {
        sti();
    }
    uint64_t reads = msix ? cmdline_uint("reads", 20) : 0;
    for (uint16_t r = 0; r <= reads; r++) {
        uint32_t type = 0;
        uint64_t sector = 0;
        memset(bufs[0], 0, 16);
        memcpy(bufs[0], &type, 4);
        memcpy(bufs[0] + 8, &sector, 8);
        memset(bufs[1], 0xcc, 512);
        bufs[2][0] = 0xee;
        desc[0] = (VDesc){ (uintptr_t)bufs[0], 16, 1, 1 };
        desc[1] = (VDesc){ (uintptr_t)bufs[1], 512, 3, 2 };
        desc[2] = (VDesc){ (uintptr_t)bufs[2], 1, 2, 0 };
        avail[2 + r % QSZ] = 0;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        avail[1] = r + 1;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        mmio_write16(db, 0);
        t0 = rdtsc();
        while ((uint16_t)(used[0] >> 16) == r && rdtsc() - t0 < TIMEOUT) {
            pause();
        }
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        bool answered = (uint16_t)(used[0] >> 16) == (uint16_t)(r + 1);
        unsigned slot = r % QSZ;
        check(answered && used[1 + 2 * slot] == 0 && used[2 + 2 * slot] == 513 &&
              bufs[2][0] == 0, "read %u of sector 0 is answered (used len %u, status %u)",
              r, used[2 + 2 * slot], bufs[2][0]);
        check(!memcmp(bufs[1], MAGIC, sizeof(MAGIC) - 1), "sector 0 holds the host's magic");
        if (msix) {
            t0 = rdtsc();
            while (irqs < (uint32_t)r + 1 && rdtsc() - t0 < TIMEOUT) {
                pause();
            }
            check(irqs == (uint32_t)r + 1, "read %u: its MSI-X interrupt arrived (%u)", r,
                  irqs);
        }
    }
    cli();
    printf("NOTIFY-DONE\n");
    for (;;) {
        cli();
        hlt();
    }
}
