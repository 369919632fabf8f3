/*
 * i8042 keyboard controller (IBM PS/2 Hardware Interface Technical Reference,
 * "Keyboard/Auxiliary Device Controller"; the AT variant for the commands
 * PS/2 kept). The controller has one output buffer: bytes from the keyboard
 * and mouse queues, and the controller's own replies, pass through it one at
 * a time as the guest reads port 0x60. IRQ 1 / IRQ 12 follow "output buffer
 * full" with keyboard / mouse data, when the command byte enables them.
 */
#include "hw/input/i8042.h"
#include "migration/vmstate.h"
#include "system/runstate.h"
#include "util/log.h"

/* Controller commands (port 0x64 writes) */
#define CCMD_READ_RAM 0x20        /* 0x20..0x3F: read RAM byte; 0x20 = command byte */
#define CCMD_WRITE_RAM 0x60       /* 0x60..0x7F: write RAM byte; 0x60 = command byte */
#define CCMD_PASSWORD_TEST 0xa4
#define CCMD_AUX_DISABLE 0xa7
#define CCMD_AUX_ENABLE 0xa8
#define CCMD_AUX_TEST 0xa9
#define CCMD_SELF_TEST 0xaa
#define CCMD_KBD_TEST 0xab
#define CCMD_KBD_DISABLE 0xad
#define CCMD_KBD_ENABLE 0xae
#define CCMD_READ_INPORT 0xc0
#define CCMD_READ_OUTPORT 0xd0
#define CCMD_WRITE_OUTPORT 0xd1
#define CCMD_WRITE_KBD_OBUF 0xd2
#define CCMD_WRITE_AUX_OBUF 0xd3
#define CCMD_WRITE_AUX 0xd4
#define CCMD_DISABLE_A20 0xdd     /* HP Vectra, kept by many later controllers */
#define CCMD_ENABLE_A20 0xdf
#define CCMD_READ_TEST_INPUTS 0xe0
#define CCMD_PULSE 0xf0           /* 0xF0..0xFF: pulse output port bits 3..0 low
                                   * where the command's bit is 0; 0xFE = CPU reset */

#define SELF_TEST_OK 0x55
#define INTERFACE_TEST_OK 0x00
#define PASSWORD_NOT_INSTALLED 0xf1

/*
 * Input port (0xC0): bit 7 keyboard not inhibited (key lock open), bit 5 no
 * manufacturing jumper, bit 4 the 256 KiB base RAM jumper.
 */
#define INPORT_VALUE 0xb0

/*
 * Output port at reset: CPU running, A20 on, unused bits 2-3 high, keyboard
 * clock and data lines (bits 6, 7) released.
 */
#define OUTPORT_RESET 0xcf

/*
 * Command byte at reset: keyboard and mouse interrupts on, translation on,
 * both interfaces enabled, system flag clear (the controller has not been
 * through POST yet). This is how firmware leaves a PC, so guests booted
 * without firmware find the keyboard in its usual state.
 */
#define CTR_RESET (I8042_CTR_KBDINT | I8042_CTR_AUXINT | I8042_CTR_XLATE)

/*
 * The 8042's set 2 -> set 1 translation, bytes 0x00..0x7F; from 0x80 on the
 * byte passes unchanged except 0x83 (set 2 F7) and 0x84 (SysRq).
 */
static const uint8_t xlate_low[128] = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58,
    0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a,
    0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c,
    0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e,
    0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60,
    0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e,
    0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b,
    0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45,
    0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

uint8_t i8042_translate(uint8_t code)
{
    if (code < 0x80) {
        return xlate_low[code];
    }
    if (code == 0x83) {
        return 0x41;
    }
    if (code == 0x84) {
        return 0x54;
    }
    return code;
}

static uint8_t ctr(I8042State *s)
{
    return s->ram[0];
}

static void i8042_update_irq(I8042State *s)
{
    bool full = s->status & I8042_STR_OBF;
    bool aux = s->status & I8042_STR_AUX_OBF;

    qemu_set_irq(s->irq_kbd, full && !aux && (ctr(s) & I8042_CTR_KBDINT));
    qemu_set_irq(s->irq_aux, full && aux && (ctr(s) & I8042_CTR_AUXINT));
}

