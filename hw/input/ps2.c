/*
 * PS/2 keyboard (MF II, ID AB 83) and mouse (PS/2, IntelliMouse, IntelliMouse
 * Explorer). Commands and replies follow the IBM PS/2 Hardware Interface
 * Technical Reference (keyboard and pointing device sections) and Microsoft's
 * IntelliMouse PS/2 extension; scan code tables are the standard sets 1-3.
 */
#include "hw/input/ps2.h"
#include "migration/vmstate.h"
#include "util/log.h"

/* ---- keyboard commands (IBM PS/2 HITR, 101/102-key keyboard) ---- */
#define KBD_CMD_SET_LEDS 0xed
#define KBD_CMD_ECHO 0xee
#define KBD_CMD_SCANCODE 0xf0
#define KBD_CMD_IDENTIFY 0xf2
#define KBD_CMD_TYPEMATIC 0xf3
#define KBD_CMD_ENABLE 0xf4
#define KBD_CMD_DEFAULT_DISABLE 0xf5
#define KBD_CMD_SET_DEFAULT 0xf6
#define KBD_CMD_ALL_TYPEMATIC 0xf7      /* 0xF7..0xFA: set 3 key types, all keys */
#define KBD_CMD_ALL_MAKE_BREAK_TYPEMATIC 0xfa
#define KBD_CMD_KEY_TYPEMATIC 0xfb      /* 0xFB..0xFD: set 3 key types, listed keys */
#define KBD_CMD_KEY_MAKE 0xfd
#define KBD_CMD_RESEND 0xfe
#define KBD_CMD_RESET 0xff

#define KBD_REPLY_ID1 0xab
#define KBD_REPLY_ID2 0x83
#define KBD_REPLY_ECHO 0xee
/* Overrun: 0x00 in sets 2 and 3, 0xFF in set 1. */
#define KBD_OVERRUN_SET1 0xff
#define KBD_OVERRUN_SET23 0x00

/* pending_cmd value while a 0xFB..0xFD key list is being received */
#define KBD_PENDING_KEY_LIST 0x100

/* ---- mouse commands (IBM PS/2 pointing device) ---- */
#define AUX_SET_SCALE11 0xe6
#define AUX_SET_SCALE21 0xe7
#define AUX_SET_RES 0xe8
#define AUX_STATUS 0xe9
#define AUX_SET_STREAM 0xea
#define AUX_READ_DATA 0xeb
#define AUX_RESET_WRAP 0xec
#define AUX_SET_WRAP 0xee
#define AUX_SET_REMOTE 0xf0
#define AUX_GET_ID 0xf2
#define AUX_SET_SAMPLE 0xf3
#define AUX_ENABLE 0xf4
#define AUX_DISABLE 0xf5
#define AUX_SET_DEFAULT 0xf6
#define AUX_RESEND 0xfe
#define AUX_RESET 0xff

/* Status request (0xE9) byte 1. */
#define AUX_STATUS_REMOTE 0x40
#define AUX_STATUS_ENABLED 0x20
#define AUX_STATUS_SCALE21 0x10
#define AUX_STATUS_LEFT 0x04
#define AUX_STATUS_MIDDLE 0x02
#define AUX_STATUS_RIGHT 0x01

#define AUX_DEFAULT_RATE 100
#define AUX_DEFAULT_RESOLUTION 2   /* 4 counts/mm */

/* ---- scan code tables ---- */

/* Codes sent behind an 0xE0 prefix carry this flag. */
#define E0 0x100

/*
 * Set 2 make codes (the break is 0xF0 before the last byte). Print and Pause
 * are multi-byte sequences built in ps2_scancodes().
 */
