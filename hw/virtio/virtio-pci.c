/*
 * virtio over PCI (virtio 1.2 §4.1). Modern interface: vendor capabilities
 * (§4.1.4) pointing into BAR 4 (common configuration, ISR, device
 * configuration, notifications with notify_off_multiplier 4); MSI-X with a
 * configuration vector and one per queue in BAR 1. Transitional devices also
 * have the legacy I/O BAR 0 (§4.1.4.8). With MSI-X disabled, interrupts are
 * INTx driven by the ISR bits (a read of the ISR clears them, §4.1.4.5).
 *
 * ioeventfd=on (the default, as QEMU): from DRIVER_OK until a reset each
 * enabled queue's doorbell (its notify address, and the legacy QUEUE_NOTIFY
 * register with the queue's index as data) signals the queue's host notifier
 * (an eventfd; under KVM the write never leaves the kernel); the main loop or
 * the device's iothread runs the queue. Interrupts raised from an iothread
 * (no big lock) go, under KVM with the in-kernel irqchip and MSI-X, through a
 * per-vector irqfd on an MSI route; else straight from the iothread when the
 * big lock is free (trylock, retried for up to 20 µs); else through
 * irq_notifier to the main loop.
 *
 * Not yet: the VIRTIO_PCI_CAP_PCI_CFG window (§4.1.4.9), queue_reset and
 * notification data. Packed rings are offered with packed=on.
 */
#include "hw/virtio/virtio-pci.h"
#include "hw/pci/msix.h"
#include "system/kvm.h"
#include "system/main-loop.h"
#include "util/log.h"
#include <sched.h>

/* A vector's irqfd (KVM): an eventfd KVM turns into the MSI of route @virq. */
typedef struct VirtIOPCIIrqfd {
    EventNotifier e;
    int virq;
    MSIMessage msg;             /* the message the route sends */
    int active;                 /* atomic: the route and irqfd match the MSI-X entry */
} VirtIOPCIIrqfd;

#define VPCI_LOG(p, ...) do { \
        (p)->bad_accesses++; \
        emu_log_mask(LOG_GUEST_ERROR, __VA_ARGS__); \
    } while (0)

static bool vpci_modern(VirtIOPCIProxy *p)
{
    return !p->disable_modern;
}

static bool vpci_legacy(VirtIOPCIProxy *p)
{
    return p->disable_legacy != VIRTIO_PCI_LEGACY_ON;
}

/* ---- transport callbacks ---- */

static void vpci_update_intx(VirtIOPCIProxy *p)
{
    PCIDevice *pd = PCI_DEVICE(p);
    pci_set_irq(pd, !msix_enabled(pd) && p->vdev->isr != 0);
}

/*
 * Under the big lock, before sending @vector through msix_notify: set up (or
 * refresh) its irqfd, so that the iothread's next interrupt on it bypasses
 * the main loop. A masked vector keeps the main-loop path (pending bits).
 */
static void vpci_irqfd_update(VirtIOPCIProxy *p, unsigned vector)
{
    PCIDevice *pd = PCI_DEVICE(p);
    if (!p->irqfds || msix_is_masked(pd, vector)) {
        return;
    }
    VirtIOPCIIrqfd *f = &p->irqfds[vector];
    MSIMessage m = msix_get_message(pd, vector);
    if (g_atomic_int_get(&f->active) && f->msg.address == m.address &&
        f->msg.data == m.data) {
        return;
    }
    g_atomic_int_set(&f->active, false);
    if (!event_notifier_initialized(&f->e)) {
        if (event_notifier_init(&f->e, false) < 0) {
            return;
        }
        f->virq = -1;
    }
    if (f->virq < 0) {
        f->virq = kvm_irqchip_add_msi_route(m.address, m.data);
        if (f->virq < 0 || kvm_irqchip_commit_routes() < 0 ||
            kvm_irqchip_add_irqfd(event_notifier_get_fd(&f->e), -1, f->virq) < 0) {
            if (f->virq >= 0) {
                kvm_irqchip_release_virq(f->virq);
            }
            f->virq = -1;
            return;
        }
    } else if (kvm_irqchip_update_msi_route(f->virq, m.address, m.data) < 0 ||
               kvm_irqchip_commit_routes() < 0) {
        return;
    }
    f->msg = m;
    g_atomic_int_set(&f->active, true);
}

