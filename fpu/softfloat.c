/*
 * Soft-float core: exact arithmetic on unpacked parts, and the float32/float64
 * operations with SSE semantics (SDM vol 1 chapter 11.5, vol 2 ADDSS..SQRTSD,
 * VFMADD*, MINSS/MAXSS, COMISS/UCOMISS, ROUNDSS).
 */
#include "softfloat-internal.h"

void float_status_from_mxcsr(float_status *s, uint32_t mxcsr)
{
    s->rounding_mode = (mxcsr >> 13) & 3;
    s->floatx80_precision = 64;
    s->tininess = float_tininess_after_rounding;
    s->flush_to_zero = (mxcsr >> 15) & 1;
    s->denormals_are_zero = (mxcsr >> 6) & 1;
    s->unmasked = ~(mxcsr >> 7) & 0x3f;
    s->flags = mxcsr & 0x3f;
}

void float_status_from_fcw(float_status *s, uint16_t fcw)
{
    static const uint8_t pc_bits[4] = { 24, 64, 53, 64 };   /* PC 01 is reserved */

    s->rounding_mode = (fcw >> 10) & 3;
    s->floatx80_precision = pc_bits[(fcw >> 8) & 3];
    s->tininess = float_tininess_after_rounding;
    s->flush_to_zero = false;
    s->denormals_are_zero = false;
    s->unmasked = ~fcw & 0x3f;
    s->flags = 0;
}

/*
 * Exact (to 128 bits, with jamming) operations on parts. The operands are zero, normal
 * or infinite; NaNs have been dealt with by the caller. They return false for an
 * invalid operation; mode only decides the sign of an exact zero sum.
 */
bool parts_add(FloatParts *r, const FloatParts *a, const FloatParts *b, int mode)
{
    const FloatParts *x = a, *y = b;
    uint64_t yh, yl, h, l;

    if (a->cls == FC_INF || b->cls == FC_INF) {
        if (a->cls == FC_INF && b->cls == FC_INF && a->sign != b->sign) {
            return false;
        }
        r->cls = FC_INF;
        r->sign = a->cls == FC_INF ? a->sign : b->sign;
        return true;
    }
    if (a->cls == FC_ZERO && b->cls == FC_ZERO) {
        /* IEEE 754 6.3: unlike-signed zeros sum to +0, or -0 when rounding down. */
        r->cls = FC_ZERO;
        r->sign = a->sign == b->sign ? a->sign : mode == float_round_down;
        return true;
    }
    if (a->cls == FC_ZERO) {
        *r = *b;
        return true;
    }
    if (b->cls == FC_ZERO) {
        *r = *a;
        return true;
    }
    if (a->exp < b->exp || (a->exp == b->exp && lt128(a->hi, a->lo, b->hi, b->lo))) {
        x = b;
        y = a;
    }
    yh = y->hi;
    yl = y->lo;
    shr128_jam(&yh, &yl, x->exp - y->exp > 200 ? 200 : x->exp - y->exp);
    r->cls = FC_NORMAL;
    r->sign = x->sign;
    r->exp = x->exp;
    r->denormal = false;
    if (x->sign == y->sign) {
        add128(x->hi, x->lo, yh, yl, &h, &l);
        if (lt128(h, l, x->hi, x->lo)) {
            l = (h << 63) | (l >> 1) | (l & 1);
            h = (h >> 1) | SF_HALF;
            r->exp++;
        }
    } else {
        sub128(x->hi, x->lo, yh, yl, &h, &l);
        if (!h && !l) {
            r->cls = FC_ZERO;
            r->sign = mode == float_round_down;
            return true;
        }
        r->exp -= norm128(&h, &l);
    }
    r->hi = h;
    r->lo = l;
    return true;
}

bool parts_mul(FloatParts *r, const FloatParts *a, const FloatParts *b)
{
    r->sign = a->sign ^ b->sign;
    r->denormal = false;
    r->lo = 0;
    if (a->cls == FC_INF || b->cls == FC_INF) {
        if (a->cls == FC_ZERO || b->cls == FC_ZERO) {
            return false;
        }
        r->cls = FC_INF;
        return true;
    }
    if (a->cls == FC_ZERO || b->cls == FC_ZERO) {
        r->cls = FC_ZERO;
        return true;
    }
    /* Operands carry at most 64 significant bits (lo == 0): the product is exact. */
    r->cls = FC_NORMAL;
    mul64to128(a->hi, b->hi, &r->hi, &r->lo);
    r->exp = a->exp + b->exp + 1;
    if (!(r->hi >> 63)) {
        shl128(&r->hi, &r->lo, 1);
        r->exp--;
    }
    return true;
}

