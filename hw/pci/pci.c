/*
 * PCI core: the bus, the function base type, configuration space semantics,
 * BAR decoding, INTx and bus mastering (PCI Local Bus Specification 3.0,
 * chapters 3 and 6).
 */
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "migration/vmstate.h"
#include "system/system.h"
#include "util/log.h"
#include "pci-internal.h"

/* ---- buses ---- */

static void pci_bus_print_dev(GString *out, DeviceState *qdev, int indent)
{
    PCIDevice *d = PCI_DEVICE(qdev);
    uint16_t cls = pci_get_word(d->config + PCI_CLASS_DEVICE);
    const char *desc = pci_class_description(cls);
    g_autofree char *ctxt = desc ? g_strdup(desc) : g_strdup_printf("Class %04x", cls);

    g_string_append_printf(out, "%*sclass %s, addr %02x:%02x.%x, pci id %04x:%04x "
                           "(sub %04x:%04x)\n", indent, "", ctxt,
                           pci_get_bus(d)->bus_num, PCI_SLOT(d->devfn), PCI_FUNC(d->devfn),
                           pci_get_word(d->config + PCI_VENDOR_ID),
                           pci_get_word(d->config + PCI_DEVICE_ID),
                           pci_get_word(d->config + PCI_SUBSYSTEM_VENDOR_ID),
                           pci_get_word(d->config + PCI_SUBSYSTEM_ID));
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &d->io_regions[i];
        if (r->size) {
            g_string_append_printf(out, "%*sbar %d: %s at 0x%" PRIx64 " [0x%" PRIx64 "]\n",
                                   indent, "", i,
                                   r->type & PCI_BASE_ADDRESS_SPACE_IO ? "i/o" : "mem",
                                   r->addr, r->addr + r->size - 1);
        }
    }
}

/*
 * Where a function may go (QEMU's rules and messages): a free devfn; function
 * N > 0 only beside a multifunction function 0; a single-function function 0
 * only in an empty slot. PCI_DEVFN_AUTO takes function 0 of the first empty
 * slot.
 */
static bool pci_bus_check_address(BusState *qbus, DeviceState *qdev, Error **errp)
{
    PCIBus *bus = PCI_BUS(qbus);
    PCIDevice *d = PCI_DEVICE(qdev);
    const char *name = object_get_typename(OBJECT(d));
    int devfn = d->devfn;

    if (devfn == PCI_DEVFN_AUTO) {
        for (devfn = 0; devfn < 256; devfn += 8) {
            bool empty = true;
            for (int fn = 0; fn < 8; fn++) {
                empty &= !bus->devices[devfn + fn];
            }
            if (empty) {
                break;
            }
        }
        if (devfn >= 256) {
            error_setg(errp, "PCI: no slot/function available for %s, all in use", name);
            return false;
        }
    }
    if (devfn < 0 || devfn > 255) {
        error_setg(errp, "PCI: invalid devfn %d for %s", devfn, name);
        return false;
    }
    PCIDevice *used = bus->devices[devfn];
    if (used) {
        error_setg(errp, "PCI: slot %d function %d not available for %s, in use by %s,id=%s",
                   PCI_SLOT(devfn), PCI_FUNC(devfn), name, object_get_typename(OBJECT(used)),
                   DEVICE(used)->id ? DEVICE(used)->id : "");
        return false;
    }
    int slot0 = devfn & ~7;
    if (PCI_FUNC(devfn)) {
        PCIDevice *f0 = bus->devices[slot0];
        if (f0 && !f0->multifunction) {
            error_setg(errp, "PCI: single function device can't be populated in function "
                       "%x.%x", PCI_SLOT(devfn), PCI_FUNC(devfn));
            return false;
        }
    } else if (!d->multifunction) {
        for (int fn = 1; fn < 8; fn++) {
            if (bus->devices[slot0 + fn]) {
                error_setg(errp, "PCI: %x.0 indicates single function, but %x.%x is already "
                           "populated.", PCI_SLOT(devfn), PCI_SLOT(devfn), fn);
                return false;
            }
        }
    }
    d->devfn = devfn;
    return true;
}

static void pci_bus_class_init(ObjectClass *oc, void *data)
{
    BusClass *bc = BUS_CLASS(oc);
    bc->print_dev = pci_bus_print_dev;
    bc->check_address = pci_bus_check_address;
}

