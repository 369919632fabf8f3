/*
 * Packed virtqueues (virtio 1.2 §2.8) driven through virtio-blk-pci with
 * packed=on, as a driver would: VIRTIO_F_RING_PACKED negotiation, requests
 * whose data is checked byte for byte against the image file on the host
 * (pread is the oracle), many more requests than the ring has slots so both
 * wrap counters flip and chains straddle the end of the ring, indirect
 * tables, event suppression in both directions (driver area ENABLE/DISABLE/
 * DESC with EVENT_IDX, the device area the device writes), and hostile
 * descriptors: each must set DEVICE_NEEDS_RESET and a reset brings the
 * device back.
 */
#include "libqvirtio.h"
#include <fcntl.h>
#include <unistd.h>

#define SLOT 4
#define DEV BDF(SLOT, 0)
#define MSG_RAM 0x10000

#define RING QVIRTIO_RINGS     /* queue 0's descriptor ring (libqvirtio layout) */
#define DRIVER_AREA (RING + QVIRTIO_AVAIL_OFF) /* driver event suppression */
#define DEVICE_AREA (RING + QVIRTIO_USED_OFF)  /* device event suppression */
#define HDR 0x200000
#define STATUS 0x201000
#define DATA 0x210000
#define INDIRECT 0x300000
#define QSIZE 16
#define IMG_SIZE (1 << 20)

enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4 };

static uint8_t pattern(uint64_t i)
{
    return (uint8_t)(i * 13 + (i >> 9) * 7 + 3);
}

static QVirtioDev *dev_start(const char *extra)
{
    char *img = qvirtio_image_new("virtio-packed-XXXXXX.img", IMG_SIZE, pattern);
    g_autofree char *args = g_strdup_printf(
        "-machine pc -m 64M -nic none -drive id=d0,if=none,format=raw,file=%s "
        "-device virtio-blk-pci,drive=d0,addr=%02x.0%s", img, SLOT, extra ? extra : "");
    QVirtioDev *d = qvirtio_start(SLOT, args);
    d->image = img;
    return d;
}

/* Negotiate a packed ring and set queue 0 up (§3.1.1, §2.8); DRIVER_OK. */
static void start(QVirtioDev *d, uint64_t features, uint16_t vector, uint16_t qsize)
{
    g_assert_true(qvirtio_negotiate(d, VIRTIO_F_VERSION_1 | VIRTIO_F_RING_PACKED |
                                    features));
    qvirtio_setup_queue(d, 0, qsize, vector);
    qvirtio_driver_ok(d);
}

static void put_hdr(QVirtioDev *d, uint64_t at, uint32_t type, uint64_t sector)
{
    qtest_writel(d->s, at, type);
    qtest_writel(d->s, at + 4, 0);
    qtest_writeq(d->s, at + 8, sector);
}

/* Header, data, status in three slots; returns the status byte. */
static uint8_t blk_req(QVirtioDev *d, uint32_t type, uint64_t sector, uint32_t len, uint16_t id)
{
    put_hdr(d, HDR, type, sector);
    qtest_writeb(d->s, STATUS, 0xee);
    QVirtioBuf b[3] = {
        { HDR, 16, 0 },
        { DATA, len, type == T_OUT ? 0 : D_WRITE },
        { STATUS, 1, D_WRITE },
    };
    qvirtio_packed_post(d, 0, b, 3, id, true);
    uint32_t used_len;
    g_assert_cmpuint(qvirtio_packed_wait_used(d, 0, &used_len), ==, id);
    uint8_t st = qtest_readb(d->s, STATUS);
    if (st == 0) {
        g_assert_cmpuint(used_len, ==, (type == T_IN ? len : 0) + 1);
    }
    return st;
}

static void check_read(QVirtioDev *d, uint64_t at, uint64_t sector, uint32_t len)
{
    g_autofree uint8_t *got = g_malloc(len), *want = g_malloc(len);
    qtest_memread(d->s, at, got, len);
    qvirtio_image_read(d->image, sector * 512, want, len);
    g_assert_cmpmem(got, len, want, len);
}

/* ---- tests ---- */

