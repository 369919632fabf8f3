/*
 * I/O APIC: Intel 82093AA datasheet (order 290566) §3 for the registers and the
 * redirection table; the EOI register at +0x40 comes from the ICH I/O APIC
 * (version 0x20; e.g. ICH9 datasheet §13.5.5). Messages go to the local APICs
 * through apic_deliver_irq().
 */
#include "hw/intc/ioapic.h"
#include "hw/intc/apic.h"
#include "hw/intc/irq-ack.h"
#include "util/log.h"

/* Every realized I/O APIC, for EOI broadcasts from the local APICs. */
static GList *ioapics;

/* Bits software can write in a redirection entry (delivery status and remote
 * IRR are read-only; 82093AA §3.2.4). */
#define RTE_WRITABLE (IOAPIC_RTE_VECTOR | IOAPIC_RTE_DELMODE | IOAPIC_RTE_DESTMODE | \
                      IOAPIC_RTE_POLARITY | IOAPIC_RTE_TRIGGER | IOAPIC_RTE_MASK | \
                      (0xffull << IOAPIC_RTE_DEST_SHIFT))

static bool rte_level(uint64_t rte)
{
    return rte & IOAPIC_RTE_TRIGGER;
}

/* Send pin @pin's message. */
static void ioapic_send(IOAPICState *s, int pin)
{
    uint64_t rte = s->rte[pin];
    uint8_t delmode = (rte & IOAPIC_RTE_DELMODE) >> IOAPIC_RTE_DELMODE_SHIFT;
    uint8_t vector = rte & IOAPIC_RTE_VECTOR;
    uint8_t trig = rte_level(rte) ? APIC_TRIGGER_LEVEL : APIC_TRIGGER_EDGE;

    /* 82093AA: SMI, NMI, INIT and ExtINT are edge only, whatever the entry says;
     * the vector of SMI/NMI/INIT is ignored. */
    if (delmode != APIC_DM_FIXED && delmode != APIC_DM_LOWEST) {
        trig = APIC_TRIGGER_EDGE;
    }
    if (delmode == 3 || delmode == 6) {
        emu_log_mask(LOG_GUEST_ERROR, "ioapic: pin %d uses reserved delivery mode %d\n",
                     pin, delmode);
        DEVICE(s)->ignored_accesses++;
        return;
    }
    if (trig == APIC_TRIGGER_LEVEL) {
        /* Held until the local APIC's EOI for this vector comes back. */
        s->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
    }
    s->delivered++;
    s->last_message = s->rte[pin];
    apic_deliver_irq(rte >> IOAPIC_RTE_DEST_SHIFT,
                     rte & IOAPIC_RTE_DESTMODE ? APIC_DEST_LOGICAL : APIC_DEST_PHYSICAL,
                     delmode, vector, trig);
}

/* Deliver every unmasked level pin that is asserted and not waiting for EOI. */
static void ioapic_service(IOAPICState *s)
{
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t rte = s->rte[pin];
        if ((s->irr & (1u << pin)) && !(rte & IOAPIC_RTE_MASK) && rte_level(rte) &&
            !(rte & IOAPIC_RTE_REMOTE_IRR)) {
            ioapic_send(s, pin);
        }
    }
}

static void ioapic_set_irq(void *opaque, int pin, int level)
{
    IOAPICState *s = opaque;
    uint32_t bit = 1u << pin;
    bool old = s->irr & bit;
    uint64_t rte = s->rte[pin];

    if (level) {
        s->irr |= bit;
        if (!old) {
            s->pin_count[pin]++;
        }
    } else {
        s->irr &= ~bit;
    }
    if (rte & IOAPIC_RTE_MASK) {
        /* Masked edges are lost; masked levels are seen when unmasked. */
        return;
    }
    if (rte_level(rte)) {
        if (level && !(rte & IOAPIC_RTE_REMOTE_IRR)) {
            ioapic_send(s, pin);
        }
    } else if (level && !old) {
        ioapic_send(s, pin);
    }
}

void ioapic_eoi_broadcast(int vector)
{
    for (GList *l = ioapics; l; l = l->next) {
        IOAPICState *s = l->data;
        for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
            uint64_t rte = s->rte[pin];
            if ((rte & IOAPIC_RTE_REMOTE_IRR) && (rte & IOAPIC_RTE_VECTOR) == (unsigned)vector) {
                s->rte[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
            }
        }
        ioapic_service(s);
    }
}

/*
 * The guest ended vector @vector: tell the acknowledge notifiers of the
 * unmasked edge pins that use it (level pins are ended through remote IRR).
 * Edge interrupts need no EOI at the I/O APIC; this is only for sources that
 * count undelivered edges, as KVM's in-kernel I/O APIC does.
 */
