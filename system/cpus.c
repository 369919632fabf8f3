/*
 * vCPU run control: dispatch to the active accelerator, and the generic vCPU
 * thread model every CPU-running accelerator shares.
 *
 * Waiting. The big lock is a plain mutex private to the main loop, so
 * condition waits use a second mutex, cpus_lock, with this protocol: a waiter
 * checks its condition holding the big lock and cpus_lock, then releases the
 * big lock and sleeps on the condition (which releases cpus_lock). Whoever
 * changes the state does so under the big lock or cpus_lock and then
 * broadcasts under cpus_lock. Since the waiter holds cpus_lock from its check
 * until it sleeps, no wake-up can be lost. Lock order: big lock, then cpus_lock.
 */
#include "system/cpus.h"
#include "system/main-loop.h"
#include "util/log.h"
#include <signal.h>
#include <sys/syscall.h>

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

/* ---- the generic vCPU thread model ---- */

struct CPUWorkItem {
    run_on_cpu_func func;
    void *data;
    bool wait;          /* the submitter waits for done (and owns the item) */
    bool done;
    CPUWorkItem *next;
};

static const AccelOps *vcpu_ops;
static GMutex cpus_lock;
static GCond pause_cond;      /* a vCPU stopped */
static GCond created_cond;    /* a vCPU thread finished initialising or exited */
static GCond work_cond;       /* a waited-for work item completed */
static bool vcpus_running;    /* the VM runs: vCPUs may enter guest code */

static const AccelCpuOps generic_cpu_ops = {
    .pause_all = pause_all_vcpus,
    .resume_all = resume_all_vcpus,
    .reset_all = reset_all_vcpus,
    .shutdown_all = stop_all_vcpu_threads,
};

void cpus_register_accel(const AccelOps *ops)
{
    vcpu_ops = ops;
    cpus_register_accel_ops(ops ? &generic_cpu_ops : NULL);
}

const AccelOps *cpus_get_accel(void)
{
    return vcpu_ops;
}

/*
 * Threads asleep in cpus_wait_locked(), under cpus_lock. A broadcast with
 * nobody asleep is skipped: GLib's g_cond_broadcast is a futex syscall every
 * time, and cpu_kick() runs on every interrupt a device raises.
 */
static unsigned cpus_sleepers;

/* Sleep on @cond: big lock and cpus_lock held on entry; only the big lock on exit. */
static void cpus_wait_locked(GCond *cond)
{
    bql_unlock();
    cpus_sleepers++;
    g_cond_wait(cond, &cpus_lock);
    cpus_sleepers--;
    g_mutex_unlock(&cpus_lock);
    bql_lock();
}

static void cpus_broadcast(GCond *cond)
{
    g_mutex_lock(&cpus_lock);
    if (cpus_sleepers) {
        g_cond_broadcast(cond);
    }
    g_mutex_unlock(&cpus_lock);
}

bool cpu_is_self(CPUState *cpu)
{
    return current_cpu == cpu;
}

void cpu_kick(CPUState *cpu)
{
    g_atomic_int_set(&cpu->exit_request, 1);
    cpus_broadcast(&cpu->halt_cond);
    if (vcpu_ops && vcpu_ops->kick_vcpu_thread && cpu->thread && !cpu_is_self(cpu)) {
        vcpu_ops->kick_vcpu_thread(cpu);
    }
}

static bool cpu_has_queued_work(CPUState *cpu)
{
    return cpu->work_first != NULL;
}

static bool cpu_can_run(CPUState *cpu)
{
    return vcpus_running && !cpu->stop && !cpu->stopped && !cpu->unplug;
}

/* With cpus_lock held (and the big lock). */
static bool cpu_thread_is_idle(CPUState *cpu)
{
    if (cpu_has_queued_work(cpu) || cpu->stop || cpu->unplug) {
        return false;
    }
    if (cpu->stopped || !vcpus_running) {
        return true;
    }
    if (!cpu->halted) {
        return false;
    }
    CPUClass *cc = CPU_GET_CLASS(cpu);
    if (cc->has_work && cc->has_work(cpu)) {
        return false;
    }
    return !vcpu_ops->cpu_thread_is_idle || vcpu_ops->cpu_thread_is_idle(cpu);
}

