/*
 * The networking core (include/net/net.h): the list of clients, peers,
 * sending with flow control, NICs and their MAC addresses.
 */
#include "net/net-internal.h"
#include <glib-unix.h>

static GList *net_clients;      /* of NetClientState *, in creation order */

size_t net_iov_size(const struct iovec *iov, int iovcnt)
{
    size_t n = 0;
    for (int i = 0; i < iovcnt; i++) {
        n += iov[i].iov_len;
    }
    return n;
}

/*
 * GLib blocks a source that may not recurse while its callback runs: it takes
 * the source's fds out of the context's poll set and puts them back after,
 * and every change to the poll set wakes the context (an eventfd write). So
 * each dispatch of a plain g_unix_fd_add() watch cost two eventfd writes and
 * an extra main-loop turn whose poll returned at once (with the big lock
 * dropped and taken again), once per ACK during a guest-to-host transfer on
 * tap. Nothing in the net backends runs a nested loop from a callback, so
 * letting the source recurse is safe; QEMU's AioContext source does the same.
 */
guint net_fd_watch_add(int fd, GIOCondition cond, GUnixFDSourceFunc func, void *opaque)
{
    GSource *src = g_unix_fd_source_new(fd, cond);
    g_source_set_can_recurse(src, TRUE);
    g_source_set_callback(src, (GSourceFunc)(void (*)(void))func, opaque, NULL);
    guint tag = g_source_attach(src, NULL);
    g_source_unref(src);
    return tag;
}

/* ---- MAC addresses ---- */

bool net_parse_macaddr(const char *str, MACAddr *mac)
{
    unsigned v[6];
    char end;

    if (!str || strlen(str) != 17) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        const char *p = str + i * 3;
        if (!g_ascii_isxdigit(p[0]) || !g_ascii_isxdigit(p[1]) ||
            (i < 5 && p[2] != ':' && p[2] != '-')) {
            return false;
        }
    }
    if (sscanf(str, "%2x%*c%2x%*c%2x%*c%2x%*c%2x%*c%2x%c", &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &end) != 6) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        mac->a[i] = v[i];
    }
    return true;
}

void net_format_macaddr(char *buf, size_t len, const MACAddr *mac)
{
    snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac->a[0], mac->a[1], mac->a[2],
             mac->a[3], mac->a[4], mac->a[5]);
}

/* QEMU's default MACs: 52:54:00:12:34:56 and up, skipping any given explicitly. */
static GArray *used_macs;       /* of MACAddr */
static unsigned next_default_mac;

void net_mac_note_used(const MACAddr *mac)
{
    if (!used_macs) {
        used_macs = g_array_new(FALSE, FALSE, sizeof(MACAddr));
    }
    g_array_append_val(used_macs, *mac);
}

static bool net_mac_is_used(const MACAddr *mac)
{
    for (guint i = 0; used_macs && i < used_macs->len; i++) {
        if (!memcmp(&g_array_index(used_macs, MACAddr, i), mac, sizeof(*mac))) {
            return true;
        }
    }
    return false;
}

static void net_mac_default(MACAddr *mac)
{
    do {
        unsigned n = 0x56 + next_default_mac++;
        *mac = (MACAddr){ { 0x52, 0x54, 0x00, 0x12, 0x34 + (n >> 8), n & 0xff } };
    } while (net_mac_is_used(mac));
    net_mac_note_used(mac);
}

/* ---- clients ---- */

static ssize_t net_deliver(NetClientState *sender, const struct iovec *iov, int iovcnt,
                           void *opaque)
{
    NetClientState *nc = opaque;
    size_t size = net_iov_size(iov, iovcnt);
    ssize_t ret;

    if (nc->link_down) {
        return size;        /* a down link drops, and the sender sees it sent */
    }
    if (nc->receive_disabled ||
        (nc->info->can_receive && !nc->info->can_receive(nc))) {
        return 0;
    }
    if (nc->info->receive_iov) {
        ret = nc->info->receive_iov(nc, iov, iovcnt);
    } else if (iovcnt == 1) {
        ret = nc->info->receive(nc, iov[0].iov_base, iov[0].iov_len);
    } else {
        g_autofree uint8_t *buf = g_malloc(size ? size : 1);
        size_t off = 0;
        for (int i = 0; i < iovcnt; i++) {
            if (iov[i].iov_len) {
                memcpy(buf + off, iov[i].iov_base, iov[i].iov_len);
                off += iov[i].iov_len;
            }
        }
        ret = nc->info->receive(nc, buf, size);
    }
    if (ret == 0) {
        nc->receive_disabled = true;
    } else if (ret < 0) {
        ret = size;         /* an error is a drop for the sender */
    }
    return ret;
}

