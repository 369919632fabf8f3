/*
 * x86 two-byte opcode map 0F xx (Intel SDM vol. 2 appendix A.3 table A-3,
 * groups 6-16 in A.4.2). Prefix-dispatched entries list the forms for
 * no prefix, 66, F3 and F2, in that order.
 */
#include "decode-internal.h"

#define MMX(opc, f, ...)   IF(opc, f, MMX, __VA_ARGS__)
#define SSE(opc, f, ...)   IF(opc, f, SSE, __VA_ARGS__)
#define SSE2(opc, f, ...)  IF(opc, f, SSE2, __VA_ARGS__)
#define SSE3(opc, f, ...)  IF(opc, f, SSE3, __VA_ARGS__)

#define RW   F_RW0
#define W    F_W0

/* ps / pd / ss / sd arithmetic. */
#define ARITH4(ps, pd, ss, sd) \
    PFX4(SSE(ps, RW, Vx, Wx), SSE2(pd, RW, Vx, Wx), SSE(ss, RW, Vd, Wd), SSE2(sd, RW, Vq, Wq))
/* MMX with a 66-prefixed SSE2 twin. */
#define MMX_SSE2(opc) PFX4(MMX(opc, RW, Pq, Qq), SSE2(opc, RW, Vx, Wx), UD, UD)
/* The low-half unpacks read only 32 bits of an MMX memory source. */
#define MMX_SSE2_LO(opc) PFX4(MMX(opc, RW, Pq, Qd), SSE2(opc, RW, Vx, Wx), UD, UD)
/* Integer MMX instructions added with SSE (MMX extensions). */
#define MMXEXT_SSE2(opc) PFX4(SSE(opc, RW, Pq, Qq), SSE2(opc, RW, Vx, Wx), UD, UD)
/* 64-bit MMX forms added with SSE2. */
#define MMX2_SSE2(opc) PFX4(SSE2(opc, RW, Pq, Qq), SSE2(opc, RW, Vx, Wx), UD, UD)
/* Shift by register/memory count. */
#define MMX_SHIFT(opc) PFX4(MMX(opc, RW, Pq, Qq), SSE2(opc, RW, Vx, Wx), UD, UD)
/* Groups 12-14: shift by immediate, register operand only. */
#define SHIMM(opc) PFX4(MMX(opc, RW, Nq, Ib), SSE2(opc, RW, Ux, Ib), UD, UD)
#define SHIMM66(opc) PFX4(UD, SSE2(opc, RW, Ux, Ib), UD, UD)

/* 0F 01 (group 7), SDM A.4.2 table A-6 and the opcode pages. */
static const X86OpEntry grp7[8] = {
    MOD2(I(SGDT, W | F_PRIVC, Ms), UD),
    MOD2(I(SIDT, W | F_PRIVC, Ms),
         RM8(IF(MONITOR, F_PRIVC, MONITOR), IF(MWAIT, F_PRIVC | F_END, MONITOR),
             IF(CLAC, F_PRIVC | F_END, SMAP), IF(STAC, F_PRIVC | F_END, SMAP),
             UD, UD, UD, UD)),
    MOD2(I(LGDT, F_PRIV, Ms),
         RM8(IF(XGETBV, 0, XSAVE), IF(XSETBV, F_PRIV | F_END, XSAVE),
             UD, UD, UD, UD, UD, UD)),
    MOD2(I(LIDT, F_PRIV, Ms), UD),
    I(SMSW, W | F_PRIVC, Ewv),
    MOD2(UD, RM8(UD, UD, UD, UD, UD, UD, IF(RDPKRU, 0, PKU), IF(WRPKRU, 0, PKU))),
    /* LMSW can set CR0.PE: a mode change. */
    I(LMSW, F_PRIV | F_END, Ew),
    MOD2(I(INVLPG, F_PRIV | F_NOACC | F_END, Mb),
         RM8(I(SWAPGS, F_O64 | F_PRIV), IF(RDTSCP, F_PRIVC, RDTSCP),
             UD, UD, UD, UD, UD, UD)),
};

