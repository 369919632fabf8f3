/*
 * x86-64 backend: operand constraints and the emission of every IR op.
 *
 * Constraint letters: r any allocatable register, a/c/d RAX/RCX/RDX, D any but RAX/RDX
 * (divisor), L any but RDI/RSI (the softmmu fast path's scratch), e constant that fits
 * a sign-extended imm32, i any constant, 0/1 tied to that output.
 */
#include "util/osdep.h"
#include "tcg-target.h"

static const uint8_t tcg_cond_to_jcc[TCG_COND_COUNT] = {
    [TCG_COND_EQ] = JCC_JE, [TCG_COND_NE] = JCC_JNE,
    [TCG_COND_LT] = JCC_JL, [TCG_COND_GE] = JCC_JGE,
    [TCG_COND_LE] = JCC_JLE, [TCG_COND_GT] = JCC_JG,
    [TCG_COND_LTU] = JCC_JB, [TCG_COND_GEU] = JCC_JAE,
    [TCG_COND_LEU] = JCC_JBE, [TCG_COND_GTU] = JCC_JA,
    [TCG_COND_TSTEQ] = JCC_JE, [TCG_COND_TSTNE] = JCC_JNE,
};

const char *x86_op_constraint(TCGOpcode opc, TCGType type)
{
    bool is64 = type == TCG_TYPE_I64;
    switch (opc) {
    case INDEX_op_br:
    case INDEX_op_exit_tb:
    case INDEX_op_goto_tb:
    case INDEX_op_mb:
        return "";
    case INDEX_op_goto_ptr:
        return "r";
    case INDEX_op_brcond:
        return "r,re";
    case INDEX_op_setcond:
    case INDEX_op_negsetcond:
        return "r,r,re";
    case INDEX_op_movcond:
        return "r,r,re,r,0";
    case INDEX_op_ld8u: case INDEX_op_ld8s: case INDEX_op_ld16u: case INDEX_op_ld16s:
    case INDEX_op_ld:
        return "r,r";
    case INDEX_op_ld32u: case INDEX_op_ld32s:
        return is64 ? "r,r" : NULL;
    case INDEX_op_st8: case INDEX_op_st16:
        return "ri,r";
    case INDEX_op_st32:
        return is64 ? "ri,r" : NULL;
    case INDEX_op_st:
        return is64 ? "re,r" : "ri,r";
    case INDEX_op_add: case INDEX_op_sub: case INDEX_op_and: case INDEX_op_or:
    case INDEX_op_xor: case INDEX_op_mul:
        return "r,r,re";
    case INDEX_op_andc: case INDEX_op_orc: case INDEX_op_eqv: case INDEX_op_nand:
    case INDEX_op_nor:
        return "r,r,r";
    case INDEX_op_div: case INDEX_op_divu:
        return "a,a,D";
    case INDEX_op_rem: case INDEX_op_remu:
        return "d,a,D";
    case INDEX_op_shl: case INDEX_op_shr: case INDEX_op_sar: case INDEX_op_rotl:
    case INDEX_op_rotr:
        return "r,0,ci";
    case INDEX_op_neg: case INDEX_op_not: case INDEX_op_bswap16: case INDEX_op_bswap32:
        return "r,0";
    case INDEX_op_bswap64: case INDEX_op_ext32s: case INDEX_op_ext32u:
        return is64 ? "r,0" : NULL;
    case INDEX_op_clz: case INDEX_op_ctz:
        return "r,r,ri";
    case INDEX_op_ctpop:
    case INDEX_op_ext8s: case INDEX_op_ext8u: case INDEX_op_ext16s: case INDEX_op_ext16u:
    case INDEX_op_extract: case INDEX_op_sextract:
    case INDEX_op_extu_i32_i64: case INDEX_op_ext_i32_i64:
    case INDEX_op_extrl_i64_i32: case INDEX_op_extrh_i64_i32:
        return "r,r";
    case INDEX_op_deposit:
    case INDEX_op_extract2:
        return "r,0,r";
    case INDEX_op_mulu2: case INDEX_op_muls2:
        return "a,d,a,r";
    case INDEX_op_add2: case INDEX_op_sub2:
        return "r,r,0,1,re,re";
    case INDEX_op_qemu_ld:
        return "r,L";
    case INDEX_op_qemu_st:
        return "L,L";
    default:
        return NULL;
    }
}

