/*
 * -netdev user: user-mode networking with libslirp. The guest sees a
 * router (10.0.2.2 by default) that answers DHCP (first lease 10.0.2.15),
 * DNS (10.0.2.3) and NATs TCP/UDP through host sockets; hostfwd= opens host
 * ports that lead to guest ports.
 *
 * libslirp's sockets are polled by the main loop through a poller (fill
 * gives the loop slirp's fds and timeout before it sleeps, done lets slirp
 * act on what the poll saw), and its timers are emu timers on the realtime
 * clock.
 */
#include "net/net-internal.h"
#include "util/timer.h"
#include "util/log.h"
#include "system/main-loop.h"
#include <slirp/libslirp.h>
#include <arpa/inet.h>

typedef struct SlirpState {
    NetClientState nc;
    Slirp *slirp;
    MainLoopPoller *poller;
    GArray *pollfds;            /* the loop's set while slirp fills it */
    guint pollfds_first;        /* where slirp's entries start in it */
    GPollFD *polled;            /* its entries after the poll, for get_revents */
    guint npolled;
    int wake_pending;           /* atomic: a wakeup from a vCPU is on its way */
    GSList *hostfwds;           /* of char *, as given */
    struct in_addr dhcp_start;  /* where a hostfwd without guest address goes */
} SlirpState;

static GList *slirp_stacks;     /* of SlirpState * */

/* ---- libslirp callbacks ---- */

static ssize_t net_slirp_send_packet(const void *buf, size_t len, void *opaque)
{
    SlirpState *s = opaque;
    /* Toward the guest. A full NIC queues the frame in the core. */
    qemu_send_packet(&s->nc, buf, len);
    return len;
}

static void net_slirp_guest_error(const char *msg, void *opaque)
{
    emu_log_mask(LOG_GUEST_ERROR, "slirp: %s\n", msg);
}

static int64_t net_slirp_clock_get_ns(void *opaque)
{
    return clock_get_ns(EMU_CLOCK_REALTIME);
}

typedef struct SlirpTimer {
    EmuTimer *t;
    SlirpState *s;
    SlirpTimerId id;
    void *cb_opaque;
} SlirpTimer;

static void net_slirp_timer_fire(void *opaque)
{
    SlirpTimer *st = opaque;
    slirp_handle_timer(st->s->slirp, st->id, st->cb_opaque);
}

static void *net_slirp_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    SlirpTimer *st = g_new0(SlirpTimer, 1);
    st->s = opaque;
    st->id = id;
    st->cb_opaque = cb_opaque;
    st->t = timer_new_ms(EMU_CLOCK_REALTIME, net_slirp_timer_fire, st);
    return st;
}

static void net_slirp_timer_free(void *timer, void *opaque)
{
    SlirpTimer *st = timer;
    timer_free(st->t);
    g_free(st);
}

static void net_slirp_timer_mod(void *timer, int64_t expire_time, void *opaque)
{
    SlirpTimer *st = timer;
    timer_mod(st->t, expire_time);
}

static void net_slirp_register_poll_fd(int fd, void *opaque)
{
}

static void net_slirp_unregister_poll_fd(int fd, void *opaque)
{
}

static void net_slirp_notify(void *opaque)
{
    /* A socket buffer drained (an ACK from the guest): poll for input again. */
    main_loop_notify();
}

static const SlirpCb net_slirp_cb = {
    .send_packet = net_slirp_send_packet,
    .guest_error = net_slirp_guest_error,
    .clock_get_ns = net_slirp_clock_get_ns,
    .timer_free = net_slirp_timer_free,
    .timer_mod = net_slirp_timer_mod,
    .register_poll_fd = net_slirp_register_poll_fd,
    .unregister_poll_fd = net_slirp_unregister_poll_fd,
    .notify = net_slirp_notify,
    .timer_new_opaque = net_slirp_timer_new_opaque,
};

/*
 * ---- polling on the main loop ----
 *
 * slirp's fd set changes with its sockets' buffers, so it is rebuilt every
 * iteration through a main-loop poller rather than GLib poll records (adding
 * and removing those wakes the loop up at once: it would spin).
 */

