/* Accelerator base type and registry. */
#include "accel/accel.h"

static AccelState *the_accel;

AccelState *current_accel(void)
{
    return the_accel;
}

void current_accel_set(AccelState *accel)
{
    the_accel = accel;
}

const char *current_accel_name(void)
{
    return the_accel ? ACCEL_GET_CLASS(the_accel)->name : "none";
}

AccelClass *accel_class_find(const char *name)
{
    g_autofree char *tn = g_strconcat(name, ACCEL_CLASS_SUFFIX, NULL);
    ObjectClass *oc = object_class_by_name(tn);
    if (!oc || !object_class_dynamic_cast(oc, TYPE_ACCEL) || object_class_is_abstract(oc)) {
        return NULL;
    }
    return ACCEL_CLASS(oc);
}

static void list_one(ObjectClass *oc, void *opaque)
{
    g_string_append_printf(opaque, "%s\n", ACCEL_CLASS(oc)->name);
}

void accel_print_list(GString *out)
{
    g_string_append(out, "Accelerators supported in emu binary:\n");
    object_class_foreach(list_one, TYPE_ACCEL, false, out);
}

static const TypeInfo accel_types[] = {
    {
        .name = TYPE_ACCEL,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(AccelState),
        .class_size = sizeof(AccelClass),
        .abstract = true,
    },
};
DEFINE_TYPES(accel_types)
