/*
 * The monitor: HMP (a line-based console for people, "(emu) " prompt) and QMP
 * (JSON for programs) attached to chardevs. Both run commands from one table;
 * a feature that has an HMP and a QMP form implements it once and the HMP
 * handler calls the QMP implementation.
 *
 * Subsystems add commands and `info` subcommands at start-up (from a
 * constructor) with monitor_register_command / monitor_register_info, without
 * editing the monitor. Everything here runs on the main loop with the big lock.
 */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include "util/osdep.h"
#include "util/error.h"
#include "chardev/char.h"
#include <json-glib/json-glib.h>

typedef struct Monitor Monitor;

/*
 * Attach a monitor to @chr: QMP when @qmp (@pretty: indented replies), else
 * HMP. Fails if @chr already has a frontend (a mux takes up to 4).
 */
bool monitor_init(Chardev *chr, bool qmp, bool pretty, Error **errp);
/* Detach and free every monitor; call before qemu_chr_cleanup(). */
void monitor_cleanup(void);

/* -name: what query-name reports (NULL = none). */
void monitor_set_vm_name(const char *name);
const char *monitor_get_vm_name(void);

/* ---- HMP output ---- */

/* Text for the person at @mon ("\n" becomes "\r\n" on a chardev). */
void monitor_printf(Monitor *mon, const char *fmt, ...) EMU_PRINTF(2, 3);
void monitor_puts(Monitor *mon, const char *str);
/* Print "Error: MESSAGE" if @err is set, and free it. */
void hmp_handle_error(Monitor *mon, Error *err);
/* The monitor whose command is running, or NULL. */
Monitor *monitor_cur(void);

/*
 * Run one HMP command line as human-monitor-command does; returns everything
 * it printed (caller frees).
 */
char *hmp_run_line(const char *line);

/* ---- the command table ---- */

/*
 * @args_type lists the arguments, "name:T,name:T?" ('?' = optional):
 *   s   QMP string; HMP one word (or a "quoted string")
 *   S   QMP string; HMP the rest of the line
 *   i   QMP integer; HMP a number (0x... hex too)
 *   b   QMP boolean; HMP on/off, yes/no, true/false
 *   V   QMP any JSON value; HMP the rest of the line, as a string
 *   -x  QMP boolean; HMP the flag "-x" before the other arguments
 * HMP parses its line into a JsonObject with the same member names, so both
 * forms can hand their arguments to one implementation.
 */
typedef JsonNode *MonitorQmpFunc(JsonObject *args, Error **errp);
typedef void MonitorHmpFunc(Monitor *mon, JsonObject *args);

typedef struct MonitorCommand {
    const char *name;        /* same spelling in HMP and QMP: "stop", "qom-get" */
    const char *args_type;   /* NULL or "" = no arguments */
    const char *params;      /* HMP usage after the name: "path property" */
    const char *help;        /* one line for HMP "help" */
    /*
     * QMP (NULL = HMP only). Returns the "return" value (caller unrefs), or
     * NULL: success with {} if *errp is unset, failure otherwise. The error's
     * class (error_set_class) becomes the reply's "class".
     */
    MonitorQmpFunc *qmp;
    /* HMP (NULL = QMP only). @args matches args_type. */
    MonitorHmpFunc *hmp;
} MonitorCommand;

/* @cmd must stay valid (static). A duplicate name is a programming error. */
void monitor_register_command(const MonitorCommand *cmd);
const MonitorCommand *monitor_find_command(const char *name);

/* HMP "info NAME": @fn appends its report to @out. */
typedef void MonitorInfoFunc(GString *out);
void monitor_register_info(const char *name, const char *help, MonitorInfoFunc *fn);
/* The same with arguments ("info mtree -f"): @args_type as for commands. */
typedef void MonitorInfoArgsFunc(GString *out, JsonObject *args);
void monitor_register_info_args(const char *name, const char *args_type,
                                const char *params, const char *help,
                                MonitorInfoArgsFunc *fn);

#endif
