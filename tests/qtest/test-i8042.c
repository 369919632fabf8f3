/*
 * i8042 keyboard controller with its PS/2 keyboard and mouse on -machine pc,
 * driven through ports 0x60/0x64 as a BIOS or Linux's i8042/atkbd/psmouse
 * drivers do. Pins: controller command replies (IBM PS/2 HITR), the
 * keyboard's reset/identify/echo/scan-code-set protocol, the 8042's set 2 ->
 * set 1 translation of real key presses (QMP send-key, HMP sendkey), IRQ 1
 * and 12 gated by the command byte, the IntelliMouse knock, and the two ways
 * the controller resets the PC.
 */
#include "libqtest.h"

#include <string.h>

#define DATA 0x60
#define CMD 0x64

#define STR_OBF 0x01
#define STR_SYS 0x04
#define STR_CMD 0x08
#define STR_AUX_OBF 0x20

#define CTR_DEFAULT 0x43   /* KBDINT | AUXINT | XLATE */

static QTestState *start(void)
{
    return qtest_init("-machine pc");
}

static uint8_t status(QTestState *s)
{
    return qtest_inb(s, CMD);
}

/* Read one byte, which must be there, and say whose it is. */
static uint8_t read_byte(QTestState *s, bool aux)
{
    uint8_t st = status(s);
    g_assert_cmphex(st & STR_OBF, ==, STR_OBF);
    g_assert_cmphex(st & STR_AUX_OBF, ==, aux ? STR_AUX_OBF : 0);
    return qtest_inb(s, DATA);
}

static void expect_bytes(QTestState *s, bool aux, const uint8_t *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t got = read_byte(s, aux);
        if (got != bytes[i]) {
            g_error("byte %zu: expected 0x%02x, got 0x%02x", i, bytes[i], got);
        }
    }
    g_assert_cmphex(status(s) & STR_OBF, ==, 0);
}

#define EXPECT(s, aux, ...) do { \
        static const uint8_t want_[] = { __VA_ARGS__ }; \
        expect_bytes(s, aux, want_, sizeof(want_)); \
    } while (0)

static void set_ctr(QTestState *s, uint8_t val)
{
    qtest_outb(s, CMD, 0x60);
    qtest_outb(s, DATA, val);
}

static uint8_t get_ctr(QTestState *s)
{
    qtest_outb(s, CMD, 0x20);
    return read_byte(s, false);
}

static void aux_send(QTestState *s, uint8_t val)
{
    qtest_outb(s, CMD, 0xd4);
    qtest_outb(s, DATA, val);
}

static void send_key(QTestState *s, const char *key, int hold_ms)
{
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'send-key', 'arguments': "
                                      "{'keys': [{'type': 'qcode', 'data': '%s'}], "
                                      "'hold-time': %d}}", key, hold_ms);
    g_assert_nonnull(qtest_qmp_return(r));
}

