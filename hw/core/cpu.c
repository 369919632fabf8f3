/*
 * The abstract CPU device: the list of CPUs, cpu_index allocation, and starting
 * and stopping the vCPU thread around realize/unrealize. The thread itself and
 * run control live in system/cpus.c.
 */
#include "hw/core/cpu.h"
#include "system/cpus.h"
#include "system/main-loop.h"
#include "monitor/monitor.h"

CPUState *first_cpu;
__thread CPUState *current_cpu;

CPUState *cpu_by_index(int index)
{
    CPUState *cpu;
    CPU_FOREACH(cpu) {
        if (cpu->cpu_index == index) {
            return cpu;
        }
    }
    return NULL;
}

CPUState *cpu_by_arch_id(int64_t id)
{
    CPUState *cpu;
    CPU_FOREACH(cpu) {
        if (cpu_get_arch_id(cpu) == id) {
            return cpu;
        }
    }
    return NULL;
}

int cpu_count(void)
{
    int n = 0;
    CPUState *cpu;
    CPU_FOREACH(cpu) {
        n++;
    }
    return n;
}

void cpu_reset(CPUState *cpu)
{
    CPUClass *cc = CPU_GET_CLASS(cpu);
    cpu->halted = false;
    if (cc->reset) {
        cc->reset(cpu);
    }
}

int64_t cpu_get_arch_id(CPUState *cpu)
{
    CPUClass *cc = CPU_GET_CLASS(cpu);
    return cc->get_arch_id ? cc->get_arch_id(cpu) : cpu->cpu_index;
}

void cpu_dump_state(CPUState *cpu, GString *out, int flags)
{
    CPUClass *cc = CPU_GET_CLASS(cpu);
    if (cc->dump_state) {
        cc->dump_state(cpu, out, flags);
    } else {
        g_string_append_printf(out, "CPU#%d: no register dump for %s\n", cpu->cpu_index,
                               object_get_typename(OBJECT(cpu)));
    }
}

/* `info cpus`, as QEMU prints it, plus the exits each vCPU took to emu. */
static void info_cpus(GString *out)
{
    CPUState *cpu;
    if (!first_cpu) {
        g_string_append(out, "No CPU (this machine or accelerator runs none)\n");
        return;
    }
    CPU_FOREACH(cpu) {
        g_string_append_printf(out, "%c CPU #%d: arch_id=%" PRId64 " thread_id=%d%s%s "
                               "exits=%" PRIu64 "\n", cpu == first_cpu ? '*' : ' ',
                               cpu->cpu_index, cpu_get_arch_id(cpu), cpu->thread_id,
                               cpu->halted ? " (halted)" : "",
                               cpu->stopped ? " (stopped)" : "", cpu->exits);
    }
}

/*
 * QMP query-cpus-fast, QEMU's shape: index, QOM path, host thread and the
 * topology ids the CPU was placed at (its socket-id/die-id/core-id/thread-id
 * properties, when the CPU type has them).
 */
static JsonNode *qmp_query_cpus_fast(JsonObject *args, Error **errp)
{
    static const char *const ids[] = { "socket-id", "die-id", "core-id", "thread-id" };
    JsonArray *arr = json_array_new();
    CPUState *cpu;
    CPU_FOREACH(cpu) {
        JsonObject *o = json_object_new();
        JsonObject *props = json_object_new();
        g_autofree char *path = object_get_canonical_path(OBJECT(cpu));
        json_object_set_int_member(o, "cpu-index", cpu->cpu_index);
        json_object_set_string_member(o, "qom-path", path);
        json_object_set_int_member(o, "thread-id", cpu->thread_id);
        json_object_set_string_member(o, "target", "x86_64");
        for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
            if (object_property_find(OBJECT(cpu), ids[i])) {
                json_object_set_int_member(props, ids[i],
                                           object_property_get_uint(OBJECT(cpu), ids[i],
                                                                    &error_abort));
            }
        }
        json_object_set_object_member(o, "props", props);
        json_array_add_object_element(arr, o);
    }
    JsonNode *n = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(n, arr);
    return n;
}

static const MonitorCommand query_cpus_fast_cmd = {
    .name = "query-cpus-fast",
    .help = "the CPUs: index, QOM path, host thread and topology ids",
    .qmp = qmp_query_cpus_fast,
};

static void register_info(void)
{
    monitor_register_info("cpus", "show infos for each CPU", info_cpus);
    monitor_register_command(&query_cpus_fast_cmd);
}
type_init(register_info)

/* Insert in cpu_index order, taking the lowest free index. */
static void cpu_list_add(CPUState *cpu)
{
    CPUState **pp = &first_cpu;
    int index = 0;
    while (*pp && (*pp)->cpu_index == index) {
        pp = &(*pp)->next_cpu;
        index++;
    }
    cpu->cpu_index = index;
    cpu->next_cpu = *pp;
    *pp = cpu;
}

static void cpu_list_remove(CPUState *cpu)
{
    for (CPUState **pp = &first_cpu; *pp; pp = &(*pp)->next_cpu) {
        if (*pp == cpu) {
            *pp = cpu->next_cpu;
            cpu->next_cpu = NULL;
            return;
        }
    }
}

static void cpu_realize(DeviceState *dev, Error **errp)
{
    CPUState *cpu = CPU(dev);
    bool locked = bql_locked();

    if (!locked) {
        bql_lock();
    }
    cpu_list_add(cpu);
    cpu_reset(cpu);
    if (cpus_get_accel() && !cpus_start_vcpu(cpu, errp)) {
        cpu_list_remove(cpu);
    }
    if (!locked) {
        bql_unlock();
    }
}

static void cpu_unrealize(DeviceState *dev)
{
    CPUState *cpu = CPU(dev);
    bool locked = bql_locked();

    if (!locked) {
        bql_lock();
    }
    cpus_stop_vcpu(cpu);
    cpu_list_remove(cpu);
    if (!locked) {
        bql_unlock();
    }
}

static void cpu_instance_init(Object *obj)
{
    CPUState *cpu = CPU(obj);
    g_cond_init(&cpu->halt_cond);
    cpu->cpu_index = -1;
}

static void cpu_instance_finalize(Object *obj)
{
    CPUState *cpu = CPU(obj);
    g_assert(!cpu->thread);
    cpu_list_remove(cpu);
    g_cond_clear(&cpu->halt_cond);
}

static void cpu_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->realize = cpu_realize;
    dc->unrealize = cpu_unrealize;
    dc->category = DEVICE_CATEGORY_CPU;
    dc->user_creatable = false;
}

static const TypeInfo cpu_types[] = {
    {
        .name = TYPE_CPU,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(CPUState),
        .instance_init = cpu_instance_init,
        .instance_finalize = cpu_instance_finalize,
        .abstract = true,
        .class_size = sizeof(CPUClass),
        .class_init = cpu_class_init,
    },
};
DEFINE_TYPES(cpu_types)
