/*
 * net/checksum.c against published values: the RFC 1071 §3 worked example,
 * an IPv4 header whose checksum is known (RFC 791 layout, the widely quoted
 * 0xb861 example), the CRC-32 check value of "123456789" (0xCBF43926, the
 * catalogue value for CRC-32/ISO-HDLC, Ethernet's FCS), and, for whole
 * frames, a plain sum written here that verifies the result (a correct
 * checksum makes the one's-complement sum over the covered bytes 0xffff).
 * Malformed frames must be left alone without reading past their end (ASan).
 * The software offloads (net/offload.c) are checked the same way: every
 * segment of a TSO cut verified with the plain sum, sequence numbers, lengths
 * and flags against what the test expects from the original frame.
 */
#include "net/checksum.h"
#include "net/offload.h"

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

/* The table-driven CRC against a bitwise one (IEEE 802.3, reflected), many lengths. */
static void test_crc32_random(void)
{
    static uint8_t buf[3000];
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = g_test_rand_int_range(0, 256);
    }
    for (int k = 0; k < 300; k++) {
        size_t off = g_test_rand_int_range(0, 16);
        size_t len = g_test_rand_int_range(0, sizeof(buf) - 16);
        uint32_t c = 0xffffffffu;
        for (size_t i = 0; i < len; i++) {
            c ^= buf[off + i];
            for (int b = 0; b < 8; b++) {
                c = (c >> 1) ^ (c & 1 ? 0xedb88320u : 0);
            }
        }
        g_assert_cmphex(net_crc32(buf + off, len), ==, ~c);
    }
}

/* The word-at-a-time sum against the byte loop, at every alignment and parity. */
static void test_add_cont_random(void)
{
    static uint8_t buf[3000];
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = g_test_rand_int_range(0, 256);
    }
    for (int k = 0; k < 2000; k++) {
        size_t off = g_test_rand_int_range(0, 64);
        size_t len = g_test_rand_int_range(0, sizeof(buf) - 64);
        size_t seq = g_test_rand_int_range(0, 4);
        uint32_t seed = g_test_rand_int_range(0, 0x10000);
        /* ref_sum counts positions from 0: an odd @seq shifts the bytes by one. */
        uint64_t want = seed;
        for (size_t i = 0; i < len; i++) {
            want += (seq + i) & 1 ? buf[off + i] : buf[off + i] << 8;
        }
        while (want >> 16) {
            want = (want & 0xffff) + (want >> 16);
        }
        uint32_t got = net_checksum_add_cont(len, buf + off, seed, seq);
        g_assert_cmphex(net_checksum_fold(got), ==, want);
    }
}

static void test_offload_csum(void)
{
    static uint8_t f[2048];
    for (int v6 = 0; v6 < 2; v6++) {
        for (int p = 0; p < 2; p++) {
            uint8_t proto = p ? 17 : 6;
            size_t n = build(f, false, v6, proto, 333);
            net_checksum_calculate(f, n);
            g_assert_true(net_offload_l4_csum_ok(f, n));
            f[n - 1] ^= 0x40;
            g_assert_false(net_offload_l4_csum_ok(f, n));
            /* Partial: the pseudo-header sum in the field, the rest filled here. */
            size_t l4 = v6 ? 54 : 34, l4len = n - l4, field = proto == 6 ? 16 : 6;
            uint32_t ps = v6 ? ref_sum(f + 22, 32, 0) + proto + l4len
                             : ref_sum(f + 26, 8, 0) + proto + l4len;
            uint16_t seedv = ref_sum(NULL, 0, ps);
            f[l4 + field] = seedv >> 8;
            f[l4 + field + 1] = seedv;
            g_assert_true(net_offload_partial_csum(f, n, l4, field));
            check_frame(f, false, v6, proto, n);
        }
    }
    /* IPv4 UDP without a checksum: nothing to vouch for. */
    size_t n = build(f, false, false, 17, 20);
    net_checksum_calculate(f, n);
    f[34 + 6] = f[34 + 7] = 0;
    g_assert_false(net_offload_l4_csum_ok(f, n));
    /* A field out of range is refused; truncations never read past the end. */
    g_assert_false(net_offload_partial_csum(f, n, n - 1, 0));
    g_assert_false(net_offload_partial_csum(f, n, 34, n));
    for (size_t len = 0; len < n; len++) {
        uint8_t *b = g_memdup2(f, len);
        net_offload_l4_csum_ok(b, len);
        g_free(b);
    }
}

typedef struct Segs {
    GPtrArray *frames;          /* of GByteArray * */
    int lasts;
} Segs;