static int net_slirp_add_poll(int fd, int events, void *opaque)
{
    SlirpState *s = opaque;
    GPollFD pfd = { .fd = fd };

    if (events & SLIRP_POLL_IN) {
        pfd.events |= G_IO_IN;
    }
    if (events & SLIRP_POLL_OUT) {
        pfd.events |= G_IO_OUT;
    }
    if (events & SLIRP_POLL_PRI) {
        pfd.events |= G_IO_PRI;
    }
    if (events & SLIRP_POLL_ERR) {
        pfd.events |= G_IO_ERR;
    }
    if (events & SLIRP_POLL_HUP) {
        pfd.events |= G_IO_HUP;
    }
    g_array_append_val(s->pollfds, pfd);
    return s->pollfds->len - 1 - s->pollfds_first;
}

static int net_slirp_get_revents(int idx, void *opaque)
{
    SlirpState *s = opaque;
    int ev = 0;

    if (idx < 0 || (guint)idx >= s->npolled) {
        return 0;
    }
    GIOCondition r = s->polled[idx].revents;
    if (r & G_IO_IN) {
        ev |= SLIRP_POLL_IN;
    }
    if (r & G_IO_OUT) {
        ev |= SLIRP_POLL_OUT;
    }
    if (r & G_IO_PRI) {
        ev |= SLIRP_POLL_PRI;
    }
    if (r & G_IO_ERR) {
        ev |= SLIRP_POLL_ERR;
    }
    if (r & G_IO_HUP) {
        ev |= SLIRP_POLL_HUP;
    }
    return ev;
}

static void net_slirp_poll_fill(GArray *fds, int64_t *timeout_ns, void *opaque)
{
    SlirpState *s = opaque;
    uint32_t t = UINT32_MAX;

    g_atomic_int_set(&s->wake_pending, 0);
    s->pollfds = fds;
    s->pollfds_first = fds->len;
    slirp_pollfds_fill(s->slirp, &t, net_slirp_add_poll, s);
    s->pollfds = NULL;
    if (t != UINT32_MAX) {
        int64_t ns = (int64_t)t * SCALE_MS;
        if (*timeout_ns < 0 || ns < *timeout_ns) {
            *timeout_ns = ns;
        }
    }
}

static void net_slirp_poll_done(GPollFD *fds, guint n, bool error, void *opaque)
{
    SlirpState *s = opaque;

    /* slirp also runs its TCP timers from here: called every iteration. */
    s->polled = fds;
    s->npolled = n;
    slirp_pollfds_poll(s->slirp, error, net_slirp_get_revents, s);
    s->polled = NULL;
    s->npolled = 0;
}

/* ---- the client ---- */

static ssize_t net_slirp_receive(NetClientState *nc, const uint8_t *buf, size_t size)
{
    SlirpState *s = container_of(nc, SlirpState, nc);
    /* From the guest; slirp copies what it keeps. */
    slirp_input(s->slirp, buf, size);
    /*
     * A NIC usually sends from a vCPU thread, while the main loop sleeps on
     * the poll set and timeout it took before this frame: a socket may now
     * have data to write, a connection may have opened, an ACK may be owed.
     * Make it look again, once per loop iteration however many frames come.
     */
    if (g_atomic_int_compare_and_exchange(&s->wake_pending, 0, 1)) {
        main_loop_notify();
    }
    return size;
}

static void net_slirp_cleanup(NetClientState *nc)
{
    SlirpState *s = container_of(nc, SlirpState, nc);

    slirp_stacks = g_list_remove(slirp_stacks, s);
    main_loop_remove_poller(s->poller);
    if (s->slirp) {
        slirp_cleanup(s->slirp);
    }
    g_slist_free_full(s->hostfwds, g_free);
}

static const NetClientInfo net_slirp_info = {
    .type = NET_CLIENT_DRIVER_USER,
    .size = sizeof(SlirpState),
    .receive = net_slirp_receive,
    .cleanup = net_slirp_cleanup,
};

/* ---- hostfwd ---- */

