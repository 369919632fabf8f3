/*
 * -netdev socket: frames over a host socket, as QEMU's socket netdev.
 *   listen=[HOST]:PORT   TCP server; one connection at a time
 *   connect=HOST:PORT    TCP client
 *     On TCP each frame is a 4-byte big-endian length, then the frame.
 *   udp=HOST:PORT,localaddr=HOST:PORT   one UDP datagram per frame
 *   mcast=GROUP:PORT[,localaddr=ADDR]   the same on an IPv4 multicast group
 *
 * The peer is not trusted: a length of 0 or above NET_MAX_FRAME ends that TCP
 * connection (a listener waits for the next one), and emu goes on.
 * Flow control: when the frontend cannot take a frame, the read watch is
 * removed until the frame's sent callback; a TCP send that would block keeps
 * the rest of the frame, queues later frames, and flushes when writable.
 */
#include "net/net-internal.h"
#include "util/log.h"
#include <glib-unix.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <fcntl.h>

typedef enum { SOCK_MODE_LISTEN, SOCK_MODE_CONNECT, SOCK_MODE_UDP, SOCK_MODE_MCAST } SockMode;

typedef struct NetSocketState {
    NetClientState nc;
    SockMode mode;
    int listen_fd;
    int fd;                     /* the connection or datagram socket, -1 if none */
    guint listen_tag;
    guint read_tag;
    guint write_tag;
    bool read_paused;           /* waiting for a sent callback */
    struct sockaddr_storage dest;   /* udp/mcast: where frames go */
    socklen_t dest_len;
    /* TCP receive state: header, then body. */
    uint8_t hdr[4];
    uint32_t hdr_got;
    uint32_t frame_len;
    uint32_t body_got;
    uint8_t *buf;               /* NET_MAX_FRAME bytes */
    /* TCP send: the rest of a frame the socket did not take at once. */
    uint8_t *out;
    size_t out_len, out_off;
    uint64_t dropped_bad_len;   /* connections closed for a bad length */
    /*
     * mcast: the group loops our own datagrams back (IP_MULTICAST_LOOP, so that
     * other emus on this host hear us). They all come from the same address and
     * port, so our own are recognised by content: the last few we sent.
     */
    uint64_t sent_hash[16];
    unsigned sent_next;
} NetSocketState;

/* FNV-1a over the frame and its length. */
static uint64_t net_socket_hash(const uint8_t *buf, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull ^ len;
    for (size_t i = 0; i < len; i++) {
        h = (h ^ buf[i]) * 0x100000001b3ull;
    }
    return h | 1;       /* 0 marks a free slot */
}

static void net_socket_read_start(NetSocketState *s);

/* "HOST:PORT" (HOST may be empty = any / localhost); IPv4 and IPv6 ("[::1]:5"). */
static bool net_socket_parse_addr(const char *str, bool passive, int socktype,
                                  struct sockaddr_storage *ss, socklen_t *len,
                                  Error **errp)
{
    const char *colon = strrchr(str, ':');
    if (!colon) {
        error_setg(errp, "'%s' is not HOST:PORT", str);
        return false;
    }
    g_autofree char *host = g_strndup(str, colon - str);
    const char *port = colon + 1;
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host) - 2);
        host[strlen(host) - 2] = 0;
    }
    char *end;
    unsigned long p = strtoul(port, &end, 10);
    if (!*port || *end || p > 65535) {
        error_setg(errp, "'%s': port '%s' is not a number from 0 to 65535", str, port);
        return false;
    }
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = socktype,
                              .ai_flags = passive ? AI_PASSIVE : 0 };
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(*host ? host : (passive ? NULL : "localhost"), port, &hints, &res);
    if (rc || !res) {
        error_setg(errp, "'%s': cannot resolve host '%s': %s", str, host, gai_strerror(rc));
        return false;
    }
    /* Prefer IPv4 for an empty host, as QEMU binds 0.0.0.0. */
    struct addrinfo *pick = res;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        if (a->ai_family == AF_INET) {
            pick = a;
            break;
        }
    }
    memcpy(ss, pick->ai_addr, pick->ai_addrlen);
    *len = pick->ai_addrlen;
    freeaddrinfo(res);
    return true;
}

