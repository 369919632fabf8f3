/*
 * A small x86 system for translator tests (x86-run.h): CPU, RAM, tables.
 * Descriptor formats: SDM vol. 3 §3.4.5 (segment descriptors), §6.11/§6.14.1
 * (IDT gates), §7.2.1/§7.7 (TSS), §4.5 (4-level paging).
 */
#include "util/osdep.h"
#include "qom/object.h"
#include "system/memory.h"
#include "system/runstate.h"
#include "accel/tcg/tcg-engine.h"
#include "x86-run.h"

static X86CPU *cpu;
static MemoryRegion ram;
static uint8_t *ram_host;
static X86RunMode cur_mode;

static void code_write(hwaddr addr, hwaddr len)
{
    tb_invalidate_phys_range(addr, addr + len);
}

void x86run_init(TCGBackendKind backend)
{
    static TCGBackendKind last = (TCGBackendKind)-1;

    if (!cpu) {
        cpu = X86_CPU(object_new(X86_CPU_TYPE_NAME("qemu64")));
        cpu->env.decode_features = X86_FEATURES_ALL;
        g_assert_true(memory_region_init_ram(&ram, NULL, "x86run-ram", X86RUN_RAM_SIZE,
                                             &error_abort));
        memory_region_add_subregion(get_system_memory(), 0, &ram);
        ram_host = memory_region_get_ram_ptr(&ram);
        memory_set_code_write_hook(code_write);
    }
    if (tcg_engine_ready() && last != backend) {
        tcg_engine_shutdown();
    }
    if (!tcg_engine_ready()) {
        TCGEngineConfig cfg = { .backend = backend, .code_size = 16 << 20 };
        g_assert_true(tcg_engine_init(&cfg, &error_abort));
        last = backend;
    }
}

int x86run_backends(TCGBackendKind out[2])
{
    int n = 0;
#if defined(__x86_64__)
    out[n++] = TCG_BACKEND_NATIVE;
#endif
    out[n++] = TCG_BACKEND_TCI;
    return n;
}

X86CPU *x86run_cpu(void)
{
    return cpu;
}

CPUX86State *x86run_env(void)
{
    return &cpu->env;
}

uint8_t *x86run_ram(void)
{
    return ram_host;
}

void x86run_write(uint64_t gpa, const void *buf, size_t len)
{
    g_assert_cmpuint(gpa + len, <=, X86RUN_RAM_SIZE);
    address_space_write(&address_space_memory, gpa, buf, len);
}

void x86run_read(uint64_t gpa, void *buf, size_t len)
{
    /* Through the memory API: outside RAM reads what the bus gives (all-ones). */
    address_space_read(&address_space_memory, gpa, buf, len);
}

uint64_t x86run_read64(uint64_t gpa)
{
    uint64_t v;
    x86run_read(gpa, &v, 8);
    return v;
}

static void put32(uint64_t gpa, uint32_t v)
{
    x86run_write(gpa, &v, 4);
}

static void put64(uint64_t gpa, uint64_t v)
{
    x86run_write(gpa, &v, 8);
}

/* ---- descriptors ---- */

/* Segment descriptor from base, 20-bit limit and the DESC_* flag bits (§3.4.5). */
static uint64_t seg_desc(uint32_t base, uint32_t limit20, uint32_t flags)
{
    uint32_t lo = (limit20 & 0xffff) | (base & 0xffff) << 16;
    uint32_t hi = ((base >> 16) & 0xff) | (flags & 0x00f0ff00) | (limit20 & 0xf0000) |
                  (base & 0xff000000);
    return (uint64_t)hi << 32 | lo;
}

#define CODE_FLAGS (DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK | DESC_A_MASK)
#define DATA_FLAGS (DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK)
#define DPL3 (3u << DESC_DPL_SHIFT)

static const struct {
    uint16_t sel;
    uint32_t limit20;
    uint32_t flags;
} gdt_entries[] = {
    { X86RUN_SEL_CS64, 0xfffff, CODE_FLAGS | DESC_L_MASK | DESC_G_MASK },
    { X86RUN_SEL_DS, 0xfffff, DATA_FLAGS | DESC_B_MASK | DESC_G_MASK },
    { X86RUN_SEL_CS32, 0xfffff, CODE_FLAGS | DESC_B_MASK | DESC_G_MASK },
    { X86RUN_SEL_UCS32, 0xfffff, CODE_FLAGS | DESC_B_MASK | DESC_G_MASK | DPL3 },
    { X86RUN_SEL_UDS, 0xfffff, DATA_FLAGS | DESC_B_MASK | DESC_G_MASK | DPL3 },
    { X86RUN_SEL_UCS64, 0xfffff, CODE_FLAGS | DESC_L_MASK | DESC_G_MASK | DPL3 },
    { X86RUN_SEL_CS16, 0xffff, CODE_FLAGS },
    { X86RUN_SEL_DS16, 0xffff, DATA_FLAGS },
};

