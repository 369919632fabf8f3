/* Type registry, classes, interfaces, objects and the composition tree. */
#include "qom/object.h"

typedef struct TypeImpl {
    char *name;
    char *parent;
    struct TypeImpl *parent_type;
    size_t instance_size;
    size_t class_size;
    void (*instance_init)(Object *obj);
    void (*instance_post_init)(Object *obj);
    void (*instance_finalize)(Object *obj);
    void (*class_init)(ObjectClass *klass, void *data);
    void (*class_base_init)(ObjectClass *klass, void *data);
    void *class_data;
    bool abstract;
    GPtrArray *interface_names;   /* char *, declared by this type */
    ObjectClass *klass;
} TypeImpl;

static GHashTable *type_table;

static GHashTable *type_table_get(void)
{
    if (!type_table) {
        type_table = g_hash_table_new(g_str_hash, g_str_equal);
    }
    return type_table;
}

Type type_register_static(const TypeInfo *info)
{
    g_assert(info->name);
    if (g_hash_table_lookup(type_table_get(), info->name)) {
        fprintf(stderr, "emu: type '%s' registered twice\n", info->name);
        abort();
    }
    TypeImpl *ti = g_new0(TypeImpl, 1);
    ti->name = g_strdup(info->name);
    ti->parent = g_strdup(info->parent);
    ti->instance_size = info->instance_size;
    ti->class_size = info->class_size;
    ti->instance_init = info->instance_init;
    ti->instance_post_init = info->instance_post_init;
    ti->instance_finalize = info->instance_finalize;
    ti->class_init = info->class_init;
    ti->class_base_init = info->class_base_init;
    ti->class_data = info->class_data;
    ti->abstract = info->abstract;
    ti->interface_names = g_ptr_array_new();
    for (const InterfaceInfo *ii = info->interfaces; ii && ii->type; ii++) {
        g_ptr_array_add(ti->interface_names, (gpointer)ii->type);
    }
    g_hash_table_insert(type_table_get(), ti->name, ti);
    return ti;
}

void type_register_static_array(const TypeInfo *infos, int nr)
{
    for (int i = 0; i < nr; i++) {
        type_register_static(&infos[i]);
    }
}

static TypeImpl *type_get_by_name(const char *name)
{
    return name ? g_hash_table_lookup(type_table_get(), name) : NULL;
}

static TypeImpl *type_get_parent(TypeImpl *ti)
{
    if (ti->parent && !ti->parent_type) {
        ti->parent_type = type_get_by_name(ti->parent);
        if (!ti->parent_type) {
            fprintf(stderr, "emu: type '%s' has unknown parent '%s'\n", ti->name,
                    ti->parent);
            abort();
        }
    }
    return ti->parent_type;
}

static bool type_is_ancestor(TypeImpl *ti, TypeImpl *target)
{
    for (; ti; ti = type_get_parent(ti)) {
        if (ti == target) {
            return true;
        }
    }
    return false;
}

static size_t type_class_size(TypeImpl *ti)
{
    for (; ti; ti = type_get_parent(ti)) {
        if (ti->class_size) {
            return ti->class_size;
        }
    }
    return sizeof(ObjectClass);
}

static size_t type_instance_size(TypeImpl *ti)
{
    for (; ti; ti = type_get_parent(ti)) {
        if (ti->instance_size) {
            return ti->instance_size;
        }
    }
    return sizeof(Object);
}

static void type_initialize(TypeImpl *ti);

static InterfaceClass *new_interface_class(ObjectClass *concrete, TypeImpl *iface,
                                          const InterfaceClass *inherited)
{
    type_initialize(iface);
    size_t sz = type_class_size(iface);
    InterfaceClass *ic = g_malloc0(sz);
    memcpy(ic, inherited ? (const void *)inherited : (const void *)iface->klass, sz);
    ic->parent_class.interfaces = NULL;
    ic->concrete_class = concrete;
    ic->interface_type = iface;
    return ic;
}

