/*
 * PIIX4 power-management PCI function (82371AB datasheet §3.4): the PMBA /
 * PMIOSE registers that place the ACPI PM block, and the SMBus base registers
 * as plain storage.
 */
#include "hw/acpi/piix4-pm.h"
#include "hw/pci/pci_regs.h"
#include "migration/vmstate.h"
#include "util/log.h"

/* Map the PM block where PMBA says, or take it away while PMIOSE is clear. */
static void piix4_pm_update_io(PIIX4PMState *s)
{
    PCIDevice *pd = PCI_DEVICE(s);
    MemoryRegion *io = &s->pm->io;
    bool on = pd->config[PIIX4_PMREGMISC] & PIIX4_PMIOSE;
    uint32_t base = pci_get_long(pd->config + PIIX4_PMBA) & PIIX4_PMBA_MASK;

    if (on == io->enabled && base == memory_region_get_address(io)) {
        return;
    }
    memory_region_transaction_begin();
    memory_region_set_enabled(io, on);
    memory_region_set_address(io, base);
    memory_region_transaction_commit();
    s->relocations++;
    emu_log_mask(LOG_BOOT, "PIIX4_PM: ACPI PM block %s at 0x%x\n", on ? "on" : "off",
                 base);
}

static void piix4_pm_write_config(PCIDevice *pd, uint32_t addr, uint32_t val, int len)
{
    pci_default_write_config(pd, addr, val, len);
    if ((addr < PIIX4_PMBA + 4 && PIIX4_PMBA < addr + len) ||
        (addr <= PIIX4_PMREGMISC && PIIX4_PMREGMISC < addr + len)) {
        piix4_pm_update_io(PIIX4_PM(pd));
    }
}

static void piix4_pm_realize(PCIDevice *pd, Error **errp)
{
    PIIX4PMState *s = PIIX4_PM(pd);

    if (!s->pm) {
        error_setg(errp, "PIIX4_PM: the 'pm' link to the acpi-pm device is not set");
        return;
    }
    if (s->default_base & ~PIIX4_PMBA_MASK) {
        error_setg(errp, "PIIX4_PM: pm-base=0x%" PRIx32 " is not a 64-byte aligned "
                   "I/O address", s->default_base);
        return;
    }
    /* PMBA bits 15:6 (bit 0 is the read-only I/O indicator), PMIOSE. */
    pci_config_set_wmask(pd, PIIX4_PMBA, 1, 0xc0);
    pci_config_set_wmask(pd, PIIX4_PMBA + 1, 1, 0xff);
    pci_config_set_wmask(pd, PIIX4_PMREGMISC, 1, PIIX4_PMIOSE);
    /* SMBus base (bits 15:4) and host configuration: storage only. */
    pci_config_set_wmask(pd, PIIX4_SMBBA, 1, 0xf0);
    pci_config_set_wmask(pd, PIIX4_SMBBA + 1, 1, 0xff);
    pci_config_set_wmask(pd, PIIX4_SMBHSTCFG, 1, 0x0f);
    pci_config_set_wmask(pd, PCI_INTERRUPT_LINE, 1, 0xff);
}

/* Register defaults (§3.4); the block follows them. */
static void piix4_pm_reset(PCIDevice *pd)
{
    PIIX4PMState *s = PIIX4_PM(pd);
    uint8_t *c = pd->config;

    memset(c + 0x40, 0, 0xc0);
    c[PCI_INTERRUPT_LINE] = PIIX4_SCI_IRQ;
    c[PCI_INTERRUPT_PIN] = 0x01;
    pci_set_long(c + PIIX4_PMBA, 0x01);
    pci_set_long(c + PIIX4_SMBBA, 0x01);
    /*
     * DEVACTB APMC_EN (§3.4.1.16): emu has no SMM, so this says "SMI on APM
     * control writes is already set up", as QEMU's PIIX4 does with SMM off;
     * SeaBIOS then skips its SMM relocation, which would wait forever for an
     * SMI handler to answer on port 0xb3.
     */
    c[PIIX4_DEVACTB + 3] = PIIX4_DEVACTB_APMC_EN >> 24;
    if (!s->firmware) {
        /* Nobody else will: place it where the ACPI tables say. */
        pci_set_long(c + PIIX4_PMBA, s->default_base | 0x01);
        c[PIIX4_PMREGMISC] = PIIX4_PMIOSE;
    }
    piix4_pm_update_io(s);
}

static int piix4_pm_post_load(void *opaque, int version_id)
{
    piix4_pm_update_io(opaque);
    return 0;
}

static const VMStateDescription vmstate_piix4_pm = {
    .name = "PIIX4_PM",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = piix4_pm_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(parent_obj, PIIX4PMState, 1, vmstate_pci_device, PCIDevice),
        VMSTATE_END_OF_LIST()
    },
};

static const Property piix4_pm_props[] = {
    DEFINE_PROP_LINK("pm", PIIX4PMState, pm, TYPE_ACPI_PM, AcpiPMState *),
    DEFINE_PROP_BOOL("firmware", PIIX4PMState, firmware, false),
    DEFINE_PROP_UINT32("pm-base", PIIX4PMState, default_base, 0x600),
    DEFINE_PROP_END_OF_LIST(),
};

static void piix4_pm_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    dc->desc = "PIIX4 ACPI power management";
    dc->category = DEVICE_CATEGORY_BRIDGE;
    dc->vmsd = &vmstate_piix4_pm;
    pc->realize = piix4_pm_realize;
    pc->reset = piix4_pm_reset;
    pc->config_write = piix4_pm_write_config;
    pc->vendor_id = PCI_VENDOR_ID_INTEL;
    pc->device_id = PCI_DEVICE_ID_INTEL_82371AB_3;
    pc->revision = 0x03;
    pc->class_id = PCI_CLASS_BRIDGE_OTHER;
    object_class_add_static_props(oc, piix4_pm_props);
}

static const TypeInfo piix4_pm_types[] = {
    {
        .name = TYPE_PIIX4_PM,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PIIX4PMState),
        .class_init = piix4_pm_class_init,
    },
};
DEFINE_TYPES(piix4_pm_types)
