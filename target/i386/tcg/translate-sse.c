/*
 * x86 translator: MMX, SSE to SSE4.2, PCLMULQDQ, AES-NI, MXCSR (SDM vol. 1 ch. 9-12).
 *
 * State lives in env->xsave_area (include/target/i386/cpu.h): XMMn at
 * X86_XSAVE_XMM_OFFSET + 16n, MMn in the low 8 bytes of x87 slot n (TOP is 0
 * once helper_mmx_enter has run; every MMX instruction calls it first, and a
 * write to MMn sets bits 79:64 of the slot, SDM vol. 1 §9.5.1), MXCSR at
 * X86_XSAVE_MXCSR_OFFSET.
 *
 * Moves, logic and 64-bit-lane add/subtract are inline IR; everything else
 * calls a helper with env offsets of its operands (helper-sse.h). A memory
 * source is first loaded into env->sse_scratch, so every access that can
 * fault happens before any register is written (docs/devel/x86-translator.md).
 */
#include "util/osdep.h"
#include "target/i386/tcg/translate.h"
#include "target/i386/tcg/helper.h"

#define XSAVE_OFF(x)  ((int)offsetof(CPUX86State, xsave_area) + (x))
#define XMM_OFF(n)    XSAVE_OFF(X86_XSAVE_XMM_OFFSET + 16 * (n))
#define MMX_OFF(n)    XSAVE_OFF(X86_XSAVE_ST_OFFSET + 16 * (n))
#define MXCSR_OFF     XSAVE_OFF(X86_XSAVE_MXCSR_OFFSET)
#define SCRATCH_OFF   ((int)offsetof(CPUX86State, sse_scratch))

typedef void (*VecGen)(TCGv_ptr, TCGv_i32, TCGv_i32, TCGv_i32);

static int vec_off(const X86Operand *op)
{
    return op->kind == X86_OPK_XMM ? XMM_OFF(op->reg) : MMX_OFF(op->reg);
}

static bool is_mmx(const X86Operand *op)
{
    return op->kind == X86_OPK_MMX;
}

/* A write to MMn sets the exponent field of its x87 register to all ones. */
static void gen_mmx_written(const X86Operand *op)
{
    if (is_mmx(op)) {
        tcg_gen_st16_i32(tcg_constant_i32(0xffff), tcg_env, MMX_OFF(op->reg) + 8);
    }
}

static void gen_exception_gp0(DisasContext *s)
{
    gen_update_cc_op(s);
    gen_store_rip(s, s->pc);
    gen_helper_raise_exception_err(tcg_env, tcg_constant_i32(EXCP0D_GPF),
                                   tcg_constant_i32(0));
}

/*
 * The decoder's X86_INSN_* state flags, plus what it cannot see: CVT(T)PS2PI
 * and CVT(T)PD2PI with a memory source name no XMM register but are SSE/SSE2
 * floating-point instructions (#UD without CR4.OSFXSR), and the PD forms read
 * an aligned m128 (SDM vol. 3 tables 23-4 and 23-5).
 */
static uint32_t sse_flags(const X86Insn *insn)
{
    switch (insn->opcode) {
    case X86_OP_CVTPD2PI: case X86_OP_CVTTPD2PI:
        return insn->flags | X86_INSN_SSE | X86_INSN_ALIGN16;
    case X86_OP_CVTPS2PI: case X86_OP_CVTTPS2PI:
        return insn->flags | X86_INSN_SSE;
    default:
        return insn->flags;
    }
}

/* A0 = linear address of @op; #GP(0) when a 16-byte access must be aligned and is not. */
static void gen_vec_addr(DisasContext *s, const X86Operand *op, unsigned bytes)
{
    gen_compute_a0(s, op);
    if (bytes == 16 && (sse_flags(s->insn) & X86_INSN_ALIGN16)) {
        TCGLabel *ok = gen_new_label();
        gen_update_cc_op(s);       /* both paths see cc_op stored */
        tcg_gen_brcondi_i64(TCG_COND_TSTEQ, s->A0, 15, ok);
        gen_exception_gp0(s);
        gen_set_label(ok);
    }
}

static void gen_addr_plus8(DisasContext *s, TCGv_i64 dst)
{
    tcg_gen_addi_i64(dst, s->A0, 8);
    if (!s->code64) {
        tcg_gen_ext32u_i64(dst, dst);
    }
}

/* Load @bytes (1, 2, 4, 8, 16) of memory operand @op into env at @off. */
static void gen_load_vec(DisasContext *s, const X86Operand *op, int off, unsigned bytes)
{
    TCGv_i64 t = tcg_temp_new_i64();

    gen_vec_addr(s, op, bytes);
    if (bytes == 16) {
        TCGv_i64 hi = tcg_temp_new_i64(), a = tcg_temp_new_i64();
        gen_addr_plus8(s, a);
        gen_qemu_ld(s, t, s->A0, MO_64, false);
        gen_qemu_ld(s, hi, a, MO_64, false);
        tcg_gen_st_i64(t, tcg_env, off);
        tcg_gen_st_i64(hi, tcg_env, off + 8);
        tcg_temp_free_i64(hi);
        tcg_temp_free_i64(a);
    } else {
        gen_qemu_ld(s, t, s->A0, size_log2(bytes), false);
        switch (bytes) {
        case 1: tcg_gen_st8_i64(t, tcg_env, off); break;
        case 2: tcg_gen_st16_i64(t, tcg_env, off); break;
        case 4: tcg_gen_st32_i64(t, tcg_env, off); break;
        default: tcg_gen_st_i64(t, tcg_env, off); break;
        }
    }
    tcg_temp_free_i64(t);
}

