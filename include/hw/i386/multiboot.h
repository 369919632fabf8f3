/*
 * Multiboot (version 1, "Multiboot Specification version 0.6.96") kernels loaded
 * directly: the header is found in the first 8 KiB, the image loaded from its ELF32
 * program headers or the a.out kludge addresses, modules placed after it, and the
 * multiboot information structure built in guest RAM. The CPU starts in flat
 * 32-bit protected mode with EAX = 0x2BADB002 and EBX = the information structure.
 *
 * Works on byte buffers and a BootRam, so it is unit-tested without a machine.
 */
#ifndef HW_I386_MULTIBOOT_H
#define HW_I386_MULTIBOOT_H

#include "hw/i386/boot-ram.h"
#include "hw/i386/x86-boot.h"

#define MULTIBOOT_HEADER_MAGIC 0x1BADB002
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002
#define MULTIBOOT_SEARCH 8192          /* the header lies within the first 8 KiB */

/* Header flags (spec 3.1.2). Bits 0-15 are requirements. */
#define MULTIBOOT_PAGE_ALIGN (1u << 0)
#define MULTIBOOT_MEMORY_INFO (1u << 1)
#define MULTIBOOT_VIDEO_MODE (1u << 2)
#define MULTIBOOT_AOUT_KLUDGE (1u << 16)

/* Information structure flags (spec 3.3). */
#define MULTIBOOT_INFO_MEMORY (1u << 0)
#define MULTIBOOT_INFO_CMDLINE (1u << 2)
#define MULTIBOOT_INFO_MODS (1u << 3)
#define MULTIBOOT_INFO_MEM_MAP (1u << 6)
#define MULTIBOOT_INFO_BOOT_LOADER_NAME (1u << 9)

/* Offsets in the information structure. */
#define MBI_FLAGS 0
#define MBI_MEM_LOWER 4
#define MBI_MEM_UPPER 8
#define MBI_CMDLINE 16
#define MBI_MODS_COUNT 20
#define MBI_MODS_ADDR 24
#define MBI_MMAP_LENGTH 44
#define MBI_MMAP_ADDR 48
#define MBI_BOOT_LOADER_NAME 64
#define MBI_SIZE 88
#define MB_MOD_SIZE 16                 /* mod_start, mod_end, string, reserved */
#define MB_MMAP_ENTRY_SIZE 24          /* size field (20) + base, length, type */

#define MULTIBOOT_CODE_SEL 0x08        /* selectors in the GDT emu writes */
#define MULTIBOOT_DATA_SEL 0x10
#define MULTIBOOT_STACK_TOP 0x7000     /* the spec leaves ESP undefined */

typedef struct MultibootHeader {
    uint32_t offset;                   /* where the header is in the file */
    uint32_t flags;
    /* a.out kludge (flag bit 16) */
    uint32_t header_addr;
    uint32_t load_addr;
    uint32_t load_end_addr;
    uint32_t bss_end_addr;
    uint32_t entry_addr;
} MultibootHeader;

/*
 * Look for a valid header (magic, flags and checksum summing to 0) at a 4-byte
 * aligned offset in the first 8 KiB. 1: found; 0: none (not multiboot); -1: only
 * headers with a bad checksum, or a header too close to the end of the file
 * (@errp says which).
 */
int multiboot_find_header(const uint8_t *image, size_t size, MultibootHeader *mh,
                          Error **errp);

typedef struct MultibootModule {
    const uint8_t *data;
    size_t size;
    const char *cmdline;               /* "path args", as the module's string */
} MultibootModule;

typedef struct MultibootLayout {
    MultibootHeader header;
    bool elf;                          /* loaded from ELF32 program headers */
    uint64_t load_start, load_end;     /* the kernel image including bss */
    uint64_t entry;
    uint64_t info;                     /* the information structure */
    uint64_t mods[16];                 /* first modules' addresses, for logs/tests */
    unsigned nr_mods;
    uint32_t mem_lower, mem_upper;     /* KiB */
    unsigned mmap_entries;
} MultibootLayout;

/*
 * Load a multiboot @image with @cmdline (the full string the kernel sees, e.g.
 * "path args") and @nr_mods modules, fill @entry. @layout (may be NULL) says
 * where everything went.
 */
bool multiboot_load(BootRam *ram, const uint8_t *image, size_t size, const char *cmdline,
                    const MultibootModule *mods, unsigned nr_mods, X86BootEntry *entry,
                    MultibootLayout *layout, Error **errp);

#endif
