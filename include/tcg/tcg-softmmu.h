/*
 * The contract between generated code and the softmmu TLB owned by accel/tcg.
 *
 * Layout: env + TCGContextConfig.tlb_fast_offset points at
 * `CPUTLBFast fast[TCG_NB_MMU_MODES]` (16 bytes each). The recommended layout puts
 * the TLB-fast area at the very start of the CPU state struct (offset 0), so the
 * inline lookup uses one-byte displacements. fast[i].table points at
 * (fast[i].mask >> CPU_TLB_ENTRY_BITS) + 1 entries of CPUTLBEntry (a power of two).
 *
 * Inline lookup for a guest access of size S = 1 << (memop & MO_SIZE), alignment
 * A = S if MO_ALIGN else 1, at 64-bit address addr, in MMU mode m:
 *
 *   entry = (CPUTLBEntry *)((uintptr_t)fast[m].table +
 *                           ((addr >> (TCG_PAGE_BITS - CPU_TLB_ENTRY_BITS)) & fast[m].mask))
 *   cmp   = ((addr + S - A) & (TCG_PAGE_MASK | (A - 1)))
 *   hit  <=> cmp == entry->addr_read (loads) / entry->addr_write (stores)
 *   host  = addr + entry->addend
 *
 * So an access that crosses a page, a misaligned MO_ALIGN access, an entry with any
 * bit set below TCG_PAGE_BITS (TLB_INVALID, TLB_MMIO, watchpoints: the accel's
 * choice, e.g. bits 8-11) or the invalid comparator -1 all take the slow path: a
 * call to the helper below matching the access size, with
 *
 *   env, addr, oi = make_memop_idx(memop, mmu_idx), retaddr
 *
 * where retaddr is a host address inside the TB, just after the access; the accel
 * passes it to tcg_restore_state_from_host_pc() to find the faulting guest
 * instruction (globals are already in memory there: see docs/devel/tcg.md).
 * The load helpers return the value zero-extended and already byte-swapped when
 * MO_BSWAP is set; the generated code sign-extends for MO_SIGN. The store helpers
 * receive the value as held in the temp and byte-swap it themselves for MO_BSWAP.
 * MO_ALIGN violations are the helper's to report (#AC, or ignore).
 *
 * tci performs the same lookup in C (tcg/tci/tci.c), so hits and misses are the same
 * on both backends.
 */
#ifndef TCG_TCG_SOFTMMU_H
#define TCG_TCG_SOFTMMU_H

#include "tcg/tcg.h"

#define TCG_PAGE_BITS 12
#define TCG_PAGE_SIZE (1ull << TCG_PAGE_BITS)
#define TCG_PAGE_MASK (~(uint64_t)(TCG_PAGE_SIZE - 1))
#define TCG_NB_MMU_MODES 16
#define CPU_TLB_ENTRY_BITS 5

typedef struct CPUTLBEntry {
    uint64_t addr_read;     /* page address | flags, or -1 when the entry is invalid */
    uint64_t addr_write;
    uint64_t addr_code;
    uintptr_t addend;       /* host address - guest address for the page */
} CPUTLBEntry;

typedef struct CPUTLBFast {
    uintptr_t mask;         /* (entries - 1) << CPU_TLB_ENTRY_BITS */
    CPUTLBEntry *table;
} CPUTLBFast;

_Static_assert(sizeof(CPUTLBEntry) == 1 << CPU_TLB_ENTRY_BITS, "TLB entry size");
_Static_assert(sizeof(CPUTLBFast) == 16, "TLB fast size");

/* Offsets the backends use. */
#define TCG_TLB_FAST_MASK_OFS 0
#define TCG_TLB_FAST_TABLE_OFS 8
#define TCG_TLB_READ_OFS 0
#define TCG_TLB_WRITE_OFS 8
#define TCG_TLB_ADDEND_OFS 24

/* Slow-path helpers: implemented by accel/tcg (and by the unit tests). */
uint64_t helper_ldub_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr);
uint64_t helper_lduw_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr);
uint64_t helper_ldul_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr);
uint64_t helper_lduq_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr);
void helper_stb_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra);
void helper_stw_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra);
void helper_stl_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra);
void helper_stq_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra);

typedef uint64_t (*TCGLoadHelper)(void *, uint64_t, MemOpIdx, uintptr_t);
typedef void (*TCGStoreHelper)(void *, uint64_t, uint64_t, MemOpIdx, uintptr_t);
extern const TCGLoadHelper tcg_ld_helpers[4];
extern const TCGStoreHelper tcg_st_helpers[4];

#endif
