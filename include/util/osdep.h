/* Common includes every emu source starts with. */
#ifndef UTIL_OSDEP_H
#define UTIL_OSDEP_H

#include "config-host.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <inttypes.h>
#include <unistd.h>
#include <glib.h>

#define EMU_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define EMU_NORETURN __attribute__((noreturn))

#ifndef container_of
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

typedef uint64_t hwaddr;
#define HWADDR_PRIx PRIx64

#endif
