/*
 * SSE/SSE2/SSE3/SSE4.1 floating-point helpers on fpu/ soft-float: MXCSR
 * rounding, FTZ and DAZ, flags accumulated into MXCSR, unmasked exceptions
 * as #XM (or #UD without CR4.OSXMMEXCPT) before the destination is written
 * (SDM vol. 1 §11.5; vol. 2 instruction pages; docs/devel/softfloat.md).
 */
#include "util/osdep.h"
#include "target/i386/tcg/sse-internal.h"
#include "target/i386/tcg/helper.h"

void sse_fp_commit(CPUX86State *env, unsigned pre, unsigned post, uintptr_t ra)
{
    uint32_t mx = sse_get_mxcsr(env);
    unsigned unmasked = ~(mx >> 7) & MXCSR_FLAGS;
    bool fault = false;

    pre &= MXCSR_FLAGS;
    post &= MXCSR_FLAGS;
    if (pre & unmasked) {
        /* The operation is not performed: no post-computation flags. */
        mx |= pre;
        fault = true;
    } else {
        mx |= pre | post;
        fault = ((pre | post) & unmasked) != 0;
    }
    sse_set_mxcsr(env, mx);
    if (fault) {
        x86_raise_exception(env, (env->cr[4] & CR4_OSXMMEXCPT_MASK) ? EXCP13_XMM
                                                                  : EXCP06_ILLOP, ra);
    }
}

/* MXCSR load (LDMXCSR): reserved bits set -> #GP(0) (SDM vol. 2 "LDMXCSR"). */
void helper_ldmxcsr(CPUX86State *env, uint32_t val)
{
    if (val & ~X86_MXCSR_MASK) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, GETPC());
    }
    sse_set_mxcsr(env, val);
}

/* ---- arithmetic ---- */

#define FP_BIN(name, F, n, scalar, expr)                                                \
    void helper_##name(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)  \
    {                                                                                  \
        X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r = *d;               \
        float_status st;                                                               \
        unsigned pre = 0, post = 0;                                                    \
        sse_status(env, &st);                                                          \
        for (unsigned i = 0; i < ((scalar) ? 1 : (n)); i++) {                          \
            __typeof__(d->F[0]) a = d->F[i], b = s->F[i];                              \
            (void)a;                                                                   \
            r.F[i] = (expr);                                                           \
            sse_lane_flags(&st, &pre, &post);                                          \
        }                                                                              \
        sse_fp_commit(env, pre, post, GETPC());                                        \
        *d = r;                                                                        \
    }

