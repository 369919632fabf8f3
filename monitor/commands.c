/*
 * The monitor's own commands: run control, version/status/name, chardevs, the
 * object tree (qom-*), memory and device trees. Each feature is implemented
 * once as a QMP function; the HMP form calls it and prints the result.
 */
#include "monitor-internal.h"
#include "qom/object.h"
#include "qom/object_interfaces.h"
#include "hw/core/qdev.h"
#include "system/memory.h"
#include "system/runstate.h"

static JsonNode *node_take_object(JsonObject *obj)
{
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(n, obj);
    return n;
}

static JsonNode *node_take_array(JsonArray *arr)
{
    JsonNode *n = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(n, arr);
    return n;
}

/* Run a QMP implementation for HMP: errors are printed, the result dropped. */
static void hmp_via_qmp(Monitor *mon, MonitorQmpFunc *fn, JsonObject *args)
{
    Error *err = NULL;
    JsonNode *ret = fn(args, &err);
    if (ret) {
        json_node_unref(ret);
    }
    hmp_handle_error(mon, err);
}

/* ---- run control ---- */

static JsonNode *qmp_stop(JsonObject *args, Error **errp)
{
    /* Not running (prelaunch, shutdown...): nothing to stop, keep the reason. */
    if (runstate_is_running()) {
        vm_stop(RUN_STATE_PAUSED);
    }
    return NULL;
}

static JsonNode *qmp_cont(JsonObject *args, Error **errp)
{
    if (runstate_check(RUN_STATE_SHUTDOWN) || runstate_check(RUN_STATE_INTERNAL_ERROR) ||
        runstate_check(RUN_STATE_GUEST_PANICKED)) {
        error_setg(errp, "Resetting the Virtual Machine is required");
        return NULL;
    }
    if (runstate_check(RUN_STATE_INMIGRATE)) {
        error_setg(errp, "The VM is waiting for an incoming migration");
        return NULL;
    }
    vm_start();
    return NULL;
}

static JsonNode *qmp_system_reset(JsonObject *args, Error **errp)
{
    system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    return NULL;
}

static JsonNode *qmp_system_powerdown(JsonObject *args, Error **errp)
{
    system_powerdown_request();
    return NULL;
}

static JsonNode *qmp_quit(JsonObject *args, Error **errp)
{
    /*
     * The main loop acts on this after the reply went out (replies are
     * written synchronously), then emits SHUTDOWN and exits with status 0.
     */
    system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    return NULL;
}

static void hmp_stop(Monitor *mon, JsonObject *args)
{
    hmp_via_qmp(mon, qmp_stop, args);
}

static void hmp_cont(Monitor *mon, JsonObject *args)
{
    hmp_via_qmp(mon, qmp_cont, args);
}

static void hmp_system_reset(Monitor *mon, JsonObject *args)
{
    hmp_via_qmp(mon, qmp_system_reset, args);
}

static void hmp_system_powerdown(Monitor *mon, JsonObject *args)
{
    hmp_via_qmp(mon, qmp_system_powerdown, args);
}

static void hmp_quit(Monitor *mon, JsonObject *args)
{
    hmp_via_qmp(mon, qmp_quit, args);
}

/* ---- version, status, name ---- */

static JsonNode *qmp_query_version(JsonObject *args, Error **errp)
{
    int major = 0, minor = 0, micro = 0;
    sscanf(EMU_VERSION, "%d.%d.%d", &major, &minor, &micro);
    JsonObject *qemu = json_object_new();
    json_object_set_int_member(qemu, "major", major);
    json_object_set_int_member(qemu, "minor", minor);
    json_object_set_int_member(qemu, "micro", micro);
    JsonObject *ret = json_object_new();
    json_object_set_object_member(ret, "qemu", qemu);
    json_object_set_string_member(ret, "package", "emu");
    return node_take_object(ret);
}

static void info_version(GString *out)
{
    JsonNode *v = qmp_query_version(NULL, NULL);
    JsonObject *q = json_object_get_object_member(json_node_get_object(v), "qemu");
    g_string_append_printf(out, "%" PRId64 ".%" PRId64 ".%" PRId64 "\n",
                           json_object_get_int_member(q, "major"),
                           json_object_get_int_member(q, "minor"),
                           json_object_get_int_member(q, "micro"));
    json_node_unref(v);
}

