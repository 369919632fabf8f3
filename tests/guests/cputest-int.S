/*
 * cputest: integer instruction sequences and the faults provoked at CPL 3.
 * Flags named in a CASE's undef argument are documented as undefined for that
 * instruction (Intel SDM vol. 2 "Flags Affected", AMD APM vol. 3) and masked.
 * Memory operands live in ct_mem (CT_MEM_SIZE bytes, 64-byte aligned, filled
 * with random bytes for every case; what changed is printed).
 */
#include "cputest.h"

#define M(off) ct_mem + (off)(%rip)
#define ALU_AF FL_AF
#define MUL_U (FL_SF | FL_ZF | FL_AF | FL_PF)
#define BT_U (FL_OF | FL_SF | FL_AF | FL_PF)
#define BSF_U (FL_CF | FL_OF | FL_SF | FL_AF | FL_PF)
#define CNT_U (FL_OF | FL_SF | FL_AF | FL_PF)
#define BMI_U (FL_AF | FL_PF)

    .bss
    .align 4096
    .globl ct_mem
ct_mem:
    .fill CT_MEM_SIZE, 1, 0

    .pushsection .rodata.ct_table, "a"
    .align 8
    .globl ct_int_table
ct_int_table:
    .popsection

/* ---- ALU: ADD OR ADC SBB AND SUB XOR CMP, TEST ---- */

.macro ALU op, u
CASE \op\()_b, "\op\().b", 0, \u, G_MANY, OP(C_V8, RAX), OP(C_V8, RCX)
    \op %cl, %al
END
CASE \op\()_bh, "\op\().b-high", 0, \u, G_FEW, OP(C_V16, RBX), OP(C_V16, RDX)
    \op %dh, %bh
END
CASE \op\()_w, "\op\().w", 0, \u, 0, OP(C_V16, RDX), OP(C_V16, RSI)
    \op %si, %dx
END
CASE \op\()_l, "\op\().l", 0, \u, G_MANY, OP(C_V32, RAX), OP(C_V32, R9)
    \op %r9d, %eax
END
CASE \op\()_q, "\op\().q", 0, \u, G_MANY, OP(C_V64, R10), OP(C_V64, RCX)
    \op %rcx, %r10
END
CASE \op\()_bm, "\op\().b-mem", 0, \u, G_FEW, OP(C_MI16, 4), OP(C_V8, RCX)
    \op\()b %cl, M(0x40)
END
CASE \op\()_lm, "\op\().l-mem", 0, \u, G_FEW, OP(C_MI32, 4), OP(C_V32, RDI)
    \op\()l %edi, M(0x40)
END
CASE \op\()_qm, "\op\().q-load", 0, \u, G_FEW, OP(C_V64, RAX), OP(C_MI64, 4)
    \op\()q M(0x40), %rax
END
CASE \op\()_ial, "\op\().b-imm", 0, \u, G_FEW, OP(C_V8, RAX)
    \op $0x81, %al
END
CASE \op\()_iw, "\op\().w-imm8", 0, \u, G_FEW, OP(C_V16, RBX)
    \op\()w $-3, %bx
END
CASE \op\()_il, "\op\().l-imm", 0, \u, G_FEW, OP(C_V32, R12)
    \op\()l $0x80000001, %r12d
END
CASE \op\()_iq, "\op\().q-imm", 0, \u, G_FEW, OP(C_V64, RAX)
    \op\()q $-0x7fffffff, %rax
END
CASE \op\()_lk, "\op\().q-lock", 0, \u, G_FEW, OP(C_MI64, 4), OP(C_V64, RDX)
    .ifnc \op, cmp
    lock \op\()q %rdx, M(0x40)
    .else
    \op\()q %rdx, M(0x40)
    .endif
END
.endm

ALU add, 0
ALU or, ALU_AF
ALU adc, 0
ALU sbb, 0
ALU and, ALU_AF
ALU sub, 0
ALU xor, ALU_AF
ALU cmp, 0

.irp sz, b, w, l, q
CASE test_\sz, "test.\sz", 0, ALU_AF, 0, OP(C_V64, RAX), OP(C_V64, RCX)
    .ifc \sz, b
    test %cl, %al
    .endif
    .ifc \sz, w
    test %cx, %ax
    .endif
    .ifc \sz, l
    test %ecx, %eax
    .endif
    .ifc \sz, q
    test %rcx, %rax
    .endif
END
.endr
CASE test_imm, "test.l-imm", 0, ALU_AF, G_FEW, OP(C_V32, RSI)
    test $0x80000100, %esi
END

/* ---- INC DEC NEG NOT ---- */

.irp op, inc, dec, neg, not
CASE \op\()_b, "\op\().b", 0, 0, 0, OP(C_V8, RCX)
    \op %cl
END
CASE \op\()_w, "\op\().w", 0, 0, 0, OP(C_V16, RCX)
    \op %cx
END
CASE \op\()_l, "\op\().l", 0, 0, 0, OP(C_V32, RCX)
    \op %ecx
END
CASE \op\()_q, "\op\().q", 0, 0, 0, OP(C_V64, R11)
    \op %r11
END
CASE \op\()_m, "\op\().q-mem", 0, 0, G_FEW, OP(C_MI64, 4)
    \op\()q M(0x40)
END
.endr

/* ---- shifts and rotates ---- */

.macro SHIFT op, dyn, u1, un
CASE \op\()_b, "\op\().b-cl", 0, 0, G_SWEEP | G_DYN(\dyn), OP(C_V8, RAX), OP(C_CNT, RCX)
    \op %cl, %al
END
CASE \op\()_w, "\op\().w-cl", 0, 0, G_SWEEP | G_DYN(\dyn), OP(C_V16, RAX), OP(C_CNT, RCX)
    \op %cl, %ax
