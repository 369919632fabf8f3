/*
 * The PCI part of the PC's DSDT: the host bridge \_SB.PCI0 with its windows
 * (_CRS) and interrupt routing (_PRT), the PIIX3 ISA bridge \_SB.PCI0.ISA
 * with the legacy devices behind it, and the PCI interrupt link devices
 * \_SB.LNKA-LNKD and \_SB.LNKS. Section numbers are ACPI 6.5.
 *
 * Interrupt routing, as QEMU's i440FX pc describes it: INTx pin p (0 = INTA)
 * of slot s goes to PIRQ (s + p - 1) mod 4 (the PIIX3 swizzle, see
 * piix3_pci_slot_get_pirq), and PIRQA-D are the links LNKA-LNKD, whose ISA
 * IRQ is what the PIIX3 PIRQRC registers (00:01.0 config 0x60-0x63, 82371SB
 * datasheet §2.2.9) say; the OS reprograms them through _SRS/_DIS. Slot 1
 * INTA is the PIIX4 PM function's, i.e. the SCI, which is wired to IRQ 9:
 * the fixed link LNKS.
 */
#include "hw/acpi/acpi-build.h"
#include "hw/acpi/aml.h"

#define PCI_SLOT_COUNT 32
#define PIIX3_PIRQRC_OFFSET 0x60
#define PIRQ_DISABLED 0x80          /* PIRQRC IRQROUTEN: not routed */
#define PIRQ_IRQ_MASK 0x0f

/* _STA values (§6.3.7): present + functioning, and enabled too. */
#define STA_DISABLED 0x09
#define STA_ENABLED 0x0b
#define STA_PRESENT 0x0f

/* What PCI interrupt links may use: QEMU's choice, free ISA IRQs. */
static const uint32_t link_irqs[] = { 5, 10, 11 };

static const char *const pirq_field[4] = {
    "\\_SB.PCI0.ISA.PRQA", "\\_SB.PCI0.ISA.PRQB",
    "\\_SB.PCI0.ISA.PRQC", "\\_SB.PCI0.ISA.PRQD",
};

/* _CRS of the host bridge (§6.4.3.5): what it decodes downstream. */
static Aml *build_pci0_crs(const AcpiBuildConfig *cfg)
{
    Aml *crs = aml_resource_template();

    aml_append(crs, aml_word_bus_number(0, 0xff));
    /* The configuration mechanism's ports belong to the bridge itself. */
    aml_append(crs, aml_io(0xcf8, 0xcf8, 1, 8));
    aml_append(crs, aml_dword_io(0x0000, 0x0cf7));
    aml_append(crs, aml_dword_io(0x0d00, 0xffff));
    aml_append(crs, aml_dword_memory(true, 0xa0000, 0xbffff));     /* VGA */
    if (cfg->pci_hole_start < cfg->pci_hole_end) {
        aml_append(crs, aml_dword_memory(false, cfg->pci_hole_start,
                                         cfg->pci_hole_end - 1));
    }
    if (cfg->pci_hole64_size) {
        aml_append(crs, aml_qword_memory(true, cfg->pci_hole64_start,
                                         cfg->pci_hole64_start + cfg->pci_hole64_size - 1));
    }
    return crs;
}

/*
 * _PRT (§6.2.13) as a static package: for every slot and pin,
 * Package { address (slot << 16 | 0xffff), pin, link, 0 }.
 */
static Aml *build_prt(void)
{
    Aml *prt = aml_package(PCI_SLOT_COUNT * 4);

    for (unsigned slot = 0; slot < PCI_SLOT_COUNT; slot++) {
        for (unsigned pin = 0; pin < 4; pin++) {
            char link[16];
            if (slot == 1 && pin == 0) {
                snprintf(link, sizeof(link), "\\_SB.LNKS");
            } else {
                snprintf(link, sizeof(link), "\\_SB.LNK%c", 'A' + ((slot + pin - 1) & 3));
            }
            Aml *e = aml_package(4);
            aml_append(e, aml_int((uint64_t)slot << 16 | 0xffff));
            aml_append(e, aml_int(pin));
            aml_append(e, aml_name(link));
            aml_append(e, aml_int(0));
            aml_append(prt, e);
        }
    }
    return prt;
}

static Aml *isa_device(const char *name, const char *hid, Aml *crs)
{
    Aml *dev = aml_device(name);
    aml_append(dev, aml_name_decl("_HID", aml_eisaid(hid)));
    aml_append(dev, aml_name_decl("_STA", aml_int(STA_PRESENT)));
    aml_append(dev, aml_name_decl("_CRS", crs));
    return dev;
}

