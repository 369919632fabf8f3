/*
 * HMP: a line editor with history on a chardev, a parser that turns a command
 * line into the JsonObject the command's args_type describes, and the built-in
 * "help", "info" and human-monitor-command.
 */
#include "monitor-internal.h"
#include "util/cutils.h"

#define HMP_PROMPT "(emu) "

static void hmp_show_banner(Monitor *mon)
{
    monitor_printf(mon, "emu %s monitor - type 'help' for more information\n",
                   EMU_VERSION);
    mon->banner_shown = true;
}

/* ---- argument parsing ---- */

static const char *skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    return p;
}

/*
 * One word, or a double-quoted string with \" and \\ escapes. Returns NULL at
 * the end of the line, or on an unterminated quote (with *bad set).
 */
static char *next_word(const char **pp, bool *bad)
{
    const char *p = skip_spaces(*pp);
    *bad = false;
    if (!*p) {
        *pp = p;
        return NULL;
    }
    GString *w = g_string_new(NULL);
    if (*p == '"') {
        p++;
        while (*p && *p != '"') {
            if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) {
                p++;
            }
            g_string_append_c(w, *p++);
        }
        if (*p != '"') {
            *bad = true;
            g_string_free(w, TRUE);
            *pp = p;
            return NULL;
        }
        p++;
    } else {
        while (*p && *p != ' ' && *p != '\t') {
            g_string_append_c(w, *p++);
        }
    }
    *pp = p;
    return g_string_free(w, FALSE);
}

static char *rest_of_line(const char **pp)
{
    const char *p = skip_spaces(*pp);
    const char *end = p + strlen(p);
    while (end > p && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }
    *pp = p + strlen(p);
    return end > p ? g_strndup(p, end - p) : NULL;
}

static void print_usage(Monitor *mon, const char *name, const char *params)
{
    monitor_printf(mon, "Usage: %s%s%s\n", name, params && *params ? " " : "",
                   params ? params : "");
}

/*
 * Parse @p against @args_type; NULL (after telling the user why) if it does not
 * fit. @name and @params are for messages.
 */
static JsonObject *hmp_parse_args(Monitor *mon, const char *name, const char *args_type,
                                  const char *params, const char *p)
{
    GArray *specs = monitor_arg_specs_parse(args_type);
    JsonObject *args = json_object_new();
    g_autofree char *error = NULL;

    /* Flags come first, in any order: "info mtree -f". */
    for (;;) {
        const char *q = skip_spaces(p);
        if (q[0] != '-' || !q[1] || (q[2] && q[2] != ' ' && q[2] != '\t')) {
            break;
        }
        MonitorArgSpec *flag = NULL;
        for (guint i = 0; i < specs->len; i++) {
            MonitorArgSpec *s = &g_array_index(specs, MonitorArgSpec, i);
            if (s->type == '-' && s->flag == q[1]) {
                flag = s;
            }
        }
        if (!flag) {
            break;
        }
        json_object_set_boolean_member(args, flag->name, true);
        p = q + 2;
    }

    for (guint i = 0; i < specs->len && !error; i++) {
        MonitorArgSpec *s = &g_array_index(specs, MonitorArgSpec, i);
        g_autofree char *word = NULL;
        bool bad = false;

        switch (s->type) {
        case '-':
            continue;
        case 'S':
        case 'V':
            word = rest_of_line(&p);
            break;
        default:
            word = next_word(&p, &bad);
            break;
        }
        if (bad) {
            error = g_strdup("unterminated string");
            break;
        }
        if (!word) {
            if (!s->optional) {
                error = g_strdup_printf("missing argument '%s'", s->name);
            }
            continue;
        }
        Error *err = NULL;
        switch (s->type) {
        case 'i': {
            int64_t v;
            if (parse_int64(word, &v, &err)) {
                json_object_set_int_member(args, s->name, v);
            }
            break;
        }
        case 'b': {
            bool v;
            if (parse_bool(word, &v, &err)) {
                json_object_set_boolean_member(args, s->name, v);
            }
            break;
        }
        default:
            json_object_set_string_member(args, s->name, word);
            break;
        }
        if (err) {
            error = g_strdup_printf("argument '%s': %s", s->name, error_get_pretty(err));
            error_free(err);
        }
    }
    if (!error && *skip_spaces(p)) {
        error = g_strdup_printf("extraneous characters at the end of line: '%s'",
                                skip_spaces(p));
    }
    monitor_arg_specs_free(specs);
    if (error) {
        monitor_printf(mon, "%s: %s\n", name, error);
        print_usage(mon, name, params);
        json_object_unref(args);
        return NULL;
    }
    return args;
}

