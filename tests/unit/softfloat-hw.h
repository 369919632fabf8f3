/*
 * The oracle for test-softfloat.c: the host's own SSE and x87 units, driven with inline
 * asm. Each wrapper loads the control register (MXCSR or FCW), runs one instruction on
 * bit patterns (never through C floating-point types, which could quiet SNaNs), and
 * returns the result bits and the exception flags; the default MXCSR is restored.
 */
#ifndef TESTS_UNIT_SOFTFLOAT_HW_H
#define TESTS_UNIT_SOFTFLOAT_HW_H

#include <stdint.h>
#include "fpu/softfloat.h"

static const uint32_t hw_mxcsr_default = 0x1f80;

#define HW_SSE_BIN(fn, insn, T, mov)                                                    \
    static T fn(T a, T b, uint32_t mx, uint32_t *fl)                                    \
    {                                                                                   \
        T r;                                                                            \
        uint32_t out;                                                                   \
        __asm__ volatile("ldmxcsr %[mi]\n\t"                                            \
                         mov " %[a], %%xmm0\n\t"                                        \
                         mov " %[b], %%xmm1\n\t"                                        \
                         insn " %%xmm1, %%xmm0\n\t"                                     \
                         mov " %%xmm0, %[r]\n\t"                                        \
                         "stmxcsr %[mo]\n\t"                                            \
                         "ldmxcsr %[def]"                                               \
                         : [r] "=r"(r), [mo] "=m"(out)                                  \
                         : [a] "r"(a), [b] "r"(b), [mi] "m"(mx),                        \
                           [def] "m"(hw_mxcsr_default)                                  \
                         : "xmm0", "xmm1");                                             \
        *fl = out & 0x3f;                                                               \
        return r;                                                                       \
    }

HW_SSE_BIN(hw_addss, "addss", uint32_t, "movd")
HW_SSE_BIN(hw_subss, "subss", uint32_t, "movd")
HW_SSE_BIN(hw_mulss, "mulss", uint32_t, "movd")
HW_SSE_BIN(hw_divss, "divss", uint32_t, "movd")
HW_SSE_BIN(hw_minss, "minss", uint32_t, "movd")
HW_SSE_BIN(hw_maxss, "maxss", uint32_t, "movd")
HW_SSE_BIN(hw_addsd, "addsd", uint64_t, "movq")
HW_SSE_BIN(hw_subsd, "subsd", uint64_t, "movq")
HW_SSE_BIN(hw_mulsd, "mulsd", uint64_t, "movq")
HW_SSE_BIN(hw_divsd, "divsd", uint64_t, "movq")
HW_SSE_BIN(hw_minsd, "minsd", uint64_t, "movq")
HW_SSE_BIN(hw_maxsd, "maxsd", uint64_t, "movq")
/* Unary forms read only the source (xmm1): b is the operand, a is ignored. */
HW_SSE_BIN(hw_sqrtss_, "sqrtss", uint32_t, "movd")
HW_SSE_BIN(hw_sqrtsd_, "sqrtsd", uint64_t, "movq")
HW_SSE_BIN(hw_cvtss2sd_, "cvtss2sd", uint64_t, "movq")
HW_SSE_BIN(hw_cvtsd2ss_, "cvtsd2ss", uint64_t, "movq")
HW_SSE_BIN(hw_roundss0, "roundss $0,", uint32_t, "movd")
HW_SSE_BIN(hw_roundss1, "roundss $1,", uint32_t, "movd")
HW_SSE_BIN(hw_roundss2, "roundss $2,", uint32_t, "movd")
HW_SSE_BIN(hw_roundss3, "roundss $3,", uint32_t, "movd")
HW_SSE_BIN(hw_roundss4, "roundss $4,", uint32_t, "movd")
HW_SSE_BIN(hw_roundss8, "roundss $8,", uint32_t, "movd")
HW_SSE_BIN(hw_roundsd0, "roundsd $0,", uint64_t, "movq")
HW_SSE_BIN(hw_roundsd1, "roundsd $1,", uint64_t, "movq")
HW_SSE_BIN(hw_roundsd2, "roundsd $2,", uint64_t, "movq")
HW_SSE_BIN(hw_roundsd3, "roundsd $3,", uint64_t, "movq")
HW_SSE_BIN(hw_roundsd4, "roundsd $4,", uint64_t, "movq")
HW_SSE_BIN(hw_roundsd8, "roundsd $8,", uint64_t, "movq")

