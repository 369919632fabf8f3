/*
 * The PCI bus and PCI devices (PCI Local Bus Specification 3.0).
 *
 * A PCIDevice is one function: 256 bytes of configuration space with, per
 * byte, a mask of the bits software may write (wmask) and of the bits a write
 * of 1 clears (w1cmask); every other bit is read-only (§6.1). Its BARs and
 * expansion ROM are MemoryRegions the core maps into the bus's memory or I/O
 * space as the command register's enables and the BAR values say (§6.2.5),
 * INTx goes through the bus's map_irq/set_irq (the board's routing), MSI and
 * MSI-X (hw/pci/msi.h, msix.h) are messages written through the device's
 * bus-master view.
 *
 * Device models:
 *   - set vendor_id, device_id, revision, class_id (and subsystem IDs if they
 *     have their own) in PCIDeviceClass, and realize/exit/reset hooks there
 *     (never DeviceClass.realize/reset, which the core owns);
 *   - in realize: pci_register_bar() for each BAR, pci_config_set_interrupt_pin(),
 *     capabilities (pci_add_capability, msi_init, msix_init), and masks for their
 *     device-specific registers (pci_config_set_wmask / _w1cmask);
 *   - override config_read/config_write only to react to their own registers,
 *     calling pci_default_read_config / pci_default_write_config for the rest.
 * -device TYPE,bus=pci.0,addr=SLOT[.FN],multifunction=on|off places one.
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include "hw/core/qdev.h"
#include "system/memory.h"
#include "hw/pci/pci_regs.h"

#define TYPE_PCI_BUS "PCI"
#define TYPE_PCI_DEVICE "pci-device"

#define PCI_BAR_UNMAPPED (~(uint64_t)0)
#define PCI_DEVFN_AUTO (-1)
#define PCI_NUM_PINS 4                  /* INTA..INTD */
/* MSI-X vectors a device may have here (the spec allows 2048). */
#define PCI_MSIX_MAX_VECTORS 128

typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;

/* @pin 0..3 (INTA..INTD) of @dev -> interrupt line of its bus (0..nirq-1). */
typedef int (*PCIMapIrqFn)(PCIDevice *dev, int pin);
/* The wire-OR of everything on bus line @irq changed to @level. */
typedef void (*PCISetIrqFn)(void *opaque, int irq, int level);

typedef struct PCIIORegion {
    uint64_t size;              /* 0: BAR not implemented */
    uint8_t type;               /* PCI_BASE_ADDRESS_SPACE_IO, or MEM_TYPE_64 | PREFETCH */
    MemoryRegion *memory;
    MemoryRegion *container;    /* the bus's I/O or memory space */
    uint64_t addr;              /* where it is mapped, or PCI_BAR_UNMAPPED */
} PCIIORegion;

struct PCIBus {
    BusState parent_obj;
    PCIDevice *devices[256];    /* by devfn */
    MemoryRegion *address_space_mem;
    MemoryRegion *address_space_io;
    int bus_num;
    PCIMapIrqFn map_irq;
    PCISetIrqFn set_irq;
    void *irq_opaque;
    int nirq;
    int *irq_count;             /* devices asserting each line */
};

typedef struct PCIDeviceClass {
    DeviceClass parent_class;
    void (*realize)(PCIDevice *dev, Error **errp);
    void (*exit)(PCIDevice *dev);
    /* After the core's reset of the standard registers. */
    void (*reset)(PCIDevice *dev);
    uint32_t (*config_read)(PCIDevice *dev, uint32_t addr, int len);
    void (*config_write)(PCIDevice *dev, uint32_t addr, uint32_t val, int len);
    uint16_t vendor_id;
    uint16_t device_id;
    uint8_t revision;
    uint16_t class_id;          /* base class << 8 | sub-class */
    uint8_t class_prog;         /* programming interface */
    uint16_t subsystem_vendor_id;   /* both 0: QEMU's 1af4:1100 */
    uint16_t subsystem_id;
} PCIDeviceClass;

struct PCIDevice {
    DeviceState parent_obj;

    uint8_t config[PCI_CONFIG_SPACE_SIZE];
    uint8_t wmask[PCI_CONFIG_SPACE_SIZE];
    uint8_t w1cmask[PCI_CONFIG_SPACE_SIZE];
    uint8_t used[PCI_CONFIG_SPACE_SIZE];    /* bytes owned by a capability */
    uint8_t load_scratch[PCI_CONFIG_SPACE_SIZE];  /* migration: config before a load */

    /* properties */
    int32_t devfn;              /* "addr": PCI_DEVFN_AUTO until placed */
    bool multifunction;
    char *romfile;
    uint32_t rombar;            /* 0: the ROM is not offered through the ROM BAR */

    PCIIORegion io_regions[PCI_NUM_REGIONS];
    MemoryRegion rom;           /* romfile contents */
    bool has_rom;

    int32_t intx_level;         /* what the function asks for */
    bool intx_out;              /* what reaches the bus (after disable, MSI) */

    uint8_t msi_cap;            /* 0: no MSI capability */
    uint8_t msix_cap;           /* 0: no MSI-X capability */
    uint16_t msix_entries_nr;
    uint8_t msix_table_bar;
    uint8_t msix_pba_bar;
    MemoryRegion msix_table_mmio;
    MemoryRegion msix_pba_mmio;
    MemoryRegion *msix_table_container;
    MemoryRegion *msix_pba_container;
    uint8_t msix_table[PCI_MSIX_MAX_VECTORS * PCI_MSIX_ENTRY_SIZE];
    uint8_t msix_pba[PCI_MSIX_MAX_VECTORS / 8];

