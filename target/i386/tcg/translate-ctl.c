/*
 * x86 translator: stack, control transfer, string instructions, flag
 * instructions and the first system instructions (SDM vol. 2).
 */
#include "util/osdep.h"
#include "target/i386/tcg/translate.h"
#include "target/i386/tcg/helper.h"

/* ---- stack (SDM vol. 1 §6.2: address size from SS.B, or 64 in 64-bit mode) ---- */

static unsigned stack_addr_size(DisasContext *s)
{
    return s->code64 ? 8 : (s->flags & HF_SS32_MASK) ? 4 : 2;
}

/* reg = val at an address-size width (16-bit: merge, 32: zero-extend). */
static void gen_write_addr_reg(unsigned addr_size, int reg, TCGv_i64 val)
{
    gen_write_reg(size_log2(addr_size), reg, false, val);
}

static void gen_stack_addr(DisasContext *s, TCGv_i64 addr, TCGv_i64 sp)
{
    gen_ext_size(size_log2(stack_addr_size(s)), addr, sp, false);
    gen_linear(s, X86_SEG_SS, addr, stack_addr_size(s));
}

static void gen_push(DisasContext *s, TCGv_i64 val, unsigned bytes)
{
    TCGv_i64 sp = tcg_temp_new_i64(), addr = tcg_temp_new_i64();
    tcg_gen_subi_i64(sp, cpu_regs[R_ESP], bytes);
    gen_stack_addr(s, addr, sp);
    gen_qemu_st(s, val, addr, size_log2(bytes));
    gen_write_addr_reg(stack_addr_size(s), R_ESP, sp);   /* after the store may fault */
    tcg_temp_free_i64(sp);
    tcg_temp_free_i64(addr);
}

/* Load the top of the stack (no RSP update). */
static void gen_pop_load(DisasContext *s, TCGv_i64 val, unsigned bytes)
{
    TCGv_i64 addr = tcg_temp_new_i64();
    gen_stack_addr(s, addr, cpu_regs[R_ESP]);
    gen_qemu_ld(s, val, addr, size_log2(bytes), false);
    tcg_temp_free_i64(addr);
}

static void gen_sp_add(DisasContext *s, int64_t n)
{
    TCGv_i64 sp = tcg_temp_new_i64();
    tcg_gen_addi_i64(sp, cpu_regs[R_ESP], n);
    gen_write_addr_reg(stack_addr_size(s), R_ESP, sp);
    tcg_temp_free_i64(sp);
}

static void gen_push_insn(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 t = tcg_temp_new_i64();
    gen_load_op(s, &insn->op[0], t, false);    /* PUSH Sreg pushes the selector */
    gen_push(s, t, insn->opsize);
    tcg_temp_free_i64(t);
}

static bool gen_pop_insn(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *o = &insn->op[0];
    if (o->kind == X86_OPK_SEG) {
        return false;    /* POP Sreg: a segment load, translate-seg.c */
    }
    TCGv_i64 t = tcg_temp_new_i64();
    gen_pop_load(s, t, insn->opsize);
    if (o->kind != X86_OPK_MEM) {
        /* POP rSP: the popped value wins over the increment. */
        gen_sp_add(s, insn->opsize);
        gen_store_op(s, o, t);
        tcg_temp_free_i64(t);
        return true;
    }
    /*
     * SDM POP: an rSP-based address is computed with the incremented rSP; a
     * fault of the store still leaves rSP unchanged (measured on an AMD EPYC,
     * as for any fault). So: increment, form the address, put rSP back, store,
     * increment for good.
     */
    TCGv_i64 old = tcg_temp_new_i64();
    tcg_gen_mov_i64(old, cpu_regs[R_ESP]);
    gen_sp_add(s, insn->opsize);
    gen_compute_a0(s, o);
    tcg_gen_mov_i64(cpu_regs[R_ESP], old);
    gen_store_op(s, o, t);
    gen_sp_add(s, insn->opsize);
    tcg_temp_free_i64(old);
    tcg_temp_free_i64(t);
    return true;
}

