/*
 * Shared between the system-instruction helpers (sys-helper.c, msr-helper.c,
 * io-helper.c): CPUID feature tests, MAXPHYADDR, canonical addresses, the
 * control-register and EFER write paths that MOV CR, LMSW, CLTS and WRMSR
 * share, and taking the big lock around device state.
 */
#ifndef TARGET_I386_TCG_SYS_INTERNAL_H
#define TARGET_I386_TCG_SYS_INTERNAL_H

#include "target/i386/tcg/tcg-internal.h"
#include "system/main-loop.h"

/* Control-register bits not named in cpu.h (SDM vol. 3 §2.5, Figure 2-7). */
#define CR4_VME_MASK        (1u << 0)
#define CR4_PVI_MASK        (1u << 1)
#define CR4_DE_MASK         (1u << 3)
#define CR4_MCE_MASK        (1u << 6)
#define CR4_PCE_MASK        (1u << 8)
#define CR4_UMIP_MASK       (1u << 11)
#define CR4_LA57_MASK       (1u << 12)
#define CR4_VMXE_MASK       (1u << 13)
#define CR4_SMXE_MASK       (1u << 14)
#define CR4_PCIDE_MASK      (1u << 17)
#define CR4_PKE_MASK        (1u << 22)
#define CR3_PCID_NOFLUSH    (1ull << 63)

#define EFER_FFXSR (1u << 14)

/*
 * CPUID.(@leaf, @sub).@reg ('a'..'d') bit @bit of the CPU's table. A CPU that
 * was never realized has no table (unit tests, which also give the decoder
 * every feature by hand): then every feature counts as present.
 */
bool x86_cpuid_has(X86CPU *cpu, uint32_t leaf, uint32_t sub, char reg, unsigned bit);
/* MAXPHYADDR: CPUID.80000008H:EAX[7:0], 36 when the leaf is absent (SDM vol. 3 §4.1.4). */
unsigned x86_phys_bits(X86CPU *cpu);
/* Bits 63:MAXPHYADDR set (a reserved physical-address bit). */
static inline bool x86_paddr_reserved(X86CPU *cpu, uint64_t pa)
{
    return (pa >> x86_phys_bits(cpu)) != 0;
}

/* 48-bit linear addresses (no LA57): bits 63:47 all equal (SDM vol. 1 §3.3.7.1). */
static inline bool x86_is_canonical(uint64_t addr)
{
    return (uint64_t)((int64_t)(addr << 16) >> 16) == addr;   /* shift unsigned: no UB */
}

/*
 * Control-register and EFER writes with every architectural check (SDM vol. 2
 * MOV CR, WRMSR; vol. 3 §2.5, §4.1, §9.8.5): #GP(0) through @ra on a refused
 * value; TLB flushes and hflags as the change needs.
 */
void x86_write_cr0(CPUX86State *env, uint64_t val, uintptr_t ra);
void x86_write_cr3(CPUX86State *env, uint64_t val, uintptr_t ra);
void x86_write_cr4(CPUX86State *env, uint64_t val, uintptr_t ra);
void x86_write_efer(CPUX86State *env, uint64_t val, uintptr_t ra);

/* Run device code (LAPIC, port I/O) under the big lock, whoever holds it now. */
static inline bool x86_bql_enter(void)
{
    if (bql_locked()) {
        return false;
    }
    bql_lock();
    return true;
}

static inline void x86_bql_leave(bool taken)
{
    if (taken) {
        bql_unlock();
    }
}

#endif