END
CASE \op\()_l, "\op\().l-cl", 0, 0, G_SWEEP | G_DYN(\dyn), OP(C_V32, RAX), OP(C_CNT, RCX)
    \op %cl, %eax
END
CASE \op\()_q, "\op\().q-cl", 0, 0, G_SWEEP | G_DYN(\dyn), OP(C_V64, RAX), OP(C_CNT, RCX)
    \op %cl, %rax
END
CASE \op\()_m, "\op\().q-mem-cl", 0, 0, G_FEW | G_DYN(\dyn), OP(C_MI64, 4), OP(C_CNT, RCX)
    \op\()q %cl, M(0x40)
END
CASE \op\()_1b, "\op\().b-1", 0, \u1, G_FEW, OP(C_V8, RDX)
    \op $1, %dl
END
CASE \op\()_1q, "\op\().q-1", 0, \u1, G_FEW, OP(C_V64, RDX)
    \op $1, %rdx
END
CASE \op\()_ib, "\op\().b-5", 0, \un, G_FEW, OP(C_V8, RDX)
    \op $5, %dl
END
CASE \op\()_iw, "\op\().w-13", 0, \un, G_FEW, OP(C_V16, RDX)
    \op $13, %dx
END
CASE \op\()_il, "\op\().l-31", 0, \un, G_FEW, OP(C_V32, RDX)
    \op $31, %edx
END
CASE \op\()_iq, "\op\().q-45", 0, \un, G_FEW, OP(C_V64, RDX)
    \op $45, %rdx
END
.endm

/* By 1: OF defined, AF undefined for shifts; by more: OF undefined too (SDM SAL/SAR/SHL/SHR). */
SHIFT shl, D_SHIFT, FL_AF, FL_AF | FL_OF
SHIFT shr, D_SHIFT, FL_AF, FL_AF | FL_OF
SHIFT sar, D_SAR, FL_AF, FL_AF | FL_OF
SHIFT rol, D_ROT, 0, FL_OF
SHIFT ror, D_ROT, 0, FL_OF
SHIFT rcl, D_RCX, 0, FL_OF
SHIFT rcr, D_RCX, 0, FL_OF

.irp op, shld, shrd
CASE \op\()_w, "\op\().w-cl", 0, 0, G_SWEEP | G_DYN(D_SHD), OP(C_V16, RAX), OP(C_CNT, RCX), \
    OP(C_V16, RDX)
    \op %cl, %dx, %ax
END
CASE \op\()_l, "\op\().l-cl", 0, 0, G_SWEEP | G_DYN(D_SHD), OP(C_V32, RAX), OP(C_CNT, RCX), \
    OP(C_V32, RDX)
    \op %cl, %edx, %eax
END
CASE \op\()_q, "\op\().q-cl", 0, 0, G_SWEEP | G_DYN(D_SHD), OP(C_V64, RAX), OP(C_CNT, RCX), \
    OP(C_V64, RDX)
    \op %cl, %rdx, %rax
END
CASE \op\()_m, "\op\().l-mem-cl", 0, 0, G_FEW | G_DYN(D_SHD), OP(C_MI32, 4), OP(C_CNT, RCX), \
    OP(C_V32, RDX)
    \op %cl, %edx, M(0x40)
END
CASE \op\()_i, "\op\().q-7", 0, FL_AF | FL_OF, G_FEW, OP(C_V64, RAX), OP(C_V64, RDX)
    \op $7, %rdx, %rax
END
CASE \op\()_i1, "\op\().l-1", 0, FL_AF, G_FEW, OP(C_V32, RAX), OP(C_V32, RDX)
    \op $1, %edx, %eax
END
.endr

/* ---- multiply and divide ---- */

.irp op, mul, imul
CASE \op\()_b, "\op\().b", 0, MUL_U, 0, OP(C_V8, RAX), OP(C_V8, RCX)
    \op %cl
END
CASE \op\()_w, "\op\().w", 0, MUL_U, 0, OP(C_V16, RAX), OP(C_V16, RCX)
    \op %cx
END
CASE \op\()_l, "\op\().l", 0, MUL_U, 0, OP(C_V32, RAX), OP(C_V32, RCX)
    \op %ecx
END
CASE \op\()_q, "\op\().q", 0, MUL_U, 0, OP(C_V64, RAX), OP(C_V64, RCX)
    \op %rcx
END
CASE \op\()_m, "\op\().q-mem", 0, MUL_U, G_FEW, OP(C_V64, RAX), OP(C_MI64, 4)
    \op\()q M(0x40)
END
.endr
CASE imul2_w, "imul2.w", 0, MUL_U, 0, OP(C_V16, RBX), OP(C_V16, RSI)
    imul %si, %bx
END
CASE imul2_l, "imul2.l", 0, MUL_U, 0, OP(C_V32, RBX), OP(C_V32, RSI)
    imul %esi, %ebx
END
CASE imul2_q, "imul2.q", 0, MUL_U, 0, OP(C_V64, RBX), OP(C_V64, RSI)
    imul %rsi, %rbx
END
CASE imul3_w, "imul3.w-imm", 0, MUL_U, G_FEW, OP(C_V16, RSI)
    imul $-0x1234, %si, %bx
END
CASE imul3_l, "imul3.l-imm8", 0, MUL_U, G_FEW, OP(C_V32, RSI)
    imul $0x7f, %esi, %ebx
END
CASE imul3_q, "imul3.q-imm", 0, MUL_U, G_FEW, OP(C_MI64, 4)
    imul $0x12345678, M(0x40), %rbx
END

/* DIV/IDIV: all flags undefined; #DE for a zero divisor or a quotient overflow. */
.macro DIVIDE op, dyn
CASE \op\()_b, "\op\().b", 0, FL_ARITH, G_MANY | G_DYN(\dyn), OP(C_V16, RAX), OP(C_V8, RCX)
    \op %cl
