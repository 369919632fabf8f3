/*
 * PIIX3 PCI-to-ISA bridge, function 0 (82371SB datasheet 290550 §2.2):
 * configuration registers and PCI interrupt routing (PIRQRC, §2.2.9).
 *
 * PIRQRC[n] (0x60-0x63): bit 7 set = PIRQn# not routed; bits 3:0 = the ISA
 * IRQ. IRQs 0, 1, 2, 8 and 13 are reserved (the timer, keyboard, cascade,
 * RTC and FPU error): a route naming one is treated as not routed, logged
 * and counted (QEMU routes them anyway). Several PIRQs on one IRQ are
 * wire-ORed. The ISA IRQ's trigger mode is the ELCR's (hw/intc/i8259.c);
 * firmware sets PCI IRQs level-triggered there.
 */
#include "hw/isa/piix3.h"
#include "migration/vmstate.h"
#include "util/log.h"

static bool piix3_irq_routable(unsigned irq)
{
    return irq < ISA_NUM_IRQS && irq != 0 && irq != 1 && irq != 2 && irq != 8 && irq != 13;
}

/* The ISA IRQ PIRQ @pirq goes to, or -1. */
static int piix3_pirq_route(PIIX3State *s, int pirq)
{
    uint8_t v = PCI_DEVICE(s)->config[PIIX_PIRQRC + pirq];
    if (v & PIIX_PIRQ_DISABLE || !piix3_irq_routable(v & PIIX_PIRQ_IRQ_MASK)) {
        return -1;
    }
    return v & PIIX_PIRQ_IRQ_MASK;
}

/* Drive every output from the bus's PIRQ levels and the routing registers. */
static void piix3_update(PIIX3State *s)
{
    PCIBus *bus = pci_get_bus(PCI_DEVICE(s));
    uint16_t isa = 0;
    uint8_t pirqs = 0;

    for (int p = 0; p < PIIX_NUM_PIRQS; p++) {
        if (!pci_bus_get_irq_level(bus, p)) {
            continue;
        }
        pirqs |= 1u << p;
        int irq = piix3_pirq_route(s, p);
        if (irq >= 0) {
            isa |= 1u << irq;
        }
    }
    uint16_t isa_changed = isa ^ s->isa_level;
    uint8_t pirq_changed = pirqs ^ s->pirq_level;
    s->isa_level = isa;
    s->pirq_level = pirqs;
    for (int irq = 0; irq < ISA_NUM_IRQS; irq++) {
        if (isa_changed & (1u << irq)) {
            qemu_set_irq(s->isa_irq[irq], (isa >> irq) & 1);
        }
    }
    for (int p = 0; p < PIIX_NUM_PIRQS; p++) {
        if (pirq_changed & (1u << p)) {
            qemu_set_irq(s->pirq_gsi[p], (pirqs >> p) & 1);
        }
    }
}

static void piix3_set_pci_irq(void *opaque, int pirq, int level)
{
    piix3_update(opaque);
}

int piix3_pci_slot_get_pirq(PCIDevice *dev, int pin)
{
    return (PCI_SLOT(dev->devfn) + pin - 1) & 3;
}

static void piix3_write_config(PCIDevice *pd, uint32_t addr, uint32_t val, int len)
{
    PIIX3State *s = PIIX3_PCI_DEVICE(pd);

    pci_default_write_config(pd, addr, val, len);
    if (addr < PIIX_PIRQRC + PIIX_NUM_PIRQS && PIIX_PIRQRC < addr + len) {
        for (int p = 0; p < PIIX_NUM_PIRQS; p++) {
            uint8_t v = pd->config[PIIX_PIRQRC + p];
            if (!(v & PIIX_PIRQ_DISABLE) && !piix3_irq_routable(v & PIIX_PIRQ_IRQ_MASK) &&
                addr <= PIIX_PIRQRC + p && PIIX_PIRQRC + p < addr + len) {
                emu_log_mask(LOG_GUEST_ERROR, "PIIX3: PIRQ%c routed to reserved IRQ %u; "
                             "left unrouted\n", 'A' + p, v & PIIX_PIRQ_IRQ_MASK);
                s->bad_routes++;
                DEVICE(s)->ignored_accesses++;
            }
        }
        piix3_update(s);
    }
}

