/*
 * The generic vCPU thread model with a dummy accelerator whose "guest code" is
 * a loop incrementing a counter: pause_all_vcpus must leave every vCPU out of
 * that loop and the counters frozen, resume must restart them, run_on_cpu must
 * run on the vCPU's own thread whether it is running, paused or halted, and
 * threads must come and go cleanly, 100 times over, with no deadlock. Each
 * test body runs on a worker thread under a watchdog so a deadlock fails the
 * test instead of hanging it.
 */
#include "hw/core/cpu.h"
#include "system/cpus.h"
#include "system/main-loop.h"
#include "system/runstate.h"

#define TYPE_TEST_CPU "test-vcpu-cpu"
#define NR_CPUS 4
#define ITERATIONS 100
#define WATCHDOG_SECONDS 120

typedef struct TestCPU {
    CPUState parent_obj;
    int64_t counter;           /* atomic: "guest" progress */
    int in_guest;              /* atomic: inside exec_vcpu without the big lock */
    int want_halt;             /* atomic: the next exec halts */
    int has_work;              /* atomic: a halted vCPU may run again */
    int resets;                /* reset ran on the vCPU thread */
    int wrong_thread_resets;
    int exits;                 /* exec_vcpu returns */
    bool destroyed;
} TestCPU;

DECLARE_INSTANCE_CHECKER(TestCPU, TEST_CPU, TYPE_TEST_CPU)

static int64_t read_counter(CPUState *cpu)
{
    return __atomic_load_n(&TEST_CPU(cpu)->counter, __ATOMIC_RELAXED);
}

static int spin_exec(CPUState *cpu)
{
    TestCPU *t = TEST_CPU(cpu);
    g_assert(bql_locked());
    if (g_atomic_int_get(&t->want_halt)) {
        g_atomic_int_set(&t->want_halt, 0);
        t->exits++;
        return EXCP_HLT;
    }
    bql_unlock();
    g_atomic_int_set(&t->in_guest, 1);
    while (!g_atomic_int_compare_and_exchange(&cpu->exit_request, 1, 0)) {
        __atomic_add_fetch(&t->counter, 1, __ATOMIC_RELAXED);
    }
    g_atomic_int_set(&t->in_guest, 0);
    bql_lock();
    t->exits++;
    return EXCP_INTERRUPT;
}

static bool spin_init(CPUState *cpu, Error **errp)
{
    g_assert(cpu_is_self(cpu));
    return true;
}

static void spin_destroy(CPUState *cpu)
{
    g_assert(cpu_is_self(cpu));
    TEST_CPU(cpu)->destroyed = true;
}

static void spin_post_reset(CPUState *cpu)
{
    TestCPU *t = TEST_CPU(cpu);
    if (cpu_is_self(cpu)) {
        t->resets++;
    } else {
        t->wrong_thread_resets++;
    }
}

static const AccelOps spin_ops = {
    .name = "spin",
    .init_vcpu_thread = spin_init,
    .destroy_vcpu_thread = spin_destroy,
    .exec_vcpu = spin_exec,
    .synchronize_post_reset = spin_post_reset,
};

static bool test_cpu_has_work(CPUState *cpu)
{
    return g_atomic_int_get(&TEST_CPU(cpu)->has_work);
}

static void test_cpu_class_init(ObjectClass *oc, void *data)
{
    CPU_CLASS(oc)->has_work = test_cpu_has_work;
}

static const TypeInfo test_types[] = {
    {
        .name = TYPE_TEST_CPU,
        .parent = TYPE_CPU,
        .instance_size = sizeof(TestCPU),
        .class_init = test_cpu_class_init,
    },
};
DEFINE_TYPES(test_types)

/* ---- watchdog ---- */

typedef struct {
    GMutex lock;
    GCond cond;
    bool done;
    void (*body)(void);
} Watchdog;

static gpointer watchdog_body(gpointer opaque)
{
    Watchdog *w = opaque;
    w->body();
    g_mutex_lock(&w->lock);
    w->done = true;
    g_cond_signal(&w->cond);
    g_mutex_unlock(&w->lock);
    return NULL;
}

static void run_with_watchdog(void (*body)(void))
{
    Watchdog w = { .body = body };
    g_mutex_init(&w.lock);
    g_cond_init(&w.cond);
    GThread *t = g_thread_new("test-body", watchdog_body, &w);
    gint64 deadline = g_get_monotonic_time() + WATCHDOG_SECONDS * G_TIME_SPAN_SECOND;
    g_mutex_lock(&w.lock);
    while (!w.done) {
        if (!g_cond_wait_until(&w.cond, &w.lock, deadline)) {
            g_error("deadlock: the test body did not finish within %d s",
                    WATCHDOG_SECONDS);
        }
    }
    g_mutex_unlock(&w.lock);
    g_thread_join(t);
}

