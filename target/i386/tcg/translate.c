/*
 * x86 translator core: the translation-block loop (fetch through the code
 * TLB, decode, insn_start, generate), operands and effective addresses,
 * lazy flags and the ways out of a TB. Instruction semantics are in
 * translate-alu.c and translate-ctl.c; docs/devel/x86-translator.md.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "target/i386/tcg/translate.h"
#include "target/i386/tcg/helper.h"
#include "accel/tcg/translator.h"

TCGv_i64 cpu_regs[CPU_NB_REGS];
TCGv_i64 cpu_cc_dst, cpu_cc_src, cpu_cc_src2;
TCGv_i32 cpu_cc_op;

void x86_tcg_initialize(void)
{
    static const char *const names[CPU_NB_REGS] = {
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    };
    for (int i = 0; i < CPU_NB_REGS; i++) {
        cpu_regs[i] = tcg_global_mem_new_i64(tcg_env, offsetof(CPUX86State, regs[i]),
                                             names[i]);
    }
    cpu_cc_dst = tcg_global_mem_new_i64(tcg_env, offsetof(CPUX86State, cc_dst), "cc_dst");
    cpu_cc_src = tcg_global_mem_new_i64(tcg_env, offsetof(CPUX86State, cc_src), "cc_src");
    cpu_cc_src2 = tcg_global_mem_new_i64(tcg_env, offsetof(CPUX86State, cc_src2),
                                         "cc_src2");
    cpu_cc_op = tcg_global_mem_new_i32(tcg_env, offsetof(CPUX86State, cc_op), "cc_op");
}

/* ---- lazy flags ---- */

void gen_update_cc_op(DisasContext *s)
{
    if (s->cc_op_dirty) {
        tcg_gen_movi_i32(cpu_cc_op, s->cc_op);
        s->cc_op_dirty = false;
    }
}

void gen_set_cc_op(DisasContext *s, int op)
{
    if (op == CC_OP_DYNAMIC) {
        /* The code just wrote cpu_cc_op itself. */
        s->cc_op = op;
        s->cc_op_dirty = false;
    } else if (s->cc_op != op) {
        s->cc_op = op;
        s->cc_op_dirty = true;
    }
}

static void gen_load_rflags(TCGv_i64 dst)
{
    tcg_gen_ld_i64(dst, tcg_env, offsetof(CPUX86State, rflags));
}

/* flags = the RFLAGS_ARITH bits now. */
void gen_compute_eflags(DisasContext *s, TCGv_i64 flags)
{
    TCGv_i64 rfl = tcg_temp_ebb_new_i64();
    gen_load_rflags(rfl);
    if (s->cc_op == CC_OP_EFLAGS) {
        tcg_gen_andi_i64(flags, rfl, RFLAGS_ARITH);
    } else {
        TCGv_i32 op = s->cc_op == CC_OP_DYNAMIC ? cpu_cc_op : tcg_constant_i32(s->cc_op);
        gen_helper_cc_compute_all(flags, op, cpu_cc_dst, cpu_cc_src, cpu_cc_src2, rfl);
    }
    tcg_temp_free_i64(rfl);
}

/* Write the arithmetic flags into env->rflags and switch to CC_OP_EFLAGS. */
void gen_materialize_flags(DisasContext *s)
{
    if (s->cc_op == CC_OP_EFLAGS) {
        return;
    }
    TCGv_i64 f = tcg_temp_ebb_new_i64(), rfl = tcg_temp_ebb_new_i64();
    gen_compute_eflags(s, f);
    gen_load_rflags(rfl);
    tcg_gen_andi_i64(rfl, rfl, ~(int64_t)RFLAGS_ARITH);
    tcg_gen_or_i64(rfl, rfl, f);
    tcg_gen_st_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    tcg_temp_free_i64(f);
    tcg_temp_free_i64(rfl);
    gen_set_cc_op(s, CC_OP_EFLAGS);
}

