/*
 * TCG core: contexts, temps, labels, the op list and its dump format, liveness
 * analysis, register allocation and the code generation driver. Backends emit the
 * instructions (tcg/x86_64/, tcg/tci/); see docs/devel/tcg.md for the design.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "tcg/tcg.h"
#include "tcg/tcg-op.h"
#include "tcg/tcg-helper.h"
#include "tcg-internal.h"

__thread TCGContext *tcg_ctx;
__thread uintptr_t tcg_tci_retaddr;

const TCGOpDef tcg_op_defs[NB_OPS] = {
#define DEF(n, o, i, c, f) [INDEX_op_##n] = { #n, o, i, c, o + i + c, f },
#include "tcg/tcg-opc.h"
};

#define OP_CHUNK 512

/* ---- Conditions ------------------------------------------------------------------ */

TCGCond tcg_swap_cond(TCGCond c)
{
    switch (c) {
    case TCG_COND_LT: return TCG_COND_GT;
    case TCG_COND_GT: return TCG_COND_LT;
    case TCG_COND_LE: return TCG_COND_GE;
    case TCG_COND_GE: return TCG_COND_LE;
    case TCG_COND_LTU: return TCG_COND_GTU;
    case TCG_COND_GTU: return TCG_COND_LTU;
    case TCG_COND_LEU: return TCG_COND_GEU;
    case TCG_COND_GEU: return TCG_COND_LEU;
    default: return c;
    }
}

const char *tcg_cond_name(TCGCond c)
{
    static const char *const names[TCG_COND_COUNT] = {
        [TCG_COND_NEVER] = "never", [TCG_COND_ALWAYS] = "always",
        [TCG_COND_EQ] = "eq", [TCG_COND_NE] = "ne", [TCG_COND_LT] = "lt",
        [TCG_COND_GE] = "ge", [TCG_COND_LE] = "le", [TCG_COND_GT] = "gt",
        [TCG_COND_LTU] = "ltu", [TCG_COND_GEU] = "geu", [TCG_COND_LEU] = "leu",
        [TCG_COND_GTU] = "gtu", [TCG_COND_TSTEQ] = "tsteq", [TCG_COND_TSTNE] = "tstne",
    };
    return (unsigned)c < TCG_COND_COUNT && names[c] ? names[c] : "?";
}

bool tcg_fold_cond(TCGCond c, TCGType type, uint64_t a, uint64_t b)
{
    if (type == TCG_TYPE_I32) {
        a = (uint32_t)a;
        b = (uint32_t)b;
    }
    int64_t sa = type == TCG_TYPE_I32 ? (int32_t)a : (int64_t)a;
    int64_t sb = type == TCG_TYPE_I32 ? (int32_t)b : (int64_t)b;
    switch (c) {
    case TCG_COND_NEVER: return false;
    case TCG_COND_ALWAYS: return true;
    case TCG_COND_EQ: return a == b;
    case TCG_COND_NE: return a != b;
    case TCG_COND_LT: return sa < sb;
    case TCG_COND_GE: return sa >= sb;
    case TCG_COND_LE: return sa <= sb;
    case TCG_COND_GT: return sa > sb;
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return a >= b;
    case TCG_COND_LEU: return a <= b;
    case TCG_COND_GTU: return a > b;
    case TCG_COND_TSTEQ: return (a & b) == 0;
    case TCG_COND_TSTNE: return (a & b) != 0;
    default: return false;
    }
}

/* ---- Contexts ------------------------------------------------------------------ */

static bool parse_constraint(TCGContext *s, const char *str, TCGOpConstraint *c,
                             int nb_oargs, int nb_iargs)
{
    const TCGBackend *be = s->be;
    int nargs = nb_oargs + nb_iargs;
    int i = 0;
    memset(c, 0, sizeof(*c));
    for (int k = 0; k < nargs; k++) {
        c->args[k].alias = -1;
    }
    for (const char *p = str; *p; p++) {
        TCGArgConstraint *a = &c->args[i];
        switch (*p) {
        case ',':
            i++;
            if (i >= nargs) {
                return false;
            }
            break;
        case '&':
            a->newreg = true;
            break;
        case 'r':
            /* Every register: reserved ones (env) may be read, never allocated. */
            a->regs |= be->nb_regs >= 32 ? ~0u : (1u << be->nb_regs) - 1;
            break;
        case 'i':
            a->ct |= TCG_CT_CONST;
            break;
        case '0' ... '9': {
            int o = *p - '0';
            if (i < nb_oargs || o >= nb_oargs) {
                return false;
            }
            a->alias = o;
            a->regs = c->args[o].regs;
            c->args[o].oalias = true;
            break;
        }
        default:
            if (!be->parse_letter(*p, a)) {
                return false;
            }
        }
    }
    if (i != nargs - 1 && nargs > 0) {
        return false;
    }
    /* Inputs sorted by how constrained they are: fixed registers first. */
    int n = 0;
    for (int k = nb_oargs; k < nargs; k++) {
        c->sort[n++] = k;
    }
    for (int a = 1; a < n; a++) {
        for (int b = a; b > 0; b--) {
            int pa = __builtin_popcount(c->args[c->sort[b]].regs);
            int pb = __builtin_popcount(c->args[c->sort[b - 1]].regs);
            if (pa >= pb) {
                break;
            }
            uint8_t t = c->sort[b];
            c->sort[b] = c->sort[b - 1];
            c->sort[b - 1] = t;
        }
    }
    c->nb_args = nargs;
    c->valid = true;
    return true;
}

static bool build_constraints(TCGContext *s, Error **errp)
{
    s->constraints = g_new0(TCGOpConstraint, NB_OPS * TCG_TYPE_COUNT);
    for (int opc = 0; opc < NB_OPS; opc++) {
        const TCGOpDef *def = &tcg_op_defs[opc];
        if (def->flags & TCG_OPF_NOT_PRESENT) {
            continue;
        }
        for (int t = 0; t < TCG_TYPE_COUNT; t++) {
            const char *str = s->be->op_constraint(opc, t);
            if (!str) {
                continue;
            }
            TCGOpConstraint *c = &s->constraints[opc * TCG_TYPE_COUNT + t];
            if (!parse_constraint(s, str, c, def->nb_oargs, def->nb_iargs)) {
                error_setg(errp, "tcg: %s backend: bad constraint \"%s\" for %s",
                           s->be->name, str, def->name);
                return false;
            }
            if (s->be->op_clobber) {
                c->clobber = s->be->op_clobber(opc, t);
            }
        }
    }
    return true;
}

static TCGTemp *new_fixed(TCGContext *s, int reg, const char *name)
{
    TCGTemp *ts = &s->temps[s->nb_globals++];
    memset(ts, 0, sizeof(*ts));
    ts->kind = TEMP_FIXED;
    ts->type = TCG_TYPE_PTR;
    ts->reg = reg;
    ts->val_type = TEMP_VAL_REG;
    ts->name = name;
    ts->allocated = true;
    s->nb_temps = s->nb_globals;
    return ts;
}

static const TCGBackend *pick_backend(TCGBackendKind kind)
{
#if defined(__x86_64__)
    if (kind != TCG_BACKEND_TCI) {
        return &tcg_backend_x86_64;
    }
#else
    if (kind == TCG_BACKEND_NATIVE) {
        return NULL;
    }
#endif
    return &tcg_backend_tci;
}