static void pci_bus_finalize(Object *obj)
{
    g_free(PCI_BUS(obj)->irq_count);
}

PCIBus *pci_root_bus_new(DeviceState *parent, const char *name, MemoryRegion *mem,
                         MemoryRegion *io)
{
    PCIBus *bus = PCI_BUS(qbus_new(TYPE_PCI_BUS, parent, name));
    bus->address_space_mem = mem;
    bus->address_space_io = io;
    bus->bus_num = 0;
    return bus;
}

void pci_bus_irqs(PCIBus *bus, PCISetIrqFn set_irq, PCIMapIrqFn map_irq, void *opaque,
                  int nirq)
{
    bus->set_irq = set_irq;
    bus->map_irq = map_irq;
    bus->irq_opaque = opaque;
    bus->nirq = nirq;
    g_free(bus->irq_count);
    bus->irq_count = g_new0(int, nirq);
    /* Functions already driving their pin count on the new map too. */
    for (int devfn = 0; map_irq && devfn < 256; devfn++) {
        PCIDevice *d = bus->devices[devfn];
        if (d && d->intx_out) {
            int irq = map_irq(d, d->config[PCI_INTERRUPT_PIN] - 1);
            if (irq >= 0 && irq < nirq) {
                bus->irq_count[irq]++;
            }
        }
    }
}

int pci_bus_get_irq_level(PCIBus *bus, int irq)
{
    return irq >= 0 && irq < bus->nirq && bus->irq_count[irq] != 0;
}

int pci_swizzle_map_irq_fn(PCIDevice *dev, int pin)
{
    return (PCI_SLOT(dev->devfn) + pin) % PCI_NUM_PINS;
}

PCIDevice *pci_find_device(PCIBus *bus, int bus_num, int devfn)
{
    if (!bus || bus_num != bus->bus_num || devfn < 0 || devfn > 255) {
        return NULL;
    }
    return bus->devices[devfn];
}

PCIBus *pci_get_bus(const PCIDevice *dev)
{
    BusState *b = DEVICE(dev)->parent_bus;
    return b ? PCI_BUS(b) : NULL;
}

MemoryRegion *pci_address_space(PCIDevice *dev)
{
    return pci_get_bus(dev)->address_space_mem;
}

MemoryRegion *pci_address_space_io(PCIDevice *dev)
{
    return pci_get_bus(dev)->address_space_io;
}

static PCIDevice *pci_create_common(PCIBus *bus, int devfn, bool multifunction,
                                    const char *type, Error **errp)
{
    DeviceState *dev = qdev_new(type);
    PCIDevice *d = PCI_DEVICE(dev);
    d->devfn = devfn;
    d->multifunction = multifunction;
    if (!qdev_realize_and_unref(dev, BUS(bus), errp)) {
        return NULL;
    }
    return d;
}

PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *type, Error **errp)
{
    return pci_create_common(bus, devfn, false, type, errp);
}

PCIDevice *pci_create_simple_multifunction(PCIBus *bus, int devfn, const char *type,
                                           Error **errp)
{
    return pci_create_common(bus, devfn, true, type, errp);
}

/* ---- configuration space ---- */

void pci_count_ignored(PCIDevice *dev)
{
    DEVICE(dev)->ignored_accesses++;
}

void pci_config_set_wmask(PCIDevice *dev, unsigned offset, unsigned len, uint8_t mask)
{
    g_assert(offset + len <= PCI_CONFIG_SPACE_SIZE);
    memset(dev->wmask + offset, mask, len);
}

void pci_config_set_w1cmask(PCIDevice *dev, unsigned offset, unsigned len, uint8_t mask)
{
    g_assert(offset + len <= PCI_CONFIG_SPACE_SIZE);
    memset(dev->w1cmask + offset, mask, len);
}

void pci_config_set_interrupt_pin(PCIDevice *dev, uint8_t pin)
{
    g_assert(pin <= PCI_NUM_PINS);
    dev->config[PCI_INTERRUPT_PIN] = pin;
}

uint32_t pci_default_read_config(PCIDevice *dev, uint32_t addr, int len)
{
    uint32_t val = 0;
    for (int i = 0; i < len && addr + i < PCI_CONFIG_SPACE_SIZE; i++) {
        val |= (uint32_t)dev->config[addr + i] << (8 * i);
    }
    return val;
}

