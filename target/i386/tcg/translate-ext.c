/*
 * x86 translator: integer extensions and the remaining legacy integer
 * instructions (SDM vol. 2 instruction pages):
 * CMPXCHG8B/16B, MOVBE, CRC32, MOVNTI, BMI1 (ANDN BEXTR BLSI BLSMSK BLSR),
 * BMI2 (BZHI MULX PDEP PEXT RORX SARX SHLX SHRX), ADX (ADCX ADOX),
 * RDRAND/RDSEED, and for 16/32-bit code DAA DAS AAA AAS AAM AAD SALC,
 * PUSHA/POPA, ENTER, BOUND, ARPL, INT1.
 *
 * The ordering rule of translate-alu.c holds: registers and flags are written
 * only after the last access that can fault.
 */
#include "util/osdep.h"
#include "target/i386/tcg/translate.h"
#include "target/i386/tcg/helper.h"

/* ---- small tools ---- */

static uint64_t size_mask(unsigned bytes)
{
    return bytes == 8 ? ~0ull : (1ull << (bytes * 8)) - 1;
}

/* Raise @vector with error code @err at this instruction when @cond(a, b) holds. */
static void gen_exception_if(DisasContext *s, TCGCond cond, TCGv_i64 a, int64_t b,
                             int vector, int err, bool has_err)
{
    TCGLabel *skip = gen_new_label();
    gen_update_cc_op(s);
    tcg_gen_brcondi_i64(tcg_invert_cond(cond), a, b, skip);
    gen_store_rip(s, s->pc);
    if (has_err) {
        gen_helper_raise_exception_err(tcg_env, tcg_constant_i32(vector),
                                       tcg_constant_i32(err));
    } else {
        gen_helper_raise_exception(tcg_env, tcg_constant_i32(vector));
    }
    gen_set_label(skip);
}

static void gen_load_rflags(TCGv_i64 rfl)
{
    tcg_gen_ld_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
}

static void gen_store_rflags(TCGv_i64 rfl)
{
    tcg_gen_st_i64(rfl, tcg_env, offsetof(CPUX86State, rflags));
}

/*
 * Replace all arithmetic flags: CF from @cf (0/1, NULL = 0); ZF and SF from
 * the @bytes-wide @res when @zf / @sf; OF, AF, PF = 0. Then CC_OP_EFLAGS.
 */
static void gen_set_flags_czs(DisasContext *s, TCGv_i64 cf, TCGv_i64 res, unsigned bytes,
                              bool zf, bool sf)
{
    TCGv_i64 rfl = tcg_temp_new_i64(), t = tcg_temp_new_i64();
    gen_load_rflags(rfl);
    tcg_gen_andi_i64(rfl, rfl, ~(int64_t)RFLAGS_ARITH);
    if (cf) {
        tcg_gen_or_i64(rfl, rfl, cf);
    }
    if (zf) {
        tcg_gen_andi_i64(t, res, size_mask(bytes));
        tcg_gen_setcondi_i64(TCG_COND_EQ, t, t, 0);
        tcg_gen_shli_i64(t, t, 6);
        tcg_gen_or_i64(rfl, rfl, t);
    }
    if (sf) {
        tcg_gen_extract_i64(t, res, bytes * 8 - 1, 1);
        tcg_gen_shli_i64(t, t, 7);
        tcg_gen_or_i64(rfl, rfl, t);
    }
    gen_store_rflags(rfl);
    gen_set_cc_op(s, CC_OP_EFLAGS);
    tcg_temp_free_i64(rfl);
    tcg_temp_free_i64(t);
}

/* Lazy flags for a logical result: SF ZF PF from @res, CF = OF = AF = 0. */
static void gen_set_flags_logic(DisasContext *s, TCGv_i64 res, unsigned bytes)
{
    unsigned size = size_log2(bytes);
    gen_ext_size(size, cpu_cc_dst, res, false);
    gen_set_cc_op(s, CC_OP_LOGICB + size);
}

/* ---- stack (SDM vol. 1 §6.2: address size from SS.B, 64 in 64-bit mode) ---- */

