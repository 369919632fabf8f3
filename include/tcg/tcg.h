/*
 * TCG: the intermediate representation of emu's binary translator, its context, and
 * the code generator entry points. docs/devel/tcg.md is the guide; this header is the
 * reference.
 *
 * Life of a translation block (TB), as seen by the accel and a front end:
 *
 *   TCGContext *s = tcg_context_new(&cfg, errp);      once per translating thread
 *   tcg_set_ctx(s);                                  makes it this thread's tcg_ctx
 *   rax = tcg_global_mem_new_i64(tcg_env, offsetof(CPUX86State, regs[0]), "rax");
 *   ...
 *   for each TB:
 *       tcg_func_start(s);                           empties the op list
 *       front end: tcg_gen_insn_start(pc, 0, 0); tcg_gen_add_i64(...); ...
 *                  tcg_gen_goto_tb(0); tcg_gen_exit_tb(tb, 0);
 *       n = tcg_gen_code(s, &tb->tc);                 optimize, allocate, emit
 *       n == TCG_GEN_BUFFER_FULL: flush every TB, tcg_code_buffer_reset(s), retry
 *       n == TCG_GEN_TOO_BIG: retry with fewer guest instructions
 *   ret = tcg_tb_exec(s, env, tb->tc.tc_ptr);        run (native or tci)
 *
 * Handles (TCGv_i32, TCGv_i64, TCGv_ptr) are offsets from the current context, so a
 * front end may keep them in static variables and use them with every context cloned
 * from the one that created them (tcg_context_clone()).
 */
#ifndef TCG_TCG_H
#define TCG_TCG_H

#include "util/osdep.h"
#include "util/error.h"

/* ---- Basic types ---------------------------------------------------------------- */

typedef enum TCGType {
    TCG_TYPE_I32,
    TCG_TYPE_I64,
    TCG_TYPE_COUNT,
    /* A host pointer: only 64-bit hosts are supported. */
    TCG_TYPE_PTR = TCG_TYPE_I64,
} TCGType;

typedef enum TCGTempKind {
    TEMP_EBB,       /* dies at the end of the extended basic block (next label) */
    TEMP_TB,        /* lives across labels and branches within one TB */
    TEMP_GLOBAL,    /* backed by a field of the CPU state (env + offset) */
    TEMP_FIXED,     /* lives in a fixed host register (env, the frame pointer) */
    TEMP_CONST,     /* an interned constant, read-only */
} TCGTempKind;

/*
 * Conditions. Bit 0 inverts, as in the x86 condition-code encoding the ops borrow:
 * tcg_invert_cond() is a xor with 1 except for ALWAYS/NEVER.
 */
typedef enum TCGCond {
    TCG_COND_NEVER = 0,
    TCG_COND_ALWAYS = 1,
    TCG_COND_EQ = 8,
    TCG_COND_NE = 9,
    TCG_COND_LT = 10,    /* signed */
    TCG_COND_GE = 11,
    TCG_COND_LE = 12,
    TCG_COND_GT = 13,
    TCG_COND_LTU = 14,   /* unsigned */
    TCG_COND_GEU = 15,
    TCG_COND_LEU = 16,
    TCG_COND_GTU = 17,
    TCG_COND_TSTEQ = 18, /* (a & b) == 0 */
    TCG_COND_TSTNE = 19, /* (a & b) != 0 */
    TCG_COND_COUNT = 20,
} TCGCond;

static inline TCGCond tcg_invert_cond(TCGCond c)
{
    return (TCGCond)(c ^ 1);
}

/* The condition that holds for (b, a) when c holds for (a, b). */
TCGCond tcg_swap_cond(TCGCond c);
const char *tcg_cond_name(TCGCond c);

/*
 * Memory operations (guest accesses). Size, sign, byte swap and alignment requirement.
 * The guest is little-endian like the host, so MO_BSWAP means "big-endian access"
 * (MOVBE, BSWAP-ed loads).
 */
typedef enum MemOp {
    MO_8 = 0,
    MO_16 = 1,
    MO_32 = 2,
    MO_64 = 3,
    MO_SIZE = 3,
    MO_SIGN = 4,      /* sign-extend the loaded value */
    MO_BSWAP = 8,     /* reverse the bytes of the access */
    MO_ALIGN = 16,    /* the address must be aligned to the access size */

    MO_UB = MO_8,
    MO_UW = MO_16,
    MO_UL = MO_32,
    MO_UQ = MO_64,
    MO_SB = MO_8 | MO_SIGN,
    MO_SW = MO_16 | MO_SIGN,
    MO_SL = MO_32 | MO_SIGN,
} MemOp;

