/*
 * isa-debugcon: the Bochs/QEMU debug console port (0xE9 by default). Each
 * byte written goes to the chardev; a read returns the readback value, which
 * guests (SeaBIOS, Linux's earlyprintk=... checks) use to detect the port.
 */
#include "hw/misc/debugcon.h"
#include "util/log.h"

static uint64_t debugcon_read(void *opaque, hwaddr addr, unsigned size)
{
    ISADebugconState *s = opaque;
    return s->readback & 0xff;
}

static void debugcon_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    ISADebugconState *s = opaque;
    uint8_t ch = val;

    /* Like QEMU, wait for the host side rather than lose guest output. */
    qemu_chr_fe_write_all(&s->chr, &ch, 1);
}

static const MemoryRegionOps debugcon_ops = {
    .read = debugcon_read,
    .write = debugcon_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static void debugcon_realize(DeviceState *dev, Error **errp)
{
    ISADebugconState *s = ISA_DEBUGCON(dev);

    if (!s->chardev || !*s->chardev) {
        error_setg(errp, "isa-debugcon: the chardev property is required "
                   "(-chardev ...,id=ID -device isa-debugcon,chardev=ID)");
        return;
    }
    Chardev *chr = qemu_chr_find(s->chardev);
    if (!chr) {
        error_setg(errp, "isa-debugcon: chardev '%s' not found (create it with "
                   "-chardev BACKEND,id=%s)", s->chardev, s->chardev);
        return;
    }
    if (s->iobase > 0xffff) {
        error_setg(errp, "isa-debugcon: iobase 0x%x is outside the I/O space (0..0xffff)",
                   s->iobase);
        return;
    }
    if (!qemu_chr_fe_init(&s->chr, chr, errp)) {
        return;
    }
    memory_region_init_io(&s->io, OBJECT(dev), &debugcon_ops, s, "isa-debugcon", 1);
    isa_register_ioport(ISA_DEVICE(dev), &s->io, s->iobase);
}

static void debugcon_unrealize(DeviceState *dev)
{
    ISADebugconState *s = ISA_DEBUGCON(dev);
    qemu_chr_fe_deinit(&s->chr, false);
}

static void debugcon_finalize(Object *obj)
{
    memory_region_finalize(&ISA_DEBUGCON(obj)->io);
}

static const Property debugcon_props[] = {
    DEFINE_PROP_UINT32("iobase", ISADebugconState, iobase, 0xe9),
    DEFINE_PROP_STRING("chardev", ISADebugconState, chardev),
    DEFINE_PROP_UINT32("readback", ISADebugconState, readback, 0xe9),
    DEFINE_PROP_END_OF_LIST(),
};

static void debugcon_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    /* No vmsd: iobase, readback and the chardev are configuration; a write goes
     * straight out, so the device holds no guest state between accesses. */
    dc->desc = "ISA debug console (Bochs port 0xe9)";
    dc->category = DEVICE_CATEGORY_MISC;
    dc->user_creatable = true;
    dc->realize = debugcon_realize;
    dc->unrealize = debugcon_unrealize;
    device_class_set_props(dc, debugcon_props);
}

static const TypeInfo debugcon_types[] = {
    {
        .name = TYPE_ISA_DEBUGCON,
        .parent = TYPE_ISA_DEVICE,
        .instance_size = sizeof(ISADebugconState),
        .instance_finalize = debugcon_finalize,
        .class_init = debugcon_class_init,
    },
};
DEFINE_TYPES(debugcon_types)
