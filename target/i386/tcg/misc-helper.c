/*
 * Helpers for x86 generated code: exceptions, division, CPUID, RDTSC, HLT,
 * POPF (SDM vol. 2 instruction pages).
 */
#include "util/osdep.h"
#include "util/timer.h"
#include "target/i386/tcg/tcg-internal.h"
#include "target/i386/tcg/helper.h"

X86CPU *x86_env_get_cpu(CPUX86State *env)
{
    return container_of(env, X86CPU, env);
}

void x86_raise_exception_err(CPUX86State *env, int vector, int error_code,
                             uintptr_t retaddr)
{
    CPUState *cs = CPU(x86_env_get_cpu(env));
    env->error_code = error_code;
    env->exception_is_int = false;
    cpu_set_exception_index(cs, vector);
    cpu_loop_exit_restore(cs, retaddr);
}

void x86_raise_exception(CPUX86State *env, int vector, uintptr_t retaddr)
{
    x86_raise_exception_err(env, vector, 0, retaddr);
}

void helper_raise_exception(CPUX86State *env, uint32_t vector)
{
    x86_raise_exception_err(env, vector, 0, 0);
}

void helper_raise_exception_err(CPUX86State *env, uint32_t vector, uint32_t err)
{
    x86_raise_exception_err(env, vector, err, 0);
}

/* INT n / INT3 / INTO: delivered with the return RIP after the instruction. */
void helper_raise_interrupt(CPUX86State *env, uint32_t vector, uint64_t next_rip)
{
    CPUState *cs = CPU(x86_env_get_cpu(env));
    env->error_code = 0;
    env->exception_is_int = true;
    env->exception_next_rip = next_rip;
    cpu_set_exception_index(cs, vector);
    cpu_loop_exit(cs);
}

/*
 * Single-step (SDM vol. 3 §17.3.1.4, §17.2.3): a trap-class #DB with DR6.BS
 * set; the other DR6 bits stay (the processor never clears them). The
 * translator emits this at the end of a TB that began with TF set.
 */
#define DR6_BS (1u << 14)

void helper_single_step(CPUX86State *env)
{
    env->dr[6] |= DR6_BS;
    x86_raise_exception(env, EXCP01_DB, 0);
}

/* SYSCALL and SYSRET test TF after they complete (SYSRET restoring TF = 1 traps
 * at once, before the next user instruction; a SYSCALL whose FMASK clears TF
 * does not trap in the kernel). */
void helper_recheck_single_step(CPUX86State *env)
{
    if (env->rflags & RFLAGS_TF) {
        helper_single_step(env);
    }
}

void helper_hlt(CPUX86State *env, uint64_t next_rip)
{
    CPUState *cs = CPU(x86_env_get_cpu(env));
    env->rip = next_rip;
    env->events.interrupt_shadow = 0;
    cpu_set_exception_index(cs, EXCP_HLT);
    cpu_loop_exit(cs);
}

void helper_pause(CPUX86State *env)
{
    tcg_engine_cpu_relax(CPU(x86_env_get_cpu(env)));
}

/*
 * DIV/IDIV (SDM vol. 2): #DE for a zero divisor or a quotient that does not
 * fit the destination. ks = signed << 2 | size.
 */
void helper_div(CPUX86State *env, uint64_t divisor, uint32_t ks)
{
    uintptr_t ra = GETPC();
    unsigned size = ks & 3;
    bool sign = ks >> 2;
    unsigned bits = 8u << size;
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    uint64_t rax = env->regs[R_EAX], rdx = env->regs[R_EDX];
    unsigned __int128 n;
    uint64_t q, r;

    divisor &= mask;
    if (divisor == 0) {
        x86_raise_exception(env, EXCP00_DIVZ, ra);
    }
    if (size == 0) {
        n = rax & 0xffff;
    } else {
        n = ((unsigned __int128)(rdx & mask) << bits) | (rax & mask);
    }
    if (!sign) {
        unsigned __int128 qq = n / divisor;
        if (qq > mask) {
            x86_raise_exception(env, EXCP00_DIVZ, ra);
        }
        q = (uint64_t)qq;
        r = (uint64_t)(n % divisor);
    } else {
        /* Sign-extend the 2*bits dividend and the divisor. */
        unsigned sh = 128 - 2 * bits;
        __int128 sn = (__int128)(n << sh) >> sh;
        int64_t sd = (int64_t)(divisor << (64 - bits)) >> (64 - bits);
        __int128 qq, rr;
        if (sd == -1) {
            qq = -sn;              /* no overflow in 128 bits */
            rr = 0;
        } else {
            qq = sn / sd;
            rr = sn % sd;
        }
        __int128 lim = (__int128)1 << (bits - 1);
        if (qq >= lim || qq < -lim) {
            x86_raise_exception(env, EXCP00_DIVZ, ra);
        }
        q = (uint64_t)qq & mask;
        r = (uint64_t)rr & mask;
    }
    switch (size) {
    case 0:
        env->regs[R_EAX] = (rax & ~0xffffull) | (r << 8) | q;
        break;
    case 1:
        env->regs[R_EAX] = (rax & ~0xffffull) | q;
        env->regs[R_EDX] = (rdx & ~0xffffull) | r;
        break;
    default:
        env->regs[R_EAX] = q;       /* 32-bit results zero-extend */
        env->regs[R_EDX] = r;
        break;
    }
}

