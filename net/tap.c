/*
 * -netdev tap: a Linux TAP interface (/dev/net/tun, IFF_TAP | IFF_NO_PI).
 *   ifname=NAME   the interface (created if missing; needs CAP_NET_ADMIN)
 *   fd=N          an already opened TAP fd (no scripts then)
 *   script=FILE|no, downscript=FILE|no   run FILE IFNAME after opening /
 *                 before closing; default /etc/qemu-ifup and /etc/qemu-ifdown
 *   vnet_hdr=on|off  IFF_VNET_HDR: frames carry a virtio-net header, so
 *                 checksum and segmentation offloads pass through (default: on
 *                 when the kernel has it). A NIC that does not use the header
 *                 (e1000) gets frames with it stripped, and sends through a
 *                 zeroed one (virtio 1.2 §5.1.6: flags 0, GSO_NONE = plain).
 *   queues=N      N queues (IFF_MULTI_QUEUE, up to NET_MAX_QUEUES) for a
 *                 multiqueue virtio-net (mq=on): queue i serves pair i. Only
 *                 queue 0 is attached at first; the NIC attaches the others as
 *                 the guest enables pairs (TUNSETQUEUE), so the kernel never
 *                 steers a flow into a queue nobody reads.
 *   fds=A:B:...   already opened queues of one multiqueue tap, as fd=
 *   vhost=on      refused: no vhost-net in emu.
 */
#include "net/net-internal.h"
#include "util/log.h"
#include <glib-unix.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <net/if.h>
#include <linux/if_tun.h>

#define TAP_DEFAULT_SCRIPT "/etc/qemu-ifup"
#define TAP_DEFAULT_DOWNSCRIPT "/etc/qemu-ifdown"

typedef struct TAPState {
    NetClientState nc;
    int fd;
    char ifname[IFNAMSIZ];
    char *downscript;
    guint read_tag;
    bool read_paused;
    int host_vnet_hdr_len;      /* 0 = IFF_VNET_HDR off */
    bool using_vnet_hdr;        /* the NIC reads and writes the header itself */
    bool has_ufo;
    bool multi_queue;           /* one of several queues: TUNSETQUEUE applies */
    bool enabled;               /* attached (a lone queue always is) */
    uint8_t *buf;
} TAPState;

static void tap_read_start(TAPState *s);

static void tap_sent(NetClientState *nc, ssize_t len)
{
    TAPState *s = container_of(nc, TAPState, nc);
    if (s->read_paused) {
        s->read_paused = false;
        tap_read_start(s);
    }
}

static gboolean tap_readable(gint fd, GIOCondition cond, gpointer opaque)
{
    TAPState *s = opaque;

    /* A bounded batch per wakeup, so one busy interface cannot starve the loop. */
    for (int i = 0; i < 64; i++) {
        ssize_t n = read(fd, s->buf, NET_MAX_FRAME);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return G_SOURCE_CONTINUE;
        }
        uint8_t *frame = s->buf;
        if (s->host_vnet_hdr_len && !s->using_vnet_hdr) {
            if (n <= s->host_vnet_hdr_len) {
                continue;
            }
            frame += s->host_vnet_hdr_len;
            n -= s->host_vnet_hdr_len;
        }
        if (qemu_send_packet_async(&s->nc, frame, n, tap_sent) == 0) {
            s->read_paused = true;
            s->read_tag = 0;
            return G_SOURCE_REMOVE;
        }
    }
    return G_SOURCE_CONTINUE;
}

static void tap_read_start(TAPState *s)
{
    if (!s->read_tag && !s->read_paused && s->fd >= 0) {
        s->read_tag = net_fd_watch_add(s->fd, G_IO_IN, tap_readable, s);
    }
}

