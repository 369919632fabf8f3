/*
 * Intel 8259A PIC pair of the PC/AT, with the PIIX3 ELCR.
 *
 * References: Intel 8259A datasheet (order 231468), "Programming the 8259A"
 * (ICW1-4, OCW1-3, priority modes, poll command, special mask mode, cascade);
 * Intel 82371SB PIIX3 datasheet §4.1.8 (ELCR1/ELCR2 at 0x4d0/0x4d1).
 *
 * Priorities are kept as a rotation: IR ((lowest + 1) & 7) has the highest
 * priority and IR lowest the lowest; after ICW1 IR7 is the lowest.
 */
#include "hw/intc/i8259.h"
#include "hw/intc/irq-ack.h"
#include "util/log.h"

#define ICW1_IC4 0x01
#define ICW1_SNGL 0x02
#define ICW1_LTIM 0x08
#define ICW1_SEL 0x10
#define ICW4_UPM 0x01
#define ICW4_AEOI 0x02
#define ICW4_SFNM 0x10
#define OCW3_SEL 0x08
#define OCW3_RIS 0x01
#define OCW3_RR 0x02
#define OCW3_POLL 0x04
#define OCW3_SMM 0x20
#define OCW3_ESMM 0x40

static DeviceState *pic_dev(PICChip *c)
{
    PICState *s = c->is_master ? container_of(c, PICState, chip[0])
                               : container_of(c, PICState, chip[1]);
    return DEVICE(s);
}

/* Priority rank (0 = highest) of IR @irq under the current rotation. */
static int pic_rank(const PICChip *c, int irq)
{
    return (irq - c->lowest - 1) & 7;
}

/* The IR of highest priority among @mask, or -1. */
static int pic_highest(const PICChip *c, uint8_t mask)
{
    for (int r = 0; r < 8; r++) {
        int irq = (c->lowest + 1 + r) & 7;
        if (mask & (1u << irq)) {
            return irq;
        }
    }
    return -1;
}

static bool pic_chip_pending(PICState *s, PICChip *c, int *irq_out);

/*
 * The master's IR2 is edge-triggered like its other inputs (the rising edge of
 * the slave's INT is latched in IRR, so a slave request withdrawn before INTA
 * gives the slave's spurious IRQ15), and is also requested while the slave's
 * INT stays high, so that a slave request never waits for an edge that cannot
 * come (e.g. a second request pending on a slave in AEOI mode).
 */
static uint8_t pic_effective_irr(PICState *s, PICChip *c)
{
    if (c->is_master) {
        int dummy;
        uint8_t irr = c->irr;
        if (pic_chip_pending(s, &s->chip[1], &dummy)) {
            irr |= 1u << PIC_CASCADE_IRQ;
        }
        return irr;
    }
    return c->irr;
}

/*
 * Does @c have a request that beats everything in service (8259A "fully
 * nested mode")? In special mask mode, masked in-service levels do not hold
 * off others; in special fully nested mode the master lets a new slave request
 * through while IR2 is in service, so that the slave can nest its own levels.
 */
static bool pic_chip_pending(PICState *s, PICChip *c, int *irq_out)
{
    int req = pic_highest(c, pic_effective_irr(s, c) & ~c->imr);
    if (req < 0) {
        return false;
    }
    uint8_t in_service = c->isr;
    if (c->special_mask) {
        in_service &= ~c->imr;
    }
    if (c->is_master && c->sfnm) {
        in_service &= ~(1u << PIC_CASCADE_IRQ);
    }
    int cur = pic_highest(c, in_service);
    if (cur >= 0 && pic_rank(c, cur) <= pic_rank(c, req)) {
        return false;
    }
    *irq_out = req;
    return true;
}

static void pic_update(PICState *s)
{
    int irq;
    bool slave = pic_chip_pending(s, &s->chip[1], &irq);

    if (slave && !s->slave_int) {
        s->chip[0].irr |= 1u << PIC_CASCADE_IRQ;
        s->irq_count[PIC_CASCADE_IRQ]++;
    }
    s->slave_int = slave;

    bool level = pic_chip_pending(s, &s->chip[0], &irq);
    if (level != s->int_level) {
        s->int_level = level;
        qemu_set_irq(s->int_out, level);
    }
}

