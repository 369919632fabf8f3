/*
 * The virtio device core (virtio 1.2, OASIS): device status, feature
 * negotiation, split virtqueues (§2.7) with indirect descriptors and
 * VIRTIO_RING_F_EVENT_IDX, configuration space and its generation counter.
 *
 * A VirtIODevice is plain state embedded in the transport's device object
 * (hw/virtio/virtio-pci.c); the device type (virtio-blk...) fills in the ops.
 * Everything read from the guest's rings is validated: a malformed ring marks
 * the device broken (DEVICE_NEEDS_RESET, §2.1.2), logs under -d guest_errors
 * and stops the device until the driver resets it.
 */
#ifndef HW_VIRTIO_VIRTIO_H
#define HW_VIRTIO_VIRTIO_H

#include "util/osdep.h"
#include "system/memory.h"
#include "util/event-notifier.h"
#include <sys/uio.h>

/* Device status bits (§2.1). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE     1
#define VIRTIO_CONFIG_S_DRIVER          2
#define VIRTIO_CONFIG_S_DRIVER_OK       4
#define VIRTIO_CONFIG_S_FEATURES_OK     8
#define VIRTIO_CONFIG_S_NEEDS_RESET     0x40
#define VIRTIO_CONFIG_S_FAILED          0x80

/* Reserved feature bits (§6). */
#define VIRTIO_RING_F_INDIRECT_DESC     28
#define VIRTIO_RING_F_EVENT_IDX         29
#define VIRTIO_F_VERSION_1              32
#define VIRTIO_F_ACCESS_PLATFORM        33
#define VIRTIO_F_RING_PACKED            34

/* Split ring layout (§2.7.5, 2.7.6, 2.7.8). */
#define VRING_DESC_F_NEXT               1
#define VRING_DESC_F_WRITE              2
#define VRING_DESC_F_INDIRECT           4
#define VRING_AVAIL_F_NO_INTERRUPT      1
#define VRING_USED_F_NO_NOTIFY          1
#define VRING_DESC_SIZE                 16

/* ISR status bits (§4.1.4.5). */
#define VIRTIO_ISR_QUEUE                1
#define VIRTIO_ISR_CONFIG               2

#define VIRTIO_NO_VECTOR                0xffff
#define VIRTQUEUE_MAX_SIZE              1024
#define VIRTIO_QUEUE_MAX                64

typedef struct VirtIODevice VirtIODevice;
typedef struct VirtQueue VirtQueue;

/*
 * One request taken from the available ring: the device-readable buffers
 * (out) then the device-writable ones (in), mapped into host memory. Free it
 * with virtqueue_push() or virtqueue_drop().
 */
typedef struct VirtQueueElement {
    unsigned index;             /* head descriptor */
    unsigned out_num, in_num;
    struct iovec *out_sg, *in_sg;
    hwaddr *out_addr, *in_addr;
    size_t out_len, in_len;     /* total bytes */
    unsigned ndescs;            /* packed ring: ring slots the buffer took (§2.8.6) */
} VirtQueueElement;

typedef void VirtIOHandleOutput(VirtIODevice *vdev, VirtQueue *vq);

struct VirtQueue {
    VirtIODevice *vdev;
    unsigned index;
    uint16_t num;               /* queue size the driver set (power of two) */
    uint16_t num_max;
    bool enabled;               /* modern queue_enable, or a legacy PFN set */
    hwaddr desc, avail, used;
    uint16_t last_avail_idx;
    uint16_t used_idx;
    uint16_t signalled_used;
    bool signalled_used_valid;
    uint16_t vector;            /* MSI-X vector or VIRTIO_NO_VECTOR */
    unsigned inuse;             /* elements popped and not yet pushed */
    /*
     * Packed rings (§2.8.1): the wrap counters start at 1 and flip each time
     * the index passes the end of the ring; stored as "flipped an odd number
     * of times" so that a zeroed queue is a freshly enabled one.
     */
    bool avail_wrap_toggled, used_wrap_toggled, signalled_wrap_toggled;
    VirtIOHandleOutput *handle;
    /*
     * ioeventfd: the transport points the queue's doorbell at this notifier
     * while the driver is running (DRIVER_OK); its handler runs the queue in
     * the main loop, or in an iothread when the device serves it there.
     */
    EventNotifier host_notifier;
    bool host_notifier_enabled;
};

typedef struct VirtIODeviceOps {
    /* Fill vdev->config from the device's state (before a guest read). */
    void (*get_config)(VirtIODevice *vdev, uint8_t *config);
    /* The guest wrote vdev->config. */
    void (*set_config)(VirtIODevice *vdev, const uint8_t *config);
    /* Device reset: drop in-flight requests (after waiting for them). */
    void (*reset)(VirtIODevice *vdev);
    /* The features the guest accepted, at FEATURES_OK / DRIVER_OK. */
    void (*set_features)(VirtIODevice *vdev, uint64_t features);
    /*
     * Host notifiers are on (ioeventfd): true if the device serves its queues
     * elsewhere (an iothread, it attaches the handlers itself); false lets the
     * main loop serve them.
     */
    bool (*dataplane_start)(VirtIODevice *vdev);
    /* Host notifiers are about to go: stop serving, synchronously and drained. */
    void (*dataplane_stop)(VirtIODevice *vdev);
} VirtIODeviceOps;

