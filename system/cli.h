/* Parsers for the structured command-line options (-m, -smp, -boot, -rtc, -name). */
#ifndef SYSTEM_CLI_H
#define SYSTEM_CLI_H

#include "util/osdep.h"
#include "util/error.h"
#include "hw/core/machine.h"

typedef struct MemoryConfig {
    bool given;
    uint64_t size;
    uint64_t maxmem;
    uint32_t slots;
} MemoryConfig;

typedef struct BootConfig {
    char *order;
    char *once;
    bool menu;
    bool strict;
    int64_t splash_time;
    int64_t reboot_timeout;
} BootConfig;

bool cli_parse_memory(const char *arg, MemoryConfig *mem, Error **errp);
/* Fills @topo from "-smp" text and checks it against the machine's limits. */
bool cli_parse_smp(const char *arg, CpuTopology *topo, Error **errp);
bool cli_check_smp(const CpuTopology *topo, MachineClass *mc, Error **errp);
bool cli_parse_boot(const char *arg, BootConfig *boot, Error **errp);
bool cli_parse_rtc(const char *arg, Error **errp);
bool cli_parse_name(const char *arg, Error **errp);

#endif