void x86_out_mov(TCGContext *s, TCGType type, int ret, int arg)
{
    if (ret != arg) {
        tcg_out_modrm(s, OPC_MOVL_GvEv | rexw_of(type), ret, arg);
    }
}

void x86_out_movi_noflags(TCGContext *s, TCGType type, int ret, int64_t val)
{
    if (type == TCG_TYPE_I32 || val == (int64_t)(uint32_t)val) {
        tcg_out_opc(s, OPC_MOVL_Iv + (ret & 7), 0, ret, 0);
        tcg_out32(s, (uint32_t)val);
    } else if (val == (int32_t)val) {
        tcg_out_modrm(s, OPC_MOVL_EvIz | P_REXW, 0, ret);
        tcg_out32(s, (uint32_t)val);
    } else {
        tcg_out_opc(s, (OPC_MOVL_Iv + (ret & 7)) | P_REXW, 0, ret, 0);
        tcg_out64(s, val);
    }
}

void x86_out_movi(TCGContext *s, TCGType type, int ret, int64_t val)
{
    if (val == 0 || (type == TCG_TYPE_I32 && (uint32_t)val == 0)) {
        tcg_out_modrm(s, OPC_ARITH_GvEv | (ARITH_XOR << 3), ret, ret);
        return;
    }
    x86_out_movi_noflags(s, type, ret, val);
}

void x86_out_ld(TCGContext *s, TCGType type, int ret, int base, intptr_t ofs)
{
    tcg_out_modrm_offset(s, OPC_MOVL_GvEv | rexw_of(type), ret, base, ofs);
}

void x86_out_st(TCGContext *s, TCGType type, int arg, int base, intptr_t ofs)
{
    tcg_out_modrm_offset(s, OPC_MOVL_EvGv | rexw_of(type), arg, base, ofs);
}

void x86_out_shifti(TCGContext *s, int ext, int rexw, int reg, int count)
{
    if (count == 1) {
        tcg_out_modrm(s, OPC_SHIFT_1 | rexw, ext, reg);
    } else {
        tcg_out_modrm(s, OPC_SHIFT_Ib | rexw, ext, reg);
        tcg_out8(s, count);
    }
}

void x86_tgen_arithi(TCGContext *s, int ext, int rexw, int reg, int64_t val)
{
    if (val == (int8_t)val) {
        tcg_out_modrm(s, OPC_ARITH_EvIb | rexw, ext, reg);
        tcg_out8(s, val);
    } else {
        tcg_out_modrm(s, OPC_ARITH_EvIz | rexw, ext, reg);
        tcg_out32(s, (uint32_t)val);
    }
}

/* jcc < 0: jmp. Absolute RX target within +-2 GiB (prologue/epilogue). */
void x86_out_jmp_addr(TCGContext *s, int jcc, uintptr_t target)
{
    intptr_t disp = (intptr_t)target - (intptr_t)tcg_code_rx(s);
    if (jcc < 0) {
        tcg_out8(s, OPC_JMP_long);
        tcg_out32(s, (int32_t)(disp - 5));
    } else {
        tcg_out_opc(s, OPC_JCC_long + jcc, 0, 0, 0);
        tcg_out32(s, (int32_t)(disp - 6));
    }
}

void x86_out_call_addr(TCGContext *s, uintptr_t target)
{
    intptr_t disp = (intptr_t)target - (intptr_t)(tcg_code_rx(s) + 5);
    if (disp == (int32_t)disp) {
        tcg_out8(s, OPC_CALL_Jz);
        tcg_out32(s, (int32_t)disp);
    } else {
        x86_out_movi(s, TCG_TYPE_I64, TCG_REG_TMP, target);
        tcg_out_modrm(s, OPC_GRP5, EXT5_CALLN_Ev, TCG_REG_TMP);
    }
}

