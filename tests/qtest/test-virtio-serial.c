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
#include "libqvirtio.h"
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

#define F_MULTIPORT (1ull << 1)
enum {
    DEVICE_READY = 0, DEVICE_ADD = 1, PORT_READY = 3, CONSOLE_PORT = 4, PORT_OPEN = 6,
    PORT_NAME = 7,
};

typedef struct Env {
    QVirtioDev *d;
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
    e->d = qvirtio_start(SLOT, args);
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
    qvirtio_free(e->d);
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
        QVirtioBuf b = { CTRL_BUFS + 64 * (e->ctrl_posted++ % 32), 64, D_WRITE };
        qvirtio_add_chain(e->d, 2, &b, 1, i + 1 == n);
    }
}

static void send_ctrl(Env *e, uint32_t id, uint16_t event, uint16_t value)
{
    QTestState *s = e->d->s;
    qtest_writel(s, MSG, id);
    qtest_writew(s, MSG + 4, event);
    qtest_writew(s, MSG + 6, value);
    QVirtioBuf b = { MSG, 8, 0 };
    uint16_t h = qvirtio_add_chain(e->d, 3, &b, 1, true);
    g_assert_cmpuint(qvirtio_wait_used(e->d, 3, h), ==, 0);
}

/* The next control message from the device: id, event, value (and name). */
static void expect_ctrl(Env *e, uint32_t id, uint16_t event, uint16_t value,
                        const char *name)
{
    QVirtQueue *vq = &e->d->vq[2];
    uint32_t head = 0, len = 0;
    bool got_one = false;
    for (int i = 0; i < 5000 && !(got_one = qvirtio_get_used(e->d, 2, &head, &len)); i++) {
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
    QVirtioDev *d = e->d;
    g_assert_true(qvirtio_negotiate(d, VIRTIO_F_VERSION_1 | F_MULTIPORT));
    for (unsigned q = 0; q < 6; q++) {
        qvirtio_setup_queue(d, q, 32, 0xffff);
    }
    qvirtio_set_status(d, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
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
    QVirtioDev *d = e->d;
    g_assert_cmphex(cfg_readw(d->s, DEV, PCI_DEVICE_ID), ==, 0x1003);
    g_assert_cmphex(cfg_readw(d->s, DEV, PCI_SUBSYSTEM_ID), ==, 3);
    g_assert_cmphex(cfg_readw(d->s, DEV, PCI_CLASS_DEVICE), ==, 0x0780);
    g_assert_true(qvirtio_host_features(d) & F_MULTIPORT);
    g_assert_cmpuint(qtest_readl(d->s, d->device + 4), ==, 31);      /* max_nr_ports */
    g_assert_cmpuint(qtest_readw(d->s, d->common + VC_NUM_QUEUES), ==, 64);   /* queues */
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
    QVirtioDev *d = e->d;
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
    QVirtioBuf b = { DATA, strlen(msg1), 0 };
    uint16_t h = qvirtio_add_chain(d, 5, &b, 1, true);
    g_assert_cmpuint(qvirtio_wait_used(d, 5, h), ==, 0);
    g_autofree char *content = NULL;
    g_assert_true(g_file_get_contents(e->file, &content, NULL, NULL));
    g_assert_cmpstr(content, ==, msg1);

    /* Console output, split over two descriptors, reaches the socket. */
    qtest_memwrite(s, DATA, "hello, ", 7);
    qtest_memwrite(s, DATA + 0x100, "host\n", 5);
    QVirtioBuf two[2] = { { DATA, 7, 0 }, { DATA + 0x100, 5, 0 } };
    h = qvirtio_add_chain(d, 1, two, 2, true);
    g_assert_cmpuint(qvirtio_wait_used(d, 1, h), ==, 0);
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
    QVirtioBuf rx = { RX, 64, D_WRITE };
    h = qvirtio_add_chain(d, 0, &rx, 1, true);
    uint32_t id, len;
    g_usleep(100 * 1000);
    qtest_readb(s, 0);      /* let the main loop turn */
    g_assert_false(qvirtio_get_used(d, 0, &id, &len));
    /* ...and arrives once it does. */
    send_ctrl(e, 0, PORT_OPEN, 1);
    g_assert_cmpuint(qvirtio_wait_used(d, 0, h), ==, 5);
    char in[8] = { 0 };
    qtest_memread(s, RX, in, 5);
    g_assert_cmpstr(in, ==, "typed");
    /* Input with no receive buffer is held until one comes. */
    g_assert_cmpint(send(e->client, "more input", 10, 0), ==, 10);
    g_usleep(100 * 1000);
    qtest_readb(s, 0);
    g_assert_false(qvirtio_get_used(d, 0, &id, &len));
    QVirtioBuf rx2[2] = { { RX, 4, D_WRITE } };
    h = qvirtio_add_chain(d, 0, &rx2[0], 1, true);
    g_assert_cmpuint(qvirtio_wait_used(d, 0, h), ==, 4);
    QVirtioBuf rx3 = { RX + 0x100, 64, D_WRITE };
    h = qvirtio_add_chain(d, 0, &rx3, 1, true);
    g_assert_cmpuint(qvirtio_wait_used(d, 0, h), ==, 6);
    char a[8] = { 0 }, bb[8] = { 0 };
    qtest_memread(s, RX, a, 4);
    qtest_memread(s, RX + 0x100, bb, 6);
    g_assert_cmpstr(a, ==, "more");
    g_assert_cmpstr(bb, ==, " input");

    /* The host side goes away: PORT_OPEN 0 for the console (the socket is read,
     * and its end seen, while the guest has a receive buffer, as Linux keeps). */
    QVirtioBuf rx4 = { RX + 0x200, 64, D_WRITE };
    qvirtio_add_chain(d, 0, &rx4, 1, true);
    close(e->client);
    e->client = -1;
    for (int i = 0; i < 2000 && !ctrl_pending(e); i++) {
        qtest_readb(s, 0);
        g_usleep(1000);
    }
    expect_ctrl(e, 0, PORT_OPEN, 0, NULL);
    g_assert_cmphex(qvirtio_status(d) & S_NEEDS_RESET, ==, 0);
    env_free(e);
}

static void test_hostile(void)
{
    Env *e = env_start();
    QVirtioDev *d = e->d;
    driver_up(e);
    /* A port that does not exist, an event the driver never sends, short. */
    send_ctrl(e, 9, PORT_READY, 1);
    send_ctrl(e, 0x7fffffff, PORT_OPEN, 1);
    send_ctrl(e, 1, CONSOLE_PORT, 1);
    QVirtioBuf b = { MSG, 3, 0 };
    uint16_t h = qvirtio_add_chain(d, 3, &b, 1, true);
    g_assert_cmpuint(qvirtio_wait_used(d, 3, h), ==, 0);
    g_assert_false(ctrl_pending(e));
    g_assert_cmphex(qvirtio_status(d) & S_NEEDS_RESET, ==, 0);
    /* Output on a queue pair with no port: returned, dropped. */
    qvirtio_setup_queue(d, 9, 32, 0xffff);
    QVirtioBuf o = { DATA, 16, 0 };
    h = qvirtio_add_chain(d, 9, &o, 1, true);
    g_assert_cmpuint(qvirtio_wait_used(d, 9, h), ==, 0);
    /* A transmit buffer outside RAM breaks the device; a reset mends it. */
    QVirtioBuf bad = { 0x7ff000000000ull, 16, 0 };
    qvirtio_add_chain(d, 5, &bad, 1, true);
    g_assert_cmphex(qvirtio_status(d) & S_NEEDS_RESET, ==, S_NEEDS_RESET);
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
