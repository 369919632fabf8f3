/*
 * The TCG execution engine (accel/tcg) driven by a toy front end, on both backends:
 * the cpu-exec loop, TB cache and chaining, precise exceptions from helpers, page
 * faults from tlb_fill, MMIO through the memory API, self-modifying code (inside the
 * running TB and in another one), DMA writes invalidating code, tb_flush when the
 * code buffer fills, and kicks from another thread stopping a chained loop.
 *
 * Toy ISA: 8 x 64-bit registers, fixed 8-byte little-endian instructions
 *   byte 0 opcode, 1 rd, 2 rs, 3 rt (memory size 0..3 for LD/ST), 4..7 imm (signed)
 */
#include "util/osdep.h"
#include "hw/core/cpu.h"
#include "system/memory.h"
#include "accel/tcg/tcg-cpu-ops.h"
#include "accel/tcg/tcg-engine.h"
#include "accel/tcg/translator.h"
#include "tcg/tcg-op.h"
#include "tcg/tcg-softmmu.h"
#include "accel/tcg/internal.h"     /* TLB_ENTRIES, TLB_VICTIMS */

typedef struct ToyEnv {
    CPUTLBFast tlb[TCG_NB_MMU_MODES];     /* offset 0: the softmmu ABI */
    uint64_t regs[8];
    uint64_t pc;
    uint64_t tb_count;
    int32_t exit_request;
    void *jc;                             /* the engine's jump cache */
    int nvec;
    int vectors[16];
    uint64_t vec_pc[16];
    uint64_t fault_addr;
    uint64_t handler_pc;
} ToyEnv;

typedef struct CPUArchState CPUArchState;
struct CPUArchState {
    ToyEnv e;
};
#include "tcg/tcg-helper.h"

typedef struct ToyCPU {
    CPUState parent_obj;
    CPUArchState env;
} ToyCPU;

#define TYPE_TOY_CPU "toy-cpu"

enum { OP_ADDI = 1, OP_ADD, OP_LD, OP_ST, OP_BNE, OP_JMP, OP_SYSCALL, OP_HLT, OP_JR,
       OP_MOVI };

#define RAM_SIZE 0x10000
#define MMIO_BASE 0x10000
#define UNMAPPED_PAGE 0x8000
#define RO_PAGE 0x9000
#define HANDLER 0xf000
/*
 * Alias windows: [k * ALIAS_STRIDE, + RAM_SIZE) for k = 1..ALIAS_MAX map RAM
 * shifted by alias_shift. Their pages share the direct-mapped TLB's index with
 * the same RAM page (victim TLB tests).
 */
#define ALIAS_STRIDE ((uint64_t)TLB_ENTRIES * TCG_PAGE_SIZE)
#define ALIAS_MAX 16
#define ALIAS(k, a) ((k) * ALIAS_STRIDE + (a))
static uint64_t alias_shift;
static uint64_t fill_count;
static bool toy_global;      /* RAM pages are filled with PAGE_GLOBAL */

static ToyCPU *toy;
static CPUState *cpu;
static MemoryRegion ram, mmio;
static uint8_t *ram_host;
static TCGv_i64 cpu_regs[8], cpu_pc, cpu_tbcount;

/* ---- the MMIO device ---- */

typedef struct MmioLog {
    int n;
    bool write[64];
    hwaddr addr[64];
    unsigned size[64];
    uint64_t val[64];
} MmioLog;
static MmioLog mlog;

static uint64_t mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    int i = mlog.n++ % 64;
    mlog.write[i] = false;
    mlog.addr[i] = addr;
    mlog.size[i] = size;
    uint64_t v = 0x8877665544332211ull >> (8 * (addr & 7));
    return size == 8 ? v : v & ((1ull << (8 * size)) - 1);
}

static void mmio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    int i = mlog.n++ % 64;
    mlog.write[i] = true;
    mlog.addr[i] = addr;
    mlog.size[i] = size;
    mlog.val[i] = val;
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

/* ---- the front end ---- */

DEF_HELPER_FLAGS_2(toy_raise, TCG_CALL_NO_RETURN, void, env, i32)
DEF_HELPER_FLAGS_1(toy_hlt, TCG_CALL_NO_RETURN, void, env)

void helper_toy_raise(CPUArchState *env, uint32_t vec)
{
    cpu_set_exception_index(current_cpu, vec);
    cpu_loop_exit_restore(current_cpu, GETPC());
}

void helper_toy_hlt(CPUArchState *env)
{
    cpu_set_exception_index(current_cpu, EXCP_HLT);
    cpu_loop_exit(current_cpu);
}

static void toy_initialize(void)
{
    static const char *names[8] = { "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7" };
    for (int i = 0; i < 8; i++) {
        cpu_regs[i] = tcg_global_mem_new_i64(tcg_env, offsetof(ToyEnv, regs[i]), names[i]);
    }
    cpu_pc = tcg_global_mem_new_i64(tcg_env, offsetof(ToyEnv, pc), "pc");
    cpu_tbcount = tcg_global_mem_new_i64(tcg_env, offsetof(ToyEnv, tb_count), "tbs");
}

static void gen_goto(TranslationBlock *tb, int n, uint64_t dest)
{
    tcg_gen_goto_tb(n);
    tcg_gen_movi_i64(cpu_pc, dest);
    tcg_gen_exit_tb(tb, n);
}

