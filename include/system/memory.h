/*
 * The memory API: a tree of MemoryRegions (RAM, ROM, MMIO/PIO, aliases,
 * containers) rendered into flat views per AddressSpace, plus guest-memory
 * accessors and per-client dirty tracking.
 *
 * Sizes. Region sizes are uint64_t; the value MEMORY_REGION_SIZE_FULL
 * (UINT64_MAX) stands for 2^64 bytes, the whole 64-bit space (a region of
 * exactly 2^64 - 1 bytes cannot be expressed, and nothing needs one). Internally
 * ranges are kept as inclusive [start, last] pairs so nothing overflows.
 *
 * Priorities. Among siblings the higher priority wins where they overlap; on
 * equal priority the region added later wins. A container without ops is
 * transparent where none of its children are: lower siblings show through. A
 * region with ops or RAM that also has children shows the children on top and
 * itself beneath them.
 *
 * Locking. The tree is edited and rendered under the big lock. The current flat
 * view of an address space is published with a release store and read under
 * RCU (include/util/rcu.h): inside rcu_read_lock()/rcu_read_unlock(),
 * address_space_to_flatview() gives a view that stays valid until the section
 * ends, with no lock and no reference count touched. A replaced view is freed
 * only after a grace period. Code that keeps a view longer takes a reference
 * with address_space_get_flatview() and drops it with flatview_unref(). A flat
 * view holds a reference on the owner of every region it maps, so a device
 * cannot be freed while a reader may still call into it: owners' references
 * are dropped after the grace period, on the RCU thread under the big lock.
 */
#ifndef SYSTEM_MEMORY_H
#define SYSTEM_MEMORY_H

#include "util/osdep.h"
#include "util/error.h"
#include "qom/object.h"
#include "util/event-notifier.h"

#ifndef TARGET_PAGE_BITS
#define TARGET_PAGE_BITS 12
#endif
#define TARGET_PAGE_SIZE ((hwaddr)1 << TARGET_PAGE_BITS)
#define TARGET_PAGE_MASK (~(TARGET_PAGE_SIZE - 1))

#define MEMORY_REGION_SIZE_FULL UINT64_MAX   /* means 2^64 */

typedef struct MemoryRegion MemoryRegion;
typedef struct MemoryRegionOps MemoryRegionOps;
typedef struct MemoryRegionSection MemoryRegionSection;
typedef struct MemoryListener MemoryListener;
typedef struct AddressSpace AddressSpace;
typedef struct FlatView FlatView;
typedef struct FlatRange FlatRange;
typedef struct RAMBlock RAMBlock;
typedef struct MemoryRegionIoeventfd MemoryRegionIoeventfd;

typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_ERROR = 1 << 0,          /* the device reported an error */
    MEMTX_DECODE_ERROR = 1 << 1,   /* nothing (accepting the access) is there */
} MemTxResult;

enum device_endian {
    DEVICE_NATIVE_ENDIAN,          /* the target's order: little for x86 */
    DEVICE_BIG_ENDIAN,
    DEVICE_LITTLE_ENDIAN,
};

/* Dirty memory clients, each with its own bitmap per RAM block. */
enum {
    DIRTY_MEMORY_VGA,
    DIRTY_MEMORY_CODE,
    DIRTY_MEMORY_MIGRATION,
    DIRTY_MEMORY_NUM,
};
#define DIRTY_CLIENTS_ALL ((1u << DIRTY_MEMORY_NUM) - 1)

struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
    void (*write)(void *opaque, hwaddr addr, uint64_t data, unsigned size);
    enum device_endian endianness;
    /*
     * What the guest may do. Accesses outside this are refused: reads return
     * all-ones, writes are dropped, both logged under -d guest_errors.
     * 0 sizes default to 1..4. Unless @unaligned, an access must be aligned to
     * its size. @accepts, if set, can refuse individual accesses.
     */
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
        bool (*accepts)(void *opaque, hwaddr addr, unsigned size, bool is_write);
    } valid;
    /*
     * What the callbacks implement; 0 sizes default to the valid ones. Wider
     * accesses are split, narrower ones widened (see memory_region_dispatch_read).
     * Unless @unaligned the callbacks only see accesses aligned to their size.
     */
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
    } impl;
};

