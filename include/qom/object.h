/*
 * emu object model: types with single inheritance and interfaces, refcounted
 * objects in one composition tree, typed properties settable from strings.
 * Smaller than QEMU's QOM: values travel as GVariant, no visitors, no codegen.
 */
#ifndef QOM_OBJECT_H
#define QOM_OBJECT_H

#include "util/osdep.h"
#include "util/error.h"

typedef struct TypeImpl *Type;
typedef struct ObjectClass ObjectClass;
typedef struct Object Object;
typedef struct ObjectProperty ObjectProperty;
typedef struct InterfaceClass InterfaceClass;

#define TYPE_OBJECT "object"
#define TYPE_INTERFACE "interface"
#define TYPE_CONTAINER "container"

struct ObjectClass {
    Type type;
    GSList *interfaces;        /* InterfaceClass *, one per implemented interface */
    GHashTable *properties;    /* name -> ObjectProperty * (this class only) */
    /* Called by object_unparent() before the object leaves the tree. */
    void (*unparent)(Object *obj);
    /* Veto a property write (devices refuse most writes once realized). */
    bool (*check_property_set)(Object *obj, ObjectProperty *prop, Error **errp);
    /*
     * Type names (by pointer: the callers' TYPE_* literals) this class is known
     * to be castable to, so hot checked casts (X86_CPU(cs) in TCG helpers) skip
     * the type lookup. Racy updates are harmless: a miss only costs the lookup.
     */
    const char *cast_cache[4];
    unsigned cast_cache_next;
};

struct Object {
    ObjectClass *klass;
    GHashTable *properties;    /* instance properties: name -> ObjectProperty * */
    uint32_t ref;
    Object *parent;
    char *name;                /* child property name under parent, if any */
};

struct InterfaceClass {
    ObjectClass parent_class;
    ObjectClass *concrete_class;   /* the class implementing this interface */
    Type interface_type;
};

typedef struct InterfaceInfo {
    const char *type;
} InterfaceInfo;

typedef struct TypeInfo {
    const char *name;
    const char *parent;
    size_t instance_size;
    void (*instance_init)(Object *obj);
    void (*instance_post_init)(Object *obj);
    void (*instance_finalize)(Object *obj);
    bool abstract;
    size_t class_size;
    void (*class_init)(ObjectClass *klass, void *data);
    void (*class_base_init)(ObjectClass *klass, void *data);
    void *class_data;
    const InterfaceInfo *interfaces;   /* terminated by { NULL } */
} TypeInfo;

Type type_register_static(const TypeInfo *info);
void type_register_static_array(const TypeInfo *infos, int nr);

/* Run a registration function at start-up, before main(). */
#define type_init(fn) \
    static void __attribute__((constructor)) do_type_init_##fn(void) { fn(); }

#define DEFINE_TYPES(array) \
    static void do_register_##array(void) \
    { \
        type_register_static_array(array, ARRAY_SIZE(array)); \
    } \
    type_init(do_register_##array)

/* ---- objects ---- */

Object *object_new(const char *typename);
/* Like object_new but for names that come from the user: unknown/abstract -> error. */
Object *object_new_checked(const char *typename, const char *what_implements,
                           Error **errp);
void object_initialize(void *data, size_t size, const char *typename);
Object *object_ref(void *obj);
void object_unref(void *obj);

ObjectClass *object_get_class(Object *obj);
const char *object_get_typename(const Object *obj);

Object *object_dynamic_cast(Object *obj, const char *typename);
Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line);
ObjectClass *object_class_dynamic_cast(ObjectClass *klass, const char *typename);
ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass, const char *typename,
                                              const char *file, int line);
ObjectClass *object_get_class_checked(Object *obj, const char *typename,
                                      const char *file, int line);

#define OBJECT(obj) ((Object *)(obj))
#define OBJECT_CLASS(klass) ((ObjectClass *)(klass))
#define OBJECT_CHECK(type, obj, name) \
    ((type *)object_dynamic_cast_assert(OBJECT(obj), (name), __FILE__, __LINE__))
#define OBJECT_CLASS_CHECK(class_type, klass, name) \
    ((class_type *)object_class_dynamic_cast_assert(OBJECT_CLASS(klass), (name), \
                                                    __FILE__, __LINE__))
