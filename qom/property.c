/* Object properties: fields, accessors, links; string and GVariant conversions. */
#include "qom/object.h"
#include "util/cutils.h"

const GVariantType *prop_kind_variant_type(PropKind kind)
{
    switch (kind) {
    case PROP_KIND_BOOL:
        return G_VARIANT_TYPE_BOOLEAN;
    case PROP_KIND_INT:
        return G_VARIANT_TYPE_INT64;
    case PROP_KIND_UINT:
    case PROP_KIND_SIZE:
        return G_VARIANT_TYPE_UINT64;
    default:
        return G_VARIANT_TYPE_STRING;
    }
}

static ObjectProperty *property_new(const char *name, const char *type, PropKind kind)
{
    ObjectProperty *prop = g_new0(ObjectProperty, 1);
    prop->name = g_strdup(name);
    prop->type = g_strdup(type);
    prop->kind = kind;
    return prop;
}

static void class_insert(ObjectClass *klass, ObjectProperty *prop)
{
    if (object_class_property_find(klass, prop->name)) {
        fprintf(stderr, "emu: class '%s' already has property '%s'\n",
                object_class_get_name(klass), prop->name);
        abort();
    }
    g_hash_table_insert(klass->properties, prop->name, prop);
}

ObjectProperty *object_class_property_find(ObjectClass *klass, const char *name)
{
    for (; klass; klass = object_class_get_parent(klass)) {
        ObjectProperty *prop = g_hash_table_lookup(klass->properties, name);
        if (prop) {
            return prop;
        }
    }
    return NULL;
}

ObjectProperty *object_property_find(Object *obj, const char *name)
{
    ObjectProperty *prop = object_class_property_find(obj->klass, name);
    return prop ? prop : g_hash_table_lookup(obj->properties, name);
}

void object_property_del(Object *obj, const char *name)
{
    ObjectProperty *prop = g_hash_table_lookup(obj->properties, name);
    if (!prop) {
        return;
    }
    g_hash_table_steal(obj->properties, name);
    if (prop->release) {
        prop->release(obj, prop);
    }
    /* Reinsert-and-remove lets the table's destroy function free it. */
    g_hash_table_insert(obj->properties, prop->name, prop);
    g_hash_table_remove(obj->properties, prop->name);
}

static gint prop_name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp((*(ObjectProperty *const *)a)->name, (*(ObjectProperty *const *)b)->name);
}

static void add_class_props(GPtrArray *arr, GHashTable *seen, ObjectClass *klass)
{
    for (; klass; klass = object_class_get_parent(klass)) {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, klass->properties);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            if (g_hash_table_add(seen, k)) {
                g_ptr_array_add(arr, v);
            }
        }
    }
}

GPtrArray *object_class_property_list(ObjectClass *klass)
{
    GPtrArray *arr = g_ptr_array_new();
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    add_class_props(arr, seen, klass);
    g_hash_table_destroy(seen);
    g_ptr_array_sort(arr, prop_name_cmp);
    return arr;
}

GPtrArray *object_property_list(Object *obj)
{
    GPtrArray *arr = g_ptr_array_new();
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    add_class_props(arr, seen, obj->klass);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, obj->properties);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        if (g_hash_table_add(seen, k)) {
            g_ptr_array_add(arr, v);
        }
    }
    g_hash_table_destroy(seen);
    g_ptr_array_sort(arr, prop_name_cmp);
    return arr;
}

void object_property_set_description(ObjectProperty *prop, const char *desc)
{
    g_free(prop->description);
    prop->description = g_strdup(desc);
}

/* ---- field properties ---- */

static void *field_ptr(Object *obj, ObjectProperty *prop)
{
    return (char *)obj + prop->offset;
}

static int64_t field_read_int(void *p, int width, bool is_signed)
{
    switch (width) {
    case 1: return is_signed ? *(int8_t *)p : *(uint8_t *)p;
    case 2: return is_signed ? *(int16_t *)p : *(uint16_t *)p;
    case 4: return is_signed ? *(int32_t *)p : (int64_t)*(uint32_t *)p;
    default: return *(int64_t *)p;
    }
}