static void toy_translate(CPUState *cs, TranslationBlock *tb, int max_insns)
{
    uint64_t pc = tb->pc;
    int n = 0;
    bool end = false;

    tcg_gen_tb_start(tb);
    tcg_gen_addi_i64(cpu_tbcount, cpu_tbcount, 1);
    while (!end) {
        uint64_t insn = translator_ldq(cs, pc);
        unsigned op = insn & 0xff, rd = (insn >> 8) & 7, rs = (insn >> 16) & 7;
        unsigned rt = (insn >> 24) & 0xff;
        int64_t imm = (int32_t)(insn >> 32);
        uint64_t next = pc + 8;
        tcg_gen_insn_start(pc, 0, 0);
        n++;
        switch (op) {
        case OP_ADDI:
            tcg_gen_addi_i64(cpu_regs[rd], cpu_regs[rs], imm);
            break;
        case OP_ADD:
            tcg_gen_add_i64(cpu_regs[rd], cpu_regs[rs], cpu_regs[rt & 7]);
            break;
        case OP_MOVI:
            tcg_gen_movi_i64(cpu_regs[rd], imm);
            break;
        case OP_LD: {
            TCGv_i64 a = tcg_temp_new_i64();
            TCGv_i64 v = tcg_temp_new_i64();
            tcg_gen_addi_i64(a, cpu_regs[rs], imm);
            tcg_gen_qemu_ld_i64(v, a, 0, (MemOp)(rt & 3));
            tcg_gen_mov_i64(cpu_regs[rd], v);
            tcg_temp_free_i64(a);
            tcg_temp_free_i64(v);
            break;
        }
        case OP_ST: {
            TCGv_i64 a = tcg_temp_new_i64();
            tcg_gen_addi_i64(a, cpu_regs[rs], imm);
            tcg_gen_qemu_st_i64(cpu_regs[rd], a, 0, (MemOp)(rt & 3));
            tcg_temp_free_i64(a);
            break;
        }
        case OP_BNE: {
            TCGLabel *l = gen_new_label();
            tcg_gen_brcond_i64(TCG_COND_NE, cpu_regs[rd], cpu_regs[rs], l);
            gen_goto(tb, 0, next);
            gen_set_label(l);
            gen_goto(tb, 1, next + imm);
            end = true;
            break;
        }
        case OP_JMP:
            gen_goto(tb, 0, next + imm);
            end = true;
            break;
        case OP_JR:
            tcg_gen_mov_i64(cpu_pc, cpu_regs[rs]);
            tcg_gen_lookup_and_goto_ptr_jc(cpu_pc, 0, tcg_constant_i32(0));
            end = true;
            break;
        case OP_SYSCALL:
            gen_helper_toy_raise(tcg_env, tcg_constant_i32(imm));
            end = true;
            break;
        case OP_HLT:
            tcg_gen_movi_i64(cpu_pc, next);
            gen_helper_toy_hlt(tcg_env);
            end = true;
            break;
        default:
            gen_helper_toy_raise(tcg_env, tcg_constant_i32(6));   /* #UD-like */
            end = true;
            break;
        }
        pc = next;
        if (!end && (n >= max_insns || (pc & (TCG_PAGE_SIZE - 1)) == 0)) {
            gen_goto(tb, 0, pc);
            end = true;
        }
    }
    tb->size = pc - tb->pc;
    tb->icount = n;
    tcg_gen_tb_end(tb);
}

static void toy_get_tb_cpu_state(CPUState *cs, uint64_t *pc, uint64_t *cs_base,
                                 uint32_t *flags)
{
    *pc = toy->env.e.pc;
    *cs_base = 0;
    *flags = 0;
}

static void toy_restore(CPUState *cs, const TranslationBlock *tb, const uint64_t *data)
{
    toy->env.e.pc = data[0];
}

static void toy_record(int vec)
{
    ToyEnv *e = &toy->env.e;
    if (e->nvec < 16) {
        e->vectors[e->nvec] = vec;
        e->vec_pc[e->nvec] = e->pc;
        e->nvec++;
    }
    e->pc = e->handler_pc;
}

static void toy_do_interrupt(CPUState *cs)
{
    toy_record(cpu_exception_index(cs));
}

static bool toy_exec_interrupt(CPUState *cs, int req)
{
    if (req & CPU_INTERRUPT_HARD) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
        toy_record(32);
        return true;
    }
    return false;
}

static bool toy_tlb_fill(CPUState *cs, uint64_t addr, int size, MMUAccessType access,
                         int mmu_idx, bool probe, uintptr_t ra)
{
    uint64_t page = addr & TCG_PAGE_MASK;
    fill_count++;
    if (addr >= ALIAS_STRIDE && addr / ALIAS_STRIDE <= ALIAS_MAX &&
        addr % ALIAS_STRIDE < RAM_SIZE) {
        uint64_t phys = (addr % ALIAS_STRIDE + alias_shift) % RAM_SIZE;
        tlb_set_page(cs, addr, phys, PAGE_READ | PAGE_WRITE | PAGE_EXEC, mmu_idx,
                     TCG_PAGE_SIZE);
        return true;
    }
    if (page == UNMAPPED_PAGE || addr >= MMIO_BASE + 0x1000 ||
        (page == RO_PAGE && access == MMU_DATA_STORE)) {
        if (probe) {
            return false;
        }
        toy->env.e.fault_addr = addr;
        cpu_set_exception_index(cs, 14);
        cpu_loop_exit_restore(cs, ra);
    }
    int prot = PAGE_READ | PAGE_EXEC | (page == RO_PAGE ? 0 : PAGE_WRITE) |
               (toy_global ? PAGE_GLOBAL : 0);
    tlb_set_page(cs, addr, addr, prot, mmu_idx, TCG_PAGE_SIZE);
    return true;
}

static int toy_mmu_index(CPUState *cs, bool ifetch)
{
    return 0;
}

static bool toy_has_work(CPUState *cs)
{
    return cpu_interrupt_request(cs) & CPU_INTERRUPT_HARD;
}

static void *toy_get_env(CPUState *cs)
{
    return &toy->env;
}

static const TCGCPUOps toy_ops = {
    .initialize = toy_initialize,
    .translate_code = toy_translate,
    .get_tb_cpu_state = toy_get_tb_cpu_state,
    .restore_state_to_opc = toy_restore,
    .do_interrupt = toy_do_interrupt,
    .cpu_exec_interrupt = toy_exec_interrupt,
    .tlb_fill = toy_tlb_fill,
    .mmu_index = toy_mmu_index,
    .has_work = toy_has_work,
    .get_env = toy_get_env,
    .tlb_fast_offset = 0,
    .insn_start_words = 1,
    .exit_request_offset = offsetof(ToyEnv, exit_request),
    .jmp_cache_offset = offsetof(ToyEnv, jc),
};

static const TypeInfo toy_cpu_type = {
    .name = TYPE_TOY_CPU,
    .parent = TYPE_CPU,
    .instance_size = sizeof(ToyCPU),
};

/* ---- assembling and running ---- */

static uint64_t I(unsigned op, unsigned rd, unsigned rs, unsigned rt, int32_t imm)
{
    return op | rd << 8 | rs << 16 | (uint64_t)rt << 24 | (uint64_t)(uint32_t)imm << 32;
}

/* Through the memory API, like a loader: stale TBs there are dropped. */
static void put(uint64_t addr, uint64_t insn)
{
    address_space_write(&address_space_memory, addr, &insn, 8);
}

/* Assemble at @addr; returns the address after the last instruction. */
static uint64_t asm_at(uint64_t addr, const uint64_t *insns, int n)
{
    for (int i = 0; i < n; i++) {
        put(addr + 8 * i, insns[i]);
    }
    return addr + 8 * n;
}

static TCGBackendKind cur_backend = -1;

static void setup(TCGBackendKind be, size_t code_size)
{
    static TCGBackendKind last_be = -1;
    static size_t last_size = 0;
    if (tcg_engine_ready() && (last_be != be || last_size != code_size)) {
        tcg_engine_shutdown();
    }
    if (!tcg_engine_ready()) {
        TCGEngineConfig cfg = { .backend = be, .code_size = code_size };
        g_assert_true(tcg_engine_init(&cfg, &error_abort));
        last_be = be;
        last_size = code_size;
    }
    cur_backend = be;
    memset(&toy->env.e.regs, 0, sizeof(toy->env.e.regs));
    toy->env.e.nvec = 0;
    toy->env.e.tb_count = 0;
    toy->env.e.handler_pc = HANDLER;
    put(HANDLER, I(OP_HLT, 0, 0, 0, 0));
    cpu->halted = false;
    cpu_reset_interrupt(cpu, -1);
}

