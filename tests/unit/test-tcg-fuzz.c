/*
 * Differential fuzzing of the whole pipeline: 10,000 random IR programs (50 ops of
 * random kinds, operands and constants, with forward branches) run through the
 * reference interpreter of tcg-ref.h, the x86-64 backend and tci, each with and
 * without the optimizer. Any difference fails and prints the program.
 *
 * TCG_FUZZ_PROGRAMS=N overrides the count, TCG_FUZZ_SEED=S the first seed.
 */
#include "tcg-test.h"

#define NT 12           /* TB temps: 8 i64, 4 i32 */
#define NG 4            /* globals g0-g3 */
#define NOPS 50

typedef struct Gen {
    GRand *r;
    TCGTemp *t64[8 + NG], *t32[4];
} Gen;

static TCGTemp *pick(Gen *g, TCGType t, bool allow_const)
{
    if (allow_const && g_rand_int_range(g->r, 0, 4) == 0) {
        return tcg_constant_internal(t, test_rand64(g->r));
    }
    if (t == TCG_TYPE_I32) {
        return g->t32[g_rand_int_range(g->r, 0, 4)];
    }
    return g->t64[g_rand_int_range(g->r, 0, 8 + NG)];
}

static void emit(TCGOpcode opc, TCGType t, int n, TCGArg *args)
{
    TCGOp *op = tcg_emit_op(opc, t, n);
    memcpy(op->args, args, n * sizeof(TCGArg));
}

static const TCGOpcode binops[] = {
    INDEX_op_add, INDEX_op_sub, INDEX_op_mul, INDEX_op_and, INDEX_op_or, INDEX_op_xor,
    INDEX_op_andc, INDEX_op_orc, INDEX_op_eqv, INDEX_op_nand, INDEX_op_nor,
    INDEX_op_shl, INDEX_op_shr, INDEX_op_sar, INDEX_op_rotl, INDEX_op_rotr,
    INDEX_op_clz, INDEX_op_ctz,
};
static const TCGOpcode unops[] = {
    INDEX_op_neg, INDEX_op_not, INDEX_op_ctpop, INDEX_op_ext8s, INDEX_op_ext8u,
    INDEX_op_ext16s, INDEX_op_ext16u, INDEX_op_mov,
};
static const TCGCond conds[] = {
    TCG_COND_EQ, TCG_COND_NE, TCG_COND_LT, TCG_COND_GE, TCG_COND_LE, TCG_COND_GT,
    TCG_COND_LTU, TCG_COND_GEU, TCG_COND_LEU, TCG_COND_GTU, TCG_COND_TSTEQ,
    TCG_COND_TSTNE,
};

