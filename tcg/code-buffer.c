/*
 * The code buffer: one large mapping that translated code is bump-allocated from.
 *
 * W^X: the buffer is a memfd mapped twice, once read+write (where the code generator
 * and the jump patcher write) and once read+exec (what the CPU runs). No page is ever
 * writable and executable through the same address, which keeps hosts with strict
 * W^X policies happy. Where memfd_create is unavailable we fall back to a single
 * RWX anonymous mapping (rw_delta = 0). x86 keeps instruction fetch coherent with
 * stores, so no cache maintenance is needed after writing code.
 *
 * The RX view is placed close to emu's own text when possible so generated code can
 * reach helpers with a 5-byte call rel32.
 */
#include "util/osdep.h"
#include "tcg/tcg-internal.h"

#include <sys/mman.h>

struct TCGCodeBuffer {
    uint8_t *rx;
    uint8_t *rw;
    size_t size;
    int fd;
    uint8_t *ptr;       /* next free byte, RW view */
    uint8_t *start;     /* after the prologue, RW view */
};

static void *map_near_text(size_t size, int prot, int flags, int fd)
{
    /* Try a few hints below and above the text; any address is fine otherwise. */
    uintptr_t text = (uintptr_t)&map_near_text;
    static const intptr_t tries[] = { -(1l << 30), (1l << 29), -(1l << 29), 1l << 30 };
    for (size_t i = 0; i < ARRAY_SIZE(tries); i++) {
        uintptr_t hint = (text + tries[i]) & ~(uintptr_t)0xffff;
        void *p = mmap((void *)hint, size, prot, flags, fd, 0);
        if (p == MAP_FAILED) {
            continue;
        }
        intptr_t d1 = (intptr_t)p - (intptr_t)text;
        intptr_t d2 = (intptr_t)p + (intptr_t)size - (intptr_t)text;
        if (d1 > -(1l << 31) + (1l << 24) && d2 < (1l << 31) - (1l << 24)) {
            return p;
        }
        munmap(p, size);
    }
    return mmap(NULL, size, prot, flags, fd, 0);
}

TCGCodeBuffer *tcg_code_buffer_new(size_t size, Error **errp)
{
    TCGCodeBuffer *b = g_new0(TCGCodeBuffer, 1);
    size = (size + 0xffff) & ~(size_t)0xffff;
    b->size = size;
    b->fd = memfd_create("emu-jit", MFD_CLOEXEC);
    if (b->fd >= 0) {
        if (ftruncate(b->fd, size) < 0) {
            error_setg_errno(errp, errno, "tcg: cannot size the %zu-byte code buffer",
                             size);
            goto fail;
        }
        b->rx = map_near_text(size, PROT_READ | PROT_EXEC, MAP_SHARED, b->fd);
        if (b->rx == MAP_FAILED) {
            error_setg_errno(errp, errno, "tcg: cannot map the code buffer (rx)");
            goto fail;
        }
        b->rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
        if (b->rw == MAP_FAILED) {
            munmap(b->rx, size);
            error_setg_errno(errp, errno, "tcg: cannot map the code buffer (rw)");
            goto fail;
        }
    } else {
        b->rx = map_near_text(size, PROT_READ | PROT_WRITE | PROT_EXEC,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1);
        if (b->rx == MAP_FAILED) {
            error_setg_errno(errp, errno, "tcg: cannot map a %zu-byte code buffer", size);
            goto fail;
        }
        b->rw = b->rx;
    }
    b->ptr = b->start = b->rw;
    return b;

fail:
    if (b->fd >= 0) {
        close(b->fd);
    }
    g_free(b);
    return NULL;
}

void tcg_code_buffer_destroy(TCGCodeBuffer *b)
{
    if (!b) {
        return;
    }
    if (b->rw != b->rx) {
        munmap(b->rw, b->size);
    }
    munmap(b->rx, b->size);
    if (b->fd >= 0) {
        close(b->fd);
    }
    g_free(b);
}

uint8_t *tcg_code_buffer_rw_base(TCGCodeBuffer *b)
{
    return b->rw;
}

intptr_t tcg_code_buffer_rw_delta(TCGCodeBuffer *b)
{
    return (intptr_t)b->rw - (intptr_t)b->rx;
}

size_t tcg_code_buffer_total(TCGCodeBuffer *b)
{
    return b->size;
}

uint8_t **tcg_code_buffer_ptr(TCGCodeBuffer *b)
{
    return &b->ptr;
}

uint8_t **tcg_code_buffer_start(TCGCodeBuffer *b)
{
    return &b->start;
}

void tcg_code_buffer_reset(TCGContext *s)
{
    *tcg_code_buffer_ptr(s->cbuf) = *tcg_code_buffer_start(s->cbuf);
}

size_t tcg_code_buffer_used(const TCGContext *s)
{
    return *tcg_code_buffer_ptr(s->cbuf) - tcg_code_buffer_rw_base(s->cbuf);
}

size_t tcg_code_buffer_size(const TCGContext *s)
{
    return tcg_code_buffer_total(s->cbuf);
}

bool tcg_code_buffer_is_split(const TCGContext *s)
{
    return tcg_code_buffer_rw_delta(s->cbuf) != 0;
}

void *tcg_splitwx_to_rw(const TCGContext *s, const void *rx)
{
    return (uint8_t *)rx + tcg_code_buffer_rw_delta(s->cbuf);
}

const void *tcg_splitwx_to_rx(const TCGContext *s, void *rw)
{
    return (uint8_t *)rw - tcg_code_buffer_rw_delta(s->cbuf);
}