static JsonNode *qmp_query_status(JsonObject *args, Error **errp)
{
    JsonObject *ret = json_object_new();
    json_object_set_string_member(ret, "status", runstate_name(runstate_get()));
    json_object_set_boolean_member(ret, "running", runstate_is_running());
    json_object_set_boolean_member(ret, "singlestep", false);
    return node_take_object(ret);
}

static void info_status(GString *out)
{
    JsonNode *v = qmp_query_status(NULL, NULL);
    JsonObject *o = json_node_get_object(v);
    bool running = json_object_get_boolean_member(o, "running");
    const char *status = json_object_get_string_member(o, "status");
    /* QEMU's wording: the reason only when it is not a plain pause. */
    g_string_append_printf(out, "VM status: %s", running ? "running" : "paused");
    if (!running && strcmp(status, "paused")) {
        g_string_append_printf(out, " (%s)", status);
    }
    g_string_append_c(out, '\n');
    json_node_unref(v);
}

static JsonNode *qmp_query_name(JsonObject *args, Error **errp)
{
    JsonObject *ret = json_object_new();
    if (monitor_get_vm_name()) {
        json_object_set_string_member(ret, "name", monitor_get_vm_name());
    }
    return node_take_object(ret);
}

static void info_name(GString *out)
{
    if (monitor_get_vm_name()) {
        g_string_append_printf(out, "%s\n", monitor_get_vm_name());
    }
}

/* ---- chardevs ---- */

static void chardev_to_json(Chardev *chr, void *opaque)
{
    JsonObject *o = json_object_new();
    json_object_set_string_member(o, "label", chr->label ? chr->label : "");
    json_object_set_string_member(o, "filename", chr->filename ? chr->filename : "");
    json_object_set_boolean_member(o, "frontend-open", chr->be && chr->be->fe_open);
    json_array_add_object_element(opaque, o);
}

static JsonNode *qmp_query_chardev(JsonObject *args, Error **errp)
{
    JsonArray *arr = json_array_new();
    qemu_chr_foreach(chardev_to_json, arr);
    return node_take_array(arr);
}

static void info_chardev(GString *out)
{
    JsonNode *v = qmp_query_chardev(NULL, NULL);
    JsonArray *arr = json_node_get_array(v);
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);
        g_string_append_printf(out, "%s: filename=%s\n",
                               json_object_get_string_member(o, "label"),
                               json_object_get_string_member(o, "filename"));
    }
    json_node_unref(v);
}

/* ---- the object tree ---- */

static Object *qom_resolve(const char *path, Error **errp)
{
    bool ambiguous = false;
    Object *obj = object_resolve_path(path, &ambiguous);
    if (!obj) {
        Error *err = NULL;
        if (ambiguous) {
            error_setg(&err, "Path '%s' is ambiguous", path);
        } else {
            error_setg(&err, "Device '%s' not found", path);
            error_set_class(err, "DeviceNotFound");
        }
        error_propagate(errp, err);
    }
    return obj;
}

static JsonNode *qmp_qom_list(JsonObject *args, Error **errp)
{
    const char *path = json_object_get_string_member_with_default(args, "path", "/");
    Object *obj = qom_resolve(path, errp);
    if (!obj) {
        return NULL;
    }
    JsonArray *arr = json_array_new();
    GPtrArray *props = object_property_list(obj);
    for (guint i = 0; i < props->len; i++) {
        ObjectProperty *prop = g_ptr_array_index(props, i);
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "name", prop->name);
        json_object_set_string_member(o, "type", prop->type);
        if (prop->description) {
            json_object_set_string_member(o, "description", prop->description);
        }
        json_array_add_object_element(arr, o);
    }
    g_ptr_array_free(props, TRUE);
    return node_take_array(arr);
}

static void hmp_qom_list(Monitor *mon, JsonObject *args)
{
    Error *err = NULL;
    JsonNode *v = qmp_qom_list(args, &err);
    if (!v) {
        hmp_handle_error(mon, err);
        return;
    }
    JsonArray *arr = json_node_get_array(v);
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);
        monitor_printf(mon, "%s (%s)\n", json_object_get_string_member(o, "name"),
                       json_object_get_string_member(o, "type"));
    }
    json_node_unref(v);
}

