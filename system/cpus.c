/* Dispatch of vCPU run control to the active accelerator. */
#include "system/cpus.h"

static const AccelCpuOps *accel_ops;

void cpus_register_accel_ops(const AccelCpuOps *ops)
{
    accel_ops = ops;
}

void cpus_pause_all(void)
{
    if (accel_ops && accel_ops->pause_all) {
        accel_ops->pause_all();
    }
}

void cpus_resume_all(void)
{
    if (accel_ops && accel_ops->resume_all) {
        accel_ops->resume_all();
    }
}

void cpus_reset_all(void)
{
    if (accel_ops && accel_ops->reset_all) {
        accel_ops->reset_all();
    }
}

void cpus_shutdown_all(void)
{
    if (accel_ops && accel_ops->shutdown_all) {
        accel_ops->shutdown_all();
    }
}
