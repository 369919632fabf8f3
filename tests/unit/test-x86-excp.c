/*
 * Exception conditions of the x86 translator on the x86-run system, on every
 * TCG backend:
 *
 *  - #SS(0) for a non-canonical address through SS (implicit stack accesses,
 *    RSP/RBP-based operands, an SS override), #GP(0) through the other
 *    segments (SDM vol. 3 §6.15 "Interrupt 12" and "Interrupt 13", vol. 1
 *    §3.3.7.1);
 *  - reserved bits in paging-structure entries: #PF with P and RSVD in the
 *    error code, for 4-level, PAE and 32-bit paging, every level and page
 *    size (SDM vol. 3 §4.5, Tables 4-4 to 4-20, §4.7);
 *  - alignment checking at CPL 3 with CR0.AM and EFLAGS.AC: #AC(0) (SDM
 *    vol. 3 §6.15 "Interrupt 17", Table 6-7) and the accesses it spares;
 *  - single-step: EFLAGS.TF gives a #DB trap with DR6.BS after each
 *    instruction (SDM vol. 3 §17.3.1.4), delayed by MOV SS (§6.8.3), not for
 *    INT n or faults, after each REP iteration; SYSCALL/SYSRET test the TF
 *    they leave.
 *
 * Expectations come from the SDM; where it leaves a choice to the processor
 * the case says what an AMD EPYC host does (measured at ring 3 under Linux,
 * which reports #AC as SIGBUS and #DB as SIGTRAP) and follows that. Guest
 * code is assembled by the host assembler; a label NAME_f marks the
 * instruction that faults (or, for traps, the instruction after the one that
 * traps).
 */
#include "util/osdep.h"
#include "system/memory.h"
#include "target/i386/cpu-internal.h"
#include "x86-run.h"

#define HIDDEN __attribute__((visibility("hidden")))

