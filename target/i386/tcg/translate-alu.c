/*
 * x86 translator: integer data movement, arithmetic, logic, shifts and
 * rotates, multiply/divide, bit operations (SDM vol. 2 instruction pages).
 *
 * Ordering rule (docs/devel/tcg.md "Precise state recovery"): an instruction
 * writes guest registers and the lazy-flag globals only after its last
 * access that can fault, so a page fault restarts it from its insn_start.
 *
 * LOCK: emu runs vCPUs round-robin in one thread for now, so a LOCKed
 * read-modify-write done as plain load + store cannot be interleaved with
 * another vCPU's access; real atomics come with one thread per vCPU.
 */
#include "util/osdep.h"
#include "target/i386/tcg/translate.h"
#include "target/i386/tcg/helper.h"

static void gen_set_flags_op(DisasContext *s, int op, unsigned size, TCGv_i64 dst,
                             TCGv_i64 src, TCGv_i64 src2)
{
    gen_ext_size(size, cpu_cc_dst, dst, false);
    if (src) {
        gen_ext_size(size, cpu_cc_src, src, false);
    }
    if (src2) {
        tcg_gen_mov_i64(cpu_cc_src2, src2);
    }
    gen_set_cc_op(s, op + size);
}

static void gen_mov(DisasContext *s, const X86Insn *insn, bool sign)
{
    TCGv_i64 t = tcg_temp_new_i64();
    gen_load_op(s, &insn->op[1], t, sign);
    gen_store_op(s, &insn->op[0], t);
    tcg_temp_free_i64(t);
}

static void gen_lea(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 t = tcg_temp_new_i64();
    gen_lea_op(s, &insn->op[1], t);
    gen_store_op(s, &insn->op[0], t);
    tcg_temp_free_i64(t);
}

static void gen_alu2(DisasContext *s, const X86Insn *insn)
{
    unsigned size = size_log2(insn->opsize);
    const X86Operand *d = &insn->op[0];
    TCGv_i64 t0 = tcg_temp_new_i64(), t1 = tcg_temp_new_i64();
    TCGv_i64 res = tcg_temp_new_i64(), cf = NULL;
    int op;

    gen_load_op(s, d, t0, false);
    gen_load_op(s, &insn->op[1], t1, false);
    gen_ext_size(size, t1, t1, false);
    switch (insn->opcode) {
    case X86_OP_ADD:
        tcg_gen_add_i64(res, t0, t1);
        op = CC_OP_ADDB;
        break;
    case X86_OP_ADC:
        cf = tcg_temp_new_i64();
        gen_compute_cf(s, cf);
        tcg_gen_add_i64(res, t0, t1);
        tcg_gen_add_i64(res, res, cf);
        op = CC_OP_ADCB;
        break;
    case X86_OP_SUB:
    case X86_OP_CMP:
        tcg_gen_sub_i64(res, t0, t1);
        op = CC_OP_SUBB;
        break;
    case X86_OP_SBB:
        cf = tcg_temp_new_i64();
        gen_compute_cf(s, cf);
        tcg_gen_sub_i64(res, t0, t1);
        tcg_gen_sub_i64(res, res, cf);
        op = CC_OP_SBBB;
        break;
    case X86_OP_AND:
    case X86_OP_TEST:
        tcg_gen_and_i64(res, t0, t1);
        op = CC_OP_LOGICB;
        break;
    case X86_OP_OR:
        tcg_gen_or_i64(res, t0, t1);
        op = CC_OP_LOGICB;
        break;
    default:
        tcg_gen_xor_i64(res, t0, t1);
        op = CC_OP_LOGICB;
        break;
    }
    if (insn->opcode != X86_OP_CMP && insn->opcode != X86_OP_TEST) {
        gen_store_op(s, d, res);
    }
    gen_set_flags_op(s, op, size, res, op == CC_OP_LOGICB ? NULL : t1, cf);
    tcg_temp_free_i64(t0);
    tcg_temp_free_i64(t1);
    tcg_temp_free_i64(res);
    if (cf) {
        tcg_temp_free_i64(cf);
    }
}

