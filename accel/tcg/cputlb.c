/*
 * The softmmu TLB: per-vCPU, per-MMU-mode tables of 4 KiB entries that generated
 * code looks up inline (include/tcg/tcg-softmmu.h), the slow-path helpers for
 * misses, MMIO, page-crossing accesses and stores to pages holding translated code,
 * and the code fetch used by translators.
 *
 * Entry flags (below bit 12, so the inline fast path misses on them):
 *   TLB_MMIO      the page is not plain RAM (device, ROM for writes, hole, partial
 *                 RAM): the access goes through address_space_rw under the big lock.
 *   TLB_NOTDIRTY  a RAM page that holds TBs, or that a dirty-logging client (VGA,
 *                 migration) has not seen written since it last cleared its bit: a
 *                 write first invalidates the TBs it overlaps (self-modifying code),
 *                 marks the page dirty, then lands in RAM.
 */
#include "accel/tcg/internal.h"
#include "system/memory.h"
#include "system/main-loop.h"
#include "util/log.h"
#include "util/rcu.h"

void tlb_engine_init(TCGCPUEngine *e)
{
    CPUTLBFast *fast = (CPUTLBFast *)((char *)e->env + tcg_ops->tlb_fast_offset);
    for (int m = 0; m < TCG_NB_MMU_MODES; m++) {
        TLBDesc *d = &e->tlb[m];
        d->table = g_new(CPUTLBEntry, TLB_ENTRIES);
        d->full = g_new0(TLBEntryFull, TLB_ENTRIES);
        memset(d->table, 0xff, sizeof(CPUTLBEntry) * TLB_ENTRIES);
        memset(d->vtable, 0xff, sizeof(d->vtable));
        d->large_page_addr = -1;
        d->large_page_mask = -1;
        d->used = false;
        fast[m].mask = (uintptr_t)(TLB_ENTRIES - 1) << CPU_TLB_ENTRY_BITS;
        fast[m].table = d->table;
    }
}

void tlb_engine_destroy(TCGCPUEngine *e)
{
    for (int m = 0; m < TCG_NB_MMU_MODES; m++) {
        g_free(e->tlb[m].table);
        g_free(e->tlb[m].full);
        e->tlb[m].table = NULL;
        e->tlb[m].full = NULL;
    }
}

static inline unsigned tlb_index(uint64_t addr)
{
    return (addr >> TCG_PAGE_BITS) & (TLB_ENTRIES - 1);
}

static inline uint64_t tlb_cmp(const CPUTLBEntry *ent, MMUAccessType t)
{
    return t == MMU_DATA_LOAD ? ent->addr_read :
           t == MMU_DATA_STORE ? ent->addr_write : ent->addr_code;
}

/* The entry maps @page (ignoring flag bits other than TLB_INVALID). */
static inline bool tlb_hit_page(uint64_t cmp, uint64_t page)
{
    return (cmp & (TCG_PAGE_MASK | TLB_INVALID)) == page;
}

static void tlb_flush_mmuidx_locked(TCGCPUEngine *e, int m)
{
    TLBDesc *d = &e->tlb[m];
    /* Most of the 16 modes are never used by a given guest: skip their tables. */
    if (!d->used) {
        return;
    }
    memset(d->table, 0xff, sizeof(CPUTLBEntry) * TLB_ENTRIES);
    memset(d->vtable, 0xff, sizeof(d->vtable));
    d->large_page_addr = -1;
    d->large_page_mask = -1;
    d->used = false;
    if (d->has_global) {
        memset(d->global_map, 0, sizeof(d->global_map));
        d->has_global = false;
    }
}

static inline void tlb_set_global_bit(TLBDesc *d, unsigned idx, bool global)
{
    uint64_t bit = 1ull << (idx % 64);
    if (global) {
        d->global_map[idx / 64] |= bit;
        d->has_global = true;
    } else {
        d->global_map[idx / 64] &= ~bit;
    }
}

/* The entry maps @page for some access. */
static inline bool tlb_entry_is_page(const CPUTLBEntry *ent, uint64_t page)
{
    return tlb_hit_page(ent->addr_read, page) || tlb_hit_page(ent->addr_write, page) ||
           tlb_hit_page(ent->addr_code, page);
}

/* The page an entry maps, or -1 when it is invalid for every access. */
static inline uint64_t tlb_entry_page(const CPUTLBEntry *ent)
{
    /* Invalid comparators are all-ones; the valid ones all hold the same page. */
    uint64_t cmp = ent->addr_read & ent->addr_write & ent->addr_code;
    return (cmp & TLB_INVALID) ? (uint64_t)-1 : cmp & TCG_PAGE_MASK;
}

