/*
 * virtio-blk served by an iothread (-object iothread,id=io0 -device
 * virtio-blk-pci,iothread=io0): the queue's doorbell is an eventfd the
 * iothread waits on, requests and their completions run there, interrupts
 * reach the guest through the main loop. Checked as a guest driver would:
 * reads and writes byte for byte against the image file (separate POSIX reads
 * are the oracle), MSI-X messages landing in guest RAM, query-iothreads
 * against /proc/PID/task, a reset and a system_reset with requests in flight
 * (every answered write is on disk, the device works afterwards), VM
 * stop/cont, werror=stop from the iothread, two queues with their own
 * doorbells and vectors, the legacy interface (a data-matched doorbell port,
 * INTx through the ISR), and the CLI errors.
 */
#include "libqvirtio.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define SLOT 4
#define DEV BDF(SLOT, 0)
#define MSG_RAM 0x10000

#define DESC QVIRTIO_RINGS
#define AVAIL (DESC + QVIRTIO_AVAIL_OFF)
#define USED (DESC + QVIRTIO_USED_OFF)
#define HDR 0x200000            /* request i's header at HDR + 32 * i */
#define STATUS 0x201000         /* request i's status at STATUS + i */
#define DATA 0x300000           /* request i's data at DATA + DATA_STRIDE * i */
#define DATA_STRIDE 0x10000
#define QSIZE 256
#define IMG_SIZE (4 << 20)

#define F_BLK_FLUSH (1ull << 9)

enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4 };

static uint8_t pattern(uint64_t i)
{
    return (uint8_t)(i * 11 + (i >> 9) * 5 + 3);
}

/* Extra -drive options and an RLIMIT_FSIZE for the next emu (0: none). */
static const char *drive_extra = "";
static rlim_t child_fsize_limit;

static QVirtioDev *dev_start(const char *dev_extra)
{
    char *img = qvirtio_image_new("virtio-blk-io-XXXXXX.img", IMG_SIZE, pattern);
    qtest_set_fsize_limit(child_fsize_limit);
    QTestState *s = qtest_initf(
        "-machine pc -m 64M -object iothread,id=io0 "
        "-drive id=d0,if=none,format=raw,file=%s%s "
        "-device virtio-blk-pci,drive=d0,addr=%02x.0,iothread=io0%s",
        img, drive_extra, SLOT, dev_extra ? dev_extra : "");
    QVirtioDev *d = qvirtio_attach(s, SLOT);
    d->image = img;
    return d;
}

/* Modern driver, MSI-X vector 0 for config and 1 for queue 0, messages into RAM. */
static void start_msix(QVirtioDev *d)
{
    qvirtio_msix_setup(d, 2, MSG_RAM, 0x4000);
    g_assert_true(qvirtio_negotiate(d, VIRTIO_F_VERSION_1 | F_BLK_FLUSH));
    qtest_writew(d->s, d->common + VC_MSIX_CONFIG, 0);
    qvirtio_setup_queue(d, 0, QSIZE, 1);
    qvirtio_driver_ok(d);
}

/* Request @i on queue @q: header, data (@len bytes, none for a flush), status. */
static uint16_t post_req_q(QVirtioDev *d, unsigned q, unsigned i, uint32_t type,
                           uint64_t sector, uint32_t len)
{
    uint64_t hdr = HDR + 32 * i;
    qtest_writel(d->s, hdr, type);
    qtest_writel(d->s, hdr + 4, 0);
    qtest_writeq(d->s, hdr + 8, sector);
    qtest_writeb(d->s, STATUS + i, 0xee);
    QVirtioBuf b[3] = {
        { hdr, 16, 0 },
        { DATA + (uint64_t)DATA_STRIDE * i, len, type == T_IN ? D_WRITE : 0 },
        { STATUS + i, 1, D_WRITE },
    };
    if (!len) {
        b[1] = b[2];
        return qvirtio_add_chain(d, q, b, 2, false);
    }
    return qvirtio_add_chain(d, q, b, 3, false);
}

static uint16_t post_req(QVirtioDev *d, unsigned i, uint32_t type, uint64_t sector,
                         uint32_t len)
{
    return post_req_q(d, 0, i, type, sector, len);
}