static void net_socket_format_addr(const struct sockaddr_storage *ss, char *buf, size_t len)
{
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)ss;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        port = ntohs(in->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        port = ntohs(in6->sin6_port);
    }
    snprintf(buf, len, "%s:%d", host, port);
}

static void net_socket_set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void net_socket_read_stop(NetSocketState *s)
{
    if (s->read_tag) {
        g_source_remove(s->read_tag);
        s->read_tag = 0;
    }
}

static gboolean net_socket_listen_ready(gint fd, GIOCondition cond, gpointer opaque);

static void net_socket_listen_start(NetSocketState *s)
{
    if (s->listen_fd >= 0 && !s->listen_tag) {
        s->listen_tag = net_fd_watch_add(s->listen_fd, G_IO_IN, net_socket_listen_ready, s);
    }
}

/* Drop the TCP connection (peer closed, error or a hostile length). */
static void net_socket_disconnect_full(NetSocketState *s, const char *why, bool purge)
{
    net_socket_read_stop(s);
    if (s->write_tag) {
        g_source_remove(s->write_tag);
        s->write_tag = 0;
    }
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    g_clear_pointer(&s->out, g_free);
    s->out_len = s->out_off = 0;
    s->hdr_got = s->body_got = s->frame_len = 0;
    s->read_paused = false;
    if (purge) {
        /* Frames the frontend queued for a dead connection are gone. */
        net_queue_purge(s->nc.incoming_queue, NULL);
    }
    s->nc.receive_disabled = false;
    if (s->mode == SOCK_MODE_LISTEN) {
        snprintf(s->nc.info_str, sizeof(s->nc.info_str),
                 "socket: waiting for a connection (last: %s)", why);
        net_socket_listen_start(s);
    } else {
        snprintf(s->nc.info_str, sizeof(s->nc.info_str), "socket: disconnected (%s)", why);
    }
}

static void net_socket_disconnect(NetSocketState *s, const char *why)
{
    net_socket_disconnect_full(s, why, true);
}

static void net_socket_sent(NetClientState *nc, ssize_t len)
{
    NetSocketState *s = container_of(nc, NetSocketState, nc);
    if (s->read_paused) {
        s->read_paused = false;
        net_socket_read_start(s);
    }
}

/* Hand a whole frame to the frontend; false if it was queued (pause reading). */
static bool net_socket_deliver(NetSocketState *s, const uint8_t *buf, size_t len)
{
    if (qemu_send_packet_async(&s->nc, buf, len, net_socket_sent) == 0) {
        s->read_paused = true;
        net_socket_read_stop(s);
        return false;
    }
    return true;
}

static gboolean net_socket_stream_readable(gint fd, GIOCondition cond, gpointer opaque)
{
    NetSocketState *s = opaque;

    for (;;) {
        uint8_t *dst;
        size_t want;
        if (s->hdr_got < 4) {
            dst = s->hdr + s->hdr_got;
            want = 4 - s->hdr_got;
        } else {
            dst = s->buf + s->body_got;
            want = s->frame_len - s->body_got;
        }
        ssize_t n = recv(fd, dst, want, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return G_SOURCE_CONTINUE;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            s->read_tag = 0;
            net_socket_disconnect(s, n == 0 ? "closed by the peer" : g_strerror(errno));
            return G_SOURCE_REMOVE;
        }
        if (s->hdr_got < 4) {
            s->hdr_got += n;
            if (s->hdr_got < 4) {
                continue;
            }
            s->frame_len = (uint32_t)s->hdr[0] << 24 | s->hdr[1] << 16 | s->hdr[2] << 8 |
                           s->hdr[3];
            s->body_got = 0;
            if (s->frame_len == 0 || s->frame_len > NET_MAX_FRAME) {
                char why[96];
                snprintf(why, sizeof(why), "bad frame length %u", s->frame_len);
                warn_report("netdev %s: the peer sent a frame length of %u (at most %d): "
                            "closing the connection", s->nc.name, s->frame_len,
                            NET_MAX_FRAME);
                s->dropped_bad_len++;
                s->read_tag = 0;
                net_socket_disconnect(s, why);
                return G_SOURCE_REMOVE;
            }
            continue;
        }
        s->body_got += n;
        if (s->body_got < s->frame_len) {
            continue;
        }
        uint32_t len = s->frame_len;
        s->hdr_got = s->body_got = s->frame_len = 0;
        if (!net_socket_deliver(s, s->buf, len)) {
            return G_SOURCE_REMOVE;   /* read_tag already cleared */
        }
    }
}

