/*
 * emu's entry point: parse the QEMU-compatible command line, build the machine,
 * then run the main loop until the VM is shut down.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "util/log.h"
#include "util/keyval.h"
#include "util/cutils.h"
#include "qom/object.h"
#include "qom/object_interfaces.h"
#include "hw/core/machine.h"
#include "accel/accel.h"
#include "chardev/char.h"
#include "block/drive.h"
#include "monitor/monitor.h"
#include "system/memory.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "system/cpus.h"
#include "system/system.h"
#include "system/qtest.h"
#include "system/cli.h"
#include "system/iothread.h"
#include "target/i386/cpu.h"
#include "hw/firmware/smbios.h"
#include "hw/nvram/fw_cfg.h"
#include "net/net.h"
#include <fcntl.h>
#include <sys/file.h>

typedef enum {
    ARG_NONE,
    ARG_REQUIRED,
} ArgKind;

typedef struct {
    const char *name;
    ArgKind arg;
    const char *help;
} OptionDef;

/* The table drives parsing and -help, in -help's order. */
static const OptionDef options[] = {
    { "help", ARG_NONE, "display this help and exit" },
    { "h", ARG_NONE, NULL },
    { "version", ARG_NONE, "display version information and exit" },
    { "machine", ARG_REQUIRED, "[type=]name[,prop=value[,...]]  select the machine "
                               "(-machine help for a list)" },
    { "M", ARG_REQUIRED, NULL },
    { "accel", ARG_REQUIRED, "name[,prop=value]  select an accelerator "
                             "(-accel help for a list)" },
    { "enable-kvm", ARG_NONE, "same as -accel kvm" },
    { "cpu", ARG_REQUIRED, "model  select the CPU model (-cpu help for a list)" },
    { "smp", ARG_REQUIRED, "[cpus=]n[,maxcpus=][,sockets=][,dies=][,cores=][,threads=]" },
    { "m", ARG_REQUIRED, "[size=]megs[,slots=n,maxmem=size]  RAM size (suffix k/M/G/T)" },
    { "mem-path", ARG_REQUIRED, "FILE  back guest RAM with a file (or a file in a dir)" },
    { "mem-prealloc", ARG_NONE, "preallocate guest memory" },
    { "name", ARG_REQUIRED, "[guest=]name[,process=name][,debug-threads=on|off]" },
    { "uuid", ARG_REQUIRED, "%08x-%04x-%04x-%04x-%012x  set the system UUID" },
    { "kernel", ARG_REQUIRED, "bzImage  use bzImage as the kernel image" },
    { "initrd", ARG_REQUIRED, "file  use file as the initial ram disk" },
    { "append", ARG_REQUIRED, "cmdline  use cmdline as the kernel command line" },
    { "dtb", ARG_REQUIRED, "file  use file as the device tree image" },
    { "bios", ARG_REQUIRED, "file  set the filename for the BIOS" },
    { "fw_cfg", ARG_REQUIRED, "[name=]opt/NAME,file=PATH|string=TEXT  add a fw_cfg file" },
    { "smbios", ARG_REQUIRED, "type=0|1|3[,field=str...]  set SMBIOS fields (QEMU's keys)" },
    { "L", ARG_REQUIRED, "path  add a directory to the firmware search path" },
    { "boot", ARG_REQUIRED, "[order=drives][,once=drives][,menu=on|off]"
                            "[,splash-time=ms][,reboot-timeout=ms][,strict=on|off]" },
    { "drive", ARG_REQUIRED, "[file=file][,if=type][,index=i][,media=d][,format=f]..." },
    { "hda", ARG_REQUIRED, "file  use file as IDE hard disk 0 image" },
    { "hdb", ARG_REQUIRED, "file  use file as IDE hard disk 1 image" },
    { "hdc", ARG_REQUIRED, "file  use file as IDE hard disk 2 image" },
    { "hdd", ARG_REQUIRED, "file  use file as IDE hard disk 3 image" },
    { "cdrom", ARG_REQUIRED, "file  use file as IDE cdrom image" },
    { "snapshot", ARG_NONE, "write to temporary files instead of disk image files" },
    { "device", ARG_REQUIRED, "driver[,prop=value][,...]  add a device "
                              "(-device help, -device driver,help)" },
    { "global", ARG_REQUIRED, "driver.prop=value  set a default property of a driver" },
    { "object", ARG_REQUIRED, "type,id=id[,prop=value]  create an object (-object help)" },
    { "netdev", ARG_REQUIRED, "user|tap|socket|hubport,id=str[,...]  add a network "
                              "backend" },
    { "nic", ARG_REQUIRED, "[user|tap|none][,model=type][,mac=addr]  add a NIC and "
                           "its backend" },
    { "net", ARG_REQUIRED, "nic[,model=,mac=,vlan=n]|user|tap|socket[,vlan=n]|none  legacy "
                           "NICs and backends on hub n" },
    { "chardev", ARG_REQUIRED, "backend,id=id[,...]  add a character device "
                               "(-chardev help)" },
    { "serial", ARG_REQUIRED, "dev  redirect the next serial port to a char device" },
    { "parallel", ARG_REQUIRED, "dev  redirect the parallel port (only 'none')" },
    { "monitor", ARG_REQUIRED, "dev  put an HMP monitor on a char device" },
    { "qmp", ARG_REQUIRED, "dev  put a QMP monitor on a char device" },
    { "qmp-pretty", ARG_REQUIRED, "dev  like -qmp with pretty-printed JSON" },
    { "mon", ARG_REQUIRED, "chardev=id[,mode=readline|control][,pretty=on|off]" },
    { "echr", ARG_REQUIRED, "chr  the mux escape character (default 1, Ctrl-A)" },
    { "display", ARG_REQUIRED, "none|sdl|vnc=display  select the display backend" },
    { "nographic", ARG_NONE, "no graphical output: serial and monitor on the terminal" },
    { "vga", ARG_REQUIRED, "std|cirrus|virtio|none  select the video card" },
    { "vnc", ARG_REQUIRED, "display  start a VNC server on display" },
    { "k", ARG_REQUIRED, "language  keyboard layout (e.g. en-us)" },
    { "rtc", ARG_REQUIRED, "[base=utc|localtime|date][,clock=host|rt|vm]"
                           "[,driftfix=none|slew]" },
    { "S", ARG_NONE, "do not start the CPUs at start-up (use 'cont')" },
    { "no-reboot", ARG_NONE, "exit instead of rebooting" },
    { "no-shutdown", ARG_NONE, "stop, not exit, when the guest powers off" },
    { "nodefaults", ARG_NONE, "do not create default devices" },
    { "daemonize", ARG_NONE, "daemonize emu after initializing" },
    { "pidfile", ARG_REQUIRED, "file  write the process id to file" },
    { "d", ARG_REQUIRED, "item1,...  enable logging of items (-d help for a list)" },
    { "D", ARG_REQUIRED, "logfile  write logs to logfile instead of stderr" },
    { "qtest", ARG_REQUIRED, "dev  the qtest protocol channel (for tests)" },
    { "qtest-log", ARG_REQUIRED, "file  log the qtest protocol to file" },
    { "incoming", ARG_REQUIRED, "uri  wait for a migration stream" },
    { "loadvm", ARG_REQUIRED, "tag  start from a saved snapshot" },
    { NULL },
};

