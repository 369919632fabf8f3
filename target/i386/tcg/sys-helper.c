/*
 * Helpers for x86 system instructions (translate-sys.c): MOV to/from control
 * and debug registers, CLTS, LMSW, INVLPG, INVPCID, probes for CLFLUSH and
 * MONITOR, CLI/STI refusals, RDTSCP, RDPMC, XGETBV/XSETBV, MWAIT and
 * RDPKRU/WRPKRU. References: SDM vol. 2 instruction pages; vol. 3 §2.5
 * (control registers), §4.1-4.4 (paging modes, PDPTEs), §4.10.4 (TLB
 * invalidation), §9.8.5 (IA-32e initialization), §13.3 (XCR0), §17.2 (debug
 * registers).
 */
#include "util/osdep.h"
#include "util/log.h"
#include "system/memory.h"
#include "hw/intc/apic.h"
#include "target/i386/tcg/sys-internal.h"
#include "target/i386/tcg/helper.h"

/* ---- CPUID ---- */

bool x86_cpuid_has(X86CPU *cpu, uint32_t leaf, uint32_t sub, char reg, unsigned bit)
{
    if (!cpu->nr_cpuid) {
        return true;
    }
    const X86CPUIDEntry *e = x86_cpu_get_cpuid(cpu, leaf, sub);
    if (!e) {
        return false;
    }
    uint32_t v = reg == 'a' ? e->eax : reg == 'b' ? e->ebx : reg == 'c' ? e->ecx : e->edx;
    return (v >> bit) & 1;
}

unsigned x86_phys_bits(X86CPU *cpu)
{
    const X86CPUIDEntry *e = x86_cpu_get_cpuid(cpu, 0x80000008, 0);
    unsigned bits = e ? e->eax & 0xff : 0;
    return bits >= 32 && bits <= 52 ? bits : 36;
}

static G_NORETURN void gp0(CPUX86State *env, uintptr_t ra)
{
    x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
}

static bool cs64(CPUX86State *env)
{
    return (env->efer & EFER_LMA) && (env->segs[R_CS].flags & DESC_L_MASK);
}

static void log_once(bool *done, const char *msg)
{
    if (!*done) {
        *done = true;
        emu_log_mask(LOG_UNIMP, "x86 tcg: %s\n", msg);
    }
}

/*
 * PAE paging loads the four PDPTEs from CR3[31:5] on MOV to CR3, and on MOV
 * to CR0/CR4 that change the paging controls (SDM vol. 3 §4.4.1): a present
 * PDPTE with a reserved bit set (2:1, 8:5, 63:MAXPHYADDR) is #GP(0). The
 * walker reads them again on every walk (mmu-helper.c).
 */
static bool pae_pdptes_valid(CPUX86State *env, uint64_t cr3)
{
    X86CPU *cpu = x86_env_get_cpu(env);
    hwaddr base = cr3 & 0xffffffe0ull;
    for (int i = 0; i < 4; i++) {
        MemTxResult res;
        uint64_t e = address_space_ldq_le(&address_space_memory, base + 8 * i, &res);
        if ((e & 1) && ((e & 0x1e6ull) || x86_paddr_reserved(cpu, e))) {
            return false;
        }
    }
    return true;
}

/* ---- CR0 (SDM vol. 3 §2.5, §9.8.5; vol. 2 MOV CR) ---- */

#define CR0_DEFINED (CR0_PE_MASK | CR0_MP_MASK | CR0_EM_MASK | CR0_TS_MASK | CR0_ET_MASK | \
                     CR0_NE_MASK | CR0_WP_MASK | CR0_AM_MASK | CR0_NW_MASK | CR0_CD_MASK | \
                     CR0_PG_MASK)

