/* Structured command-line options, parsed and checked like QEMU does. */
#include "system/cli.h"
#include "system/system.h"
#include "util/cutils.h"
#include "util/keyval.h"
#include <sys/prctl.h>
#include <time.h>

/* Above this we are surely looking at a typo, not a real machine. */
#define MAX_RAM_SIZE (1ULL << 44)

bool cli_parse_memory(const char *arg, MemoryConfig *mem, Error **errp)
{
    g_autoptr(Opts) opts = opts_parse(arg, "size", errp);
    if (!opts) {
        return false;
    }
    uint64_t size, maxmem, slots;
    /* Without a suffix, -m counts MiB. */
    if (!opts_get_size(opts, "size", 0, 1 << 20, &size, errp) ||
        !opts_get_size(opts, "maxmem", 0, 1, &maxmem, errp) ||
        !opts_get_uint(opts, "slots", 0, &slots, errp)) {
        error_prepend(errp, "-m %s: ", arg);
        return false;
    }
    if (!opts_check_unused(opts, "-m", errp)) {
        return false;
    }
    if (!opts_has(opts, "size")) {
        error_setg(errp, "-m %s: the RAM size is missing", arg);
        return false;
    }
    if (size == 0) {
        error_setg(errp, "-m %s: RAM size must not be 0", arg);
        return false;
    }
    if (size > MAX_RAM_SIZE) {
        error_setg(errp, "-m %s: RAM size is too large (at most %llu GiB)", arg,
                   MAX_RAM_SIZE >> 30);
        return false;
    }
    size = (size + 4095) & ~4095ULL;
    if (opts_has(opts, "maxmem") && maxmem < size) {
        error_setg(errp, "-m %s: maxmem must be at least the RAM size", arg);
        return false;
    }
    if (slots && !opts_has(opts, "maxmem")) {
        error_setg(errp, "-m %s: 'slots' needs 'maxmem'", arg);
        return false;
    }
    if (slots > 256) {
        error_setg(errp, "-m %s: at most 256 memory slots", arg);
        return false;
    }
    mem->given = true;
    mem->size = size;
    mem->maxmem = opts_has(opts, "maxmem") ? maxmem : size;
    mem->slots = slots;
    return true;
}

bool cli_parse_smp(const char *arg, CpuTopology *topo, Error **errp)
{
    static const char *const keys[] = { "cpus", "sockets", "dies", "cores", "threads",
                                        "maxcpus" };
    uint64_t v[6] = { 0 };
    bool given[6] = { false };
    g_autoptr(Opts) opts = opts_parse(arg, "cpus", errp);
    if (!opts) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        given[i] = opts_has(opts, keys[i]);
        if (!opts_get_uint(opts, keys[i], 0, &v[i], errp)) {
            error_prepend(errp, "-smp %s: ", arg);
            return false;
        }
        if (given[i] && (v[i] == 0 || v[i] > 4096)) {
            error_setg(errp, "-smp %s: '%s' must be between 1 and 4096", arg, keys[i]);
            return false;
        }
    }
    if (!opts_check_unused(opts, "-smp", errp)) {
        return false;
    }
    uint64_t cpus = v[0], sockets = v[1], dies = given[2] ? v[2] : 1, cores = v[3];
    uint64_t threads = v[4], maxcpus = v[5];

    /*
     * QEMU's rule (hw/core/machine-smp.c) for machine types since 6.2, which
     * `pc` is: fill in what is missing from maxcpus (or cpus), preferring
     * cores over sockets; threads are computed last, and only when sockets and
     * cores are both given.
     */
    if (!cpus && !maxcpus) {
        sockets = sockets ? sockets : 1;
        cores = cores ? cores : 1;
        threads = threads ? threads : 1;
    } else {
        maxcpus = maxcpus ? maxcpus : cpus;
        uint64_t total = maxcpus;
        if (!cores) {
            sockets = sockets ? sockets : 1;
            threads = threads ? threads : 1;
            cores = MAX(total / (sockets * dies * threads), 1);
        } else if (!sockets) {
            threads = threads ? threads : 1;
            sockets = MAX(total / (dies * cores * threads), 1);
        }
        if (!threads) {
            threads = MAX(total / (sockets * dies * cores), 1);
        }
    }
    uint64_t product = sockets * dies * cores * threads;
    maxcpus = maxcpus ? maxcpus : product;
    cpus = cpus ? cpus : maxcpus;
    if (product != maxcpus) {
        error_setg(errp, "-smp %s: invalid CPU topology: product of the hierarchy must match "
                   "maxcpus: sockets (%" PRIu64 ") * dies (%" PRIu64 ") * cores (%" PRIu64
                   ") * threads (%" PRIu64 ") != maxcpus (%" PRIu64 ")", arg, sockets, dies,
                   cores, threads, maxcpus);
        return false;
    }
    if (cpus > maxcpus) {
        error_setg(errp, "-smp %s: invalid CPU topology: maxcpus (%" PRIu64 ") must be "
                   "equal to or greater than cpus (%" PRIu64 ")", arg, maxcpus, cpus);
        return false;
    }
    topo->cpus = cpus;
    topo->sockets = sockets;
    topo->dies = dies;
    topo->cores = cores;
    topo->threads = threads;
    topo->max_cpus = maxcpus;
    return true;
}

