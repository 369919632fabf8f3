/*
 * HPET. Reference: IA-PC HPET (High Precision Event Timers) Specification
 * 1.0a (Intel, 2004): §2.3 register map, §2.3.9 timer modes, §2.4 legacy
 * replacement routing; Linux arch/x86/kernel/hpet.c for how an OS drives it.
 *
 * The main counter is computed from the virtual clock (100 MHz: one tick per
 * 10 ns); a host timer is armed only for the next comparator match of each
 * timer. A comparator matches when the counter equals it, as on hardware: one
 * set in the past fires only after the counter wraps (2^32 ticks in 32-bit
 * mode, never in 64-bit mode).
 */
#include "hw/timer/hpet.h"
#include "hw/acpi/acpi-build.h"
#include "monitor/monitor.h"
#include "util/log.h"

#define HPET_REV_ID 0x01
#define HPET_VENDOR_ID 0x8086
#define HPET_CAP_COUNT_SIZE (1u << 13)      /* 64-bit main counter */
#define HPET_CAP_LEG_RT (1u << 15)
#define HPET_NS_PER_TICK (HPET_CLK_PERIOD_FS / 1000000)
#define HPET_MIN_TICK 128                   /* ACPI table: as ICH chipsets report */
/* Periodic timers with a shorter period are re-armed no faster than this; the
 * comparator catches up over the ticks in between, so the guest sees
 * coalesced interrupts. */
#define HPET_MIN_REARM_NS 10000
#define RTC_ISA_IRQ 8

static bool hpet_enabled(HPETState *s)
{
    return s->config & HPET_CFG_ENABLE;
}

static bool hpet_legacy(HPETState *s)
{
    return s->config & HPET_CFG_LEGACY;
}

static uint64_t hpet_get_counter(HPETState *s)
{
    if (!hpet_enabled(s)) {
        return s->counter;
    }
    int64_t now = clock_get_ns(EMU_CLOCK_VIRTUAL);
    return s->counter + (uint64_t)(now - s->counter_base_ns) / HPET_NS_PER_TICK;
}

/* The GSI a timer's interrupt goes to, or -1 (spec §2.3.8, §2.4). */
static int hpet_route(HPETTimer *t)
{
    if (hpet_legacy(t->hpet) && t->index < 2) {
        return t->index == 0 ? 0 : RTC_ISA_IRQ;
    }
    int route = (t->config & HPET_TN_ROUTE) >> HPET_TN_ROUTE_SHIFT;
    return route < HPET_NUM_IRQS ? route : -1;
}

/* Recompute every output line; then, if @pulse_timer >= 0, show an edge of
 * that (edge-triggered) timer on its line. */
static void hpet_update_lines(HPETState *s, int pulse_timer)
{
    bool level[HPET_NUM_IRQS] = { false };

    if (!hpet_legacy(s)) {
        /* The 8254's and the RTC's interrupts pass through unless the HPET
         * replaces them (§2.4). */
        level[0] = s->legacy_in[0];
        level[RTC_ISA_IRQ] = s->legacy_in[1];
    }
    if (hpet_enabled(s)) {
        for (int i = 0; i < HPET_NUM_TIMERS; i++) {
            HPETTimer *t = &s->timer[i];
            int r = hpet_route(t);
            if (r >= 0 && (t->config & HPET_TN_ENABLE) && !(t->config & HPET_TN_FSB_ENABLE) &&
                (t->config & HPET_TN_LEVEL) && (s->isr & (1ull << i))) {
                level[r] = true;
            }
        }
    }
    for (int i = 0; i < HPET_NUM_IRQS; i++) {
        if (level[i] != s->out_level[i]) {
            s->out_level[i] = level[i];
            qemu_set_irq(s->irqs[i], level[i]);
        }
    }
    if (pulse_timer >= 0) {
        int r = hpet_route(&s->timer[pulse_timer]);
        /* On a line already held high by someone else the edge is lost. */
        if (r >= 0 && !s->out_level[r]) {
            qemu_set_irq(s->irqs[r], 1);
            qemu_set_irq(s->irqs[r], 0);
        }
    }
}