/* One request, waited for; its status byte. */
static uint8_t blk_req(QVirtioDev *d, uint32_t type, uint64_t sector, uint32_t len)
{
    uint16_t h = post_req(d, 0, type, sector, len);
    qvirtio_kick(d, 0);
    uint32_t used = qvirtio_wait_used(d, 0, h);
    uint8_t st = qtest_readb(d->s, STATUS);
    if (st == 0 && type == T_IN) {
        g_assert_cmpuint(used, ==, len + 1);
    }
    return st;
}

static void check_image(QVirtioDev *d, uint64_t off, const uint8_t *want, size_t len)
{
    g_autofree uint8_t *file = g_malloc(len);
    qvirtio_image_read(d->image, off, file, len);
    g_assert_cmpmem(file, len, want, len);
}

static void fill(uint8_t *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(i * 13 + seed * 101 + (i >> 8));
    }
}

static int64_t iothread_tid(QVirtioDev *d)
{
    g_autoptr(JsonNode) r = qtest_qmp(d->s, "{'execute': 'query-iothreads'}");
    JsonArray *a = json_node_get_array(qtest_qmp_return(r));
    g_assert_cmpuint(json_array_get_length(a), ==, 1);
    return json_object_get_int_member(json_array_get_object_element(a, 0), "thread-id");
}

/* How often the kernel saw thread @tid of emu go to sleep (each wake-up is one). */
static uint64_t thread_switches(QVirtioDev *d, int64_t tid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/task/%" PRId64 "/status",
                                            (int)qtest_pid(d->s), tid);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    const char *p = strstr(text, "voluntary_ctxt_switches:");
    g_assert_nonnull(p);
    return g_ascii_strtoull(p + strlen("voluntary_ctxt_switches:"), NULL, 10);
}

/* An MSI-X message (@val written at @addr) arrives within a second. */
static void wait_msg(QVirtioDev *d, uint64_t addr, uint32_t val)
{
    for (int i = 0; i < 1000 && qtest_readl(d->s, addr) != val; i++) {
        g_usleep(1000);
    }
    g_assert_cmphex(qtest_readl(d->s, addr), ==, val);
}

static void test_rw(void)
{
    QVirtioDev *d = dev_start(NULL);
    start_msix(d);
    /* The kernel is the witness that the iothread, not the main loop, does the work. */
    int64_t tid = iothread_tid(d);
    uint64_t switches = thread_switches(d, tid);

    /* Read 16 sectors from sector 5: the image's bytes. */
    qtest_memset(d->s, DATA, 0x55, 8192);
    g_assert_cmpuint(blk_req(d, T_IN, 5, 8192), ==, 0);
    uint8_t got[8192], want[8192];
    qtest_memread(d->s, DATA, got, sizeof(got));
    qvirtio_image_read(d->image, 5 * 512, want, sizeof(want));
    g_assert_cmpmem(got, sizeof(got), want, sizeof(want));
    /*
     * The completion's MSI-X message (vector 1) follows the used entry (the
     * iothread sends it, or the main loop): a driver polling the ring may
     * see the entry first.
     */
    wait_msg(d, MSG_RAM + 4, 0x4001);

    /* 32 writes of 32 KiB in flight at once, one doorbell, then a flush. */
    enum { N = 32, LEN = 32768 };
    g_autofree uint8_t *buf = g_malloc(LEN);
    uint16_t heads[N];
    for (unsigned i = 0; i < N; i++) {
        fill(buf, LEN, i);
        qtest_memwrite(d->s, DATA + (uint64_t)DATA_STRIDE * i, buf, LEN);
        heads[i] = post_req(d, i, T_OUT, 64 + i * (LEN / 512) * 2, LEN);
    }
    qvirtio_kick(d, 0);
    bool done[N] = { false };
    for (unsigned n = 0; n < N; n++) {
        uint32_t id, len;
        g_assert_true(qvirtio_try_used(d, 0, &id, &len, 10000));
        for (unsigned i = 0; i < N; i++) {
            if (heads[i] == id) {
                g_assert_false(done[i]);
                done[i] = true;
            }
        }
    }
    for (unsigned i = 0; i < N; i++) {
        g_assert_true(done[i]);
        g_assert_cmpuint(qtest_readb(d->s, STATUS + i), ==, 0);
    }
    g_assert_cmpuint(blk_req(d, T_FLUSH, 0, 0), ==, 0);
    for (unsigned i = 0; i < N; i++) {
        fill(buf, LEN, i);
        check_image(d, (64 + i * (LEN / 512) * 2) * 512ull, buf, LEN);
    }
    /* The bytes between two writes are untouched. */
    uint8_t gap[LEN];
    qvirtio_image_read(d->image, (64 + (LEN / 512)) * 512ull, gap, sizeof(gap));
    for (unsigned i = 0; i < sizeof(gap); i++) {
        g_assert_cmpuint(gap[i], ==, pattern((64 + (LEN / 512)) * 512ull + i));
    }
    /* Read back through the device. */
    qtest_memset(d->s, DATA, 0, LEN);
    g_assert_cmpuint(blk_req(d, T_IN, 64 + 3 * (LEN / 512) * 2, LEN), ==, 0);
    qtest_memread(d->s, DATA, buf, LEN);
    g_autofree uint8_t *exp = g_malloc(LEN);
    fill(exp, LEN, 3);
    g_assert_cmpmem(buf, LEN, exp, LEN);
    /* Out of range: IOERR from the iothread too. */
    g_assert_cmpuint(blk_req(d, T_IN, IMG_SIZE / 512 - 1, 1024), ==, 1);
    /* Each of the 5 requests waited for woke it at least once (0 if idle). */
    g_assert_cmpuint(thread_switches(d, tid) - switches, >=, 4);
    qvirtio_free(d);
}

