/*
 * tci backend: lowers allocated IR to the bytecode of tcg/tci/tci.h. The register
 * allocator works exactly as for a hardware target, with 29 allocatable registers and
 * no operand constraints beyond "register", so every TB runs the same generic code
 * paths (liveness, spills, calls, branches) as the native backend.
 *
 * Helper calls: arguments in r0..r5, result in r0. The interpreter calls helpers
 * through a fixed set of signatures `uint64_t (*)(uint64_t x N)`, N = 0..6, which is
 * correct on every 64-bit ABI emu supports because all helper arguments and results
 * are integers or pointers (tcg-helper.h enforces that). No libffi needed.
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/tcg-helper.h"
#include "tcg/tcg-internal.h"
#include "tci.h"

static const uint8_t tci_alloc_order[] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
    21, 22, 23, 24, 25, 26, 27, 28,
};
static const uint8_t tci_call_iarg_regs[TCG_MAX_CALL_IARGS] = { 0, 1, 2, 3, 4, 5 };
static const char *const tci_reg_names[TCI_NB_REGS] = {
    "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11",
    "r12", "r13", "r14", "r15", "r16", "r17", "r18", "r19", "r20", "r21", "r22",
    "r23", "r24", "r25", "r26", "r27", "r28", "tmp", "frame", "env",
};

static void insn(TCGContext *s, int op, int r0, int r1, int r2)
{
    tcg_out32(s, op | r0 << 8 | r1 << 16 | (uint32_t)r2 << 24);
}

static const char *tci_op_constraint(TCGOpcode opc, TCGType type)
{
    static const char *const by_count[] = {
        "", "r", "r,r", "r,r,r", "r,r,r,r", "r,r,r,r,r", "r,r,r,r,r,r",
    };
    const TCGOpDef *def = &tcg_op_defs[opc];
    if (type == TCG_TYPE_I32 &&
        (opc == INDEX_op_ext32s || opc == INDEX_op_ext32u || opc == INDEX_op_bswap64 ||
         opc == INDEX_op_ld32s || opc == INDEX_op_ld32u)) {
        return NULL;
    }
    return by_count[def->nb_oargs + def->nb_iargs];
}

static bool tci_parse_letter(char c, TCGArgConstraint *ct)
{
    return false;
}

static bool tci_const_match(int64_t val, TCGType type, int ct)
{
    return (ct & TCG_CT_CONST) != 0;
}

static void tci_out_prologue(TCGContext *s)
{
    insn(s, TCI_NOP, 0, 0, 0);
}

static void tci_out_mov(TCGContext *s, TCGType type, int ret, int arg)
{
    if (ret != arg) {
        insn(s, TCI_MOV, ret, arg, 0);
    }
}

static void tci_out_movi(TCGContext *s, TCGType type, int ret, int64_t val)
{
    if (type == TCG_TYPE_I32 || val == (uint32_t)val) {
        insn(s, TCI_MOVI32, ret, 0, 0);
        tcg_out32(s, (uint32_t)val);
    } else if (val == (int32_t)val) {
        insn(s, TCI_MOVIS32, ret, 0, 0);
        tcg_out32(s, (uint32_t)val);
    } else {
        insn(s, TCI_MOVI64, ret, 0, 0);
        tcg_out32(s, (uint32_t)val);
        tcg_out32(s, (uint64_t)val >> 32);
    }
}

static void tci_out_ld(TCGContext *s, TCGType type, int ret, int base, intptr_t ofs)
{
    g_assert(ofs == (int32_t)ofs);
    if (type == TCG_TYPE_I32) {
        insn(s, TCI_OP(INDEX_op_ld, TCG_TYPE_I32), ret, base, 0);
    } else {
        insn(s, TCI_OP(INDEX_op_ld, TCG_TYPE_I64), ret, base, 0);
    }
    tcg_out32(s, (uint32_t)ofs);
}

static void tci_out_st(TCGContext *s, TCGType type, int arg, int base, intptr_t ofs)
{
    g_assert(ofs == (int32_t)ofs);
    insn(s, TCI_OP(INDEX_op_st, type), arg, base, 0);
    tcg_out32(s, (uint32_t)ofs);
}

static bool tci_out_sti(TCGContext *s, TCGType type, int64_t val, int base, intptr_t ofs)
{
    tci_out_movi(s, type, TCI_REG_TMP, val);
    tci_out_st(s, type, TCI_REG_TMP, base, ofs);
    return true;
}

static void tci_out_call(TCGContext *s, const TCGHelperInfo *info)
{
    int kind = 0;
    if (info->ret == TCG_HT_I32 || info->ret == TCG_HT_S32) {
        kind = 1;
    } else if (info->ret != TCG_HT_VOID) {
        kind = 2;
    }
    insn(s, TCI_CALL, info->nargs, kind, 0);
    tcg_out64(s, (uintptr_t)info->func);
}

static void tci_out_op(TCGContext *s, TCGOpcode opc, TCGType type, const TCGArg *args,
                       const int *const_args)
{
    int op = TCI_OP(opc, type);
    const TCGOpDef *def = &tcg_op_defs[opc];
    int nregs = def->nb_oargs + def->nb_iargs;

    switch (opc) {
    case INDEX_op_br:
        insn(s, TCI_BR, 0, 0, 0);
        tcg_out_reloc(s, s->code_ptr, TCI_RELOC_DISP32, arg_label(args[0]), 0);
        tcg_out32(s, 0);
        return;
    case INDEX_op_brcond:
        insn(s, op, args[0], args[1], args[2]);
        tcg_out_reloc(s, s->code_ptr, TCI_RELOC_DISP32, arg_label(args[3]), 0);
        tcg_out32(s, 0);
        return;
    case INDEX_op_exit_tb:
        insn(s, TCI_EXIT, 0, 0, 0);
        tcg_out32(s, (uint32_t)args[0]);
        tcg_out32(s, args[0] >> 32);
        return;
    case INDEX_op_goto_tb: {
        int n = args[0];
        while ((tcg_current_code_size(s) + 4) & 7) {
            insn(s, TCI_NOP, 0, 0, 0);
        }
        insn(s, TCI_GOTO_TB, 0, 0, 0);
        s->gen_tb->jmp_insn_offset[n] = tcg_current_code_size(s);
        /* Unchained: continue with the next instruction (the exit_tb). */
        tcg_out64(s, tcg_code_rx(s) + 8);
        s->gen_tb->jmp_reset_offset[n] = tcg_current_code_size(s);
        return;
    }
    case INDEX_op_goto_ptr:
        insn(s, TCI_GOTO_PTR, args[0], 0, 0);
        return;
    case INDEX_op_mb:
        insn(s, TCI_MB, 0, 0, 0);
        return;
    case INDEX_op_setcond:
    case INDEX_op_negsetcond:
        insn(s, op, args[0], args[1], args[2]);
        tcg_out32(s, args[3]);
        return;
    case INDEX_op_movcond:
        insn(s, op, args[0], args[1], args[2]);
        tcg_out32(s, args[3] | args[4] << 8 | args[5] << 16);
        return;
    case INDEX_op_ld8u: case INDEX_op_ld8s: case INDEX_op_ld16u: case INDEX_op_ld16s:
    case INDEX_op_ld32u: case INDEX_op_ld32s: case INDEX_op_ld:
    case INDEX_op_st8: case INDEX_op_st16: case INDEX_op_st32: case INDEX_op_st:
        g_assert((intptr_t)args[2] == (int32_t)args[2]);
        insn(s, op, args[0], args[1], 0);
        tcg_out32(s, (uint32_t)args[2]);
        return;
    case INDEX_op_deposit:
        insn(s, op, args[0], args[1], args[2]);
        tcg_out32(s, args[3] | args[4] << 8);
        return;
    case INDEX_op_extract:
    case INDEX_op_sextract:
        insn(s, op, args[0], args[1], 0);
        tcg_out32(s, args[2] | args[3] << 8);
        return;
    case INDEX_op_extract2:
        insn(s, op, args[0], args[1], args[2]);
        tcg_out32(s, args[3]);
        return;
    case INDEX_op_bswap16:
    case INDEX_op_bswap32:
    case INDEX_op_bswap64:
        insn(s, op, args[0], args[1], args[2]);
        return;
    case INDEX_op_mulu2:
    case INDEX_op_muls2:
        insn(s, op, args[0], args[1], args[2]);
        tcg_out32(s, args[3]);
        return;
    case INDEX_op_add2:
    case INDEX_op_sub2:
        insn(s, op, args[0], args[1], args[2]);
        tcg_out32(s, args[3] | args[4] << 8 | args[5] << 16);
        return;
    case INDEX_op_qemu_ld:
    case INDEX_op_qemu_st:
        insn(s, op, args[0], args[1], 0);
        tcg_out32(s, args[2]);
        return;
    default:
        g_assert(nregs <= 3);
        insn(s, op, nregs > 0 ? args[0] : 0, nregs > 1 ? args[1] : 0,
             nregs > 2 ? args[2] : 0);
        return;
    }
}

