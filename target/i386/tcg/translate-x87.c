/*
 * x86 translator: x87 FPU, FXSAVE/FXRSTOR and the XSAVE family (SDM vol. 1
 * ch. 8, 10.5, 13). Every instruction is a helper call (fpu-helper.c,
 * fpu-env-helper.c, xsave-helper.c); the generated code does the checks the
 * TB flags decide (#NM), the pending-exception check of waiting instructions
 * (#MF), the FPU instruction/data pointer and opcode updates, and the EFLAGS
 * side of FCOMI and FCMOVcc. docs/devel/x86-translator.md "x87".
 */
#include "util/osdep.h"
#include "target/i386/tcg/translate.h"
#include "target/i386/tcg/helper.h"
#include "target/i386/tcg/fpu-internal.h"

#define X87_ENV_OFF(field) (offsetof(CPUX86State, xsave_area) + (field))

/* Instructions that do not check for pending exceptions (SDM vol. 1 §8.3.11). */
static bool x87_no_wait(unsigned opc)
{
    switch (opc) {
    case X86_OP_FNINIT: case X86_OP_FNCLEX: case X86_OP_FNSTCW: case X86_OP_FNSTSW:
    case X86_OP_FNSTENV: case X86_OP_FNSAVE: case X86_OP_FNENI: case X86_OP_FNDISI:
    case X86_OP_FNSETPM:
        return true;
    default:
        return false;
    }
}

/*
 * Control instructions leave FIP, FDP and FOP alone (SDM vol. 1 §8.1.8); the
 * others record themselves there.
 */
static bool x87_is_control(unsigned opc)
{
    switch (opc) {
    case X86_OP_FLDCW: case X86_OP_FLDENV: case X86_OP_FRSTOR:
        return true;
    default:
        return x87_no_wait(opc);
    }
}

static bool x87_real_format(DisasContext *s)
{
    return !(s->flags & HF_PE_MASK) || (s->flags & HF_VM_MASK);
}

/* FSW.ES set: #MF or FERR# before the instruction (helper_fpu_pending). */
static void gen_x87_pending(DisasContext *s)
{
    TCGv_i32 t = tcg_temp_new_i32();
    TCGLabel *done = gen_new_label();

    tcg_gen_ld8u_i32(t, tcg_env, X87_ENV_OFF(X87_OFF_FSW));
    tcg_gen_brcondi_i32(TCG_COND_TSTEQ, t, FSW_ES, done);
    gen_helper_fpu_pending(tcg_env);
    gen_set_label(done);
    tcg_temp_free_i32(t);
}

/*
 * FIP = this instruction, FOP = low 3 bits of the escape byte and ModRM, FDP
 * = the memory operand's offset (SDM vol. 1 §8.1.8-8.1.9). Real and
 * virtual-8086 mode keep linear addresses (the real-mode image formats hold
 * 20-bit addresses). Host-order stores into the little-endian image: like the
 * SSE side, this assumes a little-endian host.
 */
static void gen_x87_pointers(DisasContext *s, const X86Insn *insn)
{
    bool real = x87_real_format(s);
    uint64_t fip = real ? (uint32_t)(s->cs_base + s->pc) : s->pc;
    uint16_t fop = ((insn->opbyte & 7) << 8) | insn->modrm;

    tcg_gen_st_i64(tcg_constant_i64(fip), tcg_env, X87_ENV_OFF(X87_OFF_FIP));
    tcg_gen_st16_i32(tcg_constant_i32(fop), tcg_env, X87_ENV_OFF(X87_OFF_FOP));
    if (insn->op[0].kind == X86_OPK_MEM) {
        if (real) {
            gen_compute_a0(s, &insn->op[0]);
            tcg_gen_st_i64(s->A0, tcg_env, X87_ENV_OFF(X87_OFF_FDP));
        } else {
            TCGv_i64 ea = tcg_temp_new_i64();
            gen_lea_op(s, &insn->op[0], ea);
            tcg_gen_st_i64(ea, tcg_env, X87_ENV_OFF(X87_OFF_FDP));
            tcg_temp_free_i64(ea);
        }
    }
}

/* The ctl bits every memory helper needs: MMU index of A0 and address wrap. */
static uint32_t x87_mem_ctl(DisasContext *s)
{
    return (uint32_t)gen_mem_idx(s, s->A0) << X87_CTL_MMU_SHIFT |
           (s->code64 ? 0 : X87_CTL_A32);
}

