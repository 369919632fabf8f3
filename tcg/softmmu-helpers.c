/*
 * The slow-path helper table used by both backends, and weak placeholders for the
 * helpers until accel/tcg provides the real ones (a TB with a guest memory access
 * cannot run before that: the placeholders report and abort, an emu bug).
 */
#include "util/osdep.h"
#include "tcg/tcg-softmmu.h"

const TCGLoadHelper tcg_ld_helpers[4] = {
    helper_ldub_mmu, helper_lduw_mmu, helper_ldul_mmu, helper_lduq_mmu,
};
const TCGStoreHelper tcg_st_helpers[4] = {
    helper_stb_mmu, helper_stw_mmu, helper_stl_mmu, helper_stq_mmu,
};

#define WEAK_LD(name)                                                               \
    __attribute__((weak)) uint64_t name(void *env, uint64_t addr, MemOpIdx oi,      \
                                        uintptr_t ra)                               \
    {                                                                               \
        g_error("tcg: %s called without a softmmu (addr 0x%" PRIx64 ")", #name, addr); \
    }
#define WEAK_ST(name)                                                               \
    __attribute__((weak)) void name(void *env, uint64_t addr, uint64_t val,         \
                                    MemOpIdx oi, uintptr_t ra)                      \
    {                                                                               \
        g_error("tcg: %s called without a softmmu (addr 0x%" PRIx64 ")", #name, addr); \
    }

WEAK_LD(helper_ldub_mmu)
WEAK_LD(helper_lduw_mmu)
WEAK_LD(helper_ldul_mmu)
WEAK_LD(helper_lduq_mmu)
WEAK_ST(helper_stb_mmu)
WEAK_ST(helper_stw_mmu)
WEAK_ST(helper_stl_mmu)
WEAK_ST(helper_stq_mmu)