/* The segment cache a load of @sel from our GDT produces. */
static SegmentCache seg_cache(uint16_t sel)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(gdt_entries); i++) {
        if ((gdt_entries[i].sel & ~7) == (sel & ~7)) {
            uint32_t f = gdt_entries[i].flags;
            uint32_t lim = gdt_entries[i].limit20;
            if (f & DESC_G_MASK) {
                lim = lim << 12 | 0xfff;
            }
            return (SegmentCache){ .selector = sel, .base = 0, .limit = lim, .flags = f };
        }
    }
    g_assert_not_reached();
}

static void build_gdt(bool long_tss)
{
    uint64_t gdt[512] = { 0 };
    for (unsigned i = 0; i < G_N_ELEMENTS(gdt_entries); i++) {
        gdt[gdt_entries[i].sel >> 3] = seg_desc(0, gdt_entries[i].limit20,
                                                gdt_entries[i].flags);
    }
    /* Busy TSS (type 11), loaded below; the long-mode form's second slot is 0. */
    gdt[X86RUN_SEL_TSS >> 3] = seg_desc(X86RUN_TSS, 0x67,
                                        DESC_P_MASK | (11u << DESC_TYPE_SHIFT));
    (void)long_tss;
    x86run_write(X86RUN_GDT, gdt, sizeof(gdt));
}

static bool user_vector(int v)
{
    return v == 3 || v == 4 || v == 0x80;     /* INT3, INTO, INT 0x80 from ring 3 */
}

static void build_idt_and_stubs(X86RunMode mode)
{
    uint8_t stubs[256 * 8];
    memset(stubs, 0x90, sizeof(stubs));
    for (int v = 0; v < 256; v++) {
        stubs[v * 8] = 0xf4;                   /* hlt */
        stubs[v * 8 + 1] = 0xeb;               /* jmp $-3: back to the hlt */
        stubs[v * 8 + 2] = 0xfd;
    }
    x86run_write(X86RUN_STUBS, stubs, sizeof(stubs));

    uint64_t idt[512] = { 0 };
    uint32_t ivt[256];
    for (int v = 0; v < 256; v++) {
        uint32_t off = X86RUN_STUBS + 8 * v;
        uint32_t dpl = user_vector(v) ? 3u << 13 : 0;
        uint64_t hi = (uint64_t)((off & 0xffff0000) | 0x8e00 | dpl) << 32;
        ivt[v] = off;                          /* IVT: offset, segment 0 */
        if (mode == X86RUN_PROT32) {
            idt[v] = (off & 0xffff) | (uint64_t)X86RUN_SEL_CS32 << 16 | hi;
        } else if (mode == X86RUN_LONG) {
            idt[2 * v] = (off & 0xffff) | (uint64_t)X86RUN_SEL_CS64 << 16 | hi;
        }
    }
    if (mode == X86RUN_REAL) {
        x86run_write(0, ivt, sizeof(ivt));
    }
    x86run_write(X86RUN_IDT, idt, sizeof(idt));
}

static void build_tss(X86RunMode mode)
{
    uint8_t tss[0x68] = { 0 };
    x86run_write(X86RUN_TSS, tss, sizeof(tss));
    if (mode == X86RUN_LONG) {
        put64(X86RUN_TSS + 4, X86RUN_KSTACK);         /* RSP0 */
        put64(X86RUN_TSS + 36, X86RUN_KSTACK);        /* IST1 */
    } else {
        put32(X86RUN_TSS + 4, X86RUN_KSTACK);         /* ESP0 */
        put32(X86RUN_TSS + 8, X86RUN_SEL_DS);         /* SS0 */
    }
    uint16_t iopb = 0x68;                             /* past the limit: no bitmap */
    x86run_write(X86RUN_TSS + 102, &iopb, 2);
}

static void build_page_tables(void)
{
    static uint64_t pt[6 * 512];      /* PML4, PDPT, 4 PDs: built once, written whole */
    if (!pt[0]) {
        pt[0] = (X86RUN_PML4 + 0x1000) | 7;
        for (int i = 0; i < 4; i++) {
            pt[512 + i] = (uint64_t)(X86RUN_PML4 + 0x2000 + 0x1000 * i) | 7;
        }
        for (int i = 0; i < 4 * 512; i++) {
            pt[1024 + i] = ((uint64_t)i << 21) | 0x87;      /* PS|U|W|P */
        }
    }
    x86run_write(X86RUN_PML4, pt, sizeof(pt));
}

static void load_seg(int r, uint16_t sel)
{
    cpu->env.segs[r] = seg_cache(sel);
}