void x86_write_cr0(CPUX86State *env, uint64_t val, uintptr_t ra)
{
    uint64_t old = env->cr[0], cr4 = env->cr[4];
    uint64_t efer = env->efer;

    /* Bits 63:32 are #GP(0) (64-bit mode is the only way to write them). */
    if (val >> 32) {
        gp0(env, ra);
    }
    /* Writes to reserved bits 31:0 are ignored; ET is hardwired to 1 (P6 and later). */
    val = (val & CR0_DEFINED) | CR0_ET_MASK;
    if ((val & CR0_PG_MASK) && !(val & CR0_PE_MASK)) {
        gp0(env, ra);
    }
    if ((val & CR0_NW_MASK) && !(val & CR0_CD_MASK)) {
        gp0(env, ra);
    }
    if ((old & CR0_PG_MASK) && !(val & CR0_PG_MASK)) {
        /* Paging can be turned off only from compatibility mode, and not with PCIDs. */
        if (cs64(env) || (cr4 & CR4_PCIDE_MASK)) {
            gp0(env, ra);
        }
        efer &= ~(uint64_t)EFER_LMA;
    }
    if (!(old & CR0_PG_MASK) && (val & CR0_PG_MASK) && (efer & EFER_LME)) {
        /* Activating IA-32e mode needs PAE and a CS with L = 0 (§9.8.5). */
        if (!(cr4 & CR4_PAE_MASK) || (env->segs[R_CS].flags & DESC_L_MASK)) {
            gp0(env, ra);
        }
        efer |= EFER_LMA;
    }
    if ((val & CR0_PG_MASK) && (cr4 & CR4_PAE_MASK) && !(efer & EFER_LMA) &&
        ((old ^ val) & (CR0_PG_MASK | CR0_CD_MASK | CR0_NW_MASK)) &&
        !pae_pdptes_valid(env, env->cr[3])) {
        gp0(env, ra);
    }
    env->cr[0] = val;
    env->efer = efer;
    if ((old ^ val) & (CR0_PG_MASK | CR0_WP_MASK | CR0_PE_MASK)) {
        tlb_flush(CPU(x86_env_get_cpu(env)));
    }
    x86_update_hflags(env);
}

/* ---- CR3 (SDM vol. 3 §4.2, §4.10.4.1) ---- */

void x86_write_cr3(CPUX86State *env, uint64_t val, uintptr_t ra)
{
    X86CPU *cpu = x86_env_get_cpu(env);
    bool noflush = false;

    if (env->efer & EFER_LMA) {
        if (env->cr[4] & CR4_PCIDE_MASK) {
            /* Bit 63 asks to keep the new PCID's entries; it is not stored. */
            noflush = val & CR3_PCID_NOFLUSH;
            val &= ~CR3_PCID_NOFLUSH;
        }
        if (x86_paddr_reserved(cpu, val)) {
            gp0(env, ra);
        }
    } else {
        val = (uint32_t)val;
        if ((env->cr[0] & CR0_PG_MASK) && (env->cr[4] & CR4_PAE_MASK) &&
            !pae_pdptes_valid(env, val)) {
            gp0(env, ra);
        }
    }
    /*
     * The TLB is not tagged with PCIDs, so entries of the old address space
     * must go whatever bit 63 says; only a no-flush reload of the same value
     * may keep them. Global pages stay (§4.10.4.1: MOV to CR3 invalidates
     * the PCID's entries "except those for global pages").
     */
    if ((env->cr[0] & CR0_PG_MASK) && !(noflush && val == env->cr[3])) {
        tlb_flush_nonglobal(CPU(cpu));
    }
    env->cr[3] = val;
}

/* ---- CR4 (SDM vol. 3 §2.5: each bit is reserved unless CPUID enumerates it) ---- */

static uint64_t cr4_allowed(X86CPU *cpu)
{
    uint64_t m = CR4_PCE_MASK | CR4_OSXMMEXCPT_MASK;
    if (x86_cpuid_has(cpu, 1, 0, 'd', 1)) {
        m |= CR4_VME_MASK | CR4_PVI_MASK;
    }
    m |= x86_cpuid_has(cpu, 1, 0, 'd', 4) ? CR4_TSD_MASK : 0;
    m |= x86_cpuid_has(cpu, 1, 0, 'd', 2) ? CR4_DE_MASK : 0;
    m |= x86_cpuid_has(cpu, 1, 0, 'd', 3) ? CR4_PSE_MASK : 0;
    m |= x86_cpuid_has(cpu, 1, 0, 'd', 6) ? CR4_PAE_MASK : 0;
    m |= x86_cpuid_has(cpu, 1, 0, 'd', 7) ? CR4_MCE_MASK : 0;
    m |= x86_cpuid_has(cpu, 1, 0, 'd', 13) ? CR4_PGE_MASK : 0;
    m |= x86_cpuid_has(cpu, 1, 0, 'd', 24) ? CR4_OSFXSR_MASK : 0;
    m |= x86_cpuid_has(cpu, 1, 0, 'c', 17) ? CR4_PCIDE_MASK : 0;
    m |= x86_cpuid_has(cpu, 1, 0, 'c', 26) ? CR4_OSXSAVE_MASK : 0;
    m |= x86_cpuid_has(cpu, 7, 0, 'b', 0) ? CR4_FSGSBASE_MASK : 0;
    m |= x86_cpuid_has(cpu, 7, 0, 'b', 7) ? CR4_SMEP_MASK : 0;
    m |= x86_cpuid_has(cpu, 7, 0, 'b', 20) ? CR4_SMAP_MASK : 0;
    m |= x86_cpuid_has(cpu, 7, 0, 'c', 2) ? CR4_UMIP_MASK : 0;
    m |= x86_cpuid_has(cpu, 7, 0, 'c', 3) ? CR4_PKE_MASK : 0;
    /* LA57 (5-level paging), VMXE, SMXE, CET, PKS...: not modelled, always reserved. */
    return m;
}