/* Three-operand FMA; the instruction's formula is given in Intel operand order. */
#define HW_FMA(fn, insn, T, mov)                                                        \
    static T fn(T x0, T x1, T x2, uint32_t mx, uint32_t *fl)                            \
    {                                                                                   \
        T r;                                                                            \
        uint32_t out;                                                                   \
        __asm__ volatile("ldmxcsr %[mi]\n\t"                                            \
                         mov " %[a], %%xmm0\n\t"                                        \
                         mov " %[b], %%xmm1\n\t"                                        \
                         mov " %[c], %%xmm2\n\t"                                        \
                         insn " %%xmm2, %%xmm1, %%xmm0\n\t"                             \
                         mov " %%xmm0, %[r]\n\t"                                        \
                         "stmxcsr %[mo]\n\t"                                            \
                         "ldmxcsr %[def]"                                               \
                         : [r] "=r"(r), [mo] "=m"(out)                                  \
                         : [a] "r"(x0), [b] "r"(x1), [c] "r"(x2), [mi] "m"(mx),         \
                           [def] "m"(hw_mxcsr_default)                                  \
                         : "xmm0", "xmm1", "xmm2");                                     \
        *fl = out & 0x3f;                                                               \
        return r;                                                                       \
    }

/* Intel: vfmadd132 x0 = x0*x2 + x1; 213: x0 = x1*x0 + x2; 231: x0 = x1*x2 + x0. */
HW_FMA(hw_vfmadd132ss, "vfmadd132ss", uint32_t, "movd")
HW_FMA(hw_vfmadd213ss, "vfmadd213ss", uint32_t, "movd")
HW_FMA(hw_vfmadd231ss, "vfmadd231ss", uint32_t, "movd")
HW_FMA(hw_vfmsub231ss, "vfmsub231ss", uint32_t, "movd")
HW_FMA(hw_vfnmadd231ss, "vfnmadd231ss", uint32_t, "movd")
HW_FMA(hw_vfnmsub231ss, "vfnmsub231ss", uint32_t, "movd")
HW_FMA(hw_vfmadd132sd, "vfmadd132sd", uint64_t, "movq")
HW_FMA(hw_vfmadd213sd, "vfmadd213sd", uint64_t, "movq")
HW_FMA(hw_vfmadd231sd, "vfmadd231sd", uint64_t, "movq")
HW_FMA(hw_vfmsub231sd, "vfmsub231sd", uint64_t, "movq")
HW_FMA(hw_vfnmadd231sd, "vfnmadd231sd", uint64_t, "movq")
HW_FMA(hw_vfnmsub231sd, "vfnmsub231sd", uint64_t, "movq")