/* Everything gathered from the command line before anything is built. */
typedef struct {
    GPtrArray *machine_opts;   /* char *, merged in order */
    GPtrArray *accel_opts;
    char *cpu;
    char *smp;
    MemoryConfig mem;
    char *mem_path;
    bool mem_prealloc;
    char *kernel, *initrd, *append, *dtb, *bios;
    BootConfig boot;
    bool boot_given;
    GPtrArray *devices;
    GPtrArray *objects;
    GPtrArray *chardevs;
    GPtrArray *serials;
    GPtrArray *monitors;       /* MonitorSpec * */
    char *display;
    char *vga;
    bool start_paused;
    bool nodefaults;
    bool daemonize;
    char *pidfile;
    char *qtest;
    char *qtest_log;
} Config;

typedef struct {
    char *spec;        /* legacy chardev spec, or NULL with chardev_id */
    char *chardev_id;
    bool qmp;
    bool pretty;
} MonitorSpec;

static EMU_NORETURN void die(Error *err)
{
    error_report_err(err);
    exit(1);
}

static EMU_NORETURN void die_msg(const char *fmt, ...) EMU_PRINTF(1, 2);
static void die_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *m = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_report("%s", m);
    exit(1);
}

static void print_help(void)
{
    printf("usage: emu [options] [disk_image]\n\n"
           "emu is a PC emulator that runs guests with KVM or its own binary "
           "translator.\n\nOptions:\n");
    for (const OptionDef *o = options; o->name; o++) {
        if (o->help) {
            printf("-%-12s %s\n", o->name, o->help);
        }
    }
    printf("\nDuring emulation with -nographic, Ctrl-A h shows the console keys.\n");
}

static void print_version(void)
{
    printf("emu version %s\n"
           "Copyright (c) 2026 the emu developers\n", EMU_VERSION);
}

static bool is_help(const char *s)
{
    return !strcmp(s, "help") || !strcmp(s, "?");
}

static void not_built(const char *option, const char *what)
{
    die_msg("%s: %s is not built yet in this version of emu", option, what);
}

/* ---- argument parsing ---- */

static void parse_drive_syntax(const char *opt, const char *arg)
{
    /* Syntax now; the images are opened when the machine is created. */
    Error *err = NULL;
    if (!drive_def(opt, arg, &err)) {
        die(err);
    }
}

static void parse_net_option(const char *opt, const char *arg)
{
    /* Syntax now; the backends are created once the main loop exists (net/net-cli.c). */
    Error *err = NULL;
    bool exit_now;
    if (!net_cli_add(opt, arg, &exit_now, &err)) {
        error_prepend(&err, "%s %s: ", opt, arg);
        die(err);
    }
    if (exit_now) {
        exit(0);
    }
}

static void parse_display(Config *cfg, const char *arg)
{
    Error *err = NULL;
    g_autoptr(Opts) opts = opts_parse(arg, "type", &err);
    if (!opts) {
        error_prepend(&err, "-display %s: ", arg);
        die(err);
    }
    const char *type = opts_get(opts, "type");
    if (!type) {
        die_msg("-display %s: the display type is missing", arg);
    }
    if (is_help(type)) {
        printf("Available display backend types:\nnone\n");
        exit(0);
    }
    if (!strcmp(type, "none")) {
        g_free(cfg->display);
        cfg->display = g_strdup("none");
        return;
    }
    static const char *const known[] = { "sdl", "gtk", "vnc", "curses", "egl-headless",
                                         "spice-app", "dbus", "cocoa" };
    for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
        if (!strcmp(type, known[i])) {
            g_autofree char *what = g_strdup_printf("the '%s' display", type);
            not_built("-display", what);
        }
    }
    die_msg("-display %s: unknown display type '%s' (try -display help)", arg, type);
}

static void parse_vga(Config *cfg, const char *arg)
{
    static const char *const known[] = { "std", "cirrus", "vmware", "qxl", "virtio",
                                         "xenfb", "tcx", "cg3", "bochs", "ramfb" };
    if (is_help(arg)) {
        printf("std              standard VGA (default)\n"
               "none             no graphic card\n");
        exit(0);
    }
    if (!strcmp(arg, "none") || !strcmp(arg, "std")) {
        g_free(cfg->vga);
        cfg->vga = g_strdup(arg);
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
        if (!strcmp(arg, known[i])) {
            g_autofree char *what = g_strdup_printf("the '%s' video card", arg);
            not_built("-vga", what);
        }
    }
    die_msg("-vga %s: unknown video card (try -vga help)", arg);
}

/*
 * As QEMU: -vga wins; otherwise the machine's default card, unless
 * -nodefaults or a display card among the -device options says otherwise.
 */