void gen_ext_size(unsigned size, TCGv_i64 dst, TCGv_i64 src, bool sign)
{
    switch (size) {
    case MO_8:
        sign ? tcg_gen_ext8s_i64(dst, src) : tcg_gen_ext8u_i64(dst, src);
        break;
    case MO_16:
        sign ? tcg_gen_ext16s_i64(dst, src) : tcg_gen_ext16u_i64(dst, src);
        break;
    case MO_32:
        sign ? tcg_gen_ext32s_i64(dst, src) : tcg_gen_ext32u_i64(dst, src);
        break;
    default:
        tcg_gen_mov_i64(dst, src);
        break;
    }
}

void gen_compute_cf(DisasContext *s, TCGv_i64 cf)
{
    int op = s->cc_op;
    unsigned size = CC_OP_SIZE(op);

    if (op != CC_OP_DYNAMIC && op != CC_OP_EFLAGS) {
        switch (CC_OP_KIND(op)) {
        case CC_OP_ADDB:
            tcg_gen_setcond_i64(TCG_COND_LTU, cf, cpu_cc_dst, cpu_cc_src);
            return;
        case CC_OP_SUBB: {
            TCGv_i64 t = tcg_temp_ebb_new_i64();
            tcg_gen_add_i64(t, cpu_cc_dst, cpu_cc_src);
            gen_ext_size(size, t, t, false);
            tcg_gen_setcond_i64(TCG_COND_LTU, cf, t, cpu_cc_src);
            tcg_temp_free_i64(t);
            return;
        }
        case CC_OP_LOGICB:
        case CC_OP_POPCNTB:
            tcg_gen_movi_i64(cf, 0);
            return;
        case CC_OP_INCB:
        case CC_OP_DECB:
            tcg_gen_andi_i64(cf, cpu_cc_src, 1);
            return;
        case CC_OP_SARB:
            tcg_gen_andi_i64(cf, cpu_cc_src, 1);
            return;
        case CC_OP_MULB:
            tcg_gen_setcondi_i64(TCG_COND_NE, cf, cpu_cc_src, 0);
            return;
        default:
            break;
        }
    }
    gen_compute_eflags(s, cf);
    tcg_gen_andi_i64(cf, cf, RFLAGS_CF);
}

/*
 * out = 1 if condition @cc (SDM B.1.4.7: O NO B AE E NE BE A S NS P NP L GE
 * LE G) holds, else 0. The frequent compare/test cases are computed from the
 * lazy operands; everything else through the flags.
 */