static void test_features(void)
{
    QVirtioDev *d = dev_start(NULL);
    /* packed=off by default (QEMU 7.2): not offered, so refused. */
    g_assert_false(qvirtio_host_features(d) & VIRTIO_F_RING_PACKED);
    g_assert_false(qvirtio_negotiate(d, VIRTIO_F_VERSION_1 | VIRTIO_F_RING_PACKED));
    qvirtio_free(d);

    d = dev_start(",packed=on");
    g_assert_true(qvirtio_host_features(d) & VIRTIO_F_RING_PACKED);
    g_assert_true(qvirtio_negotiate(d, VIRTIO_F_VERSION_1 | VIRTIO_F_RING_PACKED));
    /* §2.8: a packed queue's size need not be a power of two. */
    qtest_writew(d->s, d->common + VC_Q_SELECT, 0);
    qtest_writew(d->s, d->common + VC_Q_SIZE, 12);
    g_assert_cmpuint(qtest_readw(d->s, d->common + VC_Q_SIZE), ==, 12);
    /* A split ring still refuses it. */
    g_assert_true(qvirtio_negotiate(d, VIRTIO_F_VERSION_1));
    qtest_writew(d->s, d->common + VC_Q_SIZE, 12);
    g_assert_cmpuint(qtest_readw(d->s, d->common + VC_Q_SIZE), ==, 256);
    qvirtio_free(d);
}

static void test_rw(void)
{
    QVirtioDev *d = dev_start(",packed=on");
    start(d, 0, 0xffff, QSIZE);
    qtest_memset(d->s, DATA, 0x55, 4096);
    g_assert_cmpuint(blk_req(d, T_IN, 5, 4096, 3), ==, 0);
    check_read(d, DATA, 5, 4096);

    uint8_t buf[2048];
    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = i * 29 + 11;
    }
    qtest_memwrite(d->s, DATA, buf, sizeof(buf));
    g_assert_cmpuint(blk_req(d, T_OUT, 200, sizeof(buf), 7), ==, 0);
    uint8_t file[sizeof(buf) + 2];
    qvirtio_image_read(d->image, 200 * 512 - 1, file, sizeof(file));
    g_assert_cmpmem(file + 1, sizeof(buf), buf, sizeof(buf));
    g_assert_cmpuint(file[0], ==, pattern(200 * 512 - 1));
    g_assert_cmpuint(file[sizeof(file) - 1], ==, pattern(204 * 512));
    /* Beyond the end of the disk: IOERR through the packed ring too. */
    g_assert_cmpuint(blk_req(d, T_IN, IMG_SIZE / 512, 512, 0), ==, 1);
    g_assert_cmphex(qvirtio_status(d) & S_NEEDS_RESET, ==, 0);
    qvirtio_free(d);
}

static void test_wrap(void)
{
    QVirtioDev *d = dev_start(",packed=on");
    start(d, 0, 0xffff, QSIZE);
    /*
     * 3-slot requests in a 16-slot ring: 50 of them pass the end of the ring
     * nine times, with chains split across it (16 is not a multiple of 3).
     */
    for (unsigned n = 0; n < 50; n++) {
        uint64_t sector = (n * 37) % (IMG_SIZE / 512 - 8);
        qtest_memset(d->s, DATA, 0, 1024);
        g_assert_cmpuint(blk_req(d, T_IN, sector, 1024, n % QSIZE), ==, 0);
        check_read(d, DATA, sector, 1024);
    }

    /* Several in flight at once, posted before one notification. */
    QVirtioBuf b[4][3];
    for (unsigned i = 0; i < 4; i++) {
        put_hdr(d, HDR + 16 * i, T_IN, 40 + i);
        b[i][0] = (QVirtioBuf){ HDR + 16 * i, 16, 0 };
        b[i][1] = (QVirtioBuf){ DATA + 512 * i, 512, D_WRITE };
        b[i][2] = (QVirtioBuf){ STATUS + i, 1, D_WRITE };
        qvirtio_packed_post(d, 0, b[i], 3, 10 + i, i == 3);
    }
    bool seen[4] = { false };
    for (unsigned i = 0; i < 4; i++) {
        uint16_t id = qvirtio_packed_wait_used(d, 0, NULL);
        g_assert_cmpuint(id, >=, 10);
        g_assert_cmpuint(id, <, 14);
        seen[id - 10] = true;
    }
    for (unsigned i = 0; i < 4; i++) {
        g_assert_true(seen[i]);
        g_assert_cmpuint(qtest_readb(d->s, STATUS + i), ==, 0);
        check_read(d, DATA + 512 * i, 40 + i, 512);
    }
    qvirtio_free(d);
}

