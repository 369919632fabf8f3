/* Private to accel/tcg: TB bookkeeping, per-vCPU engine state, TLB storage. */
#ifndef ACCEL_TCG_INTERNAL_H
#define ACCEL_TCG_INTERNAL_H

#include "accel/tcg/tcg-cpu-ops.h"
#include "accel/tcg/tcg-engine.h"
#include "tcg/tcg-softmmu.h"
#include "system/memory.h"
#include <setjmp.h>

/*
 * TLB flag bits, below TCG_PAGE_BITS so that the inline fast path misses on them
 * (include/tcg/tcg-softmmu.h). An invalid entry is all-ones, which includes
 * TLB_INVALID.
 */
#define TLB_NOTDIRTY     (1ull << 9)    /* RAM page holding TBs (writes invalidate) or
                                           not yet dirty for a logging client */
#define TLB_MMIO         (1ull << 10)   /* not plain RAM: go through the memory API */
#define TLB_INVALID      (1ull << 11)
#define TLB_FLAGS_MASK   (TLB_NOTDIRTY | TLB_MMIO | TLB_INVALID)

#define TLB_BITS 10
#define TLB_ENTRIES (1u << TLB_BITS)
/* Victim TLB: entries evicted from the direct-mapped table by a conflicting page. */
#define TLB_VICTIMS 8
#define TB_JMP_CACHE_BITS 12
#define TB_JMP_CACHE_SIZE (1u << TB_JMP_CACHE_BITS)

typedef struct TLBEntryFull {
    uint64_t paddr;          /* guest-physical page */
    MemoryRegion *ram_mr;    /* RAM behind a writable RAM entry, else NULL */
    hwaddr ram_offset;       /* the page's offset in ram_mr */
    uint8_t log_mask;        /* the region's dirty-logging clients at fill time */
    bool global;             /* filled with PAGE_GLOBAL */
} TLBEntryFull;

typedef struct TLBDesc {
    CPUTLBEntry *table;
    TLBEntryFull *full;
    uint64_t large_page_addr;    /* -1: no large page mapped in this mode */
    uint64_t large_page_mask;
    bool used;                   /* filled since its last flush: else all invalid */
    bool has_global;             /* some entry since the last full flush is global */
    uint64_t global_map[TLB_ENTRIES / 64];   /* table[i] filled with PAGE_GLOBAL */
    unsigned vnext;              /* next victim slot to replace (round robin) */
    CPUTLBEntry vtable[TLB_VICTIMS];
    TLBEntryFull vfull[TLB_VICTIMS];
} TLBDesc;

/*
 * The engine's TB: the front end's view first, so a TranslationBlock pointer (what
 * exit_tb returns) is an EngineTB pointer. Chaining links use tagged pointers
 * (EngineTB * | slot n).
 */
typedef struct EngineTB EngineTB;
struct EngineTB {
    TranslationBlock tb;
    EngineTB *hash_next;
    uint32_t hash;
    bool invalid;
    uint64_t page_addr[2];       /* physical pages the code came from; -1 = none */
    uintptr_t page_next[2];      /* next TB on page_addr[n], tagged with n */
    EngineTB *jmp_dest[2];       /* where goto_tb n is chained to */
    uintptr_t jmp_next[2];       /* incoming-list link for slot n */
    uintptr_t jmp_list;          /* incoming jumps: first (src | n) */
};

/*
 * A jump-cache entry holds the key of the TB it caches and the TB's code
 * address, so a hit reads nothing else (TBs are scattered; their lines miss).
 * Only TBs with cflags 0 are cached. epoch 0: the TB was reached through a
 * global code mapping and survives tlb_flush_nonglobal; otherwise the entry
 * is valid while it equals the engine's jc_epoch. Empty: tc_ptr NULL. Only the
 * owning vCPU fills entries; other threads only clear tc_ptr (invalidation).
 */
typedef struct JmpCacheEntry {
    uint64_t pc;
    uint64_t cs_base;
    uint32_t flags;
    uint32_t epoch;
    const void *tc_ptr;          /* atomic */
} JmpCacheEntry;

typedef struct TCGCPUEngine {
    CPUState *cpu;
    void *env;
    sigjmp_buf jmp_env;
    int exception_index;
    int interrupt_request;       /* atomic */
    int yield_request;           /* atomic: another vCPU waits for the exec lock */
    int tlb_flush_request;       /* atomic: the memory map changed */
    int dirty_reset_request;     /* atomic: dirty bits were cleared: re-arm NOTDIRTY */
    int64_t cflags_next_tb;      /* -1: none */
    EngineTB *translating;       /* TB under translation (code page tracking) */
    const uint8_t *code_host;    /* host view of @translating's first page, once
                                    fetched from RAM; NULL: not yet */
    JmpCacheEntry jmp_cache[TB_JMP_CACHE_SIZE];
    EngineTB *jmp_tb[TB_JMP_CACHE_SIZE];     /* atomic: the TB of jmp_cache[i] */
    uint32_t jc_epoch;                       /* never 0 */
    TLBDesc tlb[TCG_NB_MMU_MODES];
} TCGCPUEngine;

extern const TCGCPUOps *tcg_ops;
extern TCGEngineStats tcg_stats;

TCGCPUEngine *tcg_cpu_engine(CPUState *cpu);
void tcg_engine_foreach_cpu(void (*fn)(TCGCPUEngine *e, void *opaque), void *opaque);

static inline int32_t *tcg_exit_flag(TCGCPUEngine *e)
{
    return (int32_t *)((char *)e->env + tcg_ops->exit_request_offset);
}
void tcg_engine_request_exit(TCGCPUEngine *e);

/* cpu-exec.c */
EngineTB *tb_find_by_host_pc(uintptr_t host_pc);
bool tb_page_has_code(uint64_t paddr);
/* Invalidate TBs overlapping [start, end); true if @cur was one of them. */
bool tb_invalidate_range_check(uint64_t start, uint64_t end, EngineTB *cur);
void tb_jmp_cache_clear_page(TCGCPUEngine *e, uint64_t vaddr, uint64_t mask);
void tb_jmp_cache_clear(TCGCPUEngine *e);
/* Drop the entries not marked global (a non-global TLB flush). */
void tb_jmp_cache_clear_nonglobal(TCGCPUEngine *e);

/* cputlb.c */
void tlb_engine_init(TCGCPUEngine *e);
void tlb_engine_destroy(TCGCPUEngine *e);
void tlb_protect_code_page(uint64_t paddr);
/* Physical address of the code at @pc, filling the code TLB (may raise a fault);
 * -1 when @probe and the page is not in the TLB or not RAM/ROM. Otherwise *non_ram
 * tells whether the code is in device memory (fetched through the memory API). */
uint64_t get_page_addr_code(CPUState *cpu, TCGCPUEngine *e, uint64_t pc, bool probe,
                            bool *non_ram);
/* The same, also telling whether the page was mapped with PAGE_GLOBAL. */
uint64_t get_page_addr_code_global(CPUState *cpu, TCGCPUEngine *e, uint64_t pc,
                                   bool probe, bool *non_ram, bool *global);
void tlb_flush_all_engine(TCGCPUEngine *e);
/* Between TBs: give TLB_NOTDIRTY back to write entries whose page lost a dirty bit. */
void tlb_rearm_notdirty(TCGCPUEngine *e);
/* Flush every vCPU's TLB when the memory map changes (from tcg_engine_init/shutdown). */
void tlb_map_listener_start(void);
void tlb_map_listener_stop(void);

#endif
