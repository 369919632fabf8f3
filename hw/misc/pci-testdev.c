/*
 * emu-pci-testdev: a PCI function for emu's own tests (in the spirit of
 * QEMU's pci-testdev; the layout is emu's own, include/hw/misc/
 * pci-testdev-regs.h). It has one BAR of every kind, an expansion ROM, MSI
 * and MSI-X, and registers that make it raise INTx, signal vectors and do a
 * bus-master write, so the PCI core can be tested from outside. No real
 * machine has it; no guest OS should rely on it.
 */
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/misc/pci-testdev-regs.h"
#include "migration/vmstate.h"
#include "util/log.h"

#define TYPE_PCI_TESTDEV "emu-pci-testdev"

typedef struct PCITestDevState {
    PCIDevice parent_obj;
    MemoryRegion io;
    MemoryRegion mmio;
    MemoryRegion ram64;
    MemoryRegion msix_bar;
    MemoryRegion ram32;
    MemoryRegion rom;
    /* properties */
    uint8_t intx_pin;
    uint32_t msi_vectors;
    bool msi_64bit;
    bool msi_maskbit;
    uint32_t msix_vectors;
    /* registers */
    uint32_t scratch;
    uint32_t count;
    uint32_t dma_lo, dma_hi;
    uint32_t dma_status;
} PCITestDevState;

DECLARE_INSTANCE_CHECKER(PCITestDevState, PCI_TESTDEV, TYPE_PCI_TESTDEV)

static uint32_t testdev_reg_read(PCITestDevState *s, unsigned reg)
{
    PCIDevice *pd = PCI_DEVICE(s);
    switch (reg) {
    case PCITESTDEV_REG_ID:
        return PCITESTDEV_ID_VALUE;
    case PCITESTDEV_REG_INTX:
        return pd->intx_level;
    case PCITESTDEV_REG_SCRATCH:
        return s->scratch;
    case PCITESTDEV_REG_COUNT:
        return s->count;
    case PCITESTDEV_REG_DMA_LO:
        return s->dma_lo;
    case PCITESTDEV_REG_DMA_HI:
        return s->dma_hi;
    case PCITESTDEV_REG_DMA_STATUS:
        return s->dma_status;
    default:
        return 0;
    }
}

static void testdev_reg_write(PCITestDevState *s, unsigned reg, uint32_t val)
{
    PCIDevice *pd = PCI_DEVICE(s);
    switch (reg) {
    case PCITESTDEV_REG_INTX:
        pci_set_irq(pd, val & 1);
        break;
    case PCITESTDEV_REG_MSI:
        if (msi_present(pd) && val < s->msi_vectors) {
            msi_notify(pd, val);
        } else {
            pd->parent_obj.ignored_accesses++;
        }
        break;
    case PCITESTDEV_REG_MSIX:
        if (msix_present(pd) && val < s->msix_vectors) {
            msix_notify(pd, val);
        } else {
            pd->parent_obj.ignored_accesses++;
        }
        break;
    case PCITESTDEV_REG_SCRATCH:
        s->scratch = val;
        break;
    case PCITESTDEV_REG_DMA_LO:
        s->dma_lo = val;
        break;
    case PCITESTDEV_REG_DMA_HI:
        s->dma_hi = val;
        break;
    case PCITESTDEV_REG_DMA_WRITE: {
        uint8_t buf[4];
        pci_set_long(buf, val);
        s->dma_status = pci_dma_write(pd, (uint64_t)s->dma_hi << 32 | s->dma_lo, buf, 4)
                        != MEMTX_OK;
        break;
    }
    default:
        break;
    }
}

/* Narrower accesses see or change part of the 32-bit register. */
static uint64_t testdev_read(void *opaque, hwaddr addr, unsigned size)
{
    PCITestDevState *s = opaque;
    s->count++;
    uint32_t v = testdev_reg_read(s, addr & ~3);
    return (v >> (8 * (addr & 3))) & (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1);
}

static void testdev_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PCITestDevState *s = opaque;
    s->count++;
    if (size < 4) {
        unsigned sh = 8 * (addr & 3);
        uint32_t m = ((1u << (8 * size)) - 1) << sh;
        uint32_t old = testdev_reg_read(s, addr & ~3);
        val = (old & ~m) | (((uint32_t)val << sh) & m);
    }
    testdev_reg_write(s, addr & ~3, val);
}

