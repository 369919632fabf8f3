/*
 * ATA channel and disk (ATA/ATAPI-6, T13/1410D): the taskfile registers, the
 * PIO and DMA data protocols, the ATA command set of a hard disk, and the
 * SFF-8038i bus-master engine that moves DMA data through PRD tables.
 *
 * Every image access is asynchronous (BlockBackend): the command leaves the
 * drive BSY and the completion, on the main loop or the block worker, finishes
 * it; the last piece of a DMA transfer that the host has cached is done on the
 * spot instead (ide_req_try_now). A request is
 * tagged with the drive's generation; a reset or a stopped DMA bumps it so a
 * late completion is dropped instead of touching the new state. Requests own
 * their buffers, so nothing the guest does can free memory a worker uses:
 * bus-master DMA maps the PRD regions of guest RAM into the request
 * (ide_dma_map), which holds the mapping until it is freed, and a command
 * abandoned with such a request in flight waits for it (ide_cancel_req).
 */
#include "hw/ide/ide-internal.h"
#include "block/block-backend.h"
#include "util/log.h"
#include "util/rcu.h"
#include "system/runstate.h"
#include "hw/nvram/fw-bootorder.h"

#define MAX_MULT_SECTORS 16
#define MAX_PRD_ENTRIES  (65536 / 8)    /* the table lives in one 64 KiB region */

IDEReq *ide_req_new(IDEState *s, uint32_t len)
{
    IDEReq *r = g_new0(IDEReq, 1);
    r->s = s;
    r->gen = s->gen;
    r->len = len;
    r->buf = g_malloc(len);
    s->busy_io = true;
    return r;
}

/* True if the request still belongs to the current command (then the drive is
 * no longer busy with it). */
bool ide_req_done(IDEReq *r)
{
    bool live = r->gen == r->s->gen;
    if (live) {
        r->s->busy_io = false;
    }
    return live;
}

/*
 * Release the guest RAM a request maps, once. A read wrote it: unmap marks
 * the pages dirty (display, migration) and drops code translated from them,
 * which must happen before the guest hears of the completion.
 */
static void ide_req_unmap(IDEReq *r)
{
    bool to_mem = r->kind == IDE_REQ_READ;
    for (int i = 0; i < r->niov; i++) {
        address_space_unmap(&address_space_memory, r->iov[i].iov_base, r->iov[i].iov_len,
                            to_mem, to_mem ? r->iov[i].iov_len : 0);
    }
    g_free(r->iov);
    r->iov = NULL;
    r->niov = 0;
}

void ide_req_free(IDEReq *r)
{
    ide_req_unmap(r);
    g_free(r->buf);
    g_free(r);
}

/* Hand @r to the image: read or write r->len bytes at r->offset, or flush. */
void ide_req_submit(IDEReq *r, IDEReqKind kind, int64_t offset, BlockCompletionFunc *cb)
{
    IDEState *s = r->s;
    r->kind = kind;
    r->offset = offset;
    r->cb = cb;
    r->in_flight = true;
    if (r->iov) {
        s->mapped_in_flight++;
    }
    /* IDE's callbacks need only the big lock: let the worker run them. */
    blk_set_complete_on_worker(s->blk, true);
    switch (kind) {
    case IDE_REQ_READ:
        if (r->iov) {
            blk_aio_preadv(s->blk, offset, r->iov, r->niov, cb, r);
        } else {
            blk_aio_pread(s->blk, offset, r->buf, r->len, cb, r);
        }
        break;
    case IDE_REQ_WRITE:
        if (r->iov) {
            blk_aio_pwritev(s->blk, offset, r->iov, r->niov, cb, r);
        } else {
            blk_aio_pwrite(s->blk, offset, r->buf, r->len, cb, r);
        }
        break;
    case IDE_REQ_FLUSH:
        blk_aio_flush(s->blk, cb, r);
        break;
    }
}

/*
 * A PIO piece (@r's buffer, read or written at @offset): done on the spot
 * when the host can do it without blocking (the page cache, as DMA's
 * ide_req_try_now; @cb has run when this returns), else on a worker. Each
 * piece ends in DRQ or the end of the command, which the guest waits for, so
 * finishing inside its register access is what a fast disk would do.
 */
void ide_req_start(IDEReq *r, IDEReqKind kind, int64_t offset, BlockCompletionFunc *cb)
{
    struct iovec v = { .iov_base = r->buf, .iov_len = r->len };
    BlockBackend *blk = r->s->blk;

    r->kind = kind;
    r->offset = offset;
    r->cb = cb;
    if ((kind == IDE_REQ_READ ? blk_try_preadv_nowait(blk, offset, &v, 1)
                              : blk_try_pwritev_nowait(blk, offset, &v, 1)) == 0) {
        cb(r, 0);
        return;
    }
    ide_req_submit(r, kind, offset, cb);
}

/*
 * werror=stop / rerror=stop: the VM stops and the failed request waits in the
 * drive; when the VM runs again it is submitted once more, unchanged (the
 * guest never sees the error unless it persists into another policy).
 */
static void ide_retry_resume(void *opaque, bool running, RunState state)
{
    IDEState *s = opaque;
    IDEReq *r = s->retry_req;
    if (!running || !r) {
        return;
    }
    s->retry_req = NULL;
    if (r->gen != s->gen || !s->blk) {
        ide_req_free(r);        /* reset or ejected while stopped: drop it */
        return;
    }
    s->busy_io = true;
    ide_req_submit(r, r->kind, r->offset, r->cb);
}

/*
 * The drive's command is abandoned (reset, a stopped bus master, a new
 * command): a completion still to come finds another generation and only
 * frees its request. A request on mapped guest RAM is waited for: the guest
 * may reuse those pages as soon as it sees the abort, and a real bus master
 * moves no data once stopped (SFF-8038i §3.1.1).
 */
static void ide_cancel_req(IDEState *s)
{
    s->gen++;
    s->busy_io = false;
    if (s->mapped_in_flight && s->blk) {
        blk_drain(s->blk);
    }
}

/* ---- interrupts ---- */

static void ide_update_irq(IDEBus *bus)
{
    qemu_set_irq(*bus->irq, bus->irq_pending && !(bus->devctl & IDE_CTL_NIEN));
}

void ide_set_irq(IDEBus *bus)
{
    bus->irq_pending = true;
    /* SFF-8038i §3.1.2: Interrupt is set on the rising edge of the device's INTRQ. */
    bus->bm_status |= BM_ST_INT;
    ide_update_irq(bus);
}

/* ---- small helpers ---- */

void ide_padstr(uint16_t *words, const char *str, int nwords)
{
    /* ATA strings: two characters per word, the first in the high byte. */
    size_t len = strlen(str);
    for (int i = 0; i < nwords * 2; i++) {
        uint8_t c = i < (int)len ? str[i] : ' ';
        if (i & 1) {
            words[i / 2] = (words[i / 2] & 0xff00) | c;
        } else {
            words[i / 2] = (words[i / 2] & 0x00ff) | (c << 8);
        }
    }
}

