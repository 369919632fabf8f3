/*
 * Image locking: open file description (OFD) locks, so that a second emu, a
 * second drive of the same emu, or a QEMU cannot open an image read-write while
 * another user has it, and cannot write an image someone else reads.
 *
 * The lock bytes follow QEMU's layout (block/file-posix.c there): byte 100+N
 * is held (shared) by every user that has permission N, byte 200+N by every
 * user that does not let others have permission N, for N = 0 (consistent
 * read) and 1 (write). A user checks the opposite bytes of what it takes. So a
 * writer holds 100, 101 and 201 and a reader holds 100 and 201: readers share
 * with readers, a writer excludes everyone else, and QEMU sees emu the same
 * way. Locks beyond the end of the file are fine; OFD locks belong to the open
 * file, so two opens in one process conflict too (POSIX locks would not).
 */
#include "block/block_int.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define LOCK_PERM_BASE      100    /* held: "I have permission N" */
#define LOCK_NO_SHARE_BASE  200    /* held: "nobody else may have permission N" */
#define PERM_READ           0      /* consistent read */
#define PERM_WRITE          1
#define LOCK_BYTES_END      210    /* past every byte QEMU uses */

/* Our own locked descriptors, to name the drive when two drives of this emu
 * want one image. */
typedef struct LockedFd {
    int fd;
    dev_t dev;
    ino_t ino;
    bool write;
    char *owner;
} LockedFd;

static GMutex locked_lock;
static GPtrArray *locked_fds;

static int ofd_setlk(int fd, short type, off_t start, off_t len)
{
    struct flock fl = {
        .l_type = type,
        .l_whence = SEEK_SET,
        .l_start = start,
        .l_len = len,
    };
    return fcntl(fd, F_OFD_SETLK, &fl) < 0 ? -errno : 0;
}

/* 0 if nobody else holds a lock on byte @start, -EAGAIN if someone does. */
static int ofd_test(int fd, off_t start)
{
    struct flock fl = {
        .l_type = F_WRLCK,
        .l_whence = SEEK_SET,
        .l_start = start,
        .l_len = 1,
    };
    if (fcntl(fd, F_OFD_GETLK, &fl) < 0) {
        return -errno;
    }
    return fl.l_type == F_UNLCK ? 0 : -EAGAIN;
}

/* Does "lock:" / /proc/locks text @line describe a lock on @byte of dev/ino? */
static bool lock_line_matches(const char *line, dev_t dev, ino_t ino, off_t byte,
                              long *pid)
{
    /* "1: OFDLCK ADVISORY  READ -1 fe:00:10952719 100 101" (the end may be EOF) */
    char kind[16], mode[16], rw[16], end[32];
    unsigned maj, min;
    unsigned long long i;
    long long start;
    long p;
    int n;
    const char *colon = strchr(line, ':');
    if (!colon) {
        return false;
    }
    n = sscanf(colon + 1, " %15s %15s %15s %ld %x:%x:%llu %lld %31s", kind, mode, rw, &p,
               &maj, &min, &i, &start, end);
    if (n != 9 || maj != major(dev) || min != minor(dev) || i != (unsigned long long)ino) {
        return false;
    }
    if (byte < start) {
        return false;
    }
    if (strcmp(end, "EOF") && byte > strtoll(end, NULL, 10)) {
        return false;
    }
    *pid = p;
    return true;
}

/*
 * The pid of a process holding a lock on @byte of the file, or 0. POSIX locks
 * show their pid in /proc/locks; OFD locks show -1 there, so look for them in
 * every process's /proc/PID/fdinfo (where they are listed under "lock:").
 */
static long find_lock_holder(dev_t dev, ino_t ino, off_t byte)
{
    long pid = 0;
    FILE *f = fopen("/proc/locks", "r");
    if (f) {
        char line[256];
        long p;
        while (fgets(line, sizeof(line), f)) {
            if (lock_line_matches(line, dev, ino, byte, &p) && p > 0 && p != getpid()) {
                pid = p;
                break;
            }
        }
        fclose(f);
    }
    if (pid) {
        return pid;
    }
    DIR *proc = opendir("/proc");
    if (!proc) {
        return 0;
    }
    struct dirent *de;
    while (!pid && (de = readdir(proc))) {
        char *endp;
        long p = strtol(de->d_name, &endp, 10);
        if (*endp || p <= 0 || p == getpid()) {
            continue;
        }
        g_autofree char *dir = g_strdup_printf("/proc/%ld/fdinfo", p);
        DIR *fds = opendir(dir);
        if (!fds) {
            continue;
        }
        struct dirent *fe;
        while (!pid && (fe = readdir(fds))) {
            if (fe->d_name[0] == '.') {
                continue;
            }
            g_autofree char *path = g_strdup_printf("%s/%s", dir, fe->d_name);
            FILE *fi = fopen(path, "r");
            if (!fi) {
                continue;
            }
            char line[256];
            long unused;
            while (fgets(line, sizeof(line), fi)) {
                if (g_str_has_prefix(line, "lock:") &&
                    lock_line_matches(line + 5, dev, ino, byte, &unused)) {
                    pid = p;
                    break;
                }
            }
            fclose(fi);
        }
        closedir(fds);
    }
    closedir(proc);
    return pid;
}

