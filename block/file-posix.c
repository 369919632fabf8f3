/*
 * The `file` driver: a raw image in a host file or block device.
 *
 * Reads and writes are positioned preadv/pwritev calls, looped over short
 * transfers; a read that reaches the end of the file fills the rest with zeros
 * (an image whose size is not a sector multiple is padded, as in QEMU).
 *
 * cache=none and directsync open with O_DIRECT. The kernel then wants buffer
 * addresses, offsets and lengths aligned (statx STATX_DIOALIGN tells how);
 * requests that are not go through an aligned bounce buffer, and unaligned
 * writes read-modify-write the aligned blocks around them, excluding every
 * other write to the file meanwhile so no update is lost.
 */
#include "block/block_int.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

/* Bounce buffers are used in pieces of at most this size. */
#define BOUNCE_CHUNK (1u << 20)

typedef struct FileState {
    int fd;
    bool is_bdev;
    size_t mem_align;       /* O_DIRECT: buffer address and length alignment */
    size_t offset_align;    /* O_DIRECT: file offset and length alignment */
    GRWLock write_lock;     /* O_DIRECT writes: shared; read-modify-write: exclusive */
    GMutex size_lock;
    int64_t file_size;      /* the bytes the file holds (grows with writes) */
    int nowait_read_off;    /* atomic: RWF_NOWAIT reads gave EOPNOTSUPP here */
    int nowait_write_off;   /* atomic: RWF_NOWAIT writes gave EOPNOTSUPP here */
} FileState;

#define ALIGN_DOWN_P2(x, a) ((x) & ~((uint64_t)(a) - 1))
#define ALIGN_UP_P2(x, a)   ALIGN_DOWN_P2((x) + (a) - 1, (a))

/*
 * Transfer @bytes at @offset between @fd and @iov until done. Reads stop at
 * end of file and zero the rest; with O_DIRECT a short read also means end of
 * file (the next piece could not be aligned), as in QEMU.
 */
static int fd_rw(int fd, bool write, bool direct, uint64_t offset,
                 const struct iovec *iov, int niov, uint64_t bytes)
{
    struct iovec small[8];
    struct iovec *cur = niov <= (int)ARRAY_SIZE(small) ? small : g_new(struct iovec, niov);
    uint64_t done = 0;
    int idx = 0;
    int ret = 0;

    memcpy(cur, iov, niov * sizeof(*iov));
    while (done < bytes) {
        while (idx < niov && cur[idx].iov_len == 0) {
            idx++;
        }
        if (idx == niov) {
            ret = -EIO;   /* the caller's iov is shorter than @bytes */
            break;
        }
        int cnt = MIN(niov - idx, IOV_MAX);
        uint64_t asked = iov_size(cur + idx, cnt);
        ssize_t n = write ? pwritev(fd, cur + idx, cnt, offset + done)
                          : preadv(fd, cur + idx, cnt, offset + done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            ret = -errno;
            break;
        }
        if (n == 0) {
            if (write) {
                ret = -EIO;
            } else {
                iov_memset(iov, niov, done, 0, bytes - done);
            }
            break;
        }
        done += n;
        if (!write && direct && (uint64_t)n < asked) {
            iov_memset(iov, niov, done, 0, bytes - done);
            break;
        }
        while (n > 0) {
            if ((size_t)n >= cur[idx].iov_len) {
                n -= cur[idx].iov_len;
                cur[idx].iov_len = 0;
                idx++;
            } else {
                cur[idx].iov_base = (char *)cur[idx].iov_base + n;
                cur[idx].iov_len -= n;
                n = 0;
            }
        }
    }
    if (cur != small) {
        g_free(cur);
    }
    return ret;
}

static void note_size(FileState *s, uint64_t end)
{
    g_mutex_lock(&s->size_lock);
    if ((int64_t)end > s->file_size) {
        s->file_size = end;
    }
    g_mutex_unlock(&s->size_lock);
}

static bool needs_bounce(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                         const struct iovec *iov, int niov)
{
    FileState *s = bs->opaque;
    return bs->cache.direct &&
           (((offset | bytes) & (s->offset_align - 1)) ||
            !iov_is_aligned(iov, niov, s->mem_align));
}

