/*
 * Key names and numbers. The number of a key is its IBM PC/XT (scan code
 * set 1) make code, plus 0x80 for the keys an enhanced (101-key) keyboard
 * sends behind an 0xE0 prefix; QEMU calls this a "qnum".
 */
#include "hw/input/keycodes.h"

typedef struct {
    const char *name;
    uint8_t number;
} KeyInfo;

static const KeyInfo key_info[Q_KEY_CODE__MAX] = {
    [Q_KEY_CODE_SHIFT] = { "shift", 0x2a },
    [Q_KEY_CODE_SHIFT_R] = { "shift_r", 0x36 },
    [Q_KEY_CODE_ALT] = { "alt", 0x38 },
    [Q_KEY_CODE_ALT_R] = { "alt_r", 0xb8 },
    [Q_KEY_CODE_CTRL] = { "ctrl", 0x1d },
    [Q_KEY_CODE_CTRL_R] = { "ctrl_r", 0x9d },
    [Q_KEY_CODE_MENU] = { "menu", 0xdd },
    [Q_KEY_CODE_ESC] = { "esc", 0x01 },
    [Q_KEY_CODE_1] = { "1", 0x02 },
    [Q_KEY_CODE_2] = { "2", 0x03 },
    [Q_KEY_CODE_3] = { "3", 0x04 },
    [Q_KEY_CODE_4] = { "4", 0x05 },
    [Q_KEY_CODE_5] = { "5", 0x06 },
    [Q_KEY_CODE_6] = { "6", 0x07 },
    [Q_KEY_CODE_7] = { "7", 0x08 },
    [Q_KEY_CODE_8] = { "8", 0x09 },
    [Q_KEY_CODE_9] = { "9", 0x0a },
    [Q_KEY_CODE_0] = { "0", 0x0b },
    [Q_KEY_CODE_MINUS] = { "minus", 0x0c },
    [Q_KEY_CODE_EQUAL] = { "equal", 0x0d },
    [Q_KEY_CODE_BACKSPACE] = { "backspace", 0x0e },
    [Q_KEY_CODE_TAB] = { "tab", 0x0f },
    [Q_KEY_CODE_Q] = { "q", 0x10 },
    [Q_KEY_CODE_W] = { "w", 0x11 },
    [Q_KEY_CODE_E] = { "e", 0x12 },
    [Q_KEY_CODE_R] = { "r", 0x13 },
    [Q_KEY_CODE_T] = { "t", 0x14 },
    [Q_KEY_CODE_Y] = { "y", 0x15 },
    [Q_KEY_CODE_U] = { "u", 0x16 },
    [Q_KEY_CODE_I] = { "i", 0x17 },
    [Q_KEY_CODE_O] = { "o", 0x18 },
    [Q_KEY_CODE_P] = { "p", 0x19 },
    [Q_KEY_CODE_BRACKET_LEFT] = { "bracket_left", 0x1a },
    [Q_KEY_CODE_BRACKET_RIGHT] = { "bracket_right", 0x1b },
    [Q_KEY_CODE_RET] = { "ret", 0x1c },
    [Q_KEY_CODE_A] = { "a", 0x1e },
    [Q_KEY_CODE_S] = { "s", 0x1f },
    [Q_KEY_CODE_D] = { "d", 0x20 },
    [Q_KEY_CODE_F] = { "f", 0x21 },
    [Q_KEY_CODE_G] = { "g", 0x22 },
    [Q_KEY_CODE_H] = { "h", 0x23 },
    [Q_KEY_CODE_J] = { "j", 0x24 },
    [Q_KEY_CODE_K] = { "k", 0x25 },
    [Q_KEY_CODE_L] = { "l", 0x26 },
    [Q_KEY_CODE_SEMICOLON] = { "semicolon", 0x27 },
    [Q_KEY_CODE_APOSTROPHE] = { "apostrophe", 0x28 },
    [Q_KEY_CODE_GRAVE_ACCENT] = { "grave_accent", 0x29 },
    [Q_KEY_CODE_BACKSLASH] = { "backslash", 0x2b },
    [Q_KEY_CODE_Z] = { "z", 0x2c },
    [Q_KEY_CODE_X] = { "x", 0x2d },
    [Q_KEY_CODE_C] = { "c", 0x2e },
    [Q_KEY_CODE_V] = { "v", 0x2f },
    [Q_KEY_CODE_B] = { "b", 0x30 },
    [Q_KEY_CODE_N] = { "n", 0x31 },
    [Q_KEY_CODE_M] = { "m", 0x32 },
    [Q_KEY_CODE_COMMA] = { "comma", 0x33 },
    [Q_KEY_CODE_DOT] = { "dot", 0x34 },
    [Q_KEY_CODE_SLASH] = { "slash", 0x35 },
    [Q_KEY_CODE_ASTERISK] = { "asterisk", 0x37 },
    [Q_KEY_CODE_SPC] = { "spc", 0x39 },
    [Q_KEY_CODE_CAPS_LOCK] = { "caps_lock", 0x3a },
    [Q_KEY_CODE_F1] = { "f1", 0x3b },
    [Q_KEY_CODE_F2] = { "f2", 0x3c },
    [Q_KEY_CODE_F3] = { "f3", 0x3d },
    [Q_KEY_CODE_F4] = { "f4", 0x3e },
    [Q_KEY_CODE_F5] = { "f5", 0x3f },
    [Q_KEY_CODE_F6] = { "f6", 0x40 },
    [Q_KEY_CODE_F7] = { "f7", 0x41 },
    [Q_KEY_CODE_F8] = { "f8", 0x42 },
    [Q_KEY_CODE_F9] = { "f9", 0x43 },
    [Q_KEY_CODE_F10] = { "f10", 0x44 },
    [Q_KEY_CODE_F11] = { "f11", 0x57 },
    [Q_KEY_CODE_F12] = { "f12", 0x58 },
    [Q_KEY_CODE_NUM_LOCK] = { "num_lock", 0x45 },
    [Q_KEY_CODE_SCROLL_LOCK] = { "scroll_lock", 0x46 },
    [Q_KEY_CODE_KP_DIVIDE] = { "kp_divide", 0xb5 },
    /* On the XT the keypad '*' was the only asterisk key: same code. */
    [Q_KEY_CODE_KP_MULTIPLY] = { "kp_multiply", 0x37 },
    [Q_KEY_CODE_KP_SUBTRACT] = { "kp_subtract", 0x4a },
    [Q_KEY_CODE_KP_ADD] = { "kp_add", 0x4e },
    [Q_KEY_CODE_KP_ENTER] = { "kp_enter", 0x9c },
    [Q_KEY_CODE_KP_DECIMAL] = { "kp_decimal", 0x53 },
    [Q_KEY_CODE_SYSRQ] = { "sysrq", 0x54 },
    [Q_KEY_CODE_KP_0] = { "kp_0", 0x52 },
    [Q_KEY_CODE_KP_1] = { "kp_1", 0x4f },
    [Q_KEY_CODE_KP_2] = { "kp_2", 0x50 },
    [Q_KEY_CODE_KP_3] = { "kp_3", 0x51 },
    [Q_KEY_CODE_KP_4] = { "kp_4", 0x4b },
    [Q_KEY_CODE_KP_5] = { "kp_5", 0x4c },
    [Q_KEY_CODE_KP_6] = { "kp_6", 0x4d },
    [Q_KEY_CODE_KP_7] = { "kp_7", 0x47 },
    [Q_KEY_CODE_KP_8] = { "kp_8", 0x48 },
    [Q_KEY_CODE_KP_9] = { "kp_9", 0x49 },
    [Q_KEY_CODE_LESS] = { "less", 0x56 },
    [Q_KEY_CODE_HOME] = { "home", 0xc7 },
    [Q_KEY_CODE_PGUP] = { "pgup", 0xc9 },
    [Q_KEY_CODE_PGDN] = { "pgdn", 0xd1 },
    [Q_KEY_CODE_END] = { "end", 0xcf },
    [Q_KEY_CODE_LEFT] = { "left", 0xcb },
    [Q_KEY_CODE_UP] = { "up", 0xc8 },
    [Q_KEY_CODE_DOWN] = { "down", 0xd0 },
    [Q_KEY_CODE_RIGHT] = { "right", 0xcd },
    [Q_KEY_CODE_INSERT] = { "insert", 0xd2 },
    [Q_KEY_CODE_DELETE] = { "delete", 0xd3 },
    [Q_KEY_CODE_PAUSE] = { "pause", 0xc6 },
    [Q_KEY_CODE_PRINT] = { "print", 0xb7 },
    [Q_KEY_CODE_META_L] = { "meta_l", 0xdb },
    [Q_KEY_CODE_META_R] = { "meta_r", 0xdc },
};

QKeyCode qkey_code_from_name(const char *name)
{
    for (int k = 1; k < Q_KEY_CODE__MAX; k++) {
        if (key_info[k].name && !strcmp(key_info[k].name, name)) {
            return k;
        }
    }
    return Q_KEY_CODE_UNMAPPED;
}

const char *qkey_code_name(QKeyCode key)
{
    return key > 0 && key < Q_KEY_CODE__MAX ? key_info[key].name : NULL;
}

unsigned qkey_code_number(QKeyCode key)
{
    return key > 0 && key < Q_KEY_CODE__MAX ? key_info[key].number : 0;
}

QKeyCode qkey_code_from_number(unsigned number)
{
    if (number == 0 || number > 0xff) {
        return Q_KEY_CODE_UNMAPPED;
    }
    for (int k = 1; k < Q_KEY_CODE__MAX; k++) {
        /* kp_multiply and asterisk share 0x37: the first (asterisk) wins. */
        if (key_info[k].number == number) {
            return k;
        }
    }
    return Q_KEY_CODE_UNMAPPED;
}
