/*
 * Chardev core: the base type, creation from -chardev options and from the
 * legacy specs of -serial/-monitor/-qmp, the /chardevs registry, and the
 * backend-to-frontend delivery helpers.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <poll.h>
#include "chardev/char-internal.h"

static Object *chardevs_root(void)
{
    return container_get(object_get_root(), "/chardevs");
}

void chr_add_to_tree(Chardev *chr)
{
    object_property_add_child(chardevs_root(), chr->label, OBJECT(chr));
    object_unref(chr);
}

Chardev *qemu_chr_find(const char *id)
{
    Object *obj = object_resolve_path_component(chardevs_root(), id);

    return obj ? (Chardev *)object_dynamic_cast(obj, TYPE_CHARDEV) : NULL;
}

bool qemu_chr_is_mux(Chardev *chr)
{
    return chr && object_dynamic_cast(OBJECT(chr), TYPE_CHARDEV_MUX);
}

typedef struct {
    void (*fn)(Chardev *chr, void *opaque);
    void *opaque;
} ForeachData;

static int foreach_child(Object *child, void *opaque)
{
    ForeachData *d = opaque;
    Chardev *chr = (Chardev *)object_dynamic_cast(child, TYPE_CHARDEV);

    if (chr) {
        d->fn(chr, d->opaque);
    }
    return 0;
}

void qemu_chr_foreach(void (*fn)(Chardev *chr, void *opaque), void *opaque)
{
    ForeachData d = { fn, opaque };

    object_child_foreach(chardevs_root(), foreach_child, &d);
}

/* ---- backend -> frontend ---- */

int qemu_chr_be_can_write(Chardev *s)
{
    CharBackend *be = s->be;

    if (qemu_chr_is_mux(s)) {
        return mux_chr_can_read(s);
    }
    if (!be || !be->chr_can_read) {
        return 0;
    }
    return be->chr_can_read(be->opaque);
}

void qemu_chr_be_write(Chardev *s, const uint8_t *buf, int len)
{
    CharBackend *be = s->be;

    if (qemu_chr_is_mux(s)) {
        mux_chr_read(s, buf, len);
    } else if (be && be->chr_read && len > 0) {
        be->chr_read(be->opaque, buf, len);
    }
}

void qemu_chr_be_event(Chardev *s, ChrEvent event)
{
    CharBackend *be = s->be;

    if (qemu_chr_is_mux(s)) {
        mux_chr_event(s, event);
        return;
    }
    if (event == CHR_EVENT_OPENED) {
        s->be_open = true;
    } else if (event == CHR_EVENT_CLOSED) {
        s->be_open = false;
    }
    if (be && be->chr_event) {
        be->chr_event(be->opaque, event);
    }
}

/* ---- writing to the host side ---- */

static void chr_log(Chardev *s, const uint8_t *buf, int len)
{
    while (len > 0) {
        ssize_t n = write(s->logfd, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;     /* a broken log must not break the guest's console */
        }
        buf += n;
        len -= n;
    }
}

static void chr_wait_writable(Chardev *s)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(s);
    int fd = cc->chr_out_fd ? cc->chr_out_fd(s) : -1;

    if (fd >= 0) {
        struct pollfd pfd = { .fd = fd, .events = POLLOUT };
        poll(&pfd, 1, 100);
    } else {
        g_usleep(1000);
    }
}

int qemu_chr_write(Chardev *s, const uint8_t *buf, int len, bool write_all)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(s);
    int done = 0;

    while (done < len) {
        int n = cc->chr_write(s, buf + done, len - done);
        if (n < 0) {
            return done ? done : -1;
        }
        if (n > 0 && s->logfd >= 0) {
            chr_log(s, buf + done, n);
        }
        done += n;
        if (!write_all) {
            break;
        }
        if (n == 0) {
            chr_wait_writable(s);
        }
    }
    return done;
}

/* ---- the base type ---- */

static void chardev_init(Object *obj)
{
    Chardev *chr = CHARDEV(obj);

    chr->logfd = -1;
}

