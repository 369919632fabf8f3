/*
 * Block layer tests: asynchronous I/O completing on the main loop, every cache
 * mode (O_DIRECT checked in the kernel's view of the descriptor), the bounce
 * buffer for unaligned O_DIRECT requests, the -snapshot overlay, image locking
 * against this process, a child process and QEMU's lock layout, end-of-file
 * padding, errors (read-only, out of range, ENOSPC on a tiny tmpfs, open
 * failures) and the -drive registry's QEMU rules.
 *
 * The oracle for data is the file itself, read and written with plain POSIX
 * calls on a separate descriptor, and a byte array model of the disk.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "block/block-backend.h"
#include "block/drive.h"
#include "system/main-loop.h"
#include "system/iothread.h"

static char *testdir;
static GThread *main_thread;

static char *test_path(const char *name)
{
    return g_build_filename(testdir, name, NULL);
}

/* Deterministic bytes: the content of a fresh image at @off. */
static uint8_t pattern(uint64_t off)
{
    return (uint8_t)(off * 131 + (off >> 9) * 7 + 1);
}

static char *make_image(const char *name, size_t size)
{
    char *path = test_path(name);
    g_autofree uint8_t *buf = g_malloc(size);
    for (size_t i = 0; i < size; i++) {
        buf[i] = pattern(i);
    }
    unlink(path);
    g_assert_true(g_file_set_contents(path, (char *)buf, size, NULL));
    return path;
}

/* The file's bytes as another process would see them. */
static uint8_t *read_file(const char *path, size_t *len)
{
    gchar *data;
    gsize n;
    g_assert_true(g_file_get_contents(path, &data, &n, NULL));
    *len = n;
    return (uint8_t *)data;
}

static off_t file_size(const char *path)
{
    struct stat st;
    g_assert_cmpint(stat(path, &st), ==, 0);
    return st.st_size;
}

static BlockBackend *open_image(const char *path, const char *cache, bool ro, bool snap,
                                Error **errp)
{
    BlockOpenOptions o = { .filename = path, .read_only = ro, .snapshot = snap };
    if (cache) {
        g_assert_true(blk_parse_cache_mode(cache, &o.cache));
    }
    return blk_new_open("test", &o, errp);
}

/* The flags of this process's open descriptors on @path's inode, or -1. */
static int kernel_fd_flags(const char *path, int *count)
{
    struct stat want;
    int flags = -1;
    *count = 0;
    g_assert_cmpint(stat(path, &want), ==, 0);
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    while ((de = readdir(d))) {
        struct stat st;
        g_autofree char *p = g_strdup_printf("/proc/self/fd/%s", de->d_name);
        if (de->d_name[0] == '.' || stat(p, &st) < 0 || st.st_ino != want.st_ino ||
            st.st_dev != want.st_dev) {
            continue;
        }
        g_autofree char *info = g_strdup_printf("/proc/self/fdinfo/%s", de->d_name);
        g_autofree char *text = NULL;
        if (g_file_get_contents(info, &text, NULL, NULL)) {
            char *f = strstr(text, "flags:");
            if (f) {
                flags = strtol(f + 6, NULL, 8);
                (*count)++;
            }
        }
    }
    closedir(d);
    return flags;
}

/* ---- waiting on the main loop ---- */

typedef struct Done {
    bool done;
    int ret;
    bool on_main_thread;
    bool bql;
    int order;
} Done;

static int completion_counter;

static void done_cb(void *opaque, int ret)
{
    Done *d = opaque;
    d->done = true;
    d->ret = ret;
    d->on_main_thread = g_thread_self() == main_thread;
    d->bql = bql_locked();
    d->order = completion_counter++;
}

static void wait_all(Done *d, int n)
{
    gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    for (;;) {
        bool all = true;
        for (int i = 0; i < n; i++) {
            all &= d[i].done;
        }
        if (all) {
            return;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        main_loop_wait(false);
    }
}

/* ---- asynchronous I/O through the main loop ---- */

static void test_async_rw(void)
{
    g_autofree char *path = make_image("async.img", 1 << 20);
    BlockBackend *blk = open_image(path, NULL, false, false, &error_abort);
    g_assert_cmpint(blk_getlength(blk), ==, 1 << 20);

    /* A read: the callback runs later, on the main loop, with the big lock. */
    uint8_t buf[4096];
    Done d = { 0 };
    blk_aio_pread(blk, 8192, buf, sizeof(buf), done_cb, &d);
    g_assert_false(d.done);
    g_assert_cmpuint(blk_in_flight(blk), ==, 1);
    wait_all(&d, 1);
    g_assert_cmpint(d.ret, ==, 0);
    g_assert_true(d.on_main_thread);
    g_assert_true(d.bql);
    g_assert_cmpuint(blk_in_flight(blk), ==, 0);
    for (size_t i = 0; i < sizeof(buf); i++) {
        g_assert_cmpuint(buf[i], ==, pattern(8192 + i));
    }

    /* 64 writes in flight at once, scattered, then a flush. */
    enum { N = 64 };
    Done w[N] = { 0 };
    static uint8_t wbuf[N][1536];
    for (int i = 0; i < N; i++) {
        memset(wbuf[i], 0xa0 + i, sizeof(wbuf[i]));
        /* A two-piece iovec: 512 + 1024 bytes. */
        struct iovec iov[2] = {
            { .iov_base = wbuf[i], .iov_len = 512 },
            { .iov_base = wbuf[i] + 512, .iov_len = 1024 },
        };
        blk_aio_pwritev(blk, (int64_t)i * 16384, iov, 2, done_cb, &w[i]);
    }
    wait_all(w, N);
    for (int i = 0; i < N; i++) {
        g_assert_cmpint(w[i].ret, ==, 0);
        g_assert_true(w[i].on_main_thread && w[i].bql);
    }
    Done f = { 0 };
    blk_aio_flush(blk, done_cb, &f);
    wait_all(&f, 1);
    g_assert_cmpint(f.ret, ==, 0);

    size_t len;
    g_autofree uint8_t *file = read_file(path, &len);
    g_assert_cmpuint(len, ==, 1 << 20);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < 1536; j++) {
            g_assert_cmpuint(file[i * 16384 + j], ==, 0xa0 + i);
        }
        g_assert_cmpuint(file[i * 16384 + 1536], ==, pattern(i * 16384 + 1536));
    }

    /* blk_drain waits for requests and runs their callbacks itself. */
    Done r[8] = { 0 };
    static uint8_t rbuf[8][512];
    for (int i = 0; i < 8; i++) {
        blk_aio_pread(blk, 512 * i, rbuf[i], 512, done_cb, &r[i]);
    }
    blk_drain(blk);
    for (int i = 0; i < 8; i++) {
        g_assert_true(r[i].done);
        g_assert_cmpint(r[i].ret, ==, 0);
    }
    g_assert_cmpuint(rbuf[1][0], ==, 0xa0);   /* written above at 0 */
    blk_unref(blk);
}

/* ---- cache modes ---- */

static bool odirect_works(const char *dir)
{
    g_autofree char *p = g_build_filename(dir, "odirect-probe", NULL);
    int fd = open(p, O_RDWR | O_CREAT | O_DIRECT, 0600);
    if (fd >= 0) {
        close(fd);
    }
    unlink(p);
    return fd >= 0;
}

