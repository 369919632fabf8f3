/*
 * Port 0x61, "NMI Status and Control" (PC/AT; PIIX4 datasheet NMI_SC): PIT
 * channel 2 gate and speaker enable (bits 0, 1, read/write), parity and
 * IOCHK NMI enables (bits 2, 3), the refresh toggle (bit 4) and the PIT
 * channel 2 output (bit 5).
 *
 * GPIO: input "pit-out2" (the PIT's channel 2 output, read back in bit 5);
 * outputs "pit-gate2" (bit 0) and "speaker-data" (bit 1) for the PIT and a
 * PC speaker to connect.
 */
#ifndef HW_MISC_PORT61_H
#define HW_MISC_PORT61_H

#include "hw/isa/isa.h"

#define TYPE_PORT61 "pc-port61"
#define PORT61_PORT 0x61
#define PORT61_PIT_OUT2_LINE "pit-out2"
#define PORT61_PIT_GATE2_LINE "pit-gate2"
#define PORT61_SPEAKER_LINE "speaker-data"

#define PORT61_PIT_GATE2 0x01
#define PORT61_SPEAKER_DATA 0x02
#define PORT61_PARITY_DISABLE 0x04
#define PORT61_IOCHK_DISABLE 0x08
#define PORT61_RW_MASK 0x0f
#define PORT61_REFRESH 0x10
#define PORT61_PIT_OUT2 0x20

typedef struct Port61State {
    ISADevice parent_obj;
    MemoryRegion io;
    uint8_t control;          /* bits 0-3 */
    bool refresh;             /* bit 4, flips on every read */
    bool pit_out2;            /* bit 5 */
    qemu_irq gate2_out;
    qemu_irq speaker_out;
} Port61State;

DECLARE_INSTANCE_CHECKER(Port61State, PORT61, TYPE_PORT61)

#endif
