/*
 * PIIX3 IDE function (82371SB datasheet 290550 §2.4): PCI 8086:7010, class
 * 0x0101 with programming interface 0x80 (both channels in compatibility
 * mode, bus mastering). The command blocks sit at the legacy ports whatever
 * the BARs say, as QEMU's piix3-ide; BAR4 is the 16-byte bus-master block
 * (SFF-8038i §3.1: command, status and PRD table pointer per channel).
 */
#include "hw/ide/piix-ide.h"
#include "hw/ide/ide-internal.h"
#include "hw/nvram/fw-bootorder.h"
#include "util/log.h"

typedef struct PIIXIDEState {
    PCIDevice parent_obj;
    IDEBus bus[2];
    qemu_irq irq[2];
    MemoryRegion bmdma;
} PIIXIDEState;

DECLARE_INSTANCE_CHECKER(PIIXIDEState, PIIX_IDE, TYPE_PIIX3_IDE)

static const uint16_t cmd_base[2] = { 0x1f0, 0x170 };
static const uint16_t ctl_base[2] = { 0x3f6, 0x376 };

static uint64_t ide_cmd_read(void *opaque, hwaddr addr, unsigned size)
{
    IDEBus *bus = opaque;

    if (addr == 0) {
        return ide_data_read(bus, size);
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size && addr + i < 8; i++) {
        v |= (uint64_t)ide_ioport_read(bus, addr + i) << (8 * i);
    }
    return v;
}

static void ide_cmd_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    IDEBus *bus = opaque;

    if (addr == 0) {
        ide_data_write(bus, val, size);
        return;
    }
    for (unsigned i = 0; i < size && addr + i < 8; i++) {
        ide_ioport_write(bus, addr + i, val >> (8 * i));
    }
}

