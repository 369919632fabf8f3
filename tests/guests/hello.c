/*
 * The smallest guest: a line on COM1, the multiboot memory map, and a pass exit
 * through isa-debug-exit.
 */
#include "libguest.h"

void test_main(void)
{
    printf("hello from the test guest (magic %x, cmdline '%s')\n", mb_magic, cmdline());
    check(mb_magic == 0x2BADB002, "multiboot magic in EAX");

    /* Multiboot spec 3.3: flags bit 6, mmap_length at 44, mmap_addr at 48. */
    const uint32_t *info = (const uint32_t *)(uintptr_t)mb_info;
    if (info && (info[0] & (1u << 6))) {
        const uint8_t *p = (const uint8_t *)(uintptr_t)info[12];
        const uint8_t *end = p + info[11];
        while (p < end) {
            uint32_t size = *(const uint32_t *)p;
            uint64_t base = *(const uint64_t *)(p + 4), len = *(const uint64_t *)(p + 12);
            uint32_t type = *(const uint32_t *)(p + 20);
            printf("mmap: %016lx-%016lx type %u\n", base, base + len - 1, type);
            p += size + 4;
        }
    }
}