/* A comparator match (or the 32-bit one-shot wrap): interrupt per the timer's
 * configuration. Level mode sets the status bit even with interrupts disabled
 * (§2.3.6). */
static void hpet_timer_event(HPETTimer *t)
{
    HPETState *s = t->hpet;
    bool enabled = t->config & HPET_TN_ENABLE;

    t->fired++;
    if (t->config & HPET_TN_FSB_ENABLE) {
        if (enabled) {
            /* FSB delivery: a 32-bit write of the value to the address (an MSI). */
            address_space_stl_le(&address_space_memory, t->fsb >> 32, (uint32_t)t->fsb, NULL);
        }
        return;
    }
    if (t->config & HPET_TN_LEVEL) {
        s->isr |= 1ull << t->index;
        hpet_update_lines(s, -1);
    } else if (enabled) {
        hpet_update_lines(s, t->index);
    }
}

/*
 * Lost-tick reinjection for timer 0 in legacy replacement mode, where it is
 * the system timer on IRQ 0 in the 8254's place: the periods a periodic timer
 * 0 skips (a late host timer) or fires while IRQ 0 is not yet acknowledged
 * are sent again one per acknowledge (hw/intc/irq-ack.h). At most one second
 * of periods (and 1000) is owed; writing timer 0's configuration or
 * comparator, the general configuration or a reset drops the debt.
 */
#define HPET_BACKLOG_MAX 1000

static bool hpet_timer0_is_irq0(HPETState *s)
{
    uint64_t c = s->timer[0].config;
    return hpet_enabled(s) && hpet_legacy(s) && (c & HPET_TN_ENABLE) &&
           !(c & (HPET_TN_LEVEL | HPET_TN_FSB_ENABLE));
}

static bool hpet_reinject_pulse(void *opaque)
{
    HPETState *s = opaque;

    if (!hpet_timer0_is_irq0(s)) {
        return false;
    }
    s->timer[0].fired++;
    hpet_update_lines(s, 0);
    return true;
}

/* Timer 0 matched @matches times since its last event. */
static void hpet_count_ticks(HPETTimer *t, uint64_t matches)
{
    HPETState *s = t->hpet;
    uint64_t per_second;

    if (t->index != 0 || !hpet_timer0_is_irq0(s) || !t->period) {
        return;
    }
    per_second = NANOSECONDS_PER_SECOND / (t->period * HPET_NS_PER_TICK);
    tick_reinject_count(&s->reinject, matches, true,
                        MIN(MAX(per_second, 1), HPET_BACKLOG_MAX));
}

/* Arm the host timer for the next event of @t. */
static void hpet_arm(HPETTimer *t)
{
    HPETState *s = t->hpet;
    uint64_t c, delta;

    t->wrap_pending = false;
    if (!hpet_enabled(s)) {
        timer_del(t->timer);
        return;
    }
    c = hpet_get_counter(s);
    if (t->config & HPET_TN_32BIT) {
        delta = (uint32_t)((uint32_t)t->cmp - (uint32_t)c);
        if (!delta) {
            delta = 0x100000000ull;     /* matching now: next time round */
        }
        if (!(t->config & HPET_TN_PERIODIC)) {
            /* §2.3.9.2.1: a 32-bit one-shot timer also interrupts when the
             * counter's low 32 bits wrap. */
            uint64_t wrap = 0x100000000ull - (uint32_t)c;
            if (wrap < delta) {
                delta = wrap;
                t->wrap_pending = true;
            }
        }
    } else {
        if (t->cmp < c || t->cmp - c > (uint64_t)INT64_MAX / (4 * HPET_NS_PER_TICK)) {
            timer_del(t->timer);    /* behind the counter, or centuries away */
            return;
        }
        delta = t->cmp - c;
    }
    int64_t when = s->counter_base_ns + (int64_t)((c + delta - s->counter) * HPET_NS_PER_TICK);
    if ((t->config & HPET_TN_PERIODIC) && t->period * HPET_NS_PER_TICK < HPET_MIN_REARM_NS) {
        when = MAX(when, clock_get_ns(EMU_CLOCK_VIRTUAL) + HPET_MIN_REARM_NS);
    }
    timer_mod_ns(t->timer, when);
}

