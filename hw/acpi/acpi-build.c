/*
 * ACPI tables for -machine pc. Layouts from the ACPI 6.5 specification
 * (§5.2 "ACPI System Description Tables"); choices (which tables, flags, IRQ
 * overrides) follow what QEMU's i440FX machine gives its guests, except that
 * the RSDP is revision 2 with an XSDT and the FADT is revision 3 with a reset
 * register, since emu's PC has no SMM and boots Linux without firmware.
 */
#include "hw/acpi/acpi-build.h"
#include "hw/acpi/aml.h"
#include "hw/acpi/mptable.h"
#include "hw/acpi/pm.h"
#include "hw/i386/pc.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/char/serial.h"
#include "util/log.h"

#define ACPI_OEM_ID "EMU   "          /* 6 characters */
#define ACPI_OEM_TABLE_ID "EMUPC   "  /* 8 characters */
#define ACPI_CREATOR_ID "EMU "        /* 4 characters */

/* FADT flags (ACPI 6.5 table 5.10). */
#define FADT_F_WBINVD (1u << 0)
#define FADT_F_PROC_C1 (1u << 2)
#define FADT_F_SLP_BUTTON (1u << 5)      /* no fixed-feature sleep button */
#define FADT_F_RTC_S4 (1u << 7)
#define FADT_F_RESET_REG_SUP (1u << 10)
#define FADT_F_USE_PLATFORM_CLOCK (1u << 15)
#define FADT_F_FORCE_APIC_CLUSTER_MODEL (1u << 18)
/* IAPC_BOOT_ARCH (table 5.11). */
#define IAPC_LEGACY_DEVICES (1u << 0)
#define IAPC_8042 (1u << 1)
/* Generic Address Structure address spaces (table 5.1). */
#define GAS_SYSTEM_MEMORY 0
#define GAS_SYSTEM_IO 1

/* MADT (§5.2.12) */
#define MADT_PCAT_COMPAT 1u
#define MADT_LOCAL_APIC 0
#define MADT_IO_APIC 1
#define MADT_INT_SRC_OVERRIDE 2
#define MADT_LOCAL_APIC_NMI 4
#define MADT_FLAGS_HIGH_LEVEL 0xd        /* active high (01), level (11 << 2) */

static AcpiHpetInfo hpet_info;
static bool hpet_registered;
static uint64_t last_rsdp_addr;

void acpi_build_register_hpet(const AcpiHpetInfo *info)
{
    hpet_info = *info;
    hpet_registered = true;
}

void acpi_build_unregister_hpet(void)
{
    hpet_registered = false;
}

uint64_t acpi_build_rsdp_addr(void)
{
    return last_rsdp_addr;
}

/* ---- helpers ---- */

static void append_bytes(GByteArray *t, const char *s, size_t len)
{
    g_assert(strlen(s) == len);
    g_byte_array_append(t, (const uint8_t *)s, len);
}

static void append_gas(GByteArray *t, uint8_t space, uint8_t bit_width, uint8_t access,
                       uint64_t addr)
{
    build_append_int_noprefix(t, space, 1);
    build_append_int_noprefix(t, bit_width, 1);
    build_append_int_noprefix(t, 0, 1);        /* bit offset */
    build_append_int_noprefix(t, access, 1);   /* 0 undefined, 1 byte, 2 word... */
    build_append_int_noprefix(t, addr, 8);
}

/* Standard header (§5.2.6); length and checksum come in acpi_table_end. */
static unsigned acpi_table_begin(GByteArray *t, const char *sig, uint8_t rev)
{
    unsigned start = t->len;
    append_bytes(t, sig, 4);
    build_append_int_noprefix(t, 0, 4);        /* length */
    build_append_int_noprefix(t, rev, 1);
    build_append_int_noprefix(t, 0, 1);        /* checksum */
    append_bytes(t, ACPI_OEM_ID, 6);
    append_bytes(t, ACPI_OEM_TABLE_ID, 8);
    build_append_int_noprefix(t, 1, 4);        /* OEM revision */
    append_bytes(t, ACPI_CREATOR_ID, 4);
    build_append_int_noprefix(t, 1, 4);        /* creator revision */
    return start;
}