static const uint16_t set2_codes[Q_KEY_CODE__MAX] = {
    [Q_KEY_CODE_SHIFT] = 0x12, [Q_KEY_CODE_SHIFT_R] = 0x59,
    [Q_KEY_CODE_ALT] = 0x11, [Q_KEY_CODE_ALT_R] = E0 | 0x11,
    [Q_KEY_CODE_CTRL] = 0x14, [Q_KEY_CODE_CTRL_R] = E0 | 0x14,
    [Q_KEY_CODE_MENU] = E0 | 0x2f, [Q_KEY_CODE_ESC] = 0x76,
    [Q_KEY_CODE_1] = 0x16, [Q_KEY_CODE_2] = 0x1e, [Q_KEY_CODE_3] = 0x26,
    [Q_KEY_CODE_4] = 0x25, [Q_KEY_CODE_5] = 0x2e, [Q_KEY_CODE_6] = 0x36,
    [Q_KEY_CODE_7] = 0x3d, [Q_KEY_CODE_8] = 0x3e, [Q_KEY_CODE_9] = 0x46,
    [Q_KEY_CODE_0] = 0x45, [Q_KEY_CODE_MINUS] = 0x4e, [Q_KEY_CODE_EQUAL] = 0x55,
    [Q_KEY_CODE_BACKSPACE] = 0x66, [Q_KEY_CODE_TAB] = 0x0d,
    [Q_KEY_CODE_Q] = 0x15, [Q_KEY_CODE_W] = 0x1d, [Q_KEY_CODE_E] = 0x24,
    [Q_KEY_CODE_R] = 0x2d, [Q_KEY_CODE_T] = 0x2c, [Q_KEY_CODE_Y] = 0x35,
    [Q_KEY_CODE_U] = 0x3c, [Q_KEY_CODE_I] = 0x43, [Q_KEY_CODE_O] = 0x44,
    [Q_KEY_CODE_P] = 0x4d, [Q_KEY_CODE_BRACKET_LEFT] = 0x54,
    [Q_KEY_CODE_BRACKET_RIGHT] = 0x5b, [Q_KEY_CODE_RET] = 0x5a,
    [Q_KEY_CODE_A] = 0x1c, [Q_KEY_CODE_S] = 0x1b, [Q_KEY_CODE_D] = 0x23,
    [Q_KEY_CODE_F] = 0x2b, [Q_KEY_CODE_G] = 0x34, [Q_KEY_CODE_H] = 0x33,
    [Q_KEY_CODE_J] = 0x3b, [Q_KEY_CODE_K] = 0x42, [Q_KEY_CODE_L] = 0x4b,
    [Q_KEY_CODE_SEMICOLON] = 0x4c, [Q_KEY_CODE_APOSTROPHE] = 0x52,
    [Q_KEY_CODE_GRAVE_ACCENT] = 0x0e, [Q_KEY_CODE_BACKSLASH] = 0x5d,
    [Q_KEY_CODE_Z] = 0x1a, [Q_KEY_CODE_X] = 0x22, [Q_KEY_CODE_C] = 0x21,
    [Q_KEY_CODE_V] = 0x2a, [Q_KEY_CODE_B] = 0x32, [Q_KEY_CODE_N] = 0x31,
    [Q_KEY_CODE_M] = 0x3a, [Q_KEY_CODE_COMMA] = 0x41, [Q_KEY_CODE_DOT] = 0x49,
    [Q_KEY_CODE_SLASH] = 0x4a, [Q_KEY_CODE_ASTERISK] = 0x7c,
    [Q_KEY_CODE_SPC] = 0x29, [Q_KEY_CODE_CAPS_LOCK] = 0x58,
    [Q_KEY_CODE_F1] = 0x05, [Q_KEY_CODE_F2] = 0x06, [Q_KEY_CODE_F3] = 0x04,
    [Q_KEY_CODE_F4] = 0x0c, [Q_KEY_CODE_F5] = 0x03, [Q_KEY_CODE_F6] = 0x0b,
    [Q_KEY_CODE_F7] = 0x83, [Q_KEY_CODE_F8] = 0x0a, [Q_KEY_CODE_F9] = 0x01,
    [Q_KEY_CODE_F10] = 0x09, [Q_KEY_CODE_F11] = 0x78, [Q_KEY_CODE_F12] = 0x07,
    [Q_KEY_CODE_NUM_LOCK] = 0x77, [Q_KEY_CODE_SCROLL_LOCK] = 0x7e,
    [Q_KEY_CODE_KP_DIVIDE] = E0 | 0x4a, [Q_KEY_CODE_KP_MULTIPLY] = 0x7c,
    [Q_KEY_CODE_KP_SUBTRACT] = 0x7b, [Q_KEY_CODE_KP_ADD] = 0x79,
    [Q_KEY_CODE_KP_ENTER] = E0 | 0x5a, [Q_KEY_CODE_KP_DECIMAL] = 0x71,
    [Q_KEY_CODE_SYSRQ] = 0x84,
    [Q_KEY_CODE_KP_0] = 0x70, [Q_KEY_CODE_KP_1] = 0x69, [Q_KEY_CODE_KP_2] = 0x72,
    [Q_KEY_CODE_KP_3] = 0x7a, [Q_KEY_CODE_KP_4] = 0x6b, [Q_KEY_CODE_KP_5] = 0x73,
    [Q_KEY_CODE_KP_6] = 0x74, [Q_KEY_CODE_KP_7] = 0x6c, [Q_KEY_CODE_KP_8] = 0x75,
    [Q_KEY_CODE_KP_9] = 0x7d, [Q_KEY_CODE_LESS] = 0x61,
    [Q_KEY_CODE_HOME] = E0 | 0x6c, [Q_KEY_CODE_PGUP] = E0 | 0x7d,
    [Q_KEY_CODE_PGDN] = E0 | 0x7a, [Q_KEY_CODE_END] = E0 | 0x69,
    [Q_KEY_CODE_LEFT] = E0 | 0x6b, [Q_KEY_CODE_UP] = E0 | 0x75,
    [Q_KEY_CODE_DOWN] = E0 | 0x72, [Q_KEY_CODE_RIGHT] = E0 | 0x74,
    [Q_KEY_CODE_INSERT] = E0 | 0x70, [Q_KEY_CODE_DELETE] = E0 | 0x71,
    [Q_KEY_CODE_META_L] = E0 | 0x1f, [Q_KEY_CODE_META_R] = E0 | 0x27,
};

