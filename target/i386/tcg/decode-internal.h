/*
 * Opcode-table format shared by decode.c and the decode-tables-*.c files.
 *
 * Each opcode map is an array of X86OpEntry indexed by opcode byte. An entry
 * either describes an instruction (K_INSN) or says how to pick the next
 * entry: by ModRM.reg (group), by mandatory prefix (none/66/F3/F2), by
 * ModRM.mod (memory/register), by ModRM.rm, by REX.W or by 64-bit mode.
 * Operand specs follow the SDM's opcode-map notation (vol. 2 appendix A.2):
 * an addressing method (E, G, I, ...) and an operand type (b, v, z, ...).
 */
#ifndef TARGET_I386_TCG_DECODE_INTERNAL_H
#define TARGET_I386_TCG_DECODE_INTERNAL_H

#include "target/i386/decode.h"

enum {
    K_INVALID,   /* #UD */
    K_INSN,
    K_GROUP,     /* sub[ModRM.reg] */
    K_PREFIX,    /* sub[0 none, 1 66, 2 F3, 3 F2] (mandatory prefix) */
    K_MOD,       /* sub[0 memory, 1 register] */
    K_RM,        /* sub[ModRM.rm] (register forms) */
    K_W,         /* sub[REX.W] */
    K_MODE64,    /* sub[0 legacy/compat, 1 64-bit mode] */
    K_X87,       /* D8-DF escape */
};

/* Addressing methods (SDM A.2.1) plus the fixed registers this decoder needs. */
enum {
    AM_NONE,
    AM_E,        /* ModRM r/m: GPR or memory */
    AM_M,        /* ModRM r/m: memory only (mod = 3 is #UD) */
    AM_G,        /* ModRM reg: GPR */
    AM_R,        /* ModRM r/m: GPR, mod ignored (MOV CR/DR) */
    AM_Z,        /* opcode bits 2:0 (+REX.B): GPR */
    AM_AX, AM_CX, AM_DX,
    AM_S,        /* ModRM reg: segment register */
    AM_SEGF,     /* fixed segment register, number in the type field */
    AM_C, AM_D,  /* ModRM reg: control / debug register */
    AM_P, AM_Q, AM_N,   /* MMX: reg, r/m or memory, r/m register only */
    AM_V, AM_W, AM_U,   /* XMM: reg, r/m or memory, r/m register only */
    AM_ST0, AM_STI,     /* x87 ST(0), ST(r/m) */
    AM_B,        /* VEX.vvvv: GPR */
    AM_XMM0,     /* implicit XMM0 (BLENDV) */
    AM_I,        /* immediate */
    AM_ONE,      /* the constant 1 of D0/D1 shifts */
    AM_J,        /* relative branch */
    AM_O,        /* moffs */
    AM_A,        /* direct far pointer (two operands) */
    AM_X, AM_Y,  /* string source DS:rSI, destination ES:rDI */
    AM_COUNT
};

/* Operand types (SDM A.2.2) and the sizes the x87/SSE/system forms need. */
enum {
    T_NONE,
    T_b, T_bs, T_w, T_d, T_q, T_x, T_v, T_z, T_y,
    T_p,         /* far pointer m16:16/32/64 */
    T_s,         /* pseudo-descriptor m16&32 / m16&64 */
    T_a,         /* BOUND pair */
    T_wv,        /* memory: 16 bits; register: operand size */
    T_wy,        /* memory: 16 bits; register: 32/64 (REX.W) */
    T_by,        /* memory: 8 bits; register: 32/64 */
    T_bd,        /* memory: 8 bits; register: 32 bits */
    T_wd,        /* memory: 16 bits; register: 32 bits */
    T_wz,        /* memory: 16 bits; register: 16 with 66, else 32 (LAR/LSL) */
    T_dy,        /* memory: 32 bits; register: 32/64 */
    T_xd,        /* memory: 32 bits; register: 128 */
    T_dw,        /* MOVSXD source: 16 with 66, else 32 */
    T_r,         /* control/debug register width: 64 in 64-bit mode, else 32 */
    T_0,         /* address only, no access */
    T_t,         /* 80-bit (m80fp, m80bcd, ST registers) */
    T_env,       /* FLDENV/FNSTENV image: 14 or 28 bytes */
    T_fst,       /* FNSAVE/FRSTOR image: 94 or 108 bytes */
    T_fx,        /* FXSAVE area: 512 bytes */
    T_xs,        /* XSAVE area: variable (reported as 0) */
    T_COUNT
};

#define OPND(m, t) ((uint16_t)((m) << 8 | (t)))
#define OPND_M(spec) ((spec) >> 8)
#define OPND_T(spec) ((spec) & 0xff)

/*
 * Entry flags (table side). The low 20 bits are X86_INSN_* flags copied to
 * the decoded instruction as they are; the high 12 steer the decoder.
 */
