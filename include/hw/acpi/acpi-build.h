/*
 * ACPI tables of the PC (RSDP, RSDT, XSDT, FADT, FACS, DSDT, MADT, HPET) and
 * the MP table, built two ways from one description:
 *
 *  - for firmware, as fw_cfg files "etc/acpi/tables", "etc/acpi/rsdp" and the
 *    "etc/table-loader" script (QEMU's interface, which SeaBIOS executes);
 *  - for direct kernel boot (no firmware), emu runs that script itself into
 *    guest RAM at 0xe0000-0xfffff (which the e820 map reserves), RSDP first in
 *    the F segment, so Linux finds it by its BIOS-area scan; the MP table
 *    follows it.
 *
 * Everything is rebuilt on each system reset, since the guest may have
 * overwritten that RAM.
 */
#ifndef HW_ACPI_ACPI_BUILD_H
#define HW_ACPI_ACPI_BUILD_H

#include "hw/acpi/bios-linker-loader.h"

/* Guest RAM the in-RAM copy uses (direct boot only). */
#define ACPI_BUILD_HIGH_BASE 0xe0000u    /* tables */
#define ACPI_BUILD_HIGH_SIZE 0x10000u
#define ACPI_BUILD_FSEG_BASE 0xf0000u    /* RSDP, then the MP table */
#define ACPI_BUILD_FSEG_SIZE 0xf000u     /* keeps clear of the reset vector page */
#define ACPI_BUILD_AREA_BASE ACPI_BUILD_HIGH_BASE
#define ACPI_BUILD_AREA_END 0x100000u

#define ACPI_BUILD_TABLE_FILE "etc/acpi/tables"
#define ACPI_BUILD_RSDP_FILE "etc/acpi/rsdp"
#define ACPI_BUILD_LOADER_FILE "etc/table-loader"

#define ACPI_BUILD_IOAPIC_ID 0
#define ACPI_BUILD_IOAPIC_ADDR 0xfec00000u
#define ACPI_BUILD_LAPIC_ADDR 0xfee00000u
/* ISA IRQs QEMU declares level-triggered, active high (PCI INTx and the SCI). */
#define ACPI_BUILD_LEVEL_IRQS ((1u << 5) | (1u << 9) | (1u << 10) | (1u << 11))
/* CMOS index of the century byte (FADT CENTURY). */
#define ACPI_BUILD_RTC_CENTURY 0x32

/* What an HPET device tells the table builder when it is realized. */
typedef struct AcpiHpetInfo {
    uint32_t event_timer_block_id;   /* bits 31:0 of its capabilities register */
    uint64_t base;                   /* MMIO base, 0xfed00000 */
    uint16_t min_tick;               /* main counter minimum clock tick */
} AcpiHpetInfo;

/* An HPET table is emitted only after this (and with -machine hpet=on). */
void acpi_build_register_hpet(const AcpiHpetInfo *info);
void acpi_build_unregister_hpet(void);

/* The machine description the tables are built from. */
typedef struct AcpiBuildConfig {
    unsigned cpus;                   /* enabled (APIC IDs 0..cpus-1) */
    unsigned max_cpus;               /* the rest are present but disabled */
    uint16_t pm_iobase;              /* ACPI PM block (PM1a_EVT, CNT at +4, TMR at +8) */
    uint8_t sci_irq;
    bool fw_cfg;                     /* describe fw_cfg (QEMU0002) in the DSDT */
    bool fw_cfg_dma;
    const AcpiHpetInfo *hpet;        /* NULL: no HPET table */
    /* i440FX + PIIX3: \_SB.PCI0, its _PRT and the LNKx links (hw/acpi/dsdt-pci.c). */
    bool pci;
    uint64_t pci_hole_start;         /* 32-bit MMIO window [start, end) */
    uint64_t pci_hole_end;
    uint64_t pci_hole64_start;       /* 64-bit MMIO window; size 0: none */
    uint64_t pci_hole64_size;
    uint8_t serial_ports;            /* bit n: COM(n+1) exists, at: */
    uint16_t serial_iobase[4];
    uint8_t serial_irq[4];
    bool i8042;
    bool rtc;
} AcpiBuildConfig;

typedef struct AcpiBuildTables {
    GByteArray *tables;              /* FACS, DSDT, FADT, MADT, ..., RSDT, XSDT */
    GByteArray *rsdp;
    BIOSLinker *linker;              /* script over the two blobs above */
} AcpiBuildTables;

void acpi_build(const AcpiBuildConfig *cfg, AcpiBuildTables *out);
/* Add \_SB.PCI0 (with the ISA bridge and its devices) and the links to @sb. */
typedef struct Aml Aml;
void acpi_dsdt_add_pci(Aml *sb, const AcpiBuildConfig *cfg);
void acpi_build_tables_cleanup(AcpiBuildTables *t);

typedef struct PCMachineState PCMachineState;
/*
 * Build the PC's tables from @pcms, publish them through pcms->fw_cfg, and,
 * when 0xe0000-0xfffff is writable RAM (no firmware ROM there), write them
 * and the MP table into it.
 */
void pc_acpi_build(PCMachineState *pcms);
/* Where the last pc_acpi_build put the RSDP in guest RAM (0: nowhere). */
uint64_t acpi_build_rsdp_addr(void);

#endif