static void test_query_iothreads(void)
{
    QVirtioDev *d = dev_start(NULL);
    pid_t pid = qtest_pid(d->s);
    g_autoptr(JsonNode) r = qtest_qmp(d->s, "{'execute': 'query-iothreads'}");
    JsonArray *a = json_node_get_array(qtest_qmp_return(r));
    g_assert_cmpuint(json_array_get_length(a), ==, 1);
    JsonObject *o = json_array_get_object_element(a, 0);
    g_assert_cmpstr(json_object_get_string_member(o, "id"), ==, "io0");
    int64_t tid = json_object_get_int_member(o, "thread-id");
    /* A thread of emu's, and not its main thread. */
    g_assert_cmpint(tid, !=, pid);
    g_autofree char *task = g_strdup_printf("/proc/%d/task/%" PRId64, (int)pid, tid);
    g_assert_true(g_file_test(task, G_FILE_TEST_IS_DIR));
    g_autofree char *comm_path = g_strdup_printf("%s/comm", task);
    g_autofree char *comm = NULL;
    g_assert_true(g_file_get_contents(comm_path, &comm, NULL, NULL));
    g_assert_cmpstr(g_strchomp(comm), ==, "IO io0");
    g_assert_true(json_object_has_member(o, "poll-max-ns"));
    g_autofree char *info = hmp(d->s, "info iothreads");
    g_autofree char *line = g_strdup_printf("io0:\r\n  thread_id=%" PRId64, tid);
    if (!strstr(info, line)) {
        g_autofree char *line2 = g_strdup_printf("io0:\n  thread_id=%" PRId64, tid);
        g_assert_nonnull(strstr(info, line2));
    }
    qvirtio_free(d);
}

/*
 * Reset (status 0, then a machine reset) with many writes in flight: emu
 * stays up, every write the device answered before the reset is on disk, and
 * the device works again after it.
 */
