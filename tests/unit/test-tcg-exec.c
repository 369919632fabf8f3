/*
 * Generated code running on both backends: loops and labels, register pressure
 * (spills), helper calls with 0-6 arguments and every global-sync flag, goto_tb
 * chaining and exit_tb values, goto_ptr through the lookup hook, guest loads and
 * stores through the fake softmmu (TLB hits, misses, MO_ALIGN, page crossings), and
 * precise state recovery from helper return addresses.
 */
#include "tcg-test.h"
#include "tcg/tcg-helper.h"

static int calls;
static uintptr_t recorded_ra[8];
static int nb_recorded;

DEF_HELPER_FLAGS_0(h0, TCG_CALL_NO_RWG, i64)
DEF_HELPER_FLAGS_1(h1, TCG_CALL_NO_RWG, i64, i64)
DEF_HELPER_FLAGS_2(h2, TCG_CALL_NO_RWG, i64, i64, i64)
DEF_HELPER_FLAGS_3(h3, TCG_CALL_NO_RWG, i64, i64, i64, i64)
DEF_HELPER_FLAGS_4(h4, TCG_CALL_NO_RWG, i64, i64, i64, i64, i64)
DEF_HELPER_FLAGS_5(h5, TCG_CALL_NO_RWG, i64, i64, i64, i64, i64, i64)
DEF_HELPER_FLAGS_6(h6, TCG_CALL_NO_RWG, i64, i64, i64, i64, i64, i64, i64)
DEF_HELPER_FLAGS_4(mix, TCG_CALL_NO_RWG, s32, i32, i64, s32, ptr)
DEF_HELPER_FLAGS_1(read_g0, TCG_CALL_NO_WG, i64, env)
DEF_HELPER_FLAGS_2(write_g1, 0, void, env, i64)
DEF_HELPER_FLAGS_1(pure, TCG_CALL_NO_RWG_SE, i64, i64)
DEF_HELPER_FLAGS_0(record_ra, TCG_CALL_NO_RWG, void)

#define P(i, v) ((v) * (2 * (i) + 3))
uint64_t helper_h0(void)
{
    calls++;
    return 0x1234;
}
uint64_t helper_h1(uint64_t a)
{
    return P(0, a) + 1;
}
uint64_t helper_h2(uint64_t a, uint64_t b)
{
    return P(0, a) + P(1, b) + 2;
}
uint64_t helper_h3(uint64_t a, uint64_t b, uint64_t c)
{
    return P(0, a) + P(1, b) + P(2, c) + 3;
}
uint64_t helper_h4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    return P(0, a) + P(1, b) + P(2, c) + P(3, d) + 4;
}
uint64_t helper_h5(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
    return P(0, a) + P(1, b) + P(2, c) + P(3, d) + P(4, e) + 5;
}
uint64_t helper_h6(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
                   uint64_t f)
{
    return P(0, a) + P(1, b) + P(2, c) + P(3, d) + P(4, e) + P(5, f) + 6;
}
int32_t helper_mix(uint32_t a, uint64_t b, int32_t c, void *p)
{
    return (int32_t)(a * 3 + (uint32_t)(b >> 32) - c) + (int32_t)(uintptr_t)p;
}
uint64_t helper_read_g0(CPUArchState *env)
{
    return env->e.g[0];
}
void helper_write_g1(CPUArchState *env, uint64_t v)
{
    env->e.g[1] = v;
}
uint64_t helper_pure(uint64_t a)
{
    calls++;
    return a * 2;
}
void helper_record_ra(void)
{
    recorded_ra[nb_recorded++] = GETPC();
}

typedef struct Variant {
    TCGBackendKind kind;
    bool opt;
} Variant;

static const Variant variants[] = {
    { TCG_BACKEND_NATIVE, false }, { TCG_BACKEND_NATIVE, true },
    { TCG_BACKEND_TCI, false }, { TCG_BACKEND_TCI, true },
};

static TCGv_i64 g0, g1, g2;

static TCGContext *ctx_for(const Variant *v)
{
    TCGContext *s = test_ctx_new(v->kind, v->opt);
    g0 = tcg_global_mem_new_i64(tcg_env, ENV_OFS(g[0]), "g0");
    g1 = tcg_global_mem_new_i64(tcg_env, ENV_OFS(g[1]), "g1");
    g2 = tcg_global_mem_new_i64(tcg_env, ENV_OFS(g[2]), "g2");
    return s;
}