/* A guest code blob: bytes NAME .. NAME_end, optional label NAME_f. */
#define BLOB(name, mode, text)                                                    \
    extern const uint8_t name[] HIDDEN, name##_end[] HIDDEN, name##_f[] HIDDEN;   \
    __asm__(".pushsection .rodata.x86excp, \"a\"\n" #name ":\n" mode "\n" text    \
            "\n.code64\n" #name "_end:\n.popsection\n")
#define F(name) #name "_f: "

typedef struct Blob {
    const uint8_t *start, *end, *fault;
} Blob;
#define B(name) ((Blob){ name, name##_end, NULL })
#define BF(name) ((Blob){ name, name##_end, name##_f })

/* A non-canonical address (bit 63 set, bits 62:47 clear). */
#define NC "0x8000000000000010"
#define NC_VAL 0x8000000000000010ull

#define DR6_BS (1u << 14)

static TCGBackendKind be_of(gconstpointer p)
{
    return (TCGBackendKind)GPOINTER_TO_INT(p);
}

static CPUX86State *env(void)
{
    return x86run_env();
}

static uint64_t load(X86RunMode mode, Blob b)
{
    x86run_setup(mode);
    x86run_write(X86RUN_CODE, b.start, b.end - b.start);
    return X86RUN_CODE;
}

static X86RunResult go(uint64_t at)
{
    X86RunResult r = x86run_exec(at, 1000);
    if (g_test_verbose()) {
        g_autofree char *d = x86run_describe(&r);
        g_test_message("%s", d);
    }
    return r;
}

static void set_rflags(uint64_t f)
{
    x86_cpu_set_rflags(env(), f);
    x86_update_hflags(env());
}

static void expect_halt(const X86RunResult *r)
{
    if (r->stop != X86RUN_HALT) {
        g_autofree char *d = x86run_describe(r);
        g_test_message("%s", d);
    }
    g_assert_cmpint(r->stop, ==, X86RUN_HALT);
}

/* Exception @vector (error code @err when it pushes one, unless -1) with the
 * frame's RIP at @rip. */
static void expect_vector(const X86RunResult *r, int vector, int err, uint64_t rip)
{
    if (r->stop != X86RUN_EXCEPTION || r->vector != vector) {
        g_autofree char *d = x86run_describe(r);
        g_test_message("%s", d);
    }
    g_assert_cmpint(r->stop, ==, X86RUN_EXCEPTION);
    g_assert_cmpint(r->vector, ==, vector);
    if (err >= 0) {
        g_assert_true(r->has_error_code);
        g_assert_cmphex(r->error_code, ==, (uint32_t)err);
    }
    g_assert_cmphex(r->frame_rip, ==, rip);
}

static uint64_t label(Blob b, uint64_t at)
{
    return at + (b.fault - b.start);
}

/* Gate @vector uses IST1 (a fault on a bad stack at CPL 0 needs a good one). */
static void gate_ist1(int vector)
{
    uint8_t ist = 1;
    x86run_write(X86RUN_IDT + 16 * vector + 4, &ist, 1);
}

/* ---- #SS(0) versus #GP(0) for non-canonical addresses ---- */

BLOB(ss_push, ".code64", "mov $" NC ", %rsp\n" F(ss_push) "push %rax\n hlt");
BLOB(ss_pop, ".code64", "mov $" NC ", %rsp\n" F(ss_pop) "pop %rax\n hlt");
BLOB(ss_pushf, ".code64", "mov $" NC ", %rsp\n" F(ss_pushf) "pushfq\n hlt");
BLOB(ss_call, ".code64", "mov $" NC ", %rsp\n" F(ss_call) "call 1f\n 1: hlt");
BLOB(ss_call_ind, ".code64", "lea 1f(%rip), %rax\n mov $" NC ", %rsp\n" F(ss_call_ind)
     "call *%rax\n 1: hlt");
BLOB(ss_ret, ".code64", "mov $" NC ", %rsp\n" F(ss_ret) "ret\n hlt");
BLOB(ss_ret_imm, ".code64", "mov $" NC ", %rsp\n" F(ss_ret_imm) "ret $16\n hlt");
BLOB(ss_enter, ".code64", "mov $" NC ", %rsp\n" F(ss_enter) "enter $16, $0\n hlt");
BLOB(ss_leave, ".code64", "mov $" NC ", %rbp\n" F(ss_leave) "leave\n hlt");
BLOB(ss_rbp_load, ".code64", "mov $" NC ", %rbp\n" F(ss_rbp_load) "mov 8(%rbp), %rax\n hlt");
BLOB(ss_rbp_store, ".code64", "mov $" NC ", %rbp\n" F(ss_rbp_store)
     "movq $1, -8(%rbp)\n hlt");
BLOB(ss_rbp_rmw, ".code64", "mov $" NC ", %rbp\n" F(ss_rbp_rmw) "addl $1, (%rbp)\n hlt");
BLOB(ss_rsp_base, ".code64", "mov $0x8000000000000000, %rbx\n" F(ss_rsp_base)
     "mov (%rsp,%rbx), %rax\n hlt");
BLOB(ss_override, ".code64", "mov $" NC ", %rax\n" F(ss_override) "mov %ss:(%rax), %rbx\n hlt");
BLOB(ss_lods, ".code64", "mov $" NC ", %rsi\n" F(ss_lods) "lodsq %ss:(%rsi), %rax\n hlt");
BLOB(ss_x87, ".code64", "mov $" NC ", %rbp\n" F(ss_x87) "fldl 8(%rbp)\n hlt");
BLOB(ss_iretq, ".code64", "mov $" NC ", %rsp\n" F(ss_iretq) "iretq\n hlt");
BLOB(ss_lretq, ".code64", "mov $" NC ", %rsp\n" F(ss_lretq) "lretq\n hlt");
BLOB(ss_int3d, ".code64", "mov $" NC ", %rsp\n" F(ss_int3d) "int3\n hlt");
BLOB(gp_ds, ".code64", "mov $" NC ", %rax\n" F(gp_ds) "mov (%rax), %rbx\n hlt");
BLOB(gp_ds_rbp, ".code64", "mov $" NC ", %rbp\n" F(gp_ds_rbp) "mov %ds:8(%rbp), %rax\n hlt");
BLOB(gp_fs_rbp, ".code64", "mov $" NC ", %rbp\n" F(gp_fs_rbp) "mov %fs:8(%rbp), %rax\n hlt");
BLOB(gp_r13, ".code64", "mov $" NC ", %r13\n" F(gp_r13) "mov 8(%r13), %rax\n hlt");
BLOB(gp_push_mem, ".code64", "mov $" NC ", %rax\n" F(gp_push_mem) "push (%rax)\n hlt");
BLOB(gp_pop_mem, ".code64", "mov $" NC ", %rax\n" F(gp_pop_mem) "pop (%rax)\n hlt");
BLOB(gp_stos, ".code64", "mov $" NC ", %rdi\n" F(gp_stos) "stosq\n hlt");
BLOB(gp_x87, ".code64", "mov $" NC ", %rbx\n" F(gp_x87) "fldl 8(%rbx)\n hlt");

/*
 * SDM vol. 3 §6.15: #SS(0) for a non-canonical address referencing SS
 * (stack operations PUSH, POP, CALL, RET, ENTER, LEAVE, IRET; RBP or RSP as
 * the base, SDM vol. 1 §3.7.4.1), #GP(0) through the other segments. In
 * 64-bit mode CS/DS/ES/SS prefixes are ignored (vol. 1 §3.3.7.1), so an SS
 * prefix does not make an access SS-relative nor a DS prefix an RBP-based
 * one DS-relative; FS/GS count (all measured the same on an AMD EPYC, whose
 * Linux reports #SS as SIGBUS and #GP as SIGSEGV). R12/R13 bases use DS. A
 * fault changes no register: RSP in the frame is the one before.
 */
static void test_ss_noncanonical(gconstpointer p)
{
    static const struct {
        const char *what;
        Blob b;
        int vector;
        bool rsp_nc;        /* the frame's RSP is the non-canonical value */
    } cases[] = {
        { "PUSH r", BF(ss_push), EXCP0C_STACK, true },
        { "POP r", BF(ss_pop), EXCP0C_STACK, true },
        { "PUSHFQ", BF(ss_pushf), EXCP0C_STACK, true },
        { "CALL rel32", BF(ss_call), EXCP0C_STACK, true },
        { "CALL r64", BF(ss_call_ind), EXCP0C_STACK, true },
        { "RET", BF(ss_ret), EXCP0C_STACK, true },
        { "RET imm16", BF(ss_ret_imm), EXCP0C_STACK, true },
        { "ENTER", BF(ss_enter), EXCP0C_STACK, true },
        { "LEAVE (RBP non-canonical)", BF(ss_leave), EXCP0C_STACK, false },
        { "load [RBP + 8]", BF(ss_rbp_load), EXCP0C_STACK, false },
        { "store [RBP - 8]", BF(ss_rbp_store), EXCP0C_STACK, false },
        { "ADD [RBP], imm", BF(ss_rbp_rmw), EXCP0C_STACK, false },
        { "load [RSP + RBX]", BF(ss_rsp_base), EXCP0C_STACK, false },
        { "SS: [RAX] (override ignored)", BF(ss_override), EXCP0D_GPF, false },
        { "LODSQ SS:[RSI] (override ignored)", BF(ss_lods), EXCP0D_GPF, false },
        { "FLD m64 [RBP + 8]", BF(ss_x87), EXCP0C_STACK, false },
        { "IRETQ", BF(ss_iretq), EXCP0C_STACK, true },
        { "LRETQ", BF(ss_lretq), EXCP0C_STACK, true },
        { "INT3 delivered at CPL 0 (the frame push)", BF(ss_int3d), EXCP0C_STACK, true },
        { "load [RAX]", BF(gp_ds), EXCP0D_GPF, false },
        { "DS: [RBP + 8] (override ignored)", BF(gp_ds_rbp), EXCP0C_STACK, false },
        { "FS: [RBP + 8]", BF(gp_fs_rbp), EXCP0D_GPF, false },
        { "load [R13 + 8] (no SS default)", BF(gp_r13), EXCP0D_GPF, false },
        { "PUSH m (the load faults)", BF(gp_push_mem), EXCP0D_GPF, false },
        { "POP m (the store faults)", BF(gp_pop_mem), EXCP0D_GPF, false },
        { "STOSQ", BF(gp_stos), EXCP0D_GPF, false },
        { "FLD m64 [RBX + 8]", BF(gp_x87), EXCP0D_GPF, false },
    };
    x86run_init(be_of(p));
    for (int user = 0; user < 2; user++) {
        for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
            if (user && (cases[i].b.start == ss_iretq || cases[i].b.start == ss_lretq ||
                         cases[i].b.start == ss_int3d)) {
                continue;
            }
            g_test_message("%s at CPL %d", cases[i].what, user ? 3 : 0);
            uint64_t at = load(X86RUN_LONG, cases[i].b);
            gate_ist1(EXCP0C_STACK);
            gate_ist1(EXCP0D_GPF);
            if (user) {
                x86run_enter_user();
            }
            uint64_t rsp = env()->regs[R_ESP];
            X86RunResult r = go(at);
            expect_vector(&r, cases[i].vector, 0, label(cases[i].b, at));
            g_assert_cmphex(r.frame_rsp, ==, cases[i].rsp_nc ? NC_VAL : rsp);
            g_assert_cmphex(r.frame_cs & 3, ==, user ? 3 : 0);
        }
    }
}

/* ---- reserved bits in paging-structure entries ---- */

/*
 * x86-run's long-mode tables: PML4 at PML4, PDPT at +0x1000, PD n (GiB n) at
 * +0x2000 + 0x1000 * n, 2 MiB pages. The CPU has no CPUID table, so there is
 * no leaf 80000008H and MAXPHYADDR is 36 (SDM vol. 3 §4.1.4); every feature
 * (1-GByte pages, PSE-36) counts as present.
 */
#define PDPT (X86RUN_PML4 + 0x1000)
#define PD(n) (X86RUN_PML4 + 0x2000 + 0x1000 * (n))
#define PT_TEST 0x300000u           /* a page table for the 4 KiB cases */
#define VA_TEST 0x40200000u         /* GiB 1, PD entry 1 */
#define PA_TEST 0x600000u           /* where VA_TEST's pages point */
#define VA_1G   0x100000000ull      /* PDPT entry 4: GiB 4, a 1 GiB page */
#define PF_RSVD_P 0x9u              /* error code: P | RSVD */