END
CASE \op\()_w, "\op\().w", 0, FL_ARITH, G_MANY | G_DYN(\dyn), OP(C_V16, RAX), OP(C_V16, RCX), \
    OP(C_V16, RDX)
    \op %cx
END
CASE \op\()_l, "\op\().l", 0, FL_ARITH, G_MANY | G_DYN(\dyn), OP(C_V32, RAX), OP(C_V32, RCX), \
    OP(C_V32, RDX)
    \op %ecx
END
CASE \op\()_q, "\op\().q", 0, FL_ARITH, G_MANY | G_DYN(\dyn), OP(C_V64, RAX), OP(C_V64, RCX), \
    OP(C_V64, RDX)
    \op %rcx
END
CASE \op\()_m, "\op\().l-mem", 0, FL_ARITH, G_FEW | G_DYN(\dyn), OP(C_V32, RAX), OP(C_MI32, \
    4), OP(C_V32, RDX)
    \op\()l M(0x40)
END
.endm
DIVIDE div, D_DIV
DIVIDE idiv, D_IDIV

/* ---- bit tests and scans ---- */

.irp op, bt, bts, btr, btc
CASE \op\()_w, "\op\().w", 0, BT_U, 0, OP(C_V16, RAX), OP(C_BIT, RCX)
    \op %cx, %ax
END
CASE \op\()_l, "\op\().l", 0, BT_U, 0, OP(C_V32, RAX), OP(C_BIT, RCX)
    \op %ecx, %eax
END
CASE \op\()_q, "\op\().q", 0, BT_U, 0, OP(C_V64, RAX), OP(C_BIT, RCX)
    \op %rcx, %rax
END
/* A register bit offset reaches below and above the operand (SDM BT: bit base). */
CASE \op\()_mw, "\op\().w-mem", 0, BT_U, 0, OP(C_BIT, RCX)
    \op %cx, M(0x200)
END
CASE \op\()_ml, "\op\().l-mem", 0, BT_U, 0, OP(C_BIT, RCX)
    \op %ecx, M(0x200)
END
CASE \op\()_mq, "\op\().q-mem", 0, BT_U, 0, OP(C_BIT, RCX)
    \op %rcx, M(0x200)
END
CASE \op\()_iq, "\op\().q-imm", 0, BT_U, G_FEW, OP(C_V64, RAX)
    \op $45, %rax
END
CASE \op\()_iw, "\op\().w-mem-imm", 0, BT_U, G_FEW
    \op\()w $21, M(0x200)
END
.endr
CASE lock_bts, "bts.q-mem-lock", 0, BT_U, G_FEW, OP(C_BIT, RCX)
    lock bts %rcx, M(0x200)
END

.irp op, bsf, bsr
CASE \op\()_w, "\op\().w", 0, BSF_U, G_DYN(D_BSF), OP(C_V16, RAX), OP(C_V16, RCX)
    \op %cx, %ax
END
CASE \op\()_l, "\op\().l", 0, BSF_U, G_DYN(D_BSF), OP(C_V32, RAX), OP(C_V32, RCX)
    \op %ecx, %eax
END
CASE \op\()_q, "\op\().q", 0, BSF_U, G_DYN(D_BSF), OP(C_V64, RAX), OP(C_V64, RCX)
    \op %rcx, %rax
END
.endr

.macro COUNT op, feat, u
CASE \op\()_w, "\op\().w", \feat, \u, 0, OP(C_V16, RAX), OP(C_V16, RCX)
    \op %cx, %ax
END
CASE \op\()_l, "\op\().l", \feat, \u, 0, OP(C_V32, RAX), OP(C_V32, RCX)
    \op %ecx, %eax
END
CASE \op\()_q, "\op\().q", \feat, \u, 0, OP(C_V64, RAX), OP(C_V64, RCX)
    \op %rcx, %rax
END
CASE \op\()_m, "\op\().q-mem", \feat, \u, G_FEW, OP(C_MI64, 4)
    \op M(0x40), %rax
END
.endm
COUNT tzcnt, F_BMI1, CNT_U
COUNT lzcnt, F_ABM, CNT_U
COUNT popcnt, F_POPCNT, 0

/* ---- string instructions, with and without REP, both directions (DF random) ---- */

.irp sz, b, w, l, q
CASE movs_\sz, "movs\sz", 0, 0, G_FEW, OP(C_PTR, RSI), OP(C_PTR, RDI), OP(C_REP, RCX)
    movs\sz
END
CASE rep_movs_\sz, "rep-movs\sz", 0, 0, 0, OP(C_PTR, RSI), OP(C_PTR, RDI), OP(C_REP, RCX)
    rep movs\sz
END
CASE stos_\sz, "stos\sz", 0, 0, G_FEW, OP(C_V64, RAX), OP(C_PTR, RDI), OP(C_REP, RCX)
    stos\sz
END
CASE rep_stos_\sz, "rep-stos\sz", 0, 0, 0, OP(C_V64, RAX), OP(C_PTR, RDI), OP(C_REP, RCX)
    rep stos\sz
END
CASE lods_\sz, "lods\sz", 0, 0, G_FEW, OP(C_PTR, RSI), OP(C_REP, RCX)
    lods\sz
END
CASE rep_lods_\sz, "rep-lods\sz", 0, 0, G_FEW, OP(C_PTR, RSI), OP(C_REP, RCX)
    rep lods\sz
END
CASE cmps_\sz, "cmps\sz", 0, 0, G_FEW, OP(C_PTR, RSI), OP(C_PTR, RDI), OP(C_REP, RCX)
    cmps\sz
END
CASE repe_cmps_\sz, "repe-cmps\sz", 0, 0, 0, OP(C_PTR, RSI), OP(C_PTR, RDI), OP(C_REP, RCX)
    repe cmps\sz
