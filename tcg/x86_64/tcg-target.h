/*
 * x86-64 backend internals: registers, the instruction encoder, and what the op
 * emitter (ops.c), the softmmu paths (softmmu.c) and the prologue/backend glue
 * (prologue.c) share. Encodings follow the Intel SDM vol. 2 (chapter 2 "Instruction
 * Format": legacy prefixes, REX, ModRM, SIB, displacement, immediate).
 */
#ifndef TCG_X86_64_TCG_TARGET_H
#define TCG_X86_64_TCG_TARGET_H

#include "tcg/tcg.h"
#include "../tcg-internal.h"

enum {
    TCG_REG_RAX, TCG_REG_RCX, TCG_REG_RDX, TCG_REG_RBX,
    TCG_REG_RSP, TCG_REG_RBP, TCG_REG_RSI, TCG_REG_RDI,
    TCG_REG_R8, TCG_REG_R9, TCG_REG_R10, TCG_REG_R11,
    TCG_REG_R12, TCG_REG_R13, TCG_REG_R14, TCG_REG_R15,
};

#define TCG_AREG0 TCG_REG_RBP       /* env, callee-saved */
#define TCG_REG_TMP TCG_REG_R11     /* backend scratch, never allocated */
#define TCG_REG_L0 TCG_REG_RDI      /* softmmu scratch */
#define TCG_REG_L1 TCG_REG_RSI

/* Spill frame at [rsp, rsp + X86_FRAME_SIZE), inside the prologue's stack frame. */
#define X86_FRAME_SIZE 4096

/* Opcode flags (above the opcode byte). */
#define P_EXT       0x100       /* 0x0f escape */
#define P_EXT38     0x200       /* 0x0f 0x38 escape */
#define P_DATA16    0x400       /* 0x66 operand-size prefix */
#define P_REXW      0x1000      /* REX.W: 64-bit operand */
#define P_REXB_R    0x2000      /* reg field is a byte register */
#define P_REXB_RM   0x4000      /* r/m field is a byte register */
#define P_SIMDF3    0x10000     /* 0xf3 prefix */

#define OPC_ARITH_EvIz  0x81
#define OPC_ARITH_EvIb  0x83
#define OPC_ARITH_GvEv  0x03    /* | (ARITH_x << 3) */
#define OPC_ADD_GvEv    0x03
#define OPC_AND_GvEv    0x23
#define OPC_CMP_GvEv    0x3b
#define OPC_BSF         (0xbc | P_EXT)
#define OPC_BSR         (0xbd | P_EXT)
#define OPC_BSWAP       (0xc8 | P_EXT)
#define OPC_CALL_Jz     0xe8
#define OPC_CMOVCC      (0x40 | P_EXT)
#define OPC_IMUL_GvEv   (0xaf | P_EXT)
#define OPC_IMUL_GvEvIb 0x6b
#define OPC_IMUL_GvEvIz 0x69
#define OPC_JCC_long    (0x80 | P_EXT)
#define OPC_JCC_short   0x70
#define OPC_JMP_long    0xe9
#define OPC_JMP_short   0xeb
#define OPC_LEA         0x8d
#define OPC_MOVB_EvGv   (0x88 | P_REXB_R)
#define OPC_MOVL_EvGv   0x89
#define OPC_MOVL_GvEv   0x8b
#define OPC_MOVB_EvIz   0xc6
#define OPC_MOVL_EvIz   0xc7
#define OPC_MOVL_Iv     0xb8
#define OPC_MOVSBL      (0xbe | P_EXT)
#define OPC_MOVSWL      (0xbf | P_EXT)
#define OPC_MOVSLQ      (0x63 | P_REXW)
#define OPC_MOVZBL      (0xb6 | P_EXT)
#define OPC_MOVZWL      (0xb7 | P_EXT)
#define OPC_POP_r32     0x58
#define OPC_POPCNT      (0xb8 | P_EXT | P_SIMDF3)
#define OPC_PUSH_r32    0x50
#define OPC_RET         0xc3
#define OPC_SETCC       (0x90 | P_EXT | P_REXB_RM)
#define OPC_SHIFT_1     0xd1
#define OPC_SHIFT_Ib    0xc1
#define OPC_SHIFT_cl    0xd3
#define OPC_SHRD_Ib     (0xac | P_EXT)
#define OPC_TESTL       0x85
#define OPC_GRP3_Ev     0xf7
#define OPC_GRP5        0xff

enum { ARITH_ADD, ARITH_OR, ARITH_ADC, ARITH_SBB, ARITH_AND, ARITH_SUB, ARITH_XOR,
       ARITH_CMP };
enum { SHIFT_ROL = 0, SHIFT_ROR = 1, SHIFT_SHL = 4, SHIFT_SHR = 5, SHIFT_SAR = 7 };
enum { EXT3_TEST = 0, EXT3_NOT = 2, EXT3_NEG = 3, EXT3_MUL = 4, EXT3_IMUL = 5,
       EXT3_DIV = 6, EXT3_IDIV = 7 };
enum { EXT5_CALLN_Ev = 2, EXT5_JMPN_Ev = 4 };

