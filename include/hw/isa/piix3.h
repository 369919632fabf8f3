/*
 * Intel 82371SB PIIX3, function 0: the PCI-to-ISA bridge (8086:7000) at
 * 00:01.0 of the PC (datasheet 290550 §2.2). Here it routes PCI interrupts:
 * PIRQA#-PIRQD# (the root bus's four INTx lines) go to the ISA IRQ that
 * PIRQRC[A:D] (0x60-0x63) name, and, as a 440FX board with an I/O APIC wires
 * them, also to I/O APIC inputs 16-19.
 *
 * The rest of what the chip holds is elsewhere in emu: the 8259 pair with
 * its ELCR (0x4d0/0x4d1) is hw/intc/i8259.c, the PIT hw/timer/i8254.c, the
 * RTC hw/rtc/mc146818rtc.c, and the reset control register at 0xcf9 is
 * hw/acpi/pm.c's pc-reset-control, which the host bridge passes byte accesses
 * at 0xcf9 on to (see hw/i386/pc-pci.c).
 *
 * GPIO outputs, wired by the board to the GSI router:
 *   "isa-irq" 0-15   ISA IRQ n (the wire-OR of the PIRQs routed there)
 *   "pirq-gsi" 0-3   PIRQA-D as they are (I/O APIC pins 16-19)
 */
#ifndef HW_ISA_PIIX3_H
#define HW_ISA_PIIX3_H

#include "hw/pci/pci.h"
#include "hw/isa/isa.h"

#define TYPE_PIIX3_DEVICE "PIIX3"
#define PCI_DEVICE_ID_INTEL_82371SB_0 0x7000

#define PIIX_NUM_PIRQS      4
#define PIIX_PIRQRC         0x60    /* PIRQRC[A:D], 0x60-0x63 */
#define PIIX_PIRQ_DISABLE   0x80    /* IRQROUTEN: 1 = not routed */
#define PIIX_PIRQ_IRQ_MASK  0x0f
#define PIIX3_ISA_IRQ_OUT   "isa-irq"
#define PIIX3_PIRQ_GSI_OUT  "pirq-gsi"
#define PIIX3_PIRQ_GSI_BASE 16

typedef struct PIIX3State {
    PCIDevice parent_obj;
    qemu_irq isa_irq[ISA_NUM_IRQS];
    qemu_irq pirq_gsi[PIIX_NUM_PIRQS];
    uint16_t isa_level;         /* what isa_irq[] drives now */
    uint8_t pirq_level;         /* what pirq_gsi[] drives now */
    uint64_t bad_routes;        /* PIRQRC writes naming a reserved IRQ */
} PIIX3State;

DECLARE_INSTANCE_CHECKER(PIIX3State, PIIX3_PCI_DEVICE, TYPE_PIIX3_DEVICE)

/* The root bus's slot swizzle on the PC (SeaBIOS and QEMU agree): INTx pin p
 * of slot s is PIRQ (s - 1 + p) mod 4. */
int piix3_pci_slot_get_pirq(PCIDevice *dev, int pin);

#endif
