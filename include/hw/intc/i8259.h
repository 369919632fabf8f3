/*
 * The PC/AT pair of Intel 8259A programmable interrupt controllers, as the
 * PIIX3 south bridge integrates them: master at 0x20/0x21, slave at 0xa0/0xa1
 * cascaded on the master's IR2, and the PIIX3 edge/level control registers
 * (ELCR1/ELCR2) at 0x4d0/0x4d1.
 *
 * GPIO: 16 unnamed inputs, ISA IRQ 0-15 (input 2 is the master's IR2, which the
 * board hard-wires to the slave's INT: driving it from outside has no effect);
 * one unnamed output, the master's INT pin toward the CPU (LINT0 of the local
 * APICs in virtual wire mode). The CPU's interrupt acknowledge cycle is
 * pic_read_irq().
 */
#ifndef HW_INTC_I8259_H
#define HW_INTC_I8259_H

#include "hw/isa/isa.h"

#define TYPE_I8259 "isa-i8259"

#define PIC_MASTER_BASE 0x20
#define PIC_SLAVE_BASE 0xa0
#define PIC_ELCR_BASE 0x4d0
#define PIC_CASCADE_IRQ 2

/* One 8259A. */
typedef struct PICChip {
    uint8_t irr;                /* interrupt request register (edge latches) */
    uint8_t imr;                /* OCW1 */
    uint8_t isr;                /* in service */
    uint8_t level;              /* current level of each IR input */
    uint8_t elcr;               /* PIIX3 ELCR: 1 = level-sensitive */
    uint8_t elcr_mask;          /* which ELCR bits exist */
    uint8_t lowest;             /* priority rotation: IR (lowest + 1) & 7 is highest */
    uint8_t vector_base;        /* ICW2 bits 7:3 */
    uint8_t icw3;               /* cascade configuration, informational */
    uint8_t init_step;          /* 0: ready; 1-3: expecting ICW2/ICW3/ICW4 */
    bool icw4_needed;
    bool single;                /* ICW1 SNGL */
    bool read_isr;              /* OCW3 RIS: even-port reads show ISR, not IRR */
    bool poll;                  /* OCW3 P: the next read is a poll */
    bool special_mask;          /* OCW3 SMM */
    bool auto_eoi;              /* ICW4 AEOI */
    bool rotate_on_aeoi;        /* OCW2 R=1, SL=0, EOI=0 */
    bool sfnm;                  /* ICW4 special fully nested mode */
    bool is_master;
} PICChip;

typedef struct PICState {
    ISADevice parent_obj;
    MemoryRegion io[2];
    MemoryRegion elcr_io;
    PICChip chip[2];            /* 0 = master, 1 = slave */
    qemu_irq int_out;
    bool int_level;
    bool slave_int;             /* the slave's INT, on the master's IR2 */
    /* Statistics (info pic / info irq). */
    uint64_t irq_count[16];     /* rising edges seen on each input */
    uint64_t acks;
    uint64_t spurious;
} PICState;

DECLARE_INSTANCE_CHECKER(PICState, I8259, TYPE_I8259)

/*
 * The interrupt acknowledge cycle (two INTA pulses): returns the vector the
 * pair puts on the bus and updates ISR/IRR. With nothing to deliver (the
 * request went away) the answer is the spurious IRQ7 vector of the chip
 * concerned, with no ISR bit set.
 */
int pic_read_irq(DeviceState *dev);
/* The level of the master's INT pin. */
bool pic_get_output(DeviceState *dev);
/* Human-readable state of both chips, for `info pic`. */
void pic_print_info(DeviceState *dev, GString *out);
/* Per-input counts for `info irq`. */
void pic_print_irq_counts(DeviceState *dev, GString *out);

#endif