static void type_initialize(TypeImpl *ti)
{
    if (ti->klass) {
        return;
    }
    TypeImpl *parent = type_get_parent(ti);
    size_t class_size = type_class_size(ti);
    ti->class_size = class_size;
    ti->instance_size = type_instance_size(ti);
    ObjectClass *klass = g_malloc0(class_size);

    if (parent) {
        type_initialize(parent);
        g_assert(parent->class_size <= class_size);
        memcpy(klass, parent->klass, parent->class_size);
        klass->interfaces = NULL;
        /* Inherited interfaces keep the parent's method overrides. */
        for (GSList *l = parent->klass->interfaces; l; l = l->next) {
            InterfaceClass *pic = l->data;
            klass->interfaces = g_slist_append(
                klass->interfaces, new_interface_class(klass, pic->interface_type, pic));
        }
    }
    klass->properties = g_hash_table_new(g_str_hash, g_str_equal);
    klass->type = ti;
    ti->klass = klass;

    for (guint i = 0; i < ti->interface_names->len; i++) {
        TypeImpl *iface = type_get_by_name(g_ptr_array_index(ti->interface_names, i));
        if (!iface) {
            fprintf(stderr, "emu: type '%s' implements unknown interface '%s'\n",
                    ti->name, (char *)g_ptr_array_index(ti->interface_names, i));
            abort();
        }
        bool have = false;
        for (GSList *l = klass->interfaces; l; l = l->next) {
            if (((InterfaceClass *)l->data)->interface_type == iface) {
                have = true;
            }
        }
        if (!have) {
            klass->interfaces = g_slist_append(klass->interfaces,
                                               new_interface_class(klass, iface, NULL));
        }
    }

    for (TypeImpl *p = parent; p; p = type_get_parent(p)) {
        if (p->class_base_init) {
            p->class_base_init(klass, ti->class_data);
        }
    }
    if (ti->class_init) {
        ti->class_init(klass, ti->class_data);
    }
}

/* ---- class queries ---- */

ObjectClass *object_class_by_name(const char *typename)
{
    TypeImpl *ti = type_get_by_name(typename);
    if (!ti) {
        return NULL;
    }
    type_initialize(ti);
    return ti->klass;
}

const char *object_class_get_name(ObjectClass *klass)
{
    return klass->type->name;
}

ObjectClass *object_class_get_parent(ObjectClass *klass)
{
    TypeImpl *p = type_get_parent(klass->type);
    if (!p) {
        return NULL;
    }
    type_initialize(p);
    return p->klass;
}

bool object_class_is_abstract(ObjectClass *klass)
{
    return klass->type->abstract;
}

static bool type_is_interface(TypeImpl *ti)
{
    TypeImpl *iface = type_get_by_name(TYPE_INTERFACE);
    return ti != iface && type_is_ancestor(ti, iface);
}

static bool cast_cache_hit(ObjectClass *klass, const char *typename)
{
    for (int i = 0; i < 4; i++) {
        if (__atomic_load_n(&klass->cast_cache[i], __ATOMIC_RELAXED) == typename) {
            return true;
        }
    }
    return false;
}

static void cast_cache_add(ObjectClass *klass, const char *typename)
{
    unsigned i = __atomic_fetch_add(&klass->cast_cache_next, 1, __ATOMIC_RELAXED) % 4;
    __atomic_store_n(&klass->cast_cache[i], typename, __ATOMIC_RELAXED);
}

ObjectClass *object_class_dynamic_cast(ObjectClass *klass, const char *typename)
{
    if (!klass) {
        return NULL;
    }
    TypeImpl *target = type_get_by_name(typename);
    if (!target) {
        return NULL;
    }
    if (type_is_interface(target)) {
        for (GSList *l = klass->interfaces; l; l = l->next) {
            InterfaceClass *ic = l->data;
            if (type_is_ancestor(ic->interface_type, target)) {
                return OBJECT_CLASS(ic);
            }
        }
        return NULL;
    }
    return type_is_ancestor(klass->type, target) ? klass : NULL;
}

ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass, const char *typename,
                                              const char *file, int line)
{
    ObjectClass *ret = object_class_dynamic_cast(klass, typename);
    if (!ret && klass) {
        fprintf(stderr, "%s:%d: class '%s' is not a subclass of '%s'\n", file, line,
                klass->type->name, typename);
        abort();
    }
    return ret;
}

