/*
 * -drive and its shorthands: option parsing with QEMU's rules (index= to
 * bus/unit mapping, default ids, duplicate checks), opening the images, and the
 * DriveInfo registry machines and devices look drives up in.
 */
#include "block/drive.h"
#include "util/keyval.h"
#include "util/cutils.h"

static const char *const if_name[IF_COUNT] = {
    [IF_NONE] = "none",
    [IF_IDE] = "ide",
    [IF_SCSI] = "scsi",
    [IF_FLOPPY] = "floppy",
    [IF_VIRTIO] = "virtio",
};

/* QEMU's index mapping: ABI, do not change (index = bus * max_devs + unit). */
static const int if_max_devs[IF_COUNT] = {
    [IF_IDE] = 2,
    [IF_SCSI] = 7,
};

/*
 * Which interfaces have a device in emu that can claim a drive, and what to
 * call the missing ones. A machine that does not connect a drive of a built
 * interface gets QEMU's "machine type does not support" message.
 */
static const bool if_built[IF_COUNT] = {
    [IF_NONE] = true,
    [IF_IDE] = true,            /* hw/ide/piix-ide.c */
    [IF_VIRTIO] = true,         /* hw/block/virtio-blk.c */
};

static const char *const if_what[IF_COUNT] = {
    [IF_IDE] = "IDE",
    [IF_SCSI] = "SCSI",
    [IF_FLOPPY] = "the floppy controller",
    [IF_VIRTIO] = "virtio-blk",
};

typedef struct DriveDef {
    char *option;      /* "-drive ARG" / "-hda FILE", for messages */
    Opts *opts;
} DriveDef;

static GPtrArray *drive_defs;       /* DriveDef *, command-line order */
static GPtrArray *drives;           /* DriveInfo * */
static bool snapshot_all;

const char *drive_if_name(BlockInterfaceType type)
{
    return if_name[type];
}

int drive_if_max_devs(BlockInterfaceType type)
{
    return if_max_devs[type];
}

static int index_to_bus(BlockInterfaceType type, int index)
{
    return if_max_devs[type] ? index / if_max_devs[type] : 0;
}

static int index_to_unit(BlockInterfaceType type, int index)
{
    return if_max_devs[type] ? index % if_max_devs[type] : index;
}

GPtrArray *drive_list(void)
{
    if (!drives) {
        drives = g_ptr_array_new();
    }
    return drives;
}

DriveInfo *drive_get(BlockInterfaceType type, int bus, int unit)
{
    GPtrArray *l = drive_list();
    for (guint i = 0; i < l->len; i++) {
        DriveInfo *d = g_ptr_array_index(l, i);
        if (d->type == type && d->bus == bus && d->unit == unit) {
            return d;
        }
    }
    return NULL;
}

DriveInfo *drive_get_by_index(BlockInterfaceType type, int index)
{
    return drive_get(type, index_to_bus(type, index), index_to_unit(type, index));
}

DriveInfo *drive_get_by_id(const char *id)
{
    GPtrArray *l = drive_list();
    for (guint i = 0; i < l->len; i++) {
        DriveInfo *d = g_ptr_array_index(l, i);
        if (!strcmp(d->id, id)) {
            return d;
        }
    }
    return NULL;
}

int drive_get_max_bus(BlockInterfaceType type)
{
    int max = -1;
    GPtrArray *l = drive_list();
    for (guint i = 0; i < l->len; i++) {
        DriveInfo *d = g_ptr_array_index(l, i);
        if (d->type == type && d->bus > max) {
            max = d->bus;
        }
    }
    return max;
}

bool drive_claim(DriveInfo *dinfo, const char *dev_path, Error **errp)
{
    if (dinfo->attached_to) {
        error_setg(errp, "drive '%s' is already in use by %s", dinfo->id,
                   dinfo->attached_to);
        return false;
    }
    dinfo->attached_to = g_strdup(dev_path);
    return true;
}

/* ---- the command line ---- */

static bool is_identifier(const char *s)
{
    if (!g_ascii_isalpha(*s)) {
        return false;
    }
    for (s++; *s; s++) {
        if (!g_ascii_isalnum(*s) && !strchr("-._", *s)) {
            return false;
        }
    }
    return true;
}