/* ---- helpers ---- */

static CPUState *cpus[NR_CPUS];

static void create_cpus(void)
{
    for (int i = 0; i < NR_CPUS; i++) {
        DeviceState *dev = qdev_new(TYPE_TEST_CPU);
        g_autofree char *name = g_strdup_printf("cpu%d", i);
        object_property_add_child(object_get_root(), name, OBJECT(dev));
        g_assert_true(qdev_realize_and_unref(dev, NULL, &error_abort));
        cpus[i] = CPU(dev);
        g_assert_cmpint(cpus[i]->cpu_index, ==, i);
        g_assert_true(cpus[i]->created);
        g_assert_nonnull(cpus[i]->thread);
    }
    g_assert_cmpint(cpu_count(), ==, NR_CPUS);
}

static void destroy_cpus(void)
{
    for (int i = 0; i < NR_CPUS; i++) {
        TestCPU *t = TEST_CPU(cpus[i]);
        object_ref(t);
        object_unparent(OBJECT(t));
        /* Unrealize joined the thread after the accelerator's teardown ran. */
        g_assert_true(t->destroyed);
        g_assert_null(cpus[i]->thread);
        object_unref(t);
        cpus[i] = NULL;
    }
    g_assert_null(first_cpu);
}

/* Wait (big lock dropped) until every CPU's counter moved past @since. */
static void wait_all_progress(int64_t since[NR_CPUS])
{
    gint64 deadline = g_get_monotonic_time() + 30 * G_TIME_SPAN_SECOND;
    for (int i = 0; i < NR_CPUS; i++) {
        bql_unlock();
        while (read_counter(cpus[i]) <= since[i]) {
            g_assert_cmpint(g_get_monotonic_time(), <, deadline);
            g_usleep(100);
        }
        bql_lock();
    }
}

static void snapshot(int64_t out[NR_CPUS])
{
    for (int i = 0; i < NR_CPUS; i++) {
        out[i] = read_counter(cpus[i]);
    }
}

static void record_thread(CPUState *cpu, void *data)
{
    GThread **where = data;
    g_assert_true(bql_locked());
    g_assert_true(current_cpu == cpu);
    *where = g_thread_self();
}

static void bump(CPUState *cpu, void *data)
{
    g_assert_true(current_cpu == cpu);
    g_atomic_int_inc((int *)data);
}

/* ---- tests ---- */

static void check_paused(void)
{
    g_assert_true(all_vcpus_paused());
    for (int i = 0; i < NR_CPUS; i++) {
        g_assert_cmpint(g_atomic_int_get(&TEST_CPU(cpus[i])->in_guest), ==, 0);
        g_assert_true(cpus[i]->stopped);
    }
    int64_t a[NR_CPUS], b[NR_CPUS];
    snapshot(a);
    bql_unlock();
    g_usleep(2000);
    bql_lock();
    snapshot(b);
    for (int i = 0; i < NR_CPUS; i++) {
        g_assert_cmpint(a[i], ==, b[i]);
    }
}

static void pause_resume_body(void)
{
    bql_lock();
    cpus_register_accel(&spin_ops);
    for (int iter = 0; iter < ITERATIONS; iter++) {
        create_cpus();

        /* Created paused (the VM has not started): nothing runs. */
        check_paused();

        int64_t base[NR_CPUS];
        snapshot(base);
        resume_all_vcpus();
        wait_all_progress(base);

        pause_all_vcpus();
        check_paused();

        /* Synchronous work on a paused vCPU runs on its own thread. */
        for (int i = 0; i < NR_CPUS; i++) {
            GThread *seen = NULL;
            run_on_cpu(cpus[i], record_thread, &seen);
            g_assert_true(seen == cpus[i]->thread);
        }

        /* ... and on a running one, which keeps running afterwards. */
        snapshot(base);
        resume_all_vcpus();
        for (int i = 0; i < NR_CPUS; i++) {
            GThread *seen = NULL;
            run_on_cpu(cpus[i], record_thread, &seen);
            g_assert_true(seen == cpus[i]->thread);
        }
        wait_all_progress(base);

        /* Reset runs the accelerator's hook on each vCPU thread. */
        pause_all_vcpus();
        reset_all_vcpus();
        for (int i = 0; i < NR_CPUS; i++) {
            g_assert_cmpint(TEST_CPU(cpus[i])->resets, ==, 1);
            g_assert_cmpint(TEST_CPU(cpus[i])->wrong_thread_resets, ==, 0);
        }

        /* Quit while running: threads leave guest code and exit. */
        resume_all_vcpus();
        if (iter % 2) {
            destroy_cpus();
        } else {
            stop_all_vcpu_threads();
            for (int i = 0; i < NR_CPUS; i++) {
                g_assert_null(cpus[i]->thread);
                g_assert_true(TEST_CPU(cpus[i])->destroyed);
            }
            destroy_cpus();
        }
        /* The VM is "stopped" again for the next round's fresh CPUs. */
        pause_all_vcpus();
    }
    cpus_register_accel(NULL);
    bql_unlock();
}