ObjectClass *object_get_class(Object *obj)
{
    return obj->klass;
}

const char *object_get_typename(const Object *obj)
{
    return obj->klass->type->name;
}

Object *object_dynamic_cast(Object *obj, const char *typename)
{
    if (obj && object_class_dynamic_cast(obj->klass, typename)) {
        return obj;
    }
    return NULL;
}

/*
 * The checked casts (OBJECT_CHECK & co.) are only called with TYPE_* string
 * literals, whose addresses stay valid and distinct, so they may remember
 * successful casts by the name's pointer (ObjectClass.cast_cache).
 */
Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line)
{
    if (obj && cast_cache_hit(obj->klass, typename)) {
        return obj;
    }
    if (obj && object_class_dynamic_cast(obj->klass, typename) == obj->klass) {
        cast_cache_add(obj->klass, typename);
        return obj;
    }
    if (obj && !object_dynamic_cast(obj, typename)) {
        fprintf(stderr, "%s:%d: object of type '%s' is not an instance of '%s'\n",
                file, line, object_get_typename(obj), typename);
        abort();
    }
    return obj;
}

ObjectClass *object_get_class_checked(Object *obj, const char *typename,
                                      const char *file, int line)
{
    return object_class_dynamic_cast_assert(obj->klass, typename, file, line);
}

InterfaceClass *object_class_get_interface(ObjectClass *klass, const char *typename)
{
    return (InterfaceClass *)object_class_dynamic_cast(klass, typename);
}

InterfaceClass *object_get_interface(Object *obj, const char *typename)
{
    return object_class_get_interface(obj->klass, typename);
}

static gint class_name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(object_class_get_name((ObjectClass *)a),
                  object_class_get_name((ObjectClass *)b));
}

GSList *object_class_get_list(const char *implements_type, bool include_abstract)
{
    GSList *list = NULL;
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, type_table_get());
    while (g_hash_table_iter_next(&it, &key, &value)) {
        TypeImpl *ti = value;
        type_initialize(ti);
        if (!include_abstract && ti->abstract) {
            continue;
        }
        if (implements_type && !object_class_dynamic_cast(ti->klass, implements_type)) {
            continue;
        }
        list = g_slist_prepend(list, ti->klass);
    }
    return g_slist_sort(list, class_name_cmp);
}

void object_class_foreach(void (*fn)(ObjectClass *klass, void *opaque),
                          const char *implements_type, bool include_abstract,
                          void *opaque)
{
    GSList *list = object_class_get_list(implements_type, include_abstract);
    for (GSList *l = list; l; l = l->next) {
        fn(l->data, opaque);
    }
    g_slist_free(list);
}

/* ---- objects ---- */

static void property_free(gpointer p)
{
    ObjectProperty *prop = p;
    g_free(prop->name);
    g_free(prop->type);
    g_free(prop->description);
    g_free(prop->link_type);
    if (prop->defval) {
        g_variant_unref(prop->defval);
    }
    g_free(prop);
}

static void object_apply_defaults(Object *obj, TypeImpl *ti)
{
    if (!ti) {
        return;
    }
    object_apply_defaults(obj, type_get_parent(ti));
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, ti->klass->properties);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        ObjectProperty *prop = v;
        if (prop->has_default && prop->set) {
            prop->set(obj, prop, prop->defval, &error_abort);
        }
    }
}

static void object_init_with_type(Object *obj, TypeImpl *ti)
{
    TypeImpl *p = type_get_parent(ti);
    if (p) {
        object_init_with_type(obj, p);
    }
    if (ti->instance_init) {
        ti->instance_init(obj);
    }
}