void gen_setcc(DisasContext *s, int cc, TCGv_i64 out)
{
    int op = s->cc_op;
    bool inv = cc & 1;
    int base = cc >> 1;

    if (op != CC_OP_DYNAMIC && op != CC_OP_EFLAGS) {
        unsigned size = CC_OP_SIZE(op);
        int kind = CC_OP_KIND(op);
        TCGCond cond = TCG_COND_NEVER;
        TCGv_i64 a = tcg_temp_ebb_new_i64(), b = NULL;

        if (kind == CC_OP_SUBB && base != 0 && base != 5) {
            /* cmp: src1 = dst + src, compared with src. */
            tcg_gen_add_i64(a, cpu_cc_dst, cpu_cc_src);
            switch (base) {
            case 1: cond = TCG_COND_LTU; gen_ext_size(size, a, a, false); b = cpu_cc_src; break;
            case 3: cond = TCG_COND_LEU; gen_ext_size(size, a, a, false); b = cpu_cc_src; break;
            case 6:
            case 7:
                cond = base == 6 ? TCG_COND_LT : TCG_COND_LE;
                b = tcg_temp_ebb_new_i64();
                gen_ext_size(size, a, a, true);
                gen_ext_size(size, b, cpu_cc_src, true);
                break;
            case 2: cond = TCG_COND_EQ; tcg_gen_mov_i64(a, cpu_cc_dst); break;
            case 4: cond = TCG_COND_LT; gen_ext_size(size, a, cpu_cc_dst, true); break;
            }
            if (b) {
                tcg_gen_setcond_i64(inv ? tcg_invert_cond(cond) : cond, out, a, b);
                if (b != cpu_cc_src) {
                    tcg_temp_free_i64(b);
                }
            } else {
                tcg_gen_setcondi_i64(inv ? tcg_invert_cond(cond) : cond, out, a, 0);
            }
            tcg_temp_free_i64(a);
            return;
        }
        if (kind == CC_OP_LOGICB && base != 5) {
            /* test/and/or/xor: CF = OF = 0. */
            switch (base) {
            case 0: case 1: tcg_gen_movi_i64(out, inv); tcg_temp_free_i64(a); return;
            case 2: case 3: cond = TCG_COND_EQ; tcg_gen_mov_i64(a, cpu_cc_dst); break;
            case 4: case 6: cond = TCG_COND_LT; gen_ext_size(size, a, cpu_cc_dst, true); break;
            case 7: cond = TCG_COND_LE; gen_ext_size(size, a, cpu_cc_dst, true); break;
            }
            tcg_gen_setcondi_i64(inv ? tcg_invert_cond(cond) : cond, out, a, 0);
            tcg_temp_free_i64(a);
            return;
        }
        if (base == 2 && kind != CC_OP_POPCNTB) {
            /* ZF = (dst == 0) for every other kind (cc_dst is zero-extended). */
            tcg_gen_setcondi_i64(inv ? TCG_COND_NE : TCG_COND_EQ, out, cpu_cc_dst, 0);
            tcg_temp_free_i64(a);
            return;
        }
        if (base == 4 && kind != CC_OP_POPCNTB && kind != CC_OP_TZCNTB) {
            gen_ext_size(size, a, cpu_cc_dst, true);
            tcg_gen_setcondi_i64(inv ? TCG_COND_GE : TCG_COND_LT, out, a, 0);
            tcg_temp_free_i64(a);
            return;
        }
        if (base == 1) {
            gen_compute_cf(s, out);
            if (inv) {
                tcg_gen_xori_i64(out, out, 1);
            }
            tcg_temp_free_i64(a);
            return;
        }
        tcg_temp_free_i64(a);
    }

    TCGv_i64 f = tcg_temp_ebb_new_i64();
    gen_compute_eflags(s, f);
    switch (base) {
    case 0: tcg_gen_extract_i64(out, f, 11, 1); break;
    case 1: tcg_gen_andi_i64(out, f, 1); break;
    case 2: tcg_gen_extract_i64(out, f, 6, 1); break;
    case 3: tcg_gen_setcondi_i64(TCG_COND_TSTNE, out, f, RFLAGS_CF | RFLAGS_ZF); break;
    case 4: tcg_gen_extract_i64(out, f, 7, 1); break;
    case 5: tcg_gen_extract_i64(out, f, 2, 1); break;
    case 6:
    case 7: {
        /* SF != OF (| ZF): bit 7 of f ^ (f >> 4) is SF ^ OF. */
        TCGv_i64 t = tcg_temp_ebb_new_i64();
        tcg_gen_shri_i64(t, f, 4);
        tcg_gen_xor_i64(t, t, f);
        if (base == 7) {
            tcg_gen_andi_i64(t, t, RFLAGS_SF);
            tcg_gen_andi_i64(f, f, RFLAGS_ZF);
            tcg_gen_or_i64(t, t, f);
            tcg_gen_setcondi_i64(TCG_COND_NE, out, t, 0);
        } else {
            tcg_gen_extract_i64(out, t, 7, 1);
        }
        tcg_temp_free_i64(t);
        break;
    }
    }
    if (inv) {
        tcg_gen_xori_i64(out, out, 1);
    }
    tcg_temp_free_i64(f);
}

/* ---- registers and memory ---- */

void gen_read_reg(unsigned size, TCGv_i64 dst, int reg, bool high8)
{
    if (size == MO_8 && high8) {
        tcg_gen_extract_i64(dst, cpu_regs[reg], 8, 8);
    } else {
        gen_ext_size(size, dst, cpu_regs[reg], false);
    }
}