BLOB(rsvd_read, ".code64", "mov $0x40201230, %rbx\n" F(rsvd_read) "mov (%rbx), %rax\n hlt");
BLOB(rsvd_write, ".code64", "mov $0x40201230, %rbx\n" F(rsvd_write) "movl $7, (%rbx)\n hlt");
BLOB(rsvd_fetch, ".code64", "mov $0x40201230, %rbx\n" F(rsvd_fetch) "call *%rbx\n hlt");
BLOB(rsvd_read1g, ".code64", "mov $0x100201230, %rbx\n" F(rsvd_read1g) "mov (%rbx), %rax\n hlt");
BLOB(rsvd_user, ".code64", "mov $0x40201230, %rbx\n" F(rsvd_user) "mov (%rbx), %rax\n int3");

static void put64(uint64_t gpa, uint64_t v)
{
    x86run_write(gpa, &v, 8);
}

/* Where an entry goes: the level it sits at. */
enum { AT_PML4E, AT_PDPTE, AT_PDE, AT_PTE };

typedef struct RsvdCase {
    const char *what;
    int at;
    uint64_t entry;          /* with P, R/W, U/S set */
    bool rsvd;               /* #PF with RSVD; else the access completes */
} RsvdCase;

/* Install @c for VA_TEST (or VA_1G for a PDPTE case). */
static void install(const RsvdCase *c)
{
    /* The 4 KiB page behind PT_TEST entry 1, for the PDE cases that point there. */
    put64(PT_TEST + 1 * 8, (PA_TEST + 0x1000) | 7);
    switch (c->at) {
    case AT_PML4E:
        /* PML4 entry 1 (512 GiB up) -> x86-run's PDPT: the blob reads VA_TEST + 512 GiB,
         * which reaches PD 1 entry 1 like VA_TEST. */
        put64(X86RUN_PML4 + 8, c->entry);
        put64(PD(1) + 1 * 8, PA_TEST | 0x87);
        break;
    case AT_PDPTE:
        put64(PDPT + 4 * 8, c->entry);
        break;
    case AT_PDE:
        put64(PD(1) + 1 * 8, c->entry);
        break;
    case AT_PTE:
        put64(PD(1) + 1 * 8, PT_TEST | 7);
        put64(PT_TEST + 1 * 8, c->entry);
        break;
    }
}

BLOB(rsvd_read512, ".code64", "mov $0x8040201230, %rbx\n" F(rsvd_read512)
     "mov (%rbx), %rax\n hlt");

static void test_rsvd_long(gconstpointer p)
{
    static const RsvdCase cases[] = {
        { "2M PDE bit 13", AT_PDE, PA_TEST | 0x87 | 1ull << 13, true },
        { "2M PDE bit 20", AT_PDE, PA_TEST | 0x87 | 1ull << 20, true },
        { "2M PDE bit 12 (PAT)", AT_PDE, PA_TEST | 0x87 | 1ull << 12, false },
        { "2M PDE bit 36 (MAXPHYADDR)", AT_PDE, PA_TEST | 0x87 | 1ull << 36, true },
        { "2M PDE bit 51", AT_PDE, PA_TEST | 0x87 | 1ull << 51, true },
        { "2M PDE bit 35", AT_PDE, PA_TEST | 0x87 | 1ull << 35, false },
        { "2M PDE bit 52 (ignored)", AT_PDE, PA_TEST | 0x87 | 1ull << 52, false },
        { "2M PDE bit 62 (ignored)", AT_PDE, PA_TEST | 0x87 | 1ull << 62, false },
        { "2M PDE XD with NXE", AT_PDE, PA_TEST | 0x87 | 1ull << 63, false },
        { "not-present PDE with bit 13", AT_PDE, PA_TEST | 0x86 | 1ull << 13, false },
        { "PDE -> PT, bit 36", AT_PDE, PT_TEST | 7 | 1ull << 36, true },
        { "PDE -> PT, bit 7 clear, bits 11:8 ignored", AT_PDE, PT_TEST | 0xf07, false },
        { "PTE bit 40", AT_PTE, (PA_TEST + 0x1000) | 7 | 1ull << 40, true },
        { "PTE bit 7 (PAT)", AT_PTE, (PA_TEST + 0x1000) | 0x87, false },
        { "PTE XD with NXE", AT_PTE, (PA_TEST + 0x1000) | 7 | 1ull << 63, false },
        { "1G PDPTE bit 13", AT_PDPTE, 0x87 | 1ull << 13, true },
        { "1G PDPTE bit 29", AT_PDPTE, 0x87 | 1ull << 29, true },
        { "1G PDPTE bit 12 (PAT)", AT_PDPTE, 0x87 | 1ull << 12, false },
        { "1G PDPTE bit 40", AT_PDPTE, 0x87 | 1ull << 40, true },
        { "PDPTE -> PD, bit 40", AT_PDPTE, PD(0) | 7 | 1ull << 40, true },
        { "PML4E PS", AT_PML4E, PDPT | 0x87, true },
        { "PML4E bit 40", AT_PML4E, PDPT | 7 | 1ull << 40, true },
        { "PML4E bit 62 (ignored)", AT_PML4E, PDPT | 7 | 1ull << 62, false },
    };
    x86run_init(be_of(p));
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        const RsvdCase *c = &cases[i];
        Blob b = c->at == AT_PDPTE ? BF(rsvd_read1g) :
                 c->at == AT_PML4E ? BF(rsvd_read512) : BF(rsvd_read);
        uint64_t va = c->at == AT_PDPTE ? VA_1G + 0x201230 :
                      c->at == AT_PML4E ? 0x8040201230ull : 0x40201230ull;
        g_test_message("%s", c->what);
        uint64_t at = load(X86RUN_LONG, b);
        install(c);
        uint64_t magic = 0x1122334455667788ull;
        /* VA_TEST's 2 MiB and 4 KiB pages reach PA_TEST + 0x1230, the 1 GiB page at
         * VA_1G (physical 0) 0x201230. */
        x86run_write(PA_TEST + 0x1230, &magic, 8);
        x86run_write(0x201230, &magic, 8);
        env()->regs[R_EAX] = 0;
        X86RunResult r = go(at);
        bool present = c->entry & 1;
        if (c->rsvd || !present) {
            expect_vector(&r, EXCP0E_PAGE, c->rsvd ? PF_RSVD_P : 0, label(b, at));
            g_assert_cmphex(env()->cr[2], ==, va);
            g_assert_cmphex(env()->regs[R_EAX], ==, 0);
        } else {
            expect_halt(&r);
            /* Bit 35 maps above RAM (reads all-ones); the others read the value. */
            if (!(c->entry & (1ull << 35))) {
                g_assert_cmphex(env()->regs[R_EAX], ==, magic);
            }
        }
    }
}

/*
 * The walker keeps the CPUID facts it needs (1-GByte pages, MAXPHYADDR)
 * between walks: every change of the CPU's CPUID table must reach the next
 * walk. A rebuilt table (which may land at the freed one's address with the
 * same number of leaves), bits cleared in place, a table swapped for another
 * and no table at all. Expectations from the SDM: PS in a PDPTE is reserved
 * without CPUID.80000001H:EDX[26] (Table 4-17); address bits from MAXPHYADDR
 * (CPUID.80000008H:EAX[7:0], 36 without the leaf, §4.1.4) up are reserved.
 */
