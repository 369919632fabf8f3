/*
 * Every computational TCG op, i32 and i64, on both backends (x86-64 and tci) against
 * the C reference semantics of tcg-ref.h: random and edge operands, register inputs,
 * constant second operands (the backends' immediate forms), the same temp for both
 * inputs and the output overwriting an input (the register allocator's aliasing
 * cases). Pins the op semantics documented in docs/devel/tcg.md.
 */
#include "tcg-test.h"

enum { SHAPE_REGS, SHAPE_SAME, SHAPE_OUT_IN, SHAPE_CONST };

typedef struct OpSpec {
    TCGOpcode opc;
    unsigned types;     /* bit 0: i32, bit 1: i64 */
    int nout, nin;
    int cvar;           /* 0 none, 1 cond, 2 deposit, 3 extract, 4 extract2, 5 bswap */
} OpSpec;

#define T32 1
#define T64 2
#define TB 3

static const OpSpec specs[] = {
    { INDEX_op_add, TB, 1, 2 }, { INDEX_op_sub, TB, 1, 2 }, { INDEX_op_mul, TB, 1, 2 },
    { INDEX_op_div, TB, 1, 2 }, { INDEX_op_divu, TB, 1, 2 }, { INDEX_op_rem, TB, 1, 2 },
    { INDEX_op_remu, TB, 1, 2 }, { INDEX_op_and, TB, 1, 2 }, { INDEX_op_or, TB, 1, 2 },
    { INDEX_op_xor, TB, 1, 2 }, { INDEX_op_andc, TB, 1, 2 }, { INDEX_op_orc, TB, 1, 2 },
    { INDEX_op_eqv, TB, 1, 2 }, { INDEX_op_nand, TB, 1, 2 }, { INDEX_op_nor, TB, 1, 2 },
    { INDEX_op_shl, TB, 1, 2 }, { INDEX_op_shr, TB, 1, 2 }, { INDEX_op_sar, TB, 1, 2 },
    { INDEX_op_rotl, TB, 1, 2 }, { INDEX_op_rotr, TB, 1, 2 },
    { INDEX_op_neg, TB, 1, 1 }, { INDEX_op_not, TB, 1, 1 },
    { INDEX_op_clz, TB, 1, 2 }, { INDEX_op_ctz, TB, 1, 2 }, { INDEX_op_ctpop, TB, 1, 1 },
    { INDEX_op_ext8s, TB, 1, 1 }, { INDEX_op_ext8u, TB, 1, 1 },
    { INDEX_op_ext16s, TB, 1, 1 }, { INDEX_op_ext16u, TB, 1, 1 },
    { INDEX_op_ext32s, T64, 1, 1 }, { INDEX_op_ext32u, T64, 1, 1 },
    { INDEX_op_extu_i32_i64, T64, 1, 1 }, { INDEX_op_ext_i32_i64, T64, 1, 1 },
    { INDEX_op_extrl_i64_i32, T32, 1, 1 }, { INDEX_op_extrh_i64_i32, T32, 1, 1 },
    { INDEX_op_deposit, TB, 1, 2, 2 }, { INDEX_op_extract, TB, 1, 1, 3 },
    { INDEX_op_sextract, TB, 1, 1, 3 }, { INDEX_op_extract2, TB, 1, 2, 4 },
    { INDEX_op_bswap16, TB, 1, 1, 5 }, { INDEX_op_bswap32, TB, 1, 1, 5 },
    { INDEX_op_bswap64, T64, 1, 1, 5 },
    { INDEX_op_setcond, TB, 1, 2, 1 }, { INDEX_op_negsetcond, TB, 1, 2, 1 },
    { INDEX_op_movcond, TB, 1, 4, 1 },
    { INDEX_op_mulu2, TB, 2, 2 }, { INDEX_op_muls2, TB, 2, 2 },
    { INDEX_op_add2, TB, 2, 4 }, { INDEX_op_sub2, TB, 2, 4 },
};

static const TCGCond all_conds[] = {
    TCG_COND_EQ, TCG_COND_NE, TCG_COND_LT, TCG_COND_GE, TCG_COND_LE, TCG_COND_GT,
    TCG_COND_LTU, TCG_COND_GEU, TCG_COND_LEU, TCG_COND_GTU, TCG_COND_TSTEQ,
    TCG_COND_TSTNE,
};

