/*
 * Port 0x92, System Control Port A (IBM PS/2 Hardware Interface Technical
 * Reference; Intel PIIX4 datasheet, "Port 92h"). Bit 1 gates A20 without the
 * keyboard controller's delay; bit 0 going from 0 to 1 resets the CPU. The
 * other bits (fixed-disk LED, password lock) do nothing on this machine and
 * read as 0.
 */
#include "hw/misc/port92.h"
#include "migration/vmstate.h"
#include "system/runstate.h"
#include "util/log.h"

static uint64_t port92_read(void *opaque, hwaddr addr, unsigned size)
{
    Port92State *s = opaque;
    return s->value;
}

static void port92_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    Port92State *s = opaque;
    uint8_t old = s->value;

    s->value = val & (PORT92_A20 | PORT92_RESET);
    if ((val ^ old) & PORT92_A20) {
        qemu_set_irq(s->a20_out, !!(val & PORT92_A20));
    }
    if ((val & PORT92_RESET) && !(old & PORT92_RESET)) {
        emu_log_mask(LOG_RESET, "port92: fast reset (0x%02x)\n", (unsigned)val);
        system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static const MemoryRegionOps port92_ops = {
    .read = port92_read,
    .write = port92_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static void port92_reset(DeviceState *dev, ResetType type)
{
    Port92State *s = PORT92(dev);
    /* The reset bit reads 0 again after the reset it caused; A20 stays as
     * it was, as on PIIX (the A20 gate is not part of the CPU reset). */
    s->value &= ~PORT92_RESET;
}

static void port92_init(Object *obj)
{
    Port92State *s = PORT92(obj);
    qdev_init_gpio_out_named(DEVICE(obj), &s->a20_out, PORT92_A20_LINE, 1);
    memory_region_init_io(&s->io, obj, &port92_ops, s, "port92", 1);
}

static void port92_realize(DeviceState *dev, Error **errp)
{
    Port92State *s = PORT92(dev);
    isa_register_ioport(ISA_DEVICE(dev), &s->io, PORT92_PORT);
}

static void port92_finalize(Object *obj)
{
    memory_region_finalize(&PORT92(obj)->io);
}

/*
 * Only bits 0 and 1 are ever stored. The A20 output is not re-driven on load:
 * the CPU's A20 state migrates with the CPU, and the i8042 drives the same
 * gate, so asserting port 0x92's view alone could undo the i8042's.
 */
static int port92_post_load(void *opaque, int version_id)
{
    Port92State *s = opaque;
    return s->value & ~(PORT92_A20 | PORT92_RESET) ? -1 : 0;
}

static const VMStateDescription vmstate_port92 = {
    .name = "port92",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = port92_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(value, Port92State),
        VMSTATE_END_OF_LIST()
    },
};

static void port92_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->desc = "System Control Port A (fast A20 and reset, port 0x92)";
    dc->category = DEVICE_CATEGORY_MISC;
    dc->realize = port92_realize;
    dc->reset = port92_reset;
    dc->vmsd = &vmstate_port92;
}

static const TypeInfo port92_types[] = {
    {
        .name = TYPE_PORT92,
        .parent = TYPE_ISA_DEVICE,
        .instance_size = sizeof(Port92State),
        .instance_init = port92_init,
        .instance_finalize = port92_finalize,
        .class_init = port92_class_init,
    },
};
DEFINE_TYPES(port92_types)
