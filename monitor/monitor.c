/* Monitor core: the command and info tables, output, attaching to chardevs. */
#include "monitor-internal.h"
#include <limits.h>

Monitor *cur_mon;

static GHashTable *commands;    /* name -> const MonitorCommand * */
static GHashTable *infos;       /* name -> MonitorInfo * */
static GPtrArray *monitors;     /* Monitor *, attached to chardevs */
static char *vm_name;

/* ---- tables ---- */

void monitor_register_command(const MonitorCommand *cmd)
{
    if (!commands) {
        commands = g_hash_table_new(g_str_hash, g_str_equal);
    }
    if (g_hash_table_contains(commands, cmd->name)) {
        fprintf(stderr, "emu: monitor command '%s' registered twice\n", cmd->name);
        abort();
    }
    g_hash_table_insert(commands, (gpointer)cmd->name, (gpointer)cmd);
}

const MonitorCommand *monitor_find_command(const char *name)
{
    return commands ? g_hash_table_lookup(commands, name) : NULL;
}

static gint compare_command(gconstpointer a, gconstpointer b)
{
    const MonitorCommand *ca = *(const MonitorCommand *const *)a;
    const MonitorCommand *cb = *(const MonitorCommand *const *)b;
    return strcmp(ca->name, cb->name);
}

GPtrArray *monitor_command_list(void)
{
    GPtrArray *list = g_ptr_array_new();
    if (commands) {
        GHashTableIter it;
        gpointer value;
        g_hash_table_iter_init(&it, commands);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
            g_ptr_array_add(list, value);
        }
    }
    g_ptr_array_sort(list, compare_command);
    return list;
}

static void info_register(const char *name, const char *args_type, const char *params,
                          const char *help, MonitorInfoFunc *fn,
                          MonitorInfoArgsFunc *fn_args)
{
    if (!infos) {
        infos = g_hash_table_new(g_str_hash, g_str_equal);
    }
    if (g_hash_table_contains(infos, name)) {
        fprintf(stderr, "emu: monitor 'info %s' registered twice\n", name);
        abort();
    }
    MonitorInfo *info = g_new0(MonitorInfo, 1);
    info->name = g_strdup(name);
    info->args_type = g_strdup(args_type);
    info->params = g_strdup(params ? params : "");
    info->help = g_strdup(help ? help : "");
    info->fn = fn;
    info->fn_args = fn_args;
    g_hash_table_insert(infos, info->name, info);
}

void monitor_register_info(const char *name, const char *help, MonitorInfoFunc *fn)
{
    info_register(name, NULL, NULL, help, fn, NULL);
}

void monitor_register_info_args(const char *name, const char *args_type,
                                const char *params, const char *help,
                                MonitorInfoArgsFunc *fn)
{
    info_register(name, args_type, params, help, NULL, fn);
}

const MonitorInfo *monitor_find_info(const char *name)
{
    return infos ? g_hash_table_lookup(infos, name) : NULL;
}

static gint compare_info(gconstpointer a, gconstpointer b)
{
    const MonitorInfo *ia = *(const MonitorInfo *const *)a;
    const MonitorInfo *ib = *(const MonitorInfo *const *)b;
    return strcmp(ia->name, ib->name);
}

GPtrArray *monitor_info_list(void)
{
    GPtrArray *list = g_ptr_array_new();
    if (infos) {
        GHashTableIter it;
        gpointer value;
        g_hash_table_iter_init(&it, infos);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
            g_ptr_array_add(list, value);
        }
    }
    g_ptr_array_sort(list, compare_info);
    return list;
}

/* ---- argument specs ---- */

static void arg_spec_clear(gpointer p)
{
    g_free(((MonitorArgSpec *)p)->name);
}

