/*
 * virtio-blk-pci driven as a guest driver would (virtio 1.2 §3.1 device
 * initialization, §4.1 PCI transport, §2.7 split rings, §5.2 block device):
 * capabilities, feature negotiation, queue setup through the common
 * configuration, reads and writes checked byte for byte against the image
 * file on the host (separate POSIX calls are the oracle), flush, GET_ID,
 * indirect descriptors, EVENT_IDX suppression, MSI-X messages (pointed at
 * guest RAM, where they land as ordinary writes), INTx through the ISR, the
 * legacy I/O interface, and hostile rings: each must set DEVICE_NEEDS_RESET
 * (and send the config interrupt), leave emu alive, and a reset must bring
 * the device back.
 */
#include "libqvirtio.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define SLOT 4
#define DEV BDF(SLOT, 0)
#define MSG_RAM 0x10000

/* queue 0 where libqvirtio puts it */
#define DESC QVIRTIO_RINGS
#define AVAIL (DESC + QVIRTIO_AVAIL_OFF)
#define USED (DESC + QVIRTIO_USED_OFF)
#define HDR 0x200000
#define STATUS 0x201000
#define DATA 0x210000
#define INDIRECT 0x300000
#define QSIZE 16
#define IMG_SIZE (1 << 20)

#define F_BLK_FLUSH (1ull << 9)
#define F_BLK_DISCARD (1ull << 13)

static uint8_t pattern(uint64_t i)
{
    return (uint8_t)(i * 7 + (i >> 9) * 13 + 1);
}

static char *make_image(void)
{
    return qvirtio_image_new("virtio-blk-XXXXXX.img", IMG_SIZE, pattern);
}

static void img_read(QVirtioDev *d, uint64_t off, void *buf, size_t len)
{
    qvirtio_image_read(d->image, off, buf, len);
}

/* ---- transport: libqvirtio ---- */

/* Extra -drive options of the next dev_start (",werror=stop"), and a file size
 * limit for its emu (0 = none; writes past it fail with EFBIG). */
static const char *drive_extra = "";
static rlim_t child_fsize_limit;

static QVirtioDev *dev_start(const char *extra)
{
    char *img = make_image();
    qtest_set_fsize_limit(child_fsize_limit);
    QTestState *s = qtest_initf(
        "-machine pc -m 64M -drive id=d0,if=none,format=raw,file=%s%s "
        "-device virtio-blk-pci,drive=d0,addr=%02x.0,serial=EMU-SERIAL-0123%s",
        img, drive_extra, SLOT, extra ? extra : "");
    QVirtioDev *d = qvirtio_attach(s, SLOT);
    d->image = img;
    return d;
}

/* Queue 0 (the device offers 256 entries; the test uses QSIZE) at DESC/AVAIL/USED. */
static void setup_queue(QVirtioDev *d, uint16_t vector)
{
    qtest_writew(d->s, d->common + VC_Q_SELECT, 0);
    g_assert_cmpuint(qtest_readw(d->s, d->common + VC_Q_SIZE), ==, 256);
    qvirtio_setup_queue(d, 0, QSIZE, vector);
}

static void start_modern(QVirtioDev *d, uint64_t features, uint16_t vector)
{
    g_assert_true(qvirtio_negotiate(d, features));
    setup_queue(d, vector);
    qvirtio_driver_ok(d);
}

/* Make the chain at @head available on queue 0 and notify. */
static void kick(QVirtioDev *d, uint16_t head)
{
    qvirtio_avail_push(d, 0, head);
    qvirtio_kick(d, 0);
}

enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11 };

static void put_hdr(QVirtioDev *d, uint32_t type, uint64_t sector)
{
    qtest_writel(d->s, HDR, type);
    qtest_writel(d->s, HDR + 4, 0);
    qtest_writeq(d->s, HDR + 8, sector);
    qtest_writeb(d->s, STATUS, 0xee);
}

/* A three-descriptor request (header, data, status); returns the status byte. */
static uint8_t blk_req(QVirtioDev *d, uint32_t type, uint64_t sector, uint32_t len)
{
    put_hdr(d, type, sector);
    qvirtio_set_desc(d, DESC, 0, HDR, 16, 1, 1);
    if (len) {
        qvirtio_set_desc(d, DESC, 1, DATA, len, 1 | (type == T_OUT ? 0 : 2), 2);
        qvirtio_set_desc(d, DESC, 2, STATUS, 1, 2, 0);
    } else {
        qvirtio_set_desc(d, DESC, 0, HDR, 16, 1, 2);
        qvirtio_set_desc(d, DESC, 2, STATUS, 1, 2, 0);
    }
    kick(d, 0);
    uint32_t used = qvirtio_wait_used(d, 0, 0);
    uint8_t st = qtest_readb(d->s, STATUS);
    if (st == 0 && (type == T_IN || type == T_GET_ID)) {
        g_assert_cmpuint(used, ==, (type == T_GET_ID ? MIN(len, 20) : len) + 1);
    }
    return st;
}

static void check_read(QVirtioDev *d, uint64_t sector, uint32_t len)
{
    g_autofree uint8_t *got = g_malloc(len), *want = g_malloc(len);
    qtest_memread(d->s, DATA, got, len);
    img_read(d, sector * 512, want, len);
    g_assert_cmpmem(got, len, want, len);
}

/* ---- tests ---- */