static void field_write_int(void *p, int width, uint64_t v)
{
    switch (width) {
    case 1: *(uint8_t *)p = v; break;
    case 2: *(uint16_t *)p = v; break;
    case 4: *(uint32_t *)p = v; break;
    default: *(uint64_t *)p = v; break;
    }
}

static GVariant *field_get(Object *obj, ObjectProperty *prop, Error **errp)
{
    void *p = field_ptr(obj, prop);
    switch (prop->kind) {
    case PROP_KIND_BOOL:
        return g_variant_new_boolean(*(bool *)p);
    case PROP_KIND_INT:
        return g_variant_new_int64(field_read_int(p, prop->width, true));
    case PROP_KIND_UINT:
    case PROP_KIND_SIZE:
        return g_variant_new_uint64((uint64_t)field_read_int(p, prop->width, false));
    case PROP_KIND_STRING:
        return g_variant_new_string(*(char **)p ? *(char **)p : "");
    case PROP_KIND_ENUM: {
        int64_t v = field_read_int(p, prop->width, true);
        int n = 0;
        while (prop->enum_names[n]) {
            n++;
        }
        return g_variant_new_string(v >= 0 && v < n ? prop->enum_names[v] : "");
    }
    case PROP_KIND_LINK: {
        Object *target = *(Object **)p;
        return g_variant_new_take_string(target ? object_get_canonical_path(target)
                                                : g_strdup(""));
    }
    default:
        g_assert_not_reached();
    }
}

static bool link_resolve(ObjectProperty *prop, const char *path, Object **res,
                         Error **errp)
{
    if (!*path) {
        *res = NULL;
        return true;
    }
    bool ambiguous;
    Object *target = object_resolve_path(path, &ambiguous);
    if (!target) {
        error_setg(errp, ambiguous ? "path '%s' is ambiguous" : "no object at '%s'",
                   path);
        return false;
    }
    if (prop->link_type && !object_dynamic_cast(target, prop->link_type)) {
        error_setg(errp, "'%s' is a '%s', not a '%s'", path,
                   object_get_typename(target), prop->link_type);
        return false;
    }
    *res = target;
    return true;
}

static bool field_set(Object *obj, ObjectProperty *prop, GVariant *value, Error **errp)
{
    void *p = field_ptr(obj, prop);
    switch (prop->kind) {
    case PROP_KIND_BOOL:
        *(bool *)p = g_variant_get_boolean(value);
        return true;
    case PROP_KIND_INT: {
        int64_t v = g_variant_get_int64(value);
        int bits = prop->width * 8;
        if (bits < 64 && (v < -(1LL << (bits - 1)) || v >= (1LL << (bits - 1)))) {
            error_setg(errp, "property '%s': value %" PRId64 " out of range for int%d",
                       prop->name, v, bits);
            return false;
        }
        field_write_int(p, prop->width, (uint64_t)v);
        return true;
    }
    case PROP_KIND_UINT:
    case PROP_KIND_SIZE: {
        uint64_t v = g_variant_get_uint64(value);
        int bits = prop->width * 8;
        if (bits < 64 && v >> bits) {
            error_setg(errp, "property '%s': value %" PRIu64 " out of range for uint%d",
                       prop->name, v, bits);
            return false;
        }
        field_write_int(p, prop->width, v);
        return true;
    }
    case PROP_KIND_STRING:
        g_free(*(char **)p);
        *(char **)p = g_variant_dup_string(value, NULL);
        return true;
    case PROP_KIND_ENUM: {
        const char *s = g_variant_get_string(value, NULL);
        for (int i = 0; prop->enum_names[i]; i++) {
            if (!strcmp(prop->enum_names[i], s)) {
                field_write_int(p, prop->width, i);
                return true;
            }
        }
        g_autofree char *choices = g_strjoinv(", ", (char **)prop->enum_names);
        error_setg(errp, "property '%s': '%s' is not one of: %s", prop->name, s,
                   choices);
        return false;
    }
    case PROP_KIND_LINK: {
        Object *target;
        if (!link_resolve(prop, g_variant_get_string(value, NULL), &target, errp)) {
            return false;
        }
        object_ref(target);
        object_unref(*(Object **)p);
        *(Object **)p = target;
        return true;
    }
    default:
        g_assert_not_reached();
    }
}

