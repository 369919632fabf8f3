/* Error objects and reporting to stderr. */
#include "util/error.h"

struct Error {
    char *msg;
    GString *hint;
    const char *error_class;
    const char *src;
    int line;
};

Error *error_fatal;
Error *error_abort;
static const char *progname = "emu";

void error_set_progname(const char *name)
{
    progname = name;
}

static void error_handle_special(Error **errp, Error *err)
{
    if (errp == &error_abort) {
        fprintf(stderr, "Unexpected error in %s:%d:\n", err->src, err->line);
        error_report_err(err);
        abort();
    }
    if (errp == &error_fatal) {
        error_report_err(err);
        exit(1);
    }
}

static void error_setv(Error **errp, const char *src, int line,
                       const char *fmt, va_list ap, const char *suffix)
{
    if (!errp) {
        return;
    }
    /* Setting an error twice is emu's own bug: keep the first. */
    if (*errp && errp != &error_fatal && errp != &error_abort) {
        return;
    }
    Error *err = g_new0(Error, 1);
    char *m = g_strdup_vprintf(fmt, ap);
    err->msg = suffix ? g_strdup_printf("%s: %s", m, suffix) : g_strdup(m);
    g_free(m);
    err->error_class = "GenericError";
    err->src = src;
    err->line = line;
    error_handle_special(errp, err);
    *errp = err;
}

void error_setg_internal(Error **errp, const char *src, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(errp, src, line, fmt, ap, NULL);
    va_end(ap);
}

void error_setg_errno_internal(Error **errp, const char *src, int line,
                               int os_errno, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(errp, src, line, fmt, ap, os_errno ? g_strerror(os_errno) : NULL);
    va_end(ap);
}

void error_set_class(Error *err, const char *error_class)
{
    err->error_class = error_class;
}

const char *error_get_class(const Error *err)
{
    return err->error_class;
}

void error_prepend(Error **errp, const char *fmt, ...)
{
    if (!errp || !*errp || errp == &error_fatal || errp == &error_abort) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *p = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    char *n = g_strconcat(p, (*errp)->msg, NULL);
    g_free(p);
    g_free((*errp)->msg);
    (*errp)->msg = n;
}

void error_append_hint(Error **errp, const char *fmt, ...)
{
    if (!errp || !*errp || errp == &error_fatal || errp == &error_abort) {
        return;
    }
    Error *err = *errp;
    if (!err->hint) {
        err->hint = g_string_new(NULL);
    }
    va_list ap;
    va_start(ap, fmt);
    g_string_append_vprintf(err->hint, fmt, ap);
    va_end(ap);
}

const char *error_get_pretty(const Error *err)
{
    return err->msg;
}

const char *error_get_hint(const Error *err)
{
    return err->hint ? err->hint->str : NULL;
}

void error_propagate(Error **dst_errp, Error *local_err)
{
    if (!local_err) {
        return;
    }
    error_handle_special(dst_errp, local_err);
    if (dst_errp && !*dst_errp) {
        *dst_errp = local_err;
    } else {
        error_free(local_err);
    }
}

Error *error_copy(const Error *err)
{
    Error *c = g_new0(Error, 1);
    c->msg = g_strdup(err->msg);
    c->hint = err->hint ? g_string_new(err->hint->str) : NULL;
    c->error_class = err->error_class;
    c->src = err->src;
    c->line = err->line;
    return c;
}

void error_free(Error *err)
{
    if (err) {
        g_free(err->msg);
        if (err->hint) {
            g_string_free(err->hint, TRUE);
        }
        g_free(err);
    }
}

void error_report_err(Error *err)
{
    fprintf(stderr, "%s: %s\n", progname, err->msg);
    if (err->hint) {
        fputs(err->hint->str, stderr);
    }
    error_free(err);
}

static void vreport(const char *kind, const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: %s", progname, kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void error_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("warning: ", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("info: ", fmt, ap);
    va_end(ap);
}
