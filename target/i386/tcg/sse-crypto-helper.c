/*
 * AES-NI (AESENC, AESENCLAST, AESDEC, AESDECLAST, AESIMC, AESKEYGENASSIST) and
 * PCLMULQDQ (SDM vol. 2 instruction pages; FIPS-197 for the AES round steps).
 *
 * The AES state is the XMM register with byte i at row i % 4, column i / 4.
 * The S-boxes are computed once at start-up from their definition (FIPS-197
 * §5.1.1: multiplicative inverse in GF(2^8), then the affine transform).
 */
#include "util/osdep.h"
#include "target/i386/tcg/sse-internal.h"
#include "target/i386/tcg/helper.h"

static uint8_t aes_sbox[256], aes_inv_sbox[256];

/* Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. */
static uint8_t gf_mul(uint8_t a, uint8_t b)
{
    uint8_t p = 0;
    while (b) {
        if (b & 1) {
            p ^= a;
        }
        a = (uint8_t)(a << 1) ^ ((a & 0x80) ? 0x1b : 0);
        b >>= 1;
    }
    return p;
}

static uint8_t rotl8(uint8_t x, unsigned n)
{
    return (uint8_t)(x << n | x >> (8 - n));
}

static void __attribute__((constructor)) aes_tables_init(void)
{
    for (unsigned x = 0; x < 256; x++) {
        uint8_t inv = 0;
        for (unsigned y = 1; x && y < 256; y++) {
            if (gf_mul(x, y) == 1) {
                inv = y;
                break;
            }
        }
        uint8_t s = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63;
        aes_sbox[x] = s;
        aes_inv_sbox[s] = x;
    }
}

static void shift_rows(X86Vec *st, bool inv)
{
    X86Vec r;
    for (unsigned c = 0; c < 4; c++) {
        for (unsigned row = 0; row < 4; row++) {
            unsigned from = inv ? (c + 4 - row) % 4 : (c + row) % 4;
            r.b[c * 4 + row] = st->b[from * 4 + row];
        }
    }
    *st = r;
}

static void sub_bytes(X86Vec *st, const uint8_t *box)
{
    for (unsigned i = 0; i < 16; i++) {
        st->b[i] = box[st->b[i]];
    }
}

/* MixColumns (coefficients 2 3 1 1) or InvMixColumns (14 11 13 9), rotated per row. */
static void mix_columns(X86Vec *st, bool inv)
{
    static const uint8_t fwd[4] = { 2, 3, 1, 1 }, bwd[4] = { 14, 11, 13, 9 };
    const uint8_t *k = inv ? bwd : fwd;
    X86Vec r;
    for (unsigned c = 0; c < 4; c++) {
        for (unsigned row = 0; row < 4; row++) {
            uint8_t v = 0;
            for (unsigned i = 0; i < 4; i++) {
                v ^= gf_mul(k[(i + 4 - row) % 4], st->b[c * 4 + i]);
            }
            r.b[c * 4 + row] = v;
        }
    }
    *st = r;
}

/* @kind: bit 0 decrypt, bit 1 last round (no MixColumns). */
static void aes_round(CPUX86State *env, uint32_t doff, uint32_t soff, unsigned kind)
{
    X86Vec *d = sse_vec(env, doff), st = *d, key = *sse_vec(env, soff);
    bool dec = kind & 1;
    shift_rows(&st, dec);
    sub_bytes(&st, dec ? aes_inv_sbox : aes_sbox);
    if (!(kind & 2)) {
        mix_columns(&st, dec);
    }
    st.q[0] ^= key.q[0];
    st.q[1] ^= key.q[1];
    *d = st;
}

void helper_aesenc(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    aes_round(env, doff, soff, 0);
}

void helper_aesdec(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    aes_round(env, doff, soff, 1);
}

void helper_aesenclast(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    aes_round(env, doff, soff, 2);
}

void helper_aesdeclast(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    aes_round(env, doff, soff, 3);
}

void helper_aesimc(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec st = *sse_vec(env, soff);
    mix_columns(&st, true);
    *sse_vec(env, doff) = st;
}

static uint32_t sub_word(uint32_t w)
{
    return aes_sbox[w & 0xff] | aes_sbox[(w >> 8) & 0xff] << 8 |
           aes_sbox[(w >> 16) & 0xff] << 16 | (uint32_t)aes_sbox[w >> 24] << 24;
}

void helper_aeskeygenassist(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    X86Vec *s = sse_vec(env, soff), r;
    uint32_t x1 = sub_word(s->l[1]), x3 = sub_word(s->l[3]), rcon = imm & 0xff;
    r.l[0] = x1;
    r.l[1] = (x1 >> 8 | x1 << 24) ^ rcon;
    r.l[2] = x3;
    r.l[3] = (x3 >> 8 | x3 << 24) ^ rcon;
    *sse_vec(env, doff) = r;
}

/* PCLMULQDQ: carry-less product of dest.q[imm & 1] and src.q[(imm >> 4) & 1]. */
void helper_pclmulqdq(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    X86Vec *d = sse_vec(env, doff);
    uint64_t a = d->q[imm & 1], b = sse_vec(env, soff)->q[(imm >> 4) & 1];
    uint64_t lo = 0, hi = 0;
    for (unsigned i = 0; i < 64; i++) {
        if ((b >> i) & 1) {
            lo ^= a << i;
            hi ^= i ? a >> (64 - i) : 0;
        }
    }
    d->q[0] = lo;
    d->q[1] = hi;
}
