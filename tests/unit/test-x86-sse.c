/*
 * MMX, SSE..SSE4.2, PCLMULQDQ and AES-NI in the x86 translator, against this
 * host's CPU (x86-native.h): every case is assembled by the host assembler
 * (the case list below), run natively and on emu's x86-run system on both
 * TCG backends with the same registers and memory, and compared bit for bit:
 * GPRs, arithmetic flags, XMM0-15, MXCSR, the data memory and the exception.
 *
 * Inputs: integer cases get random lanes with saturation edges (0, 1, 7f, 80,
 * ff, 7fff, 8000...); floating-point cases get lanes from a pool of special
 * values (signed zeros, denormals, min normal, max finite, infinities, QNaN
 * and SNaN payloads, integer-conversion edges, ties) mixed with random
 * normal numbers and random bits, and run under every MXCSR rounding mode
 * with FTZ and DAZ on and off, then with random exception masks (faults with
 * #XM compared too). MMX registers travel in the low halves of XMM8-15 (a
 * MOVDQ2Q prologue and a MOVQ2DQ/EMMS epilogue around the case). Immediate
 * cases sweep their imm8 (the code's last byte).
 *
 * A case whose CPUID feature this host lacks is skipped on the native side
 * and reported. RCPPS/RSQRTPS are approximations whose tables differ between
 * vendors: they are checked against the SDM bound instead (rcp test). The
 * CR0/CR4 checks (#UD, #NM) run on emu only: they need ring 0.
 */
#include "util/osdep.h"
#include <math.h>
#include "x86-native.h"
#include "x86-run.h"

enum {
    K_I = 1 << 0,        /* integer lanes */
    K_S = 1 << 1,        /* float32 lanes */
    K_D = 1 << 2,        /* float64 lanes */
    K_FP = 1 << 3,       /* sweep MXCSR */
    K_MMX = 1 << 4,      /* MM0-7 from/to XMM8-15 */
    K_MEM = 1 << 5,      /* RSI = RDI = aligned data */
    K_IMM = 1 << 6,      /* sweep the last byte */
    K_LEN = 1 << 7,      /* RAX/RDX: small signed lengths (PCMPESTRx) */
    K_STR = 1 << 8,      /* string-like lanes: few distinct values and zeros */
    K_CNT = 1 << 9,      /* XMM1/MM1/[RSI] low quadword: a shift count 0..70 */
    K_MIS = 1 << 10,     /* RSI = RDI = data + 1..15 (misaligned) */
    K_MXCSR = 1 << 11,   /* [RSI] holds a valid MXCSR value */
    K_FXS = 1 << 12,     /* an FXSAVE image at [RSI+512]: compare its x87 part */
    K_32 = 1 << 13,      /* 32-bit code (compatibility mode), ESI = data */
};

/*
 * The cases: X(id, kinds, CPUID feature, "Intel-syntax assembly"). Inputs are
 * XMM0-7 (and XMM8-15 for MMX cases), GPRs, and 64 bytes at RSI/RDI.
 */
