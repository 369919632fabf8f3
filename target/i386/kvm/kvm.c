/*
 * x86 under KVM: supported CPUID and MSR lists, per-vCPU CPUID and MSR set-up,
 * and moving the register state between CPUX86State and KVM (regs, sregs,
 * XSAVE, XCRs, MSRs, LAPIC, vcpu events, debug registers, mp_state).
 *
 * MSRs. Only MSRs KVM lists in KVM_GET_MSR_INDEX_LIST (and feature MSRs from
 * KVM_GET_MSR_FEATURE_INDEX_LIST) are touched. Each vCPU probes its list once
 * with KVM_SET_MSRS before it first runs; an MSR KVM refuses is dropped, and if
 * a CPUID feature announced it, the feature goes too: the guest never sees a
 * feature whose MSR does not work, and emu never aborts on it.
 */
#include "system/kvm-int.h"
#include "system/kvm.h"
#include "target/i386/cpu.h"
#include "target/i386/kvm/kvm_i386.h"
#include "util/log.h"
#include <sys/ioctl.h>

/* Where KVM's real-mode helpers live on Intel (TSS: 3 pages, identity map: 1). */
#define KVM_TSS_ADDR 0xfeffd000
#define KVM_IDENTITY_MAP_ADDR 0xfeffc000

static struct kvm_cpuid2 *supported_cpuid;
static uint32_t *msr_index_list;
static int nr_msr_index;
static struct kvm_msr_entry *feature_msrs;   /* index + host value */
static int nr_feature_msrs;

static struct kvm_cpuid2 *get_supported_cpuid(KVMState *s)
{
    int n = 64;
    for (;;) {
        struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) + n * sizeof(c->entries[0]));
        c->nent = n;
        int r = kvm_ioctl(s, KVM_GET_SUPPORTED_CPUID, c);
        if (r == -E2BIG && n < 4096) {
            g_free(c);
            n *= 2;
            continue;
        }
        if (r < 0) {
            g_free(c);
            return NULL;
        }
        return c;
    }
}

bool kvm_x86_get_supported_cpuid(uint32_t function, uint32_t index, X86CPUIDEntry *out)
{
    if (!supported_cpuid) {
        return false;
    }
    for (uint32_t i = 0; i < supported_cpuid->nent; i++) {
        struct kvm_cpuid_entry2 *e = &supported_cpuid->entries[i];
        bool indexed = e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
        if (e->function == function && (!indexed || e->index == index)) {
            *out = (X86CPUIDEntry) {
                .function = function, .index = index, .indexed = indexed,
                .eax = e->eax, .ebx = e->ebx, .ecx = e->ecx, .edx = e->edx,
            };
            if (!kvm_irqchip_in_kernel()) {
                kvm_x86_filter_user_irqchip_cpuid(out);
            }
            return true;
        }
    }
    return false;
}

static uint32_t *get_msr_list(KVMState *s, unsigned long ioctl_nr, int *count)
{
    struct kvm_msr_list probe = { .nmsrs = 0 };
    int r = kvm_ioctl(s, ioctl_nr, &probe);
    if (r < 0 && r != -E2BIG) {
        *count = 0;
        return NULL;
    }
    struct kvm_msr_list *l = g_malloc0(sizeof(*l) + probe.nmsrs * sizeof(uint32_t));
    l->nmsrs = probe.nmsrs;
    r = kvm_ioctl(s, ioctl_nr, l);
    if (r < 0) {
        g_free(l);
        *count = 0;
        return NULL;
    }
    uint32_t *out = g_memdup2(l->indices, l->nmsrs * sizeof(uint32_t));
    *count = l->nmsrs;
    g_free(l);
    return out;
}

static bool kvm_has_msr(uint32_t index)
{
    for (int i = 0; i < nr_msr_index; i++) {
        if (msr_index_list[i] == index) {
            return true;
        }
    }
    for (int i = 0; i < nr_feature_msrs; i++) {
        if (feature_msrs[i].index == index) {
            return true;
        }
    }
    return false;
}

static bool feature_msr_value(uint32_t index, uint64_t *value)
{
    for (int i = 0; i < nr_feature_msrs; i++) {
        if (feature_msrs[i].index == index) {
            *value = feature_msrs[i].data;
            return true;
        }
    }
    return false;
}

