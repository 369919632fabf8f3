/*
 * The generic vCPU: a device (abstract type "cpu") with one host thread that
 * runs guest code through the accelerator, and the run-control state that
 * pausing, resetting and quitting the VM work on.
 *
 * Threads and locking. Each realized CPU owns a host thread (system/cpus.c)
 * that holds the big lock except while it runs guest code or sleeps. The
 * flags below (stop, stopped, halted, unplug, the work queue) are changed with
 * the big lock held and read by the vCPU thread under it; exit_request is the
 * only lock-free flag, set by cpu_kick() from any thread.
 */
#ifndef HW_CORE_CPU_H
#define HW_CORE_CPU_H

#include "hw/core/qdev.h"
#include <pthread.h>

#define TYPE_CPU "cpu"

typedef struct CPUState CPUState;
typedef struct CPUClass CPUClass;
typedef struct AccelCPUState AccelCPUState;   /* the accelerator's per-vCPU part */

typedef void (*run_on_cpu_func)(CPUState *cpu, void *data);

/* Flags for CPUClass.dump_state. */
enum {
    CPU_DUMP_FPU = 1 << 0,     /* also FPU/SSE registers */
};

struct CPUClass {
    DeviceClass parent_class;
    /* Architectural reset of the register state (no accelerator work). */
    void (*reset)(CPUState *cpu);
    /* Append a register dump as `info registers` shows it. */
    void (*dump_state)(CPUState *cpu, GString *out, int flags);
    /* The interrupt-controller visible id (x86: the initial APIC ID). */
    int64_t (*get_arch_id)(CPUState *cpu);
    /* A halted vCPU has something to do (an interrupt emu's own irqchip raised). */
    bool (*has_work)(CPUState *cpu);
};

typedef struct CPUWorkItem CPUWorkItem;

struct CPUState {
    DeviceState parent_obj;

    int cpu_index;             /* 0..n-1 in creation order */
    CPUState *next_cpu;        /* CPU_FOREACH list, in cpu_index order */

    /* ---- the vCPU thread ---- */
    GThread *thread;
    pthread_t host_thread;     /* for signal kicks */
    int thread_id;             /* host TID, for `info cpus` */
    bool created;              /* the thread initialised the accelerator's vCPU */
    Error *init_error;         /* why it could not */

    /* ---- run control (big lock) ---- */
    bool stop;                 /* asked to leave guest code and park */
    bool stopped;              /* parked: acknowledged stop, runs no guest code */
    bool unplug;               /* the thread must exit */
    bool halted;               /* HLT with no interrupt pending (emu-handled halt) */
    int exit_request;          /* atomic: leave the accelerator's run loop soon */
    CPUWorkItem *work_first;   /* queued run_on_cpu work (cpus lock) */
    CPUWorkItem *work_last;
    GCond halt_cond;           /* the idle vCPU thread sleeps here */

    /* Registers in the CPU object are newer than the accelerator's copy. */
    bool vcpu_dirty;
    AccelCPUState *accel;
    uint64_t exits;            /* exits taken to emu, for `info cpus` */
};

DECLARE_OBJ_CHECKERS(CPUState, CPUClass, CPU, TYPE_CPU)

/* All realized CPUs, in cpu_index order. Walk with the big lock held. */
extern CPUState *first_cpu;
#define CPU_FOREACH(cpu) for ((cpu) = first_cpu; (cpu); (cpu) = (cpu)->next_cpu)
CPUState *cpu_by_index(int index);
CPUState *cpu_by_arch_id(int64_t id);
int cpu_count(void);

/* The CPU whose thread is running, or NULL on any other thread. */
extern __thread CPUState *current_cpu;

/* Architectural reset of @cpu's registers (CPUClass.reset). */
void cpu_reset(CPUState *cpu);
int64_t cpu_get_arch_id(CPUState *cpu);
void cpu_dump_state(CPUState *cpu, GString *out, int flags);

#endif
