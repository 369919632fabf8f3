/*
 * Differential x86 tests against this host's CPU (x86-native.h): native
 * execution of 64-bit and 32-bit (compatibility mode) code with exceptions
 * caught as signals, the same code on emu's x86-run.h system, and the
 * comparison.
 */
#include "util/osdep.h"
#include "x86-native.h"
#include "x86-run.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#define RFLAGS_COMPARED (RFLAGS_ARITH | RFLAGS_DF)

uint64_t x86_native_rnd64(GRand *r)
{
    static const uint64_t edges[] = {
        0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
        0xffffffff, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull,
    };
    if (g_rand_int_range(r, 0, 3) == 0) {
        return edges[g_rand_int_range(r, 0, G_N_ELEMENTS(edges))];
    }
    return (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
}

void x86_native_regs_random(GRand *r, X86NativeRegs *regs)
{
    memset(regs, 0, sizeof(*regs));
    for (int k = 0; k < 16; k++) {
        regs->r[k] = x86_native_rnd64(r);
    }
    regs->r[R_ESP] = 0;
    regs->flags = RFLAGS_FIXED | (g_rand_int(r) & RFLAGS_ARITH);
    regs->mxcsr = 0x1f80;
    for (int k = 0; k < 16; k++) {
        for (int b = 0; b < 16; b += 8) {
            uint64_t v = x86_native_rnd64(r);
            memcpy(&regs->xmm[k][b], &v, 8);
        }
    }
}

/* ---- host features ---- */

static void host_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    __asm__("cpuid" : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
            : "a"(leaf), "c"(sub));
}

uint64_t x86_native_host_features(void)
{
    static uint64_t feat;
    if (!feat) {
        uint32_t l0[4], l1[4] = { 0 }, l7[4] = { 0 }, ld[4] = { 0 }, e0[4], e1[4] = { 0 };
        host_cpuid(0, 0, l0);
        if (l0[0] >= 1) {
            host_cpuid(1, 0, l1);
        }
        if (l0[0] >= 7) {
            host_cpuid(7, 0, l7);
        }
        if (l0[0] >= 0xd) {
            host_cpuid(0xd, 1, ld);
        }
        host_cpuid(0x80000000, 0, e0);
        if (e0[0] >= 0x80000001) {
            host_cpuid(0x80000001, 0, e1);
        }
        feat = x86_decode_features_from_cpuid(l1[3], l1[2], l7[1], l7[2], ld[0], e1[3],
                                              e1[2]) | X86_FEATURE_BIT(X86_FEAT_COUNT);
    }
    return feat;
}

/* ---- the low region ---- */

uint8_t *x86_native_low(void)
{
    static uint8_t *low;
    static bool tried;
    if (!tried) {
        tried = true;
        void *p = mmap((void *)(uintptr_t)X86_NATIVE_LOW_BASE, X86_NATIVE_LOW_SIZE,
                       PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (p == (void *)(uintptr_t)X86_NATIVE_LOW_BASE) {
            low = p;
        } else if (p != MAP_FAILED) {
            munmap(p, X86_NATIVE_LOW_SIZE);    /* an old kernel ignored the hint */
        }
    }
    return low;
}

/* ---- catching exceptions of the code under test ---- */

static sigjmp_buf fault_jmp;
static volatile bool fault_armed;
static X86NativeFault fault_info;
static X86NativeRegs fault_regs;
static uint64_t fault_code_start;

static void fault_handler(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    static const int map[16] = {
        REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
        REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
    };

    if (!fault_armed) {
        signal(sig, SIG_DFL);     /* not ours: let it kill us the normal way */
        return;
    }
    fault_armed = false;
    for (int k = 0; k < 16; k++) {
        fault_regs.r[k] = g[map[k]];
    }
    fault_regs.flags = g[REG_EFL];
    if (uc->uc_mcontext.fpregs) {
        fault_regs.mxcsr = uc->uc_mcontext.fpregs->mxcsr;
        memcpy(fault_regs.xmm, uc->uc_mcontext.fpregs->_xmm, sizeof(fault_regs.xmm));
    }
    fault_info.vector = (int)g[REG_TRAPNO];
    fault_info.error_code = (uint32_t)g[REG_ERR];
    fault_info.offset = (uint64_t)g[REG_RIP] - fault_code_start;
    siglongjmp(fault_jmp, 1);
}

static const int caught_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };

typedef struct FaultGuard {
    struct sigaction old[G_N_ELEMENTS(caught_signals)];
    stack_t old_stack;
} FaultGuard;

static void fault_guard_on(FaultGuard *fg)
{
    static uint8_t *alt;
    if (!alt) {
        alt = g_malloc(256 * 1024);
    }
    stack_t ss = { .ss_sp = alt, .ss_size = 256 * 1024 };
    sigaltstack(&ss, &fg->old_stack);
    struct sigaction sa = { .sa_sigaction = fault_handler,
                            .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER };
    sigemptyset(&sa.sa_mask);
    for (unsigned i = 0; i < G_N_ELEMENTS(caught_signals); i++) {
        sigaction(caught_signals[i], &sa, &fg->old[i]);
    }
}

static void fault_guard_off(FaultGuard *fg)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(caught_signals); i++) {
        sigaction(caught_signals[i], &fg->old[i], NULL);
    }
    sigaltstack(&fg->old_stack, NULL);
}

/* ---- 64-bit native runs ---- */

/*
 * x86_native_call(regs, code): load the state (except RSP), call code (which
 * ends with RET), store the state back. X86NativeRegs offsets: r 0, flags 128,
 * mxcsr 136, xmm 144.
 */
void x86_native_call(X86NativeRegs *regs, const void *code);
#define XMM_LD(n) "  movdqu " #n "*16+144(%rdi), %xmm" #n "\n"
#define XMM_ST(n) "  movdqu %xmm" #n ", " #n "*16+144(%rdi)\n"
__asm__(
    ".text\n"
    ".globl x86_native_call\n"
    "x86_native_call:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
    "  sub $8, %rsp\n  stmxcsr (%rsp)\n"
    "  push %rdi\n  push %rsi\n"
    "  ldmxcsr 136(%rdi)\n"
    XMM_LD(0) XMM_LD(1) XMM_LD(2) XMM_LD(3) XMM_LD(4) XMM_LD(5) XMM_LD(6) XMM_LD(7)
    XMM_LD(8) XMM_LD(9) XMM_LD(10) XMM_LD(11) XMM_LD(12) XMM_LD(13) XMM_LD(14) XMM_LD(15)
    "  pushq 128(%rdi)\n  popfq\n"
    "  mov 0(%rdi), %rax\n  mov 8(%rdi), %rcx\n  mov 16(%rdi), %rdx\n"
    "  mov 24(%rdi), %rbx\n  mov 40(%rdi), %rbp\n  mov 48(%rdi), %rsi\n"
    "  mov 64(%rdi), %r8\n  mov 72(%rdi), %r9\n  mov 80(%rdi), %r10\n"
    "  mov 88(%rdi), %r11\n  mov 96(%rdi), %r12\n  mov 104(%rdi), %r13\n"
    "  mov 112(%rdi), %r14\n  mov 120(%rdi), %r15\n  mov 56(%rdi), %rdi\n"
    "  call *(%rsp)\n"
    "  push %rdi\n  mov 16(%rsp), %rdi\n"
    "  mov %rax, 0(%rdi)\n  mov %rcx, 8(%rdi)\n  mov %rdx, 16(%rdi)\n"
    "  mov %rbx, 24(%rdi)\n  mov %rbp, 40(%rdi)\n  mov %rsi, 48(%rdi)\n"
    "  mov %r8, 64(%rdi)\n  mov %r9, 72(%rdi)\n  mov %r10, 80(%rdi)\n"
    "  mov %r11, 88(%rdi)\n  mov %r12, 96(%rdi)\n  mov %r13, 104(%rdi)\n"
    "  mov %r14, 112(%rdi)\n  mov %r15, 120(%rdi)\n"
    "  pushfq\n  pop %rax\n  mov %rax, 128(%rdi)\n"
    "  pop %rax\n  mov %rax, 56(%rdi)\n"
    "  stmxcsr 136(%rdi)\n"
    XMM_ST(0) XMM_ST(1) XMM_ST(2) XMM_ST(3) XMM_ST(4) XMM_ST(5) XMM_ST(6) XMM_ST(7)
    XMM_ST(8) XMM_ST(9) XMM_ST(10) XMM_ST(11) XMM_ST(12) XMM_ST(13) XMM_ST(14) XMM_ST(15)
    "  add $16, %rsp\n"
    "  ldmxcsr (%rsp)\n  add $8, %rsp\n"
    "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
    "  cld\n  ret\n");