static const char *choose_vga(Config *cfg, MachineClass *mc)
{
    static const char *const cards[] = { "VGA", "isa-vga" };
    if (cfg->vga) {
        return cfg->vga;
    }
    if (cfg->nodefaults) {
        return NULL;
    }
    for (guint i = 0; i < cfg->devices->len; i++) {
        const char *arg = g_ptr_array_index(cfg->devices, i);
        g_autoptr(Opts) o = arg[0] == '\x01' ? NULL : opts_parse(arg, "driver", NULL);
        const char *driver = o ? opts_get(o, "driver") : NULL;
        for (size_t k = 0; driver && k < ARRAY_SIZE(cards); k++) {
            if (!strcmp(driver, cards[k])) {
                return NULL;
            }
        }
    }
    return mc->default_display;
}

static void add_monitor(Config *cfg, const char *spec, const char *chardev_id, bool qmp,
                        bool pretty)
{
    MonitorSpec *m = g_new0(MonitorSpec, 1);
    m->spec = g_strdup(spec);
    m->chardev_id = g_strdup(chardev_id);
    m->qmp = qmp;
    m->pretty = pretty;
    g_ptr_array_add(cfg->monitors, m);
}

static void parse_mon(Config *cfg, const char *arg)
{
    Error *err = NULL;
    g_autoptr(Opts) opts = opts_parse(arg, "chardev", &err);
    if (!opts) {
        error_prepend(&err, "-mon %s: ", arg);
        die(err);
    }
    const char *chardev = opts_get(opts, "chardev");
    const char *mode = opts_get(opts, "mode");
    bool pretty;
    if (!opts_get_bool(opts, "pretty", false, &pretty, &err)) {
        error_prepend(&err, "-mon %s: ", arg);
        die(err);
    }
    if (!opts_check_unused(opts, "-mon", &err)) {
        die(err);
    }
    if (!chardev) {
        die_msg("-mon %s: parameter 'chardev' is missing", arg);
    }
    if (mode && strcmp(mode, "readline") && strcmp(mode, "control")) {
        die_msg("-mon %s: mode must be readline or control", arg);
    }
    add_monitor(cfg, NULL, chardev, mode && !strcmp(mode, "control"), pretty);
}

static const OptionDef *find_option(const char *name)
{
    for (const OptionDef *o = options; o->name; o++) {
        if (!strcmp(o->name, name)) {
            return o;
        }
    }
    return NULL;
}

