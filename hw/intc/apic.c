/*
 * Local APIC (xAPIC and x2APIC) and the APIC bus between the local APICs, the
 * I/O APIC and MSI writers.
 *
 * Reference: Intel SDM vol. 3A chapter 11 (chapter 10 in older editions),
 * "Advanced Programmable Interrupt Controller (APIC)"; section numbers below
 * are the 10.x ones of the editions that still use them.
 *
 * The timer counts the 1 GHz APIC bus clock divided per the divide
 * configuration register (the rate KVM and QEMU give their guests), on the
 * virtual clock. Messages are delivered instantly: delivery status always
 * reads idle.
 */
#include "hw/intc/apic.h"
#include "util/host-utils.h"
#include "hw/intc/ioapic.h"
#include "monitor/monitor.h"
#include "util/log.h"

#define APIC_VERSION 0x14                   /* integrated APIC, as P4 and later */
#define APIC_BUS_HZ 1000000000ull           /* one bus cycle per ns */
/*
 * Periodic timers with a shorter period are re-armed no faster than this: a
 * guest asking for a period of a few nanoseconds gets its interrupts
 * coalesced rather than stalling the main loop (KVM similarly enforces a
 * minimum period).
 */
#define APIC_MIN_REARM_NS 50000

#define LVT_TIMER_MODE_MASK (3u << 17)
#define LVT_DELIVERY_MODE(lvt) (((lvt) >> 8) & 7)

static GList *apic_list;
static uint64_t bus_dropped;
static bool pic_int_level;
static int (*extint_ack)(void *opaque);
static void *extint_opaque;
static APICState *(*current_apic)(void);

/* Writable bits of each LVT entry (SDM Figure 10-8). */
static const uint32_t lvt_writable[APIC_LVT_NB] = {
    [APIC_LVT_TIMER] = 0x000700ff,          /* vector, mask, timer mode */
    [APIC_LVT_THERMAL] = 0x000107ff,        /* vector, delivery mode, mask */
    [APIC_LVT_PERF] = 0x000107ff,
    [APIC_LVT_LINT0] = 0x0001a7ff,          /* + polarity, trigger mode */
    [APIC_LVT_LINT1] = 0x0001a7ff,
    [APIC_LVT_ERROR] = 0x000100ff,          /* vector, mask */
};

/* ---- 256-bit registers ---- */

static void bit256_set(uint32_t *r, int v)
{
    r[v >> 5] |= 1u << (v & 31);
}

static void bit256_clear(uint32_t *r, int v)
{
    r[v >> 5] &= ~(1u << (v & 31));
}

static bool bit256_test(const uint32_t *r, int v)
{
    return r[v >> 5] & (1u << (v & 31));
}

static int bit256_highest(const uint32_t *r)
{
    for (int i = 7; i >= 0; i--) {
        if (r[i]) {
            return i * 32 + 31 - __builtin_clz(r[i]);
        }
    }
    return -1;
}

/* ---- state helpers ---- */

static bool apic_hw_enabled(const APICState *s)
{
    return s->apicbase & APIC_BASE_ENABLE;
}

static bool apic_x2apic(const APICState *s)
{
    return (s->apicbase & (APIC_BASE_ENABLE | APIC_BASE_EXTD)) ==
           (APIC_BASE_ENABLE | APIC_BASE_EXTD);
}

static bool apic_sw_enabled(const APICState *s)
{
    return s->svr & APIC_SVR_ENABLE;
}

bool apic_mmio_enabled(APICState *s)
{
    return apic_hw_enabled(s) && !apic_x2apic(s);
}

/* x2APIC logical ID: cluster in bits 31:16, one bit of 16 in 15:0 (§10.12.10.2). */
static uint32_t x2apic_ldr(uint32_t id)
{
    return ((id & 0xfffffff0u) << 12) | (1u << (id & 0xf));
}

/* PPR (§10.8.3.1): the TPR, or the class of the highest in-service vector. */
static uint8_t apic_ppr(const APICState *s)
{
    int isrv = bit256_highest(s->isr);
    if (isrv < 0) {
        isrv = 0;
    }
    if ((s->tpr & 0xf0) >= (isrv & 0xf0)) {
        return s->tpr;
    }
    return isrv & 0xf0;
}

/* APR (§10.8.3.1, P6 family rule), used for lowest-priority arbitration. */
static uint8_t apic_apr(const APICState *s)
{
    int isrv = MAX(bit256_highest(s->isr), 0);
    int irrv = MAX(bit256_highest(s->irr), 0);
    if ((s->tpr & 0xf0) >= (irrv & 0xf0) && (s->tpr & 0xf0) > (isrv & 0xf0)) {
        return s->tpr;
    }
    return MAX(MAX(s->tpr & 0xf0, isrv & 0xf0), irrv & 0xf0);
}

/* ExtINT is pending: from the APIC bus, or the 8259 on LINT0 in ExtINT mode, or
 * LINT0 acting as the plain INTR pin while the APIC is hardware-disabled
 * (§10.4.3). ExtINT is level-sensitive and bypasses IRR/ISR (§10.5.1). */
static bool apic_extint_pending(const APICState *s)
{
    if (!apic_hw_enabled(s)) {
        return s->lint_level[0];
    }
    if (s->extint_pending) {
        return true;
    }
    uint32_t lvt = s->lvt[APIC_LVT_LINT0];
    return s->lint_level[0] && !(lvt & APIC_LVT_MASKED) &&
           LVT_DELIVERY_MODE(lvt) == APIC_DM_EXTINT;
}

static bool apic_fixed_pending(const APICState *s)
{
    if (!apic_hw_enabled(s) || !apic_sw_enabled(s)) {
        return false;
    }
    int v = bit256_highest(s->irr);
    return v >= 0 && (v & 0xf0) > (apic_ppr(s) & 0xf0);
}