END
CASE repne_cmps_\sz, "repne-cmps\sz", 0, 0, 0, OP(C_PTR, RSI), OP(C_PTR, RDI), OP(C_REP, RCX)
    repne cmps\sz
END
CASE scas_\sz, "scas\sz", 0, 0, G_FEW, OP(C_V64, RAX), OP(C_PTR, RDI), OP(C_REP, RCX)
    scas\sz
END
CASE repe_scas_\sz, "repe-scas\sz", 0, 0, 0, OP(C_V64, RAX), OP(C_PTR, RDI), OP(C_REP, RCX)
    repe scas\sz
END
CASE repne_scas_\sz, "repne-scas\sz", 0, 0, 0, OP(C_V64, RAX), OP(C_PTR, RDI), OP(C_REP, RCX)
    repne scas\sz
END
.endr
/* Matching strings: memcmp-like REPE CMPSB over equal bytes, then a difference. */
CASE repe_cmps_eq, "repe-cmpsb-equal", 0, 0, G_FEW, OP(C_REP, RCX)
    lea M(0x180), %rsi
    lea M(0x280), %rdi
    mov $8, %ecx
    cld
    rep movsb
    lea M(0x180), %rsi
    lea M(0x280), %rdi
    mov $12, %ecx
    repe cmpsb
END
/* 32-bit address size: ECX, ESI, EDI wrap at 4 GiB (SDM vol. 1 §3.3.7). */
CASE rep_movs_a32, "rep-movsb-addr32", 0, 0, G_FEW, OP(C_REP, RCX)
    lea M(0x180), %rsi
    lea M(0x280), %rdi
    or %rax, %rcx
    mov %ecx, %ecx
    and $7, %ecx
    addr32 rep movsb
END

/* ---- exchange and compare-exchange ---- */

CASE cmpxchg_b, "cmpxchg.b", 0, 0, G_MANY | G_DYN(D_CMPX), OP(C_V8, RCX), OP(C_V8, RDX), \
    OP(C_V8, RAX)
    cmpxchg %dl, %cl
END
CASE cmpxchg_w, "cmpxchg.w", 0, 0, G_DYN(D_CMPX), OP(C_V16, RCX), OP(C_V16, RDX), OP(C_V16, RAX)
    cmpxchg %dx, %cx
END
CASE cmpxchg_l, "cmpxchg.l", 0, 0, G_MANY | G_DYN(D_CMPX), OP(C_V32, RCX), OP(C_V32, RDX), \
    OP(C_V32, RAX)
    cmpxchg %edx, %ecx
END
CASE cmpxchg_q, "cmpxchg.q", 0, 0, G_DYN(D_CMPX), OP(C_V64, RCX), OP(C_V64, RDX), OP(C_V64, RAX)
    cmpxchg %rdx, %rcx
END
CASE cmpxchg_ml, "cmpxchg.l-mem", 0, 0, G_MANY | G_DYN(D_CMPX), OP(C_MI32, 4), OP(C_V32, \
    RDX), OP(C_V32, RAX)
    lock cmpxchg %edx, M(0x40)
END
CASE cmpxchg_mq, "cmpxchg.q-mem", 0, 0, G_DYN(D_CMPX), OP(C_MI64, 4), OP(C_V64, RDX), \
    OP(C_V64, RAX)
    cmpxchg %rdx, M(0x40)
END
CASE cmpxchg8b, "cmpxchg8b", 0, 0, G_MANY | G_DYN(D_CX8), OP(C_MI64, 4)
    lock cmpxchg8b M(0x40)
END
CASE cmpxchg16b, "cmpxchg16b", F_CX16, 0, G_MANY | G_DYN(D_CX8), OP(C_MPD, 4)
    lock cmpxchg16b M(0x40)
END
CASE cmpxchg16b_ua, "cmpxchg16b-unaligned", F_CX16, 0, G_ONCE
    cmpxchg16b M(0x48)
END
.irp sz, b, w, l, q
CASE xadd_\sz, "xadd.\sz", 0, 0, 0, OP(C_V64, RCX), OP(C_V64, RDX)
    .ifc \sz, b
    xadd %dl, %cl
    .endif
    .ifc \sz, w
    xadd %dx, %cx
    .endif
    .ifc \sz, l
    xadd %edx, %ecx
    .endif
    .ifc \sz, q
    xadd %rdx, %rcx
    .endif
END
CASE xchg_\sz, "xchg.\sz", 0, 0, G_FEW, OP(C_V64, RCX), OP(C_V64, RDX)
    .ifc \sz, b
    xchg %dl, %cl
    .endif
    .ifc \sz, w
    xchg %dx, %cx
    .endif
    .ifc \sz, l
    xchg %edx, %ecx
    .endif
    .ifc \sz, q
    xchg %rdx, %rcx
    .endif
END
.endr
CASE xadd_m, "xadd.q-mem-lock", 0, 0, G_FEW, OP(C_MI64, 4), OP(C_V64, RDX)
    lock xadd %rdx, M(0x40)
END
CASE xchg_m, "xchg.l-mem", 0, 0, G_FEW, OP(C_MI32, 4), OP(C_V64, RDX)
    xchg %edx, M(0x40)
END
CASE xchg_eax, "xchg.l-eax-eax", 0, 0, G_FEW, OP(C_V64, RAX)
    .byte 0x87, 0xc0                /* xchg %eax,%eax: not NOP, zero-extends */
END
CASE nop_90, "nop-90", 0, 0, G_FEW, OP(C_V64, RAX)
    .byte 0x90                      /* the one-byte NOP leaves RAX whole */
END

/* ---- conditions: SETcc, CMOVcc, Jcc with random flags ---- */

