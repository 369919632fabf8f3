/*
 * fw_cfg: QEMU's firmware configuration device, so SeaBIOS, OVMF and Linux's
 * qemu_fw_cfg driver find emu's machine description where they expect it.
 * Guest interface as in QEMU's docs/specs/fw_cfg.rst: a 16-bit selector at
 * 0x510, an 8-bit data port at 0x511 and, with DMA, a 64-bit big-endian
 * address register at 0x514 that points the device at an FWCfgDmaAccess.
 *
 * Items are keyed by a 16-bit selector. Bit 15 (FW_CFG_ARCH_LOCAL) picks the
 * architecture-specific table; bit 14 (the old write channel) is ignored. Keys
 * from FW_CFG_FILE_FIRST on are named "files" listed in FW_CFG_FILE_DIR.
 *
 * Ownership: the _add_ and _modify_ functions copy what they are given, except
 * the _take variants, which adopt a g_malloc'ed buffer (freed by fw_cfg when
 * the item is replaced or the device goes away), and fw_cfg_add_file_callback,
 * whose buffer stays the caller's and must outlive the item.
 *
 * Adding an item that exists, or more files than the device has slots, is a bug
 * in emu and aborts; fw_cfg_try_add_file is the checked form for names that
 * come from the user. The fw_cfg_modify_* functions add what is missing, so a
 * loader that runs again (or on reset) can always use them.
 *
 * Direct kernel boot through firmware (SeaBIOS's linuxboot option ROM reads
 * these, as QEMU's x86_load_linux fills them): FW_CFG_SETUP_ADDR/SIZE/DATA (the
 * real-mode part), FW_CFG_KERNEL_ADDR/SIZE/DATA (protected-mode part),
 * FW_CFG_CMDLINE_ADDR/SIZE/DATA (NUL-terminated, SIZE counts the NUL),
 * FW_CFG_INITRD_ADDR/SIZE/DATA; addresses and sizes are LE32 (fw_cfg_*_i32).
 */
#ifndef HW_NVRAM_FW_CFG_H
#define HW_NVRAM_FW_CFG_H

#include "hw/core/qdev.h"
#include "system/memory.h"

#define TYPE_FW_CFG "fw_cfg"
#define TYPE_FW_CFG_IO "fw_cfg_io"
#define FW_CFG_PATH "/machine/fw_cfg"

/* Generic keys (QEMU's include/standard-headers/linux/qemu_fw_cfg.h). */
#define FW_CFG_SIGNATURE 0x00       /* "QEMU" */
#define FW_CFG_ID 0x01              /* LE32 feature bits, FW_CFG_VERSION* */
#define FW_CFG_UUID 0x02            /* 16 bytes */
#define FW_CFG_RAM_SIZE 0x03        /* LE64 */
#define FW_CFG_NOGRAPHIC 0x04       /* LE16 */
#define FW_CFG_NB_CPUS 0x05         /* LE16, CPUs present at start */
#define FW_CFG_MACHINE_ID 0x06
#define FW_CFG_KERNEL_ADDR 0x07     /* LE32 */
#define FW_CFG_KERNEL_SIZE 0x08     /* LE32 */
#define FW_CFG_KERNEL_CMDLINE 0x09  /* LE32, guest address of the command line */
#define FW_CFG_INITRD_ADDR 0x0a     /* LE32 */
#define FW_CFG_INITRD_SIZE 0x0b     /* LE32 */
#define FW_CFG_BOOT_DEVICE 0x0c     /* LE16 */
#define FW_CFG_NUMA 0x0d
#define FW_CFG_BOOT_MENU 0x0e       /* LE16 */
#define FW_CFG_MAX_CPUS 0x0f        /* LE16 */
#define FW_CFG_KERNEL_ENTRY 0x10    /* LE32 */
#define FW_CFG_KERNEL_DATA 0x11     /* blob */
#define FW_CFG_INITRD_DATA 0x12     /* blob */
#define FW_CFG_CMDLINE_ADDR 0x13    /* LE32 */
#define FW_CFG_CMDLINE_SIZE 0x14    /* LE32, including the NUL */
#define FW_CFG_CMDLINE_DATA 0x15    /* NUL-terminated string */
#define FW_CFG_SETUP_ADDR 0x16      /* LE32, real-mode part of a bzImage */
#define FW_CFG_SETUP_SIZE 0x17      /* LE32 */
#define FW_CFG_SETUP_DATA 0x18      /* blob */
#define FW_CFG_FILE_DIR 0x19        /* FWCfgFiles, big-endian */
#define FW_CFG_FILE_FIRST 0x20

