/*
 * x86 instruction decoder: bytes -> X86Insn, the input of the TCG front end.
 *
 * The decoder is pure: no allocation, no global state, no knowledge of
 * CPUX86State. It is told the CPU mode and the CPUID features, fetches code
 * bytes through a callback (so the translator can fetch through the guest MMU
 * and learn where a fetch faulted) and reports what the instruction is, what
 * it touches and which exception an invalid encoding raises. Run-time checks
 * that depend on state the decoder is not given (CPL, IOPL, CR0.TS/EM,
 * CR4.OSFXSR/TSD/PCE/UMIP, alignment of the computed address) are left to the
 * translator, which the X86_INSN_* flags tell what to check.
 * The contract is written up in docs/devel/x86-decoder.md.
 */
#ifndef TARGET_I386_DECODE_H
#define TARGET_I386_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SDM vol. 2 §2.3.11: an instruction longer than this raises #GP(0). */
#define X86_MAX_INSN_LEN 15

/*
 * CPU mode: the bits that change how bytes decode. Build it from CR0.PE,
 * EFLAGS.VM, EFER.LMA and the CS descriptor's L and D bits.
 */
enum {
    X86_MF_PE    = 1 << 0,  /* protected mode (CR0.PE) */
    X86_MF_VM86  = 1 << 1,  /* virtual-8086 mode (EFLAGS.VM, with PE) */
    X86_MF_LMA   = 1 << 2,  /* IA-32e mode active (EFER.LMA) */
    X86_MF_CS32  = 1 << 3,  /* CS.D = 1: default operand/address size 32 */
    X86_MF_CS64  = 1 << 4,  /* CS.L = 1 with LMA: 64-bit mode */
};
#define X86_MODE_REAL     0u
#define X86_MODE_VM86     (X86_MF_PE | X86_MF_VM86)
#define X86_MODE_PROT16   X86_MF_PE
#define X86_MODE_PROT32   (X86_MF_PE | X86_MF_CS32)
#define X86_MODE_COMPAT16 (X86_MF_PE | X86_MF_LMA)
#define X86_MODE_COMPAT32 (X86_MF_PE | X86_MF_LMA | X86_MF_CS32)
#define X86_MODE_LONG64   (X86_MF_PE | X86_MF_LMA | X86_MF_CS64)
/* "Big real" code (CS.D = 1 left over from protected mode) is X86_MF_CS32 alone. */

/* CPUID features that gate instructions; bit numbers in X86DecodeEnv.features. */
typedef enum X86Feature {
    X86_FEAT_FPU, X86_FEAT_TSC, X86_FEAT_MSR, X86_FEAT_CX8, X86_FEAT_SEP,
    X86_FEAT_CMOV, X86_FEAT_CLFLUSH, X86_FEAT_MMX, X86_FEAT_FXSR, X86_FEAT_SSE,
    X86_FEAT_SSE2, X86_FEAT_SSE3, X86_FEAT_PCLMULQDQ, X86_FEAT_MONITOR,
    X86_FEAT_SSSE3, X86_FEAT_CX16, X86_FEAT_SSE41, X86_FEAT_SSE42, X86_FEAT_MOVBE,
    X86_FEAT_POPCNT, X86_FEAT_AES, X86_FEAT_XSAVE, X86_FEAT_RDRAND,
    X86_FEAT_FSGSBASE, X86_FEAT_BMI1, X86_FEAT_BMI2, X86_FEAT_INVPCID,
    X86_FEAT_RDSEED, X86_FEAT_ADX, X86_FEAT_SMAP, X86_FEAT_CLFLUSHOPT,
    X86_FEAT_CLWB, X86_FEAT_PKU, X86_FEAT_RDPID, X86_FEAT_XSAVEOPT,
    X86_FEAT_XSAVEC, X86_FEAT_XSAVES, X86_FEAT_SYSCALL, X86_FEAT_RDTSCP,
    X86_FEAT_LM, X86_FEAT_LAHF_LM, X86_FEAT_ABM, X86_FEAT_PREFETCHW,
    X86_FEAT_CR8LEGACY,
    X86_FEAT_COUNT
} X86Feature;
#define X86_FEATURE_BIT(f) (UINT64_C(1) << (f))
#define X86_FEATURES_ALL   (X86_FEATURE_BIT(X86_FEAT_COUNT) - 1)