/* Set 3: one byte per key, no prefixes; the break is 0xF0 before it. */
static const uint8_t set3_codes[Q_KEY_CODE__MAX] = {
    [Q_KEY_CODE_SHIFT] = 0x12, [Q_KEY_CODE_SHIFT_R] = 0x59,
    [Q_KEY_CODE_ALT] = 0x19, [Q_KEY_CODE_ALT_R] = 0x39,
    [Q_KEY_CODE_CTRL] = 0x11, [Q_KEY_CODE_CTRL_R] = 0x58,
    [Q_KEY_CODE_MENU] = 0x8d, [Q_KEY_CODE_ESC] = 0x08,
    [Q_KEY_CODE_1] = 0x16, [Q_KEY_CODE_2] = 0x1e, [Q_KEY_CODE_3] = 0x26,
    [Q_KEY_CODE_4] = 0x25, [Q_KEY_CODE_5] = 0x2e, [Q_KEY_CODE_6] = 0x36,
    [Q_KEY_CODE_7] = 0x3d, [Q_KEY_CODE_8] = 0x3e, [Q_KEY_CODE_9] = 0x46,
    [Q_KEY_CODE_0] = 0x45, [Q_KEY_CODE_MINUS] = 0x4e, [Q_KEY_CODE_EQUAL] = 0x55,
    [Q_KEY_CODE_BACKSPACE] = 0x66, [Q_KEY_CODE_TAB] = 0x0d,
    [Q_KEY_CODE_Q] = 0x15, [Q_KEY_CODE_W] = 0x1d, [Q_KEY_CODE_E] = 0x24,
    [Q_KEY_CODE_R] = 0x2d, [Q_KEY_CODE_T] = 0x2c, [Q_KEY_CODE_Y] = 0x35,
    [Q_KEY_CODE_U] = 0x3c, [Q_KEY_CODE_I] = 0x43, [Q_KEY_CODE_O] = 0x44,
    [Q_KEY_CODE_P] = 0x4d, [Q_KEY_CODE_BRACKET_LEFT] = 0x54,
    [Q_KEY_CODE_BRACKET_RIGHT] = 0x5b, [Q_KEY_CODE_RET] = 0x5a,
    [Q_KEY_CODE_A] = 0x1c, [Q_KEY_CODE_S] = 0x1b, [Q_KEY_CODE_D] = 0x23,
    [Q_KEY_CODE_F] = 0x2b, [Q_KEY_CODE_G] = 0x34, [Q_KEY_CODE_H] = 0x33,
    [Q_KEY_CODE_J] = 0x3b, [Q_KEY_CODE_K] = 0x42, [Q_KEY_CODE_L] = 0x4b,
    [Q_KEY_CODE_SEMICOLON] = 0x4c, [Q_KEY_CODE_APOSTROPHE] = 0x52,
    [Q_KEY_CODE_GRAVE_ACCENT] = 0x0e, [Q_KEY_CODE_BACKSLASH] = 0x5c,
    [Q_KEY_CODE_Z] = 0x1a, [Q_KEY_CODE_X] = 0x22, [Q_KEY_CODE_C] = 0x21,
    [Q_KEY_CODE_V] = 0x2a, [Q_KEY_CODE_B] = 0x32, [Q_KEY_CODE_N] = 0x31,
    [Q_KEY_CODE_M] = 0x3a, [Q_KEY_CODE_COMMA] = 0x41, [Q_KEY_CODE_DOT] = 0x49,
    [Q_KEY_CODE_SLASH] = 0x4a, [Q_KEY_CODE_ASTERISK] = 0x7e,
    [Q_KEY_CODE_SPC] = 0x29, [Q_KEY_CODE_CAPS_LOCK] = 0x14,
    [Q_KEY_CODE_F1] = 0x07, [Q_KEY_CODE_F2] = 0x0f, [Q_KEY_CODE_F3] = 0x17,
    [Q_KEY_CODE_F4] = 0x1f, [Q_KEY_CODE_F5] = 0x27, [Q_KEY_CODE_F6] = 0x2f,
    [Q_KEY_CODE_F7] = 0x37, [Q_KEY_CODE_F8] = 0x3f, [Q_KEY_CODE_F9] = 0x47,
    [Q_KEY_CODE_F10] = 0x4f, [Q_KEY_CODE_F11] = 0x56, [Q_KEY_CODE_F12] = 0x5e,
    [Q_KEY_CODE_NUM_LOCK] = 0x76, [Q_KEY_CODE_SCROLL_LOCK] = 0x5f,
    [Q_KEY_CODE_KP_DIVIDE] = 0x77, [Q_KEY_CODE_KP_MULTIPLY] = 0x7e,
    [Q_KEY_CODE_KP_SUBTRACT] = 0x84, [Q_KEY_CODE_KP_ADD] = 0x7c,
    [Q_KEY_CODE_KP_ENTER] = 0x79, [Q_KEY_CODE_KP_DECIMAL] = 0x71,
    [Q_KEY_CODE_SYSRQ] = 0x57,
    [Q_KEY_CODE_KP_0] = 0x70, [Q_KEY_CODE_KP_1] = 0x69, [Q_KEY_CODE_KP_2] = 0x72,
    [Q_KEY_CODE_KP_3] = 0x7a, [Q_KEY_CODE_KP_4] = 0x6b, [Q_KEY_CODE_KP_5] = 0x73,
    [Q_KEY_CODE_KP_6] = 0x74, [Q_KEY_CODE_KP_7] = 0x6c, [Q_KEY_CODE_KP_8] = 0x75,
    [Q_KEY_CODE_KP_9] = 0x7d, [Q_KEY_CODE_LESS] = 0x13,
    [Q_KEY_CODE_HOME] = 0x6e, [Q_KEY_CODE_PGUP] = 0x6f, [Q_KEY_CODE_PGDN] = 0x6d,
    [Q_KEY_CODE_END] = 0x65, [Q_KEY_CODE_LEFT] = 0x61, [Q_KEY_CODE_UP] = 0x63,
    [Q_KEY_CODE_DOWN] = 0x60, [Q_KEY_CODE_RIGHT] = 0x6a,
    [Q_KEY_CODE_INSERT] = 0x67, [Q_KEY_CODE_DELETE] = 0x64,
    [Q_KEY_CODE_PAUSE] = 0x62, [Q_KEY_CODE_PRINT] = 0x57,
    [Q_KEY_CODE_META_L] = 0x8b, [Q_KEY_CODE_META_R] = 0x8c,
};