static void walk_expect(Blob b, uint64_t entry, int at_level, bool rsvd)
{
    const RsvdCase c = { "cpuid swap", at_level, entry, rsvd };
    uint64_t at = load(X86RUN_LONG, b);
    install(&c);
    uint64_t magic = 0x0123456789abcdefull;
    x86run_write(PA_TEST + 0x1230, &magic, 8);
    x86run_write(0x201230, &magic, 8);
    env()->regs[R_EAX] = 0;
    X86RunResult r = go(at);
    if (rsvd) {
        expect_vector(&r, EXCP0E_PAGE, PF_RSVD_P, label(b, at));
    } else {
        expect_halt(&r);
        g_assert_cmphex(env()->regs[R_EAX], ==, magic);
    }
}

static void build_cpuid(const char *features)
{
    X86FeatureRequest req;
    g_assert_true(x86_parse_features("qemu64", features, &req, &error_abort));
    g_assert_true(x86_cpu_build_cpuid(x86run_cpu(), &req, &error_abort));
}

static void drop_cpuid(void)
{
    X86CPU *cpu = x86run_cpu();
    g_free(cpu->cpuid);
    cpu->cpuid = NULL;
    cpu->nr_cpuid = 0;
}

static void test_rsvd_cpuid_swap(gconstpointer p)
{
    X86CPU *cpu;
    const uint64_t page1g = 0x87;                            /* 1 GiB page at 0 */
    /* A 2 MiB page with address bit 38 set: beyond RAM (reads all-ones) unless
     * reserved, so only the reserved case is checked on it. */
    const uint64_t pde38 = PA_TEST | 0x87 | 1ull << 38;

    x86run_init(be_of(p));
    cpu = x86run_cpu();
    drop_cpuid();
    walk_expect(BF(rsvd_read1g), page1g, AT_PDPTE, false);  /* no table: all features */
    build_cpuid("+pdpe1gb");
    walk_expect(BF(rsvd_read1g), page1g, AT_PDPTE, false);
    /* Freed, then rebuilt without 1-GByte pages: likely the same address and size. */
    const X86CPUIDEntry *old = cpu->cpuid;
    drop_cpuid();
    build_cpuid("-pdpe1gb");
    g_test_message("rebuilt table %s address", old == cpu->cpuid ? "at the same" : "at another");
    walk_expect(BF(rsvd_read1g), page1g, AT_PDPTE, true);
    build_cpuid("+pdpe1gb");
    walk_expect(BF(rsvd_read1g), page1g, AT_PDPTE, false);
    /* Cleared in place (KVM's filter does this at realize). */
    x86_cpu_clear_cpuid_bits(cpu, 0x80000001, 0, 'd', 1u << 26, "test");
    walk_expect(BF(rsvd_read1g), page1g, AT_PDPTE, true);
    drop_cpuid();
    walk_expect(BF(rsvd_read1g), page1g, AT_PDPTE, false);

    /* MAXPHYADDR: none (36), then a one-leaf table saying 39, then 40. */
    walk_expect(BF(rsvd_read), pde38, AT_PDE, true);
    X86CPUIDEntry leaf[2] = {
        { .function = 0x80000008, .eax = 39 },
        { .function = 0x80000008, .eax = 40 },
    };
    cpu->cpuid = &leaf[0];
    cpu->nr_cpuid = 1;
    walk_expect(BF(rsvd_read), PA_TEST | 0x87 | 1ull << 39, AT_PDE, true);
    walk_expect(BF(rsvd_read), PA_TEST | 0x87, AT_PDE, false);
    uint64_t at = load(X86RUN_LONG, BF(rsvd_read));
    install(&(RsvdCase){ "pde38", AT_PDE, pde38, false });
    expect_halt((X86RunResult[]){ go(at) });                 /* bit 38 < 39: an address */
    cpu->cpuid = &leaf[1];
    walk_expect(BF(rsvd_read), PA_TEST | 0x87 | 1ull << 40, AT_PDE, true);
    at = load(X86RUN_LONG, BF(rsvd_read));
    install(&(RsvdCase){ "pde39", AT_PDE, PA_TEST | 0x87 | 1ull << 39, false });
    expect_halt((X86RunResult[]){ go(at) });                 /* bit 39 < 40 */
    cpu->cpuid = NULL;
    cpu->nr_cpuid = 0;
    walk_expect(BF(rsvd_read), PA_TEST | 0x87 | 1ull << 39, AT_PDE, true);
}

/*
 * The walker reads the entries of one walk through the RAM range that held the
 * previous one: an entry past that range must not be read from it. A page
 * table beyond the end of RAM reads all-ones (nothing answers), a present
 * entry with reserved bits 51:36 set: #PF with RSVD. A page table in RAM's
 * last page works as usual.
 */
static void test_walk_outside_ram(gconstpointer p)
{
    x86run_init(be_of(p));
    walk_expect(BF(rsvd_read), (X86RUN_RAM_SIZE + (16u << 20)) | 7, AT_PDE, true);
    walk_expect(BF(rsvd_read), X86RUN_RAM_SIZE | 7, AT_PDE, true);
    uint64_t last = X86RUN_RAM_SIZE - 0x1000;
    uint64_t at = load(X86RUN_LONG, BF(rsvd_read));
    put64(last + 1 * 8, (PA_TEST + 0x1000) | 7);
    put64(PD(1) + 1 * 8, last | 7);
    uint64_t magic = 0x5566778899aabbccull;
    x86run_write(PA_TEST + 0x1230, &magic, 8);
    X86RunResult r = go(at);
    expect_halt(&r);
    g_assert_cmphex(env()->regs[R_EAX], ==, magic);
}

/* The other error-code bits come with RSVD (SDM vol. 3 §4.7): W, U/S, I. */
static void test_rsvd_error_code(gconstpointer p)
{
    static const struct {
        const char *what;
        Blob b;
        bool user, nxe_off;
        uint32_t err;
    } cases[] = {
        { "write", BF(rsvd_write), false, false, 0xb },
        { "read at CPL 3", BF(rsvd_user), true, false, 0xd },
        { "fetch (NXE)", BF(rsvd_fetch), false, false, 0x19 },
        { "XD without NXE", BF(rsvd_read), false, true, 0x9 },
    };
    x86run_init(be_of(p));
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_message("%s", cases[i].what);
        uint64_t at = load(X86RUN_LONG, cases[i].b);
        uint64_t pde = PA_TEST | 0x87 | (cases[i].nxe_off ? 1ull << 63 : 1ull << 14);
        put64(PD(1) + 8, pde);
        if (cases[i].nxe_off) {
            env()->efer &= ~(uint64_t)EFER_NXE;
        }
        if (cases[i].user) {
            x86run_enter_user();
        }
        X86RunResult r = go(at);
        /* A fetch faults at the target: RIP = the target, CR2 = it. */
        uint64_t rip = cases[i].b.start == rsvd_fetch ? 0x40201230 : label(cases[i].b, at);
        expect_vector(&r, EXCP0E_PAGE, cases[i].err, rip);
        g_assert_cmphex(env()->cr[2], ==, 0x40201230);
    }
}

