/*
 * Shared by the MMX/SSE helper files (sse-*-helper.c): the register view,
 * MXCSR access and SIMD floating-point exception delivery.
 *
 * Helpers get the env offset of each vector operand (an XMM register, the low
 * 8 bytes of an x87/MMX slot, or env->sse_scratch holding a memory operand),
 * all inside env->xsave_area or the scratch; the image is little-endian like
 * the guest, and so must the host be (the lanes below are indexed directly).
 */
#ifndef TARGET_I386_TCG_SSE_INTERNAL_H
#define TARGET_I386_TCG_SSE_INTERNAL_H

#include "target/i386/tcg/tcg-internal.h"
#include "target/i386/tcg/fpu-internal.h"   /* X86_MXCSR_MASK, shared with FXRSTOR */
#include "fpu/softfloat.h"

typedef union X86Vec {
    uint8_t b[16];
    int8_t sb[16];
    uint16_t w[8];
    int16_t sw[8];
    uint32_t l[4];
    int32_t sl[4];
    uint64_t q[2];
    int64_t sq[2];
    float32 f32[4];
    float64 f64[2];
} X86Vec;

static inline X86Vec *sse_vec(CPUX86State *env, uint32_t off)
{
    return (X86Vec *)((uint8_t *)env + off);
}

#define SSE_XMM(env, n) \
    ((X86Vec *)&(env)->xsave_area[X86_XSAVE_XMM_OFFSET + 16 * (n)])

/* MXCSR (SDM vol. 1 §10.2.3). */
#define MXCSR_FLAGS     0x3fu
#define MXCSR_DAZ       (1u << 6)
#define MXCSR_MASKS     (0x3fu << 7)
#define MXCSR_RC_SHIFT  13
#define MXCSR_FTZ       (1u << 15)

static inline uint32_t sse_get_mxcsr(CPUX86State *env)
{
    uint32_t v;
    memcpy(&v, env->xsave_area + X86_XSAVE_MXCSR_OFFSET, 4);
    return v;
}

static inline void sse_set_mxcsr(CPUX86State *env, uint32_t v)
{
    memcpy(env->xsave_area + X86_XSAVE_MXCSR_OFFSET, &v, 4);
}

/* A status for one SIMD FP instruction: MXCSR controls, flags cleared. */
static inline void sse_status(CPUX86State *env, float_status *st)
{
    float_status_from_mxcsr(st, sse_get_mxcsr(env));
    st->flags = 0;
}

/* Pre-computation exceptions (SDM vol. 1 §11.5.2.1): IE, DE, ZE. */
#define SSE_PRE_FLAGS  (float_flag_invalid | float_flag_denormal | float_flag_divbyzero)

/*
 * The end of a SIMD FP instruction whose lanes raised @pre (IE/DE/ZE) and
 * @post (OE/UE/PE) flags (SDM vol. 1 §11.5.2.1-11.5.2.2): an unmasked
 * pre-computation exception sets only the pre-computation flags and faults;
 * otherwise all flags are set, and an unmasked one faults. The fault is #XM
 * with CR4.OSXMMEXCPT, else #UD (SDM vol. 3 §6.15, interrupt 19). Returns
 * only when the caller may write its destination.
 */
void sse_fp_commit(CPUX86State *env, unsigned pre, unsigned post, uintptr_t ra);

/* Collect one lane's flags into @pre/@post and clear the status for the next. */
static inline void sse_lane_flags(float_status *st, unsigned *pre, unsigned *post)
{
    *pre |= st->flags & SSE_PRE_FLAGS;
    *post |= st->flags & (MXCSR_FLAGS & ~SSE_PRE_FLAGS);
    st->flags = 0;
}

#endif
