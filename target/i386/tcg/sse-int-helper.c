/*
 * MMX and SSE integer helpers (SDM vol. 2 instruction pages; vol. 1 ch. 9, 11,
 * 12). Each works on env offsets of its operands (sse-internal.h); @len is 8
 * for the MMX form and 16 for the XMM form of an instruction that has both.
 * Results are computed in a local copy first where lanes of the destination
 * are read after being produced, so a source equal to the destination works.
 */
#include "util/osdep.h"
#include "target/i386/tcg/sse-internal.h"
#include "target/i386/tcg/helper.h"

static inline int8_t sat_s8(int v)
{
    return v < INT8_MIN ? INT8_MIN : v > INT8_MAX ? INT8_MAX : v;
}

static inline uint8_t sat_u8(int v)
{
    return v < 0 ? 0 : v > UINT8_MAX ? UINT8_MAX : v;
}

static inline int16_t sat_s16(int v)
{
    return v < INT16_MIN ? INT16_MIN : v > INT16_MAX ? INT16_MAX : v;
}

static inline uint16_t sat_u16(int v)
{
    return v < 0 ? 0 : v > UINT16_MAX ? UINT16_MAX : v;
}

/* Lane-wise operation: d[i] = expr(a = d[i], b = s[i]). */
#define VEC_OP(name, F, expr)                                                   \
    void helper_##name(CPUX86State *env, uint32_t doff, uint32_t soff,        \
                       uint32_t len)                                           \
    {                                                                          \
        X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff);               \
        unsigned n = len / sizeof(d->F[0]);                                    \
        for (unsigned i = 0; i < n; i++) {                                     \
            __typeof__(d->F[0]) a = d->F[i], b = s->F[i];                      \
            (void)a;                                                           \
            d->F[i] = (expr);                                                  \
        }                                                                      \
    }

VEC_OP(paddb, b, a + b)
VEC_OP(paddw, w, a + b)
VEC_OP(paddd, l, a + b)
VEC_OP(paddq, q, a + b)
VEC_OP(psubb, b, a - b)
VEC_OP(psubw, w, a - b)
VEC_OP(psubd, l, a - b)
VEC_OP(psubq, q, a - b)
VEC_OP(paddsb, sb, sat_s8(a + b))
VEC_OP(paddsw, sw, sat_s16(a + b))
VEC_OP(paddusb, b, sat_u8(a + b))
VEC_OP(paddusw, w, sat_u16(a + b))
VEC_OP(psubsb, sb, sat_s8(a - b))
VEC_OP(psubsw, sw, sat_s16(a - b))
VEC_OP(psubusb, b, sat_u8(a - b))
VEC_OP(psubusw, w, sat_u16(a - b))
VEC_OP(pcmpeqb, b, a == b ? 0xff : 0)
VEC_OP(pcmpeqw, w, a == b ? 0xffff : 0)
VEC_OP(pcmpeqd, l, a == b ? ~0u : 0)
VEC_OP(pcmpeqq, q, a == b ? ~0ull : 0)
VEC_OP(pcmpgtb, sb, a > b ? -1 : 0)
VEC_OP(pcmpgtw, sw, a > b ? -1 : 0)
VEC_OP(pcmpgtd, sl, a > b ? -1 : 0)
VEC_OP(pcmpgtq, sq, a > b ? -1 : 0)
VEC_OP(pmullw, w, (uint32_t)a * b)
VEC_OP(pmulhw, sw, ((int32_t)a * b) >> 16)
VEC_OP(pmulhuw, w, ((uint32_t)a * b) >> 16)
VEC_OP(pmulld, l, a * b)
/* SSSE3 PMULHRSW: ((a * b >> 14) + 1) >> 1. */
VEC_OP(pmulhrsw, sw, ((((int32_t)a * b) >> 14) + 1) >> 1)
VEC_OP(pavgb, b, (a + b + 1) >> 1)
VEC_OP(pavgw, w, ((uint32_t)a + b + 1) >> 1)
VEC_OP(pminub, b, MIN(a, b))
VEC_OP(pmaxub, b, MAX(a, b))
VEC_OP(pminsw, sw, MIN(a, b))
VEC_OP(pmaxsw, sw, MAX(a, b))
VEC_OP(pminsb, sb, MIN(a, b))
VEC_OP(pmaxsb, sb, MAX(a, b))
VEC_OP(pminsd, sl, MIN(a, b))
VEC_OP(pmaxsd, sl, MAX(a, b))
VEC_OP(pminuw, w, MIN(a, b))
VEC_OP(pmaxuw, w, MAX(a, b))
VEC_OP(pminud, l, MIN(a, b))
VEC_OP(pmaxud, l, MAX(a, b))
/* PSIGN: negate, zero or keep a by the sign of b (negation wraps). */
VEC_OP(psignb, b, (int8_t)b < 0 ? -a : b == 0 ? 0 : a)
VEC_OP(psignw, w, (int16_t)b < 0 ? -a : b == 0 ? 0 : a)
VEC_OP(psignd, l, (int32_t)b < 0 ? -a : b == 0 ? 0 : a)
/* PABS: |b| of the source, -128 stays 0x80. */
VEC_OP(pabsb, sb, b < 0 ? -b : b)
VEC_OP(pabsw, sw, b < 0 ? -b : b)
VEC_OP(pabsd, l, (int32_t)b < 0 ? -b : b)

