/* x86-specific KVM queries the CPU model code needs (target/i386/kvm/kvm.c). */
#ifndef TARGET_I386_KVM_KVM_I386_H
#define TARGET_I386_KVM_KVM_I386_H

#include "target/i386/cpu.h"

#if CONFIG_KVM
/*
 * The leaf KVM_GET_SUPPORTED_CPUID reports for (@function, @index): what KVM
 * can let a guest see. False when KVM does not list the leaf.
 */
bool kvm_x86_get_supported_cpuid(uint32_t function, uint32_t index, X86CPUIDEntry *out);
/* kernel-irqchip=off: drop what needs KVM's LAPIC (x2APIC, TSC deadline, PV EOI...). */
void kvm_x86_filter_user_irqchip_cpuid(X86CPUIDEntry *e);
/* emu's LAPIC -> a KVM vCPU (kernel-irqchip=off). */
struct APICCpuOps;
extern const struct APICCpuOps kvm_x86_apic_cpu_ops;
#endif

#endif
