/*
 * virtio-net (virtio 1.2 §5.1) on the PCI transport: `-device
 * virtio-net-pci,netdev=ID[,mac=...][,mq=on][,bootindex=N]`.
 *
 * Queues (§5.1.2): receiveq1, transmitq1, ..., receiveqN, transmitqN, then
 * the control queue. Queue pair i talks to the NIC's NetClientState i.
 *
 * Features: MAC, STATUS, MRG_RXBUF, CTRL_VQ with CTRL_RX, CTRL_RX_EXTRA,
 * CTRL_VLAN, CTRL_MAC_ADDR and GUEST_ANNOUNCE, MQ (mq=on, as many pairs as
 * the netdev has queues), and the checksum/segmentation offloads only when
 * the backend carries a virtio-net header (tap with vnet_hdr): the header then
 * goes to the backend and back unchanged. Without one, the header is stripped
 * on TX and a zero header (no offload, no checksum claim) is made up on RX.
 *
 * Frames from the backend wait in the net core while the guest has posted no
 * receive buffers (receive() returns 0); the guest's next RX kick flushes
 * them. Receive buffers popped but not yet used (a mergeable frame needed more
 * than were available) are kept per queue for the next frame, so no buffer is
 * ever given back to the ring.
 *
 * RX interrupts are held over a delivery burst (a TX bottom-half run, a flush
 * of queued frames): a backend that answers synchronously (slirp's ACKs and
 * ARP replies arrive inside the send call) fills the used ring frame by frame,
 * and the guest gets one notification per queue at the end of the burst
 * instead of one per frame. virtio_notify() still decides with EVENT_IDX or
 * NO_INTERRUPT (§2.7.10) whether that one is sent.
 */
#include "hw/virtio/virtio-pci.h"
#include "hw/nvram/fw-bootorder.h"
#include "net/net.h"
#include "net/offload.h"
#include "block/iov.h"
#include "system/main-loop.h"
#include "util/log.h"

#define TYPE_VIRTIO_NET_PCI "virtio-net-pci"

#define VIRTIO_ID_NET                   1

/* Feature bits (§5.1.3). */
#define VIRTIO_NET_F_CSUM               0
#define VIRTIO_NET_F_GUEST_CSUM         1
#define VIRTIO_NET_F_MAC                5
#define VIRTIO_NET_F_GUEST_TSO4         7
#define VIRTIO_NET_F_GUEST_TSO6         8
#define VIRTIO_NET_F_GUEST_ECN          9
#define VIRTIO_NET_F_GUEST_UFO          10
#define VIRTIO_NET_F_HOST_TSO4          11
#define VIRTIO_NET_F_HOST_TSO6          12
#define VIRTIO_NET_F_HOST_ECN           13
#define VIRTIO_NET_F_HOST_UFO           14
#define VIRTIO_NET_F_MRG_RXBUF          15
#define VIRTIO_NET_F_STATUS             16
#define VIRTIO_NET_F_CTRL_VQ            17
#define VIRTIO_NET_F_CTRL_RX            18
#define VIRTIO_NET_F_CTRL_VLAN          19
#define VIRTIO_NET_F_CTRL_RX_EXTRA      20
#define VIRTIO_NET_F_GUEST_ANNOUNCE     21
#define VIRTIO_NET_F_MQ                 22
#define VIRTIO_NET_F_CTRL_MAC_ADDR      23

/* Configuration layout (§5.1.4). */
#define VIRTIO_NET_CFG_MAC              0
#define VIRTIO_NET_CFG_STATUS           6
#define VIRTIO_NET_CFG_MAX_PAIRS        8
#define VIRTIO_NET_CFG_MTU              10
#define VIRTIO_NET_CONFIG_SIZE          12
#define VIRTIO_NET_S_LINK_UP            1
#define VIRTIO_NET_S_ANNOUNCE           2

/* Header (§5.1.6): 10 bytes, plus num_buffers with VERSION_1 or MRG_RXBUF. */
#define VIRTIO_NET_HDR_LEN              10
#define VIRTIO_NET_HDR_MRG_LEN          12
#define VIRTIO_NET_HDR_NUM_BUFFERS      10
#define VIRTIO_NET_HDR_F_NEEDS_CSUM     1
#define VIRTIO_NET_HDR_F_DATA_VALID     2
#define VIRTIO_NET_HDR_GSO_NONE         0
#define VIRTIO_NET_HDR_GSO_TCPV4        1
#define VIRTIO_NET_HDR_GSO_TCPV6        4
#define VIRTIO_NET_HDR_GSO_ECN          0x80

/* Control queue (§5.1.6.5). */
#define VIRTIO_NET_OK                   0
#define VIRTIO_NET_ERR                  1
#define VIRTIO_NET_CTRL_RX              0
#define VIRTIO_NET_CTRL_RX_PROMISC      0
#define VIRTIO_NET_CTRL_RX_ALLMULTI     1
#define VIRTIO_NET_CTRL_RX_ALLUNI       2
#define VIRTIO_NET_CTRL_RX_NOMULTI      3
#define VIRTIO_NET_CTRL_RX_NOUNI        4
#define VIRTIO_NET_CTRL_RX_NOBCAST      5
#define VIRTIO_NET_CTRL_MAC             1
#define VIRTIO_NET_CTRL_MAC_TABLE_SET   0
#define VIRTIO_NET_CTRL_MAC_ADDR_SET    1
#define VIRTIO_NET_CTRL_VLAN            2
#define VIRTIO_NET_CTRL_VLAN_ADD        0
#define VIRTIO_NET_CTRL_VLAN_DEL        1
#define VIRTIO_NET_CTRL_ANNOUNCE        3
#define VIRTIO_NET_CTRL_ANNOUNCE_ACK    0
#define VIRTIO_NET_CTRL_MQ              4
#define VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET 0

#define VNET_QUEUE_SIZE                 256
#define VNET_CTRL_QUEUE_SIZE            64
#define VNET_MAC_TABLE_ENTRIES          64
#define VNET_MAX_VLAN                   4096
#define VNET_CTRL_MAX                   8192    /* bytes of one control command */
#define VNET_TX_BURST                   128     /* frames per kick or bottom half */
#define VNET_MAX_PAIRS                  16      /* NICConf.peers */

typedef struct VirtIONet VirtIONet;

