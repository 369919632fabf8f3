/*
 * Segmentation and protected-mode control transfer in the x86 translator
 * (translate-seg.c, seg-helper.c, syscall-helper.c, excp-helper.c), run on
 * the x86-run system with both TCG backends. Every expectation is a rule of
 * the Intel SDM, cited where it is checked: segment loads (vol. 2 MOV, POP,
 * LDS/LES/LFS/LGS/LSS; vol. 3 §3.4, §5.5-5.7), far JMP/CALL/RET and call gates
 * (§5.8), IRET (vol. 2 IRET; §6.14; §20), interrupt delivery through 16/32-bit
 * gates (§6.12), SYSCALL/SYSRET and SYSENTER/SYSEXIT (vol. 2), LGDT/SGDT/
 * LLDT/LTR/LAR/LSL/VERR/VERW (vol. 2), the MOV SS interrupt shadow (§6.8.3).
 *
 * The guest programs are written in assembly below and assembled by the host
 * toolchain (GNU as) into this test binary, so the test needs an x86 host;
 * elsewhere it skips.
 */
#include "util/osdep.h"
#include "x86-run.h"

#if defined(__x86_64__)

/* x86-run.h's layout, without the C suffixes the assembler cannot read. */
#define CODE 0x100000
#define DATA 0x200000
#define KSTACK 0x9f000
#define USTACK 0x8f000
_Static_assert(CODE == X86RUN_CODE && DATA == X86RUN_DATA, "layout");
_Static_assert(KSTACK == X86RUN_KSTACK && USTACK == X86RUN_USTACK, "layout");

#define STR_(x) #x
#define STR(x) STR_(x)

