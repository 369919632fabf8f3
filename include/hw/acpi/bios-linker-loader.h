/*
 * The "etc/table-loader" script of QEMU's fw_cfg ACPI interface: commands
 * with which firmware (SeaBIOS, OVMF) places fw_cfg blobs in guest memory,
 * patches pointers between them and fixes checksums. Every command is 128
 * bytes, little-endian:
 *
 *   u32 command;  ALLOCATE(1):     char file[56]; u32 align; u8 zone (1 high, 2 FSEG)
 *                 ADD_POINTER(2):  char dest[56]; char src[56]; u32 offset; u8 size
 *                 ADD_CHECKSUM(3): char file[56]; u32 offset; u32 start; u32 length
 *
 * ADD_POINTER adds the address where src was placed to the size-byte value at
 * dest+offset (which holds an offset into src). ADD_CHECKSUM subtracts the
 * byte sum of [start, start+length) from the byte at offset.
 *
 * bios_linker_loader_run() plays the firmware's part for direct kernel boot,
 * where emu itself has to put the tables in guest RAM.
 */
#ifndef HW_ACPI_BIOS_LINKER_LOADER_H
#define HW_ACPI_BIOS_LINKER_LOADER_H

#include "util/osdep.h"
#include "util/error.h"
#include "system/memory.h"

#define BIOS_LINKER_LOADER_FILESZ 56
#define BIOS_LINKER_LOADER_ENTRY_SIZE 128

#define BIOS_LINKER_LOADER_COMMAND_ALLOCATE 0x1
#define BIOS_LINKER_LOADER_COMMAND_ADD_POINTER 0x2
#define BIOS_LINKER_LOADER_COMMAND_ADD_CHECKSUM 0x3

#define BIOS_LINKER_LOADER_ALLOC_ZONE_HIGH 0x1
#define BIOS_LINKER_LOADER_ALLOC_ZONE_FSEG 0x2

typedef struct BIOSLinkerFile {
    char *name;
    GByteArray *blob;      /* the caller's; must outlive the linker */
} BIOSLinkerFile;

typedef struct BIOSLinker {
    GByteArray *cmd_blob;  /* the etc/table-loader contents */
    GArray *files;         /* BIOSLinkerFile */
} BIOSLinker;

BIOSLinker *bios_linker_loader_init(void);
void bios_linker_loader_cleanup(BIOSLinker *linker);

/* Place @blob (known to the guest as fw_cfg file @file) @align-aligned. */
void bios_linker_loader_alloc(BIOSLinker *linker, const char *file, GByteArray *blob,
                              uint32_t align, bool fseg);
/* Sum of [start, start + size) of @file is fixed through the byte at @checksum_offset. */
void bios_linker_loader_add_checksum(BIOSLinker *linker, const char *file,
                                     uint32_t start, uint32_t size,
                                     uint32_t checksum_offset);
/*
 * The @dest_size-byte field at @dest_offset of @dest_file points to
 * @src_offset in @src_file: the offset is stored now, the base added on load.
 */
void bios_linker_loader_add_pointer(BIOSLinker *linker, const char *dest_file,
                                    uint32_t dest_offset, uint8_t dest_size,
                                    const char *src_file, uint32_t src_offset);

/* Where a file went in the last bios_linker_loader_run. */
typedef struct BIOSLinkerPlacement {
    char name[BIOS_LINKER_LOADER_FILESZ];
    uint64_t addr;
    uint32_t size;
} BIOSLinkerPlacement;

/*
 * Execute the script in @linker->cmd_blob as firmware would, with the blobs
 * of @linker: high-zone files from @high_base (at most @high_size bytes),
 * FSEG files from @fseg_base (@fseg_size), then write them into @as.
 * Fills @placed (one per ALLOCATE, @max_placed at most) and *@fseg_end (first
 * free FSEG byte). Fails on a malformed script or when the zones are full.
 */
bool bios_linker_loader_run(AddressSpace *as, const BIOSLinker *linker, uint64_t high_base,
                            uint64_t high_size, uint64_t fseg_base, uint64_t fseg_size,
                            BIOSLinkerPlacement *placed, unsigned max_placed,
                            unsigned *num_placed, uint64_t *fseg_end, Error **errp);

#endif
