/*
 * The x87 transcendental instructions (SDM vol 2 F2XM1, FYL2X, FYL2XP1, FPATAN, FSIN,
 * FCOS, FSINCOS, FPTAN) and the constant loads (FLDPI...).
 *
 * Everything is evaluated in a 128-bit-significand format ("Ext", relative error
 * around 2^-120) and rounded once into floatx80 in the status rounding mode, so
 * results are correctly rounded except in rare cases within 2^-56 ulp of a rounding
 * boundary. The hardware is not correctly rounded everywhere (errors up to about
 * 0.64 ulp were measured on the host); where the two differ the result here is the
 * correctly rounded one. The trigonometric instructions reduce their argument the way
 * the x87 does, with a 66-bit pi (see trig_remainder), so large arguments give the
 * hardware's answer, not the mathematically exact one. Out-of-domain behaviour of
 * F2XM1 and FYL2XP1 follows measurements. Figures in docs/devel/softfloat.md.
 */
#include "softfloat-internal.h"

/* value = (hi:lo / 2^127) * 2^exp, hi bit 63 set; zero when hi == 0. */
typedef struct Ext {
    uint64_t hi, lo;
    int32_t exp;
    int32_t sign;
} Ext;

static const Ext ext_pi_2 = { 0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull, 0, 0 };
static const Ext ext_pi = { 0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull, 1, 0 };
static const Ext ext_pi_4 = { 0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull, -1, 0 };
static const Ext ext_3pi_4 = { 0x96cbe3f9990e91a7ull, 0x9394c9e8a0a5159cull, 1, 0 };
static const Ext ext_ln2 = { 0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull, -1, 0 };
static const Ext ext_log2e = { 0xb8aa3b295c17f0bbull, 0xbe87fed0691d3e88ull, 0, 0 };
static const Ext ext_log2_10 = { 0xd49a784bcd1b8afeull, 0x492bf6ff4dafdb4cull, 1, 0 };
static const Ext ext_log10_2 = { 0x9a209a84fbcff798ull, 0x8f8959ac0b7c9178ull, -2, 0 };
static const Ext ext_one = { 1ull << 63, 0, 0, 0 };

/* atan(k/8), k = 1..8 */
static const Ext ext_atan_k8[8] = {
    { 0xfeadd4d5617b6e32ull, 0xc897989f3e888ef7ull, -4, 0 },
    { 0xfadbafc96406eb15ull, 0x6dc79ef5f7a217e5ull, -3, 0 },
    { 0xb7b0ca0f26f78473ull, 0x8aa32122dcfe4483ull, -2, 0 },
    { 0xed63382b0dda7b45ull, 0x6fe445ecbc3a8d03ull, -2, 0 },
    { 0x8f005d5ef7f59f9bull, 0x5c835e1665c43747ull, -1, 0 },
    { 0xa4bc7d1934f70924ull, 0x19a87f2a457dac9eull, -1, 0 },
    { 0xb8053e2bc2319e73ull, 0xcb2da55210a4443dull, -1, 0 },
    { 0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull, -1, 0 },
};

/* floor(2/pi * 2^384), most significant word first. */
static const uint64_t two_over_pi[6] = {
    0xa2f9836e4e441529ull, 0xfc2757d1f534ddc0ull, 0xdb6295993c439041ull,
    0xfe5163abdebbc561ull, 0xb7246e3a424dd2e0ull, 0x06492eea09d1921cull,
};

static Ext ext_zero(int sign)
{
    Ext r = { 0, 0, 0, sign };
    return r;
}

static Ext ext_make(int sign, int32_t exp, uint64_t hi, uint64_t lo)
{
    Ext r = { hi, lo, exp, sign };
    if (!hi && !lo) {
        return ext_zero(sign);
    }
    r.exp -= norm128(&r.hi, &r.lo);
    return r;
}

static Ext ext_neg(Ext a)
{
    a.sign ^= 1;
    return a;
}

static Ext ext_scale(Ext a, int32_t n)
{
    if (a.hi) {
        a.exp += n;
    }
    return a;
}

static Ext ext_from_parts(const FloatParts *p)
{
    Ext r = { p->hi, p->lo, p->exp, p->sign };
    if (p->cls == FC_ZERO) {
        return ext_zero(p->sign);
    }
    return r;
}