void x86_write_cr4(CPUX86State *env, uint64_t val, uintptr_t ra)
{
    static bool la57_logged, pke_logged;
    X86CPU *cpu = x86_env_get_cpu(env);
    uint64_t old = env->cr[4];
    bool lma = env->efer & EFER_LMA;

    if (val & ~cr4_allowed(cpu)) {
        if (val & CR4_LA57_MASK) {
            log_once(&la57_logged, "CR4.LA57 (5-level paging) is not implemented: #GP");
        }
        gp0(env, ra);
    }
    if (lma && !(val & CR4_PAE_MASK)) {
        gp0(env, ra);            /* PAE cannot be cleared in IA-32e mode */
    }
    if ((val & CR4_PCIDE_MASK) && !(old & CR4_PCIDE_MASK) &&
        (!lma || (env->cr[3] & 0xfff))) {
        gp0(env, ra);            /* PCIDE: only in IA-32e mode, with PCID 0 */
    }
    if ((env->cr[0] & CR0_PG_MASK) && (val & CR4_PAE_MASK) && !lma &&
        ((old ^ val) & (CR4_PAE_MASK | CR4_PGE_MASK | CR4_PSE_MASK | CR4_SMEP_MASK)) &&
        !pae_pdptes_valid(env, env->cr[3])) {
        gp0(env, ra);
    }
    if ((val & CR4_PKE_MASK) && !(old & CR4_PKE_MASK)) {
        log_once(&pke_logged, "CR4.PKE: protection keys are not enforced by the TCG MMU");
    }
    env->cr[4] = val;
    if ((old ^ val) & (CR4_PGE_MASK | CR4_PAE_MASK | CR4_PSE_MASK | CR4_PCIDE_MASK |
                       CR4_SMEP_MASK | CR4_SMAP_MASK | CR4_PKE_MASK)) {
        tlb_flush(CPU(cpu));
    }
    x86_update_hflags(env);
}

/* ---- EFER (SDM vol. 3 §2.2.1, Table 2-1; vol. 4 IA32_EFER) ---- */

void x86_write_efer(CPUX86State *env, uint64_t val, uintptr_t ra)
{
    X86CPU *cpu = x86_env_get_cpu(env);
    uint64_t allowed = 0, old = env->efer;

    allowed |= x86_cpuid_has(cpu, 0x80000001, 0, 'd', 11) ? EFER_SCE : 0;
    allowed |= x86_cpuid_has(cpu, 0x80000001, 0, 'd', 29) ? EFER_LME : 0;
    allowed |= x86_cpuid_has(cpu, 0x80000001, 0, 'd', 20) ? EFER_NXE : 0;
    allowed |= x86_cpuid_has(cpu, 0x80000001, 0, 'd', 25) ? EFER_FFXSR : 0;
    /* LMA is the processor's: the written bit is ignored. */
    if (val & ~(allowed | EFER_LMA)) {
        gp0(env, ra);
    }
    uint64_t new = (val & allowed) | (old & EFER_LMA);
    if ((env->cr[0] & CR0_PG_MASK) && ((old ^ new) & EFER_LME)) {
        gp0(env, ra);            /* LME may change only with paging off */
    }
    env->efer = new;
    if ((old ^ new) & (EFER_NXE | EFER_LME | EFER_LMA)) {
        tlb_flush(CPU(cpu));
    }
    x86_update_hflags(env);
}

/* ---- MOV to/from CR ---- */

uint64_t helper_read_cr8(CPUX86State *env)
{
    X86CPU *cpu = x86_env_get_cpu(env);
    if (cpu->apic) {
        bool t = x86_bql_enter();
        uint64_t v = apic_get_cr8(cpu->apic);
        x86_bql_leave(t);
        return v;
    }
    return env->cr8;
}

