/*
 * The virtio device core: status, features, configuration space and split
 * virtqueues (virtio 1.2 §2, §3). Packed virtqueues (§2.8, offered with the
 * transport's packed=on) live in virtio-packed.c behind the same pop/push/notify.
 *
 * Guest memory rules: every ring and buffer address must lie in guest RAM as
 * the flat view of system memory says now (a descriptor into MMIO, a hole or,
 * for a device-writable buffer, ROM is an error), and accesses stop while the
 * transport forbids DMA (PCI Bus Master Enable clear).
 */
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-packed.h"
#include "util/log.h"
#include "util/rcu.h"
#include <stdarg.h>

#define VIRTIO_ERR(vdev, ...) virtio_error(vdev, __VA_ARGS__)

void virtio_barrier(void)
{
    /* The driver runs on other threads (vCPUs): order ring accesses (§2.7.13). */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    emu_log_mask(LOG_GUEST_ERROR, "%s: %s; device needs reset\n", vdev->name, msg);
    vdev->errors++;
    if (vdev->broken) {
        return;
    }
    vdev->broken = true;
    if (!vdev->legacy) {
        vdev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
        if (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
            virtio_notify_config(vdev);
        }
    }
}

/* [addr, addr + len) is guest RAM (writable RAM if @write) in the current view. */
static bool virtio_range_is_ram(hwaddr addr, uint64_t len, bool write)
{
    if (len == 0) {
        return true;
    }
    hwaddr last = addr + len - 1;
    if (last < addr) {
        return false;
    }
    FlatView *fv = address_space_to_flatview(&address_space_memory);
    hwaddr a = addr;
    for (;;) {
        const FlatRange *fr = flatview_lookup(fv, a);
        if (!fr || !fr->ram || (write && fr->readonly)) {
            return false;
        }
        if (fr->last >= last) {
            return true;
        }
        a = fr->last + 1;
    }
}

static bool virtio_dma_ok(VirtIODevice *vdev)
{
    return !vdev->tops || !vdev->tops->dma_allowed ||
           vdev->tops->dma_allowed(vdev->transport);
}

/* Ring accesses: a ring outside RAM breaks the device. */
bool vring_rw(VirtQueue *vq, hwaddr addr, void *buf, unsigned len, bool write)
{
    VirtIODevice *vdev = vq->vdev;
    if (!virtio_dma_ok(vdev)) {
        return false;
    }
    if (!virtio_range_is_ram(addr, len, write)) {
        VIRTIO_ERR(vdev, "queue %u: ring at 0x%" PRIx64 " (+%u) is not in guest RAM",
                   vq->index, (uint64_t)addr, len);
        return false;
    }
    address_space_rw(&address_space_memory, addr, buf, len, write);
    return true;
}

bool vring_lduw(VirtQueue *vq, hwaddr addr, uint16_t *val)
{
    uint16_t v;
    if (!vring_rw(vq, addr, &v, 2, false)) {
        return false;
    }
    *val = GUINT16_FROM_LE(v);
    return true;
}

bool vring_stw(VirtQueue *vq, hwaddr addr, uint16_t val)
{
    uint16_t v = GUINT16_TO_LE(val);
    return vring_rw(vq, addr, &v, 2, true);
}

/* ---- set-up ---- */

