/*
 * Object model: type hierarchy, interfaces, casts, properties set from strings,
 * defaults, links, the composition tree and path resolution.
 */
#include "qom/object.h"
#include "hw/core/qdev.h"

#define TYPE_ANIMAL "test-animal"
#define TYPE_DOG "test-dog"
#define TYPE_PUPPY "test-puppy"
#define TYPE_BARKER "test-barker"
#define TYPE_BALL "test-ball"

typedef struct {
    InterfaceClass parent;
    const char *(*bark)(Object *obj);
} BarkerClass;

typedef struct {
    Object parent;
    bool alive;
    int32_t legs;
    uint8_t age;
    uint64_t weight;
    char *name;
    int color;
    Object *toy;
    int *finalized;
} Animal;

typedef struct {
    ObjectClass parent;
    const char *sound;
} AnimalClass;

typedef struct {
    Animal parent;
    bool dog_init_ran;
} Dog;

static const char *const colors[] = { "black", "white", "brown", NULL };

static void animal_init(Object *obj)
{
    Animal *a = (Animal *)obj;
    /* Defaults are applied before instance_init runs. */
    g_assert_cmpint(a->legs, ==, 4);
}

static void animal_finalize(Object *obj)
{
    Animal *a = (Animal *)obj;
    if (a->finalized) {
        (*a->finalized)++;
    }
}

static const Property animal_props[] = {
    DEFINE_PROP_BOOL("alive", Animal, alive, true),
    DEFINE_PROP_INT32("legs", Animal, legs, 4),
    DEFINE_PROP_UINT8("age", Animal, age, 0),
    DEFINE_PROP_SIZE("weight", Animal, weight, 1024),
    DEFINE_PROP_STRING("name", Animal, name),
    DEFINE_PROP_ENUM("color", Animal, color, 2, colors),
    DEFINE_PROP_LINK("toy", Animal, toy, TYPE_BALL, Object *),
    DEFINE_PROP_END_OF_LIST(),
};

static void animal_class_init(ObjectClass *oc, void *data)
{
    ((AnimalClass *)oc)->sound = "...";
    object_class_add_static_props(oc, animal_props);
}

static void dog_init(Object *obj)
{
    ((Dog *)obj)->dog_init_ran = true;
}

static const char *dog_bark(Object *obj)
{
    return "woof";
}

static const char *puppy_bark(Object *obj)
{
    return "yip";
}

static void dog_class_init(ObjectClass *oc, void *data)
{
    ((AnimalClass *)oc)->sound = "woof";
    BarkerClass *bc = (BarkerClass *)object_class_get_interface(oc, TYPE_BARKER);
    bc->bark = dog_bark;
}

static void puppy_class_init(ObjectClass *oc, void *data)
{
    BarkerClass *bc = (BarkerClass *)object_class_get_interface(oc, TYPE_BARKER);
    bc->bark = puppy_bark;
}

static const TypeInfo test_types[] = {
    {
        .name = TYPE_BARKER,
        .parent = TYPE_INTERFACE,
        .class_size = sizeof(BarkerClass),
    },
    {
        .name = TYPE_ANIMAL,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(Animal),
        .instance_init = animal_init,
        .instance_finalize = animal_finalize,
        .class_size = sizeof(AnimalClass),
        .class_init = animal_class_init,
    },
    {
        .name = TYPE_DOG,
        .parent = TYPE_ANIMAL,
        .instance_size = sizeof(Dog),
        .instance_init = dog_init,
        .class_init = dog_class_init,
        .interfaces = (const InterfaceInfo[]) { { TYPE_BARKER }, { NULL } },
    },
    {
        .name = TYPE_PUPPY,
        .parent = TYPE_DOG,
        .class_init = puppy_class_init,
    },
    {
        .name = TYPE_BALL,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
    },
};
DEFINE_TYPES(test_types)

static void test_hierarchy(void)
{
    Object *d = object_new(TYPE_PUPPY);
    g_assert_cmpstr(object_get_typename(d), ==, TYPE_PUPPY);
    g_assert_nonnull(object_dynamic_cast(d, TYPE_DOG));
    g_assert_nonnull(object_dynamic_cast(d, TYPE_ANIMAL));
    g_assert_nonnull(object_dynamic_cast(d, TYPE_OBJECT));
    g_assert_null(object_dynamic_cast(d, TYPE_BALL));
    g_assert_true(((Dog *)d)->dog_init_ran);
    /* Class data inherits then overrides. */
    g_assert_cmpstr(((AnimalClass *)object_get_class(d))->sound, ==, "woof");
    g_assert_true(object_class_is_abstract(object_class_by_name(TYPE_ANIMAL)));
    g_assert_cmpstr(object_class_get_name(object_class_get_parent(
                        object_class_by_name(TYPE_PUPPY))), ==, TYPE_DOG);
    object_unref(d);
}

