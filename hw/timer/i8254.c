/*
 * Intel 8254 PIT. Reference: Intel 8254 datasheet (order 231164): control word
 * format, counter latch and read-back commands, read/write sequences, modes
 * 0-5 and the effect of GATE on each.
 *
 * Counting is computed from the virtual clock rather than ticked: tick d of a
 * counter happens d / 1.193182 MHz after its count was loaded, and a host
 * timer is armed only for the next change of an output somebody listens to
 * (channel 0 -> IRQ 0, channel 2 -> port 0x61). The count register is loaded
 * into the counting element at once when written (the real chip waits for
 * the next CLK edge, 0.84 us later).
 */
#include "hw/timer/i8254.h"
#include "util/host-utils.h"
#include "monitor/monitor.h"
#include "util/log.h"

#define RW_LATCH 0
#define RW_LSB 1
#define RW_MSB 2
#define RW_WORD 3

/*
 * Modes 2 and 3 repeat: with a period shorter than this, their host timer is
 * re-armed no faster than this and the edges in between are coalesced into
 * one, so a guest programming a count of 2 cannot stall the main loop.
 */
#define PIT_MIN_REARM_NS 10000

static uint64_t ticks_to_ns(uint64_t ticks)
{
    /* Rounded up: the first ns at which the tick has happened. */
    return muldiv64_round_up(ticks, NANOSECONDS_PER_SECOND, PIT_FREQ);
}

static uint64_t pit_ticks(PITChannel *ch, int64_t now)
{
    if (!ch->armed) {
        return 0;
    }
    if (!ch->running) {
        return ch->frozen_ticks;
    }
    if (now <= ch->load_time) {
        return 0;
    }
    return muldiv64(now - ch->load_time, PIT_FREQ, NANOSECONDS_PER_SECOND);
}

/* OUT after @d ticks (datasheet "Mode definitions"). */
static bool pit_out_at(PITChannel *ch, uint64_t d)
{
    uint64_t n = ch->count;

    switch (ch->mode) {
    case 0:                 /* low from the control word until terminal count */
        return ch->armed && d >= n;
    case 1:                 /* low from the trigger until terminal count */
    case 5:
        if (ch->mode == 1) {
            return !ch->armed || d >= n;
        }
        return !ch->armed || d != n;
    case 2:                 /* low for the one tick where the count is 1 */
        if (!ch->armed || !ch->running || n < 2) {
            return true;
        }
        return d % n != n - 1;
    case 3:                 /* high for ceil(N/2), low for floor(N/2) */
        if (!ch->armed || !ch->running) {
            return true;
        }
        return d % n < (n + 1) / 2;
    case 4:                 /* low for one tick at terminal count */
    default:
        return !ch->armed || d != n;
    }
}

/* Rising edges of OUT in ticks (a, b]. */
static uint64_t pit_rising_edges(PITChannel *ch, uint64_t a, uint64_t b)
{
    uint64_t n = ch->count, at;

    if (!ch->armed || b <= a) {
        return 0;
    }
    switch (ch->mode) {
    case 0:
    case 1:
        at = n;
        break;
    case 4:
    case 5:
        at = n + 1;
        break;
    default:                /* 2, 3: at every multiple of N */
        return n < 2 ? 0 : b / n - a / n;
    }
    return a < at && at <= b;
}

/* The tick of the next change of OUT after tick @d, or UINT64_MAX. */
static uint64_t pit_next_change(PITChannel *ch, uint64_t d)
{
    uint64_t n = ch->count, r;

    if (!ch->armed || !ch->running) {
        return UINT64_MAX;
    }
    switch (ch->mode) {
    case 0:
    case 1:
        return d < n ? n : UINT64_MAX;
    case 2:
        if (n < 2) {
            return UINT64_MAX;
        }
        r = d % n;
        return r < n - 1 ? d + (n - 1 - r) : d + 1;
    case 3:
        if (n < 2) {
            return UINT64_MAX;
        }
        r = d % n;
        return r < (n + 1) / 2 ? d + ((n + 1) / 2 - r) : d + (n - r);
    default:                /* 4, 5 */
        return d < n ? n : d == n ? n + 1 : UINT64_MAX;
    }
}

