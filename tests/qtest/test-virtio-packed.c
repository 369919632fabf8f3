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
#include "pci-helpers.h"
#include <fcntl.h>
#include <unistd.h>

#define SLOT 4
#define DEV BDF(SLOT, 0)
#define BAR4 0xfe000000ull
#define MSIX_BAR 0xfebf0000u
#define MSG_RAM 0x10000

#define RING 0x100000           /* descriptor ring */
#define DRIVER_AREA 0x104000    /* driver event suppression (the "avail" address) */
#define DEVICE_AREA 0x108000    /* device event suppression (the "used" address) */
#define HDR 0x200000
#define STATUS 0x201000
#define DATA 0x210000
#define INDIRECT 0x300000
#define QSIZE 16
#define IMG_SIZE (1 << 20)

#define F_INDIRECT (1ull << 28)
#define F_EVENT_IDX (1ull << 29)
#define F_VERSION_1 (1ull << 32)
#define F_RING_PACKED (1ull << 34)

#define D_NEXT 1
#define D_WRITE 2
#define D_INDIRECT 4
#define D_AVAIL (1 << 7)
#define D_USED (1 << 15)

#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 0x40

enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4 };

typedef struct Dev {
    QTestState *s;
    char *img;
    uint64_t common, isr, device, notify;
    /* driver-side ring state (§2.8.1): next slot to fill / to look at */
    unsigned avail, used;
    bool avail_wrap, used_wrap;
    unsigned chain_len[QSIZE];  /* slots taken by each buffer id */
} Dev;

static uint8_t pattern(uint64_t i)
{
    return (uint8_t)(i * 13 + (i >> 9) * 7 + 3);
}

static char *make_image(void)
{
    char *path = NULL;
    int fd = g_file_open_tmp("virtio-packed-XXXXXX.img", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    g_autofree uint8_t *buf = g_malloc(IMG_SIZE);
    for (uint64_t i = 0; i < IMG_SIZE; i++) {
        buf[i] = pattern(i);
    }
    g_assert_cmpint(pwrite(fd, buf, IMG_SIZE, 0), ==, IMG_SIZE);
    close(fd);
    return path;
}

static void img_read(Dev *d, uint64_t off, void *buf, size_t len)
{
    int fd = open(d->img, O_RDONLY);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pread(fd, buf, len, off), ==, (ssize_t)len);
    close(fd);
}

static uint8_t cap_of_type(QTestState *s, uint8_t type)
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

static uint64_t cap_addr(QTestState *s, uint8_t type)
{
    uint8_t pos = cap_of_type(s, type);
    g_assert_cmpuint(pos, !=, 0);
    return BAR4 + cfg_readl(s, DEV, pos + 8);
}

