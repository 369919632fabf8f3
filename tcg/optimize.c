/*
 * The TCG optimizer: one forward pass over the op list doing constant folding (every
 * computational op, with the same semantics as execution: shift counts masked to
 * width-1, division never folded when its result is undefined), copy propagation,
 * algebraic identities, and branch folding; then a cleanup pass removing code that
 * became unreachable after an unconditional branch and labels nobody jumps to.
 * Dead ops are removed afterwards by the liveness pass (tcg.c).
 *
 * What is known about a temp (a constant value, or "equal to these other temps", and
 * which bits may be non-zero) is forgotten at labels (control flow merges), for
 * globals after calls that may write them, and for every output an op redefines.
 * The known-zero bits turn zero-extensions and masks of values that are already
 * narrow into copies (x86's 32-bit operations zero-extend every result, and read
 * their operands with another zero-extension).
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg-internal.h"

typedef struct TempInfo {
    bool is_const;
    uint64_t val;
    int prev_copy, next_copy;   /* ring of temps holding the same value */
    int head;                   /* the ring's oldest member: what reads should use */
    uint64_t z_mask;            /* bits that may be non-zero */
} TempInfo;

typedef struct OptContext {
    TCGContext *s;
    TempInfo *info;         /* TCG_MAX_TEMPS entries, valid below ninit */
    int ninit;
} OptContext;

static inline uint64_t type_mask(TCGType type)
{
    return type == TCG_TYPE_I32 ? 0xffffffffull : ~0ull;
}

static void init_info(OptContext *c, int upto)
{
    for (int i = c->ninit; i < upto; i++) {
        TCGTemp *ts = &c->s->temps[i];
        c->info[i].next_copy = c->info[i].prev_copy = c->info[i].head = i;
        c->info[i].is_const = ts->kind == TEMP_CONST;
        c->info[i].val = ts->val;
        c->info[i].z_mask = ts->kind == TEMP_CONST ? ts->val : type_mask(ts->type);
    }
    if (upto > c->ninit) {
        c->ninit = upto;
    }
}

/* Index of ts in info[]; temps created while optimizing (constants) get an entry. */
static inline int tidx(OptContext *c, TCGTemp *ts)
{
    int i = ts - c->s->temps;
    if (i >= c->ninit) {
        init_info(c, i + 1);
    }
    return i;
}

static void reset_temp(OptContext *c, TCGTemp *ts)
{
    int i = tidx(c, ts);
    TempInfo *ti = &c->info[i];
    if (ts->kind == TEMP_CONST) {
        return;
    }
    if (ti->next_copy != i) {
        int rest = ti->next_copy;
        c->info[ti->prev_copy].next_copy = ti->next_copy;
        c->info[ti->next_copy].prev_copy = ti->prev_copy;
        ti->next_copy = ti->prev_copy = i;
        if (ti->head == i) {
            int j = rest;
            do {
                c->info[j].head = rest;
                j = c->info[j].next_copy;
            } while (j != rest);
        }
    }
    ti->head = i;
    ti->is_const = false;
    ti->z_mask = type_mask(ts->type);
}

static void reset_all(OptContext *c, bool globals_only)
{
    TCGContext *s = c->s;
    int n = globals_only ? s->nb_globals : s->nb_temps;
    for (int i = 0; i < n; i++) {
        reset_temp(c, &s->temps[i]);
    }
}

static bool temp_is_const(OptContext *c, TCGTemp *ts)
{
    return c->info[tidx(c, ts)].is_const;
}

static uint64_t temp_val(OptContext *c, TCGTemp *ts)
{
    return c->info[tidx(c, ts)].val;
}

/* The copy to read instead of ts: a constant, or the longest-lived equal temp. */
static TCGTemp *best_copy(OptContext *c, TCGTemp *ts)
{
    int i = tidx(c, ts);
    if (c->info[i].is_const && ts->kind != TEMP_CONST) {
        return tcg_constant_internal(ts->type, c->info[i].val);
    }
    TCGTemp *best = &c->s->temps[c->info[i].head];
    for (int j = c->info[i].next_copy; j != i; j = c->info[j].next_copy) {
        TCGTemp *t = &c->s->temps[j];
        if (t->kind > best->kind && t->kind != TEMP_CONST) {
            best = t;
        }
    }
    return best;
}

