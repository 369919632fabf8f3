/*
 * What the files of net/ share and nobody else needs: the incoming queue
 * (queue.c), the hub (hub.c), the backends' constructors and the list of
 * clients (net.c).
 */
#ifndef NET_NET_INTERNAL_H
#define NET_NET_INTERNAL_H

#include "net/net.h"
#include <glib-unix.h>

/* ---- queue.c: frames waiting for one receiver ---- */

/*
 * Deliver one frame to the queue's owner; returns the length taken (or
 * dropped), 0 when the receiver cannot take it now.
 */
typedef ssize_t NetQueueDeliverFunc(NetClientState *sender, const struct iovec *iov,
                                    int iovcnt, void *opaque);

/* Frames queued from senders without a sent callback, before dropping. */
#define NET_QUEUE_MAX_LEN 10000

NetQueue *net_queue_new(NetQueueDeliverFunc *deliver, void *opaque);
void net_queue_free(NetQueue *queue);
/*
 * Deliver now if the queue is empty and the receiver takes it; else keep
 * a copy (returns 0; @sent_cb runs on delivery). A frame from a sender
 * without @sent_cb is dropped (returns its length) when the queue is full.
 */
ssize_t net_queue_send_iov(NetQueue *queue, NetClientState *sender, const struct iovec *iov,
                           int iovcnt, NetPacketSent *sent_cb);
/* Deliver queued frames in order until the receiver says 0; true if emptied. */
bool net_queue_flush(NetQueue *queue);
/* Drop @from's frames (all frames if NULL); their sent callbacks run with 0. */
void net_queue_purge(NetQueue *queue, NetClientState *from);
unsigned net_queue_len(NetQueue *queue);

/* ---- net.c ---- */

size_t net_iov_size(const struct iovec *iov, int iovcnt);
/*
 * g_unix_fd_add() on the default context, but a source GLib does not block
 * while it dispatches: returns a tag for g_source_remove().
 */
guint net_fd_watch_add(int fd, GIOCondition cond, GUnixFDSourceFunc func, void *opaque);
/* An id a new -netdev may take (not empty, not used, like QEMU's ids). */
bool net_check_new_id(const char *id, Error **errp);
/* Remember which MACs are taken so the default ones skip them. */
void net_mac_note_used(const MACAddr *mac);
/* "nic", "user", "tap", "socket", "hubport" (for info network). */
const char *net_client_type_name(NetClientState *nc);
/* set_link: every client named @name (a NIC's queues, and its backend peer). */
bool net_set_link(const char *name, bool up, Error **errp);

/* ---- backends: create from -netdev options (keys not used are an error) ---- */

bool net_init_socket(Opts *opts, const char *id, Error **errp);
bool net_init_tap(Opts *opts, const char *id, Error **errp);
bool net_init_slirp(Opts *opts, const char *id, Error **errp);
bool net_init_hubport(Opts *opts, const char *id, Error **errp);

/* ---- hub.c ---- */

/* A new port on hub @hub_id (created on first use), named @name. */
NetClientState *net_hub_add_port(int hub_id, const char *name, Error **errp);
/* The receiver behind hub port @nc has room: flush the other ports' queues. */
void net_hub_flush(NetClientState *nc);
/* "info network" lines for the hubs (with their ports and peers). */
void net_hub_info(GString *out);
bool net_hub_port_is(NetClientState *nc);
int net_hub_id_of(NetClientState *nc);

/* ---- slirp.c (for the monitor) ---- */

void net_slirp_info_usernet(GString *out);
bool net_slirp_hostfwd_add(const char *netdev, const char *spec, Error **errp);
bool net_slirp_hostfwd_remove(const char *netdev, const char *spec, Error **errp);

#endif