bool apic_has_interrupt(APICState *s)
{
    return apic_extint_pending(s) || apic_fixed_pending(s);
}

static void apic_update_irq(APICState *s)
{
    bool pending = apic_has_interrupt(s);
    if (pending != s->irq_out) {
        s->irq_out = pending;
        if (s->ops && s->ops->interrupt_pending) {
            s->ops->interrupt_pending(s->cpu, pending);
        }
    }
}

int apic_get_interrupt(APICState *s)
{
    if (apic_extint_pending(s)) {
        s->extint_pending = false;
        int v = extint_ack ? extint_ack(extint_opaque) : -1;
        apic_update_irq(s);
        return v;
    }
    if (!apic_fixed_pending(s)) {
        return -1;
    }
    int v = bit256_highest(s->irr);
    bit256_clear(s->irr, v);
    bit256_set(s->isr, v);
    apic_update_irq(s);
    return v;
}

/* ---- accepting interrupts ---- */

static void apic_error(APICState *s, uint32_t bits);

/* Accept a fixed interrupt into IRR (TMR records its trigger mode). */
static void apic_set_irq(APICState *s, int vector, bool level)
{
    if (vector < 16) {
        /* Vectors 0-15 are reserved for exceptions (§10.5.2). */
        apic_error(s, APIC_ESR_RECV_ILLEGAL_VECTOR);
        return;
    }
    bit256_set(s->irr, vector);
    if (level) {
        bit256_set(s->tmr, vector);
    } else {
        bit256_clear(s->tmr, vector);
    }
    s->accepted++;
    apic_update_irq(s);
}

/* One message from the bus (or a local source), by delivery mode. */
static void apic_accept(APICState *s, int delivery_mode, int vector, bool level)
{
    switch (delivery_mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        /* A software-disabled APIC holds what it has but takes no new fixed
         * interrupts (§10.4.7.2; KVM does the same). */
        if (!apic_sw_enabled(s)) {
            s->dropped++;
            return;
        }
        apic_set_irq(s, vector, level);
        break;
    case APIC_DM_SMI:
        s->accepted++;
        if (s->ops && s->ops->smi) {
            s->ops->smi(s->cpu);
        }
        break;
    case APIC_DM_NMI:
        s->accepted++;
        if (s->ops && s->ops->nmi) {
            s->ops->nmi(s->cpu);
        }
        break;
    case APIC_DM_INIT:
        s->accepted++;
        apic_init_reset(s);
        if (s->ops && s->ops->init) {
            s->ops->init(s->cpu);
        }
        break;
    case APIC_DM_SIPI:
        s->accepted++;
        if (s->ops && s->ops->sipi) {
            s->ops->sipi(s->cpu, vector);
        }
        break;
    case APIC_DM_EXTINT:
        s->accepted++;
        s->extint_pending = true;
        apic_update_irq(s);
        break;
    default:
        s->dropped++;
        break;
    }
}

/* Deliver local vector table entry @idx (timer, LINTn, error...) to this CPU. */
static void apic_local_deliver(APICState *s, int idx)
{
    uint32_t lvt = s->lvt[idx];
    int dm = LVT_DELIVERY_MODE(lvt);

    if (!apic_hw_enabled(s) || (lvt & APIC_LVT_MASKED)) {
        return;
    }
    if (idx == APIC_LVT_TIMER || idx == APIC_LVT_ERROR) {
        dm = APIC_DM_FIXED;             /* these entries have no delivery mode field */
    }
    switch (dm) {
    case APIC_DM_FIXED:
        if ((lvt & 0xff) < 16) {
            /* An illegal LVT vector is a receive error; the error LVT does not
             * report its own. */
            if (idx != APIC_LVT_ERROR) {
                apic_error(s, APIC_ESR_RECV_ILLEGAL_VECTOR);
            } else {
                s->esr_pending |= APIC_ESR_RECV_ILLEGAL_VECTOR;
            }
            return;
        }
        apic_set_irq(s, lvt & 0xff, false);
        break;
    case APIC_DM_SMI:
    case APIC_DM_NMI:
    case APIC_DM_INIT:
        apic_accept(s, dm, 0, false);
        break;
    case APIC_DM_EXTINT:
        apic_update_irq(s);             /* level-sensitive, see apic_extint_pending */
        break;
    default:
        emu_log_mask(LOG_GUEST_ERROR, "apic %u: LVT %d has reserved delivery mode %d\n",
                     s->initial_id, idx, dm);
        break;
    }
}

static void apic_error(APICState *s, uint32_t bits)
{
    s->esr_pending |= bits;
    apic_local_deliver(s, APIC_LVT_ERROR);
}

void apic_set_lint(APICState *s, int pin, bool level)
{
    bool old = s->lint_level[pin];

    s->lint_level[pin] = level;
    if (!apic_hw_enabled(s)) {
        /* LINT0 and LINT1 are the INTR and NMI pins (§10.4.3). */
        if (pin == 1 && level && !old && s->ops && s->ops->nmi) {
            s->ops->nmi(s->cpu);
        }
        apic_update_irq(s);
        return;
    }
    uint32_t lvt = s->lvt[APIC_LVT_LINT0 + pin];
    if (LVT_DELIVERY_MODE(lvt) != APIC_DM_EXTINT && level && !old) {
        /* Other modes are sampled on the rising edge. */
        apic_local_deliver(s, APIC_LVT_LINT0 + pin);
    }
    apic_update_irq(s);
}

static void apic_lint_gpio(void *opaque, int n, int level)
{
    apic_set_lint(opaque, n, level);
}

/* ---- EOI ---- */

