/*
 * PS/2 keyboard and mouse in-process: the scan code tables against the
 * 8042's translation table (set 2 translated must equal set 1 for every key),
 * the keyboard's 16-byte buffer and overrun code, and mouse packets (9-bit
 * deltas and their split, Y pointing up, 2:1 scaling, wheel bytes, remote
 * mode), which no guest-visible path in qtest can produce.
 */
#include "hw/input/i8042.h"
#include "hw/input/ps2.h"

static PS2State *new_dev(const char *type)
{
    DeviceState *dev = qdev_new(type);
    g_assert_true(qdev_realize(dev, NULL, &error_abort));
    return PS2_DEVICE(dev);
}

static void free_dev(PS2State *s)
{
    object_unparent(OBJECT(s));
    object_unref(s);
}

static GByteArray *drain(PS2State *s)
{
    GByteArray *out = g_byte_array_new();
    while (ps2_has_data(s)) {
        uint8_t b = ps2_take_byte(s);
        g_byte_array_append(out, &b, 1);
    }
    return out;
}

#define ASSERT_DRAIN(s, ...) do { \
        static const uint8_t want_[] = { __VA_ARGS__ }; \
        g_autoptr(GByteArray) got_ = drain(s); \
        g_assert_cmpmem(got_->data, got_->len, want_, sizeof(want_)); \
    } while (0)

/* Translate a set 2 sequence as the i8042 does (F0 folds into bit 7). */
static int translate_seq(const uint8_t *in, int n, uint8_t *out)
{
    int m = 0;
    bool brk = false;
    for (int i = 0; i < n; i++) {
        if (in[i] == 0xf0) {
            brk = true;
            continue;
        }
        out[m++] = i8042_translate(in[i]) | (brk ? 0x80 : 0);
        brk = false;
    }
    return m;
}

static void test_tables(void)
{
    int keys = 0;
    for (int k = 1; k < Q_KEY_CODE__MAX; k++) {
        const char *name = qkey_code_name(k);
        g_assert_nonnull(name);
        g_assert_cmpint(qkey_code_from_name(name), ==, k);
        for (int down = 0; down <= 1; down++) {
            uint8_t s1[8], s2[8], s3[8], t[8];
            int n1 = ps2_scancodes(1, k, down, s1);
            int n2 = ps2_scancodes(2, k, down, s2);
            int n3 = ps2_scancodes(3, k, down, s3);
            /* Every key exists in all three sets (Pause has no break in 1 and 2). */
            if (k != Q_KEY_CODE_PAUSE || down) {
                g_assert_cmpint(n1, >, 0);
                g_assert_cmpint(n2, >, 0);
            }
            g_assert_cmpint(n3, ==, down ? 1 : 2);
            int nt = translate_seq(s2, n2, t);
            if (nt != n1 || memcmp(t, s1, n1)) {
                g_error("key %s %s: set 2 translated differs from set 1", name,
                        down ? "down" : "up");
            }
        }
        keys++;
    }
    g_assert_cmpint(keys, >, 100);
    /* Names and numbers as QEMU has them. */
    g_assert_cmpint(qkey_code_from_name("ret"), ==, Q_KEY_CODE_RET);
    g_assert_cmpint(qkey_code_from_name("bogus"), ==, Q_KEY_CODE_UNMAPPED);
    g_assert_cmpint(qkey_code_from_number(0x1e), ==, Q_KEY_CODE_A);
    g_assert_cmpint(qkey_code_from_number(0x9c), ==, Q_KEY_CODE_KP_ENTER);
    g_assert_cmpint(qkey_code_from_number(0x7f), ==, Q_KEY_CODE_UNMAPPED);
    /* Set 3 keys are all distinct. */
    uint8_t seen[256] = { 0 };
    for (int k = 1; k < Q_KEY_CODE__MAX; k++) {
        uint8_t c[8];
        ps2_scancodes(3, k, true, c);
        if (k == Q_KEY_CODE_SYSRQ || k == Q_KEY_CODE_KP_MULTIPLY) {
            continue;    /* the same keys as Print and '*' */
        }
        g_assert_cmpint(seen[c[0]]++, ==, 0);
    }
}

static void test_keyboard(void)
{
    PS2State *ps = new_dev(TYPE_PS2_KBD);
    PS2KbdState *kbd = PS2_KBD(ps);

    ps2_keyboard_event(kbd, Q_KEY_CODE_PRINT, true);
    ps2_keyboard_event(kbd, Q_KEY_CODE_PRINT, false);
    ASSERT_DRAIN(ps, 0xe0, 0x12, 0xe0, 0x7c, 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12);
    ps2_keyboard_event(kbd, Q_KEY_CODE_PAUSE, true);
    ps2_keyboard_event(kbd, Q_KEY_CODE_PAUSE, false);
    ASSERT_DRAIN(ps, 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77);

    /* 16 bytes of scan codes fit; the next key is lost with one overrun code. */
    for (int i = 0; i < 20; i++) {
        ps2_keyboard_event(kbd, Q_KEY_CODE_A, true);
    }
    g_autoptr(GByteArray) got = drain(ps);
    g_assert_cmpint(got->len, ==, 17);
    g_assert_cmphex(got->data[15], ==, 0x1c);
    g_assert_cmphex(got->data[16], ==, 0x00);

    /* In set 1 the overrun code is 0xFF. */
    ps2_write(ps, 0xf0);
    ps2_write(ps, 0x01);
    ASSERT_DRAIN(ps, 0xfa, 0xfa);
    for (int i = 0; i < 20; i++) {
        ps2_keyboard_event(kbd, Q_KEY_CODE_B, i & 1);
    }
    g_autoptr(GByteArray) got1 = drain(ps);
    g_assert_cmpint(got1->len, ==, 17);
    g_assert_cmphex(got1->data[0], ==, 0xb0);
    g_assert_cmphex(got1->data[16], ==, 0xff);

    /* Reset: defaults (set 2), buffer cleared, ACK + BAT. */
    ps2_keyboard_event(kbd, Q_KEY_CODE_B, true);
    ps2_write(ps, 0xff);
    ASSERT_DRAIN(ps, 0xfa, 0xaa);
    g_assert_cmpint(kbd->scancode_set, ==, 2);
    free_dev(ps);
}

