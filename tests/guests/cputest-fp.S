/*
 * cputest: x87, MMX, SSE..SSE4.2, PCLMULQDQ and AES sequences, and the #MF,
 * #XM and alignment faults. The FP state of a case comes from FXRSTOR (see
 * build_case() in cputest.c): K_X87 cases get random rounding and precision
 * control, K_SSE cases a random MXCSR rounding mode, FTZ and DAZ. Condition
 * codes that the SDM documents as undefined for an x87 instruction are masked
 * (U87 = C0, C2, C3). Note that in AT&T syntax the operand order of the
 * two-register x87 forms is reversed: names here follow the encoding.
 */
#include "cputest.h"

#define M(off) ct_mem + (off)(%rip)
#define X87 K_X87
#define SSE K_SSE
#define MMX K_MMX

    .pushsection .rodata.ct_table, "a"
    .align 8
    .globl ct_fp_table
ct_fp_table:
    .popsection

/* ======== x87 ======== */

.macro X87ARITH op, iop
CASE \op\()_st0, "\op\().st0-st1", 0, U87, X87|G_MANY, OP(C_ST, 0), OP(C_ST, 1)
    \op %st(1), %st
END
CASE \op\()_st1, "\op\().st1-st0", 0, U87, X87, OP(C_ST, 0), OP(C_ST, 1)
    \op %st, %st(1)
END
CASE \op\()_p, "\op\()p", 0, U87, X87, OP(C_ST, 0), OP(C_ST, 1)
    \op\()p %st, %st(1)
END
CASE \op\()_m32, "\op\().m32", 0, U87, X87, OP(C_ST, 0), OP(C_MF32, 4)
    \op\()s M(0x40)
END
CASE \op\()_m64, "\op\().m64", 0, U87, X87|G_MANY, OP(C_ST, 0), OP(C_MF64, 4)
    \op\()l M(0x40)
END
CASE \iop\()_m16, "\iop\().m16", 0, U87, X87|G_FEW, OP(C_ST, 0), OP(C_MI16, 4)
    \iop\()s M(0x40)
END
CASE \iop\()_m32, "\iop\().m32", 0, U87, X87|G_FEW, OP(C_ST, 0), OP(C_MI32, 4)
    \iop\()l M(0x40)
END
.endm
X87ARITH fadd, fiadd
X87ARITH fsub, fisub
X87ARITH fsubr, fisubr
X87ARITH fmul, fimul
X87ARITH fdiv, fidiv
X87ARITH fdivr, fidivr

CASE fadd_empty, "fadd.stack-underflow", 0, U87, X87|G_FEW, OP(C_ST, 0)
    fadd %st(1), %st
END
CASE fld_full, "fld.stack-overflow", 0, U87, X87|G_FEW, OP(C_STFULL, 0)
    fld1
END

/* Compares: C0/C2/C3 or ZF/PF/CF (SDM FCOM, FUCOM, FCOMI, FICOM, FTST, FXAM). */
CASE fcom, "fcom.st1", 0, 0, X87|G_MANY, OP(C_ST, 0), OP(C_ST, 1)
    fcom %st(1)
END
CASE fcomp, "fcomp.st1", 0, 0, X87, OP(C_ST, 0), OP(C_ST, 1)
    fcomp %st(1)
END
CASE fcompp, "fcompp", 0, 0, X87, OP(C_ST, 0), OP(C_ST, 1)
    fcompp
END
CASE fucom, "fucom.st1", 0, 0, X87|G_MANY, OP(C_ST, 0), OP(C_ST, 1)
    fucom %st(1)
END
CASE fucompp, "fucompp", 0, 0, X87, OP(C_ST, 0), OP(C_ST, 1)
    fucompp
END
CASE fcomi, "fcomi", 0, 0, X87|G_MANY, OP(C_ST, 0), OP(C_ST, 1)
    fcomi %st(1), %st
END
CASE fcomip, "fcomip", 0, 0, X87, OP(C_ST, 0), OP(C_ST, 1)
    fcomip %st(1), %st
END
CASE fucomi, "fucomi", 0, 0, X87|G_MANY, OP(C_ST, 0), OP(C_ST, 1)
    fucomi %st(1), %st
END
CASE fucomip, "fucomip", 0, 0, X87, OP(C_ST, 0), OP(C_ST, 1)
    fucomip %st(1), %st
END
CASE fcom_m32, "fcom.m32", 0, 0, X87, OP(C_ST, 0), OP(C_MF32, 4)
    fcoms M(0x40)
END
CASE fcomp_m64, "fcomp.m64", 0, 0, X87, OP(C_ST, 0), OP(C_MF64, 4)
    fcompl M(0x40)
END
CASE ficom_m16, "ficom.m16", 0, 0, X87|G_FEW, OP(C_ST, 0), OP(C_MI16, 4)
    ficoms M(0x40)
END
CASE ficomp_m32, "ficomp.m32", 0, 0, X87|G_FEW, OP(C_ST, 0), OP(C_MI32, 4)
    ficompl M(0x40)
END
CASE ftst, "ftst", 0, 0, X87|G_MANY, OP(C_ST, 0)
    ftst
END
CASE fxam, "fxam", 0, 0, X87|G_MANY, OP(C_ST, 0)
    fxam
END
CASE fxam_empty, "fxam.empty", 0, 0, X87|G_FEW
    fxam
END

