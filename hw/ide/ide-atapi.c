/*
 * ATAPI CD-ROM (ATA/ATAPI-6 §8.21 PACKET, MMC-3 T10/1363-D commands): the
 * packet protocol in PIO (byte-count-limited pieces, interrupt reason in the
 * sector count register) and DMA, 2048-byte sectors, sense data, media
 * change and the tray.
 */
#include "hw/ide/ide-internal.h"
#include "block/block-backend.h"
#include "util/log.h"

/* Sense keys (SPC-3 §4.5.6) */
#define SENSE_NONE            0
#define SENSE_NOT_READY       2
#define SENSE_MEDIUM_ERROR    3
#define SENSE_ILLEGAL_REQUEST 5
#define SENSE_UNIT_ATTENTION  6

#define ASC_INV_OPCODE        0x20
#define ASC_LBA_OUT_OF_RANGE  0x21
#define ASC_INV_FIELD_IN_CDB  0x24
#define ASC_MEDIUM_MAY_HAVE_CHANGED 0x28
#define ASC_INCOMPATIBLE_FORMAT 0x30
#define ASC_MEDIUM_NOT_PRESENT 0x3a
#define ASC_MEDIA_REMOVAL_PREVENTED 0x53

static bool cd_has_medium(IDEState *s)
{
    return s->blk && !s->tray_open;
}

/*
 * The tray moves (the guest's START STOP UNIT, or the monitor). While it is
 * open the device lets go of the medium (s->blk NULL), so the monitor may
 * take it out of the drive; closing takes whatever the drive holds now.
 */
static void cd_set_tray(IDEState *s, bool open)
{
    bool had = cd_has_medium(s);
    s->tray_open = open;
    s->blk = open || !s->dinfo ? NULL : s->dinfo->blk;
    if (open && had) {
        s->event_pending = 3;           /* MediaRemoval (MMC-3 Table 299) */
    } else if (!open && s->blk) {
        s->event_pending = 2;           /* NewMedia */
        s->media_changed = true;        /* UNIT ATTENTION 28h on the next command */
    }
}

static void cd_change_media(void *opaque, bool load)
{
    cd_set_tray(opaque, !load);
}

static bool cd_is_tray_open(void *opaque)
{
    IDEState *s = opaque;
    return s->tray_open;
}

static bool cd_is_medium_locked(void *opaque)
{
    IDEState *s = opaque;
    return s->tray_locked;
}

static void cd_eject_request(void *opaque, bool force)
{
    IDEState *s = opaque;
    if (force) {
        s->tray_locked = false;
    }
    s->event_pending = 1;               /* EjectRequest */
}

const DriveDevOps ide_cd_dev_ops = {
    .change_media = cd_change_media,
    .is_tray_open = cd_is_tray_open,
    .is_medium_locked = cd_is_medium_locked,
    .eject_request = cd_eject_request,
};

/* After loading migrated state: s->blk follows the tray again. */
void ide_atapi_post_load(IDEState *s)
{
    s->blk = s->tray_open || !s->dinfo ? NULL : s->dinfo->blk;
}

static uint32_t cd_sectors(IDEState *s)
{
    return cd_has_medium(s) ? blk_getlength(s->blk) / ATAPI_SECTOR : 0;
}

static void be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static void lba_to_msf(uint8_t *p, uint32_t lba)
{
    lba += 150;
    p[0] = lba / (75 * 60);
    p[1] = (lba / 75) % 60;
    p[2] = lba % 75;
}

void ide_atapi_set_signature(IDEState *s)
{
    s->lcyl = 0x14;
    s->hcyl = 0xeb;
}

void ide_atapi_reset(IDEState *s)
{
    s->cd_sectors_left = 0;
    s->atapi_left = 0;
}

