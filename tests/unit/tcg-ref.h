/*
 * Reference semantics of the TCG IR, written independently of the backends and the
 * optimizer: ref_op_eval() for one op, ref_run() for a whole op list (a slow
 * interpreter of the IR). Included by the tcg unit tests only.
 */
#ifndef TESTS_TCG_REF_H
#define TESTS_TCG_REF_H

#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/tcg-softmmu.h"

static inline uint64_t ref_norm(TCGType t, uint64_t v)
{
    return t == TCG_TYPE_I32 ? (uint32_t)v : v;
}

static inline int64_t ref_sext(TCGType t, uint64_t v)
{
    return t == TCG_TYPE_I32 ? (int64_t)(int32_t)v : (int64_t)v;
}

static bool ref_cond(TCGCond c, TCGType t, uint64_t a, uint64_t b)
{
    a = ref_norm(t, a);
    b = ref_norm(t, b);
    int64_t sa = ref_sext(t, a), sb = ref_sext(t, b);
    switch (c) {
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
    case TCG_COND_TSTEQ: return !(a & b);
    case TCG_COND_TSTNE: return (a & b) != 0;
    case TCG_COND_ALWAYS: return true;
    default: return false;
    }
}

static uint64_t ref_bswap(uint64_t v, int bytes)
{
    uint64_t r = 0;
    for (int i = 0; i < bytes; i++) {
        r = r << 8 | ((v >> (8 * i)) & 0xff);
    }
    return r;
}

/* Evaluate a computational op. in[] and out[] hold zero-extended i32 values. */
static void ref_op_eval(TCGOpcode opc, TCGType t, const uint64_t *in, const TCGArg *c,
                        uint64_t *out)
{
    int bits = t == TCG_TYPE_I32 ? 32 : 64;
    uint64_t mask = t == TCG_TYPE_I32 ? 0xffffffffull : ~0ull;
    uint64_t a = in[0] & mask, b = in[1] & mask;
    unsigned sh = b & (bits - 1);
    uint64_t r = 0;

    switch (opc) {
    case INDEX_op_mov: r = a; break;
    case INDEX_op_add: r = a + b; break;
    case INDEX_op_sub: r = a - b; break;
    case INDEX_op_mul: r = a * b; break;
    case INDEX_op_div: r = (uint64_t)(ref_sext(t, a) / ref_sext(t, b)); break;
    case INDEX_op_divu: r = a / b; break;
    case INDEX_op_rem: r = (uint64_t)(ref_sext(t, a) % ref_sext(t, b)); break;
    case INDEX_op_remu: r = a % b; break;
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
    case INDEX_op_sar: r = (uint64_t)(ref_sext(t, a) >> sh); break;
    case INDEX_op_rotl: r = sh ? (a << sh | a >> (bits - sh)) : a; break;
    case INDEX_op_rotr: r = sh ? (a >> sh | a << (bits - sh)) : a; break;
    case INDEX_op_neg: r = -a; break;
    case INDEX_op_not: r = ~a; break;
    case INDEX_op_clz: {
        if (!a) {
            r = b;
        } else {
            int n = 0;
            while (!(a >> (bits - 1 - n) & 1)) {
                n++;
            }
            r = n;
        }
        break;
    }
    case INDEX_op_ctz: {
        if (!a) {
            r = b;
        } else {
            int n = 0;
            while (!(a >> n & 1)) {
                n++;
            }
            r = n;
        }
        break;
    }
    case INDEX_op_ctpop: {
        int n = 0;
        for (int i = 0; i < bits; i++) {
            n += a >> i & 1;
        }
        r = n;
        break;
    }
    case INDEX_op_ext8s: r = (uint64_t)(int64_t)(int8_t)a; break;
    case INDEX_op_ext8u: r = (uint8_t)a; break;
    case INDEX_op_ext16s: r = (uint64_t)(int64_t)(int16_t)a; break;
    case INDEX_op_ext16u: r = (uint16_t)a; break;
    case INDEX_op_ext32s: r = (uint64_t)(int64_t)(int32_t)a; break;
    case INDEX_op_ext32u: r = (uint32_t)a; break;
    case INDEX_op_extu_i32_i64: r = (uint32_t)in[0]; break;
    case INDEX_op_ext_i32_i64: r = (uint64_t)(int64_t)(int32_t)in[0]; break;
    case INDEX_op_extrl_i64_i32: r = (uint32_t)in[0]; break;
    case INDEX_op_extrh_i64_i32: r = in[0] >> 32; break;
    case INDEX_op_deposit: {
        unsigned pos = c[0], len = c[1];
        uint64_t m = (len == 64 ? ~0ull : (1ull << len) - 1) << pos;
        r = (a & ~m) | ((b << pos) & m);
        break;
    }
    case INDEX_op_extract: {
        unsigned pos = c[0], len = c[1];
        r = (a >> pos) & (len == 64 ? ~0ull : (1ull << len) - 1);
        break;
    }
    case INDEX_op_sextract: {
        unsigned pos = c[0], len = c[1];
        uint64_t f = (a >> pos) & (len == 64 ? ~0ull : (1ull << len) - 1);
        if (len < 64 && (f >> (len - 1) & 1)) {
            f |= ~0ull << len;
        }
        r = f;
        break;
    }
    case INDEX_op_extract2: {
        unsigned pos = c[0];
        r = pos ? (a >> pos | b << (bits - pos)) : a;
        break;
    }
    case INDEX_op_bswap16:
        r = ref_bswap(a, 2);
        if (c[0] & TCG_BSWAP_OS) {
            r = (uint64_t)(int64_t)(int16_t)r;
        }
        break;
    case INDEX_op_bswap32:
        r = ref_bswap(a, 4);
        if (c[0] & TCG_BSWAP_OS) {
            r = (uint64_t)(int64_t)(int32_t)r;
        }
        break;
    case INDEX_op_bswap64:
        r = ref_bswap(a, 8);
        break;
    case INDEX_op_setcond: r = ref_cond(c[0], t, a, b); break;
    case INDEX_op_negsetcond: r = ref_cond(c[0], t, a, b) ? ~0ull : 0; break;
    case INDEX_op_movcond: r = ref_cond(c[0], t, a, b) ? in[2] : in[3]; break;
    case INDEX_op_mulu2: {
        unsigned __int128 p = (unsigned __int128)a * b;
        out[0] = ref_norm(t, (uint64_t)p);
        out[1] = ref_norm(t, (uint64_t)(p >> bits));
        return;
    }
    case INDEX_op_muls2: {
        __int128 p = (__int128)ref_sext(t, a) * ref_sext(t, b);
        out[0] = ref_norm(t, (uint64_t)p);
        out[1] = ref_norm(t, (uint64_t)((unsigned __int128)p >> bits));
        return;
    }
    case INDEX_op_add2:
    case INDEX_op_sub2: {
        unsigned __int128 A = (unsigned __int128)(in[1] & mask) << bits | (in[0] & mask);
        unsigned __int128 B = (unsigned __int128)(in[3] & mask) << bits | (in[2] & mask);
        unsigned __int128 R = opc == INDEX_op_add2 ? A + B : A - B;
        out[0] = ref_norm(t, (uint64_t)R);
        out[1] = ref_norm(t, (uint64_t)(R >> bits));
        return;
    }
    default:
        g_error("ref_op_eval: unhandled op %s", tcg_op_defs[opc].name);
    }
    TCGType ot = t;
    if (opc == INDEX_op_extrl_i64_i32 || opc == INDEX_op_extrh_i64_i32) {
        ot = TCG_TYPE_I32;
    }
    out[0] = ref_norm(ot, r);
}

