/*
 * The TCG execution engine: the cpu-exec loop, the TB cache (per-vCPU jump cache in
 * front of a global hash table keyed by physical pc, pc, cs_base, flags, cflags),
 * translation, direct chaining and unchaining, invalidation of TBs by physical range
 * (self-modifying code, DMA), and the bounded code buffer. docs/devel/tcg.md
 * ("Engine") describes the life of a TB.
 *
 * Locks: exec_lock is held by the one vCPU that runs guest code (round-robin time
 * slices); it alone translates, flushes and touches TLBs and jump caches. tb_lock
 * (a leaf) guards the hash table, the page lists and the chaining lists, because DMA
 * invalidations come from other threads. TB structures are freed only by tb_flush,
 * which only the exec_lock holder runs, outside generated code.
 */
#include "accel/tcg/internal.h"
#include "accel/tcg/translator.h"
#include "tcg/tcg-op.h"
#include "util/log.h"
#include "util/rcu.h"

const TCGCPUOps *tcg_ops;
TCGEngineStats tcg_stats;

static TCGContext *engine_ctx;
static TCGEngineConfig engine_cfg;
/*
 * The exec lock is a FIFO ticket lock, not a plain mutex: a vCPU that ends its
 * slice because another one waits must not take the lock straight back (an
 * unfair mutex let one spinning vCPU starve the vCPU it was waiting for).
 */
static GMutex exec_mutex;
static GCond exec_cond;
static unsigned exec_next_ticket, exec_now_serving;
static GMutex tb_lock;
static CPUState *exec_owner;
static void (*kick_hook)(CPUState *cpu);

#define TB_HASH_BITS 16
#define TB_HASH_SIZE (1u << TB_HASH_BITS)
static EngineTB *tb_hash[TB_HASH_SIZE];
static GHashTable *page_map;        /* physical page number -> first TB (tagged) */
static GPtrArray *all_tbs;          /* in code-buffer order: host pc -> TB search */
static uint64_t nb_live_tbs;
static GMutex cpus_list_lock;
static GPtrArray *engine_cpus;      /* every TCGCPUEngine, for flushes and code marking */

void tcg_engine_foreach_cpu(void (*fn)(TCGCPUEngine *e, void *opaque), void *opaque)
{
    g_mutex_lock(&cpus_list_lock);
    for (guint i = 0; engine_cpus && i < engine_cpus->len; i++) {
        fn(g_ptr_array_index(engine_cpus, i), opaque);
    }
    g_mutex_unlock(&cpus_list_lock);
}

void tcg_register_cpu_ops(const TCGCPUOps *ops)
{
    tcg_ops = ops;
}

const TCGCPUOps *tcg_engine_ops(void)
{
    return tcg_ops;
}

bool tcg_engine_ready(void)
{
    return engine_ctx != NULL;
}

const char *tcg_engine_backend_name(void)
{
    return engine_ctx ? tcg_backend_name(engine_ctx) : "none";
}

void tcg_engine_set_kick_hook(void (*fn)(CPUState *cpu))
{
    kick_hook = fn;
}

static const void *lookup_tb_ptr(void *env);
static void tb_flush_locked(void);

bool tcg_engine_init(const TCGEngineConfig *cfg, Error **errp)
{
    if (engine_ctx) {
        return true;
    }
    if (!tcg_ops) {
        error_setg(errp, "tcg: no guest front end registered (the x86 translator is not "
                   "built yet)");
        return false;
    }
    engine_cfg = *cfg;
    if (!engine_cfg.slice_tbs) {
        engine_cfg.slice_tbs = 4096;
    }
    TCGContextConfig tc = {
        .backend = cfg->backend,
        .code_size = cfg->code_size,
        .insn_start_words = tcg_ops->insn_start_words,
        .tlb_fast_offset = tcg_ops->tlb_fast_offset,
    };
    TCGContext *s = tcg_context_new(&tc, errp);
    if (!s) {
        return false;
    }
    TCGContext *old = tcg_ctx;
    tcg_set_ctx(s);
    if (tcg_ops->initialize) {
        tcg_ops->initialize();
    }
    tcg_set_ctx(old);
    page_map = g_hash_table_new(g_direct_hash, g_direct_equal);
    tlb_map_listener_start();
    all_tbs = g_ptr_array_new();
    tcg_set_lookup_tb_ptr(lookup_tb_ptr);
    engine_ctx = s;
    return true;
}

void tcg_engine_shutdown(void)
{
    if (!engine_ctx) {
        return;
    }
    tlb_map_listener_stop();
    tb_flush_locked();
    tcg_context_free(engine_ctx);
    engine_ctx = NULL;
    g_hash_table_destroy(page_map);
    page_map = NULL;
    g_ptr_array_free(all_tbs, TRUE);
    all_tbs = NULL;
    memset(&tcg_stats, 0, sizeof(tcg_stats));
}

/* ---- per-vCPU state ---- */

