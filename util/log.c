/* -d / -D debug logging. */
#include "util/log.h"

int emu_loglevel;
static FILE *logfile;
static GMutex log_lock;

static const struct {
    int mask;
    const char *name;
    const char *help;
} log_items[] = {
    { LOG_OUT_ASM, "out_asm", "show generated host assembly code for each compiled TB" },
    { LOG_IN_ASM, "in_asm", "show target assembly code for each compiled TB" },
    { LOG_OP, "op", "show micro ops for each compiled TB" },
    { LOG_OP_OPT, "op_opt", "show micro ops after optimization" },
    { LOG_INT, "int", "show interrupts/exceptions in short format" },
    { LOG_EXEC, "exec", "show trace before each executed TB (lots of logs)" },
    { LOG_CPU, "cpu", "show CPU registers before entering a TB (lots of logs)" },
    { LOG_MMU, "mmu", "log MMU-related activities" },
    { LOG_PCALL, "pcall", "x86 only: show protected mode far calls/returns/exceptions" },
    { LOG_RESET, "cpu_reset", "show CPU state before CPU resets" },
    { LOG_UNIMP, "unimp", "log unimplemented functionality and accesses to nothing" },
    { LOG_GUEST_ERROR, "guest_errors", "log when the guest OS does something invalid" },
    { LOG_BOOT, "boot", "log the firmware, boot protocol, accelerator and CPU chosen" },
    { LOG_TRACE, "trace", "log device trace points" },
};

FILE *emu_log_file(void)
{
    return logfile ? logfile : stderr;
}

void emu_log(const char *fmt, ...)
{
    va_list ap;
    g_mutex_lock(&log_lock);
    va_start(ap, fmt);
    vfprintf(emu_log_file(), fmt, ap);
    va_end(ap);
    fflush(emu_log_file());
    g_mutex_unlock(&log_lock);
}

bool emu_log_parse_items(const char *str, int *mask, Error **errp)
{
    int m = 0;
    char **items = g_strsplit(str, ",", -1);
    bool ok = true;
    for (char **it = items; *it; it++) {
        if (!**it) {
            continue;
        }
        if (!strcmp(*it, "all")) {
            for (size_t i = 0; i < ARRAY_SIZE(log_items); i++) {
                m |= log_items[i].mask;
            }
            continue;
        }
        size_t i;
        for (i = 0; i < ARRAY_SIZE(log_items); i++) {
            if (!strcmp(*it, log_items[i].name)) {
                m |= log_items[i].mask;
                break;
            }
        }
        if (i == ARRAY_SIZE(log_items)) {
            error_setg(errp, "-d: unknown log item '%s' (use -d help for a list)", *it);
            ok = false;
            break;
        }
    }
    g_strfreev(items);
    if (ok) {
        *mask = m;
    }
    return ok;
}

void emu_log_print_help(FILE *f)
{
    fprintf(f, "Log items (comma separated):\n");
    for (size_t i = 0; i < ARRAY_SIZE(log_items); i++) {
        fprintf(f, "%-15s %s\n", log_items[i].name, log_items[i].help);
    }
}

void emu_log_set_mask(int mask)
{
    emu_loglevel = mask;
}

bool emu_log_set_file(const char *path, Error **errp)
{
    FILE *f = fopen(path, "a");
    if (!f) {
        error_setg_errno(errp, errno, "-D: cannot open log file '%s'", path);
        return false;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    if (logfile) {
        fclose(logfile);
    }
    logfile = f;
    return true;
}