static void piix3_realize(PCIDevice *pd, Error **errp)
{
    PCIBus *bus = pci_get_bus(pd);

    if (bus->set_irq) {
        error_setg(errp, "bus %s already has an interrupt router", BUS(bus)->name);
        return;
    }
    /* Registers kept for software, with no effect here (§2.2). */
    pci_config_set_wmask(pd, 0x4c, 1, 0xff);        /* IORT */
    pci_config_set_wmask(pd, 0x4e, 2, 0xff);        /* XBCS */
    pci_config_set_wmask(pd, PIIX_PIRQRC, PIIX_NUM_PIRQS,
                         PIIX_PIRQ_DISABLE | PIIX_PIRQ_IRQ_MASK);
    pci_config_set_wmask(pd, 0x69, 3, 0xff);        /* TOM, MSTAT */
    pci_config_set_wmask(pd, 0x70, 1, 0xcf);        /* MBIRQ0 */
    pci_config_set_wmask(pd, 0x76, 4, 0xff);        /* MBDMA0-1, PCSC */
    pci_config_set_wmask(pd, 0x80, 1, 0x3f);        /* APICBASE */
    pci_config_set_wmask(pd, 0x82, 1, 0x0f);        /* DLC */
    pci_config_set_wmask(pd, 0xa0, 1, 0xff);        /* SMICNTL */
    pci_config_set_wmask(pd, 0xa2, 6, 0xff);        /* SMIEN, SEE */
    pci_config_set_wmask(pd, 0xa8, 1, 0xff);        /* FTMR */
    pci_config_set_wmask(pd, 0xaa, 2, 0xff);        /* SMIREQ */
    pci_config_set_wmask(pd, 0xac, 1, 0xff);        /* CTLTMR */
    pci_config_set_wmask(pd, 0xae, 1, 0xff);        /* CTHTMR */
    pci_bus_irqs(bus, piix3_set_pci_irq, piix3_pci_slot_get_pirq, pd, PIIX_NUM_PIRQS);
}

static void piix3_exit(PCIDevice *pd)
{
    PCIBus *bus = pci_get_bus(pd);
    if (bus->irq_opaque == pd) {
        pci_bus_irqs(bus, NULL, NULL, NULL, PIIX_NUM_PIRQS);
    }
}

/* Register defaults (§2.2, the values QEMU's PIIX3 resets to). */
static void piix3_reset(PCIDevice *pd)
{
    uint8_t *c = pd->config;

    pci_set_word(c + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    pci_set_word(c + PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM);
    memset(c + 0x40, 0, 0xc0);
    c[0x4c] = 0x4d;
    c[0x4e] = 0x03;
    memset(c + PIIX_PIRQRC, PIIX_PIRQ_DISABLE, PIIX_NUM_PIRQS);
    c[0x69] = 0x02;
    c[0x70] = 0x80;
    c[0x76] = 0x0c;
    c[0x77] = 0x0c;
    c[0x78] = 0x02;
    c[0xa0] = 0x08;
    c[0xa8] = 0x0f;
    piix3_update(PIIX3_PCI_DEVICE(pd));
}

static int piix3_post_load(void *opaque, int version_id)
{
    /* The PIRQ levels are the bus's (each device restores its own INTx). */
    piix3_update(opaque);
    return 0;
}

static const VMStateDescription vmstate_piix3 = {
    .name = "PIIX3",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = piix3_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(parent_obj, PIIX3State, 1, vmstate_pci_device, PCIDevice),
        VMSTATE_END_OF_LIST()
    },
};

static void piix3_init(Object *obj)
{
    PIIX3State *s = PIIX3_PCI_DEVICE(obj);
    qdev_init_gpio_out_named(DEVICE(obj), s->isa_irq, PIIX3_ISA_IRQ_OUT, ISA_NUM_IRQS);
    qdev_init_gpio_out_named(DEVICE(obj), s->pirq_gsi, PIIX3_PIRQ_GSI_OUT, PIIX_NUM_PIRQS);
}

static void piix3_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    dc->desc = "ISA bridge";
    dc->category = DEVICE_CATEGORY_BRIDGE;
    dc->vmsd = &vmstate_piix3;
    pc->realize = piix3_realize;
    pc->exit = piix3_exit;
    pc->reset = piix3_reset;
    pc->config_write = piix3_write_config;
    pc->vendor_id = PCI_VENDOR_ID_INTEL;
    pc->device_id = PCI_DEVICE_ID_INTEL_82371SB_0;
    pc->class_id = PCI_CLASS_BRIDGE_ISA;
}

static const TypeInfo piix3_types[] = {
    {
        .name = TYPE_PIIX3_DEVICE,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PIIX3State),
        .instance_init = piix3_init,
        .class_init = piix3_class_init,
    },
};
DEFINE_TYPES(piix3_types)