typedef struct VirtIONetQueue {
    VirtIONet *n;
    unsigned index;             /* the pair, and the NetClientState's queue_index */
    VirtQueue *rx, *tx;
    GQueue rx_held;             /* receive buffers popped and not used yet */
    bool rx_empty;              /* no buffer last time: wait for an RX kick */
    VirtQueueElement *tx_async; /* a frame the backend queued: TX waits for it */
    EmuBH *tx_bh;               /* TX runs here: after a kick, after a full burst */
    bool rx_notify_held;        /* used entries added during a burst, not notified */
    uint8_t *tx_frame, *tx_seg; /* software offload: the guest's frame, one segment */
} VirtIONetQueue;

struct VirtIONet {
    VirtIODevice vdev;
    NICConf conf;
    NICState *nic;
    VirtIONetQueue q[VNET_MAX_PAIRS];
    VirtQueue *ctrl;
    unsigned max_pairs, curr_pairs;
    uint8_t mac[6];
    uint16_t status;
    /* negotiated */
    unsigned guest_hdr_len;     /* 10 or 12 */
    unsigned host_hdr_len;      /* 0: the backend has no vnet header */
    bool mergeable;
    bool peer_vnet_hdr;
    /* RX filter (§5.1.6.5.1, 5.1.6.5.2, 5.1.6.5.3) */
    bool promisc, allmulti, alluni, nomulti, nouni, nobcast;
    unsigned mac_uni, mac_multi;
    bool uni_overflow, multi_overflow;
    uint8_t macs[VNET_MAC_TABLE_ENTRIES][6];
    uint32_t vlans[VNET_MAX_VLAN / 32];
    /*
     * Offloads done in software for a backend without a vnet header: the
     * guest's NEEDS_CSUM/GSO requests on TX, DATA_VALID on RX (net/offload.c).
     */
    bool sw_tx_csum, sw_tso, sw_rx_csum;
    /* properties */
    unsigned rx_burst;          /* nesting depth of delivery bursts */
    bool mq;
    bool csum, guest_csum;      /* QEMU's: offer CSUM (and HOST_TSO), GUEST_CSUM */
    /* counters */
    uint64_t tx_frames, rx_frames, tx_dropped, rx_filtered, rx_dropped, ctrl_errors;
};

typedef struct VirtIONetPCI {
    VirtIOPCIProxy parent_obj;
    VirtIONet net;
} VirtIONetPCI;

DECLARE_INSTANCE_CHECKER(VirtIONetPCI, VIRTIO_NET_PCI, TYPE_VIRTIO_NET_PCI)

#define VIRTIO_NET(vdev) container_of(vdev, VirtIONet, vdev)

static bool vnet_running(VirtIONet *n)
{
    return !n->vdev.broken && (n->vdev.status & VIRTIO_CONFIG_S_DRIVER_OK);
}

static NetClientState *vnet_nc(VirtIONet *n, unsigned pair)
{
    return qemu_get_subqueue(n->nic, pair);
}

/* ---- receive filter (§5.1.6.5.1-3) ---- */

static bool vnet_vlan_allowed(VirtIONet *n, unsigned vid)
{
    return n->vlans[vid >> 5] & (1u << (vid & 31));
}

/* Whether the guest wants this frame (@buf starts at the ethernet header). */
static bool vnet_accept(VirtIONet *n, const uint8_t *buf, size_t size)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    if (size < 14) {
        return n->promisc;
    }
    if (size >= 16 && buf[12] == 0x81 && buf[13] == 0x00 &&
        !vnet_vlan_allowed(n, ((buf[14] << 8) | buf[15]) & 0xfff)) {
        return false;
    }
    if (n->promisc) {
        return true;
    }
    if (!memcmp(buf, bcast, 6)) {
        return !n->nobcast;
    }
    if (buf[0] & 1) {
        if (n->nomulti) {
            return false;
        }
        if (n->allmulti || n->multi_overflow) {
            return true;
        }
        for (unsigned i = n->mac_uni; i < n->mac_uni + n->mac_multi; i++) {
            if (!memcmp(buf, n->macs[i], 6)) {
                return true;
            }
        }
        return false;
    }
    if (n->nouni) {
        return false;
    }
    if (n->alluni || n->uni_overflow || !memcmp(buf, n->mac, 6)) {
        return true;
    }
    for (unsigned i = 0; i < n->mac_uni; i++) {
        if (!memcmp(buf, n->macs[i], 6)) {
            return true;
        }
    }
    return false;
}

static void vnet_filter_reset(VirtIONet *n)
{
    /* As QEMU: promiscuous until a driver with CTRL_RX says otherwise. */
    n->promisc = true;
    n->allmulti = n->alluni = n->nomulti = n->nouni = n->nobcast = false;
    n->mac_uni = n->mac_multi = 0;
    n->uni_overflow = n->multi_overflow = false;
    memset(n->macs, 0, sizeof(n->macs));
    memset(n->vlans, 0, sizeof(n->vlans));
}

/* ---- receive (§5.1.6.3, 5.1.6.4) ---- */

/* A delivery burst starts: RX notifications wait for vnet_rx_burst_end(). */
static void vnet_rx_burst_begin(VirtIONet *n)
{
    n->rx_burst++;
}

static void vnet_rx_notify(VirtIONetQueue *q)
{
    if (q->n->rx_burst) {
        q->rx_notify_held = true;
    } else {
        virtio_notify(&q->n->vdev, q->rx);
    }
}

/* The outermost burst ends: one notification per queue that got frames. */
static void vnet_rx_burst_end(VirtIONet *n)
{
    g_assert(n->rx_burst);
    if (--n->rx_burst) {
        return;
    }
    for (unsigned i = 0; i < n->max_pairs; i++) {
        VirtIONetQueue *q = &n->q[i];
        if (q->rx_notify_held) {
            q->rx_notify_held = false;
            virtio_notify(&n->vdev, q->rx);
        }
    }
}

static bool vnet_can_receive(NetClientState *nc)
{
    VirtIONet *n = qemu_get_nic_opaque(nc);
    if (nc->queue_index >= n->curr_pairs || !vnet_running(n)) {
        return false;
    }
    VirtIONetQueue *q = &n->q[nc->queue_index];
    return q->rx->enabled && !q->rx_empty;
}

