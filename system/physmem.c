/*
 * RAM blocks (anonymous, file-backed, caller-provided), their dirty bitmaps,
 * and guest-physical accesses through address spaces.
 */
#include "system/memory.h"
#include "util/log.h"
#include "util/rcu.h"
#include "memory-internal.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#define HUGETLBFS_MAGIC 0x958458f6
#define BITS_PER_LONG (sizeof(unsigned long) * 8)

unsigned global_dirty_log_mask;

/* Every RAM block, for turning a host pointer back into its region (unmap). */
static GList *ram_blocks;
static GMutex ram_blocks_lock;

AddressSpace address_space_memory;
AddressSpace address_space_io;
static MemoryRegion system_memory;
static MemoryRegion system_io;

/* ---- dirty bitmaps ---- */

typedef enum { BITS_SET, BITS_CLEAR, BITS_TEST } BitsOp;

/*
 * Apply @op to bits [start, start + n) with atomics: vCPU threads set bits
 * while a display or migration thread clears them. Returns whether any bit was
 * set before the operation.
 */
static bool bitmap_range_op(unsigned long *map, uint64_t start, uint64_t n, BitsOp op)
{
    bool any = false;
    uint64_t bit = start, end = start + n;
    while (bit < end) {
        uint64_t w = bit / BITS_PER_LONG;
        unsigned s = bit % BITS_PER_LONG;
        uint64_t cnt = MIN(BITS_PER_LONG - s, end - bit);
        unsigned long mask = cnt == BITS_PER_LONG ? ~0UL : ((1UL << cnt) - 1) << s;
        unsigned long old = __atomic_load_n(&map[w], __ATOMIC_RELAXED);
        switch (op) {
        case BITS_SET:
            if ((old & mask) != mask) {
                old = __atomic_fetch_or(&map[w], mask, __ATOMIC_RELAXED);
            }
            break;
        case BITS_CLEAR:
            if (old & mask) {
                old = __atomic_fetch_and(&map[w], ~mask, __ATOMIC_RELAXED);
            }
            break;
        case BITS_TEST:
            break;
        }
        any |= (old & mask) != 0;
        bit += cnt;
    }
    return any;
}

/* Pages of @block touched by [offset, offset + len), clipped to the block. */
static bool block_page_range(RAMBlock *block, hwaddr offset, hwaddr len,
                             uint64_t *first, uint64_t *count)
{
    if (!block || len == 0 || offset >= block->size) {
        return false;
    }
    len = MIN(len, block->size - offset);
    *first = offset >> TARGET_PAGE_BITS;
    *count = ((offset + len - 1) >> TARGET_PAGE_BITS) - *first + 1;
    return true;
}

void ram_block_mark_dirty(RAMBlock *block, hwaddr offset, hwaddr len, unsigned mask)
{
    uint64_t first, count;
    if (!mask || !block_page_range(block, offset, len, &first, &count)) {
        return;
    }
    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
        if (mask & (1u << c)) {
            bitmap_range_op(block->dirty[c], first, count, BITS_SET);
        }
    }
}

static RAMBlock *dirty_block(MemoryRegion *mr, hwaddr *addr)
{
    mr = memory_region_resolve_alias(mr, addr);
    return mr->ram_block;
}

bool memory_region_get_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size, unsigned client)
{
    uint64_t first, count;
    g_assert(client < DIRTY_MEMORY_NUM);
    RAMBlock *block = dirty_block(mr, &addr);
    if (!block_page_range(block, addr, size, &first, &count)) {
        return false;
    }
    return bitmap_range_op(block->dirty[client], first, count, BITS_TEST);
}

void memory_region_set_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size)
{
    RAMBlock *block = dirty_block(mr, &addr);
    ram_block_mark_dirty(block, addr, size, DIRTY_CLIENTS_ALL);
}

static MemoryDirtyResetFn *dirty_reset_hook;

void memory_set_dirty_reset_hook(MemoryDirtyResetFn *fn)
{
    __atomic_store_n(&dirty_reset_hook, fn, __ATOMIC_RELEASE);
}

static void dirty_reset_notify(void)
{
    MemoryDirtyResetFn *fn = __atomic_load_n(&dirty_reset_hook, __ATOMIC_ACQUIRE);
    if (fn) {
        fn();
    }
}

