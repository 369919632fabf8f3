/* Device and bus base types: realize/unrealize, reset, GPIO lines, properties. */
#include "hw/core/qdev.h"
#include "util/keyval.h"

/* ---- static properties ---- */

void object_class_add_static_props(ObjectClass *oc, const Property *props)
{
    for (const Property *p = props; p->name; p++) {
        ObjectProperty *op = object_class_property_add_field(oc, p->name, p->kind,
                                                             p->offset, p->width,
                                                             p->description);
        op->enum_names = p->enum_names;
        op->set_after_realize = p->set_after_realize;
        if (p->link_type) {
            op->link_type = g_strdup(p->link_type);
            g_free(op->type);
            op->type = g_strdup_printf("link<%s>", p->link_type);
        }
        if (!p->has_default) {
            continue;
        }
        switch (p->kind) {
        case PROP_KIND_BOOL:
            object_property_set_default_bool(op, p->def.b);
            break;
        case PROP_KIND_INT:
            object_property_set_default_int(op, p->def.i);
            break;
        case PROP_KIND_UINT:
        case PROP_KIND_SIZE:
            object_property_set_default_uint(op, p->def.u);
            break;
        case PROP_KIND_ENUM:
            object_property_set_default_str(op, p->enum_names[p->def.i]);
            break;
        case PROP_KIND_STRING:
            if (p->def.s) {
                object_property_set_default_str(op, p->def.s);
            }
            break;
        default:
            break;
        }
    }
}

void device_class_set_props(DeviceClass *dc, const Property *props)
{
    object_class_add_static_props(OBJECT_CLASS(dc), props);
}

static bool device_check_property_set(Object *obj, ObjectProperty *prop, Error **errp)
{
    DeviceState *dev = DEVICE(obj);
    if (dev->realized && prop->is_field && !prop->set_after_realize) {
        error_setg(errp, "property '%s' of device '%s' cannot be changed after it is "
                   "realized", prop->name, object_get_typename(obj));
        return false;
    }
    return true;
}

/* ---- buses ---- */

static void bus_add_child(BusState *bus, DeviceState *dev)
{
    bus->children = g_list_append(bus->children, dev);
    bus->num_children++;
    object_ref(dev);
    dev->parent_bus = bus;
}

static void bus_remove_child(BusState *bus, DeviceState *dev)
{
    bus->children = g_list_remove(bus->children, dev);
    bus->num_children--;
    dev->parent_bus = NULL;
    object_unref(dev);
}

static GHashTable *bus_counters;

/* Name the bus (like QEMU: "<parent id>.N" or "<bus type>.N") and hang it under
 * its parent device; the child property then holds the only reference. */
static void bus_attach(BusState *bus, const char *typename, DeviceState *parent,
                       const char *name)
{
    if (name) {
        bus->name = g_strdup(name);
    } else {
        if (!bus_counters) {
            bus_counters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        }
        const char *base = parent && parent->id ? parent->id : typename;
        int idx = GPOINTER_TO_INT(g_hash_table_lookup(bus_counters, base));
        g_hash_table_insert(bus_counters, g_strdup(base), GINT_TO_POINTER(idx + 1));
        bus->name = g_strdup_printf("%s.%d", base, idx);
    }
    bus->parent = parent;
    if (parent) {
        parent->child_buses = g_slist_append(parent->child_buses, bus);
        object_property_add_child(OBJECT(parent), bus->name, OBJECT(bus));
        object_unref(bus);
    }
}

void qbus_init(void *b, size_t size, const char *typename, DeviceState *parent,
               const char *name)
{
    object_initialize(b, size, typename);
    bus_attach(b, typename, parent, name);
}

BusState *qbus_new(const char *typename, DeviceState *parent, const char *name)
{
    BusState *bus = BUS(object_new(typename));
    bus_attach(bus, typename, parent, name);
    return bus;
}

static void bus_finalize(Object *obj)
{
    BusState *bus = BUS(obj);
    while (bus->children) {
        bus_remove_child(bus, bus->children->data);
    }
    g_free(bus->name);
}