static void test_pause_resume(void)
{
    run_with_watchdog(pause_resume_body);
}

static void halt_body(void)
{
    bql_lock();
    cpus_register_accel(&spin_ops);
    create_cpus();
    TestCPU *t0 = TEST_CPU(cpus[0]);

    /* CPU 0 halts; the others keep spinning. */
    g_atomic_int_set(&t0->want_halt, 1);
    int64_t base[NR_CPUS];
    snapshot(base);
    resume_all_vcpus();
    bql_unlock();
    while (!cpus[0]->halted) {
        g_usleep(100);
    }
    bql_lock();
    int64_t halted_at = read_counter(cpus[0]);
    bql_unlock();
    g_usleep(5000);
    bql_lock();
    g_assert_cmpint(read_counter(cpus[0]), ==, halted_at);
    g_assert_cmpint(g_atomic_int_get(&t0->in_guest), ==, 0);

    /* A halted vCPU still serves run_on_cpu, and pausing does not wait on it. */
    GThread *seen = NULL;
    run_on_cpu(cpus[0], record_thread, &seen);
    g_assert_true(seen == cpus[0]->thread);
    pause_all_vcpus();
    check_paused();
    resume_all_vcpus();

    /* Work to do wakes it (has_work is the architecture's "interrupt pending"). */
    g_atomic_int_set(&t0->has_work, 1);
    cpus[0]->halted = false;
    cpu_kick(cpus[0]);
    snapshot(base);
    wait_all_progress(base);

    /* Through runstate: vm_stop/vm_start reach pause/resume, reset reaches CPUs. */
    runstate_set(RUN_STATE_PAUSED);
    vm_start();
    g_assert_true(runstate_is_running());
    snapshot(base);
    wait_all_progress(base);
    vm_stop(RUN_STATE_PAUSED);
    check_paused();
    system_reset(SHUTDOWN_CAUSE_NONE);
    for (int i = 0; i < NR_CPUS; i++) {
        g_assert_cmpint(TEST_CPU(cpus[i])->resets, ==, 1);
    }
    vm_start();
    cpus_shutdown_all();
    for (int i = 0; i < NR_CPUS; i++) {
        g_assert_null(cpus[i]->thread);
    }
    runstate_set(RUN_STATE_PRELAUNCH);
    destroy_cpus();
    cpus_register_accel(NULL);
    bql_unlock();
}

static void test_halt_and_runstate(void)
{
    run_with_watchdog(halt_body);
}

typedef struct {
    CPUState *cpu;
    int *count;
} AsyncArg;

static gpointer async_submitter(gpointer opaque)
{
    AsyncArg *a = opaque;
    /* No big lock on this thread: async work may be queued from anywhere. */
    for (int i = 0; i < 1000; i++) {
        async_run_on_cpu(a->cpu, bump, a->count);
    }
    return NULL;
}

static void async_body(void)
{
    int counts[NR_CPUS] = { 0 };
    AsyncArg args[NR_CPUS];
    GThread *threads[NR_CPUS];

    bql_lock();
    cpus_register_accel(&spin_ops);
    create_cpus();
    resume_all_vcpus();
    bql_unlock();
    for (int i = 0; i < NR_CPUS; i++) {
        args[i] = (AsyncArg) { cpus[i], &counts[i] };
        threads[i] = g_thread_new("submit", async_submitter, &args[i]);
    }
    for (int i = 0; i < NR_CPUS; i++) {
        g_thread_join(threads[i]);
    }
    for (int i = 0; i < NR_CPUS; i++) {
        while (g_atomic_int_get(&counts[i]) < 1000) {
            g_usleep(100);
        }
    }
    bql_lock();
    /* Let the last items drain before the threads go. */
    pause_all_vcpus();
    for (int i = 0; i < NR_CPUS; i++) {
        g_assert_cmpint(counts[i], ==, 1000);
    }
    destroy_cpus();
    cpus_register_accel(NULL);
    bql_unlock();
}

static void test_async_work(void)
{
    run_with_watchdog(async_body);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vcpu/pause-resume-run-on-cpu", test_pause_resume);
    g_test_add_func("/vcpu/halt-and-runstate", test_halt_and_runstate);
    g_test_add_func("/vcpu/async-work", test_async_work);
    return g_test_run();
}
