/*
 * Software IEEE 754 floating point with x86 semantics: float32/float64 as the SSE
 * unit computes them (MXCSR rounding, FTZ, DAZ, flags) and the x87's 80-bit
 * double-extended format (control-word rounding and precision control, unsupported
 * encodings, partial remainder, transcendental instructions).
 *
 * Bit-exact with silicon for the basic operations and conversions, including NaN
 * payloads and exception flags; see docs/devel/softfloat.md.
 */
#ifndef FPU_SOFTFLOAT_H
#define FPU_SOFTFLOAT_H

#include <stdbool.h>
#include <stdint.h>

typedef uint32_t float32;
typedef uint64_t float64;

/* x87 double-extended: explicit integer bit at mantissa bit 63 (SDM vol 1 4.2.2). */
typedef struct floatx80 {
    uint64_t mantissa;
    uint16_t sign_exp;
} floatx80;

static inline floatx80 make_floatx80(uint16_t sign_exp, uint64_t mantissa)
{
    floatx80 r = { .mantissa = mantissa, .sign_exp = sign_exp };
    return r;
}

/* Rounding modes, numbered like the x87 RC and MXCSR.RC fields (SDM vol 1 4.8.4). */
enum {
    float_round_nearest_even = 0,
    float_round_down = 1,
    float_round_up = 2,
    float_round_to_zero = 3,
};

/*
 * Exception flags, in the bit positions of the x87 status word and MXCSR
 * (SDM vol 1 8.1.3, 10.2.3). float_flag_c1 is not sticky: it mirrors the x87 C1
 * condition bit ("result rounded up in magnitude"), set by any rounding that
 * increased the magnitude; callers clear it before an x87 instruction.
 */
enum {
    float_flag_invalid = 0x01,
    float_flag_denormal = 0x02,
    float_flag_divbyzero = 0x04,
    float_flag_overflow = 0x08,
    float_flag_underflow = 0x10,
    float_flag_inexact = 0x20,
    float_flag_c1 = 0x200,
    /* Internal: a memory operand widened by float*_to_floatx80_operand was denormal. */
    float_flag_operand_denormal = 0x4000,
};

/*
 * When a result counts as tiny for underflow/FTZ. Both the SSE unit and the x87 detect
 * tininess after rounding (measured, see docs/devel/softfloat.md); the status helpers
 * select that, the other mode is there for experiments.
 */
enum {
    float_tininess_after_rounding = 0,
    float_tininess_before_rounding = 1,
};

typedef struct float_status {
    uint8_t rounding_mode;        /* float_round_* */
    uint8_t floatx80_precision;   /* 24, 53 or 64: x87 PC field, for add/sub/mul/div/sqrt */
    uint8_t tininess;             /* float_tininess_* */
    bool flush_to_zero;           /* MXCSR.FTZ: tiny results become signed zero */
    bool denormals_are_zero;      /* MXCSR.DAZ: denormal inputs read as signed zero */
    /*
     * Unmasked exceptions (float_flag_* bits). Only underflow and overflow change what
     * is computed (SDM vol 1 4.9.2, 8.5.4-8.5.5, 11.5.2.3): a floatx80 result then
     * comes back with its exponent adjusted by -/+24576 and the flag set (x87 register
     * destination), while a float32/float64 result is meaningless (SSE faults, FST m32
     * does not store) and the flags are what silicon reports then: UE/OE (underflow
     * even for an exact tiny result), plus for SSE the PE of rounding with an unbounded
     * exponent. Every other unmasked exception is the caller's business: check
     * flags & unmasked and leave the destination alone.
     */
    uint8_t unmasked;
    uint16_t flags;               /* float_flag_*, accumulated */
} float_status;

/* Status set up from an MXCSR value (rounding, FTZ, DAZ, masks; flags from bits 0-5). */
void float_status_from_mxcsr(float_status *s, uint32_t mxcsr);
/* Status set up from an x87 control word (RC, PC, masks); flags cleared. */
void float_status_from_fcw(float_status *s, uint16_t fcw);

static inline void float_raise(float_status *s, unsigned flags)
{
    s->flags |= flags;
}

/* Comparison results; values chosen to index tables in the translator. */
typedef enum {
    float_relation_less = -1,
    float_relation_equal = 0,
    float_relation_greater = 1,
    float_relation_unordered = 2,
} FloatRelation;

/* The x86 "real indefinite" QNaN, returned for invalid operations (SDM vol 1 4.8.3.7). */
#define float32_default_nan ((float32)0xffc00000u)
#define float64_default_nan ((float64)0xfff8000000000000ull)
#define floatx80_default_nan_se 0xffff
#define floatx80_default_nan_mant 0xc000000000000000ull

static inline floatx80 floatx80_default_nan(void)
{
    return make_floatx80(floatx80_default_nan_se, floatx80_default_nan_mant);
}