static Ext ext_from_int(int64_t v)
{
    uint64_t m = v < 0 ? -(uint64_t)v : (uint64_t)v;
    return ext_make(v < 0, 127, 0, m);
}

static FloatParts ext_to_parts(Ext a)
{
    FloatParts p = { a.hi, a.lo, a.exp, a.sign, a.hi ? FC_NORMAL : FC_ZERO, false };
    return p;
}

static Ext ext_add(Ext a, Ext b)
{
    FloatParts pa = ext_to_parts(a), pb = ext_to_parts(b), r;

    parts_add(&r, &pa, &pb, float_round_nearest_even);
    if (r.cls == FC_ZERO) {
        return ext_zero(0);
    }
    return ext_make(r.sign, r.exp, r.hi, r.lo);
}

static Ext ext_sub(Ext a, Ext b)
{
    return ext_add(a, ext_neg(b));
}

/* Product truncated to 128 bits, lower bits jammed. */
static Ext ext_mul(Ext a, Ext b)
{
    uint64_t hh1, hh0, hl1, hl0, lh1, lh0, ll1, ll0, w0, w1, w2, w3, c;
    Ext r;

    if (!a.hi || !b.hi) {
        return ext_zero(a.sign ^ b.sign);
    }
    mul64to128(a.hi, b.hi, &hh1, &hh0);
    mul64to128(a.hi, b.lo, &hl1, &hl0);
    mul64to128(a.lo, b.hi, &lh1, &lh0);
    mul64to128(a.lo, b.lo, &ll1, &ll0);
    w0 = ll0;
    w1 = ll1 + hl0;
    c = w1 < hl0;
    w1 += lh0;
    c += w1 < lh0;
    w2 = hh0 + c;
    c = w2 < c;
    w2 += hl1;
    c += w2 < hl1;
    w2 += lh1;
    c += w2 < lh1;
    w3 = hh1 + c;
    r.sign = a.sign ^ b.sign;
    r.exp = a.exp + b.exp + 1;
    if (!(w3 >> 63)) {
        w3 = (w3 << 1) | (w2 >> 63);
        w2 = (w2 << 1) | (w1 >> 63);
        w1 <<= 1;
        r.exp--;
    }
    r.hi = w3;
    r.lo = w2 | ((w1 | w0) != 0);
    return r;
}

/* Quotient to 128 bits by restoring division. */
static Ext ext_div(Ext a, Ext b)
{
    uint64_t rh = a.hi, rl = a.lo, qh = 0, ql = 0;
    bool top = false;

    if (!a.hi) {
        return ext_zero(a.sign ^ b.sign);
    }
    for (int i = 0; i < 128; i++) {
        bool ge = top || !lt128(rh, rl, b.hi, b.lo);
        qh = (qh << 1) | (ql >> 63);
        ql = (ql << 1) | ge;
        if (ge) {
            sub128(rh, rl, b.hi, b.lo, &rh, &rl);
        }
        top = rh >> 63;
        shl128(&rh, &rl, 1);
    }
    ql |= (rh | rl) != 0;
    return ext_make(a.sign ^ b.sign, a.exp - b.exp, qh, ql);
}

/* a / n for a small positive integer n. */
static Ext ext_div_small(Ext a, uint64_t n)
{
    uint64_t r, q2, q1, q0, sticky;
    int lz;

    if (!a.hi) {
        return a;
    }
    q2 = a.hi / n;
    r = a.hi % n;
    q1 = div128by64(r, a.lo, n, &r);
    q0 = div128by64(r, 0, n, &r);
    sticky = r != 0;
    /* a / n = (q2:q1:q0) * 2^(exp - 191) */
    lz = q2 ? clz64(q2) : 64 + clz64(q1);
    if (lz < 64) {
        uint64_t hi = lz ? (q2 << lz) | (q1 >> (64 - lz)) : q2;
        uint64_t lo = lz ? (q1 << lz) | (q0 >> (64 - lz)) : q1;
        sticky |= lz ? (q0 << lz) != 0 : q0 != 0;
        return (Ext){ hi, lo | sticky, a.exp - lz, a.sign };
    }
    lz -= 64;
    {
        uint64_t hi = lz ? (q1 << lz) | (q0 >> (64 - lz)) : q1;
        uint64_t lo = q0 << lz;
        return (Ext){ hi, lo | sticky, a.exp - 64 - lz, a.sign };
    }
}

