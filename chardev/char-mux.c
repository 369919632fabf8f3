/*
 * The mux: up to MAX_MUX frontends (serial console and monitor, for
 * -nographic and "mon:stdio") share one backend. Output from any of them goes
 * to the backend; input goes to the frontend with the focus. The escape
 * character (Ctrl-A, or -echr) introduces commands, as in QEMU:
 *   C-a h/?  help          C-a x  quit           C-a c  next frontend
 *   C-a b    send break    C-a t  timestamps     C-a C-a  a literal C-a
 * Input the focused frontend cannot take yet is held per frontend, never
 * dropped; it is delivered on qemu_chr_fe_accept_input() or as soon as the
 * loop sees the frontend's can_read become non-zero.
 */
#include "util/osdep.h"
#include "system/runstate.h"
#include "chardev/char-internal.h"

/* How much held input makes a mux stop taking more from its backend. */
#define MUX_HOLD_LIMIT 4096

int chr_escape_char = 0x01;

typedef struct MuxChardev {
    Chardev parent;
    Chardev *base;
    CharBackend chr;                  /* our attachment to the backend */
    CharBackend *backends[MAX_MUX];
    GByteArray *held[MAX_MUX];        /* input not yet taken, per frontend */
    int focus;                        /* -1: no frontend yet */
    bool term_got_escape;
    bool timestamps;
    bool linestart;
    int64_t timestamps_start;
    GSource *flush_src;
} MuxChardev;

DECLARE_INSTANCE_CHECKER(MuxChardev, MUX_CHARDEV, TYPE_CHARDEV_MUX)

void qemu_chr_set_escape_char(int c)
{
    chr_escape_char = c;
}

static void mux_send_event(MuxChardev *m, int tag, ChrEvent event)
{
    CharBackend *be = m->backends[tag];

    if (be && be->chr_event) {
        be->chr_event(be->opaque, event);
    }
}

/* Deliver what @tag's frontend can take of its held input. */
static void mux_flush(MuxChardev *m, int tag)
{
    GByteArray *q = m->held[tag];

    while (q->len) {
        CharBackend *be = m->backends[tag];
        int room;

        if (!be || !be->chr_read || !be->chr_can_read) {
            return;
        }
        room = be->chr_can_read(be->opaque);
        if (room <= 0) {
            return;
        }
        room = MIN(room, (int)q->len);
        /* Copy out first: the handler may re-enter the mux (and append). */
        g_autofree uint8_t *chunk = g_malloc(room);
        memcpy(chunk, q->data, room);
        g_byte_array_remove_range(q, 0, room);
        be->chr_read(be->opaque, chunk, room);
    }
}

static gboolean mux_flush_all(gpointer opaque)
{
    MuxChardev *m = opaque;

    g_source_unref(m->flush_src);
    m->flush_src = NULL;
    for (int i = 0; i < MAX_MUX; i++) {
        mux_flush(m, i);
    }
    qemu_chr_fe_accept_input(&m->chr);
    return G_SOURCE_REMOVE;
}

void mux_chr_set_focus(Chardev *mux, int tag)
{
    MuxChardev *m = MUX_CHARDEV(mux);

    g_assert(tag >= 0 && tag < MAX_MUX);
    if (m->focus >= 0) {
        mux_send_event(m, m->focus, CHR_EVENT_MUX_OUT);
    }
    m->focus = tag;
    mux_send_event(m, tag, CHR_EVENT_MUX_IN);
    mux_flush(m, tag);
}

int mux_chr_can_read(void *opaque)
{
    MuxChardev *m = MUX_CHARDEV(opaque);
    bool pending = false;

    if (m->focus < 0) {
        return 0;
    }
    /*
     * Called as the backend's read source prepares each poll: if a frontend
     * with held input has room again without telling us (no accept_input),
     * deliver from an idle callback rather than from inside prepare.
     */
    for (int i = 0; i < MAX_MUX && !m->flush_src; i++) {
        CharBackend *be = m->backends[i];
        if (m->held[i]->len && be && be->chr_read && be->chr_can_read &&
            be->chr_can_read(be->opaque) > 0) {
            pending = true;
        }
    }
    if (pending) {
        m->flush_src = chr_timeout_add(CHARDEV(m), 0, mux_flush_all, m);
    }
    return MAX(MUX_HOLD_LIMIT - (int)m->held[m->focus]->len, 0);
}

static void mux_write_all(MuxChardev *m, const char *s)
{
    qemu_chr_fe_write_all(&m->chr, (const uint8_t *)s, strlen(s));
}