/* SDM vol. 1 §3.4.1.1: 32-bit results zero-extend; 8/16-bit ones merge. */
void gen_write_reg(unsigned size, int reg, bool high8, TCGv_i64 val)
{
    switch (size) {
    case MO_8:
        tcg_gen_deposit_i64(cpu_regs[reg], cpu_regs[reg], val, high8 ? 8 : 0, 8);
        break;
    case MO_16:
        tcg_gen_deposit_i64(cpu_regs[reg], cpu_regs[reg], val, 0, 16);
        break;
    case MO_32:
        tcg_gen_ext32u_i64(cpu_regs[reg], val);
        break;
    default:
        tcg_gen_mov_i64(cpu_regs[reg], val);
        break;
    }
}

/* Effective address (offset within the segment), wrapped to the address size. */
void gen_lea_op(DisasContext *s, const X86Operand *op, TCGv_i64 ea)
{
    if (op->base == X86_REG_RIP) {
        tcg_gen_movi_i64(ea, x86_rip_relative_ea(s->insn, op));
        return;
    }
    if (op->base >= 0) {
        tcg_gen_addi_i64(ea, cpu_regs[op->base], op->disp);
    } else {
        tcg_gen_movi_i64(ea, op->disp);
    }
    if (op->index >= 0) {
        TCGv_i64 t = tcg_temp_ebb_new_i64();
        tcg_gen_shli_i64(t, cpu_regs[op->index], __builtin_ctz(op->scale));
        tcg_gen_add_i64(ea, ea, t);
        tcg_temp_free_i64(t);
    }
    if (op->addr_size == 4) {
        tcg_gen_ext32u_i64(ea, ea);
    } else if (op->addr_size == 2) {
        tcg_gen_ext16u_i64(ea, ea);
    }
}

/*
 * Offset -> linear address (SDM vol. 3 §3.4.4: in 64-bit mode only FS and GS
 * have a base; outside it every segment does, and linear addresses wrap at
 * 4 GiB). Limit checks are not done yet.
 */
void gen_linear(DisasContext *s, int seg, TCGv_i64 addr, unsigned addr_size)
{
    bool add = seg == X86_SEG_FS || seg == X86_SEG_GS;
    if (!s->code64) {
        add |= s->addseg || seg == X86_SEG_CS;
    }
    if (add) {
        if (seg == X86_SEG_CS) {
            tcg_gen_addi_i64(addr, addr, s->cs_base);
        } else {
            TCGv_i64 base = tcg_temp_ebb_new_i64();
            tcg_gen_ld_i64(base, tcg_env, offsetof(CPUX86State, segs[seg].base));
            tcg_gen_add_i64(addr, addr, base);
            tcg_temp_free_i64(base);
        }
    }
    if (!s->code64) {
        tcg_gen_ext32u_i64(addr, addr);
    } else if (seg == X86_SEG_SS) {
        s->ss_addr = addr;
    } else if (s->ss_addr == addr) {
        s->ss_addr = NULL;
    }
}

void gen_compute_a0(DisasContext *s, const X86Operand *op)
{
    if (!s->a0_valid) {
        gen_lea_op(s, op, s->A0);
        gen_linear(s, op->seg, s->A0, op->addr_size);
        s->a0_valid = true;
    }
}

/*
 * Stack accesses (SS-relative in 64-bit mode, where SS has no base and so
 * leaves no trace in the address) use their own MMU indexes: same pages and
 * permissions, but tlb_fill raises #SS(0) rather than #GP(0) for a
 * non-canonical address (SDM vol. 3 §6.15 "Interrupt 12"). No code on the
 * fast path; an SS-relative address held in a temp that was then derived
 * from by hand (A0 + 8) falls back to #GP for the second part.
 */
int gen_mem_idx(DisasContext *s, TCGv_i64 addr)
{
    return addr == s->ss_addr ? s->mem_idx + X86_MMU_STACK : s->mem_idx;
}

/*
 * Alignment checking (SDM vol. 3 §6.15 "Interrupt 17") is a TB flag: only in
 * TBs translated with CPL 3, CR0.AM and EFLAGS.AC do data accesses carry
 * MO_ALIGN, whose violation the engine reports through
 * x86_cpu_do_unaligned_access (#AC). Every access the translator makes is
 * one naturally sized piece of an operand, which is the alignment Table 6-7
 * asks for (word 2, dword 4, qword 8, selectors 2, far pointers by their
 * offset; 128-bit operands checked per 8-byte half, which the SDM allows).
 */
