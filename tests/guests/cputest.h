/*
 * cputest: layouts shared by the C driver (cputest.c), the ring-0 fault entry
 * and ring-3 harness (cputest-entry.S) and the instruction sequences
 * (cputest-int.S, cputest-fp.S). Included from C and from assembly.
 */
#ifndef TESTS_GUESTS_CPUTEST_H
#define TESTS_GUESTS_CPUTEST_H

/* CtState: the register file around one sequence. */
#define CTS_GPR 0           /* 16 x u64: rax rcx rdx rbx rsp rbp rsi rdi r8-r15 */
#define CTS_RFLAGS 128
#define CTS_FX 256          /* FXSAVE64 image (x87, MMX, MXCSR, XMM0-15), 16-byte aligned */
#define CTS_SIZE 768

/* CtFault: what the ring-0 handler saw (Intel SDM vol. 3 §6.14.2 frame). */
#define CTF_VEC 0
#define CTF_ERR 8
#define CTF_RIP 16
#define CTF_CS 24
#define CTF_RFLAGS 32
#define CTF_RSP 40
#define CTF_CR2 48
#define CTF_COUNT 56

/* The #PF test window: 4 KiB pages with chosen attributes (cputest.c builds them). */
#define CT_WIN 0x40000000
#define CT_WIN_RW 0x0000            /* user, writable */
#define CT_WIN_NP 0x1000            /* not present */
#define CT_WIN_RO 0x2000            /* user, read-only */
#define CT_WIN_SUP 0x3000           /* supervisor only */
#define CT_WIN_NX 0x4000            /* user, writable, execute-disable */
#define CT_WIN_RW2 0x5000           /* user, writable (followed by CT_WIN_NP2) */
#define CT_WIN_NP2 0x6000           /* not present */
#define CT_WIN_RSVD 0x40200000      /* a 2 MiB page with a reserved PDE bit set */

/* Size of the scratch memory the sequences see as ct_mem. */
#define CT_MEM_SIZE 1024

/* Operand registers (encoding order) and classes: an operand is CLASS << 8 | REG. */
#define RAX 0
#define RCX 1
#define RDX 2
#define RBX 3
#define RSP 4
#define RBP 5
#define RSI 6
#define RDI 7
#define R8 8
#define R9 9
#define R10 10
#define R11 11
#define R12 12
#define R13 13
#define R14 14
#define R15 15

#define C_V8 1              /* integer edge values of the width, random upper bits */
#define C_V16 2
#define C_V32 3
#define C_V64 4
#define C_CNT 5             /* shift/rotate counts: 0, 1, width-1, width, >width, 255 */
#define C_BIT 6             /* bit offsets, also negative and beyond the operand */
#define C_PTR 7             /* a pointer into the middle of ct_mem */
#define C_REP 8             /* a small REP count (0..12) */
#define C_ANY 9             /* a random 64-bit value */
#define C_SLEN 10           /* a small signed length (-20..20), for PCMPESTRx */
#define C_XPS 16            /* XMM reg: 4 binary32 edge values */
#define C_XPD 17            /* XMM reg: 2 binary64 edge values */
#define C_XI8 18            /* XMM reg: packed integers with edge lanes of the width */
#define C_XI16 19
#define C_XI32 20
#define C_XI64 21
#define C_XSTR 22           /* XMM reg: short strings of bytes and words for PCMPxSTRx */
#define C_XPH 23            /* XMM reg: doubles that are (near-)integers, for rounding */
#define C_ST 32             /* x87 ST(reg): 80-bit edge values (depth = highest reg + 1) */
#define C_STI 33            /* x87 ST(reg): integers and halves, for FRNDINT/FIST */
#define C_STFULL 34         /* all 8 x87 registers valid */
#define C_MM 35             /* MMX reg: packed integers with edge lanes */
#define C_MF32 48           /* ct_mem + 16*reg: one binary32 edge value */
#define C_MF64 49
#define C_MF80 50
#define C_MI16 51           /* ct_mem + 16*reg: an integer edge value */
#define C_MI32 52
#define C_MI64 53
#define C_MPS 54            /* ct_mem + 16*reg: 16 bytes like C_XPS */
#define C_MPD 55
#define C_MBCD 56           /* ct_mem + 16*reg: packed BCD (valid and invalid digits) */

/* Generator kinds (CtForm.gen bits 0-7) and flags. */
#define K_INT 0             /* GPRs and flags; default FP state */
#define K_X87 1             /* x87: random rounding and precision control, all masked */
#define K_SSE 2             /* SSE: random MXCSR rounding mode, FTZ and DAZ, all masked */
#define K_MMX 3             /* MMX: TOP 0, all tags valid */
#define G_APPROX 0x100      /* accurate to an ulp or two: compared with a tolerance */
#define G_ONCE 0x200        /* a single case (faults, fixed sequences) */
#define G_FEW 0x400         /* a quarter of the cases */
#define G_MANY 0x800        /* twice the cases */
#define G_APPROX12 0x1000   /* RCPPS/RSQRTPS: 12-bit approximations, compared with tolerance */
#define G_SWEEP 0x2000      /* first every CL count 0..65, then the random cases */
#define CT_SWEEP 66
/*
 * Per-case rules (CtForm.gen bits 16-23): input fix-ups and flags or results
 * that are undefined only for some operand values. By convention op0 is the
 * destination, the count is CL, the BSF/BSR source is op1.
 */
