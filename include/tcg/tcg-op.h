/*
 * The op builder: what a front end calls to emit TCG IR into the current context
 * (tcg_ctx). Every function exists for i32 and i64 (suffix _i32/_i64, handle types
 * TCGv_i32/TCGv_i64); the `i` variants take an immediate. Semantics of each op are in
 * docs/devel/tcg.md ("Op reference"); the points a front end must know:
 *
 *  - Shift and rotate counts are masked to width-1 (x86 semantics); a front end that
 *    needs "shift by >= width gives 0" must test the count itself.
 *  - div/rem with a zero divisor, or INT_MIN / -1 for signed ops, are undefined (the
 *    native backend uses IDIV and the host would trap): the front end checks first.
 *  - clz/ctz take the result for a zero input as their second operand.
 *  - deposit/extract need 0 <= pos, 1 <= len, pos + len <= width.
 *  - bswap results are zero-extended unless TCG_BSWAP_OS is given.
 */
#ifndef TCG_TCG_OP_H
#define TCG_TCG_OP_H

#include "tcg/tcg.h"

#define TCG_OP_DECLS(SFX, TV, IMM)                                                  \
    void tcg_gen_mov_##SFX(TV ret, TV arg);                                         \
    void tcg_gen_movi_##SFX(TV ret, IMM arg);                                       \
    void tcg_gen_add_##SFX(TV ret, TV a, TV b);                                     \
    void tcg_gen_addi_##SFX(TV ret, TV a, IMM b);                                   \
    void tcg_gen_sub_##SFX(TV ret, TV a, TV b);                                     \
    void tcg_gen_subi_##SFX(TV ret, TV a, IMM b);                                   \
    void tcg_gen_subfi_##SFX(TV ret, IMM a, TV b);                                  \
    void tcg_gen_mul_##SFX(TV ret, TV a, TV b);                                     \
    void tcg_gen_muli_##SFX(TV ret, TV a, IMM b);                                   \
    void tcg_gen_div_##SFX(TV ret, TV a, TV b);                                     \
    void tcg_gen_divu_##SFX(TV ret, TV a, TV b);                                    \
    void tcg_gen_rem_##SFX(TV ret, TV a, TV b);                                     \
    void tcg_gen_remu_##SFX(TV ret, TV a, TV b);                                    \
    void tcg_gen_neg_##SFX(TV ret, TV a);                                           \
    void tcg_gen_not_##SFX(TV ret, TV a);                                           \
    void tcg_gen_and_##SFX(TV ret, TV a, TV b);                                     \
    void tcg_gen_andi_##SFX(TV ret, TV a, IMM b);                                   \
    void tcg_gen_or_##SFX(TV ret, TV a, TV b);                                      \
    void tcg_gen_ori_##SFX(TV ret, TV a, IMM b);                                    \
    void tcg_gen_xor_##SFX(TV ret, TV a, TV b);                                     \
    void tcg_gen_xori_##SFX(TV ret, TV a, IMM b);                                   \
    void tcg_gen_andc_##SFX(TV ret, TV a, TV b);                                    \
    void tcg_gen_orc_##SFX(TV ret, TV a, TV b);                                     \
    void tcg_gen_eqv_##SFX(TV ret, TV a, TV b);                                     \
    void tcg_gen_nand_##SFX(TV ret, TV a, TV b);                                    \
    void tcg_gen_nor_##SFX(TV ret, TV a, TV b);                                     \
    void tcg_gen_shl_##SFX(TV ret, TV a, TV b);                                     \
    void tcg_gen_shli_##SFX(TV ret, TV a, IMM b);                                   \
    void tcg_gen_shr_##SFX(TV ret, TV a, TV b);                                     \
    void tcg_gen_shri_##SFX(TV ret, TV a, IMM b);                                   \
    void tcg_gen_sar_##SFX(TV ret, TV a, TV b);                                     \
    void tcg_gen_sari_##SFX(TV ret, TV a, IMM b);                                   \
    void tcg_gen_rotl_##SFX(TV ret, TV a, TV b);                                    \
    void tcg_gen_rotli_##SFX(TV ret, TV a, IMM b);                                  \
    void tcg_gen_rotr_##SFX(TV ret, TV a, TV b);                                    \
    void tcg_gen_rotri_##SFX(TV ret, TV a, IMM b);                                  \
    void tcg_gen_ext8s_##SFX(TV ret, TV a);                                         \
    void tcg_gen_ext8u_##SFX(TV ret, TV a);                                         \
    void tcg_gen_ext16s_##SFX(TV ret, TV a);                                        \
    void tcg_gen_ext16u_##SFX(TV ret, TV a);                                        \
    void tcg_gen_bswap16_##SFX(TV ret, TV a, int flags);                            \
    void tcg_gen_bswap32_##SFX(TV ret, TV a, int flags);                            \
    void tcg_gen_deposit_##SFX(TV ret, TV base, TV field, unsigned pos,             \
                               unsigned len);                                      \
    void tcg_gen_extract_##SFX(TV ret, TV a, unsigned pos, unsigned len);           \
    void tcg_gen_sextract_##SFX(TV ret, TV a, unsigned pos, unsigned len);          \
    void tcg_gen_extract2_##SFX(TV ret, TV lo, TV hi, unsigned pos);                \
    void tcg_gen_clz_##SFX(TV ret, TV a, TV zero_val);                              \
    void tcg_gen_clzi_##SFX(TV ret, TV a, IMM zero_val);                            \
    void tcg_gen_ctz_##SFX(TV ret, TV a, TV zero_val);                              \
    void tcg_gen_ctzi_##SFX(TV ret, TV a, IMM zero_val);                            \
    void tcg_gen_ctpop_##SFX(TV ret, TV a);                                         \
    void tcg_gen_mulu2_##SFX(TV lo, TV hi, TV a, TV b);                             \
    void tcg_gen_muls2_##SFX(TV lo, TV hi, TV a, TV b);                             \
    void tcg_gen_add2_##SFX(TV rl, TV rh, TV al, TV ah, TV bl, TV bh);              \
    void tcg_gen_sub2_##SFX(TV rl, TV rh, TV al, TV ah, TV bl, TV bh);              \
    void tcg_gen_setcond_##SFX(TCGCond cond, TV ret, TV a, TV b);                   \
    void tcg_gen_setcondi_##SFX(TCGCond cond, TV ret, TV a, IMM b);                 \
    void tcg_gen_negsetcond_##SFX(TCGCond cond, TV ret, TV a, TV b);                \
    void tcg_gen_movcond_##SFX(TCGCond cond, TV ret, TV c1, TV c2, TV v1, TV v2);   \
    void tcg_gen_brcond_##SFX(TCGCond cond, TV a, TV b, TCGLabel *l);               \
    void tcg_gen_brcondi_##SFX(TCGCond cond, TV a, IMM b, TCGLabel *l);             \
    void tcg_gen_ld8u_##SFX(TV ret, TCGv_ptr base, intptr_t ofs);                   \
    void tcg_gen_ld8s_##SFX(TV ret, TCGv_ptr base, intptr_t ofs);                   \
    void tcg_gen_ld16u_##SFX(TV ret, TCGv_ptr base, intptr_t ofs);                  \
    void tcg_gen_ld16s_##SFX(TV ret, TCGv_ptr base, intptr_t ofs);                  \
    void tcg_gen_ld_##SFX(TV ret, TCGv_ptr base, intptr_t ofs);                     \
    void tcg_gen_st8_##SFX(TV val, TCGv_ptr base, intptr_t ofs);                    \
    void tcg_gen_st16_##SFX(TV val, TCGv_ptr base, intptr_t ofs);                   \
    void tcg_gen_st_##SFX(TV val, TCGv_ptr base, intptr_t ofs);                     \
    void tcg_gen_qemu_ld_##SFX(TV val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop); \
    void tcg_gen_qemu_st_##SFX(TV val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop); \
    void tcg_gen_discard_##SFX(TV arg);

