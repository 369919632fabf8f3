/*
 * virtio-net-pci driven as a guest driver would (virtio 1.2 §3.1, §4.1 PCI
 * transport, §2.7 split rings, §5.1 network device), with a `-netdev socket`
 * UDP backend whose other end is a socket of this test: frames the "guest"
 * transmits are compared byte for byte with the datagrams the test receives,
 * and datagrams the test sends must land in the posted receive buffers
 * (mergeable and not), with the header the spec prescribes (§5.1.6.4). The
 * control queue's RX mode, MAC table, VLAN filter and MQ commands are checked
 * by which frames get through. Hostile rings (a chain too short for the
 * header, a descriptor loop, a control request without an ack byte) must set
 * DEVICE_NEEDS_RESET and leave emu running. One test uses `-netdev user`,
 * which answers ARP requests inside the send, and counts RX MSI-X messages
 * per TX kick with emu-testdev's MMIO access counter.
 */
#include "libqvirtio.h"
#include "../../include/hw/misc/testdev-regs.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#define SLOT 4
#define DEV BDF(SLOT, 0)

#define QSIZE 16
#define RING(q) (QVIRTIO_RINGS + QVIRTIO_RING_STRIDE * (q))   /* libqvirtio layout */
#define BUF 0x400000ull
#define CTRL_BUF 0x380000ull

#define RXQ 0
#define TXQ 1
#define CTRLQ 2

#define F_CSUM (1ull << 0)
#define F_GUEST_CSUM (1ull << 1)
#define F_MAC (1ull << 5)
#define F_GUEST_TSO4 (1ull << 7)
#define F_HOST_TSO4 (1ull << 11)
#define F_MRG_RXBUF (1ull << 15)
#define F_STATUS (1ull << 16)
#define F_CTRL_VQ (1ull << 17)
#define F_CTRL_RX (1ull << 18)
#define F_CTRL_VLAN (1ull << 19)
#define F_CTRL_RX_EXTRA (1ull << 20)
#define F_GUEST_ANNOUNCE (1ull << 21)
#define F_MQ (1ull << 22)
#define F_CTRL_MAC_ADDR (1ull << 23)

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

typedef struct Dev {
    QVirtioDev *v;
    QTestState *s;
    int sock;                   /* the test's end of the socket netdev */
    struct sockaddr_in emu_addr;
    uint16_t qsize;             /* QSIZE unless a test wants more */
    uint64_t next_buf;
} Dev;

/* ---- the test's UDP socket ---- */

static int udp_bind(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    g_assert_cmpint(fd, >=, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    socklen_t len = sizeof(a);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void sock_send(Dev *d, const void *frame, size_t len)
{
    g_assert_cmpint(sendto(d->sock, frame, len, 0, (struct sockaddr *)&d->emu_addr,
                           sizeof(d->emu_addr)), ==, (ssize_t)len);
}

/* A datagram from emu within @ms, or -1. */
static ssize_t sock_recv(Dev *d, void *buf, size_t len, int ms)
{
    struct pollfd p = { .fd = d->sock, .events = POLLIN };
    if (poll(&p, 1, ms) != 1) {
        return -1;
    }
    return recv(d->sock, buf, len, 0);
}

/* ---- transport: libqvirtio ---- */

static Dev *dev_start(const char *extra)
{
    Dev *d = g_new0(Dev, 1);
    d->qsize = QSIZE;
    uint16_t test_port, emu_port;
    d->sock = udp_bind(&test_port);
    int tmp = udp_bind(&emu_port);      /* a free port for emu's end */
    close(tmp);
    d->emu_addr.sin_family = AF_INET;
    d->emu_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    d->emu_addr.sin_port = htons(emu_port);
    g_autofree char *args = g_strdup_printf(
        "-machine pc -m 64M -netdev socket,id=n0,udp=127.0.0.1:%u,"
        "localaddr=127.0.0.1:%u -device virtio-net-pci,netdev=n0,"
        "addr=%02x.0,mac=52:54:00:ab:cd:ef%s", test_port, emu_port, SLOT,
        extra ? extra : "");
    d->v = qvirtio_start(SLOT, args);
    d->s = d->v->s;
    return d;
}

static void dev_free(Dev *d)
{
    qvirtio_free(d->v);
    close(d->sock);
    g_free(d);
}

/* §3.1.1: reset, negotiate @features, set the three queues up, DRIVER_OK. */
static void start(Dev *d, uint64_t features)
{
    g_assert_true(qvirtio_negotiate(d->v, features));
    for (unsigned q = 0; q < 3; q++) {
        qvirtio_setup_queue(d->v, q, d->qsize, 0xffff);
    }
    qvirtio_driver_ok(d->v);
    d->next_buf = BUF;
}

/* An ethernet frame to @dst with a recognisable payload of @len bytes in all. */
static size_t make_frame(uint8_t *f, const uint8_t *dst, size_t len, uint8_t seed)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, (uint8_t[]){ 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 }, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    for (size_t i = 14; i < len; i++) {
        f[i] = (uint8_t)(i * 13 + seed);
    }
    return len;
}

/* Post @frame (@len bytes) behind a zeroed 12-byte header at @addr, descriptor @i of TX. */
static void post_tx(Dev *d, unsigned i, uint64_t addr, const uint8_t *frame, size_t len)
{
    qtest_memset(d->s, addr, 0, 12);
    qtest_memwrite(d->s, addr + 12, frame, len);
    qvirtio_set_desc(d->v, RING(TXQ), i, addr, 12 + len, 0, 0);
    qvirtio_avail_push(d->v, TXQ, i);
}

/* Post one receive buffer of @len bytes at descriptor @i of the RX queue. */
static uint64_t post_rx(Dev *d, unsigned i, uint32_t len)
{
    uint64_t addr = d->next_buf;
    d->next_buf += (len + 0xfff) & ~0xfffull;
    qtest_memset(d->s, addr, 0xcc, len);
    qvirtio_set_desc(d->v, RING(RXQ), i, addr, len, 2, 0);
    qvirtio_avail_push(d->v, RXQ, i);
    return addr;
}

/* ---- tests ---- */

static void test_ids_features(void)
{
    Dev *d = dev_start(NULL);
    QTestState *s = d->s;
    g_assert_cmphex(cfg_readw(s, DEV, PCI_VENDOR_ID), ==, 0x1af4);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_DEVICE_ID), ==, 0x1000);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_SUBSYSTEM_ID), ==, 1);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_CLASS_DEVICE), ==, 0x0200);

    uint64_t f = qvirtio_host_features(d->v);
    uint64_t want = F_MAC | F_STATUS | F_MRG_RXBUF | F_CTRL_VQ | F_CTRL_RX | F_CTRL_VLAN |
                    F_CTRL_RX_EXTRA | F_CTRL_MAC_ADDR | F_GUEST_ANNOUNCE | VIRTIO_F_VERSION_1;
    g_assert_cmphex(f & want, ==, want);
    /*
     * A socket backend has no vnet header: checksum offload both ways and
     * TSO from the guest are done in software; no receive-side TSO.
     */
    g_assert_cmphex(f & (F_CSUM | F_GUEST_CSUM | F_HOST_TSO4), ==,
                    F_CSUM | F_GUEST_CSUM | F_HOST_TSO4);
    g_assert_cmphex(f & F_GUEST_TSO4, ==, 0);
    g_assert_cmphex(f & F_MQ, ==, 0);
    /* receiveq1, transmitq1, controlq. */
    g_assert_cmpuint(qtest_readw(s, d->v->common + VC_NUM_QUEUES), ==, 3);
    /* §5.1.4: mac, status (LINK_UP), max_virtqueue_pairs. */
    for (int i = 0; i < 6; i++) {
        g_assert_cmphex(qtest_readb(s, d->v->device + i), ==, MAC[i]);
    }
    g_assert_cmphex(qtest_readw(s, d->v->device + 6), ==, 1);
    g_assert_cmpuint(qtest_readw(s, d->v->device + 8), ==, 1);
    dev_free(d);

    d = dev_start(",csum=off,guest_csum=off");
    g_assert_cmphex(qvirtio_host_features(d->v) & (F_CSUM | F_GUEST_CSUM | F_HOST_TSO4), ==, 0);
    dev_free(d);

    d = dev_start(",disable-legacy=on,mq=on");
    g_assert_cmphex(cfg_readw(d->s, DEV, PCI_DEVICE_ID), ==, 0x1041);
    g_assert_true(qvirtio_host_features(d->v) & F_MQ);
    dev_free(d);

    g_autofree char *err = expect_start_failure(
        "-machine pc -nic none -device virtio-net-pci,netdev=nosuch", "nosuch");
}