void helper_write_cr(CPUX86State *env, uint32_t reg, uint64_t val)
{
    uintptr_t ra = GETPC();
    X86CPU *cpu = x86_env_get_cpu(env);

    switch (reg) {
    case 0:
        x86_write_cr0(env, val, ra);
        break;
    case 2:
        env->cr[2] = val;
        break;
    case 3:
        x86_write_cr3(env, val, ra);
        break;
    case 4:
        x86_write_cr4(env, val, ra);
        break;
    case 8:
        /* CR8[3:0] is TPR[7:4]; bits 63:4 are reserved (SDM vol. 3 §10.8.6.1). */
        if (val >> 4) {
            gp0(env, ra);
        }
        env->cr8 = val;
        if (cpu->apic) {
            bool t = x86_bql_enter();
            apic_set_cr8(cpu->apic, val);
            x86_bql_leave(t);
        }
        break;
    default:
        x86_raise_exception(env, EXCP06_ILLOP, ra);
    }
}

void helper_clts(CPUX86State *env)
{
    env->cr[0] &= ~(uint64_t)CR0_TS_MASK;
    x86_update_hflags(env);
}

/* LMSW loads CR0[3:0] (PE MP EM TS) but cannot clear PE (SDM vol. 2 LMSW). */
void helper_lmsw(CPUX86State *env, uint64_t val)
{
    uint64_t cr0 = (env->cr[0] & ~0xfull) | (val & 0xf) | (env->cr[0] & CR0_PE_MASK);
    x86_write_cr0(env, cr0, GETPC());
}

/* ---- debug registers (SDM vol. 3 §17.2; vol. 2 MOV DR) ---- */

#define DR6_BD        (1u << 13)
#define DR6_FIXED1    0xffff0ff0u      /* reserved bits that read as 1 */
#define DR6_WRITABLE  0x0000e00fu      /* B0-B3, BD, BS, BT */
#define DR7_GD        (1u << 13)
#define DR7_FIXED1    0x400u
#define DR7_WRITABLE  0xffff23ffu      /* L0-G3, LE, GE, GD, R/W0-LEN3 */

/* DR4/DR5: #UD with CR4.DE, else aliases of DR6/DR7; DR7.GD: #DB with DR6.BD. */
static int dr_access(CPUX86State *env, uint32_t reg, uintptr_t ra)
{
    if (reg == 4 || reg == 5) {
        if (env->cr[4] & CR4_DE_MASK) {
            x86_raise_exception(env, EXCP06_ILLOP, ra);
        }
        reg += 2;
    }
    if (env->dr[7] & DR7_GD) {
        /* General-detect fault (§17.2.4): GD is cleared so the handler can use DRs. */
        env->dr[7] &= ~(uint64_t)DR7_GD;
        env->dr[6] |= DR6_BD;
        x86_raise_exception(env, EXCP01_DB, ra);
    }
    return reg;
}

uint64_t helper_read_dr(CPUX86State *env, uint32_t reg)
{
    return env->dr[dr_access(env, reg, GETPC())];
}

void helper_write_dr(CPUX86State *env, uint32_t reg, uint64_t val)
{
    static bool bp_logged;
    uintptr_t ra = GETPC();
    int r = dr_access(env, reg, ra);

    if (r < 4) {
        env->dr[r] = val;
        return;
    }
    if (val >> 32) {
        gp0(env, ra);            /* DR6/DR7 bits 63:32 (64-bit mode) */
    }
    if (r == 6) {
        env->dr[6] = (val & DR6_WRITABLE) | DR6_FIXED1;
    } else {
        env->dr[7] = (val & DR7_WRITABLE) | DR7_FIXED1;
        if (val & 0xff) {
            log_once(&bp_logged, "hardware breakpoints (DR7 L0-G3) are not implemented: "
                                 "enabled breakpoints never trigger");
        }
    }
}

/* ---- TLB control (SDM vol. 3 §4.10.4.1) ---- */

void helper_invlpg(CPUX86State *env, uint64_t addr)
{
    /* A non-canonical address in 64-bit mode: no fault, nothing to do. */
    if (!(env->efer & EFER_LMA) || x86_is_canonical(addr)) {
        tlb_flush_page(CPU(x86_env_get_cpu(env)), addr);
    }
}

