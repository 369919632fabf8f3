/*
 * External interrupts whose vector is also an exception vector, on the x86-run
 * system, on every TCG backend. A BIOS leaves the 8259 at vectors 8-15, so
 * IRQ 0 arrives as vector 8 (#DF's) and IRQ 5 as vector 13 (#GP's); a boot
 * loader that stays in protected mode with that mapping (SYSLINUX's PM core
 * reflects every vector to the real-mode IVT) takes them through its IDT.
 *
 *  - an external interrupt pushes no error code, whatever its vector (SDM
 *    vol. 3 §6.13 "Error Code": "the error code is not pushed ... for
 *    external interrupts"): the frame is EIP, CS, EFLAGS in 32-bit protected
 *    mode and RIP, CS, RFLAGS, RSP, SS in long mode, nothing more;
 *  - an external interrupt is a benign event for the double-fault rules (SDM
 *    vol. 3 §6.15 "Interrupt 8", Table 6-4): when its gate is not present the
 *    CPU delivers #NP with the IDT error code (index, IDT bit, EXT = 1), not
 *    #DF.
 *
 * The interrupt is raised with CPU_INTERRUPT_HARD before the run; the test's
 * acknowledge hook returns the vector, as the 8259 does on INTA. The guest
 * code is STI; NOP; then a loop, so the interrupt is taken right after the
 * STI shadow, at the loop.
 */
#include "util/osdep.h"
#include "accel/tcg/tcg-cpu-ops.h"
#include "system/memory.h"
#include "x86-run.h"

static int pending_vector;

static int ack_vector(CPUState *cs)
{
    cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
    return pending_vector;
}

static TCGBackendKind be_of(gconstpointer p)
{
    return (TCGBackendKind)GPOINTER_TO_INT(p);
}

/* sti; nop; 1: jmp 1b */
static const uint8_t code_sti_loop[] = { 0xfb, 0x90, 0xeb, 0xfe };
#define LOOP_OFF 2

static uint32_t read32(uint64_t gpa)
{
    uint32_t v;
    x86run_read(gpa, &v, 4);
    return v;
}

static X86RunResult raise_and_run(X86RunMode mode, int vector)
{
    x86run_setup(mode);
    x86run_write(X86RUN_CODE, code_sti_loop, sizeof(code_sti_loop));
    pending_vector = vector;
    x86_cpu_ack_interrupt = ack_vector;
    cpu_interrupt(CPU(x86run_cpu()), CPU_INTERRUPT_HARD);
    X86RunResult r = x86run_exec(X86RUN_CODE, 200);
    x86_cpu_ack_interrupt = NULL;
    cpu_reset_interrupt(CPU(x86run_cpu()), CPU_INTERRUPT_HARD);
    return r;
}

/* 32-bit protected mode: ESP drops by exactly 12 and [ESP] is the return EIP. */
static void test_prot32_frame(gconstpointer p)
{
    static const int vectors[] = { 8, 10, 11, 12, 13, 14, 17, 21, 32 };
    x86run_init(be_of(p));
    for (unsigned i = 0; i < G_N_ELEMENTS(vectors); i++) {
        X86RunResult r = raise_and_run(X86RUN_PROT32, vectors[i]);
        g_autofree char *what = x86run_describe(&r);
        g_assert_cmpint(r.stop, ==, X86RUN_EXCEPTION);
        g_assert_cmpint(r.vector, ==, vectors[i]);
        CPUX86State *env = x86run_env();
        uint32_t esp = (uint32_t)env->regs[R_ESP];
        if (esp != X86RUN_KSTACK - 12) {
            g_error("vector %d: ESP 0x%x, want 0x%x (no error code): %s", vectors[i], esp,
                    X86RUN_KSTACK - 12, what);
        }
        g_assert_cmphex(read32(esp), ==, X86RUN_CODE + LOOP_OFF);
        g_assert_cmphex(read32(esp + 4), ==, X86RUN_SEL_CS32);
        g_assert_cmphex(read32(esp + 8) & 0x202, ==, 0x202);   /* IF was set */
    }
}

/* Long mode: a 40-byte frame on the 16-byte aligned stack (SDM §6.14.2). */
static void test_long_frame(gconstpointer p)
{
    static const int vectors[] = { 8, 13, 14, 17 };
    x86run_init(be_of(p));
    for (unsigned i = 0; i < G_N_ELEMENTS(vectors); i++) {
        X86RunResult r = raise_and_run(X86RUN_LONG, vectors[i]);
        g_autofree char *what = x86run_describe(&r);
        g_assert_cmpint(r.stop, ==, X86RUN_EXCEPTION);
        g_assert_cmpint(r.vector, ==, vectors[i]);
        uint64_t rsp = x86run_env()->regs[R_ESP];
        uint64_t top = X86RUN_KSTACK & ~15ull;
        if (rsp != top - 40) {
            g_error("vector %d: RSP 0x%" PRIx64 ", want 0x%" PRIx64 ": %s", vectors[i], rsp,
                    top - 40, what);
        }
        g_assert_cmphex(x86run_read64(rsp), ==, X86RUN_CODE + LOOP_OFF);
        g_assert_cmphex(x86run_read64(rsp + 8), ==, X86RUN_SEL_CS64);
        g_assert_cmphex(x86run_read64(rsp + 24), ==, X86RUN_KSTACK);
    }
}

/* A not-present gate for an external vector 13: #NP(IDT index | IDT | EXT), no #DF. */
static void test_prot32_gate_not_present(gconstpointer p)
{
    x86run_init(be_of(p));
    x86run_setup(X86RUN_PROT32);
    uint8_t gate[8];
    x86run_read(X86RUN_IDT + 13 * 8, gate, 8);
    gate[5] &= 0x7f;                      /* P = 0 */
    x86run_write(X86RUN_IDT + 13 * 8, gate, 8);
    x86run_write(X86RUN_CODE, code_sti_loop, sizeof(code_sti_loop));
    pending_vector = 13;
    x86_cpu_ack_interrupt = ack_vector;
    cpu_interrupt(CPU(x86run_cpu()), CPU_INTERRUPT_HARD);
    X86RunResult r = x86run_exec(X86RUN_CODE, 200);
    x86_cpu_ack_interrupt = NULL;
    g_autofree char *what = x86run_describe(&r);
    if (r.stop != X86RUN_EXCEPTION || r.vector != 11) {
        g_error("want #NP, got %s", what);
    }
    g_assert_cmphex(r.error_code, ==, 13 * 8 + 2 + 1);
    g_assert_cmphex(r.frame_rip, ==, X86RUN_CODE + LOOP_OFF);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    static const struct {
        const char *name;
        void (*fn)(gconstpointer);
    } tests[] = {
        { "prot32-no-error-code", test_prot32_frame },
        { "long-no-error-code", test_long_frame },
        { "prot32-gate-not-present", test_prot32_gate_not_present },
    };
    TCGBackendKind bes[2];
    int nb = x86run_backends(bes);
    for (int b = 0; b < nb; b++) {
        for (unsigned i = 0; i < G_N_ELEMENTS(tests); i++) {
            g_autofree char *path = g_strdup_printf(
                "/x86-extint/%s/%s", bes[b] == TCG_BACKEND_TCI ? "tci" : "native",
                tests[i].name);
            g_test_add_data_func(path, GINT_TO_POINTER(bes[b]), tests[i].fn);
        }
    }
    return g_test_run();
}