/*
 * Victim TLB. The table is direct-mapped by virtual page, so two pages 4 MiB
 * apart (TLB_ENTRIES pages) evict each other: a loop that reads one and writes
 * the other walks the page tables on every access (a Linux boot refilled
 * pages about a thousand times each while the kernel decompressed itself:
 * 7.2 M of its 8 M fills). An entry a fill
 * evicts moves to a small fully associative array; a miss in the table looks
 * there before walking and swaps the two entries when it finds the page.
 * Everything that edits or drops table entries (flushes, code protection,
 * dirty re-arming) treats the victims the same way.
 */
static void tlb_victim_save(TLBDesc *d, unsigned idx, uint64_t new_page)
{
    CPUTLBEntry *ent = &d->table[idx];
    uint64_t old_page = tlb_entry_page(ent);

    /* A victim copy of the page being filled is older than the fill: drop it. */
    for (unsigned v = 0; v < TLB_VICTIMS; v++) {
        if (tlb_entry_is_page(&d->vtable[v], new_page)) {
            memset(&d->vtable[v], 0xff, sizeof(d->vtable[v]));
        }
    }
    if (old_page == (uint64_t)-1 || old_page == new_page) {
        return;
    }
    unsigned v = d->vnext++ % TLB_VICTIMS;
    d->vtable[v] = *ent;
    d->vfull[v] = d->full[idx];
}

/* On a table miss: bring @page (for @access) back from the victims. */
static bool tlb_victim_hit(TLBDesc *d, unsigned idx, uint64_t page, MMUAccessType access)
{
    for (unsigned v = 0; v < TLB_VICTIMS; v++) {
        if (tlb_hit_page(tlb_cmp(&d->vtable[v], access), page)) {
            CPUTLBEntry tmp = d->table[idx];
            TLBEntryFull tmpf = d->full[idx];
            d->table[idx] = d->vtable[v];
            d->full[idx] = d->vfull[v];
            d->vtable[v] = tmp;
            d->vfull[v] = tmpf;
            tlb_set_global_bit(d, idx, d->full[idx].global);
            return true;
        }
    }
    return false;
}

void tlb_flush_all_engine(TCGCPUEngine *e)
{
    for (int m = 0; m < TCG_NB_MMU_MODES; m++) {
        tlb_flush_mmuidx_locked(e, m);
    }
    tb_jmp_cache_clear(e);
}

/*
 * The guest-physical memory map changed (a BAR moved, PAM switched ROM and
 * RAM, a region was added or removed): TLB entries may cache host pointers
 * and MMIO/RAM decisions of the old map. Any thread may commit a transaction,
 * so each vCPU flushes its own TLB before its next TB (cpu-exec.c checks
 * tlb_flush_request between TBs) and leaves its chained TBs now.
 */
static void map_changed_cb(TCGCPUEngine *e, void *opaque)
{
    (void)opaque;
    __atomic_store_n(&e->tlb_flush_request, 1, __ATOMIC_RELEASE);
    tcg_engine_request_exit(e);
}

static void tlb_map_commit(MemoryListener *l)
{
    (void)l;
    tcg_engine_foreach_cpu(map_changed_cb, NULL);
}

/*
 * Dirty tracking (include/system/memory.h, like KVM's dirty log): a client's
 * bitmap must see every CPU store to a page it logs. Write entries for such a
 * page get TLB_NOTDIRTY until the page is dirty for every logging client; the
 * slow-path store marks it. When a client clears bits (any thread: the display
 * refresh, migration), each vCPU re-arms TLB_NOTDIRTY on its write entries
 * before its next TB (the flush-request pattern: stores in the rest of the TB
 * running at that moment may go unrecorded, as with a map change).
 */
static void dirty_reset_cb(TCGCPUEngine *e, void *opaque)
{
    (void)opaque;
    __atomic_store_n(&e->dirty_reset_request, 1, __ATOMIC_RELEASE);
    tcg_engine_request_exit(e);
}

static void tlb_dirty_reset(void)
{
    tcg_engine_foreach_cpu(dirty_reset_cb, NULL);
}

static void tlb_log_global_start(MemoryListener *l)
{
    (void)l;
    tlb_dirty_reset();
}

static MemoryListener tlb_map_listener = {
    .commit = tlb_map_commit,
    .log_global_start = tlb_log_global_start,
};
static bool tlb_map_listening;

