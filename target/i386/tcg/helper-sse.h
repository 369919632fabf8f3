/*
 * Helpers for translate-sse.c (included from helper.h; see its comment for the flags).
 *
 * Vector operands are passed as env offsets (i32): an XMM register, an MMX
 * register (the low half of its x87 slot) or env->sse_scratch holding a
 * memory operand. The last argument of a vector helper is the operand length
 * in bytes (8 MMX, 16 XMM) or the instruction's imm8, as noted.
 */

/* Integer lane operations (sse-int-helper.c): no exceptions, no globals. */
#define SSE_INT(name) DEF_HELPER_FLAGS_4(name, TCG_CALL_NO_RWG, void, env, i32, i32, i32)
/* Floating point (sse-fp-helper.c): may raise #XM, reads globals then. */
#define SSE_FP(name) DEF_HELPER_FLAGS_4(name, TCG_CALL_NO_WG, void, env, i32, i32, i32)

/* d, s, len */
SSE_INT(paddb) SSE_INT(paddw) SSE_INT(paddd) SSE_INT(paddq)
SSE_INT(psubb) SSE_INT(psubw) SSE_INT(psubd) SSE_INT(psubq)
SSE_INT(paddsb) SSE_INT(paddsw) SSE_INT(paddusb) SSE_INT(paddusw)
SSE_INT(psubsb) SSE_INT(psubsw) SSE_INT(psubusb) SSE_INT(psubusw)
SSE_INT(pcmpeqb) SSE_INT(pcmpeqw) SSE_INT(pcmpeqd) SSE_INT(pcmpeqq)
SSE_INT(pcmpgtb) SSE_INT(pcmpgtw) SSE_INT(pcmpgtd) SSE_INT(pcmpgtq)
SSE_INT(pmullw) SSE_INT(pmulhw) SSE_INT(pmulhuw) SSE_INT(pmulld) SSE_INT(pmulhrsw)
SSE_INT(pmuludq) SSE_INT(pmuldq) SSE_INT(pmaddwd) SSE_INT(pmaddubsw) SSE_INT(psadbw)
SSE_INT(pavgb) SSE_INT(pavgw)
SSE_INT(pminub) SSE_INT(pmaxub) SSE_INT(pminsw) SSE_INT(pmaxsw)
SSE_INT(pminsb) SSE_INT(pmaxsb) SSE_INT(pminsd) SSE_INT(pmaxsd)
SSE_INT(pminuw) SSE_INT(pmaxuw) SSE_INT(pminud) SSE_INT(pmaxud)
SSE_INT(psignb) SSE_INT(psignw) SSE_INT(psignd)
SSE_INT(pabsb) SSE_INT(pabsw) SSE_INT(pabsd)
SSE_INT(packsswb) SSE_INT(packuswb) SSE_INT(packssdw) SSE_INT(packusdw)
SSE_INT(punpcklbw) SSE_INT(punpcklwd) SSE_INT(punpckldq) SSE_INT(punpcklqdq)
SSE_INT(punpckhbw) SSE_INT(punpckhwd) SSE_INT(punpckhdq) SSE_INT(punpckhqdq)
/* shifts: the count is the low quadword of s */
SSE_INT(psrlw) SSE_INT(psrld) SSE_INT(psrlq) SSE_INT(psllw) SSE_INT(pslld) SSE_INT(psllq)
SSE_INT(psraw) SSE_INT(psrad) SSE_INT(psrldq) SSE_INT(pslldq)
SSE_INT(pshufb)
SSE_INT(phaddw) SSE_INT(phaddd) SSE_INT(phaddsw) SSE_INT(phsubw) SSE_INT(phsubd)
SSE_INT(phsubsw)
SSE_INT(pblendvb) SSE_INT(blendvps) SSE_INT(blendvpd) SSE_INT(phminposuw)
/* d, s, imm8 */
SSE_INT(pshufw) SSE_INT(pshuflw) SSE_INT(pshufhw) SSE_INT(pshufd)
SSE_INT(shufps) SSE_INT(shufpd) SSE_INT(movsdup)
SSE_INT(palignr_mmx) SSE_INT(palignr_xmm)
SSE_INT(pblendw) SSE_INT(blendps) SSE_INT(blendpd) SSE_INT(mpsadbw)
/* d, s, source lane bytes | dest lane bytes << 4 | sign << 8 */
SSE_INT(pmovx)
DEF_HELPER_FLAGS_3(ptest, TCG_CALL_NO_RWG_SE, i64, env, i32, i32)
/* s, len -> mask */
DEF_HELPER_FLAGS_3(pmovmskb, TCG_CALL_NO_RWG_SE, i64, env, i32, i32)
DEF_HELPER_FLAGS_3(movmskps, TCG_CALL_NO_RWG_SE, i64, env, i32, i32)
DEF_HELPER_FLAGS_3(movmskpd, TCG_CALL_NO_RWG_SE, i64, env, i32, i32)
/* d (data), s (mask), linear address, len | mmu_idx << 8 | 64-bit << 16 */
DEF_HELPER_FLAGS_5(maskmov, TCG_CALL_NO_WG, void, env, i32, i32, i64, i32)