static void gen_unary(DisasContext *s, const X86Insn *insn)
{
    unsigned size = size_log2(insn->opsize);
    const X86Operand *d = &insn->op[0];
    TCGv_i64 t0 = tcg_temp_new_i64(), res = tcg_temp_new_i64(), cf = NULL;

    gen_load_op(s, d, t0, false);
    switch (insn->opcode) {
    case X86_OP_INC:
    case X86_OP_DEC:
        /* INC/DEC keep CF: remember it as the operation's src. */
        cf = tcg_temp_new_i64();
        gen_compute_cf(s, cf);
        tcg_gen_addi_i64(res, t0, insn->opcode == X86_OP_INC ? 1 : -1);
        gen_store_op(s, d, res);
        gen_set_flags_op(s, insn->opcode == X86_OP_INC ? CC_OP_INCB : CC_OP_DECB, size,
                         res, cf, NULL);
        tcg_temp_free_i64(cf);
        break;
    case X86_OP_NEG:
        tcg_gen_neg_i64(res, t0);
        gen_store_op(s, d, res);
        gen_set_flags_op(s, CC_OP_SUBB, size, res, t0, NULL);
        break;
    default:
        tcg_gen_not_i64(res, t0);
        gen_store_op(s, d, res);
        break;
    }
    tcg_temp_free_i64(t0);
    tcg_temp_free_i64(res);
}

/* SHL/SHR/SAR: count masked to 5 bits (6 with 64-bit operands); 0 keeps flags. */
static void gen_shift(DisasContext *s, const X86Insn *insn)
{
    unsigned size = size_log2(insn->opsize);
    unsigned mask = size == MO_64 ? 63 : 31;
    const X86Operand *d = &insn->op[0], *c = &insn->op[1];
    bool sar = insn->opcode == X86_OP_SAR, left = insn->opcode == X86_OP_SHL;
    int op = left ? CC_OP_SHLB : CC_OP_SARB;
    TCGv_i64 t0 = tcg_temp_new_i64(), res = tcg_temp_new_i64(), src = tcg_temp_new_i64();

    gen_load_op(s, d, t0, sar);
    if (c->kind == X86_OPK_IMM) {
        unsigned n = c->imm & mask;
        if (n == 0) {
            if (d->kind == X86_OPK_GPR) {
                gen_store_op(s, d, t0);     /* 32-bit destinations still zero-extend */
            }
        } else {
            if (left) {
                tcg_gen_shli_i64(res, t0, n);
                tcg_gen_shli_i64(src, t0, n - 1);
            } else if (sar) {
                tcg_gen_sari_i64(res, t0, n);
                tcg_gen_sari_i64(src, t0, n - 1);
            } else {
                tcg_gen_shri_i64(res, t0, n);
                tcg_gen_shri_i64(src, t0, n - 1);
            }
            gen_store_op(s, d, res);
            gen_set_flags_op(s, op, size, res, src, NULL);
        }
    } else {
        TCGv_i64 cnt = tcg_temp_new_i64(), cm1 = tcg_temp_new_i64();
        TCGv_i32 cnt32 = tcg_temp_new_i32();
        tcg_gen_andi_i64(cnt, cpu_regs[R_ECX], mask);
        tcg_gen_subi_i64(cm1, cnt, 1);
        if (left) {
            tcg_gen_shl_i64(res, t0, cnt);
            tcg_gen_shl_i64(src, t0, cm1);
        } else if (sar) {
            tcg_gen_sar_i64(res, t0, cnt);
            tcg_gen_sar_i64(src, t0, cm1);
        } else {
            tcg_gen_shr_i64(res, t0, cnt);
            tcg_gen_shr_i64(src, t0, cm1);
        }
        gen_store_op(s, d, res);
        /* The flags change only for a non-zero count: select at run time. */
        gen_update_cc_op(s);
        gen_ext_size(size, res, res, false);
        gen_ext_size(size, src, src, false);
        TCGv_i64 zero = tcg_constant_i64(0);
        tcg_gen_movcond_i64(TCG_COND_NE, cpu_cc_dst, cnt, zero, res, cpu_cc_dst);
        tcg_gen_movcond_i64(TCG_COND_NE, cpu_cc_src, cnt, zero, src, cpu_cc_src);
        tcg_gen_extrl_i64_i32(cnt32, cnt);
        if (s->cc_op == CC_OP_DYNAMIC) {
            tcg_gen_movcond_i32(TCG_COND_NE, cpu_cc_op, cnt32, tcg_constant_i32(0),
                                tcg_constant_i32(op + size), cpu_cc_op);
        } else {
            tcg_gen_movcond_i32(TCG_COND_NE, cpu_cc_op, cnt32, tcg_constant_i32(0),
                                tcg_constant_i32(op + size), tcg_constant_i32(s->cc_op));
        }
        gen_set_cc_op(s, CC_OP_DYNAMIC);
        tcg_temp_free_i64(cnt);
        tcg_temp_free_i64(cm1);
        tcg_temp_free_i32(cnt32);
    }
    tcg_temp_free_i64(t0);
    tcg_temp_free_i64(res);
    tcg_temp_free_i64(src);
}

