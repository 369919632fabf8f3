/*
 * The PIIX4 power-management function (82371AB function 3, 8086:7113 rev 03)
 * at 00:01.3, as QEMU's pc has it: its PMBA register places the ACPI PM block
 * (the acpi-pm device, hw/acpi/pm.c) in I/O space.
 *
 * Config registers (82371AB datasheet §3.4 "Power Management Registers"):
 *   0x3c  interrupt line: 9, the SCI's ISA IRQ (the SCI itself is wired to IRQ 9)
 *   0x40  PMBA: bits 15:6 the 64-byte PM block's base, bit 0 reads 1 (I/O)
 *   0x80  PMREGMISC: bit 0 PMIOSE, the PM block decodes only while it is set
 *   0x58  DEVACTB: APMC_EN reads 1 (no SMM: firmware must not set it up)
 *   0x90  SMBBA (bit 0 reads 1) and 0xd2 SMBHSTCFG: kept for software, the
 *         SMBus controller behind them is not implemented
 *
 * From reset the block is off (PMIOSE 0) and firmware programs it (SeaBIOS
 * writes PMBA 0x600 and PMIOSE). Without firmware ("firmware" false) reset
 * leaves it at ACPI_PM_IOBASE, enabled, which is what the ACPI tables give
 * the kernel.
 */
#ifndef HW_ACPI_PIIX4_PM_H
#define HW_ACPI_PIIX4_PM_H

#include "hw/pci/pci.h"
#include "hw/acpi/pm.h"

#define TYPE_PIIX4_PM "PIIX4_PM"
#define PCI_DEVICE_ID_INTEL_82371AB_3 0x7113

#define PIIX4_PMBA 0x40
#define PIIX4_PMBA_MASK 0xffc0
#define PIIX4_PMREGMISC 0x80
#define PIIX4_PMIOSE 0x01
#define PIIX4_DEVACTB 0x58
#define PIIX4_DEVACTB_APMC_EN (1u << 25)
#define PIIX4_SMBBA 0x90
#define PIIX4_SMBHSTCFG 0xd2
#define PIIX4_SCI_IRQ 9               /* ISA IRQ of the SCI */

typedef struct PIIX4PMState {
    PCIDevice parent_obj;
    /* properties */
    AcpiPMState *pm;              /* "pm": the PM block it places */
    bool firmware;                /* firmware programs PMBA (else emu does) */
    uint32_t default_base;        /* "pm-base" without firmware */
    uint64_t relocations;         /* times the block moved or was toggled */
} PIIX4PMState;

DECLARE_INSTANCE_CHECKER(PIIX4PMState, PIIX4_PM, TYPE_PIIX4_PM)

#endif
