/*
 * The "tcg" accelerator: emu's own binary translator runs the vCPUs.
 *
 *   -accel tcg[,backend=native|tci|auto][,tb-size=MiB][,thread=single]
 *
 * backend=auto picks the native x86-64 code generator where the host has one and
 * tci (the portable interpreter of the same IR) elsewhere. tb-size bounds the code
 * buffer; when it fills, every TB is dropped and translation starts over.
 * thread=single is the model of this stage: each vCPU has its thread for run
 * control, but only one executes guest code at a time, round-robin by time slices
 * (include/accel/tcg/tcg-engine.h).
 */
#include "accel/accel.h"
#include "accel/tcg/tcg-cpu-ops.h"
#include "accel/tcg/tcg-engine.h"
#include "hw/core/machine.h"
#include "monitor/monitor.h"
#include "system/cpus.h"
#include "system/main-loop.h"
#include "system/memory.h"
#include "util/log.h"

#define TYPE_TCG_ACCEL ACCEL_CLASS_NAME("tcg")

typedef struct TCGAccelState {
    AccelState parent_obj;
    char *backend;
    char *thread;
    uint64_t tb_size_mib;
} TCGAccelState;

#define TCG_ACCEL(obj) OBJECT_CHECK(TCGAccelState, (obj), TYPE_TCG_ACCEL)

static char *tcg_get_backend(Object *obj, Error **errp)
{
    return g_strdup(TCG_ACCEL(obj)->backend);
}

static void tcg_set_backend(Object *obj, const char *v, Error **errp)
{
    if (strcmp(v, "native") && strcmp(v, "tci") && strcmp(v, "auto")) {
        error_setg(errp, "tcg: backend '%s' is unknown (use native, tci or auto)", v);
        return;
    }
    g_free(TCG_ACCEL(obj)->backend);
    TCG_ACCEL(obj)->backend = g_strdup(v);
}

static char *tcg_get_thread(Object *obj, Error **errp)
{
    return g_strdup(TCG_ACCEL(obj)->thread);
}

static void tcg_set_thread(Object *obj, const char *v, Error **errp)
{
    if (!strcmp(v, "multi")) {
        error_setg(errp, "tcg: thread=multi (one host thread per vCPU running guest code "
                   "in parallel) is not implemented yet; use thread=single");
        return;
    }
    if (strcmp(v, "single")) {
        error_setg(errp, "tcg: thread '%s' is unknown (use single)", v);
        return;
    }
    g_free(TCG_ACCEL(obj)->thread);
    TCG_ACCEL(obj)->thread = g_strdup(v);
}

/* ---- the generic vCPU thread model's hooks ---- */

static void tcg_kick_hook(CPUState *cpu)
{
    cpu_kick(cpu);
}

static bool tcg_init_vcpu_thread(CPUState *cpu, Error **errp)
{
    tcg_engine_cpu_init(cpu);
    return true;
}

static void tcg_destroy_vcpu_thread(CPUState *cpu)
{
    tcg_engine_cpu_destroy(cpu);
}

static int tcg_exec_vcpu(CPUState *cpu)
{
    bql_unlock();
    int r = tcg_cpu_exec(cpu);
    bql_lock();
    cpu->exits++;
    switch (r) {
    case EXCP_HLT:
        return EXCP_HLT;
    case EXCP_FATAL:
        cpus_request_vm_stop(RUN_STATE_INTERNAL_ERROR);
        return EXCP_FATAL;
    default:
        /* Kicks, slice ends and debug stops: the generic loop looks at stop/work. */
        return EXCP_INTERRUPT;
    }
}

static void tcg_kick_vcpu_thread(CPUState *cpu)
{
    /* cpu_kick set cpu->exit_request; make chained TBs see it at their next entry. */
    tcg_engine_kick(cpu);
}

/*
 * A halted vCPU (HLT, wait-for-SIPI) sleeps until the front end says it has work:
 * an interrupt it would take now. cpu_interrupt() kicks it to look again.
 */