/*
 * Writable bits take the new value, write-1-to-clear bits clear where a 1 is
 * written, read-only bits keep theirs (§6.1, §6.2.3). Then whatever the new
 * values decode to: BAR mappings, INTx, MSI/MSI-X state.
 */
void pci_default_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len)
{
    uint16_t old_cmd = pci_get_word(dev->config + PCI_COMMAND);

    for (int i = 0; i < len && addr + i < PCI_CONFIG_SPACE_SIZE; i++) {
        uint8_t a = addr + i;
        uint8_t b = val >> (8 * i);
        dev->config[a] = (dev->config[a] & ~dev->wmask[a]) | (b & dev->wmask[a]);
        dev->config[a] &= ~(b & dev->w1cmask[a]);
    }
    if (ranges_overlap(addr, len, PCI_COMMAND, 2) ||
        ranges_overlap(addr, len, PCI_BASE_ADDRESS_0, 6 * 4) ||
        ranges_overlap(addr, len, PCI_ROM_ADDRESS, 4)) {
        pci_update_mappings(dev);
    }
    if ((old_cmd ^ pci_get_word(dev->config + PCI_COMMAND)) & PCI_COMMAND_INTX_DISABLE) {
        pci_intx_update(dev);
    }
    msi_write_config(dev, addr, val, len);
    msix_write_config(dev, addr, val, len);
}

uint32_t pci_config_read(PCIDevice *dev, uint32_t addr, int len)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);
    g_assert(len == 1 || len == 2 || len == 4);
    if (addr + len > PCI_CONFIG_SPACE_SIZE) {
        return ~0u >> (8 * (4 - len));
    }
    return pc->config_read ? pc->config_read(dev, addr, len)
                           : pci_default_read_config(dev, addr, len);
}

void pci_config_write(PCIDevice *dev, uint32_t addr, uint32_t val, int len)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);
    g_assert(len == 1 || len == 2 || len == 4);
    if (addr + len > PCI_CONFIG_SPACE_SIZE) {
        return;
    }
    if (len < 4) {
        val &= (1u << (8 * len)) - 1;
    }
    if (pc->config_write) {
        pc->config_write(dev, addr, val, len);
    } else {
        pci_default_write_config(dev, addr, val, len);
    }
}

/* ---- capabilities ---- */

static bool pci_cap_space_free(PCIDevice *dev, unsigned offset, unsigned size)
{
    if (offset < PCI_CONFIG_HEADER_SIZE || offset + size > PCI_CONFIG_SPACE_SIZE) {
        return false;
    }
    for (unsigned i = 0; i < size; i++) {
        if (dev->used[offset + i]) {
            return false;
        }
    }
    return true;
}

uint8_t pci_add_capability(PCIDevice *dev, uint8_t cap_id, uint8_t offset, uint8_t size,
                           Error **errp)
{
    if (!offset) {
        for (unsigned o = PCI_CONFIG_HEADER_SIZE; o + size <= PCI_CONFIG_SPACE_SIZE;
             o += 4) {
            if (pci_cap_space_free(dev, o, size)) {
                offset = o;
                break;
            }
        }
        if (!offset) {
            error_setg(errp, "%s: no room in configuration space for capability 0x%02x "
                       "(%u bytes)", object_get_typename(OBJECT(dev)), cap_id, size);
            return 0;
        }
    } else if ((offset & 3) || !pci_cap_space_free(dev, offset, size)) {
        error_setg(errp, "%s: capability 0x%02x at 0x%02x (%u bytes) overlaps another "
                   "or lies outside 0x40-0xff", object_get_typename(OBJECT(dev)), cap_id,
                   offset, size);
        return 0;
    }
    uint8_t *c = dev->config + offset;
    c[PCI_CAP_LIST_ID] = cap_id;
    c[PCI_CAP_LIST_NEXT] = dev->config[PCI_CAPABILITY_LIST];
    dev->config[PCI_CAPABILITY_LIST] = offset;
    pci_set_word(dev->config + PCI_STATUS,
                 pci_get_word(dev->config + PCI_STATUS) | PCI_STATUS_CAP_LIST);
    memset(dev->used + offset, 0xff, size);
    /* The header of a capability is read-only; its body's masks are the caller's. */
    memset(dev->wmask + offset, 0, size);
    memset(dev->w1cmask + offset, 0, size);
    return offset;
}

