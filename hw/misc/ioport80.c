/*
 * Port 0x80: POST codes and I/O delays. On a PC the write goes out on the
 * bus and nobody claims it (a POST card may display it); a read floats high.
 */
#include "hw/misc/ioport80.h"

static uint64_t ioport80_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0xff;
}

static void ioport80_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    IOPort80State *s = opaque;
    s->last_code = val;
    s->writes++;
}

static const MemoryRegionOps ioport80_ops = {
    .read = ioport80_read,
    .write = ioport80_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static void ioport80_init(Object *obj)
{
    IOPort80State *s = IOPORT80(obj);
    memory_region_init_io(&s->io, obj, &ioport80_ops, s, "ioport80", 1);
}

static void ioport80_realize(DeviceState *dev, Error **errp)
{
    IOPort80State *s = IOPORT80(dev);
    isa_register_ioport(ISA_DEVICE(dev), &s->io, IOPORT80_PORT);
}

static void ioport80_finalize(Object *obj)
{
    memory_region_finalize(&IOPORT80(obj)->io);
}

static void ioport80_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    /* No vmsd: reads float (0xff), so last_code and writes are statistics that
     * the guest can never observe. */
    dc->desc = "POST diagnostic port 0x80 (writes ignored, reads 0xff)";
    dc->category = DEVICE_CATEGORY_MISC;
    dc->realize = ioport80_realize;
}

static const TypeInfo ioport80_types[] = {
    {
        .name = TYPE_IOPORT80,
        .parent = TYPE_ISA_DEVICE,
        .instance_size = sizeof(IOPort80State),
        .instance_init = ioport80_init,
        .instance_finalize = ioport80_finalize,
        .class_init = ioport80_class_init,
    },
};
DEFINE_TYPES(ioport80_types)
