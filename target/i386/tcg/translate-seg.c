/*
 * x86 translator: segment registers and descriptors, far transfers, IRET,
 * SYSCALL/SYSRET, SYSENTER/SYSEXIT, SWAPGS and the descriptor-table
 * instructions (SDM vol. 2; vol. 3 ch. 3, 5, 6). Descriptor checks live in
 * the helpers (seg-helper.c, syscall-helper.c); protected-mode interrupt
 * delivery is excp-helper.c's.
 */
#include "util/osdep.h"
#include "target/i386/tcg/translate.h"
#include "target/i386/tcg/seg-internal.h"
#include "target/i386/tcg/helper.h"

static bool real_or_vm86(DisasContext *s)
{
    return !(s->flags & HF_PE_MASK) || (s->flags & HF_VM_MASK);
}

/* Linear address of @addr + @disp in the address space of the current mode. */
static void gen_addr_add(DisasContext *s, TCGv_i64 dst, TCGv_i64 addr, int disp)
{
    tcg_gen_addi_i64(dst, addr, disp);
    if (!s->code64) {
        tcg_gen_ext32u_i64(dst, dst);
    }
}

/* ---- segment register loads ---- */

/*
 * seg = the selector in the low 16 bits of @sel. Real and virtual-8086 mode
 * inline (base = selector * 16; real mode keeps limit and attributes), the
 * descriptor checks of protected mode in helper_load_seg.
 */
static void gen_load_seg(DisasContext *s, int seg, TCGv_i64 sel)
{
    if (real_or_vm86(s)) {
        TCGv_i64 t = tcg_temp_new_i64();
        tcg_gen_ext16u_i64(t, sel);
        tcg_gen_st32_i64(t, tcg_env, offsetof(CPUX86State, segs[seg].selector));
        tcg_gen_shli_i64(t, t, 4);
        tcg_gen_st_i64(t, tcg_env, offsetof(CPUX86State, segs[seg].base));
        if (s->flags & HF_VM_MASK) {
            tcg_gen_st_i32(tcg_constant_i32(0xffff), tcg_env,
                           offsetof(CPUX86State, segs[seg].limit));
            tcg_gen_st_i32(tcg_constant_i32(X86_VM86_SEG_FLAGS), tcg_env,
                           offsetof(CPUX86State, segs[seg].flags));
        }
        tcg_temp_free_i64(t);
    } else {
        TCGv_i32 t = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(t, sel);
        gen_helper_load_seg(tcg_env, tcg_constant_i32(seg), t);
        tcg_temp_free_i32(t);
    }
}

/*
 * After a segment load: MOV SS/POP SS block interrupts for one instruction
 * (SDM §6.8.3; only the first of consecutive SS loads does), and the TB
 * ends when the mode bits may change (SS.B; DS/ES/SS bases for ADDSEG).
 */
static void gen_seg_loaded(DisasContext *s, int seg, bool shadow)
{
    if (seg == R_SS && shadow && !(s->flags & HF_INHIBIT_IRQ_MASK)) {
        tcg_gen_st8_i32(tcg_constant_i32(1), tcg_env,
                        offsetof(CPUX86State, events.interrupt_shadow));
        s->tf_defer = true;     /* the shadow holds off the single-step #DB too */
    }
    if (seg == R_SS ||
        (!real_or_vm86(s) && !s->code64 && (seg == R_DS || seg == R_ES))) {
        s->is_jmp = DISAS_EOB_NEXT;
    }
}

static unsigned stack_addr_size(DisasContext *s)
{
    return s->code64 ? 8 : (s->flags & HF_SS32_MASK) ? 4 : 2;
}

/* POP ES/SS/DS/FS/GS: the selector is the low word of an operand-size pop. */
static void gen_pop_seg(DisasContext *s, const X86Insn *insn)
{
    int seg = insn->op[0].reg;
    unsigned sas = stack_addr_size(s);
    TCGv_i64 addr = tcg_temp_new_i64(), val = tcg_temp_new_i64();

    gen_ext_size(size_log2(sas), addr, cpu_regs[R_ESP], false);
    gen_linear(s, X86_SEG_SS, addr, sas);
    gen_qemu_ld(s, val, addr, size_log2(insn->opsize), false);
    gen_load_seg(s, seg, val);
    /* rSP moves at the old stack size, after the load can no longer fault. */
    tcg_gen_addi_i64(addr, cpu_regs[R_ESP], insn->opsize);
    gen_write_reg(size_log2(sas), R_ESP, false, addr);
    gen_seg_loaded(s, seg, true);
    tcg_temp_free_i64(addr);
    tcg_temp_free_i64(val);
}

