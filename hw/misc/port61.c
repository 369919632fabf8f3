/*
 * Port 0x61, NMI Status and Control (IBM PC/AT Technical Reference, port B;
 * Intel PIIX4 datasheet, NMI_SC). Bits 0-3 are read/write; bits 4-7 are
 * status. Bit 4 toggles with every DRAM refresh cycle (~15 us) on a real PC
 * and firmware times delays by counting its flips; here it flips on every
 * read, so such loops always make progress, whatever the guest's clock does.
 * Bits 6 and 7 (IOCHK and SERR NMI sources) are never set: nothing on this
 * machine raises those NMIs.
 */
#include "hw/misc/port61.h"
#include "migration/vmstate.h"

static uint64_t port61_read(void *opaque, hwaddr addr, unsigned size)
{
    Port61State *s = opaque;

    s->refresh = !s->refresh;
    return s->control |
           (s->refresh ? PORT61_REFRESH : 0) |
           (s->pit_out2 ? PORT61_PIT_OUT2 : 0);
}

static void port61_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    Port61State *s = opaque;

    /* Writes to the status bits are ignored by the chipset: not a guest error. */
    s->control = val & PORT61_RW_MASK;
    qemu_set_irq(s->gate2_out, !!(val & PORT61_PIT_GATE2));
    qemu_set_irq(s->speaker_out, !!(val & PORT61_SPEAKER_DATA));
}

static const MemoryRegionOps port61_ops = {
    .read = port61_read,
    .write = port61_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static void port61_set_pit_out2(void *opaque, int n, int level)
{
    Port61State *s = opaque;
    s->pit_out2 = level != 0;
}

static void port61_reset(DeviceState *dev, ResetType type)
{
    Port61State *s = PORT61(dev);
    s->control = 0;
    s->refresh = false;
    qemu_set_irq(s->gate2_out, 0);
    qemu_set_irq(s->speaker_out, 0);
}

static void port61_init(Object *obj)
{
    Port61State *s = PORT61(obj);
    DeviceState *dev = DEVICE(obj);

    qdev_init_gpio_in_named(dev, port61_set_pit_out2, PORT61_PIT_OUT2_LINE, 1);
    qdev_init_gpio_out_named(dev, &s->gate2_out, PORT61_PIT_GATE2_LINE, 1);
    qdev_init_gpio_out_named(dev, &s->speaker_out, PORT61_SPEAKER_LINE, 1);
    memory_region_init_io(&s->io, obj, &port61_ops, s, "port61", 1);
}

static void port61_realize(DeviceState *dev, Error **errp)
{
    Port61State *s = PORT61(dev);
    isa_register_ioport(ISA_DEVICE(dev), &s->io, PORT61_PORT);
}

static void port61_finalize(Object *obj)
{
    memory_region_finalize(&PORT61(obj)->io);
}

/*
 * Bits 0-3 as written, the refresh toggle, and the PIT channel 2 output as
 * last seen on the input line (bit 5 reads it back). The gate and speaker
 * outputs are not re-driven on load: the PIT keeps its own gate input level
 * in its state, and a second "rising edge" would restart a mode 1/5 count.
 */
static int port61_post_load(void *opaque, int version_id)
{
    Port61State *s = opaque;
    return s->control & ~PORT61_RW_MASK ? -1 : 0;
}

static const VMStateDescription vmstate_port61 = {
    .name = "pc-port61",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = port61_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(control, Port61State),
        VMSTATE_BOOL(refresh, Port61State),
        VMSTATE_BOOL(pit_out2, Port61State),
        VMSTATE_END_OF_LIST()
    },
};

static void port61_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->desc = "NMI status and control / speaker gate (port 0x61)";
    dc->category = DEVICE_CATEGORY_MISC;
    dc->realize = port61_realize;
    dc->reset = port61_reset;
    dc->vmsd = &vmstate_port61;
}

static const TypeInfo port61_types[] = {
    {
        .name = TYPE_PORT61,
        .parent = TYPE_ISA_DEVICE,
        .instance_size = sizeof(Port61State),
        .instance_init = port61_init,
        .instance_finalize = port61_finalize,
        .class_init = port61_class_init,
    },
};
DEFINE_TYPES(port61_types)