static void process_queued_work(CPUState *cpu)
{
    for (;;) {
        g_mutex_lock(&cpus_lock);
        CPUWorkItem *wi = cpu->work_first;
        if (wi) {
            cpu->work_first = wi->next;
            if (!cpu->work_first) {
                cpu->work_last = NULL;
            }
        }
        g_mutex_unlock(&cpus_lock);
        if (!wi) {
            return;
        }
        wi->func(cpu, wi->data);
        if (wi->wait) {
            /* done is read under the big lock, which we hold. */
            wi->done = true;
            cpus_broadcast(&work_cond);
        } else {
            g_free(wi);
        }
    }
}

/* Sleep while there is nothing to do, then handle stop requests and work. */
static void cpu_wait_io_event(CPUState *cpu)
{
    for (;;) {
        g_mutex_lock(&cpus_lock);
        if (!cpu_thread_is_idle(cpu)) {
            g_mutex_unlock(&cpus_lock);
            break;
        }
        cpus_wait_locked(&cpu->halt_cond);
    }
    if (cpu->stop) {
        cpu->stop = false;
        cpu->stopped = true;
        cpus_broadcast(&pause_cond);
    }
    process_queued_work(cpu);
}

static gpointer vcpu_thread_fn(gpointer opaque)
{
    CPUState *cpu = opaque;
    Error *err = NULL;

    bql_lock();
    current_cpu = cpu;
    cpu->host_thread = pthread_self();
    cpu->thread_id = (int)syscall(SYS_gettid);
    if (vcpu_ops->init_vcpu_thread && !vcpu_ops->init_vcpu_thread(cpu, &err)) {
        cpu->init_error = err;
        cpu->unplug = true;
    } else {
        cpu->created = true;
    }
    cpus_broadcast(&created_cond);

    while (!cpu->unplug) {
        if (cpu_can_run(cpu)) {
            int r = vcpu_ops->exec_vcpu(cpu);
            if (r == EXCP_HLT) {
                cpu->halted = true;
            } else if (r == EXCP_FATAL) {
                /* Park: the VM is being stopped on our behalf. */
                cpu->stopped = true;
                cpus_broadcast(&pause_cond);
            }
        }
        cpu_wait_io_event(cpu);
    }

    if (cpu->created && vcpu_ops->destroy_vcpu_thread) {
        vcpu_ops->destroy_vcpu_thread(cpu);
    }
    /* Anyone waiting for work on this CPU must not hang: run what is left. */
    process_queued_work(cpu);
    cpu->created = false;
    current_cpu = NULL;
    cpus_broadcast(&created_cond);
    cpus_broadcast(&pause_cond);
    bql_unlock();
    return NULL;
}

static void do_post_init(CPUState *cpu, void *data)
{
    vcpu_ops->synchronize_post_init(cpu);
}

bool cpus_start_vcpu(CPUState *cpu, Error **errp)
{
    g_assert(vcpu_ops && vcpu_ops->exec_vcpu);
    g_assert(bql_locked());
    g_assert(!cpu->thread);

    cpu->stopped = !vcpus_running;
    cpu->unplug = false;
    g_autofree char *name = g_strdup_printf("CPU %d/%s", cpu->cpu_index, vcpu_ops->name);
    cpu->thread = g_thread_new(name, vcpu_thread_fn, cpu);

    for (;;) {
        g_mutex_lock(&cpus_lock);
        if (cpu->created || cpu->init_error) {
            g_mutex_unlock(&cpus_lock);
            break;
        }
        cpus_wait_locked(&created_cond);
    }
    if (cpu->init_error) {
        error_propagate(errp, cpu->init_error);
        cpu->init_error = NULL;
        bql_unlock();
        g_thread_join(cpu->thread);
        bql_lock();
        cpu->thread = NULL;
        return false;
    }
    if (vcpu_ops->synchronize_post_init) {
        run_on_cpu(cpu, do_post_init, NULL);
    }
    return true;
}

void cpus_stop_vcpu(CPUState *cpu)
{
    g_assert(bql_locked());
    if (!cpu->thread) {
        return;
    }
    g_assert(!cpu_is_self(cpu));
    cpu->unplug = true;
    cpu_kick(cpu);
    GThread *t = cpu->thread;
    bql_unlock();
    g_thread_join(t);
    bql_lock();
    cpu->thread = NULL;
}

bool all_vcpus_paused(void)
{
    CPUState *cpu;
    CPU_FOREACH(cpu) {
        if (cpu->thread && cpu->created && !cpu->stopped) {
            return false;
        }
    }
    return true;
}

