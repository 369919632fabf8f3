/*
 * The PC machine (-machine pc): RAM split around the PCI hole, the ISA bus with
 * the legacy devices, GSI routing to the interrupt controllers, the e820 map and
 * the boot entry of direct kernel boot.
 */
#ifndef HW_I386_PC_H
#define HW_I386_PC_H

#include "hw/core/machine.h"
#include "hw/isa/isa.h"
#include "hw/i386/e820.h"
#include "hw/i386/x86-boot.h"
#include "system/memory.h"

#define TYPE_PC_MACHINE "generic-pc-machine"
#define TYPE_GSI_ROUTER "pc-gsi-router"

#define GSI_NUM_PINS 24
#define ACPI_PM_IOBASE 0x600   /* PM1 block where QEMU's pc has it after SeaBIOS */
#define ACPI_SCI_IRQ 9
/* -bios when there is no -kernel: SeaBIOS, found through datadir_find_file. */
#define PC_DEFAULT_BIOS "bios-256k.bin"

/* Where RAM above 4 GiB starts, and the default top of RAM below 4 GiB. */
#define PC_4G 0x100000000ULL
#define PC_MAX_RAM_BELOW_4G 0xe0000000ULL
#define PC_GB_ALIGNED_BELOW_4G 0xc0000000ULL

typedef struct FWCfgState FWCfgState;
typedef struct PCIBus PCIBus;

typedef enum {
    KERNEL_IRQCHIP_ON,
    KERNEL_IRQCHIP_OFF,
    KERNEL_IRQCHIP_SPLIT,
} KernelIrqchipMode;

/* 24 GSI inputs; forwards each level to the in-kernel irqchip or emu's own. */
typedef struct GSIRouter {
    DeviceState parent_obj;
    int levels[GSI_NUM_PINS];
    qemu_irq out[GSI_NUM_PINS];   /* emu's own interrupt controllers, when wired */
} GSIRouter;

typedef struct PCMachineState {
    MachineState parent_obj;
    ISABus *isa_bus;
    PCIBus *pci_bus;              /* pci.0, on the i440FX (hw/i386/pc-pci.c) */
    GSIRouter *gsi_router;
    qemu_irq gsi[GSI_NUM_PINS];
    MemoryRegion ram_below_4g;
    MemoryRegion ram_above_4g;
    MemoryRegion bios;            /* -bios image, ROM at the top of 4 GiB */
    MemoryRegion isa_bios;        /* its last 128 KiB below 1 MiB */
    uint64_t below_4g_mem_size;
    uint64_t above_4g_mem_size;
    uint64_t max_ram_below_4g;
    E820Table e820;
    X86BootEntry boot_entry;
    FWCfgState *fw_cfg;
    int kernel_irqchip;           /* KernelIrqchipMode */
    bool acpi;
    bool hpet;
    bool pit;
} PCMachineState;

typedef struct PCMachineClass {
    MachineClass parent_class;
} PCMachineClass;

DECLARE_OBJ_CHECKERS(PCMachineState, PCMachineClass, PC_MACHINE, TYPE_PC_MACHINE)
DECLARE_INSTANCE_CHECKER(GSIRouter, GSI_ROUTER, TYPE_GSI_ROUTER)

/* Legacy COM port addresses and IRQs (COM1..COM4). */
extern const uint16_t pc_serial_iobase[4];
extern const uint8_t pc_serial_irq[4];

#endif