static void put16(uint8_t *p, int word, uint16_t v)
{
    p[word * 2] = v;
    p[word * 2 + 1] = v >> 8;
}

static void ide_set_signature(IDEState *s)
{
    /* ATA/ATAPI-6 §9.12: the signature after reset and diagnostics. */
    s->nsector = 1;
    s->sector = 1;
    if (s->kind == IDE_CD) {
        s->lcyl = 0x14;
        s->hcyl = 0xeb;
    } else if (s->kind == IDE_HD) {
        s->lcyl = 0;
        s->hcyl = 0;
    } else {
        s->lcyl = 0xff;
        s->hcyl = 0xff;
    }
    s->select &= 0xf0;
}

static void ide_cmd_ok(IDEState *s)
{
    s->status = IDE_ST_DRDY | IDE_ST_DSC;
    s->xfer = IDE_XFER_NONE;
    ide_set_irq(s->bus);
}

static void ide_abort(IDEState *s)
{
    s->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_ERR;
    s->error = IDE_ER_ABRT;
    s->xfer = IDE_XFER_NONE;
    s->dma_kind = DMA_NONE;
    ide_set_irq(s->bus);
}

static void ide_error(IDEState *s, uint8_t err)
{
    s->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_ERR;
    s->error = err;
    s->xfer = IDE_XFER_NONE;
    s->dma_kind = DMA_NONE;
    ide_set_irq(s->bus);
}

/*
 * A failed request @r: what -drive rerror=/werror= say. IGNORE: the request
 * counts as done. STOP: the VM stops and @r is kept to be submitted again on
 * resume (the caller must not touch or free it). REPORT: the caller reports
 * the error to the guest.
 */
static BlockErrorAction ide_io_error(IDEReq *r, int ret)
{
    IDEState *s = r->s;
    bool is_read = r->kind == IDE_REQ_READ;

    s->io_errors++;
    if (!s->blk) {
        return BLOCK_ERROR_ACTION_REPORT;
    }
    BlockErrorAction a = blk_handle_io_error(s->blk, s->dinfo ? s->dinfo->id : NULL,
                                             is_read, -ret);
    if (a == BLOCK_ERROR_ACTION_STOP) {
        s->busy_io = true;
        s->retry_req = r;
        return a;
    }
    if (a == BLOCK_ERROR_ACTION_REPORT) {
        emu_log_mask(LOG_GUEST_ERROR, "ide%d-%d: %s error: %s\n", s->bus->bus_id, s->unit,
                     is_read ? "read" : "write", strerror(-ret));
    }
    return a;
}

IDEReqOutcome ide_req_finish(IDEReq *r, int ret)
{
    if (r->in_flight) {
        r->in_flight = false;
        if (r->iov) {
            r->s->mapped_in_flight--;
        }
    }
    if (!ide_req_done(r)) {
        ide_req_free(r);
        return IDE_REQ_GONE;
    }
    switch (ret < 0 ? ide_io_error(r, ret) : BLOCK_ERROR_ACTION_IGNORE) {
    case BLOCK_ERROR_ACTION_STOP:
        return IDE_REQ_GONE;            /* kept in s->retry_req, mapped */
    case BLOCK_ERROR_ACTION_REPORT:
        ide_req_unmap(r);
        return IDE_REQ_FAILED;
    default:
        ide_req_unmap(r);
        return IDE_REQ_OK;
    }
}

void ide_pio_setup(IDEState *s, IDEXferKind kind, uint32_t start, uint32_t len)
{
    s->xfer = kind;
    s->data_ptr = start;
    s->data_end = start + len;
}

/* ---- addressing ---- */

static int64_t ide_get_sector(IDEState *s)
{
    if (s->select & 0x40) {
        if (s->lba48) {
            return ((int64_t)s->hob_hcyl << 40) | ((int64_t)s->hob_lcyl << 32) |
                   ((int64_t)s->hob_sector << 24) | (s->hcyl << 16) | (s->lcyl << 8) |
                   s->sector;
        }
        return ((s->select & 0x0f) << 24) | (s->hcyl << 16) | (s->lcyl << 8) | s->sector;
    }
    /* CHS (§6.2.1) in the drive's current translation */
    uint32_t cyl = s->hcyl << 8 | s->lcyl, head = s->select & 0x0f;
    if (s->sector == 0 || s->sector > s->secs || head >= s->heads) {
        return -1;
    }
    return ((int64_t)cyl * s->heads + head) * s->secs + s->sector - 1;
}

static uint32_t ide_get_nsector(IDEState *s)
{
    if (s->lba48) {
        uint32_t n = s->hob_nsector << 8 | s->nsector;
        return n ? n : 65536;
    }
    return s->nsector ? s->nsector : 256;
}

/* Checks the range; on failure the command ends with IDNF. */
static bool ide_range_ok(IDEState *s, int64_t sector, uint32_t n)
{
    if (sector < 0 || (uint64_t)sector + n > s->nb_sectors) {
        emu_log_mask(LOG_GUEST_ERROR, "ide%d-%d: sector %" PRId64 "+%u beyond the disk "
                     "(%" PRIu64 " sectors)\n", s->bus->bus_id, s->unit, sector, n,
                     s->nb_sectors);
        s->guest_errors++;
        ide_error(s, IDE_ER_IDNF);
        return false;
    }
    return true;
}

/* ---- IDENTIFY DEVICE (§8.15) ---- */

