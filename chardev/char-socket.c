/*
 * "socket": a unix (path=) or tcp (host=,port=) stream, as server or client.
 *
 * Server: listens; with wait=on (the default, as QEMU) creation blocks until
 * the first client connects, with wait=off clients are accepted in the
 * background. One client at a time: while one is connected the listener is
 * not polled, and when it leaves the frontend gets CHR_EVENT_CLOSED and the
 * next client is accepted.
 *
 * Client: connects at creation and fails if it cannot, unless reconnect=SECS
 * (or reconnect-ms=) is given: then it connects in the background and retries
 * at that period, also after the server goes away.
 *
 * While nobody is connected, output is dropped rather than held, so a guest
 * printing to an unattended console never stalls.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <glib-unix.h>
#include "chardev/char-internal.h"

typedef struct SocketChardev {
    Chardev parent;
    bool is_unix;
    bool is_server;
    bool nodelay;
    int family;             /* AF_UNSPEC, or ipv4=on / ipv6=on */
    char *path;             /* unix */
    char *host, *port;      /* tcp */
    uint64_t reconnect_ms;  /* client: 0 = no reconnect */
    char *desc;             /* "unix:/tmp/s" / "tcp:127.0.0.1:4444" */
    bool unlink_path;       /* we created the unix socket file */

    int listen_fd;
    int fd;                 /* the connection, or -1 */
    int connecting_fd;      /* a background connect in progress, or -1 */
    GSource *listen_src;
    GSource *read_src;
    GSource *connect_src;
    GSource *reconnect_timer;
    GSource *hup_src;       /* deferred disconnect after a write error */
} SocketChardev;

DECLARE_INSTANCE_CHECKER(SocketChardev, SOCKET_CHARDEV, TYPE_CHARDEV_SOCKET)

static void socket_listen_start(Chardev *chr);
static void socket_reconnect_schedule(Chardev *chr);

static GSource *unix_fd_source_add(Chardev *chr, int fd, GIOCondition cond,
                                   GUnixFDSourceFunc fn)
{
    GSource *src = g_unix_fd_source_new(fd, cond);

    g_source_set_callback(src, (GSourceFunc)(void (*)(void))fn, chr, NULL);
    g_source_attach(src, chr->gcontext);
    return src;
}

/* ---- connected state ---- */

static gboolean socket_read(Chardev *chr, GIOCondition cond, void *opaque);

static void socket_update_read_handler(Chardev *chr)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);

    chr_source_remove(&s->read_src);
    if (s->fd >= 0) {
        s->read_src = chr_fd_read_source_add(chr, s->fd, socket_read, NULL);
    }
}

static void socket_connected(Chardev *chr, int fd)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);

    s->fd = fd;
    chr_fd_set_nonblocking(fd, true, NULL);
    if (!s->is_unix && s->nodelay) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    socket_update_read_handler(chr);
    qemu_chr_be_event(chr, CHR_EVENT_OPENED);
}

static void socket_disconnect(Chardev *chr)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);

    if (s->fd < 0) {
        return;
    }
    chr_source_remove(&s->read_src);
    chr_source_remove(&s->hup_src);
    close(s->fd);
    s->fd = -1;
    qemu_chr_be_event(chr, CHR_EVENT_CLOSED);
    if (s->is_server) {
        socket_listen_start(chr);
    } else if (s->reconnect_ms) {
        socket_reconnect_schedule(chr);
    }
}

static gboolean socket_read(Chardev *chr, GIOCondition cond, void *opaque)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);
    int n = chr_fd_read_deliver(chr, s->fd);

    if (n == 0 || n == -1) {
        /* Our dispatch holds its own reference; drop ours before tearing down. */
        g_source_unref(s->read_src);
        s->read_src = NULL;
        socket_disconnect(chr);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean socket_hup(gpointer opaque)
{
    Chardev *chr = opaque;
    SocketChardev *s = SOCKET_CHARDEV(chr);

    g_source_unref(s->hup_src);
    s->hup_src = NULL;
    socket_disconnect(chr);
    return G_SOURCE_REMOVE;
}

static int socket_write(Chardev *chr, const uint8_t *buf, int len)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);
    ssize_t n;

    if (s->fd < 0) {
        return len;
    }
    do {
        n = send(s->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n >= 0) {
        return n;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return 0;
    }
    /*
     * The peer is gone. Tell the frontend from the main loop rather than from
     * inside its write call; the bytes are dropped as if nobody was there.
     */
    if (!s->hup_src) {
        s->hup_src = chr_timeout_add(chr, 0, socket_hup, chr);
    }
    return len;
}

