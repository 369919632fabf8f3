/*
 * Scatter/gather helpers for struct iovec arrays.
 */
#include "block/iov.h"

size_t iov_size(const struct iovec *iov, int niov)
{
    size_t n = 0;
    for (int i = 0; i < niov; i++) {
        n += iov[i].iov_len;
    }
    return n;
}

/* Walk [offset, offset + bytes) of the list, calling @fn on each piece. */
typedef void IovPieceFn(void *base, size_t len, size_t done, void *opaque);

static size_t iov_walk(const struct iovec *iov, int niov, size_t offset, size_t bytes,
                       IovPieceFn *fn, void *opaque)
{
    size_t done = 0;
    for (int i = 0; i < niov && done < bytes; i++) {
        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        size_t len = MIN(iov[i].iov_len - offset, bytes - done);
        fn((char *)iov[i].iov_base + offset, len, done, opaque);
        done += len;
        offset = 0;
    }
    return done;
}

static void piece_to_buf(void *base, size_t len, size_t done, void *opaque)
{
    memcpy((char *)opaque + done, base, len);
}

static void piece_from_buf(void *base, size_t len, size_t done, void *opaque)
{
    memcpy(base, (const char *)opaque + done, len);
}

static void piece_memset(void *base, size_t len, size_t done, void *opaque)
{
    memset(base, *(int *)opaque, len);
}

size_t iov_to_buf(const struct iovec *iov, int niov, size_t offset, void *buf,
                  size_t bytes)
{
    return iov_walk(iov, niov, offset, bytes, piece_to_buf, buf);
}

size_t iov_from_buf(const struct iovec *iov, int niov, size_t offset, const void *buf,
                    size_t bytes)
{
    return iov_walk(iov, niov, offset, bytes, piece_from_buf, (void *)buf);
}

size_t iov_memset(const struct iovec *iov, int niov, size_t offset, int c, size_t bytes)
{
    return iov_walk(iov, niov, offset, bytes, piece_memset, &c);
}

int iov_slice(const struct iovec *iov, int niov, size_t offset, size_t bytes,
              struct iovec *out)
{
    int n = 0;
    for (int i = 0; i < niov && bytes; i++) {
        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        size_t len = MIN(iov[i].iov_len - offset, bytes);
        out[n].iov_base = (char *)iov[i].iov_base + offset;
        out[n].iov_len = len;
        n++;
        bytes -= len;
        offset = 0;
    }
    return n;
}

bool iov_is_aligned(const struct iovec *iov, int niov, size_t mem_align)
{
    for (int i = 0; i < niov; i++) {
        if (((uintptr_t)iov[i].iov_base | iov[i].iov_len) & (mem_align - 1)) {
            return false;
        }
    }
    return true;
}