static void ide_identify(IDEState *s)
{
    uint8_t *p = s->io_buffer;
    uint16_t w[256] = { 0 };
    uint64_t lba28 = MIN(s->nb_sectors, 0x0fffffffULL);
    uint64_t chs = (uint64_t)s->cyls * s->heads * s->secs;
    bool wce = s->blk && blk_enable_write_cache(s->blk);

    w[0] = 0x0040;                      /* fixed device */
    w[1] = s->cyls;
    w[3] = s->heads;
    w[6] = s->secs;
    ide_padstr(&w[10], s->serial, 10);
    w[20] = 3;
    w[21] = 512;
    w[22] = 4;
    ide_padstr(&w[23], "1.0", 4);
    ide_padstr(&w[27], "EMU HARDDISK", 20);
    w[47] = 0x8000 | MAX_MULT_SECTORS;
    w[48] = 1;
    w[49] = (1 << 11) | (1 << 9) | (1 << 8);    /* IORDY, LBA, DMA */
    w[51] = 0x200;
    w[52] = 0x200;
    w[53] = 1 | 2 | 4;                  /* words 54-58, 64-70 and 88 valid */
    w[54] = s->cyls;
    w[55] = s->heads;
    w[56] = s->secs;
    w[57] = chs;
    w[58] = chs >> 16;
    w[59] = s->mult_sectors ? 0x100 | s->mult_sectors : 0;
    w[60] = lba28;
    w[61] = lba28 >> 16;
    w[62] = 0x07;
    w[63] = 0x07;                       /* multiword DMA 0-2 supported */
    if ((s->xfer_mode & 0xf8) == 0x20) {
        w[63] |= 1 << (8 + (s->xfer_mode & 7));
    }
    w[64] = 0x03;                       /* PIO 3 and 4 */
    w[65] = 120;
    w[66] = 120;
    w[67] = 120;
    w[68] = 120;
    w[80] = 0x7e;                       /* ATA-1..ATA-6 */
    w[81] = 0x22;
    w[82] = (1 << 14) | (1 << 5);       /* NOP, write cache */
    w[83] = (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10);  /* FLUSH EXT, FLUSH, LBA48 */
    w[84] = 1 << 14;
    w[85] = (1 << 14) | (wce ? 1 << 5 : 0);
    w[86] = (1 << 13) | (1 << 12) | (1 << 10);
    w[87] = 1 << 14;
    w[88] = 0x3f;                       /* UDMA 0-5 supported */
    if ((s->xfer_mode & 0xf8) == 0x40) {
        w[88] |= 1 << (8 + (s->xfer_mode & 7));
    }
    w[93] = 1 | (1 << 14) | 0x2000;
    w[100] = s->nb_sectors;
    w[101] = s->nb_sectors >> 16;
    w[102] = s->nb_sectors >> 32;
    w[103] = s->nb_sectors >> 48;
    for (int i = 0; i < 256; i++) {
        put16(p, i, w[i]);
    }
}

/* ---- PIO reads and writes ---- */

static void ide_pio_in_block(IDEState *s, uint32_t start)
{
    uint32_t len = MIN(s->drq_bytes, s->buf_end - start);
    ide_pio_setup(s, IDE_XFER_PIO_IN, start, len);
    s->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
    ide_set_irq(s->bus);
}

static void ide_pio_read_cb(void *opaque, int ret)
{
    IDEReq *r = opaque;
    IDEState *s = r->s;

    IDEReqOutcome o = ide_req_finish(r, ret);
    if (o == IDE_REQ_GONE) {
        return;
    } else if (o == IDE_REQ_FAILED) {
        ide_error(s, IDE_ER_UNC);
    } else {
        memcpy(s->io_buffer, r->buf, r->len);
        s->buf_end = r->len;
        s->nsectors_left -= r->len / 512;
        s->sector_num += r->len / 512;
        ide_pio_in_block(s, 0);
    }
    ide_req_free(r);
}

static void ide_pio_read_next(IDEState *s)
{
    uint32_t n = MIN(s->nsectors_left, IDE_BUF_SIZE / 512);
    IDEReq *r = ide_req_new(s, n * 512);

    s->status = IDE_ST_BSY | IDE_ST_DRDY | IDE_ST_DSC;
    s->xfer = IDE_XFER_NONE;
    ide_req_start(r, IDE_REQ_READ, s->sector_num * 512, ide_pio_read_cb);
}

static void ide_pio_out_block(IDEState *s)
{
    uint32_t n = MIN(s->nsectors_left, s->drq_bytes / 512);
    ide_pio_setup(s, IDE_XFER_PIO_OUT, 0, n * 512);
    s->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
}

static void ide_pio_write_cb(void *opaque, int ret)
{
    IDEReq *r = opaque;
    IDEState *s = r->s;

    IDEReqOutcome o = ide_req_finish(r, ret);
    if (o == IDE_REQ_GONE) {
        return;
    } else if (o == IDE_REQ_FAILED) {
        ide_error(s, IDE_ER_ABRT);
    } else {
        s->nsectors_left -= r->len / 512;
        s->sector_num += r->len / 512;
        if (s->nsectors_left) {
            ide_pio_out_block(s);
            ide_set_irq(s->bus);
        } else {
            ide_cmd_ok(s);
        }
    }
    ide_req_free(r);
}

static void ide_pio_write_block_done(IDEState *s)
{
    IDEReq *r = ide_req_new(s, s->data_end);
    memcpy(r->buf, s->io_buffer, r->len);
    s->status = IDE_ST_BSY | IDE_ST_DRDY | IDE_ST_DSC;
    s->xfer = IDE_XFER_NONE;
    ide_req_start(r, IDE_REQ_WRITE, s->sector_num * 512, ide_pio_write_cb);
}

/* The host moved the last byte of the data window. */
static void ide_transfer_done(IDEState *s)
{
    switch (s->xfer) {
    case IDE_XFER_PIO_IN:
        if (s->data_end < s->buf_end) {
            ide_pio_in_block(s, s->data_end);
        } else if (s->nsectors_left) {
            ide_pio_read_next(s);
        } else {
            s->status = IDE_ST_DRDY | IDE_ST_DSC;
            s->xfer = IDE_XFER_NONE;
        }
        break;
    case IDE_XFER_PIO_OUT:
        ide_pio_write_block_done(s);
        break;
    case IDE_XFER_IDENT:
        s->status = IDE_ST_DRDY | IDE_ST_DSC;
        s->xfer = IDE_XFER_NONE;
        break;
    case IDE_XFER_PACKET:
        s->xfer = IDE_XFER_NONE;
        ide_atapi_packet_received(s);
        break;
    case IDE_XFER_ATAPI_IN:
        s->xfer = IDE_XFER_NONE;
        ide_atapi_pio_next(s);
        break;
    default:
        s->xfer = IDE_XFER_NONE;
        break;
    }
}

/* ---- bus-master DMA (SFF-8038i) ---- */

typedef enum { PRD_OK, PRD_SHORT, PRD_MEMERR } PRDResult;

/* Fetch the next PRD entry (§3.2): address, byte count (0 = 64 KiB), EOT bit. */
static PRDResult ide_prd_fetch(IDEBus *bus)
{
    uint8_t e[8];

    if (bus->prd_last || bus->prd_count >= MAX_PRD_ENTRIES) {
        return PRD_SHORT;
    }
    if (pci_dma_read(bus->pci, bus->prd_next, e, 8) != MEMTX_OK) {
        return PRD_MEMERR;
    }
    bus->prd_addr = pci_get_long(e) & ~1u;
    bus->prd_left = pci_get_word(e + 4) & 0xfffe;
    if (!bus->prd_left) {
        bus->prd_left = 0x10000;
    }
    bus->prd_last = e[7] & 0x80;
    /* The table is dword-aligned inside one 64 KiB region: wrap there. */
    bus->prd_next = (bus->prd_next & 0xffff0000u) | ((bus->prd_next + 8) & 0xffff);
    bus->prd_count++;
    return PRD_OK;
}

