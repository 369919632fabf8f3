/*
 * virtio-blk (virtio 1.2 §5.2) on the PCI transport: `-device
 * virtio-blk-pci,drive=ID[,iothread=NAME]` and `-drive if=virtio` (no
 * iothread). Requests go to the BlockBackend asynchronously and complete on
 * the main loop or, when the big lock is free, on the worker that did them;
 * small ones the host page cache can serve are done on the spot (see
 * vblk_try_now). Buffers are the guest's own RAM, mapped by the virtqueue
 * core (zero copy).
 *
 * Features: SEG_MAX, SIZE_MAX, BLK_SIZE, FLUSH, TOPOLOGY, RO, MQ,
 * WRITE_ZEROES (as writes of zeroes), DISCARD (blk_aio_pdiscard: a hole with
 * discard=unmap). werror=/rerror=stop keep the failed request and submit it
 * again when the VM resumes.
 *
 * iothread= (the dataplane): while the driver runs (DRIVER_OK) and the VM
 * runs, the queues' host notifiers and the drive's completions are served in
 * the iothread, without the big lock; nothing else touches the queues then.
 * VM stop, device reset, status 0 and unplug stop it synchronously: the
 * iothread lets go of the notifiers and drains the drive, which goes back to
 * the main loop. Interrupts from the iothread go out through the transport
 * (irqfd or the main loop).
 *
 * Not yet: CONFIG_WCE, request merging, migration.
 */
#include "hw/virtio/virtio-pci.h"
#include "block/block-backend.h"
#include "block/drive.h"
#include "block/iov.h"
#include "util/log.h"
#include "util/rcu.h"
#include "system/iothread.h"
#include "system/runstate.h"

#define TYPE_VIRTIO_BLK_PCI "virtio-blk-pci"

#define VIRTIO_ID_BLOCK             2

#define VIRTIO_BLK_F_SIZE_MAX       1
#define VIRTIO_BLK_F_SEG_MAX        2
#define VIRTIO_BLK_F_RO             5
#define VIRTIO_BLK_F_BLK_SIZE       6
#define VIRTIO_BLK_F_FLUSH          9
#define VIRTIO_BLK_F_TOPOLOGY       10
#define VIRTIO_BLK_F_MQ             12
#define VIRTIO_BLK_F_DISCARD        13
#define VIRTIO_BLK_F_WRITE_ZEROES   14

#define VIRTIO_BLK_T_IN             0
#define VIRTIO_BLK_T_OUT            1
#define VIRTIO_BLK_T_FLUSH          4
#define VIRTIO_BLK_T_GET_ID         8
#define VIRTIO_BLK_T_DISCARD        11
#define VIRTIO_BLK_T_WRITE_ZEROES   13

#define VIRTIO_BLK_S_OK             0
#define VIRTIO_BLK_S_IOERR          1
#define VIRTIO_BLK_S_UNSUPP         2

#define VIRTIO_BLK_ID_BYTES         20
#define VIRTIO_BLK_CONFIG_SIZE      60
#define VIRTIO_BLK_SIZE_MAX         (1u << 20)
#define VIRTIO_BLK_WZ_MAX_SECTORS   2048    /* 1 MiB of zeroes per request */
#define VIRTIO_BLK_DISCARD_MAX_SECTORS (1u << 22)   /* 2 GiB per segment */

typedef struct VirtIOBlock {
    VirtIODevice vdev;
    BlockBackend *blk;
    bool read_only;
    /* properties */
    char *drive;
    char *serial;
    char *iothread_id;
    uint32_t num_queues;
    uint32_t queue_size;
    /* dataplane (iothread=) */
    IOThread *iothread;
    bool dp_wanted;             /* host notifiers are on: serve them in the iothread */
    bool dp_active;             /* the iothread owns the queues and the drive now */
    /* counters */
    uint64_t reqs, bad_reqs;
    uint64_t reqs_now;          /* reads/writes finished on the spot (vblk_try_now) */
    /* Requests that failed under werror/rerror=stop: submitted again on cont. */
    GSList *retry;
    bool resume_handler;
} VirtIOBlock;

