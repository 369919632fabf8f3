/*
 * The bootindex list behind fw_cfg's "bootorder" file (see fw-bootorder.h).
 */
#include "hw/nvram/fw-bootorder.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_regs.h"

typedef struct BootEntry {
    int32_t bootindex;
    DeviceState *dev;
    char *suffix;
} BootEntry;

static GList *boot_entries;     /* BootEntry *, by rising bootindex */

/* OpenFirmware names by PCI class, as SeaBIOS and QEMU spell them. */
static const char *pci_fw_name(PCIDevice *pd)
{
    static const struct {
        uint16_t class_id;
        const char *name;
    } names[] = {
        { 0x0100, "scsi" },
        { 0x0101, "ide" },
        { 0x0106, "sata" },
        { 0x0200, "ethernet" },
        { 0x0300, "display" },
        { 0x0c03, "usb" },
    };
    uint16_t class_id = pd->config[PCI_CLASS_DEVICE] | pd->config[PCI_CLASS_DEVICE + 1] << 8;

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if (names[i].class_id == class_id) {
            return names[i].name;
        }
    }
    return NULL;
}

char *fw_dev_path(DeviceState *dev)
{
    PCIDevice *pd = (PCIDevice *)object_dynamic_cast(OBJECT(dev), TYPE_PCI_DEVICE);

    if (pd) {
        const char *name = pci_fw_name(pd);
        g_autofree char *generic = NULL;
        if (!name) {
            /* QEMU's fallback: "pciVVVV,DDDD". */
            generic = g_strdup_printf("pci%02x%02x,%02x%02x", pd->config[PCI_VENDOR_ID + 1],
                                      pd->config[PCI_VENDOR_ID],
                                      pd->config[PCI_DEVICE_ID + 1],
                                      pd->config[PCI_DEVICE_ID]);
            name = generic;
        }
        if (PCI_FUNC(pd->devfn)) {
            return g_strdup_printf("/pci@i0cf8/%s@%x,%x", name, PCI_SLOT(pd->devfn),
                                   PCI_FUNC(pd->devfn));
        }
        return g_strdup_printf("/pci@i0cf8/%s@%x", name, PCI_SLOT(pd->devfn));
    }
    return g_strdup_printf("/isa/%s", object_get_typename(OBJECT(dev)));
}

static gint boot_entry_cmp(gconstpointer a, gconstpointer b)
{
    const BootEntry *x = a, *y = b;
    return x->bootindex < y->bootindex ? -1 : x->bootindex > y->bootindex;
}

bool fw_cfg_add_bootindex(DeviceState *dev, int32_t bootindex, const char *suffix,
                          Error **errp)
{
    if (bootindex < 0) {
        return true;
    }
    for (GList *l = boot_entries; l; l = l->next) {
        BootEntry *e = l->data;
        if (e->bootindex == bootindex) {
            g_autofree char *other = fw_dev_path(e->dev);
            error_setg(errp, "bootindex %d is already used by %s%s", bootindex, other,
                       e->suffix ? e->suffix : "");
            return false;
        }
    }
    BootEntry *e = g_new0(BootEntry, 1);
    e->bootindex = bootindex;
    e->dev = dev;
    e->suffix = g_strdup(suffix);
    boot_entries = g_list_insert_sorted(boot_entries, e, boot_entry_cmp);
    return true;
}

void fw_cfg_del_bootindex(DeviceState *dev)
{
    GList *l = boot_entries;
    while (l) {
        GList *next = l->next;
        BootEntry *e = l->data;
        if (e->dev == dev) {
            g_free(e->suffix);
            g_free(e);
            boot_entries = g_list_delete_link(boot_entries, l);
        }
        l = next;
    }
}

char *get_boot_devices_list(bool strict, size_t *len)
{
    GString *s = g_string_new(NULL);

    for (GList *l = boot_entries; l; l = l->next) {
        BootEntry *e = l->data;
        g_autofree char *path = fw_dev_path(e->dev);
        g_string_append_printf(s, "%s%s\n", path, e->suffix ? e->suffix : "");
    }
    if (strict && s->len) {
        g_string_append(s, "HALT\n");
    }
    if (!s->len) {
        g_string_free(s, true);
        *len = 0;
        return NULL;
    }
    *len = s->len + 1;
    return g_string_free(s, false);
}
