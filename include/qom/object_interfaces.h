/* -object: user-creatable objects (iothreads, memory backends, secrets...). */
#ifndef QOM_OBJECT_INTERFACES_H
#define QOM_OBJECT_INTERFACES_H

#include "qom/object.h"
#include "util/keyval.h"

#define TYPE_USER_CREATABLE "user-creatable"

typedef struct UserCreatableClass {
    InterfaceClass parent_class;
    /* Called after every property was set; may fail. */
    bool (*complete)(Object *obj, Error **errp);
    /* Optional: false while something uses the object (object-del refuses). */
    bool (*can_be_deleted)(Object *obj);
} UserCreatableClass;

/* -object TYPE,id=ID,prop=value...: creates /objects/ID. */
Object *user_creatable_add_opts(Opts *opts, Error **errp);
/* object-del: remove /objects/ID unless it is in use (QEMU's messages). */
bool user_creatable_del(const char *id, Error **errp);
void user_creatable_print_types(GString *out);
bool user_creatable_print_props(const char *type, GString *out, Error **errp);

#endif
