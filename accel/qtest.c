/*
 * The qtest accelerator: runs no CPU. A test program drives the machine over the
 * qtest protocol (system/qtest.c) and owns guest time.
 */
#include "accel/accel.h"
#include "system/qtest.h"
#include "util/timer.h"

static bool qtest_accel_init_machine(AccelState *accel, MachineState *ms, Error **errp)
{
    /*
     * With no CPU to pace it, the virtual clock only moves when the test says so
     * (clock_step / clock_set), which makes device timers deterministic.
     */
    clock_virtual_set_manual(true);
    qtest_set_enabled(true);
    return true;
}

static void qtest_accel_class_init(ObjectClass *oc, void *data)
{
    AccelClass *ac = ACCEL_CLASS(oc);
    ac->name = "qtest";
    ac->init_machine = qtest_accel_init_machine;
    ac->no_cpus = true;
}

static const TypeInfo qtest_accel_types[] = {
    {
        .name = ACCEL_CLASS_NAME("qtest"),
        .parent = TYPE_ACCEL,
        .class_init = qtest_accel_class_init,
    },
};
DEFINE_TYPES(qtest_accel_types)
