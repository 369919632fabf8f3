/*
 * Accelerators: what runs the guest's CPUs (kvm, tcg) or, for qtest, nothing.
 * An accelerator type "foo" is registered as "foo-accel"; -accel foo picks it.
 */
#ifndef ACCEL_ACCEL_H
#define ACCEL_ACCEL_H

#include "qom/object.h"

#define TYPE_ACCEL "accel"
#define ACCEL_CLASS_SUFFIX "-accel"
#define ACCEL_CLASS_NAME(a) a ACCEL_CLASS_SUFFIX

typedef struct MachineState MachineState;

typedef struct AccelState {
    Object parent_obj;
} AccelState;

typedef struct AccelClass {
    ObjectClass parent_class;
    const char *name;
    /* Can this host run it? Sets *errp with the reason when not. */
    bool (*available)(Error **errp);
    /* Called after the machine object exists and before its devices are built. */
    bool (*init_machine)(AccelState *accel, MachineState *ms, Error **errp);
    /* Called once the machine is built, before the first reset. */
    bool (*setup_post)(AccelState *accel, MachineState *ms, Error **errp);
    /* Runs no guest CPU (qtest). */
    bool no_cpus;
} AccelClass;

DECLARE_OBJ_CHECKERS(AccelState, AccelClass, ACCEL, TYPE_ACCEL)

AccelClass *accel_class_find(const char *name);
void accel_print_list(GString *out);
AccelState *current_accel(void);
void current_accel_set(AccelState *accel);
const char *current_accel_name(void);

#endif