static const char *kind_type_name(PropKind kind, int width)
{
    switch (kind) {
    case PROP_KIND_BOOL: return "bool";
    case PROP_KIND_INT:
        return width == 1 ? "int8" : width == 2 ? "int16" : width == 4 ? "int32" : "int64";
    case PROP_KIND_UINT:
        return width == 1 ? "uint8" : width == 2 ? "uint16" : width == 4 ? "uint32"
                                                                         : "uint64";
    case PROP_KIND_SIZE: return "size";
    case PROP_KIND_STRING: return "str";
    case PROP_KIND_ENUM: return "enum";
    default: return "link";
    }
}

ObjectProperty *object_class_property_add_field(ObjectClass *klass, const char *name,
                                                PropKind kind, size_t offset,
                                                int width, const char *description)
{
    g_assert(kind != PROP_KIND_CHILD);
    ObjectProperty *prop = property_new(name, kind_type_name(kind, width), kind);
    prop->is_field = true;
    prop->offset = offset;
    prop->width = width;
    prop->get = field_get;
    prop->set = field_set;
    prop->description = g_strdup(description);
    class_insert(klass, prop);
    return prop;
}

static void set_default(ObjectProperty *prop, GVariant *v)
{
    if (prop->defval) {
        g_variant_unref(prop->defval);
    }
    prop->defval = g_variant_ref_sink(v);
    prop->has_default = true;
}

void object_property_set_default_bool(ObjectProperty *prop, bool value)
{
    set_default(prop, g_variant_new_boolean(value));
}

void object_property_set_default_int(ObjectProperty *prop, int64_t value)
{
    set_default(prop, g_variant_new_int64(value));
}

void object_property_set_default_uint(ObjectProperty *prop, uint64_t value)
{
    set_default(prop, g_variant_new_uint64(value));
}

void object_property_set_default_str(ObjectProperty *prop, const char *value)
{
    set_default(prop, g_variant_new_string(value));
}

/* ---- accessor properties ---- */

ObjectProperty *object_class_property_add(ObjectClass *klass, const char *name,
                                          const char *type, PropKind kind,
                                          ObjectPropertyGet get, ObjectPropertySet set,
                                          void *opaque)
{
    ObjectProperty *prop = property_new(name, type, kind);
    prop->get = get;
    prop->set = set;
    prop->opaque = opaque;
    class_insert(klass, prop);
    return prop;
}

ObjectProperty *object_property_add(Object *obj, const char *name, const char *type,
                                    PropKind kind, ObjectPropertyGet get,
                                    ObjectPropertySet set, ObjectPropertyRelease release,
                                    void *opaque)
{
    if (object_property_find(obj, name)) {
        fprintf(stderr, "emu: object of type '%s' already has property '%s'\n",
                object_get_typename(obj), name);
        abort();
    }
    ObjectProperty *prop = property_new(name, type, kind);
    prop->get = get;
    prop->set = set;
    prop->release = release;
    prop->opaque = opaque;
    g_hash_table_insert(obj->properties, prop->name, prop);
    return prop;
}

typedef struct {
    bool (*get)(Object *, Error **);
    void (*set)(Object *, bool, Error **);
} BoolAccessors;

static GVariant *bool_get(Object *obj, ObjectProperty *prop, Error **errp)
{
    BoolAccessors *a = prop->opaque;
    Error *err = NULL;
    bool v = a->get(obj, &err);
    if (err) {
        error_propagate(errp, err);
        return NULL;
    }
    return g_variant_new_boolean(v);
}