void virtio_init(VirtIODevice *vdev, const char *name, uint16_t device_id,
                 size_t config_len, const VirtIODeviceOps *ops)
{
    vdev->name = name;
    vdev->device_id = device_id;
    vdev->config_len = config_len;
    vdev->config = g_malloc0(config_len ? config_len : 1);
    vdev->ops = ops;
    vdev->config_vector = VIRTIO_NO_VECTOR;
    vdev->vq = g_new0(VirtQueue, VIRTIO_QUEUE_MAX);
    vdev->host_features |= (1ull << VIRTIO_F_VERSION_1) |
                           (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
                           (1ull << VIRTIO_RING_F_EVENT_IDX);
}

void virtio_cleanup(VirtIODevice *vdev)
{
    g_clear_pointer(&vdev->config, g_free);
    g_clear_pointer(&vdev->vq, g_free);
    vdev->nvqs = 0;
}

VirtQueue *virtio_add_queue(VirtIODevice *vdev, uint16_t num_max, VirtIOHandleOutput *handle)
{
    g_assert(vdev->nvqs < VIRTIO_QUEUE_MAX);
    g_assert(num_max && num_max <= VIRTQUEUE_MAX_SIZE && !(num_max & (num_max - 1)));
    VirtQueue *vq = &vdev->vq[vdev->nvqs];
    vq->vdev = vdev;
    vq->index = vdev->nvqs++;
    vq->num_max = num_max;
    vq->num = num_max;
    vq->vector = VIRTIO_NO_VECTOR;
    vq->handle = handle;
    return vq;
}

void virtio_reset(VirtIODevice *vdev)
{
    if (vdev->ops && vdev->ops->reset) {
        vdev->ops->reset(vdev);
    }
    vdev->status = 0;
    vdev->isr = 0;
    vdev->guest_features = 0;
    vdev->config_vector = VIRTIO_NO_VECTOR;
    vdev->broken = false;
    vdev->legacy = false;
    for (unsigned i = 0; i < vdev->nvqs; i++) {
        VirtQueue *vq = &vdev->vq[i];
        vq->num = vq->num_max;
        vq->enabled = false;
        vq->desc = vq->avail = vq->used = 0;
        vq->last_avail_idx = vq->used_idx = vq->signalled_used = 0;
        vq->signalled_used_valid = false;
        vq->avail_wrap_toggled = vq->used_wrap_toggled = vq->signalled_wrap_toggled = false;
        vq->vector = VIRTIO_NO_VECTOR;
        vq->inuse = 0;
    }
}

/* ---- features and status (§2.2, §3.1.1) ---- */

uint32_t virtio_get_host_features_word(VirtIODevice *vdev, unsigned sel)
{
    return sel < 2 ? (uint32_t)(vdev->host_features >> (32 * sel)) : 0;
}

void virtio_set_guest_features_word(VirtIODevice *vdev, unsigned sel, uint32_t val)
{
    if (vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
        emu_log_mask(LOG_GUEST_ERROR, "%s: driver features written after FEATURES_OK: "
                     "ignored\n", vdev->name);
        return;
    }
    if (sel >= 2) {
        if (val) {
            emu_log_mask(LOG_GUEST_ERROR, "%s: driver feature word %u = 0x%x: no such "
                         "features, ignored\n", vdev->name, sel, val);
        }
        return;
    }
    uint64_t mask = 0xffffffffull << (32 * sel);
    vdev->guest_features = (vdev->guest_features & ~mask) | ((uint64_t)val << (32 * sel));
}

static bool virtio_features_ok(VirtIODevice *vdev)
{
    uint64_t extra = vdev->guest_features & ~vdev->host_features;
    if (extra) {
        /* ACCESS_PLATFORM (and packed rings without packed=on) land here. */
        emu_log_mask(LOG_GUEST_ERROR, "%s: driver accepted features 0x%" PRIx64
                     " that were not offered: FEATURES_OK refused\n", vdev->name, extra);
        return false;
    }
    if (!vdev->legacy && !virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1)) {
        emu_log_mask(LOG_GUEST_ERROR, "%s: modern driver without VIRTIO_F_VERSION_1: "
                     "FEATURES_OK refused\n", vdev->name);
        return false;
    }
    return true;
}

void virtio_set_status(VirtIODevice *vdev, uint8_t val)
{
    if (val == 0) {
        virtio_reset(vdev);
        return;
    }
    uint8_t old = vdev->status;
    if ((val & VIRTIO_CONFIG_S_FEATURES_OK) && !(old & VIRTIO_CONFIG_S_FEATURES_OK)) {
        if (!virtio_features_ok(vdev)) {
            val &= ~VIRTIO_CONFIG_S_FEATURES_OK;
        } else if (vdev->ops && vdev->ops->set_features) {
            vdev->ops->set_features(vdev, vdev->guest_features);
        }
    }
    if ((val & VIRTIO_CONFIG_S_DRIVER_OK) && !(old & VIRTIO_CONFIG_S_DRIVER_OK)) {
        if (vdev->legacy) {
            /* Legacy drivers have no FEATURES_OK step (§4.1.4.8). */
            vdev->guest_features &= vdev->host_features & 0xffffffffull;
            if (vdev->ops && vdev->ops->set_features) {
                vdev->ops->set_features(vdev, vdev->guest_features);
            }
        } else if (!(val & VIRTIO_CONFIG_S_FEATURES_OK)) {
            emu_log_mask(LOG_GUEST_ERROR, "%s: DRIVER_OK without FEATURES_OK\n",
                         vdev->name);
        }
    }
    /* NEEDS_RESET is the device's bit: only a reset clears it. */
    vdev->status = val | (old & VIRTIO_CONFIG_S_NEEDS_RESET);
}

