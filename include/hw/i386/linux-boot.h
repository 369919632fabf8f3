/*
 * Direct boot of a Linux bzImage through the 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"): the setup header is
 * checked, the protected-mode kernel, zero page (struct boot_params), command
 * line and initrd are written to guest RAM, with identity-mapped page tables and
 * a GDT, and the CPU starts in long mode at the kernel's 64-bit entry point.
 *
 * Works on byte buffers and a BootRam, so it is unit-tested without a machine.
 */
#ifndef HW_I386_LINUX_BOOT_H
#define HW_I386_LINUX_BOOT_H

#include "hw/i386/boot-ram.h"
#include "hw/i386/x86-boot.h"

/* Setup header fields, as offsets in the image file and in boot_params. */
#define LINUX_SETUP_SECTS 0x1f1
#define LINUX_SYSSIZE 0x1f4
#define LINUX_VID_MODE 0x1fa
#define LINUX_BOOT_FLAG 0x1fe
#define LINUX_JUMP 0x200
#define LINUX_HEADER 0x202
#define LINUX_VERSION 0x206
#define LINUX_KERNEL_VERSION 0x20e
#define LINUX_TYPE_OF_LOADER 0x210
#define LINUX_LOADFLAGS 0x211
#define LINUX_CODE32_START 0x214
#define LINUX_RAMDISK_IMAGE 0x218
#define LINUX_RAMDISK_SIZE 0x21c
#define LINUX_HEAP_END_PTR 0x224
#define LINUX_CMD_LINE_PTR 0x228
#define LINUX_INITRD_ADDR_MAX 0x22c
#define LINUX_KERNEL_ALIGNMENT 0x230
#define LINUX_RELOCATABLE 0x234
#define LINUX_XLOADFLAGS 0x236
#define LINUX_CMDLINE_SIZE 0x238
#define LINUX_SETUP_DATA 0x250
#define LINUX_PREF_ADDRESS 0x258
#define LINUX_INIT_SIZE 0x260
#define LINUX_HDR_MAX_END 0x290     /* the setup header's hole in boot_params */

#define LINUX_HDRS_MAGIC 0x53726448 /* "HdrS" */
#define LINUX_MIN_VERSION 0x0206    /* cmdline_size; older kernels are refused */

#define LINUX_LOADED_HIGH 0x01      /* loadflags: bzImage */
#define LINUX_CAN_USE_HEAP 0x80
#define LINUX_XLF_KERNEL_64 0x01    /* xloadflags: 64-bit entry at load + 0x200 */
#define LINUX_XLF_CAN_BE_LOADED_ABOVE_4G 0x02

/* struct boot_params (Documentation/arch/x86/zero-page.rst). */
#define BP_SIZE 4096
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_SENTINEL 0x1ef
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128

/*
 * Where emu puts things, all below the EBDA and above the real-mode IVT/BDA.
 * The stack grows down from the zero page; the page tables map the first 4 GiB
 * with 2 MiB pages (PML4 -> one PDPT -> four page directories).
 */
#define LINUX_STACK_TOP 0x7000
#define LINUX_ZERO_PAGE 0x7000
#define LINUX_GDT 0x8000
#define LINUX_PML4 0x9000
#define LINUX_PDPT 0xa000
#define LINUX_PD 0xb000
#define LINUX_CMDLINE 0x20000
#define LINUX_DEFAULT_LOAD 0x100000  /* bzImage's protected-mode kernel */
#define LINUX_ENTRY_64 0x200         /* startup_64, from the load address */
#define LINUX_BOOT_CS 0x10           /* __BOOT_CS */
#define LINUX_BOOT_DS 0x18           /* __BOOT_DS */

typedef struct LinuxSetupHeader {
    uint16_t version;           /* 0x020f for 2.15 */
    unsigned setup_sects;       /* 0 in the file reads as 4 */
    size_t setup_size;          /* boot sector + setup code: (setup_sects + 1) * 512 */
    size_t kernel_size;         /* the protected-mode kernel: rest of the file */
    size_t header_end;          /* 0x202 + the jump's offset byte, capped at 0x290 */
    uint8_t loadflags;
    uint16_t xloadflags;
    uint32_t kernel_alignment;
    bool relocatable;
    uint64_t pref_address;
    uint32_t init_size;
    uint32_t cmdline_size;
    uint32_t initrd_addr_max;
    char kernel_version[128];   /* "6.1.0-18-amd64 (...)" or "" */
} LinuxSetupHeader;

/* Whether the image carries the "HdrS" signature of a Linux kernel. */
bool linux_is_kernel(const uint8_t *image, size_t size);

/*
 * Read and check the setup header: emu boots bzImages of protocol 2.06 or later
 * with a 64-bit entry point (XLF_KERNEL_64), and refuses truncated files.
 */
bool linux_parse_header(const uint8_t *image, size_t size, LinuxSetupHeader *hdr,
                        Error **errp);

typedef struct LinuxBootLayout {
    LinuxSetupHeader hdr;
    uint64_t kernel_addr;       /* where the protected-mode kernel was copied */
    uint64_t kernel_end;        /* end of what it needs while decompressing */
    uint64_t entry;             /* startup_64 */
    uint64_t zero_page;
    uint64_t cmdline;
    uint64_t initrd;            /* 0 without an initrd */
    uint64_t initrd_size;
    unsigned e820_entries;
} LinuxBootLayout;

/*
 * Load @image (the whole bzImage file) into @ram with @cmdline (NULL: "") and an
 * optional initrd, and fill @entry for the CPU. @layout (may be NULL) says
 * where everything went.
 */
bool linux_load(BootRam *ram, const uint8_t *image, size_t size, const char *cmdline,
                const uint8_t *initrd, size_t initrd_size, X86BootEntry *entry,
                LinuxBootLayout *layout, Error **errp);

#endif