static void test_indirect(void)
{
    QVirtioDev *d = dev_start(",packed=on");
    start(d, VIRTIO_F_INDIRECT, 0xffff, QSIZE);
    for (unsigned round = 0; round < 20; round++) {
        uint64_t sector = 3 + round * 11;
        put_hdr(d, HDR, T_IN, sector);
        qtest_writeb(d->s, STATUS, 0xee);
        /* §2.8.7: the table's descriptors are used in order, NEXT or not. */
        qvirtio_packed_write_desc(d, INDIRECT, HDR, 16, 0, 0);
        qvirtio_packed_write_desc(d, INDIRECT + 16, DATA, 512, 0, D_WRITE);
        qvirtio_packed_write_desc(d, INDIRECT + 32, DATA + 512, 1024, 0, D_WRITE);
        qvirtio_packed_write_desc(d, INDIRECT + 48, STATUS, 1, 0, D_WRITE);
        QVirtioBuf b = { INDIRECT, 64, D_INDIRECT };
        qvirtio_packed_post(d, 0, &b, 1, 5, true);
        uint32_t len;
        g_assert_cmpuint(qvirtio_packed_wait_used(d, 0, &len), ==, 5);
        g_assert_cmpuint(len, ==, 1537);
        g_assert_cmpuint(qtest_readb(d->s, STATUS), ==, 0);
        check_read(d, DATA, sector, 1536);
    }
    qvirtio_free(d);
}

static void msix_setup(QVirtioDev *d)
{
    qvirtio_msix_setup(d, 2, MSG_RAM, 0x4000);
}

static uint32_t take_msg(QVirtioDev *d)
{
    uint32_t v = qtest_readl(d->s, MSG_RAM + 4);
    qtest_writel(d->s, MSG_RAM + 4, 0);
    return v;
}

static void test_event_suppression(void)
{
    QVirtioDev *d = dev_start(",packed=on");
    QTestState *s = d->s;
    msix_setup(d);
    start(d, 0, 1, QSIZE);
    /* Driver area flags ENABLE (0): every completion interrupts. */
    g_assert_cmpuint(blk_req(d, T_IN, 0, 512, 0), ==, 0);
    g_assert_cmphex(take_msg(d), ==, 0x4001);
    /* DISABLE (1): none (§2.8.10). */
    qtest_writew(s, DRIVER_AREA + 2, 1);
    g_assert_cmpuint(blk_req(d, T_IN, 1, 512, 1), ==, 0);
    g_assert_cmphex(take_msg(d), ==, 0);
    qtest_writew(s, DRIVER_AREA + 2, 0);
    g_assert_cmpuint(blk_req(d, T_IN, 1, 512, 1), ==, 0);
    g_assert_cmphex(take_msg(d), ==, 0x4001);
    qvirtio_free(d);

    /* EVENT_IDX: DESC mode with off_wrap, and the device area. */
    d = dev_start(",packed=on");
    s = d->s;
    msix_setup(d);
    start(d, VIRTIO_F_EVENT_IDX, 1, QSIZE);
    qtest_writew(s, DRIVER_AREA, 0 | 1 << 15);     /* slot 0, wrap 1 */
    qtest_writew(s, DRIVER_AREA + 2, 2);
    g_assert_cmpuint(blk_req(d, T_IN, 0, 512, 0), ==, 0);   /* uses slot 0 */
    g_assert_cmphex(take_msg(d), ==, 0x4001);
    /* The device wants a notification for the next slot: 3, wrap 1, DESC. */
    g_assert_cmphex(qtest_readw(s, DEVICE_AREA), ==, 3 | 1 << 15);
    g_assert_cmphex(qtest_readw(s, DEVICE_AREA + 2), ==, 2);
    /* Event at slot 9: completions through slots 3 and 6 stay quiet. */
    qtest_writew(s, DRIVER_AREA, 9 | 1 << 15);
    g_assert_cmpuint(blk_req(d, T_IN, 1, 512, 1), ==, 0);
    g_assert_cmpuint(blk_req(d, T_IN, 2, 512, 2), ==, 0);
    g_assert_cmphex(take_msg(d), ==, 0);
    /* The one written at slot 9 interrupts. */
    g_assert_cmpuint(blk_req(d, T_IN, 3, 512, 3), ==, 0);
    g_assert_cmphex(take_msg(d), ==, 0x4001);
    /* An event slot passed before the last interrupt (11): quiet. */
    qtest_writew(s, DRIVER_AREA, 11 | 1 << 15);
    g_assert_cmpuint(blk_req(d, T_IN, 4, 512, 4), ==, 0);     /* slot 12 */
    g_assert_cmphex(take_msg(d), ==, 0);
    /* An event in the next lap (slot 2, wrap 0): quiet until the ring wraps. */
    qtest_writew(s, DRIVER_AREA, 2);
    g_assert_cmpuint(blk_req(d, T_IN, 5, 512, 5), ==, 0);     /* slots 15, 0, 1 */
    g_assert_cmphex(take_msg(d), ==, 0);
    g_assert_cmpuint(blk_req(d, T_IN, 6, 512, 6), ==, 0);     /* slot 2 */
    g_assert_cmphex(take_msg(d), ==, 0x4001);
    g_assert_cmphex(qtest_readw(s, DEVICE_AREA), ==, 5);       /* slot 5, wrap 0 */
    qvirtio_free(d);
}

