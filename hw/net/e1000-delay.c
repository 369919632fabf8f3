/*
 * 82540EM interrupt delay timers (8254x SDM 3.2.7.1, 3.4.1, 13.4.30,
 * 13.4.31, 13.4.41, 13.4.44), counted in 1.024 us units on the virtual clock:
 *
 * - RDTR, the receive packet timer: restarted by every frame written to
 *   memory; when it runs out, RXT0. 0 means no delay: RXT0 at once.
 * - RADV, the receive absolute timer: started by the first frame after the
 *   last RXT0 and not restarted; when it runs out, RXT0. Off when RADV or RDTR
 *   is 0. Either timer's RXT0 stops both (no spurious second interrupt).
 * - TIDV, the transmit timer: restarted by every descriptor written back with
 *   RS and IDE; when it runs out, TXDW. A written-back descriptor without IDE
 *   sets TXDW at once and stops both transmit timers. (0 is "not allowed";
 *   taken as no delay.)
 * - TADV, the transmit absolute timer: started by the first such descriptor,
 *   not restarted; 0 turns it off.
 *
 * Writing RDTR or TIDV with FPD (bit 31, self-clearing) expires the running
 * timer at once. The causes then go through ICR/IMS and ITR as any other.
 * With mitigation=off (QEMU's mit_on) every cause is immediate.
 */
#include "e1000-regs.h"

#define DELAY_FPD       (1u << 31)
#define DELAY_UNIT_NS   1024

static int64_t delay_ns(uint32_t reg)
{
    return (int64_t)(reg & 0xffff) * DELAY_UNIT_NS;
}

static void rx_delay_fire(E1000State *s)
{
    timer_del(s->rdtr_timer);
    timer_del(s->radv_timer);
    e1000_set_ics(s, ICR_RXT0);
}

static void tx_delay_fire(E1000State *s)
{
    timer_del(s->tidv_timer);
    timer_del(s->tadv_timer);
    e1000_set_ics(s, ICR_TXDW);
}

static void rx_timer_cb(void *opaque)
{
    rx_delay_fire(opaque);
}

static void tx_timer_cb(void *opaque)
{
    tx_delay_fire(opaque);
}

void e1000_rx_done_irq(E1000State *s)
{
    uint32_t *r = s->regs;

    if (!s->mit_on || !(r[RDTR] & 0xffff)) {
        rx_delay_fire(s);
        return;
    }
    int64_t now = clock_get_ns(EMU_CLOCK_VIRTUAL);
    timer_mod_ns(s->rdtr_timer, now + delay_ns(r[RDTR]));
    if ((r[RADV] & 0xffff) && !timer_pending(s->radv_timer)) {
        timer_mod_ns(s->radv_timer, now + delay_ns(r[RADV]));
    }
}

void e1000_tx_done_irq(E1000State *s, bool ide)
{
    uint32_t *r = s->regs;

    if (!s->mit_on || !ide || !(r[TIDV] & 0xffff)) {
        tx_delay_fire(s);
        return;
    }
    int64_t now = clock_get_ns(EMU_CLOCK_VIRTUAL);
    timer_mod_ns(s->tidv_timer, now + delay_ns(r[TIDV]));
    if ((r[TADV] & 0xffff) && !timer_pending(s->tadv_timer)) {
        timer_mod_ns(s->tadv_timer, now + delay_ns(r[TADV]));
    }
}

void e1000_delay_write(E1000State *s, unsigned reg, uint32_t val)
{
    s->regs[reg] = val & 0xffff;
    if (!(val & DELAY_FPD)) {
        return;
    }
    /* Flush partial descriptor block: the running timer expires now. */
    if (reg == RDTR && (timer_pending(s->rdtr_timer) || timer_pending(s->radv_timer))) {
        rx_delay_fire(s);
    } else if (reg == TIDV &&
               (timer_pending(s->tidv_timer) || timer_pending(s->tadv_timer))) {
        tx_delay_fire(s);
    }
}

void e1000_delay_reset(E1000State *s)
{
    timer_del(s->rdtr_timer);
    timer_del(s->radv_timer);
    timer_del(s->tidv_timer);
    timer_del(s->tadv_timer);
}

void e1000_delay_init(E1000State *s)
{
    s->rdtr_timer = timer_new_ns(EMU_CLOCK_VIRTUAL, rx_timer_cb, s);
    s->radv_timer = timer_new_ns(EMU_CLOCK_VIRTUAL, rx_timer_cb, s);
    s->tidv_timer = timer_new_ns(EMU_CLOCK_VIRTUAL, tx_timer_cb, s);
    s->tadv_timer = timer_new_ns(EMU_CLOCK_VIRTUAL, tx_timer_cb, s);
}

void e1000_delay_exit(E1000State *s)
{
    timer_free(s->rdtr_timer);
    timer_free(s->radv_timer);
    timer_free(s->tidv_timer);
    timer_free(s->tadv_timer);
    s->rdtr_timer = s->radv_timer = s->tidv_timer = s->tadv_timer = NULL;
}