#define CASES(X) \
    /* ---- SSE/SSE2 moves ---- */ \
    X(movaps_rr, K_I, SSE, "movaps xmm0, xmm1") \
    X(movaps_ld, K_I | K_MEM, SSE, "movaps xmm2, [rsi]") \
    X(movaps_st, K_I | K_MEM, SSE, "movaps [rsi+16], xmm3") \
    X(movaps_mis, K_I | K_MIS, SSE, "movaps xmm2, [rsi]") \
    X(movaps_st_mis, K_I | K_MIS, SSE, "movaps [rsi], xmm2") \
    X(movups_ld, K_I | K_MIS, SSE, "movups xmm4, [rsi]") \
    X(movups_st, K_I | K_MIS, SSE, "movups [rsi+3], xmm5") \
    X(movupd_ld, K_I | K_MIS, SSE2, "movupd xmm4, [rsi]") \
    X(movapd_rr, K_I, SSE2, "movapd xmm7, xmm0") \
    X(movdqa_ld, K_I | K_MEM, SSE2, "movdqa xmm1, [rsi+16]") \
    X(movdqa_st, K_I | K_MEM, SSE2, "movdqa [rsi+32], xmm6") \
    X(movdqu_ld, K_I | K_MIS, SSE2, "movdqu xmm1, [rsi+5]") \
    X(movdqu_st, K_I | K_MIS, SSE2, "movdqu [rsi+7], xmm6; movdqu xmm0, [rsi]") \
    X(lddqu, K_I | K_MIS, SSE3, "lddqu xmm3, [rsi]") \
    X(movntdq, K_I | K_MEM, SSE2, "movntdq [rsi], xmm2") \
    X(movntps, K_I | K_MEM, SSE, "movntps [rsi+16], xmm2") \
    X(movntpd, K_I | K_MEM, SSE2, "movntpd [rsi+16], xmm5") \
    X(movntdqa, K_I | K_MEM, SSE41, "movntdqa xmm3, [rsi+16]") \
    X(movntdqa_mis, K_I | K_MIS, SSE41, "movntdqa xmm3, [rsi]") \
    X(movss_rr, K_I, SSE, "movss xmm0, xmm1") \
    X(movss_ld, K_I | K_MIS, SSE, "movss xmm0, [rsi]") \
    X(movss_st, K_I | K_MIS, SSE, "movss [rsi+4], xmm2") \
    X(movsd_rr, K_I, SSE2, "movsd xmm3, xmm1") \
    X(movsd_ld, K_I | K_MIS, SSE2, "movsd xmm1, [rsi]") \
    X(movsd_st, K_I | K_MIS, SSE2, "movsd [rsi+8], xmm2") \
    X(movsd_st_rr, K_I, SSE2, ".byte 0xf2, 0x0f, 0x11, 0xca") \
    X(movlps, K_I | K_MIS, SSE, "movlps xmm0, [rsi]; movlps [rsi+16], xmm1") \
    X(movhps, K_I | K_MIS, SSE, "movhps xmm0, [rsi]; movhps [rsi+24], xmm1") \
    X(movlpd, K_I | K_MIS, SSE2, "movlpd xmm2, [rsi]; movlpd [rsi+16], xmm3") \
    X(movhpd, K_I | K_MIS, SSE2, "movhpd xmm2, [rsi]; movhpd [rsi+16], xmm3") \
    X(movhlps, K_I, SSE, "movhlps xmm0, xmm1") \
    X(movlhps, K_I, SSE, "movlhps xmm2, xmm3") \
    X(movd_to_x, K_I | K_MEM, SSE2, "movd xmm0, eax; movd xmm1, [rsi+4]") \
    X(movq_to_x, K_I | K_MEM, SSE2, "movq xmm2, rbx; movq xmm3, [rsi]") \
    X(movd_from_x, K_I | K_MEM, SSE2, "movd ecx, xmm2; movd [rsi+8], xmm1") \
    X(movq_from_x, K_I | K_MEM, SSE2, "movq rdx, xmm3; movq r9, xmm4") \
    X(movq_xx, K_I | K_MEM, SSE2, "movq xmm0, xmm1; movq xmm2, [rsi]; movq [rsi+8], xmm3") \
    X(movq_d6, K_I, SSE2, ".byte 0x66, 0x0f, 0xd6, 0xca") \
    X(movddup, K_I | K_MIS, SSE3, "movddup xmm0, xmm1; movddup xmm2, [rsi]") \
    X(movsldup, K_I, SSE3, "movsldup xmm0, xmm1; movsldup xmm1, xmm1") \
    X(movshdup, K_I | K_MEM, SSE3, "movshdup xmm0, xmm1; movshdup xmm2, [rsi]") \
    X(movmskps, K_I, SSE, "movmskps eax, xmm1; movmskpd ecx, xmm2") \
    /* ---- SSE2 integer ---- */ \
    X(pxor, K_I | K_MEM, SSE2, "pxor xmm0, xmm1; pxor xmm2, [rsi]; pxor xmm3, xmm3") \
    X(pand, K_I | K_MEM, SSE2, "pand xmm0, xmm1; pand xmm2, [rsi+16]") \
    X(pandn, K_I | K_MEM, SSE2, "pandn xmm0, xmm1; pandn xmm2, [rsi]") \
    X(por, K_I | K_MEM, SSE2, "por xmm0, xmm1; por xmm2, [rsi]") \
    X(logic_ps, K_I | K_MEM, SSE, "andps xmm0, xmm1; andnps xmm2, xmm3; orps xmm4, [rsi]; " \
      "xorps xmm5, xmm6") \
    X(logic_pd, K_I | K_MEM, SSE2, "andpd xmm0, xmm1; andnpd xmm2, [rsi]; orpd xmm4, xmm3; " \
      "xorpd xmm5, xmm6") \
    X(pand_mis, K_I | K_MIS, SSE2, "pand xmm2, [rsi]") \
    X(padd, K_I | K_MEM, SSE2, "paddb xmm0, xmm1; paddw xmm2, xmm3; paddd xmm4, xmm5; " \
      "paddq xmm6, [rsi]") \
    X(psub, K_I | K_MEM, SSE2, "psubb xmm0, xmm1; psubw xmm2, xmm3; psubd xmm4, xmm5; " \
      "psubq xmm6, [rsi]") \
    X(padds, K_I, SSE2, "paddsb xmm0, xmm1; paddsw xmm2, xmm3; paddusb xmm4, xmm5; " \
      "paddusw xmm6, xmm7") \
    X(psubs, K_I, SSE2, "psubsb xmm0, xmm1; psubsw xmm2, xmm3; psubusb xmm4, xmm5; " \
      "psubusw xmm6, xmm7") \
    X(pcmpeq, K_I, SSE2, "pcmpeqb xmm0, xmm1; pcmpeqw xmm2, xmm3; pcmpeqd xmm4, xmm5; " \
      "pcmpeqb xmm6, xmm6") \
    X(pcmpgt, K_I, SSE2, "pcmpgtb xmm0, xmm1; pcmpgtw xmm2, xmm3; pcmpgtd xmm4, xmm5") \
    X(pcmpeqb_pmovmskb, K_STR | K_MEM, SSE2, "movdqu xmm1, [rsi]; pcmpeqb xmm1, xmm0; " \
      "pmovmskb eax, xmm1; pmovmskb ecx, xmm2") \
    X(pmul, K_I, SSE2, "pmullw xmm0, xmm1; pmulhw xmm2, xmm3; pmulhuw xmm4, xmm5; " \
      "pmuludq xmm6, xmm7") \
    X(pmaddwd, K_I, SSE2, "pmaddwd xmm0, xmm1; psadbw xmm2, xmm3") \
    X(pavg, K_I, SSE2, "pavgb xmm0, xmm1; pavgw xmm2, xmm3") \
    X(pminmax, K_I, SSE2, "pminub xmm0, xmm1; pmaxub xmm2, xmm3; pminsw xmm4, xmm5; " \
      "pmaxsw xmm6, xmm7") \
    X(punpckl, K_I | K_MEM, SSE2, "punpcklbw xmm0, xmm1; punpcklwd xmm2, xmm3; " \
      "punpckldq xmm4, xmm5; punpcklqdq xmm6, [rsi]") \
    X(punpckh, K_I | K_MEM, SSE2, "punpckhbw xmm0, xmm1; punpckhwd xmm2, xmm3; " \
      "punpckhdq xmm4, [rsi]; punpckhqdq xmm6, xmm7") \
    X(unpck_ps, K_I, SSE2, "unpcklps xmm0, xmm1; unpckhps xmm2, xmm3; unpcklpd xmm4, xmm5; " \
      "unpckhpd xmm6, xmm7") \
    X(pack, K_I, SSE2, "packsswb xmm0, xmm1; packssdw xmm2, xmm3; packuswb xmm4, xmm5; " \
      "packsswb xmm6, xmm6") \
    X(pshufd, K_I | K_IMM, SSE2, "pshufd xmm0, xmm1, 0") \
    X(pshufd_m, K_I | K_MEM | K_IMM, SSE2, "pshufd xmm0, [rsi], 0") \
    X(pshuflw, K_I | K_IMM, SSE2, "pshuflw xmm0, xmm1, 0") \
    X(pshufhw, K_I | K_IMM, SSE2, "pshufhw xmm2, xmm2, 0") \
    X(shufps, K_I | K_IMM, SSE, "shufps xmm0, xmm1, 0") \
    X(shufpd, K_I | K_IMM, SSE2, "shufpd xmm0, xmm1, 0") \
    X(pinsrw, K_I | K_MEM, SSE2, "pinsrw xmm0, eax, 3; pinsrw xmm1, word ptr [rsi], 7") \
    X(pextrw, K_I | K_IMM, SSE2, "pextrw eax, xmm1, 0") \
    X(psll_imm, K_I | K_IMM, SSE2, "psllw xmm0, 0") \
    X(psrl_imm, K_I, SSE2, "psrlw xmm0, 3; psrld xmm1, 17; psrlq xmm2, 40; " \
      "psrlw xmm3, 16; psrld xmm4, 255") \
    X(psra_imm, K_I, SSE2, "psraw xmm0, 3; psrad xmm1, 31; psraw xmm2, 200; psrad xmm3, 32") \
    X(pslx_imm, K_I, SSE2, "pslld xmm0, 9; psllq xmm1, 63; psllq xmm2, 64") \
    X(pslldq, K_I | K_IMM, SSE2, "pslldq xmm0, 0") \
    X(psrldq, K_I | K_IMM, SSE2, "psrldq xmm3, 0") \
    X(pshift_x, K_I | K_CNT | K_MEM, SSE2, "psrlw xmm0, xmm1; psrld xmm2, xmm1; " \
      "psrlq xmm3, xmm1; psllw xmm4, xmm1; pslld xmm5, [rsi]; psllq xmm6, xmm1; " \
      "psraw xmm7, xmm1; psrad xmm0, [rsi]") \
    X(maskmovdqu, K_I | K_MIS, SSE2, "maskmovdqu xmm0, xmm1") \
    /* ---- floating point ---- */ \
    X(addps, K_S | K_FP, SSE, "addps xmm0, xmm1") \
    X(addpd, K_D | K_FP, SSE2, "addpd xmm0, xmm1") \
    X(addss, K_S | K_FP, SSE, "addss xmm0, xmm1") \
    X(addsd, K_D | K_FP | K_MEM, SSE2, "addsd xmm0, xmm1; addsd xmm2, [rsi]") \
    X(subps, K_S | K_FP | K_MEM, SSE, "subps xmm0, [rsi]") \
    X(subpd, K_D | K_FP, SSE2, "subpd xmm0, xmm1") \
    X(subss, K_S | K_FP, SSE, "subss xmm0, xmm1") \
    X(subsd, K_D | K_FP, SSE2, "subsd xmm0, xmm1") \
    X(mulps, K_S | K_FP, SSE, "mulps xmm0, xmm1") \
    X(mulpd, K_D | K_FP, SSE2, "mulpd xmm0, xmm1") \
    X(mulss, K_S | K_FP, SSE, "mulss xmm0, xmm1") \
    X(mulsd, K_D | K_FP | K_MEM, SSE2, "mulsd xmm0, xmm1; mulsd xmm1, [rsi+8]") \
    X(divps, K_S | K_FP, SSE, "divps xmm0, xmm1") \
    X(divpd, K_D | K_FP, SSE2, "divpd xmm0, xmm1") \
    X(divss, K_S | K_FP, SSE, "divss xmm0, xmm1") \
    X(divsd, K_D | K_FP, SSE2, "divsd xmm0, xmm1") \
    X(minps, K_S | K_FP, SSE, "minps xmm0, xmm1") \
    X(minpd, K_D | K_FP, SSE2, "minpd xmm0, xmm1") \
    X(minss, K_S | K_FP, SSE, "minss xmm0, xmm1") \
    X(minsd, K_D | K_FP, SSE2, "minsd xmm0, xmm1") \
    X(maxps, K_S | K_FP, SSE, "maxps xmm0, xmm1") \
    X(maxpd, K_D | K_FP, SSE2, "maxpd xmm0, xmm1") \
    X(maxss, K_S | K_FP, SSE, "maxss xmm0, xmm1") \
    X(maxsd, K_D | K_FP, SSE2, "maxsd xmm0, xmm1") \
    X(sqrtps, K_S | K_FP, SSE, "sqrtps xmm0, xmm1") \
    X(sqrtpd, K_D | K_FP, SSE2, "sqrtpd xmm0, xmm1") \
    X(sqrtss, K_S | K_FP, SSE, "sqrtss xmm0, xmm1") \
    X(sqrtsd, K_D | K_FP | K_MEM, SSE2, "sqrtsd xmm0, xmm1; sqrtsd xmm2, [rsi]") \
    X(addsubps, K_S | K_FP, SSE3, "addsubps xmm0, xmm1") \
    X(addsubpd, K_D | K_FP, SSE3, "addsubpd xmm0, xmm1") \
    X(haddps, K_S | K_FP, SSE3, "haddps xmm0, xmm1") \
    X(haddpd, K_D | K_FP, SSE3, "haddpd xmm0, xmm1") \
    X(hsubps, K_S | K_FP, SSE3, "hsubps xmm0, xmm1") \
    X(hsubpd, K_D | K_FP, SSE3, "hsubpd xmm0, xmm1") \
    X(cmpps, K_S | K_FP | K_IMM, SSE, "cmpps xmm0, xmm1, 0") \
    X(cmppd, K_D | K_FP | K_IMM, SSE2, "cmppd xmm0, xmm1, 0") \
    X(cmpss, K_S | K_FP | K_IMM, SSE, "cmpss xmm0, xmm1, 0") \
    X(cmpsd, K_D | K_FP | K_IMM, SSE2, "cmpsd xmm0, xmm1, 0") \
    X(comiss, K_S | K_FP, SSE, "comiss xmm0, xmm1") \
    X(ucomiss, K_S | K_FP, SSE, "ucomiss xmm0, xmm1") \
    X(comisd, K_D | K_FP | K_MEM, SSE2, "comisd xmm0, [rsi]") \
    X(ucomisd, K_D | K_FP, SSE2, "ucomisd xmm0, xmm1") \
    X(cvtsi2ss, K_S | K_FP | K_MEM, SSE, "cvtsi2ss xmm0, eax; cvtsi2ss xmm1, rbx; " \
      "cvtsi2ss xmm2, dword ptr [rsi]") \
    X(cvtsi2sd, K_D | K_FP | K_MEM, SSE2, "cvtsi2sd xmm0, eax; cvtsi2sd xmm1, rbx; " \
      "cvtsi2sd xmm2, qword ptr [rsi]") \
    X(cvtss2si, K_S | K_FP, SSE, "cvtss2si eax, xmm0; cvtss2si rbx, xmm1") \
    X(cvttss2si, K_S | K_FP | K_MEM, SSE, "cvttss2si eax, xmm0; cvttss2si rbx, [rsi+4]") \
    X(cvtsd2si, K_D | K_FP, SSE2, "cvtsd2si eax, xmm0; cvtsd2si rbx, xmm1") \
    X(cvttsd2si, K_D | K_FP | K_MEM, SSE2, "cvttsd2si eax, xmm0; cvttsd2si rbx, [rsi]") \
    X(cvtps2pd, K_S | K_FP | K_MEM, SSE2, "cvtps2pd xmm0, xmm1; cvtps2pd xmm2, [rsi]") \
    X(cvtpd2ps, K_D | K_FP, SSE2, "cvtpd2ps xmm0, xmm1") \
    X(cvtss2sd, K_S | K_FP, SSE2, "cvtss2sd xmm0, xmm1") \
    X(cvtsd2ss, K_D | K_FP, SSE2, "cvtsd2ss xmm0, xmm1") \
    X(cvtdq2ps, K_I | K_FP, SSE2, "cvtdq2ps xmm0, xmm1") \
    X(cvtps2dq, K_S | K_FP, SSE2, "cvtps2dq xmm0, xmm1") \
    X(cvttps2dq, K_S | K_FP, SSE2, "cvttps2dq xmm0, xmm1") \
    X(cvtdq2pd, K_I | K_FP | K_MEM, SSE2, "cvtdq2pd xmm0, xmm1; cvtdq2pd xmm2, [rsi]") \
    X(cvtpd2dq, K_D | K_FP, SSE2, "cvtpd2dq xmm0, xmm1") \
    X(cvttpd2dq, K_D | K_FP, SSE2, "cvttpd2dq xmm0, xmm1") \
    X(roundps, K_S | K_FP | K_IMM, SSE41, "roundps xmm0, xmm1, 0") \
    X(roundpd, K_D | K_FP | K_IMM, SSE41, "roundpd xmm0, xmm1, 0") \
    X(roundss, K_S | K_FP | K_IMM, SSE41, "roundss xmm0, xmm1, 0") \
    X(roundsd, K_D | K_FP | K_IMM, SSE41, "roundsd xmm0, xmm1, 0") \
    X(dpps, K_S | K_FP | K_IMM, SSE41, "dpps xmm0, xmm1, 0") \
    X(dppd, K_D | K_FP | K_IMM, SSE41, "dppd xmm0, xmm1, 0") \
    X(ldmxcsr, K_MXCSR | K_MEM, SSE, "ldmxcsr [rsi]; stmxcsr [rsi+4]") \
    X(ldmxcsr_bad, K_I | K_MEM, SSE, "ldmxcsr [rsi]") \
    /* ---- MMX ---- */ \
    X(mmx_padd, K_I | K_MMX | K_MEM, MMX, "paddb mm0, mm1; paddw mm2, mm3; paddd mm4, mm5; " \
      "paddq mm6, [rsi]") \
    X(mmx_psub, K_I | K_MMX, MMX, "psubb mm0, mm1; psubw mm2, mm3; psubd mm4, mm5; " \
      "psubq mm6, mm7") \
    X(mmx_sat, K_I | K_MMX, MMX, "paddsb mm0, mm1; paddusw mm2, mm3; psubsw mm4, mm5; " \
      "psubusb mm6, mm7") \
    X(mmx_cmp, K_I | K_MMX, MMX, "pcmpeqb mm0, mm1; pcmpgtw mm2, mm3; pcmpgtd mm4, mm5") \
    X(mmx_logic, K_I | K_MMX | K_MEM, MMX, "pand mm0, mm1; pandn mm2, mm3; por mm4, [rsi]; " \
      "pxor mm5, mm6") \
    X(mmx_mul, K_I | K_MMX, MMX, "pmullw mm0, mm1; pmulhw mm2, mm3; pmaddwd mm4, mm5") \
    X(mmx_unpck, K_I | K_MMX | K_MEM, MMX, "punpcklbw mm0, mm1; punpcklwd mm2, [rsi]; " \
      "punpckldq mm3, mm4; punpckhbw mm5, mm6; punpckhdq mm7, [rsi+8]") \
    X(mmx_pack, K_I | K_MMX, MMX, "packsswb mm0, mm1; packssdw mm2, mm3; packuswb mm4, mm5") \
    X(mmx_shift, K_I | K_MMX | K_CNT, MMX, "psrlw mm0, mm1; pslld mm2, mm1; psrlq mm3, mm1; " \
      "psraw mm4, mm1; psrad mm5, 7; psllq mm6, 33") \
    X(mmx_movd, K_I | K_MMX | K_MEM, MMX, "movd mm0, eax; movq mm1, rbx; movd ecx, mm2; " \
      "movq rdx, mm3; movd mm4, [rsi]; movd [rsi+8], mm5") \
    X(mmx_movq, K_I | K_MMX | K_MIS, MMX, "movq mm0, mm1; movq mm2, [rsi]; movq [rsi+8], mm3") \
    X(mmx_ext, K_I | K_MMX, SSE, "pavgb mm0, mm1; pavgw mm2, mm3; pminub mm4, mm5; " \
      "pmaxsw mm6, mm7; psadbw mm1, mm2; pmulhuw mm3, mm4") \
    X(mmx_pshufw, K_I | K_MMX | K_IMM, SSE, "pshufw mm0, mm1, 0") \
    X(mmx_pinsrw, K_I | K_MMX | K_MEM, SSE, "pinsrw mm0, eax, 1; pinsrw mm1, word ptr [rsi], 6; " \
      "pextrw ecx, mm2, 2; pmovmskb edx, mm3") \
    X(mmx_sse2, K_I | K_MMX, SSE2, "paddq mm0, mm1; psubq mm2, mm3; pmuludq mm4, mm5") \
    X(mmx_xfer, K_I | K_MMX, SSE2, "movq2dq xmm0, mm1; movdq2q mm2, xmm3") \
    X(mmx_maskmovq, K_I | K_MMX | K_MIS, SSE, "maskmovq mm0, mm1") \
    X(mmx_movntq, K_I | K_MMX | K_MEM, SSE, "movntq [rsi], mm3") \
    X(mmx_cvtpi2ps, K_I | K_MMX | K_FP | K_MEM, SSE, "cvtpi2ps xmm0, mm1; cvtpi2ps xmm1, [rsi]") \
    X(mmx_cvtpi2pd, K_I | K_MMX | K_FP, SSE2, "cvtpi2pd xmm0, mm1") \
    X(mmx_cvtps2pi, K_S | K_MMX | K_FP, SSE, "cvtps2pi mm0, xmm1; cvttps2pi mm2, xmm3") \
    X(mmx_cvtpd2pi, K_D | K_MMX | K_FP, SSE2, "cvtpd2pi mm0, xmm1; cvttpd2pi mm2, xmm3") \
    X(mmx_cvtpd2pi_m, K_D | K_MMX | K_MIS, SSE2, "cvtpd2pi mm0, [rsi]") \
    X(mmx_cvtps2pi_m, K_S | K_MMX | K_MIS, SSE, "cvttps2pi mm0, [rsi]; cvtps2pi mm1, [rsi]") \
    X(mmx_ssse3, K_I | K_MMX, SSSE3, "pshufb mm0, mm1; phaddw mm2, mm3; phsubd mm4, mm5; " \
      "pabsb mm6, mm7; psignw mm1, mm2; pmulhrsw mm3, mm4; pmaddubsw mm5, mm6; " \
      "phaddsw mm7, mm0") \
    X(mmx_palignr, K_I | K_MMX | K_IMM, SSSE3, "palignr mm0, mm1, 0") \
    X(mmx_fxsave, K_I | K_MMX | K_MEM | K_FXS, MMX, "paddb mm0, mm1; movq mm3, rax; " \
      "fxsave64 [rsi+512]") \
    X(mmx_emms_fxsave, K_I | K_MMX | K_MEM | K_FXS, MMX, "psubw mm7, mm6; emms; " \
      "fxsave64 [rsi+512]") \
    /* ---- SSSE3 ---- */ \
    X(pshufb, K_I | K_MEM, SSSE3, "pshufb xmm0, xmm1; pshufb xmm2, [rsi]") \
    X(phadd, K_I, SSSE3, "phaddw xmm0, xmm1; phaddd xmm2, xmm3; phaddsw xmm4, xmm5; " \
      "phsubw xmm6, xmm7; phsubd xmm1, xmm2; phsubsw xmm3, xmm4") \
    X(psign, K_I, SSSE3, "psignb xmm0, xmm1; psignw xmm2, xmm3; psignd xmm4, xmm5") \
    X(pabs, K_I, SSSE3, "pabsb xmm0, xmm1; pabsw xmm2, xmm3; pabsd xmm4, xmm5") \
    X(pmulhrsw, K_I, SSSE3, "pmulhrsw xmm0, xmm1; pmaddubsw xmm2, xmm3") \
    X(palignr, K_I | K_IMM, SSSE3, "palignr xmm0, xmm1, 0") \
    /* ---- SSE4.1 ---- */ \
    X(pblendv, K_I, SSE41, "pblendvb xmm1, xmm2, xmm0; blendvps xmm3, xmm4, xmm0; " \
      "blendvpd xmm5, xmm6, xmm0") \
    X(ptest, K_I, SSE41, "ptest xmm0, xmm1") \
    X(ptest_z, K_I, SSE41, "ptest xmm0, xmm0; setz al; pxor xmm1, xmm1; ptest xmm1, xmm2") \
    X(pmovsx, K_I | K_MIS, SSE41, "pmovsxbw xmm0, xmm1; pmovsxbd xmm2, xmm3; " \
      "pmovsxbq xmm4, xmm5; pmovsxwd xmm6, xmm7; pmovsxwq xmm1, [rsi]; " \
      "pmovsxdq xmm3, [rsi]") \
    X(pmovzx, K_I | K_MIS, SSE41, "pmovzxbw xmm0, [rsi]; pmovzxbd xmm2, [rsi]; " \
      "pmovzxbq xmm4, [rsi]; pmovzxwd xmm6, xmm7; pmovzxwq xmm1, xmm2; " \
      "pmovzxdq xmm3, xmm4") \
    X(pmuldq, K_I, SSE41, "pmuldq xmm0, xmm1; pmulld xmm2, xmm3; pcmpeqq xmm4, xmm5; " \
      "packusdw xmm6, xmm7") \
    X(pminmax41, K_I, SSE41, "pminsb xmm0, xmm1; pminsd xmm2, xmm3; pminuw xmm4, xmm5; " \
      "pminud xmm6, xmm7; pmaxsb xmm1, xmm2; pmaxsd xmm3, xmm4; pmaxuw xmm5, xmm6; " \
      "pmaxud xmm7, xmm0") \
    X(phminposuw, K_I, SSE41, "phminposuw xmm0, xmm1") \
    X(blendps, K_I | K_IMM, SSE41, "blendps xmm0, xmm1, 0") \
    X(blendpd, K_I | K_IMM, SSE41, "blendpd xmm0, xmm1, 0") \
    X(pblendw, K_I | K_IMM, SSE41, "pblendw xmm0, xmm1, 0") \
    X(mpsadbw, K_I | K_IMM, SSE41, "mpsadbw xmm0, xmm1, 0") \
    X(pextr, K_I | K_MEM, SSE41, "pextrb eax, xmm1, 5; pextrw ecx, xmm2, 6; " \
      "pextrd edx, xmm3, 3; pextrq rbx, xmm4, 1; extractps r8d, xmm5, 2; " \
      "pextrb [rsi], xmm1, 15; pextrw [rsi+2], xmm2, 1; pextrd [rsi+4], xmm3, 1; " \
      "pextrq [rsi+8], xmm3, 0; extractps [rsi+16], xmm4, 3") \
    X(pextrw_3a, K_I, SSE41, ".byte 0x66, 0x0f, 0x3a, 0x15, 0xc8, 0x05") \
    X(pextrb_imm, K_I | K_IMM, SSE41, "pextrb eax, xmm1, 0") \
    X(pinsr, K_I | K_MEM, SSE41, "pinsrb xmm0, eax, 9; pinsrd xmm1, ebx, 2; " \
      "pinsrq xmm2, rcx, 1; pinsrb xmm3, [rsi], 15; pinsrd xmm4, [rsi+4], 0; " \
      "pinsrq xmm5, [rsi+8], 0") \
    X(insertps, K_I | K_IMM, SSE41, "insertps xmm0, xmm1, 0") \
    X(insertps_m, K_I | K_MEM | K_IMM, SSE41, "insertps xmm0, [rsi+4], 0") \
    /* ---- SSE4.2, PCLMULQDQ, AES ---- */ \
    X(pcmpgtq, K_I, SSE42, "pcmpgtq xmm0, xmm1") \
    X(pcmpestri, K_STR | K_LEN | K_IMM, SSE42, "pcmpestri xmm1, xmm2, 0") \
    X(pcmpestrm, K_STR | K_LEN | K_IMM, SSE42, "pcmpestrm xmm1, xmm2, 0") \
    X(pcmpistri, K_STR | K_IMM, SSE42, "pcmpistri xmm1, xmm2, 0") \
    X(pcmpistrm, K_STR | K_IMM, SSE42, "pcmpistrm xmm1, xmm2, 0") \
    X(pcmpestri64, K_STR | K_LEN | K_MIS, SSE42, "pcmpestri xmm1, [rsi], 0x0c; " \
      ".byte 0x66, 0x48, 0x0f, 0x3a, 0x61, 0xca, 0x45") \
    X(pcmpistri_m, K_STR | K_MIS, SSE42, "pcmpistri xmm1, [rsi], 0x1a") \
    X(pclmulqdq, K_I | K_IMM, PCLMULQDQ, "pclmulqdq xmm0, xmm1, 0") \
    X(aes, K_I | K_MEM, AES, "aesenc xmm0, xmm1; aesenclast xmm2, xmm3; aesdec xmm4, xmm5; " \
      "aesdeclast xmm6, [rsi]; aesimc xmm7, xmm0") \
    X(aeskeygen, K_I | K_IMM, AES, "aeskeygenassist xmm0, xmm1, 0") \
    /* ---- unaligned legacy-SSE memory operands: #GP(0) ---- */ \
    X(addps_mis, K_S | K_MIS, SSE, "addps xmm0, [rsi]") \
    X(pcmpeqb_mis, K_I | K_MIS, SSE2, "pcmpeqb xmm0, [rsi]") \
    X(addss_mis, K_S | K_MIS, SSE, "addss xmm0, [rsi]; addsd xmm1, [rsi]") \
    /* ---- 32-bit code: XMM0-3 from [esi], results to [esi+64] ---- */ \
    X(c32_int, K_I | K_32, SSE2, C32("movd xmm4, eax; pinsrw xmm0, ecx, 2; " \
      "pextrw edx, xmm1, 5; pmovmskb ebx, xmm2; paddb xmm3, xmm4; pcmpeqb xmm1, xmm2; " \
      "pshufd xmm2, xmm0, 0x1b; punpcklbw xmm0, [esi+32]; movq [esi+200], xmm3; " \
      "movd edi, xmm0")) \
    X(c32_fp, K_D | K_32, SSE2, C32("cvtsi2sd xmm0, eax; cvttsd2si ecx, xmm1; " \
      "cvtsd2si edx, xmm2; mulsd xmm3, [esi+8]; divsd xmm1, xmm2; ucomisd xmm1, xmm3; " \
      "setp bl; sbb edi, edi")) \
    X(c32_mask, K_I | K_32, SSE2, C32("mov edi, esi; maskmovdqu xmm0, xmm1")) \
    X(c32_str, K_STR | K_32, SSE42, C32("mov eax, 7; mov edx, 13; pcmpestri xmm0, xmm1, 0x0c; " \
      "mov edi, ecx; pcmpistrm xmm2, [esi+48], 0x44"))