/* The next receive buffer, held or fresh; NULL when the guest posted none. */
static VirtQueueElement *vnet_rx_next(VirtIONetQueue *q)
{
    VirtIONet *n = q->n;
    VirtQueueElement *elem = g_queue_pop_head(&q->rx_held);
    if (elem) {
        return elem;
    }
    elem = virtqueue_pop(q->rx);
    if (elem && elem->in_len < n->guest_hdr_len) {
        /* §5.1.6.3.1: every receive buffer holds at least the header. */
        virtio_error(&n->vdev, "receive buffer %u of %zu writable bytes: no room for the "
                     "%u-byte header", elem->index, elem->in_len, n->guest_hdr_len);
        virtqueue_drop(q->rx, elem);
        return NULL;
    }
    return elem;
}

static ssize_t vnet_receive_iov(NetClientState *nc, const struct iovec *iov, int iovcnt)
{
    VirtIONet *n = qemu_get_nic_opaque(nc);
    if (nc->queue_index >= n->curr_pairs || !vnet_running(n)) {
        return 0;
    }
    VirtIONetQueue *q = &n->q[nc->queue_index];
    size_t total = iov_size(iov, iovcnt);
    if (total < n->host_hdr_len) {
        n->rx_dropped++;
        return total;
    }
    size_t frame_len = total - n->host_hdr_len;

    /* Look at the ethernet header for the filter. */
    uint8_t eth[16];
    size_t eth_len = iov_to_buf(iov, iovcnt, n->host_hdr_len, eth, MIN(sizeof(eth),
                                                                       frame_len));
    if (!vnet_accept(n, eth, eth_len)) {
        n->rx_filtered++;
        return total;
    }

    /* The guest's header: the backend's as is, or zero (no offload information). */
    uint8_t hdr[VIRTIO_NET_HDR_MRG_LEN] = { 0 };
    iov_to_buf(iov, iovcnt, 0, hdr, MIN(n->host_hdr_len, VIRTIO_NET_HDR_LEN));
    if (n->sw_rx_csum && iovcnt == 1 &&
        net_offload_l4_csum_ok(iov[0].iov_base, iov[0].iov_len)) {
        /* §5.1.6.4: checked here, so the guest need not (one pass in native code). */
        hdr[0] = VIRTIO_NET_HDR_F_DATA_VALID;
    }
    size_t need = n->guest_hdr_len + frame_len;

    /* Collect enough buffers first, so a frame is never half delivered. */
    VirtQueueElement *elems[VNET_QUEUE_SIZE];
    unsigned nelem = 0;
    size_t room = 0;
    while (room < need) {
        if (nelem && !n->mergeable) {
            /* §5.1.6.3.1: without MRG_RXBUF one buffer holds a frame; drop it. */
            g_queue_push_head(&q->rx_held, elems[0]);
            n->rx_dropped++;
            return total;
        }
        if (nelem == G_N_ELEMENTS(elems)) {
            break;
        }
        VirtQueueElement *elem = vnet_rx_next(q);
        if (!elem) {
            /* Out of buffers (or the ring broke): keep what we took, queue the frame. */
            while (nelem) {
                g_queue_push_head(&q->rx_held, elems[--nelem]);
            }
            if (!vnet_running(n)) {
                return total;
            }
            q->rx_empty = true;
            return 0;
        }
        elems[nelem++] = elem;
        room += elem->in_len;
    }
    if (room < need) {
        while (nelem) {
            g_queue_push_head(&q->rx_held, elems[--nelem]);
        }
        n->rx_dropped++;
        return total;
    }

    if (n->guest_hdr_len == VIRTIO_NET_HDR_MRG_LEN) {
        pci_set_word(hdr + VIRTIO_NET_HDR_NUM_BUFFERS, n->mergeable ? nelem : 1);
    }
    size_t off = n->host_hdr_len;           /* in the frame from the backend */
    uint32_t lens[G_N_ELEMENTS(elems)];
    for (unsigned i = 0; i < nelem; i++) {
        VirtQueueElement *elem = elems[i];
        size_t done = 0;
        if (i == 0) {
            done = iov_from_buf(elem->in_sg, elem->in_num, 0, hdr, n->guest_hdr_len);
        }
        size_t chunk = MIN(elem->in_len - done, total - off);
        if (iovcnt == 1) {
            iov_from_buf(elem->in_sg, elem->in_num, done, (uint8_t *)iov[0].iov_base + off,
                         chunk);
        } else {
            g_autofree uint8_t *tmp = g_malloc(chunk ? chunk : 1);
            iov_to_buf(iov, iovcnt, off, tmp, chunk);
            iov_from_buf(elem->in_sg, elem->in_num, done, tmp, chunk);
        }
        off += chunk;
        lens[i] = done + chunk;
    }
    /* The driver must see all buffers of a merged frame at once (num_buffers). */
    virtqueue_push_multi(q->rx, elems, lens, nelem);
    n->rx_frames++;
    vnet_rx_notify(q);
    return total;
}

static ssize_t vnet_receive(NetClientState *nc, const uint8_t *buf, size_t size)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = size };
    return vnet_receive_iov(nc, &iov, 1);
}

static void vnet_handle_rx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIONet *n = VIRTIO_NET(vdev);
    unsigned pair = vq->index / 2;
    n->q[pair].rx_empty = false;
    if (pair < n->curr_pairs) {
        vnet_rx_burst_begin(n);
        qemu_flush_queued_packets(vnet_nc(n, pair));
        vnet_rx_burst_end(n);
    }
}

static void vnet_rx_drop_held(VirtIONetQueue *q)
{
    VirtQueueElement *elem;
    while ((elem = g_queue_pop_head(&q->rx_held))) {
        virtqueue_drop(q->rx, elem);
    }
    q->rx_empty = false;
    q->rx_notify_held = false;
}

/* ---- transmit (§5.1.6.2) ---- */

static void vnet_flush_tx(VirtIONetQueue *q);

static void vnet_tx_done(NetClientState *nc, ssize_t len)
{
    VirtIONet *n = qemu_get_nic_opaque(nc);
    VirtIONetQueue *q = &n->q[nc->queue_index];
    if (!q->tx_async) {
        return;                 /* the device was reset meanwhile */
    }
    virtqueue_push(q->tx, g_steal_pointer(&q->tx_async), 0);
    virtio_notify(&n->vdev, q->tx);
    vnet_flush_tx(q);
}