/* A MemOp and an MMU index packed in one word: (memop << 4) | mmu_idx. */
typedef uint32_t MemOpIdx;
#define TCG_MMU_IDX_BITS 4

static inline MemOpIdx make_memop_idx(MemOp op, unsigned mmu_idx)
{
    return ((uint32_t)op << TCG_MMU_IDX_BITS) | mmu_idx;
}
static inline MemOp get_memop(MemOpIdx oi)
{
    return (MemOp)(oi >> TCG_MMU_IDX_BITS);
}
static inline unsigned get_mmuidx(MemOpIdx oi)
{
    return oi & ((1u << TCG_MMU_IDX_BITS) - 1);
}

/* Memory barrier kinds (tcg_gen_mb). On x86 hosts only store-before-load needs code. */
typedef enum TCGBar {
    TCG_MO_LD_LD = 1,
    TCG_MO_ST_LD = 2,
    TCG_MO_LD_ST = 4,
    TCG_MO_ST_ST = 8,
    TCG_MO_ALL = 15,
    TCG_BAR_SC = 0x30,   /* sequentially consistent (full fence) */
} TCGBar;

/* bswap flags: the input is zero-extended (a hint); output zero- or sign-extended. */
enum {
    TCG_BSWAP_IZ = 1,
    TCG_BSWAP_OZ = 2,
    TCG_BSWAP_OS = 4,
};

/* Helper call flags (see docs/devel/tcg.md "Calling helpers"). */
enum {
    TCG_CALL_NO_READ_GLOBALS = 1,   /* globals need not be in memory for the helper */
    TCG_CALL_NO_WRITE_GLOBALS = 2,  /* the helper does not modify globals in memory */
    TCG_CALL_NO_SIDE_EFFECTS = 4,   /* pure: removable if the result is unused */
    TCG_CALL_NO_RETURN = 8,         /* never returns (raises a guest exception) */
    TCG_CALL_NO_RWG = TCG_CALL_NO_READ_GLOBALS,
    TCG_CALL_NO_WG = TCG_CALL_NO_WRITE_GLOBALS,
    TCG_CALL_NO_SE = TCG_CALL_NO_SIDE_EFFECTS,
    TCG_CALL_NO_RWG_SE = TCG_CALL_NO_READ_GLOBALS | TCG_CALL_NO_SIDE_EFFECTS,
    TCG_CALL_NO_WG_SE = TCG_CALL_NO_WRITE_GLOBALS | TCG_CALL_NO_SIDE_EFFECTS,
};

/* ---- Opcodes ------------------------------------------------------------------ */

enum {
    TCG_OPF_BB_EXIT = 1,       /* leaves the TB */
    TCG_OPF_BB_END = 2,        /* ends a basic block: every temp is saved to memory */
    TCG_OPF_CALL_CLOBBER = 4,  /* clobbers the host's call-clobbered registers */
    TCG_OPF_SIDE_EFFECTS = 8,  /* never removed; globals synced to memory before it */
    TCG_OPF_NOT_PRESENT = 16,  /* handled by generic code, not by the backend */
    TCG_OPF_COND_BRANCH = 32,  /* conditional branch: globals/TB temps synced */
    TCG_OPF_INT = 64,          /* exists for i32 and i64 */
};

typedef enum TCGOpcode {
#define DEF(name, oargs, iargs, cargs, flags) INDEX_op_##name,
#include "tcg/tcg-opc.h"
    NB_OPS,
} TCGOpcode;

typedef struct TCGOpDef {
    const char *name;
    uint8_t nb_oargs, nb_iargs, nb_cargs, nb_args;
    uint8_t flags;
} TCGOpDef;

extern const TCGOpDef tcg_op_defs[NB_OPS];

/* ---- Temps, labels, ops ---------------------------------------------------------- */

typedef uint64_t TCGArg;
typedef uint32_t TCGRegSet;   /* up to 32 host (or tci) registers */

typedef enum TCGTempVal {
    TEMP_VAL_DEAD,
    TEMP_VAL_REG,
    TEMP_VAL_MEM,
    TEMP_VAL_CONST,
} TCGTempVal;