TCGContext *tcg_context_new(const TCGContextConfig *cfg, Error **errp)
{
    TCGContext *old = tcg_ctx;
    TCGContext *s = g_malloc0(sizeof(*s));
    s->cfg = *cfg;
    if (!s->cfg.code_size) {
        s->cfg.code_size = 64 * 1024 * 1024;
    }
    if (s->cfg.insn_start_words <= 0) {
        s->cfg.insn_start_words = 1;
    }
    if (s->cfg.insn_start_words > TCG_MAX_INSN_START_WORDS) {
        s->cfg.insn_start_words = TCG_MAX_INSN_START_WORDS;
    }
    s->insn_start_words = s->cfg.insn_start_words;
    s->be = pick_backend(cfg->backend);
    if (!s->be) {
        error_setg(errp, "tcg: no native backend for this host; use backend=tci");
        g_free(s);
        return NULL;
    }
    if (s->be->init && !s->be->init(s, errp)) {
        g_free(s);
        return NULL;
    }
    if (!build_constraints(s, errp)) {
        g_free(s->constraints);
        g_free(s);
        return NULL;
    }
    s->cbuf = tcg_code_buffer_new(s->cfg.code_size, errp);
    if (!s->cbuf) {
        g_free(s->constraints);
        g_free(s);
        return NULL;
    }
    s->rw_delta = tcg_code_buffer_rw_delta(s->cbuf);
    s->op_chunks = g_ptr_array_new_with_free_func(g_free);
    s->labels = g_new0(TCGLabel, TCG_MAX_LABELS);
    for (int t = 0; t < TCG_TYPE_COUNT; t++) {
        s->const_table[t] = g_hash_table_new(g_int64_hash, g_int64_equal);
    }
    s->reserved_regs = ~s->be->all_regs;
    s->frame_nslots = s->be->frame_size / 8;
    if (s->frame_nslots > 512) {
        s->frame_nslots = 512;
    }
    s->env = new_fixed(s, s->be->reg_env, "env");
    s->frame_temp = new_fixed(s, s->be->reg_frame, "_frame");

    /* Prologue at the start of the buffer. */
    s->code_buf = s->code_ptr = tcg_code_buffer_rw_base(s->cbuf);
    s->be->out_prologue(s);
    while (tcg_current_code_size(s) & 63) {
        tcg_out8(s, 0xcc);
    }
    *tcg_code_buffer_start(s->cbuf) = s->code_ptr;
    *tcg_code_buffer_ptr(s->cbuf) = s->code_ptr;
    s->code_gen_start = (const void *)tcg_rw_to_rx(s, s->code_ptr);

    tcg_ctx = s;
    tcg_func_start(s);
    tcg_ctx = old ? old : s;
    return s;
}

TCGContext *tcg_context_clone(const TCGContext *src, Error **errp)
{
    TCGContext *s = tcg_context_new(&src->cfg, errp);
    if (!s) {
        return NULL;
    }
    for (int i = 2; i < src->nb_globals; i++) {
        TCGTemp *ts = &s->temps[i];
        *ts = src->temps[i];
        if (ts->mem_base) {
            ts->mem_base = &s->temps[src->temps[i].mem_base - src->temps];
        }
    }
    s->nb_globals = s->nb_temps = src->nb_globals;
    return s;
}

void tcg_context_free(TCGContext *s)
{
    if (!s) {
        return;
    }
    if (tcg_ctx == s) {
        tcg_ctx = NULL;
    }
    tcg_code_buffer_destroy(s->cbuf);
    g_ptr_array_free(s->op_chunks, true);
    for (int t = 0; t < TCG_TYPE_COUNT; t++) {
        g_hash_table_destroy(s->const_table[t]);
    }
    g_free(s->labels);
    g_free(s->constraints);
    g_free(s);
}

const char *tcg_backend_name(const TCGContext *s)
{
    return s->be->name;
}

void tcg_func_start(TCGContext *s)
{
    s->nb_temps = s->nb_globals;
    memset(s->free_temps, 0, sizeof(s->free_temps));
    for (int t = 0; t < TCG_TYPE_COUNT; t++) {
        g_hash_table_remove_all(s->const_table[t]);
    }
    s->first_op = s->last_op = NULL;
    s->op_chunk_idx = 0;
    s->op_chunk_used = 0;
    s->nb_ops = 0;
    s->nb_labels = 0;
    s->overflow = false;
    s->nb_insns = 0;
}

/* ---- Temps ----------------------------------------------------------------------- */

static TCGTemp *alloc_temp_slot(TCGContext *s)
{
    if (s->nb_temps >= TCG_MAX_TEMPS - 1) {
        /* Keep going with a scratch temp; tcg_gen_code refuses the TB. */
        s->overflow = true;
        TCGTemp *ts = &s->temps[TCG_MAX_TEMPS - 1];
        memset(ts, 0, sizeof(*ts));
        return ts;
    }
    TCGTemp *ts = &s->temps[s->nb_temps++];
    memset(ts, 0, sizeof(*ts));
    return ts;
}

static TCGTemp *global_new(TCGType type, TCGv_ptr base, intptr_t offset, const char *name)
{
    TCGContext *s = tcg_ctx;
    TCGTemp *b = tcgv_ptr_temp(base);
    g_assert(b->kind == TEMP_FIXED);
    g_assert(s->nb_temps == s->nb_globals);     /* globals come before any TB */
    TCGTemp *ts = alloc_temp_slot(s);
    ts->type = type;
    ts->kind = TEMP_GLOBAL;
    ts->mem_base = b;
    ts->mem_offset = offset;
    ts->mem_allocated = true;
    ts->name = name;
    ts->allocated = true;
    s->nb_globals = s->nb_temps;
    return ts;
}

TCGv_i32 tcg_global_mem_new_i32(TCGv_ptr base, intptr_t offset, const char *name)
{
    return temp_tcgv_i32(global_new(TCG_TYPE_I32, base, offset, name));
}

TCGv_i64 tcg_global_mem_new_i64(TCGv_ptr base, intptr_t offset, const char *name)
{
    return temp_tcgv_i64(global_new(TCG_TYPE_I64, base, offset, name));
}

TCGv_ptr tcg_global_mem_new_ptr(TCGv_ptr base, intptr_t offset, const char *name)
{
    return temp_tcgv_ptr(global_new(TCG_TYPE_PTR, base, offset, name));
}

TCGTemp *tcg_temp_new_internal(TCGType type, TCGTempKind kind)
{
    TCGContext *s = tcg_ctx;
    int k = kind == TEMP_TB;
    uint64_t *bm = s->free_temps[type][k];
    for (int w = 0; w < TCG_MAX_TEMPS / 64; w++) {
        if (bm[w]) {
            int b = __builtin_ctzll(bm[w]);
            bm[w] &= ~(1ull << b);
            TCGTemp *ts = &s->temps[w * 64 + b];
            ts->allocated = true;
            return ts;
        }
    }
    TCGTemp *ts = alloc_temp_slot(s);
    ts->type = type;
    ts->kind = kind;
    ts->allocated = true;
    return ts;
}

void tcg_temp_free_internal(TCGTemp *ts)
{
    TCGContext *s = tcg_ctx;
    if (ts->kind != TEMP_EBB && ts->kind != TEMP_TB) {
        return;         /* constants and globals are never freed */
    }
    int idx = ts - s->temps;
    if (!ts->allocated || idx >= TCG_MAX_TEMPS - 1) {
        return;
    }
    ts->allocated = false;
    s->free_temps[ts->type][ts->kind == TEMP_TB][idx / 64] |= 1ull << (idx % 64);
}

TCGTemp *tcg_constant_internal(TCGType type, int64_t val)
{
    TCGContext *s = tcg_ctx;
    if (type == TCG_TYPE_I32) {
        val = (uint32_t)val;
    }
    TCGTemp *ts = g_hash_table_lookup(s->const_table[type], &val);
    if (ts) {
        return ts;
    }
    ts = alloc_temp_slot(s);
    ts->type = type;
    ts->kind = TEMP_CONST;
    ts->val = val;
    ts->val_type = TEMP_VAL_CONST;
    ts->allocated = true;
    if (!s->overflow) {
        g_hash_table_insert(s->const_table[type], &ts->val, ts);
    }
    return ts;
}

TCGv_i32 tcg_temp_new_i32(void)
{
    return temp_tcgv_i32(tcg_temp_new_internal(TCG_TYPE_I32, TEMP_TB));
}
TCGv_i64 tcg_temp_new_i64(void)
{
    return temp_tcgv_i64(tcg_temp_new_internal(TCG_TYPE_I64, TEMP_TB));
}
TCGv_ptr tcg_temp_new_ptr(void)
{
    return temp_tcgv_ptr(tcg_temp_new_internal(TCG_TYPE_PTR, TEMP_TB));
}
TCGv_i32 tcg_temp_ebb_new_i32(void)
{
    return temp_tcgv_i32(tcg_temp_new_internal(TCG_TYPE_I32, TEMP_EBB));
}
TCGv_i64 tcg_temp_ebb_new_i64(void)
{
    return temp_tcgv_i64(tcg_temp_new_internal(TCG_TYPE_I64, TEMP_EBB));
}
TCGv_ptr tcg_temp_ebb_new_ptr(void)
{
    return temp_tcgv_ptr(tcg_temp_new_internal(TCG_TYPE_PTR, TEMP_EBB));
}
void tcg_temp_free_i32(TCGv_i32 v)
{
    tcg_temp_free_internal(tcgv_i32_temp(v));
}
void tcg_temp_free_i64(TCGv_i64 v)
{
    tcg_temp_free_internal(tcgv_i64_temp(v));
}
void tcg_temp_free_ptr(TCGv_ptr v)
{
    tcg_temp_free_internal(tcgv_ptr_temp(v));
}
TCGv_i32 tcg_constant_i32(int32_t val)
{
    return temp_tcgv_i32(tcg_constant_internal(TCG_TYPE_I32, val));
}
TCGv_i64 tcg_constant_i64(int64_t val)
{
    return temp_tcgv_i64(tcg_constant_internal(TCG_TYPE_I64, val));
}
TCGv_ptr tcg_constant_ptr(intptr_t val)
{
    return temp_tcgv_ptr(tcg_constant_internal(TCG_TYPE_PTR, val));
}

