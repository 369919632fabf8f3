/*
 * BlockBackend: opening an image into a driver graph, and running requests on it
 * asynchronously.
 *
 * A request is handed to a pool of worker threads (GThreadPool) that calls the
 * driver's blocking method; the finished request is queued, and a bottom half on
 * the main loop runs its completion callback with the big lock held. blk_drain
 * and the synchronous helpers wait on the same queue and run the callbacks
 * themselves, so they work without the main loop running.
 */
#include "block/block_int.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "monitor/qmp-event.h"

#define IO_WORKERS_MAX 64     /* as QEMU's thread pool */

struct BlockBackend {
    char *name;
    int refcnt;
    BlockDriverState *root;
    char *filename;
    bool read_only;
    bool snapshot;
    bool enable_write_cache;
    bool discard;
    BlockCacheMode cache;
    unsigned in_flight;
    BlockdevOnError on_read_error, on_write_error;
};

typedef enum { REQ_READ, REQ_WRITE, REQ_FLUSH, REQ_DISCARD } ReqType;

typedef struct BlkRequest {
    BlockBackend *blk;
    ReqType type;
    uint64_t offset, bytes;
    struct iovec *iov;
    int niov;
    bool flush_after;          /* write cache off: the write is flushed before done */
    BlockCompletionFunc *cb;
    void *opaque;
    int ret;
} BlkRequest;

static GThreadPool *io_pool;
static EmuBH *done_bh;
static GMutex done_lock;
static GCond done_cond;
static GQueue done_queue = G_QUEUE_INIT;
static GPtrArray *all_backends;

/* ---- nodes ---- */

int bdrv_preadv(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                const struct iovec *iov, int niov)
{
    if (bytes == 0) {
        return 0;
    }
    return bs->drv->preadv(bs, offset, bytes, iov, niov);
}