void x86run_setup(X86RunMode mode)
{
    CPUX86State *env = &cpu->env;
    CPUState *cs = CPU(cpu);

    cur_mode = mode;
    memset(env->regs, 0, sizeof(env->regs));
    env->cc_op = CC_OP_EFLAGS;
    x86_cpu_set_rflags(env, 2);
    memset(&env->events, 0, sizeof(env->events));
    env->old_exception = -1;
    env->mp_state = X86_MP_RUNNABLE;
    env->a20_enabled = true;
    env->dr[6] = 0xffff0ff0;
    env->dr[7] = 0x400;
    env->pat = 0x0007040600070406ull;
    env->cr[2] = 0;
    x86_xsave_reset(env);
    memset(&env->ldt, 0, sizeof(env->ldt));

    build_gdt(mode == X86RUN_LONG);
    build_idt_and_stubs(mode);
    build_tss(mode);
    env->gdt = (SegmentCache){ .base = X86RUN_GDT, .limit = 0xfff };
    env->tr = (SegmentCache){ .selector = X86RUN_SEL_TSS, .base = X86RUN_TSS,
                              .limit = 0x67,
                              .flags = DESC_P_MASK | (11u << DESC_TYPE_SHIFT) };
    env->cr[4] = CR4_OSFXSR_MASK | CR4_OSXMMEXCPT_MASK;
    env->efer = 0;
    env->cr[3] = 0;

    switch (mode) {
    case X86RUN_REAL:
        env->cr[0] = CR0_ET_MASK | CR0_NE_MASK | CR0_MP_MASK;
        env->idt = (SegmentCache){ .base = 0, .limit = 0x3ff };
        for (int r = 0; r < NB_SEGS; r++) {
            env->segs[r] = (SegmentCache){
                .selector = 0, .base = 0, .limit = 0xffff,
                .flags = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK |
                         (r == R_CS ? DESC_CS_MASK | DESC_R_MASK : 0),
            };
        }
        env->segs[R_SS].selector = 0x9000;
        env->segs[R_SS].base = 0x90000;
        env->regs[R_ESP] = 0xf000;
        break;
    case X86RUN_PROT32:
        env->cr[0] = CR0_PE_MASK | CR0_ET_MASK | CR0_NE_MASK | CR0_MP_MASK;
        env->idt = (SegmentCache){ .base = X86RUN_IDT, .limit = 256 * 8 - 1 };
        load_seg(R_CS, X86RUN_SEL_CS32);
        for (int r = 0; r < NB_SEGS; r++) {
            if (r != R_CS) {
                load_seg(r, X86RUN_SEL_DS);
            }
        }
        env->regs[R_ESP] = X86RUN_KSTACK;
        break;
    case X86RUN_LONG:
        build_page_tables();
        env->cr[0] = CR0_PE_MASK | CR0_ET_MASK | CR0_NE_MASK | CR0_MP_MASK | CR0_WP_MASK |
                     CR0_PG_MASK;
        env->cr[3] = X86RUN_PML4;
        env->cr[4] |= CR4_PAE_MASK;
        env->efer = EFER_LME | EFER_LMA | EFER_SCE | EFER_NXE;
        env->idt = (SegmentCache){ .base = X86RUN_IDT, .limit = 256 * 16 - 1 };
        load_seg(R_CS, X86RUN_SEL_CS64);
        for (int r = 0; r < NB_SEGS; r++) {
            if (r != R_CS) {
                load_seg(r, X86RUN_SEL_DS);
            }
        }
        env->star = 0x0023000800000000ull;
        env->regs[R_ESP] = X86RUN_KSTACK;
        break;
    }
    x86_update_hflags(env);
    cs->halted = false;
    cpu_reset_interrupt(cs, -1);
    system_reset_request_take();
    tlb_flush(cs);
    tb_flush();
}

void x86run_enter_user(void)
{
    CPUX86State *env = &cpu->env;
    load_seg(R_CS, cur_mode == X86RUN_LONG ? X86RUN_SEL_UCS64 : X86RUN_SEL_UCS32);
    for (int r = 0; r < NB_SEGS; r++) {
        if (r != R_CS) {
            load_seg(r, X86RUN_SEL_UDS);
        }
    }
    env->regs[R_ESP] = X86RUN_USTACK;
    x86_update_hflags(env);
}

