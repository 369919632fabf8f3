/*
 * High Precision Event Timer (IA-PC HPET specification 1.0a) with 3 timers,
 * a 64-bit main counter at 100 MHz (10 ns period, as QEMU's), vendor 0x8086,
 * legacy replacement routing, at 0xfed00000.
 *
 * GPIO: 24 unnamed outputs, one per I/O APIC input / GSI (the board connects
 * them to the GSI router); inputs "legacy-irq" 0 (the PIT's IRQ 0) and 1 (the
 * RTC's IRQ 8), passed through to GSI 0 and 8 unless LEG_RT_CNF is set; output
 * "pit-enable" (low while LEG_RT_CNF is set, to the PIT's "irq-enable").
 */
#ifndef HW_TIMER_HPET_H
#define HW_TIMER_HPET_H

#include "hw/core/qdev.h"
#include "system/memory.h"
#include "util/timer.h"
#include "hw/intc/irq-ack.h"

#define TYPE_HPET "hpet"
#define HPET_BASE 0xfed00000u
#define HPET_MMIO_SIZE 0x400
#define HPET_NUM_TIMERS 3
#define HPET_NUM_IRQS 24
#define HPET_CLK_PERIOD_FS 10000000ull      /* 10 ns */
#define HPET_LEGACY_IN "legacy-irq"
#define HPET_PIT_ENABLE_OUT "pit-enable"

/* Registers (spec §2.3). */
#define HPET_ID 0x000
#define HPET_CFG 0x010
#define HPET_STATUS 0x020
#define HPET_COUNTER 0x0f0
#define HPET_TN_CFG(n) (0x100 + 0x20 * (n))
#define HPET_TN_CMP(n) (0x108 + 0x20 * (n))
#define HPET_TN_FSB(n) (0x110 + 0x20 * (n))

#define HPET_CFG_ENABLE 0x1
#define HPET_CFG_LEGACY 0x2

#define HPET_TN_LEVEL (1ull << 1)
#define HPET_TN_ENABLE (1ull << 2)
#define HPET_TN_PERIODIC (1ull << 3)
#define HPET_TN_PERIODIC_CAP (1ull << 4)
#define HPET_TN_SIZE_CAP (1ull << 5)
#define HPET_TN_SETVAL (1ull << 6)
#define HPET_TN_32BIT (1ull << 8)
#define HPET_TN_ROUTE_SHIFT 9
#define HPET_TN_ROUTE (0x1full << 9)
#define HPET_TN_FSB_ENABLE (1ull << 14)
#define HPET_TN_FSB_CAP (1ull << 15)

typedef struct HPETState HPETState;

typedef struct HPETTimer {
    HPETState *hpet;
    int index;
    uint64_t config;            /* Tn_CONF_CAP */
    uint64_t cmp;               /* comparator (accumulator in periodic mode) */
    uint64_t period;            /* last value written to the comparator */
    uint64_t fsb;               /* Tn_FSB_INT_ROUTE: address 63:32, value 31:0 */
    bool wrap_pending;          /* 32-bit one-shot: the next event is the wrap */
    EmuTimer *timer;
    uint64_t fired;
} HPETTimer;

struct HPETState {
    DeviceState parent_obj;
    MemoryRegion mmio;
    /* properties */
    uint32_t intcap;            /* Tn_INT_ROUTE_CAP: I/O APIC inputs timers may use */
    bool msi;                   /* offer FSB (MSI) delivery */

    uint64_t capability;
    uint64_t config;
    uint64_t isr;
    uint64_t counter;           /* the main counter while halted */
    int64_t counter_base_ns;    /* while running: counter = counter + (now - base) / 10 */
    HPETTimer timer[HPET_NUM_TIMERS];
    bool legacy_in[2];          /* PIT IRQ 0, RTC IRQ 8 */
    bool out_level[HPET_NUM_IRQS];
    qemu_irq irqs[HPET_NUM_IRQS];
    qemu_irq pit_enable;
    /* Timer 0 on IRQ 0 (legacy replacement, edge): owed periods, as the
     * 8254's (lost_tick_policy, hw/intc/irq-ack.h). */
    int lost_tick_delay_policy;     /* lost_tick_policy: 0 discard, 1 delay */
    TickReinject reinject;
};

DECLARE_INSTANCE_CHECKER(HPETState, HPET, TYPE_HPET)

void hpet_print_info(DeviceState *dev, GString *out);

#endif
