/*
 * MSI (PCI Local Bus Specification 3.0 §6.8.1, figure 6-9): Message Control,
 * a 32- or 64-bit Message Address, 16-bit Message Data and, with per-vector
 * masking, Mask and Pending bits. A function with N enabled vectors sends
 * vector v by writing the data with its low log2(N) bits replaced by v.
 */
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "util/log.h"
#include "pci-internal.h"

static MSIDeliverHook msi_deliver_hook;

void msi_set_deliver_hook(MSIDeliverHook hook)
{
    msi_deliver_hook = hook;
}

void msi_send_message(PCIDevice *dev, MSIMessage msg)
{
    /* A function may not initiate a memory write, a message included,
     * without Bus Master Enable (§6.2.2, §6.8). */
    if (!pci_bus_master_enabled(dev)) {
        emu_log_mask(LOG_GUEST_ERROR, "%s %02x.%x: MSI to 0x%" PRIx64 " dropped: bus "
                     "mastering disabled\n", object_get_typename(OBJECT(dev)),
                     PCI_SLOT(dev->devfn), PCI_FUNC(dev->devfn), msg.address);
        dev->msi_blocked++;
        return;
    }
    dev->msi_sent++;
    if (msi_deliver_hook && msi_deliver_hook(dev, msg)) {
        return;
    }
    uint8_t buf[4];
    pci_set_long(buf, msg.data);
    pci_dma_write(dev, msg.address, buf, 4);
}

/* ---- the capability ---- */

static uint16_t msi_flags(const PCIDevice *dev)
{
    return pci_get_word(dev->config + dev->msi_cap + PCI_MSI_FLAGS);
}

static bool msi_64bit(const PCIDevice *dev)
{
    return msi_flags(dev) & PCI_MSI_FLAGS_64BIT;
}

static bool msi_maskbit(const PCIDevice *dev)
{
    return msi_flags(dev) & PCI_MSI_FLAGS_MASKBIT;
}

static unsigned msi_data_off(const PCIDevice *dev)
{
    return dev->msi_cap + (msi_64bit(dev) ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32);
}

