/*
 * -device ide-hd / ide-cd: a drive made with -drive if=none,id=ID put on an
 * IDE channel's bus ("ide.0", "ide.1" of the PIIX3 IDE function), as QEMU's
 * `-device ide-hd,drive=ID,bus=ide.0,unit=0,bootindex=N`. The device only
 * places the drive: the ATA/ATAPI state lives in the channel's IDEState, as
 * for -drive if=ide. Not hot-pluggable.
 */
#include "hw/ide/ide-internal.h"

#define TYPE_IDE_QBUS "IDE"
#define TYPE_IDE_DEVICE "ide-device"

typedef struct IDEQBus {
    BusState parent_obj;
    IDEBus *ide;
} IDEQBus;

typedef struct IDEDevice {
    DeviceState parent_obj;
    char *drive;
    int32_t unit;               /* -1: the first free one */
    int32_t bootindex;
} IDEDevice;

typedef struct IDEDeviceClass {
    DeviceClass parent_class;
    IDEDriveKind kind;
} IDEDeviceClass;

DECLARE_INSTANCE_CHECKER(IDEQBus, IDE_QBUS, TYPE_IDE_QBUS)
DECLARE_OBJ_CHECKERS(IDEDevice, IDEDeviceClass, IDE_DEVICE, TYPE_IDE_DEVICE)

void ide_bus_new_qbus(IDEBus *bus, const char *name)
{
    IDE_QBUS(qbus_new(TYPE_IDE_QBUS, bus->dev, name))->ide = bus;
}

static void ide_device_realize(DeviceState *dev, Error **errp)
{
    IDEDevice *d = IDE_DEVICE(dev);
    IDEBus *bus = IDE_QBUS(dev->parent_bus)->ide;
    int unit = d->unit;

    if (!d->drive) {
        error_setg(errp, "drive= is required (a -drive if=none,id=ID)");
        return;
    }
    DriveInfo *dinfo = drive_get_by_id(d->drive);
    if (!dinfo) {
        error_setg(errp, "drive '%s' not found", d->drive);
        return;
    }
    if (dinfo->type != IF_NONE) {
        error_setg(errp, "drive '%s' is not if=none: its interface attaches it already",
                   d->drive);
        return;
    }
    if (unit < 0) {
        unit = bus->ifs[0].kind == IDE_NONE ? 0 : 1;
    }
    if (unit > 1) {
        error_setg(errp, "unit=%d: an IDE channel has units 0 and 1", unit);
        return;
    }
    if (bus->ifs[unit].kind != IDE_NONE) {
        error_setg(errp, "unit %d of %s is in use", unit, dev->parent_bus->name);
        return;
    }
    g_autofree char *path = object_get_canonical_path(OBJECT(dev));
    ide_attach_drive(bus, unit, dinfo, IDE_DEVICE_GET_CLASS(dev)->kind, d->bootindex,
                     path, errp);
}

static const Property ide_device_props[] = {
    DEFINE_PROP_STRING("drive", IDEDevice, drive),
    DEFINE_PROP_INT32("unit", IDEDevice, unit, -1),
    DEFINE_PROP_INT32("bootindex", IDEDevice, bootindex, -1),
    DEFINE_PROP_END_OF_LIST(),
};

static void ide_qbus_class_init(ObjectClass *oc, void *data)
{
    BUS_CLASS(oc)->max_dev = 2;
}

static void ide_device_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->bus_type = TYPE_IDE_QBUS;
    dc->realize = ide_device_realize;
    dc->category = DEVICE_CATEGORY_STORAGE;
    object_class_add_static_props(oc, ide_device_props);
}

static void ide_hd_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->desc = "virtual IDE disk";
    dc->user_creatable = true;
    IDE_DEVICE_CLASS(oc)->kind = IDE_HD;
}

static void ide_cd_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->desc = "virtual IDE CD-ROM";
    dc->user_creatable = true;
    IDE_DEVICE_CLASS(oc)->kind = IDE_CD;
}

static const TypeInfo ide_dev_types[] = {
    {
        .name = TYPE_IDE_QBUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(IDEQBus),
        .class_init = ide_qbus_class_init,
    },
    {
        .name = TYPE_IDE_DEVICE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(IDEDevice),
        .class_size = sizeof(IDEDeviceClass),
        .class_init = ide_device_class_init,
        .abstract = true,
    },
    {
        .name = "ide-hd",
        .parent = TYPE_IDE_DEVICE,
        .class_init = ide_hd_class_init,
    },
    {
        .name = "ide-cd",
        .parent = TYPE_IDE_DEVICE,
        .class_init = ide_cd_class_init,
    },
};
DEFINE_TYPES(ide_dev_types)
