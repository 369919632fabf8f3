/*
 * x86 instruction decoder: prefixes, opcode maps, ModRM/SIB addressing,
 * operands and validity checks (Intel SDM vol. 2 chapter 2 "Instruction
 * Format", appendix A "Opcode Map"; AMD APM vol. 3 chapter 1 for 64-bit
 * mode rules). Table-driven, allocation-free; see docs/devel/x86-decoder.md.
 */
#include "decode-internal.h"
#include <string.h>

typedef struct DecodeState {
    const X86DecodeEnv *env;
    X86Insn *insn;
    unsigned pos;          /* next byte to consume */
    unsigned avail;        /* bytes fetched into insn->bytes */
    X86DecodeStatus status;
    bool code64;           /* 64-bit mode (CS.L with LMA) */
    bool d32;              /* default operand/address size 32 (CS.D) */
    bool has_rex;
    bool has66, has67, lock;
    bool lock_pfx;         /* LOCK was present (lock is cleared once consumed) */
    bool have_modrm;
    bool vex;
    uint8_t rex;           /* X86_REX_* */
    uint8_t rep;           /* 0, 0xf2 or 0xf3: the last one seen */
    uint8_t modrm;
    uint8_t vvvv;
    uint8_t mandatory;     /* 0 none, 1 66, 2 F3, 3 F2 */
    uint8_t dsize, asize;
    uint8_t opbyte;
    int8_t seg;            /* segment override, -1 none */
    X86Operand ea;         /* the ModRM memory operand, once decoded */
} DecodeState;

#define X86_FEATURE_LIST(F) \
    F(FPU, "fpu") F(TSC, "tsc") F(MSR, "msr") F(CX8, "cx8") F(SEP, "sep") \
    F(CMOV, "cmov") F(CLFLUSH, "clflush") F(MMX, "mmx") F(FXSR, "fxsr") \
    F(SSE, "sse") F(SSE2, "sse2") F(SSE3, "pni") F(PCLMULQDQ, "pclmulqdq") \
    F(MONITOR, "monitor") F(SSSE3, "ssse3") F(CX16, "cx16") F(SSE41, "sse4.1") \
    F(SSE42, "sse4.2") F(MOVBE, "movbe") F(POPCNT, "popcnt") F(AES, "aes") \
    F(XSAVE, "xsave") F(RDRAND, "rdrand") F(FSGSBASE, "fsgsbase") F(BMI1, "bmi1") \
    F(BMI2, "bmi2") F(INVPCID, "invpcid") F(RDSEED, "rdseed") F(ADX, "adx") \
    F(SMAP, "smap") F(CLFLUSHOPT, "clflushopt") F(CLWB, "clwb") F(PKU, "pku") \
    F(RDPID, "rdpid") F(XSAVEOPT, "xsaveopt") F(XSAVEC, "xsavec") \
    F(XSAVES, "xsaves") F(SYSCALL, "syscall") F(RDTSCP, "rdtscp") F(LM, "lm") \
    F(LAHF_LM, "lahf-lm") F(ABM, "abm") F(PREFETCHW, "3dnowprefetch") \
    F(CR8LEGACY, "cr8legacy")

#define FEAT_NAME(id, name) [X86_FEAT_##id] = name,
static const char *const feature_names[X86_FEAT_COUNT] = {
    X86_FEATURE_LIST(FEAT_NAME)
};
#define FEAT_WHY(id, name) [X86_FEAT_##id] = "CPUID feature " name " is not enabled",
static const char *const feature_why[X86_FEAT_COUNT] = {
    X86_FEATURE_LIST(FEAT_WHY)
};

static const char *const opcode_names[X86_OP_COUNT] = {
#define X86_OP(name, mnem) [X86_OP_##name] = mnem,
#include "target/i386/decode-ops.h"
#undef X86_OP
};

const char *x86_opcode_name(X86Opcode op)
{
    return (unsigned)op < X86_OP_COUNT ? opcode_names[op] : "(bad)";
}

const char *x86_feature_name(X86Feature f)
{
    return (unsigned)f < X86_FEAT_COUNT ? feature_names[f] : "?";
}