bool drive_def(const char *option, const char *arg, Error **errp)
{
    Opts *opts;
    if (!strcmp(option, "-drive")) {
        opts = opts_parse(arg, NULL, errp);
        if (!opts) {
            error_prepend(errp, "-drive %s: ", arg);
            return false;
        }
    } else {
        /* -hda FILE etc.: the argument is a file name, commas and all (QEMU's
         * HD_OPTS/CDROM_OPTS: -hdX is index X, -cdrom is index 2). */
        static const char *const legacy[] = { "-hda", "-hdb", "-hdc", "-hdd" };
        int index = -1;
        for (size_t i = 0; i < ARRAY_SIZE(legacy); i++) {
            if (!strcmp(option, legacy[i])) {
                index = i;
            }
        }
        bool cdrom = !strcmp(option, "-cdrom");
        if (index < 0 && !cdrom) {
            error_setg(errp, "%s: not a drive option", option);
            return false;
        }
        opts = opts_new();
        static const char *const digits[] = { "0", "1", "2", "3" };
        opts_set(opts, "index", cdrom ? "2" : digits[index]);
        opts_set(opts, "media", cdrom ? "cdrom" : "disk");
        if (*arg) {
            opts_set(opts, "file", arg);
        }
    }
    DriveDef *d = g_new0(DriveDef, 1);
    d->option = g_strdup_printf("%s %s", option, arg);
    d->opts = opts;
    if (!drive_defs) {
        drive_defs = g_ptr_array_new();
    }
    g_ptr_array_add(drive_defs, d);
    return true;
}

void drive_enable_snapshot(void)
{
    snapshot_all = true;
}

/* An integer option: -1 when absent; @min .. INT_MAX otherwise. */
static bool get_int(Opts *o, const char *key, int min, int *out, Error **errp)
{
    const char *v = opts_get(o, key);
    int64_t n;
    *out = -1;
    if (!v) {
        return true;
    }
    if (!parse_int64(v, &n, NULL) || n < min || n > INT_MAX) {
        error_setg(errp, "parameter '%s' expects a number from %d up, not '%s'", key, min,
                   v);
        return false;
    }
    *out = n;
    return true;
}

static bool get_choice(Opts *o, const char *key, const char *const *choices, int def,
                       int *out, Error **errp)
{
    const char *v = opts_get(o, key);
    *out = def;
    if (!v) {
        return true;
    }
    for (int i = 0; choices[i]; i++) {
        if (!strcmp(v, choices[i])) {
            *out = i;
            return true;
        }
    }
    g_autofree char *list = g_strjoinv(", ", (char **)choices);
    error_setg(errp, "%s=%s: invalid value (%s)", key, v, list);
    return false;
}