/*
 * PAE paging (SDM vol. 3 Tables 4-8 to 4-11): bits 62:MAXPHYADDR of a PDE or
 * PTE are reserved (there are no ignored high bits), XD without EFER.NXE.
 * 32-bit paging with CR4.PSE (Table 4-4): a 4 MiB PDE holds physical-address
 * bits (M-1):32 in bits (M-20):13, with M = min(MAXPHYADDR, 40) = 36, and bits
 * 21:(M-19) = 21:17 are reserved.
 */
#define PG32_ROOT 0x400000u

BLOB(rsvd32_read, ".code32", "mov $0x40601230, %ebx\n" F(rsvd32_read) "mov (%ebx), %eax\n hlt");

static void setup_pae(void)
{
    /* PDPT at ROOT, PD n at ROOT + 0x1000 * (n + 1): 2 MiB identity pages. */
    for (int n = 0; n < 4; n++) {
        put64(PG32_ROOT + 8 * n, (PG32_ROOT + 0x1000 * (n + 1)) | 1);
        for (int e = 0; e < 512; e++) {
            put64(PG32_ROOT + 0x1000 * (n + 1) + 8 * e,
                  ((uint64_t)n << 30 | (uint64_t)e << 21) | 0x83);
        }
    }
    env()->cr[3] = PG32_ROOT;
    env()->cr[4] |= CR4_PAE_MASK;
    env()->cr[0] |= CR0_PG_MASK;
    x86_update_hflags(env());
}

static void setup_pse(void)
{
    for (uint32_t e = 0; e < 1024; e++) {
        uint32_t pde = e << 22 | 0x83;
        x86run_write(PG32_ROOT + 4 * e, &pde, 4);
    }
    env()->cr[3] = PG32_ROOT;
    env()->cr[4] |= CR4_PSE_MASK;
    env()->cr[0] |= CR0_PG_MASK;
    x86_update_hflags(env());
}

static void test_rsvd_legacy(gconstpointer p)
{
    static const struct {
        const char *what;
        bool pae, nxe;
        uint64_t bits;
        bool rsvd;
    } cases[] = {
        { "PAE 2M PDE bit 13", true, false, 1ull << 13, true },
        { "PAE 2M PDE bit 36", true, false, 1ull << 36, true },
        { "PAE 2M PDE bit 52", true, false, 1ull << 52, true },
        { "PAE 2M PDE bit 62", true, false, 1ull << 62, true },
        { "PAE 2M PDE XD without NXE", true, false, 1ull << 63, true },
        { "PAE 2M PDE XD with NXE", true, true, 1ull << 63, false },
        { "PAE 2M PDE bit 12 (PAT)", true, false, 1ull << 12, false },
        { "4M PDE bit 21", false, false, 1ull << 21, true },
        { "4M PDE bit 17", false, false, 1ull << 17, true },
        { "4M PDE bit 16 (address bit 35)", false, false, 1ull << 16, false },
        { "4M PDE bit 12 (PAT)", false, false, 1ull << 12, false },
    };
    x86run_init(be_of(p));
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_message("%s", cases[i].what);
        uint64_t at = load(X86RUN_PROT32, BF(rsvd32_read));
        uint32_t magic = 0x55aa1234;
        x86run_write(0x601230, &magic, 4);    /* VA 0x40601230's page is at 0x600000 */
        if (cases[i].pae) {
            setup_pae();
            /* 0x40601230: PD 1, entry 3 */
            put64(PG32_ROOT + 0x2000 + 3 * 8, 0x600000ull | 0x83 | cases[i].bits);
            if (cases[i].nxe) {
                env()->efer |= EFER_NXE;
            }
        } else {
            setup_pse();
            uint32_t pde = 0x400000u | 0x83 | (uint32_t)cases[i].bits;   /* 4 MiB aligned */
            x86run_write(PG32_ROOT + 4 * (0x40601230u >> 22), &pde, 4);
        }
        env()->regs[R_EAX] = 0;
        X86RunResult r = go(at);
        if (cases[i].rsvd) {
            expect_vector(&r, EXCP0E_PAGE, PF_RSVD_P, label(BF(rsvd32_read), at));
            g_assert_cmphex(env()->cr[2], ==, 0x40601230);
        } else {
            expect_halt(&r);
            if (!(cases[i].bits & (1ull << 16))) {
                g_assert_cmphex(env()->regs[R_EAX], ==, magic);
            }
        }
    }
}

/* ---- #AC ---- */

/*
 * Ring-3 blobs; RBX = X86RUN_DATA (16-byte aligned), CR0.AM and EFLAGS.AC set
 * by the test. INT3 ends a run that does not fault.
 */
#define D "0x200000"
BLOB(ac_ld_w, ".code64", F(ac_ld_w) "movw 1(%rbx), %ax\n int3");
BLOB(ac_ld_l, ".code64", F(ac_ld_l) "movl 2(%rbx), %eax\n int3");
BLOB(ac_st_q, ".code64", F(ac_st_q) "movq %rcx, 4(%rbx)\n int3");
BLOB(ac_movsx, ".code64", F(ac_movsx) "movswq 3(%rbx), %rax\n int3");
BLOB(ac_add, ".code64", F(ac_add) "addl $1, 6(%rbx)\n int3");
BLOB(ac_push, ".code64", "sub $2, %rsp\n" F(ac_push) "push %rax\n int3");
BLOB(ac_pop, ".code64", "sub $4, %rsp\n" F(ac_pop) "pop %rax\n int3");
BLOB(ac_call, ".code64", "sub $4, %rsp\n" F(ac_call) "call 1f\n 1: int3");
BLOB(ac_lret, ".code64", "sub $4, %rsp\n" F(ac_lret) "lretq\n int3");
BLOB(ac_movsl, ".code64", "lea 1(%rbx), %rsi\n lea 0x100(%rbx), %rdi\n mov $3, %ecx\n cld\n"
     F(ac_movsl) "rep movsl\n int3");
BLOB(ac_stosw, ".code64", "lea 0x101(%rbx), %rdi\n mov $3, %ecx\n cld\n"
     F(ac_stosw) "rep stosw\n int3");
BLOB(ac_cmpxchg, ".code64", F(ac_cmpxchg) "lock cmpxchg %ecx, 6(%rbx)\n int3");
BLOB(ac_cmpxchg8b, ".code64", F(ac_cmpxchg8b) "cmpxchg8b 4(%rbx)\n int3");
BLOB(ac_xchg, ".code64", F(ac_xchg) "xchg %ax, 3(%rbx)\n int3");
BLOB(ac_bt, ".code64", "mov $3, %ecx\n" F(ac_bt) "btl %ecx, 2(%rbx)\n int3");
BLOB(ac_sreg, ".code64", F(ac_sreg) "mov %ds, 1(%rbx)\n int3");
BLOB(ac_movq_xmm, ".code64", F(ac_movq_xmm) "movq 4(%rbx), %xmm0\n int3");
BLOB(ac_movbe, ".code64", F(ac_movbe) "movbe 2(%rbx), %eax\n int3");
BLOB(ac_fldt, ".code64", F(ac_fldt) "fldt 4(%rbx)\n int3");
BLOB(ac_fldl, ".code64", F(ac_fldl) "fldl 4(%rbx)\n int3");
BLOB(ac_fistp, ".code64", "fld1\n" F(ac_fistp) "fistpl 2(%rbx)\n int3");
BLOB(ac_fnstenv, ".code64", F(ac_fnstenv) "fnstenv 2(%rbx)\n int3");
BLOB(ac_fnstcw, ".code64", F(ac_fnstcw) "fnstcw 1(%rbx)\n int3");
BLOB(ac_np, ".code64", "mov $0x40201001, %rdx\n" F(ac_np) "movl (%rdx), %eax\n int3");
BLOB(ac_nc, ".code64", "mov $0x8000000000000001, %rdx\n" F(ac_nc) "movl (%rdx), %eax\n int3");
/* No #AC: aligned accesses, bytes, REP MOVSB, the 8-byte x87 boundary, the 4-byte
 * FNSTENV image, an interrupt frame going to the ring-0 stack. */