/* "[tcp|udp]:[HOSTADDR]:HOSTPORT" (@guest false) or the full rule with "-[GUESTADDR]:PORT". */
static bool net_slirp_parse_fwd(const char *spec, bool with_guest, bool *is_udp,
                                struct in_addr *haddr, int *hport, struct in_addr *gaddr,
                                int *gport, Error **errp)
{
    g_autofree char *copy = g_strdup(spec);
    char *p = copy;
    char *hostpart, *guestpart = NULL;

    *is_udp = false;
    if (g_str_has_prefix(p, "tcp:")) {
        p += 4;
    } else if (g_str_has_prefix(p, "udp:")) {
        *is_udp = true;
        p += 4;
    } else if (*p == ':') {
        p += 1;
    } else {
        error_setg(errp, "hostfwd '%s': start with tcp:, udp: or ':'", spec);
        return false;
    }
    hostpart = p;
    if (with_guest) {
        char *dash = strchr(p, '-');
        if (!dash) {
            error_setg(errp, "hostfwd '%s': the guest side '-[GUESTADDR]:PORT' is missing",
                       spec);
            return false;
        }
        *dash = 0;
        guestpart = dash + 1;
    }
    char *colon = strchr(hostpart, ':');
    if (!colon) {
        error_setg(errp, "hostfwd '%s': use [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:"
                   "GUESTPORT", spec);
        return false;
    }
    *colon = 0;
    haddr->s_addr = INADDR_ANY;
    if (*hostpart && !inet_aton(hostpart, haddr)) {
        error_setg(errp, "hostfwd '%s': host address '%s' is not IPv4", spec, hostpart);
        return false;
    }
    char *end;
    long v = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || v < 0 || v > 65535) {
        error_setg(errp, "hostfwd '%s': host port '%s' is not 0-65535", spec, colon + 1);
        return false;
    }
    *hport = v;
    if (!with_guest) {
        return true;
    }
    colon = strchr(guestpart, ':');
    if (!colon) {
        error_setg(errp, "hostfwd '%s': the guest side needs [GUESTADDR]:PORT", spec);
        return false;
    }
    *colon = 0;
    gaddr->s_addr = 0;
    if (*guestpart && !inet_aton(guestpart, gaddr)) {
        error_setg(errp, "hostfwd '%s': guest address '%s' is not IPv4", spec, guestpart);
        return false;
    }
    v = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || v < 1 || v > 65535) {
        error_setg(errp, "hostfwd '%s': guest port '%s' is not 1-65535", spec, colon + 1);
        return false;
    }
    *gport = v;
    return true;
}

static bool net_slirp_add_fwd(SlirpState *s, const char *spec, struct in_addr dhcp_start,
                              Error **errp)
{
    bool udp;
    struct in_addr haddr, gaddr;
    int hport, gport;

    if (!net_slirp_parse_fwd(spec, true, &udp, &haddr, &hport, &gaddr, &gport, errp)) {
        return false;
    }
    if (!gaddr.s_addr) {
        gaddr = dhcp_start;     /* the guest's first lease, as QEMU */
    }
    if (slirp_add_hostfwd(s->slirp, udp, haddr, hport, gaddr, gport) < 0) {
        error_setg(errp, "hostfwd '%s': cannot open host port %d (in use?)", spec, hport);
        return false;
    }
    s->hostfwds = g_slist_append(s->hostfwds, g_strdup(spec));
    return true;
}

static SlirpState *net_slirp_find(const char *netdev, Error **errp)
{
    if (!netdev) {
        if (!slirp_stacks) {
            error_setg(errp, "no user network backend (-netdev user)");
            return NULL;
        }
        return slirp_stacks->data;
    }
    NetClientState *nc = qemu_find_netdev(netdev);
    if (!nc || nc->info != &net_slirp_info) {
        error_setg(errp, "'%s' is not a user network backend (see info network)", netdev);
        return NULL;
    }
    return container_of(nc, SlirpState, nc);
}

bool net_slirp_hostfwd_add(const char *netdev, const char *spec, Error **errp)
{
    SlirpState *s = net_slirp_find(netdev, errp);

    if (!s) {
        return false;
    }
    return net_slirp_add_fwd(s, spec, s->dhcp_start, errp);
}

