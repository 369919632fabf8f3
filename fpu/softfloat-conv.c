/*
 * Conversions between integers, float32, float64 and floatx80 (SDM vol 2 CVT*, FILD,
 * FIST/FISTP/FISTTP, FLD/FST m32/m64).
 */
#include "softfloat-internal.h"

static uint64_t f_from_int(bool sign, uint64_t mag, const FloatFmt *f, float_status *s)
{
    int n;

    if (!mag) {
        return 0;
    }
    n = clz64(mag);
    return round_pack_f(sign, 63 - n, mag << n, 0, f, s);
}

float32 int32_to_float32(int32_t a, float_status *s)
{
    return f_from_int(a < 0, a < 0 ? -(uint64_t)a : (uint64_t)a, &sf_fmt32, s);
}

float64 int32_to_float64(int32_t a, float_status *s)
{
    return f_from_int(a < 0, a < 0 ? -(uint64_t)a : (uint64_t)a, &sf_fmt64, s);
}

float32 int64_to_float32(int64_t a, float_status *s)
{
    return f_from_int(a < 0, a < 0 ? -(uint64_t)a : (uint64_t)a, &sf_fmt32, s);
}

float64 int64_to_float64(int64_t a, float_status *s)
{
    return f_from_int(a < 0, a < 0 ? -(uint64_t)a : (uint64_t)a, &sf_fmt64, s);
}

float32 uint64_to_float32(uint64_t a, float_status *s)
{
    return f_from_int(false, a, &sf_fmt32, s);
}

float64 uint64_to_float64(uint64_t a, float_status *s)
{
    return f_from_int(false, a, &sf_fmt64, s);
}

/*
 * To a signed integer of the given width. NaNs, infinities and values that round out of
 * range give the integer indefinite (the most negative value, SDM vol 1 4.2.2 and
 * 8.2.1) and invalid, without inexact (measured).
 */
static int64_t parts_to_int(const FloatParts *p, int bits, int mode, float_status *s)
{
    uint64_t indef = 1ull << (bits - 1), k;
    uint16_t saved = s->flags;
    bool carry;

    switch (p->cls) {
    case FC_ZERO:
        return 0;
    case FC_NORMAL:
        break;
    default:
        s->flags |= float_flag_invalid;
        return (int64_t)(0 - indef);
    }
    if (p->exp >= 64) {
        s->flags |= float_flag_invalid;
        return (int64_t)(0 - indef);
    }
    k = parts_to_uint(p, mode, &carry, s);
    if (carry || k > indef - !p->sign) {
        s->flags = saved | float_flag_invalid;
        return (int64_t)(0 - indef);
    }
    return p->sign ? (int64_t)(0 - k) : (int64_t)k;
}

static int64_t f_to_int(uint64_t a, int bits, int mode, const FloatFmt *f, float_status *s)
{
    FloatParts p = unpack_f(a, f, s);
    return parts_to_int(&p, bits, mode, s);
}

int32_t float32_to_int32(float32 a, float_status *s)
{
    return (int32_t)f_to_int(a, 32, s->rounding_mode, &sf_fmt32, s);
}

int32_t float32_to_int32_round_to_zero(float32 a, float_status *s)
{
    return (int32_t)f_to_int(a, 32, float_round_to_zero, &sf_fmt32, s);
}

int64_t float32_to_int64(float32 a, float_status *s)
{
    return f_to_int(a, 64, s->rounding_mode, &sf_fmt32, s);
}

int64_t float32_to_int64_round_to_zero(float32 a, float_status *s)
{
    return f_to_int(a, 64, float_round_to_zero, &sf_fmt32, s);
}

int32_t float64_to_int32(float64 a, float_status *s)
{
    return (int32_t)f_to_int(a, 32, s->rounding_mode, &sf_fmt64, s);
}

int32_t float64_to_int32_round_to_zero(float64 a, float_status *s)
{
    return (int32_t)f_to_int(a, 32, float_round_to_zero, &sf_fmt64, s);
}

int64_t float64_to_int64(float64 a, float_status *s)
{
    return f_to_int(a, 64, s->rounding_mode, &sf_fmt64, s);
}

int64_t float64_to_int64_round_to_zero(float64 a, float_status *s)
{
    return f_to_int(a, 64, float_round_to_zero, &sf_fmt64, s);
}

/*
 * Between the IEEE formats. A NaN keeps its sign and the top bits of its payload and
 * is quieted (SDM vol 1 4.8.3.5); an SNaN raises invalid.
 */
static uint64_t f_to_f(uint64_t a, const FloatFmt *from, const FloatFmt *to,
                       float_status *s)
{
    FloatParts p = unpack_f(a, from, s);
    uint64_t frac;

    switch (p.cls) {
    case FC_SNAN:
        s->flags |= float_flag_invalid;
        /* fall through */
    case FC_QNAN:
        frac = a & ((1ull << from->frac_bits) - 1);
        frac = to->frac_bits > from->frac_bits ? frac << (to->frac_bits - from->frac_bits)
                                               : frac >> (from->frac_bits - to->frac_bits);
        return f_inf(p.sign, to) | frac | fmt_quiet_bit(to);
    case FC_ZERO:
        return f_zero(p.sign, to);
    case FC_INF:
        return f_inf(p.sign, to);
    }
    if (p.denormal) {
        s->flags |= float_flag_denormal;
    }
    return round_pack_f(p.sign, p.exp, p.hi, 0, to, s);
}

float64 float32_to_float64(float32 a, float_status *s)
{
    return f_to_f(a, &sf_fmt32, &sf_fmt64, s);
}

float32 float64_to_float32(float64 a, float_status *s)
{
    return (float32)f_to_f(a, &sf_fmt64, &sf_fmt32, s);
}