/* QEMU's name for a client without an id: "MODEL.N", N counting that model's clients. */
static char *assign_name(const char *model)
{
    int n = 0;
    for (GList *l = net_clients; l; l = l->next) {
        NetClientState *c = l->data;
        n += c->model && !strcmp(c->model, model) && c->queue_index == 0;
    }
    return g_strdup_printf("%s.%d", model, n);
}

static void net_client_init_common(NetClientState *nc, const NetClientInfo *info,
                                   NetClientState *peer, const char *model,
                                   const char *name)
{
    nc->info = info;
    nc->model = g_strdup(model);
    nc->name = name ? g_strdup(name) : assign_name(model);
    nc->incoming_queue = net_queue_new(net_deliver, nc);
    if (peer) {
        g_assert(!peer->peer);
        nc->peer = peer;
        peer->peer = nc;
    }
    net_clients = g_list_append(net_clients, nc);
}

NetClientState *qemu_new_net_client(const NetClientInfo *info, NetClientState *peer,
                                    const char *model, const char *name)
{
    g_assert(info->size >= sizeof(NetClientState));
    NetClientState *nc = g_malloc0(info->size);
    net_client_init_common(nc, info, peer, model, name);
    return nc;
}

/* Unlink and free what the core owns; the caller frees the memory. */
static void net_client_teardown(NetClientState *nc)
{
    NetClientState *peer = nc->peer;

    if (peer) {
        /* Frames @nc sent that wait at the peer, and frames for @nc. */
        net_queue_purge(peer->incoming_queue, nc);
        peer->peer = NULL;
        nc->peer = NULL;
    }
    net_queue_free(nc->incoming_queue);
    nc->incoming_queue = NULL;
    if (nc->info->cleanup) {
        nc->info->cleanup(nc);
    }
    net_clients = g_list_remove(net_clients, nc);
    g_free(nc->model);
    g_free(nc->name);
}

void qemu_del_net_client(NetClientState *nc)
{
    if (!nc) {
        return;
    }
    g_assert(nc->info->type != NET_CLIENT_DRIVER_NIC);
    net_client_teardown(nc);
    g_free(nc);
}

NetClientState *qemu_find_netdev(const char *id)
{
    for (GList *l = net_clients; l; l = l->next) {
        NetClientState *nc = l->data;
        if (nc->info->type != NET_CLIENT_DRIVER_NIC && !strcmp(nc->name, id)) {
            return nc;
        }
    }
    return NULL;
}

void net_client_foreach(void (*fn)(NetClientState *nc, void *opaque), void *opaque)
{
    GList *copy = g_list_copy(net_clients);
    for (GList *l = copy; l; l = l->next) {
        fn(l->data, opaque);
    }
    g_list_free(copy);
}

bool net_check_new_id(const char *id, Error **errp)
{
    if (!id || !*id) {
        error_setg(errp, "parameter 'id' is missing");
        return false;
    }
    if (!g_ascii_isalpha(id[0])) {
        error_setg(errp, "id '%s': an id must start with a letter", id);
        return false;
    }
    for (const char *p = id; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            error_setg(errp, "id '%s': only letters, digits, '-', '.' and '_' allowed", id);
            return false;
        }
    }
    if (qemu_find_netdev(id)) {
        error_setg(errp, "id '%s' is already used by another netdev", id);
        return false;
    }
    return true;
}

/* ---- sending ---- */

bool qemu_can_send_packet(NetClientState *nc)
{
    NetClientState *peer = nc->peer;

    if (!peer || peer->link_down) {
        return true;        /* it would be dropped at once */
    }
    if (peer->receive_disabled || net_queue_len(peer->incoming_queue)) {
        return false;
    }
    return !peer->info->can_receive || peer->info->can_receive(peer);
}

ssize_t qemu_sendv_packet_async(NetClientState *nc, const struct iovec *iov, int iovcnt,
                                NetPacketSent *sent_cb)
{
    size_t size = net_iov_size(iov, iovcnt);

    if (nc->link_down || !nc->peer) {
        return size;
    }
    return net_queue_send_iov(nc->peer->incoming_queue, nc, iov, iovcnt, sent_cb);
}

ssize_t qemu_sendv_packet(NetClientState *nc, const struct iovec *iov, int iovcnt)
{
    return qemu_sendv_packet_async(nc, iov, iovcnt, NULL);
}

