/*
 * x87 FPU helpers (SDM vol. 1 ch. 8, vol. 2 instruction pages): arithmetic,
 * comparisons, loads and stores in every format, stack management, control
 * word and status word, the MMX transition. The state is the legacy region of
 * env->xsave_area (fpu-internal.h); the numbers come from fpu/ (soft-float,
 * docs/devel/softfloat.md).
 *
 * Every instruction works on a copy of FSW (X87Op) and commits it at the end,
 * after its last memory access, so a page fault leaves the FPU untouched.
 * Fault rules (SDM vol. 1 §8.5): stack overflow/underflow set IE and SF (C1 =
 * 1 on overflow, 0 on underflow); when IE is masked the destination gets the
 * QNaN indefinite, else nothing but FSW changes. Unmasked IE, DE or ZE leave
 * the destination and the stack alone; unmasked OE/UE deliver the
 * bias-adjusted result to a register (soft-float does that) and store nothing
 * to memory. ES/B summarize unmasked flags; the next waiting instruction
 * raises #MF for them (helper_fpu_pending).
 */
#include "util/osdep.h"
#include "util/log.h"
#include "target/i386/decode.h"
#include "target/i386/tcg/tcg-internal.h"
#include "target/i386/tcg/fpu-internal.h"
#include "target/i386/tcg/helper.h"

static const floatx80 x87_indefinite = { .mantissa = floatx80_default_nan_mant,
                                         .sign_exp = floatx80_default_nan_se };
static const floatx80 x87_one = { .mantissa = 1ull << 63, .sign_exp = 0x3fff };

/* ---- state primitives ---- */

static void x87_write_top(CPUX86State *env, unsigned top)
{
    uint16_t fsw = x87_fsw(env);
    x87_set_fsw(env, (fsw & ~FSW_TOP_MASK) | ((top & 7) << FSW_TOP_SHIFT));
}

void x87_set_top(CPUX86State *env, unsigned top)
{
    unsigned old = x87_top(env), n = (top - old) & 7;
    uint8_t tmp[128];

    if (n) {
        /* New slot i is physical register top + i = old slot i + n. */
        uint8_t *st = env->xsave_area + X87_OFF_ST;
        memcpy(tmp, st + 16 * n, 128 - 16 * n);
        memcpy(tmp + 128 - 16 * n, st, 16 * n);
        memcpy(st, tmp, 128);
    }
    x87_write_top(env, top);
}

uint16_t x87_fsw_summary(uint16_t fsw, uint16_t fcw)
{
    if (fsw & ~fcw & FSW_EXC) {
        return fsw | FSW_ES | FSW_B;
    }
    return fsw & ~(FSW_ES | FSW_B);
}

static void x87_set_valid(CPUX86State *env, unsigned i, bool valid)
{
    unsigned p = (x87_top(env) + i) & 7;
    uint8_t ftw = x87_ftw(env);
    x87_set_ftw(env, valid ? ftw | (1u << p) : ftw & ~(1u << p));
}

/* Write ST(i) and mark it valid. */
static void x87_write(CPUX86State *env, unsigned i, floatx80 v)
{
    x87_put_st(env, i, v);
    x87_set_valid(env, i, true);
}

/* Make room for a push: TOP - 1 (the caller writes ST(0)). */
static void x87_push_slot(CPUX86State *env)
{
    x87_set_top(env, x87_top(env) - 1);
}

/* Pop: ST(0) becomes empty, TOP + 1. */
static void x87_pop(CPUX86State *env)
{
    x87_set_valid(env, 0, false);
    x87_set_top(env, x87_top(env) + 1);
}

/* Tag class of a value (SDM vol. 1 §8.1.7): 0 valid, 1 zero, 2 special. */
static unsigned x87_tag_class(floatx80 v)
{
    unsigned exp = v.sign_exp & 0x7fff;
    if (exp == 0) {
        return v.mantissa ? 2 : 1;
    }
    if (exp == 0x7fff || !(v.mantissa >> 63)) {
        return 2;
    }
    return 0;
}

uint16_t x87_full_tag_word(CPUX86State *env)
{
    unsigned top = x87_top(env);
    uint8_t ftw = x87_ftw(env);
    uint16_t tw = 0;

    for (unsigned p = 0; p < 8; p++) {
        unsigned t = 3;
        if (ftw & (1u << p)) {
            t = x87_tag_class(x87_get_st(env, p - top));
        }
        tw |= t << (2 * p);
    }
    return tw;
}

uint8_t x87_abridged_tag(uint16_t ftw)
{
    uint8_t r = 0;
    for (unsigned p = 0; p < 8; p++) {
        if (((ftw >> (2 * p)) & 3) != 3) {
            r |= 1u << p;
        }
    }
    return r;
}

void x87_init_state(CPUX86State *env)
{
    uint8_t *a = env->xsave_area;
    x87_set_top(env, 0);
    x87_st_le(a + X87_OFF_FCW, 2, FCW_INIT);
    x87_st_le(a + X87_OFF_FSW, 2, 0);
    a[X87_OFF_FTW] = 0;
    a[X87_OFF_FTW + 1] = 0;
    x87_st_le(a + X87_OFF_FOP, 2, 0);
    x87_st_le(a + X87_OFF_FIP, 8, 0);
    x87_st_le(a + X87_OFF_FDP, 8, 0);
}

