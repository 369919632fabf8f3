/*
 * The ACPI fixed-hardware power management registers of the PC, laid out as
 * in QEMU's PIIX4 PM function (which SeaBIOS places at 0x600), plus the PIIX3
 * reset control register at 0xcf9 that the FADT's RESET_REG points at.
 *
 *   base+0x00  PM1_STS   16-bit, write 1 to clear
 *   base+0x02  PM1_EN    16-bit
 *   base+0x04  PM1_CNT   16-bit (SCI_EN, SLP_TYP, SLP_EN)
 *   base+0x08  PM_TMR    32-bit read-only, 24-bit counter at 3.579545 MHz
 *   base+0x20  GPE0_STS  32-bit, write 1 to clear
 *   base+0x24  GPE0_EN   32-bit
 *
 * The SCI is ISA IRQ 9, level-triggered, active high.
 */
#ifndef HW_ACPI_PM_H
#define HW_ACPI_PM_H

#include "hw/isa/isa.h"
#include "util/timer.h"

#define TYPE_ACPI_PM "acpi-pm"
#define TYPE_PC_RESET_CONTROL "pc-reset-control"

#define ACPI_PM_TIMER_FREQUENCY 3579545
#define ACPI_PM_IO_SIZE 0x40

/* Register offsets in the block. */
#define ACPI_PM1_STS 0x00
#define ACPI_PM1_EN 0x02
#define ACPI_PM1_CNT 0x04
#define ACPI_PM_TMR 0x08
#define ACPI_GPE0_BLK 0x20
#define ACPI_GPE0_BLK_LEN 8

/* Lengths the FADT gives for each block. */
#define ACPI_PM1_EVT_LEN 4
#define ACPI_PM1_CNT_LEN 2
#define ACPI_PM_TMR_LEN 4

/* PM1_STS / PM1_EN bits (ACPI 6.5 §4.8.3.1, tables 4.16/4.17). */
#define ACPI_PM1_TMR_STS (1 << 0)
#define ACPI_PM1_BM_STS (1 << 4)
#define ACPI_PM1_GBL_STS (1 << 5)
#define ACPI_PM1_PWRBTN_STS (1 << 8)
#define ACPI_PM1_SLPBTN_STS (1 << 9)
#define ACPI_PM1_RTC_STS (1 << 10)
#define ACPI_PM1_WAK_STS (1 << 15)
#define ACPI_PM1_TMR_EN (1 << 0)
#define ACPI_PM1_GBL_EN (1 << 5)
#define ACPI_PM1_PWRBTN_EN (1 << 8)
#define ACPI_PM1_SLPBTN_EN (1 << 9)
#define ACPI_PM1_RTC_EN (1 << 10)

/* PM1_CNT bits (ACPI 6.5 §4.8.3.2.1, table 4.18). */
#define ACPI_PM1_CNT_SCI_EN (1 << 0)
#define ACPI_PM1_CNT_BM_RLD (1 << 1)
#define ACPI_PM1_CNT_GBL_RLS (1 << 2)
#define ACPI_PM1_CNT_SLP_TYP_SHIFT 10
#define ACPI_PM1_CNT_SLP_TYP_MASK (7 << 10)
#define ACPI_PM1_CNT_SLP_EN (1 << 13)

/* SLP_TYP of soft-off: PIIX4's encoding, and what the DSDT's \_S5 says. */
#define ACPI_SLP_TYP_S5 0

/* The PIIX3 reset control register (FADT RESET_REG) and the value written. */
#define PC_RESET_CONTROL_PORT 0xcf9
#define PC_RESET_CONTROL_VALUE 0x06
#define PC_RCR_SYS_RST (1 << 1)   /* hard (1) or soft (0) reset on RCPU */
#define PC_RCR_RCPU (1 << 2)      /* writing 1 resets the system */

typedef struct AcpiPMState {
    ISADevice parent_obj;
    /* properties */
    uint32_t iobase;
    uint32_t sci_irq;
    /* registers */
    uint16_t pm1_sts;
    uint16_t pm1_en;
    uint16_t pm1_cnt;
    uint32_t gpe0_sts;
    uint32_t gpe0_en;
    /* PM timer tick at which bit 23 next toggles (sets TMR_STS) */
    uint64_t tmr_overflow;
    EmuTimer *tmr_timer;
    bool sci_level;
    qemu_irq sci;
    MemoryRegion io;
    uint64_t sleep_requests_ignored;   /* SLP_EN with an unsupported SLP_TYP */
} AcpiPMState;

typedef struct PCResetControl {
    ISADevice parent_obj;
    uint8_t rcr;
    MemoryRegion io;
} PCResetControl;

DECLARE_INSTANCE_CHECKER(AcpiPMState, ACPI_PM, TYPE_ACPI_PM)
DECLARE_INSTANCE_CHECKER(PCResetControl, PC_RESET_CONTROL, TYPE_PC_RESET_CONTROL)

/* The PM timer value (24 bits) at virtual time @ns. */
uint32_t acpi_pm_tmr_ticks(int64_t ns);
/* Raise status bits in PM1_STS / GPE0_STS (an RTC alarm, a hotplug event...). */
void acpi_pm1_set_status(AcpiPMState *s, uint16_t bits);
void acpi_gpe0_set_status(AcpiPMState *s, uint32_t bits);

/*
 * The reset control register's accessors, for a PCI host that decodes
 * 0xcf8-0xcff itself and forwards byte accesses at 0xcf9 here.
 */
uint8_t pc_reset_control_read(PCResetControl *s);
void pc_reset_control_write(PCResetControl *s, uint8_t value);

#endif