enum { JCC_JB = 2, JCC_JAE, JCC_JE, JCC_JNE, JCC_JBE, JCC_JA, JCC_JS = 8,
       JCC_JL = 0xc, JCC_JGE, JCC_JLE, JCC_JG };

/* Relocation: 32-bit pc-relative field (the displacement of jmp/jcc/call). */
#define R_X86_PC32 2
#define R_X86_PC8 1

/* Prefixes, REX, opcode bytes. x is the SIB index register (or 0). */
static inline void tcg_out_opc(TCGContext *s, int opc, int r, int rm, int x)
{
    int rex = 0;
    if (opc & P_DATA16) {
        tcg_out8(s, 0x66);
    }
    if (opc & P_SIMDF3) {
        tcg_out8(s, 0xf3);
    }
    rex |= (opc & P_REXW) ? 0x8 : 0;
    rex |= (r & 8) >> 1;
    rex |= (x & 8) >> 2;
    rex |= (rm & 8) >> 3;
    /* Byte registers 4-7 are spl/bpl/sil/dil only with a REX prefix (else ah..bh). */
    if (((opc & P_REXB_R) && (r & 15) >= 4) || ((opc & P_REXB_RM) && (rm & 15) >= 4)) {
        rex |= 0x40;
    }
    if (rex) {
        tcg_out8(s, rex | 0x40);
    }
    if (opc & (P_EXT | P_EXT38)) {
        tcg_out8(s, 0x0f);
        if (opc & P_EXT38) {
            tcg_out8(s, 0x38);
        }
    }
    tcg_out8(s, opc);
}

/* Register-direct ModRM (mod = 11). */
static inline void tcg_out_modrm(TCGContext *s, int opc, int r, int rm)
{
    tcg_out_opc(s, opc, r, rm, 0);
    tcg_out8(s, 0xc0 | (r & 7) << 3 | (rm & 7));
}

/* [base + index << shift + ofs]; index < 0 for none. */
static inline void tcg_out_modrm_sib_offset(TCGContext *s, int opc, int r, int base,
                                            int index, int shift, intptr_t ofs)
{
    int mod, len;
    if (ofs == 0 && (base & 7) != TCG_REG_RBP) {
        mod = 0, len = 0;
    } else if (ofs == (int8_t)ofs) {
        mod = 0x40, len = 1;
    } else {
        mod = 0x80, len = 4;
    }
    tcg_out_opc(s, opc, r, base, index < 0 ? 0 : index);
    if (index < 0 && (base & 7) != TCG_REG_RSP) {
        tcg_out8(s, mod | (r & 7) << 3 | (base & 7));
    } else {
        if (index < 0) {
            index = TCG_REG_RSP;    /* "no index" */
        }
        tcg_out8(s, mod | (r & 7) << 3 | 4);
        tcg_out8(s, shift << 6 | (index & 7) << 3 | (base & 7));
    }
    if (len == 1) {
        tcg_out8(s, ofs);
    } else if (len == 4) {
        tcg_out32(s, ofs);
    }
}

static inline void tcg_out_modrm_offset(TCGContext *s, int opc, int r, int base,
                                        intptr_t ofs)
{
    tcg_out_modrm_sib_offset(s, opc, r, base, -1, 0, ofs);
}

/* RIP-relative: [rip + (target - end of instruction)]; `tail` immediate bytes follow. */
static inline void tcg_out_modrm_pcrel(TCGContext *s, int opc, int r, uintptr_t target,
                                       int tail)
{
    tcg_out_opc(s, opc, r, 0, 0);
    tcg_out8(s, (r & 7) << 3 | 5);
    intptr_t disp = (intptr_t)target - (intptr_t)(tcg_code_rx(s) + 4 + tail);
    tcg_out32(s, (int32_t)disp);
}

static inline int rexw_of(TCGType type)
{
    return type == TCG_TYPE_I64 ? P_REXW : 0;
}

void x86_out_mov(TCGContext *s, TCGType type, int ret, int arg);
void x86_out_movi(TCGContext *s, TCGType type, int ret, int64_t val);
void x86_out_movi_noflags(TCGContext *s, TCGType type, int ret, int64_t val);
void x86_out_ld(TCGContext *s, TCGType type, int ret, int base, intptr_t ofs);
void x86_out_st(TCGContext *s, TCGType type, int arg, int base, intptr_t ofs);
void x86_out_shifti(TCGContext *s, int ext, int rexw, int reg, int count);
void x86_tgen_arithi(TCGContext *s, int ext, int rexw, int reg, int64_t val);
void x86_out_call_addr(TCGContext *s, uintptr_t target);
void x86_out_jmp_addr(TCGContext *s, int jcc, uintptr_t target);
void x86_out_qemu_ld(TCGContext *s, TCGType type, int data, int addr, MemOpIdx oi);
void x86_out_qemu_st(TCGContext *s, TCGType type, int data, int addr, MemOpIdx oi);
bool x86_out_slow_paths(TCGContext *s);
void x86_out_op(TCGContext *s, TCGOpcode opc, TCGType type, const TCGArg *args,
                const int *const_args);
const char *x86_op_constraint(TCGOpcode opc, TCGType type);

#endif
