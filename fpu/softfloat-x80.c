/*
 * floatx80 with x87 semantics (SDM vol 1 chapter 8, vol 2 FADD..FXTRACT): precision
 * control, unsupported encodings, x87 NaN selection, FPREM/FPREM1, FSCALE, FXTRACT.
 */
#include "softfloat-internal.h"

int x80_prec(const float_status *s)
{
    int p = s->floatx80_precision;
    return p == 24 || p == 53 ? p : 64;
}

bool floatx80_is_nan(floatx80 a)
{
    return (a.sign_exp & 0x7fff) == 0x7fff && (a.mantissa >> 63) && (a.mantissa << 1);
}

bool floatx80_is_signaling_nan(floatx80 a)
{
    return floatx80_is_nan(a) && !((a.mantissa >> 62) & 1);
}

bool floatx80_is_unsupported(floatx80 a)
{
    return unpack_x80(a).cls == FC_BAD;
}

bool floatx80_is_denormal(floatx80 a)
{
    return !(a.sign_exp & 0x7fff) && a.mantissa;
}

floatx80 x80_quiet_nan(floatx80 a, const FloatParts *pa, float_status *s)
{
    if (pa->cls == FC_SNAN) {
        s->flags |= float_flag_invalid;
    }
    a.mantissa |= 1ull << 62;
    return a;
}

/*
 * x87 rule (SDM vol 1 table 4-7): a QNaN beats an SNaN; between two NaNs of the same
 * kind the one with the larger significand wins, then the positive one.
 */
floatx80 x80_propagate_nan(floatx80 a, const FloatParts *pa, floatx80 b,
                           const FloatParts *pb, float_status *s)
{
    bool an = parts_is_nan(pa), bn = parts_is_nan(pb);
    floatx80 r;

    if (pa->cls == FC_SNAN || pb->cls == FC_SNAN) {
        s->flags |= float_flag_invalid;
    }
    if (an && bn) {
        uint64_t am = a.mantissa | (1ull << 62), bm = b.mantissa | (1ull << 62);
        if (pa->cls != pb->cls) {
            r = pa->cls == FC_QNAN ? a : b;
        } else if (am != bm) {
            r = am > bm ? a : b;
        } else {
            r = (a.sign_exp >> 15) <= (b.sign_exp >> 15) ? a : b;
        }
    } else {
        r = an ? a : b;
    }
    r.mantissa |= 1ull << 62;
    return r;
}

static floatx80 x80_invalid(float_status *s)
{
    s->flags |= float_flag_invalid;
    return floatx80_default_nan();
}

static floatx80 x80_pack_parts(const FloatParts *r, int prec, float_status *s)
{
    switch (r->cls) {
    case FC_ZERO:
        return x80_zero(r->sign);
    case FC_INF:
        return x80_inf(r->sign);
    default:
        return round_pack_x80(r->sign, r->exp, r->hi, r->lo, prec, s);
    }
}

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV };

static floatx80 x80_arith(floatx80 a, floatx80 b, int op, float_status *s)
{
    FloatParts pa = unpack_x80(a), pb = unpack_x80(b), r;
    bool ok, dz = false, mem_denormal = take_operand_denormal(s);

    if (pa.cls == FC_BAD || pb.cls == FC_BAD) {
        return x80_invalid(s);
    }
    if (parts_is_nan(&pa) || parts_is_nan(&pb)) {
        return x80_propagate_nan(a, &pa, b, &pb, s);
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
        return x80_invalid(s);
    }
    /* As on the SSE side, invalid and divide-by-zero hide a denormal operand. */
    if (dz) {
        s->flags |= float_flag_divbyzero;
    } else if (pa.denormal || pb.denormal || mem_denormal) {
        s->flags |= float_flag_denormal;
    }
    return x80_pack_parts(&r, x80_prec(s), s);
}

floatx80 floatx80_add(floatx80 a, floatx80 b, float_status *s)
{
    return x80_arith(a, b, OP_ADD, s);
}

floatx80 floatx80_sub(floatx80 a, floatx80 b, float_status *s)
{
    return x80_arith(a, b, OP_SUB, s);
}

floatx80 floatx80_mul(floatx80 a, floatx80 b, float_status *s)
{
    return x80_arith(a, b, OP_MUL, s);
}

