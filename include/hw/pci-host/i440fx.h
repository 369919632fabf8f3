/*
 * Intel 82441FX PCI and Memory Controller (PMC), the host bridge of the
 * 440FX PCIset (datasheet 290549): configuration mechanism #1 at
 * 0xcf8/0xcfc, PAM registers for the BIOS shadow area 0xc0000-0xfffff, and
 * SMRAM control for the 0xa0000-0xbffff window.
 *
 * /machine/i440fx is the host bridge ("i440FX-pcihost"); it owns bus pci.0
 * and its PCI function at 00.0 ("i440FX", 8086:1237 rev 02, /machine/i440fx/pmc).
 */
#ifndef HW_PCI_HOST_I440FX_H
#define HW_PCI_HOST_I440FX_H

#include "hw/pci/pci_host.h"

#define TYPE_I440FX_PCI_HOST_BRIDGE "i440FX-pcihost"
#define TYPE_I440FX_PCI_DEVICE "i440FX"

#define PCI_DEVICE_ID_INTEL_82441 0x1237

/* Configuration registers (82441FX datasheet §3.2). */
#define I440FX_PAM          0x59    /* PAM0-PAM6 */
#define I440FX_PAM_SIZE     7
#define I440FX_SMRAM        0x72

/* PAM nibble: read enable, write enable (§3.2.18). */
#define PAM_RE              0x1
#define PAM_WE              0x2
#define PAM_BIOS_BASE       0xf0000 /* PAM0 high nibble, 64 KiB */
#define PAM_EXPAN_BASE      0xc0000 /* PAM1-6, 16 KiB per nibble */
#define PAM_EXPAN_SIZE      0x4000
#define PAM_NR_SEGMENTS     13

/* SMRAM (§3.2.23). */
#define SMRAM_C_BASE_SEG    0x02    /* read-only: the compatible SMRAM at 0xa0000 */
#define SMRAM_G_SMRAME      0x08
#define SMRAM_D_LCK         0x10
#define SMRAM_D_CLS         0x20
#define SMRAM_D_OPEN        0x40
#define SMRAM_C_BASE        0xa0000
#define SMRAM_C_SIZE        0x20000

typedef struct PCII440FXState PCII440FXState;

typedef struct PAMSegment {
    PCII440FXState *pmc;
    MemoryRegion alias[4];          /* indexed by the RE/WE nibble */
    hwaddr start;
    uint64_t size;
    unsigned mode;
} PAMSegment;

struct PCII440FXState {
    PCIDevice parent_obj;
    MemoryRegion *system_memory;
    MemoryRegion *pci_memory;
    AddressSpace *pci_as;           /* reads of write-only PAM segments */
    MemoryRegion *ram;
    bool shadow_ram;                /* PAM resets to RAM read/write (no firmware) */
    PAMSegment pam[PAM_NR_SEGMENTS];
    MemoryRegion smram_region;      /* the PCI side of 0xa0000-0xbffff */
    uint64_t smram_lock_violations; /* writes refused by D_LCK */
};

typedef struct I440FXState {
    PCIHostState parent_obj;
    MemoryRegion pci_memory;        /* PCI memory space, below system memory */
    MemoryRegion legacy_abort;      /* 0xa0000-0xfffff of it: master abort */
    AddressSpace pci_as;
    PCII440FXState *pmc;
} I440FXState;

DECLARE_INSTANCE_CHECKER(PCII440FXState, I440FX_PCI_DEVICE, TYPE_I440FX_PCI_DEVICE)
DECLARE_INSTANCE_CHECKER(I440FXState, I440FX_PCI_HOST_BRIDGE, TYPE_I440FX_PCI_HOST_BRIDGE)

/*
 * Create the host bridge as child @name of @parent: PCI memory space under
 * @sysmem at priority -1 (RAM and the board's devices win), configuration
 * ports in @sysio (also the PCI I/O space), PAM and SMRAM over @ram (the whole
 * guest RAM; offsets below 1 MiB are its first megabyte). @shadow_ram: PAM
 * resets to RAM read/write, as a BIOS leaves it, for boots without firmware.
 */
I440FXState *i440fx_init(Object *parent, const char *name, MemoryRegion *sysmem,
                         MemoryRegion *sysio, MemoryRegion *ram, bool shadow_ram,
                         Error **errp);

#endif
