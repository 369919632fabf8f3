/*
 * Migration of the PC's platform devices, in-process. For each device with a
 * vmsd: drive one instance into a non-trivial state through its ports, move
 * the state to a second, freshly reset instance (vmstate_roundtrip: save,
 * load, save again, byte-identical), then read both through their ports in
 * lockstep and check they behave alike, the IRQ lines on two separate ISA
 * buses included. The same comparison must fail when the vmsd loses a field
 * ("mutants"), so it really looks at what it claims to. Hostile streams
 * (counts, indices and pending commands patched to impossible values, every
 * byte replaced by a few extreme values, every truncation) must be refused,
 * or loaded into a state the device then runs with safely (run under ASan).
 */
#include "migration/vmstate.h"
#include "chardev/char.h"
#include "hw/acpi/pm.h"
#include "hw/char/serial.h"
#include "hw/input/i8042.h"
#include "hw/input/ps2.h"
#include "hw/misc/debugcon.h"
#include "hw/misc/debugexit.h"
#include "hw/misc/ioport80.h"
#include "hw/misc/port61.h"
#include "hw/misc/port92.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/rtc/mc146818rtc.h"
#include "system/memory.h"
#include "system/system.h"
#include "util/keyval.h"
#include "util/timer.h"

#define NS NANOSECONDS_PER_SECOND

/*
 * With -Dsanitizers=true UBSan only prints and carries on; here an index out
 * of a FIFO's bounds after a hostile load must fail the test. The runtime
 * asks for this hook (it is never called in other builds).
 */
const char *__ubsan_default_options(void);
__attribute__((used)) const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

/* ---- two ISA "machines": their own I/O space and IRQ lines each ---- */

typedef struct Rig {
    MemoryRegion io_mr;
    AddressSpace io_as;
    AddressSpace *as;
    ISABus *bus;
    qemu_irq *irqs;
    int level[ISA_NUM_IRQS];
} Rig;

static Rig rigs[2];
static MemoryRegion ram;

static void rig_irq(void *opaque, int n, int level)
{
    ((Rig *)opaque)->level[n] = level;
}

static void setup(void)
{
    if (rigs[0].bus) {
        return;
    }
    memory_init();
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x100000, &error_abort));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    /* Guest time only moves when a test says so. */
    clock_virtual_set_manual(true);
    clock_virtual_advance_to(10 * NS);
    /* The RTC runs on the virtual clock from a fixed date (2023-11-14 22:13:20). */
    rtc_config.clock = RTC_CLOCK_VM;
    rtc_config.base = RTC_BASE_DATETIME;
    rtc_config.base_datetime = 1700000000;

    rigs[0].as = &address_space_io;
    rigs[0].bus = isa_bus_new(NULL, get_system_io());
    memory_region_init(&rigs[1].io_mr, NULL, "io-b", 0x10000);
    address_space_init(&rigs[1].io_as, &rigs[1].io_mr, "I/O b");
    rigs[1].as = &rigs[1].io_as;
    rigs[1].bus = isa_bus_new(NULL, &rigs[1].io_mr);
    for (int i = 0; i < 2; i++) {
        rigs[i].irqs = qemu_allocate_irqs(rig_irq, &rigs[i], ISA_NUM_IRQS);
        isa_bus_set_irqs(rigs[i].bus, rigs[i].irqs);
    }
}

static void outb(Rig *r, uint16_t port, uint8_t v)
{
    address_space_stb(r->as, port, v, NULL);
}

static void outw(Rig *r, uint16_t port, uint16_t v)
{
    address_space_stw_le(r->as, port, v, NULL);
}

static void outl(Rig *r, uint16_t port, uint32_t v)
{
    address_space_stl_le(r->as, port, v, NULL);
}

static uint8_t inb(Rig *r, uint16_t port)
{
    return address_space_ldub(r->as, port, NULL);
}

static uint16_t inw(Rig *r, uint16_t port)
{
    return address_space_lduw_le(r->as, port, NULL);
}

static uint32_t inl(Rig *r, uint16_t port)
{
    return address_space_ldl_le(r->as, port, NULL);
}

static void advance(int64_t ns)
{
    clock_virtual_advance_to(clock_get_ns(EMU_CLOCK_VIRTUAL) + ns);
}

static DeviceState *realize_on(Rig *r, DeviceState *d)
{
    g_assert_true(qdev_realize_and_unref(d, r ? BUS(r->bus) : NULL, &error_abort));
    qdev_reset(d, RESET_TYPE_COLD);
    return d;
}

/* The first difference, as a message; NULL while they agree. */
#define CMP(what, a, b) do { \
        uint64_t a_ = (a), b_ = (b); \
        if (a_ != b_) { \
            return g_strdup_printf("%s: %#" PRIx64 " vs %#" PRIx64, (what), a_, b_); \
        } \
    } while (0)

#define CMP_LEVELS(r1, r2) do { \
        for (int n_ = 0; n_ < ISA_NUM_IRQS; n_++) { \
            if ((r1)->level[n_] != (r2)->level[n_]) { \
                return g_strdup_printf("IRQ %d: %d vs %d", n_, (r1)->level[n_], \
                                       (r2)->level[n_]); \
            } \
        } \
    } while (0)

/* ---- the cases ---- */

typedef struct Patch {
    int part;
    const char *path;       /* "field", "struct.field" or "array[i]" */
    uint64_t value;
    bool accepted;          /* clamped by post_load rather than refused */
} Patch;

typedef struct Case {
    const char *name;
    DeviceState *(*create)(Rig *r, int which);
    void (*drive)(Rig *r, DeviceState *d);
    char *(*differ)(Rig *r1, DeviceState *d1, Rig *r2, DeviceState *d2);
    void (*exercise)(Rig *r, DeviceState *d);
    /* The objects with vmsds that make up the device (NULL: just itself). */
    int (*parts)(DeviceState *d, DeviceState **out);
    int irq;                         /* line the driven state raises, or -1 */
    const char *const *detect;       /* "part:field" whose loss differ() notices */
    const Patch *hostile;
} Case;

/* -- 16550A -- */

static int chr_seq;

static DeviceState *serial_create(Rig *r, int which)
{
    g_autofree char *id = g_strdup_printf("vmstate-rb%d", chr_seq++);
    g_autofree char *spec = g_strdup_printf("ringbuf,id=%s,size=1024", id);
    g_autoptr(Opts) opts = opts_parse(spec, "backend", &error_abort);
    g_assert_nonnull(qemu_chr_new_from_opts(opts, &error_abort));

    DeviceState *d = qdev_new(TYPE_ISA_SERIAL);
    object_property_set_int(OBJECT(d), "iobase", which ? 0x2f8 : 0x3f8, &error_abort);
    object_property_set_int(OBJECT(d), "irq", 4, &error_abort);
    object_property_set_str(OBJECT(d), "chardev", id, &error_abort);
    return realize_on(r, d);
}