static unsigned stack_addr_size(DisasContext *s)
{
    return s->code64 ? 8 : (s->flags & HF_SS32_MASK) ? 4 : 2;
}

/* addr = linear address of SS:sp, sp wrapped to the stack address size. */
static void gen_stack_addr(DisasContext *s, TCGv_i64 addr, TCGv_i64 sp)
{
    gen_ext_size(size_log2(stack_addr_size(s)), addr, sp, false);
    gen_linear(s, X86_SEG_SS, addr, stack_addr_size(s));
}

static void gen_stack_st(DisasContext *s, TCGv_i64 sp, TCGv_i64 val, unsigned bytes)
{
    TCGv_i64 addr = tcg_temp_new_i64();
    gen_stack_addr(s, addr, sp);
    gen_qemu_st(s, val, addr, size_log2(bytes));
    tcg_temp_free_i64(addr);
}

static void gen_stack_ld(DisasContext *s, TCGv_i64 sp, TCGv_i64 val, unsigned bytes)
{
    TCGv_i64 addr = tcg_temp_new_i64();
    gen_stack_addr(s, addr, sp);
    gen_qemu_ld(s, val, addr, size_log2(bytes), false);
    tcg_temp_free_i64(addr);
}

/* ---- CMPXCHG8B / CMPXCHG16B ---- */

/*
 * SDM CMPXCHG8B/CMPXCHG16B: compare rDX:rAX with the memory operand; equal:
 * ZF = 1 and rCX:rBX is stored; else ZF = 0, the old value is stored back
 * (the access is always a write, as on hardware) and loaded into rDX:rAX
 * (EDX:EAX writes zero-extend in 64-bit mode). Other flags are unchanged.
 * CMPXCHG16B needs a 16-byte aligned operand (#GP(0)).
 */
static void gen_cmpxchg8b(DisasContext *s, const X86Insn *insn)
{
    bool wide = insn->opcode == X86_OP_CMPXCHG16B;
    unsigned half = wide ? MO_64 : MO_32;
    const X86Operand *m = &insn->op[0];
    TCGv_i64 lo = tcg_temp_new_i64(), hi = tcg_temp_new_i64();
    TCGv_i64 elo = tcg_temp_new_i64(), ehi = tcg_temp_new_i64();
    TCGv_i64 eq = tcg_temp_new_i64(), t = tcg_temp_new_i64();
    TCGv_i64 addr = tcg_temp_new_i64();
    TCGv_i64 zero = tcg_constant_i64(0);

    gen_compute_a0(s, m);
    if (wide) {
        gen_exception_if(s, TCG_COND_TSTNE, s->A0, 15, EXCP0D_GPF, 0, true);
    }
    gen_materialize_flags(s);
    if (wide) {
        tcg_gen_addi_i64(addr, s->A0, 8);
        gen_qemu_ld(s, lo, s->A0, MO_64, false);
        gen_qemu_ld(s, hi, addr, MO_64, false);
    } else {
        gen_qemu_ld(s, lo, s->A0, MO_64, false);
        tcg_gen_shri_i64(hi, lo, 32);
        tcg_gen_ext32u_i64(lo, lo);
    }
    /* eq = (lo == rAX && hi == rDX) at the half width. */
    gen_ext_size(half, elo, cpu_regs[R_EAX], false);
    gen_ext_size(half, ehi, cpu_regs[R_EDX], false);
    tcg_gen_xor_i64(elo, elo, lo);
    tcg_gen_xor_i64(ehi, ehi, hi);
    tcg_gen_or_i64(elo, elo, ehi);
    tcg_gen_setcondi_i64(TCG_COND_EQ, eq, elo, 0);

    /* New memory value: rCX:rBX when equal, else the old one. */
    gen_ext_size(half, elo, cpu_regs[R_EBX], false);
    gen_ext_size(half, ehi, cpu_regs[R_ECX], false);
    tcg_gen_movcond_i64(TCG_COND_NE, elo, eq, zero, elo, lo);
    tcg_gen_movcond_i64(TCG_COND_NE, ehi, eq, zero, ehi, hi);
    if (wide) {
        gen_qemu_st(s, elo, s->A0, MO_64);
        gen_qemu_st(s, ehi, addr, MO_64);
    } else {
        tcg_gen_deposit_i64(elo, elo, ehi, 32, 32);
        gen_qemu_st(s, elo, s->A0, MO_64);
    }

    /* Registers: rDX:rAX = old value only when unequal. */
    tcg_gen_movcond_i64(TCG_COND_NE, cpu_regs[R_EAX], eq, zero, cpu_regs[R_EAX], lo);
    tcg_gen_movcond_i64(TCG_COND_NE, cpu_regs[R_EDX], eq, zero, cpu_regs[R_EDX], hi);

    /* ZF = eq. */
    gen_load_rflags(t);
    tcg_gen_deposit_i64(t, t, eq, 6, 1);
    gen_store_rflags(t);

    tcg_temp_free_i64(lo);
    tcg_temp_free_i64(hi);
    tcg_temp_free_i64(elo);
    tcg_temp_free_i64(ehi);
    tcg_temp_free_i64(eq);
    tcg_temp_free_i64(t);
    tcg_temp_free_i64(addr);
}

