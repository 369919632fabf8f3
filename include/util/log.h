/*
 * Debug logging selected with -d ITEM[,ITEM] and sent to stderr or the -D file.
 * Items mirror QEMU's names so existing habits carry over.
 */
#ifndef UTIL_LOG_H
#define UTIL_LOG_H

#include "util/osdep.h"
#include "util/error.h"

enum {
    LOG_UNIMP        = 1 << 0,  /* accesses to nothing, unimplemented features */
    LOG_GUEST_ERROR  = 1 << 1,  /* the guest did something hardware would refuse */
    LOG_BOOT         = 1 << 2,  /* what firmware/boot protocol/accel was picked, and why */
    LOG_INT          = 1 << 3,  /* interrupts and exceptions */
    LOG_IN_ASM       = 1 << 4,
    LOG_OUT_ASM      = 1 << 5,
    LOG_OP           = 1 << 6,
    LOG_OP_OPT       = 1 << 7,
    LOG_EXEC         = 1 << 8,
    LOG_CPU          = 1 << 9,
    LOG_PCALL        = 1 << 10,
    LOG_RESET        = 1 << 11,
    LOG_MMU          = 1 << 12,
    LOG_TRACE        = 1 << 13,
};

extern int emu_loglevel;

static inline bool emu_log_enabled(int mask)
{
    return (emu_loglevel & mask) != 0;
}

void emu_log(const char *fmt, ...) EMU_PRINTF(1, 2);
#define emu_log_mask(mask, ...) \
    do { if (emu_log_enabled(mask)) { emu_log(__VA_ARGS__); } } while (0)

/* Parse "unimp,guest_errors" into a mask; "help" lists the items. */
bool emu_log_parse_items(const char *str, int *mask, Error **errp);
void emu_log_print_help(FILE *f);
void emu_log_set_mask(int mask);
bool emu_log_set_file(const char *path, Error **errp);
FILE *emu_log_file(void);

#endif