/*
 * Fetch up to @len code bytes at instruction offset @offset into @buf.
 * Return how many were copied (1..len; fewer when the next byte lies beyond a
 * page or limit the callback did not check yet), or a negative value meaning
 * "the byte at @offset cannot be fetched"; the decoder then stops with
 * X86_DECODE_FETCH_FAULT, fault_offset = @offset and fault_error = that value.
 * The decoder asks only for bytes the instruction really has, in order, so a
 * fault is reported exactly where the CPU would take it.
 */
typedef int (*X86FetchFn)(void *opaque, unsigned offset, uint8_t *buf, unsigned len);

typedef struct X86DecodeEnv {
    X86FetchFn fetch;
    void *opaque;
    uint32_t mode;         /* X86_MODE_* */
    uint64_t features;     /* X86_FEATURE_BIT() set of enabled features */
} X86DecodeEnv;

typedef enum X86Opcode {
#define X86_OP(name, mnem) X86_OP_##name,
#include "target/i386/decode-ops.h"
#undef X86_OP
    X86_OP_COUNT
} X86Opcode;

typedef enum X86OperandKind {
    X86_OPK_NONE,
    X86_OPK_GPR,       /* reg 0-15; 8-bit AH/CH/DH/BH: reg 0-3 with X86_OPF_HIGH8 */
    X86_OPK_SEG,       /* reg = X86_SEG_* */
    X86_OPK_CR,        /* reg 0-15 (only 0, 2, 3, 4, 8 decode) */
    X86_OPK_DR,        /* reg 0-7 */
    X86_OPK_MMX,       /* reg 0-7 */
    X86_OPK_XMM,       /* reg 0-15 */
    X86_OPK_ST,        /* x87 ST(reg), reg 0-7 */
    X86_OPK_MEM,       /* seg:[base + index * scale + disp] */
    X86_OPK_IMM,       /* imm */
    X86_OPK_REL,       /* near branch: target = next_ip + disp, truncated */
} X86OperandKind;

enum { X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS };

#define X86_REG_NONE  (-1)
#define X86_REG_RIP   16     /* base of a RIP-relative (EIP-relative with 67) operand */

/* X86Operand.access */
#define X86_ACC_READ   1
#define X86_ACC_WRITE  2
/* X86Operand.flags */
#define X86_OPF_HIGH8  1     /* GPR: bits 15:8 of reg (AH, CH, DH, BH) */
#define X86_OPF_SEGOVR 2     /* MEM: seg comes from a segment-override prefix */

typedef struct X86Operand {
    uint8_t kind;       /* X86OperandKind */
    uint8_t access;     /* X86_ACC_*; 0 = not accessed (LEA, hints, INVLPG...) */
    uint8_t flags;      /* X86_OPF_* */
    uint8_t reg;        /* register operands */
    /*
     * Bytes the operand names: the register width used or the memory access
     * size (10 for m80, 14/28 env, 94/108 FSAVE image, 512 FXSAVE, 0 for LEA's
     * address and for the variable-size XSAVE area). IMM/REL: encoded size.
     */
    uint16_t size;
    /* MEM operands */
    uint8_t seg;        /* X86_SEG_*, after defaults and overrides */
    int8_t base;        /* GPR 0-15, X86_REG_RIP or X86_REG_NONE */
    int8_t index;       /* GPR 0-15 or X86_REG_NONE */
    uint8_t scale;      /* 1, 2, 4, 8 */
    uint8_t addr_size;  /* 2, 4, 8: wrap the effective address to this width */
    uint8_t pad[5];
    union {
        int64_t disp;   /* MEM: sign-extended displacement (moffs: the offset) */
        uint64_t imm;   /* IMM: value, sign- or zero-extended to 64 bits as the
                           instruction defines (sign for imm8 of 6A/6B/83, Iz in
                           64-bit operand size; zero elsewhere) */
        uint64_t target;/* REL: branch target, truncated to the operand size */
    };
} X86Operand;