#define FW_CFG_WRITE_CHANNEL 0x4000
#define FW_CFG_ARCH_LOCAL 0x8000
#define FW_CFG_ENTRY_MASK ((uint16_t)~(FW_CFG_WRITE_CHANNEL | FW_CFG_ARCH_LOCAL))
#define FW_CFG_INVALID 0xffff

/* x86 keys (QEMU's hw/i386/fw_cfg.h). */
#define FW_CFG_ACPI_TABLES (FW_CFG_ARCH_LOCAL + 0)     /* legacy -acpitable blob */
#define FW_CFG_SMBIOS_ENTRIES (FW_CFG_ARCH_LOCAL + 1)
#define FW_CFG_IRQ0_OVERRIDE (FW_CFG_ARCH_LOCAL + 2)   /* LE32, 1 = IRQ0 is GSI 2 */
#define FW_CFG_E820_TABLE (FW_CFG_ARCH_LOCAL + 3)      /* legacy reserved ranges */
#define FW_CFG_HPET (FW_CFG_ARCH_LOCAL + 4)

/* FW_CFG_ID bits. */
#define FW_CFG_VERSION 0x01
#define FW_CFG_VERSION_DMA 0x02

/* FWCfgDmaAccess.control bits (fw_cfg.rst, "Guest-side DMA Interface"). */
#define FW_CFG_DMA_CTL_ERROR 0x01
#define FW_CFG_DMA_CTL_READ 0x02
#define FW_CFG_DMA_CTL_SKIP 0x04
#define FW_CFG_DMA_CTL_SELECT 0x08
#define FW_CFG_DMA_CTL_WRITE 0x10

/* The DMA address register reads back as this ("QEMU CFG", big-endian). */
#define FW_CFG_DMA_SIGNATURE 0x51454d5520434647ULL

/* x86 port locations. */
#define FW_CFG_IO_BASE 0x510
#define FW_CFG_DMA_IO_BASE 0x514
#define FW_CFG_FILE_SLOTS_DEFAULT 0x20
#define FW_CFG_MAX_FILE_PATH 56

/* One FW_CFG_FILE_DIR entry; every field big-endian. */
typedef struct FWCfgFile {
    uint32_t size;
    uint16_t select;
    uint16_t reserved;
    char name[FW_CFG_MAX_FILE_PATH];
} __attribute__((packed)) FWCfgFile;

/* What the DMA address register points at; every field big-endian. */
typedef struct FWCfgDmaAccess {
    uint32_t control;
    uint32_t length;
    uint64_t address;
} __attribute__((packed)) FWCfgDmaAccess;

/* Called when the guest selects the item, before it reads: may refill it. */
typedef void (*FWCfgCallback)(void *opaque);
/* Called after the guest wrote [offset, offset + len) of a writable item. */
typedef void (*FWCfgWriteCallback)(void *opaque, uint32_t offset, uint32_t len);

typedef struct FWCfgEntry {
    uint32_t len;
    bool allow_write;
    bool owned;              /* data is fw_cfg's to free */
    uint8_t *data;
    void *callback_opaque;
    FWCfgCallback select_cb;
    FWCfgWriteCallback write_cb;
} FWCfgEntry;