bool net_slirp_hostfwd_remove(const char *netdev, const char *spec, Error **errp)
{
    SlirpState *s = net_slirp_find(netdev, errp);
    bool udp;
    struct in_addr haddr;
    int hport;

    if (!s || !net_slirp_parse_fwd(spec, false, &udp, &haddr, &hport, NULL, NULL, errp)) {
        return false;
    }
    if (slirp_remove_hostfwd(s->slirp, udp, haddr, hport) < 0) {
        error_setg(errp, "hostfwd_remove %s: no such rule", spec);
        return false;
    }
    return true;
}

void net_slirp_info_usernet(GString *out)
{
    for (GList *l = slirp_stacks; l; l = l->next) {
        SlirpState *s = l->data;
        g_autofree char *info = slirp_connection_info(s->slirp);
        g_string_append_printf(out, "Hub -1 (%s):\n%s", s->nc.name, info);
    }
}

/* ---- -netdev user ---- */

static bool net_slirp_parse_net(const char *str, struct in_addr *net, struct in_addr *mask,
                                Error **errp)
{
    g_autofree char *addr = g_strdup(str);
    char *slash = strchr(addr, '/');
    int bits = 24;

    if (slash) {
        *slash = 0;
        char *end;
        if (strchr(slash + 1, '.')) {
            if (!inet_aton(slash + 1, mask)) {
                error_setg(errp, "net=%s: bad netmask", str);
                return false;
            }
            bits = -1;
        } else {
            long b = strtol(slash + 1, &end, 10);
            if (!slash[1] || *end || b < 0 || b > 32) {
                error_setg(errp, "net=%s: the prefix length must be 0-32", str);
                return false;
            }
            bits = b;
        }
    }
    if (!inet_aton(addr, net)) {
        error_setg(errp, "net=%s: '%s' is not an IPv4 address", str, addr);
        return false;
    }
    if (bits >= 0) {
        mask->s_addr = htonl(bits ? 0xffffffffu << (32 - bits) : 0);
    }
    if ((~ntohl(mask->s_addr) + 1) & ~ntohl(mask->s_addr)) {
        error_setg(errp, "net=%s: the netmask is not contiguous", str);
        return false;
    }
    if (ntohl(mask->s_addr) > 0xfffffff8u) {
        error_setg(errp, "net=%s: the network is too small (at most /29)", str);
        return false;
    }
    net->s_addr &= mask->s_addr;
    return true;
}

static bool net_slirp_addr_opt(Opts *opts, const char *key, struct in_addr net,
                               struct in_addr mask, struct in_addr *out, Error **errp)
{
    const char *v = opts_get(opts, key);
    if (!v) {
        return true;
    }
    if (!inet_aton(v, out)) {
        error_setg(errp, "%s=%s: not an IPv4 address", key, v);
        return false;
    }
    if ((out->s_addr & mask.s_addr) != net.s_addr) {
        error_setg(errp, "%s=%s: not inside the guest network", key, v);
        return false;
    }
    return true;
}

typedef struct FwdSplit {
    GPtrArray *fwds;
    Opts *rest;
} FwdSplit;

static bool net_slirp_split(const char *key, const char *value, void *opaque, Error **errp)
{
    FwdSplit *fs = opaque;
    if (!strcmp(key, "hostfwd")) {
        g_ptr_array_add(fs->fwds, g_strdup(value));
    } else {
        opts_set(fs->rest, key, value);
    }
    return true;
}