/* Store @bytes (4, 8, 16) from env at @off to memory operand @op. */
static void gen_store_vec(DisasContext *s, const X86Operand *op, int off, unsigned bytes)
{
    TCGv_i64 t = tcg_temp_new_i64();

    gen_vec_addr(s, op, bytes);
    if (bytes == 16) {
        TCGv_i64 hi = tcg_temp_new_i64(), a = tcg_temp_new_i64();
        gen_addr_plus8(s, a);
        tcg_gen_ld_i64(t, tcg_env, off);
        tcg_gen_ld_i64(hi, tcg_env, off + 8);
        gen_qemu_st(s, t, s->A0, MO_64);
        gen_qemu_st(s, hi, a, MO_64);
        tcg_temp_free_i64(hi);
        tcg_temp_free_i64(a);
    } else {
        if (bytes == 4) {
            tcg_gen_ld32u_i64(t, tcg_env, off);
        } else {
            tcg_gen_ld_i64(t, tcg_env, off);
        }
        gen_qemu_st(s, t, s->A0, size_log2(bytes));
    }
    tcg_temp_free_i64(t);
}

/* Env offset of a source operand: its register, or the scratch loaded from memory. */
static int gen_src(DisasContext *s, const X86Operand *op)
{
    if (op->kind == X86_OPK_MEM) {
        gen_load_vec(s, op, SCRATCH_OFF, op->size);
        return SCRATCH_OFF;
    }
    return vec_off(op);
}

static void gen_copy(int doff, int soff, unsigned bytes)
{
    TCGv_i64 t = tcg_temp_new_i64();
    for (unsigned i = 0; i < bytes; i += 8) {
        if (bytes - i >= 8) {
            tcg_gen_ld_i64(t, tcg_env, soff + i);
            tcg_gen_st_i64(t, tcg_env, doff + i);
        } else {
            tcg_gen_ld32u_i64(t, tcg_env, soff + i);
            tcg_gen_st32_i64(t, tcg_env, doff + i);
        }
    }
    tcg_temp_free_i64(t);
}

static void gen_zero(int off, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i += 8) {
        tcg_gen_st_i64(tcg_constant_i64(0), tcg_env, off + i);
    }
}

/*
 * State checks (SDM vol. 3 §2.5 and vol. 2 "exceptions" tables; decoder flags
 * in docs/devel/x86-decoder.md): XMM operands need CR4.OSFXSR and CR0.EM = 0
 * (#UD), MMX registers CR0.EM = 0 (#UD), then CR0.TS = 0 (#NM). An MMX
 * instruction then enters the MMX state.
 */
static bool gen_sse_checks(DisasContext *s, const X86Insn *insn)
{
    uint32_t f = sse_flags(insn);

    if ((f & X86_INSN_SSE) && (!(s->flags & HF_OSFXSR_MASK) || (s->flags & HF_EM_MASK))) {
        gen_exception(s, EXCP06_ILLOP);
        return false;
    }
    if ((f & X86_INSN_MMX) && (s->flags & HF_EM_MASK)) {
        gen_exception(s, EXCP06_ILLOP);
        return false;
    }
    if ((f & (X86_INSN_SSE | X86_INSN_MMX)) && (s->flags & HF_TS_MASK)) {
        gen_exception(s, EXCP07_PREX);
        return false;
    }
    if ((f & X86_INSN_MMX) && insn->opcode != X86_OP_EMMS) {
        gen_helper_mmx_enter(tcg_env);
    }
    return true;
}

/* ---- generic forms ---- */

/* d op= s through a helper taking (d, s, arg). */
static void gen_vec(DisasContext *s, const X86Insn *insn, VecGen fn, uint32_t arg)
{
    const X86Operand *d = &insn->op[0];
    int soff = gen_src(s, &insn->op[1]);
    fn(tcg_env, tcg_constant_i32(vec_off(d)), tcg_constant_i32(soff), tcg_constant_i32(arg));
    gen_mmx_written(d);
}

static uint32_t vlen(const X86Insn *insn)
{
    return is_mmx(&insn->op[0]) ? 8 : 16;
}

static uint32_t imm8(const X86Insn *insn, int i)
{
    return insn->op[i].imm & 0xff;
}

/* Shift by imm8 (groups 12-14): the count goes through the scratch. */
static void gen_shift_imm(DisasContext *s, const X86Insn *insn, VecGen fn)
{
    const X86Operand *d = &insn->op[0];
    tcg_gen_st_i64(tcg_constant_i64(imm8(insn, 1)), tcg_env, SCRATCH_OFF);
    fn(tcg_env, tcg_constant_i32(vec_off(d)), tcg_constant_i32(SCRATCH_OFF),
       tcg_constant_i32(vlen(insn)));
    gen_mmx_written(d);
}

