/* -device parsing, device help listings and `info qtree`. */
#include "hw/core/qdev.h"
#include "hw/core/machine.h"
#include "util/keyval.h"

static const char *const category_names[DEVICE_CATEGORY__MAX] = {
    [DEVICE_CATEGORY_BRIDGE] = "Controller/Bridge/Hub devices",
    [DEVICE_CATEGORY_USB] = "USB devices",
    [DEVICE_CATEGORY_STORAGE] = "Storage devices",
    [DEVICE_CATEGORY_NETWORK] = "Network devices",
    [DEVICE_CATEGORY_INPUT] = "Input devices",
    [DEVICE_CATEGORY_DISPLAY] = "Display devices",
    [DEVICE_CATEGORY_SOUND] = "Sound devices",
    [DEVICE_CATEGORY_MISC] = "Misc devices",
    [DEVICE_CATEGORY_CPU] = "CPU devices",
};

void qdev_print_device_list(GString *out)
{
    GSList *list = object_class_get_list(TYPE_DEVICE, false);
    bool first = true;
    for (int cat = 0; cat < DEVICE_CATEGORY__MAX; cat++) {
        bool header = false;
        for (GSList *l = list; l; l = l->next) {
            DeviceClass *dc = DEVICE_CLASS(l->data);
            if (!dc->user_creatable || (int)dc->category != cat) {
                continue;
            }
            if (!header) {
                g_string_append_printf(out, "%s%s:\n", first ? "" : "\n",
                                       category_names[cat]);
                header = true;
                first = false;
            }
            g_string_append_printf(out, "name \"%s\"", object_class_get_name(l->data));
            if (dc->bus_type) {
                g_string_append_printf(out, ", bus %s", dc->bus_type);
            }
            if (dc->desc) {
                g_string_append_printf(out, ", desc \"%s\"", dc->desc);
            }
            g_string_append_c(out, '\n');
        }
    }
    if (first) {
        g_string_append(out, "No user-creatable devices are built in yet.\n");
    }
    g_slist_free(list);
}

static DeviceClass *find_user_device(const char *driver, Error **errp)
{
    ObjectClass *oc = object_class_by_name(driver);
    if (!oc || !object_class_dynamic_cast(oc, TYPE_DEVICE) ||
        object_class_is_abstract(oc)) {
        error_setg(errp, "'%s' is not a valid device model name", driver);
        return NULL;
    }
    DeviceClass *dc = DEVICE_CLASS(oc);
    if (!dc->user_creatable) {
        error_setg(errp, "device '%s' cannot be created with -device", driver);
        return NULL;
    }
    return dc;
}

bool qdev_print_device_props(const char *driver, GString *out, Error **errp)
{
    DeviceClass *dc = find_user_device(driver, errp);
    if (!dc) {
        return false;
    }
    g_string_append_printf(out, "%s options:\n", driver);
    GString *props = g_string_new(NULL);
    object_class_print_properties(OBJECT_CLASS(dc), props);
    /* "realized" is internal, as in QEMU's listing. */
    char **lines = g_strsplit(props->str, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (**l && !g_str_has_prefix(*l, "  realized=")) {
            g_string_append_printf(out, "%s\n", *l);
        }
    }
    g_strfreev(lines);
    g_string_free(props, TRUE);
    return true;
}

static bool id_is_valid(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.' && *p != '_') {
            return false;
        }
    }
    return true;
}

typedef struct {
    const char *type;
    BusState *found;
} BusTypeSearch;

static int bus_type_visit(Object *obj, void *opaque)
{
    BusTypeSearch *s = opaque;
    BusState *bus = (BusState *)object_dynamic_cast(obj, TYPE_BUS);
    if (bus && object_dynamic_cast(obj, s->type)) {
        BusClass *bc = BUS_GET_CLASS(bus);
        if (!bc->max_dev || bus->num_children < bc->max_dev) {
            s->found = bus;
            return 1;
        }
    }
    return 0;
}

typedef struct {
    Object *obj;
} SetPropCtx;

static bool set_one_prop(const char *key, const char *value, void *opaque, Error **errp)
{
    SetPropCtx *c = opaque;
    if (!object_property_find(c->obj, key)) {
        error_setg(errp, "-device %s: no property '%s' (see -device %s,help)",
                   object_get_typename(c->obj), key, object_get_typename(c->obj));
        return false;
    }
    Error *err = NULL;
    if (!object_property_parse(c->obj, key, value, &err)) {
        error_setg(errp, "-device %s: %s", object_get_typename(c->obj),
                   error_get_pretty(err));
        error_free(err);
        return false;
    }
    return true;
}

static int anon_count;