static void parse_args(Config *cfg, int argc, char **argv)
{
    Error *err = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-') {
            /* A bare image name is -hda. */
            parse_drive_syntax("-hda", a);
            continue;
        }
        const char *name = a + 1;
        if (name[0] == '-') {
            name++;
        }
        const OptionDef *o = find_option(name);
        if (!o) {
            die_msg("%s: invalid option (see -help)", a);
        }
        const char *arg = NULL;
        if (o->arg == ARG_REQUIRED) {
            if (i + 1 >= argc) {
                die_msg("-%s: requires an argument", o->name);
            }
            arg = argv[++i];
        }
        const char *n = o->name;
        if (!strcmp(n, "help") || !strcmp(n, "h")) {
            print_help();
            exit(0);
        } else if (!strcmp(n, "version")) {
            print_version();
            exit(0);
        } else if (!strcmp(n, "machine") || !strcmp(n, "M")) {
            g_ptr_array_add(cfg->machine_opts, g_strdup(arg));
        } else if (!strcmp(n, "accel")) {
            g_ptr_array_add(cfg->accel_opts, g_strdup(arg));
        } else if (!strcmp(n, "enable-kvm")) {
            g_ptr_array_add(cfg->accel_opts, g_strdup("kvm"));
        } else if (!strcmp(n, "cpu")) {
            g_free(cfg->cpu);
            cfg->cpu = g_strdup(arg);
        } else if (!strcmp(n, "smp")) {
            g_free(cfg->smp);
            cfg->smp = g_strdup(arg);
        } else if (!strcmp(n, "m")) {
            if (!cli_parse_memory(arg, &cfg->mem, &err)) {
                die(err);
            }
        } else if (!strcmp(n, "mem-path")) {
            g_free(cfg->mem_path);
            cfg->mem_path = g_strdup(arg);
        } else if (!strcmp(n, "mem-prealloc")) {
            cfg->mem_prealloc = true;
        } else if (!strcmp(n, "name")) {
            if (!cli_parse_name(arg, &err)) {
                die(err);
            }
        } else if (!strcmp(n, "uuid")) {
            if (!g_uuid_string_is_valid(arg) || !smbios_set_uuid(arg, NULL)) {
                die_msg("-uuid %s: not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", arg);
            }
        } else if (!strcmp(n, "fw_cfg")) {
            if (!fw_cfg_user_file_add(arg, &err)) {
                die(err);
            }
        } else if (!strcmp(n, "smbios")) {
            if (!smbios_entry_add(arg, &err)) {
                die(err);
            }
        } else if (!strcmp(n, "kernel")) {
            g_free(cfg->kernel);
            cfg->kernel = g_strdup(arg);
        } else if (!strcmp(n, "initrd")) {
            g_free(cfg->initrd);
            cfg->initrd = g_strdup(arg);
        } else if (!strcmp(n, "append")) {
            g_free(cfg->append);
            cfg->append = g_strdup(arg);
        } else if (!strcmp(n, "dtb")) {
            g_free(cfg->dtb);
            cfg->dtb = g_strdup(arg);
        } else if (!strcmp(n, "bios")) {
            g_free(cfg->bios);
            cfg->bios = g_strdup(arg);
        } else if (!strcmp(n, "L")) {
            if (is_help(arg)) {
                printf("%s\n/usr/share/seabios\n", EMU_DATADIR);
                exit(0);
            }
            datadir_add(arg);
        } else if (!strcmp(n, "boot")) {
            if (!cli_parse_boot(arg, &cfg->boot, &err)) {
                die(err);
            }
            cfg->boot_given = true;
        } else if (!strcmp(n, "drive") || !strcmp(n, "hda") || !strcmp(n, "hdb") ||
                   !strcmp(n, "hdc") || !strcmp(n, "hdd") || !strcmp(n, "cdrom")) {
            g_autofree char *opt = g_strdup_printf("-%s", n);
            parse_drive_syntax(opt, arg);
        } else if (!strcmp(n, "snapshot")) {
            drive_enable_snapshot();
        } else if (!strcmp(n, "device")) {
            g_ptr_array_add(cfg->devices, g_strdup(arg));
        } else if (!strcmp(n, "global")) {
            g_ptr_array_add(cfg->devices, g_strdup_printf("\x01global %s", arg));
        } else if (!strcmp(n, "object")) {
            g_ptr_array_add(cfg->objects, g_strdup(arg));
        } else if (!strcmp(n, "netdev") || !strcmp(n, "nic") || !strcmp(n, "net")) {
            g_autofree char *opt = g_strdup_printf("-%s", n);
            parse_net_option(opt, arg);
        } else if (!strcmp(n, "chardev")) {
            g_ptr_array_add(cfg->chardevs, g_strdup(arg));
        } else if (!strcmp(n, "serial")) {
            if (cfg->serials->len >= MAX_SERIAL_PORTS) {
                die_msg("-serial %s: too many serial ports (at most %d)", arg,
                        MAX_SERIAL_PORTS);
            }
            g_ptr_array_add(cfg->serials, g_strdup(arg));
        } else if (!strcmp(n, "parallel")) {
            if (strcmp(arg, "none")) {
                not_built("-parallel", "the parallel port");
            }
        } else if (!strcmp(n, "monitor")) {
            if (strcmp(arg, "none")) {
                add_monitor(cfg, arg, NULL, false, false);
            } else {
                add_monitor(cfg, NULL, NULL, false, false);   /* placeholder: no default */
            }
        } else if (!strcmp(n, "qmp") || !strcmp(n, "qmp-pretty")) {
            add_monitor(cfg, arg, NULL, true, !strcmp(n, "qmp-pretty"));
        } else if (!strcmp(n, "mon")) {
            parse_mon(cfg, arg);
        } else if (!strcmp(n, "echr")) {
            uint64_t c;
            if (!parse_uint64(arg, &c, NULL) || c > 255) {
                if (strlen(arg) == 1) {
                    c = (unsigned char)arg[0];
                } else {
                    die_msg("-echr %s: give a character code (0-255)", arg);
                }
            }
            qemu_chr_set_escape_char(c);
        } else if (!strcmp(n, "display")) {
            parse_display(cfg, arg);
        } else if (!strcmp(n, "nographic")) {
            nographic = true;
        } else if (!strcmp(n, "vga")) {
            parse_vga(cfg, arg);
        } else if (!strcmp(n, "vnc")) {
            not_built("-vnc", "the VNC server");
        } else if (!strcmp(n, "k")) {
            /* Only used by VNC; accepted for compatibility. */
        } else if (!strcmp(n, "rtc")) {
            if (!cli_parse_rtc(arg, &err)) {
                die(err);
            }
        } else if (!strcmp(n, "S")) {
            cfg->start_paused = true;
        } else if (!strcmp(n, "no-reboot")) {
            no_reboot = true;
        } else if (!strcmp(n, "no-shutdown")) {
            no_shutdown = true;
        } else if (!strcmp(n, "nodefaults")) {
            cfg->nodefaults = true;
        } else if (!strcmp(n, "daemonize")) {
            cfg->daemonize = true;
        } else if (!strcmp(n, "pidfile")) {
            g_free(cfg->pidfile);
            cfg->pidfile = g_strdup(arg);
        } else if (!strcmp(n, "d")) {
            int mask;
            if (is_help(arg)) {
                emu_log_print_help(stdout);
                exit(0);
            }
            if (!emu_log_parse_items(arg, &mask, &err)) {
                die(err);
            }
            emu_log_set_mask(mask);
        } else if (!strcmp(n, "D")) {
            if (!emu_log_set_file(arg, &err)) {
                die(err);
            }
        } else if (!strcmp(n, "qtest")) {
            g_free(cfg->qtest);
            cfg->qtest = g_strdup(arg);
        } else if (!strcmp(n, "qtest-log")) {
            g_free(cfg->qtest_log);
            cfg->qtest_log = g_strdup(arg);
        } else if (!strcmp(n, "incoming") || !strcmp(n, "loadvm")) {
            g_autofree char *opt = g_strdup_printf("-%s", n);
            not_built(opt, "migration and snapshots");
        }
    }
}

/* ---- the machine ---- */

static const char *machine_type_from_opts(Config *cfg)
{
    const char *type = NULL;
    for (guint i = 0; i < cfg->machine_opts->len; i++) {
        Error *err = NULL;
        g_autoptr(Opts) o = opts_parse(g_ptr_array_index(cfg->machine_opts, i), "type",
                                       &err);
        if (!o) {
            error_prepend(&err, "-machine %s: ", (char *)g_ptr_array_index(cfg->machine_opts,
                                                                         i));
            die(err);
        }
        const char *t = opts_get(o, "type");
        if (t && *t) {
            type = g_intern_string(t);
        }
    }
    return type;
}

static bool set_machine_prop(const char *key, const char *value, void *opaque,
                             Error **errp)
{
    Object *machine = opaque;
    if (!object_property_find(machine, key)) {
        error_setg(errp, "-machine: machine '%s' has no property '%s'",
                   MACHINE_GET_CLASS(machine)->name, key);
        return false;
    }
    Error *err = NULL;
    if (!object_property_parse(machine, key, value, &err)) {
        error_setg(errp, "-machine %s=%s: %s", key, value, error_get_pretty(err));
        error_free(err);
        return false;
    }
    return true;
}