.irp cc, o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g
CASE set\cc, "set\cc", 0, 0, 0, OP(C_V64, RAX)
    set\cc %al
END
CASE cmov\cc\()_l, "cmov\cc\().l", F_CMOV, 0, 0, OP(C_V64, RAX), OP(C_V64, RCX)
    cmov\cc %ecx, %eax
END
CASE cmov\cc\()_q, "cmov\cc\().q-mem", F_CMOV, 0, G_FEW, OP(C_V64, RAX), OP(C_MI64, 4)
    cmov\cc M(0x40), %rax
END
CASE j\cc, "j\cc", 0, 0, G_FEW, OP(C_V64, RAX)
    j\cc 1f
    mov $1, %eax
1:
END
.endr
CASE cmovw, "cmovne.w", F_CMOV, 0, 0, OP(C_V64, RAX), OP(C_V64, RCX)
    cmovne %cx, %ax
END
CASE jrcxz, "jrcxz", 0, 0, G_FEW, OP(C_REP, RCX)
    jrcxz 1f
    mov $1, %eax
1:
END
CASE loop, "loop", 0, 0, G_FEW, OP(C_REP, RCX)
    xor %eax, %eax
1:  inc %eax
    loop 1b
END
CASE loopne, "loopne", 0, 0, G_FEW, OP(C_REP, RCX), OP(C_V8, RDX)
    xor %eax, %eax
1:  inc %eax
    cmp %al, %dl
    loopne 1b
END

/* ---- flags register ---- */

CASE pushf, "pushf", 0, 0, 0
    pushfq
    pop %rax
    and $~0x200, %rax               /* IF: the host's under kvm_pvm */
END
CASE popf, "popf", 0, 0, G_MANY | G_DYN(D_NOTF), OP(C_ANY, RAX)
    push %rax
    popfq
    pushfq
    pop %rbx
    and $~0x200, %rbx
END
CASE popf_w, "popf.w", 0, 0, G_DYN(D_NOTF), OP(C_ANY, RAX)
    push %ax
    popfw
    pushfq
    pop %rbx
    and $~0x200, %rbx
END
CASE lahf, "lahf", F_LAHF, 0, 0, OP(C_V64, RAX)
    lahf
END
CASE sahf, "sahf", F_LAHF, 0, 0, OP(C_V64, RAX)
    sahf
END
CASE cmc, "cmc-clc-stc", 0, 0, G_FEW
    cmc
    setc %al
    stc
    setc %ah
    clc
END
CASE std, "std-cld", 0, 0, G_FEW
    std
    pushfq
    pop %rax
    cld
    and $0x400, %eax
END

/* ---- moves, extensions, byte swap, LEA, stack ---- */

CASE cbw, "cbw-cwde-cdqe", 0, 0, 0, OP(C_V64, RAX)
    mov %rax, %rbx
    cbw
    mov %rax, %rcx
    mov %rbx, %rax
    cwde
    mov %rax, %rdx
    mov %rbx, %rax
    cdqe
END
.irp op, cwd, cdq, cqo
CASE \op, "\op", 0, 0, 0, OP(C_V64, RAX)
    \op
END
.endr
CASE movsx, "movsx", 0, 0, 0, OP(C_V64, RAX)
    movsbw %al, %bx
    movsbl %al, %ecx
    movsbq %al, %rdx
    movswl %ax, %esi
    movswq %ax, %rdi
    movslq %eax, %r8
END
CASE movzx, "movzx", 0, 0, 0, OP(C_V64, RAX)
    movzbw %al, %bx
    movzbl %ah, %ecx
    movzbq %al, %rdx
    movzwl %ax, %esi
    movzwq %ax, %rdi
    mov %eax, %r8d
    mov %ax, %r9w
    mov %al, %r10b
END
CASE bswap, "bswap", 0, 0, 0, OP(C_V64, RAX)
    mov %rax, %rbx
    bswap %eax
    bswap %rbx
    bswap %r9
END
CASE lea, "lea", 0, 0, 0, OP(C_V64, RAX), OP(C_V64, RCX)
    lea 0x12345678(%rax, %rcx, 8), %rdx
    lea -1(%eax, %ecx, 2), %esi
    lea (%rax, %rcx), %di
    lea 7(%eax, %ecx, 4), %r8
    lea 0x7fffffff(%rax), %r9d
END
CASE xlat, "xlat", 0, 0, G_FEW, OP(C_V8, RAX)
    lea M(0x100), %rbx
    xlatb
END
CASE push_pop, "push-pop", 0, 0, G_FEW, OP(C_V64, RAX), OP(C_MI64, 4)
    push %rax
    pushw %ax
    pushq $-5
    pushq M(0x40)
    pop %rbx
    pop %rcx
    popw %dx
    popq M(0x50)
END
CASE enter_leave, "enter-leave", 0, 0, G_FEW, OP(C_V64, RBP)
    mov %rsp, %r8
    enter $0x20, $0
    mov %rsp, %rax
    sub %r8, %rax
    mov %rbp, %rbx
    sub %r8, %rbx
    leave
    mov %rbp, %rcx
    sub %rax, %rcx
    xor %r8d, %r8d
END
CASE call_ret, "call-ret", 0, 0, G_FEW
    call 1f
    jmp 2f
1:  mov (%rsp), %rax
    lea 1b(%rip), %rbx
    sub %rbx, %rax
    ret $0
2:
END

/* ---- BMI1, BMI2, ADX, MOVBE, CRC32 ---- */

.macro BMI sz, cv, a, b, c, d
CASE andn_\sz, "andn.\sz", F_BMI1, BMI_U, 0, OP(\cv, RAX), OP(\cv, RCX), OP(\cv, RDX)
    andn \c, \d, \a
