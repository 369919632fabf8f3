/*
 * MC146818A RTC + CMOS. "Datasheet" below is the Motorola MC146818A data sheet
 * (registers A-D, "Update cycle", "Interrupts"); the CMOS layout above 0x0d is
 * the IBM PC/AT convention that BIOSes (SeaBIOS) read.
 */
#include "hw/rtc/mc146818rtc.h"
#include "migration/vmstate.h"
#include "monitor/monitor.h"
#include "monitor/qmp-event.h"
#include "system/system.h"
#include "util/log.h"
#include <time.h>

#define NS NANOSECONDS_PER_SECOND
#define TICKS_PER_SEC 32768           /* the 32.768 kHz time base */
/* UIP is set this long before each update (datasheet: tBUC = 244 us). */
#define UIP_HOLD_NS (244 * SCALE_US)

static GSList *rtc_devices;           /* for `info rtc` */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b) && ((a < 0) != (b < 0))) {
        q--;
    }
    return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

static void guest_error(MC146818RtcState *s, const char *fmt, ...) EMU_PRINTF(2, 3);
static void guest_error(MC146818RtcState *s, const char *fmt, ...)
{
    DEVICE(s)->ignored_accesses++;
    if (emu_log_enabled(LOG_GUEST_ERROR)) {
        va_list ap;
        va_start(ap, fmt);
        g_autofree char *msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        emu_log("mc146818rtc: %s\n", msg);
    }
}

/* ---- time base ---- */

/* DV2-0 = 000/001/010 run the divider chain; 11x hold it in reset, the rest are
 * test modes that we treat as stopped, as QEMU does. */
static bool divider_running(MC146818RtcState *s)
{
    return (s->cmos[RTC_REG_A] & RTC_A_DV) <= 0x20;
}

/* Clock registers advance only with the divider running and SET clear. */
static bool time_running(MC146818RtcState *s)
{
    return divider_running(s) && !(s->cmos[RTC_REG_B] & RTC_B_SET);
}

/* ns since base_sec on the divider chain. */
static int64_t rel_ns(MC146818RtcState *s)
{
    return clock_get_ns(s->clock) + s->offset_ns;
}

static int64_t guest_sec(MC146818RtcState *s)
{
    return s->base_sec + floor_div(rel_ns(s), NS);
}

static int64_t guest_phase_ns(MC146818RtcState *s)
{
    return floor_mod(rel_ns(s), NS);
}

static int64_t current_ticks(MC146818RtcState *s)
{
    int64_t ns = rel_ns(s);
    return (s->base_sec + floor_div(ns, NS)) * TICKS_PER_SEC +
           floor_mod(ns, NS) * TICKS_PER_SEC / NS;
}

/* The clock time at which the divider reaches @tick (rounded up). */
static int64_t tick_to_clock_ns(MC146818RtcState *s, int64_t tick)
{
    int64_t rel = tick - s->base_sec * TICKS_PER_SEC;
    int64_t ns = floor_div(rel, TICKS_PER_SEC) * NS +
                 (floor_mod(rel, TICKS_PER_SEC) * NS + TICKS_PER_SEC - 1) / TICKS_PER_SEC;
    return ns - s->offset_ns;
}

static int64_t sec_to_clock_ns(MC146818RtcState *s, int64_t sec)
{
    return (sec - s->base_sec) * NS - s->offset_ns;
}

/* Restart the accounting of interrupt events from now (after a time change). */
static void reset_event_marks(MC146818RtcState *s)
{
    s->last_update_sec = guest_sec(s);
    s->last_tick = current_ticks(s);
}

/* Put the divider chain at second @sec plus @phase_ns, now. */
static void set_divider(MC146818RtcState *s, int64_t sec, int64_t phase_ns)
{
    s->base_sec = sec;
    s->offset_ns = phase_ns - clock_get_ns(s->clock);
    reset_event_marks(s);
}

/* Rate select: 1 and 2 give 256 and 128 Hz with a 32.768 kHz time base
 * (datasheet Table 5), 3..15 give 32768 >> (RS - 1) Hz. In ticks. */
static int periodic_ticks(MC146818RtcState *s)
{
    int rs = s->cmos[RTC_REG_A] & RTC_A_RS;
    if (!rs) {
        return 0;
    }
    return rs <= 2 ? 1 << (rs + 6) : 1 << (rs - 1);
}