static void hpet_timer_cb(void *opaque)
{
    HPETTimer *t = opaque;
    HPETState *s = t->hpet;
    uint64_t c = hpet_get_counter(s);

    if (!hpet_enabled(s)) {
        return;
    }
    if (t->wrap_pending) {
        hpet_timer_event(t);
        hpet_arm(t);
        return;
    }
    if ((t->config & HPET_TN_PERIODIC) && t->period) {
        /* The comparator accumulates the period, past every match that
         * happened since the last one (§2.3.9.2.2). */
        uint64_t matches = 1;
        if (t->config & HPET_TN_32BIT) {
            uint32_t behind = (uint32_t)c - (uint32_t)t->cmp;
            if ((int32_t)behind >= 0) {
                matches = (uint64_t)behind / t->period + 1;
                t->cmp = (uint32_t)(t->cmp + matches * t->period);
            }
        } else if (c >= t->cmp) {
            matches = (c - t->cmp) / t->period + 1;
            t->cmp += matches * t->period;
        }
        hpet_timer_event(t);
        hpet_count_ticks(t, matches);
        hpet_arm(t);
        return;
    }
    hpet_timer_event(t);
    if (t->config & HPET_TN_32BIT) {
        hpet_arm(t);                /* matches again after the next wrap */
    }
}

static void hpet_arm_all(HPETState *s)
{
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        hpet_arm(&s->timer[i]);
    }
}

static void hpet_set_config(HPETState *s, uint64_t val)
{
    uint64_t old = s->config, cur = hpet_get_counter(s);

    s->config = val & (HPET_CFG_ENABLE | HPET_CFG_LEGACY);
    if (old != s->config) {
        tick_reinject_reset(&s->reinject);
    }
    if (!(old & HPET_CFG_ENABLE) && hpet_enabled(s)) {
        s->counter_base_ns = clock_get_ns(EMU_CLOCK_VIRTUAL);
        hpet_arm_all(s);
    } else if ((old & HPET_CFG_ENABLE) && !hpet_enabled(s)) {
        /* Halt: the counter keeps its value, timers stop (§2.3.5). */
        s->counter = cur;
        hpet_arm_all(s);
    }
    if ((old ^ s->config) & HPET_CFG_LEGACY) {
        /* The PIT stops driving IRQ 0 while the HPET replaces it. */
        qemu_set_irq(s->pit_enable, !hpet_legacy(s));
    }
    hpet_update_lines(s, -1);
}

static void hpet_set_counter(HPETState *s, uint64_t val)
{
    if (hpet_enabled(s)) {
        /* §2.3.7: software should halt the counter first; the write still
         * takes effect. */
        emu_log_mask(LOG_GUEST_ERROR, "hpet: main counter written while running\n");
        s->counter_base_ns = clock_get_ns(EMU_CLOCK_VIRTUAL);
    }
    s->counter = val;
    hpet_arm_all(s);
}

