/*
 * The net core's delivery rules (include/net/net.h, "Flow control"), checked
 * with fake clients whose receive() records what it got: queueing when the
 * receiver returns 0 or can_receive() is false, delivery in order on flush,
 * sent callbacks, link down, purge, hubs, NIC MAC resolution, and the socket
 * netdev's TCP framing against a raw socket written by the test (the wire
 * format: 4-byte big-endian length, then the frame); main-loop pollers and
 * an idle user (slirp) backend that must let the loop sleep.
 */
#include "net/net.h"
#include "net/net-internal.h"
#include "system/main-loop.h"
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

typedef struct FakeClient {
    NetClientState nc;
    int room;                   /* frames receive() still takes; <0 = unlimited */
    bool can;                   /* what can_receive() says */
    int receive_calls;
    GPtrArray *got;             /* of GByteArray * */
} FakeClient;

static ssize_t fake_receive(NetClientState *nc, const uint8_t *buf, size_t size)
{
    FakeClient *f = container_of(nc, FakeClient, nc);
    f->receive_calls++;
    if (f->room == 0) {
        return 0;
    }
    if (f->room > 0) {
        f->room--;
    }
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, buf, size);
    g_ptr_array_add(f->got, b);
    return size;
}

static bool fake_can_receive(NetClientState *nc)
{
    return container_of(nc, FakeClient, nc)->can;
}

static void fake_cleanup(NetClientState *nc)
{
    g_ptr_array_free(container_of(nc, FakeClient, nc)->got, TRUE);
}

static const NetClientInfo fake_info = {
    .type = NET_CLIENT_DRIVER_NONE,
    .size = sizeof(FakeClient),
    .receive = fake_receive,
    .can_receive = fake_can_receive,
    .cleanup = fake_cleanup,
};

static FakeClient *fake_new(const char *name, FakeClient *peer)
{
    NetClientState *nc = qemu_new_net_client(&fake_info, peer ? &peer->nc : NULL, "fake",
                                             name);
    FakeClient *f = container_of(nc, FakeClient, nc);
    f->room = -1;
    f->can = true;
    f->got = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
    return f;
}

static uint8_t got_byte(FakeClient *f, guint i)
{
    GByteArray *b = g_ptr_array_index(f->got, i);
    return b->data[0];
}

static int sent_calls;
static ssize_t sent_last_len;
static NetClientState *sent_last_sender;

static void count_sent(NetClientState *sender, ssize_t len)
{
    sent_calls++;
    sent_last_len = len;
    sent_last_sender = sender;
}

static void test_deliver_direct(void)
{
    FakeClient *b = fake_new("b", NULL);
    FakeClient *a = fake_new("a", b);
    uint8_t frame[60] = { 0xaa };

    g_assert_true(a->nc.peer == &b->nc && b->nc.peer == &a->nc);
    g_assert_cmpint(qemu_send_packet(&a->nc, frame, sizeof(frame)), ==, 60);
    g_assert_cmpuint(b->got->len, ==, 1);
    g_assert_cmpuint(((GByteArray *)g_ptr_array_index(b->got, 0))->len, ==, 60);
    g_assert_cmpint(got_byte(b, 0), ==, 0xaa);
    /* Scatter-gather is flattened for a receive()-only client. */
    uint8_t p1[3] = { 1, 2, 3 }, p2[2] = { 4, 5 };
    struct iovec iov[2] = { { p1, 3 }, { p2, 2 } };
    g_assert_cmpint(qemu_sendv_packet(&a->nc, iov, 2), ==, 5);
    GByteArray *g = g_ptr_array_index(b->got, 1);
    g_assert_cmpuint(g->len, ==, 5);
    g_assert_cmpmem(g->data, 5, ((uint8_t[]){ 1, 2, 3, 4, 5 }), 5);
    qemu_del_net_client(&a->nc);
    g_assert_null(b->nc.peer);
    qemu_del_net_client(&b->nc);
}

