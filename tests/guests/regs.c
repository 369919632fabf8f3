/*
 * A known register state to inspect with `info registers`: the guest loads
 * marker values and halts with interrupts off (the vCPU sleeps in KVM).
 */
#include "libguest.h"

void test_main(void)
{
    printf("READY boot %lu\n", cmdline_uint("n", 0));
    __asm__ volatile(
        "movabs $0x1122334455667788, %%rax\n"
        "movabs $0x0123456789abcdef, %%r15\n"
        "mov $0xdeadbeef, %%ebx\n"
        "1: cli\n"
        "hlt\n"
        "jmp 1b\n"
        ::: "rax", "rbx", "r15", "memory");
}