/* One-operand arithmetic. */
CASE fchs, "fchs", 0, U87, X87, OP(C_ST, 0)
    fchs
END
CASE fabs, "fabs", 0, U87, X87, OP(C_ST, 0)
    fabs
END
CASE fsqrt, "fsqrt", 0, U87, X87|G_MANY, OP(C_ST, 0)
    fsqrt
END
CASE frndint, "frndint", 0, U87, X87|G_MANY, OP(C_STI, 0)
    frndint
END
CASE frndint_x, "frndint.any", 0, U87, X87, OP(C_ST, 0)
    frndint
END
CASE fscale, "fscale", 0, U87, X87|G_MANY, OP(C_ST, 0), OP(C_STI, 1)
    fscale
END
CASE fxtract, "fxtract", 0, U87, X87, OP(C_ST, 0)
    fxtract
END
CASE fprem, "fprem", 0, 0, X87|G_MANY, OP(C_ST, 0), OP(C_ST, 1)
    fprem
END
CASE fprem1, "fprem1", 0, 0, X87|G_MANY, OP(C_ST, 0), OP(C_ST, 1)
    fprem1
END

/* Transcendentals: accurate to about an ulp (SDM vol. 1 §8.3.10), compared with tolerance. */
CASE f2xm1, "f2xm1", 0, U87, X87|G_APPROX, OP(C_ST, 0)
    f2xm1
END
CASE fyl2x, "fyl2x", 0, U87, X87|G_APPROX, OP(C_ST, 0), OP(C_ST, 1)
    fyl2x
END
CASE fyl2xp1, "fyl2xp1", 0, U87, X87|G_APPROX, OP(C_ST, 0), OP(C_ST, 1)
    fyl2xp1
END
CASE fptan, "fptan", 0, FSW_C0|FSW_C3, X87|G_APPROX, OP(C_ST, 0)
    fptan
END
CASE fpatan, "fpatan", 0, U87, X87|G_APPROX, OP(C_ST, 0), OP(C_ST, 1)
    fpatan
END
CASE fsin, "fsin", 0, FSW_C0|FSW_C3, X87|G_APPROX, OP(C_ST, 0)
    fsin
END
CASE fcos, "fcos", 0, FSW_C0|FSW_C3, X87|G_APPROX, OP(C_ST, 0)
    fcos
END
CASE fsincos, "fsincos", 0, FSW_C0|FSW_C3, X87|G_APPROX, OP(C_ST, 0)
    fsincos
END

/* Loads and stores with conversion. */
CASE fld_m32, "fld.m32", 0, U87, X87, OP(C_MF32, 4)
    flds M(0x40)
END
CASE fld_m64, "fld.m64", 0, U87, X87, OP(C_MF64, 4)
    fldl M(0x40)
END
CASE fld_m80, "fld.m80", 0, U87, X87, OP(C_MF80, 4)
    fldt M(0x40)
END
CASE fld_st, "fld.st1", 0, U87, X87|G_FEW, OP(C_ST, 0), OP(C_ST, 1)
    fld %st(1)
END
CASE fst_m32, "fst.m32", 0, U87, X87|G_MANY, OP(C_ST, 0)
    fsts M(0x40)
END
CASE fst_m64, "fst.m64", 0, U87, X87|G_MANY, OP(C_ST, 0)
    fstl M(0x40)
END
CASE fstp_m80, "fstp.m80", 0, U87, X87, OP(C_ST, 0)
    fstpt M(0x40)
END
CASE fstp_st, "fstp.st2", 0, U87, X87|G_FEW, OP(C_ST, 0), OP(C_ST, 2)
    fstp %st(2)
END
CASE fild_m16, "fild.m16", 0, U87, X87|G_FEW, OP(C_MI16, 4)
    filds M(0x40)
END
CASE fild_m32, "fild.m32", 0, U87, X87|G_FEW, OP(C_MI32, 4)
    fildl M(0x40)
END
CASE fild_m64, "fild.m64", 0, U87, X87, OP(C_MI64, 4)
    fildll M(0x40)
END
CASE fist_m16, "fist.m16", 0, U87, X87, OP(C_STI, 0)
    fists M(0x40)
END
CASE fist_m32, "fist.m32", 0, U87, X87|G_MANY, OP(C_STI, 0)
    fistl M(0x40)
END
CASE fistp_m64, "fistp.m64", 0, U87, X87|G_MANY, OP(C_STI, 0)
    fistpll M(0x40)
END
CASE fisttp_m16, "fisttp.m16", F_SSE3, U87, X87, OP(C_STI, 0)
    fisttps M(0x40)
END
CASE fisttp_m32, "fisttp.m32", F_SSE3, U87, X87, OP(C_STI, 0)
    fisttpl M(0x40)
END
CASE fisttp_m64, "fisttp.m64", F_SSE3, U87, X87, OP(C_ST, 0)
    fisttpll M(0x40)
END
CASE fbld, "fbld", 0, U87, X87, OP(C_MBCD, 4)
    fbld M(0x40)
END
CASE fbstp, "fbstp", 0, U87, X87|G_MANY, OP(C_STI, 0)
    fbstp M(0x40)
END

/* Constants: rounded per FCW.RC (SDM vol. 1 §8.3.8). */
.irp c, fld1, fldz, fldpi, fldl2e, fldl2t, fldlg2, fldln2
CASE \c, "\c", 0, U87, X87
    \c
END
.endr