/* Parse @o into @d (and @bo for opening). */
static bool drive_parse(Opts *o, BlockInterfaceType default_type, DriveInfo *d,
                        BlockOpenOptions *bo, Error **errp)
{
    static const char *const medias[] = { "disk", "cdrom", NULL };
    static const char *const lockings[] = { "auto", "on", "off", NULL };
    static const char *const discards[] = { "ignore", "off", "unmap", "on", NULL };
    static const char *const aios[] = { "threads", "native", "io_uring", NULL };
    const char *v;
    int bus, unit, index, media, choice;
    bool b;

    v = opts_get(o, "if");
    d->type = default_type;
    if (v) {
        int t;
        for (t = 0; t < IF_COUNT && strcmp(v, if_name[t]); t++) {
        }
        if (t == IF_COUNT) {
            error_setg(errp, "unsupported bus type '%s' (ide, virtio, scsi, floppy, none)",
                       v);
            return false;
        }
        d->type = t;
    }
    if (!get_int(o, "bus", 0, &bus, errp) || !get_int(o, "unit", 0, &unit, errp) ||
        !get_int(o, "index", -1, &index, errp)) {
        return false;
    }
    if (!get_choice(o, "media", medias, MEDIA_DISK, &media, errp)) {
        return false;
    }
    d->media = media;

    v = opts_get(o, "id");
    if (v && !is_identifier(v)) {
        error_setg(errp, "id '%s' is not an identifier (a letter, then letters, digits, "
                   "'-', '.' or '_')", v);
        return false;
    }
    if (v && drive_get_by_id(v)) {
        error_setg(errp, "duplicate drive id '%s'", v);
        return false;
    }
    d->id = g_strdup(v);

    /* Where the drive goes: index= or bus=/unit=, else the first free unit. */
    if (index >= 0) {
        if (bus > 0 || unit >= 0) {      /* QEMU lets bus=0 pass */
            error_setg(errp, "index cannot be used with bus and unit");
            return false;
        }
        bus = index_to_bus(d->type, index);
        unit = index_to_unit(d->type, index);
    }
    if (bus < 0) {
        bus = 0;
    }
    int max_devs = if_max_devs[d->type];
    if (unit < 0) {
        unit = 0;
        while (drive_get(d->type, bus, unit)) {
            unit++;
            if (max_devs && unit >= max_devs) {
                unit -= max_devs;
                bus++;
            }
        }
    }
    if (max_devs && unit >= max_devs) {
        error_setg(errp, "unit %d too big (max is %d)", unit, max_devs - 1);
        return false;
    }
    if (drive_get(d->type, bus, unit)) {
        error_setg(errp, "drive with bus=%d, unit=%d (index=%d) exists", bus, unit, index);
        return false;
    }
    d->bus = bus;
    d->unit = unit;
    if (!d->id) {
        /* QEMU's names: ide0-hd0, ide1-cd0, scsi0-hd3, virtio0, floppy0, none0. */
        const char *m = "";
        if (d->type == IF_IDE || d->type == IF_SCSI) {
            m = d->media == MEDIA_CDROM ? "-cd" : "-hd";
        }
        d->id = max_devs ? g_strdup_printf("%s%d%s%d", if_name[d->type], bus, m, unit)
                         : g_strdup_printf("%s%s%d", if_name[d->type], m, unit);
        if (drive_get_by_id(d->id)) {
            error_setg(errp, "duplicate drive id '%s'", d->id);
            return false;
        }
    }

    /* The image and how to open it. */
    v = opts_get(o, "file");
    d->filename = v && *v ? g_strdup(v) : NULL;
    bo->filename = d->filename;
    bo->format = opts_get(o, "format");
    if (!opts_get_bool(o, "readonly", false, &b, errp)) {
        return false;
    }
    bo->read_only = b;
    if (!opts_get_bool(o, "read-only", bo->read_only, &b, errp)) {
        return false;
    }
    bo->read_only = b || d->media == MEDIA_CDROM;   /* a CD is read-only (QEMU) */
    if (!opts_get_bool(o, "snapshot", false, &b, errp)) {
        return false;
    }
    bo->snapshot = b || snapshot_all;
    v = opts_get(o, "cache");
    if (v && !blk_parse_cache_mode(v, &bo->cache)) {
        error_setg(errp, "cache=%s: invalid cache mode (writeback, none, writethrough, "
                   "directsync, unsafe)", v);
        return false;
    }
    if (!opts_get_bool(o, "cache.direct", bo->cache.direct, &b, errp)) {
        return false;
    }
    bo->cache.direct = b;
    if (!opts_get_bool(o, "cache.no-flush", bo->cache.no_flush, &b, errp)) {
        return false;
    }
    bo->cache.no_flush = b;
    /* QEMU spells it file.locking=; locking= is emu's shorthand. */
    if (!get_choice(o, "file.locking", lockings, BLOCK_LOCKING_AUTO, &choice, errp) ||
        !get_choice(o, "locking", lockings, choice, &choice, errp)) {
        return false;
    }
    bo->locking = choice == 0 ? BLOCK_LOCKING_AUTO
                : choice == 1 ? BLOCK_LOCKING_ON : BLOCK_LOCKING_OFF;

    /* What devices do on errors (QEMU's defaults: werror=enospc, rerror=report). */
    d->on_write_error = BLOCKDEV_ON_ERROR_ENOSPC;
    d->on_read_error = BLOCKDEV_ON_ERROR_REPORT;
    for (int r = 0; r < 2; r++) {
        const char *key = r ? "rerror" : "werror";
        v = opts_get(o, key);
        if (!v) {
            continue;
        }
        if (d->type != IF_IDE && d->type != IF_SCSI && d->type != IF_VIRTIO &&
            d->type != IF_NONE) {
            error_setg(errp, "%s is not supported by this bus type", key);
            return false;
        }
        if (!blockdev_parse_on_error(v, r, r ? &d->on_read_error : &d->on_write_error)) {
            error_setg(errp, "%s=%s: invalid %s error action (report, ignore, stop%s)", key,
                       v, r ? "read" : "write", r ? "" : ", enospc");
            return false;
        }
    }

    /* discard=unmap lets guest discards free space in the image; aio= must be threads. */
    if (!get_choice(o, "discard", discards, 0, &choice, errp)) {
        return false;
    }
    bo->discard = choice >= 2;
    if (!get_choice(o, "aio", aios, 0, &choice, errp)) {
        return false;
    }
    if (choice != 0) {
        error_setg(errp, "aio=%s is not supported yet (emu uses aio=threads)", aios[choice]);
        return false;
    }
    v = opts_get(o, "addr");
    if (v) {
        if (d->type != IF_VIRTIO) {
            error_setg(errp, "addr is not supported by this bus type");
            return false;
        }
        d->devaddr = g_strdup(v);
    }
    /* bootindex=: the device that takes the drive lists it in fw_cfg "bootorder". */
    if (!get_int(o, "bootindex", 0, &d->bootindex, errp)) {
        return false;
    }
    if (d->bootindex >= 0 && d->type != IF_IDE) {
        error_setg(errp, "bootindex is supported with if=ide only (use -device ...,"
                   "bootindex= for the others)");
        return false;
    }
    d->read_only = bo->read_only;
    d->snapshot = bo->snapshot && !bo->read_only;
    return true;
}