END
CASE bextr_\sz, "bextr.\sz", F_BMI1, FL_AF | FL_SF | FL_PF, 0, OP(\cv, RCX), OP(C_V16, RDX)
    bextr \d, \c, \a
END
CASE blsi_\sz, "blsi.\sz", F_BMI1, BMI_U, 0, OP(\cv, RCX)
    blsi \c, \a
END
CASE blsmsk_\sz, "blsmsk.\sz", F_BMI1, BMI_U, 0, OP(\cv, RCX)
    blsmsk \c, \a
END
CASE blsr_\sz, "blsr.\sz", F_BMI1, BMI_U, 0, OP(\cv, RCX)
    blsr \c, \a
END
CASE bzhi_\sz, "bzhi.\sz", F_BMI2, BMI_U, 0, OP(\cv, RCX), OP(C_CNT, RDX)
    bzhi \d, \c, \a
END
CASE mulx_\sz, "mulx.\sz", F_BMI2, 0, 0, OP(\cv, RDX), OP(\cv, RCX)
    mulx \c, \b, \a
END
CASE pdep_\sz, "pdep.\sz", F_BMI2, 0, 0, OP(\cv, RCX), OP(\cv, RDX)
    pdep \c, \d, \a
END
CASE pext_\sz, "pext.\sz", F_BMI2, 0, 0, OP(\cv, RCX), OP(\cv, RDX)
    pext \c, \d, \a
END
CASE rorx_\sz, "rorx.\sz", F_BMI2, 0, G_FEW, OP(\cv, RCX)
    rorx $13, \c, \a
END
CASE sarx_\sz, "sarx.\sz", F_BMI2, 0, 0, OP(\cv, RCX), OP(C_CNT, RDX)
    sarx \d, \c, \a
END
CASE shlx_\sz, "shlx.\sz", F_BMI2, 0, 0, OP(\cv, RCX), OP(C_CNT, RDX)
    shlx \d, \c, \a
END
CASE shrx_\sz, "shrx.\sz", F_BMI2, 0, 0, OP(\cv, RCX), OP(C_CNT, RDX)
    shrx \d, \c, \a
END
CASE adcx_\sz, "adcx.\sz", F_ADX, 0, 0, OP(\cv, RAX), OP(\cv, RCX)
    adcx \c, \a
END
CASE adox_\sz, "adox.\sz", F_ADX, 0, 0, OP(\cv, RAX), OP(\cv, RCX)
    adox \c, \a
END
.endm
BMI l, C_V32, %eax, %ebx, %ecx, %edx
BMI q, C_V64, %rax, %rbx, %rcx, %rdx
CASE adx_chain, "adcx-adox-chain", F_ADX, 0, 0, OP(C_V64, RAX), OP(C_V64, RCX), OP(C_V64, \
    RDX), OP(C_V64, RBX)
    adcx %rcx, %rax
    adox %rdx, %rbx
    adcx %rax, %rdx
    adox %rbx, %rcx
END
CASE bmi_mem, "bmi-mem", F_BMI2, 0, G_FEW, OP(C_MI64, 4), OP(C_CNT, RDX)
    shlxq %rdx, M(0x40), %rax
    pextq M(0x40), %rdx, %rbx
    andnq M(0x40), %rdx, %rcx
END

CASE movbe_w, "movbe.w", F_MOVBE, 0, 0, OP(C_V64, RAX), OP(C_MI16, 4)
    movbe M(0x40), %ax
    movbe %ax, M(0x50)
END
CASE movbe_l, "movbe.l", F_MOVBE, 0, 0, OP(C_V64, RAX), OP(C_MI32, 4)
    movbe M(0x40), %ebx
    movbe %eax, M(0x50)
END
CASE movbe_q, "movbe.q", F_MOVBE, 0, 0, OP(C_V64, RAX), OP(C_MI64, 4)
    movbe M(0x40), %rbx
    movbe %rax, M(0x50)
END

CASE crc32_b, "crc32.b", F_SSE42, 0, 0, OP(C_V64, RAX), OP(C_V8, RCX)
    crc32b %cl, %eax
END
CASE crc32_w, "crc32.w", F_SSE42, 0, 0, OP(C_V64, RAX), OP(C_V16, RCX)
    crc32w %cx, %eax
END
CASE crc32_l, "crc32.l", F_SSE42, 0, 0, OP(C_V64, RAX), OP(C_V32, RCX)
    crc32l %ecx, %eax
END
CASE crc32_q, "crc32.q", F_SSE42, 0, 0, OP(C_V64, RAX), OP(C_V64, RCX)
    crc32q %rcx, %rax
END
CASE crc32_m, "crc32.b-q-mem", F_SSE42, 0, G_FEW, OP(C_V64, RAX), OP(C_MI64, 4)
    crc32b M(0x40), %rax
    crc32q M(0x48), %rax
END

/* ---- faults at CPL 3 ---- */

/* #DE */
CASE de_div0, "fault.de-div0", 0, FL_ARITH, G_ONCE
    xor %ecx, %ecx
    div %ecx
END
CASE de_idiv_ovf, "fault.de-idiv-overflow", 0, FL_ARITH, G_ONCE
    mov $0x8000000000000000, %rax
    cqo
    mov $-1, %rcx
    idiv %rcx
END

/* #UD: reserved opcodes, LOCK where it is not allowed, opcodes invalid in 64-bit mode */
CASE ud2, "fault.ud-ud2", 0, 0, G_ONCE
    nop
    ud2
END
CASE ud1, "fault.ud-ud1", 0, 0, G_ONCE
    .byte 0x0f, 0xb9, 0xc0
END
CASE ud0, "fault.ud-ud0", 0, 0, G_ONCE
    .byte 0x0f, 0xff, 0xc0
END
CASE ud_lock_reg, "fault.ud-lock-add-reg", 0, 0, G_ONCE
    .byte 0xf0, 0x01, 0xc8          /* lock add %ecx,%eax */