static long runs_done;

static bool is_div(TCGOpcode o)
{
    return o == INDEX_op_div || o == INDEX_op_divu || o == INDEX_op_rem ||
           o == INDEX_op_remu;
}

static bool is_signed_div(TCGOpcode o)
{
    return o == INDEX_op_div || o == INDEX_op_rem;
}

static void in_out_types(TCGOpcode opc, TCGType t, TCGType *in_t, TCGType *out_t)
{
    *in_t = *out_t = t;
    if (opc == INDEX_op_extu_i32_i64 || opc == INDEX_op_ext_i32_i64) {
        *in_t = TCG_TYPE_I32;
        *out_t = TCG_TYPE_I64;
    } else if (opc == INDEX_op_extrl_i64_i32 || opc == INDEX_op_extrh_i64_i32) {
        *in_t = TCG_TYPE_I64;
        *out_t = TCG_TYPE_I32;
    }
}

/* Make divisor operands legal (the IR leaves /0 and MIN/-1 undefined). */
static void fix_div(TCGOpcode opc, TCGType t, uint64_t *a, uint64_t *b)
{
    *b = ref_norm(t, *b);
    if (*b == 0) {
        *b = 3;
    }
    if (is_signed_div(opc) && ref_sext(t, *b) == -1) {
        *b = 7;
    }
}

static void run_one(TCGContext *s, const OpSpec *sp, TCGType t, const TCGArg *cargs,
                    int ncargs, int shape, uint64_t cval, GRand *r)
{
    TCGType in_t, out_t;
    TCGTemp *in[4], *out[2];
    int cpos = (sp->opc == INDEX_op_add2 || sp->opc == INDEX_op_sub2) ? 2 : 1;
    TCGTBCode tc;
    TestEnv env;

    in_out_types(sp->opc, t, &in_t, &out_t);
    tcg_func_start(s);
    for (int k = 0; k < sp->nin; k++) {
        in[k] = tcg_temp_new_internal(in_t, TEMP_EBB);
        if (in_t == TCG_TYPE_I32) {
            tcg_gen_ld_i32(temp_tcgv_i32(in[k]), tcg_env, ENV_OFS(in[k]));
        } else {
            tcg_gen_ld_i64(temp_tcgv_i64(in[k]), tcg_env, ENV_OFS(in[k]));
        }
    }
    if (shape == SHAPE_CONST) {
        in[cpos] = tcg_constant_internal(in_t, cval);
    } else if (shape == SHAPE_SAME) {
        in[1] = in[0];
    }
    for (int k = 0; k < sp->nout; k++) {
        out[k] = tcg_temp_new_internal(out_t, TEMP_EBB);
    }
    if (shape == SHAPE_OUT_IN && in_t == out_t) {
        out[0] = in[0];
    }
    TCGOp *op = tcg_emit_op(sp->opc, t, sp->nout + sp->nin + ncargs);
    for (int k = 0; k < sp->nout; k++) {
        op->args[k] = temp_arg(out[k]);
    }
    for (int k = 0; k < sp->nin; k++) {
        op->args[sp->nout + k] = temp_arg(in[k]);
    }
    for (int k = 0; k < ncargs; k++) {
        op->args[sp->nout + sp->nin + k] = cargs[k];
    }
    for (int k = 0; k < sp->nout; k++) {
        if (out_t == TCG_TYPE_I32) {
            tcg_gen_st_i32(temp_tcgv_i32(out[k]), tcg_env, ENV_OFS(out[k]));
        } else {
            tcg_gen_st_i64(temp_tcgv_i64(out[k]), tcg_env, ENV_OFS(out[k]));
        }
    }
    tcg_gen_exit_tb(NULL, 0);
    test_gen(s, &tc);

    for (int it = 0; it < 150; it++) {
        uint64_t v[4], want[2] = { 0 }, got[2];
        for (int k = 0; k < 4; k++) {
            v[k] = ref_norm(in_t, test_rand64(r));
        }
        if (is_div(sp->opc)) {
            fix_div(sp->opc, t, &v[0], &v[1]);
        }
        memset(&env, 0, sizeof(env));
        memcpy(env.in, v, sizeof(v));
        uint64_t e[4];
        memcpy(e, v, sizeof(e));
        if (shape == SHAPE_CONST) {
            e[cpos] = ref_norm(in_t, cval);
        } else if (shape == SHAPE_SAME) {
            e[1] = e[0];
        }
        ref_op_eval(sp->opc, t, e, cargs, want);
        uintptr_t ret = tcg_tb_exec(s, &env, tc.tc_ptr);
        g_assert_cmpuint(ret, ==, 0);
        got[0] = env.out[0];
        got[1] = env.out[1];
        for (int k = 0; k < sp->nout; k++) {
            if (got[k] != want[k]) {
                char name[32];
                snprintf(name, sizeof(name), "%s_%s", tcg_op_defs[sp->opc].name,
                         t == TCG_TYPE_I32 ? "i32" : "i64");
                g_test_message("%s backend %s shape %d cargs %" PRIx64 ",%" PRIx64
                               " in %" PRIx64 " %" PRIx64 " %" PRIx64 " %" PRIx64
                               " const %" PRIx64 ": out%d got %" PRIx64 " want %" PRIx64,
                               name, tcg_backend_name(s), shape,
                               ncargs ? (uint64_t)cargs[0] : 0,
                               ncargs > 1 ? (uint64_t)cargs[1] : 0,
                               v[0], v[1], v[2], v[3], cval, k, got[k], want[k]);
                g_assert_not_reached();
            }
        }
        runs_done++;
    }
}