static void test_queue_and_flush_order(void)
{
    FakeClient *b = fake_new("b", NULL);
    FakeClient *a = fake_new("a", b);
    uint8_t f[4][20];

    for (int i = 0; i < 4; i++) {
        memset(f[i], 0x10 + i, sizeof(f[i]));
    }
    sent_calls = 0;
    b->room = 1;
    /* The first fits; the second meets a full receiver and is queued. */
    g_assert_cmpint(qemu_send_packet_async(&a->nc, f[0], 20, count_sent), ==, 20);
    g_assert_cmpint(qemu_send_packet_async(&a->nc, f[1], 20, count_sent), ==, 0);
    g_assert_true(b->nc.receive_disabled);
    g_assert_false(qemu_can_send_packet(&a->nc));
    /* Later frames wait behind it without bothering the receiver. */
    int calls = b->receive_calls;
    g_assert_cmpint(qemu_send_packet_async(&a->nc, f[2], 20, count_sent), ==, 0);
    g_assert_cmpint(qemu_send_packet(&a->nc, f[3], 20), ==, 0);
    g_assert_cmpint(b->receive_calls, ==, calls);
    g_assert_cmpint(sent_calls, ==, 0);
    g_assert_cmpuint(b->got->len, ==, 1);

    /* Room for one: flush delivers exactly the next, then stops again. */
    b->room = 1;
    qemu_flush_queued_packets(&b->nc);
    g_assert_cmpuint(b->got->len, ==, 2);
    g_assert_cmpint(got_byte(b, 1), ==, 0x11);
    g_assert_cmpint(sent_calls, ==, 1);
    g_assert_cmpint(sent_last_len, ==, 20);
    g_assert_true(sent_last_sender == &a->nc);

    b->room = -1;
    qemu_flush_queued_packets(&b->nc);
    g_assert_cmpuint(b->got->len, ==, 4);
    g_assert_cmpint(got_byte(b, 2), ==, 0x12);
    g_assert_cmpint(got_byte(b, 3), ==, 0x13);
    g_assert_cmpint(sent_calls, ==, 2);   /* the 4th had no callback */
    g_assert_true(qemu_can_send_packet(&a->nc));
    qemu_del_net_client(&a->nc);
    qemu_del_net_client(&b->nc);
}

static void test_can_receive_false(void)
{
    FakeClient *b = fake_new("b", NULL);
    FakeClient *a = fake_new("a", b);
    uint8_t frame[10] = { 7 };

    b->can = false;
    sent_calls = 0;
    g_assert_false(qemu_can_send_packet(&a->nc));
    g_assert_cmpint(qemu_send_packet_async(&a->nc, frame, 10, count_sent), ==, 0);
    g_assert_cmpint(b->receive_calls, ==, 0);
    b->can = true;
    qemu_flush_queued_packets(&b->nc);
    g_assert_cmpuint(b->got->len, ==, 1);
    g_assert_cmpint(sent_calls, ==, 1);
    qemu_del_net_client(&a->nc);
    qemu_del_net_client(&b->nc);
}

static void test_link_down_and_no_peer(void)
{
    FakeClient *b = fake_new("b", NULL);
    FakeClient *a = fake_new("a", b);
    FakeClient *lone = fake_new("lone", NULL);
    uint8_t frame[30] = { 0 };

    /* No peer: dropped, reported as sent. */
    g_assert_cmpint(qemu_send_packet(&lone->nc, frame, 30), ==, 30);

    /* Receiver's link down: dropped even if it could not take frames. */
    b->room = 0;
    b->nc.link_down = true;
    g_assert_cmpint(qemu_send_packet_async(&a->nc, frame, 30, count_sent), ==, 30);
    g_assert_cmpint(b->receive_calls, ==, 0);
    b->nc.link_down = false;
    b->room = -1;

    /* Sender's link down: nothing leaves. */
    a->nc.link_down = true;
    g_assert_cmpint(qemu_send_packet(&a->nc, frame, 30), ==, 30);
    g_assert_cmpuint(b->got->len, ==, 0);
    a->nc.link_down = false;

    /* set_link off on a client purges what waits for it, and up again delivers. */
    b->room = 0;
    sent_calls = 0;
    g_assert_cmpint(qemu_send_packet_async(&a->nc, frame, 30, count_sent), ==, 0);
    g_assert_true(net_set_link("b", false, &error_abort));
    g_assert_cmpint(sent_calls, ==, 1);
    g_assert_cmpint(sent_last_len, ==, 0);
    g_assert_true(a->nc.link_down);       /* the peer shares the link */
    g_assert_true(net_set_link("b", true, &error_abort));
    g_assert_false(net_set_link("nosuch", true, NULL));
    b->room = -1;
    qemu_flush_queued_packets(&b->nc);
    g_assert_cmpint(qemu_send_packet(&a->nc, frame, 30), ==, 30);
    g_assert_cmpuint(b->got->len, ==, 1);
    qemu_del_net_client(&a->nc);
    qemu_del_net_client(&b->nc);
    qemu_del_net_client(&lone->nc);
}

