/* Arithmetic helpers GLib lacks. */
#ifndef UTIL_HOST_UTILS_H
#define UTIL_HOST_UTILS_H

#include "util/osdep.h"

/* a * b / c with a 128-bit intermediate (for clock/tick conversions); saturates at
 * UINT64_MAX instead of wrapping. @c must not be 0. */
static inline uint64_t muldiv64(uint64_t a, uint64_t b, uint64_t c)
{
    unsigned __int128 q = (unsigned __int128)a * b / c;
    return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

/* The same, rounded up. */
static inline uint64_t muldiv64_round_up(uint64_t a, uint64_t b, uint64_t c)
{
    unsigned __int128 q = ((unsigned __int128)a * b + c - 1) / c;
    return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

#endif