static void test_cache_modes(void)
{
    static const char *const modes[] = { "writeback", "writethrough", "none", "directsync",
                                         "unsafe" };
    if (!odirect_works(testdir)) {
        g_test_skip("O_DIRECT is not supported in the test directory");
        return;
    }
    for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
        g_autofree char *path = make_image("cache.img", 256 * 1024);
        BlockBackend *blk = open_image(path, modes[m], false, false, &error_abort);
        BlockCacheMode c;
        g_assert_true(blk_parse_cache_mode(modes[m], &c));
        bool direct = !strcmp(modes[m], "none") || !strcmp(modes[m], "directsync");
        bool wt = !strcmp(modes[m], "writethrough") || !strcmp(modes[m], "directsync");

        /* The kernel's view: O_DIRECT on the descriptor exactly for these modes. */
        int n;
        int flags = kernel_fd_flags(path, &n);
        g_assert_cmpint(n, ==, 1);
        g_assert_cmpint(!!(flags & O_DIRECT), ==, direct);
        g_assert_cmpint(flags & O_ACCMODE, ==, O_RDWR);
        g_assert_cmpint(blk_enable_write_cache(blk), ==, !wt);
        BlockCacheMode got = blk_get_cache_mode(blk);
        g_assert_cmpint(got.direct, ==, direct);
        g_assert_cmpint(got.no_flush, ==, !strcmp(modes[m], "unsafe"));

        /* Aligned I/O from an aligned buffer, read back both ways. */
        uint8_t *buf = g_malloc(65536);
        void *abuf = NULL;
        g_assert_cmpint(posix_memalign(&abuf, 4096, 65536), ==, 0);
        memset(abuf, 0x5a + m, 65536);
        g_assert_cmpint(blk_pwrite(blk, 65536, abuf, 65536), ==, 0);
        g_assert_cmpint(blk_flush(blk), ==, 0);
        memset(abuf, 0, 65536);
        g_assert_cmpint(blk_pread(blk, 65536, abuf, 65536), ==, 0);
        g_assert_cmpuint(((uint8_t *)abuf)[65535], ==, 0x5a + m);
        g_assert_cmpint(blk_pread(blk, 0, abuf, 4096), ==, 0);
        g_assert_cmpuint(((uint8_t *)abuf)[4095], ==, pattern(4095));
        size_t len;
        g_autofree uint8_t *file = read_file(path, &len);
        g_assert_cmpuint(file[65536], ==, 0x5a + m);
        g_assert_cmpuint(file[131071], ==, 0x5a + m);
        g_assert_cmpuint(file[131072], ==, pattern(131072));
        free(abuf);
        g_free(buf);
        blk_unref(blk);
        g_assert_cmpint(kernel_fd_flags(path, &n), ==, -1);   /* closed */
    }
}

/* ---- O_DIRECT bounce buffers ---- */

static void check_model(const char *path, const uint8_t *model, size_t size)
{
    size_t len;
    g_autofree uint8_t *file = read_file(path, &len);
    g_assert_cmpuint(len, ==, size);
    for (size_t i = 0; i < size; i++) {
        if (file[i] != model[i]) {
            g_error("byte %zu: file has %02x, model %02x", i, file[i], model[i]);
        }
    }
}

static void test_bounce(void)
{
    if (!odirect_works(testdir)) {
        g_test_skip("O_DIRECT is not supported in the test directory");
        return;
    }
    enum { SIZE = 3 * 65536 + 1536 };   /* not a multiple of 4096 */
    g_autofree char *path = make_image("bounce.img", SIZE);
    g_autofree uint8_t *model = g_malloc(SIZE);
    for (size_t i = 0; i < SIZE; i++) {
        model[i] = pattern(i);
    }
    BlockBackend *blk = open_image(path, "none", false, false, &error_abort);
    int n;
    g_assert_true(kernel_fd_flags(path, &n) & O_DIRECT);

    /* Unaligned buffer, offset and length: read. */
    uint8_t *raw = g_malloc(70000 + 64);
    uint8_t *buf = raw + 3;
    g_assert_cmpint(blk_pread(blk, 1001, buf, 70000), ==, 0);
    g_assert_cmpint(memcmp(buf, model + 1001, 70000), ==, 0);

    /* Unaligned writes keep the bytes around them (read-modify-write). */
    GRand *r = g_rand_new_with_seed(42);
    for (int i = 0; i < 300; i++) {
        uint32_t len = g_rand_int_range(r, 1, 9000);
        uint32_t off = g_rand_int_range(r, 0, SIZE - len);
        for (uint32_t j = 0; j < len; j++) {
            buf[j] = g_rand_int(r);
        }
        if (g_rand_boolean(r)) {
            g_assert_cmpint(blk_pwrite(blk, off, buf, len), ==, 0);
            memcpy(model + off, buf, len);
        } else {
            /* A three-piece iovec with odd pieces. */
            uint32_t a = len / 3, b = len / 3;
            struct iovec iov[3] = {
                { .iov_base = buf, .iov_len = a },
                { .iov_base = buf + a + 7, .iov_len = b },
                { .iov_base = buf + a + b + 13, .iov_len = len - a - b },
            };
            uint8_t *chk = g_malloc(len);
            Done d = { 0 };
            blk_aio_preadv(blk, off, iov, 3, done_cb, &d);
            wait_all(&d, 1);
            g_assert_cmpint(d.ret, ==, 0);
            memcpy(chk, buf, a);
            memcpy(chk + a, buf + a + 7, b);
            memcpy(chk + a + b, buf + a + b + 13, len - a - b);
            g_assert_cmpint(memcmp(chk, model + off, len), ==, 0);
            g_free(chk);
        }
    }
    g_rand_free(r);
    check_model(path, model, SIZE);
    /* The padding of the last block never grew the image. */
    g_assert_cmpint(file_size(path), ==, SIZE);

    /* Neighbouring unaligned writes in flight together, inside shared 4 KiB
     * blocks: a read-modify-write racing another would lose one of them. */
    enum { W = 48 };
    Done d[W] = { 0 };
    static uint8_t small[W][100];
    for (int i = 0; i < W; i++) {
        memset(small[i], 0x30 + i, 100);
        blk_aio_pwrite(blk, 5000 + i * 100, small[i], 100, done_cb, &d[i]);
        memset(model + 5000 + i * 100, 0x30 + i, 100);
    }
    wait_all(d, W);
    for (int i = 0; i < W; i++) {
        g_assert_cmpint(d[i].ret, ==, 0);
    }
    check_model(path, model, SIZE);

    /* A write ending in the last, partial 4 KiB block. */
    memset(buf, 0xee, 700);
    g_assert_cmpint(blk_pwrite(blk, SIZE - 700, buf, 700), ==, 0);
    memset(model + SIZE - 700, 0xee, 700);
    check_model(path, model, SIZE);
    g_assert_cmpint(file_size(path), ==, SIZE);
    g_free(raw);
    blk_unref(blk);
}

/* ---- end of file ---- */