/* Move @len bytes between @buf and the PRD regions. */
static PRDResult ide_prd_rw(IDEBus *bus, uint8_t *buf, uint32_t len, bool to_mem)
{
    while (len) {
        if (!bus->prd_left) {
            PRDResult r = ide_prd_fetch(bus);
            if (r != PRD_OK) {
                return r;
            }
        }
        uint32_t n = MIN(len, bus->prd_left);
        if (pci_dma_rw(bus->pci, bus->prd_addr, buf, n, to_mem) != MEMTX_OK) {
            return PRD_MEMERR;
        }
        bus->prd_addr += n;
        bus->prd_left -= n;
        buf += n;
        len -= n;
    }
    return PRD_OK;
}

/* True if [addr, addr + len) is all guest RAM (writable RAM when @to_mem). */
static bool ide_dma_is_ram(hwaddr addr, uint32_t len, bool to_mem)
{
    hwaddr last = addr + len - 1;
    bool ok = false;

    rcu_read_lock();
    FlatView *fv = address_space_to_flatview(&address_space_memory);
    for (hwaddr a = addr;;) {
        const FlatRange *fr = flatview_lookup(fv, a);
        if (!fr || !fr->ram || (to_mem && fr->readonly)) {
            break;
        }
        if (fr->last >= last) {
            ok = true;
            break;
        }
        a = fr->last + 1;
    }
    rcu_read_unlock();
    return ok;
}

/*
 * Map the next @len bytes of the PRD regions (§3.2) straight into a request,
 * so that the image is read into / written from guest RAM with no copy (as
 * QEMU's dma_blk_io). NULL, with the PRD cursor as it was, when anything is
 * out of the ordinary: bus mastering off, the table ends or cannot be read,
 * a region that is not RAM (MMIO, a hole, ROM for a read). The bounce path
 * then does the transfer and reports what goes wrong exactly as before.
 */
static IDEReq *ide_dma_map(IDEState *s, uint32_t len, bool to_mem)
{
    IDEBus *bus = s->bus;
    uint32_t next = bus->prd_next, addr = bus->prd_addr, left = bus->prd_left;
    uint32_t count = bus->prd_count;
    bool last = bus->prd_last;
    g_autoptr(GArray) iov = NULL;

    if (!pci_bus_master_enabled(bus->pci)) {
        return NULL;
    }
    iov = g_array_sized_new(false, false, sizeof(struct iovec), 8);
    for (uint32_t todo = len; todo;) {
        if (!bus->prd_left && ide_prd_fetch(bus) != PRD_OK) {
            goto fail;
        }
        uint32_t n = MIN(todo, bus->prd_left);
        /* The region as pci_dma_rw sees it: a 64-bit address, no wrap. */
        hwaddr a = bus->prd_addr;
        if (!ide_dma_is_ram(a, n, to_mem)) {
            goto fail;
        }
        for (uint32_t m = n; m;) {
            hwaddr plen = m;
            void *p = address_space_map(&address_space_memory, a, &plen, to_mem);
            if (!p) {
                goto fail;
            }
            struct iovec v = { .iov_base = p, .iov_len = plen };
            g_array_append_val(iov, v);
            a += plen;
            m -= plen;
        }
        bus->prd_addr += n;
        bus->prd_left -= n;
        todo -= n;
    }

    IDEReq *r = g_new0(IDEReq, 1);
    r->s = s;
    r->gen = s->gen;
    r->len = len;
    r->kind = to_mem ? IDE_REQ_READ : IDE_REQ_WRITE;
    r->niov = iov->len;
    r->iov = (struct iovec *)g_array_free(g_steal_pointer(&iov), false);
    s->busy_io = true;
    return r;

fail:
    for (guint i = 0; i < iov->len; i++) {
        struct iovec *v = &g_array_index(iov, struct iovec, i);
        address_space_unmap(&address_space_memory, v->iov_base, v->iov_len, to_mem, 0);
    }
    bus->prd_next = next;
    bus->prd_addr = addr;
    bus->prd_left = left;
    bus->prd_count = count;
    bus->prd_last = last;
    return NULL;
}

static void ide_dma_finish(IDEState *s, PRDResult res, bool io_error)
{
    IDEBus *bus = s->bus;
    bool atapi = s->kind == IDE_CD;
    IDEDmaKind kind = s->dma_kind;

    s->dma_kind = DMA_NONE;
    if (res == PRD_SHORT) {
        /*
         * §3.1.2: PRD table smaller than the transfer: Active clears and no
         * interrupt (Interrupt 0, Active 0 is the error combination).
         */
        bus->bm_errors++;
        bus->bm_status &= ~BM_ST_ACTIVE;
        s->status = IDE_ST_DRDY | IDE_ST_DSC;
        return;
    }
    if (res == PRD_MEMERR) {
        bus->bm_errors++;
        bus->bm_status = (bus->bm_status & ~BM_ST_ACTIVE) | BM_ST_ERROR;
        if (atapi) {
            s->sense_key = 4;   /* HARDWARE ERROR */
            s->asc = 0x44;
            ide_atapi_dma_done(s, false);
        } else {
            ide_error(s, IDE_ER_ABRT);
        }
        return;
    }
    /* Active stays set when the table is longer than the transfer (§3.1.2). */
    if (!bus->prd_left && bus->prd_last) {
        bus->bm_status &= ~BM_ST_ACTIVE;
    }
    if (io_error) {
        bus->bm_status &= ~BM_ST_ACTIVE;
        if (atapi) {
            s->sense_key = 3;   /* MEDIUM ERROR, unrecovered read error */
            s->asc = 0x11;
            ide_atapi_dma_done(s, false);
        } else {
            ide_error(s, kind == DMA_BLK_WRITE ? IDE_ER_ABRT : IDE_ER_UNC);
        }
        return;
    }
    if (atapi) {
        ide_atapi_dma_done(s, true);
    } else {
        ide_cmd_ok(s);
    }
}

static void ide_dma_run(IDEState *s);

static void ide_dma_read_cb(void *opaque, int ret)
{
    IDEReq *r = opaque;
    IDEState *s = r->s;

    IDEReqOutcome o = ide_req_finish(r, ret);
    if (o == IDE_REQ_GONE) {
        return;
    } else if (o == IDE_REQ_FAILED) {
        ide_dma_finish(s, PRD_OK, true);
    } else {
        /* A mapped request read straight into the PRD regions. */
        PRDResult res = r->buf ? ide_prd_rw(s->bus, r->buf, r->len, true) : PRD_OK;
        if (res != PRD_OK) {
            ide_dma_finish(s, res, false);
        } else {
            s->dma_offset += r->len;
            s->dma_bytes_left -= r->len;
            ide_dma_run(s);
        }
    }
    ide_req_free(r);
}

