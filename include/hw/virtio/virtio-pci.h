/*
 * The virtio PCI transport (virtio 1.2 §4.1): vendor 1af4, the modern
 * interface through vendor capabilities into a 64-bit BAR 4 (common, ISR,
 * device and notify structures, laid out like QEMU's), MSI-X in BAR 1, and the
 * legacy (transitional) I/O BAR 0. A device type (virtio-blk-pci) is a
 * subclass that embeds its VirtIODevice and sets it up in realize_vdev.
 */
#ifndef HW_VIRTIO_VIRTIO_PCI_H
#define HW_VIRTIO_VIRTIO_PCI_H

#include "hw/pci/pci.h"
#include "hw/virtio/virtio.h"

#define TYPE_VIRTIO_PCI "virtio-pci"

/* BAR 4 layout (offsets of the structures the capabilities point at). */
#define VIRTIO_PCI_COMMON_OFF   0x0000
#define VIRTIO_PCI_ISR_OFF      0x1000
#define VIRTIO_PCI_DEVICE_OFF   0x2000
#define VIRTIO_PCI_NOTIFY_OFF   0x3000
#define VIRTIO_PCI_REGION_SIZE  0x1000
#define VIRTIO_PCI_NOTIFY_MULT  4
#define VIRTIO_PCI_BAR4_SIZE    0x4000

/* Capability cfg_type values (§4.1.4). */
#define VIRTIO_PCI_CAP_COMMON_CFG   1
#define VIRTIO_PCI_CAP_NOTIFY_CFG   2
#define VIRTIO_PCI_CAP_ISR_CFG      3
#define VIRTIO_PCI_CAP_DEVICE_CFG   4

typedef enum {
    VIRTIO_PCI_LEGACY_AUTO,
    VIRTIO_PCI_LEGACY_ON,       /* disable-legacy=on: modern only */
    VIRTIO_PCI_LEGACY_OFF,
} VirtIOPCIDisableLegacy;

typedef struct VirtIOPCIProxy {
    PCIDevice parent_obj;
    VirtIODevice *vdev;
    MemoryRegion bar4;
    MemoryRegion common, isr, device, notify;
    MemoryRegion legacy_io;
    MemoryRegion msix_bar;
    /* properties */
    int disable_legacy;
    bool disable_modern;
    uint32_t vectors;           /* MSI-X vectors; 0: INTx only */
    bool packed;                /* offer VIRTIO_F_RING_PACKED (§2.8) */
    bool ioeventfd;             /* doorbells through eventfds (default on, as QEMU) */
    /* ioeventfd state: host notifiers assigned (between DRIVER_OK and reset) */
    bool ioeventfd_started;
    /*
     * Interrupts raised without the big lock (an iothread): the vector's
     * irqfd (KVM, MSI-X), or sent under a bql_trylock, or the vector's bit
     * (bit @vectors: INTx) is set and irq_notifier wakes the main loop.
     */
    EventNotifier irq_notifier;
    uint64_t *irq_pending;
    struct VirtIOPCIIrqfd *irqfds;  /* per vector, KVM only */
    /* common configuration selectors */
    uint32_t dfselect, gfselect;
    uint16_t queue_sel;
    /* counters */
    uint64_t bad_accesses;
    uint64_t irqs_deferred;     /* interrupts sent from an iothread via the main loop */
    uint64_t irqs_irqfd;        /* ... or through a KVM irqfd */
    uint64_t irqs_direct;       /* ... or from the iothread, the big lock being free */
} VirtIOPCIProxy;

typedef struct VirtIOPCIClass {
    PCIDeviceClass parent_class;
    /* Set proxy->vdev up (virtio_init, queues); default vectors count. */
    void (*realize_vdev)(VirtIOPCIProxy *proxy, Error **errp);
    void (*unrealize_vdev)(VirtIOPCIProxy *proxy);
    uint16_t legacy_device_id;  /* 0x1000 + n, §4.1.2.1 */
} VirtIOPCIClass;

DECLARE_OBJ_CHECKERS(VirtIOPCIProxy, VirtIOPCIClass, VIRTIO_PCI, TYPE_VIRTIO_PCI)

#endif