static void test_eof(void)
{
    /* 1000 bytes: QEMU shows 1024 (two sectors); the tail reads as zeros. */
    g_autofree char *path = NULL;
    for (int direct = 0; direct < 2; direct++) {
        if (direct && !odirect_works(testdir)) {
            continue;
        }
        g_free(path);
        path = make_image("odd.img", 1000);
        BlockBackend *blk = open_image(path, direct ? "none" : NULL, false, false,
                                       &error_abort);
        g_assert_cmpint(blk_getlength(blk), ==, 1024);
        uint8_t buf[1024];
        memset(buf, 0xff, sizeof(buf));
        g_assert_cmpint(blk_pread(blk, 0, buf, 1024), ==, 0);
        for (int i = 0; i < 1000; i++) {
            g_assert_cmpuint(buf[i], ==, pattern(i));
        }
        for (int i = 1000; i < 1024; i++) {
            g_assert_cmpuint(buf[i], ==, 0);
        }
        /* Past the end: -EIO, as QEMU's range check. */
        g_assert_cmpint(blk_pread(blk, 1024, buf, 1), ==, -EIO);
        g_assert_cmpint(blk_pread(blk, 512, buf, 513), ==, -EIO);
        g_assert_cmpint(blk_pread(blk, -512, buf, 512), ==, -EIO);
        g_assert_cmpint(blk_pwrite(blk, 1020, buf, 8), ==, -EIO);
        /* Zero-length requests succeed. */
        g_assert_cmpint(blk_pread(blk, 1024, buf, 0), ==, 0);
        /* A small write inside keeps the file at 1000 bytes. */
        g_assert_cmpint(blk_pwrite(blk, 10, "abc", 3), ==, 0);
        g_assert_cmpint(file_size(path), ==, 1000);
        blk_unref(blk);
    }
    /* Writing the last sector fills the file up to it (QEMU does the same). */
    BlockBackend *blk = open_image(path, NULL, false, false, &error_abort);
    uint8_t sec[512];
    memset(sec, 0x77, sizeof(sec));
    g_assert_cmpint(blk_pwrite(blk, 512, sec, 512), ==, 0);
    g_assert_cmpint(file_size(path), ==, 1024);
    blk_unref(blk);
}

/* ---- -snapshot ---- */

static int count_overlays(void)
{
    int n = 0;
    DIR *d = opendir(testdir);
    struct dirent *de;
    while ((de = readdir(d))) {
        n += g_str_has_prefix(de->d_name, "emu-snapshot-");
    }
    closedir(d);
    return n;
}

/* ---- fast paths: on-the-spot I/O and completion on the worker ---- */

/* The kernel's answer for this directory, asked directly: the oracle. */
static bool nowait_writes_work(const char *dir)
{
    g_autofree char *p = g_build_filename(dir, "nowait-probe", NULL);
    int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
    char buf[4096] = { 1 };
    struct iovec v = { .iov_base = buf, .iov_len = sizeof(buf) };
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, buf, sizeof(buf), 0), ==, sizeof(buf));
    bool ok = pwritev2(fd, &v, 1, 0, RWF_NOWAIT) == sizeof(buf);
    close(fd);
    unlink(p);
    return ok;
}

static void test_nowait(void)
{
    g_autofree char *path = make_image("nowait.img", 1 << 20);
    size_t len;
    g_free(read_file(path, &len));          /* now in the page cache */
    BlockBackend *blk = open_image(path, NULL, false, false, &error_abort);
    uint8_t a[1024], b[3072];
    struct iovec two[2] = { { a, sizeof(a) }, { b, sizeof(b) } };

    /* A cached read, done on the spot: no callback, nothing in flight. */
    g_assert_cmpint(blk_try_preadv_nowait(blk, 12288, two, 2), ==, 0);
    g_assert_cmpuint(blk_in_flight(blk), ==, 0);
    for (int i = 0; i < 4096; i++) {
        g_assert_cmpuint(i < 1024 ? a[i] : b[i - 1024], ==, pattern(12288 + i));
    }
    /* Out of range, negative, empty: the asynchronous path's to refuse. */
    struct iovec one = { a, 512 }, none = { a, 0 };
    g_assert_cmpint(blk_try_preadv_nowait(blk, (1 << 20) - 256, &one, 1), ==, -EAGAIN);
    g_assert_cmpint(blk_try_preadv_nowait(blk, -512, &one, 1), ==, -EAGAIN);
    g_assert_cmpint(blk_try_preadv_nowait(blk, 0, &none, 1), ==, -EAGAIN);
    g_assert_cmpint(blk_try_pwritev_nowait(blk, 1 << 20, &one, 1), ==, -EAGAIN);

    /* A write: done exactly where the kernel does non-blocking buffered writes. */
    memset(a, 0x77, sizeof(a));
    struct iovec w = { a, 1024 };
    int r = blk_try_pwritev_nowait(blk, 4096, &w, 1);
    g_autofree uint8_t *file = read_file(path, &len);
    if (nowait_writes_work(testdir)) {
        g_assert_cmpint(r, ==, 0);
        for (int i = 0; i < 1024; i++) {
            g_assert_cmpuint(file[4096 + i], ==, 0x77);
        }
    } else {
        g_assert_cmpint(r, ==, -EAGAIN);
        g_assert_cmpuint(file[4096], ==, pattern(4096));
    }
    g_assert_cmpuint(file[4096 + 1024], ==, pattern(4096 + 1024));
    blk_unref(blk);

    /* Write cache off (each write flushed) and read-only: never on the spot. */
    static const struct { const char *cache; bool ro; } no_write[] = {
        { "writethrough", false }, { NULL, true },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(no_write); i++) {
        g_autofree uint8_t *before = read_file(path, &len);
        blk = open_image(path, no_write[i].cache, no_write[i].ro, false, &error_abort);
        memset(a, 0x99, sizeof(a));
        g_assert_cmpint(blk_try_pwritev_nowait(blk, 8192, &w, 1), ==, -EAGAIN);
        g_assert_cmpint(blk_try_preadv_nowait(blk, 0, &one, 1), ==, 0);
        g_assert_cmpuint(a[5], ==, before[5]);
        blk_unref(blk);
        g_autofree uint8_t *after = read_file(path, &len);
        g_assert_cmpmem(before, 1 << 20, after, 1 << 20);
    }

    /* The -snapshot overlay and O_DIRECT have no on-the-spot path. */
    blk = open_image(path, NULL, false, true, &error_abort);
    g_assert_cmpint(blk_try_preadv_nowait(blk, 0, &one, 1), ==, -EAGAIN);
    g_assert_cmpint(blk_try_pwritev_nowait(blk, 0, &one, 1), ==, -EAGAIN);
    blk_unref(blk);
    if (odirect_works(testdir)) {
        blk = open_image(path, "none", false, false, &error_abort);
        g_assert_cmpint(blk_try_preadv_nowait(blk, 0, &one, 1), ==, -EAGAIN);
        blk_unref(blk);
    }

    /* The padded tail of an image that is not a sector multiple: short, so
     * the blocking path (which zero-fills) must do it. */
    g_autofree char *odd = make_image("odd-nowait.img", 1000);
    blk = open_image(odd, NULL, false, false, &error_abort);
    g_assert_cmpint(blk_try_preadv_nowait(blk, 512, &one, 1), ==, -EAGAIN);
    g_assert_cmpint(blk_try_preadv_nowait(blk, 0, &one, 1), ==, 0);
    blk_unref(blk);
}