MemOp gen_mem_align(DisasContext *s)
{
    return (s->flags & HF_AC_MASK) ? MO_ALIGN : 0;
}

void gen_qemu_ld(DisasContext *s, TCGv_i64 val, TCGv_i64 addr, unsigned size, bool sign)
{
    tcg_gen_qemu_ld_i64(val, addr, gen_mem_idx(s, addr),
                        (MemOp)(size | (sign ? MO_SIGN : 0) | gen_mem_align(s)));
}

void gen_qemu_st(DisasContext *s, TCGv_i64 val, TCGv_i64 addr, unsigned size)
{
    tcg_gen_qemu_st_i64(val, addr, gen_mem_idx(s, addr), (MemOp)(size | gen_mem_align(s)));
}

void gen_load_op(DisasContext *s, const X86Operand *op, TCGv_i64 dst, bool sign)
{
    unsigned size = size_log2(op->size);
    switch (op->kind) {
    case X86_OPK_GPR:
        gen_read_reg(size, dst, op->reg, op->flags & X86_OPF_HIGH8);
        if (sign) {
            gen_ext_size(size, dst, dst, true);
        }
        break;
    case X86_OPK_MEM:
        gen_compute_a0(s, op);
        gen_qemu_ld(s, dst, s->A0, size, sign);
        break;
    case X86_OPK_IMM:
        tcg_gen_movi_i64(dst, op->imm);
        break;
    case X86_OPK_SEG:
        tcg_gen_ld32u_i64(dst, tcg_env, offsetof(CPUX86State, segs[op->reg].selector));
        break;
    default:
        g_assert_not_reached();
    }
}

void gen_store_op(DisasContext *s, const X86Operand *op, TCGv_i64 val)
{
    unsigned size = size_log2(op->size);
    switch (op->kind) {
    case X86_OPK_GPR:
        gen_write_reg(size, op->reg, op->flags & X86_OPF_HIGH8, val);
        break;
    case X86_OPK_MEM:
        gen_compute_a0(s, op);
        gen_qemu_st(s, val, s->A0, size);
        break;
    default:
        g_assert_not_reached();
    }
}

/* ---- leaving the TB ---- */

void gen_store_rip(DisasContext *s, uint64_t eip)
{
    tcg_gen_st_i64(tcg_constant_i64(eip), tcg_env, offsetof(CPUX86State, rip));
}

void gen_exception(DisasContext *s, int vector)
{
    gen_update_cc_op(s);
    gen_store_rip(s, s->pc);
    gen_helper_raise_exception(tcg_env, tcg_constant_i32(vector));
    s->is_jmp = DISAS_NORETURN;
}

static void gen_exception_err(DisasContext *s, int vector, int err)
{
    gen_update_cc_op(s);
    gen_store_rip(s, s->pc);
    gen_helper_raise_exception_err(tcg_env, tcg_constant_i32(vector), tcg_constant_i32(err));
    s->is_jmp = DISAS_NORETURN;
}

void gen_unimp(DisasContext *s, const char *why)
{
    char text[96];
    x86_insn_format(s->insn, text, sizeof(text));
    emu_log_mask(LOG_UNIMP, "x86 tcg: %s not implemented (%s) at %04" PRIx64 ":%" PRIx64
                 ": #UD\n", text, why, s->cs_base, s->pc);
    gen_exception(s, EXCP06_ILLOP);
}

static bool use_goto_tb(DisasContext *s, uint64_t eip)
{
    /* Chain only inside the first page: mappings of other pages may change. */
    return !(s->tb->cflags & (CF_NO_GOTO_TB | CF_SINGLE_STEP)) &&
           ((s->cs_base + eip) & TCG_PAGE_MASK) == s->page_first;
}

