/*
 * Port 0x92, "System Control Port A" (IBM PS/2; PIIX/ICH "Port 92"): fast A20
 * gate (bit 1) and fast CPU reset (bit 0: a 0 -> 1 transition resets).
 */
#ifndef HW_MISC_PORT92_H
#define HW_MISC_PORT92_H

#include "hw/isa/isa.h"

#define TYPE_PORT92 "port92"
#define PORT92_A20_LINE "a20"
#define PORT92_PORT 0x92

#define PORT92_RESET 0x01
#define PORT92_A20 0x02

typedef struct Port92State {
    ISADevice parent_obj;
    MemoryRegion io;
    uint8_t value;
    qemu_irq a20_out;
} Port92State;

DECLARE_INSTANCE_CHECKER(Port92State, PORT92, TYPE_PORT92)

#endif