typedef struct CachedDrain {
    BlockBackend *blk;
    int stop;                   /* atomic */
    int drains;
} CachedDrain;

static gpointer cached_drain_thread(gpointer opaque)
{
    CachedDrain *c = opaque;
    while (!g_atomic_int_get(&c->stop)) {
        blk_drain(c->blk);
        c->drains++;
    }
    return NULL;
}

/*
 * blk_try_pwritev_cached: in the thread that owns the backend's context a
 * buffered write is done right there (the file, read back with POSIX calls,
 * is the oracle); everywhere else, and for what must not be done that way
 * (the big lock held, O_DIRECT, write cache off, read-only, too big, out of
 * range), -EAGAIN and the file unchanged. A drain in another thread never
 * misses the end of one (it would sleep forever).
 */
static void test_cached_write(void)
{
    g_autofree char *path = make_image("cached.img", 4 << 20);
    size_t len;
    static uint8_t buf[512 * 1024];
    struct iovec w = { buf, 4096 };
    GMainContext *ctx = g_main_context_new();

    /* A main-loop backend: never. */
    BlockBackend *blk = open_image(path, NULL, false, false, &error_abort);
    bql_unlock();
    memset(buf, 0x5a, sizeof(buf));
    g_assert_cmpint(blk_try_pwritev_cached(blk, 0, &w, 1), ==, -EAGAIN);
    blk_set_aio_context(blk, ctx);
    /* Not the context's owner: no. */
    g_assert_cmpint(blk_try_pwritev_cached(blk, 0, &w, 1), ==, -EAGAIN);
    g_assert_true(g_main_context_acquire(ctx));
    /* The owner with the big lock: no. */
    bql_lock();
    g_assert_cmpint(blk_try_pwritev_cached(blk, 0, &w, 1), ==, -EAGAIN);
    bql_unlock();
    g_autofree uint8_t *file = read_file(path, &len);
    g_assert_cmpuint(file[0], ==, pattern(0));

    /* The owner: done, nothing in flight, the bytes in the file. */
    struct iovec two[2] = { { buf, 1024 }, { buf + 8192, 3072 } };
    memset(buf + 8192, 0xa5, 3072);
    g_assert_cmpint(blk_try_pwritev_cached(blk, 65536, two, 2), ==, 0);
    g_assert_cmpuint(blk_in_flight(blk), ==, 0);
    g_free(file);
    file = read_file(path, &len);
    for (int i = 0; i < 4096; i++) {
        g_assert_cmpuint(file[65536 + i], ==, i < 1024 ? 0x5a : 0xa5);
    }
    g_assert_cmpuint(file[65535], ==, pattern(65535));
    g_assert_cmpuint(file[65536 + 4096], ==, pattern(65536 + 4096));
    /* Too big, out of range, negative, empty. */
    struct iovec big = { buf, (1 << 20) + 512 }, none = { buf, 0 };   /* never read */
    g_assert_cmpint(blk_try_pwritev_cached(blk, 0, &big, 1), ==, -EAGAIN);
    g_assert_cmpint(blk_try_pwritev_cached(blk, (4 << 20) - 2048, &w, 1), ==, -EAGAIN);
    g_assert_cmpint(blk_try_pwritev_cached(blk, -4096, &w, 1), ==, -EAGAIN);
    g_assert_cmpint(blk_try_pwritev_cached(blk, 0, &none, 1), ==, -EAGAIN);

    /* Another thread draining all along: each drain returns. */
    CachedDrain c = { .blk = blk };
    GThread *t = g_thread_new("drain", cached_drain_thread, &c);
    gint64 end = g_get_monotonic_time() + G_USEC_PER_SEC / 2;
    int i = 0;
    while (i < 64 || g_get_monotonic_time() < end) {
        buf[0] = i;
        g_assert_cmpint(blk_try_pwritev_cached(blk, (i % 64) * 4096, &w, 1), ==, 0);
        i++;
    }
    g_atomic_int_set(&c.stop, 1);
    g_thread_join(t);
    g_assert_cmpint(c.drains, >, 0);
    int last = (i - 64) / 64 * 64 + 63;     /* the last write at 63 * 4096 */
    blk_set_aio_context(blk, NULL);
    g_main_context_release(ctx);
    blk_unref(blk);
    g_free(file);
    file = read_file(path, &len);
    g_assert_cmpuint(file[63 * 4096], ==, (uint8_t)last);

    /* Write cache off, read-only, O_DIRECT: never, the file unchanged. */
    static const struct { const char *cache; bool ro; } no_write[] = {
        { "writethrough", false }, { NULL, true }, { "none", false },
    };
    for (size_t k = 0; k < G_N_ELEMENTS(no_write); k++) {
        if (no_write[k].cache && !strcmp(no_write[k].cache, "none") &&
            !odirect_works(testdir)) {
            continue;
        }
        blk = open_image(path, no_write[k].cache, no_write[k].ro, false, &error_abort);
        blk_set_aio_context(blk, ctx);
        g_assert_true(g_main_context_acquire(ctx));
        memset(buf, 0x11, 4096);
        g_assert_cmpint(blk_try_pwritev_cached(blk, 0, &w, 1), ==, -EAGAIN);
        blk_set_aio_context(blk, NULL);
        g_main_context_release(ctx);
        blk_unref(blk);
        g_autofree uint8_t *after = read_file(path, &len);
        g_assert_cmpmem(file, 1 << 20, after, 1 << 20);
    }
    bql_lock();
    g_main_context_unref(ctx);
}

typedef struct StopRun {
    BlockBackend *blk;
    Done d[32];
    uint8_t buf[32][4096];
} StopRun;

/* In the iothread: 32 writes whose callbacks run there. */
static void stop_submit(void *opaque)
{
    StopRun *r = opaque;
    for (int i = 0; i < 32; i++) {
        memset(r->buf[i], 0x40 + i, sizeof(r->buf[i]));
        blk_aio_pwrite(r->blk, i * 4096, r->buf[i], sizeof(r->buf[i]), done_cb, &r->d[i]);
    }
}

static void mark_done(void *opaque)
{
    ((Done *)opaque)->done = true;
}

/*
 * iothread_stop_all (emu's exit): with requests of a backend served by an
 * iothread still in flight, it returns only when all of them have completed
 * (their callbacks run in the iothread) and the thread is gone from the
 * kernel's list; the data is in the file. A stopped iothread still runs
 * iothread_run_sync calls (on the caller, as the context's owner).
 */
