/*
 * The contract between accel/tcg (the execution engine: cpu-exec loop, TB cache,
 * softmmu TLB) and a guest front end (target/i386/tcg). The engine never knows
 * x86; the front end never manages TBs, host code or TLB storage.
 *
 *   engine -> front end: the TCGCPUOps hooks below
 *   front end -> engine: the functions declared after them
 *
 * Threading: every hook runs on the vCPU's own thread, without the big lock
 * unless stated. Exceptions: a front end helper that raises a guest exception
 * sets cpu->exception_index (and the error code in its own state) and calls
 * cpu_loop_exit_restore(cpu, GETPC()), which never returns.
 */
#ifndef ACCEL_TCG_TCG_CPU_OPS_H
#define ACCEL_TCG_TCG_CPU_OPS_H

#include "hw/core/cpu.h"
#include "system/cpus.h"
#include "tcg/tcg.h"
#include <setjmp.h>

typedef enum MMUAccessType {
    MMU_DATA_LOAD = 0,
    MMU_DATA_STORE = 1,
    MMU_INST_FETCH = 2,
} MMUAccessType;

/* Page protection bits for tlb_set_page. */
#define PAGE_READ  0x1
#define PAGE_WRITE 0x2
#define PAGE_EXEC  0x4
/* The mapping is global (x86 PTE.G with CR4.PGE): tlb_flush_nonglobal keeps it. */
#define PAGE_GLOBAL 0x8

/* cpu->interrupt_request bits (set with cpu_interrupt, from any thread). */
enum {
    CPU_INTERRUPT_HARD   = 1 << 0,   /* the interrupt controller has a vector */
    CPU_INTERRUPT_NMI    = 1 << 1,
    CPU_INTERRUPT_SMI    = 1 << 2,
    CPU_INTERRUPT_INIT   = 1 << 3,
    CPU_INTERRUPT_SIPI   = 1 << 4,
    CPU_INTERRUPT_EXITTB = 1 << 5,   /* leave the TB chain (state changed outside) */
    CPU_INTERRUPT_HALT   = 1 << 6,
};

/* exception_index values below 256 are guest vectors; the engine-level ones
 * (EXCP_INTERRUPT, EXCP_HLT, EXCP_YIELD...) are system/cpus.h's. */

/*
 * A translation block. Looked up by (pc, cs_base, flags, cflags) with pc the
 * guest linear address of the first instruction; valid while every guest page
 * it was translated from keeps its contents (phys_pc, phys_page2).
 */
typedef struct TranslationBlock TranslationBlock;
struct TranslationBlock {
    uint64_t pc;            /* linear address of the first instruction */
    uint64_t cs_base;
    uint32_t flags;         /* front-end state the code assumed (mode, CPL, ...) */
    uint32_t cflags;        /* CF_* below */
    uint64_t phys_pc;       /* physical address of the first byte */
    uint64_t phys_page2;    /* physical page of the second page spanned, or -1 */
    uint32_t size;          /* guest bytes translated (set by translate_code) */
    uint16_t icount;        /* guest instructions (set by translate_code) */
    TCGTBCode tc;           /* the host code */
    /* Engine-private: chaining and hash links. Front ends must not touch. */
    void *engine;
};

/* cflags */
#define CF_COUNT_MASK   0x000001ff   /* at most this many instructions (0 = default) */
#define CF_SINGLE_STEP  0x00000200   /* one instruction, no chaining */
#define CF_NO_GOTO_TB   0x00000400   /* do not chain out of this TB */
#define CF_NOIRQ        0x00000800   /* run without checking for interrupts first */
#define CF_NOCACHE      0x00001000   /* one-shot TB for code outside RAM/ROM (engine) */