/* ---- register encoding ---- */

static uint8_t to_reg(MC146818RtcState *s, int v)
{
    if (s->cmos[RTC_REG_B] & RTC_B_DM) {
        return v;
    }
    return ((v / 10) << 4) | (v % 10);
}

static int from_reg(MC146818RtcState *s, uint8_t v)
{
    if (s->cmos[RTC_REG_B] & RTC_B_DM) {
        return v;
    }
    return (v >> 4) * 10 + (v & 0x0f);
}

/* 12-hour mode: 1..12 with bit 7 = PM (datasheet "Time, calendar and alarm"). */
static uint8_t hour_to_reg(MC146818RtcState *s, int hour)
{
    if (s->cmos[RTC_REG_B] & RTC_B_24H) {
        return to_reg(s, hour);
    }
    int h12 = hour % 12 ? hour % 12 : 12;
    return to_reg(s, h12) | (hour >= 12 ? 0x80 : 0);
}

static int hour_from_reg(MC146818RtcState *s, uint8_t v)
{
    if (s->cmos[RTC_REG_B] & RTC_B_24H) {
        return from_reg(s, v);
    }
    return from_reg(s, v & 0x7f) % 12 + ((v & 0x80) ? 12 : 0);
}

/* Copy the time at guest second @sec into the clock registers and century. */
static void latch_time(MC146818RtcState *s, int64_t sec)
{
    struct tm tm;
    time_t t = sec;

    if (!gmtime_r(&t, &tm)) {
        return;
    }
    int year = tm.tm_year + 1900;
    year = CLAMP(year, 0, 9999);
    s->cmos[RTC_SECONDS] = to_reg(s, tm.tm_sec);
    s->cmos[RTC_MINUTES] = to_reg(s, tm.tm_min);
    s->cmos[RTC_HOURS] = hour_to_reg(s, tm.tm_hour);
    s->cmos[RTC_DAY_OF_WEEK] = to_reg(s, tm.tm_wday + 1);
    s->cmos[RTC_DAY_OF_MONTH] = to_reg(s, tm.tm_mday);
    s->cmos[RTC_MONTH] = to_reg(s, tm.tm_mon + 1);
    s->cmos[RTC_YEAR] = to_reg(s, year % 100);
    s->cmos[RTC_CENTURY] = to_reg(s, year / 100);
}

/* The time the clock registers hold, as guest seconds (the day of week is
 * ignored: the date defines it). Out-of-range fields roll over as timegm does. */
static int64_t decode_time(MC146818RtcState *s)
{
    struct tm tm = { 0 };

    tm.tm_sec = from_reg(s, s->cmos[RTC_SECONDS]);
    tm.tm_min = from_reg(s, s->cmos[RTC_MINUTES]);
    tm.tm_hour = hour_from_reg(s, s->cmos[RTC_HOURS]);
    tm.tm_mday = from_reg(s, s->cmos[RTC_DAY_OF_MONTH]);
    tm.tm_mon = from_reg(s, s->cmos[RTC_MONTH]) - 1;
    tm.tm_year = from_reg(s, s->cmos[RTC_CENTURY]) * 100 +
                 from_reg(s, s->cmos[RTC_YEAR]) - 1900;
    return timegm(&tm);
}

/* The guest set the clock: tell management tools the new offset from UTC. */
static void rtc_notify_change(MC146818RtcState *s, int64_t sec)
{
    JsonObject *data = json_object_new();
    g_autofree char *path = object_get_canonical_path(OBJECT(s));
    int64_t host = clock_get_ns(EMU_CLOCK_HOST) / NS;

    json_object_set_int_member(data, "offset", sec - host);
    json_object_set_string_member(data, "qom-path", path);
    qmp_event_emit("RTC_CHANGE", data);
}

/* The registers define a new time; the divider keeps its sub-second phase. */
static void set_time_from_regs(MC146818RtcState *s)
{
    int64_t sec = decode_time(s);
    set_divider(s, sec, guest_phase_ns(s));
    rtc_notify_change(s, sec);
}

/* ---- alarm ---- */

/*
 * One alarm byte as a value to match, or -1 for "don't care" (both top bits
 * set, datasheet "Alarm"). false if no time register can ever hold that byte:
 * the chip compares bytes, so such an alarm never fires.
 */
