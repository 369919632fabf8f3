/*
 * virtio-rng-pci (virtio 1.2 §5.4) driven like Linux's virtio_rng: PCI IDs
 * (1af4:1005 transitional, 1af4:1044 modern-only), one queue, device-writable
 * buffers filled with host randomness (each buffer must come back with its
 * full length, none of the test's fill pattern left, and two buffers must
 * differ), the max-bytes/period rate limit on the virtual clock (qtest steps
 * it), and hostile buffers (outside RAM: NEEDS_RESET; read-only: returned
 * empty).
 */
#include "libqvirtio.h"

#define SLOT 5
#define DEV BDF(SLOT, 0)
#define BUF 0x300000

static QVirtioDev *rng_start(const char *extra)
{
    g_autofree char *args = g_strdup_printf("-machine pc -m 64M -nic none -device "
                                            "virtio-rng-pci,addr=%02x.0%s", SLOT,
                                            extra ? extra : "");
    return qvirtio_start(SLOT, args);
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
    QVirtioDev *d = rng_start(NULL);
    QTestState *s = d->s;
    g_assert_cmphex(cfg_readw(s, DEV, PCI_VENDOR_ID), ==, 0x1af4);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_DEVICE_ID), ==, 0x1005);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_SUBSYSTEM_ID), ==, 4);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_CLASS_DEVICE), ==, 0x00ff);
    g_assert_cmpuint(qtest_readw(s, d->common + VC_NUM_QUEUES), ==, 1);   /* num_queues */
    g_assert_true(qvirtio_host_features(d) & VIRTIO_F_VERSION_1);
    qvirtio_free(d);
    d = rng_start(",disable-legacy=on");
    g_assert_cmphex(cfg_readw(d->s, DEV, PCI_DEVICE_ID), ==, 0x1044);
    qvirtio_free(d);
    expect_start_failure("-machine pc -nic none -device virtio-rng-pci,period=0", "period");
}

static void test_random(void)
{
    QVirtioDev *d = rng_start(NULL);
    qvirtio_go(d, 0, 1, 8);
    uint8_t a[256], b[256];
    /* Two buffers in one chain (a Linux driver uses one; the spec allows any). */
    qtest_memset(d->s, BUF, 0xa5, 0x2000);
    QVirtioBuf bufs[2] = { { BUF, 100, D_WRITE }, { BUF + 0x1000, 156, D_WRITE } };
    uint16_t h = qvirtio_add_chain(d, 0, bufs, 2, true);
    g_assert_cmpuint(qvirtio_wait_used(d, 0, h), ==, 256);
    qtest_memread(d->s, BUF, a, 100);
    qtest_memread(d->s, BUF + 0x1000, a + 100, 156);
    /* The byte after the buffer is untouched. */
    g_assert_cmpuint(qtest_readb(d->s, BUF + 100), ==, 0xa5);
    QVirtioBuf one = { BUF + 0x1000, 256, D_WRITE };
    h = qvirtio_add_chain(d, 0, &one, 1, true);
    g_assert_cmpuint(qvirtio_wait_used(d, 0, h), ==, 256);
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
    qvirtio_free(d);
}

static void test_rate_limit(void)
{
    /* 100 bytes per 1000 ms of guest time. */
    QVirtioDev *d = rng_start(",max-bytes=100,period=1000");
    qvirtio_go(d, 0, 1, 8);
    qtest_memset(d->s, BUF, 0, 0x4000);
    QVirtioBuf b1 = { BUF, 64, D_WRITE }, b2 = { BUF + 0x1000, 64, D_WRITE };
    QVirtioBuf b3 = { BUF + 0x2000, 64, D_WRITE };
    uint16_t h1 = qvirtio_add_chain(d, 0, &b1, 1, false);
    uint16_t h2 = qvirtio_add_chain(d, 0, &b2, 1, false);
    uint16_t h3 = qvirtio_add_chain(d, 0, &b3, 1, true);
    g_assert_cmpuint(qvirtio_wait_used(d, 0, h1), ==, 64);
    g_assert_cmpuint(qvirtio_wait_used(d, 0, h2), ==, 36);     /* the rest of the quota */
    uint32_t id, len;
    g_usleep(50 * 1000);
    g_assert_false(qvirtio_get_used(d, 0, &id, &len));          /* the third waits */
    qvirtio_kick(d, 0);
    g_assert_false(qvirtio_get_used(d, 0, &id, &len));
    qtest_clock_step(d->s, 999 * 1000000ll);
    g_assert_false(qvirtio_get_used(d, 0, &id, &len));
    qtest_clock_step(d->s, 2 * 1000000ll);                 /* the next period */
    g_assert_cmpuint(qvirtio_wait_used(d, 0, h3), ==, 64);
    uint8_t got[64];
    qtest_memread(d->s, BUF + 0x2000, got, 64);
    g_assert_cmpuint(count_fill(got, 64, 0), <, 8);
    qvirtio_free(d);
}

static void test_hostile(void)
{
    QVirtioDev *d = rng_start(NULL);
    qvirtio_go(d, 0, 1, 8);
    /* Read-only buffer: nothing to fill, returned with length 0, no reset. */
    QVirtioBuf ro = { BUF, 64, 0 };
    uint16_t h = qvirtio_add_chain(d, 0, &ro, 1, true);
    g_assert_cmpuint(qvirtio_wait_used(d, 0, h), ==, 0);
    g_assert_cmphex(qvirtio_status(d) & S_NEEDS_RESET, ==, 0);
    /* A buffer beyond RAM: the device needs a reset. */
    QVirtioBuf out = { 0x7ff000000000ull, 64, D_WRITE };
    qvirtio_add_chain(d, 0, &out, 1, true);
    g_assert_cmphex(qvirtio_status(d) & S_NEEDS_RESET, ==, S_NEEDS_RESET);
    /* Reset and it serves again. */
    qvirtio_go(d, 0, 1, 8);
    QVirtioBuf ok = { BUF, 32, D_WRITE };
    h = qvirtio_add_chain(d, 0, &ok, 1, true);
    g_assert_cmpuint(qvirtio_wait_used(d, 0, h), ==, 32);
    qvirtio_free(d);
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