TCGLabel *gen_new_label(void)
{
    TCGContext *s = tcg_ctx;
    if (s->nb_labels >= TCG_MAX_LABELS) {
        s->overflow = true;
        s->nb_labels = 0;
    }
    TCGLabel *l = &s->labels[s->nb_labels];
    memset(l, 0, sizeof(*l));
    l->id = s->nb_labels++;
    return l;
}

/* ---- Ops --------------------------------------------------------------------------- */

static TCGOp *alloc_op(TCGContext *s)
{
    if (s->op_chunk_used == OP_CHUNK || s->op_chunks->len == 0) {
        if (s->op_chunks->len) {
            s->op_chunk_idx++;
        }
        if (s->op_chunk_idx >= s->op_chunks->len) {
            g_ptr_array_add(s->op_chunks, g_new(TCGOp, OP_CHUNK));
        }
        s->op_chunk_used = 0;
    }
    TCGOp *chunk = g_ptr_array_index(s->op_chunks, s->op_chunk_idx);
    TCGOp *op = &chunk[s->op_chunk_used++];
    memset(op, 0, sizeof(*op));
    s->nb_ops++;
    return op;
}

static TCGOp *new_op(TCGContext *s, TCGOpcode opc, TCGType type, unsigned nargs)
{
    TCGOp *op = alloc_op(s);
    op->opc = opc;
    op->type = type;
    op->nargs = nargs;
    return op;
}

TCGOp *tcg_emit_op(TCGOpcode opc, TCGType type, unsigned nargs)
{
    TCGContext *s = tcg_ctx;
    if (s->last_op) {
        return tcg_op_insert_after(s, s->last_op, opc, type, nargs);
    }
    TCGOp *op = new_op(s, opc, type, nargs);
    s->first_op = s->last_op = op;
    return op;
}

TCGOp *tcg_op_insert_before(TCGContext *s, TCGOp *old, TCGOpcode opc, TCGType type,
                            unsigned nargs)
{
    TCGOp *op = new_op(s, opc, type, nargs);
    op->next = old;
    op->prev = old->prev;
    if (old->prev) {
        old->prev->next = op;
    } else {
        s->first_op = op;
    }
    old->prev = op;
    return op;
}

TCGOp *tcg_op_insert_after(TCGContext *s, TCGOp *old, TCGOpcode opc, TCGType type,
                           unsigned nargs)
{
    TCGOp *op = new_op(s, opc, type, nargs);
    op->prev = old;
    op->next = old->next;
    if (old->next) {
        old->next->prev = op;
    } else {
        s->last_op = op;
    }
    old->next = op;
    return op;
}

void tcg_op_remove(TCGContext *s, TCGOp *op)
{
    if (op->prev) {
        op->prev->next = op->next;
    } else {
        s->first_op = op->next;
    }
    if (op->next) {
        op->next->prev = op->prev;
    } else {
        s->last_op = op->prev;
    }
    s->nb_ops--;
}

void tcg_gen_callN(const TCGHelperInfo *info, TCGTemp *ret, TCGTemp **args)
{
    int nout = ret ? 1 : 0;
    g_assert(info->nargs <= TCG_MAX_CALL_IARGS);
    g_assert(!ret == (info->ret == TCG_HT_VOID));
    TCGOp *op = tcg_emit_op(INDEX_op_call, TCG_TYPE_I64, nout + info->nargs + 2);
    op->call_oargs = nout;
    op->call_iargs = info->nargs;
    if (ret) {
        op->args[0] = temp_arg(ret);
    }
    for (int i = 0; i < info->nargs; i++) {
        op->args[nout + i] = temp_arg(args[i]);
    }
    op->args[nout + info->nargs] = (uintptr_t)info->func;
    op->args[nout + info->nargs + 1] = (uintptr_t)info;
}

int tcg_op_nb_oargs(const TCGOp *op)
{
    return op->opc == INDEX_op_call ? op->call_oargs : tcg_op_defs[op->opc].nb_oargs;
}

int tcg_op_nb_iargs(const TCGOp *op)
{
    return op->opc == INDEX_op_call ? op->call_iargs : tcg_op_defs[op->opc].nb_iargs;
}

int tcg_op_nb_cargs(const TCGOp *op)
{
    return op->opc == INDEX_op_call ? 2 : tcg_op_defs[op->opc].nb_cargs;
}

/* ---- Dumps --------------------------------------------------------------------------- */

const char *tcg_op_name(const TCGOp *op, char *buf, size_t len)
{
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    if (def->flags & TCG_OPF_INT) {
        snprintf(buf, len, "%s_%s", def->name, op->type == TCG_TYPE_I32 ? "i32" : "i64");
    } else {
        snprintf(buf, len, "%s", def->name);
    }
    return buf;
}

char *tcg_temp_name(TCGContext *s, const TCGTemp *ts, char *buf, size_t len)
{
    int idx = ts - s->temps;
    switch (ts->kind) {
    case TEMP_GLOBAL:
    case TEMP_FIXED:
        snprintf(buf, len, "%s", ts->name);
        break;
    case TEMP_TB:
        snprintf(buf, len, "loc%d", idx - s->nb_globals);
        break;
    case TEMP_EBB:
        snprintf(buf, len, "tmp%d", idx - s->nb_globals);
        break;
    case TEMP_CONST:
        if (ts->type == TCG_TYPE_I32) {
            snprintf(buf, len, "$0x%x", (uint32_t)ts->val);
        } else {
            snprintf(buf, len, "$0x%" PRIx64, (uint64_t)ts->val);
        }
        break;
    }
    return buf;
}

static void memop_name(GString *out, MemOpIdx oi)
{
    MemOp mop = get_memop(oi);
    static const char sz[] = "bwlq";
    g_string_append_printf(out, "%c%c%s%s,%u", mop & MO_SIGN ? 's' : 'u',
                           sz[mop & MO_SIZE], mop & MO_BSWAP ? "_be" : "",
                           mop & MO_ALIGN ? "_al" : "", get_mmuidx(oi));
}

void tcg_op_to_string(TCGContext *s, const TCGOp *op, GString *out, bool with_life)
{
    char buf[64];
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    size_t start = out->len;
    int k = 0;

    if (op->opc == INDEX_op_insn_start) {
        g_string_append(out, "---- ");
        for (int i = 0; i < s->insn_start_words; i++) {
            g_string_append_printf(out, "%s%016" PRIx64, i ? " " : "", op->args[i]);
        }
        return;
    }
    if (op->opc == INDEX_op_call) {
        const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)
            op->args[op->call_oargs + op->call_iargs + 1];
        g_string_append_printf(out, "call %s,$0x%x,$%d", info->name, info->flags,
                               op->call_oargs);
        for (int i = 0; i < op->call_oargs + op->call_iargs; i++) {
            g_string_append_printf(out, ",%s",
                                   tcg_temp_name(s, arg_temp(op->args[i]), buf,
                                                 sizeof(buf)));
        }
    } else {
        g_string_append(out, tcg_op_name(op, buf, sizeof(buf)));
        g_string_append_c(out, ' ');
        for (int i = 0; i < def->nb_oargs + def->nb_iargs; i++, k++) {
            g_string_append_printf(out, "%s%s", k ? "," : "",
                                   tcg_temp_name(s, arg_temp(op->args[i]), buf,
                                                 sizeof(buf)));
        }
        for (int i = 0; i < def->nb_cargs; i++, k++) {
            TCGArg a = op->args[def->nb_oargs + def->nb_iargs + i];
            const char *sep = k ? "," : "";
            switch (op->opc) {
            case INDEX_op_brcond:
            case INDEX_op_setcond:
            case INDEX_op_negsetcond:
            case INDEX_op_movcond:
                if (i == 0) {
                    g_string_append_printf(out, "%s%s", sep, tcg_cond_name(a));
                    continue;
                }
                break;
            case INDEX_op_qemu_ld:
            case INDEX_op_qemu_st:
                g_string_append(out, sep);
                memop_name(out, a);
                continue;
            default:
                break;
            }
            if ((op->opc == INDEX_op_br && i == 0) ||
                (op->opc == INDEX_op_brcond && i == 1) ||
                op->opc == INDEX_op_set_label) {
                g_string_append_printf(out, "%s$L%d", sep, arg_label(a)->id);
            } else {
                g_string_append_printf(out, "%s$0x%" PRIx64, sep, (uint64_t)a);
            }
        }
    }
    if (with_life && op->life) {
        while (out->len - start < 40) {
            g_string_append_c(out, ' ');
        }
        if (op->life & 0xffff) {
            g_string_append(out, " dead:");
            for (int i = 0; i < 16; i++) {
                if (op->life & TCG_LIFE_DEAD(i)) {
                    g_string_append_printf(out, " %d", i);
                }
            }
        }
        if (op->life >> 16) {
            g_string_append(out, " sync:");
            for (int i = 0; i < 2; i++) {
                if (op->life & TCG_LIFE_SYNC(i)) {
                    g_string_append_printf(out, " %d", i);
                }
            }
        }
    }
}