/*
 * A plain struct embedded in the device that owns it (not a QOM object).
 * Fields are private to system/memory.c; use the accessors.
 */
struct MemoryRegion {
    Object *owner;
    char *name;
    uint64_t size;                 /* MEMORY_REGION_SIZE_FULL = 2^64 */
    hwaddr addr;                   /* offset within the container */
    int priority;
    bool enabled;
    bool readonly;                 /* guest writes are dropped */
    bool ram;                      /* backed by host memory (RAM or ROM) */
    bool rom;
    bool terminates;               /* RAM or ops: claims its whole range */
    uint8_t dirty_log_mask;        /* clients (1 << DIRTY_MEMORY_*) logging it */
    const MemoryRegionOps *ops;
    void *opaque;
    RAMBlock *ram_block;
    MemoryRegion *alias;
    hwaddr alias_offset;
    MemoryRegion *container;
    MemoryRegion *subregions;      /* highest priority first, newest first on ties */
    MemoryRegion *next_sibling;
    MemoryRegionIoeventfd *ioeventfds;   /* memory_region_add_eventfd, big lock */
    unsigned ioeventfd_nb;
};

/* A doorbell: a write of @size bytes (0: any size) at @addr, matching @data if @match_data. */
struct MemoryRegionIoeventfd {
    hwaddr addr;                   /* in the region; in the address space for listeners */
    unsigned size;
    bool match_data;
    uint64_t data;
    EventNotifier *e;
};

/* One piece of a flat view: the part of @mr seen at [start, last]. */
struct FlatRange {
    hwaddr start;
    hwaddr last;                   /* inclusive, so a range can end at 2^64 - 1 */
    uint64_t size;                 /* last - start + 1; UINT64_MAX means 2^64 */
    MemoryRegion *mr;              /* a terminating region, never an alias */
    Object *owner;                 /* mr's owner when rendered; the view holds a ref */
    hwaddr offset_in_region;
    bool readonly;
    bool ram;
    uint8_t dirty_log_mask;
};

/* Sorted, non-overlapping; immutable once published. */
struct FlatView {
    int ref;
    unsigned nr;
    FlatRange *ranges;
    MemoryRegion *root;
};

struct MemoryRegionSection {
    MemoryRegion *mr;              /* NULL: nothing there */
    FlatView *fv;
    AddressSpace *as;
    hwaddr offset_within_region;
    uint64_t size;                 /* UINT64_MAX means 2^64 */
    hwaddr offset_within_address_space;
    bool readonly;
};

/*
 * Listeners see the flat view, never the tree. On each change: begin, then
 * region_del for every section that went away or changed (highest priority
 * listener last), region_add for new ones, region_nop for unchanged ones
 * (lowest priority first), log_start/log_stop when a section's dirty logging
 * changed, then commit.
 */
