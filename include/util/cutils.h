/* Strict string-to-number parsing for CLI options and properties. */
#ifndef UTIL_CUTILS_H
#define UTIL_CUTILS_H

#include "util/osdep.h"
#include "util/error.h"

/*
 * A size: decimal or 0x hex, optionally fractional ("1.5G"), with an optional
 * suffix B, K, M, G, T, P, E (binary multiples, either case). Without a suffix the
 * number is multiplied by @default_unit (1 for bytes, 1 MiB for -m).
 */
bool parse_size(const char *str, uint64_t default_unit, uint64_t *res, Error **errp);
/* on/off, yes/no, true/false, y/n. */
bool parse_bool(const char *str, bool *res, Error **errp);
/* Whole string must be a number (base 10, or 0x hex, or 0 octal). */
bool parse_int64(const char *str, int64_t *res, Error **errp);
bool parse_uint64(const char *str, uint64_t *res, Error **errp);

#endif