static void test_tx(void)
{
    Dev *d = dev_start(NULL);
    start(d, VIRTIO_F_VERSION_1);
    uint8_t frame[1514], got[2048];
    make_frame(frame, BCAST, sizeof(frame), 1);

    /* Header and frame in separate descriptors, the frame in two pieces. */
    qtest_memset(d->s, BUF, 0, 12);
    qtest_memwrite(d->s, BUF + 0x1000, frame, 1000);
    qtest_memwrite(d->s, BUF + 0x2000, frame + 1000, sizeof(frame) - 1000);
    qvirtio_set_desc(d->v, RING(TXQ), 0, BUF, 12, 1, 1);
    qvirtio_set_desc(d->v, RING(TXQ), 1, BUF + 0x1000, 1000, 1, 2);
    qvirtio_set_desc(d->v, RING(TXQ), 2, BUF + 0x2000, sizeof(frame) - 1000, 0, 0);
    qvirtio_avail_push(d->v, TXQ, 0);
    qvirtio_kick(d->v, TXQ);
    g_assert_cmpint(sock_recv(d, got, sizeof(got), 5000), ==, sizeof(frame));
    g_assert_cmpmem(got, sizeof(frame), frame, sizeof(frame));
    qvirtio_wait_used(d->v, TXQ, 0);

    /* Header and a short frame in one descriptor. */
    make_frame(frame, MAC, 60, 2);
    post_tx(d, 3, BUF + 0x3000, frame, 60);
    qvirtio_kick(d->v, TXQ);
    g_assert_cmpint(sock_recv(d, got, sizeof(got), 5000), ==, 60);
    g_assert_cmpmem(got, 60, frame, 60);
    qvirtio_wait_used(d->v, TXQ, 3);

    /* A burst of frames in one kick: all of them, in order. */
    for (unsigned i = 0; i < 8; i++) {
        uint64_t a = BUF + 0x10000 + 0x1000 * i;
        make_frame(frame, MAC, 100 + i, 10 + i);
        post_tx(d, 4 + i, a, frame, 100 + i);
    }
    qvirtio_kick(d->v, TXQ);
    for (unsigned i = 0; i < 8; i++) {
        make_frame(frame, MAC, 100 + i, 10 + i);
        g_assert_cmpint(sock_recv(d, got, sizeof(got), 5000), ==, 100 + i);
        g_assert_cmpmem(got, 100 + i, frame, 100 + i);
        qvirtio_wait_used(d->v, TXQ, 4 + i);
    }
    g_assert_cmphex(qvirtio_status(d->v) & S_NEEDS_RESET, ==, 0);
    dev_free(d);
}

/* More frames in one kick than a burst (128): the rest go from the bottom half. */
static void test_tx_burst(void)
{
    Dev *d = dev_start(NULL);
    d->qsize = 256;
    start(d, VIRTIO_F_VERSION_1);
    enum { N = 200, LEN = 64 };
    uint8_t frame[LEN], got[256];
    for (unsigned i = 0; i < N; i++) {
        uint64_t a = BUF + 0x100 * i;
        make_frame(frame, BCAST, LEN, i);
        frame[14] = i;
        post_tx(d, i, a, frame, LEN);
    }
    qvirtio_kick(d->v, TXQ);
    for (unsigned i = 0; i < N; i++) {
        make_frame(frame, BCAST, LEN, i);
        frame[14] = i;
        g_assert_cmpint(sock_recv(d, got, sizeof(got), 5000), ==, LEN);
        g_assert_cmpmem(got, LEN, frame, LEN);
    }
    for (unsigned i = 0; i < N; i++) {
        qvirtio_wait_used(d->v, TXQ, i);
    }
    dev_free(d);
}

static void test_tx_oversize(void)
{
    Dev *d = dev_start(NULL);
    start(d, VIRTIO_F_VERSION_1);
    uint8_t frame[200], got[2048];
    /* 12 + 70000 bytes: beyond NET_MAX_FRAME, dropped, the buffer still used. */
    qtest_memset(d->s, BUF, 0, 12 + 70000);
    qvirtio_set_desc(d->v, RING(TXQ), 0, BUF, 12 + 70000, 0, 0);
    qvirtio_avail_push(d->v, TXQ, 0);
    make_frame(frame, MAC, sizeof(frame), 7);
    qtest_memset(d->s, BUF + 0x20000, 0, 12);
    qtest_memwrite(d->s, BUF + 0x20000 + 12, frame, sizeof(frame));
    qvirtio_set_desc(d->v, RING(TXQ), 1, BUF + 0x20000, 12 + sizeof(frame), 0, 0);
    qvirtio_avail_push(d->v, TXQ, 1);
    qvirtio_kick(d->v, TXQ);
    qvirtio_wait_used(d->v, TXQ, 0);
    qvirtio_wait_used(d->v, TXQ, 1);
    /* The first datagram is the second frame. */
    g_assert_cmpint(sock_recv(d, got, sizeof(got), 5000), ==, sizeof(frame));
    g_assert_cmpmem(got, sizeof(frame), frame, sizeof(frame));
    g_assert_cmphex(qvirtio_status(d->v) & S_NEEDS_RESET, ==, 0);
    dev_free(d);
}

