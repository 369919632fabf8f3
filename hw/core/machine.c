/* Machine base class, the machine registry, and -machine none. */
#include "hw/core/machine.h"
#include "system/memory.h"

static MachineState *current_machine;

MachineState *current_machine_get(void)
{
    return current_machine;
}

void current_machine_set(MachineState *ms)
{
    current_machine = ms;
}

typedef struct {
    const char *name;
    MachineClass *found;
} MachineSearch;

static void machine_search(ObjectClass *oc, void *opaque)
{
    MachineSearch *s = opaque;
    MachineClass *mc = MACHINE_CLASS(oc);
    if (s->found) {
        return;
    }
    if ((mc->name && !strcmp(mc->name, s->name)) ||
        (mc->alias && !strcmp(mc->alias, s->name)) ||
        !strcmp(object_class_get_name(oc), s->name)) {
        s->found = mc;
    }
}

MachineClass *machine_class_find(const char *name)
{
    MachineSearch s = { .name = name };
    object_class_foreach(machine_search, TYPE_MACHINE, false, &s);
    return s.found;
}

static void machine_default_search(ObjectClass *oc, void *opaque)
{
    MachineClass **res = opaque;
    if (!*res && MACHINE_CLASS(oc)->is_default) {
        *res = MACHINE_CLASS(oc);
    }
}

MachineClass *machine_class_default(void)
{
    MachineClass *mc = NULL;
    object_class_foreach(machine_default_search, TYPE_MACHINE, false, &mc);
    return mc;
}

static void machine_list_one(ObjectClass *oc, void *opaque)
{
    GString *out = opaque;
    MachineClass *mc = MACHINE_CLASS(oc);
    if (mc->alias) {
        g_string_append_printf(out, "%-20s %s (alias of %s)\n", mc->alias, mc->desc,
                               mc->name);
    }
    g_string_append_printf(out, "%-20s %s%s\n", mc->name, mc->desc,
                           mc->is_default ? " (default)" : "");
}

void machine_print_list(GString *out)
{
    g_string_append(out, "Supported machines are:\n");
    object_class_foreach(machine_list_one, TYPE_MACHINE, false, out);
}

bool machine_create_ram(MachineState *ms, Error **errp)
{
    ms->ram = g_new0(MemoryRegion, 1);
    if (ms->mem_path) {
        return memory_region_init_ram_from_file(ms->ram, OBJECT(ms), "pc.ram",
                                                ms->ram_size, ms->mem_path, false, errp);
    }
    return memory_region_init_ram(ms->ram, OBJECT(ms), "pc.ram", ms->ram_size, errp);
}

static const Property machine_props[] = {
    DEFINE_PROP_STRING("kernel", MachineState, kernel_filename),
    DEFINE_PROP_STRING("initrd", MachineState, initrd_filename),
    DEFINE_PROP_STRING("append", MachineState, kernel_cmdline),
    DEFINE_PROP_STRING("dtb", MachineState, dtb),
    DEFINE_PROP_STRING("firmware", MachineState, firmware),
    DEFINE_PROP_STRING("memory-path", MachineState, mem_path),
    DEFINE_PROP_BOOL("graphics", MachineState, graphics, true),
    DEFINE_PROP_BOOL("usb", MachineState, usb, false),
    DEFINE_PROP_BOOL("dump-guest-core", MachineState, dump_guest_core, true),
    DEFINE_PROP_BOOL("mem-merge", MachineState, mem_merge, true),
    DEFINE_PROP_END_OF_LIST(),
};

static void machine_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);
    mc->max_cpus = 1;
    mc->min_cpus = 1;
    mc->default_ram_size = 128 * 1024 * 1024;
    mc->block_default_type = IF_IDE;   /* QEMU's PC default */
    object_class_add_static_props(oc, machine_props);
}

static void machine_finalize(Object *obj)
{
    MachineState *ms = MACHINE(obj);
    g_free(ms->cpu_type);
    g_free(ms->boot_order);
    g_free(ms->boot_once);
    g_free(ms->accel);
    if (ms->ram) {
        memory_region_finalize(ms->ram);
        g_free(ms->ram);
    }
}

/* -machine none: no CPU, no devices; with -m, that much RAM at address 0. */
static void machine_none_init(MachineState *ms, Error **errp)
{
    if (ms->ram_size) {
        if (!machine_create_ram(ms, errp)) {
            return;
        }
        memory_region_add_subregion(get_system_memory(), 0, ms->ram);
    }
}

static void machine_none_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);
    mc->name = "none";
    mc->desc = "empty machine";
    mc->init = machine_none_init;
    mc->no_cpus = true;
    mc->max_cpus = 1;
    mc->default_ram_size = 0;
    mc->no_serial = true;
    mc->no_parallel = true;
    mc->no_floppy = true;
    mc->no_cdrom = true;
    mc->block_default_type = IF_NONE;   /* as QEMU: -hda makes an if=none drive */
}

static const TypeInfo machine_types[] = {
    {
        .name = TYPE_MACHINE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(MachineState),
        .instance_finalize = machine_finalize,
        .class_size = sizeof(MachineClass),
        .class_init = machine_class_init,
        .abstract = true,
    },
    {
        .name = MACHINE_TYPE_NAME("none"),
        .parent = TYPE_MACHINE,
        .class_init = machine_none_class_init,
    },
};
DEFINE_TYPES(machine_types)