GString *tcg_dump_ops_str(TCGContext *s, bool with_life)
{
    GString *out = g_string_new(NULL);
    for (TCGOp *op = s->first_op; op; op = op->next) {
        g_string_append_c(out, ' ');
        tcg_op_to_string(s, op, out, with_life);
        g_string_append_c(out, '\n');
    }
    return out;
}

void tcg_dump_ops(TCGContext *s, FILE *f, bool with_life)
{
    GString *str = tcg_dump_ops_str(s, with_life);
    fputs(str->str, f);
    g_string_free(str, true);
}

/* ---- Liveness -------------------------------------------------------------------- */

enum {
    TS_DEAD = 1,    /* no later use of the value */
    TS_MEM = 2,     /* the value must be in memory later */
};

static void la_func_end(TCGContext *s)
{
    for (int i = 0; i < s->nb_globals; i++) {
        s->temps[i].state = TS_DEAD | TS_MEM;
    }
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        s->temps[i].state = TS_DEAD;
    }
}

static void la_bb_end(TCGContext *s)
{
    for (int i = 0; i < s->nb_globals; i++) {
        s->temps[i].state = TS_DEAD | TS_MEM;
    }
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        TCGTemp *ts = &s->temps[i];
        ts->state = ts->kind == TEMP_TB ? TS_DEAD | TS_MEM : TS_DEAD;
    }
}

static void la_bb_sync(TCGContext *s)
{
    for (int i = 0; i < s->nb_globals; i++) {
        s->temps[i].state |= TS_MEM;
    }
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        if (s->temps[i].kind == TEMP_TB) {
            s->temps[i].state |= TS_MEM;
        }
    }
}

static void la_global_sync(TCGContext *s)
{
    for (int i = 0; i < s->nb_globals; i++) {
        s->temps[i].state |= TS_MEM;
    }
}

static void la_global_kill(TCGContext *s)
{
    for (int i = 0; i < s->nb_globals; i++) {
        s->temps[i].state = TS_DEAD | TS_MEM;
    }
}

/*
 * A TB temp that is never read in an extended basic block (the ops from one
 * label to the next) before it was written in that same EBB carries no value
 * across a label: it is an EBB temp in disguise. Demote it, so it is neither
 * synced at conditional branches nor saved at block ends. Front ends allocate
 * TB temps freely (x86 does for every operand, reusing them from instruction
 * to instruction) and lose nothing.
 */
static void la_demote_tb_temps(TCGContext *s)
{
    enum { UNSEEN = -1, MULTI = -2 };
    static __thread int *ebb_of;
    if (!ebb_of) {
        ebb_of = g_new(int, TCG_MAX_TEMPS);
    }
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        ebb_of[i] = UNSEEN;
    }
    int ebb = 0;
    for (TCGOp *op = s->first_op; op; op = op->next) {
        if (op->opc == INDEX_op_set_label) {
            ebb++;
            continue;
        }
        if (op->opc == INDEX_op_insn_start || op->opc == INDEX_op_discard) {
            continue;
        }
        int nb_o = tcg_op_nb_oargs(op), nb_i = tcg_op_nb_iargs(op);
        /* Inputs first: "add t, t, 1" reads t before it writes it. */
        for (int i = nb_o; i < nb_o + nb_i; i++) {
            TCGTemp *ts = arg_temp(op->args[i]);
            int idx = ts - s->temps;
            if (ts->kind == TEMP_TB && ebb_of[idx] != ebb) {
                ebb_of[idx] = MULTI;    /* its value may come from another EBB */
            }
        }
        for (int i = 0; i < nb_o; i++) {
            TCGTemp *ts = arg_temp(op->args[i]);
            int idx = ts - s->temps;
            if (ts->kind == TEMP_TB && ebb_of[idx] != MULTI) {
                ebb_of[idx] = ebb;      /* the EBB of its last write */
            }
        }
    }
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        if (s->temps[i].kind == TEMP_TB && ebb_of[i] != MULTI) {
            s->temps[i].kind = TEMP_EBB;
        }
    }
}

void tcg_liveness_analysis(TCGContext *s)
{
    la_demote_tb_temps(s);
    la_func_end(s);
    for (TCGOp *op = s->last_op, *prev; op; op = prev) {
        prev = op->prev;
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        int nb_oargs = tcg_op_nb_oargs(op), nb_iargs = tcg_op_nb_iargs(op);
        uint32_t life = 0;

        switch (op->opc) {
        case INDEX_op_insn_start:
            continue;
        case INDEX_op_discard:
            arg_temp(op->args[0])->state = TS_DEAD;
            tcg_op_remove(s, op);
            continue;
        case INDEX_op_call: {
            const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)
                op->args[nb_oargs + nb_iargs + 1];
            if ((info->flags & TCG_CALL_NO_SIDE_EFFECTS) &&
                (nb_oargs == 0 || arg_temp(op->args[0])->state == TS_DEAD)) {
                tcg_op_remove(s, op);
                continue;
            }
            for (int i = 0; i < nb_oargs; i++) {
                TCGTemp *ts = arg_temp(op->args[i]);
                if (ts->state & TS_DEAD) {
                    life |= TCG_LIFE_DEAD(i);
                }
                if (ts->state & TS_MEM) {
                    life |= TCG_LIFE_SYNC(i);
                }
                ts->state = TS_DEAD;
            }
            if (!(info->flags & TCG_CALL_NO_WRITE_GLOBALS)) {
                la_global_kill(s);
            } else if (!(info->flags & TCG_CALL_NO_READ_GLOBALS)) {
                la_global_sync(s);
            }
            break;
        }
        default:
            if (nb_oargs > 0 && !(def->flags & TCG_OPF_SIDE_EFFECTS)) {
                bool all_dead = true;
                for (int i = 0; i < nb_oargs; i++) {
                    /* dead, and not needed in memory either */
                    if (arg_temp(op->args[i])->state != TS_DEAD) {
                        all_dead = false;
                    }
                }
                if (all_dead) {
                    tcg_op_remove(s, op);
                    continue;
                }
            }
            for (int i = 0; i < nb_oargs; i++) {
                TCGTemp *ts = arg_temp(op->args[i]);
                if (ts->state & TS_DEAD) {
                    life |= TCG_LIFE_DEAD(i);
                }
                if (ts->state & TS_MEM) {
                    life |= TCG_LIFE_SYNC(i);
                }
                ts->state = TS_DEAD;
            }
            if (def->flags & TCG_OPF_BB_EXIT) {
                la_func_end(s);
            } else if (def->flags & TCG_OPF_COND_BRANCH) {
                la_bb_sync(s);
            } else if (def->flags & TCG_OPF_BB_END) {
                la_bb_end(s);
            } else if (def->flags & TCG_OPF_SIDE_EFFECTS) {
                la_global_sync(s);
            }
            break;
        }
        for (int i = nb_oargs; i < nb_oargs + nb_iargs; i++) {
            TCGTemp *ts = arg_temp(op->args[i]);
            if (ts->state & TS_DEAD) {
                life |= TCG_LIFE_DEAD(i);
            }
        }
        for (int i = nb_oargs; i < nb_oargs + nb_iargs; i++) {
            arg_temp(op->args[i])->state &= ~TS_DEAD;
        }
        op->life = life;
    }
}

/* ---- Register allocation --------------------------------------------------------- */