static GSource *socket_add_watch(Chardev *chr, GIOCondition cond)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);

    return s->fd >= 0 ? chr_fd_watch_new(s->fd, cond) : NULL;
}

static int socket_out_fd(Chardev *chr)
{
    return SOCKET_CHARDEV(chr)->fd;
}

/* ---- server ---- */

static gboolean socket_accept(gint listen_fd, GIOCondition cond, gpointer opaque)
{
    Chardev *chr = opaque;
    SocketChardev *s = SOCKET_CHARDEV(chr);
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

    if (fd < 0) {
        return G_SOURCE_CONTINUE;   /* EAGAIN, or a client that gave up */
    }
    /* One client at a time: leave the others in the backlog. */
    chr_source_remove(&s->listen_src);
    socket_connected(chr, fd);
    return G_SOURCE_REMOVE;
}

static void socket_listen_start(Chardev *chr)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);

    if (!s->listen_src && s->listen_fd >= 0) {
        s->listen_src = unix_fd_source_add(chr, s->listen_fd, G_IO_IN, socket_accept);
    }
}

static bool unix_addr(const char *path, struct sockaddr_un *sa, Error **errp)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sa->sun_path)) {
        error_setg(errp, "socket path '%s' is too long (at most %zu bytes)", path,
                   sizeof(sa->sun_path) - 1);
        return false;
    }
    strcpy(sa->sun_path, path);
    return true;
}

static bool socket_listen_unix(SocketChardev *s, Error **errp)
{
    struct sockaddr_un sa;
    struct stat st;
    int fd;

    if (!unix_addr(s->path, &sa, errp)) {
        return false;
    }
    /* A socket file left by an earlier run would make bind() fail. */
    if (lstat(s->path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            error_setg(errp, "'%s' exists and is not a socket", s->path);
            return false;
        }
        unlink(s->path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create a unix socket");
        return false;
    }
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
        error_setg_errno(errp, errno, "cannot listen on unix socket '%s'", s->path);
        close(fd);
        return false;
    }
    s->listen_fd = fd;
    s->unlink_path = true;
    return true;
}

static struct addrinfo *tcp_resolve(SocketChardev *s, bool passive, Error **errp)
{
    struct addrinfo hints = {
        .ai_family = s->family,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = passive ? AI_PASSIVE : 0,
    };
    struct addrinfo *res;
    const char *host = *s->host ? s->host : (passive ? NULL : "localhost");
    int rc = getaddrinfo(host, s->port, &hints, &res);

    if (rc) {
        error_setg(errp, "cannot resolve '%s:%s': %s", s->host, s->port,
                   gai_strerror(rc));
        return NULL;
    }
    return res;
}

static void describe_tcp(SocketChardev *s, int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char host[NI_MAXHOST], port[NI_MAXSERV];

    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
        getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), port,
                    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
        g_free(s->desc);
        s->desc = g_strdup_printf(ss.ss_family == AF_INET6 ? "tcp:[%s]:%s" : "tcp:%s:%s",
                                  host, port);
    }
}

static bool socket_listen_tcp(SocketChardev *s, Error **errp)
{
    struct addrinfo *res = tcp_resolve(s, true, errp);
    int err = 0;

    if (!res) {
        return false;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int one = 1;
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        /* Restarting emu must not wait for TIME_WAIT of the last connection. */
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1) < 0) {
            err = errno;
            close(fd);
            continue;
        }
        s->listen_fd = fd;
        describe_tcp(s, fd);
        break;
    }
    freeaddrinfo(res);
    if (s->listen_fd < 0) {
        error_setg_errno(errp, err, "cannot listen on tcp '%s:%s'", s->host, s->port);
        return false;
    }
    return true;
}

/* ---- client ---- */

/*
 * Start connecting: returns a connected fd (*done set), an fd still
 * connecting (non-blocking only), or -1 with errno.
 */