/* Run from @pc until the toy halts. */
static void run(uint64_t pc)
{
    toy->env.e.pc = pc;
    cpu->halted = false;
    for (int i = 0; i < 100000; i++) {
        int r = tcg_cpu_exec(cpu);
        if (r == EXCP_HLT) {
            return;
        }
        g_assert_cmpint(r, !=, EXCP_FATAL);
    }
    g_assert_not_reached();
}

#define R(i) (toy->env.e.regs[i])

static TCGBackendKind be_of(gconstpointer data)
{
    return (TCGBackendKind)GPOINTER_TO_INT(data);
}

static void test_straight(gconstpointer data)
{
    setup(be_of(data), 0);
    uint64_t p[] = {
        I(OP_MOVI, 1, 0, 0, 40), I(OP_ADDI, 2, 1, 0, 2), I(OP_ADD, 3, 1, 2, 0),
        I(OP_MOVI, 4, 0, 0, -1), I(OP_HLT, 0, 0, 0, 0),
    };
    asm_at(0x1000, p, 5);
    run(0x1000);
    g_assert_cmpuint(R(1), ==, 40);
    g_assert_cmpuint(R(2), ==, 42);
    g_assert_cmpuint(R(3), ==, 82);
    g_assert_cmpuint(R(4), ==, UINT64_MAX);
    g_assert_cmpuint(toy->env.e.pc, ==, 0x1000 + 5 * 8);
    g_assert_cmpint(toy->env.e.nvec, ==, 0);
}

static void test_loop_chain(gconstpointer data)
{
    setup(be_of(data), 0);
    TCGEngineStats st0, st1;
    uint64_t p[] = {
        I(OP_MOVI, 1, 0, 0, 0), I(OP_MOVI, 2, 0, 0, 1000000), I(OP_MOVI, 3, 0, 0, 0),
        /* loop: */ I(OP_ADDI, 1, 1, 0, 1), I(OP_ADD, 3, 3, 1, 0), I(OP_BNE, 1, 2, 0, -24),
        I(OP_HLT, 0, 0, 0, 0),
    };
    asm_at(0x1000, p, 7);
    tcg_engine_get_stats(&st0);
    gint64 t0 = g_get_monotonic_time();
    run(0x1000);
    gint64 t1 = g_get_monotonic_time();
    tcg_engine_get_stats(&st1);
    g_assert_cmpuint(R(1), ==, 1000000);
    g_assert_cmpuint(R(3), ==, 500000500000ull);
    uint64_t tbs = toy->env.e.tb_count;
    uint64_t from_loop = st1.loop_execs - st0.loop_execs;
    g_assert_cmpuint(st1.chains - st0.chains, >=, 1);
    /* Chained: almost every TB was entered by a patched jump, not by the loop. */
    g_assert_cmpuint(from_loop * 100, <, tbs);
    g_test_message("%s: %" PRIu64 " TBs in %.1f ms = %.1f M TBs/s, %" PRIu64
                   " from the loop (chain ratio %.5f)", be_of(data) == TCG_BACKEND_TCI ?
                   "tci" : "native", tbs, (t1 - t0) / 1000.0,
                   tbs / ((t1 - t0) / 1e6) / 1e6, from_loop, 1.0 - (double)from_loop / tbs);
}

static void test_indirect(gconstpointer data)
{
    setup(be_of(data), 0);
    TCGEngineStats st0, st1;
    uint64_t p[] = {
        I(OP_MOVI, 1, 0, 0, 0), I(OP_MOVI, 2, 0, 0, 1000), I(OP_MOVI, 5, 0, 0, 0x1020),
        /* 0x1018 */ I(OP_JMP, 0, 0, 0, 0),
        /* 0x1020 loop */ I(OP_ADDI, 1, 1, 0, 1), I(OP_BNE, 1, 2, 0, 8),
        I(OP_HLT, 0, 0, 0, 0),
        /* 0x1038 */ I(OP_JR, 0, 5, 0, 0),
    };
    asm_at(0x1000, p, 8);
    tcg_engine_get_stats(&st0);
    run(0x1000);
    tcg_engine_get_stats(&st1);
    g_assert_cmpuint(R(1), ==, 1000);
    /* The jump cache is probed inline (tcg_gen_lookup_and_goto_ptr_jc): the hook
     * runs only for the first JR (a miss), the loop for the first entries. */
    uint64_t hook = st1.lookup_ptr_hits - st0.lookup_ptr_hits +
                    st1.lookup_ptr_misses - st0.lookup_ptr_misses;
    g_test_message("%" PRIu64 " hook calls, %" PRIu64 " loop entries for 1000 JRs", hook,
                   st1.loop_execs - st0.loop_execs);
    g_assert_cmpuint(hook, <, 10);
    g_assert_cmpuint(st1.loop_execs - st0.loop_execs, <, 10);
}

/*
 * The inline jump-cache probe must not enter a TB invalidated since it was
 * cached: a subroutine reached through JR is patched by a guest store from
 * another TB, then called again through JR from that same TB.
 */
static void test_jr_smc(gconstpointer data)
{
    setup(be_of(data), 0);
    uint64_t newinsn = I(OP_MOVI, 3, 0, 0, 77);
    memcpy(ram_host + 0x2000, &newinsn, 8);
    uint64_t sub[] = { I(OP_MOVI, 3, 0, 0, 1), I(OP_ADD, 7, 7, 3, 0), I(OP_JR, 0, 6, 0, 0) };
    asm_at(0x1800, sub, 3);
    uint64_t p[] = {
        I(OP_MOVI, 6, 0, 0, 0x1018), I(OP_MOVI, 5, 0, 0, 0x1800), I(OP_JR, 0, 5, 0, 0),
        /* 0x1018 */ I(OP_MOVI, 1, 0, 0, 0x2000), I(OP_LD, 2, 1, 3, 0),
        I(OP_MOVI, 4, 0, 0, 0x1800), I(OP_ST, 2, 4, 3, 0),
        I(OP_MOVI, 6, 0, 0, 0x1050), I(OP_JR, 0, 5, 0, 0),
        I(OP_HLT, 0, 0, 0, 0),
        /* 0x1050 */ I(OP_HLT, 0, 0, 0, 0),
    };
    asm_at(0x1000, p, 11);
    /* Twice: the second run finds the first one's TBs in the jump cache. */
    for (int i = 0; i < 2; i++) {
        put(0x1800, sub[0]);
        R(7) = 0;
        run(0x1000);
        g_assert_cmpuint(R(3), ==, 77);  /* the patched instruction ran */
        g_assert_cmpuint(R(7), ==, 78);
        g_assert_cmpuint(toy->env.e.pc, ==, 0x1058);
    }
}


