/*
 * virtio-rng-pci (virtio 1.2 §5.4) driven like Linux's virtio_rng: PCI IDs
 * (1af4:1005 transitional, 1af4:1044 modern-only), one queue, device-writable
 * buffers filled with host randomness (each buffer must come back with its
 * full length, none of the test's fill pattern left, and two buffers must
 * differ), the max-bytes/period rate limit on the virtual clock (qtest steps
 * it), and hostile buffers (outside RAM: NEEDS_RESET; read-only: returned
 * empty).
 */
#include "pci-helpers.h"

#define SLOT 5
#define DEV BDF(SLOT, 0)
#define BUF 0x300000

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

static Dev *rng_start(const char *extra)
{
    g_autofree char *args = g_strdup_printf("-machine pc -m 64M -nic none -device "
                                            "virtio-rng-pci,addr=%02x.0%s", SLOT,
                                            extra ? extra : "");
    return dev_start_args(args);
}

/* Bytes of @buf still equal to the fill value. */
static unsigned count_fill(const uint8_t *buf, size_t len, uint8_t fill)
{
    unsigned n = 0;
    for (size_t i = 0; i < len; i++) {
        n += buf[i] == fill;
    }
    return n;
}

static void test_ids(void)
{
    Dev *d = rng_start(NULL);
    QTestState *s = d->s;
    g_assert_cmphex(cfg_readw(s, DEV, PCI_VENDOR_ID), ==, 0x1af4);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_DEVICE_ID), ==, 0x1005);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_SUBSYSTEM_ID), ==, 4);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_CLASS_DEVICE), ==, 0x00ff);
    g_assert_cmpuint(qtest_readw(s, d->common + 0x12), ==, 1);   /* num_queues */
    g_assert_true(host_features(d) & F_VERSION_1);
    dev_free(d);
    d = rng_start(",disable-legacy=on");
    g_assert_cmphex(cfg_readw(d->s, DEV, PCI_DEVICE_ID), ==, 0x1044);
    dev_free(d);
    expect_start_failure("-machine pc -nic none -device virtio-rng-pci,period=0", "period");
}

static void test_random(void)
{
    Dev *d = rng_start(NULL);
    dev_go(d, 0, 1, 8);
    uint8_t a[256], b[256];
    /* Two buffers in one chain (a Linux driver uses one; the spec allows any). */
    qtest_memset(d->s, BUF, 0xa5, 0x2000);
    Buf bufs[2] = { { BUF, 100, D_WRITE }, { BUF + 0x1000, 156, D_WRITE } };
    uint16_t h = vq_add(d, 0, bufs, 2, true);
    g_assert_cmpuint(vq_wait_used(d, 0, h), ==, 256);
    qtest_memread(d->s, BUF, a, 100);
    qtest_memread(d->s, BUF + 0x1000, a + 100, 156);
    /* The byte after the buffer is untouched. */
    g_assert_cmpuint(qtest_readb(d->s, BUF + 100), ==, 0xa5);
    Buf one = { BUF + 0x1000, 256, D_WRITE };
    h = vq_add(d, 0, &one, 1, true);
    g_assert_cmpuint(vq_wait_used(d, 0, h), ==, 256);
    qtest_memread(d->s, BUF + 0x1000, b, 256);
    /* Random bytes: about 1 in 256 equal a given value; 256 bytes equal to
     * the fill or to each other position by position would be a bug. */
    g_assert_cmpuint(count_fill(a, 256, 0xa5), <, 16);
    unsigned same = 0, ones = 0;
    for (int i = 0; i < 256; i++) {
        same += a[i] == b[i];
        ones += __builtin_popcount(a[i]);
    }
    g_assert_cmpuint(same, <, 16);
    /* 2048 fair bits: mean 1024, sd 22.6; +-8 sd. */
    g_assert_cmpuint(ones, >, 1024 - 181);
    g_assert_cmpuint(ones, <, 1024 + 181);
    dev_free(d);
}

static void test_rate_limit(void)
{
    /* 100 bytes per 1000 ms of guest time. */
    Dev *d = rng_start(",max-bytes=100,period=1000");
    dev_go(d, 0, 1, 8);
    qtest_memset(d->s, BUF, 0, 0x4000);
    Buf b1 = { BUF, 64, D_WRITE }, b2 = { BUF + 0x1000, 64, D_WRITE };
    Buf b3 = { BUF + 0x2000, 64, D_WRITE };
    uint16_t h1 = vq_add(d, 0, &b1, 1, false);
    uint16_t h2 = vq_add(d, 0, &b2, 1, false);
    uint16_t h3 = vq_add(d, 0, &b3, 1, true);
    g_assert_cmpuint(vq_wait_used(d, 0, h1), ==, 64);
    g_assert_cmpuint(vq_wait_used(d, 0, h2), ==, 36);     /* the rest of the quota */
    uint32_t id, len;
    g_usleep(50 * 1000);
    g_assert_false(vq_get_used(d, 0, &id, &len));          /* the third waits */
    vq_kick(d, 0);
    g_assert_false(vq_get_used(d, 0, &id, &len));
    qtest_clock_step(d->s, 999 * 1000000ll);
    g_assert_false(vq_get_used(d, 0, &id, &len));
    qtest_clock_step(d->s, 2 * 1000000ll);                 /* the next period */
    g_assert_cmpuint(vq_wait_used(d, 0, h3), ==, 64);
    uint8_t got[64];
    qtest_memread(d->s, BUF + 0x2000, got, 64);
    g_assert_cmpuint(count_fill(got, 64, 0), <, 8);
    dev_free(d);
}

static void test_hostile(void)
{
    Dev *d = rng_start(NULL);
    dev_go(d, 0, 1, 8);
    /* Read-only buffer: nothing to fill, returned with length 0, no reset. */
    Buf ro = { BUF, 64, 0 };
    uint16_t h = vq_add(d, 0, &ro, 1, true);
    g_assert_cmpuint(vq_wait_used(d, 0, h), ==, 0);
    g_assert_cmphex(status(d) & S_NEEDS_RESET, ==, 0);
    /* A buffer beyond RAM: the device needs a reset. */
    Buf out = { 0x7ff000000000ull, 64, D_WRITE };
    vq_add(d, 0, &out, 1, true);
    g_assert_cmphex(status(d) & S_NEEDS_RESET, ==, S_NEEDS_RESET);
    /* Reset and it serves again. */
    dev_go(d, 0, 1, 8);
    Buf ok = { BUF, 32, D_WRITE };
    h = vq_add(d, 0, &ok, 1, true);
    g_assert_cmpuint(vq_wait_used(d, 0, h), ==, 32);
    dev_free(d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-rng/ids", test_ids);
    g_test_add_func("/virtio-rng/random", test_random);
    g_test_add_func("/virtio-rng/rate-limit", test_rate_limit);
    g_test_add_func("/virtio-rng/hostile", test_hostile);
    return g_test_run();
}
