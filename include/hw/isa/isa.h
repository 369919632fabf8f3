/*
 * The ISA bus: 16 IRQ lines and the legacy I/O port space. ISA devices register
 * their port ranges and look up their IRQ by ISA number.
 */
#ifndef HW_ISA_ISA_H
#define HW_ISA_ISA_H

#include "hw/core/qdev.h"
#include "system/memory.h"

#define TYPE_ISA_BUS "ISA"
#define TYPE_ISA_DEVICE "isa-device"
#define ISA_NUM_IRQS 16

typedef struct ISABus {
    BusState parent_obj;
    MemoryRegion *address_space_io;   /* where port ranges are mapped */
    qemu_irq irqs[ISA_NUM_IRQS];
} ISABus;

typedef struct ISADevice {
    DeviceState parent_obj;
} ISADevice;

DECLARE_INSTANCE_CHECKER(ISABus, ISA_BUS, TYPE_ISA_BUS)
DECLARE_INSTANCE_CHECKER(ISADevice, ISA_DEVICE, TYPE_ISA_DEVICE)

ISABus *isa_bus_new(DeviceState *parent, MemoryRegion *io);
/* Connect the bus's 16 lines to the interrupt controller's inputs. */
void isa_bus_set_irqs(ISABus *bus, const qemu_irq *irqs);
ISABus *isa_bus_of(ISADevice *dev);
/* The line for ISA IRQ @isairq (0..15); NULL-safe to raise when unconnected. */
qemu_irq isa_get_irq(ISADevice *dev, unsigned isairq);
/* Map @io at port @start of the bus's I/O space. */
void isa_register_ioport(ISADevice *dev, MemoryRegion *io, uint16_t start);
/* Create, realize and return a device on @bus (properties left at defaults). */
ISADevice *isa_create_simple(ISABus *bus, const char *type, Error **errp);

#endif
