/*
 * System instructions on the x86 test system (x86-run.h), on every TCG
 * backend: control registers and their #GP cases, entering and leaving
 * IA-32e mode, debug registers, MSR round trips and refusals, INVLPG /
 * INVPCID / CR3 against a stale translation, port I/O through a test device
 * on address_space_io (REP INS/OUTS, the TSS I/O permission bitmap), CLI/STI
 * with IOPL and the STI interrupt shadow, and the small ones (CLAC/STAC,
 * RDPMC, RDTSCP, RDPID, FS/GS base, XGETBV/XSETBV, SMSW with UMIP, CLFLUSH,
 * MONITOR/MWAIT, PKRU, RSM; SWAPGS, which translate-seg.c implements).
 *
 * The oracle is the SDM's stated behaviour (vol. 2 instruction pages, vol. 3
 * ch. 2, 4, 9.8.5, 17.2, vol. 1 §19.5). Guest code is assembled by the host
 * assembler from the strings below (.code16/.code32/.code64) and copied to
 * guest memory; a label NAME_f marks the instruction that must fault.
 */
#include "util/osdep.h"
#include "system/memory.h"
#include "hw/core/qdev.h"
#include "hw/intc/apic.h"
#include "target/i386/cpu-internal.h"
#include "x86-run.h"

#define HIDDEN __attribute__((visibility("hidden")))

/* A guest code blob: bytes NAME .. NAME_end, optional fault label NAME_f. */
#define BLOB(name, mode, text)                                                    \
    extern const uint8_t name[] HIDDEN, name##_end[] HIDDEN, name##_f[] HIDDEN;   \
    __asm__(".pushsection .rodata.x86sys, \"a\"\n" #name ":\n" mode "\n" text     \
            "\n.code64\n" #name "_end:\n.popsection\n")
#define F(name) #name "_f: "

typedef struct Blob {
    const uint8_t *start, *end, *fault;
} Blob;
#define B(name) ((Blob){ name, name##_end, NULL })
#define BF(name) ((Blob){ name, name##_end, name##_f })

static TCGBackendKind be_of(gconstpointer p)
{
    return (TCGBackendKind)GPOINTER_TO_INT(p);
}

static CPUX86State *env(void)
{
    return x86run_env();
}

/* Set up @mode and put @b at @at (CODE, or 0x7c00 in real mode); run it later. */
static uint64_t load(X86RunMode mode, Blob b)
{
    uint64_t at = mode == X86RUN_REAL ? 0x7c00 : X86RUN_CODE;
    x86run_setup(mode);
    x86run_write(at, b.start, b.end - b.start);
    return at;
}

static X86RunResult go(uint64_t at)
{
    X86RunResult r = x86run_exec(at, 1000);
    g_autofree char *d = x86run_describe(&r);
    if (g_test_verbose()) {
        g_test_message("%s", d);
    }
    return r;
}

static void expect_halt(const X86RunResult *r)
{
    g_autofree char *d = x86run_describe(r);
    if (r->stop != X86RUN_HALT) {
        g_test_message("%s", d);
    }
    g_assert_cmpint(r->stop, ==, X86RUN_HALT);
}

/* Exception @vector (with error code @err when it has one) at b's fault label. */
static void expect_fault(const X86RunResult *r, Blob b, uint64_t at, int vector, int err)
{
    g_autofree char *d = x86run_describe(r);
    if (r->stop != X86RUN_EXCEPTION || r->vector != vector) {
        g_test_message("%s", d);
    }
    g_assert_cmpint(r->stop, ==, X86RUN_EXCEPTION);
    g_assert_cmpint(r->vector, ==, vector);
    if (r->has_error_code && err >= 0) {
        g_assert_cmphex(r->error_code, ==, (uint32_t)err);
    }
    if (b.fault) {
        g_assert_cmphex(r->frame_rip, ==, at + (b.fault - b.start));
    }
}

static void set_rflags(uint64_t f)
{
    x86_cpu_set_rflags(env(), f);
    x86_update_hflags(env());
}

/* ---- control registers ---- */

BLOB(gp_cr4_vmxe, ".code64", "mov %cr4, %rax\n bts $13, %rax\n" F(gp_cr4_vmxe)
     "mov %rax, %cr4\n hlt");
BLOB(gp_cr4_la57, ".code64", "mov %cr4, %rax\n bts $12, %rax\n" F(gp_cr4_la57)
     "mov %rax, %cr4\n hlt");
BLOB(gp_cr0_hi, ".code64", "mov %cr0, %rax\n bts $32, %rax\n" F(gp_cr0_hi)
     "mov %rax, %cr0\n hlt");
BLOB(gp_cr4_nopae, ".code64", "mov %cr4, %rax\n btr $5, %rax\n" F(gp_cr4_nopae)
     "mov %rax, %cr4\n hlt");
BLOB(gp_cr0_nopg, ".code64", "mov %cr0, %rax\n btr $31, %rax\n" F(gp_cr0_nopg)
     "mov %rax, %cr0\n hlt");
BLOB(gp_cr0_nope, ".code64", "mov %cr0, %rax\n btr $0, %rax\n" F(gp_cr0_nope)
     "mov %rax, %cr0\n hlt");
BLOB(gp_cr0_nw, ".code64", "mov %cr0, %rax\n bts $29, %rax\n btr $30, %rax\n"
     F(gp_cr0_nw) "mov %rax, %cr0\n hlt");
BLOB(gp_cr8, ".code64", "mov $16, %eax\n" F(gp_cr8) "mov %rax, %cr8\n hlt");
BLOB(gp_cr3_hi, ".code64", "mov %cr3, %rax\n bts $40, %rax\n" F(gp_cr3_hi)
     "mov %rax, %cr3\n hlt");
BLOB(gp_cr3_63, ".code64", "mov %cr3, %rax\n bts $63, %rax\n" F(gp_cr3_63)
     "mov %rax, %cr3\n hlt");
BLOB(gp_pcide, ".code64", "mov %cr3, %rax\n or $8, %rax\n mov %rax, %cr3\n"
     "mov %cr4, %rax\n bts $17, %rax\n" F(gp_pcide) "mov %rax, %cr4\n hlt");
BLOB(gp_efer_lme, ".code64", "mov $0xc0000080, %ecx\n rdmsr\n btr $8, %eax\n"
     F(gp_efer_lme) "wrmsr\n hlt");

/* SDM MOV CR / WRMSR "Protected Mode Exceptions" and "64-Bit Mode Exceptions". */
static void test_cr_gp(gconstpointer p)
{
    static const struct {
        const char *what;
        Blob b;
    } cases[] = {
        { "CR4.VMXE reserved", BF(gp_cr4_vmxe) },
        { "CR4.LA57 reserved", BF(gp_cr4_la57) },
        { "CR0 bit 32", BF(gp_cr0_hi) },
        { "clear CR4.PAE in IA-32e mode", BF(gp_cr4_nopae) },
        { "clear CR0.PG in 64-bit mode", BF(gp_cr0_nopg) },
        { "CR0.PG without PE", BF(gp_cr0_nope) },
        { "CR0.NW without CD", BF(gp_cr0_nw) },
        { "CR8 bit 4", BF(gp_cr8) },
        { "CR3 above MAXPHYADDR", BF(gp_cr3_hi) },
        { "CR3 bit 63 without PCIDE", BF(gp_cr3_63) },
        { "CR4.PCIDE with CR3[11:0] != 0", BF(gp_pcide) },
        { "EFER.LME change with paging on", BF(gp_efer_lme) },
    };
    x86run_init(be_of(p));
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_message("%s", cases[i].what);
        uint64_t at = load(X86RUN_LONG, cases[i].b);
        uint64_t cr0 = env()->cr[0], cr3 = env()->cr[3], cr4 = env()->cr[4];
        uint64_t efer = env()->efer;
        X86RunResult r = go(at);
        expect_fault(&r, cases[i].b, at, EXCP0D_GPF, 0);
        /* A refused write changes nothing (CR3 may have been reloaded before). */
        g_assert_cmphex(env()->cr[0], ==, cr0);
        g_assert_cmphex(env()->cr[4], ==, cr4);
        g_assert_cmphex(env()->efer, ==, efer);
        g_assert_cmphex(env()->cr[3] & ~0xfffull, ==, cr3);
    }
}