/* A guest program: bytes between NAME_b and NAME_e, assembled in mode @dir. */
#define SNIP(name, dir, text)                                                    \
    extern const uint8_t name##_b[], name##_e[];                                  \
    __asm__(".pushsection .rodata.x86seg, \"a\"\n" dir "\n" #name "_b:\n" text    \
            "\n" #name "_e:\n.code64\n.popsection\n")
/* The guest address of @label in snippet @name loaded at @base. */
#define AT(base, name, label) "(" STR(base) "+" #label "-" #name "_b)"

/* ---- guest programs ---- */

/* Real mode (SDM §20.1.1): a segment load only sets selector and base = sel * 16. */
SNIP(r_seg, ".code16",
     "mov $0x1234, %ax\n mov %ax, %ds\n"
     "mov $0x2000, %bx\n push %bx\n pop %es\n"
     "xor %ax, %ax\n mov %ax, %ds\n lds 0x7e00, %si\n"
     "mov $0x4000, %ax\n mov %ax, %ss\n hlt");

/* Real-mode far CALL/RET/JMP and INT/IRET through the IVT. */
SNIP(r_far, ".code16", "stc\n lcall $0x0800, $0x0010\n ljmp $0x0900, $0x0000");
SNIP(r_far_sub, ".code16", "mov $0x55, %bl\n lret");
SNIP(r_far_int, ".code16", "int $0x30\n hlt");
SNIP(r_far_h, ".code16", "clc\n mov $0x66, %bh\n iret");

/* 32-bit protected mode, ring 0: loads that succeed. */
SNIP(p_seg, ".code32",
     "lss " STR(DATA) ", %esp\n"
     "mov $0x53, %ax\n mov %ax, %ds\n"
     "mov $0x58, %ax\n mov %ax, %es\n"
     "mov $0x60, %ax\n mov %ax, %fs\n"
     "xor %eax, %eax\n mov %ax, %gs\n hlt");

/* Far JMP and CALL to a code segment, RET back (SDM JMP/CALL/RET). */
SNIP(p_far, ".code32",
     "ljmp $0x18, $" AT(CODE, p_far, p_far_1) "\n"
     "p_far_1: lcall $0x18, $" AT(CODE, p_far, p_far_f) "\n"
     "p_far_2: hlt\n"
     "p_far_f: mov (%esp), %ebx\n mov 4(%esp), %ecx\n lret");

/* Ring 3 -> ring 0 through a 32-bit call gate with 2 parameters (§5.8.5). */
SNIP(p_gate, ".code32",
     "push $0x1111\n push $0x2222\n lcall $0x9b, $0\n"
     "p_gate_ret: int3\n"
     "p_gate_k: hlt\n"
     "p_gate_k2: mov $0x10, %ax\n mov %ax, %ds\n lret $8\n"
     "p_gate_u2: push $0x1111\n push $0x2222\n lcall $0xc3, $0\n int3");

/* IRET to ring 3, INT 0x80 back to ring 0 and IRET again (§6.12.1, IRET). */
SNIP(p_iret, ".code32",
     "push $0x2b\n push $" STR(USTACK) "\n push $0x1203\n push $0x23\n"
     "push $" AT(CODE, p_iret, p_iret_u) "\n iret\n"
     "p_iret_u: mov $42, %ebx\n int $0x80\n"
     "p_iret_u2: int3\n"
     "p_iret_k: inc %ebx\n iret");

/* Ring 0 -> virtual-8086 mode by IRET (SDM IRET "RETURN-TO-VIRTUAL-8086-MODE"). */
SNIP(p_vm86, ".code32",
     "push $0\n push $0\n push $0x2000\n push $0\n push $0x9000\n push $0xf000\n"
     "push %eax\n push $0x0700\n push $0\n iret");
SNIP(v86_gp, ".code16", "mov %ds, %bx\n mov $0x3000, %ax\n mov %ax, %es\n int $0x31");
SNIP(v86_iret, ".code16",
     "pushw $1\n pushw %cs\n pushw $(v86_iret_n - v86_iret_b)\n iret\n"
     "v86_iret_n: int $0x80");

/* SYSENTER/SYSEXIT in legacy protected mode. */
SNIP(p_sysenter, ".code32",
     "sysenter\n"
     "p_sys_u2: int3\n"
     "p_sys_k: mov $" AT(CODE, p_sysenter, p_sys_u2) ", %edx\n"
     "mov $" STR(USTACK) ", %ecx\n sysexit\n"
     "p_sys_k2: hlt");

/* LAR/LSL/VERR/VERW at CPL 3: ZF to DATA + n, values to DATA + 0x10.. */
SNIP(p_lar, ".code32",
     "mov $0xdeadbeef, %ebx\n mov $0x53, %ax\n lar %ax, %ebx\n setz 0x200000\n"
     "mov %ebx, 0x200010\n"
     "mov $0xdeadbeef, %ecx\n mov $0x13, %ax\n lar %ax, %ecx\n setz 0x200001\n"
     "mov %ecx, 0x200014\n"
     "mov $0x53, %ax\n lsl %ax, %edx\n setz 0x200002\n mov %edx, 0x200018\n"
     "mov $0x2b, %ax\n lsl %ax, %esi\n setz 0x200003\n mov %esi, 0x20001c\n"
     "mov $0x23, %ax\n verr %ax\n setz 0x200004\n verw %ax\n setz 0x200005\n"
     "mov $0x2b, %ax\n verw %ax\n setz 0x200006\n"
     "mov $0x73, %ax\n verr %ax\n setz 0x200007\n"
     "mov $0x83, %ax\n verr %ax\n setz 0x200008\n"
     "xor %eax, %eax\n lar %ax, %ecx\n setz 0x200009\n"
     "mov $0x4b, %ax\n lar %ax, %ecx\n setz 0x20000a\n"
     "mov $0x53, %ax\n mov $0xffffffff, %edi\n lar %ax, %di\n mov %edi, 0x200020\n"
     "int3");

/* The same at CPL 0 on system descriptors. */
SNIP(p_lar0, ".code32",
     "mov $0x48, %ax\n lar %ax, %ebx\n setz 0x200000\n lsl %ax, %ecx\n setz 0x200001\n"
     "mov $0x98, %ax\n lar %ax, %edx\n setz 0x200002\n lsl %ax, %esi\n setz 0x200003\n"
     "hlt");

/* Descriptor-table registers (SDM SGDT/SIDT/SLDT/STR/LGDT/LIDT/LLDT/LTR). */
SNIP(p_dt, ".code32",
     "sgdt 0x200000\n sidt 0x200008\n sldt %eax\n"
     "mov $0xffffffff, %ebx\n str %bx\n"
     "mov $0xa8, %cx\n lldt %cx\n mov $0xb0, %cx\n ltr %cx\n str %edx\n"
     "lgdt 0x200020\n lidtw 0x200030\n"
     "mov $0x0f, %cx\n mov %cx, %ds\n hlt");

/* A 16-bit interrupt gate at the same privilege level: 16-bit frame. */
SNIP(p_int16, ".code32", "int $0x84\n hlt");

/* The MOV SS / POP SS interrupt shadow (§6.8.3). */
SNIP(p_movss, ".code32", "mov $0x10, %ax\n mov %ax, %ss\n inc %ebx\n inc %ecx\n hlt");
SNIP(p_popss, ".code32", "push $0x10\n pop %ss\n inc %ebx\n inc %ecx\n hlt");
SNIP(p_movds, ".code32", "mov $0x10, %ax\n mov %ax, %ds\n inc %ebx\n inc %ecx\n hlt");

/* IRET to the same level unblocks NMIs (§6.7.1). */
SNIP(p_nmi, ".code32",
     "pushf\n push %cs\n push $" AT(CODE, p_nmi, p_nmi_1) "\n iret\n p_nmi_1: hlt");

/* 64-bit SYSCALL / SYSRET round trip from ring 3 (SDM SYSCALL, SYSRET). */
SNIP(l_sc, ".code64",
     "mov $7, %eax\n syscall\n"
     "l_sc_u: int3\n"
     "l_sc_k: inc %eax\n mov %rcx, 0x200000\n mov %r11, 0x200008\n"
     "mov %cs, 0x200010\n mov %ss, 0x200012\n sysretq\n"
     "l_sc_k2: hlt");

/* SYSRET with 32-bit operand size: to compatibility mode. */
SNIP(l_sr32, ".code64",
     "mov $" AT(CODE, l_sr32, l_sr32_u) ", %ecx\n mov $0x802, %r11d\n sysretl\n"
     ".code32\n l_sr32_u: int3");

/* SYSRET to a non-canonical RCX. */
SNIP(l_srnc, ".code64", "mov $0x800000000000, %rcx\n mov $2, %r11d\n sysretq");

/* SYSCALL from compatibility mode (AMD: CSTAR; Intel: #UD). */
SNIP(l_scc, ".code64",
     "push $0x2b\n push $" STR(USTACK) "\n push $0x202\n push $0x23\n"
     "push $" AT(CODE, l_scc, l_scc_u) "\n iretq\n"
     ".code32\n l_scc_u: syscall\n l_scc_u2: int3\n"
     ".code64\n l_scc_k: hlt");

/* IRETQ: same level (still pops SS:RSP), then to ring 3 (SDM IRET, IA-32e). */
SNIP(l_iq, ".code64",
     "push $0x10\n push $0x9e000\n pushfq\n push $0x08\n"
     "push $" AT(CODE, l_iq, l_iq_1) "\n iretq\n"
     "l_iq_1: mov %rsp, %rbx\n push $0x2b\n push $" STR(USTACK) "\n push $0x3202\n"
     "push %rdi\n push %rsi\n iretq\n"
     "l_iq_u: int3\n"
     ".code32\n l_iq_c: int3");

/* IRETQ to CPL 0 with a NULL SS (allowed in 64-bit mode). */
SNIP(l_iqnull, ".code64",
     "push $0\n push $0x9e000\n pushfq\n push $0x08\n"
     "push $" AT(CODE, l_iqnull, l_iqnull_1) "\n iretq\n l_iqnull_1: hlt");

/* 64-bit call gate from ring 3 and LRETQ back (§5.8.3.1, §5.8.5). */
SNIP(l_cg, ".code64",
     "lcall *0x200000\n"
     "l_cg_ret: int3\n"
     "l_cg_k: hlt\n"
     "l_cg_k2: lretq");

/* 64-bit segment loads: NULL SS at CPL 0, NULL FS clears the base. */
SNIP(l_seg, ".code64",
     "xor %eax, %eax\n mov %eax, %ss\n mov %eax, %fs\n mov $0x2b, %eax\n mov %eax, %gs\n"
     "swapgs\n hlt");

/* 64-bit LGDT/LIDT/SIDT (10-byte operands), LTR/LLDT (16-byte descriptors). */
SNIP(l_dt, ".code64",
     "lgdt 0x200000\n lidt 0x200010\n sidt 0x200020\n"
     "mov $0xb0, %ax\n ltr %ax\n mov $0xc0, %ax\n lldt %ax\n hlt");

/* Labels inside the programs that the tests refer to. */
extern const uint8_t p_far_2[], p_gate_k[], p_gate_ret[], p_gate_u2[], p_gate_k2[],
    p_iret_k[], p_iret_u2[], v86_iret_n[], p_sys_k[], p_sys_k2[], p_sys_u2[], l_sc_k[],
    l_sc_k2[], l_sc_u[], l_scc_k[], l_scc_u[], l_scc_u2[], l_iq_c[], l_iq_u[], l_iq_1[],
    l_cg_k[], l_cg_k2[], l_cg_ret[];

/* ---- descriptors, encoded from SDM vol. 3 Figures 3-8, 5-8, 6-2 ---- */

enum { T_DATA_RO = 0x0, T_DATA_RW = 0x2, T_CODE_X = 0x8, T_CODE_XR = 0xa,
       T_CODE_CXR = 0xe, T_LDT = 0x2, T_TSS = 0x9, T_TSS_BUSY = 0xb, T_CALL = 0xc,
       T_TASK = 0x5, T_INT16 = 0x6, T_INT = 0xe };

typedef struct Desc {
    uint32_t base, limit;    /* limit: 20 bits */
    unsigned type, dpl;
    bool s, p, l, db, g, a;
} Desc;

static uint64_t desc_encode(Desc d)
{
    uint32_t type = d.type | (d.s && d.a ? 1 : 0);
    uint32_t lo = (d.limit & 0xffff) | (d.base & 0xffff) << 16;
    uint32_t hi = ((d.base >> 16) & 0xff) | type << 8 | (uint32_t)d.s << 12 | d.dpl << 13 |
                  (uint32_t)d.p << 15 | (d.limit & 0xf0000) | (uint32_t)d.l << 21 |
                  (uint32_t)d.db << 22 | (uint32_t)d.g << 23 | (d.base & 0xff000000);
    return (uint64_t)hi << 32 | lo;
}

static void put_desc(uint16_t sel, Desc d)
{
    uint64_t v = desc_encode(d);
    x86run_write(X86RUN_GDT + (sel & ~7), &v, 8);
}

static uint32_t desc_hi(uint16_t sel)
{
    uint32_t v;
    x86run_read(X86RUN_GDT + (sel & ~7) + 4, &v, 4);
    return v;
}

/* Gate: target selector and offset, type, DPL, parameter count (Figure 5-8, 6-2). */
static void put_gate(uint64_t at, uint16_t sel, uint64_t off, unsigned type, unsigned dpl,
                     bool present, unsigned params, bool wide)
{
    uint32_t w[4] = {
        (uint32_t)(off & 0xffff) | (uint32_t)sel << 16,
        (uint32_t)(off & 0xffff0000u) | (present ? 0x8000u : 0) | dpl << 13 | type << 8 |
            params,
        (uint32_t)(off >> 32), 0,
    };
    x86run_write(at, w, wide ? 16 : 8);
}

static void put_sys64(uint16_t sel, uint64_t base, uint32_t limit, unsigned type)
{
    Desc d = { .base = (uint32_t)base, .limit = limit, .type = type, .p = true };
    uint64_t v[2] = { desc_encode(d), base >> 32 };
    x86run_write(X86RUN_GDT + sel, v, 16);
}

/* The GDT entries the tests add beyond x86-run's (selectors 0x50...). */
static void extra_gdt(void)
{
    put_desc(0x50, (Desc){ .base = 0x12345000, .limit = 0xfff, .type = T_DATA_RW,
                           .dpl = 3, .s = 1, .p = 1, .a = 1 });
    put_desc(0x58, (Desc){ .base = 0x200000, .limit = 0xfffff, .type = T_CODE_XR,
                           .s = 1, .p = 1, .db = 1, .g = 1 });
    put_desc(0x60, (Desc){ .limit = 0xffff, .type = T_DATA_RW, .s = 1, .p = 1 });
    put_desc(0x68, (Desc){ .limit = 0xffff, .type = T_DATA_RW, .dpl = 3, .s = 1, .a = 1 });
    put_desc(0x70, (Desc){ .limit = 0xfffff, .type = T_CODE_X, .dpl = 3, .s = 1, .p = 1,
                           .db = 1, .g = 1, .a = 1 });
    put_desc(0x78, (Desc){ .limit = 0xfffff, .type = T_DATA_RO, .s = 1, .p = 1, .db = 1,
                           .g = 1, .a = 1 });
    put_desc(0x80, (Desc){ .limit = 0xfffff, .type = T_CODE_CXR, .s = 1, .p = 1, .db = 1,
                           .g = 1, .a = 1 });
    put_desc(0x88, (Desc){ .limit = 0xfffff, .type = T_CODE_XR, .s = 1, .db = 1, .g = 1,
                           .a = 1 });
    put_desc(0x90, (Desc){ .limit = 0xfffff, .type = T_CODE_CXR, .dpl = 3, .s = 1, .p = 1,
                           .db = 1, .g = 1, .a = 1 });
    put_desc(0xc8, (Desc){ .limit = 0xfffff, .type = T_DATA_RW, .dpl = 3, .s = 1, .db = 1,
                           .g = 1, .a = 1 });
}

/* ---- running ---- */

static TCGBackendKind be_of(gconstpointer p)
{
    return (TCGBackendKind)GPOINTER_TO_INT(p);
}

static CPUX86State *setup(gconstpointer p, X86RunMode mode)
{
    x86run_init(be_of(p));
    x86run_setup(mode);
    extra_gdt();
    return x86run_env();
}

static void load(uint64_t gpa, const uint8_t *b, const uint8_t *e)
{
    x86run_write(gpa, b, e - b);
}
#define LOAD(gpa, name) load(gpa, name##_b, name##_e)
#define OFF(name, label) ((uint64_t)(label - name##_b))

static X86RunResult run(uint64_t rip)
{
    X86RunResult r = x86run_exec(rip, 1000);
    g_autofree char *d = x86run_describe(&r);
    g_test_message("%s", d);
    return r;
}

static void expect_exc(const X86RunResult *r, int vector, int err, uint64_t rip)
{
    g_assert_cmpint(r->stop, ==, X86RUN_EXCEPTION);
    g_assert_cmpint(r->vector, ==, vector);
    if (err >= 0) {
        g_assert_true(r->has_error_code);
        g_assert_cmphex(r->error_code, ==, err);
    }
    g_assert_cmphex(r->frame_rip, ==, rip);
}

static void expect_halt(const X86RunResult *r, uint64_t rip)
{
    g_assert_cmpint(r->stop, ==, X86RUN_HALT);
    g_assert_cmphex(x86run_env()->rip, ==, rip);
}

static unsigned cpl(void)
{
    return x86run_env()->hflags & HF_CPL_MASK;
}

static uint32_t rd32(uint64_t gpa)
{
    uint32_t v;
    x86run_read(gpa, &v, 4);
    return v;
}

static uint16_t rd16(uint64_t gpa)
{
    uint16_t v;
    x86run_read(gpa, &v, 2);
    return v;
}

static void wr32(uint64_t gpa, uint32_t v)
{
    x86run_write(gpa, &v, 4);
}

static void wr16(uint64_t gpa, uint16_t v)
{
    x86run_write(gpa, &v, 2);
}

static void wr64(uint64_t gpa, uint64_t v)
{
    x86run_write(gpa, &v, 8);
}

static void assert_seg(int r, uint16_t sel, uint64_t base, uint32_t limit, uint32_t flags)
{
    const SegmentCache *sc = &x86run_env()->segs[r];
    g_assert_cmphex(sc->selector, ==, sel);
    g_assert_cmphex(sc->base, ==, base);
    g_assert_cmphex(sc->limit, ==, limit);
    g_assert_cmphex(sc->flags & 0x00f0ff00, ==, flags);
}

/* The attribute bits of a descriptor's high dword (SDM §3.4.5). */
static uint32_t attrs(Desc d)
{
    return (uint32_t)(desc_encode(d) >> 32) & 0x00f0ff00;
}

/* The vendor string decides SYSCALL/SYSENTER rules: put one in CPUID leaf 0. */
static void set_vendor(bool amd)
{
    static X86CPUIDEntry leaf0;
    X86CPU *cpu = x86run_cpu();
    if (!x86_cpu_get_cpuid(cpu, 0, 0) && cpu->nr_cpuid == 0) {
        cpu->cpuid = &leaf0;
        cpu->nr_cpuid = 1;
    }
    X86CPUIDEntry *e = (X86CPUIDEntry *)x86_cpu_get_cpuid(cpu, 0, 0);
    g_assert_nonnull(e);
    e->ebx = amd ? 0x68747541 : 0x756e6547;    /* "Auth" / "Genu" */
}

/* ---- real mode ---- */

static void test_real_seg(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_REAL);
    LOAD(0x7c00, r_seg);
    wr16(0x7e00, 0xbeef);
    wr16(0x7e02, 0x3000);
    /* "Unreal" limits survive real-mode loads: only selector and base change. */
    env->segs[R_DS].limit = 0xffffffff;
    X86RunResult r = run(0x7c00);
    expect_halt(&r, 0x7c00 + (r_seg_e - r_seg_b));
    g_assert_cmphex(env->regs[R_ESI] & 0xffff, ==, 0xbeef);
    g_assert_cmphex(env->segs[R_DS].selector, ==, 0x3000);
    g_assert_cmphex(env->segs[R_DS].base, ==, 0x30000);
    g_assert_cmphex(env->segs[R_DS].limit, ==, 0xffffffff);
    g_assert_cmphex(env->segs[R_ES].selector, ==, 0x2000);
    g_assert_cmphex(env->segs[R_ES].base, ==, 0x20000);
    g_assert_cmphex(env->segs[R_SS].base, ==, 0x40000);
    g_assert_cmphex(env->regs[R_ESP] & 0xffff, ==, 0xf000);
}