void tlb_map_listener_start(void)
{
    if (!tlb_map_listening) {
        memory_listener_register(&tlb_map_listener, &address_space_memory);
        memory_set_dirty_reset_hook(tlb_dirty_reset);
        tlb_map_listening = true;
    }
}

void tlb_map_listener_stop(void)
{
    if (tlb_map_listening) {
        memory_set_dirty_reset_hook(NULL);
        memory_listener_unregister(&tlb_map_listener);
        tlb_map_listening = false;
    }
}

/* A write entry for @f's page must trap: some logging client lacks its dirty bit. */
static bool page_needs_dirty_trap(const TLBEntryFull *f)
{
    unsigned clients = f->log_mask | memory_global_dirty_log_mask();
    if (!f->ram_mr || !clients) {
        return false;
    }
    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
        if ((clients & (1u << c)) &&
            !memory_region_get_dirty(f->ram_mr, f->ram_offset, TCG_PAGE_SIZE, c)) {
            return true;
        }
    }
    return false;
}

void tlb_rearm_notdirty(TCGCPUEngine *e)
{
    for (int m = 0; m < TCG_NB_MMU_MODES; m++) {
        TLBDesc *d = &e->tlb[m];
        for (unsigned i = 0; d->used && i < TLB_ENTRIES; i++) {
            CPUTLBEntry *ent = &d->table[i];
            if (!(ent->addr_write & (TLB_INVALID | TLB_MMIO | TLB_NOTDIRTY)) &&
                page_needs_dirty_trap(&d->full[i])) {
                ent->addr_write |= TLB_NOTDIRTY;
            }
        }
        for (unsigned v = 0; d->used && v < TLB_VICTIMS; v++) {
            CPUTLBEntry *ent = &d->vtable[v];
            if (!(ent->addr_write & (TLB_INVALID | TLB_MMIO | TLB_NOTDIRTY)) &&
                page_needs_dirty_trap(&d->vfull[v])) {
                ent->addr_write |= TLB_NOTDIRTY;
            }
        }
    }
}

void tlb_flush_by_mmuidx(CPUState *cpu, uint16_t idxmap)
{
    TCGCPUEngine *e = tcg_cpu_engine(cpu);
    for (int m = 0; m < TCG_NB_MMU_MODES; m++) {
        if (idxmap & (1u << m)) {
            tlb_flush_mmuidx_locked(e, m);
        }
    }
    /* The jump cache is keyed by virtual pc: a mapping change must not reuse it. */
    tb_jmp_cache_clear(e);
}

void tlb_flush(CPUState *cpu)
{
    tlb_flush_by_mmuidx(cpu, 0xffff);
}

/*
 * MOV to CR3 (SDM vol. 3 §4.10.4.1): every TLB entry goes except those for
 * global pages (PTE.G with CR4.PGE, §4.10.2.4), which Linux uses for the
 * kernel's own mappings: it writes CR3 on each context switch, so keeping
 * them saves the page walks and jump-cache misses of every switch. A mode
 * that never saw a global fill since its last full flush is wiped at once.
 */
void tlb_flush_nonglobal(CPUState *cpu)
{
    TCGCPUEngine *e = tcg_cpu_engine(cpu);
    for (int m = 0; m < TCG_NB_MMU_MODES; m++) {
        TLBDesc *d = &e->tlb[m];
        if (!d->used) {
            continue;
        }
        if (!d->has_global) {
            tlb_flush_mmuidx_locked(e, m);
            continue;
        }
        for (unsigned w = 0; w < TLB_ENTRIES / 64; w++) {
            uint64_t keep = d->global_map[w];
            if (!keep) {
                memset(&d->table[w * 64], 0xff, 64 * sizeof(CPUTLBEntry));
                continue;
            }
            for (unsigned b = 0; b < 64; b++) {
                if (!(keep & (1ull << b))) {
                    memset(&d->table[w * 64 + b], 0xff, sizeof(CPUTLBEntry));
                }
            }
        }
        for (unsigned v = 0; v < TLB_VICTIMS; v++) {
            if (!d->vfull[v].global) {
                memset(&d->vtable[v], 0xff, sizeof(d->vtable[v]));
            }
        }
        /* The large-page range stays: it may cover surviving entries (a
         * range too wide only makes tlb_flush_page flush more). */
    }
    tb_jmp_cache_clear_nonglobal(e);
}

