/*
 * Intel-syntax printer for decoded x86 instructions, for -d in_asm style
 * logs and test failure messages. Close to what objdump -M intel and
 * capstone print, without aiming to match either byte for byte.
 */
#include "decode-internal.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const gpr64[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
static const char *const gpr32[16] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
    "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d",
};
static const char *const gpr16[16] = {
    "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
    "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w",
};
static const char *const gpr8[16] = {
    "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
    "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b",
};
static const char *const gpr8h[4] = { "ah", "ch", "dh", "bh" };
static const char *const seg_names[8] = { "es", "cs", "ss", "ds", "fs", "gs", "?", "?" };
static const char *const cc_names[16] = {
    "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
};

const char *x86_gpr_name(unsigned reg, unsigned size, bool high8)
{
    reg &= 15;
    if (high8) {
        return gpr8h[reg & 3];
    }
    switch (size) {
    case 1: return gpr8[reg];
    case 2: return gpr16[reg];
    case 4: return gpr32[reg];
    default: return gpr64[reg];
    }
}

typedef struct Out {
    char *buf;
    size_t size;
    size_t len;
} Out;

static void out(Out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out(Out *o, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p = o->len < o->size ? o->buf + o->len : NULL;
    size_t room = o->len < o->size ? o->size - o->len : 0;

    va_start(ap, fmt);
    n = vsnprintf(p, room, fmt, ap);
    va_end(ap);
    if (n > 0) {
        o->len += n;
    }
}

static const char *size_ptr(unsigned size)
{
    switch (size) {
    case 1: return "byte ptr ";
    case 2: return "word ptr ";
    case 4: return "dword ptr ";
    case 6: return "fword ptr ";
    case 8: return "qword ptr ";
    case 10: return "tbyte ptr ";
    case 16: return "xmmword ptr ";
    default: return "";
    }
}

static uint64_t mask_bytes(uint64_t v, unsigned bytes)
{
    return bytes >= 8 ? v : v & ((UINT64_C(1) << (8 * bytes)) - 1);
}

static void print_hex(Out *o, uint64_t v)
{
    if (v < 10) {
        out(o, "%" PRIu64, v);
    } else {
        out(o, "0x%" PRIx64, v);
    }
}

static void print_mem(Out *o, const X86Insn *insn, const X86Operand *op)
{
    bool any = false;

    out(o, "%s", size_ptr(op->size));
    if ((op->flags & X86_OPF_SEGOVR) ||
        (op->seg == X86_SEG_ES && insn->opcode != X86_OP_LEA)) {
        out(o, "%s:", seg_names[op->seg & 7]);
    }
    out(o, "[");
    if (op->base == X86_REG_RIP) {
        out(o, "%s", op->addr_size == 8 ? "rip" : "eip");
        any = true;
    } else if (op->base >= 0) {
        out(o, "%s", x86_gpr_name(op->base, op->addr_size, false));
        any = true;
    }
    if (op->index >= 0) {
        out(o, "%s%s", any ? " + " : "", x86_gpr_name(op->index, op->addr_size, false));
        if (op->scale > 1 || op->base == X86_REG_NONE) {
            out(o, "*%u", op->scale);
        }
        any = true;
    }
    if (!any) {
        print_hex(o, mask_bytes(op->disp, op->addr_size));
    } else if (op->disp < 0) {
        out(o, " - ");
        print_hex(o, mask_bytes(-(uint64_t)op->disp, op->addr_size));
    } else if (op->disp > 0) {
        out(o, " + ");
        print_hex(o, (uint64_t)op->disp);
    }
    out(o, "]");
}

static void print_operand(Out *o, const X86Insn *insn, const X86Operand *op)
{
    switch (op->kind) {
    case X86_OPK_GPR:
        out(o, "%s", x86_gpr_name(op->reg, op->size, op->flags & X86_OPF_HIGH8));
        break;
    case X86_OPK_SEG:
        out(o, "%s", seg_names[op->reg & 7]);
        break;
    case X86_OPK_CR:
        out(o, "cr%u", op->reg);
        break;
    case X86_OPK_DR:
        out(o, "dr%u", op->reg);
        break;
    case X86_OPK_MMX:
        out(o, "mm%u", op->reg);
        break;
    case X86_OPK_XMM:
        out(o, "xmm%u", op->reg);
        break;
    case X86_OPK_ST:
        out(o, "st(%u)", op->reg);
        break;
    case X86_OPK_MEM:
        print_mem(o, insn, op);
        break;
    case X86_OPK_IMM: {
        /* Show sign-extended immediates at the width the operation uses. */
        unsigned w = insn->opsize && insn->opsize <= 8 ? insn->opsize : 8;
        print_hex(o, mask_bytes(op->imm, op->size > w ? op->size : w));
        break;
    }
    case X86_OPK_REL:
        out(o, "0x%" PRIx64, op->target);
        break;
    default:
        out(o, "?");
        break;
    }
}

static const char *size_suffix(unsigned size)
{
    switch (size) {
    case 1: return "b";
    case 2: return "w";
    case 4: return "d";
    default: return "q";
    }
}

static void print_mnemonic(Out *o, const X86Insn *insn)
{
    const char *name = x86_opcode_name(insn->opcode);
    bool w64 = insn->rex & X86_REX_W;
    unsigned ds = insn->data_size;

    switch (insn->opcode) {
    case X86_OP_JCC:
    case X86_OP_SETCC:
    case X86_OP_CMOVCC:
        out(o, "%s%s", name, cc_names[insn->cc & 15]);
        return;
    case X86_OP_CBW:
        out(o, "%s", ds == 2 ? "cbw" : ds == 4 ? "cwde" : "cdqe");
        return;
    case X86_OP_CWD:
        out(o, "%s", ds == 2 ? "cwd" : ds == 4 ? "cdq" : "cqo");
        return;
    case X86_OP_MOVS: case X86_OP_CMPS: case X86_OP_STOS: case X86_OP_LODS:
    case X86_OP_SCAS: case X86_OP_INS: case X86_OP_OUTS:
        out(o, "%s%s", name, size_suffix(insn->opsize));
        return;
    case X86_OP_PUSHA: case X86_OP_POPA: case X86_OP_PUSHF: case X86_OP_POPF:
    case X86_OP_IRET:
        out(o, "%s%s", name, ds == 2 ? "" : ds == 4 ? "d" : "q");
        return;
    case X86_OP_RETF:
        out(o, "%s", ds == 8 ? "retfq" : "retf");
        return;
    case X86_OP_JRCXZ:
        out(o, "%s", insn->addr_size == 2 ? "jcxz" : insn->addr_size == 4 ? "jecxz" : "jrcxz");
        return;
    case X86_OP_MOVD:
        out(o, "%s", insn->op[0].size == 8 || insn->op[1].size == 8 ? "movq" : "movd");
        return;
    case X86_OP_PEXTRD:
    case X86_OP_PINSRD:
        out(o, "%s", insn->opcode == X86_OP_PEXTRD ? (w64 ? "pextrq" : "pextrd")
                                                  : (w64 ? "pinsrq" : "pinsrd"));
        return;
    case X86_OP_FXSAVE: case X86_OP_FXRSTOR: case X86_OP_XSAVE: case X86_OP_XRSTOR:
    case X86_OP_XSAVEOPT: case X86_OP_XSAVEC: case X86_OP_XSAVES: case X86_OP_XRSTORS:
        out(o, "%s%s", name, w64 ? "64" : "");
        return;
    default:
        out(o, "%s", name);
        return;
    }
}

int x86_insn_format(const X86Insn *insn, char *buf, size_t size)
{
    Out o = { buf, size, 0 };

    if (size) {
        buf[0] = 0;
    }
    if (insn->opcode == X86_OP_INVALID) {
        out(&o, "(bad)");
        return o.len;
    }
    if (insn->prefixes & X86_PFX_LOCK) {
        out(&o, "lock ");
    }
    if (insn->flags & X86_INSN_REP) {
        bool cmp = insn->opcode == X86_OP_CMPS || insn->opcode == X86_OP_SCAS;
        out(&o, "%s ", !cmp ? "rep" : (insn->flags & X86_INSN_REPNZ) ? "repne" : "repe");
    }
    print_mnemonic(&o, insn);
    if (insn->opcode == X86_OP_JMPF || insn->opcode == X86_OP_CALLF) {
        if (insn->num_ops == 2 && insn->op[0].kind == X86_OPK_IMM) {
            out(&o, " 0x%" PRIx64 ":0x%" PRIx64, insn->op[0].imm, insn->op[1].imm);
            return o.len;
        }
    }
    for (unsigned i = 0; i < insn->num_ops; i++) {
        out(&o, i ? ", " : " ");
        print_operand(&o, insn, &insn->op[i]);
    }
    return o.len;
}