static void test_iothread_stop(void)
{
    g_autofree char *path = make_image("iothread-stop.img", 1 << 20);
    Object *obj = object_new(TYPE_IOTHREAD);
    object_property_add_child(object_get_objects_root(), "io-stop", obj);
    object_unref(obj);
    UserCreatableClass *ucc =
        (UserCreatableClass *)object_get_interface(obj, TYPE_USER_CREATABLE);
    g_assert_true(ucc->complete(obj, &error_abort));
    IOThread *t = IOTHREAD(obj);
    g_autofree char *task = g_strdup_printf("/proc/self/task/%d", t->thread_id);
    g_assert_true(g_file_test(task, G_FILE_TEST_IS_DIR));

    StopRun *r = g_new0(StopRun, 1);
    r->blk = open_image(path, NULL, false, false, &error_abort);
    blk_set_aio_context(r->blk, iothread_get_context(t));
    completion_counter = 0;
    iothread_run_sync(t, stop_submit, r);
    iothread_stop_all();
    g_assert_false(g_file_test(task, G_FILE_TEST_EXISTS));
    g_assert_cmpuint(blk_in_flight(r->blk), ==, 0);
    for (int i = 0; i < 32; i++) {
        g_assert_true(r->d[i].done);
        g_assert_cmpint(r->d[i].ret, ==, 0);
        g_assert_false(r->d[i].on_main_thread);
        g_assert_false(r->d[i].bql);
    }
    size_t len;
    g_autofree uint8_t *file = read_file(path, &len);
    for (int i = 0; i < 32; i++) {
        g_assert_cmpuint(file[i * 4096], ==, 0x40 + i);
        g_assert_cmpuint(file[i * 4096 + 4095], ==, 0x40 + i);
    }
    /* Stopped: a synchronous call runs right here. */
    r->d[0].done = false;
    iothread_run_sync(t, mark_done, &r->d[0]);
    g_assert_true(r->d[0].done);
    blk_set_aio_context(r->blk, NULL);
    blk_unref(r->blk);
    object_unparent(obj);
    g_free(r);
}

static void wait_done_unlocked(Done *d, int n)
{
    gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    for (;;) {
        bool all = true;
        for (int i = 0; i < n; i++) {
            all &= __atomic_load_n(&d[i].done, __ATOMIC_ACQUIRE);
        }
        if (all) {
            return;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(1000);
    }
}

static void test_complete_on_worker(void)
{
    g_autofree char *path = make_image("worker.img", 1 << 20);
    BlockBackend *blk = open_image(path, NULL, false, false, &error_abort);
    blk_set_complete_on_worker(blk, true);

    /*
     * With the big lock free and no main loop running, the worker runs the
     * callback itself, holding the lock. One request at a time, submitted
     * without the lock, so that no completion can find it taken (by this
     * thread or the previous worker); without the opt-in they would wait for
     * a main loop that never runs.
     */
    enum { N = 24 };
    Done d[N] = { 0 };
    static uint8_t buf[N][512];
    bql_unlock();
    for (int i = 0; i < N; i++) {
        blk_aio_pread(blk, 4096 * i, buf[i], 512, done_cb, &d[i]);
        wait_done_unlocked(&d[i], 1);
        while (blk_in_flight(blk)) {           /* it drops after the callback */
            g_usleep(100);
        }
        bql_lock();                            /* the worker has let it go */
        bql_unlock();
    }
    bql_lock();
    for (int i = 0; i < N; i++) {
        g_assert_cmpint(d[i].ret, ==, 0);
        g_assert_false(d[i].on_main_thread);
        g_assert_true(d[i].bql);
        g_assert_cmpuint(buf[i][7], ==, pattern(4096 * i + 7));
    }

    /*
     * A drain holding the big lock while workers finish: they find the lock
     * taken and queue the requests for it. No deadlock; every callback runs
     * once, here.
     */
    Done e[N];
    for (int round = 0; round < 3; round++) {
        memset(e, 0, sizeof(e));
        for (int i = 0; i < N; i++) {
            blk_aio_pwrite(blk, 65536 + 512 * i, buf[i], 512, done_cb, &e[i]);
        }
        if (round == 1) {
            g_usleep(20000);                   /* let the workers finish first */
        }
        blk_drain(blk);
        g_assert_cmpuint(blk_in_flight(blk), ==, 0);
        for (int i = 0; i < N; i++) {
            g_assert_true(e[i].done && e[i].bql && e[i].on_main_thread);
            g_assert_cmpint(e[i].ret, ==, 0);
        }
    }
    size_t len;
    g_autofree uint8_t *file = read_file(path, &len);
    for (int i = 0; i < N; i++) {
        g_assert_cmpmem(file + 65536 + 512 * i, 512, buf[i], 512);
    }
    /* The synchronous helpers wait on the same queue. */
    uint8_t x[512];
    g_assert_cmpint(blk_pread(blk, 65536 + 512 * 3, x, 512), ==, 0);
    g_assert_cmpmem(x, 512, buf[3], 512);
    blk_unref(blk);

    /* Without the opt-in: the main loop, as before. */
    blk = open_image(path, NULL, false, false, &error_abort);
    Done m = { 0 };
    blk_aio_pread(blk, 0, buf[0], 512, done_cb, &m);
    bql_unlock();
    g_usleep(50000);
    bql_lock();
    g_assert_false(m.done);
    wait_all(&m, 1);
    g_assert_true(m.on_main_thread && m.bql);
    blk_unref(blk);
}

static void test_snapshot(void)
{
    enum { SIZE = 1 << 20 };
    g_autofree char *path = make_image("snap.img", SIZE);
    size_t len;
    g_autofree uint8_t *orig = read_file(path, &len);
    g_autofree uint8_t *model = g_memdup2(orig, SIZE);
    struct stat before;
    g_assert_cmpint(stat(path, &before), ==, 0);

    /* main() pointed TMPDIR at testdir, where the overlay must not show. The
     * image is read with O_DIRECT where possible: slower reads of the image
     * widen the window the concurrent writes below could race in. */
    BlockBackend *blk = open_image(path, odirect_works(testdir) ? "none" : NULL, false,
                                   true, &error_abort);
    g_assert_true(blk_is_snapshot(blk));
    g_assert_false(blk_is_read_only(blk));
    g_assert_cmpint(count_overlays(), ==, 0);      /* unlinked at once */
    int n;
    int flags = kernel_fd_flags(path, &n);
    g_assert_cmpint(n, ==, 1);
    g_assert_cmpint(flags & O_ACCMODE, ==, O_RDONLY);   /* the image: read-only */

    /* Full sectors, a partial sector, a write with partial head and tail, a
     * write inside one sector spanning nothing else, and an unaligned read
     * across written and unwritten sectors. */
    static const struct { uint32_t off, len; } writes[] = {
        { 4096, 1024 }, { 700, 100 }, { 10000, 3000 }, { 20001, 1 }, { 20480, 512 },
        { 20002, 600 }, { 0, 1 }, { SIZE - 3, 3 }, { 65536 - 5, 10 },
    };
    uint8_t buf[4096];
    for (size_t i = 0; i < ARRAY_SIZE(writes); i++) {
        for (uint32_t j = 0; j < writes[i].len; j++) {
            buf[j] = 0x10 + i * 17 + j;
        }
        g_assert_cmpint(blk_pwrite(blk, writes[i].off, buf, writes[i].len), ==, 0);
        memcpy(model + writes[i].off, buf, writes[i].len);
    }
    /* Partial writes in flight together into the same unwritten sectors (8 to
     * each of 64): a copy from the image racing another would lose a write. */
    enum { W = 512 };
    static uint8_t bytes[W];
    static Done d[W];
    for (int i = 0; i < W; i++) {
        uint32_t off = (600 + i / 8) * 512 + (i % 8) * 61;
        bytes[i] = 0x80 + i;
        blk_aio_pwrite(blk, off, &bytes[i], 1, done_cb, &d[i]);
        model[off] = bytes[i];
    }
    wait_all(d, W);
    for (int i = 0; i < W; i++) {
        g_assert_cmpint(d[i].ret, ==, 0);
    }
    g_assert_cmpint(blk_flush(blk), ==, 0);

    g_autofree uint8_t *all = g_malloc(SIZE);
    g_assert_cmpint(blk_pread(blk, 0, all, SIZE), ==, 0);
    g_assert_cmpint(memcmp(all, model, SIZE), ==, 0);
    for (int off = 0; off < 30000; off += 997) {
        g_assert_cmpint(blk_pread(blk, off, buf, 1777), ==, 0);
        g_assert_cmpint(memcmp(buf, model + off, 1777), ==, 0);
    }

    /* The image never changed, open or closed. */
    g_autofree uint8_t *now = read_file(path, &len);
    g_assert_cmpint(memcmp(now, orig, SIZE), ==, 0);
    blk_unref(blk);
    g_free(now);
    now = read_file(path, &len);
    g_assert_cmpuint(len, ==, SIZE);
    g_assert_cmpint(memcmp(now, orig, SIZE), ==, 0);
    struct stat after;
    g_assert_cmpint(stat(path, &after), ==, 0);
    g_assert_cmpint(after.st_mtim.tv_sec, ==, before.st_mtim.tv_sec);
    g_assert_cmpint(after.st_mtim.tv_nsec, ==, before.st_mtim.tv_nsec);
    g_assert_cmpint(count_overlays(), ==, 0);

    /* A read-only snapshot drive is just read-only (nothing to overlay). */
    blk = open_image(path, NULL, true, true, &error_abort);
    g_assert_false(blk_is_snapshot(blk));
    g_assert_cmpint(blk_pwrite(blk, 0, buf, 512), ==, -EPERM);
    blk_unref(blk);
}

/* ---- locking ---- */

static void expect_open_error(const char *path, bool ro, const char *needle)
{
    Error *err = NULL;
    BlockBackend *blk = open_image(path, NULL, ro, false, &err);
    g_assert_null(blk);
    g_assert_nonnull(err);
    if (!strstr(error_get_pretty(err), needle)) {
        g_error("'%s' does not contain '%s'", error_get_pretty(err), needle);
    }
    error_free(err);
}

/* A child that holds a lock until told to go; @qemu_style: raw fcntl locks
 * laid out as a read-write QEMU holds them, else an emu BlockBackend. */
static pid_t spawn_holder(const char *path, bool qemu_style, bool rw, int *to_child)
{
    int up[2], down[2];
    g_assert_cmpint(pipe(up), ==, 0);
    g_assert_cmpint(pipe(down), ==, 0);
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        char c = 1;
        close(up[0]);
        close(down[1]);     /* EOF on down[0] once the parent lets go */
        alarm(60);
        if (qemu_style) {
            int fd = open(path, rw ? O_RDWR : O_RDONLY);
            /* QEMU: shared locks on 100+perm held, 200+perm not shared. */
            int bytes_rw[] = { 100, 101, 201 }, bytes_ro[] = { 100, 201, 203 };
            for (int i = 0; i < 3; i++) {
                struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET,
                                    .l_start = rw ? bytes_rw[i] : bytes_ro[i],
                                    .l_len = 1 };
                if (fd < 0 || fcntl(fd, F_OFD_SETLK, &fl) < 0) {
                    c = 0;
                }
            }
        } else {
            BlockOpenOptions o = { .filename = path, .read_only = !rw };
            c = blk_new_open("child", &o, NULL) != NULL;
        }
        if (write(up[1], &c, 1) != 1 || read(down[0], &c, 1) < 0) {
            _exit(2);
        }
        _exit(0);
    }
    close(up[1]);
    close(down[0]);
    char c = 0;
    g_assert_cmpint(read(up[0], &c, 1), ==, 1);
    g_assert_cmpint(c, ==, 1);
    close(up[0]);
    *to_child = down[1];
    return pid;
}

