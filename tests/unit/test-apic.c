/*
 * The local APIC core in-process (no CPU exists under qtest): reset values,
 * IRR/ISR/PPR priority handling and EOI, the I/O APIC level-triggered
 * round trip (remote IRR cleared by the LAPIC's EOI broadcast), the timer in
 * one-shot, periodic and TSC-deadline modes with the divide configuration,
 * IPIs (physical, logical flat and cluster, shorthands, lowest priority, NMI,
 * INIT, SIPI), x2APIC mode through IA32_APIC_BASE and the MSRs, ESR, ExtINT
 * from an 8259 (whose INTA cycle, pic_read_irq, is checked here too, with its
 * spurious IRQ7/IRQ15 vectors) and MSI. Facts from the Intel SDM vol. 3A
 * ch. 10 and the 8259A datasheet.
 */
#include "hw/intc/apic.h"
#include "hw/intc/ioapic.h"
#include "hw/intc/i8259.h"

typedef struct FakeCPU {
    int nmi, smi, init, sipi;
    int sipi_vector;
    bool pending;
    int pending_calls;
    uint64_t tsc;
    bool has_tsc;
} FakeCPU;

static void cpu_pending(void *opaque, bool pending)
{
    FakeCPU *c = opaque;
    c->pending = pending;
    c->pending_calls++;
}

static void cpu_nmi(void *opaque)
{
    ((FakeCPU *)opaque)->nmi++;
}

static void cpu_smi(void *opaque)
{
    ((FakeCPU *)opaque)->smi++;
}

static void cpu_init(void *opaque)
{
    ((FakeCPU *)opaque)->init++;
}

static void cpu_sipi(void *opaque, uint8_t vector)
{
    FakeCPU *c = opaque;
    c->sipi++;
    c->sipi_vector = vector;
}

static uint64_t cpu_tsc(void *opaque)
{
    return ((FakeCPU *)opaque)->tsc;
}

static const APICCpuOps fake_ops = {
    .interrupt_pending = cpu_pending,
    .nmi = cpu_nmi,
    .smi = cpu_smi,
    .init = cpu_init,
    .sipi = cpu_sipi,
};

static const APICCpuOps fake_ops_tsc = {
    .interrupt_pending = cpu_pending,
    .get_tsc = cpu_tsc,
};

static APICState *new_apic(uint32_t id, bool bsp, FakeCPU *cpu)
{
    DeviceState *dev = qdev_new(TYPE_APIC);
    object_property_set_uint(OBJECT(dev), "id", id, &error_abort);
    object_property_set_bool(OBJECT(dev), "bsp", bsp, &error_abort);
    g_assert_true(qdev_realize(dev, NULL, &error_abort));
    APICState *s = APIC(dev);
    if (cpu) {
        apic_set_cpu_hooks(s, cpu->has_tsc ? &fake_ops_tsc : &fake_ops, cpu);
    }
    return s;
}

static void free_dev(void *dev)
{
    object_unparent(OBJECT(dev));
    object_unref(dev);
}

static void advance(int64_t ns)
{
    clock_virtual_advance_to(clock_get_ns(EMU_CLOCK_VIRTUAL) + ns);
}

static uint32_t rd(APICState *s, hwaddr reg)
{
    return apic_mem_read(s, reg);
}

static void wr(APICState *s, hwaddr reg, uint32_t val)
{
    apic_mem_write(s, reg, val);
}

static void sw_enable(APICState *s)
{
    wr(s, APIC_SVR, 0x1ff);
}

static bool irr_has(APICState *s, int v)
{
    return rd(s, APIC_IRR + (v >> 5) * 0x10) & (1u << (v & 31));
}

static bool isr_has(APICState *s, int v)
{
    return rd(s, APIC_ISR + (v >> 5) * 0x10) & (1u << (v & 31));
}

static bool tmr_has(APICState *s, int v)
{
    return rd(s, APIC_TMR + (v >> 5) * 0x10) & (1u << (v & 31));
}