END
CASE ud_lock_nop, "fault.ud-lock-nop", 0, 0, G_ONCE
    .byte 0xf0, 0x90
END
CASE ud_lock_mov, "fault.ud-lock-mov-mem", 0, 0, G_ONCE
    .byte 0xf0, 0x89, 0x05          /* lock mov %eax, disp32(%rip) */
    .long ct_mem + 0x40 - 1f
1:
END
.irp b, 0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0x82, \
    0x9a, 0xce, 0xd4, 0xd5, 0xd6, 0xea
CASE ud_64_\b, "fault.ud-64bit-\b", 0, 0, G_ONCE
    .byte \b, 0x0a, 0x0a
END
.endr
CASE ud_lea_reg, "fault.ud-lea-reg", 0, 0, G_ONCE
    .byte 0x8d, 0xc0
END
CASE ud_mov_sreg7, "fault.ud-mov-sreg7", 0, 0, G_ONCE
    .byte 0x8c, 0xf8
END
CASE ud_cx8_reg, "fault.ud-cmpxchg8b-reg", 0, 0, G_ONCE
    .byte 0x0f, 0xc7, 0xc8
END
CASE ud_fe, "fault.ud-fe-2", 0, 0, G_ONCE
    .byte 0xfe, 0xd0
END
CASE ud_ff7, "fault.ud-ff-7", 0, 0, G_ONCE
    .byte 0xff, 0xf8
END
CASE ud_movcr_tr, "fault.ud-0f24", 0, 0, G_ONCE
    .byte 0x0f, 0x24, 0xc0
END
CASE ud_into, "fault.ud-0f0b-after-prefixes", 0, 0, G_ONCE
    .byte 0x66, 0xf3, 0x0f, 0x0b
END

/* #GP(0): privileged instructions at CPL 3, non-canonical addresses, length */
CASE gp_cli, "fault.gp-cli", 0, 0, G_ONCE
    cli
END
CASE gp_sti, "fault.gp-sti", 0, 0, G_ONCE
    sti
END
CASE gp_hlt, "fault.gp-hlt", 0, 0, G_ONCE
    hlt
END
CASE gp_rdmsr, "fault.gp-rdmsr", 0, 0, G_ONCE
    mov $0xc0000080, %ecx
    rdmsr
END
CASE gp_wrmsr, "fault.gp-wrmsr", 0, 0, G_ONCE
    mov $0x10, %ecx
    wrmsr
END
CASE gp_movcr0, "fault.gp-mov-from-cr0", 0, 0, G_ONCE
    mov %cr0, %rax
END
CASE gp_movcr3, "fault.gp-mov-to-cr3", 0, 0, G_ONCE
    mov %rax, %cr3
END
CASE gp_movdr, "fault.gp-mov-from-dr7", 0, 0, G_ONCE
    mov %dr7, %rax
END
CASE gp_lgdt, "fault.gp-lgdt", 0, 0, G_ONCE
    lgdt M(0x40)
END
CASE gp_lidt, "fault.gp-lidt", 0, 0, G_ONCE
    lidt M(0x40)
END
CASE gp_clts, "fault.gp-clts", 0, 0, G_ONCE
    clts
END
CASE gp_invd, "fault.gp-invd", 0, 0, G_ONCE
    invd
END
CASE gp_wbinvd, "fault.gp-wbinvd", 0, 0, G_ONCE
    wbinvd
END
CASE gp_invlpg, "fault.gp-invlpg", 0, 0, G_ONCE
    invlpg M(0x40)
END
CASE gp_lmsw, "fault.gp-lmsw", 0, 0, G_ONCE
    lmsw %ax
END
CASE gp_swapgs, "fault.gp-swapgs", 0, 0, G_ONCE
    swapgs
END
CASE gp_sysret, "fault.gp-sysretq", 0, 0, G_ONCE
    lea 1f(%rip), %rcx
    mov $2, %r11d
    sysretq
1:
END
CASE gp_ltr, "fault.gp-ltr", 0, 0, G_ONCE
    mov $0x40, %eax
    ltr %ax
END
CASE gp_noncanon_rd, "fault.gp-noncanonical-read", 0, 0, G_ONCE
    mov $0x0000800000000000, %rbx
    mov (%rbx), %rax
END
CASE gp_noncanon_wr, "fault.gp-noncanonical-write", 0, 0, G_ONCE
    mov $0xffff7ffffffffff8, %rbx
    movq $1, (%rbx)
END
CASE gp_noncanon_str, "fault.gp-noncanonical-rep-stos", 0, 0, G_ONCE
    mov $0x8000000000000000, %rdi
    mov $4, %ecx
    cld
    rep stosq
END
CASE gp_too_long, "fault.gp-16-byte-instruction", 0, 0, G_ONCE
    .fill 14, 1, 0x66
    .byte 0x2e, 0x90
END
CASE ok_15_bytes, "fault.none-15-byte-instruction", 0, 0, G_ONCE
    .fill 14, 1, 0x66
    .byte 0x90
END

/* #SS(0): a non-canonical stack address */
CASE ss_push, "fault.ss-push", 0, 0, G_ONCE
    mov $0x8000000000000010, %rsp
    push %rax
END
CASE ss_rbp, "fault.ss-rbp-base", 0, 0, G_ONCE
    mov $0x8000000000000000, %rbp
    mov 8(%rbp), %rax
END

/* #PF: error code P/W/U/RSVD/I bits (SDM vol. 3 §4.7) and CR2 */
CASE pf_rd_np, "fault.pf-read-not-present", 0, 0, G_ONCE
    mov CT_WIN + CT_WIN_NP + 0x10, %rax
END
CASE pf_wr_np, "fault.pf-write-not-present", 0, 0, G_ONCE
    movl $1, CT_WIN + CT_WIN_NP + 0x124