/* Round into floatx80 (full 64-bit precision: PC does not apply, SDM vol 1 8.1.5.2). */
static floatx80 ext_round(Ext a, bool exact, float_status *s)
{
    if (!a.hi) {
        return x80_zero(a.sign);
    }
    return round_pack_x80(a.sign, a.exp, a.hi, exact ? a.lo : a.lo | 1, 64, s);
}

/* sin(r) for |r| <= pi/4: r * (1 - r^2/(2*3) * (1 - r^2/(4*5) * (...))) */
static Ext ext_sin(Ext r)
{
    Ext r2 = ext_mul(r, r), acc = ext_one;

    for (uint64_t n = 17; n >= 1; n--) {
        acc = ext_sub(ext_one, ext_div_small(ext_mul(acc, r2), (2 * n) * (2 * n + 1)));
    }
    return ext_mul(r, acc);
}

/* cos(r) for |r| <= pi/4: 1 - r^2/(1*2) * (1 - r^2/(3*4) * (...)) */
static Ext ext_cos(Ext r)
{
    Ext r2 = ext_mul(r, r), acc = ext_one;

    for (uint64_t n = 17; n >= 1; n--) {
        acc = ext_sub(ext_one, ext_div_small(ext_mul(acc, r2), (2 * n - 1) * (2 * n)));
    }
    return acc;
}

/* atanh(s) = s * sum s^2k / (2k + 1), |s| <= 0.18 */
static Ext ext_atanh(Ext s)
{
    Ext s2 = ext_mul(s, s), acc = ext_zero(0);

    for (int k = 30; k >= 0; k--) {
        acc = ext_add(ext_mul(acc, s2), ext_div_small(ext_one, 2 * k + 1));
    }
    return ext_mul(s, acc);
}

/* atan(t) = t * sum (-t^2)^k / (2k + 1), |t| <= 1/16 */
static Ext ext_atan_small(Ext t)
{
    Ext t2 = ext_neg(ext_mul(t, t)), acc = ext_zero(0);

    for (int k = 18; k >= 0; k--) {
        acc = ext_add(ext_mul(acc, t2), ext_div_small(ext_one, 2 * k + 1));
    }
    return ext_mul(t, acc);
}

/* atan(t), 0 <= t <= 1: atan(c) + atan((t - c) / (1 + t c)) with c = k/8 nearest t. */
static Ext ext_atan01(Ext t)
{
    int k;
    Ext c, u;

    if (!t.hi || t.exp < -4) {
        return ext_atan_small(t);
    }
    /* k = round(8 t): t = hi * 2^(exp - 63), so 16 t = hi >> (59 - exp). */
    k = (int)(((t.hi >> (59 - t.exp)) + 1) >> 1);
    if (k == 0) {
        return ext_atan_small(t);
    }
    c = ext_make(0, 124, 0, (uint64_t)k);      /* k / 8 */
    u = ext_div(ext_sub(t, c), ext_add(ext_one, ext_mul(t, c)));
    return ext_add(ext_atan_k8[k - 1], ext_atan_small(u));
}

/* expm1(t) for |t| <= 0.7: Taylor series on t / 2^8, then doubled back 8 times. */
static Ext ext_expm1(Ext t, int halvings)
{
    Ext u = ext_scale(t, -halvings), acc = ext_one;

    for (uint64_t n = 16; n >= 2; n--) {
        acc = ext_add(ext_one, ext_div_small(ext_mul(acc, u), n));
    }
    acc = ext_mul(u, acc);
    for (int i = 0; i < halvings; i++) {
        acc = ext_mul(acc, ext_add(acc, ext_make(0, 1, 1ull << 63, 0)));
    }
    return acc;
}

/* ln(m) for m in [sqrt(1/2), sqrt(2)): 2 atanh((m - 1) / (m + 1)). */
static Ext ext_ln_near1(Ext m)
{
    Ext s = ext_div(ext_sub(m, ext_one), ext_add(m, ext_one));
    return ext_scale(ext_atanh(s), 1);
}