static void test_real_far(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_REAL);
    LOAD(0x7c00, r_far);
    LOAD(0x8010, r_far_sub);
    LOAD(0x9000, r_far_int);
    LOAD(0xa000, r_far_h);
    wr32(0x30 * 4, 0x0a000000);             /* IVT[0x30] = 0a00:0000 */
    X86RunResult r = run(0x7c00);
    expect_halt(&r, 3);
    g_assert_cmphex(env->segs[R_CS].selector, ==, 0x0900);
    g_assert_cmphex(env->segs[R_CS].base, ==, 0x9000);
    g_assert_cmphex(env->regs[R_EBX] & 0xffff, ==, 0x6655);
    g_assert_cmphex(env->regs[R_ESP] & 0xffff, ==, 0xf000);
    g_assert_cmphex(x86_cpu_get_rflags(env) & RFLAGS_CF, ==, RFLAGS_CF);  /* IRET */
    /* INT pushed FLAGS, CS, IP (SDM §20.1.4); the far CALL's frame was below. */
    g_assert_cmphex(rd16(0x90000 + 0xeffa), ==, 2);
    g_assert_cmphex(rd16(0x90000 + 0xeffc), ==, 0x0900);
    g_assert_cmphex(rd16(0x90000 + 0xeffe) & 1, ==, 1);
}

/* ---- 32-bit protected mode: segment loads ---- */

static void test_prot_seg(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_PROT32);
    LOAD(CODE, p_seg);
    wr32(DATA, 0x7000);
    wr16(DATA + 4, 0x10);
    X86RunResult r = run(CODE);
    expect_halt(&r, CODE + (p_seg_e - p_seg_b));
    g_assert_cmphex(env->regs[R_ESP], ==, 0x7000);
    assert_seg(R_DS, 0x53, 0x12345000, 0xfff,
               attrs((Desc){ .type = T_DATA_RW, .dpl = 3, .s = 1, .p = 1, .a = 1 }));
    assert_seg(R_ES, 0x58, 0x200000, 0xffffffff,
               attrs((Desc){ .type = T_CODE_XR, .s = 1, .p = 1, .db = 1, .g = 1, .a = 1 }));
    /* The accessed bit is set in the descriptor (SDM §3.4.5.1). */
    g_assert_cmphex(desc_hi(0x58) & DESC_A_MASK, ==, DESC_A_MASK);
    g_assert_cmphex(desc_hi(0x60) & DESC_A_MASK, ==, DESC_A_MASK);
    g_assert_cmphex(env->segs[R_FS].selector, ==, 0x60);
    /* A NULL selector loads an unusable segment. */
    g_assert_cmphex(env->segs[R_GS].selector, ==, 0);
    g_assert_cmphex(env->segs[R_GS].flags & DESC_P_MASK, ==, 0);
    g_assert_cmpint(env->hflags & HF_ADDSEG_MASK, ==, HF_ADDSEG_MASK);
}

typedef struct SegCase {
    bool user;
    int seg;
    uint16_t sel;
    int vector;            /* -1: loads */
    uint16_t err;
} SegCase;