static void acpi_table_end(BIOSLinker *linker, GByteArray *t, unsigned start)
{
    uint32_t len = t->len - start;
    for (int i = 0; i < 4; i++) {
        t->data[start + 4 + i] = len >> (8 * i);
    }
    bios_linker_loader_add_checksum(linker, ACPI_BUILD_TABLE_FILE, start, len, start + 9);
}

/* A @size-byte field pointing at @target in the tables blob. */
static void append_table_pointer(BIOSLinker *linker, GByteArray *t, unsigned size,
                                 unsigned target)
{
    unsigned at = t->len;
    build_append_int_noprefix(t, 0, size);
    bios_linker_loader_add_pointer(linker, ACPI_BUILD_TABLE_FILE, at, size,
                                   ACPI_BUILD_TABLE_FILE, target);
}

/* ---- tables ---- */

/* FACS (§5.2.10): no checksum; 64-byte aligned, hence first in the blob. */
static unsigned build_facs(GByteArray *t)
{
    unsigned start = t->len;
    g_assert(!(start % 64));
    append_bytes(t, "FACS", 4);
    build_append_int_noprefix(t, 64, 4);       /* length */
    build_append_int_noprefix(t, 0, 4);        /* hardware signature */
    build_append_int_noprefix(t, 0, 4);        /* firmware waking vector */
    build_append_int_noprefix(t, 0, 4);        /* global lock */
    build_append_int_noprefix(t, 0, 4);        /* flags */
    build_append_int_noprefix(t, 0, 8);        /* X firmware waking vector */
    build_append_int_noprefix(t, 1, 1);        /* version (ACPI 2.0) */
    build_append_int_noprefix(t, 0, 64 - 33);  /* reserved */
    return start;
}

static unsigned build_dsdt(GByteArray *t, BIOSLinker *linker, const AcpiBuildConfig *cfg)
{
    unsigned start = acpi_table_begin(t, "DSDT", 2);
    Aml *root = aml_root();
    Aml *sb = aml_scope("\\_SB");

    if (cfg->fw_cfg) {
        /* QEMU's fw_cfg node: Linux's qemu_fw_cfg driver binds to QEMU0002. */
        Aml *dev = aml_device("FWCF");
        aml_append(dev, aml_name_decl("_HID", aml_string("QEMU0002")));
        aml_append(dev, aml_name_decl("_STA", aml_int(0xb)));   /* present, hidden */
        Aml *crs = aml_resource_template();
        uint8_t len = cfg->fw_cfg_dma ? FW_CFG_DMA_IO_BASE + 8 - FW_CFG_IO_BASE : 2;
        aml_append(crs, aml_io(FW_CFG_IO_BASE, FW_CFG_IO_BASE, 1, len));
        aml_append(dev, aml_name_decl("_CRS", crs));
        aml_append(sb, dev);
    }
    /* Processor devices (§8.4): _UID matches the MADT's ACPI processor UID. */
    for (unsigned i = 0; i < cfg->cpus; i++) {
        char name[16];
        snprintf(name, sizeof(name), "C%03X", i);
        Aml *dev = aml_device(name);
        aml_append(dev, aml_name_decl("_HID", aml_string("ACPI0007")));
        aml_append(dev, aml_name_decl("_UID", aml_int(i)));
        aml_append(sb, dev);
    }
    if (cfg->pci) {
        acpi_dsdt_add_pci(sb, cfg);
    }
    aml_append(root, sb);

    /*
     * \_S5 (§7.4.2.6): soft-off is SLP_TYP 0, PIIX4's encoding, which the PM
     * block decodes. The second value is for PM1b, which does not exist.
     */
    Aml *s5 = aml_package(4);
    aml_append(s5, aml_int(ACPI_SLP_TYP_S5));
    aml_append(s5, aml_int(0));
    aml_append(s5, aml_int(0));
    aml_append(s5, aml_int(0));
    aml_append(root, aml_name_decl("_S5", s5));

    g_autoptr(GByteArray) aml = aml_finish(root);
    g_byte_array_append(t, aml->data, aml->len);
    acpi_table_end(linker, t, start);
    return start;
}