/* ---- configuration space (§2.5) ---- */

uint32_t virtio_config_read(VirtIODevice *vdev, uint32_t addr, unsigned size)
{
    if (size > 4 || addr > vdev->config_len || size > vdev->config_len - addr) {
        emu_log_mask(LOG_GUEST_ERROR, "%s: config read of %u bytes at 0x%x beyond its "
                     "%zu bytes\n", vdev->name, size, addr, vdev->config_len);
        return 0;
    }
    if (vdev->ops && vdev->ops->get_config) {
        vdev->ops->get_config(vdev, vdev->config);
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint32_t)vdev->config[addr + i] << (8 * i);
    }
    return v;
}

void virtio_config_write(VirtIODevice *vdev, uint32_t addr, uint32_t val, unsigned size)
{
    if (size > 4 || addr > vdev->config_len || size > vdev->config_len - addr) {
        emu_log_mask(LOG_GUEST_ERROR, "%s: config write of %u bytes at 0x%x beyond its "
                     "%zu bytes\n", vdev->name, size, addr, vdev->config_len);
        return;
    }
    if (vdev->ops && vdev->ops->get_config) {
        vdev->ops->get_config(vdev, vdev->config);
    }
    for (unsigned i = 0; i < size; i++) {
        vdev->config[addr + i] = val >> (8 * i);
    }
    if (vdev->ops && vdev->ops->set_config) {
        vdev->ops->set_config(vdev, vdev->config);
    }
}