static uint16_t com(DeviceState *d)
{
    return ISA_SERIAL(d)->iobase;
}

static void serial_drive(Rig *r, DeviceState *d)
{
    uint16_t b = com(d);

    outb(r, b + UART_LCR, UART_LCR_DLAB);
    outb(r, b + UART_DLL, 0x03);                /* 38400 baud */
    outb(r, b + UART_DLM, 0x00);
    outb(r, b + UART_LCR, 0x1b);                /* 8E1 */
    outb(r, b + UART_FCR, 0x81);                /* FIFOs on, RX trigger at 8 */
    /* Loopback puts five bytes in the RX FIFO; RI goes on with OUT1... */
    outb(r, b + UART_MCR, 0x1f);
    for (const char *p = "hello"; *p; p++) {
        outb(r, b + UART_THR, *p);
    }
    /* ...and off again when loopback ends: a TERI modem-status delta. */
    outb(r, b + UART_MCR, UART_MCR_OUT2 | UART_MCR_RTS | UART_MCR_DTR);
    outb(r, b + UART_IER, 0x0f);                /* THRE pending: the line goes up */
    outb(r, b + UART_SCR, 0x5a);
    g_assert_cmpuint(inb(r, b + UART_RBR), ==, 'h');
}

static char *serial_differ(Rig *r1, DeviceState *d1, Rig *r2, DeviceState *d2)
{
    uint16_t b1 = com(d1), b2 = com(d2);

    CMP_LEVELS(r1, r2);
    CMP("LCR", inb(r1, b1 + UART_LCR), inb(r2, b2 + UART_LCR));
    CMP("MCR", inb(r1, b1 + UART_MCR), inb(r2, b2 + UART_MCR));
    CMP("IER", inb(r1, b1 + UART_IER), inb(r2, b2 + UART_IER));
    CMP("SCR", inb(r1, b1 + UART_SCR), inb(r2, b2 + UART_SCR));
    uint8_t lcr = inb(r1, b1 + UART_LCR);
    outb(r1, b1 + UART_LCR, lcr | UART_LCR_DLAB);
    outb(r2, b2 + UART_LCR, lcr | UART_LCR_DLAB);
    CMP("DLL", inb(r1, b1 + UART_DLL), inb(r2, b2 + UART_DLL));
    CMP("DLM", inb(r1, b1 + UART_DLM), inb(r2, b2 + UART_DLM));
    outb(r1, b1 + UART_LCR, lcr);
    outb(r2, b2 + UART_LCR, lcr);
    /* THRE, then the modem status delta, then nothing. */
    for (int i = 0; i < 3; i++) {
        CMP("IIR", inb(r1, b1 + UART_IIR), inb(r2, b2 + UART_IIR));
        if (i == 1) {
            CMP("MSR", inb(r1, b1 + UART_MSR), inb(r2, b2 + UART_MSR));
        }
        CMP_LEVELS(r1, r2);
    }
    /* Four bytes under the trigger level: the character timeout fires (§8.7). */
    advance(20 * SCALE_MS);
    CMP_LEVELS(r1, r2);
    CMP("IIR after timeout", inb(r1, b1 + UART_IIR), inb(r2, b2 + UART_IIR));
    for (int i = 0; i < 5; i++) {
        CMP("LSR", inb(r1, b1 + UART_LSR), inb(r2, b2 + UART_LSR));
        CMP("RBR", inb(r1, b1 + UART_RBR), inb(r2, b2 + UART_RBR));
        CMP_LEVELS(r1, r2);
    }
    return NULL;
}

static void serial_exercise(Rig *r, DeviceState *d)
{
    uint16_t b = com(d);

    for (int round = 0; round < 3; round++) {
        for (int reg = 0; reg < 8; reg++) {
            inb(r, b + reg);
        }
    }
    outb(r, b + UART_THR, 'x');
    advance(50 * SCALE_MS);
    timers_run_expired();
    for (int i = 0; i < 20; i++) {
        inb(r, b + UART_RBR);
        inb(r, b + UART_IIR);
    }
    outb(r, b + UART_FCR, 0x07);
    inb(r, b + UART_LSR);
}

static const char *const serial_detect[] = {
    "0:state.ier", "0:state.lcr", "0:state.mcr", "0:state.msr", "0:state.scr",
    "0:state.fcr", "0:state.divider", "0:state.rx_data", "0:state.rx_head",
    "0:state.rx_count", "0:state.thr_ipending", "0:state.fifo_timeout_timer", NULL
};

static const Patch serial_hostile[] = {
    { 0, "state.rx_count", 0xff },
    { 0, "state.rx_count", 17 },
    { 0, "state.rx_head", 16 },
    { 0, "state.rx_head", 0xff },
    { 0, "state.tx_count", 0xff },
    { 0, "state.tx_head", 0x10 },
    { 0, "state.fcr", 0x00 },           /* 16450 mode: 4 bytes cannot fit in RBR */
    { 0, "state.fcr", 0x02 },
    { 0, "state.ier", 0xf0 },
    { 0, "state.mcr", 0x80 },
    { 0, "state.lsr", UART_LSR_DR },    /* derived bits are never stored */
    { 0, "state.msr", 0x00 },           /* inputs disagree with MCR */
    { 0, "state.rx_err[3]", 0x40 },
    { -1 }
};

/* -- i8042 with its PS/2 keyboard and mouse -- */

static DeviceState *i8042_create(Rig *r, int which)
{
    return realize_on(r, qdev_new(TYPE_I8042));
}

static int i8042_parts(DeviceState *d, DeviceState **out)
{
    out[0] = d;
    out[1] = DEVICE(I8042(d)->kbd);
    out[2] = DEVICE(I8042(d)->mouse);
    return 3;
}

static void kbd_cmd(Rig *r, uint8_t v)
{
    outb(r, I8042_DATA_PORT, v);
}

static void aux_cmd(Rig *r, uint8_t v)
{
    outb(r, I8042_CMD_PORT, 0xd4);
    outb(r, I8042_DATA_PORT, v);
}