static void gen_count_operand(const X86Operand *c, TCGv_i64 cnt)
{
    if (c->kind == X86_OPK_IMM) {
        tcg_gen_movi_i64(cnt, c->imm & 0xff);
    } else {
        tcg_gen_mov_i64(cnt, cpu_regs[R_ECX]);
    }
}

/*
 * ROL/ROR of a 32- or 64-bit operand by an immediate whose masked count is not
 * zero: inline, no helper (hashes such as xxhash and siphash rotate by
 * constants in their inner loops). SDM vol. 2 RCL/RCR/ROL/ROR: the count is
 * masked to 5 (6 with REX.W) bits; CF is the bit last rotated into bit 0
 * (ROL) or the top bit (ROR); OF, defined for a count of 1, is computed with
 * the same formula as x86_rotate for any count: MSB(result) XOR CF for ROL,
 * XOR of the two top bits for ROR. Other flags are unchanged.
 */
static void gen_rotate_imm(DisasContext *s, const X86Insn *insn, unsigned size, bool left)
{
    const X86Operand *d = &insn->op[0];
    unsigned bits = 8u << size;
    unsigned n = insn->op[1].imm & (bits - 1);
    TCGv_i64 t0 = tcg_temp_new_i64(), res = tcg_temp_new_i64();
    TCGv_i64 cf = tcg_temp_new_i64(), of = tcg_temp_new_i64(), rfl = tcg_temp_new_i64();

    gen_materialize_flags(s);
    gen_load_op(s, d, t0, false);
    if (size == MO_64) {
        if (left) {
            tcg_gen_rotli_i64(res, t0, n);
        } else {
            tcg_gen_rotri_i64(res, t0, n);
        }
    } else {
        TCGv_i32 w = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(w, t0);
        if (left) {
            tcg_gen_rotli_i32(w, w, n);
        } else {
            tcg_gen_rotri_i32(w, w, n);
        }
        tcg_gen_extu_i32_i64(res, w);
        tcg_temp_free_i32(w);
    }
    gen_store_op(s, d, res);
    if (left) {
        tcg_gen_andi_i64(cf, res, 1);
        tcg_gen_extract_i64(of, res, bits - 1, 1);
    } else {
        tcg_gen_extract_i64(cf, res, bits - 1, 1);
        tcg_gen_extract_i64(of, res, bits - 2, 1);
    }
    tcg_gen_xor_i64(of, of, cf);
    tcg_gen_ld_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    tcg_gen_andi_i64(rfl, rfl, ~(int64_t)(RFLAGS_CF | RFLAGS_OF));
    tcg_gen_or_i64(rfl, rfl, cf);
    tcg_gen_shli_i64(of, of, __builtin_ctz(RFLAGS_OF));
    tcg_gen_or_i64(rfl, rfl, of);
    tcg_gen_st_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    tcg_temp_free_i64(t0);
    tcg_temp_free_i64(res);
    tcg_temp_free_i64(cf);
    tcg_temp_free_i64(of);
    tcg_temp_free_i64(rfl);
}