BLOB(ac_ok, ".code64",
     "mov (%rbx), %rax\n movl 4(%rbx), %eax\n movw 6(%rbx), %ax\n movb 7(%rbx), %al\n"
     "push %rax\n pop %rax\n call 1f\n 1: pop %rax\n"
     "lea 1(%rbx), %rsi\n lea 0x101(%rbx), %rdi\n mov $5, %ecx\n rep movsb\n"
     "fldt 8(%rbx)\n fstp %st(0)\n fnstenv 4(%rbx)\n fnstcw (%rbx)\n fldcw (%rbx)\n"
     "lock cmpxchg8b 8(%rbx)\n movups (%rbx), %xmm1\n"
     "sub $3, %rsp\n" F(ac_ok) "int3");

static void setup_ac(Blob b, bool am, bool ac)
{
    load(X86RUN_LONG, b);
    if (am) {
        env()->cr[0] |= CR0_AM_MASK;
    }
    x86run_enter_user();
    env()->regs[R_EBX] = X86RUN_DATA;
    env()->regs[R_ECX] = 0x5555;
    set_rflags(2 | (ac ? RFLAGS_AC : 0));
}

static void test_ac(gconstpointer p)
{
    static const struct {
        const char *what;
        Blob b;
        int vector;
    } cases[] = {
        { "word load at +1", BF(ac_ld_w), EXCP11_ALGN },
        { "dword load at +2", BF(ac_ld_l), EXCP11_ALGN },
        { "qword store at +4", BF(ac_st_q), EXCP11_ALGN },
        { "MOVSX word at +3", BF(ac_movsx), EXCP11_ALGN },
        { "ADD m32 at +6", BF(ac_add), EXCP11_ALGN },
        { "PUSH, RSP = 2 mod 8", BF(ac_push), EXCP11_ALGN },
        { "POP, RSP = 4 mod 8", BF(ac_pop), EXCP11_ALGN },
        { "CALL, RSP = 4 mod 8", BF(ac_call), EXCP11_ALGN },
        { "LRETQ, RSP = 4 mod 8", BF(ac_lret), EXCP11_ALGN },
        { "REP MOVSD from +1 (first element)", BF(ac_movsl), EXCP11_ALGN },
        { "REP STOSW to +0x101", BF(ac_stosw), EXCP11_ALGN },
        { "LOCK CMPXCHG m32 at +6", BF(ac_cmpxchg), EXCP11_ALGN },
        { "CMPXCHG8B at +4", BF(ac_cmpxchg8b), EXCP11_ALGN },
        { "XCHG m16 at +3", BF(ac_xchg), EXCP11_ALGN },
        { "BT m32 at +2 (bit string: 4)", BF(ac_bt), EXCP11_ALGN },
        { "MOV m16, DS at +1 (selector: 2)", BF(ac_sreg), EXCP11_ALGN },
        { "MOVQ xmm, m64 at +4", BF(ac_movq_xmm), EXCP11_ALGN },
        { "MOVBE m32 at +2", BF(ac_movbe), EXCP11_ALGN },
        { "FLD m80 at +4 (80-bit: 8)", BF(ac_fldt), EXCP11_ALGN },
        { "FLD m64 at +4", BF(ac_fldl), EXCP11_ALGN },
        { "FISTP m32 at +2", BF(ac_fistp), EXCP11_ALGN },
        { "FNSTENV 28 bytes at +2 (4)", BF(ac_fnstenv), EXCP11_ALGN },
        { "FNSTCW at +1", BF(ac_fnstcw), EXCP11_ALGN },
        /* Measured on AMD EPYC: #AC before #PF for a not-present page... */
        { "misaligned, not-present page", BF(ac_np), EXCP11_ALGN },
        /* ... but the canonical check first. */
        { "misaligned, non-canonical", BF(ac_nc), EXCP0D_GPF },
    };
    x86run_init(be_of(p));
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_message("%s", cases[i].what);
        setup_ac(cases[i].b, true, true);
        if (cases[i].b.start == ac_np) {
            put64(PD(1) + 8, 0);                  /* 0x40200000: not present */
        }
        uint8_t before[0x200], after[0x200];
        x86run_read(X86RUN_DATA, before, sizeof(before));
        uint64_t regs[CPU_NB_REGS];
        X86RunResult r = go(X86RUN_CODE);
        expect_vector(&r, cases[i].vector, 0, label(cases[i].b, X86RUN_CODE));
        g_assert_cmphex(r.frame_cs & 3, ==, 3);
        g_assert_true(r.frame_rflags & RFLAGS_AC);
        /* A fault: no memory written, RSI/RDI/RCX of REP MOVSD untouched. */
        x86run_read(X86RUN_DATA, after, sizeof(after));
        g_assert_cmpmem(before, sizeof(before), after, sizeof(after));
        memcpy(regs, env()->regs, sizeof(regs));
        if (cases[i].b.start == ac_movsl) {
            g_assert_cmphex(regs[R_ECX], ==, 3);
            g_assert_cmphex(regs[R_ESI], ==, X86RUN_DATA + 1);
        }
    }
}

/* The accesses alignment checking spares (SDM §6.15: CPL 0-2, AM or AC clear, byte
 * accesses, supervisor-mode system accesses) never fault. */
static void test_ac_exempt(gconstpointer p)
{
    x86run_init(be_of(p));
    for (int round = 0; round < 4; round++) {
        bool am = round != 1, ac = round != 2;
        g_test_message("AM %d AC %d%s", am, ac, round == 3 ? ", GDT at an odd address" : "");
        setup_ac(BF(ac_ok), am, ac);
        if (round == 3) {
            /* Descriptor-table reads during the #BP delivery are supervisor accesses:
             * misaligned GDT and IDT entries do not #AC either. */
            uint8_t t[0x1000];
            x86run_read(X86RUN_GDT, t, sizeof(t));
            x86run_write(0x8001, t, sizeof(t));
            env()->gdt.base = 0x8001;
            x86run_read(X86RUN_IDT, t, sizeof(t));
            x86run_write(0x6001, t, sizeof(t));
            env()->idt.base = 0x6001;
        }
        X86RunResult r = go(X86RUN_CODE);
        expect_vector(&r, EXCP03_INT3, -1, label(BF(ac_ok), X86RUN_CODE) + 1);
        /* The #BP frame went to RSP0 although the user RSP was misaligned. */
        g_assert_cmphex(r.frame_rsp & 7, !=, 0);
    }

    /* CPL 0 with AM and AC: no checks. */
    load(X86RUN_LONG, BF(ac_ld_l));
    env()->cr[0] |= CR0_AM_MASK;
    env()->regs[R_EBX] = X86RUN_DATA;
    set_rflags(2 | RFLAGS_AC);
    X86RunResult r = go(X86RUN_CODE);
    expect_vector(&r, EXCP03_INT3, -1, X86RUN_CODE + (ac_ld_l_end - ac_ld_l));
}

