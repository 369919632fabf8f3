/*
 * MSI-X (PCI Local Bus Specification 3.0 §6.8.2). The capability's Message
 * Control has MSI-X Enable (bit 15), Function Mask (bit 14) and the table
 * size; the table (16 bytes per vector: address low/high, data, vector
 * control with its mask bit) and the Pending Bit Array live in memory BARs.
 * A vector whose message is masked (its mask bit or the function mask) sets
 * its pending bit instead and sends when unmasked (§6.8.2.9).
 */
#include "hw/pci/msix.h"
#include "util/log.h"
#include "pci-internal.h"

static uint16_t msix_ctrl(const PCIDevice *dev)
{
    return pci_get_word(dev->config + dev->msix_cap + PCI_MSIX_FLAGS);
}

bool msix_present(const PCIDevice *dev)
{
    return dev->msix_cap != 0;
}

bool msix_enabled(const PCIDevice *dev)
{
    return msix_present(dev) && (msix_ctrl(dev) & PCI_MSIX_FLAGS_ENABLE);
}

static bool msix_function_masked(const PCIDevice *dev)
{
    return msix_ctrl(dev) & PCI_MSIX_FLAGS_MASKALL;
}

static uint8_t *msix_entry(PCIDevice *dev, unsigned vector)
{
    return dev->msix_table + vector * PCI_MSIX_ENTRY_SIZE;
}

static bool msix_vector_masked(const PCIDevice *dev, unsigned vector)
{
    const uint8_t *e = dev->msix_table + vector * PCI_MSIX_ENTRY_SIZE;
    return pci_get_long(e + PCI_MSIX_ENTRY_VECTOR_CTRL) & PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

bool msix_is_masked(const PCIDevice *dev, unsigned vector)
{
    return msix_function_masked(dev) || msix_vector_masked(dev, vector);
}

bool msix_is_pending(const PCIDevice *dev, unsigned vector)
{
    return dev->msix_pba[vector / 8] & (1u << (vector % 8));
}

static void msix_set_pending(PCIDevice *dev, unsigned vector, bool pending)
{
    if (pending) {
        dev->msix_pba[vector / 8] |= 1u << (vector % 8);
    } else {
        dev->msix_pba[vector / 8] &= ~(1u << (vector % 8));
    }
}

void msix_clr_pending(PCIDevice *dev, unsigned vector)
{
    g_assert(vector < dev->msix_entries_nr);
    msix_set_pending(dev, vector, false);
}

MSIMessage msix_get_message(PCIDevice *dev, unsigned vector)
{
    uint8_t *e = msix_entry(dev, vector);
    MSIMessage msg = {
        .address = pci_get_long(e + PCI_MSIX_ENTRY_ADDR_LO) |
                   (uint64_t)pci_get_long(e + PCI_MSIX_ENTRY_ADDR_HI) << 32,
        .data = pci_get_long(e + PCI_MSIX_ENTRY_DATA),
    };
    return msg;
}

void msix_notify(PCIDevice *dev, unsigned vector)
{
    if (!msix_enabled(dev)) {
        return;
    }
    g_assert(vector < dev->msix_entries_nr);
    if (msix_is_masked(dev, vector)) {
        msix_set_pending(dev, vector, true);
        return;
    }
    msi_send_message(dev, msix_get_message(dev, vector));
}

static void msix_flush_vector(PCIDevice *dev, unsigned vector)
{
    if (msix_enabled(dev) && msix_is_pending(dev, vector) && !msix_is_masked(dev, vector)) {
        msix_set_pending(dev, vector, false);
        msi_send_message(dev, msix_get_message(dev, vector));
    }
}

static void msix_flush_all(PCIDevice *dev)
{
    for (unsigned v = 0; v < dev->msix_entries_nr; v++) {
        msix_flush_vector(dev, v);
    }
}

/* ---- table and PBA in the BAR ---- */

static void msix_bad_access(PCIDevice *dev, const char *what, hwaddr addr, unsigned size,
                            bool is_write)
{
    emu_log_mask(LOG_GUEST_ERROR, "%s %02x.%x: %u-byte %s of the MSI-X %s at +0x%" PRIx64
                 " ignored\n", object_get_typename(OBJECT(dev)), PCI_SLOT(dev->devfn),
                 PCI_FUNC(dev->devfn), size, is_write ? "write" : "read", what,
                 (uint64_t)addr);
    pci_count_ignored(dev);
}

static uint64_t msix_table_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIDevice *dev = opaque;
    return pci_get_long(dev->msix_table + addr);
}