static inline bool temp_readonly(const TCGTemp *ts)
{
    return ts->kind >= TEMP_FIXED;
}

static void temp_allocate_frame(TCGContext *s, TCGTemp *ts)
{
    for (int w = 0; w < (s->frame_nslots + 63) / 64; w++) {
        uint64_t freebits = ~s->frame_slots[w];
        if (freebits) {
            int b = __builtin_ctzll(freebits);
            int slot = w * 64 + b;
            if (slot >= s->frame_nslots) {
                break;
            }
            s->frame_slots[w] |= 1ull << b;
            ts->mem_base = s->frame_temp;
            ts->mem_offset = s->be->frame_start + slot * 8;
            ts->mem_allocated = true;
            return;
        }
    }
    /* Out of spill slots: the TB is refused with TCG_GEN_TOO_BIG. */
    s->overflow = true;
    ts->mem_base = s->frame_temp;
    ts->mem_offset = s->be->frame_start;
    ts->mem_allocated = true;
}

static void temp_release_frame(TCGContext *s, TCGTemp *ts)
{
    int slot = (ts->mem_offset - s->be->frame_start) / 8;
    if (slot >= 0 && slot < s->frame_nslots) {
        s->frame_slots[slot / 64] &= ~(1ull << (slot % 64));
    }
    ts->mem_allocated = false;
}

/* free_or_dead > 0: the value stays valid in memory; < 0: the value is dead. */
static void temp_free_or_dead(TCGContext *s, TCGTemp *ts, int free_or_dead)
{
    TCGTempVal nv;
    switch (ts->kind) {
    case TEMP_FIXED:
        return;
    case TEMP_GLOBAL:
        nv = TEMP_VAL_MEM;
        break;
    case TEMP_TB:
        nv = free_or_dead < 0 ? TEMP_VAL_DEAD : TEMP_VAL_MEM;
        break;
    case TEMP_EBB:
        nv = free_or_dead < 0 ? TEMP_VAL_DEAD : TEMP_VAL_MEM;
        if (free_or_dead < 0 && ts->mem_allocated) {
            temp_release_frame(s, ts);
            ts->mem_coherent = false;
        }
        break;
    case TEMP_CONST:
    default:
        nv = TEMP_VAL_CONST;
        break;
    }
    if (ts->val_type == TEMP_VAL_REG) {
        s->reg_to_temp[ts->reg] = NULL;
    }
    ts->val_type = nv;
}

static void temp_dead(TCGContext *s, TCGTemp *ts)
{
    temp_free_or_dead(s, ts, -1);
}

static void temp_sync(TCGContext *s, TCGTemp *ts, TCGRegSet allocated, int free_or_dead)
{
    if (!temp_readonly(ts) && !ts->mem_coherent) {
        if (!ts->mem_allocated) {
            temp_allocate_frame(s, ts);
        }
        switch (ts->val_type) {
        case TEMP_VAL_CONST:
            s->be->out_sti(s, ts->type, ts->val, ts->mem_base->reg, ts->mem_offset);
            break;
        case TEMP_VAL_REG:
            s->be->out_st(s, ts->type, ts->reg, ts->mem_base->reg, ts->mem_offset);
            s->stat_spills++;
            break;
        default:
            break;
        }
        ts->mem_coherent = true;
    }
    if (free_or_dead) {
        temp_free_or_dead(s, ts, free_or_dead);
    }
}

static void tcg_reg_free(TCGContext *s, int reg, TCGRegSet allocated)
{
    TCGTemp *ts = s->reg_to_temp[reg];
    if (ts) {
        temp_sync(s, ts, allocated, 1);
    }
}

/* Pick a register in `required` but not in `hard`; prefer ones outside `soft`. */
static int tcg_reg_alloc(TCGContext *s, TCGRegSet required, TCGRegSet hard,
                         TCGRegSet soft)
{
    const TCGBackend *be = s->be;
    TCGRegSet set = required & ~hard;
    for (int pass = 0; pass < 2; pass++) {
        TCGRegSet pref = pass == 0 ? set & ~soft : set;
        for (int i = 0; i < be->nb_alloc; i++) {
            int r = be->alloc_order[i];
            if ((pref >> r & 1) && !s->reg_to_temp[r]) {
                return r;
            }
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        TCGRegSet pref = pass == 0 ? set & ~soft : set;
        for (int i = 0; i < be->nb_alloc; i++) {
            int r = be->alloc_order[i];
            if (pref >> r & 1) {
                tcg_reg_free(s, r, hard);
                return r;
            }
        }
    }
    /* Also consider registers outside the allocation order (fixed constraints). */
    for (int r = 0; r < be->nb_regs; r++) {
        if (set >> r & 1) {
            tcg_reg_free(s, r, hard);
            return r;
        }
    }
    g_error("tcg: register allocation failed (constraint 0x%x)", required);
}

/* Make ts live in a register of `desired`; that register becomes its home. */
static void temp_load(TCGContext *s, TCGTemp *ts, TCGRegSet desired, TCGRegSet allocated)
{
    if (ts->val_type == TEMP_VAL_REG && (desired >> ts->reg & 1)) {
        return;
    }
    int reg = tcg_reg_alloc(s, desired, allocated, 0);
    switch (ts->val_type) {
    case TEMP_VAL_CONST:
        s->be->out_movi(s, ts->type, reg, ts->val);
        break;
    case TEMP_VAL_REG:
        s->be->out_mov(s, ts->type, reg, ts->reg);
        s->reg_to_temp[ts->reg] = NULL;
        break;
    case TEMP_VAL_MEM:
        if (!ts->mem_allocated) {
            temp_allocate_frame(s, ts);
        }
        s->be->out_ld(s, ts->type, reg, ts->mem_base->reg, ts->mem_offset);
        ts->mem_coherent = true;
        break;
    default:
        ts->mem_coherent = false;
        break;
    }
    ts->reg = reg;
    ts->val_type = TEMP_VAL_REG;
    s->reg_to_temp[reg] = ts;
}

/* Put ts's value in reg without moving ts (a private copy for one op). */
static void temp_copy_to(TCGContext *s, TCGTemp *ts, int reg)
{
    switch (ts->val_type) {
    case TEMP_VAL_CONST:
        s->be->out_movi(s, ts->type, reg, ts->val);
        break;
    case TEMP_VAL_REG:
        if (ts->reg != reg) {
            s->be->out_mov(s, ts->type, reg, ts->reg);
        }
        break;
    case TEMP_VAL_MEM:
        if (!ts->mem_allocated) {
            temp_allocate_frame(s, ts);
        }
        s->be->out_ld(s, ts->type, reg, ts->mem_base->reg, ts->mem_offset);
        break;
    default:
        break;
    }
}

static void sync_globals(TCGContext *s, TCGRegSet allocated)
{
    for (int i = 0; i < s->nb_globals; i++) {
        if (s->temps[i].kind == TEMP_GLOBAL) {
            temp_sync(s, &s->temps[i], allocated, 0);
        }
    }
}

static void save_globals(TCGContext *s, TCGRegSet allocated)
{
    for (int i = 0; i < s->nb_globals; i++) {
        if (s->temps[i].kind == TEMP_GLOBAL) {
            temp_sync(s, &s->temps[i], allocated, 1);
        }
    }
}

/* End of a basic block: globals and TB temps to memory, EBB temps die. */
static void tcg_reg_alloc_bb_end(TCGContext *s, TCGRegSet allocated)
{
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        TCGTemp *ts = &s->temps[i];
        switch (ts->kind) {
        case TEMP_TB:
            temp_sync(s, ts, allocated, 1);
            break;
        case TEMP_EBB:
            temp_dead(s, ts);
            break;
        case TEMP_CONST:
            temp_free_or_dead(s, ts, -1);
            break;
        default:
            break;
        }
    }
    save_globals(s, allocated);
}

static void tcg_reg_alloc_cbranch(TCGContext *s, TCGRegSet allocated)
{
    sync_globals(s, allocated);
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        if (s->temps[i].kind == TEMP_TB) {
            temp_sync(s, &s->temps[i], allocated, 0);
        }
    }
}