static ssize_t tap_receive_iov(NetClientState *nc, const struct iovec *iov, int iovcnt)
{
    TAPState *s = container_of(nc, TAPState, nc);
    size_t size = net_iov_size(iov, iovcnt);
    /* No allocation per frame for the usual short vectors. */
    struct iovec small[8];
    g_autofree struct iovec *big = NULL;
    struct iovec *v = iovcnt < (int)G_N_ELEMENTS(small) ? small
                      : (big = g_new(struct iovec, iovcnt + 1));
    uint8_t zero_hdr[12] = { 0 };
    int n = 0;

    if (s->host_vnet_hdr_len && !s->using_vnet_hdr) {
        v[n++] = (struct iovec){ zero_hdr, s->host_vnet_hdr_len };
    }
    memcpy(&v[n], iov, iovcnt * sizeof(*iov));
    n += iovcnt;
    ssize_t r;
    do {
        r = writev(s->fd, v, n);
    } while (r < 0 && errno == EINTR);
    /*
     * A tap fd is always writable; when the interface is down or its queue is
     * full the kernel drops (ENOBUFS/EIO/EAGAIN), as a switch port would.
     */
    (void)r;
    return size;
}

static ssize_t tap_receive(NetClientState *nc, const uint8_t *buf, size_t size)
{
    struct iovec iov = { (void *)buf, size };
    return tap_receive_iov(nc, &iov, 1);
}

static bool tap_has_vnet_hdr(NetClientState *nc)
{
    return container_of(nc, TAPState, nc)->host_vnet_hdr_len != 0;
}

static bool tap_has_vnet_hdr_len(NetClientState *nc, int len)
{
    TAPState *s = container_of(nc, TAPState, nc);
    /* struct virtio_net_hdr (10) or with num_buffers (12). */
    return s->host_vnet_hdr_len && (len == 10 || len == 12);
}

static void tap_set_vnet_hdr_len(NetClientState *nc, int len)
{
    TAPState *s = container_of(nc, TAPState, nc);
    if (!s->host_vnet_hdr_len || (len != 10 && len != 12)) {
        return;
    }
    if (ioctl(s->fd, TUNSETVNETHDRSZ, &len) < 0) {
        warn_report("netdev %s: TUNSETVNETHDRSZ %d: %s", nc->name, len, g_strerror(errno));
        return;
    }
    s->host_vnet_hdr_len = len;
}

static void tap_using_vnet_hdr(NetClientState *nc, bool enable)
{
    TAPState *s = container_of(nc, TAPState, nc);
    s->using_vnet_hdr = enable && s->host_vnet_hdr_len;
}

static bool tap_has_ufo(NetClientState *nc)
{
    return container_of(nc, TAPState, nc)->has_ufo;
}

static void tap_set_offload(NetClientState *nc, int csum, int tso4, int tso6, int ecn,
                            int ufo)
{
    TAPState *s = container_of(nc, TAPState, nc);
    unsigned flags = 0;

    if (!s->host_vnet_hdr_len) {
        return;
    }
    if (csum) {
        flags |= TUN_F_CSUM;
        if (tso4) {
            flags |= TUN_F_TSO4;
        }
        if (tso6) {
            flags |= TUN_F_TSO6;
        }
        if (ecn) {
            flags |= TUN_F_TSO_ECN;
        }
        if (ufo && s->has_ufo) {
            flags |= TUN_F_UFO;
        }
    }
    if (ioctl(s->fd, TUNSETOFFLOAD, flags) < 0) {
        warn_report("netdev %s: TUNSETOFFLOAD 0x%x: %s", nc->name, flags, g_strerror(errno));
    }
}

/* Attach or detach this queue of a multiqueue tap (tun's TUNSETQUEUE). */
static void tap_set_queue_enabled(NetClientState *nc, bool enable)
{
    TAPState *s = container_of(nc, TAPState, nc);
    if (!s->multi_queue || s->enabled == enable) {
        return;
    }
    struct ifreq ifr = { 0 };
    ifr.ifr_flags = enable ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
    if (ioctl(s->fd, TUNSETQUEUE, &ifr) < 0) {
        warn_report("netdev %s: queue %u: TUNSETQUEUE %s: %s", nc->name, nc->queue_index,
                    enable ? "attach" : "detach", g_strerror(errno));
        return;
    }
    s->enabled = enable;
}