static bool temps_are_copies(OptContext *c, TCGTemp *a, TCGTemp *b)
{
    if (a == b) {
        return true;
    }
    int i = tidx(c, a);
    for (int j = c->info[i].next_copy; j != i; j = c->info[j].next_copy) {
        if (&c->s->temps[j] == b) {
            return true;
        }
    }
    if (temp_is_const(c, a) && temp_is_const(c, b)) {
        return temp_val(c, a) == temp_val(c, b);
    }
    return false;
}

static void record_copy(OptContext *c, TCGTemp *dst, TCGTemp *src)
{
    int d = tidx(c, dst), sidx = tidx(c, src);
    reset_temp(c, dst);
    c->info[d].z_mask = c->info[sidx].z_mask & type_mask(dst->type);
    if (c->info[sidx].is_const) {
        c->info[d].is_const = true;
        c->info[d].val = c->info[sidx].val;
        return;
    }
    /* insert dst after src in src's ring */
    TempInfo *si = &c->info[sidx], *di = &c->info[d];
    di->head = si->head;
    di->next_copy = si->next_copy;
    di->prev_copy = sidx;
    c->info[si->next_copy].prev_copy = d;
    si->next_copy = d;
}

static void record_const(OptContext *c, TCGTemp *dst, uint64_t val)
{
    reset_temp(c, dst);
    c->info[tidx(c, dst)].is_const = true;
    c->info[tidx(c, dst)].val = dst->type == TCG_TYPE_I32 ? (uint32_t)val : val;
    c->info[tidx(c, dst)].z_mask = c->info[tidx(c, dst)].val;
}

/* Rewrite op as "mov dst, src". */
static void to_mov(OptContext *c, TCGOp *op, TCGTemp *dst, TCGTemp *src)
{
    if (dst == src || temps_are_copies(c, dst, src)) {
        tcg_op_remove(c->s, op);
        return;
    }
    op->opc = INDEX_op_mov;
    op->type = dst->type;
    op->nargs = 2;
    op->args[0] = temp_arg(dst);
    op->args[1] = temp_arg(src);
    record_copy(c, dst, src);
}

static void to_movi(OptContext *c, TCGOp *op, TCGTemp *dst, uint64_t val)
{
    to_mov(c, op, dst, tcg_constant_internal(dst->type, val));
}

static uint64_t bswap_n(uint64_t v, int bytes)
{
    switch (bytes) {
    case 2: return __builtin_bswap16(v);
    case 4: return __builtin_bswap32(v);
    default: return __builtin_bswap64(v);
    }
}

/*
 * Evaluate op on constant inputs. Same semantics as the backends. Returns false when
 * the op is not foldable or its result undefined (division by zero, INT_MIN / -1).
 */
