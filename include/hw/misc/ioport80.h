/*
 * Port 0x80, the POST diagnostic port: firmware writes progress codes there
 * and Linux writes to it as an I/O delay. Nothing answers on a PC: writes are
 * dropped, reads give 0xff. emu keeps the last code written, for debugging.
 */
#ifndef HW_MISC_IOPORT80_H
#define HW_MISC_IOPORT80_H

#include "hw/isa/isa.h"

#define TYPE_IOPORT80 "ioport80"
#define IOPORT80_PORT 0x80

typedef struct IOPort80State {
    ISADevice parent_obj;
    MemoryRegion io;
    uint8_t last_code;
    uint64_t writes;
} IOPort80State;

DECLARE_INSTANCE_CHECKER(IOPort80State, IOPORT80, TYPE_IOPORT80)

#endif