/* ---- one instruction's status ---- */

typedef struct X87Op {
    CPUX86State *env;
    float_status fs;
    uint16_t fcw;
    uint16_t fsw;       /* FSW being built; TOP is taken from env at commit */
} X87Op;

static void x87_begin(X87Op *x, CPUX86State *env)
{
    x->env = env;
    x->fcw = x87_fcw(env);
    x->fsw = x87_fsw(env);
    float_status_from_fcw(&x->fs, x->fcw);
}

static void x87_commit(X87Op *x)
{
    uint16_t f = x->fsw | (x->fs.flags & FSW_EXC);
    if (x->fs.flags & float_flag_c1) {
        f |= FSW_C1;
    }
    f = (f & ~FSW_TOP_MASK) | (x87_fsw(x->env) & FSW_TOP_MASK);
    x87_set_fsw(x->env, x87_fsw_summary(f, x->fcw));
}

/*
 * An unmasked exception that suppresses the result (SDM vol. 1 §8.5). An
 * unmasked pre-computation exception (IE, DE, ZE) reports only those flags:
 * no rounding took place, so no PE, UE, OE or C1 (measured).
 */
static bool x87_fault(X87Op *x, unsigned which)
{
    unsigned pre = float_flag_invalid | float_flag_denormal | float_flag_divbyzero;
    unsigned hit = x->fs.flags & x->fs.unmasked & which;
    if (hit & pre) {
        x->fs.flags &= pre;
    }
    return hit;
}

#define X87_SUPPRESS (float_flag_invalid | float_flag_denormal | float_flag_divbyzero)
#define X87_SUPPRESS_MEM (X87_SUPPRESS | float_flag_overflow | float_flag_underflow)

/* Stack underflow: true when masked (the destination gets the indefinite). */
static bool x87_underflow(X87Op *x)
{
    x->fs.flags = (x->fs.flags & ~float_flag_c1) | float_flag_invalid;
    x->fsw = (x->fsw | FSW_SF) & ~FSW_C1;
    return x->fcw & FSW_IE;
}

/* Stack overflow on a push: true when masked. */
static bool x87_overflow(X87Op *x)
{
    x->fs.flags |= float_flag_invalid;
    x->fsw |= FSW_SF | FSW_C1;
    return x->fcw & FSW_IE;
}

static bool x87_push_full(CPUX86State *env)
{
    return x87_st_valid(env, 7);
}

static bool x87_valid(X87Op *x, unsigned i)
{
    return x87_st_valid(x->env, i);
}

static floatx80 x87_st(X87Op *x, unsigned i)
{
    return x87_get_st(x->env, i);
}

/* ---- pending exceptions and the MMX transition ---- */

/*
 * A waiting instruction found FSW.ES set (SDM vol. 1 §8.7): #MF with CR0.NE,
 * otherwise the FERR# pin, which emu does not wire to IRQ 13.
 */
static void x87_raise_pending(CPUX86State *env, uintptr_t ra)
{
    if (!(x87_fsw(env) & FSW_ES)) {
        return;
    }
    if (env->cr[0] & CR0_NE_MASK) {
        x86_raise_exception(env, EXCP10_COPR, ra);
    }
    emu_log_mask(LOG_UNIMP, "x87: unmasked exception pending with CR0.NE = 0 "
                 "(FERR#/IRQ 13 is not modelled), continuing\n");
}

void helper_fpu_pending(CPUX86State *env)
{
    x87_raise_pending(env, GETPC());
}

/*
 * MMX instructions (SDM vol. 1 §9.5): #MF for a pending x87 exception, then
 * TOP = 0 and every tag valid, so MMn is ST slot n (= physical register n).
 */
void helper_mmx_enter(CPUX86State *env)
{
    x87_raise_pending(env, GETPC());
    x87_set_top(env, 0);
    x87_set_ftw(env, 0xff);
}

void helper_emms(CPUX86State *env)
{
    x87_set_ftw(env, 0);
}

/* ---- arithmetic ---- */

/* Operation codes: ModRM.reg of the D8 group. */
enum { X87_ADD = 0, X87_MUL = 1, X87_SUB = 4, X87_SUBR = 5, X87_DIV = 6, X87_DIVR = 7 };

static floatx80 x87_arith(unsigned op, floatx80 a, floatx80 b, float_status *s)
{
    switch (op) {
    case X87_ADD:
        return floatx80_add(a, b, s);
    case X87_MUL:
        return floatx80_mul(a, b, s);
    case X87_SUB:
        return floatx80_sub(a, b, s);
    case X87_SUBR:
        return floatx80_sub(b, a, s);
    case X87_DIV:
        return floatx80_div(a, b, s);
    default:
        return floatx80_div(b, a, s);
    }
}