void hmp_handle_command(Monitor *mon, const char *line)
{
    const char *p = skip_spaces(line);
    const char *end = p;
    while (*end && *end != ' ' && *end != '\t') {
        end++;
    }
    if (end == p) {
        return;
    }
    g_autofree char *name = g_strndup(p, end - p);
    const MonitorCommand *cmd = monitor_find_command(name);
    if (!cmd || !cmd->hmp) {
        monitor_printf(mon, "unknown command: '%s'\n", name);
        return;
    }
    JsonObject *args = hmp_parse_args(mon, name, cmd->args_type, cmd->params, end);
    if (!args) {
        return;
    }
    Monitor *saved = cur_mon;
    cur_mon = mon;
    cmd->hmp(mon, args);
    cur_mon = saved;
    json_object_unref(args);
}

/* ---- the line editor ---- */

static size_t columns(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        /* UTF-8 continuation bytes take no column. */
        if (((uint8_t)s[i] & 0xc0) != 0x80) {
            n++;
        }
    }
    return n;
}

static void hmp_redraw(Monitor *mon)
{
    GString *out = g_string_new("\r\033[K" HMP_PROMPT);
    g_string_append_len(out, mon->line->str, mon->line->len);
    size_t back = columns(mon->line->str + mon->cursor, mon->line->len - mon->cursor);
    if (back) {
        g_string_append_printf(out, "\033[%zuD", back);
    }
    monitor_write_raw(mon, out->str, out->len);
    g_string_free(out, TRUE);
}

static void hmp_show_prompt(Monitor *mon)
{
    monitor_write_raw(mon, HMP_PROMPT, strlen(HMP_PROMPT));
    if (mon->line->len) {
        hmp_redraw(mon);
    }
}

static void hmp_set_line(Monitor *mon, const char *text)
{
    g_string_assign(mon->line, text);
    mon->cursor = mon->line->len;
    hmp_redraw(mon);
}

static void hmp_history_move(Monitor *mon, int dir)
{
    int n = mon->history->len;
    if (!n) {
        return;
    }
    int pos = mon->hist_pos < 0 ? n : mon->hist_pos;
    pos += dir;
    if (pos < 0) {
        return;
    }
    if (pos >= n) {
        mon->hist_pos = -1;
        hmp_set_line(mon, "");
        return;
    }
    mon->hist_pos = pos;
    hmp_set_line(mon, g_ptr_array_index(mon->history, pos));
}

static void hmp_history_add(Monitor *mon, const char *line)
{
    if (!*skip_spaces(line)) {
        return;
    }
    GPtrArray *h = mon->history;
    if (h->len && !strcmp(g_ptr_array_index(h, h->len - 1), line)) {
        return;
    }
    if (h->len >= HMP_HISTORY_MAX) {
        g_ptr_array_remove_index(h, 0);
    }
    g_ptr_array_add(h, g_strdup(line));
}

static void hmp_enter(Monitor *mon)
{
    monitor_write_raw(mon, "\r\n", 2);
    g_autofree char *line = g_strdup(mon->line->str);
    g_string_truncate(mon->line, 0);
    mon->cursor = 0;
    mon->hist_pos = -1;
    hmp_history_add(mon, line);
    hmp_handle_command(mon, line);
    monitor_write_raw(mon, HMP_PROMPT, strlen(HMP_PROMPT));
}

static void hmp_cursor_left(Monitor *mon)
{
    if (!mon->cursor) {
        return;
    }
    do {
        mon->cursor--;
    } while (mon->cursor && ((uint8_t)mon->line->str[mon->cursor] & 0xc0) == 0x80);
    monitor_write_raw(mon, "\033[D", 3);
}

static void hmp_cursor_right(Monitor *mon)
{
    if (mon->cursor >= mon->line->len) {
        return;
    }
    do {
        mon->cursor++;
    } while (mon->cursor < mon->line->len &&
             ((uint8_t)mon->line->str[mon->cursor] & 0xc0) == 0x80);
    monitor_write_raw(mon, "\033[C", 3);
}

static void hmp_backspace(Monitor *mon)
{
    if (!mon->cursor) {
        return;
    }
    size_t end = mon->cursor;
    do {
        mon->cursor--;
    } while (mon->cursor && ((uint8_t)mon->line->str[mon->cursor] & 0xc0) == 0x80);
    g_string_erase(mon->line, mon->cursor, end - mon->cursor);
    if (mon->cursor == mon->line->len) {
        monitor_write_raw(mon, "\b \b", 3);
    } else {
        hmp_redraw(mon);
    }
}