/* Inline 64-bit-lane operations: PAND/PANDN/POR/PXOR (and the PS/PD forms), PADDQ, PSUBQ. */
static void gen_lane64(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *d = &insn->op[0];
    int soff = gen_src(s, &insn->op[1]), doff = vec_off(d);
    TCGv_i64 a = tcg_temp_new_i64(), b = tcg_temp_new_i64();

    for (unsigned i = 0; i < vlen(insn); i += 8) {
        tcg_gen_ld_i64(a, tcg_env, doff + i);
        tcg_gen_ld_i64(b, tcg_env, soff + i);
        switch (insn->opcode) {
        case X86_OP_PAND: case X86_OP_ANDPS: case X86_OP_ANDPD:
            tcg_gen_and_i64(a, a, b);
            break;
        case X86_OP_PANDN: case X86_OP_ANDNPS: case X86_OP_ANDNPD:
            tcg_gen_andc_i64(a, b, a);
            break;
        case X86_OP_POR: case X86_OP_ORPS: case X86_OP_ORPD:
            tcg_gen_or_i64(a, a, b);
            break;
        case X86_OP_PXOR: case X86_OP_XORPS: case X86_OP_XORPD:
            tcg_gen_xor_i64(a, a, b);
            break;
        case X86_OP_PADDQ:
            tcg_gen_add_i64(a, a, b);
            break;
        default:    /* PSUBQ */
            tcg_gen_sub_i64(a, a, b);
            break;
        }
        tcg_gen_st_i64(a, tcg_env, doff + i);
    }
    tcg_temp_free_i64(a);
    tcg_temp_free_i64(b);
    gen_mmx_written(d);
}

/* Arithmetic flags = @f (all six written), cc_op = EFLAGS. */
static void gen_set_arith_flags(DisasContext *s, TCGv_i64 f)
{
    TCGv_i64 rfl = tcg_temp_new_i64();
    tcg_gen_ld_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    tcg_gen_andi_i64(rfl, rfl, ~(int64_t)RFLAGS_ARITH);
    tcg_gen_andi_i64(f, f, RFLAGS_ARITH);
    tcg_gen_or_i64(rfl, rfl, f);
    tcg_gen_st_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    tcg_temp_free_i64(rfl);
    gen_set_cc_op(s, CC_OP_EFLAGS);
}

/* ---- moves ---- */

/* Full-width moves: MOVAPS/MOVUPS/MOVDQA/..., MOVQ mm (8 bytes). */
static void gen_mov_full(DisasContext *s, const X86Insn *insn, unsigned bytes)
{
    const X86Operand *d = &insn->op[0], *src = &insn->op[1];

    if (d->kind == X86_OPK_MEM) {
        gen_store_vec(s, d, vec_off(src), bytes);
    } else if (src->kind == X86_OPK_MEM) {
        /* Straight into the register: both halves are loaded before either store. */
        gen_load_vec(s, src, vec_off(d), bytes);
    } else {
        gen_copy(vec_off(d), vec_off(src), bytes);
    }
    gen_mmx_written(d);
}

/*
 * MOVSS/MOVSD/MOVQ-style scalar moves of @bytes: register to register merges
 * into the low lane; a load zero-extends to 128 bits when @zext_load, a
 * register destination of MOVQ (@zext_reg) is zero-extended too.
 */
static void gen_mov_scalar(DisasContext *s, const X86Insn *insn, unsigned bytes,
                           bool zext_reg)
{
    const X86Operand *d = &insn->op[0], *src = &insn->op[1];

    if (d->kind == X86_OPK_MEM) {
        gen_store_vec(s, d, vec_off(src), bytes);
        return;
    }
    if (src->kind == X86_OPK_MEM) {
        gen_load_vec(s, src, vec_off(d), bytes);
        zext_reg = true;
    } else {
        gen_copy(vec_off(d), vec_off(src), bytes);
    }
    if (zext_reg && d->kind == X86_OPK_XMM) {
        if (bytes == 4) {
            tcg_gen_st32_i64(tcg_constant_i64(0), tcg_env, vec_off(d) + 4);
        }
        tcg_gen_st_i64(tcg_constant_i64(0), tcg_env, vec_off(d) + 8);
    }
    gen_mmx_written(d);
}

/* MOVLPS/MOVHPS/MOVLPD/MOVHPD/MOVHLPS/MOVLHPS: one quadword between halves. */
static void gen_mov_half(DisasContext *s, const X86Insn *insn, int dhalf, int shalf)
{
    const X86Operand *d = &insn->op[0], *src = &insn->op[1];

    if (d->kind == X86_OPK_MEM) {
        gen_store_vec(s, d, vec_off(src) + 8 * shalf, 8);
    } else if (src->kind == X86_OPK_MEM) {
        gen_load_vec(s, src, vec_off(d) + 8 * dhalf, 8);
    } else {
        gen_copy(vec_off(d) + 8 * dhalf, vec_off(src) + 8 * shalf, 8);
    }
}

/* MOVD/MOVQ between a GPR/memory and an MMX/XMM register (0F 6E / 0F 7E). */
static void gen_movd(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *d = &insn->op[0], *src = &insn->op[1];
    TCGv_i64 t = tcg_temp_new_i64();

    if (d->kind == X86_OPK_MMX || d->kind == X86_OPK_XMM) {
        gen_load_op(s, src, t, false);      /* zero-extended to 64 bits */
        tcg_gen_st_i64(t, tcg_env, vec_off(d));
        if (d->kind == X86_OPK_XMM) {
            tcg_gen_st_i64(tcg_constant_i64(0), tcg_env, vec_off(d) + 8);
        }
        gen_mmx_written(d);
    } else {
        if (d->size == 8) {
            tcg_gen_ld_i64(t, tcg_env, vec_off(src));
        } else {
            tcg_gen_ld32u_i64(t, tcg_env, vec_off(src));
        }
        gen_store_op(s, d, t);
    }
    tcg_temp_free_i64(t);
}