/* FADD/FMUL/FSUB/FSUBR/FDIV/FDIVR[P] ST(d), ST(s): X87_CTL_* fields. */
void helper_farith(CPUX86State *env, uint32_t ctl)
{
    unsigned op = ctl & 7, d = (ctl >> 4) & 7, src = (ctl >> 8) & 7;
    X87Op x;
    floatx80 r;

    x87_begin(&x, env);
    x.fsw &= ~FSW_C1;
    if (!x87_valid(&x, d) || !x87_valid(&x, src)) {
        if (!x87_underflow(&x)) {
            goto out;
        }
        r = x87_indefinite;
    } else {
        r = x87_arith(op, x87_st(&x, d), x87_st(&x, src), &x.fs);
        if (x87_fault(&x, X87_SUPPRESS)) {
            goto out;
        }
    }
    x87_write(env, d, r);
    if (ctl & X87_CTL_POP) {
        x87_pop(env);
    }
out:
    x87_commit(&x);
}

/* Alignment a memory operand of type @t needs with alignment checking on (SDM
 * vol. 3 Table 6-7: 80-bit values 8, the others their size; BCD measured as 8). */
static unsigned x87_mem_align(unsigned t)
{
    switch (t) {
    case X87_M16INT:
    case X87_M16INT_T:
        return 2;
    case X87_M32FP:
    case X87_M32INT:
    case X87_M32INT_T:
        return 4;
    default:
        return 8;
    }
}

/* Read a memory operand of type @t (the caller then runs the instruction). */
static uint64_t x87_load(CPUX86State *env, uint64_t addr, uint32_t ctl, unsigned t,
                         uint16_t *hi, uintptr_t ra)
{
    CPUState *cs = CPU(x86_env_get_cpu(env));
    int mmu = X87_CTL_MMU(ctl);
    uint64_t v;

    x86_check_alignment(env, addr, x87_mem_align(t), mmu, ra);
    switch (t) {
    case X87_M16INT:
        return (uint16_t)cpu_lduw_mmuidx_ra(cs, addr, mmu, ra);
    case X87_M32FP:
    case X87_M32INT:
        return cpu_ldl_mmuidx_ra(cs, addr, mmu, ra);
    case X87_M64FP:
    case X87_M64INT:
        return cpu_ldq_mmuidx_ra(cs, addr, mmu, ra);
    default:        /* m80 and packed BCD */
        v = cpu_ldq_mmuidx_ra(cs, addr, mmu, ra);
        *hi = cpu_lduw_mmuidx_ra(cs, x87_addr(ctl, addr, 8), mmu, ra);
        return v;
    }
}

/* The operand of FADD m32fp ... FIDIVR m16int, widened exactly. */
static floatx80 x87_operand(unsigned t, uint64_t v, float_status *s)
{
    switch (t) {
    case X87_M32FP:
        return float32_to_floatx80_operand((float32)v, s);
    case X87_M64FP:
        return float64_to_floatx80_operand(v, s);
    case X87_M16INT:
        return int32_to_floatx80((int16_t)v, s);
    default:
        return int32_to_floatx80((int32_t)v, s);
    }
}

/* FADD m32fp/m64fp, FIADD m16int/m32int and the rest of the D8/DC/DA/DE /r group. */
void helper_farith_m(CPUX86State *env, uint64_t addr, uint32_t ctl)
{
    unsigned t = X87_CTL_TYPE(ctl);
    uint64_t v = x87_load(env, addr, ctl, t, NULL, GETPC());
    X87Op x;
    floatx80 r;

    x87_begin(&x, env);
    x.fsw &= ~FSW_C1;
    if (!x87_valid(&x, 0)) {
        if (!x87_underflow(&x)) {
            goto out;
        }
        r = x87_indefinite;
    } else {
        floatx80 b = x87_operand(t, v, &x.fs);
        r = x87_arith(ctl & 7, x87_st(&x, 0), b, &x.fs);
        if (x87_fault(&x, X87_SUPPRESS)) {
            goto out;
        }
    }
    x87_write(env, 0, r);
out:
    x87_commit(&x);
}

/* ---- comparisons ---- */

static void x87_set_cc(X87Op *x, FloatRelation rel)
{
    static const uint16_t cc[4] = {
        [0] = FSW_C3,                       /* equal */
        [1] = 0,                            /* greater */
        [2] = FSW_C3 | FSW_C2 | FSW_C0,     /* unordered */
        [3] = FSW_C0,                       /* less */
    };
    x->fsw = (x->fsw & ~FSW_CC) | cc[rel & 3];
}

static FloatRelation x87_compare(X87Op *x, floatx80 a, floatx80 b, bool quiet)
{
    return quiet ? floatx80_compare_quiet(a, b, &x->fs) : floatx80_compare(a, b, &x->fs);
}

/*
 * FCOM/FCOMP/FCOMPP/FUCOM/FUCOMP/FUCOMPP ST(i): C3 C2 C0 (SDM vol. 2 FCOM
 * table), C1 = 0. The codes are set (unordered) even when an unmasked invalid
 * operand or stack fault stops the pop (measured).
 */