BusState *qdev_get_child_bus(DeviceState *dev, const char *name)
{
    for (GSList *l = dev->child_buses; l; l = l->next) {
        BusState *bus = l->data;
        if (!strcmp(bus->name, name)) {
            return bus;
        }
    }
    return NULL;
}

typedef struct {
    const char *name;
    BusState *found;
} BusSearch;

static int bus_search_visit(Object *obj, void *opaque)
{
    BusSearch *s = opaque;
    BusState *bus = (BusState *)object_dynamic_cast(obj, TYPE_BUS);
    if (bus && !strcmp(bus->name, s->name)) {
        s->found = bus;
        return 1;
    }
    return 0;
}

BusState *qbus_find(const char *name_or_path, Error **errp)
{
    if (name_or_path[0] == '/') {
        Object *obj = object_resolve_path_type(name_or_path, TYPE_BUS, NULL);
        if (!obj) {
            error_setg(errp, "Bus '%s' not found", name_or_path);
        }
        return obj ? BUS(obj) : NULL;
    }
    BusSearch s = { .name = name_or_path };
    object_child_foreach_recursive(object_get_root(), bus_search_visit, &s);
    if (!s.found) {
        error_setg(errp, "Bus '%s' not found", name_or_path);
    }
    return s.found;
}

/* ---- devices ---- */

DeviceState *qdev_new(const char *typename)
{
    return DEVICE(object_new(typename));
}

void qdev_set_parent_bus(DeviceState *dev, BusState *bus)
{
    if (dev->parent_bus) {
        bus_remove_child(dev->parent_bus, dev);
    }
    if (bus) {
        bus_add_child(bus, dev);
    }
}

void qdev_set_id(DeviceState *dev, const char *id)
{
    g_free(dev->id);
    dev->id = g_strdup(id);
}

static int unattached_count;

bool qdev_realize(DeviceState *dev, BusState *bus, Error **errp)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    Error *err = NULL;

    g_assert(!dev->realized);
    if (bus) {
        if (dc->bus_type && !object_dynamic_cast(OBJECT(bus), dc->bus_type)) {
            error_setg(errp, "device '%s' needs a bus of type '%s', '%s' is a '%s'",
                       object_get_typename(OBJECT(dev)), dc->bus_type, bus->name,
                       object_get_typename(OBJECT(bus)));
            return false;
        }
        BusClass *bc = BUS_GET_CLASS(bus);
        if (bc->max_dev && bus->num_children >= bc->max_dev) {
            error_setg(errp, "bus '%s' is full (at most %d devices)", bus->name,
                       bc->max_dev);
            return false;
        }
        if (bc->check_address && !bc->check_address(bus, dev, errp)) {
            return false;
        }
        qdev_set_parent_bus(dev, bus);
    } else if (dc->bus_type) {
        error_setg(errp, "device '%s' needs a bus of type '%s'",
                   object_get_typename(OBJECT(dev)), dc->bus_type);
        return false;
    }
    if (!OBJECT(dev)->parent) {
        Object *unattached = container_get(object_get_root(), "/machine/unattached");
        g_autofree char *name = g_strdup_printf("device[%d]", unattached_count++);
        object_property_add_child(unattached, name, OBJECT(dev));
    }
    if (dc->realize) {
        dc->realize(dev, &err);
    }
    if (err) {
        error_propagate(errp, err);
        if (dev->parent_bus) {
            bus_remove_child(dev->parent_bus, dev);
        }
        return false;
    }
    dev->realized = true;
    for (GSList *l = dev->child_buses; l; l = l->next) {
        ((BusState *)l->data)->realized = true;
    }
    return true;
}

bool qdev_realize_and_unref(DeviceState *dev, BusState *bus, Error **errp)
{
    bool ok = qdev_realize(dev, bus, errp);
    object_unref(dev);
    return ok;
}