bool kvm_arch_init(KVMState *s, MachineState *ms, Error **errp)
{
    int r = kvm_vm_ioctl(s, KVM_SET_TSS_ADDR, (void *)(uintptr_t)KVM_TSS_ADDR);
    if (r < 0) {
        error_setg(errp, "KVM_SET_TSS_ADDR: %s", g_strerror(-r));
        return false;
    }
    if (kvm_check_extension(s, KVM_CAP_SET_IDENTITY_MAP_ADDR)) {
        uint64_t addr = KVM_IDENTITY_MAP_ADDR;
        r = kvm_vm_ioctl(s, KVM_SET_IDENTITY_MAP_ADDR, &addr);
        if (r < 0) {
            error_setg(errp, "KVM_SET_IDENTITY_MAP_ADDR: %s", g_strerror(-r));
            return false;
        }
    }
    g_free(supported_cpuid);
    supported_cpuid = get_supported_cpuid(s);
    if (!supported_cpuid) {
        error_setg(errp, "KVM_GET_SUPPORTED_CPUID failed");
        return false;
    }
    g_free(msr_index_list);
    msr_index_list = get_msr_list(s, KVM_GET_MSR_INDEX_LIST, &nr_msr_index);
    if (!msr_index_list) {
        error_setg(errp, "KVM_GET_MSR_INDEX_LIST failed");
        return false;
    }
    g_free(feature_msrs);
    feature_msrs = NULL;
    nr_feature_msrs = 0;
    if (kvm_check_extension(s, KVM_CAP_GET_MSR_FEATURES)) {
        int n;
        g_autofree uint32_t *idx = get_msr_list(s, KVM_GET_MSR_FEATURE_INDEX_LIST, &n);
        if (idx && n) {
            struct kvm_msrs *m = g_malloc0(sizeof(*m) + n * sizeof(m->entries[0]));
            m->nmsrs = n;
            for (int i = 0; i < n; i++) {
                m->entries[i].index = idx[i];
            }
            /* Values on /dev/kvm itself: what KVM lets guests see by default. */
            r = kvm_ioctl(s, KVM_GET_MSRS, m);
            if (r > 0) {
                nr_feature_msrs = r;
                feature_msrs = g_memdup2(m->entries, r * sizeof(m->entries[0]));
            }
            g_free(m);
        }
    }
    emu_log_mask(LOG_BOOT, "kvm: %u CPUID leaves, %d MSRs, %d feature MSRs supported\n",
                 supported_cpuid->nent, nr_msr_index, nr_feature_msrs);
    return true;
}

unsigned long kvm_arch_vcpu_id(CPUState *cpu)
{
    /* KVM's vCPU id is the initial APIC ID the in-kernel LAPIC reports. */
    return X86_CPU(cpu)->apic_id;
}

/* ---- CPUID ---- */

static int set_cpuid(CPUState *cs)
{
    X86CPU *cpu = X86_CPU(cs);
    struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) + cpu->nr_cpuid * sizeof(c->entries[0]));
    c->nent = cpu->nr_cpuid;
    for (int i = 0; i < cpu->nr_cpuid; i++) {
        const X86CPUIDEntry *e = &cpu->cpuid[i];
        c->entries[i] = (struct kvm_cpuid_entry2) {
            .function = e->function,
            .index = e->index,
            .flags = e->indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
            .eax = e->eax, .ebx = e->ebx, .ecx = e->ecx, .edx = e->edx,
        };
    }
    int r = kvm_vcpu_ioctl(cs, KVM_SET_CPUID2, c);
    g_free(c);
    return r;
}

static bool cpuid_has(X86CPU *cpu, uint32_t fn, uint32_t idx, char reg, uint32_t bit)
{
    const X86CPUIDEntry *e = x86_cpu_get_cpuid(cpu, fn, idx);
    if (!e) {
        return false;
    }
    uint32_t v = reg == 'a' ? e->eax : reg == 'b' ? e->ebx : reg == 'c' ? e->ecx : e->edx;
    return (v & bit) != 0;
}

/* ---- MSRs ---- */

typedef struct MsrDesc {
    uint32_t index;
    size_t offset;             /* in CPUX86State */
    /* The CPUID feature announcing it (0 function: always wanted). */
    uint32_t fn, idx;
    char reg;
    uint32_t bit;
    bool feature_msr;          /* read-only to the guest; drop the feature if refused */
    bool reset_only;           /* not written back at runtime-level puts (TSC) */
} MsrDesc;

