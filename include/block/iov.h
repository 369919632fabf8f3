/*
 * Scatter/gather helpers for struct iovec arrays: the block layer's requests
 * carry guest memory as an iovec list (one entry per mapped DMA segment).
 */
#ifndef BLOCK_IOV_H
#define BLOCK_IOV_H

#include "util/osdep.h"
#include <sys/uio.h>

/* Total length of @niov entries. */
size_t iov_size(const struct iovec *iov, int niov);

/* Copy @bytes from the iovec list, starting @offset bytes in, to @buf. Returns
 * the bytes copied (less than @bytes only if the list is shorter). */
size_t iov_to_buf(const struct iovec *iov, int niov, size_t offset, void *buf,
                  size_t bytes);
/* Copy @bytes from @buf into the iovec list starting @offset bytes in. */
size_t iov_from_buf(const struct iovec *iov, int niov, size_t offset, const void *buf,
                    size_t bytes);
/* Fill @bytes of the list, starting @offset bytes in, with @c. */
size_t iov_memset(const struct iovec *iov, int niov, size_t offset, int c, size_t bytes);

/*
 * Describe bytes [@offset, @offset + @bytes) of a list as a new list in @out
 * (room for @niov entries: a slice never has more). Returns the entry count.
 */
int iov_slice(const struct iovec *iov, int niov, size_t offset, size_t bytes,
              struct iovec *out);

/* True if every base and length is a multiple of @mem_align. */
bool iov_is_aligned(const struct iovec *iov, int niov, size_t mem_align);

#endif
