/*
 * Where the board's GSI lines end up. An accelerator with an in-kernel
 * interrupt controller (KVM) installs a sink for them; otherwise they go to emu's
 * own PIC/IOAPIC (or nowhere, under qtest, where tests intercept them).
 */
#ifndef SYSTEM_IRQCHIP_H
#define SYSTEM_IRQCHIP_H

#include "util/osdep.h"

typedef struct IrqchipSink {
    void (*set_gsi)(void *opaque, int gsi, int level);
    void *opaque;
} IrqchipSink;

void irqchip_set_sink(const IrqchipSink *sink);
/* The accelerator's in-kernel sink, or NULL. */
const IrqchipSink *irqchip_get_sink(void);

#endif