uint64_t x86_decode_features_from_cpuid(uint32_t l1_edx, uint32_t l1_ecx,
                                        uint32_t l7_ebx, uint32_t l7_ecx,
                                        uint32_t ld1_eax, uint32_t le1_edx,
                                        uint32_t le1_ecx)
{
    static const struct { uint8_t word, bit, feat; } map[] = {
        { 0, 0, X86_FEAT_FPU }, { 0, 4, X86_FEAT_TSC }, { 0, 5, X86_FEAT_MSR },
        { 0, 8, X86_FEAT_CX8 }, { 0, 11, X86_FEAT_SEP }, { 0, 15, X86_FEAT_CMOV },
        { 0, 19, X86_FEAT_CLFLUSH }, { 0, 23, X86_FEAT_MMX }, { 0, 24, X86_FEAT_FXSR },
        { 0, 25, X86_FEAT_SSE }, { 0, 26, X86_FEAT_SSE2 },
        { 1, 0, X86_FEAT_SSE3 }, { 1, 1, X86_FEAT_PCLMULQDQ }, { 1, 3, X86_FEAT_MONITOR },
        { 1, 9, X86_FEAT_SSSE3 }, { 1, 13, X86_FEAT_CX16 }, { 1, 19, X86_FEAT_SSE41 },
        { 1, 20, X86_FEAT_SSE42 }, { 1, 22, X86_FEAT_MOVBE }, { 1, 23, X86_FEAT_POPCNT },
        { 1, 25, X86_FEAT_AES }, { 1, 26, X86_FEAT_XSAVE }, { 1, 30, X86_FEAT_RDRAND },
        { 2, 0, X86_FEAT_FSGSBASE }, { 2, 3, X86_FEAT_BMI1 }, { 2, 8, X86_FEAT_BMI2 },
        { 2, 10, X86_FEAT_INVPCID }, { 2, 18, X86_FEAT_RDSEED }, { 2, 19, X86_FEAT_ADX },
        { 2, 20, X86_FEAT_SMAP }, { 2, 23, X86_FEAT_CLFLUSHOPT }, { 2, 24, X86_FEAT_CLWB },
        { 3, 3, X86_FEAT_PKU }, { 3, 22, X86_FEAT_RDPID },
        { 4, 0, X86_FEAT_XSAVEOPT }, { 4, 1, X86_FEAT_XSAVEC }, { 4, 3, X86_FEAT_XSAVES },
        { 5, 11, X86_FEAT_SYSCALL }, { 5, 27, X86_FEAT_RDTSCP }, { 5, 29, X86_FEAT_LM },
        { 6, 0, X86_FEAT_LAHF_LM }, { 6, 4, X86_FEAT_CR8LEGACY }, { 6, 5, X86_FEAT_ABM },
        { 6, 8, X86_FEAT_PREFETCHW },
    };
    const uint32_t words[7] = { l1_edx, l1_ecx, l7_ebx, l7_ecx, ld1_eax, le1_edx, le1_ecx };
    uint64_t f = 0;

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (words[map[i].word] & (1u << map[i].bit)) {
            f |= X86_FEATURE_BIT(map[i].feat);
        }
    }
    /*
     * PREFETCH/PREFETCHW (0F 0D) exist when 3DNowPrefetch, 3DNow! or LM is set
     * (AMD APM vol. 3 "PREFETCHW"; Intel CPUs with LM execute them as hints):
     * Linux forces X86_FEATURE_3DNOWPREFETCH on AMD CPUs with LM and uses them.
     */
    if (le1_edx & ((1u << 29) | (1u << 31))) {
        f |= X86_FEATURE_BIT(X86_FEAT_PREFETCHW);
    }
    return f;
}

/* Methods that take their register or memory operand from ModRM. */
static const uint8_t am_uses_modrm[AM_COUNT] = {
    [AM_E] = 1, [AM_M] = 1, [AM_G] = 1, [AM_R] = 1, [AM_S] = 1, [AM_C] = 1,
    [AM_D] = 1, [AM_P] = 1, [AM_Q] = 1, [AM_N] = 1, [AM_V] = 1, [AM_W] = 1,
    [AM_U] = 1, [AM_STI] = 1,
};

static bool fail(DecodeState *s, uint8_t exc, const char *why)
{
    s->status = X86_DECODE_EXCEPTION;
    s->insn->exception = exc;
    s->insn->why = why;
    return false;
}

static bool ud(DecodeState *s, const char *why)
{
    return fail(s, X86_EXC_UD, why);
}

static int ud_op(DecodeState *s, const char *why)
{
    fail(s, X86_EXC_UD, why);
    return -1;
}

/* Make the byte at s->pos available; called when pos == avail. */
static bool refill(DecodeState *s)
{
    unsigned room = X86_MAX_INSN_LEN - s->avail;
    int r;

    if (s->avail >= X86_MAX_INSN_LEN) {
        /* SDM vol. 2 §2.3.11: exceeding 15 bytes is #GP(0). */
        return fail(s, X86_EXC_GP, "instruction longer than 15 bytes");
    }
    r = s->env->fetch(s->env->opaque, s->avail, s->insn->bytes + s->avail, room);
    if (r <= 0) {
        s->status = X86_DECODE_FETCH_FAULT;
        s->insn->fault_offset = s->avail;
        s->insn->fault_error = r < 0 ? r : -1;
        s->insn->why = "instruction fetch fault";
        return false;
    }
    s->avail += (unsigned)r < room ? (unsigned)r : room;
    return true;
}

static inline bool get8(DecodeState *s, uint8_t *v)
{
    if (s->pos >= s->avail && !refill(s)) {
        return false;
    }
    *v = s->insn->bytes[s->pos++];
    return true;
}

/* Little-endian unsigned value of @n bytes. */
static bool getn(DecodeState *s, unsigned n, uint64_t *v)
{
    uint64_t r = 0;

    if (s->pos + n <= s->avail) {
        const uint8_t *p = s->insn->bytes + s->pos;
        for (unsigned i = 0; i < n; i++) {
            r |= (uint64_t)p[i] << (8 * i);
        }
        s->pos += n;
    } else {
        for (unsigned i = 0; i < n; i++) {
            uint8_t b;
            if (!get8(s, &b)) {
                return false;
            }
            r |= (uint64_t)b << (8 * i);
        }
    }
    *v = r;
    return true;
}

