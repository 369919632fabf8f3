/* Start-up configuration that devices and machines read (set by system/main.c). */
#ifndef SYSTEM_SYSTEM_H
#define SYSTEM_SYSTEM_H

#include "util/osdep.h"

typedef struct Chardev Chardev;

#define MAX_SERIAL_PORTS 4
#define MAX_PARALLEL_PORTS 3

/* The chardev behind COMn (NULL = not connected). */
Chardev *serial_hd(int i);
void serial_hd_set(int i, Chardev *chr);

extern char *vm_name;
extern bool nographic;
/* The video card to create: -vga MODEL ("std", "none"...), or what main.c
 * derived from the machine's default; NULL = none. */
extern const char *vga_model;

typedef enum {
    RTC_BASE_UTC,
    RTC_BASE_LOCALTIME,
    RTC_BASE_DATETIME,    /* -rtc base=2006-06-17T16:01:21 */
} RtcBaseType;

typedef enum {
    RTC_CLOCK_HOST,       /* follows the host clock */
    RTC_CLOCK_RT,         /* host monotonic */
    RTC_CLOCK_VM,         /* stops with the VM */
} RtcClockType;

typedef struct RtcConfig {
    RtcBaseType base;
    int64_t base_datetime;   /* seconds since the epoch, for RTC_BASE_DATETIME */
    RtcClockType clock;
    bool driftfix_slew;
} RtcConfig;
extern RtcConfig rtc_config;

/* -L directories, then the built-in search path; returns a path or NULL. */
void datadir_add(const char *dir);
char *datadir_find_file(const char *name);

#endif