static void ide_dma_write_cb(void *opaque, int ret)
{
    IDEReq *r = opaque;
    IDEState *s = r->s;

    IDEReqOutcome o = ide_req_finish(r, ret);
    if (o == IDE_REQ_GONE) {
        return;
    } else if (o == IDE_REQ_FAILED) {
        ide_dma_finish(s, PRD_OK, true);
    } else {
        s->dma_offset += r->len;
        s->dma_bytes_left -= r->len;
        ide_dma_run(s);
    }
    ide_req_free(r);
}

/*
 * The last (or only) piece of a DMA transfer, up to IDE_NOW_MAX bytes, is
 * first tried on the spot: when the image has the data in the host page cache
 * (blk_try_preadv_nowait), the command completes inside the guest's register
 * write, as a very fast disk's would, with no thread handoff on the way to
 * the interrupt. Otherwise the request goes to a worker as usual. Disks only:
 * the ATAPI packet code sets the status after ide_dma_begin, which must not
 * find the command already finished. Up to a whole chunk (Linux's ata_piix
 * sends 512 KiB commands): a copy from the page cache straight into guest
 * RAM costs the vCPU less than the two thread handoffs it saves.
 */
#define IDE_NOW_MAX IDE_DMA_CHUNK

static bool ide_req_try_now(IDEReq *r, IDEReqKind kind, int64_t offset)
{
    IDEState *s = r->s;
    struct iovec v = { .iov_base = r->buf, .iov_len = r->len };
    const struct iovec *iov = r->iov ? r->iov : &v;
    int niov = r->iov ? r->niov : 1;

    if (s->kind == IDE_CD || r->len > IDE_NOW_MAX || r->len != s->dma_bytes_left) {
        return false;
    }
    r->kind = kind;
    r->offset = offset;
    if (kind == IDE_REQ_READ) {
        return blk_try_preadv_nowait(s->blk, offset, iov, niov) == 0;
    }
    return blk_try_pwritev_nowait(s->blk, offset, iov, niov) == 0;
}

static void ide_dma_run(IDEState *s)
{
    uint32_t chunk = MIN(s->dma_bytes_left, IDE_DMA_CHUNK);
    IDEReq *r;

    if (!s->dma_bytes_left) {
        ide_dma_finish(s, PRD_OK, false);
        return;
    }
    if (!s->blk && (s->dma_kind == DMA_BLK_READ || s->dma_kind == DMA_BLK_WRITE)) {
        ide_dma_finish(s, PRD_OK, true);    /* the CD was ejected meanwhile */
        return;
    }
    switch (s->dma_kind) {
    case DMA_BLK_READ:
        r = ide_dma_map(s, chunk, true);
        if (!r) {
            r = ide_req_new(s, chunk);      /* the bounce path */
        }
        if (ide_req_try_now(r, IDE_REQ_READ, s->dma_offset)) {
            ide_dma_read_cb(r, 0);
        } else {
            ide_req_submit(r, IDE_REQ_READ, s->dma_offset, ide_dma_read_cb);
        }
        break;
    case DMA_BLK_WRITE: {
        r = ide_dma_map(s, chunk, false);
        if (!r) {
            r = ide_req_new(s, chunk);      /* the bounce path */
            PRDResult res = ide_prd_rw(s->bus, r->buf, chunk, false);
            if (res != PRD_OK) {
                ide_req_done(r);
                ide_req_free(r);
                ide_dma_finish(s, res, false);
                return;
            }
        }
        if (ide_req_try_now(r, IDE_REQ_WRITE, s->dma_offset)) {
            ide_dma_write_cb(r, 0);
        } else {
            ide_req_submit(r, IDE_REQ_WRITE, s->dma_offset, ide_dma_write_cb);
        }
        break;
    }
    case DMA_BUF_READ: {
        PRDResult res = ide_prd_rw(s->bus, s->io_buffer, s->dma_bytes_left, true);
        s->dma_bytes_left = 0;
        ide_dma_finish(s, res, false);
        break;
    }
    default:
        break;
    }
}

void ide_dma_begin(IDEState *s, IDEDmaKind kind, int64_t offset, uint64_t bytes)
{
    s->dma_kind = kind;
    s->dma_offset = offset;
    s->dma_bytes_left = bytes;
    s->xfer = IDE_XFER_NONE;
    s->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
    if (s->bus->bm_cmd & BM_CMD_START) {
        ide_dma_run(s);
    }
}

void ide_bm_start(IDEBus *bus)
{
    IDEState *s = &bus->ifs[bus->cur];

    bus->prd_next = bus->bm_prd;
    bus->prd_left = 0;
    bus->prd_last = false;
    bus->prd_count = 0;
    bus->bm_status |= BM_ST_ACTIVE;
    if (s->dma_kind != DMA_NONE && !s->busy_io) {
        ide_dma_run(s);
    }
}

void ide_bm_stop(IDEBus *bus)
{
    bus->bm_status &= ~BM_ST_ACTIVE;
    for (int i = 0; i < 2; i++) {
        IDEState *s = &bus->ifs[i];
        if (s->dma_kind != DMA_NONE && (s->busy_io || s->dma_bytes_left)) {
            /* Stopped mid-transfer (SFF-8038i §3.1.1): the command is aborted. */
            ide_cancel_req(s);
            s->dma_kind = DMA_NONE;
            s->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_ERR;
            s->error = IDE_ER_ABRT;
        }
    }
}

/* ---- commands ---- */

static void ide_flush_cb(void *opaque, int ret)
{
    IDEReq *r = opaque;
    IDEState *s = r->s;

    IDEReqOutcome o = ide_req_finish(r, ret);
    if (o == IDE_REQ_GONE) {
        return;
    } else if (o == IDE_REQ_FAILED) {
        ide_error(s, IDE_ER_ABRT);
    } else {
        ide_cmd_ok(s);
    }
    ide_req_free(r);
}

static void ide_rw_start(IDEState *s, bool write, bool dma, uint32_t drq_sectors)
{
    int64_t sector = ide_get_sector(s);
    uint32_t n = ide_get_nsector(s);

    if (!s->blk) {
        ide_abort(s);
        return;
    }
    if (!ide_range_ok(s, sector, n)) {
        return;
    }
    s->sector_num = sector;
    s->nsectors_left = n;
    if (dma) {
        ide_dma_begin(s, write ? DMA_BLK_WRITE : DMA_BLK_READ, sector * 512, n * 512);
        return;
    }
    s->drq_bytes = drq_sectors * 512;
    if (write) {
        ide_pio_out_block(s);
    } else {
        ide_pio_read_next(s);
    }
}