typedef struct VirtIOBlockPCI {
    VirtIOPCIProxy parent_obj;
    VirtIOBlock blk;
} VirtIOBlockPCI;

DECLARE_INSTANCE_CHECKER(VirtIOBlockPCI, VIRTIO_BLK_PCI, TYPE_VIRTIO_BLK_PCI)

typedef struct VirtIOBlockReq {
    VirtIOBlock *s;
    VirtQueue *vq;
    VirtQueueElement *elem;
    uint32_t type;
    struct iovec *iov;          /* the data part of the request */
    int niov;
    size_t data_len;
    void *zeroes;
    int64_t offset;             /* bytes into the disk */
} VirtIOBlockReq;

#define VIRTIO_BLK(vdev) container_of(vdev, VirtIOBlock, vdev)

static void vblk_complete(VirtIOBlockReq *req, uint8_t status, uint32_t data_in)
{
    VirtQueueElement *elem = req->elem;
    iov_from_buf(elem->in_sg, elem->in_num, elem->in_len - 1, &status, 1);
    virtqueue_push(req->vq, elem, data_in + 1);
    virtio_notify(&req->s->vdev, req->vq);
    g_free(req->iov);
    g_free(req->zeroes);
    g_free(req);
}

static void vblk_rw_done(void *opaque, int ret);

/*
 * A read or write of up to VBLK_NOW_MAX bytes is first tried on the spot,
 * where the request was popped: from the host page cache without blocking
 * (RWF_NOWAIT), and in an iothread also a buffered write with a blocking
 * call (only this device's queues wait for it; ext4 refuses RWF_NOWAIT
 * writes). The guest's queue-depth-1 request then needs no worker thread:
 * vCPU -> interrupt (main loop), vCPU -> iothread -> interrupt (dataplane),
 * instead of two more handoffs (to a worker and back). One may then finish
 * before an earlier one still on a worker: the device owes no order between
 * requests in flight (the driver waits for a completion, or uses FLUSH, when
 * it needs one), as with any disk with several requests queued.
 */
#define VBLK_NOW_MAX (256 * 1024)
/*
 * An iothread may copy more: nothing else waits for it, while a vCPU doing
 * a 1 MiB read itself measured slower than two workers sharing it.
 */
#define VBLK_NOW_MAX_IOTHREAD VIRTIO_BLK_SIZE_MAX

static bool vblk_try_now(VirtIOBlockReq *req)
{
    VirtIOBlock *s = req->s;
    if (req->data_len > (s->dp_active ? VBLK_NOW_MAX_IOTHREAD : VBLK_NOW_MAX)) {
        return false;
    }
    if (req->type == VIRTIO_BLK_T_IN) {
        return blk_try_preadv_nowait(s->blk, req->offset, req->iov, req->niov) == 0;
    }
    if (blk_try_pwritev_nowait(s->blk, req->offset, req->iov, req->niov) == 0) {
        return true;
    }
    return s->dp_active &&
           blk_try_pwritev_cached(s->blk, req->offset, req->iov, req->niov) == 0;
}

/* Hand a read, write, flush or write-zeroes request to the image. */
static void vblk_submit(VirtIOBlockReq *req)
{
    BlockBackend *blk = req->s->blk;
    if ((req->type == VIRTIO_BLK_T_IN || req->type == VIRTIO_BLK_T_OUT) &&
        vblk_try_now(req)) {
        req->s->reqs_now++;
        vblk_rw_done(req, 0);
        return;
    }
    switch (req->type) {
    case VIRTIO_BLK_T_IN:
        blk_aio_preadv(blk, req->offset, req->iov, req->niov, vblk_rw_done, req);
        break;
    case VIRTIO_BLK_T_OUT:
        blk_aio_pwritev(blk, req->offset, req->iov, req->niov, vblk_rw_done, req);
        break;
    case VIRTIO_BLK_T_FLUSH:
        blk_aio_flush(blk, vblk_rw_done, req);
        break;
    case VIRTIO_BLK_T_WRITE_ZEROES:
        blk_aio_pwrite(blk, req->offset, req->zeroes, req->data_len, vblk_rw_done, req);
        break;
    case VIRTIO_BLK_T_DISCARD:
        blk_aio_pdiscard(blk, req->offset, req->data_len, vblk_rw_done, req);
        break;
    }
}