static void i8042_drive(Rig *r, DeviceState *d)
{
    I8042State *s = I8042(d);

    /* Command byte: both interrupts, SYS, translation. */
    outb(r, I8042_CMD_PORT, 0x60);
    outb(r, I8042_DATA_PORT, 0x47);
    /* Keyboard: LEDs, scan code set 1, identify: ACKs and AB 83 queue up
     * behind the first ACK in the output buffer. */
    kbd_cmd(r, 0xed);
    kbd_cmd(r, 0x05);
    kbd_cmd(r, 0xf0);
    kbd_cmd(r, 0x01);
    kbd_cmd(r, 0xf2);
    ps2_keyboard_event(s->kbd, Q_KEY_CODE_A, true);
    ps2_keyboard_event(s->kbd, Q_KEY_CODE_A, false);
    /* Mouse: the IntelliMouse knock (ID 3), resolution 3, 2:1 scaling, on,
     * then a sample-rate command left waiting for its argument and a
     * movement packet behind its ACK. */
    static const uint8_t knock[] = { 200, 100, 80 };
    for (int i = 0; i < 3; i++) {
        aux_cmd(r, 0xf3);
        aux_cmd(r, knock[i]);
    }
    aux_cmd(r, 0xe8);
    aux_cmd(r, 0x03);
    aux_cmd(r, 0xe7);
    aux_cmd(r, 0xf4);
    aux_cmd(r, 0xf3);
    ps2_mouse_event(s->mouse, 10, -5, 1, PS2_MOUSE_BUTTON_LEFT);
    /* The controller: a reply queued, and "write aux output buffer" waiting
     * for its byte. */
    outb(r, I8042_CMD_PORT, 0x20);
    outb(r, I8042_CMD_PORT, 0xd3);
}

/* Read the output buffer dry on both sides, in lockstep. */
static char *i8042_drain_cmp(Rig *r1, Rig *r2)
{
    for (int i = 0; i < 64; i++) {
        uint8_t st1 = inb(r1, I8042_CMD_PORT), st2 = inb(r2, I8042_CMD_PORT);
        CMP("status", st1, st2);
        if (!(st1 & I8042_STR_OBF)) {
            return NULL;
        }
        CMP("data", inb(r1, I8042_DATA_PORT), inb(r2, I8042_DATA_PORT));
        CMP_LEVELS(r1, r2);
    }
    return g_strdup("the output buffer never drained");
}

static char *i8042_differ(Rig *r1, DeviceState *d1, Rig *r2, DeviceState *d2)
{
    char *diff;

    CMP_LEVELS(r1, r2);
    if ((diff = i8042_drain_cmp(r1, r2))) {
        return diff;
    }
    /* The pending 0xD3 takes its byte; the mouse's pending 0xF3 its rate. */
    outb(r1, I8042_DATA_PORT, 0x77);
    outb(r2, I8042_DATA_PORT, 0x77);
    aux_cmd(r1, 40);
    aux_cmd(r2, 40);
    /* Mouse status (mode, scaling, buttons, resolution, rate) and ID. */
    aux_cmd(r1, 0xe9);
    aux_cmd(r2, 0xe9);
    if ((diff = i8042_drain_cmp(r1, r2))) {
        return diff;
    }
    aux_cmd(r1, 0xf2);
    aux_cmd(r2, 0xf2);
    if ((diff = i8042_drain_cmp(r1, r2))) {
        return diff;
    }
    /* The keyboard's scan code set; the command byte through the controller. */
    kbd_cmd(r1, 0xf0);
    kbd_cmd(r2, 0xf0);
    kbd_cmd(r1, 0x00);
    kbd_cmd(r2, 0x00);
    outb(r1, I8042_CMD_PORT, 0x20);
    outb(r2, I8042_CMD_PORT, 0x20);
    return i8042_drain_cmp(r1, r2);
}

static void i8042_exercise(Rig *r, DeviceState *d)
{
    I8042State *s = I8042(d);

    for (int i = 0; i < 40; i++) {
        inb(r, I8042_CMD_PORT);
        inb(r, I8042_DATA_PORT);
    }
    ps2_keyboard_event(s->kbd, Q_KEY_CODE_B, true);
    ps2_mouse_event(s->mouse, 1000, 1000, 3, 7);
    aux_cmd(r, 0xeb);
    kbd_cmd(r, 0xee);
    for (int i = 0; i < 300; i++) {
        inb(r, I8042_CMD_PORT);
        inb(r, I8042_DATA_PORT);
    }
}

static const char *const i8042_detect[] = {
    "0:status", "0:ram", "0:obuf", "0:write_cmd", "0:ctl_queue", "0:ctl_count",
    "1:common", "1:scancode_set",
    "2:common", "2:enabled", "2:scale21", "2:resolution", "2:type", "2:buttons", NULL
};

static const Patch i8042_hostile[] = {
    { 0, "ctl_count", 0xffffffff },
    { 0, "ctl_count", I8042_CTL_QUEUE + 1 },
    { 0, "write_cmd", 0xd5 },         /* no data phase: write_data's "unreachable" */
    { 0, "write_cmd", 0xfe },
    { 0, "status", I8042_STR_AUX_OBF },
    { 0, "status", I8042_STR_OBF | I8042_STR_IBF },
    { 0, "outport", 0xff },
    { 1, "common.rptr", PS2_BUFFER_SIZE },
    { 1, "common.count", PS2_BUFFER_SIZE + 1 },
    { 1, "common.count", 0xffffffff },
    { 1, "common.pending_cmd", 0x1234 },
    { 1, "common.pending_cmd", 0xfffffffe },
    { 1, "scancode_set", 0 },
    { 1, "scancode_set", 4 },
    { 1, "leds", 0x08 },
    { 2, "common.rptr", 0xffffffff },
    { 2, "common.pending_cmd", 0xed },   /* a keyboard command */
    { 2, "dx", 0x7fffffff },              /* the next event would overflow */
    { 2, "dy", 0x80000000 },
    { 2, "type", 2 },
    { 2, "resolution", 4 },
    { 2, "buttons", 0x20 },
    { -1 }
};

/* -- MC146818 RTC -- */

static DeviceState *rtc_create(Rig *r, int which)
{
    return realize_on(r, qdev_new(TYPE_MC146818_RTC));
}

static uint8_t cmos_read(Rig *r, uint8_t idx)
{
    outb(r, RTC_ISA_BASE, idx);
    return inb(r, RTC_ISA_BASE + 1);
}

static void cmos_write(Rig *r, uint8_t idx, uint8_t v)
{
    outb(r, RTC_ISA_BASE, idx);
    outb(r, RTC_ISA_BASE + 1, v);
}

static void rtc_drive(Rig *r, DeviceState *d)
{
    /* Off the whole second, so a lost sub-second phase shows. */
    advance(1300 * SCALE_MS);
    /* Set the time to 05:xx (binary, 24-hour) while SET holds the clock. */
    cmos_write(r, RTC_REG_B, RTC_B_SET | RTC_B_DM | RTC_B_24H);
    cmos_write(r, RTC_HOURS, 5);
    cmos_write(r, RTC_REG_B, RTC_B_AIE | RTC_B_DM | RTC_B_24H);
    /* 2 Hz periodic rate, its interrupt off: PF is only polled. */
    cmos_write(r, RTC_REG_A, 0x2f);
    /* Alarm: any hour and minute, two seconds from now. */
    uint8_t sec = cmos_read(r, RTC_SECONDS);
    cmos_write(r, RTC_SECONDS_ALARM, (sec + 2) % 60);
    cmos_write(r, RTC_MINUTES_ALARM, 0xc0);
    cmos_write(r, RTC_HOURS_ALARM, 0xc0);
    cmos_write(r, 0x40, 0x99);
    cmos_write(r, 0x41, 0x42);
    /* Leave the index at 0x41 with the NMI mask bit set. */
    outb(r, RTC_ISA_BASE, 0x80 | 0x41);
}

