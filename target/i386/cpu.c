/*
 * The x86 CPU object: types "x86-cpu" (abstract) and one subtype per model
 * ("qemu64-x86_64-cpu", "max-x86_64-cpu", "host-x86_64-cpu"), -cpu parsing and
 * listing, topology, and the reset state.
 */
#include "target/i386/cpu-internal.h"
#include "system/memory.h"
#include "util/log.h"

/* ---- -cpu ---- */

static const X86CPUModel *find_model(const char *name)
{
    for (int i = 0; i < x86_cpu_nr_models; i++) {
        if (!strcmp(x86_cpu_models[i].name, name)) {
            return &x86_cpu_models[i];
        }
    }
    return NULL;
}

char *x86_cpu_type_name_from_spec(const char *spec)
{
    const char *comma = strchr(spec, ',');
    g_autofree char *model = comma ? g_strndup(spec, comma - spec) : g_strdup(spec);
    return g_strconcat(model, X86_CPU_TYPE_SUFFIX, NULL);
}

bool x86_cpu_check_spec(const char *spec, Error **errp)
{
    const char *comma = strchr(spec, ',');
    g_autofree char *model = comma ? g_strndup(spec, comma - spec) : g_strdup(spec);
    if (!find_model(model)) {
        error_setg(errp, "-cpu %s: unknown CPU model (see -cpu help)", model);
        return false;
    }
    X86FeatureRequest req;
    return x86_parse_features(model, comma ? comma + 1 : NULL, &req, errp);
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void x86_cpu_list(GString *out)
{
    g_string_append(out, "Available CPUs:\n");
    for (int i = 0; i < x86_cpu_nr_models; i++) {
        g_string_append_printf(out, "  %-20s  %s\n", x86_cpu_models[i].name,
                               x86_cpu_models[i].desc);
    }
    g_string_append(out, "\nRecognized CPUID flags (+flag, -flag, flag=on|off):\n");
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    for (int w = 0; w < FEATURE_WORDS; w++) {
        for (int b = 0; b < 32; b++) {
            const char *n = feature_word_info[w].names[b];
            bool dup = false;
            for (guint j = 0; n && j < names->len; j++) {
                dup |= !strcmp(g_ptr_array_index(names, j), n);
            }
            if (n && !dup) {
                g_ptr_array_add(names, (gpointer)n);
            }
        }
    }
    g_ptr_array_sort(names, compare_names);
    unsigned col = 0;
    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        if (col + strlen(n) + 1 > 78) {
            g_string_append_c(out, '\n');
            col = 0;
        }
        g_string_append_printf(out, "%s%s", col ? " " : "  ", n);
        col += strlen(n) + (col ? 1 : 2);
    }
    g_string_append(out, "\n  enforce (fail instead of dropping unsupported features)\n");
}

/* ---- topology ---- */

static unsigned bits_for(unsigned count)
{
    unsigned b = 0;
    while ((1u << b) < count) {
        b++;
    }
    return b;
}

void x86_topo_ids_from_index(const X86Topology *topo, unsigned index, unsigned *socket,
                             unsigned *die, unsigned *core, unsigned *thread)
{
    unsigned threads = MAX(topo->threads, 1), cores = MAX(topo->cores, 1);
    unsigned dies = MAX(topo->dies, 1);
    *thread = index % threads;
    *core = index / threads % cores;
    *die = index / (threads * cores) % dies;
    *socket = index / (threads * cores * dies);
}

/*
 * Each level gets a field wide enough for its count, as leaf 0xb/0x1f describe
 * (SDM vol. 3 §10.12.8 / "Hierarchical Mapping of Shared Resources").
 */
uint32_t x86_apic_id_from_index(const X86Topology *topo, unsigned index)
{
    unsigned socket, die, core, thread;
    unsigned tb = bits_for(MAX(topo->threads, 1));
    unsigned cb = bits_for(MAX(topo->cores, 1));
    unsigned db = bits_for(MAX(topo->dies, 1));
    x86_topo_ids_from_index(topo, index, &socket, &die, &core, &thread);
    return socket << (db + cb + tb) | die << (cb + tb) | core << tb | thread;
}