static void test_pci_ids(void)
{
    QVirtioDev *d = dev_start(NULL);
    QTestState *s = d->s;
    /* Transitional by default (disable-legacy=auto on conventional PCI). */
    g_assert_cmphex(cfg_readw(s, DEV, PCI_VENDOR_ID), ==, 0x1af4);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_DEVICE_ID), ==, 0x1001);
    g_assert_cmphex(cfg_readb(s, DEV, PCI_REVISION_ID), ==, 0);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_SUBSYSTEM_ID), ==, 2);
    g_assert_cmphex(cfg_size_bar(s, DEV, PCI_BASE_ADDRESS_0) & 1, ==, 1);
    /* BAR 4 is 64-bit memory. */
    g_assert_cmphex(cfg_readl(s, DEV, PCI_BASE_ADDRESS_0 + 16) & 6, ==, 4);
    g_assert_cmpuint(cfg_find_cap(s, DEV, PCI_CAP_ID_MSIX), !=, 0);
    for (int t = 1; t <= 4; t++) {
        g_assert_cmpuint(qvirtio_cap_of_type(d, t), !=, 0);
    }
    g_assert_cmpuint(d->notify_mult, ==, 4);
    /* Device configuration: capacity in sectors, blk_size, seg_max. */
    g_assert_cmpuint(qtest_readl(s, d->device), ==, IMG_SIZE / 512);
    g_assert_cmpuint(qtest_readl(s, d->device + 4), ==, 0);
    g_assert_cmpuint(qtest_readl(s, d->device + 20), ==, 512);
    g_assert_cmpuint(qtest_readl(s, d->device + 12), ==, 254);
    qvirtio_free(d);

    d = dev_start(",disable-legacy=on");
    g_assert_cmphex(cfg_readw(d->s, DEV, PCI_DEVICE_ID), ==, 0x1042);
    g_assert_cmphex(cfg_readb(d->s, DEV, PCI_REVISION_ID), ==, 1);
    g_assert_cmphex(cfg_size_bar(d->s, DEV, PCI_BASE_ADDRESS_0), ==, 0);
    qvirtio_free(d);

    g_autofree char *img = make_image();
    g_autofree char *args = g_strdup_printf(
        "-machine pc -drive id=d0,if=none,format=raw,file=%s "
        "-device virtio-blk-pci,drive=d0,disable-legacy=on,disable-modern=on", img);
    g_autofree char *err = expect_start_failure(args, "neither modern nor legacy");
    unlink(img);
}

static void test_features(void)
{
    QVirtioDev *d = dev_start(NULL);
    uint64_t f = qvirtio_host_features(d);
    g_assert_true(f & VIRTIO_F_VERSION_1);
    g_assert_true(f & VIRTIO_F_INDIRECT);
    g_assert_true(f & VIRTIO_F_EVENT_IDX);
    g_assert_true(f & F_BLK_FLUSH);
    g_assert_false(f & VIRTIO_F_ACCESS_PLATFORM);
    /* §6.1: a modern driver must accept VERSION_1. */
    g_assert_false(qvirtio_negotiate(d, F_BLK_FLUSH));
    /* Features that were not offered are refused. */
    g_assert_false(qvirtio_negotiate(d, VIRTIO_F_VERSION_1 | VIRTIO_F_ACCESS_PLATFORM));
    g_assert_true(qvirtio_negotiate(d, VIRTIO_F_VERSION_1));
    /* After FEATURES_OK the driver features are frozen. */
    qtest_writel(d->s, d->common + VC_GFSELECT, 0);
    qtest_writel(d->s, d->common + VC_GF, (uint32_t)VIRTIO_F_INDIRECT);
    g_assert_cmphex(qtest_readl(d->s, d->common + VC_GF), ==, 0);
    /* Reset clears status and queue state. */
    setup_queue(d, 0xffff);
    qvirtio_set_status(d, 0);
    g_assert_cmphex(qvirtio_status(d), ==, 0);
    g_assert_cmpuint(qtest_readw(d->s, d->common + VC_Q_ENABLE), ==, 0);
    g_assert_cmpuint(qtest_readw(d->s, d->common + VC_Q_SIZE), ==, 256);
    g_assert_cmpuint(qtest_readw(d->s, d->common + VC_NUM_QUEUES), ==, 1);
    qvirtio_free(d);

    /* num-queues=4: four queues, MQ offered, num_queues in the config, 5 vectors. */
    d = dev_start(",num-queues=4");
    g_assert_cmpuint(qtest_readw(d->s, d->common + VC_NUM_QUEUES), ==, 4);
    g_assert_true(qvirtio_host_features(d) & (1ull << 12));
    g_assert_cmpuint(qtest_readw(d->s, d->device + 34), ==, 4);
    uint8_t cap = cfg_find_cap(d->s, DEV, PCI_CAP_ID_MSIX);
    g_assert_cmpuint(cfg_readw(d->s, DEV, cap + 2) & 0x7ff, ==, 4);
    qtest_writew(d->s, d->common + VC_Q_SELECT, 3);
    g_assert_cmpuint(qtest_readw(d->s, d->common + VC_Q_NOTIFY_OFF), ==, 3);    /* notify_off */
    qtest_writew(d->s, d->common + VC_Q_SELECT, 4);
    g_assert_cmpuint(qtest_readw(d->s, d->common + VC_Q_SIZE), ==, 0);    /* no such queue */
    qvirtio_free(d);
}