static char *rtc_differ(Rig *r1, DeviceState *d1, Rig *r2, DeviceState *d2)
{
    static const uint8_t regs[] = {
        RTC_SECONDS, RTC_SECONDS_ALARM, RTC_MINUTES, RTC_HOURS, RTC_DAY_OF_WEEK,
        RTC_DAY_OF_MONTH, RTC_MONTH, RTC_YEAR, RTC_CENTURY, RTC_REG_A, RTC_REG_B,
        RTC_REG_D, 0x40, 0x10, 0x2e, 0x2f,
    };

    CMP_LEVELS(r1, r2);
    /* The index as left by the guest. */
    CMP("data at the loaded index", inb(r1, RTC_ISA_BASE + 1), inb(r2, RTC_ISA_BASE + 1));
    for (unsigned i = 0; i < G_N_ELEMENTS(regs); i++) {
        g_autofree char *what = g_strdup_printf("CMOS 0x%02x", regs[i]);
        CMP(what, cmos_read(r1, regs[i]), cmos_read(r2, regs[i]));
    }
    /* Half a second on: the sub-second phase decides whether a second passed. */
    advance(500 * SCALE_MS);
    CMP("seconds", cmos_read(r1, RTC_SECONDS), cmos_read(r2, RTC_SECONDS));
    CMP_LEVELS(r1, r2);
    /* The alarm fires on both, at the same time. */
    for (int i = 0; i < 6; i++) {
        advance(500 * SCALE_MS);
        CMP_LEVELS(r1, r2);
    }
    if (!r1->level[RTC_ISA_IRQ]) {
        return g_strdup("the alarm never fired");
    }
    CMP("C", cmos_read(r1, RTC_REG_C), cmos_read(r2, RTC_REG_C));
    CMP_LEVELS(r1, r2);
    return NULL;
}

static void rtc_exercise(Rig *r, DeviceState *d)
{
    for (int idx = 0; idx <= RTC_REG_D; idx++) {
        cmos_read(r, idx);
    }
    cmos_read(r, RTC_CENTURY);
    advance(1500 * SCALE_MS);
    cmos_read(r, RTC_REG_C);
    cmos_read(r, RTC_SECONDS);
    /* Not PIE: a loaded 8 kHz rate would make the clock step slow. */
    cmos_write(r, RTC_REG_B, RTC_B_UIE | RTC_B_AIE);
    advance(1500 * SCALE_MS);
    cmos_read(r, RTC_REG_C);
    cmos_write(r, RTC_REG_B, RTC_B_24H);
}

static const char *const rtc_detect[] = {
    "0:cmos", "0:index", "0:base_sec", "0:offset_ns", "0:mig_clock", NULL
};

static const Patch rtc_hostile[] = {
    { 0, "index", 0x80 },
    { 0, "index", 0xff },
    { 0, "base_sec", INT64_MAX },
    { 0, "base_sec", (uint64_t)INT64_MIN },
    { 0, "offset_ns", INT64_MAX },
    { 0, "offset_ns", (uint64_t)INT64_MIN },
    { 0, "last_tick", (uint64_t)INT64_MIN },
    { 0, "last_update_sec", INT64_MAX },
    { 0, "mig_clock", EMU_CLOCK__MAX },
    { 0, "mig_clock", EMU_CLOCK_REALTIME },   /* without its rt-clock subsection */
    { 0, "cmos[10]", 0xa6 },                  /* UIP is never stored */
    { 0, "cmos[12]", 0x01 },
    { 0, "cmos[13]", 0x00 },
    { -1 }
};

/* -- ACPI PM -- */

#define PM_BASE 0x600

static DeviceState *acpi_create(Rig *r, int which)
{
    DeviceState *d = qdev_new(TYPE_ACPI_PM);
    object_property_set_uint(OBJECT(d), "iobase", PM_BASE, &error_abort);
    object_property_set_uint(OBJECT(d), "sci_irq", 9, &error_abort);
    return realize_on(r, d);
}

static void acpi_drive(Rig *r, DeviceState *d)
{
    /* Past the first toggle of bit 23, then clear TMR_STS: the next one is
     * later than a freshly reset device expects. */
    advance(3 * NS);
    outw(r, PM_BASE + ACPI_PM1_STS, ACPI_PM1_TMR_STS);
    outw(r, PM_BASE + ACPI_PM1_EN, ACPI_PM1_PWRBTN_EN | ACPI_PM1_TMR_EN | ACPI_PM1_RTC_EN);
    outw(r, PM_BASE + ACPI_PM1_CNT, ACPI_PM1_CNT_SCI_EN | (5 << ACPI_PM1_CNT_SLP_TYP_SHIFT));
    outl(r, PM_BASE + ACPI_GPE0_BLK + 4, 0x5);
    acpi_gpe0_set_status(ACPI_PM(d), 0x4);
    acpi_pm1_set_status(ACPI_PM(d), ACPI_PM1_PWRBTN_STS);
}

static char *acpi_differ(Rig *r1, DeviceState *d1, Rig *r2, DeviceState *d2)
{
    CMP_LEVELS(r1, r2);
    CMP("PM1_STS", inw(r1, PM_BASE + ACPI_PM1_STS), inw(r2, PM_BASE + ACPI_PM1_STS));
    CMP("PM1_EN", inw(r1, PM_BASE + ACPI_PM1_EN), inw(r2, PM_BASE + ACPI_PM1_EN));
    CMP("PM1_CNT", inw(r1, PM_BASE + ACPI_PM1_CNT), inw(r2, PM_BASE + ACPI_PM1_CNT));
    CMP("GPE0_STS", inl(r1, PM_BASE + ACPI_GPE0_BLK), inl(r2, PM_BASE + ACPI_GPE0_BLK));
    CMP("GPE0_EN", inl(r1, PM_BASE + ACPI_GPE0_BLK + 4), inl(r2, PM_BASE + ACPI_GPE0_BLK + 4));
    outl(r1, PM_BASE + ACPI_GPE0_BLK, 0x4);
    outl(r2, PM_BASE + ACPI_GPE0_BLK, 0x4);
    CMP_LEVELS(r1, r2);
    outw(r1, PM_BASE + ACPI_PM1_STS, ACPI_PM1_PWRBTN_STS);
    outw(r2, PM_BASE + ACPI_PM1_STS, ACPI_PM1_PWRBTN_STS);
    CMP_LEVELS(r1, r2);
    /* The next overflow raises the SCI through TMR_EN on both. */
    for (int i = 0; i < 6; i++) {
        advance(500 * SCALE_MS);
        CMP_LEVELS(r1, r2);
    }
    CMP("PM1_STS later", inw(r1, PM_BASE + ACPI_PM1_STS), inw(r2, PM_BASE + ACPI_PM1_STS));
    return NULL;
}