static inline void clear_operand(X86Operand *op)
{
    _Static_assert(sizeof(X86Operand) == 24, "X86Operand layout");
    memcpy(op, &(X86Operand){ .kind = X86_OPK_NONE }, sizeof(*op));
}

static inline int64_t sext(uint64_t v, unsigned bytes)
{
    unsigned sh = 64 - 8 * bytes;
    return (int64_t)(v << sh) >> sh;
}

static bool need_modrm(DecodeState *s)
{
    if (!s->have_modrm) {
        if (!get8(s, &s->modrm)) {
            return false;
        }
        s->have_modrm = true;
    }
    return true;
}

static unsigned reg_size(const DecodeState *s, unsigned t)
{
    switch (t) {
    case T_b: case T_bs: return 1;
    case T_w: return 2;
    case T_d: case T_bd: case T_wd: return 4;
    case T_q: return 8;
    case T_x: case T_xd: return 16;
    case T_v: case T_wv: return s->dsize;
    case T_z: case T_dw: case T_wz: return s->dsize == 2 ? 2 : 4;
    case T_y: case T_wy: case T_by: case T_dy: return s->dsize == 8 ? 8 : 4;
    case T_r: return s->code64 ? 8 : 4;
    case T_t: return 10;
    default: return 0;
    }
}

static unsigned mem_size(const DecodeState *s, unsigned t)
{
    switch (t) {
    case T_b: case T_by: case T_bd: return 1;
    case T_w: case T_wv: case T_wy: case T_wd: case T_wz: return 2;
    case T_d: case T_dy: case T_xd: return 4;
    case T_q: return 8;
    case T_x: return 16;
    case T_v: return s->dsize;
    case T_z: case T_dw: return s->dsize == 2 ? 2 : 4;
    case T_y: return s->dsize == 8 ? 8 : 4;
    case T_p: return 2 + s->dsize;
    case T_s: return s->code64 ? 10 : 6;
    case T_a: return 2 * s->dsize;
    case T_t: return 10;
    case T_env: return s->dsize == 2 ? 14 : 28;
    case T_fst: return s->dsize == 2 ? 94 : 108;
    case T_fx: return 512;
    default: return 0;   /* T_0, T_xs */
    }
}

/* ModRM (+SIB, displacement) memory operand, SDM vol. 2 tables 2-1..2-3. */
static bool decode_ea(DecodeState *s)
{
    static const int8_t base16[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };     /* BX BX BP BP SI DI BP BX */
    static const int8_t index16[8] = { 6, 7, 6, 7, -1, -1, -1, -1 }; /* SI DI SI DI */
    X86Operand *m = &s->ea;
    unsigned mod = s->modrm >> 6, rm = s->modrm & 7;
    unsigned seg = X86_SEG_DS;
    uint64_t v;

    clear_operand(m);
    m->kind = X86_OPK_MEM;
    m->base = X86_REG_NONE;
    m->index = X86_REG_NONE;
    m->scale = 1;
    m->addr_size = s->asize;

    if (s->asize == 2) {
        if (mod == 0 && rm == 6) {
            if (!getn(s, 2, &v)) {
                return false;
            }
            m->disp = sext(v, 2);
        } else {
            m->base = base16[rm];
            m->index = index16[rm];
            if (rm == 2 || rm == 3 || rm == 6) {
                seg = X86_SEG_SS;
            }
        }
    } else {
        int base = rm;
        if (rm == 4) {
            uint8_t sib;
            unsigned idx;
            if (!get8(s, &sib)) {
                return false;
            }
            m->scale = 1 << (sib >> 6);
            idx = ((sib >> 3) & 7) | (s->rex & X86_REX_X ? 8 : 0);
            if (idx != 4) {
                m->index = idx;
            }
            base = sib & 7;
            if (base == 5 && mod == 0) {
                base = X86_REG_NONE;
                if (!getn(s, 4, &v)) {
                    return false;
                }
                m->disp = sext(v, 4);
            }
        } else if (rm == 5 && mod == 0) {
            /* 64-bit mode turns [disp32] into [rip + disp32] (SDM §2.2.1.6). */
            base = s->code64 ? X86_REG_RIP : X86_REG_NONE;
            if (!getn(s, 4, &v)) {
                return false;
            }
            m->disp = sext(v, 4);
        }
        if (base >= 0 && base != X86_REG_RIP) {
            base |= s->rex & X86_REX_B ? 8 : 0;
            /* rSP and rBP default to SS; r12 and r13 do not. */
            if (base == 4 || base == 5) {
                seg = X86_SEG_SS;
            }
        }
        m->base = base;
    }
    if (mod == 1) {
        uint8_t d8;
        if (!get8(s, &d8)) {
            return false;
        }
        m->disp = (int8_t)d8;
    } else if (mod == 2) {
        unsigned n = s->asize == 2 ? 2 : 4;
        if (!getn(s, n, &v)) {
            return false;
        }
        m->disp = sext(v, n);
    }
    if (s->seg >= 0) {
        seg = s->seg;
        m->flags |= X86_OPF_SEGOVR;
    }
    m->seg = seg;
    return true;
}