/* PIIX3 function 0 with the PIRQRC registers and the legacy ISA devices. */
static Aml *build_isa_bridge(const AcpiBuildConfig *cfg)
{
    Aml *isa = aml_device("ISA");
    Aml *crs;

    aml_append(isa, aml_name_decl("_ADR", aml_int(0x00010000)));
    aml_append(isa, aml_operation_region("P40C", AML_SPACE_PCI_CONFIG, PIIX3_PIRQRC_OFFSET,
                                         4));
    Aml *field = aml_field_byte_acc("P40C");
    aml_append(field, aml_named_field("PRQA", 8));
    aml_append(field, aml_named_field("PRQB", 8));
    aml_append(field, aml_named_field("PRQC", 8));
    aml_append(field, aml_named_field("PRQD", 8));
    aml_append(isa, field);

    if (cfg->rtc) {
        crs = aml_resource_template();
        aml_append(crs, aml_io(0x70, 0x70, 1, 8));
        aml_append(crs, aml_irq_no_flags(8));
        aml_append(isa, isa_device("RTC", "PNP0B00", crs));
    }
    if (cfg->i8042) {
        crs = aml_resource_template();
        aml_append(crs, aml_io(0x60, 0x60, 1, 1));
        aml_append(crs, aml_io(0x64, 0x64, 1, 1));
        aml_append(crs, aml_irq_no_flags(1));
        aml_append(isa, isa_device("KBD", "PNP0303", crs));
        crs = aml_resource_template();
        aml_append(crs, aml_irq_no_flags(12));
        aml_append(isa, isa_device("MOU", "PNP0F13", crs));
    }
    for (unsigned i = 0; i < 4; i++) {
        char name[8];
        if (!(cfg->serial_ports & (1u << i))) {
            continue;
        }
        snprintf(name, sizeof(name), "COM%u", i + 1);
        crs = aml_resource_template();
        aml_append(crs, aml_io(cfg->serial_iobase[i], cfg->serial_iobase[i], 0, 8));
        aml_append(crs, aml_irq_no_flags(cfg->serial_irq[i] & 15));
        Aml *dev = isa_device(name, "PNP0501", crs);
        aml_append(dev, aml_name_decl("_UID", aml_int(i + 1)));
        aml_append(isa, dev);
    }
    return isa;
}

/* One extended interrupt descriptor naming @n IRQs. */
static Aml *irq_template(const uint32_t *irqs, unsigned n)
{
    Aml *rt = aml_resource_template();
    aml_append(rt, aml_interrupt_level_shared(irqs, n));
    return rt;
}

/* LNKA-LNKD: PCI interrupt link devices (§6.2.13) over PIRQRC[@pirq]. */
static Aml *build_link(unsigned pirq)
{
    static const uint32_t none[] = { 0 };
    const char *reg = pirq_field[pirq];
    char name[8];
    Aml *m, *cond;

    snprintf(name, sizeof(name), "LNK%c", 'A' + pirq);
    Aml *dev = aml_device(name);
    aml_append(dev, aml_name_decl("_HID", aml_eisaid("PNP0C0F")));
    aml_append(dev, aml_name_decl("_UID", aml_int(pirq)));
    aml_append(dev, aml_name_decl("_PRS", irq_template(link_irqs,
                                                       G_N_ELEMENTS(link_irqs))));

    /* _STA: enabled unless IRQROUTEN (bit 7) says "not routed". */
    m = aml_method("_STA", 0, false);
    cond = aml_if(aml_and(aml_name(reg), aml_int(PIRQ_DISABLED), NULL));
    aml_append(cond, aml_return(aml_int(STA_DISABLED)));
    aml_append(m, cond);
    aml_append(m, aml_return(aml_int(STA_ENABLED)));
    aml_append(dev, m);

    /* _DIS: set IRQROUTEN. */
    m = aml_method("_DIS", 0, false);
    aml_append(m, aml_or(aml_name(reg), aml_int(PIRQ_DISABLED), aml_name(reg)));
    aml_append(dev, m);

    /* _CRS: the routed IRQ, or 0 while not routed. */
    m = aml_method("_CRS", 0, true);
    aml_append(m, aml_name_decl("PRR0", irq_template(none, 1)));
    aml_append(m, aml_create_dword_field(aml_name("PRR0"), aml_int(5), "PRRI"));
    cond = aml_if(aml_lless(aml_name(reg), aml_int(PIRQ_DISABLED)));
    aml_append(cond, aml_store(aml_and(aml_name(reg), aml_int(PIRQ_IRQ_MASK), NULL),
                               aml_name("PRRI")));
    aml_append(m, cond);
    aml_append(m, aml_return(aml_name("PRR0")));
    aml_append(dev, m);

    /* _SRS: the OS hands back one of _PRS's descriptors; bit 7 clear routes it. */
    m = aml_method("_SRS", 1, true);
    aml_append(m, aml_create_dword_field(aml_arg(0), aml_int(5), "PRRI"));
    aml_append(m, aml_store(aml_name("PRRI"), aml_name(reg)));
    aml_append(dev, m);
    return dev;
}

/* LNKS: the SCI's fixed link, IRQ 9, level/active high as the MADT says. */
static Aml *build_link_sci(const AcpiBuildConfig *cfg)
{
    const uint32_t sci[] = { cfg->sci_irq };
    Aml *dev = aml_device("LNKS");

    aml_append(dev, aml_name_decl("_HID", aml_eisaid("PNP0C0F")));
    aml_append(dev, aml_name_decl("_UID", aml_int(4)));
    aml_append(dev, aml_name_decl("_STA", aml_int(STA_ENABLED)));
    aml_append(dev, aml_name_decl("_PRS", irq_template(sci, 1)));
    aml_append(dev, aml_name_decl("_CRS", irq_template(sci, 1)));
    /* It cannot move or be switched off. */
    aml_append(dev, aml_method("_SRS", 1, false));
    aml_append(dev, aml_method("_DIS", 0, false));
    return dev;
}

void acpi_dsdt_add_pci(Aml *sb, const AcpiBuildConfig *cfg)
{
    Aml *pci0 = aml_device("PCI0");

    aml_append(pci0, aml_name_decl("_HID", aml_eisaid("PNP0A03")));
    aml_append(pci0, aml_name_decl("_ADR", aml_int(0)));
    aml_append(pci0, aml_name_decl("_UID", aml_int(0)));
    aml_append(pci0, aml_name_decl("_CRS", build_pci0_crs(cfg)));
    aml_append(pci0, aml_name_decl("_PRT", build_prt()));
    aml_append(pci0, build_isa_bridge(cfg));
    aml_append(sb, pci0);

    for (unsigned i = 0; i < 4; i++) {
        aml_append(sb, build_link(i));
    }
    aml_append(sb, build_link_sci(cfg));
}
