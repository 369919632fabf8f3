/*
 * KVM vCPUs with emu's own interrupt controllers (-machine kernel-irqchip=off):
 * no KVM_CREATE_IRQCHIP, so KVM has no PIC, I/O APIC or LAPIC and each vCPU
 * has emu's TYPE_APIC (hw/i386/x86-apic-wiring.c). As QEMU's userspace
 * irqchip, following the KVM API (Documentation/virt/kvm/api.rst):
 *
 *   - INTR: before each KVM_RUN, when the LAPIC has a deliverable vector
 *     (apic_has_interrupt, which covers the 8259's ExtINT) and KVM says the
 *     vCPU can take one now (kvm_run->ready_for_interrupt_injection, which
 *     includes RFLAGS.IF and the STI/MOV SS shadow), the vector is acknowledged
 *     (apic_get_interrupt: IRR -> ISR, or the 8259's INTA cycle) and queued with
 *     KVM_INTERRUPT; otherwise request_interrupt_window makes KVM exit as soon
 *     as the guest can take it (KVM_EXIT_IRQ_WINDOW_OPEN).
 *   - CR8: kvm_run->cr8 carries the TPR in (entry) and out (every exit), SDM
 *     vol. 3 §10.8.6.1 (CR8[3:0] = TPR[7:4]); kvm_run->apic_base reports
 *     IA32_APIC_BASE, which KVM keeps, to emu's LAPIC.
 *   - HLT exits to emu (no in-kernel LAPIC): the vCPU thread sleeps until its
 *     LAPIC has an interrupt it can take (RFLAGS.IF = 1), an NMI, INIT or SIPI;
 *     the LAPIC's interrupt_pending hook kicks it (cpu_kick).
 *   - NMI: KVM_NMI. INIT: the reset state but for what INIT keeps (SDM vol. 3
 *     Table 9-1), then the BSP runs from the reset vector and an AP waits for
 *     SIPI in emu (KVM only accepts KVM_MP_STATE_RUNNABLE without its LAPIC),
 *     halted; SIPI: real mode at VV000H (SDM §9.4.4.1), registers put to KVM.
 *
 * Everything here runs on the vCPU's thread or under the big lock.
 */
#include "system/kvm-int.h"
#include "system/kvm.h"
#include "system/cpus.h"
#include "system/main-loop.h"
#include "target/i386/cpu.h"
#include "target/i386/kvm/kvm_i386.h"
#include "hw/intc/apic.h"
#include "util/log.h"

#define KVM_USER_EV_NMI  (1u << 0)
#define KVM_USER_EV_INIT (1u << 1)
#define KVM_USER_EV_SIPI (1u << 2)

/* CPUID bits that only work with KVM's LAPIC. */
#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define KVM_CPUID_FEATURES_LEAF 0x40000001u
#define KVM_FEATURE_PV_EOI_BIT 6
#define KVM_FEATURE_PV_UNHALT_BIT 7
#define KVM_FEATURE_PV_SEND_IPI_BIT 11
#define KVM_FEATURE_PV_SCHED_YIELD_BIT 13

void kvm_x86_filter_user_irqchip_cpuid(X86CPUIDEntry *e)
{
    /* x2APIC MSRs and IA32_TSC_DEADLINE would reach KVM's (absent) LAPIC:
     * without user-space MSR exits the guest must not see them. */
    if (e->function == 1) {
        e->ecx &= ~(CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE);
    } else if (e->function == KVM_CPUID_FEATURES_LEAF) {
        e->eax &= ~((1u << KVM_FEATURE_PV_EOI_BIT) | (1u << KVM_FEATURE_PV_UNHALT_BIT) |
                    (1u << KVM_FEATURE_PV_SEND_IPI_BIT) |
                    (1u << KVM_FEATURE_PV_SCHED_YIELD_BIT));
    }
}

/* ---- emu's LAPIC -> the vCPU ---- */

static void kvm_user_kick(CPUState *cs)
{
    /* On its own thread the vCPU checks its LAPIC before the next KVM_RUN. */
    if (!cpu_is_self(cs)) {
        cpu_kick(cs);
    }
}

static void kvm_user_event(X86CPU *cpu, unsigned ev)
{
    CPUState *cs = CPU(cpu);
    if (!cs->accel) {
        emu_log_mask(LOG_INT, "kvm: CPU %d has no vCPU yet: event %#x dropped\n",
                     cs->cpu_index, ev);
        return;
    }
    cs->accel->user_events |= ev;
    kvm_user_kick(cs);
}

static void kvm_apic_interrupt_pending(void *opaque, bool pending)
{
    if (pending) {
        kvm_user_kick(CPU(opaque));
    }
}