bool memory_region_test_and_clear_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
                                        unsigned client)
{
    uint64_t first, count;
    g_assert(client < DIRTY_MEMORY_NUM);
    RAMBlock *block = dirty_block(mr, &addr);
    if (!block_page_range(block, addr, size, &first, &count)) {
        return false;
    }
    bool was = bitmap_range_op(block->dirty[client], first, count, BITS_CLEAR);
    if (was) {
        dirty_reset_notify();
    }
    return was;
}

void memory_region_reset_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size, unsigned client)
{
    memory_region_test_and_clear_dirty(mr, addr, size, client);
}

struct DirtyBitmapSnapshot {
    RAMBlock *block;
    uint64_t first;                /* first page covered */
    uint64_t count;
    unsigned long bits[];          /* bit i = page first + i */
};

DirtyBitmapSnapshot *memory_region_snapshot_and_clear_dirty(MemoryRegion *mr, hwaddr addr,
                                                           hwaddr size, unsigned client)
{
    uint64_t first = 0, count = 0;
    g_assert(client < DIRTY_MEMORY_NUM);
    RAMBlock *block = dirty_block(mr, &addr);
    block_page_range(block, addr, size, &first, &count);
    uint64_t words = (count + BITS_PER_LONG - 1) / BITS_PER_LONG;
    DirtyBitmapSnapshot *snap = g_malloc0(sizeof(*snap) + words * sizeof(unsigned long));
    snap->block = block;
    snap->first = first;
    snap->count = count;
    bool any = false;
    for (uint64_t i = 0; i < count; i++) {
        if (bitmap_range_op(block->dirty[client], first + i, 1, BITS_CLEAR)) {
            snap->bits[i / BITS_PER_LONG] |= 1UL << (i % BITS_PER_LONG);
            any = true;
        }
    }
    if (any) {
        dirty_reset_notify();
    }
    return snap;
}

bool memory_region_snapshot_get_dirty(MemoryRegion *mr, DirtyBitmapSnapshot *snap,
                                      hwaddr addr, hwaddr size)
{
    uint64_t first, count;
    RAMBlock *block = dirty_block(mr, &addr);
    if (block != snap->block || !block_page_range(block, addr, size, &first, &count)) {
        return false;
    }
    for (uint64_t p = first; p < first + count; p++) {
        if (p < snap->first || p >= snap->first + snap->count) {
            continue;
        }
        uint64_t i = p - snap->first;
        if (snap->bits[i / BITS_PER_LONG] & (1UL << (i % BITS_PER_LONG))) {
            return true;
        }
    }
    return false;
}

void memory_region_snapshot_free(DirtyBitmapSnapshot *snap)
{
    g_free(snap);
}

/* ---- RAM blocks ---- */

RAMBlock *ram_block_add(MemoryRegion *mr, void *host, uint64_t size, uint64_t mmap_size,
                        int fd)
{
    RAMBlock *block = g_new0(RAMBlock, 1);
    block->mr = mr;
    block->host = host;
    block->size = size;
    block->mmap_size = mmap_size;
    block->fd = fd;
    block->npages = (size + TARGET_PAGE_SIZE - 1) >> TARGET_PAGE_BITS;
    uint64_t words = (block->npages + BITS_PER_LONG - 1) / BITS_PER_LONG;
    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
        block->dirty[c] = g_new0(unsigned long, words ? words : 1);
    }
    /* Nobody has seen the contents yet: display and migration must take it all. */
    ram_block_mark_dirty(block, 0, size, DIRTY_CLIENTS_ALL);

    g_mutex_lock(&ram_blocks_lock);
    ram_blocks = g_list_prepend(ram_blocks, block);
    g_mutex_unlock(&ram_blocks_lock);
    return block;
}

void ram_block_free(RAMBlock *block)
{
    g_mutex_lock(&ram_blocks_lock);
    ram_blocks = g_list_remove(ram_blocks, block);
    g_mutex_unlock(&ram_blocks_lock);
    if (block->mmap_size) {
        munmap(block->host, block->mmap_size);
    }
    if (block->fd >= 0) {
        close(block->fd);
    }
    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
        g_free(block->dirty[c]);
    }
    g_free(block);
}