static void apic_eoi(APICState *s)
{
    int v = bit256_highest(s->isr);

    if (v < 0) {
        return;
    }
    bit256_clear(s->isr, v);
    if (bit256_test(s->tmr, v)) {
        /* Level-triggered: tell the I/O APICs (EOI broadcast, §10.8.5). */
        ioapic_eoi_broadcast(v);
        apic_update_irq(s);
    } else {
        apic_update_irq(s);
        /* Edge EOIs send no message (SDM §10.8.5); this only tells the
         * acknowledge notifiers of the pin (hw/intc/irq-ack.h), as KVM does. */
        ioapic_eoi_edge(v);
    }
}

/* ---- the APIC bus ---- */

static bool apic_match_physical(const APICState *d, uint32_t dest, bool x2_msg)
{
    if (x2_msg) {
        return dest == 0xffffffffu || dest == d->id;
    }
    return dest == 0xff || dest == d->id;
}

/* Logical destinations (§10.6.2.2; x2APIC §10.12.10.2). */
static bool apic_match_logical(const APICState *d, uint32_t dest, bool x2_msg)
{
    if (apic_x2apic(d)) {
        if (dest == (x2_msg ? 0xffffffffu : 0xffu)) {
            return true;
        }
        return (dest >> 16) == (d->ldr >> 16) && (dest & d->ldr & 0xffff);
    }
    uint8_t mda = dest, ldr = d->ldr >> 24;
    if (mda == 0xff) {
        return true;
    }
    if ((d->dfr >> 28) == 0xf) {            /* flat model: a bit per APIC */
        return mda & ldr;
    }
    /* cluster model: cluster in bits 7:4 (15 = all), member bits in 3:0 */
    return ((mda >> 4) == 0xf || (mda >> 4) == (ldr >> 4)) && (mda & ldr & 0xf);
}

static bool apic_match(const APICState *d, uint32_t dest, int dest_mode, bool x2_msg)
{
    if (!apic_hw_enabled(d)) {
        return false;
    }
    return dest_mode == APIC_DEST_LOGICAL ? apic_match_logical(d, dest, x2_msg)
                                          : apic_match_physical(d, dest, x2_msg);
}

/* Deliver to every APIC in @targets (lowest priority: to the one of them with
 * the lowest arbitration priority, the first one on a tie). */
static int apic_deliver_to(GPtrArray *targets, int delivery_mode, int vector, bool level)
{
    if (!targets->len) {
        bus_dropped++;
        return 0;
    }
    if (delivery_mode == APIC_DM_LOWEST) {
        APICState *best = NULL;
        for (guint i = 0; i < targets->len; i++) {
            APICState *d = targets->pdata[i];
            if (!best || apic_apr(d) < apic_apr(best)) {
                best = d;
            }
        }
        apic_accept(best, APIC_DM_FIXED, vector, level);
        return 1;
    }
    for (guint i = 0; i < targets->len; i++) {
        apic_accept(targets->pdata[i], delivery_mode, vector, level);
    }
    return targets->len;
}

static int apic_bus_deliver(uint32_t dest, int dest_mode, int delivery_mode, int vector,
                            bool level, bool x2_msg)
{
    g_autoptr(GPtrArray) targets = g_ptr_array_new();

    for (GList *l = apic_list; l; l = l->next) {
        if (apic_match(l->data, dest, dest_mode, x2_msg)) {
            g_ptr_array_add(targets, l->data);
        }
    }
    return apic_deliver_to(targets, delivery_mode, vector, level);
}

int apic_deliver_irq(uint32_t dest, uint8_t dest_mode, uint8_t delivery_mode,
                     uint8_t vector, uint8_t trigger_mode)
{
    return apic_bus_deliver(dest & 0xff, dest_mode, delivery_mode, vector,
                            trigger_mode == APIC_TRIGGER_LEVEL, false);
}

/* MSI address 0xfeeXXXXX: destination ID in bits 19:12, destination mode in
 * bit 2; data: vector, delivery mode, trigger mode in bit 15 (§10.11.1-2). */
void apic_send_msi(uint64_t addr, uint32_t data)
{
    if ((addr >> 20) != (APIC_DEFAULT_BASE >> 20)) {
        emu_log_mask(LOG_GUEST_ERROR, "apic: MSI to 0x%" PRIx64 " outside 0xfeexxxxx\n",
                     addr);
        bus_dropped++;
        return;
    }
    apic_deliver_irq((addr >> 12) & 0xff, (addr >> 2) & 1, (data >> 8) & 7, data & 0xff,
                     (data >> 15) & 1);
}

void apic_bus_set_pic_int(bool level)
{
    pic_int_level = level;
    for (GList *l = apic_list; l; l = l->next) {
        apic_set_lint(l->data, 0, level);
    }
}

void apic_bus_set_extint(int (*ack)(void *opaque), void *opaque)
{
    extint_ack = ack;
    extint_opaque = opaque;
}

void apic_bus_set_current_hook(APICState *(*current)(void))
{
    current_apic = current;
}

/*
 * Whether an access at @offset of the window comes from a CPU (true; *s is its
 * APIC when the page is decoded there) or is an MSI from a device (false).
 * A CPU reaches its own APIC's page, unless that page is not decoded at the
 * default base (x2APIC mode, hardware-disabled, moved: then nothing answers).
 * Offsets 0x0-0xf are a reserved APIC register but where an MSI to APIC ID 0
 * lands: a device raising one from a vCPU thread (during that CPU's I/O) must
 * still send it (QEMU's apic_mem_write makes the same choice).
 */
static bool apic_bus_cpu_access(hwaddr offset, APICState **s)
{
    APICState *cur = current_apic ? current_apic() : NULL;

    *s = NULL;
    if (!cur || offset < 0x10 || offset >= APIC_MMIO_SIZE) {
        return false;
    }
    if (apic_mmio_enabled(cur) &&
        (cur->apicbase & APIC_BASE_ADDR_MASK) == APIC_DEFAULT_BASE) {
        *s = cur;
    }
    return true;
}

