/* -object: creating user-creatable objects from option strings. */
#include "qom/object_interfaces.h"

static bool set_prop(const char *key, const char *value, void *opaque, Error **errp)
{
    Object *obj = opaque;
    Error *err = NULL;
    if (!object_property_find(obj, key)) {
        error_setg(errp, "-object %s: no property '%s'", object_get_typename(obj), key);
        return false;
    }
    if (!object_property_parse(obj, key, value, &err)) {
        error_setg(errp, "-object %s: %s", object_get_typename(obj),
                   error_get_pretty(err));
        error_free(err);
        return false;
    }
    return true;
}

Object *user_creatable_add_opts(Opts *opts, Error **errp)
{
    const char *type = opts_get(opts, "qom-type");
    const char *id = opts_get(opts, "id");
    if (!type || !*type) {
        error_setg(errp, "-object: the object type is missing (use -object help)");
        return NULL;
    }
    ObjectClass *oc = object_class_by_name(type);
    if (!oc || !object_class_dynamic_cast(oc, TYPE_USER_CREATABLE) ||
        object_class_is_abstract(oc)) {
        error_setg(errp, "-object: invalid object type '%s' (use -object help)", type);
        return NULL;
    }
    if (!id || !*id) {
        error_setg(errp, "-object %s: parameter 'id' is missing", type);
        return NULL;
    }
    Object *root = object_get_objects_root();
    if (object_resolve_path_component(root, id)) {
        error_setg(errp, "-object %s: duplicate id '%s'", type, id);
        return NULL;
    }
    Object *obj = object_new(type);
    if (!opts_foreach_unused(opts, set_prop, obj, errp)) {
        object_unref(obj);
        return NULL;
    }
    UserCreatableClass *ucc =
        (UserCreatableClass *)object_get_interface(obj, TYPE_USER_CREATABLE);
    /* In the tree before complete, as QEMU: complete may use its id (thread names). */
    object_property_add_child(root, id, obj);
    object_unref(obj);
    if (ucc->complete && !ucc->complete(obj, errp)) {
        object_unparent(obj);
        return NULL;
    }
    return obj;
}

bool user_creatable_del(const char *id, Error **errp)
{
    Object *obj = object_resolve_path_component(object_get_objects_root(), id);
    if (!obj) {
        error_setg(errp, "object '%s' not found", id);
        return false;
    }
    UserCreatableClass *ucc =
        (UserCreatableClass *)object_get_interface(obj, TYPE_USER_CREATABLE);
    if (!ucc) {
        error_setg(errp, "object '%s' is not a user-creatable object", id);
        return false;
    }
    if (ucc->can_be_deleted && !ucc->can_be_deleted(obj)) {
        error_setg(errp, "object '%s' is in use, can not be deleted", id);
        return false;
    }
    object_unparent(obj);
    return true;
}

static void print_type(ObjectClass *oc, void *opaque)
{
    g_string_append_printf(opaque, "  %s\n", object_class_get_name(oc));
}

void user_creatable_print_types(GString *out)
{
    g_string_append(out, "List of user creatable objects:\n");
    object_class_foreach(print_type, TYPE_USER_CREATABLE, false, out);
}

bool user_creatable_print_props(const char *type, GString *out, Error **errp)
{
    ObjectClass *oc = object_class_by_name(type);
    if (!oc || !object_class_dynamic_cast(oc, TYPE_USER_CREATABLE)) {
        error_setg(errp, "-object: invalid object type '%s'", type);
        return false;
    }
    g_string_append_printf(out, "%s options:\n", type);
    object_class_print_properties(oc, out);
    return true;
}

static const TypeInfo uc_types[] = {
    {
        .name = TYPE_USER_CREATABLE,
        .parent = TYPE_INTERFACE,
        .class_size = sizeof(UserCreatableClass),
    },
};
DEFINE_TYPES(uc_types)
