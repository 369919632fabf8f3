/*
 * Drives: the -drive, -hda..-hdd, -cdrom and -snapshot options, and the registry
 * of DriveInfo that machine code queries to connect disks to controllers.
 *
 * The command line queues drive definitions (drive_def); drive_init_all opens
 * them when the machine is created, so a missing file or a lock conflict is
 * reported before anything runs. The machine (or -device ...,drive=ID) claims
 * the drives it connects; drive_check_orphaned then refuses drives that
 * nothing connected, naming the option that made them.
 */
#ifndef BLOCK_DRIVE_H
#define BLOCK_DRIVE_H

#include "block/block-backend.h"

/* The if= values; the order is QEMU's (IF_NONE is 0 so a machine class that
 * sets nothing has no default interface). */
typedef enum {
    IF_NONE = 0,
    IF_IDE,
    IF_SCSI,
    IF_FLOPPY,
    IF_VIRTIO,
    IF_COUNT
} BlockInterfaceType;

typedef enum {
    MEDIA_DISK,
    MEDIA_CDROM,
} DriveMediaType;

typedef struct DriveInfo {
    char *id;                  /* id= or QEMU's default name ("ide0-hd0") */
    char *option;              /* "-hda disk.img", "-drive file=x,if=none": messages */
    BlockInterfaceType type;
    int bus;
    int unit;
    DriveMediaType media;
    BlockBackend *blk;         /* NULL: no medium (a cdrom without file=) */
    char *filename;            /* file= as given, or NULL */
    bool read_only;
    bool snapshot;
    char *devaddr;             /* addr= (if=virtio: the PCI slot) */
    int bootindex;             /* bootindex= (if=ide), -1: none (hw/nvram/fw-bootorder.h) */
    BlockdevOnError on_read_error, on_write_error;
    char *attached_to;         /* QOM path of the device that claimed it, or NULL */
    BlockCacheMode cache;      /* how a medium inserted later is opened */
    BlockLocking locking;
    /* The device with removable media (drive_set_dev_ops), or NULL. */
    const struct DriveDevOps *dev_ops;
    void *dev_opaque;
} DriveInfo;

/* "ide", "virtio", ... */
const char *drive_if_name(BlockInterfaceType type);
/* Units per bus for index= (IDE: 2, SCSI: 7, others: 0 = one bus). */
int drive_if_max_devs(BlockInterfaceType type);

/*
 * Queue a drive from the command line: @option is "-drive" (then @arg is an
 * option string) or "-hda".."-hdd", "-cdrom" (then @arg is a file name, as in
 * QEMU). Checks the syntax now; everything else is checked by drive_init_all.
 */
bool drive_def(const char *option, const char *arg, Error **errp);
/* -snapshot: every drive gets snapshot=on. */
void drive_enable_snapshot(void);

/*
 * Create and open every queued drive, in command-line order; drives without
 * if= get @default_type (the machine's). The first error is returned,
 * prefixed with the option that made the drive.
 */
bool drive_init_all(BlockInterfaceType default_type, Error **errp);

/* Create one drive now from an option string (as after "-drive"). */
DriveInfo *drive_new(const char *option, const char *arg, BlockInterfaceType default_type,
                     Error **errp);

DriveInfo *drive_get(BlockInterfaceType type, int bus, int unit);
DriveInfo *drive_get_by_index(BlockInterfaceType type, int index);
DriveInfo *drive_get_by_id(const char *id);
/* The highest bus number used by a drive of @type, or -1. */
int drive_get_max_bus(BlockInterfaceType type);
/* Every drive in creation order (do not modify the array). */
GPtrArray *drive_list(void);

/* A device at QOM path @dev_path uses the drive (info block shows it). Fails if
 * another device already did. */
bool drive_claim(DriveInfo *dinfo, const char *dev_path, Error **errp);

/* After the machine and -device are created: fail for a drive with an
 * interface (if=ide, virtio, ...) that no device connected. */
bool drive_check_orphaned(Error **errp);

/* ---- removable media: eject, change, the tray (block/drive-media.c) ---- */

/*
 * What a device with removable media (an ATAPI CD-ROM) tells the monitor, as
 * QEMU's BlockDevOps. The device owns the tray state; the drive owns the medium
 * (DriveInfo.blk, NULL when none).
 */
typedef struct DriveDevOps {
    /*
     * @load false: the tray opens (the medium becomes inaccessible; it may then
     * be removed). @load true: the tray closes on whatever DriveInfo.blk is now
     * (a changed medium: the device reports a media change to the guest).
     */
    void (*change_media)(void *opaque, bool load);
    bool (*is_tray_open)(void *opaque);
    /* The guest locked the medium in (PREVENT ALLOW MEDIUM REMOVAL). */
    bool (*is_medium_locked)(void *opaque);
    /* Ask the guest to release the medium (an eject-request event);
     * @force: unlock the tray too. */
    void (*eject_request)(void *opaque, bool force);
} DriveDevOps;

void drive_set_dev_ops(DriveInfo *dinfo, const DriveDevOps *ops, void *opaque);
/* The device's tray moved (the guest or the monitor): QMP DEVICE_TRAY_MOVED. */
void drive_tray_moved(DriveInfo *dinfo, bool open);

/*
 * The monitor's operations, by drive id or by the QOM path / id of the device.
 * open_tray with a locked tray and !@force sends an eject request and fails
 * ("wait for tray to open and try again"), as QEMU.
 */
bool drive_open_tray(const char *name, bool force, Error **errp);
bool drive_close_tray(const char *name, Error **errp);
bool drive_remove_medium(const char *name, Error **errp);
/* @read_only: "retain", "read-only" or "read-write" (QMP's read-only-mode). */
bool drive_insert_medium(const char *name, const char *filename, const char *format,
                         const char *read_only, Error **errp);
/* eject = open_tray + remove_medium; change = open, remove, insert, close. */
bool drive_eject(const char *name, bool force, Error **errp);
bool drive_change_medium(const char *name, const char *filename, const char *format,
                         const char *read_only, Error **errp);

/* At exit: wait for requests, flush and close every drive (drops the locks). */
void drive_cleanup_all(void);

#endif