void helper_fcom_st(CPUX86State *env, uint32_t ctl)
{
    unsigned src = ctl & 7, pops = X87_CTL_POPS(ctl);
    X87Op x;
    FloatRelation rel;

    x87_begin(&x, env);
    if (!x87_valid(&x, 0) || !x87_valid(&x, src)) {
        x87_underflow(&x);
        rel = float_relation_unordered;
    } else {
        rel = x87_compare(&x, x87_st(&x, 0), x87_st(&x, src), ctl & X87_CTL_QUIET);
    }
    x87_set_cc(&x, rel);
    x.fsw &= ~FSW_C1;
    if (!x87_fault(&x, float_flag_invalid | float_flag_denormal)) {
        while (pops--) {
            x87_pop(env);
        }
    }
    x87_commit(&x);
}

/* FCOM/FCOMP m32fp/m64fp, FICOM/FICOMP m16int/m32int. */
void helper_fcom_m(CPUX86State *env, uint64_t addr, uint32_t ctl)
{
    unsigned t = X87_CTL_TYPE(ctl);
    uint64_t v = x87_load(env, addr, ctl, t, NULL, GETPC());
    X87Op x;
    FloatRelation rel;

    x87_begin(&x, env);
    if (!x87_valid(&x, 0)) {
        x87_underflow(&x);
        rel = float_relation_unordered;
    } else {
        floatx80 b = x87_operand(t, v, &x.fs);
        rel = floatx80_compare(x87_st(&x, 0), b, &x.fs);
    }
    x87_set_cc(&x, rel);
    x.fsw &= ~FSW_C1;
    if (X87_CTL_POPS(ctl) && !x87_fault(&x, float_flag_invalid | float_flag_denormal)) {
        x87_pop(env);
    }
    x87_commit(&x);
}

/*
 * FCOMI/FCOMIP/FUCOMI/FUCOMIP (SDM vol. 2): ZF PF CF from the comparison, OF
 * SF AF cleared, set (unordered) even when an unmasked invalid operand or
 * stack fault stops the pop; C1 changes only on a stack underflow (measured).
 */
uint64_t helper_fcomi(CPUX86State *env, uint32_t ctl)
{
    static const uint32_t fl[4] = {
        [0] = RFLAGS_ZF, [1] = 0, [2] = RFLAGS_ZF | RFLAGS_PF | RFLAGS_CF, [3] = RFLAGS_CF,
    };
    unsigned src = ctl & 7;
    X87Op x;
    FloatRelation rel;

    x87_begin(&x, env);
    if (!x87_valid(&x, 0) || !x87_valid(&x, src)) {
        x87_underflow(&x);
        rel = float_relation_unordered;
    } else {
        rel = x87_compare(&x, x87_st(&x, 0), x87_st(&x, src), ctl & X87_CTL_QUIET);
    }
    if (X87_CTL_POPS(ctl) && !x87_fault(&x, float_flag_invalid | float_flag_denormal)) {
        x87_pop(env);
    }
    x87_commit(&x);
    return fl[rel & 3];
}

/* ---- loads ---- */

/* Packed BCD (SDM vol. 1 §4.7): 18 digits in bytes 0-8, sign in byte 9 bit 7. */
static floatx80 x87_from_bcd(uint64_t lo, uint16_t hi, float_status *s)
{
    uint64_t n = 0;
    for (int i = 8; i >= 0; i--) {
        unsigned b = i == 8 ? hi & 0xff : (lo >> (8 * i)) & 0xff;
        n = n * 100 + (b >> 4) * 10 + (b & 15);
    }
    floatx80 r = int64_to_floatx80((int64_t)n, s);
    if (hi & 0x8000) {
        r.sign_exp |= 0x8000;
    }
    return r;
}

/* Push @v (FLD and friends); stack overflow pushes the indefinite when masked. */
static void x87_push_value(X87Op *x, floatx80 v)
{
    x87_push_slot(x->env);
    x87_write(x->env, 0, v);
}

/* FLD ST(i): the register is read before the push; no exception for SNaNs. */
void helper_fld_st(CPUX86State *env, uint32_t i)
{
    X87Op x;
    floatx80 v = x87_get_st(env, i);

    x87_begin(&x, env);
    x.fsw &= ~FSW_C1;
    if (!x87_valid(&x, i)) {
        /* Checked before overflow: C1 = 0 when both happen (measured). */
        if (!x87_underflow(&x)) {
            goto out;
        }
        v = x87_indefinite;
    } else if (x87_push_full(env)) {
        if (!x87_overflow(&x)) {
            goto out;
        }
        v = x87_indefinite;
    }
    x87_push_value(&x, v);
out:
    x87_commit(&x);
}