static bool alarm_field(MC146818RtcState *s, uint8_t v, int max, bool hours, int *out)
{
    if ((v & 0xc0) == 0xc0) {
        *out = -1;
        return true;
    }
    int val = hours ? hour_from_reg(s, v) : from_reg(s, v);
    if (val < 0 || val > max) {
        return false;
    }
    uint8_t back = hours ? hour_to_reg(s, val) : to_reg(s, val);
    if (back != v) {
        return false;
    }
    *out = val;
    return true;
}

/* First guest second after @sec whose time matches the alarm, or -1 if never. */
static int64_t next_alarm_after(MC146818RtcState *s, int64_t sec)
{
    int ah, am, as;

    if (!alarm_field(s, s->cmos[RTC_HOURS_ALARM], 23, true, &ah) ||
        !alarm_field(s, s->cmos[RTC_MINUTES_ALARM], 59, false, &am) ||
        !alarm_field(s, s->cmos[RTC_SECONDS_ALARM], 59, false, &as)) {
        return -1;
    }
    int64_t t = sec + 1;
    /* At most 24 hour skips, 60 minute skips and 60 second steps, twice over. */
    for (int i = 0; i < 512; i++) {
        int64_t sod = floor_mod(t, 86400);
        int h = sod / 3600, m = sod / 60 % 60, sx = sod % 60;
        if (ah >= 0 && h != ah) {
            t += 3600 - sod % 3600;
        } else if (am >= 0 && m != am) {
            t += 60 - sx;
        } else if (as >= 0 && sx != as) {
            t += 1;
        } else {
            return t;
        }
    }
    return -1;
}

/* ---- interrupts ---- */

/* IRQF = PF.PIE + AF.AIE + UF.UIE (datasheet register C); the pin follows IRQF. */
static void rtc_update_irq(MC146818RtcState *s)
{
    uint8_t b = s->cmos[RTC_REG_B];
    uint8_t c = s->cmos[RTC_REG_C];

    if (((c & RTC_C_PF) && (b & RTC_B_PIE)) || ((c & RTC_C_AF) && (b & RTC_B_AIE)) ||
        ((c & RTC_C_UF) && (b & RTC_B_UIE))) {
        c |= RTC_C_IRQF;
    }
    s->cmos[RTC_REG_C] = c;
    bool level = c & RTC_C_IRQF;
    if (level != s->irq_level) {
        s->irq_level = level;
        if (level) {
            s->irqs_raised++;
        }
        qemu_set_irq(s->irq, level);
    }
}

/*
 * Set PF, UF and AF for everything that happened since the last look. The flags
 * are set whether or not their interrupt is enabled, so a polling guest sees
 * them too; timers only exist to raise enabled interrupts on time.
 */
static void rtc_catch_up(MC146818RtcState *s)
{
    if (divider_running(s)) {
        int period = periodic_ticks(s);
        int64_t t = current_ticks(s);
        if (period && floor_div(t, period) > floor_div(s->last_tick, period)) {
            s->cmos[RTC_REG_C] |= RTC_C_PF;
        }
        s->last_tick = t;
    }
    if (time_running(s)) {
        int64_t sec = guest_sec(s);
        if (sec > s->last_update_sec) {
            int64_t alarm = next_alarm_after(s, s->last_update_sec);
            s->cmos[RTC_REG_C] |= RTC_C_UF;
            if (alarm >= 0 && alarm <= sec) {
                s->cmos[RTC_REG_C] |= RTC_C_AF;
            }
            s->last_update_sec = sec;
        }
    }
    rtc_update_irq(s);
}

static void rtc_rearm(MC146818RtcState *s)
{
    uint8_t b = s->cmos[RTC_REG_B];
    int period = periodic_ticks(s);

    if (period && (b & RTC_B_PIE) && divider_running(s)) {
        int64_t next = (floor_div(current_ticks(s), period) + 1) * period;
        timer_mod_ns(s->periodic_timer, tick_to_clock_ns(s, next));
    } else {
        timer_del(s->periodic_timer);
    }

    int64_t next = -1;
    if (time_running(s)) {
        if (b & RTC_B_UIE) {
            next = guest_sec(s) + 1;
        } else if (b & RTC_B_AIE) {
            next = next_alarm_after(s, guest_sec(s));
        }
    }
    if (next >= 0) {
        timer_mod_ns(s->update_timer, sec_to_clock_ns(s, next));
    } else {
        timer_del(s->update_timer);
    }
}

