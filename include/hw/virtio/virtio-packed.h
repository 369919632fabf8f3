/*
 * Packed virtqueues (virtio 1.2 §2.8), internal to hw/virtio: the ring
 * layout code behind virtqueue_pop()/virtqueue_push()/virtio_notify(), and
 * the guest-memory helpers of virtio.c it shares. Devices never include this.
 *
 * For a packed queue the transport's three addresses mean: desc = the
 * descriptor ring, avail = the driver event suppression structure ("driver
 * area"), used = the device event suppression structure ("device area").
 */
#ifndef HW_VIRTIO_VIRTIO_PACKED_H
#define HW_VIRTIO_VIRTIO_PACKED_H

#include "hw/virtio/virtio.h"

/* Packed descriptor flags (§2.8.1) and event suppression (§2.8.10). */
#define VRING_PACKED_DESC_F_AVAIL       (1u << 7)
#define VRING_PACKED_DESC_F_USED        (1u << 15)
#define VRING_PACKED_EVENT_F_ENABLE     0
#define VRING_PACKED_EVENT_F_DISABLE    1
#define VRING_PACKED_EVENT_F_DESC       2

static inline bool virtio_vq_is_packed(const VirtQueue *vq)
{
    return virtio_vdev_has_feature(vq->vdev, VIRTIO_F_RING_PACKED);
}

VirtQueueElement *virtqueue_packed_pop(VirtQueue *vq);
void virtqueue_packed_push(VirtQueue *vq, unsigned id, unsigned ndescs, uint32_t len);
bool virtqueue_packed_should_notify(VirtQueue *vq);

/* From virtio.c. */
void virtio_barrier(void);
bool vring_rw(VirtQueue *vq, hwaddr addr, void *buf, unsigned len, bool write);
bool vring_lduw(VirtQueue *vq, hwaddr addr, uint16_t *val);
bool vring_stw(VirtQueue *vq, hwaddr addr, uint16_t val);
bool virtqueue_map_buf(VirtQueue *vq, GArray *iov, GArray *addrs, hwaddr pa,
                       uint32_t len, bool write);
void virtqueue_unmap_sg(struct iovec *sg, unsigned n, bool write);

#endif
