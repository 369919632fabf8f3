/*
 * x86 one-byte opcode map, its groups, and the x87 escape maps
 * (Intel SDM vol. 2 appendix A.3 tables, A.4.2 groups,
 * A.5 escape opcode maps for D8-DF).
 */
#include "decode-internal.h"

#define ALU6(opc, lk) \
    I(opc, (lk) | F_RW0, Eb, Gb), I(opc, (lk) | F_RW0, Ev, Gv), \
    I(opc, F_RW0, Gb, Eb), I(opc, F_RW0, Gv, Ev), \
    I(opc, F_RW0, AL, Ib), I(opc, F_RW0, rAX, Iz)
#define CMP6 \
    I(CMP, 0, Eb, Gb), I(CMP, 0, Ev, Gv), I(CMP, 0, Gb, Eb), I(CMP, 0, Gv, Ev), \
    I(CMP, 0, AL, Ib), I(CMP, 0, rAX, Iz)

/* Group 1 (80-83): the ALU operation is ModRM.reg; CMP writes nothing. */
#define GRP1(f, d, s) { \
    I(ADD, (f) | F_LOCK | F_RW0, d, s), I(OR, (f) | F_LOCK | F_RW0, d, s), \
    I(ADC, (f) | F_LOCK | F_RW0, d, s), I(SBB, (f) | F_LOCK | F_RW0, d, s), \
    I(AND, (f) | F_LOCK | F_RW0, d, s), I(SUB, (f) | F_LOCK | F_RW0, d, s), \
    I(XOR, (f) | F_LOCK | F_RW0, d, s), I(CMP, (f), d, s) }
static const X86OpEntry grp1_80[8] = GRP1(0, Eb, Ib);
static const X86OpEntry grp1_81[8] = GRP1(0, Ev, Iz);
static const X86OpEntry grp1_82[8] = GRP1(F_I64, Eb, Ib);
static const X86OpEntry grp1_83[8] = GRP1(0, Ev, Ibs);

/* Group 1A (8F): POP Ev; the other reg values are AMD's XOP escape. */
static const X86OpEntry grp1a[8] = { I(POP, F_D64 | F_STK | F_W0, Ev) };

/* Group 2: shifts and rotates; /6 is an undocumented alias of SHL. */
#define GRP2(d, s) { \
    I(ROL, F_RW0, d, s), I(ROR, F_RW0, d, s), I(RCL, F_RW0, d, s), \
    I(RCR, F_RW0, d, s), I(SHL, F_RW0, d, s), I(SHR, F_RW0, d, s), \
    I(SHL, F_RW0, d, s), I(SAR, F_RW0, d, s) }
static const X86OpEntry grp2_c0[8] = GRP2(Eb, Ib);
static const X86OpEntry grp2_c1[8] = GRP2(Ev, Ib);
static const X86OpEntry grp2_d0[8] = GRP2(Eb, I1);
static const X86OpEntry grp2_d1[8] = GRP2(Ev, I1);
static const X86OpEntry grp2_d2[8] = GRP2(Eb, CL);
static const X86OpEntry grp2_d3[8] = GRP2(Ev, CL);

/* Group 3: /1 is an undocumented alias of TEST. */
#define GRP3(e, imm) { \
    I(TEST, 0, e, imm), I(TEST, 0, e, imm), I(NOT, F_LOCK | F_RW0, e), \
    I(NEG, F_LOCK | F_RW0, e), I(MUL, 0, e), I(IMUL, 0, e), I(DIV, 0, e), \
    I(IDIV, 0, e) }
static const X86OpEntry grp3_f6[8] = GRP3(Eb, Ib);
static const X86OpEntry grp3_f7[8] = GRP3(Ev, Iz);

static const X86OpEntry grp4_fe[8] = {
    I(INC, F_LOCK | F_RW0, Eb), I(DEC, F_LOCK | F_RW0, Eb),
};

static const X86OpEntry grp5_ff[8] = {
    I(INC, F_LOCK | F_RW0, Ev),
    I(DEC, F_LOCK | F_RW0, Ev),
    I(CALL, F_F64 | F_BR | F_END | F_IND | F_STK, Ev),
    I(CALLF, F_BR | F_END | F_IND | F_STK, Mp),
    I(JMP, F_F64 | F_BR | F_END | F_IND, Ev),
    I(JMPF, F_BR | F_END | F_IND, Mp),
    I(PUSH, F_D64 | F_STK, Ev),
    UD,
};

