/*
 * vCPU run control as seen by the rest of emu. An accelerator installs its hooks;
 * with none installed (machine none, qtest) pausing and resuming are no-ops.
 */
#ifndef SYSTEM_CPUS_H
#define SYSTEM_CPUS_H

#include "util/osdep.h"

typedef struct AccelCpuOps {
    /* Stop every vCPU and wait until none runs guest code. Big lock held. */
    void (*pause_all)(void);
    void (*resume_all)(void);
    /* Put every vCPU in its reset state (after devices were reset). */
    void (*reset_all)(void);
    /* Ask all vCPU threads to exit before emu quits. */
    void (*shutdown_all)(void);
} AccelCpuOps;

void cpus_register_accel_ops(const AccelCpuOps *ops);
void cpus_pause_all(void);
void cpus_resume_all(void);
void cpus_reset_all(void);
void cpus_shutdown_all(void);

#endif