void qdev_unrealize(DeviceState *dev)
{
    if (!dev->realized) {
        return;
    }
    for (GSList *l = dev->child_buses; l; l = l->next) {
        BusState *bus = l->data;
        GList *kids = g_list_copy(bus->children);
        for (GList *k = kids; k; k = k->next) {
            object_unparent(OBJECT(k->data));
        }
        g_list_free(kids);
        bus->realized = false;
    }
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    if (dc->unrealize) {
        dc->unrealize(dev);
    }
    dev->realized = false;
}

static void device_unparent(Object *obj)
{
    DeviceState *dev = DEVICE(obj);
    qdev_unrealize(dev);
    if (dev->parent_bus) {
        bus_remove_child(dev->parent_bus, dev);
    }
}

static bool device_get_realized(Object *obj, Error **errp)
{
    return DEVICE(obj)->realized;
}

static void device_set_realized(Object *obj, bool value, Error **errp)
{
    DeviceState *dev = DEVICE(obj);
    if (value && !dev->realized) {
        qdev_realize(dev, dev->parent_bus, errp);
    } else if (!value && dev->realized) {
        qdev_unrealize(dev);
    }
}

void qdev_reset(DeviceState *dev, ResetType type)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    if (dc->reset) {
        dc->reset(dev, type);
    }
    for (GSList *l = dev->child_buses; l; l = l->next) {
        BusState *bus = l->data;
        for (GList *k = bus->children; k; k = k->next) {
            qdev_reset(k->data, type);
        }
    }
}

static int reset_visit(Object *obj, void *opaque)
{
    DeviceState *dev = (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE);
    if (dev && dev->realized) {
        DeviceClass *dc = DEVICE_GET_CLASS(dev);
        if (dc->reset) {
            dc->reset(dev, *(ResetType *)opaque);
        }
    }
    return 0;
}

void qdev_reset_all_devices(ResetType type)
{
    /* Every device lives somewhere in the composition tree: reset each once. */
    object_child_foreach_recursive(object_get_root(), reset_visit, &type);
}

typedef struct {
    const char *id;
    DeviceState *found;
} IdSearch;

static int id_visit(Object *obj, void *opaque)
{
    IdSearch *s = opaque;
    DeviceState *dev = (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE);
    if (dev && dev->id && !strcmp(dev->id, s->id)) {
        s->found = dev;
        return 1;
    }
    return 0;
}

DeviceState *qdev_find_by_id(const char *id)
{
    IdSearch s = { .id = id };
    object_child_foreach_recursive(object_get_root(), id_visit, &s);
    return s.found;
}

/* ---- GPIO ---- */

NamedGPIOList *qdev_get_named_gpio_list(DeviceState *dev, const char *name)
{
    for (NamedGPIOList *l = dev->gpios; l; l = l->next) {
        if (g_strcmp0(l->name, name) == 0) {
            return l;
        }
    }
    NamedGPIOList *l = g_new0(NamedGPIOList, 1);
    l->name = g_strdup(name);
    l->next = dev->gpios;
    dev->gpios = l;
    return l;
}

void qdev_init_gpio_in_named(DeviceState *dev, qemu_irq_handler handler,
                             const char *name, int n)
{
    NamedGPIOList *l = qdev_get_named_gpio_list(dev, name);
    l->in = g_renew(qemu_irq, l->in, l->num_in + n);
    for (int i = 0; i < n; i++) {
        l->in[l->num_in + i] = qemu_allocate_irq(handler, dev, l->num_in + i);
    }
    l->num_in += n;
}

void qdev_init_gpio_in(DeviceState *dev, qemu_irq_handler handler, int n)
{
    qdev_init_gpio_in_named(dev, handler, NULL, n);
}

void qdev_init_gpio_out_named(DeviceState *dev, qemu_irq *pins, const char *name, int n)
{
    NamedGPIOList *l = qdev_get_named_gpio_list(dev, name);
    l->out = g_renew(qemu_irq *, l->out, l->num_out + n);
    for (int i = 0; i < n; i++) {
        l->out[l->num_out + i] = &pins[i];
    }
    l->num_out += n;
}