/* ROL/ROR/RCL/RCR, SHLD/SHRD: helpers on materialized flags (cc-helper.c). */
static void gen_rotate(DisasContext *s, const X86Insn *insn)
{
    unsigned size = size_log2(insn->opsize);
    const X86Operand *d = &insn->op[0];
    bool dbl = insn->opcode == X86_OP_SHLD || insn->opcode == X86_OP_SHRD;

    if ((insn->opcode == X86_OP_ROL || insn->opcode == X86_OP_ROR) && size >= MO_32 &&
        insn->op[1].kind == X86_OPK_IMM && (insn->op[1].imm & ((8u << size) - 1))) {
        gen_rotate_imm(s, insn, size, insn->opcode == X86_OP_ROL);
        return;
    }
    TCGv_i64 t0 = tcg_temp_new_i64(), t1 = NULL, cnt = tcg_temp_new_i64();
    TCGv_i64 res = tcg_temp_new_i64(), rfl = tcg_temp_new_i64();
    unsigned kind;

    switch (insn->opcode) {
    case X86_OP_ROL: kind = X86_ROT_ROL; break;
    case X86_OP_ROR: kind = X86_ROT_ROR; break;
    case X86_OP_RCL: kind = X86_ROT_RCL; break;
    case X86_OP_RCR: kind = X86_ROT_RCR; break;
    default: kind = insn->opcode == X86_OP_SHRD; break;
    }
    TCGv_i32 ks = tcg_constant_i32(kind << 2 | size);

    gen_materialize_flags(s);
    gen_load_op(s, d, t0, false);
    if (dbl) {
        t1 = tcg_temp_new_i64();
        gen_load_op(s, &insn->op[1], t1, false);
        gen_count_operand(&insn->op[2], cnt);
    } else {
        gen_count_operand(&insn->op[1], cnt);
    }
    tcg_gen_ld_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    if (dbl) {
        gen_helper_shiftd_val(res, t0, t1, cnt, ks, rfl);
    } else {
        gen_helper_rotate_val(res, t0, cnt, ks, rfl);
    }
    gen_store_op(s, d, res);
    if (dbl) {
        gen_helper_shiftd_flags(rfl, t0, t1, cnt, ks, rfl);
        tcg_temp_free_i64(t1);
    } else {
        gen_helper_rotate_flags(rfl, t0, cnt, ks, rfl);
    }
    tcg_gen_st_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    tcg_temp_free_i64(t0);
    tcg_temp_free_i64(cnt);
    tcg_temp_free_i64(res);
    tcg_temp_free_i64(rfl);
}