static bool tcg_cpu_thread_is_idle(CPUState *cpu)
{
    const TCGCPUOps *ops = tcg_engine_ops();
    if (ops && ops->has_work) {
        return !ops->has_work(cpu);
    }
    return !(cpu_interrupt_request(cpu) & ~CPU_INTERRUPT_EXITTB);
}

static const AccelOps tcg_accel_ops = {
    .name = "TCG",
    .init_vcpu_thread = tcg_init_vcpu_thread,
    .destroy_vcpu_thread = tcg_destroy_vcpu_thread,
    .exec_vcpu = tcg_exec_vcpu,
    .kick_vcpu_thread = tcg_kick_vcpu_thread,
    .cpu_thread_is_idle = tcg_cpu_thread_is_idle,
};

static void tcg_code_write(hwaddr addr, hwaddr len)
{
    tb_invalidate_phys_range(addr, addr + len);
}

static void tcg_info_jit(GString *out)
{
    tcg_engine_dump_info(out);
}

static bool tcg_init_machine(AccelState *accel, MachineState *ms, Error **errp)
{
    TCGAccelState *s = TCG_ACCEL(accel);
    TCGEngineConfig cfg = {
        .backend = !strcmp(s->backend, "native") ? TCG_BACKEND_NATIVE :
                   !strcmp(s->backend, "tci") ? TCG_BACKEND_TCI : TCG_BACKEND_DEFAULT,
        .code_size = s->tb_size_mib ? s->tb_size_mib << 20 : 0,
    };
    if (!tcg_engine_ops()) {
        error_setg(errp, "tcg: the x86 translator is not built yet, so -accel tcg cannot "
                   "run this machine's CPUs (use -accel kvm where available)");
        return false;
    }
    if (!tcg_engine_init(&cfg, errp)) {
        return false;
    }
    if (tcg_engine_ops()->limitations) {
        warn_report("tcg: %s", tcg_engine_ops()->limitations);
    }
    memory_set_code_write_hook(tcg_code_write);
    tcg_engine_set_kick_hook(tcg_kick_hook);
    cpus_register_accel(&tcg_accel_ops);
    emu_log_mask(LOG_BOOT, "tcg: backend %s (asked: %s), code buffer %" PRIu64 " MiB, "
                 "vCPUs round-robin in one execution slot\n", tcg_engine_backend_name(),
                 s->backend, s->tb_size_mib ? s->tb_size_mib : 64);
    return true;
}

static void tcg_accel_instance_init(Object *obj)
{
    TCGAccelState *s = TCG_ACCEL(obj);
    s->backend = g_strdup("auto");
    s->thread = g_strdup("single");
}

static void tcg_accel_instance_finalize(Object *obj)
{
    TCGAccelState *s = TCG_ACCEL(obj);
    g_free(s->backend);
    g_free(s->thread);
}

static void tcg_accel_class_init(ObjectClass *oc, void *data)
{
    AccelClass *ac = ACCEL_CLASS(oc);
    ac->name = "tcg";
    ac->init_machine = tcg_init_machine;
    object_class_property_add_str(oc, "backend", tcg_get_backend, tcg_set_backend);
    object_class_property_add_str(oc, "thread", tcg_get_thread, tcg_set_thread);
    ObjectProperty *p = object_class_property_add_field(
        oc, "tb-size", PROP_KIND_UINT, offsetof(TCGAccelState, tb_size_mib), 8,
        "code buffer size in MiB (0 = 64)");
    object_property_set_default_uint(p, 0);
}

static void __attribute__((constructor)) tcg_accel_register_monitor(void)
{
    monitor_register_info("jit", "show TCG translation statistics (TB cache, chaining, "
                          "code buffer)", tcg_info_jit);
}

static const TypeInfo tcg_accel_types[] = {
    {
        .name = TYPE_TCG_ACCEL,
        .parent = TYPE_ACCEL,
        .instance_size = sizeof(TCGAccelState),
        .instance_init = tcg_accel_instance_init,
        .instance_finalize = tcg_accel_instance_finalize,
        .class_init = tcg_accel_class_init,
    },
};
DEFINE_TYPES(tcg_accel_types)