BLOB(cr_ok, ".code64",
     "mov $5, %eax\n mov %rax, %cr8\n mov %cr8, %rbx\n"
     "mov $0x1234, %rax\n mov %rax, %cr2\n mov %cr2, %rcx\n"
     /* reserved CR0 bit 6 is ignored, ET (bit 4) stays 1 */
     "mov %cr0, %rax\n bts $6, %rax\n btr $4, %rax\n mov %rax, %cr0\n mov %cr0, %rdx\n"
     /* PCIDE, then a CR3 load with PCID 1 and the no-flush bit */
     "mov %cr4, %rax\n bts $17, %rax\n mov %rax, %cr4\n"
     "mov $0x10001, %rax\n bts $63, %rax\n mov %rax, %cr3\n mov %cr3, %rsi\n"
     /* TS, CLTS */
     "mov %cr0, %rax\n bts $3, %rax\n mov %rax, %cr0\n clts\n mov %cr0, %rdi\n"
     /* LMSW loads MP/EM/TS and cannot clear PE */
     "mov $0xe, %eax\n lmsw %ax\n mov %cr0, %r8\n smsw %r9\n"
     "hlt");

static void test_cr_ok(gconstpointer p)
{
    x86run_init(be_of(p));
    uint64_t at = load(X86RUN_LONG, B(cr_ok));
    uint64_t cr0 = env()->cr[0];
    X86RunResult r = go(at);
    expect_halt(&r);
    g_assert_cmphex(env()->regs[R_EBX], ==, 5);
    g_assert_cmphex(env()->cr8, ==, 5);
    g_assert_cmphex(env()->regs[R_ECX], ==, 0x1234);
    g_assert_cmphex(env()->regs[R_EDX], ==, cr0);
    g_assert_cmphex(env()->regs[R_ESI], ==, 0x10001);   /* bit 63 is not stored */
    g_assert_true(env()->cr[4] & (1u << 17));
    g_assert_cmphex(env()->regs[R_EDI], ==, cr0);       /* TS set, then cleared */
    g_assert_cmphex(env()->regs[R_R8], ==, cr0 | 0xe);  /* PE kept */
    g_assert_cmphex(env()->regs[R_R9], ==, cr0 | 0xe);
    g_assert_true(env()->hflags & HF_TS_MASK);
    g_assert_true(env()->hflags & HF_EM_MASK);
}

/* Real mode: the #GP cases of CR0 writes that set PE and PG together (§9.8.5). */
BLOB(rg_pg_nope, ".code16", "mov %cr0, %eax\n or $0x80000000, %eax\n" F(rg_pg_nope)
     "mov %eax, %cr0\n hlt");
BLOB(rg_nw, ".code16", "mov %cr0, %eax\n or $0x20000000, %eax\n and $0xbfffffff, %eax\n"
     F(rg_nw) "mov %eax, %cr0\n hlt");
BLOB(rg_lme_nopae, ".code16",
     "mov $0xc0000080, %ecx\n rdmsr\n or $0x100, %eax\n wrmsr\n"
     "mov $0x10000, %eax\n mov %eax, %cr3\n"
     "mov %cr0, %eax\n or $0x80000001, %eax\n" F(rg_lme_nopae) "mov %eax, %cr0\n hlt");
BLOB(rg_lme_pae, ".code16",
     "mov $0xc0000080, %ecx\n rdmsr\n or $0x100, %eax\n wrmsr\n"
     "mov $0x10000, %eax\n mov %eax, %cr3\n"
     "mov %cr4, %eax\n or $0x20, %eax\n mov %eax, %cr4\n"
     "mov %cr0, %eax\n or $0x80000001, %eax\n" F(rg_lme_pae) "mov %eax, %cr0\n hlt");

static void test_cr_real(gconstpointer p)
{
    x86run_init(be_of(p));
    static const struct {
        const char *what;
        Blob b;
        bool cs_l;
    } gp[] = {
        { "PG without PE", BF(rg_pg_nope), false },
        { "NW without CD", BF(rg_nw), false },
        { "IA-32e activation without PAE", BF(rg_lme_nopae), false },
        { "IA-32e activation with CS.L = 1", BF(rg_lme_pae), true },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(gp); i++) {
        g_test_message("%s", gp[i].what);
        x86run_setup(X86RUN_LONG);           /* page tables at X86RUN_PML4 */
        uint64_t at = load(X86RUN_REAL, gp[i].b);
        if (gp[i].cs_l) {
            env()->segs[R_CS].flags |= DESC_L_MASK;
        }
        uint64_t cr0 = env()->cr[0];
        X86RunResult r = go(at);
        expect_fault(&r, gp[i].b, at, EXCP0D_GPF, -1);
        g_assert_cmphex(env()->cr[0], ==, cr0);
        g_assert_false(env()->efer & EFER_LMA);
    }
    /* The same with CS.L = 0 activates IA-32e mode straight from real mode. */
    x86run_setup(X86RUN_LONG);
    uint64_t at = load(X86RUN_REAL, B(rg_lme_pae));
    X86RunResult r = go(at);
    expect_halt(&r);
    g_assert_true(env()->efer & EFER_LMA);
    g_assert_true(env()->hflags & HF_LMA_MASK);
    g_assert_false(env()->hflags & HF_CS64_MASK);
}

/* tests/guests/start.S's sequence from 32-bit protected mode, then back out. */
BLOB(lm_enter, ".code32",
     "mov $0x10000, %eax\n mov %eax, %cr3\n"
     "mov %cr4, %eax\n or $0x20, %eax\n mov %eax, %cr4\n"
     "mov $0xc0000080, %ecx\n rdmsr\n or $0x101, %eax\n wrmsr\n"
     "mov %cr0, %eax\n or $0x80010000, %eax\n mov %eax, %cr0\n"
     "hlt\n"
     /* second run: compatibility mode -> leave IA-32e mode */
     "mov $0xc0000080, %ecx\n rdmsr\n mov %eax, %ebx\n"
     "mov %cr0, %eax\n btr $31, %eax\n mov %eax, %cr0\n"
     "mov $0xc0000080, %ecx\n rdmsr\n mov %eax, %esi\n"
     "hlt");