/* Power-up values (SDM §10.4.7.1) and the BSP flag in IA32_APIC_BASE. */
static void test_reset_state(void)
{
    FakeCPU c = { 0 };
    APICState *s = new_apic(3, true, &c);

    g_assert_cmphex(apic_get_base(s), ==, 0xfee00000 | APIC_BASE_ENABLE | APIC_BASE_BSP);
    g_assert_cmphex(rd(s, APIC_ID), ==, 3u << 24);
    g_assert_cmphex(rd(s, APIC_LVR), ==, 0x00050014);
    g_assert_cmphex(rd(s, APIC_SVR), ==, 0xff);
    g_assert_cmphex(rd(s, APIC_DFR), ==, 0xffffffff);
    for (hwaddr r = APIC_LVTT; r <= APIC_LVTERR; r += 0x10) {
        g_assert_cmphex(rd(s, r), ==, APIC_LVT_MASKED);
    }
    g_assert_true(apic_mmio_enabled(s));
    /* While software-disabled, LVT masks cannot be cleared (§10.4.7.2). */
    wr(s, APIC_LVTT, 0x30);
    g_assert_cmphex(rd(s, APIC_LVTT), ==, APIC_LVT_MASKED | 0x30);
    free_dev(s);
}

/* Fixed interrupts: IRR -> ISR at INTA, PPR, TPR, nesting and EOI. */
static void test_priority_and_eoi(void)
{
    FakeCPU c = { 0 };
    APICState *s = new_apic(0, true, &c);

    /* Software-disabled: fixed interrupts are not accepted. */
    apic_deliver_irq(0, APIC_DEST_PHYSICAL, APIC_DM_FIXED, 0x40, APIC_TRIGGER_EDGE);
    g_assert_false(irr_has(s, 0x40));
    sw_enable(s);

    g_assert_cmpint(apic_deliver_irq(0, APIC_DEST_PHYSICAL, APIC_DM_FIXED, 0x41,
                                     APIC_TRIGGER_EDGE), ==, 1);
    apic_deliver_irq(0, APIC_DEST_PHYSICAL, APIC_DM_FIXED, 0x62, APIC_TRIGGER_EDGE);
    g_assert_true(irr_has(s, 0x41));
    g_assert_true(c.pending);
    g_assert_true(apic_has_interrupt(s));

    /* TPR class 6 holds off 0x62 (class 6) and 0x41. */
    wr(s, APIC_TPR, 0x60);
    g_assert_false(apic_has_interrupt(s));
    g_assert_false(c.pending);
    g_assert_cmpint(apic_get_interrupt(s), ==, -1);
    /* CR8 is TPR[7:4]. */
    g_assert_cmpuint(apic_get_cr8(s), ==, 6);
    apic_set_cr8(s, 5);
    g_assert_cmphex(rd(s, APIC_TPR), ==, 0x50);
    g_assert_true(apic_has_interrupt(s));

    g_assert_cmpint(apic_get_interrupt(s), ==, 0x62);
    g_assert_true(isr_has(s, 0x62));
    g_assert_false(irr_has(s, 0x62));
    g_assert_cmphex(rd(s, APIC_PPR), ==, 0x60);
    /* 0x41 is in a lower class than the one in service. */
    g_assert_false(apic_has_interrupt(s));
    /* A higher class nests. */
    apic_deliver_irq(0, APIC_DEST_PHYSICAL, APIC_DM_FIXED, 0x91, APIC_TRIGGER_EDGE);
    g_assert_cmpint(apic_get_interrupt(s), ==, 0x91);
    wr(s, APIC_EOI, 0);
    g_assert_false(isr_has(s, 0x91));
    g_assert_true(isr_has(s, 0x62));
    wr(s, APIC_EOI, 0);
    g_assert_cmphex(rd(s, APIC_PPR), ==, 0x50);
    g_assert_false(apic_has_interrupt(s));          /* 0x41 is below the TPR */
    wr(s, APIC_TPR, 0);
    g_assert_cmpint(apic_get_interrupt(s), ==, 0x41);
    wr(s, APIC_EOI, 0);
    g_assert_false(apic_has_interrupt(s));

    /* Vectors 0-15 are illegal: receive error in ESR, latched by a write. */
    apic_deliver_irq(0, APIC_DEST_PHYSICAL, APIC_DM_FIXED, 0x05, APIC_TRIGGER_EDGE);
    g_assert_cmphex(rd(s, APIC_ESR), ==, 0);
    wr(s, APIC_ESR, 0);
    g_assert_cmphex(rd(s, APIC_ESR), ==, APIC_ESR_RECV_ILLEGAL_VECTOR);
    wr(s, APIC_ESR, 0);
    g_assert_cmphex(rd(s, APIC_ESR), ==, 0);
    free_dev(s);
}