static void vpci_irqfds_release(VirtIOPCIProxy *p)
{
    for (uint32_t v = 0; p->irqfds && v < p->vectors; v++) {
        VirtIOPCIIrqfd *f = &p->irqfds[v];
        g_atomic_int_set(&f->active, false);
        if (f->virq >= 0 && event_notifier_initialized(&f->e)) {
            kvm_irqchip_remove_irqfd(event_notifier_get_fd(&f->e), f->virq);
            kvm_irqchip_release_virq(f->virq);
        }
        f->virq = -1;
        event_notifier_cleanup(&f->e);
    }
}

static void vpci_notify(void *opaque, uint16_t vector);

/* How long an iothread keeps trying the big lock for an interrupt (µs). */
#define VPCI_IRQ_LOCK_SPIN_US 20

/* From an iothread: the vector's irqfd if it is current, else via the main loop. */
static void vpci_notify_unlocked(VirtIOPCIProxy *p, uint16_t vector)
{
    PCIDevice *pd = PCI_DEVICE(p);
    if (p->irqfds && vector < p->vectors && msix_enabled(pd) &&
        !msix_is_masked(pd, vector)) {
        VirtIOPCIIrqfd *f = &p->irqfds[vector];
        if (g_atomic_int_get(&f->active)) {
            MSIMessage m = msix_get_message(pd, vector);
            if (m.address == f->msg.address && m.data == f->msg.data) {
                __atomic_fetch_add(&p->irqs_irqfd, 1, __ATOMIC_RELAXED);
                event_notifier_set(&f->e);
                return;
            }
        }
    }
    /*
     * The big lock free (the vCPUs are in the guest, the main loop asleep):
     * send it from here and spare the guest a trip through the main loop.
     * Only try: the main thread may hold it while it waits for this thread.
     * A vCPU holds it for a few microseconds per device access (under TCG
     * the guest's own doorbell write, or its timer programming on the way
     * to idle, often overlaps a quick completion): keep trying that long
     * before handing the interrupt to the main loop, a thread wake-up.
     */
    gint64 deadline = 0;
    for (;;) {
        if (bql_trylock()) {
            __atomic_fetch_add(&p->irqs_direct, 1, __ATOMIC_RELAXED);
            vpci_notify(p, vector);
            bql_unlock();
            return;
        }
        gint64 now = g_get_monotonic_time();
        if (!deadline) {
            deadline = now + VPCI_IRQ_LOCK_SPIN_US;
        } else if (now >= deadline) {
            break;
        }
        sched_yield();
    }
    unsigned bit = vector < p->vectors ? vector : p->vectors;
    __atomic_fetch_or(&p->irq_pending[bit / 64], 1ull << (bit % 64), __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&p->irqs_deferred, 1, __ATOMIC_RELAXED);
    event_notifier_set(&p->irq_notifier);
}

/* Main loop: send what iothreads raised. */
static void vpci_irq_notifier_read(EventNotifier *e)
{
    VirtIOPCIProxy *p = container_of(e, VirtIOPCIProxy, irq_notifier);
    event_notifier_test_and_clear(e);
    for (unsigned w = 0; w <= p->vectors / 64; w++) {
        uint64_t bits = __atomic_exchange_n(&p->irq_pending[w], 0, __ATOMIC_SEQ_CST);
        while (bits) {
            unsigned bit = w * 64 + __builtin_ctzll(bits);
            bits &= bits - 1;
            vpci_notify(p, bit < p->vectors ? bit : VIRTIO_NO_VECTOR);
        }
    }
}

static void vpci_notify(void *opaque, uint16_t vector)
{
    VirtIOPCIProxy *p = opaque;
    PCIDevice *pd = PCI_DEVICE(p);
    if (!bql_locked()) {
        vpci_notify_unlocked(p, vector);
        return;
    }
    if (msix_enabled(pd)) {
        /* §4.1.5.5: with MSI-X, NO_VECTOR means no interrupt at all. */
        if (vector != VIRTIO_NO_VECTOR && vector < p->vectors) {
            if (p->ioeventfd_started && p->vdev->dataplane) {
                vpci_irqfd_update(p, vector);
            }
            msix_notify(pd, vector);
        }
        return;
    }
    vpci_update_intx(p);
}

static bool vpci_dma_allowed(void *opaque)
{
    return pci_bus_master_enabled(PCI_DEVICE(opaque));
}

static const VirtIOTransportOps vpci_tops = {
    .notify = vpci_notify,
    .dma_allowed = vpci_dma_allowed,
};