void helper_pmuludq(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff);
    for (unsigned i = 0; i < len / 8; i++) {
        d->q[i] = (uint64_t)d->l[2 * i] * s->l[2 * i];
    }
}

void helper_pmuldq(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff);
    for (unsigned i = 0; i < len / 8; i++) {
        d->sq[i] = (int64_t)d->sl[2 * i] * s->sl[2 * i];
    }
}

void helper_pmaddwd(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff);
    for (unsigned i = 0; i < len / 4; i++) {
        int64_t v = (int64_t)d->sw[2 * i] * s->sw[2 * i] +
                    (int64_t)d->sw[2 * i + 1] * s->sw[2 * i + 1];
        d->l[i] = (uint32_t)v;     /* only -32768^2 * 2 wraps, to 0x80000000 */
    }
}

/* PMADDUBSW: unsigned bytes of the destination times signed bytes of the source. */
void helper_pmaddubsw(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff);
    for (unsigned i = 0; i < len / 2; i++) {
        int v = d->b[2 * i] * s->sb[2 * i] + d->b[2 * i + 1] * s->sb[2 * i + 1];
        d->sw[i] = sat_s16(v);
    }
}

void helper_psadbw(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff);
    for (unsigned i = 0; i < len / 8; i++) {
        unsigned sum = 0;
        for (unsigned j = 0; j < 8; j++) {
            sum += abs(d->b[8 * i + j] - s->b[8 * i + j]);
        }
        d->q[i] = sum;
    }
}

/* ---- packs and unpacks: the destination's lanes first, then the source's ---- */

void helper_packsswb(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    unsigned n = len / 2;
    for (unsigned i = 0; i < n; i++) {
        r.sb[i] = sat_s8(d->sw[i]);
        r.sb[n + i] = sat_s8(s->sw[i]);
    }
    memcpy(d, &r, len);
}

void helper_packuswb(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    unsigned n = len / 2;
    for (unsigned i = 0; i < n; i++) {
        r.b[i] = sat_u8(d->sw[i]);
        r.b[n + i] = sat_u8(s->sw[i]);
    }
    memcpy(d, &r, len);
}

void helper_packssdw(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    unsigned n = len / 4;
    for (unsigned i = 0; i < n; i++) {
        r.sw[i] = d->sl[i] < INT16_MIN ? INT16_MIN : d->sl[i] > INT16_MAX ? INT16_MAX : d->sl[i];
        r.sw[n + i] = s->sl[i] < INT16_MIN ? INT16_MIN : s->sl[i] > INT16_MAX ? INT16_MAX
                                                                               : s->sl[i];
    }
    memcpy(d, &r, len);
}

void helper_packusdw(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    unsigned n = len / 4;
    for (unsigned i = 0; i < n; i++) {
        r.w[i] = d->sl[i] < 0 ? 0 : d->sl[i] > UINT16_MAX ? UINT16_MAX : d->sl[i];
        r.w[n + i] = s->sl[i] < 0 ? 0 : s->sl[i] > UINT16_MAX ? UINT16_MAX : s->sl[i];
    }
    memcpy(d, &r, len);
}

