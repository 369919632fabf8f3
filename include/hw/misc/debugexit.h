/*
 * isa-debug-exit: a write of V to any of its ports makes emu exit with
 * status (V << 1) | 1 (so a guest can never fake a clean 0). Test guests use
 * it to report their result: -device isa-debug-exit,iobase=0xf4,iosize=0x04.
 */
#ifndef HW_MISC_DEBUGEXIT_H
#define HW_MISC_DEBUGEXIT_H

#include "hw/isa/isa.h"

#define TYPE_ISA_DEBUG_EXIT "isa-debug-exit"

typedef struct ISADebugExitState {
    ISADevice parent_obj;
    MemoryRegion io;
    uint32_t iobase;
    uint32_t iosize;
} ISADebugExitState;

DECLARE_INSTANCE_CHECKER(ISADebugExitState, ISA_DEBUG_EXIT, TYPE_ISA_DEBUG_EXIT)

#endif