static void i8042_deliver(I8042State *s, uint8_t val, bool aux)
{
    s->obuf = val;
    s->status |= I8042_STR_OBF;
    if (aux) {
        s->status |= I8042_STR_AUX_OBF;
    } else {
        s->status &= ~I8042_STR_AUX_OBF;
    }
    i8042_update_irq(s);
}

/*
 * If the output buffer is empty, move the next byte into it: the
 * controller's own replies first, then the keyboard, then the mouse. A
 * device whose clock the command byte holds low cannot send.
 */
static void i8042_fill(I8042State *s)
{
    if (s->status & I8042_STR_OBF) {
        return;
    }
    if (s->ctl_count) {
        uint8_t val = s->ctl_queue[0];
        bool aux = s->ctl_queue_aux[0];
        s->ctl_count--;
        memmove(s->ctl_queue, s->ctl_queue + 1, s->ctl_count);
        memmove(s->ctl_queue_aux, s->ctl_queue_aux + 1, s->ctl_count * sizeof(bool));
        i8042_deliver(s, val, aux);
        return;
    }
    PS2State *kbd = &s->kbd->common;
    while (!(ctr(s) & I8042_CTR_KBDDIS) && ps2_has_data(kbd)) {
        uint8_t val = ps2_take_byte(kbd);
        if (ctr(s) & I8042_CTR_XLATE) {
            /* A set 2 break "F0 xx" becomes one set 1 byte with bit 7 set. */
            if (val == 0xf0) {
                s->xlate_break = true;
                continue;
            }
            val = i8042_translate(val) | (s->xlate_break ? 0x80 : 0);
            s->xlate_break = false;
        }
        i8042_deliver(s, val, false);
        return;
    }
    PS2State *aux = &s->mouse->common;
    if (!(ctr(s) & I8042_CTR_AUXDIS) && ps2_has_data(aux)) {
        i8042_deliver(s, ps2_take_byte(aux), true);
    }
}

static void i8042_device_has_data(void *opaque)
{
    i8042_fill(opaque);
}

/* A byte from the controller itself (a reply, or 0xD2/0xD3 data). */
static void i8042_reply(I8042State *s, uint8_t val, bool aux)
{
    if (s->ctl_count == I8042_CTL_QUEUE) {
        /* The guest issues replying commands without ever reading. */
        DEVICE(s)->ignored_accesses++;
        return;
    }
    s->ctl_queue[s->ctl_count] = val;
    s->ctl_queue_aux[s->ctl_count] = aux;
    s->ctl_count++;
    i8042_fill(s);
}

static uint8_t i8042_read_outport(I8042State *s)
{
    return (s->outport & ~(I8042_OUT_OBF | I8042_OUT_AUX_OBF)) |
           ((s->status & I8042_STR_OBF) && !(s->status & I8042_STR_AUX_OBF)
            ? I8042_OUT_OBF : 0) |
           ((s->status & I8042_STR_AUX_OBF) ? I8042_OUT_AUX_OBF : 0);
}

static void i8042_set_a20(I8042State *s, bool on)
{
    if (on) {
        s->outport |= I8042_OUT_A20;
    } else {
        s->outport &= ~I8042_OUT_A20;
    }
    qemu_set_irq(s->a20_out, on);
}

bool i8042_a20_enabled(I8042State *s)
{
    return s->outport & I8042_OUT_A20;
}

