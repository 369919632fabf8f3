/*
 * BlockBackend: what a device (IDE, virtio-blk, ...) uses to reach its disk image.
 *
 * Requests are asynchronous: the driver work runs on a pool of I/O worker
 * threads, and the completion callback runs later on the main loop with the big
 * lock held (never inside the submitting call), with ret = 0 or -errno.
 * Submit with the big lock held. Offsets and lengths are in bytes; a request
 * past the end of the disk fails with -EIO, a write to a read-only backend with
 * -EPERM (as in QEMU). Guest I/O errors (EIO, ENOSPC, ...) are returned, never
 * fatal: devices turn them into ATA/virtio status, guided by the drive's
 * werror=/rerror= (blk_get_error_action).
 */
#ifndef BLOCK_BLOCK_BACKEND_H
#define BLOCK_BLOCK_BACKEND_H

#include "util/osdep.h"
#include "util/error.h"
#include <sys/uio.h>

#define BDRV_SECTOR_BITS 9
#define BDRV_SECTOR_SIZE (1u << BDRV_SECTOR_BITS)

typedef struct BlockBackend BlockBackend;
typedef void BlockCompletionFunc(void *opaque, int ret);

typedef enum {
    BLOCK_LOCKING_AUTO,    /* lock; skip silently where the filesystem has no locks */
    BLOCK_LOCKING_ON,
    BLOCK_LOCKING_OFF,
} BlockLocking;

/* What -drive cache= means (QEMU's cache.direct, cache.no-flush, write-cache). */
typedef struct BlockCacheMode {
    bool direct;          /* O_DIRECT: bypass the host page cache */
    bool writethrough;    /* flush (fdatasync) after every write */
    bool no_flush;        /* flushes are no-ops (cache=unsafe) */
} BlockCacheMode;

typedef struct BlockOpenOptions {
    const char *filename;
    const char *format;   /* NULL: probe (only raw images are supported) */
    bool read_only;
    bool snapshot;        /* writes go to a temporary overlay, the image stays as is */
    bool discard;         /* discard=unmap: guest discards free space in the image */
    BlockCacheMode cache;
    BlockLocking locking;
} BlockOpenOptions;

/* "writeback" (default), "none"/"off", "writethrough", "directsync", "unsafe". */
bool blk_parse_cache_mode(const char *mode, BlockCacheMode *cache);
/* "writeback, direct" etc. as QEMU's info block prints it (static string). */
const char *blk_cache_mode_str(const BlockCacheMode *cache);

/*
 * Open the image described by @opts as a new backend called @name (the drive
 * id). The error names the file and says what is wrong (missing, a directory,
 * permission, lock held by another process, unsupported format, ...).
 */
BlockBackend *blk_new_open(const char *name, const BlockOpenOptions *opts, Error **errp);

void blk_ref(BlockBackend *blk);
/* The last reference waits for nothing (requests hold references), flushes a
 * writable image and closes it, dropping its locks. */
void blk_unref(BlockBackend *blk);

const char *blk_name(const BlockBackend *blk);
/* The image file name as given. */
const char *blk_filename(const BlockBackend *blk);
const char *blk_format_name(const BlockBackend *blk);
/* Size in bytes, a multiple of 512: an image whose size is not a whole number
 * of sectors is rounded up and the missing tail reads as zeros (as QEMU). */
int64_t blk_getlength(const BlockBackend *blk);
bool blk_is_read_only(const BlockBackend *blk);
bool blk_is_snapshot(const BlockBackend *blk);
BlockCacheMode blk_get_cache_mode(const BlockBackend *blk);

/* The guest-visible write cache (ATA SET FEATURES 02h/82h, virtio-blk WCE):
 * off means every write is flushed before it completes. */
bool blk_enable_write_cache(const BlockBackend *blk);
void blk_set_enable_write_cache(BlockBackend *blk, bool enable);

/* ---- asynchronous I/O ---- */

/* @iov (copied) describes the buffers, which must stay valid until @cb runs. */
void blk_aio_preadv(BlockBackend *blk, int64_t offset, const struct iovec *iov, int niov,
                    BlockCompletionFunc *cb, void *opaque);
void blk_aio_pwritev(BlockBackend *blk, int64_t offset, const struct iovec *iov,
                     int niov, BlockCompletionFunc *cb, void *opaque);
void blk_aio_pread(BlockBackend *blk, int64_t offset, void *buf, size_t bytes,
                   BlockCompletionFunc *cb, void *opaque);
void blk_aio_pwrite(BlockBackend *blk, int64_t offset, const void *buf, size_t bytes,
                    BlockCompletionFunc *cb, void *opaque);
/* Makes every write completed so far durable (fdatasync of every layer). */
void blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb, void *opaque);
/*
 * A guest discard (TRIM, virtio-blk DISCARD) of [offset, offset + bytes): with
 * discard=unmap the image frees the range (a hole in a regular file,
 * BLKDISCARD on a block device); with discard=ignore (the default) it
 * completes with 0 and changes nothing, as QEMU.
 */
void blk_aio_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes,
                      BlockCompletionFunc *cb, void *opaque);