void pci_del_capability(PCIDevice *dev, uint8_t cap_id, uint8_t size)
{
    uint8_t prev = PCI_CAPABILITY_LIST;
    uint8_t pos = dev->config[prev];
    for (int n = 0; pos && n < 48; n++) {
        if (dev->config[pos + PCI_CAP_LIST_ID] == cap_id) {
            dev->config[prev] = dev->config[pos + PCI_CAP_LIST_NEXT];
            memset(dev->config + pos, 0, size);
            memset(dev->used + pos, 0, size);
            memset(dev->wmask + pos, 0, size);
            memset(dev->w1cmask + pos, 0, size);
            break;
        }
        prev = pos + PCI_CAP_LIST_NEXT;
        pos = dev->config[prev];
    }
    if (!dev->config[PCI_CAPABILITY_LIST]) {
        pci_set_word(dev->config + PCI_STATUS,
                     pci_get_word(dev->config + PCI_STATUS) & ~PCI_STATUS_CAP_LIST);
    }
}

uint8_t pci_find_capability(PCIDevice *dev, uint8_t cap_id)
{
    if (!(pci_get_word(dev->config + PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    /* At most 48 capabilities fit in 0x40-0xff: more links than that is a loop. */
    uint8_t pos = dev->config[PCI_CAPABILITY_LIST] & ~3;
    for (int n = 0; pos >= PCI_CONFIG_HEADER_SIZE && n < 48; n++) {
        if (dev->config[pos + PCI_CAP_LIST_ID] == cap_id) {
            return pos;
        }
        pos = dev->config[pos + PCI_CAP_LIST_NEXT] & ~3;
    }
    return 0;
}

/* ---- BARs ---- */

static int pci_bar_offset(int bar)
{
    return bar == PCI_ROM_SLOT ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + bar * 4;
}

void pci_register_bar(PCIDevice *dev, int bar, uint8_t type, MemoryRegion *mr)
{
    uint64_t size = memory_region_size(mr);
    bool io = type & PCI_BASE_ADDRESS_SPACE_IO;
    bool is64 = !io && (type & PCI_BASE_ADDRESS_MEM_TYPE_64);
    int off = pci_bar_offset(bar);
    PCIIORegion *r;

    g_assert(bar >= 0 && bar < PCI_NUM_REGIONS);
    g_assert(size && !(size & (size - 1)));
    g_assert(!(bar == PCI_ROM_SLOT && (io || is64)));
    g_assert(!is64 || bar < PCI_NUM_BARS - 1);
    g_assert(size >= (bar == PCI_ROM_SLOT ? 0x800 : io ? 4 : 16));
    g_assert(!io || size <= 0x10000);
    g_assert(is64 || size <= 0x80000000ull);
    r = &dev->io_regions[bar];
    g_assert(!r->size);

    r->size = size;
    r->type = bar == PCI_ROM_SLOT ? 0 : type;
    r->memory = mr;
    r->container = io ? pci_address_space_io(dev) : pci_address_space(dev);
    r->addr = PCI_BAR_UNMAPPED;

    uint64_t wmask = ~(size - 1);
    if (bar == PCI_ROM_SLOT) {
        pci_set_long(dev->config + off, 0);
        pci_set_long(dev->wmask + off, ((uint32_t)wmask & PCI_ROM_ADDRESS_MASK) |
                                       PCI_ROM_ADDRESS_ENABLE);
        return;
    }
    /* The low bits are the read-only type (§6.2.5.1); sizing reads ~(size - 1). */
    pci_set_long(dev->config + off, type);
    pci_set_long(dev->wmask + off, (uint32_t)wmask &
                 (io ? PCI_BASE_ADDRESS_IO_MASK : PCI_BASE_ADDRESS_MEM_MASK));
    if (is64) {
        pci_set_long(dev->config + off + 4, 0);
        pci_set_long(dev->wmask + off + 4, wmask >> 32);
    }
}

uint64_t pci_get_bar_addr(PCIDevice *dev, int bar)
{
    return dev->io_regions[bar].addr;
}

/*
 * Where BAR @bar decodes now (§6.2.2, §6.2.5): nowhere unless its space is
 * enabled in the command register (and, for the ROM, its enable bit is set).
 * Address 0 means "not assigned" (as QEMU and firmware treat it); an I/O BAR
 * must lie within the 64 KiB port space.
 */
static uint64_t pci_bar_address(PCIDevice *dev, int bar)
{
    PCIIORegion *r = &dev->io_regions[bar];
    uint16_t cmd = pci_get_word(dev->config + PCI_COMMAND);
    int off = pci_bar_offset(bar);
    uint64_t addr;

    if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO)) {
            return PCI_BAR_UNMAPPED;
        }
        addr = pci_get_long(dev->config + off) & PCI_BASE_ADDRESS_IO_MASK & ~(r->size - 1);
        if (!addr || addr + r->size > 0x10000) {
            return PCI_BAR_UNMAPPED;
        }
        return addr;
    }
    if (!(cmd & PCI_COMMAND_MEMORY)) {
        return PCI_BAR_UNMAPPED;
    }
    if (bar == PCI_ROM_SLOT) {
        uint32_t rom = pci_get_long(dev->config + off);
        if (!(rom & PCI_ROM_ADDRESS_ENABLE)) {
            return PCI_BAR_UNMAPPED;
        }
        addr = rom & PCI_ROM_ADDRESS_MASK & ~(r->size - 1);
    } else {
        addr = pci_get_long(dev->config + off) & PCI_BASE_ADDRESS_MEM_MASK;
        if (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
            addr |= (uint64_t)pci_get_long(dev->config + off + 4) << 32;
        }
        addr &= ~(r->size - 1);
    }
    /* Aligned to a power-of-two size, [addr, addr + size) cannot wrap. */
    return addr ? addr : PCI_BAR_UNMAPPED;
}