static void set_gpr(const DecodeState *s, X86Operand *op, unsigned reg, unsigned size)
{
    op->kind = X86_OPK_GPR;
    op->size = size;
    /* Without REX, byte registers 4-7 are AH, CH, DH, BH (SDM §3.4.1.1). */
    if (size == 1 && reg >= 4 && reg < 8 && !s->has_rex) {
        op->reg = reg - 4;
        op->flags |= X86_OPF_HIGH8;
    } else {
        op->reg = reg;
    }
}

static void set_reg(X86Operand *op, unsigned kind, unsigned reg, unsigned size)
{
    op->kind = kind;
    op->reg = reg;
    op->size = size;
}

static void set_mem(const DecodeState *s, X86Operand *op, unsigned size)
{
    *op = s->ea;
    op->size = size;
}

static void set_string_mem(const DecodeState *s, X86Operand *op, bool dst, unsigned size)
{
    op->kind = X86_OPK_MEM;
    op->size = size;
    op->base = dst ? 7 : 6;          /* rDI / rSI */
    op->index = X86_REG_NONE;
    op->scale = 1;
    op->addr_size = s->asize;
    /* The destination is always ES (SDM "MOVS"): no override applies. */
    if (dst) {
        op->seg = X86_SEG_ES;
    } else if (s->seg >= 0) {
        op->seg = s->seg;
        op->flags |= X86_OPF_SEGOVR;
    } else {
        op->seg = X86_SEG_DS;
    }
}

static bool decode_imm(DecodeState *s, X86Operand *op, unsigned t)
{
    unsigned n;
    uint64_t v;

    switch (t) {
    case T_b: case T_bs: n = 1; break;
    case T_w: n = 2; break;
    case T_z: n = s->dsize == 2 ? 2 : 4; break;
    default: n = s->dsize; break;    /* T_v: MOV r, imm64 with REX.W */
    }
    if (!getn(s, n, &v)) {
        return false;
    }
    /* Sign-extended where the operation is wider than the encoding. */
    if (t == T_bs || (t == T_z && s->dsize == 8)) {
        v = sext(v, n);
    }
    op->kind = X86_OPK_IMM;
    op->size = n;
    op->imm = v;
    return true;
}

