/*
 * The PC's vCPUs: -smp N x86 CPUs of the -cpu model (qemu64 by default), with
 * initial APIC IDs laid out by the socket/die/core/thread topology. CPU 0 is
 * the bootstrap processor and starts at the loader's boot entry, if any; the
 * others wait for INIT/SIPI. Where emu provides the interrupt controllers
 * (no in-kernel irqchip), each CPU gets emu's local APIC as /machine/cpu[n]/lapic
 * (hw/i386/x86-apic-wiring.c).
 */
#include "hw/i386/pc-devices.h"
#include "hw/i386/x86-apic-wiring.h"
#include "target/i386/cpu.h"
#include "accel/accel.h"
#include "system/irqchip.h"
#include "system/kvm.h"
#include "util/log.h"

/* KVM's TSS (3 pages) and EPT identity map (1 page), see target/i386/kvm/kvm.c. */
#define KVM_IDENTITY_MAP_BASE 0xfeffc000ull
#define KVM_PRIVATE_SIZE 0x4000

bool pc_cpus_init(PCMachineState *pcms, Error **errp)
{
    MachineState *ms = MACHINE(pcms);
    AccelState *accel = current_accel();
    if (!accel || ACCEL_GET_CLASS(accel)->no_cpus) {
        return true;   /* qtest: devices only */
    }
    if (kvm_enabled()) {
        /* The guest must not put anything where KVM keeps its real-mode helpers. */
        e820_add_entry(&pcms->e820, KVM_IDENTITY_MAP_BASE, KVM_PRIVATE_SIZE, E820_RESERVED);
    }

    const char *spec = ms->cpu_type && *ms->cpu_type ? ms->cpu_type : X86_CPU_DEFAULT_MODEL;
    if (!x86_cpu_check_spec(spec, errp)) {
        return false;
    }
    g_autofree char *type = x86_cpu_type_name_from_spec(spec);
    const char *features = strchr(spec, ',');
    X86Topology topo = {
        .sockets = ms->smp.sockets, .dies = ms->smp.dies,
        .cores = ms->smp.cores, .threads = ms->smp.threads,
    };

    bool own_lapic = irqchip_get_sink() == NULL;
    for (unsigned i = 0; i < ms->smp.cpus; i++) {
        DeviceState *dev = qdev_new(type);
        Object *obj = OBJECT(dev);
        unsigned socket, die, core, thread;
        x86_topo_ids_from_index(&topo, i, &socket, &die, &core, &thread);
        object_property_set_uint(obj, "apic-id", x86_apic_id_from_index(&topo, i),
                                 &error_abort);
        object_property_set_uint(obj, "nr-threads", MAX(topo.threads, 1), &error_abort);
        object_property_set_uint(obj, "nr-cores", MAX(topo.cores, 1), &error_abort);
        object_property_set_uint(obj, "nr-dies", MAX(topo.dies, 1), &error_abort);
        object_property_set_uint(obj, "socket-id", socket, &error_abort);
        object_property_set_uint(obj, "die-id", die, &error_abort);
        object_property_set_uint(obj, "core-id", core, &error_abort);
        object_property_set_uint(obj, "thread-id", thread, &error_abort);
        if (features) {
            object_property_set_str(obj, "features", features + 1, &error_abort);
        }
        if (i == 0) {
            X86_CPU(dev)->boot_entry = &pcms->boot_entry;
        }
        g_autofree char *name = g_strdup_printf("cpu[%u]", i);
        object_property_add_child(OBJECT(ms), name, obj);
        /* Before realize: the CPU's first reset parks an AP in wait-for-SIPI. */
        if (own_lapic && !x86_cpu_apic_create(X86_CPU(dev), i == 0, errp)) {
            return false;
        }
        if (!qdev_realize_and_unref(dev, NULL, errp)) {
            return false;
        }
    }
    emu_log_mask(LOG_BOOT, "cpu: %u x %s (sockets=%u dies=%u cores=%u threads=%u), %s "
                 "local APICs\n", ms->smp.cpus, spec, topo.sockets, topo.dies, topo.cores,
                 topo.threads, own_lapic ? "emulated" : "in-kernel");
    return true;
}