static bool bool_set(Object *obj, ObjectProperty *prop, GVariant *value, Error **errp)
{
    BoolAccessors *a = prop->opaque;
    Error *err = NULL;
    a->set(obj, g_variant_get_boolean(value), &err);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

ObjectProperty *object_class_property_add_bool(ObjectClass *klass, const char *name,
                                               bool (*get)(Object *, Error **),
                                               void (*set)(Object *, bool, Error **))
{
    BoolAccessors *a = g_new0(BoolAccessors, 1);
    a->get = get;
    a->set = set;
    return object_class_property_add(klass, name, "bool", PROP_KIND_BOOL,
                                     get ? bool_get : NULL, set ? bool_set : NULL, a);
}

typedef struct {
    char *(*get)(Object *, Error **);
    void (*set)(Object *, const char *, Error **);
} StrAccessors;

static GVariant *str_get(Object *obj, ObjectProperty *prop, Error **errp)
{
    StrAccessors *a = prop->opaque;
    Error *err = NULL;
    char *v = a->get(obj, &err);
    if (err) {
        error_propagate(errp, err);
        return NULL;
    }
    return g_variant_new_take_string(v ? v : g_strdup(""));
}

static bool str_set(Object *obj, ObjectProperty *prop, GVariant *value, Error **errp)
{
    StrAccessors *a = prop->opaque;
    Error *err = NULL;
    a->set(obj, g_variant_get_string(value, NULL), &err);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

ObjectProperty *object_class_property_add_str(ObjectClass *klass, const char *name,
                                              char *(*get)(Object *, Error **),
                                              void (*set)(Object *, const char *,
                                                          Error **))
{
    StrAccessors *a = g_new0(StrAccessors, 1);
    a->get = get;
    a->set = set;
    return object_class_property_add(klass, name, "str", PROP_KIND_STRING,
                                     get ? str_get : NULL, set ? str_set : NULL, a);
}

static GVariant *uint64_ptr_get(Object *obj, ObjectProperty *prop, Error **errp)
{
    return g_variant_new_uint64(*(const uint64_t *)prop->opaque);
}

ObjectProperty *object_property_add_uint64_ptr(Object *obj, const char *name,
                                               const uint64_t *v)
{
    return object_property_add(obj, name, "uint64", PROP_KIND_UINT, uint64_ptr_get,
                               NULL, NULL, (void *)v);
}

static GVariant *link_get(Object *obj, ObjectProperty *prop, Error **errp)
{
    Object *target = *(Object **)prop->opaque;
    return g_variant_new_take_string(target ? object_get_canonical_path(target)
                                            : g_strdup(""));
}

static bool link_set(Object *obj, ObjectProperty *prop, GVariant *value, Error **errp)
{
    Object *target;
    if (!link_resolve(prop, g_variant_get_string(value, NULL), &target, errp)) {
        return false;
    }
    Object **slot = prop->opaque;
    object_ref(target);
    object_unref(*slot);
    *slot = target;
    return true;
}

static void link_release(Object *obj, ObjectProperty *prop)
{
    Object **slot = prop->opaque;
    object_unref(*slot);
    *slot = NULL;
}

ObjectProperty *object_property_add_link(Object *obj, const char *name,
                                         const char *type, Object **targetp)
{
    g_autofree char *t = g_strdup_printf("link<%s>", type);
    ObjectProperty *prop = object_property_add(obj, name, t, PROP_KIND_LINK, link_get,
                                               link_set, link_release, targetp);
    prop->link_type = g_strdup(type);
    return prop;
}

/* ---- generic get/set ---- */

static ObjectProperty *find_or_error(Object *obj, const char *name, Error **errp)
{
    ObjectProperty *prop = object_property_find(obj, name);
    if (!prop) {
        error_setg(errp, "'%s' has no property '%s'", object_get_typename(obj), name);
    }
    return prop;
}

GVariant *object_property_get(Object *obj, const char *name, Error **errp)
{
    ObjectProperty *prop = find_or_error(obj, name, errp);
    if (!prop) {
        return NULL;
    }
    if (!prop->get) {
        error_setg(errp, "property '%s' of '%s' is write-only", name,
                   object_get_typename(obj));
        return NULL;
    }
    GVariant *v = prop->get(obj, prop, errp);
    return v ? g_variant_ref_sink(v) : NULL;
}

static GVariant *parse_for_kind(ObjectProperty *prop, const char *s, Error **errp)
{
    switch (prop->kind) {
    case PROP_KIND_BOOL: {
        bool b;
        return parse_bool(s, &b, errp) ? g_variant_new_boolean(b) : NULL;
    }
    case PROP_KIND_INT: {
        int64_t v;
        return parse_int64(s, &v, errp) ? g_variant_new_int64(v) : NULL;
    }
    case PROP_KIND_UINT: {
        uint64_t v;
        return parse_uint64(s, &v, errp) ? g_variant_new_uint64(v) : NULL;
    }
    case PROP_KIND_SIZE: {
        uint64_t v;
        return parse_size(s, 1, &v, errp) ? g_variant_new_uint64(v) : NULL;
    }
    default:
        return g_variant_new_string(s);
    }
}

bool object_property_set(Object *obj, const char *name, GVariant *value, Error **errp)
{
    ObjectProperty *prop = find_or_error(obj, name, errp);
    bool ok = false;
    g_variant_ref_sink(value);
    if (!prop) {
        goto out;
    }
    if (!prop->set) {
        error_setg(errp, "property '%s' of '%s' is read-only", name,
                   object_get_typename(obj));
        goto out;
    }
    const GVariantType *want = prop_kind_variant_type(prop->kind);
    GVariant *v = value;
    if (!g_variant_is_of_type(value, want)) {
        /* Accept a string spelling ("on", "1G") and numbers of the other sign. */
        if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
            v = parse_for_kind(prop, g_variant_get_string(value, NULL), errp);
        } else if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT64) &&
                   g_variant_type_equal(want, G_VARIANT_TYPE_UINT64) &&
                   g_variant_get_int64(value) >= 0) {
            v = g_variant_new_uint64(g_variant_get_int64(value));
        } else if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT64) &&
                   g_variant_type_equal(want, G_VARIANT_TYPE_INT64) &&
                   g_variant_get_uint64(value) <= INT64_MAX) {
            v = g_variant_new_int64(g_variant_get_uint64(value));
        } else {
            error_setg(errp, "property '%s' of '%s' takes a %s", name,
                       object_get_typename(obj), prop->type);
            v = NULL;
        }
        if (!v) {
            goto out;
        }
        g_variant_ref_sink(v);
    } else {
        g_variant_ref(v);
    }
    if (obj->klass->check_property_set &&
        !obj->klass->check_property_set(obj, prop, errp)) {
        g_variant_unref(v);
        goto out;
    }
    ok = prop->set(obj, prop, v, errp);
    g_variant_unref(v);