static void test_purge(void)
{
    FakeClient *b = fake_new("b", NULL);
    FakeClient *a = fake_new("a", b);
    uint8_t frame[16] = { 0 };

    b->room = 0;
    sent_calls = 0;
    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(qemu_send_packet_async(&a->nc, frame, 16, count_sent), ==, 0);
    }
    qemu_purge_queued_packets(&a->nc);
    g_assert_cmpint(sent_calls, ==, 3);
    g_assert_cmpint(sent_last_len, ==, 0);
    b->room = -1;
    int calls = b->receive_calls;
    qemu_flush_queued_packets(&b->nc);
    g_assert_cmpint(b->receive_calls, ==, calls);
    g_assert_cmpuint(b->got->len, ==, 0);
    /* Deleting a sender with frames queued at its peer drops them too. */
    b->room = 0;
    g_assert_cmpint(qemu_send_packet(&a->nc, frame, 16), ==, 0);
    qemu_del_net_client(&a->nc);
    b->room = -1;
    qemu_flush_queued_packets(&b->nc);
    g_assert_cmpuint(b->got->len, ==, 0);
    qemu_del_net_client(&b->nc);
}

static void test_queue_limit(void)
{
    FakeClient *b = fake_new("b", NULL);
    FakeClient *a = fake_new("a", b);
    uint8_t frame[8] = { 0 };

    b->room = 0;
    g_assert_cmpint(qemu_send_packet(&a->nc, frame, 8), ==, 0);
    for (int i = 1; i < NET_QUEUE_MAX_LEN; i++) {
        g_assert_cmpint(qemu_send_packet(&a->nc, frame, 8), ==, 0);
    }
    /* Full: a sender without callback sees its frame dropped... */
    g_assert_cmpint(qemu_send_packet(&a->nc, frame, 8), ==, 8);
    /* ...one with a callback is still kept (it stops reading until then). */
    g_assert_cmpint(qemu_send_packet_async(&a->nc, frame, 8, count_sent), ==, 0);
    b->room = -1;
    sent_calls = 0;
    qemu_flush_queued_packets(&b->nc);
    g_assert_cmpuint(b->got->len, ==, NET_QUEUE_MAX_LEN + 1);
    g_assert_cmpint(sent_calls, ==, 1);
    qemu_del_net_client(&a->nc);
    qemu_del_net_client(&b->nc);
}

static void test_hub(void)
{
    NetClientState *p[3];
    FakeClient *f[3];
    uint8_t frame[42] = { 0x42 };

    for (int i = 0; i < 3; i++) {
        g_autofree char *n = g_strdup_printf("hp%d", i);
        p[i] = net_hub_add_port(7, n, &error_abort);
        f[i] = fake_new(NULL, NULL);
        f[i]->nc.peer = p[i];
        p[i]->peer = &f[i]->nc;
    }
    g_assert_cmpint(qemu_send_packet(&f[1]->nc, frame, 42), ==, 42);
    g_assert_cmpuint(f[0]->got->len, ==, 1);
    g_assert_cmpuint(f[1]->got->len, ==, 0);   /* not back to the sender */
    g_assert_cmpuint(f[2]->got->len, ==, 1);

    /*
     * A member that turns out full keeps the hub's frame in its own queue;
     * from then on the hub holds back new frames (in the sending port's
     * queue) until that member flushes.
     */
    f[2]->room = 0;
    g_assert_cmpint(qemu_send_packet(&f[0]->nc, frame, 42), ==, 42);
    g_assert_cmpuint(f[1]->got->len, ==, 1);
    g_assert_cmpuint(f[2]->got->len, ==, 1);
    g_assert_cmpint(qemu_send_packet(&f[0]->nc, frame, 42), ==, 0);
    g_assert_cmpuint(f[1]->got->len, ==, 1);
    f[2]->room = -1;
    qemu_flush_queued_packets(&f[2]->nc);
    g_assert_cmpuint(f[1]->got->len, ==, 2);
    g_assert_cmpuint(f[2]->got->len, ==, 3);
    for (int i = 0; i < 3; i++) {
        qemu_del_net_client(&f[i]->nc);
        qemu_del_net_client(p[i]);
    }
}