static void *bounce_alloc(FileState *s, uint64_t first, uint64_t end)
{
    size_t align = MAX(MAX(s->mem_align, s->offset_align), sizeof(void *));
    size_t size = MIN((uint64_t)BOUNCE_CHUNK + s->offset_align,
                      ALIGN_UP_P2(end, s->offset_align) - ALIGN_DOWN_P2(first, s->offset_align));
    void *buf;
    if (posix_memalign(&buf, align, size)) {
        return NULL;
    }
    return buf;
}

/* Read [astart, aend), aligned, into @buf. */
static int read_aligned(FileState *s, uint64_t astart, uint64_t aend, void *buf)
{
    struct iovec v = { .iov_base = buf, .iov_len = aend - astart };
    return fd_rw(s->fd, false, true, astart, &v, 1, aend - astart);
}

static int bounce_read(FileState *s, uint64_t offset, uint64_t bytes,
                       const struct iovec *iov, int niov)
{
    uint64_t end = offset + bytes;
    char *buf = bounce_alloc(s, offset, end);
    int ret = 0;
    if (!buf) {
        return -ENOMEM;
    }
    for (uint64_t pos = offset; pos < end && ret == 0;) {
        uint64_t astart = ALIGN_DOWN_P2(pos, s->offset_align);
        uint64_t chunk_end = MIN(end, astart + BOUNCE_CHUNK);
        uint64_t aend = ALIGN_UP_P2(chunk_end, s->offset_align);
        ret = read_aligned(s, astart, aend, buf);
        if (ret == 0) {
            iov_from_buf(iov, niov, pos - offset, buf + (pos - astart), chunk_end - pos);
        }
        pos = chunk_end;
    }
    free(buf);
    return ret;
}

static int bounce_write(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                        const struct iovec *iov, int niov)
{
    FileState *s = bs->opaque;
    uint64_t end = offset + bytes;
    size_t oa = s->offset_align;
    char *buf = bounce_alloc(s, offset, end);
    int ret = 0;
    if (!buf) {
        return -ENOMEM;
    }
    g_rw_lock_writer_lock(&s->write_lock);
    for (uint64_t pos = offset; pos < end && ret == 0;) {
        uint64_t astart = ALIGN_DOWN_P2(pos, oa);
        uint64_t chunk_end = MIN(end, astart + BOUNCE_CHUNK);
        uint64_t aend = ALIGN_UP_P2(chunk_end, oa);
        uint64_t len = aend - astart;

        /* Read the partly written blocks at either edge, then merge. */
        if (pos != astart) {
            ret = read_aligned(s, astart, astart + oa, buf);
        }
        if (ret == 0 && chunk_end != aend && (aend - oa != astart || pos == astart)) {
            ret = read_aligned(s, aend - oa, aend, buf + len - oa);
        }
        if (ret < 0) {
            break;
        }
        iov_to_buf(iov, niov, pos - offset, buf + (pos - astart), chunk_end - pos);

        g_mutex_lock(&s->size_lock);
        int64_t old_size = s->file_size;
        g_mutex_unlock(&s->size_lock);
        struct iovec v = { .iov_base = buf, .iov_len = len };
        ret = fd_rw(s->fd, true, true, astart, &v, 1, len);
        if (ret == 0 && !s->is_bdev) {
            /* The padding of the last block must not grow the image. */
            uint64_t keep = MAX((uint64_t)old_size, chunk_end);
            if (aend > keep && ftruncate(s->fd, keep) < 0) {
                ret = -errno;
            }
            note_size(s, keep);
        }
        pos = chunk_end;
    }
    g_rw_lock_writer_unlock(&s->write_lock);
    free(buf);
    return ret;
}

static int file_preadv(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                       const struct iovec *iov, int niov)
{
    FileState *s = bs->opaque;
    if (needs_bounce(bs, offset, bytes, iov, niov)) {
        return bounce_read(s, offset, bytes, iov, niov);
    }
    return fd_rw(s->fd, false, bs->cache.direct, offset, iov, niov, bytes);
}

static int file_pwritev(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                        const struct iovec *iov, int niov)
{
    FileState *s = bs->opaque;
    int ret;
    if (!bs->cache.direct) {
        ret = fd_rw(s->fd, true, false, offset, iov, niov, bytes);
    } else if (needs_bounce(bs, offset, bytes, iov, niov)) {
        return bounce_write(bs, offset, bytes, iov, niov);
    } else {
        g_rw_lock_reader_lock(&s->write_lock);
        ret = fd_rw(s->fd, true, true, offset, iov, niov, bytes);
        g_rw_lock_reader_unlock(&s->write_lock);
    }
    if (ret == 0) {
        note_size(s, offset + bytes);
    }
    return ret;
}

