/*
 * The x86 test system (x86-run.h) itself: code runs in each mode, HLT stops,
 * and exceptions land on their stubs with the frame the SDM describes
 * (§6.14.1 64-bit frames, §6.12.1 protected mode, §20.1.4 real mode).
 */
#include "util/osdep.h"
#include "x86-run.h"

static TCGBackendKind be_of(gconstpointer p)
{
    return (TCGBackendKind)GPOINTER_TO_INT(p);
}

static X86RunResult run_code(X86RunMode mode, bool user, const uint8_t *code, size_t len)
{
    x86run_setup(mode);
    if (user) {
        x86run_enter_user();
    }
    x86run_write(X86RUN_CODE, code, len);
    return x86run_exec(X86RUN_CODE, 1000);
}

static void expect(const X86RunResult *r, X86RunStop stop, int vector)
{
    g_autofree char *d = x86run_describe(r);
    g_test_message("%s", d);
    g_assert_cmpint(r->stop, ==, stop);
    g_assert_cmpint(r->vector, ==, vector);
}

static void test_long_halt(gconstpointer p)
{
    x86run_init(be_of(p));
    /* mov rax, 0x1122334455667788; add rax, 1; push rax; pop rbx; hlt */
    static const uint8_t code[] = { 0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22,
                                    0x11, 0x48, 0x83, 0xc0, 0x01, 0x50, 0x5b, 0xf4 };
    X86RunResult r = run_code(X86RUN_LONG, false, code, sizeof(code));
    expect(&r, X86RUN_HALT, -1);
    g_assert_cmphex(x86run_env()->regs[R_EBX], ==, 0x1122334455667789ull);
    g_assert_cmphex(x86run_env()->rip, ==, X86RUN_CODE + sizeof(code));
    g_assert_cmphex(x86run_read64(X86RUN_KSTACK - 8), ==, 0x1122334455667789ull);
}

static void test_long_ud(gconstpointer p)
{
    x86run_init(be_of(p));
    static const uint8_t code[] = { 0x90, 0x0f, 0x0b };   /* nop; ud2 */
    X86RunResult r = run_code(X86RUN_LONG, false, code, sizeof(code));
    expect(&r, X86RUN_EXCEPTION, 6);
    g_assert_false(r.has_error_code);
    g_assert_cmphex(r.frame_rip, ==, X86RUN_CODE + 1);
    g_assert_cmphex(r.frame_cs, ==, X86RUN_SEL_CS64);
    g_assert_cmphex(r.frame_rsp, ==, X86RUN_KSTACK);
}

static void test_long_pf(gconstpointer p)
{
    x86run_init(be_of(p));
    /* mov rax, 1 << 32; mov [rax], ebx: beyond the 4 GiB mapped */
    static const uint8_t code[] = { 0x48, 0xb8, 0, 0, 0, 0, 1, 0, 0, 0, 0x89, 0x18 };
    X86RunResult r = run_code(X86RUN_LONG, false, code, sizeof(code));
    expect(&r, X86RUN_EXCEPTION, 14);
    g_assert_true(r.has_error_code);
    g_assert_cmphex(r.error_code, ==, 0x2);              /* W, not present, supervisor */
    g_assert_cmphex(x86run_env()->cr[2], ==, 1ull << 32);
    g_assert_cmphex(r.frame_rip, ==, X86RUN_CODE + 10);
}

static void test_long_user_int3(gconstpointer p)
{
    x86run_init(be_of(p));
    static const uint8_t code[] = { 0x6a, 0x2a, 0xcc };   /* push 42; int3 */
    X86RunResult r = run_code(X86RUN_LONG, true, code, sizeof(code));
    expect(&r, X86RUN_EXCEPTION, 3);
    g_assert_cmphex(r.frame_cs, ==, X86RUN_SEL_UCS64);
    g_assert_cmphex(r.frame_rip, ==, X86RUN_CODE + 3);   /* trap: after INT3 */
    g_assert_cmphex(r.frame_rsp, ==, X86RUN_USTACK - 8);
    g_assert_cmphex(r.frame_ss, ==, X86RUN_SEL_UDS);
    g_assert_cmphex(x86run_env()->regs[R_ESP], ==, X86RUN_KSTACK - 40);  /* from RSP0 */
    g_assert_cmpint(x86run_env()->hflags & HF_CPL_MASK, ==, 0);
}

static void test_long_de(gconstpointer p)
{
    x86run_init(be_of(p));
    static const uint8_t code[] = { 0x31, 0xc9, 0xf7, 0xf1 };   /* xor ecx, ecx; div ecx */
    X86RunResult r = run_code(X86RUN_LONG, false, code, sizeof(code));
    expect(&r, X86RUN_EXCEPTION, 0);
    g_assert_cmphex(r.frame_rip, ==, X86RUN_CODE + 2);
}

static void test_prot32_halt(gconstpointer p)
{
    x86run_init(be_of(p));
    /* mov eax, 0x80000000; shl eax, 1 (CF = 1); setc bl; hlt */
    static const uint8_t code[] = { 0xb8, 0, 0, 0, 0x80, 0xd1, 0xe0, 0x0f, 0x92, 0xc3, 0xf4 };
    X86RunResult r = run_code(X86RUN_PROT32, false, code, sizeof(code));
    expect(&r, X86RUN_HALT, -1);
    g_assert_cmphex(x86run_env()->regs[R_EBX] & 0xff, ==, 1);
    g_assert_cmphex(x86run_env()->regs[R_EAX], ==, 0);
}

static void test_real_ud(gconstpointer p)
{
    x86run_init(be_of(p));
    /* 16-bit: mov ax, 0x1234; ud2 */
    static const uint8_t code[] = { 0xb8, 0x34, 0x12, 0x0f, 0x0b };
    x86run_setup(X86RUN_REAL);
    x86run_write(0x7c00, code, sizeof(code));
    X86RunResult r = x86run_exec(0x7c00, 1000);
    expect(&r, X86RUN_EXCEPTION, 6);
    g_assert_cmphex(x86run_env()->regs[R_EAX] & 0xffff, ==, 0x1234);
    g_assert_cmphex(r.frame_rip, ==, 0x7c03);
    g_assert_cmphex(r.frame_cs, ==, 0);
    g_assert_cmphex(x86run_env()->regs[R_ESP] & 0xffff, ==, 0xf000 - 6);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    static const struct {
        const char *name;
        void (*fn)(gconstpointer);
    } tests[] = {
        { "long/halt", test_long_halt }, { "long/ud", test_long_ud },
        { "long/pf", test_long_pf }, { "long/user-int3", test_long_user_int3 },
        { "long/de", test_long_de }, { "prot32/halt", test_prot32_halt },
        { "real/ud", test_real_ud },
    };
    TCGBackendKind bes[2];
    int nb = x86run_backends(bes);
    for (int b = 0; b < nb; b++) {
        for (unsigned i = 0; i < G_N_ELEMENTS(tests); i++) {
            g_autofree char *path = g_strdup_printf(
                "/x86-run/%s/%s", bes[b] == TCG_BACKEND_TCI ? "tci" : "native", tests[i].name);
            g_test_add_data_func(path, GINT_TO_POINTER(bes[b]), tests[i].fn);
        }
    }
    return g_test_run();
}