static void test_long_mode_entry(gconstpointer p)
{
    x86run_init(be_of(p));
    x86run_setup(X86RUN_LONG);               /* page tables at X86RUN_PML4 */
    uint64_t at = load(X86RUN_PROT32, B(lm_enter));
    X86RunResult r = go(at);
    expect_halt(&r);
    /* EFER.LMA set by CR0.PG with LME and PAE; CS.L = 0: compatibility mode. */
    g_assert_cmphex(env()->efer, ==, EFER_SCE | EFER_LME | EFER_LMA);
    g_assert_true(env()->cr[0] & CR0_PG_MASK);
    g_assert_true(env()->hflags & HF_LMA_MASK);
    g_assert_false(env()->hflags & HF_CS64_MASK);
    g_assert_true(env()->hflags & HF_CS32_MASK);

    r = go(env()->rip);
    expect_halt(&r);
    g_assert_cmphex(env()->regs[R_EBX], ==, EFER_SCE | EFER_LME | EFER_LMA);
    g_assert_cmphex(env()->regs[R_ESI], ==, EFER_SCE | EFER_LME);   /* LMA cleared */
    g_assert_false(env()->cr[0] & CR0_PG_MASK);
    g_assert_false(env()->hflags & HF_LMA_MASK);
}

/*
 * PAE paging from 32-bit protected mode: MOV CR3 loads the four PDPTEs and a
 * present one with a reserved bit (here R/W, bit 1) is #GP(0) (SDM vol. 3 §4.4.1).
 */
#define PDPT_GOOD 0x20000u
#define PDPT_BAD  0x20020u
BLOB(pae_pdpte, ".code32",
     "mov $0x20000, %eax\n mov %eax, %cr3\n"
     "mov %cr4, %eax\n or $0x20, %eax\n mov %eax, %cr4\n"
     "mov %cr0, %eax\n or $0x80000000, %eax\n mov %eax, %cr0\n"
     "mov $0x20020, %eax\n" F(pae_pdpte) "mov %eax, %cr3\n hlt");

static void test_pae_pdpte(gconstpointer p)
{
    x86run_init(be_of(p));
    x86run_setup(X86RUN_LONG);               /* the PDs at X86RUN_PML4 + 0x2000.. */
    uint64_t at = load(X86RUN_PROT32, BF(pae_pdpte));
    uint64_t good[4], bad[4];
    for (int i = 0; i < 4; i++) {
        good[i] = (X86RUN_PML4 + 0x2000 + 0x1000 * i) | 1;
        bad[i] = good[i];
    }
    bad[2] |= 2;
    x86run_write(PDPT_GOOD, good, sizeof(good));
    x86run_write(PDPT_BAD, bad, sizeof(bad));
    X86RunResult r = go(at);
    expect_fault(&r, BF(pae_pdpte), at, EXCP0D_GPF, 0);
    g_assert_cmphex(env()->cr[3], ==, PDPT_GOOD);
    g_assert_true(env()->cr[0] & CR0_PG_MASK);
    g_assert_false(env()->efer & EFER_LMA);
}

/* With a CPUID table built for qemu64: CR4/EFER/MSR bits follow its features. */
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

BLOB(set_fsgsbase, ".code64", "mov %cr4, %rax\n bts $16, %rax\n" F(set_fsgsbase)
     "mov %rax, %cr4\n hlt");
BLOB(set_umip, ".code64", "mov %cr4, %rax\n bts $11, %rax\n" F(set_umip)
     "mov %rax, %cr4\n hlt");
BLOB(rd_tsc_aux, ".code64", "mov $0xc0000103, %ecx\n" F(rd_tsc_aux) "rdmsr\n hlt");

static void test_cpuid_gating(gconstpointer p)
{
    x86run_init(be_of(p));
    const Blob blobs[] = { BF(set_fsgsbase), BF(set_umip), BF(rd_tsc_aux) };

    build_cpuid("");                         /* qemu64: no fsgsbase, umip, rdtscp */
    for (unsigned i = 0; i < G_N_ELEMENTS(blobs); i++) {
        uint64_t at = load(X86RUN_LONG, blobs[i]);
        X86RunResult r = go(at);
        expect_fault(&r, blobs[i], at, EXCP0D_GPF, 0);
    }
    build_cpuid("+fsgsbase,+umip,+rdtscp");
    for (unsigned i = 0; i < G_N_ELEMENTS(blobs); i++) {
        uint64_t at = load(X86RUN_LONG, blobs[i]);
        X86RunResult r = go(at);
        expect_halt(&r);
        if (i == 1) {
            g_assert_true(env()->cr[4] & (1u << 11));   /* UMIP */
        }
    }
    drop_cpuid();
}

/* ---- debug registers (SDM vol. 3 §17.2) ---- */

BLOB(dr_ok, ".code64",
     "mov $0x1000, %rax\n mov %rax, %dr0\n mov %dr0, %rbx\n"
     "xor %eax, %eax\n mov %rax, %dr6\n mov %dr6, %rcx\n"
     "mov $0xf, %eax\n mov %rax, %dr6\n mov %dr6, %rdx\n"
     "mov %dr4, %rsi\n"                       /* DR6 alias (CR4.DE = 0) */
     "mov $0x2400, %eax\n mov %rax, %dr7\n"   /* GD */
     F(dr_ok) "mov %dr0, %rdi\n hlt");
BLOB(dr_de, ".code64", "mov %cr4, %rax\n bts $3, %rax\n mov %rax, %cr4\n"
     F(dr_de) "mov %dr5, %rax\n hlt");
BLOB(dr_hi, ".code64", "mov $1, %eax\n shl $32, %rax\n" F(dr_hi) "mov %rax, %dr7\n hlt");

static void test_dr(gconstpointer p)
{
    x86run_init(be_of(p));
    uint64_t at = load(X86RUN_LONG, BF(dr_ok));
    X86RunResult r = go(at);
    /* DR7.GD: the next MOV DR is a #DB fault with DR6.BD set and GD cleared. */
    expect_fault(&r, BF(dr_ok), at, EXCP01_DB, -1);
    g_assert_cmphex(env()->regs[R_EBX], ==, 0x1000);
    g_assert_cmphex(env()->regs[R_ECX], ==, 0xffff0ff0);   /* reserved bits read 1 */
    g_assert_cmphex(env()->regs[R_EDX], ==, 0xffff0fff);
    g_assert_cmphex(env()->regs[R_ESI], ==, 0xffff0fff);
    g_assert_true(env()->dr[6] & (1u << 13));
    g_assert_false(env()->dr[7] & (1u << 13));
    g_assert_true(env()->dr[7] & 0x400);

    at = load(X86RUN_LONG, BF(dr_de));
    r = go(at);
    expect_fault(&r, BF(dr_de), at, EXCP06_ILLOP, -1);
    at = load(X86RUN_LONG, BF(dr_hi));
    r = go(at);
    expect_fault(&r, BF(dr_hi), at, EXCP0D_GPF, 0);
}

/* ---- MSRs ---- */

BLOB(msr_rt, ".code64", "wrmsr\n xor %eax, %eax\n xor %edx, %edx\n rdmsr\n hlt");
BLOB(msr_wr, ".code64", F(msr_wr) "wrmsr\n hlt");
BLOB(msr_rd, ".code64", F(msr_rd) "rdmsr\n hlt");

static void set_msr_regs(uint32_t msr, uint64_t val)
{
    env()->regs[R_ECX] = msr;
    env()->regs[R_EAX] = (uint32_t)val;
    env()->regs[R_EDX] = val >> 32;
}