ssize_t qemu_send_packet_async(NetClientState *nc, const uint8_t *buf, size_t size,
                               NetPacketSent *sent_cb)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = size };
    return qemu_sendv_packet_async(nc, &iov, 1, sent_cb);
}

ssize_t qemu_send_packet(NetClientState *nc, const uint8_t *buf, size_t size)
{
    return qemu_send_packet_async(nc, buf, size, NULL);
}

void qemu_flush_queued_packets(NetClientState *nc)
{
    nc->receive_disabled = false;
    if (net_queue_flush(nc->incoming_queue) && nc->peer && net_hub_port_is(nc->peer)) {
        /* Frames the hub held back for us wait at the other ports. */
        net_hub_flush(nc->peer);
    }
}

void qemu_purge_queued_packets(NetClientState *nc)
{
    if (nc->peer) {
        net_queue_purge(nc->peer->incoming_queue, nc);
    }
}

const char *net_client_type_name(NetClientState *nc)
{
    switch (nc->info->type) {
    case NET_CLIENT_DRIVER_NIC:
        return "nic";
    case NET_CLIENT_DRIVER_USER:
        return "user";
    case NET_CLIENT_DRIVER_TAP:
        return "tap";
    case NET_CLIENT_DRIVER_SOCKET:
        return "socket";
    case NET_CLIENT_DRIVER_HUBPORT:
        return "hubport";
    default:
        return "none";
    }
}

/* ---- link state (the monitor's set_link) ---- */

bool net_set_link(const char *name, bool up, Error **errp)
{
    GPtrArray *hits = g_ptr_array_new();

    for (GList *l = net_clients; l; l = l->next) {
        NetClientState *nc = l->data;
        if (!strcmp(nc->name, name)) {
            g_ptr_array_add(hits, nc);
        }
    }
    if (!hits->len) {
        g_ptr_array_free(hits, TRUE);
        error_setg(errp, "set_link: no network client named '%s' (see info network)", name);
        return false;
    }
    for (guint i = 0; i < hits->len; i++) {
        NetClientState *nc = g_ptr_array_index(hits, i);
        /* A NIC's queues all follow queue 0. */
        NICState *nic = nc->info->type == NET_CLIENT_DRIVER_NIC ? qemu_get_nic(nc) : NULL;
        int n = nic ? nic->queues : 1;
        for (int q = 0; q < n; q++) {
            NetClientState *c = nic ? &nic->ncs[q] : nc;
            c->link_down = !up;
            if (!up) {
                /* Nothing waits behind a cable that was pulled. */
                net_queue_purge(c->incoming_queue, NULL);
                if (c->peer) {
                    net_queue_purge(c->peer->incoming_queue, c);
                }
            }
            if (c->info->link_status_changed) {
                c->info->link_status_changed(c);
            }
        }
        /*
         * As in QEMU, a NIC on a backend (not a hub) shares the link: the
         * backend sees it go down too, so the guest's TX is dropped.
         */
        NetClientState *peer = nc->peer;
        if (peer && !net_hub_port_is(peer)) {
            peer->link_down = !up;
            if (peer->info->link_status_changed) {
                peer->info->link_status_changed(peer);
            }
        }
    }
    g_ptr_array_free(hits, TRUE);
    return true;
}

/* ---- NICs ---- */

bool qemu_nic_conf_resolve(NICConf *conf, const char *devname, Error **errp)
{
    memset(conf->peers, 0, sizeof(conf->peers));
    conf->queues = 1;
    if (conf->netdev_id) {
        NetClientState *nd = qemu_find_netdev(conf->netdev_id);
        if (!nd) {
            error_setg(errp, "%s: netdev '%s' not found (create it with -netdev "
                       "TYPE,id=%s)", devname, conf->netdev_id, conf->netdev_id);
            return false;
        }
        if (nd->peer) {
            error_setg(errp, "%s: netdev '%s' is already used by %s", devname,
                       conf->netdev_id, nd->peer->name);
            return false;
        }
        /* A multiqueue backend is one client per queue, all with the netdev's id. */
        int queues = 0;
        for (GList *l = net_clients; l; l = l->next) {
            NetClientState *nc = l->data;
            if (nc->info->type != NET_CLIENT_DRIVER_NIC && !strcmp(nc->name, nd->name) &&
                nc->queue_index < NET_MAX_QUEUES) {
                conf->peers[nc->queue_index] = nc;
                queues = MAX(queues, (int)nc->queue_index + 1);
            }
        }
        conf->queues = queues;
    }
    if (conf->mac_str) {
        MACAddr mac;
        if (!net_parse_macaddr(conf->mac_str, &mac)) {
            error_setg(errp, "%s: mac '%s' is not an ethernet address "
                       "(use six hex bytes, 52:54:00:12:34:56)", devname, conf->mac_str);
            return false;
        }
        if (mac.a[0] & 1) {
            error_setg(errp, "%s: mac '%s' is a multicast address (the first byte "
                       "must be even)", devname, conf->mac_str);
            return false;
        }
        conf->macaddr = mac;
        net_mac_note_used(&mac);
    } else {
        net_mac_default(&conf->macaddr);
    }

    return true;
}