static uint16_t vpci_vector(VirtIOPCIProxy *p, uint16_t v)
{
    /* A vector the function does not have reads back as NO_VECTOR (§4.1.5.1.2). */
    if (v != VIRTIO_NO_VECTOR && (!msix_present(PCI_DEVICE(p)) || v >= p->vectors)) {
        emu_log_mask(LOG_GUEST_ERROR, "%s: MSI-X vector %u refused (%u vectors)\n",
                     p->vdev->name, v, p->vectors);
        return VIRTIO_NO_VECTOR;
    }
    return v;
}

static VirtQueue *vpci_sel_vq(VirtIOPCIProxy *p)
{
    return p->queue_sel < p->vdev->nvqs ? &p->vdev->vq[p->queue_sel] : NULL;
}

/* ---- host notifiers (ioeventfd) ---- */

static void vpci_queue_doorbells(VirtIOPCIProxy *p, VirtQueue *vq, bool add)
{
    void (*fn)(MemoryRegion *, hwaddr, unsigned, bool, uint64_t, EventNotifier *) =
        add ? memory_region_add_eventfd : memory_region_del_eventfd;
    if (vpci_modern(p)) {
        /* §4.1.4.4: the queue's notify address, any write size. */
        fn(&p->notify, (hwaddr)vq->index * VIRTIO_PCI_NOTIFY_MULT, 0, false, 0,
           &vq->host_notifier);
    }
    if (vpci_legacy(p)) {
        /* §4.1.4.8: a 16-bit write of the queue index to QUEUE_NOTIFY. */
        fn(&p->legacy_io, 0x10, 2, true, vq->index, &vq->host_notifier);
    }
}