static void ioapic_wr(IOAPICState *io, uint8_t reg, uint32_t val)
{
    MemoryRegion *mr = &io->mmio;
    mr->ops->write(io, IOAPIC_IOREGSEL, reg, 4);
    mr->ops->write(io, IOAPIC_IOWIN, val, 4);
}

/* Level-triggered: remote IRR until the LAPIC's EOI of a TMR vector. */
static void test_ioapic_level_eoi(void)
{
    FakeCPU c = { 0 };
    APICState *s = new_apic(0, true, &c);
    DeviceState *dev = qdev_new(TYPE_IOAPIC);
    g_assert_true(qdev_realize(dev, NULL, &error_abort));
    qdev_reset(dev, RESET_TYPE_COLD);
    IOAPICState *io = IOAPIC(dev);
    qemu_irq pin5 = qdev_get_gpio_in(dev, 5);

    sw_enable(s);
    ioapic_wr(io, IOAPIC_REG_REDTBL + 10 + 1, 0);             /* dest 0 */
    ioapic_wr(io, IOAPIC_REG_REDTBL + 10, 0x8000 | 0x45);     /* level, vector 0x45 */
    qemu_set_irq(pin5, 1);
    g_assert_true(irr_has(s, 0x45));
    g_assert_true(tmr_has(s, 0x45));
    g_assert_true(io->rte[5] & IOAPIC_RTE_REMOTE_IRR);
    g_assert_cmpint(apic_get_interrupt(s), ==, 0x45);
    wr(s, APIC_EOI, 0);
    /* Still asserted: redelivered after the EOI broadcast. */
    g_assert_true(irr_has(s, 0x45));
    g_assert_true(io->rte[5] & IOAPIC_RTE_REMOTE_IRR);
    qemu_set_irq(pin5, 0);
    g_assert_cmpint(apic_get_interrupt(s), ==, 0x45);
    wr(s, APIC_EOI, 0);
    g_assert_false(io->rte[5] & IOAPIC_RTE_REMOTE_IRR);
    g_assert_false(irr_has(s, 0x45));
    free_dev(dev);
    free_dev(s);
}

/* Timer: divide configuration, one-shot and periodic (SDM §10.5.4). */
static void test_timer_oneshot_periodic(void)
{
    FakeCPU c = { 0 };
    APICState *s = new_apic(0, true, &c);

    sw_enable(s);
    wr(s, APIC_TDCR, 0x0b);                 /* divide by 1: 1 count per ns */
    wr(s, APIC_LVTT, 0x30);                 /* one-shot, vector 0x30 */
    wr(s, APIC_TMICT, 1000);
    advance(400);
    g_assert_cmpuint(rd(s, APIC_TMCCT), ==, 600);
    g_assert_false(irr_has(s, 0x30));
    advance(600);
    g_assert_true(irr_has(s, 0x30));
    g_assert_cmpuint(rd(s, APIC_TMCCT), ==, 0);
    g_assert_cmpint(apic_get_interrupt(s), ==, 0x30);
    wr(s, APIC_EOI, 0);
    advance(5000);
    g_assert_false(irr_has(s, 0x30));       /* one-shot: no reload */

    /* Divide by 2 (TDCR 0): 100 counts take 200 ns. */
    wr(s, APIC_TDCR, 0x00);
    wr(s, APIC_TMICT, 100);
    advance(100);
    g_assert_cmpuint(rd(s, APIC_TMCCT), ==, 50);
    /* Divide by 128 (TDCR 0xa). */
    wr(s, APIC_TDCR, 0x0a);
    wr(s, APIC_TMICT, 100);
    advance(128 * 10);
    g_assert_cmpuint(rd(s, APIC_TMCCT), ==, 90);
    wr(s, APIC_TMICT, 0);                   /* stops the timer */
    g_assert_cmpuint(rd(s, APIC_TMCCT), ==, 0);

    /* Periodic, 100 us, masked at first: counts but does not interrupt. */
    wr(s, APIC_TDCR, 0x0b);
    wr(s, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | APIC_LVT_MASKED | 0x31);
    wr(s, APIC_TMICT, 100000);
    advance(100000);
    g_assert_false(irr_has(s, 0x31));
    g_assert_cmpuint(rd(s, APIC_TMCCT), ==, 100000);    /* reloaded */
    wr(s, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0x31);
    for (int i = 0; i < 3; i++) {
        advance(100000);
        g_assert_true(irr_has(s, 0x31));
        g_assert_cmpint(apic_get_interrupt(s), ==, 0x31);
        wr(s, APIC_EOI, 0);
    }
    advance(25000);
    g_assert_cmpuint(rd(s, APIC_TMCCT), ==, 75000);
    g_assert_cmpuint(s->timer_fired, ==, 5);
    free_dev(s);
}