/* FADT revision 3 (ACPI 2.0 layout, 244 bytes; §5.2.9). */
static unsigned build_fadt(GByteArray *t, BIOSLinker *linker, const AcpiBuildConfig *cfg,
                           unsigned facs, unsigned dsdt)
{
    const uint16_t pm = cfg->pm_iobase;
    unsigned start = acpi_table_begin(t, "FACP", 3);
    uint32_t flags = FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_SLP_BUTTON | FADT_F_RTC_S4 |
                     FADT_F_RESET_REG_SUP | FADT_F_USE_PLATFORM_CLOCK;

    /* Flat logical APIC destinations only reach 8 CPUs. */
    if (cfg->max_cpus > 8) {
        flags |= FADT_F_FORCE_APIC_CLUSTER_MODEL;
    }
    append_table_pointer(linker, t, 4, facs);              /* FIRMWARE_CTRL */
    append_table_pointer(linker, t, 4, dsdt);              /* DSDT */
    build_append_int_noprefix(t, 1, 1);        /* INT_MODEL (ACPI 1.0): APIC */
    build_append_int_noprefix(t, 0, 1);        /* preferred PM profile: unspecified */
    build_append_int_noprefix(t, cfg->sci_irq, 2);
    /* No SMI_CMD: no SMM, the machine is always in ACPI mode (§4.8.3.2.1). */
    build_append_int_noprefix(t, 0, 4);        /* SMI_CMD */
    build_append_int_noprefix(t, 0, 1);        /* ACPI_ENABLE */
    build_append_int_noprefix(t, 0, 1);        /* ACPI_DISABLE */
    build_append_int_noprefix(t, 0, 1);        /* S4BIOS_REQ */
    build_append_int_noprefix(t, 0, 1);        /* PSTATE_CNT */
    build_append_int_noprefix(t, pm + ACPI_PM1_STS, 4);    /* PM1a_EVT_BLK */
    build_append_int_noprefix(t, 0, 4);                    /* PM1b_EVT_BLK */
    build_append_int_noprefix(t, pm + ACPI_PM1_CNT, 4);    /* PM1a_CNT_BLK */
    build_append_int_noprefix(t, 0, 4);                    /* PM1b_CNT_BLK */
    build_append_int_noprefix(t, 0, 4);                    /* PM2_CNT_BLK */
    build_append_int_noprefix(t, pm + ACPI_PM_TMR, 4);     /* PM_TMR_BLK */
    build_append_int_noprefix(t, pm + ACPI_GPE0_BLK, 4);   /* GPE0_BLK */
    build_append_int_noprefix(t, 0, 4);                    /* GPE1_BLK */
    build_append_int_noprefix(t, ACPI_PM1_EVT_LEN, 1);
    build_append_int_noprefix(t, ACPI_PM1_CNT_LEN, 1);
    build_append_int_noprefix(t, 0, 1);                    /* PM2_CNT_LEN */
    build_append_int_noprefix(t, ACPI_PM_TMR_LEN, 1);
    build_append_int_noprefix(t, ACPI_GPE0_BLK_LEN, 1);
    build_append_int_noprefix(t, 0, 1);                    /* GPE1_BLK_LEN */
    build_append_int_noprefix(t, 0, 1);                    /* GPE1_BASE */
    build_append_int_noprefix(t, 0, 1);                    /* CST_CNT */
    build_append_int_noprefix(t, 0xfff, 2);    /* P_LVL2_LAT > 100: no C2 */
    build_append_int_noprefix(t, 0xfff, 2);    /* P_LVL3_LAT > 1000: no C3 */
    build_append_int_noprefix(t, 0, 2);        /* FLUSH_SIZE */
    build_append_int_noprefix(t, 0, 2);        /* FLUSH_STRIDE */
    build_append_int_noprefix(t, 0, 1);        /* DUTY_OFFSET */
    build_append_int_noprefix(t, 0, 1);        /* DUTY_WIDTH */
    build_append_int_noprefix(t, 0, 1);        /* DAY_ALRM */
    build_append_int_noprefix(t, 0, 1);        /* MON_ALRM */
    build_append_int_noprefix(t, ACPI_BUILD_RTC_CENTURY, 1);
    build_append_int_noprefix(t, IAPC_LEGACY_DEVICES | IAPC_8042, 2);
    build_append_int_noprefix(t, 0, 1);        /* reserved */
    build_append_int_noprefix(t, flags, 4);
    /* RESET_REG: the PIIX3 reset control register, one byte. */
    append_gas(t, GAS_SYSTEM_IO, 8, 1, PC_RESET_CONTROL_PORT);
    build_append_int_noprefix(t, PC_RESET_CONTROL_VALUE, 1);
    build_append_int_noprefix(t, 0, 3);        /* reserved (ARM_BOOT_ARCH, minor) */
    build_append_int_noprefix(t, 0, 8);        /* X_FIRMWARE_CTRL: FIRMWARE_CTRL is used */
    append_table_pointer(linker, t, 8, dsdt);              /* X_DSDT */
    append_gas(t, GAS_SYSTEM_IO, ACPI_PM1_EVT_LEN * 8, 0, pm + ACPI_PM1_STS);
    append_gas(t, 0, 0, 0, 0);                             /* X_PM1b_EVT_BLK */
    append_gas(t, GAS_SYSTEM_IO, ACPI_PM1_CNT_LEN * 8, 0, pm + ACPI_PM1_CNT);
    append_gas(t, 0, 0, 0, 0);                             /* X_PM1b_CNT_BLK */
    append_gas(t, 0, 0, 0, 0);                             /* X_PM2_CNT_BLK */
    append_gas(t, GAS_SYSTEM_IO, ACPI_PM_TMR_LEN * 8, 0, pm + ACPI_PM_TMR);
    append_gas(t, GAS_SYSTEM_IO, ACPI_GPE0_BLK_LEN * 8, 0, pm + ACPI_GPE0_BLK);
    append_gas(t, 0, 0, 0, 0);                             /* X_GPE1_BLK */
    g_assert(t->len - start == 244);
    acpi_table_end(linker, t, start);
    return start;
}