static RAMBlock *ram_block_from_host(const void *ptr, hwaddr *offset)
{
    RAMBlock *found = NULL;
    const uint8_t *p = ptr;
    g_mutex_lock(&ram_blocks_lock);
    for (GList *l = ram_blocks; l; l = l->next) {
        RAMBlock *b = l->data;
        if (b->host && p >= b->host && (uint64_t)(p - b->host) < b->size) {
            found = b;
            *offset = p - b->host;
            break;
        }
    }
    g_mutex_unlock(&ram_blocks_lock);
    return found;
}

static bool check_ram_size(const char *name, uint64_t size, Error **errp)
{
    if (size == 0 || size == MEMORY_REGION_SIZE_FULL || size > SIZE_MAX) {
        error_setg(errp, "cannot allocate RAM '%s' of %" PRIu64 " bytes: "
                   "size must be nonzero and fit in this host's address space",
                   name, size);
        return false;
    }
    return true;
}

static bool init_ram_anon(MemoryRegion *mr, Object *owner, const char *name,
                          uint64_t size, Error **errp)
{
    if (!check_ram_size(name, size, errp)) {
        return false;
    }
    /* Untouched guest RAM costs nothing until used; like a real machine, -m is a ceiling. */
    void *host = mmap(NULL, size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (host == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot allocate %" PRIu64 " bytes of RAM for '%s'",
                         size, name);
        return false;
    }
#ifdef MADV_HUGEPAGE
    madvise(host, size, MADV_HUGEPAGE);
#endif
    memory_region_init(mr, owner, name, size);
    mr->ram = true;
    mr->terminates = true;
    mr->ram_block = ram_block_add(mr, host, size, size, -1);
    return true;
}

bool memory_region_init_ram(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp)
{
    return init_ram_anon(mr, owner, name, size, errp);
}

bool memory_region_init_rom(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp)
{
    if (!init_ram_anon(mr, owner, name, size, errp)) {
        return false;
    }
    mr->rom = true;
    mr->readonly = true;
    return true;
}

static int open_backing_file(const char *name, const char *path, Error **errp)
{
    struct stat st;
    int fd;

    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        /* A directory (typically a hugetlbfs mount): a private file nobody else sees. */
        char *safe = g_strdup(name);
        g_strdelimit(safe, "/", '_');
        char *tmpl = g_strdup_printf("%s/emu_back_mem.%s.XXXXXX", path, safe);
        fd = mkstemp(tmpl);
        if (fd < 0) {
            error_setg_errno(errp, errno, "cannot create a backing file for RAM '%s' in "
                             "directory '%s'", name, path);
        } else {
            unlink(tmpl);
        }
        g_free(tmpl);
        g_free(safe);
        return fd;
    }
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot open backing file '%s' for RAM '%s'",
                         path, name);
    }
    return fd;
}

bool memory_region_init_ram_from_file(MemoryRegion *mr, Object *owner, const char *name,
                                      uint64_t size, const char *path, bool share,
                                      Error **errp)
{
    struct statfs fs;
    struct stat st;

    if (!check_ram_size(name, size, errp)) {
        return false;
    }
    int fd = open_backing_file(name, path, errp);
    if (fd < 0) {
        return false;
    }
    uint64_t map_size = size;
    /* hugetlbfs only maps whole huge pages. */
    if (fstatfs(fd, &fs) == 0 && fs.f_type == HUGETLBFS_MAGIC && fs.f_bsize > 0) {
        uint64_t ps = fs.f_bsize;
        map_size = (size + ps - 1) / ps * ps;
    }
    if (fstat(fd, &st) < 0) {
        error_setg_errno(errp, errno, "cannot stat backing file '%s'", path);
        goto fail;
    }
    if ((uint64_t)st.st_size < map_size && ftruncate(fd, map_size) < 0) {
        error_setg_errno(errp, errno, "cannot grow backing file '%s' to %" PRIu64
                         " bytes for RAM '%s'", path, map_size, name);
        goto fail;
    }
    void *host = mmap(NULL, map_size, PROT_READ | PROT_WRITE,
                      share ? MAP_SHARED : MAP_PRIVATE, fd, 0);
    if (host == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot map %" PRIu64 " bytes of '%s' for RAM '%s'",
                         map_size, path, name);
        goto fail;
    }
    memory_region_init(mr, owner, name, size);
    mr->ram = true;
    mr->terminates = true;
    mr->ram_block = ram_block_add(mr, host, size, map_size, fd);
    return true;