TCG_OP_DECLS(i32, TCGv_i32, int32_t)
TCG_OP_DECLS(i64, TCGv_i64, int64_t)
#undef TCG_OP_DECLS

/* i64 only */
void tcg_gen_ext32s_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_ext32u_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_bswap64_i64(TCGv_i64 ret, TCGv_i64 a, int flags);
void tcg_gen_ld32u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld32s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st32_i64(TCGv_i64 val, TCGv_ptr base, intptr_t ofs);

/* Conversions between i32 and i64 */
void tcg_gen_extu_i32_i64(TCGv_i64 ret, TCGv_i32 a);
void tcg_gen_ext_i32_i64(TCGv_i64 ret, TCGv_i32 a);
void tcg_gen_extrl_i64_i32(TCGv_i32 ret, TCGv_i64 a);
void tcg_gen_extrh_i64_i32(TCGv_i32 ret, TCGv_i64 a);
/* lo | (hi << 32) */
void tcg_gen_concat_i32_i64(TCGv_i64 ret, TCGv_i32 lo, TCGv_i32 hi);

/* Pointers (host addresses; i64 on the supported hosts) */
void tcg_gen_mov_ptr(TCGv_ptr ret, TCGv_ptr a);
void tcg_gen_movi_ptr(TCGv_ptr ret, intptr_t a);
void tcg_gen_addi_ptr(TCGv_ptr ret, TCGv_ptr a, intptr_t b);
void tcg_gen_add_ptr(TCGv_ptr ret, TCGv_ptr a, TCGv_ptr b);
void tcg_gen_ld_ptr(TCGv_ptr ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st_ptr(TCGv_ptr val, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ext_i32_ptr(TCGv_ptr ret, TCGv_i32 a);
void tcg_gen_extu_i32_ptr(TCGv_ptr ret, TCGv_i32 a);
static inline TCGv_i64 tcgv_ptr_as_i64(TCGv_ptr p)
{
    return (TCGv_i64)p;
}
static inline TCGv_ptr tcgv_i64_as_ptr(TCGv_i64 p)
{
    return (TCGv_ptr)p;
}

/* Control flow */
void gen_set_label(TCGLabel *l);
void tcg_gen_br(TCGLabel *l);

/*
 * Record the start of a guest instruction: up to 3 words (pc first) that
 * tcg_restore_state_from_host_pc() returns for a host pc inside its code. Words past
 * the context's insn_start_words are ignored.
 */
void tcg_gen_insn_start(uint64_t pc, uint64_t w1, uint64_t w2);

/*
 * Chaining protocol (docs/devel/tcg.md "Leaving a TB"):
 *   tcg_gen_goto_tb(n);            n = 0 or 1; a direct jump the accel may patch
 *   tcg_gen_exit_tb(tb, n);        reached while unchained: returns tb | n
 * tcg_gen_exit_tb(NULL, 0) returns 0: "look the next TB up".
 * tb must be 4-byte aligned; idx is 0..3 (TB_EXIT_*).
 */
void tcg_gen_goto_tb(unsigned n);
void tcg_gen_exit_tb(const void *tb, unsigned idx);
/* Jump to host code at ptr (a tc_ptr); NULL returns 0 from tcg_tb_exec. */
void tcg_gen_goto_ptr(TCGv_ptr ptr);
/* Call the accel's lookup hook (tcg_set_lookup_tb_ptr) and goto_ptr its result. */
void tcg_gen_lookup_and_goto_ptr(void);

void tcg_gen_mb(TCGBar kind);

#endif