/* ---- hostile descriptors ---- */

typedef void HostileFn(QVirtioDev *d);

static void h_loop(QVirtioDev *d)
{
    /* Every slot says NEXT: a chain longer than the ring. */
    for (unsigned i = 0; i < QSIZE; i++) {
        qvirtio_packed_write_desc(d, RING + 16 * i, DATA, 16, 0, D_NEXT | D_AVAIL);
    }
    qtest_writew(d->s, d->notify, 0);
}

static void h_id(QVirtioDev *d)
{
    QVirtioBuf b[2] = { { HDR, 16, 0 }, { STATUS, 1, D_WRITE } };
    put_hdr(d, HDR, T_FLUSH, 0);
    qvirtio_packed_post(d, 0, b, 2, 0, false);
    qtest_writew(d->s, RING + 16 + 12, QSIZE + 3);      /* the last one's id */
    qtest_writew(d->s, d->notify, 0);
}

static void h_outside_ram(QVirtioDev *d)
{
    QVirtioBuf b[3] = {
        { HDR, 16, 0 }, { 0x7ffff0000000ull, 512, D_WRITE }, { STATUS, 1, D_WRITE },
    };
    put_hdr(d, HDR, T_IN, 0);
    qvirtio_packed_post(d, 0, b, 3, 0, true);
}

static void h_mmio(QVirtioDev *d)
{
    QVirtioBuf b[3] = { { HDR, 16, 0 }, { QVIRTIO_BAR4, 512, D_WRITE }, { STATUS, 1, D_WRITE } };
    put_hdr(d, HDR, T_IN, 0);
    qvirtio_packed_post(d, 0, b, 3, 0, true);
}

static void h_zero_len(QVirtioDev *d)
{
    QVirtioBuf b[3] = { { HDR, 16, 0 }, { DATA, 0, D_WRITE }, { STATUS, 1, D_WRITE } };
    put_hdr(d, HDR, T_IN, 0);
    qvirtio_packed_post(d, 0, b, 3, 0, true);
}

static void h_order(QVirtioDev *d)
{
    QVirtioBuf b[2] = { { STATUS, 1, D_WRITE }, { HDR, 16, 0 } };
    qvirtio_packed_post(d, 0, b, 2, 0, true);
}

static void h_oversized(QVirtioDev *d)
{
    QVirtioBuf b[3] = { { HDR, 16, 0 }, { DATA, 0xfffffff0u, 0 }, { STATUS, 1, D_WRITE } };
    put_hdr(d, HDR, T_OUT, 0);
    qvirtio_packed_post(d, 0, b, 3, 0, true);
}

static void h_indirect_next(QVirtioDev *d)
{
    QVirtioBuf b[2] = { { INDIRECT, 32, D_INDIRECT }, { STATUS, 1, D_WRITE } };
    qvirtio_packed_post(d, 0, b, 2, 0, true);
}

