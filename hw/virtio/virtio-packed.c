/*
 * Packed virtqueues (virtio 1.2 §2.8), behind the same virtqueue_pop(),
 * virtqueue_push() and virtio_notify() as split rings: devices do not know
 * which layout the driver chose with VIRTIO_F_RING_PACKED.
 *
 * One ring of 16-byte descriptors (addr, len, id, flags) that both sides
 * write. A descriptor is available when its AVAIL flag equals the driver's
 * wrap counter and its USED flag does not (§2.8.1); the device returns a
 * buffer by writing one descriptor with its Buffer ID at the next used slot,
 * AVAIL = USED = the device's wrap counter, and then skips as many slots as
 * the buffer took (§2.8.6). Event suppression (§2.8.10) uses the driver area
 * (interrupts) and the device area (notifications).
 *
 * Everything read from the ring is validated like the split ring: buffers in
 * guest RAM, non-zero lengths, chains no longer than the ring or indirect
 * table, readable before writable, Buffer IDs below the queue size.
 */
#include "hw/virtio/virtio-packed.h"
#include "util/log.h"

typedef struct PackedDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t id;
    uint16_t flags;
} PackedDesc;

static bool packed_read_desc(VirtQueue *vq, hwaddr table, unsigned i, PackedDesc *d)
{
    uint8_t raw[VRING_DESC_SIZE];
    if (!vring_rw(vq, table + (hwaddr)i * VRING_DESC_SIZE, raw, sizeof(raw), false)) {
        return false;
    }
    memcpy(&d->addr, raw, 8);
    memcpy(&d->len, raw + 8, 4);
    memcpy(&d->id, raw + 12, 2);
    memcpy(&d->flags, raw + 14, 2);
    d->addr = GUINT64_FROM_LE(d->addr);
    d->len = GUINT32_FROM_LE(d->len);
    d->id = GUINT16_FROM_LE(d->id);
    d->flags = GUINT16_FROM_LE(d->flags);
    return true;
}

static bool packed_avail_wrap(VirtQueue *vq)
{
    return !vq->avail_wrap_toggled;
}

static bool packed_used_wrap(VirtQueue *vq)
{
    return !vq->used_wrap_toggled;
}

/* §2.8.1: available to the device when AVAIL == wrap counter != USED. */
static bool packed_desc_avail(uint16_t flags, bool wrap)
{
    bool avail = flags & VRING_PACKED_DESC_F_AVAIL;
    bool used = flags & VRING_PACKED_DESC_F_USED;
    return avail != used && avail == wrap;
}

typedef struct PackedChain {
    GArray *out, *in, *out_a, *in_a;
    size_t out_len, in_len;
} PackedChain;

/* Add one buffer descriptor to @c: false (device broken) if it is malformed. */
static bool packed_add_buf(VirtQueue *vq, PackedChain *c, const PackedDesc *d)
{
    bool write = d->flags & VRING_DESC_F_WRITE;
    if (!write && c->in->len) {
        /* §2.8.4 (as §2.7.4.2): device-readable buffers come first. */
        virtio_error(vq->vdev, "queue %u: device-readable descriptor after a writable one",
                     vq->index);
        return false;
    }
    if (!virtqueue_map_buf(vq, write ? c->in : c->out, write ? c->in_a : c->out_a,
                           d->addr, d->len, write)) {
        return false;
    }
    *(write ? &c->in_len : &c->out_len) += d->len;
    return true;
}

/* The descriptors of an indirect table (§2.8.7): all len / 16 of them, in order. */
static bool packed_read_indirect(VirtQueue *vq, PackedChain *c, const PackedDesc *ind)
{
    VirtIODevice *vdev = vq->vdev;
    if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_INDIRECT_DESC)) {
        virtio_error(vdev, "queue %u: indirect descriptor without the feature", vq->index);
        return false;
    }
    if (ind->flags & VRING_DESC_F_NEXT) {
        virtio_error(vdev, "queue %u: descriptor with both INDIRECT and NEXT", vq->index);
        return false;
    }
    if (!ind->len || ind->len % VRING_DESC_SIZE ||
        ind->len / VRING_DESC_SIZE > VIRTQUEUE_MAX_SIZE) {
        virtio_error(vdev, "queue %u: indirect table of %u bytes", vq->index, ind->len);
        return false;
    }
    unsigned n = ind->len / VRING_DESC_SIZE;
    for (unsigned i = 0; i < n; i++) {
        PackedDesc d;
        if (!packed_read_desc(vq, ind->addr, i, &d)) {
            return false;
        }
        if (d.flags & VRING_DESC_F_INDIRECT) {
            virtio_error(vdev, "queue %u: nested indirect descriptor", vq->index);
            return false;
        }
        if (!packed_add_buf(vq, c, &d)) {
            return false;
        }
    }
    return true;
}