static void reset_in_flight(bool system_reset)
{
    QVirtioDev *d = dev_start(NULL);
    start_msix(d);
    enum { N = 48, LEN = 65536 };
    g_autofree uint8_t *buf = g_malloc(LEN);
    uint16_t heads[N];
    for (unsigned i = 0; i < N; i++) {
        fill(buf, LEN, i + 7);
        qtest_memwrite(d->s, DATA + (uint64_t)DATA_STRIDE * i, buf, LEN);
        heads[i] = post_req(d, i, T_OUT, i * (LEN / 512), LEN);
    }
    qvirtio_kick(d, 0);
    if (system_reset) {
        g_autoptr(JsonNode) r = qtest_qmp(d->s, "{'execute': 'system_reset'}");
        g_assert_nonnull(qtest_qmp_return(r));
    } else {
        qvirtio_set_status(d, 0);
        g_assert_cmpuint(qvirtio_status(d), ==, 0);
    }
    /* What was answered in the old ring before the reset. */
    uint16_t used = qtest_readw(d->s, USED + 2);
    g_assert_cmpuint(used, <=, N);
    for (unsigned u = 0; u < used; u++) {
        uint32_t id = qtest_readl(d->s, USED + 4 + 8 * u);
        unsigned i;
        for (i = 0; i < N && heads[i] != id; i++) {
        }
        g_assert_cmpuint(i, <, N);
        g_assert_cmpuint(qtest_readb(d->s, STATUS + i), ==, 0);
        fill(buf, LEN, i + 7);
        check_image(d, (uint64_t)i * LEN, buf, LEN);
    }
    if (system_reset) {
        /* The BARs are gone with the reset: place them again. */
        QTestState *s = d->s;
        char *img = d->image;
        d->image = NULL;
        g_free(d);
        d = qvirtio_attach(s, SLOT);
        d->image = img;
        g_assert_cmpuint(qvirtio_status(d), ==, 0);
    } else {
        memset(d->vq, 0, sizeof(d->vq));
    }
    start_msix(d);
    qtest_memset(d->s, DATA, 0, 4096);
    g_assert_cmpuint(blk_req(d, T_IN, IMG_SIZE / 512 - 8, 4096), ==, 0);
    uint8_t got[4096], want[4096];
    qtest_memread(d->s, DATA, got, sizeof(got));
    qvirtio_image_read(d->image, IMG_SIZE - 4096, want, sizeof(want));
    g_assert_cmpmem(got, sizeof(got), want, sizeof(want));
    qvirtio_free(d);
}

static void test_reset_in_flight(void)
{
    reset_in_flight(false);
}

static void test_system_reset_in_flight(void)
{
    reset_in_flight(true);
}

/* stop: the dataplane lets go (drained); a request made then completes after cont. */
static void test_stop_cont(void)
{
    QVirtioDev *d = dev_start(NULL);
    start_msix(d);
    g_autoptr(JsonNode) r1 = qtest_qmp(d->s, "{'execute': 'stop'}");
    g_assert_cmpstr(qtest_vm_status(d->s), ==, "paused");
    uint8_t buf[4096];
    fill(buf, sizeof(buf), 99);
    qtest_memwrite(d->s, DATA, buf, sizeof(buf));
    uint16_t h = post_req(d, 0, T_OUT, 200, sizeof(buf));
    qvirtio_kick(d, 0);
    g_autoptr(JsonNode) r2 = qtest_qmp(d->s, "{'execute': 'cont'}");
    g_assert_cmpuint(qvirtio_wait_used(d, 0, h), ==, 1);
    g_assert_cmpuint(qtest_readb(d->s, STATUS), ==, 0);
    check_image(d, 200 * 512, buf, sizeof(buf));
    qvirtio_free(d);
}

/*
 * werror=stop with a real host error (EFBIG past emu's RLIMIT_FSIZE) raised
 * in the iothread: BLOCK_IO_ERROR and STOP reach QMP, the request waits, and
 * `cont` (limit lifted) completes it with the data on disk.
 */