static void tcg_reg_alloc_mov(TCGContext *s, const TCGOp *op)
{
    TCGTemp *ots = arg_temp(op->args[0]);
    TCGTemp *ts = arg_temp(op->args[1]);
    uint32_t life = op->life;
    TCGRegSet all = s->be->all_regs;

    g_assert(!temp_readonly(ots));
    if (ots == ts) {
        goto done;      /* mov x, x: only the sync/death of x matter */
    }
    if (ts->val_type == TEMP_VAL_CONST) {
        int64_t val = ts->val;
        if (life & TCG_LIFE_DEAD(1)) {
            temp_dead(s, ts);
        }
        if (ots->val_type == TEMP_VAL_REG) {
            s->reg_to_temp[ots->reg] = NULL;
        }
        ots->val_type = TEMP_VAL_CONST;
        ots->val = val;
        ots->mem_coherent = false;
        goto done;
    }
    if (ts->val_type != TEMP_VAL_REG) {
        temp_load(s, ts, all, s->reserved_regs);
    }
    if ((life & TCG_LIFE_DEAD(0)) && (life & TCG_LIFE_SYNC(0))) {
        /* The destination is only needed in memory: store straight from ts. */
        if (!ots->mem_allocated) {
            temp_allocate_frame(s, ots);
        }
        s->be->out_st(s, ots->type, ts->reg, ots->mem_base->reg, ots->mem_offset);
        if (ots->val_type == TEMP_VAL_REG) {
            s->reg_to_temp[ots->reg] = NULL;
        }
        ots->val_type = TEMP_VAL_MEM;
        ots->mem_coherent = true;
        if (life & TCG_LIFE_DEAD(1)) {
            temp_dead(s, ts);
        }
        temp_dead(s, ots);
        return;
    }
    int reg;
    if ((life & TCG_LIFE_DEAD(1)) && ts->kind != TEMP_FIXED) {
        if (ts->kind == TEMP_GLOBAL && !ts->mem_coherent) {
            temp_sync(s, ts, s->reserved_regs, 0);
        }
        if (ots->val_type == TEMP_VAL_REG) {
            s->reg_to_temp[ots->reg] = NULL;
        }
        reg = ts->reg;
        temp_dead(s, ts);
    } else {
        if (ots->val_type == TEMP_VAL_REG) {
            reg = ots->reg;
        } else {
            reg = tcg_reg_alloc(s, all, s->reserved_regs | (1u << ts->reg), 0);
        }
        s->be->out_mov(s, ots->type, reg, ts->reg);
    }
    ots->val_type = TEMP_VAL_REG;
    ots->reg = reg;
    ots->mem_coherent = false;
    s->reg_to_temp[reg] = ots;
done:
    if (life & TCG_LIFE_SYNC(0)) {
        temp_sync(s, ots, s->reserved_regs, 0);
    }
    if (life & TCG_LIFE_DEAD(0)) {
        temp_dead(s, ots);
    }
}

static bool temp_used_by_other_input(const TCGOp *op, int i, int first, int last)
{
    for (int k = first; k < last; k++) {
        if (k != i && op->args[k] == op->args[i]) {
            return true;
        }
    }
    return false;
}

static inline bool opc_is_host_ldst(TCGOpcode opc)
{
    return (opc >= INDEX_op_ld8u && opc <= INDEX_op_ld) ||
           (opc >= INDEX_op_st8 && opc <= INDEX_op_st);
}

static void tcg_reg_alloc_op(TCGContext *s, const TCGOp *op)
{
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    const TCGOpConstraint *con = &s->constraints[op->opc * TCG_TYPE_COUNT + op->type];
    int nb_oargs = def->nb_oargs, nb_iargs = def->nb_iargs;
    TCGArg new_args[TCG_MAX_OP_ARGS];
    int const_args[TCG_MAX_OP_ARGS] = { 0 };
    TCGTemp *in_owner[TCG_MAX_REGS] = { NULL };
    TCGRegSet i_alloc = s->reserved_regs, o_alloc = s->reserved_regs, i_live = 0;
    uint32_t life = op->life;

    if (!con->valid) {
        char buf[32];
        g_error("tcg: %s backend cannot emit %s", s->be->name,
                tcg_op_name(op, buf, sizeof(buf)));
    }
    memcpy(new_args, op->args, sizeof(new_args));

    for (int k = 0; k < nb_iargs; k++) {
        int i = con->sort[k];
        const TCGArgConstraint *ac = &con->args[i];
        TCGTemp *ts = arg_temp(op->args[i]);
        int reg;

        if (ts->val_type == TEMP_VAL_CONST && ac->ct &&
            s->be->const_match(ts->val, ts->type, ac->ct)) {
            const_args[i] = 1;
            new_args[i] = ts->val;
            continue;
        }
        if (ts->kind == TEMP_FIXED && i == 1 && opc_is_host_ldst(op->opc)) {
            /* env as the base of a host load/store: address through its own
             * (reserved) register instead of copying it to an allocatable one. */
            new_args[i] = ts->reg;
            continue;
        }
        if (ac->alias >= 0) {
            if (ts->val_type == TEMP_VAL_REG && (life & TCG_LIFE_DEAD(i)) &&
                !temp_readonly(ts) && (ac->regs >> ts->reg & 1) &&
                !(i_alloc >> ts->reg & 1) &&
                !temp_used_by_other_input(op, i, nb_oargs, nb_oargs + nb_iargs)) {
                /*
                 * A dead global gives its register to the output without a store,
                 * as dead inputs do below: liveness put a sync on its last write
                 * when memory needs the value (it is overwritten before anything
                 * reads memory otherwise).
                 */
                reg = ts->reg;
            } else {
                reg = tcg_reg_alloc(s, ac->regs, i_alloc, 0);
                temp_copy_to(s, ts, reg);
            }
            i_alloc |= 1u << reg;
            new_args[i] = reg;
            continue;
        }
        if (ts->val_type == TEMP_VAL_REG && (ac->regs >> ts->reg & 1) &&
            (!(i_alloc >> ts->reg & 1) || in_owner[ts->reg] == ts)) {
            reg = ts->reg;
        } else if (ts->val_type == TEMP_VAL_REG) {
            reg = tcg_reg_alloc(s, ac->regs, i_alloc, 0);
            temp_copy_to(s, ts, reg);
        } else {
            temp_load(s, ts, ac->regs, i_alloc);
            reg = ts->reg;
        }
        i_alloc |= 1u << reg;
        if (ts->val_type == TEMP_VAL_REG && ts->reg == reg) {
            in_owner[reg] = ts;
            if (!(life & TCG_LIFE_DEAD(i))) {
                i_live |= 1u << reg;
            }
        }
        new_args[i] = reg;
    }

    if (def->flags & TCG_OPF_COND_BRANCH) {
        tcg_reg_alloc_cbranch(s, i_alloc);
    } else if (def->flags & TCG_OPF_BB_END) {
        tcg_reg_alloc_bb_end(s, i_alloc);
    }
    for (int i = nb_oargs; i < nb_oargs + nb_iargs; i++) {
        if ((life & TCG_LIFE_DEAD(i)) && !const_args[i]) {
            TCGTemp *ts = arg_temp(op->args[i]);
            if (ts->val_type == TEMP_VAL_REG) {
                temp_dead(s, ts);
            } else if (ts->kind == TEMP_EBB) {
                temp_dead(s, ts);
            }
        }
    }
    if (def->flags & TCG_OPF_CALL_CLOBBER) {
        for (int r = 0; r < s->be->nb_regs; r++) {
            if (s->be->call_clobber >> r & 1) {
                tcg_reg_free(s, r, i_alloc);
            }
        }
    }
    if (con->clobber) {
        for (int r = 0; r < s->be->nb_regs; r++) {
            if (con->clobber >> r & 1) {
                tcg_reg_free(s, r, i_alloc);
            }
        }
    }
    if ((def->flags & TCG_OPF_SIDE_EFFECTS) && !(def->flags & TCG_OPF_BB_END)) {
        sync_globals(s, i_alloc);
    }

    for (int i = 0; i < nb_oargs; i++) {
        const TCGArgConstraint *ac = &con->args[i];
        TCGTemp *ts = arg_temp(op->args[i]);
        int reg = -1;

        if (ts->val_type == TEMP_VAL_REG && !(i_alloc >> ts->reg & 1)) {
            /* The old value is overwritten: give its register back first. */
            s->reg_to_temp[ts->reg] = NULL;
            ts->val_type = TEMP_VAL_DEAD;
        }
        if (ac->oalias) {
            for (int j = nb_oargs; j < nb_oargs + nb_iargs; j++) {
                if (con->args[j].alias == i) {
                    reg = new_args[j];
                    break;
                }
            }
            if (s->reg_to_temp[reg] && s->reg_to_temp[reg] != ts) {
                tcg_reg_free(s, reg, i_alloc | o_alloc);
            }
        } else if (ac->newreg) {
            reg = tcg_reg_alloc(s, ac->regs, i_alloc | o_alloc, 0);
        } else {
            reg = tcg_reg_alloc(s, ac->regs, o_alloc, i_live);
        }
        if (ts->val_type == TEMP_VAL_REG && ts->reg != reg) {
            s->reg_to_temp[ts->reg] = NULL;
        }
        ts->val_type = TEMP_VAL_REG;
        ts->reg = reg;
        ts->mem_coherent = false;
        s->reg_to_temp[reg] = ts;
        o_alloc |= 1u << reg;
        new_args[i] = reg;
    }

    s->be->out_op(s, op->opc, op->type, new_args, const_args);

    for (int i = 0; i < nb_oargs; i++) {
        TCGTemp *ts = arg_temp(op->args[i]);
        if (life & TCG_LIFE_SYNC(i)) {
            temp_sync(s, ts, o_alloc, 0);
        }
        if (life & TCG_LIFE_DEAD(i)) {
            temp_dead(s, ts);
        }
    }
}