/* LDS/LES/LSS/LFS/LGS r, m16:16/32/64: offset first, then the selector. */
static void gen_lxs(DisasContext *s, const X86Insn *insn, int seg)
{
    const X86Operand *r = &insn->op[0];
    unsigned size = r->size;
    TCGv_i64 off = tcg_temp_new_i64(), sel = tcg_temp_new_i64();
    TCGv_i64 a = tcg_temp_new_i64();

    gen_compute_a0(s, &insn->op[1]);
    gen_qemu_ld(s, off, s->A0, size_log2(size), false);
    gen_addr_add(s, a, s->A0, size);
    gen_qemu_ld(s, sel, a, MO_16, false);
    gen_load_seg(s, seg, sel);
    gen_write_reg(size_log2(size), r->reg, false, off);
    gen_seg_loaded(s, seg, false);
    tcg_temp_free_i64(off);
    tcg_temp_free_i64(sel);
    tcg_temp_free_i64(a);
}

/* ---- far transfers ---- */

/*
 * The helper set CS, RIP and maybe RFLAGS/CPL: back to the loop, no RIP store.
 * SYSCALL/SYSRET single-step on the TF they leave, the others on the TF they
 * began with (translate.c's gen_single_step).
 */
static void gen_far_exit(DisasContext *s)
{
    gen_set_cc_op(s, CC_OP_DYNAMIC);
    gen_eob_after_helper(s, s->insn->opcode == X86_OP_SYSCALL ||
                            s->insn->opcode == X86_OP_SYSRET);
}

/* Selector and offset of JMPF/CALLF: ptr16:16/32 immediate or m16:16/32/64. */
static void gen_far_ptr(DisasContext *s, const X86Insn *insn, TCGv_i32 sel, TCGv_i64 off)
{
    if (insn->op[0].kind == X86_OPK_IMM) {
        tcg_gen_movi_i32(sel, insn->op[0].imm & 0xffff);
        tcg_gen_movi_i64(off, insn->op[1].imm);
    } else {
        TCGv_i64 a = tcg_temp_new_i64(), t = tcg_temp_new_i64();
        gen_compute_a0(s, &insn->op[0]);
        gen_qemu_ld(s, off, s->A0, size_log2(insn->data_size), false);
        gen_addr_add(s, a, s->A0, insn->data_size);
        gen_qemu_ld(s, t, a, MO_16, false);
        tcg_gen_extrl_i64_i32(sel, t);
        tcg_temp_free_i64(a);
        tcg_temp_free_i64(t);
    }
}

static void gen_ljmp_call(DisasContext *s, const X86Insn *insn, bool call)
{
    TCGv_i32 sel = tcg_temp_new_i32();
    TCGv_i64 off = tcg_temp_new_i64();

    gen_far_ptr(s, insn, sel, off);
    gen_update_cc_op(s);
    if (call) {
        gen_helper_lcall(tcg_env, sel, off, tcg_constant_i32(insn->data_size),
                         tcg_constant_i64(s->pc_next));
    } else {
        gen_helper_ljmp(tcg_env, sel, off, tcg_constant_i32(insn->data_size));
    }
    tcg_temp_free_i32(sel);
    tcg_temp_free_i64(off);
    gen_far_exit(s);
}

/* ---- descriptor tables ---- */

static void gen_check_umip(DisasContext *s, const X86Insn *insn)
{
    if ((insn->flags & X86_INSN_PRIV_COND) && s->cpl > 0) {
        gen_helper_check_umip(tcg_env);
    }
}

/* LGDT/LIDT m16&32 (16-bit operand size: 24-bit base) or m16&64 in 64-bit mode. */
static void gen_load_dt(DisasContext *s, const X86Insn *insn, size_t field)
{
    TCGv_i64 lim = tcg_temp_new_i64(), base = tcg_temp_new_i64(), a = tcg_temp_new_i64();

    gen_compute_a0(s, &insn->op[0]);
    gen_qemu_ld(s, lim, s->A0, MO_16, false);
    gen_addr_add(s, a, s->A0, 2);
    gen_qemu_ld(s, base, a, s->code64 ? MO_64 : MO_32, false);
    if (!s->code64 && insn->data_size == 2) {
        tcg_gen_andi_i64(base, base, 0xffffff);
    }
    tcg_gen_st32_i64(lim, tcg_env, field + offsetof(SegmentCache, limit));
    tcg_gen_st_i64(base, tcg_env, field + offsetof(SegmentCache, base));
    tcg_temp_free_i64(lim);
    tcg_temp_free_i64(base);
    tcg_temp_free_i64(a);
}

