/*
 * x86 translator: control/debug registers, MSRs, TLB control, CLI/STI,
 * CLAC/STAC, port I/O, cache control, FS/GS base, XGETBV/XSETBV,
 * MONITOR/MWAIT, RDTSCP/RDPID/RDPMC, protection-key registers (SDM vol. 2;
 * vol. 3 ch. 2, 4, 16; helpers in sys-helper.c, msr-helper.c, io-helper.c).
 *
 * Checks against TB-flag state (CPL, IOPL, VM, PE) are made at translation
 * time; CR4 bits are not TB flags, so CR4.UMIP/FSGSBASE and the like are
 * tested in the generated code or in the helper.
 */
#include "util/osdep.h"
#include "target/i386/tcg/translate.h"
#include "target/i386/tcg/helper.h"
#include "target/i386/tcg/sys-internal.h"

/* Raise @vector (error code @err, if it has one) at this instruction when @v @cond @imm. */
static void gen_raise_if(DisasContext *s, TCGCond cond, TCGv_i64 v, int64_t imm,
                         int vector, int err)
{
    TCGLabel *skip = gen_new_label();
    gen_update_cc_op(s);
    tcg_gen_brcondi_i64(tcg_invert_cond(cond), v, imm, skip);
    gen_store_rip(s, s->pc);
    gen_helper_raise_exception_err(tcg_env, tcg_constant_i32(vector), tcg_constant_i32(err));
    gen_set_label(skip);
}

/* Fault with @vector when CR4 & @bit is set (@if_set) or clear (!@if_set). */
static void gen_cr4_check(DisasContext *s, uint32_t bit, bool if_set, int vector)
{
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_ld_i64(t, tcg_env, offsetof(CPUX86State, cr[4]));
    tcg_gen_andi_i64(t, t, bit);
    gen_raise_if(s, if_set ? TCG_COND_NE : TCG_COND_EQ, t, 0, vector, 0);
    tcg_temp_free_i64(t);
}

/* ---- control and debug registers ---- */

static void gen_mov_from_cr(DisasContext *s, const X86Insn *insn)
{
    unsigned cr = insn->op[1].reg;
    TCGv_i64 t = tcg_temp_new_i64();

    if (cr == 8) {
        gen_helper_read_cr8(t, tcg_env);
    } else if (cr == 0 || cr == 2 || cr == 3 || cr == 4) {
        tcg_gen_ld_i64(t, tcg_env, offsetof(CPUX86State, cr) + cr * sizeof(uint64_t));
    } else {
        gen_exception(s, EXCP06_ILLOP);
        tcg_temp_free_i64(t);
        return;
    }
    gen_store_op(s, &insn->op[0], t);     /* 32-bit outside 64-bit mode */
    tcg_temp_free_i64(t);
}

/* MOV to CR, MOV to DR, LMSW: the helper checks, then the TB ends (mode may change). */
static void gen_mov_to_xr(DisasContext *s, const X86Insn *insn, bool dr)
{
    TCGv_i64 t = tcg_temp_new_i64();
    gen_load_op(s, &insn->op[1], t, false);
    if (dr) {
        gen_helper_write_dr(tcg_env, tcg_constant_i32(insn->op[0].reg), t);
    } else {
        gen_helper_write_cr(tcg_env, tcg_constant_i32(insn->op[0].reg), t);
    }
    tcg_temp_free_i64(t);
    s->is_jmp = DISAS_EOB_NEXT;
}

static void gen_mov_from_dr(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 t = tcg_temp_new_i64();
    gen_helper_read_dr(t, tcg_env, tcg_constant_i32(insn->op[1].reg));
    gen_store_op(s, &insn->op[0], t);
    tcg_temp_free_i64(t);
}

static void gen_smsw(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 t = tcg_temp_new_i64();
    if (s->cpl > 0) {
        gen_cr4_check(s, CR4_UMIP_MASK, true, EXCP0D_GPF);
    }
    /* Register destinations get the operand size of CR0, memory 16 bits (decoder). */
    tcg_gen_ld_i64(t, tcg_env, offsetof(CPUX86State, cr[0]));
    gen_store_op(s, &insn->op[0], t);
    tcg_temp_free_i64(t);
}

/* ---- TLB and cache control ---- */

static void gen_invpcid(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 type = tcg_temp_new_i64(), lo = tcg_temp_new_i64(), hi = tcg_temp_new_i64();
    gen_load_op(s, &insn->op[0], type, false);
    gen_compute_a0(s, &insn->op[1]);
    gen_qemu_ld(s, lo, s->A0, MO_64, false);
    tcg_gen_addi_i64(hi, s->A0, 8);
    if (!s->code64) {
        tcg_gen_ext32u_i64(hi, hi);
    }
    gen_qemu_ld(s, hi, hi, MO_64, false);
    gen_helper_invpcid(tcg_env, type, lo, hi);
    tcg_temp_free_i64(type);
    tcg_temp_free_i64(lo);
    tcg_temp_free_i64(hi);
    s->is_jmp = DISAS_EOB_NEXT;
}