void ide_atapi_identify(IDEState *s)
{
    uint16_t w[256] = { 0 };

    w[0] = (2 << 14) | (5 << 8) | (1 << 7) | (2 << 5);  /* ATAPI CD-ROM, removable */
    ide_padstr(&w[10], s->serial, 10);
    w[20] = 3;
    w[21] = 512;
    w[22] = 4;
    ide_padstr(&w[23], "1.0", 4);
    ide_padstr(&w[27], "EMU DVD-ROM", 20);
    w[48] = 1;
    w[49] = (1 << 9) | (1 << 8);        /* LBA, DMA */
    w[53] = 7;
    w[62] = 7;
    w[63] = 7;
    if ((s->xfer_mode & 0xf8) == 0x20) {
        w[63] |= 1 << (8 + (s->xfer_mode & 7));
    }
    w[64] = 3;
    w[65] = 0xb4;
    w[66] = 0xb4;
    w[67] = 0x12c;
    w[68] = 0xb4;
    w[71] = 30;
    w[72] = 30;
    w[80] = 0x1e;                       /* ATAPI-1..4 */
    w[82] = (1 << 14) | (1 << 4);       /* NOP, PACKET */
    w[83] = 1 << 14;
    w[84] = 1 << 14;
    w[85] = (1 << 14) | (1 << 4);
    w[87] = 1 << 14;
    w[88] = 0x3f;
    if ((s->xfer_mode & 0xf8) == 0x40) {
        w[88] |= 1 << (8 + (s->xfer_mode & 7));
    }
    for (int i = 0; i < 256; i++) {
        s->io_buffer[i * 2] = w[i];
        s->io_buffer[i * 2 + 1] = w[i] >> 8;
    }
}

/* ---- completion ---- */

static void atapi_ok(IDEState *s)
{
    s->status = IDE_ST_DRDY | IDE_ST_DSC;
    s->error = 0;
    s->nsector = ATAPI_INT_IO | ATAPI_INT_COD;
    s->sense_key = SENSE_NONE;
    s->asc = s->ascq = 0;
    s->xfer = IDE_XFER_NONE;
    ide_set_irq(s->bus);
}

static void atapi_check_condition(IDEState *s, uint8_t key, uint8_t asc)
{
    s->sense_key = key;
    s->asc = asc;
    s->ascq = 0;
    s->status = IDE_ST_DRDY | IDE_ST_ERR;
    s->error = (key << 4) | IDE_ER_ABRT;
    s->nsector = ATAPI_INT_IO | ATAPI_INT_COD;
    s->xfer = IDE_XFER_NONE;
    s->dma_kind = DMA_NONE;
    s->cd_sectors_left = 0;
    s->atapi_left = 0;
    ide_set_irq(s->bus);
}

void ide_atapi_dma_done(IDEState *s, bool ok)
{
    if (ok) {
        atapi_ok(s);
    } else {
        atapi_check_condition(s, s->sense_key, s->asc);
    }
}

/* ---- data to the host ---- */

static void atapi_read_cb(void *opaque, int ret);