static void run_spec(TCGContext *s, const OpSpec *sp, TCGType t, const TCGArg *cargs,
                     int ncargs, GRand *r)
{
    static const uint64_t consts[] = {
        0, 1, 2, 5, 31, 32, 63, 0x7f, 0x80, 0xff, 0x12345, 0x7fffffff, 0x80000000,
        0xffffffff, 0x100000000ull, 0x123456789ull, ~0ull, (uint64_t)-128, (uint64_t)-129,
        0x8000000000000000ull,
    };
    run_one(s, sp, t, cargs, ncargs, SHAPE_REGS, 0, r);
    run_one(s, sp, t, cargs, ncargs, SHAPE_OUT_IN, 0, r);
    if (sp->nin >= 2) {
        if (!is_div(sp->opc)) {
            run_one(s, sp, t, cargs, ncargs, SHAPE_SAME, 0, r);
        }
        for (size_t i = 0; i < ARRAY_SIZE(consts); i++) {
            uint64_t c = ref_norm(t, consts[i]);
            if (is_div(sp->opc) && (c == 0 || ref_sext(t, c) == -1)) {
                continue;
            }
            run_one(s, sp, t, cargs, ncargs, SHAPE_CONST, c, r);
        }
    }
}

static void test_ops(gconstpointer data)
{
    TCGBackendKind kind = GPOINTER_TO_INT(data);
    TCGContext *s = test_ctx_new(kind, false);
    GRand *r = g_rand_new_with_seed(1234);

    for (size_t i = 0; i < ARRAY_SIZE(specs); i++) {
        const OpSpec *sp = &specs[i];
        for (TCGType t = TCG_TYPE_I32; t <= TCG_TYPE_I64; t++) {
            int bits = t == TCG_TYPE_I32 ? 32 : 64;
            TCGArg c[2];
            if (!(sp->types >> t & 1)) {
                continue;
            }
            switch (sp->cvar) {
            case 0:
                run_spec(s, sp, t, NULL, 0, r);
                break;
            case 1:
                for (size_t k = 0; k < ARRAY_SIZE(all_conds); k++) {
                    c[0] = all_conds[k];
                    run_spec(s, sp, t, c, 1, r);
                }
                break;
            case 2:
            case 3: {
                static const int pl[][2] = {
                    { 0, 1 }, { 0, 8 }, { 0, 16 }, { 8, 8 }, { 3, 5 }, { 0, 31 },
                    { 1, 31 }, { 31, 1 }, { 16, 16 }, { 0, 32 }, { 32, 32 }, { 7, 50 },
                    { 63, 1 }, { 1, 63 }, { 20, 44 },
                };
                for (size_t k = 0; k < ARRAY_SIZE(pl); k++) {
                    if (pl[k][0] + pl[k][1] > bits || pl[k][1] >= bits) {
                        continue;
                    }
                    c[0] = pl[k][0];
                    c[1] = pl[k][1];
                    run_spec(s, sp, t, c, 2, r);
                }
                break;
            }
            case 4: {
                static const int pos[] = { 1, 7, 8, 16, 31, 32, 33, 63 };
                for (size_t k = 0; k < ARRAY_SIZE(pos); k++) {
                    if (pos[k] >= bits) {
                        continue;
                    }
                    c[0] = pos[k];
                    run_spec(s, sp, t, c, 1, r);
                }
                break;
            }
            case 5: {
                static const int fl[] = { 0, TCG_BSWAP_IZ | TCG_BSWAP_OZ, TCG_BSWAP_OZ,
                                          TCG_BSWAP_OS, TCG_BSWAP_IZ | TCG_BSWAP_OS };
                for (size_t k = 0; k < ARRAY_SIZE(fl); k++) {
                    c[0] = fl[k];
                    run_spec(s, sp, t, c, 1, r);
                }
                break;
            }
            }
        }
    }
    g_test_message("%s: %ld op executions checked", tcg_backend_name(s), runs_done);
    g_rand_free(r);
    tcg_context_free(s);
}