/* ---- reset ---- */

void x86_xsave_reset(CPUX86State *env)
{
    memset(env->xsave, 0, env->xsave_size);
    /* SDM vol. 1 §10.5.1: FCW at offset 0, MXCSR at 24 (reset values as FINIT). */
    env->xsave[0] = 0x7f;
    env->xsave[1] = 0x03;
    uint32_t mxcsr = 0x1f80;
    memcpy(env->xsave + 24, &mxcsr, 4);
}

static void set_seg(SegmentCache *s, uint32_t sel, uint64_t base, uint32_t limit,
                    uint32_t flags)
{
    s->selector = sel;
    s->base = base;
    s->limit = limit;
    s->flags = flags;
}

/* Load a segment cache from the descriptor @sel names in the GDT at @gdt. */
static bool load_gdt_seg(SegmentCache *s, uint64_t gdt, uint16_t gdt_limit, uint16_t sel)
{
    uint32_t d[2];
    if ((sel & ~7u) + 7 > gdt_limit ||
        address_space_read(&address_space_memory, gdt + (sel & ~7u), d, 8) != MEMTX_OK) {
        return false;
    }
    d[0] = GUINT32_FROM_LE(d[0]);
    d[1] = GUINT32_FROM_LE(d[1]);
    if (!(d[1] & DESC_P_MASK) || !(d[1] & DESC_S_MASK)) {
        return false;
    }
    uint32_t limit = (d[0] & 0xffff) | (d[1] & 0xf0000);
    if (d[1] & DESC_G_MASK) {
        limit = limit << 12 | 0xfff;
    }
    set_seg(s, sel, (d[0] >> 16) | (d[1] & 0xff) << 16 | (d[1] & 0xff000000), limit,
            (d[1] & 0x00f0ff00) | DESC_A_MASK);
    return true;
}

static void apply_boot_entry(X86CPU *cpu, const X86BootEntry *be)
{
    CPUX86State *env = &cpu->env;
    bool lm = be->mode == X86_BOOT_LONG64;
    /* Flat 4 GiB segments, used if the loader's GDT entry cannot be read. */
    uint32_t code_flags = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK |
                          DESC_A_MASK | DESC_G_MASK | (lm ? DESC_L_MASK : DESC_B_MASK);
    uint32_t data_flags = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK |
                          DESC_G_MASK | DESC_B_MASK;

    if (!load_gdt_seg(&env->segs[R_CS], be->gdt_base, be->gdt_limit, be->cs)) {
        emu_log_mask(LOG_BOOT, "boot entry: GDT entry %#x unreadable, using flat CS\n",
                     be->cs);
        set_seg(&env->segs[R_CS], be->cs, 0, 0xffffffff, code_flags);
    }
    if (lm) {
        env->segs[R_CS].flags |= DESC_L_MASK;
        env->segs[R_CS].flags &= ~DESC_B_MASK;
    }
    for (int r = 0; r < NB_SEGS; r++) {
        if (r == R_CS) {
            continue;
        }
        if (!load_gdt_seg(&env->segs[r], be->gdt_base, be->gdt_limit, be->ds)) {
            set_seg(&env->segs[r], be->ds, 0, 0xffffffff, data_flags);
        }
    }
    env->gdt.base = be->gdt_base;
    env->gdt.limit = be->gdt_limit;
    env->cr[0] = CR0_PE_MASK | CR0_ET_MASK;
    if (lm) {
        env->cr[0] |= CR0_PG_MASK;
        env->cr[3] = be->cr3;
        env->cr[4] = CR4_PAE_MASK;
        env->efer = EFER_LME | EFER_LMA;
    }
    env->rip = be->rip;
    env->regs[R_ESP] = be->rsp;
    env->regs[R_EAX] = be->rax;
    env->regs[R_EBX] = be->rbx;
    env->regs[R_ESI] = be->rsi;
    env->regs[R_EDX] = 0;
    env->rflags = RFLAGS_FIXED;
}

