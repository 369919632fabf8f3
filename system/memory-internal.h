/* Shared between system/memory.c (tree, flat views) and system/physmem.c (RAM, access). */
#ifndef SYSTEM_MEMORY_INTERNAL_H
#define SYSTEM_MEMORY_INTERNAL_H

#include "system/memory.h"

struct RAMBlock {
    MemoryRegion *mr;
    uint8_t *host;
    uint64_t size;                 /* bytes the region may use */
    uint64_t mmap_size;            /* 0 if the memory is not ours to unmap */
    int fd;                        /* file backing, or -1 */
    uint64_t npages;
    unsigned long *dirty[DIRTY_MEMORY_NUM];
};

/* Clients every RAM write marks in addition to the region's own (migration). */
extern unsigned global_dirty_log_mask;
extern GList *address_spaces;

static inline hwaddr region_last(const MemoryRegion *mr)
{
    return mr->size == MEMORY_REGION_SIZE_FULL ? UINT64_MAX : mr->size - 1;
}

/* The machine's buses exist from their first use on, whoever touches them first. */
static inline void address_space_lazy_init(AddressSpace *as)
{
    if (G_UNLIKELY(!as->current_map) &&
        (as == &address_space_memory || as == &address_space_io)) {
        memory_init();
    }
}

/* Follow aliases down to the region holding the memory; @offset is updated. */
MemoryRegion *memory_region_resolve_alias(MemoryRegion *mr, hwaddr *offset);

RAMBlock *ram_block_add(MemoryRegion *mr, void *host, uint64_t size, uint64_t mmap_size,
                        int fd);
void ram_block_free(RAMBlock *block);
void ram_block_mark_dirty(RAMBlock *block, hwaddr offset, hwaddr len, unsigned mask);

#endif