static void test_werror_stop(void)
{
    drive_extra = ",werror=stop";
    child_fsize_limit = IMG_SIZE / 2;
    QVirtioDev *d = dev_start(NULL);
    drive_extra = "";
    child_fsize_limit = 0;
    start_msix(d);
    uint64_t sector = IMG_SIZE / 512 * 3 / 4;
    uint8_t buf[2048];
    fill(buf, sizeof(buf), 5);
    qtest_memwrite(d->s, DATA, buf, sizeof(buf));
    uint16_t h = post_req(d, 0, T_OUT, sector, sizeof(buf));
    qvirtio_kick(d, 0);
    g_autoptr(JsonNode) ev = qtest_qmp_eventwait_ref(d->s, "BLOCK_IO_ERROR");
    JsonObject *data = json_object_get_object_member(json_node_get_object(ev), "data");
    g_assert_cmpstr(json_object_get_string_member(data, "action"), ==, "stop");
    qtest_qmp_eventwait(d->s, "STOP");
    g_assert_cmpstr(qtest_vm_status(d->s), ==, "io-error");
    g_assert_cmpuint(qtest_readw(d->s, USED + 2), ==, 0);

    struct rlimit lim;
    g_assert_cmpint(getrlimit(RLIMIT_FSIZE, &lim), ==, 0);
    lim.rlim_cur = RLIM_INFINITY;
    g_assert_cmpint(prlimit(qtest_pid(d->s), RLIMIT_FSIZE, &lim, NULL), ==, 0);
    g_autoptr(JsonNode) r = qtest_qmp(d->s, "{'execute': 'cont'}");
    g_assert_nonnull(qtest_qmp_return(r));
    qvirtio_wait_used(d, 0, h);
    g_assert_cmpuint(qtest_readb(d->s, STATUS), ==, 0);
    check_image(d, sector * 512, buf, sizeof(buf));
    qvirtio_free(d);
}

/*
 * num-queues=2: each queue's doorbell is its own eventfd in the iothread, and
 * each queue's completion raises its own MSI-X vector.
 */
static void test_multiqueue(void)
{
    QVirtioDev *d = dev_start(",num-queues=2");
    qvirtio_msix_setup(d, 3, MSG_RAM, 0x4000);
    g_assert_true(qvirtio_negotiate(d, VIRTIO_F_VERSION_1 | F_BLK_FLUSH | (1ull << 12)));
    qtest_writew(d->s, d->common + VC_MSIX_CONFIG, 0);
    qvirtio_setup_queue(d, 0, QSIZE, 1);
    qvirtio_setup_queue(d, 1, QSIZE, 2);
    qvirtio_driver_ok(d);
    uint8_t buf[4096];
    fill(buf, sizeof(buf), 42);
    qtest_memwrite(d->s, DATA, buf, sizeof(buf));
    uint16_t h0 = post_req_q(d, 0, 0, T_OUT, 300, sizeof(buf));
    uint16_t h1 = post_req_q(d, 1, 1, T_IN, 9, 2048);
    qvirtio_kick(d, 1);
    qvirtio_kick(d, 0);
    g_assert_cmpuint(qvirtio_wait_used(d, 1, h1), ==, 2049);
    g_assert_cmpuint(qvirtio_wait_used(d, 0, h0), ==, 1);
    g_assert_cmpuint(qtest_readb(d->s, STATUS), ==, 0);
    g_assert_cmpuint(qtest_readb(d->s, STATUS + 1), ==, 0);
    check_image(d, 300 * 512, buf, sizeof(buf));
    uint8_t got[2048], want[2048];
    qtest_memread(d->s, DATA + DATA_STRIDE, got, sizeof(got));
    qvirtio_image_read(d->image, 9 * 512, want, sizeof(want));
    g_assert_cmpmem(got, sizeof(got), want, sizeof(want));
    /* Vector 1 for queue 0, vector 2 for queue 1. */
    wait_msg(d, MSG_RAM + 4, 0x4001);
    wait_msg(d, MSG_RAM + 8, 0x4002);
    qvirtio_free(d);
}

/*
 * The legacy interface: the doorbell is the QUEUE_NOTIFY port with the queue
 * index as data (an eventfd with data match), the interrupt INTx through the
 * ISR, raised for the iothread by the main loop.
 */