/* FLD m32fp/m64fp/m80fp, FILD m16/m32/m64int, FBLD m80bcd. */
void helper_fld_m(CPUX86State *env, uint64_t addr, uint32_t ctl)
{
    unsigned t = X87_CTL_TYPE(ctl);
    uint16_t hi = 0;
    uint64_t v = x87_load(env, addr, ctl, t, &hi, GETPC());
    X87Op x;
    floatx80 r;

    x87_begin(&x, env);
    x.fsw &= ~FSW_C1;
    if (x87_push_full(env)) {
        if (!x87_overflow(&x)) {
            goto out;
        }
        r = x87_indefinite;
    } else {
        switch (t) {
        case X87_M32FP:
            r = float32_to_floatx80((float32)v, &x.fs);
            break;
        case X87_M64FP:
            r = float64_to_floatx80(v, &x.fs);
            break;
        case X87_M80FP:
            r = make_floatx80(hi, v);
            break;
        case X87_M16INT:
            r = int32_to_floatx80((int16_t)v, &x.fs);
            break;
        case X87_M32INT:
            r = int32_to_floatx80((int32_t)v, &x.fs);
            break;
        case X87_M64INT:
            r = int64_to_floatx80((int64_t)v, &x.fs);
            break;
        default:
            r = x87_from_bcd(v, hi, &x.fs);
            break;
        }
        /* An unmasked DE does not stop the load (measured on AMD). */
        if (x87_fault(&x, float_flag_invalid)) {
            goto out;
        }
    }
    x87_push_value(&x, r);
out:
    x87_commit(&x);
}

/* ---- stores ---- */

/*
 * FBSTP: round by RC, then 18 decimal digits; NaN, infinity, unsupported or
 * |value| >= 10^18 is invalid (the packed BCD indefinite when masked).
 */
static bool x87_to_bcd(floatx80 v, uint64_t *lo, uint16_t *hi, float_status *s)
{
    static const uint64_t limit = 999999999999999999ull;
    unsigned exp = v.sign_exp & 0x7fff;
    floatx80 r;
    uint64_t n;

    if (exp == 0x7fff || floatx80_is_unsupported(v)) {
        s->flags |= float_flag_invalid;
        return false;
    }
    /* Like FIST, FBSTP raises no DE for a denormal operand (measured). */
    uint16_t before = s->flags;
    r = floatx80_round_to_int(v, s);
    s->flags &= ~float_flag_denormal | before;
    exp = r.sign_exp & 0x7fff;
    if (!r.mantissa) {
        n = 0;
    } else if (exp - 0x3fff >= 60) {
        n = limit + 1;
    } else {
        n = r.mantissa >> (63 - (exp - 0x3fff));
    }
    if (n > limit) {
        s->flags = (s->flags & ~(float_flag_inexact | float_flag_c1)) | float_flag_invalid;
        return false;
    }
    *lo = 0;
    *hi = (v.sign_exp & 0x8000) ? 0x8000 : 0;
    for (int i = 0; i < 9; i++) {
        unsigned d = n % 100;
        n /= 100;
        unsigned b = (d / 10) << 4 | (d % 10);
        if (i == 8) {
            *hi |= b;
        } else {
            *lo |= (uint64_t)b << (8 * i);
        }
    }
    return true;
}

/* The value FST/FIST/FBSTP stores for a masked invalid operation. */
static uint64_t x87_store_indefinite(unsigned t, uint16_t *hi)
{
    switch (t) {
    case X87_M32FP:
        return float32_default_nan;
    case X87_M64FP:
        return float64_default_nan;
    case X87_M80FP:
        *hi = floatx80_default_nan_se;
        return floatx80_default_nan_mant;
    case X87_M16INT:
    case X87_M16INT_T:
        return 0x8000;
    case X87_M32INT:
    case X87_M32INT_T:
        return 0x80000000u;
    case X87_M64INT:
    case X87_M64INT_T:
        return 1ull << 63;
    default:        /* packed BCD indefinite */
        *hi = 0xffff;
        return 0xc0ull << 56;
    }
}

static uint64_t x87_convert_store(unsigned t, floatx80 v, uint16_t *hi, float_status *s)
{
    switch (t) {
    case X87_M32FP:
        return floatx80_to_float32(v, s);
    case X87_M64FP:
        return floatx80_to_float64(v, s);
    case X87_M80FP:
        *hi = v.sign_exp;
        return v.mantissa;
    case X87_M16INT:
        return (uint16_t)floatx80_to_int16(v, s);
    case X87_M32INT:
        return (uint32_t)floatx80_to_int32(v, s);
    case X87_M64INT:
        return (uint64_t)floatx80_to_int64(v, s);
    case X87_M16INT_T:
        return (uint16_t)floatx80_to_int16_round_to_zero(v, s);
    case X87_M32INT_T:
        return (uint32_t)floatx80_to_int32_round_to_zero(v, s);
    case X87_M64INT_T:
        return (uint64_t)floatx80_to_int64_round_to_zero(v, s);
    default: {
        uint64_t lo;
        if (!x87_to_bcd(v, &lo, hi, s)) {
            return x87_store_indefinite(t, hi);
        }
        return lo;
    }
    }
}