/* Requests kept by werror/rerror=stop go to the image again, oldest first. */
static void vblk_resubmit(VirtIOBlock *s)
{
    GSList *l = g_slist_reverse(s->retry);
    s->retry = NULL;
    for (GSList *i = l; i; i = i->next) {
        vblk_submit(i->data);
    }
    g_slist_free(l);
}

/* ---- dataplane (iothread=) ---- */

/* In the iothread: take the queues' notifiers, run them once, resubmit. */
static void vblk_dp_start_bh(void *opaque)
{
    VirtIOBlock *s = opaque;
    virtio_host_notifiers_attach(&s->vdev, iothread_get_context(s->iothread));
    rcu_read_lock();
    vblk_resubmit(s);
    rcu_read_unlock();
}

/* In the iothread: let go of the notifiers, finish every request, hand back the drive. */
static void vblk_dp_stop_bh(void *opaque)
{
    VirtIOBlock *s = opaque;
    virtio_host_notifiers_detach(&s->vdev);
    blk_drain(s->blk);
    blk_set_aio_context(s->blk, NULL);
}

/* Big lock held: the iothread takes over the queues and the drive's completions. */
static void vblk_dp_attach(VirtIOBlock *s)
{
    if (s->dp_active) {
        return;
    }
    blk_drain(s->blk);          /* main-loop requests finish where they started */
    blk_set_aio_context(s->blk, iothread_get_context(s->iothread));
    s->dp_active = true;
    iothread_run_sync(s->iothread, vblk_dp_start_bh, s);
}

/* Big lock held: back to the main thread, synchronously (in-flight requests done). */
static void vblk_dp_detach(VirtIOBlock *s)
{
    if (!s->dp_active) {
        return;
    }
    iothread_run_sync(s->iothread, vblk_dp_stop_bh, s);
    s->dp_active = false;
}

/* The transport assigned the host notifiers (DRIVER_OK). */
static bool vblk_dataplane_start(VirtIODevice *vdev)
{
    VirtIOBlock *s = VIRTIO_BLK(vdev);
    if (!s->iothread) {
        return false;
    }
    s->dp_wanted = true;
    /* While the VM is stopped nobody serves them; vblk_vm_change starts later. */
    if (runstate_is_running()) {
        vblk_dp_attach(s);
    }
    return true;
}

/* The transport is about to take the host notifiers away (reset, status 0, unplug). */
static void vblk_dataplane_stop(VirtIODevice *vdev)
{
    VirtIOBlock *s = VIRTIO_BLK(vdev);
    s->dp_wanted = false;
    vblk_dp_detach(s);
}

/*
 * VM stop: the dataplane stops (drained, as QEMU). VM run: it starts again,
 * and requests kept by werror=stop are submitted again from where the
 * queues are served.
 */
static void vblk_vm_change(void *opaque, bool running, RunState state)
{
    VirtIOBlock *s = opaque;
    if (!running) {
        vblk_dp_detach(s);
        return;
    }
    if (s->dp_wanted) {
        vblk_dp_attach(s);
        return;
    }
    if (s->retry) {
        vblk_resubmit(s);
    }
}

static void vblk_rw_done(void *opaque, int ret)
{
    VirtIOBlockReq *req = opaque;
    /* In an iothread the used ring is written without the big lock, under RCU. */
    rcu_read_lock();
    VirtIOBlock *s = req->s;
    bool is_read = req->type == VIRTIO_BLK_T_IN;
    uint8_t status = VIRTIO_BLK_S_OK;
    if (ret < 0) {
        BlockErrorAction a = blk_handle_io_error(s->blk, s->drive, is_read, -ret);
        if (a == BLOCK_ERROR_ACTION_STOP) {
            s->retry = g_slist_prepend(s->retry, req);
            rcu_read_unlock();
            return;
        }
        status = a == BLOCK_ERROR_ACTION_IGNORE ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
    }
    vblk_complete(req, status, is_read && status == VIRTIO_BLK_S_OK ? req->data_len : 0);
    rcu_read_unlock();
}