/* Branch to a label: short when the (backward) distance allows. */
static void out_jxx(TCGContext *s, int jcc, TCGLabel *l)
{
    if (l->has_value) {
        intptr_t val = (intptr_t)tcg_label_rx(s, l) - (intptr_t)tcg_code_rx(s);
        if (val - 2 == (int8_t)(val - 2)) {
            tcg_out8(s, jcc < 0 ? OPC_JMP_short : OPC_JCC_short + jcc);
            tcg_out8(s, val - 2);
            return;
        }
        x86_out_jmp_addr(s, jcc, tcg_label_rx(s, l));
        return;
    }
    if (jcc < 0) {
        tcg_out8(s, OPC_JMP_long);
    } else {
        tcg_out_opc(s, OPC_JCC_long + jcc, 0, 0, 0);
    }
    tcg_out_reloc(s, s->code_ptr, R_X86_PC32, l, -4);
    tcg_out32(s, 0);
}

/* Flags for cond(a, b); returns the jcc code. */
static int out_cmp(TCGContext *s, TCGCond cond, int rexw, int a, TCGArg b, int const_b)
{
    if (cond == TCG_COND_TSTEQ || cond == TCG_COND_TSTNE) {
        if (const_b) {
            tcg_out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_TEST, a);
            tcg_out32(s, (uint32_t)b);
        } else {
            tcg_out_modrm(s, OPC_TESTL | rexw, b, a);
        }
    } else if (const_b && (rexw ? (int64_t)b == 0 : (uint32_t)b == 0)) {
        tcg_out_modrm(s, OPC_TESTL | rexw, a, a);
    } else if (const_b) {
        x86_tgen_arithi(s, ARITH_CMP, rexw, a, rexw ? (int64_t)b : (int32_t)b);
    } else {
        tcg_out_modrm(s, OPC_CMP_GvEv | rexw, a, b);
    }
    return tcg_cond_to_jcc[cond];
}

/* a0 = a1 OP a2 for the two-address ALU ops. */
static void out_alu(TCGContext *s, int ext, int rexw, TCGType type, int a0, int a1,
                    TCGArg a2, int c2, bool commutative)
{
    if (c2) {
        x86_out_mov(s, type, a0, a1);
        x86_tgen_arithi(s, ext, rexw, a0, rexw ? (int64_t)a2 : (int32_t)a2);
    } else if (a0 == a1) {
        tcg_out_modrm(s, (OPC_ARITH_GvEv | (ext << 3)) | rexw, a0, a2);
    } else if (a0 == (int)a2) {
        if (commutative) {
            tcg_out_modrm(s, (OPC_ARITH_GvEv | (ext << 3)) | rexw, a0, a1);
        } else {
            /* a0 = a1 - a0 */
            tcg_out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_NEG, a0);
            tcg_out_modrm(s, OPC_ADD_GvEv | rexw, a0, a1);
        }
    } else {
        x86_out_mov(s, type, a0, a1);
        tcg_out_modrm(s, (OPC_ARITH_GvEv | (ext << 3)) | rexw, a0, a2);
    }
}

static void out_ext(TCGContext *s, int opc, int dst, int src)
{
    tcg_out_modrm(s, opc, dst, src);
}

static void out_clz_ctz(TCGContext *s, bool is_clz, TCGType type, int a0, int a1,
                        TCGArg a2, int c2)
{
    int rexw = rexw_of(type), bits = type == TCG_TYPE_I64 ? 64 : 32;
    tcg_out_modrm(s, (is_clz ? OPC_BSR : OPC_BSF) | rexw, TCG_REG_TMP, a1);
    tcg_out8(s, OPC_JCC_short + JCC_JE);
    uint8_t *jz = s->code_ptr;
    tcg_out8(s, 0);
    if (is_clz) {
        x86_tgen_arithi(s, ARITH_XOR, rexw, TCG_REG_TMP, bits - 1);
    }
    x86_out_mov(s, type, a0, TCG_REG_TMP);
    tcg_out8(s, OPC_JMP_short);
    uint8_t *jend = s->code_ptr;
    tcg_out8(s, 0);
    *jz = s->code_ptr - (jz + 1);
    if (c2) {
        x86_out_movi_noflags(s, type, a0, a2);
    } else {
        x86_out_mov(s, type, a0, a2);
    }
    *jend = s->code_ptr - (jend + 1);
}

