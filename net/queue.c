/*
 * The incoming queue of one receiver: frames its peer sent while it could
 * not take them, kept in arrival order until it flushes (include/net/net.h,
 * "Flow control").
 *
 * Order is kept strictly: while anything waits, a new frame goes behind it
 * even if the receiver could take it, and only a flush (called by the
 * receiver when it has room) delivers. A frame from a sender with a sent
 * callback is always kept, since that sender stops reading its host fd
 * until the callback; other senders' frames are dropped once the queue
 * holds NET_QUEUE_MAX_LEN, so a guest that never posts RX buffers costs
 * bounded memory.
 */
#include "net/net-internal.h"

typedef struct NetPacket {
    NetClientState *sender;
    NetPacketSent *sent_cb;
    size_t size;
    uint8_t data[];
} NetPacket;

struct NetQueue {
    NetQueueDeliverFunc *deliver;
    void *opaque;
    GQueue packets;         /* of NetPacket * */
    bool delivering;        /* a flush is running: new frames queue behind */
};

NetQueue *net_queue_new(NetQueueDeliverFunc *deliver, void *opaque)
{
    NetQueue *q = g_new0(NetQueue, 1);
    q->deliver = deliver;
    q->opaque = opaque;
    g_queue_init(&q->packets);
    return q;
}

void net_queue_free(NetQueue *queue)
{
    if (!queue) {
        return;
    }
    net_queue_purge(queue, NULL);
    g_free(queue);
}

unsigned net_queue_len(NetQueue *queue)
{
    return g_queue_get_length(&queue->packets);
}

static void net_queue_append(NetQueue *queue, NetClientState *sender,
                             const struct iovec *iov, int iovcnt, NetPacketSent *sent_cb)
{
    size_t size = net_iov_size(iov, iovcnt);
    NetPacket *p = g_malloc(sizeof(*p) + size);
    size_t off = 0;

    p->sender = sender;
    p->sent_cb = sent_cb;
    p->size = size;
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len) {
            memcpy(p->data + off, iov[i].iov_base, iov[i].iov_len);
            off += iov[i].iov_len;
        }
    }
    g_queue_push_tail(&queue->packets, p);
}

ssize_t net_queue_send_iov(NetQueue *queue, NetClientState *sender, const struct iovec *iov,
                           int iovcnt, NetPacketSent *sent_cb)
{
    size_t size = net_iov_size(iov, iovcnt);

    if (queue->delivering || !g_queue_is_empty(&queue->packets)) {
        if (!sent_cb && net_queue_len(queue) >= NET_QUEUE_MAX_LEN) {
            return size;    /* dropped, as a full NIC would */
        }
        net_queue_append(queue, sender, iov, iovcnt, sent_cb);
        return 0;
    }

    queue->delivering = true;
    ssize_t ret = queue->deliver(sender, iov, iovcnt, queue->opaque);
    queue->delivering = false;
    if (ret == 0) {
        net_queue_append(queue, sender, iov, iovcnt, sent_cb);
        return 0;
    }
    return ret;
}

bool net_queue_flush(NetQueue *queue)
{
    if (queue->delivering) {
        return false;
    }
    while (!g_queue_is_empty(&queue->packets)) {
        NetPacket *p = g_queue_peek_head(&queue->packets);
        struct iovec iov = { .iov_base = p->data, .iov_len = p->size };

        queue->delivering = true;
        ssize_t ret = queue->deliver(p->sender, &iov, 1, queue->opaque);
        queue->delivering = false;
        if (ret == 0) {
            return false;   /* still full: keep it at the head */
        }
        g_queue_pop_head(&queue->packets);
        if (p->sent_cb) {
            p->sent_cb(p->sender, ret);
        }
        g_free(p);
    }
    return true;
}

void net_queue_purge(NetQueue *queue, NetClientState *from)
{
    GQueue gone = G_QUEUE_INIT;
    GList *l = queue->packets.head;

    while (l) {
        GList *next = l->next;
        NetPacket *p = l->data;
        if (!from || p->sender == from) {
            g_queue_unlink(&queue->packets, l);
            g_queue_push_tail_link(&gone, l);
        }
        l = next;
    }
    /* Callbacks last: a sender told its frame is gone may send again at once. */
    NetPacket *p;
    while ((p = g_queue_pop_head(&gone))) {
        if (p->sent_cb) {
            p->sent_cb(p->sender, 0);
        }
        g_free(p);
    }
}
