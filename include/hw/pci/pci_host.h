/*
 * A PCI host bridge's configuration mechanism #1 (PCI Local Bus Specification
 * 3.0 §3.2.2.3.2): CONFIG_ADDRESS at 0xcf8 (32-bit accesses only) and
 * CONFIG_DATA at 0xcfc-0xcff, whose bytes reach configuration space at
 * (register & 0xfc) + port offset, in any width, aligned or not.
 *
 * Accesses to 0xcf8-0xcfb that are not 32-bit are ordinary I/O cycles on the
 * bus, not CONFIG_ADDRESS; the board can hand them to a region that decodes
 * them (PIIX3's reset control register at 0xcf9).
 */
#ifndef HW_PCI_PCI_HOST_H
#define HW_PCI_PCI_HOST_H

#include "hw/pci/pci.h"

#define TYPE_PCI_HOST_BRIDGE "pci-host-bridge"

typedef struct PCIHostState {
    DeviceState parent_obj;
    MemoryRegion conf_mem;      /* CONFIG_ADDRESS, 4 ports */
    MemoryRegion data_mem;      /* CONFIG_DATA, 4 ports */
    uint32_t config_reg;
    PCIBus *bus;
    MemoryRegion *conf_passthrough;
    uint16_t conf_passthrough_port;
    /* Counters for `info pci`. */
    uint64_t config_cycles;
    uint64_t config_misses;     /* no device at the address: all-ones */
} PCIHostState;

DECLARE_INSTANCE_CHECKER(PCIHostState, PCI_HOST_BRIDGE, TYPE_PCI_HOST_BRIDGE)

/* Map CONFIG_ADDRESS/CONFIG_DATA into @io (above anything else there). */
void pci_host_map_config_ports(PCIHostState *s, MemoryRegion *io);
/* Non-32-bit accesses inside 0xcf8-0xcfb that fall entirely in @mr, mapped at
 * @port, go to it. */
void pci_host_set_conf_passthrough(PCIHostState *s, MemoryRegion *mr, uint16_t port);
/* A configuration cycle for CONFIG_ADDRESS-style @addr (bus, devfn, register). */
uint32_t pci_host_config_read(PCIHostState *s, uint32_t addr, int len);
void pci_host_config_write(PCIHostState *s, uint32_t addr, uint32_t val, int len);
/* The first PCI host bridge in the machine, or NULL. */
PCIHostState *pci_host_find(void);

#endif