static void i8042_write_outport(I8042State *s, uint8_t val)
{
    s->outport = val & ~(I8042_OUT_OBF | I8042_OUT_AUX_OBF);
    i8042_set_a20(s, val & I8042_OUT_A20);
    if (!(val & I8042_OUT_RESET)) {
        /* The reset line is wired to the CPU's RESET: the whole PC restarts. */
        emu_log_mask(LOG_RESET, "i8042: output port 0x%02x pulls CPU reset\n", val);
        system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static void i8042_set_ctr(I8042State *s, uint8_t val)
{
    s->ram[0] = val;
    /* The status register's system flag mirrors the command byte. */
    if (val & I8042_CTR_SYS) {
        s->status |= I8042_STR_SYS;
    } else {
        s->status &= ~I8042_STR_SYS;
    }
    if (!(val & I8042_CTR_XLATE)) {
        s->xlate_break = false;
    }
    i8042_update_irq(s);
    i8042_fill(s);
}

static void i8042_write_command(I8042State *s, uint8_t cmd)
{
    s->status |= I8042_STR_CMD;
    s->write_cmd = 0;

    if (cmd >= CCMD_READ_RAM && cmd < CCMD_READ_RAM + 0x20) {
        i8042_reply(s, s->ram[cmd - CCMD_READ_RAM], false);
        return;
    }
    if (cmd >= CCMD_WRITE_RAM && cmd < CCMD_WRITE_RAM + 0x20) {
        s->write_cmd = cmd;
        return;
    }
    if (cmd >= CCMD_PULSE) {
        /* Only bit 0 (CPU reset) has an effect worth pulsing. */
        if (!(cmd & I8042_OUT_RESET)) {
            emu_log_mask(LOG_RESET, "i8042: command 0x%02x pulses CPU reset\n", cmd);
            system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        }
        return;
    }
    switch (cmd) {
    case CCMD_PASSWORD_TEST:
        i8042_reply(s, PASSWORD_NOT_INSTALLED, false);
        break;
    case CCMD_AUX_DISABLE:
        i8042_set_ctr(s, ctr(s) | I8042_CTR_AUXDIS);
        break;
    case CCMD_AUX_ENABLE:
        i8042_set_ctr(s, ctr(s) & ~I8042_CTR_AUXDIS);
        break;
    case CCMD_AUX_TEST:
    case CCMD_KBD_TEST:
        i8042_reply(s, INTERFACE_TEST_OK, false);
        break;
    case CCMD_SELF_TEST:
        /* A passed self-test sets the system flag. */
        s->status |= I8042_STR_SYS;
        s->ram[0] |= I8042_CTR_SYS;
        i8042_reply(s, SELF_TEST_OK, false);
        break;
    case CCMD_KBD_DISABLE:
        i8042_set_ctr(s, ctr(s) | I8042_CTR_KBDDIS);
        break;
    case CCMD_KBD_ENABLE:
        i8042_set_ctr(s, ctr(s) & ~I8042_CTR_KBDDIS);
        break;
    case CCMD_READ_INPORT:
        i8042_reply(s, INPORT_VALUE, false);
        break;
    case CCMD_READ_OUTPORT:
        i8042_reply(s, i8042_read_outport(s), false);
        break;
    case CCMD_WRITE_OUTPORT:
    case CCMD_WRITE_KBD_OBUF:
    case CCMD_WRITE_AUX_OBUF:
    case CCMD_WRITE_AUX:
        s->write_cmd = cmd;
        break;
    case CCMD_DISABLE_A20:
    case CCMD_ENABLE_A20:
        i8042_set_a20(s, cmd == CCMD_ENABLE_A20);
        break;
    case CCMD_READ_TEST_INPUTS:
        /* T0 keyboard clock, T1 mouse clock: high unless held by the command byte. */
        i8042_reply(s, (ctr(s) & I8042_CTR_KBDDIS ? 0 : 0x01) |
                       (ctr(s) & I8042_CTR_AUXDIS ? 0 : 0x02), false);
        break;
    default:
        emu_log_mask(LOG_GUEST_ERROR, "i8042: unsupported command 0x%02x\n", cmd);
        DEVICE(s)->ignored_accesses++;
        break;
    }
}

static void i8042_write_data(I8042State *s, uint8_t val)
{
    uint8_t cmd = s->write_cmd;

    s->status &= ~I8042_STR_CMD;
    s->write_cmd = 0;
    if (cmd >= CCMD_WRITE_RAM && cmd < CCMD_WRITE_RAM + 0x20) {
        if (cmd == CCMD_WRITE_RAM) {
            i8042_set_ctr(s, val);
        } else {
            s->ram[cmd - CCMD_WRITE_RAM] = val;
        }
        return;
    }
    switch (cmd) {
    case 0:
        /* Sending to the keyboard drives its clock: the interface is enabled
         * again, as guests that leave it disabled expect (QEMU does the same). */
        s->ram[0] &= ~I8042_CTR_KBDDIS;
        ps2_write(&s->kbd->common, val);
        i8042_fill(s);
        break;
    case CCMD_WRITE_AUX:
        s->ram[0] &= ~I8042_CTR_AUXDIS;
        ps2_write(&s->mouse->common, val);
        i8042_fill(s);
        break;
    case CCMD_WRITE_OUTPORT:
        i8042_write_outport(s, val);
        break;
    case CCMD_WRITE_KBD_OBUF:
        i8042_reply(s, val, false);
        break;
    case CCMD_WRITE_AUX_OBUF:
        i8042_reply(s, val, true);
        break;
    default:
        g_assert_not_reached();
    }
}

static uint8_t i8042_read_data(I8042State *s)
{
    uint8_t val = s->obuf;

    /* With the buffer empty the port still shows the last byte (EMM386 and
     * some BIOSes read it twice). */
    if (s->status & I8042_STR_OBF) {
        s->status &= ~(I8042_STR_OBF | I8042_STR_AUX_OBF);
        i8042_update_irq(s);
        i8042_fill(s);
    }
    return val;
}

static uint8_t i8042_read_status(I8042State *s)
{
    return s->status | I8042_STR_KEYLOCK;
}

static uint64_t i8042_data_read(void *opaque, hwaddr addr, unsigned size)
{
    return i8042_read_data(opaque);
}

static void i8042_data_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    i8042_write_data(opaque, val);
}

static uint64_t i8042_cmd_read(void *opaque, hwaddr addr, unsigned size)
{
    return i8042_read_status(opaque);
}

static void i8042_cmd_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    i8042_write_command(opaque, val);
}