uint32_t apic_bus_mmio_read(hwaddr offset)
{
    APICState *s;
    if (apic_bus_cpu_access(offset, &s)) {
        return s ? apic_mem_read(s, offset) : 0xffffffffu;
    }
    /* Devices reading the MSI window get nothing back. */
    return 0;
}

void apic_bus_mmio_write(hwaddr offset, uint32_t val)
{
    APICState *s;
    if (!apic_bus_cpu_access(offset, &s)) {
        apic_send_msi(APIC_DEFAULT_BASE + offset, val);
    } else if (s) {
        apic_mem_write(s, offset, val);
    } else {
        emu_log_mask(LOG_GUEST_ERROR, "apic: CPU write to 0x%" HWADDR_PRIx " while its "
                     "xAPIC page is not there (x2APIC, disabled or moved): dropped\n",
                     APIC_DEFAULT_BASE + offset);
    }
}

GList *apic_bus_list(void)
{
    return apic_list;
}

APICState *apic_find_by_id(uint32_t id)
{
    for (GList *l = apic_list; l; l = l->next) {
        APICState *s = l->data;
        if (s->id == id) {
            return s;
        }
    }
    return NULL;
}

uint64_t apic_bus_dropped(void)
{
    return bus_dropped;
}

/* ---- IPIs (§10.6) ---- */

static void apic_send_ipi(APICState *s, uint32_t icr, uint32_t dest)
{
    int dm = (icr >> 8) & 7, vector = icr & 0xff;
    int dest_mode = (icr >> 11) & 1, shorthand = (icr >> 18) & 3;
    bool x2 = apic_x2apic(s);

    if (dm == APIC_DM_INIT && !(icr & APIC_ICR_LEVEL_ASSERT) && (icr & APIC_LVT_LEVEL)) {
        return;     /* INIT level de-assert: no effect since the Pentium 4 */
    }
    if (dm == 3 || dm == APIC_DM_EXTINT) {
        emu_log_mask(LOG_GUEST_ERROR, "apic %u: ICR 0x%08x uses a reserved delivery mode\n",
                     s->initial_id, icr);
        return;
    }
    if ((dm == APIC_DM_FIXED || dm == APIC_DM_LOWEST) && vector < 16) {
        apic_error(s, APIC_ESR_SEND_ILLEGAL_VECTOR);
        return;
    }
    /* The ICR trigger mode bit only matters for INIT level de-assert: IPIs are
     * edge-triggered (§10.6.1). */
    g_autoptr(GPtrArray) targets = g_ptr_array_new();
    switch (shorthand) {
    case 0:
        for (GList *l = apic_list; l; l = l->next) {
            if (apic_match(l->data, dest, dest_mode, x2)) {
                g_ptr_array_add(targets, l->data);
            }
        }
        break;
    case 1:                                 /* self */
        if (dm != APIC_DM_FIXED) {
            emu_log_mask(LOG_GUEST_ERROR, "apic %u: self IPI with delivery mode %d\n",
                         s->initial_id, dm);
            return;
        }
        g_ptr_array_add(targets, s);
        break;
    default:                                /* all including / excluding self */
        for (GList *l = apic_list; l; l = l->next) {
            APICState *d = l->data;
            if (apic_hw_enabled(d) && (shorthand == 2 || d != s)) {
                g_ptr_array_add(targets, d);
            }
        }
        break;
    }
    apic_deliver_to(targets, dm, vector, false);
}

/* ---- the timer (§10.5.4) ---- */

static uint32_t apic_timer_mode(const APICState *s)
{
    return s->lvt[APIC_LVT_TIMER] & LVT_TIMER_MODE_MASK;
}

/* The divide configuration as a shift: bits 3,1,0 = 000 -> /2 ... 111 -> /1. */
static int apic_divide_shift(const APICState *s)
{
    uint32_t v = (s->divide_conf & 3) | ((s->divide_conf >> 1) & 4);
    return (v + 1) & 7;
}

/* ns on the virtual clock per timer count. */
static uint64_t apic_count_ns(const APICState *s)
{
    return (NANOSECONDS_PER_SECOND / APIC_BUS_HZ) << apic_divide_shift(s);
}

static uint32_t apic_current_count(const APICState *s)
{
    if (apic_timer_mode(s) == APIC_LVT_TIMER_TSCDEADLINE || !s->initial_count) {
        return 0;
    }
    int64_t elapsed = clock_get_ns(EMU_CLOCK_VIRTUAL) - s->count_load_time;
    uint64_t ticks = elapsed > 0 ? (uint64_t)elapsed / apic_count_ns(s) : 0;
    if (apic_timer_mode(s) == APIC_LVT_TIMER_PERIODIC) {
        return s->initial_count - ticks % s->initial_count;
    }
    return ticks >= s->initial_count ? 0 : s->initial_count - ticks;
}

static uint64_t apic_read_tsc(APICState *s)
{
    if (s->ops && s->ops->get_tsc) {
        return s->ops->get_tsc(s->cpu);
    }
    return muldiv64(clock_get_ns(EMU_CLOCK_VIRTUAL), s->tsc_hz, NANOSECONDS_PER_SECOND);
}

static void apic_timer_stop(APICState *s)
{
    timer_del(s->timer);
    s->next_time = -1;
}

static void apic_timer_fire(APICState *s);

/* Arm the TSC deadline; one already passed fires at once. */
static void apic_arm_deadline(APICState *s)
{
    if (!s->tsc_deadline) {
        apic_timer_stop(s);
        return;
    }
    uint64_t tsc = apic_read_tsc(s);
    if (s->tsc_deadline <= tsc) {
        apic_timer_stop(s);
        apic_timer_fire(s);
        return;
    }
    uint64_t delta = s->tsc_deadline - tsc;
    /* Rounded up: never early. */
    uint64_t ns = muldiv64_round_up(delta, NANOSECONDS_PER_SECOND, s->tsc_hz);
    s->next_time = clock_get_ns(EMU_CLOCK_VIRTUAL) + (int64_t)MIN(ns, (uint64_t)INT64_MAX / 2);
    timer_mod_ns(s->timer, s->next_time);
}

