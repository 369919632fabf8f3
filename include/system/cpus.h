/*
 * vCPU run control as seen by the rest of emu. An accelerator installs its hooks;
 * with none installed (machine none, qtest) pausing and resuming are no-ops.
 *
 * Two layers. AccelCpuOps is what runstate (vm_stop, vm_start, system reset,
 * quit) calls. The generic vCPU thread model below implements it for every
 * accelerator that runs CPUs: cpus_register_accel(&ops) installs an
 * accelerator's per-vCPU hooks (AccelOps) and the generic AccelCpuOps.
 */
#ifndef SYSTEM_CPUS_H
#define SYSTEM_CPUS_H

#include "util/osdep.h"
#include "util/error.h"
#include "system/runstate.h"
#include "hw/core/cpu.h"

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

/* ---- the generic vCPU thread model ---- */

/*
 * Why an accelerator's exec_vcpu (or TCG's exec loop) returned. The one list of
 * these codes; guest exception vectors (below 256) never collide with them.
 */
enum {
    EXCP_INTERRUPT = 0x10000,  /* kicked: look at stop/work/unplug */
    EXCP_HLT,                  /* the vCPU halted: sleep until it has work */
    EXCP_DEBUG,
    EXCP_FATAL,                /* the vCPU cannot run any more (already reported) */
    EXCP_HALTED,               /* TCG: the vCPU is halted, nothing ran */
    EXCP_YIELD,                /* TCG: time slice over, give other vCPUs a turn */
    EXCP_NONE = -1,            /* TCG: no exception pending */
};

/*
 * An accelerator's per-vCPU hooks. Everything except kick_vcpu_thread runs on
 * the vCPU's own thread with the big lock held.
 */
typedef struct AccelOps {
    const char *name;
    /* Set up the accelerator's vCPU (KVM: KVM_CREATE_VCPU, mmap kvm_run). */
    bool (*init_vcpu_thread)(CPUState *cpu, Error **errp);
    void (*destroy_vcpu_thread)(CPUState *cpu);
    /*
     * Run guest code until a kick, a halt or an error; returns EXCP_*. May drop
     * the big lock while guest code runs, but holds it again on return.
     */
    int (*exec_vcpu)(CPUState *cpu);
    /* Get @cpu out of guest code soon. Any thread, any lock. */
    void (*kick_vcpu_thread)(CPUState *cpu);
    /* Pull the accelerator's registers into the CPU object (vcpu_dirty = true). */
    void (*synchronize_state)(CPUState *cpu);
    /* Push the CPU object's state after reset / after creation. */
    void (*synchronize_post_reset)(CPUState *cpu);
    void (*synchronize_post_init)(CPUState *cpu);
    /* Whether a halted vCPU may sleep (false: HLT is the accelerator's job). */
    bool (*cpu_thread_is_idle)(CPUState *cpu);
} AccelOps;

/* Install @ops (static storage) and the generic AccelCpuOps. */
void cpus_register_accel(const AccelOps *ops);
const AccelOps *cpus_get_accel(void);

/*
 * Start @cpu's thread and wait until the accelerator initialised it (big lock
 * held; it is dropped while waiting). Fails with the accelerator's error.
 */
bool cpus_start_vcpu(CPUState *cpu, Error **errp);
/* Make @cpu's thread exit and join it (big lock held, dropped while joining). */
void cpus_stop_vcpu(CPUState *cpu);

/* Big lock held. pause waits until every vCPU acknowledged it runs no guest code. */
void pause_all_vcpus(void);
void resume_all_vcpus(void);
bool all_vcpus_paused(void);
/* Reset every CPU: architectural state, then the accelerator's copy. */
void reset_all_vcpus(void);
/* Stop and join every vCPU thread (quit). */
void stop_all_vcpu_threads(void);

/* Make @cpu leave guest code and re-examine its state. Any thread. */
void cpu_kick(CPUState *cpu);
bool cpu_is_self(CPUState *cpu);

/*
 * Run @func(cpu, data) on @cpu's thread with the big lock held and wait for it
 * (the caller holds the big lock; it is dropped while waiting). Runs directly
 * when called on @cpu's own thread or when @cpu has no thread.
 */
void run_on_cpu(CPUState *cpu, run_on_cpu_func func, void *data);
/* The same without waiting: @func runs soon on @cpu's thread. Any thread. */
void async_run_on_cpu(CPUState *cpu, run_on_cpu_func func, void *data);

/* Register sync with the accelerator (any thread; uses run_on_cpu). */
void cpu_synchronize_state(CPUState *cpu);
void cpu_synchronize_all_states(void);

/*
 * From a vCPU thread that hit something fatal (KVM internal error): park this
 * vCPU and have the main loop stop the VM with @state.
 */
void cpus_request_vm_stop(RunState state);

#endif