static void test_loop(void)
{
    for (size_t vi = 0; vi < ARRAY_SIZE(variants); vi++) {
        TCGContext *s = ctx_for(&variants[vi]);
        TCGTBCode tc;
        TestEnv env = { 0 };
        /* g0 = sum(i * i) for i in [0, in[0]); loc counter, EBB temps inside. */
        tcg_func_start(s);
        TCGv_i64 i = tcg_temp_new_i64(), n = tcg_temp_new_i64();
        TCGLabel *top = gen_new_label(), *out = gen_new_label();
        tcg_gen_movi_i64(g0, 0);
        tcg_gen_movi_i64(i, 0);
        tcg_gen_ld_i64(n, tcg_env, ENV_OFS(in[0]));
        gen_set_label(top);
        tcg_gen_brcond_i64(TCG_COND_GEU, i, n, out);
        TCGv_i64 sq = tcg_temp_ebb_new_i64();
        tcg_gen_mul_i64(sq, i, i);
        tcg_gen_add_i64(g0, g0, sq);
        tcg_gen_addi_i64(i, i, 1);
        tcg_gen_br(top);
        gen_set_label(out);
        tcg_gen_exit_tb(NULL, 0);
        test_gen(s, &tc);
        for (uint64_t k = 0; k < 50; k += 7) {
            env.in[0] = k;
            tcg_tb_exec(s, &env, tc.tc_ptr);
            uint64_t want = 0;
            for (uint64_t j = 0; j < k; j++) {
                want += j * j;
            }
            g_assert_cmpuint(env.g[0], ==, want);
        }
        tcg_context_free(s);
    }
}

/*
 * The optimizer's branch fusion (brcond on a setcond result becomes one brcond
 * on the compared values) and the liveness pass's demotion of TB temps, run:
 * for every condition and pairs of edge values, count how often the fused
 * branch is taken in a loop whose counter is a TB temp read after the loop
 * label before it is written there (so it must stay a TB temp), and compare
 * with C's own comparisons. A 32-bit zero-extended copy feeds the compare too
 * (known-zero folding turns its ext32u into a copy).
 */
static bool c_cond(TCGCond c, uint64_t a, uint64_t b)
{
    switch (c) {
    case TCG_COND_EQ: return a == b;
    case TCG_COND_NE: return a != b;
    case TCG_COND_LT: return (int64_t)a < (int64_t)b;
    case TCG_COND_GE: return (int64_t)a >= (int64_t)b;
    case TCG_COND_LE: return (int64_t)a <= (int64_t)b;
    case TCG_COND_GT: return (int64_t)a > (int64_t)b;
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return a >= b;
    case TCG_COND_LEU: return a <= b;
    case TCG_COND_GTU: return a > b;
    case TCG_COND_TSTEQ: return (a & b) == 0;
    case TCG_COND_TSTNE: return (a & b) != 0;
    default: g_assert_not_reached();
    }
}