void x86_cpu_reset_state(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    bool bsp = cpu->parent_obj.cpu_index == 0;
    const X86CPUIDEntry *leaf1 = x86_cpu_get_cpuid(cpu, 1, 0);

    /* Everything not named below is zero after RESET (SDM vol. 3 Table 9-1). */
    memset(env->regs, 0, sizeof(env->regs));
    env->rflags = RFLAGS_FIXED;
    env->rip = 0xfff0;
    /* EDX holds the processor signature (CPUID.01H:EAX). */
    env->regs[R_EDX] = leaf1 ? leaf1->eax : 0x600;

    set_seg(&env->segs[R_CS], 0xf000, 0xffff0000, 0xffff,
            DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK | DESC_A_MASK);
    for (int r = 0; r < NB_SEGS; r++) {
        if (r != R_CS) {
            set_seg(&env->segs[r], 0, 0, 0xffff,
                    DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK);
        }
    }
    set_seg(&env->ldt, 0, 0, 0xffff, DESC_P_MASK | 2u << DESC_TYPE_SHIFT);
    /* A busy TSS type: what VMX demands of TR and what QEMU loads. */
    set_seg(&env->tr, 0, 0, 0xffff, DESC_P_MASK | 11u << DESC_TYPE_SHIFT);
    set_seg(&env->gdt, 0, 0, 0xffff, 0);
    set_seg(&env->idt, 0, 0, 0xffff, 0);

    memset(env->cr, 0, sizeof(env->cr));
    env->cr[0] = CR0_CD_MASK | CR0_NW_MASK | CR0_ET_MASK;   /* 0x60000010 */
    env->cr8 = 0;
    env->efer = 0;
    memset(env->dr, 0, sizeof(env->dr));
    env->dr[6] = 0xffff0ff0;
    env->dr[7] = 0x400;
    env->xcr0 = 1;   /* x87 state always enabled */

    env->tsc = 0;
    env->tsc_adjust = 0;
    env->tsc_deadline = 0;
    env->apic_base = 0xfee00000ull | MSR_IA32_APICBASE_ENABLE |
                     (bsp ? MSR_IA32_APICBASE_BSP : 0);
    env->sysenter_cs = env->sysenter_esp = env->sysenter_eip = 0;
    env->star = env->lstar = env->cstar = env->fmask = 0;
    env->kernelgsbase = 0;
    env->pat = PAT_RESET_VALUE;
    env->misc_enable = MSR_IA32_MISC_ENABLE_FAST_STRING;
    env->tsc_aux = 0;
    env->spec_ctrl = 0;
    env->mcg_status = 0;
    env->system_time_msr = env->wall_clock_msr = 0;
    env->async_pf_en_msr = env->async_pf_int_msr = 0;
    env->steal_time_msr = env->pv_eoi_en_msr = 0;
    env->poll_control_msr = 1;   /* KVM's reset value: polling allowed */

    x86_xsave_reset(env);
    env->lapic_valid = false;    /* the accelerator's power-on LAPIC */
    memset(&env->events, 0, sizeof(env->events));
    /* APs wait for INIT/SIPI (SDM vol. 3 §9.4); the BSP runs. */
    env->mp_state = bsp ? X86_MP_RUNNABLE : X86_MP_INIT_RECEIVED;
    env->a20_enabled = true;
    /* TCG: flags live in rflags, no exception in flight. */
    env->cc_op = CC_OP_EFLAGS;
    env->cc_dst = env->cc_src = env->cc_src2 = 0;
    env->old_exception = -1;
    env->error_code = 0;

    if (bsp && cpu->boot_entry && cpu->boot_entry->mode != X86_BOOT_RESET_VECTOR) {
        apply_boot_entry(cpu, cpu->boot_entry);
    }
}

/* ---- the object ---- */

static void x86_cpu_reset(CPUState *cs)
{
    X86CPU *cpu = X86_CPU(cs);
    x86_cpu_reset_state(cpu);
    /* With emu's own LAPIC an AP waits for SIPI halted (SDM vol. 3 §9.4.1), its
     * thread asleep until a SIPI (target/i386/tcg/mp-helper.c) starts it. */
    cs->halted = cpu->apic && cpu->env.mp_state == X86_MP_INIT_RECEIVED;
}

