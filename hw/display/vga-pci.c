/*
 * "VGA": the standard VGA on PCI, QEMU's stdvga (1234:1111, class 0x0300).
 *
 *   BAR 0  the framebuffer (all of vram), 32-bit prefetchable memory
 *   BAR 2  4 KiB of MMIO: 0x400-0x41f are VGA ports 0x3c0-0x3df, 0x500 +
 *          2 * N is dispi register N, 0x600 the QEMU extension registers
 *          (their size, and the framebuffer byte order); 0x000, where QEMU
 *          keeps an EDID blob, reads 0 (no EDID)
 *   ROM    vgabios-stdvga.bin (SeaBIOS's VGA BIOS) from the data directories
 *
 * The legacy window 0xa0000-0xbffff and ports 0x3b0-0x3df and 0x1ce-0x1d0
 * are decoded whatever the command register says, as the PCI spec allows
 * VGA-compatible devices (and as QEMU does).
 */
#include "hw/pci/pci.h"
#include "hw/display/vga.h"
#include "migration/vmstate.h"
#include "util/log.h"

#define TYPE_PCI_VGA "VGA"

typedef struct PCIVGAState {
    PCIDevice parent_obj;
    VGACommonState vga;
    MemoryRegion mmio;
    MemoryRegion mmio_vga;
    MemoryRegion mmio_vbe;
    MemoryRegion mmio_qext;
    bool mmio_enabled;          /* property "mmio": BAR 2 */
    bool qext;                  /* property "qemu-extended-regs" */
} PCIVGAState;

DECLARE_INSTANCE_CHECKER(PCIVGAState, PCI_VGA, TYPE_PCI_VGA)

static uint64_t mmio_vga_read(void *opaque, hwaddr addr, unsigned size)
{
    return vga_ioport_read(opaque, 0x3c0 + addr);
}

static void mmio_vga_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    vga_ioport_write(opaque, 0x3c0 + addr, val);
}

static const MemoryRegionOps mmio_vga_ops = {
    .read = mmio_vga_read,
    .write = mmio_vga_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static uint64_t mmio_vbe_read(void *opaque, hwaddr addr, unsigned size)
{
    VGACommonState *s = opaque;
    vbe_write_index(s, addr >> 1);
    return vbe_read_data(s);
}

static void mmio_vbe_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    VGACommonState *s = opaque;
    vbe_write_index(s, addr >> 1);
    vbe_write_data(s, val);
}

static const MemoryRegionOps mmio_vbe_ops = {
    .read = mmio_vbe_read,
    .write = mmio_vbe_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 2, .max_access_size = 2 },
};

static uint64_t mmio_qext_read(void *opaque, hwaddr addr, unsigned size)
{
    VGACommonState *s = opaque;
    switch (addr) {
    case PCI_VGA_QEXT_REG_SIZE:
        return PCI_VGA_QEXT_SIZE;
    case PCI_VGA_QEXT_REG_BYTEORDER:
        return s->big_endian_fb ? PCI_VGA_QEXT_BIG_ENDIAN : PCI_VGA_QEXT_LITTLE_ENDIAN;
    default:
        return 0;
    }
}

static void mmio_qext_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    VGACommonState *s = opaque;
    if (addr != PCI_VGA_QEXT_REG_BYTEORDER) {
        return;
    }
    if (val == PCI_VGA_QEXT_BIG_ENDIAN) {
        s->big_endian_fb = true;
    } else if (val == PCI_VGA_QEXT_LITTLE_ENDIAN) {
        s->big_endian_fb = false;
    } else {
        s->ignored_writes++;
    }
}

static const MemoryRegionOps mmio_qext_ops = {
    .read = mmio_qext_read,
    .write = mmio_qext_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

/* The rest of BAR 2 (the EDID area included) reads 0 and ignores writes. */
static uint64_t mmio_zero_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void mmio_zero_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
}

