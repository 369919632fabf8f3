/*
 * Internet checksums and the Ethernet CRC (see include/net/checksum.h).
 */
#include "net/checksum.h"

uint32_t net_checksum_add_cont(size_t len, const uint8_t *buf, uint32_t sum, size_t seq)
{
    /* Sum in 64 bits so long buffers cannot overflow, then fold to 32. */
    uint64_t acc = sum;
    size_t i = 0;

    if (((seq + i) & 1) && i < len) {
        acc += buf[i++];            /* an odd position: the low byte of its word */
    }
    /*
     * From an even position, eight bytes at a time as host-order words: the
     * one's complement sum does not depend on byte order except that the
     * folded result comes out byte-swapped (RFC 1071 §2(B)).
     */
    uint64_t host = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, buf + i, 8);
        host += (w & 0xffffffffu) + (w >> 32);
    }
    while (host >> 16) {
        host = (host & 0xffff) + (host >> 16);
    }
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
    host = ((host & 0xff) << 8) | (host >> 8);
#endif
    acc += host;
    for (; i < len; i++) {
        acc += (seq + i) & 1 ? buf[i] : (uint32_t)buf[i] << 8;
    }
    while (acc >> 32) {
        acc = (acc & 0xffffffffu) + (acc >> 32);
    }
    return (uint32_t)acc;
}

uint16_t net_checksum_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)sum;
}

uint16_t net_checksum_finish(uint32_t sum)
{
    return (uint16_t)~net_checksum_fold(sum);
}

uint16_t net_checksum_finish_nozero(uint32_t sum)
{
    uint16_t c = net_checksum_finish(sum);
    return c ? c : 0xffff;
}

uint32_t net_checksum_pseudo4(const uint8_t *addrs, uint8_t proto, uint32_t len)
{
    uint32_t sum = net_checksum_add(8, addrs);
    return sum + proto + (len >> 16) + (len & 0xffff);
}

uint32_t net_checksum_pseudo6(const uint8_t *addrs, uint8_t proto, uint32_t len)
{
    uint32_t sum = net_checksum_add(32, addrs);
    return sum + proto + (len >> 16) + (len & 0xffff);
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

/* Fill the TCP or UDP checksum of an L4 segment of @l4len bytes at @l4. */
static bool l4_checksum(uint8_t *l4, size_t l4len, uint8_t proto, uint32_t pseudo)
{
    size_t off;
    if (proto == 6 && l4len >= 20) {
        off = 16;
    } else if (proto == 17 && l4len >= 8) {
        off = 6;
    } else {
        return false;
    }
    put_be16(l4 + off, 0);
    uint32_t sum = net_checksum_add_cont(l4len, l4, pseudo, 0);
    put_be16(l4 + off, proto == 17 ? net_checksum_finish_nozero(sum)
                                   : net_checksum_finish(sum));
    return true;
}

bool net_checksum_calculate(uint8_t *frame, size_t len)
{
    size_t l3 = 14;
    if (len < l3) {
        return false;
    }
    uint16_t type = frame[12] << 8 | frame[13];
    if (type == 0x8100) {
        if (len < 18) {
            return false;
        }
        type = frame[16] << 8 | frame[17];
        l3 = 18;
    }
    uint8_t *ip = frame + l3;
    size_t left = len - l3;

    if (type == 0x0800) {
        if (left < 20 || (ip[0] >> 4) != 4) {
            return false;
        }
        size_t ihl = (ip[0] & 0xf) * 4;
        size_t tot = ip[2] << 8 | ip[3];
        if (ihl < 20 || tot < ihl || tot > left) {
            return false;
        }
        put_be16(ip + 10, 0);
        put_be16(ip + 10, net_checksum_finish(net_checksum_add(ihl, ip)));
        /* Fragments other than the first carry no L4 header to fix. */
        if ((ip[6] & 0x1f) || ip[7] || (ip[6] & 0x20)) {
            return true;
        }
        l4_checksum(ip + ihl, tot - ihl, ip[9], net_checksum_pseudo4(ip + 12, ip[9],
                                                                      tot - ihl));
        return true;
    }
    if (type == 0x86dd) {
        if (left < 40 || (ip[0] >> 4) != 6) {
            return false;
        }
        size_t plen = ip[4] << 8 | ip[5];
        if (plen > left - 40) {
            return false;
        }
        return l4_checksum(ip + 40, plen, ip[6], net_checksum_pseudo6(ip + 8, ip[6], plen));
    }
    return false;
}

/* Reflected CRC-32 tables for 8 bytes at a time ("slicing-by-8"). */
static uint32_t crc_table[8][256];

static void crc_tables_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        }
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++) {
        for (int t = 1; t < 8; t++) {
            uint32_t c = crc_table[t - 1][i];
            crc_table[t][i] = (c >> 8) ^ crc_table[0][c & 0xff];
        }
    }
}

static uint32_t ld_le32(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

uint32_t net_crc32(const uint8_t *buf, size_t len)
{
    static gsize ready;
    if (g_once_init_enter(&ready)) {
        crc_tables_init();
        g_once_init_leave(&ready, 1);
    }
    uint32_t crc = 0xffffffffu;
    size_t i = 0;
    /* Eight bytes per step: each table advances one byte position further. */
    for (; i + 8 <= len; i += 8) {
        uint32_t a = ld_le32(buf + i) ^ crc, b = ld_le32(buf + i + 4);
        crc = crc_table[7][a & 0xff] ^ crc_table[6][(a >> 8) & 0xff] ^
              crc_table[5][(a >> 16) & 0xff] ^ crc_table[4][a >> 24] ^
              crc_table[3][b & 0xff] ^ crc_table[2][(b >> 8) & 0xff] ^
              crc_table[1][(b >> 16) & 0xff] ^ crc_table[0][b >> 24];
    }
    for (; i < len; i++) {
        crc = crc_table[0][(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
    }
    return ~crc;
}
