/* The BIOS-style memory map the guest sees (boot_params, multiboot, fw_cfg etc/e820). */
#ifndef HW_I386_E820_H
#define HW_I386_E820_H

#include "util/osdep.h"

#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3
#define E820_NVS 4
#define E820_UNUSABLE 5

typedef struct E820Entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed)) E820Entry;

typedef struct E820Table {
    E820Entry *entries;
    unsigned count;
} E820Table;

/* Add a range; later additions win where they overlap (reserved carves RAM). */
void e820_add_entry(E820Table *t, uint64_t addr, uint64_t size, uint32_t type);
/* Sorted, merged, non-overlapping copy (caller frees ->entries). */
E820Table e820_normalized(const E820Table *t);
void e820_free(E820Table *t);

#endif
