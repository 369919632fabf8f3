/*
 * Fast system calls for x86 generated code (translate-seg.c): SYSCALL/SYSRET
 * (SDM vol. 2, AMD APM vol. 3) and SYSENTER/SYSEXIT (SDM vol. 2). They load
 * fixed flat segments rather than reading descriptors (SDM vol. 3 §5.8.7-8).
 *
 * Vendor rules: Intel allows SYSCALL/SYSRET only in 64-bit mode and
 * SYSENTER/SYSEXIT everywhere in protected mode; AMD allows SYSCALL/SYSRET
 * in legacy and compatibility mode (the 32-bit vDSO of Linux uses them) and
 * refuses SYSENTER/SYSEXIT in long mode. emu follows the vendor string the
 * vCPU reports.
 */
#include "util/osdep.h"
#include "target/i386/tcg/tcg-internal.h"
#include "target/i386/tcg/seg-internal.h"
#include "target/i386/tcg/helper.h"

static bool vendor_amd(CPUX86State *env)
{
    const X86CPUIDEntry *e = x86_cpu_get_cpuid(x86_env_get_cpu(env), 0, 0);
    /* "Auth"enticAMD, "Hygo"nGenuine: CPUID.0:EBX. */
    return e && (e->ebx == 0x68747541 || e->ebx == 0x6f677948);
}

void helper_syscall(CPUX86State *env, uint64_t next_eip)
{
    uintptr_t ra = GETPC();
    uint32_t sel = (env->star >> 32) & 0xffff;
    uint64_t rfl = x86_cpu_get_rflags(env);

    if (!(env->efer & EFER_SCE) || (!(env->hflags & HF_CS64_MASK) && !vendor_amd(env))) {
        x86_raise_exception(env, EXCP06_ILLOP, ra);
    }
    if (env->hflags & HF_LMA_MASK) {
        /* RCX = return RIP, R11 = RFLAGS, RFLAGS &= ~FMASK; LSTAR or CSTAR. */
        env->regs[R_ECX] = next_eip;
        env->regs[R_R11] = rfl & ~(uint64_t)RFLAGS_RF;
        x86_cpu_set_rflags(env, rfl & ~env->fmask & ~(uint64_t)RFLAGS_RF);
        env->rip = (env->hflags & HF_CS64_MASK) ? env->lstar : env->cstar;
        x86_seg_flat(&env->segs[R_CS], sel & 0xfffc, true, true, 0);
    } else {
        /* Legacy mode (AMD): ECX = return EIP, EIP = STAR[31:0]. */
        env->regs[R_ECX] = (uint32_t)next_eip;
        x86_cpu_set_rflags(env, rfl & ~(uint64_t)(RFLAGS_VM | RFLAGS_IF | RFLAGS_RF));
        env->rip = (uint32_t)env->star;
        x86_seg_flat(&env->segs[R_CS], sel & 0xfffc, true, false, 0);
    }
    x86_seg_flat(&env->segs[R_SS], (sel + 8) & 0xffff, false, false, 0);
    x86_update_hflags(env);
}

void helper_sysret(CPUX86State *env, uint32_t opsize)
{
    uintptr_t ra = GETPC();
    uint32_t sel = (env->star >> 48) & 0xffff;

    if (!(env->efer & EFER_SCE) || (!(env->hflags & HF_CS64_MASK) && !vendor_amd(env))) {
        x86_raise_exception(env, EXCP06_ILLOP, ra);
    }
    if (!(env->hflags & HF_PE_MASK) || (env->hflags & HF_CPL_MASK) != 0) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
    if (env->hflags & HF_LMA_MASK) {
        uint64_t rip = env->regs[R_ECX];
        if (opsize == 8) {
            /* Intel checks RCX at CPL 0; AMD faults on the fetch at CPL 3. */
            if (!x86_is_canonical(rip) && !vendor_amd(env)) {
                x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
            }
            x86_seg_flat(&env->segs[R_CS], ((sel + 16) & 0xffff) | 3, true, true, 3);
        } else {
            rip = (uint32_t)rip;
            x86_seg_flat(&env->segs[R_CS], sel | 3, true, false, 3);
        }
        /* RFLAGS = R11 with RF and VM cleared and bit 1 set (SDM SYSRET). */
        x86_cpu_set_rflags(env, env->regs[R_R11] & 0x3c7fd7u);
        env->rip = rip;
    } else {
        x86_seg_flat(&env->segs[R_CS], sel | 3, true, false, 3);
        x86_cpu_set_rflags(env, x86_cpu_get_rflags(env) | RFLAGS_IF);
        env->rip = (uint32_t)env->regs[R_ECX];
    }
    x86_seg_flat(&env->segs[R_SS], ((sel + 8) & 0xffff) | 3, false, false, 3);
    x86_update_hflags(env);
}

void helper_sysenter(CPUX86State *env)
{
    uintptr_t ra = GETPC();
    uint32_t cs = env->sysenter_cs & 0xfffc;
    bool lma = env->hflags & HF_LMA_MASK;

    if (lma && vendor_amd(env)) {
        x86_raise_exception(env, EXCP06_ILLOP, ra);
    }
    if (!(env->hflags & HF_PE_MASK) || cs == 0) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
    x86_cpu_set_rflags(env, x86_cpu_get_rflags(env) &
                       ~(uint64_t)(RFLAGS_VM | RFLAGS_IF | RFLAGS_RF));
    x86_seg_flat(&env->segs[R_CS], cs, true, lma, 0);
    x86_seg_flat(&env->segs[R_SS], (cs + 8) & 0xffff, false, false, 0);
    env->regs[R_ESP] = lma ? env->sysenter_esp : (uint32_t)env->sysenter_esp;
    env->rip = lma ? env->sysenter_eip : (uint32_t)env->sysenter_eip;
    x86_update_hflags(env);
}

void helper_sysexit(CPUX86State *env, uint32_t opsize)
{
    uintptr_t ra = GETPC();
    uint32_t cs = env->sysenter_cs & 0xffff;

    if ((env->hflags & HF_LMA_MASK) && vendor_amd(env)) {
        x86_raise_exception(env, EXCP06_ILLOP, ra);
    }
    if (!(env->hflags & HF_PE_MASK) || (cs & 0xfffc) == 0 ||
        (env->hflags & HF_CPL_MASK) != 0) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
    if (opsize == 8) {
        if (!x86_is_canonical(env->regs[R_ECX]) || !x86_is_canonical(env->regs[R_EDX])) {
            x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
        }
        x86_seg_flat(&env->segs[R_CS], ((cs + 32) & 0xffff) | 3, true, true, 3);
        x86_seg_flat(&env->segs[R_SS], ((cs + 40) & 0xffff) | 3, false, false, 3);
        env->regs[R_ESP] = env->regs[R_ECX];
        env->rip = env->regs[R_EDX];
    } else {
        x86_seg_flat(&env->segs[R_CS], ((cs + 16) & 0xffff) | 3, true, false, 3);
        x86_seg_flat(&env->segs[R_SS], ((cs + 24) & 0xffff) | 3, false, false, 3);
        env->regs[R_ESP] = (uint32_t)env->regs[R_ECX];
        env->rip = (uint32_t)env->regs[R_EDX];
    }
    x86_update_hflags(env);
}