static void hmp_insert(Monitor *mon, char c)
{
    g_string_insert_c(mon->line, mon->cursor, c);
    mon->cursor++;
    if (mon->cursor == mon->line->len) {
        monitor_write_raw(mon, &c, 1);
    } else {
        hmp_redraw(mon);
    }
}

/* ESC [ X / ESC O X: arrows (xterm and vt100 keypad spellings). */
static void hmp_escape_final(Monitor *mon, uint8_t c)
{
    switch (c) {
    case 'A':
        hmp_history_move(mon, -1);
        break;
    case 'B':
        hmp_history_move(mon, 1);
        break;
    case 'C':
        hmp_cursor_right(mon);
        break;
    case 'D':
        hmp_cursor_left(mon);
        break;
    case 'H':
        mon->cursor = 0;
        hmp_redraw(mon);
        break;
    case 'F':
        mon->cursor = mon->line->len;
        hmp_redraw(mon);
        break;
    default:
        break;
    }
}

static void hmp_input_byte(Monitor *mon, uint8_t c)
{
    bool was_cr = mon->last_was_cr;
    mon->last_was_cr = false;

    if (mon->esc_state == 1) {
        mon->esc_state = (c == '[' || c == 'O') ? 2 : 0;
        return;
    }
    if (mon->esc_state == 2) {
        /* Parameter bytes ("3~" for Delete) until a final byte 0x40..0x7e. */
        if (c >= 0x40 && c <= 0x7e) {
            mon->esc_state = 0;
            hmp_escape_final(mon, c);
        }
        return;
    }
    switch (c) {
    case '\r':
        mon->last_was_cr = true;
        hmp_enter(mon);
        break;
    case '\n':
        if (!was_cr) {
            hmp_enter(mon);
        }
        break;
    case 0x1b:
        mon->esc_state = 1;
        break;
    case 0x7f:
    case '\b':
        hmp_backspace(mon);
        break;
    case 0x15:  /* Ctrl-U: kill the line */
        g_string_truncate(mon->line, 0);
        mon->cursor = 0;
        hmp_redraw(mon);
        break;
    case 0x01:  /* Ctrl-A */
        mon->cursor = 0;
        hmp_redraw(mon);
        break;
    case 0x05:  /* Ctrl-E */
        mon->cursor = mon->line->len;
        hmp_redraw(mon);
        break;
    case 0x03:  /* Ctrl-C: drop the line, fresh prompt */
        g_string_truncate(mon->line, 0);
        mon->cursor = 0;
        mon->hist_pos = -1;
        monitor_write_raw(mon, "\r\n" HMP_PROMPT, 2 + strlen(HMP_PROMPT));
        break;
    default:
        if (c >= 0x20) {
            hmp_insert(mon, c);
        }
        break;
    }
}

static int hmp_can_read(void *opaque)
{
    return 4096;
}

static void hmp_read(void *opaque, const uint8_t *buf, int size)
{
    Monitor *mon = opaque;
    for (int i = 0; i < size; i++) {
        hmp_input_byte(mon, buf[i]);
    }
}

static void hmp_reset_line(Monitor *mon)
{
    g_string_truncate(mon->line, 0);
    mon->cursor = 0;
    mon->hist_pos = -1;
    mon->esc_state = 0;
    mon->last_was_cr = false;
}

static void hmp_event(void *opaque, ChrEvent event)
{
    Monitor *mon = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        mon->opened = true;
        hmp_reset_line(mon);
        /* Like QEMU: the banner always, the prompt only where input comes to us. */
        hmp_show_banner(mon);
        if (mon->focused) {
            hmp_show_prompt(mon);
        }
        break;
    case CHR_EVENT_MUX_IN:
        mon->focused = true;
        if (!mon->opened) {
            /* A mux hands over the focus before it reports the backend open. */
            break;
        }
        if (!mon->banner_shown) {
            hmp_show_banner(mon);
            hmp_show_prompt(mon);
        } else {
            hmp_redraw(mon);
        }
        break;
    case CHR_EVENT_MUX_OUT:
        mon->focused = false;
        if (mon->banner_shown) {
            /* Leave the prompt line so guest output starts on a fresh one. */
            monitor_write_raw(mon, "\r\n", 2);
        }
        break;
    case CHR_EVENT_CLOSED:
        monitor_discard_output(mon);
        mon->opened = false;
        mon->banner_shown = false;
        hmp_reset_line(mon);
        break;
    default:
        break;
    }
}