/* Classification. */
bool float32_is_nan(float32 a);
bool float32_is_signaling_nan(float32 a);
bool float32_is_denormal(float32 a);
bool float64_is_nan(float64 a);
bool float64_is_signaling_nan(float64 a);
bool float64_is_denormal(float64 a);
bool floatx80_is_nan(floatx80 a);
bool floatx80_is_signaling_nan(floatx80 a);
/* Unnormal, pseudo-NaN, pseudo-infinity: the x87 raises invalid for these (SDM 8.2.2). */
bool floatx80_is_unsupported(floatx80 a);
/* Denormal or pseudo-denormal. */
bool floatx80_is_denormal(floatx80 a);

/* float32 / float64: SSE semantics (first-operand NaN rule, FTZ/DAZ). */
float32 float32_add(float32 a, float32 b, float_status *s);
float32 float32_sub(float32 a, float32 b, float_status *s);
float32 float32_mul(float32 a, float32 b, float_status *s);
float32 float32_div(float32 a, float32 b, float_status *s);
float32 float32_sqrt(float32 a, float_status *s);
float64 float64_add(float64 a, float64 b, float_status *s);
float64 float64_sub(float64 a, float64 b, float_status *s);
float64 float64_mul(float64 a, float64 b, float_status *s);
float64 float64_div(float64 a, float64 b, float_status *s);
float64 float64_sqrt(float64 a, float_status *s);

/*
 * Fused multiply-add, a * b + c rounded once (VFMADD*). NaN operands are chosen in
 * the order a, b, c; the flags negate the addend (FMSUB), the product (FNMADD) or
 * both (FNMSUB) without touching NaNs. The translator maps the 132/213/231 operand
 * forms onto (a, b, c) as described in docs/devel/softfloat.md.
 */
enum {
    float_muladd_negate_c = 1,
    float_muladd_negate_product = 2,
};
float32 float32_muladd(float32 a, float32 b, float32 c, int flags, float_status *s);
float64 float64_muladd(float64 a, float64 b, float64 c, int flags, float_status *s);

/*
 * MINSS/MAXSS semantics: returns b when either operand is a NaN (raising invalid, even
 * for QNaNs) or when both are zeros; denormals raise the denormal flag.
 */
float32 float32_min(float32 a, float32 b, float_status *s);
float32 float32_max(float32 a, float32 b, float_status *s);
float64 float64_min(float64 a, float64 b, float_status *s);
float64 float64_max(float64 a, float64 b, float_status *s);

/*
 * Comparisons: the signaling form (COMISS, CMPLTSS...) raises invalid for any NaN,
 * the quiet form (UCOMISS, CMPEQSS...) only for SNaNs.
 */
FloatRelation float32_compare(float32 a, float32 b, float_status *s);
FloatRelation float32_compare_quiet(float32 a, float32 b, float_status *s);
FloatRelation float64_compare(float64 a, float64 b, float_status *s);
FloatRelation float64_compare_quiet(float64 a, float64 b, float_status *s);

/*
 * Round to an integral value (ROUNDSS): in the status rounding mode, or in an explicit
 * mode with the inexact flag optionally suppressed (ROUNDSS imm8 bits 0-3).
 */
float32 float32_round_to_int(float32 a, float_status *s);
float64 float64_round_to_int(float64 a, float_status *s);
float32 float32_round_to_int_mode(float32 a, int mode, bool no_inexact, float_status *s);
float64 float64_round_to_int_mode(float64 a, int mode, bool no_inexact, float_status *s);

/*
 * Conversions. To-integer conversions return the "integer indefinite" (the most
 * negative value) with invalid for NaNs and out-of-range values; the _round_to_zero
 * forms truncate (CVTTSS2SI, FISTTP).
 */
float32 int32_to_float32(int32_t a, float_status *s);
float64 int32_to_float64(int32_t a, float_status *s);
float32 int64_to_float32(int64_t a, float_status *s);
float64 int64_to_float64(int64_t a, float_status *s);
float32 uint64_to_float32(uint64_t a, float_status *s);
float64 uint64_to_float64(uint64_t a, float_status *s);
int32_t float32_to_int32(float32 a, float_status *s);
int32_t float32_to_int32_round_to_zero(float32 a, float_status *s);
int64_t float32_to_int64(float32 a, float_status *s);
int64_t float32_to_int64_round_to_zero(float32 a, float_status *s);
int32_t float64_to_int32(float64 a, float_status *s);
int32_t float64_to_int32_round_to_zero(float64 a, float_status *s);
int64_t float64_to_int64(float64 a, float_status *s);
int64_t float64_to_int64_round_to_zero(float64 a, float_status *s);
float64 float32_to_float64(float32 a, float_status *s);   /* CVTSS2SD */
float32 float64_to_float32(float64 a, float_status *s);   /* CVTSD2SS */