#define ENV(f) offsetof(CPUX86State, f)
static const MsrDesc msr_descs[] = {
    { MSR_IA32_TSC, ENV(tsc), .reset_only = true },
    { MSR_IA32_SYSENTER_CS, ENV(sysenter_cs) },
    { MSR_IA32_SYSENTER_ESP, ENV(sysenter_esp) },
    { MSR_IA32_SYSENTER_EIP, ENV(sysenter_eip) },
    { MSR_PAT, ENV(pat) },
    { MSR_IA32_MISC_ENABLE, ENV(misc_enable) },
    { MSR_STAR, ENV(star), 0x80000001, 0, 'd', CPUID_80000001_EDX_LM },
    { MSR_LSTAR, ENV(lstar), 0x80000001, 0, 'd', CPUID_80000001_EDX_LM },
    { MSR_CSTAR, ENV(cstar), 0x80000001, 0, 'd', CPUID_80000001_EDX_LM },
    { MSR_FMASK, ENV(fmask), 0x80000001, 0, 'd', CPUID_80000001_EDX_LM },
    { MSR_KERNELGSBASE, ENV(kernelgsbase), 0x80000001, 0, 'd', CPUID_80000001_EDX_LM },
    { MSR_TSC_AUX, ENV(tsc_aux), 0x80000001, 0, 'd', CPUID_80000001_EDX_RDTSCP },
    { MSR_IA32_TSC_ADJUST, ENV(tsc_adjust), 7, 0, 'b', 1u << 1, .reset_only = true },
    { MSR_IA32_TSC_DEADLINE, ENV(tsc_deadline), 1, 0, 'c', CPUID_1_ECX_TSC_DEADLINE },
    { MSR_IA32_SPEC_CTRL, ENV(spec_ctrl), 7, 0, 'd', CPUID_7_0_EDX_SPEC_CTRL },
    { MSR_KVM_SYSTEM_TIME_NEW, ENV(system_time_msr), KVM_CPUID_FEATURES, 0, 'a', 1u << 3 },
    { MSR_KVM_WALL_CLOCK_NEW, ENV(wall_clock_msr), KVM_CPUID_FEATURES, 0, 'a', 1u << 3 },
    { MSR_KVM_ASYNC_PF_EN, ENV(async_pf_en_msr), KVM_CPUID_FEATURES, 0, 'a', 1u << 4 },
    { MSR_KVM_STEAL_TIME, ENV(steal_time_msr), KVM_CPUID_FEATURES, 0, 'a', 1u << 5 },
    { MSR_KVM_PV_EOI_EN, ENV(pv_eoi_en_msr), KVM_CPUID_FEATURES, 0, 'a', 1u << 6 },
    { MSR_KVM_POLL_CONTROL, ENV(poll_control_msr), KVM_CPUID_FEATURES, 0, 'a', 1u << 12 },
    { MSR_KVM_ASYNC_PF_INT, ENV(async_pf_int_msr), KVM_CPUID_FEATURES, 0, 'a', 1u << 14 },
    { MSR_IA32_ARCH_CAPABILITIES, ENV(arch_capabilities), 7, 0, 'd',
      CPUID_7_0_EDX_ARCH_CAPABILITIES, .feature_msr = true },
};

static const MsrDesc *msr_desc(uint32_t index)
{
    for (size_t i = 0; i < ARRAY_SIZE(msr_descs); i++) {
        if (msr_descs[i].index == index) {
            return &msr_descs[i];
        }
    }
    return NULL;
}

static uint64_t *msr_field(CPUX86State *env, const MsrDesc *d)
{
    return (uint64_t *)((uint8_t *)env + d->offset);
}

static struct kvm_msrs *msrs_alloc(int n)
{
    struct kvm_msrs *m = g_malloc0(sizeof(*m) + n * sizeof(m->entries[0]));
    m->nmsrs = n;
    return m;
}

/* Drop MSR list[@i]; a feature MSR takes its CPUID feature with it. */
static void drop_msr(CPUState *cs, int i, const char *why)
{
    AccelCPUState *a = cs->accel;
    const MsrDesc *d = msr_desc(a->msrs[i]);
    emu_log_mask(LOG_BOOT, "kvm: CPU %d: MSR %#x %s: not used\n", cs->cpu_index,
                 a->msrs[i], why);
    if (d && d->fn && (d->feature_msr || d->bit)) {
        x86_cpu_clear_cpuid_bits(X86_CPU(cs), d->fn, d->idx, d->reg, d->bit, why);
        set_cpuid(cs);
    }
    a->msrs[i] = a->msrs[--a->nr_msrs];
}