void pause_all_vcpus(void)
{
    CPUState *cpu;

    g_assert(bql_locked());
    vcpus_running = false;
    if (current_cpu) {
        /* Called from a vCPU thread: it is out of guest code by definition. */
        current_cpu->stop = false;
        current_cpu->stopped = true;
    }
    CPU_FOREACH(cpu) {
        if (cpu->thread && !cpu->stopped) {
            cpu->stop = true;
            cpu_kick(cpu);
        }
    }
    for (;;) {
        g_mutex_lock(&cpus_lock);
        if (all_vcpus_paused()) {
            g_mutex_unlock(&cpus_lock);
            break;
        }
        cpus_wait_locked(&pause_cond);
    }
}

void resume_all_vcpus(void)
{
    CPUState *cpu;

    g_assert(bql_locked());
    vcpus_running = true;
    CPU_FOREACH(cpu) {
        cpu->stop = false;
        cpu->stopped = false;
        cpu_kick(cpu);
    }
}

static void do_cpu_reset(CPUState *cpu, void *data)
{
    cpu_reset(cpu);
    if (vcpu_ops && vcpu_ops->synchronize_post_reset) {
        vcpu_ops->synchronize_post_reset(cpu);
    }
}

void reset_all_vcpus(void)
{
    CPUState *cpu;
    CPU_FOREACH(cpu) {
        run_on_cpu(cpu, do_cpu_reset, NULL);
    }
}

void stop_all_vcpu_threads(void)
{
    CPUState *cpu;

    g_assert(bql_locked());
    vcpus_running = false;
    /* Ask everyone first so the threads wind down in parallel, then join. */
    CPU_FOREACH(cpu) {
        if (cpu->thread) {
            cpu->unplug = true;
            cpu_kick(cpu);
        }
    }
    CPU_FOREACH(cpu) {
        cpus_stop_vcpu(cpu);
    }
}

static void queue_work(CPUState *cpu, CPUWorkItem *wi)
{
    g_mutex_lock(&cpus_lock);
    wi->next = NULL;
    if (cpu->work_last) {
        cpu->work_last->next = wi;
    } else {
        cpu->work_first = wi;
    }
    cpu->work_last = wi;
    g_mutex_unlock(&cpus_lock);
    cpu_kick(cpu);
}

void run_on_cpu(CPUState *cpu, run_on_cpu_func func, void *data)
{
    if (cpu_is_self(cpu) || !cpu->thread || !cpu->created) {
        func(cpu, data);
        return;
    }
    g_assert(bql_locked());
    CPUWorkItem wi = { .func = func, .data = data, .wait = true };
    queue_work(cpu, &wi);
    for (;;) {
        g_mutex_lock(&cpus_lock);
        if (wi.done) {
            g_mutex_unlock(&cpus_lock);
            break;
        }
        cpus_wait_locked(&work_cond);
    }
}

void async_run_on_cpu(CPUState *cpu, run_on_cpu_func func, void *data)
{
    CPUWorkItem *wi = g_new0(CPUWorkItem, 1);
    wi->func = func;
    wi->data = data;
    queue_work(cpu, wi);
}

static void do_sync_state(CPUState *cpu, void *data)
{
    if (!cpu->vcpu_dirty && vcpu_ops && vcpu_ops->synchronize_state) {
        vcpu_ops->synchronize_state(cpu);
    }
}

void cpu_synchronize_state(CPUState *cpu)
{
    if (cpu->vcpu_dirty || !vcpu_ops || !vcpu_ops->synchronize_state || !cpu->created) {
        return;
    }
    run_on_cpu(cpu, do_sync_state, NULL);
}

void cpu_synchronize_all_states(void)
{
    CPUState *cpu;
    CPU_FOREACH(cpu) {
        cpu_synchronize_state(cpu);
    }
}

typedef struct {
    EmuBH *bh;
    RunState state;
} VmStopRequest;

static void vm_stop_bh(void *opaque)
{
    VmStopRequest *req = opaque;
    vm_stop(req->state);
    bh_delete(req->bh);
    g_free(req);
}

void cpus_request_vm_stop(RunState state)
{
    /* vm_stop pauses every vCPU and waits for them: only the main loop may. */
    VmStopRequest *req = g_new0(VmStopRequest, 1);
    req->state = state;
    req->bh = bh_new(vm_stop_bh, req);
    bh_schedule(req->bh);
}