static void acpi_exercise(Rig *r, DeviceState *d)
{
    for (int off = 0; off < ACPI_PM_IO_SIZE; off += 2) {
        inw(r, PM_BASE + off);
    }
    outw(r, PM_BASE + ACPI_PM1_STS, 0xffff);
    outw(r, PM_BASE + ACPI_PM1_EN, 0xffff);
    advance(3 * NS);
    inw(r, PM_BASE + ACPI_PM1_STS);
    outl(r, PM_BASE + ACPI_GPE0_BLK, 0xffffffff);
}

static const char *const acpi_detect[] = {
    "0:pm1_sts", "0:pm1_en", "0:pm1_cnt", "0:gpe0_sts", "0:gpe0_en", "0:tmr_overflow", NULL
};

static const Patch acpi_hostile[] = {
    { 0, "pm1_sts", 0xffff },
    { 0, "pm1_en", 0x0002 },
    { 0, "pm1_cnt", ACPI_PM1_CNT_SLP_EN | ACPI_PM1_CNT_SCI_EN },
    { 0, "tmr_overflow", 1 },
    { 0, "tmr_overflow", UINT64_MAX & ~(uint64_t)0x7fffff },
    { 0, "tmr_overflow", UINT64_C(1) << 62 },
    { -1 }
};

/* -- reset control, port 0x92, port 0x61 -- */

static DeviceState *rcr_create(Rig *r, int which)
{
    return realize_on(r, qdev_new(TYPE_PC_RESET_CONTROL));
}

static void rcr_drive(Rig *r, DeviceState *d)
{
    outb(r, PC_RESET_CONTROL_PORT, PC_RCR_SYS_RST);
}

static char *rcr_differ(Rig *r1, DeviceState *d1, Rig *r2, DeviceState *d2)
{
    CMP("0xcf9", inb(r1, PC_RESET_CONTROL_PORT), inb(r2, PC_RESET_CONTROL_PORT));
    return NULL;
}

static void rcr_exercise(Rig *r, DeviceState *d)
{
    inb(r, PC_RESET_CONTROL_PORT);
}

static const char *const rcr_detect[] = { "0:rcr", NULL };
static const Patch rcr_hostile[] = {
    { 0, "rcr", PC_RCR_RCPU }, { 0, "rcr", 0xff }, { -1 }
};

static DeviceState *port92_create(Rig *r, int which)
{
    return realize_on(r, qdev_new(TYPE_PORT92));
}

static void port92_drive(Rig *r, DeviceState *d)
{
    outb(r, PORT92_PORT, PORT92_A20);
}

static char *port92_differ(Rig *r1, DeviceState *d1, Rig *r2, DeviceState *d2)
{
    CMP("0x92", inb(r1, PORT92_PORT), inb(r2, PORT92_PORT));
    return NULL;
}

static void port92_exercise(Rig *r, DeviceState *d)
{
    inb(r, PORT92_PORT);
}

static const char *const port92_detect[] = { "0:value", NULL };
static const Patch port92_hostile[] = {
    { 0, "value", 0x04 }, { 0, "value", 0xff }, { -1 }
};

static DeviceState *port61_create(Rig *r, int which)
{
    return realize_on(r, qdev_new(TYPE_PORT61));
}

static void port61_drive(Rig *r, DeviceState *d)
{
    outb(r, PORT61_PORT, PORT61_PIT_GATE2 | PORT61_SPEAKER_DATA | PORT61_IOCHK_DISABLE);
    qemu_set_irq(qdev_get_gpio_in_named(d, PORT61_PIT_OUT2_LINE, 0), 1);
    inb(r, PORT61_PORT);
}

static char *port61_differ(Rig *r1, DeviceState *d1, Rig *r2, DeviceState *d2)
{
    for (int i = 0; i < 3; i++) {
        CMP("0x61", inb(r1, PORT61_PORT), inb(r2, PORT61_PORT));
    }
    return NULL;
}

static void port61_exercise(Rig *r, DeviceState *d)
{
    inb(r, PORT61_PORT);
}

static const char *const port61_detect[] = { "0:control", "0:refresh", "0:pit_out2", NULL };
static const Patch port61_hostile[] = {
    { 0, "control", 0x10 }, { 0, "control", 0xff }, { -1 }
};

/* -- fw_cfg (maps itself into the system I/O space: two bases there) -- */

#define FWC_FILE "etc/vmstate-test"

static uint16_t fwc_base(DeviceState *d)
{
    return FW_CFG(d)->iobase;
}

static DeviceState *fwc_create(Rig *r, int which)
{
    DeviceState *d = qdev_new(TYPE_FW_CFG_IO);
    uint8_t data[64];

    object_property_set_uint(OBJECT(d), "iobase", which ? 0x520 : 0x510, &error_abort);
    object_property_set_uint(OBJECT(d), "dma_iobase", which ? 0x524 : 0x514, &error_abort);
    realize_on(NULL, d);
    for (unsigned i = 0; i < sizeof(data); i++) {
        data[i] = i * 3 + 1;
    }
    fw_cfg_add_file(FW_CFG(d), FWC_FILE, data, sizeof(data));
    return d;
}

static void fwc_drive(Rig *r, DeviceState *d)
{
    Rig *io = &rigs[0];
    uint16_t b = fwc_base(d);

    outw(io, b, fw_cfg_file_key(FW_CFG(d), FWC_FILE));
    for (int i = 0; i < 10; i++) {
        inb(io, b + 1);
    }
    /* The high half of the DMA address, latched until the low half comes. */
    outl(io, b + 4, GUINT32_SWAP_LE_BE(1));
}

static char *fwc_differ(Rig *r1, DeviceState *d1, Rig *r2, DeviceState *d2)
{
    Rig *io = &rigs[0];
    uint16_t b1 = fwc_base(d1), b2 = fwc_base(d2);

    for (int i = 0; i < 20; i++) {
        CMP("data", inb(io, b1 + 1), inb(io, b2 + 1));
    }
    /* The low half starts a read of 4 bytes; with the latched high half the
     * descriptor lies above 4 GiB, outside RAM, and is ignored. */
    hwaddr desc[2] = { 0x1000, 0x2000 };
    for (int i = 0; i < 2; i++) {
        FWCfgDmaAccess a = {
            .control = GUINT32_TO_BE(FW_CFG_DMA_CTL_READ),
            .length = GUINT32_TO_BE(4),
            .address = GUINT64_TO_BE(desc[i] + 0x800),
        };
        address_space_write(&address_space_memory, desc[i], &a, sizeof(a));
        outl(io, (i ? b2 : b1) + 8, GUINT32_SWAP_LE_BE((uint32_t)desc[i]));
    }
    uint32_t c1, c2;
    address_space_read(&address_space_memory, desc[0], &c1, 4);
    address_space_read(&address_space_memory, desc[1], &c2, 4);
    CMP("DMA control after the low half", c1, c2);
    for (int i = 0; i < 8; i++) {
        CMP("data after DMA", inb(io, b1 + 1), inb(io, b2 + 1));
    }
    return NULL;
}