/* Whether [sector, sector + bytes) lies inside the disk and is whole sectors. */
static bool vblk_range_ok(VirtIOBlock *s, uint64_t sector, uint64_t bytes)
{
    uint64_t cap = blk_getlength(s->blk) >> BDRV_SECTOR_BITS;
    return bytes % BDRV_SECTOR_SIZE == 0 && sector <= cap &&
           bytes / BDRV_SECTOR_SIZE <= cap - sector;
}

static void vblk_slice(VirtIOBlockReq *req, const struct iovec *sg, unsigned n, size_t off,
                       size_t len)
{
    req->iov = g_new(struct iovec, n ? n : 1);
    req->niov = iov_slice(sg, n, off, len, req->iov);
    req->data_len = len;
}

static void vblk_get_id(VirtIOBlockReq *req)
{
    VirtQueueElement *elem = req->elem;
    char id[VIRTIO_BLK_ID_BYTES] = { 0 };
    /* §5.2.6: up to 20 bytes, NUL-terminated only if shorter. */
    if (req->s->serial) {
        memcpy(id, req->s->serial, strnlen(req->s->serial, sizeof(id)));
    }
    size_t n = MIN(sizeof(id), elem->in_len - 1);
    iov_from_buf(elem->in_sg, elem->in_num, 0, id, n);
    vblk_complete(req, VIRTIO_BLK_S_OK, n);
}

/*
 * WRITE_ZEROES and DISCARD (§5.2.6.2) carry one 16-byte segment {sector,
 * num_sectors, flags} (max_*_seg is 1, as QEMU). Only WRITE_ZEROES defines a
 * flag (unmap). Zero sectors, more than @max_sectors or a range past the disk
 * is IOERR; a wrong segment size, an unknown flag or a read-only disk UNSUPP.
 */
static void vblk_segment_request(VirtIOBlockReq *req, uint32_t allowed_flags,
                                 uint32_t max_sectors)
{
    VirtIOBlock *s = req->s;
    VirtQueueElement *elem = req->elem;
    uint8_t seg[16];
    if (elem->out_len - 16 != sizeof(seg) || s->read_only) {
        vblk_complete(req, VIRTIO_BLK_S_UNSUPP, 0);
        return;
    }
    iov_to_buf(elem->out_sg, elem->out_num, 16, seg, sizeof(seg));
    uint64_t sector;
    uint32_t num, flags;
    memcpy(&sector, seg, 8);
    memcpy(&num, seg + 8, 4);
    memcpy(&flags, seg + 12, 4);
    sector = GUINT64_FROM_LE(sector);
    num = GUINT32_FROM_LE(num);
    flags = GUINT32_FROM_LE(flags);
    if (flags & ~allowed_flags) {
        vblk_complete(req, VIRTIO_BLK_S_UNSUPP, 0);
        return;
    }
    if (!num || num > max_sectors ||
        !vblk_range_ok(s, sector, (uint64_t)num * BDRV_SECTOR_SIZE)) {
        vblk_complete(req, VIRTIO_BLK_S_IOERR, 0);
        return;
    }
    req->data_len = (size_t)num * BDRV_SECTOR_SIZE;
    req->offset = sector * BDRV_SECTOR_SIZE;
    if (req->type == VIRTIO_BLK_T_WRITE_ZEROES) {
        req->zeroes = g_malloc0(req->data_len);
    }
    vblk_submit(req);
}