/* floatx80: x87 semantics. add/sub/mul/div/sqrt round to the status precision. */
floatx80 floatx80_add(floatx80 a, floatx80 b, float_status *s);
floatx80 floatx80_sub(floatx80 a, floatx80 b, float_status *s);
floatx80 floatx80_mul(floatx80 a, floatx80 b, float_status *s);
floatx80 floatx80_div(floatx80 a, floatx80 b, float_status *s);
floatx80 floatx80_sqrt(floatx80 a, float_status *s);
floatx80 floatx80_round_to_int(floatx80 a, float_status *s);          /* FRNDINT */
FloatRelation floatx80_compare(floatx80 a, floatx80 b, float_status *s); /* FCOM */
FloatRelation floatx80_compare_quiet(floatx80 a, floatx80 b, float_status *s); /* FUCOM */

/*
 * FPREM (ieee = false: truncated quotient) and FPREM1 (ieee = true: quotient rounded to
 * nearest even). *quotient receives the low bits of the quotient for C0/C3/C1 (bit 2,
 * 1, 0); *partial is set when the exponent difference was too large and only a partial
 * remainder was produced (C2 = 1), in which case the caller iterates as the guest does.
 */
floatx80 floatx80_prem(floatx80 a, floatx80 b, bool ieee, uint64_t *quotient,
                       bool *partial, float_status *s);
/* IEEE remainder, complete (loops over partial steps). */
floatx80 floatx80_rem(floatx80 a, floatx80 b, float_status *s);
floatx80 floatx80_scale(floatx80 a, floatx80 b, float_status *s);     /* FSCALE */
/* FXTRACT: returns the significand, *exponent receives the exponent. */
floatx80 floatx80_extract(floatx80 a, floatx80 *exponent, float_status *s);

floatx80 int32_to_floatx80(int32_t a, float_status *s);
floatx80 int64_to_floatx80(int64_t a, float_status *s);
int16_t floatx80_to_int16(floatx80 a, float_status *s);    /* FIST m16 */
int32_t floatx80_to_int32(floatx80 a, float_status *s);
int64_t floatx80_to_int64(floatx80 a, float_status *s);
int16_t floatx80_to_int16_round_to_zero(floatx80 a, float_status *s);   /* FISTTP */
int32_t floatx80_to_int32_round_to_zero(floatx80 a, float_status *s);
int64_t floatx80_to_int64_round_to_zero(floatx80 a, float_status *s);
floatx80 float32_to_floatx80(float32 a, float_status *s);  /* FLD m32 */
floatx80 float64_to_floatx80(float64 a, float_status *s);  /* FLD m64 */
/*
 * The memory operand of FADD m32, FCOM m64 etc. widened for the floatx80 operation that
 * follows: an SNaN stays signaling (the operation applies the x87 NaN rules to it), and
 * a denormal sets float_flag_operand_denormal, which the next floatx80 add, sub, mul,
 * div or compare turns into the denormal flag (or drops, when a NaN, an invalid
 * operation or a division by zero hides it, as on silicon).
 */
floatx80 float32_to_floatx80_operand(float32 a, float_status *s);
floatx80 float64_to_floatx80_operand(float64 a, float_status *s);
float32 floatx80_to_float32(floatx80 a, float_status *s);  /* FST m32 */
float64 floatx80_to_float64(floatx80 a, float_status *s);  /* FST m64 */

/*
 * Transcendental instructions (softfloat-x87trans.c). Results are computed with
 * about 128 bits internally and rounded once in the status rounding mode; they
 * match this host's x87 to within the bound in docs/devel/softfloat.md, not
 * bit-for-bit in every case. The trigonometric ones return false, leaving the
 * operand alone, when |a| >= 2^63 (the x87 sets C2 then).
 */
floatx80 floatx80_f2xm1(floatx80 a, float_status *s);
floatx80 floatx80_fyl2x(floatx80 x, floatx80 y, float_status *s);     /* y * log2(x) */
floatx80 floatx80_fyl2xp1(floatx80 x, floatx80 y, float_status *s);   /* y * log2(x + 1) */
floatx80 floatx80_fpatan(floatx80 y, floatx80 x, float_status *s);    /* atan2(y, x) */
bool floatx80_fsin(floatx80 a, floatx80 *res, float_status *s);
bool floatx80_fcos(floatx80 a, floatx80 *res, float_status *s);
bool floatx80_fsincos(floatx80 a, floatx80 *sin, floatx80 *cos, float_status *s);
/* FPTAN: *res = tan(a); the caller pushes 1.0 afterwards (or *res again if a NaN). */
bool floatx80_fptan(floatx80 a, floatx80 *res, float_status *s);

/* Constants of FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, rounded in the status mode. */
enum {
    floatx80_const_log2_10,
    floatx80_const_log2_e,
    floatx80_const_pi,
    floatx80_const_log10_2,
    floatx80_const_ln_2,
};
floatx80 floatx80_load_constant(int which, float_status *s);

#endif
