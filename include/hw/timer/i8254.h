/*
 * Intel 8254 programmable interval timer at 0x40-0x43, clocked at 1.193182 MHz
 * on the virtual clock: channel 0 is the system timer (ISA IRQ 0), channel 1
 * the old DRAM refresh timer (output unconnected), channel 2 the speaker /
 * delay timer whose gate and output go through port 0x61.
 *
 * GPIO: unnamed output 0 = channel 0 OUT (IRQ 0); output "out2" = channel 2
 * OUT (to port 0x61 "pit-out2"); input "gate2" (from port 0x61 "pit-gate2");
 * input "irq-enable" (0 while the HPET's legacy replacement owns IRQ 0:
 * channel 0 then stops driving its output and runs no host timer).
 */
#ifndef HW_TIMER_I8254_H
#define HW_TIMER_I8254_H

#include "hw/isa/isa.h"
#include "util/timer.h"
#include "hw/intc/irq-ack.h"

#define TYPE_I8254 "isa-pit"
#define PIT_IOBASE 0x40
#define PIT_FREQ 1193182
#define PIT_OUT2_LINE "out2"
#define PIT_GATE2_LINE "gate2"
#define PIT_IRQ_ENABLE_LINE "irq-enable"

typedef struct PITState PITState;

typedef struct PITChannel {
    PITState *pit;
    int index;
    uint32_t count;             /* count register: 1..0x10000 (BCD: ..10000) */
    uint8_t mode;               /* 0-5 */
    uint8_t rw_mode;            /* 1 LSB, 2 MSB, 3 LSB then MSB */
    bool bcd;
    bool read_msb;              /* word mode: the next read returns the MSB */
    bool write_msb;             /* word mode: the next write is the MSB */
    uint8_t write_lsb;
    bool count_latched;
    uint16_t latch;
    bool latch_read_msb;
    bool status_latched;
    uint8_t status;
    bool null_count;            /* count written but not yet in the counting element */
    bool has_count;             /* a count was written since the control word */
    bool gate;
    bool armed;                 /* a count is loaded (modes 1/5: and triggered) */
    bool running;               /* counting now (not suspended by the gate) */
    int64_t load_time;          /* virtual ns at tick 0 */
    uint64_t frozen_ticks;      /* ticks done when the gate suspended counting */
    uint64_t last_ticks;        /* ticks at the last output update */
    bool out;                   /* OUT as last driven */
    EmuTimer *timer;
    qemu_irq irq;
} PITChannel;

/* -global isa-pit.lost_tick_policy=, spelt as QEMU's kvm-pit property. */
typedef enum PITLostTickPolicy {
    PIT_LOST_TICK_DISCARD,      /* coalesced IRQ 0 edges are gone (old 8254 model) */
    PIT_LOST_TICK_DELAY,        /* ... are delivered late, one per acknowledge */
} PITLostTickPolicy;

struct PITState {
    ISADevice parent_obj;
    MemoryRegion io;
    PITChannel ch[3];
    bool irq_enabled;
    uint64_t irq0_edges;        /* rising edges of channel 0 (info pit) */
    int lost_tick_policy;       /* PITLostTickPolicy */
    TickReinject reinject;      /* channel 0's owed periods (policy delay) */
};

DECLARE_INSTANCE_CHECKER(PITState, I8254, TYPE_I8254)

void pit_print_info(DeviceState *dev, GString *out);

#endif