floatx80 floatx80_div(floatx80 a, floatx80 b, float_status *s)
{
    return x80_arith(a, b, OP_DIV, s);
}

floatx80 floatx80_sqrt(floatx80 a, float_status *s)
{
    FloatParts pa = unpack_x80(a), r;

    if (pa.cls == FC_BAD) {
        return x80_invalid(s);
    }
    if (parts_is_nan(&pa)) {
        return x80_quiet_nan(a, &pa, s);
    }
    if (!parts_sqrt(&r, &pa)) {
        return x80_invalid(s);
    }
    if (pa.denormal) {
        s->flags |= float_flag_denormal;
    }
    return x80_pack_parts(&r, x80_prec(s), s);
}

/* FRNDINT: precision control does not apply (SDM vol 1 8.1.5.2). */
floatx80 floatx80_round_to_int(floatx80 a, float_status *s)
{
    FloatParts p = unpack_x80(a);
    uint64_t k;
    bool carry;
    int n;

    switch (p.cls) {
    case FC_BAD:
        return x80_invalid(s);
    case FC_QNAN:
    case FC_SNAN:
        return x80_quiet_nan(a, &p, s);
    case FC_ZERO:
    case FC_INF:
        return a;
    }
    if (p.denormal) {
        s->flags |= float_flag_denormal;
    }
    if (p.exp >= 63) {
        return a;
    }
    k = parts_to_uint(&p, s->rounding_mode, &carry, s);
    if (!k) {
        return x80_zero(p.sign);
    }
    n = clz64(k);
    return make_floatx80(((uint16_t)p.sign << 15) | (63 - n + X80_BIAS), k << n);
}

static FloatRelation x80_compare(floatx80 a, floatx80 b, bool quiet, float_status *s)
{
    FloatParts pa = unpack_x80(a), pb = unpack_x80(b);
    bool mem_denormal = take_operand_denormal(s);

    if (pa.cls == FC_BAD || pb.cls == FC_BAD) {
        s->flags |= float_flag_invalid;
        return float_relation_unordered;
    }
    if (parts_is_nan(&pa) || parts_is_nan(&pb)) {
        if (!quiet || pa.cls == FC_SNAN || pb.cls == FC_SNAN) {
            s->flags |= float_flag_invalid;
        }
        return float_relation_unordered;
    }
    if (pa.denormal || pb.denormal || mem_denormal) {
        s->flags |= float_flag_denormal;
    }
    return parts_compare(&pa, &pb);
}

FloatRelation floatx80_compare(floatx80 a, floatx80 b, float_status *s)
{
    return x80_compare(a, b, false, s);
}

FloatRelation floatx80_compare_quiet(floatx80 a, floatx80 b, float_status *s)
{
    return x80_compare(a, b, true, s);
}

/*
 * FPREM/FPREM1 (SDM vol 2): with D = exponent(a) - exponent(b) < 64 the remainder is
 * complete. Otherwise a partial remainder is produced: measured on silicon, the
 * dividend is reduced modulo b * 2^(D - N) with N = 32 + D mod 32 (a truncating
 * quotient for both instructions), and the quotient bits read back as zero.
 */