/* Interleave @esize-byte lanes of d and s, starting at lane @first of each. */
static void unpack(CPUX86State *env, uint32_t doff, uint32_t soff, unsigned len,
                   unsigned esize, bool high)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    unsigned n = len / esize / 2, first = high ? n : 0;
    for (unsigned i = 0; i < n; i++) {
        memcpy(&r.b[2 * i * esize], &d->b[(first + i) * esize], esize);
        memcpy(&r.b[(2 * i + 1) * esize], &s->b[(first + i) * esize], esize);
    }
    memcpy(d, &r, len);
}

#define UNPACK(name, esize, high)                                                       \
    void helper_##name(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)  \
    {                                                                                  \
        unpack(env, doff, soff, len, esize, high);                                     \
    }
UNPACK(punpcklbw, 1, false)
UNPACK(punpcklwd, 2, false)
UNPACK(punpckldq, 4, false)
UNPACK(punpcklqdq, 8, false)
UNPACK(punpckhbw, 1, true)
UNPACK(punpckhwd, 2, true)
UNPACK(punpckhdq, 4, true)
UNPACK(punpckhqdq, 8, true)

/* ---- shifts: the count is the low 64 bits of the source (the immediate forms put
 * it in the scratch); counts beyond the lane width give 0 (sign fill for PSRA) ---- */

#define VEC_SHIFT(name, F, bits, expr, big)                                             \
    void helper_##name(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)  \
    {                                                                                  \
        X86Vec *d = sse_vec(env, doff);                                                \
        uint64_t c = sse_vec(env, soff)->q[0];                                         \
        for (unsigned i = 0; i < len / sizeof(d->F[0]); i++) {                         \
            __typeof__(d->F[0]) a = d->F[i];                                           \
            d->F[i] = c < (bits) ? (expr) : (big);                                     \
        }                                                                              \
    }
VEC_SHIFT(psrlw, w, 16, a >> c, 0)
VEC_SHIFT(psrld, l, 32, a >> c, 0)
VEC_SHIFT(psrlq, q, 64, a >> c, 0)
VEC_SHIFT(psllw, w, 16, a << c, 0)
VEC_SHIFT(pslld, l, 32, a << c, 0)
VEC_SHIFT(psllq, q, 64, a << c, 0)
VEC_SHIFT(psraw, sw, 16, a >> c, a >> 15)
VEC_SHIFT(psrad, sl, 32, a >> c, a >> 31)

/* PSRLDQ/PSLLDQ: whole-register byte shifts (XMM only). */
void helper_psrldq(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), r = { 0 };
    uint64_t c = sse_vec(env, soff)->q[0];
    for (unsigned i = 0; c < 16 && i + c < 16; i++) {
        r.b[i] = d->b[i + c];
    }
    *d = r;
}

void helper_pslldq(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), r = { 0 };
    uint64_t c = sse_vec(env, soff)->q[0];
    for (unsigned i = c; i < 16; i++) {
        r.b[i] = d->b[i - c];
    }
    *d = r;
}

/* ---- shuffles ---- */

void helper_pshufb(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    for (unsigned i = 0; i < len; i++) {
        uint8_t k = s->b[i];
        r.b[i] = (k & 0x80) ? 0 : d->b[k & (len - 1)];
    }
    memcpy(d, &r, len);
}

/* PSHUFW (MMX) and PSHUFLW/PSHUFHW: four words from the source by imm fields. */
void helper_pshufw(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    for (unsigned i = 0; i < 4; i++) {
        r.w[i] = s->w[(imm >> (2 * i)) & 3];
    }
    d->q[0] = r.q[0];
}

void helper_pshuflw(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    for (unsigned i = 0; i < 4; i++) {
        r.w[i] = s->w[(imm >> (2 * i)) & 3];
    }
    r.q[1] = s->q[1];
    *d = r;
}

void helper_pshufhw(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    r.q[0] = s->q[0];
    for (unsigned i = 0; i < 4; i++) {
        r.w[4 + i] = s->w[4 + ((imm >> (2 * i)) & 3)];
    }
    *d = r;
}