bool net_init_slirp(Opts *opts_in, const char *id, Error **errp)
{
    /* hostfwd= may repeat: take every one out first. */
    g_autoptr(GPtrArray) fwds = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(Opts) opts = opts_new();
    FwdSplit fs = { fwds, opts };
    opts_foreach_unused(opts_in, net_slirp_split, &fs, NULL);

    struct in_addr net, mask, host, dhcp, dns;
    bool restricted, ipv4, ipv6;
    const char *netstr = opts_get(opts, "net");

    inet_aton("10.0.2.0", &net);
    inet_aton("255.255.255.0", &mask);
    if (netstr && !net_slirp_parse_net(netstr, &net, &mask, errp)) {
        return false;
    }
    /* The defaults sit at the same offsets as in 10.0.2.0/24: .2, .15, .3. */
    host.s_addr = htonl(ntohl(net.s_addr) | 2);
    dhcp.s_addr = htonl(ntohl(net.s_addr) | 15);
    dns.s_addr = htonl(ntohl(net.s_addr) | 3);
    if (!net_slirp_addr_opt(opts, "host", net, mask, &host, errp) ||
        !net_slirp_addr_opt(opts, "dhcpstart", net, mask, &dhcp, errp) ||
        !net_slirp_addr_opt(opts, "dns", net, mask, &dns, errp) ||
        !opts_get_bool(opts, "restrict", false, &restricted, errp) ||
        !opts_get_bool(opts, "ipv4", true, &ipv4, errp) ||
        !opts_get_bool(opts, "ipv6", true, &ipv6, errp)) {
        return false;
    }
    if (host.s_addr == dhcp.s_addr || host.s_addr == dns.s_addr) {
        error_setg(errp, "host=, dns= and dhcpstart= must be different addresses");
        return false;
    }
    const char *hostname = opts_get(opts, "hostname");
    const char *domainname = opts_get(opts, "domainname");
    const char *tftp = opts_get(opts, "tftp");
    const char *bootfile = opts_get(opts, "bootfile");
    static const char *const unsupported[] = { "guestfwd", "smb", "ipv6-net", "ipv6-host",
                                               "ipv6-dns", "dnssearch", "tftp-server-name",
                                               "smbserver" };
    for (size_t i = 0; i < ARRAY_SIZE(unsupported); i++) {
        if (opts_get(opts, unsupported[i])) {
            error_setg(errp, "parameter '%s' is not supported by emu's user network",
                       unsupported[i]);
            return false;
        }
    }
    if (!opts_check_unused(opts, "user", errp)) {
        return false;
    }
    if (!ipv4 && !ipv6) {
        error_setg(errp, "ipv4=off and ipv6=off leave the user network nothing to do");
        return false;
    }
    if (hostname && strlen(hostname) > 255) {
        error_setg(errp, "hostname= is longer than 255 characters");
        return false;
    }

    SlirpConfig cfg = {
        .version = 4,
        .restricted = restricted,
        .in_enabled = ipv4,
        .vnetwork = net,
        .vnetmask = mask,
        .vhost = host,
        .in6_enabled = ipv6,
        .vprefix_len = 64,
        .vhostname = hostname,
        .tftp_path = tftp,
        .bootfile = bootfile,
        .vdhcp_start = dhcp,
        .vnameserver = dns,
        .vdomainname = domainname,
    };
    inet_pton(AF_INET6, "fec0::", &cfg.vprefix_addr6);
    inet_pton(AF_INET6, "fec0::2", &cfg.vhost6);
    inet_pton(AF_INET6, "fec0::3", &cfg.vnameserver6);

    NetClientState *nc = qemu_new_net_client(&net_slirp_info, NULL, "user", id);
    SlirpState *s = container_of(nc, SlirpState, nc);
    s->dhcp_start = dhcp;
    s->slirp = slirp_new(&cfg, &net_slirp_cb, s);
    if (!s->slirp) {
        error_setg(errp, "libslirp refused the configuration");
        qemu_del_net_client(nc);
        return false;
    }
    s->poller = main_loop_add_poller(net_slirp_poll_fill, net_slirp_poll_done, s);
    slirp_stacks = g_list_append(slirp_stacks, s);

    for (guint i = 0; i < fwds->len; i++) {
        if (!net_slirp_add_fwd(s, g_ptr_array_index(fwds, i), dhcp, errp)) {
            qemu_del_net_client(nc);
            return false;
        }
    }
    char n[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &net, n, sizeof(n));
    inet_ntop(AF_INET, &mask, m, sizeof(m));
    snprintf(nc->info_str, sizeof(nc->info_str), "net=%s,netmask=%s%s", n, m,
             restricted ? ",restrict=on" : "");
    return true;
}
