/*
 * The block driver interface: what sits below a BlockBackend.
 *
 * A BlockDriverState (a node) is one layer of an image: the `file` driver over a
 * host file, the `snapshot` overlay over another node for -snapshot, and later
 * format drivers (qcow2) over a `file` node. The BlockBackend runs every request
 * on an I/O worker thread, so driver methods are plain blocking calls that may
 * run on several threads at once: a driver that keeps state guards it itself.
 * Only block/ includes this header; devices use block-backend.h.
 */
#ifndef BLOCK_BLOCK_INT_H
#define BLOCK_BLOCK_INT_H

#include "block/block-backend.h"
#include "block/iov.h"

typedef struct BlockDriverState BlockDriverState;

typedef struct BlockDriver {
    const char *name;            /* "file", "snapshot" */
    /*
     * Read or write @bytes at @offset (in range: the backend checked it).
     * Return 0 or -errno. A read of bytes the image does not have (past the
     * end of a file whose size is not a sector multiple) gives zeros.
     */
    int (*preadv)(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                  const struct iovec *iov, int niov);
    int (*pwritev)(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                   const struct iovec *iov, int niov);
    /*
     * Optional: the same transfer, done now only if it cannot block (the data
     * is in the host page cache). 0 when all of it was done; -EAGAIN otherwise
     * (not cached, not supported, short, any error), and the caller then runs
     * the request the usual way (a write may have been done in part: the
     * retry writes the same bytes again). Called on any thread.
     */
    int (*preadv_nowait)(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                         const struct iovec *iov, int niov);
    int (*pwritev_nowait)(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                          const struct iovec *iov, int niov);
    /* Make completed writes durable, including the layers this one stores its
     * data in (a format driver flushes its file node); NULL: nothing to do. */
    int (*flush)(BlockDriverState *bs);
    /*
     * Deallocate [offset, offset + bytes): later reads give zeros (a punched
     * hole) or the old data; NULL means the driver keeps everything, which is
     * a valid answer to a discard (it is advisory).
     */
    int (*pdiscard)(BlockDriverState *bs, uint64_t offset, uint64_t bytes);
    void (*close)(BlockDriverState *bs);
} BlockDriver;

struct BlockDriverState {
    const BlockDriver *drv;
    void *opaque;                /* the driver's state */
    char *filename;              /* for messages and info block */
    int64_t length;              /* bytes, a multiple of BDRV_SECTOR_SIZE */
    bool read_only;
    BlockCacheMode cache;
    BlockDriverState *file;      /* the node this one stores its data in */
    BlockDriverState *backing;   /* where data not written here comes from */
};

/* Requests on a node (worker threads; blocking). */
int bdrv_preadv(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                const struct iovec *iov, int niov);
int bdrv_pwritev(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                 const struct iovec *iov, int niov);
int bdrv_pread(BlockDriverState *bs, uint64_t offset, void *buf, uint64_t bytes);
int bdrv_pwrite(BlockDriverState *bs, uint64_t offset, const void *buf, uint64_t bytes);
int bdrv_pdiscard(BlockDriverState *bs, uint64_t offset, uint64_t bytes);
/* A guest flush: @bs's driver flushes itself and what it is stored in. */
int bdrv_flush(BlockDriverState *bs);
/* Close @bs and the nodes below it. */
void bdrv_close(BlockDriverState *bs);

/*
 * The `file` driver: a regular file or a block device. @owner names the user
 * (drive id) for the message when a second drive of this emu wants the image.
 */
BlockDriverState *bdrv_file_open(const BlockOpenOptions *opts, const char *owner,
                                 Error **errp);

/*
 * The `snapshot` overlay: a temporary file in $TMPDIR (default /var/tmp),
 * unlinked at once, that takes every write to @base; reads come from the
 * overlay where written, else from @base. Takes over @base.
 */
BlockDriverState *bdrv_snapshot_open(BlockDriverState *base, Error **errp);

/* A `file` node on an already open descriptor (taken over), e.g. the overlay. */
BlockDriverState *bdrv_file_open_fd(int fd, const char *filename, int64_t length);

/*
 * Image locking (block/file-lock.c), with OFD locks on QEMU's lock bytes so emu
 * and QEMU also keep each other out. Take the locks for a reader (@write
 * false) or writer of @fd; false + an error naming @filename and the holder
 * (a pid, or a drive of this emu) on conflict.
 */
bool image_lock_acquire(int fd, const char *filename, bool write, BlockLocking mode,
                        const char *owner, Error **errp);
/* Forget @fd's registration (the locks go with the close). */
void image_lock_release(int fd);

#endif