static void kvm_apic_nmi(void *opaque)
{
    X86CPU *cpu = opaque;
    /* Blocked while the AP waits for SIPI (SDM vol. 3 §9.4.1; KVM does the same). */
    if (cpu->env.mp_state == X86_MP_INIT_RECEIVED) {
        emu_log_mask(LOG_INT, "apic: NMI to CPU %d ignored: it waits for SIPI\n",
                     CPU(cpu)->cpu_index);
        return;
    }
    kvm_user_event(cpu, KVM_USER_EV_NMI);
}

static void kvm_apic_smi(void *opaque)
{
    emu_log_mask(LOG_UNIMP, "apic: SMI to CPU %d ignored: emu has no SMM\n",
                 CPU(opaque)->cpu_index);
}

static void kvm_apic_init(void *opaque)
{
    kvm_user_event(opaque, KVM_USER_EV_INIT);
}

static void kvm_apic_sipi(void *opaque, uint8_t vector)
{
    X86CPU *cpu = opaque;
    if (CPU(cpu)->accel) {
        CPU(cpu)->accel->sipi_vector = vector;
    }
    kvm_user_event(cpu, KVM_USER_EV_SIPI);
}

const APICCpuOps kvm_x86_apic_cpu_ops = {
    .interrupt_pending = kvm_apic_interrupt_pending,
    .nmi = kvm_apic_nmi,
    .smi = kvm_apic_smi,
    .init = kvm_apic_init,
    .sipi = kvm_apic_sipi,
};

/* ---- INIT and SIPI ---- */

/* INIT (SDM vol. 3 Table 9-1): reset state, keeping x87/SSE, TSC and MSRs. */
static void kvm_user_do_init(X86CPU *cpu)
{
    CPUState *cs = CPU(cpu);
    CPUX86State *env = &cpu->env;

    if (!cs->vcpu_dirty) {
        kvm_arch_get_registers(cs);
    }
    CPUX86State *keep = g_memdup2(env, sizeof(*env));
    g_autofree uint8_t *xsave = g_memdup2(env->xsave, env->xsave_size);
    const X86BootEntry *boot = cpu->boot_entry;
    cpu->boot_entry = NULL;
    x86_cpu_reset_state(cpu);
    cpu->boot_entry = boot;

    memcpy(env->xsave, xsave, env->xsave_size);
    env->xcr0 = keep->xcr0;
    env->tsc = keep->tsc;
    env->tsc_adjust = keep->tsc_adjust;
    env->sysenter_cs = keep->sysenter_cs;
    env->sysenter_esp = keep->sysenter_esp;
    env->sysenter_eip = keep->sysenter_eip;
    env->star = keep->star;
    env->lstar = keep->lstar;
    env->cstar = keep->cstar;
    env->fmask = keep->fmask;
    env->kernelgsbase = keep->kernelgsbase;
    env->pat = keep->pat;
    env->misc_enable = keep->misc_enable;
    env->tsc_aux = keep->tsc_aux;
    env->spec_ctrl = keep->spec_ctrl;
    env->mcg_status = keep->mcg_status;
    g_free(keep);
    /* The LAPIC reset itself but kept its base (apic_init_reset). */
    env->apic_base = apic_get_base(cpu->apic);
    env->mp_state = x86_cpu_is_bsp(cpu) ? X86_MP_RUNNABLE : X86_MP_INIT_RECEIVED;
    cs->halted = env->mp_state == X86_MP_INIT_RECEIVED;
    cs->accel->if_flag = false;
    kvm_arch_put_registers(cs, KVM_PUT_RESET_STATE);
    cs->vcpu_dirty = false;
    emu_log_mask(LOG_INT, "kvm: CPU %d INIT: %s\n", cs->cpu_index,
                 cs->halted ? "waiting for SIPI" : "reset vector");
}

/* Start-up (SDM §9.4.4.1, §10.6.1): real mode at 000VV000H, CS = VV00H, IP = 0. */
static void kvm_user_do_sipi(X86CPU *cpu, uint8_t vector)
{
    CPUState *cs = CPU(cpu);
    CPUX86State *env = &cpu->env;

    if (env->mp_state != X86_MP_INIT_RECEIVED) {
        emu_log_mask(LOG_INT, "kvm: CPU %d SIPI %#04x ignored: not waiting for SIPI\n",
                     cs->cpu_index, vector);
        return;
    }
    if (!cs->vcpu_dirty) {
        kvm_arch_get_registers(cs);
    }
    env->segs[R_CS].selector = (uint32_t)vector << 8;
    env->segs[R_CS].base = (uint32_t)vector << 12;
    env->segs[R_CS].limit = 0xffff;
    env->rip = 0;
    env->mp_state = X86_MP_RUNNABLE;
    cs->halted = false;
    kvm_arch_put_registers(cs, KVM_PUT_RUNTIME_STATE);
    cs->vcpu_dirty = false;
    emu_log_mask(LOG_INT, "kvm: CPU %d SIPI: start at 0x%05x\n", cs->cpu_index,
                 (unsigned)vector << 12);
}

