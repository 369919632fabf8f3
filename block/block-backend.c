/*
 * BlockBackend: opening an image into a driver graph, and running requests on it
 * asynchronously.
 *
 * A request is handed to a pool of worker threads (GThreadPool) that calls the
 * driver's blocking method; the finished request is queued, and a bottom half on
 * the main loop runs its completion callback with the big lock held. blk_drain
 * and the synchronous helpers wait on the same queue and run the callbacks
 * themselves, so they work without the main loop running. A device may let the
 * worker run its callbacks when the big lock is free (blk_set_complete_on_worker)
 * and may try small transfers on the spot (blk_try_preadv_nowait).
 *
 * A backend moved to an iothread's context (blk_set_aio_context) has its own
 * done queue, a GSource in that context: its callbacks run in the iothread,
 * without the big lock. Only that thread submits and completes its requests;
 * another thread's blk_drain waits until the iothread has run them all.
 */
#include "block/block_int.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "monitor/qmp-event.h"

#define IO_WORKERS_MAX 64     /* as QEMU's thread pool */
#define BLK_CACHED_WRITE_MAX (1024 * 1024)  /* blk_try_pwritev_cached */

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
    unsigned in_flight;        /* atomic: an iothread may complete while main waits */
    BlockdevOnError on_read_error, on_write_error;
    struct BlkDoneSource *done_src;   /* NULL: completions run on the main loop */
    bool complete_on_worker;   /* blk_set_complete_on_worker() */
};

/* The done queue of a backend bound to an iothread's GMainContext. */
typedef struct BlkDoneSource {
    GSource source;
    GMutex lock;
    GCond cond;                /* queued, or a request of the backend finished */
    GQueue queue;
    int pending;               /* atomic: queue not empty */
    GMainContext *ctx;
} BlkDoneSource;

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
    BlkDoneSource *done_src;   /* where it completes; NULL: the main loop */
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

/* An iothread's BLOCK_IO_ERROR goes out from the main loop (the monitor's thread). */
static gboolean emit_io_error_event(gpointer data)
{
    qmp_event_emit("BLOCK_IO_ERROR", data);
    return G_SOURCE_REMOVE;
}

static gpointer stop_bh_once(gpointer unused)
{
    return bh_new(io_error_stop, NULL);
}