/*
 * Single-step (SDM vol. 3 §17.3.1.4): an instruction that began with
 * RFLAGS.TF set (the TB flag; such TBs hold one instruction) is followed by a
 * #DB trap with DR6.BS, also when it cleared TF (POPF, IRET: measured on
 * silicon), never when it set it (the trap then follows the next one). RIP
 * is stored already. Not when the instruction faulted or was INT n/INT3/INTO
 * (their delivery clears TF), and not after a MOV SS/POP SS that opened an
 * interrupt shadow (tf_defer, SDM §6.8.3): the trap then comes after the
 * next instruction, whose TB has TF set too.
 */
static bool gen_single_step(DisasContext *s)
{
    if (!(s->flags & HF_TF_MASK) || s->tf_defer) {
        return false;
    }
    gen_helper_single_step(tcg_env);
    s->is_jmp = DISAS_NORETURN;
    return true;
}

/*
 * lookup_and_goto_ptr to RIP = @eip (stored already) with the jump cache probed
 * inline. The key: CS is unchanged (far transfers end their TB through the
 * loop), and env->hflags is the state's flags: the loop and the hook store it,
 * helpers that change mode bits update it, and the instructions that change
 * the RFLAGS/shadow bits of x86_hflags_refresh end their TB through the loop
 * (a TB with TF or a shadow in its flags does not come here).
 */
static void gen_lookup_jc(DisasContext *s, TCGv_i64 eip)
{
    TCGv_i32 hf = tcg_temp_ebb_new_i32();
    tcg_gen_ld_i32(hf, tcg_env, offsetof(CPUX86State, hflags));
    if (s->flags & HF_CS64_MASK) {
        tcg_gen_lookup_and_goto_ptr_jc(eip, 0, hf);
    } else {
        TCGv_i64 pc = tcg_temp_ebb_new_i64();
        tcg_gen_addi_i64(pc, eip, (int64_t)s->tb->cs_base);
        tcg_gen_ext32u_i64(pc, pc);
        tcg_gen_lookup_and_goto_ptr_jc(pc, s->tb->cs_base, hf);
        tcg_temp_free_i64(pc);
    }
    tcg_temp_free_i32(hf);
}

void gen_jmp_rip(DisasContext *s, uint64_t eip, int slot)
{
    gen_update_cc_op(s);
    if (!s->code64) {
        eip = (uint32_t)eip;
    }
    if ((s->flags & HF_TF_MASK) && !s->tf_defer) {
        gen_store_rip(s, eip);
        gen_single_step(s);
    } else if (s->flags & HF_INHIBIT_IRQ_MASK) {
        /* The STI / MOV SS shadow ends here: back to the loop, which checks for
         * interrupts (a chained or looked-up TB would run on without that). */
        gen_store_rip(s, eip);
        tcg_gen_exit_tb(NULL, 0);
    } else if (use_goto_tb(s, eip)) {
        tcg_gen_goto_tb(slot);
        gen_store_rip(s, eip);
        tcg_gen_exit_tb(s->tb, slot);
    } else {
        gen_store_rip(s, eip);
        gen_lookup_jc(s, tcg_constant_i64(eip));
    }
    s->is_jmp = DISAS_NORETURN;
}

void gen_jmp_dyn(DisasContext *s, TCGv_i64 eip)
{
    gen_update_cc_op(s);
    tcg_gen_st_i64(eip, tcg_env, offsetof(CPUX86State, rip));
    if (gen_single_step(s)) {
        return;
    }
    if (s->flags & HF_INHIBIT_IRQ_MASK) {
        tcg_gen_exit_tb(NULL, 0);           /* see gen_jmp_rip */
    } else {
        gen_lookup_jc(s, eip);
    }
    s->is_jmp = DISAS_NORETURN;
}

/* State the TB was keyed on changed: back to the loop, which looks it up again. */
void gen_eob(DisasContext *s)
{
    gen_update_cc_op(s);
    gen_store_rip(s, s->pc_next);
    if (gen_single_step(s)) {
        return;
    }
    tcg_gen_exit_tb(NULL, 0);
    s->is_jmp = DISAS_NORETURN;
}