struct MemoryListener {
    void (*begin)(MemoryListener *listener);
    void (*commit)(MemoryListener *listener);
    void (*region_add)(MemoryListener *listener, MemoryRegionSection *section);
    void (*region_del)(MemoryListener *listener, MemoryRegionSection *section);
    void (*region_nop)(MemoryListener *listener, MemoryRegionSection *section);
    void (*log_start)(MemoryListener *listener, MemoryRegionSection *section,
                      int old_mask, int new_mask);
    void (*log_stop)(MemoryListener *listener, MemoryRegionSection *section,
                     int old_mask, int new_mask);
    /* Fold dirty bits kept elsewhere (KVM) into emu's bitmaps. */
    void (*log_sync)(MemoryListener *listener, MemoryRegionSection *section);
    void (*log_global_start)(MemoryListener *listener);
    void (*log_global_stop)(MemoryListener *listener);
    /*
     * An ioeventfd entered or left the view: @section covers the doorbell's
     * bytes in the address space (size 0: any access size). KVM registers it
     * with KVM_IOEVENTFD so the guest's write never exits to emu.
     */
    void (*eventfd_add)(MemoryListener *listener, MemoryRegionSection *section,
                        bool match_data, uint64_t data, EventNotifier *e);
    void (*eventfd_del)(MemoryListener *listener, MemoryRegionSection *section,
                        bool match_data, uint64_t data, EventNotifier *e);
    int priority;
    const char *name;
    /* private */
    AddressSpace *as;
};

struct AddressSpace {
    char *name;
    MemoryRegion *root;
    FlatView *current_map;         /* RCU: release store, acquire load */
    GList *listeners;              /* sorted by ascending priority */
    MemoryRegionIoeventfd *ioeventfds;   /* in the view, as listeners were told */
    unsigned ioeventfd_nb;
};

/* ---- regions ---- */

/* A container: no behaviour of its own, just holds subregions. */
void memory_region_init(MemoryRegion *mr, Object *owner, const char *name, uint64_t size);
void memory_region_init_io(MemoryRegion *mr, Object *owner, const MemoryRegionOps *ops,
                           void *opaque, const char *name, uint64_t size);
/* Anonymous host memory, zeroed. */
bool memory_region_init_ram(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp);
/*
 * Host memory mapped from a file (-mem-path). A directory gets an unlinked
 * temporary file; any other path is opened (created if missing) and extended to
 * @size. @share maps it MAP_SHARED, else private copy-on-write.
 */
bool memory_region_init_ram_from_file(MemoryRegion *mr, Object *owner, const char *name,
                                      uint64_t size, const char *path, bool share,
                                      Error **errp);
/* Host memory the caller allocated and keeps ownership of. */
void memory_region_init_ram_ptr(MemoryRegion *mr, Object *owner, const char *name,
                                uint64_t size, void *ptr);
/* Read-only to the guest; emu fills it through the host pointer or write_rom. */
bool memory_region_init_rom(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp);
/* [offset, offset + size) of @orig, seen wherever the alias is mapped. */
void memory_region_init_alias(MemoryRegion *mr, Object *owner, const char *name,
                              MemoryRegion *orig, hwaddr offset, uint64_t size);
/*
 * Unmaps @mr and its subregions and frees its RAM. Safe on a zeroed or already
 * finalized struct. An alias's target must outlive the alias.
 */
void memory_region_finalize(MemoryRegion *mr);

void memory_region_add_subregion(MemoryRegion *parent, hwaddr offset, MemoryRegion *sub);
void memory_region_add_subregion_overlap(MemoryRegion *parent, hwaddr offset,
                                         MemoryRegion *sub, int priority);
void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *sub);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
void memory_region_set_address(MemoryRegion *mr, hwaddr addr);
void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset);
void memory_region_set_size(MemoryRegion *mr, uint64_t size);
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);

/*
 * ioeventfds (as QEMU): a write to [@addr, @addr + @size) of @mr (@size 0:
 * a write of any size at @addr) whose value equals @data (or any value unless
 * @match_data) signals @e instead of calling the region's write callback.
 * Under KVM the write does not even leave the kernel (KVM_IOEVENTFD); under
 * TCG and qtest the dispatch checks the region's eventfds first. Big lock.
 */
void memory_region_add_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data, EventNotifier *e);
void memory_region_del_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data, EventNotifier *e);

/* Batch edits so that one flat view is rendered (and listeners told) at the end. */
void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);

