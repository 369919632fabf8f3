/*
 * What the generic code generator (tcg.c) and the backends (x86_64/, tci/) share:
 * the backend interface, operand constraints, code emission primitives.
 */
#ifndef TCG_TCG_INTERNAL_H
#define TCG_TCG_INTERNAL_H

#include "tcg/tcg.h"

/* Constant-operand classes an input constraint can accept (ct bits). */
enum {
    TCG_CT_CONST = 1,       /* any constant ('i') */
    TCG_CT_CONST_S32 = 2,   /* fits a sign-extended 32-bit immediate ('e') */
    TCG_CT_CONST_U32 = 4,   /* fits a zero-extended 32-bit immediate ('Z') */
};

typedef struct TCGArgConstraint {
    TCGRegSet regs;
    uint16_t ct;
    int8_t alias;           /* input: index of the output it is tied to, else -1 */
    bool newreg;            /* output: must not overlap any input ('&') */
    bool oalias;            /* output: some input is tied to it */
} TCGArgConstraint;

struct TCGOpConstraint {
    bool valid;
    uint8_t nb_args;
    uint8_t sort[TCG_MAX_OP_ARGS];   /* inputs, most constrained first */
    TCGRegSet clobber;               /* registers the op destroys */
    TCGArgConstraint args[TCG_MAX_OP_ARGS];
};

struct TCGBackend {
    const char *name;
    TCGBackendKind kind;
    int nb_regs;
    TCGRegSet all_regs;              /* allocatable */
    TCGRegSet call_clobber;
    const uint8_t *alloc_order;      /* nb_alloc entries */
    int nb_alloc;
    int reg_env, reg_frame;
    intptr_t frame_start, frame_size;
    const uint8_t *call_iarg_regs;   /* TCG_MAX_CALL_IARGS */
    int call_oarg_reg;
    const char *const *reg_names;

    /* One-time host checks; false with errp set when the backend cannot run. */
    bool (*init)(TCGContext *s, Error **errp);
    /* Constraint string per arg, comma-separated ("r,0,re"); NULL if unsupported. */
    const char *(*op_constraint)(TCGOpcode opc, TCGType type);
    /* Backend letters: set regs and/or ct; false for an unknown letter. */
    bool (*parse_letter)(char c, TCGArgConstraint *ct);
    bool (*const_match)(int64_t val, TCGType type, int ct);
    /* Registers an op destroys besides its outputs (optional). */
    TCGRegSet (*op_clobber)(TCGOpcode opc, TCGType type);

    void (*out_prologue)(TCGContext *s);
    void (*out_mov)(TCGContext *s, TCGType type, int ret, int arg);
    void (*out_movi)(TCGContext *s, TCGType type, int ret, int64_t val);
    void (*out_ld)(TCGContext *s, TCGType type, int ret, int base, intptr_t ofs);
    void (*out_st)(TCGContext *s, TCGType type, int arg, int base, intptr_t ofs);
    /* Store a constant; false when it cannot be done without a register. */
    bool (*out_sti)(TCGContext *s, TCGType type, int64_t val, int base, intptr_t ofs);
    void (*out_call)(TCGContext *s, const TCGHelperInfo *info);
    void (*out_op)(TCGContext *s, TCGOpcode opc, TCGType type, const TCGArg *args,
                   const int *const_args);
    void (*out_insn_start)(TCGContext *s);           /* optional */
    /* Emit queued out-of-line code (softmmu slow paths); false if out of space. */
    bool (*out_slow_paths)(TCGContext *s);
    /* Resolve one relocation: field at code_rw, target address in RX. */
    bool (*patch_reloc)(TCGContext *s, uint8_t *code_rw, int type, uintptr_t target_rx,
                        intptr_t addend);
    void (*set_jmp_target)(const TCGTBCode *tc, int n, uintptr_t target_rx);
    uintptr_t (*tb_exec)(TCGContext *s, void *env, const void *tc_ptr);
    void (*disas)(TCGContext *s, FILE *f, const void *code, size_t len);
};

extern const TCGBackend tcg_backend_x86_64;
extern const TCGBackend tcg_backend_tci;

/* ---- Emission ---------------------------------------------------------------------- */

static inline size_t tcg_current_code_size(TCGContext *s)
{
    return s->code_ptr - s->code_buf;
}
static inline uintptr_t tcg_rw_to_rx(TCGContext *s, const void *rw)
{
    return (uintptr_t)rw - s->rw_delta;
}
static inline uintptr_t tcg_code_rx(TCGContext *s)
{
    return tcg_rw_to_rx(s, s->code_ptr);
}
static inline void tcg_out8(TCGContext *s, uint8_t v)
{
    *s->code_ptr++ = v;
}
static inline void tcg_out16(TCGContext *s, uint16_t v)
{
    memcpy(s->code_ptr, &v, 2);
    s->code_ptr += 2;
}
static inline void tcg_out32(TCGContext *s, uint32_t v)
{
    memcpy(s->code_ptr, &v, 4);
    s->code_ptr += 4;
}
static inline void tcg_out64(TCGContext *s, uint64_t v)
{
    memcpy(s->code_ptr, &v, 8);
    s->code_ptr += 8;
}
static inline void tcg_patch32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

/* Remember that the field at code_rw must hold the address of label l (+addend). */
void tcg_out_reloc(TCGContext *s, uint8_t *code_rw, int type, TCGLabel *l,
                   intptr_t addend);
/* RX address of a bound label. */
static inline uintptr_t tcg_label_rx(TCGContext *s, TCGLabel *l)
{
    return tcg_rw_to_rx(s, s->code_buf + l->value);
}

/* Out-of-line guest memory access (native backend). */
struct TCGLdstSlow {
    TCGLdstSlow *next;
    bool is_ld;
    TCGType type;
    MemOpIdx oi;
    int datareg, addrreg;
    uint8_t *label_ptr;             /* rel32 of the jne to the slow path */
    uint8_t *raddr;                 /* RW address to return to */
};
TCGLdstSlow *tcg_new_ldst_slow(TCGContext *s);

/* Code buffer internals (code-buffer.c) */
TCGCodeBuffer *tcg_code_buffer_new(size_t size, Error **errp);
void tcg_code_buffer_destroy(TCGCodeBuffer *b);
uint8_t *tcg_code_buffer_rw_base(TCGCodeBuffer *b);
intptr_t tcg_code_buffer_rw_delta(TCGCodeBuffer *b);
size_t tcg_code_buffer_total(TCGCodeBuffer *b);
uint8_t **tcg_code_buffer_ptr(TCGCodeBuffer *b);   /* next free byte (RW) */
uint8_t **tcg_code_buffer_start(TCGCodeBuffer *b); /* first byte after the prologue */

/* Constant folding shared by the optimizer and tci's disassembler-free checks. */
bool tcg_fold_cond(TCGCond c, TCGType type, uint64_t a, uint64_t b);

#endif