/* CLFLUSH/CLFLUSHOPT/CLWB: no cache to flush, but the address faults like a load. */
static void gen_cache_line_op(DisasContext *s, const X86Insn *insn)
{
    gen_compute_a0(s, &insn->op[0]);
    gen_helper_probe(tcg_env, s->A0, tcg_constant_i32(1), tcg_constant_i32(s->mem_idx));
}

/* ---- interrupt flag, AC ---- */

/* CLI/STI allowed without VIF: real mode, CPL <= IOPL, or IOPL 3 in virtual-8086 mode. */
static bool iopl_allows(DisasContext *s)
{
    unsigned iopl = (s->flags & HF_IOPL_MASK) >> HF_IOPL_SHIFT;
    if (!(s->flags & HF_PE_MASK)) {
        return true;
    }
    if (s->flags & HF_VM_MASK) {
        return iopl == 3;
    }
    return (unsigned)s->cpl <= iopl;
}

static void gen_cli_sti(DisasContext *s, bool sti)
{
    if (!iopl_allows(s)) {
        gen_update_cc_op(s);
        gen_store_rip(s, s->pc);
        gen_helper_iopl_fault(tcg_env);
        s->is_jmp = DISAS_NORETURN;
        return;
    }
    TCGv_i64 rfl = tcg_temp_new_i64();
    tcg_gen_ld_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    if (sti) {
        /* SDM STI: interrupts stay blocked for one more instruction if IF was 0. */
        TCGv_i32 shadow = tcg_temp_new_i32();
        TCGv_i64 was_clear = tcg_temp_new_i64();
        tcg_gen_andi_i64(was_clear, rfl, RFLAGS_IF);
        tcg_gen_setcondi_i64(TCG_COND_EQ, was_clear, was_clear, 0);
        tcg_gen_extrl_i64_i32(shadow, was_clear);
        tcg_gen_st8_i32(shadow, tcg_env, offsetof(CPUX86State, events.interrupt_shadow));
        tcg_gen_ori_i64(rfl, rfl, RFLAGS_IF);
        tcg_temp_free_i32(shadow);
        tcg_temp_free_i64(was_clear);
        /* The next TB is keyed with HF_INHIBIT_IRQ: one instruction, then interrupts. */
        s->is_jmp = DISAS_EOB_NEXT;
    } else {
        tcg_gen_andi_i64(rfl, rfl, ~(int64_t)RFLAGS_IF);
    }
    tcg_gen_st_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    tcg_temp_free_i64(rfl);
}

/* CLAC/STAC (#UD at CPL > 0): AC selects the SMAP MMU index, so the TB ends. */
static void gen_clac_stac(DisasContext *s, bool set)
{
    if (s->cpl > 0) {
        gen_exception(s, EXCP06_ILLOP);
        return;
    }
    TCGv_i64 rfl = tcg_temp_new_i64();
    tcg_gen_ld_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    if (set) {
        tcg_gen_ori_i64(rfl, rfl, RFLAGS_AC);
    } else {
        tcg_gen_andi_i64(rfl, rfl, ~(int64_t)RFLAGS_AC);
    }
    tcg_gen_st_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    tcg_temp_free_i64(rfl);
    s->is_jmp = DISAS_EOB_NEXT;
}

/* ---- port I/O (SDM vol. 1 §19.5) ---- */

/* The bitmap is consulted in protected mode when CPL > IOPL, and always in VM86. */
static bool io_needs_bitmap(DisasContext *s)
{
    unsigned iopl = (s->flags & HF_IOPL_MASK) >> HF_IOPL_SHIFT;
    return (s->flags & HF_PE_MASK) && ((s->flags & HF_VM_MASK) || (unsigned)s->cpl > iopl);
}

/* The port operand: imm8 or DX. */
static TCGv_i32 gen_port(DisasContext *s, const X86Operand *o)
{
    TCGv_i32 port = tcg_temp_new_i32();
    if (o->kind == X86_OPK_IMM) {
        tcg_gen_movi_i32(port, o->imm & 0xff);
    } else {
        tcg_gen_extrl_i64_i32(port, cpu_regs[R_EDX]);
        tcg_gen_ext16u_i32(port, port);
    }
    return port;
}

static void gen_check_io(DisasContext *s, TCGv_i32 port, unsigned bytes)
{
    if (io_needs_bitmap(s)) {
        gen_helper_check_io(tcg_env, port, tcg_constant_i32(bytes));
    }
}