static void apply_machine_opts(Config *cfg, MachineState *ms)
{
    for (guint i = 0; i < cfg->machine_opts->len; i++) {
        Error *err = NULL;
        g_autoptr(Opts) o = opts_parse(g_ptr_array_index(cfg->machine_opts, i), "type",
                                       &err);
        (void)opts_get(o, "type");
        /* "accel=kvm:tcg" is the old spelling of -accel. */
        char *accel = opts_take(o, "accel");
        if (accel) {
            char **names = g_strsplit(accel, ":", -1);
            for (char **nm = names; *nm; nm++) {
                g_ptr_array_add(cfg->accel_opts, g_strdup(*nm));
            }
            g_strfreev(names);
            g_free(accel);
        }
        if (!opts_foreach_unused(o, set_machine_prop, ms, &err)) {
            die(err);
        }
    }
}

static void machine_help(void)
{
    GString *out = g_string_new(NULL);
    machine_print_list(out);
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
}

static MachineState *create_machine(Config *cfg)
{
    const char *type = machine_type_from_opts(cfg);
    if (type && is_help(type)) {
        machine_help();
        exit(0);
    }
    MachineClass *mc = type ? machine_class_find(type) : machine_class_default();
    if (!mc && !type) {
        /* No default board is built yet: say what exists. */
        die_msg("no machine type was given and there is no default one; use -machine "
                "none (see -machine help)");
    }
    if (!mc) {
        die_msg("-machine %s: unsupported machine type (use -machine help for a list)",
                type);
    }
    MachineState *ms = MACHINE(object_new(object_class_get_name(OBJECT_CLASS(mc))));
    object_property_add_child(object_get_root(), "machine", OBJECT(ms));
    object_unref(ms);
    current_machine_set(ms);

    apply_machine_opts(cfg, ms);

    ms->ram_size = cfg->mem.given ? cfg->mem.size : mc->default_ram_size;
    ms->maxram_size = cfg->mem.given ? cfg->mem.maxmem : ms->ram_size;
    ms->ram_slots = cfg->mem.slots;
    ms->mem_prealloc = cfg->mem_prealloc;
    if (cfg->mem_path) {
        g_free(ms->mem_path);
        ms->mem_path = g_strdup(cfg->mem_path);
    }

    Error *err = NULL;
    CpuTopology topo = { .cpus = 1, .sockets = 1, .dies = 1, .cores = 1, .threads = 1,
                         .max_cpus = 1 };
    if (cfg->smp && !cli_parse_smp(cfg->smp, &topo, &err)) {
        die(err);
    }
    if (!mc->no_cpus && !cli_check_smp(&topo, mc, &err)) {
        die(err);
    }
    if (mc->no_cpus && topo.max_cpus > 1) {
        die_msg("-smp %s: machine '%s' has no CPUs", cfg->smp, mc->name);
    }
    ms->smp = topo;

    /* -kernel and friends are machine properties, as in QEMU. */
    if ((cfg->initrd || cfg->append || cfg->dtb) && !cfg->kernel) {
        die_msg("%s cannot be used without -kernel",
                cfg->initrd ? "-initrd" : cfg->append ? "-append" : "-dtb");
    }
    if (cfg->kernel) {
        if (mc->no_cpus) {
            die_msg("-kernel: machine '%s' has no CPU to boot a kernel on", mc->name);
        }
        object_property_set_str(OBJECT(ms), "kernel", cfg->kernel, &error_abort);
    }
    if (cfg->initrd) {
        object_property_set_str(OBJECT(ms), "initrd", cfg->initrd, &error_abort);
    }
    if (cfg->append) {
        object_property_set_str(OBJECT(ms), "append", cfg->append, &error_abort);
    }
    if (cfg->dtb) {
        object_property_set_str(OBJECT(ms), "dtb", cfg->dtb, &error_abort);
    }
    if (cfg->bios) {
        object_property_set_str(OBJECT(ms), "firmware", cfg->bios, &error_abort);
    }
    ms->boot_order = g_strdup(cfg->boot_given ? cfg->boot.order : "cad");
    ms->boot_once = g_strdup(cfg->boot.once);
    ms->boot_menu = cfg->boot.menu;
    ms->boot_strict = cfg->boot.strict;
    ms->boot_splash_time = cfg->boot.splash_time;
    ms->boot_reboot_timeout = cfg->boot_given ? cfg->boot.reboot_timeout : -1;
    /* As in QEMU, only -nographic turns the machine's graphics off; -display none
     * keeps the video card and just shows it nowhere. */
    ms->graphics = !nographic;
    return ms;
}

/* ---- accelerator ---- */