static bool setup_msrs(CPUState *cs, Error **errp)
{
    X86CPU *cpu = X86_CPU(cs);
    CPUX86State *env = &cpu->env;
    AccelCPUState *a = cs->accel;

    a->msrs = g_new0(uint32_t, ARRAY_SIZE(msr_descs));
    a->nr_msrs = 0;
    for (size_t i = 0; i < ARRAY_SIZE(msr_descs); i++) {
        const MsrDesc *d = &msr_descs[i];
        if (d->fn && !cpuid_has(cpu, d->fn, d->idx, d->reg, d->bit)) {
            continue;
        }
        if (!kvm_has_msr(d->index)) {
            if (d->fn && d->bit) {
                /* A feature whose MSR KVM cannot save would break migration and reset. */
                x86_cpu_clear_cpuid_bits(cpu, d->fn, d->idx, d->reg, d->bit,
                                         "its MSR is not in KVM's list");
                set_cpuid(cs);
            }
            continue;
        }
        if (d->feature_msr) {
            uint64_t v = 0;
            feature_msr_value(d->index, &v);
            *msr_field(env, d) = v;
        }
        a->msrs[a->nr_msrs++] = d->index;
    }

    /* Probe: KVM_SET_MSRS stops at the first MSR it refuses and says how many it set. */
    for (int tries = 0; a->nr_msrs && tries < (int)ARRAY_SIZE(msr_descs); tries++) {
        struct kvm_msrs *m = msrs_alloc(a->nr_msrs);
        for (int i = 0; i < a->nr_msrs; i++) {
            m->entries[i].index = a->msrs[i];
            m->entries[i].data = *msr_field(env, msr_desc(a->msrs[i]));
        }
        int r = kvm_vcpu_ioctl(cs, KVM_SET_MSRS, m);
        g_free(m);
        if (r < 0) {
            error_setg(errp, "KVM_SET_MSRS: %s", g_strerror(-r));
            return false;
        }
        if (r >= a->nr_msrs) {
            break;
        }
        drop_msr(cs, r, "refused by KVM");
    }
    return true;
}

static int put_msrs(CPUState *cs, int level)
{
    CPUX86State *env = cpu_env(cs);
    AccelCPUState *a = cs->accel;
    struct kvm_msrs *m = msrs_alloc(a->nr_msrs);
    int n = 0;
    for (int i = 0; i < a->nr_msrs; i++) {
        const MsrDesc *d = msr_desc(a->msrs[i]);
        if (d->reset_only && level < KVM_PUT_RESET_STATE) {
            continue;
        }
        m->entries[n].index = d->index;
        m->entries[n].data = *msr_field(env, d);
        n++;
    }
    m->nmsrs = n;
    int r = kvm_vcpu_ioctl(cs, KVM_SET_MSRS, m);
    if (r >= 0 && r < n) {
        emu_log_mask(LOG_GUEST_ERROR, "kvm: CPU %d: KVM refused MSR %#x = %#llx\n",
                     cs->cpu_index, m->entries[r].index, m->entries[r].data);
    }
    g_free(m);
    return r < 0 ? r : 0;
}

static int get_msrs(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    AccelCPUState *a = cs->accel;
    struct kvm_msrs *m = msrs_alloc(a->nr_msrs);
    for (int i = 0; i < a->nr_msrs; i++) {
        m->entries[i].index = a->msrs[i];
    }
    int r = kvm_vcpu_ioctl(cs, KVM_GET_MSRS, m);
    for (int i = 0; i < r; i++) {
        *msr_field(env, msr_desc(m->entries[i].index)) = m->entries[i].data;
    }
    g_free(m);
    return r < 0 ? r : 0;
}

/* ---- vCPU set-up ---- */

