/*
 * "ringbuf": output goes into an in-memory ring of size= bytes (a power of
 * two, default 64 KiB, as QEMU); when it is full the oldest bytes are
 * overwritten. The monitor's ringbuf_read and tests take them out.
 */
#include "util/osdep.h"
#include "chardev/char-internal.h"

typedef struct RingBufChardev {
    Chardev parent;
    uint8_t *cbuf;
    size_t size;
    uint64_t prod;
    uint64_t cons;
} RingBufChardev;

DECLARE_INSTANCE_CHECKER(RingBufChardev, RINGBUF_CHARDEV, TYPE_CHARDEV_RINGBUF)

static bool ringbuf_open(Chardev *chr, Opts *opts, Error **errp)
{
    RingBufChardev *d = RINGBUF_CHARDEV(chr);
    uint64_t size;

    if (!opts_get_size(opts, "size", 64 * 1024, 1, &size, errp)) {
        return false;
    }
    if (size == 0 || (size & (size - 1)) || size > (1u << 30)) {
        error_setg(errp, "ringbuf size=%" PRIu64 " must be a power of two, "
                   "at most 1G", size);
        return false;
    }
    d->size = size;
    d->cbuf = g_malloc0(size);
    chr->filename = g_strdup("ringbuf");
    chr->be_open = true;
    return true;
}

static int ringbuf_write(Chardev *chr, const uint8_t *buf, int len)
{
    RingBufChardev *d = RINGBUF_CHARDEV(chr);

    for (int i = 0; i < len; i++) {
        d->cbuf[d->prod++ & (d->size - 1)] = buf[i];
        if (d->prod - d->cons > d->size) {
            d->cons = d->prod - d->size;
        }
    }
    return len;
}

size_t qemu_chr_ringbuf_count(Chardev *chr)
{
    RingBufChardev *d =
        (RingBufChardev *)object_dynamic_cast(OBJECT(chr), TYPE_CHARDEV_RINGBUF);

    return d ? d->prod - d->cons : 0;
}

size_t qemu_chr_ringbuf_read(Chardev *chr, uint8_t *buf, size_t len)
{
    RingBufChardev *d =
        (RingBufChardev *)object_dynamic_cast(OBJECT(chr), TYPE_CHARDEV_RINGBUF);
    size_t n = 0;

    if (!d) {
        return 0;
    }
    while (n < len && d->cons != d->prod) {
        buf[n++] = d->cbuf[d->cons++ & (d->size - 1)];
    }
    return n;
}

static void ringbuf_finalize(Object *obj)
{
    g_free(RINGBUF_CHARDEV(obj)->cbuf);
}

static const char *const ringbuf_keys[] = { "size", NULL };

static void ringbuf_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->opts_keys = ringbuf_keys;
    cc->open = ringbuf_open;
    cc->chr_write = ringbuf_write;
}

static const TypeInfo ringbuf_types[] = {
    {
        .name = TYPE_CHARDEV_RINGBUF,
        .parent = TYPE_CHARDEV,
        .instance_size = sizeof(RingBufChardev),
        .instance_finalize = ringbuf_finalize,
        .class_init = ringbuf_class_init,
    },
};
DEFINE_TYPES(ringbuf_types)