static void fwc_exercise(Rig *r, DeviceState *d)
{
    for (int i = 0; i < 80; i++) {
        inb(&rigs[0], fwc_base(d) + 1);
    }
}

static const char *const fwc_detect[] = {
    "0:cur_entry", "0:cur_offset", "0:dma_addr", NULL
};

static const Patch fwc_hostile[] = {
    { 0, "cur_entry", 0x3fff },          /* beyond the file slots */
    { 0, "cur_entry", 0xbfff },
    { 0, "cur_offset", 0xffffffff, true },   /* clamped to the end of the item */
    { -1 }
};

#define CASE(n, irqline, ...) { \
        .name = #n, .create = n##_create, .drive = n##_drive, .differ = n##_differ, \
        .exercise = n##_exercise, .irq = (irqline), .detect = n##_detect, \
        .hostile = n##_hostile, __VA_ARGS__ }

static const Case cases[] = {
    CASE(serial, 4),
    CASE(i8042, I8042_KBD_IRQ, .parts = i8042_parts),
    CASE(rtc, -1),
    CASE(acpi, 9),
    CASE(rcr, -1),
    CASE(port92, -1),
    CASE(port61, -1),
    CASE(fwc, -1),
};

/* ---- machinery ---- */

static int case_parts(const Case *c, DeviceState *d, DeviceState **out)
{
    if (c->parts) {
        return c->parts(d, out);
    }
    out[0] = d;
    return 1;
}

static const VMStateDescription *vmsd_of(DeviceState *d)
{
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(d)->vmsd;
    g_assert_nonnull(vmsd);
    return vmsd;
}

static GByteArray *save(const VMStateDescription *vmsd, void *opaque)
{
    EmuFile *f = emufile_new_buffer();
    size_t len;
    g_assert_true(vmstate_save(f, vmsd, opaque, &error_abort));
    const uint8_t *data = emufile_buffer(f, &len);
    GByteArray *out = g_byte_array_new();
    g_byte_array_append(out, data, len);
    emufile_close(f);
    return out;
}

static bool load(const VMStateDescription *vmsd, void *opaque, const uint8_t *data,
                 size_t len, Error **errp)
{
    EmuFile *f = emufile_new_reader(data, len);
    bool ok = vmstate_load(f, vmsd, opaque, vmsd->version_id, errp);
    emufile_close(f);
    return ok;
}

static void destroy(DeviceState *d)
{
    object_unparent(OBJECT(d));
}

static void reset_levels(void)
{
    memset(rigs[0].level, 0, sizeof(rigs[0].level));
    memset(rigs[1].level, 0, sizeof(rigs[1].level));
}

/* @vmsd without field @path ("a" or "struct.a"); free with free_mutant. */
static VMStateDescription *drop_field(const VMStateDescription *vmsd, const char *path)
{
    VMStateDescription *m = g_memdup2(vmsd, sizeof(*vmsd));
    const char *dot = strchr(path, '.');
    size_t namelen = dot ? (size_t)(dot - path) : strlen(path);
    unsigned n = 0, j = 0;
    bool found = false;

    while (vmsd->fields[n].name) {
        n++;
    }
    VMStateField *fields = g_new0(VMStateField, n + 1);
    for (unsigned i = 0; i < n; i++) {
        const VMStateField *f = &vmsd->fields[i];
        if (strlen(f->name) != namelen || strncmp(f->name, path, namelen)) {
            fields[j++] = *f;
            continue;
        }
        found = true;
        if (dot) {
            g_assert_cmpint(f->kind, ==, VMS_STRUCT);
            fields[j] = *f;
            fields[j++].vmsd = drop_field(f->vmsd, dot + 1);
        }
    }
    if (!found) {
        g_error("%s has no field %s", vmsd->name, path);
    }
    m->fields = fields;
    return m;
}

static void free_mutant(VMStateDescription *m, const char *path)
{
    const char *dot = strchr(path, '.');
    for (const VMStateField *f = m->fields; dot && f->name; f++) {
        if (!strncmp(f->name, path, dot - path) && !f->name[dot - path]) {
            free_mutant((VMStateDescription *)f->vmsd, dot + 1);
        }
    }
    g_free((void *)m->fields);
    g_free(m);
}

/*
 * Create a source and a destination, drive the source, move its state part by
 * part (part @drop_part through its vmsd without @drop_name), and compare.
 * The first difference, or NULL.
 */
static char *migrate_and_compare(const Case *c, int drop_part, const char *drop_name)
{
    Rig *r1 = &rigs[0], *r2 = &rigs[1];
    DeviceState *p1[4], *p2[4];
    char *diff = NULL;

    reset_levels();
    DeviceState *d1 = c->create(r1, 0), *d2 = c->create(r2, 1);
    c->drive(r1, d1);
    if (c->irq >= 0) {
        g_assert_cmpint(r1->level[c->irq], ==, 1);
    }
    int n = case_parts(c, d1, p1);
    g_assert_cmpint(case_parts(c, d2, p2), ==, n);
    for (int i = 0; i < n && !diff; i++) {
        const VMStateDescription *vmsd = vmsd_of(p1[i]);
        Error *err = NULL;
        if (i == drop_part) {
            VMStateDescription *m = drop_field(vmsd, drop_name);
            g_autoptr(GByteArray) s = save(m, p1[i]);
            if (!load(m, p2[i], s->data, s->len, &err)) {
                diff = g_strdup_printf("load refused: %s", error_get_pretty(err));
                error_free(err);
            }
            free_mutant(m, drop_name);
        } else if (!vmstate_roundtrip(vmsd, p1[i], p2[i], &err)) {
            g_error("%s: %s", c->name, error_get_pretty(err));
        }
    }
    if (!diff) {
        diff = c->differ(r1, d1, r2, d2);
    }
    destroy(d1);
    destroy(d2);
    reset_levels();
    return diff;
}

static void test_roundtrip(gconstpointer data)
{
    const Case *c = data;
    setup();
    g_autofree char *diff = migrate_and_compare(c, -1, NULL);
    if (diff) {
        g_error("%s: the destination behaves differently: %s", c->name, diff);
    }
}