/* False: the request was malformed and the device is now broken. */
static bool vblk_handle_request(VirtIOBlock *s, VirtQueue *vq, VirtQueueElement *elem)
{
    VirtIODevice *vdev = &s->vdev;
    uint8_t hdr[16];
    if (elem->out_len < sizeof(hdr) || elem->in_len < 1) {
        /* §5.2.6: a header the device reads and a status byte it writes. */
        s->bad_reqs++;
        virtio_error(vdev, "request %u without a header (%zu bytes) or status byte "
                     "(%zu writable bytes)", elem->index, elem->out_len, elem->in_len);
        virtqueue_drop(vq, elem);
        return false;
    }
    s->reqs++;
    iov_to_buf(elem->out_sg, elem->out_num, 0, hdr, sizeof(hdr));
    uint32_t type;
    uint64_t sector;
    memcpy(&type, hdr, 4);
    memcpy(&sector, hdr + 8, 8);
    type = GUINT32_FROM_LE(type);
    sector = GUINT64_FROM_LE(sector);

    VirtIOBlockReq *req = g_new0(VirtIOBlockReq, 1);
    req->s = s;
    req->vq = vq;
    req->elem = elem;
    req->type = type;

    switch (type) {
    case VIRTIO_BLK_T_IN: {
        size_t len = elem->in_len - 1;
        if (elem->out_len != sizeof(hdr) || !vblk_range_ok(s, sector, len)) {
            vblk_complete(req, VIRTIO_BLK_S_IOERR, 0);
            break;
        }
        vblk_slice(req, elem->in_sg, elem->in_num, 0, len);
        req->offset = sector * BDRV_SECTOR_SIZE;
        vblk_submit(req);
        break;
    }
    case VIRTIO_BLK_T_OUT: {
        size_t len = elem->out_len - sizeof(hdr);
        if (s->read_only || !vblk_range_ok(s, sector, len)) {
            vblk_complete(req, VIRTIO_BLK_S_IOERR, 0);
            break;
        }
        vblk_slice(req, elem->out_sg, elem->out_num, sizeof(hdr), len);
        req->offset = sector * BDRV_SECTOR_SIZE;
        vblk_submit(req);
        break;
    }
    case VIRTIO_BLK_T_FLUSH:
        vblk_submit(req);
        break;
    case VIRTIO_BLK_T_GET_ID:
        vblk_get_id(req);
        break;
    case VIRTIO_BLK_T_WRITE_ZEROES:
        if (!virtio_vdev_has_feature(vdev, VIRTIO_BLK_F_WRITE_ZEROES)) {
            vblk_complete(req, VIRTIO_BLK_S_UNSUPP, 0);
            break;
        }
        vblk_segment_request(req, 1, VIRTIO_BLK_WZ_MAX_SECTORS);
        break;
    case VIRTIO_BLK_T_DISCARD:
        if (!virtio_vdev_has_feature(vdev, VIRTIO_BLK_F_DISCARD)) {
            vblk_complete(req, VIRTIO_BLK_S_UNSUPP, 0);
            break;
        }
        vblk_segment_request(req, 0, VIRTIO_BLK_DISCARD_MAX_SECTORS);
        break;
    default:
        vblk_complete(req, VIRTIO_BLK_S_UNSUPP, 0);
        break;
    }
    return true;
}

static void vblk_handle_output(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOBlock *s = VIRTIO_BLK(vdev);
    VirtQueueElement *elem;
    while ((elem = virtqueue_pop(vq))) {
        if (!vblk_handle_request(s, vq, elem)) {
            break;
        }
    }
}