/* TSC-deadline mode (§10.5.4.1): IA32_TSC_DEADLINE arms, TMICT is ignored. */
static void test_timer_tsc_deadline(void)
{
    FakeCPU c = { .has_tsc = true, .tsc = 1000000 };
    APICState *s = new_apic(0, true, &c);

    sw_enable(s);
    /* Not in deadline mode: the MSR reads 0 and ignores writes. */
    apic_set_tsc_deadline(s, 5);
    g_assert_cmpuint(apic_get_tsc_deadline(s), ==, 0);
    wr(s, APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | 0x40);
    wr(s, APIC_TMICT, 10);
    g_assert_cmpuint(rd(s, APIC_TMICT), ==, 0);
    /* 1 GHz TSC ("tsc-frequency" default): 2000 cycles = 2000 ns. */
    apic_set_tsc_deadline(s, c.tsc + 2000);
    g_assert_cmpuint(apic_get_tsc_deadline(s), ==, 1002000);
    advance(1999);
    g_assert_false(irr_has(s, 0x40));
    advance(1);
    g_assert_true(irr_has(s, 0x40));
    g_assert_cmpuint(apic_get_tsc_deadline(s), ==, 0);  /* disarmed after firing */
    apic_get_interrupt(s);
    wr(s, APIC_EOI, 0);
    /* A deadline already passed fires at once. */
    apic_set_tsc_deadline(s, c.tsc - 1);
    g_assert_true(irr_has(s, 0x40));
    apic_get_interrupt(s);
    wr(s, APIC_EOI, 0);
    /* Leaving deadline mode disarms. */
    apic_set_tsc_deadline(s, c.tsc + 100);
    wr(s, APIC_LVTT, 0x40);
    advance(1000);
    g_assert_false(irr_has(s, 0x40));
    free_dev(s);
}