/* ---- software offloads (no vnet header on the backend) ---- */

/* RFC 1071 sum over @n bytes plus @seed, folded: written here as the oracle. */
static uint16_t ref_sum(const uint8_t *p, size_t n, uint32_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        s += i & 1 ? p[i] : p[i] << 8;
    }
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return s;
}

static uint32_t ref_pseudo4(const uint8_t *ip, uint8_t proto, size_t l4len)
{
    return ref_sum(ip + 12, 8, 0) + proto + l4len;
}

static uint16_t rd16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

/*
 * Ethernet + IPv4 (id 0x1234, header checksum right) + TCP (seq 0x01020304,
 * @flags) + @payload bytes; the TCP checksum field holds the pseudo-header
 * sum, as a driver leaves it for NEEDS_CSUM.
 */
static size_t make_tcp4(uint8_t *f, size_t payload, uint8_t flags)
{
    make_frame(f, MAC, 14 + 40 + payload, 9);
    uint8_t *ip = f + 14, *tcp = ip + 20;
    memset(ip, 0, 40);
    ip[0] = 0x45;
    ip[2] = (40 + payload) >> 8;
    ip[3] = 40 + payload;
    ip[4] = 0x12;
    ip[5] = 0x34;
    ip[6] = 0x40;
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
    uint16_t c = ~ref_sum(ip, 20, 0);
    ip[10] = c >> 8;
    ip[11] = c;
    memcpy(tcp, "\x12\x34\x00\x50\x01\x02\x03\x04\x00\x00\x00\x00", 12);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp[14] = 0xff;
    uint16_t p = ref_sum(NULL, 0, ref_pseudo4(ip, 6, 20 + payload));
    tcp[16] = p >> 8;
    tcp[17] = p;
    return 14 + 40 + payload;
}

/* Post @frame behind the 12-byte header @hdr at @addr, descriptor @i of TX. */
static void post_tx_hdr(Dev *d, unsigned i, uint64_t addr, const uint8_t *hdr,
                        const uint8_t *frame, size_t len)
{
    qtest_memwrite(d->s, addr, hdr, 12);
    qtest_memwrite(d->s, addr + 12, frame, len);
    qvirtio_set_desc(d->v, RING(TXQ), i, addr, 12 + len, 0, 0);
    qvirtio_avail_push(d->v, TXQ, i);
}

static void test_tx_offload(void)
{
    Dev *d = dev_start(NULL);
    start(d, VIRTIO_F_VERSION_1 | F_CSUM | F_HOST_TSO4);
    static uint8_t frame[14 + 40 + 2500], got[4096];

    /* NEEDS_CSUM, csum_start 34, csum_offset 16: the TCP checksum filled in. */
    size_t n = make_tcp4(frame, 300, 0x18);
    uint8_t hdr[12] = { 1, 0, 0, 0, 0, 0, 34, 0, 16, 0, 0, 0 };
    post_tx_hdr(d, 0, BUF, hdr, frame, n);
    qvirtio_kick(d->v, TXQ);
    g_assert_cmpint(sock_recv(d, got, sizeof(got), 5000), ==, (ssize_t)n);
    g_assert_cmpmem(got, 50, frame, 50);
    g_assert_cmpmem(got + 52, n - 52, frame + 52, n - 52);
    g_assert_cmphex(ref_sum(got + 34, n - 34, ref_pseudo4(got + 14, 6, n - 34)), ==, 0xffff);
    qvirtio_wait_used(d->v, TXQ, 0);

    /* GSO_TCPV4, gso_size 1000, 2500 bytes: three frames as TSO hardware cuts them. */
    n = make_tcp4(frame, 2500, 0x19);               /* ACK PSH FIN */
    uint8_t gso[12] = { 1, 1, 54, 0, 0xe8, 0x03, 34, 0, 16, 0, 0, 0 };
    post_tx_hdr(d, 1, BUF + 0x10000, gso, frame, n);
    qvirtio_kick(d->v, TXQ);
    for (unsigned i = 0; i < 3; i++) {
        size_t pl = i < 2 ? 1000 : 500;
        g_assert_cmpint(sock_recv(d, got, sizeof(got), 5000), ==, (ssize_t)(54 + pl));
        const uint8_t *ip = got + 14, *tcp = ip + 20;
        g_assert_cmpmem(got, 14, frame, 14);
        g_assert_cmpuint(rd16(ip + 2), ==, 40 + pl);
        g_assert_cmphex(rd16(ip + 4), ==, 0x1234 + i);
        g_assert_cmphex(ref_sum(ip, 20, 0), ==, 0xffff);
        g_assert_cmphex((uint32_t)rd16(tcp + 4) << 16 | rd16(tcp + 6), ==,
                        0x01020304 + 1000 * i);
        g_assert_cmphex(tcp[13], ==, i < 2 ? 0x10 : 0x19);
        g_assert_cmphex(ref_sum(tcp, 20 + pl, ref_pseudo4(ip, 6, 20 + pl)), ==, 0xffff);
        g_assert_cmpmem(tcp + 20, pl, frame + 54 + 1000 * i, pl);
    }
    qvirtio_wait_used(d->v, TXQ, 1);

    /* Hostile: a checksum offset past the end, a GSO frame that is not TCP. */
    hdr[6] = 0xf0;
    post_tx_hdr(d, 2, BUF + 0x20000, hdr, frame, 100);
    gso[1] = 4;                                     /* TCPV6, but the frame is IPv4 */
    post_tx_hdr(d, 3, BUF + 0x30000, gso, frame, n);
    make_frame(frame, MAC, 80, 3);
    post_tx(d, 4, BUF + 0x40000, frame, 80);
    qvirtio_kick(d->v, TXQ);
    g_assert_cmpint(sock_recv(d, got, sizeof(got), 5000), ==, 80);   /* only the last */
    g_assert_cmpmem(got, 80, frame, 80);
    for (unsigned i = 2; i <= 4; i++) {
        qvirtio_wait_used(d->v, TXQ, i);
    }
    g_assert_cmphex(qvirtio_status(d->v) & S_NEEDS_RESET, ==, 0);
    dev_free(d);

    /* Without HOST_TSO4 negotiated a GSO request is refused (dropped). */
    d = dev_start(NULL);
    start(d, VIRTIO_F_VERSION_1 | F_CSUM);
    n = make_tcp4(frame, 2500, 0x10);
    gso[1] = 1;
    post_tx_hdr(d, 0, BUF, gso, frame, n);
    qvirtio_kick(d->v, TXQ);
    qvirtio_wait_used(d->v, TXQ, 0);
    g_assert_cmpint(sock_recv(d, got, sizeof(got), 300), ==, -1);
    dev_free(d);
}