/* MADT (§5.2.12), as QEMU's i440FX: one I/O APIC, ISA overrides, LINT1 NMI. */
static unsigned build_madt(GByteArray *t, BIOSLinker *linker, const AcpiBuildConfig *cfg)
{
    unsigned start = acpi_table_begin(t, "APIC", 1);

    build_append_int_noprefix(t, ACPI_BUILD_LAPIC_ADDR, 4);
    build_append_int_noprefix(t, MADT_PCAT_COMPAT, 4);    /* 8259s present too */
    for (unsigned i = 0; i < cfg->max_cpus; i++) {
        build_append_int_noprefix(t, MADT_LOCAL_APIC, 1);
        build_append_int_noprefix(t, 8, 1);
        build_append_int_noprefix(t, i, 1);               /* ACPI processor UID */
        build_append_int_noprefix(t, i, 1);               /* APIC ID */
        build_append_int_noprefix(t, i < cfg->cpus ? 1 : 0, 4);   /* enabled */
    }
    build_append_int_noprefix(t, MADT_IO_APIC, 1);
    build_append_int_noprefix(t, 12, 1);
    build_append_int_noprefix(t, ACPI_BUILD_IOAPIC_ID, 1);
    build_append_int_noprefix(t, 0, 1);
    build_append_int_noprefix(t, ACPI_BUILD_IOAPIC_ADDR, 4);
    build_append_int_noprefix(t, 0, 4);                   /* GSI base */

    /* ISA IRQ 0 (the PIT) is wired to GSI 2; flags 0 = conforms to ISA. */
    for (unsigned irq = 0; irq < 16; irq++) {
        bool level = ACPI_BUILD_LEVEL_IRQS & (1u << irq);
        if (irq != 0 && !level) {
            continue;
        }
        build_append_int_noprefix(t, MADT_INT_SRC_OVERRIDE, 1);
        build_append_int_noprefix(t, 10, 1);
        build_append_int_noprefix(t, 0, 1);               /* bus: ISA */
        build_append_int_noprefix(t, irq, 1);             /* source */
        build_append_int_noprefix(t, irq == 0 ? 2 : irq, 4);
        build_append_int_noprefix(t, level ? MADT_FLAGS_HIGH_LEVEL : 0, 2);
    }
    build_append_int_noprefix(t, MADT_LOCAL_APIC_NMI, 1);
    build_append_int_noprefix(t, 6, 1);
    build_append_int_noprefix(t, 0xff, 1);                /* all processors */
    build_append_int_noprefix(t, 0, 2);                   /* flags: conforming */
    build_append_int_noprefix(t, 1, 1);                   /* LINT1 */
    acpi_table_end(linker, t, start);
    return start;
}