static unsigned x87_fp_type(unsigned size)
{
    return size == 4 ? X87_M32FP : size == 8 ? X87_M64FP : X87_M80FP;
}

static unsigned x87_int_type(unsigned size)
{
    return size == 2 ? X87_M16INT : size == 4 ? X87_M32INT : X87_M64INT;
}

/* ModRM.reg code of the arithmetic group for an opcode (helper_farith's op). */
static int x87_arith_op(unsigned opc)
{
    switch (opc) {
    case X86_OP_FADD: case X86_OP_FADDP: case X86_OP_FIADD: return 0;
    case X86_OP_FMUL: case X86_OP_FMULP: case X86_OP_FIMUL: return 1;
    case X86_OP_FSUB: case X86_OP_FSUBP: case X86_OP_FISUB: return 4;
    case X86_OP_FSUBR: case X86_OP_FSUBRP: case X86_OP_FISUBR: return 5;
    case X86_OP_FDIV: case X86_OP_FDIVP: case X86_OP_FIDIV: return 6;
    case X86_OP_FDIVR: case X86_OP_FDIVRP: case X86_OP_FIDIVR: return 7;
    default: return -1;
    }
}

static bool x87_is_int_arith(unsigned opc)
{
    return opc >= X86_OP_FIADD && opc <= X86_OP_FIDIVR;
}

/*
 * FCOMI/FUCOMI[P]: the helper returns all six arithmetic flags (OF SF AF
 * cleared), so the lazy state is simply replaced by CC_OP_EFLAGS.
 */
static void gen_fcomi(DisasContext *s, uint32_t ctl)
{
    TCGv_i64 f = tcg_temp_new_i64(), rfl = tcg_temp_new_i64();

    gen_helper_fcomi(f, tcg_env, tcg_constant_i32(ctl));
    tcg_gen_ld_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    tcg_gen_andi_i64(rfl, rfl, ~(int64_t)RFLAGS_ARITH);
    tcg_gen_or_i64(rfl, rfl, f);
    tcg_gen_st_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
    gen_set_cc_op(s, CC_OP_EFLAGS);
    tcg_temp_free_i64(f);
    tcg_temp_free_i64(rfl);
}

/* FCMOVcc: the condition through the lazy flags (B, E, BE, U and negations). */
static void gen_fcmov(DisasContext *s, unsigned opc, unsigned i)
{
    static const struct { uint16_t opc; uint8_t cc; } conds[] = {
        { X86_OP_FCMOVB, 0x2 }, { X86_OP_FCMOVNB, 0x3 }, { X86_OP_FCMOVE, 0x4 },
        { X86_OP_FCMOVNE, 0x5 }, { X86_OP_FCMOVBE, 0x6 }, { X86_OP_FCMOVNBE, 0x7 },
        { X86_OP_FCMOVU, 0xa }, { X86_OP_FCMOVNU, 0xb },
    };
    TCGv_i64 c = tcg_temp_new_i64();
    TCGv_i32 c32 = tcg_temp_new_i32();
    int cc = 0;

    for (unsigned k = 0; k < G_N_ELEMENTS(conds); k++) {
        if (conds[k].opc == opc) {
            cc = conds[k].cc;
        }
    }
    gen_setcc(s, cc, c);
    tcg_gen_extrl_i64_i32(c32, c);
    gen_helper_fcmov(tcg_env, tcg_constant_i32(i), c32);
    tcg_temp_free_i64(c);
    tcg_temp_free_i32(c32);
}

