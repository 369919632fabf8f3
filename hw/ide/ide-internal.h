/*
 * IDE channel and drive state shared by the ATA core (ide-core.c), the ATAPI
 * CD-ROM (ide-atapi.c) and the PIIX3 function (piix-ide.c).
 */
#ifndef HW_IDE_IDE_INTERNAL_H
#define HW_IDE_IDE_INTERNAL_H

#include "hw/pci/pci.h"
#include "block/drive.h"
#include "migration/vmstate.h"

/* Status register (ATA/ATAPI-6 §7.15) */
#define IDE_ST_BSY  0x80
#define IDE_ST_DRDY 0x40
#define IDE_ST_DF   0x20
#define IDE_ST_DSC  0x10
#define IDE_ST_DRQ  0x08
#define IDE_ST_ERR  0x01
/* Error register (§7.9) */
#define IDE_ER_UNC  0x40
#define IDE_ER_MC   0x20
#define IDE_ER_IDNF 0x10
#define IDE_ER_ABRT 0x04
/* Device control (§7.8) */
#define IDE_CTL_NIEN 0x02
#define IDE_CTL_SRST 0x04
#define IDE_CTL_HOB  0x80
/* Interrupt reason (sector count register) for PACKET (§8.21) */
#define ATAPI_INT_COD 0x01
#define ATAPI_INT_IO  0x02

/* SFF-8038i bus-master registers */
#define BM_CMD_START  0x01
#define BM_CMD_WRITE  0x08      /* 1: the device writes memory (a read from disk) */
#define BM_ST_ACTIVE  0x01
#define BM_ST_ERROR   0x02
#define BM_ST_INT     0x04
#define BM_ST_DMA_CAP 0x60

#define IDE_BUF_SIZE   (128 * 1024)     /* 256 ATA or 64 ATAPI sectors */
/* Bus-master DMA goes to the image in pieces of up to this (one request each). */
#define IDE_DMA_CHUNK  (1024 * 1024)
#define ATAPI_SECTOR   2048

typedef enum { IDE_NONE, IDE_HD, IDE_CD } IDEDriveKind;

typedef enum {
    IDE_XFER_NONE,
    IDE_XFER_PIO_IN,        /* ATA read: blocks to the host */
    IDE_XFER_PIO_OUT,       /* ATA write: blocks from the host */
    IDE_XFER_IDENT,         /* a buffer to the host, then done */
    IDE_XFER_PACKET,        /* receiving the 12-byte ATAPI packet */
    IDE_XFER_ATAPI_IN,      /* ATAPI data to the host in byte-count pieces */
} IDEXferKind;

typedef enum { DMA_NONE, DMA_BLK_READ, DMA_BLK_WRITE, DMA_BUF_READ } IDEDmaKind;

typedef struct IDEBus IDEBus;

typedef struct IDEState {
    IDEBus *bus;
    int unit;
    IDEDriveKind kind;
    DriveInfo *dinfo;
    BlockBackend *blk;          /* NULL for a CD without medium */
    uint64_t nb_sectors;        /* 512-byte sectors */
    uint32_t cyls, heads, secs; /* default CHS translation */
    char serial[21];

    /* taskfile (written to both drives of the channel) */
    uint8_t feature, error, nsector, sector, lcyl, hcyl, select, status;
    uint8_t hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl;
    uint8_t cmd;
    bool lba48;

    uint16_t mult_sectors;      /* SET MULTIPLE MODE; 0 = disabled */
    uint8_t xfer_mode;          /* SET FEATURES 03h value */
    bool identify_set;

    /* PIO */
    uint8_t xfer;               /* IDEXferKind */
    uint32_t data_ptr, data_end;    /* window in io_buffer the host may access */
    uint32_t buf_end;           /* valid bytes in io_buffer (read-ahead) */
    uint32_t drq_bytes;         /* bytes per DRQ block */
    int64_t sector_num;         /* next 512-byte sector of the transfer */
    uint32_t nsectors_left;     /* sectors not yet transferred from the image */
    uint32_t pio_io_sectors;    /* sectors of the request in flight (write) */

    /* DMA */
    uint8_t dma_kind;           /* IDEDmaKind; pending until the BM engine starts */
    int64_t dma_offset;         /* byte offset in the image */
    uint64_t dma_bytes_left;

    /* ATAPI */
    uint8_t sense_key, asc, ascq;
    bool tray_open, tray_locked, media_changed;
    uint8_t atapi_dma;          /* feature bit 0 of the PACKET command */
    uint8_t packet[12];
    int64_t cd_lba;             /* next 2048-byte sector */
    uint32_t cd_sectors_left;
    uint32_t atapi_left;        /* reply bytes still owed to the host (PIO) */
    uint8_t event_pending;      /* GESN media event code to report */

    /* requests: a completion whose generation differs was cancelled */
    uint32_t gen;
    struct IDEReq *retry_req;   /* failed under werror/rerror=stop: resubmitted on cont */
    bool busy_io;
    uint32_t mapped_in_flight;  /* submitted requests on mapped guest RAM (not migrated) */
    uint64_t io_errors, guest_errors;

    uint8_t io_buffer[IDE_BUF_SIZE];
} IDEState;