static void gen_program(Gen *g, uint32_t seed, TCGv_i64 *globals)
{
    TCGContext *s = tcg_ctx;
    g->r = g_rand_new_with_seed(seed);
    tcg_func_start(s);
    for (int i = 0; i < 8; i++) {
        g->t64[i] = tcg_temp_new_internal(TCG_TYPE_I64, TEMP_TB);
        tcg_gen_ld_i64(temp_tcgv_i64(g->t64[i]), tcg_env, ENV_OFS(in[i]));
    }
    for (int i = 0; i < NG; i++) {
        g->t64[8 + i] = tcgv_i64_temp(globals[i]);
    }
    for (int i = 0; i < 4; i++) {
        g->t32[i] = tcg_temp_new_internal(TCG_TYPE_I32, TEMP_TB);
        tcg_gen_ld_i32(temp_tcgv_i32(g->t32[i]), tcg_env, ENV_OFS(in[i + 4]) + 4 * (i & 1));
    }
    TCGLabel *pending = NULL;
    int pending_at = 0;
    for (int k = 0; k < NOPS; k++) {
        TCGType t = g_rand_int_range(g->r, 0, 3) ? TCG_TYPE_I64 : TCG_TYPE_I32;
        int bits = t == TCG_TYPE_I32 ? 32 : 64;
        TCGArg a[8];
        int kind = g_rand_int_range(g->r, 0, 20);
        if (pending && k >= pending_at) {
            gen_set_label(pending);
            pending = NULL;
        }
        TCGTemp *out = pick(g, t, false);
        if (kind < 8) {
            TCGOpcode opc = binops[g_rand_int_range(g->r, 0, ARRAY_SIZE(binops))];
            a[0] = temp_arg(out);
            a[1] = temp_arg(pick(g, t, true));
            a[2] = temp_arg(pick(g, t, true));
            emit(opc, t, 3, a);
        } else if (kind < 10) {
            TCGOpcode opc = unops[g_rand_int_range(g->r, 0, ARRAY_SIZE(unops))];
            a[0] = temp_arg(out);
            a[1] = temp_arg(pick(g, t, true));
            emit(opc, t, 2, a);
        } else if (kind == 10) {
            /* division with a divisor made legal: (b >> 1) | 1 */
            static const TCGOpcode d[] = { INDEX_op_div, INDEX_op_divu, INDEX_op_rem,
                                           INDEX_op_remu };
            TCGTemp *dv = tcg_temp_new_internal(t, TEMP_EBB);
            a[0] = temp_arg(dv);
            a[1] = temp_arg(pick(g, t, true));
            a[2] = temp_arg(tcg_constant_internal(t, 1));
            emit(INDEX_op_shr, t, 3, a);
            a[1] = a[0];
            emit(INDEX_op_or, t, 3, a);
            a[0] = temp_arg(out);
            a[1] = temp_arg(pick(g, t, true));
            a[2] = temp_arg(dv);
            emit(d[g_rand_int_range(g->r, 0, 4)], t, 3, a);
            tcg_temp_free_internal(dv);
        } else if (kind == 11) {
            a[0] = temp_arg(out);
            a[1] = temp_arg(pick(g, t, true));
            a[2] = temp_arg(pick(g, t, true));
            a[3] = conds[g_rand_int_range(g->r, 0, ARRAY_SIZE(conds))];
            emit(g_rand_boolean(g->r) ? INDEX_op_setcond : INDEX_op_negsetcond, t, 4, a);
        } else if (kind == 12) {
            a[0] = temp_arg(out);
            for (int i = 1; i < 5; i++) {
                a[i] = temp_arg(pick(g, t, true));
            }
            a[5] = conds[g_rand_int_range(g->r, 0, ARRAY_SIZE(conds))];
            emit(INDEX_op_movcond, t, 6, a);
        } else if (kind == 13) {
            unsigned len = g_rand_int_range(g->r, 1, bits);
            unsigned pos = g_rand_int_range(g->r, 0, bits - len + 1);
            int which = g_rand_int_range(g->r, 0, 3);
            a[0] = temp_arg(out);
            a[1] = temp_arg(pick(g, t, true));
            if (which == 0) {
                a[2] = temp_arg(pick(g, t, true));
                a[3] = pos;
                a[4] = len;
                emit(INDEX_op_deposit, t, 5, a);
            } else {
                a[2] = pos;
                a[3] = len;
                emit(which == 1 ? INDEX_op_extract : INDEX_op_sextract, t, 4, a);
            }
        } else if (kind == 14) {
            a[0] = temp_arg(out);
            a[1] = temp_arg(pick(g, t, true));
            a[2] = temp_arg(pick(g, t, true));
            a[3] = g_rand_int_range(g->r, 1, bits);
            emit(INDEX_op_extract2, t, 4, a);
        } else if (kind == 15) {
            static const int fl[] = { 0, TCG_BSWAP_OZ, TCG_BSWAP_OS };
            int w = g_rand_int_range(g->r, 0, t == TCG_TYPE_I64 ? 3 : 2);
            a[0] = temp_arg(out);
            a[1] = temp_arg(pick(g, t, true));
            a[2] = fl[g_rand_int_range(g->r, 0, 3)];
            emit(w == 0 ? INDEX_op_bswap16 : w == 1 ? INDEX_op_bswap32 : INDEX_op_bswap64,
                 t, 3, a);
        } else if (kind == 16) {
            TCGTemp *out2 = pick(g, t, false);
            if (out2 == out) {
                continue;
            }
            static const TCGOpcode w[] = { INDEX_op_mulu2, INDEX_op_muls2, INDEX_op_add2,
                                           INDEX_op_sub2 };
            int which = g_rand_int_range(g->r, 0, 4);
            a[0] = temp_arg(out);
            a[1] = temp_arg(out2);
            for (int i = 2; i < (which < 2 ? 4 : 6); i++) {
                a[i] = temp_arg(pick(g, t, true));
            }
            emit(w[which], t, which < 2 ? 4 : 6, a);
        } else if (kind == 17) {
            /* conversions */
            int which = g_rand_int_range(g->r, 0, 4);
            if (which < 2) {
                a[0] = temp_arg(pick(g, TCG_TYPE_I64, false));
                a[1] = temp_arg(pick(g, TCG_TYPE_I32, true));
                emit(which ? INDEX_op_ext_i32_i64 : INDEX_op_extu_i32_i64, TCG_TYPE_I64, 2,
                     a);
            } else {
                a[0] = temp_arg(pick(g, TCG_TYPE_I32, false));
                a[1] = temp_arg(pick(g, TCG_TYPE_I64, true));
                emit(which == 2 ? INDEX_op_extrl_i64_i32 : INDEX_op_extrh_i64_i32,
                     TCG_TYPE_I32, 2, a);
            }
        } else if (kind == 18 && !pending) {
            /* a forward branch over the next few ops */
            pending = gen_new_label();
            pending_at = k + g_rand_int_range(g->r, 1, 6);
            a[0] = temp_arg(pick(g, t, true));
            a[1] = temp_arg(pick(g, t, true));
            a[2] = conds[g_rand_int_range(g->r, 0, ARRAY_SIZE(conds))];
            a[3] = (uintptr_t)pending;
            emit(INDEX_op_brcond, t, 4, a);
        } else {
            a[0] = temp_arg(out);
            a[1] = temp_arg(pick(g, t, true));
            emit(INDEX_op_mov, t, 2, a);
        }
    }
    if (pending) {
        gen_set_label(pending);
    }
    for (int i = 0; i < 8; i++) {
        tcg_gen_st_i64(temp_tcgv_i64(g->t64[i]), tcg_env, ENV_OFS(out[i]));
    }
    for (int i = 0; i < 4; i++) {
        tcg_gen_st_i32(temp_tcgv_i32(g->t32[i]), tcg_env, ENV_OFS(scratch[i]));
    }
    tcg_gen_exit_tb(NULL, 0);
    g_rand_free(g->r);
}

