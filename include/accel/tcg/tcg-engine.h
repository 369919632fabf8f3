/*
 * The TCG execution engine (accel/tcg) as seen by its accelerator glue
 * (accel/tcg/tcg-accel.c) and by tests: set-up, the per-vCPU run loop, the TB cache
 * and its statistics. A front end uses tcg-cpu-ops.h and translator.h instead.
 *
 * Execution model, this stage: one vCPU executes guest code at a time. Every vCPU
 * has its generic thread (system/cpus.c), but running TBs needs the engine's exec
 * lock, which a vCPU holds for a time slice and then passes on (round-robin), so the
 * TB cache, the code buffer and every vCPU's TLB are only changed by the vCPU that
 * holds it. The one exception is tb_invalidate_phys_range() from device DMA, which
 * takes only the TB-cache lock (a leaf lock) and never flushes.
 */
#ifndef ACCEL_TCG_TCG_ENGINE_H
#define ACCEL_TCG_TCG_ENGINE_H

/* tcg_cpu_exec returns system/cpus.h's EXCP_* codes. */
#include "hw/core/cpu.h"
#include "system/cpus.h"
#include "tcg/tcg.h"

typedef struct TCGCPUOps TCGCPUOps;

typedef struct TCGEngineConfig {
    TCGBackendKind backend;
    size_t code_size;            /* bytes of code buffer; 0 = 64 MiB */
    unsigned slice_tbs;          /* TB lookups per time slice; 0 = 4096 */
} TCGEngineConfig;

/* Once, after a front end registered its ops. */
bool tcg_engine_init(const TCGEngineConfig *cfg, Error **errp);
bool tcg_engine_ready(void);
/* Tests: drop every TB and the code buffer, zero the statistics (init may follow). */
void tcg_engine_shutdown(void);
const TCGCPUOps *tcg_engine_ops(void);
const char *tcg_engine_backend_name(void);

/* Per-vCPU engine state (TLB storage, jump cache); created on first use. */
void tcg_engine_cpu_init(CPUState *cpu);
void tcg_engine_cpu_destroy(CPUState *cpu);

/*
 * Run @cpu for one time slice (or until a kick, a halt, an error): returns
 * EXCP_INTERRUPT (kicked: cpu->exit_request was set), EXCP_HLT (halted with no work),
 * EXCP_YIELD (slice over), EXCP_DEBUG or EXCP_FATAL. Call without the big lock.
 */
int tcg_cpu_exec(CPUState *cpu);

/* Make @cpu's chained TBs stop at their next entry (any thread). */
void tcg_engine_kick(CPUState *cpu);

/* Called by the engine when it wants @cpu out of guest code (the accel's cpu_kick). */
void tcg_engine_set_kick_hook(void (*fn)(CPUState *cpu));

/* Also in tcg-cpu-ops.h: drop every TB with code in [start, end) (DMA hook). */
void tb_invalidate_phys_range(hwaddr start, hwaddr end);

/* Drop every TB (code buffer full, or tests). Only from the vCPU running TBs or
 * while no vCPU runs. */
void tb_flush(void);

typedef struct TCGEngineStats {
    uint64_t tbs_translated;     /* translations, including retries */
    uint64_t tbs_live;           /* TBs in the cache now */
    uint64_t tb_flushes;
    uint64_t tbs_invalidated;
    uint64_t chains;             /* goto_tb slots patched */
    uint64_t unchains;           /* patched slots reset on invalidation */
    uint64_t loop_execs;         /* TBs entered from the cpu-exec loop */
    uint64_t lookup_ptr_hits;    /* lookup_and_goto_ptr found the next TB */
    uint64_t lookup_ptr_misses;
    uint64_t exit_requests;      /* TBs left through the exit-request check */
    uint64_t smc_restarts;       /* a store hit the TB executing it */
    uint64_t too_big_retries;
    uint64_t code_bytes;
    uint64_t jc_misses;          /* jump-cache misses (code TLB and hash table asked) */
} TCGEngineStats;

void tcg_engine_get_stats(TCGEngineStats *st);
/* The `info jit` text. */
void tcg_engine_dump_info(GString *out);

#endif