void qdev_init_gpio_out(DeviceState *dev, qemu_irq *pins, int n)
{
    qdev_init_gpio_out_named(dev, pins, NULL, n);
}

qemu_irq qdev_get_gpio_in_named(DeviceState *dev, const char *name, int n)
{
    NamedGPIOList *l = qdev_get_named_gpio_list(dev, name);
    g_assert(n >= 0 && n < l->num_in);
    return l->in[n];
}

qemu_irq qdev_get_gpio_in(DeviceState *dev, int n)
{
    return qdev_get_gpio_in_named(dev, NULL, n);
}

void qdev_connect_gpio_out_named(DeviceState *dev, const char *name, int n, qemu_irq irq)
{
    NamedGPIOList *l = qdev_get_named_gpio_list(dev, name);
    g_assert(n >= 0 && n < l->num_out);
    *l->out[n] = irq;
}

void qdev_connect_gpio_out(DeviceState *dev, int n, qemu_irq irq)
{
    qdev_connect_gpio_out_named(dev, NULL, n, irq);
}

static void device_finalize(Object *obj)
{
    DeviceState *dev = DEVICE(obj);
    NamedGPIOList *l = dev->gpios;
    while (l) {
        NamedGPIOList *next = l->next;
        for (int i = 0; i < l->num_in; i++) {
            qemu_free_irq(l->in[i]);
        }
        g_free(l->in);
        g_free(l->out);
        g_free(l->name);
        g_free(l);
        l = next;
    }
    g_slist_free(dev->child_buses);
    g_free(dev->id);
}

/* ---- -global ---- */

typedef struct {
    char *driver;
    char *prop;
    char *value;
} GlobalProp;

static GPtrArray *global_props;

bool qdev_add_global(const char *driver, const char *prop, const char *value,
                     Error **errp)
{
    ObjectClass *oc = object_class_by_name(driver);
    if (!oc || !object_class_dynamic_cast(oc, TYPE_DEVICE)) {
        error_setg(errp, "-global %s.%s: '%s' is not a device type", driver, prop, driver);
        return false;
    }
    ObjectProperty *op = object_class_property_find(oc, prop);
    if (!op || !op->set) {
        error_setg(errp, "-global %s.%s: '%s' has no property '%s'", driver, prop,
                   driver, prop);
        return false;
    }
    if (!global_props) {
        global_props = g_ptr_array_new();
    }
    GlobalProp *g = g_new0(GlobalProp, 1);
    g->driver = g_strdup(driver);
    g->prop = g_strdup(prop);
    g->value = g_strdup(value);
    g_ptr_array_add(global_props, g);
    return true;
}

static void device_post_init(Object *obj)
{
    for (guint i = 0; global_props && i < global_props->len; i++) {
        GlobalProp *g = g_ptr_array_index(global_props, i);
        if (!object_dynamic_cast(obj, g->driver)) {
            continue;
        }
        Error *err = NULL;
        if (!object_property_parse(obj, g->prop, g->value, &err)) {
            /* Only reachable at start-up, where a bad -global is fatal. */
            error_prepend(&err, "-global %s.%s=%s: ", g->driver, g->prop, g->value);
            error_report_err(err);
            exit(1);
        }
    }
}

static void device_class_init(ObjectClass *oc, void *data)
{
    oc->unparent = device_unparent;
    oc->check_property_set = device_check_property_set;
    object_class_property_add_bool(oc, "realized", device_get_realized,
                                   device_set_realized);
}

static const TypeInfo qdev_types[] = {
    {
        .name = TYPE_DEVICE,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(DeviceState),
        .instance_post_init = device_post_init,
        .instance_finalize = device_finalize,
        .class_size = sizeof(DeviceClass),
        .class_init = device_class_init,
        .abstract = true,
    },
    {
        .name = TYPE_BUS,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(BusState),
        .instance_finalize = bus_finalize,
        .class_size = sizeof(BusClass),
        .abstract = true,
    },
};
DEFINE_TYPES(qdev_types)