static void hpet_set_timer_config(HPETTimer *t, uint64_t val)
{
    HPETState *s = t->hpet;
    uint64_t writable = HPET_TN_LEVEL | HPET_TN_ENABLE | HPET_TN_SETVAL | HPET_TN_ROUTE;
    uint64_t old = t->config;

    if (old & HPET_TN_PERIODIC_CAP) {
        writable |= HPET_TN_PERIODIC;
    }
    if (old & HPET_TN_SIZE_CAP) {
        writable |= HPET_TN_32BIT;
    }
    if (old & HPET_TN_FSB_CAP) {
        writable |= HPET_TN_FSB_ENABLE;
    }
    uint64_t new = (old & ~writable) | (val & writable);
    int route = (new & HPET_TN_ROUTE) >> HPET_TN_ROUTE_SHIFT;
    if ((new ^ old) & HPET_TN_ROUTE && !(s->intcap & (1u << route))) {
        /* §2.3.8: an unsupported route reads back as something else. */
        emu_log_mask(LOG_GUEST_ERROR, "hpet: timer %d cannot route to IRQ %d (cap 0x%x)\n",
                     t->index, route, s->intcap);
        DEVICE(s)->ignored_accesses++;
        new = (new & ~HPET_TN_ROUTE) | (old & HPET_TN_ROUTE);
    }
    if (!(old & HPET_TN_SIZE_CAP)) {
        new |= HPET_TN_32BIT;
    }
    t->config = new;
    if (t->index == 0) {
        tick_reinject_reset(&s->reinject);
    }
    if (new & HPET_TN_32BIT) {
        t->cmp = (uint32_t)t->cmp;
        t->period = (uint32_t)t->period;
    }
    if (!(new & HPET_TN_LEVEL)) {
        s->isr &= ~(1ull << t->index);  /* status only exists for level mode */
    }
    hpet_arm(t);
    hpet_update_lines(s, -1);
}

/* Comparator write: in periodic mode without Tn_VAL_SET_CNF, only the period
 * changes; VAL_SET lets software set the accumulator too, once (§2.3.8). */
static void hpet_set_comparator(HPETTimer *t, uint64_t val, uint64_t mask)
{
    bool periodic = t->config & HPET_TN_PERIODIC;

    if (t->config & HPET_TN_32BIT) {
        mask &= 0xffffffffull;
        val &= 0xffffffffull;
    }
    if (!periodic || (t->config & HPET_TN_SETVAL)) {
        t->cmp = (t->cmp & ~mask) | (val & mask);
    }
    if (periodic) {
        t->period = (t->period & ~mask) | (val & mask);
    }
    t->config &= ~HPET_TN_SETVAL;
    if (t->index == 0) {
        tick_reinject_reset(&t->hpet->reinject);
    }
    hpet_arm(t);
}

static uint64_t hpet_reg_read(HPETState *s, hwaddr reg)
{
    switch (reg) {
    case HPET_ID:
        return s->capability;
    case HPET_CFG:
        return s->config;
    case HPET_STATUS:
        return s->isr;
    case HPET_COUNTER:
        return hpet_get_counter(s);
    default:
        break;
    }
    if (reg >= HPET_TN_CFG(0) && reg < HPET_TN_CFG(HPET_NUM_TIMERS)) {
        HPETTimer *t = &s->timer[(reg - HPET_TN_CFG(0)) / 0x20];
        switch ((reg - HPET_TN_CFG(0)) % 0x20) {
        case 0x00:
            return t->config;
        case 0x08:
            return t->cmp;
        case 0x10:
            return t->fsb;
        default:
            return 0;
        }
    }
    return 0;       /* reserved */
}

