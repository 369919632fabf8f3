/* The accelerator's in-kernel interrupt controller sink, if any. */
#include "system/irqchip.h"

static const IrqchipSink *current_sink;

void irqchip_set_sink(const IrqchipSink *sink)
{
    current_sink = sink;
}

const IrqchipSink *irqchip_get_sink(void)
{
    return current_sink;
}
