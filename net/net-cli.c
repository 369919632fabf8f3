/*
 * -netdev, -nic and -net (include/net/net.h, "command line").
 *
 * The options are checked when parsed and the backends created later by
 * net_init_clients(), once the main loop exists (a backend registers fds
 * and timers) and before the board creates the NICs (net_nic_requests()).
 */
#include "net/net-internal.h"
#include "qom/object.h"

typedef enum { NET_OPT_NETDEV, NET_OPT_NIC, NET_OPT_NET } NetOptKind;

typedef struct NetOpt {
    NetOptKind kind;
    char *arg;
} NetOpt;

static GPtrArray *net_opts;             /* of NetOpt *, command-line order */
static GPtrArray *nic_requests;         /* of NICRequest * */
static bool net_none;                   /* -nic none / -net none */
static unsigned nic_count;

static const char *const netdev_types[] = { "user", "tap", "socket", "hubport" };

/* NIC models the board may be asked for, in -nic model=help order. */
static const char *const nic_models[] = { "e1000", "virtio-net-pci", "e1000e", "rtl8139",
                                          "ne2k_pci", "pcnet", "i82559er" };

static const char *net_opt_name(NetOptKind kind)
{
    return kind == NET_OPT_NETDEV ? "-netdev" : kind == NET_OPT_NIC ? "-nic" : "-net";
}

static void nic_request_free(gpointer p)
{
    NICRequest *r = p;
    g_free(r->model);
    g_free(r->netdev_id);
    g_free(r->mac);
    g_free(r);
}

void net_nic_models_help(void)
{
    printf("Available NIC models:\n");
    for (size_t i = 0; i < ARRAY_SIZE(nic_models); i++) {
        if (object_class_by_name(nic_models[i])) {
            printf("%s\n", nic_models[i]);
        }
    }
}

static bool net_type_known(const char *type)
{
    for (size_t i = 0; i < ARRAY_SIZE(netdev_types); i++) {
        if (!strcmp(type, netdev_types[i])) {
            return true;
        }
    }
    return false;
}

static bool net_check_type(NetOptKind kind, const char *type, Error **errp)
{
    if (!type || !*type) {
        error_setg(errp, "the backend type is missing (user, tap, socket, hubport%s)",
                   kind == NET_OPT_NETDEV ? "" : ", none");
        return false;
    }
    if (kind != NET_OPT_NETDEV && !strcmp(type, "none")) {
        return true;
    }
    if (kind == NET_OPT_NET && !strcmp(type, "nic")) {
        return true;
    }
    if (kind == NET_OPT_NET && !strcmp(type, "hubport")) {
        error_setg(errp, "'hubport' is for -netdev only");
        return false;
    }
    if (!net_type_known(type)) {
        error_setg(errp, "unknown network backend type '%s' (user, tap, socket, hubport)",
                   type);
        return false;
    }
    return true;
}

/*
 * Called while the command line is parsed: syntax now, so a typo fails
 * before anything starts. Returns false with @errp for a bad option; "help"
 * requests print and set *exit_now.
 */
bool net_cli_add(const char *opt, const char *arg, bool *exit_now, Error **errp)
{
    NetOptKind kind = !strcmp(opt, "-netdev") ? NET_OPT_NETDEV :
                      !strcmp(opt, "-nic") ? NET_OPT_NIC : NET_OPT_NET;
    Error *err = NULL;

    *exit_now = false;
    if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
        printf("Available netdev backend types:\n");
        for (size_t i = 0; i < ARRAY_SIZE(netdev_types); i++) {
            printf("%s\n", netdev_types[i]);
        }
        *exit_now = true;
        return true;
    }
    g_autoptr(Opts) opts = opts_parse(arg, "type", &err);
    if (!opts) {
        error_propagate(errp, err);
        return false;
    }
    const char *model = opts_get(opts, "model");
    if (kind != NET_OPT_NETDEV && model && (!strcmp(model, "help") || !strcmp(model, "?"))) {
        net_nic_models_help();
        *exit_now = true;
        return true;
    }
    const char *type = opts_get(opts, "type");
    if (kind == NET_OPT_NIC && !type) {
        type = "user";      /* -nic model=e1000 alone: QEMU's default backend */
    }
    if (!net_check_type(kind, type, errp)) {
        return false;
    }
    if (!net_opts) {
        net_opts = g_ptr_array_new();
    }
    NetOpt *o = g_new0(NetOpt, 1);
    o->kind = kind;
    o->arg = g_strdup(arg);
    g_ptr_array_add(net_opts, o);
    return true;
}