void tlb_flush_page_by_mmuidx(CPUState *cpu, uint64_t addr, uint16_t idxmap)
{
    TCGCPUEngine *e = tcg_cpu_engine(cpu);
    uint64_t page = addr & TCG_PAGE_MASK;
    bool whole = false;
    for (int m = 0; m < TCG_NB_MMU_MODES; m++) {
        if (!(idxmap & (1u << m))) {
            continue;
        }
        TLBDesc *d = &e->tlb[m];
        /* A page inside a large page: we do not know which 4 KiB entries were made
         * from it, so the whole mode goes (as QEMU does). */
        if (d->large_page_addr != (uint64_t)-1 &&
            (page & d->large_page_mask) == d->large_page_addr) {
            tlb_flush_mmuidx_locked(e, m);
            whole = true;
            continue;
        }
        CPUTLBEntry *ent = &d->table[tlb_index(page)];
        if (tlb_entry_is_page(ent, page)) {
            memset(ent, 0xff, sizeof(*ent));
        }
        for (unsigned v = 0; v < TLB_VICTIMS; v++) {
            if (tlb_entry_is_page(&d->vtable[v], page)) {
                memset(&d->vtable[v], 0xff, sizeof(d->vtable[v]));
            }
        }
    }
    if (whole) {
        tb_jmp_cache_clear(e);
    } else {
        tb_jmp_cache_clear_page(e, page, TCG_PAGE_MASK);
    }
}

void tlb_flush_page(CPUState *cpu, uint64_t addr)
{
    tlb_flush_page_by_mmuidx(cpu, addr, 0xffff);
}

static void tlb_protect_code_engine(TCGCPUEngine *e, uint64_t paddr)
{
    for (int m = 0; m < TCG_NB_MMU_MODES; m++) {
        TLBDesc *d = &e->tlb[m];
        for (unsigned i = 0; d->used && i < TLB_ENTRIES; i++) {
            CPUTLBEntry *ent = &d->table[i];
            if (!(ent->addr_write & (TLB_INVALID | TLB_MMIO)) && d->full[i].paddr == paddr) {
                ent->addr_write |= TLB_NOTDIRTY;
            }
        }
        for (unsigned v = 0; d->used && v < TLB_VICTIMS; v++) {
            CPUTLBEntry *ent = &d->vtable[v];
            if (!(ent->addr_write & (TLB_INVALID | TLB_MMIO)) && d->vfull[v].paddr == paddr) {
                ent->addr_write |= TLB_NOTDIRTY;
            }
        }
    }
}

static void protect_cb(TCGCPUEngine *e, void *opaque)
{
    tlb_protect_code_engine(e, *(uint64_t *)opaque);
}

void tlb_protect_code_page(uint64_t paddr)
{
    paddr &= TCG_PAGE_MASK;
    tcg_engine_foreach_cpu(protect_cb, &paddr);
}