/* The comparison must notice each field it claims to cover going missing. */
static void test_mutants(gconstpointer data)
{
    const Case *c = data;
    setup();
    for (const char *const *f = c->detect; *f; f++) {
        int part = (*f)[0] - '0';
        const char *field = *f + 2;
        g_autofree char *diff = migrate_and_compare(c, part, field);
        if (!diff) {
            g_error("%s: without field %s the destination still behaves the same",
                    c->name, *f);
        }
        if (g_test_verbose()) {
            g_test_message("%s without %s: %s", c->name, *f, diff);
        }
    }
}

/* ---- stream surgery ---- */

static size_t kind_size(const VMStateField *f)
{
    switch (f->kind) {
    case VMS_BOOL: case VMS_U8: case VMS_I8:
        return 1;
    case VMS_U16: case VMS_I16:
        return 2;
    case VMS_U32: case VMS_I32:
        return 4;
    case VMS_U64: case VMS_I64: case VMS_TIMER_PTR:
        return 8;
    case VMS_BUFFER:
        return f->size;
    case VMS_STRUCT: {
        size_t n = 0;
        for (const VMStateField *g = f->vmsd->fields; g->name; g++) {
            n += kind_size(g) * g->num;
        }
        return n;
    }
    }
    g_assert_not_reached();
}

/* Where @path ("a", "a.b", "a[3]") lies in a stream of @vmsd's fields. */
static void locate(const VMStateDescription *vmsd, const char *path, size_t *off,
                   size_t *width)
{
    size_t base = 0;
    const char *dot = strchr(path, '.');
    const char *br = strchr(path, '[');
    size_t namelen = dot ? (size_t)(dot - path) : br ? (size_t)(br - path) : strlen(path);

    for (const VMStateField *f = vmsd->fields; f->name; f++) {
        size_t esz = kind_size(f);
        if (strlen(f->name) == namelen && !strncmp(f->name, path, namelen)) {
            unsigned idx = br && (!dot || br < dot) ? atoi(br + 1) : 0;
            g_assert_cmpuint(idx, <, f->num);
            base += idx * esz;
            if (dot) {
                g_assert_cmpint(f->kind, ==, VMS_STRUCT);
                locate(f->vmsd, dot + 1, off, width);
                *off += base;
            } else {
                *off = base;
                *width = esz;
            }
            return;
        }
        base += esz * f->num;
    }
    g_error("%s: no field %s", vmsd->name, path);
}

static void patch(GByteArray *s, const VMStateDescription *vmsd, const char *path,
                  uint64_t value)
{
    size_t off, width;
    locate(vmsd, path, &off, &width);
    g_assert_cmpuint(off + width, <=, s->len);
    for (size_t i = 0; i < width; i++) {
        s->data[off + i] = value >> (8 * (width - 1 - i));
    }
}

static void test_hostile(gconstpointer data)
{
    const Case *c = data;
    Rig *r1 = &rigs[0], *r2 = &rigs[1];
    DeviceState *p1[4], *p2[4];

    setup();
    for (const Patch *p = c->hostile; p->part >= 0; p++) {
        reset_levels();
        DeviceState *d1 = c->create(r1, 0), *d2 = c->create(r2, 1);
        c->drive(r1, d1);
        case_parts(c, d1, p1);
        case_parts(c, d2, p2);
        const VMStateDescription *vmsd = vmsd_of(p1[p->part]);
        g_autoptr(GByteArray) s = save(vmsd, p1[p->part]);
        patch(s, vmsd, p->path, p->value);
        Error *err = NULL;
        bool ok = load(vmsd, p2[p->part], s->data, s->len, &err);
        if (ok != p->accepted) {
            g_error("%s: %s = %#" PRIx64 " was %s", c->name, p->path, p->value,
                    ok ? "accepted" : "refused");
        }
        if (ok) {
            c->exercise(r2, d2);
        } else {
            g_assert_nonnull(strstr(error_get_pretty(err), "post_load"));
            error_free(err);
        }
        destroy(d1);
        destroy(d2);
    }
    reset_levels();
}

/*
 * Every byte of every part's stream replaced by a few extreme values, and
 * every truncation: a load either fails or leaves a device that runs (ASan
 * and UBSan watch the exercise).
 */
static void test_fuzz(gconstpointer data)
{
    static const uint8_t values[] = { 0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff };
    const Case *c = data;
    Rig *r1 = &rigs[0], *r2 = &rigs[1];
    DeviceState *p1[4], *p2[4];
    unsigned loaded = 0, refused = 0;

    setup();
    reset_levels();
    DeviceState *d1 = c->create(r1, 0), *d2 = c->create(r2, 1);
    c->drive(r1, d1);
    int n = case_parts(c, d1, p1);
    case_parts(c, d2, p2);
    for (int part = 0; part < n; part++) {
        const VMStateDescription *vmsd = vmsd_of(p1[part]);
        g_autoptr(GByteArray) s = save(vmsd, p1[part]);
        for (size_t len = 0; len < s->len; len++) {
            Error *err = NULL;
            if (load(vmsd, p2[part], s->data, len, &err)) {
                g_error("%s: a stream cut at %zu of %u bytes loaded", vmsd->name, len,
                        s->len);
            }
            error_free(err);
        }
        for (size_t pos = 0; pos < s->len; pos++) {
            uint8_t orig = s->data[pos];
            for (unsigned v = 0; v < G_N_ELEMENTS(values); v++) {
                Error *err = NULL;
                s->data[pos] = values[v];
                if (load(vmsd, p2[part], s->data, s->len, &err)) {
                    loaded++;
                    c->exercise(r2, d2);
                } else {
                    refused++;
                    error_free(err);
                }
            }
            s->data[pos] = orig;
        }
        /* A clean stream still loads afterwards. */
        Error *err = NULL;
        if (!load(vmsd, p2[part], s->data, s->len, &err)) {
            g_error("%s: %s", vmsd->name, error_get_pretty(err));
        }
    }
    g_assert_cmpuint(refused, >, 0);
    g_assert_cmpuint(loaded, >, 0);
    destroy(d1);
    destroy(d2);
    reset_levels();
}

/* ---- device-specific ---- */

/*
 * A byte the host side had not taken yet (the TX FIFO and shift register, as
 * when the chardev was full) still goes out on the destination after the load.
 */