/* Returns the number of operands written (2 for AM_A), or -1 on failure. */
static int decode_operand(DecodeState *s, uint16_t spec, X86Operand *op)
{
    unsigned t = OPND_T(spec);
    unsigned rm = s->modrm & 7, reg = (s->modrm >> 3) & 7;
    bool mod3 = (s->modrm >> 6) == 3;
    unsigned rx = s->rex & X86_REX_R ? 8 : 0, bx = s->rex & X86_REX_B ? 8 : 0;
    uint64_t v;

    switch (OPND_M(spec)) {
    case AM_E:
        if (mod3) {
            set_gpr(s, op, rm | bx, reg_size(s, t));
        } else {
            set_mem(s, op, mem_size(s, t));
        }
        return 1;
    case AM_M:
        if (mod3) {
            return ud_op(s, "register operand where memory is required");
        }
        set_mem(s, op, mem_size(s, t));
        return 1;
    case AM_G:
        set_gpr(s, op, reg | rx, reg_size(s, t));
        return 1;
    case AM_R:
        set_gpr(s, op, rm | bx, reg_size(s, t));
        return 1;
    case AM_Z:
        set_gpr(s, op, (s->opbyte & 7) | bx, reg_size(s, t));
        return 1;
    case AM_AX: case AM_CX: case AM_DX:
        set_reg(op, X86_OPK_GPR, OPND_M(spec) - AM_AX, reg_size(s, t));
        return 1;
    case AM_S:
        if (reg > X86_SEG_GS) {
            return ud_op(s, "invalid segment register");
        }
        set_reg(op, X86_OPK_SEG, reg, 2);
        return 1;
    case AM_SEGF:
        set_reg(op, X86_OPK_SEG, t, 2);
        return 1;
    case AM_C: {
        unsigned cr = reg | rx;
        /* AMD's LOCK MOV CR0 alias for CR8 (APM vol. 3 "MOV CRn"). */
        if (s->lock && cr == 0 &&
            (s->env->features & X86_FEATURE_BIT(X86_FEAT_CR8LEGACY))) {
            cr = 8;
            s->lock = false;
        }
        if (cr != 0 && cr != 2 && cr != 3 && cr != 4 && cr != 8) {
            return ud_op(s, "invalid control register");
        }
        set_reg(op, X86_OPK_CR, cr, reg_size(s, t));
        return 1;
    }
    case AM_D:
        if (rx) {
            return ud_op(s, "DR8-DR15 do not exist");
        }
        set_reg(op, X86_OPK_DR, reg, reg_size(s, t));
        return 1;
    case AM_P:
        set_reg(op, X86_OPK_MMX, reg, reg_size(s, t));
        return 1;
    case AM_N:
        if (!mod3) {
            return ud_op(s, "memory operand where a register is required");
        }
        set_reg(op, X86_OPK_MMX, rm, 8);
        return 1;
    case AM_Q:
        if (mod3) {
            set_reg(op, X86_OPK_MMX, rm, 8);
        } else {
            set_mem(s, op, mem_size(s, t));
        }
        return 1;
    case AM_V:
        set_reg(op, X86_OPK_XMM, reg | rx, reg_size(s, t));
        return 1;
    case AM_U:
        if (!mod3) {
            return ud_op(s, "memory operand where a register is required");
        }
        set_reg(op, X86_OPK_XMM, rm | bx, reg_size(s, t));
        return 1;
    case AM_W:
        if (mod3) {
            set_reg(op, X86_OPK_XMM, rm | bx, reg_size(s, t));
        } else {
            set_mem(s, op, mem_size(s, t));
        }
        return 1;
    case AM_ST0:
        set_reg(op, X86_OPK_ST, 0, 10);
        return 1;
    case AM_STI:
        set_reg(op, X86_OPK_ST, rm, 10);
        return 1;
    case AM_B:
        set_reg(op, X86_OPK_GPR, s->vvvv, reg_size(s, t));
        return 1;
    case AM_XMM0:
        set_reg(op, X86_OPK_XMM, 0, 16);
        return 1;
    case AM_I:
        return decode_imm(s, op, t) ? 1 : -1;
    case AM_ONE:
        op->kind = X86_OPK_IMM;
        op->size = 1;
        op->imm = 1;
        return 1;
    case AM_J: {
        unsigned n = t == T_b ? 1 : (s->dsize == 2 ? 2 : 4);
        uint64_t target;
        if (!getn(s, n, &v)) {
            return -1;
        }
        /* The displacement is always the last field: pos is the length. */
        target = s->insn->pc + s->pos + (uint64_t)sext(v, n);
        if (s->dsize == 2) {
            target &= 0xffff;
        } else if (!s->code64) {
            target &= 0xffffffff;
        }
        op->kind = X86_OPK_REL;
        op->size = n;
        op->target = target;
        return 1;
    }
    case AM_O:
        if (!getn(s, s->asize, &v)) {
            return -1;
        }
        op->kind = X86_OPK_MEM;
        op->size = reg_size(s, t);
        op->base = X86_REG_NONE;
        op->index = X86_REG_NONE;
        op->scale = 1;
        op->addr_size = s->asize;
        op->disp = (int64_t)v;
        op->seg = s->seg >= 0 ? s->seg : X86_SEG_DS;
        op->flags = s->seg >= 0 ? X86_OPF_SEGOVR : 0;
        return 1;
    case AM_A: {
        /* ptr16:16 / ptr16:32: offset first, then selector; shown sel:off. */
        unsigned n = s->dsize == 2 ? 2 : 4;
        uint64_t sel;
        if (!getn(s, n, &v) || !getn(s, 2, &sel)) {
            return -1;
        }
        op[0].kind = X86_OPK_IMM;
        op[0].size = 2;
        op[0].imm = sel;
        op[1].kind = X86_OPK_IMM;
        op[1].size = n;
        op[1].imm = v;
        return 2;
    }
    case AM_X:
    case AM_Y:
        set_string_mem(s, op, OPND_M(spec) == AM_Y, reg_size(s, t));
        return 1;
    }
    return ud_op(s, "invalid operand specification");
}

/* VEX prefix (SDM §2.3.5): only the BMI1/BMI2 general-purpose forms. */
static const X86OpEntry *decode_vex(DecodeState *s, uint8_t b, unsigned *map)
{
    uint8_t p1, p2;
    unsigned mmmmm, pp, l, w;
    const X86OpEntry *e;

    if (s->has66 || s->rep || s->lock || s->has_rex) {
        ud(s, "VEX after a 66/F2/F3/LOCK/REX prefix");
        return NULL;
    }
    if (!get8(s, &p1)) {
        return NULL;
    }
    if (b == 0xc5) {
        s->rex = p1 & 0x80 ? 0 : X86_REX_R;
        mmmmm = 1;
        p2 = p1;
        w = 0;
    } else {
        s->rex = (p1 & 0x80 ? 0 : X86_REX_R) | (p1 & 0x40 ? 0 : X86_REX_X) |
                 (p1 & 0x20 ? 0 : X86_REX_B);
        mmmmm = p1 & 0x1f;
        if (!get8(s, &p2)) {
            return NULL;
        }
        w = p2 >> 7;
    }
    s->vex = true;
    s->vvvv = (~p2 >> 3) & 15;
    l = (p2 >> 2) & 1;
    pp = p2 & 3;
    if (!s->code64) {
        /* Outside 64-bit mode only 8 registers exist; VEX.W is ignored by BMI. */
        s->rex = 0;
        s->vvvv &= 7;
        w = 0;
    }
    if (w) {
        s->rex |= X86_REX_W;
    }
    s->mandatory = pp;
    *map = mmmmm;
    if (!get8(s, &s->opbyte)) {
        return NULL;
    }
    if (!(s->env->mode & X86_MF_PE) || (s->env->mode & X86_MF_VM86)) {
        ud(s, "VEX in real or virtual-8086 mode");
        return NULL;
    }
    e = x86_vex_entry(mmmmm, s->opbyte, pp);
    if (!e) {
        ud(s, "AVX (VEX-encoded) instructions are not supported");
        return NULL;
    }
    if (l) {
        ud(s, "VEX.L = 1 with a BMI instruction");
        return NULL;
    }
    return e;
}