bool kvm_arch_init_vcpu(CPUState *cs, Error **errp)
{
    KVMState *s = kvm_state;
    X86CPU *cpu = X86_CPU(cs);
    CPUX86State *env = &cpu->env;
    AccelCPUState *a = cs->accel;

    int r = set_cpuid(cs);
    if (r < 0) {
        error_setg(errp, "KVM_SET_CPUID2 (CPU %d): %s", cs->cpu_index, g_strerror(-r));
        return false;
    }
    if (s->xsave2_size > (int)env->xsave_size) {
        /* Larger than the inline image: KVM (never TCG) uses a heap copy. */
        env->xsave = env->xsave == env->xsave_area ? g_malloc(s->xsave2_size)
                                                     : g_realloc(env->xsave, s->xsave2_size);
        env->xsave_size = s->xsave2_size;
        x86_xsave_reset(env);
    }
    if (!setup_msrs(cs, errp)) {
        return false;
    }
    struct kvm_lapic_state lapic;
    if (kvm_irqchip_in_kernel() && kvm_vcpu_ioctl(cs, KVM_GET_LAPIC, &lapic) == 0) {
        /* Right after KVM_CREATE_VCPU the LAPIC is in its power-on state. */
        memcpy(a->reset_lapic, lapic.regs, sizeof(a->reset_lapic));
        a->reset_lapic_valid = true;
    }
    r = kvm_vcpu_ioctl(cs, KVM_GET_TSC_KHZ, NULL);
    env->tsc_khz = r > 0 ? r : 0;
    if (cs->cpu_index == 0) {
        emu_log_mask(LOG_BOOT, "kvm: CPU 0: TSC %" PRIu64 " kHz, %d MSRs synced, XSAVE "
                     "image %u bytes\n", env->tsc_khz, a->nr_msrs, env->xsave_size);
    }
    return true;
}

void kvm_arch_destroy_vcpu(CPUState *cs)
{
}

/* ---- registers ---- */

