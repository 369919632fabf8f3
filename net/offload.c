/*
 * Software checksum and TCP segmentation offload (see include/net/offload.h).
 * Header layouts: Ethernet II with an optional 802.1Q tag, IPv4 (RFC 791),
 * IPv6 (RFC 8200), TCP (RFC 793), UDP (RFC 768).
 */
#include "net/offload.h"
#include "net/checksum.h"

static uint16_t be16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

typedef struct L3Info {
    size_t l3, l4;              /* offsets of the IP and TCP/UDP headers */
    size_t l4len;               /* bytes from l4 to the end of the IP payload */
    uint8_t proto;
    bool v6;
} L3Info;

/* Find the IP and L4 headers; false for anything but IPv4/IPv6 as documented. */
static bool parse_l3(const uint8_t *f, size_t len, L3Info *info)
{
    size_t l3 = 14;
    if (len < l3) {
        return false;
    }
    uint16_t type = be16(f + 12);
    if (type == 0x8100) {
        if (len < 18) {
            return false;
        }
        type = be16(f + 16);
        l3 = 18;
    }
    const uint8_t *ip = f + l3;
    size_t left = len - l3;
    if (type == 0x0800) {
        if (left < 20 || (ip[0] >> 4) != 4) {
            return false;
        }
        size_t ihl = (ip[0] & 0xf) * 4, tot = be16(ip + 2);
        if (ihl < 20 || tot < ihl || tot > left || (be16(ip + 6) & 0x3fff)) {
            return false;               /* bad lengths, or a fragment */
        }
        *info = (L3Info){ .l3 = l3, .l4 = l3 + ihl, .l4len = tot - ihl, .proto = ip[9] };
        return true;
    }
    if (type == 0x86dd) {
        if (left < 40 || (ip[0] >> 4) != 6) {
            return false;
        }
        size_t plen = be16(ip + 4);
        if (plen > left - 40) {
            return false;
        }
        *info = (L3Info){ .l3 = l3, .l4 = l3 + 40, .l4len = plen, .proto = ip[6],
                          .v6 = true };
        return true;
    }
    return false;
}

static uint32_t pseudo(const uint8_t *f, const L3Info *in, size_t l4len)
{
    return in->v6 ? net_checksum_pseudo6(f + in->l3 + 8, in->proto, l4len)
                  : net_checksum_pseudo4(f + in->l3 + 12, in->proto, l4len);
}

bool net_offload_l4_csum_ok(const uint8_t *f, size_t len)
{
    L3Info in;
    if (!parse_l3(f, len, &in)) {
        return false;
    }
    if (!((in.proto == 6 && in.l4len >= 20) || (in.proto == 17 && in.l4len >= 8))) {
        return false;
    }
    if (in.proto == 17 && !in.v6 && !be16(f + in.l4 + 6)) {
        return false;                   /* no checksum sent: nothing was checked */
    }
    uint32_t sum = net_checksum_add_cont(in.l4len, f + in.l4, pseudo(f, &in, in.l4len), 0);
    return net_checksum_fold(sum) == 0xffff;
}

bool net_offload_partial_csum(uint8_t *f, size_t len, size_t start, size_t offset)
{
    if (start >= len || offset > len - start || len - start - offset < 2) {
        return false;
    }
    uint32_t sum = net_checksum_add(len - start, f + start);
    put_be16(f + start + offset, net_checksum_finish(sum));
    return true;
}

int net_offload_tso(const uint8_t *f, size_t len, size_t mss, bool ipv6, uint8_t *seg,
                    NetOffloadEmit *emit, void *opaque)
{
    L3Info in;
    if (!mss || !parse_l3(f, len, &in) || in.v6 != ipv6 || in.proto != 6 || in.l4len < 20) {
        return -1;
    }
    size_t thl = (f[in.l4 + 12] >> 4) * 4;
    size_t hdr = in.l4 + thl;
    size_t end = in.l4 + in.l4len;      /* the IP payload's end: padding is not data */
    if (thl < 20 || thl > in.l4len) {
        return -1;
    }
    uint32_t seq0 = ((uint32_t)be16(f + in.l4 + 4) << 16) | be16(f + in.l4 + 6);
    uint16_t id0 = in.v6 ? 0 : be16(f + in.l3 + 4);
    uint8_t flags = f[in.l4 + 13];
    size_t payload = end - hdr;
    int n = 0;

    for (size_t off = 0; off < payload || (off == 0 && !payload); off += mss) {
        size_t chunk = MIN(mss, payload - off);
        bool first = off == 0, last = off + chunk >= payload;
        memcpy(seg, f, hdr);
        memcpy(seg + hdr, f + hdr + off, chunk);
        uint8_t *ip = seg + in.l3, *tcp = seg + in.l4;
        size_t l4len = thl + chunk;
        if (in.v6) {
            put_be16(ip + 4, l4len);
        } else {
            put_be16(ip + 2, in.l4 - in.l3 + l4len);
            put_be16(ip + 4, id0 + n);
            put_be16(ip + 10, 0);
            put_be16(ip + 10, net_checksum_finish(net_checksum_add(in.l4 - in.l3, ip)));
        }
        uint32_t seq = seq0 + off;
        put_be16(tcp + 4, seq >> 16);
        put_be16(tcp + 6, seq);
        tcp[13] = flags & ~((last ? 0 : 0x09) | (first ? 0 : 0x80));   /* FIN PSH / CWR */
        put_be16(tcp + 16, 0);
        uint32_t sum = net_checksum_add_cont(l4len, tcp, pseudo(seg, &in, l4len), 0);
        put_be16(tcp + 16, net_checksum_finish(sum));
        emit(seg, hdr + chunk, last, opaque);
        n++;
        if (!payload) {
            break;
        }
    }
    return n;
}