typedef struct TCGCPUOps {
    /* Once per process, with the first TCG context current: create the globals. */
    void (*initialize)(void);
    /*
     * Emit the IR for @tb into the current TCG context (tcg_ctx): at most
     * @max_insns instructions, fetching code with translator_ld*() (which may
     * raise a page fault: the engine then delivers it). Must set tb->size and
     * tb->icount, emit tcg_gen_insn_start() per instruction with the words the
     * front end's restore_state_to_opc expects, and end every path with
     * goto_tb/exit_tb or lookup_and_goto_ptr.
     */
    void (*translate_code)(CPUState *cpu, TranslationBlock *tb, int max_insns);
    /* The lookup key for the next TB from the current state. */
    void (*get_tb_cpu_state)(CPUState *cpu, uint64_t *pc, uint64_t *cs_base,
                             uint32_t *flags);
    /*
     * Optional, the same for lookup_and_goto_ptr: called between two TBs with no
     * return to the loop since the last get_tb_cpu_state, so a front end may use
     * mode state it keeps current in between (x86: env->hflags). NULL: the above.
     */
    void (*get_tb_cpu_state_chained)(CPUState *cpu, uint64_t *pc, uint64_t *cs_base,
                                     uint32_t *flags);
    /* Bring the guest PC (and whatever else insn_start recorded) back to the
     * instruction whose insn_start words are @data. */
    void (*restore_state_to_opc)(CPUState *cpu, const TranslationBlock *tb,
                                 const uint64_t *data);
    /* Deliver cpu->exception_index (a guest vector) through the IDT. */
    void (*do_interrupt)(CPUState *cpu);
    /* An external interrupt is requested: deliver it if the CPU accepts it
     * (IF, interrupt shadow...); true if something was delivered. */
    bool (*cpu_exec_interrupt)(CPUState *cpu, int interrupt_request);
    /*
     * Translate @addr for @access in @mmu_idx: on success call tlb_set_page()
     * and return true. On a fault: return false if @probe, else raise the guest
     * exception with cpu_loop_exit_restore(cpu, retaddr).
     */
    bool (*tlb_fill)(CPUState *cpu, uint64_t addr, int size, MMUAccessType access,
                     int mmu_idx, bool probe, uintptr_t retaddr);
    /* The MMU index for data accesses (ifetch: for code) in the current state. */
    int (*mmu_index)(CPUState *cpu, bool ifetch);
    /* HLT: true if the CPU has work (an interrupt it would take). */
    bool (*has_work)(CPUState *cpu);
    /* The CPU state struct the generated code gets as env. */
    void *(*get_env)(CPUState *cpu);
    /* Offset from env to its CPUTLBFast[TCG_NB_MMU_MODES] (include/tcg/tcg-softmmu.h),
     * which the engine fills and the generated code reads. */
    intptr_t tlb_fast_offset;
    /* Words each tcg_gen_insn_start() records (1..3). */
    int insn_start_words;
    /* While a front end cannot run whole guests yet: one line saying what is
     * missing, printed when -accel tcg starts (NULL once it is complete). */
    const char *limitations;
    /*
     * Added for the engine (accel/tcg). Offset from env to an int32_t the engine sets
     * non-zero to stop a vCPU that runs chained TBs (a kick, an interrupt request);
     * tcg_gen_tb_start() (include/accel/tcg/translator.h) emits its check at every TB
     * entry. 0 = the front end has no such field: the engine then never chains TBs.
     */
    intptr_t exit_request_offset;
    /*
     * Optional: offset from env to a void * the engine points at the vCPU's jump
     * cache, so that tcg_gen_lookup_and_goto_ptr_jc() (translator.h) probes it
     * inline. 0 = none: that call becomes tcg_gen_lookup_and_goto_ptr().
     */
    intptr_t jmp_cache_offset;
    /*
     * Optional: an MO_ALIGN access was misaligned (x86: #AC when CR0.AM, EFLAGS.AC and
     * CPL 3). Raise the exception with cpu_loop_exit_restore(cpu, retaddr) or return
     * to let the access proceed. NULL: misaligned accesses proceed.
     */
    void (*do_unaligned_access)(CPUState *cpu, uint64_t addr, MMUAccessType access,
                                int mmu_idx, uintptr_t retaddr);
} TCGCPUOps;