static void test_serial_tx_pending(void)
{
    setup();
    reset_levels();
    DeviceState *d1 = serial_create(&rigs[0], 0), *d2 = serial_create(&rigs[1], 1);
    SerialState *s1 = &ISA_SERIAL(d1)->state;
    Chardev *out2 = qemu_chr_fe_get_driver(&ISA_SERIAL(d2)->state.chr);
    uint8_t buf[16];

    outb(&rigs[0], com(d1) + UART_FCR, UART_FCR_FE);
    s1->tsr = 'w';
    s1->tsr_full = true;
    memcpy(s1->tx_data + 14, "xy", 2);
    s1->tx_data[0] = 'z';
    s1->tx_head = 14;
    s1->tx_count = 3;
    g_assert_true(vmstate_roundtrip(vmsd_of(d1), d1, d2, &error_abort));
    /* Not sent yet: THRE and TEMT are clear on both. */
    g_assert_cmphex(inb(&rigs[0], com(d1) + UART_LSR), ==, inb(&rigs[1], com(d2) + UART_LSR));
    g_assert_cmphex(inb(&rigs[1], com(d2) + UART_LSR) & UART_LSR_THRE, ==, 0);
    g_assert_cmpuint(qemu_chr_ringbuf_count(out2), ==, 0);
    /* The main loop picks it up. */
    for (int i = 0; i < 100 && !qemu_chr_ringbuf_count(out2); i++) {
        timers_run_expired();
        g_usleep(1000);
    }
    g_assert_cmpuint(qemu_chr_ringbuf_read(out2, buf, sizeof(buf)), ==, 4);
    g_assert_cmpmem(buf, 4, "wxyz", 4);
    g_assert_cmphex(inb(&rigs[1], com(d2) + UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT), ==,
                    UART_LSR_THRE | UART_LSR_TEMT);
    destroy(d1);
    destroy(d2);
    reset_levels();
}

static void rtc_time(Rig *r, uint8_t *t)
{
    static const uint8_t regs[] = {
        RTC_SECONDS, RTC_MINUTES, RTC_HOURS, RTC_DAY_OF_MONTH, RTC_MONTH, RTC_YEAR,
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(regs); i++) {
        t[i] = cmos_read(r, regs[i]);
    }
}

/*
 * -rtc clock=rt: the monotonic host clock means nothing on another host, so
 * the stream carries the divider chain's position (a subsection) and the
 * destination, here on the virtual clock, carries on from the same time.
 * Without that subsection the stream is refused.
 */
static void test_rtc_clock_rt(void)
{
    setup();
    reset_levels();
    rtc_config.clock = RTC_CLOCK_RT;
    DeviceState *d1 = rtc_create(&rigs[0], 0);
    rtc_config.clock = RTC_CLOCK_VM;
    DeviceState *d2 = rtc_create(&rigs[1], 1);
    const VMStateDescription *vmsd = vmsd_of(d1);
    uint8_t t1[6], t2[6], t1b[6];

    /* A time far from the vm clock's own: set through SET, in BCD. */
    cmos_write(&rigs[0], RTC_REG_B, RTC_B_SET | RTC_B_24H);
    cmos_write(&rigs[0], RTC_YEAR, 0x99);
    cmos_write(&rigs[0], RTC_CENTURY, 0x19);
    cmos_write(&rigs[0], RTC_REG_B, RTC_B_24H);
    rtc_time(&rigs[0], t1);
    g_autoptr(GByteArray) s = save(vmsd, d1);
    size_t main_len = 0;
    for (const VMStateField *f = vmsd->fields; f->name; f++) {
        main_len += kind_size(f) * f->num;
    }
    g_assert_cmpuint(s->len, >, main_len);
    Error *err = NULL;
    g_assert_false(load(vmsd, d2, s->data, main_len, &err));
    error_free(err);
    g_assert_true(load(vmsd, d2, s->data, s->len, &error_abort));
    rtc_time(&rigs[1], t2);
    rtc_time(&rigs[0], t1b);
    /* The source's time at the save, which lies between the two readings. */
    if (memcmp(t2, t1b, sizeof(t2))) {
        g_assert_cmpmem(t2, sizeof(t2), t1, sizeof(t1));
    }
    g_assert_cmphex(t2[5], ==, 0x99);
    /* The destination's clock is virtual: it stands still with the VM. */
    g_usleep(1100 * 1000);
    rtc_time(&rigs[1], t1);
    g_assert_cmpmem(t1, sizeof(t1), t2, sizeof(t2));
    destroy(d1);
    destroy(d2);
    reset_levels();
}

/* A hostile offset is clamped, and the data port then reads zeros. */
static void test_fw_cfg_offset_clamped(void)
{
    setup();
    DeviceState *d1 = fwc_create(NULL, 0), *d2 = fwc_create(NULL, 1);
    const VMStateDescription *vmsd = vmsd_of(d1);

    fwc_drive(NULL, d1);
    g_autoptr(GByteArray) s = save(vmsd, d1);
    patch(s, vmsd, "cur_offset", 0xffffffff);
    g_assert_true(load(vmsd, d2, s->data, s->len, &error_abort));
    g_assert_cmpuint(FW_CFG(d2)->cur_offset, ==, 64);
    g_assert_cmpuint(inb(&rigs[0], fwc_base(d2) + 1), ==, 0);
    destroy(d1);
    destroy(d2);
}

/* Devices with guest state have a vmsd; those without say why in their source. */
static void test_which_have_vmsds(void)
{
    static const char *const with[] = {
        TYPE_ISA_SERIAL, TYPE_MC146818_RTC, TYPE_I8042, TYPE_PS2_KBD, TYPE_PS2_MOUSE,
        TYPE_PORT92, TYPE_PORT61, TYPE_ACPI_PM, TYPE_PC_RESET_CONTROL, TYPE_FW_CFG_IO,
    };
    static const char *const without[] = {
        TYPE_ISA_DEBUGCON, TYPE_ISA_DEBUG_EXIT, TYPE_IOPORT80,
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(with); i++) {
        ObjectClass *oc = object_class_by_name(with[i]);
        g_assert_nonnull(oc);
        g_assert_nonnull(DEVICE_CLASS(oc)->vmsd);
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(without); i++) {
        ObjectClass *oc = object_class_by_name(without[i]);
        g_assert_nonnull(oc);
        g_assert_null(DEVICE_CLASS(oc)->vmsd);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        const Case *c = &cases[i];
        g_autofree char *a = g_strdup_printf("/device-vmstate/%s/roundtrip", c->name);
        g_autofree char *b = g_strdup_printf("/device-vmstate/%s/mutants", c->name);
        g_autofree char *h = g_strdup_printf("/device-vmstate/%s/hostile", c->name);
        g_autofree char *z = g_strdup_printf("/device-vmstate/%s/fuzz", c->name);
        g_test_add_data_func(a, c, test_roundtrip);
        g_test_add_data_func(b, c, test_mutants);
        g_test_add_data_func(h, c, test_hostile);
        g_test_add_data_func(z, c, test_fuzz);
    }
    g_test_add_func("/device-vmstate/serial/tx-pending", test_serial_tx_pending);
    g_test_add_func("/device-vmstate/rtc/clock-rt", test_rtc_clock_rt);
    g_test_add_func("/device-vmstate/fwc/offset-clamped", test_fw_cfg_offset_clamped);
    g_test_add_func("/device-vmstate/which-have-vmsds", test_which_have_vmsds);
    return g_test_run();
}