/* GPIO input @n (ISA IRQ n): edge or level per the ELCR. */
static void pic_set_irq(void *opaque, int n, int level)
{
    PICState *s = opaque;
    PICChip *c = &s->chip[n >> 3];
    uint8_t bit = 1u << (n & 7);
    bool old = c->level & bit;

    if (n == PIC_CASCADE_IRQ) {
        return;     /* hard-wired to the slave's INT */
    }
    if (level) {
        c->level |= bit;
        if (!old) {
            s->irq_count[n]++;
            c->irr |= bit;
        }
    } else {
        c->level &= ~bit;
        /* A level-sensitive request disappears with its input; an edge stays
         * latched in IRR until acknowledged. */
        if (c->elcr & bit) {
            c->irr &= ~bit;
        }
    }
    pic_update(s);
}

/* INTA for IR @irq of @c: ISR bit (or AEOI rotation), IRR edge latch. */
static void pic_intack(PICChip *c, int irq)
{
    uint8_t bit = 1u << irq;

    if (c->auto_eoi) {
        if (c->rotate_on_aeoi) {
            c->lowest = irq;
        }
    } else {
        c->isr |= bit;
    }
    /* A level-sensitive input stays requested while it is high. */
    if (!(c->elcr & bit) || !(c->level & bit)) {
        c->irr &= ~bit;
    }
}

int pic_read_irq(DeviceState *dev)
{
    PICState *s = I8259(dev);
    PICChip *m = &s->chip[0], *sl = &s->chip[1];
    int irq, irq2, vector, acked = -1;

    if (!pic_chip_pending(s, m, &irq)) {
        /* 8259A: a request that went away before INTA reads as IR7. */
        s->spurious++;
        emu_log_mask(LOG_INT, "i8259: spurious IRQ7 on the master\n");
        pic_update(s);
        return m->vector_base | 7;
    }
    if (irq == PIC_CASCADE_IRQ) {
        if (pic_chip_pending(s, sl, &irq2)) {
            pic_intack(sl, irq2);
            vector = sl->vector_base | irq2;
            acked = 8 + irq2;
        } else {
            s->spurious++;
            emu_log_mask(LOG_INT, "i8259: spurious IRQ15 on the slave\n");
            vector = sl->vector_base | 7;
        }
    } else {
        vector = m->vector_base | irq;
        acked = irq;
    }
    pic_intack(m, irq);
    s->acks++;
    pic_update(s);
    if (acked >= 0) {
        irq_ack_notify(IRQ_ACK_PIC, acked);
    }
    return vector;
}

bool pic_get_output(DeviceState *dev)
{
    return I8259(dev)->int_level;
}

/* ICW1: the 8259A datasheet's list of what initialization resets. */
static void pic_icw1(PICChip *c, uint8_t val)
{
    c->init_step = 1;
    c->icw4_needed = val & ICW1_IC4;
    c->single = val & ICW1_SNGL;
    c->imr = 0;
    c->isr = 0;
    /* The edge sense latches are reset: an edge-triggered input must go low
     * and high again. Level-sensitive requests stay. */
    c->irr &= c->elcr & c->level;
    c->lowest = 7;
    c->special_mask = false;
    c->read_isr = false;
    c->poll = false;
    c->rotate_on_aeoi = false;
    /* IC4 = 0 means every ICW4 function is zero. */
    c->auto_eoi = false;
    c->sfnm = false;
    if (val & ICW1_LTIM) {
        /* PIIX3: edge/level comes from the ELCR; LTIM is ignored. */
        emu_log_mask(LOG_UNIMP, "i8259: ICW1 LTIM ignored (the ELCR selects level mode)\n");
    }
}

static void pic_ocw2(PICChip *c, uint8_t val)
{
    int irq;

    switch (val >> 5) {
    case 0:                 /* clear rotate in automatic EOI mode */
    case 4:                 /* set rotate in automatic EOI mode */
        c->rotate_on_aeoi = val & 0x80;
        break;
    case 1:                 /* non-specific EOI */
    case 5:                 /* rotate on non-specific EOI */
        irq = pic_highest(c, c->isr);
        if (irq >= 0) {
            c->isr &= ~(1u << irq);
            if (val & 0x80) {
                c->lowest = irq;
            }
        }
        break;
    case 3:                 /* specific EOI */
        c->isr &= ~(1u << (val & 7));
        break;
    case 6:                 /* set priority: IR L becomes the lowest */
        c->lowest = val & 7;
        break;
    case 7:                 /* rotate on specific EOI */
        c->isr &= ~(1u << (val & 7));
        c->lowest = val & 7;
        break;
    default:                /* 2: no operation */
        break;
    }
}

static void pic_ocw3(PICChip *c, uint8_t val)
{
    if (val & OCW3_POLL) {
        c->poll = true;
    }
    if (val & OCW3_RR) {
        c->read_isr = val & OCW3_RIS;
    }
    if (val & OCW3_ESMM) {
        c->special_mask = val & OCW3_SMM;
    }
}