static void test_fused_branch(void)
{
    static const TCGCond conds[] = {
        TCG_COND_EQ, TCG_COND_NE, TCG_COND_LT, TCG_COND_GE, TCG_COND_LE, TCG_COND_GT,
        TCG_COND_LTU, TCG_COND_GEU, TCG_COND_LEU, TCG_COND_GTU, TCG_COND_TSTEQ,
        TCG_COND_TSTNE,
    };
    static const uint64_t vals[] = {
        0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
        0x8000000000000000ull, 0xfffffffffffffffeull, ~0ull,
    };
    for (size_t vi = 0; vi < ARRAY_SIZE(variants); vi++) {
        for (size_t ci = 0; ci < ARRAY_SIZE(conds); ci++) {
            for (int eq = 0; eq < 2; eq++) {
                TCGContext *s = ctx_for(&variants[vi]);
                TCGTBCode tc;
                TestEnv env = { 0 };
                /* for (i = in[2]; i != 0; i--) { t = cond(a, b); if (t == eq) g0++; } */
                tcg_func_start(s);
                TCGv_i64 i = tcg_temp_new_i64(), a = tcg_temp_new_i64();
                TCGv_i64 b = tcg_temp_new_i64(), t = tcg_temp_new_i64();
                TCGLabel *top = gen_new_label(), *skip = gen_new_label();
                TCGLabel *out = gen_new_label();
                tcg_gen_movi_i64(g0, 0);
                tcg_gen_ld_i64(i, tcg_env, ENV_OFS(in[2]));
                gen_set_label(top);
                tcg_gen_brcondi_i64(TCG_COND_EQ, i, 0, out);
                tcg_gen_ld_i64(a, tcg_env, ENV_OFS(in[0]));
                tcg_gen_ld_i64(b, tcg_env, ENV_OFS(in[1]));
                if (ci & 1) {
                    /* b = ext32u(ld32u(...)): the ext32u is known to be a copy */
                    tcg_gen_ld32u_i64(b, tcg_env, ENV_OFS(in[1]));
                    tcg_gen_ext32u_i64(b, b);
                }
                tcg_gen_setcond_i64(conds[ci], t, a, b);
                tcg_gen_st_i64(t, tcg_env, ENV_OFS(out[0]));   /* setcond kept */
                tcg_gen_brcondi_i64(eq ? TCG_COND_EQ : TCG_COND_NE, t, 0, skip);
                tcg_gen_addi_i64(g0, g0, 1);
                gen_set_label(skip);
                tcg_gen_subi_i64(i, i, 1);
                tcg_gen_br(top);
                gen_set_label(out);
                tcg_gen_exit_tb(NULL, 0);
                test_gen(s, &tc);
                for (size_t x = 0; x < ARRAY_SIZE(vals); x++) {
                    for (size_t y = 0; y < ARRAY_SIZE(vals); y++) {
                        env.in[0] = vals[x];
                        env.in[1] = vals[y];
                        env.in[2] = 3;
                        tcg_tb_exec(s, &env, tc.tc_ptr);
                        uint64_t bv = (ci & 1) ? (uint32_t)vals[y] : vals[y];
                        bool taken = c_cond(conds[ci], vals[x], bv);
                        /* NE: branch (skip the add) when the condition holds */
                        uint64_t want = (taken ^ !eq) ? 3 : 0;
                        if (env.g[0] != want || env.out[0] != (uint64_t)taken) {
                            g_test_message("variant %zu cond %s %s a=%#" PRIx64
                                           " b=%#" PRIx64 ": g0 %" PRIu64 " t %" PRIu64,
                                           vi, tcg_cond_name(conds[ci]), eq ? "eq" : "ne",
                                           vals[x], bv, env.g[0], env.out[0]);
                            g_assert_not_reached();
                        }
                    }
                }
                tcg_context_free(s);
            }
        }
    }
}

#define NLIVE 100

static void test_pressure(void)
{
    for (size_t vi = 0; vi < ARRAY_SIZE(variants); vi++) {
        TCGContext *s = ctx_for(&variants[vi]);
        TCGTBCode tc;
        TestEnv env = { 0 };
        TCGv_i64 t[NLIVE];
        tcg_func_start(s);
        for (int i = 0; i < NLIVE; i++) {
            t[i] = tcg_temp_new_i64();
            tcg_gen_ld_i64(t[i], tcg_env, ENV_OFS(scratch[i % 64]));
            tcg_gen_muli_i64(t[i], t[i], i + 1);
        }
        /* 5 rounds: acc += t[i]; t[i] ^= acc, all 100 temps live throughout. */
        TCGv_i64 acc = tcg_temp_new_i64(), round = tcg_temp_new_i64();
        TCGLabel *top = gen_new_label();
        tcg_gen_movi_i64(acc, 0);
        tcg_gen_movi_i64(round, 5);
        gen_set_label(top);
        for (int i = 0; i < NLIVE; i++) {
            tcg_gen_add_i64(acc, acc, t[i]);
            tcg_gen_xor_i64(t[i], t[i], acc);
        }
        tcg_gen_subi_i64(round, round, 1);
        tcg_gen_brcondi_i64(TCG_COND_NE, round, 0, top);
        for (int i = 0; i < NLIVE; i++) {
            tcg_gen_add_i64(acc, acc, t[i]);
        }
        tcg_gen_st_i64(acc, tcg_env, ENV_OFS(out[0]));
        tcg_gen_exit_tb(NULL, 0);
        test_gen(s, &tc);

        for (int i = 0; i < 64; i++) {
            env.scratch[i] = 0x9e3779b97f4a7c15ull * (i + 1);
        }
        uint64_t v[NLIVE], a = 0;
        for (int i = 0; i < NLIVE; i++) {
            v[i] = env.scratch[i % 64] * (i + 1);
        }
        for (int r = 0; r < 5; r++) {
            for (int i = 0; i < NLIVE; i++) {
                a += v[i];
                v[i] ^= a;
            }
        }
        for (int i = 0; i < NLIVE; i++) {
            a += v[i];
        }
        tcg_tb_exec(s, &env, tc.tc_ptr);
        g_assert_cmpuint(env.out[0], ==, a);
        g_assert_cmpuint(s->stat_spills, >, 0);
        tcg_context_free(s);
    }
}

