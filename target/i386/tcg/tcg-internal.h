/*
 * Shared between the x86 TCG front-end files (translator, helpers, CPU ops).
 * docs/devel/x86-translator.md describes the design.
 */
#ifndef TARGET_I386_TCG_TCG_INTERNAL_H
#define TARGET_I386_TCG_TCG_INTERNAL_H

#include "target/i386/cpu.h"
#include "accel/tcg/tcg-cpu-ops.h"

/* Rotate kinds for x86_rotate / helper_rotate. */
enum { X86_ROT_ROL, X86_ROT_ROR, X86_ROT_RCL, X86_ROT_RCR };

/*
 * ROL/ROR/RCL/RCR of @val (@size = MO_8..MO_64) by @count (masked as the
 * CPU does). @flags holds the arithmetic flags before and gets CF/OF after
 * (unchanged when the masked count is 0). Returns the result.
 */
uint64_t x86_rotate(unsigned kind, unsigned size, uint64_t val, unsigned count,
                    uint32_t *flags);
/* SHLD (@right false) / SHRD: @dst shifted with bits from @src. */
uint64_t x86_shift_double(bool right, unsigned size, uint64_t dst, uint64_t src,
                          unsigned count, uint32_t *flags);

/* MMU index for the mode bits (see X86_MMU_* in cpu.h). */
static inline int x86_mmu_index_for_hflags(uint32_t hf, bool ifetch)
{
    if ((hf & HF_CPL_MASK) == 3) {
        return X86_MMU_USER;
    }
    if (!ifetch && (hf & HF_SMAP_AC_MASK)) {
        return X86_MMU_KERNEL_NOSMAP;
    }
    return X86_MMU_KERNEL;
}

/* The MMU index without the SS-access marker (X86_MMU_STACK), for permissions. */
static inline int x86_mmu_base(int mmu_idx)
{
    return mmu_idx >= X86_MMU_STACK ? mmu_idx - X86_MMU_STACK : mmu_idx;
}

static inline bool x86_mmu_is_stack(int mmu_idx)
{
    return mmu_idx >= X86_MMU_STACK;
}

/* insn_start words: [0] = RIP (not linear), [1] = cc_op at the insn (CC_OP_DYNAMIC: keep). */
#define X86_INSN_START_WORDS 2

/* Exceptions (SDM vol. 3 §6.3.1). */
enum {
    EXCP00_DIVZ = 0, EXCP01_DB = 1, EXCP02_NMI = 2, EXCP03_INT3 = 3, EXCP04_INTO = 4,
    EXCP05_BOUND = 5, EXCP06_ILLOP = 6, EXCP07_PREX = 7, EXCP08_DBLE = 8,
    EXCP0A_TSS = 10, EXCP0B_NOSEG = 11, EXCP0C_STACK = 12, EXCP0D_GPF = 13,
    EXCP0E_PAGE = 14, EXCP10_COPR = 16, EXCP11_ALGN = 17, EXCP12_MCHK = 18,
    EXCP13_XMM = 19,
};

/*
 * Raise exception @vector (the _err form: with an error code, for the vectors
 * that push one). @retaddr: GETPC() of the helper, 0 when env->rip (and
 * cc_op) already describe the faulting instruction.
 */
G_NORETURN void x86_raise_exception(CPUX86State *env, int vector, uintptr_t retaddr);
G_NORETURN void x86_raise_exception_err(CPUX86State *env, int vector, int error_code,
                                        uintptr_t retaddr);

X86CPU *x86_env_get_cpu(CPUX86State *env);
/* The time-stamp counter now: the virtual clock at tsc_khz plus IA32_TSC_ADJUST
 * (SDM vol. 3 §17.17.3: writes to IA32_TSC move TSC_ADJUST by the same amount). */
uint64_t x86_tsc_now(CPUX86State *env);

/* The TCGCPUOps implementations (tcg-cpu.c, translate.c, excp-helper.c, mmu-helper.c). */
void x86_tcg_initialize(void);
void x86_translate_code(CPUState *cs, TranslationBlock *tb, int max_insns);
void x86_cpu_do_interrupt(CPUState *cs);
bool x86_cpu_exec_interrupt(CPUState *cs, int interrupt_request);
/* INIT/SIPI requests and wait-for-SIPI, from x86_cpu_exec_interrupt (mp-helper.c). */
bool x86_cpu_handle_init_sipi(CPUState *cs, int interrupt_request);
int x86_cpu_mmu_index(CPUState *cs, bool ifetch);
/* Page walk without side effects on the TLB (mmu-helper.c); on a fault: false. */
bool x86_mmu_translate(CPUX86State *env, uint64_t addr, MMUAccessType access,
                       int mmu_idx, hwaddr *paddr, int *prot, uint64_t *page_size,
                       int *vector, uint32_t *err);
bool x86_cpu_tlb_fill(CPUState *cs, uint64_t addr, int size, MMUAccessType access,
                      int mmu_idx, bool probe, uintptr_t retaddr);
/* An MO_ALIGN access was misaligned (only emitted with HF_AC_MASK): #AC(0). */
void x86_cpu_do_unaligned_access(CPUState *cs, uint64_t addr, MMUAccessType access,
                                 int mmu_idx, uintptr_t retaddr);
/*
 * Alignment check of a helper's data access at CPL 3 (SDM vol. 3 Table 6-7):
 * #AC(0) through @retaddr when HF_AC_MASK is set and @addr is not a multiple
 * of @align (a power of two); a non-canonical @addr is #GP(0)/#SS(0) by
 * @mmu_idx first. Generated code uses MO_ALIGN instead.
 */
void x86_check_alignment(CPUX86State *env, uint64_t addr, unsigned align, int mmu_idx,
                         uintptr_t retaddr);

/*
 * Translate with a caller-supplied code fetch (unit tests: no engine, no
 * guest memory). @fetch returns the byte at linear address @pc, or -1 when
 * it cannot be fetched.
 */
typedef int (*X86CodeFetchFn)(void *opaque, uint64_t pc);
void x86_translate_code_fetch(CPUState *cs, TranslationBlock *tb, int max_insns,
                              X86CodeFetchFn fetch, void *opaque);

#endif
