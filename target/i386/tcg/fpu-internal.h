/*
 * x87/SSE state as the TCG helpers see it: the legacy FXSAVE region of
 * env->xsave_area (SDM vol. 1 §10.5.1, Table 10-2), which is the only copy of
 * that state for every accelerator. Layout (64-bit format, little-endian):
 *
 *   0 FCW   2 FSW (TOP in bits 13:11)   4 abridged FTW (bit p: physical
 *   register p valid)   6 FOP   8 FIP (64 bits)   16 FDP (64 bits)
 *   24 MXCSR   28 MXCSR_MASK   32 + 16 * i: ST(i) in *stack* order (10 bytes,
 *   6 reserved bytes kept zero)   160 + 16 * n: XMMn
 *
 * Stack order means ST(i) is physical register (TOP + i) & 7: a push or pop
 * changes TOP and rotates the eight slots, so ST(0) is always at offset 32.
 * FCS/FDS are not kept (the 64-bit format has no room for them): FSTENV,
 * FSAVE and the 32-bit FXSAVE store them as 0, like CPUs that report
 * CPUID.(EAX=7,ECX=0):EBX[13] ("FPU CS and FPU DS deprecated").
 *
 * MMX (docs/devel/x86-translator.md "x87 and MMX"): helper_mmx_enter makes
 * TOP 0 and every tag valid, so MMn is slot n's low 64 bits.
 */
#ifndef TARGET_I386_TCG_FPU_INTERNAL_H
#define TARGET_I386_TCG_FPU_INTERNAL_H

#include "target/i386/cpu.h"
#include "fpu/softfloat.h"

enum {
    X87_OFF_FCW = 0,
    X87_OFF_FSW = 2,
    X87_OFF_FTW = 4,
    X87_OFF_FOP = 6,
    X87_OFF_FIP = 8,
    X87_OFF_FDP = 16,
    X87_OFF_MXCSR = X86_XSAVE_MXCSR_OFFSET,
    X87_OFF_MXCSR_MASK = 28,
    X87_OFF_ST = X86_XSAVE_ST_OFFSET,
    X87_OFF_XMM = X86_XSAVE_XMM_OFFSET,
};

/* FSW bits (SDM vol. 1 §8.1.3). */
#define FSW_IE 0x0001
#define FSW_DE 0x0002
#define FSW_ZE 0x0004
#define FSW_OE 0x0008
#define FSW_UE 0x0010
#define FSW_PE 0x0020
#define FSW_SF 0x0040
#define FSW_ES 0x0080
#define FSW_C0 0x0100
#define FSW_C1 0x0200
#define FSW_C2 0x0400
#define FSW_TOP_SHIFT 11
#define FSW_TOP_MASK 0x3800
#define FSW_C3 0x4000
#define FSW_B  0x8000
#define FSW_EXC 0x003f
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)

/*
 * FCW (SDM vol. 1 §8.1.5): bits 0-5 masks, 8-9 PC, 10-11 RC, 12 X. Bit 6
 * reads as 1 and bits 13-15 as 0 whatever FLDCW loads (measured).
 */
#define FCW_STORED_MASK 0x1f3f
#define FCW_ONE_BITS    0x0040
#define FCW_INIT        0x037f

/*
 * MXCSR bits a guest may set: everything up to DAZ/FZ (SDM vol. 1 §10.5.1.2
 * MXCSR_MASK); LDMXCSR, FXRSTOR and XRSTOR raise #GP(0) for the others.
 */
#define X86_MXCSR_MASK 0xffffu
#define X86_MXCSR_INIT 0x00001f80u

/*
 * The i32 "ctl" argument translate-x87.c passes to the x87 helpers:
 * bits 0-2 an operation (D8 /reg) or ST index, 3 unordered compare, 4-7 a
 * memory type (farith: destination index in 4-6), 8-10 source index, 12 pop
 * once, 13-14 pop count (compares), 16-18 MMU index, 20 wrap addresses at
 * 4 GiB, 21 32-bit operand size (env/save images), 22 protected-mode image
 * format, 23 REX.W (64-bit FXSAVE/XSAVE format), 24 64-bit mode, 25-26 the
 * XSAVE variant.
 */