#define OBJECT_GET_CLASS(class_type, obj, name) \
    ((class_type *)object_get_class_checked(OBJECT(obj), (name), __FILE__, __LINE__))

/* Declare Foo/FooClass casts: DECLARE_OBJ_CHECKERS(Foo, FooClass, FOO, TYPE_FOO). */
#define DECLARE_INSTANCE_CHECKER(InstanceType, OBJ_NAME, TYPENAME) \
    static inline G_GNUC_UNUSED InstanceType *OBJ_NAME(const void *obj) \
    { return OBJECT_CHECK(InstanceType, obj, TYPENAME); }
#define DECLARE_CLASS_CHECKERS(ClassType, OBJ_NAME, TYPENAME) \
    static inline G_GNUC_UNUSED ClassType *OBJ_NAME##_GET_CLASS(const void *obj) \
    { return OBJECT_GET_CLASS(ClassType, obj, TYPENAME); } \
    static inline G_GNUC_UNUSED ClassType *OBJ_NAME##_CLASS(const void *klass) \
    { return OBJECT_CLASS_CHECK(ClassType, klass, TYPENAME); }
#define DECLARE_OBJ_CHECKERS(InstanceType, ClassType, OBJ_NAME, TYPENAME) \
    DECLARE_INSTANCE_CHECKER(InstanceType, OBJ_NAME, TYPENAME) \
    DECLARE_CLASS_CHECKERS(ClassType, OBJ_NAME, TYPENAME)

/* The interface class @typename as implemented by @obj's class (NULL if not). */
InterfaceClass *object_get_interface(Object *obj, const char *typename);
InterfaceClass *object_class_get_interface(ObjectClass *klass, const char *typename);

/* ---- classes ---- */

ObjectClass *object_class_by_name(const char *typename);
const char *object_class_get_name(ObjectClass *klass);
ObjectClass *object_class_get_parent(ObjectClass *klass);
bool object_class_is_abstract(ObjectClass *klass);
/* Every class implementing @implements_type (NULL = all), sorted by name. */
GSList *object_class_get_list(const char *implements_type, bool include_abstract);
void object_class_foreach(void (*fn)(ObjectClass *klass, void *opaque),
                          const char *implements_type, bool include_abstract,
                          void *opaque);

/* ---- composition tree ---- */

Object *object_get_root(void);
/* "/objects": user-created -object instances. */
Object *object_get_objects_root(void);
/* The container at @path below @root, created (as TYPE_CONTAINER) if missing. */
Object *container_get(Object *root, const char *path);

/* Adds a child<TYPE> property; takes a reference on @child. */
void object_property_add_child(Object *parent, const char *name, Object *child);
bool object_property_try_add_child(Object *parent, const char *name, Object *child,
                                   Error **errp);
/* Removes @obj from its parent (running klass->unparent) and drops that reference. */
void object_unparent(Object *obj);

char *object_get_canonical_path(Object *obj);
const char *object_get_canonical_path_component(Object *obj);
/* Absolute ("/machine/foo") or partial ("foo", unique match anywhere). */
Object *object_resolve_path(const char *path, bool *ambiguous);
Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguous);
Object *object_resolve_path_component(Object *parent, const char *name);
/* Calls @fn on each child; stops when it returns non-zero. */
int object_child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque);
int object_child_foreach_recursive(Object *obj, int (*fn)(Object *child, void *opaque),
                                   void *opaque);

/* ---- properties ---- */

typedef enum {
    PROP_KIND_BOOL,
    PROP_KIND_INT,      /* signed, width in bytes */
    PROP_KIND_UINT,     /* unsigned, width in bytes */
    PROP_KIND_SIZE,     /* uint64 with k/M/G/T suffixes */
    PROP_KIND_STRING,
    PROP_KIND_ENUM,     /* int field, set and shown by name */
    PROP_KIND_LINK,     /* Object * field, set by path */
    PROP_KIND_CHILD,    /* read-only path of a child */
} PropKind;

typedef GVariant *(*ObjectPropertyGet)(Object *obj, ObjectProperty *prop, Error **errp);
typedef bool (*ObjectPropertySet)(Object *obj, ObjectProperty *prop, GVariant *value,
                                  Error **errp);
typedef void (*ObjectPropertyRelease)(Object *obj, ObjectProperty *prop);

