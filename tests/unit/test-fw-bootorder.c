/*
 * The bootindex list behind fw_cfg's "bootorder" file (hw/nvram/fw-bootorder.c):
 * entries sorted by index whatever the registration order, QEMU's OpenFirmware
 * paths for PCI functions ("/pci@i0cf8/NAME@SLOT[,FN]", NAME from the class
 * code: 0x0101 is "ide", 0x0200 "ethernet"), "HALT" for -boot strict=on, the
 * NUL counted in the size, duplicates refused, removal on unplug.
 */
#include "hw/nvram/fw-bootorder.h"
#include "hw/acpi/piix4-pm.h"

/* An unrealized PCI function at @devfn whose class code says @class_id. */
static DeviceState *fake_pci(int devfn, uint16_t class_id)
{
    PCIDevice *pd = PCI_DEVICE(object_new(TYPE_PIIX4_PM));
    pd->devfn = devfn;
    pd->config[PCI_CLASS_DEVICE] = class_id & 0xff;
    pd->config[PCI_CLASS_DEVICE + 1] = class_id >> 8;
    pd->config[PCI_VENDOR_ID] = 0xf4;
    pd->config[PCI_VENDOR_ID + 1] = 0x1a;
    pd->config[PCI_DEVICE_ID] = 0x01;
    pd->config[PCI_DEVICE_ID + 1] = 0x10;
    return DEVICE(pd);
}

static void test_order(void)
{
    DeviceState *ide = fake_pci(PCI_DEVFN(1, 1), 0x0101);
    DeviceState *nic = fake_pci(PCI_DEVFN(3, 0), 0x0200);
    DeviceState *other = fake_pci(PCI_DEVFN(4, 0), 0x0780);
    Error *err = NULL;
    size_t len;

    g_assert_null(get_boot_devices_list(true, &len));
    g_assert_cmpuint(len, ==, 0);
    g_assert_true(fw_cfg_add_bootindex(nic, 2, NULL, &error_abort));
    g_assert_true(fw_cfg_add_bootindex(ide, 1, "/drive@1/disk@0", &error_abort));
    g_assert_true(fw_cfg_add_bootindex(ide, 0, "/drive@0/disk@0", &error_abort));
    g_assert_true(fw_cfg_add_bootindex(other, -1, NULL, &error_abort));   /* none */
    g_assert_true(fw_cfg_add_bootindex(other, 7, NULL, &error_abort));

    g_autofree char *list = get_boot_devices_list(false, &len);
    const char *want = "/pci@i0cf8/ide@1,1/drive@0/disk@0\n"
                       "/pci@i0cf8/ide@1,1/drive@1/disk@0\n"
                       "/pci@i0cf8/ethernet@3\n"
                       "/pci@i0cf8/pci1af4,1001@4\n";
    g_assert_cmpstr(list, ==, want);
    g_assert_cmpuint(len, ==, strlen(want) + 1);

    g_autofree char *strict = get_boot_devices_list(true, &len);
    g_autofree char *want_strict = g_strconcat(want, "HALT\n", NULL);
    g_assert_cmpstr(strict, ==, want_strict);

    /* Index 2 is the NIC's. */
    g_assert_false(fw_cfg_add_bootindex(other, 2, NULL, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "/pci@i0cf8/ethernet@3"));
    error_free(err);

    fw_cfg_del_bootindex(ide);
    g_autofree char *left = get_boot_devices_list(false, &len);
    g_assert_cmpstr(left, ==, "/pci@i0cf8/ethernet@3\n/pci@i0cf8/pci1af4,1001@4\n");
    fw_cfg_del_bootindex(nic);
    fw_cfg_del_bootindex(other);
    g_assert_null(get_boot_devices_list(false, &len));
    object_unref(OBJECT(ide));
    object_unref(OBJECT(nic));
    object_unref(OBJECT(other));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fw-bootorder/order", test_order);
    return g_test_run();
}