static void collect(const uint8_t *frame, size_t len, bool last, void *opaque)
{
    Segs *s = opaque;
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, frame, len);
    g_ptr_array_add(s->frames, b);
    s->lasts += last;
}

static void test_offload_tso(void)
{
    static uint8_t f[70000], seg[70000];
    for (int vlan = 0; vlan < 2; vlan++) {
        for (int v6 = 0; v6 < 2; v6++) {
            size_t pay = 4000, mss = 1448;
            size_t n = build(f, vlan, v6, 6, pay);
            size_t l3 = vlan ? 18 : 14, l4 = l3 + (v6 ? 40 : 20);
            f[l4 + 13] = 0x80 | 0x10 | 0x08 | 0x01;        /* CWR ACK PSH FIN */
            f[l4 + 4] = 0xff;                               /* seq 0xff..: wraps */
            f[l4 + 5] = 0xff;
            f[l4 + 6] = 0xfa;
            uint32_t seq0 = 0xfffffa00u | f[l4 + 7];
            Segs s = { g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref) };
            g_assert_cmpint(net_offload_tso(f, n, mss, !v6, seg, collect, &s), ==, -1);
            g_assert_cmpint(net_offload_tso(f, n, mss, v6, seg, collect, &s), ==, 3);
            g_assert_cmpint(s.lasts, ==, 1);
            size_t off = 0;
            for (guint i = 0; i < s.frames->len; i++) {
                GByteArray *b = g_ptr_array_index(s.frames, i);
                size_t chunk = MIN(mss, pay - off);
                g_assert_cmpuint(b->len, ==, l4 + 20 + chunk);
                check_frame(b->data, vlan, v6, 6, b->len);
                const uint8_t *ip = b->data + l3, *tcp = b->data + l4;
                if (v6) {
                    g_assert_cmpuint(ip[4] << 8 | ip[5], ==, 20 + chunk);
                } else {
                    g_assert_cmpuint(ip[2] << 8 | ip[3], ==, 40 + chunk);
                    g_assert_cmpuint(ip[4] << 8 | ip[5], ==, i);   /* build() leaves id 0 */
                }
                uint32_t seq = (uint32_t)tcp[4] << 24 | tcp[5] << 16 | tcp[6] << 8 | tcp[7];
                g_assert_cmphex(seq, ==, (uint32_t)(seq0 + off));
                uint8_t want = 0x10 | (i == 0 ? 0x80 : 0) | (i == 2 ? 0x09 : 0);
                g_assert_cmphex(tcp[13], ==, want);
                g_assert_cmpmem(tcp + 20, chunk, f + l4 + 20 + off, chunk);
                off += chunk;
            }
            g_assert_cmpuint(off, ==, pay);
            g_ptr_array_free(s.frames, TRUE);
        }
    }
    /* Not TCP, zero MSS, a TCP header longer than the segment: refused. */
    Segs s = { g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref) };
    size_t n = build(f, false, false, 17, 100);
    g_assert_cmpint(net_offload_tso(f, n, 50, false, seg, collect, &s), ==, -1);
    n = build(f, false, false, 6, 100);
    g_assert_cmpint(net_offload_tso(f, n, 0, false, seg, collect, &s), ==, -1);
    f[34 + 12] = 0xf0;                                      /* 60-byte header */
    g_assert_cmpint(net_offload_tso(f, 34 + 40, 50, false, seg, collect, &s), ==, -1);
    g_assert_cmpuint(s.frames->len, ==, 0);
    /* Every truncation of a good frame: no read past its end (ASan). */
    n = build(f, false, false, 6, 300);
    for (size_t len = 0; len < n; len++) {
        uint8_t *b = g_memdup2(f, len);
        net_offload_tso(b, len, 100, false, seg, collect, &s);
        g_free(b);
    }
    g_ptr_array_free(s.frames, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/net-checksum/rfc1071-example", test_rfc1071_example);
    g_test_add_func("/net-checksum/ipv4-header", test_ipv4_header);
    g_test_add_func("/net-checksum/crc32", test_crc32);
    g_test_add_func("/net-checksum/calculate", test_calculate);
    g_test_add_func("/net-checksum/malformed", test_malformed);
    g_test_add_func("/net-checksum/add-cont-random", test_add_cont_random);
    g_test_add_func("/net-checksum/crc32-random", test_crc32_random);
    g_test_add_func("/net-checksum/offload-csum", test_offload_csum);
    g_test_add_func("/net-checksum/offload-tso", test_offload_tso);
    return g_test_run();
}
