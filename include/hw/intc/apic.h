/*
 * The local APIC of each x86 CPU (Intel SDM vol. 3A ch. 10 / 11 "Advanced
 * Programmable Interrupt Controller"): xAPIC registers through MMIO and x2APIC
 * registers through MSRs, the timer (one-shot, periodic, TSC-deadline), IPIs,
 * and the APIC "bus" that carries I/O APIC, MSI and IPI messages between them.
 *
 * One TYPE_APIC device per CPU, created by the CPU code, which then:
 *   - calls apic_set_cpu_hooks() so the APIC can reach its CPU (interrupt
 *     pending, INIT, SIPI, NMI, SMI, TSC);
 *   - routes its CPU's accesses to the APIC page (apic_get_base() &
 *     APIC_BASE_ADDR_MASK, while apic_mmio_enabled()) to apic_mem_read/write,
 *     and RDMSR/WRMSR of 0x1b (apic_get_base/apic_set_base), 0x6e0
 *     (apic_get/set_tsc_deadline) and 0x800-0x8ff (apic_msr_read/write);
 *   - takes interrupts with apic_has_interrupt() / apic_get_interrupt() at
 *     instruction boundaries when EFLAGS.IF allows.
 * The 8259's INT reaches every APIC's LINT0 through apic_bus_set_pic_int(),
 * and ExtINT acknowledges go back to it through the apic_bus_set_extint() hook
 * (both wired by the board).
 */
#ifndef HW_INTC_APIC_H
#define HW_INTC_APIC_H

#include "hw/core/qdev.h"
#include "system/memory.h"
#include "util/timer.h"

#define TYPE_APIC "apic"

#define APIC_DEFAULT_BASE 0xfee00000u
#define APIC_MMIO_SIZE 0x1000

/* IA32_APIC_BASE (MSR 0x1b) */
#define MSR_IA32_APICBASE 0x1b
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ull
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_BASE 0x800
#define MSR_X2APIC_LAST 0x8ff

/* Delivery modes (ICR, LVT, I/O APIC redirection entries, MSI data). */
#define APIC_DM_FIXED 0
#define APIC_DM_LOWEST 1
#define APIC_DM_SMI 2
#define APIC_DM_NMI 4
#define APIC_DM_INIT 5
#define APIC_DM_SIPI 6
#define APIC_DM_EXTINT 7

#define APIC_DEST_PHYSICAL 0
#define APIC_DEST_LOGICAL 1
#define APIC_TRIGGER_EDGE 0
#define APIC_TRIGGER_LEVEL 1

/* xAPIC register offsets (SDM Table 10-1). */
#define APIC_ID 0x020
#define APIC_LVR 0x030
#define APIC_TPR 0x080
#define APIC_APR 0x090
#define APIC_PPR 0x0a0
#define APIC_EOI 0x0b0
#define APIC_RRD 0x0c0
#define APIC_LDR 0x0d0
#define APIC_DFR 0x0e0
#define APIC_SVR 0x0f0
#define APIC_ISR 0x100
#define APIC_TMR 0x180
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_ICR 0x300
#define APIC_ICR2 0x310
#define APIC_LVTT 0x320
#define APIC_LVTTHMR 0x330
#define APIC_LVTPC 0x340
#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_LVTERR 0x370
#define APIC_TMICT 0x380
#define APIC_TMCCT 0x390
#define APIC_TDCR 0x3e0
#define APIC_SELF_IPI 0x3f0     /* x2APIC only */

#define APIC_SVR_ENABLE (1u << 8)
#define APIC_LVT_MASKED (1u << 16)
#define APIC_LVT_TIMER_PERIODIC (1u << 17)
#define APIC_LVT_TIMER_TSCDEADLINE (2u << 17)
#define APIC_LVT_REMOTE_IRR (1u << 14)
#define APIC_LVT_LEVEL (1u << 15)
#define APIC_ICR_LEVEL_ASSERT (1u << 14)

/* ESR bits (SDM Figure 10-9). */
#define APIC_ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define APIC_ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define APIC_ESR_ILLEGAL_REGISTER (1u << 7)

/* Six LVT entries: timer, thermal, performance, LINT0, LINT1, error. */
enum { APIC_LVT_TIMER, APIC_LVT_THERMAL, APIC_LVT_PERF, APIC_LVT_LINT0, APIC_LVT_LINT1,
       APIC_LVT_ERROR, APIC_LVT_NB };

/* What the APIC needs from its CPU. Every member may be NULL. */
typedef struct APICCpuOps {
    /* apic_has_interrupt() changed (raise or lower the CPU's INTR request). */
    void (*interrupt_pending)(void *cpu, bool pending);
    void (*nmi)(void *cpu);
    void (*smi)(void *cpu);
    /* INIT: the APIC has already reset itself (keeping its ID and base). */
    void (*init)(void *cpu);
    /* Start-up IPI; the CPU ignores it unless it waits for SIPI. */
    void (*sipi)(void *cpu, uint8_t vector);
    /* The CPU's time-stamp counter, for TSC-deadline mode (NULL: the virtual
     * clock scaled to the "tsc-frequency" property). */
    uint64_t (*get_tsc)(void *cpu);
} APICCpuOps;

