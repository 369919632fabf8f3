/*
 * IRQ lines: a line is a handler with an opaque and a line number; setting its
 * level calls the handler. Lines are wired by handing one device's input line to
 * another device's output pin.
 */
#ifndef HW_CORE_IRQ_H
#define HW_CORE_IRQ_H

#include "util/osdep.h"

typedef struct IRQState *qemu_irq;
typedef void (*qemu_irq_handler)(void *opaque, int n, int level);

struct IRQState {
    qemu_irq_handler handler;
    void *opaque;
    int n;
};

void qemu_set_irq(qemu_irq irq, int level);
static inline void qemu_irq_raise(qemu_irq irq) { qemu_set_irq(irq, 1); }
static inline void qemu_irq_lower(qemu_irq irq) { qemu_set_irq(irq, 0); }
static inline void qemu_irq_pulse(qemu_irq irq)
{
    qemu_set_irq(irq, 1);
    qemu_set_irq(irq, 0);
}

qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n);
/* @n lines numbered 0..n-1 sharing @handler/@opaque; free with qemu_free_irqs. */
qemu_irq *qemu_allocate_irqs(qemu_irq_handler handler, void *opaque, int n);
void qemu_free_irq(qemu_irq irq);
void qemu_free_irqs(qemu_irq *irqs, int n);

/* One input driving two outputs. */
qemu_irq qemu_irq_split(qemu_irq a, qemu_irq b);
/* An input whose level is inverted on the way out. */
qemu_irq qemu_irq_invert(qemu_irq irq);
/* Replace the handler of lines in place (qtest's irq_intercept). */
void qemu_irq_intercept_in(qemu_irq *gpio_in, qemu_irq_handler handler, void *opaque,
                           int n);

#endif
