/*
 * Machines: the object at /machine that creates and wires the board's devices.
 * A machine type "foo" is registered as TYPE "foo-machine"; -machine foo picks it.
 */
#ifndef HW_CORE_MACHINE_H
#define HW_CORE_MACHINE_H

#include "hw/core/qdev.h"
#include "block/drive.h"

#define TYPE_MACHINE "machine"
#define TYPE_MACHINE_SUFFIX "-machine"
#define MACHINE_TYPE_NAME(name) name TYPE_MACHINE_SUFFIX

typedef struct MachineState MachineState;
typedef struct MachineClass MachineClass;
typedef struct MemoryRegion MemoryRegion;

typedef struct CpuTopology {
    unsigned cpus;
    unsigned sockets;
    unsigned dies;
    unsigned cores;
    unsigned threads;
    unsigned max_cpus;
} CpuTopology;

struct MachineClass {
    ObjectClass parent_class;
    const char *name;            /* -machine NAME */
    const char *alias;           /* e.g. "pc" for a versioned type */
    const char *desc;
    bool is_default;
    void (*init)(MachineState *ms, Error **errp);
    void (*reset)(MachineState *ms, ResetType type);
    unsigned max_cpus;
    unsigned min_cpus;
    uint64_t default_ram_size;
    const char *default_cpu_type;
    bool no_cpus;                /* machine none: runs no CPU at all */
    bool no_serial;
    bool no_parallel;
    bool no_floppy;
    bool no_cdrom;
    bool no_sdcard;
    BlockInterfaceType block_default_type;   /* if= of -drive/-hda without one */
    const char *default_display; /* "std" VGA etc.; NULL = none */
};

struct MachineState {
    DeviceState parent_obj;      /* a device so reset/properties work uniformly */
    uint64_t ram_size;
    uint64_t maxram_size;
    uint32_t ram_slots;
    char *mem_path;              /* -mem-path */
    bool mem_prealloc;
    CpuTopology smp;
    char *cpu_type;              /* -cpu model (with options after ',') */
    char *kernel_filename;
    char *initrd_filename;
    char *kernel_cmdline;
    char *dtb;
    char *firmware;              /* -bios */
    char *boot_order;            /* -boot order= */
    char *boot_once;
    bool boot_menu;
    bool boot_strict;            /* -boot strict=on: "HALT" ends bootorder */
    int64_t boot_splash_time;    /* -boot splash-time= (ms), 0 if not given */
    int64_t boot_reboot_timeout; /* -boot reboot-timeout= (ms), -1: never */
    char *accel;                 /* name of the accelerator in use */
    bool graphics;               /* off with -nographic */
    bool usb;
    bool dump_guest_core;
    bool mem_merge;
    MemoryRegion *ram;           /* main RAM, created by the machine init */
};

DECLARE_OBJ_CHECKERS(MachineState, MachineClass, MACHINE, TYPE_MACHINE)

/* The machine class for -machine NAME (type name or alias), or NULL. */
MachineClass *machine_class_find(const char *name);
MachineClass *machine_class_default(void);
/* "Supported machines are:" listing for -machine help. */
void machine_print_list(GString *out);

/* The current machine (set once by main). */
MachineState *current_machine_get(void);
void current_machine_set(MachineState *ms);

/* Create main RAM of ms->ram_size (honouring -mem-path) into ms->ram. */
bool machine_create_ram(MachineState *ms, Error **errp);

#endif
