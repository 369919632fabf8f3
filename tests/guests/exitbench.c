/*
 * Exit round-trip benchmark guest: count=N `outb` to port 0x80 (default) or,
 * with "mmio", N 32-bit writes to unassigned memory. The loop runs at ring 3
 * (IOPL 3) so that on kvm_pvm only the exits are slow, not the loop; "ring0"
 * runs it at ring 0 instead. emu and QEMU run this same image.
 */
#include "libguest.h"

static uint8_t user_stack[8192] __attribute__((aligned(16)));

static uint64_t pio_loop(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        outb(0x80, (uint8_t)i);
    }
    return n;
}

static uint64_t mmio_loop(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        mmio_write32(0xd0000000ul, (uint32_t)i);
    }
    return n;
}

void test_main(void)
{
    uint64_t n = cmdline_uint("count", 1000000);
    uint64_t (*fn)(uint64_t) = cmdline_has("mmio") ? mmio_loop : pio_loop;
    uint64_t t0 = rdtsc();
    if (cmdline_has("ring0")) {
        fn(n);
    } else {
        run_user(fn, n, user_stack + sizeof(user_stack), USER_RFLAGS_IOPL3);
    }
    uint64_t cycles = rdtsc() - t0;
    printf("exitbench: %lu %s exits in %lu Mcycles (%lu cycles/exit)\n", n,
           cmdline_has("mmio") ? "MMIO" : "PIO", cycles >> 20, cycles / (n ? n : 1));
}