static void reap(pid_t pid, int to_child)
{
    int status;
    close(to_child);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_locking(void)
{
    g_autofree char *path = make_image("lock.img", 65536);

    /* Two read-write users in this process: the second is told who has it. */
    BlockOpenOptions o = { .filename = path };
    BlockBackend *a = blk_new_open("drive-a", &o, &error_abort);
    g_autofree char *self = g_strdup_printf("in use by drive 'drive-a' of this emu (pid "
                                            "%d): cannot get the write lock", getpid());
    expect_open_error(path, false, self);
    expect_open_error(path, true, "drive 'drive-a'");
    /* locking=off opens anyway, as QEMU's file.locking=off. */
    o.locking = BLOCK_LOCKING_OFF;
    BlockBackend *b = blk_new_open("drive-b", &o, &error_abort);
    blk_unref(b);
    blk_unref(a);

    /* Readers share; a writer is kept out while they read, and vice versa. */
    o.locking = BLOCK_LOCKING_AUTO;
    o.read_only = true;
    a = blk_new_open("r1", &o, &error_abort);
    b = blk_new_open("r2", &o, &error_abort);
    expect_open_error(path, false, "cannot get the write lock");
    blk_unref(a);
    expect_open_error(path, false, "cannot get the write lock");
    blk_unref(b);
    o.read_only = false;
    a = blk_new_open("rw", &o, &error_abort);   /* all readers gone */
    blk_unref(a);

    /* Another process: its pid is in the message; gone, the image is free. */
    for (int style = 0; style < 2; style++) {
        int to_child;
        pid_t pid = spawn_holder(path, style, true, &to_child);
        g_autofree char *needle = g_strdup_printf("in use by another process (pid %d): "
                                                  "cannot get the write lock", pid);
        expect_open_error(path, false, needle);
        g_autofree char *needle_ro = g_strdup_printf("(pid %d): cannot get the shared "
                                                     "lock", pid);
        expect_open_error(path, true, needle_ro);
        reap(pid, to_child);
        a = blk_new_open("after", &o, &error_abort);
        blk_unref(a);
    }
    /* A reading QEMU (a CD-ROM, say) lets emu read but not write. */
    int to_child;
    pid_t pid = spawn_holder(path, true, false, &to_child);
    expect_open_error(path, false, "cannot get the write lock");
    o.read_only = true;
    a = blk_new_open("ro-with-qemu", &o, &error_abort);
    blk_unref(a);
    reap(pid, to_child);
}

/* ---- errors ---- */

static void io_error_cb(void *opaque, int ret)
{
    *(int *)opaque = ret;
}

static void test_open_errors(void)
{
    g_autofree char *missing = test_path("no-such.img");
    expect_open_error(missing, false, "could not open '");
    expect_open_error(missing, false, "no-such.img': No such file or directory");
    expect_open_error(testdir, false, "is a directory");
    expect_open_error(testdir, true, "is a directory");
    expect_open_error("/dev/null", true, "not a regular file or a block device");

    g_autofree char *img = make_image("fmt.img", 4096);
    Error *err = NULL;
    BlockOpenOptions o = { .filename = img, .format = "qcow2" };
    g_assert_null(blk_new_open("x", &o, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "format 'qcow2' is not supported yet");
    error_free(err);
    err = NULL;
    o.format = "qcow3";
    g_assert_null(blk_new_open("x", &o, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "unknown format 'qcow3'"));
    error_free(err);
    err = NULL;

    /* Probing: a qcow2 header is not taken for a raw disk. */
    g_autofree char *q = test_path("probe.qcow2");
    char hdr[512] = "QFI\xfb\0\0\0\3";
    g_assert_true(g_file_set_contents(q, hdr, sizeof(hdr), NULL));
    o = (BlockOpenOptions){ .filename = q };
    g_assert_null(blk_new_open("x", &o, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "is in qcow2 format, which is not "
                            "supported yet"));
    error_free(err);
    err = NULL;
    o.format = "raw";                      /* explicitly raw: fine */
    BlockBackend *blk = blk_new_open("x", &o, &error_abort);
    blk_unref(blk);

    /* A filesystem without O_DIRECT (procfs): QEMU's clear error. */
    o = (BlockOpenOptions){ .filename = "/proc/version", .read_only = true };
    o.cache.direct = true;
    g_assert_null(blk_new_open("x", &o, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "could not open '/proc/version': the "
                            "filesystem does not support O_DIRECT"));
    error_free(err);

    /* Permission denied, seen by an unprivileged child. */
    g_autofree char *priv = make_image("private.img", 4096);
    g_assert_cmpint(chmod(priv, 0600), ==, 0);
    g_assert_cmpint(chmod(testdir, 0755), ==, 0);
    pid_t pid = fork();
    if (pid == 0) {
        if (getuid() == 0 && setuid(65534) < 0) {
            _exit(3);
        }
        Error *e = NULL;
        BlockOpenOptions po = { .filename = priv };
        if (blk_new_open("x", &po, &e) ||
            !strstr(error_get_pretty(e), "for writing: Permission denied")) {
            _exit(1);
        }
        _exit(0);
    }
    int status;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 3) {
        g_test_message("could not drop privileges: permission check skipped");
    } else {
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    }
}

static void test_io_errors(void)
{
    g_autofree char *img = make_image("ro.img", 8192);
    BlockBackend *blk = open_image(img, NULL, true, false, &error_abort);
    uint8_t buf[512] = { 0 };
    g_assert_true(blk_is_read_only(blk));
    int ret = 1;
    blk_aio_pwrite(blk, 0, buf, 512, io_error_cb, &ret);
    g_assert_cmpint(ret, ==, 1);                    /* not inside the call */
    blk_drain(blk);
    g_assert_cmpint(ret, ==, -EPERM);
    g_assert_cmpint(blk_pread(blk, 0, buf, 512), ==, 0);
    g_assert_cmpuint(buf[5], ==, pattern(5));
    blk_unref(blk);

    /* werror=/rerror= policies (QEMU's semantics). */
    blk = open_image(img, NULL, true, false, &error_abort);
    g_assert_cmpint(blk_get_on_error(blk, false), ==, BLOCKDEV_ON_ERROR_ENOSPC);
    g_assert_cmpint(blk_get_on_error(blk, true), ==, BLOCKDEV_ON_ERROR_REPORT);
    g_assert_cmpint(blk_get_error_action(blk, false, ENOSPC), ==, BLOCK_ERROR_ACTION_STOP);
    g_assert_cmpint(blk_get_error_action(blk, false, EIO), ==, BLOCK_ERROR_ACTION_REPORT);
    blk_set_on_error(blk, BLOCKDEV_ON_ERROR_IGNORE, BLOCKDEV_ON_ERROR_STOP);
    g_assert_cmpint(blk_get_error_action(blk, true, EIO), ==, BLOCK_ERROR_ACTION_IGNORE);
    g_assert_cmpint(blk_get_error_action(blk, false, EIO), ==, BLOCK_ERROR_ACTION_STOP);
    BlockdevOnError e;
    g_assert_false(blockdev_parse_on_error("enospc", true, &e));
    g_assert_true(blockdev_parse_on_error("enospc", false, &e));
    blk_unref(blk);
}

static void test_enospc(void)
{
    g_autofree char *mnt = test_path("tiny");
    g_assert_cmpint(mkdir(mnt, 0700), ==, 0);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k") < 0) {
        g_autofree char *why = g_strdup_printf("cannot mount a 64 KiB tmpfs: %s",
                                               g_strerror(errno));
        rmdir(mnt);
        g_test_skip(why);
        return;
    }
    g_autofree char *img = g_build_filename(mnt, "sparse.img", NULL);
    int fd = open(img, O_RDWR | O_CREAT, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 1 << 20), ==, 0);   /* 1 MiB, sparse */
    close(fd);

    BlockBackend *blk = open_image(img, NULL, false, false, &error_abort);
    g_autofree uint8_t *buf = g_malloc0(256 * 1024);
    memset(buf, 0x42, 256 * 1024);
    int ret = 1;
    blk_aio_pwrite(blk, 0, buf, 256 * 1024, io_error_cb, &ret);
    blk_drain(blk);
    g_assert_cmpint(ret, ==, -ENOSPC);
    /* emu keeps going: reads still work, and the error was only returned. */
    g_assert_cmpint(blk_pread(blk, 512 * 1024, buf, 512), ==, 0);
    g_assert_cmpuint(buf[0], ==, 0);
    blk_unref(blk);
    g_assert_cmpint(umount(mnt), ==, 0);
    rmdir(mnt);
}