/* floatx80 side. */

floatx80 int32_to_floatx80(int32_t a, float_status *s)
{
    return int64_to_floatx80(a, s);
}

floatx80 int64_to_floatx80(int64_t a, float_status *s)
{
    uint64_t mag = a < 0 ? -(uint64_t)a : (uint64_t)a;
    int n;

    if (!mag) {
        return x80_zero(false);
    }
    n = clz64(mag);
    return make_floatx80(((uint16_t)(a < 0) << 15) | (X80_BIAS + 63 - n), mag << n);
}

static int64_t x80_to_int(floatx80 a, int bits, int mode, float_status *s)
{
    FloatParts p = unpack_x80(a);

    if (p.cls == FC_SNAN) {
        /* Invalid either way; nothing else to report. */
        s->flags |= float_flag_invalid;
        return (int64_t)(0 - (1ull << (bits - 1)));
    }
    /* FIST does not report denormal operands (SDM vol 2 FIST: #IA, #P only). */
    return parts_to_int(&p, bits, mode, s);
}

int16_t floatx80_to_int16(floatx80 a, float_status *s)
{
    return (int16_t)x80_to_int(a, 16, s->rounding_mode, s);
}

int32_t floatx80_to_int32(floatx80 a, float_status *s)
{
    return (int32_t)x80_to_int(a, 32, s->rounding_mode, s);
}

int64_t floatx80_to_int64(floatx80 a, float_status *s)
{
    return x80_to_int(a, 64, s->rounding_mode, s);
}

int16_t floatx80_to_int16_round_to_zero(floatx80 a, float_status *s)
{
    return (int16_t)x80_to_int(a, 16, float_round_to_zero, s);
}

int32_t floatx80_to_int32_round_to_zero(floatx80 a, float_status *s)
{
    return (int32_t)x80_to_int(a, 32, float_round_to_zero, s);
}

int64_t floatx80_to_int64_round_to_zero(floatx80 a, float_status *s)
{
    return x80_to_int(a, 64, float_round_to_zero, s);
}

static floatx80 f_to_x80(uint64_t a, const FloatFmt *f, float_status *s)
{
    FloatParts p = unpack_f(a, f, s);
    uint16_t sign = (uint16_t)p.sign << 15;

    switch (p.cls) {
    case FC_SNAN:
        s->flags |= float_flag_invalid;
        /* fall through */
    case FC_QNAN:
        return make_floatx80(sign | 0x7fff, (1ull << 63) | (1ull << 62) |
                             ((a & ((1ull << f->frac_bits) - 1)) << (63 - f->frac_bits)));
    case FC_ZERO:
        return x80_zero(p.sign);
    case FC_INF:
        return x80_inf(p.sign);
    }
    if (p.denormal) {
        s->flags |= float_flag_denormal;
    }
    return make_floatx80(sign | (p.exp + X80_BIAS), p.hi);
}

floatx80 float32_to_floatx80(float32 a, float_status *s)
{
    return f_to_x80(a, &sf_fmt32, s);
}

floatx80 float64_to_floatx80(float64 a, float_status *s)
{
    return f_to_x80(a, &sf_fmt64, s);
}

static floatx80 f_to_x80_operand(uint64_t a, const FloatFmt *f, float_status *s)
{
    FloatParts p = unpack_f(a, f, s);

    if (p.cls == FC_SNAN) {
        return make_floatx80(((uint16_t)p.sign << 15) | 0x7fff, (1ull << 63) |
                             ((a & ((1ull << f->frac_bits) - 1)) << (63 - f->frac_bits)));
    }
    if (p.denormal) {
        s->flags |= float_flag_operand_denormal;
        return make_floatx80(((uint16_t)p.sign << 15) | (p.exp + X80_BIAS), p.hi);
    }
    return f_to_x80(a, f, s);
}

floatx80 float32_to_floatx80_operand(float32 a, float_status *s)
{
    return f_to_x80_operand(a, &sf_fmt32, s);
}

floatx80 float64_to_floatx80_operand(float64 a, float_status *s)
{
    return f_to_x80_operand(a, &sf_fmt64, s);
}

static uint64_t x80_to_f(floatx80 a, const FloatFmt *f, float_status *s)
{
    FloatParts p = unpack_x80(a);
    uint16_t saved, fresh;
    uint64_t r;

    switch (p.cls) {
    case FC_BAD:
        s->flags |= float_flag_invalid;
        return f_default_nan(f);
    case FC_SNAN:
        s->flags |= float_flag_invalid;
        /* fall through */
    case FC_QNAN:
        return f_inf(p.sign, f) | fmt_quiet_bit(f) |
               ((a.mantissa >> (63 - f->frac_bits)) & ((1ull << f->frac_bits) - 1));
    case FC_ZERO:
        return f_zero(p.sign, f);
    case FC_INF:
        return f_inf(p.sign, f);
    }
    /* FST m32/m64 does not report denormal operands (SDM vol 2 FST: no #D). */
    saved = s->flags;
    r = round_pack_f(p.sign, p.exp, p.hi, 0, f, s);
    fresh = s->flags & ~saved;
    if (fresh & s->unmasked & (float_flag_underflow | float_flag_overflow)) {
        /* Nothing is stored, and only the unmasked exception is reported (measured). */
        s->flags = saved | (fresh & (float_flag_underflow | float_flag_overflow));
    }
    return r;
}

float32 floatx80_to_float32(floatx80 a, float_status *s)
{
    return (float32)x80_to_f(a, &sf_fmt32, s);
}

float64 floatx80_to_float64(floatx80 a, float_status *s)
{
    return x80_to_f(a, &sf_fmt64, s);
}