/* -netdev TYPE,id=ID,... (also used by -nic and -net for the backend half). */
static bool net_backend_create(const char *type, Opts *opts, const char *id, Error **errp)
{
    if (!strcmp(type, "user")) {
#ifdef CONFIG_SLIRP
        return net_init_slirp(opts, id, errp);
#else
        error_setg(errp, "'user' networking is not built into this emu (no libslirp)");
        return false;
#endif
    } else if (!strcmp(type, "tap")) {
        return net_init_tap(opts, id, errp);
    } else if (!strcmp(type, "socket")) {
        return net_init_socket(opts, id, errp);
    } else if (!strcmp(type, "hubport")) {
        return net_init_hubport(opts, id, errp);
    }
    error_setg(errp, "unknown network backend type '%s'", type);
    return false;
}

bool net_client_netdev_add(Opts *opts, Error **errp)
{
    const char *type = opts_get(opts, "type");
    const char *id = opts_get(opts, "id");

    if (!net_check_type(NET_OPT_NETDEV, type, errp) || !net_check_new_id(id, errp)) {
        return false;
    }
    g_autofree char *idcopy = g_strdup(id);
    return net_backend_create(type, opts, idcopy, errp);
}

static void net_add_nic_request(const char *model, const char *netdev_id, const char *mac,
                                bool implicit)
{
    if (!nic_requests) {
        nic_requests = g_ptr_array_new_with_free_func(nic_request_free);
    }
    NICRequest *r = g_new0(NICRequest, 1);
    r->model = g_strdup(model);
    r->netdev_id = g_strdup(netdev_id);
    r->mac = g_strdup(mac);
    r->implicit = implicit;
    g_ptr_array_add(nic_requests, r);
}

static bool net_check_mac_opt(const char *mac, Error **errp)
{
    MACAddr m;
    if (mac && !net_parse_macaddr(mac, &m)) {
        error_setg(errp, "mac '%s' is not an ethernet address (52:54:00:12:34:56)", mac);
        return false;
    }
    return true;
}

/* -nic TYPE[,id=ID][,model=M][,mac=MAC][,backend options] */
bool net_client_nic_add(Opts *opts, Error **errp)
{
    const char *type = opts_get(opts, "type");
    g_autofree char *model = opts_take(opts, "model");
    g_autofree char *mac = opts_take(opts, "mac");
    g_autofree char *id = opts_take(opts, "id");

    if (!type) {
        type = "user";
    }
    if (!strcmp(type, "none")) {
        net_none = true;
        return opts_check_unused(opts, "-nic none", errp);
    }
    if (!net_check_mac_opt(mac, errp)) {
        return false;
    }
    if (id) {
        if (!net_check_new_id(id, errp)) {
            return false;
        }
    } else {
        id = g_strdup_printf("%s.%u", type, nic_count);
    }
    nic_count++;
    g_autofree char *type_copy = g_strdup(type);
    if (!net_backend_create(type_copy, opts, id, errp)) {
        return false;
    }
    net_add_nic_request(model, id, mac, false);
    return true;
}

/*
 * Legacy -net: "-net nic[,model=,mac=,vlan=N,netdev=ID]" and "-net TYPE[,vlan=N,
 * name=NAME,...]" meet on hub N (QEMU's "vlan", 0 by default).
 */