out:
    g_variant_unref(value);
    return ok;
}

bool object_property_parse(Object *obj, const char *name, const char *string,
                           Error **errp)
{
    ObjectProperty *prop = find_or_error(obj, name, errp);
    if (!prop) {
        return false;
    }
    Error *err = NULL;
    GVariant *v = parse_for_kind(prop, string, &err);
    if (!v) {
        error_setg(errp, "property '%s': %s", name, error_get_pretty(err));
        error_free(err);
        return false;
    }
    return object_property_set(obj, name, v, errp);
}

static char *variant_to_user_string(GVariant *v)
{
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
        return g_variant_dup_string(v, NULL);
    }
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN)) {
        return g_strdup(g_variant_get_boolean(v) ? "on" : "off");
    }
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_INT64)) {
        return g_strdup_printf("%" PRId64, g_variant_get_int64(v));
    }
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_UINT64)) {
        return g_strdup_printf("%" PRIu64, g_variant_get_uint64(v));
    }
    return g_variant_print(v, FALSE);
}

char *object_property_print(Object *obj, const char *name, Error **errp)
{
    GVariant *v = object_property_get(obj, name, errp);
    if (!v) {
        return NULL;
    }
    char *s = variant_to_user_string(v);
    g_variant_unref(v);
    return s;
}

bool object_property_set_bool(Object *obj, const char *name, bool v, Error **errp)
{
    return object_property_set(obj, name, g_variant_new_boolean(v), errp);
}