/* ---- MOVBE, CRC32, MOVNTI ---- */

/* MOVBE (SDM): a load or store with the bytes reversed; 16-bit loads merge. */
static void gen_movbe(DisasContext *s, const X86Insn *insn)
{
    unsigned size = size_log2(insn->opsize);
    MemOp mop = (MemOp)(size | MO_BSWAP);
    TCGv_i64 t = tcg_temp_new_i64();

    if (insn->op[0].kind == X86_OPK_MEM) {
        gen_compute_a0(s, &insn->op[0]);
        gen_read_reg(size, t, insn->op[1].reg, false);
        tcg_gen_qemu_st_i64(t, s->A0, gen_mem_idx(s, s->A0), mop | gen_mem_align(s));
    } else {
        gen_compute_a0(s, &insn->op[1]);
        tcg_gen_qemu_ld_i64(t, s->A0, gen_mem_idx(s, s->A0), mop | gen_mem_align(s));
        gen_write_reg(size, insn->op[0].reg, false, t);
    }
    tcg_temp_free_i64(t);
}

/* CRC32 r32/r64, r/m8/16/32/64 (SDM CRC32): DEST[63:32] = 0 for r64. */
static void gen_crc32(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 crc = tcg_temp_new_i64(), v = tcg_temp_new_i64();
    gen_load_op(s, &insn->op[1], v, false);
    tcg_gen_ext32u_i64(crc, cpu_regs[insn->op[0].reg]);
    gen_helper_crc32c(crc, crc, v, tcg_constant_i32(insn->op[1].size * 8));
    tcg_gen_mov_i64(cpu_regs[insn->op[0].reg], crc);
    tcg_temp_free_i64(crc);
    tcg_temp_free_i64(v);
}

static void gen_movnti(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 t = tcg_temp_new_i64();
    gen_load_op(s, &insn->op[1], t, false);
    gen_store_op(s, &insn->op[0], t);
    tcg_temp_free_i64(t);
}

/* ---- BMI1 / BMI2 (VEX: op[] as the decoder lists them, SDM order) ---- */