static void vblk_get_config(VirtIODevice *vdev, uint8_t *c)
{
    VirtIOBlock *s = VIRTIO_BLK(vdev);
    memset(c, 0, VIRTIO_BLK_CONFIG_SIZE);
    uint64_t cap = blk_getlength(s->blk) >> BDRV_SECTOR_BITS;
    for (int i = 0; i < 8; i++) {
        c[i] = cap >> (8 * i);
    }
    pci_set_long(c + 8, VIRTIO_BLK_SIZE_MAX);                /* size_max */
    pci_set_long(c + 12, s->queue_size - 2);                 /* seg_max */
    pci_set_long(c + 20, BDRV_SECTOR_SIZE);                  /* blk_size */
    c[24] = 0;                                               /* physical_block_exp */
    c[25] = 0;                                               /* alignment_offset */
    pci_set_word(c + 26, 1);                                 /* min_io_size */
    pci_set_long(c + 28, 0);                                 /* opt_io_size */
    pci_set_word(c + 34, s->num_queues);
    pci_set_long(c + 36, VIRTIO_BLK_DISCARD_MAX_SECTORS);   /* max_discard_sectors */
    pci_set_long(c + 40, 1);                                 /* max_discard_seg */
    pci_set_long(c + 44, 1);                                 /* discard_sector_alignment */
    pci_set_long(c + 48, VIRTIO_BLK_WZ_MAX_SECTORS);         /* max_write_zeroes_sectors */
    pci_set_long(c + 52, 1);                                 /* max_write_zeroes_seg */
    c[56] = 0;                                               /* write_zeroes_may_unmap */
}

static void vblk_reset(VirtIODevice *vdev)
{
    VirtIOBlock *s = VIRTIO_BLK(vdev);
    /* In-flight requests complete into the old rings before they are forgotten. */
    if (s->blk) {
        blk_drain(s->blk);
    }
    /* Requests kept for a retry belong to the old rings too: drop them. */
    for (GSList *i = s->retry; i; i = i->next) {
        VirtIOBlockReq *req = i->data;
        virtqueue_drop(req->vq, req->elem);
        g_free(req->iov);
        g_free(req->zeroes);
        g_free(req);
    }
    g_clear_pointer(&s->retry, g_slist_free);
}

static const VirtIODeviceOps vblk_ops = {
    .get_config = vblk_get_config,
    .reset = vblk_reset,
    .dataplane_start = vblk_dataplane_start,
    .dataplane_stop = vblk_dataplane_stop,
};

static void vblk_realize_vdev(VirtIOPCIProxy *proxy, Error **errp)
{
    VirtIOBlockPCI *d = VIRTIO_BLK_PCI(proxy);
    VirtIOBlock *s = &d->blk;

    if (!s->drive) {
        error_setg(errp, "virtio-blk-pci: drive property not set");
        return;
    }
    DriveInfo *dinfo = drive_get_by_id(s->drive);
    if (!dinfo) {
        error_setg(errp, "virtio-blk-pci: drive '%s' not found (use -drive id=%s,if=none,"
                   "file=...)", s->drive, s->drive);
        return;
    }
    if (!dinfo->blk) {
        error_setg(errp, "virtio-blk-pci: drive '%s' has no medium", s->drive);
        return;
    }
    if (s->num_queues < 1 || s->num_queues > VIRTIO_QUEUE_MAX) {
        error_setg(errp, "num-queues=%u: use 1-%d", s->num_queues, VIRTIO_QUEUE_MAX);
        return;
    }
    if (s->queue_size < 4 || s->queue_size > VIRTQUEUE_MAX_SIZE ||
        (s->queue_size & (s->queue_size - 1))) {
        error_setg(errp, "queue-size=%u: use a power of two from 4 to %d", s->queue_size,
                   VIRTQUEUE_MAX_SIZE);
        return;
    }
    if (s->iothread_id) {
        s->iothread = iothread_find(s->iothread_id);
        if (!s->iothread) {
            error_setg(errp, "virtio-blk-pci: iothread '%s' not found (create it with "
                       "-object iothread,id=%s)", s->iothread_id, s->iothread_id);
            return;
        }
        if (!proxy->ioeventfd) {
            error_setg(errp, "virtio-blk-pci: iothread=%s needs ioeventfd=on",
                       s->iothread_id);
            s->iothread = NULL;
            return;
        }
    }
    g_autofree char *path = object_get_canonical_path(OBJECT(proxy));
    if (!drive_claim(dinfo, path, errp)) {
        s->iothread = NULL;
        return;
    }
    if (s->iothread) {
        object_ref(OBJECT(s->iothread));
    }
    s->blk = dinfo->blk;
    s->read_only = blk_is_read_only(s->blk) || dinfo->read_only;
    /* The callbacks need the big lock only (an iothread's run there anyway). */
    blk_set_complete_on_worker(s->blk, true);
    object_property_add_uint64_ptr(OBJECT(proxy), "x-reqs-now", &s->reqs_now);
    runstate_add_change_handler(vblk_vm_change, s);
    s->resume_handler = true;

    VirtIODevice *vdev = &s->vdev;
    virtio_init(vdev, "virtio-blk", VIRTIO_ID_BLOCK, VIRTIO_BLK_CONFIG_SIZE, &vblk_ops);
    vdev->dataplane = s->iothread != NULL;
    vdev->host_features |= (1ull << VIRTIO_BLK_F_SIZE_MAX) | (1ull << VIRTIO_BLK_F_SEG_MAX) |
                           (1ull << VIRTIO_BLK_F_BLK_SIZE) | (1ull << VIRTIO_BLK_F_FLUSH) |
                           (1ull << VIRTIO_BLK_F_TOPOLOGY);
    if (s->read_only) {
        vdev->host_features |= 1ull << VIRTIO_BLK_F_RO;
    } else {
        vdev->host_features |= (1ull << VIRTIO_BLK_F_WRITE_ZEROES) |
                               (1ull << VIRTIO_BLK_F_DISCARD);
    }
    if (s->num_queues > 1) {
        vdev->host_features |= 1ull << VIRTIO_BLK_F_MQ;
    }
    for (unsigned i = 0; i < s->num_queues; i++) {
        virtio_add_queue(vdev, s->queue_size, vblk_handle_output);
    }
    proxy->vdev = vdev;
}