#define FP_BIN4(op, expr32, expr64)            \
    FP_BIN(op##ps, f32, 4, false, expr32)      \
    FP_BIN(op##pd, f64, 2, false, expr64)      \
    FP_BIN(op##ss, f32, 4, true, expr32)       \
    FP_BIN(op##sd, f64, 2, true, expr64)

FP_BIN4(add, float32_add(a, b, &st), float64_add(a, b, &st))
FP_BIN4(sub, float32_sub(a, b, &st), float64_sub(a, b, &st))
FP_BIN4(mul, float32_mul(a, b, &st), float64_mul(a, b, &st))
FP_BIN4(div, float32_div(a, b, &st), float64_div(a, b, &st))
FP_BIN4(min, float32_min(a, b, &st), float64_min(a, b, &st))
FP_BIN4(max, float32_max(a, b, &st), float64_max(a, b, &st))
FP_BIN4(sqrt, float32_sqrt(b, &st), float64_sqrt(b, &st))

/* SSE3 ADDSUBPS/PD: subtract in even lanes, add in odd ones. */
FP_BIN(addsubps, f32, 4, false,
       (i & 1) ? float32_add(a, b, &st) : float32_sub(a, b, &st))
FP_BIN(addsubpd, f64, 2, false,
       (i & 1) ? float64_add(a, b, &st) : float64_sub(a, b, &st))

/* SSE3 horizontal ops: pairs of the destination, then pairs of the source. */
#define FP_HOP(name, F, n, fn)                                                          \
    void helper_##name(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)  \
    {                                                                                  \
        X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;                    \
        float_status st;                                                               \
        unsigned pre = 0, post = 0;                                                    \
        sse_status(env, &st);                                                          \
        for (unsigned i = 0; i < (n) / 2; i++) {                                       \
            r.F[i] = fn(d->F[2 * i], d->F[2 * i + 1], &st);                            \
            sse_lane_flags(&st, &pre, &post);                                          \
        }                                                                              \
        for (unsigned i = 0; i < (n) / 2; i++) {                                       \
            r.F[(n) / 2 + i] = fn(s->F[2 * i], s->F[2 * i + 1], &st);                  \
            sse_lane_flags(&st, &pre, &post);                                          \
        }                                                                              \
        sse_fp_commit(env, pre, post, GETPC());                                        \
        *d = r;                                                                        \
    }
FP_HOP(haddps, f32, 4, float32_add)
FP_HOP(haddpd, f64, 2, float64_add)
FP_HOP(hsubps, f32, 4, float32_sub)
FP_HOP(hsubpd, f64, 2, float64_sub)

/* ---- compares ---- */

/*
 * CMPPS predicates 0-7 (imm8[2:0]; the SSE forms ignore the other bits):
 * EQ_OQ, LT_OS, LE_OS, UNORD_Q, NEQ_UQ, NLT_US, NLE_US, ORD_Q. The _S ones
 * signal invalid for a QNaN operand too.
 */
static bool cmp_pred(FloatRelation rel, unsigned pred)
{
    switch (pred & 7) {
    case 0: return rel == float_relation_equal;
    case 1: return rel == float_relation_less;
    case 2: return rel == float_relation_less || rel == float_relation_equal;
    case 3: return rel == float_relation_unordered;
    case 4: return rel != float_relation_equal;
    case 5: return rel != float_relation_less;
    case 6: return rel != float_relation_less && rel != float_relation_equal;
    default: return rel != float_relation_unordered;
    }
}

static bool cmp_signaling(unsigned pred)
{
    return (pred & 3) == 1 || (pred & 3) == 2;
}

#define FP_CMP(name, F, n, scalar, T, cmp)                                              \
    void helper_##name(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)  \
    {                                                                                  \
        X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r = *d;               \
        float_status st;                                                               \
        unsigned pre = 0, post = 0;                                                    \
        sse_status(env, &st);                                                          \
        for (unsigned i = 0; i < ((scalar) ? 1 : (n)); i++) {                          \
            FloatRelation rel = cmp_signaling(imm) ? cmp(d->F[i], s->F[i], &st)        \
                                                   : cmp##_quiet(d->F[i], s->F[i], &st); \
            r.F[i] = cmp_pred(rel, imm) ? (T)-1 : 0;                                   \
            sse_lane_flags(&st, &pre, &post);                                          \
        }                                                                              \
        sse_fp_commit(env, pre, post, GETPC());                                        \
        *d = r;                                                                        \
    }
FP_CMP(cmpps, f32, 4, false, float32, float32_compare)
FP_CMP(cmppd, f64, 2, false, float64, float64_compare)
FP_CMP(cmpss, f32, 4, true, float32, float32_compare)
FP_CMP(cmpsd, f64, 2, true, float64, float64_compare)

/*
 * COMISS/UCOMISS (SDM vol. 2): ZF,PF,CF = 111 unordered, 000 greater, 001 less,
 * 100 equal; OF, SF, AF cleared. Returns the arithmetic flags.
 */
static uint64_t comi_flags(FloatRelation rel)
{
    switch (rel) {
    case float_relation_unordered: return RFLAGS_ZF | RFLAGS_PF | RFLAGS_CF;
    case float_relation_less: return RFLAGS_CF;
    case float_relation_equal: return RFLAGS_ZF;
    default: return 0;
    }
}

#define FP_COMI(name, F, cmp)                                                           \
    uint64_t helper_##name(CPUX86State *env, uint32_t doff, uint32_t soff)            \
    {                                                                                  \
        float_status st;                                                               \
        sse_status(env, &st);                                                          \
        FloatRelation rel = cmp(sse_vec(env, doff)->F[0], sse_vec(env, soff)->F[0], &st); \
        sse_fp_commit(env, st.flags, 0, GETPC());                                      \
        return comi_flags(rel);                                                        \
    }
FP_COMI(comiss, f32, float32_compare)
FP_COMI(ucomiss, f32, float32_compare_quiet)
FP_COMI(comisd, f64, float64_compare)
FP_COMI(ucomisd, f64, float64_compare_quiet)

/* ---- conversions ---- */

/* CVTSI2SS/SD: @is64 selects a 64-bit integer source (REX.W). */
void helper_cvtsi2ss(CPUX86State *env, uint32_t doff, uint64_t val, uint32_t is64)
{
    float_status st;
    sse_status(env, &st);
    float32 r = is64 ? int64_to_float32(val, &st) : int32_to_float32((int32_t)val, &st);
    sse_fp_commit(env, 0, st.flags, GETPC());
    sse_vec(env, doff)->f32[0] = r;
}

void helper_cvtsi2sd(CPUX86State *env, uint32_t doff, uint64_t val, uint32_t is64)
{
    float_status st;
    sse_status(env, &st);
    float64 r = is64 ? int64_to_float64(val, &st) : int32_to_float64((int32_t)val, &st);
    sse_fp_commit(env, 0, st.flags, GETPC());
    sse_vec(env, doff)->f64[0] = r;
}

/* CVT(T)SS2SI / CVT(T)SD2SI: a 32-bit result comes back zero-extended. */
#define FP_TOINT(name, T, F, c32, c64)                                                  \
    uint64_t helper_##name(CPUX86State *env, uint32_t soff, uint32_t is64)            \
    {                                                                                  \
        float_status st;                                                               \
        uint64_t r;                                                                    \
        sse_status(env, &st);                                                          \
        T a = sse_vec(env, soff)->F[0];                                                \
        r = is64 ? (uint64_t)c64(a, &st) : (uint32_t)c32(a, &st);                      \
        sse_fp_commit(env, st.flags & SSE_PRE_FLAGS, st.flags & ~SSE_PRE_FLAGS,       \
                      GETPC());                                                        \
        return r;                                                                      \
    }
FP_TOINT(cvtss2si, float32, f32, float32_to_int32, float32_to_int64)
FP_TOINT(cvttss2si, float32, f32, float32_to_int32_round_to_zero,
         float32_to_int64_round_to_zero)
FP_TOINT(cvtsd2si, float64, f64, float64_to_int32, float64_to_int64)
FP_TOINT(cvttsd2si, float64, f64, float64_to_int32_round_to_zero,
         float64_to_int64_round_to_zero)

/* Lane conversions; len is the bytes of the destination written (8: MMX). */
#define FP_CONV(name, ...)                                                              \
    void helper_##name(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)  \
    {                                                                                  \
        X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r = *d;               \
        float_status st;                                                               \
        unsigned pre = 0, post = 0;                                                    \
        sse_status(env, &st);                                                          \
        __VA_ARGS__                                                                    \
        sse_fp_commit(env, pre, post, GETPC());                                        \
        memcpy(d, &r, len);                                                            \
    }
#define LANES(n, stmt)                                                                  \
    for (unsigned i = 0; i < (n); i++) {                                               \
        stmt;                                                                          \
        sse_lane_flags(&st, &pre, &post);                                              \
    }

/* ps <-> pd, ss <-> sd */
FP_CONV(cvtps2pd, LANES(2, r.f64[i] = float32_to_float64(s->f32[i], &st)))
FP_CONV(cvtpd2ps, LANES(2, r.f32[i] = float64_to_float32(s->f64[i], &st)) r.q[1] = 0;)
FP_CONV(cvtss2sd, LANES(1, r.f64[0] = float32_to_float64(s->f32[0], &st)))
FP_CONV(cvtsd2ss, LANES(1, r.f32[0] = float64_to_float32(s->f64[0], &st)))
/* dq <-> ps */
FP_CONV(cvtdq2ps, LANES(4, r.f32[i] = int32_to_float32(s->sl[i], &st)))
FP_CONV(cvtps2dq, LANES(4, r.l[i] = float32_to_int32(s->f32[i], &st)))
FP_CONV(cvttps2dq, LANES(4, r.l[i] = float32_to_int32_round_to_zero(s->f32[i], &st)))
/* dq <-> pd: two lanes, the upper half of an XMM result zeroed */
FP_CONV(cvtdq2pd, LANES(2, r.f64[i] = int32_to_float64(s->sl[i], &st)))
FP_CONV(cvtpd2dq, LANES(2, r.l[i] = float64_to_int32(s->f64[i], &st)) r.q[1] = 0;)
FP_CONV(cvttpd2dq, LANES(2, r.l[i] = float64_to_int32_round_to_zero(s->f64[i], &st))
        r.q[1] = 0;)
/* MMX forms: pi = two int32 in an MMX register or m64 */
FP_CONV(cvtpi2ps, LANES(2, r.f32[i] = int32_to_float32(s->sl[i], &st)))
FP_CONV(cvtpi2pd, LANES(2, r.f64[i] = int32_to_float64(s->sl[i], &st)))
FP_CONV(cvtps2pi, LANES(2, r.l[i] = float32_to_int32(s->f32[i], &st)))
FP_CONV(cvttps2pi, LANES(2, r.l[i] = float32_to_int32_round_to_zero(s->f32[i], &st)))
FP_CONV(cvtpd2pi, LANES(2, r.l[i] = float64_to_int32(s->f64[i], &st)))
FP_CONV(cvttpd2pi, LANES(2, r.l[i] = float64_to_int32_round_to_zero(s->f64[i], &st)))

/* ---- SSE4.1 rounding and dot products ---- */

/*
 * ROUNDPS/PD/SS/SD imm8: [1:0] rounding mode, [2] use MXCSR.RC instead,
 * [3] suppress the precision exception.
 */
static int round_mode(float_status *st, uint32_t imm)
{
    return (imm & 4) ? st->rounding_mode : (imm & 3);
}

#define FP_ROUND(name, F, n, fn)                                                        \
    void helper_##name(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)  \
    {                                                                                  \
        X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r = *d;               \
        float_status st;                                                               \
        unsigned pre = 0, post = 0;                                                    \
        sse_status(env, &st);                                                          \
        LANES(n, r.F[i] = fn(s->F[i], round_mode(&st, imm), imm & 8, &st))             \
        sse_fp_commit(env, pre, post, GETPC());                                        \
        *d = r;                                                                        \
    }
FP_ROUND(roundps, f32, 4, float32_round_to_int_mode)
FP_ROUND(roundpd, f64, 2, float64_round_to_int_mode)
FP_ROUND(roundss, f32, 1, float32_round_to_int_mode)
FP_ROUND(roundsd, f64, 1, float64_round_to_int_mode)

/*
 * DPPS (SDM vol. 2 "DPPS"): products of the lanes selected by imm8[7:4] (+0.0
 * elsewhere), summed as (p0 + p1) + (p2 + p3), stored in the lanes imm8[3:0]
 * selects (+0.0 elsewhere). Every multiply and add rounds and raises flags.
 * The steps run in stages (the multiplies, then each level of adds); each
 * stage's flags reach MXCSR before the next runs, so a fault in a later stage
 * (a denormal product as an add operand with DM clear, say) leaves the earlier
 * stages' flags set, as measured on the host.
 */
void helper_dpps(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    uintptr_t ra = GETPC();
    float_status st;
    unsigned pre = 0, post = 0;
    float32 p[4], t1, t2, sum;

    sse_status(env, &st);
    for (unsigned i = 0; i < 4; i++) {
        p[i] = 0;
        if (imm & (0x10u << i)) {
            p[i] = float32_mul(d->f32[i], s->f32[i], &st);
            sse_lane_flags(&st, &pre, &post);
        }
    }
    sse_fp_commit(env, pre, post, ra);
    pre = post = 0;
    t1 = float32_add(p[0], p[1], &st);
    sse_lane_flags(&st, &pre, &post);
    t2 = float32_add(p[2], p[3], &st);
    sse_lane_flags(&st, &pre, &post);
    sse_fp_commit(env, pre, post, ra);
    pre = post = 0;
    sum = float32_add(t1, t2, &st);
    sse_lane_flags(&st, &pre, &post);
    sse_fp_commit(env, pre, post, ra);
    for (unsigned i = 0; i < 4; i++) {
        r.f32[i] = (imm & (1u << i)) ? sum : 0;
    }
    *d = r;
}

void helper_dppd(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t imm)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    uintptr_t ra = GETPC();
    float_status st;
    unsigned pre = 0, post = 0;
    float64 p[2], sum;

    sse_status(env, &st);
    for (unsigned i = 0; i < 2; i++) {
        p[i] = 0;
        if (imm & (0x10u << i)) {
            p[i] = float64_mul(d->f64[i], s->f64[i], &st);
            sse_lane_flags(&st, &pre, &post);
        }
    }
    sse_fp_commit(env, pre, post, ra);
    pre = post = 0;
    sum = float64_add(p[0], p[1], &st);
    sse_lane_flags(&st, &pre, &post);
    sse_fp_commit(env, pre, post, ra);
    for (unsigned i = 0; i < 2; i++) {
        r.f64[i] = (imm & (1u << i)) ? sum : 0;
    }
    *d = r;
}

/* ---- approximations ---- */

/*
 * RCPPS/RSQRTPS (SDM vol. 2): |relative error| <= 1.5 * 2^-12; no flags, MXCSR
 * ignored. Intel's and AMD's tables differ and neither is documented, so emu
 * returns the correctly rounded value, which lies within every vendor's
 * bound. The special cases are the SDM's: a denormal operand counts as a
 * zero (-> infinity of its sign), tiny results are flushed to a zero of the
 * operand's sign, NaNs come back quieted, RSQRT of a negative number is the
 * default NaN and of -0 is -infinity.
 */
static float32 approx_rcp(float32 a)
{
    float_status st = { .rounding_mode = float_round_nearest_even,
                        .flush_to_zero = true, .denormals_are_zero = true };
    return float32_div(0x3f800000, a, &st);
}

static float32 approx_rsqrt(float32 a)
{
    float_status st = { .rounding_mode = float_round_nearest_even,
                        .flush_to_zero = true, .denormals_are_zero = true };
    return float32_div(0x3f800000, float32_sqrt(a, &st), &st);
}

void helper_rcpps(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    for (unsigned i = 0; i < 4; i++) {
        r.f32[i] = approx_rcp(s->f32[i]);
    }
    *d = r;
}

void helper_rcpss(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    sse_vec(env, doff)->f32[0] = approx_rcp(sse_vec(env, soff)->f32[0]);
}

void helper_rsqrtps(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    X86Vec *d = sse_vec(env, doff), *s = sse_vec(env, soff), r;
    for (unsigned i = 0; i < 4; i++) {
        r.f32[i] = approx_rsqrt(s->f32[i]);
    }
    *d = r;
}

void helper_rsqrtss(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t len)
{
    sse_vec(env, doff)->f32[0] = approx_rsqrt(sse_vec(env, soff)->f32[0]);
}