static void test_helper_exception(gconstpointer data)
{
    setup(be_of(data), 0);
    uint64_t p[] = {
        I(OP_MOVI, 1, 0, 0, 7), I(OP_ADDI, 1, 1, 0, 1), I(OP_SYSCALL, 0, 0, 0, 0x80),
        I(OP_MOVI, 1, 0, 0, 99), I(OP_HLT, 0, 0, 0, 0),
    };
    asm_at(0x1000, p, 5);
    run(0x1000);
    g_assert_cmpint(toy->env.e.nvec, ==, 1);
    g_assert_cmpint(toy->env.e.vectors[0], ==, 0x80);
    g_assert_cmphex(toy->env.e.vec_pc[0], ==, 0x1010);
    g_assert_cmpuint(R(1), ==, 8);       /* state of the faulting instruction */
}

static void test_page_fault(gconstpointer data)
{
    setup(be_of(data), 0);
    uint64_t p[] = {
        I(OP_MOVI, 1, 0, 0, UNMAPPED_PAGE), I(OP_MOVI, 2, 0, 0, 5),
        I(OP_LD, 3, 1, 3, 0x10), I(OP_HLT, 0, 0, 0, 0),
    };
    asm_at(0x1000, p, 4);
    run(0x1000);
    g_assert_cmpint(toy->env.e.nvec, ==, 1);
    g_assert_cmpint(toy->env.e.vectors[0], ==, 14);
    g_assert_cmphex(toy->env.e.vec_pc[0], ==, 0x1010);
    g_assert_cmphex(toy->env.e.fault_addr, ==, UNMAPPED_PAGE + 0x10);

    /* A store to the read-only page faults; a load from it works. */
    memset(ram_host + RO_PAGE, 0x5a, 8);
    uint64_t q[] = {
        I(OP_MOVI, 1, 0, 0, RO_PAGE), I(OP_LD, 4, 1, 3, 0), I(OP_ST, 4, 1, 2, 8),
        I(OP_HLT, 0, 0, 0, 0),
    };
    asm_at(0x2000, q, 4);
    setup(be_of(data), 0);
    run(0x2000);
    g_assert_cmphex(R(4), ==, 0x5a5a5a5a5a5a5a5aull);
    g_assert_cmpint(toy->env.e.nvec, ==, 1);
    g_assert_cmphex(toy->env.e.vec_pc[0], ==, 0x2010);
    g_assert_cmphex(toy->env.e.fault_addr, ==, RO_PAGE + 8);

    /* A load crossing into the unmapped page faults on the second page. */
    uint64_t c[] = {
        I(OP_MOVI, 1, 0, 0, UNMAPPED_PAGE - 4), I(OP_LD, 4, 1, 3, 0), I(OP_HLT, 0, 0, 0, 0),
    };
    asm_at(0x2100, c, 3);
    setup(be_of(data), 0);
    run(0x2100);
    g_assert_cmpint(toy->env.e.nvec, ==, 1);
    g_assert_cmphex(toy->env.e.vec_pc[0], ==, 0x2108);
    g_assert_cmphex(toy->env.e.fault_addr, ==, UNMAPPED_PAGE);
    /* A page-crossing load within RAM assembles both halves. */
    uint64_t v = 0x0807060504030201ull;
    memcpy(ram_host + 0x3ffc, &v, 8);
    uint64_t d[] = {
        I(OP_MOVI, 1, 0, 0, 0x3ffc), I(OP_LD, 4, 1, 3, 0), I(OP_LD, 5, 1, 2, 2),
        I(OP_HLT, 0, 0, 0, 0),
    };
    asm_at(0x2200, d, 4);
    setup(be_of(data), 0);
    run(0x2200);
    g_assert_cmphex(R(4), ==, v);
    g_assert_cmphex(R(5), ==, 0x06050403);
}

static void test_mmio(gconstpointer data)
{
    setup(be_of(data), 0);
    memset(&mlog, 0, sizeof(mlog));
    uint64_t p[] = {
        I(OP_MOVI, 1, 0, 0, MMIO_BASE),
        I(OP_LD, 2, 1, 0, 1), I(OP_LD, 3, 1, 1, 2), I(OP_LD, 4, 1, 2, 4), I(OP_LD, 5, 1, 3, 0),
        I(OP_MOVI, 6, 0, 0, 0x1234567), I(OP_ST, 6, 1, 0, 0x10), I(OP_ST, 6, 1, 1, 0x12),
        I(OP_ST, 6, 1, 2, 0x14), I(OP_ST, 6, 1, 3, 0x18), I(OP_HLT, 0, 0, 0, 0),
    };
    asm_at(0x1000, p, 11);
    run(0x1000);
    g_assert_cmpint(mlog.n, ==, 8);
    static const unsigned sizes[8] = { 1, 2, 4, 8, 1, 2, 4, 8 };
    static const hwaddr addrs[8] = { 1, 2, 4, 0, 0x10, 0x12, 0x14, 0x18 };
    for (int i = 0; i < 8; i++) {
        g_assert_cmpuint(mlog.size[i], ==, sizes[i]);
        g_assert_cmphex(mlog.addr[i], ==, addrs[i]);
        g_assert_cmpint(mlog.write[i], ==, i >= 4);
    }
    g_assert_cmphex(R(2), ==, 0x22);
    g_assert_cmphex(R(3), ==, 0x4433);
    g_assert_cmphex(R(4), ==, 0x88776655);
    g_assert_cmphex(R(5), ==, 0x8877665544332211ull);
    g_assert_cmphex(mlog.val[4], ==, 0x67);
    g_assert_cmphex(mlog.val[5], ==, 0x4567);
    g_assert_cmphex(mlog.val[6], ==, 0x1234567);
    g_assert_cmphex(mlog.val[7], ==, 0x1234567);
}

/* Code in device memory: bytes served by an MMIO region, never cached. */
static uint8_t devcode[0x100];

static uint64_t devcode_read(void *opaque, hwaddr addr, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, devcode + addr, size);
    return v;
}