static void configure_accel(Config *cfg, MachineState *ms)
{
    MachineClass *mc = MACHINE_GET_CLASS(ms);
    if (cfg->accel_opts->len == 0) {
        if (cfg->qtest) {
            g_ptr_array_add(cfg->accel_opts, g_strdup("qtest"));
        } else if (mc->no_cpus) {
            return;   /* nothing runs guest code */
        } else {
            g_ptr_array_add(cfg->accel_opts, g_strdup("tcg"));
        }
    }
    /* "kvm:tcg" is a list to try in order, as with -machine accel=. */
    GPtrArray *choices = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < cfg->accel_opts->len; i++) {
        const char *arg = g_ptr_array_index(cfg->accel_opts, i);
        if (strchr(arg, ':') && !strchr(arg, ',')) {
            char **names = g_strsplit(arg, ":", -1);
            for (char **nm = names; *nm; nm++) {
                g_ptr_array_add(choices, g_strdup(*nm));
            }
            g_strfreev(names);
        } else {
            g_ptr_array_add(choices, g_strdup(arg));
        }
    }
    /* Why each choice could not be used, reported only if none can. */
    GString *reasons = g_string_new(NULL);
    for (guint i = 0; i < choices->len; i++) {
        const char *arg = g_ptr_array_index(choices, i);
        Error *err = NULL;
        g_autoptr(Opts) o = opts_parse(arg, "accel", &err);
        if (!o) {
            error_prepend(&err, "-accel %s: ", arg);
            die(err);
        }
        const char *name = opts_get(o, "accel");
        if (!name || !*name) {
            die_msg("-accel %s: the accelerator name is missing", arg);
        }
        if (is_help(name)) {
            GString *out = g_string_new(NULL);
            accel_print_list(out);
            fputs(out->str, stdout);
            exit(0);
        }
        AccelClass *ac = accel_class_find(name);
        if (!ac) {
            if (!strcmp(name, "tcg") || !strcmp(name, "kvm")) {
                g_string_append_printf(reasons, "%s-accel %s: the %s accelerator is not "
                                       "built yet in this version of emu",
                                       reasons->len ? "; " : "", name, name);
            } else {
                g_string_append_printf(reasons, "%s-accel %s: invalid accelerator "
                                       "(see -accel help)", reasons->len ? "; " : "",
                                       name);
            }
            continue;
        }
        if (ac->available && !ac->available(&err)) {
            g_string_append_printf(reasons, "%s-accel %s: %s", reasons->len ? "; " : "",
                                   name, error_get_pretty(err));
            error_free(err);
            continue;
        }
        Object *accel = object_new(object_class_get_name(OBJECT_CLASS(ac)));
        if (!opts_foreach_unused(o, set_machine_prop, accel, &err)) {
            die(err);
        }
        if (ac->init_machine && !ac->init_machine(ACCEL(accel), ms, &err)) {
            error_prepend(&err, "-accel %s: ", name);
            die(err);
        }
        current_accel_set(ACCEL(accel));
        g_free(ms->accel);
        ms->accel = g_strdup(ac->name);
        if (reasons->len) {
            emu_log_mask(LOG_BOOT, "accelerator: %s (earlier choices not usable: %s)\n",
                         ac->name, reasons->str);
        } else {
            emu_log_mask(LOG_BOOT, "accelerator: %s\n", ac->name);
        }
        g_string_free(reasons, TRUE);
        g_ptr_array_free(choices, TRUE);
        return;
    }
    die_msg("%s", reasons->str);
}

/* ---- character devices and monitors ---- */

static void create_chardevs(Config *cfg)
{
    for (guint i = 0; i < cfg->chardevs->len; i++) {
        const char *arg = g_ptr_array_index(cfg->chardevs, i);
        Error *err = NULL;
        g_autoptr(Opts) o = opts_parse(arg, "backend", &err);
        if (!o) {
            error_prepend(&err, "-chardev %s: ", arg);
            die(err);
        }
        const char *backend = opts_get(o, "backend");
        if (backend && is_help(backend)) {
            qemu_chr_print_backends(stdout);
            exit(0);
        }
        if (!qemu_chr_new_from_opts(o, &err)) {
            die(err);
        }
    }
}

static void start_monitor(Chardev *chr, bool qmp, bool pretty, const char *what)
{
    Error *err = NULL;
    if (!monitor_init(chr, qmp, pretty, &err)) {
        error_prepend(&err, "%s: ", what);
        die(err);
    }
}

/* A legacy spec; "mon:" also puts an HMP monitor on the same mux. */
static Chardev *chardev_from_spec(const char *label, const char *spec, const char *what)
{
    Error *err = NULL;
    Chardev *chr = qemu_chr_new(label, spec, &err);
    if (err) {
        /* The chardev layer's message already names the spec. */
        error_prepend(&err, "%s: ", what);
        die(err);
    }
    if (chr && g_str_has_prefix(spec, "mon:")) {
        start_monitor(chr, false, false, what);
    }
    return chr;
}

static void create_serials_and_monitors(Config *cfg, MachineClass *mc)
{
    bool default_serial = !cfg->nodefaults && cfg->serials->len == 0 && !mc->no_serial;
    bool default_monitor = !cfg->nodefaults && cfg->monitors->len == 0;

    if (cfg->daemonize && nographic) {
        die_msg("-nographic cannot be used with -daemonize");
    }
    if (nographic && (default_serial || default_monitor)) {
        /* One mux on the terminal carries the first serial port and the monitor;
         * Ctrl-A c switches between them, Ctrl-A x quits (as QEMU's -nographic). */
        Chardev *chr = chardev_from_spec(default_serial ? "serial0" : "compat_monitor0",
                                         default_monitor ? "mon:stdio" : "stdio",
                                         "-nographic");
        if (default_serial) {
            serial_hd_set(0, chr);
        }
    } else if (default_serial) {
        /* QEMU gives COM1 a virtual console that nothing shows without a display;
         * guests still expect the port, so it exists and writes go nowhere. */
        serial_hd_set(0, chardev_from_spec("serial0", "null", "-serial"));
    }
    for (guint i = 0; i < cfg->serials->len; i++) {
        g_autofree char *label = g_strdup_printf("serial%u", i);
        serial_hd_set(i, chardev_from_spec(label, g_ptr_array_index(cfg->serials, i),
                                           "-serial"));
    }
    for (guint i = 0; i < cfg->monitors->len; i++) {
        MonitorSpec *m = g_ptr_array_index(cfg->monitors, i);
        const char *what = m->qmp ? "-qmp" : "-monitor";
        Chardev *chr;
        if (m->chardev_id) {
            chr = qemu_chr_find(m->chardev_id);
            if (!chr) {
                die_msg("-mon chardev=%s: no chardev with that id", m->chardev_id);
            }
        } else if (m->spec) {
            g_autofree char *label = g_strdup_printf("compat_monitor%u", i + 1);
            if (g_str_has_prefix(m->spec, "mon:")) {
                chardev_from_spec(label, m->spec, what);
                continue;
            }
            chr = chardev_from_spec(label, m->spec, what);
            if (!chr) {
                continue;
            }
        } else {
            continue;   /* -monitor none */
        }
        start_monitor(chr, m->qmp, m->pretty, what);
    }
}

/* ---- daemonize and pidfile ---- */

static int daemon_pipe = -1;