void tlb_set_page(CPUState *cpu, uint64_t vaddr, hwaddr paddr, int prot, int mmu_idx,
                  uint64_t size)
{
    TCGCPUEngine *e = tcg_cpu_engine(cpu);
    TLBDesc *d = &e->tlb[mmu_idx & (TCG_NB_MMU_MODES - 1)];
    uint64_t vpage = vaddr & TCG_PAGE_MASK;
    uint64_t ppage = paddr & TCG_PAGE_MASK;

    if (size > TCG_PAGE_SIZE) {
        uint64_t lp_mask = ~(size - 1);
        uint64_t lp = vaddr & lp_mask;
        if (d->large_page_addr == (uint64_t)-1) {
            d->large_page_addr = lp;
            d->large_page_mask = lp_mask;
        } else {
            /* Grow the tracked range until it covers both large pages. */
            uint64_t mask = d->large_page_mask & lp_mask;
            while (((d->large_page_addr ^ lp) & mask) != 0) {
                mask <<= 1;
            }
            d->large_page_mask = mask;
            d->large_page_addr &= mask;
        }
    }

    uint64_t flags = 0;
    uintptr_t host = 0;
    unsigned idx = tlb_index(vpage);
    if (d->used) {
        tlb_victim_save(d, idx, vpage);
    }
    TLBEntryFull *full = &d->full[idx];
    full->ram_mr = NULL;
    full->ram_offset = 0;
    full->log_mask = 0;
    /* No lock, no reference: the vCPU loop's RCU section covers this already. */
    rcu_read_lock();
    const FlatRange *fr = flatview_lookup(address_space_to_flatview(&address_space_memory),
                                          ppage);
    if (fr && fr->ram && fr->start <= ppage && fr->last >= ppage + TCG_PAGE_SIZE - 1) {
        uint8_t *base = memory_region_get_ram_ptr(fr->mr);
        host = (uintptr_t)(base + fr->offset_in_region + (ppage - fr->start));
        if (!fr->readonly) {
            full->ram_mr = fr->mr;
            full->ram_offset = fr->offset_in_region + (ppage - fr->start);
            full->log_mask = fr->dirty_log_mask;
        }
    } else {
        flags |= TLB_MMIO;
    }
    bool readonly = fr && fr->readonly;
    rcu_read_unlock();

    CPUTLBEntry *ent = &d->table[idx];
    d->used = true;
    full->global = (prot & PAGE_GLOBAL) != 0;
    tlb_set_global_bit(d, idx, full->global);
    ent->addr_read = (prot & PAGE_READ) ? vpage | flags : (uint64_t)-1;
    ent->addr_code = (prot & PAGE_EXEC) ? vpage | flags : (uint64_t)-1;
    if (prot & PAGE_WRITE) {
        uint64_t wflags = flags;
        if (readonly) {
            wflags |= TLB_MMIO;      /* ROM: the memory API drops (and logs) the write */
        } else if (!(flags & TLB_MMIO) &&
                   (tb_page_has_code(ppage) || page_needs_dirty_trap(full))) {
            wflags |= TLB_NOTDIRTY;
        }
        ent->addr_write = vpage | wflags;
    } else {
        ent->addr_write = -1;
    }
    ent->addend = host ? host - vpage : 0;
    full->paddr = ppage;
    emu_log_mask(LOG_MMU, "tlb_set_page: cpu %d mode %d 0x%016" PRIx64 " -> 0x%016"
                 PRIx64 " prot %d%s\n", cpu->cpu_index, mmu_idx, vpage, (uint64_t)ppage,
                 prot, (flags & TLB_MMIO) ? " mmio" : "");
}

/* The entry for [addr, addr + size) (one page) with @access allowed; fills on miss. */
static CPUTLBEntry *tlb_probe(CPUState *cpu, TCGCPUEngine *e, uint64_t addr, int size,
                              MMUAccessType access, int mmu_idx, uintptr_t ra,
                              TLBEntryFull **full)
{
    uint64_t page = addr & TCG_PAGE_MASK;
    TLBDesc *d = &e->tlb[mmu_idx];
    unsigned idx = tlb_index(addr);
    CPUTLBEntry *ent = &d->table[idx];
    if (!tlb_hit_page(tlb_cmp(ent, access), page) && !tlb_victim_hit(d, idx, page, access)) {
        tcg_ops->tlb_fill(cpu, addr, size, access, mmu_idx, false, ra);
        ent = &d->table[idx];
        if (!tlb_hit_page(tlb_cmp(ent, access), page)) {
            g_error("tcg: tlb_fill for 0x%" PRIx64 " (access %d, mode %d) returned without "
                    "mapping it", addr, access, mmu_idx);
        }
    }
    *full = &d->full[idx];
    return ent;
}

static void io_access(uint64_t paddr, void *buf, int size, bool is_write)
{
    bool locked = bql_locked();
    if (!locked) {
        bql_lock();
    }
    address_space_rw(&address_space_memory, paddr, buf, size, is_write);
    if (!locked) {
        bql_unlock();
    }
}

static uint64_t load_le(const uint8_t *p, int size)
{
    uint64_t v = 0;
    memcpy(&v, p, size);           /* little-endian host */
    return v;
}

/* A load that stays within one page. */
static uint64_t ld_page(CPUState *cpu, TCGCPUEngine *e, uint64_t addr, int size,
                        int mmu_idx, MMUAccessType access, uintptr_t ra)
{
    TLBEntryFull *full;
    CPUTLBEntry *ent = tlb_probe(cpu, e, addr, size, access, mmu_idx, ra, &full);
    uint64_t cmp = tlb_cmp(ent, access);
    if (cmp & TLB_MMIO) {
        uint8_t buf[8] = { 0 };
        io_access(full->paddr | (addr & ~TCG_PAGE_MASK), buf, size, false);
        return load_le(buf, size);
    }
    return load_le((const uint8_t *)(uintptr_t)(addr + ent->addend), size);
}