static void test_rw(void)
{
    QVirtioDev *d = dev_start(NULL);
    start_modern(d, VIRTIO_F_VERSION_1 | F_BLK_FLUSH, 0xffff);

    /* Read 8 sectors from sector 3. */
    qtest_memset(d->s, DATA, 0x55, 4096);
    g_assert_cmpuint(blk_req(d, T_IN, 3, 4096), ==, 0);
    check_read(d, 3, 4096);

    /* Write 3 sectors at 100 and look at the file. */
    uint8_t buf[1536];
    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = i * 31 + 5;
    }
    qtest_memwrite(d->s, DATA, buf, sizeof(buf));
    g_assert_cmpuint(blk_req(d, T_OUT, 100, sizeof(buf)), ==, 0);
    g_assert_cmpuint(blk_req(d, T_FLUSH, 0, 0), ==, 0);
    uint8_t file[sizeof(buf) + 2];
    img_read(d, 100 * 512 - 1, file, sizeof(file));
    g_assert_cmpmem(file + 1, sizeof(buf), buf, sizeof(buf));
    g_assert_cmpuint(file[0], ==, pattern(100 * 512 - 1));
    g_assert_cmpuint(file[sizeof(file) - 1], ==, pattern(103 * 512));

    /* Beyond the end, or not whole sectors: IOERR, nothing transferred. */
    g_assert_cmpuint(blk_req(d, T_IN, IMG_SIZE / 512 - 1, 1024), ==, 1);
    g_assert_cmpuint(blk_req(d, T_OUT, ~0ull / 256, 512), ==, 1);
    g_assert_cmpuint(blk_req(d, T_IN, 0, 100), ==, 1);
    /* Unknown type: UNSUPP. */
    g_assert_cmpuint(blk_req(d, 0x77, 0, 512), ==, 2);
    g_assert_cmphex(qvirtio_status(d) & S_NEEDS_RESET, ==, 0);

    /* GET_ID: 20 bytes of the serial (NUL-padded). */
    qtest_memset(d->s, DATA, 0xaa, 64);
    g_assert_cmpuint(blk_req(d, T_GET_ID, 0, 20), ==, 0);
    char id[21] = { 0 };
    qtest_memread(d->s, DATA, id, 20);
    g_assert_cmpstr(id, ==, "EMU-SERIAL-0123");
    g_assert_cmpuint(qtest_readb(d->s, DATA + 19), ==, 0);
    qvirtio_free(d);
}

/*
 * werror=stop with a real host write error (EFBIG past emu's RLIMIT_FSIZE):
 * the VM stops, the request stays unanswered, and after the limit is lifted
 * `cont` completes it with the data on disk; werror=report answers IOERR.
 */
static void test_werror(void)
{
    for (int stop = 0; stop < 2; stop++) {
        drive_extra = stop ? ",werror=stop" : ",werror=report";
        child_fsize_limit = IMG_SIZE / 2;
        QVirtioDev *d = dev_start(NULL);
        drive_extra = "";
        child_fsize_limit = 0;
        start_modern(d, VIRTIO_F_VERSION_1 | F_BLK_FLUSH, 0xffff);

        uint64_t sector = IMG_SIZE / 512 * 3 / 4;       /* past the limit */
        qtest_memset(d->s, DATA, 0xc3, 1024);
        if (!stop) {
            g_assert_cmpuint(blk_req(d, T_OUT, sector, 1024), ==, 1);
            g_assert_cmpstr(qtest_vm_status(d->s), ==, "running");
            /* Below the limit writes still work. */
            g_assert_cmpuint(blk_req(d, T_OUT, 8, 1024), ==, 0);
            qvirtio_free(d);
            continue;
        }
        put_hdr(d, T_OUT, sector);
        qvirtio_set_desc(d, DESC, 0, HDR, 16, 1, 1);
        qvirtio_set_desc(d, DESC, 1, DATA, 1024, 1, 2);
        qvirtio_set_desc(d, DESC, 2, STATUS, 1, 2, 0);
        kick(d, 0);
        g_autoptr(JsonNode) ev = qtest_qmp_eventwait_ref(d->s, "BLOCK_IO_ERROR");
        JsonObject *data = json_object_get_object_member(json_node_get_object(ev), "data");
        g_assert_cmpstr(json_object_get_string_member(data, "device"), ==, "d0");
        g_assert_cmpstr(json_object_get_string_member(data, "action"), ==, "stop");
        qtest_qmp_eventwait(d->s, "STOP");
        g_assert_cmpstr(qtest_vm_status(d->s), ==, "io-error");
        g_assert_cmpuint(qtest_readw(d->s, USED + 2), ==, 0);     /* not answered */

        struct rlimit lim;
        g_assert_cmpint(getrlimit(RLIMIT_FSIZE, &lim), ==, 0);
        lim.rlim_cur = RLIM_INFINITY;
        g_assert_cmpint(prlimit(qtest_pid(d->s), RLIMIT_FSIZE, &lim, NULL), ==, 0);
        g_autoptr(JsonNode) r = qtest_qmp(d->s, "{'execute': 'cont'}");
        g_assert_nonnull(qtest_qmp_return(r));
        qvirtio_wait_used(d, 0, 0);
        g_assert_cmpuint(qtest_readb(d->s, STATUS), ==, 0);
        uint8_t file[1024], want[1024];
        memset(want, 0xc3, sizeof(want));
        img_read(d, sector * 512, file, sizeof(file));
        g_assert_cmpmem(file, sizeof(file), want, sizeof(want));
        qvirtio_free(d);
    }
}