static void vblk_unrealize_vdev(VirtIOPCIProxy *proxy)
{
    VirtIOBlock *s = &VIRTIO_BLK_PCI(proxy)->blk;
    s->dp_wanted = false;
    vblk_dp_detach(s);
    if (s->blk) {
        blk_drain(s->blk);
    }
    if (s->resume_handler) {
        runstate_remove_change_handler(vblk_vm_change, s);
    }
    vblk_reset(&s->vdev);
    virtio_cleanup(&s->vdev);
    if (s->iothread) {
        object_unref(OBJECT(s->iothread));
        s->iothread = NULL;
    }
}

static const Property vblk_props[] = {
    DEFINE_PROP_STRING("drive", VirtIOBlockPCI, blk.drive),
    DEFINE_PROP_STRING("serial", VirtIOBlockPCI, blk.serial),
    /* -object iothread,id=NAME serves the queues (QEMU's link, set by name). */
    DEFINE_PROP_STRING("iothread", VirtIOBlockPCI, blk.iothread_id),
    DEFINE_PROP_UINT32("num-queues", VirtIOBlockPCI, blk.num_queues, 1),
    DEFINE_PROP_UINT32("queue-size", VirtIOBlockPCI, blk.queue_size, 256),
    DEFINE_PROP_END_OF_LIST(),
};

static void vblk_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    VirtIOPCIClass *vc = VIRTIO_PCI_CLASS(oc);

    dc->desc = "Virtio block device";
    dc->category = DEVICE_CATEGORY_STORAGE;
    dc->user_creatable = true;
    device_class_set_props(dc, vblk_props);
    pc->class_id = 0x0100;      /* SCSI storage controller, as QEMU */
    pc->device_id = 0x1001;
    vc->legacy_device_id = 0x1001;
    vc->realize_vdev = vblk_realize_vdev;
    vc->unrealize_vdev = vblk_unrealize_vdev;
}

static const TypeInfo vblk_types[] = {
    {
        .name = TYPE_VIRTIO_BLK_PCI,
        .parent = TYPE_VIRTIO_PCI,
        .instance_size = sizeof(VirtIOBlockPCI),
        .class_init = vblk_class_init,
    },
};
DEFINE_TYPES(vblk_types)