void helper_pshufd(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    for (unsigned i = 0; i < 4; i++) {
        r.l[i] = s->l[(imm >> (2 * i)) & 3];
    }
    *d = r;
}

void helper_shufps(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    r.l[0] = d->l[imm & 3];
    r.l[1] = d->l[(imm >> 2) & 3];
    r.l[2] = s->l[(imm >> 4) & 3];
    r.l[3] = s->l[(imm >> 6) & 3];
    *d = r;
}

void helper_shufpd(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    r.q[0] = d->q[imm & 1];
    r.q[1] = s->q[(imm >> 1) & 1];
    *d = r;
}

/* MOVSLDUP (imm 0) / MOVSHDUP (imm 1): even or odd dwords duplicated. */
void helper_movsdup(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    for (unsigned i = 0; i < 4; i += 2) {
        r.l[i] = r.l[i + 1] = s->l[i + (imm & 1)];
    }
    *d = r;
}

/* PALIGNR: (dest:src) >> imm bytes, the low len bytes of it. */
static void palignr(CPUX86State *env, uint32_t doff, uint32_t soff, unsigned imm,
                    unsigned len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    uint8_t t[32];
    memcpy(t, s, len);
    memcpy(t + len, d, len);
    for (unsigned i = 0; i < len; i++) {
        r.b[i] = imm + i < 2 * len ? t[imm + i] : 0;
    }
    memcpy(d, &r, len);
}

void helper_palignr_mmx(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    palignr(env, doff, soff, imm & 0xff, 8);
}

void helper_palignr_xmm(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    palignr(env, doff, soff, imm & 0xff, 16);
}

/* ---- SSSE3 horizontal add/subtract: pairs of d, then pairs of s ---- */

#define HOP(name, F, T, expr)                                                           \
    void helper_##name(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)  \
    {                                                                                  \
        X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;                    \
        unsigned n = len / sizeof(d->F[0]) / 2;                                        \
        for (unsigned i = 0; i < n; i++) {                                             \
            T a = d->F[2 * i], b = d->F[2 * i + 1];                                    \
            r.F[i] = (expr);                                                           \
            a = s->F[2 * i];                                                           \
            b = s->F[2 * i + 1];                                                       \
            r.F[n + i] = (expr);                                                       \
        }                                                                              \
        memcpy(d, &r, len);                                                            \
    }
HOP(phaddw, w, uint16_t, a + b)
HOP(phaddd, l, uint32_t, a + b)
HOP(phaddsw, sw, int16_t, sat_s16(a + b))
HOP(phsubw, w, uint16_t, a - b)
HOP(phsubd, l, uint32_t, a - b)
HOP(phsubsw, sw, int16_t, sat_s16(a - b))

/* ---- SSE4.1 ---- */

void helper_pblendw(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff);
    for (unsigned i = 0; i < 8; i++) {
        if (imm & (1u << i)) {
            d->w[i] = s->w[i];
        }
    }
}

void helper_blendps(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff);
    for (unsigned i = 0; i < 4; i++) {
        if (imm & (1u << i)) {
            d->l[i] = s->l[i];
        }
    }
}

void helper_blendpd(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff);
    for (unsigned i = 0; i < 2; i++) {
        if (imm & (1u << i)) {
            d->q[i] = s->q[i];
        }
    }
}

/* PBLENDVB/BLENDVPS/BLENDVPD: the mask is the sign bit of each lane of XMM0. */
void helper_pblendvb(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), *m = SSE_XMM(env, 0);
    for (unsigned i = 0; i < 16; i++) {
        if (m->b[i] & 0x80) {
            d->b[i] = s->b[i];
        }
    }
}

void helper_blendvps(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), *m = SSE_XMM(env, 0);
    for (unsigned i = 0; i < 4; i++) {
        if (m->l[i] >> 31) {
            d->l[i] = s->l[i];
        }
    }
}

void helper_blendvpd(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), *m = SSE_XMM(env, 0);
    for (unsigned i = 0; i < 2; i++) {
        if (m->q[i] >> 63) {
            d->q[i] = s->q[i];
        }
    }
}