static bool ide_set_features(IDEState *s)
{
    switch (s->feature) {
    case 0x02:              /* enable write cache */
    case 0x82:              /* disable write cache */
        if (s->blk) {
            blk_set_enable_write_cache(s->blk, s->feature == 0x02);
        }
        return true;
    case 0x03: {            /* set transfer mode (§8.37.10) */
        uint8_t v = s->nsector, mode = v & 7;
        switch (v >> 3) {
        case 0: case 1:     /* PIO default / PIO n */
        case 4:             /* multiword DMA n */
        case 8:             /* UDMA n */
            if ((v >> 3 == 4 && mode > 2) || (v >> 3 == 8 && mode > 5)) {
                return false;
            }
            s->xfer_mode = v;
            return true;
        default:
            return false;
        }
    }
    case 0x55: case 0xaa:   /* read look-ahead */
    case 0x66: case 0xcc:   /* reverting to power-on defaults */
    case 0x31: case 0x42: case 0xc2:
        return true;
    default:
        return false;
    }
}

static void ide_exec_cmd(IDEState *s, uint8_t cmd)
{
    IDEBus *bus = s->bus;

    if (s->busy_io) {
        /* A new command while a DMA request is in flight: that one is dropped. */
        ide_cancel_req(s);
    }
    s->cmd = cmd;
    s->error = 0;
    s->lba48 = false;
    s->xfer = IDE_XFER_NONE;
    s->dma_kind = DMA_NONE;

    if (s->kind == IDE_CD) {
        switch (cmd) {
        case 0xa0:          /* PACKET */
            ide_atapi_packet_cmd(s);
            return;
        case 0xa1:          /* IDENTIFY PACKET DEVICE */
            ide_atapi_identify(s);
            ide_pio_setup(s, IDE_XFER_IDENT, 0, 512);
            s->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
            ide_set_irq(bus);
            return;
        case 0x08:          /* DEVICE RESET (§8.7): no interrupt */
            ide_atapi_reset(s);
            ide_set_signature(s);
            s->status = 0;
            s->error = 1;
            return;
        case 0xec:          /* IDENTIFY DEVICE: abort with the signature (§8.15) */
            ide_set_signature(s);
            ide_abort(s);
            return;
        case 0x90: case 0xef: case 0xe5: case 0x98:
        case 0xe0: case 0xe1: case 0xe2: case 0xe3: case 0x94: case 0x95: case 0x96:
        case 0x97: case 0x00:
            break;
        default:
            ide_abort(s);
            return;
        }
    }

    switch (cmd) {
    case 0xec:              /* IDENTIFY DEVICE */
        ide_identify(s);
        ide_pio_setup(s, IDE_XFER_IDENT, 0, 512);
        s->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
        ide_set_irq(bus);
        break;
    case 0x24: case 0x29: case 0x34: case 0x39: case 0x25: case 0x35: case 0x42:
    case 0xea:
        s->lba48 = true;
        /* fall through */
    default:
        break;
    }

    switch (cmd) {
    case 0xec:
        break;
    case 0x20: case 0x21: case 0x24:    /* READ SECTORS (EXT) */
        ide_rw_start(s, false, false, 1);
        break;
    case 0x30: case 0x31: case 0x34:    /* WRITE SECTORS (EXT) */
        ide_rw_start(s, true, false, 1);
        break;
    case 0xc4: case 0x29:               /* READ MULTIPLE (EXT) */
    case 0xc5: case 0x39:               /* WRITE MULTIPLE (EXT) */
        if (!s->mult_sectors) {
            ide_abort(s);
            break;
        }
        ide_rw_start(s, cmd == 0xc5 || cmd == 0x39, false, s->mult_sectors);
        break;
    case 0xc8: case 0xc9: case 0x25:    /* READ DMA (EXT) */
        ide_rw_start(s, false, true, 0);
        break;
    case 0xca: case 0xcb: case 0x35:    /* WRITE DMA (EXT) */
        ide_rw_start(s, true, true, 0);
        break;
    case 0x40: case 0x41: case 0x42: {  /* READ VERIFY SECTORS (EXT) */
        int64_t sector = ide_get_sector(s);
        if (ide_range_ok(s, sector, ide_get_nsector(s))) {
            ide_cmd_ok(s);
        }
        break;
    }
    case 0xc6:                          /* SET MULTIPLE MODE (§8.39) */
        if (s->nsector > MAX_MULT_SECTORS || (s->nsector & (s->nsector - 1))) {
            ide_abort(s);
        } else {
            s->mult_sectors = s->nsector;
            ide_cmd_ok(s);
        }
        break;
    case 0xe7: case 0xea: {             /* FLUSH CACHE (EXT) */
        if (!s->blk) {
            ide_cmd_ok(s);
            break;
        }
        IDEReq *r = ide_req_new(s, 1);
        s->status = IDE_ST_BSY | IDE_ST_DRDY | IDE_ST_DSC;
        ide_req_submit(r, IDE_REQ_FLUSH, 0, ide_flush_cb);
        break;
    }
    case 0xef:                          /* SET FEATURES */
        if (ide_set_features(s)) {
            ide_cmd_ok(s);
        } else {
            ide_abort(s);
        }
        break;
    case 0x91:                          /* INITIALIZE DEVICE PARAMETERS */
        if (s->nsector) {
            s->heads = (s->select & 0x0f) + 1;
            s->secs = s->nsector;
            s->cyls = MIN(s->nb_sectors / (s->heads * s->secs), 65535);
        }
        ide_cmd_ok(s);
        break;
    case 0x10 ... 0x1f:                 /* RECALIBRATE */
    case 0x70:                          /* SEEK */
    case 0xe0: case 0xe1: case 0xe2: case 0xe3: /* STANDBY/IDLE (IMMEDIATE) */
    case 0x94: case 0x95: case 0x96: case 0x97:
        ide_cmd_ok(s);
        break;
    case 0xe5: case 0x98:               /* CHECK POWER MODE: active */
        s->nsector = 0xff;
        ide_cmd_ok(s);
        break;
    case 0x90:                          /* EXECUTE DEVICE DIAGNOSTIC (§8.11) */
        for (int i = 0; i < 2; i++) {
            ide_set_signature(&bus->ifs[i]);
            bus->ifs[i].error = 1;
            bus->ifs[i].status = bus->ifs[i].kind == IDE_CD ? 0
                                 : IDE_ST_DRDY | IDE_ST_DSC;
        }
        ide_set_irq(bus);
        break;
    default:
        emu_log_mask(LOG_GUEST_ERROR, "ide%d-%d: unsupported command 0x%02x\n",
                     bus->bus_id, s->unit, cmd);
        s->guest_errors++;
        ide_abort(s);
        break;
    }
}

/* ---- registers ---- */

static bool ide_present(IDEState *s)
{
    return s->kind != IDE_NONE;
}

uint32_t ide_status_read(IDEBus *bus, bool alt)
{
    IDEState *s = &bus->ifs[bus->cur];

    if (!ide_present(&bus->ifs[0]) && !ide_present(&bus->ifs[1])) {
        return 0xff;        /* nothing drives the bus */
    }
    if (!ide_present(s)) {
        return 0;
    }
    if (!alt) {
        bus->irq_pending = false;
        ide_update_irq(bus);
    }
    return s->status;
}