BlockErrorAction blk_handle_io_error(BlockBackend *blk, const char *device, bool is_read,
                                     int error)
{
    static GOnce stop_once = G_ONCE_INIT;
    BlockErrorAction action = blk_get_error_action(blk, is_read, error);
    static const char *const names[] = { "report", "ignore", "stop" };
    JsonObject *data = json_object_new();

    json_object_set_string_member(data, "device", device ? device : blk->name);
    json_object_set_string_member(data, "node-name", blk->name);
    json_object_set_string_member(data, "operation", is_read ? "read" : "write");
    json_object_set_string_member(data, "action", names[action]);
    json_object_set_boolean_member(data, "nospace", error == ENOSPC);
    json_object_set_string_member(data, "reason", g_strerror(error));
    if (bql_locked()) {
        qmp_event_emit("BLOCK_IO_ERROR", data);
    } else {
        g_idle_add(emit_io_error_event, data);
    }
    if (action == BLOCK_ERROR_ACTION_STOP) {
        /* The failing request may complete on a vCPU thread (blk_drain) or an
         * iothread: stop from the main loop, as QEMU's vmstop request. */
        bh_schedule(g_once(&stop_once, stop_bh_once, NULL));
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
    g_atomic_int_inc(&blk->refcnt);
}

void blk_unref(BlockBackend *blk)
{
    if (!blk || !g_atomic_int_dec_and_test(&blk->refcnt)) {
        return;
    }
    g_assert(blk->in_flight == 0);   /* requests hold references */
    blk_set_aio_context(blk, NULL);
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
    BlkDoneSource *ds = req->done_src;
    if (ds) {
        g_mutex_lock(&ds->lock);
        g_queue_push_tail(&ds->queue, req);
        g_atomic_int_set(&ds->pending, 1);
        g_cond_broadcast(&ds->cond);
        g_mutex_unlock(&ds->lock);
        g_main_context_wakeup(ds->ctx);
        return;
    }
    g_mutex_lock(&done_lock);
    g_queue_push_tail(&done_queue, req);
    g_cond_broadcast(&done_cond);
    g_mutex_unlock(&done_lock);
    bh_schedule(done_bh);
}

/*
 * Run a finished request's callback and let it go. @ds: the iothread's done
 * source whose waiters (a drain in another thread) learn that in_flight fell.
 */
static void req_complete(BlkRequest *req, BlkDoneSource *ds)
{
    BlockBackend *blk = req->blk;
    if (req->cb) {
        req->cb(req->opaque, req->ret);
    }
    if (ds) {
        g_mutex_lock(&ds->lock);
    }
    __atomic_sub_fetch(&blk->in_flight, 1, __ATOMIC_SEQ_CST);
    if (ds) {
        g_cond_broadcast(&ds->cond);
        g_mutex_unlock(&ds->lock);
    }
    g_free(req->iov);
    g_free(req);
    blk_unref(blk);
}

/*
 * A finished request on a worker thread. For a main-loop backend whose device
 * allows it (blk_set_complete_on_worker), the callback runs right here when
 * the big lock is free: the guest's interrupt is raised without the hop
 * through the main loop (worker -> main loop -> vCPU becomes worker -> vCPU).
 * When another thread holds the lock (a vCPU at a port access, the main loop,
 * or a drain waiting on done_cond for this very request) the request goes to
 * the done queue and its bottom half as usual: the worker never waits for the
 * lock, so it cannot deadlock with a drain.
 */
static void io_worker_done(BlkRequest *req)
{
    BlockBackend *blk = req->blk;

    if (req->done_src || !blk->complete_on_worker || !bql_trylock()) {
        complete_later(req);
        return;
    }
    req_complete(req, NULL);
    bql_unlock();
}

void blk_set_complete_on_worker(BlockBackend *blk, bool on)
{
    blk->complete_on_worker = on;
}

/* The synchronous fast path: the checks of submit_req, then the driver's try. */
static int try_nowait(BlockBackend *blk, bool write, int64_t offset,
                      const struct iovec *iov, int niov)
{
    BlockDriverState *root = blk->root;
    uint64_t bytes = iov_size(iov, niov);

    if (offset < 0 || bytes == 0 || bytes > (uint64_t)root->length ||
        (uint64_t)offset > root->length - bytes) {
        return -EAGAIN;         /* the error is the asynchronous path's to report */
    }
    if (!write) {
        return root->drv->preadv_nowait ?
               root->drv->preadv_nowait(root, offset, bytes, iov, niov) : -EAGAIN;
    }
    /* Write cache off: each write is flushed, which blocks. */
    if (blk->read_only || root->read_only || !blk->enable_write_cache ||
        !root->drv->pwritev_nowait) {
        return -EAGAIN;
    }
    return root->drv->pwritev_nowait(root, offset, bytes, iov, niov);
}

int blk_try_preadv_nowait(BlockBackend *blk, int64_t offset, const struct iovec *iov,
                          int niov)
{
    return try_nowait(blk, false, offset, iov, niov);
}

int blk_try_pwritev_nowait(BlockBackend *blk, int64_t offset, const struct iovec *iov,
                           int niov)
{
    return try_nowait(blk, true, offset, iov, niov);
}

/*
 * A small buffered write done by the iothread that owns @blk, with the
 * driver's blocking method: it lands in the host page cache (it may wait
 * there for memory or writeback, never for the disk). Counted in in_flight
 * meanwhile, so that another thread's drain waits for it like for a submitted
 * request, and wakes that drain when done.
 */
int blk_try_pwritev_cached(BlockBackend *blk, int64_t offset, const struct iovec *iov,
                           int niov)
{
    BlockDriverState *root = blk->root;
    uint64_t bytes = iov_size(iov, niov);
    BlkDoneSource *ds = blk->done_src;

    if (!ds || !g_main_context_is_owner(ds->ctx) || bql_locked() || offset < 0 ||
        bytes == 0 || bytes > BLK_CACHED_WRITE_MAX || bytes > (uint64_t)root->length ||
        (uint64_t)offset > root->length - bytes || blk->read_only || root->read_only ||
        !blk->enable_write_cache || blk->cache.direct || root->cache.direct) {
        return -EAGAIN;
    }
    blk_ref(blk);
    __atomic_add_fetch(&blk->in_flight, 1, __ATOMIC_SEQ_CST);
    int ret = bdrv_pwritev(root, offset, bytes, iov, niov);
    g_mutex_lock(&ds->lock);
    __atomic_sub_fetch(&blk->in_flight, 1, __ATOMIC_SEQ_CST);
    g_cond_broadcast(&ds->cond);
    g_mutex_unlock(&ds->lock);
    blk_unref(blk);
    return ret == 0 ? 0 : -EAGAIN;
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
    io_worker_done(req);
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
        req_complete(req, NULL);
    }
}

/* In the iothread that owns @ds: run its finished requests' callbacks. */
static void process_done_source(BlkDoneSource *ds)
{
    for (;;) {
        g_mutex_lock(&ds->lock);
        BlkRequest *req = g_queue_pop_head(&ds->queue);
        if (!req) {
            g_atomic_int_set(&ds->pending, 0);
        }
        g_mutex_unlock(&ds->lock);
        if (!req) {
            return;
        }
        req_complete(req, ds);
    }
}

static gboolean done_source_prepare(GSource *s, gint *timeout)
{
    *timeout = -1;
    return g_atomic_int_get(&((BlkDoneSource *)s)->pending) != 0;
}