/* Guest memory for qemu_ld/st in the reference interpreter (set by the test). */
static uint8_t *ref_guest_ram;
static uint64_t ref_guest_size;

static uint64_t ref_qemu_ld(uint64_t addr, MemOp mop)
{
    int sz = 1 << (mop & MO_SIZE);
    uint64_t v = 0;
    g_assert(addr + sz <= ref_guest_size);
    memcpy(&v, ref_guest_ram + addr, sz);
    if (mop & MO_BSWAP) {
        v = ref_bswap(v, sz);
    }
    if ((mop & MO_SIGN) && sz < 8) {
        int s = 64 - 8 * sz;
        v = (uint64_t)((int64_t)(v << s) >> s);
    }
    return v;
}

static void ref_qemu_st(uint64_t addr, uint64_t v, MemOp mop)
{
    int sz = 1 << (mop & MO_SIZE);
    g_assert(addr + sz <= ref_guest_size);
    if (mop & MO_BSWAP) {
        v = ref_bswap(v, sz);
    }
    memcpy(ref_guest_ram + addr, &v, sz);
}

typedef uint64_t (*RefFn6)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

/*
 * Interpret the op list of s against env (globals live in env memory). Returns the
 * exit_tb value, or the goto_ptr target. Must run before tcg_gen_code, which
 * rewrites the list.
 */