typedef struct VnetTxSeg {
    VirtIONetQueue *q;
    NetClientState *nc;
    VirtQueueElement *elem;
    ssize_t last_ret;
} VnetTxSeg;

static void vnet_tx_emit(const uint8_t *frame, size_t len, bool last, void *opaque)
{
    VnetTxSeg *t = opaque;
    if (!last) {
        qemu_send_packet(t->nc, frame, len);    /* queued in order if need be */
        return;
    }
    t->q->tx_async = t->elem;
    t->last_ret = qemu_send_packet_async(t->nc, frame, len, vnet_tx_done);
}

/*
 * A frame with NEEDS_CSUM or a GSO type for a backend that takes plain frames
 * (§5.1.6.2): finish the checksum, or cut the TCP segment, here. Returns what
 * the last send returned (0: queued, the element waits in tx_async), or -1
 * when the frame was dropped (its element still to be pushed by the caller).
 */
static ssize_t vnet_tx_offload(VirtIONetQueue *q, NetClientState *nc,
                               VirtQueueElement *elem, const uint8_t *hdr, size_t frame)
{
    VirtIONet *n = q->n;
    uint8_t flags = hdr[0], gso = hdr[1] & ~VIRTIO_NET_HDR_GSO_ECN;
    uint16_t gso_size = pci_get_word(hdr + 4), start = pci_get_word(hdr + 6),
             offset = pci_get_word(hdr + 8);
    uint8_t *buf = q->tx_frame;
    VnetTxSeg t = { q, nc, elem, 0 };

    iov_to_buf(elem->out_sg, elem->out_num, n->guest_hdr_len, buf, frame);
    if (gso != VIRTIO_NET_HDR_GSO_NONE) {
        if (!n->sw_tso ||
            (gso != VIRTIO_NET_HDR_GSO_TCPV4 && gso != VIRTIO_NET_HDR_GSO_TCPV6) ||
            net_offload_tso(buf, frame, gso_size, gso == VIRTIO_NET_HDR_GSO_TCPV6,
                            q->tx_seg, vnet_tx_emit, &t) < 0) {
            emu_log_mask(LOG_GUEST_ERROR, "virtio-net: transmit chain %u: GSO type %u "
                         "(size %u) not negotiated or not a TCP frame; dropped\n",
                         elem->index, hdr[1], gso_size);
            return -1;
        }
        return t.last_ret;
    }
    if ((flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
        (!n->sw_tx_csum || !net_offload_partial_csum(buf, frame, start, offset))) {
        emu_log_mask(LOG_GUEST_ERROR, "virtio-net: transmit chain %u: checksum at %u+%u "
                     "outside the %zu-byte frame or not negotiated; dropped\n",
                     elem->index, start, offset, frame);
        return -1;
    }
    vnet_tx_emit(buf, frame, true, &t);
    return t.last_ret;
}

/*
 * @elem went out synchronously: give it back. True when this burst is over
 * (the rest go from the bottom half again).
 */
static bool vnet_tx_sent(VirtIONetQueue *q, VirtQueueElement *elem, unsigned *sent)
{
    q->tx_async = NULL;
    virtqueue_push(q->tx, elem, 0);
    if (++*sent < VNET_TX_BURST) {
        return false;
    }
    virtio_notify(&q->n->vdev, q->tx);
    bh_schedule(q->tx_bh);
    return true;
}

/* Send up to VNET_TX_BURST frames; the rest go from the bottom half again. */
static void vnet_flush_tx_burst(VirtIONetQueue *q)
{
    VirtIONet *n = q->n;
    if (q->tx_async || !vnet_running(n) || q->index >= n->curr_pairs) {
        return;
    }
    NetClientState *nc = vnet_nc(n, q->index);
    unsigned sent = 0;
    VirtQueueElement *elem;
    while ((elem = virtqueue_pop(q->tx))) {
        if (elem->out_len < n->guest_hdr_len) {
            /* §5.1.6.2: each packet starts with the header. */
            virtio_error(&n->vdev, "transmit chain %u of %zu bytes: shorter than the "
                         "%u-byte header", elem->index, elem->out_len, n->guest_hdr_len);
            virtqueue_drop(q->tx, elem);
            return;
        }
        size_t frame = elem->out_len - n->guest_hdr_len;
        if (frame + n->host_hdr_len > NET_MAX_FRAME || nc->link_down) {
            /* Too big for any backend, or no link: dropped as a NIC does. */
            n->tx_dropped++;
            virtqueue_push(q->tx, elem, 0);
            virtio_notify(&n->vdev, q->tx);
            continue;
        }
        uint8_t hdr[VIRTIO_NET_HDR_LEN];
        iov_to_buf(elem->out_sg, elem->out_num, 0, hdr, sizeof(hdr));
        if (!n->host_hdr_len && (hdr[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM || hdr[1])) {
            n->tx_frames++;
            ssize_t r = vnet_tx_offload(q, nc, elem, hdr, frame);
            if (r == 0) {
                return;         /* vnet_tx_done() pushes it and goes on */
            }
            if (r < 0) {
                n->tx_dropped++;
            }
            if (vnet_tx_sent(q, elem, &sent)) {
                return;
            }
            continue;
        }
        /* The backend's header is a prefix of the guest's (10 of 10 or 12, or 12). */
        struct iovec small[8];
        g_autofree struct iovec *big = NULL;
        struct iovec *sg = 2 * elem->out_num <= G_N_ELEMENTS(small) ? small
                           : (big = g_new(struct iovec, 2 * elem->out_num));
        int nsg = 0;
        if (n->host_hdr_len) {
            nsg = iov_slice(elem->out_sg, elem->out_num, 0, n->host_hdr_len, sg);
        }
        nsg += iov_slice(elem->out_sg, elem->out_num, n->guest_hdr_len, frame, sg + nsg);
        n->tx_frames++;
        q->tx_async = elem;
        ssize_t r = qemu_sendv_packet_async(nc, sg, nsg, vnet_tx_done);
        if (r == 0) {
            return;             /* vnet_tx_done() pushes it and goes on */
        }
        if (vnet_tx_sent(q, elem, &sent)) {
            return;
        }
    }
    if (sent) {
        virtio_notify(&n->vdev, q->tx);
    }
}

/*
 * A backend may answer inside the send (slirp: ACKs, ARP and ICMP replies):
 * the answers fill the RX used ring now, their interrupt goes after the burst.
 */
static void vnet_flush_tx(VirtIONetQueue *q)
{
    vnet_rx_burst_begin(q->n);
    vnet_flush_tx_burst(q);
    vnet_rx_burst_end(q->n);
}

static void vnet_tx_bh(void *opaque)
{
    vnet_flush_tx(opaque);
}

/*
 * A TX kick only schedules the bottom half (QEMU's tx=bh): under TCG the
 * kick arrives on the vCPU thread, which goes straight back to the guest
 * while the main loop's thread hands the frames to the backend. The guest
 * meanwhile adds frames without kicking: with EVENT_IDX, avail_event stays
 * where the last pop left it until the bottom half pops again (§2.7.10).
 */
static void vnet_handle_tx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIONet *n = VIRTIO_NET(vdev);
    bh_schedule(n->q[vq->index / 2].tx_bh);
}

/* ---- control queue (§5.1.6.5) ---- */

static uint8_t vnet_ctrl_rx(VirtIONet *n, uint8_t cmd, const uint8_t *d, size_t len)
{
    if (len != 1 || !virtio_vdev_has_feature(&n->vdev, VIRTIO_NET_F_CTRL_RX)) {
        return VIRTIO_NET_ERR;
    }
    if (cmd > VIRTIO_NET_CTRL_RX_ALLMULTI &&
        !virtio_vdev_has_feature(&n->vdev, VIRTIO_NET_F_CTRL_RX_EXTRA)) {
        return VIRTIO_NET_ERR;
    }
    bool on = d[0];
    switch (cmd) {
    case VIRTIO_NET_CTRL_RX_PROMISC:  n->promisc = on;  break;
    case VIRTIO_NET_CTRL_RX_ALLMULTI: n->allmulti = on; break;
    case VIRTIO_NET_CTRL_RX_ALLUNI:   n->alluni = on;   break;
    case VIRTIO_NET_CTRL_RX_NOMULTI:  n->nomulti = on;  break;
    case VIRTIO_NET_CTRL_RX_NOUNI:    n->nouni = on;    break;
    case VIRTIO_NET_CTRL_RX_NOBCAST:  n->nobcast = on;  break;
    default:
        return VIRTIO_NET_ERR;
    }
    return VIRTIO_NET_OK;
}

/* One table of VIRTIO_NET_CTRL_MAC_TABLE_SET: le32 entries, then the addresses. */
static bool vnet_mac_table(const uint8_t *d, size_t len, size_t *off, uint32_t *entries)
{
    uint32_t e;
    if (len - *off < 4) {
        return false;
    }
    memcpy(&e, d + *off, 4);
    e = GUINT32_FROM_LE(e);
    *off += 4;
    if (e > (len - *off) / 6) {
        return false;
    }
    *entries = e;
    return true;
}

static uint8_t vnet_ctrl_mac(VirtIONet *n, uint8_t cmd, const uint8_t *d, size_t len)
{
    VirtIODevice *vdev = &n->vdev;
    if (cmd == VIRTIO_NET_CTRL_MAC_ADDR_SET) {
        if (len != 6 || !virtio_vdev_has_feature(vdev, VIRTIO_NET_F_CTRL_MAC_ADDR)) {
            return VIRTIO_NET_ERR;
        }
        memcpy(n->mac, d, 6);
        qemu_format_nic_info_str(qemu_get_queue(n->nic), n->mac);
        return VIRTIO_NET_OK;
    }
    if (cmd != VIRTIO_NET_CTRL_MAC_TABLE_SET ||
        !virtio_vdev_has_feature(vdev, VIRTIO_NET_F_CTRL_RX)) {
        return VIRTIO_NET_ERR;
    }
    /* §5.1.6.5.2: unicast table then multicast table, nothing after. */
    size_t off = 0;
    uint32_t uni, multi;
    if (!vnet_mac_table(d, len, &off, &uni)) {
        return VIRTIO_NET_ERR;
    }
    size_t uni_off = off;
    off += (size_t)uni * 6;
    if (!vnet_mac_table(d, len, &off, &multi) || off + (size_t)multi * 6 != len) {
        return VIRTIO_NET_ERR;
    }
    n->mac_uni = n->mac_multi = 0;
    n->uni_overflow = uni > VNET_MAC_TABLE_ENTRIES;
    if (!n->uni_overflow) {
        memcpy(n->macs, d + uni_off, (size_t)uni * 6);
        n->mac_uni = uni;
    }
    n->multi_overflow = multi > VNET_MAC_TABLE_ENTRIES - n->mac_uni;
    if (!n->multi_overflow) {
        memcpy(n->macs[n->mac_uni], d + off, (size_t)multi * 6);
        n->mac_multi = multi;
    }
    return VIRTIO_NET_OK;
}

static uint8_t vnet_ctrl_vlan(VirtIONet *n, uint8_t cmd, const uint8_t *d, size_t len)
{
    uint16_t vid;
    if (len != 2 || !virtio_vdev_has_feature(&n->vdev, VIRTIO_NET_F_CTRL_VLAN)) {
        return VIRTIO_NET_ERR;
    }
    vid = d[0] | d[1] << 8;
    if (vid >= VNET_MAX_VLAN) {
        return VIRTIO_NET_ERR;
    }
    if (cmd == VIRTIO_NET_CTRL_VLAN_ADD) {
        n->vlans[vid >> 5] |= 1u << (vid & 31);
    } else if (cmd == VIRTIO_NET_CTRL_VLAN_DEL) {
        n->vlans[vid >> 5] &= ~(1u << (vid & 31));
    } else {
        return VIRTIO_NET_ERR;
    }
    return VIRTIO_NET_OK;
}

static void vnet_set_pairs(VirtIONet *n, unsigned pairs)
{
    n->curr_pairs = pairs;
    vnet_rx_burst_begin(n);
    for (unsigned i = 0; i < n->max_pairs; i++) {
        /* The host steers flows only to the queues the guest serves. */
        qemu_set_queue_enabled(n->conf.peers[i], i < pairs);
        if (i < pairs) {
            qemu_flush_queued_packets(vnet_nc(n, i));
        }
    }
    vnet_rx_burst_end(n);
}

static uint8_t vnet_ctrl_mq(VirtIONet *n, uint8_t cmd, const uint8_t *d, size_t len)
{
    if (cmd != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET || len != 2 ||
        !virtio_vdev_has_feature(&n->vdev, VIRTIO_NET_F_MQ)) {
        return VIRTIO_NET_ERR;
    }
    unsigned pairs = d[0] | d[1] << 8;
    /* §5.1.6.5.5: 1 to max_virtqueue_pairs. */
    if (pairs < 1 || pairs > n->max_pairs) {
        return VIRTIO_NET_ERR;
    }
    vnet_set_pairs(n, pairs);
    return VIRTIO_NET_OK;
}

static uint8_t vnet_ctrl_command(VirtIONet *n, uint8_t cls, uint8_t cmd, const uint8_t *d,
                                 size_t len)
{
    switch (cls) {
    case VIRTIO_NET_CTRL_RX:
        return vnet_ctrl_rx(n, cmd, d, len);
    case VIRTIO_NET_CTRL_MAC:
        return vnet_ctrl_mac(n, cmd, d, len);
    case VIRTIO_NET_CTRL_VLAN:
        return vnet_ctrl_vlan(n, cmd, d, len);
    case VIRTIO_NET_CTRL_ANNOUNCE:
        /* §5.1.6.5.4: the driver announced itself; clear the request. */
        if (cmd != VIRTIO_NET_CTRL_ANNOUNCE_ACK || len ||
            !virtio_vdev_has_feature(&n->vdev, VIRTIO_NET_F_GUEST_ANNOUNCE)) {
            return VIRTIO_NET_ERR;
        }
        n->status &= ~VIRTIO_NET_S_ANNOUNCE;
        return VIRTIO_NET_OK;
    case VIRTIO_NET_CTRL_MQ:
        return vnet_ctrl_mq(n, cmd, d, len);
    default:
        return VIRTIO_NET_ERR;
    }
}

static void vnet_handle_ctrl(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIONet *n = VIRTIO_NET(vdev);
    VirtQueueElement *elem;
    while ((elem = virtqueue_pop(vq))) {
        if (elem->out_len < 2 || elem->in_len < 1) {
            /* §5.1.6.5: class and command to read, an ack byte to write. */
            virtio_error(vdev, "control request %u without class/command (%zu bytes) or "
                         "ack byte (%zu writable bytes)", elem->index, elem->out_len,
                         elem->in_len);
            virtqueue_drop(vq, elem);
            return;
        }
        uint8_t ack = VIRTIO_NET_ERR;
        uint8_t head[2];
        iov_to_buf(elem->out_sg, elem->out_num, 0, head, 2);
        size_t len = elem->out_len - 2;
        if (len <= VNET_CTRL_MAX) {
            g_autofree uint8_t *d = g_malloc(len ? len : 1);
            iov_to_buf(elem->out_sg, elem->out_num, 2, d, len);
            ack = vnet_ctrl_command(n, head[0], head[1], d, len);
        }
        if (ack != VIRTIO_NET_OK) {
            n->ctrl_errors++;
            emu_log_mask(LOG_GUEST_ERROR, "virtio-net: control class %u command %u "
                         "(%zu bytes) refused\n", head[0], head[1], len);
        } else {
            emu_log_mask(LOG_TRACE, "virtio-net: control class %u command %u (%zu bytes): "
                         "ok; promisc=%d allmulti=%d uni=%u multi=%u pairs=%u\n", head[0],
                         head[1], len, n->promisc, n->allmulti, n->mac_uni, n->mac_multi,
                         n->curr_pairs);
        }
        iov_from_buf(elem->in_sg, elem->in_num, 0, &ack, 1);
        virtqueue_push(vq, elem, 1);
        virtio_notify(vdev, vq);
    }
}

/* ---- link, configuration, features, reset ---- */

static void vnet_link_status_changed(NetClientState *nc)
{
    VirtIONet *n = qemu_get_nic_opaque(nc);
    uint16_t old = n->status;
    if (nc->link_down) {
        n->status &= ~VIRTIO_NET_S_LINK_UP;
    } else {
        n->status |= VIRTIO_NET_S_LINK_UP;
        /*
         * §5.1.6.5.4: ask the driver to announce itself (gratuitous ARP) when
         * the link comes back, so switches relearn where the guest is.
         */
        if (!(old & VIRTIO_NET_S_LINK_UP) &&
            virtio_vdev_has_feature(&n->vdev, VIRTIO_NET_F_GUEST_ANNOUNCE) &&
            virtio_vdev_has_feature(&n->vdev, VIRTIO_NET_F_CTRL_VQ)) {
            n->status |= VIRTIO_NET_S_ANNOUNCE;
        }
    }
    if (n->status != old) {
        virtio_notify_config(&n->vdev);
    }
}

static void vnet_get_config(VirtIODevice *vdev, uint8_t *c)
{
    VirtIONet *n = VIRTIO_NET(vdev);
    memset(c, 0, VIRTIO_NET_CONFIG_SIZE);
    memcpy(c + VIRTIO_NET_CFG_MAC, n->mac, 6);
    pci_set_word(c + VIRTIO_NET_CFG_STATUS, n->status);
    pci_set_word(c + VIRTIO_NET_CFG_MAX_PAIRS, n->max_pairs);
    pci_set_word(c + VIRTIO_NET_CFG_MTU, 1500);
}

static void vnet_set_config(VirtIODevice *vdev, const uint8_t *c)
{
    VirtIONet *n = VIRTIO_NET(vdev);
    /*
     * §5.1.4 (legacy interface): a legacy driver without CTRL_MAC_ADDR sets
     * the address by writing the mac field; otherwise the field is read-only.
     */
    if (!virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1) &&
        !virtio_vdev_has_feature(vdev, VIRTIO_NET_F_CTRL_MAC_ADDR) &&
        memcmp(c + VIRTIO_NET_CFG_MAC, n->mac, 6)) {
        memcpy(n->mac, c + VIRTIO_NET_CFG_MAC, 6);
        qemu_format_nic_info_str(qemu_get_queue(n->nic), n->mac);
    }
}

