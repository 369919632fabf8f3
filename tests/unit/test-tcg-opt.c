/*
 * The optimizer's output, op by op: constants folded, copies propagated, algebraic
 * identities applied, branches with constant conditions folded, unreachable code and
 * unused labels removed, dead ops dropped by liveness, and no folding across a
 * helper that may write globals. Checks the -d op_opt text the pass produces.
 */
#include "tcg-test.h"
#include "tcg/tcg-helper.h"

DEF_HELPER_FLAGS_1(clobber, 0, void, env)
DEF_HELPER_FLAGS_1(peek, TCG_CALL_NO_WG, void, env)

void helper_clobber(CPUArchState *env)
{
}
void helper_peek(CPUArchState *env)
{
}

static TCGContext *s;
static TCGv_i64 g0, g1;

static void setup(void)
{
    if (!s) {
        s = test_ctx_new(TCG_BACKEND_TCI, true);
        g0 = tcg_global_mem_new_i64(tcg_env, ENV_OFS(g[0]), "g0");
        g1 = tcg_global_mem_new_i64(tcg_env, ENV_OFS(g[1]), "g1");
    }
    tcg_set_ctx(s);
    tcg_func_start(s);
}

/* Optimize + liveness, then compare the op list with `want` (one op per line). */
static void check(const char *want)
{
    tcg_optimize(s);
    tcg_liveness_analysis(s);
    GString *got = tcg_dump_ops_str(s, false);
    if (strcmp(got->str, want)) {
        g_test_message("got:\n%s\nwant:\n%s", got->str, want);
        g_assert_not_reached();
    }
    g_string_free(got, true);
}

static void test_fold_constants(void)
{
    setup();
    TCGv_i64 a = tcg_temp_new_i64(), b = tcg_temp_new_i64(), c = tcg_temp_new_i64();
    tcg_gen_movi_i64(a, 3);
    tcg_gen_addi_i64(b, a, 4);
    tcg_gen_mul_i64(c, b, b);
    tcg_gen_shli_i64(c, c, 65);             /* count masked: << 1 */
    tcg_gen_bswap16_i64(c, c, TCG_BSWAP_OZ);
    tcg_gen_mov_i64(g0, c);
    TCGv_i32 x = tcg_temp_new_i32();
    tcg_gen_movi_i32(x, 0x80000000);
    tcg_gen_sari_i32(x, x, 4);
    tcg_gen_clzi_i32(x, x, 99);             /* clz(0xf8000000) = 0 */
    tcg_gen_ext_i32_i64(g1, x);
    tcg_gen_exit_tb(NULL, 0);
    /* 49 << 1 = 0x62, byte-swapped in 16 bits: 0x6200 */
    check(" mov_i64 g0,$0x6200\n"
          " mov_i64 g1,$0x0\n"
          " exit_tb $0x0\n");
}

static void test_fold_all_const_ops(void)
{
    /* mulu2/add2 with constant inputs become two movs; div by zero is not folded */
    setup();
    TCGv_i64 lo = tcg_temp_new_i64(), hi = tcg_temp_new_i64();
    tcg_gen_mulu2_i64(lo, hi, tcg_constant_i64(-1), tcg_constant_i64(4));
    tcg_gen_mov_i64(g0, lo);
    tcg_gen_mov_i64(g1, hi);
    TCGv_i64 q = tcg_temp_new_i64();
    tcg_gen_divu_i64(q, tcg_constant_i64(10), tcg_constant_i64(0));
    tcg_gen_st_i64(q, tcg_env, ENV_OFS(out[0]));
    tcg_gen_exit_tb(NULL, 0);
    check(" mov_i64 g0,$0xfffffffffffffffc\n"
          " mov_i64 g1,$0x3\n"
          " divu_i64 tmp4,$0xa,$0x0\n"
          " st_i64 tmp4,env,$0x140\n"
          " exit_tb $0x0\n");
}