static gboolean net_socket_dgram_readable(gint fd, GIOCondition cond, gpointer opaque)
{
    NetSocketState *s = opaque;

    for (;;) {
        ssize_t n = recv(fd, s->buf, NET_MAX_FRAME, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            /* EAGAIN, or an ICMP error from an earlier send: wait for the next one. */
            return G_SOURCE_CONTINUE;
        }
        if (n == 0) {
            continue;       /* an empty datagram is no frame */
        }
        if (s->mode == SOCK_MODE_MCAST) {
            uint64_t h = net_socket_hash(s->buf, n);
            bool own = false;
            for (size_t i = 0; i < ARRAY_SIZE(s->sent_hash) && !own; i++) {
                if (s->sent_hash[i] == h) {
                    s->sent_hash[i] = 0;
                    own = true;
                }
            }
            if (own) {
                continue;
            }
        }
        if (!net_socket_deliver(s, s->buf, n)) {
            return G_SOURCE_REMOVE;
        }
    }
}

static void net_socket_read_start(NetSocketState *s)
{
    if (s->fd < 0 || s->read_tag || s->read_paused) {
        return;
    }
    bool stream = s->mode == SOCK_MODE_LISTEN || s->mode == SOCK_MODE_CONNECT;
    s->read_tag = net_fd_watch_add(s->fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                stream ? net_socket_stream_readable
                                       : net_socket_dgram_readable, s);
}

static void net_socket_connected(NetSocketState *s, int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    net_socket_set_nonblock(fd);
    s->fd = fd;
    s->hdr_got = s->body_got = s->frame_len = 0;
    net_socket_read_start(s);
}

static gboolean net_socket_listen_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    NetSocketState *s = opaque;
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int c = accept(fd, (struct sockaddr *)&ss, &len);

    if (c < 0) {
        return G_SOURCE_CONTINUE;
    }
    char addr[80];
    net_socket_format_addr(&ss, addr, sizeof(addr));
    snprintf(s->nc.info_str, sizeof(s->nc.info_str), "socket: connection from %s", addr);
    /* One connection at a time: stop listening until it ends. */
    s->listen_tag = 0;
    net_socket_connected(s, c);
    return G_SOURCE_REMOVE;
}

static gboolean net_socket_writable(gint fd, GIOCondition cond, gpointer opaque)
{
    NetSocketState *s = opaque;

    while (s->out_off < s->out_len) {
        ssize_t n = send(fd, s->out + s->out_off, s->out_len - s->out_off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return G_SOURCE_CONTINUE;
        }
        if (n <= 0) {
            s->write_tag = 0;
            net_socket_disconnect(s, g_strerror(errno));
            return G_SOURCE_REMOVE;
        }
        s->out_off += n;
    }
    g_clear_pointer(&s->out, g_free);
    s->out_len = s->out_off = 0;
    s->write_tag = 0;
    qemu_flush_queued_packets(&s->nc);
    return G_SOURCE_REMOVE;
}