/* DISCARD of one segment; returns the status byte. */
static uint8_t discard_req(QVirtioDev *d, uint64_t sector, uint32_t num, uint32_t flags)
{
    put_hdr(d, T_DISCARD, 0);
    qtest_writeq(d->s, DATA, sector);
    qtest_writel(d->s, DATA + 8, num);
    qtest_writel(d->s, DATA + 12, flags);
    qvirtio_set_desc(d, DESC, 0, HDR, 16, 1, 1);
    qvirtio_set_desc(d, DESC, 1, DATA, 16, 1, 2);
    qvirtio_set_desc(d, DESC, 2, STATUS, 1, 2, 0);
    kick(d, 0);
    qvirtio_wait_used(d, 0, 0);
    return qtest_readb(d->s, STATUS);
}

static uint64_t img_blocks(QVirtioDev *d)
{
    struct stat st;
    g_assert_cmpint(stat(d->image, &st), ==, 0);
    return st.st_blocks;
}

/*
 * DISCARD (feature 13): with discard=unmap the range becomes a hole in the
 * image file (fewer blocks, zeros), with the default discard=ignore nothing
 * changes; bad segments get UNSUPP/IOERR.
 */
static void test_discard(void)
{
    for (int unmap = 0; unmap < 2; unmap++) {
        drive_extra = unmap ? ",discard=unmap" : "";
        QVirtioDev *d = dev_start(NULL);
        drive_extra = "";
        g_assert_true(qvirtio_host_features(d) & F_BLK_DISCARD);
        start_modern(d, VIRTIO_F_VERSION_1 | F_BLK_DISCARD, 0xffff);
        /* config: max_discard_sectors, max_discard_seg, discard_sector_alignment */
        g_assert_cmpuint(qtest_readl(d->s, d->device + 36), >=, 2048);
        g_assert_cmpuint(qtest_readl(d->s, d->device + 40), ==, 1);
        g_assert_cmpuint(qtest_readl(d->s, d->device + 44), ==, 1);

        uint64_t before = img_blocks(d);
        g_assert_cmpuint(discard_req(d, 256, 1024, 0), ==, 0);  /* 512 KiB at 128 KiB */
        uint64_t after = img_blocks(d);
        g_autofree uint8_t *buf = g_malloc(IMG_SIZE);
        img_read(d, 0, buf, IMG_SIZE);
        if (unmap) {
            g_assert_cmpuint(after, <=, before - 1024 + 64);
            for (uint64_t i = 256 * 512; i < 1280 * 512; i++) {
                g_assert_cmpuint(buf[i], ==, 0);
            }
        } else {
            g_assert_cmpuint(after, ==, before);
            for (uint64_t i = 256 * 512; i < 1280 * 512; i++) {
                g_assert_cmpuint(buf[i], ==, pattern(i));
            }
        }
        /* Outside the range the data is untouched. */
        for (uint64_t i = 255 * 512; i < 256 * 512; i++) {
            g_assert_cmpuint(buf[i], ==, pattern(i));
        }
        for (uint64_t i = 1280 * 512; i < 1281 * 512; i++) {
            g_assert_cmpuint(buf[i], ==, pattern(i));
        }
        g_assert_cmpuint(discard_req(d, 0, 8, 1), ==, 2);                   /* flags */
        g_assert_cmpuint(discard_req(d, IMG_SIZE / 512 - 4, 8, 0), ==, 1);  /* past end */
        g_assert_cmpuint(discard_req(d, ~0ull >> 9, 8, 0), ==, 1);
        g_assert_cmphex(qvirtio_status(d) & S_NEEDS_RESET, ==, 0);
        qvirtio_free(d);
    }
}

static void test_indirect(void)
{
    QVirtioDev *d = dev_start(NULL);
    start_modern(d, VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT, 0xffff);
    /* Header, two data pieces, status, all in one indirect table. */
    put_hdr(d, T_IN, 7);
    qvirtio_set_desc(d, INDIRECT, 0, HDR, 16, 1, 1);
    qvirtio_set_desc(d, INDIRECT, 1, DATA, 512, 3, 2);
    qvirtio_set_desc(d, INDIRECT, 2, DATA + 512, 1024, 3, 3);
    qvirtio_set_desc(d, INDIRECT, 3, STATUS, 1, 2, 0);
    qvirtio_set_desc(d, DESC, 5, INDIRECT, 4 * 16, 4, 0);
    kick(d, 5);
    g_assert_cmpuint(qvirtio_wait_used(d, 0, 5), ==, 1537);
    g_assert_cmpuint(qtest_readb(d->s, STATUS), ==, 0);
    check_read(d, 7, 1536);
    qvirtio_free(d);
}

static void msix_setup(QVirtioDev *d)
{
    uint8_t cap = cfg_find_cap(d->s, DEV, PCI_CAP_ID_MSIX);
    g_assert_cmpuint(cfg_readw(d->s, DEV, cap + 2) & 0x7ff, ==, 1);   /* 2 vectors */
    qvirtio_msix_setup(d, 2, MSG_RAM, 0x4000);
}

