/* Guest RAM and memory map for the direct-boot loaders. */
#include "hw/i386/boot-ram.h"

typedef struct BootBlob {
    uint64_t addr;
    uint64_t len;
    void *data;        /* NULL: zeros */
} BootBlob;

static void boot_blob_free(gpointer p)
{
    BootBlob *b = p;
    g_free(b->data);
    g_free(b);
}

void boot_ram_init(BootRam *ram, AddressSpace *as, const E820Table *machine_e820,
                   bool record)
{
    E820Table t = { 0 };

    for (unsigned i = 0; i < machine_e820->count; i++) {
        const E820Entry *e = &machine_e820->entries[i];
        e820_add_entry(&t, e->addr, e->size, e->type);
    }
    /* The EBDA: a BIOS keeps the top KiB of conventional memory for itself and
     * Linux expects to find it reserved (boot.rst "Memory Layout"). Only where
     * the machine has RAM there. */
    E820Table norm = e820_normalized(&t);
    bool low_ram = false;
    for (unsigned i = 0; i < norm.count; i++) {
        if (norm.entries[i].type == E820_RAM && norm.entries[i].addr <= BOOT_EBDA_START &&
            norm.entries[i].addr + norm.entries[i].size >= BOOT_LOW_RAM_END) {
            low_ram = true;
        }
    }
    e820_free(&norm);
    if (low_ram) {
        e820_add_entry(&t, BOOT_EBDA_START, BOOT_LOW_RAM_END - BOOT_EBDA_START,
                       E820_RESERVED);
    }
    norm = e820_normalized(&t);
    e820_free(&t);

    /* Clip RAM out of the legacy hole; reserved ranges there stay. */
    memset(ram, 0, sizeof(*ram));
    for (unsigned i = 0; i < norm.count; i++) {
        const E820Entry *e = &norm.entries[i];
        uint64_t start = e->addr, end = e->addr + e->size;
        if (e->type != E820_RAM || end <= BOOT_LOW_RAM_END || start >= BOOT_HIGH_MEM) {
            e820_add_entry(&ram->e820, start, end - start, e->type);
            continue;
        }
        if (start < BOOT_LOW_RAM_END) {
            e820_add_entry(&ram->e820, start, BOOT_LOW_RAM_END - start, E820_RAM);
        }
        if (end > BOOT_HIGH_MEM) {
            e820_add_entry(&ram->e820, BOOT_HIGH_MEM, end - BOOT_HIGH_MEM, E820_RAM);
        }
    }
    e820_free(&norm);
    ram->as = as;
    if (record) {
        ram->blobs = g_ptr_array_new_with_free_func(boot_blob_free);
    }
}

void boot_ram_destroy(BootRam *ram)
{
    e820_free(&ram->e820);
    if (ram->blobs) {
        g_ptr_array_unref(ram->blobs);
        ram->blobs = NULL;
    }
}

uint64_t boot_ram_range_end(const BootRam *ram, uint64_t addr)
{
    for (unsigned i = 0; i < ram->e820.count; i++) {
        const E820Entry *e = &ram->e820.entries[i];
        if (e->type == E820_RAM && addr >= e->addr && addr - e->addr < e->size) {
            return e->addr + e->size;
        }
    }
    return 0;
}

bool boot_ram_is_ram(const BootRam *ram, uint64_t addr, uint64_t len)
{
    uint64_t end = boot_ram_range_end(ram, addr);
    return end && len <= end - addr;
}

bool boot_ram_find_top(const BootRam *ram, uint64_t len, uint64_t min, uint64_t max,
                       uint64_t align, uint64_t *addr)
{
    bool found = false;

    if (!len || len - 1 > max) {
        return false;
    }
    for (unsigned i = 0; i < ram->e820.count; i++) {
        const E820Entry *e = &ram->e820.entries[i];
        if (e->type != E820_RAM || e->size < len) {
            continue;
        }
        /* Highest candidate start in this range, then aligned down. */
        uint64_t last = MIN(e->addr + e->size - 1, max);
        if (last < e->addr || last - e->addr + 1 < len) {
            continue;
        }
        uint64_t a = (last - len + 1) & ~(align - 1);
        if (a < e->addr || a < min) {
            continue;
        }
        if (!found || a > *addr) {
            *addr = a;
            found = true;
        }
    }
    return found;
}

static void boot_ram_do_write(AddressSpace *as, uint64_t addr, const void *buf,
                              uint64_t len)
{
    static const uint8_t zeros[65536];
    if (buf) {
        address_space_write(as, addr, buf, len);
        return;
    }
    for (uint64_t done = 0; done < len; done += sizeof(zeros)) {
        address_space_write(as, addr + done, zeros, MIN(len - done, sizeof(zeros)));
    }
}

bool boot_ram_write(BootRam *ram, uint64_t addr, const void *buf, uint64_t len,
                    const char *what, Error **errp)
{
    if (!len) {
        return true;
    }
    if (!boot_ram_is_ram(ram, addr, len)) {
        error_setg(errp, "%s (%" PRIu64 " bytes at 0x%" PRIx64 ") does not fit in RAM",
                   what, len, addr);
        return false;
    }
    boot_ram_do_write(ram->as, addr, buf, len);
    if (ram->blobs) {
        BootBlob *b = g_new0(BootBlob, 1);
        b->addr = addr;
        b->len = len;
        if (buf) {
            b->data = g_malloc(len);
            memcpy(b->data, buf, len);
        }
        g_ptr_array_add(ram->blobs, b);
    }
    return true;
}

void boot_ram_replay(BootRam *ram)
{
    for (guint i = 0; ram->blobs && i < ram->blobs->len; i++) {
        BootBlob *b = g_ptr_array_index(ram->blobs, i);
        boot_ram_do_write(ram->as, b->addr, b->data, b->len);
    }
}