static uint16_t to_bcd(uint32_t v)
{
    return (v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10;
}

static uint32_t from_bcd(uint16_t v)
{
    return ((v >> 12) & 0xf) * 1000 + ((v >> 8) & 0xf) * 100 + ((v >> 4) & 0xf) * 10 +
           (v & 0xf);
}

/* The counting element after @d ticks, as the guest reads it (BCD if asked). */
static uint16_t pit_value_at(PITChannel *ch, uint64_t d)
{
    uint64_t m = ch->bcd ? 10000 : 0x10000, n = ch->count, v;

    switch (ch->mode) {
    case 2:
        v = n - d % n;
        break;
    case 3:
        /* Decrements by two each tick, reloading at each half period. */
        v = n - (2 * d) % n;
        break;
    default:
        v = (n + m - d % m) % m;
        break;
    }
    v %= m;
    return ch->bcd ? to_bcd(v) : v;
}

/*
 * Lost-tick reinjection (lost_tick_policy=delay, see hw/intc/irq-ack.h):
 * periods of channel 0 that reached the guest as no interrupt of their own
 * are sent again one per acknowledge of IRQ 0. The debt is bounded by one
 * second of periods (at most PIT_BACKLOG_MAX) and dropped when the guest
 * reprograms channel 0, the HPET takes IRQ 0, or the machine resets.
 */
#define PIT_BACKLOG_MAX 1000

static uint32_t pit_backlog_limit(PITChannel *ch)
{
    uint64_t per_second = PIT_FREQ / MAX(ch->count, 1u);
    return MIN(MAX(per_second, 1), PIT_BACKLOG_MAX);
}

/* Send one owed period of channel 0 as a new rising edge of IRQ 0. */
static bool pit_reinject_pulse(void *opaque)
{
    PITState *s = opaque;
    PITChannel *ch = &s->ch[0];

    if (!s->irq_enabled) {
        return false;
    }
    s->irq0_edges++;
    /* A rising edge, leaving the line at OUT's level. */
    if (ch->out) {
        qemu_set_irq(ch->irq, 0);
        qemu_set_irq(ch->irq, 1);
    } else {
        qemu_set_irq(ch->irq, 1);
        qemu_set_irq(ch->irq, 0);
    }
    return true;
}

static bool pit_output_listened(PITChannel *ch)
{
    return (ch->index == 0 && ch->pit->irq_enabled) || ch->index == 2;
}

static void pit_drive(PITChannel *ch, bool level)
{
    if (ch->index == 0 && !ch->pit->irq_enabled) {
        return;
    }
    if (ch->index == 0 && level) {
        ch->pit->irq0_edges++;
    }
    qemu_set_irq(ch->irq, level);
}

/* Bring OUT up to date (pulsing it for edges that fell between two updates)
 * and arm the host timer for its next change. */
static void pit_update(PITChannel *ch)
{
    int64_t now = clock_get_ns(EMU_CLOCK_VIRTUAL);
    uint64_t d = pit_ticks(ch, now);
    bool out = pit_out_at(ch, d);
    uint64_t edges = d >= ch->last_ticks ? pit_rising_edges(ch, ch->last_ticks, d) : 0;

    bool driven = false;
    if (edges && out == ch->out) {
        /* A whole cycle passed unseen: show the guest one edge of it. */
        pit_drive(ch, !out);
        pit_drive(ch, out);
        driven = true;
    } else if (out != ch->out) {
        pit_drive(ch, out);
        driven = out;
    }
    if (ch->index == 0 && edges && ch->pit->irq_enabled) {
        tick_reinject_count(&ch->pit->reinject, edges, driven, pit_backlog_limit(ch));
    }
    ch->out = out;
    ch->last_ticks = d;

    uint64_t next = pit_next_change(ch, d);
    if (next == UINT64_MAX || !pit_output_listened(ch)) {
        timer_del(ch->timer);
        return;
    }
    int64_t when = ch->load_time + (int64_t)ticks_to_ns(next);
    if ((ch->mode == 2 || ch->mode == 3) && ticks_to_ns(ch->count) < PIT_MIN_REARM_NS) {
        when = MAX(when, now + PIT_MIN_REARM_NS);
    }
    timer_mod_ns(ch->timer, when);
}

static void pit_timer_cb(void *opaque)
{
    pit_update(opaque);
}

/* Start counting from tick 0 now. */
static void pit_start(PITChannel *ch, int64_t now)
{
    ch->armed = true;
    ch->load_time = now;
    ch->frozen_ticks = 0;
    ch->last_ticks = 0;
}

static void pit_load_count(PITChannel *ch, uint16_t val)
{
    int64_t now = clock_get_ns(EMU_CLOCK_VIRTUAL);

    if (ch->bcd) {
        ch->count = val ? from_bcd(val) : 10000;
        if (!ch->count) {
            ch->count = 10000;
        }
    } else {
        ch->count = val ? val : 0x10000;
    }
    if (ch->index == 0) {
        tick_reinject_reset(&ch->pit->reinject);
    }
    ch->null_count = true;
    ch->has_count = true;
    switch (ch->mode) {
    case 0:
    case 4:
        /* A new count restarts counting; GATE low holds it at tick 0. */
        pit_start(ch, now);
        ch->running = ch->gate;
        break;
    case 1:
    case 5:
        /* Loaded into the counting element by the next trigger. */
        break;
    default:
        /* 2, 3: the datasheet loads a new count at the end of the current
         * period; it is loaded at once here. */
        pit_start(ch, now);
        ch->running = ch->gate;
        break;
    }
    pit_update(ch);
}

static void pit_set_gate(PITChannel *ch, bool level)
{
    int64_t now = clock_get_ns(EMU_CLOCK_VIRTUAL);
    bool rising = level && !ch->gate;

    switch (ch->mode) {
    case 0:
    case 4:
        /* GATE low suspends counting; high resumes it. */
        if (ch->armed && !level && ch->running) {
            ch->frozen_ticks = pit_ticks(ch, now);
            ch->running = false;
        } else if (ch->armed && level && !ch->running) {
            ch->load_time = now - (int64_t)ticks_to_ns(ch->frozen_ticks);
            ch->running = true;
        }
        break;
    case 1:
    case 5:
        /* A rising edge (re)triggers; the level does not matter. */
        if (rising && ch->has_count) {
            pit_start(ch, now);
            ch->running = true;
            ch->null_count = false;
        }
        break;
    default:
        /* 2, 3: GATE low stops counting and forces OUT high; a rising edge
         * reloads the count. */
        if (!level && ch->armed && ch->running) {
            ch->frozen_ticks = pit_ticks(ch, now);
            ch->running = false;
        } else if (rising && ch->has_count) {
            pit_start(ch, now);
            ch->running = true;
        }
        break;
    }
    ch->gate = level;
    pit_update(ch);
}

static void pit_gate2_in(void *opaque, int n, int level)
{
    PITState *s = opaque;
    pit_set_gate(&s->ch[2], level);
}

static void pit_irq_enable_in(void *opaque, int n, int level)
{
    PITState *s = opaque;
    PITChannel *ch = &s->ch[0];

    tick_reinject_reset(&s->reinject);
    if (!level && s->irq_enabled) {
        if (ch->out) {
            qemu_set_irq(ch->irq, 0);
        }
        s->irq_enabled = false;
        timer_del(ch->timer);
    } else if (level && !s->irq_enabled) {
        s->irq_enabled = true;
        ch->last_ticks = pit_ticks(ch, clock_get_ns(EMU_CLOCK_VIRTUAL));
        qemu_set_irq(ch->irq, ch->out);
        pit_update(ch);
    }
}

static void pit_latch_count(PITChannel *ch)
{
    if (!ch->count_latched) {
        /* A second latch before the first is read is ignored. */
        ch->latch = pit_value_at(ch, pit_ticks(ch, clock_get_ns(EMU_CLOCK_VIRTUAL)));
        ch->count_latched = true;
    }
}

static void pit_latch_status(PITChannel *ch)
{
    if (ch->status_latched) {
        return;
    }
    uint64_t d = pit_ticks(ch, clock_get_ns(EMU_CLOCK_VIRTUAL));
    /* The count reaches the counting element one CLK after it is written. */
    if (ch->null_count && ch->armed && ch->running && d >= 1) {
        ch->null_count = false;
    }
    ch->status = (pit_out_at(ch, d) ? 0x80 : 0) | (ch->null_count ? 0x40 : 0) |
                 ch->rw_mode << 4 | ch->mode << 1 | ch->bcd;
    ch->status_latched = true;
}

static void pit_control(PITState *s, uint8_t val)
{
    int sc = val >> 6, rw = (val >> 4) & 3;

    if (sc == 3) {
        /* Read-back: bit 5 = 0 latches counts, bit 4 = 0 latches status, of the
         * counters selected by bits 1-3. */
        for (int i = 0; i < 3; i++) {
            if (val & (2 << i)) {
                if (!(val & 0x20)) {
                    pit_latch_count(&s->ch[i]);
                }
                if (!(val & 0x10)) {
                    pit_latch_status(&s->ch[i]);
                }
            }
        }
        return;
    }
    PITChannel *ch = &s->ch[sc];
    if (rw == RW_LATCH) {
        pit_latch_count(ch);
        return;
    }
    ch->mode = (val >> 1) & 7;
    if (ch->mode > 5) {
        ch->mode -= 4;      /* x10 and x11 are modes 2 and 3 */
    }
    ch->bcd = val & 1;
    ch->rw_mode = rw;
    ch->read_msb = ch->write_msb = false;
    ch->count_latched = ch->status_latched = false;
    ch->null_count = true;
    ch->has_count = false;
    ch->armed = ch->running = false;
    ch->frozen_ticks = ch->last_ticks = 0;
    if (ch->index == 0) {
        tick_reinject_reset(&s->reinject);
    }
    /* OUT goes to its initial state: low in mode 0, high otherwise. */
    pit_update(ch);
}

static void pit_write_count(PITChannel *ch, uint8_t val)
{
    switch (ch->rw_mode) {
    case RW_LSB:
        pit_load_count(ch, val);
        break;
    case RW_MSB:
        pit_load_count(ch, val << 8);
        break;
    default:
        if (!ch->write_msb) {
            ch->write_lsb = val;
            ch->write_msb = true;
            if (ch->mode == 0) {
                /* Mode 0: writing the first byte stops the count (and OUT
                 * stays low) until the second arrives. */
                ch->frozen_ticks = pit_ticks(ch, clock_get_ns(EMU_CLOCK_VIRTUAL));
                ch->armed = ch->running = false;
                pit_update(ch);
            }
        } else {
            ch->write_msb = false;
            pit_load_count(ch, ch->write_lsb | val << 8);
        }
        break;
    }
}

static uint8_t pit_read_count(PITChannel *ch)
{
    uint16_t v;
    bool latched = ch->count_latched;

    if (ch->status_latched) {
        ch->status_latched = false;
        return ch->status;
    }
    v = latched ? ch->latch
                : pit_value_at(ch, pit_ticks(ch, clock_get_ns(EMU_CLOCK_VIRTUAL)));
    switch (ch->rw_mode) {
    case RW_LSB:
        ch->count_latched = false;
        return v & 0xff;
    case RW_MSB:
        ch->count_latched = false;
        return v >> 8;
    default:
        if (!ch->read_msb) {
            ch->read_msb = true;
            return v & 0xff;
        }
        ch->read_msb = false;
        ch->count_latched = false;
        return v >> 8;
    }
}

static uint64_t pit_io_read(void *opaque, hwaddr addr, unsigned size)
{
    PITState *s = opaque;

    if (addr == 3) {
        /* The control word register cannot be read (the bus floats). */
        DEVICE(s)->ignored_accesses++;
        return 0xff;
    }
    return pit_read_count(&s->ch[addr]);
}

static void pit_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PITState *s = opaque;

    if (addr == 3) {
        pit_control(s, val);
    } else {
        pit_write_count(&s->ch[addr], val);
    }
}