typedef struct TCGTemp {
    uint8_t reg;            /* host register when val_type == TEMP_VAL_REG */
    uint8_t val_type;       /* TCGTempVal, during register allocation */
    uint8_t type;           /* TCGType */
    uint8_t kind;           /* TCGTempKind */
    bool mem_coherent;      /* the memory copy equals the register/constant value */
    bool mem_allocated;     /* has a memory slot (globals always) */
    bool allocated;         /* handed out and not freed (EBB/TB temps) */
    int64_t val;            /* constant value; i32 constants are zero-extended */
    struct TCGTemp *mem_base;
    intptr_t mem_offset;
    const char *name;       /* globals and fixed temps */
    uintptr_t state;        /* liveness / optimizer scratch */
    void *state_ptr;        /* optimizer scratch */
} TCGTemp;

typedef struct TCGRelocation {
    struct TCGRelocation *next;
    int type;
    uint32_t offset;        /* code offset of the field to patch */
    intptr_t addend;
} TCGRelocation;

typedef struct TCGLabel {
    int id;
    bool has_value;         /* bound to a code offset */
    bool present;           /* set_label was emitted for it */
    int refs;               /* branches to it, maintained by the optimizer */
    uint32_t value;         /* code offset once bound */
    TCGRelocation *relocs;
} TCGLabel;

#define TCG_MAX_OP_ARGS 10
#define TCG_MAX_CALL_IARGS 6
#define TCG_MAX_INSN_START_WORDS 3

typedef struct TCGOp {
    struct TCGOp *prev, *next;
    uint8_t opc;            /* TCGOpcode */
    uint8_t type;           /* TCGType of the operation (TCG_OPF_INT ops) */
    uint8_t nargs;
    uint8_t call_oargs;     /* call: 0 or 1 result */
    uint8_t call_iargs;     /* call: number of arguments */
    uint32_t life;          /* liveness: DEAD_ARG(i) bits 0-15, SYNC_ARG(i) 16-17 */
    TCGArg args[TCG_MAX_OP_ARGS];
} TCGOp;

#define TCG_LIFE_DEAD(i) (1u << (i))
#define TCG_LIFE_SYNC(i) (1u << (16 + (i)))

/* Typed handles: offsets of a TCGTemp inside the current TCGContext. */
typedef struct TCGv_i32_d *TCGv_i32;
typedef struct TCGv_i64_d *TCGv_i64;
typedef struct TCGv_ptr_d *TCGv_ptr;

/* Helper descriptor, built by the DEF_HELPER_* macros (tcg/tcg-helper.h). */
typedef enum TCGHelperType {
    TCG_HT_VOID, TCG_HT_I32, TCG_HT_S32, TCG_HT_I64, TCG_HT_S64, TCG_HT_PTR,
} TCGHelperType;

typedef struct TCGHelperInfo {
    void (*func)(void);
    const char *name;
    unsigned flags;
    uint8_t nargs;
    uint8_t ret;            /* TCGHelperType */
    uint8_t args[TCG_MAX_CALL_IARGS];
} TCGHelperInfo;

/* ---- Context --------------------------------------------------------------------- */

typedef enum TCGBackendKind {
    TCG_BACKEND_DEFAULT,    /* native where available, else tci */
    TCG_BACKEND_NATIVE,
    TCG_BACKEND_TCI,
} TCGBackendKind;

typedef struct TCGContextConfig {
    TCGBackendKind backend;
    size_t code_size;           /* code buffer bytes; 0 = 64 MiB */
    int insn_start_words;       /* words recorded per guest insn, 1..3; 0 = 1 */
    intptr_t tlb_fast_offset;   /* env + this = CPUTLBFast[TCG_NB_MMU_MODES] */
    bool no_optimize;           /* skip tcg/optimize.c (tests, debugging) */
} TCGContextConfig;

/* What tcg_gen_code produced for one TB; embed it in the accel's TB structure. */
typedef struct TCGTBCode {
    const void *tc_ptr;         /* executable (RX) address: give it to tcg_tb_exec */
    uint32_t tc_size;           /* bytes of code */
    uint16_t icount;            /* insn_start ops in the TB */
    uint8_t backend;            /* TCGBackendKind that generated it */
    uint8_t insn_start_words;
    uint16_t jmp_insn_offset[2];   /* goto_tb n: offset of the patchable field */
    uint16_t jmp_reset_offset[2];  /* goto_tb n: where the unchained jump goes */
    const uint8_t *search_data; /* insn_start table (compressed), after the code */
    uint32_t search_size;
    intptr_t rw_delta;          /* RW view address - RX view address */
} TCGTBCode;

#define TCG_NO_JMP 0xffff