/* IPIs through the ICR (§10.6): destinations, shorthands, delivery modes. */
static void test_ipi(void)
{
    FakeCPU c0 = { 0 }, c1 = { 0 }, c2 = { 0 };
    APICState *a0 = new_apic(0, true, &c0);
    APICState *a1 = new_apic(1, false, &c1);
    APICState *a2 = new_apic(2, false, &c2);
    APICState *all[] = { a0, a1, a2 };

    for (int i = 0; i < 3; i++) {
        sw_enable(all[i]);
    }
    /* Physical destination 1, fixed. */
    wr(a0, APIC_ICR2, 1u << 24);
    wr(a0, APIC_ICR, 0x4050);
    g_assert_true(irr_has(a1, 0x50));
    g_assert_false(irr_has(a2, 0x50));
    g_assert_false(rd(a0, APIC_ICR) & (1u << 12));     /* delivery status: idle */

    /* Logical flat: LDR bits, DFR all ones. */
    wr(a1, APIC_LDR, 0x02u << 24);
    wr(a2, APIC_LDR, 0x04u << 24);
    wr(a0, APIC_ICR2, 0x06u << 24);
    wr(a0, APIC_ICR, 0x0800 | 0x51);
    g_assert_true(irr_has(a1, 0x51) && irr_has(a2, 0x51));
    /* Logical cluster: cluster 1 member bit 2. */
    for (int i = 0; i < 3; i++) {
        wr(all[i], APIC_DFR, 0x0fffffff);
    }
    wr(a1, APIC_LDR, 0x11u << 24);
    wr(a2, APIC_LDR, 0x12u << 24);
    wr(a0, APIC_ICR2, 0x12u << 24);
    wr(a0, APIC_ICR, 0x0800 | 0x52);
    g_assert_false(irr_has(a1, 0x52));
    g_assert_true(irr_has(a2, 0x52));

    /* Shorthands: self, all excluding self. */
    wr(a0, APIC_ICR, (1u << 18) | 0x53);
    g_assert_true(irr_has(a0, 0x53));
    g_assert_false(irr_has(a1, 0x53));
    wr(a0, APIC_ICR, (3u << 18) | 0x54);
    g_assert_false(irr_has(a0, 0x54));
    g_assert_true(irr_has(a1, 0x54) && irr_has(a2, 0x54));

    /* Lowest priority: to the APIC with the lowest priority (a2's TPR is 0). */
    wr(a1, APIC_TPR, 0x80);
    wr(a0, APIC_TPR, 0x80);
    wr(a0, APIC_ICR, (2u << 18) | (APIC_DM_LOWEST << 8) | 0x55);
    g_assert_true(irr_has(a2, 0x55));
    g_assert_false(irr_has(a0, 0x55) || irr_has(a1, 0x55));

    /* NMI, INIT, SIPI reach the CPU hooks; INIT resets the APIC but its ID. */
    wr(a0, APIC_ICR2, 2u << 24);
    wr(a0, APIC_ICR, APIC_DM_NMI << 8);
    g_assert_cmpint(c2.nmi, ==, 1);
    wr(a0, APIC_ICR, (APIC_DM_INIT << 8) | APIC_ICR_LEVEL_ASSERT);
    g_assert_cmpint(c2.init, ==, 1);
    g_assert_cmphex(rd(a2, APIC_SVR), ==, 0xff);
    g_assert_false(irr_has(a2, 0x55));
    g_assert_cmphex(rd(a2, APIC_ID), ==, 2u << 24);
    /* INIT level de-assert does nothing. */
    wr(a0, APIC_ICR, (APIC_DM_INIT << 8) | APIC_LVT_LEVEL);
    g_assert_cmpint(c2.init, ==, 1);
    wr(a0, APIC_ICR, (APIC_DM_SIPI << 8) | 0x9a);
    g_assert_cmpint(c2.sipi, ==, 1);
    g_assert_cmpint(c2.sipi_vector, ==, 0x9a);

    /* Sending an illegal vector sets "send illegal vector". */
    wr(a0, APIC_ICR, 0x0003);
    wr(a0, APIC_ESR, 0);
    g_assert_cmphex(rd(a0, APIC_ESR), ==, APIC_ESR_SEND_ILLEGAL_VECTOR);

    /* An MSI: destination 1 in the address, vector in the data. */
    apic_send_msi(0xfee01000, 0x0066);
    g_assert_true(irr_has(a1, 0x66));
    for (int i = 0; i < 3; i++) {
        free_dev(all[i]);
    }
}