static const NetClientInfo fake_nic_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NICState),
    .receive = fake_receive,
};

static void test_nic_conf(void)
{
    MACAddr m;
    char buf[32];

    g_assert_true(net_parse_macaddr("52:54:00:ab:CD:ef", &m));
    g_assert_cmpmem(m.a, 6, ((uint8_t[]){ 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef }), 6);
    net_format_macaddr(buf, sizeof(buf), &m);
    g_assert_cmpstr(buf, ==, "52:54:00:ab:cd:ef");
    g_assert_false(net_parse_macaddr("52:54:00:ab:cd", &m));
    g_assert_false(net_parse_macaddr("52:54:00:ab:cd:eg", &m));
    g_assert_false(net_parse_macaddr("52:54:00:ab:cd:ef:", &m));
    g_assert_false(net_parse_macaddr("", &m));

    Error *err = NULL;
    NICConf bad = { .mac_str = (char *)"01:00:5e:00:00:01" };
    g_assert_false(qemu_nic_conf_resolve(&bad, "nic", &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "multicast"));
    error_free(err);
    err = NULL;
    NICConf nodev = { .netdev_id = (char *)"missing" };
    g_assert_false(qemu_nic_conf_resolve(&nodev, "nic", &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "missing"));
    error_free(err);
    err = NULL;

    /* Default MACs count up from QEMU's 52:54:00:12:34:56. */
    FakeClient *be = fake_new("be0", NULL);
    NICConf c1 = { .netdev_id = (char *)"be0" }, c2 = { 0 };
    g_assert_true(qemu_nic_conf_resolve(&c1, "nic1", &error_abort));
    g_assert_true(qemu_nic_conf_resolve(&c2, "nic2", &error_abort));
    net_format_macaddr(buf, sizeof(buf), &c1.macaddr);
    g_assert_cmpstr(buf, ==, "52:54:00:12:34:56");
    net_format_macaddr(buf, sizeof(buf), &c2.macaddr);
    g_assert_cmpstr(buf, ==, "52:54:00:12:34:57");   /* failed resolves took none */
    g_assert_true(c1.peers[0] == &be->nc);

    int opaque;
    NICState *nic = qemu_new_nic(&fake_nic_info, &c1, "fake-nic", "nic1", &opaque);
    NetClientState *q = qemu_get_queue(nic);
    g_assert_true(qemu_get_nic(q) == nic);
    g_assert_true(qemu_get_nic_opaque(q) == &opaque);
    g_assert_true(be->nc.peer == q);
    g_assert_cmpstr(q->info_str, ==, "model=fake-nic,macaddr=52:54:00:12:34:56");
    /* The netdev is taken now. */
    NICConf c3 = { .netdev_id = (char *)"be0" };
    g_assert_false(qemu_nic_conf_resolve(&c3, "nic3", &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "already used"));
    error_free(err);
    qemu_del_nic(nic);
    g_assert_null(be->nc.peer);
    qemu_del_net_client(&be->nc);
}

/* ---- socket netdev ---- */

static int free_tcp_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(a);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
    close(fd);
    return ntohs(a.sin_port);
}