static void vnet_set_features(VirtIODevice *vdev, uint64_t f)
{
    VirtIONet *n = VIRTIO_NET(vdev);
    n->mergeable = virtio_has_feature(f, VIRTIO_NET_F_MRG_RXBUF);
    n->guest_hdr_len = n->mergeable || virtio_has_feature(f, VIRTIO_F_VERSION_1) ?
                       VIRTIO_NET_HDR_MRG_LEN : VIRTIO_NET_HDR_LEN;
    n->host_hdr_len = 0;
    n->sw_tx_csum = !n->peer_vnet_hdr && virtio_has_feature(f, VIRTIO_NET_F_CSUM);
    n->sw_tso = n->sw_tx_csum && (virtio_has_feature(f, VIRTIO_NET_F_HOST_TSO4) ||
                                  virtio_has_feature(f, VIRTIO_NET_F_HOST_TSO6));
    n->sw_rx_csum = !n->peer_vnet_hdr && virtio_has_feature(f, VIRTIO_NET_F_GUEST_CSUM);
    if (n->peer_vnet_hdr) {
        for (unsigned i = 0; i < n->max_pairs; i++) {
            NetClientState *peer = n->conf.peers[i];
            if (!peer) {
                continue;
            }
            /* The backend takes the guest's header length, or the basic 10 bytes. */
            if (qemu_has_vnet_hdr_len(peer, n->guest_hdr_len)) {
                qemu_set_vnet_hdr_len(peer, n->guest_hdr_len);
                n->host_hdr_len = n->guest_hdr_len;
            } else {
                n->host_hdr_len = VIRTIO_NET_HDR_LEN;
            }
            qemu_set_offload(peer, virtio_has_feature(f, VIRTIO_NET_F_GUEST_CSUM),
                             virtio_has_feature(f, VIRTIO_NET_F_GUEST_TSO4),
                             virtio_has_feature(f, VIRTIO_NET_F_GUEST_TSO6),
                             virtio_has_feature(f, VIRTIO_NET_F_GUEST_ECN),
                             virtio_has_feature(f, VIRTIO_NET_F_GUEST_UFO));
        }
    }
    if (!virtio_has_feature(f, VIRTIO_NET_F_CTRL_VLAN)) {
        /* No VLAN filtering without the feature: every VLAN passes. */
        memset(n->vlans, 0xff, sizeof(n->vlans));
    }
    if (!virtio_has_feature(f, VIRTIO_NET_F_MQ)) {
        vnet_set_pairs(n, 1);
    }
}