static void gen_bmi(DisasContext *s, const X86Insn *insn)
{
    unsigned bytes = insn->op[0].size;
    unsigned size = size_log2(bytes), bits = bytes * 8;
    int dst = insn->op[0].reg;
    TCGv_i64 a = tcg_temp_new_i64(), b = tcg_temp_new_i64(), r = tcg_temp_new_i64();
    TCGv_i64 t = tcg_temp_new_i64(), cf = tcg_temp_new_i64();
    TCGv_i64 zero = tcg_constant_i64(0);

    switch (insn->opcode) {
    case X86_OP_ANDN:
        /* dest = ~src1 & src2; SF ZF, CF = OF = 0 (AF PF undefined). */
        gen_load_op(s, &insn->op[2], b, false);
        gen_read_reg(size, a, insn->op[1].reg, false);
        tcg_gen_andc_i64(r, b, a);
        gen_write_reg(size, dst, false, r);
        gen_set_flags_logic(s, r, bytes);
        break;
    case X86_OP_BEXTR: {
        /* start = src2[7:0], len = src2[15:8]; ZF, CF = OF = 0. */
        TCGv_i64 start = tcg_temp_new_i64(), len = tcg_temp_new_i64();
        gen_load_op(s, &insn->op[1], a, false);
        gen_read_reg(size, b, insn->op[2].reg, false);
        tcg_gen_extract_i64(start, b, 0, 8);
        tcg_gen_extract_i64(len, b, 8, 8);
        tcg_gen_shr_i64(r, a, start);
        tcg_gen_movcond_i64(TCG_COND_LTU, r, start, tcg_constant_i64(bits), r, zero);
        tcg_gen_shl_i64(t, tcg_constant_i64(-1), len);
        tcg_gen_not_i64(t, t);
        tcg_gen_movcond_i64(TCG_COND_LTU, t, len, tcg_constant_i64(64), t,
                            tcg_constant_i64(-1));
        tcg_gen_and_i64(r, r, t);
        gen_write_reg(size, dst, false, r);
        gen_set_flags_logic(s, r, bytes);
        tcg_temp_free_i64(start);
        tcg_temp_free_i64(len);
        break;
    }
    case X86_OP_BLSI:
    case X86_OP_BLSMSK:
    case X86_OP_BLSR:
        /* dest is op[0] = VEX.vvvv, source op[1]. */
        gen_load_op(s, &insn->op[1], a, false);
        if (insn->opcode == X86_OP_BLSI) {
            /* src & -src; CF = src != 0; ZF SF; OF = 0. */
            tcg_gen_neg_i64(r, a);
            tcg_gen_and_i64(r, r, a);
            tcg_gen_setcondi_i64(TCG_COND_NE, cf, a, 0);
        } else {
            /* BLSMSK: src ^ (src - 1), ZF = 0; BLSR: src & (src - 1); CF = src == 0. */
            tcg_gen_subi_i64(r, a, 1);
            if (insn->opcode == X86_OP_BLSMSK) {
                tcg_gen_xor_i64(r, r, a);
            } else {
                tcg_gen_and_i64(r, r, a);
            }
            tcg_gen_setcondi_i64(TCG_COND_EQ, cf, a, 0);
        }
        gen_write_reg(size, dst, false, r);
        gen_set_flags_czs(s, cf, r, bytes, insn->opcode != X86_OP_BLSMSK, true);
        break;
    case X86_OP_BZHI: {
        /* n = src2[7:0]; dest = src with bits n.. cleared; CF = n > bits - 1. */
        TCGv_i64 n = tcg_temp_new_i64();
        gen_load_op(s, &insn->op[1], a, false);
        gen_read_reg(size, b, insn->op[2].reg, false);
        tcg_gen_extract_i64(n, b, 0, 8);
        tcg_gen_shl_i64(t, tcg_constant_i64(-1), n);
        tcg_gen_andc_i64(r, a, t);
        tcg_gen_movcond_i64(TCG_COND_LTU, r, n, tcg_constant_i64(bits), r, a);
        tcg_gen_setcondi_i64(TCG_COND_GEU, cf, n, bits);
        gen_write_reg(size, dst, false, r);
        gen_set_flags_czs(s, cf, r, bytes, true, true);
        tcg_temp_free_i64(n);
        break;
    }
    case X86_OP_MULX: {
        /* hi:lo = rDX * src; lo to VEX.vvvv, then hi to ModRM.reg (which wins if
         * both name one register); flags unchanged. */
        TCGv_i64 hi = tcg_temp_new_i64();
        gen_load_op(s, &insn->op[2], b, false);
        gen_read_reg(size, a, R_EDX, false);
        if (bytes == 8) {
            tcg_gen_mulu2_i64(r, hi, a, b);
        } else {
            tcg_gen_mul_i64(r, a, b);
            tcg_gen_shri_i64(hi, r, 32);
        }
        gen_write_reg(size, insn->op[1].reg, false, r);
        gen_write_reg(size, dst, false, hi);
        tcg_temp_free_i64(hi);
        break;
    }
    case X86_OP_PDEP:
    case X86_OP_PEXT:
        /* Flags unchanged. */
        gen_load_op(s, &insn->op[2], b, false);
        gen_read_reg(size, a, insn->op[1].reg, false);
        if (insn->opcode == X86_OP_PDEP) {
            gen_helper_pdep(r, a, b);
        } else {
            gen_helper_pext(r, a, b);
        }
        gen_write_reg(size, dst, false, r);
        break;
    case X86_OP_RORX: {
        unsigned n = insn->op[2].imm & (bits - 1);
        gen_load_op(s, &insn->op[1], a, false);
        if (bytes == 8) {
            tcg_gen_rotri_i64(r, a, n);
        } else {
            TCGv_i32 t32 = tcg_temp_new_i32();
            tcg_gen_extrl_i64_i32(t32, a);
            tcg_gen_rotri_i32(t32, t32, n);
            tcg_gen_extu_i32_i64(r, t32);
            tcg_temp_free_i32(t32);
        }
        gen_write_reg(size, dst, false, r);
        break;
    }
    case X86_OP_SARX:
    case X86_OP_SHLX:
    case X86_OP_SHRX:
        /* count = src2 masked to 5 (6) bits; flags unchanged. */
        gen_load_op(s, &insn->op[1], a, insn->opcode == X86_OP_SARX);
        gen_read_reg(size, b, insn->op[2].reg, false);
        tcg_gen_andi_i64(b, b, bits - 1);
        if (insn->opcode == X86_OP_SARX) {
            tcg_gen_sar_i64(r, a, b);
        } else if (insn->opcode == X86_OP_SHLX) {
            tcg_gen_shl_i64(r, a, b);
        } else {
            tcg_gen_shr_i64(r, a, b);
        }
        gen_write_reg(size, dst, false, r);
        break;
    default:
        g_assert_not_reached();
    }
    tcg_temp_free_i64(a);
    tcg_temp_free_i64(b);
    tcg_temp_free_i64(r);
    tcg_temp_free_i64(t);
    tcg_temp_free_i64(cf);
}

