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
    BlockdevOnError on_read_error, on_write_error;
    char *attached_to;         /* QOM path of the device that claimed it, or NULL */
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

/* At exit: wait for requests, flush and close every drive (drops the locks). */
void drive_cleanup_all(void);

#endif