/* FST/FSTP m32fp/m64fp/m80fp, FIST/FISTP/FISTTP m16/m32/m64int, FBSTP m80bcd. */
void helper_fst_m(CPUX86State *env, uint64_t addr, uint32_t ctl)
{
    CPUState *cs = CPU(x86_env_get_cpu(env));
    uintptr_t ra = GETPC();
    unsigned t = X87_CTL_TYPE(ctl);
    int mmu = X87_CTL_MMU(ctl);
    uint16_t hi = 0;
    uint64_t v;
    X87Op x;

    x87_begin(&x, env);
    x.fsw &= ~FSW_C1;
    if (!x87_valid(&x, 0)) {
        if (!x87_underflow(&x)) {
            goto out;
        }
        v = x87_store_indefinite(t, &hi);
    } else {
        v = x87_convert_store(t, x87_st(&x, 0), &hi, &x.fs);
        if (x87_fault(&x, X87_SUPPRESS_MEM)) {
            goto out;
        }
    }
    x86_check_alignment(env, addr, x87_mem_align(t), mmu, ra);
    switch (t) {
    case X87_M16INT:
    case X87_M16INT_T:
        cpu_stw_mmuidx_ra(cs, addr, v, mmu, ra);
        break;
    case X87_M32FP:
    case X87_M32INT:
    case X87_M32INT_T:
        cpu_stl_mmuidx_ra(cs, addr, v, mmu, ra);
        break;
    case X87_M64FP:
    case X87_M64INT:
    case X87_M64INT_T:
        cpu_stq_mmuidx_ra(cs, addr, v, mmu, ra);
        break;
    default:
        cpu_stq_mmuidx_ra(cs, addr, v, mmu, ra);
        cpu_stw_mmuidx_ra(cs, x87_addr(ctl, addr, 8), hi, mmu, ra);
        break;
    }
    if (ctl & X87_CTL_POP) {
        x87_pop(env);
    }
out:
    x87_commit(&x);
}

/* FST/FSTP ST(i): a plain copy of ST(0). */
void helper_fst_st(CPUX86State *env, uint32_t ctl)
{
    X87Op x;
    floatx80 v;

    x87_begin(&x, env);
    x.fsw &= ~FSW_C1;
    if (!x87_valid(&x, 0)) {
        if (!x87_underflow(&x)) {
            goto out;
        }
        v = x87_indefinite;
    } else {
        v = x87_st(&x, 0);
    }
    x87_write(env, ctl & 7, v);
    if (ctl & X87_CTL_POP) {
        x87_pop(env);
    }
out:
    x87_commit(&x);
}

/* ---- register moves and stack control ---- */

/* FXCH ST(i): an empty register takes part as the indefinite (measured). */
void helper_fxch(CPUX86State *env, uint32_t i)
{
    X87Op x;
    floatx80 a, b;

    x87_begin(&x, env);
    x.fsw &= ~FSW_C1;
    a = x87_st(&x, 0);
    b = x87_st(&x, i);
    if (!x87_valid(&x, 0) || !x87_valid(&x, i)) {
        if (!x87_underflow(&x)) {
            goto out;
        }
        if (!x87_valid(&x, 0)) {
            a = x87_indefinite;
        }
        if (!x87_valid(&x, i)) {
            b = x87_indefinite;
        }
    }
    x87_write(env, 0, b);
    x87_write(env, i, a);
out:
    x87_commit(&x);
}

/*
 * FCMOVcc ST(0), ST(i) with @cond already evaluated. An empty operand is a
 * stack underflow whatever the condition: ST(0) gets the indefinite (measured).
 * C1 changes only then.
 */
void helper_fcmov(CPUX86State *env, uint32_t i, uint32_t cond)
{
    X87Op x;

    x87_begin(&x, env);
    if (!x87_valid(&x, 0) || !x87_valid(&x, i)) {
        if (x87_underflow(&x)) {
            x87_write(env, 0, x87_indefinite);
        }
    } else if (cond) {
        x87_write(env, 0, x87_st(&x, i));
    }
    x87_commit(&x);
}

/* FFREE ST(i) / FFREEP ST(i): tag empty (then pop), C1 = 0. */
void helper_ffree(CPUX86State *env, uint32_t ctl)
{
    x87_set_fsw(env, x87_fsw(env) & ~FSW_C1);        /* measured */
    x87_set_valid(env, ctl & 7, false);
    if (ctl & X87_CTL_POP) {
        x87_pop(env);
    }
}

void helper_fldcw(CPUX86State *env, uint32_t val)
{
    uint16_t fcw = x87_fcw_stored(val);
    x87_st_le(env->xsave_area + X87_OFF_FCW, 2, fcw);
    x87_set_fsw(env, x87_fsw_summary(x87_fsw(env), fcw));
}

uint32_t helper_fnstcw(CPUX86State *env)
{
    return x87_fcw(env);
}

uint32_t helper_fnstsw(CPUX86State *env)
{
    return x87_fsw(env);
}

/* ---- the D9 E0-FF group and the other operand-less instructions ---- */