static void test_copy_propagation(void)
{
    setup();
    TCGv_i64 a = tcg_temp_new_i64(), b = tcg_temp_new_i64(), c = tcg_temp_new_i64();
    tcg_gen_ld_i64(a, tcg_env, ENV_OFS(in[0]));
    tcg_gen_mov_i64(b, a);
    tcg_gen_mov_i64(c, b);
    tcg_gen_add_i64(g0, c, b);
    tcg_gen_mov_i64(b, g0);                 /* b now a copy of the global */
    tcg_gen_xor_i64(g1, b, a);
    tcg_gen_exit_tb(NULL, 0);
    check(" ld_i64 tmp0,env,$0x100\n"
          " add_i64 g0,tmp0,tmp0\n"
          " xor_i64 g1,g0,tmp0\n"
          " exit_tb $0x0\n");
}

static void test_identities(void)
{
    setup();
    TCGv_i64 x = tcg_temp_new_i64(), t = tcg_temp_new_i64();
    tcg_gen_ld_i64(x, tcg_env, ENV_OFS(in[0]));
    tcg_gen_add_i64(t, x, tcg_constant_i64(0));
    tcg_gen_st_i64(t, tcg_env, ENV_OFS(out[0]));
    tcg_gen_mul_i64(t, tcg_constant_i64(1), x);
    tcg_gen_st_i64(t, tcg_env, ENV_OFS(out[1]));
    tcg_gen_and_i64(t, x, tcg_constant_i64(0));
    tcg_gen_st_i64(t, tcg_env, ENV_OFS(out[2]));
    tcg_gen_or_i64(t, x, tcg_constant_i64(-1));
    tcg_gen_st_i64(t, tcg_env, ENV_OFS(out[3]));
    tcg_gen_xor_i64(t, x, x);
    tcg_gen_st_i64(t, tcg_env, ENV_OFS(out[4]));
    tcg_gen_sub_i64(t, x, x);
    tcg_gen_st_i64(t, tcg_env, ENV_OFS(out[5]));
    tcg_gen_and_i64(t, x, x);
    tcg_gen_st_i64(t, tcg_env, ENV_OFS(out[6]));
    tcg_gen_shl_i64(t, x, tcg_constant_i64(64));  /* masked count 0 */
    tcg_gen_st_i64(t, tcg_env, ENV_OFS(out[7]));
    tcg_gen_exit_tb(NULL, 0);
    check(" ld_i64 tmp0,env,$0x100\n"
          " st_i64 tmp0,env,$0x140\n"
          " st_i64 tmp0,env,$0x148\n"
          " st_i64 $0x0,env,$0x150\n"
          " st_i64 $0xffffffffffffffff,env,$0x158\n"
          " st_i64 $0x0,env,$0x160\n"
          " st_i64 $0x0,env,$0x168\n"
          " st_i64 tmp0,env,$0x170\n"
          " st_i64 tmp0,env,$0x178\n"
          " exit_tb $0x0\n");
}

static void test_branch_folding(void)
{
    setup();
    TCGv_i64 a = tcg_temp_new_i64();
    TCGLabel *l1 = gen_new_label(), *l2 = gen_new_label();
    tcg_gen_movi_i64(a, 1);
    /* always taken: becomes br, the code after it is unreachable */
    tcg_gen_brcondi_i64(TCG_COND_LT, a, 2, l1);
    tcg_gen_movi_i64(g0, 111);
    tcg_gen_movi_i64(g1, 222);
    gen_set_label(l1);
    /* never taken: removed, and l2 loses its only reference */
    tcg_gen_brcondi_i64(TCG_COND_GTU, a, 5, l2);
    tcg_gen_movi_i64(g0, 333);
    gen_set_label(l2);
    tcg_gen_exit_tb(NULL, 0);
    check(" mov_i64 g0,$0x14d\n"
          " exit_tb $0x0\n");
}

static void test_branch_to_next(void)
{
    /* a branch straight to the next op is no branch: both op and label go */
    setup();
    TCGv_i64 a = tcg_temp_new_i64();
    TCGLabel *l = gen_new_label();
    tcg_gen_ld_i64(a, tcg_env, ENV_OFS(in[0]));
    tcg_gen_brcondi_i64(TCG_COND_EQ, a, 0, l);
    gen_set_label(l);
    tcg_gen_mov_i64(g0, a);
    tcg_gen_exit_tb(NULL, 0);
    check(" ld_i64 tmp0,env,$0x100\n"
          " mov_i64 g0,tmp0\n"
          " exit_tb $0x0\n");
}