/* MUL/IMUL: CF = OF = "the upper half is significant" (cc src), SDM MUL/IMUL. */
static void gen_mul(DisasContext *s, const X86Insn *insn)
{
    unsigned size = size_log2(insn->opsize);
    bool sign = insn->opcode == X86_OP_IMUL;
    TCGv_i64 a = tcg_temp_new_i64(), b = tcg_temp_new_i64();
    TCGv_i64 lo = tcg_temp_new_i64(), hi = tcg_temp_new_i64(), ovf = tcg_temp_new_i64();
    int dest = -1;

    if (insn->num_ops == 1) {
        gen_load_op(s, &insn->op[0], b, sign);
        gen_ext_size(size, a, cpu_regs[R_EAX], sign);
    } else {
        /* IMUL r, r/m (, imm): truncated product into the register. */
        dest = insn->op[0].reg;
        gen_load_op(s, &insn->op[1], a, true);
        if (insn->num_ops == 3) {
            tcg_gen_movi_i64(b, insn->op[2].imm);
            gen_ext_size(size, b, b, true);
        } else {
            gen_read_reg(size, b, dest, false);
            gen_ext_size(size, b, b, true);
        }
    }
    if (size == MO_64) {
        if (sign) {
            tcg_gen_muls2_i64(lo, hi, a, b);
            tcg_gen_sari_i64(ovf, lo, 63);
            tcg_gen_setcond_i64(TCG_COND_NE, ovf, ovf, hi);
        } else {
            tcg_gen_mulu2_i64(lo, hi, a, b);
            tcg_gen_mov_i64(ovf, hi);
        }
    } else {
        /* The full product fits in 64 bits. */
        unsigned bits = 8 << size;
        tcg_gen_mul_i64(lo, a, b);
        tcg_gen_shri_i64(hi, lo, bits);
        gen_ext_size(size, hi, hi, false);
        if (sign) {
            gen_ext_size(size, ovf, lo, true);
            tcg_gen_setcond_i64(TCG_COND_NE, ovf, ovf, lo);
        } else {
            tcg_gen_mov_i64(ovf, hi);
        }
    }
    if (dest >= 0) {
        gen_write_reg(size, dest, false, lo);
    } else if (size == MO_8) {
        tcg_gen_deposit_i64(cpu_regs[R_EAX], cpu_regs[R_EAX], lo, 0, 16);
    } else {
        gen_write_reg(size, R_EDX, false, hi);
        gen_write_reg(size, R_EAX, false, lo);
    }
    gen_set_flags_op(s, CC_OP_MULB, size, lo, ovf, NULL);
    tcg_temp_free_i64(a);
    tcg_temp_free_i64(b);
    tcg_temp_free_i64(lo);
    tcg_temp_free_i64(hi);
    tcg_temp_free_i64(ovf);
}

static void gen_div(DisasContext *s, const X86Insn *insn)
{
    unsigned size = size_log2(insn->opsize);
    TCGv_i64 t = tcg_temp_new_i64();
    gen_load_op(s, &insn->op[0], t, false);
    /* The helper raises #DE with the state of this instruction. */
    gen_update_cc_op(s);
    gen_helper_div(tcg_env, t, tcg_constant_i32((insn->opcode == X86_OP_IDIV) << 2 | size));
    tcg_temp_free_i64(t);
}

static void gen_xchg(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 t0 = tcg_temp_new_i64(), t1 = tcg_temp_new_i64();
    gen_load_op(s, &insn->op[0], t0, false);
    gen_load_op(s, &insn->op[1], t1, false);
    gen_store_op(s, &insn->op[0], t1);     /* the memory operand, if any, first */
    gen_store_op(s, &insn->op[1], t0);
    tcg_temp_free_i64(t0);
    tcg_temp_free_i64(t1);
}

static void gen_xadd(DisasContext *s, const X86Insn *insn)
{
    unsigned size = size_log2(insn->opsize);
    TCGv_i64 t0 = tcg_temp_new_i64(), t1 = tcg_temp_new_i64(), sum = tcg_temp_new_i64();
    gen_load_op(s, &insn->op[0], t0, false);
    gen_load_op(s, &insn->op[1], t1, false);
    tcg_gen_add_i64(sum, t0, t1);
    gen_store_op(s, &insn->op[0], sum);
    gen_store_op(s, &insn->op[1], t0);
    gen_set_flags_op(s, CC_OP_ADDB, size, sum, t1, NULL);
    tcg_temp_free_i64(t0);
    tcg_temp_free_i64(t1);
    tcg_temp_free_i64(sum);
}

/*
 * CMPXCHG (SDM vol. 2): a memory destination is always written (the old value
 * when unequal); a register destination only when equal, rAX only when not,
 * so a 32-bit register that is not written keeps its upper half.
 */