/*
 * INVPCID (SDM vol. 2): types 0 (one address, one PCID), 1 (one PCID,
 * not its global translations), 2 (all, with globals), 3 (all but globals).
 * The TLB is not tagged with PCIDs, so 0 drops the page for every PCID,
 * 1 and 3 every non-global entry, 2 everything.
 */
void helper_invpcid(CPUX86State *env, uint64_t type, uint64_t desc_lo, uint64_t desc_hi)
{
    uintptr_t ra = GETPC();
    CPUState *cs = CPU(x86_env_get_cpu(env));
    unsigned pcid = desc_lo & 0xfff;

    if (type > 3 || (desc_lo >> 12)) {
        gp0(env, ra);
    }
    if (type <= 1 && pcid && !(env->cr[4] & CR4_PCIDE_MASK)) {
        gp0(env, ra);
    }
    if (type == 0) {
        if (!x86_is_canonical(desc_hi)) {
            gp0(env, ra);
        }
        tlb_flush_page(cs, desc_hi);
    } else if (type == 2) {
        tlb_flush(cs);
    } else {
        tlb_flush_nonglobal(cs);
    }
}

/*
 * Fault like an access of @size bytes at linear @addr without touching it
 * (CLFLUSH, MONITOR, INS before the port read): @how = mmu_idx | write << 8.
 */
static void probe(CPUX86State *env, uint64_t addr, uint32_t size, uint32_t how,
                  uintptr_t ra)
{
    CPUState *cs = CPU(x86_env_get_cpu(env));
    MMUAccessType acc = (how >> 8) ? MMU_DATA_STORE : MMU_DATA_LOAD;
    int mmu_idx = how & 0xff;
    uint64_t last = addr + size - 1;

    if (!(env->hflags & HF_LMA_MASK)) {
        last = (uint32_t)last;
    }
    if (acc == MMU_DATA_STORE) {
        x86_check_alignment(env, addr, size, mmu_idx, ra);   /* INS: #AC before IN */
    }
    x86_cpu_tlb_fill(cs, addr, 1, acc, mmu_idx, false, ra);
    if ((last & TCG_PAGE_MASK) != (addr & TCG_PAGE_MASK)) {
        x86_cpu_tlb_fill(cs, last, 1, acc, mmu_idx, false, ra);
    }
}

void helper_probe(CPUX86State *env, uint64_t addr, uint32_t size, uint32_t how)
{
    probe(env, addr, size, how, GETPC());
}

/* ---- CLI/STI refused (SDM vol. 2 CLI/STI, vol. 3 §20.3 VME/PVI) ---- */

void helper_iopl_fault(CPUX86State *env)
{
    static bool vme_logged;
    uint64_t cr4 = env->cr[4];
    bool vm86 = env->rflags & RFLAGS_VM;

    if ((vm86 && (cr4 & CR4_VME_MASK)) ||
        (!vm86 && (env->hflags & HF_CPL_MASK) == 3 && (cr4 & CR4_PVI_MASK))) {
        log_once(&vme_logged, "CLI/STI through VIF (CR4.VME/PVI) is not implemented: #GP");
    }
    x86_raise_exception_err(env, EXCP0D_GPF, 0, 0);
}

/* ---- counters ---- */

void helper_rdtscp(CPUX86State *env)
{
    if ((env->cr[4] & CR4_TSD_MASK) && (env->hflags & HF_CPL_MASK)) {
        gp0(env, GETPC());
    }
    uint64_t tsc = x86_tsc_now(env);
    env->regs[R_EAX] = (uint32_t)tsc;
    env->regs[R_EDX] = tsc >> 32;
    env->regs[R_ECX] = (uint32_t)env->tsc_aux;
}

/* No performance counters are modelled (no CPUID leaf 0xA): every counter reads 0. */
void helper_rdpmc(CPUX86State *env)
{
    static bool logged;
    if (!(env->cr[4] & CR4_PCE_MASK) && (env->hflags & HF_CPL_MASK)) {
        gp0(env, GETPC());
    }
    log_once(&logged, "RDPMC: no performance counters, reading 0");
    env->regs[R_EAX] = 0;
    env->regs[R_EDX] = 0;
}

/* ---- XCR0 (SDM vol. 1 §13.3; vol. 2 XGETBV, XSETBV) ---- */

#define XSTATE_X87    (1ull << 0)
#define XSTATE_SSE    (1ull << 1)
#define XSTATE_AVX    (1ull << 2)
#define XSTATE_AVX512 (7ull << 5)      /* opmask, ZMM_Hi256, Hi16_ZMM */

