/*
 * Networking core: clients that exchange ethernet frames.
 *
 * A NetClientState is one end of a link. A frontend (a NIC: e1000,
 * virtio-net) and a backend (user/libslirp, tap, socket, a hub port) are
 * peers: what one sends, the other's receive() gets. A backend created with
 * -netdev waits for a frontend that names it (-device e1000,netdev=ID); -nic
 * creates both. A NIC may have several queues (virtio-net multiqueue); each is
 * its own NetClientState with its own peer.
 *
 * Flow control: a receiver that cannot take a frame now returns 0 from
 * receive() (or false from can_receive()). The core then keeps the frame (and
 * later ones from the same sender) in the receiver's incoming queue, and the
 * receiver calls qemu_flush_queued_packets() once it has room again (the
 * guest posted RX buffers). A sender that used qemu_send_packet_async() gets
 * its sent callback when a queued frame finally went through, so a backend
 * can stop reading its host fd while the guest is full instead of dropping.
 * Frames to a peer whose link is down, or with no peer, are dropped and
 * reported as sent.
 *
 * Everything here runs on the main loop with the big lock held, except where
 * a function says otherwise.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include "util/osdep.h"
#include "util/error.h"
#include "util/keyval.h"
#include <sys/uio.h>

#define NET_MAX_FRAME (64 * 1024 + 64)   /* largest frame with a vnet header */

typedef struct MACAddr {
    uint8_t a[6];
} MACAddr;

typedef enum NetClientDriver {
    NET_CLIENT_DRIVER_NONE,
    NET_CLIENT_DRIVER_NIC,
    NET_CLIENT_DRIVER_USER,
    NET_CLIENT_DRIVER_TAP,
    NET_CLIENT_DRIVER_SOCKET,
    NET_CLIENT_DRIVER_HUBPORT,
} NetClientDriver;

typedef struct NetClientState NetClientState;
typedef struct NetQueue NetQueue;

/* Called when a frame queued by qemu_send_packet_async() has been delivered. */
typedef void NetPacketSent(NetClientState *sender, ssize_t len);

typedef struct NetClientInfo {
    NetClientDriver type;
    size_t size;                    /* of the struct embedding NetClientState */
    /* Take one frame; return its length, or 0 to have the core queue it. */
    ssize_t (*receive)(NetClientState *nc, const uint8_t *buf, size_t size);
    /* Optional scatter-gather variant; the core flattens for receive() if NULL. */
    ssize_t (*receive_iov)(NetClientState *nc, const struct iovec *iov, int iovcnt);
    /* Optional: false = queue frames without calling receive. */
    bool (*can_receive)(NetClientState *nc);
    /* Optional: free what the client owns (the core frees the struct). */
    void (*cleanup)(NetClientState *nc);
    /* Optional: nc->link_down changed (set_link in the monitor). */
    void (*link_status_changed)(NetClientState *nc);
    /*
     * virtio-net header support, for backends that carry offloads (tap with
     * IFF_VNET_HDR). All optional; NULL means "no".
     */
    bool (*has_vnet_hdr)(NetClientState *nc);
    bool (*has_vnet_hdr_len)(NetClientState *nc, int len);
    void (*set_vnet_hdr_len)(NetClientState *nc, int len);
    void (*using_vnet_hdr)(NetClientState *nc, bool enable);
    bool (*has_ufo)(NetClientState *nc);
    void (*set_offload)(NetClientState *nc, int csum, int tso4, int tso6,
                        int ecn, int ufo);
    /*
     * Optional, multiqueue backends (tap queues=N): whether the host may hand
     * this queue frames. A queue the NIC does not serve (a pair the guest has
     * not enabled) is disabled, so the host steers no flow into it.
     */
    void (*set_queue_enabled)(NetClientState *nc, bool enable);
} NetClientInfo;

struct NetClientState {
    const NetClientInfo *info;
    NetClientState *peer;
    NetQueue *incoming_queue;   /* frames waiting for this client to take them */
    char *model;                /* "e1000", "user", "tap", ... */
    char *name;                 /* the id (netdev id, or the NIC's device id) */
    char info_str[256];         /* one line for "info network" */
    bool link_down;
    bool receive_disabled;      /* receive() returned 0: queue until flushed */
    unsigned queue_index;       /* for a multiqueue NIC */
    void *opaque;               /* NIC clients: the NICState's opaque */
};

/* ---- generic clients (backends) ---- */

/*
 * Allocate info->size bytes (NetClientState first), register it as @name and
 * link it to @peer (may be NULL; a -netdev backend is linked later by the NIC
 * that names it).
 */
NetClientState *qemu_new_net_client(const NetClientInfo *info, NetClientState *peer,
                                    const char *model, const char *name);
/* Unlink from the peer, purge queues, call cleanup, free. */
void qemu_del_net_client(NetClientState *nc);
/* The -netdev backend with this id, or NULL. */
NetClientState *qemu_find_netdev(const char *id);

/* ---- sending ---- */

/*
 * Send a frame to nc->peer. Returns the length when delivered or dropped,
 * 0 when it was queued (the peer could not take it now).
 */
ssize_t qemu_send_packet(NetClientState *nc, const uint8_t *buf, size_t size);
ssize_t qemu_sendv_packet(NetClientState *nc, const struct iovec *iov, int iovcnt);
/* As above; when the return is 0, @sent_cb runs once the frame is delivered. */
ssize_t qemu_send_packet_async(NetClientState *nc, const uint8_t *buf, size_t size,
                               NetPacketSent *sent_cb);
ssize_t qemu_sendv_packet_async(NetClientState *nc, const struct iovec *iov, int iovcnt,
                                NetPacketSent *sent_cb);