#define F_LOCK      X86_INSN_LOCKABLE   /* LOCK allowed with a memory destination */
#define F_PRIV      X86_INSN_PRIV
#define F_PRIVC     X86_INSN_PRIV_COND
#define F_IOPL      X86_INSN_IOPL
#define F_IO        X86_INSN_IO
#define F_VM86      X86_INSN_VM86_IOPL
#define F_END       X86_INSN_END_TB
#define F_BR        X86_INSN_BRANCH
#define F_COND      X86_INSN_COND
#define F_IND       X86_INSN_INDIRECT
#define F_X87       X86_INSN_X87
#define F_MMX       X86_INSN_MMX
#define F_SSE       X86_INSN_SSE
#define F_A16       X86_INSN_ALIGN16
#define F_A64       X86_INSN_ALIGN64
#define F_SEG       X86_INSN_SEG_LOAD
#define F_STK       X86_INSN_STACK
#define F_PASS      (X86_INSN_LOCKABLE | X86_INSN_PRIV | X86_INSN_PRIV_COND | \
                     X86_INSN_IOPL | X86_INSN_IO | X86_INSN_VM86_IOPL | \
                     X86_INSN_END_TB | X86_INSN_BRANCH | X86_INSN_COND | \
                     X86_INSN_INDIRECT | X86_INSN_X87 | X86_INSN_MMX | X86_INSN_SSE | \
                     X86_INSN_ALIGN16 | X86_INSN_ALIGN64 | X86_INSN_SEG_LOAD | \
                     X86_INSN_STACK)
#define F_I64       (1u << 20)  /* #UD in 64-bit mode */
#define F_O64       (1u << 21)  /* #UD outside 64-bit mode */
#define F_D64       (1u << 22)  /* 64-bit mode: default operand size 64 */
#define F_F64       (1u << 23)  /* 64-bit mode: operand size forced to 64 */
#define F_NOREAL    (1u << 24)  /* #UD in real and virtual-8086 mode */
#define F_W0        (1u << 25)  /* op[0] written, not read */
#define F_RW0       (1u << 26)  /* op[0] read and written */
#define F_RW1       (1u << 27)  /* op[1] read and written */
#define F_NOACC     (1u << 28)  /* memory operands are addresses only */
#define F_UNAL      (1u << 29)  /* SSE m128 operand without alignment check */
#define F_STR       (1u << 30)  /* string instruction: F2/F3 repeat it */
/* Documentation only: decode.c recognizes CMPS/SCAS and OUT/OUTS by opcode. */
#define F_STRCMP    0           /* CMPS/SCAS: F2 = REPNZ */
#define F_OSZ1      0           /* opsize from op[1] */

typedef struct X86OpEntry {
    const struct X86OpEntry *sub;
    uint32_t flags;
    uint16_t op;
    uint8_t kind;
    uint8_t feat;        /* X86Feature + 1, 0 = always present */
    uint16_t opnd[4];
} X86OpEntry;

#define FT(name) (X86_FEAT_##name + 1)