static void vnet_reset(VirtIODevice *vdev)
{
    VirtIONet *n = VIRTIO_NET(vdev);
    for (unsigned i = 0; i < n->max_pairs; i++) {
        VirtIONetQueue *q = &n->q[i];
        bh_cancel(q->tx_bh);
        vnet_rx_drop_held(q);
        if (q->tx_async) {
            VirtQueueElement *elem = g_steal_pointer(&q->tx_async);
            qemu_purge_queued_packets(vnet_nc(n, i));
            virtqueue_drop(q->tx, elem);
        }
    }
    vnet_filter_reset(n);
    memcpy(n->mac, n->conf.macaddr.a, 6);
    qemu_format_nic_info_str(qemu_get_queue(n->nic), n->mac);
    n->status &= ~VIRTIO_NET_S_ANNOUNCE;
    n->mergeable = false;
    n->guest_hdr_len = VIRTIO_NET_HDR_LEN;
    n->host_hdr_len = 0;
    n->sw_tx_csum = n->sw_tso = n->sw_rx_csum = false;
    vnet_set_pairs(n, 1);
}

static const VirtIODeviceOps vnet_ops = {
    .get_config = vnet_get_config,
    .set_config = vnet_set_config,
    .reset = vnet_reset,
    .set_features = vnet_set_features,
};