int bdrv_pwritev(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                 const struct iovec *iov, int niov)
{
    if (bytes == 0) {
        return 0;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    return bs->drv->pwritev(bs, offset, bytes, iov, niov);
}

int bdrv_pread(BlockDriverState *bs, uint64_t offset, void *buf, uint64_t bytes)
{
    struct iovec v = { .iov_base = buf, .iov_len = bytes };
    return bdrv_preadv(bs, offset, bytes, &v, 1);
}

int bdrv_pwrite(BlockDriverState *bs, uint64_t offset, const void *buf, uint64_t bytes)
{
    struct iovec v = { .iov_base = (void *)buf, .iov_len = bytes };
    return bdrv_pwritev(bs, offset, bytes, &v, 1);
}

int bdrv_pdiscard(BlockDriverState *bs, uint64_t offset, uint64_t bytes)
{
    if (bytes == 0 || !bs->drv->pdiscard) {
        return 0;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    return bs->drv->pdiscard(bs, offset, bytes);
}

int bdrv_flush(BlockDriverState *bs)
{
    return bs->drv->flush ? bs->drv->flush(bs) : 0;
}

void bdrv_close(BlockDriverState *bs)
{
    if (!bs) {
        return;
    }
    BlockDriverState *file = bs->file, *backing = bs->backing;
    bs->drv->close(bs);
    g_free(bs->filename);
    g_free(bs);
    bdrv_close(file);
    bdrv_close(backing);
}

/* ---- cache modes and error actions ---- */

bool blk_parse_cache_mode(const char *mode, BlockCacheMode *c)
{
    /* QEMU's table: writeback keeps the host page cache and honours flushes. */
    if (!strcmp(mode, "writeback")) {
        *c = (BlockCacheMode){ .direct = false, .writethrough = false };
    } else if (!strcmp(mode, "none") || !strcmp(mode, "off")) {
        *c = (BlockCacheMode){ .direct = true, .writethrough = false };
    } else if (!strcmp(mode, "writethrough")) {
        *c = (BlockCacheMode){ .direct = false, .writethrough = true };
    } else if (!strcmp(mode, "directsync")) {
        *c = (BlockCacheMode){ .direct = true, .writethrough = true };
    } else if (!strcmp(mode, "unsafe")) {
        *c = (BlockCacheMode){ .no_flush = true };
    } else {
        return false;
    }
    return true;
}

const char *blk_cache_mode_str(const BlockCacheMode *c)
{
    static const char *const names[8] = {
        "writeback", "writeback, direct", "writethrough", "writethrough, direct",
        "writeback, ignore flushes", "writeback, direct, ignore flushes",
        "writethrough, ignore flushes", "writethrough, direct, ignore flushes",
    };
    return names[c->direct | c->writethrough << 1 | c->no_flush << 2];
}

bool blockdev_parse_on_error(const char *s, bool is_read, BlockdevOnError *out)
{
    if (!strcmp(s, "report")) {
        *out = BLOCKDEV_ON_ERROR_REPORT;
    } else if (!strcmp(s, "ignore")) {
        *out = BLOCKDEV_ON_ERROR_IGNORE;
    } else if (!strcmp(s, "stop")) {
        *out = BLOCKDEV_ON_ERROR_STOP;
    } else if (!strcmp(s, "enospc") && !is_read) {
        *out = BLOCKDEV_ON_ERROR_ENOSPC;
    } else {
        return false;
    }
    return true;
}

const char *blockdev_on_error_str(BlockdevOnError e)
{
    static const char *const names[] = {
        [BLOCKDEV_ON_ERROR_REPORT] = "report",
        [BLOCKDEV_ON_ERROR_IGNORE] = "ignore",
        [BLOCKDEV_ON_ERROR_ENOSPC] = "enospc",
        [BLOCKDEV_ON_ERROR_STOP] = "stop",
    };
    return names[e];
}

void blk_set_on_error(BlockBackend *blk, BlockdevOnError on_read_error,
                      BlockdevOnError on_write_error)
{
    blk->on_read_error = on_read_error;
    blk->on_write_error = on_write_error;
}

BlockdevOnError blk_get_on_error(const BlockBackend *blk, bool is_read)
{
    return is_read ? blk->on_read_error : blk->on_write_error;
}

BlockErrorAction blk_get_error_action(const BlockBackend *blk, bool is_read, int error)
{
    switch (blk_get_on_error(blk, is_read)) {
    case BLOCKDEV_ON_ERROR_ENOSPC:
        return error == ENOSPC ? BLOCK_ERROR_ACTION_STOP : BLOCK_ERROR_ACTION_REPORT;
    case BLOCKDEV_ON_ERROR_STOP:
        return BLOCK_ERROR_ACTION_STOP;
    case BLOCKDEV_ON_ERROR_IGNORE:
        return BLOCK_ERROR_ACTION_IGNORE;
    case BLOCKDEV_ON_ERROR_REPORT:
    default:
        return BLOCK_ERROR_ACTION_REPORT;
    }
}

static void io_error_stop(void *opaque)
{
    if (runstate_is_running()) {
        vm_stop(RUN_STATE_IO_ERROR);
    }
}

BlockErrorAction blk_handle_io_error(BlockBackend *blk, const char *device, bool is_read,
                                     int error)
{
    static EmuBH *stop_bh;
    BlockErrorAction action = blk_get_error_action(blk, is_read, error);
    static const char *const names[] = { "report", "ignore", "stop" };
    JsonObject *data = json_object_new();

    json_object_set_string_member(data, "device", device ? device : blk->name);
    json_object_set_string_member(data, "node-name", blk->name);
    json_object_set_string_member(data, "operation", is_read ? "read" : "write");
    json_object_set_string_member(data, "action", names[action]);
    json_object_set_boolean_member(data, "nospace", error == ENOSPC);
    json_object_set_string_member(data, "reason", g_strerror(error));
    qmp_event_emit("BLOCK_IO_ERROR", data);
    if (action == BLOCK_ERROR_ACTION_STOP) {
        /* The failing request may complete on a vCPU thread (blk_drain): stop
         * from the main loop, as QEMU's vmstop request. */
        if (!stop_bh) {
            stop_bh = bh_new(io_error_stop, NULL);
        }
        bh_schedule(stop_bh);
    }
    return action;
}

/* ---- opening ---- */

/* Formats QEMU has and emu does not have yet. */
static const char *const later_formats[] = {
    "qcow2", "qcow", "vmdk", "vdi", "vhdx", "vpc", "qed", "luks", "parallels", "dmg",
    "cloop", "bochs", "vvfat", "host_device", "host_cdrom",
};

static bool check_format(const char *format, Error **errp)
{
    if (!strcmp(format, "raw") || !strcmp(format, "file")) {
        return true;
    }
    for (size_t i = 0; i < ARRAY_SIZE(later_formats); i++) {
        if (!strcmp(format, later_formats[i])) {
            error_setg(errp, "format '%s' is not supported yet", format);
            return false;
        }
    }
    error_setg(errp, "unknown format '%s' (supported: raw)", format);
    return false;
}

/* Without format=, an image is raw; one that says it is in a format emu cannot
 * read yet is refused rather than shown to the guest as raw bytes. */
static bool probe_format(BlockDriverState *bs, Error **errp)
{
    static const struct {
        const char *magic;
        size_t len;
        const char *name;
    } magics[] = {
        { "QFI\xfb", 4, "qcow2" },
        { "KDMV", 4, "vmdk" },
        { "QED\0", 4, "qed" },
        { "vhdxfile", 8, "vhdx" },
        { "conectix", 8, "vpc" },
        { "LUKS\xba\xbe", 6, "luks" },
    };
    uint8_t buf[16];
    if (bs->length < (int64_t)sizeof(buf) || bdrv_pread(bs, 0, buf, sizeof(buf)) < 0) {
        return true;   /* too small for a header, or unreadable: raw */
    }
    for (size_t i = 0; i < ARRAY_SIZE(magics); i++) {
        if (!memcmp(buf, magics[i].magic, magics[i].len)) {
            error_setg(errp, "image '%s' is in %s format, which is not supported yet "
                       "(format=raw would give the guest the file's raw bytes)",
                       bs->filename, magics[i].name);
            return false;
        }
    }
    return true;
}

BlockBackend *blk_new_open(const char *name, const BlockOpenOptions *opts, Error **errp)
{
    if (opts->format && !check_format(opts->format, errp)) {
        return NULL;
    }
    BlockOpenOptions file_opts = *opts;
    bool snapshot = opts->snapshot && !opts->read_only;
    if (snapshot) {
        file_opts.read_only = true;   /* the image itself is never written */
    }
    BlockDriverState *bs = bdrv_file_open(&file_opts, name, errp);
    if (!bs) {
        return NULL;
    }
    if (!opts->format && !probe_format(bs, errp)) {
        bdrv_close(bs);
        return NULL;
    }
    if (snapshot) {
        BlockDriverState *top = bdrv_snapshot_open(bs, errp);
        if (!top) {
            bdrv_close(bs);
            return NULL;
        }
        bs = top;
    }

    BlockBackend *blk = g_new0(BlockBackend, 1);
    blk->name = g_strdup(name ? name : "");
    blk->refcnt = 1;
    blk->root = bs;
    blk->filename = g_strdup(opts->filename);
    blk->read_only = opts->read_only;
    blk->snapshot = snapshot;
    blk->discard = opts->discard;
    blk->cache = opts->cache;
    if (snapshot) {
        /* As QEMU: the throw-away overlay is written back lazily, never flushed. */
        blk->cache.writethrough = false;
        blk->cache.no_flush = true;
    }
    blk->enable_write_cache = !blk->cache.writethrough;
    blk->on_read_error = BLOCKDEV_ON_ERROR_REPORT;
    blk->on_write_error = BLOCKDEV_ON_ERROR_ENOSPC;
    if (!all_backends) {
        all_backends = g_ptr_array_new();
    }
    g_ptr_array_add(all_backends, blk);
    return blk;
}

void blk_ref(BlockBackend *blk)
{
    blk->refcnt++;
}

void blk_unref(BlockBackend *blk)
{
    if (!blk || --blk->refcnt > 0) {
        return;
    }
    g_assert(blk->in_flight == 0);   /* requests hold references */
    if (!blk->read_only) {
        bdrv_flush(blk->root);       /* an error here has nobody left to tell */
    }
    g_ptr_array_remove(all_backends, blk);
    bdrv_close(blk->root);
    g_free(blk->name);
    g_free(blk->filename);
    g_free(blk);
}

const char *blk_name(const BlockBackend *blk)
{
    return blk->name;
}

const char *blk_filename(const BlockBackend *blk)
{
    return blk->filename;
}

const char *blk_format_name(const BlockBackend *blk)
{
    return "raw";
}

int64_t blk_getlength(const BlockBackend *blk)
{
    return blk->root->length;
}

bool blk_is_read_only(const BlockBackend *blk)
{
    return blk->read_only;
}

bool blk_is_snapshot(const BlockBackend *blk)
{
    return blk->snapshot;
}

BlockCacheMode blk_get_cache_mode(const BlockBackend *blk)
{
    BlockCacheMode c = blk->cache;
    c.writethrough = !blk->enable_write_cache;
    return c;
}

bool blk_enable_write_cache(const BlockBackend *blk)
{
    return blk->enable_write_cache;
}

void blk_set_enable_write_cache(BlockBackend *blk, bool enable)
{
    blk->enable_write_cache = enable;
}

/* ---- requests ---- */

static void complete_later(BlkRequest *req)
{
    g_mutex_lock(&done_lock);
    g_queue_push_tail(&done_queue, req);
    g_cond_broadcast(&done_cond);
    g_mutex_unlock(&done_lock);
    bh_schedule(done_bh);
}

/* Worker thread: the blocking driver call. */
static void io_worker(gpointer data, gpointer unused)
{
    BlkRequest *req = data;
    BlockDriverState *root = req->blk->root;
    switch (req->type) {
    case REQ_READ:
        req->ret = bdrv_preadv(root, req->offset, req->bytes, req->iov, req->niov);
        break;
    case REQ_WRITE:
        req->ret = bdrv_pwritev(root, req->offset, req->bytes, req->iov, req->niov);
        if (req->ret == 0 && req->flush_after) {
            req->ret = bdrv_flush(root);
        }
        break;
    case REQ_FLUSH:
        req->ret = bdrv_flush(root);
        break;
    case REQ_DISCARD:
        req->ret = bdrv_pdiscard(root, req->offset, req->bytes);
        break;
    }
    complete_later(req);
}

/* Run the callbacks of finished requests (big lock held). */
static void process_completions(void *unused)
{
    for (;;) {
        g_mutex_lock(&done_lock);
        BlkRequest *req = g_queue_pop_head(&done_queue);
        g_mutex_unlock(&done_lock);
        if (!req) {
            return;
        }
        BlockBackend *blk = req->blk;
        if (req->cb) {
            req->cb(req->opaque, req->ret);
        }
        blk->in_flight--;
        g_free(req->iov);
        g_free(req);
        blk_unref(blk);
    }
}

static void io_init(void)
{
    if (io_pool) {
        return;
    }
    done_bh = bh_new(process_completions, NULL);
    io_pool = g_thread_pool_new(io_worker, NULL, IO_WORKERS_MAX, FALSE, NULL);
}

static void submit_req(BlockBackend *blk, ReqType type, int64_t offset,
                       const struct iovec *iov, int niov, uint64_t discard_bytes,
                       BlockCompletionFunc *cb, void *opaque)
{
    BlkRequest *req = g_new0(BlkRequest, 1);
    io_init();
    blk_ref(blk);
    blk->in_flight++;
    req->blk = blk;
    req->type = type;
    req->offset = offset;
    req->iov = g_new(struct iovec, niov);
    if (niov) {
        memcpy(req->iov, iov, niov * sizeof(*iov));
    }
    req->niov = niov;
    req->bytes = type == REQ_DISCARD ? discard_bytes : iov_size(iov, niov);
    req->flush_after = type == REQ_WRITE && !blk->enable_write_cache;
    req->cb = cb;
    req->opaque = opaque;

    /* Refused requests complete the same way, later, never inside this call. */
    if (type != REQ_FLUSH &&
        (offset < 0 || req->bytes > (uint64_t)blk->root->length ||
         (uint64_t)offset > blk->root->length - req->bytes)) {
        req->ret = -EIO;
    } else if ((type == REQ_WRITE || type == REQ_DISCARD) && blk->read_only) {
        req->ret = -EPERM;
    } else if (type == REQ_DISCARD && !blk->discard) {
        req->ret = 0;           /* discard=ignore */
    } else {
        g_thread_pool_push(io_pool, req, NULL);
        return;
    }
    complete_later(req);
}

static void submit(BlockBackend *blk, ReqType type, int64_t offset,
                   const struct iovec *iov, int niov, BlockCompletionFunc *cb, void *opaque)
{
    submit_req(blk, type, offset, iov, niov, 0, cb, opaque);
}

void blk_aio_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes,
                      BlockCompletionFunc *cb, void *opaque)
{
    submit_req(blk, REQ_DISCARD, offset, NULL, 0, bytes < 0 ? UINT64_MAX : (uint64_t)bytes,
               cb, opaque);
}

bool blk_discard_enabled(const BlockBackend *blk)
{
    return blk->discard;
}

void blk_aio_preadv(BlockBackend *blk, int64_t offset, const struct iovec *iov, int niov,
                    BlockCompletionFunc *cb, void *opaque)
{
    submit(blk, REQ_READ, offset, iov, niov, cb, opaque);
}

void blk_aio_pwritev(BlockBackend *blk, int64_t offset, const struct iovec *iov,
                     int niov, BlockCompletionFunc *cb, void *opaque)
{
    submit(blk, REQ_WRITE, offset, iov, niov, cb, opaque);
}

void blk_aio_pread(BlockBackend *blk, int64_t offset, void *buf, size_t bytes,
                   BlockCompletionFunc *cb, void *opaque)
{
    struct iovec v = { .iov_base = buf, .iov_len = bytes };
    submit(blk, REQ_READ, offset, &v, 1, cb, opaque);
}

void blk_aio_pwrite(BlockBackend *blk, int64_t offset, const void *buf, size_t bytes,
                    BlockCompletionFunc *cb, void *opaque)
{
    struct iovec v = { .iov_base = (void *)buf, .iov_len = bytes };
    submit(blk, REQ_WRITE, offset, &v, 1, cb, opaque);
}

void blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb, void *opaque)
{
    submit(blk, REQ_FLUSH, 0, NULL, 0, cb, opaque);
}