/* The components CPUID.(0DH,0):EDX:EAX enumerates; x87+SSE without the leaf. */
static uint64_t xcr0_supported(X86CPU *cpu)
{
    const X86CPUIDEntry *e = x86_cpu_get_cpuid(cpu, 0xd, 0);
    if (!e) {
        return XSTATE_X87 | XSTATE_SSE;
    }
    return ((uint64_t)e->edx << 32 | e->eax) | XSTATE_X87;
}

void helper_xgetbv(CPUX86State *env)
{
    uintptr_t ra = GETPC();
    X86CPU *cpu = x86_env_get_cpu(env);
    uint64_t v;

    if (!(env->cr[4] & CR4_OSXSAVE_MASK)) {
        x86_raise_exception(env, EXCP06_ILLOP, ra);
    }
    switch ((uint32_t)env->regs[R_ECX]) {
    case 0:
        v = env->xcr0;
        break;
    case 1:
        /* XINUSE (with XGETBV1): "every enabled component may be in use" is allowed. */
        if (!x86_cpuid_has(cpu, 0xd, 1, 'a', 2)) {
            gp0(env, ra);
        }
        v = env->xcr0;
        break;
    default:
        gp0(env, ra);
    }
    env->regs[R_EAX] = (uint32_t)v;
    env->regs[R_EDX] = v >> 32;
}

void helper_xsetbv(CPUX86State *env)
{
    uintptr_t ra = GETPC();
    X86CPU *cpu = x86_env_get_cpu(env);
    uint64_t v = (uint32_t)env->regs[R_EAX] | (uint64_t)(uint32_t)env->regs[R_EDX] << 32;

    if (!(env->cr[4] & CR4_OSXSAVE_MASK)) {
        x86_raise_exception(env, EXCP06_ILLOP, ra);
    }
    if ((uint32_t)env->regs[R_ECX] != 0 || !(v & XSTATE_X87) ||
        (v & ~xcr0_supported(cpu)) ||
        ((v & XSTATE_AVX) && !(v & XSTATE_SSE)) ||
        ((v & XSTATE_AVX512) && ((v & XSTATE_AVX512) != XSTATE_AVX512 ||
                                 !(v & XSTATE_AVX)))) {
        gp0(env, ra);
    }
    env->xcr0 = v;
    x86_update_hflags(env);
}

/* ---- MONITOR/MWAIT (SDM vol. 2) ---- */

void helper_monitor(CPUX86State *env, uint64_t addr, uint32_t mmu_idx)
{
    uintptr_t ra = GETPC();
    if ((uint32_t)env->regs[R_ECX] != 0) {
        gp0(env, ra);            /* no MONITOR extensions */
    }
    probe(env, addr, 1, mmu_idx, ra);
}

/*
 * MWAIT is a no-op: the wait may end for reasons the guest cannot see, and
 * it loops. (As HLT it could sleep with IF = 0 through the "interrupt as
 * break event" extension, or miss another CPU's store to the monitored line.)
 */
void helper_mwait(CPUX86State *env)
{
    uint32_t ecx = env->regs[R_ECX];
    bool brk = x86_cpuid_has(x86_env_get_cpu(env), 5, 0, 'c', 1);
    if (ecx & ~(brk ? 1u : 0u)) {
        gp0(env, GETPC());
    }
}

/* ---- protection keys (SDM vol. 2 RDPKRU/WRPKRU) ---- */

void helper_rdpkru(CPUX86State *env)
{
    uintptr_t ra = GETPC();
    if (!(env->cr[4] & CR4_PKE_MASK)) {
        x86_raise_exception(env, EXCP06_ILLOP, ra);
    }
    if ((uint32_t)env->regs[R_ECX] != 0) {
        gp0(env, ra);
    }
    env->regs[R_EAX] = env->pkru;
    env->regs[R_EDX] = 0;
}

void helper_wrpkru(CPUX86State *env)
{
    uintptr_t ra = GETPC();
    if (!(env->cr[4] & CR4_PKE_MASK)) {
        x86_raise_exception(env, EXCP06_ILLOP, ra);
    }
    if ((uint32_t)env->regs[R_ECX] != 0 || (uint32_t)env->regs[R_EDX] != 0) {
        gp0(env, ra);
    }
    env->pkru = env->regs[R_EAX];
}