/* The same code translated with and without alignment checking (a TB flag):
 * AC toggled by the harness between runs and by POPF inside one run. */
BLOB(ac_popf, ".code64",
     "pushfq\n orl $0x40000, (%rsp)\n popfq\n movl 8(%rbx), %eax\n"
     "pushfq\n andl $~0x40000, (%rsp)\n popfq\n movl 3(%rbx), %eax\n"
     "pushfq\n orl $0x40000, (%rsp)\n popfq\n" F(ac_popf) "movl 3(%rbx), %eax\n int3");

static void test_ac_toggle(gconstpointer p)
{
    x86run_init(be_of(p));
    setup_ac(BF(ac_ld_l), true, false);
    for (int round = 0; round < 4; round++) {
        bool ac = round & 1;
        x86run_enter_user();
        env()->regs[R_EBX] = X86RUN_DATA;
        set_rflags(2 | (ac ? RFLAGS_AC : 0));
        X86RunResult r = go(X86RUN_CODE);
        uint64_t f = label(BF(ac_ld_l), X86RUN_CODE);
        uint64_t end = X86RUN_CODE + (ac_ld_l_end - ac_ld_l);
        expect_vector(&r, ac ? EXCP11_ALGN : EXCP03_INT3, ac ? 0 : -1, ac ? f : end);
    }
    setup_ac(BF(ac_popf), true, false);
    X86RunResult r = go(X86RUN_CODE);
    expect_vector(&r, EXCP11_ALGN, 0, label(BF(ac_popf), X86RUN_CODE));
}

/* ---- single-step ---- */

/* Resume after a #DB stop at ring 0: the frame's RIP, RSP and RFLAGS (with TF). */
static X86RunResult resume(const X86RunResult *r)
{
    env()->regs[R_ESP] = r->frame_rsp;
    set_rflags(r->frame_rflags);
    return go(r->frame_rip);
}

static void expect_db(const X86RunResult *r, uint64_t rip)
{
    expect_vector(r, EXCP01_DB, -1, rip);
    g_assert_true(r->frame_rflags & RFLAGS_TF);
    g_assert_cmphex(env()->dr[6] & DR6_BS, ==, DR6_BS);
    env()->dr[6] = 0xffff0ff0;
}

BLOB(ss_steps, ".code64",
     "pushfq\n orl $0x100, (%rsp)\n popfq\n"
     "mov $1, %eax\n" F(ss_steps) "mov $2, %ebx\n hlt");

/*
 * POPF setting TF: no trap after the POPF, one after the next instruction
 * (SDM §17.3.1.4), with DR6.BS; the other DR6 bits are kept.
 */
static void test_db_popf_set(gconstpointer p)
{
    x86run_init(be_of(p));
    uint64_t at = load(X86RUN_LONG, BF(ss_steps));
    env()->dr[6] = 0xffff0ff1;                   /* B0 set before: stays */
    X86RunResult r = go(at);
    expect_vector(&r, EXCP01_DB, -1, label(BF(ss_steps), at));
    g_assert_cmphex(env()->dr[6], ==, 0xffff4ff1);
    g_assert_cmphex(env()->regs[R_EAX], ==, 1);
    g_assert_cmphex(env()->regs[R_EBX], ==, 0);
    g_assert_true(r.frame_rflags & RFLAGS_TF);
    /* TF is clear in the handler (delivery clears it): the stub's HLT ran. */
    g_assert_false(env()->rflags & RFLAGS_TF);
}

/*
 * Each instruction with TF traps after itself, a jump at its target; POPF
 * clearing TF still traps (TF was set when it began: measured on AMD EPYC),
 * and nothing after it. dbw_N: the RIP of the Nth trap.
 */
BLOB(ss_walk, ".code64",
     "inc %rax\n"
     "dbw_1: jmp 1f\n ud2\n"
     "1: dbw_2: cmp %rax, %rax\n"
     "dbw_3: jne 2f\n"                  /* not taken */
     "dbw_4: call 3f\n"
     "2: ud2\n"
     "3: dbw_5: pop %rcx\n"
     "dbw_6: pushfq\n andl $~0x100, (%rsp)\n"
     "dbw_7: popfq\n"
     "dbw_8: inc %rax\n hlt\n");
extern const uint8_t dbw_1[] HIDDEN, dbw_2[] HIDDEN, dbw_3[] HIDDEN, dbw_4[] HIDDEN,
                     dbw_5[] HIDDEN, dbw_6[] HIDDEN, dbw_7[] HIDDEN, dbw_8[] HIDDEN;

static void test_db_walk(gconstpointer p)
{
    const uint8_t *steps[] = { dbw_1, dbw_2, dbw_3, dbw_4, dbw_5, dbw_6, NULL, dbw_7 };
    x86run_init(be_of(p));
    uint64_t at = load(X86RUN_LONG, B(ss_walk));
    set_rflags(2 | RFLAGS_TF);
    X86RunResult r = go(at);
    for (unsigned i = 0; i < G_N_ELEMENTS(steps); i++) {
        if (steps[i]) {
            expect_db(&r, at + (steps[i] - ss_walk));
        } else {
            /* the ANDL after PUSHFQ */
            g_assert_cmpint(r.vector, ==, EXCP01_DB);
        }
        r = resume(&r);
    }
    /* POPF cleared TF: its own trap still comes, with TF clear in the frame. */
    expect_vector(&r, EXCP01_DB, -1, at + (dbw_8 - ss_walk));
    g_assert_false(r.frame_rflags & RFLAGS_TF);
    g_assert_cmphex(env()->dr[6] & DR6_BS, ==, DR6_BS);
    r = resume(&r);
    expect_halt(&r);
    g_assert_cmphex(env()->regs[R_EAX], ==, 2);
}

/* REP string instructions trap after every iteration with RIP at the instruction
 * (measured on AMD EPYC), and once when RCX = 0. */
BLOB(ss_rep, ".code64", "cld\n" F(ss_rep) "rep movsb\n hlt");

static void test_db_rep(gconstpointer p)
{
    x86run_init(be_of(p));
    for (int count = 0; count <= 3; count += 3) {
        uint64_t at = load(X86RUN_LONG, BF(ss_rep));
        uint64_t rep = label(BF(ss_rep), at);
        env()->regs[R_ESI] = X86RUN_DATA;
        env()->regs[R_EDI] = X86RUN_DATA + 0x100;
        env()->regs[R_ECX] = count;
        set_rflags(2 | RFLAGS_TF);
        X86RunResult r = go(at);
        expect_db(&r, rep);                          /* after CLD */
        for (int i = count - 1; i >= 0; i--) {
            r = resume(&r);
            expect_db(&r, i ? rep : rep + 2);
            g_assert_cmphex(env()->regs[R_ECX], ==, i);
        }
        if (count == 0) {
            r = resume(&r);
            expect_db(&r, rep + 2);
        }
        r = resume(&r);
        expect_halt(&r);
    }
}