/* 0F 00 (group 6): not recognized in real and virtual-8086 mode. */
static const X86OpEntry grp6[8] = {
    I(SLDT, F_NOREAL | W | F_PRIVC, Ewv),
    I(STR, F_NOREAL | W | F_PRIVC, Ewv),
    I(LLDT, F_NOREAL | F_PRIV, Ew),
    I(LTR, F_NOREAL | F_PRIV, Ew),
    I(VERR, F_NOREAL, Ew),
    I(VERW, F_NOREAL, Ew),
    UD, UD,
};

#define PF(opc) IF(opc, F_NOACC, PREFETCHW, Mb)
#define HINT_NOP I(NOP, F_NOACC, Ev)

/* 0F 18 (group 16): prefetch hints; the rest of 0F 18-1F is reserved-NOP. */
static const X86OpEntry grp16[8] = {
    MOD2(SSE(PREFETCHNTA, F_NOACC, Mb), HINT_NOP),
    MOD2(SSE(PREFETCHT0, F_NOACC, Mb), HINT_NOP),
    MOD2(SSE(PREFETCHT1, F_NOACC, Mb), HINT_NOP),
    MOD2(SSE(PREFETCHT2, F_NOACC, Mb), HINT_NOP),
    HINT_NOP, HINT_NOP, HINT_NOP, HINT_NOP,
};

/* 0F AE (group 15). */
static const X86OpEntry grp15[8] = {
    MOD2(PFX4(IF(FXSAVE, W | F_X87 | F_A16, FXSR, Mfx), UD, UD, UD),
         PFX4(UD, UD, IF(RDFSBASE, W | F_O64, FSGSBASE, Ey), UD)),
    MOD2(PFX4(IF(FXRSTOR, F_X87 | F_A16, FXSR, Mfx), UD, UD, UD),
         PFX4(UD, UD, IF(RDGSBASE, W | F_O64, FSGSBASE, Ey), UD)),
    MOD2(PFX4(SSE(LDMXCSR, F_SSE, Md), UD, UD, UD),
         PFX4(UD, UD, IF(WRFSBASE, F_O64, FSGSBASE, Ey), UD)),
    MOD2(PFX4(SSE(STMXCSR, W | F_SSE, Md), UD, UD, UD),
         PFX4(UD, UD, IF(WRGSBASE, F_O64, FSGSBASE, Ey), UD)),
    MOD2(PFX4(IF(XSAVE, W | F_A64, XSAVE, Mxs), UD, UD, UD), UD),
    MOD2(PFX4(IF(XRSTOR, F_A64, XSAVE, Mxs), UD, UD, UD),
         PFX4(SSE2(LFENCE, 0), UD, UD, UD)),
    MOD2(PFX4(IF(XSAVEOPT, W | F_A64, XSAVEOPT, Mxs), IF(CLWB, F_NOACC, CLWB, Mb), UD, UD),
         PFX4(SSE2(MFENCE, 0), UD, UD, UD)),
    MOD2(PFX4(IF(CLFLUSH, F_NOACC, CLFLUSH, Mb), IF(CLFLUSHOPT, F_NOACC, CLFLUSHOPT, Mb),
              UD, UD),
         PFX4(SSE(SFENCE, 0), UD, UD, UD)),
};

/* 0F C7 (group 9). */
static const X86OpEntry grp9[8] = {
    UD,
    MOD2(W2(IF(CMPXCHG8B, F_LOCK | RW, CX8, Mq),
            IF(CMPXCHG16B, F_LOCK | RW | F_A16, CX16, Mx)), UD),
    UD,
    MOD2(IF(XRSTORS, F_PRIV | F_A64, XSAVES, Mxs), UD),
    MOD2(IF(XSAVEC, W | F_A64, XSAVEC, Mxs), UD),
    MOD2(IF(XSAVES, W | F_PRIV | F_A64, XSAVES, Mxs), UD),
    MOD2(UD, PFX4(IF(RDRAND, W, RDRAND, Ev), IF(RDRAND, W, RDRAND, Ev), UD, UD)),
    MOD2(UD, PFX4(IF(RDSEED, W, RDSEED, Ev), IF(RDSEED, W, RDSEED, Ev),
                  IF(RDPID, W, RDPID, Rr), UD)),
};