static void gen_cmpxchg(DisasContext *s, const X86Insn *insn)
{
    unsigned size = size_log2(insn->opsize);
    const X86Operand *d = &insn->op[0];
    TCGv_i64 old = tcg_temp_new_i64(), src = tcg_temp_new_i64(), acc = tcg_temp_new_i64();
    TCGv_i64 diff = tcg_temp_new_i64(), keep = tcg_temp_new_i64();

    gen_load_op(s, d, old, false);
    gen_load_op(s, &insn->op[1], src, false);
    gen_read_reg(size, acc, R_EAX, false);
    tcg_gen_sub_i64(diff, acc, old);
    gen_ext_size(size, diff, diff, false);
    if (d->kind == X86_OPK_MEM) {
        TCGv_i64 nv = tcg_temp_new_i64();
        tcg_gen_movcond_i64(TCG_COND_EQ, nv, diff, tcg_constant_i64(0), src, old);
        gen_store_op(s, d, nv);
        tcg_temp_free_i64(nv);
    } else {
        tcg_gen_mov_i64(keep, cpu_regs[d->reg]);
        gen_store_op(s, d, src);
        tcg_gen_movcond_i64(TCG_COND_EQ, cpu_regs[d->reg], diff, tcg_constant_i64(0),
                            cpu_regs[d->reg], keep);
    }
    tcg_gen_mov_i64(keep, cpu_regs[R_EAX]);
    gen_write_reg(size, R_EAX, false, old);
    tcg_gen_movcond_i64(TCG_COND_EQ, cpu_regs[R_EAX], diff, tcg_constant_i64(0), keep,
                        cpu_regs[R_EAX]);
    gen_set_flags_op(s, CC_OP_SUBB, size, diff, old, NULL);
    tcg_temp_free_i64(old);
    tcg_temp_free_i64(src);
    tcg_temp_free_i64(acc);
    tcg_temp_free_i64(diff);
    tcg_temp_free_i64(keep);
}

/* BT/BTS/BTR/BTC: CF = the bit; a register offset may address beyond a memory operand. */
static void gen_bt(DisasContext *s, const X86Insn *insn)
{
    unsigned size = size_log2(insn->opsize);
    unsigned bits = 8 << size;
    const X86Operand *d = &insn->op[0], *o = &insn->op[1];
    TCGv_i64 off = tcg_temp_new_i64(), val = tcg_temp_new_i64(), bit = tcg_temp_new_i64();
    TCGv_i64 mask = tcg_temp_new_i64();

    if (o->kind == X86_OPK_IMM) {
        tcg_gen_movi_i64(off, o->imm & (bits - 1));
        gen_load_op(s, d, val, false);
    } else {
        gen_read_reg(size, off, o->reg, false);
        if (d->kind == X86_OPK_MEM) {
            /* SDM BT: signed bit offset; address += (offset div size) * bytes. */
            TCGv_i64 disp = tcg_temp_new_i64();
            gen_ext_size(size, disp, off, true);
            tcg_gen_sari_i64(disp, disp, 3 + size);
            tcg_gen_shli_i64(disp, disp, size);
            gen_compute_a0(s, d);
            tcg_gen_add_i64(s->A0, s->A0, disp);
            if (!s->code64) {
                tcg_gen_ext32u_i64(s->A0, s->A0);
            }
            tcg_temp_free_i64(disp);
        }
        tcg_gen_andi_i64(off, off, bits - 1);
        gen_load_op(s, d, val, false);
    }
    tcg_gen_shr_i64(bit, val, off);
    tcg_gen_andi_i64(bit, bit, 1);
    gen_materialize_flags(s);
    if (insn->opcode != X86_OP_BT) {
        tcg_gen_shl_i64(mask, tcg_constant_i64(1), off);
        switch (insn->opcode) {
        case X86_OP_BTS: tcg_gen_or_i64(val, val, mask); break;
        case X86_OP_BTR: tcg_gen_andc_i64(val, val, mask); break;
        default: tcg_gen_xor_i64(val, val, mask); break;
        }
        gen_store_op(s, d, val);
    }
    /* CF only; ZF kept, OF/SF/AF/PF undefined (kept). */
    TCGv_i64 rfl = tcg_temp_new_i64();
    tcg_gen_ld_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    tcg_gen_andi_i64(rfl, rfl, ~(int64_t)RFLAGS_CF);
    tcg_gen_or_i64(rfl, rfl, bit);
    tcg_gen_st_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    tcg_temp_free_i64(rfl);
    tcg_temp_free_i64(off);
    tcg_temp_free_i64(val);
    tcg_temp_free_i64(bit);
    tcg_temp_free_i64(mask);
}

