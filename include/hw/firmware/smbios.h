/*
 * SMBIOS tables for the firmware, built as QEMU builds them for SeaBIOS: the
 * structures go to fw_cfg "etc/smbios/smbios-tables" and a 2.1-style 32-bit
 * entry point (SMBIOS 2.8, DSP0134 §5.2.1) to "etc/smbios/smbios-anchor";
 * SeaBIOS copies the structures into RAM, writes their address into the entry
 * point and fixes its checksums.
 *
 * Structures (DSP0134 3.x numbering of fields, 2.8 layouts), handles as QEMU:
 *   type 0 BIOS information         0x0000
 *   type 1 system information       0x0100
 *   type 3 system enclosure         0x0300
 *   type 4 processor, one per CPU   0x0400 + n
 *   type 16 physical memory array   0x1000
 *   type 17 memory device per 16 GiB 0x1100 + n
 *   type 19 memory array mapped address, one per RAM range 0x1300 + n
 *   type 32 system boot information 0x2000
 *   type 127 end of table           0x7f00
 */
#ifndef HW_FIRMWARE_SMBIOS_H
#define HW_FIRMWARE_SMBIOS_H

#include "util/osdep.h"
#include "util/error.h"

#define SMBIOS_ANCHOR_LEN 0x1f       /* the 32-bit entry point */

typedef struct SmbiosMachineInfo {
    const char *manufacturer;     /* type 1/3 default, "emu" */
    const char *product;          /* type 1 product default: the machine's desc */
    const char *version;          /* type 1/3 version default: the machine's name */
    uint64_t below_4g_mem_size;   /* RAM at 0 */
    uint64_t above_4g_mem_size;   /* RAM at 4 GiB */
    unsigned cpus;
} SmbiosMachineInfo;

/* -smbios type=0|1|3,FIELD=VALUE... (QEMU's keys); false with @errp if bad. */
bool smbios_entry_add(const char *arg, Error **errp);
/* -uuid: the type 1 UUID (also settable with -smbios type=1,uuid=). */
bool smbios_set_uuid(const char *uuid, Error **errp);
/* Build the structures and the entry point (both g_malloc'ed). */
void smbios_build(const SmbiosMachineInfo *mi, uint8_t **tables, size_t *tables_len,
                  uint8_t **anchor, size_t *anchor_len);
/* Forget -smbios/-uuid settings (tests). */
void smbios_reset_config(void);

#endif