/* X86Insn.prefixes: what was present in the encoding (after REX/segment rules). */
#define X86_PFX_LOCK    0x01
#define X86_PFX_REPZ    0x02   /* F3 (the last of F2/F3 wins) */
#define X86_PFX_REPNZ   0x04   /* F2 */
#define X86_PFX_OPSIZE  0x08   /* 66 */
#define X86_PFX_ADSIZE  0x10   /* 67 */
#define X86_PFX_REX     0x20
#define X86_PFX_VEX     0x40

/* X86Insn.rex bits */
#define X86_REX_B 1
#define X86_REX_X 2
#define X86_REX_R 4
#define X86_REX_W 8

/* X86Insn.flags */
#define X86_INSN_LOCKABLE    (1u << 0)  /* LOCK legal when op[0] is memory */
#define X86_INSN_LOCK        (1u << 1)  /* LOCK prefix present (and legal) */
#define X86_INSN_REP         (1u << 2)  /* string op with F3 or F2: repeat */
#define X86_INSN_REPNZ       (1u << 3)  /* CMPS/SCAS with F2: stop when ZF=1 */
#define X86_INSN_PRIV        (1u << 4)  /* #GP(0) unless CPL = 0 */
#define X86_INSN_PRIV_COND   (1u << 5)  /* CPL check under a CR4 bit (TSD, PCE,
                                           UMIP) or MSR: see the opcode's SDM page */
#define X86_INSN_IOPL        (1u << 6)  /* #GP unless CPL <= IOPL (CLI/STI; VME) */
#define X86_INSN_IO          (1u << 7)  /* port I/O: IOPL then TSS bitmap check */
#define X86_INSN_VM86_IOPL   (1u << 8)  /* IOPL-sensitive in virtual-8086 mode */
#define X86_INSN_END_TB      (1u << 9)  /* translation block must end after it */
#define X86_INSN_BRANCH      (1u << 10) /* changes control flow (may, if COND) */
#define X86_INSN_COND        (1u << 11) /* conditional (Jcc, LOOPcc, JrCXZ) */
#define X86_INSN_INDIRECT    (1u << 12) /* target from register/memory/stack */
#define X86_INSN_X87         (1u << 13) /* x87: #NM on CR0.TS/EM */
#define X86_INSN_MMX         (1u << 14) /* touches MMX registers: #NM/#UD rules,
                                           x87 tag word transition */
#define X86_INSN_SSE         (1u << 15) /* SSE state: #UD without CR4.OSFXSR or
                                           with CR0.EM, #NM on CR0.TS */