static void test_legacy(void)
{
    QVirtioDev *d = dev_start(",disable-modern=on");
    QTestState *s = d->s;
    d->legacy = true;
    qvirtio_set_status(d, 0);
    qvirtio_set_status(d, S_ACK | S_DRIVER);
    qtest_outl(s, QVIRTIO_IOBASE + 4, F_BLK_FLUSH);
    qtest_outw(s, QVIRTIO_IOBASE + 0x0e, 0);
    uint64_t base = 0x400000;
    qtest_memset(s, base, 0, 0x5000);
    qtest_outl(s, QVIRTIO_IOBASE + 8, base >> 12);
    qvirtio_set_status(d, S_ACK | S_DRIVER | S_DRIVER_OK);
    uint64_t avail = base + 256 * 16, used = (avail + 6 + 2 * 256 + 4095) & ~4095ull;
    qtest_writel(s, HDR, T_IN);
    qtest_writel(s, HDR + 4, 0);
    qtest_writeq(s, HDR + 8, 17);
    qtest_writeb(s, STATUS, 0xee);
    qvirtio_set_desc(d, base, 0, HDR, 16, D_NEXT, 1);
    qvirtio_set_desc(d, base, 1, DATA, 1024, D_NEXT | D_WRITE, 2);
    qvirtio_set_desc(d, base, 2, STATUS, 1, D_WRITE, 0);
    qtest_writew(s, avail + 4, 0);
    qtest_writew(s, avail + 2, 1);
    /* Another queue's index on the port: not this queue's doorbell, nothing happens. */
    qtest_outw(s, QVIRTIO_IOBASE + 0x10, 1);
    g_usleep(100 * 1000);
    g_assert_cmpuint(qtest_readw(s, used + 2), ==, 0);
    qtest_outw(s, QVIRTIO_IOBASE + 0x10, 0);
    for (int i = 0; i < 10000 && qtest_readw(s, used + 2) != 1; i++) {
        g_usleep(1000);
    }
    g_assert_cmpuint(qtest_readw(s, used + 2), ==, 1);
    g_assert_cmpuint(qtest_readl(s, used + 8), ==, 1025);
    g_assert_cmpuint(qtest_readb(s, STATUS), ==, 0);
    uint8_t got[1024], want[1024];
    qtest_memread(s, DATA, got, sizeof(got));
    qvirtio_image_read(d->image, 17 * 512, want, sizeof(want));
    g_assert_cmpmem(got, sizeof(got), want, sizeof(want));
    /* The ISR's queue bit, set by the iothread; the read clears it. */
    for (int i = 0; i < 1000 && !(qtest_inb(s, QVIRTIO_IOBASE + 0x13) & 1); i++) {
        g_usleep(1000);
    }
    g_assert_cmphex(qtest_inb(s, QVIRTIO_IOBASE + 0x13), ==, 0);
    qvirtio_free(d);
}

/* A uint64 QOM property of the device (-device ...,id=vblk). */
static uint64_t dev_counter(QVirtioDev *d, const char *prop)
{
    g_autoptr(JsonNode) r = qtest_qmp(d->s, "{'execute': 'qom-get', 'arguments': "
                                      "{'path': '/machine/peripheral/vblk', "
                                      "'property': '%s'}}", prop);
    return json_node_get_int(qtest_qmp_return(r));
}

/*
 * Thread handoffs per request, counted by the kernel: a 4 KiB write or read
 * that goes through the host page cache is done by the iothread itself, so
 * each request (made and waited for one at a time, as dd oflag=direct does)
 * wakes the iothread at most once, for its doorbell, and not a second time
 * for a block worker's completion; its interrupt goes out from there too
 * (the big lock is taken for it, waiting a little if a vCPU or the main loop
 * has it), not from a main-loop wake-up. The data is checked against the
 * image file.
 */
static void test_wakeups_per_request(void)
{
    QVirtioDev *d = dev_start(",id=vblk");
    start_msix(d);
    int64_t tid = iothread_tid(d);
    enum { N = 40, LEN = 4096, FIRST = 2048 };
    uint8_t buf[LEN], want[LEN];
    g_assert_cmpuint(blk_req(d, T_IN, 0, LEN), ==, 0);     /* settle */
    uint64_t now = dev_counter(d, "x-reqs-now");
    uint64_t deferred = dev_counter(d, "x-irqs-deferred");
    uint64_t switches = thread_switches(d, tid);
    for (unsigned i = 0; i < N; i++) {
        fill(buf, LEN, i + 50);
        qtest_memwrite(d->s, DATA, buf, LEN);
        g_assert_cmpuint(blk_req(d, T_OUT, FIRST + i * 8, LEN), ==, 0);
    }
    for (unsigned i = 0; i < N; i++) {
        qtest_memset(d->s, DATA, 0, LEN);
        g_assert_cmpuint(blk_req(d, T_IN, FIRST + i * 8, LEN), ==, 0);
        qtest_memread(d->s, DATA, buf, LEN);
        fill(want, LEN, i + 50);
        g_assert_cmpmem(buf, LEN, want, LEN);
    }
    uint64_t wakeups = thread_switches(d, tid) - switches;
    deferred = dev_counter(d, "x-irqs-deferred") - deferred;
    if (g_test_verbose()) {
        g_test_message("%u requests: %" PRIu64 " iothread wake-ups, %" PRIu64
                       " interrupts through the main loop", 2 * N, wakeups, deferred);
    }
    g_assert_cmpuint(wakeups, <, 2 * N * 3 / 2);     /* a worker round trip: 2 per request */
    /* The interrupts went out from the iothread, not through a main-loop wake-up. */
    g_assert_cmpuint(deferred, <, 2 * N / 4);
    g_assert_cmpuint(dev_counter(d, "x-reqs-now") - now, ==, 2 * N);
    for (unsigned i = 0; i < N; i++) {
        fill(want, LEN, i + 50);
        check_image(d, (FIRST + i * 8) * 512ull, want, LEN);
    }
    qvirtio_free(d);
}