static void vpci_start_ioeventfd(VirtIOPCIProxy *p)
{
    VirtIODevice *vdev = p->vdev;
    if (!p->ioeventfd || p->ioeventfd_started ||
        !(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        return;
    }
    /*
     * Under TCG and qtest the write already runs on a thread with the big
     * lock, where calling the queue's handler directly is cheaper than a trip
     * through the main loop: host notifiers pay off under KVM (no exit to
     * userspace) and when an iothread serves the queues.
     */
    if (!kvm_enabled() && !vdev->dataplane) {
        return;
    }
    memory_region_transaction_begin();
    for (unsigned i = 0; i < vdev->nvqs; i++) {
        VirtQueue *vq = &vdev->vq[i];
        if (!vq->enabled || !vq->handle) {
            continue;
        }
        if (event_notifier_init(&vq->host_notifier, false) < 0) {
            emu_log_mask(LOG_UNIMP, "%s: queue %u: no eventfd (%s): notifications exit "
                         "to emu\n", vdev->name, i, g_strerror(errno));
            continue;
        }
        vpci_queue_doorbells(p, vq, true);
        vq->host_notifier_enabled = true;
    }
    memory_region_transaction_commit();
    p->ioeventfd_started = true;
    if (!vdev->ops || !vdev->ops->dataplane_start || !vdev->ops->dataplane_start(vdev)) {
        virtio_host_notifiers_attach(vdev, NULL);
    }
}

/*
 * Before a reset (@kick false) or when the driver stops: hand the doorbells
 * back to the write callbacks. A doorbell rung just before is served here
 * unless the rings are about to be forgotten.
 */
static void vpci_stop_ioeventfd(VirtIOPCIProxy *p, bool kick)
{
    VirtIODevice *vdev = p->vdev;
    if (!p->ioeventfd_started) {
        return;
    }
    if (vdev->ops && vdev->ops->dataplane_stop) {
        vdev->ops->dataplane_stop(vdev);
    }
    virtio_host_notifiers_detach(vdev);
    g_autofree bool *rung = g_new0(bool, vdev->nvqs);
    memory_region_transaction_begin();
    for (unsigned i = 0; i < vdev->nvqs; i++) {
        VirtQueue *vq = &vdev->vq[i];
        if (!vq->host_notifier_enabled) {
            continue;
        }
        vpci_queue_doorbells(p, vq, false);
        rung[i] = event_notifier_test_and_clear(&vq->host_notifier);
        vq->host_notifier_enabled = false;
    }
    memory_region_transaction_commit();
    for (unsigned i = 0; i < vdev->nvqs; i++) {
        event_notifier_cleanup(&vdev->vq[i].host_notifier);
    }
    p->ioeventfd_started = false;
    vpci_irqfds_release(p);
    /* Interrupts an iothread raised just before still go out; a reset drops them. */
    if (kick) {
        vpci_irq_notifier_read(&p->irq_notifier);
    } else {
        event_notifier_test_and_clear(&p->irq_notifier);
        memset(p->irq_pending, 0, (p->vectors / 64 + 1) * sizeof(uint64_t));
    }
    for (unsigned i = 0; kick && i < vdev->nvqs; i++) {
        if (rung[i]) {
            virtio_queue_notify(vdev, i);
        }
    }
}

static void vpci_set_status(VirtIOPCIProxy *p, uint8_t val)
{
    if (!(val & VIRTIO_CONFIG_S_DRIVER_OK)) {
        /* Stop serving the queues before a reset forgets them. */
        vpci_stop_ioeventfd(p, val != 0);
    }
    virtio_set_status(p->vdev, val);
    if (!val) {
        vpci_update_intx(p);
    }
    vpci_start_ioeventfd(p);
}

/* ---- common configuration (§4.1.4.3) ---- */

typedef struct {
    uint8_t off, size;
} CommonField;

static const CommonField common_fields[] = {
    { 0x00, 4 }, { 0x04, 4 }, { 0x08, 4 }, { 0x0c, 4 }, { 0x10, 2 }, { 0x12, 2 },
    { 0x14, 1 }, { 0x15, 1 }, { 0x16, 2 }, { 0x18, 2 }, { 0x1a, 2 }, { 0x1c, 2 },
    { 0x1e, 2 }, { 0x20, 8 }, { 0x28, 8 }, { 0x30, 8 },
};

static uint64_t common_get(VirtIOPCIProxy *p, unsigned off)
{
    VirtIODevice *vdev = p->vdev;
    VirtQueue *vq = vpci_sel_vq(p);
    switch (off) {
    case 0x00: return p->dfselect;
    case 0x04: return virtio_get_host_features_word(vdev, p->dfselect);
    case 0x08: return p->gfselect;
    case 0x0c:
        return p->gfselect < 2 ? (uint32_t)(vdev->guest_features >> (32 * p->gfselect)) : 0;
    case 0x10: return vdev->config_vector;
    case 0x12: return vdev->nvqs;
    case 0x14: return vdev->status;
    case 0x15: return vdev->config_generation;
    case 0x16: return p->queue_sel;
    case 0x18: return vq ? vq->num : 0;
    case 0x1a: return vq ? vq->vector : VIRTIO_NO_VECTOR;
    case 0x1c: return vq ? vq->enabled : 0;
    case 0x1e: return vq ? p->queue_sel : 0;    /* queue_notify_off */
    case 0x20: return vq ? vq->desc : 0;
    case 0x28: return vq ? vq->avail : 0;
    case 0x30: return vq ? vq->used : 0;
    }
    return 0;
}

static void common_set(VirtIOPCIProxy *p, unsigned off, uint64_t v)
{
    VirtIODevice *vdev = p->vdev;
    VirtQueue *vq = vpci_sel_vq(p);
    switch (off) {
    case 0x00: p->dfselect = v; return;
    case 0x08: p->gfselect = v; return;
    case 0x0c: virtio_set_guest_features_word(vdev, p->gfselect, v); return;
    case 0x10: vdev->config_vector = vpci_vector(p, v); return;
    case 0x14:
        vdev->legacy = false;
        vpci_set_status(p, v);
        return;
    case 0x16: p->queue_sel = v; return;
    }
    if (!vq) {
        VPCI_LOG(p, "%s: queue register 0x%x written for queue %u, it has %u\n",
                 vdev->name, off, p->queue_sel, vdev->nvqs);
        return;
    }
    if (off == 0x1a) {
        vq->vector = vpci_vector(p, v);
        return;
    }
    if (vq->enabled) {
        /* §4.1.4.3.2: the queue's layout is fixed once it is enabled. */
        VPCI_LOG(p, "%s: queue %u register 0x%x written while enabled: ignored\n",
                 vdev->name, vq->index, off);
        return;
    }
    switch (off) {
    case 0x18: virtio_queue_set_num(vq, v); return;
    case 0x1c:
        if (v != 1) {
            VPCI_LOG(p, "%s: queue_enable = %" PRIu64 ": ignored\n", vdev->name, v);
            return;
        }
        /* §2.7: alignment of the descriptor table, available and used rings. */
        if ((vq->desc & 15) || (vq->avail & 1) || (vq->used & 3)) {
            virtio_error(vdev, "queue %u enabled with misaligned rings", vq->index);
            return;
        }
        vq->last_avail_idx = vq->used_idx = vq->signalled_used = 0;
        vq->signalled_used_valid = false;
        vq->enabled = true;
        return;
    case 0x20: vq->desc = v; return;
    case 0x28: vq->avail = v; return;
    case 0x30: vq->used = v; return;
    }
    VPCI_LOG(p, "%s: read-only common register 0x%x written\n", vdev->name, off);
}

static const CommonField *common_field(hwaddr addr, unsigned size)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(common_fields); i++) {
        const CommonField *f = &common_fields[i];
        if (addr >= f->off && addr + size <= (hwaddr)f->off + f->size) {
            return f;
        }
    }
    return NULL;
}