static void apic_timer_fire(APICState *s)
{
    s->timer_fired++;
    if (apic_timer_mode(s) == APIC_LVT_TIMER_TSCDEADLINE) {
        s->tsc_deadline = 0;
        s->next_time = -1;
    } else if (apic_timer_mode(s) == APIC_LVT_TIMER_PERIODIC && s->initial_count) {
        int64_t now = clock_get_ns(EMU_CLOCK_VIRTUAL);
        int64_t period = (int64_t)s->initial_count * apic_count_ns(s);
        /* The next multiple of the period after now (missed ones coalesce). */
        int64_t n = (now - s->count_load_time) / period + 1;
        s->next_time = s->count_load_time + n * period;
        timer_mod_ns(s->timer, period < APIC_MIN_REARM_NS ?
                     MAX(s->next_time, now + APIC_MIN_REARM_NS) : s->next_time);
    } else {
        s->next_time = -1;
    }
    apic_local_deliver(s, APIC_LVT_TIMER);
}

static void apic_timer_cb(void *opaque)
{
    apic_timer_fire(opaque);
}

/* TMICT written (or the mode changed): start counting from the initial count. */
static void apic_timer_start(APICState *s)
{
    if (!s->initial_count) {
        apic_timer_stop(s);
        return;
    }
    int64_t period = (int64_t)s->initial_count * apic_count_ns(s);
    s->next_time = s->count_load_time + period;
    int64_t now = clock_get_ns(EMU_CLOCK_VIRTUAL);
    int64_t when = s->next_time;
    if (apic_timer_mode(s) == APIC_LVT_TIMER_PERIODIC && period < APIC_MIN_REARM_NS) {
        when = MAX(when, now + APIC_MIN_REARM_NS);
    }
    timer_mod_ns(s->timer, when);
}

/* A new divider keeps the current count and goes on at the new rate. */
static void apic_set_divide(APICState *s, uint32_t val)
{
    uint32_t cur = apic_current_count(s);
    bool running = s->initial_count && apic_timer_mode(s) != APIC_LVT_TIMER_TSCDEADLINE &&
                   (cur || apic_timer_mode(s) == APIC_LVT_TIMER_PERIODIC);

    s->divide_conf = val & 0xb;
    if (running) {
        uint64_t done = s->initial_count - cur;
        s->count_load_time = clock_get_ns(EMU_CLOCK_VIRTUAL) - done * apic_count_ns(s);
        apic_timer_start(s);
    }
}

static void apic_write_lvt(APICState *s, int idx, uint32_t val)
{
    uint32_t old = s->lvt[idx];
    uint32_t new = (val & lvt_writable[idx]) | (old & APIC_LVT_REMOTE_IRR);

    if (!apic_sw_enabled(s)) {
        new |= APIC_LVT_MASKED;     /* §10.4.7.2: masks stick while disabled */
    }
    if (idx == APIC_LVT_TIMER && (new & LVT_TIMER_MODE_MASK) == LVT_TIMER_MODE_MASK) {
        emu_log_mask(LOG_GUEST_ERROR, "apic %u: reserved timer mode 3\n", s->initial_id);
        new &= ~(2u << 17);
    }
    s->lvt[idx] = new;
    if (idx == APIC_LVT_TIMER) {
        uint32_t om = old & LVT_TIMER_MODE_MASK, nm = new & LVT_TIMER_MODE_MASK;
        if (om != nm && (om == APIC_LVT_TIMER_TSCDEADLINE ||
                         nm == APIC_LVT_TIMER_TSCDEADLINE)) {
            /* Switching to or from TSC-deadline mode disarms the timer (§10.5.4.1). */
            s->initial_count = 0;
            s->tsc_deadline = 0;
            apic_timer_stop(s);
        } else if (om != nm && nm == APIC_LVT_TIMER_PERIODIC && s->initial_count &&
                   s->next_time < 0) {
            /* One-shot that already expired, now periodic: count again. */
            s->count_load_time = clock_get_ns(EMU_CLOCK_VIRTUAL);
            apic_timer_start(s);
        }
    }
    apic_update_irq(s);
}

/* ---- registers ---- */

static void apic_set_svr(APICState *s, uint32_t val)
{
    /* Vector, APIC enable, focus processor checking; EOI-broadcast suppression
     * (bit 12) is not offered (version bit 24 clear). */
    s->svr = val & 0x3ff;
    if (!apic_sw_enabled(s)) {
        for (int i = 0; i < APIC_LVT_NB; i++) {
            s->lvt[i] |= APIC_LVT_MASKED;
        }
    }
    apic_update_irq(s);
}

