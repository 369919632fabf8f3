/*
 * Monitor commands for networking: info network, info usernet, set_link,
 * hostfwd_add, hostfwd_remove.
 */
#include "net/net-internal.h"
#include "monitor/monitor.h"

static void net_print_client(GString *out, NetClientState *nc, const char *indent)
{
    g_string_append_printf(out, "%s%s: index=%u,type=%s,%s%s\n", indent, nc->name,
                           nc->queue_index, net_client_type_name(nc), nc->info_str,
                           nc->link_down ? " (link down)" : "");
}

typedef struct InfoNet {
    GString *out;
    bool nics;      /* this pass prints NICs (and their peers), else lone backends */
} InfoNet;

static void info_network_one(NetClientState *nc, void *opaque)
{
    InfoNet *in = opaque;

    if (net_hub_port_is(nc)) {
        return;         /* printed under its hub */
    }
    if (in->nics) {
        if (nc->info->type != NET_CLIENT_DRIVER_NIC || nc->queue_index) {
            return;
        }
        net_print_client(in->out, nc, "");
        if (nc->peer) {
            net_print_client(in->out, nc->peer, " \\ ");
        }
    } else if (nc->info->type != NET_CLIENT_DRIVER_NIC && !nc->peer) {
        net_print_client(in->out, nc, "");
    }
}

static void info_network(GString *out)
{
    InfoNet in = { out, true };
    net_client_foreach(info_network_one, &in);
    net_hub_info(out);
    in.nics = false;
    net_client_foreach(info_network_one, &in);
}

static void info_usernet(GString *out)
{
#ifdef CONFIG_SLIRP
    net_slirp_info_usernet(out);
#endif
}

static JsonNode *qmp_set_link(JsonObject *args, Error **errp)
{
    const char *name = json_object_get_string_member(args, "name");
    bool up = json_object_get_boolean_member(args, "up");
    net_set_link(name, up, errp);
    return NULL;
}

static void hmp_set_link(Monitor *mon, JsonObject *args)
{
    Error *err = NULL;
    qmp_set_link(args, &err);
    hmp_handle_error(mon, err);
}

/* "hostfwd_add [NETDEV] RULE": one word is the rule, two are netdev and rule. */
static void hmp_hostfwd(Monitor *mon, JsonObject *args, bool add)
{
    const char *a = json_object_get_string_member(args, "arg1");
    const char *b = json_object_has_member(args, "arg2") ?
                    json_object_get_string_member(args, "arg2") : NULL;
    const char *netdev = b ? a : NULL;
    const char *rule = b ? b : a;
    Error *err = NULL;

#ifdef CONFIG_SLIRP
    if (add) {
        net_slirp_hostfwd_add(netdev, rule, &err);
    } else {
        net_slirp_hostfwd_remove(netdev, rule, &err);
    }
#else
    (void)netdev;
    (void)rule;
    error_setg(&err, "user networking is not built in");
#endif
    hmp_handle_error(mon, err);
}

static void hmp_hostfwd_add(Monitor *mon, JsonObject *args)
{
    hmp_hostfwd(mon, args, true);
}

static void hmp_hostfwd_remove(Monitor *mon, JsonObject *args)
{
    hmp_hostfwd(mon, args, false);
}

static const MonitorCommand net_commands[] = {
    {
        .name = "set_link",
        .args_type = "name:s,up:b",
        .params = "name on|off",
        .help = "plug or unplug the cable of a NIC or backend (see info network)",
        .qmp = qmp_set_link,
        .hmp = hmp_set_link,
    },
    {
        .name = "hostfwd_add",
        .args_type = "arg1:s,arg2:s?",
        .params = "[netdev_id] [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport",
        .help = "forward a host port to the guest (user network)",
        .hmp = hmp_hostfwd_add,
    },
    {
        .name = "hostfwd_remove",
        .args_type = "arg1:s,arg2:s?",
        .params = "[netdev_id] [tcp|udp]:[hostaddr]:hostport",
        .help = "remove a host port forward (user network)",
        .hmp = hmp_hostfwd_remove,
    },
};

static void __attribute__((constructor)) net_monitor_register(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(net_commands); i++) {
        monitor_register_command(&net_commands[i]);
    }
    monitor_register_info("network", "show the network clients: NICs, backends, hubs",
                          info_network);
    monitor_register_info("usernet", "show the user network's connections and forwards",
                          info_usernet);
}
