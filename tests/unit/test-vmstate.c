/*
 * Migration descriptions: the stream layout, versions, subsections, nested
 * structs, timers, and that hostile streams (truncated, wrong version, unknown
 * subsection, bad bool) are errors rather than corruption.
 */
#include "migration/vmstate.h"
#include "util/timer.h"

typedef struct {
    uint16_t a;
    int32_t b;
} Inner;

typedef struct {
    bool flag;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int64_t s64;
    int mode;
    uint8_t fifo[4];
    uint32_t regs[3];
    Inner inner;
    Inner many[2];
    uint8_t blob[5];
    uint32_t added_in_v2;
    bool extra_needed;
    uint64_t extra;
    EmuTimer *timer;
    int post_load_calls;
} Dev;

static const VMStateDescription vmstate_inner = {
    .name = "inner",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16(a, Inner),
        VMSTATE_INT32(b, Inner),
        VMSTATE_END_OF_LIST()
    },
};

static bool extra_needed(void *opaque)
{
    return ((Dev *)opaque)->extra_needed;
}

static const VMStateDescription vmstate_extra = {
    .name = "dev/extra",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = extra_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(extra, Dev),
        VMSTATE_END_OF_LIST()
    },
};

static int dev_post_load(void *opaque, int version_id)
{
    Dev *d = opaque;
    d->post_load_calls++;
    /* A post_load hook may refuse an impossible state. */
    return d->mode > 3 ? -1 : 0;
}

static const VMStateDescription vmstate_dev = {
    .name = "dev",
    .version_id = 2,
    .minimum_version_id = 1,
    .post_load = dev_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(flag, Dev),
        VMSTATE_UINT8(u8, Dev),
        VMSTATE_UINT16(u16, Dev),
        VMSTATE_UINT32(u32, Dev),
        VMSTATE_UINT64(u64, Dev),
        VMSTATE_INT64(s64, Dev),
        VMSTATE_INT(mode, Dev),
        VMSTATE_UINT8_ARRAY(fifo, Dev, 4),
        VMSTATE_UINT32_ARRAY(regs, Dev, 3),
        VMSTATE_STRUCT(inner, Dev, 0, vmstate_inner, Inner),
        VMSTATE_STRUCT_ARRAY(many, Dev, 2, 0, vmstate_inner, Inner),
        VMSTATE_BUFFER(blob, Dev),
        VMSTATE_UINT32_V(added_in_v2, Dev, 2),
        VMSTATE_TIMER_PTR(timer, Dev),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription *const[]) { &vmstate_extra, NULL },
};

static void timer_cb(void *opaque)
{
}

static void dev_init(Dev *d)
{
    memset(d, 0, sizeof(*d));
    d->timer = timer_new_ns(EMU_CLOCK_VIRTUAL, timer_cb, d);
}

static void dev_fill(Dev *d)
{
    d->flag = true;
    d->u8 = 0xab;
    d->u16 = 0x1234;
    d->u32 = 0xdeadbeef;
    d->u64 = 0x0123456789abcdefULL;
    d->s64 = -5;
    d->mode = 2;
    memcpy(d->fifo, "\x01\x02\x03\x04", 4);
    d->regs[0] = 1;
    d->regs[2] = 0xffffffff;
    d->inner.a = 7;
    d->inner.b = -7;
    d->many[1].a = 9;
    d->many[1].b = 100000;
    memcpy(d->blob, "hello", 5);
    d->added_in_v2 = 42;
    timer_mod_ns(d->timer, 123456789);
}

static GByteArray *save(Dev *d)
{
    EmuFile *f = emufile_new_buffer();
    g_assert_true(vmstate_save(f, &vmstate_dev, d, &error_abort));
    size_t len;
    const uint8_t *data = emufile_buffer(f, &len);
    GByteArray *out = g_byte_array_new();
    g_byte_array_append(out, data, len);
    emufile_close(f);
    return out;
}

static bool load(GByteArray *stream, Dev *d, int version, Error **errp)
{
    EmuFile *f = emufile_new_reader(stream->data, stream->len);
    bool ok = vmstate_load(f, &vmstate_dev, d, version, errp);
    emufile_close(f);
    return ok;
}

static void test_layout(void)
{
    Dev d;
    dev_init(&d);
    dev_fill(&d);
    GByteArray *s = save(&d);
    /* bool, u8, be16, be32, be64, be64, be32, 4, 3*4, inner 6, 2*6, blob 5, v2 4,
     * timer 8 = 1+1+2+4+8+8+4+4+12+6+12+5+4+8 = 79 bytes, big-endian. */
    g_assert_cmpuint(s->len, ==, 79);
    g_assert_cmpuint(s->data[0], ==, 1);
    g_assert_cmpuint(s->data[1], ==, 0xab);
    g_assert_cmpuint(s->data[2], ==, 0x12);
    g_assert_cmpuint(s->data[3], ==, 0x34);
    g_assert_cmpuint(s->data[4], ==, 0xde);
    g_assert_cmpmem(s->data + 62, 5, "hello", 5);
    g_byte_array_free(s, TRUE);
    timer_free(d.timer);
}