void virtio_notify_config(VirtIODevice *vdev)
{
    vdev->config_generation++;
    if (!(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        return;
    }
    __atomic_fetch_or(&vdev->isr, VIRTIO_ISR_CONFIG, __ATOMIC_SEQ_CST);
    if (vdev->tops && vdev->tops->notify) {
        vdev->tops->notify(vdev->transport, vdev->config_vector);
    }
}

/* ---- queues ---- */

void virtio_queue_set_num(VirtQueue *vq, uint16_t num)
{
    bool any = virtio_vq_is_packed(vq);
    if (!num || num > vq->num_max || (!any && (num & (num - 1)))) {
        /* §2.7: a split queue's size is a power of two up to the maximum (§2.8: any). */
        emu_log_mask(LOG_GUEST_ERROR, "%s: queue %u size %u refused (max %u, power of "
                     "two)\n", vq->vdev->name, vq->index, num, vq->num_max);
        return;
    }
    vq->num = num;
}

void virtio_queue_set_legacy_pfn(VirtQueue *vq, uint32_t pfn)
{
    /* Legacy layout: 4096-byte aligned, used ring on the next page boundary. */
    hwaddr pa = (hwaddr)pfn << 12;
    vq->last_avail_idx = vq->used_idx = vq->signalled_used = 0;
    vq->signalled_used_valid = false;
    if (!pfn) {
        vq->enabled = false;
        vq->desc = vq->avail = vq->used = 0;
        return;
    }
    vq->desc = pa;
    vq->avail = pa + (hwaddr)vq->num * VRING_DESC_SIZE;
    vq->used = (vq->avail + 6 + 2 * (hwaddr)vq->num + 4095) & ~(hwaddr)4095;
    vq->enabled = true;
}

void virtio_queue_notify(VirtIODevice *vdev, unsigned n)
{
    if (n >= vdev->nvqs) {
        emu_log_mask(LOG_GUEST_ERROR, "%s: notify for queue %u, it has %u\n", vdev->name,
                     n, vdev->nvqs);
        return;
    }
    VirtQueue *vq = &vdev->vq[n];
    if (vdev->broken || !vq->enabled || !vq->handle ||
        !(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        return;
    }
    vq->handle(vdev, vq);
}

/* A doorbell write reached the queue's eventfd (main loop or an iothread). */
static void virtio_queue_host_notifier_read(EventNotifier *n)
{
    VirtQueue *vq = container_of(n, VirtQueue, host_notifier);
    if (event_notifier_test_and_clear(n)) {
        /* An iothread has no big lock: the rings are read under RCU. */
        rcu_read_lock();
        virtio_queue_notify(vq->vdev, vq->index);
        rcu_read_unlock();
    }
}

void virtio_host_notifiers_attach(VirtIODevice *vdev, GMainContext *ctx)
{
    for (unsigned i = 0; i < vdev->nvqs; i++) {
        VirtQueue *vq = &vdev->vq[i];
        if (vq->host_notifier_enabled) {
            event_notifier_set_handler(&vq->host_notifier, ctx,
                                       virtio_queue_host_notifier_read);
            event_notifier_set(&vq->host_notifier);
        }
    }
}

void virtio_host_notifiers_detach(VirtIODevice *vdev)
{
    for (unsigned i = 0; i < vdev->nvqs; i++) {
        VirtQueue *vq = &vdev->vq[i];
        if (vq->host_notifier_enabled) {
            event_notifier_set_handler(&vq->host_notifier, NULL, NULL);
        }
    }
}

/* Map one guest buffer into @iov/@addrs (several pieces if it crosses regions). */
bool virtqueue_map_buf(VirtQueue *vq, GArray *iov, GArray *addrs, hwaddr pa,
                       uint32_t len, bool write)
{
    VirtIODevice *vdev = vq->vdev;
    if (!len) {
        VIRTIO_ERR(vdev, "queue %u: zero-length buffer", vq->index);
        return false;
    }
    if (!virtio_range_is_ram(pa, len, write)) {
        VIRTIO_ERR(vdev, "queue %u: %s buffer 0x%" PRIx64 " (+%u) is not in guest %s",
                   vq->index, write ? "device-writable" : "device-readable",
                   (uint64_t)pa, len, write ? "writable RAM" : "RAM");
        return false;
    }
    while (len) {
        hwaddr plen = len;
        void *p = address_space_map(&address_space_memory, pa, &plen, write);
        if (!p || !plen) {
            VIRTIO_ERR(vdev, "queue %u: cannot map 0x%" PRIx64, vq->index, (uint64_t)pa);
            return false;
        }
        struct iovec v = { .iov_base = p, .iov_len = plen };
        g_array_append_val(iov, v);
        g_array_append_val(addrs, pa);
        pa += plen;
        len -= plen;
    }
    return true;
}

void virtqueue_unmap_sg(struct iovec *sg, unsigned n, bool write)
{
    for (unsigned i = 0; i < n; i++) {
        address_space_unmap(&address_space_memory, sg[i].iov_base, sg[i].iov_len, write,
                            write ? sg[i].iov_len : 0);
    }
}

static void virtqueue_free_elem(VirtQueueElement *elem)
{
    virtqueue_unmap_sg(elem->out_sg, elem->out_num, false);
    virtqueue_unmap_sg(elem->in_sg, elem->in_num, true);
    g_free(elem->out_sg);
    g_free(elem->in_sg);
    g_free(elem->out_addr);
    g_free(elem->in_addr);
    g_free(elem);
}

typedef struct VRingDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VRingDesc;

static bool vring_read_desc(VirtQueue *vq, hwaddr table, unsigned i, VRingDesc *d)
{
    uint8_t raw[VRING_DESC_SIZE];
    if (!vring_rw(vq, table + (hwaddr)i * VRING_DESC_SIZE, raw, sizeof(raw), false)) {
        return false;
    }
    memcpy(&d->addr, raw, 8);
    memcpy(&d->len, raw + 8, 4);
    memcpy(&d->flags, raw + 12, 2);
    memcpy(&d->next, raw + 14, 2);
    d->addr = GUINT64_FROM_LE(d->addr);
    d->len = GUINT32_FROM_LE(d->len);
    d->flags = GUINT16_FROM_LE(d->flags);
    d->next = GUINT16_FROM_LE(d->next);
    return true;
}

/* Walk the chain at @head (§2.7.5): NULL and the device broken if malformed. */
static VirtQueueElement *virtqueue_read_chain(VirtQueue *vq, unsigned head)
{
    VirtIODevice *vdev = vq->vdev;
    g_autoptr(GArray) out = g_array_new(false, false, sizeof(struct iovec));
    g_autoptr(GArray) in = g_array_new(false, false, sizeof(struct iovec));
    g_autoptr(GArray) out_a = g_array_new(false, false, sizeof(hwaddr));
    g_autoptr(GArray) in_a = g_array_new(false, false, sizeof(hwaddr));
    hwaddr table = vq->desc;
    unsigned max = vq->num, i = head, seen = 0;
    bool indirect = false;
    size_t out_len = 0, in_len = 0;
    VRingDesc d;

    if (!vring_read_desc(vq, table, i, &d)) {
        goto fail;
    }
    if (d.flags & VRING_DESC_F_INDIRECT) {
        /* §2.7.5.3: a table of len / 16 descriptors, not nested, no NEXT. */
        if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_INDIRECT_DESC)) {
            VIRTIO_ERR(vdev, "queue %u: indirect descriptor without the feature", vq->index);
            goto fail;
        }
        if (d.flags & VRING_DESC_F_NEXT) {
            VIRTIO_ERR(vdev, "queue %u: descriptor with both INDIRECT and NEXT", vq->index);
            goto fail;
        }
        if (!d.len || d.len % VRING_DESC_SIZE ||
            d.len / VRING_DESC_SIZE > VIRTQUEUE_MAX_SIZE) {
            VIRTIO_ERR(vdev, "queue %u: indirect table of %u bytes", vq->index, d.len);
            goto fail;
        }
        table = d.addr;
        max = d.len / VRING_DESC_SIZE;
        i = 0;
        indirect = true;
        if (!vring_read_desc(vq, table, i, &d)) {
            goto fail;
        }
    }
    for (;;) {
        if (++seen > max) {
            VIRTIO_ERR(vdev, "queue %u: descriptor chain at %u longer than the %s (%u): "
                       "a loop", vq->index, head, indirect ? "indirect table" : "queue",
                       max);
            goto fail;
        }
        if (d.flags & VRING_DESC_F_INDIRECT) {
            VIRTIO_ERR(vdev, "queue %u: %s indirect descriptor", vq->index,
                       indirect ? "nested" : "non-head");
            goto fail;
        }
        bool write = d.flags & VRING_DESC_F_WRITE;
        if (!write && in->len) {
            /* §2.7.4.2: device-readable buffers come first. */
            VIRTIO_ERR(vdev, "queue %u: device-readable descriptor after a writable one",
                       vq->index);
            goto fail;
        }
        if (!virtqueue_map_buf(vq, write ? in : out, write ? in_a : out_a, d.addr, d.len,
                               write)) {
            goto fail;
        }
        *(write ? &in_len : &out_len) += d.len;
        if (!(d.flags & VRING_DESC_F_NEXT)) {
            break;
        }
        i = d.next;
        if (i >= max) {
            VIRTIO_ERR(vdev, "queue %u: next descriptor %u beyond %u", vq->index, i, max);
            goto fail;
        }
        if (!vring_read_desc(vq, table, i, &d)) {
            goto fail;
        }
    }

    VirtQueueElement *elem = g_new0(VirtQueueElement, 1);
    elem->index = head;
    elem->out_num = out->len;
    elem->in_num = in->len;
    elem->out_len = out_len;
    elem->in_len = in_len;
    elem->out_sg = (struct iovec *)g_array_free(g_steal_pointer(&out), false);
    elem->in_sg = (struct iovec *)g_array_free(g_steal_pointer(&in), false);
    elem->out_addr = (hwaddr *)g_array_free(g_steal_pointer(&out_a), false);
    elem->in_addr = (hwaddr *)g_array_free(g_steal_pointer(&in_a), false);
    return elem;

fail:
    virtqueue_unmap_sg((struct iovec *)out->data, out->len, false);
    virtqueue_unmap_sg((struct iovec *)in->data, in->len, true);
    return NULL;
}

