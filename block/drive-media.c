/*
 * Removable media: the monitor's eject, change and tray commands (QEMU's
 * eject, blockdev-change-medium, blockdev-open-tray, blockdev-close-tray,
 * blockdev-remove-medium), and the DEVICE_TRAY_MOVED event.
 *
 * The drive (DriveInfo.blk) holds the medium; the device holds the tray and
 * the guest's lock, behind DriveDevOps. The sequence is the one a person does
 * with a real drive: open the tray (the guest may have locked it: then it is
 * only asked to let go), take the disc out, put another in, close the tray.
 */
#include "block/drive.h"
#include "monitor/monitor.h"
#include "monitor/qmp-event.h"

void drive_set_dev_ops(DriveInfo *dinfo, const DriveDevOps *ops, void *opaque)
{
    dinfo->dev_ops = ops;
    dinfo->dev_opaque = opaque;
}

void drive_tray_moved(DriveInfo *dinfo, bool open)
{
    JsonObject *data = json_object_new();
    json_object_set_string_member(data, "device", dinfo->id);
    json_object_set_string_member(data, "id", dinfo->attached_to ? dinfo->attached_to : "");
    json_object_set_boolean_member(data, "tray-open", open);
    qmp_event_emit("DEVICE_TRAY_MOVED", data);
}

/* The drive @name names, with a device that has a tray. */
static DriveInfo *find_tray_drive(const char *name, Error **errp)
{
    DriveInfo *d = drive_get_by_id(name);
    if (!d) {
        error_setg(errp, "Device '%s' not found", name);
        return NULL;
    }
    if (!d->dev_ops) {
        error_setg(errp, "Device '%s' is not removable", name);
        return NULL;
    }
    return d;
}

static bool tray_open(DriveInfo *d)
{
    return d->dev_ops->is_tray_open(d->dev_opaque);
}

bool drive_open_tray(const char *name, bool force, Error **errp)
{
    DriveInfo *d = find_tray_drive(name, errp);
    if (!d) {
        return false;
    }
    if (tray_open(d)) {
        return true;
    }
    if (d->dev_ops->is_medium_locked(d->dev_opaque)) {
        d->dev_ops->eject_request(d->dev_opaque, force);
        if (!force) {
            error_setg(errp, "Device '%s' is locked and force was not specified, "
                       "wait for tray to open and try again", name);
            return false;
        }
    }
    d->dev_ops->change_media(d->dev_opaque, false);
    drive_tray_moved(d, true);
    return true;
}

bool drive_close_tray(const char *name, Error **errp)
{
    DriveInfo *d = find_tray_drive(name, errp);
    if (!d) {
        return false;
    }
    if (!tray_open(d)) {
        return true;
    }
    d->dev_ops->change_media(d->dev_opaque, true);
    drive_tray_moved(d, false);
    return true;
}

bool drive_remove_medium(const char *name, Error **errp)
{
    DriveInfo *d = find_tray_drive(name, errp);
    if (!d) {
        return false;
    }
    if (!tray_open(d)) {
        error_setg(errp, "Tray of device '%s' is not open", name);
        return false;
    }
    if (d->blk) {
        /* In-flight requests finish against the old image (they hold references). */
        blk_drain(d->blk);
        blk_unref(d->blk);
        d->blk = NULL;
        g_clear_pointer(&d->filename, g_free);
    }
    return true;
}

bool drive_insert_medium(const char *name, const char *filename, const char *format,
                         const char *read_only, Error **errp)
{
    DriveInfo *d = find_tray_drive(name, errp);
    if (!d) {
        return false;
    }
    if (!tray_open(d)) {
        error_setg(errp, "Tray of device '%s' is not open", name);
        return false;
    }
    if (d->blk) {
        error_setg(errp, "There already is a medium in device '%s'", name);
        return false;
    }
    bool ro = d->read_only;
    if (read_only && !strcmp(read_only, "read-only")) {
        ro = true;
    } else if (read_only && !strcmp(read_only, "read-write")) {
        if (d->media == MEDIA_CDROM) {
            error_setg(errp, "Device '%s' is a CD-ROM: it cannot be read-write", name);
            return false;
        }
        ro = false;
    } else if (read_only && strcmp(read_only, "retain")) {
        error_setg(errp, "read-only-mode '%s': expected retain, read-only or read-write",
                   read_only);
        return false;
    }
    BlockOpenOptions bo = {
        .filename = filename,
        .format = format,
        .read_only = ro,
        .snapshot = d->snapshot,
        .cache = d->cache,
        .locking = d->locking,
    };
    BlockBackend *blk = blk_new_open(d->id, &bo, errp);
    if (!blk) {
        return false;
    }
    blk_set_on_error(blk, d->on_read_error, d->on_write_error);
    d->blk = blk;
    g_free(d->filename);
    d->filename = g_strdup(filename);
    return true;
}