static int scancodes_set1(QKeyCode key, bool down, uint8_t *out)
{
    static const uint8_t print_make[] = { 0xe0, 0x2a, 0xe0, 0x37 };
    static const uint8_t print_break[] = { 0xe0, 0xb7, 0xe0, 0xaa };
    static const uint8_t pause_make[] = { 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5 };
    int n = 0;

    /* Print Screen is sent as a fake shift plus the keypad '*'; Pause has no
     * break code and sends Ctrl+NumLock-like bytes behind 0xE1. */
    if (key == Q_KEY_CODE_PRINT) {
        memcpy(out, down ? print_make : print_break, sizeof(print_make));
        return sizeof(print_make);
    }
    if (key == Q_KEY_CODE_PAUSE) {
        if (!down) {
            return 0;
        }
        memcpy(out, pause_make, sizeof(pause_make));
        return sizeof(pause_make);
    }
    unsigned number = qkey_code_number(key);
    if (!number) {
        return 0;
    }
    if (number & 0x80) {
        out[n++] = 0xe0;
    }
    out[n++] = (number & 0x7f) | (down ? 0 : 0x80);
    return n;
}

static int scancodes_set2(QKeyCode key, bool down, uint8_t *out)
{
    static const uint8_t print_make[] = { 0xe0, 0x12, 0xe0, 0x7c };
    static const uint8_t print_break[] = { 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12 };
    static const uint8_t pause_make[] = { 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77 };
    int n = 0;

    if (key == Q_KEY_CODE_PRINT) {
        if (down) {
            memcpy(out, print_make, sizeof(print_make));
            return sizeof(print_make);
        }
        memcpy(out, print_break, sizeof(print_break));
        return sizeof(print_break);
    }
    if (key == Q_KEY_CODE_PAUSE) {
        if (!down) {
            return 0;
        }
        memcpy(out, pause_make, sizeof(pause_make));
        return sizeof(pause_make);
    }
    uint16_t code = set2_codes[key];
    if (!code) {
        return 0;
    }
    if (code & E0) {
        out[n++] = 0xe0;
    }
    if (!down) {
        out[n++] = 0xf0;
    }
    out[n++] = code & 0xff;
    return n;
}

int ps2_scancodes(int set, QKeyCode key, bool down, uint8_t *out)
{
    if (key <= Q_KEY_CODE_UNMAPPED || key >= Q_KEY_CODE__MAX) {
        return 0;
    }
    switch (set) {
    case 1:
        return scancodes_set1(key, down, out);
    case 2:
        return scancodes_set2(key, down, out);
    case 3:
        if (!set3_codes[key]) {
            return 0;
        }
        /* Set 3's default mode gives every key a make and a break code. */
        if (!down) {
            out[0] = 0xf0;
            out[1] = set3_codes[key];
            return 2;
        }
        out[0] = set3_codes[key];
        return 1;
    default:
        return 0;
    }
}

/* ---- the byte queue shared by both devices ---- */

void ps2_set_notify(PS2State *s, PS2DataNotify *fn, void *opaque)
{
    s->notify = fn;
    s->notify_opaque = opaque;
}

bool ps2_has_data(PS2State *s)
{
    return s->count > 0;
}

uint8_t ps2_take_byte(PS2State *s)
{
    g_assert(s->count > 0);
    uint8_t val = s->buf[s->rptr];
    s->rptr = (s->rptr + 1) % PS2_BUFFER_SIZE;
    s->count--;
    s->last_sent = val;
    return val;
}

/* Append without telling the controller (a batch is announced once). */
static void ps2_put(PS2State *s, uint8_t val)
{
    if (s->count >= PS2_BUFFER_SIZE) {
        /* Only a guest that never reads while flooding commands gets here. */
        DEVICE(s)->ignored_accesses++;
        return;
    }
    s->buf[(s->rptr + s->count) % PS2_BUFFER_SIZE] = val;
    s->count++;
}

static void ps2_notify(PS2State *s)
{
    if (s->count && s->notify) {
        s->notify(s->notify_opaque);
    }
}

void ps2_queue_byte(PS2State *s, uint8_t val)
{
    ps2_put(s, val);
    ps2_notify(s);
}

static void ps2_queue2(PS2State *s, uint8_t a, uint8_t b)
{
    ps2_put(s, a);
    ps2_put(s, b);
    ps2_notify(s);
}

static void ps2_clear_queue(PS2State *s)
{
    s->rptr = 0;
    s->count = 0;
}

