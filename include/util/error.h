/*
 * Error reporting. Functions that can fail for reasons outside emu take an
 * `Error **errp` as their last argument; the caller reports once, near the top.
 *
 *   &error_fatal  report and exit(1)
 *   &error_abort  report and abort() (emu's own invariants only)
 *   NULL          ignore
 */
#ifndef UTIL_ERROR_H
#define UTIL_ERROR_H

#include "util/osdep.h"

typedef struct Error Error;

extern Error *error_fatal;
extern Error *error_abort;

void error_setg_internal(Error **errp, const char *src, int line,
                         const char *fmt, ...) EMU_PRINTF(4, 5);
void error_setg_errno_internal(Error **errp, const char *src, int line,
                               int os_errno, const char *fmt, ...) EMU_PRINTF(5, 6);
#define error_setg(errp, ...) error_setg_internal(errp, __FILE__, __LINE__, __VA_ARGS__)
#define error_setg_errno(errp, err, ...) \
    error_setg_errno_internal(errp, __FILE__, __LINE__, err, __VA_ARGS__)

/* QMP error class (defaults to "GenericError"). */
void error_set_class(Error *err, const char *error_class);
const char *error_get_class(const Error *err);

/* Prefix the message: "prefix: message". */
void error_prepend(Error **errp, const char *fmt, ...) EMU_PRINTF(2, 3);
void error_append_hint(Error **errp, const char *fmt, ...) EMU_PRINTF(2, 3);
const char *error_get_pretty(const Error *err);
const char *error_get_hint(const Error *err);
void error_propagate(Error **dst_errp, Error *local_err);
void error_free(Error *err);
Error *error_copy(const Error *err);

/* Print "emu: message" (plus hint) to stderr and free. */
void error_report_err(Error *err);
void error_report(const char *fmt, ...) EMU_PRINTF(1, 2);
void warn_report(const char *fmt, ...) EMU_PRINTF(1, 2);
void info_report(const char *fmt, ...) EMU_PRINTF(1, 2);

/* Program name used as the message prefix ("emu"). */
void error_set_progname(const char *name);

#endif