static const MemoryRegionOps mmio_zero_ops = {
    .read = mmio_zero_read,
    .write = mmio_zero_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static void pci_vga_realize(PCIDevice *pd, Error **errp)
{
    PCIVGAState *d = PCI_VGA(pd);
    VGACommonState *s = &d->vga;
    Object *o = OBJECT(pd);

    if (!vga_common_init(s, o, errp)) {
        return;
    }
    vga_init_legacy(s, pci_address_space(pd), pci_address_space_io(pd));
    pci_register_bar(pd, 0, PCI_BASE_ADDRESS_MEM_PREFETCH, &s->vram);

    if (d->mmio_enabled) {
        memory_region_init_io(&d->mmio, o, &mmio_zero_ops, s, "vga.mmio", PCI_VGA_MMIO_SIZE);
        memory_region_init_io(&d->mmio_vga, o, &mmio_vga_ops, s, "vga ioports remapped",
                              PCI_VGA_IOPORT_SIZE);
        memory_region_init_io(&d->mmio_vbe, o, &mmio_vbe_ops, s, "bochs dispi interface",
                              PCI_VGA_BOCHS_SIZE);
        memory_region_add_subregion(&d->mmio, PCI_VGA_IOPORT_OFFSET, &d->mmio_vga);
        memory_region_add_subregion(&d->mmio, PCI_VGA_BOCHS_OFFSET, &d->mmio_vbe);
        if (d->qext) {
            memory_region_init_io(&d->mmio_qext, o, &mmio_qext_ops, s, "qemu extended regs",
                                  PCI_VGA_QEXT_SIZE);
            memory_region_add_subregion(&d->mmio, PCI_VGA_QEXT_OFFSET, &d->mmio_qext);
            /* Revision 2 tells drivers (bochs-drm) that the qext registers exist. */
            pd->config[PCI_REVISION_ID] = 2;
        }
        pci_register_bar(pd, 2, PCI_BASE_ADDRESS_SPACE_MEMORY, &d->mmio);
    }
    vga_console_init(s, o);
}

static void pci_vga_exit(PCIDevice *pd)
{
    vga_common_unrealize(&PCI_VGA(pd)->vga);
}

static void pci_vga_reset(PCIDevice *pd)
{
    vga_common_reset(&PCI_VGA(pd)->vga);
}

static void pci_vga_init(Object *obj)
{
    PCIDevice *pd = PCI_DEVICE(obj);
    if (!pd->romfile) {
        pd->romfile = g_strdup("vgabios-stdvga.bin");
    }
}

static void pci_vga_finalize(Object *obj)
{
    PCIVGAState *d = PCI_VGA(obj);
    vga_common_finalize(&d->vga);
    memory_region_finalize(&d->mmio_vga);
    memory_region_finalize(&d->mmio_vbe);
    memory_region_finalize(&d->mmio_qext);
    memory_region_finalize(&d->mmio);
}

static const VMStateDescription vmstate_pci_vga = {
    .name = "VGA",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(vga, PCIVGAState, 1, vmstate_vga_common, VGACommonState),
        VMSTATE_STRUCT(parent_obj, PCIVGAState, 1, vmstate_pci_device, PCIDevice),
        VMSTATE_END_OF_LIST()
    },
};

static const Property pci_vga_props[] = {
    DEFINE_PROP_UINT32("vgamem_mb", PCIVGAState, vga.vram_size_mb, VGA_VRAM_DEFAULT_MB),
    DEFINE_PROP_BOOL("mmio", PCIVGAState, mmio_enabled, true),
    DEFINE_PROP_BOOL("qemu-extended-regs", PCIVGAState, qext, true),
    DEFINE_PROP_END_OF_LIST(),
};

static void pci_vga_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    dc->desc = "standard VGA with Bochs VBE (QEMU stdvga, 1234:1111)";
    dc->category = DEVICE_CATEGORY_DISPLAY;
    dc->user_creatable = true;
    dc->vmsd = &vmstate_pci_vga;
    device_class_set_props(dc, pci_vga_props);
    pc->realize = pci_vga_realize;
    pc->exit = pci_vga_exit;
    pc->reset = pci_vga_reset;
    pc->vendor_id = 0x1234;
    pc->device_id = 0x1111;
    pc->class_id = PCI_CLASS_DISPLAY_VGA;
}

static const TypeInfo pci_vga_types[] = {
    {
        .name = TYPE_PCI_VGA,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PCIVGAState),
        .instance_init = pci_vga_init,
        .instance_finalize = pci_vga_finalize,
        .class_init = pci_vga_class_init,
    },
};
DEFINE_TYPES(pci_vga_types)