/*
 * The non-blocking attempt (preadv2/pwritev2 with RWF_NOWAIT, Linux 4.14;
 * buffered writes need filesystem support, e.g. XFS and btrfs, ext4 not yet):
 * the whole transfer through the page cache in one call, or -EAGAIN. Not with
 * O_DIRECT, where the call would wait for the device.
 */
static int fd_rw_nowait(int fd, bool write, uint64_t offset, const struct iovec *iov,
                        int niov, uint64_t bytes)
{
    if (niov > IOV_MAX) {
        return -EAGAIN;
    }
    ssize_t n = write ? pwritev2(fd, iov, niov, offset, RWF_NOWAIT)
                      : preadv2(fd, iov, niov, offset, RWF_NOWAIT);
    if (n < 0) {
        return errno == EOPNOTSUPP ? -EOPNOTSUPP : -EAGAIN;
    }
    return (uint64_t)n == bytes ? 0 : -EAGAIN;
}

static int file_preadv_nowait(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                              const struct iovec *iov, int niov)
{
    FileState *s = bs->opaque;
    if (bs->cache.direct || g_atomic_int_get(&s->nowait_read_off)) {
        return -EAGAIN;
    }
    /* A read past the end of the file (short) is the blocking path's: it pads. */
    int ret = fd_rw_nowait(s->fd, false, offset, iov, niov, bytes);
    if (ret == -EOPNOTSUPP) {
        g_atomic_int_set(&s->nowait_read_off, 1);     /* don't ask again */
    }
    return ret == 0 ? 0 : -EAGAIN;
}

static int file_pwritev_nowait(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                               const struct iovec *iov, int niov)
{
    FileState *s = bs->opaque;
    if (bs->cache.direct || g_atomic_int_get(&s->nowait_write_off)) {
        return -EAGAIN;
    }
    int ret = fd_rw_nowait(s->fd, true, offset, iov, niov, bytes);
    if (ret == -EOPNOTSUPP) {
        g_atomic_int_set(&s->nowait_write_off, 1);    /* don't ask again */
    }
    if (ret < 0) {
        return -EAGAIN;
    }
    note_size(s, offset + bytes);
    return 0;
}

static int file_flush(BlockDriverState *bs)
{
    FileState *s = bs->opaque;
    if (bs->cache.no_flush || bs->read_only) {
        return 0;
    }
    return fdatasync(s->fd) < 0 ? -errno : 0;
}

/*
 * A hole punched in a regular file reads back as zeros and frees its blocks;
 * a block device gets BLKDISCARD. A filesystem without holes keeps the data,
 * which a discard allows. In O_DIRECT mode no read-modify-write may run
 * meanwhile (it could write old data back into the hole).
 */
static int file_pdiscard(BlockDriverState *bs, uint64_t offset, uint64_t bytes)
{
    FileState *s = bs->opaque;
    int ret = 0;

    g_rw_lock_writer_lock(&s->write_lock);
    if (s->is_bdev) {
        uint64_t range[2] = { offset, bytes };
        if (ioctl(s->fd, BLKDISCARD, range) < 0) {
            ret = errno == EOPNOTSUPP || errno == ENOTTY ? 0 : -errno;
        }
    } else if (fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                         offset, bytes) < 0) {
        ret = errno == EOPNOTSUPP || errno == ENOSYS ? 0 : -errno;
    }
    g_rw_lock_writer_unlock(&s->write_lock);
    return ret;
}

static void file_close(BlockDriverState *bs)
{
    FileState *s = bs->opaque;
    image_lock_release(s->fd);
    close(s->fd);
    g_rw_lock_clear(&s->write_lock);
    g_mutex_clear(&s->size_lock);
    g_free(s);
}

static const BlockDriver bdrv_file = {
    .name = "file",
    .preadv = file_preadv,
    .pwritev = file_pwritev,
    .preadv_nowait = file_preadv_nowait,
    .pwritev_nowait = file_pwritev_nowait,
    .flush = file_flush,
    .pdiscard = file_pdiscard,
    .close = file_close,
};

