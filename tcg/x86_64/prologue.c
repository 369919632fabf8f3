/*
 * x86-64 backend: prologue/epilogue, the backend descriptor, entry into generated
 * code, relocation and jump patching.
 *
 * Stack frame while generated code runs (System V ABI, SysV psABI §3.2.2: %rsp is
 * 16-byte aligned at every call): return address, the six callee-saved registers
 * pushed by the prologue, then X86_FRAME_SIZE + 8 bytes of spill frame starting at
 * %rsp. env lives in %rbp for the whole run.
 */
#include "util/osdep.h"
#include "tcg/tcg-softmmu.h"
#include "tcg-target.h"

#include <cpuid.h>

static const uint8_t x86_alloc_order[] = {
    TCG_REG_RBX, TCG_REG_R12, TCG_REG_R13, TCG_REG_R14, TCG_REG_R15,
    TCG_REG_R10, TCG_REG_R9, TCG_REG_R8, TCG_REG_RCX, TCG_REG_RDX,
    TCG_REG_RSI, TCG_REG_RDI, TCG_REG_RAX,
};
static const uint8_t x86_call_iarg_regs[TCG_MAX_CALL_IARGS] = {
    TCG_REG_RDI, TCG_REG_RSI, TCG_REG_RDX, TCG_REG_RCX, TCG_REG_R8, TCG_REG_R9,
};
static const uint8_t x86_saved_regs[] = {
    TCG_REG_RBP, TCG_REG_RBX, TCG_REG_R12, TCG_REG_R13, TCG_REG_R14, TCG_REG_R15,
};
static const char *const x86_reg_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

#define ALL_REGS (0xffffu & ~(1u << TCG_REG_RSP | 1u << TCG_REG_RBP | 1u << TCG_REG_TMP))
#define CALL_CLOBBER (1u << TCG_REG_RAX | 1u << TCG_REG_RCX | 1u << TCG_REG_RDX |     \
                      1u << TCG_REG_RSI | 1u << TCG_REG_RDI | 1u << TCG_REG_R8 |      \
                      1u << TCG_REG_R9 | 1u << TCG_REG_R10 | 1u << TCG_REG_R11)
/* 8 more bytes keep %rsp 16-byte aligned after six pushes. */
#define STACK_ADJ (X86_FRAME_SIZE + 8)

static bool x86_init(TCGContext *s, Error **errp)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_POPCNT)) {
        error_setg(errp, "tcg: the x86-64 backend needs a host CPU with POPCNT; "
                   "use -accel tcg,backend=tci");
        return false;
    }
    s->have_popcnt = true;
    s->have_movbe = (c & bit_MOVBE) != 0;
    return true;
}

static bool x86_parse_letter(char c, TCGArgConstraint *ct)
{
    switch (c) {
    case 'a':
        ct->regs |= 1u << TCG_REG_RAX;
        return true;
    case 'c':
        ct->regs |= 1u << TCG_REG_RCX;
        return true;
    case 'd':
        ct->regs |= 1u << TCG_REG_RDX;
        return true;
    case 'D':
        ct->regs |= 0xffffu & ~(1u << TCG_REG_RAX | 1u << TCG_REG_RDX);
        return true;
    case 'L':
        ct->regs |= 0xffffu & ~(1u << TCG_REG_L0 | 1u << TCG_REG_L1);
        return true;
    case 'e':
        ct->ct |= TCG_CT_CONST_S32;
        return true;
    case 'Z':
        ct->ct |= TCG_CT_CONST_U32;
        return true;
    default:
        return false;
    }
}

static bool x86_const_match(int64_t val, TCGType type, int ct)
{
    if (ct & TCG_CT_CONST) {
        return true;
    }
    if (type == TCG_TYPE_I32) {
        return (ct & (TCG_CT_CONST_S32 | TCG_CT_CONST_U32)) != 0;
    }
    if ((ct & TCG_CT_CONST_S32) && val == (int32_t)val) {
        return true;
    }
    if ((ct & TCG_CT_CONST_U32) && val == (uint32_t)val) {
        return true;
    }
    return false;
}

static TCGRegSet x86_op_clobber(TCGOpcode opc, TCGType type)
{
    switch (opc) {
    case INDEX_op_div: case INDEX_op_divu: case INDEX_op_rem: case INDEX_op_remu:
        return 1u << TCG_REG_RAX | 1u << TCG_REG_RDX;
    default:
        return 0;
    }
}