static void rtc_timer_cb(void *opaque)
{
    MC146818RtcState *s = opaque;
    rtc_catch_up(s);
    rtc_rearm(s);
}

/* ---- registers ---- */

static void rtc_write_reg_a(MC146818RtcState *s, uint8_t val)
{
    bool was_div = divider_running(s);

    if (time_running(s)) {
        latch_time(s, guest_sec(s));
    }
    /* UIP is read-only. */
    s->cmos[RTC_REG_A] = val & ~RTC_A_UIP;
    if (!was_div && divider_running(s)) {
        /* Leaving divider reset: the first update comes 500 ms later. */
        set_divider(s, decode_time(s), NS / 2);
    }
}

static void rtc_write_reg_b(MC146818RtcState *s, uint8_t val)
{
    uint8_t old = s->cmos[RTC_REG_B];

    if (val & RTC_B_SET) {
        /* Freeze the registers at the current time. Setting SET also clears
         * UIE (datasheet register B, UIE). */
        if (time_running(s)) {
            latch_time(s, guest_sec(s));
        }
        val &= ~RTC_B_UIE;
    }
    s->cmos[RTC_REG_B] = val;
    if ((old & RTC_B_SET) && !(val & RTC_B_SET) && divider_running(s)) {
        /* The program finished setting the time: run from the new values. */
        set_time_from_regs(s);
    }
}

static void rtc_write_data(MC146818RtcState *s, uint8_t val)
{
    uint8_t idx = s->index;

    /* Account for what happened under the old settings first. */
    rtc_catch_up(s);
    switch (idx) {
    case RTC_SECONDS:
    case RTC_MINUTES:
    case RTC_HOURS:
    case RTC_DAY_OF_WEEK:
    case RTC_DAY_OF_MONTH:
    case RTC_MONTH:
    case RTC_YEAR:
    case RTC_CENTURY:
        if (time_running(s)) {
            /* Writing one field of a running clock keeps the others current. */
            latch_time(s, guest_sec(s));
            s->cmos[idx] = val;
            set_time_from_regs(s);
        } else {
            s->cmos[idx] = val;
        }
        break;
    case RTC_REG_A:
        rtc_write_reg_a(s, val);
        break;
    case RTC_REG_B:
        rtc_write_reg_b(s, val);
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        guest_error(s, "write 0x%02x to read-only register %c ignored", val,
                    'A' + idx - RTC_REG_A);
        break;
    default:
        s->cmos[idx] = val;
        break;
    }
    rtc_update_irq(s);
    rtc_rearm(s);
}

static uint8_t rtc_read_data(MC146818RtcState *s)
{
    uint8_t idx = s->index;
    uint8_t v;

    switch (idx) {
    case RTC_SECONDS:
    case RTC_MINUTES:
    case RTC_HOURS:
    case RTC_DAY_OF_WEEK:
    case RTC_DAY_OF_MONTH:
    case RTC_MONTH:
    case RTC_YEAR:
    case RTC_CENTURY:
        if (time_running(s)) {
            latch_time(s, guest_sec(s));
        }
        return s->cmos[idx];
    case RTC_REG_A:
        v = s->cmos[RTC_REG_A] & ~RTC_A_UIP;
        if (time_running(s) && guest_phase_ns(s) >= NS - UIP_HOLD_NS) {
            v |= RTC_A_UIP;
        }
        return v;
    case RTC_REG_C:
        /* Reading C returns the flags and clears them all, dropping IRQ. */
        rtc_catch_up(s);
        v = s->cmos[RTC_REG_C];
        s->cmos[RTC_REG_C] = 0;
        rtc_update_irq(s);
        return v;
    case RTC_REG_D:
        /* VRT: the battery is always good. */
        return RTC_D_VRT;
    default:
        return s->cmos[idx];
    }
}

static uint64_t rtc_io_read(void *opaque, hwaddr addr, unsigned size)
{
    MC146818RtcState *s = opaque;
    if (!(addr & 1)) {
        /* The index port is write-only on the PC/AT; reads float. */
        return 0xff;
    }
    return rtc_read_data(s);
}

static void rtc_io_write(void *opaque, hwaddr addr, uint64_t data, unsigned size)
{
    MC146818RtcState *s = opaque;
    if (!(addr & 1)) {
        /* Bit 7 of port 0x70 is the PC's NMI mask, not part of the index. */
        s->index = data & 0x7f;
        s->nmi_masked = data & 0x80;
        return;
    }
    rtc_write_data(s, data);
}

