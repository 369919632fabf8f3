/*
 * The local APIC of each x86 CPU when emu provides the interrupt controllers
 * (TCG; qtest runs no CPU; KVM with kernel-irqchip=off later): creation, the
 * APIC -> CPU hooks (INTR, NMI, SMI, INIT, SIPI, TSC), interrupt acknowledge
 * for the TCG interrupt path, and the per-CPU view of the APIC page at
 * 0xfee00000 (hw/i386/x86-apic-wiring.c).
 */
#ifndef HW_I386_X86_APIC_WIRING_H
#define HW_I386_X86_APIC_WIRING_H

#include "target/i386/cpu.h"

/*
 * Create and realize @cpu's local APIC as its child "lapic", before the CPU
 * itself is realized (so that its first reset already sees X86CPU.apic):
 * APIC ID = the CPU's "apic-id", BSP flag when @bsp, TSC frequency = the
 * CPU's. The first call also installs the global hooks (x86_cpu_ack_interrupt,
 * the APIC page's current-CPU hook). Fails when the accelerator cannot take
 * interrupts from emu's APIC.
 */
bool x86_cpu_apic_create(X86CPU *cpu, bool bsp, Error **errp);

#endif