static void gen_bitscan(DisasContext *s, const X86Insn *insn)
{
    unsigned size = size_log2(insn->opsize);
    unsigned bits = 8 << size;
    const X86Operand *d = &insn->op[0];
    TCGv_i64 src = tcg_temp_new_i64(), res = tcg_temp_new_i64(), old = tcg_temp_new_i64();

    gen_load_op(s, &insn->op[1], src, false);
    switch (insn->opcode) {
    case X86_OP_BSF:
    case X86_OP_BSR:
        /*
         * Source 0: ZF = 1 and the destination register is not written at all, not
         * even zero-extended (AMD APM BSF/BSR; Intel parts behave the same).
         */
        if (insn->opcode == X86_OP_BSF) {
            tcg_gen_ctzi_i64(res, src, 0);
        } else {
            tcg_gen_clzi_i64(res, src, 64);
            tcg_gen_xori_i64(res, res, 63);
        }
        tcg_gen_mov_i64(old, cpu_regs[d->reg]);
        gen_store_op(s, d, res);
        tcg_gen_movcond_i64(TCG_COND_EQ, cpu_regs[d->reg], src, tcg_constant_i64(0), old,
                            cpu_regs[d->reg]);
        gen_set_flags_op(s, CC_OP_LOGICB, size, src, NULL, NULL);
        break;
    case X86_OP_TZCNT:
        tcg_gen_ctzi_i64(res, src, bits);
        gen_store_op(s, d, res);
        gen_set_flags_op(s, CC_OP_TZCNTB, size, res, src, NULL);
        break;
    case X86_OP_LZCNT:
        tcg_gen_clzi_i64(res, src, 64);
        tcg_gen_subi_i64(res, res, 64 - bits);
        gen_store_op(s, d, res);
        gen_set_flags_op(s, CC_OP_TZCNTB, size, res, src, NULL);
        break;
    default: /* POPCNT */
        tcg_gen_ctpop_i64(res, src);
        gen_store_op(s, d, res);
        gen_set_flags_op(s, CC_OP_POPCNTB, size, src, NULL, NULL);
        break;
    }
    tcg_temp_free_i64(src);
    tcg_temp_free_i64(res);
    tcg_temp_free_i64(old);
}

static void gen_bswap(DisasContext *s, const X86Insn *insn)
{
    int reg = insn->op[0].reg;
    TCGv_i64 t = tcg_temp_new_i64();
    switch (insn->opsize) {
    case 8:
        tcg_gen_bswap64_i64(cpu_regs[reg], cpu_regs[reg], 0);
        break;
    case 4:
        tcg_gen_bswap32_i64(t, cpu_regs[reg], TCG_BSWAP_OZ);
        gen_write_reg(MO_32, reg, false, t);
        break;
    default:
        /* SDM: undefined with a 16-bit operand; hardware clears the register's low word. */
        gen_write_reg(MO_16, reg, false, tcg_constant_i64(0));
        break;
    }
    tcg_temp_free_i64(t);
}

static void gen_cbw_cwd(DisasContext *s, const X86Insn *insn)
{
    unsigned size = size_log2(insn->opsize);
    TCGv_i64 t = tcg_temp_new_i64();
    if (insn->opcode == X86_OP_CBW) {
        /* CBW/CWDE/CDQE: rAX = sign-extend the lower half. */
        gen_ext_size(size - 1, t, cpu_regs[R_EAX], true);
        gen_write_reg(size, R_EAX, false, t);
    } else {
        /* CWD/CDQ/CQO: rDX = sign of rAX. */
        gen_ext_size(size, t, cpu_regs[R_EAX], true);
        tcg_gen_sari_i64(t, t, 63);
        gen_write_reg(size, R_EDX, false, t);
    }
    tcg_temp_free_i64(t);
}

