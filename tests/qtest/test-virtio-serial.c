/*
 * virtio-serial-pci (virtio 1.2 §5.3) with a virtconsole on a Unix socket
 * chardev and a named virtserialport on a file chardev, driven as Linux's
 * virtio_console does: MULTIPORT negotiation, the control protocol
 * (DEVICE_READY -> DEVICE_ADD per port; PORT_READY -> CONSOLE_PORT,
 * PORT_NAME, PORT_OPEN; the host side closing -> PORT_OPEN 0), guest output
 * arriving on the socket and in the file (read back with POSIX calls, the
 * oracle), host input held until the guest opens the port and has a receive
 * buffer, and malformed control messages (ignored: no reset, no crash).
 */
#include "pci-helpers.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define SLOT 7
#define DEV BDF(SLOT, 0)
#define CTRL_BUFS 0x300000      /* control receive buffers, 64 bytes apart */
#define MSG 0x301000            /* control messages the driver sends */
#define DATA 0x302000
#define RX 0x303000

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
#define MAXQ 16

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

#define F_MULTIPORT (1ull << 1)
enum {
    DEVICE_READY = 0, DEVICE_ADD = 1, PORT_READY = 3, CONSOLE_PORT = 4, PORT_OPEN = 6,
    PORT_NAME = 7,
};

typedef struct Env {
    Dev *d;
    char *dir, *sock, *file;
    int client;
    unsigned ctrl_posted;
} Env;

static Env *env_start(void)
{
    Env *e = g_new0(Env, 1);
    e->dir = g_dir_make_tmp("virtio-serial-XXXXXX", NULL);
    g_assert_nonnull(e->dir);
    e->sock = g_build_filename(e->dir, "console.sock", NULL);
    e->file = g_build_filename(e->dir, "port.out", NULL);
    g_autofree char *args = g_strdup_printf(
        "-machine pc -m 64M -nic none -device virtio-serial-pci,addr=%02x.0 "
        "-chardev socket,id=con,path=%s,server=on,wait=off "
        "-chardev file,id=f,path=%s "
        "-device virtconsole,chardev=con -device virtserialport,chardev=f,name=org.emu.test",
        SLOT, e->sock, e->file);
    e->d = dev_start_args(args);
    return e;
}