static const MemoryRegionOps rtc_io_ops = {
    .read = rtc_io_read,
    .write = rtc_io_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* ---- board interface ---- */

static void rtc_update_checksum(MC146818RtcState *s)
{
    unsigned sum = 0;
    for (int i = 0x10; i <= 0x2d; i++) {
        sum += s->cmos[i];
    }
    s->cmos[RTC_CHECKSUM_HI] = sum >> 8;
    s->cmos[RTC_CHECKSUM_LO] = sum;
}

void rtc_set_memory(ISADevice *dev, int addr, uint8_t val)
{
    MC146818RtcState *s = MC146818_RTC(dev);

    g_assert(addr > RTC_REG_D && addr < RTC_CMOS_SIZE);
    s->cmos[addr] = val;
    if (addr >= 0x10 && addr <= 0x2d) {
        rtc_update_checksum(s);
    }
}

uint8_t rtc_get_memory(ISADevice *dev, int addr)
{
    MC146818RtcState *s = MC146818_RTC(dev);

    g_assert(addr >= 0 && addr < RTC_CMOS_SIZE);
    return s->cmos[addr];
}

/* ---- lifecycle ---- */

/* The guest's time at start-up, from -rtc base=, in ns since the epoch. */
static int64_t rtc_initial_time_ns(void)
{
    int64_t now = clock_get_ns(EMU_CLOCK_HOST);

    switch (rtc_config.base) {
    case RTC_BASE_LOCALTIME: {
        time_t t = now / NS;
        struct tm tm;
        localtime_r(&t, &tm);
        return now + (int64_t)tm.tm_gmtoff * NS;
    }
    case RTC_BASE_DATETIME:
        return rtc_config.base_datetime * NS;
    case RTC_BASE_UTC:
    default:
        return now;
    }
}

static void rtc_realize(DeviceState *dev, Error **errp)
{
    MC146818RtcState *s = MC146818_RTC(dev);

    if (s->iobase < 0 || s->iobase > 0xfffe) {
        error_setg(errp, "mc146818rtc: iobase=0x%x is outside the ISA I/O space",
                   (unsigned)s->iobase);
        return;
    }
    if (s->isairq < 0 || s->isairq >= ISA_NUM_IRQS) {
        error_setg(errp, "mc146818rtc: irq=%d: ISA IRQs are 0..%d", s->isairq,
                   ISA_NUM_IRQS - 1);
        return;
    }
    switch (rtc_config.clock) {
    case RTC_CLOCK_RT:
        s->clock = EMU_CLOCK_REALTIME;
        break;
    case RTC_CLOCK_VM:
        s->clock = EMU_CLOCK_VIRTUAL;
        break;
    case RTC_CLOCK_HOST:
    default:
        s->clock = EMU_CLOCK_HOST;
        break;
    }
    /* Power-on contents as QEMU's: 32.768 kHz divider and 1024 Hz rate, 24-hour
     * BCD, time valid. */
    s->cmos[RTC_REG_A] = 0x26;
    s->cmos[RTC_REG_B] = RTC_B_24H;
    s->cmos[RTC_REG_C] = 0;
    s->cmos[RTC_REG_D] = RTC_D_VRT;
    int64_t start = rtc_initial_time_ns();
    set_divider(s, floor_div(start, NS), floor_mod(start, NS));
    latch_time(s, guest_sec(s));
    rtc_update_checksum(s);

    s->irq = isa_get_irq(ISA_DEVICE(dev), s->isairq);
    s->periodic_timer = timer_new_ns(s->clock, rtc_timer_cb, s);
    s->update_timer = timer_new_ns(s->clock, rtc_timer_cb, s);
    memory_region_init_io(&s->io, OBJECT(dev), &rtc_io_ops, s, "rtc", 2);
    isa_register_ioport(ISA_DEVICE(dev), &s->io, s->iobase);
    rtc_devices = g_slist_append(rtc_devices, s);
}

static void rtc_unrealize(DeviceState *dev)
{
    MC146818RtcState *s = MC146818_RTC(dev);

    memory_region_del_subregion(isa_bus_of(ISA_DEVICE(dev))->address_space_io, &s->io);
    timer_free(s->periodic_timer);
    timer_free(s->update_timer);
    s->periodic_timer = NULL;
    s->update_timer = NULL;
    rtc_devices = g_slist_remove(rtc_devices, s);
}

/*
 * The RESET pin clears PIE, AIE, UIE, SQWE and the flags in C (datasheet
 * "RESET"); time, register A and the CMOS RAM are battery-backed and survive.
 */
static void rtc_reset(DeviceState *dev, ResetType type)
{
    MC146818RtcState *s = MC146818_RTC(dev);

    rtc_catch_up(s);
    s->cmos[RTC_REG_B] &= ~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE | RTC_B_SQWE);
    s->cmos[RTC_REG_C] = 0;
    rtc_update_irq(s);
    rtc_rearm(s);
}