static const MemoryRegionOps ide_cmd_ops = {
    .read = ide_cmd_read,
    .write = ide_cmd_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

static uint64_t ide_ctl_read(void *opaque, hwaddr addr, unsigned size)
{
    return ide_status_read(opaque, true);
}

static void ide_ctl_write_op(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    ide_ctl_write(opaque, val);
}

static const MemoryRegionOps ide_ctl_ops = {
    .read = ide_ctl_read,
    .write = ide_ctl_write_op,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

/* ---- bus master (SFF-8038i §3.1) ---- */

static uint64_t bmdma_read(void *opaque, hwaddr addr, unsigned size)
{
    PIIXIDEState *d = opaque;
    IDEBus *bus = &d->bus[(addr >> 3) & 1];

    switch (addr & 7) {
    case 0:
        return bus->bm_cmd;
    case 2:
        return bus->bm_status;
    case 4: case 5: case 6: case 7:
        return (bus->bm_prd >> (8 * (addr & 3))) & 0xff;
    default:
        return 0;
    }
}

static void bmdma_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PIIXIDEState *d = opaque;
    IDEBus *bus = &d->bus[(addr >> 3) & 1];
    unsigned shift;

    switch (addr & 7) {
    case 0: {
        uint8_t old = bus->bm_cmd;
        /* §3.1.1: the direction bit may not change while the engine runs. */
        if (old & BM_CMD_START) {
            val = (val & BM_CMD_START) | (old & BM_CMD_WRITE);
        }
        bus->bm_cmd = val & (BM_CMD_START | BM_CMD_WRITE);
        if ((val & BM_CMD_START) && !(old & BM_CMD_START)) {
            ide_bm_start(bus);
        } else if (!(val & BM_CMD_START) && (old & BM_CMD_START)) {
            ide_bm_stop(bus);
        }
        break;
    }
    case 2:
        /* Error and Interrupt are write-1-to-clear, the capable bits R/W. */
        bus->bm_status = (bus->bm_status & BM_ST_ACTIVE) |
                         (bus->bm_status & ~val & (BM_ST_ERROR | BM_ST_INT)) |
                         (val & BM_ST_DMA_CAP);
        break;
    case 4: case 5: case 6: case 7:
        shift = 8 * (addr & 3);
        bus->bm_prd = (bus->bm_prd & ~(0xffu << shift)) | ((uint32_t)(val & 0xff) << shift);
        bus->bm_prd &= ~3u;     /* dword aligned */
        break;
    default:
        break;
    }
}

static const MemoryRegionOps bmdma_ops = {
    .read = bmdma_read,
    .write = bmdma_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static void piix_ide_realize(PCIDevice *pd, Error **errp)
{
    PIIXIDEState *d = PIIX_IDE(pd);
    Object *o = OBJECT(pd);

    pd->config[PCI_CLASS_PROG] = 0x80;
    /* IDETIM (0x40-0x43), SIDETIM (0x44): timing registers firmware writes. */
    pci_config_set_wmask(pd, 0x40, 4, 0xff);
    pci_config_set_wmask(pd, 0x44, 1, 0xff);

    qdev_init_gpio_out_named(DEVICE(pd), d->irq, PIIX_IDE_IRQ_OUT, 2);
    for (int i = 0; i < 2; i++) {
        IDEBus *bus = &d->bus[i];
        ide_bus_init(bus, DEVICE(pd), pd, i);
        ide_bus_new_qbus(bus, i ? "ide.1" : "ide.0");
        bus->irq = &d->irq[i];
        if (!ide_bus_attach_drives(bus, errp)) {
            return;
        }
        memory_region_init_io(&bus->cmd_io, o, &ide_cmd_ops, bus,
                              i ? "ide1-cmd" : "ide0-cmd", 8);
        memory_region_init_io(&bus->ctl_io, o, &ide_ctl_ops, bus,
                              i ? "ide1-ctl" : "ide0-ctl", 1);
        memory_region_add_subregion(pci_address_space_io(pd), cmd_base[i], &bus->cmd_io);
        memory_region_add_subregion(pci_address_space_io(pd), ctl_base[i], &bus->ctl_io);
    }
    memory_region_init_io(&d->bmdma, o, &bmdma_ops, d, "piix-bmdma", 16);
    pci_register_bar(pd, 4, PCI_BASE_ADDRESS_SPACE_IO, &d->bmdma);
}

static void piix_ide_exit(PCIDevice *pd)
{
    PIIXIDEState *d = PIIX_IDE(pd);

    fw_cfg_del_bootindex(DEVICE(pd));
    for (int i = 0; i < 2; i++) {
        /* A realize that failed on a drive left the ports unmapped. */
        if (memory_region_is_mapped(&d->bus[i].cmd_io)) {
            memory_region_del_subregion(pci_address_space_io(pd), &d->bus[i].cmd_io);
            memory_region_del_subregion(pci_address_space_io(pd), &d->bus[i].ctl_io);
        }
        for (int u = 0; u < 2; u++) {
            if (d->bus[i].ifs[u].blk) {
                blk_drain(d->bus[i].ifs[u].blk);
            }
        }
    }
}

static void piix_ide_reset(PCIDevice *pd)
{
    PIIXIDEState *d = PIIX_IDE(pd);
    for (int i = 0; i < 2; i++) {
        ide_bus_reset(&d->bus[i]);
    }
    /*
     * IDETIM bit 15, IDE Decode Enable (§2.4.11), resets to 0 and firmware
     * sets it; the ports are decoded regardless here (as QEMU), and the bit
     * comes out set so that drivers (Linux's ata_piix checks it) see both
     * channels enabled when emu boots a kernel directly, without firmware.
     */
    pd->config[0x41] = 0x80;
    pd->config[0x43] = 0x80;
}

static const VMStateDescription vmstate_piix_ide = {
    .name = "piix3-ide",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(parent_obj, PIIXIDEState, 1, vmstate_pci_device, PCIDevice),
        VMSTATE_STRUCT_ARRAY(bus, PIIXIDEState, 2, 1, vmstate_ide_bus, IDEBus),
        VMSTATE_END_OF_LIST()
    },
};

static void piix_ide_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    dc->desc = "PIIX3 IDE controller (8086:7010)";
    dc->vmsd = &vmstate_piix_ide;
    pc->realize = piix_ide_realize;
    pc->exit = piix_ide_exit;
    pc->reset = piix_ide_reset;
    pc->vendor_id = 0x8086;
    pc->device_id = PCI_DEVICE_ID_INTEL_82371SB_1;
    pc->class_id = 0x0101;      /* IDE controller */
    pc->class_prog = 0x80;
}

static const TypeInfo piix_ide_types[] = {
    {
        .name = TYPE_PIIX3_IDE,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PIIXIDEState),
        .class_init = piix_ide_class_init,
    },
};
DEFINE_TYPES(piix_ide_types)

PCIDevice *piix3_ide_create(Object *parent, PCIBus *bus, int devfn, qemu_irq irq14,
                            qemu_irq irq15, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_PIIX3_IDE);
    PCI_DEVICE(dev)->devfn = devfn;
    object_property_add_child(parent, "ide", OBJECT(dev));
    if (!qdev_realize_and_unref(dev, BUS(bus), errp)) {
        return NULL;
    }
    qdev_connect_gpio_out_named(dev, PIIX_IDE_IRQ_OUT, 0, irq14);
    qdev_connect_gpio_out_named(dev, PIIX_IDE_IRQ_OUT, 1, irq15);
    return PCI_DEVICE(dev);
}