static uint64_t size_mask(unsigned size)
{
    return size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static uint64_t common_read(void *opaque, hwaddr addr, unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    const CommonField *f = common_field(addr, size);
    if (!f) {
        VPCI_LOG(p, "%s: common config read of %u bytes at 0x%" PRIx64 "\n",
                 p->vdev->name, size, (uint64_t)addr);
        return 0;
    }
    return (common_get(p, f->off) >> (8 * (addr - f->off))) & size_mask(size);
}

static void common_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    const CommonField *f = common_field(addr, size);
    if (!f) {
        VPCI_LOG(p, "%s: common config write of %u bytes at 0x%" PRIx64 "\n",
                 p->vdev->name, size, (uint64_t)addr);
        return;
    }
    unsigned sh = 8 * (addr - f->off);
    uint64_t m = size_mask(size) << sh;
    uint64_t v = val << sh;
    if (size < f->size) {
        v = (common_get(p, f->off) & ~m) | (v & m);
    }
    common_set(p, f->off, v & size_mask(f->size));
}

static const MemoryRegionOps common_ops = {
    .read = common_read,
    .write = common_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

/* ---- ISR, device configuration, notifications ---- */

static uint64_t isr_read(void *opaque, hwaddr addr, unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    if (addr) {
        return 0;
    }
    /* An iothread may be setting bits: take and clear them at once. */
    uint8_t v = __atomic_exchange_n(&p->vdev->isr, 0, __ATOMIC_SEQ_CST);
    vpci_update_intx(p);
    return v;
}

static void isr_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    VPCI_LOG(p, "%s: ISR is read-only\n", p->vdev->name);
}

static const MemoryRegionOps isr_ops = {
    .read = isr_read,
    .write = isr_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static uint64_t device_read(void *opaque, hwaddr addr, unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    return virtio_config_read(p->vdev, addr, size);
}

static void device_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    virtio_config_write(p->vdev, addr, val, size);
}

static const MemoryRegionOps device_ops = {
    .read = device_read,
    .write = device_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static uint64_t notify_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void notify_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    /* The queue is the one whose queue_notify_off * multiplier is @addr (§4.1.4.4). */
    virtio_queue_notify(p->vdev, addr / VIRTIO_PCI_NOTIFY_MULT);
}