static void mux_print_help(MuxChardev *m)
{
    g_autofree char *esc = NULL;
    g_autoptr(GString) out = g_string_new("\r\n");
    static const struct {
        char key;
        const char *what;
    } cmds[] = {
        { 'h', "print this help" },
        { 'x', "exit emulator" },
        { 't', "toggle console timestamps" },
        { 'b', "send break (magic sysrq)" },
        { 'c', "switch between console and monitor" },
    };

    if (chr_escape_char > 0 && chr_escape_char < 27) {
        esc = g_strdup_printf("C-%c", 'a' + chr_escape_char - 1);
    } else {
        esc = g_strdup_printf("0x%02x", chr_escape_char);
        g_string_append_printf(out, "Escape-Char set to ASCII 0x%02x\r\n\r\n",
                               chr_escape_char);
    }
    for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
        g_string_append_printf(out, "%s %c    %s\r\n", esc, cmds[i].key, cmds[i].what);
    }
    g_string_append_printf(out, "%s %s  sends %s\r\n", esc, esc, esc);
    mux_write_all(m, out->str);
}

static void mux_next_focus(MuxChardev *m)
{
    for (int i = 1; i <= MAX_MUX; i++) {
        int tag = (m->focus + i) % MAX_MUX;
        if (m->backends[tag]) {
            mux_chr_set_focus(CHARDEV(m), tag);
            return;
        }
    }
}

/* Returns true if @ch is input for the focused frontend. */
static bool mux_proc_byte(MuxChardev *m, uint8_t ch)
{
    if (!m->term_got_escape) {
        if (ch == chr_escape_char) {
            m->term_got_escape = true;
            return false;
        }
        return true;
    }
    m->term_got_escape = false;
    if (ch == chr_escape_char) {
        return true;
    }
    switch (ch) {
    case '?':
    case 'h':
        mux_print_help(m);
        break;
    case 'x':
        mux_write_all(m, "emu: terminated\r\n");
        system_shutdown_request(SHUTDOWN_CAUSE_HOST_UI);
        break;
    case 'b':
        if (m->focus >= 0) {
            mux_send_event(m, m->focus, CHR_EVENT_BREAK);
        }
        break;
    case 'c':
        mux_next_focus(m);
        break;
    case 't':
        m->timestamps = !m->timestamps;
        m->timestamps_start = g_get_monotonic_time();
        m->linestart = false;
        break;
    default:
        /* QEMU's C-a s (commit -snapshot disks) is not offered; others ignored. */
        break;
    }
    return false;
}

void mux_chr_read(void *opaque, const uint8_t *buf, int len)
{
    MuxChardev *m = MUX_CHARDEV(opaque);

    for (int i = 0; i < len; i++) {
        if (mux_proc_byte(m, buf[i]) && m->focus >= 0) {
            g_byte_array_append(m->held[m->focus], &buf[i], 1);
        }
    }
    if (m->focus >= 0) {
        mux_flush(m, m->focus);
    }
}

void mux_chr_event(void *opaque, ChrEvent event)
{
    MuxChardev *m = MUX_CHARDEV(opaque);

    if (event == CHR_EVENT_OPENED) {
        CHARDEV(m)->be_open = true;
    } else if (event == CHR_EVENT_CLOSED) {
        CHARDEV(m)->be_open = false;
    }
    for (int i = 0; i < MAX_MUX; i++) {
        mux_send_event(m, i, event);
    }
}

void mux_chr_accept_input(Chardev *mux, int tag)
{
    MuxChardev *m = MUX_CHARDEV(mux);

    mux_flush(m, tag);
    qemu_chr_fe_accept_input(&m->chr);
}

bool mux_chr_attach(Chardev *mux, CharBackend *be, Error **errp)
{
    MuxChardev *m = MUX_CHARDEV(mux);

    for (int i = 0; i < MAX_MUX; i++) {
        if (!m->backends[i]) {
            m->backends[i] = be;
            be->tag = i;
            return true;
        }
    }
    error_setg(errp, "chardev '%s' already has %d frontends, the most a mux takes",
               mux->label, MAX_MUX);
    return false;
}

void mux_chr_detach(Chardev *mux, CharBackend *be)
{
    MuxChardev *m = MUX_CHARDEV(mux);
    int tag = be->tag;

    if (tag < 0 || tag >= MAX_MUX || m->backends[tag] != be) {
        return;
    }
    m->backends[tag] = NULL;
    g_byte_array_set_size(m->held[tag], 0);
    if (m->focus == tag) {
        m->focus = -1;
        for (int i = 0; i < MAX_MUX; i++) {
            if (m->backends[i]) {
                mux_chr_set_focus(mux, i);
                break;
            }
        }
    }
}