static void gen_leave(DisasContext *s, const X86Insn *insn)
{
    unsigned sas = stack_addr_size(s);
    TCGv_i64 addr = tcg_temp_new_i64(), val = tcg_temp_new_i64(), sp = tcg_temp_new_i64();
    gen_stack_addr(s, addr, cpu_regs[R_EBP]);
    gen_qemu_ld(s, val, addr, size_log2(insn->opsize), false);
    tcg_gen_addi_i64(sp, cpu_regs[R_EBP], insn->opsize);
    gen_write_addr_reg(sas, R_ESP, sp);
    gen_write_reg(size_log2(insn->opsize), R_EBP, false, val);
    tcg_temp_free_i64(addr);
    tcg_temp_free_i64(val);
    tcg_temp_free_i64(sp);
}

/* ---- branches ---- */

static uint64_t wrap_eip(DisasContext *s, uint64_t eip, unsigned opsize)
{
    return opsize == 8 ? eip : opsize == 4 ? (uint32_t)eip : (uint16_t)eip;
}

static void gen_call(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *o = &insn->op[0];
    TCGv_i64 ret = tcg_constant_i64(wrap_eip(s, insn->next_pc, insn->opsize));
    if (o->kind == X86_OPK_REL) {
        gen_push(s, ret, insn->opsize);
        gen_jmp_rip(s, o->target, 0);
    } else {
        TCGv_i64 t = tcg_temp_new_i64();
        gen_load_op(s, o, t, false);
        gen_ext_size(size_log2(insn->opsize), t, t, false);
        gen_push(s, ret, insn->opsize);
        gen_jmp_dyn(s, t);
        tcg_temp_free_i64(t);
    }
}

static void gen_ret(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 t = tcg_temp_new_i64();
    gen_pop_load(s, t, insn->opsize);
    gen_sp_add(s, insn->opsize + (insn->num_ops ? (uint16_t)insn->op[0].imm : 0));
    gen_jmp_dyn(s, t);
    tcg_temp_free_i64(t);
}

static void gen_jmp(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *o = &insn->op[0];
    if (o->kind == X86_OPK_REL) {
        gen_jmp_rip(s, o->target, 0);
    } else {
        TCGv_i64 t = tcg_temp_new_i64();
        gen_load_op(s, o, t, false);
        gen_ext_size(size_log2(insn->opsize), t, t, false);
        gen_jmp_dyn(s, t);
        tcg_temp_free_i64(t);
    }
}

/* Both ways out of a two-way branch: taken when c != 0. */
static void gen_branch2(DisasContext *s, TCGv_i64 c, uint64_t target)
{
    TCGLabel *taken = gen_new_label();
    gen_update_cc_op(s);
    tcg_gen_brcondi_i64(TCG_COND_NE, c, 0, taken);
    gen_jmp_rip(s, s->pc_next, 1);
    gen_set_label(taken);
    gen_jmp_rip(s, target, 0);
}

static void gen_jcc(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 c = tcg_temp_new_i64();
    gen_setcc(s, insn->cc, c);
    gen_branch2(s, c, insn->op[0].target);
    tcg_temp_free_i64(c);
}

/* LOOP/LOOPE/LOOPNE/JrCXZ: the count register is rCX at the address size. */
static void gen_loop(DisasContext *s, const X86Insn *insn)
{
    unsigned as = size_log2(insn->addr_size);
    TCGv_i64 cnt = tcg_temp_new_i64(), c = tcg_temp_new_i64();

    if (insn->opcode == X86_OP_JRCXZ) {
        gen_ext_size(as, cnt, cpu_regs[R_ECX], false);
        tcg_gen_setcondi_i64(TCG_COND_EQ, c, cnt, 0);
    } else {
        tcg_gen_subi_i64(cnt, cpu_regs[R_ECX], 1);
        gen_write_reg(as, R_ECX, false, cnt);
        gen_ext_size(as, cnt, cnt, false);
        tcg_gen_setcondi_i64(TCG_COND_NE, c, cnt, 0);
        if (insn->opcode != X86_OP_LOOP) {
            TCGv_i64 z = tcg_temp_new_i64();
            gen_setcc(s, insn->opcode == X86_OP_LOOPE ? 4 : 5, z);
            tcg_gen_and_i64(c, c, z);
            tcg_temp_free_i64(z);
        }
    }
    gen_branch2(s, c, insn->op[0].target);
    tcg_temp_free_i64(cnt);
    tcg_temp_free_i64(c);
}

/* ---- strings (SDM vol. 1 §7.3.9): one iteration per pass through the TB ---- */

void gen_string_addr(DisasContext *s, const X86Operand *o, TCGv_i64 addr)
{
    gen_lea_op(s, o, addr);
    gen_linear(s, o->seg, addr, o->addr_size);
}