/* log2(v), v > 0 finite. *exact is set when v is a power of two. */
static Ext ext_log2(Ext v, bool *exact)
{
    int32_t e = v.exp;
    Ext m = { v.hi, v.lo, 0, 0 };

    *exact = v.hi == (1ull << 63) && v.lo == 0;
    if (*exact) {
        return ext_from_int(e);
    }
    /* sqrt(2) = 1.0110101000001001111001100110011111110011101111001100... */
    if (v.hi > 0xb504f333f9de6484ull) {
        m.exp = -1;
        e++;
    }
    return ext_add(ext_from_int(e), ext_mul(ext_ln_near1(m), ext_log2e));
}

/*
 * |x| - k * pi/2 where, as measured on silicon, pi is the 66-bit truncation
 * 0x3.243F6A8885A308D3 the x87 reduces with (the same constant Intel documents for
 * FSIN/FCOS/FPTAN): the remainder is computed exactly, so results drift from the true
 * sin/cos for large or near-multiple-of-pi/2 arguments exactly as the hardware's do.
 */
static Ext trig_remainder(const FloatParts *p, uint64_t k)
{
    static const uint64_t c66_hi = 3, c66_lo = 0x243f6a8885a308d3ull;   /* pi * 2^64 */
    uint64_t xh, xl, th, tl, t2, rh, rl, r2;
    int sh = p->exp + 2;            /* |x| = M * 2^(exp - 63) = (M << sh) * 2^-65 */
    int sign = 0;

    if (!k) {
        return ext_make(0, p->exp, p->hi, p->lo);
    }
    xh = sh >= 64 ? p->hi : p->hi >> (64 - sh);
    xl = sh >= 64 ? 0 : p->hi << sh;
    /* t = k * c66, 192 bits (t2:th:tl); k * pi/2 = t * 2^-65. */
    mul64to128(k, c66_lo, &th, &tl);
    t2 = 0;
    {
        uint64_t ah, al;
        mul64to128(k, c66_hi, &ah, &al);
        th += al;
        t2 = ah + (th < al);
    }
    /* r = x - t, small: |r| < 2^67. */
    sub128(xh, xl, th, tl, &rh, &rl);
    r2 = 0 - t2 - (lt128(xh, xl, th, tl) ? 1 : 0);
    if (r2 >> 63) {
        sign = 1;
        rl = ~rl + 1;
        rh = ~rh + (rl == 0);
    }
    return ext_make(sign, 62, rh, rl);
}

/* Bits [pos, pos + 64) of the little-endian multiword integer w[0..n-1]. */
static uint64_t bits_at(const uint64_t *w, int n, int pos)
{
    int q = pos >= 0 ? pos / 64 : -((63 - pos) / 64), b = pos - 64 * q;
    uint64_t lo = q >= 0 && q < n ? w[q] : 0;
    uint64_t hi = q + 1 >= 0 && q + 1 < n ? w[q + 1] : 0;

    return b ? (lo >> b) | (hi << (64 - b)) : lo;
}

/*
 * Reduce |x| (< 2^63) modulo pi/2: returns r with |r| <= pi/4 (a little more, see
 * trig_remainder) and the quadrant k mod 4 such that |x| = k * pi/2 + r. k is the
 * integer nearest |x| * 2/pi, found with 384 bits of 2/pi.
 */
static Ext trig_reduce(const FloatParts *p, int *quadrant)
{
    uint64_t P[7] = { 0 }, k;
    int sh;

    if (p->exp < -1) {
        *quadrant = 0;
        return ext_make(0, p->exp, p->hi, p->lo);
    }
    /* P = M * floor(2/pi * 2^384), 448 bits, least significant word first. */
    for (int i = 0; i < 6; i++) {
        uint64_t hi, lo, c;
        mul64to128(p->hi, two_over_pi[5 - i], &hi, &lo);
        P[i] += lo;
        c = P[i] < lo;
        P[i + 1] += hi + c;
    }
    /* |x| * 2/pi = P * 2^(exp - 63 - 384): the binary point sits above bit sh. */
    sh = 384 + 63 - p->exp;
    k = bits_at(P, 7, sh);
    if (bits_at(P, 7, sh - 64) >> 63) {
        k++;            /* fraction >= 1/2: round to the nearest quadrant */
    }
    *quadrant = (int)(k & 3);
    return trig_remainder(p, k);
}