static const MemoryRegionOps testdev_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static void testdev_realize(PCIDevice *pd, Error **errp)
{
    PCITestDevState *s = PCI_TESTDEV(pd);
    Object *o = OBJECT(s);

    if (s->intx_pin > PCI_NUM_PINS) {
        error_setg(errp, "intx-pin=%u: use 0 (none) or 1-4 (INTA-INTD)", s->intx_pin);
        return;
    }
    if (s->msi_vectors > 32 || (s->msi_vectors & (s->msi_vectors - 1))) {
        error_setg(errp, "msi-vectors=%u: use 0 or a power of two up to 32",
                   s->msi_vectors);
        return;
    }
    if (s->msix_vectors > PCI_MSIX_MAX_VECTORS) {
        error_setg(errp, "msix-vectors=%u: at most %d", s->msix_vectors,
                   PCI_MSIX_MAX_VECTORS);
        return;
    }
    pci_config_set_interrupt_pin(pd, s->intx_pin);

    memory_region_init_io(&s->io, o, &testdev_ops, s, "pci-testdev-io", PCITESTDEV_IO_SIZE);
    memory_region_init_io(&s->mmio, o, &testdev_ops, s, "pci-testdev-mmio",
                          PCITESTDEV_MMIO_SIZE);
    if (!memory_region_init_ram(&s->ram64, o, "pci-testdev-ram64", PCITESTDEV_RAM64_SIZE,
                                errp) ||
        !memory_region_init_ram(&s->ram32, o, "pci-testdev-ram32", PCITESTDEV_RAM32_SIZE,
                                errp) ||
        !memory_region_init_rom(&s->rom, o, "pci-testdev-rom", PCITESTDEV_ROM_SIZE, errp)) {
        return;
    }
    uint8_t *rom = memory_region_get_ram_ptr(&s->rom);
    for (unsigned i = 0; i < PCITESTDEV_ROM_SIZE; i++) {
        rom[i] = PCITESTDEV_ROM_BYTE(i);
    }
    rom[0] = 0x55;
    rom[1] = 0xaa;

    pci_register_bar(pd, 0, PCI_BASE_ADDRESS_SPACE_IO, &s->io);
    pci_register_bar(pd, 1, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->mmio);
    pci_register_bar(pd, 2, PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH,
                     &s->ram64);
    pci_register_bar(pd, 5, PCI_BASE_ADDRESS_MEM_PREFETCH, &s->ram32);
    if (!pd->romfile || !*pd->romfile) {
        pci_register_bar(pd, PCI_ROM_SLOT, 0, &s->rom);
    }

    if (s->msix_vectors) {
        memory_region_init(&s->msix_bar, o, "pci-testdev-msix", PCITESTDEV_MSIX_SIZE);
        if (!msix_init(pd, s->msix_vectors, &s->msix_bar, 4, 0, &s->msix_bar, 4,
                       PCITESTDEV_MSIX_PBA, 0, errp)) {
            return;
        }
        pci_register_bar(pd, 4, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->msix_bar);
    }
    if (s->msi_vectors && !msi_init(pd, 0, s->msi_vectors, s->msi_64bit, s->msi_maskbit,
                                    errp)) {
        return;
    }
}

static void testdev_reset(PCIDevice *pd)
{
    PCITestDevState *s = PCI_TESTDEV(pd);
    s->scratch = 0;
    s->count = 0;
    s->dma_lo = s->dma_hi = 0;
    s->dma_status = 0;
    memset(memory_region_get_ram_ptr(&s->ram64), 0, PCITESTDEV_RAM64_SIZE);
    memset(memory_region_get_ram_ptr(&s->ram32), 0, PCITESTDEV_RAM32_SIZE);
}

static void testdev_finalize(Object *obj)
{
    PCITestDevState *s = PCI_TESTDEV(obj);
    memory_region_finalize(&s->io);
    memory_region_finalize(&s->mmio);
    memory_region_finalize(&s->ram64);
    memory_region_finalize(&s->ram32);
    memory_region_finalize(&s->rom);
    memory_region_finalize(&s->msix_bar);
}

static const VMStateDescription vmstate_pci_testdev = {
    .name = "emu-pci-testdev",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(scratch, PCITestDevState),
        VMSTATE_UINT32(count, PCITestDevState),
        VMSTATE_UINT32(dma_lo, PCITestDevState),
        VMSTATE_UINT32(dma_hi, PCITestDevState),
        VMSTATE_UINT32(dma_status, PCITestDevState),
        VMSTATE_STRUCT(parent_obj, PCITestDevState, 1, vmstate_pci_device, PCIDevice),
        VMSTATE_END_OF_LIST()
    },
};

static const Property testdev_props[] = {
    DEFINE_PROP_UINT8("intx-pin", PCITestDevState, intx_pin, 1),
    DEFINE_PROP_UINT32("msi-vectors", PCITestDevState, msi_vectors, 4),
    DEFINE_PROP_BOOL("msi-64bit", PCITestDevState, msi_64bit, true),
    DEFINE_PROP_BOOL("msi-maskbit", PCITestDevState, msi_maskbit, true),
    DEFINE_PROP_UINT32("msix-vectors", PCITestDevState, msix_vectors, 8),
    DEFINE_PROP_END_OF_LIST(),
};

static void testdev_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    dc->desc = "PCI function for emu's tests (all BAR kinds, ROM, MSI, MSI-X)";
    dc->category = DEVICE_CATEGORY_MISC;
    dc->user_creatable = true;
    dc->vmsd = &vmstate_pci_testdev;
    device_class_set_props(dc, testdev_props);
    pc->realize = testdev_realize;
    pc->reset = testdev_reset;
    pc->vendor_id = PCITESTDEV_VENDOR_ID;
    pc->device_id = PCITESTDEV_DEVICE_ID;
    pc->revision = PCITESTDEV_REVISION;
    pc->class_id = PCITESTDEV_CLASS;
}

static const TypeInfo testdev_types[] = {
    {
        .name = TYPE_PCI_TESTDEV,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PCITestDevState),
        .instance_finalize = testdev_finalize,
        .class_init = testdev_class_init,
    },
};
DEFINE_TYPES(testdev_types)