DeviceState *qdev_device_add(Opts *opts, Error **errp)
{
    const char *driver = opts_get(opts, "driver");
    if (!driver || !*driver) {
        error_setg(errp, "-device: 'driver' is missing (use -device help for a list)");
        return NULL;
    }
    DeviceClass *dc = find_user_device(driver, errp);
    if (!dc) {
        return NULL;
    }
    const char *id = opts_get(opts, "id");
    if (id) {
        if (!id_is_valid(id)) {
            error_setg(errp, "-device %s: invalid id '%s' (letters, digits, '-', '.', "
                       "'_', starting with a letter)", driver, id);
            return NULL;
        }
        if (qdev_find_by_id(id)) {
            error_setg(errp, "-device %s: duplicate id '%s'", driver, id);
            return NULL;
        }
    }
    BusState *bus = NULL;
    const char *busname = opts_get(opts, "bus");
    if (busname) {
        bus = qbus_find(busname, errp);
        if (!bus) {
            return NULL;
        }
        if (!dc->bus_type || !object_dynamic_cast(OBJECT(bus), dc->bus_type)) {
            error_setg(errp, "-device %s: bus '%s' is a '%s', the device needs %s",
                       driver, busname, object_get_typename(OBJECT(bus)),
                       dc->bus_type ? dc->bus_type : "no bus");
            return NULL;
        }
    } else if (dc->bus_type) {
        BusTypeSearch s = { .type = dc->bus_type };
        object_child_foreach_recursive(object_get_root(), bus_type_visit, &s);
        if (!s.found) {
            error_setg(errp, "-device %s: no free '%s' bus for this device", driver,
                       dc->bus_type);
            return NULL;
        }
        bus = s.found;
    }

    DeviceState *dev = qdev_new(driver);
    SetPropCtx ctx = { .obj = OBJECT(dev) };
    if (!opts_foreach_unused(opts, set_one_prop, &ctx, errp)) {
        object_unref(dev);
        return NULL;
    }
    Object *parent;
    g_autofree char *name = NULL;
    if (id) {
        qdev_set_id(dev, id);
        parent = container_get(object_get_root(), "/machine/peripheral");
        name = g_strdup(id);
    } else {
        parent = container_get(object_get_root(), "/machine/peripheral-anon");
        name = g_strdup_printf("device[%d]", anon_count++);
    }
    object_property_add_child(parent, name, OBJECT(dev));
    object_unref(dev);
    Error *err = NULL;
    if (!qdev_realize(dev, bus, &err)) {
        error_setg(errp, "-device %s: %s", driver, error_get_pretty(err));
        error_free(err);
        object_unparent(OBJECT(dev));
        return NULL;
    }
    return dev;
}

static void print_dev(GString *out, DeviceState *dev, int indent);

static void print_bus(GString *out, BusState *bus, int indent)
{
    g_string_append_printf(out, "%*sbus: %s\n", indent, "", bus->name);
    g_string_append_printf(out, "%*s  type %s\n", indent, "",
                           object_get_typename(OBJECT(bus)));
    for (GList *l = bus->children; l; l = l->next) {
        print_dev(out, l->data, indent + 2);
    }
}

static void print_dev(GString *out, DeviceState *dev, int indent)
{
    g_string_append_printf(out, "%*sdev: %s, id \"%s\"\n", indent, "",
                           object_get_typename(OBJECT(dev)), dev->id ? dev->id : "");
    if (dev->parent_bus) {
        BusClass *bc = BUS_GET_CLASS(dev->parent_bus);
        if (bc->print_dev) {
            bc->print_dev(out, dev, indent + 2);
        }
    }
    GPtrArray *props = object_class_property_list(object_get_class(OBJECT(dev)));
    for (guint i = 0; i < props->len; i++) {
        ObjectProperty *p = g_ptr_array_index(props, i);
        if (!p->is_field) {
            continue;
        }
        g_autofree char *v = object_property_print(OBJECT(dev), p->name, NULL);
        g_string_append_printf(out, "%*s%s = \"%s\"\n", indent + 2, "", p->name,
                               v ? v : "");
    }
    g_ptr_array_free(props, TRUE);
    for (GSList *l = dev->child_buses; l; l = l->next) {
        print_bus(out, l->data, indent + 2);
    }
}

static int qtree_visit(Object *obj, void *opaque)
{
    DeviceState *dev = (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE);
    if (!dev) {
        return 0;
    }
    /* The machine's own buses (isa.0, ...) are roots, like QEMU's main-system-bus. */
    if (object_dynamic_cast(obj, TYPE_MACHINE)) {
        for (GSList *l = dev->child_buses; l; l = l->next) {
            print_bus(opaque, l->data, 0);
        }
        return 0;
    }
    /* Roots: realized devices that sit on no bus (buses print their own). */
    if (dev->realized && !dev->parent_bus) {
        print_dev(opaque, dev, 0);
    }
    return 0;
}

void qdev_print_qtree(GString *out)
{
    object_child_foreach_recursive(object_get_root(), qtree_visit, out);
}