/* ---- ADX ---- */

/*
 * ADCX: dest += src + CF, CF = carry out; ADOX the same with OF. Every other
 * flag is unchanged (SDM ADCX, ADOX).
 */
static void gen_adx(DisasContext *s, const X86Insn *insn)
{
    unsigned bytes = insn->op[0].size;
    int bit = insn->opcode == X86_OP_ADCX ? 0 : 11;
    int dst = insn->op[0].reg;
    TCGv_i64 a = tcg_temp_new_i64(), b = tcg_temp_new_i64(), cin = tcg_temp_new_i64();
    TCGv_i64 r = tcg_temp_new_i64(), cout = tcg_temp_new_i64(), rfl = tcg_temp_new_i64();
    TCGv_i64 zero = tcg_constant_i64(0);

    gen_load_op(s, &insn->op[1], b, false);
    gen_materialize_flags(s);
    gen_load_rflags(rfl);
    tcg_gen_extract_i64(cin, rfl, bit, 1);
    gen_read_reg(size_log2(bytes), a, dst, false);
    if (bytes == 8) {
        tcg_gen_add2_i64(r, cout, a, zero, b, zero);
        tcg_gen_add2_i64(r, cout, r, cout, cin, zero);
    } else {
        tcg_gen_add_i64(r, a, b);
        tcg_gen_add_i64(r, r, cin);
        tcg_gen_shri_i64(cout, r, 32);
    }
    gen_write_reg(size_log2(bytes), dst, false, r);
    tcg_gen_deposit_i64(rfl, rfl, cout, bit, 1);
    gen_store_rflags(rfl);
    tcg_temp_free_i64(a);
    tcg_temp_free_i64(b);
    tcg_temp_free_i64(cin);
    tcg_temp_free_i64(r);
    tcg_temp_free_i64(cout);
    tcg_temp_free_i64(rfl);
}

