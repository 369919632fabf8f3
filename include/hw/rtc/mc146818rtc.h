/*
 * Motorola MC146818A real-time clock with 128 bytes of battery-backed CMOS RAM,
 * the PC/AT's RTC at ports 0x70 (index, bit 7 = NMI mask) / 0x71 (data), IRQ 8.
 *
 * Time is kept as an offset from a host clock chosen by -rtc clock= (host:
 * EMU_CLOCK_HOST, rt: EMU_CLOCK_REALTIME, vm: EMU_CLOCK_VIRTUAL), starting from
 * -rtc base= (utc, localtime or a date). Interrupt flags are computed from that
 * time when the guest looks, and timers run only for enabled interrupts.
 */
#ifndef HW_RTC_MC146818RTC_H
#define HW_RTC_MC146818RTC_H

#include "hw/isa/isa.h"
#include "util/timer.h"

#define TYPE_MC146818_RTC "mc146818rtc"
#define RTC_ISA_BASE 0x70
#define RTC_ISA_IRQ 8
#define RTC_CMOS_SIZE 128

/* Clock registers and flags (MC146818A datasheet, "Address map" and registers A-D). */
#define RTC_SECONDS         0x00
#define RTC_SECONDS_ALARM   0x01
#define RTC_MINUTES         0x02
#define RTC_MINUTES_ALARM   0x03
#define RTC_HOURS           0x04
#define RTC_HOURS_ALARM     0x05
#define RTC_DAY_OF_WEEK     0x06
#define RTC_DAY_OF_MONTH    0x07
#define RTC_MONTH           0x08
#define RTC_YEAR            0x09
#define RTC_REG_A           0x0a
#define RTC_REG_B           0x0b
#define RTC_REG_C           0x0c
#define RTC_REG_D           0x0d
/* PC/AT convention (IBM AT BIOS; ACPI FADT CENTURY points here on PCs). */
#define RTC_CENTURY         0x32
/* Standard AT checksum over 0x10..0x2d, big-endian at 0x2e/0x2f. */
#define RTC_CHECKSUM_HI     0x2e
#define RTC_CHECKSUM_LO     0x2f

#define RTC_A_UIP   0x80
#define RTC_A_DV    0x70    /* divider: 010 = 32.768 kHz time base, 11x = reset */
#define RTC_A_RS    0x0f    /* periodic rate select */

#define RTC_B_SET   0x80
#define RTC_B_PIE   0x40
#define RTC_B_AIE   0x20
#define RTC_B_UIE   0x10
#define RTC_B_SQWE  0x08
#define RTC_B_DM    0x04    /* 1 = binary, 0 = BCD */
#define RTC_B_24H   0x02
#define RTC_B_DSE   0x01

#define RTC_C_IRQF  0x80
#define RTC_C_PF    0x40
#define RTC_C_AF    0x20
#define RTC_C_UF    0x10

#define RTC_D_VRT   0x80

typedef struct MC146818RtcState {
    ISADevice parent_obj;
    MemoryRegion io;
    int32_t iobase;
    int32_t isairq;

    uint8_t cmos[RTC_CMOS_SIZE];  /* 0x00-0x0d: clock registers, latched on access */
    uint8_t index;
    bool nmi_masked;              /* bit 7 of the last index write; not routed */

    EmuClockType clock;
    /*
     * The divider chain: guest time = base_sec s + (clock + offset_ns) ns, in
     * seconds since the epoch of the broken-down time shown (local time with
     * base=localtime). Split in two so any date fits in 64 bits. It keeps
     * running while SET=1 (the periodic interrupt and the seconds phase go on),
     * and is restarted when the divider leaves reset.
     */
    int64_t base_sec;
    int64_t offset_ns;
    int64_t last_update_sec;      /* last guest second accounted for UF/AF */
    int64_t last_tick;            /* last 32.768 kHz tick accounted for PF */
    bool irq_level;
    qemu_irq irq;
    EmuTimer *periodic_timer;
    EmuTimer *update_timer;
    /* Statistics for `info rtc`. */
    uint64_t irqs_raised;
    /*
     * Migration mirrors (filled by pre_save, used by post_load): offset_ns is
     * relative to the source's clock, which the destination may not share.
     */
    uint8_t mig_clock;            /* the source's EmuClockType */
    int64_t mig_rel_ns;           /* clock + offset_ns at save time (rt clock only) */
    bool mig_rel_loaded;
} MC146818RtcState;

DECLARE_INSTANCE_CHECKER(MC146818RtcState, MC146818_RTC, TYPE_MC146818_RTC)

/*
 * CMOS contents the board provides for firmware (memory sizes, boot order...).
 * Writing into 0x10..0x2d keeps the AT checksum at 0x2e/0x2f up to date.
 */
void rtc_set_memory(ISADevice *dev, int addr, uint8_t val);
uint8_t rtc_get_memory(ISADevice *dev, int addr);

#endif