/* Register at @reg (xAPIC offset); false when it does not exist in this mode. */
static bool apic_reg_read(APICState *s, uint32_t reg, uint64_t *val, bool x2)
{
    switch (reg) {
    case APIC_ID:
        *val = x2 ? s->id : s->id << 24;
        return true;
    case APIC_LVR:
        *val = APIC_VERSION | ((APIC_LVT_NB - 1) << 16);
        return true;
    case APIC_TPR:
        *val = s->tpr;
        return true;
    case APIC_APR:
        *val = apic_apr(s);
        return !x2;
    case APIC_PPR:
        *val = apic_ppr(s);
        return true;
    case APIC_EOI:
        *val = 0;
        return !x2;                 /* write-only MSR */
    case APIC_RRD:
        *val = 0;
        return !x2;
    case APIC_LDR:
        *val = s->ldr;
        return true;
    case APIC_DFR:
        *val = s->dfr | 0x0fffffff;
        return !x2;
    case APIC_SVR:
        *val = s->svr;
        return true;
    case APIC_ESR:
        *val = s->esr;
        return true;
    case APIC_ICR:
        *val = x2 ? ((uint64_t)s->icr[1] << 32) | s->icr[0] : s->icr[0];
        return true;
    case APIC_ICR2:
        *val = s->icr[1];
        return !x2;
    case APIC_LVTT ... APIC_LVTERR:
        if (reg & 0xf) {
            return false;
        }
        *val = s->lvt[(reg - APIC_LVTT) >> 4];
        return true;
    case APIC_TMICT:
        *val = s->initial_count;
        return true;
    case APIC_TMCCT:
        *val = apic_current_count(s);
        return true;
    case APIC_TDCR:
        *val = s->divide_conf;
        return true;
    default:
        break;
    }
    if (reg >= APIC_ISR && reg < APIC_IRR + 0x80 && !(reg & 0xf)) {
        int i = ((reg - APIC_ISR) >> 4) & 7;
        const uint32_t *r = reg < APIC_TMR ? s->isr : reg < APIC_IRR ? s->tmr : s->irr;
        *val = r[i];
        return true;
    }
    return false;
}

/* Write @val to @reg; false when the register does not exist or is read-only
 * in this mode, or (x2APIC) the value is invalid. */
static bool apic_reg_write(APICState *s, uint32_t reg, uint64_t val, bool x2)
{
    switch (reg) {
    case APIC_ID:
        if (x2) {
            return false;           /* the x2APIC ID is read-only */
        }
        s->id = (val >> 24) & 0xff;
        return true;
    case APIC_TPR:
        s->tpr = val & 0xff;
        apic_update_irq(s);
        return true;
    case APIC_EOI:
        if (x2 && val) {
            return false;
        }
        apic_eoi(s);
        return true;
    case APIC_LDR:
        if (x2) {
            return false;
        }
        s->ldr = val & 0xff000000u;
        return true;
    case APIC_DFR:
        if (x2) {
            return false;
        }
        s->dfr = val | 0x0fffffff;
        return true;
    case APIC_SVR:
        apic_set_svr(s, val);
        return true;
    case APIC_ESR:
        if (x2 && val) {
            return false;
        }
        /* A write latches the errors seen since the previous one (§10.5.3). */
        s->esr = s->esr_pending;
        s->esr_pending = 0;
        return true;
    case APIC_ICR:
        if (x2) {
            s->icr[1] = val >> 32;
            s->icr[0] = val & ~(1u << 12);
            apic_send_ipi(s, s->icr[0], s->icr[1]);
        } else {
            s->icr[0] = val & ~(1u << 12);
            apic_send_ipi(s, s->icr[0], s->icr[1] >> 24);
        }
        return true;
    case APIC_ICR2:
        if (x2) {
            return false;
        }
        s->icr[1] = val & 0xff000000u;
        return true;
    case APIC_LVTT ... APIC_LVTERR:
        if (reg & 0xf) {
            return false;
        }
        apic_write_lvt(s, (reg - APIC_LVTT) >> 4, val);
        return true;
    case APIC_TMICT:
        if (apic_timer_mode(s) == APIC_LVT_TIMER_TSCDEADLINE) {
            return true;            /* ignored in TSC-deadline mode */
        }
        s->initial_count = val;
        s->count_load_time = clock_get_ns(EMU_CLOCK_VIRTUAL);
        apic_timer_start(s);
        return true;
    case APIC_TDCR:
        apic_set_divide(s, val);
        return true;
    case APIC_SELF_IPI:
        if (!x2 || (val & ~0xffull)) {
            return false;
        }
        if ((val & 0xff) < 16) {
            apic_error(s, APIC_ESR_SEND_ILLEGAL_VECTOR);
            return true;
        }
        apic_accept(s, APIC_DM_FIXED, val & 0xff, false);
        return true;
    default:
        /* Read-only registers: version, APR, PPR, RRD, ISR/TMR/IRR, TMCCT. */
        if (x2) {
            return false;
        }
        uint64_t dummy;
        return apic_reg_read(s, reg, &dummy, false);
    }
}

uint32_t apic_mem_read(APICState *s, hwaddr offset)
{
    uint64_t val = 0;

    if ((offset & 0xf) || !apic_reg_read(s, offset & 0xff0, &val, false)) {
        emu_log_mask(LOG_GUEST_ERROR, "apic %u: read of reserved offset 0x%" HWADDR_PRIx "\n",
                     s->initial_id, offset);
        DEVICE(s)->ignored_accesses++;
        if (!(offset & 0xf) && offset < APIC_MMIO_SIZE) {
            apic_error(s, APIC_ESR_ILLEGAL_REGISTER);
        }
        return 0;
    }
    return val;
}

void apic_mem_write(APICState *s, hwaddr offset, uint32_t val)
{
    if ((offset & 0xf) || offset >= 0x400 || !apic_reg_write(s, offset & 0xff0, val, false)) {
        emu_log_mask(LOG_GUEST_ERROR, "apic %u: write 0x%x to reserved or read-only offset "
                     "0x%" HWADDR_PRIx "\n", s->initial_id, val, offset);
        DEVICE(s)->ignored_accesses++;
        if (!(offset & 0xf)) {
            uint64_t dummy;
            if (offset >= 0x400 || !apic_reg_read(s, offset, &dummy, false)) {
                apic_error(s, APIC_ESR_ILLEGAL_REGISTER);
            }
        }
    }
}