VirtQueueElement *virtqueue_pop(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;
    if (vdev->broken || !vq->enabled || !(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) ||
        !virtio_dma_ok(vdev)) {
        return NULL;
    }
    if (virtio_vq_is_packed(vq)) {
        VirtQueueElement *elem = virtqueue_packed_pop(vq);
        if (elem) {
            vq->inuse++;
        }
        return elem;
    }
    /* Our avail_event store must be visible before we look at avail idx again. */
    virtio_barrier();
    uint16_t avail_idx;
    if (!vring_lduw(vq, vq->avail + 2, &avail_idx)) {
        return NULL;
    }
    uint16_t pending = avail_idx - vq->last_avail_idx;
    if (pending > vq->num) {
        VIRTIO_ERR(vdev, "queue %u: avail idx %u is %u ahead of %u (queue size %u)",
                   vq->index, avail_idx, pending, vq->last_avail_idx, vq->num);
        return NULL;
    }
    if (!pending) {
        return NULL;
    }
    virtio_barrier();
    uint16_t head;
    if (!vring_lduw(vq, vq->avail + 4 + 2 * (hwaddr)(vq->last_avail_idx % vq->num),
                    &head)) {
        return NULL;
    }
    if (head >= vq->num) {
        VIRTIO_ERR(vdev, "queue %u: head descriptor %u beyond queue size %u", vq->index,
                   head, vq->num);
        return NULL;
    }
    vq->last_avail_idx++;
    if (virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        /* avail_event (§2.7.10): notify me when this entry is filled. */
        if (!vring_stw(vq, vq->used + 4 + 8 * (hwaddr)vq->num, vq->last_avail_idx)) {
            return NULL;
        }
    }
    VirtQueueElement *elem = virtqueue_read_chain(vq, head);
    if (elem) {
        vq->inuse++;
    }
    return elem;
}