/* SDM vol. 2 MOV "Protected Mode Exceptions". */
static const SegCase prot_seg_cases[] = {
    { false, R_DS, 0x1008, 13, 0x1008 },     /* beyond the GDT limit */
    { false, R_DS, 0x000c, 13, 0x000c },     /* TI = 1 with an unusable LDT */
    { false, R_DS, 0x0068, 11, 0x0068 },     /* not present */
    { false, R_DS, 0x0070, 13, 0x0070 },     /* execute-only code */
    { false, R_DS, 0x0048, 13, 0x0048 },     /* a system descriptor (TSS) */
    { false, R_SS, 0x0000, 13, 0x0000 },     /* NULL SS */
    { false, R_SS, 0x0053, 13, 0x0050 },     /* RPL != CPL */
    { false, R_SS, 0x0058, 13, 0x0058 },     /* code */
    { false, R_SS, 0x0078, 13, 0x0078 },     /* read-only data */
    { false, R_SS, 0x0050, 13, 0x0050 },     /* DPL != CPL */
    { false, R_SS, 0x006b, 13, 0x0068 },     /* RPL/DPL 3 at CPL 0 */
    { false, R_FS, 0x0088, 11, 0x0088 },     /* not-present code */
    { false, R_ES, 0x0000, -1, 0 },          /* NULL: fine outside SS */
    { true, R_DS, 0x0013, 13, 0x0010 },      /* DPL 0 data at CPL 3 */
    { true, R_ES, 0x0063, 13, 0x0060 },
    { true, R_DS, 0x0083, -1, 0 },           /* conforming code: no DPL check */
    { true, R_DS, 0x0050, -1, 0 },           /* DPL 3, RPL 0 */
    { true, R_SS, 0x006b, 12, 0x0068 },      /* not-present stack: #SS */
    { true, R_SS, 0x002b, -1, 0 },
};

static void run_seg_case(gconstpointer p, X86RunMode mode, const SegCase *c)
{
    CPUX86State *env = setup(p, mode);
    /* mov $sel, %ax; mov %ax, %sreg; int3 */
    uint8_t code[] = { 0x66, 0xb8, c->sel & 0xff, c->sel >> 8, 0x8e,
                       0xc0 | c->seg << 3, 0xcc };
    x86run_write(CODE, code, sizeof(code));
    if (c->user) {
        x86run_enter_user();
    }
    g_test_message("%s sreg %d sel %#x", c->user ? "cpl3" : "cpl0", c->seg, c->sel);
    X86RunResult r = run(CODE);
    if (c->vector < 0) {
        expect_exc(&r, 3, -1, CODE + 7);
        /* From CPL 3 the INT3 switched SS: the loaded one is in the frame. */
        g_assert_cmphex(c->user && c->seg == R_SS ? r.frame_ss
                                                  : env->segs[c->seg].selector, ==, c->sel);
    } else {
        expect_exc(&r, c->vector, c->err, CODE + 4);
    }
}

static void test_prot_seg_faults(gconstpointer p)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(prot_seg_cases); i++) {
        run_seg_case(p, X86RUN_PROT32, &prot_seg_cases[i]);
    }
}

/* 64-bit mode (SDM MOV: NULL SS allowed at CPL < 3 with RPL = CPL). */
static const SegCase long_seg_cases[] = {
    { false, R_SS, 0x0000, -1, 0 },
    { false, R_SS, 0x0003, 13, 0 },
    { true, R_SS, 0x0003, 13, 0 },
    { false, R_DS, 0x0068, 11, 0x0068 },
    { true, R_FS, 0x0013, 13, 0x0010 },
    { true, R_GS, 0x002b, -1, 0 },
};

static void test_long_seg_faults(gconstpointer p)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(long_seg_cases); i++) {
        run_seg_case(p, X86RUN_LONG, &long_seg_cases[i]);
    }
}

/* ---- 32-bit protected mode: far transfers ---- */

static void test_prot_far(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_PROT32);
    LOAD(CODE, p_far);
    X86RunResult r = run(CODE);
    expect_halt(&r, CODE + OFF(p_far, p_far_2) + 1);
    g_assert_cmphex(env->regs[R_EBX], ==, CODE + OFF(p_far, p_far_2));
    g_assert_cmphex(env->regs[R_ECX], ==, 0x18);
    g_assert_cmphex(env->regs[R_ESP], ==, KSTACK);
}

/* SDM JMP "Protected Mode Exceptions" for direct far jumps from CPL 0. */
static void test_prot_jmp_faults(gconstpointer p)
{
    static const struct { uint16_t sel; int vector; uint16_t err; } cases[] = {
        { 0x0023, 13, 0x0020 },     /* nonconforming, DPL 3 != CPL 0 */
        { 0x0088, 11, 0x0088 },     /* not present */
        { 0x0010, 13, 0x0010 },     /* data */
        { 0x0000, 13, 0x0000 },     /* NULL */
        { 0x0090, 13, 0x0090 },     /* conforming with DPL 3 > CPL 0 */
        { 0x1008, 13, 0x1008 },     /* beyond the GDT */
        { 0x00b0, 13, 0x00b0 },     /* a TSS: task switches are not implemented */
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        setup(p, X86RUN_PROT32);
        put_desc(0xb0, (Desc){ .base = 0x5000, .limit = 0x67, .type = T_TSS, .p = 1 });
        uint8_t code[] = { 0xea, 0, 0, 0x10, 0, cases[i].sel & 0xff, cases[i].sel >> 8, 0xf4 };
        x86run_write(CODE, code, sizeof(code));
        g_test_message("ljmp to %#x", cases[i].sel);
        X86RunResult r = run(CODE);
        expect_exc(&r, cases[i].vector, cases[i].err, CODE);
    }
}

static void put_p_gates(void)
{
    put_gate(X86RUN_GDT + 0x98, 0x18, CODE + OFF(p_gate, p_gate_k), T_CALL, 3, true, 2, false);
    put_gate(X86RUN_GDT + 0xc0, 0x18, CODE + OFF(p_gate, p_gate_k2), T_CALL, 3, true, 2,
             false);
}

/* Call gate to a more privileged level: stack from the TSS, parameters copied. */
static void test_prot_call_gate(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_PROT32);
    LOAD(CODE, p_gate);
    put_p_gates();
    x86run_enter_user();
    X86RunResult r = run(CODE);
    expect_halt(&r, CODE + OFF(p_gate, p_gate_k) + 1);
    g_assert_cmpint(cpl(), ==, 0);
    g_assert_cmphex(env->segs[R_CS].selector, ==, 0x18);
    g_assert_cmphex(env->segs[R_SS].selector, ==, 0x10);          /* SS0 */
    uint32_t sp = env->regs[R_ESP];
    g_assert_cmphex(sp, ==, KSTACK - 24);
    /* SDM Figure 5-13: EIP, CS, parameters in caller order, ESP, SS. */
    g_assert_cmphex(rd32(sp), ==, CODE + OFF(p_gate, p_gate_ret));
    g_assert_cmphex(rd32(sp + 4), ==, 0x23);
    g_assert_cmphex(rd32(sp + 8), ==, 0x2222);
    g_assert_cmphex(rd32(sp + 12), ==, 0x1111);
    g_assert_cmphex(rd32(sp + 16), ==, USTACK - 8);
    g_assert_cmphex(rd32(sp + 20), ==, 0x2b);
}

/* RET imm16 to the outer level: SS:ESP popped, DPL-0 data segments nulled. */
static void test_prot_call_gate_ret(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_PROT32);
    LOAD(CODE, p_gate);
    put_p_gates();
    x86run_enter_user();
    X86RunResult r = run(CODE + OFF(p_gate, p_gate_u2));
    expect_exc(&r, 3, -1, CODE + (p_gate_e - p_gate_b));
    g_assert_cmphex(r.frame_cs, ==, 0x23);
    g_assert_cmphex(r.frame_ss, ==, 0x2b);
    g_assert_cmphex(r.frame_rsp, ==, USTACK);
    g_assert_cmphex(env->segs[R_DS].selector, ==, 0);
    g_assert_cmphex(env->segs[R_DS].flags & DESC_P_MASK, ==, 0);
    g_assert_cmphex(env->segs[R_ES].selector, ==, 0x2b);       /* DPL 3: kept */
}

/* JMP through a call gate keeps CPL; from CPL 3 to a DPL-0 target: #GP. */
static void test_prot_jmp_gate(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_PROT32);
    LOAD(CODE + 0x100, p_gate);
    put_gate(X86RUN_GDT + 0x98, 0x18, CODE + 0x100 + OFF(p_gate, p_gate_k), T_CALL, 3,
             true, 0, false);
    static const uint8_t code[] = { 0xea, 0, 0, 0, 0, 0x9b, 0 };  /* ljmp $0x9b, $0 */
    x86run_write(CODE, code, sizeof(code));
    X86RunResult r = run(CODE);
    expect_halt(&r, CODE + 0x100 + OFF(p_gate, p_gate_k) + 1);
    g_assert_cmphex(env->segs[R_CS].selector, ==, 0x18);

    setup(p, X86RUN_PROT32);
    put_gate(X86RUN_GDT + 0x98, 0x18, CODE + 0x100, T_CALL, 3, true, 0, false);
    x86run_write(CODE, code, sizeof(code));
    x86run_enter_user();
    r = run(CODE);
    expect_exc(&r, 13, 0x18, CODE);
}

