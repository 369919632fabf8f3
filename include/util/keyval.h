/*
 * QEMU-style option strings: "value,key=value,key=value" where ",," is a literal
 * comma and the first bare element is the implied key's value
 * ("e1000,netdev=n0" with implied key "driver").
 */
#ifndef UTIL_KEYVAL_H
#define UTIL_KEYVAL_H

#include "util/osdep.h"
#include "util/error.h"

typedef struct Opts Opts;

Opts *opts_parse(const char *str, const char *implied_key, Error **errp);
Opts *opts_new(void);
void opts_free(Opts *opts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Opts, opts_free)

/* Add or override a key (later values win, as in QEMU). */
void opts_set(Opts *opts, const char *key, const char *value);
bool opts_has(Opts *opts, const char *key);
/* The value of the last @key, or NULL. Marks the key used. */
const char *opts_get(Opts *opts, const char *key);
bool opts_get_bool(Opts *opts, const char *key, bool def, bool *res, Error **errp);
bool opts_get_uint(Opts *opts, const char *key, uint64_t def, uint64_t *res,
                   Error **errp);
bool opts_get_size(Opts *opts, const char *key, uint64_t def, uint64_t default_unit,
                   uint64_t *res, Error **errp);
/* Remove @key; returns its last value (caller frees) or NULL. Marks it used. */
char *opts_take(Opts *opts, const char *key);

/* Iterate in order over keys not yet used (for forwarding to properties). */
typedef bool (*OptsForeachFn)(const char *key, const char *value, void *opaque,
                              Error **errp);
bool opts_foreach_unused(Opts *opts, OptsForeachFn fn, void *opaque, Error **errp);
/* Error "OPTION: unknown parameter 'KEY'" if any key was never used. */
bool opts_check_unused(Opts *opts, const char *option, Error **errp);

/* "key=value,..." again, with commas in values doubled. */
char *opts_to_string(Opts *opts);

#endif
