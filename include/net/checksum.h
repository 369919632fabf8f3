/*
 * Internet checksums (RFC 1071) for IPv4 headers and TCP/UDP over IPv4/IPv6
 * (RFC 793, RFC 768, RFC 8200 §8.1), and the Ethernet FCS (IEEE 802.3
 * §3.2.9, CRC-32). Used by NICs that offload checksums (e1000, virtio-net).
 */
#ifndef NET_CHECKSUM_H
#define NET_CHECKSUM_H

#include "util/osdep.h"

/*
 * Add @len bytes at @buf, read as big-endian 16-bit words, to @sum. @seq is
 * the byte's position in the checksummed stream (only its parity matters),
 * so a range can be summed in pieces.
 */
uint32_t net_checksum_add_cont(size_t len, const uint8_t *buf, uint32_t sum, size_t seq);
static inline uint32_t net_checksum_add(size_t len, const uint8_t *buf)
{
    return net_checksum_add_cont(len, buf, 0, 0);
}
/* Fold the carries and complement; the value to store, big-endian. */
uint16_t net_checksum_finish(uint32_t sum);
/* As above, but 0 becomes 0xffff (UDP, where 0 means "no checksum"). */
uint16_t net_checksum_finish_nozero(uint32_t sum);
/* Fold the carries without complementing (a partial sum to seed hardware with). */
uint16_t net_checksum_fold(uint32_t sum);

/*
 * The IPv4 pseudo-header sum for protocol @proto and L4 length @len: source and
 * destination at @addrs (8 bytes, as in the IPv4 header).
 */
uint32_t net_checksum_pseudo4(const uint8_t *addrs, uint8_t proto, uint32_t len);
/* IPv6: @addrs is 32 bytes (source then destination). */
uint32_t net_checksum_pseudo6(const uint8_t *addrs, uint8_t proto, uint32_t len);

/*
 * Fill in the checksums of an Ethernet frame carrying IPv4 (header, TCP,
 * UDP) or IPv6 (TCP, UDP without extension headers), optionally behind one
 * 802.1Q tag. Frames it does not understand are left as they are. Returns
 * true when it changed something.
 */
bool net_checksum_calculate(uint8_t *frame, size_t len);

/* The Ethernet FCS over @len bytes (CRC-32, reflected, as sent on the wire). */
uint32_t net_crc32(const uint8_t *buf, size_t len);

#endif
