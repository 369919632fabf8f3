/*
 * The Intel MultiProcessor Specification 1.4 tables (chapter 4): the MP
 * floating pointer structure and the MP configuration table, for guests that
 * look for CPUs and interrupt routing there rather than in ACPI.
 */
#ifndef HW_ACPI_MPTABLE_H
#define HW_ACPI_MPTABLE_H

#include "util/osdep.h"

#define MPTABLE_LAPIC_ADDR 0xfee00000u

typedef struct MPTableConfig {
    unsigned cpus;              /* enabled processors, APIC IDs 0..cpus-1 */
    uint8_t ioapic_id;
    uint32_t ioapic_addr;
    bool irq0_override;         /* ISA IRQ 0 arrives on IOAPIC pin 2 */
    uint16_t level_irqs;        /* ISA IRQs that are level-triggered, active high */
} MPTableConfig;

/*
 * The floating pointer (16 bytes) followed by the configuration table, to be
 * placed at guest address @base (16-byte aligned, in the F segment or the
 * last KiB of base memory, MPS 1.4 §4).
 */
GByteArray *mptable_build(const MPTableConfig *cfg, uint32_t base);

#endif
