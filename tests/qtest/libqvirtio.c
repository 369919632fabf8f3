/*
 * The qtests' virtio-pci driver: see libqvirtio.h. Every access is one a
 * guest driver makes, through configuration cycles, the BARs and guest RAM.
 */
#include "libqvirtio.h"
#include <fcntl.h>
#include <unistd.h>

/* ---- transport (§4.1.4) ---- */

uint8_t qvirtio_cap_of_type(QVirtioDev *d, uint8_t type)
{
    uint8_t pos = cfg_readb(d->s, d->bdf, PCI_CAPABILITY_LIST) & ~3;
    for (int n = 0; pos && n < 48; n++) {
        if (cfg_readb(d->s, d->bdf, pos) == PCI_CAP_ID_VNDR &&
            cfg_readb(d->s, d->bdf, pos + 3) == type) {
            return pos;
        }
        pos = cfg_readb(d->s, d->bdf, pos + 1) & ~3;
    }
    return 0;
}

/* Where the structure of capability @type is mapped; all live in BAR 4. */
static uint64_t cap_addr(QVirtioDev *d, uint8_t type)
{
    uint8_t pos = qvirtio_cap_of_type(d, type);
    g_assert_cmpuint(pos, !=, 0);
    g_assert_cmpuint(cfg_readb(d->s, d->bdf, pos + 4), ==, 4);    /* bar */
    return QVIRTIO_BAR4 + cfg_readl(d->s, d->bdf, pos + 8);
}