static ssize_t net_socket_receive(NetClientState *nc, const uint8_t *buf, size_t size)
{
    NetSocketState *s = container_of(nc, NetSocketState, nc);

    if (s->mode == SOCK_MODE_UDP || s->mode == SOCK_MODE_MCAST) {
        if (s->fd >= 0) {
            if (s->mode == SOCK_MODE_MCAST) {
                s->sent_hash[s->sent_next++ % ARRAY_SIZE(s->sent_hash)] =
                    net_socket_hash(buf, size);
            }
            /* Datagrams are fire and forget, like a wire: errors are drops. */
            sendto(s->fd, buf, size, MSG_NOSIGNAL, (struct sockaddr *)&s->dest, s->dest_len);
        }
        return size;
    }
    if (s->fd < 0) {
        return size;        /* no connection: the frame is lost, as on a cut wire */
    }
    if (s->out) {
        return 0;           /* the previous frame is still going out */
    }
    uint8_t hdr[4] = { size >> 24, size >> 16, size >> 8, size };
    struct iovec iov[2] = { { hdr, 4 }, { (void *)buf, size } };
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
    ssize_t n;
    do {
        n = sendmsg(s->fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        /* No purge: the core may be flushing the queue this frame came from. */
        net_socket_disconnect_full(s, g_strerror(errno), false);
        return size;
    }
    if (n < 0) {
        n = 0;
    }
    if ((size_t)n < size + 4) {
        /* Keep the rest; the frame counts as taken, later ones wait. */
        s->out_len = size + 4 - n;
        s->out = g_malloc(s->out_len);
        s->out_off = 0;
        size_t skip = n;
        if (skip < 4) {
            memcpy(s->out, hdr + skip, 4 - skip);
            memcpy(s->out + 4 - skip, buf, size);
        } else {
            memcpy(s->out, buf + (skip - 4), s->out_len);
        }
        s->write_tag = net_fd_watch_add(s->fd, G_IO_OUT, net_socket_writable, s);
    }
    return size;
}

static void net_socket_cleanup(NetClientState *nc)
{
    NetSocketState *s = container_of(nc, NetSocketState, nc);

    net_socket_read_stop(s);
    if (s->write_tag) {
        g_source_remove(s->write_tag);
    }
    if (s->listen_tag) {
        g_source_remove(s->listen_tag);
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
    }
    g_free(s->out);
    g_free(s->buf);
}

static const NetClientInfo net_socket_info = {
    .type = NET_CLIENT_DRIVER_SOCKET,
    .size = sizeof(NetSocketState),
    .receive = net_socket_receive,
    .cleanup = net_socket_cleanup,
};

static int net_socket_open_listen(const char *addr, Error **errp)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (!net_socket_parse_addr(addr, true, SOCK_STREAM, &ss, &len, errp)) {
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0) {
        error_setg_errno(errp, errno, "listen=%s: socket", addr);
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 1) < 0) {
        error_setg_errno(errp, errno, "listen=%s: cannot listen", addr);
        close(fd);
        return -1;
    }
    net_socket_set_nonblock(fd);
    return fd;
}

static int net_socket_open_connect(const char *addr, Error **errp)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (!net_socket_parse_addr(addr, false, SOCK_STREAM, &ss, &len, errp)) {
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "connect=%s: socket", addr);
        return -1;
    }
    /* Blocking connect at start-up, as QEMU: the other end must be listening. */
    int rc;
    do {
        rc = connect(fd, (struct sockaddr *)&ss, len);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        error_setg_errno(errp, errno, "connect=%s: cannot connect", addr);
        close(fd);
        return -1;
    }
    return fd;
}

static int net_socket_open_udp(NetSocketState *s, const char *dest, const char *local,
                               Error **errp)
{
    struct sockaddr_storage lss;
    socklen_t llen;
    if (!local) {
        error_setg(errp, "udp=%s needs localaddr=HOST:PORT to receive on", dest);
        return -1;
    }
    if (!net_socket_parse_addr(dest, false, SOCK_DGRAM, &s->dest, &s->dest_len, errp) ||
        !net_socket_parse_addr(local, true, SOCK_DGRAM, &lss, &llen, errp)) {
        return -1;
    }
    int fd = socket(lss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0) {
        error_setg_errno(errp, errno, "localaddr=%s: socket", local);
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&lss, llen) < 0) {
        error_setg_errno(errp, errno, "localaddr=%s: cannot bind", local);
        close(fd);
        return -1;
    }
    net_socket_set_nonblock(fd);
    return fd;
}