void virtqueue_drop(VirtQueue *vq, VirtQueueElement *elem)
{
    if (vq->inuse) {
        vq->inuse--;
    }
    virtqueue_free_elem(elem);
}

void virtqueue_push(VirtQueue *vq, VirtQueueElement *elem, uint32_t len)
{
    VirtIODevice *vdev = vq->vdev;
    unsigned index = elem->index, ndescs = elem->ndescs;
    virtqueue_drop(vq, elem);
    if (vdev->broken || !vq->enabled) {
        return;
    }
    if (virtio_vq_is_packed(vq)) {
        virtqueue_packed_push(vq, index, ndescs, len);
        return;
    }
    uint8_t e[8];
    uint32_t id = GUINT32_TO_LE(index), l = GUINT32_TO_LE(len);
    memcpy(e, &id, 4);
    memcpy(e + 4, &l, 4);
    if (!vring_rw(vq, vq->used + 4 + 8 * (hwaddr)(vq->used_idx % vq->num), e, 8, true)) {
        return;
    }
    virtio_barrier();
    vq->used_idx++;
    vring_stw(vq, vq->used + 2, vq->used_idx);
}

void virtqueue_push_multi(VirtQueue *vq, VirtQueueElement **elems, const uint32_t *lens,
                          unsigned n)
{
    VirtIODevice *vdev = vq->vdev;
    if (virtio_vq_is_packed(vq)) {
        for (unsigned i = 0; i < n; i++) {
            virtqueue_push(vq, elems[i], lens[i]);
        }
        return;
    }
    /* Split ring: every entry first, then one used idx store (§2.7.8). */
    bool ok = true;
    for (unsigned i = 0; i < n; i++) {
        unsigned index = elems[i]->index;
        virtqueue_drop(vq, elems[i]);
        if (!ok || vdev->broken || !vq->enabled) {
            ok = false;
            continue;
        }
        uint8_t e[8];
        uint32_t id = GUINT32_TO_LE(index), l = GUINT32_TO_LE(lens[i]);
        memcpy(e, &id, 4);
        memcpy(e + 4, &l, 4);
        ok = vring_rw(vq, vq->used + 4 + 8 * (hwaddr)((uint16_t)(vq->used_idx + i) % vq->num),
                      e, 8, true);
    }
    if (!ok) {
        return;
    }
    virtio_barrier();
    vq->used_idx += n;
    vring_stw(vq, vq->used + 2, vq->used_idx);
}

static bool virtio_should_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    if (virtio_vq_is_packed(vq)) {
        return virtqueue_packed_should_notify(vq);
    }
    virtio_barrier();
    if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        uint16_t flags;
        return vring_lduw(vq, vq->avail, &flags) && !(flags & VRING_AVAIL_F_NO_INTERRUPT);
    }
    /* §2.7.10: interrupt when used idx passes used_event. */
    uint16_t old = vq->signalled_used, new = vq->used_idx;
    bool valid = vq->signalled_used_valid;
    vq->signalled_used = new;
    vq->signalled_used_valid = true;
    uint16_t used_event;
    if (!vring_lduw(vq, vq->avail + 4 + 2 * (hwaddr)vq->num, &used_event)) {
        return false;
    }
    return !valid || (uint16_t)(new - used_event - 1) < (uint16_t)(new - old);
}

void virtio_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    if (vdev->broken || !vq->enabled || !virtio_should_notify(vdev, vq)) {
        return;
    }
    /* An iothread sets it while a vCPU may read (and clear) it. */
    __atomic_fetch_or(&vdev->isr, VIRTIO_ISR_QUEUE, __ATOMIC_SEQ_CST);
    if (vdev->tops && vdev->tops->notify) {
        vdev->tops->notify(vdev->transport, vq->vector);
    }
}