void ps2_write(PS2State *s, uint8_t val)
{
    PS2_DEVICE_GET_CLASS(s)->write(s, val);
}

static void ps2_common_reset(PS2State *s)
{
    ps2_clear_queue(s);
    s->pending_cmd = -1;
    s->last_sent = 0;
}

/* ---- keyboard ---- */

static void kbd_set_defaults(PS2KbdState *s)
{
    s->scancode_set = 2;
    s->typematic = 0x2b;      /* 10.9 characters/s after 500 ms: the power-on default */
    s->leds = 0;
}

static void kbd_write(PS2State *ps, uint8_t val)
{
    PS2KbdState *s = PS2_KBD(ps);
    int pending = ps->pending_cmd;

    if (pending == KBD_PENDING_KEY_LIST && val < KBD_CMD_SET_LEDS) {
        /* A key of a 0xFB..0xFD list: key types are not modelled. */
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        return;
    }
    ps->pending_cmd = -1;
    switch (pending) {
    case KBD_CMD_SET_LEDS:
        s->leds = val & 0x07;
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        return;
    case KBD_CMD_TYPEMATIC:
        s->typematic = val & 0x7f;
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        return;
    case KBD_CMD_SCANCODE:
        if (val == 0) {
            /* Report the set; an i8042 translating turns 1/2/3 into 43/41/3F. */
            ps2_queue2(ps, PS2_REPLY_ACK, s->scancode_set);
        } else if (val <= 3) {
            s->scancode_set = val;
            ps2_queue_byte(ps, PS2_REPLY_ACK);
        } else {
            emu_log_mask(LOG_GUEST_ERROR, "ps2-kbd: scan code set %u does not exist\n", val);
            DEVICE(s)->ignored_accesses++;
            ps2_queue_byte(ps, PS2_REPLY_RESEND);
        }
        return;
    default:
        break;
    }

    switch (val) {
    case KBD_CMD_SET_LEDS:
    case KBD_CMD_TYPEMATIC:
    case KBD_CMD_SCANCODE:
        ps->pending_cmd = val;
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        break;
    case KBD_CMD_ECHO:
        ps2_queue_byte(ps, KBD_REPLY_ECHO);
        break;
    case KBD_CMD_IDENTIFY:
        /* An MF II keyboard; a translating i8042 makes it AB 41. */
        ps2_put(ps, PS2_REPLY_ACK);
        ps2_queue2(ps, KBD_REPLY_ID1, KBD_REPLY_ID2);
        break;
    case KBD_CMD_ENABLE:
        /* The keyboard clears its buffer and starts scanning. */
        ps2_clear_queue(ps);
        s->scan_enabled = true;
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        break;
    case KBD_CMD_DEFAULT_DISABLE:
    case KBD_CMD_SET_DEFAULT:
        ps2_clear_queue(ps);
        kbd_set_defaults(s);
        s->scan_enabled = val == KBD_CMD_SET_DEFAULT;
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        break;
    case KBD_CMD_ALL_TYPEMATIC ... KBD_CMD_ALL_MAKE_BREAK_TYPEMATIC:
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        break;
    case KBD_CMD_KEY_TYPEMATIC ... KBD_CMD_KEY_MAKE:
        ps->pending_cmd = KBD_PENDING_KEY_LIST;
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        break;
    case KBD_CMD_RESEND:
        ps2_queue_byte(ps, ps->last_sent);
        break;
    case KBD_CMD_RESET:
        /* Basic assurance test passed: ACK then AA, scanning on. */
        ps2_clear_queue(ps);
        kbd_set_defaults(s);
        s->scan_enabled = true;
        ps2_queue2(ps, PS2_REPLY_ACK, PS2_REPLY_BAT_OK);
        break;
    default:
        emu_log_mask(LOG_GUEST_ERROR, "ps2-kbd: unknown command 0x%02x\n", val);
        DEVICE(s)->ignored_accesses++;
        ps2_queue_byte(ps, PS2_REPLY_RESEND);
        break;
    }
}

void ps2_keyboard_event(PS2KbdState *s, QKeyCode key, bool down)
{
    PS2State *ps = &s->common;
    uint8_t codes[8];

    if (!s->scan_enabled) {
        return;
    }
    int n = ps2_scancodes(s->scancode_set, key, down, codes);
    if (n == 0) {
        return;
    }
    if (ps->count + n > PS2_KBD_SCAN_BUFFER) {
        /* Buffer full: the key is lost and the host gets one overrun code. */
        uint8_t overrun = s->scancode_set == 1 ? KBD_OVERRUN_SET1 : KBD_OVERRUN_SET23;
        unsigned last = (ps->rptr + ps->count - 1) % PS2_BUFFER_SIZE;
        if (ps->count < PS2_KBD_SCAN_BUFFER + 1 &&
            (ps->count == 0 || ps->buf[last] != overrun)) {
            ps2_queue_byte(ps, overrun);
        }
        return;
    }
    for (int i = 0; i < n; i++) {
        ps2_put(ps, codes[i]);
    }
    ps2_notify(ps);
}

static void kbd_reset(DeviceState *dev, ResetType type)
{
    PS2KbdState *s = PS2_KBD(dev);
    ps2_common_reset(&s->common);
    kbd_set_defaults(s);
    s->scan_enabled = true;
}