static bool decode(DecodeState *s)
{
    X86Insn *insn = s->insn;
    const X86OpEntry *e;
    unsigned map = 0;
    uint8_t b;
    uint32_t f;
    int n;

    /* Legacy prefixes and REX (SDM §2.1.1, §2.2.1). */
    for (;;) {
        if (!get8(s, &b)) {
            return false;
        }
        switch (b) {
        case 0xf0:
            s->lock = s->lock_pfx = true;
            break;
        case 0xf2:
        case 0xf3:
            s->rep = b;
            break;
        case 0x26: case 0x2e: case 0x36: case 0x3e:
            s->seg = (b >> 3) & 3;
            break;
        case 0x64:
        case 0x65:
            s->seg = X86_SEG_FS + (b - 0x64);
            break;
        case 0x66:
            s->has66 = true;
            break;
        case 0x67:
            s->has67 = true;
            break;
        default:
            if (s->code64 && (b & 0xf0) == 0x40) {
                s->rex = b & 0xf;
                s->has_rex = true;
                continue;
            }
            goto opcode;
        }
        /* REX counts only right before the opcode (SDM §2.2.1). */
        s->rex = 0;
        s->has_rex = false;
    }

opcode:
    /*
     * The last segment prefix wins; in 64-bit mode an ES/CS/SS/DS override
     * then means "no base" (SDM §3.3.7.1), i.e. the default segment.
     */
    if (s->code64 && s->seg >= 0 && s->seg < X86_SEG_FS) {
        s->seg = -1;
    }
    if (s->code64) {
        s->asize = s->has67 ? 4 : 8;
    } else {
        s->asize = (s->d32 ^ s->has67) ? 4 : 2;
    }
    s->mandatory = s->rep == 0xf3 ? 2 : s->rep == 0xf2 ? 3 : s->has66 ? 1 : 0;
    s->opbyte = b;

    if (b == 0x0f) {
        if (!get8(s, &b)) {
            return false;
        }
        if (b == 0x38 || b == 0x3a) {
            map = b == 0x38 ? 2 : 3;
            if (!get8(s, &b)) {
                return false;
            }
            e = map == 2 ? &x86_map_0f38[b] : &x86_map_0f3a[b];
        } else {
            map = 1;
            e = &x86_map_0f[b];
        }
        s->opbyte = b;
    } else if (b == 0xc4 || b == 0xc5) {
        /* Outside 64-bit mode these are LES/LDS unless ModRM.mod is 3. */
        if (!s->code64) {
            if (!get8(s, &s->modrm)) {
                return false;
            }
            if ((s->modrm & 0xc0) != 0xc0) {
                s->have_modrm = true;
                e = &x86_map_1byte[b];
                goto resolve;
            }
            s->pos--;
        }
        e = decode_vex(s, b, &map);
        if (!e) {
            return false;
        }
    } else if (b == 0x62 && s->code64) {
        return ud(s, "EVEX (AVX-512) instructions are not supported");
    } else {
        e = &x86_map_1byte[b];
    }

resolve:
    insn->map = map;
    insn->opbyte = s->opbyte;
    for (;;) {
        switch (e->kind) {
        case K_INSN:
            goto found;
        case K_GROUP:
            if (!need_modrm(s)) {
                return false;
            }
            e = &e->sub[(s->modrm >> 3) & 7];
            break;
        case K_PREFIX:
            e = &e->sub[s->mandatory];
            break;
        case K_MOD:
            if (!need_modrm(s)) {
                return false;
            }
            e = &e->sub[(s->modrm >> 6) == 3];
            break;
        case K_RM:
            if (!need_modrm(s)) {
                return false;
            }
            e = &e->sub[s->modrm & 7];
            break;
        case K_W:
            e = &e->sub[(s->rex & X86_REX_W) != 0];
            break;
        case K_MODE64:
            e = &e->sub[s->code64];
            break;
        case K_X87: {
            unsigned esc = s->opbyte - 0xd8;
            if (!need_modrm(s)) {
                return false;
            }
            if ((s->modrm >> 6) == 3) {
                e = &x86_x87_reg[esc * 64 + (s->modrm & 0x3f)];
            } else {
                e = &x86_x87_mem[esc * 8 + ((s->modrm >> 3) & 7)];
            }
            break;
        }
        default:
            return ud(s, "invalid opcode");
        }
    }

found:
    f = e->flags;
    insn->opcode = e->op;
    if (s->code64 ? (f & F_I64) : (f & F_O64)) {
        return ud(s, s->code64 ? "invalid in 64-bit mode" : "valid only in 64-bit mode");
    }
    if ((f & F_NOREAL) &&
        (!(s->env->mode & X86_MF_PE) || (s->env->mode & X86_MF_VM86))) {
        return ud(s, "not recognized in real-address or virtual-8086 mode");
    }
    /* TZCNT/LZCNT on CPUs without them are BSF/BSR with an ignored F3. */
    if (e->op == X86_OP_TZCNT &&
        !(s->env->features & X86_FEATURE_BIT(X86_FEAT_BMI1))) {
        insn->opcode = X86_OP_BSF;
        f = (f & ~F_W0) | F_RW0;
    } else if (e->op == X86_OP_LZCNT &&
               !(s->env->features & X86_FEATURE_BIT(X86_FEAT_ABM))) {
        insn->opcode = X86_OP_BSR;
        f = (f & ~F_W0) | F_RW0;
    }
    if (e->feat && !(s->env->features & X86_FEATURE_BIT(e->feat - 1))) {
        return ud(s, feature_why[e->feat - 1]);
    }
    if ((e->op == X86_OP_LAHF || e->op == X86_OP_SAHF) && s->code64 &&
        !(s->env->features & X86_FEATURE_BIT(X86_FEAT_LAHF_LM))) {
        return ud(s, feature_why[X86_FEAT_LAHF_LM]);
    }

    /* Operand-size attribute (SDM §2.2.1.2, table 2-4). */
    if (s->code64) {
        if ((f & F_F64) || (s->rex & X86_REX_W)) {
            s->dsize = 8;
        } else if (s->has66) {
            s->dsize = 2;
        } else {
            s->dsize = (f & F_D64) ? 8 : 4;
        }
    } else {
        s->dsize = (s->d32 ^ s->has66) ? 4 : 2;
    }

    /* ModRM, then SIB and displacement, precede any immediate. */
    {
        bool modrm = false, rform = false;
        for (int i = 0; i < 4 && e->opnd[i]; i++) {
            modrm |= am_uses_modrm[OPND_M(e->opnd[i])];
            rform |= OPND_M(e->opnd[i]) == AM_R;
        }
        if (modrm && !need_modrm(s)) {
            return false;
        }
        /* MOV CR/DR ignore ModRM.mod: always a register, never SIB/disp. */
        if (s->have_modrm && (s->modrm >> 6) != 3 && !rform && !decode_ea(s)) {
            return false;
        }
    }
    if (s->vex) {
        bool uses_vvvv = false;
        for (int i = 0; i < 4 && e->opnd[i]; i++) {
            uses_vvvv |= OPND_M(e->opnd[i]) == AM_B;
        }
        if (!uses_vvvv && s->vvvv) {
            return ud(s, "VEX.vvvv must be 1111b");
        }
    }

    n = 0;
    for (int i = 0; i < 4 && e->opnd[i]; i++) {
        int k = decode_operand(s, e->opnd[i], &insn->op[n]);
        if (k < 0 || s->status != X86_DECODE_OK) {
            return false;
        }
        n += k;
    }
    insn->num_ops = n;
    insn->flags = f & F_PASS;
    insn->data_size = s->dsize;
    insn->addr_size = s->asize;

    /* Access flags: op[0] per the table, the rest are read. */
    for (int i = 0; i < n; i++) {
        X86Operand *op = &insn->op[i];
        if (op->kind == X86_OPK_IMM || op->kind == X86_OPK_REL) {
            continue;
        }
        if (op->kind == X86_OPK_MEM && (f & F_NOACC)) {
            continue;
        }
        if (i == 0) {
            op->access = f & F_W0 ? X86_ACC_WRITE :
                         f & F_RW0 ? X86_ACC_READ | X86_ACC_WRITE : X86_ACC_READ;
        } else {
            op->access = (i == 1 && (f & F_RW1)) ? X86_ACC_READ | X86_ACC_WRITE
                                                  : X86_ACC_READ;
        }
        if (op->kind == X86_OPK_MMX) {
            insn->flags |= X86_INSN_MMX;
        } else if (op->kind == X86_OPK_XMM) {
            insn->flags |= X86_INSN_SSE;
        }
    }

    switch (insn->opcode) {
    case X86_OP_XCHG:
        if (s->opbyte == 0x90 && map == 0 && !(s->rex & X86_REX_B)) {
            /* 90 is NOP (F3 90 PAUSE), not XCHG eAX, eAX: no zero-extension. */
            insn->opcode = s->rep == 0xf3 ? X86_OP_PAUSE : X86_OP_NOP;
            insn->num_ops = 0;
            memset(insn->op, 0, 2 * sizeof(insn->op[0]));
        } else if (insn->op[0].kind == X86_OPK_MEM) {
            /* XCHG with memory is atomic without LOCK (SDM "XCHG"). */
            insn->flags |= X86_INSN_LOCK;
        }
        break;
    case X86_OP_JCC:
    case X86_OP_SETCC:
    case X86_OP_CMOVCC:
        insn->cc = s->opbyte & 15;
        break;
    case X86_OP_MOV_TO_SEG:
        if (insn->op[0].reg == X86_SEG_CS) {
            return ud(s, "MOV to CS");
        }
        if (insn->op[0].reg == X86_SEG_SS) {
            /* MOV SS blocks interrupts for one instruction (SDM 6.8.3). */
            insn->flags |= X86_INSN_END_TB;
        }
        break;
    case X86_OP_LSS:
        insn->flags |= X86_INSN_END_TB;
        break;
    default:
        break;
    }

    if (s->lock) {
        /* SDM "LOCK": #UD unless a lockable instruction writes memory. */
        if (!(f & F_LOCK) || insn->op[0].kind != X86_OPK_MEM) {
            return ud(s, "LOCK prefix on a non-lockable instruction or register destination");
        }
        insn->flags |= X86_INSN_LOCK;
    }
    if ((f & F_STR) && s->rep) {
        insn->flags |= X86_INSN_REP;
        if (s->rep == 0xf2 &&
            (insn->opcode == X86_OP_CMPS || insn->opcode == X86_OP_SCAS)) {
            insn->flags |= X86_INSN_REPNZ;
        }
    }

    /* Operation size. */
    if (insn->flags & (X86_INSN_MMX | X86_INSN_SSE)) {
        insn->opsize = (insn->flags & X86_INSN_SSE) ? 16 : 8;
        for (int i = 0; i < n; i++) {
            if (insn->op[i].kind == X86_OPK_MEM && insn->op[i].size == 16 &&
                (insn->flags & X86_INSN_SSE) && !(f & F_UNAL)) {
                insn->flags |= X86_INSN_ALIGN16;
            }
        }
    } else if (insn->opcode == X86_OP_OUT || insn->opcode == X86_OP_OUTS) {
        insn->opsize = insn->op[1].size;
    } else {
        insn->opsize = s->dsize;
        for (int i = 0; i < n; i++) {
            unsigned k = insn->op[i].kind;
            if (k != X86_OPK_IMM && k != X86_OPK_REL && k != X86_OPK_SEG) {
                insn->opsize = insn->op[i].size;
                break;
            }
        }
    }

    insn->prefixes = (s->lock_pfx ? X86_PFX_LOCK : 0) |
                     (s->rep == 0xf3 ? X86_PFX_REPZ : 0) |
                     (s->rep == 0xf2 ? X86_PFX_REPNZ : 0) |
                     (s->has66 ? X86_PFX_OPSIZE : 0) | (s->has67 ? X86_PFX_ADSIZE : 0) |
                     (s->has_rex ? X86_PFX_REX : 0) | (s->vex ? X86_PFX_VEX : 0);
    return true;
}