/* x2APIC (§10.12): IA32_APIC_BASE transitions and the MSR interface. */
static void test_x2apic(void)
{
    FakeCPU c0 = { 0 }, c1 = { 0 };
    APICState *a0 = new_apic(0, true, &c0);
    APICState *a1 = new_apic(0x21, false, &c1);
    uint64_t v;
    uint64_t base = apic_get_base(a1);

    sw_enable(a0);
    sw_enable(a1);
    /* No x2APIC MSRs in xAPIC mode. */
    g_assert_false(apic_msr_read(a1, 0x802, &v));
    /* Invalid: EXTD without EN; disabled -> x2APIC. */
    g_assert_false(apic_set_base(a1, (base & ~APIC_BASE_ENABLE) | APIC_BASE_EXTD));
    g_assert_true(apic_set_base(a1, base | APIC_BASE_EXTD));
    g_assert_false(apic_mmio_enabled(a1));
    g_assert_true(apic_msr_read(a1, 0x802, &v));
    g_assert_cmphex(v, ==, 0x21);                          /* 32-bit ID */
    g_assert_true(apic_msr_read(a1, 0x80d, &v));
    g_assert_cmphex(v, ==, (2u << 16) | (1u << 1));        /* cluster 2, bit 1 */
    g_assert_false(apic_msr_write(a1, 0x802, 5));          /* ID read-only */
    g_assert_false(apic_msr_write(a1, 0x80b, 1));          /* EOI must be 0 */
    g_assert_false(apic_msr_read(a1, 0x80e, &v));          /* no DFR */
    g_assert_false(apic_msr_read(a1, 0x83f, &v));          /* SELF IPI write-only */
    /* x2APIC -> xAPIC directly is refused. */
    g_assert_false(apic_set_base(a1, base));

    /* SELF IPI. */
    g_assert_true(apic_msr_write(a1, 0x83f, 0x70));
    g_assert_true(apic_msr_read(a1, 0x823, &v));          /* IRR vectors 0x60-0x7f */
    g_assert_cmphex(v, ==, 1u << (0x70 - 0x60));
    g_assert_cmpint(apic_get_interrupt(a1), ==, 0x70);
    g_assert_true(apic_msr_write(a1, 0x80b, 0));
    /* ICR as one 64-bit MSR, 32-bit destination. */
    apic_set_base(a0, apic_get_base(a0) | APIC_BASE_EXTD);
    g_assert_true(apic_msr_write(a0, 0x830, (0x21ull << 32) | 0x71));
    g_assert_true(apic_msr_read(a1, 0x823, &v));
    g_assert_cmphex(v, ==, 1u << (0x71 - 0x60));
    g_assert_true(apic_msr_read(a0, 0x830, &v));
    g_assert_cmphex(v, ==, (0x21ull << 32) | 0x71);
    /* Disabling then re-enabling returns to xAPIC with the state reset. */
    g_assert_true(apic_set_base(a1, base & ~APIC_BASE_ENABLE));
    g_assert_true(apic_set_base(a1, base));
    g_assert_true(apic_mmio_enabled(a1));
    g_assert_cmphex(rd(a1, APIC_SVR), ==, 0xff);
    g_assert_cmphex(rd(a1, APIC_ID), ==, 0x21u << 24);
    free_dev(a0);
    free_dev(a1);
}

static int fake_pic_vector = 0x20;
static int fake_pic_acks;

static int fake_pic_ack(void *opaque)
{
    fake_pic_acks++;
    return fake_pic_vector;
}

/* ExtINT: the 8259 on LINT0 (virtual wire), or as INTR when disabled. */
static void test_extint(void)
{
    FakeCPU c = { 0 };
    APICState *s = new_apic(0, true, &c);

    apic_bus_set_extint(fake_pic_ack, NULL);
    /* Reset state: LINT0 masked, nothing from the PIC. */
    apic_bus_set_pic_int(true);
    g_assert_false(apic_has_interrupt(s));
    apic_setup_virtual_wire(s);
    g_assert_true(apic_has_interrupt(s));
    g_assert_true(c.pending);
    g_assert_cmpint(apic_get_interrupt(s), ==, 0x20);
    g_assert_cmpint(fake_pic_acks, ==, 1);
    apic_bus_set_pic_int(false);
    g_assert_false(apic_has_interrupt(s));
    g_assert_false(c.pending);
    /* LINT1 as NMI. */
    apic_set_lint(s, 1, true);
    g_assert_cmpint(c.nmi, ==, 1);
    apic_set_lint(s, 1, false);
    /* Hardware-disabled: LINT0 is the INTR pin itself. */
    g_assert_true(apic_set_base(s, apic_get_base(s) & ~APIC_BASE_ENABLE));
    apic_bus_set_pic_int(true);
    g_assert_true(apic_has_interrupt(s));
    g_assert_cmpint(apic_get_interrupt(s), ==, 0x20);
    apic_bus_set_pic_int(false);
    /* Messages skip a disabled APIC. */
    g_assert_cmpint(apic_deliver_irq(0xff, APIC_DEST_PHYSICAL, APIC_DM_FIXED, 0x80, 0), ==, 0);
    apic_bus_set_extint(NULL, NULL);
    free_dev(s);
}