static void object_post_init_with_type(Object *obj, TypeImpl *ti)
{
    if (ti->instance_post_init) {
        ti->instance_post_init(obj);
    }
    TypeImpl *p = type_get_parent(ti);
    if (p) {
        object_post_init_with_type(obj, p);
    }
}

static void object_initialize_with_type(Object *obj, size_t size, TypeImpl *ti)
{
    type_initialize(ti);
    if (ti->abstract) {
        fprintf(stderr, "emu: cannot instantiate abstract type '%s'\n", ti->name);
        abort();
    }
    g_assert(size >= ti->instance_size);
    memset(obj, 0, ti->instance_size);
    obj->klass = ti->klass;
    obj->ref = 1;
    obj->properties = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                            property_free);
    object_apply_defaults(obj, ti);
    object_init_with_type(obj, ti);
    object_post_init_with_type(obj, ti);
}

void object_initialize(void *data, size_t size, const char *typename)
{
    TypeImpl *ti = type_get_by_name(typename);
    if (!ti) {
        fprintf(stderr, "emu: unknown type '%s'\n", typename);
        abort();
    }
    object_initialize_with_type(data, size, ti);
}

/* Objects from object_new() own their memory; embedded ones don't. */
static GHashTable *heap_objects;
static GMutex heap_lock;

Object *object_new(const char *typename)
{
    TypeImpl *ti = type_get_by_name(typename);
    if (!ti) {
        fprintf(stderr, "emu: unknown type '%s'\n", typename);
        abort();
    }
    type_initialize(ti);
    Object *obj = g_malloc0(ti->instance_size);
    g_mutex_lock(&heap_lock);
    if (!heap_objects) {
        heap_objects = g_hash_table_new(NULL, NULL);
    }
    g_hash_table_add(heap_objects, obj);
    g_mutex_unlock(&heap_lock);
    object_initialize_with_type(obj, ti->instance_size, ti);
    return obj;
}

Object *object_new_checked(const char *typename, const char *what_implements,
                           Error **errp)
{
    ObjectClass *oc = object_class_by_name(typename);
    if (!oc || (what_implements && !object_class_dynamic_cast(oc, what_implements))) {
        error_setg(errp, "'%s' is not a valid %s type", typename,
                   what_implements ? what_implements : "object");
        return NULL;
    }
    if (object_class_is_abstract(oc)) {
        error_setg(errp, "'%s' is an abstract type and cannot be created", typename);
        return NULL;
    }
    return object_new(typename);
}

Object *object_ref(void *o)
{
    Object *obj = o;
    if (obj) {
        g_atomic_int_inc(&obj->ref);
    }
    return obj;
}

static void object_finalize(Object *obj)
{
    /* Children and links go first, then the type's own finalizers, leaf to root. */
    GHashTable *props = obj->properties;
    for (;;) {
        GHashTableIter it;
        gpointer k, v;
        bool found = false;
        g_hash_table_iter_init(&it, props);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            ObjectProperty *prop = v;
            g_hash_table_iter_steal(&it);
            if (prop->release) {
                prop->release(obj, prop);
            }
            property_free(prop);
            found = true;
            break;
        }
        if (!found) {
            break;
        }
    }
    for (TypeImpl *ti = obj->klass->type; ti; ti = type_get_parent(ti)) {
        if (ti->instance_finalize) {
            ti->instance_finalize(obj);
        }
    }
    /* Field properties that own memory: strings and link references. */
    for (TypeImpl *ti = obj->klass->type; ti; ti = type_get_parent(ti)) {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, ti->klass->properties);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            ObjectProperty *prop = v;
            if (!prop->is_field) {
                continue;
            }
            void *field = (char *)obj + prop->offset;
            if (prop->kind == PROP_KIND_STRING) {
                g_free(*(char **)field);
                *(char **)field = NULL;
            } else if (prop->kind == PROP_KIND_LINK) {
                object_unref(*(Object **)field);
                *(Object **)field = NULL;
            }
        }
    }
    g_hash_table_destroy(props);
    obj->properties = NULL;
    g_free(obj->name);
    obj->name = NULL;

    bool heap;
    g_mutex_lock(&heap_lock);
    heap = heap_objects && g_hash_table_remove(heap_objects, obj);
    g_mutex_unlock(&heap_lock);
    if (heap) {
        g_free(obj);
    }
}