/* The host thread id of iothread @id in query-iothreads, or -1 if not listed. */
static int64_t iothread_tid_of(QTestState *s, const char *id)
{
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'query-iothreads'}");
    JsonArray *a = json_node_get_array(qtest_qmp_return(r));
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonObject *o = json_array_get_object_element(a, i);
        if (!strcmp(json_object_get_string_member(o, "id"), id)) {
            return json_object_get_int_member(o, "thread-id");
        }
    }
    return -1;
}

static bool emu_has_thread(QTestState *s, int64_t tid)
{
    g_autofree char *task = g_strdup_printf("/proc/%d/task/%" PRId64, (int)qtest_pid(s), tid);
    return g_file_test(task, G_FILE_TEST_EXISTS);
}

/*
 * object-del (QEMU's messages): the iothread a virtio-blk uses is refused
 * and keeps serving it; an unused one goes, and its thread with it (joined:
 * the kernel no longer lists it); an unknown id is an error.
 */
static void test_object_del(void)
{
    char *img = qvirtio_image_new("virtio-blk-io-XXXXXX.img", IMG_SIZE, pattern);
    QTestState *s = qtest_initf(
        "-machine pc -m 64M -object iothread,id=io0 -object iothread,id=io1 "
        "-drive id=d0,if=none,format=raw,file=%s "
        "-device virtio-blk-pci,drive=d0,addr=%02x.0,iothread=io0", img, SLOT);
    QVirtioDev *d = qvirtio_attach(s, SLOT);
    d->image = img;
    start_msix(d);
    int64_t tid0 = iothread_tid_of(s, "io0"), tid1 = iothread_tid_of(s, "io1");
    g_assert_cmpint(tid0, >, 0);
    g_assert_cmpint(tid1, >, 0);
    g_assert_true(emu_has_thread(s, tid1));

    g_autofree char *e0 = qtest_qmp_error(s, "{'execute': 'object-del', 'arguments': {'id': 'io0'}}");
    g_assert_cmpstr(e0, ==, "object 'io0' is in use, can not be deleted");
    g_autofree char *e1 = qtest_qmp_error(s, "{'execute': 'object-del', 'arguments': {'id': 'io1'}}");
    g_assert_null(e1);
    g_assert_cmpint(iothread_tid_of(s, "io1"), ==, -1);
    g_assert_false(emu_has_thread(s, tid1));
    g_autofree char *e2 = qtest_qmp_error(s, "{'execute': 'object-del', 'arguments': {'id': 'io1'}}");
    g_assert_cmpstr(e2, ==, "object 'io1' not found");
    /* HMP spells it object_del, as QEMU's. */
    g_autoptr(JsonNode) h = qtest_qmp(s, "{'execute': 'human-monitor-command', "
                                      "'arguments': {'command-line': 'object_del io1'}}");
    g_assert_nonnull(strstr(json_node_get_string(qtest_qmp_return(h)),
                            "object 'io1' not found"));

    /* io0 still serves the disk. */
    g_assert_cmpint(iothread_tid_of(s, "io0"), ==, tid0);
    g_assert_true(emu_has_thread(s, tid0));
    qtest_memset(s, DATA, 0, 4096);
    g_assert_cmpuint(blk_req(d, T_IN, 8, 4096), ==, 0);
    uint8_t got[4096], want[4096];
    qtest_memread(s, DATA, got, sizeof(got));
    qvirtio_image_read(d->image, 8 * 512, want, sizeof(want));
    g_assert_cmpmem(got, sizeof(got), want, sizeof(want));
    qvirtio_free(d);
}