static void test_msix_event_idx(void)
{
    QVirtioDev *d = dev_start(NULL);
    QTestState *s = d->s;
    msix_setup(d);
    g_assert_true(qvirtio_negotiate(d, VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX));
    qtest_writew(s, d->common + VC_MSIX_CONFIG, 0);                  /* config vector */
    g_assert_cmphex(qtest_readw(s, d->common + VC_MSIX_CONFIG), ==, 0);
    qtest_writew(s, d->common + VC_MSIX_CONFIG, 7);                  /* no such vector */
    g_assert_cmphex(qtest_readw(s, d->common + VC_MSIX_CONFIG), ==, 0xffff);
    qtest_writew(s, d->common + VC_MSIX_CONFIG, 0);
    setup_queue(d, 1);
    g_assert_cmphex(qtest_readw(s, d->common + VC_Q_MSIX), ==, 1);
    qvirtio_set_status(d, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);

    /* used_event = 0: the first completion interrupts (§2.7.10). */
    qtest_writew(s, AVAIL + 4 + 2 * QSIZE, 0);
    g_assert_cmpuint(blk_req(d, T_IN, 0, 512), ==, 0);
    g_assert_cmphex(qtest_readl(s, MSG_RAM + 4), ==, 0x4001);
    g_assert_cmphex(qtest_readl(s, MSG_RAM), ==, 0);
    /* The device asks to be notified at the next avail index. */
    g_assert_cmpuint(qtest_readw(s, USED + 4 + 8 * QSIZE), ==, 1);

    /* used_event far ahead: no message. */
    qtest_writel(s, MSG_RAM + 4, 0);
    qtest_writew(s, AVAIL + 4 + 2 * QSIZE, 10);
    g_assert_cmpuint(blk_req(d, T_IN, 1, 512), ==, 0);
    g_assert_cmpuint(blk_req(d, T_IN, 2, 512), ==, 0);
    g_assert_cmphex(qtest_readl(s, MSG_RAM + 4), ==, 0);
    /* used_event = 2 (the entry the next completion fills): interrupt. */
    qtest_writew(s, AVAIL + 4 + 2 * QSIZE, 3);
    g_assert_cmpuint(blk_req(d, T_IN, 3, 512), ==, 0);
    g_assert_cmphex(qtest_readl(s, MSG_RAM + 4), ==, 0x4001);

    /* A broken ring: NEEDS_RESET and a config change message on vector 0. */
    qtest_writew(s, AVAIL + 2, d->vq[0].avail_idx + 500);
    qtest_writew(s, d->notify, 0);
    g_assert_cmphex(qvirtio_status(d) & S_NEEDS_RESET, ==, S_NEEDS_RESET);
    g_assert_cmphex(qtest_readl(s, MSG_RAM), ==, 0x4000);
    g_assert_cmpuint(qtest_readb(s, d->common + VC_GEN), !=, 0);   /* config_generation */
    qvirtio_free(d);
}

static void test_no_interrupt_flag_intx(void)
{
    QVirtioDev *d = dev_start(NULL);
    QTestState *s = d->s;
    start_modern(d, VIRTIO_F_VERSION_1, 0xffff);
    /* MSI-X off: INTx follows the ISR; reading the ISR clears it (§4.1.4.5). */
    g_assert_cmpuint(blk_req(d, T_IN, 0, 512), ==, 0);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_STATUS) & PCI_STATUS_INTERRUPT, !=, 0);
    g_assert_cmphex(qtest_readb(s, d->isr), ==, 1);
    g_assert_cmphex(qtest_readb(s, d->isr), ==, 0);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_STATUS) & PCI_STATUS_INTERRUPT, ==, 0);
    /* VRING_AVAIL_F_NO_INTERRUPT: no interrupt. */
    qtest_writew(s, AVAIL, 1);
    g_assert_cmpuint(blk_req(d, T_IN, 0, 512), ==, 0);
    g_assert_cmphex(qtest_readb(s, d->isr), ==, 0);
    qvirtio_free(d);
}

static void test_legacy(void)
{
    QVirtioDev *d = dev_start(",disable-modern=on");
    QTestState *s = d->s;
    g_assert_cmpuint(qvirtio_cap_of_type(d, 1), ==, 0);
    d->legacy = true;
    qvirtio_set_status(d, 0);
    qvirtio_set_status(d, S_ACK | S_DRIVER);
    uint32_t f = qtest_inl(s, QVIRTIO_IOBASE);
    g_assert_true(f & F_BLK_FLUSH);
    qtest_outl(s, QVIRTIO_IOBASE + 4, F_BLK_FLUSH);
    qtest_outw(s, QVIRTIO_IOBASE + 0x0e, 0);
    g_assert_cmpuint(qtest_inw(s, QVIRTIO_IOBASE + 0x0c), ==, 256);
    /* Legacy layout: avail after the 256 descriptors, used on the next page. */
    uint64_t base = 0x400000;
    qtest_memset(s, base, 0, 0x5000);
    qtest_outl(s, QVIRTIO_IOBASE + 8, base >> 12);
    qvirtio_set_status(d, S_ACK | S_DRIVER | S_DRIVER_OK);
    /* Device config at 0x14 without MSI-X: capacity. */
    g_assert_cmpuint(qtest_inl(s, QVIRTIO_IOBASE + 0x14), ==, IMG_SIZE / 512);

    uint64_t avail = base + 256 * 16, used = (avail + 6 + 2 * 256 + 4095) & ~4095ull;
    put_hdr(d, T_IN, 9);
    qvirtio_set_desc(d, base, 0, HDR, 16, 1, 1);
    qvirtio_set_desc(d, base, 1, DATA, 1024, 3, 2);
    qvirtio_set_desc(d, base, 2, STATUS, 1, 2, 0);
    qtest_writew(s, avail + 4, 0);
    qtest_writew(s, avail + 2, 1);
    qtest_outw(s, QVIRTIO_IOBASE + 0x10, 0);
    for (int i = 0; i < 10000 && qtest_readw(s, used + 2) != 1; i++) {
        g_usleep(1000);
    }
    g_assert_cmpuint(qtest_readw(s, used + 2), ==, 1);
    g_assert_cmpuint(qtest_readl(s, used + 8), ==, 1025);
    g_assert_cmpuint(qtest_readb(s, STATUS), ==, 0);
    check_read(d, 9, 1024);
    g_assert_cmphex(qtest_inb(s, QVIRTIO_IOBASE + 0x13), ==, 1);    /* ISR, read clears */
    g_assert_cmphex(qtest_inb(s, QVIRTIO_IOBASE + 0x13), ==, 0);
    qvirtio_free(d);
}