static void test_rx_csum(void)
{
    Dev *d = dev_start(NULL);
    start(d, VIRTIO_F_VERSION_1 | F_GUEST_CSUM);
    uint8_t frame[600], hdr[12];

    /* A right TCP checksum: DATA_VALID (§5.1.6.4); a wrong one: no claim. */
    size_t n = make_tcp4(frame, 200, 0x10);
    uint8_t *tcp = frame + 34;
    tcp[16] = tcp[17] = 0;
    uint16_t c = ~ref_sum(tcp, 220, ref_pseudo4(frame + 14, 6, 220));
    tcp[16] = c >> 8;
    tcp[17] = c;
    uint64_t b0 = post_rx(d, 0, 2048);
    uint64_t b1 = post_rx(d, 1, 2048);
    uint64_t b2 = post_rx(d, 2, 2048);
    qvirtio_kick(d->v, RXQ);
    sock_send(d, frame, n);
    g_assert_cmpuint(qvirtio_wait_used(d->v, RXQ, 0), ==, 12 + n);
    qtest_memread(d->s, b0, hdr, 12);
    g_assert_cmphex(hdr[0], ==, 2);
    frame[100] ^= 1;
    sock_send(d, frame, n);
    g_assert_cmpuint(qvirtio_wait_used(d->v, RXQ, 1), ==, 12 + n);
    qtest_memread(d->s, b1, hdr, 12);
    g_assert_cmphex(hdr[0], ==, 0);
    /* Not IP at all: no claim either, the bytes as they were. */
    make_frame(frame, MAC, 100, 4);
    frame[12] = 0x88;
    sock_send(d, frame, 100);
    g_assert_cmpuint(qvirtio_wait_used(d->v, RXQ, 2), ==, 12 + 100);
    qtest_memread(d->s, b2, hdr, 12);
    g_assert_cmphex(hdr[0], ==, 0);
    dev_free(d);
}

/* Receive one frame into the buffer at @addr; check header and bytes. */
static void check_rx(Dev *d, uint64_t addr, uint32_t len, const uint8_t *frame,
                     size_t flen, unsigned hdr_len)
{
    g_assert_cmpuint(len, ==, hdr_len + flen);
    uint8_t hdr[12];
    qtest_memread(d->s, addr, hdr, hdr_len);
    /* §5.1.6.4: no offload information from a socket: flags, gso_type 0 ... */
    for (unsigned i = 0; i < 10; i++) {
        g_assert_cmphex(hdr[i], ==, 0);
    }
    /* ... and num_buffers 1 when the header has it. */
    if (hdr_len == 12) {
        g_assert_cmphex(hdr[10] | hdr[11] << 8, ==, 1);
    }
    g_autofree uint8_t *got = g_malloc(flen);
    qtest_memread(d->s, addr + hdr_len, got, flen);
    g_assert_cmpmem(got, flen, frame, flen);
}

static void test_rx(void)
{
    Dev *d = dev_start(NULL);
    start(d, VIRTIO_F_VERSION_1);
    uint8_t frame[1514];

    /* A frame before any buffer: it waits until the guest posts one and kicks. */
    make_frame(frame, MAC, 1000, 3);
    sock_send(d, frame, 1000);
    g_usleep(200 * 1000);
    uint64_t b0 = post_rx(d, 0, 2048);
    qvirtio_kick(d->v, RXQ);
    check_rx(d, b0, qvirtio_wait_used(d->v, RXQ, 0), frame, 1000, 12);

    /* Full-size frame, buffer posted first. */
    uint64_t b1 = post_rx(d, 1, 1526);
    qvirtio_kick(d->v, RXQ);
    make_frame(frame, BCAST, 1514, 4);
    sock_send(d, frame, 1514);
    check_rx(d, b1, qvirtio_wait_used(d->v, RXQ, 1), frame, 1514, 12);

    /* Without MRG_RXBUF a frame too big for the buffer is dropped, the buffer kept. */
    uint64_t b2 = post_rx(d, 2, 300);
    qvirtio_kick(d->v, RXQ);
    make_frame(frame, MAC, 600, 5);
    sock_send(d, frame, 600);
    make_frame(frame, MAC, 200, 6);
    sock_send(d, frame, 200);
    check_rx(d, b2, qvirtio_wait_used(d->v, RXQ, 2), frame, 200, 12);
    g_assert_cmphex(qvirtio_status(d->v) & S_NEEDS_RESET, ==, 0);
    dev_free(d);
}

static void test_rx_mergeable(void)
{
    Dev *d = dev_start(NULL);
    start(d, VIRTIO_F_VERSION_1 | F_MRG_RXBUF);
    uint8_t frame[1514];
    uint64_t b[4];
    for (unsigned i = 0; i < 3; i++) {
        b[i] = post_rx(d, i, 256);
    }
    qvirtio_kick(d->v, RXQ);
    make_frame(frame, MAC, 600, 8);
    sock_send(d, frame, 600);
    /* 12 + 600 bytes over three 256-byte buffers (§5.1.6.4.2). */
    uint32_t l0 = qvirtio_wait_used(d->v, RXQ, 0);
    uint32_t l1 = qvirtio_wait_used(d->v, RXQ, 1);
    uint32_t l2 = qvirtio_wait_used(d->v, RXQ, 2);
    g_assert_cmpuint(l0, ==, 256);
    g_assert_cmpuint(l1, ==, 256);
    g_assert_cmpuint(l2, ==, 612 - 512);
    uint8_t got[768];
    qtest_memread(d->s, b[0], got, 256);
    qtest_memread(d->s, b[1], got + 256, 256);
    qtest_memread(d->s, b[2], got + 512, 100);
    for (unsigned i = 0; i < 10; i++) {
        g_assert_cmphex(got[i], ==, 0);
    }
    g_assert_cmpuint(got[10] | got[11] << 8, ==, 3);      /* num_buffers */
    g_assert_cmpmem(got + 12, 600, frame, 600);

    /* A frame needing more than is posted waits for more buffers. */
    b[3] = post_rx(d, 3, 256);
    qvirtio_kick(d->v, RXQ);
    make_frame(frame, MAC, 400, 9);
    sock_send(d, frame, 400);
    uint32_t id, len;
    g_assert_false(qvirtio_try_used(d->v, RXQ, &id, &len, 300));
    uint64_t b4 = post_rx(d, 4, 256);
    qvirtio_kick(d->v, RXQ);
    g_assert_cmpuint(qvirtio_wait_used(d->v, RXQ, 3), ==, 256);
    g_assert_cmpuint(qvirtio_wait_used(d->v, RXQ, 4), ==, 412 - 256);
    qtest_memread(d->s, b[3], got, 256);
    qtest_memread(d->s, b4, got + 256, 156);
    g_assert_cmpuint(got[10] | got[11] << 8, ==, 2);
    g_assert_cmpmem(got + 12, 400, frame, 400);
    dev_free(d);
}