/* SGDT/SIDT: limit, then the base (32 bits, or 64 in 64-bit mode). */
static void gen_store_dt(DisasContext *s, const X86Insn *insn, size_t field)
{
    TCGv_i64 t = tcg_temp_new_i64(), a = tcg_temp_new_i64();

    gen_check_umip(s, insn);
    gen_compute_a0(s, &insn->op[0]);
    tcg_gen_ld32u_i64(t, tcg_env, field + offsetof(SegmentCache, limit));
    gen_qemu_st(s, t, s->A0, MO_16);
    tcg_gen_ld_i64(t, tcg_env, field + offsetof(SegmentCache, base));
    gen_addr_add(s, a, s->A0, 2);
    gen_qemu_st(s, t, a, s->code64 ? MO_64 : MO_32);
    tcg_temp_free_i64(t);
    tcg_temp_free_i64(a);
}

/* SLDT/STR: the selector to a register (zero-extended) or a word in memory. */
static void gen_store_sel(DisasContext *s, const X86Insn *insn, size_t field)
{
    TCGv_i64 t = tcg_temp_new_i64();
    gen_check_umip(s, insn);
    tcg_gen_ld32u_i64(t, tcg_env, field + offsetof(SegmentCache, selector));
    gen_store_op(s, &insn->op[0], t);
    tcg_temp_free_i64(t);
}

static TCGv_i32 gen_selector_operand(DisasContext *s, const X86Operand *o)
{
    TCGv_i64 t = tcg_temp_new_i64();
    TCGv_i32 sel = tcg_temp_new_i32();
    gen_load_op(s, o, t, false);
    tcg_gen_extrl_i64_i32(sel, t);
    tcg_gen_andi_i32(sel, sel, 0xffff);
    tcg_temp_free_i64(t);
    return sel;
}

/* LAR/LSL: the destination is written only when ZF = 1. */
static void gen_lar_lsl(DisasContext *s, const X86Insn *insn, bool lar)
{
    TCGv_i32 sel = gen_selector_operand(s, &insn->op[1]);
    TCGv_i64 res = tcg_temp_new_i64(), zf = tcg_temp_new_i64();
    TCGLabel *skip = gen_new_label();

    gen_materialize_flags(s);
    gen_update_cc_op(s);
    if (lar) {
        gen_helper_lar(res, tcg_env, sel);
    } else {
        gen_helper_lsl(res, tcg_env, sel);
    }
    tcg_gen_ld_i64(zf, tcg_env, offsetof(CPUX86State, rflags));
    tcg_gen_brcondi_i64(TCG_COND_TSTEQ, zf, RFLAGS_ZF, skip);
    gen_write_reg(size_log2(insn->op[0].size), insn->op[0].reg, false, res);
    gen_set_label(skip);
    tcg_temp_free_i32(sel);
    tcg_temp_free_i64(res);
    tcg_temp_free_i64(zf);
}

static void gen_verr_verw(DisasContext *s, const X86Insn *insn, bool write)
{
    TCGv_i32 sel = gen_selector_operand(s, &insn->op[0]);
    gen_materialize_flags(s);
    gen_update_cc_op(s);
    if (write) {
        gen_helper_verw(tcg_env, sel);
    } else {
        gen_helper_verr(tcg_env, sel);
    }
    tcg_temp_free_i32(sel);
}

/* SWAPGS (64-bit mode, CPL 0: both checked by the decoder/dispatch). */
static void gen_swapgs(DisasContext *s)
{
    TCGv_i64 gs = tcg_temp_new_i64(), k = tcg_temp_new_i64();
    tcg_gen_ld_i64(gs, tcg_env, offsetof(CPUX86State, segs[R_GS].base));
    tcg_gen_ld_i64(k, tcg_env, offsetof(CPUX86State, kernelgsbase));
    tcg_gen_st_i64(k, tcg_env, offsetof(CPUX86State, segs[R_GS].base));
    tcg_gen_st_i64(gs, tcg_env, offsetof(CPUX86State, kernelgsbase));
    tcg_temp_free_i64(gs);
    tcg_temp_free_i64(k);
}