static uint64_t do_ld(CPUState *cpu, uint64_t addr, MemOpIdx oi, MMUAccessType access,
                      uintptr_t ra)
{
    TCGCPUEngine *e = tcg_cpu_engine(cpu);
    MemOp mop = get_memop(oi);
    int mmu_idx = get_mmuidx(oi);
    int size = 1 << (mop & MO_SIZE);
    uint64_t v;

    if ((mop & MO_ALIGN) && (addr & (size - 1)) && tcg_ops->do_unaligned_access) {
        tcg_ops->do_unaligned_access(cpu, addr, access, mmu_idx, ra);
    }
    unsigned in_page = TCG_PAGE_SIZE - (addr & ~TCG_PAGE_MASK);
    if ((unsigned)size <= in_page) {
        v = ld_page(cpu, e, addr, size, mmu_idx, access, ra);
    } else {
        /* Both pages must be accessible before any byte is read (a fault on the
         * second page must not have side effects on MMIO in the first). */
        TLBEntryFull *full;
        tlb_probe(cpu, e, addr, in_page, access, mmu_idx, ra, &full);
        tlb_probe(cpu, e, addr + in_page, size - in_page, access, mmu_idx, ra, &full);
        uint64_t lo = ld_page(cpu, e, addr, in_page, mmu_idx, access, ra);
        uint64_t hi = ld_page(cpu, e, addr + in_page, size - in_page, mmu_idx, access, ra);
        v = lo | (hi << (8 * in_page));
    }
    if (mop & MO_BSWAP) {
        switch (mop & MO_SIZE) {
        case MO_16: v = __builtin_bswap16((uint16_t)v); break;
        case MO_32: v = __builtin_bswap32((uint32_t)v); break;
        case MO_64: v = __builtin_bswap64(v); break;
        default: break;
        }
    }
    return v;
}

/*
 * A store to a page holding TBs. The TBs it overlaps are invalidated before the
 * store. If one of them is the TB executing this store (and it has more than one
 * instruction), the rest of that TB is stale: the store is not done here; the guest
 * state goes back to the storing instruction, which re-executes alone in a fresh
 * one-instruction TB (cflags CF_COUNT 1 | CF_NOIRQ) where the store completes and
 * the TB ends right after it. This is QEMU's approach; it relies on the rule that a
 * front end writes guest state only after an instruction's faulting ops.
 */
static void notdirty_write(CPUState *cpu, TCGCPUEngine *e, CPUTLBEntry *ent,
                           TLBEntryFull *full, uint64_t paddr, int size, uintptr_t ra)
{
    EngineTB *cur = ra ? tb_find_by_host_pc(ra) : NULL;
    bool hit_cur = tb_invalidate_range_check(paddr, paddr + size, cur);
    if (hit_cur && cur->tb.icount > 1) {
        tcg_stats.smc_restarts++;
        cpu_restore_state(cpu, ra);
        e->cflags_next_tb = 1 | CF_NOIRQ;
        e->exception_index = EXCP_NONE;
        cpu_loop_exit(cpu);
    }
    /* Mark before the store lands: a client that clears the bit after this
     * point re-arms the entry (tlb_rearm_notdirty) and sees the next store. */
    if (full->ram_mr && page_needs_dirty_trap(full)) {
        memory_region_set_dirty(full->ram_mr, full->ram_offset + (paddr & ~TCG_PAGE_MASK),
                                size);
    }
    if (!tb_page_has_code(paddr) && !page_needs_dirty_trap(full)) {
        ent->addr_write &= ~TLB_NOTDIRTY;
    }
}

static void st_page(CPUState *cpu, TCGCPUEngine *e, uint64_t addr, int size, uint64_t v,
                    int mmu_idx, uintptr_t ra)
{
    TLBEntryFull *full;
    CPUTLBEntry *ent = tlb_probe(cpu, e, addr, size, MMU_DATA_STORE, mmu_idx, ra, &full);
    uint64_t cmp = ent->addr_write;
    uint64_t paddr = full->paddr | (addr & ~TCG_PAGE_MASK);
    if (cmp & TLB_MMIO) {
        io_access(paddr, &v, size, true);
        return;
    }
    if (cmp & TLB_NOTDIRTY) {
        notdirty_write(cpu, e, ent, full, paddr, size, ra);
    }
    memcpy((void *)(uintptr_t)(addr + ent->addend), &v, size);
}