TCGCPUEngine *tcg_cpu_engine(CPUState *cpu)
{
    TCGCPUEngine *e = __atomic_load_n((TCGCPUEngine **)&cpu->accel, __ATOMIC_ACQUIRE);
    if (G_LIKELY(e)) {
        return e;
    }
    g_assert(tcg_ops);
    e = g_new0(TCGCPUEngine, 1);
    e->cpu = cpu;
    e->env = tcg_ops->get_env(cpu);
    e->exception_index = EXCP_NONE;
    e->cflags_next_tb = -1;
    e->jc_epoch = 1;
    if (tcg_ops->jmp_cache_offset) {
        *(void **)((char *)e->env + tcg_ops->jmp_cache_offset) = e;
    }
    tlb_engine_init(e);
    TCGCPUEngine *expected = NULL;
    if (!__atomic_compare_exchange_n((TCGCPUEngine **)&cpu->accel, &expected, e, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        tlb_engine_destroy(e);
        g_free(e);
        return expected;
    }
    g_mutex_lock(&cpus_list_lock);
    if (!engine_cpus) {
        engine_cpus = g_ptr_array_new();
    }
    g_ptr_array_add(engine_cpus, e);
    g_mutex_unlock(&cpus_list_lock);
    return e;
}

void tcg_engine_cpu_init(CPUState *cpu)
{
    tcg_cpu_engine(cpu);
}

void tcg_engine_cpu_destroy(CPUState *cpu)
{
    TCGCPUEngine *e = (TCGCPUEngine *)cpu->accel;
    if (e) {
        cpu->accel = NULL;
        g_mutex_lock(&cpus_list_lock);
        g_ptr_array_remove(engine_cpus, e);
        g_mutex_unlock(&cpus_list_lock);
        tlb_engine_destroy(e);
        g_free(e);
    }
}

void tcg_engine_request_exit(TCGCPUEngine *e)
{
    if (tcg_ops->exit_request_offset) {
        __atomic_store_n(tcg_exit_flag(e), 1, __ATOMIC_RELEASE);
    }
}

void cpu_interrupt(CPUState *cpu, int mask)
{
    TCGCPUEngine *e = tcg_cpu_engine(cpu);
    __atomic_fetch_or(&e->interrupt_request, mask, __ATOMIC_SEQ_CST);
    tcg_engine_request_exit(e);
    if (kick_hook) {
        kick_hook(cpu);
    }
}

void tcg_engine_kick(CPUState *cpu)
{
    if (tcg_ops) {
        tcg_engine_request_exit(tcg_cpu_engine(cpu));
    }
}

void cpu_reset_interrupt(CPUState *cpu, int mask)
{
    __atomic_fetch_and(&tcg_cpu_engine(cpu)->interrupt_request, ~mask, __ATOMIC_SEQ_CST);
}

int cpu_interrupt_request(CPUState *cpu)
{
    return __atomic_load_n(&tcg_cpu_engine(cpu)->interrupt_request, __ATOMIC_ACQUIRE);
}

int cpu_exception_index(CPUState *cpu)
{
    return tcg_cpu_engine(cpu)->exception_index;
}

void cpu_set_exception_index(CPUState *cpu, int excp)
{
    tcg_cpu_engine(cpu)->exception_index = excp;
}

/* ---- entering and leaving generated code ---- */

void cpu_loop_exit(CPUState *cpu)
{
    TCGCPUEngine *e = tcg_cpu_engine(cpu);
    /* A longjmp out of tci leaves its published return address behind. */
    tcg_tci_retaddr = 0;
    siglongjmp(e->jmp_env, 1);
}

bool cpu_restore_state(CPUState *cpu, uintptr_t retaddr)
{
    if (!retaddr) {
        return false;
    }
    EngineTB *tb = tb_find_by_host_pc(retaddr);
    if (!tb) {
        return false;
    }
    uint64_t data[TCG_MAX_INSN_START_WORDS] = { 0 };
    if (tcg_restore_state_from_host_pc(&tb->tb.tc, retaddr, data) < 0) {
        return false;
    }
    tcg_ops->restore_state_to_opc(cpu, &tb->tb, data);
    return true;
}

void cpu_loop_exit_restore(CPUState *cpu, uintptr_t retaddr)
{
    cpu_restore_state(cpu, retaddr);
    cpu_loop_exit(cpu);
}

/* ---- the exit-request check every TB starts with ---- */

static __thread TCGLabel *tb_exit_label;

void tcg_gen_tb_start(TranslationBlock *tb)
{
    tb_exit_label = NULL;
    if (!tcg_ops || !tcg_ops->exit_request_offset) {
        return;
    }
    TCGv_i32 flag = tcg_temp_ebb_new_i32();
    tcg_gen_ld_i32(flag, tcg_env, tcg_ops->exit_request_offset);
    tb_exit_label = gen_new_label();
    tcg_gen_brcondi_i32(TCG_COND_NE, flag, 0, tb_exit_label);
    tcg_temp_free_i32(flag);
}

void tcg_gen_tb_end(TranslationBlock *tb)
{
    /* The exit path stores nothing: a TB entered by a chained jump has not had its
     * guest PC stored by its predecessor, so cpu_exec_loop restores the state of
     * the TB's first instruction (tb_exit_requested_restore) for every front end. */
    if (tb_exit_label) {
        gen_set_label(tb_exit_label);
        tcg_gen_exit_tb(tb, TB_EXIT_REQUESTED);
        tb_exit_label = NULL;
    }
}

/*
 * The inline jump-cache probe (translator.h). env's jmp_cache_offset slot points at
 * the TCGCPUEngine; the code below does what jc_probe() does:
 *
 *   je = &e->jmp_cache[jc_hash(pc)]
 *   if (je->pc != pc || je->cs_base != cs_base) miss
 *   if (je->flags | je->epoch << 32 != flags &&
 *       je->flags | je->epoch << 32 != flags | e->jc_epoch << 32) miss
 *   if (!je->tc_ptr) miss                (empty, or cleared by an invalidation)
 *   goto_ptr je->tc_ptr                  (the TB's entry checks the exit flag)
 * miss: lookup_tb_ptr (the full state, the hash table, the exit/cflags checks)
 *
 * Keys are written only by the owning vCPU (this thread); other threads only
 * clear tc_ptr, which is loaded last. Not used under -d exec (the hook logs).
 */
_Static_assert(sizeof(JmpCacheEntry) == 32, "entry size: the hash is shifted by 5");
_Static_assert(offsetof(JmpCacheEntry, epoch) == offsetof(JmpCacheEntry, flags) + 4,
               "flags and epoch are loaded as one word");

void tcg_gen_lookup_and_goto_ptr_jc(TCGv_i64 pc, uint64_t cs_base, TCGv_i32 flags)
{
    if (!tcg_ops || !tcg_ops->jmp_cache_offset || !tcg_ops->exit_request_offset ||
        emu_log_enabled(LOG_EXEC)) {
        tcg_gen_lookup_and_goto_ptr();
        return;
    }
    const intptr_t jc = offsetof(TCGCPUEngine, jmp_cache);
    TCGLabel *miss = gen_new_label();
    TCGv_ptr eng = tcg_temp_ebb_new_ptr();
    TCGv_i64 ent = tcg_temp_ebb_new_i64();
    TCGv_i64 k = tcg_temp_ebb_new_i64();
    TCGv_i64 want = tcg_temp_ebb_new_i64();
    TCGv_i64 t = tcg_temp_ebb_new_i64();

    tcg_gen_ld_ptr(eng, tcg_env, tcg_ops->jmp_cache_offset);
    /* ((pc ^ pc >> 12) & 4095) * sizeof(JmpCacheEntry) */
    tcg_gen_shri_i64(ent, pc, TB_JMP_CACHE_BITS);
    tcg_gen_xor_i64(ent, ent, pc);
    tcg_gen_andi_i64(ent, ent, TB_JMP_CACHE_SIZE - 1);
    tcg_gen_shli_i64(ent, ent, 5);
    tcg_gen_add_i64(ent, ent, tcgv_ptr_as_i64(eng));
    TCGv_ptr pent = tcgv_i64_as_ptr(ent);

    tcg_gen_ld_i64(k, pent, jc + offsetof(JmpCacheEntry, pc));
    tcg_gen_brcond_i64(TCG_COND_NE, k, pc, miss);
    tcg_gen_ld_i64(k, pent, jc + offsetof(JmpCacheEntry, cs_base));
    tcg_gen_brcondi_i64(TCG_COND_NE, k, (int64_t)cs_base, miss);
    /* flags and epoch as one little-endian word */
    tcg_gen_ld_i64(k, pent, jc + offsetof(JmpCacheEntry, flags));
    tcg_gen_extu_i32_i64(want, flags);
    tcg_gen_ld32u_i64(t, eng, offsetof(TCGCPUEngine, jc_epoch));
    tcg_gen_shli_i64(t, t, 32);
    tcg_gen_or_i64(t, t, want);
    tcg_gen_setcond_i64(TCG_COND_EQ, t, k, t);        /* this epoch */
    tcg_gen_setcond_i64(TCG_COND_EQ, want, k, want);  /* epoch 0: global */
    tcg_gen_or_i64(t, t, want);
    tcg_gen_brcondi_i64(TCG_COND_EQ, t, 0, miss);
    tcg_gen_ld_i64(k, pent, jc + offsetof(JmpCacheEntry, tc_ptr));
    tcg_gen_brcondi_i64(TCG_COND_EQ, k, 0, miss);
    tcg_gen_goto_ptr(tcgv_i64_as_ptr(k));
    gen_set_label(miss);
    tcg_temp_free_ptr(eng);
    tcg_temp_free_i64(ent);
    tcg_temp_free_i64(k);
    tcg_temp_free_i64(want);
    tcg_temp_free_i64(t);
    tcg_gen_lookup_and_goto_ptr();
}

/*
 * @tb left through its exit-request check, before its first instruction. If it was
 * entered by a chained jump, its predecessor never stored the guest PC, so bring the
 * state back to "about to run @tb" from the insn_start words of its first insn. The
 * one mechanism for every front end (the exit path itself stores nothing). Rare path.
 */
static void tb_exit_requested_restore(CPUState *cpu, EngineTB *tb)
{
    uint64_t data[TCG_MAX_INSN_START_WORDS] = { 0 };
    if (tcg_tb_insn_data(&tb->tb.tc, 0, data) == 0) {
        tcg_ops->restore_state_to_opc(cpu, &tb->tb, data);
    }
}

/* ---- the TB cache ---- */

/*
 * TBs start on a cache line: a jump-cache hit reads pc, cs_base, flags,
 * cflags and tc.tc_ptr, which then share one line (TranslationBlock's first
 * 56 bytes).
 */
G_STATIC_ASSERT(offsetof(EngineTB, tb.tc.tc_ptr) + sizeof(void *) <= 64);

static EngineTB *tb_alloc(void)
{
    void *p;
    if (posix_memalign(&p, 64, sizeof(EngineTB))) {
        g_error("tcg: out of memory for a TB");
    }
    memset(p, 0, sizeof(EngineTB));
    return p;
}

static void tb_free(EngineTB *tb)
{
    free(tb);
}

static uint32_t tb_hash_func(uint64_t phys_pc, uint64_t pc, uint64_t cs_base,
                             uint32_t flags, uint32_t cflags)
{
    uint64_t h = phys_pc * 0x9e3779b97f4a7c15ull;
    h ^= (pc + (h << 6) + (h >> 2)) * 0xc2b2ae3d27d4eb4full;
    h ^= (cs_base ^ ((uint64_t)flags << 32 | cflags)) * 0x165667b19e3779f9ull;
    return (uint32_t)(h ^ (h >> 29) ^ (h >> 47));
}

static inline unsigned jc_hash(uint64_t pc)
{
    return (unsigned)((pc ^ (pc >> TB_JMP_CACHE_BITS)) & (TB_JMP_CACHE_SIZE - 1));
}

void tb_jmp_cache_clear(TCGCPUEngine *e)
{
    memset(e->jmp_cache, 0, sizeof(e->jmp_cache));
    memset(e->jmp_tb, 0, sizeof(e->jmp_tb));
    if (!e->jc_epoch) {
        e->jc_epoch = 1;
    }
}

/* O(1) (a CR3 write on every context switch): older non-global entries stop
 * matching. */
void tb_jmp_cache_clear_nonglobal(TCGCPUEngine *e)
{
    if (++e->jc_epoch == 0) {
        tb_jmp_cache_clear(e);           /* wrapped: 0 would mean global */
    }
}

void tb_jmp_cache_clear_page(TCGCPUEngine *e, uint64_t vaddr, uint64_t mask)
{
    for (unsigned i = 0; i < TB_JMP_CACHE_SIZE; i++) {
        EngineTB *tb = __atomic_load_n(&e->jmp_tb[i], __ATOMIC_RELAXED);
        if (tb && ((tb->tb.pc & mask) == vaddr ||
                   (((tb->tb.pc + tb->tb.size - 1) & mask) == vaddr))) {
            __atomic_store_n(&e->jmp_cache[i].tc_ptr, NULL, __ATOMIC_RELAXED);
        }
    }
}

/* The code of the cached TB for the key, or NULL. */
static inline const void *jc_probe(TCGCPUEngine *e, unsigned h, uint64_t pc,
                                   uint64_t cs_base, uint32_t flags)
{
    const JmpCacheEntry *je = &e->jmp_cache[h];
    const void *tc = __atomic_load_n(&je->tc_ptr, __ATOMIC_RELAXED);
    if (tc && je->pc == pc && je->flags == flags && je->cs_base == cs_base &&
        (je->epoch == 0 || je->epoch == e->jc_epoch)) {
        return tc;
    }
    return NULL;
}

/*
 * The jump caches never hold an invalidated TB, so a hit needs no look at
 * the TB. Invalidation (any thread, tb_lock) sets tb->invalid, then clears
 * every vCPU's entry for its pc that still names it; a vCPU filling an entry
 * publishes it, then checks tb->invalid. Both sides are sequentially
 * consistent, so one of them sees the other: either the invalidator finds
 * the TB in the entry or the filler sees the flag. As before, a TB
 * invalidated right after it was found may run once more.
 */
static void jmp_cache_purge_cb(TCGCPUEngine *e, void *opaque)
{
    EngineTB *tb = opaque;
    unsigned h = jc_hash(tb->tb.pc);
    if (__atomic_load_n(&e->jmp_tb[h], __ATOMIC_SEQ_CST) == tb) {
        __atomic_store_n(&e->jmp_cache[h].tc_ptr, NULL, __ATOMIC_SEQ_CST);
    }
}

static void jmp_cache_set(TCGCPUEngine *e, unsigned h, EngineTB *tb, bool global)
{
    JmpCacheEntry *je = &e->jmp_cache[h];
    je->pc = tb->tb.pc;
    je->cs_base = tb->tb.cs_base;
    je->flags = tb->tb.flags;
    je->epoch = global ? 0 : e->jc_epoch;
    __atomic_store_n(&e->jmp_tb[h], tb, __ATOMIC_SEQ_CST);
    __atomic_store_n(&je->tc_ptr, tb->tb.tc.tc_ptr, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&tb->invalid, __ATOMIC_SEQ_CST)) {
        __atomic_store_n(&je->tc_ptr, NULL, __ATOMIC_SEQ_CST);
    }
}