static void drive_info_free(DriveInfo *d)
{
    if (!d) {
        return;
    }
    blk_unref(d->blk);
    g_free(d->id);
    g_free(d->option);
    g_free(d->filename);
    g_free(d->devaddr);
    g_free(d->attached_to);
    g_free(d);
}

static DriveInfo *drive_create(const char *option, Opts *o,
                               BlockInterfaceType default_type, Error **errp)
{
    DriveInfo *d = g_new0(DriveInfo, 1);
    BlockOpenOptions bo = { 0 };
    Error *err = NULL;

    d->option = g_strdup(option);
    if (!drive_parse(o, default_type, d, &bo, &err) ||
        !opts_check_unused(o, option, &err)) {
        goto fail;
    }
    if (d->filename) {
        d->blk = blk_new_open(d->id, &bo, &err);
        if (!d->blk) {
            goto fail;
        }
        blk_set_on_error(d->blk, d->on_read_error, d->on_write_error);
    }
    d->cache = bo.cache;
    d->locking = bo.locking;
    g_ptr_array_add(drive_list(), d);
    return d;

fail:
    if (!g_str_has_prefix(error_get_pretty(err), option)) {
        error_prepend(&err, "%s: ", option);
    }
    error_propagate(errp, err);
    drive_info_free(d);
    return NULL;
}

DriveInfo *drive_new(const char *option, const char *arg, BlockInterfaceType default_type,
                     Error **errp)
{
    g_autoptr(Opts) o = opts_parse(arg, NULL, errp);
    if (!o) {
        error_prepend(errp, "%s %s: ", option, arg);
        return NULL;
    }
    g_autofree char *desc = g_strdup_printf("%s %s", option, arg);
    return drive_create(desc, o, default_type, errp);
}

/* Drives with an interface (if=ide, ...) that nothing connected, and why. With
 * @only_unbuilt, just those whose interface emu has no device for at all. */
static bool check_orphaned(bool only_unbuilt, Error **errp)
{
    GPtrArray *l = drive_list();
    for (guint i = 0; i < l->len; i++) {
        DriveInfo *d = g_ptr_array_index(l, i);
        if (d->type == IF_NONE || d->attached_to) {
            continue;
        }
        if (!if_built[d->type]) {
            error_setg(errp, "%s: if=%s,bus=%d,unit=%d: %s is not built yet in this "
                       "version of emu", d->option, if_name[d->type], d->bus, d->unit,
                       if_what[d->type]);
            return false;
        }
        if (!only_unbuilt) {
            error_setg(errp, "%s: machine type does not support if=%s,bus=%d,unit=%d",
                       d->option, if_name[d->type], d->bus, d->unit);
            return false;
        }
    }
    return true;
}

bool drive_init_all(BlockInterfaceType default_type, Error **errp)
{
    bool ok = true;
    for (guint i = 0; drive_defs && i < drive_defs->len; i++) {
        DriveDef *def = g_ptr_array_index(drive_defs, i);
        ok = ok && drive_create(def->option, def->opts, default_type, errp);
        opts_free(def->opts);
        g_free(def->option);
        g_free(def);
    }
    if (drive_defs) {
        g_ptr_array_set_size(drive_defs, 0);
    }
    if (!ok) {
        return false;
    }
    /* Every image is open (a missing file or a held lock is reported as
     * such); a drive no device in emu could take is refused before the
     * machine is built. */
    return check_orphaned(true, errp);
}

bool drive_check_orphaned(Error **errp)
{
    return check_orphaned(false, errp);
}

void drive_cleanup_all(void)
{
    blk_drain_all();
    if (drives) {
        for (guint i = drives->len; i-- > 0;) {
            drive_info_free(g_ptr_array_index(drives, i));
        }
        g_ptr_array_set_size(drives, 0);
    }
}