G_GNUC_UNUSED static uint64_t ref_run(TCGContext *s, void *env)
{
    uint64_t *val = g_new0(uint64_t, TCG_MAX_TEMPS);
    uint64_t ret = 0;
    int steps = 0;

#define TIDX(a) (arg_temp(a) - s->temps)
    for (TCGOp *op = s->first_op; op; op = op->next) {
        g_assert(++steps < 10000000);
        int nb_o = tcg_op_nb_oargs(op), nb_i = tcg_op_nb_iargs(op);
        uint64_t in[8] = { 0 }, out[2] = { 0 };
        for (int i = 0; i < nb_i; i++) {
            TCGTemp *ts = arg_temp(op->args[nb_o + i]);
            if (ts->kind == TEMP_CONST) {
                in[i] = ts->val;
            } else if (ts->kind == TEMP_GLOBAL) {
                uint64_t v = 0;
                memcpy(&v, (char *)env + ts->mem_offset, ts->type == TCG_TYPE_I32 ? 4 : 8);
                in[i] = v;
            } else if (ts == s->env) {
                in[i] = (uintptr_t)env;
            } else {
                in[i] = val[TIDX(op->args[nb_o + i])];
            }
            in[i] = ref_norm(ts->type, in[i]);
        }
        const TCGArg *c = &op->args[nb_o + nb_i];
        switch (op->opc) {
        case INDEX_op_insn_start:
        case INDEX_op_discard:
        case INDEX_op_set_label:
        case INDEX_op_mb:
        case INDEX_op_goto_tb:
            continue;
        case INDEX_op_br:
        case INDEX_op_brcond:
            if (op->opc == INDEX_op_br || ref_cond(c[0], op->type, in[0], in[1])) {
                TCGLabel *l = arg_label(op->opc == INDEX_op_br ? c[0] : c[1]);
                TCGOp *t = s->first_op;
                while (!(t->opc == INDEX_op_set_label && arg_label(t->args[0]) == l)) {
                    t = t->next;
                }
                op = t;
            }
            continue;
        case INDEX_op_exit_tb:
            ret = c[0];
            goto done;
        case INDEX_op_goto_ptr:
            ret = in[0];
            goto done;
        case INDEX_op_call: {
            void (*fn)(void) = (void (*)(void))(uintptr_t)op->args[nb_o + nb_i];
            const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)
                op->args[nb_o + nb_i + 1];
            out[0] = ((RefFn6)fn)(in[0], in[1], in[2], in[3], in[4], in[5]);
            if (info->ret == TCG_HT_I32 || info->ret == TCG_HT_S32) {
                out[0] = (uint32_t)out[0];
            }
            break;
        }
        case INDEX_op_ld8u: case INDEX_op_ld8s: case INDEX_op_ld16u:
        case INDEX_op_ld16s: case INDEX_op_ld32u: case INDEX_op_ld32s:
        case INDEX_op_ld: {
            char *p = (char *)(uintptr_t)in[0] + (intptr_t)c[0];
            uint64_t v = 0;
            switch (op->opc) {
            case INDEX_op_ld8u: v = *(uint8_t *)p; break;
            case INDEX_op_ld8s: v = (uint64_t)(int64_t)*(int8_t *)p; break;
            case INDEX_op_ld16u: { uint16_t x; memcpy(&x, p, 2); v = x; break; }
            case INDEX_op_ld16s: { int16_t x; memcpy(&x, p, 2); v = (uint64_t)(int64_t)x;
                break; }
            case INDEX_op_ld32u: { uint32_t x; memcpy(&x, p, 4); v = x; break; }
            case INDEX_op_ld32s: { int32_t x; memcpy(&x, p, 4); v = (uint64_t)(int64_t)x;
                break; }
            default: memcpy(&v, p, op->type == TCG_TYPE_I32 ? 4 : 8); break;
            }
            out[0] = ref_norm(op->type, v);
            break;
        }
        case INDEX_op_st8: case INDEX_op_st16: case INDEX_op_st32: case INDEX_op_st: {
            char *p = (char *)(uintptr_t)in[1] + (intptr_t)c[0];
            int sz = op->opc == INDEX_op_st8 ? 1 : op->opc == INDEX_op_st16 ? 2
                     : op->opc == INDEX_op_st32 ? 4 : (op->type == TCG_TYPE_I32 ? 4 : 8);
            memcpy(p, &in[0], sz);
            continue;
        }
        case INDEX_op_qemu_ld:
            out[0] = ref_norm(op->type, ref_qemu_ld(in[0], get_memop(c[0])));
            break;
        case INDEX_op_qemu_st:
            ref_qemu_st(in[1], in[0], get_memop(c[0]));
            continue;
        default:
            ref_op_eval(op->opc, op->type, in, c, out);
            break;
        }
        for (int i = 0; i < nb_o; i++) {
            TCGTemp *ts = arg_temp(op->args[i]);
            uint64_t v = ref_norm(ts->type, out[i]);
            if (ts->kind == TEMP_GLOBAL) {
                memcpy((char *)env + ts->mem_offset, &v, ts->type == TCG_TYPE_I32 ? 4 : 8);
            } else {
                val[TIDX(op->args[i])] = v;
            }
        }
    }
done:
#undef TIDX
    g_free(val);
    return ret;
}

#endif