static void test_msr_roundtrip(gconstpointer p)
{
    static const struct {
        uint32_t msr;
        uint64_t val, expect;
    } cases[] = {
        { MSR_STAR, 0x0023001000000000ull, 0x0023001000000000ull },
        { MSR_LSTAR, 0xffffffff81000000ull, 0xffffffff81000000ull },
        { MSR_CSTAR, 0x00007fffffffe000ull, 0x00007fffffffe000ull },
        { MSR_FMASK, 0x47700, 0x47700 },
        { MSR_KERNELGSBASE, 0xffff888000000000ull, 0xffff888000000000ull },
        { MSR_FSBASE, 0x7f0012345678ull, 0x7f0012345678ull },
        { MSR_GSBASE, 0xffff800000001000ull, 0xffff800000001000ull },
        { MSR_IA32_SYSENTER_CS, 0x10, 0x10 },
        { MSR_IA32_SYSENTER_ESP, 0xffff8000deadb000ull, 0xffff8000deadb000ull },
        { MSR_IA32_SYSENTER_EIP, 0x401000, 0x401000 },
        { MSR_TSC_AUX, 0x12345678, 0x12345678 },
        { MSR_PAT, 0x0007010600070106ull, 0x0007010600070106ull },
        { MSR_IA32_MISC_ENABLE, 0x1, 0x1 },
        { 0x2ff, 0xc06, 0xc06 },                          /* MTRRdefType: E FE WB */
        { 0x200, 0x80000006, 0x80000006 },                /* PHYSBASE0 */
        { 0x201, 0xf80000800ull, 0xf80000800ull },        /* PHYSMASK0 */
        { 0x250, 0x0606060606060606ull, 0x0606060606060606ull },  /* FIX64K */
        { 0x26f, 0x0505050504040000ull, 0x0505050504040000ull },  /* FIX4K_F8000 */
        { MSR_MCG_STATUS, 0, 0 },
        { 0x400 + 4 * 4, ~0ull & ~(1ull << 10), ~0ull & ~(1ull << 10) },  /* MC4_CTL */
        { MSR_IA32_SPEC_CTRL, 1, 1 },
        /* EFER.LMA is not writable: writing it clear keeps it set. */
        { MSR_EFER, EFER_SCE | EFER_LME | EFER_NXE, EFER_SCE | EFER_LME | EFER_NXE |
                                                    EFER_LMA },
    };
    x86run_init(be_of(p));
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_message("msr 0x%x", cases[i].msr);
        uint64_t at = load(X86RUN_LONG, B(msr_rt));
        set_msr_regs(cases[i].msr, cases[i].val);
        X86RunResult r = go(at);
        expect_halt(&r);
        uint64_t got = (uint32_t)env()->regs[R_EAX] |
                       (uint64_t)(uint32_t)env()->regs[R_EDX] << 32;
        g_assert_cmphex(got, ==, cases[i].expect);
        g_assert_cmphex(env()->regs[R_EAX] >> 32, ==, 0);
        if (cases[i].msr == MSR_FSBASE) {
            g_assert_cmphex(env()->segs[R_FS].base, ==, cases[i].val);
        }
    }
}

static void test_msr_gp(gconstpointer p)
{
    static const struct {
        const char *what;
        uint32_t msr;
        bool write;
        uint64_t val;
    } cases[] = {
        { "unknown (read)", 0x12345678, false, 0 },
        { "unknown (write)", 0x12345678, true, 0 },
        { "LSTAR non-canonical", MSR_LSTAR, true, 0x0000800000000000ull },
        { "GS_BASE non-canonical", MSR_GSBASE, true, 0x8000000000000000ull },
        { "SYSENTER_EIP non-canonical", MSR_IA32_SYSENTER_EIP, true, 0x1ull << 50 },
        { "PAT type 2", MSR_PAT, true, 0x0007040600070402ull },
        { "PAT bits 7:3", MSR_PAT, true, 0x0007040600070486ull },
        { "EFER reserved bit 1", MSR_EFER, true, EFER_SCE | EFER_LME | 2 },
        { "MTRRdefType type 2", 0x2ff, true, 0xc02 },
        { "MTRRdefType bit 9", 0x2ff, true, 0x206 },
        { "PHYSMASK bit 0", 0x201, true, 0xf80000801ull },
        { "PHYSBASE above MAXPHYADDR", 0x200, true, 1ull << 50 },
        { "fixed MTRR type 7", 0x250, true, 0x07 },
        { "TSC_AUX bit 32", MSR_TSC_AUX, true, 1ull << 32 },
        { "FMASK bit 32", MSR_FMASK, true, 1ull << 32 },
        { "MCG_CTL 5", MSR_MCG_CTL, true, 5 },
        { "MC0_STATUS non-zero", 0x401, true, 1 },
        { "MC0_CTL 3", 0x400, true, 3 },
        { "SPEC_CTRL bit 3", MSR_IA32_SPEC_CTRL, true, 8 },
        { "FEATURE_CONTROL locked", MSR_IA32_FEATURE_CONTROL, true, 5 },
        { "MTRRcap read-only", 0xfe, true, 0 },
        { "APIC_BASE without a local APIC", MSR_IA32_APICBASE, false, 0 },
        { "x2APIC without a local APIC", 0x802, false, 0 },
    };
    x86run_init(be_of(p));
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_message("%s", cases[i].what);
        Blob b = cases[i].write ? BF(msr_wr) : BF(msr_rd);
        uint64_t at = load(X86RUN_LONG, b);
        set_msr_regs(cases[i].msr, cases[i].val);
        env()->regs[R_EAX] |= 0xaaaa000000000000ull;     /* must survive a refused RDMSR */
        uint64_t rax = env()->regs[R_EAX];
        X86RunResult r = go(at);
        expect_fault(&r, b, at, EXCP0D_GPF, 0);
        g_assert_cmphex(env()->regs[R_EAX], ==, rax);
    }
}

/* SDM vol. 3 §17.17: a WRMSR to the TSC makes it count on from the value written. */
BLOB(tsc_w, ".code64", "wrmsr\n rdtsc\n hlt");

static void test_msr_tsc(gconstpointer p)
{
    x86run_init(be_of(p));
    uint64_t at = load(X86RUN_LONG, B(tsc_w));
    env()->tsc_adjust = 0;
    set_msr_regs(MSR_IA32_TSC, 1ull << 40);
    X86RunResult r = go(at);
    expect_halt(&r);
    uint64_t tsc = (uint32_t)env()->regs[R_EAX] | (uint64_t)(uint32_t)env()->regs[R_EDX] << 32;
    g_assert_cmphex(tsc, >=, 1ull << 40);
    g_assert_cmphex(tsc - (1ull << 40), <, 1ull << 36);
    /* TSC_ADJUST moved by the same amount (§17.17.3): from 0 to 2^40 - the old TSC. */
    g_assert_cmphex(env()->tsc_adjust, !=, 0);
    g_assert_cmphex(env()->tsc_adjust, <=, 1ull << 40);
}

/* ---- the local APIC behind CR8 and the APIC MSRs (X86CPU.apic) ---- */

BLOB(apic_b, ".code64",
     "mov $3, %eax\n mov %rax, %cr8\n"                      /* TPR = 0x30 */
     "mov $0x1b, %ecx\n rdmsr\n mov %eax, %ebx\n"
     "or $0x400, %eax\n wrmsr\n"                             /* x2APIC mode */
     "mov $0x808, %ecx\n rdmsr\n mov %eax, %esi\n"           /* x2APIC TPR */
     "mov $0x20, %eax\n xor %edx, %edx\n wrmsr\n"
     "mov %cr8, %rdi\n"
     "mov $0x1b, %ecx\n rdmsr\n mov %eax, %ebp\n"
     /* x2APIC -> xAPIC directly is an invalid transition (SDM §10.12.5) */
     "and $0xfffffbff, %eax\n" F(apic_b) "wrmsr\n hlt");

