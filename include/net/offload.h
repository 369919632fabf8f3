/*
 * Checksum and segmentation offloads done in software, for a NIC that offers
 * them to the guest while its backend takes only plain frames (virtio-net on
 * user, socket or hubport): the virtio-net header's NEEDS_CSUM and GSO_TCPV4/6
 * requests (virtio 1.2 §5.1.6.2) are carried out here, and received frames
 * whose TCP/UDP checksum is right can be marked DATA_VALID (§5.1.6.4).
 */
#ifndef NET_OFFLOAD_H
#define NET_OFFLOAD_H

#include "util/osdep.h"

/*
 * Whether the TCP or UDP checksum of an Ethernet frame (IPv4, not a fragment,
 * or IPv6 without extension headers; at most one 802.1Q tag) is right. False
 * for anything else, and for an IPv4 UDP datagram sent without a checksum.
 */
bool net_offload_l4_csum_ok(const uint8_t *frame, size_t len);

/*
 * Complete a partial checksum (NEEDS_CSUM): the one's complement sum from
 * @start to the end of the frame, whose 16-bit field at @start + @offset holds
 * the pseudo-header sum, is stored there. False when the field is out of range.
 */
bool net_offload_partial_csum(uint8_t *frame, size_t len, size_t start, size_t offset);

/*
 * Cut a TCP frame over IPv4 (@ipv6 false) or IPv6 (at most one 802.1Q tag; no IPv6
 * extension headers) into frames carrying at most @mss payload bytes each,
 * as TSO hardware does: the headers copied, IPv4 total length, id (+1 per
 * frame) and checksum, IPv6 payload length, TCP sequence number, FIN and PSH
 * on the last frame only, CWR on the first only, and the TCP checksum. @emit
 * gets each frame (@seg, a buffer of at least @len bytes, holds it). Returns
 * the number of frames, or -1 when the frame is not such a TCP frame (or
 * not of the IP version asked for).
 */
typedef void NetOffloadEmit(const uint8_t *frame, size_t len, bool last, void *opaque);
int net_offload_tso(const uint8_t *frame, size_t len, size_t mss, bool ipv6, uint8_t *seg,
                    NetOffloadEmit *emit, void *opaque);

#endif
