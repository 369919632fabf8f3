/*
 * MSI-X (PCI Local Bus Specification 3.0 §6.8.2): a table of per-vector
 * address/data/mask entries and a pending-bit array, both in memory BARs.
 */
#ifndef HW_PCI_MSIX_H
#define HW_PCI_MSIX_H

#include "hw/pci/msi.h"

/*
 * The MSI-X capability at @cap_pos (0: anywhere free) for @nentries vectors
 * (1..PCI_MSIX_MAX_VECTORS). The table goes at @table_offset inside
 * @table_bar (the MemoryRegion registered, or about to be, as BAR
 * @table_bar_nr), the PBA at @pba_offset inside @pba_bar (BAR @pba_bar_nr);
 * offsets are 8-byte aligned, and the table and PBA must fit their BAR and not
 * overlap. Returns the capability offset, or 0 with @errp set.
 */
uint8_t msix_init(PCIDevice *dev, unsigned nentries, MemoryRegion *table_bar,
                  uint8_t table_bar_nr, uint32_t table_offset, MemoryRegion *pba_bar,
                  uint8_t pba_bar_nr, uint32_t pba_offset, uint8_t cap_pos,
                  Error **errp);
void msix_uninit(PCIDevice *dev);
bool msix_present(const PCIDevice *dev);
bool msix_enabled(const PCIDevice *dev);
/* The entry's mask bit, or the function mask. */
bool msix_is_masked(const PCIDevice *dev, unsigned vector);
bool msix_is_pending(const PCIDevice *dev, unsigned vector);
/* The device no longer needs @vector: drop its pending bit. */
void msix_clr_pending(PCIDevice *dev, unsigned vector);
MSIMessage msix_get_message(PCIDevice *dev, unsigned vector);
/*
 * Signal @vector: sent if MSI-X is enabled and the vector unmasked, else
 * (enabled but masked) its pending bit is set and the message goes out when
 * it is unmasked. Nothing happens with MSI-X disabled.
 */
void msix_notify(PCIDevice *dev, unsigned vector);
/* The core calls these. */
void msix_reset(PCIDevice *dev);
void msix_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len);

#endif
