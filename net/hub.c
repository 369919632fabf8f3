/*
 * Hubs: -netdev hubport,id=ID,hubid=N and the legacy "-net ...,vlan=N".
 * A hub repeats every frame that enters on one port out of all its other
 * ports, like an ethernet repeater. A port is a netdev whose peer is a NIC
 * or another backend.
 *
 * Flow control: a hub port never queues itself. A frame entering port A is
 * offered to every other port's peer with qemu_send_packet(); a peer that is
 * full queues it in its own incoming queue, and when it flushes, the core
 * calls net_hub_flush() so frames waiting elsewhere on the hub move too.
 */
#include "net/net-internal.h"

typedef struct NetHub NetHub;

typedef struct NetHubPort {
    NetClientState nc;
    NetHub *hub;
    int id;
} NetHubPort;

struct NetHub {
    int id;
    GList *ports;       /* of NetHubPort * */
    int next_port;
};

static GList *hubs;

static NetHub *net_hub_find(int id, bool create)
{
    for (GList *l = hubs; l; l = l->next) {
        NetHub *h = l->data;
        if (h->id == id) {
            return h;
        }
    }
    if (!create) {
        return NULL;
    }
    NetHub *h = g_new0(NetHub, 1);
    h->id = id;
    hubs = g_list_append(hubs, h);
    return h;
}

static ssize_t net_hub_receive_iov(NetClientState *nc, const struct iovec *iov, int iovcnt)
{
    NetHubPort *src = container_of(nc, NetHubPort, nc);
    size_t size = net_iov_size(iov, iovcnt);

    for (GList *l = src->hub->ports; l; l = l->next) {
        NetHubPort *p = l->data;
        if (p != src) {
            qemu_sendv_packet(&p->nc, iov, iovcnt);
        }
    }
    return size;
}

static ssize_t net_hub_receive(NetClientState *nc, const uint8_t *buf, size_t size)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = size };
    return net_hub_receive_iov(nc, &iov, 1);
}

/* The hub takes a frame when every other port's peer can. */
static bool net_hub_can_receive(NetClientState *nc)
{
    NetHubPort *src = container_of(nc, NetHubPort, nc);

    for (GList *l = src->hub->ports; l; l = l->next) {
        NetHubPort *p = l->data;
        if (p != src && !qemu_can_send_packet(&p->nc)) {
            return false;
        }
    }
    return true;
}

static void net_hub_cleanup(NetClientState *nc)
{
    NetHubPort *port = container_of(nc, NetHubPort, nc);
    port->hub->ports = g_list_remove(port->hub->ports, port);
}

static const NetClientInfo net_hub_port_info = {
    .type = NET_CLIENT_DRIVER_HUBPORT,
    .size = sizeof(NetHubPort),
    .receive = net_hub_receive,
    .receive_iov = net_hub_receive_iov,
    .can_receive = net_hub_can_receive,
    .cleanup = net_hub_cleanup,
};

bool net_hub_port_is(NetClientState *nc)
{
    return nc && nc->info == &net_hub_port_info;
}

int net_hub_id_of(NetClientState *nc)
{
    return net_hub_port_is(nc) ? container_of(nc, NetHubPort, nc)->hub->id : -1;
}

NetClientState *net_hub_add_port(int hub_id, const char *name, Error **errp)
{
    NetHub *hub = net_hub_find(hub_id, true);
    g_autofree char *auto_name = NULL;

    if (!name) {
        auto_name = g_strdup_printf("hub%dport%d", hub_id, hub->next_port);
        name = auto_name;
    }
    NetClientState *nc = qemu_new_net_client(&net_hub_port_info, NULL, "hub", name);
    NetHubPort *port = container_of(nc, NetHubPort, nc);
    port->hub = hub;
    port->id = hub->next_port++;
    snprintf(nc->info_str, sizeof(nc->info_str), "hub %d port %d", hub_id, port->id);
    hub->ports = g_list_append(hub->ports, port);
    return nc;
}

void net_hub_flush(NetClientState *nc)
{
    NetHubPort *src = container_of(nc, NetHubPort, nc);

    /* Frames that entered the hub from the other ports' peers and wait there. */
    for (GList *l = src->hub->ports; l; l = l->next) {
        NetHubPort *p = l->data;
        if (p != src) {
            net_queue_flush(p->nc.incoming_queue);
        }
    }
}

bool net_init_hubport(Opts *opts, const char *id, Error **errp)
{
    uint64_t hubid;

    if (!opts_has(opts, "hubid")) {
        error_setg(errp, "parameter 'hubid' is missing");
        return false;
    }
    if (!opts_get_uint(opts, "hubid", 0, &hubid, errp)) {
        return false;
    }
    if (hubid > INT32_MAX) {
        error_setg(errp, "hubid=%" PRIu64 " is out of range", hubid);
        return false;
    }
    const char *peer_id = opts_get(opts, "netdev");
    NetClientState *peer = NULL;
    if (peer_id) {
        peer = qemu_find_netdev(peer_id);
        if (!peer) {
            error_setg(errp, "netdev=%s: no netdev with that id", peer_id);
            return false;
        }
        if (peer->peer) {
            error_setg(errp, "netdev=%s: already used by %s", peer_id, peer->peer->name);
            return false;
        }
    }
    if (!opts_check_unused(opts, "hubport", errp)) {
        return false;
    }
    NetClientState *nc = net_hub_add_port(hubid, id, errp);
    if (nc && peer) {
        nc->peer = peer;
        peer->peer = nc;
    }
    return nc != NULL;
}

void net_hub_info(GString *out)
{
    for (GList *l = hubs; l; l = l->next) {
        NetHub *h = l->data;
        g_string_append_printf(out, "hub %d\n", h->id);
        for (GList *p = h->ports; p; p = p->next) {
            NetHubPort *port = p->data;
            g_string_append_printf(out, " \\ %s: index=0,type=hubport,%s\n", port->nc.name,
                                   port->nc.info_str);
            if (port->nc.peer) {
                g_string_append_printf(out, "    \\ %s: index=0,type=%s,%s%s\n",
                                       port->nc.peer->name,
                                       net_client_type_name(port->nc.peer),
                                       port->nc.peer->info_str,
                                       port->nc.peer->link_down ? " (link down)" : "");
            }
        }
    }
}