/* Stack and control. */
CASE fxch, "fxch.st1", 0, U87, X87|G_FEW, OP(C_ST, 0), OP(C_ST, 1)
    fxch %st(1)
END
CASE fxch_empty, "fxch.st3-empty", 0, U87, X87|G_FEW, OP(C_ST, 0)
    fxch %st(3)
END
CASE ffree, "ffree.st1", 0, FSW_CC, X87|G_FEW, OP(C_ST, 0), OP(C_ST, 1)
    ffree %st(1)
END
CASE fincstp, "fincstp-fdecstp", 0, U87, X87|G_FEW, OP(C_ST, 0)
    fincstp
    fincstp
    fdecstp
END
.irp cc, b, e, be, u, nb, ne, nbe, nu
CASE fcmov\cc, "fcmov\cc", F_CMOV, U87, X87, OP(C_ST, 0), OP(C_ST, 1)
    fcmov\cc %st(1), %st
END
.endr
CASE fnstsw, "fnstsw", 0, 0, X87|G_FEW, OP(C_ST, 0)
    fnstsw %ax
    fnstsw M(0x40)
END
CASE fldcw, "fldcw-fnstcw", 0, 0, X87, OP(C_MI16, 4), OP(C_ST, 0), OP(C_ST, 1)
    andw $0x1f3f, M(0x40)           /* reserved bits: 6 reads as 1, 13-15 as 0 */
    orw $0x40, M(0x40)
    fldcw M(0x40)
    fadd %st(1), %st
    fnstcw M(0x48)
END
CASE fnclex, "fnclex", 0, FSW_CC, X87|G_FEW, OP(C_ST, 0)
    fldz
    fdivr %st(0), %st
    fnclex
END
CASE fninit, "fninit", 0, 0, X87|G_FEW, OP(C_ST, 0)
    fninit
END
/* Environment and state images; the instruction and data pointers (FIP, FCS,
 * FOP, FDP, FDS) and reserved words are implementation-specific and cleared. */
CASE fnstenv, "fnstenv-fldenv", 0, 0, X87, OP(C_ST, 0), OP(C_ST, 1)
    fnstenv M(0x80)
    movw $0, M(0x82)
    movw $0, M(0x86)
    movw $0, M(0x8a)
    movq $0, M(0x8c)
    movq $0, M(0x94)
    fldenv M(0x80)
    fabs
END
CASE fnsave, "fnsave-frstor", 0, 0, X87, OP(C_ST, 0), OP(C_ST, 1), OP(C_ST, 2)
    fnsave M(0x100)
    movw $0, M(0x102)
    movw $0, M(0x106)
    movw $0, M(0x10a)
    movq $0, M(0x10c)
    movq $0, M(0x114)
    frstor M(0x100)
END
CASE fnsave_full, "fnsave.full-tags", 0, 0, X87, OP(C_STFULL, 0)
    fnsave M(0x100)
    movw $0, M(0x102)
    movw $0, M(0x106)
    movw $0, M(0x10a)
    movq $0, M(0x10c)
    movq $0, M(0x114)
END
CASE fxsave, "fxsave", 0, 0, X87|G_FEW, OP(C_ST, 0), OP(C_XPS, 3)
    lea M(0x100), %rdi
    xor %eax, %eax
    mov $64, %ecx
    cld
    rep stosq
    fxsave64 M(0x100)
    movw $0, M(0x106)               /* FOP */
    movq $0, M(0x108)               /* FIP */
    movq $0, M(0x110)               /* FDP */
    movl $0, M(0x11c)               /* MXCSR_MASK: model-specific */
END
CASE fxrstor, "fxrstor-fxsave", 0, 0, X87|G_FEW, OP(C_MPS, 4)
    fxsave64 M(0x100)
    movw $0x037f, M(0x100)
    movw $0x3800, M(0x102)
    movb $0x81, M(0x104)
    mov M(0x40), %rax
    mov %rax, M(0x120)
    mov M(0x48), %rax
    mov %rax, M(0x1a0)
    movl $0x1f80, M(0x118)
    fxrstor64 M(0x100)
    fnstenv M(0x40)
    movq $0, M(0x4c)
    movq $0, M(0x54)
    movw $0, M(0x42)
    movw $0, M(0x46)
    movw $0, M(0x4a)
    lea M(0x100), %rdi
    xor %eax, %eax
    mov $64, %ecx
    cld
    rep stosq
END

/* ======== #MF: unmasked x87 exceptions, delivered at the next waiting instruction ======== */

.macro MF label, name, cw
CASE mf_\label, "fault.mf-\name", 0, 0, G_ONCE
    fninit
    movw $\cw, M(0x10)
    fldcw M(0x10)
    movl $0, M(0x20)                /* 0.0f */
    movl $0xbf800000, M(0x24)       /* -1.0f */
    movl $0x7f7fffff, M(0x28)       /* FLT_MAX */
    movl $0x00000001, M(0x2c)       /* a binary32 denormal */
    movl $0x40400000, M(0x30)       /* 3.0f */
.endm
MF zdiv, zero-divide, 0x37b
    fld1
    fdivs M(0x20)
    fwait
END
MF invalid, invalid-sqrt, 0x37e
    flds M(0x24)
    fsqrt
    nop
    fwait
END
MF stack, stack-overflow, 0x37e
    .rept 9
    fldz
    .endr
    fwait
