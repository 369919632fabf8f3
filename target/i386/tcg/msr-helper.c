/*
 * RDMSR/WRMSR for TCG (SDM vol. 2 RDMSR/WRMSR; MSR list and reserved bits:
 * SDM vol. 4 ch. 2, Table 2-2). Every MSR exists only when CPUID enumerates
 * it; an unknown or absent MSR is #GP(0), logged under -d unimp with its
 * number, and so is a reserved bit or an invalid value. MTRRs, machine-check
 * banks and the speculation-control MSRs are stored with no effect.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/intc/apic.h"
#include "target/i386/tcg/sys-internal.h"
#include "target/i386/tcg/helper.h"

/* MSRs cpu.h does not name (SDM vol. 4 Table 2-2). */
#define MSR_IA32_PRED_CMD       0x49
#define MSR_PLATFORM_INFO       0xce
#define MSR_MTRRCAP             0xfe
#define MSR_MCG_CAP             0x179
#define MSR_IA32_DEBUGCTL       0x1d9
#define MSR_MTRR_PHYS_FIRST     0x200      /* PHYSBASE0, PHYSMASK0 .. PHYSMASK7 */
#define MSR_MTRR_PHYS_LAST      0x20f
#define MSR_MTRR_FIX64K_00000   0x250
#define MSR_MTRR_FIX16K_80000   0x258
#define MSR_MTRR_FIX16K_A0000   0x259
#define MSR_MTRR_FIX4K_C0000    0x268      /* .. 0x26f */
#define MSR_MTRR_DEF_TYPE       0x2ff
#define MSR_MC0_CTL             0x400

#define FEAT_CTL_LOCKED         (1u << 0)
#define MCG_CTL_P               (1u << 8)
#define MTRRCAP_VALUE           (8u | 1u << 8 | 1u << 10)   /* 8 variable, FIX, WC */

typedef enum { MSR_OK, MSR_REFUSED, MSR_UNKNOWN } MsrResult;

static bool has(X86CPU *cpu, uint32_t leaf, char reg, unsigned bit)
{
    return x86_cpuid_has(cpu, leaf, 0, reg, bit);
}

static bool has_mca(X86CPU *cpu)
{
    return has(cpu, 1, 'd', 7) && has(cpu, 1, 'd', 14);    /* MCE and MCA */
}

/* Memory types an MTRR may hold: UC, WC, WT, WP, WB (SDM vol. 3 §12.11.2). */
static bool mtrr_type_ok(uint64_t t)
{
    return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

static bool mtrr_types_ok(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        if (!mtrr_type_ok((v >> (8 * i)) & 0xff)) {
            return false;
        }
    }
    return true;
}

/* Each PAT entry: 3-bit type, not 2 or 3 (SDM vol. 3 §12.12.2). */
static bool pat_ok(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        uint64_t t = (v >> (8 * i)) & 0xff;
        if (t > 7 || t == 2 || t == 3) {
            return false;
        }
    }
    return true;
}

static int mtrr_fixed_index(uint32_t idx)
{
    if (idx == MSR_MTRR_FIX64K_00000) {
        return 0;
    }
    if (idx == MSR_MTRR_FIX16K_80000 || idx == MSR_MTRR_FIX16K_A0000) {
        return 1 + idx - MSR_MTRR_FIX16K_80000;
    }
    if (idx >= MSR_MTRR_FIX4K_C0000 && idx <= MSR_MTRR_FIX4K_C0000 + 7) {
        return 3 + idx - MSR_MTRR_FIX4K_C0000;
    }
    return -1;
}

static bool with_apic(X86CPU *cpu)
{
    return cpu->apic != NULL;
}