static void seg_to_kvm(struct kvm_segment *l, const SegmentCache *r)
{
    uint32_t f = r->flags;
    memset(l, 0, sizeof(*l));
    l->selector = r->selector;
    l->base = r->base;
    l->limit = r->limit;
    l->type = (f & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT;
    l->present = (f & DESC_P_MASK) != 0;
    l->dpl = (f & DESC_DPL_MASK) >> DESC_DPL_SHIFT;
    l->db = (f & DESC_B_MASK) != 0;
    l->s = (f & DESC_S_MASK) != 0;
    l->l = (f & DESC_L_MASK) != 0;
    l->g = (f & DESC_G_MASK) != 0;
    l->avl = (f & DESC_AVL_MASK) != 0;
    l->unusable = !l->present;
}

static void seg_from_kvm(SegmentCache *r, const struct kvm_segment *l)
{
    r->selector = l->selector;
    r->base = l->base;
    r->limit = l->limit;
    r->flags = (uint32_t)l->type << DESC_TYPE_SHIFT |
               (l->present && !l->unusable ? DESC_P_MASK : 0) |
               (uint32_t)l->dpl << DESC_DPL_SHIFT |
               (l->db ? DESC_B_MASK : 0) | (l->s ? DESC_S_MASK : 0) |
               (l->l ? DESC_L_MASK : 0) | (l->g ? DESC_G_MASK : 0) |
               (l->avl ? DESC_AVL_MASK : 0);
}

static int put_regs(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    struct kvm_regs r = {
        .rax = env->regs[R_EAX], .rbx = env->regs[R_EBX], .rcx = env->regs[R_ECX],
        .rdx = env->regs[R_EDX], .rsi = env->regs[R_ESI], .rdi = env->regs[R_EDI],
        .rsp = env->regs[R_ESP], .rbp = env->regs[R_EBP],
        .r8 = env->regs[R_R8], .r9 = env->regs[R_R9], .r10 = env->regs[R_R10],
        .r11 = env->regs[R_R11], .r12 = env->regs[R_R12], .r13 = env->regs[R_R13],
        .r14 = env->regs[R_R14], .r15 = env->regs[R_R15],
        .rip = env->rip, .rflags = env->rflags,
    };
    return kvm_vcpu_ioctl(cs, KVM_SET_REGS, &r);
}

static int get_regs(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    struct kvm_regs r;
    int ret = kvm_vcpu_ioctl(cs, KVM_GET_REGS, &r);
    if (ret < 0) {
        return ret;
    }
    env->regs[R_EAX] = r.rax;
    env->regs[R_EBX] = r.rbx;
    env->regs[R_ECX] = r.rcx;
    env->regs[R_EDX] = r.rdx;
    env->regs[R_ESI] = r.rsi;
    env->regs[R_EDI] = r.rdi;
    env->regs[R_ESP] = r.rsp;
    env->regs[R_EBP] = r.rbp;
    env->regs[R_R8] = r.r8;
    env->regs[R_R9] = r.r9;
    env->regs[R_R10] = r.r10;
    env->regs[R_R11] = r.r11;
    env->regs[R_R12] = r.r12;
    env->regs[R_R13] = r.r13;
    env->regs[R_R14] = r.r14;
    env->regs[R_R15] = r.r15;
    env->rip = r.rip;
    env->rflags = r.rflags;
    return 0;
}

static int put_sregs(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    struct kvm_sregs s;
    memset(&s, 0, sizeof(s));
    seg_to_kvm(&s.cs, &env->segs[R_CS]);
    seg_to_kvm(&s.ds, &env->segs[R_DS]);
    seg_to_kvm(&s.es, &env->segs[R_ES]);
    seg_to_kvm(&s.fs, &env->segs[R_FS]);
    seg_to_kvm(&s.gs, &env->segs[R_GS]);
    seg_to_kvm(&s.ss, &env->segs[R_SS]);
    seg_to_kvm(&s.tr, &env->tr);
    seg_to_kvm(&s.ldt, &env->ldt);
    s.idt.base = env->idt.base;
    s.idt.limit = env->idt.limit;
    s.gdt.base = env->gdt.base;
    s.gdt.limit = env->gdt.limit;
    s.cr0 = env->cr[0];
    s.cr2 = env->cr[2];
    s.cr3 = env->cr[3];
    s.cr4 = env->cr[4];
    s.cr8 = env->cr8;
    s.efer = env->efer;
    s.apic_base = env->apic_base;
    /* Injected interrupts travel in the vcpu events, not interrupt_bitmap. */
    return kvm_vcpu_ioctl(cs, KVM_SET_SREGS, &s);
}

static int get_sregs(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    struct kvm_sregs s;
    int r = kvm_vcpu_ioctl(cs, KVM_GET_SREGS, &s);
    if (r < 0) {
        return r;
    }
    seg_from_kvm(&env->segs[R_CS], &s.cs);
    seg_from_kvm(&env->segs[R_DS], &s.ds);
    seg_from_kvm(&env->segs[R_ES], &s.es);
    seg_from_kvm(&env->segs[R_FS], &s.fs);
    seg_from_kvm(&env->segs[R_GS], &s.gs);
    seg_from_kvm(&env->segs[R_SS], &s.ss);
    seg_from_kvm(&env->tr, &s.tr);
    seg_from_kvm(&env->ldt, &s.ldt);
    env->idt.base = s.idt.base;
    env->idt.limit = s.idt.limit;
    env->gdt.base = s.gdt.base;
    env->gdt.limit = s.gdt.limit;
    env->cr[0] = s.cr0;
    env->cr[2] = s.cr2;
    env->cr[3] = s.cr3;
    env->cr[4] = s.cr4;
    env->cr8 = s.cr8;
    env->efer = s.efer;
    env->apic_base = s.apic_base;
    return 0;
}

/* Without KVM_CAP_XSAVE: the legacy FXSAVE region through KVM_{GET,SET}_FPU. */
static int put_fpu_legacy(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    struct kvm_fpu f;
    memset(&f, 0, sizeof(f));
    f.fcw = x86_fxsave_fcw(env);
    f.fsw = x86_fxsave_fsw(env);
    f.ftwx = x86_fxsave_ftw(env);
    memcpy(&f.last_opcode, env->xsave + 6, 2);
    memcpy(&f.last_ip, env->xsave + 8, 8);
    memcpy(&f.last_dp, env->xsave + 16, 8);
    memcpy(f.fpr, env->xsave + 32, sizeof(f.fpr));
    memcpy(f.xmm, env->xsave + 160, sizeof(f.xmm));
    f.mxcsr = x86_fxsave_mxcsr(env);
    return kvm_vcpu_ioctl(cs, KVM_SET_FPU, &f);
}

static int get_fpu_legacy(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    struct kvm_fpu f;
    int r = kvm_vcpu_ioctl(cs, KVM_GET_FPU, &f);
    if (r < 0) {
        return r;
    }
    memset(env->xsave, 0, 512);
    memcpy(env->xsave, &f.fcw, 2);
    memcpy(env->xsave + 2, &f.fsw, 2);
    env->xsave[4] = f.ftwx;
    memcpy(env->xsave + 6, &f.last_opcode, 2);
    memcpy(env->xsave + 8, &f.last_ip, 8);
    memcpy(env->xsave + 16, &f.last_dp, 8);
    memcpy(env->xsave + 24, &f.mxcsr, 4);
    memcpy(env->xsave + 32, f.fpr, sizeof(f.fpr));
    memcpy(env->xsave + 160, f.xmm, sizeof(f.xmm));
    return 0;
}

static int put_xsave(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    if (!kvm_state->xsave) {
        return put_fpu_legacy(cs);
    }
    /* struct kvm_xsave is the raw image; KVM_SET_XSAVE reads xsave2_size bytes. */
    return kvm_vcpu_ioctl(cs, KVM_SET_XSAVE, env->xsave);
}

static int get_xsave(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    if (!kvm_state->xsave) {
        return get_fpu_legacy(cs);
    }
    if (env->xsave_size > sizeof(struct kvm_xsave)) {
        return kvm_vcpu_ioctl(cs, KVM_GET_XSAVE2, env->xsave);
    }
    return kvm_vcpu_ioctl(cs, KVM_GET_XSAVE, env->xsave);
}

static int put_xcrs(CPUState *cs)
{
    if (!kvm_state->xcrs) {
        return 0;
    }
    struct kvm_xcrs x = { .nr_xcrs = 1 };
    x.xcrs[0].xcr = 0;
    x.xcrs[0].value = cpu_env(cs)->xcr0;
    return kvm_vcpu_ioctl(cs, KVM_SET_XCRS, &x);
}

static int get_xcrs(CPUState *cs)
{
    if (!kvm_state->xcrs) {
        return 0;
    }
    struct kvm_xcrs x;
    int r = kvm_vcpu_ioctl(cs, KVM_GET_XCRS, &x);
    if (r < 0) {
        return r;
    }
    for (uint32_t i = 0; i < x.nr_xcrs; i++) {
        if (x.xcrs[i].xcr == 0) {
            cpu_env(cs)->xcr0 = x.xcrs[i].value;
        }
    }
    return 0;
}

static int put_events(CPUState *cs)
{
    if (!kvm_state->vcpu_events) {
        return 0;
    }
    const X86PendingEvents *ev = &cpu_env(cs)->events;
    struct kvm_vcpu_events e;
    memset(&e, 0, sizeof(e));
    e.exception.injected = ev->exception_injected;
    e.exception.pending = ev->exception_pending;
    e.exception.nr = ev->exception_nr;
    e.exception.has_error_code = ev->exception_has_error_code;
    e.exception.error_code = ev->exception_error_code;
    e.interrupt.injected = ev->interrupt_injected;
    e.interrupt.nr = ev->interrupt_nr;
    e.interrupt.soft = ev->interrupt_soft;
    e.interrupt.shadow = ev->interrupt_shadow;
    e.nmi.injected = ev->nmi_injected;
    e.nmi.pending = ev->nmi_pending;
    e.nmi.masked = ev->nmi_masked;
    e.sipi_vector = ev->sipi_vector;
    e.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR |
              KVM_VCPUEVENT_VALID_SHADOW;
    return kvm_vcpu_ioctl(cs, KVM_SET_VCPU_EVENTS, &e);
}

static int get_events(CPUState *cs)
{
    if (!kvm_state->vcpu_events) {
        return 0;
    }
    X86PendingEvents *ev = &cpu_env(cs)->events;
    struct kvm_vcpu_events e;
    int r = kvm_vcpu_ioctl(cs, KVM_GET_VCPU_EVENTS, &e);
    if (r < 0) {
        return r;
    }
    ev->exception_injected = e.exception.injected;
    ev->exception_pending = e.exception.pending;
    ev->exception_nr = e.exception.nr;
    ev->exception_has_error_code = e.exception.has_error_code;
    ev->exception_error_code = e.exception.error_code;
    ev->interrupt_injected = e.interrupt.injected;
    ev->interrupt_nr = e.interrupt.nr;
    ev->interrupt_soft = e.interrupt.soft;
    ev->interrupt_shadow = e.interrupt.shadow;
    ev->nmi_injected = e.nmi.injected;
    ev->nmi_pending = e.nmi.pending;
    ev->nmi_masked = e.nmi.masked;
    ev->sipi_vector = e.sipi_vector;
    ev->smm = (e.flags & KVM_VCPUEVENT_VALID_SMM) && e.smi.smm;
    return 0;
}

static int put_debugregs(CPUState *cs)
{
    if (!kvm_state->debugregs) {
        return 0;
    }
    CPUX86State *env = cpu_env(cs);
    struct kvm_debugregs d;
    memset(&d, 0, sizeof(d));
    for (int i = 0; i < 4; i++) {
        d.db[i] = env->dr[i];
    }
    d.dr6 = env->dr[6];
    d.dr7 = env->dr[7];
    return kvm_vcpu_ioctl(cs, KVM_SET_DEBUGREGS, &d);
}

static int get_debugregs(CPUState *cs)
{
    if (!kvm_state->debugregs) {
        return 0;
    }
    CPUX86State *env = cpu_env(cs);
    struct kvm_debugregs d;
    int r = kvm_vcpu_ioctl(cs, KVM_GET_DEBUGREGS, &d);
    if (r < 0) {
        return r;
    }
    for (int i = 0; i < 4; i++) {
        env->dr[i] = d.db[i];
    }
    env->dr[6] = d.dr6;
    env->dr[7] = d.dr7;
    return 0;
}

static int put_lapic(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    AccelCPUState *a = cs->accel;
    struct kvm_lapic_state l;
    if (!kvm_irqchip_in_kernel()) {
        return 0;
    }
    if (env->lapic_valid) {
        memcpy(l.regs, env->lapic, sizeof(l.regs));
    } else if (a->reset_lapic_valid) {
        memcpy(l.regs, a->reset_lapic, sizeof(l.regs));
    } else {
        return 0;
    }
    return kvm_vcpu_ioctl(cs, KVM_SET_LAPIC, &l);
}

static int get_lapic(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    struct kvm_lapic_state l;
    if (!kvm_irqchip_in_kernel()) {
        return 0;
    }
    int r = kvm_vcpu_ioctl(cs, KVM_GET_LAPIC, &l);
    if (r < 0) {
        return r;
    }
    memcpy(env->lapic, l.regs, sizeof(env->lapic));
    env->lapic_valid = true;
    return 0;
}

/*
 * Without the in-kernel irqchip KVM has no LAPIC (KVM_{GET,SET}_LAPIC fail)
 * and only accepts KVM_MP_STATE_RUNNABLE: emu's LAPIC and wait-for-SIPI state
 * (env->mp_state, cs->halted) are authoritative (kvm-user-irqchip.c).
 */
static int put_mp_state(CPUState *cs)
{
    if (!kvm_irqchip_in_kernel()) {
        return 0;
    }
    struct kvm_mp_state mp = { .mp_state = cpu_env(cs)->mp_state };
    return kvm_vcpu_ioctl(cs, KVM_SET_MP_STATE, &mp);
}

static int get_mp_state(CPUState *cs)
{
    if (!kvm_irqchip_in_kernel()) {
        return 0;
    }
    struct kvm_mp_state mp;
    int r = kvm_vcpu_ioctl(cs, KVM_GET_MP_STATE, &mp);
    if (r == 0) {
        cpu_env(cs)->mp_state = mp.mp_state;
    }
    return r;
}

#define TRY(what, call) \
    do { \
        int r_ = (call); \
        if (r_ < 0) { \
            emu_log_mask(LOG_GUEST_ERROR | LOG_BOOT, "kvm: CPU %d: %s: %s\n", \
                         cs->cpu_index, what, g_strerror(-r_)); \
            ret = r_; \
        } \
    } while (0)

int kvm_arch_put_registers(CPUState *cs, int level)
{
    int ret = 0;
    /* Order as QEMU's: sregs (with APIC base) before the LAPIC and MSRs. */
    TRY("KVM_SET_REGS", put_regs(cs));
    TRY("KVM_SET_XSAVE", put_xsave(cs));
    TRY("KVM_SET_XCRS", put_xcrs(cs));
    TRY("KVM_SET_SREGS", put_sregs(cs));
    TRY("KVM_SET_MSRS", put_msrs(cs, level));
    if (level >= KVM_PUT_RESET_STATE) {
        TRY("KVM_SET_LAPIC", put_lapic(cs));
        TRY("KVM_SET_MP_STATE", put_mp_state(cs));
    }
    TRY("KVM_SET_VCPU_EVENTS", put_events(cs));
    TRY("KVM_SET_DEBUGREGS", put_debugregs(cs));
    return ret;
}

int kvm_arch_get_registers(CPUState *cs)
{
    int ret = 0;
    TRY("KVM_GET_REGS", get_regs(cs));
    TRY("KVM_GET_XSAVE", get_xsave(cs));
    TRY("KVM_GET_XCRS", get_xcrs(cs));
    TRY("KVM_GET_SREGS", get_sregs(cs));
    TRY("KVM_GET_MSRS", get_msrs(cs));
    TRY("KVM_GET_MP_STATE", get_mp_state(cs));
    TRY("KVM_GET_LAPIC", get_lapic(cs));
    TRY("KVM_GET_VCPU_EVENTS", get_events(cs));
    TRY("KVM_GET_DEBUGREGS", get_debugregs(cs));
    return ret;
}

void kvm_arch_report_vcpu_error(CPUState *cs, GString *out)
{
    if (kvm_arch_get_registers(cs) == 0) {
        cs->vcpu_dirty = true;
    }
    cpu_dump_state(cs, out, 0);
}