/*
 * 32-bit wrapper (the native side carries only GPRs): MXCSR from [esi+132],
 * XMM0-3 from [esi]; after the case XMM0-3 to [esi+64], MXCSR to [esi+128],
 * and MXCSR back to the default from [esi+136].
 */
#define C32(body) ".code32; ldmxcsr [esi+132]; movdqu xmm0, [esi]; movdqu xmm1, [esi+16]; " \
    "movdqu xmm2, [esi+32]; movdqu xmm3, [esi+48]; " body "; movdqu [esi+64], xmm0; " \
    "movdqu [esi+80], xmm1; movdqu [esi+96], xmm2; movdqu [esi+112], xmm3; " \
    "stmxcsr [esi+128]; ldmxcsr [esi+136]; .code64"

typedef struct Case {
    const char *name;
    const char *text;
    const uint8_t *start, *end;
    uint32_t kind;
    X86Feature feat;
} Case;

#define EMIT_CASE(id, kind, feat, text)                                                 \
    __asm__(".pushsection .rodata.x86sse,\"a\"\n"                                       \
            ".intel_syntax noprefix\n"                                                  \
            "sse_case_" #id "_s:\n"                                                     \
            text "\n"                                                                   \
            "sse_case_" #id "_e:\n"                                                     \
            ".att_syntax prefix\n"                                                      \
            ".popsection\n");                                                           \
    extern const uint8_t sse_case_##id##_s[] __asm__("sse_case_" #id "_s");            \
    extern const uint8_t sse_case_##id##_e[] __asm__("sse_case_" #id "_e");
