/*
 * Message Signalled Interrupts (PCI Local Bus Specification 3.0 §6.8.1) and
 * the path every MSI / MSI-X message takes to the interrupt controllers.
 */
#ifndef HW_PCI_MSI_H
#define HW_PCI_MSI_H

#include "hw/pci/pci.h"

typedef struct MSIMessage {
    uint64_t address;
    uint32_t data;
} MSIMessage;

/*
 * The MSI capability at @offset (0: anywhere free) for @nr_vectors (a power of
 * two, 1-32), with a 64-bit address if @msi64bit and per-vector mask and
 * pending bits if @per_vector_mask. Returns the offset, or 0 with @errp set.
 */
uint8_t msi_init(PCIDevice *dev, uint8_t offset, unsigned nr_vectors, bool msi64bit,
                 bool per_vector_mask, Error **errp);
void msi_uninit(PCIDevice *dev);
bool msi_present(const PCIDevice *dev);
bool msi_enabled(const PCIDevice *dev);
/* Vectors software enabled (Multiple Message Enable, capped at the capable count). */
unsigned msi_nr_vectors_enabled(const PCIDevice *dev);
/* The message @vector would send now. */
MSIMessage msi_get_message(PCIDevice *dev, unsigned vector);
bool msi_is_masked(const PCIDevice *dev, unsigned vector);
/*
 * Signal @vector (< the vectors allocated): sent if MSI is enabled, held in
 * the pending bit while masked. Vectors beyond the enabled count fold onto
 * the enabled ones (vector mod count). Nothing happens with MSI disabled.
 */
void msi_notify(PCIDevice *dev, unsigned vector);
/* The core calls these; devices need not. */
void msi_reset(PCIDevice *dev);
void msi_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len);

/*
 * Send one message as the function's bus-master write (refused while Bus
 * Master Enable is clear). Used by MSI and MSI-X.
 */
void msi_send_message(PCIDevice *dev, MSIMessage msg);

/*
 * Where messages go. Without a hook, a message is a 32-bit write of the data
 * to the address in system memory: emu's own APICs take those in the window
 * at 0xfee00000 (hw/i386/pc-intc.c, apic_send_msi). An accelerator whose
 * interrupt controllers live elsewhere installs a hook (KVM's in-kernel
 * irqchip: KVM_SIGNAL_MSI, see hw/i386/pc-pci.c; per-vector KVM MSI routes
 * with irqfds can replace it later without touching the devices). The hook
 * returns false to fall back to the memory write.
 */
typedef bool (*MSIDeliverHook)(PCIDevice *dev, MSIMessage msg);
void msi_set_deliver_hook(MSIDeliverHook hook);

#endif
