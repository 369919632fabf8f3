/*
 * Heavy work at CPL 3: on kvm_pvm ring-3 code runs natively, so a long loop must
 * cost a few cycles per iteration, not the microseconds of emulated ring 0. Also
 * an exception raised at CPL 3 reaches the ring-0 handler through the TSS stack.
 */
#include "libguest.h"

static uint8_t user_stack[16384] __attribute__((aligned(16)));

static uint64_t xorshift_loop(uint64_t n)
{
    uint64_t x = 0x9e3779b97f4a7c15ull, acc = 0;
    for (uint64_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc += x;
    }
    return acc;
}

static uint64_t user_cli(uint64_t arg)
{
    __asm__ volatile("cli");   /* IOPL 0: #GP at CPL 3 */
    return 0;
}

static volatile uint64_t gp_rip, gp_cs;

static uint64_t user_int(uint64_t arg)
{
    /* On hardware this enters the DPL-3 gate 0x81 and never returns here. */
    __asm__ volatile("int $0x81" ::: "memory");
    return 0x1d;
}
__attribute__((noreturn)) void user_return(uint64_t value);

static void on_ud(InterruptFrame *f)
{
    user_return(0x6);
}

static void on_gp(InterruptFrame *f)
{
    gp_rip = f->rip;
    gp_cs = f->cs;
    user_return(0x6d);
}

void test_main(void)
{
    uint64_t n = cmdline_uint("iterations", 200000000);
    uint64_t t0 = rdtsc();
    uint64_t r = run_user(xorshift_loop, n, user_stack + sizeof(user_stack), 0x2);
    uint64_t cycles = rdtsc() - t0;
    printf("ring3 xorshift %lu iterations = %lx\n", n, r);
    printf("ring3 cycles per iteration x100: %lu\n", cycles * 100 / (n ? n : 1));
    check(cycles / (n ? n : 1) < 100, "ring 3 runs natively (%lu cycles/iteration)",
          cycles / (n ? n : 1));

    /* Informational: kvm_pvm turns INT n at CPL 3 into #UD instead of using the gate. */
    set_handler(6, on_ud);
    r = run_user(user_int, 0x81, user_stack + sizeof(user_stack), 0x2);
    set_handler(6, NULL);
    printf("INT 0x81 at CPL 3: %s\n", r == 0x81 ? "delivered to the DPL-3 IDT gate" :
                                      r == 0x6 ? "raised #UD (kvm_pvm)" : "fell through");

    set_handler(13, on_gp);
    r = run_user(user_cli, 0, user_stack + sizeof(user_stack), 0x2);
    check(r == 0x6d && (gp_cs & 3) == 3, "CLI at CPL 3 raised #GP (cs %#lx rip %#lx)", gp_cs,
          gp_rip);
}