typedef struct APICState {
    DeviceState parent_obj;
    MemoryRegion mmio;          /* this APIC's xAPIC page (apic_mem_read/write) */

    /* properties */
    uint32_t initial_id;        /* "id": initial APIC ID (CPUID) */
    bool bsp;                   /* "bsp": IA32_APIC_BASE.BSP after reset */
    bool lint0_extint;          /* "lint0-extint": LVT LINT0 resets to ExtINT, unmasked */
    uint64_t tsc_hz;            /* "tsc-frequency" */

    const APICCpuOps *ops;
    void *cpu;

    uint64_t apicbase;
    uint32_t id;                /* xAPIC: bits 31:24 of the ID register value */
    uint8_t tpr;
    uint32_t ldr;
    uint32_t dfr;
    uint32_t svr;
    uint32_t isr[8], tmr[8], irr[8];
    uint32_t esr;               /* readable value, latched on ESR writes */
    uint32_t esr_pending;       /* errors since the last ESR write */
    uint32_t icr[2];
    uint32_t lvt[APIC_LVT_NB];
    uint32_t divide_conf;
    uint32_t initial_count;
    int64_t count_load_time;    /* ns on the virtual clock */
    int64_t next_time;          /* ns of the next timer expiry, -1 if none */
    uint64_t tsc_deadline;
    EmuTimer *timer;

    bool lint_level[2];
    bool extint_pending;        /* ExtINT message from the APIC bus */
    bool irq_out;               /* last value given to interrupt_pending */

    /* Statistics for `info lapic`. */
    uint64_t accepted;
    uint64_t dropped;
    uint64_t timer_fired;
} APICState;

DECLARE_INSTANCE_CHECKER(APICState, APIC, TYPE_APIC)

/* ---- CPU side ---- */

void apic_set_cpu_hooks(APICState *s, const APICCpuOps *ops, void *cpu);
/* A vector is deliverable now (fixed interrupt above PPR, or ExtINT). */
bool apic_has_interrupt(APICState *s);
/*
 * INTA: the highest-priority deliverable vector, moved from IRR to ISR (or,
 * for ExtINT, the 8259's vector from its acknowledge cycle); -1 if none.
 */
int apic_get_interrupt(APICState *s);
/* The APIC page is decoded (hardware-enabled and in xAPIC mode). */
bool apic_mmio_enabled(APICState *s);
/* xAPIC register access at @offset in the APIC page (32-bit registers). */
uint32_t apic_mem_read(APICState *s, hwaddr offset);
void apic_mem_write(APICState *s, hwaddr offset, uint32_t val);
/* x2APIC MSRs 0x800-0x8ff; false: the access faults (#GP). */
bool apic_msr_read(APICState *s, uint32_t index, uint64_t *val);
bool apic_msr_write(APICState *s, uint32_t index, uint64_t val);
/* The TPR as CR8 sees it (SDM §10.8.6.1: CR8[3:0] = TPR[7:4]). */
uint8_t apic_get_cr8(APICState *s);
void apic_set_cr8(APICState *s, uint8_t cr8);
/* IA32_APIC_BASE; false: invalid value or mode transition (#GP). */
uint64_t apic_get_base(APICState *s);
bool apic_set_base(APICState *s, uint64_t val);
/* IA32_TSC_DEADLINE (reads 0 and ignores writes unless in TSC-deadline mode). */
uint64_t apic_get_tsc_deadline(APICState *s);
void apic_set_tsc_deadline(APICState *s, uint64_t val);
/* The CPU's TSC was written: re-arm a pending TSC deadline. */
void apic_tsc_changed(APICState *s);
/* INIT (signal or IPI): every register to its reset value but ID and base. */
void apic_init_reset(APICState *s);
/* LINT0/LINT1 pins (also GPIO inputs "lint" 0 and 1). */
void apic_set_lint(APICState *s, int pin, bool level);
/*
 * What the BIOS does before an OS runs (SeaBIOS smp/apic setup): software
 * enable, LINT0 ExtINT and LINT1 NMI (virtual wire mode), for direct kernel
 * boot without firmware.
 */
void apic_setup_virtual_wire(APICState *s);

/* ---- the APIC bus ---- */

/*
 * Deliver an interrupt message in xAPIC format (8-bit @dest, 0xff =
 * broadcast; @dest_mode APIC_DEST_*, @delivery_mode APIC_DM_*) to the local
 * APICs it addresses. Returns how many accepted it; with none (no CPU under
 * qtest) the message is dropped and counted.
 */
int apic_deliver_irq(uint32_t dest, uint8_t dest_mode, uint8_t delivery_mode,
                     uint8_t vector, uint8_t trigger_mode);
/* An MSI write of @data to @addr (0xfeeXXXXX, Intel SDM §10.11). */
void apic_send_msi(uint64_t addr, uint32_t data);
/* The 8259's INT, wired to LINT0 of every local APIC. */
void apic_bus_set_pic_int(bool level);
/* Who answers ExtINT acknowledges (the 8259's pic_read_irq). */
void apic_bus_set_extint(int (*ack)(void *opaque), void *opaque);
/*
 * The 1 MiB window at 0xfee00000 in system memory (mapped by the board when
 * emu's own APICs are in use): accesses from a CPU reach that CPU's APIC
 * registers, writes from devices are MSIs. @current returns the APIC of the
 * CPU running on the calling thread, or NULL when a device is accessing.
 * A CPU whose xAPIC page is not there (x2APIC, disabled, moved) reaches
 * nothing; offsets 0x0-0xf (a reserved register, but where an MSI to APIC
 * ID 0 lands) are MSIs even from a vCPU thread.
 */
void apic_bus_set_current_hook(APICState *(*current)(void));
uint32_t apic_bus_mmio_read(hwaddr offset);
void apic_bus_mmio_write(hwaddr offset, uint32_t val);
/* Local APICs on the bus, in creation order; the one with APIC ID @id. */
GList *apic_bus_list(void);
APICState *apic_find_by_id(uint32_t id);
/* Messages no local APIC accepted. */
uint64_t apic_bus_dropped(void);
void apic_print_info(APICState *s, GString *out);

#endif