static const MemoryRegionOps devcode_ops = {
    .read = devcode_read,
    .write = mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

static void test_exec_mmio(gconstpointer data)
{
    static MemoryRegion dev;
    static bool mapped;
    const uint64_t devpc = MMIO_BASE + 0x800;
    if (!mapped) {
        memory_region_init_io(&dev, NULL, &devcode_ops, NULL, "toy-devcode", 0x100);
        memory_region_add_subregion_overlap(get_system_memory(), devpc, &dev, 1);
        mapped = true;
    }
    setup(be_of(data), 0);
    uint64_t ram[] = { I(OP_JMP, 0, 0, 0, (int32_t)(devpc - 0x1008)) };
    asm_at(0x1000, ram, 1);
    uint64_t back[] = { I(OP_HLT, 0, 0, 0, 0) };
    asm_at(0x2000, back, 1);
    for (int v = 99; v <= 101; v++) {
        uint64_t code[] = { I(OP_MOVI, 7, 0, 0, v), I(OP_ADDI, 7, 7, 0, 1),
                            I(OP_JMP, 0, 0, 0, (int32_t)(0x2000 - (devpc + 24))) };
        memcpy(devcode, code, sizeof(code));
        run(0x1000);
        g_assert_cmpint(R(7), ==, v + 1);      /* the device's current bytes ran */
    }
    /* A fault raised inside a one-shot TB is precise. */
    uint64_t code[] = { I(OP_MOVI, 7, 0, 0, 5), I(OP_SYSCALL, 0, 0, 0, 9) };
    memcpy(devcode, code, sizeof(code));
    run(0x1000);
    g_assert_cmpint(toy->env.e.nvec, ==, 1);
    g_assert_cmpint(toy->env.e.vectors[0], ==, 9);
    g_assert_cmphex(toy->env.e.vec_pc[0], ==, devpc + 8);
}

/*
 * A memory-map change between runs: the TLB entry cached from the first run
 * (RAM at 0x5000) must not survive a higher-priority MMIO region mapped over
 * it, nor that region's removal.
 */
static void test_map_change(gconstpointer data)
{
    static MemoryRegion over;
    setup(be_of(data), 0);
    uint64_t v = 0x1111;
    memcpy(ram_host + 0x5000, &v, 8);
    uint64_t p[] = { I(OP_MOVI, 1, 0, 0, 0x5000), I(OP_LD, 2, 1, 3, 0), I(OP_HLT, 0, 0, 0, 0) };
    asm_at(0x1000, p, 3);
    run(0x1000);
    g_assert_cmphex(R(2), ==, 0x1111);

    memory_region_init_io(&over, NULL, &mmio_ops, NULL, "toy-over", 0x1000);
    memory_region_add_subregion_overlap(get_system_memory(), 0x5000, &over, 1);
    memset(&mlog, 0, sizeof(mlog));
    run(0x1000);
    g_assert_cmphex(R(2), ==, 0x8877665544332211ull);   /* the MMIO device answered */
    g_assert_cmpint(mlog.n, ==, 1);

    memory_region_del_subregion(get_system_memory(), &over);
    run(0x1000);
    g_assert_cmphex(R(2), ==, 0x1111);
}

/* The pages of [0x6000, 0x8000) dirty for VGA; clears them. */
static unsigned take_vga_dirty(void)
{
    unsigned bits = 0;
    for (unsigned i = 0; i < 2; i++) {
        if (memory_region_test_and_clear_dirty(&ram, 0x6000 + i * 0x1000, 0x1000,
                                               DIRTY_MEMORY_VGA)) {
            bits |= 1u << i;
        }
    }
    return bits;
}

/*
 * CPU stores to dirty-logged RAM set the client's bits (docs/devel/tcg.md, dirty
 * tracking), also when the bits are cleared while the TLB keeps the page mapped.
 */
static void test_dirty_log(gconstpointer data)
{
    setup(be_of(data), 0);
    memory_region_set_log(&ram, true, DIRTY_MEMORY_VGA);
    take_vga_dirty();
    uint64_t p[] = {
        I(OP_MOVI, 1, 0, 0, 0x6000), I(OP_MOVI, 2, 0, 0, 0x4242),
        I(OP_ST, 2, 1, 3, 0x18), I(OP_HLT, 0, 0, 0, 0),
    };
    asm_at(0x1000, p, 4);
    g_assert_cmphex(take_vga_dirty(), ==, 0);
    run(0x1000);
    g_assert_cmphex(take_vga_dirty(), ==, 1);
    g_assert_cmphex(ram_host[0x6018], ==, 0x42);
    run(0x1000);                 /* the TLB entry is warm, the bit was cleared */
    g_assert_cmphex(take_vga_dirty(), ==, 1);
    run(0x1000);
    run(0x1000);
    g_assert_cmphex(take_vga_dirty(), ==, 1);
    g_assert_cmphex(take_vga_dirty(), ==, 0);
    memory_region_set_log(&ram, false, DIRTY_MEMORY_VGA);
}

/*
 * Victim TLB (accel/tcg/cputlb.c): pages ALIAS_STRIDE apart share one table
 * slot. A loop that loads through one alias and stores through another must
 * not fill the TLB on every access; flushes, invlpg-style page flushes and
 * code protection must reach entries parked among the victims.
 */
static void test_victim_conflict(gconstpointer data)
{
    setup(be_of(data), 0);
    alias_shift = 0;
    tlb_flush(cpu);
    memset(ram_host + 0xb000, 0, 8);
    /* 1000 times: r4 = [alias1 + 0xb000] + 1; [alias2 + 0xb000] = r4; also a read
     * through alias 3. One physical quadword: the count is the oracle. */
    uint64_t p[] = {
        I(OP_MOVI, 1, 0, 0, ALIAS(1, 0xb000)), I(OP_MOVI, 2, 0, 0, ALIAS(2, 0xb000)),
        I(OP_MOVI, 3, 0, 0, ALIAS(3, 0xb000)), I(OP_MOVI, 5, 0, 0, 0),
        I(OP_MOVI, 6, 0, 0, 1000),
        /* 0x1028 loop */ I(OP_LD, 4, 1, 3, 0), I(OP_ADDI, 4, 4, 0, 1), I(OP_ST, 4, 2, 3, 0),
        I(OP_LD, 7, 3, 3, 0), I(OP_ADDI, 5, 5, 0, 1), I(OP_BNE, 5, 6, 0, -48),
        I(OP_HLT, 0, 0, 0, 0),
    };
    asm_at(0x1000, p, 12);
    uint64_t f0 = fill_count;
    run(0x1000);
    uint64_t fills = fill_count - f0;
    uint64_t v;
    memcpy(&v, ram_host + 0xb000, 8);
    g_assert_cmpuint(v, ==, 1000);
    g_assert_cmpuint(R(7), ==, 1000);
    g_test_message("%" PRIu64 " TLB fills for 3000 conflicting accesses", fills);
    /* Without victims: about one fill per access. */
    g_assert_cmpuint(fills, <, 20);

    /* Remap the aliases (a guest editing its page tables) and flush one page:
     * alias 1 was evicted last, so it sits among the victims. */
    uint64_t marker = 0x5151;
    memcpy(ram_host + 0xc000, &marker, 8);
    alias_shift = 0x1000;
    tlb_flush_page(cpu, ALIAS(1, 0xb000));
    uint64_t q[] = { I(OP_MOVI, 1, 0, 0, ALIAS(1, 0xb000)), I(OP_LD, 4, 1, 3, 0),
                     I(OP_HLT, 0, 0, 0, 0) };
    asm_at(0x1000, q, 3);
    run(0x1000);
    g_assert_cmphex(R(4), ==, 0x5151);
    /* Alias 3 was not flushed (the guest did not ask): it still maps 0xb000. A
     * full flush drops it, victims included. */
    uint64_t r[] = { I(OP_MOVI, 1, 0, 0, ALIAS(3, 0xb000)), I(OP_LD, 4, 1, 3, 0),
                     I(OP_HLT, 0, 0, 0, 0) };
    asm_at(0x1000, r, 3);
    tlb_flush(cpu);
    run(0x1000);
    g_assert_cmphex(R(4), ==, 0x5151);
    alias_shift = 0;
    tlb_flush(cpu);
}

static void test_victim_smc(gconstpointer data)
{
    setup(be_of(data), 0);
    alias_shift = 0;
    tlb_flush(cpu);
    uint64_t newinsn = I(OP_MOVI, 3, 0, 0, 77);
    memcpy(ram_host + 0x2000, &newinsn, 8);
    /* A subroutine at 0xa000 (movi r3, 1; add r7, r7, r3; jr r6), called twice. */
    uint64_t sub[] = { I(OP_MOVI, 3, 0, 0, 1), I(OP_ADD, 7, 7, 3, 0), I(OP_JR, 0, 6, 0, 0) };
    asm_at(0xa000, sub, 3);
    uint64_t p[] = {
        /* A write entry for alias 1 of the subroutine's page, before it holds code. */
        I(OP_MOVI, 1, 0, 0, ALIAS(1, 0xa000)), I(OP_ST, 0, 1, 3, 0x800),
        /* Alias 2 evicts it to the victims; the call's code fetch evicts alias 2. */
        I(OP_MOVI, 2, 0, 0, ALIAS(2, 0xa000)), I(OP_LD, 4, 2, 3, 0x800),
        I(OP_MOVI, 6, 0, 0, 0x1030), I(OP_JMP, 0, 0, 0, 0xa000 - 0x1030),
        /* 0x1030: patch the subroutine through alias 1, call it again */
        I(OP_MOVI, 1, 0, 0, 0x2000), I(OP_LD, 2, 1, 3, 0),
        I(OP_MOVI, 1, 0, 0, ALIAS(1, 0xa000)), I(OP_ST, 2, 1, 3, 0),
        I(OP_MOVI, 6, 0, 0, 0x1060), I(OP_JMP, 0, 0, 0, 0xa000 - 0x1060),
        /* 0x1060 */ I(OP_HLT, 0, 0, 0, 0),
    };
    asm_at(0x1000, p, 13);
    run(0x1000);
    g_assert_cmpuint(R(3), ==, 77);      /* the patched instruction ran */
    g_assert_cmpuint(R(7), ==, 78);
}

/*
 * tlb_flush_nonglobal (x86: MOV to CR3) keeps the jump-cache entries of TBs
 * whose code page was mapped global, and only those: a loop of indirect jumps
 * re-run after the flush finds every TB in the jump cache, unless its pages
 * were not global.
 */
static void test_nonglobal_flush(gconstpointer data)
{
    TCGEngineStats st0, st1;
    uint64_t p[] = {
        I(OP_MOVI, 1, 0, 0, 0), I(OP_MOVI, 2, 0, 0, 100), I(OP_MOVI, 5, 0, 0, 0x1020),
        /* 0x1018 */ I(OP_JMP, 0, 0, 0, 0),
        /* 0x1020 loop */ I(OP_ADDI, 1, 1, 0, 1), I(OP_BNE, 1, 2, 0, 8),
        I(OP_HLT, 0, 0, 0, 0),
        /* 0x1038 */ I(OP_JR, 0, 5, 0, 0),
    };
    for (int global = 1; global >= 0; global--) {
        setup(be_of(data), 0);
        toy_global = global;
        tlb_flush(cpu);
        asm_at(0x1000, p, 8);
        run(0x1000);
        g_assert_cmpuint(R(1), ==, 100);
        tlb_flush_nonglobal(cpu);
        tcg_engine_get_stats(&st0);
        run(0x1000);
        tcg_engine_get_stats(&st1);
        g_assert_cmpuint(R(1), ==, 100);
        g_test_message("global %d: %" PRIu64 " jump-cache misses after the flush", global,
                       st1.jc_misses - st0.jc_misses);
        if (global) {
            g_assert_cmpuint(st1.jc_misses - st0.jc_misses, ==, 0);
        } else {
            g_assert_cmpuint(st1.jc_misses - st0.jc_misses, >=, 2);   /* entry, JR */
        }
    }
    toy_global = false;
    tlb_flush(cpu);
}

static void test_smc_same_tb(gconstpointer data)
{
    setup(be_of(data), 0);
    TCGEngineStats st0, st1;
    uint64_t newinsn = I(OP_MOVI, 3, 0, 0, 42);
    memcpy(ram_host + 0x2000, &newinsn, 8);
    uint64_t p[] = {
        I(OP_MOVI, 1, 0, 0, 0x2000), I(OP_LD, 2, 1, 3, 0), I(OP_MOVI, 4, 0, 0, 0x1000),
        I(OP_MOVI, 5, 0, 0, 5),
        I(OP_ST, 2, 4, 3, 0x30),            /* overwrite the instruction at 0x1030 */
        I(OP_ADDI, 5, 5, 0, 1),
        /* 0x1030 */ I(OP_MOVI, 3, 0, 0, 1),
        I(OP_HLT, 0, 0, 0, 0),
    };
    asm_at(0x1000, p, 8);
    tcg_engine_get_stats(&st0);
    run(0x1000);
    tcg_engine_get_stats(&st1);
    g_assert_cmpuint(R(3), ==, 42);
    g_assert_cmpuint(R(5), ==, 6);       /* the store's TB was not re-run twice */
    g_assert_cmpuint(st1.smc_restarts - st0.smc_restarts, ==, 1);
}

static void test_smc_other_tb(gconstpointer data)
{
    setup(be_of(data), 0);
    uint64_t newinsn = I(OP_MOVI, 3, 0, 0, 77);
    memcpy(ram_host + 0x2000, &newinsn, 8);
    /* A "subroutine" at 0x1800 (movi r3, 1; jr r6) called twice; patched between. */
    uint64_t sub[] = { I(OP_MOVI, 3, 0, 0, 1), I(OP_ADD, 7, 7, 3, 0), I(OP_JR, 0, 6, 0, 0) };
    asm_at(0x1800, sub, 3);
    uint64_t p[] = {
        I(OP_MOVI, 6, 0, 0, 0x1010), I(OP_JMP, 0, 0, 0, 0x1800 - 0x1010),
        /* 0x1010 */ I(OP_MOVI, 1, 0, 0, 0x2000), I(OP_LD, 2, 1, 3, 0),
        I(OP_MOVI, 4, 0, 0, 0x1800), I(OP_ST, 2, 4, 3, 0),
        I(OP_MOVI, 6, 0, 0, 0x1040), I(OP_JMP, 0, 0, 0, 0x1800 - 0x1040),
        /* 0x1040 */ I(OP_HLT, 0, 0, 0, 0),
    };
    asm_at(0x1000, p, 9);
    run(0x1000);
    g_assert_cmpuint(R(3), ==, 77);
    g_assert_cmpuint(R(7), ==, 78);
}

static void test_dma_invalidate(gconstpointer data)
{
    setup(be_of(data), 0);
    TCGEngineStats st0, st1;
    uint64_t p[] = { I(OP_MOVI, 3, 0, 0, 1), I(OP_HLT, 0, 0, 0, 0) };
    asm_at(0x3000, p, 2);
    run(0x3000);
    g_assert_cmpuint(R(3), ==, 1);
    run(0x3000);
    g_assert_cmpuint(R(3), ==, 1);
    uint64_t newinsn = I(OP_MOVI, 3, 0, 0, 2);
    tcg_engine_get_stats(&st0);
    /* A device writes the code page through the memory API. */
    address_space_write(&address_space_memory, 0x3000, &newinsn, 8);
    tcg_engine_get_stats(&st1);
    g_assert_cmpuint(st1.tbs_invalidated - st0.tbs_invalidated, >=, 1);
    run(0x3000);
    g_assert_cmpuint(R(3), ==, 2);
}

/*
 * A device rewriting code (with the same bytes) over and over while the vCPU
 * runs it through indirect jumps: every write invalidates the loop's TBs from
 * the writer's thread while the vCPU looks them up again in the jump cache and
 * the TB hash table, which it reads without tb_lock. The loop's sums must come
 * out exact and nothing may crash (also under ASan).
 */
typedef struct DmaRace {
    uint64_t bytes[12];
    int stop;
    unsigned writes;
} DmaRace;

static gpointer dma_rewriter(gpointer opaque)
{
    DmaRace *d = opaque;
    while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE)) {
        address_space_write(&address_space_memory, 0x4020, d->bytes, sizeof(d->bytes));
        __atomic_add_fetch(&d->writes, 1, __ATOMIC_RELEASE);
        g_usleep(20);
    }
    return NULL;
}

