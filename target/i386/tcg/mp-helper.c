/*
 * INIT and start-up IPIs under TCG (SDM vol. 3 §9.4 "Multiple-Processor (MP)
 * Initialization", §10.6.1 "INIT" and "Start-Up" delivery modes, Table 9-1 for
 * what INIT leaves alone). emu's LAPIC requests them with CPU_INTERRUPT_INIT
 * and CPU_INTERRUPT_SIPI (the vector in env->events.sipi_vector; see
 * hw/i386/x86-apic-wiring.c); the CPU takes them here, on its own thread at an
 * instruction boundary, from x86_cpu_exec_interrupt.
 *
 * Wait-for-SIPI is cs->halted with mp_state X86_MP_INIT_RECEIVED: the vCPU
 * thread sleeps (RFLAGS.IF = 0 after INIT, NMIs are dropped by the LAPIC
 * wiring), and only INIT or SIPI requests count as work for it.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "target/i386/tcg/tcg-internal.h"

/*
 * INIT: the reset state (real mode at the reset vector) except for what INIT
 * leaves unchanged (SDM Table 9-1: x87/SSE state, the TSC, MTRRs, machine
 * check and the other MSRs; the LAPIC keeps its base). The BSP then runs from
 * the reset vector; an AP waits for SIPI.
 */
static void x86_cpu_init_reset(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    CPUX86State saved;
    g_autofree uint8_t *xsave = g_memdup2(env->xsave, env->xsave_size);

    memcpy(&saved, env, offsetof(CPUX86State, xsave));
    const X86BootEntry *boot = cpu->boot_entry;
    cpu->boot_entry = NULL;             /* INIT is not a boot: no loader entry */
    x86_cpu_reset_state(cpu);
    cpu->boot_entry = boot;

    memcpy(env->xsave, xsave, env->xsave_size);
    env->xcr0 = saved.xcr0;
    env->tsc = saved.tsc;
    env->tsc_adjust = saved.tsc_adjust;
    env->apic_base = saved.apic_base;
    env->sysenter_cs = saved.sysenter_cs;
    env->sysenter_esp = saved.sysenter_esp;
    env->sysenter_eip = saved.sysenter_eip;
    env->star = saved.star;
    env->lstar = saved.lstar;
    env->cstar = saved.cstar;
    env->fmask = saved.fmask;
    env->kernelgsbase = saved.kernelgsbase;
    env->pat = saved.pat;
    env->misc_enable = saved.misc_enable;
    env->tsc_aux = saved.tsc_aux;
    env->spec_ctrl = saved.spec_ctrl;
    env->mcg_status = saved.mcg_status;

    __atomic_store_n(&env->mp_state, x86_cpu_is_bsp(cpu) ? X86_MP_RUNNABLE
                                                         : X86_MP_INIT_RECEIVED,
                     __ATOMIC_RELEASE);
    x86_update_hflags(env);
    /* Paging is off now: no translation of the old address space may survive. */
    tlb_flush(CPU(cpu));
}

/* Start-up (SDM §9.4.4.1, §10.6.1): real mode at 000VV000H, CS = VV00H, IP = 0. */
static void x86_cpu_start_up(X86CPU *cpu, uint8_t vector)
{
    CPUX86State *env = &cpu->env;

    env->segs[R_CS].selector = (uint32_t)vector << 8;
    env->segs[R_CS].base = (uint32_t)vector << 12;
    env->segs[R_CS].limit = 0xffff;
    env->rip = 0;
    __atomic_store_n(&env->mp_state, X86_MP_RUNNABLE, __ATOMIC_RELEASE);
    x86_update_hflags(env);
}

bool x86_cpu_handle_init_sipi(CPUState *cs, int interrupt_request)
{
    X86CPU *cpu = X86_CPU(cs);
    CPUX86State *env = &cpu->env;

    if (interrupt_request & CPU_INTERRUPT_INIT) {
        /* INIT discards pending NMIs and SMIs, and the delivery in flight. */
        cpu_reset_interrupt(cs, CPU_INTERRUPT_INIT | CPU_INTERRUPT_NMI | CPU_INTERRUPT_SMI);
        uint32_t sipi_vector = __atomic_load_n(&env->events.sipi_vector, __ATOMIC_ACQUIRE);
        x86_cpu_init_reset(cpu);
        env->events.sipi_vector = sipi_vector;
        emu_log_mask(LOG_INT, "x86: CPU %d INIT: %s\n", cs->cpu_index,
                     env->mp_state == X86_MP_RUNNABLE ? "BSP at the reset vector"
                                                      : "waiting for SIPI");
    }
    if (interrupt_request & CPU_INTERRUPT_SIPI) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_SIPI);
        uint8_t vector = __atomic_load_n(&env->events.sipi_vector, __ATOMIC_ACQUIRE);
        if (env->mp_state == X86_MP_INIT_RECEIVED) {
            x86_cpu_start_up(cpu, vector);
            emu_log_mask(LOG_INT, "x86: CPU %d SIPI: start at 0x%05x\n", cs->cpu_index,
                         (uint32_t)vector << 12);
        } else {
            /* A CPU that does not wait for SIPI ignores it (Linux sends two). */
            emu_log_mask(LOG_INT, "x86: CPU %d SIPI 0x%02x ignored: not waiting for SIPI\n",
                         cs->cpu_index, vector);
        }
    }
    if (env->mp_state == X86_MP_INIT_RECEIVED) {
        /* Wait for SIPI: NMI and SMI are blocked, INTR cannot come (IF = 0). */
        cpu_reset_interrupt(cs, CPU_INTERRUPT_NMI | CPU_INTERRUPT_SMI);
        cpu_set_exception_index(cs, EXCP_HLT);
    }
    return true;
}