/* IRET to ring 3, INT 0x80 through a DPL-3 interrupt gate, IRET back. */
static void test_prot_iret_int(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_PROT32);
    LOAD(CODE, p_iret);
    put_gate(X86RUN_IDT + 0x80 * 8, 0x18, CODE + OFF(p_iret, p_iret_k), T_INT, 3, true, 0,
             false);
    X86RunResult r = run(CODE);
    expect_exc(&r, 3, -1, CODE + OFF(p_iret, p_iret_u2) + 1);
    g_assert_cmphex(env->regs[R_EBX], ==, 43);
    g_assert_cmphex(r.frame_cs, ==, 0x23);
    g_assert_cmphex(r.frame_ss, ==, 0x2b);
    g_assert_cmphex(r.frame_rsp, ==, USTACK);
    /* IRET at CPL 0 loads IF and IOPL; CF survives the handler's INC. */
    g_assert_cmphex(r.frame_rflags, ==, 0x1203);
    g_assert_cmpint(cpl(), ==, 0);
    g_assert_cmphex(env->segs[R_SS].selector, ==, 0x10);
    g_assert_cmphex(env->regs[R_ESP], ==, KSTACK - 20);
    g_assert_cmphex(env->rflags & RFLAGS_IF, ==, 0);             /* interrupt gate */
}

/* INT n faults (SDM §6.12.1.1, INT n "Protected Mode Exceptions"), from CPL 3. */
static void test_prot_int_faults(gconstpointer p)
{
    static const struct {
        uint8_t vec;
        uint16_t sel;
        unsigned type;
        bool present;
        int vector;
        uint16_t err;
    } cases[] = {
        { 0x81, 0, 0, false, 13, 0x81 * 8 + 2 },       /* x86-run's gate: DPL 0 */
        { 0x82, 0x18, T_INT, false, 11, 0x82 * 8 + 2 }, /* not present */
        { 0x85, 0x00, T_INT, true, 13, 0 },             /* NULL code selector */
        { 0x86, 0x1008, T_INT, true, 13, 0x1008 },      /* beyond the GDT */
        { 0x87, 0x10, T_INT, true, 13, 0x10 },          /* data, not code */
        { 0x88, 0x48, T_TASK, true, 13, 0x88 * 8 + 2 }, /* task gate: not implemented */
        { 0x89, 0x88, T_INT, true, 11, 0x88 },          /* code not present */
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        setup(p, X86RUN_PROT32);
        if (cases[i].type) {
            put_gate(X86RUN_IDT + cases[i].vec * 8, cases[i].sel, CODE, cases[i].type, 3,
                     cases[i].present, 0, false);
        }
        uint8_t code[] = { 0xcd, cases[i].vec, 0xcc };
        x86run_write(CODE, code, sizeof(code));
        x86run_enter_user();
        g_test_message("int %#x", cases[i].vec);
        X86RunResult r = run(CODE);
        expect_exc(&r, cases[i].vector, cases[i].err, CODE);
        g_assert_cmphex(r.frame_cs, ==, 0x23);
    }
}

/* Far RET to an outer level (SDM RET "Protected Mode Exceptions"). */
static void test_prot_retf_faults(gconstpointer p)
{
    static const struct { uint16_t cs, ss; int vector; uint16_t err; } cases[] = {
        { 0x23, 0x10, 13, 0x10 },       /* SS RPL != CS RPL */
        { 0x23, 0x28, 13, 0x28 },
        { 0x23, 0xcb, 12, 0xc8 },       /* SS not present */
        { 0x23, 0x00, 13, 0x00 },       /* NULL SS outside 64-bit mode */
        { 0x1b, 0x2b, 13, 0x18 },       /* nonconforming CS with DPL != RPL */
        { 0x00, 0x2b, 13, 0x00 },       /* NULL CS */
        { 0x23, 0x2b, -1, 0 },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        CPUX86State *env = setup(p, X86RUN_PROT32);
        uint8_t code[21] = { 0x68, 0, 0, 0, 0, 0x68, 0, 0, 0, 0, 0x68, 0, 0, 0, 0,
                             0x68, 0, 0, 0, 0, 0xcb };
        uint32_t v[4] = { cases[i].ss, USTACK, cases[i].cs, CODE + 0x100 };
        for (int j = 0; j < 4; j++) {
            memcpy(code + 1 + 5 * j, &v[j], 4);
        }
        x86run_write(CODE, code, sizeof(code));
        uint8_t int3 = 0xcc;
        x86run_write(CODE + 0x100, &int3, 1);
        g_test_message("lret to %#x:... ss %#x", cases[i].cs, cases[i].ss);
        X86RunResult r = run(CODE);
        if (cases[i].vector < 0) {
            expect_exc(&r, 3, -1, CODE + 0x101);
            g_assert_cmphex(r.frame_cs, ==, 0x23);
            g_assert_cmphex(r.frame_rsp, ==, USTACK);
            /* Data segments with DPL < 3 became NULL (SDM RET). */
            g_assert_cmphex(env->segs[R_DS].selector, ==, 0);
        } else {
            expect_exc(&r, cases[i].vector, cases[i].err, CODE + 20);
            g_assert_cmpint(r.frame_cs, ==, 0x18);
        }
    }
}

/* IRET to virtual-8086 mode; INT n there with IOPL 0 -> #GP(0) to ring 0. */
static void test_prot_vm86_gp(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_PROT32);
    LOAD(CODE, p_vm86);
    LOAD(0x7000, v86_gp);
    env->regs[R_EAX] = RFLAGS_VM | 2;
    X86RunResult r = run(CODE);
    g_assert_cmpint(r.stop, ==, X86RUN_EXCEPTION);
    g_assert_cmpint(r.vector, ==, 13);
    /* §20.3.1.1 Figure 20-2: GS FS DS ES SS ESP EFLAGS CS EIP, error code. */
    uint32_t sp = env->regs[R_ESP];
    g_assert_cmphex(sp, ==, KSTACK - 40);
    g_assert_cmphex(rd32(sp), ==, 0);
    g_assert_cmphex(rd32(sp + 4), ==, 7);
    g_assert_cmphex(rd32(sp + 8), ==, 0x700);
    g_assert_cmphex(rd32(sp + 12) & (RFLAGS_VM | RFLAGS_IF), ==, RFLAGS_VM);
    g_assert_cmphex(rd32(sp + 16), ==, 0xf000);
    g_assert_cmphex(rd32(sp + 20), ==, 0x9000);
    g_assert_cmphex(rd32(sp + 24), ==, 0x3000);
    g_assert_cmphex(rd32(sp + 28), ==, 0x2000);
    g_assert_cmphex(rd32(sp + 32), ==, 0);
    g_assert_cmphex(rd32(sp + 36), ==, 0);
    g_assert_cmphex(env->regs[R_EBX] & 0xffff, ==, 0x2000);
    g_assert_cmpint(env->rflags & RFLAGS_VM, ==, 0);
    g_assert_cmpint(cpl(), ==, 0);
    g_assert_cmphex(env->segs[R_DS].selector, ==, 0);
    g_assert_cmphex(env->segs[R_ES].selector, ==, 0);
    g_assert_cmphex(env->segs[R_SS].selector, ==, 0x10);
}

/* With IOPL 3: VM86 IRET (IOPL and VM kept) and INT 0x80 through the IDT. */
static void test_prot_vm86_int(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_PROT32);
    LOAD(CODE, p_vm86);
    LOAD(0x7000, v86_iret);
    env->regs[R_EAX] = RFLAGS_VM | (3u << RFLAGS_IOPL_SHIFT) | 2;
    X86RunResult r = run(CODE);
    g_assert_cmpint(r.stop, ==, X86RUN_EXCEPTION);
    g_assert_cmpint(r.vector, ==, 0x80);
    uint32_t sp = env->regs[R_ESP];
    g_assert_cmphex(sp, ==, KSTACK - 36);
    g_assert_cmphex(rd32(sp), ==, OFF(v86_iret, v86_iret_n) + 2);
    g_assert_cmphex(rd32(sp + 4), ==, 0x700);
    g_assert_cmphex(rd32(sp + 8) & (RFLAGS_VM | RFLAGS_CF | (3u << RFLAGS_IOPL_SHIFT)), ==,
                    RFLAGS_VM | RFLAGS_CF | (3u << RFLAGS_IOPL_SHIFT));
    g_assert_cmphex(rd32(sp + 12), ==, 0xf000);
    g_assert_cmphex(rd32(sp + 16), ==, 0x9000);
}

