/*
 * A triple fault resets the machine: the first boot marks CMOS (battery-backed,
 * it survives reset) and triple-faults; the second boot sees the mark and passes.
 */
#include "libguest.h"

#define MARK_REG 0x5f

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static void cmos_set(uint8_t reg, uint8_t v)
{
    outb(0x70, reg);
    outb(0x71, v);
}

void test_main(void)
{
    if (cmos(MARK_REG) != 0x42) {
        cmos_set(MARK_REG, 0x42);
        printf("first boot: triple fault now\n");
        struct __attribute__((packed)) {
            uint16_t limit;
            uint64_t base;
        } idtr = { 0, 0 };
        __asm__ volatile("lidt %0; ud2" : : "m"(idtr));
        printf("FAIL: still running after the triple fault\n");
        guest_exit(GUEST_FAIL);
    }
    cmos_set(MARK_REG, 0);
    printf("second boot: back after the reset\n");
    check(true, "the triple fault reset the machine and the guest booted again");
}