static const MemoryRegionOps i8042_data_ops = {
    .read = i8042_data_read,
    .write = i8042_data_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static const MemoryRegionOps i8042_cmd_ops = {
    .read = i8042_cmd_read,
    .write = i8042_cmd_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static void i8042_reset(DeviceState *dev, ResetType type)
{
    I8042State *s = I8042(dev);

    s->status = I8042_STR_CMD;
    memset(s->ram, 0, sizeof(s->ram));
    s->ram[0] = CTR_RESET;
    s->outport = OUTPORT_RESET;
    s->obuf = 0;
    s->write_cmd = 0;
    s->xlate_break = false;
    s->ctl_count = 0;
    i8042_update_irq(s);
    qemu_set_irq(s->a20_out, 1);
}

static void i8042_init(Object *obj)
{
    I8042State *s = I8042(obj);
    DeviceState *dev = DEVICE(obj);

    s->kbd = PS2_KBD(qdev_new(TYPE_PS2_KBD));
    object_property_add_child(obj, "ps2-kbd", OBJECT(s->kbd));
    object_unref(s->kbd);
    s->mouse = PS2_MOUSE(qdev_new(TYPE_PS2_MOUSE));
    object_property_add_child(obj, "ps2-mouse", OBJECT(s->mouse));
    object_unref(s->mouse);

    qdev_init_gpio_out_named(dev, &s->a20_out, I8042_A20_LINE, 1);
    memory_region_init_io(&s->io_data, obj, &i8042_data_ops, s, "i8042-data", 1);
    memory_region_init_io(&s->io_cmd, obj, &i8042_cmd_ops, s, "i8042-cmd", 1);
    i8042_reset(dev, RESET_TYPE_COLD);
}

static void i8042_realize(DeviceState *dev, Error **errp)
{
    I8042State *s = I8042(dev);
    ISADevice *isa = ISA_DEVICE(dev);

    if (!qdev_realize(DEVICE(s->kbd), NULL, errp) ||
        !qdev_realize(DEVICE(s->mouse), NULL, errp)) {
        return;
    }
    ps2_set_notify(&s->kbd->common, i8042_device_has_data, s);
    ps2_set_notify(&s->mouse->common, i8042_device_has_data, s);
    s->irq_kbd = isa_get_irq(isa, I8042_KBD_IRQ);
    s->irq_aux = isa_get_irq(isa, I8042_AUX_IRQ);
    isa_register_ioport(isa, &s->io_data, I8042_DATA_PORT);
    isa_register_ioport(isa, &s->io_cmd, I8042_CMD_PORT);
}

static void i8042_finalize(Object *obj)
{
    I8042State *s = I8042(obj);
    memory_region_finalize(&s->io_data);
    memory_region_finalize(&s->io_cmd);
}

/* ---- migration ---- */

/* write_cmd holds 0 or a command that takes a data byte (i8042_write_data). */
static bool write_cmd_ok(uint8_t cmd)
{
    return cmd == 0 || (cmd >= CCMD_WRITE_RAM && cmd < CCMD_WRITE_RAM + 0x20) ||
           cmd == CCMD_WRITE_OUTPORT || cmd == CCMD_WRITE_KBD_OBUF ||
           cmd == CCMD_WRITE_AUX_OBUF || cmd == CCMD_WRITE_AUX;
}

/*
 * Refuse what the controller cannot hold: a reply count beyond the queue, a
 * pending command with no data phase (i8042_write_data would reach its
 * unreachable case), status bits that are computed or mouse data in an empty
 * buffer. Then drive IRQ 1 / 12 from the loaded buffer. The A20 output is
 * not re-driven: the CPU keeps its own A20 state (and migrates it), and
 * port 0x92 drives the same gate, so re-asserting one source here could
 * undo the other.
 */
static int i8042_post_load(void *opaque, int version_id)
{
    I8042State *s = opaque;
    const uint8_t stored = I8042_STR_OBF | I8042_STR_AUX_OBF | I8042_STR_SYS | I8042_STR_CMD;

    if (s->ctl_count > I8042_CTL_QUEUE || !write_cmd_ok(s->write_cmd) ||
        (s->status & ~stored) ||
        ((s->status & I8042_STR_AUX_OBF) && !(s->status & I8042_STR_OBF)) ||
        !(s->status & I8042_STR_SYS) != !(s->ram[0] & I8042_CTR_SYS) ||
        (s->outport & (I8042_OUT_OBF | I8042_OUT_AUX_OBF))) {
        return -1;
    }
    i8042_update_irq(s);
    return 0;
}

/*
 * The controller's registers, RAM, output buffer, reply queue and the state
 * of a command waiting for its data byte. The keyboard and the mouse are
 * devices of their own with their own vmsds (ps2.c).
 */
static const VMStateDescription vmstate_i8042 = {
    .name = "i8042",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = i8042_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(status, I8042State),
        VMSTATE_UINT8_ARRAY(ram, I8042State, 32),
        VMSTATE_UINT8(outport, I8042State),
        VMSTATE_UINT8(obuf, I8042State),
        VMSTATE_UINT8(write_cmd, I8042State),
        VMSTATE_BOOL(xlate_break, I8042State),
        VMSTATE_UINT8_ARRAY(ctl_queue, I8042State, I8042_CTL_QUEUE),
        VMSTATE_BOOL_ARRAY(ctl_queue_aux, I8042State, I8042_CTL_QUEUE),
        VMSTATE_UINT32(ctl_count, I8042State),
        VMSTATE_END_OF_LIST()
    },
};

static void i8042_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->desc = "i8042 PS/2 keyboard and mouse controller";
    dc->category = DEVICE_CATEGORY_INPUT;
    dc->realize = i8042_realize;
    dc->reset = i8042_reset;
    dc->vmsd = &vmstate_i8042;
}

static const TypeInfo i8042_types[] = {
    {
        .name = TYPE_I8042,
        .parent = TYPE_ISA_DEVICE,
        .instance_size = sizeof(I8042State),
        .instance_init = i8042_init,
        .instance_finalize = i8042_finalize,
        .class_init = i8042_class_init,
    },
};
DEFINE_TYPES(i8042_types)