/* ---- migration ---- */

/*
 * Bounds on the time base a stream may carry: about 34,000 years either side
 * of the epoch, and an offset that keeps clock + offset_ns (and the products
 * in tick_to_clock_ns) inside 64 bits while the host clock is below 2^62 ns
 * (until 2116). A stream outside them is refused rather than overflowing.
 */
#define RTC_MIG_MAX_SEC (INT64_C(1) << 40)
#define RTC_MIG_MAX_OFFSET_NS (INT64_C(1) << 62)

static int rtc_pre_save(void *opaque)
{
    MC146818RtcState *s = opaque;

    s->mig_clock = s->clock;
    /* The monotonic host clock means nothing on another host: send the
     * divider chain's position itself (rt-clock subsection). */
    s->mig_rel_ns = s->clock == EMU_CLOCK_REALTIME ? rel_ns(s) : 0;
    return 0;
}

static int rtc_pre_load(void *opaque)
{
    MC146818RtcState *s = opaque;
    s->mig_rel_loaded = false;
    return 0;
}

static bool within(int64_t v, int64_t bound)
{
    return v >= -bound && v <= bound;
}

/*
 * offset_ns came relative to the source's clock. The virtual clock migrates
 * with the VM and the host clock is wall time, so with the same -rtc clock=
 * on both sides it stays as it is and the guest's time carries on. Otherwise
 * (rt, or a different clock= here) rebase the divider chain onto our clock at
 * the position it had on the source.
 */
static bool rtc_rebase_offset(MC146818RtcState *s)
{
    int64_t rel;

    if (s->mig_clock == s->clock && s->clock != EMU_CLOCK_REALTIME) {
        return true;
    }
    if (s->mig_clock == EMU_CLOCK_REALTIME) {
        if (!s->mig_rel_loaded) {
            return false;
        }
        rel = s->mig_rel_ns;
    } else if (__builtin_add_overflow(s->offset_ns, clock_get_ns(s->mig_clock), &rel)) {
        return false;
    }
    return !__builtin_sub_overflow(rel, clock_get_ns(s->clock), &s->offset_ns);
}

static int rtc_post_load(void *opaque, int version_id)
{
    MC146818RtcState *s = opaque;

    /* Port 0x70 keeps 7 bits of index; A's UIP, C's low nibble and D are
     * never stored otherwise. */
    if (s->index >= RTC_CMOS_SIZE || (s->cmos[RTC_REG_A] & RTC_A_UIP) ||
        (s->cmos[RTC_REG_C] & 0x0f) || s->cmos[RTC_REG_D] != RTC_D_VRT) {
        return -1;
    }
    if (s->mig_clock >= EMU_CLOCK__MAX || !within(s->base_sec, RTC_MIG_MAX_SEC) ||
        !within(s->last_update_sec, RTC_MIG_MAX_SEC) ||
        !within(s->last_tick, RTC_MIG_MAX_SEC * TICKS_PER_SEC) ||
        !within(s->offset_ns, RTC_MIG_MAX_OFFSET_NS) ||
        (s->mig_rel_loaded && !within(s->mig_rel_ns, RTC_MIG_MAX_OFFSET_NS))) {
        return -1;
    }
    if (!rtc_rebase_offset(s) || !within(s->offset_ns, RTC_MIG_MAX_OFFSET_NS)) {
        return -1;
    }
    /* The pin follows IRQF; the timers follow B and the time base. */
    rtc_update_irq(s);
    rtc_rearm(s);
    return 0;
}

static bool rtc_rt_clock_needed(void *opaque)
{
    return ((MC146818RtcState *)opaque)->clock == EMU_CLOCK_REALTIME;
}

