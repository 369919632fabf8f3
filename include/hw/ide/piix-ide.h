/*
 * PIIX3 IDE, function 1 of the PIIX3 (82371SB datasheet 290550 §2.4): two
 * legacy ATA channels (0x1f0-0x1f7/0x3f6 on IRQ 14, 0x170-0x177/0x376 on
 * IRQ 15) with SFF-8038i bus-master DMA in BAR4. It claims the if=ide drives
 * (bus 0..1, unit 0..1) when realized.
 *
 * GPIO output "isa-irq" 0 and 1: IRQ 14 and 15 (wired by the board).
 */
#ifndef HW_IDE_PIIX_IDE_H
#define HW_IDE_PIIX_IDE_H

#include "hw/pci/pci.h"

#define TYPE_PIIX3_IDE "piix3-ide"
#define PCI_DEVICE_ID_INTEL_82371SB_1 0x7010
#define PIIX_IDE_IRQ_OUT "isa-irq"

/* Create the function at @devfn of @bus as child "ide" of @parent, with
 * IRQ 14/15 on @irq14/@irq15. */
PCIDevice *piix3_ide_create(Object *parent, PCIBus *bus, int devfn, qemu_irq irq14,
                            qemu_irq irq15, Error **errp);

#endif