static int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    g_assert_cmpint(connect(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    return fd;
}

static void spin(int n)
{
    for (int i = 0; i < n; i++) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
}

/*
 * Loopback delivery can lag under load (softirq deferred to ksoftirqd): wait for
 * a condition with a generous deadline rather than a fixed number of turns.
 */
#define SPIN_UNTIL(cond) \
    do { \
        for (int spin_i_ = 0; spin_i_ < 10000 && !(cond); spin_i_++) { \
            spin(1); \
        } \
    } while (0)

static bool peer_closed(int fd)
{
    char b;
    ssize_t n = recv(fd, &b, 1, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static void write_all(int fd, const void *buf, size_t len)
{
    g_assert_cmpint(write(fd, buf, len), ==, (ssize_t)len);
}

static void test_socket_tcp(void)
{
    int port = free_tcp_port();
    g_autofree char *spec = g_strdup_printf("socket,id=sk0,listen=127.0.0.1:%d", port);
    g_autoptr(Opts) o = opts_parse(spec, "type", &error_abort);
    g_assert_true(net_client_netdev_add(o, &error_abort));
    NetClientState *sk = qemu_find_netdev("sk0");
    g_assert_nonnull(sk);
    FakeClient *nic = fake_new("nic", NULL);
    nic->nc.peer = sk;
    sk->peer = &nic->nc;

    int c = tcp_connect(port);
    SPIN_UNTIL(strstr(sk->info_str, "connection from"));
    g_assert_nonnull(strstr(sk->info_str, "connection from"));
    /* Two frames in one write, the second split over two writes. */
    uint8_t wire[4 + 60 + 4 + 70];
    memset(wire, 0, sizeof(wire));
    wire[3] = 60;
    memset(wire + 4, 0x11, 60);
    wire[64 + 3] = 70;
    memset(wire + 68, 0x22, 70);
    write_all(c, wire, 100);
    spin(10);
    write_all(c, wire + 100, sizeof(wire) - 100);
    SPIN_UNTIL(nic->got->len >= 2);
    g_assert_cmpuint(nic->got->len, ==, 2);
    g_assert_cmpuint(((GByteArray *)g_ptr_array_index(nic->got, 0))->len, ==, 60);
    g_assert_cmpuint(((GByteArray *)g_ptr_array_index(nic->got, 1))->len, ==, 70);
    g_assert_cmpint(got_byte(nic, 1), ==, 0x22);

    /* The NIC's frame goes out with a big-endian length in front. */
    uint8_t out[300];
    memset(out, 0x33, 300);
    g_assert_cmpint(qemu_send_packet(&nic->nc, out, 300), ==, 300);
    uint8_t rx[304];
    size_t got = 0;
    while (got < sizeof(rx)) {
        ssize_t n = read(c, rx + got, sizeof(rx) - got);
        g_assert_cmpint(n, >, 0);
        got += n;
    }
    g_assert_cmpmem(rx, 4, ((uint8_t[]){ 0, 0, 1, 44 }), 4);
    g_assert_cmpint(rx[4], ==, 0x33);
    g_assert_cmpint(rx[303], ==, 0x33);

    /* Flow control: a full NIC pauses reading; frames arrive after its flush. */
    nic->room = 0;
    int calls = nic->receive_calls;
    write_all(c, wire, sizeof(wire));
    SPIN_UNTIL(nic->receive_calls > calls);
    spin(20);
    /* One refused attempt, then reading paused: the second frame was not offered. */
    g_assert_cmpint(nic->receive_calls, ==, calls + 1);
    g_assert_cmpuint(nic->got->len, ==, 2);
    nic->room = -1;
    qemu_flush_queued_packets(&nic->nc);
    SPIN_UNTIL(nic->got->len >= 4);
    g_assert_cmpuint(nic->got->len, ==, 4);

    /* Hostile: a length above NET_MAX_FRAME ends the connection... */
    uint32_t big = htonl(NET_MAX_FRAME + 1);
    write_all(c, &big, 4);
    SPIN_UNTIL(peer_closed(c));
    g_assert_true(peer_closed(c));
    close(c);
    /* ...and the listener takes the next one. */
    c = tcp_connect(port);
    write_all(c, wire, 64);
    SPIN_UNTIL(nic->got->len >= 5);
    g_assert_cmpuint(nic->got->len, ==, 5);
    close(c);
    spin(10);

    qemu_del_net_client(&nic->nc);
    qemu_del_net_client(sk);
}

static void test_socket_udp(void)
{
    int p1 = free_tcp_port(), p2 = free_tcp_port();
    g_autofree char *s1 = g_strdup_printf("socket,id=u1,udp=127.0.0.1:%d,"
                                          "localaddr=127.0.0.1:%d", p2, p1);
    g_autofree char *s2 = g_strdup_printf("socket,id=u2,udp=127.0.0.1:%d,"
                                          "localaddr=127.0.0.1:%d", p1, p2);
    g_autoptr(Opts) o1 = opts_parse(s1, "type", &error_abort);
    g_autoptr(Opts) o2 = opts_parse(s2, "type", &error_abort);
    g_assert_true(net_client_netdev_add(o1, &error_abort));
    g_assert_true(net_client_netdev_add(o2, &error_abort));
    FakeClient *n1 = fake_new(NULL, NULL), *n2 = fake_new(NULL, NULL);
    NetClientState *u1 = qemu_find_netdev("u1"), *u2 = qemu_find_netdev("u2");
    n1->nc.peer = u1;
    u1->peer = &n1->nc;
    n2->nc.peer = u2;
    u2->peer = &n2->nc;

    uint8_t frame[1500];
    memset(frame, 0x5a, sizeof(frame));
    g_assert_cmpint(qemu_send_packet(&n1->nc, frame, sizeof(frame)), ==, 1500);
    SPIN_UNTIL(n2->got->len >= 1);
    g_assert_cmpuint(n2->got->len, ==, 1);
    g_assert_cmpuint(((GByteArray *)g_ptr_array_index(n2->got, 0))->len, ==, 1500);
    g_assert_cmpuint(n1->got->len, ==, 0);
    qemu_del_net_client(&n1->nc);
    qemu_del_net_client(&n2->nc);
    qemu_del_net_client(u1);
    qemu_del_net_client(u2);
}

static void test_netdev_errors(void)
{
    static const struct { const char *spec, *want; } cases[] = {
        { "socket,id=e1,listen=127.0.0.1:1,bogus=3", "bogus" },
        { "socket,id=e1", "exactly one" },
        { "socket,id=e1,listen=127.0.0.1:99999", "port" },
        { "socket,id=e1,mcast=10.0.0.1:5000", "multicast" },
        { "hubport,id=e1", "hubid" },
        { "hubport,id=e1,hubid=x", "hubid" },
        { "socket,listen=127.0.0.1:1", "id" },
        { "warp,id=e1", "warp" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        Error *err = NULL;
        g_autoptr(Opts) o = opts_parse(cases[i].spec, "type", &error_abort);
        g_assert_false(net_client_netdev_add(o, &err));
        if (!strstr(error_get_pretty(err), cases[i].want)) {
            g_test_message("%s -> %s", cases[i].spec, error_get_pretty(err));
            g_assert_not_reached();
        }
        error_free(err);
        g_assert_null(qemu_find_netdev("e1"));
    }
}

/* ---- main-loop pollers and the user backend's polling ---- */

typedef struct PollRec {
    int fd;
    int64_t timeout_ns;
    int fills, dones;
    gushort revents;
} PollRec;

static void rec_fill(GArray *fds, int64_t *timeout_ns, void *opaque)
{
    PollRec *r = opaque;
    GPollFD pfd = { .fd = r->fd, .events = G_IO_IN };
    g_array_append_val(fds, pfd);
    if (*timeout_ns < 0 || r->timeout_ns < *timeout_ns) {
        *timeout_ns = r->timeout_ns;
    }
    r->fills++;
}

static void rec_done(GPollFD *fds, guint n, bool error, void *opaque)
{
    PollRec *r = opaque;
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmpint(fds[0].fd, ==, r->fd);
    r->revents = fds[0].revents;
    r->dones++;
}

static void test_main_loop_poller(void)
{
    int p[2];
    g_assert_cmpint(pipe(p), ==, 0);
    for (int i = 0; i < 10; i++) {
        main_loop_wait(true);       /* whatever earlier tests left pending */
    }
    PollRec r = { .fd = p[0], .timeout_ns = 30 * 1000 * 1000 };
    MainLoopPoller *mp = main_loop_add_poller(rec_fill, rec_done, &r);

    /* Nothing to read: the poll sleeps until the poller's timeout. */
    gint64 t0 = g_get_monotonic_time();
    main_loop_wait(false);
    g_assert_cmpint(g_get_monotonic_time() - t0, >=, 25 * 1000);
    g_assert_cmpint(r.fills, ==, 1);
    g_assert_cmpint(r.dones, ==, 1);
    g_assert_cmphex(r.revents, ==, 0);

    /* A byte in the pipe: done sees POLLIN. */
    g_assert_cmpint(write(p[1], "x", 1), ==, 1);
    main_loop_wait(false);
    g_assert_cmpint(r.dones, ==, 2);
    g_assert_cmphex(r.revents & G_IO_IN, ==, G_IO_IN);

    main_loop_remove_poller(mp);
    main_loop_wait(true);
    g_assert_cmpint(r.fills, ==, 2);
    close(p[0]);
    close(p[1]);
}

/*
 * An idle user backend must let the loop sleep. Its poll set is rebuilt every
 * iteration; registered as GLib poll records, each rebuild woke the context
 * and the loop spun at 100% of a core, competing with the vCPU thread.
 */
static void test_user_idle(void)
{
    Error *err = NULL;
    int port = free_tcp_port();
    g_autofree char *spec = g_strdup_printf("user,id=u0,hostfwd=tcp:127.0.0.1:%d-:80",
                                            port);
    g_autoptr(Opts) o = opts_parse(spec, "type", &error_abort);
    if (!net_client_netdev_add(o, &err)) {
        g_test_skip(error_get_pretty(err));
        error_free(err);
        return;
    }
    int iterations = 0;
    gint64 t0 = g_get_monotonic_time();
    while (g_get_monotonic_time() - t0 < 200 * 1000) {
        main_loop_wait(false);
        iterations++;
    }
    g_test_message("%d main loop iterations in 200 ms", iterations);
    g_assert_cmpint(iterations, <, 20);

    /* Still polled: hostfwd accepts a connection on its host port. */
    int fd = tcp_connect(port);
    main_loop_wait(true);
    close(fd);
    qemu_del_net_client(qemu_find_netdev("u0"));
}

/*
 * A frame read from a backend's fd must not leave the main loop with a wakeup
 * pending. GLib blocked plain g_unix_fd_add() watches during their callback by
 * taking their fd out of the poll set and back, and each change wrote the
 * context's eventfd: the next poll returned at once instead of sleeping, one
 * wasted turn (and eventfd write and read) per frame. A poller's 30 ms timeout
 * bounds the sleep that must now happen.
 */
static void test_socket_no_wakeup(void)
{
    int p1 = free_tcp_port(), p2 = free_tcp_port();
    g_autofree char *spec = g_strdup_printf("socket,id=w1,udp=127.0.0.1:%d,"
                                            "localaddr=127.0.0.1:%d", p2, p1);
    g_autoptr(Opts) o = opts_parse(spec, "type", &error_abort);
    g_assert_true(net_client_netdev_add(o, &error_abort));
    NetClientState *w1 = qemu_find_netdev("w1");
    FakeClient *nic = fake_new(NULL, NULL);
    nic->nc.peer = w1;
    w1->peer = &nic->nc;
    for (int i = 0; i < 10; i++) {
        main_loop_wait(true);       /* whatever earlier steps left pending */
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(p1),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    PollRec r = { .fd = -1, .timeout_ns = 30 * 1000 * 1000 };
    MainLoopPoller *mp = main_loop_add_poller(rec_fill, rec_done, &r);
    uint8_t frame[100];
    memset(frame, 0x6b, sizeof(frame));

    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *)&a,
                               sizeof(a)), ==, sizeof(frame));
        /* The loop wakes for the datagram (the deadline only guards a lost one). */
        gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
        while (nic->got->len < (guint)i + 1 && g_get_monotonic_time() < deadline) {
            main_loop_wait(false);
        }
        g_assert_cmpuint(nic->got->len, ==, i + 1);
        /* Nothing else to do: this turn sleeps until the poller's timeout. */
        gint64 t0 = g_get_monotonic_time();
        main_loop_wait(false);
        gint64 slept = g_get_monotonic_time() - t0;
        g_test_message("frame %d: next turn slept %" G_GINT64_FORMAT " us", i, slept);
        g_assert_cmpint(slept, >=, 25 * 1000);
    }
    main_loop_remove_poller(mp);
    close(fd);
    qemu_del_net_client(&nic->nc);
    qemu_del_net_client(w1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/net/deliver-direct", test_deliver_direct);
    g_test_add_func("/net/queue-flush-order", test_queue_and_flush_order);
    g_test_add_func("/net/can-receive-false", test_can_receive_false);
    g_test_add_func("/net/link-down", test_link_down_and_no_peer);
    g_test_add_func("/net/purge", test_purge);
    g_test_add_func("/net/queue-limit", test_queue_limit);
    g_test_add_func("/net/hub", test_hub);
    g_test_add_func("/net/nic-conf", test_nic_conf);
    g_test_add_func("/net/socket-tcp", test_socket_tcp);
    g_test_add_func("/net/socket-udp", test_socket_udp);
    g_test_add_func("/net/netdev-errors", test_netdev_errors);
    g_test_add_func("/net/main-loop-poller", test_main_loop_poller);
    g_test_add_func("/net/user-idle", test_user_idle);
    g_test_add_func("/net/socket-no-wakeup", test_socket_no_wakeup);
    return g_test_run();
}
