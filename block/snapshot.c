/*
 * The `snapshot` overlay behind -snapshot and snapshot=on: every write goes to a
 * temporary file, unlinked as soon as it is created, so the image below is
 * opened read-only and never changes, and the writes vanish when emu exits.
 *
 * The overlay is a sparse file as large as the image; a bitmap with one bit per
 * 512-byte sector says which sectors it holds. Reads come from the overlay
 * where the bit is set, else from the image. A write that covers only part of a
 * sector not yet in the overlay copies that sector from the image first
 * (read-modify-write); such writes exclude other writes meanwhile.
 */
#include "block/block_int.h"
#include <fcntl.h>

/* The bitmap is allocated in chunks as sectors are first written, so a
 * large, mostly unwritten disk costs little memory. */
#define CHUNK_SECTORS   (1u << 15)                  /* 16 MiB of disk */
#define BITS_PER_WORD   64

typedef struct SnapshotState {
    GMutex map_lock;
    GRWLock write_lock;     /* writes: shared; read-modify-write: exclusive */
    uint64_t nsectors;
    size_t nchunks;
    uint64_t **chunks;      /* NULL: no sector of the chunk written yet */
} SnapshotState;

static bool map_test(SnapshotState *s, uint64_t sector)
{
    uint64_t *c = s->chunks[sector / CHUNK_SECTORS];
    uint64_t i = sector % CHUNK_SECTORS;
    return c && (c[i / BITS_PER_WORD] >> (i % BITS_PER_WORD)) & 1;
}

static void map_set(SnapshotState *s, uint64_t first, uint64_t count)
{
    g_mutex_lock(&s->map_lock);
    for (uint64_t sec = first; sec < first + count; sec++) {
        uint64_t **c = &s->chunks[sec / CHUNK_SECTORS];
        uint64_t i = sec % CHUNK_SECTORS;
        if (!*c) {
            *c = g_new0(uint64_t, CHUNK_SECTORS / BITS_PER_WORD);
        }
        (*c)[i / BITS_PER_WORD] |= 1ull << (i % BITS_PER_WORD);
    }
    g_mutex_unlock(&s->map_lock);
}

/* How many sectors from @sector (at most @max) share its state, in *@allocated. */
static uint64_t map_run(SnapshotState *s, uint64_t sector, uint64_t max, bool *allocated)
{
    uint64_t n = 1;
    g_mutex_lock(&s->map_lock);
    *allocated = map_test(s, sector);
    while (n < max && map_test(s, sector + n) == *allocated) {
        n++;
    }
    g_mutex_unlock(&s->map_lock);
    return n;
}

static int snapshot_preadv(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                           const struct iovec *iov, int niov)
{
    SnapshotState *s = bs->opaque;
    uint64_t end = offset + bytes;
    struct iovec *part = g_new(struct iovec, niov);
    int ret = 0;

    for (uint64_t pos = offset; pos < end && ret == 0;) {
        uint64_t sector = pos / BDRV_SECTOR_SIZE;
        uint64_t last = (end - 1) / BDRV_SECTOR_SIZE;
        bool allocated;
        uint64_t n = map_run(s, sector, last - sector + 1, &allocated);
        uint64_t run_end = MIN(end, (sector + n) * BDRV_SECTOR_SIZE);
        int cnt = iov_slice(iov, niov, pos - offset, run_end - pos, part);
        ret = bdrv_preadv(allocated ? bs->file : bs->backing, pos, run_end - pos, part, cnt);
        pos = run_end;
    }
    g_free(part);
    return ret;
}

/* Is sector @sector only partly covered by [offset, end) and not in the overlay? */
static bool needs_copy(SnapshotState *s, uint64_t sector, uint64_t offset, uint64_t end)
{
    uint64_t start = sector * BDRV_SECTOR_SIZE;
    if (start >= offset && start + BDRV_SECTOR_SIZE <= end) {
        return false;
    }
    g_mutex_lock(&s->map_lock);
    bool allocated = map_test(s, sector);
    g_mutex_unlock(&s->map_lock);
    return !allocated;
}

/* Copy sector @sector from the image, merge the part of the request in it, and
 * store it in the overlay. */
static int copy_sector(BlockDriverState *bs, uint64_t sector, uint64_t offset, uint64_t end,
                       const struct iovec *iov, int niov)
{
    uint8_t buf[BDRV_SECTOR_SIZE];
    uint64_t start = sector * BDRV_SECTOR_SIZE;
    uint64_t from = MAX(start, offset);
    uint64_t to = MIN(start + BDRV_SECTOR_SIZE, end);
    int ret = bdrv_pread(bs->backing, start, buf, sizeof(buf));
    if (ret < 0) {
        return ret;
    }
    iov_to_buf(iov, niov, from - offset, buf + (from - start), to - from);
    ret = bdrv_pwrite(bs->file, start, buf, sizeof(buf));
    if (ret == 0) {
        map_set(bs->opaque, sector, 1);
    }
    return ret;
}

