/*
 * PCI host bridge: configuration mechanism #1 (PCI Local Bus Specification
 * 3.0 §3.2.2.3.2). CONFIG_ADDRESS (0xcf8) is a 32-bit register: enable (bit
 * 31), bus (23:16), device (15:11), function (10:8), register (7:2); bits
 * 30:24 and 1:0 are reserved and read 0. CONFIG_DATA (0xcfc-0xcff) carries
 * the cycle: byte n of the port is byte n of the addressed dword, so a word
 * at 0xcfe reaches register + 2. With the enable bit clear, or nothing at
 * the address, reads return all-ones and writes go nowhere (master abort).
 */
#include "hw/pci/pci_host.h"
#include "util/log.h"

#define CONFADD_MASK (PCI_CONFIG_ENABLE | 0x00fffffcu)

static PCIDevice *pci_host_target(PCIHostState *s, uint32_t addr)
{
    if (!(addr & PCI_CONFIG_ENABLE)) {
        return NULL;
    }
    return pci_find_device(s->bus, (addr >> 16) & 0xff, (addr >> 8) & 0xff);
}

uint32_t pci_host_config_read(PCIHostState *s, uint32_t addr, int len)
{
    PCIDevice *d = pci_host_target(s, addr);
    s->config_cycles++;
    if (!d) {
        s->config_misses++;
        return ~0u >> (8 * (4 - len));
    }
    return pci_config_read(d, addr & 0xff, len);
}

void pci_host_config_write(PCIHostState *s, uint32_t addr, uint32_t val, int len)
{
    PCIDevice *d = pci_host_target(s, addr);
    s->config_cycles++;
    if (!d) {
        s->config_misses++;
        return;
    }
    pci_config_write(d, addr & 0xff, val, len);
}

/* 0xcf8-0xcfb: a dword at 0xcf8 is CONFIG_ADDRESS; anything else is an
 * ordinary I/O cycle, which the passthrough region (if it covers it) takes. */
static bool conf_passthrough_covers(PCIHostState *s, hwaddr addr, unsigned size,
                                    hwaddr *off)
{
    MemoryRegion *mr = s->conf_passthrough;
    if (!mr) {
        return false;
    }
    uint64_t port = PCI_CONFIG_ADDRESS_PORT + addr;
    if (port < s->conf_passthrough_port ||
        port + size > s->conf_passthrough_port + memory_region_size(mr)) {
        return false;
    }
    *off = port - s->conf_passthrough_port;
    return true;
}

static uint64_t conf_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIHostState *s = opaque;
    hwaddr off;
    uint64_t v = ~0ull;

    if (addr == 0 && size == 4) {
        return s->config_reg;
    }
    if (conf_passthrough_covers(s, addr, size, &off)) {
        memory_region_dispatch_read(s->conf_passthrough, off, &v, size);
    }
    return v;
}

static void conf_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PCIHostState *s = opaque;
    hwaddr off;

    if (addr == 0 && size == 4) {
        s->config_reg = val & CONFADD_MASK;
        return;
    }
    if (conf_passthrough_covers(s, addr, size, &off)) {
        memory_region_dispatch_write(s->conf_passthrough, off, val, size);
        return;
    }
    emu_log_mask(LOG_GUEST_ERROR, "pci-host: %u-byte write of 0x%" PRIx64 " to port 0x%"
                 PRIx64 " is not a CONFIG_ADDRESS access; ignored\n", size, val,
                 (uint64_t)(PCI_CONFIG_ADDRESS_PORT + addr));
    DEVICE(s)->ignored_accesses++;
}

static uint64_t data_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIHostState *s = opaque;
    if (!(s->config_reg & PCI_CONFIG_ENABLE)) {
        return ~0ull;
    }
    return pci_host_config_read(s, s->config_reg | addr, size);
}

static void data_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PCIHostState *s = opaque;
    if (!(s->config_reg & PCI_CONFIG_ENABLE)) {
        return;
    }
    pci_host_config_write(s, s->config_reg | addr, val, size);
}

/* Any width at any offset: x86 port I/O may be unaligned (the memory core
 * hands us the part inside the 4 ports, split into 1/2/4-byte pieces). */
static const MemoryRegionOps conf_ops = {
    .read = conf_read,
    .write = conf_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

static const MemoryRegionOps data_ops = {
    .read = data_read,
    .write = data_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

void pci_host_map_config_ports(PCIHostState *s, MemoryRegion *io)
{
    /*
     * The host bridge decodes these before anything on the bus sees them, so a
     * BAR or ISA device placed there cannot take configuration space away.
     */
    memory_region_add_subregion_overlap(io, PCI_CONFIG_ADDRESS_PORT, &s->conf_mem, 10);
    memory_region_add_subregion_overlap(io, PCI_CONFIG_DATA_PORT, &s->data_mem, 10);
}

void pci_host_set_conf_passthrough(PCIHostState *s, MemoryRegion *mr, uint16_t port)
{
    s->conf_passthrough = mr;
    s->conf_passthrough_port = port;
}

static int host_find_visit(Object *obj, void *opaque)
{
    Object *h = object_dynamic_cast(obj, TYPE_PCI_HOST_BRIDGE);
    if (h) {
        *(PCIHostState **)opaque = PCI_HOST_BRIDGE(h);
        return 1;
    }
    return 0;
}

PCIHostState *pci_host_find(void)
{
    PCIHostState *s = NULL;
    object_child_foreach_recursive(object_get_root(), host_find_visit, &s);
    return s;
}

static void pci_host_reset(DeviceState *dev, ResetType type)
{
    PCI_HOST_BRIDGE(dev)->config_reg = 0;
}

static void pci_host_init(Object *obj)
{
    PCIHostState *s = PCI_HOST_BRIDGE(obj);
    memory_region_init_io(&s->conf_mem, obj, &conf_ops, s, "pci-conf-idx", 4);
    memory_region_init_io(&s->data_mem, obj, &data_ops, s, "pci-conf-data", 4);
}

static void pci_host_finalize(Object *obj)
{
    PCIHostState *s = PCI_HOST_BRIDGE(obj);
    memory_region_finalize(&s->conf_mem);
    memory_region_finalize(&s->data_mem);
}

static void pci_host_class_init(ObjectClass *oc, void *data)
{
    DEVICE_CLASS(oc)->reset = pci_host_reset;
}

static const TypeInfo pci_host_types[] = {
    {
        .name = TYPE_PCI_HOST_BRIDGE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(PCIHostState),
        .instance_init = pci_host_init,
        .instance_finalize = pci_host_finalize,
        .class_init = pci_host_class_init,
        .abstract = true,
    },
};
DEFINE_TYPES(pci_host_types)