struct ObjectProperty {
    char *name;
    char *type;             /* "bool", "uint32", "size", "str", "link<pci-device>"... */
    char *description;
    PropKind kind;
    ObjectPropertyGet get;  /* NULL = write-only */
    ObjectPropertySet set;  /* NULL = read-only */
    ObjectPropertyRelease release;
    void *opaque;
    /* Field properties: value lives in the instance at @offset. */
    bool is_field;
    size_t offset;
    int width;                      /* 1, 2, 4, 8 for INT/UINT/ENUM */
    const char *const *enum_names;  /* ENUM: NULL-terminated */
    char *link_type;                /* LINK: target type */
    bool has_default;
    GVariant *defval;               /* applied at instance init */
    bool set_after_realize;         /* devices: writable after realize */
};

/* The variant type a kind's values travel as. */
const GVariantType *prop_kind_variant_type(PropKind kind);

/* Field properties on a class (QEMU's DEFINE_PROP_*): default applied at init. */
ObjectProperty *object_class_property_add_field(ObjectClass *klass, const char *name,
                                                PropKind kind, size_t offset,
                                                int width, const char *description);
void object_property_set_default_bool(ObjectProperty *prop, bool value);
void object_property_set_default_int(ObjectProperty *prop, int64_t value);
void object_property_set_default_uint(ObjectProperty *prop, uint64_t value);
void object_property_set_default_str(ObjectProperty *prop, const char *value);

/* Accessor properties backed by callbacks. */
ObjectProperty *object_class_property_add(ObjectClass *klass, const char *name,
                                          const char *type, PropKind kind,
                                          ObjectPropertyGet get, ObjectPropertySet set,
                                          void *opaque);
ObjectProperty *object_property_add(Object *obj, const char *name, const char *type,
                                    PropKind kind, ObjectPropertyGet get,
                                    ObjectPropertySet set, ObjectPropertyRelease release,
                                    void *opaque);
ObjectProperty *object_class_property_add_bool(ObjectClass *klass, const char *name,
                                               bool (*get)(Object *, Error **),
                                               void (*set)(Object *, bool, Error **));
ObjectProperty *object_class_property_add_str(ObjectClass *klass, const char *name,
                                              char *(*get)(Object *, Error **),
                                              void (*set)(Object *, const char *,
                                                          Error **));
ObjectProperty *object_property_add_uint64_ptr(Object *obj, const char *name,
                                               const uint64_t *v);
/* A link<TYPE> instance property pointing at *@targetp. */
ObjectProperty *object_property_add_link(Object *obj, const char *name,
                                         const char *type, Object **targetp);
void object_property_set_description(ObjectProperty *prop, const char *desc);

ObjectProperty *object_property_find(Object *obj, const char *name);
ObjectProperty *object_class_property_find(ObjectClass *klass, const char *name);
void object_property_del(Object *obj, const char *name);
/* Class and instance properties, sorted by name. Caller frees the array only. */
GPtrArray *object_property_list(Object *obj);
GPtrArray *object_class_property_list(ObjectClass *klass);

GVariant *object_property_get(Object *obj, const char *name, Error **errp);
bool object_property_set(Object *obj, const char *name, GVariant *value, Error **errp);
/* Set from a string as typed by a user ("on", "0x10", "1G", "/machine/x"). */
bool object_property_parse(Object *obj, const char *name, const char *string,
                           Error **errp);
/* The value as a user would type it (caller frees). */
char *object_property_print(Object *obj, const char *name, Error **errp);

bool object_property_set_bool(Object *obj, const char *name, bool v, Error **errp);
bool object_property_set_int(Object *obj, const char *name, int64_t v, Error **errp);
bool object_property_set_uint(Object *obj, const char *name, uint64_t v, Error **errp);
bool object_property_set_str(Object *obj, const char *name, const char *v,
                             Error **errp);
bool object_property_set_link(Object *obj, const char *name, Object *v, Error **errp);
bool object_property_get_bool(Object *obj, const char *name, Error **errp);
int64_t object_property_get_int(Object *obj, const char *name, Error **errp);
uint64_t object_property_get_uint(Object *obj, const char *name, Error **errp);
char *object_property_get_str(Object *obj, const char *name, Error **errp);
Object *object_property_get_link(Object *obj, const char *name, Error **errp);

/* Print "  name=<type>  - description (default: x)" lines for -device X,help. */
void object_class_print_properties(ObjectClass *klass, GString *out);

#endif