unsigned blk_in_flight(const BlockBackend *blk)
{
    return blk->in_flight;
}

/* Wait for at least one finished request, then run every finished callback. */
static void wait_completions(void)
{
    g_mutex_lock(&done_lock);
    while (g_queue_is_empty(&done_queue)) {
        g_cond_wait(&done_cond, &done_lock);
    }
    g_mutex_unlock(&done_lock);
    process_completions(NULL);
}

void blk_drain(BlockBackend *blk)
{
    blk_ref(blk);
    while (blk->in_flight > 0) {
        wait_completions();
    }
    blk_unref(blk);
}

void blk_drain_all(void)
{
    for (;;) {
        bool busy = false;
        for (guint i = 0; all_backends && i < all_backends->len; i++) {
            busy |= ((BlockBackend *)g_ptr_array_index(all_backends, i))->in_flight > 0;
        }
        if (!busy) {
            return;
        }
        wait_completions();
    }
}

typedef struct SyncReq {
    bool done;
    int ret;
} SyncReq;

static void sync_done(void *opaque, int ret)
{
    SyncReq *s = opaque;
    s->ret = ret;
    s->done = true;
}

static int sync_wait(SyncReq *s)
{
    while (!s->done) {
        wait_completions();
    }
    return s->ret;
}

int blk_pread(BlockBackend *blk, int64_t offset, void *buf, size_t bytes)
{
    SyncReq s = { 0 };
    blk_aio_pread(blk, offset, buf, bytes, sync_done, &s);
    return sync_wait(&s);
}

int blk_pwrite(BlockBackend *blk, int64_t offset, const void *buf, size_t bytes)
{
    SyncReq s = { 0 };
    blk_aio_pwrite(blk, offset, buf, bytes, sync_done, &s);
    return sync_wait(&s);
}

int blk_flush(BlockBackend *blk)
{
    SyncReq s = { 0 };
    blk_aio_flush(blk, sync_done, &s);
    return sync_wait(&s);
}