static void x87_fxam(X87Op *x)
{
    floatx80 v = x87_st(x, 0);
    unsigned exp = v.sign_exp & 0x7fff;
    uint16_t cc;

    if (!x87_valid(x, 0)) {
        cc = FSW_C3 | FSW_C0;
    } else if (exp == 0) {
        cc = v.mantissa ? FSW_C3 | FSW_C2 : FSW_C3;
    } else if (!(v.mantissa >> 63)) {
        cc = 0;                                         /* unsupported */
    } else if (exp == 0x7fff) {
        cc = (v.mantissa << 1) ? FSW_C0 : FSW_C2 | FSW_C0;
    } else {
        cc = FSW_C2;
    }
    if (v.sign_exp & 0x8000) {
        cc |= FSW_C1;
    }
    x->fsw = (x->fsw & ~FSW_CC) | cc;
}

/* ST(0) = fn(ST(0)) for the one-operand arithmetic instructions. */
static void x87_unary(X87Op *x, unsigned opcode)
{
    floatx80 a = x87_st(x, 0), r = a;
    bool ok = true;

    x->fsw &= ~FSW_C1;
    if (opcode == X86_OP_FSIN || opcode == X86_OP_FCOS) {
        x->fsw &= ~FSW_C2;
    }
    if (!x87_valid(x, 0)) {
        if (x87_underflow(x)) {
            x87_write(x->env, 0, x87_indefinite);
        }
        return;
    }
    switch (opcode) {
    case X86_OP_FCHS:
        r.sign_exp ^= 0x8000;
        break;
    case X86_OP_FABS:
        r.sign_exp &= 0x7fff;
        break;
    case X86_OP_F2XM1:
        r = floatx80_f2xm1(a, &x->fs);
        break;
    case X86_OP_FSQRT:
        r = floatx80_sqrt(a, &x->fs);
        break;
    case X86_OP_FRNDINT:
        r = floatx80_round_to_int(a, &x->fs);
        break;
    case X86_OP_FSIN:
        ok = floatx80_fsin(a, &r, &x->fs);
        break;
    case X86_OP_FCOS:
        ok = floatx80_fcos(a, &r, &x->fs);
        break;
    }
    if (!ok) {
        x->fsw |= FSW_C2;       /* |x| >= 2^63: operand unchanged */
        return;
    }
    if (!x87_fault(x, X87_SUPPRESS)) {
        x87_write(x->env, 0, r);
    }
}

/*
 * FYL2X, FYL2XP1, FPATAN (result in ST(1), pop) and FSCALE, FPREM, FPREM1
 * (result in ST(0)).
 */
static void x87_binary(X87Op *x, unsigned opcode)
{
    CPUX86State *env = x->env;
    bool to_st1 = opcode == X86_OP_FYL2X || opcode == X86_OP_FYL2XP1 ||
                  opcode == X86_OP_FPATAN;
    bool prem = opcode == X86_OP_FPREM || opcode == X86_OP_FPREM1;
    floatx80 a = x87_st(x, 0), b = x87_st(x, 1), r;
    uint64_t q = 0;
    bool partial = false;

    x->fsw &= ~FSW_C1;
    if (prem) {
        /* No remainder (stack fault, unmasked fault, NaN): C0 and C3 kept (measured). */
        x->fsw &= ~FSW_C2;
    }
    if (!x87_valid(x, 0) || !x87_valid(x, 1)) {
        if (!x87_underflow(x)) {
            return;
        }
        r = x87_indefinite;
        prem = false;
    } else {
        switch (opcode) {
        case X86_OP_FYL2X:
            r = floatx80_fyl2x(a, b, &x->fs);
            break;
        case X86_OP_FYL2XP1:
            r = floatx80_fyl2xp1(a, b, &x->fs);
            break;
        case X86_OP_FPATAN:
            r = floatx80_fpatan(b, a, &x->fs);
            break;
        case X86_OP_FSCALE:
            r = floatx80_scale(a, b, &x->fs);
            break;
        default:
            r = floatx80_prem(a, b, opcode == X86_OP_FPREM1, &q, &partial, &x->fs);
            break;
        }
        if (x87_fault(x, X87_SUPPRESS)) {
            return;
        }
    }
    if (prem) {
        /*
         * SDM vol. 2 FPREM: C2 = incomplete, else C0 C3 C1 = Q2 Q1 Q0. A NaN
         * result (NaN operand, invalid operation) keeps C0 and C3 (measured).
         */
        x->fs.flags &= ~float_flag_c1;
        if (floatx80_is_nan(r)) {
            /* C0 and C3 kept */
        } else if (partial) {
            x->fsw &= ~FSW_CC;
            x->fsw |= FSW_C2;
        } else {
            x->fsw &= ~FSW_CC;
            x->fsw |= (q & 4 ? FSW_C0 : 0) | (q & 2 ? FSW_C3 : 0) | (q & 1 ? FSW_C1 : 0);
        }
    }
    if (to_st1) {
        x87_write(env, 1, r);
        x87_pop(env);
    } else {
        x87_write(env, 0, r);
    }
}

/*
 * FPTAN, FSINCOS, FXTRACT: ST(0) is replaced and a second value pushed. An
 * empty ST(0) or a full stack leaves the indefinite in both (measured).
 */