static void test_prot_sysenter(gconstpointer p)
{
    for (int pass = 0; pass < 2; pass++) {
        CPUX86State *env = setup(p, X86RUN_PROT32);
        LOAD(CODE, p_sysenter);
        env->sysenter_cs = 0x08;
        env->sysenter_esp = KSTACK - 0x100;
        env->sysenter_eip = CODE + (pass ? OFF(p_sysenter, p_sys_k)
                                         : OFF(p_sysenter, p_sys_k2));
        x86run_enter_user();
        x86_cpu_set_rflags(env, RFLAGS_IF | 2);
        X86RunResult r = run(CODE);
        if (!pass) {
            /* SDM SYSENTER: flat CS = SYSENTER_CS, SS = +8, CPL 0, IF = VM = 0. */
            expect_halt(&r, CODE + (p_sysenter_e - p_sysenter_b));
            assert_seg(R_CS, 0x08, 0, 0xffffffff,
                       attrs((Desc){ .type = T_CODE_XR, .s = 1, .p = 1, .db = 1, .g = 1,
                                     .a = 1 }));
            assert_seg(R_SS, 0x10, 0, 0xffffffff,
                       attrs((Desc){ .type = T_DATA_RW, .s = 1, .p = 1, .db = 1, .g = 1,
                                     .a = 1 }));
            g_assert_cmphex(env->regs[R_ESP], ==, KSTACK - 0x100);
            g_assert_cmpint(env->rflags & RFLAGS_IF, ==, 0);
            g_assert_cmpint(cpl(), ==, 0);
        } else {
            /* SYSEXIT: CS = SYSENTER_CS + 16 | 3, SS = + 24 | 3, ESP = ECX, EIP = EDX. */
            expect_exc(&r, 3, -1, CODE + OFF(p_sysenter, p_sys_u2) + 1);
            g_assert_cmphex(r.frame_cs, ==, 0x1b);
            g_assert_cmphex(r.frame_ss, ==, 0x23);
            g_assert_cmphex(r.frame_rsp, ==, USTACK);
        }
    }
}

static void test_prot_lar(gconstpointer p)
{
    setup(p, X86RUN_PROT32);
    LOAD(CODE, p_lar);
    x86run_enter_user();
    X86RunResult r = run(CODE);
    expect_exc(&r, 3, -1, CODE + (p_lar_e - p_lar_b));
    static const uint8_t zf[] = { 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 0 };
    for (unsigned i = 0; i < sizeof(zf); i++) {
        g_test_message("ZF #%u", i);
        g_assert_cmpint(x86run_ram()[DATA + i], ==, zf[i]);
    }
    /* LAR: the high dword masked by 00FxFF00H; unchanged when ZF = 0. */
    uint32_t a50 = attrs((Desc){ .type = T_DATA_RW, .dpl = 3, .s = 1, .p = 1, .a = 1 });
    g_assert_cmphex(rd32(DATA + 0x10), ==, a50);
    g_assert_cmphex(rd32(DATA + 0x14), ==, 0xdeadbeef);
    g_assert_cmphex(rd32(DATA + 0x18), ==, 0xfff);               /* LSL: byte limit */
    g_assert_cmphex(rd32(DATA + 0x1c), ==, 0xffffffff);          /* G = 1 */
    g_assert_cmphex(rd32(DATA + 0x20), ==, 0xffff0000u | (a50 & 0xff00));  /* 16-bit */
}

static void test_prot_lar_sys(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_PROT32);
    LOAD(CODE, p_lar0);
    put_gate(X86RUN_GDT + 0x98, 0x18, CODE, T_CALL, 3, true, 0, false);
    X86RunResult r = run(CODE);
    expect_halt(&r, CODE + (p_lar0_e - p_lar0_b));
    /* A busy 32-bit TSS is visible to LAR and LSL; a call gate only to LAR. */
    g_assert_cmpint(x86run_ram()[DATA], ==, 1);
    g_assert_cmpint(x86run_ram()[DATA + 1], ==, 1);
    g_assert_cmpint(x86run_ram()[DATA + 2], ==, 1);
    g_assert_cmpint(x86run_ram()[DATA + 3], ==, 0);
    g_assert_cmphex(env->regs[R_EBX], ==, 0x8b00);
    g_assert_cmphex(env->regs[R_ECX], ==, 0x67);
    /* A gate's high dword holds offset[31:16]: LAR returns its bits 23:20 too. */
    g_assert_cmphex(env->regs[R_EDX], ==, ((CODE & 0xffff0000) | 0xec00) & 0x00f0ff00);
}

static void test_prot_dt(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_PROT32);
    LOAD(CODE, p_dt);
    put_desc(0xa8, (Desc){ .base = DATA + 0x1000, .limit = 0xff, .type = T_LDT, .p = 1 });
    put_desc(0xb0, (Desc){ .base = 0x5000, .limit = 0x67, .type = T_TSS, .p = 1 });
    uint64_t ldt1 = desc_encode((Desc){ .base = 0xabc000, .limit = 0xfff, .type = T_DATA_RW,
                                        .dpl = 3, .s = 1, .p = 1, .a = 1 });
    x86run_write(DATA + 0x1008, &ldt1, 8);
    wr16(DATA + 0x20, 0x7ff);
    wr32(DATA + 0x22, X86RUN_GDT);
    wr16(DATA + 0x30, 0x3ff);
    wr32(DATA + 0x32, 0x12002000);
    X86RunResult r = run(CODE);
    expect_halt(&r, CODE + (p_dt_e - p_dt_b));
    g_assert_cmphex(rd16(DATA), ==, 0xfff);
    g_assert_cmphex(rd32(DATA + 2), ==, X86RUN_GDT);
    g_assert_cmphex(rd16(DATA + 8), ==, 0x7ff);
    g_assert_cmphex(rd32(DATA + 10), ==, X86RUN_IDT);
    g_assert_cmphex(env->regs[R_EAX], ==, 0);
    g_assert_cmphex(env->regs[R_EBX], ==, 0xffff0048);          /* STR r16 merges */
    g_assert_cmphex(env->regs[R_EDX], ==, 0xb0);
    g_assert_cmphex(env->ldt.selector, ==, 0xa8);
    g_assert_cmphex(env->ldt.base, ==, DATA + 0x1000);
    g_assert_cmphex(env->ldt.limit, ==, 0xff);
    g_assert_cmphex(env->tr.selector, ==, 0xb0);
    g_assert_cmphex(env->tr.base, ==, 0x5000);
    /* LTR marks the descriptor busy (SDM LTR). */
    g_assert_cmphex((desc_hi(0xb0) >> 8) & 15, ==, T_TSS_BUSY);
    g_assert_cmphex(env->gdt.limit, ==, 0x7ff);
    /* LIDT with a 16-bit operand: 24-bit base. */
    g_assert_cmphex(env->idt.base, ==, 0x002000);
    g_assert_cmphex(env->idt.limit, ==, 0x3ff);
    g_assert_cmphex(env->segs[R_DS].selector, ==, 0x0f);
    g_assert_cmphex(env->segs[R_DS].base, ==, 0xabc000);

    /* LTR of a busy TSS: #GP(selector). */
    setup(p, X86RUN_PROT32);
    put_desc(0xb0, (Desc){ .base = 0x5000, .limit = 0x67, .type = T_TSS, .p = 1 });
    static const uint8_t twice[] = { 0x66, 0xb9, 0xb0, 0, 0x0f, 0x00, 0xd9,
                                     0x0f, 0x00, 0xd9, 0xf4 };
    x86run_write(CODE, twice, sizeof(twice));
    r = run(CODE);
    expect_exc(&r, 13, 0xb0, CODE + 7);

    /* CR4.UMIP: SGDT at CPL 3 is #GP(0). */
    env = setup(p, X86RUN_PROT32);
    env->cr[4] |= CR4_UMIP_MASK;
    static const uint8_t sgdt[] = { 0x0f, 0x01, 0x05, 0, 0, 0x20, 0, 0xcc };
    x86run_write(CODE, sgdt, sizeof(sgdt));
    x86run_enter_user();
    r = run(CODE);
    expect_exc(&r, 13, 0, CODE);
}

