/*
 * MP tables (Intel MultiProcessor Specification 1.4, chapter 4). The layout
 * of what is listed follows SeaBIOS's src/fw/mptable.c, which is what QEMU
 * guests usually see: all enabled CPUs, one ISA bus, one I/O APIC, the 16 ISA
 * IRQs (IRQ 0 on pin 2 when overridden, IRQ 2 then unused), ExtINT on LINT0
 * of the BSP and NMI on LINT1 of every CPU.
 */
#include "hw/acpi/mptable.h"
#include "hw/acpi/aml.h"

enum {
    MPT_PROCESSOR = 0,
    MPT_BUS = 1,
    MPT_IOAPIC = 2,
    MPT_INTSRC = 3,
    MPT_LINTSRC = 4,
};

#define MPT_INT 0
#define MPT_NMI 1
#define MPT_EXTINT 3
/* Interrupt flags (MPS table 4-10): polarity bits 0-1, trigger mode bits 2-3. */
#define MPT_FLAGS_CONFORMING 0x0
#define MPT_FLAGS_HIGH_LEVEL 0xd

static uint8_t sum_bytes(const uint8_t *p, size_t len)
{
    uint8_t s = 0;
    while (len--) {
        s += *p++;
    }
    return s;
}

static void append_str(GByteArray *t, const char *s, size_t width)
{
    for (size_t i = 0; i < width; i++) {
        uint8_t c = i < strlen(s) ? s[i] : ' ';
        g_byte_array_append(t, &c, 1);
    }
}

static void append_intsrc(GByteArray *t, uint8_t type, uint8_t irqtype, uint16_t flags,
                          uint8_t bus, uint8_t busirq, uint8_t apic, uint8_t pin)
{
    build_append_int_noprefix(t, type, 1);
    build_append_int_noprefix(t, irqtype, 1);
    build_append_int_noprefix(t, flags, 2);
    build_append_int_noprefix(t, bus, 1);
    build_append_int_noprefix(t, busirq, 1);
    build_append_int_noprefix(t, apic, 1);
    build_append_int_noprefix(t, pin, 1);
}

GByteArray *mptable_build(const MPTableConfig *cfg, uint32_t base)
{
    GByteArray *t = g_byte_array_new();
    const uint8_t isa_bus = 0;
    unsigned entries = 0;

    g_assert(!(base & 15) && cfg->cpus >= 1 && cfg->cpus <= 255);

    /* MP floating pointer structure (MPS 4.1). */
    g_byte_array_append(t, (const uint8_t *)"_MP_", 4);
    build_append_int_noprefix(t, base + 16, 4);   /* the config table follows */
    build_append_int_noprefix(t, 1, 1);           /* length in 16-byte units */
    build_append_int_noprefix(t, 4, 1);           /* spec revision 1.4 */
    build_append_int_noprefix(t, 0, 1);           /* checksum */
    build_append_int_noprefix(t, 0, 5);           /* features: config table present,
                                                   * virtual wire mode (no IMCR) */

    /* MP configuration table header (MPS 4.2). */
    const unsigned hdr = t->len;
    g_byte_array_append(t, (const uint8_t *)"PCMP", 4);
    build_append_int_noprefix(t, 0, 2);           /* base table length */
    build_append_int_noprefix(t, 4, 1);           /* spec revision */
    build_append_int_noprefix(t, 0, 1);           /* checksum */
    append_str(t, "EMU", 8);                      /* OEM ID */
    append_str(t, "PC", 12);                      /* product ID */
    build_append_int_noprefix(t, 0, 4);           /* no OEM table */
    build_append_int_noprefix(t, 0, 2);
    build_append_int_noprefix(t, 0, 2);           /* entry count */
    build_append_int_noprefix(t, MPTABLE_LAPIC_ADDR, 4);
    build_append_int_noprefix(t, 0, 2);           /* no extended table */
    build_append_int_noprefix(t, 0, 1);
    build_append_int_noprefix(t, 0, 1);

    /* Processors (MPS 4.3.1): local APIC version 0x14, family 6 signature. */
    for (unsigned i = 0; i < cfg->cpus; i++) {
        build_append_int_noprefix(t, MPT_PROCESSOR, 1);
        build_append_int_noprefix(t, i, 1);           /* local APIC ID */
        build_append_int_noprefix(t, 0x14, 1);
        build_append_int_noprefix(t, 1 | (i == 0 ? 2 : 0), 1);   /* EN, BP */
        build_append_int_noprefix(t, 0x600, 4);       /* CPU signature */
        build_append_int_noprefix(t, 0x201, 4);       /* features: FPU, APIC */
        build_append_int_noprefix(t, 0, 8);
        entries++;
    }

    /* The ISA bus (MPS 4.3.2). */
    build_append_int_noprefix(t, MPT_BUS, 1);
    build_append_int_noprefix(t, isa_bus, 1);
    append_str(t, "ISA", 6);
    entries++;

    /* The I/O APIC (MPS 4.3.3), version 0x11, enabled. */
    build_append_int_noprefix(t, MPT_IOAPIC, 1);
    build_append_int_noprefix(t, cfg->ioapic_id, 1);
    build_append_int_noprefix(t, 0x11, 1);
    build_append_int_noprefix(t, 1, 1);
    build_append_int_noprefix(t, cfg->ioapic_addr, 4);
    entries++;

    /* I/O interrupt assignments (MPS 4.3.4): ISA IRQ n on pin n. */
    for (unsigned irq = 0; irq < 16; irq++) {
        unsigned pin = irq;
        if (cfg->irq0_override && irq == 2) {
            continue;   /* pin 2 carries IRQ 0; the cascade IRQ 2 goes nowhere */
        }
        if (cfg->irq0_override && irq == 0) {
            pin = 2;
        }
        uint16_t flags = (cfg->level_irqs & (1u << irq)) ? MPT_FLAGS_HIGH_LEVEL
                                                          : MPT_FLAGS_CONFORMING;
        append_intsrc(t, MPT_INTSRC, MPT_INT, flags, isa_bus, irq, cfg->ioapic_id, pin);
        entries++;
    }

    /* Local interrupt assignments (MPS 4.3.5). */
    append_intsrc(t, MPT_LINTSRC, MPT_EXTINT, MPT_FLAGS_CONFORMING, isa_bus, 0, 0, 0);
    append_intsrc(t, MPT_LINTSRC, MPT_NMI, MPT_FLAGS_CONFORMING, isa_bus, 0, 0xff, 1);
    entries += 2;

    uint16_t len = t->len - hdr;
    t->data[hdr + 4] = len;
    t->data[hdr + 5] = len >> 8;
    t->data[hdr + 34] = entries;
    t->data[hdr + 35] = entries >> 8;
    t->data[hdr + 7] = -sum_bytes(t->data + hdr, len);
    t->data[10] = -sum_bytes(t->data, 16);
    return t;
}
