/* Parser for "key=value,key=value" option strings with ",," escaping. */
#include "util/keyval.h"
#include "util/cutils.h"

typedef struct {
    char *key;
    char *value;
    bool used;
} OptEntry;

struct Opts {
    GPtrArray *entries;
};

static void opt_entry_free(gpointer p)
{
    OptEntry *e = p;
    g_free(e->key);
    g_free(e->value);
    g_free(e);
}

Opts *opts_new(void)
{
    Opts *o = g_new0(Opts, 1);
    o->entries = g_ptr_array_new_with_free_func(opt_entry_free);
    return o;
}

void opts_free(Opts *opts)
{
    if (opts) {
        g_ptr_array_free(opts->entries, TRUE);
        g_free(opts);
    }
}

void opts_set(Opts *opts, const char *key, const char *value)
{
    OptEntry *e = g_new0(OptEntry, 1);
    e->key = g_strdup(key);
    e->value = g_strdup(value);
    g_ptr_array_add(opts->entries, e);
}

/* Read one element up to an unescaped ',' into @out; returns the rest. */
static const char *next_element(const char *p, GString *out)
{
    g_string_truncate(out, 0);
    while (*p) {
        if (*p == ',') {
            if (p[1] == ',') {
                g_string_append_c(out, ',');
                p += 2;
                continue;
            }
            return p + 1;
        }
        g_string_append_c(out, *p++);
    }
    return p;
}

Opts *opts_parse(const char *str, const char *implied_key, Error **errp)
{
    Opts *opts = opts_new();
    g_autoptr(GString) elem = g_string_new(NULL);
    const char *p = str;
    bool first = true;

    while (*p) {
        const char *start = p;
        /* The key part ends at '='; a key never contains ','. */
        const char *eq = strchr(p, '=');
        const char *comma = strchr(p, ',');
        if (eq && (!comma || eq < comma)) {
            g_autofree char *key = g_strndup(p, eq - p);
            if (!*key) {
                error_setg(errp, "'%s': empty parameter name", str);
                opts_free(opts);
                return NULL;
            }
            p = next_element(eq + 1, elem);
            opts_set(opts, key, elem->str);
        } else {
            p = next_element(p, elem);
            if (first && implied_key) {
                opts_set(opts, implied_key, elem->str);
            } else if (!elem->len) {
                if (*p || p[-1] == ',') {
                    error_setg(errp, "'%s': empty parameter", str);
                    opts_free(opts);
                    return NULL;
                }
            } else {
                /* A bare "key" means key=on, as in QEMU ("server", "help"). */
                opts_set(opts, elem->str, "on");
            }
        }
        first = false;
        (void)start;
    }
    return opts;
}

static OptEntry *find_last(Opts *opts, const char *key)
{
    for (guint i = opts->entries->len; i-- > 0;) {
        OptEntry *e = g_ptr_array_index(opts->entries, i);
        if (!strcmp(e->key, key)) {
            return e;
        }
    }
    return NULL;
}

static void mark_used(Opts *opts, const char *key)
{
    for (guint i = 0; i < opts->entries->len; i++) {
        OptEntry *e = g_ptr_array_index(opts->entries, i);
        if (!strcmp(e->key, key)) {
            e->used = true;
        }
    }
}

bool opts_has(Opts *opts, const char *key)
{
    return find_last(opts, key) != NULL;
}

const char *opts_get(Opts *opts, const char *key)
{
    OptEntry *e = find_last(opts, key);
    if (!e) {
        return NULL;
    }
    mark_used(opts, key);
    return e->value;
}

char *opts_take(Opts *opts, const char *key)
{
    OptEntry *e = find_last(opts, key);
    char *v = e ? g_strdup(e->value) : NULL;
    for (guint i = opts->entries->len; i-- > 0;) {
        OptEntry *x = g_ptr_array_index(opts->entries, i);
        if (!strcmp(x->key, key)) {
            g_ptr_array_remove_index(opts->entries, i);
        }
    }
    return v;
}

bool opts_get_bool(Opts *opts, const char *key, bool def, bool *res, Error **errp)
{
    const char *v = opts_get(opts, key);
    if (!v) {
        *res = def;
        return true;
    }
    if (!parse_bool(v, res, errp)) {
        error_prepend(errp, "parameter '%s': ", key);
        return false;
    }
    return true;
}

bool opts_get_uint(Opts *opts, const char *key, uint64_t def, uint64_t *res,
                   Error **errp)
{
    const char *v = opts_get(opts, key);
    if (!v) {
        *res = def;
        return true;
    }
    if (!parse_uint64(v, res, errp)) {
        error_prepend(errp, "parameter '%s': ", key);
        return false;
    }
    return true;
}

bool opts_get_size(Opts *opts, const char *key, uint64_t def, uint64_t default_unit,
                   uint64_t *res, Error **errp)
{
    const char *v = opts_get(opts, key);
    if (!v) {
        *res = def;
        return true;
    }
    if (!parse_size(v, default_unit, res, errp)) {
        error_prepend(errp, "parameter '%s': ", key);
        return false;
    }
    return true;
}

bool opts_foreach_unused(Opts *opts, OptsForeachFn fn, void *opaque, Error **errp)
{
    for (guint i = 0; i < opts->entries->len; i++) {
        OptEntry *e = g_ptr_array_index(opts->entries, i);
        if (e->used) {
            continue;
        }
        e->used = true;
        if (!fn(e->key, e->value, opaque, errp)) {
            return false;
        }
    }
    return true;
}

bool opts_check_unused(Opts *opts, const char *option, Error **errp)
{
    for (guint i = 0; i < opts->entries->len; i++) {
        OptEntry *e = g_ptr_array_index(opts->entries, i);
        if (!e->used) {
            error_setg(errp, "%s: unknown parameter '%s'", option, e->key);
            return false;
        }
    }
    return true;
}

char *opts_to_string(Opts *opts)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < opts->entries->len; i++) {
        OptEntry *e = g_ptr_array_index(opts->entries, i);
        if (i) {
            g_string_append_c(s, ',');
        }
        g_string_append_printf(s, "%s=", e->key);
        for (const char *c = e->value; *c; c++) {
            if (*c == ',') {
                g_string_append_c(s, ',');
            }
            g_string_append_c(s, *c);
        }
    }
    return g_string_free(s, FALSE);
}