static int rtc_rt_clock_post_load(void *opaque, int version_id)
{
    ((MC146818RtcState *)opaque)->mig_rel_loaded = true;
    return 0;
}

static const VMStateDescription vmstate_rtc_rt_clock = {
    .name = "mc146818rtc/rt-clock",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = rtc_rt_clock_needed,
    .post_load = rtc_rt_clock_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_INT64(mig_rel_ns, MC146818RtcState),
        VMSTATE_END_OF_LIST()
    },
};

/*
 * The 128 bytes (clock registers as last latched, A-D, CMOS RAM), the index
 * and NMI mask of port 0x70, and the time base with the marks up to which
 * PF/UF/AF were accounted. The periodic and update timers are not sent: they
 * are a function of A, B and the time base, and rtc_rearm rebuilds them on the
 * destination's clock (their absolute expiry would be wrong for clock=rt).
 */
static const VMStateDescription vmstate_rtc = {
    .name = "mc146818rtc",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_save = rtc_pre_save,
    .pre_load = rtc_pre_load,
    .post_load = rtc_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(cmos, MC146818RtcState, RTC_CMOS_SIZE),
        VMSTATE_UINT8(index, MC146818RtcState),
        VMSTATE_BOOL(nmi_masked, MC146818RtcState),
        VMSTATE_INT64(base_sec, MC146818RtcState),
        VMSTATE_INT64(offset_ns, MC146818RtcState),
        VMSTATE_INT64(last_update_sec, MC146818RtcState),
        VMSTATE_INT64(last_tick, MC146818RtcState),
        VMSTATE_UINT8(mig_clock, MC146818RtcState),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription *const[]) { &vmstate_rtc_rt_clock, NULL },
};

static const char *const clock_names[EMU_CLOCK__MAX] = {
    [EMU_CLOCK_REALTIME] = "rt", [EMU_CLOCK_VIRTUAL] = "vm", [EMU_CLOCK_HOST] = "host",
};

static void info_rtc(GString *out)
{
    if (!rtc_devices) {
        g_string_append(out, "no RTC\n");
    }
    for (GSList *l = rtc_devices; l; l = l->next) {
        MC146818RtcState *s = l->data;
        int64_t sec = time_running(s) ? guest_sec(s) : decode_time(s);
        time_t t = sec;
        struct tm tm;
        char buf[64] = "?";
        if (gmtime_r(&t, &tm)) {
            strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
        }
        g_string_append_printf(out, "mc146818rtc at 0x%x, irq %d, clock=%s: %s%s\n",
                               (unsigned)s->iobase, s->isairq, clock_names[s->clock], buf,
                               time_running(s) ? "" : " (stopped)");
        g_string_append_printf(out, "  A=%02x B=%02x C=%02x D=%02x index=%02x%s\n",
                               s->cmos[RTC_REG_A], s->cmos[RTC_REG_B], s->cmos[RTC_REG_C],
                               RTC_D_VRT, s->index, s->nmi_masked ? " (NMI masked)" : "");
        g_string_append_printf(out, "  irqs raised %" PRIu64 ", ignored accesses %" PRIu64
                               "\n", s->irqs_raised, DEVICE(s)->ignored_accesses);
    }
}

static const Property rtc_props[] = {
    DEFINE_PROP_INT32("iobase", MC146818RtcState, iobase, RTC_ISA_BASE),
    DEFINE_PROP_INT32("irq", MC146818RtcState, isairq, RTC_ISA_IRQ),
    DEFINE_PROP_END_OF_LIST(),
};

static void rtc_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "MC146818 RTC and CMOS RAM";
    dc->category = DEVICE_CATEGORY_MISC;
    /* The board creates the one RTC and fills its CMOS. */
    dc->user_creatable = false;
    dc->realize = rtc_realize;
    dc->unrealize = rtc_unrealize;
    dc->reset = rtc_reset;
    dc->vmsd = &vmstate_rtc;
    device_class_set_props(dc, rtc_props);
}

static const TypeInfo rtc_types[] = {
    {
        .name = TYPE_MC146818_RTC,
        .parent = TYPE_ISA_DEVICE,
        .instance_size = sizeof(MC146818RtcState),
        .class_init = rtc_class_init,
    },
};
DEFINE_TYPES(rtc_types)

static void __attribute__((constructor)) rtc_register_info(void)
{
    monitor_register_info("rtc", "show the MC146818 RTC (guest time, registers)", info_rtc);
}