/* exit_tb return values: the TB pointer (4-aligned) | index, or 0. */
enum {
    TB_EXIT_MASK = 3,
    TB_EXIT_IDX0 = 0,           /* left through goto_tb 0 (not chained) */
    TB_EXIT_IDX1 = 1,           /* left through goto_tb 1 */
    TB_EXIT_REQUESTED = 3,      /* an exit request (interrupt) stopped the TB */
};

/* tcg_gen_code results besides the code size. */
enum {
    TCG_GEN_BUFFER_FULL = -1,   /* flush the code buffer and retry */
    TCG_GEN_TOO_BIG = -2,       /* too many temps/ops or > 64 KiB: fewer insns */
};

typedef struct TCGCodeBuffer TCGCodeBuffer;
typedef struct TCGBackend TCGBackend;
typedef struct TCGOpConstraint TCGOpConstraint;
typedef struct TCGLdstSlow TCGLdstSlow;

#define TCG_MAX_TEMPS 4096
#define TCG_MAX_REGS 32
#define TCG_MAX_LABELS 4096
#define TCG_MAX_INSNS 512

typedef struct TCGContext {
    TCGContextConfig cfg;
    const TCGBackend *be;
    TCGOpConstraint *constraints;      /* [NB_OPS][TCG_TYPE_COUNT] */

    /* IR */
    int nb_globals;
    int nb_temps;
    TCGTemp *env;                      /* TEMP_FIXED: the CPU state pointer */
    TCGTemp *frame_temp;               /* TEMP_FIXED: base of the spill frame */
    TCGOp *first_op, *last_op;
    GPtrArray *op_chunks;
    unsigned op_chunk_used, op_chunk_idx;
    int nb_ops;
    TCGLabel *labels;
    int nb_labels;
    GHashTable *const_table[TCG_TYPE_COUNT];
    uint64_t free_temps[TCG_TYPE_COUNT][2][TCG_MAX_TEMPS / 64];  /* [type][EBB/TB] */
    bool overflow;                     /* temps/labels exhausted: TCG_GEN_TOO_BIG */
    int insn_start_words;

    /* Register allocation */
    TCGTemp *reg_to_temp[TCG_MAX_REGS];
    TCGRegSet reserved_regs;
    uint64_t frame_slots[8];           /* free bitmap, 1 = used */
    int frame_nslots;

    /* Code emission (RW view pointers) */
    TCGCodeBuffer *cbuf;
    uint8_t *code_buf;                 /* start of the TB being generated */
    uint8_t *code_ptr;
    uint8_t *code_limit;               /* stop emitting past this */
    intptr_t rw_delta;                 /* rw - rx */
    TCGLdstSlow *ldst_slow;            /* out-of-line guest memory paths */
    TCGTBCode *gen_tb;
    int nb_insns;
    uint32_t insn_off[TCG_MAX_INSNS];  /* host code offset of each insn_start */
    uint64_t insn_data[TCG_MAX_INSNS][TCG_MAX_INSN_START_WORDS];

    /* Backend state */
    const void *tb_ret_rx;             /* epilogue entry: return %rax */
    const void *ret0_rx;               /* epilogue entry: return 0 */
    const void *code_gen_start;        /* first byte after the prologue */
    bool have_movbe, have_popcnt, have_lzcnt;

    /* Statistics (info jit) */
    uint64_t stat_tbs, stat_ops, stat_ops_opt, stat_code_bytes, stat_spills;

    TCGTemp temps[TCG_MAX_TEMPS];
} TCGContext;

extern __thread TCGContext *tcg_ctx;

static inline void tcg_set_ctx(TCGContext *s)
{
    tcg_ctx = s;
}

/* The env pointer (TEMP_FIXED) of the current context. */
#define tcg_env ((TCGv_ptr)((char *)tcg_ctx->env - (char *)tcg_ctx))