/* Tell the lines' notifiers which IMR bits changed from @old. */
static void pic_mask_changed(PICChip *c, uint8_t old)
{
    uint8_t diff = old ^ c->imr;

    for (int i = 0; i < 8; i++) {
        if (diff & (1u << i)) {
            irq_mask_notify(IRQ_ACK_PIC, (c->is_master ? 0 : 8) + i, c->imr & (1u << i));
        }
    }
}

static void pic_write_chip(PICState *s, PICChip *c, hwaddr addr, uint8_t val)
{
    uint8_t old_imr = c->imr;

    if (addr == 0) {
        if (val & ICW1_SEL) {
            pic_icw1(c, val);
        } else if (val & OCW3_SEL) {
            pic_ocw3(c, val);
        } else {
            pic_ocw2(c, val);
        }
        pic_update(s);
        pic_mask_changed(c, old_imr);
        return;
    }
    switch (c->init_step) {
    case 0:                 /* OCW1 */
        c->imr = val;
        break;
    case 1:                 /* ICW2: vector base (x86 mode: bits 7:3) */
        c->vector_base = val & 0xf8;
        c->init_step = c->single ? (c->icw4_needed ? 3 : 0) : 2;
        break;
    case 2:                 /* ICW3 */
        c->icw3 = val;
        if (c->is_master ? val != (1u << PIC_CASCADE_IRQ) : (val & 7) != PIC_CASCADE_IRQ) {
            /* The board's cascade is fixed; a different ICW3 changes nothing. */
            emu_log_mask(LOG_GUEST_ERROR, "i8259: %s ICW3 0x%02x does not match the PC "
                         "cascade on IR2\n", c->is_master ? "master" : "slave", val);
        }
        c->init_step = c->icw4_needed ? 3 : 0;
        break;
    case 3:                 /* ICW4 */
        if (!(val & ICW4_UPM)) {
            emu_log_mask(LOG_UNIMP, "i8259: MCS-80/85 mode (ICW4 uPM=0) not supported\n");
            pic_dev(c)->ignored_accesses++;
        }
        c->auto_eoi = val & ICW4_AEOI;
        c->sfnm = val & ICW4_SFNM;
        c->init_step = 0;
        break;
    }
    pic_update(s);
    pic_mask_changed(c, old_imr);
}

/* Poll command: the next read returns "interrupt present" and the level, and
 * acts as an INTA for that level (without the vector). */
static uint8_t pic_poll(PICState *s, PICChip *c)
{
    int irq;

    c->poll = false;
    if (!pic_chip_pending(s, c, &irq)) {
        return 0;
    }
    pic_intack(c, irq);
    pic_update(s);
    if (!c->is_master || irq != PIC_CASCADE_IRQ) {
        irq_ack_notify(IRQ_ACK_PIC, (c->is_master ? 0 : 8) + irq);
    }
    return 0x80 | irq;
}

static uint8_t pic_read_chip(PICState *s, PICChip *c, hwaddr addr)
{
    if (c->poll) {
        return pic_poll(s, c);
    }
    if (addr == 0) {
        return c->read_isr ? c->isr : pic_effective_irr(s, c);
    }
    return c->imr;
}

static uint64_t pic_master_read(void *opaque, hwaddr addr, unsigned size)
{
    PICState *s = opaque;
    return pic_read_chip(s, &s->chip[0], addr);
}

static void pic_master_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PICState *s = opaque;
    pic_write_chip(s, &s->chip[0], addr, val);
}

static uint64_t pic_slave_read(void *opaque, hwaddr addr, unsigned size)
{
    PICState *s = opaque;
    return pic_read_chip(s, &s->chip[1], addr);
}

static void pic_slave_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PICState *s = opaque;
    pic_write_chip(s, &s->chip[1], addr, val);
}

static uint64_t elcr_read(void *opaque, hwaddr addr, unsigned size)
{
    PICState *s = opaque;
    return s->chip[addr & 1].elcr;
}

/* PIIX3 §4.1.8: IRQ 0, 1, 2, 8 and 13 are always edge; their bits read 0. */
static void elcr_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PICState *s = opaque;
    PICChip *c = &s->chip[addr & 1];

    if (val & ~c->elcr_mask) {
        emu_log_mask(LOG_GUEST_ERROR, "i8259: ELCR%d bits 0x%02x are fixed to edge\n",
                     (int)(addr & 1) + 1, (unsigned)(val & ~c->elcr_mask) & 0xff);
    }
    c->elcr = val & c->elcr_mask;
    /* A pin switched to level mode is requested exactly while it is high. */
    c->irr = (c->irr & ~c->elcr) | (c->level & c->elcr);
    pic_update(s);
}

