/*
 * The I/O APIC (Intel 82093AA, with the EOI register of the ICH I/O APIC,
 * version 0x20): 24 redirection entries turning input pins into interrupt
 * messages for the local APICs (apic_deliver_irq, include/hw/intc/apic.h).
 *
 * GPIO: 24 unnamed inputs, pin n = GSI n (level 1 = asserted: polarity is
 * logical, as the MADT describes every input active-high). MMIO: IOREGSEL at
 * +0x00, IOWIN at +0x10, EOI at +0x40, mapped by the board at 0xfec00000.
 */
#ifndef HW_INTC_IOAPIC_H
#define HW_INTC_IOAPIC_H

#include "hw/core/qdev.h"
#include "system/memory.h"

#define TYPE_IOAPIC "ioapic"

#define IOAPIC_NUM_PINS 24
#define IOAPIC_DEFAULT_BASE 0xfec00000u
#define IOAPIC_MMIO_SIZE 0x1000

/* Register offsets in the MMIO window. */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN 0x10
#define IOAPIC_EOI 0x40

/* Indirect registers. */
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REG_ARB 0x02
#define IOAPIC_REG_REDTBL 0x10

/* Redirection entry fields (82093AA §3.2.4). */
#define IOAPIC_RTE_VECTOR 0xffull
#define IOAPIC_RTE_DELMODE_SHIFT 8
#define IOAPIC_RTE_DELMODE (7ull << 8)
#define IOAPIC_RTE_DESTMODE (1ull << 11)
#define IOAPIC_RTE_DELIVS (1ull << 12)
#define IOAPIC_RTE_POLARITY (1ull << 13)
#define IOAPIC_RTE_REMOTE_IRR (1ull << 14)
#define IOAPIC_RTE_TRIGGER (1ull << 15)
#define IOAPIC_RTE_MASK (1ull << 16)
#define IOAPIC_RTE_DEST_SHIFT 56

typedef struct IOAPICState {
    DeviceState parent_obj;
    MemoryRegion mmio;
    uint8_t version;            /* property, 0x11 (82093AA) or 0x20 (ICH, EOI register) */
    uint8_t id;
    uint8_t ioregsel;
    uint32_t irr;               /* pins asserted (level) */
    uint64_t rte[IOAPIC_NUM_PINS];
    /* Statistics (info pic, info irq); read-only QOM properties for tests. */
    uint64_t delivered;         /* messages sent to the APIC bus */
    uint64_t last_message;      /* redirection entry of the last message sent */
    uint64_t pin_count[IOAPIC_NUM_PINS];
} IOAPICState;

DECLARE_INSTANCE_CHECKER(IOAPICState, IOAPIC, TYPE_IOAPIC)

/*
 * A local APIC's EOI for a level-triggered @vector: clears the remote IRR of
 * the entries using it in every I/O APIC and redelivers the ones whose pin is
 * still asserted (82093AA §3.2.4, Remote IRR).
 */
void ioapic_eoi_broadcast(int vector);
/* A local APIC EOI of an edge-triggered @vector (for acknowledge notifiers). */
void ioapic_eoi_edge(int vector);
/* The redirection table, for `info pic`. */
void ioapic_print_info(DeviceState *dev, GString *out);
void ioapic_print_irq_counts(DeviceState *dev, GString *out);

#endif