static inline bool tb_matches(const EngineTB *tb, uint64_t phys_pc, uint64_t pc,
                              uint64_t cs_base, uint32_t flags, uint32_t cflags)
{
    return tb->tb.pc == pc && tb->tb.phys_pc == phys_pc && tb->tb.cs_base == cs_base &&
           tb->tb.flags == flags && tb->tb.cflags == cflags;
}

/*
 * Without tb_lock (taken on every jump-cache miss): the only caller is the exec
 * lock holder, the same thread that links TBs into the table (tb_gen_code) and
 * flushes it. Other threads only unlink (a device write invalidating code, under
 * tb_lock), which rewrites the predecessor's link but not the unlinked TB's own
 * hash_next, so a walk standing on it goes on along the chain; the TB itself
 * stays allocated until the next flush. A TB already marked invalid is
 * skipped; one invalidated right after it was found runs at most once more,
 * the window the jump cache has too.
 */
static EngineTB *tb_hash_lookup(uint64_t phys_pc, uint64_t pc, uint64_t cs_base,
                                uint32_t flags, uint32_t cflags)
{
    uint32_t h = tb_hash_func(phys_pc, pc, cs_base, flags, cflags);
    EngineTB *tb = __atomic_load_n(&tb_hash[h & (TB_HASH_SIZE - 1)], __ATOMIC_ACQUIRE);
    while (tb && !(tb->hash == h && tb_matches(tb, phys_pc, pc, cs_base, flags, cflags) &&
                   !__atomic_load_n(&tb->invalid, __ATOMIC_ACQUIRE))) {
        tb = __atomic_load_n(&tb->hash_next, __ATOMIC_ACQUIRE);
    }
    return tb;
}