/* A helper set RIP (far transfers): the single-step trap (@recheck: if TF is set
 * after the instruction instead), then back to the loop. */
void gen_eob_after_helper(DisasContext *s, bool recheck)
{
    gen_update_cc_op(s);
    if (recheck) {
        gen_helper_recheck_single_step(tcg_env);
    } else if (gen_single_step(s)) {
        return;
    }
    tcg_gen_exit_tb(NULL, 0);
    s->is_jmp = DISAS_NORETURN;
}

/* ---- the TB loop ---- */

static int fetch_cb(void *opaque, unsigned offset, uint8_t *buf, unsigned len)
{
    DisasContext *s = opaque;
    unsigned i;

    for (i = 0; i < len; i++) {
        uint64_t a = s->cs_base + s->pc + offset + i;
        if (!s->code64) {
            a = (uint32_t)a;
        }
        if (!s->first_insn && (a & TCG_PAGE_MASK) != s->page_first) {
            /* Only the first instruction may span pages (phys_page2). */
            s->page_stop = true;
            break;
        }
        if (s->fetch) {
            int b = s->fetch(s->fetch_opaque, a);
            if (b < 0) {
                break;
            }
            buf[i] = b;
        } else {
            buf[i] = translator_ldub(s->cs, a);
        }
    }
    return i ? (int)i : -1;
}

static uint32_t decode_mode(uint32_t hf)
{
    uint32_t m = 0;
    if (hf & HF_PE_MASK) {
        m |= X86_MF_PE;
    }
    if (hf & HF_VM_MASK) {
        m |= X86_MF_VM86;
    }
    if (hf & HF_LMA_MASK) {
        m |= X86_MF_LMA;
    }
    if (hf & HF_CS64_MASK) {
        m |= X86_MF_CS64;
    } else if (hf & HF_CS32_MASK) {
        m |= X86_MF_CS32;
    }
    return m;
}

static uint64_t cpu_decode_features(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    if (!env->decode_features) {
        X86CPU *cpu = X86_CPU(cs);
        const X86CPUIDEntry *l1 = x86_cpu_get_cpuid(cpu, 1, 0);
        const X86CPUIDEntry *l7 = x86_cpu_get_cpuid(cpu, 7, 0);
        const X86CPUIDEntry *ld = x86_cpu_get_cpuid(cpu, 0xd, 1);
        const X86CPUIDEntry *le = x86_cpu_get_cpuid(cpu, 0x80000001, 0);
        env->decode_features = x86_decode_features_from_cpuid(
            l1 ? l1->edx : 0, l1 ? l1->ecx : 0, l7 ? l7->ebx : 0, l7 ? l7->ecx : 0,
            ld ? ld->eax : 0, le ? le->edx : 0, le ? le->ecx : 0) |
            X86_FEATURE_BIT(X86_FEAT_COUNT);   /* "computed" marker, no feature */
    }
    return env->decode_features;
}

static void disas_insn(DisasContext *s, X86DecodeStatus st, const X86Insn *insn)
{
    s->insn = insn;
    s->a0_valid = false;
    s->ss_addr = NULL;
    if (st == X86_DECODE_EXCEPTION) {
        if (insn->exception == X86_EXC_GP) {
            gen_exception_err(s, EXCP0D_GPF, 0);
        } else {
            emu_log_mask(LOG_GUEST_ERROR, "x86 tcg: #UD at %" PRIx64 ": %s\n", s->pc,
                         insn->why ? insn->why : "invalid encoding");
            gen_exception(s, EXCP06_ILLOP);
        }
        return;
    }
    if (st == X86_DECODE_FETCH_FAULT) {
        /* Only with a test fetch callback: the engine's fetch raises #PF itself. */
        gen_exception_err(s, EXCP0E_PAGE, 0x10);
        return;
    }
    if ((insn->flags & X86_INSN_PRIV) && s->cpl != 0) {
        gen_exception_err(s, EXCP0D_GPF, 0);
        return;
    }
    if (!disas_alu(s, insn) && !disas_ctl(s, insn) && !disas_seg(s, insn) &&
        !disas_sys(s, insn) && !disas_ext(s, insn) && !disas_x87(s, insn) &&
        !disas_sse(s, insn)) {
        gen_unimp(s, x86_opcode_name(insn->opcode));
    }
}