static void do_st(CPUState *cpu, uint64_t addr, uint64_t v, MemOpIdx oi, uintptr_t ra)
{
    TCGCPUEngine *e = tcg_cpu_engine(cpu);
    MemOp mop = get_memop(oi);
    int mmu_idx = get_mmuidx(oi);
    int size = 1 << (mop & MO_SIZE);

    if ((mop & MO_ALIGN) && (addr & (size - 1)) && tcg_ops->do_unaligned_access) {
        tcg_ops->do_unaligned_access(cpu, addr, MMU_DATA_STORE, mmu_idx, ra);
    }
    if (mop & MO_BSWAP) {
        switch (mop & MO_SIZE) {
        case MO_16: v = __builtin_bswap16((uint16_t)v); break;
        case MO_32: v = __builtin_bswap32((uint32_t)v); break;
        case MO_64: v = __builtin_bswap64(v); break;
        default: break;
        }
    }
    unsigned in_page = TCG_PAGE_SIZE - (addr & ~TCG_PAGE_MASK);
    if ((unsigned)size <= in_page) {
        st_page(cpu, e, addr, size, v, mmu_idx, ra);
        return;
    }
    TLBEntryFull *full;
    tlb_probe(cpu, e, addr, in_page, MMU_DATA_STORE, mmu_idx, ra, &full);
    tlb_probe(cpu, e, addr + in_page, size - in_page, MMU_DATA_STORE, mmu_idx, ra, &full);
    st_page(cpu, e, addr, in_page, v, mmu_idx, ra);
    st_page(cpu, e, addr + in_page, size - in_page, v >> (8 * in_page), mmu_idx, ra);
}

/*
 * The slow-path helpers of include/tcg/tcg-softmmu.h. Weak, so that the TCG unit
 * tests (tests/unit/tcg-test.h), which run generated code without an engine, can
 * keep their own fakes.
 */
#define LD_HELPER(name, mo)                                                         \
    __attribute__((weak)) uint64_t name(void *env, uint64_t addr, MemOpIdx oi,      \
                                        uintptr_t ra)                               \
    {                                                                               \
        return do_ld(current_cpu, addr, oi, MMU_DATA_LOAD, ra);                     \
    }
#define ST_HELPER(name)                                                             \
    __attribute__((weak)) void name(void *env, uint64_t addr, uint64_t val,         \
                                    MemOpIdx oi, uintptr_t ra)                      \
    {                                                                               \
        do_st(current_cpu, addr, val, oi, ra);                                      \
    }

LD_HELPER(helper_ldub_mmu, MO_8)
LD_HELPER(helper_lduw_mmu, MO_16)
LD_HELPER(helper_ldul_mmu, MO_32)
LD_HELPER(helper_lduq_mmu, MO_64)
ST_HELPER(helper_stb_mmu)
ST_HELPER(helper_stw_mmu)
ST_HELPER(helper_stl_mmu)
ST_HELPER(helper_stq_mmu)

uint8_t cpu_ldub_mmuidx_ra(CPUState *cpu, uint64_t addr, int mmu_idx, uintptr_t ra)
{
    return do_ld(cpu, addr, make_memop_idx(MO_8, mmu_idx), MMU_DATA_LOAD, ra);
}
uint16_t cpu_lduw_mmuidx_ra(CPUState *cpu, uint64_t addr, int mmu_idx, uintptr_t ra)
{
    return do_ld(cpu, addr, make_memop_idx(MO_16, mmu_idx), MMU_DATA_LOAD, ra);
}
uint32_t cpu_ldl_mmuidx_ra(CPUState *cpu, uint64_t addr, int mmu_idx, uintptr_t ra)
{
    return do_ld(cpu, addr, make_memop_idx(MO_32, mmu_idx), MMU_DATA_LOAD, ra);
}
uint64_t cpu_ldq_mmuidx_ra(CPUState *cpu, uint64_t addr, int mmu_idx, uintptr_t ra)
{
    return do_ld(cpu, addr, make_memop_idx(MO_64, mmu_idx), MMU_DATA_LOAD, ra);
}
void cpu_stb_mmuidx_ra(CPUState *cpu, uint64_t addr, uint8_t v, int mmu_idx, uintptr_t ra)
{
    do_st(cpu, addr, v, make_memop_idx(MO_8, mmu_idx), ra);
}
void cpu_stw_mmuidx_ra(CPUState *cpu, uint64_t addr, uint16_t v, int mmu_idx,
                       uintptr_t ra)
{
    do_st(cpu, addr, v, make_memop_idx(MO_16, mmu_idx), ra);
}
void cpu_stl_mmuidx_ra(CPUState *cpu, uint64_t addr, uint32_t v, int mmu_idx,
                       uintptr_t ra)
{
    do_st(cpu, addr, v, make_memop_idx(MO_32, mmu_idx), ra);
}
void cpu_stq_mmuidx_ra(CPUState *cpu, uint64_t addr, uint64_t v, int mmu_idx,
                       uintptr_t ra)
{
    do_st(cpu, addr, v, make_memop_idx(MO_64, mmu_idx), ra);
}