CASES(EMIT_CASE)

#define CASE_ENTRY(id, kind, feat, text) \
    { #id, text, sse_case_##id##_s, sse_case_##id##_e, kind, X86_FEAT_##feat },
static const Case cases[] = { CASES(CASE_ENTRY) };

/* ---- inputs ---- */

static const uint32_t f32_special[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000,
    0x7fc00000, 0xffc00000, 0x7fc12345, 0xffe00001, 0x7f800001, 0x7fa00000, 0xff812345,
    0x00000001, 0x007fffff, 0x80400000, 0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff,
    0x4f000000, 0xcf000000, 0x4effffff, 0xcf000001, 0x5f000000, 0xdf000000, 0x5effffff,
    0x3f000000, 0xbf000000, 0x3fc00000, 0x40200000, 0xc0200000, 0x3effffff, 0x00800001,
    0x1f800000, 0x5f800000, 0x33800000, 0x4b000000, 0x4b7fffff, 0x3f7fffff,
};

static const uint64_t f64_special[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull,
    0xbff0000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff8000000012345ull,
    0xfffc000000000001ull, 0x7ff0000000000001ull, 0x7ff4000000000000ull,
    0xfff0000012345678ull, 0x0000000000000001ull, 0x000fffffffffffffull,
    0x8008000000000000ull, 0x0010000000000000ull, 0x8010000000000000ull,
    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x41e0000000000000ull,
    0xc1e0000000000000ull, 0x41dfffffffffffffull, 0xc1e0000000200000ull,
    0x41dfffffffe00000ull, 0x43e0000000000000ull, 0xc3e0000000000000ull,
    0x43dfffffffffffffull, 0x3fe0000000000000ull, 0xbfe0000000000000ull,
    0x3ff8000000000000ull, 0x4004000000000000ull, 0xc004000000000000ull,
    0x36a0000000000000ull, 0x47efffffe0000000ull, 0x3810000000000000ull,
    0x380fffffe0000000ull, 0x47f0000000000000ull, 0x4330000000000000ull,
};

static uint8_t rnd_byte_edge(GRand *r)
{
    static const uint8_t e[] = { 0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x81 };
    return g_rand_int_range(r, 0, 4) == 0 ? e[g_rand_int_range(r, 0, G_N_ELEMENTS(e))]
                                          : (uint8_t)g_rand_int(r);
}

static uint64_t rnd_int_lane(GRand *r)
{
    static const uint64_t pat[] = {
        0x8000800080008000ull, 0x7fff7fff7fff7fffull, 0xffffffffffffffffull, 0,
        0x8000000080000000ull, 0x7fffffff7fffffffull, 0x00ff00ff00ff00ffull,
        0x8000000000000000ull, 0x0001000100010001ull, 0xff00ff00ff00ff00ull,
    };
    if (g_rand_int_range(r, 0, 8) == 0) {
        return pat[g_rand_int_range(r, 0, G_N_ELEMENTS(pat))];
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v |= (uint64_t)rnd_byte_edge(r) << (8 * i);
    }
    return v;
}

static uint32_t rnd_f32(GRand *r)
{
    switch (g_rand_int_range(r, 0, 10)) {
    case 0: case 1: case 2: case 3:
        return f32_special[g_rand_int_range(r, 0, G_N_ELEMENTS(f32_special))];
    case 4:
        return g_rand_int(r);
    case 5:     /* near the ends of the exponent range */
        return (g_rand_int(r) & 0x807fffff) |
               (uint32_t)(g_rand_boolean(r) ? g_rand_int_range(r, 0, 6)
                                            : g_rand_int_range(r, 250, 255)) << 23;
    default:    /* ordinary numbers, some with short mantissas */
        return (g_rand_int(r) & (g_rand_boolean(r) ? 0x807fffff : 0x807f0000)) |
               (uint32_t)g_rand_int_range(r, 100, 160) << 23;
    }
}

static uint64_t rnd_f64(GRand *r)
{
    uint64_t m = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
    switch (g_rand_int_range(r, 0, 10)) {
    case 0: case 1: case 2: case 3:
        return f64_special[g_rand_int_range(r, 0, G_N_ELEMENTS(f64_special))];
    case 4:
        return m;
    case 5:
        return (m & 0x800fffffffffffffull) |
               (uint64_t)(g_rand_boolean(r) ? g_rand_int_range(r, 0, 6)
                                            : g_rand_int_range(r, 2042, 2047)) << 52;
    case 6:     /* float32 range edges (CVTSD2SS) */
        return (m & 0x800fffffffffffffull) | (uint64_t)g_rand_int_range(r, 890, 1160) << 52;
    default:
        return (m & (g_rand_boolean(r) ? 0x800fffffffffffffull : 0x800fffff00000000ull)) |
               (uint64_t)g_rand_int_range(r, 990, 1060) << 52;
    }
}

static uint8_t rnd_str_byte(GRand *r)
{
    static const uint8_t a[] = { 0, 'a', 'b', 'c', 'a', 'b', 0x80, 0xff, 'z' };
    return a[g_rand_int_range(r, 0, G_N_ELEMENTS(a))];
}

/* 16 random bytes of the case's lane kind. */
static void rnd_vec(GRand *r, uint32_t kind, uint8_t *v)
{
    for (int i = 0; i < 16; i += 8) {
        uint64_t q;
        if (kind & K_S) {
            q = rnd_f32(r) | (uint64_t)rnd_f32(r) << 32;
        } else if (kind & K_D) {
            q = rnd_f64(r);
        } else if (kind & K_STR) {
            q = 0;
            for (int b = 0; b < 8; b++) {
                q |= (uint64_t)rnd_str_byte(r) << (8 * b);
            }
            if (g_rand_int_range(r, 0, 4) == 0) {   /* no zeros at all */
                q |= 0x6161616161616161ull & ~(q | (q >> 1) | (q >> 2));
                for (int b = 0; b < 8; b++) {
                    if (!((q >> (8 * b)) & 0xff)) {
                        q |= 0x61ull << (8 * b);
                    }
                }
            }
        } else {
            q = rnd_int_lane(r);
        }
        memcpy(v + i, &q, 8);
    }
}

static uint64_t rnd_len(GRand *r)
{
    static const uint64_t big[] = {
        0x80000000ull, 0xffffffffull, 0x8000000000000000ull, 0x100000010ull, 17, 100,
        (uint64_t)-17, (uint64_t)-100,
    };
    if (g_rand_int_range(r, 0, 6) == 0) {
        return big[g_rand_int_range(r, 0, G_N_ELEMENTS(big))];
    }
    return (uint64_t)(int64_t)g_rand_int_range(r, -18, 19);
}

#define DATA_LEN 1024      /* random data at RSI/RDI */
#define CMP_LEN 256        /* compared after each run */
#define FXS_OFF 512        /* the FXSAVE image of K_FXS cases */

static void make_inputs(GRand *r, const Case *c, X86NativeRegs *in, uint8_t *mem)
{
    x86_native_regs_random(r, in);
    for (int k = 0; k < 16; k++) {
        rnd_vec(r, c->kind, in->xmm[k]);
    }
    for (int i = 0; i < DATA_LEN; i += 16) {
        rnd_vec(r, c->kind, mem + i);
    }
    if (c->kind & K_32) {
        for (int k = 0; k < 8; k++) {
            in->r[k] = (uint32_t)in->r[k];
        }
        in->r[R_ESP] = X86_NATIVE_STACK - 256;
        in->r[R_ESI] = X86_NATIVE_DATA;
        uint32_t mx[2] = { 0x1f80 | (g_rand_int(r) & 0xe040), 0x1f80 };
        memcpy(mem + 132, mx, 8);
    }
    if (c->kind & (K_S | K_D)) {
        /* Integer sources of conversions: edges too. */
        in->r[R_EAX] = x86_native_rnd64(r);
        in->r[R_EBX] = x86_native_rnd64(r);
    }
    if (c->kind & K_LEN) {
        in->r[R_EAX] = rnd_len(r);
        in->r[R_EDX] = rnd_len(r);
    }
    if (c->kind & K_CNT) {
        uint64_t cnt = g_rand_int_range(r, 0, 71);
        memcpy(in->xmm[1], &cnt, 8);
        memcpy(in->xmm[9], &cnt, 8);    /* MM1 */
        memcpy(mem, &cnt, 8);
    }
    if (c->kind & K_MXCSR) {
        /* A valid MXCSR: all exceptions masked so nothing after it faults. */
        uint32_t mx = (g_rand_int(r) & 0xffff) | 0x1f80;
        memcpy(mem, &mx, 4);
    }
    if (c->kind & (K_MEM | K_MIS)) {
        uint64_t a = X86_NATIVE_DATA + ((c->kind & K_MIS) ? g_rand_int_range(r, 1, 16) : 0);
        in->r[R_ESI] = in->r[R_EDI] = a;
    }
}

/* ---- running ---- */

/* MMX cases: MMi = XMM(8+i) low half before, XMM(8+i) = MMi after, then EMMS. */
static size_t build_code(const Case *c, const uint8_t *body, size_t len, uint8_t *out)
{
    size_t n = 0;
    if (c->kind & K_MMX) {
        for (int i = 0; i < 8; i++) {
            /* movdq2q mmI, xmm(8+I): F2 41 0F D6 /r */
            const uint8_t b[] = { 0xf2, 0x41, 0x0f, 0xd6, (uint8_t)(0xc0 | i << 3 | i) };
            memcpy(out + n, b, sizeof(b));
            n += sizeof(b);
        }
    }
    memcpy(out + n, body, len);
    n += len;
    if (c->kind & K_MMX) {
        for (int i = 0; i < 8; i++) {
            /* movq2dq xmm(8+I), mmI: F3 44 0F D6 /r */
            const uint8_t b[] = { 0xf3, 0x44, 0x0f, 0xd6, (uint8_t)(0xc0 | i << 3 | i) };
            memcpy(out + n, b, sizeof(b));
            n += sizeof(b);
        }
        out[n++] = 0x0f;
        out[n++] = 0x77;     /* emms */
    }
    return n;
}

static unsigned long n_compared, n_faults;

/*
 * One input on both sides. @native: false when the host lacks the feature
 * (emu runs alone, only to see it does not crash). Returns false on a
 * difference (reported).
 */
static bool run_pair(const Case *c, const uint8_t *code, size_t len, const X86NativeRegs *in,
                     const uint8_t *mem, bool native, const char *what)
{
    X86NativeRegs want = *in, got = *in;
    X86NativeFault wf, gf;
    uint8_t *low = x86_native_low() + (X86_NATIVE_DATA - X86_NATIVE_LOW_BASE);
    uint8_t gmem[DATA_LEN];
    bool ok = true;

    if (native) {
        memcpy(low, mem, DATA_LEN + 16);
        if (c->kind & K_32) {
            g_assert_true(x86_native_run32(&want, code, len, &wf));
        } else {
            x86_native_run(&want, code, len, &wf);
        }
        __asm__ volatile("emms");
    }
    x86run_write(X86_NATIVE_DATA, mem, DATA_LEN + 16);
    x86_native_emu_run(&got, code, len, &gf);
    if (!native) {
        return true;
    }
    n_compared++;
    n_faults += wf.vector >= 0;
    ok &= x86_native_compare_fault(what, &wf, &gf);
    /* 32-bit runs carry GPRs only: XMM and MXCSR went through memory. */
    ok &= x86_native_compare(what, &want, &got, 1u << R_ESP, 0, !(c->kind & K_32));
    x86run_read(X86_NATIVE_DATA, gmem, DATA_LEN);
    for (unsigned i = 0; i < CMP_LEN; i++) {
        if (gmem[i] != low[i]) {
            g_test_message("%s: data memory differs at +%u: silicon 0x%02x emu 0x%02x", what,
                           i, low[i], gmem[i]);
            ok = false;
            break;
        }
    }
    if (c->kind & K_FXS) {
        /*
         * The x87 part of the FXSAVE image: FCW, FSW, FTW (bytes 0-5), MXCSR
         * (24-27) and the eight register slots (32-159). FOP/FIP/FDP belong to
         * whatever x87 instruction the host ran last; MXCSR_MASK is the model's.
         */
        for (unsigned i = 0; i < 160; i++) {
            if ((i >= 6 && i < 24) || (i >= 28 && i < 32)) {
                continue;
            }
            if (gmem[FXS_OFF + i] != low[FXS_OFF + i]) {
                g_test_message("%s: FXSAVE byte %u: silicon 0x%02x emu 0x%02x", what, i,
                               low[FXS_OFF + i], gmem[FXS_OFF + i]);
                ok = false;
            }
        }
    }
    if (!ok) {
        g_test_message("  (case \"%s\")", c->text);
        for (int k = 0; k < 8; k++) {
            uint64_t v[2];
            memcpy(v, in->xmm[k], 16);
            g_test_message("  in xmm%d %016" PRIx64 "%016" PRIx64, k, v[1], v[0]);
        }
        g_test_message("  in mxcsr 0x%x rax 0x%" PRIx64 " rbx 0x%" PRIx64 " rdx 0x%" PRIx64,
                       in->mxcsr, in->r[R_EAX], in->r[R_EBX], in->r[R_EDX]);
    }
    return ok;
}

static const uint32_t mxcsr_modes[] = {
    0x1f80, 0x3f80, 0x5f80, 0x7f80,          /* RC nearest, down, up, zero */
    0x9f80, 0x1fc0, 0x9fc0, 0xbfc0, 0xffc0,  /* FTZ, DAZ, both, with RC */
    0xdf80, 0x5fc0,
};

static unsigned iterations(const Case *c)
{
    const char *s = g_getenv("X86_SSE_ITERS");
    unsigned n = s ? atoi(s) : 0;
    if (!n) {
        n = (c->kind & K_FP) ? 48 : 200;
    }
    if (c->kind & K_IMM) {
        n = MAX(1, n / 24);
    }
    return n;
}

static void run_case(const Case *c, GRand *r, const char *be, bool native)
{
    size_t blen = c->end - c->start;
    uint8_t body[128], code[256];
    X86NativeRegs in;
    uint8_t mem[DATA_LEN + 16];
    unsigned n_imm = (c->kind & K_IMM) ? 256 : 1;
    unsigned n_mx = (c->kind & K_FP) ? G_N_ELEMENTS(mxcsr_modes) + 4 : 1;

    g_assert_cmpuint(blen, >, 0);
    g_assert_cmpuint(blen, <=, sizeof(body));
    memcpy(body, c->start, MIN(blen, sizeof(body)));
    for (unsigned imm = 0; imm < n_imm; imm++) {
        if (c->kind & K_IMM) {
            body[blen - 1] = imm;
        }
        size_t len = build_code(c, body, blen, code);
        for (unsigned m = 0; m < n_mx; m++) {
            for (unsigned it = 0; it < iterations(c); it++) {
                char what[128];
                make_inputs(r, c, &in, mem);
                memset(mem + DATA_LEN, 0, 16);
                if (c->kind & K_FP) {
                    if (m < G_N_ELEMENTS(mxcsr_modes)) {
                        in.mxcsr = mxcsr_modes[m];
                    } else {
                        /* Random masks (some unmasked: #XM), RC, FTZ, DAZ, flags. */
                        in.mxcsr = (g_rand_int(r) & 0xffff) | (g_rand_boolean(r) ? 0x1e00 : 0);
                    }
                }
                snprintf(what, sizeof(what), "%s imm 0x%x mxcsr 0x%x (%s)", c->name, imm,
                         in.mxcsr, be);
                if (!run_pair(c, code, len, &in, mem, native, what)) {
                    g_test_fail();
                    return;
                }
            }
        }
    }
}

static TCGBackendKind be_of(gconstpointer p)
{
    return (TCGBackendKind)GPOINTER_TO_INT(p);
}

static const char *be_name(TCGBackendKind be)
{
    return be == TCG_BACKEND_TCI ? "tci" : "native";
}

static void test_cases(gconstpointer p)
{
    TCGBackendKind be = be_of(p);
    GRand *r = g_rand_new_with_seed(1234);
    unsigned skipped = 0;

    if (!x86_native_low()) {
        g_test_skip("the shared low region cannot be mapped on this host");
        return;
    }
    x86_native_emu_begin(be, false);
    n_compared = n_faults = 0;
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        const Case *c = &cases[i];
        bool native = x86_native_host_has(c->feat);
        if (c->kind & K_32) {
            continue;
        }
        if (!native) {
            g_test_message("host lacks %s: %s runs on emu only, not compared",
                           x86_feature_name(c->feat), c->name);
            skipped++;
        }
        run_case(c, r, be_name(be), native);
    }
    g_test_message("%u cases, %lu runs compared with silicon on %s (%lu faulted alike), "
                   "%u skipped", (unsigned)G_N_ELEMENTS(cases), n_compared, be_name(be),
                   n_faults, skipped);
    g_rand_free(r);
}