static void test_dead_code(void)
{
    setup();
    TCGv_i64 a = tcg_temp_new_i64(), b = tcg_temp_new_i64();
    tcg_gen_ld_i64(a, tcg_env, ENV_OFS(in[0]));
    tcg_gen_ld_i64(b, tcg_env, ENV_OFS(in[1]));
    tcg_gen_mul_i64(b, b, a);               /* result never used */
    tcg_gen_add_i64(g0, a, a);
    tcg_gen_addi_i64(g0, g0, 1);            /* first g0 value still needed here */
    tcg_gen_mov_i64(g1, a);
    tcg_gen_movi_i64(g1, 7);                /* g1 = a is overwritten: removed */
    tcg_gen_exit_tb(NULL, 0);
    check(" ld_i64 tmp0,env,$0x100\n"
          " add_i64 g0,tmp0,tmp0\n"
          " add_i64 g0,g0,$0x1\n"
          " mov_i64 g1,$0x7\n"
          " exit_tb $0x0\n");
}

static void test_calls_forget_globals(void)
{
    setup();
    tcg_gen_movi_i64(g0, 5);
    gen_helper_peek(tcg_env);               /* NO_WG: g0 still known to be 5 */
    tcg_gen_addi_i64(g1, g0, 1);
    tcg_gen_st_i64(g1, tcg_env, ENV_OFS(out[0]));
    gen_helper_clobber(tcg_env);            /* may write g0: no folding after it */
    tcg_gen_addi_i64(g1, g0, 1);
    tcg_gen_exit_tb(NULL, 0);
    check(" mov_i64 g0,$0x5\n"
          " call peek,$0x2,$0,env\n"
          " mov_i64 g1,$0x6\n"
          " st_i64 $0x6,env,$0x140\n"
          " call clobber,$0x0,$0,env\n"
          " add_i64 g1,g0,$0x1\n"
          " exit_tb $0x0\n");
}

static void test_labels_forget(void)
{
    /* values known before a label are not known after it */
    setup();
    TCGv_i64 a = tcg_temp_new_i64();
    TCGLabel *l = gen_new_label();
    tcg_gen_movi_i64(a, 4);
    tcg_gen_brcond_i64(TCG_COND_EQ, g0, g1, l);
    tcg_gen_movi_i64(a, 8);
    gen_set_label(l);
    tcg_gen_add_i64(g0, a, a);
    tcg_gen_exit_tb(NULL, 0);
    check(" mov_i64 loc0,$0x4\n"
          " brcond_i64 g0,g1,eq,$L0\n"
          " mov_i64 loc0,$0x8\n"
          " set_label $L0\n"
          " add_i64 g0,loc0,loc0\n"
          " exit_tb $0x0\n");
}

static void test_known_zeros(void)
{
    /*
     * ext32u/ext16u/AND of values whose high bits are known to be zero become
     * copies (and are then propagated away); where a bit may be set they stay.
     */
    setup();
    TCGv_i64 a = tcg_temp_new_i64(), b = tcg_temp_new_i64(), c = tcg_temp_new_i64();
    TCGv_i64 d = tcg_temp_new_i64();
    tcg_gen_ld32u_i64(a, tcg_env, ENV_OFS(in[0]));  /* bits 63:32 are zero */
    tcg_gen_ext32u_i64(b, a);                       /* a copy */
    tcg_gen_andi_i64(c, b, 0xffffffff);             /* a copy */
    tcg_gen_ext16u_i64(d, c);                       /* bits 31:16 may be set: kept */
    tcg_gen_andi_i64(d, d, 0x1ffff);                /* a copy of the ext16u */
    tcg_gen_add_i64(g0, c, d);
    tcg_gen_ext32u_i64(g1, g0);                     /* the add may carry out: kept */
    tcg_gen_shri_i64(c, a, 24);                     /* 8 bits left */
    tcg_gen_ext8u_i64(c, c);                        /* a copy */
    tcg_gen_st_i64(c, tcg_env, ENV_OFS(out[0]));
    tcg_gen_exit_tb(NULL, 0);
    check(" ld32u_i64 tmp0,env,$0x100\n"
          " ext16u_i64 tmp3,tmp0\n"
          " add_i64 g0,tmp0,tmp3\n"
          " ext32u_i64 g1,g0\n"
          " shr_i64 tmp2,tmp0,$0x18\n"
          " st_i64 tmp2,env,$0x140\n"
          " exit_tb $0x0\n");
}