typedef struct NICAlloc {
    NICState nic;
    NetClientState ncs[];
} NICAlloc;

NICState *qemu_new_nic(const NetClientInfo *info, NICConf *conf, const char *model,
                       const char *name, void *opaque)
{
    g_assert(info->type == NET_CLIENT_DRIVER_NIC);
    int queues = conf->queues > 0 ? conf->queues : 1;
    g_assert(queues <= (int)ARRAY_SIZE(conf->peers));
    NICAlloc *a = g_malloc0(sizeof(NICAlloc) + queues * sizeof(NetClientState));
    NICState *nic = &a->nic;

    nic->ncs = a->ncs;
    nic->conf = conf;
    nic->opaque = opaque;
    nic->queues = queues;
    for (int i = 0; i < queues; i++) {
        NetClientState *nc = &nic->ncs[i];
        NetClientState *peer = conf->peers[i];
        if (peer && peer->peer) {
            peer = NULL;        /* taken since resolve: stay unplugged */
        }
        net_client_init_common(nc, info, peer, model, name);
        nc->queue_index = i;
        nc->opaque = opaque;
    }
    qemu_format_nic_info_str(&nic->ncs[0], conf->macaddr.a);
    return nic;
}

void qemu_del_nic(NICState *nic)
{
    if (!nic) {
        return;
    }
    for (int i = nic->queues - 1; i >= 0; i--) {
        net_client_teardown(&nic->ncs[i]);
    }
    g_free(container_of(nic, NICAlloc, nic));
}

NetClientState *qemu_get_queue(NICState *nic)
{
    return &nic->ncs[0];
}

NetClientState *qemu_get_subqueue(NICState *nic, int index)
{
    g_assert(index >= 0 && index < nic->queues);
    return &nic->ncs[index];
}

NICState *qemu_get_nic(NetClientState *nc)
{
    g_assert(nc->info->type == NET_CLIENT_DRIVER_NIC);
    NetClientState *first = nc - nc->queue_index;
    return &((NICAlloc *)((char *)first - offsetof(NICAlloc, ncs)))->nic;
}

void *qemu_get_nic_opaque(NetClientState *nc)
{
    return nc->opaque;
}

void qemu_format_nic_info_str(NetClientState *nc, const uint8_t macaddr[6])
{
    snprintf(nc->info_str, sizeof(nc->info_str),
             "model=%s,macaddr=%02x:%02x:%02x:%02x:%02x:%02x", nc->model, macaddr[0],
             macaddr[1], macaddr[2], macaddr[3], macaddr[4], macaddr[5]);
}

void qemu_announce_self(void)
{
    /* No self-announcement yet: switches relearn on the guest's first frame. */
}

/* ---- vnet header ---- */

bool qemu_has_vnet_hdr(NetClientState *nc)
{
    return nc && nc->info->has_vnet_hdr && nc->info->has_vnet_hdr(nc);
}

bool qemu_has_vnet_hdr_len(NetClientState *nc, int len)
{
    return nc && nc->info->has_vnet_hdr_len && nc->info->has_vnet_hdr_len(nc, len);
}

void qemu_set_vnet_hdr_len(NetClientState *nc, int len)
{
    if (nc && nc->info->set_vnet_hdr_len) {
        nc->info->set_vnet_hdr_len(nc, len);
    }
}

void qemu_using_vnet_hdr(NetClientState *nc, bool enable)
{
    if (nc && nc->info->using_vnet_hdr) {
        nc->info->using_vnet_hdr(nc, enable);
    }
}

bool qemu_has_ufo(NetClientState *nc)
{
    return nc && nc->info->has_ufo && nc->info->has_ufo(nc);
}

void qemu_set_offload(NetClientState *nc, int csum, int tso4, int tso6, int ecn, int ufo)
{
    if (nc && nc->info->set_offload) {
        nc->info->set_offload(nc, csum, tso4, tso6, ecn, ufo);
    }
}

void qemu_set_queue_enabled(NetClientState *nc, bool enable)
{
    if (nc && nc->info->set_queue_enabled) {
        nc->info->set_queue_enabled(nc, enable);
    }
}