static gpointer page_key(uint64_t paddr)
{
    return GSIZE_TO_POINTER((paddr >> TCG_PAGE_BITS) + 1);
}

/*
 * A lock-free filter in front of page_map for tb_page_has_code(), which every
 * TLB fill of a writable page asks: per bucket of physical pages (page number
 * modulo the size), how many of its pages hold TBs. Zero answers "no code"
 * without tb_lock; otherwise page_map gives the exact answer. Counts change
 * under tb_lock where a page enters or leaves page_map. Pages gain TBs only in
 * the exec lock holder, which is also the thread asking, so a zero is never
 * stale for it; other threads (DMA invalidations) only remove pages, which can
 * leave a count high for a moment: that costs the locked look-up, not a miss.
 */
#define CODE_FILTER_SIZE (1u << 16)
static uint32_t code_filter[CODE_FILTER_SIZE];

static inline uint32_t *code_filter_slot(uint64_t paddr)
{
    return &code_filter[(paddr >> TCG_PAGE_BITS) & (CODE_FILTER_SIZE - 1)];
}

bool tb_page_has_code(uint64_t paddr)
{
    if (!__atomic_load_n(code_filter_slot(paddr), __ATOMIC_RELAXED)) {
        return false;
    }
    g_mutex_lock(&tb_lock);
    bool r = page_map && g_hash_table_contains(page_map, page_key(paddr));
    g_mutex_unlock(&tb_lock);
    return r;
}

static inline EngineTB *tagged_tb(uintptr_t v)
{
    return (EngineTB *)(v & ~(uintptr_t)3);
}

/* tb_lock held. */
static void tb_link(EngineTB *tb)
{
    EngineTB **b = &tb_hash[tb->hash & (TB_HASH_SIZE - 1)];
    tb->hash_next = *b;
    __atomic_store_n(b, tb, __ATOMIC_RELEASE);     /* tb_hash_lookup reads without lock */
    for (int n = 0; n < 2; n++) {
        if (tb->page_addr[n] == (uint64_t)-1) {
            continue;
        }
        gpointer key = page_key(tb->page_addr[n]);
        tb->page_next[n] = (uintptr_t)g_hash_table_lookup(page_map, key);
        g_hash_table_insert(page_map, key, (gpointer)((uintptr_t)tb | n));
        if (!tb->page_next[n]) {
            __atomic_add_fetch(code_filter_slot(tb->page_addr[n]), 1, __ATOMIC_RELAXED);
        }
    }
    nb_live_tbs++;
}

/* Remove (src, n) from dest's incoming list. tb_lock held. */
static void tb_jmp_unlink(EngineTB *src, int n)
{
    EngineTB *dest = src->jmp_dest[n];
    uintptr_t *p = &dest->jmp_list;
    while (*p) {
        EngineTB *t = tagged_tb(*p);
        int tn = *p & 1;
        if (t == src && tn == n) {
            *p = src->jmp_next[n];
            break;
        }
        p = &t->jmp_next[tn];
    }
    src->jmp_dest[n] = NULL;
}

/* tb_lock held. */
static void tb_invalidate_locked(EngineTB *tb)
{
    if (tb->invalid) {
        return;
    }
    __atomic_store_n(&tb->invalid, true, __ATOMIC_SEQ_CST);
    tcg_engine_foreach_cpu(jmp_cache_purge_cb, tb);
    EngineTB **b = &tb_hash[tb->hash & (TB_HASH_SIZE - 1)];
    while (*b && *b != tb) {
        b = &(*b)->hash_next;
    }
    if (*b) {
        __atomic_store_n(b, tb->hash_next, __ATOMIC_RELEASE);
    }
    for (int n = 0; n < 2; n++) {
        if (tb->page_addr[n] == (uint64_t)-1) {
            continue;
        }
        gpointer key = page_key(tb->page_addr[n]);
        uintptr_t head = (uintptr_t)g_hash_table_lookup(page_map, key);
        uintptr_t self = (uintptr_t)tb | n;
        if (head == self) {
            if (tb->page_next[n]) {
                g_hash_table_insert(page_map, key, (gpointer)tb->page_next[n]);
            } else {
                g_hash_table_remove(page_map, key);
                __atomic_sub_fetch(code_filter_slot(tb->page_addr[n]), 1,
                                   __ATOMIC_RELAXED);
            }
        } else {
            uintptr_t cur = head;
            while (cur) {
                EngineTB *t = tagged_tb(cur);
                int tn = cur & 1;
                if (t->page_next[tn] == self) {
                    t->page_next[tn] = tb->page_next[n];
                    break;
                }
                cur = t->page_next[tn];
            }
        }
    }
    /* Jumps into this TB fall back to their exit_tb; the ones out of it go away. */
    uintptr_t in = tb->jmp_list;
    while (in) {
        EngineTB *src = tagged_tb(in);
        int n = in & 1;
        in = src->jmp_next[n];
        tcg_tb_reset_jmp(&src->tb.tc, n);
        src->jmp_dest[n] = NULL;
        tcg_stats.unchains++;
    }
    tb->jmp_list = 0;
    for (int n = 0; n < 2; n++) {
        if (tb->jmp_dest[n]) {
            tb_jmp_unlink(tb, n);
        }
    }
    nb_live_tbs--;
    tcg_stats.tbs_invalidated++;
}