typedef struct FWCfgState {
    DeviceState parent_obj;
    /* properties */
    uint16_t file_slots;
    bool dma_enabled;
    uint32_t iobase;
    uint32_t dma_iobase;
    /* items: [0] generic, [1] arch-local; FW_CFG_FILE_FIRST + file_slots each */
    FWCfgEntry *entries[2];
    char (*file_names)[FW_CFG_MAX_FILE_PATH];   /* by slot */
    uint16_t file_count;
    uint8_t *file_dir;       /* the FW_CFG_FILE_DIR blob */
    /* guest-visible state */
    uint16_t cur_entry;      /* FW_CFG_INVALID if the selector is out of range */
    uint32_t cur_offset;
    uint64_t dma_addr;
    MemoryRegion comb_io;    /* selector + data */
    MemoryRegion dma_io;
    uint64_t dma_errors;     /* DMA requests answered with the error bit */
} FWCfgState;

DECLARE_INSTANCE_CHECKER(FWCfgState, FW_CFG, TYPE_FW_CFG)

/*
 * Create the port-I/O fw_cfg at /machine/fw_cfg (selector @iobase, data
 * @iobase + 1, DMA at @dma_iobase unless it is 0) and realize it.
 */
FWCfgState *fw_cfg_init_io_dma(uint32_t iobase, uint32_t dma_iobase, Error **errp);
/* The machine's fw_cfg, or NULL if it has none. */
FWCfgState *fw_cfg_find(void);

void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data, size_t len);
void fw_cfg_add_bytes_take(FWCfgState *s, uint16_t key, void *data, size_t len);
/* The string with its terminating NUL. */
void fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *value);
/* Integers are stored little-endian. */
void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t value);
void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t value);
void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t value);

/* Replace an item's contents (adding it if missing). */
void fw_cfg_modify_bytes(FWCfgState *s, uint16_t key, const void *data, size_t len);
void fw_cfg_modify_string(FWCfgState *s, uint16_t key, const char *value);
void fw_cfg_modify_i16(FWCfgState *s, uint16_t key, uint16_t value);
void fw_cfg_modify_i32(FWCfgState *s, uint16_t key, uint32_t value);
void fw_cfg_modify_i64(FWCfgState *s, uint16_t key, uint64_t value);

/* Named files (e.g. "etc/e820"); each gets the next free key from 0x20. */
void fw_cfg_add_file(FWCfgState *s, const char *name, const void *data, size_t len);
void fw_cfg_add_file_take(FWCfgState *s, const char *name, void *data, size_t len);
/* Same as fw_cfg_add_file, but fails (duplicate, no slot, bad name) with @errp. */
bool fw_cfg_try_add_file(FWCfgState *s, const char *name, const void *data, size_t len,
                         Error **errp);
/*
 * A file whose contents the caller keeps at @data and may build lazily:
 * @select_cb runs each time the guest selects it (fill @data then; the size is
 * fixed). @read_only false lets the guest write it through DMA, reported by
 * @write_cb.
 */
void fw_cfg_add_file_callback(FWCfgState *s, const char *name, FWCfgCallback select_cb,
                              FWCfgWriteCallback write_cb, void *opaque, void *data,
                              size_t len, bool read_only);
/* Replace a file's contents (adding it if missing); the directory follows. */
void fw_cfg_modify_file(FWCfgState *s, const char *name, const void *data, size_t len);

/* The key of file @name, or -1. */
int fw_cfg_file_key(FWCfgState *s, const char *name);
/* An item's current contents (NULL and *len = 0 if absent). */
const void *fw_cfg_get_item(FWCfgState *s, uint16_t key, size_t *len);

/*
 * -fw_cfg [name=]opt/NAME,file=PATH|string=TEXT (hw/nvram/fw_cfg-user.c):
 * checked and read at parse time, added to the machine's fw_cfg by
 * fw_cfg_add_user_files (a file string has no NUL, as in QEMU).
 */
bool fw_cfg_user_file_add(const char *arg, Error **errp);
bool fw_cfg_add_user_files(FWCfgState *s, Error **errp);

#endif