void object_unref(void *o)
{
    Object *obj = o;
    if (!obj) {
        return;
    }
    g_assert(obj->ref > 0);
    if (g_atomic_int_dec_and_test(&obj->ref)) {
        object_finalize(obj);
    }
}

/* ---- composition tree ---- */

static Object *root;

static const TypeInfo base_types[] = {
    {
        .name = TYPE_OBJECT,
        .instance_size = sizeof(Object),
        .class_size = sizeof(ObjectClass),
        .abstract = true,
    },
    {
        .name = TYPE_INTERFACE,
        .class_size = sizeof(InterfaceClass),
        .abstract = true,
    },
    {
        .name = TYPE_CONTAINER,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
    },
};
DEFINE_TYPES(base_types)

Object *object_get_root(void)
{
    if (!root) {
        root = object_new(TYPE_CONTAINER);
    }
    return root;
}

Object *container_get(Object *r, const char *path)
{
    char **parts = g_strsplit(path, "/", -1);
    Object *obj = r;
    for (char **p = parts; *p; p++) {
        if (!**p) {
            continue;
        }
        Object *child = object_resolve_path_component(obj, *p);
        if (!child) {
            child = object_new(TYPE_CONTAINER);
            object_property_add_child(obj, *p, child);
            object_unref(child);
        }
        obj = child;
    }
    g_strfreev(parts);
    return obj;
}

Object *object_get_objects_root(void)
{
    return container_get(object_get_root(), "/objects");
}

static GVariant *child_get(Object *obj, ObjectProperty *prop, Error **errp)
{
    char *path = object_get_canonical_path(prop->opaque);
    return g_variant_new_take_string(path);
}

static void child_release(Object *obj, ObjectProperty *prop)
{
    Object *child = prop->opaque;
    child->parent = NULL;
    object_unref(child);
}

bool object_property_try_add_child(Object *parent, const char *name, Object *child,
                                   Error **errp)
{
    if (child->parent) {
        error_setg(errp, "object is already a child of '%s'",
                   object_get_canonical_path_component(child->parent));
        return false;
    }
    if (object_property_find(parent, name)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object (type '%s')",
                   name, object_get_typename(parent));
        return false;
    }
    g_autofree char *type = g_strdup_printf("child<%s>", object_get_typename(child));
    ObjectProperty *prop = object_property_add(parent, name, type, PROP_KIND_CHILD,
                                               child_get, NULL, child_release, child);
    (void)prop;
    object_ref(child);
    child->parent = parent;
    g_free(child->name);
    child->name = g_strdup(name);
    return true;
}

void object_property_add_child(Object *parent, const char *name, Object *child)
{
    object_property_try_add_child(parent, name, child, &error_abort);
}

void object_unparent(Object *obj)
{
    if (!obj->parent) {
        return;
    }
    object_ref(obj);
    if (obj->klass->unparent) {
        obj->klass->unparent(obj);
    }
    if (obj->parent) {
        object_property_del(obj->parent, obj->name);
    }
    object_unref(obj);
}

const char *object_get_canonical_path_component(Object *obj)
{
    return obj->name;
}

char *object_get_canonical_path(Object *obj)
{
    if (obj == object_get_root()) {
        return g_strdup("/");
    }
    GString *path = g_string_new(NULL);
    for (Object *o = obj; o && o != root; o = o->parent) {
        if (!o->parent) {
            /* Not in the tree. */
            g_string_free(path, TRUE);
            return g_strdup("");
        }
        g_string_prepend(path, o->name);
        g_string_prepend_c(path, '/');
    }
    return g_string_free(path, FALSE);
}