GArray *monitor_arg_specs_parse(const char *args_type)
{
    GArray *specs = g_array_new(FALSE, TRUE, sizeof(MonitorArgSpec));
    g_array_set_clear_func(specs, arg_spec_clear);
    if (!args_type || !*args_type) {
        return specs;
    }
    g_auto(GStrv) items = g_strsplit(args_type, ",", -1);
    for (char **p = items; *p; p++) {
        const char *colon = strchr(*p, ':');
        /* A malformed spec is a bug in the command's definition, not user input. */
        g_assert(colon && colon > *p && colon[1]);
        MonitorArgSpec spec = { .name = g_strndup(*p, colon - *p) };
        const char *t = colon + 1;
        if (t[0] == '-') {
            g_assert(t[1] && !t[2]);
            spec.type = '-';
            spec.flag = t[1];
            spec.optional = true;
        } else {
            g_assert(strchr("sSibV", t[0]) && (!t[1] || (t[1] == '?' && !t[2])));
            spec.type = t[0];
            spec.optional = t[1] == '?';
        }
        g_array_append_val(specs, spec);
    }
    return specs;
}

void monitor_arg_specs_free(GArray *specs)
{
    g_array_free(specs, TRUE);
}

static bool node_has_type(JsonNode *node, GType type)
{
    return JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == type;
}

bool monitor_check_qmp_args(const char *args_type, JsonObject *args, Error **errp)
{
    GArray *specs = monitor_arg_specs_parse(args_type);
    bool ok = false;

    g_autoptr(GList) members = json_object_get_members(args);
    for (GList *l = members; l; l = l->next) {
        bool known = false;
        for (guint i = 0; i < specs->len; i++) {
            if (!strcmp(g_array_index(specs, MonitorArgSpec, i).name, l->data)) {
                known = true;
                break;
            }
        }
        if (!known) {
            error_setg(errp, "Parameter '%s' is unexpected", (char *)l->data);
            goto out;
        }
    }
    for (guint i = 0; i < specs->len; i++) {
        MonitorArgSpec *spec = &g_array_index(specs, MonitorArgSpec, i);
        JsonNode *node = json_object_get_member(args, spec->name);
        if (!node) {
            if (!spec->optional) {
                error_setg(errp, "Parameter '%s' is missing", spec->name);
                goto out;
            }
            continue;
        }
        const char *want = NULL;
        switch (spec->type) {
        case 's':
        case 'S':
            if (!node_has_type(node, G_TYPE_STRING)) {
                want = "string";
            }
            break;
        case 'i':
            if (!node_has_type(node, G_TYPE_INT64)) {
                want = "integer";
            }
            break;
        case 'b':
        case '-':
            if (!node_has_type(node, G_TYPE_BOOLEAN)) {
                want = "boolean";
            }
            break;
        default:
            break;
        }
        if (want) {
            error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                       spec->name, want);
            goto out;
        }
    }
    ok = true;
out:
    monitor_arg_specs_free(specs);
    return ok;
}

/* ---- output ---- */

static gboolean monitor_out_ready(gpointer opaque);

/* Hand @outbuf to the chardev as far as it takes it; true when it is empty. */
static bool monitor_try_flush(Monitor *mon)
{
    while (mon->outbuf->len) {
        int n = qemu_chr_fe_write(&mon->chr, (const uint8_t *)mon->outbuf->str,
                                  MIN(mon->outbuf->len, (size_t)INT_MAX));
        if (n < 0) {
            /* The host side is gone; a new client must not get stale output. */
            g_string_truncate(mon->outbuf, 0);
            return true;
        }
        if (n == 0) {
            return false;
        }
        g_string_erase(mon->outbuf, 0, n);
    }
    return true;
}

static void monitor_arm_watch(Monitor *mon)
{
    if (mon->out_watch) {
        return;
    }
    mon->out_watch = qemu_chr_fe_add_watch(&mon->chr, G_IO_OUT, monitor_out_ready, mon);
    if (!mon->out_watch) {
        /* The backend cannot tell us when it has room: wait for it now. */
        monitor_flush(mon);
    }
}