X86DecodeStatus x86_decode(const X86DecodeEnv *env, uint64_t pc, X86Insn *insn)
{
    DecodeState s;
    bool ok;

    /*
     * Field by field: a memset of these ~250 bytes becomes "rep stos", whose
     * start-up cost was a third of the decode time.
     */
    clear_operand(&insn->op[0]);
    clear_operand(&insn->op[1]);
    clear_operand(&insn->op[2]);
    clear_operand(&insn->op[3]);
    insn->pc = pc;
    insn->opcode = X86_OP_INVALID;
    insn->num_ops = 0;
    insn->opsize = 0;
    insn->data_size = 0;
    insn->addr_size = 0;
    insn->prefixes = 0;
    insn->cc = 0;
    insn->map = 0;
    insn->opbyte = 0;
    insn->exception = 0;
    insn->fault_offset = 0;
    insn->fault_error = 0;
    insn->flags = 0;
    insn->why = NULL;

    s.env = env;
    s.insn = insn;
    s.pos = s.avail = 0;
    s.status = X86_DECODE_OK;
    s.code64 = (env->mode & (X86_MF_CS64 | X86_MF_LMA)) == (X86_MF_CS64 | X86_MF_LMA);
    s.d32 = (env->mode & X86_MF_CS32) != 0;
    s.has_rex = s.has66 = s.has67 = s.lock = s.lock_pfx = false;
    s.have_modrm = s.vex = false;
    s.rex = s.rep = s.modrm = s.vvvv = s.mandatory = s.dsize = s.asize = s.opbyte = 0;
    s.seg = -1;

    ok = decode(&s);
    insn->len = s.pos;
    insn->rex = s.rex;
    insn->modrm = s.modrm;
    insn->seg_override = s.seg;
    insn->next_pc = s.code64 ? pc + s.pos : (uint32_t)(pc + s.pos);
    if (!ok) {
        insn->opcode = X86_OP_INVALID;
        return s.status;
    }
    return X86_DECODE_OK;
}

typedef struct BufFetch {
    const uint8_t *code;
    size_t len;
} BufFetch;

static int buf_fetch(void *opaque, unsigned offset, uint8_t *buf, unsigned len)
{
    BufFetch *b = opaque;

    if (offset >= b->len) {
        return -1;
    }
    if (len > b->len - offset) {
        len = b->len - offset;
    }
    memcpy(buf, b->code + offset, len);
    return len;
}

X86DecodeStatus x86_decode_buf(uint32_t mode, uint64_t features, uint64_t pc,
                               const uint8_t *code, size_t len, X86Insn *insn)
{
    BufFetch b = { code, len };
    X86DecodeEnv env = { buf_fetch, &b, mode, features };

    return x86_decode(&env, pc, insn);
}