void hmp_init(Monitor *mon)
{
    mon->line = g_string_new(NULL);
    mon->history = g_ptr_array_new_with_free_func(g_free);
    mon->hist_pos = -1;
    /* Registering handlers on a mux takes the focus; MUX_OUT tells us otherwise. */
    mon->focused = true;
    qemu_chr_fe_set_handlers(&mon->chr, hmp_can_read, hmp_read, hmp_event, mon,
                             NULL, true);
}

void hmp_destroy(Monitor *mon)
{
    g_string_free(mon->line, TRUE);
    g_ptr_array_free(mon->history, TRUE);
}

/* ---- capture: human-monitor-command ---- */

char *hmp_run_line(const char *line)
{
    Monitor mon = { .capture = g_string_new(NULL) };
    hmp_handle_command(&mon, line);
    return g_string_free(mon.capture, FALSE);
}

static JsonNode *qmp_human_monitor_command(JsonObject *args, Error **errp)
{
    const char *line = json_object_get_string_member(args, "command-line");
    g_autofree char *out = hmp_run_line(line);
    JsonNode *ret = json_node_new(JSON_NODE_VALUE);
    json_node_set_string(ret, out);
    return ret;
}

/* ---- help and info ---- */

static void hmp_help(Monitor *mon, JsonObject *args)
{
    const char *which = json_object_get_string_member_with_default(args, "name", NULL);
    GPtrArray *list = monitor_command_list();
    bool found = false;
    for (guint i = 0; i < list->len; i++) {
        const MonitorCommand *cmd = g_ptr_array_index(list, i);
        if (!cmd->hmp || (which && strcmp(which, cmd->name))) {
            continue;
        }
        found = true;
        bool has_params = cmd->params && *cmd->params;
        monitor_printf(mon, "%s%s%s -- %s\n", cmd->name, has_params ? " " : "",
                       has_params ? cmd->params : "", cmd->help ? cmd->help : "");
    }
    g_ptr_array_free(list, TRUE);
    if (which && !found) {
        monitor_printf(mon, "unknown command: '%s'\n", which);
    }
}

static void hmp_info_list(Monitor *mon)
{
    GPtrArray *list = monitor_info_list();
    for (guint i = 0; i < list->len; i++) {
        const MonitorInfo *info = g_ptr_array_index(list, i);
        monitor_printf(mon, "info %s%s%s -- %s\n", info->name, *info->params ? " " : "",
                       info->params, info->help);
    }
    g_ptr_array_free(list, TRUE);
}

static void hmp_info(Monitor *mon, JsonObject *args)
{
    const char *line = json_object_get_string_member_with_default(args, "item", NULL);
    if (!line) {
        hmp_info_list(mon);
        return;
    }
    const char *end = line;
    while (*end && *end != ' ' && *end != '\t') {
        end++;
    }
    g_autofree char *name = g_strndup(line, end - line);
    const MonitorInfo *info = monitor_find_info(name);
    if (!info) {
        monitor_printf(mon, "unknown info command: '%s'\n", name);
        return;
    }
    g_autofree char *full = g_strdup_printf("info %s", name);
    JsonObject *iargs = hmp_parse_args(mon, full, info->args_type, info->params, end);
    if (!iargs) {
        return;
    }
    GString *out = g_string_new(NULL);
    if (info->fn_args) {
        info->fn_args(out, iargs);
    } else {
        info->fn(out);
    }
    monitor_puts(mon, out->str);
    g_string_free(out, TRUE);
    json_object_unref(iargs);
}

static const MonitorCommand hmp_builtin_commands[] = {
    {
        .name = "help",
        .args_type = "name:s?",
        .params = "[cmd]",
        .help = "show the help",
        .hmp = hmp_help,
    },
    {
        .name = "info",
        .args_type = "item:S?",
        .params = "[subcommand]",
        .help = "show various information about the system state",
        .hmp = hmp_info,
    },
    {
        .name = "human-monitor-command",
        .args_type = "command-line:s,cpu-index:i?",
        .help = "run an HMP command line and return its output",
        .qmp = qmp_human_monitor_command,
    },
};

static void __attribute__((constructor)) hmp_register_builtins(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(hmp_builtin_commands); i++) {
        monitor_register_command(&hmp_builtin_commands[i]);
    }
}
