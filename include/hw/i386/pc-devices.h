/* Creation and wiring of the PC's built-in devices, CPUs and boot payload. */
#ifndef HW_I386_PC_DEVICES_H
#define HW_I386_PC_DEVICES_H

#include "hw/i386/pc.h"

/* The legacy ISA devices (UARTs, RTC, i8042, port 0x92/0x61, fw_cfg, ACPI PM). */
bool pc_devices_init(PCMachineState *pcms, Error **errp);
/* PIC, I/O APIC, PIT, HPET (hw/i386/pc-intc.c), after the RTC and port 0x61. */
bool pc_intc_timers_init(PCMachineState *pcms, Error **errp);
/* i440FX host bridge (pci.0) and PIIX3 at 00.0 / 01.0 (hw/i386/pc-pci.c). */
bool pc_pci_init(PCMachineState *pcms, Error **errp);
/* The -vga card on pci.0 (hw/i386/pc-vga.c). */
bool pc_vga_init(PCMachineState *pcms, Error **errp);
/* One NIC per net_nic_requests() entry (hw/i386/pc-nic.c). */
bool pc_nic_init(PCMachineState *pcms, Error **errp);
/* The ACPI and MP tables, built now and on every reset: after pc_pci_init, so
 * the DSDT describes the PCI bus (hw/i386/pc-devices.c). */
void pc_acpi_tables_init(PCMachineState *pcms);
/* The vCPUs for -smp, unless the accelerator runs none (qtest). */
bool pc_cpus_init(PCMachineState *pcms, Error **errp);
/* -kernel: a multiboot image or a Linux bzImage, loaded into RAM. Fills
 * pcms->boot_entry. */
bool pc_load_kernel(PCMachineState *pcms, Error **errp);

#endif