uint64_t memory_region_size(const MemoryRegion *mr);
const char *memory_region_name(const MemoryRegion *mr);
Object *memory_region_owner(const MemoryRegion *mr);
bool memory_region_is_ram(const MemoryRegion *mr);
bool memory_region_is_rom(const MemoryRegion *mr);
bool memory_region_is_alias(const MemoryRegion *mr);
bool memory_region_is_mapped(const MemoryRegion *mr);
bool memory_region_is_enabled(const MemoryRegion *mr);
hwaddr memory_region_get_address(const MemoryRegion *mr);
/* Host pointer to offset 0 (aliases resolved); NULL if not RAM. */
void *memory_region_get_ram_ptr(MemoryRegion *mr);
/* The file descriptor behind file-backed RAM, or -1. */
int memory_region_get_fd(MemoryRegion *mr);

/*
 * The region (and offset in it) seen at [addr, addr + size) of the address space
 * whose root contains @mr, clipped to the first flat range. .mr is NULL when
 * nothing is there. Valid while the big lock is held.
 */
MemoryRegionSection memory_region_find(MemoryRegion *mr, hwaddr addr, uint64_t size);

/*
 * Run an access on an I/O region, as a CPU would: refused accesses (see
 * MemoryRegionOps.valid) read all-ones and drop writes. Values are in the
 * guest's (little-endian) order. Splitting: the access is cut into the widest
 * naturally aligned pieces the implementation takes; a piece narrower than
 * impl.min_access_size becomes an aligned access of that size. For reads the
 * wanted bytes are extracted; for writes the other bytes are zero (the
 * device's write sees zeros, no read-modify-write: hardware with byte enables
 * would not touch them, and a write-1-to-clear register must not see them set).
 */
MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr, uint64_t *pval,
                                        unsigned size);
MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr, uint64_t val,
                                         unsigned size);

/* ---- dirty tracking (offsets within @mr; aliases resolved to their RAM) ---- */

/* Start/stop recording guest writes for @client. New RAM starts all dirty. */
void memory_region_set_log(MemoryRegion *mr, bool log, unsigned client);
bool memory_region_get_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size, unsigned client);
/* Marks every client's bitmap, logging or not (emu wrote behind the guest's back). */
void memory_region_set_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size);
/* Whether any page in the range was dirty for @client; clears them. */
bool memory_region_test_and_clear_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size,
                                        unsigned client);
void memory_region_reset_dirty(MemoryRegion *mr, hwaddr addr, hwaddr size, unsigned client);
/* Ask listeners (KVM) to fold their dirty bits for @mr into the bitmaps. */
void memory_region_sync_dirty_bitmap(MemoryRegion *mr);

/* Atomic copy-and-clear of a range, for consumers that scan it afterwards (VGA). */
typedef struct DirtyBitmapSnapshot DirtyBitmapSnapshot;
DirtyBitmapSnapshot *memory_region_snapshot_and_clear_dirty(MemoryRegion *mr, hwaddr addr,
                                                           hwaddr size, unsigned client);
bool memory_region_snapshot_get_dirty(MemoryRegion *mr, DirtyBitmapSnapshot *snap,
                                      hwaddr addr, hwaddr size);
void memory_region_snapshot_free(DirtyBitmapSnapshot *snap);

/* Migration: every RAM write marks the listed clients, whatever the regions say. */
void memory_global_dirty_log_start(unsigned clients);
void memory_global_dirty_log_stop(unsigned clients);
unsigned memory_global_dirty_log_mask(void);

/* ---- address spaces ---- */

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name);
void address_space_destroy(AddressSpace *as);

/* A referenced snapshot of the current view; any thread. */
FlatView *address_space_get_flatview(AddressSpace *as);
/* The current view without a reference: under the big lock or in an RCU section. */
FlatView *address_space_to_flatview(AddressSpace *as);
void flatview_ref(FlatView *fv);
void flatview_unref(FlatView *fv);
/* The range containing @addr, or NULL for a hole. */
const FlatRange *flatview_lookup(const FlatView *fv, hwaddr addr);

