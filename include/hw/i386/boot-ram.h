/*
 * Guest RAM as the direct-boot loaders (Linux, multiboot) see it: an address
 * space to write into plus the memory map handed to the guest. The loaders only
 * talk to this, so unit tests can run them on a bare RAM region without a machine.
 *
 * Every write can be recorded so that a machine reset puts the same bytes back
 * (a running kernel overwrites its own compressed image and the zero page).
 */
#ifndef HW_I386_BOOT_RAM_H
#define HW_I386_BOOT_RAM_H

#include "util/osdep.h"
#include "util/error.h"
#include "system/memory.h"
#include "hw/i386/e820.h"

/* The PC's legacy areas below 1 MiB (a BIOS reports these as not usable RAM). */
#define BOOT_EBDA_START 0x9fc00ULL       /* 1 KiB extended BIOS data area */
#define BOOT_LOW_RAM_END 0xa0000ULL      /* end of conventional memory */
#define BOOT_HIGH_MEM 0x100000ULL        /* 1 MiB */
#define BOOT_4G 0x100000000ULL

typedef struct BootRam {
    AddressSpace *as;      /* guest-physical memory */
    E820Table e820;        /* the map the guest is told about (sorted, merged) */
    GPtrArray *blobs;      /* recorded writes (BootBlob), or NULL */
} BootRam;

/*
 * Build the guest's map from the machine's: normalized, with the EBDA reserved
 * and RAM taken out of [0xa0000, 0x100000) (VGA window and ROMs, as a BIOS
 * reports it). @record keeps every later write for boot_ram_replay.
 */
void boot_ram_init(BootRam *ram, AddressSpace *as, const E820Table *machine_e820,
                   bool record);
void boot_ram_destroy(BootRam *ram);

/* Whether [addr, addr + len) lies inside one E820_RAM range. */
bool boot_ram_is_ram(const BootRam *ram, uint64_t addr, uint64_t len);
/* End of the E820_RAM range that contains @addr, or 0 if none does. */
uint64_t boot_ram_range_end(const BootRam *ram, uint64_t addr);
/*
 * The highest address A, a multiple of @align, with [A, A + len) in RAM,
 * A >= @min and A + len - 1 <= @max. False if there is none.
 */
bool boot_ram_find_top(const BootRam *ram, uint64_t len, uint64_t min, uint64_t max,
                       uint64_t align, uint64_t *addr);

/*
 * Copy @len bytes to guest RAM at @addr (NULL @buf: zeros). The range must be
 * RAM; otherwise the error says "@what (N bytes at 0x...) does not fit in RAM".
 */
bool boot_ram_write(BootRam *ram, uint64_t addr, const void *buf, uint64_t len,
                    const char *what, Error **errp);
/* Write the recorded blobs again (a machine reset). */
void boot_ram_replay(BootRam *ram);

#endif