static void chardev_finalize(Object *obj)
{
    Chardev *chr = CHARDEV(obj);

    /* The frontend may outlive us (QEMU does the same): leave it detached. */
    if (chr->be && chr->be->chr == chr) {
        chr->be->chr = NULL;
    }
    if (chr->logfd >= 0) {
        close(chr->logfd);
    }
    g_free(chr->label);
    g_free(chr->filename);
}

static const TypeInfo char_types[] = {
    {
        .name = TYPE_CHARDEV,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Chardev),
        .instance_init = chardev_init,
        .instance_finalize = chardev_finalize,
        .abstract = true,
        .class_size = sizeof(ChardevClass),
    },
};
DEFINE_TYPES(char_types)

/* ---- creation ---- */

/* Ids become QOM child names and appear in paths: keep them plain, as QEMU. */
static bool id_wellformed(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

static ChardevClass *chr_backend_class(const char *backend)
{
    g_autofree char *typename = g_strdup_printf("chardev-%s", backend);
    ObjectClass *oc = object_class_by_name(typename);
    ChardevClass *cc;

    if (!oc || !object_class_dynamic_cast(oc, TYPE_CHARDEV) ||
        object_class_is_abstract(oc)) {
        return NULL;
    }
    cc = CHARDEV_CLASS(oc);
    return cc->internal ? NULL : cc;
}

static bool chr_open_log(Chardev *chr, Opts *opts, Error **errp)
{
    const char *logfile = opts_get(opts, "logfile");
    bool append;

    if (!opts_get_bool(opts, "logappend", false, &append, errp)) {
        return false;
    }
    if (!logfile) {
        return true;
    }
    chr->logfd = open(logfile, O_WRONLY | O_CREAT | O_CLOEXEC |
                      (append ? O_APPEND : O_TRUNC), 0666);
    if (chr->logfd < 0) {
        error_setg_errno(errp, errno, "cannot open logfile '%s'", logfile);
        return false;
    }
    return true;
}

typedef struct {
    ChardevClass *cc;
    const char *what;
} KeyCheck;

static bool check_key(const char *key, const char *value, void *opaque, Error **errp)
{
    KeyCheck *k = opaque;

    if (k->cc->opts_keys && g_strv_contains((const char *const *)k->cc->opts_keys, key)) {
        return true;
    }
    error_setg(errp, "%s: unknown parameter '%s'", k->what, key);
    return false;
}

/* @what names the option in messages: "-chardev" or "'unix:/tmp/s,server'". */
static Chardev *chr_new_common(Opts *opts, const char *what, Error **errp)
{
    const char *backend = opts_get(opts, "backend");
    const char *id = opts_get(opts, "id");
    g_autofree char *base_id = NULL;
    ChardevClass *cc;
    Chardev *chr;
    bool mux;
    Error *err = NULL;

    if (!backend || !*backend) {
        error_setg(errp, "%s: no backend type given (try -chardev help)", what);
        return NULL;
    }
    cc = chr_backend_class(backend);
    if (!cc) {
        error_setg(errp, "%s: '%s' is not a valid chardev backend (try -chardev help)",
                   what, backend);
        return NULL;
    }
    if (!id || !*id) {
        error_setg(errp, "%s: parameter 'id' is required", what);
        return NULL;
    }
    if (!id_wellformed(id)) {
        error_setg(errp, "%s: id '%s' is invalid: use letters, digits, '-', '.' and '_', "
                   "starting with a letter", what, id);
        return NULL;
    }
    if (!opts_get_bool(opts, "mux", false, &mux, &err)) {
        error_propagate(errp, err);
        error_prepend(errp, "%s: ", what);
        return NULL;
    }
    base_id = mux ? g_strdup_printf("%s-base", id) : g_strdup(id);
    if (qemu_chr_find(id) || (mux && qemu_chr_find(base_id))) {
        error_setg(errp, "%s: a chardev with id '%s' already exists", what,
                   qemu_chr_find(id) ? id : base_id);
        return NULL;
    }

    chr = CHARDEV(object_new(object_class_get_name(OBJECT_CLASS(cc))));
    chr->label = g_strdup(base_id);
    if (!chr_open_log(chr, opts, &err)) {
        error_propagate(errp, err);
        error_prepend(errp, "%s: ", what);
        object_unref(chr);
        return NULL;
    }
    /* Marks the backend's keys used; open() still reads them with opts_get. */
    KeyCheck kc = { cc, what };
    if (!opts_foreach_unused(opts, check_key, &kc, errp)) {
        object_unref(chr);
        return NULL;
    }
    if (!cc->open(chr, opts, &err)) {
        error_propagate(errp, err);
        error_prepend(errp, "%s: ", what);
        object_unref(chr);
        return NULL;
    }
    if (!opts_check_unused(opts, what, errp)) {
        object_unref(chr);
        return NULL;
    }
    chr_add_to_tree(chr);

    if (mux) {
        Chardev *m = mux_chr_new(id, chr, errp);
        if (!m) {
            object_unparent(OBJECT(chr));
        }
        return m;
    }
    return chr;
}

Chardev *qemu_chr_new_from_opts(Opts *opts, Error **errp)
{
    return chr_new_common(opts, "-chardev", errp);
}

/*
 * Legacy "unix:PATH,opts" / "tcp:HOST:PORT,opts": the part after the prefix is
 * an option string whose first element is the path (or port).
 */
static Opts *legacy_parse_rest(const char *spec, const char *rest,
                               const char *implied, Error **errp)
{
    Error *err = NULL;
    Opts *opts = opts_parse(rest, implied, &err);

    if (!opts) {
        error_setg(errp, "'%s': %s", spec, error_get_pretty(err));
        error_free(err);
    }
    return opts;
}

static Opts *legacy_parse_tcp(const char *spec, const char *p, Error **errp)
{
    g_autofree char *host = NULL;
    const char *colon;
    Opts *opts;

    if (*p == '[') {
        const char *end = strchr(p, ']');
        if (!end || end[1] != ':') {
            error_setg(errp, "'%s': bad address, expected tcp:[IPV6]:PORT", spec);
            return NULL;
        }
        host = g_strndup(p + 1, end - p - 1);
        colon = end + 1;
    } else {
        colon = strchr(p, ':');
        const char *comma = strchr(p, ',');
        if (!colon || (comma && comma < colon)) {
            error_setg(errp, "'%s': no port given, expected tcp:[HOST]:PORT", spec);
            return NULL;
        }
        host = g_strndup(p, colon - p);
    }
    if (!colon[1] || colon[1] == ',') {
        error_setg(errp, "'%s': no port given, expected tcp:[HOST]:PORT", spec);
        return NULL;
    }
    opts = legacy_parse_rest(spec, colon + 1, "port", errp);
    if (opts) {
        opts_set(opts, "host", host);
    }
    return opts;
}

static Opts *legacy_parse(const char *label, const char *spec, Error **errp)
{
    const char *p = spec;
    Opts *opts = NULL;
    bool mon = false;

    if (g_str_has_prefix(p, "mon:")) {
        p += 4;
        mon = true;
    }
    if (!strcmp(p, "null") || !strcmp(p, "stdio") || !strcmp(p, "pty")) {
        opts = opts_new();
        opts_set(opts, "backend", p);
    } else if (g_str_has_prefix(p, "file:") || g_str_has_prefix(p, "pipe:")) {
        const char *path = strchr(p, ':') + 1;
        if (!*path) {
            error_setg(errp, "'%s': no path given, expected %.4s:PATH", spec, p);
            return NULL;
        }
        opts = opts_new();
        opts_set(opts, "backend", g_str_has_prefix(p, "file:") ? "file" : "pipe");
        opts_set(opts, "path", path);
    } else if (g_str_has_prefix(p, "unix:")) {
        if (!p[5] || p[5] == ',') {
            error_setg(errp, "'%s': no socket path given, expected unix:PATH", spec);
            return NULL;
        }
        opts = legacy_parse_rest(spec, p + 5, "path", errp);
        if (opts) {
            opts_set(opts, "backend", "socket");
        }
    } else if (g_str_has_prefix(p, "tcp:")) {
        opts = legacy_parse_tcp(spec, p + 4, errp);
        if (opts) {
            opts_set(opts, "backend", "socket");
        }
    } else if (g_str_has_prefix(p, "telnet:") || g_str_has_prefix(p, "websocket:")) {
        error_setg(errp, "'%s': telnet and websocket chardevs are not supported yet "
                   "(use tcp:HOST:PORT)", spec);
        return NULL;
    } else if (g_str_has_prefix(p, "udp:")) {
        error_setg(errp, "'%s': udp chardevs are not supported yet "
                   "(use tcp: or unix:)", spec);
        return NULL;
    } else if (!strcmp(p, "vc") || g_str_has_prefix(p, "vc:")) {
        error_setg(errp, "'%s': graphical consoles (vc) are not built yet; "
                   "use -nographic, stdio, pty or a socket", spec);
        return NULL;
    } else if (g_str_has_prefix(p, "/dev/")) {
        error_setg(errp, "'%s': host serial and parallel devices are not supported "
                   "(use pty or a socket)", spec);
        return NULL;
    } else {
        error_setg(errp, "'%s': unknown character device (expected stdio, null, pty, "
                   "file:PATH, pipe:PATH, unix:PATH, tcp:HOST:PORT or chardev:ID)",
                   spec);
        return NULL;
    }
    if (!opts) {
        return NULL;
    }
    opts_set(opts, "id", label);
    if (mon) {
        opts_set(opts, "mux", "on");
        /*
         * The monitor is muxed onto the terminal: hand Ctrl-C to the guest
         * instead of killing emu. QEMU does this for the compat spelling
         * only (what -nographic uses); -chardev has signal= for it.
         */
        if (!strcmp(p, "stdio")) {
            opts_set(opts, "signal", "off");
        }
    }
    return opts;
}

Chardev *qemu_chr_new(const char *label, const char *spec, Error **errp)
{
    g_autofree char *what = NULL;
    g_autoptr(Opts) opts = NULL;

    if (!strcmp(spec, "none")) {
        return NULL;
    }
    if (g_str_has_prefix(spec, "chardev:")) {
        Chardev *chr = qemu_chr_find(spec + 8);
        if (!chr) {
            error_setg(errp, "'%s': no chardev with id '%s'", spec, spec + 8);
        }
        return chr;
    }
    opts = legacy_parse(label, spec, errp);
    if (!opts) {
        return NULL;
    }
    what = g_strdup_printf("'%s'", spec);
    return chr_new_common(opts, what, errp);
}

static void print_backend(ObjectClass *oc, void *opaque)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);
    const char *name = object_class_get_name(oc);

    if (!cc->internal && g_str_has_prefix(name, "chardev-")) {
        fprintf(opaque, "  %s\n", name + strlen("chardev-"));
    }
}

void qemu_chr_print_backends(FILE *f)
{
    fprintf(f, "Available chardev backend types:\n");
    object_class_foreach(print_backend, TYPE_CHARDEV, false, f);
}

static int collect_child(Object *child, void *opaque)
{
    g_ptr_array_add(opaque, child);
    return 0;
}

void qemu_chr_cleanup(void)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new();

    object_child_foreach(chardevs_root(), collect_child, all);
    /* Muxes first, so they let go of their base before it goes away. */
    for (int pass = 0; pass < 2; pass++) {
        for (guint i = 0; i < all->len; i++) {
            Object *obj = g_ptr_array_index(all, i);
            if (obj && (pass == 1 || qemu_chr_is_mux((Chardev *)obj))) {
                object_unparent(obj);
                g_ptr_array_index(all, i) = NULL;
            }
        }
    }
}
