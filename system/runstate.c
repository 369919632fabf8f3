/* Run states, and the reset/shutdown/powerdown requests the main loop acts on. */
#include "system/runstate.h"
#include "system/main-loop.h"
#include "system/cpus.h"
#include "hw/core/qdev.h"
#include "monitor/qmp-event.h"
#include "util/timer.h"
#include "util/log.h"

bool no_reboot;
bool no_shutdown;

static RunState current_state = RUN_STATE_PRELAUNCH;

static const char *const runstate_names[RUN_STATE__MAX] = {
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_SHUTDOWN] = "shutdown",
    [RUN_STATE_INTERNAL_ERROR] = "internal-error",
    [RUN_STATE_GUEST_PANICKED] = "guest-panicked",
    [RUN_STATE_INMIGRATE] = "inmigrate",
    [RUN_STATE_POSTMIGRATE] = "postmigrate",
    [RUN_STATE_FINISH_MIGRATE] = "finish-migrate",
    [RUN_STATE_SAVE_VM] = "save-vm",
    [RUN_STATE_RESTORE_VM] = "restore-vm",
    [RUN_STATE_DEBUG] = "debug",
    [RUN_STATE_IO_ERROR] = "io-error",
    [RUN_STATE_SUSPENDED] = "suspended",
};