static void packed_chain_free(PackedChain *c, bool unmap)
{
    if (unmap) {
        virtqueue_unmap_sg((struct iovec *)c->out->data, c->out->len, false);
        virtqueue_unmap_sg((struct iovec *)c->in->data, c->in->len, true);
    }
    if (c->out) {
        g_array_free(c->out, true);
        g_array_free(c->in, true);
        g_array_free(c->out_a, true);
        g_array_free(c->in_a, true);
    }
}

/*
 * The buffer at the driver's next slot, or NULL (nothing available, or the
 * ring was malformed and the device is now broken).
 */
VirtQueueElement *virtqueue_packed_pop(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;
    unsigned head = vq->last_avail_idx, i = head, ndescs = 0;
    PackedDesc d;

    if (head >= vq->num) {
        /* Only reachable if the queue size changed under us: treat as broken. */
        virtio_error(vdev, "queue %u: ring position %u beyond size %u", vq->index, head,
                     vq->num);
        return NULL;
    }
    if (!packed_read_desc(vq, vq->desc, head, &d)) {
        return NULL;
    }
    if (!packed_desc_avail(d.flags, packed_avail_wrap(vq))) {
        return NULL;
    }
    /* §2.8.21.1: read the rest of the descriptor only after its flags. */
    virtio_barrier();
    if (!packed_read_desc(vq, vq->desc, head, &d)) {
        return NULL;
    }

    PackedChain c = {
        .out = g_array_new(false, false, sizeof(struct iovec)),
        .in = g_array_new(false, false, sizeof(struct iovec)),
        .out_a = g_array_new(false, false, sizeof(hwaddr)),
        .in_a = g_array_new(false, false, sizeof(hwaddr)),
    };
    for (;;) {
        if (++ndescs > vq->num) {
            virtio_error(vdev, "queue %u: descriptor chain at %u longer than the queue "
                         "(%u)", vq->index, head, vq->num);
            goto fail;
        }
        if (d.flags & VRING_DESC_F_INDIRECT) {
            if (ndescs > 1) {
                virtio_error(vdev, "queue %u: non-head indirect descriptor", vq->index);
                goto fail;
            }
            if (!packed_read_indirect(vq, &c, &d)) {
                goto fail;
            }
            break;
        }
        if (!packed_add_buf(vq, &c, &d)) {
            goto fail;
        }
        if (!(d.flags & VRING_DESC_F_NEXT)) {
            break;
        }
        /* The chain continues in the next slot, wrapping at the end (§2.8.6). */
        if (++i == vq->num) {
            i = 0;
        }
        if (!packed_read_desc(vq, vq->desc, i, &d)) {
            goto fail;
        }
    }
    /* §2.8.6: the Buffer ID is in the last descriptor of the list. */
    if (d.id >= vq->num) {
        virtio_error(vdev, "queue %u: buffer id %u beyond queue size %u", vq->index, d.id,
                     vq->num);
        goto fail;
    }

    vq->last_avail_idx += ndescs;
    if (vq->last_avail_idx >= vq->num) {
        vq->last_avail_idx -= vq->num;
        vq->avail_wrap_toggled = !vq->avail_wrap_toggled;
    }
    if (virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        /*
         * §2.8.10: device area = { off_wrap, flags }; ask to be notified when
         * the driver makes the next slot available (like avail_event, §2.7.10).
         */
        uint16_t off_wrap = vq->last_avail_idx | (packed_avail_wrap(vq) << 15);
        if (!vring_stw(vq, vq->used, off_wrap) ||
            !vring_stw(vq, vq->used + 2, VRING_PACKED_EVENT_F_DESC)) {
            goto fail;
        }
    }

    VirtQueueElement *elem = g_new0(VirtQueueElement, 1);
    elem->index = d.id;
    elem->ndescs = ndescs;
    elem->out_num = c.out->len;
    elem->in_num = c.in->len;
    elem->out_len = c.out_len;
    elem->in_len = c.in_len;
    elem->out_sg = (struct iovec *)g_array_free(c.out, false);
    elem->in_sg = (struct iovec *)g_array_free(c.in, false);
    elem->out_addr = (hwaddr *)g_array_free(c.out_a, false);
    elem->in_addr = (hwaddr *)g_array_free(c.in_a, false);
    return elem;

fail:
    packed_chain_free(&c, true);
    return NULL;
}