static const MemoryRegionOps notify_ops = {
    .read = notify_read,
    .write = notify_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* ---- legacy I/O BAR (§4.1.4.8) ---- */

#define VIRTIO_PCI_HOST_FEATURES    0x00
#define VIRTIO_PCI_GUEST_FEATURES   0x04
#define VIRTIO_PCI_QUEUE_PFN        0x08
#define VIRTIO_PCI_QUEUE_NUM        0x0c
#define VIRTIO_PCI_QUEUE_SEL        0x0e
#define VIRTIO_PCI_QUEUE_NOTIFY     0x10
#define VIRTIO_PCI_STATUS           0x12
#define VIRTIO_PCI_ISR              0x13
#define VIRTIO_MSI_CONFIG_VECTOR    0x14
#define VIRTIO_MSI_QUEUE_VECTOR     0x16

static unsigned legacy_config_off(VirtIOPCIProxy *p)
{
    return msix_enabled(PCI_DEVICE(p)) ? 0x18 : 0x14;
}

static uint32_t legacy_reg_read(VirtIOPCIProxy *p, unsigned reg)
{
    VirtIODevice *vdev = p->vdev;
    VirtQueue *vq = vpci_sel_vq(p);
    switch (reg) {
    case VIRTIO_PCI_HOST_FEATURES: return virtio_get_host_features_word(vdev, 0);
    case VIRTIO_PCI_GUEST_FEATURES: return (uint32_t)vdev->guest_features;
    case VIRTIO_PCI_QUEUE_PFN: return vq && vq->enabled ? vq->desc >> 12 : 0;
    case VIRTIO_PCI_QUEUE_NUM: return vq ? vq->num : 0;
    case VIRTIO_PCI_QUEUE_SEL: return p->queue_sel;
    case VIRTIO_PCI_STATUS: return vdev->status;
    case VIRTIO_PCI_ISR: return isr_read(p, 0, 1);
    case VIRTIO_MSI_CONFIG_VECTOR: return vdev->config_vector;
    case VIRTIO_MSI_QUEUE_VECTOR: return vq ? vq->vector : VIRTIO_NO_VECTOR;
    }
    return 0;
}

static void legacy_reg_write(VirtIOPCIProxy *p, unsigned reg, uint32_t val)
{
    VirtIODevice *vdev = p->vdev;
    VirtQueue *vq = vpci_sel_vq(p);
    switch (reg) {
    case VIRTIO_PCI_GUEST_FEATURES:
        vdev->legacy = true;
        virtio_set_guest_features_word(vdev, 0, val);
        return;
    case VIRTIO_PCI_QUEUE_PFN:
        if (vq) {
            /* The set of queues with doorbells changes: re-assign them. */
            bool running = p->ioeventfd_started;
            vpci_stop_ioeventfd(p, true);
            vdev->legacy = true;
            virtio_queue_set_legacy_pfn(vq, val);
            if (running) {
                vpci_start_ioeventfd(p);
            }
        }
        return;
    case VIRTIO_PCI_QUEUE_SEL: p->queue_sel = val; return;
    case VIRTIO_PCI_QUEUE_NOTIFY: virtio_queue_notify(vdev, val & 0xffff); return;
    case VIRTIO_PCI_STATUS:
        vdev->legacy = true;
        vpci_set_status(p, val);
        return;
    case VIRTIO_MSI_CONFIG_VECTOR: vdev->config_vector = vpci_vector(p, val); return;
    case VIRTIO_MSI_QUEUE_VECTOR:
        if (vq) {
            vq->vector = vpci_vector(p, val);
        }
        return;
    }
    VPCI_LOG(p, "%s: legacy register 0x%x is read-only\n", vdev->name, reg);
}

/* Register widths of the legacy header. */
static unsigned legacy_reg_size(unsigned reg)
{
    return reg < 0x0c ? 4 : reg >= 0x12 && reg < 0x14 ? 1 : 2;
}

static uint64_t legacy_read(void *opaque, hwaddr addr, unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    unsigned coff = legacy_config_off(p);
    if (addr >= coff) {
        return virtio_config_read(p->vdev, addr - coff, size);
    }
    if (addr % legacy_reg_size(addr) || size != legacy_reg_size(addr)) {
        VPCI_LOG(p, "%s: legacy read of %u bytes at 0x%x\n", p->vdev->name, size,
                 (unsigned)addr);
        return size_mask(size);
    }
    return legacy_reg_read(p, addr);
}

static void legacy_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    unsigned coff = legacy_config_off(p);
    if (addr >= coff) {
        virtio_config_write(p->vdev, addr - coff, val, size);
        return;
    }
    if (addr % legacy_reg_size(addr) || size != legacy_reg_size(addr)) {
        VPCI_LOG(p, "%s: legacy write of %u bytes at 0x%x\n", p->vdev->name, size,
                 (unsigned)addr);
        return;
    }
    legacy_reg_write(p, addr, val);
}

static const MemoryRegionOps legacy_ops = {
    .read = legacy_read,
    .write = legacy_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* ---- realize ---- */

static bool vpci_add_cap(PCIDevice *pd, uint8_t type, uint32_t off, uint32_t len,
                         Error **errp)
{
    uint8_t cap_len = type == VIRTIO_PCI_CAP_NOTIFY_CFG ? 20 : 16;
    uint8_t pos = pci_add_capability(pd, PCI_CAP_ID_VNDR, 0, cap_len, errp);
    if (!pos) {
        return false;
    }
    uint8_t *c = pd->config + pos;
    c[2] = cap_len;
    c[3] = type;
    c[4] = 4;                   /* bar */
    c[5] = 0;                   /* id */
    pci_set_long(c + 8, off);
    pci_set_long(c + 12, len);
    if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
        pci_set_long(c + 16, VIRTIO_PCI_NOTIFY_MULT);
    }
    return true;
}