static void test_helpers(void)
{
    for (size_t vi = 0; vi < ARRAY_SIZE(variants); vi++) {
        TCGContext *s = ctx_for(&variants[vi]);
        TCGTBCode tc;
        TestEnv env = { 0 };
        TCGv_i64 a[6], r;

        tcg_func_start(s);
        r = tcg_temp_new_i64();
        for (int i = 0; i < 6; i++) {
            a[i] = tcg_temp_new_i64();
            tcg_gen_ld_i64(a[i], tcg_env, ENV_OFS(in[i]));
        }
        gen_helper_h0(r);
        tcg_gen_st_i64(r, tcg_env, ENV_OFS(out[0]));
        gen_helper_h1(r, a[0]);
        tcg_gen_st_i64(r, tcg_env, ENV_OFS(out[1]));
        gen_helper_h2(r, a[0], a[1]);
        tcg_gen_st_i64(r, tcg_env, ENV_OFS(out[2]));
        gen_helper_h3(r, a[0], a[1], a[2]);
        tcg_gen_st_i64(r, tcg_env, ENV_OFS(out[3]));
        gen_helper_h4(r, a[0], a[1], a[2], a[3]);
        tcg_gen_st_i64(r, tcg_env, ENV_OFS(out[4]));
        gen_helper_h5(r, a[0], a[1], a[2], a[3], a[4]);
        tcg_gen_st_i64(r, tcg_env, ENV_OFS(out[5]));
        /* arguments in a different order, and a repeated one */
        gen_helper_h6(r, a[5], a[4], a[3], a[3], a[1], a[0]);
        tcg_gen_st_i64(r, tcg_env, ENV_OFS(out[6]));
        TCGv_i32 x = tcg_temp_new_i32(), y = tcg_temp_new_i32(), m = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(x, a[0]);
        tcg_gen_extrl_i64_i32(y, a[2]);
        gen_helper_mix(m, x, a[1], y, tcg_constant_ptr(1000));
        tcg_gen_ext_i32_i64(r, m);
        tcg_gen_st_i64(r, tcg_env, ENV_OFS(out[7]));

        /* globals: the helper must see g0 = 5, and g1 written by a helper is reread */
        tcg_gen_movi_i64(g0, 5);
        gen_helper_read_g0(g2, tcg_env);
        tcg_gen_addi_i64(g1, g2, 1);          /* g1 = 6, in a register */
        gen_helper_write_g1(tcg_env, tcg_constant_i64(77));
        tcg_gen_addi_i64(g2, g1, 1);          /* must be 78 */
        /* pure helper whose result is dropped: removed when optimizing */
        TCGv_i64 dropped = tcg_temp_new_i64();
        gen_helper_pure(dropped, a[0]);
        tcg_gen_exit_tb(NULL, 0);
        test_gen(s, &tc);

        for (int i = 0; i < 6; i++) {
            env.in[i] = 0x1111111111111111ull * (i + 1) + 0x0102030405060708ull;
        }
        calls = 0;
        tcg_tb_exec(s, &env, tc.tc_ptr);
        uint64_t *v = env.in;
        g_assert_cmpuint(env.out[0], ==, 0x1234);
        g_assert_cmpuint(env.out[1], ==, helper_h1(v[0]));
        g_assert_cmpuint(env.out[2], ==, helper_h2(v[0], v[1]));
        g_assert_cmpuint(env.out[3], ==, helper_h3(v[0], v[1], v[2]));
        g_assert_cmpuint(env.out[4], ==, helper_h4(v[0], v[1], v[2], v[3]));
        g_assert_cmpuint(env.out[5], ==, helper_h5(v[0], v[1], v[2], v[3], v[4]));
        g_assert_cmpuint(env.out[6], ==, helper_h6(v[5], v[4], v[3], v[3], v[1], v[0]));
        g_assert_cmpint((int64_t)env.out[7], ==,
                        helper_mix(v[0], v[1], (int32_t)v[2], (void *)1000));
        g_assert_cmpuint(env.g[0], ==, 5);
        g_assert_cmpuint(env.g[1], ==, 77);
        g_assert_cmpuint(env.g[2], ==, 78);
        /* h0 always runs; the pure helper only without DCE */
        g_assert_cmpint(calls, ==, 1);
        tcg_context_free(s);
    }
}