void mux_chr_handlers_changed(Chardev *mux, CharBackend *be)
{
    MuxChardev *m = MUX_CHARDEV(mux);

    if (be->fe_open) {
        /* As QEMU: the frontend that attached last has the focus. */
        mux_chr_set_focus(mux, be->tag);
        if (mux->be_open && be->chr_event) {
            be->chr_event(be->opaque, CHR_EVENT_OPENED);
        }
    }
    mux_flush(m, be->tag);
}

static int mux_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    MuxChardev *m = MUX_CHARDEV(chr);
    int done = 0;

    if (!m->timestamps) {
        return qemu_chr_fe_write(&m->chr, buf, len);
    }
    while (done < len) {
        const uint8_t *nl = memchr(buf + done, '\n', len - done);
        int seg = nl ? nl - (buf + done) + 1 : len - done;
        int n;

        if (m->linestart) {
            int64_t ms = (g_get_monotonic_time() - m->timestamps_start) / 1000;
            g_autofree char *stamp = g_strdup_printf(
                "[%02d:%02d:%02d.%03d] ", (int)(ms / 3600000), (int)(ms / 60000 % 60),
                (int)(ms / 1000 % 60), (int)(ms % 1000));
            mux_write_all(m, stamp);
            m->linestart = false;
        }
        n = qemu_chr_fe_write(&m->chr, buf + done, seg);
        if (n < 0) {
            return done ? done : -1;
        }
        done += n;
        if (n < seg) {
            break;
        }
        if (nl) {
            m->linestart = true;
        }
    }
    return done;
}

static GSource *mux_chr_add_watch(Chardev *chr, GIOCondition cond)
{
    MuxChardev *m = MUX_CHARDEV(chr);
    ChardevClass *cc = CHARDEV_GET_CLASS(m->base);

    return cc->chr_add_watch ? cc->chr_add_watch(m->base, cond) : NULL;
}

static int mux_chr_out_fd(Chardev *chr)
{
    MuxChardev *m = MUX_CHARDEV(chr);
    ChardevClass *cc = CHARDEV_GET_CLASS(m->base);

    return cc->chr_out_fd ? cc->chr_out_fd(m->base) : -1;
}

static void mux_chr_set_echo(Chardev *chr, bool echo)
{
    qemu_chr_fe_set_echo(&MUX_CHARDEV(chr)->chr, echo);
}

Chardev *mux_chr_new(const char *id, Chardev *base, Error **errp)
{
    MuxChardev *m = MUX_CHARDEV(object_new(TYPE_CHARDEV_MUX));
    Chardev *chr = CHARDEV(m);

    chr->label = g_strdup(id);
    if (!qemu_chr_fe_init(&m->chr, base, errp)) {
        object_unref(m);
        return NULL;
    }
    m->base = base;
    chr->filename = g_strdup_printf("mux:%s", base->filename ? base->filename : "");
    chr->be_open = base->be_open;
    qemu_chr_fe_set_handlers(&m->chr, mux_chr_can_read, mux_chr_read, mux_chr_event,
                             m, NULL, true);
    chr_add_to_tree(chr);
    return chr;
}

static void mux_init(Object *obj)
{
    MuxChardev *m = MUX_CHARDEV(obj);

    m->focus = -1;
    for (int i = 0; i < MAX_MUX; i++) {
        m->held[i] = g_byte_array_new();
    }
}

static void mux_finalize(Object *obj)
{
    MuxChardev *m = MUX_CHARDEV(obj);

    chr_source_remove(&m->flush_src);
    for (int i = 0; i < MAX_MUX; i++) {
        if (m->backends[i]) {
            m->backends[i]->chr = NULL;
        }
        g_byte_array_unref(m->held[i]);
    }
    qemu_chr_fe_deinit(&m->chr, false);
}

static void mux_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->internal = true;
    cc->chr_write = mux_chr_write;
    cc->chr_add_watch = mux_chr_add_watch;
    cc->chr_out_fd = mux_chr_out_fd;
    cc->chr_set_echo = mux_chr_set_echo;
}

static const TypeInfo mux_types[] = {
    {
        .name = TYPE_CHARDEV_MUX,
        .parent = TYPE_CHARDEV,
        .instance_size = sizeof(MuxChardev),
        .instance_init = mux_init,
        .instance_finalize = mux_finalize,
        .class_init = mux_class_init,
    },
};
DEFINE_TYPES(mux_types)
