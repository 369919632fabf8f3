/*
 * virtio-balloon-pci (virtio 1.2 §5.5) driven like Linux's virtio_balloon,
 * with the monitor commands a user types: PCI IDs (1af4:1002 / 1045), three
 * queues and VIRTIO_BALLOON_F_STATS_VQ, `balloon SIZE` setting num_pages to
 * (RAM - SIZE) / 4 KiB with a configuration-change interrupt, `info balloon`
 * and query-balloon following the driver's `actual`, inflated pages given
 * back to the host (MADV_DONTNEED: they read back as zeroes, the kernel's
 * documented behaviour for private anonymous memory), PFNs outside RAM
 * ignored, and the statistics buffer held and returned every polling
 * interval of guest time.
 */
#include "pci-helpers.h"

#define SLOT 6
#define DEV BDF(SLOT, 0)
#define PAGES 0x400000          /* guest pages the test balloons */
#define PFN_BUF 0x300000
#define STATS_BUF 0x301000

/* ---- a small split-ring driver (virtio 1.2 §3.1.1, §4.1, §2.7) ---- */

#define BAR4 0xfe000000ull
#define MSIX_BAR 0xfebf0000u
#define RINGS 0x100000          /* queue q: desc +0, avail +0x4000, used +0x8000 */
#define RING_STRIDE 0x10000
#define F_VERSION_1 (1ull << 32)
#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 0x40
#define D_NEXT 1
#define D_WRITE 2
#define MAXQ 8

typedef struct VQ {
    uint64_t desc, avail, used;
    uint16_t size, avail_idx, used_seen, next_desc;
} VQ;

typedef struct Dev {
    QTestState *s;
    uint64_t common, isr, device, notify;
    VQ vq[MAXQ];
} Dev;

typedef struct Buf {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
} Buf;

static inline uint8_t cap_of_type(QTestState *s, uint8_t type)
{
    uint8_t pos = cfg_readb(s, DEV, PCI_CAPABILITY_LIST) & ~3;
    for (int n = 0; pos && n < 48; n++) {
        if (cfg_readb(s, DEV, pos) == PCI_CAP_ID_VNDR && cfg_readb(s, DEV, pos + 3) == type) {
            return pos;
        }
        pos = cfg_readb(s, DEV, pos + 1) & ~3;
    }
    return 0;
}

static inline uint64_t cap_addr(QTestState *s, uint8_t type)
{
    uint8_t pos = cap_of_type(s, type);
    g_assert_cmpuint(pos, !=, 0);
    return BAR4 + cfg_readl(s, DEV, pos + 8);
}