/* The 8259 pair's INTA cycle: vectors, cascade, spurious IRQ7 / IRQ15. */
static void test_pic_inta(void)
{
    MemoryRegion io;
    memory_region_init(&io, NULL, "test-io", 0x10000);
    ISABus *bus = isa_bus_new(NULL, &io);
    DeviceState *dev = qdev_new(TYPE_I8259);
    g_assert_true(qdev_realize(dev, BUS(bus), &error_abort));
    qdev_reset(dev, RESET_TYPE_COLD);
    PICState *pic = I8259(dev);
    const MemoryRegionOps *m = pic->io[0].ops, *sl = pic->io[1].ops;

    /* ICW1-4: vector bases 0x08 and 0x70 (the BIOS layout). */
    m->write(pic, 0, 0x11, 1);
    m->write(pic, 1, 0x08, 1);
    m->write(pic, 1, 0x04, 1);
    m->write(pic, 1, 0x01, 1);
    sl->write(pic, 0, 0x11, 1);
    sl->write(pic, 1, 0x70, 1);
    sl->write(pic, 1, 0x02, 1);
    sl->write(pic, 1, 0x01, 1);

    qemu_set_irq(qdev_get_gpio_in(dev, 1), 1);
    g_assert_true(pic_get_output(dev));
    g_assert_cmpint(pic_read_irq(dev), ==, 0x09);
    g_assert_false(pic_get_output(dev));
    m->write(pic, 0, 0x20, 1);                   /* EOI */
    /* Cascade: IRQ 12 gives vector 0x74, ISR bit 2 on the master. */
    qemu_set_irq(qdev_get_gpio_in(dev, 12), 1);
    g_assert_cmpint(pic_read_irq(dev), ==, 0x74);
    g_assert_cmphex(pic->chip[0].isr, ==, 0x04);
    g_assert_cmphex(pic->chip[1].isr, ==, 0x10);
    sl->write(pic, 0, 0x20, 1);
    m->write(pic, 0, 0x20, 1);
    /* Nothing pending at INTA: the master's IR7. */
    g_assert_cmpint(pic_read_irq(dev), ==, 0x0f);
    g_assert_cmphex(pic->chip[0].isr, ==, 0);
    /* A slave level request that goes away after the master saw IR2 but before
     * the slave is asked: IRQ15's vector, no slave ISR bit. */
    pic->elcr_io.ops->write(pic, 1, 0x02, 1);    /* ELCR2: IRQ 9 level */
    qemu_set_irq(qdev_get_gpio_in(dev, 9), 1);
    g_assert_true(pic_get_output(dev));
    qemu_set_irq(qdev_get_gpio_in(dev, 9), 0);   /* withdrawn before INTA */
    g_assert_true(pic_get_output(dev));          /* the master latched IR2's edge */
    g_assert_cmpint(pic_read_irq(dev), ==, 0x77);
    g_assert_cmphex(pic->chip[1].isr, ==, 0);
    g_assert_cmpuint(pic->spurious, ==, 2);
    free_dev(dev);
    memory_region_finalize(&io);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    clock_virtual_set_manual(true);
    g_test_add_func("/apic/reset-state", test_reset_state);
    g_test_add_func("/apic/priority-eoi", test_priority_and_eoi);
    g_test_add_func("/apic/ioapic-level-eoi", test_ioapic_level_eoi);
    g_test_add_func("/apic/timer-oneshot-periodic", test_timer_oneshot_periodic);
    g_test_add_func("/apic/timer-tsc-deadline", test_timer_tsc_deadline);
    g_test_add_func("/apic/ipi", test_ipi);
    g_test_add_func("/apic/x2apic", test_x2apic);
    g_test_add_func("/apic/extint", test_extint);
    g_test_add_func("/apic/pic-inta", test_pic_inta);
    return g_test_run();
}
