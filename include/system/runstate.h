/* VM run states and reset/shutdown/powerdown requests (handled by the main loop). */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

#include "util/osdep.h"

typedef enum RunState {
    RUN_STATE_PRELAUNCH,
    RUN_STATE_RUNNING,
    RUN_STATE_PAUSED,
    RUN_STATE_SHUTDOWN,
    RUN_STATE_INTERNAL_ERROR,
    RUN_STATE_GUEST_PANICKED,
    RUN_STATE_INMIGRATE,
    RUN_STATE_POSTMIGRATE,
    RUN_STATE_FINISH_MIGRATE,
    RUN_STATE_SAVE_VM,
    RUN_STATE_RESTORE_VM,
    RUN_STATE_DEBUG,
    RUN_STATE_IO_ERROR,
    RUN_STATE_SUSPENDED,
    RUN_STATE__MAX,
} RunState;

typedef enum ShutdownCause {
    SHUTDOWN_CAUSE_NONE,
    SHUTDOWN_CAUSE_HOST_ERROR,        /* an error on the host side */
    SHUTDOWN_CAUSE_HOST_QMP_QUIT,     /* "quit" command */
    SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET,
    SHUTDOWN_CAUSE_HOST_SIGNAL,       /* SIGINT, SIGTERM, SIGHUP */
    SHUTDOWN_CAUSE_HOST_UI,           /* Ctrl-A x, window closed */
    SHUTDOWN_CAUSE_GUEST_SHUTDOWN,    /* ACPI S5, isa-debug-exit */
    SHUTDOWN_CAUSE_GUEST_RESET,       /* 0xcf9, triple fault, keyboard controller */
    SHUTDOWN_CAUSE_GUEST_PANIC,
    SHUTDOWN_CAUSE_SUBSYSTEM_RESET,
    SHUTDOWN_CAUSE__MAX,
} ShutdownCause;

const char *runstate_name(RunState state);
const char *shutdown_cause_name(ShutdownCause cause);
RunState runstate_get(void);
bool runstate_check(RunState state);
bool runstate_is_running(void);
void runstate_set(RunState state);

/* Called with the big lock held. */
void vm_start(void);
void vm_stop(RunState state);

typedef void VMChangeStateHandler(void *opaque, bool running, RunState state);
void runstate_add_change_handler(VMChangeStateHandler *cb, void *opaque);
void runstate_remove_change_handler(VMChangeStateHandler *cb, void *opaque);

/* Requests: safe from any thread; acted on by the main loop. */
void system_reset_request(ShutdownCause cause);
void system_shutdown_request(ShutdownCause cause);
/* Exit emu with @status once the main loop sees it (isa-debug-exit). */
void system_exit_request(int status);
/* The ACPI power button: delivered to powerdown notifiers. */
void system_powerdown_request(void);
/* Tests without a main loop: the pending reset request's cause (or NONE), cleared. */
ShutdownCause system_reset_request_take(void);

/* Reset handlers run, in registration order, on every system reset. */
void register_reset_handler(void (*fn)(void *opaque), void *opaque);
void unregister_reset_handler(void (*fn)(void *opaque), void *opaque);
void register_powerdown_notifier(void (*fn)(void *opaque), void *opaque);

/* -no-reboot / -no-shutdown. */
extern bool no_reboot;
extern bool no_shutdown;

/* For the main loop: handle pending requests; true with *status when emu must exit. */
bool main_loop_should_exit(int *status);
/* Reset the whole machine now (devices, CPUs); big lock held. */
void system_reset(ShutdownCause cause);

#endif