static const char *const cause_names[SHUTDOWN_CAUSE__MAX] = {
    [SHUTDOWN_CAUSE_NONE] = "none",
    [SHUTDOWN_CAUSE_HOST_ERROR] = "host-error",
    [SHUTDOWN_CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
    [SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
    [SHUTDOWN_CAUSE_HOST_SIGNAL] = "host-signal",
    [SHUTDOWN_CAUSE_HOST_UI] = "host-ui",
    [SHUTDOWN_CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
    [SHUTDOWN_CAUSE_GUEST_RESET] = "guest-reset",
    [SHUTDOWN_CAUSE_GUEST_PANIC] = "guest-panic",
    [SHUTDOWN_CAUSE_SUBSYSTEM_RESET] = "subsystem-reset",
};

const char *runstate_name(RunState state)
{
    return state < RUN_STATE__MAX ? runstate_names[state] : "unknown";
}

const char *shutdown_cause_name(ShutdownCause cause)
{
    return cause < SHUTDOWN_CAUSE__MAX ? cause_names[cause] : "unknown";
}

RunState runstate_get(void)
{
    return current_state;
}

bool runstate_check(RunState state)
{
    return current_state == state;
}

bool runstate_is_running(void)
{
    return current_state == RUN_STATE_RUNNING;
}

typedef struct {
    void *fn;
    void *opaque;
} Handler;

static GArray *change_handlers;
static GArray *reset_handlers;
static GArray *powerdown_notifiers;

static void handler_add(GArray **arr, void *fn, void *opaque)
{
    if (!*arr) {
        *arr = g_array_new(FALSE, FALSE, sizeof(Handler));
    }
    Handler h = { fn, opaque };
    g_array_append_val(*arr, h);
}

static void handler_remove(GArray *arr, void *fn, void *opaque)
{
    for (guint i = 0; arr && i < arr->len; i++) {
        Handler *h = &g_array_index(arr, Handler, i);
        if (h->fn == fn && h->opaque == opaque) {
            g_array_remove_index(arr, i);
            return;
        }
    }
}

void runstate_add_change_handler(VMChangeStateHandler *cb, void *opaque)
{
    handler_add(&change_handlers, (void *)cb, opaque);
}

void runstate_remove_change_handler(VMChangeStateHandler *cb, void *opaque)
{
    handler_remove(change_handlers, (void *)cb, opaque);
}

void register_reset_handler(void (*fn)(void *opaque), void *opaque)
{
    handler_add(&reset_handlers, (void *)fn, opaque);
}

void unregister_reset_handler(void (*fn)(void *opaque), void *opaque)
{
    handler_remove(reset_handlers, (void *)fn, opaque);
}

void register_powerdown_notifier(void (*fn)(void *opaque), void *opaque)
{
    handler_add(&powerdown_notifiers, (void *)fn, opaque);
}

void runstate_set(RunState state)
{
    current_state = state;
}

static void notify_change(bool running, RunState state)
{
    for (guint i = 0; change_handlers && i < change_handlers->len; i++) {
        Handler *h = &g_array_index(change_handlers, Handler, i);
        ((VMChangeStateHandler *)h->fn)(h->opaque, running, state);
    }
}

void vm_start(void)
{
    if (runstate_is_running()) {
        return;
    }
    runstate_set(RUN_STATE_RUNNING);
    clock_virtual_enable(true);
    notify_change(true, RUN_STATE_RUNNING);
    cpus_resume_all();
    qmp_event_emit("RESUME", NULL);
}

void vm_stop(RunState state)
{
    if (!runstate_is_running()) {
        /* Still record why we are stopped (e.g. paused -> shutdown). */
        runstate_set(state);
        return;
    }
    cpus_pause_all();
    runstate_set(state);
    clock_virtual_enable(false);
    notify_change(false, state);
    qmp_event_emit("STOP", NULL);
}

/* ---- requests ---- */

static int reset_requested;      /* ShutdownCause, atomic */
static int shutdown_requested;   /* ShutdownCause, atomic */
static int powerdown_requested;
static int exit_requested;
static int exit_status;

void system_reset_request(ShutdownCause cause)
{
    /* -no-reboot turns any reset into a shutdown, like QEMU. */
    if (no_reboot && cause != SHUTDOWN_CAUSE_SUBSYSTEM_RESET) {
        g_atomic_int_set(&shutdown_requested, cause);
    } else {
        g_atomic_int_set(&reset_requested, cause);
    }
    main_loop_notify();
}

ShutdownCause system_reset_request_take(void)
{
    return (ShutdownCause)g_atomic_int_exchange(&reset_requested, SHUTDOWN_CAUSE_NONE);
}

void system_shutdown_request(ShutdownCause cause)
{
    g_atomic_int_set(&shutdown_requested, cause);
    main_loop_notify();
}

void system_exit_request(int status)
{
    exit_status = status;
    g_atomic_int_set(&exit_requested, 1);
    main_loop_notify();
}

void system_powerdown_request(void)
{
    g_atomic_int_set(&powerdown_requested, 1);
    main_loop_notify();
}

static bool cause_is_guest(ShutdownCause cause)
{
    return cause >= SHUTDOWN_CAUSE_GUEST_SHUTDOWN && cause != SHUTDOWN_CAUSE_SUBSYSTEM_RESET;
}

static JsonObject *cause_data(ShutdownCause cause)
{
    JsonObject *d = json_object_new();
    json_object_set_boolean_member(d, "guest", cause_is_guest(cause));
    json_object_set_string_member(d, "reason", shutdown_cause_name(cause));
    return d;
}

void system_reset(ShutdownCause cause)
{
    emu_log_mask(LOG_RESET, "system reset (%s)\n", shutdown_cause_name(cause));
    for (guint i = 0; reset_handlers && i < reset_handlers->len; i++) {
        Handler *h = &g_array_index(reset_handlers, Handler, i);
        ((void (*)(void *))h->fn)(h->opaque);
    }
    qdev_reset_all_devices(RESET_TYPE_COLD);
    cpus_reset_all();
    if (cause != SHUTDOWN_CAUSE_NONE) {
        qmp_event_emit("RESET", cause_data(cause));
    }
}

bool main_loop_should_exit(int *status)
{
    if (g_atomic_int_get(&exit_requested)) {
        *status = exit_status;
        return true;
    }
    ShutdownCause cause = g_atomic_int_and((guint *)&shutdown_requested, 0);
    if (cause) {
        qmp_event_emit("SHUTDOWN", cause_data(cause));
        /* -no-shutdown keeps a guest-initiated power-off paused; the host still quits. */
        if (no_shutdown && cause_is_guest(cause)) {
            vm_stop(RUN_STATE_SHUTDOWN);
        } else {
            *status = 0;
            return true;
        }
    }
    cause = g_atomic_int_and((guint *)&reset_requested, 0);
    if (cause) {
        bool was_running = runstate_is_running();
        if (was_running) {
            cpus_pause_all();
        }
        system_reset(cause);
        if (runstate_check(RUN_STATE_SHUTDOWN)) {
            /* A reset after -no-shutdown power-off restarts the guest. */
            runstate_set(RUN_STATE_PAUSED);
            vm_start();
        } else if (was_running) {
            cpus_resume_all();
        }
    }
    if (g_atomic_int_and((guint *)&powerdown_requested, 0)) {
        qmp_event_emit("POWERDOWN", NULL);
        for (guint i = 0; powerdown_notifiers && i < powerdown_notifiers->len; i++) {
            Handler *h = &g_array_index(powerdown_notifiers, Handler, i);
            ((void (*)(void *))h->fn)(h->opaque);
        }
    }
    return false;
}