/* ---- RDRAND / RDSEED ---- */

static void gen_rdrand(DisasContext *s, const X86Insn *insn)
{
    unsigned bytes = insn->op[0].size;
    TCGv_i64 t = tcg_temp_new_i64();
    gen_helper_rdrand(t, tcg_env, tcg_constant_i32(bytes));
    gen_set_cc_op(s, CC_OP_EFLAGS);
    gen_write_reg(size_log2(bytes), insn->op[0].reg, false, t);
    tcg_temp_free_i64(t);
}

/* ---- legacy 16/32-bit integer instructions ---- */

static void gen_bcd(DisasContext *s, const X86Insn *insn, int op)
{
    uint32_t imm = insn->num_ops ? insn->op[0].imm & 0xff : 10;
    if (op == X86_BCD_AAM && imm == 0) {
        gen_exception(s, EXCP00_DIVZ);     /* SDM AAM: #DE if imm8 = 0 */
        return;
    }
    gen_materialize_flags(s);
    gen_helper_bcd(tcg_env, tcg_constant_i32(op), tcg_constant_i32(imm));
}

/* SALC (undocumented D6): AL = CF ? FFH : 00H, flags unchanged. */
static void gen_salc(DisasContext *s)
{
    TCGv_i64 t = tcg_temp_new_i64();
    gen_compute_cf(s, t);
    tcg_gen_neg_i64(t, t);
    tcg_gen_deposit_i64(cpu_regs[R_EAX], cpu_regs[R_EAX], t, 0, 8);
    tcg_temp_free_i64(t);
}

/*
 * PUSHA: push rAX, rCX, rDX, rBX, the original rSP, rBP, rSI, rDI; POPA: the
 * reverse, skipping the rSP image (SDM PUSHA/POPA). All stores (loads) come
 * first, then the registers.
 */
static void gen_pusha(DisasContext *s, const X86Insn *insn)
{
    unsigned bytes = insn->opsize;
    TCGv_i64 sp = tcg_temp_new_i64(), v = tcg_temp_new_i64();

    for (int i = 0; i < 8; i++) {
        tcg_gen_subi_i64(sp, cpu_regs[R_ESP], (i + 1) * bytes);
        gen_ext_size(size_log2(bytes), v, cpu_regs[i], false);
        gen_stack_st(s, sp, v, bytes);
    }
    gen_write_reg(size_log2(stack_addr_size(s)), R_ESP, false, sp);
    tcg_temp_free_i64(sp);
    tcg_temp_free_i64(v);
}

static void gen_popa(DisasContext *s, const X86Insn *insn)
{
    unsigned bytes = insn->opsize;
    TCGv_i64 sp = tcg_temp_new_i64(), v[8] = { NULL };

    for (int i = 7; i >= 0; i--) {
        if (i == R_ESP) {
            continue;
        }
        v[i] = tcg_temp_new_i64();
        tcg_gen_addi_i64(sp, cpu_regs[R_ESP], (7 - i) * bytes);
        gen_stack_ld(s, sp, v[i], bytes);
    }
    for (int i = 0; i < 8; i++) {
        if (i != R_ESP) {
            gen_write_reg(size_log2(bytes), i, false, v[i]);
            tcg_temp_free_i64(v[i]);
        }
    }
    tcg_gen_addi_i64(sp, cpu_regs[R_ESP], 8 * bytes);
    gen_write_reg(size_log2(stack_addr_size(s)), R_ESP, false, sp);
    tcg_temp_free_i64(sp);
}

/*
 * ENTER imm16, imm8 (SDM ENTER "Operation"): push rBP, copy level - 1 frame
 * pointers from the old frame (read at rBP - i * size through SS), push the
 * new frame pointer; then rBP = frame (at the operand size) and rSP = frame -
 * level * size - imm16 (at the stack address size). Nesting level = imm8 mod 32.
 * The frame pointer is the stack pointer at the stack address size, so a
 * 32-bit ENTER on a 16-bit stack sets EBP to the zero-extended SP.
 */