bool cli_check_smp(const CpuTopology *topo, MachineClass *mc, Error **errp)
{
    if (topo->max_cpus > mc->max_cpus) {
        error_setg(errp, "-smp: %u CPUs requested, but machine '%s' supports at most %u",
                   topo->max_cpus, mc->name, mc->max_cpus);
        return false;
    }
    if (topo->cpus < mc->min_cpus) {
        error_setg(errp, "-smp: machine '%s' needs at least %u CPUs", mc->name,
                   mc->min_cpus);
        return false;
    }
    return true;
}

static bool check_boot_letters(const char *what, const char *s, Error **errp)
{
    for (const char *p = s; *p; p++) {
        if (*p < 'a' || *p > 'p') {
            error_setg(errp, "-boot %s=%s: invalid boot device '%c' (use a-p: "
                       "a floppy, c disk, d cdrom, n network)", what, s, *p);
            return false;
        }
        if (strchr(p + 1, *p)) {
            error_setg(errp, "-boot %s=%s: boot device '%c' given twice", what, s, *p);
            return false;
        }
    }
    return true;
}

bool cli_parse_boot(const char *arg, BootConfig *boot, Error **errp)
{
    /* Legacy "-boot dc" means order=dc. */
    g_autoptr(Opts) opts = opts_parse(arg, strchr(arg, '=') ? NULL : "order", errp);
    if (!opts) {
        return false;
    }
    const char *order = opts_get(opts, "order");
    const char *once = opts_get(opts, "once");
    uint64_t splash_time, reboot_timeout;
    bool menu, strict;
    if (!opts_get_bool(opts, "menu", false, &menu, errp) ||
        !opts_get_bool(opts, "strict", false, &strict, errp) ||
        !opts_get_uint(opts, "splash-time", 0, &splash_time, errp) ||
        !opts_get_uint(opts, "reboot-timeout", (uint64_t)-1, &reboot_timeout, errp)) {
        error_prepend(errp, "-boot %s: ", arg);
        return false;
    }
    (void)opts_get(opts, "splash");
    if (!opts_check_unused(opts, "-boot", errp)) {
        return false;
    }
    if ((order && !check_boot_letters("order", order, errp)) ||
        (once && !check_boot_letters("once", once, errp))) {
        return false;
    }
    if (opts_has(opts, "reboot-timeout") && reboot_timeout > 0xffff) {
        error_setg(errp, "-boot %s: reboot-timeout must be at most 65535 ms", arg);
        return false;
    }
    g_free(boot->order);
    g_free(boot->once);
    boot->order = g_strdup(order ? order : "cad");
    boot->once = g_strdup(once);
    boot->menu = menu;
    boot->strict = strict;
    boot->splash_time = splash_time;
    boot->reboot_timeout = opts_has(opts, "reboot-timeout") ? (int64_t)reboot_timeout : -1;
    return true;
}

static bool parse_datetime(const char *s, int64_t *res)
{
    struct tm tm = { 0 };
    const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end) {
        memset(&tm, 0, sizeof(tm));
        end = strptime(s, "%Y-%m-%d", &tm);
    }
    if (!end || *end || tm.tm_year < 0) {
        return false;
    }
    *res = timegm(&tm);
    return true;
}

bool cli_parse_rtc(const char *arg, Error **errp)
{
    g_autoptr(Opts) opts = opts_parse(arg, NULL, errp);
    if (!opts) {
        return false;
    }
    const char *base = opts_get(opts, "base");
    const char *clock = opts_get(opts, "clock");
    const char *drift = opts_get(opts, "driftfix");
    if (!opts_check_unused(opts, "-rtc", errp)) {
        return false;
    }
    if (base) {
        if (!strcmp(base, "utc")) {
            rtc_config.base = RTC_BASE_UTC;
        } else if (!strcmp(base, "localtime")) {
            rtc_config.base = RTC_BASE_LOCALTIME;
        } else if (parse_datetime(base, &rtc_config.base_datetime)) {
            rtc_config.base = RTC_BASE_DATETIME;
        } else {
            error_setg(errp, "-rtc base=%s: use utc, localtime or a date "
                       "(2006-06-17T16:01:21 or 2006-06-17)", base);
            return false;
        }
    }
    if (clock) {
        if (!strcmp(clock, "host")) {
            rtc_config.clock = RTC_CLOCK_HOST;
        } else if (!strcmp(clock, "rt")) {
            rtc_config.clock = RTC_CLOCK_RT;
        } else if (!strcmp(clock, "vm")) {
            rtc_config.clock = RTC_CLOCK_VM;
        } else {
            error_setg(errp, "-rtc clock=%s: use host, rt or vm", clock);
            return false;
        }
    }
    if (drift) {
        if (!strcmp(drift, "slew")) {
            rtc_config.driftfix_slew = true;
        } else if (!strcmp(drift, "none")) {
            rtc_config.driftfix_slew = false;
        } else {
            error_setg(errp, "-rtc driftfix=%s: use none or slew", drift);
            return false;
        }
    }
    return true;
}

bool cli_parse_name(const char *arg, Error **errp)
{
    g_autoptr(Opts) opts = opts_parse(arg, "guest", errp);
    if (!opts) {
        return false;
    }
    const char *guest = opts_get(opts, "guest");
    const char *process = opts_get(opts, "process");
    bool debug_threads;
    if (!opts_get_bool(opts, "debug-threads", false, &debug_threads, errp)) {
        error_prepend(errp, "-name %s: ", arg);
        return false;
    }
    if (!opts_check_unused(opts, "-name", errp)) {
        return false;
    }
    g_free(vm_name);
    vm_name = g_strdup(guest);
    if (process) {
        prctl(PR_SET_NAME, process);
    }
    return true;
}