static JsonNode *variant_to_json(GVariant *v)
{
    JsonNode *n;
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN)) {
        n = json_node_new(JSON_NODE_VALUE);
        json_node_set_boolean(n, g_variant_get_boolean(v));
    } else if (g_variant_is_of_type(v, G_VARIANT_TYPE_INT64)) {
        n = json_node_new(JSON_NODE_VALUE);
        json_node_set_int(n, g_variant_get_int64(v));
    } else if (g_variant_is_of_type(v, G_VARIANT_TYPE_UINT64)) {
        uint64_t u = g_variant_get_uint64(v);
        n = json_node_new(JSON_NODE_VALUE);
        if (u <= INT64_MAX) {
            json_node_set_int(n, u);
        } else {
            /* json-glib numbers are int64 or double; keep the value positive. */
            json_node_set_double(n, (double)u);
        }
    } else if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
        n = json_node_new(JSON_NODE_VALUE);
        json_node_set_string(n, g_variant_get_string(v, NULL));
    } else {
        n = json_gvariant_serialize(v);
    }
    return n;
}

static JsonNode *qmp_qom_get(JsonObject *args, Error **errp)
{
    const char *path = json_object_get_string_member(args, "path");
    const char *name = json_object_get_string_member(args, "property");
    Object *obj = qom_resolve(path, errp);
    if (!obj) {
        return NULL;
    }
    GVariant *v = object_property_get(obj, name, errp);
    if (!v) {
        return NULL;
    }
    JsonNode *n = variant_to_json(v);
    g_variant_unref(v);
    return n;
}

static void hmp_qom_get(Monitor *mon, JsonObject *args)
{
    Error *err = NULL;
    JsonNode *v = qmp_qom_get(args, &err);
    if (!v) {
        hmp_handle_error(mon, err);
        return;
    }
    g_autofree char *text = monitor_json_to_string(v, true);
    monitor_printf(mon, "%s\n", text);
    json_node_unref(v);
}

static JsonNode *qmp_qom_set(JsonObject *args, Error **errp)
{
    const char *path = json_object_get_string_member(args, "path");
    const char *name = json_object_get_string_member(args, "property");
    JsonNode *value = json_object_get_member(args, "value");
    Object *obj = qom_resolve(path, errp);
    if (!obj) {
        return NULL;
    }
    GType t = JSON_NODE_HOLDS_VALUE(value) ? json_node_get_value_type(value) : G_TYPE_NONE;
    if (t == G_TYPE_STRING) {
        /* As typed on the command line: "on", "0x10", "1G", a path. */
        object_property_parse(obj, name, json_node_get_string(value), errp);
    } else if (t == G_TYPE_BOOLEAN) {
        object_property_set(obj, name, g_variant_new_boolean(json_node_get_boolean(value)),
                            errp);
    } else if (t == G_TYPE_INT64) {
        object_property_set(obj, name, g_variant_new_int64(json_node_get_int(value)),
                            errp);
    } else {
        error_setg(errp, "Invalid parameter type for 'value', "
                   "expected: boolean, integer or string");
    }
    return NULL;
}

static void hmp_qom_set(Monitor *mon, JsonObject *args)
{
    hmp_via_qmp(mon, qmp_qom_set, args);
}

static JsonNode *qmp_object_del(JsonObject *args, Error **errp)
{
    user_creatable_del(json_object_get_string_member(args, "id"), errp);
    return NULL;
}

static void hmp_object_del(Monitor *mon, JsonObject *args)
{
    hmp_via_qmp(mon, qmp_object_del, args);
}

static gint compare_child_name(gconstpointer a, gconstpointer b)
{
    const Object *oa = *(Object *const *)a;
    const Object *ob = *(Object *const *)b;
    return strcmp(oa->name, ob->name);
}

static int collect_child(Object *child, void *opaque)
{
    g_ptr_array_add(opaque, child);
    return 0;
}

