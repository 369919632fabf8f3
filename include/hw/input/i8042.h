/*
 * The i8042 keyboard controller of PC/AT and PS/2 machines: data port 0x60,
 * status/command port 0x64, a PS/2 keyboard on IRQ 1 and a PS/2 mouse on
 * IRQ 12. It also drives two board lines through its output port: the A20
 * gate (GPIO output "a20") and the CPU reset (a system reset request).
 */
#ifndef HW_INPUT_I8042_H
#define HW_INPUT_I8042_H

#include "hw/isa/isa.h"
#include "hw/input/ps2.h"

#define TYPE_I8042 "i8042"
#define I8042_A20_LINE "a20"

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT 0x64
#define I8042_KBD_IRQ 1
#define I8042_AUX_IRQ 12

/* Status register (port 0x64 read) */
#define I8042_STR_OBF 0x01        /* output buffer full */
#define I8042_STR_IBF 0x02        /* input buffer full (never: writes are taken at once) */
#define I8042_STR_SYS 0x04        /* system flag, from the command byte */
#define I8042_STR_CMD 0x08        /* last write went to port 0x64 */
#define I8042_STR_KEYLOCK 0x10    /* 1: keyboard not inhibited by the key lock */
#define I8042_STR_AUX_OBF 0x20    /* the output buffer holds mouse data */
#define I8042_STR_TIMEOUT 0x40
#define I8042_STR_PARITY 0x80

/* Command byte (controller RAM byte 0) */
#define I8042_CTR_KBDINT 0x01     /* IRQ 1 on keyboard data */
#define I8042_CTR_AUXINT 0x02     /* IRQ 12 on mouse data */
#define I8042_CTR_SYS 0x04
#define I8042_CTR_KBDDIS 0x10     /* keyboard clock held low */
#define I8042_CTR_AUXDIS 0x20     /* mouse clock held low */
#define I8042_CTR_XLATE 0x40      /* translate keyboard bytes to scan code set 1 */

/* Output port (0xD0 / 0xD1) */
#define I8042_OUT_RESET 0x01      /* 0 holds the CPU in reset */
#define I8042_OUT_A20 0x02
#define I8042_OUT_OBF 0x10        /* IRQ 1 line */
#define I8042_OUT_AUX_OBF 0x20    /* IRQ 12 line */

#define I8042_CTL_QUEUE 8

typedef struct I8042State {
    ISADevice parent_obj;
    MemoryRegion io_data;
    MemoryRegion io_cmd;
    PS2KbdState *kbd;
    PS2MouseState *mouse;

    uint8_t status;           /* OBF, AUX_OBF, SYS, CMD; the rest are computed */
    uint8_t ram[32];          /* controller RAM; ram[0] is the command byte */
    uint8_t outport;          /* bits other than OBF/AUX_OBF */
    uint8_t obuf;             /* output buffer (port 0x60 read) */
    uint8_t write_cmd;        /* command waiting for its byte at port 0x60, or 0 */
    bool xlate_break;         /* translation swallowed an 0xF0 break prefix */
    /* Bytes the controller itself answers with, ahead of the devices' data. */
    uint8_t ctl_queue[I8042_CTL_QUEUE];
    bool ctl_queue_aux[I8042_CTL_QUEUE];
    unsigned ctl_count;

    qemu_irq irq_kbd;
    qemu_irq irq_aux;
    qemu_irq a20_out;
} I8042State;

DECLARE_INSTANCE_CHECKER(I8042State, I8042, TYPE_I8042)

/* The 8042's translation of a keyboard byte to scan code set 1 (XLATE on),
 * ignoring the 0xF0 break prefix, which the controller folds into bit 7. */
uint8_t i8042_translate(uint8_t code);

/* The A20 gate as last driven through the output port. */
bool i8042_a20_enabled(I8042State *s);

#endif