/* Instructions with a memory operand (op[0]). */
static bool gen_x87_mem(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *op = &insn->op[0];
    unsigned opc = insn->opcode, size = op->size;
    int aop = x87_arith_op(opc);

    gen_compute_a0(s, op);
    uint32_t ctl = x87_mem_ctl(s);
    if (aop >= 0) {
        unsigned t = x87_is_int_arith(opc) ? x87_int_type(size) : x87_fp_type(size);
        gen_helper_farith_m(tcg_env, s->A0, tcg_constant_i32(ctl | aop | t << 4));
        return true;
    }
    switch (opc) {
    case X86_OP_FCOM:
    case X86_OP_FCOMP:
        ctl |= x87_fp_type(size) << 4 | (opc == X86_OP_FCOMP ? 1 << 13 : 0);
        gen_helper_fcom_m(tcg_env, s->A0, tcg_constant_i32(ctl));
        return true;
    case X86_OP_FICOM:
    case X86_OP_FICOMP:
        ctl |= x87_int_type(size) << 4 | (opc == X86_OP_FICOMP ? 1 << 13 : 0);
        gen_helper_fcom_m(tcg_env, s->A0, tcg_constant_i32(ctl));
        return true;
    case X86_OP_FLD:
        gen_helper_fld_m(tcg_env, s->A0, tcg_constant_i32(ctl | x87_fp_type(size) << 4));
        return true;
    case X86_OP_FILD:
        gen_helper_fld_m(tcg_env, s->A0, tcg_constant_i32(ctl | x87_int_type(size) << 4));
        return true;
    case X86_OP_FBLD:
        gen_helper_fld_m(tcg_env, s->A0, tcg_constant_i32(ctl | X87_BCD << 4));
        return true;
    case X86_OP_FST:
    case X86_OP_FSTP:
        ctl |= x87_fp_type(size) << 4 | (opc == X86_OP_FSTP ? X87_CTL_POP : 0);
        gen_helper_fst_m(tcg_env, s->A0, tcg_constant_i32(ctl));
        return true;
    case X86_OP_FIST:
    case X86_OP_FISTP:
        ctl |= x87_int_type(size) << 4 | (opc == X86_OP_FISTP ? X87_CTL_POP : 0);
        gen_helper_fst_m(tcg_env, s->A0, tcg_constant_i32(ctl));
        return true;
    case X86_OP_FISTTP:
        ctl |= (x87_int_type(size) - X87_M16INT + X87_M16INT_T) << 4 | X87_CTL_POP;
        gen_helper_fst_m(tcg_env, s->A0, tcg_constant_i32(ctl));
        return true;
    case X86_OP_FBSTP:
        ctl |= X87_BCD << 4 | X87_CTL_POP;
        gen_helper_fst_m(tcg_env, s->A0, tcg_constant_i32(ctl));
        return true;
    case X86_OP_FLDCW: {
        TCGv_i64 v = tcg_temp_new_i64();
        TCGv_i32 v32 = tcg_temp_new_i32();
        gen_qemu_ld(s, v, s->A0, MO_16, false);
        tcg_gen_extrl_i64_i32(v32, v);
        gen_helper_fldcw(tcg_env, v32);
        tcg_temp_free_i64(v);
        tcg_temp_free_i32(v32);
        return true;
    }
    case X86_OP_FNSTCW:
    case X86_OP_FNSTSW: {
        TCGv_i32 v32 = tcg_temp_new_i32();
        TCGv_i64 v = tcg_temp_new_i64();
        if (opc == X86_OP_FNSTCW) {
            gen_helper_fnstcw(v32, tcg_env);
        } else {
            gen_helper_fnstsw(v32, tcg_env);
        }
        tcg_gen_extu_i32_i64(v, v32);
        gen_qemu_st(s, v, s->A0, MO_16);
        tcg_temp_free_i64(v);
        tcg_temp_free_i32(v32);
        return true;
    }
    case X86_OP_FLDENV:
    case X86_OP_FNSTENV:
    case X86_OP_FRSTOR:
    case X86_OP_FNSAVE: {
        /* The 28/108-byte images with a 32-bit operand size (SDM Figures 8-9..8-12). */
        bool op32 = insn->data_size != 2;
        ctl |= (op32 ? X87_CTL_OP32 : 0) | (x87_real_format(s) ? 0 : X87_CTL_PROT);
        TCGv_i32 c = tcg_constant_i32(ctl);
        if (opc == X86_OP_FLDENV) {
            gen_helper_fldenv(tcg_env, s->A0, c);
        } else if (opc == X86_OP_FNSTENV) {
            gen_helper_fnstenv(tcg_env, s->A0, c);
        } else if (opc == X86_OP_FRSTOR) {
            gen_helper_frstor(tcg_env, s->A0, c);
        } else {
            gen_helper_fnsave(tcg_env, s->A0, c);
        }
        return true;
    }
    default:
        return false;
    }
}