/* O_DIRECT alignment: statx() says (Linux 6.1+); 4096 satisfies any device
 * with sectors up to 4 KiB where it does not. */
static void probe_dio_align(FileState *s)
{
    struct statx stx;
    s->mem_align = 4096;
    s->offset_align = 4096;
    if (statx(s->fd, "", AT_EMPTY_PATH, 0x2000 /* STATX_DIOALIGN */, &stx) == 0 &&
        (stx.stx_mask & 0x2000)) {
        /* glibc's struct statx predates the fields: stx_dio_mem_align and
         * stx_dio_offset_align follow the 64-bit stx_mnt_id. */
        uint32_t al[2];
        memcpy(al, (char *)&stx + 0x98, sizeof(al));
        if (al[0] && al[1] && !(al[0] & (al[0] - 1)) && !(al[1] & (al[1] - 1)) &&
            al[1] <= BOUNCE_CHUNK) {
            s->mem_align = al[0];
            s->offset_align = al[1];
        }
    }
}

static BlockDriverState *file_node_new(int fd, const char *filename, bool is_bdev,
                                       int64_t size)
{
    BlockDriverState *bs = g_new0(BlockDriverState, 1);
    FileState *s = g_new0(FileState, 1);
    s->fd = fd;
    s->is_bdev = is_bdev;
    s->mem_align = 1;
    s->offset_align = 1;
    s->file_size = size;
    g_rw_lock_init(&s->write_lock);
    g_mutex_init(&s->size_lock);
    bs->drv = &bdrv_file;
    bs->opaque = s;
    bs->filename = g_strdup(filename);
    bs->length = ALIGN_UP_P2((uint64_t)size, BDRV_SECTOR_SIZE);
    return bs;
}

BlockDriverState *bdrv_file_open_fd(int fd, const char *filename, int64_t length)
{
    return file_node_new(fd, filename, false, length);
}

BlockDriverState *bdrv_file_open(const BlockOpenOptions *o, const char *owner,
                                 Error **errp)
{
    const char *fn = o->filename;
    struct stat st;
    int flags = O_CLOEXEC | (o->read_only ? O_RDONLY : O_RDWR);
    int fd;

    if (!fn || !*fn) {
        error_setg(errp, "no image file name given");
        return NULL;
    }
    if (o->cache.direct) {
        flags |= O_DIRECT;
    }
    fd = open(fn, flags);
    if (fd < 0 && errno == EINVAL && o->cache.direct) {
        /* Tell a filesystem without O_DIRECT (as QEMU does) from a bad name. */
        int probe = open(fn, flags & ~O_DIRECT);
        if (probe >= 0) {
            close(probe);
            error_setg(errp, "could not open '%s': the filesystem does not support "
                       "O_DIRECT (needed by cache=none and cache=directsync)", fn);
            return NULL;
        }
        errno = EINVAL;
    }
    if (fd < 0) {
        int err = errno;
        if (err == EISDIR) {
            error_setg(errp, "could not open '%s': it is a directory, not a disk image",
                       fn);
        } else if ((err == EACCES || err == EROFS || err == EPERM) && !o->read_only) {
            error_setg(errp, "could not open '%s' for writing: %s (readonly=on or "
                       "snapshot=on opens it read-only)", fn, g_strerror(err));
        } else {
            error_setg_errno(errp, err, "could not open '%s'", fn);
        }
        return NULL;
    }
    if (fstat(fd, &st) < 0) {
        error_setg_errno(errp, errno, "could not open '%s'", fn);
        close(fd);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        error_setg(errp, "could not open '%s': it is a directory, not a disk image", fn);
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        error_setg(errp, "could not open '%s': not a regular file or a block device", fn);
        close(fd);
        return NULL;
    }
    off_t size = S_ISBLK(st.st_mode) ? lseek(fd, 0, SEEK_END) : st.st_size;
    if (size < 0) {
        error_setg_errno(errp, errno, "could not open '%s': cannot get its size", fn);
        close(fd);
        return NULL;
    }
    if (!image_lock_acquire(fd, fn, !o->read_only, o->locking, owner, errp)) {
        close(fd);
        return NULL;
    }

    BlockDriverState *bs = file_node_new(fd, fn, S_ISBLK(st.st_mode), size);
    bs->read_only = o->read_only;
    bs->cache = o->cache;
    if (o->cache.direct) {
        probe_dio_align(bs->opaque);
    }
    return bs;
}