static bool fold_eval(TCGOpcode opc, TCGType type, const uint64_t *in, const TCGArg *ca,
                      uint64_t *out)
{
    bool is32 = type == TCG_TYPE_I32;
    int bits = is32 ? 32 : 64;
    uint64_t m = is32 ? 0xffffffffull : ~0ull;
    uint64_t a = in[0] & m, b = in[1] & m;
    int64_t sa = is32 ? (int32_t)a : (int64_t)a, sb = is32 ? (int32_t)b : (int64_t)b;
    unsigned sh = b & (bits - 1);
    uint64_t r;

    switch (opc) {
    case INDEX_op_add: r = a + b; break;
    case INDEX_op_sub: r = a - b; break;
    case INDEX_op_mul: r = a * b; break;
    case INDEX_op_div:
    case INDEX_op_rem:
        if (b == 0 || (sb == -1 && sa == (is32 ? INT32_MIN : INT64_MIN))) {
            return false;
        }
        r = opc == INDEX_op_div ? (uint64_t)(sa / sb) : (uint64_t)(sa % sb);
        break;
    case INDEX_op_divu:
    case INDEX_op_remu:
        if (b == 0) {
            return false;
        }
        r = opc == INDEX_op_divu ? a / b : a % b;
        break;
    case INDEX_op_and: r = a & b; break;
    case INDEX_op_or: r = a | b; break;
    case INDEX_op_xor: r = a ^ b; break;
    case INDEX_op_andc: r = a & ~b; break;
    case INDEX_op_orc: r = a | ~b; break;
    case INDEX_op_eqv: r = ~(a ^ b); break;
    case INDEX_op_nand: r = ~(a & b); break;
    case INDEX_op_nor: r = ~(a | b); break;
    case INDEX_op_shl: r = a << sh; break;
    case INDEX_op_shr: r = a >> sh; break;
    case INDEX_op_sar: r = (uint64_t)(sa >> sh); break;
    case INDEX_op_rotl: r = sh ? (a << sh | a >> (bits - sh)) : a; break;
    case INDEX_op_rotr: r = sh ? (a >> sh | a << (bits - sh)) : a; break;
    case INDEX_op_neg: r = -a; break;
    case INDEX_op_not: r = ~a; break;
    case INDEX_op_clz:
        r = a ? (uint64_t)(is32 ? __builtin_clz(a) : __builtin_clzll(a)) : b;
        break;
    case INDEX_op_ctz:
        r = a ? (uint64_t)__builtin_ctzll(a) : b;
        break;
    case INDEX_op_ctpop: r = __builtin_popcountll(a); break;
    case INDEX_op_ext8s: r = (uint64_t)(int64_t)(int8_t)a; break;
    case INDEX_op_ext8u: r = (uint8_t)a; break;
    case INDEX_op_ext16s: r = (uint64_t)(int64_t)(int16_t)a; break;
    case INDEX_op_ext16u: r = (uint16_t)a; break;
    case INDEX_op_ext32s:
    case INDEX_op_ext_i32_i64: r = (uint64_t)(int64_t)(int32_t)in[0]; break;
    case INDEX_op_ext32u:
    case INDEX_op_extu_i32_i64:
    case INDEX_op_extrl_i64_i32: r = (uint32_t)in[0]; break;
    case INDEX_op_extrh_i64_i32: r = in[0] >> 32; break;
    case INDEX_op_deposit: {
        uint64_t fm = (ca[1] >= 64 ? ~0ull : (1ull << ca[1]) - 1) << ca[0];
        r = (a & ~fm) | ((b << ca[0]) & fm);
        break;
    }
    case INDEX_op_extract:
        r = (a >> ca[0]) & (ca[1] >= 64 ? ~0ull : (1ull << ca[1]) - 1);
        break;
    case INDEX_op_sextract:
        r = (uint64_t)((int64_t)(a << (64 - ca[0] - ca[1])) >> (64 - ca[1]));
        break;
    case INDEX_op_extract2:
        r = ca[0] ? (a >> ca[0] | b << (bits - ca[0])) : a;
        break;
    case INDEX_op_bswap16:
        r = bswap_n(a & 0xffff, 2);
        if (ca[0] & TCG_BSWAP_OS) {
            r = (uint64_t)(int64_t)(int16_t)r;
        }
        break;
    case INDEX_op_bswap32:
        r = bswap_n(a & 0xffffffff, 4);
        if (ca[0] & TCG_BSWAP_OS) {
            r = (uint64_t)(int64_t)(int32_t)r;
        }
        break;
    case INDEX_op_bswap64: r = bswap_n(a, 8); break;
    case INDEX_op_setcond: r = tcg_fold_cond(ca[0], type, a, b); break;
    case INDEX_op_negsetcond: r = tcg_fold_cond(ca[0], type, a, b) ? ~0ull : 0; break;
    case INDEX_op_movcond: r = tcg_fold_cond(ca[0], type, a, b) ? in[2] : in[3]; break;
    case INDEX_op_mulu2: {
        unsigned __int128 p = (unsigned __int128)a * b;
        out[0] = (uint64_t)p & m;
        out[1] = (uint64_t)(p >> bits) & m;
        return true;
    }
    case INDEX_op_muls2: {
        __int128 p = (__int128)sa * sb;
        out[0] = (uint64_t)p & m;
        out[1] = (uint64_t)((unsigned __int128)p >> bits) & m;
        return true;
    }
    case INDEX_op_add2:
    case INDEX_op_sub2: {
        unsigned __int128 A = (unsigned __int128)(in[1] & m) << bits | (in[0] & m);
        unsigned __int128 B = (unsigned __int128)(in[3] & m) << bits | (in[2] & m);
        unsigned __int128 R = opc == INDEX_op_add2 ? A + B : A - B;
        out[0] = (uint64_t)R & m;
        out[1] = (uint64_t)(R >> bits) & m;
        return true;
    }
    default:
        return false;
    }
    out[0] = r;
    return true;
}