/* PINSRB/PINSRW/PINSRD/PINSRQ: element imm & (n - 1) of the destination from r/m. */
static void gen_pinsr(DisasContext *s, const X86Insn *insn, unsigned esize)
{
    const X86Operand *d = &insn->op[0];
    unsigned n = vlen(insn) / esize, idx = imm8(insn, 2) & (n - 1);
    int off = vec_off(d) + idx * esize;
    TCGv_i64 t = tcg_temp_new_i64();

    gen_load_op(s, &insn->op[1], t, false);
    switch (esize) {
    case 1: tcg_gen_st8_i64(t, tcg_env, off); break;
    case 2: tcg_gen_st16_i64(t, tcg_env, off); break;
    case 4: tcg_gen_st32_i64(t, tcg_env, off); break;
    default: tcg_gen_st_i64(t, tcg_env, off); break;
    }
    tcg_temp_free_i64(t);
    gen_mmx_written(d);
}

/* PEXTRB/PEXTRW/PEXTRD/PEXTRQ/EXTRACTPS: element to a GPR (zero-extended) or memory. */
static void gen_pextr(DisasContext *s, const X86Insn *insn, unsigned esize)
{
    const X86Operand *src = &insn->op[1];
    unsigned n = (src->kind == X86_OPK_MMX ? 8 : 16) / esize;
    int off = vec_off(src) + (imm8(insn, 2) & (n - 1)) * esize;
    TCGv_i64 t = tcg_temp_new_i64();

    switch (esize) {
    case 1: tcg_gen_ld8u_i64(t, tcg_env, off); break;
    case 2: tcg_gen_ld16u_i64(t, tcg_env, off); break;
    case 4: tcg_gen_ld32u_i64(t, tcg_env, off); break;
    default: tcg_gen_ld_i64(t, tcg_env, off); break;
    }
    if (insn->op[0].kind == X86_OPK_MEM) {
        gen_compute_a0(s, &insn->op[0]);
        gen_qemu_st(s, t, s->A0, size_log2(esize));
    } else {
        gen_write_reg(insn->op[0].size == 8 ? MO_64 : MO_32, insn->op[0].reg, false, t);
    }
    tcg_temp_free_i64(t);
}

/* INSERTPS imm8: [7:6] source lane (register form), [5:4] destination lane, [3:0] zero mask. */
static void gen_insertps(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *src = &insn->op[1];
    uint32_t imm = imm8(insn, 2);
    int doff = vec_off(&insn->op[0]);
    TCGv_i64 t = tcg_temp_new_i64();

    if (src->kind == X86_OPK_MEM) {
        gen_compute_a0(s, src);
        gen_qemu_ld(s, t, s->A0, MO_32, false);
    } else {
        tcg_gen_ld32u_i64(t, tcg_env, vec_off(src) + 4 * (imm >> 6));
    }
    tcg_gen_st32_i64(t, tcg_env, doff + 4 * ((imm >> 4) & 3));
    for (unsigned i = 0; i < 4; i++) {
        if (imm & (1u << i)) {
            tcg_gen_st32_i64(tcg_constant_i64(0), tcg_env, doff + 4 * i);
        }
    }
    tcg_temp_free_i64(t);
}

/* MOVMSKPS/MOVMSKPD/PMOVMSKB: a mask to a 32-bit GPR. */
static void gen_movmsk(DisasContext *s, const X86Insn *insn,
                       void (*fn)(TCGv_i64, TCGv_ptr, TCGv_i32, TCGv_i32))
{
    const X86Operand *src = &insn->op[1];
    TCGv_i64 t = tcg_temp_new_i64();
    fn(t, tcg_env, tcg_constant_i32(vec_off(src)), tcg_constant_i32(is_mmx(src) ? 8 : 16));
    gen_write_reg(MO_32, insn->op[0].reg, false, t);
    tcg_temp_free_i64(t);
}

/* PMOVSX/PMOVZX: source lane bytes @ss, destination lane bytes @ds. */
static void gen_pmovx(DisasContext *s, const X86Insn *insn, unsigned ss, unsigned ds,
                      bool sign)
{
    gen_vec(s, insn, gen_helper_pmovx, ss | ds << 4 | (sign ? 0x100 : 0));
}

/* ---- conversions with GPRs ---- */

static void gen_cvtsi2s(DisasContext *s, const X86Insn *insn, bool dbl)
{
    TCGv_i64 t = tcg_temp_new_i64();
    TCGv_i32 doff = tcg_constant_i32(vec_off(&insn->op[0]));
    TCGv_i32 is64 = tcg_constant_i32(insn->op[1].size == 8);
    gen_load_op(s, &insn->op[1], t, false);
    if (dbl) {
        gen_helper_cvtsi2sd(tcg_env, doff, t, is64);
    } else {
        gen_helper_cvtsi2ss(tcg_env, doff, t, is64);
    }
    tcg_temp_free_i64(t);
}

static void gen_cvt2si(DisasContext *s, const X86Insn *insn,
                       void (*fn)(TCGv_i64, TCGv_ptr, TCGv_i32, TCGv_i32))
{
    const X86Operand *d = &insn->op[0];
    TCGv_i64 t = tcg_temp_new_i64();
    int soff = gen_src(s, &insn->op[1]);
    fn(t, tcg_env, tcg_constant_i32(soff), tcg_constant_i32(d->size == 8));
    gen_write_reg(d->size == 8 ? MO_64 : MO_32, d->reg, false, t);
    tcg_temp_free_i64(t);
}