void pci_update_mappings(PCIDevice *dev)
{
    memory_region_transaction_begin();
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &dev->io_regions[i];
        if (!r->size) {
            continue;
        }
        /* A function that left its bus (or never got there) decodes nothing. */
        PCIBus *bus = pci_get_bus(dev);
        uint64_t addr = bus && bus->devices[dev->devfn] == dev ? pci_bar_address(dev, i)
                                                               : PCI_BAR_UNMAPPED;
        if (addr == r->addr) {
            continue;
        }
        if (r->addr != PCI_BAR_UNMAPPED) {
            memory_region_del_subregion(r->container, r->memory);
        }
        r->addr = addr;
        if (addr != PCI_BAR_UNMAPPED) {
            /* Above the ISA devices in the I/O space, as on QEMU's PC. */
            memory_region_add_subregion_overlap(r->container, addr, r->memory, 1);
        }
    }
    memory_region_transaction_commit();
}

static void pci_unmap_all(PCIDevice *dev)
{
    memory_region_transaction_begin();
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &dev->io_regions[i];
        if (r->size && r->addr != PCI_BAR_UNMAPPED) {
            memory_region_del_subregion(r->container, r->memory);
            r->addr = PCI_BAR_UNMAPPED;
        }
    }
    memory_region_transaction_commit();
}

/* ---- INTx ---- */

static void pci_bus_change_irq(PCIBus *bus, int irq, int change)
{
    if (!bus->irq_count || irq < 0 || irq >= bus->nirq) {
        return;
    }
    int before = bus->irq_count[irq] != 0;
    bus->irq_count[irq] += change;
    g_assert(bus->irq_count[irq] >= 0);
    int after = bus->irq_count[irq] != 0;
    if (before != after && bus->set_irq) {
        bus->set_irq(bus->irq_opaque, irq, after);
    }
}

/*
 * The Interrupt Status bit follows the function's request; the pin is driven
 * only while Interrupt Disable is clear (§6.2.2, §6.2.3) and neither MSI nor
 * MSI-X is enabled (§6.8: a function using messages must not use INTx).
 */
