/*
 * What a MOV to CR3 keeps in the TLB (SDM vol. 3 §4.10.4.1): every entry of
 * the address space goes except those for global pages (the G bit of the
 * entry that maps the page, with CR4.PGE: §4.10.2.4). The guest edits its own
 * page tables without INVLPG, reloads CR3 and looks at what it reads and runs:
 *
 *  - a non-global data page and a non-global code page must show their new
 *    mapping (required: the engine's TLB and its jump cache, which is keyed by
 *    virtual address, must both forget them);
 *  - global pages keep the old mapping. The SDM allows either answer (an
 *    entry may be evicted any time); emu keeps them, which is what makes a
 *    context switch cheap, so the test pins that;
 *  - INVLPG of a global page, and a CR4.PGE change, drop them (required);
 *  - with CR4.PGE clear the G bit means nothing (required).
 * And code fetch during translation: an instruction straddling two pages
 * mapped in reverse order reads each page through its own mapping.
 * Long mode (x86-run), both backends.
 */
#include "util/osdep.h"
#include "system/memory.h"
#include "x86-run.h"

#define HIDDEN __attribute__((visibility("hidden")))
#define BLOB(name, text)                                                          \
    extern const uint8_t name[] HIDDEN, name##_end[] HIDDEN;                     \
    __asm__(".pushsection .rodata.x86tlb, \"a\"\n" #name ":\n.code64\n" text      \
            "\n" #name "_end:\n.popsection\n")

/*
 * x86-run's long-mode tables: PD 1 (GiB 1) at PML4 + 0x3000. Its entry 1
 * (0x40200000) points to a page table at PT; PT entries 1-4 map the pages
 * below. Flags 0x67 = P|W|U|A|D, 0x167 adds G.
 */
#define PD1      (X86RUN_PML4 + 0x3000)
#define PT       0x300000u
#define PA_A     0x600000u     /* data 0x11 */
#define PA_B     0x601000u     /* data 0x33 */
#define PA_C1    0x602000u     /* code: mov $1, %eax; ret */
#define PA_A2    0x603000u     /* data 0x22 */
#define PA_B2    0x604000u     /* data 0x44 */
#define PA_C2    0x605000u     /* code: mov $2, %eax; ret */

BLOB(cr3_global,
     /* CR4.PGE on (a change of PGE flushes everything). */
     "mov %cr4, %rax\n or $0x80, %rax\n mov %rax, %cr4\n"
     "mov $0x40201000, %rsi\n mov $0x40202000, %rdi\n"
     "mov $0x40203000, %rbx\n mov $0x40204000, %rbp\n"
     /* Fill the TLB and the jump cache. */
     "mov (%rsi), %r8\n mov (%rdi), %r9\n"
     "call *%rbx\n call *%rbp\n"
     /* New mappings for all four pages, no INVLPG, then a CR3 reload. */
     "movq $0x603167, 0x300008\n movq $0x604067, 0x300010\n"
     "movq $0x605067, 0x300018\n movq $0x605167, 0x300020\n"
     "mov %cr3, %rax\n mov %rax, %cr3\n"
     "mov (%rsi), %r8\n"                  /* global: old page, 0x11 */
     "mov (%rdi), %r9\n"                  /* not global: new page, 0x44 */
     "call *%rbx\n mov %eax, %r12d\n"     /* not global: new code, 2 */
     "call *%rbp\n mov %eax, %r13d\n"     /* global: old code, 1 */
     "invlpg (%rsi)\n invlpg (%rbp)\n"
     "mov (%rsi), %r10\n"                 /* 0x22 */
     "call *%rbp\n mov %eax, %r14d\n"     /* 2 */
     /* A PGE change drops global entries too. */
     "movq $0x600167, 0x300008\n mov (%rsi), %r11\n"   /* still 0x22 (cached) */
     "mov %cr4, %rax\n and $~0x80, %rax\n mov %rax, %cr4\n"
     "mov (%rsi), %rcx\n"                 /* 0x11 */
     /* Without PGE the G bit is ignored: a CR3 reload drops the entry. */
     "movq $0x603167, 0x300008\n"
     "mov %cr3, %rax\n mov %rax, %cr3\n"
     "mov (%rsi), %rdx\n"                 /* 0x22 */
     "hlt\n");

/* A call to an instruction that straddles two pages mapped in reverse order. */
BLOB(cross_page, "mov $0x40205ffd, %rbx\n call *%rbx\n hlt\n");

static const uint8_t code1[] = { 0xb8, 1, 0, 0, 0, 0xc3 };    /* mov $1, %eax; ret */
static const uint8_t code2[] = { 0xb8, 2, 0, 0, 0, 0xc3 };

static void put64(uint64_t gpa, uint64_t v)
{
    x86run_write(gpa, &v, 8);
}

static void test_cr3_global(gconstpointer p)
{
    x86run_init((TCGBackendKind)GPOINTER_TO_INT(p));
    CPUX86State *env = x86run_env();
    /* Twice: the second run starts with TBs and TLB state left by the first. */
    for (int round = 0; round < 2; round++) {
        x86run_setup(X86RUN_LONG);
        x86run_write(X86RUN_CODE, cr3_global, cr3_global_end - cr3_global);
        put64(PD1 + 8, PT | 7);
        put64(PT + 8, PA_A | 0x167);
        put64(PT + 16, PA_B | 0x67);
        put64(PT + 24, PA_C1 | 0x67);
        put64(PT + 32, PA_C1 | 0x167);
        put64(PA_A, 0x11);
        put64(PA_A2, 0x22);
        put64(PA_B, 0x33);
        put64(PA_B2, 0x44);
        x86run_write(PA_C1, code1, sizeof(code1));
        x86run_write(PA_C2, code2, sizeof(code2));
        X86RunResult r = x86run_exec(X86RUN_CODE, 1000);
        g_autofree char *d = x86run_describe(&r);
        g_test_message("round %d: %s", round, d);
        g_assert_cmpint(r.stop, ==, X86RUN_HALT);
        g_assert_cmphex(env->regs[R_R8], ==, 0x11);
        g_assert_cmphex(env->regs[R_R9], ==, 0x44);
        g_assert_cmphex(env->regs[R_R12], ==, 2);
        g_assert_cmphex(env->regs[R_R13], ==, 1);
        g_assert_cmphex(env->regs[R_R10], ==, 0x22);
        g_assert_cmphex(env->regs[R_R14], ==, 2);
        g_assert_cmphex(env->regs[R_R11], ==, 0x22);
        g_assert_cmphex(env->regs[R_ECX], ==, 0x11);
        g_assert_cmphex(env->regs[R_EDX], ==, 0x22);
    }
}

/*
 * The translator reads the TB's first page through a cached host pointer
 * (accel/tcg/cputlb.c code_byte); bytes on the second page must come through
 * that page's own mapping: VA 0x40205000 -> 0x607000, VA 0x40206000 -> 0x606000.
 */
static void test_cross_page(gconstpointer p)
{
    x86run_init((TCGBackendKind)GPOINTER_TO_INT(p));
    CPUX86State *env = x86run_env();
    static const uint8_t head[] = { 0xb8, 0x11, 0x22 };          /* mov $0x44332211, %eax */
    static const uint8_t tail[] = { 0x33, 0x44, 0xc3 };          /* ...; ret */
    uint8_t junk[16];
    memset(junk, 0xcc, sizeof(junk));
    x86run_setup(X86RUN_LONG);
    x86run_write(X86RUN_CODE, cross_page, cross_page_end - cross_page);
    put64(PD1 + 8, PT | 7);
    put64(PT + 5 * 8, 0x607000 | 0x67);
    put64(PT + 6 * 8, 0x606000 | 0x67);
    x86run_write(0x607000, junk, sizeof(junk));    /* what a wrong page would give */
    x86run_write(0x607ffd, head, sizeof(head));
    x86run_write(0x606000, tail, sizeof(tail));
    for (int round = 0; round < 2; round++) {
        env->regs[R_EAX] = 0;
        X86RunResult r = x86run_exec(X86RUN_CODE, 1000);
        g_autofree char *d = x86run_describe(&r);
        g_test_message("round %d: %s", round, d);
        g_assert_cmpint(r.stop, ==, X86RUN_HALT);
        g_assert_cmphex(env->regs[R_EAX], ==, 0x44332211);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    TCGBackendKind bes[2];
    int nb = x86run_backends(bes);
    for (int b = 0; b < nb; b++) {
        g_autofree char *path = g_strdup_printf(
            "/x86-tlb/%s/cr3-global", bes[b] == TCG_BACKEND_TCI ? "tci" : "native");
        g_test_add_data_func(path, GINT_TO_POINTER(bes[b]), test_cr3_global);
        g_autofree char *path2 = g_strdup_printf(
            "/x86-tlb/%s/cross-page-code", bes[b] == TCG_BACKEND_TCI ? "tci" : "native");
        g_test_add_data_func(path2, GINT_TO_POINTER(bes[b]), test_cross_page);
    }
    return g_test_run();
}