struct IDEBus {
    DeviceState *dev;           /* the controller */
    PCIDevice *pci;
    int bus_id;
    IDEState ifs[2];
    uint8_t cur;                /* selected drive */
    uint8_t devctl;
    bool irq_pending;
    qemu_irq *irq;               /* the controller's output line (connected later) */
    MemoryRegion cmd_io, ctl_io;
    /* bus master */
    uint8_t bm_cmd, bm_status;
    uint32_t bm_prd;
    uint32_t prd_next;          /* next PRD entry to fetch */
    uint32_t prd_addr, prd_left;    /* the current region */
    bool prd_last;              /* the current region is the EOT one */
    uint32_t prd_count;         /* entries fetched for this transfer */
    uint64_t bm_errors;
};

extern const VMStateDescription vmstate_ide_bus;

void ide_bus_init(IDEBus *bus, DeviceState *dev, PCIDevice *pci, int bus_id);
bool ide_bus_attach_drives(IDEBus *bus, Error **errp);
/*
 * Attach @d as drive @unit of @bus (claimed for QOM path @owner), with its
 * bootindex (-1: none) in the firmware boot order.
 */
bool ide_attach_drive(IDEBus *bus, int unit, DriveInfo *d, IDEDriveKind kind,
                      int bootindex, const char *owner, Error **errp);
/* The "ide.N" qdev bus of @bus, where -device ide-hd/ide-cd plug (ide-dev.c). */
void ide_bus_new_qbus(IDEBus *bus, const char *name);
void ide_bus_reset(IDEBus *bus);
uint32_t ide_ioport_read(IDEBus *bus, unsigned reg);
void ide_ioport_write(IDEBus *bus, unsigned reg, uint32_t val);
uint32_t ide_data_read(IDEBus *bus, unsigned size);
void ide_data_write(IDEBus *bus, uint32_t val, unsigned size);
uint32_t ide_status_read(IDEBus *bus, bool alt);
void ide_ctl_write(IDEBus *bus, uint32_t val);
/* The BM engine's start bit went 0->1 or 1->0. */
void ide_bm_start(IDEBus *bus);
void ide_bm_stop(IDEBus *bus);

/* core helpers used by ATAPI */
void ide_set_irq(IDEBus *bus);
void ide_pio_setup(IDEState *s, IDEXferKind kind, uint32_t start, uint32_t len);
void ide_dma_begin(IDEState *s, IDEDmaKind kind, int64_t offset, uint64_t bytes);
/*
 * A request's buffer and where it goes; completions check the generation.
 * Bus-master DMA usually has no buffer: @iov maps the PRD regions in guest
 * RAM, released (and marked dirty) when the request is freed.
 */
typedef enum { IDE_REQ_READ, IDE_REQ_WRITE, IDE_REQ_FLUSH } IDEReqKind;
typedef struct IDEReq {
    IDEState *s;
    uint32_t gen;
    uint32_t len;
    uint8_t *buf;               /* NULL when @iov maps guest RAM */
    struct iovec *iov;
    int niov;
    bool in_flight;             /* submitted, its completion not yet run */
    IDEReqKind kind;
    int64_t offset;
    BlockCompletionFunc *cb;
} IDEReq;

IDEReq *ide_req_new(IDEState *s, uint32_t len);
bool ide_req_done(IDEReq *r);
void ide_req_free(IDEReq *r);
void ide_req_submit(IDEReq *r, IDEReqKind kind, int64_t offset, BlockCompletionFunc *cb);
/* A PIO read or write: on the spot if the host page cache allows (@cb has
 * then run), else submitted. */
void ide_req_start(IDEReq *r, IDEReqKind kind, int64_t offset, BlockCompletionFunc *cb);
/*
 * A completion's first step: GONE when the request no longer belongs to the
 * drive (freed) or waits for a werror/rerror=stop retry (kept); FAILED when
 * the error is to be reported to the guest; OK when it worked or is ignored.
 */
typedef enum { IDE_REQ_OK, IDE_REQ_FAILED, IDE_REQ_GONE } IDEReqOutcome;
IDEReqOutcome ide_req_finish(IDEReq *r, int ret);
/* ATAPI */
void ide_atapi_identify(IDEState *s);
void ide_atapi_packet_cmd(IDEState *s);
void ide_atapi_packet_received(IDEState *s);
void ide_atapi_pio_next(IDEState *s);
void ide_atapi_dma_done(IDEState *s, bool ok);
void ide_atapi_set_signature(IDEState *s);
void ide_atapi_reset(IDEState *s);
void ide_atapi_post_load(IDEState *s);
/* The monitor's view of a CD drive's tray (block/drive.h). */
extern const DriveDevOps ide_cd_dev_ops;
void ide_padstr(uint16_t *words, const char *str, int nwords);

#endif