fail:
    close(fd);
    return false;
}

/* ---- accesses ---- */

static MemoryCodeWriteFn *code_write_hook;

void memory_set_code_write_hook(MemoryCodeWriteFn *fn)
{
    code_write_hook = fn;
}

/* The guest-physical addresses (in the memory bus) where [offset, +len) of @mr is
 * mapped get the code-write hook: DMA through address_space_map. */
static void code_write_notify_region(MemoryRegion *mr, hwaddr offset, hwaddr len)
{
    if (!code_write_hook || !len) {
        return;
    }
    rcu_read_lock();
    FlatView *fv = address_space_to_flatview(&address_space_memory);
    for (unsigned i = 0; i < fv->nr; i++) {
        const FlatRange *fr = &fv->ranges[i];
        if (fr->mr != mr || offset + len <= fr->offset_in_region ||
            offset > fr->offset_in_region + (fr->last - fr->start)) {
            continue;
        }
        hwaddr lo = MAX(offset, fr->offset_in_region);
        hwaddr hi = MIN(offset + len - 1, fr->offset_in_region + (fr->last - fr->start));
        code_write_hook(fr->start + (lo - fr->offset_in_region), hi - lo + 1);
    }
    rcu_read_unlock();
}

static unsigned ram_write_dirty_mask(const MemoryRegion *mr)
{
    return mr->dirty_log_mask | __atomic_load_n(&global_dirty_log_mask, __ATOMIC_RELAXED);
}

/* Bytes from @addr to the end of @fr, capped at @len. */
static hwaddr range_avail(const FlatRange *fr, hwaddr addr, hwaddr len)
{
    hwaddr left = fr->last - addr;     /* bytes after @addr */
    return len - 1 > left ? left + 1 : len;
}

static hwaddr hole_len(const FlatView *fv, hwaddr addr, hwaddr len)
{
    /* The hole ends where the first range starting after @addr begins. */
    unsigned lo = 0, hi = fv->nr;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (fv->ranges[mid].start <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo < fv->nr && fv->ranges[lo].start - addr < len) {
        return fv->ranges[lo].start - addr;
    }
    return len;
}

static MemTxResult io_rw(MemoryRegion *mr, hwaddr off, uint8_t *buf, hwaddr len,
                         bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned vmax = ops->valid.max_access_size ? ops->valid.max_access_size : 4;
    MemTxResult res = MEMTX_OK;

    while (len) {
        /* The widest access the device accepts, aligned unless it takes unaligned ones. */
        hwaddr n = MIN(len, (hwaddr)MIN(vmax, 8u));
        if (!ops->valid.unaligned && (off & -off) && (off & -off) < n) {
            n = off & -off;
        }
        while (n & (n - 1)) {
            n &= n - 1;
        }
        uint64_t v = 0;
        if (is_write) {
            for (unsigned i = 0; i < n; i++) {
                v |= (uint64_t)buf[i] << (8 * i);
            }
            res |= memory_region_dispatch_write(mr, off, v, n);
        } else {
            res |= memory_region_dispatch_read(mr, off, &v, n);
            for (unsigned i = 0; i < n; i++) {
                buf[i] = v >> (8 * i);
            }
        }
        off += n;
        buf += n;
        len -= n;
    }
    return res;
}