/*
 * Quit with 48 writes in flight on the iothread: emu's exit stops and joins
 * the iothread after it has completed them (and before the drive closes),
 * and exits with status 0 (under ASan: no use after free).
 */
static void test_quit_in_flight(void)
{
    QVirtioDev *d = dev_start(NULL);
    start_msix(d);
    enum { N = 48, LEN = 65536 };
    g_autofree uint8_t *buf = g_malloc(LEN);
    for (unsigned i = 0; i < N; i++) {
        fill(buf, LEN, i + 3);
        qtest_memwrite(d->s, DATA + (uint64_t)DATA_STRIDE * i, buf, LEN);
        post_req(d, i, T_OUT, i * (LEN / 512), LEN);
    }
    qvirtio_kick(d, 0);
    g_assert_cmpint(qtest_quit(d->s), ==, 0);
    unlink(d->image);
    g_free(d->image);
    g_free(d);
}

/* Run emu with @args (no qtest) and return its stderr; it must fail. */
static char *emu_fails(const char *args)
{
    const char *bin = g_getenv("EMU_BINARY");
    g_assert_nonnull(bin);
    g_autofree char *cmd = g_strdup_printf("%s -machine pc -display none -S %s", bin, args);
    gchar **argv = NULL;
    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
    char *err = NULL;
    int status = 0;
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, NULL));
    g_strfreev(argv);
    g_assert_false(g_spawn_check_wait_status(status, NULL));
    return err;
}

static void test_cli_errors(void)
{
    g_autofree char *img = qvirtio_image_new("virtio-blk-io-XXXXXX.img", 65536, pattern);
    g_autofree char *a = g_strdup_printf(
        "-drive id=d0,if=none,format=raw,file=%s -device virtio-blk-pci,drive=d0,"
        "iothread=nope", img);
    g_autofree char *e1 = emu_fails(a);
    g_assert_nonnull(strstr(e1, "iothread 'nope' not found"));
    g_autofree char *e2 = emu_fails("-object iothread,id=x -object iothread,id=x");
    g_assert_nonnull(strstr(e2, "duplicate id 'x'"));
    g_autofree char *e3 = emu_fails("-object iothread");
    g_assert_nonnull(strstr(e3, "'id' is missing"));
    g_autofree char *b = g_strdup_printf(
        "-object iothread,id=io0 -drive id=d0,if=none,format=raw,file=%s "
        "-device virtio-blk-pci,drive=d0,iothread=io0,ioeventfd=off", img);
    g_autofree char *e4 = emu_fails(b);
    g_assert_nonnull(strstr(e4, "needs ioeventfd=on"));
    unlink(img);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-blk-iothread/read-write", test_rw);
    g_test_add_func("/virtio-blk-iothread/query-iothreads", test_query_iothreads);
    g_test_add_func("/virtio-blk-iothread/reset-in-flight", test_reset_in_flight);
    g_test_add_func("/virtio-blk-iothread/system-reset-in-flight",
                    test_system_reset_in_flight);
    g_test_add_func("/virtio-blk-iothread/stop-cont", test_stop_cont);
    g_test_add_func("/virtio-blk-iothread/werror-stop", test_werror_stop);
    g_test_add_func("/virtio-blk-iothread/multiqueue", test_multiqueue);
    g_test_add_func("/virtio-blk-iothread/legacy", test_legacy);
    g_test_add_func("/virtio-blk-iothread/wakeups-per-request", test_wakeups_per_request);
    g_test_add_func("/virtio-blk-iothread/object-del", test_object_del);
    g_test_add_func("/virtio-blk-iothread/quit-in-flight", test_quit_in_flight);
    g_test_add_func("/virtio-blk-iothread/cli-errors", test_cli_errors);
    return g_test_run();
}