static unsigned msi_mask_off(const PCIDevice *dev)
{
    return dev->msi_cap + (msi_64bit(dev) ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
}

static unsigned msi_pending_off(const PCIDevice *dev)
{
    return dev->msi_cap + (msi_64bit(dev) ? PCI_MSI_PENDING_64 : PCI_MSI_PENDING_32);
}

static unsigned msi_nr_vectors_allocated(const PCIDevice *dev)
{
    return 1u << ((msi_flags(dev) & PCI_MSI_FLAGS_QMASK) >> 1);
}

bool msi_present(const PCIDevice *dev)
{
    return dev->msi_cap != 0;
}

bool msi_enabled(const PCIDevice *dev)
{
    return msi_present(dev) && (msi_flags(dev) & PCI_MSI_FLAGS_ENABLE);
}

/* Multiple Message Enable beyond what the function can do (software error,
 * §6.8.1.3) gets what it can do. */
unsigned msi_nr_vectors_enabled(const PCIDevice *dev)
{
    unsigned mme = (msi_flags(dev) & PCI_MSI_FLAGS_QSIZE) >> 4;
    unsigned mmc = (msi_flags(dev) & PCI_MSI_FLAGS_QMASK) >> 1;
    return 1u << MIN(mme, mmc);
}

uint8_t msi_init(PCIDevice *dev, uint8_t offset, unsigned nr_vectors, bool msi64bit,
                 bool per_vector_mask, Error **errp)
{
    unsigned log2 = 0;
    g_assert(nr_vectors >= 1 && nr_vectors <= 32 && !(nr_vectors & (nr_vectors - 1)));
    while ((1u << log2) < nr_vectors) {
        log2++;
    }
    uint8_t size = msi64bit ? (per_vector_mask ? 0x18 : 0x0e)
                            : (per_vector_mask ? 0x14 : 0x0a);
    uint8_t cap = pci_add_capability(dev, PCI_CAP_ID_MSI, offset, size, errp);
    if (!cap) {
        return 0;
    }
    dev->msi_cap = cap;
    uint16_t flags = log2 << 1;
    if (msi64bit) {
        flags |= PCI_MSI_FLAGS_64BIT;
    }
    if (per_vector_mask) {
        flags |= PCI_MSI_FLAGS_MASKBIT;
    }
    pci_set_word(dev->config + cap + PCI_MSI_FLAGS, flags);
    pci_set_word(dev->wmask + cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
    /* Address bits 1:0 are read-only 0: messages are dword-aligned writes. */
    pci_set_long(dev->wmask + cap + PCI_MSI_ADDRESS_LO, 0xfffffffc);
    if (msi64bit) {
        pci_set_long(dev->wmask + cap + PCI_MSI_ADDRESS_HI, 0xffffffff);
    }
    pci_set_word(dev->wmask + msi_data_off(dev), 0xffff);
    if (per_vector_mask) {
        uint32_t m = nr_vectors == 32 ? 0xffffffffu : (1u << nr_vectors) - 1;
        pci_set_long(dev->wmask + msi_mask_off(dev), m);
    }
    return cap;
}

void msi_uninit(PCIDevice *dev)
{
    if (!dev->msi_cap) {
        return;
    }
    uint8_t size = msi_64bit(dev) ? (msi_maskbit(dev) ? 0x18 : 0x0e)
                                  : (msi_maskbit(dev) ? 0x14 : 0x0a);
    pci_del_capability(dev, PCI_CAP_ID_MSI, size);
    dev->msi_cap = 0;
}

MSIMessage msi_get_message(PCIDevice *dev, unsigned vector)
{
    unsigned n = msi_nr_vectors_enabled(dev);
    MSIMessage msg;
    msg.address = pci_get_long(dev->config + dev->msi_cap + PCI_MSI_ADDRESS_LO);
    if (msi_64bit(dev)) {
        msg.address |= (uint64_t)pci_get_long(dev->config + dev->msi_cap +
                                               PCI_MSI_ADDRESS_HI) << 32;
    }
    msg.data = pci_get_word(dev->config + msi_data_off(dev));
    msg.data = (msg.data & ~(n - 1)) | (vector & (n - 1));
    return msg;
}

bool msi_is_masked(const PCIDevice *dev, unsigned vector)
{
    if (!msi_maskbit(dev)) {
        return false;
    }
    return pci_get_long(dev->config + msi_mask_off(dev)) & (1u << vector);
}

static void msi_set_pending(PCIDevice *dev, unsigned vector, bool pending)
{
    uint32_t p = pci_get_long(dev->config + msi_pending_off(dev));
    p = pending ? p | (1u << vector) : p & ~(1u << vector);
    pci_set_long(dev->config + msi_pending_off(dev), p);
}

void msi_notify(PCIDevice *dev, unsigned vector)
{
    if (!msi_enabled(dev)) {
        return;
    }
    g_assert(vector < msi_nr_vectors_allocated(dev));
    vector &= msi_nr_vectors_enabled(dev) - 1;
    if (msi_is_masked(dev, vector)) {
        msi_set_pending(dev, vector, true);
        return;
    }
    msi_send_message(dev, msi_get_message(dev, vector));
}

/* Unmasked vectors with their pending bit set go out now (§6.8.1.7). */
static void msi_flush_pending(PCIDevice *dev)
{
    if (!msi_enabled(dev) || !msi_maskbit(dev)) {
        return;
    }
    unsigned n = msi_nr_vectors_enabled(dev);
    uint32_t pending = pci_get_long(dev->config + msi_pending_off(dev));
    for (unsigned v = 0; v < n; v++) {
        if ((pending & (1u << v)) && !msi_is_masked(dev, v)) {
            msi_set_pending(dev, v, false);
            msi_send_message(dev, msi_get_message(dev, v));
        }
    }
}

void msi_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len)
{
    if (!dev->msi_cap) {
        return;
    }
    uint8_t size = msi_64bit(dev) ? (msi_maskbit(dev) ? 0x18 : 0x0e)
                                  : (msi_maskbit(dev) ? 0x14 : 0x0a);
    if (!ranges_overlap(addr, len, dev->msi_cap, size)) {
        return;
    }
    uint16_t mme = (msi_flags(dev) & PCI_MSI_FLAGS_QSIZE) >> 4;
    uint16_t mmc = (msi_flags(dev) & PCI_MSI_FLAGS_QMASK) >> 1;
    if (mme > mmc) {
        emu_log_mask(LOG_GUEST_ERROR, "%s %02x.%x: MSI Multiple Message Enable %u above "
                     "the capable %u; using %u vectors\n", object_get_typename(OBJECT(dev)),
                     PCI_SLOT(dev->devfn), PCI_FUNC(dev->devfn), 1u << mme, 1u << mmc,
                     1u << mmc);
        pci_count_ignored(dev);
    }
    pci_intx_update(dev);
    msi_flush_pending(dev);
}

void msi_reset(PCIDevice *dev)
{
    if (!dev->msi_cap) {
        return;
    }
    uint8_t cap = dev->msi_cap;
    uint16_t flags = msi_flags(dev) & ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
    pci_set_word(dev->config + cap + PCI_MSI_FLAGS, flags);
    pci_set_long(dev->config + cap + PCI_MSI_ADDRESS_LO, 0);
    if (msi_64bit(dev)) {
        pci_set_long(dev->config + cap + PCI_MSI_ADDRESS_HI, 0);
    }
    pci_set_word(dev->config + msi_data_off(dev), 0);
    if (msi_maskbit(dev)) {
        pci_set_long(dev->config + msi_mask_off(dev), 0);
        pci_set_long(dev->config + msi_pending_off(dev), 0);
    }
}

void msi_post_load(PCIDevice *dev, const uint8_t *loaded)
{
    if (!dev->msi_cap || !msi_maskbit(dev)) {
        return;
    }
    /* Pending bits are the function's state: take them, for real vectors only. */
    unsigned n = msi_nr_vectors_allocated(dev);
    uint32_t valid = n == 32 ? 0xffffffffu : (1u << n) - 1;
    pci_set_long(dev->config + msi_pending_off(dev),
                 pci_get_long(loaded + msi_pending_off(dev)) & valid);
}