END
MF underflow_st, stack-underflow, 0x37e
    fld1
    faddp %st, %st(2)
    fwait
END
MF overflow, overflow, 0x377
    flds M(0x28)
    fld %st(0)
    .rept 5
    fmul %st(1), %st
    .endr
    fmul %st(0), %st
    fmul %st(0), %st
    fmul %st(0), %st
    fmul %st(0), %st
    fmul %st(0), %st
    fmul %st(0), %st
    fmul %st(0), %st
    fmul %st(0), %st
    fmul %st(0), %st
    fmul %st(0), %st
    fmul %st(0), %st
    fwait
END
MF precision, precision, 0x35f
    fld1
    fdivs M(0x30)
    fwait
END
MF denormal, denormal-operand, 0x37d
    fld1
    fadds M(0x2c)
    fwait
END
MF next_fp, raised-by-next-fp, 0x37b
    fld1
    fdivs M(0x20)
    fld1
END
MF nowait, fnstsw-does-not-wait, 0x37b
    fld1
    fdivs M(0x20)
    fnstsw %ax
    fnclex
    fwait
END

/* ======== #XM: unmasked SIMD exceptions (CR4.OSXMMEXCPT = 1) ======== */

.macro XM label, name, csr
CASE xm_\label, "fault.xm-\name", F_SSE, 0, G_ONCE
    movl $\csr, M(0x10)
    ldmxcsr M(0x10)
    movl $0x3f800000, M(0x20)       /* 1.0f */
    movl $0xbf800000, M(0x24)       /* -1.0f */
    movl $0x7f7fffff, M(0x28)       /* FLT_MAX */
    movl $0x00000001, M(0x2c)       /* a denormal */
    movl $0x00800000, M(0x30)       /* FLT_MIN */
    movl $0x40400000, M(0x34)       /* 3.0f */
    movl $0x7fa00000, M(0x38)       /* an SNaN */
    movss M(0x20), %xmm0
.endm
XM zdiv, zero-divide, 0x1d80
    xorps %xmm1, %xmm1
    divss %xmm1, %xmm0
END
XM invalid, invalid-sqrt, 0x1f00
    sqrtss M(0x24), %xmm0
END
XM overflow, overflow, 0x1b80
    movss M(0x28), %xmm0
    mulss %xmm0, %xmm0
END
XM underflow, underflow, 0x1780
    movss M(0x30), %xmm0
    mulss %xmm0, %xmm0
END
XM precision, precision, 0x0f80
    divss M(0x34), %xmm0
END
XM denormal, denormal-operand, 0x1e80
    addss M(0x2c), %xmm0
END
XM packed, packed-snan, 0x1f00
    movaps M(0x30), %xmm1
    addps %xmm1, %xmm0
END
XM cvt, cvttss2si-nan, 0x1f00
    cvttss2si M(0x38), %eax
END
XM masked, none-masked, 0x1f80
    xorps %xmm1, %xmm1
    divss %xmm1, %xmm0
    sqrtss M(0x24), %xmm2
END

/* #GP(0): SSE alignment, reserved MXCSR bits; #NM is not reachable from CPL 3. */
CASE gp_movaps, "fault.gp-movaps-unaligned", F_SSE, 0, G_ONCE
    movaps M(0x48), %xmm0
END
CASE gp_addps, "fault.gp-addps-unaligned-mem", F_SSE, 0, G_ONCE
    addps M(0x44), %xmm0
END
CASE gp_pxor, "fault.gp-pxor-unaligned-mem", F_SSE2, 0, G_ONCE
    pxor M(0x48), %xmm0
END
CASE ok_movups, "fault.none-movups-unaligned", F_SSE, 0, G_ONCE
    movups M(0x41), %xmm0
    movdqu %xmm0, M(0x83)
END
CASE gp_ldmxcsr, "fault.gp-ldmxcsr-reserved", F_SSE, 0, G_ONCE
    movl $0x11f80, M(0x10)
    ldmxcsr M(0x10)
END
CASE gp_fxrstor, "fault.gp-fxrstor-mxcsr", F_SSE, 0, G_ONCE
    lea M(0x100), %rdi
    xor %eax, %eax
    mov $64, %ecx
    cld
    rep stosq
    movw $0x37f, M(0x100)
    movl $0x80001f80, M(0x118)      /* MXCSR bit 31 is reserved */
    fxrstor64 M(0x100)
END
CASE gp_fxsave, "fault.gp-fxsave-unaligned", 0, 0, G_ONCE
    fxsave64 M(0x108)
END

/* ======== MMX ======== */

.macro MMXB insn, feat=F_MMX
CASE mmx_\insn, "\insn\().mm", \feat, 0, MMX, OP(C_MM, 0), OP(C_MM, 1)
    \insn %mm1, %mm0
END
.endm
.irp i, paddb, paddw, paddd, paddsb, paddsw, paddusb, paddusw, psubb, psubw, psubd, psubsb, \
    psubsw, psubusb, psubusw, pmullw, pmulhw, pmaddwd, pcmpeqb, pcmpeqw, pcmpeqd, pcmpgtb, \
    pcmpgtw, pcmpgtd, pand, pandn, por, pxor, psllw, pslld, psllq, psrlw, psrld, psrlq, \
    psraw, psrad, packsswb, packssdw, packuswb, punpcklbw, punpcklwd, punpckldq, punpckhbw, \
    punpckhwd, punpckhdq