static int net_socket_open_mcast(NetSocketState *s, const char *group, const char *local,
                                 Error **errp)
{
    if (!net_socket_parse_addr(group, false, SOCK_DGRAM, &s->dest, &s->dest_len, errp)) {
        return -1;
    }
    struct sockaddr_in *g = (struct sockaddr_in *)&s->dest;
    if (s->dest.ss_family != AF_INET || !IN_MULTICAST(ntohl(g->sin_addr.s_addr))) {
        error_setg(errp, "mcast=%s: not an IPv4 multicast address (224.0.0.0/4)", group);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0) {
        error_setg_errno(errp, errno, "mcast=%s: socket", group);
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in bind_addr = *g;
    if (bind(fd, (struct sockaddr *)&bind_addr, sizeof(bind_addr)) < 0) {
        error_setg_errno(errp, errno, "mcast=%s: cannot bind", group);
        close(fd);
        return -1;
    }
    struct ip_mreq mreq = { .imr_multiaddr = g->sin_addr };
    mreq.imr_interface.s_addr = htonl(INADDR_ANY);
    if (local && inet_pton(AF_INET, local, &mreq.imr_interface) != 1) {
        error_setg(errp, "localaddr=%s: not an IPv4 address", local);
        close(fd);
        return -1;
    }
    if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) < 0) {
        error_setg_errno(errp, errno, "mcast=%s: cannot join the group", group);
        close(fd);
        return -1;
    }
    /* Other emu instances on this host are on the "wire" too. */
    unsigned char loop = 1;
    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop));
    if (local) {
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq.imr_interface,
                   sizeof(mreq.imr_interface));
    }
    net_socket_set_nonblock(fd);
    return fd;
}

bool net_init_socket(Opts *opts, const char *id, Error **errp)
{
    const char *listen_addr = opts_get(opts, "listen");
    const char *connect_addr = opts_get(opts, "connect");
    const char *udp = opts_get(opts, "udp");
    const char *mcast = opts_get(opts, "mcast");
    const char *local = opts_get(opts, "localaddr");
    int n = !!listen_addr + !!connect_addr + !!udp + !!mcast;

    if (opts_get(opts, "fd")) {
        error_setg(errp, "parameter 'fd' is not supported (use listen=, connect=, udp= "
                   "or mcast=)");
        return false;
    }
    if (!opts_check_unused(opts, "socket", errp)) {
        return false;
    }
    if (n != 1) {
        error_setg(errp, "give exactly one of listen=, connect=, udp= and mcast=");
        return false;
    }
    if (local && (listen_addr || connect_addr)) {
        error_setg(errp, "localaddr= goes with udp= or mcast= only");
        return false;
    }

    NetSocketState tmp = { .listen_fd = -1, .fd = -1 };
    int fd = -1;
    SockMode mode;
    if (listen_addr) {
        mode = SOCK_MODE_LISTEN;
        tmp.listen_fd = net_socket_open_listen(listen_addr, errp);
        if (tmp.listen_fd < 0) {
            return false;
        }
    } else if (connect_addr) {
        mode = SOCK_MODE_CONNECT;
        fd = net_socket_open_connect(connect_addr, errp);
    } else if (udp) {
        mode = SOCK_MODE_UDP;
        fd = net_socket_open_udp(&tmp, udp, local, errp);
    } else {
        mode = SOCK_MODE_MCAST;
        fd = net_socket_open_mcast(&tmp, mcast, local, errp);
    }
    if (mode != SOCK_MODE_LISTEN && fd < 0) {
        return false;
    }

    NetClientState *nc = qemu_new_net_client(&net_socket_info, NULL, "socket", id);
    NetSocketState *s = container_of(nc, NetSocketState, nc);
    s->mode = mode;
    s->listen_fd = tmp.listen_fd;
    s->fd = -1;
    s->dest = tmp.dest;
    s->dest_len = tmp.dest_len;
    s->buf = g_malloc(NET_MAX_FRAME);
    switch (mode) {
    case SOCK_MODE_LISTEN:
        snprintf(nc->info_str, sizeof(nc->info_str), "socket: listening on %s",
                 listen_addr);
        net_socket_listen_start(s);
        break;
    case SOCK_MODE_CONNECT:
        snprintf(nc->info_str, sizeof(nc->info_str), "socket: connected to %s",
                 connect_addr);
        net_socket_connected(s, fd);
        break;
    case SOCK_MODE_UDP:
        snprintf(nc->info_str, sizeof(nc->info_str), "socket: udp=%s,localaddr=%s", udp,
                 local);
        s->fd = fd;
        net_socket_read_start(s);
        break;
    case SOCK_MODE_MCAST:
        snprintf(nc->info_str, sizeof(nc->info_str), "socket: mcast=%s", mcast);
        s->fd = fd;
        net_socket_read_start(s);
        break;
    }
    return true;
}