/* ---- hostile rings ---- */

typedef void HostileFn(QVirtioDev *d);

static void expect_broken_then_recover(QVirtioDev *d, HostileFn *fn, uint64_t features)
{
    start_modern(d, VIRTIO_F_VERSION_1 | features, 0xffff);
    fn(d);
    g_assert_cmphex(qvirtio_status(d) & S_NEEDS_RESET, ==, S_NEEDS_RESET);
    /* Still alive; nothing more is processed until a reset. */
    g_assert_cmpuint(qtest_readl(d->s, d->device), ==, IMG_SIZE / 512);
    /* Reset and a good request works again. */
    start_modern(d, VIRTIO_F_VERSION_1, 0xffff);
    g_assert_cmphex(qvirtio_status(d) & S_NEEDS_RESET, ==, 0);
    g_assert_cmpuint(blk_req(d, T_IN, 11, 512), ==, 0);
    check_read(d, 11, 512);
}

static void h_loop(QVirtioDev *d)
{
    put_hdr(d, T_IN, 0);
    qvirtio_set_desc(d, DESC, 0, HDR, 16, 1, 1);
    qvirtio_set_desc(d, DESC, 1, DATA, 512, 1, 0);     /* back to 0: a loop */
    kick(d, 0);
}

static void h_self_loop(QVirtioDev *d)
{
    qvirtio_set_desc(d, DESC, 3, HDR, 16, 1, 3);
    kick(d, 3);
}

static void h_outside_ram(QVirtioDev *d)
{
    put_hdr(d, T_IN, 0);
    qvirtio_set_desc(d, DESC, 0, HDR, 16, 1, 1);
    qvirtio_set_desc(d, DESC, 1, 0x7ffff0000000ull, 512, 3, 2);
    qvirtio_set_desc(d, DESC, 2, STATUS, 1, 2, 0);
    kick(d, 0);
}

static void h_mmio(QVirtioDev *d)
{
    /* Data buffer on top of the device's own BAR. */
    put_hdr(d, T_IN, 0);
    qvirtio_set_desc(d, DESC, 0, HDR, 16, 1, 1);
    qvirtio_set_desc(d, DESC, 1, QVIRTIO_BAR4, 512, 3, 2);
    qvirtio_set_desc(d, DESC, 2, STATUS, 1, 2, 0);
    kick(d, 0);
}

static void h_rom(QVirtioDev *d)
{
    /* A device-writable buffer in the BIOS ROM. */
    put_hdr(d, T_IN, 0);
    qvirtio_set_desc(d, DESC, 0, HDR, 16, 1, 1);
    qvirtio_set_desc(d, DESC, 1, 0xfffff000, 512, 3, 2);
    qvirtio_set_desc(d, DESC, 2, STATUS, 1, 2, 0);
    kick(d, 0);
}

static void h_oversized(QVirtioDev *d)
{
    put_hdr(d, T_OUT, 0);
    qvirtio_set_desc(d, DESC, 0, HDR, 16, 1, 1);
    qvirtio_set_desc(d, DESC, 1, DATA, 0xfffffff0u, 1, 2);
    qvirtio_set_desc(d, DESC, 2, STATUS, 1, 2, 0);
    kick(d, 0);
}

static void h_avail_idx(QVirtioDev *d)
{
    qtest_writew(d->s, AVAIL + 2, 0x8000);
    qtest_writew(d->s, d->notify, 0);
}

static void h_head_range(QVirtioDev *d)
{
    kick(d, 200);           /* head beyond the queue size */
}

static void h_zero_len(QVirtioDev *d)
{
    put_hdr(d, T_IN, 0);
    qvirtio_set_desc(d, DESC, 0, HDR, 16, 1, 1);
    qvirtio_set_desc(d, DESC, 1, DATA, 0, 3, 2);
    qvirtio_set_desc(d, DESC, 2, STATUS, 1, 2, 0);
    kick(d, 0);
}

static void h_readonly_status(QVirtioDev *d)
{
    /* The status byte in a device-readable descriptor: nowhere to write it. */
    put_hdr(d, T_IN, 0);
    qvirtio_set_desc(d, DESC, 0, HDR, 16, 1, 1);
    qvirtio_set_desc(d, DESC, 1, STATUS, 1, 0, 0);
    kick(d, 0);
}