static void test_chain(void)
{
    static struct { uint64_t pad; } __attribute__((aligned(8))) tb_a, tb_b;
    for (size_t vi = 0; vi < ARRAY_SIZE(variants); vi++) {
        TCGContext *s = ctx_for(&variants[vi]);
        TCGTBCode a, b;
        TestEnv env = { 0 };

        tcg_func_start(s);
        tcg_gen_addi_i64(g0, g0, 1);
        tcg_gen_goto_tb(0);
        tcg_gen_exit_tb(&tb_a, 0);
        test_gen(s, &a);
        tcg_func_start(s);
        tcg_gen_muli_i64(g0, g0, 10);
        tcg_gen_goto_tb(1);
        tcg_gen_exit_tb(&tb_b, 1);
        test_gen(s, &b);
        g_assert_cmpuint(a.jmp_insn_offset[0], !=, TCG_NO_JMP);
        g_assert_cmpuint(a.jmp_insn_offset[1], ==, TCG_NO_JMP);

        uintptr_t ret = tcg_tb_exec(s, &env, a.tc_ptr);
        g_assert_cmphex(ret, ==, (uintptr_t)&tb_a | TB_EXIT_IDX0);
        g_assert_cmpuint(env.g[0], ==, 1);

        tcg_tb_set_jmp_target(&a, 0, b.tc_ptr);
        ret = tcg_tb_exec(s, &env, a.tc_ptr);
        g_assert_cmphex(ret, ==, (uintptr_t)&tb_b | TB_EXIT_IDX1);
        g_assert_cmpuint(env.g[0], ==, 20);

        /* chain b to a: a loop a -> b -> a ... stop it by unchaining from "outside" */
        tcg_tb_reset_jmp(&a, 0);
        ret = tcg_tb_exec(s, &env, a.tc_ptr);
        g_assert_cmphex(ret, ==, (uintptr_t)&tb_a | TB_EXIT_IDX0);
        g_assert_cmpuint(env.g[0], ==, 21);
        tcg_context_free(s);
    }
}

static const void *lookup_target;
static const void *lookup_hook(void *env)
{
    return lookup_target;
}

static void test_goto_ptr_exit(void)
{
    static struct { uint64_t pad; } __attribute__((aligned(8))) tb_x;
    tcg_set_lookup_tb_ptr(lookup_hook);
    for (size_t vi = 0; vi < ARRAY_SIZE(variants); vi++) {
        TCGContext *s = ctx_for(&variants[vi]);
        TCGTBCode a, b;
        TestEnv env = { 0 };
        tcg_func_start(s);
        tcg_gen_addi_i64(g0, g0, 3);
        tcg_gen_exit_tb(&tb_x, TB_EXIT_REQUESTED);
        test_gen(s, &b);
        tcg_func_start(s);
        tcg_gen_addi_i64(g1, g1, 1);
        tcg_gen_lookup_and_goto_ptr();
        test_gen(s, &a);

        lookup_target = NULL;
        g_assert_cmpuint(tcg_tb_exec(s, &env, a.tc_ptr), ==, 0);
        g_assert_cmpuint(env.g[1], ==, 1);
        g_assert_cmpuint(env.g[0], ==, 0);
        lookup_target = b.tc_ptr;
        g_assert_cmphex(tcg_tb_exec(s, &env, a.tc_ptr), ==,
                        (uintptr_t)&tb_x | TB_EXIT_REQUESTED);
        g_assert_cmpuint(env.g[1], ==, 2);
        g_assert_cmpuint(env.g[0], ==, 3);
        /* The hook is called directly from the code: code generated after the
         * hook is removed must return to the loop, not call the old hook. */
        TCGTBCode c;
        tcg_set_lookup_tb_ptr(NULL);
        tcg_func_start(s);
        tcg_gen_addi_i64(g1, g1, 1);
        tcg_gen_lookup_and_goto_ptr();
        test_gen(s, &c);
        g_assert_cmpuint(tcg_tb_exec(s, &env, c.tc_ptr), ==, 0);
        g_assert_cmpuint(env.g[1], ==, 3);
        g_assert_cmpuint(env.g[0], ==, 3);
        tcg_set_lookup_tb_ptr(lookup_hook);
        tcg_context_free(s);
    }
    tcg_set_lookup_tb_ptr(NULL);
}