static void hpet_reg_write(HPETState *s, hwaddr reg, uint64_t val, uint64_t mask)
{
    switch (reg) {
    case HPET_ID:
        return;     /* read-only */
    case HPET_CFG:
        hpet_set_config(s, (s->config & ~mask) | (val & mask));
        return;
    case HPET_STATUS:
        /* Write 1 to clear a level-triggered timer's status. */
        s->isr &= ~(val & mask);
        hpet_update_lines(s, -1);
        return;
    case HPET_COUNTER:
        hpet_set_counter(s, (hpet_get_counter(s) & ~mask) | (val & mask));
        return;
    default:
        break;
    }
    if (reg >= HPET_TN_CFG(0) && reg < HPET_TN_CFG(HPET_NUM_TIMERS)) {
        HPETTimer *t = &s->timer[(reg - HPET_TN_CFG(0)) / 0x20];
        switch ((reg - HPET_TN_CFG(0)) % 0x20) {
        case 0x00:
            hpet_set_timer_config(t, (t->config & ~mask) | (val & mask));
            return;
        case 0x08:
            hpet_set_comparator(t, val, mask);
            return;
        case 0x10:
            t->fsb = (t->fsb & ~mask) | (val & mask);
            return;
        default:
            break;
        }
    }
    emu_log_mask(LOG_GUEST_ERROR, "hpet: write to reserved offset 0x%" HWADDR_PRIx "\n", reg);
    DEVICE(s)->ignored_accesses++;
}

/* 32-bit accesses reach either half of a 64-bit register. */
static uint64_t hpet_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    uint64_t v = hpet_reg_read(opaque, addr & ~7ull);
    if (size == 4) {
        v = (uint32_t)(v >> ((addr & 4) * 8));
    }
    return v;
}

static void hpet_mmio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    unsigned shift = (addr & 4) * 8;
    uint64_t mask = size == 8 ? ~0ull : 0xffffffffull << shift;
    hpet_reg_write(opaque, addr & ~7ull, val << shift, mask);
}

/* §2.3: 32- and 64-bit accesses, naturally aligned. */
static const MemoryRegionOps hpet_ops = {
    .read = hpet_mmio_read,
    .write = hpet_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
};

static void hpet_legacy_in(void *opaque, int n, int level)
{
    HPETState *s = opaque;
    s->legacy_in[n] = level;
    hpet_update_lines(s, -1);
}

static void hpet_reset(DeviceState *dev, ResetType type)
{
    HPETState *s = HPET(dev);

    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        HPETTimer *t = &s->timer[i];
        timer_del(t->timer);
        /* Every timer: periodic capable, 64-bit, routes per "intcap". */
        t->config = HPET_TN_PERIODIC_CAP | HPET_TN_SIZE_CAP | (uint64_t)s->intcap << 32 |
                    (s->msi ? HPET_TN_FSB_CAP : 0);
        t->cmp = ~0ull;
        t->period = 0;
        t->fsb = 0;
        t->wrap_pending = false;
    }
    s->config = 0;
    s->isr = 0;
    s->counter = 0;
    tick_reinject_machine_reset(&s->reinject);
    qemu_set_irq(s->pit_enable, 1);
    hpet_update_lines(s, -1);
}

static void hpet_init(Object *obj)
{
    HPETState *s = HPET(obj);
    DeviceState *dev = DEVICE(obj);

    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        s->timer[i].hpet = s;
        s->timer[i].index = i;
        s->timer[i].timer = timer_new_ns(EMU_CLOCK_VIRTUAL, hpet_timer_cb, &s->timer[i]);
    }
    qdev_init_gpio_out(dev, s->irqs, HPET_NUM_IRQS);
    qdev_init_gpio_in_named(dev, hpet_legacy_in, HPET_LEGACY_IN, 2);
    qdev_init_gpio_out_named(dev, &s->pit_enable, HPET_PIT_ENABLE_OUT, 1);
    memory_region_init_io(&s->mmio, obj, &hpet_ops, s, "hpet", HPET_MMIO_SIZE);
}

static void hpet_realize(DeviceState *dev, Error **errp)
{
    HPETState *s = HPET(dev);

    if (s->intcap & 0xff000000u) {
        error_setg(errp, "hpet: intcap=0x%x: routes above 23 do not exist", s->intcap);
        return;
    }
    s->capability = HPET_REV_ID | (HPET_NUM_TIMERS - 1) << 8 | HPET_CAP_COUNT_SIZE |
                    HPET_CAP_LEG_RT | (uint64_t)HPET_VENDOR_ID << 16 | HPET_CLK_PERIOD_FS << 32;
    AcpiHpetInfo info = {
        .event_timer_block_id = (uint32_t)s->capability,
        .base = HPET_BASE,
        .min_tick = HPET_MIN_TICK,
    };
    acpi_build_register_hpet(&info);
    s->reinject.enabled = s->lost_tick_delay_policy == 1;
    tick_reinject_init(&s->reinject, hpet_reinject_pulse, s);
    hpet_reset(dev, RESET_TYPE_COLD);
}