static int64_t x86_cpu_get_arch_id(CPUState *cs)
{
    return X86_CPU(cs)->apic_id;
}

static void x86_cpu_realize(DeviceState *dev, Error **errp)
{
    X86CPU *cpu = X86_CPU(dev);
    X86CPUClass *xcc = X86_CPU_GET_CLASS(cpu);
    X86FeatureRequest req;

    if (!x86_parse_features(xcc->model->name, cpu->features, &req, errp) ||
        !x86_cpu_build_cpuid(cpu, &req, errp)) {
        return;
    }
    if (cpu->apic_id == 0 && cpu->filtered && cpu->filtered->len) {
        emu_log_mask(LOG_BOOT, "cpu: model %s: the host does not provide:%s\n",
                     xcc->model->name, cpu->filtered->str);
    }
    xcc->parent_realize(dev, errp);
}

static void x86_cpu_instance_init(Object *obj)
{
    CPUX86State *env = &X86_CPU(obj)->env;
    env->xsave_size = X86_XSAVE_MIN_SIZE;
    env->xsave = env->xsave_area;
}

static void x86_cpu_finalize(Object *obj)
{
    X86CPU *cpu = X86_CPU(obj);
    if (cpu->env.xsave != cpu->env.xsave_area) {
        g_free(cpu->env.xsave);
    }
    g_free(cpu->cpuid);
    if (cpu->filtered) {
        g_string_free(cpu->filtered, TRUE);
    }
}

static const Property x86_cpu_props[] = {
    DEFINE_PROP_UINT32("apic-id", X86CPU, apic_id, 0),
    DEFINE_PROP_STRING("features", X86CPU, features),
    DEFINE_PROP_UINT32("nr-threads", X86CPU, nr_threads, 1),
    DEFINE_PROP_UINT32("nr-cores", X86CPU, nr_cores, 1),
    DEFINE_PROP_UINT32("nr-dies", X86CPU, nr_dies, 1),
    DEFINE_PROP_UINT32("socket-id", X86CPU, socket_id, 0),
    DEFINE_PROP_UINT32("die-id", X86CPU, die_id, 0),
    DEFINE_PROP_UINT32("core-id", X86CPU, core_id, 0),
    DEFINE_PROP_UINT32("thread-id", X86CPU, thread_id, 0),
    DEFINE_PROP_END_OF_LIST(),
};

static void x86_cpu_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    CPUClass *cc = CPU_CLASS(oc);
    X86CPUClass *xcc = X86_CPU_CLASS(oc);

    xcc->parent_realize = dc->realize;
    dc->realize = x86_cpu_realize;
    dc->desc = "x86-64 CPU";
    cc->reset = x86_cpu_reset;
    cc->get_arch_id = x86_cpu_get_arch_id;
    cc->dump_state = x86_cpu_dump_state;
    device_class_set_props(dc, x86_cpu_props);
}

static void x86_cpu_model_class_init(ObjectClass *oc, void *data)
{
    X86CPUClass *xcc = X86_CPU_CLASS(oc);
    xcc->model = data;
    DEVICE_CLASS(oc)->desc = xcc->model->desc;
}

static void x86_cpu_register_types(void)
{
    static const TypeInfo base = {
        .name = TYPE_X86_CPU,
        .parent = TYPE_CPU,
        .instance_size = sizeof(X86CPU),
        .instance_init = x86_cpu_instance_init,
        .instance_finalize = x86_cpu_finalize,
        .abstract = true,
        .class_size = sizeof(X86CPUClass),
        .class_init = x86_cpu_class_init,
    };
    type_register_static(&base);
    for (int i = 0; i < x86_cpu_nr_models; i++) {
        g_autofree char *name = g_strconcat(x86_cpu_models[i].name, X86_CPU_TYPE_SUFFIX,
                                            NULL);
        TypeInfo ti = {
            .name = name,
            .parent = TYPE_X86_CPU,
            .class_init = x86_cpu_model_class_init,
            .class_data = (void *)&x86_cpu_models[i],
        };
        type_register_static(&ti);
    }
}
type_init(x86_cpu_register_types)