/* A front end registers its ops (once, at start-up, from a constructor). */
void tcg_register_cpu_ops(const TCGCPUOps *ops);

/* ---- services of the engine for the front end ---- */

/* Leave generated code/helpers back to the cpu-exec loop (siglongjmp). */
G_NORETURN void cpu_loop_exit(CPUState *cpu);
/* A spin-wait hint (x86 PAUSE): ends @cpu's time slice when another vCPU waits to
 * run; the front end must have stored the state after the instruction. */
void tcg_engine_cpu_relax(CPUState *cpu);
/* The same after restoring the guest state of the instruction at host @retaddr
 * (a GETPC() from a helper); retaddr 0 = nothing to restore. */
G_NORETURN void cpu_loop_exit_restore(CPUState *cpu, uintptr_t retaddr);
/* Restore state only; false if @retaddr is not inside generated code. */
bool cpu_restore_state(CPUState *cpu, uintptr_t retaddr);

/* Interrupt requests, from any thread: kicks the vCPU out of generated code. */
void cpu_interrupt(CPUState *cpu, int mask);
void cpu_reset_interrupt(CPUState *cpu, int mask);
int cpu_interrupt_request(CPUState *cpu);
/* The exception being delivered / to deliver (guest vector or EXCP_*). */
int cpu_exception_index(CPUState *cpu);
void cpu_set_exception_index(CPUState *cpu, int excp);

/* Softmmu TLB. @size is the page size mapped (4 KiB, 2 MiB, 1 GiB); large pages
 * are tracked so tlb_flush_page of any address inside them flushes them. */
void tlb_set_page(CPUState *cpu, uint64_t vaddr, hwaddr paddr, int prot, int mmu_idx,
                  uint64_t size);
void tlb_flush(CPUState *cpu);
/* Every mapping but those filled with PAGE_GLOBAL (x86: MOV to CR3, SDM vol. 3
 * §4.10.4.1), and the jump-cache entries of code not in global pages. */
void tlb_flush_nonglobal(CPUState *cpu);
void tlb_flush_by_mmuidx(CPUState *cpu, uint16_t idxmap);
void tlb_flush_page(CPUState *cpu, uint64_t addr);
void tlb_flush_page_by_mmuidx(CPUState *cpu, uint64_t addr, uint16_t idxmap);

/* Guest memory from helpers, through the TLB (page faults raised with @ra). */
uint8_t cpu_ldub_mmuidx_ra(CPUState *cpu, uint64_t addr, int mmu_idx, uintptr_t ra);
uint16_t cpu_lduw_mmuidx_ra(CPUState *cpu, uint64_t addr, int mmu_idx, uintptr_t ra);
uint32_t cpu_ldl_mmuidx_ra(CPUState *cpu, uint64_t addr, int mmu_idx, uintptr_t ra);
uint64_t cpu_ldq_mmuidx_ra(CPUState *cpu, uint64_t addr, int mmu_idx, uintptr_t ra);
void cpu_stb_mmuidx_ra(CPUState *cpu, uint64_t addr, uint8_t v, int mmu_idx, uintptr_t ra);
void cpu_stw_mmuidx_ra(CPUState *cpu, uint64_t addr, uint16_t v, int mmu_idx,
                       uintptr_t ra);
void cpu_stl_mmuidx_ra(CPUState *cpu, uint64_t addr, uint32_t v, int mmu_idx,
                       uintptr_t ra);
void cpu_stq_mmuidx_ra(CPUState *cpu, uint64_t addr, uint64_t v, int mmu_idx,
                       uintptr_t ra);

/* Code fetch for translate_code (through the code TLB; faults are delivered). */
uint8_t translator_ldub(CPUState *cpu, uint64_t pc);
uint16_t translator_lduw(CPUState *cpu, uint64_t pc);
uint32_t translator_ldl(CPUState *cpu, uint64_t pc);
uint64_t translator_ldq(CPUState *cpu, uint64_t pc);

/* Self-modifying code: drop every TB with code in [start, end). */
void tb_invalidate_phys_range(hwaddr start, hwaddr end);

#endif