/* ---- code fetch ---- */

uint64_t get_page_addr_code(CPUState *cpu, TCGCPUEngine *e, uint64_t pc, bool probe,
                            bool *non_ram)
{
    bool global;
    return get_page_addr_code_global(cpu, e, pc, probe, non_ram, &global);
}

uint64_t get_page_addr_code_global(CPUState *cpu, TCGCPUEngine *e, uint64_t pc,
                                   bool probe, bool *non_ram, bool *global)
{
    int mmu_idx = tcg_ops->mmu_index(cpu, true);
    TLBDesc *d = &e->tlb[mmu_idx];
    unsigned idx = tlb_index(pc);
    CPUTLBEntry *ent = &d->table[idx];
    uint64_t page = pc & TCG_PAGE_MASK;
    if (!tlb_hit_page(ent->addr_code, page) &&
        !tlb_victim_hit(d, idx, page, MMU_INST_FETCH)) {
        if (probe) {
            return -1;
        }
        tcg_ops->tlb_fill(cpu, pc, 1, MMU_INST_FETCH, mmu_idx, false, 0);
        ent = &d->table[idx];
        if (!tlb_hit_page(ent->addr_code, page)) {
            g_error("tcg: tlb_fill for code at 0x%" PRIx64 " returned without mapping it",
                    pc);
        }
    }
    *non_ram = (ent->addr_code & TLB_MMIO) != 0;
    if (*non_ram && probe) {
        return -1;
    }
    *global = d->full[idx].global;
    return d->full[idx].paddr | (pc & ~TCG_PAGE_MASK);
}

/*
 * The code byte at @pc: from RAM/ROM through the TLB, or (one-shot TBs of code
 * in device memory or unassigned space) read through the memory API like a
 * data access, which for nothing mapped gives 0xff as the bus would. Records a
 * second page in the TB.
 */
static uint8_t code_byte(CPUState *cpu, uint64_t pc)
{
    TCGCPUEngine *e = tcg_cpu_engine(cpu);
    EngineTB *tb = e->translating;
    bool same_page = tb && (pc & TCG_PAGE_MASK) == (tb->tb.pc & TCG_PAGE_MASK);
    /* The TB's first page, RAM, seen before in this translation: no TLB lookup
     * per byte (a RAM block stays mapped while the vCPU's RCU section is open). */
    if (same_page && e->code_host) {
        return e->code_host[pc & ~TCG_PAGE_MASK];
    }
    bool non_ram;
    uint64_t phys = get_page_addr_code(cpu, e, pc, false, &non_ram);
    if (non_ram) {
        uint8_t b;
        io_access(phys, &b, 1, false);
        return b;
    }
    if (tb && (pc & TCG_PAGE_MASK) != (tb->tb.pc & TCG_PAGE_MASK)) {
        uint64_t pp = phys & TCG_PAGE_MASK;
        if (tb->tb.phys_page2 == (uint64_t)-1) {
            tb->tb.phys_page2 = pp;
        } else if (tb->tb.phys_page2 != pp) {
            g_error("tcg: a TB at 0x%" PRIx64 " spans more than two pages", tb->tb.pc);
        }
    }
    unsigned idx = tlb_index(pc);
    const uint8_t *host = (const uint8_t *)(uintptr_t)(
        pc + e->tlb[tcg_ops->mmu_index(cpu, true)].table[idx].addend);
    if (same_page) {
        e->code_host = host - (pc & ~TCG_PAGE_MASK);
    }
    return *host;
}

static uint64_t translator_ld(CPUState *cpu, uint64_t pc, int size)
{
    uint64_t v = 0;
    for (int i = 0; i < size; i++) {
        v |= (uint64_t)code_byte(cpu, pc + i) << (8 * i);
    }
    return v;
}

uint8_t translator_ldub(CPUState *cpu, uint64_t pc)
{
    return translator_ld(cpu, pc, 1);
}
uint16_t translator_lduw(CPUState *cpu, uint64_t pc)
{
    return translator_ld(cpu, pc, 2);
}
uint32_t translator_ldl(CPUState *cpu, uint64_t pc)
{
    return translator_ld(cpu, pc, 4);
}
uint64_t translator_ldq(CPUState *cpu, uint64_t pc)
{
    return translator_ld(cpu, pc, 8);
}