static gboolean monitor_out_ready(gpointer opaque)
{
    Monitor *mon = opaque;
    if (monitor_try_flush(mon)) {
        mon->out_watch = 0;
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

void monitor_write_raw(Monitor *mon, const char *buf, size_t len)
{
    if (mon->capture) {
        g_string_append_len(mon->capture, buf, len);
        return;
    }
    if (!mon->has_chr || !qemu_chr_fe_backend_connected(&mon->chr)) {
        return;
    }
    if (mon->outbuf->len + len > MONITOR_OUTBUF_MAX) {
        mon->out_dropped += len;
        return;
    }
    g_string_append_len(mon->outbuf, buf, len);
    if (!monitor_try_flush(mon)) {
        monitor_arm_watch(mon);
    }
}

/* A client that stopped reading does not get to keep emu from exiting. */
#define MONITOR_FLUSH_TIMEOUT_US (2 * G_USEC_PER_SEC)

void monitor_flush(Monitor *mon)
{
    if (!mon->has_chr || !mon->outbuf) {
        return;
    }
    gint64 deadline = g_get_monotonic_time() + MONITOR_FLUSH_TIMEOUT_US;
    while (qemu_chr_fe_backend_connected(&mon->chr) && !monitor_try_flush(mon) &&
           g_get_monotonic_time() < deadline) {
        g_usleep(1000);
    }
    g_string_truncate(mon->outbuf, 0);
}

void monitor_discard_output(Monitor *mon)
{
    g_string_truncate(mon->outbuf, 0);
    if (mon->out_watch) {
        g_source_remove(mon->out_watch);
        mon->out_watch = 0;
    }
}

void monitor_puts(Monitor *mon, const char *str)
{
    if (!mon) {
        return;
    }
    if (mon->capture) {
        g_string_append(mon->capture, str);
        return;
    }
    /* Terminals in raw mode need the carriage return (QEMU does the same). */
    GString *out = g_string_sized_new(strlen(str) + 16);
    for (const char *p = str; *p; p++) {
        if (*p == '\n') {
            g_string_append_c(out, '\r');
        }
        g_string_append_c(out, *p);
    }
    monitor_write_raw(mon, out->str, out->len);
    g_string_free(out, TRUE);
}

void monitor_printf(Monitor *mon, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    monitor_puts(mon, s);
}

void hmp_handle_error(Monitor *mon, Error *err)
{
    if (err) {
        monitor_printf(mon, "Error: %s\n", error_get_pretty(err));
        error_free(err);
    }
}

Monitor *monitor_cur(void)
{
    return cur_mon;
}

/* ---- VM name ---- */

void monitor_set_vm_name(const char *name)
{
    g_free(vm_name);
    vm_name = g_strdup(name);
}

const char *monitor_get_vm_name(void)
{
    return vm_name;
}

/* ---- attach / detach ---- */

bool monitor_init(Chardev *chr, bool qmp, bool pretty, Error **errp)
{
    Monitor *mon = g_new0(Monitor, 1);
    if (!qemu_chr_fe_init(&mon->chr, chr, errp)) {
        g_free(mon);
        return false;
    }
    mon->has_chr = true;
    mon->outbuf = g_string_new(NULL);
    mon->is_qmp = qmp;
    mon->pretty = pretty;
    if (!monitors) {
        monitors = g_ptr_array_new();
    }
    g_ptr_array_add(monitors, mon);
    if (qmp) {
        qmp_init(mon);
    } else {
        hmp_init(mon);
    }
    return true;
}

void monitor_cleanup(void)
{
    for (guint i = 0; monitors && i < monitors->len; i++) {
        Monitor *mon = g_ptr_array_index(monitors, i);
        /* Last words (the reply to quit, the SHUTDOWN event) go out first. */
        monitor_flush(mon);
        monitor_discard_output(mon);
        qemu_chr_fe_set_handlers(&mon->chr, NULL, NULL, NULL, NULL, NULL, true);
        qemu_chr_fe_deinit(&mon->chr, false);
        if (mon->is_qmp) {
            qmp_destroy(mon);
        } else {
            hmp_destroy(mon);
        }
        g_string_free(mon->outbuf, TRUE);
        g_free(mon);
    }
    if (monitors) {
        g_ptr_array_free(monitors, TRUE);
        monitors = NULL;
    }
}