static void test_apic(gconstpointer p)
{
    x86run_init(be_of(p));
    DeviceState *dev = qdev_new(TYPE_APIC);
    object_property_set_uint(OBJECT(dev), "id", 0x3e, &error_abort);
    object_property_set_bool(OBJECT(dev), "bsp", true, &error_abort);
    g_assert_true(qdev_realize(dev, NULL, &error_abort));
    APICState *apic = APIC(dev);
    x86run_cpu()->apic = apic;

    uint64_t at = load(X86RUN_LONG, BF(apic_b));
    X86RunResult r = go(at);
    expect_fault(&r, BF(apic_b), at, EXCP0D_GPF, 0);
    g_assert_cmphex(env()->regs[R_EBX], ==, 0xfee00900);   /* BSP, enabled */
    g_assert_cmphex(env()->regs[R_ESI], ==, 0x30);         /* CR8[3:0] = TPR[7:4] */
    g_assert_cmphex(env()->regs[R_EDI], ==, 2);
    g_assert_cmphex(env()->regs[R_EBP], ==, 0xfee00d00);
    g_assert_cmphex(apic->tpr, ==, 0x20);
    g_assert_cmphex(apic_get_base(apic), ==, 0xfee00d00);

    x86run_cpu()->apic = NULL;
    object_unparent(OBJECT(dev));
    object_unref(dev);
}

/* ---- TLB control: a stale translation lives until INVLPG / INVPCID / MOV CR3 ---- */

/*
 * VA_TEST (1 GiB + 0x5000: PD #1 entry 0 now points to PT_TEST, entry 5) and
 * the page table, code, stack and data pages all have different low page-number
 * bits, so no access evicts the cached translation from the direct-mapped TLB.
 */
#define VA_TEST  0x40005000ull
#define PT_TEST  0x302000u
#define PAGE_A   0x406000u
#define PAGE_B   0x407000u

#define TLB_PRIME "mov $0x40005000, %rbx\n mov (%rbx), %rax\n" \
                  "mov $0x302028, %rcx\n movq $0x407007, (%rcx)\n"   /* PTE 5 -> PAGE_B */
BLOB(tlb_invlpg, ".code64", TLB_PRIME "mov (%rbx), %rdx\n invlpg (%rbx)\n mov (%rbx), %rsi\n hlt");
BLOB(tlb_cr3, ".code64", TLB_PRIME
     "mov (%rbx), %rdx\n mov %cr3, %rcx\n mov %rcx, %cr3\n mov (%rbx), %rsi\n hlt");
BLOB(tlb_invpcid, ".code64", TLB_PRIME
     "mov (%rbx), %rdx\n mov $0x200000, %rdi\n xor %ecx, %ecx\n invpcid (%rdi), %rcx\n"
     "mov (%rbx), %rsi\n hlt");

static void test_tlb(gconstpointer p)
{
    const Blob blobs[] = { B(tlb_invlpg), B(tlb_cr3), B(tlb_invpcid) };
    x86run_init(be_of(p));
    for (unsigned i = 0; i < G_N_ELEMENTS(blobs); i++) {
        uint64_t at = load(X86RUN_LONG, blobs[i]);
        uint64_t pde = PT_TEST | 7, pte = PAGE_A | 7, a = 0xaaaa, b = 0xbbbb;
        uint64_t desc[2] = { 0, VA_TEST };            /* INVPCID type 0: PCID 0, VA */
        x86run_write(X86RUN_PML4 + 0x3000, &pde, 8);  /* PD for 1-2 GiB, entry 0 */
        x86run_write(PT_TEST + 5 * 8, &pte, 8);
        x86run_write(PAGE_A, &a, 8);
        x86run_write(PAGE_B, &b, 8);
        x86run_write(X86RUN_DATA, desc, sizeof(desc));
        X86RunResult r = go(at);
        expect_halt(&r);
        g_assert_cmphex(env()->regs[R_EAX], ==, a);
        g_assert_cmphex(env()->regs[R_EDX], ==, a);   /* the cached translation */
        g_assert_cmphex(env()->regs[R_ESI], ==, b);   /* after invalidation: the new PTE */
    }
}

BLOB(invpcid_gp4, ".code64", "mov $4, %eax\n mov $0x200000, %rdi\n" F(invpcid_gp4)
     "invpcid (%rdi), %rax\n hlt");
BLOB(invpcid_gpnc, ".code64", "xor %eax, %eax\n mov $0x200000, %rdi\n" F(invpcid_gpnc)
     "invpcid (%rdi), %rax\n hlt");
BLOB(invpcid_gppcid, ".code64", "mov $1, %eax\n mov $0x200000, %rdi\n" F(invpcid_gppcid)
     "invpcid (%rdi), %rax\n hlt");

static void test_invpcid_gp(gconstpointer p)
{
    static const struct {
        Blob b;
        uint64_t desc[2];
    } cases[] = {
        { BF(invpcid_gp4), { 0, 0 } },                       /* type > 3 */
        { BF(invpcid_gpnc), { 0, 0x0000800000000000ull } },   /* non-canonical */
        { BF(invpcid_gppcid), { 5, 0 } },                    /* PCID != 0, PCIDE = 0 */
        { BF(invpcid_gpnc), { 1ull << 12, 0 } },             /* reserved desc bits */
    };
    x86run_init(be_of(p));
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint64_t at = load(X86RUN_LONG, cases[i].b);
        x86run_write(X86RUN_DATA, cases[i].desc, 16);
        X86RunResult r = go(at);
        expect_fault(&r, cases[i].b, at, EXCP0D_GPF, 0);
    }
}

/* ---- port I/O (SDM vol. 1 §19) ---- */

/* Eight ports: +0 reads an incrementing counter; +1..+7 a little-endian register file. */
typedef struct TestPorts {
    MemoryRegion mr;
    uint16_t base;
    uint8_t regs[8];
    uint32_t counter;
    struct {
        uint16_t port;
        uint8_t size;
        uint32_t val;
    } log[64];
    unsigned nlog;
} TestPorts;

static TestPorts ports_lo, ports_hi;      /* 0xe0 (imm8 forms), 0x500 (DX forms) */

static uint64_t ports_read(void *opaque, hwaddr addr, unsigned size)
{
    TestPorts *t = opaque;
    if (addr == 0) {
        return ++t->counter & (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1);
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size && addr + i < 8; i++) {
        v |= (uint64_t)t->regs[addr + i] << (8 * i);
    }
    return v;
}

static void ports_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    TestPorts *t = opaque;
    if (t->nlog < G_N_ELEMENTS(t->log)) {
        t->log[t->nlog].port = t->base + addr;
        t->log[t->nlog].size = size;
        t->log[t->nlog].val = val;
        t->nlog++;
    }
    for (unsigned i = 0; i < size && addr + i < 8; i++) {
        t->regs[addr + i] = val >> (8 * i);
    }
}