static void env_connect(Env *e)
{
    e->client = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    g_strlcpy(sa.sun_path, e->sock, sizeof(sa.sun_path));
    g_assert_cmpint(connect(e->client, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
}

static void env_free(Env *e)
{
    if (e->client > 0) {
        close(e->client);
    }
    dev_free(e->d);
    unlink(e->sock);
    unlink(e->file);
    rmdir(e->dir);
    g_free(e->sock);
    g_free(e->file);
    g_free(e->dir);
    g_free(e);
}

static void post_ctrl_bufs(Env *e, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        Buf b = { CTRL_BUFS + 64 * (e->ctrl_posted++ % 32), 64, D_WRITE };
        vq_add(e->d, 2, &b, 1, i + 1 == n);
    }
}

static void send_ctrl(Env *e, uint32_t id, uint16_t event, uint16_t value)
{
    QTestState *s = e->d->s;
    qtest_writel(s, MSG, id);
    qtest_writew(s, MSG + 4, event);
    qtest_writew(s, MSG + 6, value);
    Buf b = { MSG, 8, 0 };
    uint16_t h = vq_add(e->d, 3, &b, 1, true);
    g_assert_cmpuint(vq_wait_used(e->d, 3, h), ==, 0);
}

/* The next control message from the device: id, event, value (and name). */
static void expect_ctrl(Env *e, uint32_t id, uint16_t event, uint16_t value,
                        const char *name)
{
    VQ *vq = &e->d->vq[2];
    uint32_t head = 0, len = 0;
    bool got_one = false;
    for (int i = 0; i < 5000 && !(got_one = vq_get_used(e->d, 2, &head, &len)); i++) {
        g_usleep(1000);
    }
    g_assert_true(got_one);
    uint64_t a = qtest_readq(e->d->s, vq->desc + 16 * head);
    g_assert_cmpuint(qtest_readl(e->d->s, a), ==, id);
    g_assert_cmpuint(qtest_readw(e->d->s, a + 4), ==, event);
    g_assert_cmpuint(qtest_readw(e->d->s, a + 6), ==, value);
    size_t extra = name ? strlen(name) : 0;
    g_assert_cmpuint(len, ==, 8 + extra);
    if (name) {
        char got[64] = { 0 };
        qtest_memread(e->d->s, a + 8, got, extra);
        g_assert_cmpstr(got, ==, name);
    }
}

static bool ctrl_pending(Env *e)
{
    return qtest_readw(e->d->s, e->d->vq[2].used + 2) != e->d->vq[2].used_seen;
}

/* Negotiate, set up port 0, control and port 1 queues, DEVICE_READY. */
static void driver_up(Env *e)
{
    Dev *d = e->d;
    g_assert_true(negotiate(d, F_VERSION_1 | F_MULTIPORT));
    for (unsigned q = 0; q < 6; q++) {
        vq_setup(d, q, 32);
    }
    set_status(d, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    e->ctrl_posted = 0;
    post_ctrl_bufs(e, 16);
    send_ctrl(e, 0, DEVICE_READY, 1);
    expect_ctrl(e, 0, DEVICE_ADD, 1, NULL);
    expect_ctrl(e, 1, DEVICE_ADD, 1, NULL);
    g_assert_false(ctrl_pending(e));
}

static void test_ids(void)
{
    Env *e = env_start();
    Dev *d = e->d;
    g_assert_cmphex(cfg_readw(d->s, DEV, PCI_DEVICE_ID), ==, 0x1003);
    g_assert_cmphex(cfg_readw(d->s, DEV, PCI_SUBSYSTEM_ID), ==, 3);
    g_assert_cmphex(cfg_readw(d->s, DEV, PCI_CLASS_DEVICE), ==, 0x0780);
    g_assert_true(host_features(d) & F_MULTIPORT);
    g_assert_cmpuint(qtest_readl(d->s, d->device + 4), ==, 31);      /* max_nr_ports */
    g_assert_cmpuint(qtest_readw(d->s, d->common + 0x12), ==, 64);   /* queues */
    g_autofree char *tree = hmp(d->s, "info qtree");
    g_assert_nonnull(strstr(tree, "dev: virtconsole"));
    g_assert_nonnull(strstr(tree, "nr 1, name org.emu.test"));
    env_free(e);

    expect_start_failure("-machine pc -nic none -device virtserialport",
                         "virtio-serial-bus");
    expect_start_failure("-machine pc -nic none -device virtio-serial-pci "
                         "-device virtserialport,nr=0", "port 0");
    expect_start_failure("-machine pc -nic none -device virtio-serial-pci "
                         "-device virtserialport,name=a -device virtserialport,name=a",
                         "already exists");
    expect_start_failure("-machine pc -nic none -device virtio-serial-pci,max_ports=40",
                         "max_ports");
}

static void test_ports(void)
{
    Env *e = env_start();
    Dev *d = e->d;
    QTestState *s = d->s;
    env_connect(e);
    driver_up(e);

    /* PORT_READY: the console says so, the named port says its name; both hosts
     * are connected (a socket client, a file). */
    send_ctrl(e, 0, PORT_READY, 1);
    expect_ctrl(e, 0, CONSOLE_PORT, 1, NULL);
    expect_ctrl(e, 0, PORT_OPEN, 1, NULL);
    send_ctrl(e, 1, PORT_READY, 1);
    expect_ctrl(e, 1, PORT_NAME, 1, "org.emu.test");
    expect_ctrl(e, 1, PORT_OPEN, 1, NULL);

    /* Guest output on the named port lands in the file. */
    const char *msg1 = "to the file\n";
    qtest_memwrite(s, DATA, msg1, strlen(msg1));
    Buf b = { DATA, strlen(msg1), 0 };
    uint16_t h = vq_add(d, 5, &b, 1, true);
    g_assert_cmpuint(vq_wait_used(d, 5, h), ==, 0);
    g_autofree char *content = NULL;
    g_assert_true(g_file_get_contents(e->file, &content, NULL, NULL));
    g_assert_cmpstr(content, ==, msg1);

    /* Console output, split over two descriptors, reaches the socket. */
    qtest_memwrite(s, DATA, "hello, ", 7);
    qtest_memwrite(s, DATA + 0x100, "host\n", 5);
    Buf two[2] = { { DATA, 7, 0 }, { DATA + 0x100, 5, 0 } };
    h = vq_add(d, 1, two, 2, true);
    g_assert_cmpuint(vq_wait_used(d, 1, h), ==, 0);
    char got[32] = { 0 };
    size_t n = 0;
    while (n < 12) {
        ssize_t r = recv(e->client, got + n, sizeof(got) - 1 - n, 0);
        g_assert_cmpint(r, >, 0);
        n += r;
    }
    g_assert_cmpstr(got, ==, "hello, host\n");

    /* Host input waits while the guest has not opened the port... */
    g_assert_cmpint(send(e->client, "typed", 5, 0), ==, 5);
    Buf rx = { RX, 64, D_WRITE };
    h = vq_add(d, 0, &rx, 1, true);
    uint32_t id, len;
    g_usleep(100 * 1000);
    qtest_readb(s, 0);      /* let the main loop turn */
    g_assert_false(vq_get_used(d, 0, &id, &len));
    /* ...and arrives once it does. */
    send_ctrl(e, 0, PORT_OPEN, 1);
    g_assert_cmpuint(vq_wait_used(d, 0, h), ==, 5);
    char in[8] = { 0 };
    qtest_memread(s, RX, in, 5);
    g_assert_cmpstr(in, ==, "typed");
    /* Input with no receive buffer is held until one comes. */
    g_assert_cmpint(send(e->client, "more input", 10, 0), ==, 10);
    g_usleep(100 * 1000);
    qtest_readb(s, 0);
    g_assert_false(vq_get_used(d, 0, &id, &len));
    Buf rx2[2] = { { RX, 4, D_WRITE } };
    h = vq_add(d, 0, &rx2[0], 1, true);
    g_assert_cmpuint(vq_wait_used(d, 0, h), ==, 4);
    Buf rx3 = { RX + 0x100, 64, D_WRITE };
    h = vq_add(d, 0, &rx3, 1, true);
    g_assert_cmpuint(vq_wait_used(d, 0, h), ==, 6);
    char a[8] = { 0 }, bb[8] = { 0 };
    qtest_memread(s, RX, a, 4);
    qtest_memread(s, RX + 0x100, bb, 6);
    g_assert_cmpstr(a, ==, "more");
    g_assert_cmpstr(bb, ==, " input");

    /* The host side goes away: PORT_OPEN 0 for the console (the socket is read,
     * and its end seen, while the guest has a receive buffer, as Linux keeps). */
    Buf rx4 = { RX + 0x200, 64, D_WRITE };
    vq_add(d, 0, &rx4, 1, true);
    close(e->client);
    e->client = -1;
    for (int i = 0; i < 2000 && !ctrl_pending(e); i++) {
        qtest_readb(s, 0);
        g_usleep(1000);
    }
    expect_ctrl(e, 0, PORT_OPEN, 0, NULL);
    g_assert_cmphex(status(d) & S_NEEDS_RESET, ==, 0);
    env_free(e);
}

static void test_hostile(void)
{
    Env *e = env_start();
    Dev *d = e->d;
    driver_up(e);
    /* A port that does not exist, an event the driver never sends, short. */
    send_ctrl(e, 9, PORT_READY, 1);
    send_ctrl(e, 0x7fffffff, PORT_OPEN, 1);
    send_ctrl(e, 1, CONSOLE_PORT, 1);
    Buf b = { MSG, 3, 0 };
    uint16_t h = vq_add(d, 3, &b, 1, true);
    g_assert_cmpuint(vq_wait_used(d, 3, h), ==, 0);
    g_assert_false(ctrl_pending(e));
    g_assert_cmphex(status(d) & S_NEEDS_RESET, ==, 0);
    /* Output on a queue pair with no port: returned, dropped. */
    vq_setup(d, 9, 32);
    Buf o = { DATA, 16, 0 };
    h = vq_add(d, 9, &o, 1, true);
    g_assert_cmpuint(vq_wait_used(d, 9, h), ==, 0);
    /* A transmit buffer outside RAM breaks the device; a reset mends it. */
    Buf bad = { 0x7ff000000000ull, 16, 0 };
    vq_add(d, 5, &bad, 1, true);
    g_assert_cmphex(status(d) & S_NEEDS_RESET, ==, S_NEEDS_RESET);
    driver_up(e);
    send_ctrl(e, 1, PORT_READY, 1);
    expect_ctrl(e, 1, PORT_NAME, 1, "org.emu.test");
    env_free(e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-serial/ids", test_ids);
    g_test_add_func("/virtio-serial/ports", test_ports);
    g_test_add_func("/virtio-serial/hostile", test_hostile);
    return g_test_run();
}
