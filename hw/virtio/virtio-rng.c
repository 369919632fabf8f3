/*
 * virtio-rng (virtio 1.2 §5.4, entropy device) on the PCI transport:
 * `-device virtio-rng-pci[,max-bytes=N,period=MS]`. One request queue; each
 * device-writable buffer the driver offers is filled from the host's
 * getrandom(2). Rate limit as QEMU's: at most max-bytes bytes per period
 * milliseconds of guest (virtual) time; buffers wait for the next period.
 */
#include "hw/virtio/virtio-pci.h"
#include "block/iov.h"
#include "util/log.h"
#include "util/timer.h"
#include <sys/random.h>

#define TYPE_VIRTIO_RNG_PCI "virtio-rng-pci"
#define VIRTIO_ID_RNG       4

typedef struct VirtIORNG {
    VirtIODevice vdev;
    VirtQueue *vq;
    EmuTimer *timer;
    uint64_t quota;             /* bytes left in this period */
    /* properties */
    uint64_t max_bytes;
    uint32_t period_ms;
    /* counters */
    uint64_t bytes, empty_bufs;
} VirtIORNG;

typedef struct VirtIORNGPCI {
    VirtIOPCIProxy parent_obj;
    VirtIORNG rng;
} VirtIORNGPCI;

DECLARE_INSTANCE_CHECKER(VirtIORNGPCI, VIRTIO_RNG_PCI, TYPE_VIRTIO_RNG_PCI)

#define VIRTIO_RNG(vdev) container_of(vdev, VirtIORNG, vdev)

static void vrng_fill(void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            /* getrandom cannot fail on Linux >= 3.17 with a valid buffer. */
            g_error("virtio-rng: getrandom: %s", g_strerror(errno));
        }
        p += n;
        len -= n;
    }
}

static void vrng_process(VirtIORNG *s)
{
    VirtIODevice *vdev = &s->vdev;
    VirtQueueElement *elem;
    bool pushed = false;

    while (s->quota && (elem = virtqueue_pop(s->vq))) {
        size_t len = MIN(elem->in_len, s->quota);
        if (!len) {
            /* Nothing the device may write: return it empty (§5.4.6.1). */
            s->empty_bufs++;
            emu_log_mask(LOG_GUEST_ERROR, "virtio-rng: buffer %u has no device-writable "
                         "part\n", elem->index);
        }
        size_t done = 0;
        uint8_t chunk[256];
        while (done < len) {
            size_t n = MIN(sizeof(chunk), len - done);
            vrng_fill(chunk, n);
            iov_from_buf(elem->in_sg, elem->in_num, done, chunk, n);
            done += n;
        }
        virtqueue_push(s->vq, elem, len);
        pushed = true;
        s->quota -= len;
        s->bytes += len;
        if (!timer_pending(s->timer)) {
            /* The period starts with the first bytes handed out. */
            timer_mod(s->timer, clock_get_ms(EMU_CLOCK_VIRTUAL) + s->period_ms);
        }
    }
    if (pushed) {
        virtio_notify(vdev, s->vq);
    }
}

static void vrng_period(void *opaque)
{
    VirtIORNG *s = opaque;
    s->quota = s->max_bytes;
    vrng_process(s);
}

static void vrng_handle_output(VirtIODevice *vdev, VirtQueue *vq)
{
    vrng_process(VIRTIO_RNG(vdev));
}

static const VirtIODeviceOps vrng_ops = {
    .get_config = NULL,
};

static void vrng_realize_vdev(VirtIOPCIProxy *proxy, Error **errp)
{
    VirtIORNG *s = &VIRTIO_RNG_PCI(proxy)->rng;
    if (!s->period_ms) {
        error_setg(errp, "virtio-rng-pci: period must be at least 1 ms");
        return;
    }
    if (!s->max_bytes) {
        error_setg(errp, "virtio-rng-pci: max-bytes must be positive");
        return;
    }
    virtio_init(&s->vdev, "virtio-rng", VIRTIO_ID_RNG, 0, &vrng_ops);
    s->vq = virtio_add_queue(&s->vdev, 8, vrng_handle_output);
    s->timer = timer_new_ms(EMU_CLOCK_VIRTUAL, vrng_period, s);
    s->quota = s->max_bytes;
    proxy->vdev = &s->vdev;
}

static void vrng_unrealize_vdev(VirtIOPCIProxy *proxy)
{
    VirtIORNG *s = &VIRTIO_RNG_PCI(proxy)->rng;
    if (s->timer) {
        timer_del(s->timer);
        g_clear_pointer(&s->timer, timer_free);
    }
    virtio_cleanup(&s->vdev);
}

static const Property vrng_props[] = {
    DEFINE_PROP_UINT64("max-bytes", VirtIORNGPCI, rng.max_bytes, INT64_MAX),
    DEFINE_PROP_UINT32("period", VirtIORNGPCI, rng.period_ms, 1 << 16),
    DEFINE_PROP_END_OF_LIST(),
};

static void vrng_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    VirtIOPCIClass *vc = VIRTIO_PCI_CLASS(oc);

    dc->desc = "Virtio entropy source (host getrandom)";
    dc->category = DEVICE_CATEGORY_MISC;
    dc->user_creatable = true;
    device_class_set_props(dc, vrng_props);
    pc->class_id = 0x00ff;      /* "other", as QEMU */
    pc->device_id = 0x1005;
    vc->legacy_device_id = 0x1005;
    vc->realize_vdev = vrng_realize_vdev;
    vc->unrealize_vdev = vrng_unrealize_vdev;
}

static const TypeInfo vrng_types[] = {
    {
        .name = TYPE_VIRTIO_RNG_PCI,
        .parent = TYPE_VIRTIO_PCI,
        .instance_size = sizeof(VirtIORNGPCI),
        .class_init = vrng_class_init,
    },
};
DEFINE_TYPES(vrng_types)
