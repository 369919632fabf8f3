/*
 * The op builder (include/tcg/tcg-op.h): thin wrappers that append ops to the current
 * context's list, with the trivial simplifications a front end would otherwise repeat
 * (x + 0, x & -1, shifts by 0...). Real optimization is tcg/optimize.c's job.
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/tcg-op.h"

static inline TCGArg a32(TCGv_i32 v)
{
    return temp_arg(tcgv_i32_temp(v));
}
static inline TCGArg a64(TCGv_i64 v)
{
    return temp_arg(tcgv_i64_temp(v));
}

static void op1(TCGOpcode opc, TCGType t, TCGArg a1)
{
    TCGOp *op = tcg_emit_op(opc, t, 1);
    op->args[0] = a1;
}
static void op2(TCGOpcode opc, TCGType t, TCGArg a1, TCGArg a2)
{
    TCGOp *op = tcg_emit_op(opc, t, 2);
    op->args[0] = a1;
    op->args[1] = a2;
}
static void op3(TCGOpcode opc, TCGType t, TCGArg a1, TCGArg a2, TCGArg a3)
{
    TCGOp *op = tcg_emit_op(opc, t, 3);
    op->args[0] = a1;
    op->args[1] = a2;
    op->args[2] = a3;
}
static void op4(TCGOpcode opc, TCGType t, TCGArg a1, TCGArg a2, TCGArg a3, TCGArg a4)
{
    TCGOp *op = tcg_emit_op(opc, t, 4);
    op->args[0] = a1;
    op->args[1] = a2;
    op->args[2] = a3;
    op->args[3] = a4;
}
static void op5(TCGOpcode opc, TCGType t, TCGArg a1, TCGArg a2, TCGArg a3, TCGArg a4,
                TCGArg a5)
{
    TCGOp *op = tcg_emit_op(opc, t, 5);
    op->args[0] = a1;
    op->args[1] = a2;
    op->args[2] = a3;
    op->args[3] = a4;
    op->args[4] = a5;
}
static void op6(TCGOpcode opc, TCGType t, TCGArg a1, TCGArg a2, TCGArg a3, TCGArg a4,
                TCGArg a5, TCGArg a6)
{
    TCGOp *op = tcg_emit_op(opc, t, 6);
    op->args[0] = a1;
    op->args[1] = a2;
    op->args[2] = a3;
    op->args[3] = a4;
    op->args[4] = a5;
    op->args[5] = a6;
}

static MemOpIdx make_oi(TCGType type, unsigned mmu_idx, MemOp mop)
{
    g_assert(mmu_idx < (1u << TCG_MMU_IDX_BITS));
    if (type == TCG_TYPE_I32) {
        g_assert((mop & MO_SIZE) != MO_64);
        if ((mop & MO_SIZE) == MO_32) {
            mop &= ~MO_SIGN;
        }
    } else if ((mop & MO_SIZE) == MO_64) {
        mop &= ~MO_SIGN;
    }
    return make_memop_idx(mop, mmu_idx);
}

#define BINOP(SFX, TV, TYPE, ARG, NAME)                                             \
    void tcg_gen_##NAME##_##SFX(TV ret, TV a, TV b)                                 \
    {                                                                               \
        op3(INDEX_op_##NAME, TYPE, ARG(ret), ARG(a), ARG(b));                       \
    }
#define UNOP(SFX, TV, TYPE, ARG, NAME)                                              \
    void tcg_gen_##NAME##_##SFX(TV ret, TV a)                                       \
    {                                                                               \
        op2(INDEX_op_##NAME, TYPE, ARG(ret), ARG(a));                               \
    }
#define SHIFTI(SFX, TV, IMM, TYPE, ARG, NAME, CONSTV)                               \
    void tcg_gen_##NAME##i_##SFX(TV ret, TV a, IMM b)                               \
    {                                                                               \
        if (b == 0) {                                                               \
            tcg_gen_mov_##SFX(ret, a);                                              \
        } else {                                                                    \
            tcg_gen_##NAME##_##SFX(ret, a, CONSTV(b));                              \
        }                                                                           \
    }
#define LDST(SFX, TV, TYPE, ARG, NAME, OPC)                                         \
    void tcg_gen_##NAME##_##SFX(TV v, TCGv_ptr base, intptr_t ofs)                  \
    {                                                                               \
        op3(INDEX_op_##OPC, TYPE, ARG(v), temp_arg(tcgv_ptr_temp(base)), ofs);      \
    }

#define FAMILY(SFX, TV, IMM, TYPE, ARG, CONSTV, BITS)                               \
    void tcg_gen_mov_##SFX(TV ret, TV arg)                                          \
    {                                                                               \
        if (ret != arg) {                                                           \
            op2(INDEX_op_mov, TYPE, ARG(ret), ARG(arg));                            \
        }                                                                           \
    }                                                                               \
    void tcg_gen_movi_##SFX(TV ret, IMM arg)                                        \
    {                                                                               \
        tcg_gen_mov_##SFX(ret, CONSTV(arg));                                        \
    }                                                                               \
    BINOP(SFX, TV, TYPE, ARG, add)                                                  \
    BINOP(SFX, TV, TYPE, ARG, sub)                                                  \
    BINOP(SFX, TV, TYPE, ARG, mul)                                                  \
    BINOP(SFX, TV, TYPE, ARG, div)                                                  \
    BINOP(SFX, TV, TYPE, ARG, divu)                                                 \
    BINOP(SFX, TV, TYPE, ARG, rem)                                                  \
    BINOP(SFX, TV, TYPE, ARG, remu)                                                 \
    BINOP(SFX, TV, TYPE, ARG, and)                                                  \
    BINOP(SFX, TV, TYPE, ARG, or)                                                   \
    BINOP(SFX, TV, TYPE, ARG, xor)                                                  \
    BINOP(SFX, TV, TYPE, ARG, andc)                                                 \
    BINOP(SFX, TV, TYPE, ARG, orc)                                                  \
    BINOP(SFX, TV, TYPE, ARG, eqv)                                                  \
    BINOP(SFX, TV, TYPE, ARG, nand)                                                 \
    BINOP(SFX, TV, TYPE, ARG, nor)                                                  \
    BINOP(SFX, TV, TYPE, ARG, shl)                                                  \
    BINOP(SFX, TV, TYPE, ARG, shr)                                                  \
    BINOP(SFX, TV, TYPE, ARG, sar)                                                  \
    BINOP(SFX, TV, TYPE, ARG, rotl)                                                 \
    BINOP(SFX, TV, TYPE, ARG, rotr)                                                 \
    BINOP(SFX, TV, TYPE, ARG, clz)                                                  \
    BINOP(SFX, TV, TYPE, ARG, ctz)                                                  \
    UNOP(SFX, TV, TYPE, ARG, neg)                                                   \
    UNOP(SFX, TV, TYPE, ARG, not)                                                   \
    UNOP(SFX, TV, TYPE, ARG, ext8s)                                                 \
    UNOP(SFX, TV, TYPE, ARG, ext8u)                                                 \
    UNOP(SFX, TV, TYPE, ARG, ext16s)                                                \
    UNOP(SFX, TV, TYPE, ARG, ext16u)                                                \
    UNOP(SFX, TV, TYPE, ARG, ctpop)                                                 \
    SHIFTI(SFX, TV, IMM, TYPE, ARG, shl, CONSTV)                                    \
    SHIFTI(SFX, TV, IMM, TYPE, ARG, shr, CONSTV)                                    \
    SHIFTI(SFX, TV, IMM, TYPE, ARG, sar, CONSTV)                                    \
    SHIFTI(SFX, TV, IMM, TYPE, ARG, rotl, CONSTV)                                   \
    SHIFTI(SFX, TV, IMM, TYPE, ARG, rotr, CONSTV)                                   \
    void tcg_gen_addi_##SFX(TV ret, TV a, IMM b)                                    \
    {                                                                               \
        if (b == 0) {                                                               \
            tcg_gen_mov_##SFX(ret, a);                                              \
        } else {                                                                    \
            tcg_gen_add_##SFX(ret, a, CONSTV(b));                                   \
        }                                                                           \
    }                                                                               \
    void tcg_gen_subi_##SFX(TV ret, TV a, IMM b)                                    \
    {                                                                               \
        if (b == 0) {                                                               \
            tcg_gen_mov_##SFX(ret, a);                                              \
        } else {                                                                    \
            tcg_gen_sub_##SFX(ret, a, CONSTV(b));                                   \
        }                                                                           \
    }                                                                               \
    void tcg_gen_subfi_##SFX(TV ret, IMM a, TV b)                                   \
    {                                                                               \
        tcg_gen_sub_##SFX(ret, CONSTV(a), b);                                       \
    }                                                                               \
    void tcg_gen_muli_##SFX(TV ret, TV a, IMM b)                                    \
    {                                                                               \
        if (b == 0) {                                                               \
            tcg_gen_movi_##SFX(ret, 0);                                             \
        } else if (b == 1) {                                                        \
            tcg_gen_mov_##SFX(ret, a);                                              \
        } else {                                                                    \
            tcg_gen_mul_##SFX(ret, a, CONSTV(b));                                   \
        }                                                                           \
    }                                                                               \
    void tcg_gen_andi_##SFX(TV ret, TV a, IMM b)                                    \
    {                                                                               \
        if (b == 0) {                                                               \
            tcg_gen_movi_##SFX(ret, 0);                                             \
        } else if (b == -1) {                                                       \
            tcg_gen_mov_##SFX(ret, a);                                              \
        } else {                                                                    \
            tcg_gen_and_##SFX(ret, a, CONSTV(b));                                   \
        }                                                                           \
    }                                                                               \
    void tcg_gen_ori_##SFX(TV ret, TV a, IMM b)                                     \
    {                                                                               \
        if (b == -1) {                                                              \
            tcg_gen_movi_##SFX(ret, -1);                                            \
        } else if (b == 0) {                                                        \
            tcg_gen_mov_##SFX(ret, a);                                              \
        } else {                                                                    \
            tcg_gen_or_##SFX(ret, a, CONSTV(b));                                    \
        }                                                                           \
    }                                                                               \
    void tcg_gen_xori_##SFX(TV ret, TV a, IMM b)                                    \
    {                                                                               \
        if (b == 0) {                                                               \
            tcg_gen_mov_##SFX(ret, a);                                              \
        } else {                                                                    \
            tcg_gen_xor_##SFX(ret, a, CONSTV(b));                                   \
        }                                                                           \
    }                                                                               \
    void tcg_gen_bswap16_##SFX(TV ret, TV a, int flags)                             \
    {                                                                               \
        op3(INDEX_op_bswap16, TYPE, ARG(ret), ARG(a), flags);                       \
    }                                                                               \
    void tcg_gen_bswap32_##SFX(TV ret, TV a, int flags)                             \
    {                                                                               \
        op3(INDEX_op_bswap32, TYPE, ARG(ret), ARG(a), flags);                       \
    }                                                                               \
    void tcg_gen_deposit_##SFX(TV ret, TV base, TV field, unsigned pos,             \
                               unsigned len)                                        \
    {                                                                               \
        g_assert(len >= 1 && pos + len <= BITS);                                    \
        if (len == BITS) {                                                          \
            tcg_gen_mov_##SFX(ret, field);                                          \
            return;                                                                 \
        }                                                                           \
        op5(INDEX_op_deposit, TYPE, ARG(ret), ARG(base), ARG(field), pos, len);     \
    }                                                                               \
    void tcg_gen_extract_##SFX(TV ret, TV a, unsigned pos, unsigned len)            \
    {                                                                               \
        g_assert(len >= 1 && pos + len <= BITS);                                    \
        if (len == BITS) {                                                          \
            tcg_gen_mov_##SFX(ret, a);                                              \
            return;                                                                 \
        }                                                                           \
        op4(INDEX_op_extract, TYPE, ARG(ret), ARG(a), pos, len);                    \
    }                                                                               \
    void tcg_gen_sextract_##SFX(TV ret, TV a, unsigned pos, unsigned len)           \
    {                                                                               \
        g_assert(len >= 1 && pos + len <= BITS);                                    \
        if (len == BITS) {                                                          \
            tcg_gen_mov_##SFX(ret, a);                                              \
            return;                                                                 \
        }                                                                           \
        op4(INDEX_op_sextract, TYPE, ARG(ret), ARG(a), pos, len);                   \
    }                                                                               \
    void tcg_gen_extract2_##SFX(TV ret, TV lo, TV hi, unsigned pos)                 \
    {                                                                               \
        g_assert(pos <= BITS);                                                      \
        if (pos == 0) {                                                             \
            tcg_gen_mov_##SFX(ret, lo);                                             \
        } else if (pos == BITS) {                                                   \
            tcg_gen_mov_##SFX(ret, hi);                                             \
        } else {                                                                    \
            op4(INDEX_op_extract2, TYPE, ARG(ret), ARG(lo), ARG(hi), pos);          \
        }                                                                           \
    }                                                                               \
    void tcg_gen_clzi_##SFX(TV ret, TV a, IMM zero_val)                             \
    {                                                                               \
        tcg_gen_clz_##SFX(ret, a, CONSTV(zero_val));                                \
    }                                                                               \
    void tcg_gen_ctzi_##SFX(TV ret, TV a, IMM zero_val)                             \
    {                                                                               \
        tcg_gen_ctz_##SFX(ret, a, CONSTV(zero_val));                                \
    }                                                                               \
    void tcg_gen_mulu2_##SFX(TV lo, TV hi, TV a, TV b)                              \
    {                                                                               \
        op4(INDEX_op_mulu2, TYPE, ARG(lo), ARG(hi), ARG(a), ARG(b));                \
    }                                                                               \
    void tcg_gen_muls2_##SFX(TV lo, TV hi, TV a, TV b)                              \
    {                                                                               \
        op4(INDEX_op_muls2, TYPE, ARG(lo), ARG(hi), ARG(a), ARG(b));                \
    }                                                                               \
    void tcg_gen_add2_##SFX(TV rl, TV rh, TV al, TV ah, TV bl, TV bh)               \
    {                                                                               \
        op6(INDEX_op_add2, TYPE, ARG(rl), ARG(rh), ARG(al), ARG(ah), ARG(bl),       \
            ARG(bh));                                                               \
    }                                                                               \
    void tcg_gen_sub2_##SFX(TV rl, TV rh, TV al, TV ah, TV bl, TV bh)               \
    {                                                                               \
        op6(INDEX_op_sub2, TYPE, ARG(rl), ARG(rh), ARG(al), ARG(ah), ARG(bl),       \
            ARG(bh));                                                               \
    }                                                                               \
    void tcg_gen_setcond_##SFX(TCGCond cond, TV ret, TV a, TV b)                    \
    {                                                                               \
        if (cond == TCG_COND_ALWAYS || cond == TCG_COND_NEVER) {                    \
            tcg_gen_movi_##SFX(ret, cond == TCG_COND_ALWAYS);                       \
        } else {                                                                    \
            op4(INDEX_op_setcond, TYPE, ARG(ret), ARG(a), ARG(b), cond);            \
        }                                                                           \
    }                                                                               \
    void tcg_gen_setcondi_##SFX(TCGCond cond, TV ret, TV a, IMM b)                  \
    {                                                                               \
        tcg_gen_setcond_##SFX(cond, ret, a, CONSTV(b));                             \
    }                                                                               \
    void tcg_gen_negsetcond_##SFX(TCGCond cond, TV ret, TV a, TV b)                 \
    {                                                                               \
        if (cond == TCG_COND_ALWAYS || cond == TCG_COND_NEVER) {                    \
            tcg_gen_movi_##SFX(ret, cond == TCG_COND_ALWAYS ? -1 : 0);              \
        } else {                                                                    \
            op4(INDEX_op_negsetcond, TYPE, ARG(ret), ARG(a), ARG(b), cond);         \
        }                                                                           \
    }                                                                               \
    void tcg_gen_movcond_##SFX(TCGCond cond, TV ret, TV c1, TV c2, TV v1, TV v2)    \
    {                                                                               \
        if (cond == TCG_COND_ALWAYS) {                                              \
            tcg_gen_mov_##SFX(ret, v1);                                             \
        } else if (cond == TCG_COND_NEVER) {                                        \
            tcg_gen_mov_##SFX(ret, v2);                                             \
        } else {                                                                    \
            op6(INDEX_op_movcond, TYPE, ARG(ret), ARG(c1), ARG(c2), ARG(v1),        \
                ARG(v2), cond);                                                     \
        }                                                                           \
    }                                                                               \
    void tcg_gen_brcond_##SFX(TCGCond cond, TV a, TV b, TCGLabel *l)                \
    {                                                                               \
        if (cond == TCG_COND_ALWAYS) {                                              \
            tcg_gen_br(l);                                                          \
        } else if (cond != TCG_COND_NEVER) {                                        \
            op4(INDEX_op_brcond, TYPE, ARG(a), ARG(b), cond, (uintptr_t)l);         \
        }                                                                           \
    }                                                                               \
    void tcg_gen_brcondi_##SFX(TCGCond cond, TV a, IMM b, TCGLabel *l)              \
    {                                                                               \
        tcg_gen_brcond_##SFX(cond, a, CONSTV(b), l);                                \
    }                                                                               \
    LDST(SFX, TV, TYPE, ARG, ld8u, ld8u)                                            \
    LDST(SFX, TV, TYPE, ARG, ld8s, ld8s)                                            \
    LDST(SFX, TV, TYPE, ARG, ld16u, ld16u)                                          \
    LDST(SFX, TV, TYPE, ARG, ld16s, ld16s)                                          \
    LDST(SFX, TV, TYPE, ARG, ld, ld)                                                \
    LDST(SFX, TV, TYPE, ARG, st8, st8)                                              \
    LDST(SFX, TV, TYPE, ARG, st16, st16)                                            \
    LDST(SFX, TV, TYPE, ARG, st, st)                                                \
    void tcg_gen_qemu_ld_##SFX(TV val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop)  \
    {                                                                               \
        op3(INDEX_op_qemu_ld, TYPE, ARG(val), a64(addr), make_oi(TYPE, mmu_idx, mop)); \
    }                                                                               \
    void tcg_gen_qemu_st_##SFX(TV val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop)  \
    {                                                                               \
        op3(INDEX_op_qemu_st, TYPE, ARG(val), a64(addr), make_oi(TYPE, mmu_idx, mop)); \
    }                                                                               \
    void tcg_gen_discard_##SFX(TV arg)                                              \
    {                                                                               \
        op1(INDEX_op_discard, TYPE, ARG(arg));                                      \
    }

FAMILY(i32, TCGv_i32, int32_t, TCG_TYPE_I32, a32, tcg_constant_i32, 32)
FAMILY(i64, TCGv_i64, int64_t, TCG_TYPE_I64, a64, tcg_constant_i64, 64)

void tcg_gen_ext32s_i64(TCGv_i64 ret, TCGv_i64 a)
{
    op2(INDEX_op_ext32s, TCG_TYPE_I64, a64(ret), a64(a));
}

void tcg_gen_ext32u_i64(TCGv_i64 ret, TCGv_i64 a)
{
    op2(INDEX_op_ext32u, TCG_TYPE_I64, a64(ret), a64(a));
}

void tcg_gen_bswap64_i64(TCGv_i64 ret, TCGv_i64 a, int flags)
{
    op3(INDEX_op_bswap64, TCG_TYPE_I64, a64(ret), a64(a), flags);
}

LDST(i64, TCGv_i64, TCG_TYPE_I64, a64, ld32u, ld32u)
LDST(i64, TCGv_i64, TCG_TYPE_I64, a64, ld32s, ld32s)
LDST(i64, TCGv_i64, TCG_TYPE_I64, a64, st32, st32)

void tcg_gen_extu_i32_i64(TCGv_i64 ret, TCGv_i32 a)
{
    op2(INDEX_op_extu_i32_i64, TCG_TYPE_I64, a64(ret), a32(a));
}

void tcg_gen_ext_i32_i64(TCGv_i64 ret, TCGv_i32 a)
{
    op2(INDEX_op_ext_i32_i64, TCG_TYPE_I64, a64(ret), a32(a));
}

void tcg_gen_extrl_i64_i32(TCGv_i32 ret, TCGv_i64 a)
{
    op2(INDEX_op_extrl_i64_i32, TCG_TYPE_I32, a32(ret), a64(a));
}

void tcg_gen_extrh_i64_i32(TCGv_i32 ret, TCGv_i64 a)
{
    op2(INDEX_op_extrh_i64_i32, TCG_TYPE_I32, a32(ret), a64(a));
}

void tcg_gen_concat_i32_i64(TCGv_i64 ret, TCGv_i32 lo, TCGv_i32 hi)
{
    TCGv_i64 t = tcg_temp_ebb_new_i64();
    tcg_gen_extu_i32_i64(t, hi);
    tcg_gen_extu_i32_i64(ret, lo);
    tcg_gen_deposit_i64(ret, ret, t, 32, 32);
    tcg_temp_free_i64(t);
}

void tcg_gen_mov_ptr(TCGv_ptr ret, TCGv_ptr a)
{
    tcg_gen_mov_i64(tcgv_ptr_as_i64(ret), tcgv_ptr_as_i64(a));
}

void tcg_gen_movi_ptr(TCGv_ptr ret, intptr_t a)
{
    tcg_gen_movi_i64(tcgv_ptr_as_i64(ret), a);
}

void tcg_gen_addi_ptr(TCGv_ptr ret, TCGv_ptr a, intptr_t b)
{
    tcg_gen_addi_i64(tcgv_ptr_as_i64(ret), tcgv_ptr_as_i64(a), b);
}

void tcg_gen_add_ptr(TCGv_ptr ret, TCGv_ptr a, TCGv_ptr b)
{
    tcg_gen_add_i64(tcgv_ptr_as_i64(ret), tcgv_ptr_as_i64(a), tcgv_ptr_as_i64(b));
}

void tcg_gen_ld_ptr(TCGv_ptr ret, TCGv_ptr base, intptr_t ofs)
{
    tcg_gen_ld_i64(tcgv_ptr_as_i64(ret), base, ofs);
}

void tcg_gen_st_ptr(TCGv_ptr val, TCGv_ptr base, intptr_t ofs)
{
    tcg_gen_st_i64(tcgv_ptr_as_i64(val), base, ofs);
}

void tcg_gen_ext_i32_ptr(TCGv_ptr ret, TCGv_i32 a)
{
    tcg_gen_ext_i32_i64(tcgv_ptr_as_i64(ret), a);
}

void tcg_gen_extu_i32_ptr(TCGv_ptr ret, TCGv_i32 a)
{
    tcg_gen_extu_i32_i64(tcgv_ptr_as_i64(ret), a);
}

void gen_set_label(TCGLabel *l)
{
    l->present = true;
    op1(INDEX_op_set_label, TCG_TYPE_I64, (uintptr_t)l);
}

void tcg_gen_br(TCGLabel *l)
{
    op1(INDEX_op_br, TCG_TYPE_I64, (uintptr_t)l);
}

void tcg_gen_insn_start(uint64_t pc, uint64_t w1, uint64_t w2)
{
    op3(INDEX_op_insn_start, TCG_TYPE_I64, pc, w1, w2);
}

void tcg_gen_goto_tb(unsigned n)
{
    g_assert(n < 2);
    op1(INDEX_op_goto_tb, TCG_TYPE_I64, n);
}

void tcg_gen_exit_tb(const void *tb, unsigned idx)
{
    g_assert(((uintptr_t)tb & TB_EXIT_MASK) == 0 && idx <= TB_EXIT_MASK);
    op1(INDEX_op_exit_tb, TCG_TYPE_I64, (uintptr_t)tb | idx);
}

void tcg_gen_goto_ptr(TCGv_ptr ptr)
{
    op1(INDEX_op_goto_ptr, TCG_TYPE_I64, temp_arg(tcgv_ptr_temp(ptr)));
}

void tcg_gen_lookup_and_goto_ptr(void)
{
    /*
     * Reads the guest pc from env: globals must be in memory, none is written.
     * The accel's hook is called directly rather than through
     * helper_lookup_tb_ptr (one call and one indirect jump less on every
     * indirect guest jump); code keeps the hook set when it was generated.
     */
    static const TCGHelperInfo info = {
        .func = (void (*)(void))helper_lookup_tb_ptr, .name = "lookup_tb_ptr",
        .flags = TCG_CALL_NO_WG_SE, .nargs = 1, .ret = TCG_HT_PTR,
        .args = { TCG_HT_PTR },
    };
    static TCGHelperInfo direct = {
        .name = "lookup_tb_ptr",
        .flags = TCG_CALL_NO_WG_SE, .nargs = 1, .ret = TCG_HT_PTR,
        .args = { TCG_HT_PTR },
    };
    const TCGHelperInfo *use = &info;
    TCGLookupTBFn fn = tcg_get_lookup_tb_ptr();
    if (fn) {
        if (direct.func != (void (*)(void))fn) {
            direct.func = (void (*)(void))fn;
        }
        use = &direct;
    }
    TCGv_ptr ptr = tcg_temp_ebb_new_ptr();
    TCGTemp *args[1] = { tcgv_ptr_temp(tcg_env) };
    tcg_gen_callN(use, tcgv_ptr_temp(ptr), args);
    tcg_gen_goto_ptr(ptr);
    tcg_temp_free_ptr(ptr);
}

void tcg_gen_mb(TCGBar kind)
{
    op1(INDEX_op_mb, TCG_TYPE_I64, kind);
}
