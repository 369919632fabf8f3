/*
 * Differential x86 tests with this host's CPU as the oracle: run a code
 * sequence natively, then the same bytes through emu, and compare the
 * general registers, the defined flags, XMM0-15, MXCSR and the exception.
 *
 *   X86NativeRegs in, want, got;
 *   x86_native_regs_random(rand, &in);
 *   want = got = in;
 *   x86_native_run(&want, code, len, &wf);                  (silicon, 64-bit)
 *   x86_native_emu_begin(TCG_BACKEND_TCI, false);           (x86-run.h system)
 *   x86_native_emu_run(&got, code, len, &gf);
 *   x86_native_compare("case", &want, &got, 1 << R_ESP, undef_flags, false);
 *
 * Memory: a 1 MiB region is mapped at the same address natively and in the
 * guest (X86_NATIVE_LOW_BASE, inside x86-run's RAM and below 4 GiB), so code
 * may address data there with absolute addresses in registers; keeping the
 * guest copy in step is the test's job (x86run_write / x86run_read).
 *
 * 32-bit code: x86_native_run32 runs it natively in compatibility mode (a far
 * call to the 32-bit user code segment Linux provides), x86_native_emu_run with
 * @bits32 in compatibility mode too (long mode, 32-bit CS), so exceptions are
 * delivered through the 64-bit IDT on both sides. Its stack must lie in the
 * low region.
 */
#ifndef TESTS_UNIT_X86_NATIVE_H
#define TESTS_UNIT_X86_NATIVE_H

#include "util/osdep.h"
#include "tcg/tcg.h"
#include "target/i386/decode.h"

/* The region mapped at one address natively and in the guest. */
#define X86_NATIVE_LOW_BASE  0xc00000u
#define X86_NATIVE_LOW_SIZE  0x100000u
/* Free for tests: [DATA, DATA + 0x80000) (the harness uses the first 64 KiB). */
#define X86_NATIVE_DATA      (X86_NATIVE_LOW_BASE + 0x40000u)
#define X86_NATIVE_DATA_SIZE 0x80000u
/* A 32-bit stack: [STACK - 0x40000, STACK) is inside the region. */
#define X86_NATIVE_STACK     (X86_NATIVE_LOW_BASE + 0x100000u)

typedef struct X86NativeRegs {
    uint64_t r[16];          /* R_EAX..R_R15; RSP: see the run functions */
    uint64_t flags;          /* RFLAGS in and out */
    uint32_t mxcsr;          /* 0x1f80 = all masked, round to nearest */
    uint32_t pad;
    uint8_t xmm[16][16];
} X86NativeRegs;

typedef struct X86NativeFault {
    int vector;              /* -1: the code ran to its end; else the exception */
    uint32_t error_code;
    uint64_t offset;         /* RIP at the exception, minus the code's start */
} X86NativeFault;

/* A random 64-bit value: an edge value (0, 1, 7f, 80, ff, 7fff...) one time in three. */
uint64_t x86_native_rnd64(GRand *r);
/*
 * Random GPRs (RSP = 0), random arithmetic flags with the fixed bit, random
 * XMM registers, MXCSR 0x1f80.
 */
void x86_native_regs_random(GRand *r, X86NativeRegs *regs);

/* This host's features as the decoder's X86_FEATURE_BIT() set (CPUID). */
uint64_t x86_native_host_features(void);
static inline bool x86_native_host_has(X86Feature f)
{
    return x86_native_host_features() & X86_FEATURE_BIT(f);
}

/* The low region, mapped on first use; NULL when its address is taken. */
uint8_t *x86_native_low(void);

/*
 * Run @code (@len bytes, 64-bit) on this CPU: GPRs except RSP, RFLAGS,
 * XMM0-15 and MXCSR are loaded from @regs and stored back; RSP is the host's
 * (balanced code only) and regs->r[R_ESP] is left alone. An exception stops
 * the run (a signal is caught): @fault says which, @regs then holds the state
 * at the fault. The code must not jump outside itself.
 */
void x86_native_run(X86NativeRegs *regs, const uint8_t *code, size_t len,
                    X86NativeFault *fault);

/*
 * The same for 32-bit code in compatibility mode: EAX..EDI (ESP included:
 * it must point into the low region), EFLAGS. DS = ES = SS = the flat user
 * data segment. Returns false (and runs nothing) where the host cannot run
 * 32-bit code: no low region, or no compatibility-mode code segment.
 */
bool x86_native_run32(X86NativeRegs *regs, const uint8_t *code, size_t len,
                      X86NativeFault *fault);

/*
 * emu's side, on the x86-run.h system: start the engine on @backend and set
 * up long mode (ring 0), with a 32-bit code segment (compatibility mode)
 * when @bits32. Call again to change either, and after an x86run_setup() of
 * your own.
 */
void x86_native_emu_begin(TCGBackendKind backend, bool bits32);
/*
 * Run @code at X86RUN_CODE (followed by HLT) with the state from @regs, as
 * x86_native_run / x86_native_run32 do (64-bit: RSP stays x86-run's stack and
 * regs->r[R_ESP] is left alone; 32-bit: ESP from @regs). @fault as above.
 */
void x86_native_emu_run(X86NativeRegs *regs, const uint8_t *code, size_t len,
                        X86NativeFault *fault);

/*
 * Compare two results: GPRs not in the @ignore_regs bit mask, the arithmetic
 * flags outside @undef_flags, XMM/MXCSR when @xmm. Differences are printed
 * with g_test_message (naming @what); returns true when equal.
 */
bool x86_native_compare(const char *what, const X86NativeRegs *want,
                        const X86NativeRegs *got, uint32_t ignore_regs,
                        uint64_t undef_flags, bool xmm);
/* Both ran to the end, or both stopped at the same vector, error code and offset. */
bool x86_native_compare_fault(const char *what, const X86NativeFault *want,
                              const X86NativeFault *got);

#endif