static inline TCGTemp *tcgv_i32_temp(TCGv_i32 v)
{
    return (TCGTemp *)((char *)tcg_ctx + (uintptr_t)v);
}
static inline TCGTemp *tcgv_i64_temp(TCGv_i64 v)
{
    return (TCGTemp *)((char *)tcg_ctx + (uintptr_t)v);
}
static inline TCGTemp *tcgv_ptr_temp(TCGv_ptr v)
{
    return (TCGTemp *)((char *)tcg_ctx + (uintptr_t)v);
}
static inline TCGv_i32 temp_tcgv_i32(TCGTemp *t)
{
    return (TCGv_i32)((char *)t - (char *)tcg_ctx);
}
static inline TCGv_i64 temp_tcgv_i64(TCGTemp *t)
{
    return (TCGv_i64)((char *)t - (char *)tcg_ctx);
}
static inline TCGv_ptr temp_tcgv_ptr(TCGTemp *t)
{
    return (TCGv_ptr)((char *)t - (char *)tcg_ctx);
}
static inline TCGArg temp_arg(TCGTemp *t)
{
    return (uintptr_t)t;
}
static inline TCGTemp *arg_temp(TCGArg a)
{
    return (TCGTemp *)(uintptr_t)a;
}
static inline TCGLabel *arg_label(TCGArg a)
{
    return (TCGLabel *)(uintptr_t)a;
}
static inline int temp_idx(const TCGTemp *t)
{
    return (int)(t - tcg_ctx->temps);
}

/* ---- Context life cycle ----------------------------------------------------------- */

/*
 * Create a context with its own code buffer (prologue included) and the env temp.
 * The native backend needs an x86-64 host with POPCNT; when it is asked for and
 * unavailable, an error says so (the accel then picks tci).
 */
TCGContext *tcg_context_new(const TCGContextConfig *cfg, Error **errp);
/* A new context (own code buffer) with the same config and globals as src. */
TCGContext *tcg_context_clone(const TCGContext *src, Error **errp);
void tcg_context_free(TCGContext *s);
const char *tcg_backend_name(const TCGContext *s);

/* Start a new TB: empties the op list, frees non-global temps and labels. */
void tcg_func_start(TCGContext *s);

/* Temps (the current context). Freed temps are recycled. */
TCGv_i32 tcg_global_mem_new_i32(TCGv_ptr base, intptr_t offset, const char *name);
TCGv_i64 tcg_global_mem_new_i64(TCGv_ptr base, intptr_t offset, const char *name);
TCGv_ptr tcg_global_mem_new_ptr(TCGv_ptr base, intptr_t offset, const char *name);
TCGv_i32 tcg_temp_new_i32(void);        /* TEMP_TB */
TCGv_i64 tcg_temp_new_i64(void);
TCGv_ptr tcg_temp_new_ptr(void);
TCGv_i32 tcg_temp_ebb_new_i32(void);    /* TEMP_EBB */
TCGv_i64 tcg_temp_ebb_new_i64(void);
TCGv_ptr tcg_temp_ebb_new_ptr(void);
void tcg_temp_free_i32(TCGv_i32 v);
void tcg_temp_free_i64(TCGv_i64 v);
void tcg_temp_free_ptr(TCGv_ptr v);
TCGv_i32 tcg_constant_i32(int32_t val);
TCGv_i64 tcg_constant_i64(int64_t val);
TCGv_ptr tcg_constant_ptr(intptr_t val);
TCGTemp *tcg_temp_new_internal(TCGType type, TCGTempKind kind);
TCGTemp *tcg_constant_internal(TCGType type, int64_t val);
void tcg_temp_free_internal(TCGTemp *ts);

/* Labels */
TCGLabel *gen_new_label(void);

/* Low-level op creation (tcg-op.c builds on these). */
TCGOp *tcg_emit_op(TCGOpcode opc, TCGType type, unsigned nargs);
TCGOp *tcg_op_insert_before(TCGContext *s, TCGOp *old, TCGOpcode opc, TCGType type,
                            unsigned nargs);
TCGOp *tcg_op_insert_after(TCGContext *s, TCGOp *old, TCGOpcode opc, TCGType type,
                           unsigned nargs);
void tcg_op_remove(TCGContext *s, TCGOp *op);
void tcg_gen_callN(const TCGHelperInfo *info, TCGTemp *ret, TCGTemp **args);

/* ---- Inspecting the op list (tests, tools) ------------------------------------------ */

static inline TCGOp *tcg_first_op(TCGContext *s)
{
    return s->first_op;
}
static inline TCGOp *tcg_op_next(TCGOp *op)
{
    return op->next;
}
int tcg_op_nb_oargs(const TCGOp *op);
int tcg_op_nb_iargs(const TCGOp *op);
int tcg_op_nb_cargs(const TCGOp *op);
/* Op name with the type suffix ("add_i32"). */
const char *tcg_op_name(const TCGOp *op, char *buf, size_t len);
/* One op as printed by -d op (without the leading space). */
void tcg_op_to_string(TCGContext *s, const TCGOp *op, GString *out, bool with_life);
char *tcg_temp_name(TCGContext *s, const TCGTemp *ts, char *buf, size_t len);
/* The whole op list, one op per line (like -d op / -d op_opt). */
void tcg_dump_ops(TCGContext *s, FILE *f, bool with_life);
GString *tcg_dump_ops_str(TCGContext *s, bool with_life);