static void test_known_zeros_forgotten(void)
{
    /* After a label (or for a global at TB entry) nothing is known. */
    setup();
    TCGv_i64 a = tcg_temp_new_i64();
    TCGLabel *l = gen_new_label();
    tcg_gen_ext32u_i64(g0, g1);                     /* g1 unknown: kept */
    tcg_gen_ext32u_i64(a, g0);                      /* a copy of g0 */
    tcg_gen_brcondi_i64(TCG_COND_EQ, a, 7, l);
    tcg_gen_movi_i64(g1, 0);
    gen_set_label(l);
    tcg_gen_ext32u_i64(g1, g0);                     /* after the label: kept */
    tcg_gen_exit_tb(NULL, 0);
    check(" ext32u_i64 g0,g1\n"
          " brcond_i64 g0,$0x7,eq,$L0\n"
          " mov_i64 g1,$0x0\n"
          " set_label $L0\n"
          " ext32u_i64 g1,g0\n"
          " exit_tb $0x0\n");
}

static void test_brcond_setcond(void)
{
    /*
     * brcond (setcond (a, b, c), 0, ne) branches on (a, b, c), with eq on the
     * inverse; the setcond dies when nothing else reads it. Not when an input
     * of the setcond is written in between.
     */
    setup();
    TCGv_i64 t = tcg_temp_new_i64(), u = tcg_temp_new_i64();
    TCGLabel *l1 = gen_new_label(), *l2 = gen_new_label();
    tcg_gen_setcond_i64(TCG_COND_LTU, t, g0, g1);
    tcg_gen_brcondi_i64(TCG_COND_NE, t, 0, l1);
    tcg_gen_setcond_i64(TCG_COND_TSTNE, t, g0, g1);
    tcg_gen_brcondi_i64(TCG_COND_EQ, t, 0, l1);
    tcg_gen_setcond_i64(TCG_COND_GT, u, g0, g1);
    tcg_gen_addi_i64(g0, g0, 1);                    /* an input changes */
    tcg_gen_brcondi_i64(TCG_COND_NE, u, 0, l2);
    tcg_gen_exit_tb(NULL, 0);
    gen_set_label(l1);
    tcg_gen_exit_tb(NULL, 1);
    gen_set_label(l2);
    tcg_gen_exit_tb(NULL, 2);
    check(" brcond_i64 g0,g1,ltu,$L0\n"
          " brcond_i64 g0,g1,tsteq,$L0\n"
          " setcond_i64 tmp1,g0,g1,gt\n"
          " add_i64 g0,g0,$0x1\n"
          " brcond_i64 tmp1,$0x0,ne,$L1\n"
          " exit_tb $0x0\n"
          " set_label $L0\n"
          " exit_tb $0x1\n"
          " set_label $L1\n"
          " exit_tb $0x2\n");
}

static void test_tb_temp_demotion(void)
{
    /*
     * Liveness demotes a TB temp that is written before it is read in every
     * extended basic block (printed tmpN then); one read after a label before
     * any write there carries a value across the label and stays a TB temp
     * (locN).
     */
    setup();
    TCGv_i64 a = tcg_temp_new_i64(), b = tcg_temp_new_i64();
    TCGLabel *l = gen_new_label();
    tcg_gen_ld_i64(a, tcg_env, ENV_OFS(in[0]));
    tcg_gen_ld_i64(b, tcg_env, ENV_OFS(in[1]));
    tcg_gen_brcond_i64(TCG_COND_EQ, a, g0, l);
    tcg_gen_mov_i64(g1, a);
    gen_set_label(l);
    tcg_gen_ld_i64(a, tcg_env, ENV_OFS(in[2]));     /* written again first */
    tcg_gen_add_i64(g0, a, b);                      /* b: from before the label */
    tcg_gen_exit_tb(NULL, 0);
    check(" ld_i64 tmp0,env,$0x100\n"
          " ld_i64 loc1,env,$0x108\n"
          " brcond_i64 tmp0,g0,eq,$L0\n"
          " mov_i64 g1,tmp0\n"
          " set_label $L0\n"
          " ld_i64 tmp0,env,$0x110\n"
          " add_i64 g0,tmp0,loc1\n"
          " exit_tb $0x0\n");
}