bool disas_seg(DisasContext *s, const X86Insn *insn)
{
    switch (insn->opcode) {
    case X86_OP_MOV_TO_SEG: {
        TCGv_i64 t = tcg_temp_new_i64();
        int seg = insn->op[0].reg;
        gen_load_op(s, &insn->op[1], t, false);
        gen_load_seg(s, seg, t);
        gen_seg_loaded(s, seg, true);
        tcg_temp_free_i64(t);
        return true;
    }
    case X86_OP_POP:
        if (insn->op[0].kind != X86_OPK_SEG) {
            return false;
        }
        gen_pop_seg(s, insn);
        return true;
    case X86_OP_LES:
        gen_lxs(s, insn, R_ES);
        return true;
    case X86_OP_LDS:
        gen_lxs(s, insn, R_DS);
        return true;
    case X86_OP_LSS:
        gen_lxs(s, insn, R_SS);
        return true;
    case X86_OP_LFS:
        gen_lxs(s, insn, R_FS);
        return true;
    case X86_OP_LGS:
        gen_lxs(s, insn, R_GS);
        return true;
    case X86_OP_JMPF:
        gen_ljmp_call(s, insn, false);
        return true;
    case X86_OP_CALLF:
        gen_ljmp_call(s, insn, true);
        return true;
    case X86_OP_RETF:
        gen_update_cc_op(s);
        gen_helper_lret(tcg_env, tcg_constant_i32(insn->data_size),
                        tcg_constant_i32(insn->num_ops ? insn->op[0].imm & 0xffff : 0));
        gen_far_exit(s);
        return true;
    case X86_OP_IRET:
        gen_update_cc_op(s);
        gen_helper_iret(tcg_env, tcg_constant_i32(insn->data_size));
        gen_far_exit(s);
        return true;
    case X86_OP_SYSCALL:
        gen_update_cc_op(s);
        gen_helper_syscall(tcg_env, tcg_constant_i64(s->pc_next));
        gen_far_exit(s);
        return true;
    case X86_OP_SYSRET:
        gen_update_cc_op(s);
        gen_helper_sysret(tcg_env, tcg_constant_i32(insn->data_size));
        gen_far_exit(s);
        return true;
    case X86_OP_SYSENTER:
        gen_update_cc_op(s);
        gen_helper_sysenter(tcg_env);
        gen_far_exit(s);
        return true;
    case X86_OP_SYSEXIT:
        gen_update_cc_op(s);
        gen_helper_sysexit(tcg_env, tcg_constant_i32(insn->data_size));
        gen_far_exit(s);
        return true;
    case X86_OP_SWAPGS:
        gen_swapgs(s);
        return true;
    case X86_OP_LGDT:
        gen_load_dt(s, insn, offsetof(CPUX86State, gdt));
        return true;
    case X86_OP_LIDT:
        gen_load_dt(s, insn, offsetof(CPUX86State, idt));
        return true;
    case X86_OP_SGDT:
        gen_store_dt(s, insn, offsetof(CPUX86State, gdt));
        return true;
    case X86_OP_SIDT:
        gen_store_dt(s, insn, offsetof(CPUX86State, idt));
        return true;
    case X86_OP_SLDT:
        gen_store_sel(s, insn, offsetof(CPUX86State, ldt));
        return true;
    case X86_OP_STR:
        gen_store_sel(s, insn, offsetof(CPUX86State, tr));
        return true;
    case X86_OP_LLDT: {
        TCGv_i32 sel = gen_selector_operand(s, &insn->op[0]);
        gen_helper_lldt(tcg_env, sel);
        tcg_temp_free_i32(sel);
        return true;
    }
    case X86_OP_LTR: {
        TCGv_i32 sel = gen_selector_operand(s, &insn->op[0]);
        gen_helper_ltr(tcg_env, sel);
        tcg_temp_free_i32(sel);
        return true;
    }
    case X86_OP_LAR:
        gen_lar_lsl(s, insn, true);
        return true;
    case X86_OP_LSL:
        gen_lar_lsl(s, insn, false);
        return true;
    case X86_OP_VERR:
        gen_verr_verw(s, insn, false);
        return true;
    case X86_OP_VERW:
        gen_verr_verw(s, insn, true);
        return true;
    default:
        return false;
    }
}
