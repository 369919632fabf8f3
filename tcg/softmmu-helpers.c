/*
 * The slow-path helper table used by both backends. The helpers themselves are
 * accel/tcg/cputlb.c's (weak there, so the TCG unit tests can substitute fakes).
 */
#include "util/osdep.h"
#include "tcg/tcg-softmmu.h"

const TCGLoadHelper tcg_ld_helpers[4] = {
    helper_ldub_mmu, helper_lduw_mmu, helper_ldul_mmu, helper_lduq_mmu,
};
const TCGStoreHelper tcg_st_helpers[4] = {
    helper_stb_mmu, helper_stw_mmu, helper_stl_mmu, helper_stq_mmu,
};