/* The 32-bit (compatibility mode) cases. */
static void test_cases32(gconstpointer p)
{
    TCGBackendKind be = be_of(p);
    GRand *r = g_rand_new_with_seed(4321);
    X86NativeRegs probe = { .flags = RFLAGS_FIXED };
    X86NativeFault f;

    probe.r[R_ESP] = X86_NATIVE_STACK - 64;
    if (!x86_native_low() || !x86_native_run32(&probe, (const uint8_t[]){ 0x90 }, 1, &f)) {
        g_test_skip("this host cannot run 32-bit code here");
        return;
    }
    x86_native_emu_begin(be, true);
    n_compared = n_faults = 0;
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        const Case *c = &cases[i];
        if (c->kind & K_32) {
            run_case(c, r, be_name(be), x86_native_host_has(c->feat));
        }
    }
    g_test_message("%lu 32-bit runs compared with silicon on %s", n_compared, be_name(be));
    x86_native_emu_begin(be, false);
    g_rand_free(r);
}

/* ---- RCPPS/RSQRTPS: the SDM's bound, |relative error| <= 1.5 * 2^-12 ---- */

static float f32_of(uint32_t v)
{
    float f;
    memcpy(&f, &v, 4);
    return f;
}

/*
 * Check one approximation @got of @exact (computed in double) for operand @a.
 * Special operands must give the SDM's exact results.
 */