MMXB \i
.endr
.irp i, pavgb, pavgw, pmaxsw, pmaxub, pminsw, pminub, psadbw, pmulhuw
MMXB \i, F_SSE
.endr
.irp i, paddq, psubq, pmuludq
MMXB \i, F_SSE2
.endr
.irp i, pshufb, phaddw, phaddd, phaddsw, phsubw, phsubd, phsubsw, pmaddubsw, pmulhrsw, \
    psignb, psignw, psignd, pabsb, pabsw, pabsd
MMXB \i, F_SSSE3
.endr
CASE mmx_shift_imm, "psllw-psrad-psrlq-imm.mm", F_MMX, 0, MMX, OP(C_MM, 0)
    movq %mm0, %mm1
    movq %mm0, %mm2
    psllw $3, %mm0
    psrad $31, %mm1
    psrlq $33, %mm2
END
CASE mmx_movd, "movd-movq.mm", F_MMX, 0, MMX, OP(C_MM, 0), OP(C_V64, RCX), OP(C_MI64, 4)
    movd %mm0, %eax
    movq %mm0, %rbx
    movd %ecx, %mm1
    movq %rcx, %mm2
    movq M(0x40), %mm3
    movq %mm0, M(0x48)
    movd %mm0, M(0x50)
END
CASE mmx_emms, "emms", F_MMX, 0, MMX, OP(C_MM, 0)
    paddb %mm0, %mm0
    emms
END
CASE mmx_pshufw, "pshufw-pextrw-pinsrw.mm", F_SSE, 0, MMX, OP(C_MM, 1), OP(C_V64, RCX)
    pshufw $0x1b, %mm1, %mm0
    pextrw $2, %mm1, %eax
    pinsrw $3, %ecx, %mm1
    pmovmskb %mm0, %edx
END
CASE mmx_palignr, "palignr.mm", F_SSSE3, 0, MMX, OP(C_MM, 0), OP(C_MM, 1)
    palignr $3, %mm1, %mm0
END
CASE mmx_from_x87, "mmx-after-x87", F_MMX, U87, X87, OP(C_ST, 0), OP(C_ST, 1)
    movq %mm1, %mm0
    fninit
    fld1
    movd %mm0, %eax
END

/* ======== SSE/SSE2 floating point ======== */

.macro XB name, cls, feat, gen=SSE
CASE x_\name, "\name", \feat, 0, \gen, OP(\cls, 0), OP(\cls, 1)
    \name %xmm1, %xmm0
END
.endm
.macro XBM name, cls, mcls, feat, gen=SSE
CASE xm_\name, "\name\().mem", \feat, 0, \gen|G_FEW, OP(\cls, 0), OP(\mcls, 4)
    \name M(0x40), %xmm0
END
.endm
.macro XBI name, imm, cls, feat, gen=SSE
CASE x_\name\()_\imm, "\name\().\imm", \feat, 0, \gen, OP(\cls, 0), OP(\cls, 1)
    \name $\imm, %xmm1, %xmm0
END
.endm

.irp i, addps, subps, mulps, divps, minps, maxps, sqrtps, andps, andnps, orps, xorps, \
    unpcklps, unpckhps, movlhps, movhlps, addss, subss, mulss, divss, minss, maxss, sqrtss, movss
XB \i, C_XPS, F_SSE
.endr
.irp i, addps, mulps, divps, minss, sqrtss, maxps
XBM \i, C_XPS, C_MPS, F_SSE
.endr
.irp i, addpd, subpd, mulpd, divpd, minpd, maxpd, sqrtpd, andpd, andnpd, orpd, xorpd, \
    unpcklpd, unpckhpd, addsd, subsd, mulsd, divsd, minsd, maxsd, sqrtsd, movsd
XB \i, C_XPD, F_SSE2
.endr
.irp i, addpd, subsd, divsd, sqrtpd, minsd
XBM \i, C_XPD, C_MPD, F_SSE2
.endr
.irp i, rcpps, rsqrtps, rcpss, rsqrtss
XB \i, C_XPS, F_SSE, SSE|G_APPROX12
.endr
.irp n, 0, 1, 2, 3, 4, 5, 6, 7
XBI cmpps, \n, C_XPS, F_SSE
XBI cmpsd, \n, C_XPD, F_SSE2
.endr
.irp n, 0, 3, 4, 7
XBI cmpss, \n, C_XPS, F_SSE
XBI cmppd, \n, C_XPD, F_SSE2
.endr
XBI shufps, 0x1b, C_XPS, F_SSE
XBI shufps, 0xe4, C_XPS, F_SSE
XBI shufpd, 1, C_XPD, F_SSE2
XBI shufpd, 2, C_XPD, F_SSE2

.irp i, comiss, ucomiss
CASE x_\i, "\i", F_SSE, 0, SSE|G_MANY, OP(C_XPS, 0), OP(C_XPS, 1)
    \i %xmm1, %xmm0
END
.endr
.irp i, comisd, ucomisd
CASE x_\i, "\i", F_SSE2, 0, SSE|G_MANY, OP(C_XPD, 0), OP(C_XPD, 1)
    \i %xmm1, %xmm0
END
.endr

/* Conversions, all rounding modes (random MXCSR.RC) and truncation. */
CASE cvtsi2ss, "cvtsi2ss.l-q", F_SSE, 0, SSE|G_MANY, OP(C_XPS, 0), OP(C_V64, RCX)
    movaps %xmm0, %xmm1
    cvtsi2ssl %ecx, %xmm0
    cvtsi2ssq %rcx, %xmm1