static void test_dma_race(gconstpointer data)
{
    setup(be_of(data), 0);
    TCGEngineStats st0, st1;
    const int n = 3000000;
    uint64_t head[] = {
        I(OP_MOVI, 1, 0, 0, 0), I(OP_MOVI, 2, 0, 0, n), I(OP_MOVI, 5, 0, 0, 0x4020),
        I(OP_JR, 0, 5, 0, 0),
    };
    uint64_t body[] = {
        /* 0x4020 */ I(OP_ADDI, 1, 1, 0, 1), I(OP_ADDI, 3, 3, 0, 2),
        I(OP_MOVI, 5, 0, 0, 0x4040), I(OP_JR, 0, 5, 0, 0),
        /* 0x4040 */ I(OP_ADDI, 4, 4, 0, 3), I(OP_MOVI, 5, 0, 0, 0x4020),
        /* 0x4050 */ I(OP_BNE, 1, 2, 0, 8), I(OP_HLT, 0, 0, 0, 0),
        /* 0x4060 */ I(OP_JR, 0, 5, 0, 0), I(OP_HLT, 0, 0, 0, 0),
        I(OP_HLT, 0, 0, 0, 0), I(OP_HLT, 0, 0, 0, 0),
    };
    asm_at(0x4000, head, 4);
    asm_at(0x4020, body, 12);
    DmaRace d = { .stop = 0 };
    memcpy(d.bytes, body, sizeof(body));
    tcg_engine_get_stats(&st0);
    GThread *t = g_thread_new("dma", dma_rewriter, &d);
    while (!__atomic_load_n(&d.writes, __ATOMIC_ACQUIRE)) {
        g_usleep(100);
    }
    run(0x4000);
    __atomic_store_n(&d.stop, 1, __ATOMIC_RELEASE);
    g_thread_join(t);
    tcg_engine_get_stats(&st1);
    g_assert_cmpuint(R(1), ==, n);
    g_assert_cmpuint(R(3), ==, 2ull * n);
    g_assert_cmpuint(R(4), ==, 3ull * n);
    g_test_message("%u writes, %" PRIu64 " TBs invalidated", d.writes,
                   st1.tbs_invalidated - st0.tbs_invalidated);
    g_assert_cmpuint(st1.tbs_invalidated - st0.tbs_invalidated, >=, 1);
}