static void h_indirect_nested(QVirtioDev *d)
{
    qvirtio_packed_write_desc(d, INDIRECT, INDIRECT, 32, 0, D_INDIRECT);
    qvirtio_packed_write_desc(d, INDIRECT + 16, STATUS, 1, 0, D_WRITE);
    QVirtioBuf b = { INDIRECT, 32, D_INDIRECT };
    qvirtio_packed_post(d, 0, &b, 1, 0, true);
}

static void h_indirect_len(QVirtioDev *d)
{
    QVirtioBuf b = { INDIRECT, 33, D_INDIRECT };
    qvirtio_packed_post(d, 0, &b, 1, 0, true);
}

static void h_indirect_huge(QVirtioDev *d)
{
    QVirtioBuf b = { INDIRECT, 0x100000, D_INDIRECT };
    qvirtio_packed_post(d, 0, &b, 1, 0, true);
}

static void h_indirect_no_feature(QVirtioDev *d)
{
    qvirtio_packed_write_desc(d, INDIRECT, HDR, 16, 0, 0);
    QVirtioBuf b = { INDIRECT, 16, D_INDIRECT };
    qvirtio_packed_post(d, 0, &b, 1, 0, true);
}

static void h_ring_outside(QVirtioDev *d)
{
    /* The descriptor ring on top of the I/O APIC. */
    QTestState *s = d->s;
    g_assert_true(qvirtio_negotiate(d, VIRTIO_F_VERSION_1 | VIRTIO_F_RING_PACKED));
    qtest_writew(s, d->common + VC_Q_SELECT, 0);
    qtest_writew(s, d->common + VC_Q_SIZE, QSIZE);
    qtest_writeq(s, d->common + VC_Q_DESC, 0xfec00000);
    qtest_writeq(s, d->common + VC_Q_DRIVER, DRIVER_AREA);
    qtest_writeq(s, d->common + VC_Q_DEVICE, DEVICE_AREA);
    qtest_writew(s, d->common + VC_Q_ENABLE, 1);
    qvirtio_set_status(d, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    qtest_writew(s, d->notify, 0);
}

static void test_hostile(void)
{
    static const struct {
        const char *name;
        HostileFn *fn;
        uint64_t features;
    } cases[] = {
        { "loop", h_loop, 0 }, { "id", h_id, 0 }, { "outside-ram", h_outside_ram, 0 },
        { "mmio", h_mmio, 0 }, { "zero-len", h_zero_len, 0 }, { "order", h_order, 0 },
        { "oversized", h_oversized, 0 },
        { "indirect-next", h_indirect_next, VIRTIO_F_INDIRECT },
        { "indirect-nested", h_indirect_nested, VIRTIO_F_INDIRECT },
        { "indirect-len", h_indirect_len, VIRTIO_F_INDIRECT },
        { "indirect-huge", h_indirect_huge, VIRTIO_F_INDIRECT },
        { "indirect-no-feature", h_indirect_no_feature, 0 },
        { "ring-outside", h_ring_outside, 0 },
    };
    QVirtioDev *d = dev_start(",packed=on");
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        if (g_test_verbose()) {
            g_printerr("hostile: %s\n", cases[i].name);
        }
        start(d, cases[i].features, 0xffff, QSIZE);
        cases[i].fn(d);
        g_assert_cmphex(qvirtio_status(d) & S_NEEDS_RESET, ==, S_NEEDS_RESET);
        g_assert_cmpuint(qtest_readl(d->s, d->device), ==, IMG_SIZE / 512);
        /* A reset brings it back; the ring starts over at slot 0, wrap 1. */
        start(d, 0, 0xffff, QSIZE);
        g_assert_cmphex(qvirtio_status(d) & S_NEEDS_RESET, ==, 0);
        g_assert_cmpuint(blk_req(d, T_IN, 11, 512, 2), ==, 0);
        check_read(d, DATA, 11, 512);
    }
    qvirtio_free(d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-packed/features", test_features);
    g_test_add_func("/virtio-packed/read-write", test_rw);
    g_test_add_func("/virtio-packed/wrap", test_wrap);
    g_test_add_func("/virtio-packed/indirect", test_indirect);
    g_test_add_func("/virtio-packed/event-suppression", test_event_suppression);
    g_test_add_func("/virtio-packed/hostile", test_hostile);
    return g_test_run();
}