Object *object_resolve_path_component(Object *parent, const char *name)
{
    ObjectProperty *prop = object_property_find(parent, name);
    if (!prop) {
        return NULL;
    }
    if (prop->kind == PROP_KIND_CHILD && !prop->is_field) {
        return prop->opaque;
    }
    if (prop->kind == PROP_KIND_LINK) {
        return object_property_get_link(parent, name, NULL);
    }
    return NULL;
}

static Object *resolve_relative(Object *start, char **parts)
{
    Object *obj = start;
    for (char **p = parts; *p && obj; p++) {
        if (!**p) {
            continue;
        }
        if (!strcmp(*p, "..")) {
            obj = obj->parent;
            continue;
        }
        obj = object_resolve_path_component(obj, *p);
    }
    return obj;
}

typedef struct {
    char **parts;
    Object *found;
    bool ambiguous;
} PartialSearch;

static int partial_visit(Object *obj, void *opaque)
{
    PartialSearch *s = opaque;
    /* Only child edges are walked, so links never make a cycle. */
    Object *hit = resolve_relative(obj, s->parts);
    if (hit && hit != s->found) {
        if (s->found) {
            s->ambiguous = true;
        }
        s->found = hit;
    }
    return 0;
}

Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguous)
{
    if (ambiguous) {
        *ambiguous = false;
    }
    if (!path || !*path) {
        return NULL;
    }
    char **parts = g_strsplit(path, "/", -1);
    Object *obj;
    if (path[0] == '/') {
        obj = resolve_relative(object_get_root(), parts);
    } else {
        PartialSearch s = { .parts = parts };
        partial_visit(object_get_root(), &s);
        object_child_foreach_recursive(object_get_root(), partial_visit, &s);
        if (s.ambiguous) {
            if (ambiguous) {
                *ambiguous = true;
            }
            obj = NULL;
        } else {
            obj = s.found;
        }
    }
    g_strfreev(parts);
    if (obj && typename && !object_dynamic_cast(obj, typename)) {
        return NULL;
    }
    return obj;
}

Object *object_resolve_path(const char *path, bool *ambiguous)
{
    return object_resolve_path_type(path, NULL, ambiguous);
}

static gint child_name_cmp(gconstpointer a, gconstpointer b)
{
    const ObjectProperty *pa = *(ObjectProperty *const *)a;
    const ObjectProperty *pb = *(ObjectProperty *const *)b;
    return strcmp(pa->name, pb->name);
}

static GPtrArray *child_props(Object *obj)
{
    GPtrArray *arr = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, obj->properties);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        ObjectProperty *prop = v;
        if (prop->kind == PROP_KIND_CHILD && !prop->is_field) {
            g_ptr_array_add(arr, prop);
        }
    }
    g_ptr_array_sort(arr, child_name_cmp);
    return arr;
}

static int child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque, bool recurse)
{
    GPtrArray *arr = child_props(obj);
    int ret = 0;
    /* Hold references: @fn may unparent. */
    for (guint i = 0; i < arr->len; i++) {
        object_ref(((ObjectProperty *)g_ptr_array_index(arr, i))->opaque);
    }
    for (guint i = 0; i < arr->len && !ret; i++) {
        Object *child = ((ObjectProperty *)g_ptr_array_index(arr, i))->opaque;
        ret = fn(child, opaque);
        if (!ret && recurse) {
            ret = child_foreach(child, fn, opaque, true);
        }
    }
    for (guint i = 0; i < arr->len; i++) {
        object_unref(((ObjectProperty *)g_ptr_array_index(arr, i))->opaque);
    }
    g_ptr_array_free(arr, TRUE);
    return ret;
}

int object_child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque)
{
    return child_foreach(obj, fn, opaque, false);
}

int object_child_foreach_recursive(Object *obj, int (*fn)(Object *child, void *opaque),
                                   void *opaque)
{
    return child_foreach(obj, fn, opaque, true);
}