static bool is_commutative(TCGOpcode opc)
{
    switch (opc) {
    case INDEX_op_add: case INDEX_op_mul: case INDEX_op_and: case INDEX_op_or:
    case INDEX_op_xor: case INDEX_op_eqv: case INDEX_op_nand: case INDEX_op_nor:
        return true;
    default:
        return false;
    }
}

/* x OP x, x OP 0, x OP -1 and friends. Returns true when op was replaced. */
static bool fold_identity(OptContext *c, TCGOp *op, TCGType type)
{
    TCGTemp *dst = arg_temp(op->args[0]);
    TCGTemp *a = arg_temp(op->args[1]), *b = arg_temp(op->args[2]);
    uint64_t m = type == TCG_TYPE_I32 ? 0xffffffffull : ~0ull;
    bool bc = temp_is_const(c, b);
    uint64_t bv = bc ? temp_val(c, b) & m : 0;

    switch (op->opc) {
    case INDEX_op_add: case INDEX_op_sub: case INDEX_op_or: case INDEX_op_xor:
    case INDEX_op_andc:
        if (bc && bv == 0) {
            to_mov(c, op, dst, a);
            return true;
        }
        break;
    case INDEX_op_shl: case INDEX_op_shr: case INDEX_op_sar: case INDEX_op_rotl:
    case INDEX_op_rotr:
        /* counts are masked to width-1, so only a masked 0 is the identity */
        if (bc && (bv & (type == TCG_TYPE_I32 ? 31 : 63)) == 0) {
            to_mov(c, op, dst, a);
            return true;
        }
        break;
    default:
        break;
    }
    switch (op->opc) {
    case INDEX_op_and:
        if (bc && bv == m) {
            to_mov(c, op, dst, a);
            return true;
        }
        if (bc && bv == 0) {
            to_movi(c, op, dst, 0);
            return true;
        }
        if (temps_are_copies(c, a, b)) {
            to_mov(c, op, dst, a);
            return true;
        }
        break;
    case INDEX_op_or:
        if (bc && bv == m) {
            to_movi(c, op, dst, m);
            return true;
        }
        if (temps_are_copies(c, a, b)) {
            to_mov(c, op, dst, a);
            return true;
        }
        break;
    case INDEX_op_mul:
        if (bc && bv == 0) {
            to_movi(c, op, dst, 0);
            return true;
        }
        if (bc && bv == 1) {
            to_mov(c, op, dst, a);
            return true;
        }
        break;
    case INDEX_op_xor:
    case INDEX_op_sub:
    case INDEX_op_andc:
        if (temps_are_copies(c, a, b)) {
            to_movi(c, op, dst, 0);
            return true;
        }
        break;
    case INDEX_op_orc:
    case INDEX_op_eqv:
        if (temps_are_copies(c, a, b)) {
            to_movi(c, op, dst, m);
            return true;
        }
        break;
    default:
        break;
    }
    return false;
}

static inline uint64_t z_of(OptContext *c, TCGArg arg)
{
    return c->info[tidx(c, arg_temp(arg))].z_mask;
}

/*
 * A zero-extension or an AND with a constant that clears only bits already known
 * to be zero is a copy. Returns true when op was replaced.
 */
static bool fold_known_zeros(OptContext *c, TCGOp *op)
{
    uint64_t keep;
    switch (op->opc) {
    case INDEX_op_ext8u: keep = 0xff; break;
    case INDEX_op_ext16u: keep = 0xffff; break;
    case INDEX_op_ext32u: keep = 0xffffffffull; break;
    case INDEX_op_and:
        if (!temp_is_const(c, arg_temp(op->args[2]))) {
            return false;
        }
        keep = temp_val(c, arg_temp(op->args[2]));
        break;
    default:
        return false;
    }
    if (z_of(c, op->args[1]) & ~keep & type_mask(op->type)) {
        return false;
    }
    to_mov(c, op, arg_temp(op->args[0]), arg_temp(op->args[1]));
    return true;
}