static void x86_out_prologue(TCGContext *s)
{
    for (size_t i = 0; i < ARRAY_SIZE(x86_saved_regs); i++) {
        tcg_out_opc(s, OPC_PUSH_r32 + (x86_saved_regs[i] & 7), 0, x86_saved_regs[i], 0);
    }
    x86_out_mov(s, TCG_TYPE_I64, TCG_AREG0, TCG_REG_RDI);
    x86_tgen_arithi(s, ARITH_SUB, P_REXW, TCG_REG_RSP, STACK_ADJ);
    tcg_out_modrm(s, OPC_GRP5, EXT5_JMPN_Ev, TCG_REG_RSI);

    s->ret0_rx = (const void *)tcg_code_rx(s);
    tcg_out_modrm(s, OPC_ARITH_GvEv | (ARITH_XOR << 3), TCG_REG_RAX, TCG_REG_RAX);
    s->tb_ret_rx = (const void *)tcg_code_rx(s);
    x86_tgen_arithi(s, ARITH_ADD, P_REXW, TCG_REG_RSP, STACK_ADJ);
    for (int i = ARRAY_SIZE(x86_saved_regs) - 1; i >= 0; i--) {
        tcg_out_opc(s, OPC_POP_r32 + (x86_saved_regs[i] & 7), 0, x86_saved_regs[i], 0);
    }
    tcg_out8(s, OPC_RET);
}

static bool x86_out_sti(TCGContext *s, TCGType type, int64_t val, int base, intptr_t ofs)
{
    if (type == TCG_TYPE_I32 || val == (int32_t)val) {
        tcg_out_modrm_offset(s, OPC_MOVL_EvIz | rexw_of(type), 0, base, ofs);
        tcg_out32(s, (uint32_t)val);
    } else {
        x86_out_movi(s, TCG_TYPE_I64, TCG_REG_TMP, val);
        x86_out_st(s, TCG_TYPE_I64, TCG_REG_TMP, base, ofs);
    }
    return true;
}

static void x86_out_call(TCGContext *s, const TCGHelperInfo *info)
{
    x86_out_call_addr(s, (uintptr_t)info->func);
}

static bool x86_patch_reloc(TCGContext *s, uint8_t *code_rw, int type, uintptr_t target,
                            intptr_t addend)
{
    intptr_t val = (intptr_t)target + addend - (intptr_t)tcg_rw_to_rx(s, code_rw);
    if (val != (int32_t)val) {
        return false;
    }
    tcg_patch32(code_rw, (uint32_t)val);
    return true;
}

static void x86_set_jmp_target(const TCGTBCode *tc, int n, uintptr_t target)
{
    uintptr_t insn_rx = (uintptr_t)tc->tc_ptr + tc->jmp_insn_offset[n];
    int32_t disp = (int32_t)(target - (insn_rx + 5));
    /* The rel32 is 4-byte aligned (see goto_tb): one atomic store, no torn jump. */
    __atomic_store_n((int32_t *)(insn_rx + 1 + tc->rw_delta), disp, __ATOMIC_RELEASE);
}

static uintptr_t x86_tb_exec(TCGContext *s, void *env, const void *tc_ptr)
{
    uintptr_t (*prologue)(void *, const void *);
    const void *entry = tcg_splitwx_to_rx(s, tcg_code_buffer_rw_base(s->cbuf));
    memcpy(&prologue, &entry, sizeof(prologue));
    return prologue(env, tc_ptr);
}

static void x86_disas(TCGContext *s, FILE *f, const void *code, size_t len)
{
    tcg_disas(f, code, len, true);
}

const TCGBackend tcg_backend_x86_64 = {
    .name = "x86_64",
    .kind = TCG_BACKEND_NATIVE,
    .nb_regs = 16,
    .all_regs = ALL_REGS,
    .call_clobber = CALL_CLOBBER,
    .alloc_order = x86_alloc_order,
    .nb_alloc = ARRAY_SIZE(x86_alloc_order),
    .reg_env = TCG_AREG0,
    .reg_frame = TCG_REG_RSP,
    .frame_start = 0,
    .frame_size = X86_FRAME_SIZE,
    .call_iarg_regs = x86_call_iarg_regs,
    .call_oarg_reg = TCG_REG_RAX,
    .reg_names = x86_reg_names,
    .init = x86_init,
    .op_constraint = x86_op_constraint,
    .parse_letter = x86_parse_letter,
    .const_match = x86_const_match,
    .op_clobber = x86_op_clobber,
    .out_prologue = x86_out_prologue,
    .out_mov = x86_out_mov,
    .out_movi = x86_out_movi,
    .out_ld = x86_out_ld,
    .out_st = x86_out_st,
    .out_sti = x86_out_sti,
    .out_call = x86_out_call,
    .out_op = x86_out_op,
    .out_slow_paths = x86_out_slow_paths,
    .patch_reloc = x86_patch_reloc,
    .set_jmp_target = x86_set_jmp_target,
    .tb_exec = x86_tb_exec,
    .disas = x86_disas,
};