END
CASE pf_wr_ro, "fault.pf-write-read-only", 0, 0, G_ONCE
    mov CT_WIN + CT_WIN_RO + 0x8, %rax
    addl $1, CT_WIN + CT_WIN_RO + 0x8
END
CASE pf_rd_sup, "fault.pf-read-supervisor", 0, 0, G_ONCE
    mov CT_WIN + CT_WIN_SUP + 0xff8, %rax
END
CASE pf_wr_sup, "fault.pf-write-supervisor", 0, 0, G_ONCE
    movb $1, CT_WIN + CT_WIN_SUP
END
CASE pf_rd_rsvd, "fault.pf-read-reserved-bit", 0, 0, G_ONCE
    mov CT_WIN_RSVD + 0x1230, %rax
END
CASE pf_wr_rsvd, "fault.pf-write-reserved-bit", 0, 0, G_ONCE
    movw $1, CT_WIN_RSVD + 0x2000
END
CASE pf_exec_nx, "fault.pf-exec-nx", 0, 0, G_ONCE
    mov $CT_WIN + CT_WIN_NX + 0x20, %rax
    call *%rax
END
CASE pf_exec_np, "fault.pf-exec-not-present", 0, 0, G_ONCE
    mov $CT_WIN + CT_WIN_NP, %rax
    jmp *%rax
END
CASE pf_exec_sup, "fault.pf-exec-supervisor", 0, 0, G_ONCE
    mov $CT_WIN + CT_WIN_SUP + 0x800, %rax
    jmp *%rax
END
CASE pf_rd_ok, "fault.none-read-window", 0, 0, G_ONCE
    mov CT_WIN + CT_WIN_RW + 0x100, %rax
    mov CT_WIN + CT_WIN_RO + 0x100, %rbx
    mov CT_WIN + CT_WIN_NX + 0x100, %rcx
    mov CT_WIN + CT_WIN_RW2 + 0x100, %rdx
END
CASE pf_split_rd, "fault.pf-read-across-pages", 0, 0, G_ONCE
    mov CT_WIN + CT_WIN_NP2 - 4, %rax
END
CASE pf_split_wr, "fault.pf-write-across-pages", 0, 0, G_ONCE
    mov $0x1122334455667788, %rax
    mov %rax, CT_WIN + CT_WIN_NP2 - 3
END
CASE pf_rep_movs, "fault.pf-rep-movsb-progress", 0, 0, G_ONCE
    lea M(0x100), %rsi
    mov $CT_WIN + CT_WIN_NP2 - 5, %rdi
    mov $16, %ecx
    cld
    rep movsb
END
CASE pf_rep_lods, "fault.pf-rep-lodsq-down", 0, 0, G_ONCE
    mov $CT_WIN + CT_WIN_RO + 0x10, %rsi
    mov $5, %ecx
    std
    rep lodsq
END
CASE pf_rep_stos, "fault.pf-rep-stosq-not-present", 0, 0, G_ONCE
    mov $CT_WIN + CT_WIN_RW2 + 0xff0, %rdi
    mov $-1, %rax
    mov $5, %ecx
    cld
    rep stosq
END
CASE pf_push, "fault.pf-push-read-only", 0, 0, G_ONCE
    mov %rsp, %rbx
    mov $CT_WIN + CT_WIN_RO + 0x100, %rsp
    push %rax
END

/* #AC: CR0.AM = 1 and RFLAGS.AC = 1 at CPL 3 (SDM vol. 3 §6.15, interrupt 17) */
#define SET_AC pushfq; orl $0x40000, (%rsp); popfq
CASE ac_ok, "fault.none-ac-aligned", 0, 0, G_ONCE
    SET_AC
    mov M(0x40), %rax
    movl %eax, M(0x44)
    movw %ax, M(0x4a)
    movb %al, M(0x4d)
END
CASE ac_rd_w, "fault.ac-read-w", 0, 0, G_ONCE
    SET_AC
    movw M(0x41), %ax
END
CASE ac_rd_l, "fault.ac-read-l", 0, 0, G_ONCE
    SET_AC
    movl M(0x42), %eax
END
CASE ac_wr_q, "fault.ac-write-q", 0, 0, G_ONCE
    SET_AC
    movq %rax, M(0x44)
END
CASE ac_push, "fault.ac-push", 0, 0, G_ONCE
    SET_AC
    mov %rsp, %rbx
    sub $2, %rsp
    push %rax
END
CASE ac_movs, "fault.ac-rep-movsl", 0, 0, G_ONCE
    lea M(0x101), %rsi
    lea M(0x200), %rdi
    mov $3, %ecx
    cld
    SET_AC
    rep movsl
END
CASE ac_cmpxchg, "fault.ac-lock-cmpxchg", 0, 0, G_ONCE
    SET_AC
    lock cmpxchg %ecx, M(0x46)
END
CASE ac_popf_clear, "fault.none-ac-cleared", 0, 0, G_ONCE
    SET_AC
    pushfq
    andl $~0x40000, (%rsp)
    popfq
    movl M(0x43), %eax
END

/* #BP and #DB traps: RIP after the instruction */
CASE bp_int3, "fault.bp-int3", 0, 0, G_ONCE
    nop
    int3
    nop
END
CASE db_icebp, "fault.db-int1", 0, 0, G_ONCE
    .byte 0xf1
    nop
END
CASE db_tf, "fault.db-single-step", 0, 0, G_ONCE
    pushfq
    orl $0x100, (%rsp)
    popfq
    mov $1, %eax
    mov $2, %ebx
END

    .pushsection .rodata.ct_table, "a"
    .globl ct_int_table_end
ct_int_table_end:
    .popsection

    .section .note.GNU-stack, "", @progbits