static void gen_in_out(DisasContext *s, const X86Insn *insn, bool in)
{
    unsigned bytes = insn->opsize;
    TCGv_i32 port = gen_port(s, &insn->op[in ? 1 : 0]);
    TCGv_i64 v = tcg_temp_new_i64();

    gen_check_io(s, port, bytes);
    if (in) {
        gen_helper_in(v, tcg_env, port, tcg_constant_i32(bytes));
        gen_store_op(s, &insn->op[0], v);
    } else {
        gen_load_op(s, &insn->op[1], v, false);
        gen_helper_out(tcg_env, port, v, tcg_constant_i32(bytes));
    }
    tcg_temp_free_i32(port);
    tcg_temp_free_i64(v);
}

/*
 * INS/OUTS, one iteration per pass with REP like the other string
 * instructions (translate-ctl.c). INS probes its destination before reading
 * the port, so a #PF does not repeat the device read when the insn restarts.
 */
static void gen_ins_outs(DisasContext *s, const X86Insn *insn, bool in)
{
    unsigned bytes = insn->opsize, size = size_log2(bytes), as = insn->addr_size;
    bool rep = insn->flags & X86_INSN_REP;
    TCGLabel *done = NULL;
    TCGv_i32 port = gen_port(s, &insn->op[in ? 1 : 0]);
    TCGv_i64 addr = tcg_temp_new_i64(), v = tcg_temp_new_i64(), delta = tcg_temp_new_i64();

    gen_check_io(s, port, bytes);
    if (rep) {
        done = gen_new_label();
        gen_update_cc_op(s);
        gen_ext_size(size_log2(as), v, cpu_regs[R_ECX], false);
        tcg_gen_brcondi_i64(TCG_COND_EQ, v, 0, done);
    }
    gen_string_delta(delta, size);
    if (in) {
        gen_string_addr(s, &insn->op[0], addr);
        gen_helper_probe(tcg_env, addr, tcg_constant_i32(bytes),
                         tcg_constant_i32(s->mem_idx | 1 << 8));
        gen_helper_in(v, tcg_env, port, tcg_constant_i32(bytes));
        gen_qemu_st(s, v, addr, size);
        gen_index_step(s, R_EDI, delta, as);
    } else {
        gen_string_addr(s, &insn->op[1], addr);
        gen_qemu_ld(s, v, addr, size, false);
        gen_helper_out(tcg_env, port, v, tcg_constant_i32(bytes));
        gen_index_step(s, R_ESI, delta, as);
    }
    if (rep) {
        tcg_gen_subi_i64(v, cpu_regs[R_ECX], 1);
        gen_write_reg(size_log2(as), R_ECX, false, v);
        gen_ext_size(size_log2(as), v, v, false);
        tcg_gen_brcondi_i64(TCG_COND_EQ, v, 0, done);   /* the last one: on (single-step) */
        gen_jmp_rip(s, s->pc, 1);          /* again: interrupts are seen in between */
        gen_set_label(done);
        gen_jmp_rip(s, s->pc_next, 0);
    }
    tcg_temp_free_i32(port);
    tcg_temp_free_i64(addr);
    tcg_temp_free_i64(v);
    tcg_temp_free_i64(delta);
}

/* ---- FS/GS base ---- */

static void gen_rdwr_fsgsbase(DisasContext *s, const X86Insn *insn, int seg, bool wr)
{
    TCGv_i64 t = tcg_temp_new_i64();
    gen_cr4_check(s, CR4_FSGSBASE_MASK, false, EXCP06_ILLOP);
    if (wr) {
        gen_load_op(s, &insn->op[0], t, false);
        if (insn->op[0].size == 8) {
            TCGv_i64 c = tcg_temp_new_i64();
            tcg_gen_sextract_i64(c, t, 0, 48);
            tcg_gen_setcond_i64(TCG_COND_NE, c, c, t);
            gen_raise_if(s, TCG_COND_NE, c, 0, EXCP0D_GPF, 0);   /* non-canonical */
            tcg_temp_free_i64(c);
        }
        tcg_gen_st_i64(t, tcg_env, offsetof(CPUX86State, segs[0].base) +
                                   seg * sizeof(SegmentCache));
    } else {
        tcg_gen_ld_i64(t, tcg_env, offsetof(CPUX86State, segs[0].base) +
                                   seg * sizeof(SegmentCache));
        gen_store_op(s, &insn->op[0], t);
    }
    tcg_temp_free_i64(t);
}

/* ---- MONITOR ---- */

static void gen_monitor(DisasContext *s, const X86Insn *insn)
{
    int seg = insn->seg_override >= 0 ? insn->seg_override : X86_SEG_DS;
    TCGv_i64 addr = tcg_temp_new_i64();
    gen_ext_size(size_log2(insn->addr_size), addr, cpu_regs[R_EAX], false);
    gen_linear(s, seg, addr, insn->addr_size);
    gen_helper_monitor(tcg_env, addr, tcg_constant_i32(s->mem_idx));
    tcg_temp_free_i64(addr);
}

