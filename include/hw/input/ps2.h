/*
 * PS/2 keyboard and mouse: the devices at the far end of an i8042's two
 * serial ports. Each holds a queue of bytes for the host (scan codes, mouse
 * packets, command replies); the controller takes them one at a time as its
 * output buffer empties, and hands each byte the guest writes for the device
 * to ps2_write().
 *
 * References: IBM PS/2 Hardware Interface Technical Reference, "Keyboard and
 * Auxiliary Device Controller" and "101/102-Key Keyboard"; the IBM PS/2 mouse
 * technical reference; Microsoft's IntelliMouse PS/2 protocol extension.
 */
#ifndef HW_INPUT_PS2_H
#define HW_INPUT_PS2_H

#include "hw/core/qdev.h"
#include "hw/input/keycodes.h"

#define TYPE_PS2_DEVICE "ps2-device"
#define TYPE_PS2_KBD "ps2-kbd"
#define TYPE_PS2_MOUSE "ps2-mouse"

/* Room for command replies; scan codes and packets stop well before it. */
#define PS2_BUFFER_SIZE 256
/* A PS/2 keyboard buffers 16 bytes of scan codes; then it sends an overrun code. */
#define PS2_KBD_SCAN_BUFFER 16
/* Movement packets are generated while fewer than this many bytes are queued. */
#define PS2_MOUSE_PACKET_BUFFER 64

/* Replies shared by both devices. */
#define PS2_REPLY_ACK 0xfa
#define PS2_REPLY_RESEND 0xfe
#define PS2_REPLY_BAT_OK 0xaa

/* Mouse buttons (ps2_mouse_event), in the order of the packet's first byte. */
#define PS2_MOUSE_BUTTON_LEFT 0x01
#define PS2_MOUSE_BUTTON_RIGHT 0x02
#define PS2_MOUSE_BUTTON_MIDDLE 0x04
#define PS2_MOUSE_BUTTON_4 0x08      /* IntelliMouse Explorer (ID 4) only */
#define PS2_MOUSE_BUTTON_5 0x10

/* Called after bytes were queued for the host. */
typedef void PS2DataNotify(void *opaque);

typedef struct PS2State {
    DeviceState parent_obj;
    uint8_t buf[PS2_BUFFER_SIZE];
    unsigned rptr;
    unsigned count;
    int pending_cmd;          /* command waiting for its argument byte, or -1 */
    uint8_t last_sent;        /* for the resend command (0xFE) */
    PS2DataNotify *notify;
    void *notify_opaque;
} PS2State;

typedef struct PS2DeviceClass {
    DeviceClass parent_class;
    /* A byte from the host: a command or a command's argument. */
    void (*write)(PS2State *s, uint8_t val);
} PS2DeviceClass;

typedef struct PS2KbdState {
    PS2State common;
    bool scan_enabled;
    uint8_t scancode_set;     /* 1, 2 or 3 */
    uint8_t leds;             /* bit 0 scroll, 1 num, 2 caps lock */
    uint8_t typematic;        /* the 0xF3 argument */
} PS2KbdState;

typedef struct PS2MouseState {
    PS2State common;
    bool remote;              /* remote (polled) mode instead of stream mode */
    bool enabled;             /* data reporting on (0xF4) */
    bool scale21;             /* 2:1 scaling */
    bool wrap;                /* echo mode (0xEE) */
    uint8_t resolution;       /* 0..3: 1, 2, 4, 8 counts per mm */
    uint8_t sample_rate;
    uint8_t type;             /* device ID: 0 PS/2, 3 IntelliMouse, 4 Explorer */
    uint8_t rate_history[3];  /* last three sample rates, newest last */
    int32_t dx, dy, dz;       /* movement not reported yet (PS/2 sense: y up) */
    uint8_t buttons;          /* PS2_MOUSE_BUTTON_* */
} PS2MouseState;

DECLARE_OBJ_CHECKERS(PS2State, PS2DeviceClass, PS2_DEVICE, TYPE_PS2_DEVICE)
DECLARE_INSTANCE_CHECKER(PS2KbdState, PS2_KBD, TYPE_PS2_KBD)
DECLARE_INSTANCE_CHECKER(PS2MouseState, PS2_MOUSE, TYPE_PS2_MOUSE)

/* ---- for the controller ---- */

void ps2_set_notify(PS2State *s, PS2DataNotify *fn, void *opaque);
bool ps2_has_data(PS2State *s);
/* Take the oldest queued byte (the device must have data). */
uint8_t ps2_take_byte(PS2State *s);
/* A byte the host sends to the device. */
void ps2_write(PS2State *s, uint8_t val);
/* Queue a byte as if the device had sent it (i8042 commands 0xD2/0xD3). */
void ps2_queue_byte(PS2State *s, uint8_t val);

/* ---- for input sources (UI, send-key) ---- */

/*
 * Key @key went down or up: queue its make or break code in the current scan
 * code set, if scanning is enabled. Translation to set 1 for the guest, when
 * the controller has it on, is the controller's business.
 */
void ps2_keyboard_event(PS2KbdState *s, QKeyCode key, bool down);
/*
 * Pointer movement in screen sense (@dy > 0 is down, @dz > 0 is the wheel
 * turned towards the user) and the new state of all buttons (PS2_MOUSE_BUTTON_*).
 * Reported as packets in stream mode when enabled, kept for 0xEB in remote mode.
 */
void ps2_mouse_event(PS2MouseState *s, int dx, int dy, int dz, unsigned buttons);

/* The first realized keyboard / mouse in the machine, or NULL. */
PS2KbdState *ps2_find_keyboard(void);
PS2MouseState *ps2_find_mouse(void);

/*
 * Append the bytes a set-@set keyboard sends for @key going down or up to @out
 * (at most 8); returns how many. 0 for keys the set has no code for.
 */
int ps2_scancodes(int set, QKeyCode key, bool down, uint8_t *out);

#endif