/* The next piece of a PIO data-in transfer, or the end of the command. */
void ide_atapi_pio_next(IDEState *s)
{
    if (s->data_end < s->buf_end) {
        uint32_t limit = s->lcyl | (s->hcyl << 8);
        if (limit == 0xffff || limit == 0) {
            limit = 0xfffe;     /* §8.21: an even byte count */
        }
        uint32_t len = MIN(limit, s->buf_end - s->data_end);
        if (len > 1 && (len & 1) && s->data_end + len < s->buf_end) {
            len--;
        }
        ide_pio_setup(s, IDE_XFER_ATAPI_IN, s->data_end, len);
        s->lcyl = len;
        s->hcyl = len >> 8;
        s->nsector = ATAPI_INT_IO;
        s->status = IDE_ST_DRDY | IDE_ST_DRQ;
        ide_set_irq(s->bus);
        return;
    }
    if (s->cd_sectors_left && !cd_has_medium(s)) {
        /* The medium went away in the middle of a read (monitor eject -f). */
        atapi_check_condition(s, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
        return;
    }
    if (s->cd_sectors_left) {
        uint32_t n = MIN(s->cd_sectors_left, IDE_BUF_SIZE / ATAPI_SECTOR);
        IDEReq *r = ide_req_new(s, n * ATAPI_SECTOR);
        s->status = IDE_ST_BSY | IDE_ST_DRDY;
        s->xfer = IDE_XFER_NONE;
        s->drq_bytes = n * ATAPI_SECTOR;
        ide_req_start(r, IDE_REQ_READ, s->cd_lba * ATAPI_SECTOR, atapi_read_cb);
        return;
    }
    atapi_ok(s);
}

static void atapi_read_cb(void *opaque, int ret)
{
    IDEReq *r = opaque;
    IDEState *s = r->s;

    IDEReqOutcome o = ide_req_finish(r, ret);
    if (o == IDE_REQ_GONE) {
        return;
    } else if (o == IDE_REQ_FAILED) {
        atapi_check_condition(s, SENSE_MEDIUM_ERROR, 0x11);
    } else {
        uint32_t n = r->len / ATAPI_SECTOR;
        memcpy(s->io_buffer, r->buf, r->len);
        s->cd_lba += n;
        s->cd_sectors_left -= n;
        s->data_end = 0;
        s->buf_end = r->len;
        ide_atapi_pio_next(s);
    }
    ide_req_free(r);
}

/* Send @len bytes of io_buffer (limited by the allocation length @alloc). */
static void atapi_reply(IDEState *s, uint32_t len, uint32_t alloc)
{
    len = MIN(len, alloc);
    if (!len) {
        atapi_ok(s);
        return;
    }
    if (s->atapi_dma) {
        ide_dma_begin(s, DMA_BUF_READ, 0, len);
        s->status = IDE_ST_DRDY | IDE_ST_DRQ;
        return;
    }
    s->data_end = 0;
    s->buf_end = len;
    s->cd_sectors_left = 0;
    ide_atapi_pio_next(s);
}

static void atapi_read(IDEState *s, uint32_t lba, uint32_t n)
{
    uint32_t total = cd_sectors(s);

    if (!n) {
        atapi_ok(s);
        return;
    }
    if ((uint64_t)lba + n > total) {
        s->guest_errors++;
        atapi_check_condition(s, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
        return;
    }
    if (s->atapi_dma) {
        ide_dma_begin(s, DMA_BLK_READ, (int64_t)lba * ATAPI_SECTOR, (uint64_t)n * ATAPI_SECTOR);
        s->status = IDE_ST_DRDY | IDE_ST_DRQ;
        return;
    }
    s->cd_lba = lba;
    s->cd_sectors_left = n;
    s->data_end = s->buf_end = 0;
    ide_atapi_pio_next(s);
}

/* ---- commands ---- */

static uint32_t atapi_toc(IDEState *s, uint8_t *buf, int format, bool msf, int start_track)
{
    uint32_t total = cd_sectors(s);
    uint8_t *q = buf + 4;

    switch (format) {
    case 0:     /* formatted TOC: track 1 and the lead-out (MMC-3 §6.26.3.2) */
        if (start_track > 1 && start_track != 0xaa) {
            return 0;
        }
        buf[2] = 1;
        buf[3] = 1;
        if (start_track <= 1) {
            q[0] = 0;
            q[1] = 0x14;        /* ADR 1, data track */
            q[2] = 1;
            q[3] = 0;
            if (msf) {
                q[4] = 0;
                lba_to_msf(q + 5, 0);
            } else {
                be32(q + 4, 0);
            }
            q += 8;
        }
        q[0] = 0;
        q[1] = 0x14;
        q[2] = 0xaa;
        q[3] = 0;
        if (msf) {
            q[4] = 0;
            lba_to_msf(q + 5, total);
        } else {
            be32(q + 4, total);
        }
        q += 8;
        break;
    case 1:     /* multi-session: one session starting at track 1 */
        buf[2] = 1;
        buf[3] = 1;
        q[1] = 0x14;
        q[2] = 1;
        be32(q + 4, 0);
        q += 8;
        break;
    case 2:     /* raw TOC: points A0, A1, A2 and track 1 of session 1 */
        buf[2] = 1;
        buf[3] = 1;
        for (int point = 0xa0; point <= 0xa2; point++) {
            memset(q, 0, 11);
            q[0] = 1;
            q[1] = 0x14;
            q[3] = point;
            if (point == 0xa0) {
                q[8] = 1;       /* first track */
            } else if (point == 0xa1) {
                q[8] = 1;       /* last track */
            } else {
                lba_to_msf(q + 8, total);
            }
            q += 11;
        }
        memset(q, 0, 11);
        q[0] = 1;
        q[1] = 0x14;
        q[3] = 1;
        lba_to_msf(q + 8, 0);
        q += 11;
        break;
    default:
        return 0;
    }
    be16(buf, q - buf - 2);
    return q - buf;
}

static uint32_t atapi_mode_page(IDEState *s, uint8_t *p, int page)
{
    switch (page) {
    case 0x01:  /* read error recovery (MMC-3 §6.3.4) */
        memset(p, 0, 8);
        p[0] = 0x01;
        p[1] = 6;
        p[3] = 5;       /* read retry count */
        return 8;
    case 0x2a:  /* CD/DVD capabilities and mechanical status (§6.3.11) */
        memset(p, 0, 22);
        p[0] = 0x2a;
        p[1] = 0x14;
        p[2] = 0x3b;    /* reads CD-R, CD-RW, method 2, DVD-ROM */
        p[4] = 0x71;    /* audio play, composite, multi-session */
        p[5] = 0x7f;
        p[6] = 0x29 | (s->tray_locked ? 0x02 : 0);  /* tray, eject, lock */
        be16(p + 8, 706);
        be16(p + 10, 2);
        be16(p + 12, 512);
        be16(p + 14, 706);
        return 22;
    default:
        return 0;
    }
}

static bool atapi_mode_sense(IDEState *s, uint8_t *buf, uint32_t *len)
{
    uint8_t *cdb = s->packet;
    int page = cdb[2] & 0x3f, pc = cdb[2] >> 6;
    uint32_t n = 8;

    if (pc == 3) {
        atapi_check_condition(s, SENSE_ILLEGAL_REQUEST, 0x39);  /* saving not supported */
        return false;
    }
    memset(buf, 0, 8);
    if (page == 0x3f) {
        n += atapi_mode_page(s, buf + n, 0x01);
        n += atapi_mode_page(s, buf + n, 0x2a);
    } else {
        uint32_t m = atapi_mode_page(s, buf + n, page);
        if (!m) {
            atapi_check_condition(s, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CDB);
            return false;
        }
        n += m;
    }
    if (pc == 1) {      /* changeable values: none */
        for (uint32_t i = 10; i < n; i++) {
            buf[i] = 0;
        }
    }
    be16(buf, n - 2);
    buf[2] = cd_has_medium(s) ? 0x01 : 0x70;     /* CD-ROM data / door closed, no disc */
    *len = n;
    return true;
}

static uint32_t atapi_get_configuration(IDEState *s, uint8_t *buf)
{
    uint32_t total = cd_sectors(s);
    uint16_t profile = !cd_has_medium(s) ? 0 : total > 1440 * 1024 / 2 * 1 ? 0x10 : 0x08;
    uint8_t *p = buf + 8;

    memset(buf, 0, 64);
    be16(buf + 6, profile);
    /* Feature 0: profile list (DVD-ROM, CD-ROM) */
    be16(p, 0x0000);
    p[2] = 0x03;
    p[3] = 8;
    be16(p + 4, 0x10);
    p[6] = profile == 0x10;
    be16(p + 8, 0x08);
    p[10] = profile == 0x08;
    p += 12;
    /* Feature 1: core, ATAPI interface */
    be16(p, 0x0001);
    p[2] = 0x0b;
    p[3] = 8;
    be32(p + 4, 2);
    p[8] = 1;
    p += 12;
    /* Feature 3: removable medium, tray */
    be16(p, 0x0003);
    p[2] = 0x03;
    p[3] = 4;
    p[4] = 0x29 | (s->tray_locked ? 1 : 0);
    p += 8;
    be32(buf, p - buf - 4);
    return p - buf;
}

static uint32_t atapi_gesn(IDEState *s, uint8_t *buf, bool *ok)
{
    uint8_t *cdb = s->packet;

    *ok = true;
    if (!(cdb[1] & 1)) {        /* only polled mode (MMC-3 §6.5) */
        *ok = false;
        atapi_check_condition(s, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CDB);
        return 0;
    }
    memset(buf, 0, 8);
    buf[3] = 0x10;              /* supported: media class */
    if (!(cdb[4] & 0x10)) {
        buf[2] = 0x80;          /* NEA */
        be16(buf, 2);
        return 4;
    }
    buf[2] = 4;                 /* media class */
    buf[4] = s->event_pending;
    /* Media status: a disc is present (even behind an open tray), tray open. */
    buf[5] = (s->dinfo && s->dinfo->blk ? 2 : 0) | (s->tray_open ? 1 : 0);
    s->event_pending = 0;
    be16(buf, 6);
    return 8;
}

static void atapi_execute(IDEState *s)
{
    uint8_t *cdb = s->packet;
    uint8_t *buf = s->io_buffer;
    uint8_t op = cdb[0];
    uint32_t len;
    bool ok;

    /* Commands that run whatever the medium state (MMC-3 §4.1.6.1) */
    switch (op) {
    case 0x03: case 0x12: case 0x46: case 0x4a: case 0x1e: case 0x1b: case 0x5a:
    case 0xbd:
        break;
    default:
        if (s->media_changed) {
            s->media_changed = false;
            atapi_check_condition(s, SENSE_UNIT_ATTENTION, ASC_MEDIUM_MAY_HAVE_CHANGED);
            return;
        }
        if (!cd_has_medium(s) && op != 0x00) {
            if (op == 0x28 || op == 0xa8 || op == 0x25 || op == 0x43 || op == 0xbe) {
                atapi_check_condition(s, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
                return;
            }
        }
        break;
    }

    switch (op) {
    case 0x00:  /* TEST UNIT READY */
        if (!cd_has_medium(s)) {
            atapi_check_condition(s, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
        } else {
            atapi_ok(s);
        }
        break;
    case 0x03: {  /* REQUEST SENSE (SPC-3 §6.27) */
        uint8_t key = s->sense_key, asc = s->asc, ascq = s->ascq;
        if (s->media_changed) {
            key = SENSE_UNIT_ATTENTION;
            asc = ASC_MEDIUM_MAY_HAVE_CHANGED;
            ascq = 0;
            s->media_changed = false;
        }
        memset(buf, 0, 18);
        buf[0] = 0x70;
        buf[2] = key;
        buf[7] = 10;
        buf[12] = asc;
        buf[13] = ascq;
        atapi_reply(s, 18, cdb[4]);
        break;
    }
    case 0x12:  /* INQUIRY (SPC-3 §6.4) */
        if (cdb[1] & 1) {       /* vital product data: none */
            atapi_check_condition(s, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CDB);
            break;
        }
        memset(buf, 0, 36);
        buf[0] = 0x05;          /* CD/DVD device */
        buf[1] = 0x80;          /* removable */
        buf[2] = 0x00;
        buf[3] = 0x21;          /* ATAPI, response format 1 */
        buf[4] = 31;
        memcpy(buf + 8, "EMU     ", 8);
        memcpy(buf + 16, "EMU DVD-ROM     ", 16);
        memcpy(buf + 32, "1.0 ", 4);
        atapi_reply(s, 36, cdb[3] << 8 | cdb[4]);
        break;
    case 0x25: {  /* READ CAPACITY (MMC-3 §6.23) */
        uint32_t total = cd_sectors(s);
        be32(buf, total ? total - 1 : 0);
        be32(buf + 4, ATAPI_SECTOR);
        atapi_reply(s, 8, 8);
        break;
    }
    case 0x28:  /* READ(10) */
        atapi_read(s, (uint32_t)cdb[2] << 24 | cdb[3] << 16 | cdb[4] << 8 | cdb[5],
                   cdb[7] << 8 | cdb[8]);
        break;
    case 0xa8:  /* READ(12) */
        atapi_read(s, (uint32_t)cdb[2] << 24 | cdb[3] << 16 | cdb[4] << 8 | cdb[5],
                   (uint32_t)cdb[6] << 24 | cdb[7] << 16 | cdb[8] << 8 | cdb[9]);
        break;
    case 0x43: {  /* READ TOC/PMA/ATIP (MMC-3 §6.26) */
        int format = cdb[2] & 0x0f;
        if (!format) {
            format = cdb[9] >> 6;   /* the older place (SFF-8020i) */
        }
        memset(buf, 0, 64);
        len = atapi_toc(s, buf, format, cdb[1] & 2, cdb[6]);
        if (!len) {
            atapi_check_condition(s, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CDB);
            break;
        }
        atapi_reply(s, len, cdb[7] << 8 | cdb[8]);
        break;
    }
    case 0x46:  /* GET CONFIGURATION (MMC-3 §6.6) */
        len = atapi_get_configuration(s, buf);
        atapi_reply(s, len, cdb[7] << 8 | cdb[8]);
        break;
    case 0x5a:  /* MODE SENSE(10) (SPC-3 §6.10) */
        if (atapi_mode_sense(s, buf, &len)) {
            atapi_reply(s, len, cdb[7] << 8 | cdb[8]);
        }
        break;
    case 0x4a:  /* GET EVENT STATUS NOTIFICATION */
        len = atapi_gesn(s, buf, &ok);
        if (ok) {
            atapi_reply(s, len, cdb[7] << 8 | cdb[8]);
        }
        break;
    case 0x1e:  /* PREVENT ALLOW MEDIUM REMOVAL */
        s->tray_locked = cdb[4] & 1;
        atapi_ok(s);
        break;
    case 0x1b: {  /* START STOP UNIT (MMC-3 §6.37): LoEj with Start = load */
        bool start = cdb[4] & 1, loej = cdb[4] & 2;
        if (loej && !start) {
            if (s->tray_locked) {
                atapi_check_condition(s, SENSE_NOT_READY, ASC_MEDIA_REMOVAL_PREVENTED);
                break;
            }
            if (!s->tray_open) {
                cd_set_tray(s, true);
                if (s->dinfo) {
                    drive_tray_moved(s->dinfo, true);
                }
            }
        } else if (loej && start && s->tray_open) {
            cd_set_tray(s, false);
            s->media_changed = false;   /* the guest closed it: it knows */
            if (s->dinfo) {
                drive_tray_moved(s->dinfo, false);
            }
        }
        atapi_ok(s);
        break;
    }
    case 0xbd:  /* MECHANISM STATUS */
        memset(buf, 0, 8);
        be16(buf + 6, 0);
        atapi_reply(s, 8, cdb[8] << 8 | cdb[9]);
        break;
    case 0x2b:  /* SEEK(10) */
        atapi_ok(s);
        break;
    default:
        emu_log_mask(LOG_GUEST_ERROR, "ide%d-%d: unsupported ATAPI command 0x%02x\n",
                     s->bus->bus_id, s->unit, op);
        atapi_check_condition(s, SENSE_ILLEGAL_REQUEST, ASC_INV_OPCODE);
        break;
    }
}

void ide_atapi_packet_cmd(IDEState *s)
{
    /* §8.21: the device asks for the 12-byte command packet, no interrupt. */
    s->atapi_dma = s->feature & 1;
    ide_pio_setup(s, IDE_XFER_PACKET, 0, 12);
    s->nsector = ATAPI_INT_COD;
    s->status = IDE_ST_DRDY | IDE_ST_DRQ;
}

void ide_atapi_packet_received(IDEState *s)
{
    memcpy(s->packet, s->io_buffer, 12);
    s->status = IDE_ST_BSY | IDE_ST_DRDY;
    atapi_execute(s);
}