static void hpet_unrealize(DeviceState *dev)
{
    tick_reinject_fini(&HPET(dev)->reinject);
    acpi_build_unregister_hpet();
}

static void hpet_finalize(Object *obj)
{
    HPETState *s = HPET(obj);
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        timer_free(s->timer[i].timer);
    }
    memory_region_finalize(&s->mmio);
}

void hpet_print_info(DeviceState *dev, GString *out)
{
    HPETState *s = HPET(dev);

    g_string_append_printf(out, "hpet: cap=0x%016" PRIx64 " config=0x%" PRIx64 " (%s%s) "
                           "status=0x%" PRIx64 " counter=0x%016" PRIx64 "\n",
                           s->capability, s->config, hpet_enabled(s) ? "enabled" : "halted",
                           hpet_legacy(s) ? ", legacy replacement" : "", s->isr,
                           hpet_get_counter(s));
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        HPETTimer *t = &s->timer[i];
        g_string_append_printf(out, "  timer %d: config=0x%016" PRIx64 " cmp=0x%016" PRIx64
                               " period=0x%" PRIx64 " -> %s%d, %s %s%s, fired %" PRIu64 "\n",
                               i, t->config, t->cmp, t->period,
                               t->config & HPET_TN_FSB_ENABLE ? "FSB " : "GSI ", hpet_route(t),
                               t->config & HPET_TN_LEVEL ? "level" : "edge",
                               t->config & HPET_TN_PERIODIC ? "periodic" : "one-shot",
                               t->config & HPET_TN_ENABLE ? "" : " (interrupt disabled)",
                               t->fired);
    }
    g_string_append_printf(out, "hpet: %" PRIu64 " ignored accesses\n", dev->ignored_accesses);
}

static void info_hpet(GString *out)
{
    Object *obj = object_resolve_path_type("/machine/hpet0", TYPE_HPET, NULL);
    if (!obj) {
        g_string_append(out, "no HPET (-machine hpet=off)\n");
        return;
    }
    hpet_print_info(DEVICE(obj), out);
}

static void __attribute__((constructor)) hpet_register_info(void)
{
    monitor_register_info("hpet", "show the HPET registers and timers", info_hpet);
}

static const char *const hpet_lost_tick_policy_names[] = { "discard", "delay", NULL };

static const Property hpet_props[] = {
    /* QEMU's i440FX pc offers IRQ 2 only (its q35 adds 8 and 16-23). */
    DEFINE_PROP_UINT32("intcap", HPETState, intcap, 0x4),
    DEFINE_PROP_BOOL("msi", HPETState, msi, false),
    DEFINE_PROP_ENUM("lost_tick_policy", HPETState, lost_tick_delay_policy, 1,
                     hpet_lost_tick_policy_names),
    DEFINE_PROP_END_OF_LIST(),
};

static void hpet_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "HPET (3 timers, 100 MHz)";
    dc->category = DEVICE_CATEGORY_MISC;
    dc->user_creatable = false;     /* -machine hpet=on|off */
    dc->realize = hpet_realize;
    dc->unrealize = hpet_unrealize;
    dc->reset = hpet_reset;
    device_class_set_props(dc, hpet_props);
}

static const TypeInfo hpet_types[] = {
    {
        .name = TYPE_HPET,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(HPETState),
        .instance_init = hpet_init,
        .instance_finalize = hpet_finalize,
        .class_init = hpet_class_init,
    },
};
DEFINE_TYPES(hpet_types)