/* The receiver @nc has room again: deliver what waits in its incoming queue. */
void qemu_flush_queued_packets(NetClientState *nc);
/* Drop the frames @nc sent that still wait in its peer's queue (reset, unplug). */
void qemu_purge_queued_packets(NetClientState *nc);
/* True if nc->peer can take a frame now (peer exists, link up, can_receive). */
bool qemu_can_send_packet(NetClientState *nc);

/* ---- NICs (frontends) ---- */

/* Queues of one netdev (tap queues=N) and of one NIC. */
#define NET_MAX_QUEUES 16

typedef struct NICConf {
    char *mac_str;              /* "mac" property, NULL = assign one */
    char *netdev_id;            /* "netdev" property */
    MACAddr macaddr;            /* resolved by qemu_nic_conf_resolve() */
    NetClientState *peers[NET_MAX_QUEUES];  /* the backend per queue, resolved too */
    int32_t queues;             /* how many peers the backend offers (>= 1) */
    int32_t bootindex;
} NICConf;

/* The properties every NIC has: "mac" and "netdev". */
#define DEFINE_NIC_PROPERTIES(S, conf) \
    DEFINE_PROP_STRING("mac", S, conf.mac_str), \
    DEFINE_PROP_STRING("netdev", S, conf.netdev_id)

/*
 * From a realize: parse conf->mac_str ("52:54:00:12:34:56"; a multicast or
 * malformed address is an error naming it) or assign the next free default
 * (52:54:00:12:34:56, :57, ...), and find the netdev (unknown id, or one
 * already used by another NIC, is an error). A NIC without netdev has no peer:
 * its frames are dropped, as QEMU does.
 */
bool qemu_nic_conf_resolve(NICConf *conf, const char *devname, Error **errp);

typedef struct NICState {
    NetClientState *ncs;        /* conf->queues clients */
    NICConf *conf;
    void *opaque;
    int queues;
} NICState;

/*
 * Create the NIC's clients (one per conf->queues), linked to conf->peers.
 * @info->type must be NET_CLIENT_DRIVER_NIC. @opaque is the device.
 */
NICState *qemu_new_nic(const NetClientInfo *info, NICConf *conf, const char *model,
                       const char *name, void *opaque);
void qemu_del_nic(NICState *nic);
NetClientState *qemu_get_queue(NICState *nic);                 /* queue 0 */
NetClientState *qemu_get_subqueue(NICState *nic, int index);
NICState *qemu_get_nic(NetClientState *nc);
void *qemu_get_nic_opaque(NetClientState *nc);
/* Set the "info network" line to model and MAC. */
void qemu_format_nic_info_str(NetClientState *nc, const uint8_t macaddr[6]);
/* Announce @nc's MAC after migration (a gratuitous frame); may be a no-op. */
void qemu_announce_self(void);

/* ---- vnet header helpers (see NetClientInfo) ---- */

bool qemu_has_vnet_hdr(NetClientState *nc);
bool qemu_has_vnet_hdr_len(NetClientState *nc, int len);
void qemu_set_vnet_hdr_len(NetClientState *nc, int len);
void qemu_using_vnet_hdr(NetClientState *nc, bool enable);
bool qemu_has_ufo(NetClientState *nc);
void qemu_set_offload(NetClientState *nc, int csum, int tso4, int tso6, int ecn, int ufo);
void qemu_set_queue_enabled(NetClientState *nc, bool enable);

/* ---- command line ---- */

/* -netdev TYPE,id=ID,...: create the backend now. */
bool net_client_netdev_add(Opts *opts, Error **errp);
/*
 * -nic TYPE[,model=M][,mac=...][,...] and the legacy -net nic/-net user pair:
 * record a NIC for the board to create (net_nic_requests()). "-nic none" and
 * "-net none" suppress the default NIC.
 */
bool net_client_nic_add(Opts *opts, Error **errp);
bool net_client_legacy_net_add(Opts *opts, Error **errp);

typedef struct NICRequest {
    char *model;                /* NULL = the board's default (e1000 on pc) */
    char *netdev_id;            /* the backend created for it */
    char *mac;                  /* NULL = assign */
    bool implicit;              /* the default NIC: skip quietly if the model is missing */
} NICRequest;

/*
 * What the board must create after parsing: one NIC per -nic (and per
 * legacy -net nic). With no -nic/-net/-netdev option at all and no
 * "none", this is one default NIC on a "user" backend, like QEMU.
 */
GPtrArray *net_nic_requests(void);      /* of NICRequest *; owned by net/ */
/*
 * While parsing the command line: check one -netdev/-nic/-net argument and
 * keep it (@opt is "-netdev", "-nic" or "-net"). A "help" request prints
 * and sets *exit_now.
 */
bool net_cli_add(const char *opt, const char *arg, bool *exit_now, Error **errp);
/*
 * After main_loop_init(), before the board is built: create the backends in
 * command-line order, and the default user backend unless @nodefaults or
 * any net option was given. Errors name the option.
 */
bool net_init_clients(bool nodefaults, Error **errp);
/* -nic model=help: the NIC models this emu has. */
void net_nic_models_help(void);
/* Call @fn for every client (for "info network"). */
void net_client_foreach(void (*fn)(NetClientState *nc, void *opaque), void *opaque);
/* Check that every -netdev got a frontend; warn like QEMU otherwise. */
void net_check_clients(void);

/* ---- MAC helpers ---- */

bool net_parse_macaddr(const char *str, MACAddr *mac);
void net_format_macaddr(char *buf, size_t len, const MACAddr *mac);

#endif