static void test_ldst(void)
{
    static const MemOp mops[] = {
        MO_UB, MO_SB, MO_UW, MO_SW, MO_UL, MO_SL, MO_UQ,
        MO_UW | MO_BSWAP, MO_SW | MO_BSWAP, MO_UL | MO_BSWAP, MO_SL | MO_BSWAP,
        MO_UQ | MO_BSWAP,
    };
    GRand *r = g_rand_new_with_seed(7);
    int checks = 0;
    for (size_t vi = 0; vi < ARRAY_SIZE(variants); vi++) {
        for (size_t mi = 0; mi < ARRAY_SIZE(mops); mi++) {
            for (int align = 0; align < 2; align++) {
                for (TCGType t = TCG_TYPE_I32; t <= TCG_TYPE_I64; t++) {
                    MemOp mop = mops[mi] | (align ? MO_ALIGN : 0);
                    int size = 1 << (mop & MO_SIZE);
                    if (t == TCG_TYPE_I32 && size == 8) {
                        continue;
                    }
                    TCGContext *s = ctx_for(&variants[vi]);
                    TCGTBCode tc;
                    TestEnv env = { 0 };
                    tcg_func_start(s);
                    TCGv_i64 addr = tcg_temp_new_i64(), addr2 = tcg_temp_new_i64();
                    tcg_gen_ld_i64(addr, tcg_env, ENV_OFS(in[0]));
                    tcg_gen_ld_i64(addr2, tcg_env, ENV_OFS(in[2]));
                    if (t == TCG_TYPE_I32) {
                        TCGv_i32 v = tcg_temp_new_i32(), w = tcg_temp_new_i32();
                        tcg_gen_qemu_ld_i32(v, addr, 1, mop);
                        tcg_gen_st_i32(v, tcg_env, ENV_OFS(out[0]));
                        tcg_gen_ld_i32(w, tcg_env, ENV_OFS(in[1]));
                        tcg_gen_qemu_st_i32(w, addr2, 0, mop);
                    } else {
                        TCGv_i64 v = tcg_temp_new_i64(), w = tcg_temp_new_i64();
                        tcg_gen_qemu_ld_i64(v, addr, 1, mop);
                        tcg_gen_st_i64(v, tcg_env, ENV_OFS(out[0]));
                        tcg_gen_ld_i64(w, tcg_env, ENV_OFS(in[1]));
                        tcg_gen_qemu_st_i64(w, addr2, 0, mop);
                    }
                    tcg_gen_exit_tb(NULL, 0);
                    test_gen(s, &tc);

                    for (int it = 0; it < 40; it++) {
                        /* pages 0-7 mapped, 8-15 not */
                        tlb_setup(&env, 0xff);
                        for (size_t k = 0; k < sizeof(guest_ram); k += 4) {
                            uint32_t x = g_rand_int(r);
                            memcpy(guest_ram + k, &x, 4);
                        }
                        uint64_t a1, a2;
                        int kind = it % 4;
                        int expect_miss = 0;
                        if (kind == 0) {            /* hits */
                            a1 = g_rand_int_range(r, 0, 8 * 4096 - 8) & ~(size - 1);
                            a2 = g_rand_int_range(r, 0, 8 * 4096 - 8) & ~(size - 1);
                        } else if (kind == 1) {     /* misses: unmapped pages */
                            a1 = g_rand_int_range(r, 8 * 4096, 16 * 4096 - 8);
                            a2 = g_rand_int_range(r, 8 * 4096, 16 * 4096 - 8);
                            expect_miss = 2;
                        } else if (kind == 2) {     /* misaligned in a mapped page */
                            a1 = (g_rand_int_range(r, 0, 8 * 4096 - 16) & ~15) + 1;
                            a2 = (g_rand_int_range(r, 0, 8 * 4096 - 16) & ~15) + 1;
                            expect_miss = (align && size > 1) ? 2 : 0;
                        } else {                    /* crossing pages 2/3 */
                            a1 = 3 * 4096 - (size > 1 ? 1 : 0);
                            a2 = 5 * 4096 - (size > 1 ? 1 : 0);
                            expect_miss = size > 1 ? 2 : 0;
                        }
                        uint64_t val = test_rand64(r);
                        env.in[0] = a1;
                        env.in[1] = val;
                        env.in[2] = a2;
                        uint64_t want = ref_norm(t, ref_qemu_ld(a1, mop));
                        uint8_t expect_ram[sizeof(guest_ram)];
                        memcpy(expect_ram, guest_ram, sizeof(guest_ram));
                        ref_guest_ram = expect_ram;
                        ref_qemu_st(a2, ref_norm(t, val), mop);
                        ref_guest_ram = guest_ram;
                        tcg_tb_exec(s, &env, tc.tc_ptr);
                        if (t == TCG_TYPE_I32) {
                            env.out[0] = (uint32_t)env.out[0];
                        }
                        if (env.out[0] != want || miss_count != expect_miss ||
                            memcmp(expect_ram, guest_ram, sizeof(guest_ram))) {
                            g_test_message("%s mop %x i%d kind %d addr %" PRIx64 "/%" PRIx64
                                           " got %" PRIx64 " want %" PRIx64
                                           " misses %d want %d", tcg_backend_name(s), mop,
                                           t == TCG_TYPE_I32 ? 32 : 64, kind, a1, a2,
                                           env.out[0], want, miss_count, expect_miss);
                            g_assert_not_reached();
                        }
                        checks++;
                    }
                    tcg_context_free(s);
                }
            }
        }
    }
    g_test_message("%d guest accesses checked", checks);
    g_rand_free(r);
}