static void test_interfaces(void)
{
    Object *dog = object_new(TYPE_DOG);
    Object *pup = object_new(TYPE_PUPPY);
    Object *ball = object_new(TYPE_BALL);
    BarkerClass *bc = (BarkerClass *)object_get_interface(dog, TYPE_BARKER);
    g_assert_nonnull(bc);
    g_assert_cmpstr(bc->bark(dog), ==, "woof");
    /* A subclass inherits the interface and may override its methods. */
    bc = (BarkerClass *)object_get_interface(pup, TYPE_BARKER);
    g_assert_cmpstr(bc->bark(pup), ==, "yip");
    g_assert_null(object_get_interface(ball, TYPE_BARKER));
    /* Casting an object to an interface it implements gives the object. */
    g_assert_true(object_dynamic_cast(pup, TYPE_BARKER) == pup);
    g_assert_null(object_dynamic_cast(ball, TYPE_BARKER));
    GSList *list = object_class_get_list(TYPE_BARKER, false);
    g_assert_cmpint(g_slist_length(list), ==, 2);
    g_slist_free(list);
    object_unref(dog);
    object_unref(pup);
    object_unref(ball);
}

static void test_cast_failure_message(void)
{
    if (g_test_subprocess()) {
        Object *ball = object_new(TYPE_BALL);
        OBJECT_CHECK(Dog, ball, TYPE_DOG);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*'" TYPE_BALL "' is not an instance of '" TYPE_DOG "'*");
}

static void test_property_defaults_and_parse(void)
{
    Object *d = object_new(TYPE_DOG);
    Animal *a = (Animal *)d;
    Error *err = NULL;

    g_assert_true(a->alive);
    g_assert_cmpint(a->legs, ==, 4);
    g_assert_cmpuint(a->weight, ==, 1024);
    g_assert_cmpint(a->color, ==, 2);

    g_assert_true(object_property_parse(d, "alive", "off", &error_abort));
    g_assert_false(a->alive);
    g_assert_true(object_property_parse(d, "alive", "yes", &error_abort));
    g_assert_true(a->alive);
    g_assert_false(object_property_parse(d, "alive", "maybe", &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "alive"));
    error_free(err);
    err = NULL;

    g_assert_true(object_property_parse(d, "legs", "-3", &error_abort));
    g_assert_cmpint(a->legs, ==, -3);
    g_assert_true(object_property_parse(d, "legs", "0x10", &error_abort));
    g_assert_cmpint(a->legs, ==, 16);
    g_assert_false(object_property_parse(d, "legs", "4x", NULL));
    g_assert_false(object_property_parse(d, "legs", "99999999999", NULL));

    g_assert_true(object_property_parse(d, "age", "255", &error_abort));
    g_assert_cmpuint(a->age, ==, 255);
    g_assert_false(object_property_parse(d, "age", "256", NULL));
    g_assert_false(object_property_parse(d, "age", "-1", NULL));
    g_assert_cmpuint(a->age, ==, 255);

    g_assert_true(object_property_parse(d, "weight", "2k", &error_abort));
    g_assert_cmpuint(a->weight, ==, 2048);
    g_assert_true(object_property_parse(d, "weight", "1.5G", &error_abort));
    g_assert_cmpuint(a->weight, ==, 1536ULL << 20);
    g_assert_true(object_property_parse(d, "weight", "3T", &error_abort));
    g_assert_cmpuint(a->weight, ==, 3ULL << 40);
    g_assert_false(object_property_parse(d, "weight", "12Q", NULL));
    g_assert_false(object_property_parse(d, "weight", "", NULL));

    g_assert_true(object_property_parse(d, "name", "rex", &error_abort));
    g_assert_cmpstr(a->name, ==, "rex");
    g_autofree char *name = object_property_get_str(d, "name", &error_abort);
    g_assert_cmpstr(name, ==, "rex");

    g_assert_true(object_property_parse(d, "color", "white", &error_abort));
    g_assert_cmpint(a->color, ==, 1);
    g_assert_false(object_property_parse(d, "color", "green", &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "black"));
    error_free(err);
    g_autofree char *color = object_property_print(d, "color", &error_abort);
    g_assert_cmpstr(color, ==, "white");

    g_assert_false(object_property_parse(d, "nosuch", "1", NULL));
    g_autofree char *alive = object_property_print(d, "alive", &error_abort);
    g_assert_cmpstr(alive, ==, "on");

    /* Typed setters accept the other numeric sign when the value fits. */
    g_assert_true(object_property_set_int(d, "age", 7, &error_abort));
    g_assert_cmpuint(object_property_get_uint(d, "age", &error_abort), ==, 7);
    object_unref(d);
}

static void test_tree_and_paths(void)
{
    Object *root = object_get_root();
    Object *zoo = container_get(root, "/zoo/pen");
    Object *dog = object_new(TYPE_DOG);
    object_property_add_child(zoo, "rex", dog);
    object_unref(dog);

    g_autofree char *path = object_get_canonical_path(dog);
    g_assert_cmpstr(path, ==, "/zoo/pen/rex");
    g_assert_true(object_resolve_path("/zoo/pen/rex", NULL) == dog);
    bool ambiguous;
    g_assert_true(object_resolve_path("rex", &ambiguous) == dog);
    g_assert_false(ambiguous);
    g_assert_true(object_resolve_path("pen/rex", NULL) == dog);
    g_assert_null(object_resolve_path("/zoo/nothing", NULL));
    g_assert_null(object_resolve_path_type("rex", TYPE_BALL, NULL));

    /* A second "rex" elsewhere makes the partial path ambiguous. */
    Object *dog2 = object_new(TYPE_DOG);
    object_property_add_child(container_get(root, "/zoo/other"), "rex", dog2);
    object_unref(dog2);
    g_assert_null(object_resolve_path("rex", &ambiguous));
    g_assert_true(ambiguous);

    /* Duplicate child names are refused. */
    Object *dup = object_new(TYPE_BALL);
    g_assert_false(object_property_try_add_child(zoo, "rex", dup, NULL));
    object_unref(dup);

    /* Links: set by path, type-checked, and followed by path resolution. */
    Object *ball = object_new(TYPE_BALL);
    object_property_add_child(zoo, "ball", ball);
    object_unref(ball);
    g_assert_true(object_property_parse(dog, "toy", "/zoo/pen/ball", &error_abort));
    g_assert_true(((Animal *)dog)->toy == ball);
    g_assert_true(object_resolve_path("/zoo/pen/rex/toy", NULL) == ball);
    g_assert_false(object_property_parse(dog, "toy", "/zoo/other/rex", NULL));
    g_assert_false(object_property_parse(dog, "toy", "/nowhere", NULL));

    /* Unparenting finalizes once the last reference goes. */
    int finalized = 0;
    ((Animal *)dog2)->finalized = &finalized;
    object_unparent(dog2);
    g_assert_cmpint(finalized, ==, 1);
    g_assert_null(object_resolve_path("/zoo/other/rex", NULL));

    /* The child property lists as child<TYPE>. */
    ObjectProperty *p = object_property_find(zoo, "rex");
    g_assert_cmpstr(p->type, ==, "child<" TYPE_DOG ">");
    object_unparent(container_get(root, "/zoo"));
    g_assert_null(object_resolve_path("/zoo", NULL));
}

static void test_refcount(void)
{
    int finalized = 0;
    Object *d = object_new(TYPE_DOG);
    ((Animal *)d)->finalized = &finalized;
    object_ref(d);
    object_unref(d);
    g_assert_cmpint(finalized, ==, 0);
    object_unref(d);
    g_assert_cmpint(finalized, ==, 1);
}

static void test_new_checked(void)
{
    Error *err = NULL;
    g_assert_null(object_new_checked("no-such-type", NULL, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_null(object_new_checked(TYPE_ANIMAL, NULL, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "abstract"));
    error_free(err);
    Object *o = object_new_checked(TYPE_PUPPY, TYPE_BARKER, &error_abort);
    g_assert_nonnull(o);
    object_unref(o);
}

static void test_print_properties(void)
{
    GString *out = g_string_new(NULL);
    object_class_print_properties(object_class_by_name(TYPE_DOG), out);
    g_assert_nonnull(strstr(out->str, "legs=<int32>"));
    g_assert_nonnull(strstr(out->str, "(default: 4)"));
    g_assert_nonnull(strstr(out->str, "weight=<size>"));
    g_assert_nonnull(strstr(out->str, "toy=<link<test-ball>>"));
    g_string_free(out, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qom/hierarchy", test_hierarchy);
    g_test_add_func("/qom/interfaces", test_interfaces);
    g_test_add_func("/qom/cast-failure-message", test_cast_failure_message);
    g_test_add_func("/qom/properties", test_property_defaults_and_parse);
    g_test_add_func("/qom/tree", test_tree_and_paths);
    g_test_add_func("/qom/refcount", test_refcount);
    g_test_add_func("/qom/new-checked", test_new_checked);
    g_test_add_func("/qom/print-properties", test_print_properties);
    return g_test_run();
}
