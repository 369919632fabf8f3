/*
 * emu's interrupt controllers wired to TCG vCPUs, on an in-process
 * `-machine pc -smp 2 -accel tcg` (manual virtual clock, real vCPU threads):
 *
 *  - wiring: one LAPIC per CPU (ID, BSP flag), APs parked in wait-for-SIPI;
 *  - the 8259 through the BSP's LINT0 in ExtINT mode, acknowledged by the CPU;
 *  - I/O APIC redirection to one CPU's vector, level-triggered EOI round trip;
 *  - IPIs from guest code on CPU 0 (ICR through its own APIC page): fixed, NMI,
 *    both broadcast shorthands; x2APIC ICR by MSR; INIT + SIPI starting CPU 1
 *    in real mode at the SIPI vector;
 *  - HLT woken by the LAPIC timer (one-shot, periodic, TSC-deadline) exactly
 *    when the virtual clock reaches the programmed time; RDTSC follows it;
 *  - TPR/CR8 and RFLAGS.IF hold interrupts back, and a halted CPU stays asleep.
 *
 * Guest code (64-bit integer instructions, PUSH/POPF, HLT, RDTSC only, since
 * the translator's system instructions are still being written): every vector
 * has a stub that records, in the CPU's own area (found from RSP: each CPU has
 * its stack just below its area), the APIC ID register as the CPU sees it in
 * the APIC page and the TSC, sends EOI through the APIC page, then counts the
 * vector, drops the frame, sets IF with POPF and goes back to HLT. Vector 0x50 first copies a
 * mailbox to ICR2/ICR: the test's way to make CPU 0 send an IPI.
 *
 * Oracles: the SDM (vol. 3 ch. 9 and 10), the 8259A datasheet, and the virtual
 * clock the test moves itself.
 */
#include "util/osdep.h"
#include "accel/accel.h"
#include "hw/core/machine.h"
#include "hw/i386/pc.h"
#include "hw/intc/apic.h"
#include "hw/intc/ioapic.h"
#include "hw/intc/i8259.h"
#include "system/cpus.h"
#include "system/main-loop.h"
#include "system/memory.h"
#include "system/runstate.h"
#include "target/i386/tcg/tcg-internal.h"
#include "util/timer.h"

#define GDT        0x1000u
#define IDT        0x2000u
#define PML4       0x10000u     /* PDPT at +0x1000, 4 PDs after: 4 GiB of 2 MiB pages */
#define SIPI_PAGE  0x20000u     /* SIPI vector 0x20 */
#define CODE       0x100000u
#define MAILBOX    0x200000u    /* ICR low, ICR high (ICR2) for the doorbell */
#define PERCPU(n)  (0x400000u + (n) * 0x10000u)   /* RSP of CPU n's idle loop */
#define PC_ID      2048         /* offsets in a per-CPU area: APIC ID as read */
#define PC_TSC     2056         /* TSC at the last interrupt */
#define DOORBELL   0x50

#define SEL_CS64   0x08
#define SEL_DS     0x10

/* ---- the guest code ---- */

#if defined(__x86_64__)
extern const uint8_t guest_code[], guest_code_end[], guest_idle[], guest_stubs[];
__asm__(
    "  .pushsection .rodata\n"
    "  .balign 16\n"
    "guest_code:\n"
    "guest_idle:\n"
    "  hlt\n"
    "  jmp guest_idle\n"
    "guest_common:\n"
    "  lea 48(%rsp), %rbx\n"               /* this CPU's area: its idle RSP */
    "  popq %rcx\n"                         /* the vector */
    "  movl $0xfee00020, %eax\n"            /* APIC ID, through this CPU's page */
    "  movl (%rax), %eax\n"
    "  movl %eax, 2048(%rbx)\n"
    "  rdtsc\n"
    "  movl %eax, 2056(%rbx)\n"
    "  movl %edx, 2060(%rbx)\n"
    "  cmpl $0x50, %ecx\n"
    "  jne 1f\n"
    "  movl 0x200004, %edx\n"               /* doorbell: ICR2, then ICR sends */
    "  movl $0xfee00310, %eax\n"
    "  movl %edx, (%rax)\n"
    "  movl 0x200000, %edx\n"
    "  movl $0xfee00300, %eax\n"
    "  movl %edx, (%rax)\n"
    "1:\n"
    "  movl $0xfee000b0, %eax\n"            /* EOI */
    "  movl $0, (%rax)\n"
    "  incq (%rbx,%rcx,8)\n"                /* counted last: the handler is done */
    "  addq $40, %rsp\n"                    /* drop the interrupt frame */
    "  pushq $0x202\n"
    "  popfq\n"                             /* IF = 1 */
    "  jmp guest_idle\n"
    "  .balign 16\n"
    "guest_stubs:\n"
    "  .set vec, 0\n"
    "  .rept 256\n"
    "  .balign 16\n"
    "  pushq $vec\n"
    "  jmp guest_common\n"
    "  .set vec, vec + 1\n"
    "  .endr\n"
    "guest_code_end:\n"
    "  .popsection\n");
