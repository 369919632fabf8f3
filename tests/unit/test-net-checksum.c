/*
 * net/checksum.c against published values: the RFC 1071 §3 worked example,
 * an IPv4 header whose checksum is known (RFC 791 layout, the widely quoted
 * 0xb861 example), the CRC-32 check value of "123456789" (0xCBF43926, the
 * catalogue value for CRC-32/ISO-HDLC, Ethernet's FCS), and, for whole
 * frames, a plain sum written here that verifies the result (a correct
 * checksum makes the one's-complement sum over the covered bytes 0xffff).
 * Malformed frames must be left alone without reading past their end (ASan).
 */
#include "net/checksum.h"

static uint16_t ref_sum(const uint8_t *p, size_t n, uint32_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        s += i & 1 ? p[i] : p[i] << 8;
    }
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return (uint16_t)s;
}

static void test_rfc1071_example(void)
{
    /* RFC 1071 §3: the sum of 0001 f203 f4f5 f6f7 is 0xddf2 (after folding). */
    const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    g_assert_cmphex(net_checksum_fold(net_checksum_add(sizeof(b), b)), ==, 0xddf2);
    g_assert_cmphex(net_checksum_finish(net_checksum_add(sizeof(b), b)), ==, 0x220d);
    /* Summed in pieces at odd and even offsets: the same. */
    uint32_t s = net_checksum_add_cont(3, b, 0, 0);
    s = net_checksum_add_cont(5, b + 3, s, 3);
    g_assert_cmphex(net_checksum_fold(s), ==, 0xddf2);
    /* Odd length: the last byte is the high half of a word. */
    g_assert_cmphex(net_checksum_fold(net_checksum_add(1, b + 2)), ==, 0xf200);
}

static void test_ipv4_header(void)
{
    uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                      0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
    g_assert_cmphex(net_checksum_finish(net_checksum_add(20, h)), ==, 0xb861);
}

static void test_crc32(void)
{
    g_assert_cmphex(net_crc32((const uint8_t *)"123456789", 9), ==, 0xcbf43926);
    g_assert_cmphex(net_crc32(NULL, 0), ==, 0);
}

static size_t build(uint8_t *f, bool vlan, bool v6, uint8_t proto, size_t payload)
{
    size_t l3 = vlan ? 18 : 14;
    memset(f, 0, 2048);
    memcpy(f, "\x52\x54\x00\x12\x34\x56\x52\x54\x00\x65\x43\x21", 12);
    if (vlan) {
        memcpy(f + 12, "\x81\x00\x00\x05", 4);
    }
    uint8_t *ip = f + l3;
    size_t l4len = (proto == 6 ? 20 : 8) + payload;
    uint8_t *l4;
    if (v6) {
        f[l3 - 2] = 0x86;
        f[l3 - 1] = 0xdd;
        ip[0] = 0x60;
        ip[4] = l4len >> 8;
        ip[5] = l4len;
        ip[6] = proto;
        ip[7] = 64;
        for (int i = 0; i < 32; i++) {
            ip[8 + i] = i * 11 + 1;
        }
        l4 = ip + 40;
    } else {
        f[l3 - 2] = 0x08;
        ip[0] = 0x45;
        ip[2] = (20 + l4len) >> 8;
        ip[3] = 20 + l4len;
        ip[8] = 64;
        ip[9] = proto;
        memcpy(ip + 12, "\x0a\x00\x02\x0f\xc0\xa8\x07\x09", 8);
        ip[10] = 0x5a;                  /* garbage the helper must replace */
        l4 = ip + 20;
    }
    for (size_t i = 0; i < l4len; i++) {
        l4[i] = i * 29 + 3;
    }
    if (proto == 6) {
        l4[12] = 0x50;
    } else {
        l4[4] = l4len >> 8;
        l4[5] = l4len;
    }
    return (size_t)(l4 - f) + l4len;
}

static void check_frame(const uint8_t *f, bool vlan, bool v6, uint8_t proto, size_t len)
{
    const uint8_t *ip = f + (vlan ? 18 : 14);
    const uint8_t *l4 = ip + (v6 ? 40 : 20);
    size_t l4len = len - (size_t)(l4 - f);
    uint32_t pseudo;
    if (v6) {
        pseudo = ref_sum(ip + 8, 32, 0) + proto + l4len;
    } else {
        g_assert_cmphex(ref_sum(ip, 20, 0), ==, 0xffff);
        pseudo = ref_sum(ip + 12, 8, 0) + proto + l4len;
    }
    g_assert_cmphex(ref_sum(l4, l4len, pseudo), ==, 0xffff);
}

static void test_calculate(void)
{
    static uint8_t f[2048];
    const uint8_t protos[] = { 6, 17 };
    for (int vlan = 0; vlan < 2; vlan++) {
        for (int v6 = 0; v6 < 2; v6++) {
            for (int p = 0; p < 2; p++) {
                for (size_t pay = 0; pay < 40; pay += 7) {
                    size_t n = build(f, vlan, v6, protos[p], pay);
                    g_assert_true(net_checksum_calculate(f, n));
                    check_frame(f, vlan, v6, protos[p], n);
                }
            }
        }
    }
}

static void test_malformed(void)
{
    uint8_t f[2048];
    size_t n = build(f, false, false, 6, 100);
    /* Every truncation: copied into an exact-size heap buffer for ASan. */
    for (size_t len = 0; len < n; len++) {
        uint8_t *b = g_memdup2(f, len);
        net_checksum_calculate(b, len);
        g_free(b);
    }
    /* IHL below 5, total length beyond the frame, not IP at all. */
    f[14] = 0x44;
    g_assert_false(net_checksum_calculate(f, n));
    f[14] = 0x45;
    f[16] = 0xff;
    g_assert_false(net_checksum_calculate(f, n));
    f[12] = 0x88;
    g_assert_false(net_checksum_calculate(f, n));
    /* IPv6 with a payload length past the end. */
    n = build(f, false, true, 17, 10);
    f[18] = 0xff;
    g_assert_false(net_checksum_calculate(f, n));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/net-checksum/rfc1071-example", test_rfc1071_example);
    g_test_add_func("/net-checksum/ipv4-header", test_ipv4_header);
    g_test_add_func("/net-checksum/crc32", test_crc32);
    g_test_add_func("/net-checksum/calculate", test_calculate);
    g_test_add_func("/net-checksum/malformed", test_malformed);
    return g_test_run();
}