static void test_prot_int16(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_PROT32);
    LOAD(CODE, p_int16);
    put_gate(X86RUN_IDT + 0x84 * 8, 0x38, 0x6000, T_INT16, 0, true, 0, false);
    uint8_t hlt = 0xf4;
    x86run_write(0x6000, &hlt, 1);
    X86RunResult r = run(CODE);
    expect_halt(&r, 0x6001);
    /* A 16-bit gate pushes FLAGS, CS, IP as words (SDM §6.12.1). */
    g_assert_cmphex(env->segs[R_CS].selector, ==, 0x38);
    g_assert_cmphex(env->regs[R_ESP], ==, KSTACK - 6);
    g_assert_cmphex(rd16(KSTACK - 6), ==, (CODE + 2) & 0xffff);
    g_assert_cmphex(rd16(KSTACK - 4), ==, 0x18);
    g_assert_cmphex(rd16(KSTACK - 2) & 2, ==, 2);
}

/* ---- interrupt shadow: an interrupt requested all along, taken late ---- */

static int ack_calls;

static int test_ack(CPUState *cs)
{
    /* Decline the first acknowledge (before the code runs), accept the next. */
    if (++ack_calls == 2) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
        return 0x40;
    }
    return -1;
}

static void run_shadow(gconstpointer p, const uint8_t *b, const uint8_t *e,
                       uint64_t taken_at)
{
    CPUX86State *env = setup(p, X86RUN_PROT32);
    int (*old)(CPUState *) = x86_cpu_ack_interrupt;
    load(CODE, b, e);
    x86_cpu_set_rflags(env, RFLAGS_IF | 2);
    ack_calls = 0;
    x86_cpu_ack_interrupt = test_ack;
    cpu_interrupt(CPU(x86run_cpu()), CPU_INTERRUPT_HARD);
    X86RunResult r = run(CODE);
    x86_cpu_ack_interrupt = old;
    cpu_reset_interrupt(CPU(x86run_cpu()), CPU_INTERRUPT_HARD);
    expect_exc(&r, 0x40, -1, taken_at);
}

static void test_prot_shadow(gconstpointer p)
{
    /* MOV SS / POP SS: the interrupt waits until after the next instruction. */
    run_shadow(p, p_movss_b, p_movss_e, CODE + 7);
    run_shadow(p, p_popss_b, p_popss_e, CODE + 4);
    /* MOV DS has no shadow: taken right after it. */
    run_shadow(p, p_movds_b, p_movds_e, CODE + 6);
}

static void test_prot_nmi_unmask(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_PROT32);
    LOAD(CODE, p_nmi);
    env->events.nmi_masked = true;
    X86RunResult r = run(CODE);
    expect_halt(&r, CODE + (p_nmi_e - p_nmi_b));
    g_assert_false(env->events.nmi_masked);
    g_assert_cmphex(env->regs[R_ESP], ==, KSTACK);
}

/* ---- long mode ---- */

static void test_long_syscall(gconstpointer p)
{
    for (int pass = 0; pass < 2; pass++) {
        CPUX86State *env = setup(p, X86RUN_LONG);
        LOAD(CODE, l_sc);
        env->lstar = CODE + (pass ? OFF(l_sc, l_sc_k) : OFF(l_sc, l_sc_k2));
        env->fmask = RFLAGS_TF | RFLAGS_IF | RFLAGS_DF;
        x86run_enter_user();
        x86_cpu_set_rflags(env, RFLAGS_IF | RFLAGS_CF | 2);
        X86RunResult r = run(CODE);
        if (!pass) {
            /* SDM SYSCALL: RCX = next RIP, R11 = RFLAGS, RFLAGS &= ~FMASK, flat
             * 64-bit CS = STAR[47:32], SS = + 8, CPL 0. */
            expect_halt(&r, CODE + (l_sc_e - l_sc_b));
            g_assert_cmphex(env->regs[R_ECX], ==, CODE + OFF(l_sc, l_sc_u));
            g_assert_cmphex(env->regs[R_R11], ==, 0x203);
            g_assert_cmphex(x86_cpu_get_rflags(env), ==, 0x3);
            assert_seg(R_CS, 0x08, 0, 0xffffffff,
                       attrs((Desc){ .type = T_CODE_XR, .s = 1, .p = 1, .l = 1, .g = 1,
                                     .a = 1 }));
            assert_seg(R_SS, 0x10, 0, 0xffffffff,
                       attrs((Desc){ .type = T_DATA_RW, .s = 1, .p = 1, .db = 1, .g = 1,
                                     .a = 1 }));
            g_assert_cmpint(cpl(), ==, 0);
            g_assert_cmpint(env->hflags & HF_CS64_MASK, ==, HF_CS64_MASK);
        } else {
            /* SYSRETQ: CS = STAR[63:48] + 16 | 3, SS = + 8 | 3, RFLAGS = R11. */
            expect_exc(&r, 3, -1, CODE + OFF(l_sc, l_sc_u) + 1);
            g_assert_cmphex(env->regs[R_EAX], ==, 8);
            g_assert_cmphex(r.frame_cs, ==, 0x33);
            g_assert_cmphex(r.frame_ss, ==, 0x2b);
            g_assert_cmphex(r.frame_rsp, ==, USTACK);
            g_assert_cmphex(r.frame_rflags, ==, 0x203);
            g_assert_cmphex(x86run_read64(DATA), ==, CODE + OFF(l_sc, l_sc_u));
            g_assert_cmphex(x86run_read64(DATA + 8), ==, 0x203);
            g_assert_cmphex(rd16(DATA + 0x10), ==, 0x08);
            g_assert_cmphex(rd16(DATA + 0x12), ==, 0x10);
        }
    }
}

static void test_long_sysret32(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_LONG);
    LOAD(CODE, l_sr32);
    X86RunResult r = run(CODE);
    expect_exc(&r, 3, -1, CODE + (l_sr32_e - l_sr32_b));
    g_assert_cmphex(r.frame_cs, ==, 0x23);
    g_assert_cmphex(r.frame_ss, ==, 0x2b);
    g_assert_cmphex(r.frame_rflags, ==, 0x802);
    g_assert_cmphex(r.frame_rsp, ==, KSTACK);
    (void)env;
}

static void test_long_sysret_noncanonical(gconstpointer p)
{
    for (int amd = 0; amd < 2; amd++) {
        setup(p, X86RUN_LONG);
        set_vendor(amd);
        LOAD(CODE, l_srnc);
        X86RunResult r = run(CODE);
        g_assert_cmpint(r.stop, ==, X86RUN_EXCEPTION);
        g_assert_cmpint(r.vector, ==, 13);
        if (amd) {
            /* AMD loads RIP and faults on the fetch, at CPL 3. */
            g_assert_cmphex(r.frame_cs, ==, 0x33);
            g_assert_cmphex(r.frame_rip, ==, 0x800000000000ull);
        } else {
            /* Intel: #GP(0) at CPL 0, before anything changes (SDM SYSRET). */
            g_assert_cmphex(r.frame_cs, ==, 0x08);
            g_assert_cmphex(r.frame_rip, ==, CODE + (l_srnc_e - l_srnc_b) - 3);
        }
        set_vendor(true);
    }
}

static void test_long_syscall_compat(gconstpointer p)
{
    for (int amd = 0; amd < 2; amd++) {
        CPUX86State *env = setup(p, X86RUN_LONG);
        set_vendor(amd);
        LOAD(CODE, l_scc);
        env->cstar = CODE + OFF(l_scc, l_scc_k);
        X86RunResult r = run(CODE);
        if (amd) {
            expect_halt(&r, CODE + OFF(l_scc, l_scc_k) + 1);
            g_assert_cmphex(env->regs[R_ECX], ==, CODE + OFF(l_scc, l_scc_u2));
            g_assert_cmphex(env->regs[R_R11], ==, 0x202);
            g_assert_cmphex(env->segs[R_CS].selector, ==, 0x08);
        } else {
            expect_exc(&r, 6, -1, CODE + OFF(l_scc, l_scc_u));
            g_assert_cmphex(r.frame_cs, ==, 0x23);
        }
        set_vendor(true);
    }
}