/* HPET description table (IA-PC HPET specification 1.0a, §3.2.4). */
static unsigned build_hpet(GByteArray *t, BIOSLinker *linker, const AcpiHpetInfo *h)
{
    unsigned start = acpi_table_begin(t, "HPET", 1);
    build_append_int_noprefix(t, h->event_timer_block_id, 4);
    append_gas(t, GAS_SYSTEM_MEMORY, 0, 0, h->base);
    build_append_int_noprefix(t, 0, 1);                   /* HPET number */
    build_append_int_noprefix(t, h->min_tick, 2);
    build_append_int_noprefix(t, 0, 1);                   /* no page protection */
    acpi_table_end(linker, t, start);
    return start;
}

static unsigned build_sdt(GByteArray *t, BIOSLinker *linker, const char *sig,
                          unsigned ptr_size, const unsigned *tables, unsigned n)
{
    unsigned start = acpi_table_begin(t, sig, 1);
    for (unsigned i = 0; i < n; i++) {
        append_table_pointer(linker, t, ptr_size, tables[i]);
    }
    acpi_table_end(linker, t, start);
    return start;
}

/* RSDP revision 2 (§5.2.5.3), its own blob, found by scanning the F segment. */
static void build_rsdp(GByteArray *r, BIOSLinker *linker, unsigned rsdt, unsigned xsdt)
{
    append_bytes(r, "RSD PTR ", 8);
    build_append_int_noprefix(r, 0, 1);                   /* checksum of 20 bytes */
    append_bytes(r, ACPI_OEM_ID, 6);
    build_append_int_noprefix(r, 2, 1);                   /* revision */
    build_append_int_noprefix(r, 0, 4);                   /* RSDT address */
    build_append_int_noprefix(r, 36, 4);                  /* length */
    build_append_int_noprefix(r, 0, 8);                   /* XSDT address */
    build_append_int_noprefix(r, 0, 1);                   /* extended checksum */
    build_append_int_noprefix(r, 0, 3);
    bios_linker_loader_add_pointer(linker, ACPI_BUILD_RSDP_FILE, 16, 4,
                                   ACPI_BUILD_TABLE_FILE, rsdt);
    bios_linker_loader_add_pointer(linker, ACPI_BUILD_RSDP_FILE, 24, 8,
                                   ACPI_BUILD_TABLE_FILE, xsdt);
    /* The 20-byte checksum first: the extended one covers it. */
    bios_linker_loader_add_checksum(linker, ACPI_BUILD_RSDP_FILE, 0, 20, 8);
    bios_linker_loader_add_checksum(linker, ACPI_BUILD_RSDP_FILE, 0, 36, 32);
}