static const MemoryRegionOps pit_ops = {
    .read = pit_io_read,
    .write = pit_io_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

/*
 * At power-up the 8254's state is undefined (datasheet); firmware or the OS
 * programs every counter it uses. Here each counter starts as if just given a
 * mode 0 control word with no count: idle, OUT low, no host timer.
 */
static void pit_reset(DeviceState *dev, ResetType type)
{
    PITState *s = I8254(dev);

    tick_reinject_machine_reset(&s->reinject);
    for (int i = 0; i < 3; i++) {
        PITChannel *ch = &s->ch[i];
        timer_del(ch->timer);
        ch->mode = 0;
        ch->rw_mode = RW_WORD;
        ch->bcd = false;
        ch->count = 0x10000;
        ch->read_msb = ch->write_msb = false;
        ch->count_latched = ch->status_latched = false;
        ch->null_count = true;
        ch->has_count = false;
        ch->armed = ch->running = false;
        ch->frozen_ticks = ch->last_ticks = 0;
        /* Channels 0 and 1 have GATE tied high on the PC; port 0x61 drives 2. */
        ch->gate = i != 2;
        if (ch->out) {
            ch->out = false;
            pit_drive(ch, false);
        }
    }
}

static void pit_init(Object *obj)
{
    PITState *s = I8254(obj);
    DeviceState *dev = DEVICE(obj);

    s->irq_enabled = true;
    for (int i = 0; i < 3; i++) {
        s->ch[i].pit = s;
        s->ch[i].index = i;
        s->ch[i].timer = timer_new_ns(EMU_CLOCK_VIRTUAL, pit_timer_cb, &s->ch[i]);
    }
    qdev_init_gpio_out(dev, &s->ch[0].irq, 1);
    qdev_init_gpio_out_named(dev, &s->ch[2].irq, PIT_OUT2_LINE, 1);
    qdev_init_gpio_in_named(dev, pit_gate2_in, PIT_GATE2_LINE, 1);
    qdev_init_gpio_in_named(dev, pit_irq_enable_in, PIT_IRQ_ENABLE_LINE, 1);
    memory_region_init_io(&s->io, obj, &pit_ops, s, "pit", 4);
}

static void pit_realize(DeviceState *dev, Error **errp)
{
    PITState *s = I8254(dev);

    isa_register_ioport(ISA_DEVICE(dev), &s->io, PIT_IOBASE);
    s->reinject.enabled = s->lost_tick_policy == PIT_LOST_TICK_DELAY;
    tick_reinject_init(&s->reinject, pit_reinject_pulse, s);
}

static void pit_unrealize(DeviceState *dev)
{
    tick_reinject_fini(&I8254(dev)->reinject);
}

static void pit_finalize(Object *obj)
{
    PITState *s = I8254(obj);
    for (int i = 0; i < 3; i++) {
        timer_free(s->ch[i].timer);
    }
    memory_region_finalize(&s->io);
}

void pit_print_info(DeviceState *dev, GString *out)
{
    PITState *s = I8254(dev);
    int64_t now = clock_get_ns(EMU_CLOCK_VIRTUAL);

    for (int i = 0; i < 3; i++) {
        PITChannel *ch = &s->ch[i];
        uint64_t d = pit_ticks(ch, now);
        g_string_append_printf(out, "pit channel %d: mode %d%s, count %u, value 0x%04x, "
                               "gate %d, out %d%s%s\n", i, ch->mode, ch->bcd ? " BCD" : "",
                               ch->count, pit_value_at(ch, d), ch->gate, pit_out_at(ch, d),
                               ch->armed ? (ch->running ? ", counting" : ", suspended")
                                         : ", idle",
                               i == 0 && !s->irq_enabled ? ", IRQ 0 owned by the HPET" : "");
    }
    g_string_append_printf(out, "pit: %" PRIu64 " IRQ 0 edges, %" PRIu64 " ignored accesses\n",
                           s->irq0_edges, dev->ignored_accesses);
    g_string_append_printf(out, "pit: lost_tick_policy %s, %u periods owed, %" PRIu64
                           " reinjected, %" PRIu64 " dropped\n",
                           s->reinject.enabled ? "delay" : "discard",
                           s->reinject.backlog, s->reinject.reinjected, s->reinject.dropped);
}

static void info_pit(GString *out)
{
    Object *obj = object_resolve_path_type("/machine/i8254", TYPE_I8254, NULL);
    if (!obj) {
        g_string_append(out, "no emulated PIT (KVM's in-kernel PIT, or pit=off)\n");
        return;
    }
    pit_print_info(DEVICE(obj), out);
}

static void __attribute__((constructor)) pit_register_info(void)
{
    monitor_register_info("pit", "show the 8254 PIT channels", info_pit);
}

static const char *const pit_lost_tick_policy_names[] = { "discard", "delay", NULL };

static const Property pit_props[] = {
    DEFINE_PROP_ENUM("lost_tick_policy", PITState, lost_tick_policy, PIT_LOST_TICK_DELAY,
                     pit_lost_tick_policy_names),
    DEFINE_PROP_END_OF_LIST(),
};

static void pit_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "Intel 8254 PIT (ports 0x40-0x43, IRQ 0)";
    dc->category = DEVICE_CATEGORY_MISC;
    dc->user_creatable = false;
    dc->realize = pit_realize;
    dc->unrealize = pit_unrealize;
    dc->reset = pit_reset;
    device_class_set_props(dc, pit_props);
}

static const TypeInfo pit_types[] = {
    {
        .name = TYPE_I8254,
        .parent = TYPE_ISA_DEVICE,
        .instance_size = sizeof(PITState),
        .instance_init = pit_init,
        .instance_finalize = pit_finalize,
        .class_init = pit_class_init,
    },
};
DEFINE_TYPES(pit_types)