/* After op (not folded) defined its single output: which bits may it have set? */
static void record_z_mask(OptContext *c, TCGOp *op)
{
    TCGTemp *dst = arg_temp(op->args[0]);
    uint64_t m = type_mask(dst->type), z = m;
    int bits = op->type == TCG_TYPE_I32 ? 32 : 64;
    switch (op->opc) {
    case INDEX_op_ld8u: z = 0xff; break;      /* args[1] is the host base pointer */
    case INDEX_op_ld16u: z = 0xffff; break;
    case INDEX_op_ld32u: z = 0xffffffffull; break;
    case INDEX_op_ext8u: z = 0xff & z_of(c, op->args[1]); break;
    case INDEX_op_ext16u: z = 0xffff & z_of(c, op->args[1]); break;
    case INDEX_op_ext32u: z = 0xffffffffull & z_of(c, op->args[1]); break;
    case INDEX_op_extu_i32_i64: z = 0xffffffffull & z_of(c, op->args[1]); break;
    case INDEX_op_and: z = z_of(c, op->args[1]) & z_of(c, op->args[2]); break;
    case INDEX_op_or: case INDEX_op_xor:
        z = z_of(c, op->args[1]) | z_of(c, op->args[2]);
        break;
    case INDEX_op_shr:
        if (temp_is_const(c, arg_temp(op->args[2]))) {
            z = z_of(c, op->args[1]) >> (temp_val(c, arg_temp(op->args[2])) & (bits - 1));
        }
        break;
    case INDEX_op_shl:
        if (temp_is_const(c, arg_temp(op->args[2]))) {
            z = z_of(c, op->args[1]) << (temp_val(c, arg_temp(op->args[2])) & (bits - 1));
        }
        break;
    case INDEX_op_setcond: z = 1; break;
    case INDEX_op_extract:
        z = op->args[3] >= 64 ? ~0ull : (1ull << op->args[3]) - 1;
        break;
    case INDEX_op_qemu_ld: {
        MemOp mop = get_memop(op->args[2]);
        if (!(mop & MO_SIGN) && (mop & MO_SIZE) != MO_64) {
            z = (1ull << (8 << (mop & MO_SIZE))) - 1;
        }
        break;
    }
    default:
        break;
    }
    c->info[tidx(c, dst)].z_mask = z & m;
}

static bool op_writes(const TCGOp *op, TCGTemp *ts)
{
    for (int i = 0; i < tcg_op_nb_oargs(op); i++) {
        if (arg_temp(op->args[i]) == ts) {
            return true;
        }
    }
    return false;
}

/*
 * brcond (t, 0, NE/EQ) where t = setcond/negsetcond (a, b, cond) a few ops
 * earlier, with a and b unchanged since: branch on (a, b, cond) directly (or its
 * inverse for EQ). The setcond dies in liveness when nothing else reads t. This is
 * every x86 Jcc on lazily computed flags: compare, set, test, branch becomes
 * compare, branch.
 */
static void fold_brcond_setcond(OptContext *c, TCGOp *op)
{
    TCGTemp *t = arg_temp(op->args[0]);
    TCGCond bc = op->args[2];
    if ((bc != TCG_COND_NE && bc != TCG_COND_EQ) ||
        !temp_is_const(c, arg_temp(op->args[1])) ||
        temp_val(c, arg_temp(op->args[1])) != 0) {
        return;
    }
    int budget = 8;
    for (TCGOp *p = op->prev; p && budget > 0; p = p->prev) {
        if (p->opc == INDEX_op_insn_start) {
            continue;
        }
        budget--;
        if (p->opc == INDEX_op_set_label || p->opc == INDEX_op_call ||
            (tcg_op_defs[p->opc].flags & TCG_OPF_BB_END)) {
            return;
        }
        if (!op_writes(p, t)) {
            continue;
        }
        if ((p->opc != INDEX_op_setcond && p->opc != INDEX_op_negsetcond) ||
            p->type != op->type) {
            return;
        }
        TCGTemp *a = arg_temp(p->args[1]), *b = arg_temp(p->args[2]);
        if (a == t || b == t) {
            return;                 /* setcond t, t, x: the input is gone */
        }
        for (TCGOp *q = p->next; q != op; q = q->next) {
            if (op_writes(q, a) || op_writes(q, b)) {
                return;
            }
        }
        TCGCond cond = p->args[3];
        op->args[0] = temp_arg(a);
        op->args[1] = temp_arg(b);
        op->args[2] = bc == TCG_COND_NE ? cond : tcg_invert_cond(cond);
        return;
    }
}

static void count_label_refs(TCGContext *s);