/* Group 11: MOV with immediate; C6 F8 / C7 F8 are RTM's XABORT/XBEGIN. */
static const X86OpEntry grp11_c6[8] = { I(MOV, F_W0, Eb, Ib) };
static const X86OpEntry grp11_c7[8] = { I(MOV, F_W0, Ev, Iz) };

/* 63: ARPL outside 64-bit mode, MOVSXD in it. */
static const X86OpEntry op_63[2] = {
    I(ARPL, F_NOREAL | F_RW0, Ew, Gw),
    I(MOVSXD, F_W0, Gv, Edw),
};

#define JCC I(JCC, F_F64 | F_BR | F_COND | F_END, Jb)
#define STR_IN  (F_STR | F_IO | F_W0)
#define STR_OUT (F_STR | F_IO)
#define RET_F   (F_F64 | F_BR | F_END | F_IND | F_STK)
#define RETF_F  (F_BR | F_END | F_IND | F_STK)
#define LOOP_F  (F_F64 | F_BR | F_COND | F_END)

const X86OpEntry x86_map_1byte[256] = {
    [0x00] = ALU6(ADD, F_LOCK),
    [0x06] = I(PUSH, F_I64 | F_STK, SEG(X86_SEG_ES)),
    [0x07] = I(POP, F_I64 | F_STK | F_SEG | F_W0, SEG(X86_SEG_ES)),
    [0x08] = ALU6(OR, F_LOCK),
    [0x0e] = I(PUSH, F_I64 | F_STK, SEG(X86_SEG_CS)),
    [0x10] = ALU6(ADC, F_LOCK),
    [0x16] = I(PUSH, F_I64 | F_STK, SEG(X86_SEG_SS)),
    /* POP SS inhibits interrupts for one instruction (SDM 6.8.3): end the TB. */
    [0x17] = I(POP, F_I64 | F_STK | F_SEG | F_W0 | F_END, SEG(X86_SEG_SS)),
    [0x18] = ALU6(SBB, F_LOCK),
    [0x1e] = I(PUSH, F_I64 | F_STK, SEG(X86_SEG_DS)),
    [0x1f] = I(POP, F_I64 | F_STK | F_SEG | F_W0, SEG(X86_SEG_DS)),
    [0x20] = ALU6(AND, F_LOCK),
    [0x27] = I(DAA, F_I64),
    [0x28] = ALU6(SUB, F_LOCK),
    [0x2f] = I(DAS, F_I64),
    [0x30] = ALU6(XOR, F_LOCK),
    [0x37] = I(AAA, F_I64),
    [0x38] = CMP6,
    [0x3f] = I(AAS, F_I64),
    /* 40-4F are REX in 64-bit mode; the prefix loop never lets them get here. */
    [0x40 ... 0x47] = I(INC, F_RW0, Zv),
    [0x48 ... 0x4f] = I(DEC, F_RW0, Zv),
    [0x50 ... 0x57] = I(PUSH, F_D64 | F_STK, Zv),
    [0x58 ... 0x5f] = I(POP, F_D64 | F_STK | F_W0, Zv),
    [0x60] = I(PUSHA, F_I64 | F_STK),
    [0x61] = I(POPA, F_I64 | F_STK),
    [0x62] = I(BOUND, F_I64, Gv, Ma),
    [0x63] = M64SEL(op_63),
    [0x68] = I(PUSH, F_D64 | F_STK, Iz),
    [0x69] = I(IMUL, F_W0, Gv, Ev, Iz),
    [0x6a] = I(PUSH, F_D64 | F_STK, Ibs),
    [0x6b] = I(IMUL, F_W0, Gv, Ev, Ibs),
    [0x6c] = I(INS, STR_IN, Yb, DX),
    [0x6d] = I(INS, STR_IN, Yz, DX),
    [0x6e] = I(OUTS, STR_OUT | F_OSZ1, DX, Xb),
    [0x6f] = I(OUTS, STR_OUT | F_OSZ1, DX, Xz),
    [0x70 ... 0x7f] = JCC,
    [0x80] = GRP(grp1_80),
    [0x81] = GRP(grp1_81),
    [0x82] = GRP(grp1_82),
    [0x83] = GRP(grp1_83),
    [0x84] = I(TEST, 0, Eb, Gb),
    [0x85] = I(TEST, 0, Ev, Gv),
    /* XCHG with memory is locked whether or not LOCK is present (SDM XCHG). */
    [0x86] = I(XCHG, F_LOCK | F_RW0 | F_RW1, Eb, Gb),
    [0x87] = I(XCHG, F_LOCK | F_RW0 | F_RW1, Ev, Gv),
    [0x88] = I(MOV, F_W0, Eb, Gb),
    [0x89] = I(MOV, F_W0, Ev, Gv),
    [0x8a] = I(MOV, F_W0, Gb, Eb),
    [0x8b] = I(MOV, F_W0, Gv, Ev),
    [0x8c] = I(MOV_FROM_SEG, F_W0, Ewv, Sw),
    [0x8d] = I(LEA, F_W0 | F_NOACC, Gv, M0),
    [0x8e] = I(MOV_TO_SEG, F_W0 | F_SEG, Sw, Ewv),
    [0x8f] = GRP(grp1a),
    [0x90 ... 0x97] = I(XCHG, F_RW0 | F_RW1, Zv, rAX),
    [0x98] = I(CBW, 0),
    [0x99] = I(CWD, 0),
    [0x9a] = I(CALLF, F_I64 | F_BR | F_END | F_STK, Ap),
    [0x9b] = I(FWAIT, F_X87),
    [0x9c] = I(PUSHF, F_D64 | F_STK | F_VM86),
    /* POPF may change IF, TF, AC...: the TB's assumptions end here. */
    [0x9d] = I(POPF, F_D64 | F_STK | F_VM86 | F_END),
    [0x9e] = I(SAHF, 0),
    [0x9f] = I(LAHF, 0),
    [0xa0] = I(MOV, F_W0, AL, Ob),
    [0xa1] = I(MOV, F_W0, rAX, Ov),
    [0xa2] = I(MOV, F_W0, Ob, AL),
    [0xa3] = I(MOV, F_W0, Ov, rAX),
    [0xa4] = I(MOVS, F_STR | F_W0, Yb, Xb),
    [0xa5] = I(MOVS, F_STR | F_W0, Yv, Xv),
    [0xa6] = I(CMPS, F_STR | F_STRCMP, Xb, Yb),
    [0xa7] = I(CMPS, F_STR | F_STRCMP, Xv, Yv),
    [0xa8] = I(TEST, 0, AL, Ib),
    [0xa9] = I(TEST, 0, rAX, Iz),
    [0xaa] = I(STOS, F_STR | F_W0, Yb, AL),
    [0xab] = I(STOS, F_STR | F_W0, Yv, rAX),
    [0xac] = I(LODS, F_STR | F_W0, AL, Xb),
    [0xad] = I(LODS, F_STR | F_W0, rAX, Xv),
    [0xae] = I(SCAS, F_STR | F_STRCMP, AL, Yb),
    [0xaf] = I(SCAS, F_STR | F_STRCMP, rAX, Yv),
    [0xb0 ... 0xb7] = I(MOV, F_W0, Zb, Ib),
    [0xb8 ... 0xbf] = I(MOV, F_W0, Zv, Iv),
    [0xc0] = GRP(grp2_c0),
    [0xc1] = GRP(grp2_c1),
    [0xc2] = I(RET, RET_F, Iw),
    [0xc3] = I(RET, RET_F),
    /* C4/C5 with ModRM.mod = 3 are VEX prefixes: decode.c looks first. */
    [0xc4] = I(LES, F_I64 | F_SEG | F_W0, Gz, Mp),
    [0xc5] = I(LDS, F_I64 | F_SEG | F_W0, Gz, Mp),
    [0xc6] = GRP(grp11_c6),
    [0xc7] = GRP(grp11_c7),
    [0xc8] = I(ENTER, F_D64 | F_STK, Iw, Ib),
    [0xc9] = I(LEAVE, F_D64 | F_STK),
    [0xca] = I(RETF, RETF_F, Iw),
    [0xcb] = I(RETF, RETF_F),
    [0xcc] = I(INT3, F_BR | F_END),
    [0xcd] = I(INT, F_BR | F_END | F_VM86, Ib),
    [0xce] = I(INTO, F_I64 | F_BR | F_COND | F_END),
    [0xcf] = I(IRET, F_BR | F_END | F_IND | F_STK | F_VM86),
    [0xd0] = GRP(grp2_d0),
    [0xd1] = GRP(grp2_d1),
    [0xd2] = GRP(grp2_d2),
    [0xd3] = GRP(grp2_d3),
    [0xd4] = I(AAM, F_I64, Ib),
    [0xd5] = I(AAD, F_I64, Ib),
    [0xd6] = I(SALC, F_I64),
    [0xd7] = I(XLAT, 0),
    [0xd8 ... 0xdf] = X87ESC,
    [0xe0] = I(LOOPNE, LOOP_F, Jb),
    [0xe1] = I(LOOPE, LOOP_F, Jb),
    [0xe2] = I(LOOP, LOOP_F, Jb),
    [0xe3] = I(JRCXZ, LOOP_F, Jb),
    [0xe4] = I(IN, F_IO | F_W0, AL, Ib),
    [0xe5] = I(IN, F_IO | F_W0, eAX, Ib),
    [0xe6] = I(OUT, F_IO | F_OSZ1, Ib, AL),
    [0xe7] = I(OUT, F_IO | F_OSZ1, Ib, eAX),
    [0xe8] = I(CALL, F_F64 | F_BR | F_END | F_STK, Jz),
    [0xe9] = I(JMP, F_F64 | F_BR | F_END, Jz),
    [0xea] = I(JMPF, F_I64 | F_BR | F_END, Ap),
    [0xeb] = I(JMP, F_F64 | F_BR | F_END, Jb),
    [0xec] = I(IN, F_IO | F_W0, AL, DX),
    [0xed] = I(IN, F_IO | F_W0, eAX, DX),
    [0xee] = I(OUT, F_IO | F_OSZ1, DX, AL),
    [0xef] = I(OUT, F_IO | F_OSZ1, DX, eAX),
    [0xf1] = I(INT1, F_BR | F_END),
    [0xf4] = I(HLT, F_PRIV | F_END),
    [0xf5] = I(CMC, 0),
    [0xf6] = GRP(grp3_f6),
    [0xf7] = GRP(grp3_f7),
    [0xf8] = I(CLC, 0),
    [0xf9] = I(STC, 0),
    [0xfa] = I(CLI, F_IOPL | F_END),
    /* STI: interrupt shadow for one instruction (SDM STI). */
    [0xfb] = I(STI, F_IOPL | F_END),
    [0xfc] = I(CLD, 0),
    [0xfd] = I(STD, 0),
    [0xfe] = GRP(grp4_fe),
    [0xff] = GRP(grp5_ff),
};