/* COMISS/UCOMISS/COMISD/UCOMISD and PTEST: helper -> arithmetic flags. */
static void gen_flag_op(DisasContext *s, const X86Insn *insn,
                        void (*fn)(TCGv_i64, TCGv_ptr, TCGv_i32, TCGv_i32))
{
    TCGv_i64 f = tcg_temp_new_i64();
    int soff = gen_src(s, &insn->op[1]);
    fn(f, tcg_env, tcg_constant_i32(vec_off(&insn->op[0])), tcg_constant_i32(soff));
    gen_set_arith_flags(s, f);
    tcg_temp_free_i64(f);
}

/* PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM. */
static void gen_pcmpstr(DisasContext *s, const X86Insn *insn)
{
    uint32_t op = insn->opcode;
    bool index = op == X86_OP_PCMPESTRI || op == X86_OP_PCMPISTRI;
    int soff = gen_src(s, &insn->op[1]);
    TCGv_i32 d = tcg_constant_i32(vec_off(&insn->op[0])), so = tcg_constant_i32(soff);
    TCGv_i32 ctl = tcg_constant_i32(imm8(insn, 2) | ((insn->rex & X86_REX_W) ? 0x100 : 0));
    TCGv_i64 r = tcg_temp_new_i64();

    switch (op) {
    case X86_OP_PCMPESTRI:
        gen_helper_pcmpestri(r, tcg_env, d, so, ctl, cpu_regs[R_EAX], cpu_regs[R_EDX]);
        break;
    case X86_OP_PCMPESTRM:
        gen_helper_pcmpestrm(r, tcg_env, d, so, ctl, cpu_regs[R_EAX], cpu_regs[R_EDX]);
        break;
    case X86_OP_PCMPISTRI:
        gen_helper_pcmpistri(r, tcg_env, d, so, ctl);
        break;
    default:
        gen_helper_pcmpistrm(r, tcg_env, d, so, ctl);
        break;
    }
    if (index) {
        TCGv_i64 ecx = tcg_temp_new_i64();
        tcg_gen_shri_i64(ecx, r, 32);
        gen_write_reg(MO_32, R_ECX, false, ecx);
        tcg_temp_free_i64(ecx);
    }
    gen_set_arith_flags(s, r);
    tcg_temp_free_i64(r);
}

/* MASKMOVQ/MASKMOVDQU: selected bytes of op[0] to DS:rDI (segment overridable). */
static void gen_maskmov(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 a = tcg_temp_new_i64();
    int seg = insn->seg_override >= 0 ? insn->seg_override : X86_SEG_DS;
    unsigned len = vlen(insn);

    gen_ext_size(size_log2(insn->addr_size), a, cpu_regs[R_EDI], false);
    gen_linear(s, seg, a, insn->addr_size);
    gen_update_cc_op(s);
    gen_helper_maskmov(tcg_env, tcg_constant_i32(vec_off(&insn->op[0])),
                       tcg_constant_i32(vec_off(&insn->op[1])), a,
                       tcg_constant_i32(len | gen_mem_idx(s, a) << 8 |
                                        (s->code64 ? 0x10000 : 0)));
    tcg_temp_free_i64(a);
}

static void gen_ldst_mxcsr(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 t = tcg_temp_new_i64();
    gen_compute_a0(s, &insn->op[0]);
    if (insn->opcode == X86_OP_LDMXCSR) {
        TCGv_i32 v = tcg_temp_new_i32();
        gen_qemu_ld(s, t, s->A0, MO_32, false);
        tcg_gen_extrl_i64_i32(v, t);
        gen_helper_ldmxcsr(tcg_env, v);
        tcg_temp_free_i32(v);
    } else {
        tcg_gen_ld32u_i64(t, tcg_env, MXCSR_OFF);
        gen_qemu_st(s, t, s->A0, MO_32);
    }
    tcg_temp_free_i64(t);
}

/* ---- dispatch ---- */