bool blk_discard_enabled(const BlockBackend *blk);

/*
 * Where @blk's completion callbacks run: NULL (the default) on the main loop
 * with the big lock; an iothread's GMainContext in that thread without it
 * (virtio-blk iothread=). Submit from that same thread. Only an idle backend
 * moves (drain it first).
 */
void blk_set_aio_context(BlockBackend *blk, GMainContext *ctx);
GMainContext *blk_get_aio_context(const BlockBackend *blk);

/*
 * For a main-loop backend: let a completion callback run on the block worker
 * thread that finished the request, under the big lock, when that lock is free
 * (else on the main loop as usual). Saves the main loop's wakeup on the way to
 * the guest's interrupt; for devices whose callbacks need nothing but the big
 * lock (IDE). Off by default.
 */
void blk_set_complete_on_worker(BlockBackend *blk, bool on);

/*
 * Do a read or write now, on the calling thread, if that cannot block: the
 * data is in the host page cache (buffered images; never O_DIRECT, never with
 * the write cache off, only where the filesystem does non-blocking writes).
 * 0: done, no callback follows. -EAGAIN: nothing to rely on was done (a write
 * may have happened in part); submit the request with blk_aio_* as usual,
 * which also reports any error. Not ordered against requests in flight: the
 * caller has none that overlap. A device uses it to finish a small request
 * without a thread handoff (IDE DMA).
 */
int blk_try_preadv_nowait(BlockBackend *blk, int64_t offset, const struct iovec *iov,
                          int niov);
int blk_try_pwritev_nowait(BlockBackend *blk, int64_t offset, const struct iovec *iov,
                           int niov);
/*
 * In the iothread that owns @blk's context (blk_set_aio_context), without the
 * big lock: write up to 1 MiB now, with the driver's blocking method, if the
 * write goes to the host page cache (not O_DIRECT, write cache on). It may
 * wait there for memory, never for the disk, and only this thread waits. The
 * same answers as blk_try_pwritev_nowait; a failed write is -EAGAIN too (the
 * submitted request then meets the error and reports it). For ext4 and other
 * filesystems that refuse RWF_NOWAIT buffered writes (virtio-blk dataplane).
 */
int blk_try_pwritev_cached(BlockBackend *blk, int64_t offset, const struct iovec *iov,
                           int niov);

/* Requests submitted and not yet completed (callback not yet run). */
unsigned blk_in_flight(const BlockBackend *blk);
/* Wait until every request of @blk has completed and its callback has run.
 * Callbacks (of any main-loop backend) run on the calling thread, which must
 * hold the big lock; those of a backend on an iothread run in that iothread
 * (the caller waits for it). */
void blk_drain(BlockBackend *blk);
void blk_drain_all(void);
/*
 * In the thread that owns @ctx (an iothread stopping): run the callbacks of
 * every request of the backends bound to @ctx until none is in flight.
 */
void blk_drain_context(GMainContext *ctx);

/* ---- synchronous helpers (main thread with the big lock, tests, tools) ---- */

/* 0 or -errno; other backends' completions may run while they wait. */
int blk_pread(BlockBackend *blk, int64_t offset, void *buf, size_t bytes);
int blk_pwrite(BlockBackend *blk, int64_t offset, const void *buf, size_t bytes);
int blk_flush(BlockBackend *blk);

/* ---- what to do on an I/O error (-drive werror=, rerror=) ---- */

typedef enum {
    BLOCKDEV_ON_ERROR_REPORT,   /* report the error to the guest */
    BLOCKDEV_ON_ERROR_IGNORE,   /* pretend the request succeeded */
    BLOCKDEV_ON_ERROR_ENOSPC,   /* stop the VM on ENOSPC, report anything else */
    BLOCKDEV_ON_ERROR_STOP,     /* stop the VM; the request is retried on 'cont' */
} BlockdevOnError;

typedef enum {
    BLOCK_ERROR_ACTION_REPORT,
    BLOCK_ERROR_ACTION_IGNORE,
    BLOCK_ERROR_ACTION_STOP,
} BlockErrorAction;

/* Parse a werror= (@is_read false) or rerror= value; enospc is write-only. */
bool blockdev_parse_on_error(const char *s, bool is_read, BlockdevOnError *out);
const char *blockdev_on_error_str(BlockdevOnError e);

void blk_set_on_error(BlockBackend *blk, BlockdevOnError on_read_error,
                      BlockdevOnError on_write_error);
BlockdevOnError blk_get_on_error(const BlockBackend *blk, bool is_read);
/* What a device should do with a failed request (@error: a positive errno). */
BlockErrorAction blk_get_error_action(const BlockBackend *blk, bool is_read, int error);
/*
 * A device's request failed with @error (positive errno): decide as
 * blk_get_error_action, send QMP BLOCK_IO_ERROR naming @device (the drive id),
 * and for STOP stop the VM (run state io-error, from the main loop soon
 * after). On STOP the device keeps the request and submits it again when the
 * VM resumes (a runstate change handler), as QEMU's werror=stop does.
 */
BlockErrorAction blk_handle_io_error(BlockBackend *blk, const char *device, bool is_read,
                                     int error);

#endif