static void gen_setcc_insn(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 t = tcg_temp_new_i64();
    gen_setcc(s, insn->cc, t);
    gen_store_op(s, &insn->op[0], t);
    tcg_temp_free_i64(t);
}

/* CMOVcc reads its source even when false, and always writes (zero-extends) a
 * 32-bit destination (SDM CMOVcc). */
static void gen_cmov(DisasContext *s, const X86Insn *insn)
{
    unsigned size = size_log2(insn->opsize);
    TCGv_i64 src = tcg_temp_new_i64(), old = tcg_temp_new_i64(), c = tcg_temp_new_i64();
    gen_load_op(s, &insn->op[1], src, false);
    gen_read_reg(size, old, insn->op[0].reg, false);
    gen_setcc(s, insn->cc, c);
    tcg_gen_movcond_i64(TCG_COND_NE, src, c, tcg_constant_i64(0), src, old);
    gen_store_op(s, &insn->op[0], src);
    tcg_temp_free_i64(src);
    tcg_temp_free_i64(old);
    tcg_temp_free_i64(c);
}

bool disas_alu(DisasContext *s, const X86Insn *insn)
{
    switch (insn->opcode) {
    case X86_OP_MOV:
    case X86_OP_MOVZX:
        gen_mov(s, insn, false);
        return true;
    case X86_OP_MOVSX:
    case X86_OP_MOVSXD:
        gen_mov(s, insn, true);
        return true;
    case X86_OP_LEA:
        gen_lea(s, insn);
        return true;
    case X86_OP_ADD: case X86_OP_OR: case X86_OP_ADC: case X86_OP_SBB:
    case X86_OP_AND: case X86_OP_SUB: case X86_OP_XOR: case X86_OP_CMP:
    case X86_OP_TEST:
        gen_alu2(s, insn);
        return true;
    case X86_OP_INC: case X86_OP_DEC: case X86_OP_NEG: case X86_OP_NOT:
        gen_unary(s, insn);
        return true;
    case X86_OP_SHL: case X86_OP_SHR: case X86_OP_SAR:
        gen_shift(s, insn);
        return true;
    case X86_OP_ROL: case X86_OP_ROR: case X86_OP_RCL: case X86_OP_RCR:
    case X86_OP_SHLD: case X86_OP_SHRD:
        gen_rotate(s, insn);
        return true;
    case X86_OP_MUL: case X86_OP_IMUL:
        gen_mul(s, insn);
        return true;
    case X86_OP_DIV: case X86_OP_IDIV:
        gen_div(s, insn);
        return true;
    case X86_OP_XCHG:
        gen_xchg(s, insn);
        return true;
    case X86_OP_XADD:
        gen_xadd(s, insn);
        return true;
    case X86_OP_CMPXCHG:
        gen_cmpxchg(s, insn);
        return true;
    case X86_OP_BT: case X86_OP_BTS: case X86_OP_BTR: case X86_OP_BTC:
        gen_bt(s, insn);
        return true;
    case X86_OP_BSF: case X86_OP_BSR: case X86_OP_TZCNT: case X86_OP_LZCNT:
    case X86_OP_POPCNT:
        gen_bitscan(s, insn);
        return true;
    case X86_OP_BSWAP:
        gen_bswap(s, insn);
        return true;
    case X86_OP_CBW: case X86_OP_CWD:
        gen_cbw_cwd(s, insn);
        return true;
    case X86_OP_SETCC:
        gen_setcc_insn(s, insn);
        return true;
    case X86_OP_CMOVCC:
        gen_cmov(s, insn);
        return true;
    default:
        return false;
    }
}
