/* "null": swallows output, never has input. */
#include "util/osdep.h"
#include "chardev/char-internal.h"

static bool null_open(Chardev *chr, Opts *opts, Error **errp)
{
    chr->filename = g_strdup("null");
    chr->be_open = true;
    return true;
}

static int null_write(Chardev *chr, const uint8_t *buf, int len)
{
    return len;
}

static void null_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = null_open;
    cc->chr_write = null_write;
}

static const TypeInfo null_types[] = {
    {
        .name = TYPE_CHARDEV_NULL,
        .parent = TYPE_CHARDEV,
        .instance_size = sizeof(Chardev),
        .class_init = null_class_init,
    },
};
DEFINE_TYPES(null_types)