bool object_property_set_int(Object *obj, const char *name, int64_t v, Error **errp)
{
    return object_property_set(obj, name, g_variant_new_int64(v), errp);
}

bool object_property_set_uint(Object *obj, const char *name, uint64_t v, Error **errp)
{
    return object_property_set(obj, name, g_variant_new_uint64(v), errp);
}

bool object_property_set_str(Object *obj, const char *name, const char *v,
                             Error **errp)
{
    return object_property_set(obj, name, g_variant_new_string(v), errp);
}

bool object_property_set_link(Object *obj, const char *name, Object *v, Error **errp)
{
    g_autofree char *path = v ? object_get_canonical_path(v) : g_strdup("");
    if (v && !*path) {
        error_setg(errp, "link target for '%s' is not in the object tree", name);
        return false;
    }
    return object_property_set_str(obj, name, path, errp);
}

static GVariant *get_typed(Object *obj, const char *name, const GVariantType *t,
                           Error **errp)
{
    GVariant *v = object_property_get(obj, name, errp);
    if (v && !g_variant_is_of_type(v, t)) {
        error_setg(errp, "property '%s' is not of the requested type", name);
        g_variant_unref(v);
        return NULL;
    }
    return v;
}

bool object_property_get_bool(Object *obj, const char *name, Error **errp)
{
    GVariant *v = get_typed(obj, name, G_VARIANT_TYPE_BOOLEAN, errp);
    bool r = v ? g_variant_get_boolean(v) : false;
    if (v) {
        g_variant_unref(v);
    }
    return r;
}

int64_t object_property_get_int(Object *obj, const char *name, Error **errp)
{
    GVariant *v = get_typed(obj, name, G_VARIANT_TYPE_INT64, errp);
    int64_t r = v ? g_variant_get_int64(v) : -1;
    if (v) {
        g_variant_unref(v);
    }
    return r;
}

uint64_t object_property_get_uint(Object *obj, const char *name, Error **errp)
{
    GVariant *v = get_typed(obj, name, G_VARIANT_TYPE_UINT64, errp);
    uint64_t r = v ? g_variant_get_uint64(v) : 0;
    if (v) {
        g_variant_unref(v);
    }
    return r;
}

char *object_property_get_str(Object *obj, const char *name, Error **errp)
{
    GVariant *v = get_typed(obj, name, G_VARIANT_TYPE_STRING, errp);
    char *r = v ? g_variant_dup_string(v, NULL) : NULL;
    if (v) {
        g_variant_unref(v);
    }
    return r;
}

Object *object_property_get_link(Object *obj, const char *name, Error **errp)
{
    ObjectProperty *prop = find_or_error(obj, name, errp);
    if (!prop) {
        return NULL;
    }
    if (prop->kind != PROP_KIND_LINK) {
        error_setg(errp, "property '%s' is not a link", name);
        return NULL;
    }
    if (prop->is_field) {
        return *(Object **)((char *)obj + prop->offset);
    }
    return *(Object **)prop->opaque;
}

void object_class_print_properties(ObjectClass *klass, GString *out)
{
    GPtrArray *arr = object_class_property_list(klass);
    for (guint i = 0; i < arr->len; i++) {
        ObjectProperty *prop = g_ptr_array_index(arr, i);
        if (!prop->set) {
            continue;
        }
        g_autofree char *line = g_strdup_printf("  %s=<%s>", prop->name, prop->type);
        g_string_append_printf(out, "%-24s", line);
        if (prop->description) {
            g_string_append_printf(out, " - %s", prop->description);
        }
        if (prop->kind == PROP_KIND_ENUM && prop->enum_names) {
            g_autofree char *c = g_strjoinv("/", (char **)prop->enum_names);
            g_string_append_printf(out, " (%s)", c);
        }
        if (prop->has_default) {
            g_autofree char *d = variant_to_user_string(prop->defval);
            g_string_append_printf(out, " (default: %s)", d);
        }
        g_string_append_c(out, '\n');
    }
    g_ptr_array_free(arr, TRUE);
}