END
CASE cvtsi2sd, "cvtsi2sd.l-q", F_SSE2, 0, SSE|G_MANY, OP(C_XPD, 0), OP(C_V64, RCX)
    movaps %xmm0, %xmm1
    cvtsi2sdl %ecx, %xmm0
    cvtsi2sdq %rcx, %xmm1
END
.irp i, cvtss2si, cvttss2si
CASE \i, "\i\().l-q", F_SSE, 0, SSE|G_MANY, OP(C_XPS, 1)
    \i %xmm1, %eax
    \i %xmm1, %rbx
END
.endr
.irp i, cvtsd2si, cvttsd2si
CASE \i, "\i\().l-q", F_SSE2, 0, SSE|G_MANY, OP(C_XPD, 1)
    \i %xmm1, %eax
    \i %xmm1, %rbx
END
.endr
CASE cvtss2si_h, "cvtss2si.near-int", F_SSE2, 0, SSE, OP(C_XPH, 1)
    cvtss2si %xmm1, %eax
    cvtsd2si %xmm1, %rbx
END
.irp i, cvtss2sd, cvtps2pd, cvtps2dq, cvttps2dq
XB \i, C_XPS, F_SSE2
.endr
.irp i, cvtsd2ss, cvtpd2ps, cvtpd2dq, cvttpd2dq
XB \i, C_XPD, F_SSE2
.endr
XB cvtdq2pd, C_XI32, F_SSE2
XB cvtdq2ps, C_XI32, F_SSE2
CASE cvtpi2ps, "cvtpi2ps-cvtps2pi", F_SSE, 0, SSE, OP(C_XPS, 0), OP(C_MM, 1)
    cvtpi2ps %mm1, %xmm0
    cvtps2pi %xmm0, %mm2
    cvttps2pi %xmm1, %mm3
END
CASE cvtpi2pd, "cvtpi2pd-cvtpd2pi", F_SSE2, 0, SSE, OP(C_XPD, 1), OP(C_MM, 1)
    cvtpi2pd %mm1, %xmm0
    cvtpd2pi %xmm1, %mm2
    cvttpd2pi %xmm1, %mm3
END
CASE ldmxcsr, "ldmxcsr-stmxcsr", F_SSE, 0, SSE|G_FEW, OP(C_XPS, 0), OP(C_XPS, 1)
    stmxcsr M(0x40)
    xorl $0x6040, M(0x40)
    ldmxcsr M(0x40)
    addps %xmm1, %xmm0
    stmxcsr M(0x44)
END

/* Moves and masks. */
CASE x_moves, "movaps-movups-movss-movsd-mem", F_SSE2, 0, SSE, OP(C_MPS, 4), OP(C_XPS, 1)
    movaps M(0x40), %xmm0
    movups M(0x43), %xmm2
    movss M(0x48), %xmm3
    movsd M(0x48), %xmm4
    movss %xmm1, M(0x60)
    movsd %xmm1, M(0x68)
    movlps M(0x40), %xmm5
    movhps M(0x40), %xmm6
    movhpd %xmm1, M(0x70)
    movq %xmm1, %xmm7
END
CASE x_movhigh, "movaps-xmm8-15", F_SSE2, 0, SSE, OP(C_XPS, 9), OP(C_XPS, 1)
    movaps %xmm9, %xmm12
    movdqa %xmm1, %xmm15
    addps %xmm9, %xmm15
    movsd %xmm9, %xmm8
END
CASE x_movmsk, "movmskps-movmskpd-pmovmskb", F_SSE2, 0, SSE, OP(C_XPS, 1), OP(C_XI8, 2)
    movmskps %xmm1, %eax
    movmskpd %xmm1, %ebx
    pmovmskb %xmm2, %ecx
END
CASE x_movd, "movd-movq-xmm", F_SSE2, 0, SSE, OP(C_XI32, 1), OP(C_V64, RCX)
    movd %xmm1, %eax
    movq %xmm1, %rbx
    movd %ecx, %xmm2
    movq %rcx, %xmm3
    movq M(0x40), %xmm4
    movq %xmm1, M(0x50)
    movq2dq %mm0, %xmm5
    movdq2q %xmm1, %mm6
END
CASE x_nt, "movntps-movntdq-movnti-maskmovdqu", F_SSE2, 0, SSE, OP(C_XI8, 1), OP(C_XI8, 2)
    movntps %xmm1, M(0x40)
    movntdq %xmm2, M(0x50)
    movnti %ecx, M(0x60)
    lea M(0x80), %rdi
    maskmovdqu %xmm2, %xmm1
    sfence
END

/* SSE3 */
.irp i, addsubps, haddps, hsubps, movshdup, movsldup
XB \i, C_XPS, F_SSE3
.endr
.irp i, addsubpd, haddpd, hsubpd, movddup
XB \i, C_XPD, F_SSE3
.endr
CASE lddqu, "lddqu", F_SSE3, 0, SSE|G_FEW, OP(C_MPS, 4)
    lddqu M(0x43), %xmm0
END

/* SSE4.1 floating point: ROUNDxx (imm bit 2: MXCSR.RC, bit 3: no precision
 * exception), DPPS/DPPD, BLENDxx, INSERTPS/EXTRACTPS. */