/* Send a control command; returns the ack byte. */
static uint8_t ctrl(Dev *d, uint8_t cls, uint8_t cmd, const void *data, size_t len)
{
    static unsigned slot;
    unsigned i = (slot++ % 4) * 3;
    uint64_t a = CTRL_BUF + 0x1000 * (i / 3);
    qtest_writeb(d->s, a, cls);
    qtest_writeb(d->s, a + 1, cmd);
    qtest_writeb(d->s, a + 0x800, 0xee);
    if (len) {
        qtest_memwrite(d->s, a + 0x100, data, len);
        qvirtio_set_desc(d->v, RING(CTRLQ), i, a, 2, 1, i + 1);
        qvirtio_set_desc(d->v, RING(CTRLQ), i + 1, a + 0x100, len, 1, i + 2);
    } else {
        qvirtio_set_desc(d->v, RING(CTRLQ), i, a, 2, 1, i + 2);
    }
    qvirtio_set_desc(d->v, RING(CTRLQ), i + 2, a + 0x800, 1, 2, 0);
    qvirtio_avail_push(d->v, CTRLQ, i);
    qvirtio_kick(d->v, CTRLQ);
    g_assert_cmpuint(qvirtio_wait_used(d->v, CTRLQ, i), ==, 1);
    return qtest_readb(d->s, a + 0x800);
}

static uint8_t ctrl_rx(Dev *d, uint8_t cmd, uint8_t on)
{
    return ctrl(d, 0, cmd, &on, 1);
}

/*
 * Whether a frame to @dst (VLAN-tagged with @vid unless negative) reaches
 * the guest: send it, then a frame to our own address, and see which one
 * lands in the posted buffer first.
 */
static bool delivered(Dev *d, const uint8_t *dst, int vid)
{
    static unsigned desc;
    uint8_t frame[100], mark[80];
    make_frame(frame, dst, sizeof(frame), 0x40);
    if (vid >= 0) {
        frame[12] = 0x81;
        frame[13] = 0x00;
        frame[14] = vid >> 8;
        frame[15] = vid;
    }
    make_frame(mark, MAC, sizeof(mark), 0x41);
    unsigned i = desc++ % QSIZE;
    uint64_t b = post_rx(d, i, 256);
    unsigned j = desc++ % QSIZE;
    uint64_t b2 = post_rx(d, j, 256);
    qvirtio_kick(d->v, RXQ);
    sock_send(d, frame, sizeof(frame));
    sock_send(d, mark, sizeof(mark));
    uint32_t len = qvirtio_wait_used(d->v, RXQ, i);
    if (len == 12 + sizeof(mark)) {
        check_rx(d, b, len, mark, sizeof(mark), 12);
        /* The second buffer stays: drain it with the next mark. */
        sock_send(d, mark, sizeof(mark));
        check_rx(d, b2, qvirtio_wait_used(d->v, RXQ, j), mark, sizeof(mark), 12);
        return false;
    }
    check_rx(d, b, len, frame, sizeof(frame), 12);
    check_rx(d, b2, qvirtio_wait_used(d->v, RXQ, j), mark, sizeof(mark), 12);
    return true;
}