void pci_intx_update(PCIDevice *dev)
{
    uint16_t status = pci_get_word(dev->config + PCI_STATUS) & ~PCI_STATUS_INTERRUPT;
    uint8_t pin = dev->config[PCI_INTERRUPT_PIN];
    PCIBus *bus = pci_get_bus(dev);
    bool out;

    if (dev->intx_level) {
        status |= PCI_STATUS_INTERRUPT;
    }
    pci_set_word(dev->config + PCI_STATUS, status);
    out = dev->intx_level && pin >= 1 && pin <= PCI_NUM_PINS &&
          !(pci_get_word(dev->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE) &&
          !msi_enabled(dev) && !msix_enabled(dev) &&
          bus && bus->devices[dev->devfn] == dev;
    if (out == dev->intx_out || !bus) {
        return;
    }
    dev->intx_out = out;
    if (bus->map_irq) {
        pci_bus_change_irq(bus, bus->map_irq(dev, pin - 1), out ? 1 : -1);
    }
}

void pci_set_irq(PCIDevice *dev, int level)
{
    dev->intx_level = level != 0;
    pci_intx_update(dev);
}

/* ---- bus mastering ---- */

bool pci_bus_master_enabled(PCIDevice *dev)
{
    return pci_get_word(dev->config + PCI_COMMAND) & PCI_COMMAND_MASTER;
}

MemTxResult pci_dma_rw(PCIDevice *dev, uint64_t addr, void *buf, uint64_t len,
                       bool is_write)
{
    if (!pci_bus_master_enabled(dev)) {
        emu_log_mask(LOG_GUEST_ERROR, "%s %02x.%x: DMA %s of %" PRIu64 " bytes at 0x%"
                     PRIx64 " with bus mastering disabled\n",
                     object_get_typename(OBJECT(dev)), PCI_SLOT(dev->devfn),
                     PCI_FUNC(dev->devfn), is_write ? "write" : "read", len, addr);
        pci_count_ignored(dev);
        if (!is_write) {
            memset(buf, 0xff, len);
        }
        return MEMTX_ERROR;
    }
    MemTxResult res = address_space_rw(&address_space_memory, addr, buf, len, is_write);
    if (res & MEMTX_DECODE_ERROR) {
        /* Nobody claimed the cycle: the master saw a Master-Abort (§6.2.3). */
        pci_set_word(dev->config + PCI_STATUS,
                     pci_get_word(dev->config + PCI_STATUS) | PCI_STATUS_REC_MASTER_ABORT);
    }
    return res;
}

/* ---- the "addr" property: SLOT[.FN] in hex ---- */

static char *pci_get_addr(Object *obj, Error **errp)
{
    PCIDevice *d = PCI_DEVICE(obj);
    if (d->devfn == PCI_DEVFN_AUTO) {
        return g_strdup("<unset>");
    }
    return g_strdup_printf("%02x.%x", PCI_SLOT(d->devfn), PCI_FUNC(d->devfn));
}

/* QEMU's syntax and message: "3", "03.1", "1f.7". */
static void pci_set_addr(Object *obj, const char *str, Error **errp)
{
    PCIDevice *d = PCI_DEVICE(obj);
    unsigned long slot, fn = 0;
    char *end;

    if (DEVICE(obj)->realized) {
        error_setg(errp, "property 'addr' of device '%s' cannot be changed after it is "
                   "realized", object_get_typename(obj));
        return;
    }
    if (!g_ascii_isxdigit(str[0])) {
        goto invalid;
    }
    slot = strtoul(str, &end, 16);
    if (*end == '.') {
        if (!g_ascii_isxdigit(end[1])) {
            goto invalid;
        }
        fn = strtoul(end + 1, &end, 16);
    }
    if (*end || slot > 0x1f || fn > 7) {
        goto invalid;
    }
    d->devfn = PCI_DEVFN(slot, fn);
    return;
invalid:
    error_setg(errp, "Property '%s.addr' doesn't take value '%s' (use SLOT[.FUNCTION] in "
               "hex: slot 0-1f, function 0-7)", object_get_typename(obj), str);
}

/* ---- realize, reset ---- */

static void pci_init_config(PCIDevice *d)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);
    uint8_t *c = d->config;

    memset(d->config, 0, sizeof(d->config));
    memset(d->wmask, 0, sizeof(d->wmask));
    memset(d->w1cmask, 0, sizeof(d->w1cmask));
    memset(d->used, 0, sizeof(d->used));
    memset(d->used, 0xff, PCI_CONFIG_HEADER_SIZE);
    memset(d->io_regions, 0, sizeof(d->io_regions));

    pci_set_word(c + PCI_VENDOR_ID, pc->vendor_id);
    pci_set_word(c + PCI_DEVICE_ID, pc->device_id);
    c[PCI_REVISION_ID] = pc->revision;
    c[PCI_CLASS_PROG] = pc->class_prog;
    pci_set_word(c + PCI_CLASS_DEVICE, pc->class_id);
    c[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL |
                         (d->multifunction ? PCI_HEADER_TYPE_MULTI_FUNCTION : 0);
    if (pc->subsystem_vendor_id || pc->subsystem_id) {
        pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, pc->subsystem_vendor_id);
        pci_set_word(c + PCI_SUBSYSTEM_ID, pc->subsystem_id);
    } else {
        pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, PCI_SUBVENDOR_ID_REDHAT_QUMRANET);
        pci_set_word(c + PCI_SUBSYSTEM_ID, PCI_SUBDEVICE_ID_QEMU);
    }

    /* Type 0 header masks (§6.2): the rest of 0x00-0x3f is read-only. */
    pci_set_word(d->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                 PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
                 PCI_COMMAND_INTX_DISABLE);
    pci_set_word(d->w1cmask + PCI_STATUS, PCI_STATUS_W1C);
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_LATENCY_TIMER] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