static void h_order(QVirtioDev *d)
{
    /* A readable descriptor after a writable one (§2.7.4.2). */
    put_hdr(d, T_OUT, 0);
    qvirtio_set_desc(d, DESC, 0, STATUS, 1, 3, 1);
    qvirtio_set_desc(d, DESC, 1, HDR, 16, 0, 0);
    kick(d, 0);
}

static void h_indirect_nested(QVirtioDev *d)
{
    qvirtio_set_desc(d, INDIRECT, 0, INDIRECT, 32, 4, 0);
    qvirtio_set_desc(d, DESC, 0, INDIRECT, 32, 4, 0);
    kick(d, 0);
}

static void h_indirect_len(QVirtioDev *d)
{
    qvirtio_set_desc(d, DESC, 0, INDIRECT, 33, 4, 0);
    kick(d, 0);
}

static void h_indirect_loop(QVirtioDev *d)
{
    qvirtio_set_desc(d, INDIRECT, 0, HDR, 16, 1, 1);
    qvirtio_set_desc(d, INDIRECT, 1, HDR, 16, 1, 0);
    qvirtio_set_desc(d, DESC, 0, INDIRECT, 32, 4, 0);
    kick(d, 0);
}

static void h_indirect_no_feature(QVirtioDev *d)
{
    qvirtio_set_desc(d, INDIRECT, 0, HDR, 16, 1, 0);
    qvirtio_set_desc(d, DESC, 0, INDIRECT, 16, 4, 0);
    kick(d, 0);
}

static void h_ring_outside(QVirtioDev *d)
{
    /* Rings moved into MMIO after a reset. */
    qvirtio_set_status(d, 0);
    qvirtio_set_status(d, S_ACK | S_DRIVER);
    qtest_writel(d->s, d->common + VC_GFSELECT, 1);
    qtest_writel(d->s, d->common + VC_GF, 1);
    qvirtio_set_status(d, S_ACK | S_DRIVER | S_FEATURES_OK);
    qtest_writew(d->s, d->common + VC_Q_SELECT, 0);
    qtest_writeq(d->s, d->common + VC_Q_DESC, DESC);
    qtest_writeq(d->s, d->common + VC_Q_DRIVER, 0xfec00000);      /* the I/O APIC */
    qtest_writeq(d->s, d->common + VC_Q_DEVICE, USED);
    qtest_writew(d->s, d->common + VC_Q_ENABLE, 1);
    qvirtio_set_status(d, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    qtest_writew(d->s, d->notify, 0);
}

static void test_hostile(void)
{
    static const struct {
        HostileFn *fn;
        uint64_t features;
    } cases[] = {
        { h_loop, 0 }, { h_self_loop, 0 }, { h_outside_ram, 0 }, { h_mmio, 0 },
        { h_rom, 0 }, { h_oversized, 0 }, { h_avail_idx, 0 }, { h_head_range, 0 },
        { h_zero_len, 0 }, { h_readonly_status, 0 }, { h_order, 0 },
        { h_indirect_nested, VIRTIO_F_INDIRECT }, { h_indirect_len, VIRTIO_F_INDIRECT },
        { h_indirect_loop, VIRTIO_F_INDIRECT }, { h_indirect_no_feature, 0 },
        { h_ring_outside, 0 },
    };
    QVirtioDev *d = dev_start(NULL);
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        if (g_test_verbose()) {
            g_test_message("hostile case %u", i);
        }
        expect_broken_then_recover(d, cases[i].fn, cases[i].features);
    }
    /* Bus mastering off: notifications do nothing, and nothing breaks. */
    start_modern(d, VIRTIO_F_VERSION_1, 0xffff);
    cfg_writew(d->s, DEV, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    put_hdr(d, T_IN, 0);
    qvirtio_set_desc(d, DESC, 0, HDR, 16, 1, 1);
    qvirtio_set_desc(d, DESC, 1, DATA, 512, 3, 2);
    qvirtio_set_desc(d, DESC, 2, STATUS, 1, 2, 0);
    kick(d, 0);
    g_usleep(20000);
    g_assert_cmpuint(qtest_readw(d->s, USED + 2), ==, 0);
    cfg_writew(d->s, DEV, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
               PCI_COMMAND_MASTER);
    qtest_writew(d->s, d->notify, 0);
    g_assert_cmpuint(qvirtio_wait_used(d, 0, 0), ==, 513);
    qvirtio_free(d);
}

/* emu's threads, as the kernel lists them. */
static unsigned emu_threads(QVirtioDev *d)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/task", (int)qtest_pid(d->s));
    GDir *dir = g_dir_open(path, 0, NULL);
    g_assert_nonnull(dir);
    unsigned n = 0;
    while (g_dir_read_name(dir)) {
        n++;
    }
    g_dir_close(dir);
    return n;
}