static void test_flush(gconstpointer data)
{
    /* The smallest code buffer (64 KiB): 1500 one-instruction TBs do not fit. */
    setup(be_of(data), 64 * 1024);
    TCGEngineStats st;
    uint64_t a = 0x1000;    /* up to 0x6dc8, below the unmapped page */
    put(a, I(OP_MOVI, 1, 0, 0, 0));
    a += 8;
    for (int i = 0; i < 1500; i++) {
        put(a, I(OP_ADDI, 1, 1, 0, i));
        put(a + 8, I(OP_JMP, 0, 0, 0, 0));
        a += 16;
    }
    put(a, I(OP_HLT, 0, 0, 0, 0));
    for (int round = 0; round < 3; round++) {
        run(0x1000);
        g_assert_cmpuint(R(1), ==, 1499 * 1500 / 2);
    }
    tcg_engine_get_stats(&st);
    g_assert_cmpuint(st.tb_flushes, >=, 1);
    GString *s = g_string_new(NULL);
    tcg_engine_dump_info(s);
    g_test_message("%s", s->str);
    g_assert_nonnull(strstr(s->str, "flushes"));
    g_string_free(s, TRUE);
}

typedef struct {
    gint64 kicked_at;
} KickData;

static gpointer kicker(gpointer opaque)
{
    KickData *k = opaque;
    g_usleep(30000);
    k->kicked_at = g_get_monotonic_time();
    cpu_interrupt(cpu, CPU_INTERRUPT_HARD);
    return NULL;
}

static void test_kick(gconstpointer data)
{
    setup(be_of(data), 0);
    uint64_t p[] = { I(OP_ADDI, 1, 1, 0, 1), I(OP_JMP, 0, 0, 0, -16) };
    asm_at(0x5000, p, 2);
    KickData k = { 0 };
    GThread *t = g_thread_new("kicker", kicker, &k);
    run(0x5000);
    gint64 done = g_get_monotonic_time();
    g_thread_join(t);
    g_assert_cmpint(toy->env.e.nvec, ==, 1);
    g_assert_cmpint(toy->env.e.vectors[0], ==, 32);
    g_assert_cmpuint(R(1), >, 1000);
    g_assert_cmpint(done - k.kicked_at, <, 100000);
    g_test_message("stopped %.3f ms after cpu_interrupt", (done - k.kicked_at) / 1000.0);
}