/* -device ...,romfile=FILE: its contents, rounded up to a power of two, as the
 * expansion ROM. */
static bool pci_load_romfile(PCIDevice *d, Error **errp)
{
    if (!d->romfile || !*d->romfile) {
        return true;
    }
    g_autofree char *path = datadir_find_file(d->romfile);
    g_autofree char *data = NULL;
    gsize len = 0;
    GError *gerr = NULL;

    if (!path) {
        error_setg(errp, "failed to find romfile \"%s\"", d->romfile);
        return false;
    }
    if (!g_file_get_contents(path, &data, &len, &gerr)) {
        error_setg(errp, "romfile %s: %s", path, gerr->message);
        g_error_free(gerr);
        return false;
    }
    if (len == 0 || len > 16 * 1024 * 1024) {
        error_setg(errp, "romfile %s: %zu bytes; an option ROM has 1 byte to 16 MiB", path,
                   (size_t)len);
        return false;
    }
    uint64_t size = 0x800;
    while (size < len) {
        size <<= 1;
    }
    g_autofree char *name = g_strdup_printf("%s.rom", object_get_typename(OBJECT(d)));
    if (!memory_region_init_rom(&d->rom, OBJECT(d), name, size, errp)) {
        return false;
    }
    uint8_t *p = memory_region_get_ram_ptr(&d->rom);
    memset(p, 0xff, size);
    memcpy(p, data, len);
    d->has_rom = true;
    if (d->rombar) {
        pci_register_bar(d, PCI_ROM_SLOT, 0, &d->rom);
    }
    return true;
}

static void pci_qdev_unregister(PCIDevice *d)
{
    PCIBus *bus = pci_get_bus(d);

    pci_set_irq(d, 0);
    pci_unmap_all(d);
    if (bus && bus->devices[d->devfn] == d) {
        bus->devices[d->devfn] = NULL;
    }
    if (d->has_rom) {
        memory_region_finalize(&d->rom);
        d->has_rom = false;
    }
}

static void pci_qdev_realize(DeviceState *qdev, Error **errp)
{
    PCIDevice *d = PCI_DEVICE(qdev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);
    PCIBus *bus = pci_get_bus(d);
    Error *err = NULL;

    /* pci_bus_check_address picked and checked d->devfn. */
    pci_init_config(d);
    bus->devices[d->devfn] = d;
    if (pc->realize) {
        pc->realize(d, &err);
    }
    if (!err) {
        pci_load_romfile(d, &err);
    }
    if (err) {
        if (pc->exit) {
            pc->exit(d);
        }
        msix_uninit(d);
        pci_qdev_unregister(d);
        error_propagate(errp, err);
        return;
    }
}

static void pci_qdev_unrealize(DeviceState *qdev)
{
    PCIDevice *d = PCI_DEVICE(qdev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);
    if (pc->exit) {
        pc->exit(d);
    }
    msix_uninit(d);
    pci_qdev_unregister(d);
}

/*
 * RST# (§6.2): command, status errors, BARs, the ROM enable and the
 * interrupt line to 0; MSI and MSI-X disabled with their state cleared.
 */
