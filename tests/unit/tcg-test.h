/*
 * Shared scaffolding of the tcg unit tests: a CPU-state stand-in, a fake softmmu
 * (guest RAM, TLB, slow-path helpers counting misses) and context helpers.
 */
#ifndef TESTS_TCG_TEST_H
#define TESTS_TCG_TEST_H

#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/tcg-op.h"
#include "tcg/tcg-softmmu.h"
#include "util/log.h"
#include "tcg-ref.h"

typedef struct TestEnv {
    CPUTLBFast tlb[TCG_NB_MMU_MODES];   /* tlb_fast_offset = 0 */
    uint64_t in[8];
    uint64_t out[8];
    uint64_t g[16];
    uint64_t scratch[64];
} TestEnv;

typedef struct CPUArchState CPUArchState;
struct CPUArchState {
    TestEnv e;
};

#define ENV_OFS(field) offsetof(TestEnv, field)

#define GUEST_PAGES 16
#define TLB_ENTRIES 64
static uint8_t guest_ram[GUEST_PAGES * 4096];
static CPUTLBEntry tlb_table[2][TLB_ENTRIES];
static int miss_count;
static uintptr_t last_retaddr;
static MemOpIdx last_oi;

/* Pages whose bit is set in `mapped` hit in the TLB of mmu_idx 0 and 1. */
G_GNUC_UNUSED static void tlb_setup(TestEnv *env, uint32_t mapped)
{
    ref_guest_ram = guest_ram;
    ref_guest_size = sizeof(guest_ram);
    for (int m = 0; m < 2; m++) {
        env->tlb[m].mask = (TLB_ENTRIES - 1) << CPU_TLB_ENTRY_BITS;
        env->tlb[m].table = tlb_table[m];
        memset(tlb_table[m], 0xff, sizeof(tlb_table[m]));
        for (int p = 0; p < GUEST_PAGES; p++) {
            if (mapped >> p & 1) {
                CPUTLBEntry *e = &tlb_table[m][p % TLB_ENTRIES];
                e->addr_read = e->addr_write = (uint64_t)p << TCG_PAGE_BITS;
                e->addr_code = -1;
                e->addend = (uintptr_t)guest_ram;
            }
        }
    }
    miss_count = 0;
}

static uint64_t fake_ld(uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    miss_count++;
    last_retaddr = ra;
    last_oi = oi;
    return ref_qemu_ld(addr, get_memop(oi) & ~MO_SIGN);
}

static void fake_st(uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra)
{
    miss_count++;
    last_retaddr = ra;
    last_oi = oi;
    ref_qemu_st(addr, val, get_memop(oi));
}

uint64_t helper_ldub_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    return fake_ld(addr, oi, ra);
}
uint64_t helper_lduw_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    return fake_ld(addr, oi, ra);
}
uint64_t helper_ldul_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    return fake_ld(addr, oi, ra);
}
uint64_t helper_lduq_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    return fake_ld(addr, oi, ra);
}
void helper_stb_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra)
{
    fake_st(addr, val, oi, ra);
}
void helper_stw_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra)
{
    fake_st(addr, val, oi, ra);
}
void helper_stl_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra)
{
    fake_st(addr, val, oi, ra);
}
void helper_stq_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra)
{
    fake_st(addr, val, oi, ra);
}

static const TCGBackendKind test_backends[] = { TCG_BACKEND_NATIVE, TCG_BACKEND_TCI };
#define NB_TEST_BACKENDS ((int)ARRAY_SIZE(test_backends))

static TCGContext *test_ctx_new(TCGBackendKind k, bool optimize)
{
    TCGContextConfig cfg = {
        .backend = k,
        .code_size = 32 * 1024 * 1024,
        .insn_start_words = 2,
        .tlb_fast_offset = ENV_OFS(tlb),
        .no_optimize = !optimize,
    };
    TCGContext *s = tcg_context_new(&cfg, &error_abort);
    const char *log = getenv("TCG_TEST_LOG");
    if (log) {
        int mask;
        if (emu_log_parse_items(log, &mask, NULL)) {
            emu_log_set_mask(mask);
        }
    }
    tcg_set_ctx(s);
    return s;
}

/* Generate the current op list; fails the test on any error. */
G_GNUC_UNUSED static void test_gen(TCGContext *s, TCGTBCode *tc)
{
    int n = tcg_gen_code(s, tc);
    if (n == TCG_GEN_BUFFER_FULL) {
        tcg_code_buffer_reset(s);
        g_error("code buffer full");
    }
    g_assert_cmpint(n, >, 0);
}

G_GNUC_UNUSED static uint64_t test_rand64(GRand *r)
{
    static const uint64_t edge[] = {
        0, 1, 2, 3, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
        0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
        0x8000000000000000ull, ~0ull, ~1ull, 0x123456789abcdef0ull,
    };
    uint64_t v;
    switch (g_rand_int_range(r, 0, 6)) {
    case 0:
        return edge[g_rand_int_range(r, 0, ARRAY_SIZE(edge))];
    case 1:
        return -edge[g_rand_int_range(r, 0, ARRAY_SIZE(edge))];
    case 2:
        return 1ull << g_rand_int_range(r, 0, 64);
    case 3:
        return g_rand_int_range(r, -100, 100);
    default:
        v = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
        return v >> g_rand_int_range(r, 0, 64);
    }
}

#endif