static void daemonize_start(void)
{
    int fds[2];
    if (pipe(fds) < 0) {
        die_msg("-daemonize: pipe: %s", g_strerror(errno));
    }
    pid_t pid = fork();
    if (pid < 0) {
        die_msg("-daemonize: fork: %s", g_strerror(errno));
    }
    if (pid > 0) {
        /* The parent exits 0 once the child says it is up, 1 if it died first. */
        close(fds[1]);
        char status;
        ssize_t n;
        do {
            n = read(fds[0], &status, 1);
        } while (n < 0 && errno == EINTR);
        _exit(n == 1 && status == 0 ? 0 : 1);
    }
    close(fds[0]);
    daemon_pipe = fds[1];
    setsid();
}

static void daemonize_finish(void)
{
    if (daemon_pipe < 0) {
        return;
    }
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        if (!emu_log_enabled(~0)) {
            dup2(null, STDERR_FILENO);
        }
        close(null);
    }
    if (chdir("/") < 0) {
        /* Not fatal: only keeps a directory busy. */
    }
    char ok = 0;
    ssize_t n = write(daemon_pipe, &ok, 1);
    (void)n;
    close(daemon_pipe);
    daemon_pipe = -1;
}

static char *pidfile_path;

static void pidfile_remove(void)
{
    if (pidfile_path) {
        unlink(pidfile_path);
    }
}

static void pidfile_create(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        die_msg("-pidfile %s: cannot create: %s", path, g_strerror(errno));
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        die_msg("-pidfile %s: locked by another process (is emu already running?)",
                path);
    }
    g_autofree char *pid = g_strdup_printf("%d\n", getpid());
    if (ftruncate(fd, 0) < 0 || write(fd, pid, strlen(pid)) != (ssize_t)strlen(pid)) {
        die_msg("-pidfile %s: cannot write: %s", path, g_strerror(errno));
    }
    /* The descriptor stays open to hold the lock until exit. */
    pidfile_path = g_strdup(path);
    atexit(pidfile_remove);
}

/* ---- main ---- */

typedef void ListFn(GString *out);
typedef bool PropsFn(const char *type, GString *out, Error **errp);

/* "-device help" lists the types, "-device TYPE,help" one type's properties;
 * the same for -object. Prints and exits when an argument asks for help. */
static void help_from_args(GPtrArray *args, const char *implied_key, ListFn *list,
                           PropsFn *props)
{
    for (guint i = 0; i < args->len; i++) {
        const char *arg = g_ptr_array_index(args, i);
        if (arg[0] == '\x01') {
            continue;   /* -global, kept in the same list */
        }
        g_autoptr(Opts) o = opts_parse(arg, implied_key, NULL);
        const char *type = o ? opts_get(o, implied_key) : NULL;
        if (!type) {
            continue;
        }
        GString *out = g_string_new(NULL);
        Error *err = NULL;
        if (is_help(type)) {
            list(out);
        } else if (opts_has(o, "help")) {
            if (!props(type, out, &err)) {
                die(err);
            }
        } else {
            g_string_free(out, TRUE);
            continue;
        }
        fputs(out->str, stdout);
        exit(0);
    }
}

static void handle_early_help(Config *cfg)
{
    help_from_args(cfg->devices, "driver", qdev_print_device_list,
                   qdev_print_device_props);
    help_from_args(cfg->objects, "qom-type", user_creatable_print_types,
                   user_creatable_print_props);
    if (cfg->cpu && is_help(cfg->cpu)) {
        GString *out = g_string_new(NULL);
        x86_cpu_list(out);
        fputs(out->str, stdout);
        exit(0);
    }
    for (guint i = 0; i < cfg->accel_opts->len; i++) {
        if (is_help(g_ptr_array_index(cfg->accel_opts, i))) {
            GString *out = g_string_new(NULL);
            accel_print_list(out);
            fputs(out->str, stdout);
            exit(0);
        }
    }
    for (guint i = 0; i < cfg->chardevs->len; i++) {
        if (is_help(g_ptr_array_index(cfg->chardevs, i))) {
            qemu_chr_print_backends(stdout);
            exit(0);
        }
    }
}

static void create_devices_and_objects(Config *cfg)
{
    for (guint i = 0; i < cfg->devices->len; i++) {
        const char *arg = g_ptr_array_index(cfg->devices, i);
        Error *err = NULL;
        if (arg[0] == '\x01') {
            continue;
        }
        g_autoptr(Opts) o = opts_parse(arg, "driver", &err);
        if (!o) {
            error_prepend(&err, "-device %s: ", arg);
            die(err);
        }
        if (!qdev_device_add(o, &err)) {
            die(err);
        }
    }
}

/* -drive if=virtio: a virtio-blk-pci for each, as QEMU (addr= is the PCI slot). */
static void create_virtio_drives(void)
{
    GPtrArray *drives = drive_list();
    for (guint i = 0; i < drives->len; i++) {
        DriveInfo *d = g_ptr_array_index(drives, i);
        Error *err = NULL;
        if (d->type != IF_VIRTIO || d->attached_to) {
            continue;
        }
        g_autofree char *arg = g_strdup_printf("virtio-blk-pci,drive=%s%s%s", d->id,
                                               d->devaddr ? ",addr=" : "",
                                               d->devaddr ? d->devaddr : "");
        g_autoptr(Opts) o = opts_parse(arg, "driver", &err);
        if (!o || !qdev_device_add(o, &err)) {
            error_prepend(&err, "%s: ", d->option);
            die(err);
        }
    }
}

static void apply_globals(Config *cfg)
{
    for (guint i = 0; i < cfg->devices->len; i++) {
        const char *arg = g_ptr_array_index(cfg->devices, i);
        if (arg[0] != '\x01') {
            continue;
        }
        const char *spec = arg + strlen("\x01global ");
        Error *err = NULL;
        g_autoptr(Opts) o = opts_parse(spec, NULL, &err);
        if (!o) {
            error_prepend(&err, "-global %s: ", spec);
            die(err);
        }
        const char *driver = opts_get(o, "driver");
        const char *prop = opts_get(o, "property");
        const char *value = opts_get(o, "value");
        g_autofree char *d = NULL, *p = NULL;
        if (!driver) {
            /* DRIVER.PROP=VALUE */
            const char *eq = strchr(spec, '=');
            const char *dot = memchr(spec, '.', eq ? (size_t)(eq - spec) : strlen(spec));
            if (!eq || !dot || dot == spec || dot + 1 == eq) {
                die_msg("-global %s: use DRIVER.PROPERTY=VALUE", spec);
            }
            d = g_strndup(spec, dot - spec);
            p = g_strndup(dot + 1, eq - dot - 1);
            driver = d;
            prop = p;
            value = eq + 1;
        } else if (!prop || !value) {
            die_msg("-global %s: driver=, property= and value= are all needed", spec);
        }
        if (!qdev_add_global(driver, prop, value, &err)) {
            die(err);
        }
    }
}