bool net_client_legacy_net_add(Opts *opts, Error **errp)
{
    const char *type = opts_get(opts, "type");
    uint64_t vlan;

    if (!strcmp(type, "none")) {
        net_none = true;
        return opts_check_unused(opts, "-net none", errp);
    }
    if (!opts_get_uint(opts, "vlan", 0, &vlan, errp)) {
        return false;
    }
    if (vlan > INT32_MAX) {
        error_setg(errp, "vlan=%" PRIu64 " is out of range", vlan);
        return false;
    }
    g_autofree char *name = opts_take(opts, "name");
    if (name && !net_check_new_id(name, errp)) {
        return false;
    }
    if (!strcmp(type, "nic")) {
        g_autofree char *model = opts_take(opts, "model");
        g_autofree char *mac = opts_take(opts, "mac");
        g_autofree char *netdev = opts_take(opts, "netdev");
        opts_take(opts, "id");
        if (!opts_check_unused(opts, "-net nic", errp) || !net_check_mac_opt(mac, errp)) {
            return false;
        }
        if (!netdev) {
            NetClientState *port = net_hub_add_port(vlan, NULL, errp);
            if (!port) {
                return false;
            }
            netdev = g_strdup(port->name);
        }
        net_add_nic_request(model, netdev, mac, false);
        return true;
    }

    g_autofree char *id = name ? g_strdup(name) : g_strdup_printf("%s.%u", type, nic_count);
    nic_count++;
    g_autofree char *type_copy = g_strdup(type);
    g_free(opts_take(opts, "id"));
    if (!net_backend_create(type_copy, opts, id, errp)) {
        return false;
    }
    NetClientState *be = qemu_find_netdev(id);
    NetClientState *port = net_hub_add_port(vlan, NULL, errp);
    if (!port) {
        return false;
    }
    port->peer = be;
    be->peer = port;
    return true;
}

bool net_init_clients(bool nodefaults, Error **errp)
{
    bool any = false;

    for (guint i = 0; net_opts && i < net_opts->len; i++) {
        NetOpt *o = g_ptr_array_index(net_opts, i);
        Error *err = NULL;
        g_autoptr(Opts) opts = opts_parse(o->arg, "type", &err);
        bool ok = opts != NULL;

        if (ok) {
            any = true;
            if (o->kind == NET_OPT_NETDEV) {
                ok = net_client_netdev_add(opts, &err);
            } else if (o->kind == NET_OPT_NIC) {
                ok = net_client_nic_add(opts, &err);
            } else {
                ok = net_client_legacy_net_add(opts, &err);
            }
        }
        if (!ok) {
            error_prepend(&err, "%s %s: ", net_opt_name(o->kind), o->arg);
            error_propagate(errp, err);
            return false;
        }
    }
    if (!any && !nodefaults && !net_none) {
        /* QEMU's default: one NIC of the board's model on a user backend. */
        g_autoptr(Opts) opts = opts_new();
        opts_set(opts, "type", "user");
        opts_get(opts, "type");
        Error *err = NULL;
#ifdef CONFIG_SLIRP
        if (!net_init_slirp(opts, "user.0", &err)) {
            error_prepend(&err, "the default network (user): ");
            error_propagate(errp, err);
            return false;
        }
        net_add_nic_request(NULL, "user.0", NULL, true);
#endif
    }
    return true;
}

GPtrArray *net_nic_requests(void)
{
    if (!nic_requests) {
        nic_requests = g_ptr_array_new_with_free_func(nic_request_free);
    }
    return nic_requests;
}

static void net_check_one(NetClientState *nc, void *opaque)
{
    /* A NIC without netdev is legal (qtests use them): its frames are dropped. */
    if (nc->info->type != NET_CLIENT_DRIVER_NIC && !nc->peer && !net_hub_port_is(nc)) {
        warn_report("netdev %s (%s) has no NIC: add -device MODEL,netdev=%s", nc->name,
                    nc->model, nc->name);
    }
}

void net_check_clients(void)
{
    /* A board without NICs (-machine none) leaves the default backend unused. */
    for (guint i = 0; nic_requests && i < nic_requests->len; i++) {
        NICRequest *r = g_ptr_array_index(nic_requests, i);
        NetClientState *be = r->implicit ? qemu_find_netdev(r->netdev_id) : NULL;
        if (be && !be->peer) {
            qemu_del_net_client(be);
        }
    }
    net_client_foreach(net_check_one, NULL);
}