static MemTxResult flatview_rw(AddressSpace *as, FlatView *fv, hwaddr addr, uint8_t *buf,
                               hwaddr len, bool is_write, bool rom_write)
{
    MemTxResult res = MEMTX_OK;

    while (len) {
        const FlatRange *fr = flatview_lookup(fv, addr);
        hwaddr l;
        if (!fr) {
            l = hole_len(fv, addr, len);
            emu_log_mask(LOG_UNIMP, "%s: unassigned %s of %" PRIu64 " bytes at 0x%016"
                         PRIx64 "\n", as->name, is_write ? "write" : "read", l, addr);
            if (!is_write) {
                memset(buf, 0xff, l);
            }
            if (!rom_write) {
                res |= MEMTX_DECODE_ERROR;
            }
        } else {
            l = range_avail(fr, addr, len);
            hwaddr off = fr->offset_in_region + (addr - fr->start);
            MemoryRegion *mr = fr->mr;
            if (fr->ram) {
                uint8_t *host = mr->ram_block->host + off;
                if (!is_write) {
                    memcpy(buf, host, l);
                } else if (fr->readonly && !rom_write) {
                    emu_log_mask(LOG_GUEST_ERROR, "%s: write of %" PRIu64 " bytes to "
                                 "read-only '%s' at 0x%016" PRIx64 " ignored\n",
                                 as->name, l, mr->name, addr);
                } else {
                    memcpy(host, buf, l);
                    ram_block_mark_dirty(mr->ram_block, off, l,
                                         rom_write ? DIRTY_CLIENTS_ALL
                                                   : ram_write_dirty_mask(mr));
                    if (code_write_hook) {
                        code_write_hook(addr, l);
                    }
                }
            } else if (!rom_write) {
                res |= io_rw(mr, off, buf, l, is_write);
            }
        }
        if (l == len) {
            break;
        }
        len -= l;
        buf += l;
        addr += l;
    }
    return res;
}

static MemTxResult as_rw(AddressSpace *as, hwaddr addr, uint8_t *buf, hwaddr len,
                         bool is_write, bool rom_write)
{
    address_space_lazy_init(as);
    /*
     * A device callback may remap memory mid-access: the section keeps this
     * view (and the owners it references) alive until the access is over.
     */
    rcu_read_lock();
    FlatView *fv = address_space_to_flatview(as);
    MemTxResult res = flatview_rw(as, fv, addr, buf, len, is_write, rom_write);
    rcu_read_unlock();
    return res;
}

MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, void *buf, hwaddr len,
                             bool is_write)
{
    return as_rw(as, addr, buf, len, is_write, false);
}

MemTxResult address_space_read(AddressSpace *as, hwaddr addr, void *buf, hwaddr len)
{
    return as_rw(as, addr, buf, len, false, false);
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr, const void *buf,
                                hwaddr len)
{
    return as_rw(as, addr, (uint8_t *)buf, len, true, false);
}

MemTxResult address_space_write_rom(AddressSpace *as, hwaddr addr, const void *buf,
                                    hwaddr len)
{
    return as_rw(as, addr, (uint8_t *)buf, len, true, true);
}

static uint64_t ld_le(AddressSpace *as, hwaddr addr, unsigned size, MemTxResult *res)
{
    /*
     * Fast path for the page walker's PTE reads: all of it in one RAM range.
     * Same result as the general path below (RAM reads have no side effects).
     */
    address_space_lazy_init(as);
    rcu_read_lock();
    const FlatRange *fr = flatview_lookup(address_space_to_flatview(as), addr);
    if (fr && fr->ram && fr->last - addr >= size - 1) {
        uint64_t v = 0;
        memcpy(&v, fr->mr->ram_block->host + fr->offset_in_region + (addr - fr->start),
               size);              /* little-endian host */
        rcu_read_unlock();
        if (res) {
            *res = MEMTX_OK;
        }
        return v;
    }
    rcu_read_unlock();

    uint8_t b[8];
    MemTxResult r = as_rw(as, addr, b, size, false, false);
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)b[i] << (8 * i);
    }
    if (res) {
        *res = r;
    }
    return v;
}

static void st_le(AddressSpace *as, hwaddr addr, uint64_t v, unsigned size,
                  MemTxResult *res)
{
    uint8_t b[8];
    for (unsigned i = 0; i < size; i++) {
        b[i] = v >> (8 * i);
    }
    MemTxResult r = as_rw(as, addr, b, size, true, false);
    if (res) {
        *res = r;
    }
}

uint8_t address_space_ldub(AddressSpace *as, hwaddr addr, MemTxResult *res)
{
    return ld_le(as, addr, 1, res);
}

uint16_t address_space_lduw_le(AddressSpace *as, hwaddr addr, MemTxResult *res)
{
    return ld_le(as, addr, 2, res);
}

uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr, MemTxResult *res)
{
    return ld_le(as, addr, 4, res);
}

uint64_t address_space_ldq_le(AddressSpace *as, hwaddr addr, MemTxResult *res)
{
    return ld_le(as, addr, 8, res);
}