/* Write-type system calls (the kernel's syscw) of every emu thread but the main one. */
static uint64_t other_threads_writes(QVirtioDev *d)
{
    int pid = qtest_pid(d->s);
    g_autofree char *path = g_strdup_printf("/proc/%d/task", pid);
    GDir *dir = g_dir_open(path, 0, NULL);
    g_assert_nonnull(dir);
    uint64_t n = 0;
    const char *tid;
    while ((tid = g_dir_read_name(dir))) {
        if (atoi(tid) == pid) {
            continue;
        }
        g_autofree char *io = g_strdup_printf("%s/%s/io", path, tid);
        g_autofree char *text = NULL;
        if (!g_file_get_contents(io, &text, NULL, NULL)) {
            continue;           /* the thread has just exited */
        }
        const char *p = strstr(text, "syscw:");
        g_assert_nonnull(p);
        n += g_ascii_strtoull(p + strlen("syscw:"), NULL, 10);
    }
    g_dir_close(dir);
    return n;
}

/*
 * Thread handoffs per request, seen by the kernel. A 4 KiB read that the host
 * page cache holds is done inside the doorbell write itself: emu never starts
 * a block worker thread. A write goes to a worker, which then raises the
 * interrupt itself when the big lock is free instead of waking the main loop:
 * its write-type system calls are the pwritev alone, without the eventfd
 * write that hands a completion to the main loop. The lock is often taken
 * (qtest's main loop holds it between polls), so only some completions can
 * skip the handoff; without the shortcut none does (exactly two per write).
 * (1 MiB writes are never tried on the spot on a vCPU, whatever the
 * filesystem.)
 */
static void test_handoffs(void)
{
    QVirtioDev *d = dev_start(NULL);
    QTestState *s = d->s;
    start_modern(d, VIRTIO_F_VERSION_1, 0xffff);
    enum { N = 32, LEN = 4096 };
    unsigned threads = emu_threads(d);
    for (unsigned i = 0; i < N / 2; i++) {
        qtest_memset(s, DATA, 0, LEN);
        g_assert_cmpuint(blk_req(d, T_IN, i * 8, LEN), ==, 0);
        check_read(d, i * 8, LEN);
    }
    g_assert_cmpuint(emu_threads(d), ==, threads);

    /*
     * Writes of the whole 1 MiB disk: the worker's pwritev outlasts the
     * doorbell write's return, and the main thread's reply to it (which
     * may get it preempted with the lock held).
     */
    enum { WLEN = IMG_SIZE, WDATA = 0x400000 };
    g_autofree uint8_t *buf = g_malloc(WLEN);
    memset(buf, 0x3c, WLEN);
    qtest_memwrite(s, WDATA, buf, WLEN);
    /*
     * Whether a completion finds the lock free depends on the host's
     * scheduling: a loaded host can preempt the main thread with the lock
     * held for nearly every request, so a round that saw no shortcut at all
     * is tried again (up to 3 rounds). Without the shortcut every round has
     * exactly two per write.
     */
    uint64_t writes = 0;
    for (unsigned round = 0; round < 3; round++) {
        uint64_t before = other_threads_writes(d);
        for (unsigned i = 0; i < N; i++) {
            put_hdr(d, T_OUT, 0);
            qvirtio_set_desc(d, DESC, 0, HDR, 16, 1, 1);
            qvirtio_set_desc(d, DESC, 1, WDATA, WLEN, 1, 2);
            qvirtio_set_desc(d, DESC, 2, STATUS, 1, 2, 0);
            kick(d, 0);
            /* Leave the big lock free meanwhile, as vCPUs in the guest do. */
            g_usleep(20 * 1000);
            qvirtio_wait_used(d, 0, 0);
            g_assert_cmpuint(qtest_readb(s, STATUS), ==, 0);
        }
        writes = other_threads_writes(d) - before;
        if (g_test_verbose()) {
            g_test_message("round %u, %u writes: %" PRIu64
                           " write syscalls off the main thread", round, N, writes);
        }
        g_assert_cmpuint(writes, >=, N);        /* the pwritev calls */
        if (writes < 2 * N) {
            break;
        }
    }
    g_assert_cmpuint(writes, <, 2 * N);
    g_autofree uint8_t *file = g_malloc(WLEN);
    img_read(d, 0, file, WLEN);
    g_assert_cmpmem(file, WLEN, buf, WLEN);
    qvirtio_free(d);
}

static void test_if_virtio(void)
{
    g_autofree char *img = make_image();
    QTestState *s = qtest_initf("-machine pc -drive if=virtio,format=raw,file=%s,addr=05.0",
                                img);
    g_assert_cmphex(cfg_readl(s, BDF(5, 0), PCI_VENDOR_ID), ==, 0x10011af4);
    g_autofree char *info = hmp(s, "info block");
    g_assert_nonnull(strstr(info, "virtio"));
    qtest_quit(s);
    unlink(img);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-blk/pci-ids", test_pci_ids);
    g_test_add_func("/virtio-blk/features", test_features);
    g_test_add_func("/virtio-blk/read-write", test_rw);
    g_test_add_func("/virtio-blk/werror", test_werror);
    g_test_add_func("/virtio-blk/discard", test_discard);
    g_test_add_func("/virtio-blk/indirect", test_indirect);
    g_test_add_func("/virtio-blk/msix-event-idx", test_msix_event_idx);
    g_test_add_func("/virtio-blk/intx-no-interrupt", test_no_interrupt_flag_intx);
    g_test_add_func("/virtio-blk/legacy", test_legacy);
    g_test_add_func("/virtio-blk/hostile", test_hostile);
    g_test_add_func("/virtio-blk/if-virtio", test_if_virtio);
    g_test_add_func("/virtio-blk/handoffs", test_handoffs);
    return g_test_run();
}