static void vpci_realize(PCIDevice *pd, Error **errp)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(pd);
    VirtIOPCIClass *vc = VIRTIO_PCI_GET_CLASS(pd);
    Object *o = OBJECT(pd);
    Error *err = NULL;

    if (p->disable_modern && !vpci_legacy(p)) {
        error_setg(errp, "device cannot work as neither modern nor legacy mode is enabled");
        return;
    }
    vc->realize_vdev(p, &err);
    if (err) {
        error_propagate(errp, err);
        return;
    }
    VirtIODevice *vdev = p->vdev;
    vdev->tops = &vpci_tops;
    vdev->transport = p;
    for (unsigned i = 0; i < vdev->nvqs; i++) {
        vdev->vq[i].host_notifier.fd = -1;
    }
    if (p->packed) {
        vdev->host_features |= 1ull << VIRTIO_F_RING_PACKED;
    }
    if (p->vectors == UINT32_MAX) {
        p->vectors = vdev->nvqs + 1;
    }
    if (p->vectors > PCI_MSIX_MAX_VECTORS) {
        error_setg(errp, "vectors=%u: at most %d", p->vectors, PCI_MSIX_MAX_VECTORS);
        return;
    }

    /* §4.1.2.1: modern-only devices are 1040 + id, transitional ones 1000-103f. */
    uint8_t *c = pd->config;
    if (vpci_legacy(p)) {
        pci_set_word(c + PCI_DEVICE_ID, vc->legacy_device_id);
        c[PCI_REVISION_ID] = 0;
        pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, PCI_SUBVENDOR_ID_REDHAT_QUMRANET);
        pci_set_word(c + PCI_SUBSYSTEM_ID, vdev->device_id);
    } else {
        pci_set_word(c + PCI_DEVICE_ID, 0x1040 + vdev->device_id);
        c[PCI_REVISION_ID] = 1;
    }
    pci_config_set_interrupt_pin(pd, 1);

    if (vpci_legacy(p)) {
        uint64_t size = 0x18 + vdev->config_len;
        size = size <= 4 ? 4 : 1ull << (64 - __builtin_clzll(size - 1));
        memory_region_init_io(&p->legacy_io, o, &legacy_ops, p, "virtio-pci-legacy", size);
        pci_register_bar(pd, 0, PCI_BASE_ADDRESS_SPACE_IO, &p->legacy_io);
    }
    if (p->vectors) {
        memory_region_init(&p->msix_bar, o, "virtio-pci-msix", 0x1000);
        if (!msix_init(pd, p->vectors, &p->msix_bar, 1, 0, &p->msix_bar, 1, 0x800, 0,
                       errp)) {
            return;
        }
        pci_register_bar(pd, 1, PCI_BASE_ADDRESS_SPACE_MEMORY, &p->msix_bar);
    }
    if (vpci_modern(p)) {
        memory_region_init(&p->bar4, o, "virtio-pci", VIRTIO_PCI_BAR4_SIZE);
        memory_region_init_io(&p->common, o, &common_ops, p, "virtio-pci-common",
                              VIRTIO_PCI_REGION_SIZE);
        memory_region_init_io(&p->isr, o, &isr_ops, p, "virtio-pci-isr",
                              VIRTIO_PCI_REGION_SIZE);
        memory_region_init_io(&p->device, o, &device_ops, p, "virtio-pci-device",
                              VIRTIO_PCI_REGION_SIZE);
        memory_region_init_io(&p->notify, o, &notify_ops, p, "virtio-pci-notify",
                              VIRTIO_PCI_REGION_SIZE);
        memory_region_add_subregion(&p->bar4, VIRTIO_PCI_COMMON_OFF, &p->common);
        memory_region_add_subregion(&p->bar4, VIRTIO_PCI_ISR_OFF, &p->isr);
        memory_region_add_subregion(&p->bar4, VIRTIO_PCI_DEVICE_OFF, &p->device);
        memory_region_add_subregion(&p->bar4, VIRTIO_PCI_NOTIFY_OFF, &p->notify);
        pci_register_bar(pd, 4, PCI_BASE_ADDRESS_MEM_TYPE_64 |
                         PCI_BASE_ADDRESS_MEM_PREFETCH, &p->bar4);
        /* Listed device cfg, ISR, notify, common (the list is built head-first). */
        if (!vpci_add_cap(pd, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE_OFF,
                          MAX(vdev->config_len, 4), errp) ||
            !vpci_add_cap(pd, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFF,
                          VIRTIO_PCI_NOTIFY_MULT * vdev->nvqs, errp) ||
            !vpci_add_cap(pd, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF, 1, errp) ||
            !vpci_add_cap(pd, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFF, 0x38,
                          errp)) {
            return;
        }
    } else {
        /* Legacy-only: VERSION_1 cannot be offered. */
        vdev->host_features &= ~(1ull << VIRTIO_F_VERSION_1);
    }

    /* Interrupts raised by an iothread (last: nothing below can fail). */
    if (event_notifier_init(&p->irq_notifier, false) < 0) {
        error_setg_errno(errp, errno, "%s: cannot create an eventfd", vdev->name);
        return;
    }
    event_notifier_set_handler(&p->irq_notifier, NULL, vpci_irq_notifier_read);
    p->irq_pending = g_new0(uint64_t, p->vectors / 64 + 1);
    /* How iothread interrupts went out (qom-get; tests). */
    object_property_add_uint64_ptr(o, "x-irqs-deferred", &p->irqs_deferred);
    object_property_add_uint64_ptr(o, "x-irqs-irqfd", &p->irqs_irqfd);
    object_property_add_uint64_ptr(o, "x-irqs-direct", &p->irqs_direct);
    if (p->vectors && kvm_irqchip_in_kernel()) {
        p->irqfds = g_new0(VirtIOPCIIrqfd, p->vectors);
        for (uint32_t v = 0; v < p->vectors; v++) {
            p->irqfds[v].virq = -1;
            p->irqfds[v].e.fd = -1;
        }
    }
}