static floatx80 x80_nan1(floatx80 a, const FloatParts *pa, float_status *s)
{
    if (pa->cls == FC_BAD) {
        s->flags |= float_flag_invalid;
        return floatx80_default_nan();
    }
    return x80_quiet_nan(a, pa, s);
}

static floatx80 x80_nan2(floatx80 a, const FloatParts *pa, floatx80 b, const FloatParts *pb,
                         float_status *s)
{
    if (pa->cls == FC_BAD || pb->cls == FC_BAD) {
        s->flags |= float_flag_invalid;
        return floatx80_default_nan();
    }
    return x80_propagate_nan(a, pa, b, pb, s);
}

static floatx80 x80_invalid(float_status *s)
{
    s->flags |= float_flag_invalid;
    return floatx80_default_nan();
}

floatx80 floatx80_f2xm1(floatx80 a, float_status *s)
{
    FloatParts p = unpack_x80(a);
    Ext t;

    switch (p.cls) {
    case FC_BAD:
    case FC_QNAN:
    case FC_SNAN:
        return x80_nan1(a, &p, s);
    case FC_ZERO:
        return a;
    case FC_INF:
        return p.sign ? make_floatx80(0xbfff, 1ull << 63) : a;
    }
    if (p.denormal) {
        s->flags |= float_flag_denormal;
    }
    if (p.exp == 0 && p.hi == (1ull << 63)) {
        /* 2^1 - 1 = 1 and 2^-1 - 1 = -1/2 exactly, yet silicon reports inexact. */
        s->flags |= float_flag_inexact;
        return make_floatx80(p.sign ? 0xbffe : 0x3fff, 1ull << 63);
    }
    if (p.exp >= 0) {
        /* Outside the architectural domain |x| <= 1 silicon returns x, inexact. */
        s->flags |= float_flag_inexact;
        return a;
    }
    t = ext_mul(ext_from_parts(&p), ext_ln2);
    return ext_round(ext_expm1(t, 8 + (t.exp > 0 ? t.exp : 0)), false, s);
}

/* y * log2(x) (FYL2X, st0 = x, st1 = y). */
floatx80 floatx80_fyl2x(floatx80 x, floatx80 y, float_status *s)
{
    FloatParts px = unpack_x80(x), py = unpack_x80(y);
    bool exact, x_lt_1;
    Ext l;

    if (px.cls >= FC_QNAN || py.cls >= FC_QNAN) {
        return x80_nan2(x, &px, y, &py, s);
    }
    if (px.sign && px.cls != FC_ZERO) {
        return x80_invalid(s);
    }
    if (px.cls == FC_ZERO) {
        if (py.cls == FC_ZERO) {
            return x80_invalid(s);
        }
        if (py.cls != FC_INF) {
            /* Divide-by-zero hides a denormal y. */
            s->flags |= float_flag_divbyzero;
        }
        return x80_inf(!py.sign);
    }
    if (px.cls == FC_INF) {
        if (py.cls == FC_ZERO) {
            return x80_invalid(s);
        }
        if (py.denormal) {
            s->flags |= float_flag_denormal;
        }
        return x80_inf(py.sign);
    }
    x_lt_1 = px.exp < 0;
    if (px.exp == 0 && px.hi == (1ull << 63)) {
        if (py.cls == FC_INF) {
            return x80_invalid(s);
        }
        if (py.denormal) {
            s->flags |= float_flag_denormal;
        }
        return x80_zero(py.sign);
    }
    if (px.denormal || py.denormal) {
        s->flags |= float_flag_denormal;
    }
    if (py.cls == FC_INF) {
        return x80_inf(py.sign ^ x_lt_1);
    }
    if (py.cls == FC_ZERO) {
        return x80_zero(py.sign ^ x_lt_1);
    }
    l = ext_log2(ext_from_parts(&px), &exact);
    if (exact) {
        /* x a power of two: y * log2 x is rounded as a product, but inexact is
         * reported all the same, as on silicon. */
        floatx80 r = ext_round(ext_mul(ext_from_parts(&py), l), true, s);
        s->flags |= float_flag_inexact;
        if (!(r.sign_exp & 0x7fff) && r.mantissa) {
            s->flags |= float_flag_underflow;
        }
        return r;
    }
    return ext_round(ext_mul(ext_from_parts(&py), l), false, s);
}