static void out_extract(TCGContext *s, TCGType type, bool sign, int a0, int a1,
                        unsigned pos, unsigned len)
{
    int rexw = rexw_of(type), bits = type == TCG_TYPE_I64 ? 64 : 32;
    if (pos == 0 && len == 8) {
        out_ext(s, (sign ? OPC_MOVSBL : OPC_MOVZBL) | P_REXB_RM | (sign ? rexw : 0), a0, a1);
    } else if (pos == 0 && len == 16) {
        out_ext(s, (sign ? OPC_MOVSWL : OPC_MOVZWL) | (sign ? rexw : 0), a0, a1);
    } else if (pos == 0 && len == 32) {
        if (sign) {
            out_ext(s, OPC_MOVSLQ, a0, a1);
        } else {
            tcg_out_modrm(s, OPC_MOVL_GvEv, a0, a1);
        }
    } else if (pos + len == (unsigned)bits) {
        x86_out_mov(s, type, a0, a1);
        x86_out_shifti(s, sign ? SHIFT_SAR : SHIFT_SHR, rexw, a0, pos);
    } else {
        x86_out_mov(s, type, a0, a1);
        if (bits - pos - len) {
            x86_out_shifti(s, SHIFT_SHL, rexw, a0, bits - pos - len);
        }
        x86_out_shifti(s, sign ? SHIFT_SAR : SHIFT_SHR, rexw, a0, bits - len);
    }
}

static void out_deposit(TCGContext *s, TCGType type, int a0, int a2, unsigned pos,
                        unsigned len)
{
    int rexw = rexw_of(type), bits = type == TCG_TYPE_I64 ? 64 : 32;
    /* tmp = field & mask(len) */
    x86_out_mov(s, type, TCG_REG_TMP, a2);
    x86_out_shifti(s, SHIFT_SHL, rexw, TCG_REG_TMP, bits - len);
    x86_out_shifti(s, SHIFT_SHR, rexw, TCG_REG_TMP, bits - len);
    /* rotate the field to bit 0, clear it, insert, rotate back */
    if (pos) {
        x86_out_shifti(s, SHIFT_ROR, rexw, a0, pos);
    }
    x86_out_shifti(s, SHIFT_SHR, rexw, a0, len);
    x86_out_shifti(s, SHIFT_SHL, rexw, a0, len);
    tcg_out_modrm(s, (OPC_ARITH_GvEv | (ARITH_OR << 3)) | rexw, a0, TCG_REG_TMP);
    if (pos) {
        x86_out_shifti(s, SHIFT_ROL, rexw, a0, pos);
    }
}

static void out_ldst(TCGContext *s, TCGOpcode opc, TCGType type, TCGArg a0, int a1,
                     intptr_t ofs, int c0)
{
    int rexw = rexw_of(type);
    switch (opc) {
    case INDEX_op_ld8u:
        tcg_out_modrm_offset(s, OPC_MOVZBL, a0, a1, ofs);
        break;
    case INDEX_op_ld8s:
        tcg_out_modrm_offset(s, OPC_MOVSBL | rexw, a0, a1, ofs);
        break;
    case INDEX_op_ld16u:
        tcg_out_modrm_offset(s, OPC_MOVZWL, a0, a1, ofs);
        break;
    case INDEX_op_ld16s:
        tcg_out_modrm_offset(s, OPC_MOVSWL | rexw, a0, a1, ofs);
        break;
    case INDEX_op_ld32u:
        tcg_out_modrm_offset(s, OPC_MOVL_GvEv, a0, a1, ofs);
        break;
    case INDEX_op_ld32s:
        tcg_out_modrm_offset(s, OPC_MOVSLQ, a0, a1, ofs);
        break;
    case INDEX_op_ld:
        x86_out_ld(s, type, a0, a1, ofs);
        break;
    case INDEX_op_st8:
        if (c0) {
            tcg_out_modrm_offset(s, OPC_MOVB_EvIz, 0, a1, ofs);
            tcg_out8(s, a0);
        } else {
            tcg_out_modrm_offset(s, OPC_MOVB_EvGv, a0, a1, ofs);
        }
        break;
    case INDEX_op_st16:
        if (c0) {
            tcg_out_modrm_offset(s, OPC_MOVL_EvIz | P_DATA16, 0, a1, ofs);
            tcg_out16(s, a0);
        } else {
            tcg_out_modrm_offset(s, OPC_MOVL_EvGv | P_DATA16, a0, a1, ofs);
        }
        break;
    case INDEX_op_st32:
    case INDEX_op_st:
        if (opc == INDEX_op_st32) {
            rexw = 0;
        }
        if (c0) {
            tcg_out_modrm_offset(s, OPC_MOVL_EvIz | rexw, 0, a1, ofs);
            tcg_out32(s, (uint32_t)a0);
        } else {
            tcg_out_modrm_offset(s, OPC_MOVL_EvGv | rexw, a0, a1, ofs);
        }
        break;
    default:
        g_assert_not_reached();
    }
}