static void gen_enter(DisasContext *s, const X86Insn *insn)
{
    unsigned bytes = insn->opsize, size = size_log2(bytes);
    unsigned alloc = insn->op[0].imm & 0xffff, level = insn->op[1].imm & 31;
    TCGv_i64 frame = tcg_temp_new_i64(), sp = tcg_temp_new_i64(), v = tcg_temp_new_i64();

    /* FrameTemp: the stack pointer after the push, at the stack address size. */
    tcg_gen_subi_i64(frame, cpu_regs[R_ESP], bytes);
    gen_ext_size(size_log2(stack_addr_size(s)), frame, frame, false);
    gen_ext_size(size, v, cpu_regs[R_EBP], false);
    gen_stack_st(s, frame, v, bytes);
    for (unsigned i = 1; i < level; i++) {
        tcg_gen_subi_i64(sp, cpu_regs[R_EBP], i * bytes);
        gen_stack_ld(s, sp, v, bytes);
        tcg_gen_subi_i64(sp, frame, i * bytes);
        gen_stack_st(s, sp, v, bytes);
    }
    if (level) {
        tcg_gen_subi_i64(sp, frame, level * bytes);
        gen_stack_st(s, sp, frame, bytes);
    }
    tcg_gen_subi_i64(sp, frame, level * bytes + alloc);
    gen_write_reg(size, R_EBP, false, frame);
    gen_write_reg(size_log2(stack_addr_size(s)), R_ESP, false, sp);
    tcg_temp_free_i64(frame);
    tcg_temp_free_i64(sp);
    tcg_temp_free_i64(v);
}

/* BOUND r, m16&16 / m32&32: #BR unless lower <= index <= upper, signed (SDM BOUND). */
static void gen_bound(DisasContext *s, const X86Insn *insn)
{
    unsigned bytes = insn->opsize, size = size_log2(bytes);
    TCGv_i64 lo = tcg_temp_new_i64(), hi = tcg_temp_new_i64(), idx = tcg_temp_new_i64();
    TCGv_i64 addr = tcg_temp_new_i64(), bad = tcg_temp_new_i64();

    gen_compute_a0(s, &insn->op[1]);
    gen_qemu_ld(s, lo, s->A0, size, true);
    tcg_gen_addi_i64(addr, s->A0, bytes);
    tcg_gen_ext32u_i64(addr, addr);     /* not in 64-bit mode: 32-bit linear space */
    gen_qemu_ld(s, hi, addr, size, true);
    gen_read_reg(size, idx, insn->op[0].reg, false);
    gen_ext_size(size, idx, idx, true);
    tcg_gen_setcond_i64(TCG_COND_LT, bad, idx, lo);
    tcg_gen_setcond_i64(TCG_COND_GT, addr, idx, hi);
    tcg_gen_or_i64(bad, bad, addr);
    gen_exception_if(s, TCG_COND_NE, bad, 0, EXCP05_BOUND, 0, false);
    tcg_temp_free_i64(lo);
    tcg_temp_free_i64(hi);
    tcg_temp_free_i64(idx);
    tcg_temp_free_i64(addr);
    tcg_temp_free_i64(bad);
}

/*
 * ARPL r/m16, r16 (SDM ARPL): if DEST.RPL < SRC.RPL then ZF = 1 and DEST.RPL =
 * SRC.RPL, else ZF = 0; other flags unchanged. The destination is written back
 * in both cases (a read-modify-write, like the other ALU forms).
 */