static const MemoryRegionOps ports_ops = {
    .read = ports_read,
    .write = ports_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

static void ports_init(void)
{
    TestPorts *all[] = { &ports_lo, &ports_hi };
    ports_lo.base = 0xe0;
    ports_hi.base = 0x500;
    for (int i = 0; i < 2; i++) {
        memory_region_init_io(&all[i]->mr, NULL, &ports_ops, all[i], "x86-sys-ports", 8);
        memory_region_add_subregion(get_system_io(), all[i]->base, &all[i]->mr);
    }
}

static void ports_reset(void)
{
    TestPorts *all[] = { &ports_lo, &ports_hi };
    for (int i = 0; i < 2; i++) {
        memset(all[i]->regs, 0, sizeof(all[i]->regs));
        all[i]->counter = 0;
        all[i]->nlog = 0;
    }
}

BLOB(io_basic, ".code64",
     "mov $0xab, %al\n out %al, $0xe4\n"
     "mov $0x504, %dx\n mov $0xbeef, %ax\n out %ax, %dx\n"
     "mov $0x12345678, %eax\n out %eax, %dx\n"
     "in $0xe4, %al\n movzbl %al, %ebx\n"
     "mov $-1, %rcx\n mov $-1, %rax\n in %dx, %eax\n mov %rax, %rcx\n"
     "mov $0x500, %dx\n in %dx, %ax\n movzwl %ax, %esi\n in $0xe0, %al\n movzbl %al, %edi\n"
     "hlt");

static void test_io_basic(gconstpointer p)
{
    x86run_init(be_of(p));
    ports_reset();
    uint64_t at = load(X86RUN_LONG, B(io_basic));
    X86RunResult r = go(at);
    expect_halt(&r);
    g_assert_cmpuint(ports_lo.nlog, ==, 1);
    g_assert_cmphex(ports_lo.log[0].port, ==, 0xe4);
    g_assert_cmpuint(ports_lo.log[0].size, ==, 1);
    g_assert_cmphex(ports_lo.log[0].val, ==, 0xab);
    g_assert_cmpuint(ports_hi.nlog, ==, 2);
    g_assert_cmphex(ports_hi.log[0].port, ==, 0x504);
    g_assert_cmpuint(ports_hi.log[0].size, ==, 2);
    g_assert_cmphex(ports_hi.log[0].val, ==, 0xbeef);
    g_assert_cmpuint(ports_hi.log[1].size, ==, 4);
    g_assert_cmphex(ports_hi.log[1].val, ==, 0x12345678);
    g_assert_cmphex(env()->regs[R_EBX], ==, 0xab);
    g_assert_cmphex(env()->regs[R_ECX], ==, 0x12345678);   /* IN EAX zero-extends */
    g_assert_cmphex(env()->regs[R_ESI], ==, 1);
    g_assert_cmphex(env()->regs[R_EDI], ==, 1);
}

BLOB(io_insb, ".code64", "mov $0x500, %dx\n mov $5, %ecx\n rep insb\n hlt");
BLOB(io_outsw, ".code64", "mov $0x506, %dx\n mov $3, %ecx\n rep outsw\n hlt");

static void test_io_rep(gconstpointer p)
{
    x86run_init(be_of(p));
    for (int down = 0; down < 2; down++) {
        ports_reset();
        uint64_t at = load(X86RUN_LONG, B(io_insb));
        uint8_t zero[16] = { 0 }, buf[16];
        x86run_write(X86RUN_DATA, zero, sizeof(zero));
        env()->regs[R_EDI] = X86RUN_DATA + (down ? 8 : 0);
        set_rflags(2 | (down ? RFLAGS_DF : 0));
        X86RunResult r = go(at);
        expect_halt(&r);
        x86run_read(X86RUN_DATA, buf, sizeof(buf));
        for (int i = 0; i < 5; i++) {
            g_assert_cmpuint(buf[down ? 8 - i : i], ==, i + 1);
        }
        g_assert_cmpuint(buf[down ? 3 : 5], ==, 0);
        g_assert_cmphex(env()->regs[R_EDI], ==, X86RUN_DATA + (down ? 3 : 5));
        g_assert_cmphex(env()->regs[R_ECX], ==, 0);
    }

    ports_reset();
    uint64_t at = load(X86RUN_LONG, B(io_outsw));
    const uint16_t words[3] = { 0x1111, 0x2222, 0x3333 };
    x86run_write(X86RUN_DATA + 0x100, words, sizeof(words));
    env()->regs[R_ESI] = X86RUN_DATA + 0x100;
    X86RunResult r = go(at);
    expect_halt(&r);
    g_assert_cmpuint(ports_hi.nlog, ==, 3);
    for (int i = 0; i < 3; i++) {
        g_assert_cmphex(ports_hi.log[i].port, ==, 0x506);
        g_assert_cmpuint(ports_hi.log[i].size, ==, 2);
        g_assert_cmphex(ports_hi.log[i].val, ==, words[i]);
    }
    g_assert_cmphex(env()->regs[R_ESI], ==, X86RUN_DATA + 0x106);
    g_assert_cmphex(env()->regs[R_ECX], ==, 0);

    /* A #PF on the INS destination comes before the port is read. */
    ports_reset();
    at = load(X86RUN_LONG, B(io_insb));
    env()->regs[R_EDI] = 1ull << 33;           /* not mapped */
    r = go(at);
    expect_fault(&r, B(io_insb), at, EXCP0E_PAGE, 2);
    g_assert_cmpuint(ports_hi.counter, ==, 0);
    g_assert_cmphex(env()->regs[R_ECX], ==, 5);
}

BLOB(io_user_b, ".code64", F(io_user_b) "in (%dx), %al\n int3");
BLOB(io_user_w, ".code64", F(io_user_w) "in (%dx), %ax\n int3");

/* TSS I/O bitmap: offset 0x68, ports 0x500-0x507 in byte 0xa0 (§19.5.2). */
static void tss_bitmap(uint32_t limit, uint8_t byte_a0)
{
    uint8_t map[0xa2];
    memset(map, 0xff, sizeof(map));
    map[0xa0] = byte_a0;
    map[0xa1] = 0xff;
    x86run_write(X86RUN_TSS + 0x68, map, sizeof(map));
    env()->tr.limit = limit;
}

static void test_io_bitmap(gconstpointer p)
{
    static const struct {
        const char *what;
        uint32_t limit;          /* 0: the harness's 0x67, no bitmap */
        uint8_t byte_a0;
        unsigned iopl;
        uint16_t port;
        bool word;
        bool ok;
    } cases[] = {
        { "no bitmap, IOPL 0", 0, 0, 0, 0x500, false, false },
        { "no bitmap, IOPL 3", 0, 0, 3, 0x500, false, true },
        { "bit clear", 0x109, 0xfe, 0, 0x500, false, true },
        { "bit set", 0x109, 0xfe, 0, 0x501, false, false },
        { "word over a set bit", 0x109, 0xfe, 0, 0x500, true, false },
        { "word, both clear", 0x109, 0xfc, 0, 0x500, true, true },
        { "word below the port (0x4ff denied)", 0x109, 0x00, 0, 0x4ff, true, false },
        { "second byte beyond the limit", 0x108, 0x00, 0, 0x500, false, false },
        { "IOPL 3 ignores the bitmap", 0x109, 0xff, 3, 0x501, false, true },
    };
    x86run_init(be_of(p));
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_message("%s", cases[i].what);
        ports_reset();
        Blob b = cases[i].word ? BF(io_user_w) : BF(io_user_b);
        uint64_t at = load(X86RUN_LONG, b);
        if (cases[i].limit) {
            tss_bitmap(cases[i].limit, cases[i].byte_a0);
        }
        x86run_enter_user();
        set_rflags(2 | cases[i].iopl << RFLAGS_IOPL_SHIFT);
        env()->regs[R_EDX] = cases[i].port;
        X86RunResult r = go(at);
        if (cases[i].ok) {
            expect_fault(&r, B(io_user_b), at, EXCP03_INT3, -1);
            g_assert_cmpuint(ports_hi.counter, ==, cases[i].port == 0x500 ? 1 : 0);
        } else {
            expect_fault(&r, b, at, EXCP0D_GPF, 0);
            g_assert_cmpuint(ports_hi.counter, ==, 0);
        }
    }
}