/* Vectors that push an error code in protected and long mode (SDM Table 6-1). */
static bool pushes_error_code(int v)
{
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

static uint64_t read_stack(uint64_t lin, unsigned width)
{
    uint64_t v = 0;
    x86run_read(lin, &v, width);
    return v;
}

/*
 * Guest code can loop forever inside chained TBs (goto_tb, lookup_and_goto_ptr)
 * without coming back to the engine's loop, where the slice budget is counted.
 * A watchdog thread kicks the vCPU every 20 ms (x86run_set_kick_interval) while a
 * run is under way
 * (as the accel's timer interrupt or a monitor command would): tcg_cpu_exec then
 * returns EXCP_INTERRUPT, which counts as one slice.
 */
static GMutex watchdog_lock;
static bool watchdog_armed;
static unsigned watchdog_us = 20000;

void x86run_set_kick_interval(unsigned us)
{
    __atomic_store_n(&watchdog_us, us ? us : 20000, __ATOMIC_RELAXED);
}

static gpointer watchdog_fn(gpointer opaque)
{
    (void)opaque;
    for (;;) {
        g_usleep(__atomic_load_n(&watchdog_us, __ATOMIC_RELAXED));
        g_mutex_lock(&watchdog_lock);
        if (watchdog_armed) {
            CPUState *cs = CPU(cpu);
            __atomic_store_n(&cs->exit_request, 1, __ATOMIC_RELEASE);
            tcg_engine_kick(cs);
        }
        g_mutex_unlock(&watchdog_lock);
    }
    return NULL;
}

static void watchdog_arm(bool on)
{
    static GThread *thread;
    if (!thread) {
        thread = g_thread_new("x86run-watchdog", watchdog_fn, NULL);
    }
    g_mutex_lock(&watchdog_lock);
    watchdog_armed = on;
    if (on) {
        __atomic_store_n(&CPU(cpu)->exit_request, 0, __ATOMIC_RELEASE);
    }
    g_mutex_unlock(&watchdog_lock);
}

static int exec_slice(CPUState *cs)
{
    watchdog_arm(true);
    int r = tcg_cpu_exec(cs);
    watchdog_arm(false);
    return r;
}

X86RunResult x86run_exec(uint64_t rip, unsigned max_slices)
{
    CPUX86State *env = &cpu->env;
    CPUState *cs = CPU(cpu);
    X86RunResult res = { .stop = X86RUN_LIMIT, .vector = -1 };

    env->rip = rip;
    cs->halted = false;
    system_reset_request_take();
    for (unsigned i = 0; i < max_slices; i++) {
        int r = exec_slice(cs);
        if (r == EXCP_FATAL) {
            res.stop = X86RUN_FATAL;
            return res;
        }
        if (r == EXCP_HLT) {
            res.stop = X86RUN_HALT;
            break;
        }
    }
    if (res.stop == X86RUN_LIMIT) {
        return res;
    }
    if (system_reset_request_take() != SHUTDOWN_CAUSE_NONE) {
        res.stop = X86RUN_TRIPLE_FAULT;
        return res;
    }
    uint64_t hlt = env->segs[R_CS].base + env->rip - 1;
    if (hlt < X86RUN_STUBS || hlt >= X86RUN_STUBS + 256 * 8 || (hlt - X86RUN_STUBS) % 8) {
        return res;
    }
    res.stop = X86RUN_EXCEPTION;
    res.vector = (int)((hlt - X86RUN_STUBS) / 8);
    unsigned w = env->hflags & HF_LMA_MASK ? 8 : env->hflags & HF_PE_MASK ? 4 : 2;
    uint64_t sp = env->segs[R_SS].base +
                  (w == 8 ? env->regs[R_ESP] : w == 4 ? (uint32_t)env->regs[R_ESP]
                                                      : (uint16_t)env->regs[R_ESP]);
    if (w != 2 && pushes_error_code(res.vector)) {
        res.has_error_code = true;
        res.error_code = (uint32_t)read_stack(sp, w);
        sp += w;
    }
    res.frame_rip = read_stack(sp, w);
    res.frame_cs = (uint16_t)read_stack(sp + w, w);
    res.frame_rflags = read_stack(sp + 2 * w, w);
    if (w == 8 || (w == 4 && (res.frame_cs & 3) != (env->segs[R_CS].selector & 3))) {
        res.frame_rsp = read_stack(sp + 3 * w, w);
        res.frame_ss = (uint16_t)read_stack(sp + 4 * w, w);
    }
    return res;
}

char *x86run_describe(const X86RunResult *r)
{
    static const char *const names[] = { "halt", "exception", "triple-fault", "limit",
                                         "fatal" };
    CPUX86State *env = &cpu->env;
    if (r->stop != X86RUN_EXCEPTION) {
        return g_strdup_printf("stop=%s rip=0x%" PRIx64 " cs=0x%x", names[r->stop],
                               env->rip, env->segs[R_CS].selector);
    }
    return g_strdup_printf("stop=exception vector=%d err=%s0x%x frame rip=0x%" PRIx64
                           " cs=0x%x rflags=0x%" PRIx64 " cr2=0x%" PRIx64,
                           r->vector, r->has_error_code ? "" : "(none)", r->error_code,
                           r->frame_rip, r->frame_cs, r->frame_rflags, env->cr[2]);
}