static void pci_device_reset(DeviceState *qdev, ResetType type)
{
    PCIDevice *d = PCI_DEVICE(qdev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);

    pci_set_word(d->config + PCI_COMMAND, 0);
    pci_set_word(d->config + PCI_STATUS,
                 pci_get_word(d->config + PCI_STATUS) & ~PCI_STATUS_W1C);
    d->config[PCI_CACHE_LINE_SIZE] = 0;
    d->config[PCI_LATENCY_TIMER] = 0;
    d->config[PCI_INTERRUPT_LINE] = 0;
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &d->io_regions[i];
        if (!r->size) {
            continue;
        }
        int off = pci_bar_offset(i);
        pci_set_long(d->config + off, r->type);
        if (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64 && !(r->type & PCI_BASE_ADDRESS_SPACE_IO)) {
            pci_set_long(d->config + off + 4, 0);
        }
    }
    msi_reset(d);
    msix_reset(d);
    d->intx_level = 0;
    pci_intx_update(d);
    pci_update_mappings(d);
    if (pc->reset) {
        pc->reset(d);
    }
}

/* ---- migration ---- */

static int pci_device_pre_load(void *opaque)
{
    PCIDevice *d = opaque;
    memcpy(d->load_scratch, d->config, sizeof(d->config));
    return 0;
}

/*
 * A stream is outside input: it may change what software could change
 * (writable and write-1-to-clear bits), not what the hardware fixes (IDs,
 * BAR types, capability pointers, table sizes), which keep the values this
 * device was built with.
 */
static int pci_device_post_load(void *opaque, int version_id)
{
    PCIDevice *d = opaque;
    uint8_t loaded[PCI_CONFIG_SPACE_SIZE];

    memcpy(loaded, d->config, sizeof(loaded));
    for (int i = 0; i < PCI_CONFIG_SPACE_SIZE; i++) {
        uint8_t sw = d->wmask[i] | d->w1cmask[i];
        d->config[i] = (loaded[i] & sw) | (d->load_scratch[i] & ~sw);
    }
    d->intx_level = d->intx_level != 0;
    msi_post_load(d, loaded);
    msix_post_load(d);
    pci_intx_update(d);
    pci_update_mappings(d);
    return 0;
}

/*
 * Nested last in a device's description (VMSTATE_STRUCT(parent_obj, ...,
 * vmstate_pci_device, PCIDevice) as its final field) and without subsections
 * of its own, so the loader never mistakes the next bytes for one.
 */
const VMStateDescription vmstate_pci_device = {
    .name = "PCIDevice",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_load = pci_device_pre_load,
    .post_load = pci_device_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_BUFFER(config, PCIDevice),
        VMSTATE_INT32(intx_level, PCIDevice),
        VMSTATE_BUFFER(msix_table, PCIDevice),
        VMSTATE_BUFFER(msix_pba, PCIDevice),
        VMSTATE_END_OF_LIST()
    },
};

static const Property pci_props[] = {
    DEFINE_PROP_BOOL("multifunction", PCIDevice, multifunction, false),
    DEFINE_PROP_STRING("romfile", PCIDevice, romfile),
    DEFINE_PROP_UINT32("rombar", PCIDevice, rombar, 1),
    DEFINE_PROP_END_OF_LIST(),
};

static void pci_device_init(Object *obj)
{
    PCIDevice *d = PCI_DEVICE(obj);
    d->devfn = PCI_DEVFN_AUTO;
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        d->io_regions[i].addr = PCI_BAR_UNMAPPED;
    }
}

static void pci_device_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->bus_type = TYPE_PCI_BUS;
    dc->realize = pci_qdev_realize;
    dc->unrealize = pci_qdev_unrealize;
    dc->reset = pci_device_reset;
    device_class_set_props(dc, pci_props);
    ObjectProperty *op = object_class_property_add_str(oc, "addr", pci_get_addr,
                                                       pci_set_addr);
    object_property_set_description(op, "slot and function, SLOT[.FN] in hex (e.g. 03.0)");
}

static const TypeInfo pci_types[] = {
    {
        .name = TYPE_PCI_BUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(PCIBus),
        .instance_finalize = pci_bus_finalize,
        .class_init = pci_bus_class_init,
    },
    {
        .name = TYPE_PCI_DEVICE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(PCIDevice),
        .instance_init = pci_device_init,
        .class_size = sizeof(PCIDeviceClass),
        .class_init = pci_device_class_init,
        .abstract = true,
    },
};
DEFINE_TYPES(pci_types)