/* Write the used descriptor for buffer @id (§2.8.6) and skip @ndescs slots. */
void virtqueue_packed_push(VirtQueue *vq, unsigned id, unsigned ndescs, uint32_t len)
{
    hwaddr a = vq->desc + (hwaddr)vq->used_idx * VRING_DESC_SIZE;
    uint8_t e[8];
    uint32_t l = GUINT32_TO_LE(len);
    uint16_t i = GUINT16_TO_LE(id);
    memcpy(e, &l, 4);
    memcpy(e + 4, &i, 2);
    if (!vring_rw(vq, a + 8, e, 6, true)) {
        return;
    }
    /* §2.8.21.2: the flags, which hand the slot back, are written last. */
    virtio_barrier();
    uint16_t flags = packed_used_wrap(vq) ?
                     VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED : 0;
    if (!vring_stw(vq, a + 14, flags)) {
        return;
    }
    vq->used_idx += MAX(ndescs, 1u);
    if (vq->used_idx >= vq->num) {
        vq->used_idx -= vq->num;
        vq->used_wrap_toggled = !vq->used_wrap_toggled;
    }
}

/* A ring position with its wrap counter as one number modulo 2 * num. */
static unsigned packed_linear(VirtQueue *vq, unsigned idx, bool wrap)
{
    return idx + (wrap ? 0 : vq->num);
}

/* §2.8.10: whether the driver area asks for an interrupt now. */
bool virtqueue_packed_should_notify(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;
    unsigned period = 2u * vq->num;
    unsigned old = packed_linear(vq, vq->signalled_used, !vq->signalled_wrap_toggled);
    unsigned new = packed_linear(vq, vq->used_idx, packed_used_wrap(vq));
    bool valid = vq->signalled_used_valid;
    uint16_t off_wrap, flags;

    vq->signalled_used = vq->used_idx;
    vq->signalled_wrap_toggled = vq->used_wrap_toggled;
    vq->signalled_used_valid = true;
    virtio_barrier();
    if (!vring_lduw(vq, vq->avail + 2, &flags)) {
        return false;
    }
    switch (flags & 3) {
    case VRING_PACKED_EVENT_F_ENABLE:
        return true;
    case VRING_PACKED_EVENT_F_DISABLE:
        return false;
    case VRING_PACKED_EVENT_F_DESC:
        if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
            emu_log_mask(LOG_GUEST_ERROR, "%s: queue %u: driver event flags DESC without "
                         "EVENT_IDX: treated as enabled\n", vdev->name, vq->index);
            return true;
        }
        break;
    default:
        emu_log_mask(LOG_GUEST_ERROR, "%s: queue %u: reserved driver event flags 3: "
                     "treated as enabled\n", vdev->name, vq->index);
        return true;
    }
    if (!vring_lduw(vq, vq->avail, &off_wrap)) {
        return false;
    }
    unsigned off = off_wrap & 0x7fff;
    if (off >= vq->num) {
        emu_log_mask(LOG_GUEST_ERROR, "%s: queue %u: driver event offset %u beyond the "
                     "ring\n", vdev->name, vq->index, off);
        return true;
    }
    /*
     * Interrupt when the used index moved past the event descriptor since
     * the last interrupt: vring_need_event() of §2.7.10 counted modulo the
     * 2 * num positions (slot, wrap counter) of the packed ring.
     */
    unsigned event = packed_linear(vq, off, off_wrap >> 15);
    unsigned moved = (new + period - old) % period;
    unsigned past = (new + 2 * period - event - 1) % period;
    return !valid || past < moved;
}
