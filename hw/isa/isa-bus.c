/* The ISA bus: legacy I/O ports and IRQs 0-15. */
#include "hw/isa/isa.h"

ISABus *isa_bus_new(DeviceState *parent, MemoryRegion *io)
{
    ISABus *bus = ISA_BUS(qbus_new(TYPE_ISA_BUS, parent, "isa.0"));
    bus->address_space_io = io;
    return bus;
}

void isa_bus_set_irqs(ISABus *bus, const qemu_irq *irqs)
{
    memcpy(bus->irqs, irqs, sizeof(bus->irqs));
}

ISABus *isa_bus_of(ISADevice *dev)
{
    return ISA_BUS(DEVICE(dev)->parent_bus);
}

qemu_irq isa_get_irq(ISADevice *dev, unsigned isairq)
{
    g_assert(isairq < ISA_NUM_IRQS);
    return isa_bus_of(dev)->irqs[isairq];
}

void isa_register_ioport(ISADevice *dev, MemoryRegion *io, uint16_t start)
{
    memory_region_add_subregion(isa_bus_of(dev)->address_space_io, start, io);
}

ISADevice *isa_create_simple(ISABus *bus, const char *type, Error **errp)
{
    DeviceState *dev = qdev_new(type);
    if (!qdev_realize_and_unref(dev, BUS(bus), errp)) {
        return NULL;
    }
    return ISA_DEVICE(dev);
}

static void isa_print_dev(GString *out, DeviceState *dev, int indent)
{
    /* Devices print their iobase/irq properties themselves. */
}

static void isa_bus_class_init(ObjectClass *oc, void *data)
{
    BusClass *bc = BUS_CLASS(oc);
    bc->print_dev = isa_print_dev;
}

static void isa_device_class_init(ObjectClass *oc, void *data)
{
    DEVICE_CLASS(oc)->bus_type = TYPE_ISA_BUS;
}

static const TypeInfo isa_types[] = {
    {
        .name = TYPE_ISA_BUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(ISABus),
        .class_init = isa_bus_class_init,
    },
    {
        .name = TYPE_ISA_DEVICE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(ISADevice),
        .class_init = isa_device_class_init,
        .abstract = true,
    },
};
DEFINE_TYPES(isa_types)
