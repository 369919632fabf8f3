/*
 * Acknowledge and mask notifiers of interrupt lines (see irq-ack.h). A short
 * list: only a few sources (the PIT) ever register.
 */
#include "hw/intc/irq-ack.h"

#include <glib.h>
#include <stdint.h>

typedef struct IrqAckEntry {
    IrqAckChip chip;
    int line;
    IrqAckNotifier n;
} IrqAckEntry;

static GSList *entries;

void irq_ack_notifier_add(IrqAckChip chip, int line, const IrqAckNotifier *n)
{
    IrqAckEntry *e = g_new(IrqAckEntry, 1);

    e->chip = chip;
    e->line = line;
    e->n = *n;
    entries = g_slist_append(entries, e);
}

void irq_ack_notifier_remove(IrqAckChip chip, int line, void *opaque)
{
    for (GSList *l = entries; l; l = l->next) {
        IrqAckEntry *e = l->data;
        if (e->chip == chip && e->line == line && e->n.opaque == opaque) {
            entries = g_slist_delete_link(entries, l);
            g_free(e);
            return;
        }
    }
}

void irq_ack_notify(IrqAckChip chip, int line)
{
    for (GSList *l = entries, *next; l; l = next) {
        IrqAckEntry *e = l->data;
        next = l->next;
        if (e->chip == chip && e->line == line && e->n.acked) {
            e->n.acked(e->n.opaque);
        }
    }
}

void irq_mask_notify(IrqAckChip chip, int line, bool masked)
{
    for (GSList *l = entries, *next; l; l = next) {
        IrqAckEntry *e = l->data;
        next = l->next;
        if (e->chip == chip && e->line == line && e->n.mask_changed) {
            e->n.mask_changed(e->n.opaque, masked);
        }
    }
}

/* The 8259 input and I/O APIC pin of ISA IRQ 0 on the PC (the MADT's
 * interrupt source override, hw/i386/pc-intc.c). */
#define IRQ0_PIC_LINE 0
#define IRQ0_IOAPIC_PIN 2

void tick_reinject_reset(TickReinject *r)
{
    r->dropped += r->backlog;
    r->backlog = 0;
    r->awaiting_ack = false;
}

void tick_reinject_machine_reset(TickReinject *r)
{
    tick_reinject_reset(r);
    r->pic_masked = r->ticks_while_pic_masked = false;
}

void tick_reinject_count(TickReinject *r, uint64_t ticks, bool driven, uint32_t limit)
{
    uint64_t owed = ticks;

    if (!r->enabled || !ticks) {
        return;
    }
    if (r->pic_masked) {
        r->ticks_while_pic_masked = true;
    }
    if (driven && !r->awaiting_ack) {
        r->awaiting_ack = true;
        owed--;
    }
    owed += r->backlog;
    if (owed > limit) {
        r->dropped += owed - limit;
        owed = limit;
    }
    r->backlog = owed;
}

static void tick_reinject_acked(void *opaque)
{
    TickReinject *r = opaque;

    r->awaiting_ack = false;
    if (r->enabled && r->backlog && r->pulse(r->opaque)) {
        r->backlog--;
        r->reinjected++;
        r->awaiting_ack = true;
    }
}

static void tick_reinject_ioapic_mask(void *opaque, bool masked)
{
    tick_reinject_reset(opaque);
}

static void tick_reinject_pic_mask(void *opaque, bool masked)
{
    TickReinject *r = opaque;

    if (!masked && r->ticks_while_pic_masked) {
        tick_reinject_reset(r);
    }
    r->pic_masked = masked;
    r->ticks_while_pic_masked = false;
}

void tick_reinject_init(TickReinject *r, bool (*pulse)(void *opaque), void *opaque)
{
    IrqAckNotifier pic = {
        .acked = tick_reinject_acked, .mask_changed = tick_reinject_pic_mask, .opaque = r,
    };
    IrqAckNotifier ioapic = {
        .acked = tick_reinject_acked, .mask_changed = tick_reinject_ioapic_mask, .opaque = r,
    };

    r->pulse = pulse;
    r->opaque = opaque;
    irq_ack_notifier_add(IRQ_ACK_PIC, IRQ0_PIC_LINE, &pic);
    irq_ack_notifier_add(IRQ_ACK_IOAPIC, IRQ0_IOAPIC_PIN, &ioapic);
}

void tick_reinject_fini(TickReinject *r)
{
    irq_ack_notifier_remove(IRQ_ACK_PIC, IRQ0_PIC_LINE, r);
    irq_ack_notifier_remove(IRQ_ACK_IOAPIC, IRQ0_IOAPIC_PIN, r);
}