static Dev *dev_start(const char *extra)
{
    Dev *d = g_new0(Dev, 1);
    d->img = make_image();
    d->s = qtest_initf("-machine pc -m 64M -nic none -drive id=d0,if=none,format=raw,file=%s "
                       "-device virtio-blk-pci,drive=d0,addr=%02x.0%s", d->img, SLOT,
                       extra ? extra : "");
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

static void dev_free(Dev *d)
{
    qtest_quit(d->s);
    unlink(d->img);
    g_free(d->img);
    g_free(d);
}

static uint8_t status(Dev *d)
{
    return qtest_readb(d->s, d->common + 0x14);
}

static void set_status(Dev *d, uint8_t v)
{
    qtest_writeb(d->s, d->common + 0x14, v);
}

static uint64_t host_features(Dev *d)
{
    qtest_writel(d->s, d->common + 0x00, 0);
    uint64_t lo = qtest_readl(d->s, d->common + 0x04);
    qtest_writel(d->s, d->common + 0x00, 1);
    return lo | (uint64_t)qtest_readl(d->s, d->common + 0x04) << 32;
}

static bool negotiate(Dev *d, uint64_t features)
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

static void start(Dev *d, uint64_t features, uint16_t vector, uint16_t qsize)
{
    QTestState *s = d->s;
    g_assert_true(negotiate(d, F_VERSION_1 | F_RING_PACKED | features));
    qtest_writew(s, d->common + 0x16, 0);
    qtest_writew(s, d->common + 0x18, qsize);
    qtest_writew(s, d->common + 0x1a, vector);
    qtest_writeq(s, d->common + 0x20, RING);
    qtest_writeq(s, d->common + 0x28, DRIVER_AREA);
    qtest_writeq(s, d->common + 0x30, DEVICE_AREA);
    /* A zeroed ring: no descriptor is available (§2.8.22). */
    qtest_memset(s, RING, 0, 16 * QSIZE * 2);
    qtest_memset(s, DRIVER_AREA, 0, 4);
    qtest_memset(s, DEVICE_AREA, 0, 4);
    qtest_writew(s, d->common + 0x1c, 1);
    set_status(d, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    d->avail = d->used = 0;
    d->avail_wrap = d->used_wrap = true;
}

typedef struct Buf {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;             /* D_WRITE, D_INDIRECT */
} Buf;

static void write_desc(Dev *d, uint64_t a, uint64_t addr, uint32_t len, uint16_t id,
                       uint16_t flags)
{
    qtest_writeq(d->s, a, addr);
    qtest_writel(d->s, a + 8, len);
    qtest_writew(d->s, a + 12, id);
    qtest_writew(d->s, a + 14, flags);
}

/*
 * Make the @n buffers available as one chain with buffer id @id (§2.8.6):
 * consecutive slots, the wrap counter flipping at the end of the ring, the
 * head's flags written last. @notify: kick queue 0.
 */
static void post(Dev *d, const Buf *b, unsigned n, uint16_t id, bool notify)
{
    unsigned head = d->avail;
    uint16_t head_flags = 0;
    for (unsigned i = 0; i < n; i++) {
        uint16_t f = b[i].flags | (i + 1 < n ? D_NEXT : 0) |
                     (d->avail_wrap ? D_AVAIL : D_USED);
        uint64_t a = RING + 16 * d->avail;
        if (i == 0) {
            head_flags = f;
            write_desc(d, a, b[i].addr, b[i].len, id, d->avail_wrap ? D_USED : D_AVAIL);
        } else {
            write_desc(d, a, b[i].addr, b[i].len, id, f);
        }
        if (++d->avail == QSIZE) {
            d->avail = 0;
            d->avail_wrap = !d->avail_wrap;
        }
    }
    d->chain_len[id] = n;
    qtest_writew(d->s, RING + 16 * head + 14, head_flags);
    if (notify) {
        qtest_writew(d->s, d->notify, 0);
    }
}

static bool used_ready(Dev *d)
{
    uint16_t f = qtest_readw(d->s, RING + 16 * d->used + 14);
    bool a = f & D_AVAIL, u = f & D_USED;
    return a == u && a == d->used_wrap;
}

/* The next used descriptor: its buffer id; *len its written length. */
static uint16_t wait_used(Dev *d, uint32_t *len)
{
    for (int i = 0; i < 10000 && !used_ready(d); i++) {
        g_usleep(1000);
    }
    g_assert_true(used_ready(d));
    uint64_t a = RING + 16 * d->used;
    uint16_t id = qtest_readw(d->s, a + 12);
    if (len) {
        *len = qtest_readl(d->s, a + 8);
    }
    g_assert_cmpuint(id, <, QSIZE);
    d->used += d->chain_len[id];
    if (d->used >= QSIZE) {
        d->used -= QSIZE;
        d->used_wrap = !d->used_wrap;
    }
    return id;
}

static void put_hdr(Dev *d, uint64_t at, uint32_t type, uint64_t sector)
{
    qtest_writel(d->s, at, type);
    qtest_writel(d->s, at + 4, 0);
    qtest_writeq(d->s, at + 8, sector);
}

/* Header, data, status in three slots; returns the status byte. */
static uint8_t blk_req(Dev *d, uint32_t type, uint64_t sector, uint32_t len, uint16_t id)
{
    put_hdr(d, HDR, type, sector);
    qtest_writeb(d->s, STATUS, 0xee);
    Buf b[3] = {
        { HDR, 16, 0 },
        { DATA, len, type == T_OUT ? 0 : D_WRITE },
        { STATUS, 1, D_WRITE },
    };
    post(d, b, 3, id, true);
    uint32_t used_len;
    g_assert_cmpuint(wait_used(d, &used_len), ==, id);
    uint8_t st = qtest_readb(d->s, STATUS);
    if (st == 0) {
        g_assert_cmpuint(used_len, ==, (type == T_IN ? len : 0) + 1);
    }
    return st;
}

static void check_read(Dev *d, uint64_t at, uint64_t sector, uint32_t len)
{
    g_autofree uint8_t *got = g_malloc(len), *want = g_malloc(len);
    qtest_memread(d->s, at, got, len);
    img_read(d, sector * 512, want, len);
    g_assert_cmpmem(got, len, want, len);
}

/* ---- tests ---- */

static void test_features(void)
{
    Dev *d = dev_start(NULL);
    /* packed=off by default (QEMU 7.2): not offered, so refused. */
    g_assert_false(host_features(d) & F_RING_PACKED);
    g_assert_false(negotiate(d, F_VERSION_1 | F_RING_PACKED));
    dev_free(d);

    d = dev_start(",packed=on");
    g_assert_true(host_features(d) & F_RING_PACKED);
    g_assert_true(negotiate(d, F_VERSION_1 | F_RING_PACKED));
    /* §2.8: a packed queue's size need not be a power of two. */
    qtest_writew(d->s, d->common + 0x16, 0);
    qtest_writew(d->s, d->common + 0x18, 12);
    g_assert_cmpuint(qtest_readw(d->s, d->common + 0x18), ==, 12);
    /* A split ring still refuses it. */
    g_assert_true(negotiate(d, F_VERSION_1));
    qtest_writew(d->s, d->common + 0x18, 12);
    g_assert_cmpuint(qtest_readw(d->s, d->common + 0x18), ==, 256);
    dev_free(d);
}

static void test_rw(void)
{
    Dev *d = dev_start(",packed=on");
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
    img_read(d, 200 * 512 - 1, file, sizeof(file));
    g_assert_cmpmem(file + 1, sizeof(buf), buf, sizeof(buf));
    g_assert_cmpuint(file[0], ==, pattern(200 * 512 - 1));
    g_assert_cmpuint(file[sizeof(file) - 1], ==, pattern(204 * 512));
    /* Beyond the end of the disk: IOERR through the packed ring too. */
    g_assert_cmpuint(blk_req(d, T_IN, IMG_SIZE / 512, 512, 0), ==, 1);
    g_assert_cmphex(status(d) & S_NEEDS_RESET, ==, 0);
    dev_free(d);
}

static void test_wrap(void)
{
    Dev *d = dev_start(",packed=on");
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
    Buf b[4][3];
    for (unsigned i = 0; i < 4; i++) {
        put_hdr(d, HDR + 16 * i, T_IN, 40 + i);
        b[i][0] = (Buf){ HDR + 16 * i, 16, 0 };
        b[i][1] = (Buf){ DATA + 512 * i, 512, D_WRITE };
        b[i][2] = (Buf){ STATUS + i, 1, D_WRITE };
        post(d, b[i], 3, 10 + i, i == 3);
    }
    bool seen[4] = { false };
    for (unsigned i = 0; i < 4; i++) {
        uint16_t id = wait_used(d, NULL);
        g_assert_cmpuint(id, >=, 10);
        g_assert_cmpuint(id, <, 14);
        seen[id - 10] = true;
    }
    for (unsigned i = 0; i < 4; i++) {
        g_assert_true(seen[i]);
        g_assert_cmpuint(qtest_readb(d->s, STATUS + i), ==, 0);
        check_read(d, DATA + 512 * i, 40 + i, 512);
    }
    dev_free(d);
}

static void test_indirect(void)
{
    Dev *d = dev_start(",packed=on");
    start(d, F_INDIRECT, 0xffff, QSIZE);
    for (unsigned round = 0; round < 20; round++) {
        uint64_t sector = 3 + round * 11;
        put_hdr(d, HDR, T_IN, sector);
        qtest_writeb(d->s, STATUS, 0xee);
        /* §2.8.7: the table's descriptors are used in order, NEXT or not. */
        write_desc(d, INDIRECT, HDR, 16, 0, 0);
        write_desc(d, INDIRECT + 16, DATA, 512, 0, D_WRITE);
        write_desc(d, INDIRECT + 32, DATA + 512, 1024, 0, D_WRITE);
        write_desc(d, INDIRECT + 48, STATUS, 1, 0, D_WRITE);
        Buf b = { INDIRECT, 64, D_INDIRECT };
        post(d, &b, 1, 5, true);
        uint32_t len;
        g_assert_cmpuint(wait_used(d, &len), ==, 5);
        g_assert_cmpuint(len, ==, 1537);
        g_assert_cmpuint(qtest_readb(d->s, STATUS), ==, 0);
        check_read(d, DATA, sector, 1536);
    }
    dev_free(d);
}

static void msix_setup(Dev *d)
{
    QTestState *s = d->s;
    uint8_t cap = cfg_find_cap(s, DEV, PCI_CAP_ID_MSIX);
    for (int v = 0; v < 2; v++) {
        qtest_writel(s, MSIX_BAR + 16 * v, MSG_RAM + 4 * v);
        qtest_writel(s, MSIX_BAR + 16 * v + 4, 0);
        qtest_writel(s, MSIX_BAR + 16 * v + 8, 0x4000 + v);
        qtest_writel(s, MSIX_BAR + 16 * v + 12, 0);
    }
    cfg_writew(s, DEV, cap + 2, 0x8000);
    qtest_writeq(s, MSG_RAM, 0);
}

static uint32_t take_msg(Dev *d)
{
    uint32_t v = qtest_readl(d->s, MSG_RAM + 4);
    qtest_writel(d->s, MSG_RAM + 4, 0);
    return v;
}

static void test_event_suppression(void)
{
    Dev *d = dev_start(",packed=on");
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
    dev_free(d);

    /* EVENT_IDX: DESC mode with off_wrap, and the device area. */
    d = dev_start(",packed=on");
    s = d->s;
    msix_setup(d);
    start(d, F_EVENT_IDX, 1, QSIZE);
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
    dev_free(d);
}

/* ---- hostile descriptors ---- */

typedef void HostileFn(Dev *d);

static void h_loop(Dev *d)
{
    /* Every slot says NEXT: a chain longer than the ring. */
    for (unsigned i = 0; i < QSIZE; i++) {
        write_desc(d, RING + 16 * i, DATA, 16, 0, D_NEXT | D_AVAIL);
    }
    qtest_writew(d->s, d->notify, 0);
}

static void h_id(Dev *d)
{
    Buf b[2] = { { HDR, 16, 0 }, { STATUS, 1, D_WRITE } };
    put_hdr(d, HDR, T_FLUSH, 0);
    post(d, b, 2, 0, false);
    qtest_writew(d->s, RING + 16 + 12, QSIZE + 3);      /* the last one's id */
    qtest_writew(d->s, d->notify, 0);
}

static void h_outside_ram(Dev *d)
{
    Buf b[3] = { { HDR, 16, 0 }, { 0x7ffff0000000ull, 512, D_WRITE }, { STATUS, 1, D_WRITE } };
    put_hdr(d, HDR, T_IN, 0);
    post(d, b, 3, 0, true);
}

static void h_mmio(Dev *d)
{
    Buf b[3] = { { HDR, 16, 0 }, { BAR4, 512, D_WRITE }, { STATUS, 1, D_WRITE } };
    put_hdr(d, HDR, T_IN, 0);
    post(d, b, 3, 0, true);
}

static void h_zero_len(Dev *d)
{
    Buf b[3] = { { HDR, 16, 0 }, { DATA, 0, D_WRITE }, { STATUS, 1, D_WRITE } };
    put_hdr(d, HDR, T_IN, 0);
    post(d, b, 3, 0, true);
}

static void h_order(Dev *d)
{
    Buf b[2] = { { STATUS, 1, D_WRITE }, { HDR, 16, 0 } };
    post(d, b, 2, 0, true);
}

static void h_oversized(Dev *d)
{
    Buf b[3] = { { HDR, 16, 0 }, { DATA, 0xfffffff0u, 0 }, { STATUS, 1, D_WRITE } };
    put_hdr(d, HDR, T_OUT, 0);
    post(d, b, 3, 0, true);
}

static void h_indirect_next(Dev *d)
{
    Buf b[2] = { { INDIRECT, 32, D_INDIRECT }, { STATUS, 1, D_WRITE } };
    post(d, b, 2, 0, true);
}

static void h_indirect_nested(Dev *d)
{
    write_desc(d, INDIRECT, INDIRECT, 32, 0, D_INDIRECT);
    write_desc(d, INDIRECT + 16, STATUS, 1, 0, D_WRITE);
    Buf b = { INDIRECT, 32, D_INDIRECT };
    post(d, &b, 1, 0, true);
}

static void h_indirect_len(Dev *d)
{
    Buf b = { INDIRECT, 33, D_INDIRECT };
    post(d, &b, 1, 0, true);
}

static void h_indirect_huge(Dev *d)
{
    Buf b = { INDIRECT, 0x100000, D_INDIRECT };
    post(d, &b, 1, 0, true);
}

static void h_indirect_no_feature(Dev *d)
{
    write_desc(d, INDIRECT, HDR, 16, 0, 0);
    Buf b = { INDIRECT, 16, D_INDIRECT };
    post(d, &b, 1, 0, true);
}

static void h_ring_outside(Dev *d)
{
    /* The descriptor ring on top of the I/O APIC. */
    QTestState *s = d->s;
    g_assert_true(negotiate(d, F_VERSION_1 | F_RING_PACKED));
    qtest_writew(s, d->common + 0x16, 0);
    qtest_writew(s, d->common + 0x18, QSIZE);
    qtest_writeq(s, d->common + 0x20, 0xfec00000);
    qtest_writeq(s, d->common + 0x28, DRIVER_AREA);
    qtest_writeq(s, d->common + 0x30, DEVICE_AREA);
    qtest_writew(s, d->common + 0x1c, 1);
    set_status(d, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
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
        { "indirect-next", h_indirect_next, F_INDIRECT },
        { "indirect-nested", h_indirect_nested, F_INDIRECT },
        { "indirect-len", h_indirect_len, F_INDIRECT },
        { "indirect-huge", h_indirect_huge, F_INDIRECT },
        { "indirect-no-feature", h_indirect_no_feature, 0 },
        { "ring-outside", h_ring_outside, 0 },
    };
    Dev *d = dev_start(",packed=on");
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        if (g_test_verbose()) {
            g_printerr("hostile: %s\n", cases[i].name);
        }
        start(d, cases[i].features, 0xffff, QSIZE);
        cases[i].fn(d);
        g_assert_cmphex(status(d) & S_NEEDS_RESET, ==, S_NEEDS_RESET);
        g_assert_cmpuint(qtest_readl(d->s, d->device), ==, IMG_SIZE / 512);
        /* A reset brings it back; the ring starts over at slot 0, wrap 1. */
        start(d, 0, 0xffff, QSIZE);
        g_assert_cmphex(status(d) & S_NEEDS_RESET, ==, 0);
        g_assert_cmpuint(blk_req(d, T_IN, 11, 512, 2), ==, 0);
        check_read(d, DATA, 11, 512);
    }
    dev_free(d);
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