uint32_t ide_ioport_read(IDEBus *bus, unsigned reg)
{
    IDEState *s = &bus->ifs[bus->cur];
    bool hob = bus->devctl & IDE_CTL_HOB;

    if (!ide_present(&bus->ifs[0]) && !ide_present(&bus->ifs[1])) {
        return 0xff;
    }
    switch (reg) {
    case 1:
        return hob ? s->hob_feature : s->error;
    case 2:
        return hob ? s->hob_nsector : s->nsector;
    case 3:
        return hob ? s->hob_sector : s->sector;
    case 4:
        return hob ? s->hob_lcyl : s->lcyl;
    case 5:
        return hob ? s->hob_hcyl : s->hcyl;
    case 6:
        return s->select;
    case 7:
        return ide_status_read(bus, false);
    default:
        return 0xff;
    }
}

void ide_ioport_write(IDEBus *bus, unsigned reg, uint32_t val)
{
    val &= 0xff;
    if (reg >= 1 && reg <= 6) {
        bus->devctl &= ~IDE_CTL_HOB;    /* §7.8: a taskfile write clears HOB */
    }
    for (int i = 0; i < 2 && reg >= 1 && reg <= 5; i++) {
        IDEState *s = &bus->ifs[i];
        switch (reg) {
        case 1:
            s->hob_feature = s->feature;
            s->feature = val;
            break;
        case 2:
            s->hob_nsector = s->nsector;
            s->nsector = val;
            break;
        case 3:
            s->hob_sector = s->sector;
            s->sector = val;
            break;
        case 4:
            s->hob_lcyl = s->lcyl;
            s->lcyl = val;
            break;
        case 5:
            s->hob_hcyl = s->hcyl;
            s->hcyl = val;
            break;
        }
    }
    if (reg == 6) {
        for (int i = 0; i < 2; i++) {
            bus->ifs[i].select = (val & ~0x10) | (i << 4) | 0xa0;
        }
        bus->cur = (val >> 4) & 1;
        return;
    }
    if (reg == 7) {
        IDEState *s = &bus->ifs[bus->cur];
        if (!ide_present(s)) {
            return;
        }
        if ((s->status & IDE_ST_BSY) && !(s->kind == IDE_CD && val == 0x08)) {
            s->guest_errors++;
            return;         /* §7.4: a command written while BSY is ignored */
        }
        if (s->kind == IDE_CD && val == 0x08 && s->busy_io) {
            ide_cancel_req(s);
        }
        bus->irq_pending = false;
        ide_update_irq(bus);
        ide_exec_cmd(s, val);
    }
}

uint32_t ide_data_read(IDEBus *bus, unsigned size)
{
    IDEState *s = &bus->ifs[bus->cur];
    uint32_t v = 0;

    if (!(s->status & IDE_ST_DRQ) || s->xfer == IDE_XFER_NONE ||
        s->xfer == IDE_XFER_PIO_OUT || s->xfer == IDE_XFER_PACKET) {
        return 0;
    }
    for (unsigned i = 0; i < size && s->data_ptr < s->data_end; i++) {
        v |= (uint32_t)s->io_buffer[s->data_ptr++] << (8 * i);
    }
    if (s->data_ptr >= s->data_end) {
        ide_transfer_done(s);
    }
    return v;
}

void ide_data_write(IDEBus *bus, uint32_t val, unsigned size)
{
    IDEState *s = &bus->ifs[bus->cur];

    if (!(s->status & IDE_ST_DRQ) ||
        (s->xfer != IDE_XFER_PIO_OUT && s->xfer != IDE_XFER_PACKET)) {
        return;
    }
    for (unsigned i = 0; i < size && s->data_ptr < s->data_end; i++) {
        s->io_buffer[s->data_ptr++] = val >> (8 * i);
    }
    if (s->data_ptr >= s->data_end) {
        ide_transfer_done(s);
    }
}

static void ide_drive_soft_reset(IDEState *s)
{
    ide_cancel_req(s);
    s->xfer = IDE_XFER_NONE;
    s->dma_kind = DMA_NONE;
    s->lba48 = false;
    s->mult_sectors = MAX_MULT_SECTORS;
    if (s->kind == IDE_CD) {
        ide_atapi_reset(s);
    }
}

void ide_ctl_write(IDEBus *bus, uint32_t val)
{
    uint8_t old = bus->devctl;

    bus->devctl = val & (IDE_CTL_HOB | IDE_CTL_SRST | IDE_CTL_NIEN);
    if ((val & IDE_CTL_SRST) && !(old & IDE_CTL_SRST)) {
        /* §9.3: SRST set: both devices reset and stay BSY until it clears. */
        for (int i = 0; i < 2; i++) {
            ide_drive_soft_reset(&bus->ifs[i]);
            bus->ifs[i].status = IDE_ST_BSY | IDE_ST_DSC;
        }
        bus->irq_pending = false;
    } else if (!(val & IDE_CTL_SRST) && (old & IDE_CTL_SRST)) {
        for (int i = 0; i < 2; i++) {
            IDEState *s = &bus->ifs[i];
            ide_set_signature(s);
            s->error = 1;
            s->status = s->kind == IDE_CD ? 0 : IDE_ST_DRDY | IDE_ST_DSC;
        }
        bus->cur = 0;
    }
    ide_update_irq(bus);
}

/* ---- set-up ---- */

void ide_bus_init(IDEBus *bus, DeviceState *dev, PCIDevice *pci, int bus_id)
{
    bus->dev = dev;
    bus->pci = pci;
    bus->bus_id = bus_id;
    for (int i = 0; i < 2; i++) {
        bus->ifs[i].bus = bus;
        bus->ifs[i].unit = i;
    }
}

bool ide_attach_drive(IDEBus *bus, int unit, DriveInfo *d, IDEDriveKind kind,
                      int bootindex, const char *owner, Error **errp)
{
    IDEState *s = &bus->ifs[unit];

    if (!drive_claim(d, owner, errp)) {
        return false;
    }
    if (kind == IDE_HD && !d->blk) {
        error_setg(errp, "%s: an IDE disk needs a file", d->option);
        return false;
    }
    /* QEMU's OpenFirmware path for SeaBIOS: .../ide@1,1/drive@CHANNEL/disk@UNIT. */
    g_autofree char *suffix = g_strdup_printf("/drive@%x/disk@%x", bus->bus_id, unit);
    if (!fw_cfg_add_bootindex(bus->dev, bootindex, suffix, errp)) {
        return false;
    }
    s->dinfo = d;
    s->blk = d->blk;
    s->kind = kind;
    if (s->kind == IDE_CD) {
        drive_set_dev_ops(d, &ide_cd_dev_ops, s);
    }
    runstate_add_change_handler(ide_retry_resume, s);
    s->nb_sectors = s->blk ? blk_getlength(s->blk) / 512 : 0;
    uint64_t cyls = s->nb_sectors / (16 * 63);
    s->cyls = MAX(1, MIN(cyls, 16383));
    s->heads = 16;
    s->secs = 63;
    snprintf(s->serial, sizeof(s->serial), "EMU%05d", 1 + bus->bus_id * 2 + unit);
    return true;
}