static const MemoryRegionOps pic_master_ops = {
    .read = pic_master_read,
    .write = pic_master_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static const MemoryRegionOps pic_slave_ops = {
    .read = pic_slave_read,
    .write = pic_slave_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

/* Linux reads and writes ELCR1/ELCR2 as one 16-bit port too. */
static const MemoryRegionOps elcr_ops = {
    .read = elcr_read,
    .write = elcr_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 2 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static void pic_chip_reset(PICChip *c)
{
    uint8_t level = c->level, mask = c->elcr_mask;
    bool master = c->is_master;

    memset(c, 0, sizeof(*c));
    c->level = level;
    c->elcr_mask = mask;
    c->is_master = master;
    c->lowest = 7;
}

static void pic_reset(DeviceState *dev, ResetType type)
{
    PICState *s = I8259(dev);

    for (int i = 0; i < 2; i++) {
        pic_chip_reset(&s->chip[i]);
    }
    s->slave_int = false;
    pic_update(s);
}

static void pic_init(Object *obj)
{
    PICState *s = I8259(obj);
    DeviceState *dev = DEVICE(obj);

    s->chip[0].is_master = true;
    s->chip[0].elcr_mask = 0xf8;
    s->chip[1].elcr_mask = 0xde;
    s->chip[0].lowest = s->chip[1].lowest = 7;
    qdev_init_gpio_in(dev, pic_set_irq, 16);
    qdev_init_gpio_out(dev, &s->int_out, 1);
    memory_region_init_io(&s->io[0], obj, &pic_master_ops, s, "pic-master", 2);
    memory_region_init_io(&s->io[1], obj, &pic_slave_ops, s, "pic-slave", 2);
    memory_region_init_io(&s->elcr_io, obj, &elcr_ops, s, "elcr", 2);
}

static void pic_realize(DeviceState *dev, Error **errp)
{
    PICState *s = I8259(dev);
    ISADevice *isa = ISA_DEVICE(dev);

    isa_register_ioport(isa, &s->io[0], PIC_MASTER_BASE);
    isa_register_ioport(isa, &s->io[1], PIC_SLAVE_BASE);
    isa_register_ioport(isa, &s->elcr_io, PIC_ELCR_BASE);
}

static void pic_finalize(Object *obj)
{
    PICState *s = I8259(obj);
    memory_region_finalize(&s->io[0]);
    memory_region_finalize(&s->io[1]);
    memory_region_finalize(&s->elcr_io);
}

void pic_print_info(DeviceState *dev, GString *out)
{
    PICState *s = I8259(dev);

    for (int i = 0; i < 2; i++) {
        PICChip *c = &s->chip[i];
        g_string_append_printf(out, "pic%d: irr=%02x imr=%02x isr=%02x hprio=%d "
                               "irq_base=%02x rr_sel=%d elcr=%02x fnm=%d aeoi=%d smm=%d%s\n",
                               i, pic_effective_irr(s, c), c->imr, c->isr,
                               (c->lowest + 1) & 7, c->vector_base, c->read_isr, c->elcr,
                               c->sfnm, c->auto_eoi, c->special_mask,
                               c->init_step ? " (initializing)" : "");
    }
    g_string_append_printf(out, "pic: INT %s, %" PRIu64 " acknowledged, %" PRIu64
                           " spurious, %" PRIu64 " ignored accesses\n",
                           s->int_level ? "high" : "low", s->acks, s->spurious,
                           dev->ignored_accesses);
}

void pic_print_irq_counts(DeviceState *dev, GString *out)
{
    PICState *s = I8259(dev);

    for (int i = 0; i < 16; i++) {
        if (s->irq_count[i]) {
            g_string_append_printf(out, "%2d: %" PRIu64 "\n", i, s->irq_count[i]);
        }
    }
}

static void pic_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "8259A PIC pair (master 0x20, slave 0xa0, ELCR 0x4d0)";
    dc->category = DEVICE_CATEGORY_MISC;
    dc->user_creatable = false;     /* the board wires the one pair */
    dc->realize = pic_realize;
    dc->reset = pic_reset;
}

static const TypeInfo pic_types[] = {
    {
        .name = TYPE_I8259,
        .parent = TYPE_ISA_DEVICE,
        .instance_size = sizeof(PICState),
        .instance_init = pic_init,
        .instance_finalize = pic_finalize,
        .class_init = pic_class_init,
    },
};
DEFINE_TYPES(pic_types)
