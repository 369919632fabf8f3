/*
 * The x86 front end's TCGCPUOps (include/accel/tcg/tcg-cpu-ops.h): TB
 * lookup keys, state recovery, MMU indexes, interrupt hooks and page walks.
 */
#include "util/osdep.h"
#include "target/i386/tcg/tcg-internal.h"

static void x86_get_tb_cpu_state(CPUState *cs, uint64_t *pc, uint64_t *cs_base,
                                 uint32_t *flags)
{
    CPUX86State *env = cpu_env(cs);
    uint32_t hf = x86_compute_hflags(env);

    env->hflags = hf;
    *flags = hf;
    if (hf & HF_CS64_MASK) {
        *cs_base = 0;
        *pc = env->rip;
    } else {
        *cs_base = env->segs[R_CS].base;
        *pc = (uint32_t)(*cs_base + env->rip);
    }
}

/*
 * lookup_and_goto_ptr: env->hflags is current but for RFLAGS and the shadow
 * (x86_hflags_refresh); tests/unit/test-x86-translate.c "hflags-refresh"
 * checks the two ways agree.
 */
static void x86_get_tb_cpu_state_chained(CPUState *cs, uint64_t *pc, uint64_t *cs_base,
                                         uint32_t *flags)
{
    CPUX86State *env = cpu_env(cs);
    uint32_t hf = x86_hflags_refresh(env, env->hflags);

    env->hflags = hf;
    *flags = hf;
    if (hf & HF_CS64_MASK) {
        *cs_base = 0;
        *pc = env->rip;
    } else {
        *cs_base = env->segs[R_CS].base;
        *pc = (uint32_t)(*cs_base + env->rip);
    }
}

static void x86_restore_state_to_opc(CPUState *cs, const TranslationBlock *tb,
                                     const uint64_t *data)
{
    CPUX86State *env = cpu_env(cs);
    env->rip = data[0];
    if (data[1] != CC_OP_DYNAMIC) {
        env->cc_op = data[1];
    }
}

int x86_cpu_mmu_index(CPUState *cs, bool ifetch)
{
    return x86_mmu_index_env(cpu_env(cs), ifetch);
}

static bool x86_cpu_has_work(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    int req = cpu_interrupt_request(cs);
    return ((req & CPU_INTERRUPT_HARD) && (env->rflags & RFLAGS_IF)) ||
           (req & (CPU_INTERRUPT_NMI | CPU_INTERRUPT_INIT | CPU_INTERRUPT_SIPI));
}

static void *x86_get_env(CPUState *cs)
{
    return cpu_env(cs);
}

static const TCGCPUOps x86_tcg_ops = {
    .initialize = x86_tcg_initialize,
    .translate_code = x86_translate_code,
    .get_tb_cpu_state = x86_get_tb_cpu_state,
    .get_tb_cpu_state_chained = x86_get_tb_cpu_state_chained,
    .restore_state_to_opc = x86_restore_state_to_opc,
    .do_interrupt = x86_cpu_do_interrupt,
    .cpu_exec_interrupt = x86_cpu_exec_interrupt,
    .tlb_fill = x86_cpu_tlb_fill,
    .do_unaligned_access = x86_cpu_do_unaligned_access,
    .mmu_index = x86_cpu_mmu_index,
    .has_work = x86_cpu_has_work,
    .get_env = x86_get_env,
    .tlb_fast_offset = offsetof(CPUX86State, tlb_fast),
    .insn_start_words = X86_INSN_START_WORDS,
    .exit_request_offset = offsetof(CPUX86State, exit_request),
    .jmp_cache_offset = offsetof(CPUX86State, tcg_jc),
    .limitations = NULL,   /* gaps are logged under -d unimp where they are hit */
};

_Static_assert(offsetof(CPUX86State, tlb_fast) == 0, "TLB first in the CPU state");

static void __attribute__((constructor)) x86_tcg_register(void)
{
    tcg_register_cpu_ops(&x86_tcg_ops);
}