/* *divbyzero is set for finite / 0 (the caller raises ZE). */
bool parts_div(FloatParts *r, const FloatParts *a, const FloatParts *b, bool *divbyzero)
{
    uint64_t q1, q2, rem, rem2, ah;

    *divbyzero = false;
    r->sign = a->sign ^ b->sign;
    r->denormal = false;
    r->lo = 0;
    if (a->cls == FC_INF) {
        if (b->cls == FC_INF) {
            return false;
        }
        r->cls = FC_INF;
        return true;
    }
    if (b->cls == FC_INF) {
        r->cls = FC_ZERO;
        return true;
    }
    if (b->cls == FC_ZERO) {
        if (a->cls == FC_ZERO) {
            return false;
        }
        *divbyzero = true;
        r->cls = FC_INF;
        return true;
    }
    if (a->cls == FC_ZERO) {
        r->cls = FC_ZERO;
        return true;
    }
    r->cls = FC_NORMAL;
    r->exp = a->exp - b->exp;
    ah = a->hi;
    if (ah >= b->hi) {
        /* Quotient in [1, 2): peel off the integer bit so each digit fits 64 bits. */
        ah -= b->hi;
        q1 = div128by64(ah, 0, b->hi, &rem);
        q2 = div128by64(rem, 0, b->hi, &rem2);
        r->hi = SF_HALF | (q1 >> 1);
        r->lo = (q1 << 63) | (q2 >> 1) | (q2 & 1) | (rem2 != 0);
    } else {
        q1 = div128by64(ah, 0, b->hi, &rem);
        q2 = div128by64(rem, 0, b->hi, &rem2);
        r->hi = q1;
        r->lo = q2 | (rem2 != 0);
        r->exp--;
    }
    return true;
}