static int socket_connect_start(SocketChardev *s, bool nonblock, bool *done)
{
    int flags = SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0);
    int err = ECONNREFUSED;

    *done = false;
    if (s->is_unix) {
        struct sockaddr_un sa;
        int fd;
        if (!unix_addr(s->path, &sa, NULL)) {
            errno = ENAMETOOLONG;
            return -1;
        }
        fd = socket(AF_UNIX, flags, 0);
        if (fd < 0) {
            return -1;
        }
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            *done = true;
            return fd;
        }
        if (errno == EINPROGRESS || errno == EAGAIN) {
            return fd;
        }
        err = errno;
        close(fd);
        errno = err;
        return -1;
    }

    struct addrinfo *res = tcp_resolve(s, false, NULL);
    int fd = -1;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, flags, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            *done = true;
            break;
        }
        if (nonblock && errno == EINPROGRESS) {
            break;
        }
        err = errno;
        close(fd);
        fd = -1;
    }
    if (res) {
        freeaddrinfo(res);
    } else {
        err = EHOSTUNREACH;
    }
    if (fd < 0) {
        errno = err;
    }
    return fd;
}

static gboolean socket_connect_done(gint fd, GIOCondition cond, gpointer opaque)
{
    Chardev *chr = opaque;
    SocketChardev *s = SOCKET_CHARDEV(chr);
    int err = 0;
    socklen_t len = sizeof(err);

    chr_source_remove(&s->connect_src);
    s->connecting_fd = -1;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
        close(fd);
        socket_reconnect_schedule(chr);
    } else {
        socket_connected(chr, fd);
    }
    return G_SOURCE_REMOVE;
}

static void socket_connect_async(Chardev *chr)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);
    bool done;
    int fd = socket_connect_start(s, true, &done);

    if (fd < 0) {
        socket_reconnect_schedule(chr);
    } else if (done) {
        socket_connected(chr, fd);
    } else {
        s->connecting_fd = fd;
        s->connect_src = unix_fd_source_add(chr, fd, G_IO_OUT, socket_connect_done);
    }
}

static gboolean socket_reconnect_timer(gpointer opaque)
{
    Chardev *chr = opaque;
    SocketChardev *s = SOCKET_CHARDEV(chr);

    g_source_unref(s->reconnect_timer);
    s->reconnect_timer = NULL;
    socket_connect_async(chr);
    return G_SOURCE_REMOVE;
}

static void socket_reconnect_schedule(Chardev *chr)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);

    if (!s->reconnect_timer) {
        s->reconnect_timer = chr_timeout_add(chr, s->reconnect_ms,
                                             socket_reconnect_timer, chr);
    }
}

/* ---- open ---- */

static bool socket_parse(SocketChardev *s, Opts *opts, Error **errp)
{
    const char *path = opts_get(opts, "path");
    const char *host = opts_get(opts, "host");
    const char *port = opts_get(opts, "port");
    bool wait_given = opts_has(opts, "wait") || opts_has(opts, "nowait");
    bool telnet, ipv4, ipv6, nowait;
    uint64_t reconnect, reconnect_ms;

    if (!opts_get_bool(opts, "server", false, &s->is_server, errp) ||
        !opts_get_bool(opts, "nodelay", false, &s->nodelay, errp) ||
        !opts_get_bool(opts, "telnet", false, &telnet, errp) ||
        !opts_get_bool(opts, "ipv4", false, &ipv4, errp) ||
        !opts_get_bool(opts, "ipv6", false, &ipv6, errp) ||
        !opts_get_bool(opts, "nowait", false, &nowait, errp) ||
        !opts_get_uint(opts, "reconnect", 0, &reconnect, errp) ||
        !opts_get_uint(opts, "reconnect-ms", 0, &reconnect_ms, errp)) {
        return false;
    }
    if (telnet) {
        error_setg(errp, "telnet=on is not supported yet");
        return false;
    }
    if (path && (host || port)) {
        error_setg(errp, "socket: give either path= (unix) or host=,port= (tcp)");
        return false;
    }
    if (path) {
        if (!*path) {
            error_setg(errp, "socket: path= is empty");
            return false;
        }
        s->is_unix = true;
        s->path = g_strdup(path);
        s->desc = g_strdup_printf("unix:%s", path);
    } else if (port && *port) {
        s->host = g_strdup(host ? host : "");
        s->port = g_strdup(port);
        s->desc = g_strdup_printf("tcp:%s:%s", s->host, port);
        s->family = ipv4 && !ipv6 ? AF_INET : ipv6 && !ipv4 ? AF_INET6 : AF_UNSPEC;
    } else {
        error_setg(errp, "socket needs path=PATH (unix) or host=HOST,port=PORT (tcp)");
        return false;
    }
    if (reconnect && reconnect_ms) {
        error_setg(errp, "socket: give reconnect= or reconnect-ms=, not both");
        return false;
    }
    s->reconnect_ms = reconnect_ms ? reconnect_ms : reconnect * 1000;
    if (s->is_server && s->reconnect_ms) {
        error_setg(errp, "socket: reconnect is for clients, not server=on");
        return false;
    }
    if (!s->is_server && wait_given) {
        error_setg(errp, "socket: wait= is for server=on, not clients");
        return false;
    }
    return true;
}