#endif

/* ---- the machine ---- */

static MachineState *ms;
static X86CPU *cpus[2];
static uint8_t *ram;
static DeviceState *gsi_router;
static DeviceState *ioapic_dev;

static void put64(uint64_t gpa, uint64_t v)
{
    address_space_write(&address_space_memory, gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
    address_space_write(&address_space_memory, gpa, &v, 4);
}

static uint64_t count(int cpu, int vector)
{
    return __atomic_load_n((uint64_t *)(ram + PERCPU(cpu) + 8 * vector), __ATOMIC_ACQUIRE);
}

static uint32_t seen_apic_id(int cpu)
{
    return __atomic_load_n((uint32_t *)(ram + PERCPU(cpu) + PC_ID), __ATOMIC_ACQUIRE);
}

static uint64_t seen_tsc(int cpu)
{
    return __atomic_load_n((uint64_t *)(ram + PERCPU(cpu) + PC_TSC), __ATOMIC_ACQUIRE);
}

static APICState *apic(int cpu)
{
    return cpus[cpu]->apic;
}

static void outb(uint16_t port, uint8_t v)
{
    address_space_write(&address_space_io, port, &v, 1);
}

static void ioapic_write(uint8_t reg, uint32_t val)
{
    put32(IOAPIC_DEFAULT_BASE + IOAPIC_IOREGSEL, reg);
    put32(IOAPIC_DEFAULT_BASE + IOAPIC_IOWIN, val);
}

static uint32_t ioapic_read(uint8_t reg)
{
    uint32_t v;
    put32(IOAPIC_DEFAULT_BASE + IOAPIC_IOREGSEL, reg);
    address_space_read(&address_space_memory, IOAPIC_DEFAULT_BASE + IOAPIC_IOWIN, &v, 4);
    return v;
}

static void set_gsi(int gsi, int level)
{
    qemu_set_irq(qdev_get_gpio_in(gsi_router, gsi), level);
}

/* Write the tables and code: GDT, IDT of 64-bit interrupt gates to the stubs,
 * identity paging of 4 GiB with 2 MiB pages (the APIC page included). */
static void write_guest(void)
{
#if defined(__x86_64__)
    size_t len = guest_code_end - guest_code;
    address_space_write(&address_space_memory, CODE, guest_code, len);
    uint64_t stubs = CODE + (guest_stubs - guest_code);
    for (int v = 0; v < 256; v++) {
        uint64_t off = stubs + 16 * v;
        put64(IDT + 16 * v, (off & 0xffff) | (uint64_t)SEL_CS64 << 16 |
                            (uint64_t)((off & 0xffff0000) | 0x8e00) << 32);
        put64(IDT + 16 * v + 8, off >> 32);
    }
#endif
    put64(GDT, 0);
    put64(GDT + SEL_CS64, 0x00af9b000000ffffull);     /* L, P, DPL 0, code RX */
    put64(GDT + SEL_DS, 0x00cf93000000ffffull);       /* flat data RW */
    put64(PML4, (PML4 + 0x1000) | 3);
    for (int i = 0; i < 4; i++) {
        put64(PML4 + 0x1000 + 8 * i, (PML4 + 0x2000 + 0x1000 * i) | 3);
    }
    for (int i = 0; i < 4 * 512; i++) {
        put64(PML4 + 0x2000 + 8 * i, ((uint64_t)i << 21) | 0x83);    /* PS, W, P */
    }
}

static SegmentCache flat_seg(uint16_t sel, uint32_t flags)
{
    return (SegmentCache){ .selector = sel, .base = 0, .limit = 0xffffffff, .flags = flags };
}

/* On the CPU's own thread (run_on_cpu) while every vCPU is paused. */
static void enter_long_mode_idle(CPUState *cs, void *data)
{
    X86CPU *cpu = X86_CPU(cs);
    CPUX86State *env = &cpu->env;
    int idx = cs->cpu_index;
    bool irqs_on = GPOINTER_TO_INT(data);

    memset(env->regs, 0, sizeof(env->regs));
    env->cc_op = CC_OP_EFLAGS;
    x86_cpu_set_rflags(env, irqs_on ? 0x202 : 0x2);
    memset(&env->events, 0, sizeof(env->events));
    env->old_exception = -1;
    env->segs[R_CS] = flat_seg(SEL_CS64, DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK |
                               DESC_R_MASK | DESC_A_MASK | DESC_L_MASK | DESC_G_MASK);
    for (int r = 0; r < NB_SEGS; r++) {
        if (r != R_CS) {
            env->segs[r] = flat_seg(SEL_DS, DESC_P_MASK | DESC_S_MASK | DESC_W_MASK |
                                    DESC_A_MASK | DESC_B_MASK | DESC_G_MASK);
        }
    }
    env->gdt = (SegmentCache){ .base = GDT, .limit = 0xff };
    env->idt = (SegmentCache){ .base = IDT, .limit = 256 * 16 - 1 };
    env->cr[0] = CR0_PE_MASK | CR0_ET_MASK | CR0_NE_MASK | CR0_WP_MASK | CR0_PG_MASK;
    env->cr[3] = PML4;
    env->cr[4] = CR4_PAE_MASK | CR4_OSFXSR_MASK;
    env->efer = EFER_LME | EFER_LMA | EFER_NXE;
    env->regs[R_ESP] = PERCPU(idx);
    env->rip = CODE;        /* guest_idle */
    __atomic_store_n(&env->mp_state, X86_MP_RUNNABLE, __ATOMIC_RELEASE);
    x86_update_hflags(env);
    cpu_reset_interrupt(cs, CPU_INTERRUPT_NMI | CPU_INTERRUPT_INIT | CPU_INTERRUPT_SIPI);
    cs->halted = false;
    tlb_flush(cs);
}

/* Both CPUs in the idle loop (IF per @irqs_on), APICs software-enabled, counters 0. */
static void start_idle(bool irqs_on)
{
    pause_all_vcpus();
    memset(ram + PERCPU(0), 0, 0x10000);
    memset(ram + PERCPU(1), 0, 0x10000);
    for (int i = 0; i < 2; i++) {
        APICState *s = apic(i);
        if (!apic_mmio_enabled(s)) {
            /* Back from x2APIC (through disabled, SDM §10.12.5) to xAPIC. */
            g_assert_true(apic_set_base(s, APIC_DEFAULT_BASE | (i ? 0 : APIC_BASE_BSP)));
            g_assert_true(apic_set_base(s, APIC_DEFAULT_BASE | APIC_BASE_ENABLE |
                                           (i ? 0 : APIC_BASE_BSP)));
        }
        apic_init_reset(s);
        apic_mem_write(s, APIC_SVR, 0x1ff);
        run_on_cpu(CPU(cpus[i]), enter_long_mode_idle, GINT_TO_POINTER(irqs_on));
    }
    resume_all_vcpus();
}

/* Let the vCPUs run (they need the big lock for MMIO and INTA) until @cond. */
static bool wait_until(bool (*cond)(void *), void *opaque, int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    while (!cond(opaque)) {
        if (g_get_monotonic_time() > end) {
            return false;
        }
        bql_unlock();
        g_usleep(100);
        bql_lock();
    }
    return true;
}

typedef struct CountWait {
    int cpu, vector;
    uint64_t n;
} CountWait;

static bool count_reached(void *opaque)
{
    CountWait *w = opaque;
    return count(w->cpu, w->vector) >= w->n;
}

static void wait_count(int cpu, int vector, uint64_t n)
{
    CountWait w = { cpu, vector, n };
    if (!wait_until(count_reached, &w, 10000)) {
        g_error("CPU %d: vector 0x%x counted %" PRIu64 " times, want %" PRIu64, cpu, vector,
                count(cpu, vector), n);
    }
    g_assert_cmpuint(count(cpu, vector), ==, n);
}

static bool cpu_halted(void *opaque)
{
    return CPU(opaque)->halted;
}

/* Give the vCPUs @ms of real time without touching the virtual clock. */
static void let_run(int ms_)
{
    bql_unlock();
    g_usleep(ms_ * 1000);
    bql_lock();
}

static void wait_halted(int cpu)
{
    g_assert_true(wait_until(cpu_halted, cpus[cpu], 10000));
}

static void advance_ns(int64_t ns)
{
    clock_virtual_advance_to(clock_get_ns(EMU_CLOCK_VIRTUAL) + ns);
}

/* CPU 0 sends ICR (with ICR2 = @icr2) from guest code. */
static void ipi_from_cpu0(uint32_t icr, uint32_t icr2)
{
    uint64_t rung = count(0, DOORBELL);
    put32(MAILBOX, icr);
    put32(MAILBOX + 4, icr2);
    apic_deliver_irq(cpus[0]->apic_id, APIC_DEST_PHYSICAL, APIC_DM_FIXED, DOORBELL,
                     APIC_TRIGGER_EDGE);
    /* Counted once the handler wrote the ICR; then wait for it to halt again. */
    wait_count(0, DOORBELL, rung + 1);
    wait_halted(0);
}

static bool have_guest_code(void)
{
#if defined(__x86_64__)
    return true;
#else
    g_test_skip("the guest code is assembled by the host assembler (x86-64 hosts)");
    return false;
#endif
}

/* ---- tests ---- */

static void test_wiring(void)
{
    for (int i = 0; i < 2; i++) {
        APICState *s = apic(i);
        g_assert_nonnull(s);
        g_autofree char *path = g_strdup_printf("/machine/cpu[%d]/lapic", i);
        g_assert_true(object_resolve_path_type(path, TYPE_APIC, NULL) == OBJECT(s));
        g_assert_cmpuint(s->initial_id, ==, cpus[i]->apic_id);
        g_assert_cmphex(apic_mem_read(s, APIC_ID), ==, cpus[i]->apic_id << 24);
        /* IA32_APIC_BASE: enabled at 0xfee00000, BSP only on CPU 0 (SDM §10.4.4). */
        g_assert_cmphex(apic_get_base(s), ==, APIC_DEFAULT_BASE | APIC_BASE_ENABLE |
                        (i == 0 ? APIC_BASE_BSP : 0));
    }
    g_assert_cmpuint(apic(0)->tsc_hz, ==, cpus[0]->env.tsc_khz * 1000);
    /* The BSP's LINT0 leaves reset in ExtINT (virtual wire), the AP's masked. */
    g_assert_cmphex(apic_mem_read(apic(0), APIC_LVT0), ==, APIC_DM_EXTINT << 8);
    g_assert_cmphex(apic_mem_read(apic(1), APIC_LVT0), ==, APIC_LVT_MASKED);
    /* After reset the AP waits for SIPI, asleep (SDM §9.4.1). */
    g_assert_cmpuint(cpus[1]->env.mp_state, ==, X86_MP_INIT_RECEIVED);
    g_assert_true(CPU(cpus[1])->halted);
    g_assert_cmpuint(cpus[0]->env.mp_state, ==, X86_MP_RUNNABLE);
    g_assert_false(CPU(cpus[0])->halted);
    g_assert_nonnull(x86_cpu_ack_interrupt);
}

/* The 8259 on the BSP's LINT0 (ExtINT): INTR, then INTA reads the PIC's vector. */
static void test_pic_extint(void)
{
    if (!have_guest_code()) {
        return;
    }
    start_idle(true);
    pause_all_vcpus();
    apic_mem_write(apic(0), APIC_LVT0, APIC_DM_EXTINT << 8);
    /* ICW1-4: edge, cascade, vectors 0x30/0x38, 8086 mode; unmask IR5. */
    outb(0x20, 0x11);
    outb(0x21, 0x30);
    outb(0x21, 0x04);
    outb(0x21, 0x01);
    outb(0xa0, 0x11);
    outb(0xa1, 0x38);
    outb(0xa1, 0x02);
    outb(0xa1, 0x01);
    outb(0x21, 0xdf);
    outb(0xa1, 0xff);

    set_gsi(5, 1);
    /* C level: the BSP is asked for INTR, the AP (LINT0 masked) is not. */
    g_assert_true(cpu_interrupt_request(CPU(cpus[0])) & CPU_INTERRUPT_HARD);
    g_assert_false(cpu_interrupt_request(CPU(cpus[1])) & CPU_INTERRUPT_HARD);
    resume_all_vcpus();
    wait_count(0, 0x35, 1);
    set_gsi(5, 0);
    outb(0x20, 0x20);                                   /* non-specific EOI */
    wait_halted(0);
    g_assert_cmpuint(count(1, 0x35), ==, 0);
    g_assert_cmpuint(apic(0)->isr[0x35 / 32], ==, 0);    /* ExtINT skips IRR/ISR */

    /* A second edge after the EOI is delivered again. */
    set_gsi(5, 1);
    wait_count(0, 0x35, 2);
    set_gsi(5, 0);
    outb(0x20, 0x20);
    outb(0x21, 0xff);
    wait_halted(0);
    g_assert_false(cpu_interrupt_request(CPU(cpus[0])) & CPU_INTERRUPT_HARD);

    /* Masked LINT0: the PIC's INT no longer reaches the CPU. */
    apic_mem_write(apic(0), APIC_LVT0, APIC_LVT_MASKED | APIC_DM_EXTINT << 8);
    outb(0x21, 0xdf);
    set_gsi(5, 1);
    g_assert_false(cpu_interrupt_request(CPU(cpus[0])) & CPU_INTERRUPT_HARD);
    let_run(20);
    g_assert_cmpuint(count(0, 0x35), ==, 2);
    set_gsi(5, 0);
    outb(0x21, 0xff);
}

/* I/O APIC pin -> the CPU its redirection entry names. */
static void test_ioapic(void)
{
    if (!have_guest_code()) {
        return;
    }
    start_idle(true);
    const uint8_t red = 0x10 + 2 * 10;                  /* pin 10 (GSI 10) */
    ioapic_write(red + 1, cpus[1]->apic_id << 24);
    ioapic_write(red, 0x61);                            /* fixed, physical, edge */
    set_gsi(10, 1);
    set_gsi(10, 0);
    wait_count(1, 0x61, 1);
    g_assert_cmpuint(count(0, 0x61), ==, 0);

    ioapic_write(red + 1, cpus[0]->apic_id << 24);
    ioapic_write(red, 0x62);
    set_gsi(10, 1);
    set_gsi(10, 0);
    wait_count(0, 0x62, 1);
    g_assert_cmpuint(count(1, 0x62), ==, 0);

    /* Level-triggered: remote IRR until the guest's EOI through its APIC page
     * reaches the I/O APIC (SDM §10.8.5 EOI broadcast). */
    ioapic_write(red + 1, cpus[1]->apic_id << 24);
    ioapic_write(red, 0x63 | 1u << 15);
    set_gsi(10, 1);
    CountWait w = { 1, 0x63, 1 };
    g_assert_true(wait_until(count_reached, &w, 10000));
    set_gsi(10, 0);
    wait_halted(1);
    let_run(5);
    g_assert_cmphex(ioapic_read(red) & (1u << 14), ==, 0);
    g_assert_cmpuint(count(0, 0x63), ==, 0);
    ioapic_write(red, 1u << 16);
}

/* IPIs sent by guest code on CPU 0 through its own APIC page. */
static void test_ipi(void)
{
    if (!have_guest_code()) {
        return;
    }
    start_idle(true);
    uint32_t id1 = cpus[1]->apic_id << 24;

    ipi_from_cpu0(0x70, id1);                           /* fixed, physical */
    wait_count(1, 0x70, 1);
    g_assert_cmpuint(count(0, 0x70), ==, 0);
    /* Each CPU saw its own APIC ID at 0xfee00020. */
    g_assert_cmphex(seen_apic_id(0), ==, cpus[0]->apic_id << 24);
    g_assert_cmphex(seen_apic_id(1), ==, id1);

    ipi_from_cpu0(APIC_DM_NMI << 8, id1);
    wait_count(1, 2, 1);
    g_assert_cmpuint(count(0, 2), ==, 0);

    ipi_from_cpu0(3u << 18 | 0x71, 0);                  /* all excluding self */
    wait_count(1, 0x71, 1);
    let_run(5);
    g_assert_cmpuint(count(0, 0x71), ==, 0);

    ipi_from_cpu0(2u << 18 | 0x72, 0);                  /* all including self */
    wait_count(1, 0x72, 1);
    wait_count(0, 0x72, 1);

    ipi_from_cpu0(1u << 11 | 0x74, 2u << 24);           /* logical, flat: LDR bit 1 */
    let_run(5);
    g_assert_cmpuint(count(1, 0x74), ==, 0);            /* no LDR set yet */
    apic_mem_write(apic(1), APIC_LDR, 2u << 24);
    ipi_from_cpu0(1u << 11 | 0x74, 2u << 24);
    wait_count(1, 0x74, 1);
    g_assert_cmpuint(count(0, 0x74), ==, 0);
}

/* x2APIC (SDM §10.12): ICR by MSR 0x830 with a 32-bit destination. */
static void test_x2apic_ipi(void)
{
    if (!have_guest_code()) {
        return;
    }
    start_idle(true);
    for (int i = 0; i < 2; i++) {
        g_assert_true(apic_set_base(apic(i), apic_get_base(apic(i)) | APIC_BASE_EXTD));
    }
    uint64_t dropped = apic_bus_dropped();
    g_assert_true(apic_msr_write(apic(0), 0x830, (uint64_t)cpus[1]->apic_id << 32 | 0x73));
    wait_count(1, 0x73, 1);
    g_assert_cmpuint(count(0, 0x73), ==, 0);
    /* No xAPIC page in x2APIC mode: the guest's EOI write went nowhere. */
    g_assert_true(apic(1)->isr[0x73 / 32] & (1u << (0x73 % 32)));
    g_assert_cmphex(seen_apic_id(1), ==, 0xffffffff);
    g_assert_true(apic_msr_write(apic(1), 0x80b, 0));   /* EOI by MSR */
    g_assert_cmphex(apic(1)->isr[0x73 / 32], ==, 0);
    g_assert_cmpuint(apic_bus_dropped(), ==, dropped);  /* no stray MSI from CPU 1 */
}

static bool cpu1_waits_for_sipi(void *opaque)
{
    return CPU(cpus[1])->halted &&
           __atomic_load_n(&cpus[1]->env.mp_state, __ATOMIC_ACQUIRE) == X86_MP_INIT_RECEIVED;
}

static bool cpu1_ran_sipi_code(void *opaque)
{
    return CPU(cpus[1])->halted && __atomic_load_n(&ram[0x7000], __ATOMIC_ACQUIRE) == 0x5a;
}

/* INIT then SIPI from CPU 0: CPU 1 waits for SIPI, then runs VV000h in real mode. */
static void test_init_sipi(void)
{
    if (!have_guest_code()) {
        return;
    }
    start_idle(true);
    /* Real-mode code at the SIPI page: mov al, 0x5a; mov [0x7000], al; hlt. */
    static const uint8_t rm[] = { 0xb0, 0x5a, 0xa2, 0x00, 0x70, 0xf4, 0xeb, 0xfd };
    address_space_write(&address_space_memory, SIPI_PAGE, rm, sizeof(rm));
    ram[0x7000] = 0;
    uint32_t id1 = cpus[1]->apic_id << 24;

    ipi_from_cpu0(APIC_DM_INIT << 8 | APIC_ICR_LEVEL_ASSERT, id1);
    /* INIT de-assert (ignored since the Pentium 4), as Linux sends it. */
    ipi_from_cpu0(APIC_DM_INIT << 8 | APIC_LVT_LEVEL, id1);
    g_assert_true(wait_until(cpu1_waits_for_sipi, NULL, 10000));
    pause_all_vcpus();
    CPUX86State *env1 = &cpus[1]->env;
    g_assert_cmpuint(env1->mp_state, ==, X86_MP_INIT_RECEIVED);
    g_assert_true(CPU(cpus[1])->halted);
    g_assert_cmphex(env1->cr[0] & (CR0_PE_MASK | CR0_PG_MASK), ==, 0);
    g_assert_cmphex(env1->efer, ==, 0);
    g_assert_cmphex(env1->segs[R_CS].selector, ==, 0xf000);
    g_assert_cmphex(env1->rip, ==, 0xfff0);             /* and it ran nothing */
    g_assert_cmphex(x86_cpu_get_rflags(env1) & RFLAGS_IF, ==, 0);
    /* INIT reset the APIC too, keeping its ID and base. */
    g_assert_cmphex(apic_mem_read(apic(1), APIC_SVR), ==, 0xff);
    g_assert_cmphex(apic_get_base(apic(1)), ==, APIC_DEFAULT_BASE | APIC_BASE_ENABLE);
    resume_all_vcpus();

    /* Nothing but SIPI starts it: not an NMI, not a fixed interrupt. */
    ipi_from_cpu0(APIC_DM_NMI << 8, id1);
    apic_deliver_irq(cpus[1]->apic_id, APIC_DEST_PHYSICAL, APIC_DM_FIXED, 0x66, 0);
    let_run(20);
    g_assert_true(CPU(cpus[1])->halted);
    g_assert_cmpuint(env1->mp_state, ==, X86_MP_INIT_RECEIVED);

    ipi_from_cpu0(APIC_DM_SIPI << 8 | (SIPI_PAGE >> 12), id1);
    g_assert_true(wait_until(cpu1_ran_sipi_code, NULL, 10000));
    pause_all_vcpus();
    g_assert_cmpuint(env1->mp_state, ==, X86_MP_RUNNABLE);
    g_assert_cmphex(env1->segs[R_CS].selector, ==, SIPI_PAGE >> 4);
    g_assert_cmphex(env1->segs[R_CS].base, ==, SIPI_PAGE);
    g_assert_cmphex(env1->rip, ==, 6);                  /* after the HLT */
    g_assert_cmphex(ram[0x7000], ==, 0x5a);

    /* A second SIPI (Linux sends two) does not restart a running CPU. */
    resume_all_vcpus();
    ipi_from_cpu0(APIC_DM_SIPI << 8 | 0x30, id1);
    let_run(20);
    pause_all_vcpus();
    g_assert_cmphex(env1->segs[R_CS].base, ==, SIPI_PAGE);
    g_assert_cmphex(env1->rip, ==, 6);
    resume_all_vcpus();
}

/* LAPIC timer one-shot: the interrupt comes when the virtual clock reaches
 * TMICT x divide ns (1 GHz bus clock), not a nanosecond before. */
static void test_timer_oneshot(void)
{
    if (!have_guest_code()) {
        return;
    }
    start_idle(true);
    wait_halted(0);
    APICState *s = apic(0);
    apic_mem_write(s, APIC_TDCR, 0x0);                  /* divide by 2 */
    apic_mem_write(s, APIC_LVTT, 0x80);
    apic_mem_write(s, APIC_TMICT, 500000);              /* 1 ms */
    int64_t t0 = clock_get_ns(EMU_CLOCK_VIRTUAL);
    advance_ns(999999);
    g_assert_cmpuint(apic_mem_read(s, APIC_TMCCT), ==, 1);
    let_run(20);
    g_assert_cmpuint(count(0, 0x80), ==, 0);
    g_assert_true(CPU(cpus[0])->halted);
    advance_ns(1);
    wait_count(0, 0x80, 1);
    wait_halted(0);
    /* RDTSC in the handler: the virtual clock at 1 GHz (the TSC started at 0). */
    g_assert_cmpuint(cpus[0]->env.tsc_khz, ==, 1000000);
    g_assert_cmpuint(seen_tsc(0), ==, (uint64_t)t0 + 1000000);
    advance_ns(10000000);
    let_run(5);
    g_assert_cmpuint(count(0, 0x80), ==, 1);            /* one-shot */
    g_assert_cmpuint(count(1, 0x80), ==, 0);
}

static void test_timer_periodic(void)
{
    if (!have_guest_code()) {
        return;
    }
    start_idle(true);
    APICState *s = apic(1);
    apic_mem_write(s, APIC_TDCR, 0xb);                  /* divide by 1 */
    apic_mem_write(s, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0x81);
    apic_mem_write(s, APIC_TMICT, 100000);              /* 100 us */
    for (int i = 1; i <= 10; i++) {
        advance_ns(25000);
        g_assert_cmpuint(apic_mem_read(s, APIC_TMCCT), ==, 75000);
        advance_ns(74999);
        let_run(1);
        g_assert_cmpuint(count(1, 0x81), ==, i - 1);
        advance_ns(1);
        wait_count(1, 0x81, i);
        wait_halted(1);
    }
    apic_mem_write(s, APIC_LVTT, APIC_LVT_MASKED);
    apic_mem_write(s, APIC_TMICT, 0);
    g_assert_cmpuint(count(0, 0x81), ==, 0);
}

/* TSC-deadline (SDM §10.5.4.1): fires when the TSC reaches IA32_TSC_DEADLINE. */
static void test_timer_tsc_deadline(void)
{
    if (!have_guest_code()) {
        return;
    }
    start_idle(true);
    wait_halted(0);
    APICState *s = apic(0);
    apic_mem_write(s, APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | 0x82);
    uint64_t now = (uint64_t)clock_get_ns(EMU_CLOCK_VIRTUAL) * cpus[0]->env.tsc_khz / 1000000;
    g_assert_cmpuint(x86_tsc_now(&cpus[0]->env), ==, now);
    apic_set_tsc_deadline(s, now + 5000);
    advance_ns(4999);
    let_run(10);
    g_assert_cmpuint(count(0, 0x82), ==, 0);
    advance_ns(1);
    wait_count(0, 0x82, 1);
    g_assert_cmpuint(seen_tsc(0), ==, now + 5000);
    g_assert_cmpuint(apic_get_tsc_deadline(s), ==, 0);   /* disarmed once fired */
    /* A deadline in the past fires at once. */
    apic_set_tsc_deadline(s, 1);
    wait_count(0, 0x82, 2);
    apic_mem_write(s, APIC_LVTT, APIC_LVT_MASKED);
}

/* TPR (by CR8 or the TPR register) and IF hold back what a CPU may take. */
static void test_tpr_and_if(void)
{
    if (!have_guest_code()) {
        return;
    }
    start_idle(true);
    wait_halted(0);
    APICState *s = apic(0);
    apic_set_cr8(s, 8);                                 /* TPR = 0x80 */
    g_assert_cmphex(apic_mem_read(s, APIC_TPR), ==, 0x80);
    apic_deliver_irq(cpus[0]->apic_id, APIC_DEST_PHYSICAL, APIC_DM_FIXED, 0x85, 0);
    g_assert_false(cpu_interrupt_request(CPU(cpus[0])) & CPU_INTERRUPT_HARD);
    let_run(20);
    g_assert_cmpuint(count(0, 0x85), ==, 0);            /* class 8 <= TPR class 8 */
    g_assert_true(CPU(cpus[0])->halted);
    apic_deliver_irq(cpus[0]->apic_id, APIC_DEST_PHYSICAL, APIC_DM_FIXED, 0x95, 0);
    wait_count(0, 0x95, 1);                             /* class 9 > 8 */
    wait_halted(0);
    g_assert_cmpuint(count(0, 0x85), ==, 0);
    apic_mem_write(s, APIC_TPR, 0x50);
    g_assert_cmpuint(apic_get_cr8(s), ==, 5);
    wait_count(0, 0x85, 1);                             /* now above the TPR */

    /* IF = 0: the request stands, the halted CPU sleeps on (SDM HLT). */
    start_idle(false);
    wait_halted(0);
    apic_deliver_irq(cpus[0]->apic_id, APIC_DEST_PHYSICAL, APIC_DM_FIXED, 0x86, 0);
    g_assert_true(cpu_interrupt_request(CPU(cpus[0])) & CPU_INTERRUPT_HARD);
    let_run(20);
    g_assert_cmpuint(count(0, 0x86), ==, 0);
    g_assert_true(CPU(cpus[0])->halted);
    g_assert_true(apic(0)->irr[0x86 / 32] & (1u << (0x86 % 32)));
    /* x86_cpu_ack_interrupt is what INTA does: IRR -> ISR, the vector back. */
    pause_all_vcpus();
    g_assert_cmpint(x86_cpu_ack_interrupt(CPU(cpus[0])), ==, 0x86);
    g_assert_true(apic(0)->isr[0x86 / 32] & (1u << (0x86 % 32)));
    g_assert_false(cpu_interrupt_request(CPU(cpus[0])) & CPU_INTERRUPT_HARD);
    g_assert_cmpint(x86_cpu_ack_interrupt(CPU(cpus[0])), ==, -1);
    apic_mem_write(s, APIC_EOI, 0);
    resume_all_vcpus();
}

static void create_machine(void)
{
    Error *err = NULL;
    g_autofree char *bios_path = NULL;
    int fd = g_file_open_tmp("emu-x86-irq-bios-XXXXXX", &bios_path, NULL);
    g_assert_cmpint(fd, >=, 0);
    /* 64 KiB of HLT: the BSP's reset vector, never run (the test sets CPU state). */
    g_autofree uint8_t *bios = g_malloc(64 * 1024);
    memset(bios, 0xf4, 64 * 1024);
    g_assert_cmpint(write(fd, bios, 64 * 1024), ==, 64 * 1024);
    close(fd);

    main_loop_init();
    memory_init();
    clock_virtual_set_manual(true);

    MachineClass *mc = machine_class_find("pc");
    g_assert_nonnull(mc);
    ms = MACHINE(object_new(object_class_get_name(OBJECT_CLASS(mc))));
    object_property_add_child(object_get_root(), "machine", OBJECT(ms));
    current_machine_set(ms);
    ms->ram_size = ms->maxram_size = 32 << 20;
    ms->smp = (CpuTopology){ .cpus = 2, .sockets = 1, .dies = 1, .cores = 2, .threads = 1,
                             .max_cpus = 2 };
    ms->firmware = g_strdup(bios_path);
    ms->boot_order = g_strdup("cad");
    ms->graphics = false;

    AccelClass *ac = accel_class_find("tcg");
    g_assert_nonnull(ac);
    AccelState *accel = ACCEL(object_new(object_class_get_name(OBJECT_CLASS(ac))));
    g_assert_true(ac->init_machine(accel, ms, &error_abort));
    current_accel_set(accel);
    ms->accel = g_strdup("tcg");

    mc->init(ms, &err);
    g_assert_null(err);
    unlink(bios_path);
    system_reset(SHUTDOWN_CAUSE_NONE);

    for (int i = 0; i < 2; i++) {
        g_autofree char *path = g_strdup_printf("/machine/cpu[%d]", i);
        cpus[i] = X86_CPU(object_resolve_path_type(path, TYPE_X86_CPU, NULL));
    }
    ram = memory_region_get_ram_ptr(ms->ram);
    gsi_router = DEVICE(object_resolve_path_type("/machine/gsi", TYPE_GSI_ROUTER, NULL));
    ioapic_dev = DEVICE(object_resolve_path_type("/machine/ioapic", TYPE_IOAPIC, NULL));
    g_assert_nonnull(gsi_router);
    g_assert_nonnull(ioapic_dev);
    write_guest();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    create_machine();
    g_test_add_func("/x86-irq/wiring", test_wiring);
    g_test_add_func("/x86-irq/pic-extint", test_pic_extint);
    g_test_add_func("/x86-irq/ioapic", test_ioapic);
    g_test_add_func("/x86-irq/ipi", test_ipi);
    g_test_add_func("/x86-irq/init-sipi", test_init_sipi);
    g_test_add_func("/x86-irq/timer-oneshot", test_timer_oneshot);
    g_test_add_func("/x86-irq/timer-periodic", test_timer_periodic);
    g_test_add_func("/x86-irq/timer-tsc-deadline", test_timer_tsc_deadline);
    g_test_add_func("/x86-irq/tpr-and-if", test_tpr_and_if);
    g_test_add_func("/x86-irq/x2apic-ipi", test_x2apic_ipi);
    int r = g_test_run();
    pause_all_vcpus();
    stop_all_vcpu_threads();
    return r;
}