/*
 * A kick that stops a TB entered by a chained jump: the predecessor never stored pc,
 * so the engine must restore it from the TB's first insn_start. Two TBs A (r1++) and
 * B (r2++) jump to each other: at A's entry r1 == r2, at B's r1 == r2 + 1.
 */
static void test_kick_chained_pc(gconstpointer data)
{
    for (int round = 0; round < 6; round++) {
        setup(be_of(data), 0);
        uint64_t p[] = { I(OP_ADDI, 1, 1, 0, 1), I(OP_JMP, 0, 0, 0, 0),
                         I(OP_ADDI, 2, 2, 0, 1), I(OP_JMP, 0, 0, 0, -32) };
        asm_at(0x5400, p, 4);
        KickData k = { 0 };
        GThread *t = g_thread_new("kicker", kicker, &k);
        run(0x5400);
        g_thread_join(t);
        g_assert_cmpint(toy->env.e.nvec, ==, 1);
        uint64_t at = toy->env.e.vec_pc[0];
        g_assert_true(at == 0x5400 || at == 0x5410);
        g_assert_cmpuint(R(1), ==, R(2) + (at == 0x5410));
        g_assert_cmpuint(R(1), >, 1000);
    }
}

/*
 * A kick stops a loop of indirect jumps that never goes back to the loop (the
 * probe is inline): A (r1++) and B (r2++) JR to each other. The exception must
 * be taken at a TB boundary with the pc of that TB: at A r1 == r2, at B
 * r1 == r2 + 1.
 */
static void test_kick_jr(gconstpointer data)
{
    for (int round = 0; round < 4; round++) {
        setup(be_of(data), 0);
        uint64_t p[] = {
            /* 0x5800 A */ I(OP_ADDI, 1, 1, 0, 1), I(OP_MOVI, 5, 0, 0, 0x5900),
            I(OP_JR, 0, 5, 0, 0),
        };
        uint64_t q[] = {
            /* 0x5900 B */ I(OP_ADDI, 2, 2, 0, 1), I(OP_MOVI, 5, 0, 0, 0x5800),
            I(OP_JR, 0, 5, 0, 0),
        };
        asm_at(0x5800, p, 3);
        asm_at(0x5900, q, 3);
        KickData k = { 0 };
        GThread *t = g_thread_new("kicker", kicker, &k);
        run(0x5800);
        g_thread_join(t);
        g_assert_cmpint(toy->env.e.nvec, ==, 1);
        g_assert_cmpint(toy->env.e.vectors[0], ==, 32);
        uint64_t at = toy->env.e.vec_pc[0];
        g_assert_true(at == 0x5800 || at == 0x5900);
        g_assert_cmpuint(R(1), ==, R(2) + (at == 0x5900));
        g_assert_cmpuint(R(1), >, 1000);
    }
}

/* The same pseudo-random arithmetic program gives the same state on both backends. */
static uint64_t digest_for(TCGBackendKind be)
{
    setup(be, 0);
    GRand *r = g_rand_new_with_seed(1234);
    uint64_t a = 0x6000;
    for (int i = 0; i < 400; i++) {
        unsigned op = g_rand_int_range(r, 0, 3);
        unsigned rd = g_rand_int_range(r, 1, 8), rs = g_rand_int_range(r, 0, 8);
        int32_t imm = (int32_t)g_rand_int(r);
        uint64_t insn = op == 0 ? I(OP_ADDI, rd, rs, 0, imm) :
                        op == 1 ? I(OP_ADD, rd, rs, g_rand_int_range(r, 0, 8), 0) :
                        I(OP_MOVI, rd, 0, 0, imm);
        put(a, insn);
        a += 8;
    }
    put(a, I(OP_HLT, 0, 0, 0, 0));
    g_rand_free(r);
    run(0x6000);
    uint64_t h = 0;
    for (int i = 0; i < 8; i++) {
        h = h * 0x100000001b3ull ^ R(i);
    }
    return h;
}

static void test_backends_agree(void)
{
    uint64_t n = digest_for(TCG_BACKEND_NATIVE);
    uint64_t t = digest_for(TCG_BACKEND_TCI);
    g_assert_cmphex(n, ==, t);
}

static void code_write(hwaddr addr, hwaddr len)
{
    tb_invalidate_phys_range(addr, addr + len);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    type_register_static(&toy_cpu_type);
    tcg_register_cpu_ops(&toy_ops);
    toy = (ToyCPU *)object_new(TYPE_TOY_CPU);
    cpu = &toy->parent_obj;
    g_assert_true(memory_region_init_ram(&ram, NULL, "toy-ram", RAM_SIZE, &error_abort));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    memory_region_init_io(&mmio, NULL, &mmio_ops, NULL, "toy-mmio", 0x1000);
    memory_region_add_subregion(get_system_memory(), MMIO_BASE, &mmio);
    ram_host = memory_region_get_ram_ptr(&ram);
    memory_set_code_write_hook(code_write);

    static const struct {
        const char *name;
        void (*fn)(gconstpointer);
    } tests[] = {
        { "straight", test_straight }, { "loop-chain", test_loop_chain },
        { "indirect", test_indirect }, { "helper-exception", test_helper_exception },
        { "page-fault", test_page_fault }, { "mmio", test_mmio },
        { "map-change", test_map_change }, { "exec-mmio", test_exec_mmio },
        { "smc-same-tb", test_smc_same_tb }, { "smc-other-tb", test_smc_other_tb },
        { "dma-invalidate", test_dma_invalidate }, { "dma-race", test_dma_race },
        { "kick", test_kick },
        { "kick-chained-pc", test_kick_chained_pc },
        { "flush", test_flush }, { "dirty-log", test_dirty_log },
        { "victim-conflict", test_victim_conflict }, { "victim-smc", test_victim_smc },
        { "nonglobal-flush", test_nonglobal_flush },
        { "jr-smc", test_jr_smc }, { "kick-jr", test_kick_jr },
    };
    static const struct {
        const char *name;
        TCGBackendKind be;
    } bes[] = { { "native", TCG_BACKEND_NATIVE }, { "tci", TCG_BACKEND_TCI } };
    for (unsigned b = 0; b < ARRAY_SIZE(bes); b++) {
#if !defined(__x86_64__)
        if (bes[b].be == TCG_BACKEND_NATIVE) {
            continue;
        }
#endif
        for (unsigned i = 0; i < ARRAY_SIZE(tests); i++) {
            g_autofree char *path = g_strdup_printf("/tcg-engine/%s/%s", bes[b].name,
                                                    tests[i].name);
            g_test_add_data_func(path, GINT_TO_POINTER(bes[b].be), tests[i].fn);
        }
    }
#if defined(__x86_64__)
    g_test_add_func("/tcg-engine/backends-agree", test_backends_agree);
#endif
    return g_test_run();
}