/* x87 memory forms: [(escape - D8) * 8 + ModRM.reg] (SDM A.5, tables A-7..A-21). */
#define X87_ARITH(m) \
    I(FADD, F_X87, m), I(FMUL, F_X87, m), I(FCOM, F_X87, m), I(FCOMP, F_X87, m), \
    I(FSUB, F_X87, m), I(FSUBR, F_X87, m), I(FDIV, F_X87, m), I(FDIVR, F_X87, m)
#define X87_IARITH(m) \
    I(FIADD, F_X87, m), I(FIMUL, F_X87, m), I(FICOM, F_X87, m), I(FICOMP, F_X87, m), \
    I(FISUB, F_X87, m), I(FISUBR, F_X87, m), I(FIDIV, F_X87, m), I(FIDIVR, F_X87, m)
#define XW (F_X87 | F_W0)

const X86OpEntry x86_x87_mem[64] = {
    /* D8 */ X87_ARITH(Md),
    /* D9 */ I(FLD, F_X87, Md), UD, I(FST, XW, Md), I(FSTP, XW, Md),
             I(FLDENV, F_X87, Menv), I(FLDCW, F_X87, Mw), I(FNSTENV, XW, Menv),
             I(FNSTCW, XW, Mw),
    /* DA */ X87_IARITH(Md),
    /* DB */ I(FILD, F_X87, Md), IF(FISTTP, XW, SSE3, Md), I(FIST, XW, Md),
             I(FISTP, XW, Md), UD, I(FLD, F_X87, Mt), UD, I(FSTP, XW, Mt),
    /* DC */ X87_ARITH(Mq),
    /* DD */ I(FLD, F_X87, Mq), IF(FISTTP, XW, SSE3, Mq), I(FST, XW, Mq),
             I(FSTP, XW, Mq), I(FRSTOR, F_X87, Mfst), UD, I(FNSAVE, XW, Mfst),
             I(FNSTSW, XW, Mw),
    /* DE */ X87_IARITH(Mw),
    /* DF */ I(FILD, F_X87, Mw), IF(FISTTP, XW, SSE3, Mw), I(FIST, XW, Mw),
             I(FISTP, XW, Mw), I(FBLD, F_X87, Mt), I(FILD, F_X87, Mq),
             I(FBSTP, XW, Mt), I(FISTP, XW, Mq),
};