bool apic_msr_read(APICState *s, uint32_t index, uint64_t *val)
{
    if (!apic_x2apic(s) || index < MSR_X2APIC_BASE || index > MSR_X2APIC_LAST) {
        return false;
    }
    if (index == MSR_X2APIC_BASE + (APIC_SELF_IPI >> 4)) {
        return false;               /* write-only */
    }
    return apic_reg_read(s, (index - MSR_X2APIC_BASE) << 4, val, true);
}

bool apic_msr_write(APICState *s, uint32_t index, uint64_t val)
{
    if (!apic_x2apic(s) || index < MSR_X2APIC_BASE || index > MSR_X2APIC_LAST) {
        return false;
    }
    uint32_t reg = (index - MSR_X2APIC_BASE) << 4;
    /* Only ICR is 64 bits wide; the upper half of the others is reserved. */
    if (reg != APIC_ICR && (val >> 32)) {
        return false;
    }
    return apic_reg_write(s, reg, val, true);
}

uint8_t apic_get_cr8(APICState *s)
{
    return s->tpr >> 4;
}

void apic_set_cr8(APICState *s, uint8_t cr8)
{
    /* Writing CR8 clears TPR[3:0]. */
    s->tpr = (cr8 & 0xf) << 4;
    apic_update_irq(s);
}

/* ---- IA32_APIC_BASE (§10.4.4, x2APIC state transitions §10.12.5) ---- */

uint64_t apic_get_base(APICState *s)
{
    return s->apicbase;
}

bool apic_set_base(APICState *s, uint64_t val)
{
    uint64_t reserved = ~(APIC_BASE_ADDR_MASK | APIC_BASE_BSP | APIC_BASE_EXTD |
                          APIC_BASE_ENABLE);
    bool old_en = s->apicbase & APIC_BASE_ENABLE, old_x2 = apic_x2apic(s);
    bool en = val & APIC_BASE_ENABLE, x2 = val & APIC_BASE_EXTD;

    if (val & reserved) {
        return false;
    }
    if (!en && x2) {
        return false;               /* invalid state */
    }
    if (old_x2 && en && !x2) {
        return false;               /* x2APIC -> xAPIC must go through disabled */
    }
    if (!old_en && en && x2) {
        return false;               /* disabled -> x2APIC must go through xAPIC */
    }
    /* The BSP flag is the hardware's to say. */
    s->apicbase = (val & ~APIC_BASE_BSP) | (s->apicbase & APIC_BASE_BSP);
    if (old_en && !en) {
        /* Disabling loses the APIC's state (§10.4.3). */
        s->id = s->initial_id & 0xff;
        apic_init_reset(s);
    } else if (!old_x2 && x2) {
        s->id = s->initial_id;
        s->ldr = x2apic_ldr(s->id);
    }
    apic_update_irq(s);
    return true;
}

uint64_t apic_get_tsc_deadline(APICState *s)
{
    if (apic_timer_mode(s) != APIC_LVT_TIMER_TSCDEADLINE) {
        return 0;
    }
    return s->tsc_deadline;
}

void apic_set_tsc_deadline(APICState *s, uint64_t val)
{
    if (apic_timer_mode(s) != APIC_LVT_TIMER_TSCDEADLINE) {
        return;                     /* §10.5.4.1: ignored in other modes */
    }
    s->tsc_deadline = val;
    apic_arm_deadline(s);
}

void apic_tsc_changed(APICState *s)
{
    if (apic_timer_mode(s) == APIC_LVT_TIMER_TSCDEADLINE && s->tsc_deadline) {
        apic_arm_deadline(s);
    }
}

/* ---- reset ---- */

void apic_init_reset(APICState *s)
{
    s->tpr = 0;
    s->ldr = apic_x2apic(s) ? x2apic_ldr(s->id) : 0;
    s->dfr = 0xffffffff;
    s->svr = 0xff;
    memset(s->isr, 0, sizeof(s->isr));
    memset(s->tmr, 0, sizeof(s->tmr));
    memset(s->irr, 0, sizeof(s->irr));
    s->esr = s->esr_pending = 0;
    s->icr[0] = s->icr[1] = 0;
    for (int i = 0; i < APIC_LVT_NB; i++) {
        s->lvt[i] = APIC_LVT_MASKED;
    }
    s->divide_conf = 0;
    s->initial_count = 0;
    s->count_load_time = 0;
    s->tsc_deadline = 0;
    s->extint_pending = false;
    apic_timer_stop(s);
    apic_update_irq(s);
}

static void apic_reset(DeviceState *dev, ResetType type)
{
    APICState *s = APIC(dev);

    s->apicbase = APIC_DEFAULT_BASE | APIC_BASE_ENABLE | (s->bsp ? APIC_BASE_BSP : 0);
    s->id = s->initial_id & 0xff;
    apic_init_reset(s);
    if (s->lint0_extint) {
        /* What KVM and QEMU give the BSP at reset (virtual wire for the 8259 before
         * the OS programs the APIC), although the SDM resets every LVT masked. */
        s->lvt[APIC_LVT_LINT0] = APIC_DM_EXTINT << 8;
        apic_update_irq(s);
    }
}

void apic_setup_virtual_wire(APICState *s)
{
    apic_set_svr(s, s->svr | APIC_SVR_ENABLE);
    apic_write_lvt(s, APIC_LVT_LINT0, APIC_DM_EXTINT << 8);
    apic_write_lvt(s, APIC_LVT_LINT1, APIC_DM_NMI << 8);
}

void apic_set_cpu_hooks(APICState *s, const APICCpuOps *ops, void *cpu)
{
    s->ops = ops;
    s->cpu = cpu;
    s->irq_out = false;
    apic_update_irq(s);
}

/* ---- device ---- */

static uint64_t apic_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    return apic_mem_read(opaque, addr);
}

static void apic_mmio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    apic_mem_write(opaque, addr, val);
}