/* ---- mouse ---- */

static void mouse_set_defaults(PS2MouseState *s)
{
    s->remote = false;
    s->enabled = false;
    s->scale21 = false;
    s->sample_rate = AUX_DEFAULT_RATE;
    s->resolution = AUX_DEFAULT_RESOLUTION;
    s->dx = s->dy = s->dz = 0;
}

static int clamp_int(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* 2:1 scaling (stream mode only): small motions are damped, larger doubled. */
static int mouse_scale(int v)
{
    static const int table[6] = { 0, 1, 1, 3, 6, 9 };
    int mag = v < 0 ? -v : v;
    int out = mag < 6 ? table[mag] : mag * 2;
    return v < 0 ? -out : out;
}

static unsigned mouse_packet_size(PS2MouseState *s)
{
    return s->type ? 4 : 3;
}

/* One movement packet with up to 255 counts per axis of the pending motion. */
static void mouse_put_packet(PS2MouseState *s, bool scaled)
{
    PS2State *ps = &s->common;
    int dx = clamp_int(s->dx, -255, 255);
    int dy = clamp_int(s->dy, -255, 255);
    int dz = clamp_int(s->dz, -8, 7);
    int rx = dx, ry = dy;
    uint8_t b0 = 0x08 | (s->buttons & 0x07);

    s->dx -= dx;
    s->dy -= dy;
    s->dz -= dz;
    if (scaled && s->scale21) {
        rx = mouse_scale(rx);
        ry = mouse_scale(ry);
    }
    /* 9-bit two's complement: sign in byte 0, overflow when it does not fit. */
    if (rx < -256 || rx > 255) {
        b0 |= 0x40;
        rx = rx < 0 ? -256 : 255;
    }
    if (ry < -256 || ry > 255) {
        b0 |= 0x80;
        ry = ry < 0 ? -256 : 255;
    }
    b0 |= (rx < 0 ? 0x10 : 0) | (ry < 0 ? 0x20 : 0);
    ps2_put(ps, b0);
    ps2_put(ps, rx & 0xff);
    ps2_put(ps, ry & 0xff);
    if (s->type == 3) {
        ps2_put(ps, dz & 0xff);
    } else if (s->type == 4) {
        ps2_put(ps, (dz & 0x0f) | ((s->buttons & 0x18) << 1));
    }
}

/* Stream mode: report everything pending, as far as the buffer allows. */
static void mouse_stream(PS2MouseState *s)
{
    PS2State *ps = &s->common;
    do {
        if (ps->count + mouse_packet_size(s) > PS2_MOUSE_PACKET_BUFFER) {
            break;     /* the rest is reported once the host catches up */
        }
        mouse_put_packet(s, true);
    } while (s->dx || s->dy || s->dz);
    ps2_notify(ps);
}

void ps2_mouse_event(PS2MouseState *s, int dx, int dy, int dz, unsigned buttons)
{
    bool buttons_changed = (buttons & 0x1f) != s->buttons;

    s->buttons = buttons & 0x1f;
    if (s->remote) {
        /* Remote mode counts motion until the host asks (0xEB). */
        s->dx = clamp_int(s->dx + dx, -32768, 32767);
        s->dy = clamp_int(s->dy - dy, -32768, 32767);
        s->dz = clamp_int(s->dz + dz, -32768, 32767);
        return;
    }
    if (!s->enabled) {
        return;
    }
    s->dx = clamp_int(s->dx + dx, -32768, 32767);
    s->dy = clamp_int(s->dy - dy, -32768, 32767);    /* PS/2 y grows upwards */
    s->dz = clamp_int(s->dz + dz, -32768, 32767);
    if (buttons_changed || s->dx || s->dy || s->dz) {
        mouse_stream(s);
    }
}

/* The IntelliMouse "knock": sample rates 200, 100, 80 turn on the wheel
 * (ID 3); then 200, 200, 80 the fourth and fifth buttons (ID 4). */
static void mouse_note_rate(PS2MouseState *s, uint8_t rate)
{
    s->rate_history[0] = s->rate_history[1];
    s->rate_history[1] = s->rate_history[2];
    s->rate_history[2] = rate;
    if (s->rate_history[0] == 200 && s->rate_history[2] == 80) {
        if (s->rate_history[1] == 100 && s->type == 0) {
            s->type = 3;
        } else if (s->rate_history[1] == 200 && s->type == 3) {
            s->type = 4;
        }
    }
}

static void mouse_write(PS2State *ps, uint8_t val)
{
    PS2MouseState *s = PS2_MOUSE(ps);
    int pending = ps->pending_cmd;

    ps->pending_cmd = -1;
    if (pending == AUX_SET_RES) {
        if (val > 3) {
            emu_log_mask(LOG_GUEST_ERROR, "ps2-mouse: resolution %u out of range\n", val);
            DEVICE(s)->ignored_accesses++;
            ps2_queue_byte(ps, PS2_REPLY_RESEND);
            return;
        }
        s->resolution = val;
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        return;
    }
    if (pending == AUX_SET_SAMPLE) {
        s->sample_rate = val;
        mouse_note_rate(s, val);
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        return;
    }

    if (s->wrap && val != AUX_RESET_WRAP && val != AUX_RESET) {
        /* Wrap mode echoes every byte except the two ways out of it. */
        ps2_queue_byte(ps, val);
        return;
    }
    if (val != AUX_RESEND) {
        /* A command interrupts streaming: whatever was not sent is dropped. */
        ps2_clear_queue(ps);
    }
    switch (val) {
    case AUX_SET_SCALE11:
    case AUX_SET_SCALE21:
        s->scale21 = val == AUX_SET_SCALE21;
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        break;
    case AUX_SET_RES:
    case AUX_SET_SAMPLE:
        ps->pending_cmd = val;
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        break;
    case AUX_STATUS: {
        uint8_t st = (s->remote ? AUX_STATUS_REMOTE : 0) |
                     (s->enabled ? AUX_STATUS_ENABLED : 0) |
                     (s->scale21 ? AUX_STATUS_SCALE21 : 0) |
                     (s->buttons & PS2_MOUSE_BUTTON_LEFT ? AUX_STATUS_LEFT : 0) |
                     (s->buttons & PS2_MOUSE_BUTTON_MIDDLE ? AUX_STATUS_MIDDLE : 0) |
                     (s->buttons & PS2_MOUSE_BUTTON_RIGHT ? AUX_STATUS_RIGHT : 0);
        ps2_put(ps, PS2_REPLY_ACK);
        ps2_put(ps, st);
        ps2_queue2(ps, s->resolution, s->sample_rate);
        break;
    }
    case AUX_SET_STREAM:
    case AUX_SET_REMOTE:
        s->remote = val == AUX_SET_REMOTE;
        s->dx = s->dy = s->dz = 0;
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        break;
    case AUX_READ_DATA:
        /* Works in either mode; scaling does not apply to polled data. */
        ps2_put(ps, PS2_REPLY_ACK);
        mouse_put_packet(s, false);
        ps2_notify(ps);
        break;
    case AUX_RESET_WRAP:
        s->wrap = false;
        s->dx = s->dy = s->dz = 0;
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        break;
    case AUX_SET_WRAP:
        s->wrap = true;
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        break;
    case AUX_GET_ID:
        ps2_queue2(ps, PS2_REPLY_ACK, s->type);
        break;
    case AUX_ENABLE:
        s->enabled = true;
        s->dx = s->dy = s->dz = 0;
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        break;
    case AUX_DISABLE:
        s->enabled = false;
        s->dx = s->dy = s->dz = 0;
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        break;
    case AUX_SET_DEFAULT:
        mouse_set_defaults(s);
        ps2_queue_byte(ps, PS2_REPLY_ACK);
        break;
    case AUX_RESEND:
        ps2_queue_byte(ps, ps->last_sent);
        break;
    case AUX_RESET:
        /* Self-test passed (AA) and the device ID (00): back to a plain mouse. */
        mouse_set_defaults(s);
        s->wrap = false;
        s->type = 0;
        memset(s->rate_history, 0, sizeof(s->rate_history));
        ps2_put(ps, PS2_REPLY_ACK);
        ps2_queue2(ps, PS2_REPLY_BAT_OK, 0x00);
        break;
    default:
        emu_log_mask(LOG_GUEST_ERROR, "ps2-mouse: unknown command 0x%02x\n", val);
        DEVICE(s)->ignored_accesses++;
        ps2_queue_byte(ps, PS2_REPLY_RESEND);
        break;
    }
}

static void mouse_reset(DeviceState *dev, ResetType type)
{
    PS2MouseState *s = PS2_MOUSE(dev);
    ps2_common_reset(&s->common);
    mouse_set_defaults(s);
    s->wrap = false;
    s->type = 0;
    s->buttons = 0;
    memset(s->rate_history, 0, sizeof(s->rate_history));
}

/* ---- migration ---- */

/* The commands that wait for an argument byte, and the key-list state. */
static bool ps2_pending_ok(int pending, bool kbd)
{
    if (pending == -1) {
        return true;
    }
    if (kbd) {
        return pending == KBD_CMD_SET_LEDS || pending == KBD_CMD_TYPEMATIC ||
               pending == KBD_CMD_SCANCODE || pending == KBD_PENDING_KEY_LIST;
    }
    return pending == AUX_SET_RES || pending == AUX_SET_SAMPLE;
}

/* The queue is a ring: the read pointer and count index buf[] directly. */
static int ps2_common_post_load(void *opaque, int version_id)
{
    PS2State *s = opaque;
    if (s->rptr >= PS2_BUFFER_SIZE || s->count > PS2_BUFFER_SIZE) {
        return -1;
    }
    return 0;
}

static const VMStateDescription vmstate_ps2_common = {
    .name = "ps2-common",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = ps2_common_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(buf, PS2State, PS2_BUFFER_SIZE),
        VMSTATE_UINT32(rptr, PS2State),
        VMSTATE_UINT32(count, PS2State),
        VMSTATE_INT32(pending_cmd, PS2State),
        VMSTATE_UINT8(last_sent, PS2State),
        VMSTATE_END_OF_LIST()
    },
};