static void test_roundtrip(void)
{
    Dev a, b;
    dev_init(&a);
    dev_init(&b);
    dev_fill(&a);
    a.extra_needed = true;
    a.extra = 77;
    /* The subsection's needed() reads the source; the destination must agree. */
    b.extra_needed = true;
    g_assert_true(vmstate_roundtrip(&vmstate_dev, &a, &b, &error_abort));
    g_assert_cmpuint(b.u64, ==, a.u64);
    g_assert_cmpint(b.s64, ==, -5);
    g_assert_cmpint(b.many[1].b, ==, 100000);
    g_assert_cmpuint(b.extra, ==, 77);
    g_assert_cmpint(timer_expire_time_ns(b.timer), ==, 123456789);
    g_assert_cmpint(b.post_load_calls, ==, 1);

    /* A difference the description misses is caught by the second save. */
    Dev c;
    dev_init(&c);
    c.extra_needed = false;
    Error *err = NULL;
    g_assert_false(vmstate_roundtrip(&vmstate_dev, &a, &c, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "differ"));
    error_free(err);
    timer_free(a.timer);
    timer_free(b.timer);
    timer_free(c.timer);
}

static void test_versions(void)
{
    Dev a, b;
    dev_init(&a);
    dev_init(&b);
    dev_fill(&a);
    GByteArray *s = save(&a);
    Error *err = NULL;

    g_assert_false(load(s, &b, 3, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "newer"));
    error_free(err);
    err = NULL;
    g_assert_false(load(s, &b, 0, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "older"));
    error_free(err);

    /* A version-1 stream has no added_in_v2: drop those 4 bytes and load as v1. */
    GByteArray *v1 = g_byte_array_new();
    g_byte_array_append(v1, s->data, 67);
    g_byte_array_append(v1, s->data + 71, s->len - 71);
    b.added_in_v2 = 5;
    g_assert_true(load(v1, &b, 1, &error_abort));
    g_assert_cmpuint(b.added_in_v2, ==, 5);
    g_assert_cmpuint(b.u32, ==, 0xdeadbeef);
    g_byte_array_free(v1, TRUE);
    g_byte_array_free(s, TRUE);
    timer_free(a.timer);
    timer_free(b.timer);
}

static void test_hostile_streams(void)
{
    Dev a, b;
    dev_init(&a);
    dev_init(&b);
    dev_fill(&a);
    GByteArray *s = save(&a);
    Error *err = NULL;

    /* Every truncation is an error naming where it ran out. */
    for (guint cut = 0; cut < s->len; cut += 7) {
        GByteArray *t = g_byte_array_new();
        g_byte_array_append(t, s->data, cut);
        g_assert_false(load(t, &b, 2, &err));
        g_assert_nonnull(strstr(error_get_pretty(err), "end of the stream"));
        error_free(err);
        err = NULL;
        g_byte_array_free(t, TRUE);
    }

    /* A bool that is neither 0 nor 1. */
    s->data[0] = 2;
    g_assert_false(load(s, &b, 2, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "boolean"));
    error_free(err);
    err = NULL;
    s->data[0] = 1;

    /* An unknown subsection. */
    GByteArray *u = g_byte_array_new();
    g_byte_array_append(u, s->data, s->len);
    const uint8_t sub[] = { VMS_SUBSECTION_MARKER, 3, 'b', 'a', 'd', 0, 0, 0, 1 };
    g_byte_array_append(u, sub, sizeof(sub));
    g_assert_false(load(u, &b, 2, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "unknown subsection 'bad'"));
    error_free(err);
    err = NULL;
    g_byte_array_free(u, TRUE);

    /* post_load refuses an impossible value. */
    a.mode = 9;
    GByteArray *m = save(&a);
    g_assert_false(load(m, &b, 2, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "post_load"));
    error_free(err);
    g_byte_array_free(m, TRUE);
    g_byte_array_free(s, TRUE);
    timer_free(a.timer);
    timer_free(b.timer);
}

static void test_fd_stream(void)
{
    Dev a, b;
    dev_init(&a);
    dev_init(&b);
    dev_fill(&a);
    int fds[2];
    g_assert_cmpint(pipe(fds), ==, 0);
    EmuFile *w = emufile_new_fd(fds[1], true);
    g_assert_true(vmstate_save(w, &vmstate_dev, &a, &error_abort));
    emufile_close(w);
    close(fds[1]);
    EmuFile *r = emufile_new_fd(fds[0], false);
    g_assert_true(vmstate_load(r, &vmstate_dev, &b, 2, &error_abort));
    g_assert_cmpint(emufile_peek_byte(r), ==, -1);
    emufile_close(r);
    close(fds[0]);
    g_assert_cmpuint(b.u32, ==, 0xdeadbeef);
    g_assert_cmpmem(b.blob, 5, "hello", 5);
    timer_free(a.timer);
    timer_free(b.timer);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    clock_virtual_set_manual(true);
    g_test_add_func("/vmstate/layout", test_layout);
    g_test_add_func("/vmstate/roundtrip", test_roundtrip);
    g_test_add_func("/vmstate/versions", test_versions);
    g_test_add_func("/vmstate/hostile-streams", test_hostile_streams);
    g_test_add_func("/vmstate/fd-stream", test_fd_stream);
    return g_test_run();
}