static MsrResult msr_read(CPUX86State *env, uint32_t idx, uint64_t *val)
{
    X86CPU *cpu = x86_env_get_cpu(env);
    bool lm = has(cpu, 0x80000001, 'd', 29);
    int fix;

    switch (idx) {
    case MSR_IA32_TSC:
        *val = x86_tsc_now(env);
        return MSR_OK;
    case MSR_IA32_TSC_ADJUST:
        if (!has(cpu, 7, 'b', 1)) {
            return MSR_UNKNOWN;
        }
        *val = env->tsc_adjust;
        return MSR_OK;
    case MSR_IA32_APICBASE:
        if (!with_apic(cpu)) {
            return MSR_UNKNOWN;
        } else {
            bool t = x86_bql_enter();
            *val = apic_get_base(cpu->apic);
            x86_bql_leave(t);
        }
        return MSR_OK;
    case MSR_IA32_TSC_DEADLINE:
        if (!with_apic(cpu) || !has(cpu, 1, 'c', 24)) {
            return MSR_UNKNOWN;
        } else {
            bool t = x86_bql_enter();
            *val = apic_get_tsc_deadline(cpu->apic);
            x86_bql_leave(t);
        }
        return MSR_OK;
    case MSR_X2APIC_BASE ... MSR_X2APIC_LAST:
        if (!with_apic(cpu)) {
            return MSR_UNKNOWN;
        } else {
            bool t = x86_bql_enter();
            bool ok = apic_msr_read(cpu->apic, idx, val);
            x86_bql_leave(t);
            return ok ? MSR_OK : MSR_REFUSED;
        }
    case MSR_EFER:
        *val = env->efer;
        return MSR_OK;
    case MSR_STAR:
        if (!lm && !has(cpu, 0x80000001, 'd', 11)) {
            return MSR_UNKNOWN;
        }
        *val = env->star;
        return MSR_OK;
    case MSR_LSTAR:
    case MSR_CSTAR:
    case MSR_FMASK:
    case MSR_FSBASE:
    case MSR_GSBASE:
    case MSR_KERNELGSBASE:
        if (!lm) {
            return MSR_UNKNOWN;
        }
        *val = idx == MSR_LSTAR ? env->lstar : idx == MSR_CSTAR ? env->cstar :
               idx == MSR_FMASK ? env->fmask : idx == MSR_FSBASE ? env->segs[R_FS].base :
               idx == MSR_GSBASE ? env->segs[R_GS].base : env->kernelgsbase;
        return MSR_OK;
    case MSR_IA32_SYSENTER_CS:
    case MSR_IA32_SYSENTER_ESP:
    case MSR_IA32_SYSENTER_EIP:
        if (!has(cpu, 1, 'd', 11)) {
            return MSR_UNKNOWN;
        }
        *val = idx == MSR_IA32_SYSENTER_CS ? env->sysenter_cs :
               idx == MSR_IA32_SYSENTER_ESP ? env->sysenter_esp : env->sysenter_eip;
        return MSR_OK;
    case MSR_TSC_AUX:
        if (!has(cpu, 0x80000001, 'd', 27) && !has(cpu, 7, 'c', 22)) {
            return MSR_UNKNOWN;
        }
        *val = env->tsc_aux;
        return MSR_OK;
    case MSR_PAT:
        if (!has(cpu, 1, 'd', 16)) {
            return MSR_UNKNOWN;
        }
        *val = env->pat;
        return MSR_OK;
    case MSR_IA32_MISC_ENABLE:
        *val = env->misc_enable;
        return MSR_OK;
    case MSR_IA32_UCODE_REV:
        *val = env->ucode_rev;
        return MSR_OK;
    case MSR_IA32_FEATURE_CONTROL:
        /* Locked with VMX off, as firmware leaves it: there is no VMX here. */
        *val = FEAT_CTL_LOCKED;
        return MSR_OK;
    case MSR_PLATFORM_INFO:
        *val = 0;                /* no ratios, no CPUID faulting */
        return MSR_OK;
    case MSR_IA32_DEBUGCTL:
        *val = 0;
        return MSR_OK;
    case MSR_IA32_SPEC_CTRL:
        if (!has(cpu, 7, 'd', 26) && !has(cpu, 0x80000008, 'b', 14) &&
            !has(cpu, 0x80000008, 'b', 24)) {
            return MSR_UNKNOWN;
        }
        *val = env->spec_ctrl;
        return MSR_OK;
    case MSR_IA32_ARCH_CAPABILITIES:
        if (!has(cpu, 7, 'd', 29)) {
            return MSR_UNKNOWN;
        }
        *val = env->arch_capabilities;
        return MSR_OK;
    case MSR_IA32_PERF_CAPABILITIES:
        if (!has(cpu, 1, 'c', 15)) {
            return MSR_UNKNOWN;
        }
        *val = env->perf_capabilities;
        return MSR_OK;
    case MSR_MTRRCAP:
        if (!has(cpu, 1, 'd', 12)) {
            return MSR_UNKNOWN;
        }
        *val = MTRRCAP_VALUE;
        return MSR_OK;
    case MSR_MTRR_DEF_TYPE:
        if (!has(cpu, 1, 'd', 12)) {
            return MSR_UNKNOWN;
        }
        *val = env->mtrr_deftype;
        return MSR_OK;
    case MSR_MTRR_PHYS_FIRST ... MSR_MTRR_PHYS_LAST:
        if (!has(cpu, 1, 'd', 12)) {
            return MSR_UNKNOWN;
        }
        *val = env->mtrr_var[idx - MSR_MTRR_PHYS_FIRST];
        return MSR_OK;
    case MSR_MCG_CAP:
        if (!has_mca(cpu)) {
            return MSR_UNKNOWN;
        }
        *val = MCG_CTL_P | X86_MCE_BANKS;
        return MSR_OK;
    case MSR_MCG_CTL:
        if (!has_mca(cpu)) {
            return MSR_UNKNOWN;
        }
        *val = env->mcg_ctl;
        return MSR_OK;
    case MSR_MCG_STATUS:
        if (!has_mca(cpu)) {
            return MSR_UNKNOWN;
        }
        *val = env->mcg_status;
        return MSR_OK;
    case MSR_MC0_CTL ... MSR_MC0_CTL + 4 * X86_MCE_BANKS - 1:
        if (!has_mca(cpu)) {
            return MSR_UNKNOWN;
        }
        *val = env->mce_banks[idx - MSR_MC0_CTL];
        return MSR_OK;
    default:
        fix = mtrr_fixed_index(idx);
        if (fix >= 0 && has(cpu, 1, 'd', 12)) {
            *val = env->mtrr_fixed[fix];
            return MSR_OK;
        }
        return MSR_UNKNOWN;
    }
}