/* ---- the -drive registry ---- */

static void expect_drive_error(const char *arg, const char *needle)
{
    Error *err = NULL;
    g_assert_null(drive_new("-drive", arg, IF_IDE, &err));
    g_assert_nonnull(err);
    if (!strstr(error_get_pretty(err), needle)) {
        g_error("-drive %s: '%s' does not contain '%s'", arg, error_get_pretty(err),
                needle);
    }
    error_free(err);
}

static void test_drive_registry(void)
{
    g_autofree char *img = make_image("drive.img", 65536);
    g_autofree char *img2 = make_image("drive2.img", 65536);

    /* QEMU's index mapping and default names. */
    g_autofree char *a1 = g_strdup_printf("file=%s,if=ide,index=3", img);
    DriveInfo *d = drive_new("-drive", a1, IF_NONE, &error_abort);
    g_assert_cmpint(d->type, ==, IF_IDE);
    g_assert_cmpint(d->bus, ==, 1);
    g_assert_cmpint(d->unit, ==, 1);
    g_assert_cmpstr(d->id, ==, "ide1-hd1");
    g_assert_true(drive_get(IF_IDE, 1, 1) == d);
    g_assert_true(drive_get_by_index(IF_IDE, 3) == d);
    g_assert_true(drive_get_by_id("ide1-hd1") == d);
    g_assert_cmpint(blk_getlength(d->blk), ==, 65536);
    g_assert_cmpint(drive_get_max_bus(IF_IDE), ==, 1);

    d = drive_new("-drive", "if=ide,index=2,media=cdrom", IF_NONE, &error_abort);
    g_assert_cmpstr(d->id, ==, "ide1-cd0");
    g_assert_null(d->blk);                   /* no medium */
    g_assert_true(d->read_only);

    /* Without if=, the machine's default; the first free unit. */
    d = drive_new("-drive", "media=disk", IF_IDE, &error_abort);
    g_assert_cmpstr(d->id, ==, "ide0-hd0");
    d = drive_new("-drive", "media=disk", IF_IDE, &error_abort);
    g_assert_cmpstr(d->id, ==, "ide0-hd1");
    g_autofree char *a2 = g_strdup_printf("if=virtio,file=%s,werror=stop,rerror=ignore,"
                                          "cache=directsync,readonly=on", img2);
    d = drive_new("-drive", a2, IF_IDE, &error_abort);
    g_assert_cmpstr(d->id, ==, "virtio0");
    g_assert_cmpint(d->on_write_error, ==, BLOCKDEV_ON_ERROR_STOP);
    g_assert_cmpint(d->on_read_error, ==, BLOCKDEV_ON_ERROR_IGNORE);
    g_assert_cmpint(blk_get_on_error(d->blk, false), ==, BLOCKDEV_ON_ERROR_STOP);
    g_assert_true(blk_get_cache_mode(d->blk).direct);
    g_assert_false(blk_enable_write_cache(d->blk));
    d = drive_new("-drive", "if=scsi,index=9", IF_IDE, &error_abort);
    g_assert_cmpstr(d->id, ==, "scsi1-hd2");
    d = drive_new("-drive", "if=none,id=mydisk", IF_IDE, &error_abort);
    g_assert_cmpstr(d->id, ==, "mydisk");
    g_assert_true(drive_claim(d, "/machine/peripheral/x", &error_abort));
    Error *err = NULL;
    g_assert_false(drive_claim(d, "/machine/peripheral/y", &err));
    error_free(err);

    /* QEMU's refusals, each naming the option. */
    expect_drive_error("if=ide,index=3", "-drive if=ide,index=3: drive with bus=1, "
                       "unit=1 (index=3) exists");
    expect_drive_error("if=none,id=mydisk", "duplicate drive id 'mydisk'");
    expect_drive_error("if=bogus", "unsupported bus type 'bogus'");
    expect_drive_error("if=ide,unit=2", "unit 2 too big (max is 1)");
    expect_drive_error("index=1,bus=1", "index cannot be used with bus and unit");
    expect_drive_error("index=1,unit=0", "index cannot be used with bus and unit");
    expect_drive_error("media=tape", "media=tape: invalid value");
    expect_drive_error("cache=sometimes", "invalid cache mode");
    expect_drive_error("werror=enospc,rerror=enospc", "rerror=enospc: invalid read "
                       "error action");
    expect_drive_error("if=floppy,werror=stop", "werror is not supported by this bus");
    expect_drive_error("id=1abc", "id '1abc' is not an identifier");
    expect_drive_error("bus=-1", "parameter 'bus' expects a number");
    expect_drive_error("readonly=maybe", "readonly");
    expect_drive_error("aio=native", "aio=native is not supported yet");
    expect_drive_error("nosuchkey=1", "-drive nosuchkey=1: unknown parameter 'nosuchkey'");
    expect_drive_error("if=none,file=/nonexistent/x.img", "-drive if=none,file=/nonexistent"
                       "/x.img: could not open '/nonexistent/x.img': No such file");
    g_autofree char *a3 = g_strdup_printf("if=none,file=%s", img);
    expect_drive_error(a3, "is in use by drive 'ide1-hd1' of this emu");

    /* Nothing claimed the IDE drives: refused, naming the option. */
    err = NULL;
    g_assert_false(drive_check_orphaned(&err));
    g_assert_nonnull(strstr(error_get_pretty(err), a1));
    g_assert_nonnull(strstr(error_get_pretty(err), "if=ide,bus=1,unit=1"));
    error_free(err);

    drive_cleanup_all();
    g_assert_null(drive_get_by_id("ide1-hd1"));
    /* The locks went with the drives. */
    BlockBackend *blk = open_image(img, NULL, false, false, &error_abort);
    blk_unref(blk);
}