static void ioapic_notify_edge_eoi(IOAPICState *s, int vector)
{
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t rte = s->rte[pin];
        if (!rte_level(rte) && !(rte & IOAPIC_RTE_MASK) &&
            (rte & IOAPIC_RTE_VECTOR) == (unsigned)vector) {
            irq_ack_notify(IRQ_ACK_IOAPIC, pin);
        }
    }
}

void ioapic_eoi_edge(int vector)
{
    for (GList *l = ioapics, *next; l; l = next) {
        next = l->next;
        ioapic_notify_edge_eoi(l->data, vector);
    }
}

static uint32_t ioapic_read_reg(IOAPICState *s)
{
    uint8_t reg = s->ioregsel;

    switch (reg) {
    case IOAPIC_REG_ID:
        return (uint32_t)(s->id & 0xf) << 24;
    case IOAPIC_REG_VER:
        /* Maximum redirection entry in bits 23:16. */
        return ((IOAPIC_NUM_PINS - 1) << 16) | s->version;
    case IOAPIC_REG_ARB:
        /* The arbitration ID is loaded from the ID (82093AA §3.2.3). */
        return (uint32_t)(s->id & 0xf) << 24;
    default:
        if (reg >= IOAPIC_REG_REDTBL && reg < IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
            int pin = (reg - IOAPIC_REG_REDTBL) >> 1;
            return reg & 1 ? s->rte[pin] >> 32 : (uint32_t)s->rte[pin];
        }
        emu_log_mask(LOG_GUEST_ERROR, "ioapic: read of reserved register 0x%02x\n", reg);
        DEVICE(s)->ignored_accesses++;
        return 0xffffffff;
    }
}

static void ioapic_write_reg(IOAPICState *s, uint32_t val)
{
    uint8_t reg = s->ioregsel;

    switch (reg) {
    case IOAPIC_REG_ID:
        s->id = (val >> 24) & 0xf;
        return;
    case IOAPIC_REG_VER:
    case IOAPIC_REG_ARB:
        return;             /* read-only */
    default:
        break;
    }
    if (reg < IOAPIC_REG_REDTBL || reg >= IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
        emu_log_mask(LOG_GUEST_ERROR, "ioapic: write 0x%08x to reserved register 0x%02x\n",
                     val, reg);
        DEVICE(s)->ignored_accesses++;
        return;
    }

    int pin = (reg - IOAPIC_REG_REDTBL) >> 1;
    uint64_t old = s->rte[pin], new;
    if (reg & 1) {
        new = (old & 0xffffffffull) | ((uint64_t)val << 32);
    } else {
        new = (old & ~0xffffffffull) | val;
    }
    new = (new & RTE_WRITABLE) | (old & IOAPIC_RTE_REMOTE_IRR);
    /*
     * Remote IRR only means something for level entries: switching to edge
     * clears it. Linux relies on this to end a level interrupt on I/O APICs
     * without an EOI register (io_apic.c, __eoi_ioapic_pin).
     */
    if (!rte_level(new)) {
        new &= ~IOAPIC_RTE_REMOTE_IRR;
    }
    s->rte[pin] = new;
    /* A level pin held asserted while masked is delivered once unmasked. */
    ioapic_service(s);
    if ((old ^ new) & IOAPIC_RTE_MASK) {
        irq_mask_notify(IRQ_ACK_IOAPIC, pin, new & IOAPIC_RTE_MASK);
    }
}

static uint64_t ioapic_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    IOAPICState *s = opaque;

    switch (addr) {
    case IOAPIC_IOREGSEL:
        return s->ioregsel;
    case IOAPIC_IOWIN:
        return ioapic_read_reg(s);
    default:
        /* The EOI register is write-only. */
        return 0;
    }
}

static void ioapic_mmio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    IOAPICState *s = opaque;

    switch (addr) {
    case IOAPIC_IOREGSEL:
        s->ioregsel = val;
        break;
    case IOAPIC_IOWIN:
        ioapic_write_reg(s, val);
        break;
    default:
        if (addr == IOAPIC_EOI && s->version >= 0x20) {
            /* Every entry of this I/O APIC with that vector (no EOI register on
             * version 0x11). */
            for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
                if ((s->rte[pin] & IOAPIC_RTE_VECTOR) == (val & 0xff)) {
                    s->rte[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
                }
            }
            ioapic_service(s);
            ioapic_notify_edge_eoi(s, val & 0xff);
            break;
        }
        emu_log_mask(LOG_GUEST_ERROR, "ioapic: write 0x%" PRIx64 " to unused offset 0x%"
                     HWADDR_PRIx "\n", val, addr);
        DEVICE(s)->ignored_accesses++;
        break;
    }
}