void x86_translate_code_fetch(CPUState *cs, TranslationBlock *tb, int max_insns,
                              X86CodeFetchFn fetch, void *opaque)
{
    DisasContext dc = { 0 }, *s = &dc;
    uint32_t hf = tb->flags;

    s->cs = cs;
    s->tb = tb;
    s->fetch = fetch;
    s->fetch_opaque = opaque;
    s->cs_base = tb->cs_base;
    s->flags = hf;
    s->cpl = hf & HF_CPL_MASK;
    s->code64 = hf & HF_CS64_MASK;
    s->addseg = hf & HF_ADDSEG_MASK;
    s->mode = decode_mode(hf);
    s->features = cpu_decode_features(cs);
    s->mem_idx = x86_mmu_index_for_hflags(hf, false);
    s->pc_first = tb->pc - tb->cs_base;
    if (!s->code64) {
        s->pc_first = (uint32_t)s->pc_first;
    }
    s->pc_next = s->pc_first;
    s->page_first = tb->pc & TCG_PAGE_MASK;
    s->cc_op = CC_OP_DYNAMIC;
    s->A0 = tcg_temp_new_i64();
    s->first_insn = true;

    if (tb->cflags & CF_COUNT_MASK) {
        max_insns = MIN(max_insns, (int)(tb->cflags & CF_COUNT_MASK));
    }
    if (tb->cflags & CF_SINGLE_STEP) {
        max_insns = 1;
    }
    if (hf & (HF_INHIBIT_IRQ_MASK | HF_TF_MASK)) {
        /* Interrupts are checked between TBs: the shadow covers one insn. */
        max_insns = 1;
    }
    max_insns = MAX(1, MIN(max_insns, TCG_MAX_INSNS));

    /* Prologue: leave at once when the engine asked (docs/devel/tcg.md). The engine
     * restores RIP from this TB's first insn_start on that exit. */
    tcg_gen_tb_start(tb);

    X86DecodeEnv denv = {
        .fetch = fetch_cb, .opaque = s, .mode = s->mode, .features = s->features,
    };
    int n = 0;
    for (;;) {
        X86Insn insn;
        X86DecodeStatus st;

        s->pc = s->pc_next;
        s->page_stop = false;
        st = x86_decode(&denv, s->pc, &insn);
        if (s->page_stop || (st == X86_DECODE_FETCH_FAULT && !s->first_insn)) {
            s->is_jmp = DISAS_TOO_MANY;     /* next TB starts with this insn */
            break;
        }
        s->pc_next = st == X86_DECODE_OK ? insn.next_pc : s->pc + insn.len;
        tcg_gen_insn_start(s->pc, s->cc_op, 0);
        n++;
        if (n == 1 && (hf & HF_INHIBIT_IRQ_MASK)) {
            tcg_gen_st8_i32(tcg_constant_i32(0), tcg_env,
                            offsetof(CPUX86State, events.interrupt_shadow));
        }
        disas_insn(s, st, &insn);
        s->first_insn = false;
        if (s->is_jmp != DISAS_NEXT) {
            break;
        }
        if (n >= max_insns ||
            ((s->cs_base + s->pc_next) & TCG_PAGE_MASK) != s->page_first) {
            s->is_jmp = DISAS_TOO_MANY;
            break;
        }
    }
    switch (s->is_jmp) {
    case DISAS_TOO_MANY:
        gen_jmp_rip(s, s->pc_next, 0);
        break;
    case DISAS_EOB_NEXT:
        gen_eob(s);
        break;
    default:
        break;
    }
    tb->size = (uint32_t)(s->pc_next - s->pc_first);
    tb->icount = n;
    tcg_gen_tb_end(tb);
}

void x86_translate_code(CPUState *cs, TranslationBlock *tb, int max_insns)
{
    x86_translate_code_fetch(cs, tb, max_insns, NULL, NULL);
}