/* What the transport provides. */
typedef struct VirtIOTransportOps {
    /* Signal @vector (VIRTIO_NO_VECTOR: INTx from the ISR bits). */
    void (*notify)(void *opaque, uint16_t vector);
    /* Whether the device may access guest memory now (PCI bus master). */
    bool (*dma_allowed)(void *opaque);
} VirtIOTransportOps;

struct VirtIODevice {
    const char *name;           /* "virtio-blk", for messages */
    uint16_t device_id;         /* §5: 2 = block */
    uint8_t status;
    uint8_t isr;
    uint64_t host_features;
    uint64_t guest_features;
    uint16_t config_vector;
    uint8_t config_generation;
    bool legacy;                /* the driver uses the legacy interface */
    bool broken;                /* NEEDS_RESET set: nothing is processed */
    bool dataplane;             /* served from an iothread: needs host notifiers */
    size_t config_len;
    uint8_t *config;
    unsigned nvqs;
    VirtQueue *vq;
    const VirtIODeviceOps *ops;
    const VirtIOTransportOps *tops;
    void *transport;
    /* counters */
    uint64_t errors;            /* malformed rings seen */
};

void virtio_init(VirtIODevice *vdev, const char *name, uint16_t device_id,
                 size_t config_len, const VirtIODeviceOps *ops);
void virtio_cleanup(VirtIODevice *vdev);
VirtQueue *virtio_add_queue(VirtIODevice *vdev, uint16_t num_max,
                            VirtIOHandleOutput *handle);
void virtio_reset(VirtIODevice *vdev);

static inline bool virtio_has_feature(uint64_t features, unsigned bit)
{
    return features & (1ull << bit);
}
static inline bool virtio_vdev_has_feature(const VirtIODevice *vdev, unsigned bit)
{
    return virtio_has_feature(vdev->guest_features, bit);
}

/*
 * A status write by the driver (0 resets). FEATURES_OK stays clear when the
 * accepted features are not acceptable (§3.1.1 step 5).
 */
void virtio_set_status(VirtIODevice *vdev, uint8_t val);
/* Driver feature bits 32 * @sel .. +31 (the guest's write). */
void virtio_set_guest_features_word(VirtIODevice *vdev, unsigned sel, uint32_t val);
uint32_t virtio_get_host_features_word(VirtIODevice *vdev, unsigned sel);

/* Configuration space accesses by the guest (@addr within the device config). */
uint32_t virtio_config_read(VirtIODevice *vdev, uint32_t addr, unsigned size);
void virtio_config_write(VirtIODevice *vdev, uint32_t addr, uint32_t val, unsigned size);
/* The device changed its configuration: new generation, config interrupt. */
void virtio_notify_config(VirtIODevice *vdev);

/* The driver notified queue @n. */
void virtio_queue_notify(VirtIODevice *vdev, unsigned n);
/*
 * Serve the host notifiers of every queue that has one from @ctx (NULL: the
 * main loop) and run each queue once, for notifications that came before.
 * Detach from the thread iterating the old context (or when it is idle).
 */
void virtio_host_notifiers_attach(VirtIODevice *vdev, GMainContext *ctx);
void virtio_host_notifiers_detach(VirtIODevice *vdev);
/* Legacy layout from a page frame number (§4.1.4.8 / 2.7 legacy interface). */
void virtio_queue_set_legacy_pfn(VirtQueue *vq, uint32_t pfn);
void virtio_queue_set_num(VirtQueue *vq, uint16_t num);

/* NULL when the ring is empty, the device broken or the chain malformed. */
VirtQueueElement *virtqueue_pop(VirtQueue *vq);
/* Return @elem with @len bytes written, unmap and free it. */
void virtqueue_push(VirtQueue *vq, VirtQueueElement *elem, uint32_t len);
/*
 * Return @n elements (@lens[i] bytes written to each) so that the driver sees
 * them together: one buffer of a virtio-net mergeable frame must not show up
 * before the others.
 */
void virtqueue_push_multi(VirtQueue *vq, VirtQueueElement **elems, const uint32_t *lens,
                          unsigned n);
/* Free @elem without returning it (device reset). */
void virtqueue_drop(VirtQueue *vq, VirtQueueElement *elem);
/* Interrupt the driver for @vq unless it suppressed it (§2.7.7, §2.7.10). */
void virtio_notify(VirtIODevice *vdev, VirtQueue *vq);

/*
 * The guest broke the rules: log, count, set DEVICE_NEEDS_RESET and send a
 * configuration change interrupt if the driver is running (§2.1.2).
 */
void virtio_error(VirtIODevice *vdev, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

#endif