/* Does tb's code overlap the physical range [start, end)? */
static bool tb_overlaps(const EngineTB *tb, uint64_t start, uint64_t end)
{
    uint64_t p0 = tb->tb.phys_pc;
    uint64_t len0 = MIN((uint64_t)tb->tb.size, TCG_PAGE_SIZE - (p0 & ~TCG_PAGE_MASK));
    if (!tb->tb.size) {
        len0 = 1;
    }
    if (p0 < end && start < p0 + len0) {
        return true;
    }
    if (tb->page_addr[1] != (uint64_t)-1 && tb->tb.size > len0) {
        uint64_t p1 = tb->page_addr[1];
        if (p1 < end && start < p1 + (tb->tb.size - len0)) {
            return true;
        }
    }
    return false;
}

bool tb_invalidate_range_check(uint64_t start, uint64_t end, EngineTB *cur)
{
    bool hit_cur = false;
    if (!page_map || end <= start) {
        return false;
    }
    g_mutex_lock(&tb_lock);
    if (g_hash_table_size(page_map)) {
        for (uint64_t pg = start & TCG_PAGE_MASK; pg < end; pg += TCG_PAGE_SIZE) {
            uintptr_t cur_link = (uintptr_t)g_hash_table_lookup(page_map, page_key(pg));
            while (cur_link) {
                EngineTB *t = tagged_tb(cur_link);
                cur_link = t->page_next[cur_link & 1];
                if (tb_overlaps(t, start, end)) {
                    hit_cur |= (t == cur);
                    tb_invalidate_locked(t);
                }
            }
            if (pg + TCG_PAGE_SIZE < pg) {
                break;
            }
        }
    }
    g_mutex_unlock(&tb_lock);
    return hit_cur;
}

void tb_invalidate_phys_range(hwaddr start, hwaddr end)
{
    tb_invalidate_range_check(start, end, NULL);
}