static void test_controller(void)
{
    QTestState *s = start();

    /* Nothing buffered after reset; port 0x64 shows the key lock open. */
    g_assert_cmphex(status(s) & (STR_OBF | STR_AUX_OBF | STR_SYS), ==, 0);
    g_assert_cmphex(status(s) & 0x10, ==, 0x10);

    /* Self-test: 0x55, and the system flag is set from then on. */
    qtest_outb(s, CMD, 0xaa);
    g_assert_cmphex(status(s) & STR_CMD, ==, STR_CMD);
    EXPECT(s, false, 0x55);
    g_assert_cmphex(status(s) & STR_SYS, ==, STR_SYS);

    /* Interface tests pass. */
    qtest_outb(s, CMD, 0xab);
    EXPECT(s, false, 0x00);
    qtest_outb(s, CMD, 0xa9);
    EXPECT(s, false, 0x00);

    /* Command byte: reset value, write and read back, SYS mirrored in status. */
    g_assert_cmphex(get_ctr(s) & ~0x04, ==, CTR_DEFAULT);
    set_ctr(s, 0x20);
    g_assert_cmphex(status(s) & STR_CMD, ==, 0);
    g_assert_cmphex(get_ctr(s), ==, 0x20);
    g_assert_cmphex(status(s) & STR_SYS, ==, 0);
    set_ctr(s, 0x65);
    g_assert_cmphex(get_ctr(s), ==, 0x65);
    g_assert_cmphex(status(s) & STR_SYS, ==, STR_SYS);

    /* 0xA7/0xA8 and 0xAD/0xAE flip the disable bits of the command byte. */
    qtest_outb(s, CMD, 0xa8);
    qtest_outb(s, CMD, 0xad);
    g_assert_cmphex(get_ctr(s), ==, 0x55);
    qtest_outb(s, CMD, 0xae);
    qtest_outb(s, CMD, 0xa7);
    g_assert_cmphex(get_ctr(s), ==, 0x65);

    /* Other controller RAM bytes are plain storage. */
    qtest_outb(s, CMD, 0x61 + 4);
    qtest_outb(s, DATA, 0x5a);
    qtest_outb(s, CMD, 0x20 + 5);
    EXPECT(s, false, 0x5a);

    /* Output port: CPU running and A20 on; 0xD1 changes A20, 0xDD/0xDF too. */
    qtest_outb(s, CMD, 0xd0);
    EXPECT(s, false, 0xcf);
    qtest_outb(s, CMD, 0xd1);
    qtest_outb(s, DATA, 0xcd);
    qtest_outb(s, CMD, 0xd0);
    EXPECT(s, false, 0xcd);
    qtest_outb(s, CMD, 0xdf);
    qtest_outb(s, CMD, 0xd0);
    EXPECT(s, false, 0xcf);

    /* Input port, and 0xD2 loops a byte back as keyboard data. */
    qtest_outb(s, CMD, 0xc0);
    g_assert_cmphex(read_byte(s, false) & 0x80, ==, 0x80);
    qtest_outb(s, CMD, 0xd2);
    qtest_outb(s, DATA, 0x9c);
    EXPECT(s, false, 0x9c);
    qtest_outb(s, CMD, 0xd3);
    qtest_outb(s, DATA, 0x08);
    EXPECT(s, true, 0x08);

    /* An empty buffer reads as its last byte. */
    g_assert_cmphex(qtest_inb(s, DATA), ==, 0x08);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_keyboard_protocol(void)
{
    QTestState *s = start();

    set_ctr(s, 0x00);            /* no translation, no IRQs */
    qtest_outb(s, DATA, 0xff);   /* reset: ACK, then BAT passed */
    EXPECT(s, false, 0xfa, 0xaa);
    qtest_outb(s, DATA, 0xf2);   /* identify: an MF II keyboard */
    EXPECT(s, false, 0xfa, 0xab, 0x83);
    qtest_outb(s, DATA, 0xee);   /* echo */
    EXPECT(s, false, 0xee);
    qtest_outb(s, DATA, 0xed);   /* LEDs take an argument, each byte ACKed */
    EXPECT(s, false, 0xfa);
    qtest_outb(s, DATA, 0x07);
    EXPECT(s, false, 0xfa);
    qtest_outb(s, DATA, 0xf3);   /* typematic rate */
    EXPECT(s, false, 0xfa);
    qtest_outb(s, DATA, 0x20);
    EXPECT(s, false, 0xfa);

    /* Scan code sets: 2 after reset, 3 when asked, 4 does not exist. */
    qtest_outb(s, DATA, 0xf0);
    qtest_outb(s, DATA, 0x00);
    EXPECT(s, false, 0xfa, 0xfa, 0x02);
    qtest_outb(s, DATA, 0xf0);
    qtest_outb(s, DATA, 0x03);
    EXPECT(s, false, 0xfa, 0xfa);
    qtest_outb(s, DATA, 0xf0);
    qtest_outb(s, DATA, 0x00);
    EXPECT(s, false, 0xfa, 0xfa, 0x03);
    qtest_outb(s, DATA, 0xf0);
    qtest_outb(s, DATA, 0x04);
    EXPECT(s, false, 0xfa, 0xfe);
    qtest_outb(s, DATA, 0xf0);
    qtest_outb(s, DATA, 0x02);
    EXPECT(s, false, 0xfa, 0xfa);

    /* Resend repeats the last byte; an unknown command asks for a resend. */
    qtest_outb(s, DATA, 0xee);
    EXPECT(s, false, 0xee);
    qtest_outb(s, DATA, 0xfe);
    EXPECT(s, false, 0xee);
    qtest_outb(s, DATA, 0x42);
    EXPECT(s, false, 0xfe);

    /* With translation the controller rewrites the keyboard's bytes too:
     * identify is AB 41, and set 2 is reported as 0x41 (what Linux expects). */
    set_ctr(s, 0x40);
    qtest_outb(s, DATA, 0xf2);
    EXPECT(s, false, 0xfa, 0xab, 0x41);
    qtest_outb(s, DATA, 0xf0);
    qtest_outb(s, DATA, 0x00);
    EXPECT(s, false, 0xfa, 0xfa, 0x41);

    /* Scanning off: key presses are not sent. */
    qtest_outb(s, DATA, 0xf5);
    EXPECT(s, false, 0xfa);
    send_key(s, "a", 0);
    g_assert_cmphex(status(s) & STR_OBF, ==, 0);
    qtest_outb(s, DATA, 0xf4);
    EXPECT(s, false, 0xfa);
    send_key(s, "a", 0);
    EXPECT(s, false, 0x1e, 0x9e);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_translation(void)
{
    QTestState *s = start();

    /* Set 2 as the keyboard sends it. The release comes after hold-time. */
    set_ctr(s, 0x00);
    send_key(s, "a", 20);
    EXPECT(s, false, 0x1c);
    qtest_clock_step(s, 20 * 1000 * 1000);
    EXPECT(s, false, 0xf0, 0x1c);

    /* The same key through the 8042's translation: set 1 make and break. */
    set_ctr(s, 0x40);
    send_key(s, "a", 0);
    EXPECT(s, false, 0x1e, 0x9e);

    /* Extended keys keep their E0 prefix. */
    send_key(s, "up", 0);
    EXPECT(s, false, 0xe0, 0x48, 0xe0, 0xc8);
    set_ctr(s, 0x00);
    send_key(s, "kp_enter", 0);
    EXPECT(s, false, 0xe0, 0x5a, 0xe0, 0xf0, 0x5a);

    /* A keyboard switched to set 1 sends set 1 itself. */
    qtest_outb(s, DATA, 0xf0);
    qtest_outb(s, DATA, 0x01);
    EXPECT(s, false, 0xfa, 0xfa);
    send_key(s, "spc", 0);
    EXPECT(s, false, 0x39, 0xb9);
    /* Set 3: one byte per key, F0 before the break. */
    qtest_outb(s, DATA, 0xf0);
    qtest_outb(s, DATA, 0x03);
    EXPECT(s, false, 0xfa, 0xfa);
    send_key(s, "f1", 0);
    EXPECT(s, false, 0x07, 0xf0, 0x07);

    /* HMP: several keys pressed in order, released in reverse. */
    qtest_outb(s, DATA, 0xf0);
    qtest_outb(s, DATA, 0x02);
    EXPECT(s, false, 0xfa, 0xfa);
    set_ctr(s, 0x40);
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'human-monitor-command', "
                                      "'arguments': {'command-line': 'sendkey ctrl-alt-f1 5'}}");
    g_assert_nonnull(qtest_qmp_return(r));
    EXPECT(s, false, 0x1d, 0x38, 0x3b);
    qtest_clock_step(s, 5 * 1000 * 1000);
    EXPECT(s, false, 0xbb, 0xb8, 0x9d);

    /* QMP "number" keys are set 1 codes; unknown keys are refused. */
    g_autoptr(JsonNode) r2 = qtest_qmp(s, "{'execute': 'send-key', 'arguments': "
                                       "{'keys': [{'type': 'number', 'data': 28}], "
                                       "'hold-time': 0}}");
    g_assert_nonnull(qtest_qmp_return(r2));
    EXPECT(s, false, 0x1c, 0x9c);
    g_autoptr(JsonNode) r3 = qtest_qmp(s, "{'execute': 'send-key', 'arguments': "
                                       "{'keys': [{'type': 'qcode', 'data': 'nokey'}]}}");
    g_assert_null(qtest_qmp_return(r3));
    static const char *const bad_args[] = {
        "{'keys': []}",
        "{'keys': 'a'}",
        "{'keys': [{'type': 'qcode', 'data': 1}]}",
        "{'keys': [{'type': 'number', 'data': 4096}]}",
        "{'keys': [{'type': 'qcode', 'data': 'a'}], 'hold-time': -1}",
        "{'keys': [{'type': 'qcode', 'data': 'a'}], 'hold-time': 9223372036854775807}",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad_args); i++) {
        g_autoptr(JsonNode) rb = qtest_qmp(s, "{'execute': 'send-key', 'arguments': %s}",
                                           bad_args[i]);
        g_assert_null(qtest_qmp_return(rb));
    }
    g_autoptr(JsonNode) r4 = qtest_qmp(s, "{'execute': 'human-monitor-command', "
                                       "'arguments': {'command-line': 'sendkey ctrl-nokey'}}");
    JsonNode *out = qtest_qmp_return(r4);
    g_assert_nonnull(out);
    g_assert_nonnull(strstr(json_node_get_string(out), "unknown key 'nokey'"));
    /* Refused commands pressed nothing, not even the keys before the bad one. */
    g_assert_cmphex(status(s) & STR_OBF, ==, 0);

    /* With the keyboard clock held (0xAD) keys wait in the keyboard. */
    qtest_outb(s, CMD, 0xad);
    send_key(s, "b", 0);
    g_assert_cmphex(status(s) & STR_OBF, ==, 0);
    qtest_outb(s, CMD, 0xae);
    EXPECT(s, false, 0x30, 0xb0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_irqs(void)
{
    QTestState *s = start();

    qtest_irq_intercept_in(s, "/machine/gsi");
    g_assert_false(qtest_get_irq(s, 1));

    /* Keyboard data with KBDINT: IRQ 1 until the byte is read. */
    set_ctr(s, 0x01);
    qtest_outb(s, DATA, 0xee);
    g_assert_true(qtest_get_irq(s, 1));
    g_assert_false(qtest_get_irq(s, 12));
    g_assert_cmphex(qtest_inb(s, DATA), ==, 0xee);
    g_assert_false(qtest_get_irq(s, 1));

    /* Two bytes: the line stays up for the second. */
    qtest_outb(s, DATA, 0xff);
    g_assert_true(qtest_get_irq(s, 1));
    g_assert_cmphex(qtest_inb(s, DATA), ==, 0xfa);
    g_assert_true(qtest_get_irq(s, 1));
    g_assert_cmphex(qtest_inb(s, DATA), ==, 0xaa);
    g_assert_false(qtest_get_irq(s, 1));

    /* KBDINT off: data arrives, no interrupt. */
    set_ctr(s, 0x00);
    qtest_outb(s, DATA, 0xee);
    g_assert_cmphex(status(s) & STR_OBF, ==, STR_OBF);
    g_assert_false(qtest_get_irq(s, 1));
    /* Turning it on with data waiting raises the line. */
    set_ctr(s, 0x01);
    g_assert_true(qtest_get_irq(s, 1));
    EXPECT(s, false, 0xee);
    g_assert_false(qtest_get_irq(s, 1));

    /* Mouse data raises IRQ 12 (with AUXINT), never IRQ 1. */
    set_ctr(s, 0x03);
    aux_send(s, 0xf2);
    g_assert_true(qtest_get_irq(s, 12));
    g_assert_false(qtest_get_irq(s, 1));
    EXPECT(s, true, 0xfa, 0x00);
    g_assert_false(qtest_get_irq(s, 12));
    set_ctr(s, 0x01);
    aux_send(s, 0xf2);
    g_assert_false(qtest_get_irq(s, 12));
    EXPECT(s, true, 0xfa, 0x00);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_mouse(void)
{
    QTestState *s = start();

    set_ctr(s, 0x00);
    aux_send(s, 0xff);
    EXPECT(s, true, 0xfa, 0xaa, 0x00);
    aux_send(s, 0xf2);
    EXPECT(s, true, 0xfa, 0x00);

    /* Status request: stream mode, disabled, 1:1, resolution 2, 100/s. */
    aux_send(s, 0xe9);
    EXPECT(s, true, 0xfa, 0x00, 0x02, 100);
    /* Each reply is read before the next command, as drivers do: a command
     * makes the mouse drop whatever it had not sent yet. */
    aux_send(s, 0xf4);
    EXPECT(s, true, 0xfa);
    aux_send(s, 0xe7);
    EXPECT(s, true, 0xfa);
    aux_send(s, 0xe8);
    aux_send(s, 0x03);
    EXPECT(s, true, 0xfa, 0xfa);
    aux_send(s, 0xe9);
    EXPECT(s, true, 0xfa, 0x30, 0x03, 100);

    /* The IntelliMouse knock: rates 200, 100, 80 give ID 3 (wheel)... */
    static const uint8_t knock3[] = { 200, 100, 80 };
    for (int i = 0; i < 3; i++) {
        aux_send(s, 0xf3);
        aux_send(s, knock3[i]);
        EXPECT(s, true, 0xfa, 0xfa);
    }
    aux_send(s, 0xf2);
    EXPECT(s, true, 0xfa, 0x03);
    /* ... then 200, 200, 80 ID 4 (five buttons). */
    static const uint8_t knock4[] = { 200, 200, 80 };
    for (int i = 0; i < 3; i++) {
        aux_send(s, 0xf3);
        aux_send(s, knock4[i]);
        EXPECT(s, true, 0xfa, 0xfa);
    }
    aux_send(s, 0xf2);
    EXPECT(s, true, 0xfa, 0x04);

    /* Remote mode, and a polled packet: no motion, no buttons, 4 bytes. */
    aux_send(s, 0xf0);
    EXPECT(s, true, 0xfa);
    aux_send(s, 0xeb);
    EXPECT(s, true, 0xfa, 0x08, 0x00, 0x00, 0x00);

    /* Wrap mode echoes until 0xEC. */
    aux_send(s, 0xee);
    EXPECT(s, true, 0xfa);
    aux_send(s, 0x5a);
    EXPECT(s, true, 0x5a);
    aux_send(s, 0xec);
    EXPECT(s, true, 0xfa);

    /* Reset goes back to a plain PS/2 mouse. */
    aux_send(s, 0xff);
    EXPECT(s, true, 0xfa, 0xaa, 0x00);
    aux_send(s, 0xf2);
    EXPECT(s, true, 0xfa, 0x00);

    /* Mouse bytes wait while the aux clock is held (0xA7). */
    aux_send(s, 0xe9);
    qtest_outb(s, CMD, 0xa7);
    g_assert_cmphex(read_byte(s, true), ==, 0xfa);
    g_assert_cmphex(status(s) & STR_OBF, ==, 0);
    qtest_outb(s, CMD, 0xa8);
    EXPECT(s, true, 0x00, 0x02, 100);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void expect_guest_reset(QTestState *s)
{
    g_autoptr(JsonNode) ev = qtest_qmp_eventwait_ref(s, "RESET");
    JsonObject *data = json_object_get_object_member(json_node_get_object(ev), "data");
    g_assert_true(json_object_get_boolean_member(data, "guest"));
    g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==, "guest-reset");
}

static void test_reset(void)
{
    QTestState *s = start();

    /* 0xFF pulses nothing; 0xFE pulses the reset line. */
    set_ctr(s, 0x00);
    qtest_outb(s, CMD, 0xff);
    g_assert_cmphex(get_ctr(s), ==, 0x00);
    qtest_outb(s, CMD, 0xfe);
    expect_guest_reset(s);
    /* The reset put the controller back to its power-on state. */
    g_assert_cmphex(get_ctr(s), ==, CTR_DEFAULT);

    /* Output port with bit 0 clear holds the CPU in reset. */
    set_ctr(s, 0x00);
    qtest_outb(s, CMD, 0xd1);
    qtest_outb(s, DATA, 0xdf);   /* A20 on, CPU running: no reset */
    g_assert_cmphex(get_ctr(s), ==, 0x00);
    qtest_outb(s, CMD, 0xd1);
    qtest_outb(s, DATA, 0xde);
    expect_guest_reset(s);
    g_assert_cmphex(get_ctr(s), ==, CTR_DEFAULT);
    qtest_outb(s, CMD, 0xd0);
    EXPECT(s, false, 0xcf);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/i8042/controller", test_controller);
    g_test_add_func("/i8042/keyboard-protocol", test_keyboard_protocol);
    g_test_add_func("/i8042/translation", test_translation);
    g_test_add_func("/i8042/irqs", test_irqs);
    g_test_add_func("/i8042/mouse", test_mouse);
    g_test_add_func("/i8042/reset", test_reset);
    return g_test_run();
}