static void vpci_exit(PCIDevice *pd)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(pd);
    VirtIOPCIClass *vc = VIRTIO_PCI_GET_CLASS(pd);
    if (p->vdev) {
        vpci_stop_ioeventfd(p, false);
    }
    event_notifier_cleanup(&p->irq_notifier);
    g_clear_pointer(&p->irq_pending, g_free);
    g_clear_pointer(&p->irqfds, g_free);
    if (msix_present(pd)) {
        msix_uninit(pd);
    }
    if (p->vdev && vc->unrealize_vdev) {
        vc->unrealize_vdev(p);
    }
}

static void vpci_reset(PCIDevice *pd)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(pd);
    if (p->vdev) {
        vpci_stop_ioeventfd(p, false);
        virtio_reset(p->vdev);
        p->dfselect = p->gfselect = 0;
        p->queue_sel = 0;
        vpci_update_intx(p);
    }
}

static void vpci_finalize(Object *obj)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(obj);
    memory_region_finalize(&p->common);
    memory_region_finalize(&p->isr);
    memory_region_finalize(&p->device);
    memory_region_finalize(&p->notify);
    memory_region_finalize(&p->bar4);
    memory_region_finalize(&p->legacy_io);
    memory_region_finalize(&p->msix_bar);
}

static const char *const disable_legacy_names[] = { "auto", "on", "off", NULL };

static const Property vpci_props[] = {
    DEFINE_PROP_ENUM("disable-legacy", VirtIOPCIProxy, disable_legacy,
                     VIRTIO_PCI_LEGACY_AUTO, disable_legacy_names),
    DEFINE_PROP_BOOL("disable-modern", VirtIOPCIProxy, disable_modern, false),
    DEFINE_PROP_UINT32("vectors", VirtIOPCIProxy, vectors, UINT32_MAX),
    /* Off by default, as in QEMU 7.2: Linux then keeps split rings. */
    DEFINE_PROP_BOOL("packed", VirtIOPCIProxy, packed, false),
    /* As QEMU: doorbells through eventfds (KVM_IOEVENTFD under KVM). */
    DEFINE_PROP_BOOL("ioeventfd", VirtIOPCIProxy, ioeventfd, true),
    DEFINE_PROP_END_OF_LIST(),
};

static void vpci_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    device_class_set_props(dc, vpci_props);
    pc->realize = vpci_realize;
    pc->exit = vpci_exit;
    pc->reset = vpci_reset;
    pc->vendor_id = PCI_SUBVENDOR_ID_REDHAT_QUMRANET;
}

static const TypeInfo vpci_types[] = {
    {
        .name = TYPE_VIRTIO_PCI,
        .parent = TYPE_PCI_DEVICE,
        .abstract = true,
        .instance_size = sizeof(VirtIOPCIProxy),
        .instance_finalize = vpci_finalize,
        .class_size = sizeof(VirtIOPCIClass),
        .class_init = vpci_class_init,
    },
};
DEFINE_TYPES(vpci_types)