bool drive_eject(const char *name, bool force, Error **errp)
{
    return drive_open_tray(name, force, errp) && drive_remove_medium(name, errp);
}

bool drive_change_medium(const char *name, const char *filename, const char *format,
                         const char *read_only, Error **errp)
{
    DriveInfo *d = find_tray_drive(name, errp);
    if (!d) {
        return false;
    }
    if (!drive_open_tray(name, false, errp) || !drive_remove_medium(name, errp)) {
        return false;
    }
    if (!drive_insert_medium(name, filename, format, read_only, errp)) {
        return false;
    }
    /* Even a tray the user had opened is closed: change loads the disc (QEMU). */
    return drive_close_tray(name, errp);
}

/* ---- monitor ---- */

static const char *arg_str(JsonObject *args, const char *name)
{
    return args && json_object_has_member(args, name)
           ? json_object_get_string_member(args, name) : NULL;
}

static bool arg_bool(JsonObject *args, const char *name)
{
    return args && json_object_has_member(args, name) &&
           json_object_get_boolean_member(args, name);
}

/* QMP names the drive with "device" (or the newer "id"). */
static const char *arg_device(JsonObject *args, Error **errp)
{
    const char *name = arg_str(args, "device");
    if (!name) {
        name = arg_str(args, "id");
    }
    if (!name) {
        error_setg(errp, "Parameter 'device' is missing");
    }
    return name;
}

static JsonNode *qmp_eject(JsonObject *args, Error **errp)
{
    const char *name = arg_device(args, errp);
    if (name) {
        drive_eject(name, arg_bool(args, "force"), errp);
    }
    return NULL;
}

static JsonNode *qmp_change_medium(JsonObject *args, Error **errp)
{
    const char *name = arg_device(args, errp);
    const char *file = arg_str(args, "filename");
    if (name && !file) {
        error_setg(errp, "Parameter 'filename' is missing");
        return NULL;
    }
    if (name) {
        drive_change_medium(name, file, arg_str(args, "format"),
                            arg_str(args, "read-only-mode"), errp);
    }
    return NULL;
}

static JsonNode *qmp_open_tray(JsonObject *args, Error **errp)
{
    const char *name = arg_device(args, errp);
    if (name) {
        drive_open_tray(name, arg_bool(args, "force"), errp);
    }
    return NULL;
}

static JsonNode *qmp_close_tray(JsonObject *args, Error **errp)
{
    const char *name = arg_device(args, errp);
    if (name) {
        drive_close_tray(name, errp);
    }
    return NULL;
}

static JsonNode *qmp_remove_medium(JsonObject *args, Error **errp)
{
    const char *name = arg_device(args, errp);
    if (name) {
        drive_remove_medium(name, errp);
    }
    return NULL;
}

static void hmp_eject(Monitor *mon, JsonObject *args)
{
    Error *err = NULL;
    drive_eject(arg_str(args, "device"), arg_bool(args, "force"), &err);
    hmp_handle_error(mon, err);
}

/* HMP: change DEVICE FILENAME [FORMAT [READ-ONLY-MODE]]. */
static void hmp_change(Monitor *mon, JsonObject *args)
{
    Error *err = NULL;
    drive_change_medium(arg_str(args, "device"), arg_str(args, "target"),
                        arg_str(args, "arg"), arg_str(args, "read-only-mode"), &err);
    hmp_handle_error(mon, err);
}

static const MonitorCommand media_commands[] = {
    {
        .name = "eject",
        .args_type = "force:-f,device:s,id:s?",
        .params = "[-f] device",
        .help = "eject a removable medium (use -f to force it)",
        .qmp = qmp_eject,
        .hmp = hmp_eject,
    },
    {
        .name = "change",
        .args_type = "device:s,target:s,arg:s?,read-only-mode:s?",
        .params = "device filename [format [read-only-mode]]",
        .help = "change a removable medium",
        .hmp = hmp_change,
    },
    {
        .name = "blockdev-change-medium",
        .args_type = "device:s?,id:s?,filename:s,format:s?,read-only-mode:s?",
        .qmp = qmp_change_medium,
    },
    {
        .name = "blockdev-open-tray",
        .args_type = "device:s?,id:s?,force:b?",
        .qmp = qmp_open_tray,
    },
    {
        .name = "blockdev-close-tray",
        .args_type = "device:s?,id:s?",
        .qmp = qmp_close_tray,
    },
    {
        .name = "blockdev-remove-medium",
        .args_type = "device:s?,id:s?",
        .qmp = qmp_remove_medium,
    },
};

static void __attribute__((constructor)) drive_media_register(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(media_commands); i++) {
        monitor_register_command(&media_commands[i]);
    }
}
