/*
 * Boot order for firmware: devices with a "bootindex" register themselves here
 * and the machine publishes the sorted list as fw_cfg's "bootorder" file, one
 * OpenFirmware-style device path per line, as QEMU does for SeaBIOS
 * (docs/specs/fw_cfg.rst; SeaBIOS src/boot.c matches the paths).
 *
 * A device with a bootindex property (int32, -1 = not bootable, the default)
 * calls fw_cfg_add_bootindex() from its realize with @suffix naming the unit
 * behind the function, e.g. the IDE function for the master disk on the
 * primary channel: fw_cfg_add_bootindex(DEVICE(ide), idx, "/drive@0/disk@0",
 * errp) gives "/pci@i0cf8/ide@1,1/drive@0/disk@0". A negative index is ignored;
 * an index another device already holds is an error, as in QEMU.
 */
#ifndef HW_NVRAM_FW_BOOTORDER_H
#define HW_NVRAM_FW_BOOTORDER_H

#include "hw/core/qdev.h"

bool fw_cfg_add_bootindex(DeviceState *dev, int32_t bootindex, const char *suffix,
                          Error **errp);
/* Forget @dev's entries (unrealize / unplug). */
void fw_cfg_del_bootindex(DeviceState *dev);
/* The device's path: "/pci@i0cf8/NAME@SLOT[,FN]" for PCI functions on the root
 * bus (NAME from the class code, as QEMU's pci_dev_fw_name), "/isa/TYPE"
 * otherwise. */
char *fw_dev_path(DeviceState *dev);
/*
 * The "bootorder" file's contents: the paths by rising bootindex, each ending
 * in '\n', then "HALT\n" when @strict (-boot strict=on); NUL-terminated, *len
 * counts the NUL as QEMU's does. Returns NULL (len 0) when there is nothing.
 */
char *get_boot_devices_list(bool strict, size_t *len);

#endif