/*
 * Message Address bits 1:0 read 0 (dword-aligned messages); Vector Control
 * keeps only its mask bit (the rest is reserved). Unmasking sends what is
 * pending.
 */
static void msix_table_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PCIDevice *dev = opaque;
    unsigned vector = addr / PCI_MSIX_ENTRY_SIZE;
    unsigned field = addr % PCI_MSIX_ENTRY_SIZE;

    switch (field) {
    case PCI_MSIX_ENTRY_ADDR_LO:
        val &= ~3u;
        break;
    case PCI_MSIX_ENTRY_VECTOR_CTRL:
        val &= PCI_MSIX_ENTRY_CTRL_MASKBIT;
        break;
    }
    pci_set_long(dev->msix_table + addr, val);
    if (field == PCI_MSIX_ENTRY_VECTOR_CTRL) {
        msix_flush_vector(dev, vector);
    }
}

/* Dword and qword accesses, naturally aligned (§6.8.2); a qword is two dwords. */
static bool msix_accepts(void *opaque, hwaddr addr, unsigned size, bool is_write)
{
    if (size != 4 && size != 8) {
        msix_bad_access(opaque, "table or PBA", addr, size, is_write);
        return false;
    }
    return true;
}

static const MemoryRegionOps msix_table_ops = {
    .read = msix_table_read,
    .write = msix_table_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8, .accepts = msix_accepts },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static uint64_t msix_pba_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIDevice *dev = opaque;
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; i++) {
        if (addr + i < sizeof(dev->msix_pba)) {
            v |= (uint32_t)dev->msix_pba[addr + i] << (8 * i);
        }
    }
    return v;
}

static void msix_pba_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    /* The PBA is read-only (§6.8.2.10). */
    msix_bad_access(opaque, "PBA (read-only)", addr, size, true);
}

static const MemoryRegionOps msix_pba_ops = {
    .read = msix_pba_read,
    .write = msix_pba_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8, .accepts = msix_accepts },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

/* ---- the capability ---- */