static void test_long_iretq(gconstpointer p)
{
    for (int compat = 0; compat < 2; compat++) {
        CPUX86State *env = setup(p, X86RUN_LONG);
        LOAD(CODE, l_iq);
        env->regs[R_EDI] = compat ? 0x23 : 0x33;
        env->regs[R_ESI] = CODE + (compat ? OFF(l_iq, l_iq_c) : OFF(l_iq, l_iq_u));
        X86RunResult r = run(CODE);
        expect_exc(&r, 3, -1, env->regs[R_ESI] + 1);
        /* IRETQ at the same level pops SS:RSP too. */
        g_assert_cmphex(env->regs[R_EBX], ==, 0x9e000);
        g_assert_cmphex(r.frame_cs, ==, compat ? 0x23 : 0x33);
        g_assert_cmphex(r.frame_ss, ==, 0x2b);
        g_assert_cmphex(r.frame_rsp, ==, USTACK);
        g_assert_cmphex(r.frame_rflags, ==, 0x3202);
        g_assert_cmphex(env->regs[R_ESP], ==, KSTACK - 40);
    }
    /* A NULL SS is fine for a return to CPL 0 in 64-bit mode ... */
    CPUX86State *env = setup(p, X86RUN_LONG);
    LOAD(CODE, l_iqnull);
    X86RunResult r = run(CODE);
    expect_halt(&r, CODE + (l_iqnull_e - l_iqnull_b));
    g_assert_cmphex(env->segs[R_SS].selector, ==, 0);
    g_assert_cmphex(env->regs[R_ESP], ==, 0x9e000);
    /* ... not to CPL 3: #GP(0). */
    env = setup(p, X86RUN_LONG);
    LOAD(CODE, l_iq);
    env->regs[R_EDI] = 0x33;
    env->regs[R_ESI] = CODE + OFF(l_iq, l_iq_u);
    uint8_t null_ss = 0;
    x86run_write(CODE + OFF(l_iq, l_iq_1) + 4, &null_ss, 1);    /* push $0x2b -> $0 */
    r = run(CODE);
    expect_exc(&r, 13, 0, CODE + OFF(l_iq, l_iq_u) - 2);
}

static void put_l_gates(void)
{
    put_gate(X86RUN_GDT + 0x98, 0x08, CODE + OFF(l_cg, l_cg_k), T_CALL, 3, true, 0, true);
    put_gate(X86RUN_GDT + 0xc0, 0x08, CODE + OFF(l_cg, l_cg_k2), T_CALL, 3, true, 0, true);
}

static void test_long_call_gate(gconstpointer p)
{
    for (int pass = 0; pass < 2; pass++) {
        CPUX86State *env = setup(p, X86RUN_LONG);
        LOAD(CODE, l_cg);
        put_l_gates();
        wr32(DATA, 0);
        wr16(DATA + 4, pass ? 0xc3 : 0x9b);
        x86run_enter_user();
        X86RunResult r = run(CODE);
        if (!pass) {
            /* §5.8.5.1: 64-bit gate, new RSP from the TSS, SS = NULL with RPL 0;
             * pushes SS, RSP, CS, RIP (8 bytes each). */
            expect_halt(&r, CODE + OFF(l_cg, l_cg_k) + 1);
            g_assert_cmpint(cpl(), ==, 0);
            g_assert_cmphex(env->segs[R_SS].selector, ==, 0);
            uint64_t sp = env->regs[R_ESP];
            g_assert_cmphex(sp, ==, KSTACK - 32);
            g_assert_cmphex(x86run_read64(sp), ==, CODE + OFF(l_cg, l_cg_ret));
            g_assert_cmphex(x86run_read64(sp + 8), ==, 0x33);
            g_assert_cmphex(x86run_read64(sp + 16), ==, USTACK);
            g_assert_cmphex(x86run_read64(sp + 24), ==, 0x2b);
        } else {
            expect_exc(&r, 3, -1, CODE + OFF(l_cg, l_cg_ret) + 1);
            g_assert_cmphex(r.frame_cs, ==, 0x33);
            g_assert_cmphex(r.frame_ss, ==, 0x2b);
            g_assert_cmphex(r.frame_rsp, ==, USTACK);
        }
    }
}

static void test_long_seg(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_LONG);
    LOAD(CODE, l_seg);
    env->segs[R_FS].base = 0x1234;
    env->segs[R_GS].base = 0x1111;
    env->kernelgsbase = 0x2222;
    X86RunResult r = run(CODE);
    expect_halt(&r, CODE + (l_seg_e - l_seg_b));
    g_assert_cmphex(env->segs[R_SS].selector, ==, 0);
    g_assert_cmphex(env->segs[R_FS].selector, ==, 0);
    g_assert_cmphex(env->segs[R_FS].base, ==, 0);
    g_assert_cmphex(env->segs[R_GS].selector, ==, 0x2b);
    /* The GS load set base 0; SWAPGS exchanged it with KernelGSbase. */
    g_assert_cmphex(env->segs[R_GS].base, ==, 0x2222);
    g_assert_cmphex(env->kernelgsbase, ==, 0);

    /* SWAPGS at CPL 3: #GP(0). */
    setup(p, X86RUN_LONG);
    static const uint8_t swapgs[] = { 0x0f, 0x01, 0xf8, 0xcc };
    x86run_write(CODE, swapgs, sizeof(swapgs));
    x86run_enter_user();
    r = run(CODE);
    expect_exc(&r, 13, 0, CODE);
}

static void test_long_dt(gconstpointer p)
{
    CPUX86State *env = setup(p, X86RUN_LONG);
    LOAD(CODE, l_dt);
    wr16(DATA, 0xfff);
    wr64(DATA + 2, X86RUN_GDT);
    wr16(DATA + 0x10, 0x123);
    wr64(DATA + 0x12, 0xffff800012345000ull);
    put_sys64(0xb0, 0xffff800000005000ull, 0x67, T_TSS);
    put_sys64(0xc0, 0xffff800000006000ull, 0xff, T_LDT);
    X86RunResult r = run(CODE);
    expect_halt(&r, CODE + (l_dt_e - l_dt_b));
    g_assert_cmphex(env->idt.base, ==, 0xffff800012345000ull);
    g_assert_cmphex(env->idt.limit, ==, 0x123);
    g_assert_cmphex(rd16(DATA + 0x20), ==, 0x123);
    g_assert_cmphex(x86run_read64(DATA + 0x22), ==, 0xffff800012345000ull);
    g_assert_cmphex(env->tr.selector, ==, 0xb0);
    g_assert_cmphex(env->tr.base, ==, 0xffff800000005000ull);
    g_assert_cmphex(env->tr.limit, ==, 0x67);
    g_assert_cmphex((desc_hi(0xb0) >> 8) & 15, ==, T_TSS_BUSY);
    g_assert_cmphex(env->ldt.selector, ==, 0xc0);
    g_assert_cmphex(env->ldt.base, ==, 0xffff800000006000ull);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    static const struct {
        const char *name;
        void (*fn)(gconstpointer);
    } tests[] = {
        { "real/seg", test_real_seg },
        { "real/far", test_real_far },
        { "prot32/seg", test_prot_seg },
        { "prot32/seg-faults", test_prot_seg_faults },
        { "prot32/far", test_prot_far },
        { "prot32/jmp-faults", test_prot_jmp_faults },
        { "prot32/call-gate", test_prot_call_gate },
        { "prot32/call-gate-ret", test_prot_call_gate_ret },
        { "prot32/jmp-gate", test_prot_jmp_gate },
        { "prot32/iret-int", test_prot_iret_int },
        { "prot32/int-faults", test_prot_int_faults },
        { "prot32/retf-faults", test_prot_retf_faults },
        { "prot32/vm86-gp", test_prot_vm86_gp },
        { "prot32/vm86-int", test_prot_vm86_int },
        { "prot32/sysenter", test_prot_sysenter },
        { "prot32/lar", test_prot_lar },
        { "prot32/lar-sys", test_prot_lar_sys },
        { "prot32/dt", test_prot_dt },
        { "prot32/int16", test_prot_int16 },
        { "prot32/shadow", test_prot_shadow },
        { "prot32/nmi-unmask", test_prot_nmi_unmask },
        { "long/seg-faults", test_long_seg_faults },
        { "long/syscall", test_long_syscall },
        { "long/sysret32", test_long_sysret32 },
        { "long/sysret-noncanonical", test_long_sysret_noncanonical },
        { "long/syscall-compat", test_long_syscall_compat },
        { "long/iretq", test_long_iretq },
        { "long/call-gate", test_long_call_gate },
        { "long/seg", test_long_seg },
        { "long/dt", test_long_dt },
    };
    TCGBackendKind bes[2];
    int nb = x86run_backends(bes);
    for (int b = 0; b < nb; b++) {
        for (unsigned i = 0; i < G_N_ELEMENTS(tests); i++) {
            g_autofree char *path = g_strdup_printf(
                "/x86-seg/%s/%s", bes[b] == TCG_BACKEND_TCI ? "tci" : "native",
                tests[i].name);
            g_test_add_data_func(path, GINT_TO_POINTER(bes[b]), tests[i].fn);
        }
    }
    return g_test_run();
}

#else

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_skip("the guest programs are assembled with the x86-64 host assembler");
    return g_test_run();
}

#endif