static void test_restore_state(void)
{
    for (size_t vi = 0; vi < ARRAY_SIZE(variants); vi++) {
        TCGContext *s = ctx_for(&variants[vi]);
        TCGTBCode tc;
        TestEnv env = { 0 };
        tcg_func_start(s);
        TCGv_i64 addr = tcg_temp_new_i64(), v = tcg_temp_new_i64();
        tcg_gen_insn_start(0x401000, 0xa, 0);
        tcg_gen_addi_i64(g0, g0, 1);
        gen_helper_record_ra();
        tcg_gen_insn_start(0x401003, 0xb, 0);
        tcg_gen_addi_i64(g0, g0, 1);
        tcg_gen_insn_start(0x401007, 0xc, 0);
        gen_helper_record_ra();
        tcg_gen_addi_i64(g0, g0, 1);
        tcg_gen_insn_start(0x401010, 0xd, 0);
        tcg_gen_movi_i64(addr, 9 * 4096 + 8);    /* unmapped: slow path */
        tcg_gen_qemu_ld_i64(v, addr, 0, MO_UQ);
        tcg_gen_add_i64(g1, g1, v);
        tcg_gen_insn_start(0x401020, 0xe, 0);
        gen_helper_record_ra();
        tcg_gen_exit_tb(NULL, 0);
        test_gen(s, &tc);
        g_assert_cmpint(tc.icount, ==, 5);

        tlb_setup(&env, 0xff);
        nb_recorded = 0;
        tcg_tb_exec(s, &env, tc.tc_ptr);
        g_assert_cmpint(nb_recorded, ==, 3);
        g_assert_cmpint(miss_count, ==, 1);
        uint64_t data[TCG_MAX_INSN_START_WORDS];
        static const uint64_t want_pc[] = { 0x401000, 0x401007, 0x401020 };
        static const uint64_t want_w1[] = { 0xa, 0xc, 0xe };
        for (int i = 0; i < 3; i++) {
            g_assert_cmpint(tcg_restore_state_from_host_pc(&tc, recorded_ra[i], data), >=,
                            0);
            g_assert_cmphex(data[0], ==, want_pc[i]);
            g_assert_cmphex(data[1], ==, want_w1[i]);
        }
        g_assert_cmpint(tcg_restore_state_from_host_pc(&tc, last_retaddr, data), ==, 3);
        g_assert_cmphex(data[0], ==, 0x401010);
        g_assert_cmphex(data[1], ==, 0xd);
        g_assert_cmpint(tcg_restore_state_from_host_pc(&tc, (uintptr_t)tc.tc_ptr +
                                                       tc.tc_size + 100, data), ==, -1);
        tcg_context_free(s);
    }
}

static void test_codebuf(void)
{
    TCGContext *s = ctx_for(&variants[1]);
    TCGTBCode tc;
    g_assert_true(tcg_code_buffer_is_split(s));
    tcg_func_start(s);
    tcg_gen_addi_i64(g0, g0, 0x12345);
    tcg_gen_exit_tb(NULL, 0);
    test_gen(s, &tc);
    /* the code is not writable through its executable address */
    const uint8_t *rx = tc.tc_ptr;
    const uint8_t *rw = tcg_splitwx_to_rw(s, rx);
    g_assert_true(rx != rw);
    g_assert_cmpmem(rx, tc.tc_size, rw, tc.tc_size);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    tcg_disas_tb(s, f, &tc);
    fclose(f);
#if CONFIG_CAPSTONE
    g_assert_nonnull(strstr(buf, "add"));
#endif
    g_assert_cmpuint(len, >, 0);
    free(buf);
    /* fill the buffer: gen_code reports it, reset makes room again */
    int n, tbs = 0;
    do {
        tcg_func_start(s);
        for (int i = 0; i < 200; i++) {
            tcg_gen_addi_i64(g0, g0, i * 0x1001);
            tcg_gen_xori_i64(g1, g1, i);
        }
        tcg_gen_exit_tb(NULL, 0);
        n = tcg_gen_code(s, &tc);
        tbs++;
    } while (n > 0 && tbs < 100000);
    g_assert_cmpint(n, ==, TCG_GEN_BUFFER_FULL);
    tcg_code_buffer_reset(s);
    g_assert_cmpint(tcg_gen_code(s, &tc), >, 0);
    tcg_context_free(s);
}