    /* Counters for `info pci`. */
    uint64_t msi_sent;
    uint64_t msi_blocked;       /* messages dropped: bus mastering disabled */
};

DECLARE_INSTANCE_CHECKER(PCIBus, PCI_BUS, TYPE_PCI_BUS)
DECLARE_OBJ_CHECKERS(PCIDevice, PCIDeviceClass, PCI_DEVICE, TYPE_PCI_DEVICE)

extern const VMStateDescription vmstate_pci_device;

/* ---- buses ---- */

/* A root bus named @name under @parent, decoding @mem and @io. */
PCIBus *pci_root_bus_new(DeviceState *parent, const char *name, MemoryRegion *mem,
                         MemoryRegion *io);
/* INTx routing of @bus: @nirq lines, @map_irq picks the line of a device pin. */
void pci_bus_irqs(PCIBus *bus, PCISetIrqFn set_irq, PCIMapIrqFn map_irq, void *opaque,
                  int nirq);
/* Whether any device asserts line @irq of @bus. */
int pci_bus_get_irq_level(PCIBus *bus, int irq);
/* The standard swizzle behind a PCI-PCI bridge: (slot + pin) mod 4. */
int pci_swizzle_map_irq_fn(PCIDevice *dev, int pin);
PCIDevice *pci_find_device(PCIBus *bus, int bus_num, int devfn);
PCIBus *pci_get_bus(const PCIDevice *dev);
MemoryRegion *pci_address_space(PCIDevice *dev);
MemoryRegion *pci_address_space_io(PCIDevice *dev);

/* Create @type at @devfn (PCI_DEVFN_AUTO: the first free slot) and realize it. */
PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *type, Error **errp);
PCIDevice *pci_create_simple_multifunction(PCIBus *bus, int devfn, const char *type,
                                           Error **errp);

/* ---- configuration space ---- */

static inline uint16_t pci_get_word(const uint8_t *p)
{
    return p[0] | (p[1] << 8);
}

static inline uint32_t pci_get_long(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void pci_set_word(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

/* Configuration cycles as the host bridge runs them (@len 1, 2 or 4). */
uint32_t pci_config_read(PCIDevice *dev, uint32_t addr, int len);
void pci_config_write(PCIDevice *dev, uint32_t addr, uint32_t val, int len);
/* The register semantics: masks, then BAR/command/MSI/MSI-X side effects. */
uint32_t pci_default_read_config(PCIDevice *dev, uint32_t addr, int len);
void pci_default_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len);

/* Make bits of device-specific registers writable / write-1-to-clear. */
void pci_config_set_wmask(PCIDevice *dev, unsigned offset, unsigned len, uint8_t mask);
void pci_config_set_w1cmask(PCIDevice *dev, unsigned offset, unsigned len, uint8_t mask);
/* 1..4 for INTA..INTD (0: no INTx). */
void pci_config_set_interrupt_pin(PCIDevice *dev, uint8_t pin);

/*
 * Capabilities (§6.7). @offset 0 picks the first free dword-aligned space in
 * 0x40-0xff. Returns the offset, or 0 with @errp set. The new capability heads
 * the list.
 */
uint8_t pci_add_capability(PCIDevice *dev, uint8_t cap_id, uint8_t offset, uint8_t size,
                           Error **errp);
void pci_del_capability(PCIDevice *dev, uint8_t cap_id, uint8_t size);
/* Offset of the first capability @cap_id in the list (0: none); loop-safe. */
uint8_t pci_find_capability(PCIDevice *dev, uint8_t cap_id);

/* ---- BARs ---- */

/*
 * BAR @bar (0-5, or PCI_ROM_SLOT for the expansion ROM) decodes @mr, whose
 * size must be a power of two, at least 4 bytes for I/O and 16 for memory
 * (2 KiB for the ROM). A 64-bit BAR also takes bar + 1.
 */
void pci_register_bar(PCIDevice *dev, int bar, uint8_t type, MemoryRegion *mr);
/* Where BAR @bar is mapped now, or PCI_BAR_UNMAPPED. */
uint64_t pci_get_bar_addr(PCIDevice *dev, int bar);
/* Re-evaluate every BAR against the command register and the BAR values. */
void pci_update_mappings(PCIDevice *dev);

/* ---- INTx, DMA ---- */

/* Drive the function's INTx pin (the one in PCI_INTERRUPT_PIN). */
void pci_set_irq(PCIDevice *dev, int level);
static inline void pci_irq_assert(PCIDevice *dev) { pci_set_irq(dev, 1); }
static inline void pci_irq_deassert(PCIDevice *dev) { pci_set_irq(dev, 0); }

bool pci_bus_master_enabled(PCIDevice *dev);
/*
 * Bus-master accesses to system memory: refused (MEMTX_ERROR, nothing
 * transferred, logged under -d guest_errors) while the command register's Bus
 * Master Enable is clear.
 */
MemTxResult pci_dma_rw(PCIDevice *dev, uint64_t addr, void *buf, uint64_t len,
                       bool is_write);
static inline MemTxResult pci_dma_read(PCIDevice *dev, uint64_t addr, void *buf,
                                       uint64_t len)
{
    return pci_dma_rw(dev, addr, buf, len, false);
}
static inline MemTxResult pci_dma_write(PCIDevice *dev, uint64_t addr, const void *buf,
                                        uint64_t len)
{
    return pci_dma_rw(dev, addr, (void *)buf, len, true);
}

/* "Host bridge", "ISA bridge"... for a class (NULL if unnamed). */
const char *pci_class_description(uint16_t class_id);

#endif