/* y * log2(x + 1) (FYL2XP1), architecturally for |x| < 1 - sqrt(2)/2. */
floatx80 floatx80_fyl2xp1(floatx80 x, floatx80 y, float_status *s)
{
    FloatParts px = unpack_x80(x), py = unpack_x80(y);
    Ext ex, l;

    if (px.cls >= FC_QNAN || py.cls >= FC_QNAN) {
        return x80_nan2(x, &px, y, &py, s);
    }
    if (px.cls == FC_ZERO) {
        if (py.cls == FC_INF) {
            return x80_invalid(s);
        }
        if (py.denormal) {
            s->flags |= float_flag_denormal;
        }
        return x80_zero(px.sign ^ py.sign);
    }
    if (px.cls == FC_INF) {
        if (px.sign || py.cls == FC_ZERO) {
            return x80_invalid(s);
        }
        if (py.denormal) {
            s->flags |= float_flag_denormal;
        }
        return x80_inf(py.sign);
    }
    ex = ext_from_parts(&px);
    if (px.denormal || py.denormal) {
        s->flags |= float_flag_denormal;
    }
    if (py.cls == FC_ZERO) {
        return x80_zero(py.sign ^ px.sign);
    }
    if (py.cls == FC_INF) {
        return x80_inf(py.sign ^ px.sign);
    }
    if (px.sign && px.exp >= 0) {
        /* x <= -1, outside the domain: as measured, x comes back, inexact. */
        s->flags |= float_flag_inexact;
        return x;
    }
    if (px.exp < -2) {
        /* ln(1 + x) = 2 atanh(x / (2 + x)), accurate for small x. */
        Ext sarg = ext_div(ex, ext_add(ext_make(0, 1, 1ull << 63, 0), ex));
        l = ext_mul(ext_scale(ext_atanh(sarg), 1), ext_log2e);
    } else {
        bool exact;
        l = ext_log2(ext_add(ext_one, ex), &exact);
    }
    return ext_round(ext_mul(ext_from_parts(&py), l), false, s);
}

/* FPATAN: atan2(y, x) with st1 = y, st0 = x (SDM vol 2 table 3-30 for specials). */
floatx80 floatx80_fpatan(floatx80 y, floatx80 x, float_status *s)
{
    FloatParts px = unpack_x80(x), py = unpack_x80(y);
    Ext a, ax, ay;
    bool swap;

    if (px.cls >= FC_QNAN || py.cls >= FC_QNAN) {
        return x80_nan2(x, &px, y, &py, s);
    }
    if (px.denormal || py.denormal) {
        s->flags |= float_flag_denormal;
    }
    if (py.cls == FC_ZERO) {
        if (px.sign) {
            return ext_round(py.sign ? ext_neg(ext_pi) : ext_pi, false, s);
        }
        return x80_zero(py.sign);
    }
    if (py.cls == FC_INF) {
        if (px.cls == FC_INF) {
            a = px.sign ? ext_3pi_4 : ext_pi_4;
        } else {
            a = ext_pi_2;
        }
        a.sign = py.sign;
        return ext_round(a, false, s);
    }
    if (px.cls == FC_ZERO) {
        a = ext_pi_2;
        a.sign = py.sign;
        return ext_round(a, false, s);
    }
    if (px.cls == FC_INF) {
        if (px.sign) {
            return ext_round(py.sign ? ext_neg(ext_pi) : ext_pi, false, s);
        }
        return x80_zero(py.sign);
    }
    ax = ext_from_parts(&px);
    ay = ext_from_parts(&py);
    ax.sign = ay.sign = 0;
    swap = py.exp > px.exp || (py.exp == px.exp && py.hi > px.hi);
    a = ext_atan01(swap ? ext_div(ax, ay) : ext_div(ay, ax));
    if (swap) {
        a = ext_sub(ext_pi_2, a);
    }
    if (px.sign) {
        a = ext_sub(ext_pi, a);
    }
    a.sign = py.sign;
    return ext_round(a, false, s);
}