/*
 * Nothing to rebuild: the controller pulls bytes when its output buffer
 * empties (its own vmsd carries that buffer), so a loaded queue waits for it.
 */
static int ps2_kbd_post_load(void *opaque, int version_id)
{
    PS2KbdState *s = opaque;
    if (!ps2_pending_ok(s->common.pending_cmd, true) || s->scancode_set < 1 ||
        s->scancode_set > 3 || (s->leds & ~0x07) || (s->typematic & 0x80)) {
        return -1;
    }
    return 0;
}

static const VMStateDescription vmstate_ps2_kbd = {
    .name = "ps2-kbd",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = ps2_kbd_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(common, PS2KbdState, 0, vmstate_ps2_common, PS2State),
        VMSTATE_BOOL(scan_enabled, PS2KbdState),
        VMSTATE_UINT8(scancode_set, PS2KbdState),
        VMSTATE_UINT8(leds, PS2KbdState),
        VMSTATE_UINT8(typematic, PS2KbdState),
        VMSTATE_END_OF_LIST()
    },
};

static int ps2_mouse_post_load(void *opaque, int version_id)
{
    PS2MouseState *s = opaque;
    /* The motion counters saturate at 16 bits (ps2_mouse_event); more would
     * overflow the next addition. */
    if (!ps2_pending_ok(s->common.pending_cmd, false) || s->resolution > 3 ||
        (s->type != 0 && s->type != 3 && s->type != 4) || (s->buttons & ~0x1f) ||
        s->dx < -32768 || s->dx > 32767 || s->dy < -32768 || s->dy > 32767 ||
        s->dz < -32768 || s->dz > 32767) {
        return -1;
    }
    return 0;
}