uint8_t msix_init(PCIDevice *dev, unsigned nentries, MemoryRegion *table_bar,
                  uint8_t table_bar_nr, uint32_t table_offset, MemoryRegion *pba_bar,
                  uint8_t pba_bar_nr, uint32_t pba_offset, uint8_t cap_pos,
                  Error **errp)
{
    uint64_t table_size = (uint64_t)nentries * PCI_MSIX_ENTRY_SIZE;
    uint64_t pba_size = ((nentries + 63) / 64) * 8;

    g_assert(nentries >= 1 && nentries <= PCI_MSIX_MAX_VECTORS);
    g_assert(table_bar_nr < PCI_NUM_BARS && pba_bar_nr < PCI_NUM_BARS);
    g_assert(!(table_offset & 7) && !(pba_offset & 7));
    g_assert(table_offset + table_size <= memory_region_size(table_bar));
    g_assert(pba_offset + pba_size <= memory_region_size(pba_bar));
    g_assert(table_bar != pba_bar || table_offset + table_size <= pba_offset ||
             pba_offset + pba_size <= table_offset);

    uint8_t cap = pci_add_capability(dev, PCI_CAP_ID_MSIX, cap_pos, PCI_MSIX_CAP_SIZE, errp);
    if (!cap) {
        return 0;
    }
    dev->msix_cap = cap;
    dev->msix_entries_nr = nentries;
    dev->msix_table_bar = table_bar_nr;
    dev->msix_pba_bar = pba_bar_nr;
    pci_set_word(dev->config + cap + PCI_MSIX_FLAGS, nentries - 1);
    pci_set_word(dev->wmask + cap + PCI_MSIX_FLAGS,
                 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    pci_set_long(dev->config + cap + PCI_MSIX_TABLE, table_offset | table_bar_nr);
    pci_set_long(dev->config + cap + PCI_MSIX_PBA, pba_offset | pba_bar_nr);

    memory_region_init_io(&dev->msix_table_mmio, OBJECT(dev), &msix_table_ops, dev,
                          "msix-table", table_size);
    memory_region_init_io(&dev->msix_pba_mmio, OBJECT(dev), &msix_pba_ops, dev, "msix-pba",
                          pba_size);
    memory_region_add_subregion(table_bar, table_offset, &dev->msix_table_mmio);
    memory_region_add_subregion(pba_bar, pba_offset, &dev->msix_pba_mmio);
    dev->msix_table_container = table_bar;
    dev->msix_pba_container = pba_bar;
    msix_reset(dev);
    return cap;
}

void msix_uninit(PCIDevice *dev)
{
    if (!dev->msix_cap) {
        return;
    }
    memory_region_del_subregion(dev->msix_table_container, &dev->msix_table_mmio);
    memory_region_del_subregion(dev->msix_pba_container, &dev->msix_pba_mmio);
    memory_region_finalize(&dev->msix_table_mmio);
    memory_region_finalize(&dev->msix_pba_mmio);
    pci_del_capability(dev, PCI_CAP_ID_MSIX, PCI_MSIX_CAP_SIZE);
    dev->msix_cap = 0;
    dev->msix_entries_nr = 0;
}

void msix_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len)
{
    if (!dev->msix_cap || !ranges_overlap(addr, len, dev->msix_cap + PCI_MSIX_FLAGS, 2)) {
        return;
    }
    pci_intx_update(dev);
    msix_flush_all(dev);
}

/* Every vector masked, nothing pending, MSI-X disabled (§6.8.2.9). */
void msix_reset(PCIDevice *dev)
{
    if (!dev->msix_cap) {
        return;
    }
    pci_set_word(dev->config + dev->msix_cap + PCI_MSIX_FLAGS,
                 msix_ctrl(dev) & PCI_MSIX_FLAGS_QSIZE);
    memset(dev->msix_table, 0, sizeof(dev->msix_table));
    memset(dev->msix_pba, 0, sizeof(dev->msix_pba));
    for (unsigned v = 0; v < dev->msix_entries_nr; v++) {
        pci_set_long(msix_entry(dev, v) + PCI_MSIX_ENTRY_VECTOR_CTRL,
                     PCI_MSIX_ENTRY_CTRL_MASKBIT);
    }
}

/* A loaded table obeys the same rules as one the guest wrote. */
void msix_post_load(PCIDevice *dev)
{
    for (unsigned v = 0; v < PCI_MSIX_MAX_VECTORS; v++) {
        uint8_t *e = msix_entry(dev, v);
        if (v >= dev->msix_entries_nr) {
            memset(e, 0, PCI_MSIX_ENTRY_SIZE);
            continue;
        }
        pci_set_long(e + PCI_MSIX_ENTRY_ADDR_LO, pci_get_long(e + PCI_MSIX_ENTRY_ADDR_LO) & ~3u);
        pci_set_long(e + PCI_MSIX_ENTRY_VECTOR_CTRL,
                     pci_get_long(e + PCI_MSIX_ENTRY_VECTOR_CTRL) &
                     PCI_MSIX_ENTRY_CTRL_MASKBIT);
    }
    for (unsigned v = dev->msix_entries_nr; v < PCI_MSIX_MAX_VECTORS; v++) {
        msix_set_pending(dev, v, false);
    }
}