static void test_drive_cmdline(void)
{
    g_autofree char *img = make_image("cmd.img", 65536);
    Error *err = NULL;

    /* -hda/-cdrom take a file name verbatim (commas included) at QEMU's index. */
    g_autofree char *comma = make_image("a,b.img", 4096);
    g_assert_true(drive_def("-hdb", comma, &error_abort));
    g_assert_true(drive_def("-cdrom", img, &error_abort));
    g_autofree char *arg = g_strdup_printf("file=%s,if=none,id=n1", img);
    g_assert_true(drive_def("-drive", arg, &error_abort));
    drive_enable_snapshot();
    g_assert_false(drive_def("-drive", "file=a,=b", &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "-drive file=a,=b: "));
    error_free(err);
    err = NULL;

    /* Machine none: -hdX and -cdrom are if=none drives, as in QEMU. */
    g_assert_true(drive_init_all(IF_NONE, &error_abort));
    DriveInfo *hdb = drive_get(IF_NONE, 0, 1);
    g_assert_nonnull(hdb);
    g_assert_cmpstr(hdb->filename, ==, comma);
    g_autofree char *hdb_opt = g_strdup_printf("-hdb %s", comma);
    g_assert_cmpstr(hdb->option, ==, hdb_opt);
    g_assert_true(blk_is_snapshot(hdb->blk));           /* -snapshot */
    DriveInfo *cd = drive_get(IF_NONE, 0, 2);
    g_assert_nonnull(cd);
    g_assert_cmpint(cd->media, ==, MEDIA_CDROM);
    g_assert_true(blk_is_read_only(cd->blk));
    DriveInfo *n1 = drive_get_by_id("n1");
    g_assert_nonnull(n1);
    g_assert_true(blk_is_snapshot(n1->blk));
    g_assert_true(drive_check_orphaned(&error_abort));  /* if=none: fine */
    drive_cleanup_all();
}

int main(int argc, char **argv)
{
    /* /var/tmp rather than /tmp: more often a disk filesystem, with O_DIRECT. */
    testdir = g_strdup("/var/tmp/emu-test-block-XXXXXX");
    if (!g_mkdtemp(testdir)) {
        g_free(testdir);
        testdir = g_dir_make_tmp("emu-test-block-XXXXXX", NULL);
    }
    g_assert_nonnull(testdir);
    g_setenv("TMPDIR", testdir, TRUE);     /* -snapshot overlays go there */
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    main_thread = g_thread_self();

    g_test_add_func("/block/async-rw", test_async_rw);
    g_test_add_func("/block/nowait", test_nowait);
    g_test_add_func("/block/complete-on-worker", test_complete_on_worker);
    g_test_add_func("/block/cached-write", test_cached_write);
    g_test_add_func("/block/iothread-stop", test_iothread_stop);
    g_test_add_func("/block/cache-modes", test_cache_modes);
    g_test_add_func("/block/bounce", test_bounce);
    g_test_add_func("/block/eof", test_eof);
    g_test_add_func("/block/snapshot", test_snapshot);
    g_test_add_func("/block/locking", test_locking);
    g_test_add_func("/block/open-errors", test_open_errors);
    g_test_add_func("/block/io-errors", test_io_errors);
    g_test_add_func("/block/enospc", test_enospc);
    g_test_add_func("/block/drive-registry", test_drive_registry);
    g_test_add_func("/block/drive-cmdline", test_drive_cmdline);
    int ret = g_test_run();

    g_autofree char *rm = g_strdup_printf("rm -rf '%s'", testdir);
    if (system(rm) != 0) {
        g_printerr("could not remove %s\n", testdir);
    }
    return ret;
}