void gen_index_step(DisasContext *s, int reg, TCGv_i64 delta, unsigned addr_size)
{
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_add_i64(t, cpu_regs[reg], delta);
    gen_write_addr_reg(addr_size, reg, t);
    tcg_temp_free_i64(t);
}

/* delta = DF ? -(1 << size) : +(1 << size) */
void gen_string_delta(TCGv_i64 delta, unsigned size)
{
    tcg_gen_ld_i64(delta, tcg_env, offsetof(CPUX86State, rflags));
    tcg_gen_extract_i64(delta, delta, 10, 1);
    tcg_gen_shli_i64(delta, delta, size + 1);
    tcg_gen_subfi_i64(delta, 1 << size, delta);
}

static void gen_string(DisasContext *s, const X86Insn *insn)
{
    unsigned size = size_log2(insn->opsize);
    unsigned as = insn->addr_size;
    bool rep = insn->flags & X86_INSN_REP;
    int opc = insn->opcode;
    TCGLabel *done = NULL;
    TCGv_i64 delta = tcg_temp_new_i64(), a = tcg_temp_new_i64(), b = tcg_temp_new_i64();
    TCGv_i64 addr = tcg_temp_new_i64();

    if (rep) {
        TCGv_i64 cnt = tcg_temp_new_i64();
        done = gen_new_label();
        gen_update_cc_op(s);
        gen_ext_size(size_log2(as), cnt, cpu_regs[R_ECX], false);
        tcg_gen_brcondi_i64(TCG_COND_EQ, cnt, 0, done);
        tcg_temp_free_i64(cnt);
    }
    gen_string_delta(delta, size);

    switch (opc) {
    case X86_OP_MOVS:
        gen_string_addr(s, &insn->op[1], addr);
        gen_qemu_ld(s, a, addr, size, false);
        gen_string_addr(s, &insn->op[0], addr);
        gen_qemu_st(s, a, addr, size);
        gen_index_step(s, R_ESI, delta, as);
        gen_index_step(s, R_EDI, delta, as);
        break;
    case X86_OP_STOS:
        gen_string_addr(s, &insn->op[0], addr);
        gen_qemu_st(s, cpu_regs[R_EAX], addr, size);
        gen_index_step(s, R_EDI, delta, as);
        break;
    case X86_OP_LODS:
        gen_string_addr(s, &insn->op[1], addr);
        gen_qemu_ld(s, a, addr, size, false);
        gen_write_reg(size, R_EAX, false, a);
        gen_index_step(s, R_ESI, delta, as);
        break;
    case X86_OP_SCAS:
    case X86_OP_CMPS:
        if (opc == X86_OP_SCAS) {
            gen_read_reg(size, a, R_EAX, false);
        } else {
            gen_string_addr(s, &insn->op[0], addr);
            gen_qemu_ld(s, a, addr, size, false);
        }
        gen_string_addr(s, &insn->op[1], addr);
        gen_qemu_ld(s, b, addr, size, false);
        if (opc == X86_OP_CMPS) {
            gen_index_step(s, R_ESI, delta, as);
        }
        gen_index_step(s, R_EDI, delta, as);
        tcg_gen_sub_i64(a, a, b);
        gen_ext_size(size, cpu_cc_dst, a, false);
        tcg_gen_mov_i64(cpu_cc_src, b);
        gen_set_cc_op(s, CC_OP_SUBB + size);
        break;
    default:
        g_assert_not_reached();
    }
    if (rep) {
        tcg_gen_subi_i64(a, cpu_regs[R_ECX], 1);
        gen_write_addr_reg(as, R_ECX, a);
        gen_update_cc_op(s);
        /* The last iteration goes on to the next instruction directly (one
         * single-step trap per iteration, SDM vol. 3 §17.3.1.4). */
        gen_ext_size(size_log2(as), a, a, false);
        tcg_gen_brcondi_i64(TCG_COND_EQ, a, 0, done);
        if (opc == X86_OP_SCAS || opc == X86_OP_CMPS) {
            /* REPE stops when ZF = 0, REPNE when ZF = 1. */
            tcg_gen_brcondi_i64((insn->flags & X86_INSN_REPNZ) ? TCG_COND_EQ : TCG_COND_NE,
                                cpu_cc_dst, 0, done);
        }
        /* Again from the top: interrupts and exit requests are seen in between. */
        gen_jmp_rip(s, s->pc, 1);
        gen_set_label(done);
        gen_set_cc_op(s, CC_OP_DYNAMIC);
        gen_jmp_rip(s, s->pc_next, 0);
    }
    tcg_temp_free_i64(delta);
    tcg_temp_free_i64(a);
    tcg_temp_free_i64(b);
    tcg_temp_free_i64(addr);
}