floatx80 floatx80_prem(floatx80 a, floatx80 b, bool ieee, uint64_t *quotient,
                       bool *partial, float_status *s)
{
    FloatParts pa = unpack_x80(a), pb = unpack_x80(b);
    uint64_t q = 0, rem, A, B;
    int32_t d, rexp;
    bool rsign;

    *quotient = 0;
    *partial = false;
    if (pa.cls == FC_BAD || pb.cls == FC_BAD) {
        return x80_invalid(s);
    }
    if (parts_is_nan(&pa) || parts_is_nan(&pb)) {
        return x80_propagate_nan(a, &pa, b, &pb, s);
    }
    if (pa.cls == FC_INF || pb.cls == FC_ZERO) {
        return x80_invalid(s);
    }
    if (pa.denormal || pb.denormal) {
        s->flags |= float_flag_denormal;
    }
    if (pa.cls == FC_ZERO || pb.cls == FC_INF) {
        return x80_pack_parts(&pa, 64, s);
    }
    A = pa.hi;
    B = pb.hi;
    d = pa.exp - pb.exp;
    rsign = pa.sign;
    if (d < 0) {
        if (!ieee || d < -1 || A <= B) {
            /* |a| <= |b| / 2 for FPREM1 (a tie rounds to the even quotient 0). */
            return x80_pack_parts(&pa, 64, s);
        }
        /* FPREM1 with |b|/2 < |a| < |b|: quotient 1, remainder a - b flips sign. */
        *quotient = 1;
        rem = B - (A >> 1);
        rexp = pb.exp - 63;
        rsign = !rsign;
        if (A & 1) {
            /* B - A/2 has a half bit: scale by 2 to keep it exact. */
            rem = 2 * B - A;
            rexp--;
        }
        goto pack;
    }
    if (d >= 64) {
        int n = 32 + d % 32;
        *partial = true;
        /* A * 2^n mod B; the result is scaled by 2^(d - n). */
        div128by64(A >> (64 - n), A << n, B, &rem);
        rexp = pb.exp - 63 + (d - n);
        goto pack;
    }
    if (d == 0) {
        q = A >= B;
        rem = A - (q ? B : 0);
    } else {
        q = div128by64(A >> (64 - d), A << d, B, &rem);
    }
    rexp = pb.exp - 63;
    if (ieee && (rem > B - rem || (rem == B - rem && (q & 1)))) {
        q++;
        rem = B - rem;
        rsign = !rsign;
    }
    *quotient = q;

pack:
    if (!rem) {
        return x80_zero(pa.sign);
    }
    {
        int n = clz64(rem);
        return round_pack_x80(rsign, rexp + 63 - n, rem << n, 0, 64, s);
    }
}

floatx80 floatx80_rem(floatx80 a, floatx80 b, float_status *s)
{
    uint64_t q;
    bool partial;

    do {
        a = floatx80_prem(a, b, true, &q, &partial, s);
    } while (partial);
    return a;
}

/* FSCALE: a * 2^trunc(b), special cases from SDM vol 2 table 3-48. */
floatx80 floatx80_scale(floatx80 a, floatx80 b, float_status *s)
{
    FloatParts pa = unpack_x80(a), pb = unpack_x80(b);
    int32_t n;

    if (pa.cls == FC_BAD || pb.cls == FC_BAD) {
        return x80_invalid(s);
    }
    if (parts_is_nan(&pa) || parts_is_nan(&pb)) {
        return x80_propagate_nan(a, &pa, b, &pb, s);
    }
    if (pa.denormal || pb.denormal) {
        s->flags |= float_flag_denormal;
    }
    if (pb.cls == FC_INF) {
        if (!pb.sign) {
            if (pa.cls == FC_ZERO) {
                return x80_invalid(s);
            }
            return x80_inf(pa.sign);
        }
        if (pa.cls == FC_INF) {
            return x80_invalid(s);
        }
        return x80_zero(pa.sign);
    }
    if (pa.cls == FC_ZERO) {
        return x80_zero(pa.sign);
    }
    if (pa.cls == FC_INF) {
        return x80_inf(pa.sign);
    }
    if (pb.cls == FC_ZERO || pb.exp < 0) {
        n = 0;
    } else if (pb.exp >= 30) {
        n = 1 << 30;
    } else {
        n = (int32_t)(pb.hi >> (63 - pb.exp));
    }
    if (pb.sign) {
        n = -n;
    }
    return round_pack_x80(pa.sign, pa.exp + n, pa.hi, 0, 64, s);
}

/* FXTRACT (SDM vol 2): significand in [1, 2) with a's sign, exponent as a value. */
floatx80 floatx80_extract(floatx80 a, floatx80 *exponent, float_status *s)
{
    FloatParts pa = unpack_x80(a);

    switch (pa.cls) {
    case FC_BAD:
        *exponent = x80_invalid(s);
        return *exponent;
    case FC_QNAN:
    case FC_SNAN:
        *exponent = x80_quiet_nan(a, &pa, s);
        return *exponent;
    case FC_ZERO:
        s->flags |= float_flag_divbyzero;
        *exponent = x80_inf(true);
        return x80_zero(pa.sign);
    case FC_INF:
        *exponent = x80_inf(false);
        return x80_inf(pa.sign);
    }
    if (pa.denormal) {
        s->flags |= float_flag_denormal;
    }
    *exponent = int32_to_floatx80(pa.exp, s);
    return make_floatx80(((uint16_t)pa.sign << 15) | X80_BIAS, pa.hi);
}