/* 82093AA §3.0: the registers are accessed as 32-bit quantities only. */
static const MemoryRegionOps ioapic_ops = {
    .read = ioapic_mmio_read,
    .write = ioapic_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

static void ioapic_reset(DeviceState *dev, ResetType type)
{
    IOAPICState *s = IOAPIC(dev);

    s->id = 0;
    s->ioregsel = 0;
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        s->rte[pin] = IOAPIC_RTE_MASK;
    }
    /* s->irr follows the input pins and survives reset. */
}

static void ioapic_init(Object *obj)
{
    IOAPICState *s = IOAPIC(obj);

    qdev_init_gpio_in(DEVICE(obj), ioapic_set_irq, IOAPIC_NUM_PINS);
    memory_region_init_io(&s->mmio, obj, &ioapic_ops, s, "ioapic", IOAPIC_MMIO_SIZE);
    object_property_add_uint64_ptr(obj, "delivered", &s->delivered);
    object_property_add_uint64_ptr(obj, "last-message", &s->last_message);
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        s->rte[pin] = IOAPIC_RTE_MASK;
    }
}

static void ioapic_realize(DeviceState *dev, Error **errp)
{
    IOAPICState *s = IOAPIC(dev);

    if (s->version != 0x11 && s->version != 0x20) {
        error_setg(errp, "ioapic: version=0x%x: supported versions are 0x11 and 0x20",
                   s->version);
        return;
    }
    ioapics = g_list_append(ioapics, s);
}

static void ioapic_unrealize(DeviceState *dev)
{
    ioapics = g_list_remove(ioapics, IOAPIC(dev));
}

static void ioapic_finalize(Object *obj)
{
    memory_region_finalize(&IOAPIC(obj)->mmio);
}

static const char *const delmode_names[8] = {
    "fixed", "lowest", "SMI", "res3", "NMI", "INIT", "res6", "ExtINT",
};

void ioapic_print_info(DeviceState *dev, GString *out)
{
    IOAPICState *s = IOAPIC(dev);

    g_string_append_printf(out, "ioapic0: ver=0x%x id=0x%02x sel=0x%02x (redir[%u])\n",
                           s->version, s->id, s->ioregsel, IOAPIC_NUM_PINS);
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t e = s->rte[pin];
        g_string_append_printf(out, "  pin %-2d 0x%016" PRIx64 " dest=%" PRIu64 " vec=%-3u "
                               "%-6s %-5s %-4s %-4s%s%s%s\n",
                               pin, e, e >> IOAPIC_RTE_DEST_SHIFT,
                               (unsigned)(e & IOAPIC_RTE_VECTOR),
                               delmode_names[(e & IOAPIC_RTE_DELMODE) >> 8],
                               rte_level(e) ? "level" : "edge",
                               e & IOAPIC_RTE_POLARITY ? "low" : "high",
                               e & IOAPIC_RTE_DESTMODE ? "log" : "phys",
                               e & IOAPIC_RTE_MASK ? " masked" : "",
                               e & IOAPIC_RTE_REMOTE_IRR ? " remote-irr" : "",
                               s->irr & (1u << pin) ? " asserted" : "");
    }
    g_string_append_printf(out, "ioapic0: %" PRIu64 " messages sent, %" PRIu64
                           " dropped by the APIC bus, %" PRIu64 " ignored accesses\n",
                           s->delivered, apic_bus_dropped(), dev->ignored_accesses);
}

void ioapic_print_irq_counts(DeviceState *dev, GString *out)
{
    IOAPICState *s = IOAPIC(dev);

    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        if (s->pin_count[pin]) {
            g_string_append_printf(out, "%2d: %" PRIu64 "\n", pin, s->pin_count[pin]);
        }
    }
}

static const Property ioapic_props[] = {
    DEFINE_PROP_UINT8("version", IOAPICState, version, 0x20),
    DEFINE_PROP_END_OF_LIST(),
};

static void ioapic_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "I/O APIC (82093AA, 24 pins)";
    dc->category = DEVICE_CATEGORY_MISC;
    dc->user_creatable = false;
    dc->realize = ioapic_realize;
    dc->unrealize = ioapic_unrealize;
    dc->reset = ioapic_reset;
    device_class_set_props(dc, ioapic_props);
}

static const TypeInfo ioapic_types[] = {
    {
        .name = TYPE_IOAPIC,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(IOAPICState),
        .instance_init = ioapic_init,
        .instance_finalize = ioapic_finalize,
        .class_init = ioapic_class_init,
    },
};
DEFINE_TYPES(ioapic_types)