static void test_fuzz(void)
{
    static const struct { TCGBackendKind k; bool opt; } cfgs[] = {
        { TCG_BACKEND_NATIVE, true }, { TCG_BACKEND_NATIVE, false },
        { TCG_BACKEND_TCI, true }, { TCG_BACKEND_TCI, false },
    };
    TCGContext *ctx[4];
    TCGv_i64 globals[4][NG];
    int nprog = getenv("TCG_FUZZ_PROGRAMS") ? atoi(getenv("TCG_FUZZ_PROGRAMS")) : 10000;
    uint32_t seed0 = getenv("TCG_FUZZ_SEED") ? atoi(getenv("TCG_FUZZ_SEED")) : 1;
    GRand *vr = g_rand_new_with_seed(99);
    long ops_before = 0, ops_after = 0;

    for (int c = 0; c < 4; c++) {
        ctx[c] = test_ctx_new(cfgs[c].k, cfgs[c].opt);
        for (int i = 0; i < NG; i++) {
            static const char *const names[NG] = { "g0", "g1", "g2", "g3" };
            globals[c][i] = tcg_global_mem_new_i64(tcg_env, ENV_OFS(g[i]), names[i]);
        }
    }
    for (int p = 0; p < nprog; p++) {
        uint32_t seed = seed0 + p;
        TestEnv init = { 0 }, ref;
        Gen g;
        for (int i = 0; i < 8; i++) {
            init.in[i] = test_rand64(vr);
        }
        for (int i = 0; i < NG; i++) {
            init.g[i] = test_rand64(vr);
        }
        ref = init;
        tcg_set_ctx(ctx[0]);
        gen_program(&g, seed, globals[0]);
        GString *prog = tcg_dump_ops_str(ctx[0], false);
        ops_before += ctx[0]->nb_ops;
        ref_run(ctx[0], &ref);
        for (int c = 0; c < 4; c++) {
            TCGTBCode tc;
            TestEnv e = init;
            tcg_set_ctx(ctx[c]);
            if (c) {
                gen_program(&g, seed, globals[c]);
            }
            int n = tcg_gen_code(ctx[c], &tc);
            if (n == TCG_GEN_BUFFER_FULL) {
                tcg_code_buffer_reset(ctx[c]);
                gen_program(&g, seed, globals[c]);
                n = tcg_gen_code(ctx[c], &tc);
            }
            g_assert_cmpint(n, >, 0);
            if (c == 0) {
                ops_after += ctx[0]->nb_ops;
            }
            tcg_tb_exec(ctx[c], &e, tc.tc_ptr);
            if (memcmp(e.out, ref.out, sizeof(e.out)) || memcmp(e.g, ref.g, sizeof(e.g)) ||
                memcmp(e.scratch, ref.scratch, 4 * 8)) {
                g_test_message("program %u differs on %s%s:\n%s", seed,
                               tcg_backend_name(ctx[c]), cfgs[c].opt ? "+opt" : "",
                               prog->str);
                for (int i = 0; i < 8; i++) {
                    g_test_message("in%d %016" PRIx64 " out%d got %016" PRIx64
                                   " want %016" PRIx64, i, init.in[i], i, e.out[i],
                                   ref.out[i]);
                }
                for (int i = 0; i < NG; i++) {
                    g_test_message("g%d in %016" PRIx64 " got %016" PRIx64 " want %016"
                                   PRIx64, i, init.g[i], e.g[i], ref.g[i]);
                }
                for (int i = 0; i < 4; i++) {
                    g_test_message("i32 t%d got %08" PRIx64 " want %08" PRIx64, i,
                                   e.scratch[i], ref.scratch[i]);
                }
                g_assert_not_reached();
            }
        }
        g_string_free(prog, true);
    }
    g_test_message("%d programs, %ld ops -> %ld after optimization and DCE", nprog,
                   ops_before, ops_after);
    for (int c = 0; c < 4; c++) {
        tcg_context_free(ctx[c]);
    }
    g_rand_free(vr);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tcg/fuzz/differential", test_fuzz);
    return g_test_run();
}