.irp n, 0, 1, 2, 3, 4, 8, 9, 0xa, 0xb, 0xc
CASE roundps_\n, "roundps.\n", F_SSE41, 0, SSE, OP(C_XPH, 0), OP(C_XPH, 1)
    roundps $\n, %xmm1, %xmm0
END
CASE roundsd_\n, "roundsd.\n", F_SSE41, 0, SSE, OP(C_XPH, 0), OP(C_XPH, 1)
    roundsd $\n, %xmm1, %xmm0
END
.endr
.irp n, 0, 2, 4, 0xb
XBI roundpd, \n, C_XPD, F_SSE41
XBI roundss, \n, C_XPS, F_SSE41
.endr
XBI dpps, 0xff, C_XPS, F_SSE41
XBI dpps, 0x31, C_XPS, F_SSE41
XBI dpps, 0xa5, C_XPS, F_SSE41
XBI dppd, 0x33, C_XPD, F_SSE41
XBI dppd, 0x12, C_XPD, F_SSE41
XBI blendps, 0x5, C_XPS, F_SSE41
XBI blendpd, 0x2, C_XPD, F_SSE41
XBI insertps, 0x4d, C_XPS, F_SSE41
XBI insertps, 0xb2, C_XPS, F_SSE41
CASE blendv, "blendvps-blendvpd-pblendvb", F_SSE41, 0, SSE, OP(C_XI32, 0), OP(C_XPS, 1), \
    OP(C_XPS, 2)
    movaps %xmm2, %xmm3
    movaps %xmm2, %xmm4
    blendvps %xmm0, %xmm1, %xmm2
    blendvpd %xmm0, %xmm1, %xmm3
    pblendvb %xmm0, %xmm1, %xmm4
END
CASE extractps, "extractps-pextr", F_SSE41, 0, SSE, OP(C_XI8, 1)
    extractps $2, %xmm1, %eax
    pextrb $13, %xmm1, %ebx
    pextrw $5, %xmm1, %ecx
    pextrd $3, %xmm1, %edx
    pextrq $1, %xmm1, %rsi
    pextrb $7, %xmm1, M(0x40)
END
CASE pinsr, "pinsr-b-w-d-q", F_SSE41, 0, SSE, OP(C_XI8, 0), OP(C_V64, RCX)
    movdqa %xmm0, %xmm1
    movdqa %xmm0, %xmm2
    movdqa %xmm0, %xmm3
    pinsrb $9, %ecx, %xmm0
    pinsrw $6, %ecx, %xmm1
    pinsrd $1, %ecx, %xmm2
    pinsrq $1, %rcx, %xmm3
END

/* ======== SSE2..SSE4.2 integer ======== */

.irp i, paddb, psubb, paddsb, paddusb, psubsb, psubusb, pcmpeqb, pcmpgtb, pavgb, pminub, \
    pmaxub, psadbw, packsswb, packuswb, punpcklbw, punpckhbw, pand, pandn, por, pxor
XB \i, C_XI8, F_SSE2
.endr
.irp i, paddw, psubw, paddsw, paddusw, psubsw, psubusw, pcmpeqw, pcmpgtw, pavgw, pminsw, \
    pmaxsw, pmullw, pmulhw, pmulhuw, pmaddwd, packssdw, punpcklwd, punpckhwd
XB \i, C_XI16, F_SSE2
.endr
.irp i, paddd, psubd, pcmpeqd, pcmpgtd, pmuludq, punpckldq, punpckhdq
XB \i, C_XI32, F_SSE2
.endr
.irp i, paddq, psubq, punpcklqdq, punpckhqdq
XB \i, C_XI64, F_SSE2
.endr
.irp i, psllw, pslld, psllq, psrlw, psrld, psrlq, psraw, psrad
CASE \i, "\i\().xmm-count", F_SSE2, 0, SSE, OP(C_XI16, 0), OP(C_XI8, 1)
    movdqa %xmm0, %xmm2
    \i %xmm1, %xmm0
    pxor %xmm3, %xmm3
    pinsrw $0, %ecx, %xmm3
    \i %xmm3, %xmm2
END
.endr
CASE x_shift_imm, "psll-psrl-psra-imm", F_SSE2, 0, SSE, OP(C_XI16, 0)
    movdqa %xmm0, %xmm1
    movdqa %xmm0, %xmm2
    movdqa %xmm0, %xmm3
    movdqa %xmm0, %xmm4
    movdqa %xmm0, %xmm5
    movdqa %xmm0, %xmm6
    movdqa %xmm0, %xmm7
    psllw $15, %xmm0
    psrlw $16, %xmm1
    pslld $7, %xmm2
    psrad $40, %xmm3
    psrlq $63, %xmm4
    psraw $9, %xmm5
    psllq $64, %xmm6
    psrld $1, %xmm7
END
CASE x_bshift, "pslldq-psrldq", F_SSE2, 0, SSE, OP(C_XI8, 0)
    movdqa %xmm0, %xmm1
    movdqa %xmm0, %xmm2
    movdqa %xmm0, %xmm3
    pslldq $1, %xmm0
    psrldq $7, %xmm1
    pslldq $15, %xmm2
    psrldq $16, %xmm3
END
CASE x_pshuf, "pshufd-pshuflw-pshufhw", F_SSE2, 0, SSE, OP(C_XI16, 1)
    pshufd $0x1b, %xmm1, %xmm0
    pshuflw $0xd2, %xmm1, %xmm2
    pshufhw $0x39, %xmm1, %xmm3