static bool approx_ok(uint32_t a, uint32_t got, bool rsqrt)
{
    uint32_t mag = a & 0x7fffffff, sign = a & 0x80000000;
    if (mag > 0x7f800000) {
        return got == (a | 0x00400000);                 /* QNaN of the operand */
    }
    if (rsqrt && sign && mag != 0 && mag >= 0x00800000) {
        return got == 0xffc00000;                       /* negative: default NaN */
    }
    if (mag < 0x00800000) {                             /* zero or denormal: infinity */
        return got == (sign | 0x7f800000);
    }
    if (mag == 0x7f800000) {
        return got == sign;                             /* 1/inf = 0 */
    }
    double x = f32_of(a), exact = rsqrt ? 1.0 / sqrt(x) : 1.0 / x;
    if (!rsqrt && fabs(exact) < 0x1p-126) {
        /* Tiny: flushed to zero, except in the band the SDM leaves open. */
        return got == sign || fabs(exact) > 0x1p-126 * (1 - 0x1p-11);
    }
    double g = f32_of(got);
    return fabs(g - exact) <= 1.5 * 0x1p-12 * fabs(exact);
}

static void test_rcp(gconstpointer p)
{
    TCGBackendKind be = be_of(p);
    GRand *r = g_rand_new_with_seed(77);
    static const uint8_t code[] = { 0x0f, 0x53, 0xc1,         /* rcpps xmm0, xmm1 */
                                    0x0f, 0x52, 0xd1,         /* rsqrtps xmm2, xmm1 */
                                    0xf3, 0x0f, 0x53, 0xdc,   /* rcpss xmm3, xmm4 */
                                    0xf3, 0x0f, 0x52, 0xec }; /* rsqrtss xmm5, xmm4 */
    unsigned checked = 0, host_bad = 0;

    x86_native_emu_begin(be, false);
    for (int it = 0; it < 4000; it++) {
        X86NativeRegs in, want, got;
        X86NativeFault wf, gf;
        x86_native_regs_random(r, &in);
        for (int k = 0; k < 8; k++) {
            rnd_vec(r, K_S, in.xmm[k]);
        }
        if (it & 1) {
            in.mxcsr = (g_rand_int(r) & 0xe000) | 0x1f80 | (g_rand_int(r) & 0x7f);
        }
        want = got = in;
        x86_native_run(&want, code, sizeof(code), &wf);
        x86_native_emu_run(&got, code, sizeof(code), &gf);
        g_assert_cmpint(gf.vector, ==, -1);
        /* No flags, and the untouched lanes of the scalar forms stay. */
        g_assert_cmphex(got.mxcsr, ==, in.mxcsr);
        g_assert_cmphex(want.mxcsr, ==, in.mxcsr);
        g_assert_cmpmem(got.xmm[3] + 4, 12, in.xmm[3] + 4, 12);
        g_assert_cmpmem(got.xmm[5] + 4, 12, in.xmm[5] + 4, 12);
        for (int l = 0; l < 4; l++) {
            uint32_t a, ge[2], hw[2];
            memcpy(&a, in.xmm[1] + 4 * l, 4);
            memcpy(&ge[0], got.xmm[0] + 4 * l, 4);
            memcpy(&ge[1], got.xmm[2] + 4 * l, 4);
            memcpy(&hw[0], want.xmm[0] + 4 * l, 4);
            memcpy(&hw[1], want.xmm[2] + 4 * l, 4);
            for (int k = 0; k < 2; k++) {
                if (!approx_ok(a, ge[k], k)) {
                    g_test_message("%s(0x%08x): emu 0x%08x host 0x%08x out of bound",
                                   k ? "rsqrtps" : "rcpps", a, ge[k], hw[k]);
                    g_test_fail();
                }
                host_bad += !approx_ok(a, hw[k], k);
                checked++;
            }
        }
    }
    /* The oracle must satisfy the same check, or the check is wrong. */
    g_test_message("%u approximations checked on %s; host outside the check: %u", checked,
                   be_name(be), host_bad);
    g_assert_cmpuint(host_bad, ==, 0);
    g_rand_free(r);
}

