/*
 * Interrupts from the in-kernel irqchip: PIT channel 0 through the 8259 PIC
 * (IRQ 0), then through the IOAPIC (pin 2, the IRQ0 override) to the LAPIC,
 * then the LAPIC timer; HLT wakes on them.
 */
#include "libguest.h"

static volatile uint32_t pic_ticks, ioapic_ticks, lapic_ticks;

static void on_pic(InterruptFrame *f)
{
    pic_ticks++;
    pic_eoi(0);
}

static void on_ioapic(InterruptFrame *f)
{
    ioapic_ticks++;
    lapic_eoi();
}

static void on_lapic_timer(InterruptFrame *f)
{
    lapic_ticks++;
    lapic_eoi();
}

static void on_spurious(InterruptFrame *f)
{
}

#define TIMEOUT 20000000000ull   /* TSC cycles: several seconds */

static bool wait_ticks(volatile uint32_t *ticks, uint32_t n)
{
    uint64_t t0 = rdtsc();
    sti();
    while (*ticks < n && rdtsc() - t0 < TIMEOUT) {
        pause();
    }
    cli();
    return *ticks >= n;
}

void test_main(void)
{
    set_handler(0x20, on_pic);
    set_handler(0x31, on_ioapic);
    set_handler(0x32, on_lapic_timer);
    set_handler(0x27, on_spurious);
    set_handler(0xff, on_spurious);

    pic_init(0x20);
    pic_unmask(0);
    pit_periodic(1000);
    uint64_t t0 = rdtsc();
    bool ok = wait_ticks(&pic_ticks, 20);
    check(ok, "PIT -> PIC IRQ0 -> vector 0x20: %u ticks", pic_ticks);
    printf("20 PIT ticks took %lu Mcycles\n", (rdtsc() - t0) >> 20);

    /* HLT returns on the next tick. */
    uint32_t before = pic_ticks;
    for (int i = 0; i < 5; i++) {
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    }
    check(pic_ticks >= before + 5, "HLT woke on PIT interrupts (%u)", pic_ticks - before);

    pic_mask_all();
    lapic_enable();
    ioapic_route(2, 0x31, 0, false);
    ok = wait_ticks(&ioapic_ticks, 20);
    check(ok, "PIT -> IOAPIC pin 2 -> LAPIC vector 0x31: %u ticks", ioapic_ticks);
    ioapic_route(2, 0x31, 0, true);

    /* LAPIC timer, periodic (SDM vol. 3 §10.5.4): divide by 16. */
    lapic_write(0x3e0, 0x3);
    lapic_write(0x320, 0x32 | 1u << 17);
    lapic_write(0x380, 100000);
    ok = wait_ticks(&lapic_ticks, 10);
    check(ok, "LAPIC timer -> vector 0x32: %u ticks", lapic_ticks);
    lapic_write(0x320, 1u << 16);
}