static MsrResult msr_write(CPUX86State *env, uint32_t idx, uint64_t val, uintptr_t ra)
{
    X86CPU *cpu = x86_env_get_cpu(env);
    bool lm = has(cpu, 0x80000001, 'd', 29);
    int fix;

    switch (idx) {
    case MSR_IA32_TSC:
        /* TSC_ADJUST moves by the same amount (SDM vol. 3 §17.17.3). */
        env->tsc_adjust += val - x86_tsc_now(env);
        goto tsc_changed;
    case MSR_IA32_TSC_ADJUST:
        if (!has(cpu, 7, 'b', 1)) {
            return MSR_UNKNOWN;
        }
        env->tsc_adjust = val;
    tsc_changed:
        if (cpu->apic) {
            bool t = x86_bql_enter();
            apic_tsc_changed(cpu->apic);
            x86_bql_leave(t);
        }
        return MSR_OK;
    case MSR_IA32_APICBASE:
        if (!with_apic(cpu)) {
            return MSR_UNKNOWN;
        }
        /* Address bits above MAXPHYADDR; x2APIC mode only when enumerated. */
        if (x86_paddr_reserved(cpu, val & APIC_BASE_ADDR_MASK) ||
            ((val & APIC_BASE_EXTD) && !has(cpu, 1, 'c', 21))) {
            return MSR_REFUSED;
        } else {
            bool t = x86_bql_enter();
            bool ok = apic_set_base(cpu->apic, val);
            env->apic_base = apic_get_base(cpu->apic);
            x86_bql_leave(t);
            if (!ok) {
                return MSR_REFUSED;
            }
        }
        /* The APIC page may have moved or (dis)appeared under cached translations. */
        tlb_flush(CPU(cpu));
        return MSR_OK;
    case MSR_IA32_TSC_DEADLINE:
        if (!with_apic(cpu) || !has(cpu, 1, 'c', 24)) {
            return MSR_UNKNOWN;
        } else {
            bool t = x86_bql_enter();
            apic_set_tsc_deadline(cpu->apic, val);
            x86_bql_leave(t);
        }
        return MSR_OK;
    case MSR_X2APIC_BASE ... MSR_X2APIC_LAST:
        if (!with_apic(cpu)) {
            return MSR_UNKNOWN;
        } else {
            bool t = x86_bql_enter();
            bool ok = apic_msr_write(cpu->apic, idx, val);
            x86_bql_leave(t);
            return ok ? MSR_OK : MSR_REFUSED;
        }
    case MSR_EFER:
        x86_write_efer(env, val, ra);
        return MSR_OK;
    case MSR_STAR:
        if (!lm && !has(cpu, 0x80000001, 'd', 11)) {
            return MSR_UNKNOWN;
        }
        env->star = val;
        return MSR_OK;
    case MSR_LSTAR:
    case MSR_CSTAR:
    case MSR_FSBASE:
    case MSR_GSBASE:
    case MSR_KERNELGSBASE:
        if (!lm) {
            return MSR_UNKNOWN;
        }
        if (!x86_is_canonical(val)) {
            return MSR_REFUSED;
        }
        if (idx == MSR_LSTAR) {
            env->lstar = val;
        } else if (idx == MSR_CSTAR) {
            env->cstar = val;
        } else if (idx == MSR_FSBASE) {
            env->segs[R_FS].base = val;
        } else if (idx == MSR_GSBASE) {
            env->segs[R_GS].base = val;
        } else {
            env->kernelgsbase = val;
        }
        return MSR_OK;
    case MSR_FMASK:
        if (!lm) {
            return MSR_UNKNOWN;
        }
        if (val >> 32) {
            return MSR_REFUSED;
        }
        env->fmask = val;
        return MSR_OK;
    case MSR_IA32_SYSENTER_CS:
        if (!has(cpu, 1, 'd', 11)) {
            return MSR_UNKNOWN;
        }
        env->sysenter_cs = val;
        return MSR_OK;
    case MSR_IA32_SYSENTER_ESP:
    case MSR_IA32_SYSENTER_EIP:
        if (!has(cpu, 1, 'd', 11)) {
            return MSR_UNKNOWN;
        }
        if (!x86_is_canonical(val)) {
            return MSR_REFUSED;
        }
        *(idx == MSR_IA32_SYSENTER_ESP ? &env->sysenter_esp : &env->sysenter_eip) = val;
        return MSR_OK;
    case MSR_TSC_AUX:
        if (!has(cpu, 0x80000001, 'd', 27) && !has(cpu, 7, 'c', 22)) {
            return MSR_UNKNOWN;
        }
        if (val >> 32) {
            return MSR_REFUSED;
        }
        env->tsc_aux = val;
        return MSR_OK;
    case MSR_PAT:
        if (!has(cpu, 1, 'd', 16)) {
            return MSR_UNKNOWN;
        }
        if (!pat_ok(val)) {
            return MSR_REFUSED;
        }
        env->pat = val;
        return MSR_OK;
    case MSR_IA32_MISC_ENABLE:
        env->misc_enable = val;
        return MSR_OK;
    case MSR_IA32_UCODE_REV:
        return MSR_OK;           /* "write 0, then CPUID, then read": the value stays */
    case MSR_IA32_DEBUGCTL:
        if (val) {
            static bool logged;
            if (!logged) {
                logged = true;
                emu_log_mask(LOG_UNIMP, "x86 tcg: IA32_DEBUGCTL 0x%" PRIx64
                             " (LBR/BTF) is not implemented: ignored\n", val);
            }
        }
        return MSR_OK;
    case MSR_IA32_SPEC_CTRL:
        if (!has(cpu, 7, 'd', 26) && !has(cpu, 0x80000008, 'b', 14) &&
            !has(cpu, 0x80000008, 'b', 24)) {
            return MSR_UNKNOWN;
        }
        if (val & ~7ull) {       /* IBRS, STIBP, SSBD */
            return MSR_REFUSED;
        }
        env->spec_ctrl = val;
        return MSR_OK;
    case MSR_IA32_PRED_CMD:
        /* Write-only IBPB command. */
        if (!has(cpu, 7, 'd', 26) && !has(cpu, 0x80000008, 'b', 12)) {
            return MSR_UNKNOWN;
        }
        return val & ~1ull ? MSR_REFUSED : MSR_OK;
    case MSR_IA32_FEATURE_CONTROL:
    case MSR_PLATFORM_INFO:
    case MSR_IA32_ARCH_CAPABILITIES:
    case MSR_IA32_PERF_CAPABILITIES:
    case MSR_MTRRCAP:
    case MSR_MCG_CAP:
        return MSR_REFUSED;      /* read-only (FEATURE_CONTROL: locked) */
    case MSR_MTRR_DEF_TYPE:
        if (!has(cpu, 1, 'd', 12)) {
            return MSR_UNKNOWN;
        }
        if ((val & ~0xcffull) || !mtrr_type_ok(val & 0xff)) {
            return MSR_REFUSED;
        }
        env->mtrr_deftype = val;
        return MSR_OK;
    case MSR_MTRR_PHYS_FIRST ... MSR_MTRR_PHYS_LAST:
        if (!has(cpu, 1, 'd', 12)) {
            return MSR_UNKNOWN;
        }
        if (x86_paddr_reserved(cpu, val)) {
            return MSR_REFUSED;
        }
        if (!(idx & 1) ? ((val & 0xf00) || !mtrr_type_ok(val & 0xff)) : (val & 0x7ff)) {
            return MSR_REFUSED;  /* PHYSBASE: type, 11:8 reserved; PHYSMASK: 10:0 */
        }
        env->mtrr_var[idx - MSR_MTRR_PHYS_FIRST] = val;
        return MSR_OK;
    case MSR_MCG_CTL:
        if (!has_mca(cpu)) {
            return MSR_UNKNOWN;
        }
        if (val != 0 && val != ~0ull) {
            return MSR_REFUSED;
        }
        env->mcg_ctl = val;
        return MSR_OK;
    case MSR_MCG_STATUS:
        if (!has_mca(cpu)) {
            return MSR_UNKNOWN;
        }
        env->mcg_status = val;
        return MSR_OK;
    case MSR_MC0_CTL ... MSR_MC0_CTL + 4 * X86_MCE_BANKS - 1: {
        unsigned off = idx - MSR_MC0_CTL;
        if (!has_mca(cpu)) {
            return MSR_UNKNOWN;
        }
        /*
         * MCi_CTL: all zeros or all ones, except that bit 10 may be cleared
         * (Linux does so for the AMD K8 GART erratum, as KVM allows);
         * MCi_STATUS: only 0 may be written (SDM vol. 3 §15.3.2).
         */
        if ((off & 3) == 0 && val != 0 && (val | (1ull << 10)) != ~0ull) {
            return MSR_REFUSED;
        }
        if ((off & 3) == 1 && val != 0) {
            return MSR_REFUSED;
        }
        env->mce_banks[off] = val;
        return MSR_OK;
    }
    default:
        fix = mtrr_fixed_index(idx);
        if (fix >= 0 && has(cpu, 1, 'd', 12)) {
            if (!mtrr_types_ok(val)) {
                return MSR_REFUSED;
            }
            env->mtrr_fixed[fix] = val;
            return MSR_OK;
        }
        return MSR_UNKNOWN;
    }
}