static gboolean done_source_check(GSource *s)
{
    return g_atomic_int_get(&((BlkDoneSource *)s)->pending) != 0;
}

static gboolean done_source_dispatch(GSource *s, GSourceFunc cb, gpointer data)
{
    process_done_source((BlkDoneSource *)s);
    return G_SOURCE_CONTINUE;
}

static void done_source_finalize(GSource *s)
{
    BlkDoneSource *ds = (BlkDoneSource *)s;
    g_mutex_clear(&ds->lock);
    g_cond_clear(&ds->cond);
}

static GSourceFuncs done_source_funcs = {
    .prepare = done_source_prepare,
    .check = done_source_check,
    .dispatch = done_source_dispatch,
    .finalize = done_source_finalize,
};

void blk_set_aio_context(BlockBackend *blk, GMainContext *ctx)
{
    /* Requests remember where they complete: move only an idle backend. */
    g_assert(__atomic_load_n(&blk->in_flight, __ATOMIC_SEQ_CST) == 0);
    if (ctx == g_main_context_default()) {
        ctx = NULL;
    }
    if (blk->done_src && blk->done_src->ctx == ctx) {
        return;
    }
    if (blk->done_src) {
        g_source_destroy(&blk->done_src->source);
        g_source_unref(&blk->done_src->source);
        blk->done_src = NULL;
    }
    if (ctx) {
        BlkDoneSource *ds = (BlkDoneSource *)g_source_new(&done_source_funcs,
                                                          sizeof(BlkDoneSource));
        g_mutex_init(&ds->lock);
        g_cond_init(&ds->cond);
        g_queue_init(&ds->queue);
        ds->ctx = ctx;
        g_source_attach(&ds->source, ctx);
        blk->done_src = ds;
    }
}

GMainContext *blk_get_aio_context(const BlockBackend *blk)
{
    return blk->done_src ? blk->done_src->ctx : NULL;
}

static gpointer io_init_once(gpointer unused)
{
    done_bh = bh_new(process_completions, NULL);
    io_pool = g_thread_pool_new(io_worker, NULL, IO_WORKERS_MAX, FALSE, NULL);
    return NULL;
}

static void io_init(void)
{
    /* Iothreads submit too: the pool is made once, by whoever comes first. */
    static GOnce once = G_ONCE_INIT;
    g_once(&once, io_init_once, NULL);
}

static void submit_req(BlockBackend *blk, ReqType type, int64_t offset,
                       const struct iovec *iov, int niov, uint64_t discard_bytes,
                       BlockCompletionFunc *cb, void *opaque)
{
    BlkRequest *req = g_new0(BlkRequest, 1);
    io_init();
    blk_ref(blk);
    __atomic_add_fetch(&blk->in_flight, 1, __ATOMIC_SEQ_CST);
    req->blk = blk;
    req->done_src = blk->done_src;
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
    return __atomic_load_n(&blk->in_flight, __ATOMIC_SEQ_CST);
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

/*
 * A backend on an iothread: in that thread, wait for and run its callbacks;
 * elsewhere, wait until that thread has run them.
 */
static void drain_done_source(BlockBackend *blk)
{
    BlkDoneSource *ds = blk->done_src;
    bool owner = g_main_context_is_owner(ds->ctx);
    g_source_ref(&ds->source);
    g_mutex_lock(&ds->lock);
    while (blk_in_flight(blk) > 0) {
        if (owner && !g_queue_is_empty(&ds->queue)) {
            g_mutex_unlock(&ds->lock);
            process_done_source(ds);
            g_mutex_lock(&ds->lock);
            continue;
        }
        g_cond_wait(&ds->cond, &ds->lock);
    }
    g_mutex_unlock(&ds->lock);
    g_source_unref(&ds->source);
}

void blk_drain(BlockBackend *blk)
{
    if (blk->done_src) {
        drain_done_source(blk);
        return;
    }
    blk_ref(blk);
    while (blk->in_flight > 0) {
        wait_completions();
    }
    blk_unref(blk);
}

void blk_drain_context(GMainContext *ctx)
{
    g_assert(g_main_context_is_owner(ctx));
    for (guint i = 0; all_backends && i < all_backends->len; i++) {
        BlockBackend *blk = g_ptr_array_index(all_backends, i);
        if (blk->done_src && blk->done_src->ctx == ctx) {
            drain_done_source(blk);
        }
    }
}

void blk_drain_all(void)
{
    for (guint i = 0; all_backends && i < all_backends->len; i++) {
        BlockBackend *blk = g_ptr_array_index(all_backends, i);
        if (blk->done_src) {
            drain_done_source(blk);
        }
    }
    for (;;) {
        bool busy = false;
        for (guint i = 0; all_backends && i < all_backends->len; i++) {
            BlockBackend *blk = g_ptr_array_index(all_backends, i);
            busy |= !blk->done_src && blk_in_flight(blk) > 0;
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