void acpi_build(const AcpiBuildConfig *cfg, AcpiBuildTables *out)
{
    GByteArray *t = g_byte_array_new();
    GByteArray *r = g_byte_array_new();
    BIOSLinker *linker = bios_linker_loader_init();
    unsigned sdt[4], n = 0;

    g_assert(cfg->cpus >= 1 && cfg->cpus <= cfg->max_cpus && cfg->max_cpus <= 255);
    bios_linker_loader_alloc(linker, ACPI_BUILD_TABLE_FILE, t, 64, false);
    unsigned facs = build_facs(t);
    unsigned dsdt = build_dsdt(t, linker, cfg);
    sdt[n++] = build_fadt(t, linker, cfg, facs, dsdt);
    sdt[n++] = build_madt(t, linker, cfg);
    if (cfg->hpet) {
        sdt[n++] = build_hpet(t, linker, cfg->hpet);
    }
    unsigned rsdt = build_sdt(t, linker, "RSDT", 4, sdt, n);
    unsigned xsdt = build_sdt(t, linker, "XSDT", 8, sdt, n);

    bios_linker_loader_alloc(linker, ACPI_BUILD_RSDP_FILE, r, 16, true);
    build_rsdp(r, linker, rsdt, xsdt);

    *out = (AcpiBuildTables){ .tables = t, .rsdp = r, .linker = linker };
}

void acpi_build_tables_cleanup(AcpiBuildTables *t)
{
    if (t->linker) {
        bios_linker_loader_cleanup(t->linker);
    }
    if (t->tables) {
        g_byte_array_unref(t->tables);
    }
    if (t->rsdp) {
        g_byte_array_unref(t->rsdp);
    }
    *t = (AcpiBuildTables){ 0 };
}

/* ---- the PC ---- */

/* PCI's 64-bit window: from the GiB above RAM, 2 GiB (QEMU's i440FX default). */
#define PC_PCI_HOLE64_ALIGN (1ull << 30)
#define PC_PCI_HOLE64_SIZE (1ull << 31)

/*
 * Guest RAM as the RAM chips hold it, whatever PAM says now: at the first
 * system reset the reset handlers run before the i440FX comes out of reset
 * with the BIOS area as RAM, and through the CPU's view the area is still
 * PCI then.
 */
static AddressSpace *pc_ram_as(MachineState *ms)
{
    static AddressSpace as;
    static MemoryRegion *root;

    if (root != ms->ram) {
        if (root) {
            address_space_destroy(&as);
        }
        address_space_init(&as, ms->ram, "acpi-build-ram");
        root = ms->ram;
    }
    return &as;
}

/* COM1-COM4 as the isa-serial devices on the ISA bus place them. */
static void pc_serial_ports(PCMachineState *pcms, AcpiBuildConfig *cfg)
{
    for (GList *l = BUS(pcms->isa_bus)->children; l; l = l->next) {
        ISASerialState *s = (ISASerialState *)object_dynamic_cast(l->data,
                                                                  TYPE_ISA_SERIAL);
        if (!s || s->index < 0 || s->index >= 4) {
            continue;
        }
        cfg->serial_ports |= 1u << s->index;
        cfg->serial_iobase[s->index] = s->iobase == -1 ? pc_serial_iobase[s->index]
                                                       : s->iobase;
        cfg->serial_irq[s->index] = s->isairq == -1 ? pc_serial_irq[s->index] : s->isairq;
    }
}