void x86_out_op(TCGContext *s, TCGOpcode opc, TCGType type, const TCGArg *args,
                const int *const_args)
{
    int rexw = rexw_of(type), bits = type == TCG_TYPE_I64 ? 64 : 32;
    TCGArg a0 = args[0], a1 = args[1], a2 = args[2];
    int c2 = const_args[2];

    switch (opc) {
    case INDEX_op_br:
        out_jxx(s, -1, arg_label(a0));
        break;
    case INDEX_op_brcond: {
        int jcc = out_cmp(s, a2, rexw, a0, a1, const_args[1]);
        out_jxx(s, jcc, arg_label(args[3]));
        break;
    }
    case INDEX_op_exit_tb:
        if (a0 == 0) {
            x86_out_jmp_addr(s, -1, (uintptr_t)s->ret0_rx);
        } else {
            x86_out_movi(s, TCG_TYPE_I64, TCG_REG_RAX, a0);
            x86_out_jmp_addr(s, -1, (uintptr_t)s->tb_ret_rx);
        }
        break;
    case INDEX_op_goto_tb: {
        /* The rel32 must be 4-aligned so that patching it is one atomic store. */
        while ((tcg_current_code_size(s) + 1) & 3) {
            tcg_out8(s, 0x90);
        }
        s->gen_tb->jmp_insn_offset[a0] = tcg_current_code_size(s);
        tcg_out8(s, OPC_JMP_long);
        tcg_out32(s, 0);
        s->gen_tb->jmp_reset_offset[a0] = tcg_current_code_size(s);
        break;
    }
    case INDEX_op_goto_ptr:
        tcg_out_modrm(s, OPC_TESTL | P_REXW, a0, a0);
        x86_out_jmp_addr(s, JCC_JE, (uintptr_t)s->ret0_rx);
        tcg_out_modrm(s, OPC_GRP5, EXT5_JMPN_Ev, a0);
        break;
    case INDEX_op_mb:
        if (a0 & (TCG_MO_ST_LD | TCG_BAR_SC)) {
            tcg_out8(s, 0x0f);
            tcg_out8(s, 0xae);
            tcg_out8(s, 0xf0);      /* mfence */
        }
        break;

    case INDEX_op_setcond:
    case INDEX_op_negsetcond: {
        int jcc = out_cmp(s, args[3], rexw, a1, a2, c2);
        tcg_out_modrm(s, OPC_SETCC | jcc, 0, a0);
        out_ext(s, OPC_MOVZBL | P_REXB_RM, a0, a0);
        if (opc == INDEX_op_negsetcond) {
            tcg_out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_NEG, a0);
        }
        break;
    }
    case INDEX_op_movcond: {
        int jcc = out_cmp(s, args[5], rexw, a1, a2, c2);
        tcg_out_modrm(s, (OPC_CMOVCC | jcc) | rexw, a0, args[3]);
        break;
    }

    case INDEX_op_ld8u: case INDEX_op_ld8s: case INDEX_op_ld16u: case INDEX_op_ld16s:
    case INDEX_op_ld32u: case INDEX_op_ld32s: case INDEX_op_ld:
    case INDEX_op_st8: case INDEX_op_st16: case INDEX_op_st32: case INDEX_op_st:
        out_ldst(s, opc, type, a0, a1, (intptr_t)a2, const_args[0]);
        break;

    case INDEX_op_add:
        if (a0 == a1) {
            out_alu(s, ARITH_ADD, rexw, type, a0, a1, a2, c2, true);
        } else if (c2) {
            tcg_out_modrm_offset(s, OPC_LEA | rexw, a0, a1,
                                 rexw ? (int64_t)a2 : (int32_t)a2);
        } else if (a0 == a2) {
            out_alu(s, ARITH_ADD, rexw, type, a0, a1, a2, c2, true);
        } else {
            tcg_out_modrm_sib_offset(s, OPC_LEA | rexw, a0, a1, a2, 0, 0);
        }
        break;
    case INDEX_op_sub:
        out_alu(s, ARITH_SUB, rexw, type, a0, a1, a2, c2, false);
        break;
    case INDEX_op_and:
        out_alu(s, ARITH_AND, rexw, type, a0, a1, a2, c2, true);
        break;
    case INDEX_op_or:
        out_alu(s, ARITH_OR, rexw, type, a0, a1, a2, c2, true);
        break;
    case INDEX_op_xor:
        out_alu(s, ARITH_XOR, rexw, type, a0, a1, a2, c2, true);
        break;
    case INDEX_op_andc:
    case INDEX_op_orc:
        x86_out_mov(s, type, TCG_REG_TMP, a2);
        tcg_out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_NOT, TCG_REG_TMP);
        out_alu(s, opc == INDEX_op_andc ? ARITH_AND : ARITH_OR, rexw, type, a0, a1,
                TCG_REG_TMP, 0, true);
        break;
    case INDEX_op_eqv:
    case INDEX_op_nand:
    case INDEX_op_nor:
        out_alu(s, opc == INDEX_op_eqv ? ARITH_XOR : opc == INDEX_op_nand ? ARITH_AND
                : ARITH_OR, rexw, type, a0, a1, a2, 0, true);
        tcg_out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_NOT, a0);
        break;
    case INDEX_op_mul:
        if (c2) {
            int64_t v = rexw ? (int64_t)a2 : (int32_t)a2;
            if (v == (int8_t)v) {
                tcg_out_modrm(s, OPC_IMUL_GvEvIb | rexw, a0, a1);
                tcg_out8(s, v);
            } else {
                tcg_out_modrm(s, OPC_IMUL_GvEvIz | rexw, a0, a1);
                tcg_out32(s, (uint32_t)v);
            }
        } else if (a0 == a1) {
            tcg_out_modrm(s, OPC_IMUL_GvEv | rexw, a0, a2);
        } else if (a0 == a2) {
            tcg_out_modrm(s, OPC_IMUL_GvEv | rexw, a0, a1);
        } else {
            x86_out_mov(s, type, a0, a1);
            tcg_out_modrm(s, OPC_IMUL_GvEv | rexw, a0, a2);
        }
        break;
    case INDEX_op_div:
    case INDEX_op_rem:
        tcg_out_opc(s, 0x99 | rexw, 0, 0, 0);           /* cdq / cqo */
        tcg_out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_IDIV, a2);
        break;
    case INDEX_op_divu:
    case INDEX_op_remu:
        tcg_out_modrm(s, OPC_ARITH_GvEv | (ARITH_XOR << 3), TCG_REG_RDX, TCG_REG_RDX);
        tcg_out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_DIV, a2);
        break;

    case INDEX_op_shl:
    case INDEX_op_shr:
    case INDEX_op_sar:
    case INDEX_op_rotl:
    case INDEX_op_rotr: {
        int ext = opc == INDEX_op_shl ? SHIFT_SHL : opc == INDEX_op_shr ? SHIFT_SHR
                  : opc == INDEX_op_sar ? SHIFT_SAR : opc == INDEX_op_rotl ? SHIFT_ROL
                  : SHIFT_ROR;
        if (c2) {
            int count = a2 & (bits - 1);
            if (count) {
                x86_out_shifti(s, ext, rexw, a0, count);
            }
        } else {
            tcg_out_modrm(s, OPC_SHIFT_cl | rexw, ext, a0);
        }
        break;
    }
    case INDEX_op_neg:
        tcg_out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_NEG, a0);
        break;
    case INDEX_op_not:
        tcg_out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_NOT, a0);
        break;
    case INDEX_op_clz:
    case INDEX_op_ctz:
        out_clz_ctz(s, opc == INDEX_op_clz, type, a0, a1, a2, c2);
        break;
    case INDEX_op_ctpop:
        tcg_out_modrm(s, OPC_POPCNT | rexw, a0, a1);
        break;

    case INDEX_op_ext8s:
        out_ext(s, OPC_MOVSBL | P_REXB_RM | rexw, a0, a1);
        break;
    case INDEX_op_ext8u:
        out_ext(s, OPC_MOVZBL | P_REXB_RM, a0, a1);
        break;
    case INDEX_op_ext16s:
        out_ext(s, OPC_MOVSWL | rexw, a0, a1);
        break;
    case INDEX_op_ext16u:
        out_ext(s, OPC_MOVZWL, a0, a1);
        break;
    case INDEX_op_ext32s:
    case INDEX_op_ext_i32_i64:
        out_ext(s, OPC_MOVSLQ, a0, a1);
        break;
    case INDEX_op_ext32u:
    case INDEX_op_extu_i32_i64:
    case INDEX_op_extrl_i64_i32:
        tcg_out_modrm(s, OPC_MOVL_GvEv, a0, a1);
        break;
    case INDEX_op_extrh_i64_i32:
        x86_out_mov(s, TCG_TYPE_I64, a0, a1);
        x86_out_shifti(s, SHIFT_SHR, P_REXW, a0, 32);
        break;
    case INDEX_op_bswap16:
        /* rol $8, %r16 swaps the low two bytes */
        tcg_out_modrm(s, OPC_SHIFT_Ib | P_DATA16, SHIFT_ROL, a0);
        tcg_out8(s, 8);
        if (a2 & TCG_BSWAP_OS) {
            out_ext(s, OPC_MOVSWL | rexw, a0, a0);
        } else {
            out_ext(s, OPC_MOVZWL, a0, a0);
        }
        break;
    case INDEX_op_bswap32:
        tcg_out_opc(s, OPC_BSWAP + (a0 & 7), 0, a0, 0);
        if (rexw && (a2 & TCG_BSWAP_OS)) {
            out_ext(s, OPC_MOVSLQ, a0, a0);
        }
        break;
    case INDEX_op_bswap64:
        tcg_out_opc(s, (OPC_BSWAP + (a0 & 7)) | P_REXW, 0, a0, 0);
        break;
    case INDEX_op_deposit:
        out_deposit(s, type, a0, a2, args[3], args[4]);
        break;
    case INDEX_op_extract:
    case INDEX_op_sextract:
        out_extract(s, type, opc == INDEX_op_sextract, a0, a1, a2, args[3]);
        break;
    case INDEX_op_extract2:
        /* shrd $pos, hi, lo: lo = lo >> pos | hi << (bits - pos) */
        tcg_out_modrm(s, OPC_SHRD_Ib | rexw, a2, a0);
        tcg_out8(s, args[3]);
        break;

    case INDEX_op_mulu2:
    case INDEX_op_muls2:
        tcg_out_modrm(s, OPC_GRP3_Ev | rexw,
                      opc == INDEX_op_mulu2 ? EXT3_MUL : EXT3_IMUL, args[3]);
        break;
    case INDEX_op_add2:
    case INDEX_op_sub2: {
        bool add = opc == INDEX_op_add2;
        if (const_args[4]) {
            x86_tgen_arithi(s, add ? ARITH_ADD : ARITH_SUB, rexw, a0,
                            rexw ? (int64_t)args[4] : (int32_t)args[4]);
        } else {
            tcg_out_modrm(s, (OPC_ARITH_GvEv | ((add ? ARITH_ADD : ARITH_SUB) << 3)) | rexw,
                          a0, args[4]);
        }
        if (const_args[5]) {
            x86_tgen_arithi(s, add ? ARITH_ADC : ARITH_SBB, rexw, a1,
                            rexw ? (int64_t)args[5] : (int32_t)args[5]);
        } else {
            tcg_out_modrm(s, (OPC_ARITH_GvEv | ((add ? ARITH_ADC : ARITH_SBB) << 3)) | rexw,
                          a1, args[5]);
        }
        break;
    }

    case INDEX_op_qemu_ld:
        x86_out_qemu_ld(s, type, a0, a1, a2);
        break;
    case INDEX_op_qemu_st:
        x86_out_qemu_st(s, type, a0, a1, a2);
        break;
    default:
        g_assert_not_reached();
    }
}