/*
 * MOV SS blocks the single-step trap for one instruction (SDM §6.8.3): the
 * trap of the MOV SS is taken after the next instruction (measured on AMD
 * EPYC: one trap for both). STI does not: its shadow holds off only
 * maskable interrupts (SDM STI).
 */
BLOB(ss_movss, ".code64", "mov %ss, %eax\n mov %eax, %ss\n inc %rbx\n" F(ss_movss)
     "inc %rbx\n hlt");
BLOB(ss_sti, ".code64", "sti\n" F(ss_sti) "inc %rbx\n hlt");
BLOB(ss_popss, ".code32", "push %ss\n pop %ss\n inc %ebx\n" F(ss_popss) "inc %ebx\n hlt");

static void test_db_shadow(gconstpointer p)
{
    x86run_init(be_of(p));
    uint64_t at = load(X86RUN_LONG, BF(ss_movss));
    set_rflags(2 | RFLAGS_TF);
    X86RunResult r = go(at);
    expect_db(&r, at + 2);                           /* after MOV EAX, SS */
    r = resume(&r);
    expect_db(&r, label(BF(ss_movss), at));         /* after MOV SS; INC */
    g_assert_cmphex(env()->regs[R_EBX], ==, 1);

    at = load(X86RUN_LONG, BF(ss_sti));
    set_rflags(2 | RFLAGS_TF);
    r = go(at);
    expect_db(&r, label(BF(ss_sti), at));
    g_assert_true(r.frame_rflags & RFLAGS_IF);

    /* POP SS (32-bit protected mode), the same way. */
    at = load(X86RUN_PROT32, BF(ss_popss));
    set_rflags(2 | RFLAGS_TF);
    r = go(at);
    expect_db(&r, at + 1);                           /* after PUSH SS */
    env()->regs[R_ESP] = X86RUN_KSTACK - 4;          /* 32-bit frame: no SS:ESP */
    set_rflags(r.frame_rflags);
    r = go(r.frame_rip);
    expect_db(&r, label(BF(ss_popss), at));
    g_assert_cmphex(env()->regs[R_EBX], ==, 1);
}

/* No #DB for an instruction that faults or is INT n/INT3 (their delivery clears
 * TF; the frame keeps it), and none after an IRET that sets TF: the trap
 * follows the next instruction (SDM §17.3.1.4). */
BLOB(ss_int3, ".code64", F(ss_int3) "int3\n hlt");
BLOB(ss_fault, ".code64", "mov $" NC ", %rax\n" F(ss_fault) "mov (%rax), %rax\n hlt");
BLOB(ss_iret, ".code64",
     "mov %rsp, %rax\n push $0x10\n push %rax\n push $0x102\n push $0x8\n"
     "lea 1f(%rip), %rax\n push %rax\n iretq\n"
     "1: inc %rbx\n" F(ss_iret) "inc %rbx\n hlt");

static void test_db_no_trap(gconstpointer p)
{
    x86run_init(be_of(p));
    uint64_t at = load(X86RUN_LONG, BF(ss_int3));
    set_rflags(2 | RFLAGS_TF);
    X86RunResult r = go(at);
    expect_vector(&r, EXCP03_INT3, -1, label(BF(ss_int3), at) + 1);
    g_assert_true(r.frame_rflags & RFLAGS_TF);
    g_assert_cmphex(env()->dr[6] & DR6_BS, ==, 0);

    at = load(X86RUN_LONG, BF(ss_fault));
    env()->regs[R_EAX] = NC_VAL;
    set_rflags(2 | RFLAGS_TF);
    r = go(label(BF(ss_fault), at));
    expect_vector(&r, EXCP0D_GPF, 0, label(BF(ss_fault), at));
    g_assert_cmphex(env()->dr[6] & DR6_BS, ==, 0);

    at = load(X86RUN_LONG, BF(ss_iret));
    r = go(at);
    expect_db(&r, label(BF(ss_iret), at));
    g_assert_cmphex(env()->regs[R_EBX], ==, 1);
}

/*
 * SYSCALL and SYSRET test TF after they complete: a SYSCALL whose FMASK clears
 * TF runs the kernel entry without a trap, one that leaves TF set traps
 * before the first kernel instruction; SYSRET restoring TF = 1 from R11 traps
 * before the first user instruction (Linux relies on both: entry_64.S).
 */
#define KENTRY (X86RUN_CODE + 0x800)
BLOB(ss_syscall, ".code64", F(ss_syscall) "syscall\n int3");
BLOB(ss_kentry, ".code64", "inc %rbx\n hlt");
BLOB(ss_sysret, ".code64", "lea 1f(%rip), %rcx\n mov $0x302, %r11\n sysretq\n"
     "1: " F(ss_sysret) "inc %rbx\n int3");

static void test_db_syscall(gconstpointer p)
{
    x86run_init(be_of(p));
    for (int mask_tf = 0; mask_tf < 2; mask_tf++) {
        uint64_t at = load(X86RUN_LONG, BF(ss_syscall));
        x86run_write(KENTRY, ss_kentry, ss_kentry_end - ss_kentry);
        env()->lstar = KENTRY;
        env()->fmask = mask_tf ? RFLAGS_TF : 0;
        x86run_enter_user();
        set_rflags(2 | RFLAGS_TF);
        X86RunResult r = go(at);
        if (mask_tf) {
            expect_halt(&r);
            g_assert_cmphex(env()->regs[R_EBX], ==, 1);
        } else {
            expect_db(&r, KENTRY);
            g_assert_cmphex(r.frame_cs & 3, ==, 0);
            g_assert_cmphex(env()->regs[R_EBX], ==, 0);
        }
    }
    uint64_t at = load(X86RUN_LONG, BF(ss_sysret));
    X86RunResult r = go(at);
    expect_db(&r, label(BF(ss_sysret), at));
    g_assert_cmphex(r.frame_cs, ==, X86RUN_SEL_UCS64);
    g_assert_cmphex(env()->regs[R_EBX], ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    static const struct {
        const char *name;
        void (*fn)(gconstpointer);
    } tests[] = {
        { "ss/noncanonical", test_ss_noncanonical },
        { "pf/rsvd-long", test_rsvd_long },
        { "pf/rsvd-error-code", test_rsvd_error_code },
        { "pf/rsvd-pae-pse", test_rsvd_legacy },
        { "pf/rsvd-cpuid-swap", test_rsvd_cpuid_swap },
        { "pf/walk-outside-ram", test_walk_outside_ram },
        { "ac/faults", test_ac },
        { "ac/exempt", test_ac_exempt },
        { "ac/toggle", test_ac_toggle },
        { "db/popf-set", test_db_popf_set },
        { "db/walk", test_db_walk },
        { "db/rep", test_db_rep },
        { "db/shadow", test_db_shadow },
        { "db/no-trap", test_db_no_trap },
        { "db/syscall", test_db_syscall },
    };
    TCGBackendKind bes[2];
    int nb = x86run_backends(bes);
    for (int b = 0; b < nb; b++) {
        for (unsigned i = 0; i < G_N_ELEMENTS(tests); i++) {
            g_autofree char *path = g_strdup_printf(
                "/x86-excp/%s/%s", bes[b] == TCG_BACKEND_TCI ? "tci" : "native",
                tests[i].name);
            g_test_add_data_func(path, GINT_TO_POINTER(bes[b]), tests[i].fn);
        }
    }
    return g_test_run();
}