static void gen_arpl(DisasContext *s, const X86Insn *insn)
{
    TCGv_i64 d = tcg_temp_new_i64(), rpl = tcg_temp_new_i64(), drpl = tcg_temp_new_i64();
    TCGv_i64 z = tcg_temp_new_i64(), rfl = tcg_temp_new_i64();

    gen_load_op(s, &insn->op[0], d, false);
    gen_read_reg(MO_16, rpl, insn->op[1].reg, false);
    tcg_gen_andi_i64(rpl, rpl, 3);
    tcg_gen_andi_i64(drpl, d, 3);
    tcg_gen_setcond_i64(TCG_COND_LTU, z, drpl, rpl);
    tcg_gen_deposit_i64(rpl, d, rpl, 0, 2);
    tcg_gen_movcond_i64(TCG_COND_NE, d, z, tcg_constant_i64(0), rpl, d);
    gen_materialize_flags(s);
    gen_store_op(s, &insn->op[0], d);
    gen_load_rflags(rfl);
    tcg_gen_deposit_i64(rfl, rfl, z, 6, 1);
    gen_store_rflags(rfl);
    tcg_temp_free_i64(d);
    tcg_temp_free_i64(rpl);
    tcg_temp_free_i64(drpl);
    tcg_temp_free_i64(z);
    tcg_temp_free_i64(rfl);
}

/*
 * INT1/ICEBP (F1): a trap-like #DB, so the saved RIP is that of the next
 * instruction; unlike INT n it is not a software interrupt: no gate DPL check
 * (SDM vol. 3 §17.3.1.2 and the INT n page). DR6 is left alone.
 */
static void gen_int1(DisasContext *s)
{
    gen_update_cc_op(s);
    gen_store_rip(s, s->pc_next);
    gen_helper_raise_exception(tcg_env, tcg_constant_i32(EXCP01_DB));
    s->is_jmp = DISAS_NORETURN;
}

bool disas_ext(DisasContext *s, const X86Insn *insn)
{
    switch (insn->opcode) {
    case X86_OP_CMPXCHG8B: case X86_OP_CMPXCHG16B:
        gen_cmpxchg8b(s, insn);
        return true;
    case X86_OP_MOVBE:
        gen_movbe(s, insn);
        return true;
    case X86_OP_CRC32:
        gen_crc32(s, insn);
        return true;
    case X86_OP_MOVNTI:
        gen_movnti(s, insn);
        return true;
    case X86_OP_ANDN: case X86_OP_BEXTR: case X86_OP_BLSI: case X86_OP_BLSMSK:
    case X86_OP_BLSR: case X86_OP_BZHI: case X86_OP_MULX: case X86_OP_PDEP:
    case X86_OP_PEXT: case X86_OP_RORX: case X86_OP_SARX: case X86_OP_SHLX:
    case X86_OP_SHRX:
        gen_bmi(s, insn);
        return true;
    case X86_OP_ADCX: case X86_OP_ADOX:
        gen_adx(s, insn);
        return true;
    case X86_OP_RDRAND: case X86_OP_RDSEED:
        gen_rdrand(s, insn);
        return true;
    case X86_OP_DAA:
        gen_bcd(s, insn, X86_BCD_DAA);
        return true;
    case X86_OP_DAS:
        gen_bcd(s, insn, X86_BCD_DAS);
        return true;
    case X86_OP_AAA:
        gen_bcd(s, insn, X86_BCD_AAA);
        return true;
    case X86_OP_AAS:
        gen_bcd(s, insn, X86_BCD_AAS);
        return true;
    case X86_OP_AAM:
        gen_bcd(s, insn, X86_BCD_AAM);
        return true;
    case X86_OP_AAD:
        gen_bcd(s, insn, X86_BCD_AAD);
        return true;
    case X86_OP_SALC:
        gen_salc(s);
        return true;
    case X86_OP_PUSHA:
        gen_pusha(s, insn);
        return true;
    case X86_OP_POPA:
        gen_popa(s, insn);
        return true;
    case X86_OP_ENTER:
        gen_enter(s, insn);
        return true;
    case X86_OP_BOUND:
        gen_bound(s, insn);
        return true;
    case X86_OP_ARPL:
        gen_arpl(s, insn);
        return true;
    case X86_OP_INT1:
        gen_int1(s);
        return true;
    default:
        return false;
    }
}