void memory_listener_register(MemoryListener *listener, AddressSpace *as);
void memory_listener_unregister(MemoryListener *listener);

/*
 * Guest-physical accesses. RAM is copied (writes mark pages dirty for the
 * clients logging it); ROM and read-only RAM drop writes; I/O regions are cut
 * into accesses the device accepts (widest aligned pieces up to
 * valid.max_access_size); holes read all-ones and drop writes, logged under
 * -d unimp. The result ORs the results of every piece.
 */
MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, void *buf, hwaddr len,
                             bool is_write);
MemTxResult address_space_read(AddressSpace *as, hwaddr addr, void *buf, hwaddr len);
MemTxResult address_space_write(AddressSpace *as, hwaddr addr, const void *buf,
                                hwaddr len);
/* Like write, but also into ROM; skips I/O regions (firmware loaders). */
MemTxResult address_space_write_rom(AddressSpace *as, hwaddr addr, const void *buf,
                                    hwaddr len);

uint8_t address_space_ldub(AddressSpace *as, hwaddr addr, MemTxResult *res);
uint16_t address_space_lduw_le(AddressSpace *as, hwaddr addr, MemTxResult *res);
uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr, MemTxResult *res);
uint64_t address_space_ldq_le(AddressSpace *as, hwaddr addr, MemTxResult *res);
void address_space_stb(AddressSpace *as, hwaddr addr, uint8_t val, MemTxResult *res);
void address_space_stw_le(AddressSpace *as, hwaddr addr, uint16_t val, MemTxResult *res);
void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val, MemTxResult *res);
void address_space_stq_le(AddressSpace *as, hwaddr addr, uint64_t val, MemTxResult *res);

/*
 * Called after guest RAM [addr, addr + len) of an address space was written through
 * the accessors above or a written-back address_space_map (device DMA, loaders, the
 * monitor) -- not by a CPU's own stores. The TCG engine registers it to drop the
 * code it translated from those bytes. One hook; NULL unregisters.
 */
typedef void MemoryCodeWriteFn(hwaddr addr, hwaddr len);
void memory_set_code_write_hook(MemoryCodeWriteFn *fn);

/*
 * Called after some client's dirty bits were cleared (test_and_clear, reset,
 * snapshot_and_clear), from any thread: the TCG engine makes CPU stores to
 * those pages take its slow path again, which marks them dirty. NULL unregisters.
 */
typedef void MemoryDirtyResetFn(void);
void memory_set_dirty_reset_hook(MemoryDirtyResetFn *fn);

/*
 * DMA. A pointer straight into RAM when [addr, addr + *plen) starts in RAM
 * (*plen shrinks to the contiguous RAM part); otherwise a bounce buffer of at
 * most one page (read in advance, written back at unmap), or NULL with *plen = 0
 * if the bounce buffer is busy. Unmap marks written pages dirty.
 */
void *address_space_map(AddressSpace *as, hwaddr addr, hwaddr *plen, bool is_write);
void address_space_unmap(AddressSpace *as, void *buffer, hwaddr len, bool is_write,
                         hwaddr access_len);

/* ---- the machine's buses ---- */

extern AddressSpace address_space_memory;
extern AddressSpace address_space_io;
/* Creates "system" (2^64 bytes) and "io" (64 KiB) and their address spaces once. */
void memory_init(void);
MemoryRegion *get_system_memory(void);
MemoryRegion *get_system_io(void);

void cpu_outb(uint32_t port, uint32_t val);
void cpu_outw(uint32_t port, uint32_t val);
void cpu_outl(uint32_t port, uint32_t val);
uint32_t cpu_inb(uint32_t port);
uint32_t cpu_inw(uint32_t port);
uint32_t cpu_inl(uint32_t port);

/* `info mtree [-f]`: every address space's tree, or its flat view. */
void mtree_info(GString *out, bool flatview);

#endif