static void gen_xlat(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 addr = tcg_temp_new_i64(), t = tcg_temp_new_i64();
    int seg = insn->seg_override >= 0 ? insn->seg_override : X86_SEG_DS;
    tcg_gen_ext8u_i64(t, cpu_regs[R_EAX]);
    tcg_gen_add_i64(addr, cpu_regs[R_EBX], t);
    gen_ext_size(size_log2(insn->addr_size), addr, addr, false);
    gen_linear(s, seg, addr, insn->addr_size);
    gen_qemu_ld(s, t, addr, MO_8, false);
    gen_write_reg(MO_8, R_EAX, false, t);
    tcg_temp_free_i64(addr);
    tcg_temp_free_i64(t);
}

/* ---- flags ---- */

static void gen_rflags_update(DisasContext *s, uint64_t clear, uint64_t set, uint64_t flip)
{
    TCGv_i64 rfl = tcg_temp_new_i64();
    tcg_gen_ld_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    if (clear) {
        tcg_gen_andi_i64(rfl, rfl, ~clear);
    }
    if (set) {
        tcg_gen_ori_i64(rfl, rfl, set);
    }
    if (flip) {
        tcg_gen_xori_i64(rfl, rfl, flip);
    }
    tcg_gen_st_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    tcg_temp_free_i64(rfl);
}

static void gen_lahf(DisasContext *s)
{
    TCGv_i64 f = tcg_temp_new_i64();
    gen_compute_eflags(s, f);
    tcg_gen_ori_i64(f, f, RFLAGS_FIXED);
    tcg_gen_deposit_i64(cpu_regs[R_EAX], cpu_regs[R_EAX], f, 8, 8);
    tcg_temp_free_i64(f);
}

static void gen_sahf(DisasContext *s)
{
    const uint64_t m = RFLAGS_SF | RFLAGS_ZF | RFLAGS_AF | RFLAGS_PF | RFLAGS_CF;
    TCGv_i64 rfl = tcg_temp_new_i64(), ah = tcg_temp_new_i64();
    gen_materialize_flags(s);
    tcg_gen_ld_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    tcg_gen_andi_i64(rfl, rfl, ~m);
    tcg_gen_extract_i64(ah, cpu_regs[R_EAX], 8, 8);
    tcg_gen_andi_i64(ah, ah, m);
    tcg_gen_or_i64(rfl, rfl, ah);
    tcg_gen_st_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    tcg_temp_free_i64(rfl);
    tcg_temp_free_i64(ah);
}

static void gen_pushf(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 rfl = tcg_temp_new_i64();
    gen_materialize_flags(s);
    tcg_gen_ld_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    /* SDM PUSHF: the image has VM and RF clear. */
    tcg_gen_andi_i64(rfl, rfl, ~(int64_t)(RFLAGS_VM | RFLAGS_RF));
    gen_push(s, rfl, insn->opsize);
    tcg_temp_free_i64(rfl);
}

static void gen_popf(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 t = tcg_temp_new_i64();
    gen_pop_load(s, t, insn->opsize);
    gen_sp_add(s, insn->opsize);
    gen_helper_write_rflags(tcg_env, t, tcg_constant_i32(insn->opsize));
    gen_set_cc_op(s, CC_OP_EFLAGS);
    tcg_temp_free_i64(t);
    s->is_jmp = DISAS_EOB_NEXT;     /* IF, TF, AC, IOPL: TB flags may change */
}

/* ---- system ---- */

static void gen_sw_interrupt(DisasContext *s, int vector)
{
    gen_update_cc_op(s);
    gen_store_rip(s, s->pc);
    gen_helper_raise_interrupt(tcg_env, tcg_constant_i32(vector),
                               tcg_constant_i64(s->pc_next));
    s->is_jmp = DISAS_NORETURN;
}

