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

/*
 * The TB flags (HF_*) for the current state: CPL, modes, segment sizes, and the
 * RFLAGS/CR bits translated code depends on. Inline: it runs on every TB lookup
 * (x86_get_tb_cpu_state); x86_update_hflags() stores it in env->hflags.
 */
static inline uint32_t x86_compute_hflags(const CPUX86State *env)
{
    uint32_t hf = 0;
    uint64_t cr0 = env->cr[0], cr4 = env->cr[4];
    uint32_t csf = env->segs[R_CS].flags;

    if (cr0 & CR0_PE_MASK) {
        hf |= HF_PE_MASK;
        if (env->rflags & RFLAGS_VM) {
            hf |= HF_VM_MASK | 3;
        } else {
            /* CPL is CS.RPL (SDM vol. 3 §5.5); SS.DPL agrees outside transitions. */
            hf |= env->segs[R_CS].selector & 3;
        }
    }
    if (env->efer & EFER_LMA) {
        hf |= HF_LMA_MASK;
    }
    if ((hf & HF_LMA_MASK) && (csf & DESC_L_MASK)) {
        hf |= HF_CS64_MASK | HF_CS32_MASK | HF_SS32_MASK;
    } else {
        if (csf & DESC_B_MASK) {
            hf |= HF_CS32_MASK;
        }
        if (env->segs[R_SS].flags & DESC_B_MASK) {
            hf |= HF_SS32_MASK;
        }
        if (!(hf & HF_PE_MASK) || (hf & HF_VM_MASK) ||
            (env->segs[R_DS].base | env->segs[R_ES].base | env->segs[R_SS].base)) {
            hf |= HF_ADDSEG_MASK;
        }
    }
    if (env->events.interrupt_shadow) {
        hf |= HF_INHIBIT_IRQ_MASK;
    }
    if (env->rflags & RFLAGS_TF) {
        hf |= HF_TF_MASK;
    }
    if (cr4 & CR4_SMAP_MASK) {
        hf |= HF_SMAP_MASK;
        if (env->rflags & RFLAGS_AC) {
            hf |= HF_SMAP_AC_MASK;
        }
    }
    if (cr4 & CR4_SMEP_MASK) {
        hf |= HF_SMEP_MASK;
    }
    if (cr0 & CR0_PG_MASK) {
        hf |= HF_PG_MASK;
    }
    if (cr4 & CR4_OSFXSR_MASK) {
        hf |= HF_OSFXSR_MASK;
    }
    hf |= cr0 & CR0_EM_MASK ? HF_EM_MASK : 0;
    hf |= cr0 & CR0_TS_MASK ? HF_TS_MASK : 0;
    hf |= cr0 & CR0_MP_MASK ? HF_MP_MASK : 0;
    hf |= ((env->rflags >> RFLAGS_IOPL_SHIFT) & 3) << HF_IOPL_SHIFT;
    /* Alignment checking (SDM vol. 3 §6.15 "Interrupt 17"): CPL 3 incl. VM86. */
    if ((hf & HF_CPL_MASK) == 3 && (cr0 & CR0_AM_MASK) && (env->rflags & RFLAGS_AC)) {
        hf |= HF_AC_MASK;
    }
    return hf;
}

/*
 * @hf (hflags computed earlier) with the bits that follow RFLAGS and the
 * interrupt shadow brought up to date: what x86_compute_hflags() returns when
 * only those changed since. Translated code writes RFLAGS and the shadow inline;
 * every other input (CR0, CR4, EFER, segment registers) changes in helpers that
 * call x86_update_hflags() or in code that returns to the loop. A VM flip changes
 * CPL and ADDSEG too: recompute then.
 */
static inline uint32_t x86_hflags_refresh(const CPUX86State *env, uint32_t hf)
{
    uint64_t rfl = env->rflags;

    if (G_UNLIKELY(!(rfl & RFLAGS_VM) != !(hf & HF_VM_MASK))) {
        return x86_compute_hflags(env);
    }
    hf &= ~(HF_INHIBIT_IRQ_MASK | HF_TF_MASK | HF_SMAP_AC_MASK | HF_IOPL_MASK |
            HF_AC_MASK);
    hf |= env->events.interrupt_shadow ? HF_INHIBIT_IRQ_MASK : 0;
    hf |= rfl & RFLAGS_TF ? HF_TF_MASK : 0;
    hf |= (hf & HF_SMAP_MASK) && (rfl & RFLAGS_AC) ? HF_SMAP_AC_MASK : 0;
    hf |= ((rfl >> RFLAGS_IOPL_SHIFT) & 3) << HF_IOPL_SHIFT;
    if ((hf & HF_CPL_MASK) == 3 && (env->cr[0] & CR0_AM_MASK) && (rfl & RFLAGS_AC)) {
        hf |= HF_AC_MASK;
    }
    return hf;
}

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

/*
 * The MMU index of the current state from the cached env->hflags: mode bits
 * (CPL, SMAP) are kept current by x86_update_hflags() in every helper that
 * changes them; RFLAGS.AC, which translated code may change (POPF), is
 * redone by x86_hflags_refresh(). Test: x86-translate/hflags-refresh.
 */
static inline int x86_mmu_index_env(const CPUX86State *env, bool ifetch)
{
    return x86_mmu_index_for_hflags(x86_hflags_refresh(env, env->hflags), ifetch);
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