static void tcg_reg_alloc_call(TCGContext *s, const TCGOp *op)
{
    int nb_oargs = op->call_oargs, nb_iargs = op->call_iargs;
    const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)
        op->args[nb_oargs + nb_iargs + 1];
    uint32_t life = op->life;
    TCGRegSet allocated = s->reserved_regs;

    for (int i = 0; i < nb_iargs; i++) {
        int reg = s->be->call_iarg_regs[i];
        TCGTemp *ts = arg_temp(op->args[nb_oargs + i]);
        if (!(ts->val_type == TEMP_VAL_REG && ts->reg == reg)) {
            tcg_reg_free(s, reg, allocated);
            temp_copy_to(s, ts, reg);
        }
        allocated |= 1u << reg;
    }
    for (int i = 0; i < nb_iargs; i++) {
        if (life & TCG_LIFE_DEAD(nb_oargs + i)) {
            TCGTemp *ts = arg_temp(op->args[nb_oargs + i]);
            if (ts->val_type == TEMP_VAL_REG || ts->kind == TEMP_EBB) {
                temp_dead(s, ts);
            }
        }
    }
    for (int r = 0; r < s->be->nb_regs; r++) {
        if (s->be->call_clobber >> r & 1) {
            tcg_reg_free(s, r, allocated);
        }
    }
    if (info->flags & TCG_CALL_NO_READ_GLOBALS) {
        /* nothing: the helper neither sees nor changes globals */
    } else if (info->flags & TCG_CALL_NO_WRITE_GLOBALS) {
        sync_globals(s, allocated);
    } else {
        save_globals(s, allocated);
    }
    s->be->out_call(s, info);
    if (nb_oargs) {
        TCGTemp *ts = arg_temp(op->args[0]);
        int reg = s->be->call_oarg_reg;
        if (ts->val_type == TEMP_VAL_REG) {
            s->reg_to_temp[ts->reg] = NULL;
        }
        if (s->reg_to_temp[reg]) {
            tcg_reg_free(s, reg, allocated);
        }
        ts->val_type = TEMP_VAL_REG;
        ts->reg = reg;
        ts->mem_coherent = false;
        s->reg_to_temp[reg] = ts;
        if (life & TCG_LIFE_SYNC(0)) {
            temp_sync(s, ts, s->reserved_regs, 0);
        }
        if (life & TCG_LIFE_DEAD(0)) {
            temp_dead(s, ts);
        }
    }
}

/* ---- Code generation driver ---------------------------------------------------------- */

void tcg_out_reloc(TCGContext *s, uint8_t *code_rw, int type, TCGLabel *l, intptr_t addend)
{
    TCGRelocation *r = g_new(TCGRelocation, 1);
    r->type = type;
    r->offset = code_rw - s->code_buf;
    r->addend = addend;
    r->next = l->relocs;
    l->relocs = r;
}

TCGLdstSlow *tcg_new_ldst_slow(TCGContext *s)
{
    TCGLdstSlow *l = g_new0(TCGLdstSlow, 1);
    l->next = s->ldst_slow;
    s->ldst_slow = l;
    return l;
}

static void free_gen_state(TCGContext *s)
{
    for (int i = 0; i < s->nb_labels; i++) {
        TCGRelocation *r = s->labels[i].relocs, *n;
        for (; r; r = n) {
            n = r->next;
            g_free(r);
        }
        s->labels[i].relocs = NULL;
    }
    TCGLdstSlow *l = s->ldst_slow, *n;
    for (; l; l = n) {
        n = l->next;
        g_free(l);
    }
    s->ldst_slow = NULL;
}

static uint8_t *encode_uleb(uint8_t *p, uint64_t v)
{
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        *p++ = b | (v ? 0x80 : 0);
    } while (v);
    return p;
}

static uint8_t *encode_sleb(uint8_t *p, int64_t v)
{
    bool more;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        more = !((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40)));
        *p++ = b | (more ? 0x80 : 0);
    } while (more);
    return p;
}

static const uint8_t *decode_uleb(const uint8_t *p, uint64_t *v)
{
    uint64_t r = 0;
    int sh = 0;
    uint8_t b;
    do {
        b = *p++;
        r |= (uint64_t)(b & 0x7f) << sh;
        sh += 7;
    } while (b & 0x80);
    *v = r;
    return p;
}

static const uint8_t *decode_sleb(const uint8_t *p, int64_t *v)
{
    uint64_t r = 0;
    int sh = 0;
    uint8_t b;
    do {
        b = *p++;
        r |= (uint64_t)(b & 0x7f) << sh;
        sh += 7;
    } while (b & 0x80);
    if (sh < 64 && (b & 0x40)) {
        r |= ~0ull << sh;
    }
    *v = (int64_t)r;
    return p;
}

static void reset_alloc_state(TCGContext *s)
{
    memset(s->reg_to_temp, 0, sizeof(s->reg_to_temp));
    memset(s->frame_slots, 0, sizeof(s->frame_slots));
    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *ts = &s->temps[i];
        switch (ts->kind) {
        case TEMP_FIXED:
            ts->val_type = TEMP_VAL_REG;
            break;
        case TEMP_GLOBAL:
            ts->val_type = TEMP_VAL_MEM;
            ts->mem_coherent = true;
            break;
        case TEMP_CONST:
            ts->val_type = TEMP_VAL_CONST;
            break;
        default:
            ts->val_type = TEMP_VAL_DEAD;
            ts->mem_allocated = false;
            ts->mem_coherent = false;
            break;
        }
    }
}

static void log_ops(TCGContext *s, const char *title, bool with_life)
{
    GString *str = tcg_dump_ops_str(s, with_life);
    emu_log("%s\n%s\n", title, str->str);
    g_string_free(str, true);
}

