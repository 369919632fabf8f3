/*
 * isa-vga: the standard VGA without PCI (QEMU's isa-vga): the legacy window,
 * the VGA and VBE ports, and the linear framebuffer at the fixed address
 * 0xe0000000 (VBE_DISPI_LFB_PHYSICAL_ADDRESS), where the Bochs VBE BIOS
 * expects it. It has no option ROM of its own.
 */
#include "hw/isa/isa.h"
#include "hw/display/vga.h"
#include "migration/vmstate.h"

#define TYPE_ISA_VGA "isa-vga"

typedef struct ISAVGAState {
    ISADevice parent_obj;
    VGACommonState vga;
    bool lfb_mapped;
} ISAVGAState;

DECLARE_INSTANCE_CHECKER(ISAVGAState, ISA_VGA, TYPE_ISA_VGA)

static void isa_vga_realize(DeviceState *dev, Error **errp)
{
    ISAVGAState *d = ISA_VGA(dev);
    VGACommonState *s = &d->vga;

    if (!vga_common_init(s, OBJECT(dev), errp)) {
        return;
    }
    vga_init_legacy(s, get_system_memory(), isa_bus_of(ISA_DEVICE(dev))->address_space_io);
    memory_region_add_subregion(get_system_memory(), VBE_DISPI_LFB_PHYSICAL_ADDRESS,
                                &s->vram);
    d->lfb_mapped = true;
    vga_console_init(s, OBJECT(dev));
}

static void isa_vga_unrealize(DeviceState *dev)
{
    ISAVGAState *d = ISA_VGA(dev);
    vga_common_unrealize(&d->vga);
    if (d->lfb_mapped) {
        memory_region_del_subregion(get_system_memory(), &d->vga.vram);
        d->lfb_mapped = false;
    }
}

static void isa_vga_reset(DeviceState *dev, ResetType type)
{
    vga_common_reset(&ISA_VGA(dev)->vga);
}

static void isa_vga_finalize(Object *obj)
{
    vga_common_finalize(&ISA_VGA(obj)->vga);
}

static const VMStateDescription vmstate_isa_vga = {
    .name = "isa-vga",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(vga, ISAVGAState, 1, vmstate_vga_common, VGACommonState),
        VMSTATE_END_OF_LIST()
    },
};

static const Property isa_vga_props[] = {
    DEFINE_PROP_UINT32("vgamem_mb", ISAVGAState, vga.vram_size_mb, VGA_VRAM_DEFAULT_MB),
    DEFINE_PROP_END_OF_LIST(),
};

static void isa_vga_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "standard VGA with Bochs VBE on the ISA bus (LFB at 0xe0000000)";
    dc->category = DEVICE_CATEGORY_DISPLAY;
    dc->user_creatable = true;
    dc->bus_type = TYPE_ISA_BUS;
    dc->realize = isa_vga_realize;
    dc->unrealize = isa_vga_unrealize;
    dc->reset = isa_vga_reset;
    dc->vmsd = &vmstate_isa_vga;
    device_class_set_props(dc, isa_vga_props);
}

static const TypeInfo isa_vga_types[] = {
    {
        .name = TYPE_ISA_VGA,
        .parent = TYPE_ISA_DEVICE,
        .instance_size = sizeof(ISAVGAState),
        .instance_finalize = isa_vga_finalize,
        .class_init = isa_vga_class_init,
    },
};
DEFINE_TYPES(isa_vga_types)