/* Remove ops that cannot be reached, and labels with no branch to them. */
static void remove_dead_code(TCGContext *s)
{
    bool dead = false;
    count_label_refs(s);
    for (TCGOp *op = s->first_op, *next; op; op = next) {
        next = op->next;
        if (op->opc == INDEX_op_set_label) {
            dead = false;
            /* a jump to the very next op is no jump */
            TCGOp *p = op->prev;
            TCGLabel *l = arg_label(op->args[0]);
            if (p && ((p->opc == INDEX_op_br && arg_label(p->args[0]) == l) ||
                      (p->opc == INDEX_op_brcond && arg_label(p->args[3]) == l))) {
                tcg_op_remove(s, p);
                l->refs--;
            }
            if (l->refs == 0) {
                tcg_op_remove(s, op);
            }
            continue;
        }
        if (dead && op->opc != INDEX_op_insn_start) {
            if (op->opc == INDEX_op_br) {
                arg_label(op->args[0])->refs--;
            } else if (op->opc == INDEX_op_brcond) {
                arg_label(op->args[3])->refs--;
            }
            tcg_op_remove(s, op);
            continue;
        }
        if (op->opc == INDEX_op_br || op->opc == INDEX_op_exit_tb ||
            op->opc == INDEX_op_goto_ptr) {
            dead = true;
        } else if (op->opc == INDEX_op_call) {
            const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)
                op->args[op->call_oargs + op->call_iargs + 1];
            if (info->flags & TCG_CALL_NO_RETURN) {
                dead = true;
            }
        }
    }
}

static void count_label_refs(TCGContext *s)
{
    for (int i = 0; i < s->nb_labels; i++) {
        s->labels[i].refs = 0;
    }
    for (TCGOp *op = s->first_op; op; op = op->next) {
        if (op->opc == INDEX_op_br) {
            arg_label(op->args[0])->refs++;
        } else if (op->opc == INDEX_op_brcond) {
            arg_label(op->args[3])->refs++;
        }
    }
}

/* Remove what follows an unconditional jump up to the next label; returns it. */
static TCGOp *skip_unreachable(TCGContext *s, TCGOp *op)
{
    TCGOp *n = op->next;
    while (n && n->opc != INDEX_op_set_label) {
        TCGOp *nn = n->next;
        if (n->opc == INDEX_op_br) {
            arg_label(n->args[0])->refs--;
        } else if (n->opc == INDEX_op_brcond) {
            arg_label(n->args[3])->refs--;
        }
        if (n->opc != INDEX_op_insn_start) {
            tcg_op_remove(s, n);
        }
        n = nn;
    }
    return n;
}