#define I(opc, f, ...) \
    { .kind = K_INSN, .op = X86_OP_##opc, .flags = (f), .opnd = { __VA_ARGS__ } }
#define IF(opc, f, feature, ...) \
    { .kind = K_INSN, .op = X86_OP_##opc, .flags = (f), .feat = FT(feature), \
      .opnd = { __VA_ARGS__ } }
#define GRP(t)   { .kind = K_GROUP, .sub = (t) }
#define PFX(t)   { .kind = K_PREFIX, .sub = (t) }
#define MODSEL(t) { .kind = K_MOD, .sub = (t) }
#define RMSEL(t) { .kind = K_RM, .sub = (t) }
#define WSEL(t)  { .kind = K_W, .sub = (t) }
#define M64SEL(t) { .kind = K_MODE64, .sub = (t) }
#define X87ESC   { .kind = K_X87 }
/* Inline sub-tables (file-scope compound literals have static storage). */
#define PFX4(n, p66, pf3, pf2) \
    { .kind = K_PREFIX, .sub = (const X86OpEntry[4]){ n, p66, pf3, pf2 } }
#define GROUP8(...) { .kind = K_GROUP, .sub = (const X86OpEntry[8]){ __VA_ARGS__ } }
#define MOD2(mem, reg) { .kind = K_MOD, .sub = (const X86OpEntry[2]){ mem, reg } }
#define RM8(...) { .kind = K_RM, .sub = (const X86OpEntry[8]){ __VA_ARGS__ } }
#define W2(w0, w1) { .kind = K_W, .sub = (const X86OpEntry[2]){ w0, w1 } }
#define UD       { .kind = K_INVALID }

/* SDM-style operand spellings. */
#define Eb   OPND(AM_E, T_b)
#define Ew   OPND(AM_E, T_w)
#define Ed   OPND(AM_E, T_d)
#define Eq   OPND(AM_E, T_q)
#define Ev   OPND(AM_E, T_v)
#define Ey   OPND(AM_E, T_y)
#define Ewv  OPND(AM_E, T_wv)
#define Ewy  OPND(AM_E, T_wy)
#define Eby  OPND(AM_E, T_by)
#define Ebd  OPND(AM_E, T_bd)
#define Ewd  OPND(AM_E, T_wd)
#define Ewz  OPND(AM_E, T_wz)
#define Edy  OPND(AM_E, T_dy)
#define Edw  OPND(AM_E, T_dw)
#define E0   OPND(AM_E, T_0)
#define Gb   OPND(AM_G, T_b)
#define Gw   OPND(AM_G, T_w)
#define Gd   OPND(AM_G, T_d)
#define Gv   OPND(AM_G, T_v)
#define Gy   OPND(AM_G, T_y)
#define Gz   OPND(AM_G, T_z)
#define Gq   OPND(AM_G, T_q)
#define Gr   OPND(AM_G, T_r)
#define M0   OPND(AM_M, T_0)
#define Mb   OPND(AM_M, T_b)
#define Mw   OPND(AM_M, T_w)
#define Md   OPND(AM_M, T_d)
#define Mq   OPND(AM_M, T_q)
#define Mx   OPND(AM_M, T_x)
#define Mv   OPND(AM_M, T_v)
#define My   OPND(AM_M, T_y)
#define Mp   OPND(AM_M, T_p)
#define Ms   OPND(AM_M, T_s)
#define Ma   OPND(AM_M, T_a)
#define Mt   OPND(AM_M, T_t)
#define Menv OPND(AM_M, T_env)
#define Mfst OPND(AM_M, T_fst)
#define Mfx  OPND(AM_M, T_fx)
#define Mxs  OPND(AM_M, T_xs)
#define Rr   OPND(AM_R, T_r)
#define Cr   OPND(AM_C, T_r)
#define Dr   OPND(AM_D, T_r)
#define Zb   OPND(AM_Z, T_b)
#define Zv   OPND(AM_Z, T_v)
#define AL   OPND(AM_AX, T_b)
#define rAX  OPND(AM_AX, T_v)
#define eAX  OPND(AM_AX, T_z)
#define aAX  OPND(AM_AX, T_w)
#define CL   OPND(AM_CX, T_b)
#define DX   OPND(AM_DX, T_w)
#define Sw   OPND(AM_S, T_w)
#define SEG(n) OPND(AM_SEGF, n)
#define Ib   OPND(AM_I, T_b)
#define Ibs  OPND(AM_I, T_bs)
#define Iw   OPND(AM_I, T_w)
#define Iz   OPND(AM_I, T_z)
#define Iv   OPND(AM_I, T_v)
#define I1   OPND(AM_ONE, T_b)
#define Jb   OPND(AM_J, T_b)
#define Jz   OPND(AM_J, T_z)
#define Ob   OPND(AM_O, T_b)
#define Ov   OPND(AM_O, T_v)
#define Ap   OPND(AM_A, T_p)
#define Xb   OPND(AM_X, T_b)
#define Xv   OPND(AM_X, T_v)
#define Xz   OPND(AM_X, T_z)
#define Yb   OPND(AM_Y, T_b)
#define Yv   OPND(AM_Y, T_v)
#define Yz   OPND(AM_Y, T_z)
#define ST0  OPND(AM_ST0, T_t)
#define STi  OPND(AM_STI, T_t)
#define By   OPND(AM_B, T_y)
#define Pq   OPND(AM_P, T_q)
#define Pd   OPND(AM_P, T_d)
#define Py   OPND(AM_P, T_y)
#define Qq   OPND(AM_Q, T_q)
#define Qd   OPND(AM_Q, T_d)
#define Nq   OPND(AM_N, T_q)
#define Vx   OPND(AM_V, T_x)
#define Vq   OPND(AM_V, T_q)
#define Vd   OPND(AM_V, T_d)
#define Vy   OPND(AM_V, T_y)
#define Wx   OPND(AM_W, T_x)
#define Wq   OPND(AM_W, T_q)
#define Wd   OPND(AM_W, T_d)
#define Ww   OPND(AM_W, T_w)
#define Wxd  OPND(AM_W, T_xd)
#define Ux   OPND(AM_U, T_x)
#define Uq   OPND(AM_U, T_q)
#define XMM0 OPND(AM_XMM0, T_x)

extern const X86OpEntry x86_map_1byte[256];
extern const X86OpEntry x86_map_0f[256];
extern const X86OpEntry x86_map_0f38[256];
extern const X86OpEntry x86_map_0f3a[256];
extern const X86OpEntry x86_x87_mem[64];     /* [(esc - 0xD8) * 8 + reg] */
extern const X86OpEntry x86_x87_reg[512];    /* [(esc - 0xD8) * 64 + (modrm & 63)] */
/* VEX-encoded BMI1/BMI2; NULL when the encoding is not one of them. */
const X86OpEntry *x86_vex_entry(unsigned map, unsigned opbyte, unsigned pp);

#endif