/*
 * PMOVSX/PMOVZX: arg = source lane bytes | destination lane bytes << 4 | sign << 8.
 * The source lanes are the low bytes of the operand.
 */
void helper_pmovx(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t arg)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    unsigned ss = arg & 15, ds = (arg >> 4) & 15;
    bool sign = arg & 0x100;
    for (unsigned i = 0; i < 16 / ds; i++) {
        uint64_t v = 0;
        memcpy(&v, &s->b[i * ss], ss);
        if (sign) {
            unsigned sh = 64 - 8 * ss;
            v = (uint64_t)((int64_t)(v << sh) >> sh);
        }
        memcpy(&r.b[i * ds], &v, ds);
    }
    *d = r;
}

void helper_phminposuw(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r = { 0 };
    unsigned idx = 0;
    for (unsigned i = 1; i < 8; i++) {
        if (s->w[i] < s->w[idx]) {
            idx = i;
        }
    }
    r.w[0] = s->w[idx];
    r.w[1] = idx;
    *d = r;
}

/* MPSADBW: imm[2] picks the destination's 4-byte offset, imm[1:0] the source block. */
void helper_mpsadbw(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    unsigned dofs = (imm & 4) ? 4 : 0, sofs = (imm & 3) * 4;
    for (unsigned i = 0; i < 8; i++) {
        unsigned sum = 0;
        for (unsigned j = 0; j < 4; j++) {
            sum += abs(d->b[dofs + i + j] - s->b[sofs + j]);
        }
        r.w[i] = sum;
    }
    *d = r;
}

/* PTEST: ZF = (d AND s) == 0, CF = (NOT d AND s) == 0; AF, OF, PF, SF cleared. */
uint64_t helper_ptest(CPUX86State *env, uint32_t doff, uint32_t soff)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff);
    uint64_t f = 0;
    if (((d->q[0] & s->q[0]) | (d->q[1] & s->q[1])) == 0) {
        f |= RFLAGS_ZF;
    }
    if (((~d->q[0] & s->q[0]) | (~d->q[1] & s->q[1])) == 0) {
        f |= RFLAGS_CF;
    }
    return f;
}

/* ---- masks and moves ---- */

uint64_t helper_pmovmskb(CPUX86State *env, uint32_t soff, uint32_t len)
{
    X86Vec *s = sse_vec(env, soff);
    uint64_t m = 0;
    for (unsigned i = 0; i < len; i++) {
        m |= (uint64_t)(s->b[i] >> 7) << i;
    }
    return m;
}

uint64_t helper_movmskps(CPUX86State *env, uint32_t soff, uint32_t len)
{
    X86Vec *s = sse_vec(env, soff);
    uint64_t m = 0;
    for (unsigned i = 0; i < 4; i++) {
        m |= (uint64_t)(s->l[i] >> 31) << i;
    }
    return m;
}

uint64_t helper_movmskpd(CPUX86State *env, uint32_t soff, uint32_t len)
{
    X86Vec *s = sse_vec(env, soff);
    return (s->q[0] >> 63) | (s->q[1] >> 63) << 1;
}

/*
 * MASKMOVQ/MASKMOVDQU: store the bytes of d whose mask byte in s has bit 7 set,
 * at linear address @addr (DS:rDI); len_idx = len | mmu_idx << 8 | 64-bit mode << 16.
 * Byte by byte, in order;
 * a fault leaves the earlier bytes written, which the SDM permits.
 */
void helper_maskmov(CPUX86State *env, uint32_t doff, uint32_t soff, uint64_t addr,
                    uint32_t len_idx)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff);
    unsigned len = len_idx & 0xff, mmu_idx = (len_idx >> 8) & 0xff;
    bool addr64 = len_idx & 0x10000;
    CPUState *cs = CPU(x86_env_get_cpu(env));
    uintptr_t ra = GETPC();

    for (unsigned i = 0; i < len; i++) {
        if (s->b[i] & 0x80) {
            uint64_t a = addr + i;
            cpu_stb_mmuidx_ra(cs, addr64 ? a : (uint32_t)a, d->b[i], mmu_idx, ra);
        }
    }
}