void tcg_optimize(TCGContext *s)
{
    static __thread TempInfo *info_buf;
    OptContext c = { .s = s };
    if (!info_buf) {
        info_buf = g_new(TempInfo, TCG_MAX_TEMPS);
    }
    c.info = info_buf;
    init_info(&c, s->nb_temps);
    count_label_refs(s);

    for (TCGOp *op = s->first_op, *next; op; op = next) {
        next = op->next;
        TCGOpcode opc = op->opc;
        int nb_o = tcg_op_nb_oargs(op), nb_i = tcg_op_nb_iargs(op);

        if (opc == INDEX_op_set_label) {
            TCGLabel *l = arg_label(op->args[0]);
            TCGOp *p = op->prev;
            if (p && p->opc == INDEX_op_br && arg_label(p->args[0]) == l) {
                tcg_op_remove(s, p);
                l->refs--;
            }
            if (l->refs == 0) {
                /* only reached by falling through: what we know still holds */
                tcg_op_remove(s, op);
            } else {
                reset_all(&c, false);
            }
            continue;
        }
        if (opc == INDEX_op_insn_start || opc == INDEX_op_discard) {
            if (opc == INDEX_op_discard) {
                reset_temp(&c, arg_temp(op->args[0]));
            }
            continue;
        }
        for (int i = nb_o; i < nb_o + nb_i; i++) {
            TCGTemp *ts = arg_temp(op->args[i]);
            if (ts->kind != TEMP_FIXED) {
                op->args[i] = temp_arg(best_copy(&c, ts));
            }
        }
        if (opc == INDEX_op_call) {
            const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)
                op->args[nb_o + nb_i + 1];
            if (!(info->flags & TCG_CALL_NO_WRITE_GLOBALS)) {
                reset_all(&c, true);
            }
            for (int i = 0; i < nb_o; i++) {
                reset_temp(&c, arg_temp(op->args[i]));
            }
            continue;
        }
        if (opc == INDEX_op_mov) {
            to_mov(&c, op, arg_temp(op->args[0]), arg_temp(op->args[1]));
            continue;
        }
        if (opc == INDEX_op_brcond) {
            fold_brcond_setcond(&c, op);
            TCGTemp *a = arg_temp(op->args[0]), *b = arg_temp(op->args[1]);
            TCGCond cond = op->args[2];
            int res = -1;
            if (temp_is_const(&c, a) && temp_is_const(&c, b)) {
                res = tcg_fold_cond(cond, op->type, temp_val(&c, a), temp_val(&c, b));
            } else if (temps_are_copies(&c, a, b) && cond != TCG_COND_TSTEQ &&
                       cond != TCG_COND_TSTNE) {
                res = tcg_fold_cond(cond, op->type, 0, 0);
            }
            if (res == 1) {
                op->opc = INDEX_op_br;
                op->nargs = 1;
                op->args[0] = op->args[3];
                next = skip_unreachable(s, op);
            } else if (res == 0) {
                arg_label(op->args[3])->refs--;
                tcg_op_remove(s, op);
            }
            continue;
        }

        if (opc == INDEX_op_br || opc == INDEX_op_exit_tb || opc == INDEX_op_goto_ptr) {
            next = skip_unreachable(s, op);
            continue;
        }
        const TCGOpDef *def = &tcg_op_defs[opc];
        bool folded = false;
        if (nb_o >= 1 && !(def->flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_BB_END))) {
            bool all_const = true;
            uint64_t in[4] = { 0 }, out[2] = { 0 };
            for (int i = 0; i < nb_i; i++) {
                TCGTemp *ts = arg_temp(op->args[nb_o + i]);
                if (!temp_is_const(&c, ts)) {
                    all_const = false;
                    break;
                }
                in[i] = temp_val(&c, ts);
            }
            bool is_ld = opc >= INDEX_op_ld8u && opc <= INDEX_op_ld;
            if (all_const && !is_ld &&
                fold_eval(opc, op->type, in, &op->args[nb_o + nb_i], out)) {
                TCGTemp *d0 = arg_temp(op->args[0]);
                if (nb_o == 2) {
                    TCGTemp *d1 = arg_temp(op->args[1]);
                    TCGOp *op2 = tcg_op_insert_after(s, op, INDEX_op_mov, d1->type, 2);
                    op2->args[0] = temp_arg(d1);
                    op2->args[1] = temp_arg(tcg_constant_internal(d1->type, out[1]));
                    to_movi(&c, op, d0, out[0]);
                    record_const(&c, d1, out[1]);
                    next = op2->next;
                } else {
                    to_movi(&c, op, d0, out[0]);
                }
                folded = true;
            } else if (nb_i == 2 && nb_o == 1 && !is_ld) {
                if (is_commutative(opc) && temp_is_const(&c, arg_temp(op->args[1])) &&
                    !temp_is_const(&c, arg_temp(op->args[2]))) {
                    TCGArg t = op->args[1];
                    op->args[1] = op->args[2];
                    op->args[2] = t;
                }
                folded = fold_identity(&c, op, op->type);
                if (!folded) {
                    folded = fold_known_zeros(&c, op);
                }
            } else if (nb_i == 1 && nb_o == 1 && !is_ld) {
                folded = fold_known_zeros(&c, op);
            } else if (opc == INDEX_op_movcond) {
                TCGTemp *a = arg_temp(op->args[1]), *b = arg_temp(op->args[2]);
                if (temp_is_const(&c, a) && temp_is_const(&c, b)) {
                    bool t = tcg_fold_cond(op->args[5], op->type, temp_val(&c, a),
                                           temp_val(&c, b));
                    to_mov(&c, op, arg_temp(op->args[0]),
                           arg_temp(op->args[t ? 3 : 4]));
                    folded = true;
                } else if (temps_are_copies(&c, arg_temp(op->args[3]),
                                            arg_temp(op->args[4]))) {
                    to_mov(&c, op, arg_temp(op->args[0]), arg_temp(op->args[3]));
                    folded = true;
                }
            }
        }
        if (!folded) {
            for (int i = 0; i < nb_o; i++) {
                reset_temp(&c, arg_temp(op->args[i]));
            }
            if (nb_o == 1) {
                record_z_mask(&c, op);
            }
        }
    }
    remove_dead_code(s);
}