/* Register forms and operand-less instructions. */
static bool gen_x87_reg(DisasContext *s, const X86Insn *insn)
{
    unsigned opc = insn->opcode;
    unsigned r0 = insn->op[0].reg & 7, r1 = insn->op[1].reg & 7;
    int aop = x87_arith_op(opc);

    if (aop >= 0) {
        /* op[0] is the destination, op[1] the other operand (ST(0) or ST(i)). */
        bool pop = opc == X86_OP_FADDP || opc == X86_OP_FMULP || opc == X86_OP_FSUBP ||
                   opc == X86_OP_FSUBRP || opc == X86_OP_FDIVP || opc == X86_OP_FDIVRP;
        uint32_t ctl = aop | r0 << 4 | r1 << 8 | (pop ? X87_CTL_POP : 0);
        gen_helper_farith(tcg_env, tcg_constant_i32(ctl));
        return true;
    }
    switch (opc) {
    case X86_OP_FCOM:
    case X86_OP_FCOMP:
    case X86_OP_FUCOM:
    case X86_OP_FUCOMP: {
        bool quiet = opc == X86_OP_FUCOM || opc == X86_OP_FUCOMP;
        bool pop = opc == X86_OP_FCOMP || opc == X86_OP_FUCOMP;
        uint32_t ctl = r0 | (quiet ? X87_CTL_QUIET : 0) | (pop ? 1 << 13 : 0);
        gen_helper_fcom_st(tcg_env, tcg_constant_i32(ctl));
        return true;
    }
    case X86_OP_FCOMPP:
    case X86_OP_FUCOMPP:
        gen_helper_fcom_st(tcg_env, tcg_constant_i32(1 | 2 << 13 |
                                                     (opc == X86_OP_FUCOMPP ? X87_CTL_QUIET : 0)));
        return true;
    case X86_OP_FCOMI:
    case X86_OP_FCOMIP:
    case X86_OP_FUCOMI:
    case X86_OP_FUCOMIP: {
        bool quiet = opc == X86_OP_FUCOMI || opc == X86_OP_FUCOMIP;
        bool pop = opc == X86_OP_FCOMIP || opc == X86_OP_FUCOMIP;
        gen_fcomi(s, r1 | (quiet ? X87_CTL_QUIET : 0) | (pop ? 1 << 13 : 0));
        return true;
    }
    case X86_OP_FCMOVB: case X86_OP_FCMOVE: case X86_OP_FCMOVBE: case X86_OP_FCMOVU:
    case X86_OP_FCMOVNB: case X86_OP_FCMOVNE: case X86_OP_FCMOVNBE: case X86_OP_FCMOVNU:
        gen_fcmov(s, opc, r1);
        return true;
    case X86_OP_FLD:
        gen_helper_fld_st(tcg_env, tcg_constant_i32(r0));
        return true;
    case X86_OP_FST:
    case X86_OP_FSTP:
        gen_helper_fst_st(tcg_env, tcg_constant_i32(r0 | (opc == X86_OP_FSTP ? X87_CTL_POP
                                                                               : 0)));
        return true;
    case X86_OP_FXCH:
        gen_helper_fxch(tcg_env, tcg_constant_i32(r0));
        return true;
    case X86_OP_FFREE:
    case X86_OP_FFREEP:
        gen_helper_ffree(tcg_env, tcg_constant_i32(r0 | (opc == X86_OP_FFREEP ? X87_CTL_POP
                                                                               : 0)));
        return true;
    case X86_OP_FNSTSW: {
        /* DF E0: FNSTSW AX. */
        TCGv_i32 v32 = tcg_temp_new_i32();
        TCGv_i64 v = tcg_temp_new_i64();
        gen_helper_fnstsw(v32, tcg_env);
        tcg_gen_extu_i32_i64(v, v32);
        gen_write_reg(MO_16, R_EAX, false, v);
        tcg_temp_free_i64(v);
        tcg_temp_free_i32(v32);
        return true;
    }
    case X86_OP_FNENI:
    case X86_OP_FNDISI:
    case X86_OP_FNSETPM:
        /* 8087/80287 interrupt and mode controls: no-ops since the 387. */
        return true;
    case X86_OP_FNOP: case X86_OP_FCHS: case X86_OP_FABS: case X86_OP_FTST:
    case X86_OP_FXAM: case X86_OP_FLD1: case X86_OP_FLDL2T: case X86_OP_FLDL2E:
    case X86_OP_FLDPI: case X86_OP_FLDLG2: case X86_OP_FLDLN2: case X86_OP_FLDZ:
    case X86_OP_F2XM1: case X86_OP_FYL2X: case X86_OP_FPTAN: case X86_OP_FPATAN:
    case X86_OP_FXTRACT: case X86_OP_FPREM1: case X86_OP_FDECSTP: case X86_OP_FINCSTP:
    case X86_OP_FPREM: case X86_OP_FYL2XP1: case X86_OP_FSQRT: case X86_OP_FSINCOS:
    case X86_OP_FRNDINT: case X86_OP_FSCALE: case X86_OP_FSIN: case X86_OP_FCOS:
    case X86_OP_FNCLEX: case X86_OP_FNINIT:
        gen_helper_fop(tcg_env, tcg_constant_i32(opc));
        return true;
    default:
        return false;
    }
}

