/*
 * isa-debugcon: Bochs's "port 0xE9 hack". Bytes written to the port go to a
 * chardev; reads return a fixed value (0xE9 by default) so a guest can tell
 * the port is there.
 */
#ifndef HW_MISC_DEBUGCON_H
#define HW_MISC_DEBUGCON_H

#include "hw/isa/isa.h"
#include "chardev/char.h"

#define TYPE_ISA_DEBUGCON "isa-debugcon"

typedef struct ISADebugconState {
    ISADevice parent_obj;
    MemoryRegion io;
    CharBackend chr;
    uint32_t iobase;
    uint32_t readback;
    char *chardev;
} ISADebugconState;

DECLARE_INSTANCE_CHECKER(ISADebugconState, ISA_DEBUGCON, TYPE_ISA_DEBUGCON)

#endif