static int snapshot_pwritev(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                            const struct iovec *iov, int niov)
{
    SnapshotState *s = bs->opaque;
    uint64_t end = offset + bytes;
    uint64_t first = offset / BDRV_SECTOR_SIZE;
    uint64_t last = (end - 1) / BDRV_SECTOR_SIZE;
    bool rmw = needs_copy(s, first, offset, end) || needs_copy(s, last, offset, end);
    int ret = 0;

    if (rmw) {
        g_rw_lock_writer_lock(&s->write_lock);
    } else {
        g_rw_lock_reader_lock(&s->write_lock);
    }
    /* Edge sectors to copy first (looked at again now that writes are held). */
    uint64_t lo = offset, hi = end;
    if (rmw && needs_copy(s, first, offset, end)) {
        ret = copy_sector(bs, first, offset, end, iov, niov);
        lo = MIN(end, (first + 1) * BDRV_SECTOR_SIZE);
    }
    if (ret == 0 && rmw && last != first && needs_copy(s, last, offset, end)) {
        ret = copy_sector(bs, last, offset, end, iov, niov);
        hi = last * BDRV_SECTOR_SIZE;
    }
    if (ret == 0 && lo < hi) {
        struct iovec *part = g_new(struct iovec, niov);
        int cnt = iov_slice(iov, niov, lo - offset, hi - lo, part);
        ret = bdrv_pwritev(bs->file, lo, hi - lo, part, cnt);
        g_free(part);
        if (ret == 0) {
            /* Whole sectors written; partly written ones were already here. */
            uint64_t a = lo / BDRV_SECTOR_SIZE, b = (hi - 1) / BDRV_SECTOR_SIZE;
            map_set(s, a, b - a + 1);
        }
    }
    if (rmw) {
        g_rw_lock_writer_unlock(&s->write_lock);
    } else {
        g_rw_lock_reader_unlock(&s->write_lock);
    }
    return ret;
}

static void snapshot_close(BlockDriverState *bs)
{
    SnapshotState *s = bs->opaque;
    for (size_t i = 0; i < s->nchunks; i++) {
        g_free(s->chunks[i]);
    }
    g_free(s->chunks);
    g_mutex_clear(&s->map_lock);
    g_rw_lock_clear(&s->write_lock);
    g_free(s);
}

static const BlockDriver bdrv_snapshot = {
    .name = "snapshot",
    .preadv = snapshot_preadv,
    .pwritev = snapshot_pwritev,
    .flush = NULL,          /* the overlay is thrown away: flushes are no-ops */
    .close = snapshot_close,
};

BlockDriverState *bdrv_snapshot_open(BlockDriverState *base, Error **errp)
{
    const char *dir = g_getenv("TMPDIR");
    if (!dir || !*dir) {
        dir = "/var/tmp";   /* QEMU's choice: often disk-backed, unlike /tmp */
    }
    g_autofree char *path = g_build_filename(dir, "emu-snapshot-XXXXXX", NULL);
    int fd = g_mkstemp_full(path, O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        error_setg_errno(errp, errno, "-snapshot: cannot create the temporary overlay "
                         "for '%s' in '%s'", base->filename, dir);
        return NULL;
    }
    unlink(path);
    if (ftruncate(fd, base->length) < 0) {
        error_setg_errno(errp, errno, "-snapshot: cannot size the temporary overlay for "
                         "'%s' in '%s'", base->filename, dir);
        close(fd);
        return NULL;
    }

    SnapshotState *s = g_new0(SnapshotState, 1);
    g_mutex_init(&s->map_lock);
    g_rw_lock_init(&s->write_lock);
    s->nsectors = base->length / BDRV_SECTOR_SIZE;
    s->nchunks = (s->nsectors + CHUNK_SECTORS - 1) / CHUNK_SECTORS;
    s->chunks = g_new0(uint64_t *, MAX(s->nchunks, 1));

    BlockDriverState *bs = g_new0(BlockDriverState, 1);
    bs->drv = &bdrv_snapshot;
    bs->opaque = s;
    bs->filename = g_strdup(base->filename);
    bs->length = base->length;
    bs->cache = base->cache;
    bs->cache.no_flush = true;
    bs->file = bdrv_file_open_fd(fd, path, base->length);
    bs->backing = base;
    return bs;
}