/* ---- CR0/CR4 checks: emu only (ring 0 state) ---- */

typedef struct StateCase {
    const char *name;
    uint8_t code[8];
    uint8_t len;
    bool mmx, xmm;
} StateCase;

static const StateCase state_cases[] = {
    { "addps xmm0, xmm1", { 0x0f, 0x58, 0xc1 }, 3, false, true },
    { "movdqa xmm0, xmm1", { 0x66, 0x0f, 0x6f, 0xc1 }, 4, false, true },
    { "ldmxcsr [rsi]", { 0x0f, 0xae, 0x16 }, 3, false, true },
    { "paddb mm0, mm1", { 0x0f, 0xfc, 0xc1 }, 3, true, false },
    { "pavgb mm0, mm1", { 0x0f, 0xe0, 0xc1 }, 3, true, false },
    { "emms", { 0x0f, 0x77 }, 2, true, false },
    { "cvtpi2ps xmm0, mm1", { 0x0f, 0x2a, 0xc1 }, 3, true, true },
    { "pshufb xmm0, xmm1", { 0x66, 0x0f, 0x38, 0x00, 0xc1 }, 5, false, true },
    /* MMX destination, memory source, but SSE floating point: needs OSFXSR. */
    { "cvtpd2pi mm0, [rsi]", { 0x66, 0x0f, 0x2d, 0x06 }, 4, true, true },
    { "cvttps2pi mm0, [rsi]", { 0x0f, 0x2c, 0x06 }, 3, true, true },
    { "maskmovq mm0, mm1", { 0x0f, 0xf7, 0xc1 }, 3, true, false },
};