static bool tap_run_script(const char *script, const char *ifname, Error **errp)
{
    g_autofree char *out = NULL, *err_out = NULL;
    int status;
    GError *gerr = NULL;
    const char *argv[] = { script, ifname, NULL };

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err_out,
                      &status, &gerr)) {
        error_setg(errp, "cannot run %s: %s", script, gerr->message);
        g_error_free(gerr);
        return false;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        error_setg(errp, "%s %s failed (status %d)%s%s", script, ifname, status,
                   err_out && *err_out ? ": " : "", err_out ? g_strstrip(err_out) : "");
        return false;
    }
    return true;
}

static void tap_cleanup(NetClientState *nc)
{
    TAPState *s = container_of(nc, TAPState, nc);

    if (s->read_tag) {
        g_source_remove(s->read_tag);
    }
    if (s->downscript) {
        Error *err = NULL;
        if (!tap_run_script(s->downscript, s->ifname, &err)) {
            warn_report("netdev %s: %s", nc->name, error_get_pretty(err));
            error_free(err);
        }
        g_free(s->downscript);
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    g_free(s->buf);
}

static const NetClientInfo tap_info = {
    .type = NET_CLIENT_DRIVER_TAP,
    .size = sizeof(TAPState),
    .receive = tap_receive,
    .receive_iov = tap_receive_iov,
    .cleanup = tap_cleanup,
    .has_vnet_hdr = tap_has_vnet_hdr,
    .has_vnet_hdr_len = tap_has_vnet_hdr_len,
    .set_vnet_hdr_len = tap_set_vnet_hdr_len,
    .using_vnet_hdr = tap_using_vnet_hdr,
    .has_ufo = tap_has_ufo,
    .set_offload = tap_set_offload,
    .set_queue_enabled = tap_set_queue_enabled,
};

/*
 * Open /dev/net/tun as @ifname (may be empty: the kernel names it), as one
 * queue of a multiqueue interface when @multi_queue.
 */
static int tap_open(char *ifname, bool want_vnet_hdr, bool vnet_required, bool multi_queue,
                    bool *vnet_on, Error **errp)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot open /dev/net/tun");
        return -1;
    }
    unsigned features = 0;
    if (ioctl(fd, TUNGETFEATURES, &features) < 0) {
        features = 0;
    }
    struct ifreq ifr = { 0 };
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    *vnet_on = false;
    if (want_vnet_hdr) {
        if (features & IFF_VNET_HDR) {
            ifr.ifr_flags |= IFF_VNET_HDR;
            *vnet_on = true;
        } else if (vnet_required) {
            error_setg(errp, "vnet_hdr=on: this kernel's tun driver has no IFF_VNET_HDR");
            close(fd);
            return -1;
        }
    }
    if (multi_queue) {
        if (!(features & IFF_MULTI_QUEUE)) {
            error_setg(errp, "queues: this kernel's tun driver has no IFF_MULTI_QUEUE");
            close(fd);
            return -1;
        }
        ifr.ifr_flags |= IFF_MULTI_QUEUE;
    }
    g_strlcpy(ifr.ifr_name, ifname, IFNAMSIZ);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        error_setg_errno(errp, errno, "cannot attach to tap interface '%s'%s",
                         ifname, errno == EPERM ? " (needs CAP_NET_ADMIN, or create it "
                         "with 'ip tuntap add mode tap user $USER')" : "");
        close(fd);
        return -1;
    }
    g_strlcpy(ifname, ifr.ifr_name, IFNAMSIZ);
    return fd;
}

/*
 * An fd= / fds= descriptor: an open tap. Fills @ifname (must match when
 * already set: the queues of one interface) and tells its flags.
 */
static bool tap_check_fd(const char *text, int *fd, char *ifname, unsigned *flags,
                         Error **errp)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (!*text || *end || v < 0 || v > INT_MAX || fcntl(v, F_GETFD) < 0) {
        error_setg(errp, "fd=%s: not an open file descriptor", text);
        return false;
    }
    struct ifreq ifr = { 0 };
    if (ioctl(v, TUNGETIFF, &ifr) < 0 || !(ifr.ifr_flags & IFF_TAP)) {
        error_setg(errp, "fd=%s: not a tap device", text);
        return false;
    }
    if (*ifname && strcmp(ifname, ifr.ifr_name)) {
        error_setg(errp, "fds: fd %s is tap '%s', not '%s' like the others", text,
                   ifr.ifr_name, ifname);
        return false;
    }
    g_strlcpy(ifname, ifr.ifr_name, IFNAMSIZ);
    *fd = v;
    *flags = ifr.ifr_flags;
    return true;
}