#define X87_CTL_QUIET      (1u << 3)
#define X87_CTL_TYPE(c)    (((c) >> 4) & 15)
#define X87_CTL_POP        (1u << 12)
#define X87_CTL_POPS(c)    (((c) >> 13) & 3)
#define X87_CTL_MMU_SHIFT  16
#define X87_CTL_MMU(c)     ((int)(((c) >> X87_CTL_MMU_SHIFT) & 7))
#define X87_CTL_A32        (1u << 20)
#define X87_CTL_OP32       (1u << 21)
#define X87_CTL_PROT       (1u << 22)
#define X87_CTL_REXW       (1u << 23)
#define X87_CTL_CODE64     (1u << 24)
#define X87_CTL_XVAR_SHIFT 25
#define X87_CTL_XVAR(c)    (((c) >> X87_CTL_XVAR_SHIFT) & 3)

/* Memory operand types. */
enum {
    X87_M32FP, X87_M64FP, X87_M80FP, X87_M16INT, X87_M32INT, X87_M64INT, X87_BCD,
    X87_M16INT_T, X87_M32INT_T, X87_M64INT_T,   /* FISTTP: truncating */
};

/* XSAVE variants. */
enum { X87_XSAVE, X87_XSAVEOPT, X87_XSAVEC };

/* Byte @off of a guest memory image at @addr (linear, wrapped outside 64-bit mode). */
static inline uint64_t x87_addr(uint32_t ctl, uint64_t addr, unsigned off)
{
    addr += off;
    return (ctl & X87_CTL_A32) ? (uint32_t)addr : addr;
}

/* Little-endian fields of the image (endian-neutral on the host). */
static inline uint64_t x87_ld_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static inline void x87_st_le(uint8_t *p, unsigned n, uint64_t v)
{
    for (unsigned i = 0; i < n; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static inline uint16_t x87_fcw(const CPUX86State *env)
{
    return x87_ld_le(env->xsave_area + X87_OFF_FCW, 2);
}

static inline uint16_t x87_fsw(const CPUX86State *env)
{
    return x87_ld_le(env->xsave_area + X87_OFF_FSW, 2);
}

static inline void x87_set_fsw(CPUX86State *env, uint16_t fsw)
{
    x87_st_le(env->xsave_area + X87_OFF_FSW, 2, fsw);
}

static inline unsigned x87_top(const CPUX86State *env)
{
    return (x87_fsw(env) >> FSW_TOP_SHIFT) & 7;
}

/* Abridged tag: bit p set = physical register p holds a value. */
static inline uint8_t x87_ftw(const CPUX86State *env)
{
    return env->xsave_area[X87_OFF_FTW];
}

static inline void x87_set_ftw(CPUX86State *env, uint8_t ftw)
{
    env->xsave_area[X87_OFF_FTW] = ftw;
}

static inline uint8_t *x87_slot(CPUX86State *env, unsigned i)
{
    return env->xsave_area + X87_OFF_ST + 16 * (i & 7);
}

static inline floatx80 x87_get_st(CPUX86State *env, unsigned i)
{
    const uint8_t *p = x87_slot(env, i);
    return make_floatx80(x87_ld_le(p + 8, 2), x87_ld_le(p, 8));
}

static inline void x87_put_st(CPUX86State *env, unsigned i, floatx80 v)
{
    uint8_t *p = x87_slot(env, i);
    x87_st_le(p, 8, v.mantissa);
    x87_st_le(p + 8, 2, v.sign_exp);
    memset(p + 10, 0, 6);
}

static inline bool x87_st_valid(const CPUX86State *env, unsigned i)
{
    return (x87_ftw(env) >> ((x87_top(env) + i) & 7)) & 1;
}

static inline uint32_t x87_mxcsr(const CPUX86State *env)
{
    return x87_ld_le(env->xsave_area + X87_OFF_MXCSR, 4);
}

/* fpu-helper.c */
/* Make @top the new TOP, keeping every physical register's contents. */
void x87_set_top(CPUX86State *env, unsigned top);
/* ES and B from the exception flags and the masks (SDM vol. 1 §8.1.3.1). */
uint16_t x87_fsw_summary(uint16_t fsw, uint16_t fcw);
/* The full tag word (2 bits per physical register) FSTENV/FSAVE store. */
uint16_t x87_full_tag_word(CPUX86State *env);
/* The abridged tag from a full tag word (11 = empty). */
uint8_t x87_abridged_tag(uint16_t ftw);
/* FNINIT's state (SDM vol. 1 Table 8-5); register contents are kept. */
void x87_init_state(CPUX86State *env);
/* FCW as stored: reserved bits forced. */
static inline uint16_t x87_fcw_stored(uint16_t v)
{
    return (v & FCW_STORED_MASK) | FCW_ONE_BITS;
}

#endif