/* ---- CLI/STI (SDM vol. 2 CLI, STI) ---- */

BLOB(cli_user, ".code64", F(cli_user) "cli\n int3");
BLOB(sti_user, ".code64", F(sti_user) "sti\n int3");
BLOB(cli_real, ".code16", "sti\n pushf\n pop %bx\n cli\n pushf\n pop %cx\n hlt");

static void test_cli_sti(gconstpointer p)
{
    x86run_init(be_of(p));
    for (int sti = 0; sti < 2; sti++) {
        Blob b = sti ? BF(sti_user) : BF(cli_user);
        for (unsigned iopl = 0; iopl <= 3; iopl += 3) {
            uint64_t at = load(X86RUN_LONG, b);
            x86run_enter_user();
            set_rflags(2 | iopl << RFLAGS_IOPL_SHIFT | (sti ? 0 : RFLAGS_IF));
            X86RunResult r = go(at);
            if (iopl < 3) {
                expect_fault(&r, b, at, EXCP0D_GPF, 0);
                g_assert_cmphex(r.frame_rflags & RFLAGS_IF, ==, sti ? 0 : RFLAGS_IF);
            } else {
                expect_fault(&r, B(cli_user), at, EXCP03_INT3, -1);
                g_assert_cmphex(r.frame_rflags & RFLAGS_IF, ==, sti ? RFLAGS_IF : 0);
            }
        }
    }
    /* Real mode: always allowed. */
    uint64_t at = load(X86RUN_REAL, B(cli_real));
    X86RunResult r = go(at);
    expect_halt(&r);
    g_assert_true(env()->regs[R_EBX] & RFLAGS_IF);
    g_assert_false(env()->regs[R_ECX] & RFLAGS_IF);
}

/* One pending external interrupt, acknowledged as vector 0x40. */
static bool irq_pending;

static int test_ack(CPUState *cs)
{
    if (!irq_pending) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
        return -1;
    }
    irq_pending = false;
    cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
    return 0x40;
}

BLOB(sti_shadow, ".code64", "sti\n inc %rbx\n" F(sti_shadow) "inc %rcx\n hlt");

/*
 * STI with IF = 0 holds a pending interrupt off for exactly one instruction
 * (SDM STI): it arrives with the return RIP after "inc rbx". The second
 * round runs the same translations again, chained this time.
 */
static void test_sti_shadow(gconstpointer p)
{
    int (*old_ack)(CPUState *) = x86_cpu_ack_interrupt;

    x86run_init(be_of(p));
    CPUState *cs = CPU(x86run_cpu());
    x86_cpu_ack_interrupt = test_ack;
    uint64_t at = load(X86RUN_LONG, BF(sti_shadow));
    for (int round = 0; round < 3; round++) {
        g_test_message("round %d", round);
        env()->regs[R_EBX] = env()->regs[R_ECX] = 0;
        set_rflags(2);
        env()->regs[R_ESP] = X86RUN_KSTACK;
        irq_pending = round > 0;           /* round 0 only warms up (and chains) */
        if (irq_pending) {
            cpu_interrupt(cs, CPU_INTERRUPT_HARD);
        }
        X86RunResult r = go(at);
        if (round == 0) {
            expect_halt(&r);
            continue;
        }
        expect_fault(&r, BF(sti_shadow), at, 0x40, -1);
        g_assert_cmphex(env()->regs[R_EBX], ==, 1);
        g_assert_cmphex(env()->regs[R_ECX], ==, 0);
        g_assert_true(r.frame_rflags & RFLAGS_IF);
    }
    cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
    x86_cpu_ack_interrupt = old_ack;
}

/* ---- the small ones ---- */

BLOB(clac_stac, ".code64", "stac\n pushf\n pop %rax\n clac\n pushf\n pop %rbx\n hlt");
BLOB(stac_user, ".code64", F(stac_user) "stac\n int3");
BLOB(rdpmc_user, ".code64", F(rdpmc_user) "rdpmc\n int3");
BLOB(smsw_user, ".code64", F(smsw_user) "smsw %rax\n int3");
BLOB(rdtscp_b, ".code64", "rdtscp\n rdpid %rdi\n hlt");
BLOB(fsgs_ud, ".code64", F(fsgs_ud) "rdfsbase %rax\n hlt");
BLOB(fsgs_ok, ".code64",
     "mov $0x12345678, %rbx\n wrfsbase %rbx\n rdfsbase %rcx\n"
     "mov $-1, %rdx\n wrgsbase %edx\n rdgsbase %rsi\n rdgsbase %edi\n hlt");
BLOB(fsgs_nc, ".code64", "mov $0x0000800000000000, %rbx\n" F(fsgs_nc) "wrfsbase %rbx\n hlt");
BLOB(xcr0_ok, ".code64", "xor %ecx, %ecx\n xor %edx, %edx\n mov $3, %eax\n xsetbv\n"
     "xor %eax, %eax\n xgetbv\n mov %eax, %ebx\n mov $1, %ecx\n xgetbv\n hlt");
BLOB(xsetbv_gp, ".code64", F(xsetbv_gp) "xsetbv\n hlt");
BLOB(xgetbv_b, ".code64", F(xgetbv_b) "xgetbv\n hlt");
BLOB(clflush_b, ".code64", F(clflush_b) "clflush (%rax)\n clflushopt (%rax)\n clwb (%rax)\n"
     "wbinvd\n invd\n hlt");
BLOB(mwait_b, ".code64", "mov $0x200000, %rax\n xor %ecx, %ecx\n xor %edx, %edx\n monitor\n"
     "mov %rbx, %rcx\n xor %eax, %eax\n" F(mwait_b) "mwait\n hlt");
BLOB(rsm_b, ".code64", F(rsm_b) "rsm\n hlt");
BLOB(pkru_b, ".code64", "xor %ecx, %ecx\n xor %edx, %edx\n mov $0xc, %eax\n"
     F(pkru_b) "wrpkru\n xor %eax, %eax\n rdpkru\n hlt");
BLOB(swapgs_b, ".code64", "swapgs\n hlt");