EngineTB *tb_find_by_host_pc(uintptr_t host_pc)
{
    if (!all_tbs || !all_tbs->len) {
        return NULL;
    }
    /* TBs are bump-allocated in the code buffer, so all_tbs is sorted by tc_ptr. */
    guint lo = 0, hi = all_tbs->len;
    while (hi - lo > 1) {
        guint mid = (lo + hi) / 2;
        EngineTB *t = g_ptr_array_index(all_tbs, mid);
        if ((uintptr_t)t->tb.tc.tc_ptr <= host_pc) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    EngineTB *tb = g_ptr_array_index(all_tbs, lo);
    return tcg_tb_contains_pc(&tb->tb.tc, host_pc) ? tb : NULL;
}

static void jmp_cache_clear_cb(TCGCPUEngine *e, void *opaque)
{
    tb_jmp_cache_clear(e);
}

static void tb_flush_locked(void)
{
    g_mutex_lock(&tb_lock);
    memset(tb_hash, 0, sizeof(tb_hash));
    g_hash_table_remove_all(page_map);
    for (unsigned i = 0; i < CODE_FILTER_SIZE; i++) {
        __atomic_store_n(&code_filter[i], 0, __ATOMIC_RELAXED);
    }
    for (guint i = 0; i < all_tbs->len; i++) {
        tb_free(g_ptr_array_index(all_tbs, i));
    }
    g_ptr_array_set_size(all_tbs, 0);
    nb_live_tbs = 0;
    g_mutex_unlock(&tb_lock);
    tcg_engine_foreach_cpu(jmp_cache_clear_cb, NULL);
    tcg_code_buffer_reset(engine_ctx);
    tcg_stats.tb_flushes++;
}

void tb_flush(void)
{
    if (engine_ctx) {
        tb_flush_locked();
    }
}

/* Translate a new TB for the key; runs with exec_lock held. May longjmp (fetch fault). */
static EngineTB *tb_gen_code(CPUState *cpu, TCGCPUEngine *e, uint64_t phys_pc,
                             uint64_t pc, uint64_t cs_base, uint32_t flags,
                             uint32_t cflags)
{
    int max_insns = cflags & CF_COUNT_MASK;
    if (!max_insns) {
        max_insns = TCG_MAX_INSNS_PER_TB;
    }
    if (cflags & CF_SINGLE_STEP) {
        max_insns = 1;
    }
    bool flushed = false;
    for (;;) {
        EngineTB *tb = tb_alloc();
        tb->tb.pc = pc;
        tb->tb.cs_base = cs_base;
        tb->tb.flags = flags;
        tb->tb.cflags = cflags;
        tb->tb.phys_pc = phys_pc;
        tb->tb.phys_page2 = -1;
        tb->tb.engine = tb;
        tb->page_addr[0] = phys_pc & TCG_PAGE_MASK;
        tb->page_addr[1] = -1;
        e->translating = tb;
        e->code_host = NULL;
        tcg_func_start(engine_ctx);
        tcg_ops->translate_code(cpu, &tb->tb, max_insns);
        e->translating = NULL;
        tcg_stats.tbs_translated++;
        int n = tcg_gen_code(engine_ctx, &tb->tb.tc);
        if (n == TCG_GEN_BUFFER_FULL) {
            tb_free(tb);
            if (flushed) {
                g_error("tcg: a single TB does not fit in an empty code buffer");
            }
            emu_log_mask(LOG_EXEC, "tcg: code buffer full, flushing\n");
            tb_flush_locked();
            flushed = true;
            continue;
        }
        if (n == TCG_GEN_TOO_BIG) {
            tb_free(tb);
            tcg_stats.too_big_retries++;
            if (max_insns <= 1) {
                g_error("tcg: one guest instruction at 0x%" PRIx64 " is too big to "
                        "translate", pc);
            }
            max_insns /= 2;
            continue;
        }
        if (tb->tb.phys_page2 != (uint64_t)-1) {
            tb->page_addr[1] = tb->tb.phys_page2 & TCG_PAGE_MASK;
        }
        tcg_stats.code_bytes += n;
        if (cflags & CF_NOCACHE) {
            /*
             * One-shot TB (code outside RAM/ROM): findable by host pc for state
             * recovery and freed by the next flush, but never hashed, cached,
             * chained into (invalid) or protected against writes.
             */
            tb->invalid = true;
            g_mutex_lock(&tb_lock);
            g_ptr_array_add(all_tbs, tb);
            g_mutex_unlock(&tb_lock);
            return tb;
        }
        tb->hash = tb_hash_func(phys_pc, pc, cs_base, flags, cflags);
        bool new0 = !tb_page_has_code(tb->page_addr[0]);
        bool new1 = tb->page_addr[1] != (uint64_t)-1 && !tb_page_has_code(tb->page_addr[1]);
        g_mutex_lock(&tb_lock);
        tb_link(tb);
        g_ptr_array_add(all_tbs, tb);
        g_mutex_unlock(&tb_lock);
        /* From now on, CPU stores to these pages take the slow path (SMC). */
        if (new0) {
            tlb_protect_code_page(tb->page_addr[0]);
        }
        if (new1) {
            tlb_protect_code_page(tb->page_addr[1]);
        }
        return tb;
    }
}

/* Chain (src, n) -> dst. exec_lock held. */
static void tb_add_jump(EngineTB *src, int n, EngineTB *dst)
{
    if (src->tb.tc.jmp_insn_offset[n] == TCG_NO_JMP || (src->tb.cflags & CF_NO_GOTO_TB) ||
        !tcg_ops->exit_request_offset) {
        return;
    }
    /* Direct jumps stay within one guest page, so that a remapped page is always
     * entered through a lookup (the same rule as QEMU's translator_use_goto_tb). */
    if ((src->tb.pc & TCG_PAGE_MASK) != (dst->tb.pc & TCG_PAGE_MASK)) {
        return;
    }
    g_mutex_lock(&tb_lock);
    if (!src->invalid && !dst->invalid && !src->jmp_dest[n]) {
        tcg_tb_set_jmp_target(&src->tb.tc, n, dst->tb.tc.tc_ptr);
        src->jmp_dest[n] = dst;
        src->jmp_next[n] = dst->jmp_list;
        dst->jmp_list = (uintptr_t)src | n;
        tcg_stats.chains++;
    }
    g_mutex_unlock(&tb_lock);
}

static uint32_t curr_cflags(void)
{
    return 0;
}

/* Jump-cache miss: the code TLB, then the hash table, then (unless @probe) translate. */
static EngineTB * __attribute__((noinline))
tb_lookup_slow(CPUState *cpu, TCGCPUEngine *e, unsigned h, uint64_t pc, uint64_t cs_base,
               uint32_t flags, uint32_t cflags, bool probe)
{
    EngineTB *tb;
    bool non_ram, global;
    tcg_stats.jc_misses++;
    uint64_t phys_pc = get_page_addr_code_global(cpu, e, pc, probe, &non_ram, &global);
    if (phys_pc == (uint64_t)-1) {
        return NULL;
    }
    if (non_ram) {
        /* Device memory or nothing at all: one instruction at a time, fetched
         * through the memory API each time it runs (QEMU does the same). */
        return tb_gen_code(cpu, e, phys_pc, pc, cs_base, flags,
                           (cflags & ~CF_COUNT_MASK) | 1 | CF_NOCACHE | CF_NO_GOTO_TB);
    }
    /* A one-page TB reached through a global mapping outlives a CR3 write in the
     * jump cache (tlb_flush_nonglobal), as the mapping does in the TLB. */
    tb = tb_hash_lookup(phys_pc, pc, cs_base, flags, cflags);
    if (!tb && !probe) {
        tb = tb_gen_code(cpu, e, phys_pc, pc, cs_base, flags, cflags);
    }
    if (tb && cflags == 0) {
        jmp_cache_set(e, h, tb, global && tb->tb.phys_page2 == (uint64_t)-1);
    }
    return tb;
}

/* The per-vCPU jump cache first: only this vCPU's thread touches it, no lock. */
static inline EngineTB *tb_lookup(CPUState *cpu, TCGCPUEngine *e, uint64_t pc,
                                  uint64_t cs_base, uint32_t flags, uint32_t cflags,
                                  bool probe)
{
    unsigned h = jc_hash(pc);
    if (G_LIKELY(cflags == 0 && jc_probe(e, h, pc, cs_base, flags))) {
        return e->jmp_tb[h];
    }
    return tb_lookup_slow(cpu, e, h, pc, cs_base, flags, cflags, probe);
}

/*
 * Must lookup_and_goto_ptr go back to the loop? Every request (cpu_interrupt,
 * kicks, yield and flush requests) sets the exit flag after its own field, so
 * the flag answers for a front end that has one. An interrupt request the loop
 * already saw but could not deliver (x86: IF=0) does not count: the
 * instructions that can unmask it (STI, POPF, IRET, ...) end their TB with a
 * return to the loop, which looks again (QEMU's rule too). Without the flag
 * (no chaining), look at the fields themselves.
 */
static inline bool cpu_exit_pending(TCGCPUEngine *e)
{
    if (G_LIKELY(tcg_ops->exit_request_offset)) {
        return __atomic_load_n(tcg_exit_flag(e), __ATOMIC_ACQUIRE) ||
               __atomic_load_n(&e->cpu->exit_request, __ATOMIC_ACQUIRE);
    }
    return __atomic_load_n(&e->cpu->exit_request, __ATOMIC_ACQUIRE) ||
           __atomic_load_n(&e->interrupt_request, __ATOMIC_ACQUIRE) ||
           __atomic_load_n(&e->yield_request, __ATOMIC_ACQUIRE);
}

/* lookup_and_goto_ptr: the next TB without leaving generated code, if cached. */
static const void *lookup_tb_ptr(void *env)
{
    CPUState *cpu = current_cpu;
    if (!cpu || !cpu->accel) {
        return NULL;
    }
    TCGCPUEngine *e = (TCGCPUEngine *)cpu->accel;
    if (cpu_exit_pending(e) || e->cflags_next_tb != -1) {
        return NULL;
    }
    uint64_t pc, cs_base;
    uint32_t flags;
    if (tcg_ops->get_tb_cpu_state_chained) {
        tcg_ops->get_tb_cpu_state_chained(cpu, &pc, &cs_base, &flags);
    } else {
        tcg_ops->get_tb_cpu_state(cpu, &pc, &cs_base, &flags);
    }
    uint32_t cflags = curr_cflags();
    unsigned h = jc_hash(pc);
    const void *tc = cflags == 0 ? jc_probe(e, h, pc, cs_base, flags) : NULL;
    EngineTB *tb;
    if (G_LIKELY(tc)) {
        tcg_stats.lookup_ptr_hits++;
        if (G_LIKELY(!emu_log_enabled(LOG_EXEC))) {
            return tc;
        }
        tb = e->jmp_tb[h];
    } else {
        tb = tb_lookup_slow(cpu, e, h, pc, cs_base, flags, cflags, true);
        if (!tb) {
            tcg_stats.lookup_ptr_misses++;
            return NULL;
        }
        tcg_stats.lookup_ptr_hits++;
    }
    if (emu_log_enabled(LOG_EXEC)) {
        emu_log("Trace %d: %p [%016" PRIx64 "/%016" PRIx64 "/%08x] (goto_ptr)\n",
                cpu->cpu_index, tb->tb.tc.tc_ptr, tb->tb.cs_base, tb->tb.pc,
                tb->tb.flags);
    }
    return tb->tb.tc.tc_ptr;
}

/* ---- the exec lock: one vCPU runs guest code at a time ---- */

static void exec_lock_acquire(CPUState *cpu)
{
    g_mutex_lock(&exec_mutex);
    unsigned ticket = exec_next_ticket++;
    while (ticket != exec_now_serving) {
        /*
         * Ask the running vCPU to end its slice, then wait our turn. Ask again
         * every millisecond: the owner may have taken over after we looked,
         * and chained TBs never come back to the slice budget on their own.
         */
        CPUState *owner = __atomic_load_n(&exec_owner, __ATOMIC_ACQUIRE);
        if (owner && owner->accel) {
            TCGCPUEngine *oe = (TCGCPUEngine *)owner->accel;
            __atomic_store_n(&oe->yield_request, 1, __ATOMIC_RELEASE);
            tcg_engine_request_exit(oe);
        }
        g_cond_wait_until(&exec_cond, &exec_mutex, g_get_monotonic_time() + 1000);
    }
    __atomic_store_n(&exec_owner, cpu, __ATOMIC_RELEASE);
    g_mutex_unlock(&exec_mutex);
}

/*
 * PAUSE (a spin-wait hint): if another vCPU waits for the exec lock, end this
 * slice now, so that the lock holder the guest spins on gets to run. The
 * front end has stored the state after the instruction.
 */
void tcg_engine_cpu_relax(CPUState *cpu)
{
    unsigned waiting = __atomic_load_n(&exec_next_ticket, __ATOMIC_RELAXED) -
                       __atomic_load_n(&exec_now_serving, __ATOMIC_RELAXED);
    if (waiting > 1) {
        TCGCPUEngine *e = tcg_cpu_engine(cpu);
        e->exception_index = EXCP_YIELD;
        cpu_loop_exit(cpu);
    }
}

static void exec_lock_release(void)
{
    g_mutex_lock(&exec_mutex);
    __atomic_store_n(&exec_owner, NULL, __ATOMIC_RELEASE);
    exec_now_serving++;
    if (exec_next_ticket != exec_now_serving) {
        g_cond_broadcast(&exec_cond);
    }
    g_mutex_unlock(&exec_mutex);
}

/* ---- the loop ---- */

/* Handle a pending exception; true (with *ret) if tcg_cpu_exec must return. */
static bool cpu_handle_exception(CPUState *cpu, TCGCPUEngine *e, int *ret)
{
    int excp = e->exception_index;
    if (excp < 0) {
        return false;
    }
    if (excp >= EXCP_INTERRUPT) {
        e->exception_index = EXCP_NONE;
        switch (excp) {
        case EXCP_HLT:
        case EXCP_HALTED:
            cpu->halted = true;
            *ret = EXCP_HLT;
            return true;
        case EXCP_YIELD:
            *ret = EXCP_YIELD;
            return true;
        case EXCP_DEBUG:
            *ret = EXCP_DEBUG;
            return true;
        default:
            *ret = EXCP_INTERRUPT;
            return true;
        }
    }
    emu_log_mask(LOG_INT, "tcg: CPU %d exception %d\n", cpu->cpu_index, excp);
    tcg_ops->do_interrupt(cpu);
    e->exception_index = EXCP_NONE;
    return false;
}

/* Between TBs: kicks, yields, interrupt requests. True (with *ret) to return. */
static bool cpu_handle_interrupt(CPUState *cpu, TCGCPUEngine *e, EngineTB **last_tb,
                                 int *ret)
{
    /*
     * Between TBs this thread holds no flat view or range: a quiescent point
     * of its RCU section. Before the flush check below, so that a grace period
     * that began after a map change also covers this vCPU's TLB flush.
     */
    rcu_quiescent_state();
    /*
     * Clear the flag first: a request made after this point sets it again.
     * Requesters store their request before the flag, so when the flag reads 0
     * nothing needs clearing, and a request we miss below has its flag set
     * later, which the next TB's entry check sees. Reading before the locked
     * operations keeps this path free of them in the common case (a Linux
     * boot runs it millions of times).
     */
    if (tcg_ops->exit_request_offset &&
        __atomic_load_n(tcg_exit_flag(e), __ATOMIC_RELAXED)) {
        __atomic_store_n(tcg_exit_flag(e), 0, __ATOMIC_SEQ_CST);
    }
    if (__atomic_load_n(&cpu->exit_request, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&cpu->exit_request, 0, __ATOMIC_RELEASE);
        *ret = EXCP_INTERRUPT;
        return true;
    }
    if (__atomic_load_n(&e->yield_request, __ATOMIC_ACQUIRE) &&
        __atomic_exchange_n(&e->yield_request, 0, __ATOMIC_ACQ_REL)) {
        *ret = EXCP_YIELD;
        return true;
    }
    if (__atomic_load_n(&e->tlb_flush_request, __ATOMIC_ACQUIRE) &&
        __atomic_exchange_n(&e->tlb_flush_request, 0, __ATOMIC_ACQ_REL)) {
        tlb_flush_all_engine(e);
        *last_tb = NULL;
    }
    if (__atomic_load_n(&e->dirty_reset_request, __ATOMIC_ACQUIRE) &&
        __atomic_exchange_n(&e->dirty_reset_request, 0, __ATOMIC_ACQ_REL)) {
        tlb_rearm_notdirty(e);
    }
    int ir = __atomic_load_n(&e->interrupt_request, __ATOMIC_ACQUIRE);
    if (ir && !(e->cflags_next_tb != -1 && (e->cflags_next_tb & CF_NOIRQ))) {
        if (ir & CPU_INTERRUPT_HALT) {
            cpu_reset_interrupt(cpu, CPU_INTERRUPT_HALT);
            cpu->halted = true;
            *ret = EXCP_HLT;
            return true;
        }
        if (ir & CPU_INTERRUPT_EXITTB) {
            cpu_reset_interrupt(cpu, CPU_INTERRUPT_EXITTB);
            *last_tb = NULL;
        }
        if (tcg_ops->cpu_exec_interrupt && tcg_ops->cpu_exec_interrupt(cpu, ir)) {
            *last_tb = NULL;
        }
        if (e->exception_index >= 0) {
            /* cpu_exec_interrupt raised something for the loop to deliver. */
            return false;
        }
    }
    return false;
}

static int cpu_exec_loop(CPUState *cpu_arg, TCGCPUEngine *e_arg)
{
    volatile int ret = EXCP_INTERRUPT;
    volatile unsigned budget = engine_cfg.slice_tbs;
    const unsigned rcu_depth = rcu_read_depth();

    if (sigsetjmp(e_arg->jmp_env, 0) != 0) {
        /* Back from cpu_loop_exit: generated code and helpers were abandoned. */
        tcg_tci_retaddr = 0;
        /* ... and so were the RCU sections they had open. */
        rcu_read_depth_restore(rcu_depth);
    }
    CPUState *cpu = current_cpu;
    TCGCPUEngine *e = (TCGCPUEngine *)cpu->accel;
    g_assert(cpu == cpu_arg);
    {
        if (e->translating) {
            tb_free(e->translating);
            e->translating = NULL;
        }
    }
    for (;;) {
        int r;
        if (cpu_handle_exception(cpu, e, &r)) {
            ret = r;
            break;
        }
        EngineTB *last_tb = NULL;
        int last_n = 0;
        for (;;) {
            if (cpu_handle_interrupt(cpu, e, &last_tb, &r)) {
                ret = r;
                goto out;
            }
            if (e->exception_index >= 0) {
                break;
            }
            if (budget-- == 0) {
                ret = EXCP_YIELD;
                goto out;
            }
            uint64_t pc, cs_base;
            uint32_t flags, cflags = curr_cflags();
            tcg_ops->get_tb_cpu_state(cpu, &pc, &cs_base, &flags);
            if (e->cflags_next_tb != -1) {
                cflags = (uint32_t)e->cflags_next_tb;
                e->cflags_next_tb = -1;
            }
            uint64_t flushes = tcg_stats.tb_flushes;
            EngineTB *tb = tb_lookup(cpu, e, pc, cs_base, flags, cflags, false);
            if (last_tb && flushes == tcg_stats.tb_flushes) {
                tb_add_jump(last_tb, last_n, tb);
            }
            if (emu_log_enabled(LOG_EXEC)) {
                emu_log("Trace %d: %p [%016" PRIx64 "/%016" PRIx64 "/%08x]\n",
                        cpu->cpu_index, tb->tb.tc.tc_ptr, cs_base, pc, flags);
            }
            tcg_stats.loop_execs++;
            uintptr_t v = tcg_tb_exec(engine_ctx, e->env, tb->tb.tc.tc_ptr);
            EngineTB *from = (EngineTB *)(v & ~(uintptr_t)TB_EXIT_MASK);
            int n = v & TB_EXIT_MASK;
            if (!from || n == TB_EXIT_REQUESTED) {
                if (from) {
                    tcg_stats.exit_requests++;
                    tb_exit_requested_restore(cpu, from);
                }
                last_tb = NULL;
            } else {
                last_tb = from;
                last_n = n;
            }
        }
    }
out:
    e->translating = NULL;
    return ret;
}

int tcg_cpu_exec(CPUState *cpu)
{
    TCGCPUEngine *e = tcg_cpu_engine(cpu);
    CPUState *old_cpu = current_cpu;
    TCGContext *old_ctx = tcg_ctx;

    if (cpu->halted) {
        /* Only the front end knows which requests end a halt (x86: INTR needs IF). */
        bool work = tcg_ops->has_work ? tcg_ops->has_work(cpu)
                                      : cpu_interrupt_request(cpu) & ~CPU_INTERRUPT_EXITTB;
        if (!work) {
            return EXCP_HLT;
        }
        cpu->halted = false;
    }
    current_cpu = cpu;
    exec_lock_acquire(cpu);
    tcg_set_ctx(engine_ctx);
    /*
     * One RCU section over the whole run, ended at quiescent points between
     * TBs: page walks and TLB fills read the flat view for the cost of a
     * thread-local increment.
     */
    rcu_read_lock();
    int ret = cpu_exec_loop(cpu, e);
    rcu_read_unlock();
    tcg_set_ctx(old_ctx);
    exec_lock_release();
    current_cpu = old_cpu;
    return ret;
}

/* ---- statistics ---- */

void tcg_engine_get_stats(TCGEngineStats *st)
{
    *st = tcg_stats;
    st->tbs_live = nb_live_tbs;
}

void tcg_engine_dump_info(GString *out)
{
    if (!engine_ctx) {
        g_string_append(out, "tcg: not running\n");
        return;
    }
    TCGEngineStats st;
    tcg_engine_get_stats(&st);
    tcg_dump_info(engine_ctx, out);
    g_string_append_printf(out, "TB cache: %" PRIu64 " live, %" PRIu64 " translated, %"
                           PRIu64 " invalidated, %" PRIu64 " flushes, %" PRIu64
                           " too-big retries\n", st.tbs_live, st.tbs_translated,
                           st.tbs_invalidated, st.tb_flushes, st.too_big_retries);
    g_string_append_printf(out, "chaining: %" PRIu64 " jumps patched, %" PRIu64
                           " reset; loop entries %" PRIu64 ", goto_ptr hits %" PRIu64
                           " misses %" PRIu64 "\n", st.chains, st.unchains, st.loop_execs,
                           st.lookup_ptr_hits, st.lookup_ptr_misses);
    g_string_append_printf(out, "exits: %" PRIu64 " exit requests, %" PRIu64
                           " self-modifying-code restarts\n", st.exit_requests,
                           st.smc_restarts);
}