void helper_rdmsr(CPUX86State *env)
{
    uint32_t idx = env->regs[R_ECX];
    uint64_t val = 0;
    MsrResult r = msr_read(env, idx, &val);

    if (r != MSR_OK) {
        if (r == MSR_UNKNOWN) {
            emu_log_mask(LOG_UNIMP, "x86 tcg: rdmsr 0x%x: unknown MSR: #GP\n", idx);
        }
        x86_raise_exception_err(env, EXCP0D_GPF, 0, GETPC());
    }
    env->regs[R_EAX] = (uint32_t)val;
    env->regs[R_EDX] = val >> 32;
}

void helper_wrmsr(CPUX86State *env)
{
    uintptr_t ra = GETPC();
    uint32_t idx = env->regs[R_ECX];
    uint64_t val = (uint32_t)env->regs[R_EAX] | (uint64_t)(uint32_t)env->regs[R_EDX] << 32;
    MsrResult r = msr_write(env, idx, val, ra);

    if (r != MSR_OK) {
        emu_log_mask(r == MSR_UNKNOWN ? LOG_UNIMP : LOG_GUEST_ERROR,
                     "x86 tcg: wrmsr 0x%x <- 0x%" PRIx64 ": %s: #GP\n", idx, val,
                     r == MSR_UNKNOWN ? "unknown MSR" : "invalid value");
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
}