#define VLEN(OP, fn)                                                                \
    case X86_OP_##OP:                                                               \
        gen_vec(s, insn, gen_helper_##fn, vlen(insn));                              \
        break;
#define VIMM(OP, fn)                                                                \
    case X86_OP_##OP:                                                               \
        gen_vec(s, insn, gen_helper_##fn, imm8(insn, 2));                           \
        break;
#define VFIX(OP, fn, arg)                                                           \
    case X86_OP_##OP:                                                               \
        gen_vec(s, insn, gen_helper_##fn, arg);                                     \
        break;
/* Register/memory count, or the immediate form (groups 12-14). */
#define VSHIFT(OP, fn)                                                              \
    case X86_OP_##OP:                                                               \
        if (insn->op[1].kind == X86_OPK_IMM) {                                      \
            gen_shift_imm(s, insn, gen_helper_##fn);                                \
        } else {                                                                    \
            gen_vec(s, insn, gen_helper_##fn, vlen(insn));                          \
        }                                                                           \
        break;

static bool is_sse_opcode(unsigned op)
{
    return op >= X86_OP_MOVUPS || op == X86_OP_LDMXCSR || op == X86_OP_STMXCSR;
}

bool disas_sse(DisasContext *s, const X86Insn *insn)
{
    if (!is_sse_opcode(insn->opcode)) {
        return false;
    }
    if (!gen_sse_checks(s, insn)) {
        return true;
    }

    switch (insn->opcode) {
    /* moves */
    case X86_OP_MOVUPS: case X86_OP_MOVUPD: case X86_OP_MOVAPS: case X86_OP_MOVAPD:
    case X86_OP_MOVDQA: case X86_OP_MOVDQU: case X86_OP_LDDQU: case X86_OP_MOVNTPS:
    case X86_OP_MOVNTPD: case X86_OP_MOVNTDQ: case X86_OP_MOVNTDQA:
        gen_mov_full(s, insn, 16);
        break;
    case X86_OP_MOVNTQ:
        gen_mov_full(s, insn, 8);
        break;
    case X86_OP_MOVQ:
        if (insn->op[0].kind == X86_OPK_MMX || insn->op[1].kind == X86_OPK_MMX) {
            gen_mov_full(s, insn, 8);                  /* 0F 6F / 0F 7F */
        } else {
            gen_mov_scalar(s, insn, 8, true);          /* F3 0F 7E / 66 0F D6 */
        }
        break;
    case X86_OP_MOVSS:
        gen_mov_scalar(s, insn, 4, false);
        break;
    case X86_OP_MOVSD:
        gen_mov_scalar(s, insn, 8, false);
        break;
    case X86_OP_MOVLPS: case X86_OP_MOVLPD:
        gen_mov_half(s, insn, 0, 0);
        break;
    case X86_OP_MOVHPS: case X86_OP_MOVHPD:
        gen_mov_half(s, insn, 1, 1);
        break;
    case X86_OP_MOVHLPS:
        gen_mov_half(s, insn, 0, 1);
        break;
    case X86_OP_MOVLHPS:
        gen_mov_half(s, insn, 1, 0);
        break;
    case X86_OP_MOVD:
        gen_movd(s, insn);
        break;
    case X86_OP_MOVQ2DQ:
        gen_copy(vec_off(&insn->op[0]), vec_off(&insn->op[1]), 8);
        gen_zero(vec_off(&insn->op[0]) + 8, 8);
        break;
    case X86_OP_MOVDQ2Q:
        gen_copy(vec_off(&insn->op[0]), vec_off(&insn->op[1]), 8);
        gen_mmx_written(&insn->op[0]);
        break;
    case X86_OP_MOVDDUP: {
        int soff = gen_src(s, &insn->op[1]), doff = vec_off(&insn->op[0]);
        TCGv_i64 t = tcg_temp_new_i64();
        tcg_gen_ld_i64(t, tcg_env, soff);
        tcg_gen_st_i64(t, tcg_env, doff);
        tcg_gen_st_i64(t, tcg_env, doff + 8);
        tcg_temp_free_i64(t);
        break;
    }
    VFIX(MOVSLDUP, movsdup, 0)
    VFIX(MOVSHDUP, movsdup, 1)
    case X86_OP_EMMS:
        /* SDM vol. 2 "EMMS": every x87 tag empty. */
        gen_helper_emms(tcg_env);
        break;
    case X86_OP_LDMXCSR: case X86_OP_STMXCSR:
        gen_ldst_mxcsr(s, insn);
        break;
    case X86_OP_MASKMOVQ: case X86_OP_MASKMOVDQU:
        gen_maskmov(s, insn);
        break;

    /* inline 64-bit lanes */
    case X86_OP_PAND: case X86_OP_PANDN: case X86_OP_POR: case X86_OP_PXOR:
    case X86_OP_ANDPS: case X86_OP_ANDPD: case X86_OP_ANDNPS: case X86_OP_ANDNPD:
    case X86_OP_ORPS: case X86_OP_ORPD: case X86_OP_XORPS: case X86_OP_XORPD:
    case X86_OP_PADDQ: case X86_OP_PSUBQ:
        gen_lane64(s, insn);
        break;

    /* integer lanes */
    VLEN(PADDB, paddb) VLEN(PADDW, paddw) VLEN(PADDD, paddd)
    VLEN(PSUBB, psubb) VLEN(PSUBW, psubw) VLEN(PSUBD, psubd)
    VLEN(PADDSB, paddsb) VLEN(PADDSW, paddsw) VLEN(PADDUSB, paddusb) VLEN(PADDUSW, paddusw)
    VLEN(PSUBSB, psubsb) VLEN(PSUBSW, psubsw) VLEN(PSUBUSB, psubusb) VLEN(PSUBUSW, psubusw)
    VLEN(PCMPEQB, pcmpeqb) VLEN(PCMPEQW, pcmpeqw) VLEN(PCMPEQD, pcmpeqd)
    VLEN(PCMPEQQ, pcmpeqq)
    VLEN(PCMPGTB, pcmpgtb) VLEN(PCMPGTW, pcmpgtw) VLEN(PCMPGTD, pcmpgtd)
    VLEN(PCMPGTQ, pcmpgtq)
    VLEN(PMULLW, pmullw) VLEN(PMULHW, pmulhw) VLEN(PMULHUW, pmulhuw) VLEN(PMULLD, pmulld)
    VLEN(PMULHRSW, pmulhrsw) VLEN(PMULUDQ, pmuludq) VLEN(PMULDQ, pmuldq)
    VLEN(PMADDWD, pmaddwd) VLEN(PMADDUBSW, pmaddubsw) VLEN(PSADBW, psadbw)
    VLEN(PAVGB, pavgb) VLEN(PAVGW, pavgw)
    VLEN(PMINUB, pminub) VLEN(PMAXUB, pmaxub) VLEN(PMINSW, pminsw) VLEN(PMAXSW, pmaxsw)
    VLEN(PMINSB, pminsb) VLEN(PMAXSB, pmaxsb) VLEN(PMINSD, pminsd) VLEN(PMAXSD, pmaxsd)
    VLEN(PMINUW, pminuw) VLEN(PMAXUW, pmaxuw) VLEN(PMINUD, pminud) VLEN(PMAXUD, pmaxud)
    VLEN(PSIGNB, psignb) VLEN(PSIGNW, psignw) VLEN(PSIGND, psignd)
    VLEN(PABSB, pabsb) VLEN(PABSW, pabsw) VLEN(PABSD, pabsd)
    VLEN(PACKSSWB, packsswb) VLEN(PACKUSWB, packuswb) VLEN(PACKSSDW, packssdw)
    VLEN(PACKUSDW, packusdw)
    VLEN(PUNPCKLBW, punpcklbw) VLEN(PUNPCKLWD, punpcklwd) VLEN(PUNPCKLDQ, punpckldq)
    VLEN(PUNPCKLQDQ, punpcklqdq)
    VLEN(PUNPCKHBW, punpckhbw) VLEN(PUNPCKHWD, punpckhwd) VLEN(PUNPCKHDQ, punpckhdq)
    VLEN(PUNPCKHQDQ, punpckhqdq)
    VLEN(UNPCKLPS, punpckldq) VLEN(UNPCKHPS, punpckhdq)
    VLEN(UNPCKLPD, punpcklqdq) VLEN(UNPCKHPD, punpckhqdq)
    VSHIFT(PSRLW, psrlw) VSHIFT(PSRLD, psrld) VSHIFT(PSRLQ, psrlq)
    VSHIFT(PSLLW, psllw) VSHIFT(PSLLD, pslld) VSHIFT(PSLLQ, psllq)
    VSHIFT(PSRAW, psraw) VSHIFT(PSRAD, psrad)
    VSHIFT(PSRLDQ, psrldq) VSHIFT(PSLLDQ, pslldq)
    VLEN(PSHUFB, pshufb)
    VLEN(PHADDW, phaddw) VLEN(PHADDD, phaddd) VLEN(PHADDSW, phaddsw)
    VLEN(PHSUBW, phsubw) VLEN(PHSUBD, phsubd) VLEN(PHSUBSW, phsubsw)
    VLEN(PBLENDVB, pblendvb) VLEN(BLENDVPS, blendvps) VLEN(BLENDVPD, blendvpd)
    VLEN(PHMINPOSUW, phminposuw)
    VIMM(PSHUFW, pshufw) VIMM(PSHUFLW, pshuflw) VIMM(PSHUFHW, pshufhw) VIMM(PSHUFD, pshufd)
    VIMM(SHUFPS, shufps) VIMM(SHUFPD, shufpd)
    VIMM(PBLENDW, pblendw) VIMM(BLENDPS, blendps) VIMM(BLENDPD, blendpd)
    VIMM(MPSADBW, mpsadbw)
    case X86_OP_PALIGNR:
        gen_vec(s, insn, is_mmx(&insn->op[0]) ? gen_helper_palignr_mmx
                                              : gen_helper_palignr_xmm, imm8(insn, 2));
        break;
    case X86_OP_PMOVSXBW: gen_pmovx(s, insn, 1, 2, true); break;
    case X86_OP_PMOVSXBD: gen_pmovx(s, insn, 1, 4, true); break;
    case X86_OP_PMOVSXBQ: gen_pmovx(s, insn, 1, 8, true); break;
    case X86_OP_PMOVSXWD: gen_pmovx(s, insn, 2, 4, true); break;
    case X86_OP_PMOVSXWQ: gen_pmovx(s, insn, 2, 8, true); break;
    case X86_OP_PMOVSXDQ: gen_pmovx(s, insn, 4, 8, true); break;
    case X86_OP_PMOVZXBW: gen_pmovx(s, insn, 1, 2, false); break;
    case X86_OP_PMOVZXBD: gen_pmovx(s, insn, 1, 4, false); break;
    case X86_OP_PMOVZXBQ: gen_pmovx(s, insn, 1, 8, false); break;
    case X86_OP_PMOVZXWD: gen_pmovx(s, insn, 2, 4, false); break;
    case X86_OP_PMOVZXWQ: gen_pmovx(s, insn, 2, 8, false); break;
    case X86_OP_PMOVZXDQ: gen_pmovx(s, insn, 4, 8, false); break;
    case X86_OP_PTEST:
        gen_flag_op(s, insn, gen_helper_ptest);
        break;
    case X86_OP_PINSRW: gen_pinsr(s, insn, 2); break;
    case X86_OP_PINSRB: gen_pinsr(s, insn, 1); break;
    case X86_OP_PINSRD: gen_pinsr(s, insn, insn->op[1].size); break;
    case X86_OP_PEXTRW: gen_pextr(s, insn, 2); break;
    case X86_OP_PEXTRB: gen_pextr(s, insn, 1); break;
    case X86_OP_PEXTRD: gen_pextr(s, insn, insn->op[0].size); break;
    case X86_OP_EXTRACTPS: gen_pextr(s, insn, 4); break;
    case X86_OP_INSERTPS: gen_insertps(s, insn); break;
    case X86_OP_PMOVMSKB: gen_movmsk(s, insn, gen_helper_pmovmskb); break;
    case X86_OP_MOVMSKPS: gen_movmsk(s, insn, gen_helper_movmskps); break;
    case X86_OP_MOVMSKPD: gen_movmsk(s, insn, gen_helper_movmskpd); break;
    case X86_OP_PCMPESTRI: case X86_OP_PCMPESTRM: case X86_OP_PCMPISTRI:
    case X86_OP_PCMPISTRM:
        gen_pcmpstr(s, insn);
        break;
    VFIX(AESENC, aesenc, 0) VFIX(AESENCLAST, aesenclast, 0)
    VFIX(AESDEC, aesdec, 0) VFIX(AESDECLAST, aesdeclast, 0) VFIX(AESIMC, aesimc, 0)
    VIMM(AESKEYGENASSIST, aeskeygenassist) VIMM(PCLMULQDQ, pclmulqdq)

    /* floating point */
    VFIX(ADDPS, addps, 16) VFIX(ADDPD, addpd, 16) VFIX(ADDSS, addss, 16) VFIX(ADDSD, addsd, 16)
    VFIX(SUBPS, subps, 16) VFIX(SUBPD, subpd, 16) VFIX(SUBSS, subss, 16) VFIX(SUBSD, subsd, 16)
    VFIX(MULPS, mulps, 16) VFIX(MULPD, mulpd, 16) VFIX(MULSS, mulss, 16) VFIX(MULSD, mulsd, 16)
    VFIX(DIVPS, divps, 16) VFIX(DIVPD, divpd, 16) VFIX(DIVSS, divss, 16) VFIX(DIVSD, divsd, 16)
    VFIX(MINPS, minps, 16) VFIX(MINPD, minpd, 16) VFIX(MINSS, minss, 16) VFIX(MINSD, minsd, 16)
    VFIX(MAXPS, maxps, 16) VFIX(MAXPD, maxpd, 16) VFIX(MAXSS, maxss, 16) VFIX(MAXSD, maxsd, 16)
    VFIX(SQRTPS, sqrtps, 16) VFIX(SQRTPD, sqrtpd, 16)
    VFIX(SQRTSS, sqrtss, 16) VFIX(SQRTSD, sqrtsd, 16)
    VFIX(RCPPS, rcpps, 16) VFIX(RCPSS, rcpss, 16)
    VFIX(RSQRTPS, rsqrtps, 16) VFIX(RSQRTSS, rsqrtss, 16)
    VFIX(ADDSUBPS, addsubps, 16) VFIX(ADDSUBPD, addsubpd, 16)
    VFIX(HADDPS, haddps, 16) VFIX(HADDPD, haddpd, 16)
    VFIX(HSUBPS, hsubps, 16) VFIX(HSUBPD, hsubpd, 16)
    VIMM(CMPPS, cmpps) VIMM(CMPPD, cmppd) VIMM(CMPSS, cmpss) VIMM(CMPSD, cmpsd)
    VIMM(ROUNDPS, roundps) VIMM(ROUNDPD, roundpd) VIMM(ROUNDSS, roundss)
    VIMM(ROUNDSD, roundsd)
    VIMM(DPPS, dpps) VIMM(DPPD, dppd)
    VFIX(CVTPS2PD, cvtps2pd, 16) VFIX(CVTPD2PS, cvtpd2ps, 16)
    VFIX(CVTSS2SD, cvtss2sd, 16) VFIX(CVTSD2SS, cvtsd2ss, 16)
    VFIX(CVTDQ2PS, cvtdq2ps, 16) VFIX(CVTPS2DQ, cvtps2dq, 16)
    VFIX(CVTTPS2DQ, cvttps2dq, 16)
    VFIX(CVTDQ2PD, cvtdq2pd, 16) VFIX(CVTPD2DQ, cvtpd2dq, 16)
    VFIX(CVTTPD2DQ, cvttpd2dq, 16)
    VFIX(CVTPI2PS, cvtpi2ps, 16) VFIX(CVTPI2PD, cvtpi2pd, 16)
    VFIX(CVTPS2PI, cvtps2pi, 8) VFIX(CVTTPS2PI, cvttps2pi, 8)
    VFIX(CVTPD2PI, cvtpd2pi, 8) VFIX(CVTTPD2PI, cvttpd2pi, 8)
    case X86_OP_CVTSI2SS: gen_cvtsi2s(s, insn, false); break;
    case X86_OP_CVTSI2SD: gen_cvtsi2s(s, insn, true); break;
    case X86_OP_CVTSS2SI: gen_cvt2si(s, insn, gen_helper_cvtss2si); break;
    case X86_OP_CVTTSS2SI: gen_cvt2si(s, insn, gen_helper_cvttss2si); break;
    case X86_OP_CVTSD2SI: gen_cvt2si(s, insn, gen_helper_cvtsd2si); break;
    case X86_OP_CVTTSD2SI: gen_cvt2si(s, insn, gen_helper_cvttsd2si); break;
    case X86_OP_COMISS: gen_flag_op(s, insn, gen_helper_comiss); break;
    case X86_OP_UCOMISS: gen_flag_op(s, insn, gen_helper_ucomiss); break;
    case X86_OP_COMISD: gen_flag_op(s, insn, gen_helper_comisd); break;
    case X86_OP_UCOMISD: gen_flag_op(s, insn, gen_helper_ucomisd); break;

    default:
        gen_unimp(s, "MMX/SSE");
        break;
    }
    return true;
}