int tcg_gen_code(TCGContext *s, TCGTBCode *tc)
{
    TCGContext *old = tcg_ctx;
    int ret;

    tcg_ctx = s;
    if (s->overflow) {
        ret = TCG_GEN_TOO_BIG;
        goto out;
    }
    s->stat_ops += s->nb_ops;
    if (emu_log_enabled(LOG_OP)) {
        log_ops(s, "OP:", false);
    }
    if (!s->cfg.no_optimize) {
        tcg_optimize(s);
    }
    tcg_liveness_analysis(s);
    s->stat_ops_opt += s->nb_ops;
    if (emu_log_enabled(LOG_OP_OPT)) {
        log_ops(s, "OP after optimization and liveness analysis:", true);
    }

    uint8_t **bptr = tcg_code_buffer_ptr(s->cbuf);
    uint8_t *end = tcg_code_buffer_rw_base(s->cbuf) + tcg_code_buffer_total(s->cbuf);
    s->code_buf = s->code_ptr = (uint8_t *)(((uintptr_t)*bptr + 15) & ~(uintptr_t)15);
    if (end - s->code_buf < 8192) {
        ret = TCG_GEN_BUFFER_FULL;
        goto out;
    }
    s->code_limit = end - 4096;
    s->gen_tb = tc;
    memset(tc, 0, sizeof(*tc));
    tc->jmp_insn_offset[0] = tc->jmp_insn_offset[1] = TCG_NO_JMP;
    tc->jmp_reset_offset[0] = tc->jmp_reset_offset[1] = TCG_NO_JMP;
    s->nb_insns = 0;
    reset_alloc_state(s);

    for (TCGOp *op = s->first_op; op; op = op->next) {
        switch (op->opc) {
        case INDEX_op_mov:
            tcg_reg_alloc_mov(s, op);
            break;
        case INDEX_op_call:
            tcg_reg_alloc_call(s, op);
            break;
        case INDEX_op_insn_start:
            if (s->nb_insns >= TCG_MAX_INSNS) {
                s->overflow = true;
                break;
            }
            s->insn_off[s->nb_insns] = tcg_current_code_size(s);
            for (int i = 0; i < TCG_MAX_INSN_START_WORDS; i++) {
                s->insn_data[s->nb_insns][i] = op->args[i];
            }
            s->nb_insns++;
            if (s->be->out_insn_start) {
                s->be->out_insn_start(s);
            }
            break;
        case INDEX_op_discard:
            temp_dead(s, arg_temp(op->args[0]));
            break;
        case INDEX_op_set_label: {
            TCGLabel *l = arg_label(op->args[0]);
            tcg_reg_alloc_bb_end(s, s->reserved_regs);
            l->has_value = true;
            l->value = tcg_current_code_size(s);
            break;
        }
        default:
            tcg_reg_alloc_op(s, op);
            break;
        }
        if (s->code_ptr > s->code_limit) {
            ret = TCG_GEN_BUFFER_FULL;
            goto out_free;
        }
        if (s->overflow || tcg_current_code_size(s) > 0xf000) {
            ret = TCG_GEN_TOO_BIG;
            goto out_free;
        }
    }
    if (s->be->out_slow_paths && !s->be->out_slow_paths(s)) {
        ret = TCG_GEN_BUFFER_FULL;
        goto out_free;
    }
    if (tcg_current_code_size(s) > 0xfff0) {
        ret = TCG_GEN_TOO_BIG;
        goto out_free;
    }
    for (int i = 0; i < s->nb_labels; i++) {
        TCGLabel *l = &s->labels[i];
        for (TCGRelocation *r = l->relocs; r; r = r->next) {
            g_assert(l->has_value);     /* a branch to a label that was never set */
            if (!s->be->patch_reloc(s, s->code_buf + r->offset, r->type,
                                    tcg_label_rx(s, l), r->addend)) {
                ret = TCG_GEN_TOO_BIG;
                goto out_free;
            }
        }
    }

    size_t size = tcg_current_code_size(s);
    /* The insn_start table follows the code. */
    uint8_t *p = s->code_ptr;
    uint64_t prev[TCG_MAX_INSN_START_WORDS] = { 0 };
    uint32_t prev_off = 0;
    for (int i = 0; i < s->nb_insns; i++) {
        if (p > s->code_limit) {
            ret = TCG_GEN_BUFFER_FULL;
            goto out_free;
        }
        for (int w = 0; w < s->insn_start_words; w++) {
            p = encode_sleb(p, (int64_t)(s->insn_data[i][w] - prev[w]));
            prev[w] = s->insn_data[i][w];
        }
        p = encode_uleb(p, s->insn_off[i] - prev_off);
        prev_off = s->insn_off[i];
    }

    tc->tc_ptr = (const void *)tcg_rw_to_rx(s, s->code_buf);
    tc->tc_size = size;
    tc->icount = s->nb_insns;
    tc->backend = s->be->kind;
    tc->insn_start_words = s->insn_start_words;
    tc->search_data = (const uint8_t *)tcg_rw_to_rx(s, s->code_ptr);
    tc->search_size = p - s->code_ptr;
    tc->rw_delta = s->rw_delta;
    *bptr = (uint8_t *)(((uintptr_t)p + 15) & ~(uintptr_t)15);
    s->stat_tbs++;
    s->stat_code_bytes += size;
    ret = size;

    if (emu_log_enabled(LOG_OUT_ASM)) {
        FILE *f = emu_log_file();
        fprintf(f, "OUT: [size=%zu]\n", size);
        tcg_disas_tb(s, f, tc);
        fprintf(f, "\n");
        fflush(f);
    }
out_free:
    free_gen_state(s);
out:
    tcg_ctx = old;
    return ret;
}

/* ---- Running, chaining, state recovery ------------------------------------------- */

uintptr_t tcg_tb_exec(TCGContext *s, void *env, const void *tc_ptr)
{
    tcg_tci_retaddr = 0;
    return s->be->tb_exec(s, env, tc_ptr);
}

static const TCGBackend *backend_of(const TCGTBCode *tc)
{
    return tc->backend == TCG_BACKEND_TCI ? &tcg_backend_tci : pick_backend(TCG_BACKEND_NATIVE);
}

void tcg_tb_set_jmp_target(const TCGTBCode *tc, int n, const void *target)
{
    g_assert(tc->jmp_insn_offset[n] != TCG_NO_JMP);
    backend_of(tc)->set_jmp_target(tc, n, (uintptr_t)target);
}

void tcg_tb_reset_jmp(const TCGTBCode *tc, int n)
{
    g_assert(tc->jmp_reset_offset[n] != TCG_NO_JMP);
    backend_of(tc)->set_jmp_target(tc, n,
                                   (uintptr_t)tc->tc_ptr + tc->jmp_reset_offset[n]);
}

static TCGLookupTBFn lookup_tb_fn;

void tcg_set_lookup_tb_ptr(TCGLookupTBFn fn)
{
    lookup_tb_fn = fn;
}

TCGLookupTBFn tcg_get_lookup_tb_ptr(void)
{
    return lookup_tb_fn;
}

const void *helper_lookup_tb_ptr(void *env)
{
    return lookup_tb_fn ? lookup_tb_fn(env) : NULL;
}

bool tcg_tb_contains_pc(const TCGTBCode *tc, uintptr_t host_pc)
{
    uintptr_t start = (uintptr_t)tc->tc_ptr;
    return host_pc > start && host_pc <= start + tc->tc_size;
}

int tcg_restore_state_from_host_pc(const TCGTBCode *tc, uintptr_t host_pc,
                                   uint64_t data[TCG_MAX_INSN_START_WORDS])
{
    if (!tcg_tb_contains_pc(tc, host_pc)) {
        return -1;
    }
    uint64_t pc_ofs = host_pc - (uintptr_t)tc->tc_ptr - 1;
    const uint8_t *p = tc->search_data;
    uint64_t cur[TCG_MAX_INSN_START_WORDS] = { 0 };
    uint64_t off = 0;
    int found = -1;
    for (int i = 0; i < tc->icount; i++) {
        for (int w = 0; w < tc->insn_start_words; w++) {
            int64_t d;
            p = decode_sleb(p, &d);
            cur[w] += d;
        }
        uint64_t d;
        p = decode_uleb(p, &d);
        off += d;
        if (off > pc_ofs) {
            break;
        }
        found = i;
        for (int w = 0; w < TCG_MAX_INSN_START_WORDS; w++) {
            data[w] = w < tc->insn_start_words ? cur[w] : 0;
        }
    }
    return found;
}

int tcg_tb_insn_data(const TCGTBCode *tc, int idx,
                     uint64_t data[TCG_MAX_INSN_START_WORDS])
{
    if (idx < 0 || idx >= tc->icount) {
        return -1;
    }
    const uint8_t *p = tc->search_data;
    uint64_t cur[TCG_MAX_INSN_START_WORDS] = { 0 };
    for (int i = 0; i <= idx; i++) {
        for (int w = 0; w < tc->insn_start_words; w++) {
            int64_t d;
            p = decode_sleb(p, &d);
            cur[w] += d;
        }
        uint64_t d;
        p = decode_uleb(p, &d);
    }
    for (int w = 0; w < TCG_MAX_INSN_START_WORDS; w++) {
        data[w] = w < tc->insn_start_words ? cur[w] : 0;
    }
    return idx;
}

void tcg_disas_tb(TCGContext *s, FILE *f, const TCGTBCode *tc)
{
    s->be->disas(s, f, tc->tc_ptr, tc->tc_size);
}

void tcg_dump_info(TCGContext *s, GString *buf)
{
    g_string_append_printf(buf, "backend %s, code buffer %zu/%zu KiB%s\n",
                           s->be->name, tcg_code_buffer_used(s) / 1024,
                           tcg_code_buffer_size(s) / 1024,
                           tcg_code_buffer_is_split(s) ? " (split W^X)" : "");
    g_string_append_printf(buf, "TBs %" PRIu64 ", ops %" PRIu64 " -> %" PRIu64
                           " after optimization, code %" PRIu64 " bytes, stores "
                           "%" PRIu64 "\n", s->stat_tbs, s->stat_ops, s->stat_ops_opt,
                           s->stat_code_bytes, s->stat_spills);
}