static void monitor_spec_free(gpointer p)
{
    MonitorSpec *m = p;
    g_free(m->spec);
    g_free(m->chardev_id);
    g_free(m);
}

static void config_free(Config *cfg)
{
    g_ptr_array_free(cfg->machine_opts, TRUE);
    g_ptr_array_free(cfg->accel_opts, TRUE);
    g_ptr_array_free(cfg->devices, TRUE);
    g_ptr_array_free(cfg->objects, TRUE);
    g_ptr_array_free(cfg->chardevs, TRUE);
    g_ptr_array_free(cfg->serials, TRUE);
    g_ptr_array_free(cfg->monitors, TRUE);
    g_free(cfg->cpu);
    g_free(cfg->smp);
    g_free(cfg->mem_path);
    g_free(cfg->kernel);
    g_free(cfg->initrd);
    g_free(cfg->append);
    g_free(cfg->dtb);
    g_free(cfg->bios);
    g_free(cfg->boot.order);
    g_free(cfg->boot.once);
    g_free(cfg->display);
    g_free(cfg->vga);
    g_free(cfg->pidfile);
    g_free(cfg->qtest);
    g_free(cfg->qtest_log);
}

int main(int argc, char **argv)
{
    Config cfg = {
        .machine_opts = g_ptr_array_new_with_free_func(g_free),
        .accel_opts = g_ptr_array_new_with_free_func(g_free),
        .devices = g_ptr_array_new_with_free_func(g_free),
        .objects = g_ptr_array_new_with_free_func(g_free),
        .chardevs = g_ptr_array_new_with_free_func(g_free),
        .serials = g_ptr_array_new_with_free_func(g_free),
        .monitors = g_ptr_array_new_with_free_func(monitor_spec_free),
    };
    Error *err = NULL;

    error_set_progname("emu");
    parse_args(&cfg, argc, argv);
    handle_early_help(&cfg);
    if (vm_name) {
        monitor_set_vm_name(vm_name);
    }
    if (machine_type_from_opts(&cfg) && is_help(machine_type_from_opts(&cfg))) {
        machine_help();
        return 0;
    }
    if (cfg.start_paused && cfg.daemonize) {
        /* Fine, as in QEMU: paused in the background until 'cont'. */
    }
    if (cfg.daemonize) {
        daemonize_start();
    }
    if (cfg.pidfile) {
        pidfile_create(cfg.pidfile);
    }

    main_loop_init();
    memory_init();
    atexit(qemu_chr_cleanup);

    create_chardevs(&cfg);
    if (!net_init_clients(cfg.nodefaults, &err)) {
        die(err);
    }
    MachineState *ms = create_machine(&cfg);
    MachineClass *mc = MACHINE_GET_CLASS(ms);
    if (cfg.cpu) {
        /* MODEL[,+feat,-feat,feat=on|off]: checked now, applied when CPUs are built. */
        if (!x86_cpu_check_spec(cfg.cpu, &err)) {
            die(err);
        }
        g_free(ms->cpu_type);
        ms->cpu_type = g_strdup(cfg.cpu);
    }
    configure_accel(&cfg, ms);
    if (cfg.qtest && !qtest_server_init(cfg.qtest, cfg.qtest_log, &err)) {
        error_prepend(&err, "-qtest %s: ", cfg.qtest);
        die(err);
    }
    for (guint i = 0; i < cfg.objects->len; i++) {
        const char *arg = g_ptr_array_index(cfg.objects, i);
        g_autoptr(Opts) o = opts_parse(arg, "qom-type", &err);
        if (!o || !user_creatable_add_opts(o, &err)) {
            die(err);
        }
    }
    create_serials_and_monitors(&cfg, mc);
    apply_globals(&cfg);

    emu_log_mask(LOG_BOOT, "machine: %s (%s), %" PRIu64 " MiB RAM, accelerator %s\n",
                 mc->name, mc->desc, ms->ram_size >> 20, current_accel_name());
    if (!drive_init_all(mc->block_default_type, &err)) {
        die(err);
    }
    /* QEMU's default empty CD-ROM, ide1-cd0 (secondary master), on IDE machines. */
    if (!cfg.nodefaults && !mc->no_cdrom && mc->block_default_type == IF_IDE &&
        !drive_get_by_index(IF_IDE, 2) &&
        !drive_new("-cdrom", "if=ide,index=2,media=cdrom", IF_IDE, &err)) {
        die(err);
    }
    vga_model = choose_vga(&cfg, mc);
    if (mc->init) {
        mc->init(ms, &err);
        if (err) {
            die(err);
        }
    }
    create_devices_and_objects(&cfg);
    create_virtio_drives();
    if (!drive_check_orphaned(&err)) {
        die(err);
    }
    net_check_clients();
    AccelState *accel = current_accel();
    if (accel && ACCEL_GET_CLASS(accel)->setup_post &&
        !ACCEL_GET_CLASS(accel)->setup_post(accel, ms, &err)) {
        die(err);
    }

    system_reset(SHUTDOWN_CAUSE_NONE);
    if (!cfg.start_paused) {
        vm_start();
    }
    daemonize_finish();

    int status = main_loop_run();

    cpus_shutdown_all();
    iothread_stop_all();        /* no iothread runs while drives and devices go */
    drive_cleanup_all();
    monitor_cleanup();
    qemu_chr_cleanup();
    config_free(&cfg);
    return status;
}