static NetClientInfo vnet_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NICState),
    .receive = vnet_receive,
    .receive_iov = vnet_receive_iov,
    .can_receive = vnet_can_receive,
    .link_status_changed = vnet_link_status_changed,
};

/* ---- device ---- */

static void vnet_realize_vdev(VirtIOPCIProxy *proxy, Error **errp)
{
    VirtIONetPCI *d = VIRTIO_NET_PCI(proxy);
    VirtIONet *n = &d->net;
    DeviceState *dev = DEVICE(proxy);

    if (!qemu_nic_conf_resolve(&n->conf, TYPE_VIRTIO_NET_PCI, errp)) {
        return;
    }
    int queues = MAX(n->conf.queues, 1);
    if (n->mq && queues > VNET_MAX_PAIRS) {
        error_setg(errp, "virtio-net-pci: the netdev has %d queues, at most %d pairs are "
                   "supported", queues, VNET_MAX_PAIRS);
        return;
    }
    n->max_pairs = n->mq ? queues : 1;
    n->conf.queues = n->max_pairs;
    if (!fw_cfg_add_bootindex(dev, n->conf.bootindex, "/ethernet-phy@0", errp)) {
        return;
    }

    VirtIODevice *vdev = &n->vdev;
    virtio_init(vdev, "virtio-net", VIRTIO_ID_NET, VIRTIO_NET_CONFIG_SIZE, &vnet_ops);
    vdev->host_features |= (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS) |
                           (1ull << VIRTIO_NET_F_MRG_RXBUF) |
                           (1ull << VIRTIO_NET_F_CTRL_VQ) | (1ull << VIRTIO_NET_F_CTRL_RX) |
                           (1ull << VIRTIO_NET_F_CTRL_RX_EXTRA) |
                           (1ull << VIRTIO_NET_F_CTRL_VLAN) |
                           (1ull << VIRTIO_NET_F_CTRL_MAC_ADDR) |
                           (1ull << VIRTIO_NET_F_GUEST_ANNOUNCE);
    if (n->mq) {
        vdev->host_features |= 1ull << VIRTIO_NET_F_MQ;
    }
    NetClientState *peer = n->conf.peers[0];
    n->peer_vnet_hdr = peer && qemu_has_vnet_hdr(peer);
    if (n->peer_vnet_hdr) {
        /* Offloads only where the backend can carry them (tap with vnet_hdr). */
        vdev->host_features |= (1ull << VIRTIO_NET_F_CSUM) |
                               (1ull << VIRTIO_NET_F_GUEST_CSUM) |
                               (1ull << VIRTIO_NET_F_HOST_TSO4) |
                               (1ull << VIRTIO_NET_F_HOST_TSO6) |
                               (1ull << VIRTIO_NET_F_HOST_ECN) |
                               (1ull << VIRTIO_NET_F_GUEST_TSO4) |
                               (1ull << VIRTIO_NET_F_GUEST_TSO6) |
                               (1ull << VIRTIO_NET_F_GUEST_ECN);
        if (qemu_has_ufo(peer)) {
            vdev->host_features |= (1ull << VIRTIO_NET_F_HOST_UFO) |
                                   (1ull << VIRTIO_NET_F_GUEST_UFO);
        }
        for (unsigned i = 0; i < n->max_pairs; i++) {
            if (n->conf.peers[i]) {
                qemu_using_vnet_hdr(n->conf.peers[i], true);
            }
        }
    } else {
        /*
         * The backend takes plain frames: offer checksum and TCP segmentation
         * offload anyway and do them in software (net/offload.c). Under TCG
         * the guest's own checksum loops and per-segment work cost far more
         * than one native pass here.
         */
        vdev->host_features |= (1ull << VIRTIO_NET_F_CSUM) |
                               (1ull << VIRTIO_NET_F_GUEST_CSUM) |
                               (1ull << VIRTIO_NET_F_HOST_TSO4) |
                               (1ull << VIRTIO_NET_F_HOST_TSO6);
    }
    /* csum=off and guest_csum=off take a direction's offloads away (§5.1.3.1). */
    if (!n->csum) {
        vdev->host_features &= ~((1ull << VIRTIO_NET_F_CSUM) |
                                 (1ull << VIRTIO_NET_F_HOST_TSO4) |
                                 (1ull << VIRTIO_NET_F_HOST_TSO6) |
                                 (1ull << VIRTIO_NET_F_HOST_ECN) |
                                 (1ull << VIRTIO_NET_F_HOST_UFO));
    }
    if (!n->guest_csum) {
        vdev->host_features &= ~((1ull << VIRTIO_NET_F_GUEST_CSUM) |
                                 (1ull << VIRTIO_NET_F_GUEST_TSO4) |
                                 (1ull << VIRTIO_NET_F_GUEST_TSO6) |
                                 (1ull << VIRTIO_NET_F_GUEST_ECN) |
                                 (1ull << VIRTIO_NET_F_GUEST_UFO));
    }
    for (unsigned i = 0; i < n->max_pairs; i++) {
        VirtIONetQueue *q = &n->q[i];
        q->n = n;
        q->index = i;
        q->rx = virtio_add_queue(vdev, VNET_QUEUE_SIZE, vnet_handle_rx);
        q->tx = virtio_add_queue(vdev, VNET_QUEUE_SIZE, vnet_handle_tx);
        q->tx_bh = bh_new(vnet_tx_bh, q);
        if (!n->peer_vnet_hdr) {
            q->tx_frame = g_malloc(NET_MAX_FRAME);
            q->tx_seg = g_malloc(NET_MAX_FRAME);
        }
        g_queue_init(&q->rx_held);
    }
    n->ctrl = virtio_add_queue(vdev, VNET_CTRL_QUEUE_SIZE, vnet_handle_ctrl);

    /* Named by its id, else "virtio-net-pci.N" by the core, as QEMU. */
    n->nic = qemu_new_nic(&vnet_info, &n->conf, "virtio-net-pci", dev->id, n);
    memcpy(n->mac, n->conf.macaddr.a, 6);
    n->status = qemu_get_queue(n->nic)->link_down ? 0 : VIRTIO_NET_S_LINK_UP;
    vnet_filter_reset(n);
    n->guest_hdr_len = VIRTIO_NET_HDR_LEN;
    n->curr_pairs = 1;
    qemu_format_nic_info_str(qemu_get_queue(n->nic), n->mac);
    proxy->vdev = vdev;
}