static bool socket_open(Chardev *chr, Opts *opts, Error **errp)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);
    bool wait, nowait = opts_has(opts, "nowait");

    if (!socket_parse(s, opts, errp)) {
        return false;
    }
    /* "nowait" is the legacy spelling of wait=off. */
    if (!opts_get_bool(opts, "wait", !nowait, &wait, errp)) {
        return false;
    }
    if (s->is_server) {
        if (!(s->is_unix ? socket_listen_unix(s, errp) : socket_listen_tcp(s, errp))) {
            return false;
        }
        chr->filename = g_strdup_printf("%s,server=on", s->desc);
        if (wait) {
            struct pollfd pfd = { .fd = s->listen_fd, .events = POLLIN };
            int fd;
            error_report("waiting for connection on: %s", chr->filename);
            do {
                poll(&pfd, 1, -1);
                fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
            } while (fd < 0 && (errno == EINTR || errno == EAGAIN ||
                                errno == ECONNABORTED));
            if (fd < 0) {
                error_setg_errno(errp, errno, "accept on %s failed", chr->filename);
                return false;
            }
            socket_connected(chr, fd);
        } else {
            socket_listen_start(chr);
        }
        return true;
    }

    chr->filename = g_strdup(s->desc);
    if (s->reconnect_ms) {
        socket_connect_async(chr);
    } else {
        bool done;
        int fd = socket_connect_start(s, false, &done);
        if (fd < 0) {
            error_setg_errno(errp, errno, "cannot connect to %s", s->desc);
            return false;
        }
        socket_connected(chr, fd);
    }
    return true;
}

static void socket_init(Object *obj)
{
    SocketChardev *s = SOCKET_CHARDEV(obj);

    s->listen_fd = -1;
    s->fd = -1;
    s->connecting_fd = -1;
}

static void socket_finalize(Object *obj)
{
    SocketChardev *s = SOCKET_CHARDEV(obj);

    chr_source_remove(&s->listen_src);
    chr_source_remove(&s->read_src);
    chr_source_remove(&s->connect_src);
    chr_source_remove(&s->reconnect_timer);
    chr_source_remove(&s->hup_src);
    if (s->fd >= 0) {
        close(s->fd);
    }
    if (s->connecting_fd >= 0) {
        close(s->connecting_fd);
    }
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
        if (s->unlink_path) {
            unlink(s->path);
        }
    }
    g_free(s->path);
    g_free(s->host);
    g_free(s->port);
    g_free(s->desc);
}

static const char *const socket_keys[] = {
    "path", "host", "port", "server", "wait", "nowait", "nodelay", "telnet",
    "ipv4", "ipv6", "reconnect", "reconnect-ms", NULL
};

static void socket_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->opts_keys = socket_keys;
    cc->open = socket_open;
    cc->chr_write = socket_write;
    cc->chr_update_read_handler = socket_update_read_handler;
    cc->chr_add_watch = socket_add_watch;
    cc->chr_out_fd = socket_out_fd;
}

static const TypeInfo socket_types[] = {
    {
        .name = TYPE_CHARDEV_SOCKET,
        .parent = TYPE_CHARDEV,
        .instance_size = sizeof(SocketChardev),
        .instance_init = socket_init,
        .instance_finalize = socket_finalize,
        .class_init = socket_class_init,
    },
};
DEFINE_TYPES(socket_types)