END
CASE x_pextrw, "pextrw-pinsrw", F_SSE2, 0, SSE, OP(C_XI16, 1), OP(C_V64, RCX)
    pextrw $6, %xmm1, %eax
    pinsrw $2, %ecx, %xmm1
    pinsrw $7, M(0x40), %xmm1
END
CASE x_pand_mem, "pxor-paddq-mem", F_SSE2, 0, SSE|G_FEW, OP(C_XI64, 0), OP(C_MPD, 4)
    movdqa %xmm0, %xmm1
    pxor M(0x40), %xmm0
    paddq M(0x40), %xmm1
END

/* SSSE3 */
.irp i, pshufb, psignb, pabsb, pmaddubsw
XB \i, C_XI8, F_SSSE3
.endr
.irp i, phaddw, phaddsw, phsubw, phsubsw, psignw, pabsw, pmulhrsw
XB \i, C_XI16, F_SSSE3
.endr
.irp i, phaddd, phsubd, psignd, pabsd
XB \i, C_XI32, F_SSSE3
.endr
XBI palignr, 5, C_XI8, F_SSSE3
XBI palignr, 17, C_XI8, F_SSSE3

/* SSE4.1 */
.irp i, pminsb, pmaxsb
XB \i, C_XI8, F_SSE41
.endr
.irp i, pminuw, pmaxuw, packusdw
XB \i, C_XI16, F_SSE41
.endr
.irp i, pminsd, pmaxsd, pminud, pmaxud, pmulld, pmuldq
XB \i, C_XI32, F_SSE41
.endr
XB pcmpeqq, C_XI64, F_SSE41
XB phminposuw, C_XI16, F_SSE41
.irp i, pmovsxbw, pmovsxbd, pmovsxbq, pmovsxwd, pmovsxwq, pmovsxdq, pmovzxbw, pmovzxbd, \
    pmovzxbq, pmovzxwd, pmovzxwq, pmovzxdq
XB \i, C_XI8, F_SSE41
.endr
XBI pblendw, 0xa5, C_XI16, F_SSE41
XBI mpsadbw, 0, C_XI8, F_SSE41
XBI mpsadbw, 7, C_XI8, F_SSE41
CASE ptest, "ptest", F_SSE41, 0, SSE|G_MANY, OP(C_XI64, 0), OP(C_XI64, 1)
    ptest %xmm1, %xmm0
END
CASE ptest_eq, "ptest.same", F_SSE41, 0, SSE|G_FEW, OP(C_XI64, 0)
    ptest %xmm0, %xmm0
END
CASE movntdqa, "movntdqa", F_SSE41, 0, SSE|G_FEW, OP(C_MPS, 4)
    movntdqa M(0x40), %xmm0
END

/* SSE4.2: PCMPGTQ and the string compares (SDM vol. 1 §12.10 / vol. 2 PCMPxSTRx). */
XB pcmpgtq, C_XI64, F_SSE42
.irp n, 0x00, 0x01, 0x04, 0x08, 0x0c, 0x0d, 0x14, 0x18, 0x1a, 0x38, 0x3a, 0x40, 0x42, 0x44, \
    0x4c, 0x72
CASE pcmpistri_\n, "pcmpistri.\n", F_SSE42, 0, SSE, OP(C_XSTR, 0), OP(C_XSTR, 1)
    pcmpistri $\n, %xmm1, %xmm0
END
CASE pcmpestri_\n, "pcmpestri.\n", F_SSE42, 0, SSE, OP(C_XSTR, 0), OP(C_XSTR, 1), OP(C_SLEN, \
    RAX), OP(C_SLEN, RDX)
    pcmpestri $\n, %xmm1, %xmm0
END
.endr
.irp n, 0x00, 0x09, 0x40, 0x44, 0x4c, 0x58, 0x6a
CASE pcmpistrm_\n, "pcmpistrm.\n", F_SSE42, 0, SSE, OP(C_XSTR, 2), OP(C_XSTR, 1)
    pcmpistrm $\n, %xmm1, %xmm2
END
CASE pcmpestrm_\n, "pcmpestrm.\n", F_SSE42, 0, SSE, OP(C_XSTR, 2), OP(C_XSTR, 1), OP(C_SLEN, \
    RAX), OP(C_SLEN, RDX)
    pcmpestrm $\n, %xmm1, %xmm2
END
.endr
CASE pcmpestri_q, "pcmpestri.rex-w", F_SSE42, 0, SSE, OP(C_XSTR, 0), OP(C_XSTR, 1), OP(C_ANY, \
    RAX), OP(C_SLEN, RDX)
    pcmpestriq $0x0c, %xmm1, %xmm0
END

/* PCLMULQDQ and AES-NI */
.irp n, 0x00, 0x01, 0x10, 0x11
XBI pclmulqdq, \n, C_XI64, F_PCLMUL
.endr
.irp i, aesenc, aesenclast, aesdec, aesdeclast, aesimc
XB \i, C_XI8, F_AES
.endr
.irp n, 0x00, 0x01, 0x1b, 0x80
XBI aeskeygenassist, \n, C_XI8, F_AES
.endr

    .pushsection .rodata.ct_table, "a"
    .globl ct_fp_table_end
ct_fp_table_end:
    .popsection

    .section .note.GNU-stack, "", @progbits