static void vnet_unrealize_vdev(VirtIOPCIProxy *proxy)
{
    VirtIONet *n = &VIRTIO_NET_PCI(proxy)->net;
    for (unsigned i = 0; i < n->max_pairs; i++) {
        VirtIONetQueue *q = &n->q[i];
        vnet_rx_drop_held(q);
        if (q->tx_async) {
            virtqueue_drop(q->tx, g_steal_pointer(&q->tx_async));
        }
        bh_delete(q->tx_bh);
        q->tx_bh = NULL;
        g_free(q->tx_frame);
        g_free(q->tx_seg);
        q->tx_frame = q->tx_seg = NULL;
    }
    if (n->nic) {
        qemu_del_nic(n->nic);
        n->nic = NULL;
    }
    fw_cfg_del_bootindex(DEVICE(proxy));
    virtio_cleanup(&n->vdev);
}

static const Property vnet_props[] = {
    DEFINE_NIC_PROPERTIES(VirtIONetPCI, net.conf),
    DEFINE_PROP_INT32("bootindex", VirtIONetPCI, net.conf.bootindex, -1),
    DEFINE_PROP_BOOL("mq", VirtIONetPCI, net.mq, false),
    DEFINE_PROP_BOOL("csum", VirtIONetPCI, net.csum, true),
    DEFINE_PROP_BOOL("guest_csum", VirtIONetPCI, net.guest_csum, true),
    DEFINE_PROP_END_OF_LIST(),
};

static void vnet_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    VirtIOPCIClass *vc = VIRTIO_PCI_CLASS(oc);

    dc->desc = "Virtio network device";
    dc->category = DEVICE_CATEGORY_NETWORK;
    dc->user_creatable = true;
    device_class_set_props(dc, vnet_props);
    pc->class_id = 0x0200;      /* ethernet controller */
    pc->device_id = 0x1000;
    vc->legacy_device_id = 0x1000;
    vc->realize_vdev = vnet_realize_vdev;
    vc->unrealize_vdev = vnet_unrealize_vdev;
}

static const TypeInfo vnet_types[] = {
    {
        .name = TYPE_VIRTIO_NET_PCI,
        .parent = TYPE_VIRTIO_PCI,
        .instance_size = sizeof(VirtIONetPCI),
        .class_init = vnet_class_init,
    },
};
DEFINE_TYPES(vnet_types)