void pc_acpi_build(PCMachineState *pcms)
{
    MachineState *ms = MACHINE(pcms);
    /* Without firmware the i440FX resets with the BIOS area as RAM (pc-pci.c). */
    bool in_ram = !ms->firmware && ms->ram &&
                  memory_region_size(ms->ram) >= ACPI_BUILD_AREA_END;
    AddressSpace *ram_as = in_ram ? pc_ram_as(ms) : NULL;
    uint64_t fseg_next = ACPI_BUILD_FSEG_BASE;

    last_rsdp_addr = 0;
    if (pcms->acpi) {
        AcpiBuildConfig cfg = {
            .cpus = ms->smp.cpus,
            .max_cpus = ms->smp.max_cpus,
            .pm_iobase = ACPI_PM_IOBASE,
            .sci_irq = ACPI_SCI_IRQ,
            .fw_cfg = pcms->fw_cfg != NULL,
            .fw_cfg_dma = pcms->fw_cfg && pcms->fw_cfg->dma_enabled,
            .hpet = pcms->hpet && hpet_registered ? &hpet_info : NULL,
            .pci = pcms->pci_bus != NULL,
            .pci_hole_start = pcms->below_4g_mem_size,
            .pci_hole_end = ACPI_BUILD_IOAPIC_ADDR,
            .pci_hole64_start = (PC_4G + pcms->above_4g_mem_size +
                                 PC_PCI_HOLE64_ALIGN - 1) & ~(PC_PCI_HOLE64_ALIGN - 1),
            .pci_hole64_size = PC_PCI_HOLE64_SIZE,
            .i8042 = object_resolve_path("/machine/i8042", NULL) != NULL,
            .rtc = object_resolve_path("/machine/rtc", NULL) != NULL,
        };
        AcpiBuildTables t;
        pc_serial_ports(pcms, &cfg);
        acpi_build(&cfg, &t);
        if (pcms->fw_cfg) {
            fw_cfg_modify_file(pcms->fw_cfg, ACPI_BUILD_TABLE_FILE, t.tables->data,
                               t.tables->len);
            fw_cfg_modify_file(pcms->fw_cfg, ACPI_BUILD_RSDP_FILE, t.rsdp->data,
                               t.rsdp->len);
            fw_cfg_modify_file(pcms->fw_cfg, ACPI_BUILD_LOADER_FILE,
                               t.linker->cmd_blob->data, t.linker->cmd_blob->len);
        }
        if (in_ram) {
            BIOSLinkerPlacement placed[2];
            unsigned n = 0;
            Error *err = NULL;
            if (bios_linker_loader_run(ram_as, t.linker, ACPI_BUILD_HIGH_BASE,
                                       ACPI_BUILD_HIGH_SIZE, ACPI_BUILD_FSEG_BASE,
                                       ACPI_BUILD_FSEG_SIZE, placed, G_N_ELEMENTS(placed),
                                       &n, &fseg_next, &err)) {
                for (unsigned i = 0; i < n; i++) {
                    if (!strcmp(placed[i].name, ACPI_BUILD_RSDP_FILE)) {
                        last_rsdp_addr = placed[i].addr;
                    }
                }
                emu_log_mask(LOG_BOOT, "acpi: tables in RAM at 0x%x, RSDP at 0x%" PRIx64
                             "\n", ACPI_BUILD_HIGH_BASE, last_rsdp_addr);
            } else {
                error_prepend(&err, "ACPI tables for direct boot not written: ");
                error_report_err(err);
            }
        }
        acpi_build_tables_cleanup(&t);
    }
    if (in_ram) {
        MPTableConfig mp = {
            .cpus = ms->smp.cpus,
            .ioapic_id = ACPI_BUILD_IOAPIC_ID,
            .ioapic_addr = ACPI_BUILD_IOAPIC_ADDR,
            .irq0_override = true,
            .level_irqs = ACPI_BUILD_LEVEL_IRQS,
        };
        uint32_t base = (fseg_next + 15) & ~15u;
        g_autoptr(GByteArray) mpt = mptable_build(&mp, base);
        if (base + mpt->len <= ACPI_BUILD_FSEG_BASE + ACPI_BUILD_FSEG_SIZE) {
            address_space_write(ram_as, base, mpt->data, mpt->len);
        } else {
            error_report("MP table for direct boot not written: no room in the F segment");
        }
    }
}