/* SSE4.2 string compares (sse-str-helper.c): flags | ECX << 32; M forms write XMM0. */
DEF_HELPER_FLAGS_6(pcmpestri, TCG_CALL_NO_RWG, i64, env, i32, i32, i32, i64, i64)
DEF_HELPER_FLAGS_6(pcmpestrm, TCG_CALL_NO_RWG, i64, env, i32, i32, i32, i64, i64)
DEF_HELPER_FLAGS_4(pcmpistri, TCG_CALL_NO_RWG, i64, env, i32, i32, i32)
DEF_HELPER_FLAGS_4(pcmpistrm, TCG_CALL_NO_RWG, i64, env, i32, i32, i32)

/* AES-NI and PCLMULQDQ (sse-crypto-helper.c): d, s, imm8 or unused */
SSE_INT(aesenc) SSE_INT(aesenclast) SSE_INT(aesdec) SSE_INT(aesdeclast) SSE_INT(aesimc)
SSE_INT(aeskeygenassist) SSE_INT(pclmulqdq)

/* Floating point (sse-fp-helper.c): d, s, len */
SSE_FP(addps) SSE_FP(addpd) SSE_FP(addss) SSE_FP(addsd)
SSE_FP(subps) SSE_FP(subpd) SSE_FP(subss) SSE_FP(subsd)
SSE_FP(mulps) SSE_FP(mulpd) SSE_FP(mulss) SSE_FP(mulsd)
SSE_FP(divps) SSE_FP(divpd) SSE_FP(divss) SSE_FP(divsd)
SSE_FP(minps) SSE_FP(minpd) SSE_FP(minss) SSE_FP(minsd)
SSE_FP(maxps) SSE_FP(maxpd) SSE_FP(maxss) SSE_FP(maxsd)
SSE_FP(sqrtps) SSE_FP(sqrtpd) SSE_FP(sqrtss) SSE_FP(sqrtsd)
SSE_FP(addsubps) SSE_FP(addsubpd)
SSE_FP(haddps) SSE_FP(haddpd) SSE_FP(hsubps) SSE_FP(hsubpd)
SSE_FP(cvtps2pd) SSE_FP(cvtpd2ps) SSE_FP(cvtss2sd) SSE_FP(cvtsd2ss)
SSE_FP(cvtdq2ps) SSE_FP(cvtps2dq) SSE_FP(cvttps2dq)
SSE_FP(cvtdq2pd) SSE_FP(cvtpd2dq) SSE_FP(cvttpd2dq)
SSE_FP(cvtpi2ps) SSE_FP(cvtpi2pd) SSE_FP(cvtps2pi) SSE_FP(cvttps2pi)
SSE_FP(cvtpd2pi) SSE_FP(cvttpd2pi)
/* RCP/RSQRT never raise */
SSE_INT(rcpps) SSE_INT(rcpss) SSE_INT(rsqrtps) SSE_INT(rsqrtss)
/* d, s, imm8 */
SSE_FP(cmpps) SSE_FP(cmppd) SSE_FP(cmpss) SSE_FP(cmpsd)
SSE_FP(roundps) SSE_FP(roundpd) SSE_FP(roundss) SSE_FP(roundsd)
SSE_FP(dpps) SSE_FP(dppd)
/* d, s -> arithmetic flags */
DEF_HELPER_FLAGS_3(comiss, TCG_CALL_NO_WG, i64, env, i32, i32)
DEF_HELPER_FLAGS_3(ucomiss, TCG_CALL_NO_WG, i64, env, i32, i32)
DEF_HELPER_FLAGS_3(comisd, TCG_CALL_NO_WG, i64, env, i32, i32)
DEF_HELPER_FLAGS_3(ucomisd, TCG_CALL_NO_WG, i64, env, i32, i32)
/* d, integer, is64 */
DEF_HELPER_FLAGS_4(cvtsi2ss, TCG_CALL_NO_WG, void, env, i32, i64, i32)
DEF_HELPER_FLAGS_4(cvtsi2sd, TCG_CALL_NO_WG, void, env, i32, i64, i32)
/* s, is64 -> integer (32-bit results zero-extended) */
DEF_HELPER_FLAGS_3(cvtss2si, TCG_CALL_NO_WG, i64, env, i32, i32)
DEF_HELPER_FLAGS_3(cvttss2si, TCG_CALL_NO_WG, i64, env, i32, i32)
DEF_HELPER_FLAGS_3(cvtsd2si, TCG_CALL_NO_WG, i64, env, i32, i32)
DEF_HELPER_FLAGS_3(cvttsd2si, TCG_CALL_NO_WG, i64, env, i32, i32)
/* LDMXCSR: #GP(0) on reserved bits */
DEF_HELPER_FLAGS_2(ldmxcsr, TCG_CALL_NO_WG, void, env, i32)

#undef SSE_INT
#undef SSE_FP