/* FXSAVE, FXRSTOR, XSAVE, XSAVEOPT, XSAVEC, XRSTOR. */
static void gen_save_family(DisasContext *s, const X86Insn *insn)
{
    gen_compute_a0(s, &insn->op[0]);
    uint32_t ctl = x87_mem_ctl(s) | (insn->rex & X86_REX_W ? X87_CTL_REXW : 0) |
                   (s->code64 ? X87_CTL_CODE64 : 0);
    switch (insn->opcode) {
    case X86_OP_FXSAVE:
        gen_helper_fxsave(tcg_env, s->A0, tcg_constant_i32(ctl));
        break;
    case X86_OP_FXRSTOR:
        gen_helper_fxrstor(tcg_env, s->A0, tcg_constant_i32(ctl));
        break;
    case X86_OP_XRSTOR:
        gen_helper_xrstor(tcg_env, s->A0, tcg_constant_i32(ctl));
        break;
    default: {
        unsigned var = insn->opcode == X86_OP_XSAVEC ? X87_XSAVEC :
                       insn->opcode == X86_OP_XSAVEOPT ? X87_XSAVEOPT : X87_XSAVE;
        ctl |= var << X87_CTL_XVAR_SHIFT;
        gen_helper_xsave(tcg_env, s->A0, tcg_constant_i32(ctl));
        break;
    }
    }
}

bool disas_x87(DisasContext *s, const X86Insn *insn)
{
    unsigned opc = insn->opcode;

    switch (opc) {
    case X86_OP_FXSAVE:
    case X86_OP_FXRSTOR:
        /* #NM with CR0.TS or CR0.EM (SDM vol. 2 FXSAVE). */
        if (s->flags & (HF_EM_MASK | HF_TS_MASK)) {
            gen_exception(s, EXCP07_PREX);
            return true;
        }
        gen_save_family(s, insn);
        return true;
    case X86_OP_XSAVE:
    case X86_OP_XSAVEOPT:
    case X86_OP_XSAVEC:
    case X86_OP_XRSTOR:
        /* #UD (CR4.OSXSAVE) and #NM (CR0.TS) are checked by the helpers. */
        gen_save_family(s, insn);
        return true;
    case X86_OP_FWAIT:
        /* WAIT: #NM only with both CR0.TS and CR0.MP (SDM vol. 3 Table 2-2). */
        if ((s->flags & (HF_TS_MASK | HF_MP_MASK)) == (HF_TS_MASK | HF_MP_MASK)) {
            gen_exception(s, EXCP07_PREX);
            return true;
        }
        gen_x87_pending(s);
        return true;
    default:
        if (opc < X86_OP_FADD || opc > X86_OP_FCOMIP) {
            return false;
        }
        break;
    }

    /* x87 escapes: #NM with CR0.EM or CR0.TS (SDM vol. 3 §2.5, Table 2-2). */
    if (s->flags & (HF_EM_MASK | HF_TS_MASK)) {
        gen_exception(s, EXCP07_PREX);
        return true;
    }
    if (!x87_no_wait(opc)) {
        gen_x87_pending(s);
    }
    if (!x87_is_control(opc)) {
        gen_x87_pointers(s, insn);
    }
    if (insn->op[0].kind == X86_OPK_MEM ? gen_x87_mem(s, insn) : gen_x87_reg(s, insn)) {
        return true;
    }
    gen_unimp(s, "x87 form");
    return true;
}