static X86RunResult run_state(const StateCase *c, uint64_t cr0_set, uint64_t cr0_clr,
                              uint64_t cr4_clr)
{
    CPUX86State *env;
    uint8_t code[16];
    uint32_t mx = 0x1f80;

    x86run_setup(X86RUN_LONG);
    env = x86run_env();
    env->cr[0] = (env->cr[0] | cr0_set) & ~cr0_clr;
    env->cr[4] &= ~cr4_clr;
    env->regs[R_ESI] = X86RUN_DATA;
    x86run_write(X86RUN_DATA, &mx, 4);
    x86_update_hflags(env);
    memcpy(code, c->code, c->len);
    code[c->len] = 0xf4;
    x86run_write(X86RUN_CODE, code, c->len + 1);
    return x86run_exec(X86RUN_CODE, 100);
}

static void expect_vector(const StateCase *c, const char *cond, X86RunResult r, int vector)
{
    int got = r.stop == X86RUN_EXCEPTION ? r.vector : -1;
    if (got != vector) {
        g_autofree char *d = x86run_describe(&r);
        g_test_message("%s with %s: want vector %d, got %s", c->name, cond, vector, d);
        g_test_fail();
    }
}

static void test_state_checks(gconstpointer p)
{
    x86run_init(be_of(p));
    for (unsigned i = 0; i < G_N_ELEMENTS(state_cases); i++) {
        const StateCase *c = &state_cases[i];
        /* SDM vol. 3 Table 2-? / vol. 2 exception tables: EM -> #UD, TS -> #NM. */
        expect_vector(c, "nothing set", run_state(c, 0, 0, 0), -1);
        expect_vector(c, "CR0.EM", run_state(c, CR0_EM_MASK, 0, 0), 6);
        expect_vector(c, "CR0.TS", run_state(c, CR0_TS_MASK, 0, 0), 7);
        expect_vector(c, "CR0.EM+TS", run_state(c, CR0_EM_MASK | CR0_TS_MASK, 0, 0), 6);
        expect_vector(c, "no CR4.OSFXSR", run_state(c, 0, 0, CR4_OSFXSR_MASK),
                      c->xmm ? 6 : -1);
        expect_vector(c, "CR0.MP clear", run_state(c, 0, CR0_MP_MASK, 0), -1);
    }

    /* An unmasked SIMD exception without CR4.OSXMMEXCPT is #UD, with it #XM. */
    static const StateCase divps = { "divps xmm0, xmm1", { 0x0f, 0x5e, 0xc1 }, 3, false,
                                     true };
    for (int osx = 0; osx < 2; osx++) {
        CPUX86State *env;
        uint8_t code[4] = { 0x0f, 0x5e, 0xc1, 0xf4 };
        uint32_t mx = 0x1f80 & ~0x80;       /* IM clear */
        x86run_setup(X86RUN_LONG);
        env = x86run_env();
        if (!osx) {
            env->cr[4] &= ~CR4_OSXMMEXCPT_MASK;
        }
        memset(env->xsave_area + X86_XSAVE_XMM_OFFSET, 0, 32);   /* 0 / 0: IE */
        memcpy(env->xsave_area + X86_XSAVE_MXCSR_OFFSET, &mx, 4);
        x86_update_hflags(env);
        x86run_write(X86RUN_CODE, code, sizeof(code));
        X86RunResult r = x86run_exec(X86RUN_CODE, 100);
        expect_vector(&divps, osx ? "OSXMMEXCPT" : "no OSXMMEXCPT", r, osx ? 19 : 6);
        /* The destination is untouched, IE is set. */
        g_assert_cmpuint(env->xsave_area[X86_XSAVE_XMM_OFFSET], ==, 0);
        memcpy(&mx, env->xsave_area + X86_XSAVE_MXCSR_OFFSET, 4);
        g_assert_cmphex(mx & 0x3f, ==, 1);
    }
}

int main(int argc, char **argv)
{
    TCGBackendKind bes[2];
    int nbe;

    g_test_init(&argc, &argv, NULL);
    x86run_init(TCG_BACKEND_TCI);
    nbe = x86run_backends(bes);
    for (int i = 0; i < nbe; i++) {
        gconstpointer p = GINT_TO_POINTER(bes[i]);
        char path[64];
        snprintf(path, sizeof(path), "/x86-sse/cases/%s", be_name(bes[i]));
        g_test_add_data_func(path, p, test_cases);
        snprintf(path, sizeof(path), "/x86-sse/cases32/%s", be_name(bes[i]));
        g_test_add_data_func(path, p, test_cases32);
        snprintf(path, sizeof(path), "/x86-sse/rcp/%s", be_name(bes[i]));
        g_test_add_data_func(path, p, test_rcp);
        snprintf(path, sizeof(path), "/x86-sse/state/%s", be_name(bes[i]));
        g_test_add_data_func(path, p, test_state_checks);
    }
    return g_test_run();
}