/*
 * One queue's client: queue @index of netdev @id on @fd (taken over). @up and
 * @down name the scripts for `info network`.
 */
static TAPState *tap_add_queue(const char *id, unsigned index, unsigned queues, int fd,
                               const char *ifname, bool vnet_on, const char *up,
                               const char *down, Error **errp)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    /*
     * sizeof(struct virtio_net_hdr). A persistent tap keeps the header size its
     * last user set (12 after a virtio-net guest with mergeable buffers), so
     * set it rather than assume the kernel's default, as QEMU does.
     */
    int hdr_len = 10;
    if (vnet_on && ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0) {
        error_setg_errno(errp, errno, "%s: TUNSETVNETHDRSZ", ifname);
        close(fd);
        return NULL;
    }
    NetClientState *nc = qemu_new_net_client(&tap_info, NULL, "tap", id);
    TAPState *s = container_of(nc, TAPState, nc);
    nc->queue_index = index;
    s->fd = fd;
    g_strlcpy(s->ifname, ifname, IFNAMSIZ);
    s->buf = g_malloc(NET_MAX_FRAME);
    s->multi_queue = queues > 1;
    s->enabled = true;
    if (vnet_on) {
        s->host_vnet_hdr_len = hdr_len;
        /* UFO is gone from Linux 4.14+; TUNSETOFFLOAD says whether it is there. */
        s->has_ufo = ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_UFO) == 0;
        ioctl(fd, TUNSETOFFLOAD, 0);
    }
    if (index > 0) {
        tap_set_queue_enabled(nc, false);   /* until the NIC serves it */
    }
    snprintf(nc->info_str, sizeof(nc->info_str), "ifname=%s,script=%s,downscript=%s%s",
             ifname, up ? up : "no", down ? down : "no", vnet_on ? ",vnet_hdr=on" : "");
    tap_read_start(s);
    return s;
}