static bool tci_patch_reloc(TCGContext *s, uint8_t *code_rw, int type, uintptr_t target,
                            intptr_t addend)
{
    intptr_t disp = (intptr_t)target + addend - (intptr_t)tcg_rw_to_rx(s, code_rw);
    if (disp != (int32_t)disp) {
        return false;
    }
    tcg_patch32(code_rw, (uint32_t)disp);
    return true;
}

static void tci_set_jmp_target(const TCGTBCode *tc, int n, uintptr_t target)
{
    uint64_t *field = (uint64_t *)((uintptr_t)tc->tc_ptr + tc->jmp_insn_offset[n] +
                                   tc->rw_delta);
    __atomic_store_n(field, (uint64_t)target, __ATOMIC_RELEASE);
}

static void tci_disas(TCGContext *s, FILE *f, const void *code, size_t len)
{
    const uint32_t *w = code;
    for (size_t i = 0; i < len / 4; i++) {
        fprintf(f, "  0x%016" PRIxPTR ":  %08x\n", (uintptr_t)&w[i], w[i]);
    }
}

const TCGBackend tcg_backend_tci = {
    .name = "tci",
    .kind = TCG_BACKEND_TCI,
    .nb_regs = TCI_NB_REGS,
    .all_regs = (1u << 29) - 1,
    .call_clobber = 1u << 0,
    .alloc_order = tci_alloc_order,
    .nb_alloc = ARRAY_SIZE(tci_alloc_order),
    .reg_env = TCI_REG_ENV,
    .reg_frame = TCI_REG_FRAME,
    .frame_start = 0,
    .frame_size = TCI_FRAME_SIZE,
    .call_iarg_regs = tci_call_iarg_regs,
    .call_oarg_reg = 0,
    .reg_names = tci_reg_names,
    .op_constraint = tci_op_constraint,
    .parse_letter = tci_parse_letter,
    .const_match = tci_const_match,
    .out_prologue = tci_out_prologue,
    .out_mov = tci_out_mov,
    .out_movi = tci_out_movi,
    .out_ld = tci_out_ld,
    .out_st = tci_out_st,
    .out_sti = tci_out_sti,
    .out_call = tci_out_call,
    .out_op = tci_out_op,
    .patch_reloc = tci_patch_reloc,
    .set_jmp_target = tci_set_jmp_target,
    .tb_exec = tci_tb_exec,
    .disas = tci_disas,
};