/* 32-bit registers; narrower reads see part of the register (§10.4.1 asks for
 * aligned 128-bit-spaced 32-bit accesses). */
static const MemoryRegionOps apic_mmio_ops = {
    .read = apic_mmio_read,
    .write = apic_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static void apic_instance_init(Object *obj)
{
    APICState *s = APIC(obj);

    s->timer = timer_new_ns(EMU_CLOCK_VIRTUAL, apic_timer_cb, s);
    s->next_time = -1;
    memory_region_init_io(&s->mmio, obj, &apic_mmio_ops, s, "apic", APIC_MMIO_SIZE);
    qdev_init_gpio_in_named(DEVICE(obj), apic_lint_gpio, "lint", 2);
}

static void apic_realize(DeviceState *dev, Error **errp)
{
    APICState *s = APIC(dev);

    if (!s->tsc_hz) {
        error_setg(errp, "apic: tsc-frequency must not be 0");
        return;
    }
    for (GList *l = apic_list; l; l = l->next) {
        if (((APICState *)l->data)->initial_id == s->initial_id) {
            error_setg(errp, "apic: APIC ID %u is already in use", s->initial_id);
            return;
        }
    }
    apic_list = g_list_append(apic_list, s);
    apic_reset(dev, RESET_TYPE_COLD);
    s->lint_level[0] = pic_int_level;
}

static void apic_unrealize(DeviceState *dev)
{
    apic_list = g_list_remove(apic_list, APIC(dev));
}

static void apic_finalize(Object *obj)
{
    APICState *s = APIC(obj);
    timer_free(s->timer);
    memory_region_finalize(&s->mmio);
}

static const char *const lvt_names[APIC_LVT_NB] = {
    "timer", "thermal", "perf", "LINT0", "LINT1", "error",
};

static void print_bits256(GString *out, const char *name, const uint32_t *r)
{
    g_string_append_printf(out, "  %s:", name);
    for (int v = 0; v < 256; v++) {
        if (bit256_test(r, v)) {
            g_string_append_printf(out, " %d", v);
        }
    }
    g_string_append(out, "\n");
}

void apic_print_info(APICState *s, GString *out)
{
    static const char *const timer_modes[] = { "one-shot", "periodic", "tsc-deadline", "?" };

    g_string_append_printf(out, "apic %u: base=0x%016" PRIx64 " (%s%s) id=0x%x ldr=0x%08x "
                           "dfr=0x%08x svr=0x%03x tpr=0x%02x ppr=0x%02x esr=0x%02x\n",
                           s->initial_id, s->apicbase,
                           !apic_hw_enabled(s) ? "disabled" :
                           apic_x2apic(s) ? "x2APIC" : "xAPIC",
                           s->apicbase & APIC_BASE_BSP ? ", BSP" : "", s->id, s->ldr,
                           s->dfr, s->svr, s->tpr, apic_ppr(s), s->esr);
    for (int i = 0; i < APIC_LVT_NB; i++) {
        g_string_append_printf(out, "  LVT %-7s 0x%08x%s\n", lvt_names[i], s->lvt[i],
                               s->lvt[i] & APIC_LVT_MASKED ? " masked" : "");
    }
    g_string_append_printf(out, "  timer: %s, divide /%d, initial %u, current %u, "
                           "deadline %" PRIu64 ", fired %" PRIu64 "\n",
                           timer_modes[apic_timer_mode(s) >> 17], 1 << apic_divide_shift(s),
                           s->initial_count, apic_current_count(s), s->tsc_deadline,
                           s->timer_fired);
    g_string_append_printf(out, "  ICR 0x%08x ICR2 0x%08x, LINT0 %d LINT1 %d%s\n",
                           s->icr[0], s->icr[1], s->lint_level[0], s->lint_level[1],
                           apic_has_interrupt(s) ? ", interrupt pending" : "");
    print_bits256(out, "IRR", s->irr);
    print_bits256(out, "ISR", s->isr);
    print_bits256(out, "TMR", s->tmr);
    g_string_append_printf(out, "  %" PRIu64 " accepted, %" PRIu64 " dropped, %" PRIu64
                           " ignored accesses\n", s->accepted, s->dropped,
                           DEVICE(s)->ignored_accesses);
}

static void info_lapic(GString *out)
{
    if (!apic_list) {
        g_string_append(out, "no emulated local APIC (no CPU, or KVM's in-kernel APIC)\n");
    }
    for (GList *l = apic_list; l; l = l->next) {
        apic_print_info(l->data, out);
    }
    g_string_append_printf(out, "APIC bus: %" PRIu64 " messages dropped (no destination)\n",
                           bus_dropped);
}

static void __attribute__((constructor)) apic_register_info(void)
{
    monitor_register_info("lapic", "show the emulated local APICs", info_lapic);
}

static const Property apic_props[] = {
    DEFINE_PROP_UINT32("id", APICState, initial_id, 0),
    DEFINE_PROP_BOOL("bsp", APICState, bsp, false),
    DEFINE_PROP_BOOL("lint0-extint", APICState, lint0_extint, false),
    DEFINE_PROP_UINT64("tsc-frequency", APICState, tsc_hz, 1000000000ull),
    DEFINE_PROP_END_OF_LIST(),
};

static void apic_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "local APIC (xAPIC/x2APIC)";
    dc->category = DEVICE_CATEGORY_CPU;
    dc->user_creatable = false;     /* one per CPU, made by the CPU code */
    dc->realize = apic_realize;
    dc->unrealize = apic_unrealize;
    dc->reset = apic_reset;
    device_class_set_props(dc, apic_props);
}

static const TypeInfo apic_types[] = {
    {
        .name = TYPE_APIC,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(APICState),
        .instance_init = apic_instance_init,
        .instance_finalize = apic_finalize,
        .class_init = apic_class_init,
    },
};
DEFINE_TYPES(apic_types)