/* ---- Passes ---------------------------------------------------------------------- */

void tcg_optimize(TCGContext *s);
void tcg_liveness_analysis(TCGContext *s);

/*
 * Optimize, allocate registers and emit code for the current op list into the code
 * buffer. Returns the code size (> 0) and fills *tc, or TCG_GEN_BUFFER_FULL /
 * TCG_GEN_TOO_BIG. Logs -d op, op_opt, out_asm.
 */
int tcg_gen_code(TCGContext *s, TCGTBCode *tc);

/* ---- Running and chaining ------------------------------------------------------- */

/*
 * Run generated code until an exit_tb or goto_ptr(NULL): returns the exit_tb value
 * (TB pointer | TB_EXIT_*, or 0). env is kept in a callee-saved register (RBP) by
 * native code.
 */
uintptr_t tcg_tb_exec(TCGContext *s, void *env, const void *tc_ptr);

/* Patch goto_tb slot n of tc to jump straight to the code at target (an RX tc_ptr). */
void tcg_tb_set_jmp_target(const TCGTBCode *tc, int n, const void *target);
/* Undo the chaining: goto_tb n falls through to its exit_tb again. */
void tcg_tb_reset_jmp(const TCGTBCode *tc, int n);

/*
 * Lookup hook for tcg_gen_lookup_and_goto_ptr(): returns the tc_ptr of the TB that
 * matches the CPU state now, or NULL to return 0 from tcg_tb_exec. Set by the accel.
 */
typedef const void *(*TCGLookupTBFn)(void *env);
void tcg_set_lookup_tb_ptr(TCGLookupTBFn fn);
TCGLookupTBFn tcg_get_lookup_tb_ptr(void);
const void *helper_lookup_tb_ptr(void *env);

/*
 * Precise state recovery. host_pc is a return address inside the TB (what GETPC()
 * gives a helper, or the retaddr passed to the softmmu slow path). Fills data[] with
 * the insn_start words of the guest instruction that was executing, returns its index,
 * or -1 when host_pc is not inside this TB.
 */
int tcg_restore_state_from_host_pc(const TCGTBCode *tc, uintptr_t host_pc,
                                   uint64_t data[TCG_MAX_INSN_START_WORDS]);
bool tcg_tb_contains_pc(const TCGTBCode *tc, uintptr_t host_pc);
/* The insn_start words of guest instruction @idx of the TB (0 = its first: the state
 * at TB entry); returns @idx, or -1 when the TB has no such instruction. */
int tcg_tb_insn_data(const TCGTBCode *tc, int idx,
                     uint64_t data[TCG_MAX_INSN_START_WORDS]);

/*
 * GETPC(): the host return address of the current helper call, for the state
 * recovery above. Under tci, the interpreter publishes the bytecode address after the
 * call in tcg_tci_retaddr (0 otherwise).
 */
extern __thread uintptr_t tcg_tci_retaddr;
#define GETPC() \
    (tcg_tci_retaddr ? tcg_tci_retaddr : (uintptr_t)__builtin_return_address(0))

/* ---- Code buffer ---------------------------------------------------------------- */

/* Drop every TB: the buffer restarts right after the prologue. */
void tcg_code_buffer_reset(TCGContext *s);
size_t tcg_code_buffer_used(const TCGContext *s);
size_t tcg_code_buffer_size(const TCGContext *s);
bool tcg_code_buffer_is_split(const TCGContext *s);
/* RW (writable) address for an RX address in s's buffer. */
void *tcg_splitwx_to_rw(const TCGContext *s, const void *rx);
const void *tcg_splitwx_to_rx(const TCGContext *s, void *rw);

/* ---- Disassembly ---------------------------------------------------------------- */

/*
 * Disassemble x86-64 (host_x86_64) or 32-bit x86 code with capstone, one instruction
 * per line "  0xADDR:  mnemonic operands"; raw bytes when emu was built without it.
 */
void tcg_disas(FILE *f, const void *code, size_t len, bool host_x86_64);
/* Disassemble a TB as its backend emitted it (x86-64 or tci bytecode). */
void tcg_disas_tb(TCGContext *s, FILE *f, const TCGTBCode *tc);

/* A one-line summary of the statistics for `info jit`. */
void tcg_dump_info(TCGContext *s, GString *buf);

#endif