bool net_init_tap(Opts *opts, const char *id, Error **errp)
{
    const char *ifname_opt = opts_get(opts, "ifname");
    const char *fd_opt = opts_get(opts, "fd");
    const char *fds_opt = opts_get(opts, "fds");
    const char *script = opts_get(opts, "script");
    const char *downscript = opts_get(opts, "downscript");
    bool vhost, vnet_hdr;
    bool vnet_given = opts_has(opts, "vnet_hdr");
    uint64_t queues;

    if (!opts_get_bool(opts, "vhost", false, &vhost, errp) ||
        !opts_get_bool(opts, "vnet_hdr", true, &vnet_hdr, errp) ||
        !opts_get_uint(opts, "queues", 1, &queues, errp)) {
        return false;
    }
    static const char *const unsupported[] = { "vhostfd", "vhostfds", "helper", "br",
                                               "sndbuf", "poll-us", "vhostforce" };
    for (size_t i = 0; i < ARRAY_SIZE(unsupported); i++) {
        if (opts_get(opts, unsupported[i])) {
            error_setg(errp, "parameter '%s' is not supported by emu's tap", unsupported[i]);
            return false;
        }
    }
    if (!opts_check_unused(opts, "tap", errp)) {
        return false;
    }
    if (vhost) {
        error_setg(errp, "vhost=on is not supported (emu has no vhost-net); use vhost=off");
        return false;
    }
    if (queues < 1 || queues > NET_MAX_QUEUES) {
        error_setg(errp, "queues=%" PRIu64 ": must be between 1 and %d", queues,
                   NET_MAX_QUEUES);
        return false;
    }
    if (ifname_opt && strlen(ifname_opt) >= IFNAMSIZ) {
        error_setg(errp, "ifname=%s: longer than %d characters", ifname_opt, IFNAMSIZ - 1);
        return false;
    }
    if ((fd_opt || fds_opt) && (ifname_opt || script || downscript)) {
        error_setg(errp, "%s cannot go with ifname=, script= or downscript=",
                   fd_opt ? "fd=" : "fds=");
        return false;
    }
    if (fd_opt && (fds_opt || queues > 1)) {
        error_setg(errp, "fd= is one queue: use fds=A:B:... for queues=%" PRIu64,
                   queues);
        return false;
    }

    char ifname[IFNAMSIZ] = "";
    int fds[NET_MAX_QUEUES];
    unsigned nfds = 0;
    bool vnet_on = false;
    g_autofree char *up = NULL, *down = NULL;
    if (fd_opt || fds_opt) {
        const char *text = fd_opt ? fd_opt : fds_opt;
        /* fd= is a single descriptor: max_tokens 1 keeps any ':' in it. */
        g_auto(GStrv) list = g_strsplit(text, ":", fd_opt ? 1 : -1);
        unsigned n = g_strv_length(list);
        if (n == 0 || n > NET_MAX_QUEUES || (opts_has(opts, "queues") && n != queues)) {
            error_setg(errp, "fds=%s: %u descriptors for queues=%" PRIu64 " (at most %d)",
                       text, n, queues, NET_MAX_QUEUES);
            return false;
        }
        for (unsigned i = 0; i < n; i++) {
            unsigned flags;
            if (!tap_check_fd(list[i], &fds[i], ifname, &flags, errp)) {
                return false;
            }
            if (n > 1 && !(flags & IFF_MULTI_QUEUE)) {
                error_setg(errp, "fds: fd %s was opened without IFF_MULTI_QUEUE", list[i]);
                return false;
            }
            bool on = flags & IFF_VNET_HDR;
            if (i > 0 && on != vnet_on) {
                error_setg(errp, "fds: fd %s differs from the others in IFF_VNET_HDR",
                           list[i]);
                return false;
            }
            vnet_on = on;
            if (vnet_given && vnet_hdr && !vnet_on) {
                error_setg(errp, "vnet_hdr=on: fd %s was opened without IFF_VNET_HDR",
                           list[i]);
                return false;
            }
        }
        nfds = n;
    } else {
        if (!script) {
            script = TAP_DEFAULT_SCRIPT;
        }
        if (!downscript) {
            downscript = TAP_DEFAULT_DOWNSCRIPT;
        }
        if (strcmp(script, "no") && *script) {
            if (access(script, X_OK) < 0) {
                error_setg(errp, "script %s: %s (use script=no to configure the "
                           "interface yourself)", script, g_strerror(errno));
                return false;
            }
            up = g_strdup(script);
        }
        if (strcmp(downscript, "no") && *downscript) {
            if (access(downscript, X_OK) < 0) {
                error_setg(errp, "downscript %s: %s (use downscript=no)", downscript,
                           g_strerror(errno));
                return false;
            }
            down = g_strdup(downscript);
        }
        g_strlcpy(ifname, ifname_opt ? ifname_opt : "", IFNAMSIZ);
        /* The first open names (or creates) the interface; the others join it. */
        for (; nfds < queues; nfds++) {
            fds[nfds] = tap_open(ifname, vnet_hdr, vnet_given && vnet_hdr, queues > 1,
                                 &vnet_on, errp);
            if (fds[nfds] < 0) {
                while (nfds) {
                    close(fds[--nfds]);
                }
                return false;
            }
        }
        if (up && !tap_run_script(up, ifname, errp)) {
            while (nfds) {
                close(fds[--nfds]);
            }
            return false;
        }
    }

    TAPState *first = NULL;
    for (unsigned i = 0; i < nfds; i++) {
        TAPState *s = tap_add_queue(id, i, nfds, fds[i], ifname, vnet_on, up, down, errp);
        if (!s) {
            for (unsigned j = i + 1; j < nfds; j++) {
                close(fds[j]);
            }
            NetClientState *made;
            while ((made = qemu_find_netdev(id))) {
                qemu_del_net_client(made);
            }
            return false;
        }
        first = first ? first : s;
    }
    first->downscript = g_steal_pointer(&down);     /* run once, by queue 0 */
    return true;
}
