/*
 * Acknowledge and mask notifiers for interrupt lines of the emulated
 * interrupt controllers, for a source that must know when the guest has
 * taken its interrupt (the 8254's lost-tick reinjection, as KVM's in-kernel
 * PIT uses kvm_register_irq_ack_notifier / mask notifiers).
 *
 * A line is named by its controller and input: (IRQ_ACK_PIC, n) is ISA IRQ n
 * of the 8259 pair, acknowledged by its INTA cycle or poll command;
 * (IRQ_ACK_IOAPIC, pin) is an edge-triggered I/O APIC pin, acknowledged by the
 * local APIC EOI of its vector or a write of that vector to the I/O APIC's
 * EOI register. Notifiers run with the big lock held, after the controller
 * has finished updating its state, so they may raise the line again.
 */
#ifndef HW_INTC_IRQ_ACK_H
#define HW_INTC_IRQ_ACK_H

#include <stdbool.h>
#include <stdint.h>

typedef enum IrqAckChip {
    IRQ_ACK_PIC,
    IRQ_ACK_IOAPIC,
} IrqAckChip;

/* @acked: the guest took an interrupt of the line. @masked: its mask bit
 * changed to @masked. Either may be NULL. */
typedef struct IrqAckNotifier {
    void (*acked)(void *opaque);
    void (*mask_changed)(void *opaque, bool masked);
    void *opaque;
} IrqAckNotifier;

void irq_ack_notifier_add(IrqAckChip chip, int line, const IrqAckNotifier *n);
void irq_ack_notifier_remove(IrqAckChip chip, int line, void *opaque);
void irq_ack_notify(IrqAckChip chip, int line);
void irq_mask_notify(IrqAckChip chip, int line, bool masked);

/*
 * Lost-tick reinjection for a periodic timer on ISA IRQ 0 (the 8254, the
 * HPET's timer 0 in legacy replacement mode), as KVM's in-kernel PIT does with
 * reinject on (QEMU: lost_tick_policy=delay). The interrupt controllers latch
 * one edge (the 8259's IRR; the local APIC's IRR behind the I/O APIC), so a
 * period that ends while the previous interrupt is not yet acknowledged, or
 * several periods that pass while emu is not scheduled, reach the guest as one
 * interrupt, and an OS counting timer interrupts (Linux's jiffies in
 * check_timer) sees time stand still. Each such period is owed; each
 * acknowledge of IRQ 0 (8259 INTA or poll, EOI of I/O APIC pin 2's vector)
 * sends one owed edge until none are left. The owner bounds the debt and
 * drops it when the guest reprograms the timer; masking or unmasking I/O APIC
 * pin 2 drops it here. The 8259 latches edges in IRR even while IR0 is masked
 * (8259A datasheet, OCW1), and Linux masks IR0 around every interrupt it takes
 * through the 8259 (mask_and_ack_8259A): there the debt is dropped only when
 * IR0 is unmasked after a period ended while it was masked.
 */
typedef struct TickReinject {
    bool enabled;               /* lost_tick_policy=delay */
    bool awaiting_ack;          /* an edge went out, not yet acknowledged */
    bool pic_masked;            /* the 8259 masks IR0 */
    bool ticks_while_pic_masked;
    uint32_t backlog;           /* periods still owed */
    uint64_t reinjected;        /* edges sent from the backlog */
    uint64_t dropped;           /* owed periods dropped (bound, reprogram, mask) */
    /* Send one more edge on IRQ 0; false if the timer cannot now. */
    bool (*pulse)(void *opaque);
    void *opaque;
} TickReinject;

/* Register for ISA IRQ 0's acknowledges (8259 IR0, I/O APIC pin 2). */
void tick_reinject_init(TickReinject *r, bool (*pulse)(void *opaque), void *opaque);
void tick_reinject_fini(TickReinject *r);
/* @ticks periods ended; one of them went out as an edge if @driven. */
void tick_reinject_count(TickReinject *r, uint64_t ticks, bool driven, uint32_t limit);
/* Drop the debt (reprogramming, reset). */
void tick_reinject_reset(TickReinject *r);
/* The machine reset: also forget the 8259 mask state (IMR 0). */
void tick_reinject_machine_reset(TickReinject *r);

#endif
