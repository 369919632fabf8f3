/*
 * CPUID: feature names, the CPU models, -cpu feature parsing, and building the
 * table a vCPU's CPUID instruction answers from (Intel SDM vol. 2A "CPUID",
 * AMD APM vol. 3 appendix E). Under KVM every feature word is filtered by what
 * KVM_GET_SUPPORTED_CPUID reports, as QEMU does.
 */
#include "target/i386/cpu-internal.h"
#include "target/i386/kvm/kvm_i386.h"
#include "system/kvm.h"
#include "util/log.h"
#include <cpuid.h>

const FeatureWordInfo feature_word_info[FEATURE_WORDS] = {
    [FEAT_1_EDX] = { 1, 0, 'd', {
        "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
        "cx8", "apic", NULL, "sep", "mtrr", "pge", "mca", "cmov",
        "pat", "pse36", "pn", "clflush", NULL, "ds", "acpi", "mmx",
        "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe" } },
    [FEAT_1_ECX] = { 1, 0, 'c', {
        "pni", "pclmulqdq", "dtes64", "monitor", "ds-cpl", "vmx", "smx", "est",
        "tm2", "ssse3", "cid", NULL, "fma", "cx16", "xtpr", "pdcm",
        NULL, "pcid", "dca", "sse4.1", "sse4.2", "x2apic", "movbe", "popcnt",
        "tsc-deadline", "aes", "xsave", NULL, "avx", "f16c", "rdrand", "hypervisor" } },
    [FEAT_6_EAX] = { 6, 0, 'a', {
        NULL, NULL, "arat", NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    [FEAT_7_0_EBX] = { 7, 0, 'b', {
        "fsgsbase", "tsc-adjust", "sgx", "bmi1", "hle", "avx2", NULL, "smep",
        "bmi2", "erms", "invpcid", "rtm", NULL, NULL, "mpx", NULL,
        "avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma", NULL, "clflushopt",
        "clwb", NULL, "avx512pf", "avx512er", "avx512cd", "sha-ni", "avx512bw",
        "avx512vl" } },
    [FEAT_7_0_ECX] = { 7, 0, 'c', {
        NULL, "avx512vbmi", "umip", "pku", NULL, "waitpkg", "avx512vbmi2", NULL,
        "gfni", "vaes", "vpclmulqdq", "avx512vnni", "avx512bitalg", NULL,
        "avx512-vpopcntdq", NULL,
        "la57", NULL, NULL, NULL, NULL, NULL, "rdpid", NULL,
        NULL, "cldemote", NULL, "movdiri", "movdir64b", NULL, NULL, NULL } },
    [FEAT_7_0_EDX] = { 7, 0, 'd', {
        NULL, NULL, "avx512-4vnniw", "avx512-4fmaps", "fsrm", NULL, NULL, NULL,
        "avx512-vp2intersect", NULL, "md-clear", NULL, NULL, NULL, "serialize", NULL,
        "tsx-ldtrk", NULL, "pconfig", NULL, "cet-ibt", NULL, "amx-bf16", "avx512-fp16",
        "amx-tile", "amx-int8", "spec-ctrl", "stibp", "flush-l1d", "arch-capabilities",
        "core-capability", "ssbd" } },
    [FEAT_7_1_EAX] = { 7, 1, 'a', {
        NULL, NULL, NULL, NULL, "avx-vnni", "avx512-bf16", NULL, NULL,
        NULL, NULL, "fzrm", "fsrs", "fsrc", NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    [FEAT_D_1_EAX] = { 0xd, 1, 'a', {
        "xsaveopt", "xsavec", "xgetbv1", "xsaves", NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    [FEAT_8000_0001_EDX] = { 0x80000001, 0, 'd', {
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, "syscall", NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, "nx", NULL, "mmxext", NULL,
        NULL, "fxsr-opt", "pdpe1gb", "rdtscp", NULL, "lm", "3dnowext", "3dnow" } },
    [FEAT_8000_0001_ECX] = { 0x80000001, 0, 'c', {
        "lahf-lm", "cmp-legacy", "svm", "extapic", "cr8legacy", "abm", "sse4a",
        "misalignsse",
        "3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt", NULL, "lwp",
        "fma4", "tce", NULL, "nodeid-msr", NULL, "tbm", "topoext", "perfctr-core",
        "perfctr-nb", NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    [FEAT_8000_0007_EDX] = { 0x80000007, 0, 'd', {
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        "invtsc", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    [FEAT_8000_0008_EBX] = { 0x80000008, 0, 'b', {
        "clzero", NULL, "xsaveerptr", NULL, "rdpru", NULL, NULL, NULL,
        NULL, "wbnoinvd", NULL, NULL, "ibpb", NULL, "ibrs", "amd-stibp",
        NULL, "stibp-always-on", NULL, NULL, NULL, NULL, NULL, NULL,
        "amd-ssbd", "virt-ssbd", "amd-no-ssb", NULL, NULL, NULL, NULL, NULL } },
    /* Linux Documentation/virt/kvm/x86/cpuid.rst; "kvmclock" names bits 0 and 3. */
    [FEAT_KVM] = { KVM_CPUID_FEATURES, 0, 'a', {
        "kvmclock", "kvm-nopiodelay", "kvm-mmu", "kvmclock", "kvm-asyncpf",
        "kvm-steal-time", "kvm-pv-eoi", "kvm-pv-unhalt",
        NULL, "kvm-pv-tlb-flush", "kvm-asyncpf-vmexit", "kvm-pv-ipi", "kvm-poll-control",
        "kvm-pv-sched-yield", "kvm-asyncpf-int", "kvm-msi-ext-dest-id",
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        "kvmclock-stable-bit", NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
};

#define KVM_FEAT(bit) (1u << (bit))
/* KVM paravirt features on by default, as QEMU's kvm_default_props. */
#define KVM_DEFAULT_PV (KVM_FEAT(0) | KVM_FEAT(1) | KVM_FEAT(3) | KVM_FEAT(4) | \
                        KVM_FEAT(5) | KVM_FEAT(6) | KVM_FEAT(24))

const X86CPUModel x86_cpu_models[] = {
    {
        /* QEMU's default: an AMD-flavoured generic x86-64 (family 15 model 107). */
        .name = "qemu64",
        .desc = "QEMU Virtual CPU version 2.5+ (generic x86-64, the default)",
        .level = 0xd,
        .xlevel = 0x8000000a,
        .vendor = "AuthenticAMD",
        .family = 15, .model = 107, .stepping = 1,
        .model_id = "QEMU Virtual CPU version 2.5+",
        .features = {
            /* fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36
             * clflush mmx fxsr sse sse2 */
            [FEAT_1_EDX] = 0x078bfbfd,
            /* pni cx16 (+ x2apic under KVM) */
            [FEAT_1_ECX] = (1u << 0) | (1u << 13),
            [FEAT_8000_0001_EDX] = (1u << 11) | (1u << 20) | (1u << 29),
            [FEAT_8000_0001_ECX] = (1u << 0),
            [FEAT_KVM] = KVM_DEFAULT_PV,
        },
    },
    {
        .name = "max",
        .desc = "Enables all features supported by the accelerator in the current host",
        .passthrough = true,
    },
    {
        .name = "host",
        .desc = "KVM processor with all supported host features",
        .passthrough = true,
        .needs_kvm = true,
    },
};
const int x86_cpu_nr_models = ARRAY_SIZE(x86_cpu_models);

/* ---- -cpu feature parsing ---- */

static bool find_feature(const char *name, FeatureWordArray out)
{
    bool found = false;
    memset(out, 0, sizeof(FeatureWordArray));
    for (int w = 0; w < FEATURE_WORDS; w++) {
        for (int b = 0; b < 32; b++) {
            const char *n = feature_word_info[w].names[b];
            if (!n) {
                continue;
            }
            /* QEMU accepts '_' for '-' and a few old aliases. */
            g_autofree char *canon = g_strdelimit(g_strdup(name), "_", '-');
            if (!strcmp(n, canon) || (!strcmp(canon, "sse3") && !strcmp(n, "pni")) ||
                (!strcmp(canon, "lahf_lm") && !strcmp(n, "lahf-lm"))) {
                out[w] |= 1u << b;
                found = true;
            }
        }
    }
    return found;
}

bool x86_parse_features(const char *spec, const char *features, X86FeatureRequest *req,
                        Error **errp)
{
    memset(req, 0, sizeof(*req));
    if (!features || !*features) {
        return true;
    }
    g_auto(GStrv) items = g_strsplit(features, ",", -1);
    for (char **it = items; *it; it++) {
        const char *item = *it;
        FeatureWordArray bits;
        bool on;
        g_autofree char *name = NULL;
        if (!*item) {
            continue;
        }
        if (!strcmp(item, "enforce")) {
            req->enforce = true;
            continue;
        }
        if (!strcmp(item, "check")) {
            continue;   /* QEMU's default behaviour: warn about filtered features */
        }
        if (item[0] == '+' || item[0] == '-') {
            name = g_strdup(item + 1);
            on = item[0] == '+';
        } else {
            const char *eq = strchr(item, '=');
            if (!eq) {
                error_setg(errp, "-cpu %s: '%s': use +FEATURE, -FEATURE or FEATURE=on|off",
                           spec, item);
                return false;
            }
            name = g_strndup(item, eq - item);
            const char *v = eq + 1;
            if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true")) {
                on = true;
            } else if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false")) {
                on = false;
            } else {
                error_setg(errp, "-cpu %s: '%s': the value must be on or off", spec, item);
                return false;
            }
        }
        if (!find_feature(name, bits)) {
            error_setg(errp, "-cpu %s: unknown CPU feature '%s' (see -cpu help)", spec,
                       name);
            return false;
        }
        for (int w = 0; w < FEATURE_WORDS; w++) {
            if (on) {
                req->plus[w] |= bits[w];
                req->minus[w] &= ~bits[w];
            } else {
                req->minus[w] |= bits[w];
                req->plus[w] &= ~bits[w];
            }
        }
    }
    return true;
}

/* ---- building the table ---- */

typedef struct CpuidBuilder {
    GArray *entries;   /* X86CPUIDEntry */
} CpuidBuilder;

static X86CPUIDEntry *add_leaf(CpuidBuilder *b, uint32_t function, uint32_t index,
                               bool indexed)
{
    for (guint i = 0; i < b->entries->len; i++) {
        X86CPUIDEntry *e = &g_array_index(b->entries, X86CPUIDEntry, i);
        if (e->function == function && e->index == index) {
            return e;
        }
    }
    X86CPUIDEntry e = { .function = function, .index = index, .indexed = indexed };
    g_array_append_val(b->entries, e);
    return &g_array_index(b->entries, X86CPUIDEntry, b->entries->len - 1);
}

static uint32_t *entry_reg(X86CPUIDEntry *e, char reg)
{
    switch (reg) {
    case 'a':
        return &e->eax;
    case 'b':
        return &e->ebx;
    case 'c':
        return &e->ecx;
    default:
        return &e->edx;
    }
}

static void put_vendor(const char *v, uint32_t *ebx, uint32_t *edx, uint32_t *ecx)
{
    memcpy(ebx, v, 4);
    memcpy(edx, v + 4, 4);
    memcpy(ecx, v + 8, 4);
}

static uint32_t signature(uint32_t family, uint32_t model, uint32_t stepping)
{
    /* SDM vol. 2A Figure 3-6: extended family/model fields. */
    uint32_t eax = stepping & 0xf;
    eax |= (model & 0xf) << 4;
    eax |= ((model >> 4) & 0xf) << 16;
    if (family > 0xf) {
        eax |= 0xf << 8;
        eax |= ((family - 0xf) & 0xff) << 20;
    } else {
        eax |= family << 8;
    }
    return eax;
}

static unsigned bits_for(unsigned count)
{
    unsigned b = 0;
    while ((1u << b) < count) {
        b++;
    }
    return b;
}

/* The accelerator's view of a leaf (all-ones when nothing filters: no KVM). */
static bool accel_leaf(uint32_t fn, uint32_t idx, X86CPUIDEntry *out)
{
#if CONFIG_KVM
    if (kvm_enabled()) {
        return kvm_x86_get_supported_cpuid(fn, idx, out);
    }
#endif
    memset(out, 0, sizeof(*out));
    out->function = fn;
    out->index = idx;
    if (fn == 0xd) {
        /* The translator's XSAVE state: x87 and SSE, the 576-byte legacy+header area. */
        if (idx != 0) {
            return false;
        }
        out->eax = 0x3;
        out->ebx = out->ecx = 576;
        return true;
    }
    out->eax = out->ebx = out->ecx = out->edx = UINT32_MAX;
    return true;
}

/*
 * What emu's own translator (target/i386/tcg) implements: without KVM, these
 * are the features a model can keep (QEMU's TCG_*_FEATURES). qtest uses the
 * same set, so the guest-visible CPUID does not depend on which of the two
 * runs the machine. No AVX, no VMX/SVM, no KVM paravirt leaves.
 */
static const char *const tcg_feature_names[] = {
    /* leaf 1 EDX */
    "fpu", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge",
    "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2", "ht",
    /* leaf 1 ECX */
    "pni", "pclmulqdq", "monitor", "ssse3", "cx16", "pcid", "sse4.1", "sse4.2", "x2apic",
    "movbe", "popcnt", "tsc-deadline", "aes", "xsave", "rdrand", "hypervisor",
    /* leaf 6, 7, 0xd */
    "arat", "fsgsbase", "bmi1", "smep", "bmi2", "erms", "invpcid", "rdseed", "adx", "smap",
    "clflushopt", "clwb", "umip", "rdpid", "xsaveopt", "xsavec", "xgetbv1",
    /* 0x80000001 */
    "syscall", "nx", "pdpe1gb", "rdtscp", "lm", "lahf-lm", "abm", "3dnowprefetch",
};

static uint32_t tcg_word(FeatureWord w)
{
    static FeatureWordArray mask;
    static bool built;
    if (!built) {
        for (size_t i = 0; i < G_N_ELEMENTS(tcg_feature_names); i++) {
            FeatureWordArray one;
            bool ok = find_feature(tcg_feature_names[i], one);
            g_assert(ok);
            for (int k = 0; k < FEATURE_WORDS; k++) {
                mask[k] |= one[k];
            }
        }
        built = true;
    }
    return mask[w];
}

static uint32_t accel_word(FeatureWord w)
{
    const FeatureWordInfo *fi = &feature_word_info[w];
    X86CPUIDEntry e;
    if (!kvm_enabled()) {
        return tcg_word(w);
    }
    if (!accel_leaf(fi->function, fi->index, &e)) {
        return 0;
    }
    return *entry_reg(&e, fi->reg);
}

static void describe_bits(GString *out, FeatureWord w, uint32_t bits)
{
    const FeatureWordInfo *fi = &feature_word_info[w];
    for (int b = 0; b < 32; b++) {
        if (bits & (1u << b)) {
            g_string_append_printf(out, " %s", fi->names[b] ? fi->names[b] : "?");
            if (!fi->names[b]) {
                g_string_append_printf(out, "[CPUID.%02XH:E%cX bit %d]", fi->function,
                                       g_ascii_toupper(fi->reg), b);
            }
        }
    }
}

static void host_cpuid(uint32_t fn, uint32_t idx, uint32_t *a, uint32_t *b, uint32_t *c,
                       uint32_t *d)
{
    if (!__get_cpuid_count(fn, idx, a, b, c, d)) {
        *a = *b = *c = *d = 0;
    }
}

/* Deterministic cache parameters (leaf 4 / 0x8000001d layout, SDM vol. 2A). */
typedef struct CacheInfo {
    uint8_t type;      /* 1 data, 2 instruction, 3 unified */
    uint8_t level;
    uint32_t size;     /* bytes */
    uint8_t ways;
    uint16_t line;
    bool shared_by_package;
} CacheInfo;

static const CacheInfo legacy_caches[] = {
    { 1, 1, 32 * 1024, 8, 64, false },
    { 2, 1, 32 * 1024, 8, 64, false },
    { 3, 2, 4 * 1024 * 1024, 16, 64, false },
    { 3, 3, 16 * 1024 * 1024, 16, 64, true },
};

static void encode_cache_leaf(const CacheInfo *c, unsigned threads_sharing,
                              unsigned cores_per_pkg, X86CPUIDEntry *e)
{
    uint32_t sets = c->size / (c->ways * c->line);
    e->eax = c->type | c->level << 5 | 1u << 8 |
             ((threads_sharing - 1) & 0xfff) << 14 | ((cores_per_pkg - 1) & 0x3f) << 26;
    e->ebx = (c->line - 1) | 0u << 12 | (uint32_t)(c->ways - 1) << 22;
    e->ecx = sets - 1;
    e->edx = 0;
}

bool x86_cpu_build_cpuid(X86CPU *cpu, const X86FeatureRequest *req, Error **errp)
{
    const X86CPUModel *m = X86_CPU_GET_CLASS(cpu)->model;
    CPUX86State *env = &cpu->env;
    FeatureWordArray feat, supported;
    CpuidBuilder b = { g_array_new(FALSE, TRUE, sizeof(X86CPUIDEntry)) };
    bool kvm = kvm_enabled();

    unsigned threads = MAX(cpu->nr_threads, 1);
    unsigned cores = MAX(cpu->nr_cores, 1);
    unsigned dies = MAX(cpu->nr_dies, 1);
    unsigned thread_bits = bits_for(threads);
    unsigned core_bits = bits_for(cores);
    unsigned die_bits = bits_for(dies);
    unsigned threads_per_pkg = threads * cores * dies;

    if (m->needs_kvm && !kvm) {
        error_setg(errp, "-cpu %s: needs the KVM accelerator (try -cpu max)", m->name);
        g_array_free(b.entries, TRUE);
        return false;
    }
    if (!cpu->filtered) {
        cpu->filtered = g_string_new(NULL);
    }
    g_string_truncate(cpu->filtered, 0);

    for (int w = 0; w < FEATURE_WORDS; w++) {
        supported[w] = accel_word(w);
        if (m->passthrough) {
            feat[w] = supported[w];
        } else {
            feat[w] = m->features[w];
        }
    }
    if (kvm && !m->passthrough) {
        /* Under KVM the LAPIC is in-kernel and x2APIC costs nothing: on by default. */
        feat[FEAT_1_ECX] |= CPUID_1_ECX_X2APIC;
    }
    if (!kvm) {
        feat[FEAT_KVM] = 0;
        supported[FEAT_KVM] = 0;
    }
    for (int w = 0; w < FEATURE_WORDS; w++) {
        feat[w] = (feat[w] | req->plus[w]) & ~req->minus[w];
    }
    /* Emu decides these itself, whatever the host says. */
    supported[FEAT_1_ECX] |= CPUID_1_ECX_HYPERVISOR;
    supported[FEAT_1_EDX] |= CPUID_1_EDX_HTT;
    feat[FEAT_1_ECX] &= ~CPUID_1_ECX_OSXSAVE;
    feat[FEAT_1_ECX] |= CPUID_1_ECX_HYPERVISOR;

    g_autoptr(GString) explicit_lost = g_string_new(NULL);
    for (int w = 0; w < FEATURE_WORDS; w++) {
        uint32_t lost = feat[w] & ~supported[w];
        if (lost) {
            describe_bits(cpu->filtered, w, lost);
            describe_bits(explicit_lost, w, lost & req->plus[w]);
        }
        feat[w] &= supported[w];
    }
    if (explicit_lost->len) {
        if (req->enforce) {
            error_setg(errp, "-cpu %s: the host cannot provide:%s", m->name,
                       explicit_lost->str);
            g_array_free(b.entries, TRUE);
            return false;
        }
        if (cpu->apic_id == 0) {
            warn_report("-cpu %s: the host cannot provide:%s (dropped)", m->name,
                        explicit_lost->str);
        }
    }

    /* Identity: the model's, or the host's for passthrough models. */
    char vendor[13] = { 0 };
    uint32_t sig, level, xlevel;
    char model_id[49] = { 0 };
    if (m->passthrough) {
        uint32_t a, bb, c, d;
        host_cpuid(0, 0, &a, &bb, &c, &d);
        memcpy(vendor, &bb, 4);
        memcpy(vendor + 4, &d, 4);
        memcpy(vendor + 8, &c, 4);
        host_cpuid(1, 0, &sig, &bb, &c, &d);
        X86CPUIDEntry e;
        level = accel_leaf(0, 0, &e) ? MIN(e.eax, 0x1f) : 0xd;
        xlevel = accel_leaf(0x80000000, 0, &e) ? MIN(e.eax, 0x80000021) : 0x80000008;
        if (!kvm) {
            level = 0xd;
            xlevel = 0x80000008;
        }
        for (int i = 0; i < 3; i++) {
            uint32_t r[4];
            host_cpuid(0x80000002 + i, 0, &r[0], &r[1], &r[2], &r[3]);
            memcpy(model_id + 16 * i, r, 16);
        }
    } else {
        memcpy(vendor, m->vendor, 12);
        sig = signature(m->family, m->model, m->stepping);
        level = m->level;
        xlevel = m->xlevel;
        g_strlcpy(model_id, m->model_id, sizeof(model_id));
    }
    bool amd = !strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine");
    if (dies > 1 && level < 0x1f) {
        level = 0x1f;   /* the die level is only visible in leaf 0x1f */
    }
    if (level < 0xb) {
        level = 0xb;    /* x2APIC IDs and topology come from leaf 0xb */
    }
    cpu->cpuid_level = level;
    cpu->cpuid_xlevel = xlevel;

    X86CPUIDEntry *e = add_leaf(&b, 0, 0, false);
    e->eax = level;
    put_vendor(vendor, &e->ebx, &e->edx, &e->ecx);

    e = add_leaf(&b, 1, 0, false);
    e->eax = sig;
    /* EBX: CLFLUSH line size in 8-byte units, logical processors, initial APIC ID. */
    e->ebx = 8 << 8 | (cpu->apic_id & 0xff) << 24;
    e->ecx = feat[FEAT_1_ECX];
    e->edx = feat[FEAT_1_EDX];
    if (threads_per_pkg > 1) {
        e->ebx |= MIN(1u << (thread_bits + core_bits + die_bits), 255u) << 16;
        e->edx |= CPUID_1_EDX_HTT;
    } else {
        e->edx &= ~CPUID_1_EDX_HTT;
    }

    e = add_leaf(&b, 2, 0, false);
    e->eax = 1;   /* one iteration, no descriptors: leaf 4 describes the caches */
    e->edx = 0xffu << 24;

    for (unsigned i = 0; i <= ARRAY_SIZE(legacy_caches); i++) {
        e = add_leaf(&b, 4, i, true);
        if (i < ARRAY_SIZE(legacy_caches) && !amd) {
            const CacheInfo *c = &legacy_caches[i];
            unsigned sharing = c->shared_by_package ? 1u << (thread_bits + core_bits +
                                                             die_bits)
                                                    : 1u << thread_bits;
            encode_cache_leaf(c, sharing, 1u << (core_bits + die_bits), e);
        }
    }

    e = add_leaf(&b, 6, 0, false);
    e->eax = feat[FEAT_6_EAX];

    X86CPUIDEntry s7;
    bool have7 = accel_leaf(7, 0, &s7);
    e = add_leaf(&b, 7, 0, true);
    e->eax = feat[FEAT_7_1_EAX] ? 1 : 0;
    e->ebx = feat[FEAT_7_0_EBX];
    e->ecx = feat[FEAT_7_0_ECX];
    e->edx = feat[FEAT_7_0_EDX];
    (void)have7;
    e = add_leaf(&b, 7, 1, true);
    e->eax = feat[FEAT_7_1_EAX];

    /* Leaf 0xb: SMT and core levels (SDM vol. 2A, "V2 Extended Topology"). */
    for (unsigned i = 0; i < 3; i++) {
        e = add_leaf(&b, 0xb, i, true);
        e->edx = cpu->apic_id;
        if (i == 0) {
            e->eax = thread_bits;
            e->ebx = threads;
            e->ecx = 1u << 8 | i;
        } else if (i == 1) {
            e->eax = thread_bits + core_bits + die_bits;
            e->ebx = threads * cores * dies;
            e->ecx = 2u << 8 | i;
        } else {
            e->ecx = i;
        }
    }
    if (level >= 0x1f) {
        /* Leaf 0x1f: SMT, core, die, then the invalid terminator. */
        for (unsigned i = 0; i < 4; i++) {
            e = add_leaf(&b, 0x1f, i, true);
            e->edx = cpu->apic_id;
            if (i == 0) {
                e->eax = thread_bits;
                e->ebx = threads;
                e->ecx = 1u << 8 | i;
            } else if (i == 1) {
                e->eax = thread_bits + core_bits;
                e->ebx = threads * cores;
                e->ecx = 2u << 8 | i;
            } else if (i == 2) {
                e->eax = thread_bits + core_bits + die_bits;
                e->ebx = threads * cores * dies;
                e->ecx = 5u << 8 | i;
            } else {
                e->ecx = i;
            }
        }
    }

    /* XSAVE (leaf 0xd): only when the model has XSAVE; components as KVM reports. */
    if (feat[FEAT_1_ECX] & CPUID_1_ECX_XSAVE) {
        X86CPUIDEntry x;
        if (accel_leaf(0xd, 0, &x) && x.eax != UINT32_MAX) {
            uint64_t comps = x.eax | (uint64_t)x.edx << 32;
            /* AVX state only with AVX; AVX-512 state only with AVX-512F; no PKRU etc
             * beyond what the model's features imply. */
            uint64_t allowed = 0x3;
            if (feat[FEAT_1_ECX] & (1u << 28)) {
                allowed |= 1u << 2;
            }
            if (feat[FEAT_7_0_EBX] & (1u << 16)) {
                allowed |= 0xe0;
            }
            if (feat[FEAT_7_0_ECX] & (1u << 3)) {
                allowed |= 1u << 9;
            }
            comps &= allowed;
            e = add_leaf(&b, 0xd, 0, true);
            e->eax = (uint32_t)comps;
            e->edx = comps >> 32;
            uint32_t size = 576;
            for (int c = 2; c < 64; c++) {
                X86CPUIDEntry sub;
                if ((comps & (1ull << c)) && accel_leaf(0xd, c, &sub)) {
                    X86CPUIDEntry *se = add_leaf(&b, 0xd, c, true);
                    *se = sub;
                    se->indexed = true;
                    size = MAX(size, sub.ebx + sub.eax);
                }
            }
            e->ebx = size;
            e->ecx = size;
            e = add_leaf(&b, 0xd, 1, true);
            e->eax = feat[FEAT_D_1_EAX];
        }
    }

    if (kvm) {
        /* KVM paravirt leaves: "KVMKVMKVM\0\0\0" and the feature bits. */
        e = add_leaf(&b, KVM_CPUID_SIGNATURE, 0, false);
        e->eax = KVM_CPUID_FEATURES;
        memcpy(&e->ebx, "KVMK", 4);
        memcpy(&e->ecx, "VMKV", 4);
        memcpy(&e->edx, "M\0\0\0", 4);
        e = add_leaf(&b, KVM_CPUID_FEATURES, 0, false);
        e->eax = feat[FEAT_KVM];
    }

    e = add_leaf(&b, 0x80000000, 0, false);
    e->eax = xlevel;
    put_vendor(vendor, &e->ebx, &e->edx, &e->ecx);

    e = add_leaf(&b, 0x80000001, 0, false);
    e->eax = sig;
    e->ecx = feat[FEAT_8000_0001_ECX];
    e->edx = feat[FEAT_8000_0001_EDX];
    if (amd) {
        /* AMD mirrors these leaf 1 EDX bits in 0x80000001 EDX (APM vol. 3 E.4.2). */
        e->edx |= feat[FEAT_1_EDX] & 0x0183f3ffu;
        if (threads_per_pkg > 1) {
            e->ecx |= CPUID_80000001_ECX_CMP_LEGACY & supported[FEAT_8000_0001_ECX];
        }
    }

    for (int i = 0; i < 3; i++) {
        e = add_leaf(&b, 0x80000002 + i, 0, false);
        memcpy(&e->eax, model_id + 16 * i, 16);
    }
    if (xlevel >= 0x80000005) {
        /* AMD L1 caches: 64 KiB 2-way 64-byte lines, as QEMU's legacy values. */
        e = add_leaf(&b, 0x80000005, 0, false);
        e->eax = 0x01ff01ff;
        e->ebx = 0x01ff01ff;
        e->ecx = 0x40020140;
        e->edx = 0x40020140;
    }
    if (xlevel >= 0x80000006) {
        e = add_leaf(&b, 0x80000006, 0, false);
        e->ecx = 0x02008140;   /* L2: 512 KiB, 16-way, 64-byte lines */
    }
    if (xlevel >= 0x80000007) {
        e = add_leaf(&b, 0x80000007, 0, false);
        e->edx = feat[FEAT_8000_0007_EDX];
    }
    if (xlevel >= 0x80000008) {
        uint32_t a, bb, c, d;
        host_cpuid(0x80000000, 0, &a, &bb, &c, &d);
        uint32_t host_phys = 36;
        if (a >= 0x80000008) {
            host_cpuid(0x80000008, 0, &a, &bb, &c, &d);
            host_phys = a & 0xff;
        }
        /* Never claim more physical address bits than the host has. */
        uint32_t phys = m->passthrough ? host_phys : MIN(40u, host_phys);
        e = add_leaf(&b, 0x80000008, 0, false);
        e->eax = phys | 48u << 8;
        e->ebx = feat[FEAT_8000_0008_EBX];
        if (amd) {
            /* ECX: NC = threads per package - 1, ApicIdCoreIdSize. */
            e->ecx = ((threads_per_pkg - 1) & 0xff) |
                     (thread_bits + core_bits + die_bits) << 12;
        }
    }
    if (xlevel >= 0x8000000a) {
        add_leaf(&b, 0x8000000a, 0, false);
    }
    if (amd && xlevel >= 0x8000001e &&
        (feat[FEAT_8000_0001_ECX] & CPUID_80000001_ECX_TOPOEXT)) {
        /* Extended APIC ID, compute unit (= core) and threads per unit. */
        e = add_leaf(&b, 0x8000001e, 0, false);
        e->eax = cpu->apic_id;
        e->ebx = (cpu->core_id & 0xff) | ((threads - 1) & 0xff) << 8;
        e->ecx = cpu->socket_id & 0xff;
        for (unsigned i = 0; i <= ARRAY_SIZE(legacy_caches); i++) {
            e = add_leaf(&b, 0x8000001d, i, true);
            if (i < ARRAY_SIZE(legacy_caches)) {
                const CacheInfo *c = &legacy_caches[i];
                unsigned sharing = c->shared_by_package ? threads_per_pkg : threads;
                encode_cache_leaf(c, sharing, 1, e);
                e->eax &= ~(0x3fu << 26);
            }
        }
    }
    /* Passthrough models keep the other leaves KVM reports (e.g. 0x14, 0x80000021). */
    if (m->passthrough && kvm) {
        static const uint32_t extra[] = { 0x80000021 };
        for (size_t i = 0; i < ARRAY_SIZE(extra); i++) {
            X86CPUIDEntry x;
            if (extra[i] <= xlevel && accel_leaf(extra[i], 0, &x)) {
                *add_leaf(&b, extra[i], 0, false) = x;
            }
        }
    }

    g_free(cpu->cpuid);
    cpu->nr_cpuid = b.entries->len;
    cpu->cpuid = (X86CPUIDEntry *)g_array_free(b.entries, FALSE);
    cpu->cpuid_gen++;
    (void)env;
    return true;
}

const X86CPUIDEntry *x86_cpu_get_cpuid(X86CPU *cpu, uint32_t function, uint32_t index)
{
    for (int i = 0; i < cpu->nr_cpuid; i++) {
        const X86CPUIDEntry *e = &cpu->cpuid[i];
        if (e->function == function && (!e->indexed || e->index == index)) {
            return e;
        }
    }
    return NULL;
}

void x86_cpu_clear_cpuid_bits(X86CPU *cpu, uint32_t function, uint32_t index, char reg,
                              uint32_t mask, const char *why)
{
    for (int i = 0; i < cpu->nr_cpuid; i++) {
        X86CPUIDEntry *e = &cpu->cpuid[i];
        if (e->function == function && (!e->indexed || e->index == index)) {
            uint32_t *r = entry_reg(e, reg);
            if (*r & mask) {
                *r &= ~mask;
                cpu->cpuid_gen++;
                emu_log_mask(LOG_BOOT, "cpu %d: CPUID.%08xH.%u:E%cX &= ~%#x (%s)\n",
                             cpu->parent_obj.cpu_index, function, index,
                             g_ascii_toupper(reg), mask, why);
            }
        }
    }
}
