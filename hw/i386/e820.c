/* E820 memory map: ranges added in any order, normalized for the guest. */
#include "hw/i386/e820.h"

void e820_add_entry(E820Table *t, uint64_t addr, uint64_t size, uint32_t type)
{
    if (!size) {
        return;
    }
    t->entries = g_renew(E820Entry, t->entries, t->count + 1);
    t->entries[t->count++] = (E820Entry){ .addr = addr, .size = size, .type = type };
}

void e820_free(E820Table *t)
{
    g_free(t->entries);
    t->entries = NULL;
    t->count = 0;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

E820Table e820_normalized(const E820Table *t)
{
    /* Split at every boundary; each piece takes the type of the last entry
     * covering it. Then merge neighbours of equal type. */
    E820Table out = { 0 };
    if (!t->count) {
        return out;
    }
    uint64_t *bounds = g_new(uint64_t, t->count * 2);
    for (unsigned i = 0; i < t->count; i++) {
        bounds[2 * i] = t->entries[i].addr;
        bounds[2 * i + 1] = t->entries[i].addr + t->entries[i].size;
    }
    qsort(bounds, t->count * 2, sizeof(uint64_t), u64_cmp);
    for (unsigned b = 0; b + 1 < t->count * 2; b++) {
        uint64_t start = bounds[b], end = bounds[b + 1];
        if (start == end) {
            continue;
        }
        uint32_t type = 0;
        for (unsigned i = 0; i < t->count; i++) {
            const E820Entry *e = &t->entries[i];
            if (e->addr <= start && e->addr + e->size >= end) {
                type = e->type;
            }
        }
        if (!type) {
            continue;
        }
        if (out.count && out.entries[out.count - 1].type == type &&
            out.entries[out.count - 1].addr + out.entries[out.count - 1].size == start) {
            out.entries[out.count - 1].size += end - start;
        } else {
            e820_add_entry(&out, start, end - start, type);
        }
    }
    g_free(bounds);
    return out;
}