static inline Dev *dev_start_args(const char *args)
{
    Dev *d = g_new0(Dev, 1);
    d->s = qtest_init(args);
    QTestState *s = d->s;
    cfg_writel(s, DEV, PCI_BASE_ADDRESS_0 + 4, MSIX_BAR);
    cfg_writel(s, DEV, PCI_BASE_ADDRESS_0 + 16, (uint32_t)BAR4);
    cfg_writel(s, DEV, PCI_BASE_ADDRESS_0 + 20, BAR4 >> 32);
    cfg_writew(s, DEV, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    d->common = cap_addr(s, 1);
    d->notify = cap_addr(s, 2);
    d->isr = cap_addr(s, 3);
    d->device = cap_addr(s, 4);
    return d;
}

static inline void dev_free(Dev *d)
{
    qtest_quit(d->s);
    g_free(d);
}

static inline uint8_t status(Dev *d)
{
    return qtest_readb(d->s, d->common + 0x14);
}

static inline void set_status(Dev *d, uint8_t v)
{
    qtest_writeb(d->s, d->common + 0x14, v);
}

static inline uint64_t host_features(Dev *d)
{
    qtest_writel(d->s, d->common + 0x00, 0);
    uint64_t lo = qtest_readl(d->s, d->common + 0x04);
    qtest_writel(d->s, d->common + 0x00, 1);
    return lo | (uint64_t)qtest_readl(d->s, d->common + 0x04) << 32;
}

static inline bool negotiate(Dev *d, uint64_t features)
{
    set_status(d, 0);
    set_status(d, S_ACK | S_DRIVER);
    qtest_writel(d->s, d->common + 0x08, 0);
    qtest_writel(d->s, d->common + 0x0c, (uint32_t)features);
    qtest_writel(d->s, d->common + 0x08, 1);
    qtest_writel(d->s, d->common + 0x0c, features >> 32);
    set_status(d, S_ACK | S_DRIVER | S_FEATURES_OK);
    return status(d) & S_FEATURES_OK;
}

static inline void vq_setup(Dev *d, unsigned q, uint16_t size)
{
    QTestState *s = d->s;
    VQ *vq = &d->vq[q];
    vq->desc = RINGS + (uint64_t)q * RING_STRIDE;
    vq->avail = vq->desc + 0x4000;
    vq->used = vq->desc + 0x8000;
    vq->size = size;
    vq->avail_idx = vq->used_seen = vq->next_desc = 0;
    qtest_memset(s, vq->avail, 0, 0x1000);
    qtest_memset(s, vq->used, 0, 0x1000);
    qtest_writew(s, d->common + 0x16, q);
    qtest_writew(s, d->common + 0x18, size);
    qtest_writeq(s, d->common + 0x20, vq->desc);
    qtest_writeq(s, d->common + 0x28, vq->avail);
    qtest_writeq(s, d->common + 0x30, vq->used);
    qtest_writew(s, d->common + 0x1c, 1);
}

/* Negotiate @features and set up @nq queues of @size each; DRIVER_OK. */
static inline void dev_go(Dev *d, uint64_t features, unsigned nq, uint16_t size)
{
    g_assert_true(negotiate(d, F_VERSION_1 | features));
    for (unsigned q = 0; q < nq; q++) {
        vq_setup(d, q, size);
    }
    set_status(d, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

/* Make a chain of @n buffers available on queue @q; returns its head. */
static inline uint16_t vq_add(Dev *d, unsigned q, const Buf *b, unsigned n, bool notify)
{
    QTestState *s = d->s;
    VQ *vq = &d->vq[q];
    uint16_t head = vq->next_desc;
    for (unsigned i = 0; i < n; i++) {
        uint16_t idx = (head + i) % vq->size, next = (head + i + 1) % vq->size;
        uint64_t a = vq->desc + 16 * idx;
        qtest_writeq(s, a, b[i].addr);
        qtest_writel(s, a + 8, b[i].len);
        qtest_writew(s, a + 12, b[i].flags | (i + 1 < n ? D_NEXT : 0));
        qtest_writew(s, a + 14, next);
    }
    vq->next_desc = (head + n) % vq->size;
    qtest_writew(s, vq->avail + 4 + 2 * (vq->avail_idx % vq->size), head);
    vq->avail_idx++;
    qtest_writew(s, vq->avail + 2, vq->avail_idx);
    if (notify) {
        qtest_writew(s, d->notify + 4 * q, q);
    }
    return head;
}

static inline void vq_kick(Dev *d, unsigned q)
{
    qtest_writew(d->s, d->notify + 4 * q, q);
}

/* The next used entry of queue @q if there is one. */
static inline bool vq_get_used(Dev *d, unsigned q, uint32_t *id, uint32_t *len)
{
    VQ *vq = &d->vq[q];
    if (qtest_readw(d->s, vq->used + 2) == vq->used_seen) {
        return false;
    }
    uint64_t e = vq->used + 4 + 8 * (vq->used_seen % vq->size);
    vq->used_seen++;
    *id = qtest_readl(d->s, e);
    *len = qtest_readl(d->s, e + 4);
    return true;
}

/* Wait up to 5 s (host time) for a used entry; its len, and check its id. */
static inline uint32_t vq_wait_used(Dev *d, unsigned q, uint16_t head)
{
    uint32_t id, len;
    for (int i = 0; i < 5000; i++) {
        if (vq_get_used(d, q, &id, &len)) {
            g_assert_cmpuint(id, ==, head);
            return len;
        }
        g_usleep(1000);
    }
    g_error("queue %u: no used entry after 5 s", q);
}

static Dev *balloon_start(const char *extra)
{
    g_autofree char *args = g_strdup_printf("-machine pc -m 64M -nic none -device "
                                            "virtio-balloon-pci,addr=%02x.0%s", SLOT,
                                            extra ? extra : "");
    return dev_start_args(args);
}

static void test_ids(void)
{
    Dev *d = balloon_start(NULL);
    QTestState *s = d->s;
    g_assert_cmphex(cfg_readw(s, DEV, PCI_DEVICE_ID), ==, 0x1002);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_SUBSYSTEM_ID), ==, 5);
    g_assert_cmpuint(qtest_readw(s, d->common + 0x12), ==, 3);
    g_assert_true(host_features(d) & (1ull << 1));           /* STATS_VQ */
    g_assert_false(host_features(d) & (1ull << 2));          /* DEFLATE_ON_OOM */
    g_assert_cmpuint(qtest_readl(s, d->device), ==, 0);      /* num_pages */
    dev_free(d);
    d = balloon_start(",disable-legacy=on,deflate-on-oom=on");
    g_assert_cmphex(cfg_readw(d->s, DEV, PCI_DEVICE_ID), ==, 0x1045);
    g_assert_true(host_features(d) & (1ull << 2));
    dev_free(d);
}

static void test_monitor(void)
{
    Dev *d = balloon_start(NULL);
    QTestState *s = d->s;
    dev_go(d, 1ull << 1, 3, 64);
    g_assert_cmphex(qtest_readb(s, d->isr), ==, 0);
    g_autofree char *o1 = hmp(s, "info balloon");
    g_assert_nonnull(strstr(o1, "balloon: actual=64\n"));

    /* balloon 48 on 64 MiB: the guest should give up 16 MiB = 4096 pages. */
    g_autofree char *o2 = hmp(s, "balloon 48");
    g_assert_cmpstr(o2, ==, "");
    g_assert_cmpuint(qtest_readl(s, d->device), ==, 4096);
    g_assert_cmphex(qtest_readb(s, d->isr), ==, 2);          /* configuration change */
    /* Until the driver reports, nothing changed. */
    g_autofree char *o3 = hmp(s, "info balloon");
    g_assert_nonnull(strstr(o3, "balloon: actual=64\n"));
    qtest_writel(s, d->device + 4, 4096);                     /* actual */
    g_autofree char *o4 = hmp(s, "info balloon");
    g_assert_nonnull(strstr(o4, "balloon: actual=48\n"));
    JsonNode *r = qtest_qmp(s, "{'execute': 'query-balloon'}");
    JsonNode *ret = qtest_qmp_return(r);
    g_assert_nonnull(ret);
    g_assert_cmpint(json_object_get_int_member(json_node_get_object(ret), "actual"), ==,
                    48 << 20);
    json_node_unref(r);

    /* QMP takes bytes; more than RAM means no balloon at all. */
    r = qtest_qmp(s, "{'execute': 'balloon', 'arguments': {'value': %d}}", 60 << 20);
    g_assert_nonnull(qtest_qmp_return(r));
    json_node_unref(r);
    g_assert_cmpuint(qtest_readl(s, d->device), ==, 1024);
    g_autofree char *o5 = hmp(s, "balloon 4096");
    g_assert_cmpuint(qtest_readl(s, d->device), ==, 0);
    g_autofree char *o6 = hmp(s, "balloon 0");
    g_assert_nonnull(strstr(o6, "expects a size"));
    g_assert_cmpuint(qtest_readl(s, d->device), ==, 0);
    /* The driver cannot move num_pages. */
    qtest_writel(s, d->device, 77);
    g_assert_cmpuint(qtest_readl(s, d->device), ==, 0);
    dev_free(d);

    /* No balloon device. */
    QTestState *q = qtest_init("-machine pc -m 64M -nic none");
    g_autofree char *o7 = hmp(q, "balloon 32");
    g_assert_nonnull(strstr(o7, "No balloon device"));
    qtest_quit(q);
}

static void test_inflate_deflate(void)
{
    Dev *d = balloon_start(NULL);
    QTestState *s = d->s;
    dev_go(d, 1ull << 1, 3, 64);
    qtest_memset(s, PAGES, 0x5a, 4 * 4096);
    /* Pages 1 and 3 of the four, a PFN beyond RAM, one in the BIOS ROM. */
    uint32_t pfns[4] = { (PAGES >> 12) + 1, (PAGES >> 12) + 3, 0x7fffff, 0xfffff };
    qtest_memwrite(s, PFN_BUF, pfns, sizeof(pfns));
    Buf b = { PFN_BUF, sizeof(pfns), 0 };
    uint16_t h = vq_add(d, 0, &b, 1, true);
    g_assert_cmpuint(vq_wait_used(d, 0, h), ==, 0);
    g_assert_cmphex(status(d) & S_NEEDS_RESET, ==, 0);
    uint8_t page[4096];
    for (int p = 0; p < 4; p++) {
        qtest_memread(s, PAGES + 4096 * p, page, sizeof(page));
        unsigned zero = 0, fill = 0;
        for (int i = 0; i < 4096; i++) {
            zero += page[i] == 0;
            fill += page[i] == 0x5a;
        }
        /* Ballooned pages went back to the host; the others kept their bytes. */
        g_assert_cmpuint(p & 1 ? zero : fill, ==, 4096);
    }
    g_autofree char *info = hmp(s, "info balloon");
    g_assert_nonnull(strstr(info, "inflated 2 deflated 0 discarded 2 bad 2"));
    /* Deflate them: the pages are the guest's again and hold what it writes. */
    h = vq_add(d, 1, &b, 1, true);
    g_assert_cmpuint(vq_wait_used(d, 1, h), ==, 0);
    qtest_writel(s, PAGES + 4096 + 8, 0x12345678);
    g_assert_cmphex(qtest_readl(s, PAGES + 4096 + 8), ==, 0x12345678);
    g_autofree char *info2 = hmp(s, "info balloon");
    g_assert_nonnull(strstr(info2, "inflated 2 deflated 2"));
    dev_free(d);
}

static void put_stat(QTestState *s, uint64_t at, uint16_t tag, uint64_t val)
{
    qtest_writew(s, at, tag);
    qtest_writeq(s, at + 2, val);
}

static void test_stats(void)
{
    Dev *d = balloon_start(",guest-stats-polling-interval=2");
    QTestState *s = d->s;
    dev_go(d, 1ull << 1, 3, 64);
    put_stat(s, STATS_BUF, 4, 12345678);         /* free memory */
    put_stat(s, STATS_BUF + 10, 5, 67108864);    /* total memory */
    put_stat(s, STATS_BUF + 20, 99, 1);          /* an unknown tag: ignored */
    Buf b = { STATS_BUF, 30, 0 };
    uint16_t h = vq_add(d, 2, &b, 1, true);
    g_autofree char *info = hmp(s, "info balloon");
    g_assert_nonnull(strstr(info, "free-memory=12345678"));
    g_assert_nonnull(strstr(info, "total-memory=67108864"));
    /* The device keeps the buffer until the interval passes (guest time). */
    uint32_t id, len;
    g_usleep(20 * 1000);
    g_assert_false(vq_get_used(d, 2, &id, &len));
    qtest_clock_step(s, 1900 * 1000000ll);
    g_assert_false(vq_get_used(d, 2, &id, &len));
    qtest_clock_step(s, 200 * 1000000ll);
    g_assert_cmpuint(vq_wait_used(d, 2, h), ==, 0);
    /* The driver refills it with new numbers. */
    put_stat(s, STATS_BUF, 4, 999);
    h = vq_add(d, 2, &b, 1, true);
    g_autofree char *info2 = hmp(s, "info balloon");
    g_assert_nonnull(strstr(info2, "free-memory=999 "));
    qtest_clock_step(s, 2100 * 1000000ll);
    g_assert_cmpuint(vq_wait_used(d, 2, h), ==, 0);
    dev_free(d);

    /* Polling off at start, switched on at run time with qom-set (as QEMU). */
    d = balloon_start(",id=bal");
    s = d->s;
    dev_go(d, 1ull << 1, 3, 64);
    h = vq_add(d, 2, &b, 1, true);
    qtest_clock_step(s, 10000 * 1000000ll);
    g_assert_false(vq_get_used(d, 2, &id, &len));
    g_autofree char *o = hmp(s, "qom-set /machine/peripheral/bal "
                            "guest-stats-polling-interval 3");
    g_assert_cmpstr(o, ==, "");
    qtest_clock_step(s, 1100 * 1000000ll);
    g_assert_cmpuint(vq_wait_used(d, 2, h), ==, 0);
    dev_free(d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-balloon/ids", test_ids);
    g_test_add_func("/virtio-balloon/monitor", test_monitor);
    g_test_add_func("/virtio-balloon/inflate-deflate", test_inflate_deflate);
    g_test_add_func("/virtio-balloon/stats", test_stats);
    return g_test_run();
}