static void qom_tree_print(GString *out, Object *obj, int indent)
{
    g_string_append_printf(out, "%*s/%s (%s)\n", indent, "",
                           obj->name ? obj->name : "", object_get_typename(obj));
    GPtrArray *children = g_ptr_array_new();
    object_child_foreach(obj, collect_child, children);
    g_ptr_array_sort(children, compare_child_name);
    for (guint i = 0; i < children->len; i++) {
        qom_tree_print(out, g_ptr_array_index(children, i), indent + 2);
    }
    g_ptr_array_free(children, TRUE);
}

static void info_qom_tree(GString *out, JsonObject *args)
{
    const char *path = json_object_get_string_member_with_default(args, "path", NULL);
    Object *obj = object_get_root();
    if (path) {
        Error *err = NULL;
        obj = qom_resolve(path, &err);
        if (!obj) {
            g_string_append_printf(out, "Error: %s\n", error_get_pretty(err));
            error_free(err);
            return;
        }
    }
    qom_tree_print(out, obj, 0);
}

/* ---- memory and devices ---- */

static void info_mtree(GString *out, JsonObject *args)
{
    mtree_info(out, json_object_get_boolean_member_with_default(args, "flatview", false));
}

static void info_qtree(GString *out)
{
    qdev_print_qtree(out);
}

/* ---- the table ---- */

static const MonitorCommand monitor_commands[] = {
    {
        .name = "stop",
        .help = "stop emulation",
        .qmp = qmp_stop,
        .hmp = hmp_stop,
    },
    {
        .name = "cont",
        .help = "resume emulation",
        .qmp = qmp_cont,
        .hmp = hmp_cont,
    },
    {
        .name = "system_reset",
        .help = "reset the system",
        .qmp = qmp_system_reset,
        .hmp = hmp_system_reset,
    },
    {
        .name = "system_powerdown",
        .help = "send system power down event",
        .qmp = qmp_system_powerdown,
        .hmp = hmp_system_powerdown,
    },
    {
        .name = "quit",
        .help = "quit the emulator",
        .qmp = qmp_quit,
        .hmp = hmp_quit,
    },
    {
        .name = "query-version",
        .help = "the emulator's version",
        .qmp = qmp_query_version,
    },
    {
        .name = "query-status",
        .help = "the VM's run state",
        .qmp = qmp_query_status,
    },
    {
        .name = "query-name",
        .help = "the VM's name (-name)",
        .qmp = qmp_query_name,
    },
    {
        .name = "query-chardev",
        .help = "the character devices",
        .qmp = qmp_query_chardev,
    },
    {
        .name = "qom-list",
        .args_type = "path:s?",
        .params = "[path]",
        .help = "list the properties of the object at path",
        .qmp = qmp_qom_list,
        .hmp = hmp_qom_list,
    },
    {
        .name = "qom-get",
        .args_type = "path:s,property:s",
        .params = "path property",
        .help = "print a property of the object at path",
        .qmp = qmp_qom_get,
        .hmp = hmp_qom_get,
    },
    {
        .name = "qom-set",
        .args_type = "path:s,property:s,value:V",
        .params = "path property value",
        .help = "set a property of the object at path",
        .qmp = qmp_qom_set,
        .hmp = hmp_qom_set,
    },
    /* QEMU spells it object-del in QMP and object_del in HMP. */
    {
        .name = "object-del",
        .args_type = "id:s",
        .qmp = qmp_object_del,
    },
    {
        .name = "object_del",
        .args_type = "id:s",
        .params = "id",
        .help = "destroy the user-creatable object id (-object ...,id=ID)",
        .hmp = hmp_object_del,
    },
};

static void __attribute__((constructor)) monitor_register_builtin_commands(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(monitor_commands); i++) {
        monitor_register_command(&monitor_commands[i]);
    }
    monitor_register_info("version", "show the version of emu", info_version);
    monitor_register_info("status", "show the current VM status (running|paused)",
                          info_status);
    monitor_register_info("name", "show the current VM name", info_name);
    monitor_register_info("chardev", "show the character devices", info_chardev);
    monitor_register_info("qtree", "show device tree", info_qtree);
    monitor_register_info_args("mtree", "flatview:-f", "[-f]",
                               "show memory tree (-f: flat views)", info_mtree);
    monitor_register_info_args("qom-tree", "path:s?", "[path]",
                               "show QOM composition tree", info_qom_tree);
}