static void test_mouse_stream(void)
{
    PS2State *ps = new_dev(TYPE_PS2_MOUSE);
    PS2MouseState *m = PS2_MOUSE(ps);

    /* Disabled after reset: motion is not reported. */
    ps2_mouse_event(m, 5, 5, 0, 0);
    g_assert_false(ps2_has_data(ps));
    ps2_write(ps, 0xf4);
    ASSERT_DRAIN(ps, 0xfa);

    /* Right and down on the screen: +x, -y in PS/2 terms. */
    ps2_mouse_event(m, 10, 5, 0, 0);
    ASSERT_DRAIN(ps, 0x28, 0x0a, 0xfb);
    /* Buttons alone make a packet. */
    ps2_mouse_event(m, 0, 0, 0, PS2_MOUSE_BUTTON_LEFT | PS2_MOUSE_BUTTON_MIDDLE);
    ASSERT_DRAIN(ps, 0x0d, 0x00, 0x00);
    ps2_mouse_event(m, 0, 0, 0, PS2_MOUSE_BUTTON_LEFT | PS2_MOUSE_BUTTON_MIDDLE);
    g_assert_false(ps2_has_data(ps));
    /* Large motion is split into packets of at most 255 counts (9 bits). */
    ps2_mouse_event(m, -300, 0, 0, 0);
    ASSERT_DRAIN(ps, 0x18, 0x01, 0x00, 0x18, 0xd3, 0x00);

    /* 2:1 scaling: 1->1, 2->1, 3->3, 4->6, 5->9, then doubled. */
    ps2_write(ps, 0xe7);
    ASSERT_DRAIN(ps, 0xfa);
    ps2_mouse_event(m, 2, -4, 0, 0);
    ASSERT_DRAIN(ps, 0x08, 0x01, 0x06);
    ps2_mouse_event(m, 200, 0, 0, 0);
    ASSERT_DRAIN(ps, 0x48, 0xff, 0x00);      /* 400 does not fit: X overflow */

    /* IntelliMouse: a fourth byte with the wheel. */
    ps2_write(ps, 0xe6);
    ASSERT_DRAIN(ps, 0xfa);
    static const uint8_t knock[] = { 200, 100, 80 };
    for (int i = 0; i < 3; i++) {
        ps2_write(ps, 0xf3);
        ps2_write(ps, knock[i]);
        ASSERT_DRAIN(ps, 0xfa, 0xfa);
    }
    ps2_write(ps, 0xf2);
    ASSERT_DRAIN(ps, 0xfa, 0x03);
    ps2_mouse_event(m, 0, 0, -1, 0);
    ASSERT_DRAIN(ps, 0x08, 0x00, 0x00, 0xff);
    free_dev(ps);
}

static void test_mouse_remote(void)
{
    PS2State *ps = new_dev(TYPE_PS2_MOUSE);
    PS2MouseState *m = PS2_MOUSE(ps);

    ps2_write(ps, 0xf0);
    ASSERT_DRAIN(ps, 0xfa);
    /* Motion adds up until the host polls; nothing is sent by itself. */
    ps2_mouse_event(m, 3, 0, 0, PS2_MOUSE_BUTTON_RIGHT);
    ps2_mouse_event(m, 4, -2, 0, PS2_MOUSE_BUTTON_RIGHT);
    g_assert_false(ps2_has_data(ps));
    ps2_write(ps, 0xeb);
    ASSERT_DRAIN(ps, 0xfa, 0x0a, 0x07, 0x02);
    ps2_write(ps, 0xeb);
    ASSERT_DRAIN(ps, 0xfa, 0x0a, 0x00, 0x00);
    /* Status shows remote mode and the right button. */
    ps2_write(ps, 0xe9);
    ASSERT_DRAIN(ps, 0xfa, 0x41, 0x02, 100);
    /* Bad resolution and unknown commands ask for a resend. */
    ps2_write(ps, 0xe8);
    ps2_write(ps, 0x09);
    ASSERT_DRAIN(ps, 0xfa, 0xfe);
    ps2_write(ps, 0x01);
    ASSERT_DRAIN(ps, 0xfe);
    /* A command drops what the mouse had not sent yet. */
    ps2_write(ps, 0xe9);
    ps2_write(ps, 0xf2);
    ASSERT_DRAIN(ps, 0xfa, 0x00);
    free_dev(ps);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ps2/tables", test_tables);
    g_test_add_func("/ps2/keyboard", test_keyboard);
    g_test_add_func("/ps2/mouse-stream", test_mouse_stream);
    g_test_add_func("/ps2/mouse-remote", test_mouse_remote);
    return g_test_run();
}