#define X86_INSN_ALIGN16     (1u << 16) /* memory operand must be 16-byte aligned
                                           (#GP(0)): legacy-SSE m128, CMPXCHG16B,
                                           FXSAVE/FXRSTOR */
#define X86_INSN_ALIGN64     (1u << 17) /* XSAVE family: 64-byte aligned */
#define X86_INSN_SEG_LOAD    (1u << 18) /* loads a segment register */
#define X86_INSN_STACK       (1u << 19) /* implicit stack access (SS, stack size) */

typedef enum X86DecodeStatus {
    X86_DECODE_OK,
    X86_DECODE_EXCEPTION,    /* raise insn->exception (#UD or #GP(0)) at pc */
    X86_DECODE_FETCH_FAULT,  /* byte insn->fault_offset could not be fetched */
} X86DecodeStatus;

#define X86_EXC_UD 6
#define X86_EXC_GP 13

typedef struct X86Insn {
    uint64_t pc;             /* EIP/RIP of the first byte (as passed in) */
    uint64_t next_pc;        /* pc + len (wrapped to 32 bits outside 64-bit mode) */
    X86Operand op[4];        /* Intel operand order: op[0] is the destination */
    uint16_t opcode;         /* X86Opcode */
    uint8_t len;             /* bytes, 1..15 (OK); bytes examined otherwise */
    uint8_t num_ops;
    /*
     * Operation size in bytes: 1, 2, 4, 8 for integer instructions (the size
     * the ALU works at; MOVZX: the destination), 8 (MMX) or 16 (XMM) for
     * vector instructions, the memory operand size or 10 for x87.
     */
    uint8_t opsize;
    uint8_t data_size;       /* operand-size attribute: 2, 4, 8 */
    uint8_t addr_size;       /* address-size attribute: 2, 4, 8 */
    uint8_t prefixes;        /* X86_PFX_* */
    uint8_t rex;             /* X86_REX_* bits (0 when no REX/VEX) */
    int8_t seg_override;     /* X86_SEG_* in effect from a prefix, or -1 */
    uint8_t cc;              /* condition 0-15 for JCC, SETCC, CMOVCC (SDM B.1.4.7) */
    uint8_t modrm;           /* raw ModRM byte (0 if none) */
    uint8_t map;             /* 0 one-byte, 1 0F, 2 0F38, 3 0F3A; VEX: mmmmm */
    uint8_t opbyte;          /* the opcode byte within its map */
    uint8_t exception;       /* X86_EXC_* when X86_DECODE_EXCEPTION */
    uint8_t fault_offset;    /* X86_DECODE_FETCH_FAULT */
    int fault_error;         /* the fetch callback's negative return value */
    uint32_t flags;          /* X86_INSN_* */
    const char *why;         /* static text explaining an exception, for logs */
    uint8_t bytes[16];       /* the instruction bytes (len of them are valid) */
} X86Insn;

/* Decode one instruction at @pc. Fills @insn in every case. */
X86DecodeStatus x86_decode(const X86DecodeEnv *env, uint64_t pc, X86Insn *insn);

/* Convenience for buffers: bytes past @len fault with fault_error -1. */
X86DecodeStatus x86_decode_buf(uint32_t mode, uint64_t features, uint64_t pc,
                               const uint8_t *code, size_t len, X86Insn *insn);

/*
 * Features from raw CPUID words: leaf 1 EDX/ECX, leaf 7.0 EBX/ECX, leaf
 * 0xD.1 EAX, leaf 0x80000001 EDX/ECX. Lets the translator build the bitmap
 * once per vCPU from the table its CPUID instruction answers from.
 */
uint64_t x86_decode_features_from_cpuid(uint32_t l1_edx, uint32_t l1_ecx,
                                        uint32_t l7_ebx, uint32_t l7_ecx,
                                        uint32_t ld1_eax, uint32_t le1_edx,
                                        uint32_t le1_ecx);

/* Lower-case mnemonic of an opcode family (without size or condition). */
const char *x86_opcode_name(X86Opcode op);
const char *x86_feature_name(X86Feature f);

/*
 * Print "mnemonic operands" in Intel syntax (e.g. "add qword ptr [rip+0x10], 5")
 * into @buf; returns the length that would have been written (like snprintf).
 */
int x86_insn_format(const X86Insn *insn, char *buf, size_t size);

/* Name of GPR @reg at @size bytes ("eax", "r9w", "ah" with @high8). */
const char *x86_gpr_name(unsigned reg, unsigned size, bool high8);

/* Effective address of a RIP-relative operand (base == X86_REG_RIP). */
static inline uint64_t x86_rip_relative_ea(const X86Insn *insn, const X86Operand *op)
{
    uint64_t ea = insn->next_pc + (uint64_t)op->disp;
    return op->addr_size == 8 ? ea : (uint32_t)ea;
}

#endif