/* Not a test: `test-tcg-exec -m perf -p /tcg/exec/perf` prints translation and
 * execution speed for both backends. */
static void test_perf(void)
{
    if (!g_test_perf()) {
        g_test_skip("run with -m perf");
        return;
    }
    for (int b = 0; b < NB_TEST_BACKENDS; b++) {
        Variant v = { test_backends[b], true };
        TCGContext *s = ctx_for(&v);
        TCGTBCode tc;
        TestEnv env = { 0 };
        tlb_setup(&env, 0xff);

        /* translation: TBs of ~64 guest-like "instructions" of 8 ops each */
        long ops = 0;
        gint64 t0 = g_get_monotonic_time();
        for (int n = 0; n < 2000; n++) {
            tcg_func_start(s);
            TCGv_i64 t = tcg_temp_new_i64(), a = tcg_temp_new_i64();
            for (int i = 0; i < 64; i++) {
                tcg_gen_insn_start(0x1000 + i * 4, 0, 0);
                tcg_gen_add_i64(t, g0, g1);
                tcg_gen_andi_i64(a, t, 0x7ff8);
                tcg_gen_qemu_ld_i64(t, a, 0, MO_UQ);
                tcg_gen_xor_i64(g1, g1, t);
                tcg_gen_shli_i64(t, t, 3);
                tcg_gen_setcond_i64(TCG_COND_LTU, a, t, g2);
                tcg_gen_add_i64(g2, g2, a);
            }
            tcg_gen_exit_tb(NULL, 0);
            ops += s->nb_ops;
            if (tcg_gen_code(s, &tc) == TCG_GEN_BUFFER_FULL) {
                tcg_code_buffer_reset(s);
            }
        }
        double dt = (g_get_monotonic_time() - t0) / 1e6;
        g_test_message("%s: translated %ld ops in %.3f s: %.1f M ops/s, %.1f k TBs/s",
                       tcg_backend_name(s), ops, dt, ops / dt / 1e6, 2000 / dt / 1e3);

        /* execution: a 20M-iteration loop of mixed arithmetic */
        tcg_func_start(s);
        TCGv_i64 i = tcg_temp_new_i64(), x = tcg_temp_new_i64();
        TCGLabel *top = gen_new_label();
        tcg_gen_movi_i64(i, 20000000);
        tcg_gen_movi_i64(g0, 1);
        gen_set_label(top);
        tcg_gen_muli_i64(x, g0, 0x9e3779b9);
        tcg_gen_shri_i64(x, x, 7);
        tcg_gen_xor_i64(g0, g0, x);
        tcg_gen_addi_i64(g0, g0, 12345);
        tcg_gen_subi_i64(i, i, 1);
        tcg_gen_brcondi_i64(TCG_COND_NE, i, 0, top);
        tcg_gen_exit_tb(NULL, 0);
        test_gen(s, &tc);
        t0 = g_get_monotonic_time();
        tcg_tb_exec(s, &env, tc.tc_ptr);
        dt = (g_get_monotonic_time() - t0) / 1e6;
        g_test_message("%s: 20M loop iterations (6 ops each) in %.3f s, %.0f M iter/s, "
                       "result %016" PRIx64, tcg_backend_name(s), dt, 20 / dt, env.g[0]);
        tcg_context_free(s);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tcg/exec/loop", test_loop);
    g_test_add_func("/tcg/exec/pressure", test_pressure);
    g_test_add_func("/tcg/exec/fused-branch", test_fused_branch);
    g_test_add_func("/tcg/exec/helpers", test_helpers);
    g_test_add_func("/tcg/exec/chain", test_chain);
    g_test_add_func("/tcg/exec/goto-ptr-exit", test_goto_ptr_exit);
    g_test_add_func("/tcg/exec/ldst", test_ldst);
    g_test_add_func("/tcg/exec/restore-state", test_restore_state);
    g_test_add_func("/tcg/exec/code-buffer", test_codebuf);
    g_test_add_func("/tcg/exec/perf", test_perf);
    return g_test_run();
}