/* ---- the run loop's hooks ---- */

static bool kvm_user_can_take_intr(CPUState *cs)
{
    X86CPU *cpu = X86_CPU(cs);
    return cpu->apic && cs->accel->if_flag && apic_has_interrupt(cpu->apic);
}

bool kvm_arch_cpu_has_work(CPUState *cs)
{
    AccelCPUState *a = cs->accel;
    if (!a) {
        return false;
    }
    if (a->user_events & (KVM_USER_EV_INIT | KVM_USER_EV_SIPI)) {
        return true;
    }
    if (cpu_env(cs)->mp_state == X86_MP_INIT_RECEIVED) {
        return false;
    }
    return (a->user_events & KVM_USER_EV_NMI) || kvm_user_can_take_intr(cs);
}

bool kvm_arch_process_async_events(CPUState *cs)
{
    X86CPU *cpu = X86_CPU(cs);
    AccelCPUState *a = cs->accel;

    if (a->user_events & KVM_USER_EV_INIT) {
        /* INIT also discards a pending NMI (SDM Table 9-1 note). */
        a->user_events &= ~(KVM_USER_EV_INIT | KVM_USER_EV_NMI);
        kvm_user_do_init(cpu);
    }
    if (a->user_events & KVM_USER_EV_SIPI) {
        a->user_events &= ~KVM_USER_EV_SIPI;
        kvm_user_do_sipi(cpu, a->sipi_vector);
    }
    if (cs->halted && kvm_arch_cpu_has_work(cs)) {
        cs->halted = false;
    }
    return cs->halted;
}

void kvm_arch_reset_vcpu_events(CPUState *cs)
{
    if (cs->accel) {
        cs->accel->user_events = 0;
        cs->accel->if_flag = false;
    }
}

void kvm_arch_pre_run(CPUState *cs, struct kvm_run *run)
{
    X86CPU *cpu = X86_CPU(cs);
    AccelCPUState *a = cs->accel;

    bql_lock();
    if (a->user_events & KVM_USER_EV_NMI) {
        a->user_events &= ~KVM_USER_EV_NMI;
        int r = kvm_vcpu_ioctl(cs, KVM_NMI);
        if (r < 0) {
            emu_log_mask(LOG_GUEST_ERROR, "kvm: CPU %d: KVM_NMI: %s\n", cs->cpu_index,
                         g_strerror(-r));
        }
    }
    if (cpu->apic) {
        if (run->ready_for_interrupt_injection && apic_has_interrupt(cpu->apic)) {
            int vector = apic_get_interrupt(cpu->apic);
            if (vector >= 0) {
                struct kvm_interrupt intr = { .irq = (uint32_t)vector };
                int r = kvm_vcpu_ioctl(cs, KVM_INTERRUPT, &intr);
                if (r < 0) {
                    emu_log_mask(LOG_GUEST_ERROR, "kvm: CPU %d: KVM_INTERRUPT %d: %s\n",
                                 cs->cpu_index, vector, g_strerror(-r));
                } else {
                    a->injected++;
                }
            }
        }
        /* One injection per entry: ask for a window for the next one. */
        run->request_interrupt_window = apic_has_interrupt(cpu->apic);
        run->cr8 = apic_get_cr8(cpu->apic);
    }
    bql_unlock();
}

void kvm_arch_post_run(CPUState *cs, struct kvm_run *run)
{
    X86CPU *cpu = X86_CPU(cs);

    bql_lock();
    cs->accel->if_flag = run->if_flag;
    if (cpu->apic) {
        if (apic_get_cr8(cpu->apic) != (run->cr8 & 0xf)) {
            apic_set_cr8(cpu->apic, run->cr8 & 0xf);
        }
        if (run->apic_base != apic_get_base(cpu->apic) &&
            !apic_set_base(cpu->apic, run->apic_base)) {
            emu_log_mask(LOG_GUEST_ERROR, "kvm: CPU %d: APIC base %#llx refused by the "
                         "LAPIC\n", cs->cpu_index, (unsigned long long)run->apic_base);
        }
        cpu->env.apic_base = apic_get_base(cpu->apic);
    }
    bql_unlock();
}

bool kvm_arch_handle_halt(CPUState *cs)
{
    bool halt;
    bql_lock();
    halt = !kvm_arch_cpu_has_work(cs);
    if (halt) {
        cs->halted = true;
    }
    bql_unlock();
    return halt;
}