#define G_DYN(d) ((d) << 16)
#define D_SHIFT 1           /* SHL/SHR by CL: AF, OF unless count 1, CF if count >= width */
#define D_SAR 2             /* SAR by CL: AF, OF unless count 1 */
#define D_ROT 3             /* ROL/ROR by CL: OF unless count 1 */
#define D_RCX 4             /* RCL/RCR by CL: OF unless count 1 */
#define D_SHD 5             /* SHLD/SHRD by CL: AF, OF unless 1; result and flags if > width */
#define D_BSF 6             /* BSF/BSR: the destination when the source is 0 (Intel) */
#define D_DIV 7             /* DIV: mostly a dividend that does not overflow */
#define D_IDIV 8            /* IDIV: mostly a sign-extended dividend */
#define D_CMPX 9            /* CMPXCHG: the accumulator equals the destination half the time */
#define D_CX8 10            /* CMPXCHG8B/16B at ct_mem+0x40: rDX:rAX equal half the time */
#define D_NOTF 11           /* RAX is a POPF value: TF cleared */

/* Feature gates (CtForm.feat): 0, or CPUID word << 8 | bit, plus 1. */
#define W_1EDX 0
#define W_1ECX 1
#define W_7EBX 2
#define W_81ECX 3
#define FEAT(w, b) (((w) << 8 | (b)) + 1)
#define F_CMOV FEAT(W_1EDX, 15)
#define F_MMX FEAT(W_1EDX, 23)
#define F_SSE FEAT(W_1EDX, 25)
#define F_SSE2 FEAT(W_1EDX, 26)
#define F_SSE3 FEAT(W_1ECX, 0)
#define F_PCLMUL FEAT(W_1ECX, 1)
#define F_SSSE3 FEAT(W_1ECX, 9)
#define F_CX16 FEAT(W_1ECX, 13)
#define F_SSE41 FEAT(W_1ECX, 19)
#define F_SSE42 FEAT(W_1ECX, 20)
#define F_MOVBE FEAT(W_1ECX, 22)
#define F_POPCNT FEAT(W_1ECX, 23)
#define F_AES FEAT(W_1ECX, 25)
#define F_BMI1 FEAT(W_7EBX, 3)
#define F_BMI2 FEAT(W_7EBX, 8)
#define F_ADX FEAT(W_7EBX, 19)
#define F_LAHF FEAT(W_81ECX, 0)
#define F_ABM FEAT(W_81ECX, 5)

/* RFLAGS bits (SDM vol. 1 §3.4.3), for the undefined-flags masks. */
#define FL_CF 0x1
#define FL_PF 0x4
#define FL_AF 0x10
#define FL_ZF 0x40
#define FL_SF 0x80
#define FL_OF 0x800
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
/* x87 FSW condition codes (SDM vol. 1 §8.1.3), placed in bits 16-31 of the mask. */
#define FSW_C0 (0x100 << 16)
#define FSW_C1 (0x200 << 16)
#define FSW_C2 (0x400 << 16)
#define FSW_C3 (0x4000 << 16)
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
#define U87 (FSW_C0 | FSW_C2 | FSW_C3)

#ifdef __ASSEMBLER__

/*
 * One instruction sequence and its table entry:
 *   CASE label, "name", feat, undef, gen, op0, op1, op2, op3
 *       ...instructions...
 *   END
 * The sequence starts with the registers, flags and FP state of the case and
 * ends by jumping to ct_done (END), which records the state.
 */
.macro CASE label, name, feat=0, undef=0, gen=0, o0=0, o1=0, o2=0, o3=0
    .pushsection .rodata.ct_names, "a"
ct_name_\label:
    .asciz "\name"
    .popsection
    .pushsection .rodata.ct_table, "a"
    .quad ct_name_\label, ct_code_\label
    .long \feat, \undef, \gen, 0
    .short \o0, \o1, \o2, \o3
    .popsection
    .text
    .align 16
ct_code_\label:
.endm
.macro END
    jmp ct_done
.endm
#define OP(cls, reg) ((cls) << 8 | (reg))

#else

#include <stdint.h>

typedef struct CtForm {
    const char *name;
    const uint8_t *code;
    uint32_t feat, undef, gen, pad;
    uint16_t ops[4];
} CtForm;

typedef struct CtState {
    uint64_t gpr[16];
    uint64_t rflags;
    uint64_t pad[15];
    uint8_t fx[512] __attribute__((aligned(16)));
} __attribute__((aligned(64))) CtState;

typedef struct CtFault {
    uint64_t vec, err, rip, cs, rflags, rsp, cr2, count;
} CtFault;

_Static_assert(__builtin_offsetof(CtState, rflags) == CTS_RFLAGS, "CtState layout");
_Static_assert(__builtin_offsetof(CtState, fx) == CTS_FX, "CtState layout");
_Static_assert(sizeof(CtState) == CTS_SIZE, "CtState layout");
_Static_assert(__builtin_offsetof(CtFault, count) == CTF_COUNT, "CtFault layout");
_Static_assert(sizeof(CtForm) == 40, "CtForm layout");

#endif
#endif
