/*
 * Internals shared by the softfloat files: 128-bit helpers, the unpacked "parts" form
 * every operation works on, and the one rounding routine all results go through.
 */
#ifndef FPU_SOFTFLOAT_INTERNAL_H
#define FPU_SOFTFLOAT_INTERNAL_H

#include "fpu/softfloat.h"

#define SF_HALF (1ull << 63)

/* The float32/float64 fast paths want the rounding code specialised per format. */
#define SF_INLINE static inline __attribute__((always_inline))

static inline int clz64(uint64_t x)
{
    return x ? __builtin_clzll(x) : 64;
}

/* SF_PORTABLE forces the plain C paths (to test them on a 64-bit x86 host). */
#if defined(__SIZEOF_INT128__) && !defined(SF_PORTABLE)
#define SF_HAVE_INT128 1
#endif

/* 64 x 64 -> 128. */
static inline void mul64to128(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
#ifdef SF_HAVE_INT128
    unsigned __int128 p = (unsigned __int128)a * b;
    *hi = (uint64_t)(p >> 64);
    *lo = (uint64_t)p;
#else
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    *lo = (mid << 32) | (uint32_t)ll;
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

/* (hi:lo) / d with hi < d: the quotient fits 64 bits. */
static inline uint64_t div128by64(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
#if defined(__x86_64__) && !defined(SF_PORTABLE)
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
    *rem = r;
    return q;
#elif defined(SF_HAVE_INT128)
    unsigned __int128 n = ((unsigned __int128)hi << 64) | lo;
    *rem = (uint64_t)(n % d);
    return (uint64_t)(n / d);
#else
    uint64_t q = 0;
    for (int i = 0; i < 64; i++) {
        uint64_t top = hi >> 63;
        hi = (hi << 1) | (lo >> 63);
        lo <<= 1;
        q <<= 1;
        if (top || hi >= d) {
            hi -= d;
            q |= 1;
        }
    }
    *rem = hi;
    return q;
#endif
}

static inline void add128(uint64_t ah, uint64_t al, uint64_t bh, uint64_t bl,
                          uint64_t *rh, uint64_t *rl)
{
    uint64_t l = al + bl;
    *rh = ah + bh + (l < al);
    *rl = l;
}

static inline void sub128(uint64_t ah, uint64_t al, uint64_t bh, uint64_t bl,
                          uint64_t *rh, uint64_t *rl)
{
    *rh = ah - bh - (al < bl);
    *rl = al - bl;
}

static inline bool lt128(uint64_t ah, uint64_t al, uint64_t bh, uint64_t bl)
{
    return ah < bh || (ah == bh && al < bl);
}

/* Shift right by n, OR-ing every bit shifted out into bit 0 ("jamming"). */
static inline void shr128_jam(uint64_t *hi, uint64_t *lo, int n)
{
    uint64_t h = *hi, l = *lo;
    if (n <= 0) {
        return;
    }
    if (n < 64) {
        *lo = (h << (64 - n)) | (l >> n) | ((l << (64 - n)) != 0);
        *hi = h >> n;
    } else if (n == 64) {
        *lo = h | (l != 0);
        *hi = 0;
    } else if (n < 128) {
        *lo = (h >> (n - 64)) | (((h << (128 - n)) | l) != 0);
        *hi = 0;
    } else {
        *lo = (h | l) != 0;
        *hi = 0;
    }
}

static inline void shl128(uint64_t *hi, uint64_t *lo, int n)
{
    if (n <= 0) {
        return;
    }
    if (n < 64) {
        *hi = (*hi << n) | (*lo >> (64 - n));
        *lo <<= n;
    } else {
        *hi = *lo << (n - 64);
        *lo = 0;
    }
}

/* Left-normalize a nonzero 128-bit significand; returns the shift. */
static inline int norm128(uint64_t *hi, uint64_t *lo)
{
    int n = *hi ? clz64(*hi) : 64 + clz64(*lo);
    shl128(hi, lo, n);
    return n;
}

typedef enum {
    FC_ZERO,
    FC_NORMAL,      /* finite nonzero, normalized: bit 63 of hi set */
    FC_INF,
    FC_QNAN,
    FC_SNAN,
    FC_BAD,         /* floatx80 unsupported encoding */
} FloatClass;

/* value = (hi:lo / 2^127) * 2^exp, i.e. exp is the exponent of hi bit 63. */
typedef struct FloatParts {
    uint64_t hi, lo;
    int32_t exp;
    bool sign;
    uint8_t cls;
    bool denormal;  /* the encoding was a denormal (x87: also a pseudo-denormal) */
} FloatParts;

static inline bool parts_is_nan(const FloatParts *p)
{
    return p->cls == FC_QNAN || p->cls == FC_SNAN;
}

/* IEEE interchange formats the SSE unit works on. */
typedef struct FloatFmt {
    int frac_bits;
    int exp_bits;
    int bias;
} FloatFmt;

static const FloatFmt sf_fmt32 = { 23, 8, 127 };
static const FloatFmt sf_fmt64 = { 52, 11, 1023 };

#define X80_BIAS 16383
#define X80_EMIN (1 - X80_BIAS)
#define X80_EMAX X80_BIAS

static inline uint64_t fmt_quiet_bit(const FloatFmt *f)
{
    return 1ull << (f->frac_bits - 1);
}

/* Unpack a float32/float64 bit pattern; DAZ turns denormals into zeros. */
SF_INLINE FloatParts unpack_f(uint64_t a, const FloatFmt *f, const float_status *s)
{
    FloatParts p;
    int emax_field = (1 << f->exp_bits) - 1;
    int e = (a >> f->frac_bits) & emax_field;
    uint64_t frac = a & ((1ull << f->frac_bits) - 1);

    p.sign = (a >> (f->frac_bits + f->exp_bits)) & 1;
    p.lo = 0;
    p.denormal = false;
    if (e == emax_field) {
        p.exp = 0;
        p.hi = frac;
        p.cls = !frac ? FC_INF : (frac & fmt_quiet_bit(f)) ? FC_QNAN : FC_SNAN;
    } else if (e == 0) {
        if (!frac || s->denormals_are_zero) {
            p.cls = FC_ZERO;
            p.hi = 0;
            p.exp = 0;
        } else {
            int n = clz64(frac);
            p.cls = FC_NORMAL;
            p.denormal = true;
            p.hi = frac << n;
            p.exp = 1 - f->bias - (n - (63 - f->frac_bits));
        }
    } else {
        p.cls = FC_NORMAL;
        p.hi = (frac | (1ull << f->frac_bits)) << (63 - f->frac_bits);
        p.exp = e - f->bias;
    }
    return p;
}

/* Unpack a floatx80 (SDM vol 1 8.2.2: unnormals, pseudo-NaNs/infinities are "bad"). */
static inline FloatParts unpack_x80(floatx80 a)
{
    FloatParts p;
    int e = a.sign_exp & 0x7fff;
    uint64_t m = a.mantissa;

    p.sign = a.sign_exp >> 15;
    p.lo = 0;
    p.hi = m;
    p.exp = 0;
    p.denormal = false;
    if (e == 0x7fff) {
        if (!(m >> 63)) {
            p.cls = FC_BAD;
        } else if (!(m << 1)) {
            p.cls = FC_INF;
        } else {
            p.cls = (m >> 62) & 1 ? FC_QNAN : FC_SNAN;
        }
    } else if (e == 0) {
        if (!m) {
            p.cls = FC_ZERO;
        } else {
            int n = clz64(m);
            p.cls = FC_NORMAL;
            p.denormal = true;
            p.hi = m << n;
            p.exp = X80_EMIN - n;
        }
    } else if (!(m >> 63)) {
        p.cls = FC_BAD;
    } else {
        p.cls = FC_NORMAL;
        p.exp = e - X80_BIAS;
    }
    return p;
}

/*
 * Split a 128-bit significand after its top (128 - n) bits, n >= 64: *kept gets the
 * top bits, *frac the next 64 with everything below jammed into bit 0.
 */
SF_INLINE void split_sig(uint64_t hi, uint64_t lo, int n, uint64_t *kept, uint64_t *frac)
{
    if (n == 64) {
        *kept = hi;
        *frac = lo;
    } else if (n < 128) {
        int r = n - 64;
        *kept = hi >> r;
        *frac = (hi << (64 - r)) | (lo >> r) | ((lo << (64 - r)) != 0);
    } else if (n == 128) {
        *kept = 0;
        *frac = hi | (lo != 0);
    } else if (n < 192) {
        int r = n - 128;
        *kept = 0;
        *frac = (hi >> r) | (((hi << (64 - r)) | lo) != 0);
    } else {
        *kept = 0;
        *frac = (hi | lo) != 0;
    }
}

static inline bool round_up_p(bool sign, uint64_t kept, uint64_t frac, int mode)
{
    switch (mode) {
    case float_round_nearest_even:
        return frac > SF_HALF || (frac == SF_HALF && (kept & 1));
    case float_round_down:
        return sign && frac;
    case float_round_up:
        return !sign && frac;
    default:
        return false;
    }
}

static inline uint64_t prec_mask(int prec)
{
    return prec == 64 ? ~0ull : (1ull << prec) - 1;
}

/* Result of rounding: the significand with its integer bit at bit prec - 1. */
typedef struct RoundOut {
    uint64_t sig;   /* 0 for zero; below 2^(prec-1) for denormals */
    int32_t exp;    /* unbiased exponent of the integer bit (emin for denormals) */
    bool inf;
} RoundOut;

/* x87 bias adjustment of unmasked overflow/underflow results (SDM vol 1 8.5.4). */
#define X87_BIAS_ADJUST 24576

/*
 * Round the nonzero finite value (sign, exp, hi:lo), hi bit 63 set, to prec bits and
 * the exponent range [emin, emax], raising the IEEE flags with the x86 masked
 * responses (SDM vol 1 4.9.1.4-4.9.1.6): overflow gives infinity or the largest finite
 * value by rounding direction; a tiny result is denormalized (or flushed to zero with
 * FTZ), and underflow is flagged only when it is also inexact. With underflow or
 * overflow unmasked, bias_adjust selects the x87 register response (exponent wrapped
 * by 24576, rounded normally); without it there is no result (SSE faults, FST does not
 * store) and the flags are those of rounding with an unbounded exponent.
 */
SF_INLINE RoundOut round_value(bool sign, int32_t exp, uint64_t hi, uint64_t lo, int prec,
                               int emin, int emax, bool bias_adjust, float_status *s)
{
    RoundOut r = { 0, 0, false };
    int mode = s->rounding_mode;
    uint64_t kept, frac;
    uint16_t saved = s->flags;
    int32_t exp0 = exp;
    bool adjusted = false;

retry:
    if (exp >= emin) {
        if (exp > emax) {
            goto overflow;
        }
        split_sig(hi, lo, 128 - prec, &kept, &frac);
        if (frac) {
            s->flags |= float_flag_inexact;
            if (round_up_p(sign, kept, frac, mode)) {
                s->flags |= float_flag_c1;
                if (kept == prec_mask(prec)) {
                    kept = 1ull << (prec - 1);
                    if (++exp > emax) {
                        goto overflow;
                    }
                } else {
                    kept++;
                }
            }
        }
        r.sig = kept;
        r.exp = exp;
        return r;
    }

    bool tiny = true;
    if (s->tininess == float_tininess_after_rounding && exp == emin - 1) {
        /* Would rounding with an unbounded exponent reach 2^emin? */
        split_sig(hi, lo, 128 - prec, &kept, &frac);
        if (kept == prec_mask(prec) && round_up_p(sign, kept, frac, mode)) {
            tiny = false;
        }
    }
    if (tiny && adjusted && bias_adjust) {
        /* Beyond the reach of the bias adjustment (FSCALE): signed zero. */
        s->flags |= float_flag_underflow | float_flag_inexact;
        r.exp = emin;
        return r;
    }
    if (tiny && (s->unmasked & float_flag_underflow) && !adjusted) {
        s->flags = saved | float_flag_underflow;
        adjusted = true;
        if (bias_adjust) {
            exp = exp0 + X87_BIAS_ADJUST;
        } else {
            /* No result: round with an unbounded exponent just for inexact. */
            exp = exp0;
            emin = INT32_MIN / 2;
        }
        goto retry;
    }
    if (tiny && s->flush_to_zero) {
        s->flags |= float_flag_underflow | float_flag_inexact;
        r.exp = emin;
        return r;
    }
    int sh = emin - exp;
    split_sig(hi, lo, 128 - prec + (sh > 200 ? 200 : sh), &kept, &frac);
    if (frac) {
        s->flags |= float_flag_inexact | (tiny ? float_flag_underflow : 0);
        if (round_up_p(sign, kept, frac, mode)) {
            s->flags |= float_flag_c1;
            kept++;
        }
    }
    r.sig = kept;
    r.exp = emin;
    return r;

overflow:
    if (adjusted && bias_adjust) {
        /* Beyond the reach of the bias adjustment (FSCALE): infinity, as measured. */
        s->flags |= float_flag_overflow | float_flag_inexact | float_flag_c1;
        r.inf = true;
        return r;
    }
    if ((s->unmasked & float_flag_overflow) && !adjusted) {
        s->flags = saved | float_flag_overflow;
        adjusted = true;
        if (bias_adjust) {
            exp = exp0 - X87_BIAS_ADJUST;
        } else {
            exp = exp0;
            emax = INT32_MAX / 2;
        }
        goto retry;
    }
    s->flags |= float_flag_overflow | float_flag_inexact;
    if (mode == float_round_nearest_even || (mode == float_round_up && !sign) ||
        (mode == float_round_down && sign)) {
        s->flags |= float_flag_c1;
        r.inf = true;
    } else {
        r.sig = prec_mask(prec);
        r.exp = emax;
    }
    return r;
}

static inline uint64_t pack_f(bool sign, RoundOut r, const FloatFmt *f)
{
    uint64_t e;
    uint64_t sbit = (uint64_t)sign << (f->frac_bits + f->exp_bits);
    if (r.inf) {
        return sbit | ((uint64_t)((1 << f->exp_bits) - 1) << f->frac_bits);
    }
    e = (r.sig >> f->frac_bits) ? (uint64_t)(r.exp + f->bias) : 0;
    return sbit | (e << f->frac_bits) | (r.sig & ((1ull << f->frac_bits) - 1));
}

/* Round and pack into a float32/float64 (SSE precision = the format's). */
static inline uint64_t round_pack_f(bool sign, int32_t exp, uint64_t hi, uint64_t lo,
                                    const FloatFmt *f, float_status *s)
{
    RoundOut r = round_value(sign, exp, hi, lo, f->frac_bits + 1, 1 - f->bias, f->bias, false,
                             s);
    return pack_f(sign, r, f);
}

static inline floatx80 pack_x80(bool sign, RoundOut r, int prec)
{
    uint16_t se = (uint16_t)sign << 15;
    if (r.inf) {
        return make_floatx80(se | 0x7fff, 1ull << 63);
    }
    uint64_t m = r.sig << (64 - prec);
    return make_floatx80(se | ((m >> 63) ? (uint16_t)(r.exp + X80_BIAS) : 0), m);
}

/* Round and pack into a floatx80 with prec significant bits (x87 precision control). */
static inline floatx80 round_pack_x80(bool sign, int32_t exp, uint64_t hi, uint64_t lo,
                                      int prec, float_status *s)
{
    RoundOut r = round_value(sign, exp, hi, lo, prec, X80_EMIN, X80_EMAX, true, s);
    return pack_x80(sign, r, prec);
}

static inline floatx80 x80_zero(bool sign)
{
    return make_floatx80((uint16_t)sign << 15, 0);
}

static inline floatx80 x80_inf(bool sign)
{
    return make_floatx80(((uint16_t)sign << 15) | 0x7fff, 1ull << 63);
}

static inline uint64_t f_zero(bool sign, const FloatFmt *f)
{
    return (uint64_t)sign << (f->frac_bits + f->exp_bits);
}

static inline uint64_t f_inf(bool sign, const FloatFmt *f)
{
    return f_zero(sign, f) | ((uint64_t)((1 << f->exp_bits) - 1) << f->frac_bits);
}

static inline uint64_t f_default_nan(const FloatFmt *f)
{
    return f_inf(true, f) | fmt_quiet_bit(f);
}

/* Exact operations on parts (softfloat.c). */
bool parts_add(FloatParts *r, const FloatParts *a, const FloatParts *b, int mode);
bool parts_mul(FloatParts *r, const FloatParts *a, const FloatParts *b);
bool parts_div(FloatParts *r, const FloatParts *a, const FloatParts *b, bool *divbyzero);
bool parts_sqrt(FloatParts *r, const FloatParts *a);
FloatRelation parts_compare(const FloatParts *a, const FloatParts *b);
uint64_t parts_to_uint(const FloatParts *p, int mode, bool *carry_out, float_status *s);

/* Consume the denormal-memory-operand note left by float*_to_floatx80_operand. */
static inline bool take_operand_denormal(float_status *s)
{
    bool d = s->flags & float_flag_operand_denormal;
    s->flags &= ~float_flag_operand_denormal;
    return d;
}

/* Shared by the floatx80 files. */
floatx80 x80_propagate_nan(floatx80 a, const FloatParts *pa, floatx80 b,
                           const FloatParts *pb, float_status *s);
floatx80 x80_quiet_nan(floatx80 a, const FloatParts *pa, float_status *s);
int x80_prec(const float_status *s);

#endif