static void x87_two_results(X87Op *x, unsigned opcode)
{
    CPUX86State *env = x->env;
    floatx80 a = x87_st(x, 0), r0, r1;

    x->fsw &= ~FSW_C1;
    if (opcode != X86_OP_FXTRACT) {
        x->fsw &= ~FSW_C2;
    }
    if (!x87_valid(x, 0) || x87_push_full(env)) {
        bool masked = x87_valid(x, 0) ? x87_overflow(x) : x87_underflow(x);
        if (masked) {
            x87_write(env, 0, x87_indefinite);
            x87_push_value(x, x87_indefinite);
        }
        return;
    }
    switch (opcode) {
    case X86_OP_FPTAN:
        if (!floatx80_fptan(a, &r0, &x->fs)) {
            x->fsw |= FSW_C2;
            return;
        }
        r1 = floatx80_is_nan(r0) ? r0 : x87_one;
        break;
    case X86_OP_FSINCOS:
        if (!floatx80_fsincos(a, &r0, &r1, &x->fs)) {
            x->fsw |= FSW_C2;
            return;
        }
        break;
    default:
        r1 = floatx80_extract(a, &r0, &x->fs);
        break;
    }
    if (x87_fault(x, X87_SUPPRESS)) {
        return;
    }
    x87_write(env, 0, r0);
    x87_push_value(x, r1);
}

static void x87_load_constant(X87Op *x, unsigned opcode)
{
    floatx80 v;

    x->fsw &= ~FSW_C1;
    if (x87_push_full(x->env)) {
        if (x87_overflow(x)) {
            x87_push_value(x, x87_indefinite);
        }
        return;
    }
    switch (opcode) {
    case X86_OP_FLD1:
        v = x87_one;
        break;
    case X86_OP_FLDZ:
        v = make_floatx80(0, 0);
        break;
    case X86_OP_FLDL2T:
        v = floatx80_load_constant(floatx80_const_log2_10, &x->fs);
        break;
    case X86_OP_FLDL2E:
        v = floatx80_load_constant(floatx80_const_log2_e, &x->fs);
        break;
    case X86_OP_FLDPI:
        v = floatx80_load_constant(floatx80_const_pi, &x->fs);
        break;
    case X86_OP_FLDLG2:
        v = floatx80_load_constant(floatx80_const_log10_2, &x->fs);
        break;
    default:
        v = floatx80_load_constant(floatx80_const_ln_2, &x->fs);
        break;
    }
    /* The constants are rounded by RC but raise nothing (measured). */
    x->fs.flags = 0;
    x87_push_value(x, v);
}

/* Operand-less x87 instructions, selected by X86Opcode. */
void helper_fop(CPUX86State *env, uint32_t opcode)
{
    X87Op x;

    switch (opcode) {
    case X86_OP_FNINIT:
        x87_init_state(env);
        return;
    case X86_OP_FNCLEX:
        x87_set_fsw(env, x87_fsw(env) & ~(FSW_EXC | FSW_SF | FSW_ES | FSW_B));
        return;
    default:
        break;
    }

    x87_begin(&x, env);
    switch (opcode) {
    case X86_OP_FNOP:
        break;
    case X86_OP_FINCSTP:
    case X86_OP_FDECSTP:
        x.fsw &= ~FSW_C1;
        x87_set_top(env, x87_top(env) + (opcode == X86_OP_FINCSTP ? 1 : -1));
        break;
    case X86_OP_FXAM:
        x87_fxam(&x);
        break;
    case X86_OP_FTST:
        x.fsw &= ~FSW_C1;
        if (!x87_valid(&x, 0)) {
            x87_underflow(&x);
            x87_set_cc(&x, float_relation_unordered);
        } else {
            x87_set_cc(&x, floatx80_compare(x87_st(&x, 0), make_floatx80(0, 0), &x.fs));
        }
        break;
    case X86_OP_FCHS:
    case X86_OP_FABS:
    case X86_OP_F2XM1:
    case X86_OP_FSQRT:
    case X86_OP_FRNDINT:
    case X86_OP_FSIN:
    case X86_OP_FCOS:
        x87_unary(&x, opcode);
        break;
    case X86_OP_FYL2X:
    case X86_OP_FYL2XP1:
    case X86_OP_FPATAN:
    case X86_OP_FSCALE:
    case X86_OP_FPREM:
    case X86_OP_FPREM1:
        x87_binary(&x, opcode);
        break;
    case X86_OP_FPTAN:
    case X86_OP_FSINCOS:
    case X86_OP_FXTRACT:
        x87_two_results(&x, opcode);
        break;
    case X86_OP_FLD1:
    case X86_OP_FLDL2T:
    case X86_OP_FLDL2E:
    case X86_OP_FLDPI:
    case X86_OP_FLDLG2:
    case X86_OP_FLDLN2:
    case X86_OP_FLDZ:
        x87_load_constant(&x, opcode);
        break;
    default:
        g_assert_not_reached();
    }
    x87_commit(&x);
}