static void test_dump_format(void)
{
    setup();
    TCGv_i32 x = tcg_temp_ebb_new_i32();
    TCGv_i64 addr = tcg_temp_new_i64();
    tcg_gen_insn_start(0x401000, 0x12, 0);
    tcg_gen_ld_i64(addr, tcg_env, ENV_OFS(in[0]));
    tcg_gen_qemu_ld_i32(x, addr, 2, MO_SW | MO_BSWAP | MO_ALIGN);
    tcg_gen_setcondi_i32(TCG_COND_GEU, x, x, 3);
    tcg_gen_extu_i32_i64(g0, x);
    tcg_gen_goto_tb(1);
    tcg_gen_exit_tb((void *)0x1000, 1);
    GString *str = tcg_dump_ops_str(s, false);
    g_assert_cmpstr(str->str, ==,
                    " ---- 0000000000401000 0000000000000012\n"
                    " ld_i64 loc1,env,$0x100\n"
                    " qemu_ld_i32 tmp0,loc1,sw_be_al,2\n"
                    " setcond_i32 tmp0,tmp0,$0x3,geu\n"
                    " extu_i32_i64 g0,tmp0\n"
                    " goto_tb $0x1\n"
                    " exit_tb $0x1001\n");
    g_string_free(str, true);
    tcg_liveness_analysis(s);
    str = tcg_dump_ops_str(s, true);
    g_assert_nonnull(strstr(str->str, "extu_i32_i64 g0,tmp0                     dead: 0 1"
                                      " sync: 0"));
    g_string_free(str, true);
}

static void test_iterate_ops(void)
{
    setup();
    TCGv_i64 a = tcg_temp_new_i64();
    tcg_gen_ld_i64(a, tcg_env, ENV_OFS(in[0]));
    tcg_gen_addi_i64(a, a, 2);
    tcg_gen_addi_i64(a, a, 3);
    tcg_gen_mov_i64(g0, a);
    tcg_gen_exit_tb(NULL, 0);
    tcg_optimize(s);
    int n = 0, adds = 0;
    for (TCGOp *op = tcg_first_op(s); op; op = tcg_op_next(op)) {
        char buf[32];
        n++;
        if (!strcmp(tcg_op_name(op, buf, sizeof(buf)), "add_i64")) {
            adds++;
            g_assert_cmpint(tcg_op_nb_oargs(op), ==, 1);
            g_assert_cmpint(tcg_op_nb_iargs(op), ==, 2);
        }
    }
    g_assert_cmpint(adds, ==, 2);   /* (a + 2) + 3 is not reassociated */
    g_assert_cmpint(n, ==, 5);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tcg/opt/fold-constants", test_fold_constants);
    g_test_add_func("/tcg/opt/fold-all-const-ops", test_fold_all_const_ops);
    g_test_add_func("/tcg/opt/copy-propagation", test_copy_propagation);
    g_test_add_func("/tcg/opt/identities", test_identities);
    g_test_add_func("/tcg/opt/branch-folding", test_branch_folding);
    g_test_add_func("/tcg/opt/branch-to-next", test_branch_to_next);
    g_test_add_func("/tcg/opt/dead-code", test_dead_code);
    g_test_add_func("/tcg/opt/calls-forget-globals", test_calls_forget_globals);
    g_test_add_func("/tcg/opt/labels-forget", test_labels_forget);
    g_test_add_func("/tcg/opt/known-zeros", test_known_zeros);
    g_test_add_func("/tcg/opt/known-zeros-forgotten", test_known_zeros_forgotten);
    g_test_add_func("/tcg/opt/brcond-setcond", test_brcond_setcond);
    g_test_add_func("/tcg/opt/tb-temp-demotion", test_tb_temp_demotion);
    g_test_add_func("/tcg/opt/dump-format", test_dump_format);
    g_test_add_func("/tcg/opt/iterate-ops", test_iterate_ops);
    return g_test_run();
}