void helper_cpuid(CPUX86State *env)
{
    X86CPU *cpu = x86_env_get_cpu(env);
    uint32_t leaf = env->regs[R_EAX], sub = env->regs[R_ECX];
    const X86CPUIDEntry *e = x86_cpu_get_cpuid(cpu, leaf, sub);
    uint32_t a = 0, b = 0, c = 0, d = 0;

    if (!e && leaf < 0x80000000 && leaf > cpu->cpuid_level) {
        /* SDM CPUID: a basic leaf above the maximum returns the highest basic leaf. */
        e = x86_cpu_get_cpuid(cpu, cpu->cpuid_level, sub);
    }
    if (e) {
        a = e->eax, b = e->ebx, c = e->ecx, d = e->edx;
    }
    if (leaf == 1) {
        /* OSXSAVE mirrors CR4.OSXSAVE. */
        c &= ~CPUID_1_ECX_OSXSAVE;
        if (env->cr[4] & CR4_OSXSAVE_MASK) {
            c |= CPUID_1_ECX_OSXSAVE;
        }
    }
    env->regs[R_EAX] = a;
    env->regs[R_EBX] = b;
    env->regs[R_ECX] = c;
    env->regs[R_EDX] = d;
}

uint64_t x86_tsc_now(CPUX86State *env)
{
    uint64_t khz = env->tsc_khz ? env->tsc_khz : 1000000;   /* 1 GHz if unset */
    uint64_t ns = clock_get_ns(EMU_CLOCK_VIRTUAL);
    return (uint64_t)((unsigned __int128)ns * khz / 1000000) + env->tsc_adjust;
}

void helper_rdtsc(CPUX86State *env)
{
    /* CR4.TSD restricts RDTSC to CPL 0 (SDM RDTSC). */
    if ((env->cr[4] & CR4_TSD_MASK) && (env->hflags & HF_CPL_MASK)) {
        x86_raise_exception(env, EXCP0D_GPF, 0);
    }
    uint64_t tsc = x86_tsc_now(env);
    env->regs[R_EAX] = (uint32_t)tsc;
    env->regs[R_EDX] = tsc >> 32;
}

/*
 * POPF (SDM vol. 2 POPF, "Operation"): which bits a pop may change depends on
 * CPL and IOPL; VM, VIP, VIF and RF are never loaded from the image outside
 * virtual-8086 mode (RF is cleared).
 */
void helper_write_rflags(CPUX86State *env, uint64_t val, uint32_t size)
{
    unsigned cpl = env->hflags & HF_CPL_MASK;
    unsigned iopl = (env->rflags >> RFLAGS_IOPL_SHIFT) & 3;
    uint64_t mask = RFLAGS_ARITH | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT;

    if (size > 2) {
        mask |= RFLAGS_AC | RFLAGS_ID;
    }
    if (cpl <= iopl || !(env->hflags & HF_PE_MASK)) {
        mask |= RFLAGS_IF;
    }
    if (cpl == 0 || !(env->hflags & HF_PE_MASK)) {
        mask |= 3u << RFLAGS_IOPL_SHIFT;
    }
    if (size == 2) {
        mask &= 0xffff;
    }
    env->rflags = ((env->rflags & ~mask) | (val & mask) | RFLAGS_FIXED) & ~(uint64_t)RFLAGS_RF;
}