/* floor(sqrt(n)) for a 64-bit n, bit by bit. */
static uint32_t isqrt64(uint64_t n)
{
    uint64_t res = 0, bit = 1ull << 62;

    while (bit > n) {
        bit >>= 2;
    }
    while (bit) {
        if (n >= res + bit) {
            n -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    return (uint32_t)res;
}

/* floor(sqrt(nh:nl)) for nh:nl >= 2^126, and the remainder (which fits 65 bits). */
static uint64_t isqrt128(uint64_t nh, uint64_t nl, uint64_t *rem_hi, uint64_t *rem_lo)
{
    uint64_t s = isqrt64(nh);
    uint64_t x = s >= 0xffffffffull ? ~0ull : (s + 1) << 32;
    uint64_t ph, pl;

    /* Newton from above: x_{k+1} = (x_k + n / x_k) / 2 decreases to floor(sqrt(n)). */
    for (;;) {
        uint64_t rem, q;
        if (nh >= x) {
            break;      /* n / x >= 2^64 > x: x is already floor(sqrt(n)) */
        }
        q = div128by64(nh, nl, x, &rem);
        uint64_t y = (x >> 1) + (q >> 1) + (x & q & 1);
        if (y >= x) {
            break;
        }
        x = y;
    }
    mul64to128(x, x, &ph, &pl);
    sub128(nh, nl, ph, pl, rem_hi, rem_lo);
    return x;
}

bool parts_sqrt(FloatParts *r, const FloatParts *a)
{
    uint64_t nh, nl, rh, rl, root;
    int32_t e = a->exp;

    *r = *a;
    if (a->cls == FC_ZERO) {
        return true;
    }
    if (a->sign) {
        return false;
    }
    if (a->cls == FC_INF) {
        return true;
    }
    /* value = hi * 2^(e-63); radicand N in [2^126, 2^128) with an even exponent. */
    nh = a->hi;
    nl = 0;
    if (e & 1) {
        r->exp = (e - 1) / 2;
    } else {
        shr128_jam(&nh, &nl, 1);
        r->exp = e / 2;
    }
    root = isqrt128(nh, nl, &rh, &rl);
    r->hi = root;
    /*
     * One more root bit b: (2x+1)^2 <= 4N iff rem > x. The remainder after it,
     * 4 rem - b(4x+1), is nonzero whenever b = 1, else iff rem != 0.
     */
    if (rh || rl > root) {
        r->lo = SF_HALF | 1;
    } else {
        r->lo = (rh | rl) ? 1 : 0;
    }
    return true;
}

bool float32_is_nan(float32 a)
{
    return (a & 0x7fffffff) > 0x7f800000;
}

bool float32_is_signaling_nan(float32 a)
{
    return float32_is_nan(a) && !(a & 0x00400000);
}

bool float32_is_denormal(float32 a)
{
    return !(a & 0x7f800000) && (a & 0x007fffff);
}

bool float64_is_nan(float64 a)
{
    return (a & ~(1ull << 63)) > 0x7ff0000000000000ull;
}

bool float64_is_signaling_nan(float64 a)
{
    return float64_is_nan(a) && !(a & 0x0008000000000000ull);
}

bool float64_is_denormal(float64 a)
{
    return !(a & 0x7ff0000000000000ull) && (a & 0x000fffffffffffffull);
}

/* SSE rule (SDM vol 1 table 4-7): the first NaN operand wins, quieted. */
static inline uint64_t f_propagate_nan(uint64_t a, const FloatParts *pa, uint64_t b,
                                       const FloatParts *pb, const FloatFmt *f,
                                       float_status *s)
{
    if (pa->cls == FC_SNAN || pb->cls == FC_SNAN) {
        s->flags |= float_flag_invalid;
    }
    return (parts_is_nan(pa) ? a : b) | fmt_quiet_bit(f);
}

static inline uint64_t f_pack_parts(const FloatParts *r, const FloatFmt *f, float_status *s)
{
    switch (r->cls) {
    case FC_ZERO:
        return f_zero(r->sign, f);
    case FC_INF:
        return f_inf(r->sign, f);
    default:
        return round_pack_f(r->sign, r->exp, r->hi, r->lo, f, s);
    }
}

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV };

SF_INLINE uint64_t f_arith(uint64_t a, uint64_t b, int op, const FloatFmt *f,
                           float_status *s)
{
    FloatParts pa = unpack_f(a, f, s), pb = unpack_f(b, f, s), r;
    bool ok, dz = false;

    if (pa.cls >= FC_QNAN || pb.cls >= FC_QNAN) {
        return f_propagate_nan(a, &pa, b, &pb, f, s);
    }
    switch (op) {
    case OP_SUB:
        pb.sign ^= 1;
        /* fall through */
    case OP_ADD:
        ok = parts_add(&r, &pa, &pb, s->rounding_mode);
        break;
    case OP_MUL:
        ok = parts_mul(&r, &pa, &pb);
        break;
    default:
        ok = parts_div(&r, &pa, &pb, &dz);
        break;
    }
    if (!ok) {
        s->flags |= float_flag_invalid;
        return f_default_nan(f);
    }
    /* Invalid and divide-by-zero take precedence over a denormal operand. */
    if (dz) {
        s->flags |= float_flag_divbyzero;
        return f_pack_parts(&r, f, s);
    }
    if (pa.denormal || pb.denormal) {
        s->flags |= float_flag_denormal;
    }
    return f_pack_parts(&r, f, s);
}

float32 float32_add(float32 a, float32 b, float_status *s)
{
    return f_arith(a, b, OP_ADD, &sf_fmt32, s);
}

float32 float32_sub(float32 a, float32 b, float_status *s)
{
    return f_arith(a, b, OP_SUB, &sf_fmt32, s);
}

float32 float32_mul(float32 a, float32 b, float_status *s)
{
    return f_arith(a, b, OP_MUL, &sf_fmt32, s);
}

float32 float32_div(float32 a, float32 b, float_status *s)
{
    return f_arith(a, b, OP_DIV, &sf_fmt32, s);
}

float64 float64_add(float64 a, float64 b, float_status *s)
{
    return f_arith(a, b, OP_ADD, &sf_fmt64, s);
}

float64 float64_sub(float64 a, float64 b, float_status *s)
{
    return f_arith(a, b, OP_SUB, &sf_fmt64, s);
}

float64 float64_mul(float64 a, float64 b, float_status *s)
{
    return f_arith(a, b, OP_MUL, &sf_fmt64, s);
}

float64 float64_div(float64 a, float64 b, float_status *s)
{
    return f_arith(a, b, OP_DIV, &sf_fmt64, s);
}

static uint64_t f_sqrt(uint64_t a, const FloatFmt *f, float_status *s)
{
    FloatParts pa = unpack_f(a, f, s), r;

    if (pa.cls >= FC_QNAN) {
        return f_propagate_nan(a, &pa, a, &pa, f, s);
    }
    if (!parts_sqrt(&r, &pa)) {
        s->flags |= float_flag_invalid;
        return f_default_nan(f);
    }
    if (pa.denormal) {
        s->flags |= float_flag_denormal;
    }
    return f_pack_parts(&r, f, s);
}

float32 float32_sqrt(float32 a, float_status *s)
{
    return f_sqrt(a, &sf_fmt32, s);
}

float64 float64_sqrt(float64 a, float_status *s)
{
    return f_sqrt(a, &sf_fmt64, s);
}

static uint64_t f_muladd(uint64_t a, uint64_t b, uint64_t c, int flags, const FloatFmt *f,
                         float_status *s)
{
    FloatParts pa = unpack_f(a, f, s), pb = unpack_f(b, f, s), pc = unpack_f(c, f, s);
    FloatParts prod, r;

    if (pa.cls >= FC_QNAN || pb.cls >= FC_QNAN || pc.cls >= FC_QNAN) {
        /* 0 * inf + QNaN is not invalid: the QNaN operand takes precedence. */
        if (pa.cls == FC_SNAN || pb.cls == FC_SNAN || pc.cls == FC_SNAN) {
            s->flags |= float_flag_invalid;
        }
        return (parts_is_nan(&pa) ? a : parts_is_nan(&pb) ? b : c) | fmt_quiet_bit(f);
    }
    if (!parts_mul(&prod, &pa, &pb)) {
        s->flags |= float_flag_invalid;
        return f_default_nan(f);
    }
    prod.sign ^= !!(flags & float_muladd_negate_product);
    pc.sign ^= !!(flags & float_muladd_negate_c);
    if (!parts_add(&r, &prod, &pc, s->rounding_mode)) {
        s->flags |= float_flag_invalid;
        return f_default_nan(f);
    }
    if (pa.denormal || pb.denormal || pc.denormal) {
        s->flags |= float_flag_denormal;
    }
    return f_pack_parts(&r, f, s);
}

float32 float32_muladd(float32 a, float32 b, float32 c, int flags, float_status *s)
{
    return f_muladd(a, b, c, flags, &sf_fmt32, s);
}

float64 float64_muladd(float64 a, float64 b, float64 c, int flags, float_status *s)
{
    return f_muladd(a, b, c, flags, &sf_fmt64, s);
}

/* Three-way order of two non-NaN parts. */
FloatRelation parts_compare(const FloatParts *a, const FloatParts *b)
{
    int mag;

    if (a->cls == FC_ZERO && b->cls == FC_ZERO) {
        return float_relation_equal;
    }
    if (a->cls == FC_ZERO) {
        return b->sign ? float_relation_greater : float_relation_less;
    }
    if (b->cls == FC_ZERO) {
        return a->sign ? float_relation_less : float_relation_greater;
    }
    if (a->sign != b->sign) {
        return a->sign ? float_relation_less : float_relation_greater;
    }
    if (a->cls == FC_INF || b->cls == FC_INF) {
        mag = (a->cls == FC_INF) - (b->cls == FC_INF);
    } else if (a->exp != b->exp) {
        mag = a->exp < b->exp ? -1 : 1;
    } else if (a->hi != b->hi) {
        mag = a->hi < b->hi ? -1 : 1;
    } else {
        mag = a->lo == b->lo ? 0 : a->lo < b->lo ? -1 : 1;
    }
    return (FloatRelation)(a->sign ? -mag : mag);
}

static FloatRelation f_compare(uint64_t a, uint64_t b, bool quiet, const FloatFmt *f,
                               float_status *s)
{
    FloatParts pa = unpack_f(a, f, s), pb = unpack_f(b, f, s);

    if (pa.cls >= FC_QNAN || pb.cls >= FC_QNAN) {
        if (!quiet || pa.cls == FC_SNAN || pb.cls == FC_SNAN) {
            s->flags |= float_flag_invalid;
        }
        return float_relation_unordered;
    }
    if (pa.denormal || pb.denormal) {
        s->flags |= float_flag_denormal;
    }
    return parts_compare(&pa, &pb);
}

FloatRelation float32_compare(float32 a, float32 b, float_status *s)
{
    return f_compare(a, b, false, &sf_fmt32, s);
}

FloatRelation float32_compare_quiet(float32 a, float32 b, float_status *s)
{
    return f_compare(a, b, true, &sf_fmt32, s);
}

FloatRelation float64_compare(float64 a, float64 b, float_status *s)
{
    return f_compare(a, b, false, &sf_fmt64, s);
}

FloatRelation float64_compare_quiet(float64 a, float64 b, float_status *s)
{
    return f_compare(a, b, true, &sf_fmt64, s);
}

/*
 * MINSS/MAXSS (SDM vol 2): "if the values being compared are both 0.0s (of either
 * sign), the value in the second operand is returned. If only one value is a NaN (SNaN
 * or QNaN), the second operand is returned", unquieted, with invalid for any NaN.
 */
static uint64_t f_minmax(uint64_t a, uint64_t b, bool is_max, const FloatFmt *f,
                         float_status *s)
{
    FloatParts pa = unpack_f(a, f, s), pb = unpack_f(b, f, s);
    FloatRelation rel;

    /* With DAZ the operand returned is the zero the denormal was read as. */
    if (pa.cls == FC_ZERO) {
        a = f_zero(pa.sign, f);
    }
    if (pb.cls == FC_ZERO) {
        b = f_zero(pb.sign, f);
    }
    if (pa.cls >= FC_QNAN || pb.cls >= FC_QNAN) {
        s->flags |= float_flag_invalid;
        return b;
    }
    if (pa.denormal || pb.denormal) {
        s->flags |= float_flag_denormal;
    }
    rel = parts_compare(&pa, &pb);
    if (pa.cls == FC_ZERO && pb.cls == FC_ZERO) {
        return b;
    }
    if (is_max ? rel == float_relation_greater : rel == float_relation_less) {
        return a;
    }
    return b;
}

float32 float32_min(float32 a, float32 b, float_status *s)
{
    return f_minmax(a, b, false, &sf_fmt32, s);
}

float32 float32_max(float32 a, float32 b, float_status *s)
{
    return f_minmax(a, b, true, &sf_fmt32, s);
}

float64 float64_min(float64 a, float64 b, float_status *s)
{
    return f_minmax(a, b, false, &sf_fmt64, s);
}

float64 float64_max(float64 a, float64 b, float_status *s)
{
    return f_minmax(a, b, true, &sf_fmt64, s);
}

/*
 * Round normal parts to an integer magnitude in mode; raises inexact/C1. *carry_out
 * receives a bit 64 of the result (only possible for exp == 63).
 */
uint64_t parts_to_uint(const FloatParts *p, int mode, bool *carry_out, float_status *s)
{
    uint64_t kept, frac;
    int n = 127 - p->exp;

    *carry_out = false;
    split_sig(p->hi, p->lo, n > 200 ? 200 : n, &kept, &frac);
    if (frac) {
        s->flags |= float_flag_inexact;
        if (round_up_p(p->sign, kept, frac, mode)) {
            s->flags |= float_flag_c1;
            if (++kept == 0) {
                *carry_out = true;
            }
        }
    }
    return kept;
}

static uint64_t f_round_to_int(uint64_t a, int mode, const FloatFmt *f, float_status *s)
{
    FloatParts p = unpack_f(a, f, s);
    uint64_t k;
    bool carry;
    int n;

    switch (p.cls) {
    case FC_QNAN:
    case FC_SNAN:
        return f_propagate_nan(a, &p, a, &p, f, s);
    case FC_ZERO:
        return f_zero(p.sign, f);
    case FC_INF:
        return a;
    }
    /* ROUNDSS/ROUNDSD do not report denormal operands (SDM vol 2: #I and #P only). */
    if (p.exp >= f->frac_bits) {
        return a;
    }
    k = parts_to_uint(&p, mode, &carry, s);
    if (!k) {
        return f_zero(p.sign, f);
    }
    n = clz64(k);
    return round_pack_f(p.sign, 63 - n, k << n, 0, f, s);
}

float32 float32_round_to_int(float32 a, float_status *s)
{
    return f_round_to_int(a, s->rounding_mode, &sf_fmt32, s);
}

float64 float64_round_to_int(float64 a, float_status *s)
{
    return f_round_to_int(a, s->rounding_mode, &sf_fmt64, s);
}

float32 float32_round_to_int_mode(float32 a, int mode, bool no_inexact, float_status *s)
{
    uint16_t saved = s->flags;
    float32 r = f_round_to_int(a, mode, &sf_fmt32, s);
    if (no_inexact) {
        s->flags = (s->flags & ~(float_flag_inexact | float_flag_c1)) |
                   (saved & (float_flag_inexact | float_flag_c1));
    }
    return r;
}

float64 float64_round_to_int_mode(float64 a, int mode, bool no_inexact, float_status *s)
{
    uint16_t saved = s->flags;
    float64 r = f_round_to_int(a, mode, &sf_fmt64, s);
    if (no_inexact) {
        s->flags = (s->flags & ~(float_flag_inexact | float_flag_c1)) |
                   (saved & (float_flag_inexact | float_flag_c1));
    }
    return r;
}