#define JCCZ I(JCC, F_F64 | F_BR | F_COND | F_END, Jz)
#define CMOV IF(CMOVCC, RW, CMOV, Gv, Ev)
#define SETCC I(SETCC, W, Eb)

const X86OpEntry x86_map_0f[256] = {
    [0x00] = GRP(grp6),
    [0x01] = GRP(grp7),
    [0x02] = I(LAR, F_NOREAL | W, Gv, Ewz),
    [0x03] = I(LSL, F_NOREAL | W, Gv, Ewz),
    [0x05] = IF(SYSCALL, F_BR | F_END, SYSCALL),
    /* CLTS changes CR0.TS, which the TB flags depend on. */
    [0x06] = I(CLTS, F_PRIV | F_END),
    [0x07] = IF(SYSRET, F_PRIV | F_BR | F_END, SYSCALL),
    [0x08] = I(INVD, F_PRIV),
    [0x09] = I(WBINVD, F_PRIV),
    [0x0b] = I(UD2, F_END),
    [0x0d] = GROUP8(PF(PREFETCH), PF(PREFETCHW), PF(PREFETCH), PF(PREFETCH),
                    PF(PREFETCH), PF(PREFETCH), PF(PREFETCH), PF(PREFETCH)),
    [0x10] = PFX4(SSE(MOVUPS, W | F_UNAL, Vx, Wx), SSE2(MOVUPD, W | F_UNAL, Vx, Wx),
                  SSE(MOVSS, W, Vd, Wd), SSE2(MOVSD, W, Vq, Wq)),
    [0x11] = PFX4(SSE(MOVUPS, W | F_UNAL, Wx, Vx), SSE2(MOVUPD, W | F_UNAL, Wx, Vx),
                  SSE(MOVSS, W, Wd, Vd), SSE2(MOVSD, W, Wq, Vq)),
    [0x12] = PFX4(MOD2(SSE(MOVLPS, W, Vq, Mq), SSE(MOVHLPS, W, Vq, Uq)),
                  SSE2(MOVLPD, W, Vq, Mq),
                  SSE3(MOVSLDUP, W, Vx, Wx), SSE3(MOVDDUP, W, Vx, Wq)),
    [0x13] = PFX4(SSE(MOVLPS, W, Mq, Vq), SSE2(MOVLPD, W, Mq, Vq), UD, UD),
    [0x14] = PFX4(SSE(UNPCKLPS, RW, Vx, Wx), SSE2(UNPCKLPD, RW, Vx, Wx), UD, UD),
    [0x15] = PFX4(SSE(UNPCKHPS, RW, Vx, Wx), SSE2(UNPCKHPD, RW, Vx, Wx), UD, UD),
    [0x16] = PFX4(MOD2(SSE(MOVHPS, W, Vq, Mq), SSE(MOVLHPS, W, Vq, Uq)),
                  SSE2(MOVHPD, W, Vq, Mq), SSE3(MOVSHDUP, W, Vx, Wx), UD),
    [0x17] = PFX4(SSE(MOVHPS, W, Mq, Vq), SSE2(MOVHPD, W, Mq, Vq), UD, UD),
    [0x18] = GRP(grp16),
    [0x19 ... 0x1f] = HINT_NOP,
    [0x20] = I(MOV_FROM_CR, W | F_PRIV, Rr, Cr),
    [0x21] = I(MOV_FROM_DR, W | F_PRIV, Rr, Dr),
    /* CR0/CR4 writes switch modes and paging; DR writes arm breakpoints. */
    [0x22] = I(MOV_TO_CR, W | F_PRIV | F_END, Cr, Rr),
    [0x23] = I(MOV_TO_DR, W | F_PRIV | F_END, Dr, Rr),
    [0x28] = PFX4(SSE(MOVAPS, W, Vx, Wx), SSE2(MOVAPD, W, Vx, Wx), UD, UD),
    [0x29] = PFX4(SSE(MOVAPS, W, Wx, Vx), SSE2(MOVAPD, W, Wx, Vx), UD, UD),
    [0x2a] = PFX4(SSE(CVTPI2PS, W, Vq, Qq), SSE2(CVTPI2PD, W, Vx, Qq),
                  SSE(CVTSI2SS, W, Vd, Ey), SSE2(CVTSI2SD, W, Vq, Ey)),
    [0x2b] = PFX4(SSE(MOVNTPS, W, Mx, Vx), SSE2(MOVNTPD, W, Mx, Vx), UD, UD),
    [0x2c] = PFX4(SSE(CVTTPS2PI, W, Pq, Wq), SSE2(CVTTPD2PI, W, Pq, Wx),
                  SSE(CVTTSS2SI, W, Gy, Wd), SSE2(CVTTSD2SI, W, Gy, Wq)),
    [0x2d] = PFX4(SSE(CVTPS2PI, W, Pq, Wq), SSE2(CVTPD2PI, W, Pq, Wx),
                  SSE(CVTSS2SI, W, Gy, Wd), SSE2(CVTSD2SI, W, Gy, Wq)),
    [0x2e] = PFX4(SSE(UCOMISS, 0, Vd, Wd), SSE2(UCOMISD, 0, Vq, Wq), UD, UD),
    [0x2f] = PFX4(SSE(COMISS, 0, Vd, Wd), SSE2(COMISD, 0, Vq, Wq), UD, UD),
    /* WRMSR can change EFER, the FS/GS bases, SYSENTER state...: end the TB. */
    [0x30] = IF(WRMSR, F_PRIV | F_END, MSR),
    [0x31] = IF(RDTSC, F_PRIVC, TSC),
    [0x32] = IF(RDMSR, F_PRIV, MSR),
    [0x33] = I(RDPMC, F_PRIVC),
    [0x34] = IF(SYSENTER, F_BR | F_END, SEP),
    [0x35] = IF(SYSEXIT, F_PRIV | F_BR | F_END, SEP),
    [0x40 ... 0x4f] = CMOV,
    [0x50] = PFX4(SSE(MOVMSKPS, W, Gd, Ux), SSE2(MOVMSKPD, W, Gd, Ux), UD, UD),
    [0x51] = PFX4(SSE(SQRTPS, W, Vx, Wx), SSE2(SQRTPD, W, Vx, Wx),
                  SSE(SQRTSS, W, Vd, Wd), SSE2(SQRTSD, W, Vq, Wq)),
    [0x52] = PFX4(SSE(RSQRTPS, W, Vx, Wx), UD, SSE(RSQRTSS, W, Vd, Wd), UD),
    [0x53] = PFX4(SSE(RCPPS, W, Vx, Wx), UD, SSE(RCPSS, W, Vd, Wd), UD),
    [0x54] = PFX4(SSE(ANDPS, RW, Vx, Wx), SSE2(ANDPD, RW, Vx, Wx), UD, UD),
    [0x55] = PFX4(SSE(ANDNPS, RW, Vx, Wx), SSE2(ANDNPD, RW, Vx, Wx), UD, UD),
    [0x56] = PFX4(SSE(ORPS, RW, Vx, Wx), SSE2(ORPD, RW, Vx, Wx), UD, UD),
    [0x57] = PFX4(SSE(XORPS, RW, Vx, Wx), SSE2(XORPD, RW, Vx, Wx), UD, UD),
    [0x58] = ARITH4(ADDPS, ADDPD, ADDSS, ADDSD),
    [0x59] = ARITH4(MULPS, MULPD, MULSS, MULSD),
    [0x5a] = PFX4(SSE2(CVTPS2PD, W, Vx, Wq), SSE2(CVTPD2PS, W, Vx, Wx),
                  SSE2(CVTSS2SD, W, Vq, Wd), SSE2(CVTSD2SS, W, Vd, Wq)),
    [0x5b] = PFX4(SSE2(CVTDQ2PS, W, Vx, Wx), SSE2(CVTPS2DQ, W, Vx, Wx),
                  SSE2(CVTTPS2DQ, W, Vx, Wx), UD),
    [0x5c] = ARITH4(SUBPS, SUBPD, SUBSS, SUBSD),
    [0x5d] = ARITH4(MINPS, MINPD, MINSS, MINSD),
    [0x5e] = ARITH4(DIVPS, DIVPD, DIVSS, DIVSD),
    [0x5f] = ARITH4(MAXPS, MAXPD, MAXSS, MAXSD),
    [0x60] = MMX_SSE2_LO(PUNPCKLBW),
    [0x61] = MMX_SSE2_LO(PUNPCKLWD),
    [0x62] = MMX_SSE2_LO(PUNPCKLDQ),
    [0x63] = MMX_SSE2(PACKSSWB),
    [0x64] = MMX_SSE2(PCMPGTB),
    [0x65] = MMX_SSE2(PCMPGTW),
    [0x66] = MMX_SSE2(PCMPGTD),
    [0x67] = MMX_SSE2(PACKUSWB),
    [0x68] = MMX_SSE2(PUNPCKHBW),
    [0x69] = MMX_SSE2(PUNPCKHWD),
    [0x6a] = MMX_SSE2(PUNPCKHDQ),
    [0x6b] = MMX_SSE2(PACKSSDW),
    [0x6c] = PFX4(UD, SSE2(PUNPCKLQDQ, RW, Vx, Wx), UD, UD),
    [0x6d] = PFX4(UD, SSE2(PUNPCKHQDQ, RW, Vx, Wx), UD, UD),
    [0x6e] = PFX4(MMX(MOVD, W, Py, Ey), SSE2(MOVD, W, Vy, Ey), UD, UD),
    [0x6f] = PFX4(MMX(MOVQ, W, Pq, Qq), SSE2(MOVDQA, W, Vx, Wx),
                  SSE2(MOVDQU, W | F_UNAL, Vx, Wx), UD),
    [0x70] = PFX4(SSE(PSHUFW, W, Pq, Qq, Ib), SSE2(PSHUFD, W, Vx, Wx, Ib),
                  SSE2(PSHUFHW, W, Vx, Wx, Ib), SSE2(PSHUFLW, W, Vx, Wx, Ib)),
    [0x71] = GROUP8(UD, UD, SHIMM(PSRLW), UD, SHIMM(PSRAW), UD, SHIMM(PSLLW), UD),
    [0x72] = GROUP8(UD, UD, SHIMM(PSRLD), UD, SHIMM(PSRAD), UD, SHIMM(PSLLD), UD),
    [0x73] = GROUP8(UD, UD, SHIMM(PSRLQ), SHIMM66(PSRLDQ), UD, UD, SHIMM(PSLLQ),
                    SHIMM66(PSLLDQ)),
    [0x74] = MMX_SSE2(PCMPEQB),
    [0x75] = MMX_SSE2(PCMPEQW),
    [0x76] = MMX_SSE2(PCMPEQD),
    [0x77] = PFX4(MMX(EMMS, F_MMX), UD, UD, UD),
    [0x7c] = PFX4(UD, SSE3(HADDPD, RW, Vx, Wx), UD, SSE3(HADDPS, RW, Vx, Wx)),
    [0x7d] = PFX4(UD, SSE3(HSUBPD, RW, Vx, Wx), UD, SSE3(HSUBPS, RW, Vx, Wx)),
    [0x7e] = PFX4(MMX(MOVD, W, Ey, Py), SSE2(MOVD, W, Ey, Vy), SSE2(MOVQ, W, Vq, Wq), UD),
    [0x7f] = PFX4(MMX(MOVQ, W, Qq, Pq), SSE2(MOVDQA, W, Wx, Vx),
                  SSE2(MOVDQU, W | F_UNAL, Wx, Vx), UD),
    [0x80 ... 0x8f] = JCCZ,
    [0x90 ... 0x9f] = SETCC,
    [0xa0] = I(PUSH, F_D64 | F_STK, SEG(X86_SEG_FS)),
    [0xa1] = I(POP, F_D64 | F_STK | F_SEG | W, SEG(X86_SEG_FS)),
    [0xa2] = I(CPUID, 0),
    [0xa3] = I(BT, 0, Ev, Gv),
    [0xa4] = I(SHLD, RW, Ev, Gv, Ib),
    [0xa5] = I(SHLD, RW, Ev, Gv, CL),
    [0xa8] = I(PUSH, F_D64 | F_STK, SEG(X86_SEG_GS)),
    [0xa9] = I(POP, F_D64 | F_STK | F_SEG | W, SEG(X86_SEG_GS)),
    /* RSM is #UD outside SMM, which emu does not model: the translator raises it. */
    [0xaa] = I(RSM, F_BR | F_END),
    [0xab] = I(BTS, F_LOCK | RW, Ev, Gv),
    [0xac] = I(SHRD, RW, Ev, Gv, Ib),
    [0xad] = I(SHRD, RW, Ev, Gv, CL),
    [0xae] = GRP(grp15),
    [0xaf] = I(IMUL, RW, Gv, Ev),
    [0xb0] = I(CMPXCHG, F_LOCK | RW, Eb, Gb),
    [0xb1] = I(CMPXCHG, F_LOCK | RW, Ev, Gv),
    [0xb2] = I(LSS, F_SEG | W, Gv, Mp),
    [0xb3] = I(BTR, F_LOCK | RW, Ev, Gv),
    [0xb4] = I(LFS, F_SEG | W, Gv, Mp),
    [0xb5] = I(LGS, F_SEG | W, Gv, Mp),
    [0xb6] = I(MOVZX, W, Gv, Eb),
    [0xb7] = I(MOVZX, W, Gv, Ew),
    [0xb8] = PFX4(UD, UD, IF(POPCNT, W, POPCNT, Gv, Ev), UD),
    [0xb9] = I(UD1, F_END, Gv, Ev),
    [0xba] = GROUP8(UD, UD, UD, UD, I(BT, 0, Ev, Ib), I(BTS, F_LOCK | RW, Ev, Ib),
                    I(BTR, F_LOCK | RW, Ev, Ib), I(BTC, F_LOCK | RW, Ev, Ib)),
    [0xbb] = I(BTC, F_LOCK | RW, Ev, Gv),
    /* Without BMI1/ABM, F3 is ignored and these are BSF/BSR (decode.c). */
    [0xbc] = PFX4(I(BSF, RW, Gv, Ev), I(BSF, RW, Gv, Ev), I(TZCNT, W, Gv, Ev),
                  I(BSF, RW, Gv, Ev)),
    [0xbd] = PFX4(I(BSR, RW, Gv, Ev), I(BSR, RW, Gv, Ev), I(LZCNT, W, Gv, Ev),
                  I(BSR, RW, Gv, Ev)),
    [0xbe] = I(MOVSX, W, Gv, Eb),
    [0xbf] = I(MOVSX, W, Gv, Ew),
    [0xc0] = I(XADD, F_LOCK | RW | F_RW1, Eb, Gb),
    [0xc1] = I(XADD, F_LOCK | RW | F_RW1, Ev, Gv),
    [0xc2] = PFX4(SSE(CMPPS, RW, Vx, Wx, Ib), SSE2(CMPPD, RW, Vx, Wx, Ib),
                  SSE(CMPSS, RW, Vd, Wd, Ib), SSE2(CMPSD, RW, Vq, Wq, Ib)),
    [0xc3] = PFX4(SSE2(MOVNTI, W, My, Gy), UD, UD, UD),
    [0xc4] = PFX4(SSE(PINSRW, RW, Pq, Ewd, Ib), SSE2(PINSRW, RW, Vx, Ewd, Ib), UD, UD),
    [0xc5] = PFX4(SSE(PEXTRW, W, Gd, Nq, Ib), SSE2(PEXTRW, W, Gd, Ux, Ib), UD, UD),
    [0xc6] = PFX4(SSE(SHUFPS, RW, Vx, Wx, Ib), SSE2(SHUFPD, RW, Vx, Wx, Ib), UD, UD),
    [0xc7] = GRP(grp9),
    [0xc8 ... 0xcf] = I(BSWAP, RW, Zv),
    [0xd0] = PFX4(UD, SSE3(ADDSUBPD, RW, Vx, Wx), UD, SSE3(ADDSUBPS, RW, Vx, Wx)),
    [0xd1] = MMX_SHIFT(PSRLW),
    [0xd2] = MMX_SHIFT(PSRLD),
    [0xd3] = MMX_SHIFT(PSRLQ),
    [0xd4] = MMX2_SSE2(PADDQ),
    [0xd5] = MMX_SSE2(PMULLW),
    [0xd6] = PFX4(UD, SSE2(MOVQ, W, Wq, Vq), SSE2(MOVQ2DQ, W, Vx, Nq),
                  SSE2(MOVDQ2Q, W, Pq, Uq)),
    [0xd7] = PFX4(SSE(PMOVMSKB, W, Gd, Nq), SSE2(PMOVMSKB, W, Gd, Ux), UD, UD),
    [0xd8] = MMX_SSE2(PSUBUSB),
    [0xd9] = MMX_SSE2(PSUBUSW),
    [0xda] = MMXEXT_SSE2(PMINUB),
    [0xdb] = MMX_SSE2(PAND),
    [0xdc] = MMX_SSE2(PADDUSB),
    [0xdd] = MMX_SSE2(PADDUSW),
    [0xde] = MMXEXT_SSE2(PMAXUB),
    [0xdf] = MMX_SSE2(PANDN),
    [0xe0] = MMXEXT_SSE2(PAVGB),
    [0xe1] = MMX_SHIFT(PSRAW),
    [0xe2] = MMX_SHIFT(PSRAD),
    [0xe3] = MMXEXT_SSE2(PAVGW),
    [0xe4] = MMXEXT_SSE2(PMULHUW),
    [0xe5] = MMX_SSE2(PMULHW),
    [0xe6] = PFX4(UD, SSE2(CVTTPD2DQ, W, Vx, Wx), SSE2(CVTDQ2PD, W, Vx, Wq),
                  SSE2(CVTPD2DQ, W, Vx, Wx)),
    [0xe7] = PFX4(SSE(MOVNTQ, W, Mq, Pq), SSE2(MOVNTDQ, W, Mx, Vx), UD, UD),
    [0xe8] = MMX_SSE2(PSUBSB),
    [0xe9] = MMX_SSE2(PSUBSW),
    [0xea] = MMXEXT_SSE2(PMINSW),
    [0xeb] = MMX_SSE2(POR),
    [0xec] = MMX_SSE2(PADDSB),
    [0xed] = MMX_SSE2(PADDSW),
    [0xee] = MMXEXT_SSE2(PMAXSW),
    [0xef] = MMX_SSE2(PXOR),
    [0xf0] = PFX4(UD, UD, UD, SSE3(LDDQU, W | F_UNAL, Vx, Mx)),
    [0xf1] = MMX_SHIFT(PSLLW),
    [0xf2] = MMX_SHIFT(PSLLD),
    [0xf3] = MMX_SHIFT(PSLLQ),
    [0xf4] = MMX2_SSE2(PMULUDQ),
    [0xf5] = MMX_SSE2(PMADDWD),
    [0xf6] = MMXEXT_SSE2(PSADBW),
    [0xf7] = PFX4(SSE(MASKMOVQ, 0, Pq, Nq), SSE2(MASKMOVDQU, 0, Vx, Ux), UD, UD),
    [0xf8] = MMX_SSE2(PSUBB),
    [0xf9] = MMX_SSE2(PSUBW),
    [0xfa] = MMX_SSE2(PSUBD),
    [0xfb] = MMX2_SSE2(PSUBQ),
    [0xfc] = MMX_SSE2(PADDB),
    [0xfd] = MMX_SSE2(PADDW),
    [0xfe] = MMX_SSE2(PADDD),
    [0xff] = I(UD0, F_END, Gv, Ev),
};