bool disas_ctl(DisasContext *s, const X86Insn *insn)
{
    switch (insn->opcode) {
    case X86_OP_PAUSE:
        /* A spin-wait hint: let a waiting vCPU run (the state after it is stored). */
        gen_update_cc_op(s);
        gen_store_rip(s, s->pc_next);
        gen_helper_pause(tcg_env);
        return true;
    case X86_OP_NOP: case X86_OP_PREFETCH: case X86_OP_PREFETCHW:
    case X86_OP_PREFETCHNTA: case X86_OP_PREFETCHT0: case X86_OP_PREFETCHT1:
    case X86_OP_PREFETCHT2: case X86_OP_LFENCE: case X86_OP_SFENCE:
        return true;
    case X86_OP_MFENCE:
        tcg_gen_mb(TCG_MO_ALL | TCG_BAR_SC);
        return true;
    case X86_OP_PUSH:
        gen_push_insn(s, insn);
        return true;
    case X86_OP_POP:
        return gen_pop_insn(s, insn);
    case X86_OP_LEAVE:
        gen_leave(s, insn);
        return true;
    case X86_OP_CALL:
        gen_call(s, insn);
        return true;
    case X86_OP_RET:
        gen_ret(s, insn);
        return true;
    case X86_OP_JMP:
        gen_jmp(s, insn);
        return true;
    case X86_OP_JCC:
        gen_jcc(s, insn);
        return true;
    case X86_OP_LOOP: case X86_OP_LOOPE: case X86_OP_LOOPNE: case X86_OP_JRCXZ:
        gen_loop(s, insn);
        return true;
    case X86_OP_MOVS: case X86_OP_STOS: case X86_OP_LODS: case X86_OP_SCAS:
    case X86_OP_CMPS:
        gen_string(s, insn);
        return true;
    case X86_OP_XLAT:
        gen_xlat(s, insn);
        return true;
    case X86_OP_MOV_FROM_SEG: {
        TCGv_i64 t = tcg_temp_new_i64();
        gen_load_op(s, &insn->op[1], t, false);
        gen_store_op(s, &insn->op[0], t);
        tcg_temp_free_i64(t);
        return true;
    }
    case X86_OP_CLC:
        gen_materialize_flags(s);
        gen_rflags_update(s, RFLAGS_CF, 0, 0);
        return true;
    case X86_OP_STC:
        gen_materialize_flags(s);
        gen_rflags_update(s, 0, RFLAGS_CF, 0);
        return true;
    case X86_OP_CMC:
        gen_materialize_flags(s);
        gen_rflags_update(s, 0, 0, RFLAGS_CF);
        return true;
    case X86_OP_CLD:
        gen_rflags_update(s, RFLAGS_DF, 0, 0);
        return true;
    case X86_OP_STD:
        gen_rflags_update(s, 0, RFLAGS_DF, 0);
        return true;
    case X86_OP_LAHF:
        gen_lahf(s);
        return true;
    case X86_OP_SAHF:
        gen_sahf(s);
        return true;
    case X86_OP_PUSHF:
        gen_pushf(s, insn);
        return true;
    case X86_OP_POPF:
        gen_popf(s, insn);
        return true;
    case X86_OP_CPUID:
        gen_update_cc_op(s);
        gen_store_rip(s, s->pc);
        gen_helper_cpuid(tcg_env);
        return true;
    case X86_OP_RDTSC:
        gen_update_cc_op(s);
        gen_store_rip(s, s->pc);
        gen_helper_rdtsc(tcg_env);
        return true;
    case X86_OP_HLT:
        gen_update_cc_op(s);
        gen_store_rip(s, s->pc);
        gen_helper_hlt(tcg_env, tcg_constant_i64(s->pc_next));
        s->is_jmp = DISAS_NORETURN;
        return true;
    case X86_OP_INT3:
        gen_sw_interrupt(s, EXCP03_INT3);
        return true;
    case X86_OP_INT:
        gen_sw_interrupt(s, insn->op[0].imm & 0xff);
        return true;
    case X86_OP_INTO: {
        TCGv_i64 c = tcg_temp_new_i64();
        TCGLabel *no = gen_new_label();
        gen_setcc(s, 0, c);
        gen_update_cc_op(s);
        tcg_gen_brcondi_i64(TCG_COND_EQ, c, 0, no);
        gen_store_rip(s, s->pc);
        gen_helper_raise_interrupt(tcg_env, tcg_constant_i32(EXCP04_INTO),
                                   tcg_constant_i64(s->pc_next));
        gen_set_label(no);
        tcg_temp_free_i64(c);
        return true;
    }
    case X86_OP_UD0: case X86_OP_UD1: case X86_OP_UD2:
        gen_exception(s, EXCP06_ILLOP);
        return true;
    default:
        return false;
    }
}