/*
 * Shared by FSIN/FCOS/FSINCOS/FPTAN: returns false for |a| >= 2^63 (C2 = 1, operand
 * unchanged), otherwise fills *kind with how to finish: 0 = handled in *res1 (special
 * operand), 1 = r and the quadrant are valid.
 */
static bool trig_prepare(floatx80 a, FloatParts *p, floatx80 *special, bool *done,
                         float_status *s)
{
    *p = unpack_x80(a);
    *done = true;
    switch (p->cls) {
    case FC_BAD:
    case FC_QNAN:
    case FC_SNAN:
        *special = x80_nan1(a, p, s);
        return true;
    case FC_INF:
        *special = x80_invalid(s);
        return true;
    case FC_ZERO:
        *special = a;
        return true;
    }
    if (p->exp >= 63) {
        return false;
    }
    if (p->denormal) {
        s->flags |= float_flag_denormal;
    }
    *done = false;
    return true;
}

bool floatx80_fsin(floatx80 a, floatx80 *res, float_status *s)
{
    FloatParts p;
    bool done;
    int q;
    Ext r, v;

    if (!trig_prepare(a, &p, res, &done, s)) {
        return false;
    }
    if (done) {
        return true;
    }
    r = trig_reduce(&p, &q);
    v = (q & 1) ? ext_cos(r) : ext_sin(r);
    v.sign ^= (q >> 1) ^ p.sign;
    *res = ext_round(v, false, s);
    return true;
}

bool floatx80_fcos(floatx80 a, floatx80 *res, float_status *s)
{
    FloatParts p;
    bool done;
    int q;
    Ext r, v;

    if (!trig_prepare(a, &p, res, &done, s)) {
        return false;
    }
    if (done) {
        if (p.cls == FC_ZERO) {
            *res = make_floatx80(0x3fff, 1ull << 63);
        }
        return true;
    }
    r = trig_reduce(&p, &q);
    v = (q & 1) ? ext_sin(r) : ext_cos(r);
    v.sign ^= ((q + 1) >> 1) & 1;
    *res = ext_round(v, false, s);
    return true;
}

bool floatx80_fsincos(floatx80 a, floatx80 *sin, floatx80 *cos, float_status *s)
{
    FloatParts p;
    bool done;
    int q;
    Ext r, vs, vc, es, ec;

    if (!trig_prepare(a, &p, sin, &done, s)) {
        return false;
    }
    if (done) {
        *cos = *sin;
        if (p.cls == FC_ZERO) {
            *cos = make_floatx80(0x3fff, 1ull << 63);
        }
        return true;
    }
    r = trig_reduce(&p, &q);
    es = ext_sin(r);
    ec = ext_cos(r);
    vs = (q & 1) ? ec : es;
    vs.sign ^= (q >> 1) ^ p.sign;
    vc = (q & 1) ? es : ec;
    vc.sign ^= ((q + 1) >> 1) & 1;
    *sin = ext_round(vs, false, s);
    *cos = ext_round(vc, false, s);
    return true;
}

bool floatx80_fptan(floatx80 a, floatx80 *res, float_status *s)
{
    FloatParts p;
    bool done;
    int q;
    Ext r, v;

    if (!trig_prepare(a, &p, res, &done, s)) {
        return false;
    }
    if (done) {
        return true;
    }
    r = trig_reduce(&p, &q);
    v = (q & 1) ? ext_neg(ext_div(ext_cos(r), ext_sin(r))) : ext_div(ext_sin(r), ext_cos(r));
    v.sign ^= p.sign;
    *res = ext_round(v, false, s);
    return true;
}

/*
 * FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2: the constant rounded in the status rounding
 * mode (SDM vol 1 8.3.8: "rounded ... according to the RC field"), no exceptions.
 */
floatx80 floatx80_load_constant(int which, float_status *s)
{
    static const Ext *const consts[] = {
        &ext_log2_10, &ext_log2e, &ext_pi, &ext_log10_2, &ext_ln2,
    };
    uint16_t saved = s->flags;
    floatx80 r;

    if (which < 0 || which >= (int)(sizeof(consts) / sizeof(consts[0]))) {
        return floatx80_default_nan();
    }
    r = ext_round(*consts[which], false, s);
    s->flags = saved;
    return r;
}
