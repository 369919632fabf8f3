/*
 * isa-serial: a 16550A at one of the PC's COM port addresses. 8 ports, one ISA
 * IRQ (gated by MCR.OUT2 as on PCs, see serial.c).
 */
#include "hw/char/serial.h"
#include "migration/vmstate.h"
#include "monitor/monitor.h"

/* The IBM PC/AT assignment of COM1..COM4. */
static const uint16_t isa_serial_io[ISA_SERIAL_MAX_INDEX] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
static const uint8_t isa_serial_irq[ISA_SERIAL_MAX_INDEX] = { 4, 3, 4, 3 };

/* Realized ports, in creation order, for index allocation and `info serial`. */
static GSList *isa_serial_ports;

static bool index_in_use(int index)
{
    for (GSList *l = isa_serial_ports; l; l = l->next) {
        if (((ISASerialState *)l->data)->index == index) {
            return true;
        }
    }
    return false;
}

static void isa_serial_realize(DeviceState *dev, Error **errp)
{
    ISASerialState *isa = ISA_SERIAL(dev);
    Chardev *chr = isa->chr_direct;

    if (isa->index == -1) {
        for (int i = 0; i < ISA_SERIAL_MAX_INDEX; i++) {
            if (!index_in_use(i)) {
                isa->index = i;
                break;
            }
        }
    }
    bool have_index = isa->index >= 0 && isa->index < ISA_SERIAL_MAX_INDEX;
    if (!have_index && (isa->iobase == -1 || isa->isairq == -1)) {
        error_setg(errp, "isa-serial: index=%d: COM ports are 0..%d; give iobase= and irq= "
                   "for more ports", isa->index, ISA_SERIAL_MAX_INDEX - 1);
        return;
    }
    int iobase = isa->iobase == -1 ? isa_serial_io[isa->index] : isa->iobase;
    int irq = isa->isairq == -1 ? isa_serial_irq[isa->index] : isa->isairq;
    if (iobase < 0 || iobase > 0xfff8) {
        error_setg(errp, "isa-serial: iobase=0x%x is outside the ISA I/O space "
                   "(0..0xfff8)", (unsigned)iobase);
        return;
    }
    if (irq < 0 || irq >= ISA_NUM_IRQS) {
        error_setg(errp, "isa-serial: irq=%d: ISA IRQs are 0..%d", irq, ISA_NUM_IRQS - 1);
        return;
    }
    for (GSList *l = isa_serial_ports; l; l = l->next) {
        ISASerialState *o = l->data;
        if (o->iobase < iobase + 8 && iobase < o->iobase + 8) {
            error_setg(errp, "isa-serial: iobase=0x%x overlaps the port at 0x%x",
                       (unsigned)iobase, (unsigned)o->iobase);
            return;
        }
    }
    if (!chr && isa->chardev && *isa->chardev) {
        chr = qemu_chr_find(isa->chardev);
        if (!chr) {
            error_setg(errp, "isa-serial: chardev '%s' not found (define it with "
                       "-chardev BACKEND,id=%s)", isa->chardev, isa->chardev);
            return;
        }
    }
    isa->iobase = iobase;
    isa->isairq = irq;
    isa->state.irq = isa_get_irq(ISA_DEVICE(dev), irq);
    if (!serial_realize_core(&isa->state, OBJECT(dev), chr, &dev->ignored_accesses,
                             errp)) {
        return;
    }
    if (chr && !isa->chardev) {
        isa->chardev = g_strdup(chr->label);
    }
    memory_region_init_io(&isa->io, OBJECT(dev), &serial_io_ops, &isa->state, "serial", 8);
    isa_register_ioport(ISA_DEVICE(dev), &isa->io, iobase);
    isa_serial_ports = g_slist_append(isa_serial_ports, isa);
}

static void isa_serial_unrealize(DeviceState *dev)
{
    ISASerialState *isa = ISA_SERIAL(dev);

    memory_region_del_subregion(isa_bus_of(ISA_DEVICE(dev))->address_space_io, &isa->io);
    serial_unrealize_core(&isa->state);
    isa_serial_ports = g_slist_remove(isa_serial_ports, isa);
}

static void isa_serial_reset(DeviceState *dev, ResetType type)
{
    serial_reset(&ISA_SERIAL(dev)->state);
}

ISADevice *serial_isa_create(ISABus *bus, int index, Chardev *chr, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_ISA_SERIAL);
    ISASerialState *isa = ISA_SERIAL(dev);

    object_property_set_int(OBJECT(dev), "index", index, &error_abort);
    isa->chr_direct = chr;
    if (!qdev_realize_and_unref(dev, BUS(bus), errp)) {
        return NULL;
    }
    return ISA_DEVICE(dev);
}

static void info_serial(GString *out)
{
    if (!isa_serial_ports) {
        g_string_append(out, "no serial ports\n");
    }
    for (GSList *l = isa_serial_ports; l; l = l->next) {
        ISASerialState *isa = l->data;
        g_string_append_printf(out, "COM%d: isa-serial at 0x%x, irq %d\n", isa->index + 1,
                               (unsigned)isa->iobase, isa->isairq);
        serial_describe(&isa->state, out);
    }
}

/* index, iobase, irq and chardev are configuration: the UART is all guest state. */
static const VMStateDescription vmstate_isa_serial = {
    .name = "isa-serial",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(state, ISASerialState, 0, vmstate_serial, SerialState),
        VMSTATE_END_OF_LIST()
    },
};

static const Property isa_serial_props[] = {
    DEFINE_PROP_INT32("index", ISASerialState, index, -1),
    DEFINE_PROP_INT32("iobase", ISASerialState, iobase, -1),
    DEFINE_PROP_INT32("irq", ISASerialState, isairq, -1),
    DEFINE_PROP_STRING("chardev", ISASerialState, chardev),
    DEFINE_PROP_END_OF_LIST(),
};

static void isa_serial_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "16550A UART (COM port)";
    dc->category = DEVICE_CATEGORY_INPUT;
    dc->user_creatable = true;
    dc->realize = isa_serial_realize;
    dc->unrealize = isa_serial_unrealize;
    dc->reset = isa_serial_reset;
    dc->vmsd = &vmstate_isa_serial;
    device_class_set_props(dc, isa_serial_props);
}

static const TypeInfo isa_serial_types[] = {
    {
        .name = TYPE_ISA_SERIAL,
        .parent = TYPE_ISA_DEVICE,
        .instance_size = sizeof(ISASerialState),
        .class_init = isa_serial_class_init,
    },
};
DEFINE_TYPES(isa_serial_types)

static void __attribute__((constructor)) isa_serial_register_info(void)
{
    monitor_register_info("serial", "show the serial ports (16550A UARTs)", info_serial);
}