bool disas_sys(DisasContext *s, const X86Insn *insn)
{
    switch (insn->opcode) {
    case X86_OP_MOV_FROM_CR:
        gen_mov_from_cr(s, insn);
        return true;
    case X86_OP_MOV_TO_CR:
        gen_mov_to_xr(s, insn, false);
        return true;
    case X86_OP_MOV_FROM_DR:
        gen_mov_from_dr(s, insn);
        return true;
    case X86_OP_MOV_TO_DR:
        gen_mov_to_xr(s, insn, true);
        return true;
    case X86_OP_CLTS:
        gen_helper_clts(tcg_env);
        s->is_jmp = DISAS_EOB_NEXT;
        return true;
    case X86_OP_LMSW: {
        TCGv_i64 t = tcg_temp_new_i64();
        gen_load_op(s, &insn->op[0], t, false);
        gen_helper_lmsw(tcg_env, t);
        tcg_temp_free_i64(t);
        s->is_jmp = DISAS_EOB_NEXT;
        return true;
    }
    case X86_OP_SMSW:
        gen_smsw(s, insn);
        return true;
    case X86_OP_RDMSR:
        gen_helper_rdmsr(tcg_env);
        return true;
    case X86_OP_WRMSR:
        gen_helper_wrmsr(tcg_env);
        s->is_jmp = DISAS_EOB_NEXT;
        return true;
    case X86_OP_INVLPG:
        gen_compute_a0(s, &insn->op[0]);
        gen_helper_invlpg(tcg_env, s->A0);
        s->is_jmp = DISAS_EOB_NEXT;
        return true;
    case X86_OP_INVPCID:
        gen_invpcid(s, insn);
        return true;
    case X86_OP_WBINVD:
    case X86_OP_INVD:
        return true;             /* no caches: nothing to write back or drop */
    case X86_OP_CLFLUSH:
    case X86_OP_CLFLUSHOPT:
    case X86_OP_CLWB:
        gen_cache_line_op(s, insn);
        return true;
    case X86_OP_CLI:
    case X86_OP_STI:
        gen_cli_sti(s, insn->opcode == X86_OP_STI);
        return true;
    case X86_OP_CLAC:
    case X86_OP_STAC:
        gen_clac_stac(s, insn->opcode == X86_OP_STAC);
        return true;
    case X86_OP_IN:
    case X86_OP_OUT:
        gen_in_out(s, insn, insn->opcode == X86_OP_IN);
        return true;
    case X86_OP_INS:
    case X86_OP_OUTS:
        gen_ins_outs(s, insn, insn->opcode == X86_OP_INS);
        return true;
    case X86_OP_RDTSCP:
        gen_helper_rdtscp(tcg_env);
        return true;
    case X86_OP_RDPID: {
        TCGv_i64 t = tcg_temp_new_i64();
        tcg_gen_ld32u_i64(t, tcg_env, offsetof(CPUX86State, tsc_aux));
        gen_store_op(s, &insn->op[0], t);
        tcg_temp_free_i64(t);
        return true;
    }
    case X86_OP_RDPMC:
        gen_helper_rdpmc(tcg_env);
        return true;
    case X86_OP_RDFSBASE:
    case X86_OP_RDGSBASE:
    case X86_OP_WRFSBASE:
    case X86_OP_WRGSBASE:
        gen_rdwr_fsgsbase(s, insn,
                          insn->opcode == X86_OP_RDFSBASE ||
                          insn->opcode == X86_OP_WRFSBASE ? R_FS : R_GS,
                          insn->opcode == X86_OP_WRFSBASE ||
                          insn->opcode == X86_OP_WRGSBASE);
        return true;
    case X86_OP_XGETBV:
        gen_helper_xgetbv(tcg_env);
        return true;
    case X86_OP_XSETBV:
        gen_helper_xsetbv(tcg_env);
        s->is_jmp = DISAS_EOB_NEXT;
        return true;
    case X86_OP_MONITOR:
    case X86_OP_MWAIT:
        if (s->cpl > 0) {
            gen_exception(s, EXCP06_ILLOP);
        } else if (insn->opcode == X86_OP_MONITOR) {
            gen_monitor(s, insn);
        } else {
            gen_helper_mwait(tcg_env);
            s->is_jmp = DISAS_EOB_NEXT;     /* let pending interrupts in */
        }
        return true;
    case X86_OP_RDPKRU:
        gen_helper_rdpkru(tcg_env);
        return true;
    case X86_OP_WRPKRU:
        gen_helper_wrpkru(tcg_env);
        return true;
    case X86_OP_RSM:
        gen_exception(s, EXCP06_ILLOP);     /* never in SMM: emu has none */
        return true;
    default:
        return false;
    }
}
