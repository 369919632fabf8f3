/*
 * One local APIC per x86 CPU when emu provides the interrupt controllers, and
 * the wires between them (include/hw/intc/apic.h, "CPU side"):
 *
 *   APIC -> CPU  INTR raises/lowers CPU_INTERRUPT_HARD; NMI, INIT and SIPI are
 *                CPU_INTERRUPT_NMI/INIT/SIPI requests taken by the CPU at an
 *                instruction boundary on its own thread (target/i386/tcg:
 *                excp-helper.c, mp-helper.c); SMI is logged and dropped (no SMM).
 *                cpu_interrupt() kicks the vCPU, so a halted one wakes up.
 *   CPU -> APIC  INTA: x86_cpu_ack_interrupt = apic_get_interrupt (which runs
 *                the 8259's acknowledge cycle for ExtINT, through the hook
 *                pc-intc.c gives apic_bus_set_extint).
 *   APIC page    0xfee00000 is one window in system memory (pc-intc.c): an
 *                access from a vCPU thread reaches that CPU's own APIC (like
 *                QEMU's cpu_get_current_apic), anything else is an MSI.
 *   KVM          with kernel-irqchip=off the APIC -> CPU hooks are KVM's
 *                (target/i386/kvm/kvm-user-irqchip.c: KVM_INTERRUPT, KVM_NMI,
 *                INIT/SIPI by register state); the APIC page and INTA are shared.
 *   TSC          TSC-deadline mode reads the CPU's TSC (x86_tsc_now: the
 *                virtual clock at env->tsc_khz), and the APIC converts deadlines
 *                at the same frequency.
 *
 * Locking: the hooks run under the big lock (the APIC is a device). The TCG
 * interrupt path runs without it, so the acknowledge takes it.
 */
#include "hw/i386/x86-apic-wiring.h"
#include "hw/intc/apic.h"
#include "accel/tcg/tcg-cpu-ops.h"
#include "target/i386/tcg/tcg-internal.h"
#include "system/kvm.h"
#include "target/i386/kvm/kvm_i386.h"
#include "system/main-loop.h"
#include "util/log.h"

/* TCG's TSC rate when the CPU model does not give one (what rdtsc assumes). */
#define X86_TCG_DEFAULT_TSC_KHZ 1000000ull

/* ---- APIC -> CPU ---- */

static void lapic_interrupt_pending(void *opaque, bool pending)
{
    CPUState *cs = opaque;
    if (pending) {
        cpu_interrupt(cs, CPU_INTERRUPT_HARD);
    } else {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
    }
}

static bool lapic_cpu_waits_for_sipi(X86CPU *cpu)
{
    return __atomic_load_n(&cpu->env.mp_state, __ATOMIC_ACQUIRE) == X86_MP_INIT_RECEIVED;
}

static void lapic_nmi(void *opaque)
{
    X86CPU *cpu = opaque;
    /* NMIs are blocked in wait-for-SIPI (SDM vol. 3 §9.4.1 "the AP ... waits
     * for a SIPI"; KVM holds them too): the AP's startup code cannot take one. */
    if (lapic_cpu_waits_for_sipi(cpu)) {
        emu_log_mask(LOG_INT, "apic: NMI to CPU %d ignored: it waits for SIPI\n",
                     CPU(cpu)->cpu_index);
        return;
    }
    cpu_interrupt(CPU(cpu), CPU_INTERRUPT_NMI);
}

static void lapic_smi(void *opaque)
{
    emu_log_mask(LOG_UNIMP, "apic: SMI to CPU %d ignored: emu has no SMM\n",
                 CPU(opaque)->cpu_index);
}

static void lapic_init(void *opaque)
{
    cpu_interrupt(CPU(opaque), CPU_INTERRUPT_INIT);
}

static void lapic_sipi(void *opaque, uint8_t vector)
{
    X86CPU *cpu = opaque;
    /* Published by cpu_interrupt's atomic or; read when the CPU takes the SIPI. */
    __atomic_store_n(&cpu->env.events.sipi_vector, vector, __ATOMIC_RELEASE);
    cpu_interrupt(CPU(cpu), CPU_INTERRUPT_SIPI);
}

static uint64_t lapic_get_tsc(void *opaque)
{
    return x86_tsc_now(&X86_CPU(opaque)->env);
}

static const APICCpuOps lapic_tcg_ops = {
    .interrupt_pending = lapic_interrupt_pending,
    .nmi = lapic_nmi,
    .smi = lapic_smi,
    .init = lapic_init,
    .sipi = lapic_sipi,
    .get_tsc = lapic_get_tsc,
};

/* ---- CPU -> APIC ---- */

/* INTA (SDM vol. 3 §10.8.1): the vector, moved from IRR to ISR; -1 if none. */
static int lapic_ack_interrupt(CPUState *cs)
{
    X86CPU *cpu = X86_CPU(cs);
    if (!cpu->apic) {
        return -1;
    }
    bool locked = bql_locked();
    if (!locked) {
        bql_lock();
    }
    int vector = apic_get_interrupt(cpu->apic);
    if (!locked) {
        bql_unlock();
    }
    return vector;
}

/* The APIC of the CPU whose thread is accessing the APIC page, if any. */
static APICState *lapic_current(void)
{
    CPUState *cs = current_cpu;
    if (!cs) {
        return NULL;
    }
    X86CPU *cpu = (X86CPU *)object_dynamic_cast(OBJECT(cs), TYPE_X86_CPU);
    return cpu ? cpu->apic : NULL;
}

static void lapic_install_hooks(void)
{
    static bool installed;
    if (!installed) {
        installed = true;
        x86_cpu_ack_interrupt = lapic_ack_interrupt;
        apic_bus_set_current_hook(lapic_current);
    }
}

bool x86_cpu_apic_create(X86CPU *cpu, bool bsp, Error **errp)
{
    CPUX86State *env = &cpu->env;

    if (!env->tsc_khz) {
        env->tsc_khz = X86_TCG_DEFAULT_TSC_KHZ;
    }
    DeviceState *dev = qdev_new(TYPE_APIC);
    Object *obj = OBJECT(dev);
    object_property_set_uint(obj, "id", cpu->apic_id, &error_abort);
    object_property_set_bool(obj, "bsp", bsp, &error_abort);
    object_property_set_uint(obj, "tsc-frequency", env->tsc_khz * 1000, &error_abort);
    /* The BSP's LINT0 comes out of reset in virtual wire mode, as KVM and QEMU
     * give it, so the 8259 reaches it before (and without) firmware. */
    object_property_set_bool(obj, "lint0-extint", bsp, &error_abort);
    object_property_add_child(OBJECT(cpu), "lapic", obj);
    if (!qdev_realize_and_unref(dev, NULL, errp)) {
        return false;
    }
    cpu->apic = APIC(dev);
    /* KVM with kernel-irqchip=off: target/i386/kvm/kvm-user-irqchip.c. */
#if CONFIG_KVM
    apic_set_cpu_hooks(cpu->apic, kvm_enabled() ? &kvm_x86_apic_cpu_ops : &lapic_tcg_ops,
                       cpu);
#else
    apic_set_cpu_hooks(cpu->apic, &lapic_tcg_ops, cpu);
#endif
    lapic_install_hooks();
    return true;
}