#define R8(e) e, e, e, e, e, e, e, e
#define UD8 R8(UD)
#define XR(opc, ...) I(opc, F_X87, __VA_ARGS__)
#define XRW(opc, ...) I(opc, F_X87 | F_RW0, __VA_ARGS__)
#define XCM(opc, ...) IF(opc, F_X87 | F_RW0, CMOV, __VA_ARGS__)
#define XCI(opc, ...) IF(opc, F_X87, CMOV, __VA_ARGS__)

/*
 * x87 register forms: [(escape - D8) * 64 + (ModRM & 0x3f)]. The
 * undocumented aliases (D9 D8+i FSTP, DC D0/D8 FCOM/FCOMP, DD C8 FXCH,
 * DE D0 FCOMP, DF C0 FFREEP, DF C8 FXCH, DF D0/D8 FSTP) run on every
 * Intel and AMD CPU and are decoded as what they do.
 */
const X86OpEntry x86_x87_reg[512] = {
    /* D8 */
    R8(XRW(FADD, ST0, STi)), R8(XRW(FMUL, ST0, STi)), R8(XR(FCOM, STi)),
    R8(XR(FCOMP, STi)), R8(XRW(FSUB, ST0, STi)), R8(XRW(FSUBR, ST0, STi)),
    R8(XRW(FDIV, ST0, STi)), R8(XRW(FDIVR, ST0, STi)),
    /* D9 */
    R8(XR(FLD, STi)), R8(XR(FXCH, STi)),
    XR(FNOP), UD, UD, UD, UD, UD, UD, UD,
    R8(I(FSTP, F_X87 | F_W0, STi)),
    XR(FCHS), XR(FABS), UD, UD, XR(FTST), XR(FXAM), UD, UD,
    XR(FLD1), XR(FLDL2T), XR(FLDL2E), XR(FLDPI), XR(FLDLG2), XR(FLDLN2), XR(FLDZ), UD,
    XR(F2XM1), XR(FYL2X), XR(FPTAN), XR(FPATAN), XR(FXTRACT), XR(FPREM1),
    XR(FDECSTP), XR(FINCSTP),
    XR(FPREM), XR(FYL2XP1), XR(FSQRT), XR(FSINCOS), XR(FRNDINT), XR(FSCALE),
    XR(FSIN), XR(FCOS),
    /* DA */
    R8(XCM(FCMOVB, ST0, STi)), R8(XCM(FCMOVE, ST0, STi)),
    R8(XCM(FCMOVBE, ST0, STi)), R8(XCM(FCMOVU, ST0, STi)),
    UD8,
    UD, XR(FUCOMPP), UD, UD, UD, UD, UD, UD,
    UD8, UD8,
    /* DB */
    R8(XCM(FCMOVNB, ST0, STi)), R8(XCM(FCMOVNE, ST0, STi)),
    R8(XCM(FCMOVNBE, ST0, STi)), R8(XCM(FCMOVNU, ST0, STi)),
    XR(FNENI), XR(FNDISI), XR(FNCLEX), XR(FNINIT), XR(FNSETPM), UD, UD, UD,
    R8(XCI(FUCOMI, ST0, STi)), R8(XCI(FCOMI, ST0, STi)),
    UD8,
    /* DC */
    R8(XRW(FADD, STi, ST0)), R8(XRW(FMUL, STi, ST0)), R8(XR(FCOM, STi)),
    R8(XR(FCOMP, STi)), R8(XRW(FSUBR, STi, ST0)), R8(XRW(FSUB, STi, ST0)),
    R8(XRW(FDIVR, STi, ST0)), R8(XRW(FDIV, STi, ST0)),
    /* DD */
    R8(XR(FFREE, STi)), R8(XR(FXCH, STi)), R8(I(FST, F_X87 | F_W0, STi)),
    R8(I(FSTP, F_X87 | F_W0, STi)), R8(XR(FUCOM, STi)), R8(XR(FUCOMP, STi)),
    UD8, UD8,
    /* DE */
    R8(XRW(FADDP, STi, ST0)), R8(XRW(FMULP, STi, ST0)), R8(XR(FCOMP, STi)),
    UD, XR(FCOMPP), UD, UD, UD, UD, UD, UD,
    R8(XRW(FSUBRP, STi, ST0)), R8(XRW(FSUBP, STi, ST0)),
    R8(XRW(FDIVRP, STi, ST0)), R8(XRW(FDIVP, STi, ST0)),
    /* DF */
    R8(XR(FFREEP, STi)), R8(XR(FXCH, STi)), R8(I(FSTP, F_X87 | F_W0, STi)),
    R8(I(FSTP, F_X87 | F_W0, STi)),
    I(FNSTSW, F_X87 | F_W0, aAX), UD, UD, UD, UD, UD, UD, UD,
    R8(XCI(FUCOMIP, ST0, STi)), R8(XCI(FCOMIP, ST0, STi)),
    UD8,
};