/* brcond for every condition, register and constant second operand. */
static void test_brcond(gconstpointer data)
{
    TCGBackendKind kind = GPOINTER_TO_INT(data);
    TCGContext *s = test_ctx_new(kind, false);
    GRand *r = g_rand_new_with_seed(99);
    for (TCGType t = TCG_TYPE_I32; t <= TCG_TYPE_I64; t++) {
        for (size_t k = 0; k < ARRAY_SIZE(all_conds); k++) {
            for (int cst = 0; cst < 3; cst++) {
                uint64_t cval = cst == 1 ? 0 : ref_norm(t, 0x80000000);
                TCGTBCode tc;
                TCGTemp *a, *b;
                TCGv_i64 res;
                TCGLabel *l;
                tcg_func_start(s);
                a = tcg_temp_new_internal(t, TEMP_TB);
                b = cst ? tcg_constant_internal(t, cval) : tcg_temp_new_internal(t, TEMP_TB);
                res = tcg_temp_new_i64();
                l = gen_new_label();
                if (t == TCG_TYPE_I32) {
                    tcg_gen_ld_i32(temp_tcgv_i32(a), tcg_env, ENV_OFS(in[0]));
                    if (!cst) {
                        tcg_gen_ld_i32(temp_tcgv_i32(b), tcg_env, ENV_OFS(in[1]));
                    }
                } else {
                    tcg_gen_ld_i64(temp_tcgv_i64(a), tcg_env, ENV_OFS(in[0]));
                    if (!cst) {
                        tcg_gen_ld_i64(temp_tcgv_i64(b), tcg_env, ENV_OFS(in[1]));
                    }
                }
                tcg_gen_movi_i64(res, 1);
                TCGOp *op = tcg_emit_op(INDEX_op_brcond, t, 4);
                op->args[0] = temp_arg(a);
                op->args[1] = temp_arg(b);
                op->args[2] = all_conds[k];
                op->args[3] = (uintptr_t)l;
                tcg_gen_movi_i64(res, 0);
                gen_set_label(l);
                tcg_gen_st_i64(res, tcg_env, ENV_OFS(out[0]));
                tcg_gen_exit_tb(NULL, 0);
                test_gen(s, &tc);
                for (int it = 0; it < 300; it++) {
                    TestEnv env = { 0 };
                    env.in[0] = ref_norm(t, test_rand64(r));
                    env.in[1] = it % 5 == 0 ? env.in[0] : ref_norm(t, test_rand64(r));
                    uint64_t bv = cst ? cval : env.in[1];
                    tcg_tb_exec(s, &env, tc.tc_ptr);
                    g_assert_cmpuint(env.out[0], ==, ref_cond(all_conds[k], t, env.in[0], bv));
                }
            }
        }
    }
    g_rand_free(r);
    tcg_context_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/tcg/ops/native", GINT_TO_POINTER(TCG_BACKEND_NATIVE), test_ops);
    g_test_add_data_func("/tcg/ops/tci", GINT_TO_POINTER(TCG_BACKEND_TCI), test_ops);
    g_test_add_data_func("/tcg/brcond/native", GINT_TO_POINTER(TCG_BACKEND_NATIVE),
                         test_brcond);
    g_test_add_data_func("/tcg/brcond/tci", GINT_TO_POINTER(TCG_BACKEND_TCI), test_brcond);
    return g_test_run();
}