/* The owner of another lock of ours on the same file that conflicts. */
static char *find_own_holder(dev_t dev, ino_t ino, int fd, bool write)
{
    char *owner = NULL;
    g_mutex_lock(&locked_lock);
    for (guint i = 0; locked_fds && i < locked_fds->len; i++) {
        LockedFd *l = g_ptr_array_index(locked_fds, i);
        if (l->fd != fd && l->dev == dev && l->ino == ino && (write || l->write)) {
            owner = g_strdup(l->owner);
            break;
        }
    }
    g_mutex_unlock(&locked_lock);
    return owner;
}

static void conflict_error(Error **errp, int fd, const struct stat *st,
                           const char *filename, bool write, off_t byte)
{
    const char *what = write ? "write" : "shared";
    g_autofree char *own = find_own_holder(st->st_dev, st->st_ino, fd, write);
    if (own) {
        error_setg(errp, "image '%s' is in use by drive '%s' of this emu (pid %d): "
                   "cannot get the %s lock", filename, own, (int)getpid(), what);
        return;
    }
    long pid = find_lock_holder(st->st_dev, st->st_ino, byte);
    if (pid > 0) {
        error_setg(errp, "image '%s' is in use by another process (pid %ld): cannot get "
                   "the %s lock", filename, pid, what);
    } else {
        error_setg(errp, "image '%s' is in use by another process: cannot get the %s "
                   "lock", filename, what);
    }
}

static bool lock_unsupported(int err)
{
    return err == -EINVAL || err == -ENOLCK || err == -EOPNOTSUPP || err == -ENOSYS;
}

bool image_lock_acquire(int fd, const char *filename, bool write, BlockLocking mode,
                        const char *owner, Error **errp)
{
    struct stat st;
    int ret;
    off_t bad = 0;

    if (mode == BLOCK_LOCKING_OFF) {
        return true;
    }
    if (fstat(fd, &st) < 0) {
        error_setg_errno(errp, errno, "image '%s': cannot stat", filename);
        return false;
    }

    /* Everyone: "I read", "nobody else writes". */
    ret = ofd_setlk(fd, F_RDLCK, LOCK_PERM_BASE + PERM_READ, 1);
    if (ret < 0 && lock_unsupported(ret)) {
        if (mode == BLOCK_LOCKING_AUTO) {
            return true;   /* this filesystem has no locks: nothing to enforce */
        }
        error_setg_errno(errp, -ret, "image '%s': locking=on, but the filesystem cannot "
                         "lock it", filename);
        return false;
    }
    if (ret == 0 && write) {
        /*
         * Exclusive first, so that two writers starting together cannot both
         * pass a test; then downgrade to shared so readers can test for us.
         */
        ret = ofd_setlk(fd, F_WRLCK, LOCK_PERM_BASE + PERM_WRITE, 1);
        bad = LOCK_PERM_BASE + PERM_WRITE;
        if (ret == 0) {
            ret = ofd_setlk(fd, F_WRLCK, LOCK_NO_SHARE_BASE + PERM_WRITE, 1);
            bad = LOCK_NO_SHARE_BASE + PERM_WRITE;
        }
        if (ret == 0) {
            ret = ofd_setlk(fd, F_RDLCK, LOCK_PERM_BASE + PERM_WRITE, 1);
        }
        if (ret == 0) {
            ret = ofd_setlk(fd, F_RDLCK, LOCK_NO_SHARE_BASE + PERM_WRITE, 1);
        }
    } else if (ret == 0) {
        ret = ofd_setlk(fd, F_RDLCK, LOCK_NO_SHARE_BASE + PERM_WRITE, 1);
        bad = LOCK_NO_SHARE_BASE + PERM_WRITE;
        if (ret == 0) {
            ret = ofd_test(fd, LOCK_PERM_BASE + PERM_WRITE);
            bad = LOCK_PERM_BASE + PERM_WRITE;
        }
    }
    if (ret == 0) {
        /* Someone who does not let others read consistently (QEMU block jobs). */
        ret = ofd_test(fd, LOCK_NO_SHARE_BASE + PERM_READ);
        bad = LOCK_NO_SHARE_BASE + PERM_READ;
    }
    if (ret < 0) {
        ofd_setlk(fd, F_UNLCK, LOCK_PERM_BASE, LOCK_BYTES_END - LOCK_PERM_BASE);
        if (ret == -EAGAIN || ret == -EACCES) {
            conflict_error(errp, fd, &st, filename, write, bad);
        } else {
            error_setg_errno(errp, -ret, "image '%s': cannot lock", filename);
        }
        return false;
    }

    LockedFd *l = g_new0(LockedFd, 1);
    l->fd = fd;
    l->dev = st.st_dev;
    l->ino = st.st_ino;
    l->write = write;
    l->owner = g_strdup(owner ? owner : filename);
    g_mutex_lock(&locked_lock);
    if (!locked_fds) {
        locked_fds = g_ptr_array_new();
    }
    g_ptr_array_add(locked_fds, l);
    g_mutex_unlock(&locked_lock);
    return true;
}

void image_lock_release(int fd)
{
    g_mutex_lock(&locked_lock);
    for (guint i = 0; locked_fds && i < locked_fds->len; i++) {
        LockedFd *l = g_ptr_array_index(locked_fds, i);
        if (l->fd == fd) {
            g_ptr_array_remove_index(locked_fds, i);
            g_free(l->owner);
            g_free(l);
            break;
        }
    }
    g_mutex_unlock(&locked_lock);
}