static void test_misc(gconstpointer p)
{
    X86RunResult r;
    uint64_t at;
    x86run_init(be_of(p));

    at = load(X86RUN_LONG, B(clac_stac));
    r = go(at);
    expect_halt(&r);
    g_assert_true(env()->regs[R_EAX] & RFLAGS_AC);
    g_assert_false(env()->regs[R_EBX] & RFLAGS_AC);

    at = load(X86RUN_LONG, BF(stac_user));
    x86run_enter_user();
    r = go(at);
    expect_fault(&r, BF(stac_user), at, EXCP06_ILLOP, -1);

    /* RDPMC: CPL 3 needs CR4.PCE; counters read 0. */
    for (int pce = 0; pce < 2; pce++) {
        at = load(X86RUN_LONG, BF(rdpmc_user));
        env()->cr[4] |= pce ? (1u << 8) : 0;
        x86run_enter_user();
        env()->regs[R_EAX] = env()->regs[R_EDX] = 0x55;
        r = go(at);
        expect_fault(&r, pce ? B(rdpmc_user) : BF(rdpmc_user), at,
                     pce ? EXCP03_INT3 : EXCP0D_GPF, 0);
        if (pce) {
            g_assert_cmphex(env()->regs[R_EAX] | env()->regs[R_EDX], ==, 0);
        }
    }

    /* SMSW at CPL 3: #GP with CR4.UMIP, CR0 without. */
    for (int umip = 0; umip < 2; umip++) {
        at = load(X86RUN_LONG, BF(smsw_user));
        env()->cr[4] |= umip ? (1u << 11) : 0;
        uint64_t cr0 = env()->cr[0];
        x86run_enter_user();
        r = go(at);
        expect_fault(&r, umip ? BF(smsw_user) : B(smsw_user), at,
                     umip ? EXCP0D_GPF : EXCP03_INT3, 0);
        if (!umip) {
            g_assert_cmphex(env()->regs[R_EAX], ==, cr0);
        }
    }

    at = load(X86RUN_LONG, B(rdtscp_b));
    env()->tsc_aux = 0x77;
    env()->regs[R_ECX] = ~0ull;
    r = go(at);
    expect_halt(&r);
    g_assert_cmphex(env()->regs[R_ECX], ==, 0x77);
    g_assert_cmphex(env()->regs[R_EDI], ==, 0x77);

    /* RD/WR FS/GS base: #UD without CR4.FSGSBASE; 32-bit forms zero-extend. */
    at = load(X86RUN_LONG, BF(fsgs_ud));
    r = go(at);
    expect_fault(&r, BF(fsgs_ud), at, EXCP06_ILLOP, -1);
    at = load(X86RUN_LONG, B(fsgs_ok));
    env()->cr[4] |= CR4_FSGSBASE_MASK;
    r = go(at);
    expect_halt(&r);
    g_assert_cmphex(env()->regs[R_ECX], ==, 0x12345678);
    g_assert_cmphex(env()->segs[R_FS].base, ==, 0x12345678);
    g_assert_cmphex(env()->segs[R_GS].base, ==, 0xffffffff);
    g_assert_cmphex(env()->regs[R_ESI], ==, 0xffffffff);
    g_assert_cmphex(env()->regs[R_EDI], ==, 0xffffffff);
    at = load(X86RUN_LONG, BF(fsgs_nc));
    env()->cr[4] |= CR4_FSGSBASE_MASK;
    r = go(at);
    expect_fault(&r, BF(fsgs_nc), at, EXCP0D_GPF, 0);

    /* XCR0 (SDM vol. 1 §13.3): x87 always, SSE before AVX, only supported parts. */
    at = load(X86RUN_LONG, B(xcr0_ok));
    env()->cr[4] |= CR4_OSXSAVE_MASK;
    r = go(at);
    expect_halt(&r);
    g_assert_cmphex(env()->xcr0, ==, 3);
    g_assert_cmphex(env()->regs[R_EBX], ==, 3);
    static const struct {
        uint32_t ecx;
        uint64_t val;
    } xbad[] = { { 0, 2 }, { 0, 5 }, { 0, 7 }, { 1, 3 }, { 0, 1ull << 40 } };
    for (unsigned i = 0; i < G_N_ELEMENTS(xbad); i++) {
        at = load(X86RUN_LONG, BF(xsetbv_gp));
        env()->cr[4] |= CR4_OSXSAVE_MASK;
        set_msr_regs(xbad[i].ecx, xbad[i].val);
        r = go(at);
        expect_fault(&r, BF(xsetbv_gp), at, EXCP0D_GPF, 0);
    }
    at = load(X86RUN_LONG, BF(xgetbv_b));        /* no CR4.OSXSAVE: #UD */
    r = go(at);
    expect_fault(&r, BF(xgetbv_b), at, EXCP06_ILLOP, -1);
    at = load(X86RUN_LONG, BF(xgetbv_b));
    env()->cr[4] |= CR4_OSXSAVE_MASK;
    env()->regs[R_ECX] = 2;
    r = go(at);
    expect_fault(&r, BF(xgetbv_b), at, EXCP0D_GPF, 0);

    /* CLFLUSH & co: no-ops on a mapped line, a load's #PF / #GP otherwise. */
    at = load(X86RUN_LONG, BF(clflush_b));
    env()->regs[R_EAX] = X86RUN_DATA;
    r = go(at);
    expect_halt(&r);
    at = load(X86RUN_LONG, BF(clflush_b));
    env()->regs[R_EAX] = 5ull << 32;
    r = go(at);
    expect_fault(&r, BF(clflush_b), at, EXCP0E_PAGE, 0);
    g_assert_cmphex(env()->cr[2], ==, 5ull << 32);
    at = load(X86RUN_LONG, BF(clflush_b));
    env()->regs[R_EAX] = 0x0000800000000000ull;
    r = go(at);
    expect_fault(&r, BF(clflush_b), at, EXCP0D_GPF, 0);

    /* MONITOR/MWAIT: ECX extensions are #GP; otherwise MWAIT returns. */
    at = load(X86RUN_LONG, B(mwait_b));
    r = go(at);
    expect_halt(&r);
    at = load(X86RUN_LONG, BF(mwait_b));
    env()->regs[R_EBX] = 2;
    r = go(at);
    expect_fault(&r, BF(mwait_b), at, EXCP0D_GPF, 0);

    at = load(X86RUN_LONG, BF(rsm_b));
    r = go(at);
    expect_fault(&r, BF(rsm_b), at, EXCP06_ILLOP, -1);

    /* PKRU: #UD without CR4.PKE. */
    at = load(X86RUN_LONG, BF(pkru_b));
    r = go(at);
    expect_fault(&r, BF(pkru_b), at, EXCP06_ILLOP, -1);
    at = load(X86RUN_LONG, B(pkru_b));
    env()->cr[4] |= 1u << 22;
    r = go(at);
    expect_halt(&r);
    g_assert_cmphex(env()->regs[R_EAX], ==, 0xc);
    g_assert_cmphex(env()->pkru, ==, 0xc);

    at = load(X86RUN_LONG, B(swapgs_b));
    env()->kernelgsbase = 0x5555;
    env()->segs[R_GS].base = 0x6666;
    r = go(at);
    expect_halt(&r);
    g_assert_cmphex(env()->segs[R_GS].base, ==, 0x5555);
    g_assert_cmphex(env()->kernelgsbase, ==, 0x6666);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ports_init();
    static const struct {
        const char *name;
        void (*fn)(gconstpointer);
    } tests[] = {
        { "cr/gp", test_cr_gp },
        { "cr/ok", test_cr_ok },
        { "cr/real", test_cr_real },
        { "cr/long-mode-entry", test_long_mode_entry },
        { "cr/cpuid-gating", test_cpuid_gating },
        { "cr/pae-pdpte", test_pae_pdpte },
        { "dr", test_dr },
        { "msr/roundtrip", test_msr_roundtrip },
        { "msr/gp", test_msr_gp },
        { "msr/tsc", test_msr_tsc },
        { "msr/apic", test_apic },
        { "tlb/stale", test_tlb },
        { "tlb/invpcid-gp", test_invpcid_gp },
        { "io/basic", test_io_basic },
        { "io/rep", test_io_rep },
        { "io/bitmap", test_io_bitmap },
        { "cli-sti/iopl", test_cli_sti },
        { "cli-sti/shadow", test_sti_shadow },
        { "misc", test_misc },
    };
    TCGBackendKind bes[2];
    int nb = x86run_backends(bes);
    for (int b = 0; b < nb; b++) {
        for (unsigned i = 0; i < G_N_ELEMENTS(tests); i++) {
            g_autofree char *path = g_strdup_printf(
                "/x86-sys/%s/%s", bes[b] == TCG_BACKEND_TCI ? "tci" : "native",
                tests[i].name);
            g_test_add_data_func(path, GINT_TO_POINTER(bes[b]), tests[i].fn);
        }
    }
    return g_test_run();
}