void address_space_stb(AddressSpace *as, hwaddr addr, uint8_t val, MemTxResult *res)
{
    st_le(as, addr, val, 1, res);
}

void address_space_stw_le(AddressSpace *as, hwaddr addr, uint16_t val, MemTxResult *res)
{
    st_le(as, addr, val, 2, res);
}

void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val, MemTxResult *res)
{
    st_le(as, addr, val, 4, res);
}

void address_space_stq_le(AddressSpace *as, hwaddr addr, uint64_t val, MemTxResult *res)
{
    st_le(as, addr, val, 8, res);
}

/* ---- DMA mapping ---- */

static struct {
    int in_use;
    uint8_t *buf;
    AddressSpace *as;
    hwaddr addr;
} bounce;

void *address_space_map(AddressSpace *as, hwaddr addr, hwaddr *plen, bool is_write)
{
    hwaddr len = *plen;
    if (len == 0) {
        return NULL;
    }
    address_space_lazy_init(as);
    rcu_read_lock();
    FlatView *fv = address_space_to_flatview(as);
    const FlatRange *fr = flatview_lookup(fv, addr);
    if (fr && fr->ram && !(is_write && fr->readonly)) {
        hwaddr l = range_avail(fr, addr, len);
        uint8_t *ptr = fr->mr->ram_block->host + fr->offset_in_region + (addr - fr->start);
        /* The device may DMA after the region is unmapped: keep its owner alive. */
        object_ref(fr->owner);
        rcu_read_unlock();
        *plen = l;
        return ptr;
    }
    rcu_read_unlock();

    if (!g_atomic_int_compare_and_exchange(&bounce.in_use, 0, 1)) {
        *plen = 0;
        return NULL;
    }
    hwaddr l = MIN(len, TARGET_PAGE_SIZE);
    bounce.buf = g_malloc(l);
    bounce.as = as;
    bounce.addr = addr;
    if (!is_write) {
        address_space_read(as, addr, bounce.buf, l);
    }
    *plen = l;
    return bounce.buf;
}

void address_space_unmap(AddressSpace *as, void *buffer, hwaddr len, bool is_write,
                         hwaddr access_len)
{
    if (!buffer) {
        return;
    }
    if (buffer == bounce.buf) {
        if (is_write) {
            address_space_write(bounce.as, bounce.addr, bounce.buf, MIN(access_len, len));
        }
        g_free(bounce.buf);
        bounce.buf = NULL;
        g_atomic_int_set(&bounce.in_use, 0);
        return;
    }
    hwaddr offset = 0;
    RAMBlock *block = ram_block_from_host(buffer, &offset);
    g_assert(block);    /* a pointer address_space_map never returned */
    if (is_write) {
        ram_block_mark_dirty(block, offset, MIN(access_len, len),
                             ram_write_dirty_mask(block->mr));
        code_write_notify_region(block->mr, offset, MIN(access_len, len));
    }
    object_unref(block->mr->owner);
}

/* ---- the machine's buses ---- */

void memory_init(void)
{
    if (address_space_memory.current_map) {
        return;
    }
    memory_region_init(&system_memory, NULL, "system", MEMORY_REGION_SIZE_FULL);
    address_space_init(&address_space_memory, &system_memory, "memory");
    memory_region_init(&system_io, NULL, "io", 0x10000);
    address_space_init(&address_space_io, &system_io, "I/O");
}

MemoryRegion *get_system_memory(void)
{
    memory_init();
    return &system_memory;
}

MemoryRegion *get_system_io(void)
{
    memory_init();
    return &system_io;
}

void cpu_outb(uint32_t port, uint32_t val)
{
    address_space_stb(&address_space_io, port, val, NULL);
}

void cpu_outw(uint32_t port, uint32_t val)
{
    address_space_stw_le(&address_space_io, port, val, NULL);
}

void cpu_outl(uint32_t port, uint32_t val)
{
    address_space_stl_le(&address_space_io, port, val, NULL);
}

uint32_t cpu_inb(uint32_t port)
{
    return address_space_ldub(&address_space_io, port, NULL);
}

uint32_t cpu_inw(uint32_t port)
{
    return address_space_lduw_le(&address_space_io, port, NULL);
}

uint32_t cpu_inl(uint32_t port)
{
    return address_space_ldl_le(&address_space_io, port, NULL);
}
