/* Between the PCI core files (hw/pci/); devices use hw/pci/pci.h. */
#ifndef HW_PCI_PCI_INTERNAL_H
#define HW_PCI_PCI_INTERNAL_H

#include "hw/pci/pci.h"

static inline bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

/* Recompute what the function's INTx pin drives (level, INTx Disable, MSI). */
void pci_intx_update(PCIDevice *dev);
/* Count an access the function ignored (shown by `info pci`). */
void pci_count_ignored(PCIDevice *dev);

/* MSI/MSI-X pieces the core needs at realize, reset and migration. */
void msix_post_load(PCIDevice *dev);
/* @loaded: the configuration space as the stream had it (pending bits). */
void msi_post_load(PCIDevice *dev, const uint8_t *loaded);

#endif