QVirtioDev *qvirtio_attach(QTestState *s, int slot)
{
    QVirtioDev *d = g_new0(QVirtioDev, 1);
    d->s = s;
    d->bdf = BDF(slot, 0);
    cfg_writel(s, d->bdf, PCI_BASE_ADDRESS_0, QVIRTIO_IOBASE);
    cfg_writel(s, d->bdf, PCI_BASE_ADDRESS_0 + 4, QVIRTIO_MSIX_BAR);
    cfg_writel(s, d->bdf, PCI_BASE_ADDRESS_0 + 16, (uint32_t)QVIRTIO_BAR4);
    cfg_writel(s, d->bdf, PCI_BASE_ADDRESS_0 + 20, QVIRTIO_BAR4 >> 32);
    cfg_writew(s, d->bdf, PCI_COMMAND,
               PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    if (qvirtio_cap_of_type(d, QVIRTIO_CAP_COMMON)) {
        d->common = cap_addr(d, QVIRTIO_CAP_COMMON);
        d->notify = cap_addr(d, QVIRTIO_CAP_NOTIFY);
        d->isr = cap_addr(d, QVIRTIO_CAP_ISR);
        d->device = cap_addr(d, QVIRTIO_CAP_DEVICE);
        /* notify_off_multiplier follows the common cap fields (§4.1.4.4) */
        d->notify_mult = cfg_readl(s, d->bdf, qvirtio_cap_of_type(d, QVIRTIO_CAP_NOTIFY) + 16);
    }
    return d;
}

QVirtioDev *qvirtio_start(int slot, const char *args)
{
    return qvirtio_attach(qtest_init(args), slot);
}

void qvirtio_free(QVirtioDev *d)
{
    qtest_quit(d->s);
    if (d->image) {
        unlink(d->image);
        g_free(d->image);
    }
    g_free(d);
}

/* ---- status and features (§2.1, §2.2, §3.1.1) ---- */

uint8_t qvirtio_status(QVirtioDev *d)
{
    if (d->legacy) {
        return qtest_inb(d->s, QVIRTIO_IOBASE + 0x12);
    }
    return qtest_readb(d->s, d->common + VC_STATUS);
}

void qvirtio_set_status(QVirtioDev *d, uint8_t v)
{
    if (d->legacy) {
        qtest_outb(d->s, QVIRTIO_IOBASE + 0x12, v);
    } else {
        qtest_writeb(d->s, d->common + VC_STATUS, v);
    }
}

uint64_t qvirtio_host_features(QVirtioDev *d)
{
    qtest_writel(d->s, d->common + VC_DFSELECT, 0);
    uint64_t lo = qtest_readl(d->s, d->common + VC_DF);
    qtest_writel(d->s, d->common + VC_DFSELECT, 1);
    return lo | (uint64_t)qtest_readl(d->s, d->common + VC_DF) << 32;
}

bool qvirtio_negotiate(QVirtioDev *d, uint64_t features)
{
    d->legacy = false;
    d->features = features;
    qvirtio_set_status(d, 0);
    g_assert_cmphex(qvirtio_status(d), ==, 0);          /* reset done */
    qvirtio_set_status(d, S_ACK);
    qvirtio_set_status(d, S_ACK | S_DRIVER);
    qtest_writel(d->s, d->common + VC_GFSELECT, 0);
    qtest_writel(d->s, d->common + VC_GF, (uint32_t)features);
    qtest_writel(d->s, d->common + VC_GFSELECT, 1);
    qtest_writel(d->s, d->common + VC_GF, features >> 32);
    qvirtio_set_status(d, S_ACK | S_DRIVER | S_FEATURES_OK);
    return qvirtio_status(d) & S_FEATURES_OK;
}

void qvirtio_driver_ok(QVirtioDev *d)
{
    qvirtio_set_status(d, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

void qvirtio_go(QVirtioDev *d, uint64_t features, unsigned nq, uint16_t size)
{
    g_assert_true(qvirtio_negotiate(d, VIRTIO_F_VERSION_1 | features));
    for (unsigned q = 0; q < nq; q++) {
        qvirtio_setup_queue(d, q, size, 0xffff);
    }
    qvirtio_driver_ok(d);
}

/* ---- queue setup (§4.1.4.3, §2.7, §2.8) ---- */

void qvirtio_setup_queue(QVirtioDev *d, unsigned q, uint16_t size, uint16_t vector)
{
    QTestState *s = d->s;
    QVirtQueue *vq = &d->vq[q];
    bool packed = d->features & VIRTIO_F_RING_PACKED;

    g_assert_cmpuint(q, <, QVIRTIO_MAXQ);

    memset(vq, 0, sizeof(*vq));
    vq->desc = QVIRTIO_RINGS + q * QVIRTIO_RING_STRIDE;
    vq->avail = vq->desc + QVIRTIO_AVAIL_OFF;
    vq->used = vq->desc + QVIRTIO_USED_OFF;
    vq->size = size;
    if (packed) {
        /* A zeroed ring: no descriptor is available (§2.8.22). */
        qtest_memset(s, vq->desc, 0, 32 * size);
        qtest_memset(s, vq->avail, 0, 4);
        qtest_memset(s, vq->used, 0, 4);
        vq->avail_wrap = vq->used_wrap = true;
    } else {
        qtest_memset(s, vq->avail, 0, QVIRTIO_RING_STRIDE - QVIRTIO_AVAIL_OFF);
    }
    qtest_writew(s, d->common + VC_Q_SELECT, q);
    qtest_writew(s, d->common + VC_Q_SIZE, size);
    qtest_writew(s, d->common + VC_Q_MSIX, vector);
    qtest_writeq(s, d->common + VC_Q_DESC, vq->desc);
    /* 64-bit fields may be written in halves too (§4.1.3.1) */
    qtest_writel(s, d->common + VC_Q_DRIVER, (uint32_t)vq->avail);
    qtest_writel(s, d->common + VC_Q_DRIVER + 4, vq->avail >> 32);
    qtest_writeq(s, d->common + VC_Q_DEVICE, vq->used);
    qtest_writew(s, d->common + VC_Q_ENABLE, 1);
    g_assert_cmpuint(qtest_readw(s, d->common + VC_Q_ENABLE), ==, 1);
}

/* ---- split rings (§2.7) ---- */

void qvirtio_set_desc(QVirtioDev *d, uint64_t table, unsigned i, uint64_t addr,
                      uint32_t len, uint16_t flags, uint16_t next)
{
    uint64_t a = table + 16 * i;
    qtest_writeq(d->s, a, addr);
    qtest_writel(d->s, a + 8, len);
    qtest_writew(d->s, a + 12, flags);
    qtest_writew(d->s, a + 14, next);
}

void qvirtio_avail_push(QVirtioDev *d, unsigned q, uint16_t head)
{
    QVirtQueue *vq = &d->vq[q];
    qtest_writew(d->s, vq->avail + 4 + 2 * (vq->avail_idx % vq->size), head);
    vq->avail_idx++;
    qtest_writew(d->s, vq->avail + 2, vq->avail_idx);
}

uint16_t qvirtio_add_chain(QVirtioDev *d, unsigned q, const QVirtioBuf *b, unsigned n,
                           bool notify)
{
    QVirtQueue *vq = &d->vq[q];
    uint16_t head = vq->next_desc;
    for (unsigned i = 0; i < n; i++) {
        uint16_t idx = (head + i) % vq->size, next = (head + i + 1) % vq->size;
        qvirtio_set_desc(d, vq->desc, idx, b[i].addr, b[i].len,
                         b[i].flags | (i + 1 < n ? D_NEXT : 0), next);
    }
    vq->next_desc = (head + n) % vq->size;
    qvirtio_avail_push(d, q, head);
    if (notify) {
        qvirtio_kick(d, q);
    }
    return head;
}

/* §4.1.4.4: queue q's notify address is notify + queue_notify_off * multiplier;
 * emu gives queue q notify_off q. Legacy: the queue index to QUEUE_NOTIFY. */
void qvirtio_kick(QVirtioDev *d, unsigned q)
{
    if (d->legacy) {
        qtest_outw(d->s, QVIRTIO_IOBASE + 0x10, q);
    } else {
        qtest_writew(d->s, d->notify + q * d->notify_mult, q);
    }
}

bool qvirtio_get_used(QVirtioDev *d, unsigned q, uint32_t *id, uint32_t *len)
{
    QVirtQueue *vq = &d->vq[q];
    if (qtest_readw(d->s, vq->used + 2) == vq->used_seen) {
        return false;
    }
    uint64_t e = vq->used + 4 + 8 * (vq->used_seen % vq->size);
    vq->used_seen++;
    *id = qtest_readl(d->s, e);
    *len = qtest_readl(d->s, e + 4);
    return true;
}

bool qvirtio_try_used(QVirtioDev *d, unsigned q, uint32_t *id, uint32_t *len, int ms)
{
    for (int i = 0; i < ms; i++) {
        if (qvirtio_get_used(d, q, id, len)) {
            return true;
        }
        g_usleep(1000);
    }
    return false;
}

uint32_t qvirtio_wait_used(QVirtioDev *d, unsigned q, uint32_t head)
{
    uint32_t id, len;
    if (!qvirtio_try_used(d, q, &id, &len, 10000)) {
        g_error("queue %u: no used entry after 10 s", q);
    }
    g_assert_cmpuint(id, ==, head);
    return len;
}

/* ---- packed rings (§2.8) ---- */

void qvirtio_packed_write_desc(QVirtioDev *d, uint64_t a, uint64_t addr, uint32_t len,
                               uint16_t id, uint16_t flags)
{
    qtest_writeq(d->s, a, addr);
    qtest_writel(d->s, a + 8, len);
    qtest_writew(d->s, a + 12, id);
    qtest_writew(d->s, a + 14, flags);
}

/*
 * §2.8.6: consecutive slots, the wrap counter flipping at the end of the
 * ring; the head is first written not-available and its flags last, so the
 * device never sees a half-written chain.
 */
void qvirtio_packed_post(QVirtioDev *d, unsigned q, const QVirtioBuf *b, unsigned n,
                         uint16_t id, bool notify)
{
    QVirtQueue *vq = &d->vq[q];
    unsigned head = vq->pk_avail;
    uint16_t head_flags = 0;
    for (unsigned i = 0; i < n; i++) {
        uint16_t f = b[i].flags | (i + 1 < n ? D_NEXT : 0) |
                     (vq->avail_wrap ? D_AVAIL : D_USED);
        uint64_t a = vq->desc + 16 * vq->pk_avail;
        if (i == 0) {
            head_flags = f;
            qvirtio_packed_write_desc(d, a, b[i].addr, b[i].len, id,
                                      vq->avail_wrap ? D_USED : D_AVAIL);
        } else {
            qvirtio_packed_write_desc(d, a, b[i].addr, b[i].len, id, f);
        }
        if (++vq->pk_avail == vq->size) {
            vq->pk_avail = 0;
            vq->avail_wrap = !vq->avail_wrap;
        }
    }
    g_assert_cmpuint(id, <, QVIRTIO_MAX_IDS);
    vq->chain_len[id] = n;
    qtest_writew(d->s, vq->desc + 16 * head + 14, head_flags);
    if (notify) {
        qvirtio_kick(d, q);
    }
}

/* §2.8.1: used when AVAIL and USED both equal the driver's used wrap counter. */
bool qvirtio_packed_used_ready(QVirtioDev *d, unsigned q)
{
    QVirtQueue *vq = &d->vq[q];
    uint16_t f = qtest_readw(d->s, vq->desc + 16 * vq->pk_used + 14);
    bool a = f & D_AVAIL, u = f & D_USED;
    return a == u && a == vq->used_wrap;
}

uint16_t qvirtio_packed_wait_used(QVirtioDev *d, unsigned q, uint32_t *len)
{
    QVirtQueue *vq = &d->vq[q];
    for (int i = 0; i < 10000 && !qvirtio_packed_used_ready(d, q); i++) {
        g_usleep(1000);
    }
    g_assert_true(qvirtio_packed_used_ready(d, q));
    uint64_t a = vq->desc + 16 * vq->pk_used;
    uint16_t id = qtest_readw(d->s, a + 12);
    if (len) {
        *len = qtest_readl(d->s, a + 8);
    }
    g_assert_cmpuint(id, <, vq->size);
    /* §2.8.7: one used descriptor stands for the whole chain */
    vq->pk_used += vq->chain_len[id];
    if (vq->pk_used >= vq->size) {
        vq->pk_used -= vq->size;
        vq->used_wrap = !vq->used_wrap;
    }
    return id;
}

/* ---- MSI-X (PCI 3.0 §6.8.2) ---- */

void qvirtio_msix_setup(QVirtioDev *d, unsigned nvec, uint64_t msg_addr, uint32_t data_base)
{
    QTestState *s = d->s;
    uint8_t cap = cfg_find_cap(s, d->bdf, PCI_CAP_ID_MSIX);
    g_assert_cmpuint(cap, !=, 0);
    g_assert_cmpuint((cfg_readw(s, d->bdf, cap + 2) & 0x7ff) + 1, >=, nvec);
    for (unsigned v = 0; v < nvec; v++) {
        /* table entry: address low/high, data, vector control (unmasked) */
        qtest_writel(s, QVIRTIO_MSIX_BAR + 16 * v, msg_addr + 4 * v);
        qtest_writel(s, QVIRTIO_MSIX_BAR + 16 * v + 4, (msg_addr + 4 * v) >> 32);
        qtest_writel(s, QVIRTIO_MSIX_BAR + 16 * v + 8, data_base + v);
        qtest_writel(s, QVIRTIO_MSIX_BAR + 16 * v + 12, 0);
    }
    cfg_writew(s, d->bdf, cap + 2, PCI_MSIX_FLAGS_ENABLE);
    qtest_memset(s, msg_addr, 0, 4 * nvec);
}

/* ---- device configuration (§4.1.4.6) ---- */

uint8_t qvirtio_config_readb(QVirtioDev *d, uint32_t off)
{
    return qtest_readb(d->s, d->device + off);
}

uint16_t qvirtio_config_readw(QVirtioDev *d, uint32_t off)
{
    return qtest_readw(d->s, d->device + off);
}

uint32_t qvirtio_config_readl(QVirtioDev *d, uint32_t off)
{
    return qtest_readl(d->s, d->device + off);
}

uint64_t qvirtio_config_readq(QVirtioDev *d, uint32_t off)
{
    return qtest_readq(d->s, d->device + off);
}

/* ---- disk images for virtio-blk ---- */

char *qvirtio_image_new(const char *tmpl, size_t size, uint8_t (*pattern)(uint64_t))
{
    char *path = NULL;
    int fd = g_file_open_tmp(tmpl, &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    g_autofree uint8_t *buf = g_malloc(size);
    for (uint64_t i = 0; i < size; i++) {
        buf[i] = pattern(i);
    }
    g_assert_cmpint(pwrite(fd, buf, size, 0), ==, (ssize_t)size);
    close(fd);
    return path;
}

void qvirtio_image_read(const char *path, uint64_t off, void *buf, size_t len)
{
    int fd = open(path, O_RDONLY);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pread(fd, buf, len, off), ==, (ssize_t)len);
    close(fd);
}
