/* Migration byte streams over a memory buffer or a file descriptor. */
#include "migration/emufile.h"

struct EmuFile {
    GByteArray *buf;       /* buffer writer, or the reader's data */
    size_t pos;            /* read position */
    int fd;                /* -1 for memory files */
    bool writable;
    GByteArray *wbuf;      /* fd writer: pending bytes */
    char *error;
};

EmuFile *emufile_new_buffer(void)
{
    EmuFile *f = g_new0(EmuFile, 1);
    f->buf = g_byte_array_new();
    f->fd = -1;
    f->writable = true;
    return f;
}

EmuFile *emufile_new_reader(const uint8_t *data, size_t len)
{
    EmuFile *f = g_new0(EmuFile, 1);
    f->buf = g_byte_array_sized_new(len);
    g_byte_array_append(f->buf, data, len);
    f->fd = -1;
    return f;
}

EmuFile *emufile_new_fd(int fd, bool writable)
{
    EmuFile *f = g_new0(EmuFile, 1);
    f->fd = fd;
    f->writable = writable;
    f->wbuf = g_byte_array_new();
    f->buf = g_byte_array_new();
    return f;
}

void emufile_close(EmuFile *f)
{
    if (!f) {
        return;
    }
    if (f->fd >= 0 && f->writable) {
        emufile_flush(f);
    }
    g_byte_array_free(f->buf, TRUE);
    if (f->wbuf) {
        g_byte_array_free(f->wbuf, TRUE);
    }
    g_free(f->error);
    g_free(f);
}

const uint8_t *emufile_buffer(EmuFile *f, size_t *len)
{
    *len = f->buf->len;
    return f->buf->data;
}

void emufile_set_error(EmuFile *f, const char *fmt, ...)
{
    if (f->error) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    f->error = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

const char *emufile_error(EmuFile *f)
{
    return f->error;
}

void emufile_flush(EmuFile *f)
{
    if (f->fd < 0 || !f->writable) {
        return;
    }
    size_t done = 0;
    while (done < f->wbuf->len && !f->error) {
        ssize_t n = write(f->fd, f->wbuf->data + done, f->wbuf->len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            emufile_set_error(f, "write: %s", n < 0 ? g_strerror(errno) : "no progress");
            break;
        }
        done += n;
    }
    g_byte_array_set_size(f->wbuf, 0);
}

void emufile_put_buffer(EmuFile *f, const void *buf, size_t len)
{
    if (f->error) {
        return;
    }
    if (!f->writable) {
        emufile_set_error(f, "write to a read-only stream");
        return;
    }
    if (f->fd >= 0) {
        g_byte_array_append(f->wbuf, buf, len);
        if (f->wbuf->len >= 64 * 1024) {
            emufile_flush(f);
        }
    } else {
        g_byte_array_append(f->buf, buf, len);
    }
}

void emufile_put_byte(EmuFile *f, uint8_t v)
{
    emufile_put_buffer(f, &v, 1);
}

void emufile_put_be16(EmuFile *f, uint16_t v)
{
    uint16_t be = GUINT16_TO_BE(v);
    emufile_put_buffer(f, &be, 2);
}

void emufile_put_be32(EmuFile *f, uint32_t v)
{
    uint32_t be = GUINT32_TO_BE(v);
    emufile_put_buffer(f, &be, 4);
}

void emufile_put_be64(EmuFile *f, uint64_t v)
{
    uint64_t be = GUINT64_TO_BE(v);
    emufile_put_buffer(f, &be, 8);
}

void emufile_put_string(EmuFile *f, const char *s)
{
    size_t len = strlen(s);
    g_assert(len <= 255);
    emufile_put_byte(f, len);
    emufile_put_buffer(f, s, len);
}

/* fd readers pull more bytes into buf when needed. */
static bool fill(EmuFile *f, size_t want)
{
    while (f->fd >= 0 && f->buf->len - f->pos < want) {
        uint8_t tmp[65536];
        ssize_t n = read(f->fd, tmp, sizeof(tmp));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        g_byte_array_append(f->buf, tmp, n);
    }
    return f->buf->len - f->pos >= want;
}

size_t emufile_get_buffer(EmuFile *f, void *buf, size_t len)
{
    if (f->error) {
        memset(buf, 0, len);
        return 0;
    }
    if (!fill(f, len)) {
        emufile_set_error(f, "unexpected end of the stream (wanted %zu bytes at offset "
                          "%zu)", len, f->pos);
        memset(buf, 0, len);
        return 0;
    }
    memcpy(buf, f->buf->data + f->pos, len);
    f->pos += len;
    return len;
}

uint8_t emufile_get_byte(EmuFile *f)
{
    uint8_t v;
    emufile_get_buffer(f, &v, 1);
    return v;
}

uint16_t emufile_get_be16(EmuFile *f)
{
    uint16_t v;
    emufile_get_buffer(f, &v, 2);
    return GUINT16_FROM_BE(v);
}

uint32_t emufile_get_be32(EmuFile *f)
{
    uint32_t v;
    emufile_get_buffer(f, &v, 4);
    return GUINT32_FROM_BE(v);
}

uint64_t emufile_get_be64(EmuFile *f)
{
    uint64_t v;
    emufile_get_buffer(f, &v, 8);
    return GUINT64_FROM_BE(v);
}

char *emufile_get_string(EmuFile *f)
{
    uint8_t len = emufile_get_byte(f);
    char *s = g_malloc0(len + 1);
    if (emufile_get_buffer(f, s, len) != len) {
        g_free(s);
        return NULL;
    }
    return s;
}

int emufile_peek_byte(EmuFile *f)
{
    if (f->error || !fill(f, 1)) {
        return -1;
    }
    return f->buf->data[f->pos];
}