bool ide_bus_attach_drives(IDEBus *bus, Error **errp)
{
    g_autofree char *path = object_get_canonical_path(OBJECT(bus->dev));

    for (int i = 0; i < 2; i++) {
        DriveInfo *d = drive_get(IF_IDE, bus->bus_id, i);
        if (d && !ide_attach_drive(bus, i, d, d->media == MEDIA_CDROM ? IDE_CD : IDE_HD,
                                   d->bootindex, path, errp)) {
            return false;
        }
    }
    return true;
}

void ide_bus_reset(IDEBus *bus)
{
    for (int i = 0; i < 2; i++) {
        IDEState *s = &bus->ifs[i];
        ide_drive_soft_reset(s);
        s->feature = s->nsector = s->sector = s->lcyl = s->hcyl = 0;
        s->hob_feature = s->hob_nsector = s->hob_sector = s->hob_lcyl = s->hob_hcyl = 0;
        s->select = 0xa0 | (i << 4);
        ide_set_signature(s);
        s->error = 1;
        s->status = s->kind == IDE_HD ? IDE_ST_DRDY | IDE_ST_DSC : 0;
        s->xfer_mode = 0;
        if (s->kind == IDE_HD && s->blk) {
            blk_set_enable_write_cache(s->blk, true);
        }
    }
    bus->cur = 0;
    bus->devctl = 0;
    bus->irq_pending = false;
    bus->bm_cmd = 0;
    bus->bm_status = 0;
    bus->bm_prd = 0;
    ide_update_irq(bus);
}

/* ---- migration ---- */

static int ide_drive_post_load(void *opaque, int version_id)
{
    IDEState *s = opaque;
    /* No request survives migration: a drive caught BSY reports an abort. */
    if (s->busy_io || (s->status & IDE_ST_BSY)) {
        s->busy_io = false;
        s->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_ERR;
        s->error = IDE_ER_ABRT;
        s->xfer = IDE_XFER_NONE;
        s->dma_kind = DMA_NONE;
    }
    if (s->data_end > IDE_BUF_SIZE || s->data_ptr > s->data_end || s->buf_end > IDE_BUF_SIZE) {
        s->xfer = IDE_XFER_NONE;
        s->data_ptr = s->data_end = s->buf_end = 0;
    }
    if (s->kind == IDE_CD) {
        ide_atapi_post_load(s);
    }
    return 0;
}

static const VMStateDescription vmstate_ide_drive = {
    .name = "ide_drive",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = ide_drive_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(feature, IDEState),
        VMSTATE_UINT8(error, IDEState),
        VMSTATE_UINT8(nsector, IDEState),
        VMSTATE_UINT8(sector, IDEState),
        VMSTATE_UINT8(lcyl, IDEState),
        VMSTATE_UINT8(hcyl, IDEState),
        VMSTATE_UINT8(select, IDEState),
        VMSTATE_UINT8(status, IDEState),
        VMSTATE_UINT8(hob_feature, IDEState),
        VMSTATE_UINT8(hob_nsector, IDEState),
        VMSTATE_UINT8(hob_sector, IDEState),
        VMSTATE_UINT8(hob_lcyl, IDEState),
        VMSTATE_UINT8(hob_hcyl, IDEState),
        VMSTATE_UINT8(cmd, IDEState),
        VMSTATE_BOOL(lba48, IDEState),
        VMSTATE_UINT16(mult_sectors, IDEState),
        VMSTATE_UINT8(xfer_mode, IDEState),
        VMSTATE_UINT32(heads, IDEState),
        VMSTATE_UINT32(secs, IDEState),
        VMSTATE_UINT32(cyls, IDEState),
        VMSTATE_UINT8(xfer, IDEState),
        VMSTATE_UINT32(data_ptr, IDEState),
        VMSTATE_UINT32(data_end, IDEState),
        VMSTATE_UINT32(buf_end, IDEState),
        VMSTATE_UINT32(drq_bytes, IDEState),
        VMSTATE_INT64(sector_num, IDEState),
        VMSTATE_UINT32(nsectors_left, IDEState),
        VMSTATE_UINT8(dma_kind, IDEState),
        VMSTATE_INT64(dma_offset, IDEState),
        VMSTATE_UINT64(dma_bytes_left, IDEState),
        VMSTATE_UINT8(sense_key, IDEState),
        VMSTATE_UINT8(asc, IDEState),
        VMSTATE_UINT8(ascq, IDEState),
        VMSTATE_BOOL(tray_open, IDEState),
        VMSTATE_BOOL(tray_locked, IDEState),
        VMSTATE_BOOL(media_changed, IDEState),
        VMSTATE_UINT8(atapi_dma, IDEState),
        VMSTATE_UINT8_ARRAY(packet, IDEState, 12),
        VMSTATE_INT64(cd_lba, IDEState),
        VMSTATE_UINT32(cd_sectors_left, IDEState),
        VMSTATE_UINT32(atapi_left, IDEState),
        VMSTATE_UINT8(event_pending, IDEState),
        VMSTATE_BOOL(busy_io, IDEState),
        VMSTATE_BUFFER(io_buffer, IDEState),
        VMSTATE_END_OF_LIST()
    },
};

static int ide_bus_post_load(void *opaque, int version_id)
{
    IDEBus *bus = opaque;
    bus->cur &= 1;
    ide_update_irq(bus);
    return 0;
}

const VMStateDescription vmstate_ide_bus = {
    .name = "ide_bus",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = ide_bus_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT_ARRAY(ifs, IDEBus, 2, 1, vmstate_ide_drive, IDEState),
        VMSTATE_UINT8(cur, IDEBus),
        VMSTATE_UINT8(devctl, IDEBus),
        VMSTATE_BOOL(irq_pending, IDEBus),
        VMSTATE_UINT8(bm_cmd, IDEBus),
        VMSTATE_UINT8(bm_status, IDEBus),
        VMSTATE_UINT32(bm_prd, IDEBus),
        VMSTATE_UINT32(prd_next, IDEBus),
        VMSTATE_UINT32(prd_addr, IDEBus),
        VMSTATE_UINT32(prd_left, IDEBus),
        VMSTATE_BOOL(prd_last, IDEBus),
        VMSTATE_UINT32(prd_count, IDEBus),
        VMSTATE_END_OF_LIST()
    },
};