static void test_ctrl(void)
{
    static const uint8_t other[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x77 };
    static const uint8_t uni1[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
    static const uint8_t mc1[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
    static const uint8_t mc2[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x02 };
    Dev *d = dev_start(NULL);
    start(d, VIRTIO_F_VERSION_1 | F_CTRL_VQ | F_CTRL_RX | F_CTRL_RX_EXTRA | F_CTRL_VLAN |
          F_CTRL_MAC_ADDR);

    /* Promiscuous after reset (as QEMU), until the driver says otherwise. */
    g_assert_true(delivered(d, other, -1));
    g_assert_cmpuint(ctrl_rx(d, 0, 0), ==, 0);
    g_assert_false(delivered(d, other, -1));
    g_assert_true(delivered(d, BCAST, -1));
    g_assert_false(delivered(d, mc1, -1));

    /* §5.1.6.5.2: one unicast and one multicast address in the table. */
    uint8_t tbl[4 + 6 + 4 + 6];
    memcpy(tbl, (uint8_t[]){ 1, 0, 0, 0 }, 4);
    memcpy(tbl + 4, uni1, 6);
    memcpy(tbl + 10, (uint8_t[]){ 1, 0, 0, 0 }, 4);
    memcpy(tbl + 14, mc1, 6);
    g_assert_cmpuint(ctrl(d, 1, 0, tbl, sizeof(tbl)), ==, 0);
    g_assert_true(delivered(d, uni1, -1));
    g_assert_true(delivered(d, mc1, -1));
    g_assert_false(delivered(d, mc2, -1));
    g_assert_false(delivered(d, other, -1));
    /* A table whose counts do not match its length is refused. */
    tbl[10] = 2;
    g_assert_cmpuint(ctrl(d, 1, 0, tbl, sizeof(tbl)), ==, 1);

    g_assert_cmpuint(ctrl_rx(d, 1, 1), ==, 0);         /* allmulti */
    g_assert_true(delivered(d, mc2, -1));
    g_assert_cmpuint(ctrl_rx(d, 3, 1), ==, 0);         /* nomulti wins */
    g_assert_false(delivered(d, mc1, -1));
    g_assert_cmpuint(ctrl_rx(d, 5, 1), ==, 0);         /* nobcast */
    g_assert_false(delivered(d, BCAST, -1));
    g_assert_cmpuint(ctrl_rx(d, 2, 1), ==, 0);         /* alluni */
    g_assert_true(delivered(d, other, -1));
    g_assert_cmpuint(ctrl_rx(d, 2, 0), ==, 0);
    g_assert_cmpuint(ctrl_rx(d, 9, 1), ==, 1);         /* no such command */

    /* VLAN filter (§5.1.6.5.3): a tagged frame passes once its VLAN is added. */
    g_assert_false(delivered(d, MAC, 5));
    g_assert_cmpuint(ctrl(d, 2, 0, (uint8_t[]){ 5, 0 }, 2), ==, 0);
    g_assert_true(delivered(d, MAC, 5));
    g_assert_cmpuint(ctrl(d, 2, 1, (uint8_t[]){ 5, 0 }, 2), ==, 0);
    g_assert_false(delivered(d, MAC, 5));

    /* MAC_ADDR_SET: the config space follows, frames to the new address pass. */
    g_assert_cmpuint(ctrl(d, 1, 1, uni1 + 0, 6), ==, 0);
    for (int i = 0; i < 6; i++) {
        g_assert_cmphex(qtest_readb(d->s, d->v->device + i), ==, uni1[i]);
    }
    /* MQ was not negotiated; unknown classes are refused. */
    g_assert_cmpuint(ctrl(d, 4, 0, (uint8_t[]){ 1, 0 }, 2), ==, 1);
    g_assert_cmpuint(ctrl(d, 0x42, 0, NULL, 0), ==, 1);
    g_assert_cmphex(qvirtio_status(d->v) & S_NEEDS_RESET, ==, 0);

    /* A reset brings the power-on filter back (promiscuous, the property's MAC). */
    start(d, VIRTIO_F_VERSION_1 | F_CTRL_VQ | F_CTRL_RX);
    g_assert_cmphex(qtest_readb(d->s, d->v->device + 5), ==, MAC[5]);
    g_assert_true(delivered(d, other, -1));
    dev_free(d);
}

static void test_mq(void)
{
    Dev *d = dev_start(",mq=on");
    start(d, VIRTIO_F_VERSION_1 | F_CTRL_VQ | F_MQ);
    /* A one-queue netdev: max_virtqueue_pairs 1, 2 pairs refused (§5.1.6.5.5). */
    g_assert_cmpuint(qtest_readw(d->s, d->v->device + 8), ==, 1);
    g_assert_cmpuint(ctrl(d, 4, 0, (uint8_t[]){ 2, 0 }, 2), ==, 1);
    g_assert_cmpuint(ctrl(d, 4, 0, (uint8_t[]){ 0, 0 }, 2), ==, 1);
    g_assert_cmpuint(ctrl(d, 4, 0, (uint8_t[]){ 1, 0 }, 2), ==, 0);
    dev_free(d);
}

/* The device is broken (NEEDS_RESET), emu answers, and a reset repairs it. */
static void expect_broken_then_recover(Dev *d, uint64_t features)
{
    for (int i = 0; i < 2000 && !(qvirtio_status(d->v) & S_NEEDS_RESET); i++) {
        g_usleep(1000);
    }
    g_assert_cmphex(qvirtio_status(d->v) & S_NEEDS_RESET, ==, S_NEEDS_RESET);
    g_assert_cmphex(cfg_readw(d->s, DEV, PCI_VENDOR_ID), ==, 0x1af4);
    start(d, features);
    g_assert_cmphex(qvirtio_status(d->v) & S_NEEDS_RESET, ==, 0);
    uint8_t frame[64], got[128];
    make_frame(frame, BCAST, sizeof(frame), 0x50);
    post_tx(d, 0, BUF, frame, sizeof(frame));
    qvirtio_kick(d->v, TXQ);
    g_assert_cmpint(sock_recv(d, got, sizeof(got), 5000), ==, sizeof(frame));
    g_assert_cmpmem(got, sizeof(frame), frame, sizeof(frame));
}

static void test_hostile(void)
{
    uint64_t f = VIRTIO_F_VERSION_1 | F_CTRL_VQ | F_CTRL_RX;
    Dev *d = dev_start(NULL);
    uint8_t frame[64], got[128];

    /* TX chain of 6 bytes: shorter than the 12-byte header; nothing is sent. */
    start(d, f);
    qvirtio_set_desc(d->v, RING(TXQ), 0, BUF, 6, 0, 0);
    qvirtio_avail_push(d->v, TXQ, 0);
    qvirtio_kick(d->v, TXQ);
    g_assert_cmpint(sock_recv(d, got, sizeof(got), 200), ==, -1);
    expect_broken_then_recover(d, f);

    /* RX buffer of 8 bytes: no room for the header. */
    start(d, f);
    qvirtio_set_desc(d->v, RING(RXQ), 0, BUF, 8, 2, 0);
    qvirtio_avail_push(d->v, RXQ, 0);
    qvirtio_kick(d->v, RXQ);
    make_frame(frame, MAC, sizeof(frame), 0x60);
    sock_send(d, frame, sizeof(frame));
    expect_broken_then_recover(d, f);

    /* A TX descriptor loop. */
    start(d, f);
    qvirtio_set_desc(d->v, RING(TXQ), 0, BUF, 12, 1, 1);
    qvirtio_set_desc(d->v, RING(TXQ), 1, BUF + 0x100, 64, 1, 0);
    qvirtio_avail_push(d->v, TXQ, 0);
    qvirtio_kick(d->v, TXQ);
    expect_broken_then_recover(d, f);

    /* A control request without an ack byte. */
    start(d, f);
    qvirtio_set_desc(d->v, RING(CTRLQ), 0, CTRL_BUF, 3, 0, 0);
    qvirtio_avail_push(d->v, CTRLQ, 0);
    qvirtio_kick(d->v, CTRLQ);
    expect_broken_then_recover(d, f);

    /* Device-writable TX buffer only (no header to read). */
    start(d, f);
    qvirtio_set_desc(d->v, RING(TXQ), 0, BUF, 100, 2, 0);
    qvirtio_avail_push(d->v, TXQ, 0);
    qvirtio_kick(d->v, TXQ);
    expect_broken_then_recover(d, f);

    /* A control request with a huge length: refused, not fatal. */
    start(d, f);
    qtest_writeb(d->s, CTRL_BUF, 1);
    qtest_writeb(d->s, CTRL_BUF + 1, 0);
    qvirtio_set_desc(d->v, RING(CTRLQ), 0, CTRL_BUF, 0x20000, 1, 1);
    qvirtio_set_desc(d->v, RING(CTRLQ), 1, CTRL_BUF + 0x30000, 1, 2, 0);
    qvirtio_avail_push(d->v, CTRLQ, 0);
    qvirtio_kick(d->v, CTRLQ);
    g_assert_cmpuint(qvirtio_wait_used(d->v, CTRLQ, 0), ==, 1);
    g_assert_cmpuint(qtest_readb(d->s, CTRL_BUF + 0x30000), ==, 1);
    g_assert_cmphex(qvirtio_status(d->v) & S_NEEDS_RESET, ==, 0);
    dev_free(d);
}

/* The legacy interface (§4.1.4.8) without MRG_RXBUF: a 10-byte header (§5.1.6). */
static void test_legacy(void)
{
    Dev *d = dev_start(NULL);
    QTestState *s = d->s;
    qtest_outb(s, QVIRTIO_IOBASE + 0x12, 0);
    qtest_outb(s, QVIRTIO_IOBASE + 0x12, S_ACK | S_DRIVER);
    g_assert_true(qtest_inl(s, QVIRTIO_IOBASE + 0x00) & F_MAC);
    qtest_outl(s, QVIRTIO_IOBASE + 0x04, F_MAC | F_STATUS);
    for (unsigned q = 0; q < 2; q++) {
        qtest_memset(s, RING(q), 0, 0x10000);
        qtest_outw(s, QVIRTIO_IOBASE + 0x0e, q);
        g_assert_cmpuint(qtest_inw(s, QVIRTIO_IOBASE + 0x0c), ==, 256);
        qtest_outl(s, QVIRTIO_IOBASE + 0x08, RING(q) >> 12);
    }
    qtest_outb(s, QVIRTIO_IOBASE + 0x12, S_ACK | S_DRIVER | S_DRIVER_OK);
    /* Device configuration right after the header (no MSI-X): mac, status. */
    for (int i = 0; i < 6; i++) {
        g_assert_cmphex(qtest_inb(s, QVIRTIO_IOBASE + 0x14 + i), ==, MAC[i]);
    }
    g_assert_cmphex(qtest_inw(s, QVIRTIO_IOBASE + 0x14 + 6), ==, 1);

    /* Queue size 256: avail ring at +4096, used ring at +8192. */
    uint8_t frame[300], got[512];
    make_frame(frame, BCAST, sizeof(frame), 0x21);
    qtest_memset(s, BUF, 0, 10);
    qtest_memwrite(s, BUF + 10, frame, sizeof(frame));
    qvirtio_set_desc(d->v, RING(TXQ), 0, BUF, 10 + sizeof(frame), 0, 0);
    qtest_writew(s, RING(TXQ) + 4096 + 4, 0);
    qtest_writew(s, RING(TXQ) + 4096 + 2, 1);
    qtest_outw(s, QVIRTIO_IOBASE + 0x10, TXQ);
    g_assert_cmpint(sock_recv(d, got, sizeof(got), 5000), ==, sizeof(frame));
    g_assert_cmpmem(got, sizeof(frame), frame, sizeof(frame));

    qtest_memset(s, BUF + 0x1000, 0xcc, 2048);
    qvirtio_set_desc(d->v, RING(RXQ), 0, BUF + 0x1000, 2048, 2, 0);
    qtest_writew(s, RING(RXQ) + 4096 + 4, 0);
    qtest_writew(s, RING(RXQ) + 4096 + 2, 1);
    qtest_outw(s, QVIRTIO_IOBASE + 0x10, RXQ);
    make_frame(frame, MAC, sizeof(frame), 0x22);
    sock_send(d, frame, sizeof(frame));
    for (int i = 0; i < 5000 && qtest_readw(s, RING(RXQ) + 8192 + 2) != 1; i++) {
        g_usleep(1000);
    }
    g_assert_cmpuint(qtest_readw(s, RING(RXQ) + 8192 + 2), ==, 1);
    g_assert_cmpuint(qtest_readl(s, RING(RXQ) + 8192 + 8), ==, 10 + sizeof(frame));
    check_rx(d, BUF + 0x1000, 10 + sizeof(frame), frame, sizeof(frame), 10);
    /* The byte after the frame is untouched: the header was not 12 bytes. */
    g_assert_cmphex(qtest_readb(s, BUF + 0x1000 + 10 + sizeof(frame)), ==, 0xcc);
    dev_free(d);
}

static void test_link(void)
{
    Dev *d = dev_start(",id=nic0");
    start(d, VIRTIO_F_VERSION_1 | F_STATUS);
    g_autofree char *out = hmp(d->s, "set_link nic0 off");
    if (strstr(out, "nknown command") || strstr(out, "not found")) {
        g_test_skip("no set_link in the monitor");
        dev_free(d);
        return;
    }
    g_assert_cmphex(qtest_readw(d->s, d->v->device + 6) & 1, ==, 0);
    g_assert_cmphex(qtest_readb(d->s, d->v->isr) & 2, ==, 2);     /* config change */
    /* No link: transmitted frames are dropped (the buffer is still used). */
    uint8_t frame[64], got[128];
    make_frame(frame, BCAST, sizeof(frame), 0x70);
    post_tx(d, 0, BUF, frame, sizeof(frame));
    qvirtio_kick(d->v, TXQ);
    qvirtio_wait_used(d->v, TXQ, 0);
    g_assert_cmpint(sock_recv(d, got, sizeof(got), 200), ==, -1);
    g_free(hmp(d->s, "set_link nic0 on"));
    g_assert_cmphex(qtest_readw(d->s, d->v->device + 6) & 1, ==, 1);
    /* Without GUEST_ANNOUNCE the device never asks for an announcement. */
    g_assert_cmphex(qtest_readw(d->s, d->v->device + 6) & 2, ==, 0);

    /* §5.1.6.5.4: with it, link-up raises ANNOUNCE until the driver's ack. */
    start(d, VIRTIO_F_VERSION_1 | F_STATUS | F_CTRL_VQ | F_GUEST_ANNOUNCE);
    g_free(hmp(d->s, "set_link nic0 off"));
    g_free(hmp(d->s, "set_link nic0 on"));
    g_assert_cmphex(qtest_readw(d->s, d->v->device + 6), ==, 3);
    g_assert_cmpuint(ctrl(d, 3, 0, NULL, 0), ==, 0);
    g_assert_cmphex(qtest_readw(d->s, d->v->device + 6), ==, 1);
    dev_free(d);
}

/* ---- RX interrupts over a TX burst (slirp answers inside the send) ---- */

#define MSG_RAM 0x10000ull              /* the TX vector's message lands here */
#define COUNTER 0xd0000000ull           /* emu-testdev's MMIO window */

static uint32_t testdev_rd(QTestState *s, uint32_t reg)
{
    qtest_outl(s, TESTDEV_IOBASE + TESTDEV_PORT_INDEX, reg);
    return qtest_inl(s, TESTDEV_IOBASE + TESTDEV_PORT_DATA);
}

static void testdev_wr(QTestState *s, uint32_t reg, uint32_t val)
{
    qtest_outl(s, TESTDEV_IOBASE + TESTDEV_PORT_INDEX, reg);
    qtest_outl(s, TESTDEV_IOBASE + TESTDEV_PORT_DATA, val);
}

/* An ARP request (RFC 826) from MAC/10.0.2.15 for 10.0.2.@host, padded to 60 bytes. */
static size_t make_arp_request(uint8_t *f, uint8_t host)
{
    static const uint8_t head[] = { 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01 };
    memset(f, 0, 60);
    memcpy(f, BCAST, 6);
    memcpy(f + 6, MAC, 6);
    memcpy(f + 12, head, sizeof(head));
    memcpy(f + 22, MAC, 6);                                     /* sender hardware */
    memcpy(f + 28, (uint8_t[]){ 10, 0, 2, 15 }, 4);             /* sender protocol */
    memcpy(f + 38, (uint8_t[]){ 10, 0, 2, host }, 4);           /* target protocol */
    return 60;
}

/*
 * -netdev user answers an ARP request for its gateway (10.0.2.2) or DNS
 * (10.0.2.3) address inside the send call, so K requests in one TX kick fill
 * K receive buffers during the device's TX run. The RX queue's MSI-X vector
 * writes into emu-testdev's MMIO window, whose access counter counts the
 * messages: without EVENT_IDX every notification is a message (§2.7.10 with
 * the avail flags clear), and the guest must get exactly one per kick, after
 * all K answers are in the used ring; with VIRTQ_AVAIL_F_NO_INTERRUPT none.
 */
static void test_rx_irq_per_tx_burst(void)
{
    enum { K = 8 };
    Dev *d = g_new0(Dev, 1);
    d->sock = -1;
    d->qsize = QSIZE;
    d->v = qvirtio_start(SLOT, "-machine pc -m 64M -netdev user,id=n0 "
                         "-device virtio-net-pci,netdev=n0,addr=04.0,"
                         "mac=52:54:00:ab:cd:ef -device emu-testdev");
    d->s = d->v->s;
    QTestState *s = d->s;

    uint32_t win = TESTDEV_REG_WIN(TESTDEV_WIN_MMIO);
    testdev_wr(s, win + TESTDEV_WIN_ADDR_LO, (uint32_t)COUNTER);
    testdev_wr(s, win + TESTDEV_WIN_ADDR_HI, 0);
    testdev_wr(s, win + TESTDEV_WIN_CTL, TESTDEV_CTL_MAP);
    g_assert_cmphex(testdev_rd(s, TESTDEV_REG_STATUS), ==, 0);
    g_assert_cmphex(qtest_readl(s, COUNTER + TESTDEV_MMIO_ID), ==, TESTDEV_ID_VALUE);

    /* Vector 0 (RX) writes the counter window's scratch register, vector 1 (TX) RAM. */
    qvirtio_msix_setup(d->v, 2, MSG_RAM, 0x4000);
    qtest_writel(s, QVIRTIO_MSIX_BAR + 0, (uint32_t)(COUNTER + TESTDEV_MMIO_SCRATCH));
    qtest_writel(s, QVIRTIO_MSIX_BAR + 4, 0);
    g_assert_true(qvirtio_negotiate(d->v, VIRTIO_F_VERSION_1));
    qvirtio_setup_queue(d->v, RXQ, QSIZE, 0);
    qvirtio_setup_queue(d->v, TXQ, QSIZE, 1);
    qvirtio_setup_queue(d->v, CTRLQ, QSIZE, 0xffff);
    qvirtio_driver_ok(d->v);
    d->next_buf = BUF;

    for (unsigned round = 0; round < 3; round++) {
        bool no_interrupt = round == 2;
        unsigned first = (round % 2) * K;
        uint64_t rx_addr[K];
        uint8_t frame[60];
        qtest_writew(s, RING(RXQ) + QVIRTIO_AVAIL_OFF, no_interrupt);   /* avail flags */
        qtest_writel(s, MSG_RAM + 4, 0);
        for (unsigned i = 0; i < K; i++) {
            rx_addr[i] = post_rx(d, first + i, 256);
        }
        for (unsigned i = 0; i < K; i++) {
            size_t len = make_arp_request(frame, 2 + i % 2);
            post_tx(d, first + i, BUF + 0x200000 + 0x100 * (first + i), frame, len);
        }
        uint32_t before = testdev_rd(s, TESTDEV_REG_MMIO_COUNT);
        qvirtio_kick(d->v, TXQ);
        for (unsigned i = 0; i < K; i++) {
            qvirtio_wait_used(d->v, TXQ, first + i);
        }
        /* Every request answered, in order, in its own buffer (no MRG_RXBUF). */
        for (unsigned i = 0; i < K; i++) {
            uint8_t got[12 + 42];
            uint32_t len = qvirtio_wait_used(d->v, RXQ, first + i);
            g_assert_cmpuint(len, >=, sizeof(got));
            g_assert_cmpuint(len, <=, 256);
            qtest_memread(s, rx_addr[i], got, sizeof(got));
            g_assert_cmpuint(got[10] | got[11] << 8, ==, 1);            /* num_buffers */
            const uint8_t *f = got + 12;
            g_assert_cmpmem(f, 6, MAC, 6);                              /* to us */
            g_assert_cmphex(f[12] << 8 | f[13], ==, 0x0806);
            g_assert_cmphex(f[20] << 8 | f[21], ==, 2);                 /* reply */
            g_assert_cmpmem(f + 28, 4, ((uint8_t[]){ 10, 0, 2, 2 + i % 2 }), 4);
            g_assert_cmpmem(f + 32, 6, MAC, 6);
            g_assert_cmpmem(f + 38, 4, ((uint8_t[]){ 10, 0, 2, 15 }), 4);
        }
        uint32_t id, len;
        g_assert_false(qvirtio_get_used(d->v, RXQ, &id, &len));
        /* One RX message for the whole burst (none with NO_INTERRUPT), and TX's. */
        uint32_t msgs = testdev_rd(s, TESTDEV_REG_MMIO_COUNT) - before;
        g_assert_cmpuint(msgs, ==, no_interrupt ? 0 : 1);
        g_assert_cmphex(qtest_readl(s, MSG_RAM + 4), ==, 0x4001);
    }
    g_assert_cmphex(qvirtio_status(d->v) & S_NEEDS_RESET, ==, 0);
    qvirtio_free(d->v);
    g_free(d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-net/ids-features", test_ids_features);
    g_test_add_func("/virtio-net/tx-offload", test_tx_offload);
    g_test_add_func("/virtio-net/rx-csum", test_rx_csum);
    g_test_add_func("/virtio-net/tx", test_tx);
    g_test_add_func("/virtio-net/tx-burst", test_tx_burst);
    g_test_add_func("/virtio-net/tx-oversize", test_tx_oversize);
    g_test_add_func("/virtio-net/rx", test_rx);
    g_test_add_func("/virtio-net/rx-mergeable", test_rx_mergeable);
    g_test_add_func("/virtio-net/ctrl", test_ctrl);
    g_test_add_func("/virtio-net/mq", test_mq);
    g_test_add_func("/virtio-net/hostile", test_hostile);
    g_test_add_func("/virtio-net/legacy", test_legacy);
    g_test_add_func("/virtio-net/link", test_link);
    g_test_add_func("/virtio-net/rx-irq-per-tx-burst", test_rx_irq_per_tx_burst);
    return g_test_run();
}