/* COMISS/UCOMISS: ZF,PF,CF = 111 unordered, 000 greater, 001 less, 100 equal. */
#define HW_SSE_CMP(fn, insn, T, mov)                                                    \
    static FloatRelation fn(T a, T b, uint32_t mx, uint32_t *fl)                        \
    {                                                                                   \
        uint32_t out;                                                                   \
        bool zf, pf, cf;                                                                \
        __asm__ volatile("ldmxcsr %[mi]\n\t"                                            \
                         mov " %[a], %%xmm0\n\t"                                        \
                         mov " %[b], %%xmm1\n\t"                                        \
                         insn " %%xmm1, %%xmm0\n\t"                                     \
                         "stmxcsr %[mo]\n\t"                                            \
                         "ldmxcsr %[def]"                                               \
                         : [mo] "=m"(out), "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf)        \
                         : [a] "r"(a), [b] "r"(b), [mi] "m"(mx),                        \
                           [def] "m"(hw_mxcsr_default)                                  \
                         : "xmm0", "xmm1");                                             \
        *fl = out & 0x3f;                                                               \
        if (pf) {                                                                       \
            return float_relation_unordered;                                            \
        }                                                                               \
        return zf ? float_relation_equal : cf ? float_relation_less                     \
                                              : float_relation_greater;                 \
    }

HW_SSE_CMP(hw_comiss, "comiss", uint32_t, "movd")
HW_SSE_CMP(hw_ucomiss, "ucomiss", uint32_t, "movd")
HW_SSE_CMP(hw_comisd, "comisd", uint64_t, "movq")
HW_SSE_CMP(hw_ucomisd, "ucomisd", uint64_t, "movq")

/* float -> integer: TI is the integer type, insn e.g. "cvtss2si". */
#define HW_SSE_TOINT(fn, insn, T, mov, TI)                                              \
    static TI fn(T a, uint32_t mx, uint32_t *fl)                                        \
    {                                                                                   \
        TI r;                                                                           \
        uint32_t out;                                                                   \
        __asm__ volatile("ldmxcsr %[mi]\n\t"                                            \
                         mov " %[a], %%xmm0\n\t"                                        \
                         insn " %%xmm0, %[r]\n\t"                                       \
                         "stmxcsr %[mo]\n\t"                                            \
                         "ldmxcsr %[def]"                                               \
                         : [r] "=r"(r), [mo] "=m"(out)                                  \
                         : [a] "r"(a), [mi] "m"(mx), [def] "m"(hw_mxcsr_default)        \
                         : "xmm0");                                                     \
        *fl = out & 0x3f;                                                               \
        return r;                                                                       \
    }

HW_SSE_TOINT(hw_cvtss2si32, "cvtss2si", uint32_t, "movd", int32_t)
HW_SSE_TOINT(hw_cvttss2si32, "cvttss2si", uint32_t, "movd", int32_t)
HW_SSE_TOINT(hw_cvtss2si64, "cvtss2si", uint32_t, "movd", int64_t)
HW_SSE_TOINT(hw_cvttss2si64, "cvttss2si", uint32_t, "movd", int64_t)
HW_SSE_TOINT(hw_cvtsd2si32, "cvtsd2si", uint64_t, "movq", int32_t)
HW_SSE_TOINT(hw_cvttsd2si32, "cvttsd2si", uint64_t, "movq", int32_t)
HW_SSE_TOINT(hw_cvtsd2si64, "cvtsd2si", uint64_t, "movq", int64_t)
HW_SSE_TOINT(hw_cvttsd2si64, "cvttsd2si", uint64_t, "movq", int64_t)

/* integer -> float: insn e.g. "cvtsi2ssl" (32-bit source) or "cvtsi2ssq". */
#define HW_SSE_FROMINT(fn, insn, T, mov, TI)                                            \
    static T fn(TI a, uint32_t mx, uint32_t *fl)                                        \
    {                                                                                   \
        T r;                                                                            \
        uint32_t out;                                                                   \
        __asm__ volatile("ldmxcsr %[mi]\n\t"                                            \
                         "xorps %%xmm0, %%xmm0\n\t"                                     \
                         insn " %[a], %%xmm0\n\t"                                       \
                         mov " %%xmm0, %[r]\n\t"                                        \
                         "stmxcsr %[mo]\n\t"                                            \
                         "ldmxcsr %[def]"                                               \
                         : [r] "=r"(r), [mo] "=m"(out)                                  \
                         : [a] "r"(a), [mi] "m"(mx), [def] "m"(hw_mxcsr_default)        \
                         : "xmm0");                                                     \
        *fl = out & 0x3f;                                                               \
        return r;                                                                       \
    }

HW_SSE_FROMINT(hw_cvtsi2ss32, "cvtsi2ssl", uint32_t, "movd", int32_t)
HW_SSE_FROMINT(hw_cvtsi2ss64, "cvtsi2ssq", uint32_t, "movd", int64_t)
HW_SSE_FROMINT(hw_cvtsi2sd32, "cvtsi2sdl", uint64_t, "movq", int32_t)
HW_SSE_FROMINT(hw_cvtsi2sd64, "cvtsi2sdq", uint64_t, "movq", int64_t)

/* x87: operands pass through memory as 80-bit values (FLD/FSTP m80 are transparent). */
typedef struct __attribute__((packed)) X80Mem {
    uint64_t m;
    uint16_t se;
} X80Mem;

static inline X80Mem x80_mem(floatx80 a)
{
    X80Mem r = { a.mantissa, a.sign_exp };
    return r;
}

static inline floatx80 x80_val(X80Mem a)
{
    return make_floatx80(a.se, a.m);
}

/*
 * The stack is read back with FNSAVE (registers in ST(0)..ST(7) order from byte 28),
 * which does not wait: with underflow/overflow unmasked a pending exception would make
 * FSTP fault.
 */
typedef struct __attribute__((packed)) X87Save {
    uint8_t env[28];
    X80Mem st[8];
} X87Save;

/* st0 = a, st1 = b; insn; returns st0. */
#define HW_X87_BIN(fn, insn)                                                            \
    static floatx80 fn(floatx80 a, floatx80 b, uint16_t cw, uint16_t *sw)               \
    {                                                                                   \
        X80Mem ma = x80_mem(a), mb = x80_mem(b);                                        \
        X87Save sv;                                                                     \
        __asm__ volatile("fninit\n\t"                                                   \
                         "fldcw %[cw]\n\t"                                              \
                         "fldt %[b]\n\t"                                                \
                         "fldt %[a]\n\t"                                                \
                         insn "\n\t"                                                    \
                         "fnstsw %[sw]\n\t"                                             \
                         "fnsave %[sv]\n\t"                                             \
                         "fninit"                                                       \
                         : [sv] "=m"(sv), [sw] "=m"(*sw)                                \
                         : [a] "m"(ma), [b] "m"(mb), [cw] "m"(cw)                       \
                         : "ax");                                                       \
        return x80_val(sv.st[0]);                                                       \
    }

HW_X87_BIN(hw_fadd, "fadd %%st(1), %%st")
HW_X87_BIN(hw_fsub, "fsub %%st(1), %%st")
HW_X87_BIN(hw_fmul, "fmul %%st(1), %%st")
HW_X87_BIN(hw_fdiv, "fdiv %%st(1), %%st")
HW_X87_BIN(hw_fprem, "fprem")
HW_X87_BIN(hw_fprem1, "fprem1")
HW_X87_BIN(hw_fscale, "fscale")
HW_X87_BIN(hw_fcom, "fcom %%st(1)")
HW_X87_BIN(hw_fucom, "fucom %%st(1)")
/* FPATAN: st1 = atan(st1 / st0), pop. With st0 = a, st1 = b: atan2(b, a). */
HW_X87_BIN(hw_fpatan, "fpatan")
/* FYL2X: st1 = st1 * log2(st0), pop: b * log2(a). */
HW_X87_BIN(hw_fyl2x, "fyl2x")
HW_X87_BIN(hw_fyl2xp1, "fyl2xp1")

/* FPREM1 repeated until C2 clears: the complete IEEE remainder. */
HW_X87_BIN(hw_fprem1_loop, "1: fprem1\n\tfnstsw %%ax\n\ttestb $4, %%ah\n\tjnz 1b")

/* Unary: st0 = a; returns the new st0, *r2 (if not NULL) the new st1. */
#define HW_X87_UN(fn, insn)                                                             \
    static floatx80 fn(floatx80 a, uint16_t cw, uint16_t *sw, floatx80 *r2)             \
    {                                                                                   \
        X80Mem ma = x80_mem(a);                                                         \
        X87Save sv;                                                                     \
        __asm__ volatile("fninit\n\t"                                                   \
                         "fldcw %[cw]\n\t"                                              \
                         "fldt %[a]\n\t"                                                \
                         insn "\n\t"                                                    \
                         "fnstsw %[sw]\n\t"                                             \
                         "fnsave %[sv]\n\t"                                             \
                         "fninit"                                                       \
                         : [sv] "=m"(sv), [sw] "=m"(*sw)                                \
                         : [a] "m"(ma), [cw] "m"(cw));                                  \
        if (r2) {                                                                       \
            *r2 = x80_val(sv.st[1]);                                                    \
        }                                                                               \
        return x80_val(sv.st[0]);                                                       \
    }

HW_X87_UN(hw_fsqrt, "fsqrt")
HW_X87_UN(hw_frndint, "frndint")
HW_X87_UN(hw_fxtract, "fxtract")
HW_X87_UN(hw_f2xm1, "f2xm1")
HW_X87_UN(hw_fsin, "fsin")
HW_X87_UN(hw_fcos, "fcos")
HW_X87_UN(hw_fsincos, "fsincos")
HW_X87_UN(hw_fptan, "fptan")

/* FIST/FISTTP: TI the integer type, insn the popping store. */
#define HW_X87_TOINT(fn, insn, TI)                                                      \
    static TI fn(floatx80 a, uint16_t cw, uint16_t *sw)                                 \
    {                                                                                   \
        X80Mem ma = x80_mem(a);                                                         \
        TI r;                                                                           \
        __asm__ volatile("fninit\n\t"                                                   \
                         "fldcw %[cw]\n\t"                                              \
                         "fldt %[a]\n\t"                                                \
                         insn " %[r]\n\t"                                               \
                         "fnstsw %[sw]\n\t"                                             \
                         "fninit"                                                       \
                         : [r] "=m"(r), [sw] "=m"(*sw)                                  \
                         : [a] "m"(ma), [cw] "m"(cw));                                  \
        return r;                                                                       \
    }

HW_X87_TOINT(hw_fist16, "fistps", int16_t)
HW_X87_TOINT(hw_fist32, "fistpl", int32_t)
HW_X87_TOINT(hw_fist64, "fistpll", int64_t)
HW_X87_TOINT(hw_fisttp16, "fisttps", int16_t)
HW_X87_TOINT(hw_fisttp32, "fisttpl", int32_t)
HW_X87_TOINT(hw_fisttp64, "fisttpll", int64_t)
HW_X87_TOINT(hw_fst32, "fstps", uint32_t)
HW_X87_TOINT(hw_fst64, "fstpl", uint64_t)

/* FILD / FLD m32 / FLD m64: load from memory, store the 80-bit register. */
#define HW_X87_LOAD(fn, insn, TI)                                                       \
    static floatx80 fn(TI a, uint16_t cw, uint16_t *sw)                                 \
    {                                                                                   \
        X80Mem mr;                                                                      \
        __asm__ volatile("fninit\n\t"                                                   \
                         "fldcw %[cw]\n\t"                                              \
                         insn " %[a]\n\t"                                               \
                         "fnstsw %[sw]\n\t"                                             \
                         "fstpt %[r]\n\t"                                               \
                         "fninit"                                                       \
                         : [r] "=m"(mr), [sw] "=m"(*sw)                                 \
                         : [a] "m"(a), [cw] "m"(cw));                                   \
        return x80_val(mr);                                                             \
    }

HW_X87_LOAD(hw_fild16, "filds", int16_t)
HW_X87_LOAD(hw_fild32, "fildl", int32_t)
HW_X87_LOAD(hw_fild64, "fildll", int64_t)
HW_X87_LOAD(hw_fld32, "flds", uint32_t)
HW_X87_LOAD(hw_fld64, "fldl", uint64_t)

/* Arithmetic with a memory operand: st0 = a, insn reads m (FADD m32, FCOM m64...). */
#define HW_X87_MEMOP(fn, insn, TI)                                                      \
    static floatx80 fn(floatx80 a, TI m, uint16_t cw, uint16_t *sw)                     \
    {                                                                                   \
        X80Mem ma = x80_mem(a);                                                         \
        X87Save sv;                                                                     \
        __asm__ volatile("fninit\n\t"                                                   \
                         "fldcw %[cw]\n\t"                                              \
                         "fldt %[a]\n\t"                                                \
                         insn " %[m]\n\t"                                               \
                         "fnstsw %[sw]\n\t"                                             \
                         "fnsave %[sv]\n\t"                                             \
                         "fninit"                                                       \
                         : [sv] "=m"(sv), [sw] "=m"(*sw)                                \
                         : [a] "m"(ma), [m] "m"(m), [cw] "m"(cw));                      \
        return x80_val(sv.st[0]);                                                       \
    }

HW_X87_MEMOP(hw_fadd_m32, "fadds", uint32_t)
HW_X87_MEMOP(hw_fmul_m32, "fmuls", uint32_t)
HW_X87_MEMOP(hw_fdiv_m32, "fdivs", uint32_t)
HW_X87_MEMOP(hw_fdivr_m32, "fdivrs", uint32_t)
HW_X87_MEMOP(hw_fcom_m32, "fcoms", uint32_t)
HW_X87_MEMOP(hw_fadd_m64, "faddl", uint64_t)
HW_X87_MEMOP(hw_fsub_m64, "fsubl", uint64_t)
HW_X87_MEMOP(hw_fcom_m64, "fcoml", uint64_t)

/* FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2 by index. */
static floatx80 hw_fldconst(int which, uint16_t cw, uint16_t *sw)
{
    X80Mem mr;
#define HW_FLDC(insn)                                                                   \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\t" insn "\n\tfnstsw %[sw]\n\t"            \
                     "fstpt %[r]\n\tfninit"                                            \
                     : [r] "=m"(mr), [sw] "=m"(*sw) : [cw] "m"(cw))
    switch (which) {
    case 0:
        HW_FLDC("fldl2t");
        break;
    case 1:
        HW_FLDC("fldl2e");
        break;
    case 2:
        HW_FLDC("fldpi");
        break;
    case 3:
        HW_FLDC("fldlg2");
        break;
    default:
        HW_FLDC("fldln2");
        break;
    }
#undef HW_FLDC
    return x80_val(mr);
}

#endif
