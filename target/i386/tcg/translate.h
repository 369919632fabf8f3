/*
 * The x86 translator's shared state: X86Insn (from the decoder) -> TCG IR.
 * translate.c: the TB loop, operands, addresses, lazy flags, TB exits;
 * translate-alu.c: integer ALU/shift/mul/div/bit instructions;
 * translate-ctl.c: stack, branches, strings, flags and system instructions.
 */
#ifndef TARGET_I386_TCG_TRANSLATE_H
#define TARGET_I386_TCG_TRANSLATE_H

#include "target/i386/cpu.h"
#include "target/i386/decode.h"
#include "target/i386/tcg/tcg-internal.h"
#include "tcg/tcg-op.h"

enum {
    DISAS_NEXT,       /* keep translating */
    DISAS_NORETURN,   /* the TB has been left (exception, jump emitted) */
    DISAS_EOB_NEXT,   /* state changed: store rip = next and return to the loop */
    DISAS_TOO_MANY,   /* stop here: chain to the next instruction */
};

typedef struct DisasContext {
    CPUState *cs;
    TranslationBlock *tb;
    X86CodeFetchFn fetch;       /* NULL: translator_ldub */
    void *fetch_opaque;
    uint64_t cs_base;
    uint64_t pc;                /* EIP/RIP of the instruction being translated */
    uint64_t pc_next;           /* of the next one */
    uint64_t pc_first;          /* of the TB's first instruction */
    uint64_t page_first;        /* linear page of the TB's first byte */
    bool first_insn;
    bool page_stop;             /* a fetch wanted a byte past the first page */
    uint32_t flags;             /* HF_* of the TB */
    uint32_t mode;              /* X86_MODE_* for the decoder */
    uint64_t features;
    int cpl;
    bool code64;
    bool addseg;
    int mem_idx;
    int cc_op;                  /* CCOp known at this point, or CC_OP_DYNAMIC */
    bool cc_op_dirty;           /* cpu_cc_op does not hold cc_op yet */
    int is_jmp;
    const X86Insn *insn;
    TCGv_i64 A0;                /* linear address of the memory operand */
    bool a0_valid;
    /* 64-bit mode: the temp gen_linear() last left an SS-relative address in; its
     * accesses use the X86_MMU_STACK index (#SS for a non-canonical address). */
    TCGv_i64 ss_addr;
    bool tf_defer;              /* MOV/POP SS: the single-step trap waits one insn */
} DisasContext;

extern TCGv_i64 cpu_regs[CPU_NB_REGS];
extern TCGv_i64 cpu_cc_dst, cpu_cc_src, cpu_cc_src2;
extern TCGv_i32 cpu_cc_op;

/* translate.c */
void gen_update_cc_op(DisasContext *s);
void gen_set_cc_op(DisasContext *s, int op);
void gen_ext_size(unsigned size, TCGv_i64 dst, TCGv_i64 src, bool sign);
void gen_read_reg(unsigned size, TCGv_i64 dst, int reg, bool high8);
void gen_write_reg(unsigned size, int reg, bool high8, TCGv_i64 val);
void gen_lea_op(DisasContext *s, const X86Operand *op, TCGv_i64 ea);
void gen_linear(DisasContext *s, int seg, TCGv_i64 addr, unsigned addr_size);
void gen_compute_a0(DisasContext *s, const X86Operand *op);
void gen_load_op(DisasContext *s, const X86Operand *op, TCGv_i64 dst, bool sign);
void gen_store_op(DisasContext *s, const X86Operand *op, TCGv_i64 val);
void gen_qemu_ld(DisasContext *s, TCGv_i64 val, TCGv_i64 addr, unsigned size, bool sign);
void gen_qemu_st(DisasContext *s, TCGv_i64 val, TCGv_i64 addr, unsigned size);
/* MMU index for an access at @addr (the SS marker, see ss_addr) and the MemOp
 * bits every data access adds (MO_ALIGN when alignment checking is on). */
int gen_mem_idx(DisasContext *s, TCGv_i64 addr);
MemOp gen_mem_align(DisasContext *s);
void gen_compute_eflags(DisasContext *s, TCGv_i64 flags);
void gen_materialize_flags(DisasContext *s);
void gen_compute_cf(DisasContext *s, TCGv_i64 cf);
void gen_setcc(DisasContext *s, int cc, TCGv_i64 out);
void gen_exception(DisasContext *s, int vector);
void gen_unimp(DisasContext *s, const char *why);
void gen_jmp_rip(DisasContext *s, uint64_t eip, int slot);
void gen_jmp_dyn(DisasContext *s, TCGv_i64 eip);
void gen_store_rip(DisasContext *s, uint64_t eip);
void gen_eob(DisasContext *s);
void gen_eob_after_helper(DisasContext *s, bool recheck_tf);

static inline unsigned size_log2(unsigned bytes)
{
    return bytes == 1 ? MO_8 : bytes == 2 ? MO_16 : bytes == 4 ? MO_32 : MO_64;
}

/* translate-ctl.c: string-instruction pieces (also used by INS/OUTS in translate-sys.c). */
void gen_string_addr(DisasContext *s, const X86Operand *o, TCGv_i64 addr);
void gen_string_delta(TCGv_i64 delta, unsigned size);
void gen_index_step(DisasContext *s, int reg, TCGv_i64 delta, unsigned addr_size);

/* translate-alu.c / translate-ctl.c: true if the opcode was handled. */
bool disas_alu(DisasContext *s, const X86Insn *insn);
bool disas_ctl(DisasContext *s, const X86Insn *insn);
bool disas_seg(DisasContext *s, const X86Insn *insn);   /* translate-seg.c */
bool disas_sys(DisasContext *s, const X86Insn *insn);   /* translate-sys.c */
bool disas_ext(DisasContext *s, const X86Insn *insn);   /* translate-ext.c */
bool disas_x87(DisasContext *s, const X86Insn *insn);   /* translate-x87.c */
bool disas_sse(DisasContext *s, const X86Insn *insn);   /* translate-sse.c */


#endif