static const VMStateDescription vmstate_ps2_mouse = {
    .name = "ps2-mouse",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = ps2_mouse_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(common, PS2MouseState, 0, vmstate_ps2_common, PS2State),
        VMSTATE_BOOL(remote, PS2MouseState),
        VMSTATE_BOOL(enabled, PS2MouseState),
        VMSTATE_BOOL(scale21, PS2MouseState),
        VMSTATE_BOOL(wrap, PS2MouseState),
        VMSTATE_UINT8(resolution, PS2MouseState),
        VMSTATE_UINT8(sample_rate, PS2MouseState),
        VMSTATE_UINT8(type, PS2MouseState),
        VMSTATE_UINT8_ARRAY(rate_history, PS2MouseState, 3),
        VMSTATE_INT32(dx, PS2MouseState),
        VMSTATE_INT32(dy, PS2MouseState),
        VMSTATE_INT32(dz, PS2MouseState),
        VMSTATE_UINT8(buttons, PS2MouseState),
        VMSTATE_END_OF_LIST()
    },
};

/* ---- lookup ---- */

typedef struct {
    const char *type;
    Object *found;
} PS2Search;

static int find_realized(Object *obj, void *opaque)
{
    PS2Search *search = opaque;
    if (object_dynamic_cast(obj, search->type) && DEVICE(obj)->realized) {
        search->found = obj;
        return 1;
    }
    return 0;
}

static Object *ps2_find(const char *typename)
{
    PS2Search search = { .type = typename };
    object_child_foreach_recursive(object_get_root(), find_realized, &search);
    return search.found;
}

PS2KbdState *ps2_find_keyboard(void)
{
    Object *obj = ps2_find(TYPE_PS2_KBD);
    return obj ? PS2_KBD(obj) : NULL;
}

PS2MouseState *ps2_find_mouse(void)
{
    Object *obj = ps2_find(TYPE_PS2_MOUSE);
    return obj ? PS2_MOUSE(obj) : NULL;
}

/* ---- types ---- */

static void ps2_instance_init(Object *obj)
{
    PS2_DEVICE(obj)->pending_cmd = -1;
}

static void ps2_kbd_instance_init(Object *obj)
{
    kbd_reset(DEVICE(obj), RESET_TYPE_COLD);
}

static void ps2_mouse_instance_init(Object *obj)
{
    mouse_reset(DEVICE(obj), RESET_TYPE_COLD);
}

static void ps2_kbd_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->desc = "PS/2 keyboard (behind an i8042)";
    dc->category = DEVICE_CATEGORY_INPUT;
    dc->reset = kbd_reset;
    dc->vmsd = &vmstate_ps2_kbd;
    PS2_DEVICE_CLASS(oc)->write = kbd_write;
}

static void ps2_mouse_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->desc = "PS/2 mouse (behind an i8042)";
    dc->category = DEVICE_CATEGORY_INPUT;
    dc->reset = mouse_reset;
    dc->vmsd = &vmstate_ps2_mouse;
    PS2_DEVICE_CLASS(oc)->write = mouse_write;
}

static const TypeInfo ps2_types[] = {
    {
        .name = TYPE_PS2_DEVICE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(PS2State),
        .instance_init = ps2_instance_init,
        .class_size = sizeof(PS2DeviceClass),
        .abstract = true,
    },
    {
        .name = TYPE_PS2_KBD,
        .parent = TYPE_PS2_DEVICE,
        .instance_size = sizeof(PS2KbdState),
        .instance_init = ps2_kbd_instance_init,
        .class_init = ps2_kbd_class_init,
    },
    {
        .name = TYPE_PS2_MOUSE,
        .parent = TYPE_PS2_DEVICE,
        .instance_size = sizeof(PS2MouseState),
        .instance_init = ps2_mouse_instance_init,
        .class_init = ps2_mouse_class_init,
    },
};
DEFINE_TYPES(ps2_types)