static uint8_t *native_page(void)
{
    static uint8_t *page;
    if (!page) {
        page = mmap(NULL, 16384, PROT_READ | PROT_WRITE | PROT_EXEC,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        g_assert(page != MAP_FAILED);
    }
    return page;
}

void x86_native_run(X86NativeRegs *regs, const uint8_t *code, size_t len,
                    X86NativeFault *fault)
{
    uint8_t *page = native_page();
    FaultGuard fg;
    uint64_t rsp = regs->r[R_ESP];

    g_assert_cmpuint(len, <, 16383);
    memcpy(page, code, len);
    page[len] = 0xc3;   /* ret */
    fault_code_start = (uintptr_t)page;
    fault->vector = -1;
    fault_guard_on(&fg);
    if (sigsetjmp(fault_jmp, 1) == 0) {
        fault_armed = true;
        x86_native_call(regs, page);
        fault_armed = false;
    } else {
        *fault = fault_info;
        *regs = fault_regs;
        __asm__ volatile("cld");
    }
    fault_guard_off(&fg);
    regs->r[R_ESP] = rsp;
}

/* ---- 32-bit native runs (compatibility mode) ---- */

/* Layout in the low region. */
#define LOW_TRAMP   (X86_NATIVE_LOW_BASE + 0x0)
#define LOW_BLK     (X86_NATIVE_LOW_BASE + 0x100)   /* eax..edi, eflags, esp save, far ptr, rsp */
#define LOW_WRAP    (X86_NATIVE_LOW_BASE + 0x1000)  /* 32-bit wrapper and the code */
#define LOW_STACK64 (X86_NATIVE_LOW_BASE + 0x10000) /* the trampoline's stack top */
#define BLK_EFLAGS  32
#define BLK_ESP32   36
#define BLK_FAR     40
#define BLK_RSP64   48
#define USER32_CS   0x23                            /* Linux's __USER32_CS */

typedef struct Emit {
    uint8_t *p;
} Emit;

static void emit(Emit *e, const uint8_t *b, size_t n)
{
    memcpy(e->p, b, n);
    e->p += n;
}

static void emit_abs(Emit *e, const uint8_t *op, size_t n, uint32_t addr)
{
    emit(e, op, n);
    memcpy(e->p, &addr, 4);
    e->p += 4;
}

#define EMIT(e, ...) emit(e, (const uint8_t[]){ __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }))
#define EMIT_ABS(e, addr, ...) \
    emit_abs(e, (const uint8_t[]){ __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), addr)

/* The 64-bit trampoline: save state, far call to LOW_WRAP in USER32_CS, restore. */
static void build_tramp(void)
{
    Emit e = { (uint8_t *)(uintptr_t)LOW_TRAMP };
    EMIT(&e, 0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57);
    EMIT_ABS(&e, LOW_BLK + BLK_RSP64, 0x48, 0x89, 0x24, 0x25);      /* mov [abs], rsp */
    EMIT_ABS(&e, LOW_STACK64, 0x48, 0xc7, 0xc4);                    /* mov rsp, imm32 */
    EMIT_ABS(&e, LOW_BLK + BLK_FAR, 0xff, 0x1c, 0x25);              /* lcall m16:32 */
    EMIT_ABS(&e, LOW_BLK + BLK_RSP64, 0x48, 0x8b, 0x24, 0x25);      /* mov rsp, [abs] */
    EMIT(&e, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xc0);                   /* ds = es = 0 */
    EMIT(&e, 0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b, 0xfc, 0xc3);
    uint32_t off = LOW_WRAP;
    uint16_t sel = USER32_CS;
    memcpy((uint8_t *)(uintptr_t)(LOW_BLK + BLK_FAR), &off, 4);
    memcpy((uint8_t *)(uintptr_t)(LOW_BLK + BLK_FAR + 4), &sel, 2);
}

/* The 32-bit wrapper around @code; returns the address the code starts at. */
static uint32_t build_wrap(const uint8_t *code, size_t len)
{
    static const uint8_t ld_op[8] = { 0, 0x0d, 0x15, 0x1d, 0, 0x2d, 0x35, 0x3d };
    Emit e = { (uint8_t *)(uintptr_t)LOW_WRAP };
    uint32_t start;

    EMIT(&e, 0x16, 0x1f, 0x16, 0x07);                               /* ds = es = ss */
    /* EFLAGS through the trampoline's stack: nothing below the guest's ESP is touched. */
    EMIT_ABS(&e, LOW_BLK + BLK_EFLAGS, 0xff, 0x35);                 /* push [eflags] */
    EMIT(&e, 0x9d);                                                 /* popfd */
    EMIT_ABS(&e, LOW_BLK + BLK_ESP32, 0x89, 0x25);                  /* mov [abs], esp */
    EMIT_ABS(&e, LOW_BLK + 16, 0x8b, 0x25);                         /* mov esp, [esp] */
    EMIT_ABS(&e, LOW_BLK, 0xa1);                                    /* mov eax, [abs] */
    for (int r = 1; r < 8; r++) {
        if (r != R_ESP) {
            EMIT_ABS(&e, LOW_BLK + 4 * r, 0x8b, ld_op[r]);          /* mov r32, [abs] */
        }
    }
    start = (uint32_t)(uintptr_t)e.p;
    emit(&e, code, len);
    EMIT_ABS(&e, LOW_BLK, 0xa3);                                    /* mov [abs], eax */
    for (int r = 1; r < 8; r++) {
        EMIT_ABS(&e, LOW_BLK + 4 * r, 0x89, r == R_ESP ? 0x25 : ld_op[r]);
    }
    EMIT_ABS(&e, LOW_BLK + BLK_ESP32, 0x8b, 0x25);                  /* mov esp, [abs] */
    EMIT(&e, 0x9c);                                                 /* pushfd */
    EMIT_ABS(&e, LOW_BLK + BLK_EFLAGS, 0x8f, 0x05);                 /* pop [eflags] */
    EMIT(&e, 0xcb);                                                 /* retf */
    g_assert_cmpuint((uintptr_t)e.p, <, LOW_WRAP + 0x8000);
    return start;
}

static bool run32_raw(X86NativeRegs *regs, const uint8_t *code, size_t len,
                      X86NativeFault *fault)
{
    uint32_t *blk = (uint32_t *)(uintptr_t)LOW_BLK;
    FaultGuard fg;
    volatile bool ran = true;

    fault_code_start = build_wrap(code, len);
    for (int r = 0; r < 8; r++) {
        blk[r] = (uint32_t)regs->r[r];
    }
    blk[BLK_EFLAGS / 4] = (uint32_t)regs->flags;
    fault->vector = -1;
    fault_guard_on(&fg);
    if (sigsetjmp(fault_jmp, 1) == 0) {
        fault_armed = true;
        ((void (*)(void))(uintptr_t)LOW_TRAMP)();
        fault_armed = false;
        for (int r = 0; r < 8; r++) {
            regs->r[r] = blk[r];
        }
        regs->flags = blk[BLK_EFLAGS / 4];
    } else {
        *fault = fault_info;
        for (int r = 0; r < 8; r++) {
            regs->r[r] = (uint32_t)fault_regs.r[r];
        }
        regs->flags = (uint32_t)fault_regs.flags;
        __asm__ volatile("cld");
        /* A fault in the wrapper itself means no usable 32-bit code segment. */
        ran = fault_info.offset < len + 16;
    }
    fault_guard_off(&fg);
    return ran;
}

bool x86_native_run32(X86NativeRegs *regs, const uint8_t *code, size_t len,
                      X86NativeFault *fault)
{
    static int usable = -1;

    if (usable < 0) {
        usable = 0;
        if (x86_native_low()) {
            /* mov eax, 0x12345678: does a far call into 32-bit code work here? */
            static const uint8_t probe[] = { 0xb8, 0x78, 0x56, 0x34, 0x12 };
            X86NativeRegs r = { .flags = RFLAGS_FIXED };
            X86NativeFault f;
            r.r[R_ESP] = X86_NATIVE_STACK - 64;
            build_tramp();
            usable = run32_raw(&r, probe, sizeof(probe), &f) && f.vector < 0 &&
                     r.r[R_EAX] == 0x12345678;
        }
    }
    if (!usable) {
        return false;
    }
    return run32_raw(regs, code, len, fault);
}

/* ---- the same code on emu ---- */

static bool emu_bits32;
static SegmentCache emu_segs[NB_SEGS];
static GByteArray *emu_code;

void x86_native_emu_begin(TCGBackendKind backend, bool bits32)
{
    CPUX86State *env;

    x86run_init(backend);
    x86run_setup(X86RUN_LONG);
    env = x86run_env();
    if (bits32) {
        /* Compatibility mode: the ring-0 flat 32-bit code segment (L = 0, D = 1). */
        env->segs[R_CS] = (SegmentCache){
            .selector = X86RUN_SEL_CS32, .base = 0, .limit = 0xffffffff,
            .flags = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK |
                     DESC_A_MASK | DESC_B_MASK | DESC_G_MASK,
        };
    }
    memcpy(emu_segs, env->segs, sizeof(emu_segs));
    emu_bits32 = bits32;
    if (emu_code) {
        g_byte_array_set_size(emu_code, 0);
    } else {
        emu_code = g_byte_array_new();
    }
}

void x86_native_emu_run(X86NativeRegs *regs, const uint8_t *code, size_t len,
                        X86NativeFault *fault)
{
    CPUX86State *env = x86run_env();
    uint64_t rsp = regs->r[R_ESP];

    /* Rewrite the code only when it changed: its translations stay valid. */
    if (emu_code->len != len + 1 || memcmp(emu_code->data, code, len)) {
        g_byte_array_set_size(emu_code, 0);
        g_byte_array_append(emu_code, code, len);
        g_byte_array_append(emu_code, (const uint8_t[]){ 0xf4 }, 1);   /* hlt */
        x86run_write(X86RUN_CODE, emu_code->data, emu_code->len);
    }
    memcpy(env->segs, emu_segs, sizeof(emu_segs));
    memcpy(env->regs, regs->r, sizeof(env->regs));
    if (emu_bits32) {
        for (int r = 0; r < 8; r++) {
            env->regs[r] = (uint32_t)env->regs[r];
        }
    } else {
        env->regs[R_ESP] = X86RUN_KSTACK;
    }
    x86_cpu_set_rflags(env, regs->flags);
    memcpy(env->xsave_area + X86_XSAVE_XMM_OFFSET, regs->xmm, sizeof(regs->xmm));
    memcpy(env->xsave_area + 24, &regs->mxcsr, 4);
    x86_update_hflags(env);

    X86RunResult r = x86run_exec(X86RUN_CODE, 1000);
    fault->vector = -1;
    fault->error_code = 0;
    fault->offset = 0;
    memcpy(regs->r, env->regs, sizeof(regs->r));
    memcpy(regs->xmm, env->xsave_area + X86_XSAVE_XMM_OFFSET, sizeof(regs->xmm));
    memcpy(&regs->mxcsr, env->xsave_area + 24, 4);
    if (r.stop == X86RUN_HALT && env->rip == X86RUN_CODE + len + 1) {
        regs->flags = x86_cpu_get_rflags(env);
    } else if (r.stop == X86RUN_EXCEPTION) {
        fault->vector = r.vector;
        fault->error_code = r.has_error_code ? r.error_code : 0;
        fault->offset = r.frame_rip - X86RUN_CODE;
        regs->flags = r.frame_rflags;
        regs->r[R_ESP] = r.frame_rsp;
    } else {
        g_autofree char *d = x86run_describe(&r);
        g_test_message("emu did not finish the code: %s", d);
        g_test_fail();
        fault->vector = -2;
    }
    if (emu_bits32) {
        for (int k = 0; k < 8; k++) {
            regs->r[k] = (uint32_t)regs->r[k];
        }
        regs->flags = (uint32_t)regs->flags;
    } else {
        regs->r[R_ESP] = rsp;
    }
}

/* ---- comparing ---- */

bool x86_native_compare(const char *what, const X86NativeRegs *want,
                        const X86NativeRegs *got, uint32_t ignore_regs,
                        uint64_t undef_flags, bool xmm)
{
    bool ok = true;
    uint64_t fmask = RFLAGS_COMPARED & ~undef_flags;

    for (int k = 0; k < 16; k++) {
        if (!(ignore_regs >> k & 1) && want->r[k] != got->r[k]) {
            if (ok) {
                g_test_message("%s: differs", what);
            }
            ok = false;
            g_test_message("  r%d: silicon 0x%" PRIx64 " emu 0x%" PRIx64, k, want->r[k],
                           got->r[k]);
        }
    }
    if ((want->flags ^ got->flags) & fmask) {
        if (ok) {
            g_test_message("%s: differs", what);
        }
        ok = false;
        g_test_message("  rflags: silicon 0x%" PRIx64 " emu 0x%" PRIx64 " (compared 0x%"
                       PRIx64 ")", want->flags & fmask, got->flags & fmask, fmask);
    }
    if (xmm) {
        for (int k = 0; k < 16; k++) {
            if (memcmp(want->xmm[k], got->xmm[k], 16)) {
                uint64_t w[2], g[2];
                memcpy(w, want->xmm[k], 16);
                memcpy(g, got->xmm[k], 16);
                if (ok) {
                    g_test_message("%s: differs", what);
                }
                ok = false;
                g_test_message("  xmm%d: silicon %016" PRIx64 "%016" PRIx64 " emu %016"
                               PRIx64 "%016" PRIx64, k, w[1], w[0], g[1], g[0]);
            }
        }
        if (want->mxcsr != got->mxcsr) {
            if (ok) {
                g_test_message("%s: differs", what);
            }
            ok = false;
            g_test_message("  mxcsr: silicon 0x%x emu 0x%x", want->mxcsr, got->mxcsr);
        }
    }
    return ok;
}

bool x86_native_compare_fault(const char *what, const X86NativeFault *want,
                              const X86NativeFault *got)
{
    if (want->vector == got->vector &&
        (want->vector < 0 || (want->error_code == got->error_code &&
                              want->offset == got->offset))) {
        return true;
    }
    g_test_message("%s: silicon vector %d err 0x%x at +%" PRIu64 ", emu vector %d err 0x%x"
                   " at +%" PRIu64, what, want->vector, want->error_code, want->offset,
                   got->vector, got->error_code, got->offset);
    return false;
}
