/*
 * Port I/O exits of every width, string I/O (count > 1), and port I/O from ring 3
 * with IOPL 3: each access leaves KVM and is dispatched to emu's I/O space.
 */
#include "libguest.h"

#define UNASSIGNED_PORT 0x1234      /* nothing decodes it: reads float to all-ones */
#define SCRATCH (COM1 + 7)          /* 16550A scratch register: any byte reads back */
#define FW_CFG_CTL 0x510
#define FW_CFG_DATA 0x511

static uint64_t user_pio(uint64_t arg)
{
    outb(SCRATCH, (uint8_t)arg);
    return inb(SCRATCH);
}

static uint8_t user_stack[8192] __attribute__((aligned(16)));

void test_main(void)
{
    check(inb(UNASSIGNED_PORT) == 0xff, "inb from an unassigned port reads 0xff");
    check(inw(UNASSIGNED_PORT) == 0xffff, "inw from an unassigned port reads 0xffff");
    check(inl(UNASSIGNED_PORT) == 0xffffffff, "inl from an unassigned port reads 0xffffffff");
    outb(UNASSIGNED_PORT, 0x12);
    outw(UNASSIGNED_PORT, 0x1234);
    outl(UNASSIGNED_PORT, 0x12345678);
    check(inl(UNASSIGNED_PORT) == 0xffffffff, "writes to an unassigned port are dropped");

    outb(SCRATCH, 0xa5);
    check(inb(SCRATCH) == 0xa5, "outb/inb: the UART scratch register keeps 0xa5");
    outb(SCRATCH, 0x5a);
    check(inb(SCRATCH) == 0x5a, "outb/inb: the UART scratch register keeps 0x5a");

    /* outw to the fw_cfg selector, then byte reads of the signature. */
    outw(FW_CFG_CTL, 0x0000);
    char sig[5] = { 0 };
    for (int i = 0; i < 4; i++) {
        sig[i] = inb(FW_CFG_DATA);
    }
    check(!memcmp(sig, "QEMU", 4), "outw selector + inb data: fw_cfg signature '%s'", sig);

    /* String input: one exit with count 4 (REP INSB). */
    outw(FW_CFG_CTL, 0x0000);
    char sig2[5] = { 0 };
    void *dst = sig2;
    uint64_t cnt = 4;
    __asm__ volatile("cld; rep insb" : "+D"(dst), "+c"(cnt) : "d"(FW_CFG_DATA) : "memory");
    check(!memcmp(sig2, "QEMU", 4) && cnt == 0, "rep insb from fw_cfg: '%s'", sig2);

    /* String output to the UART: the line must arrive whole. */
    static const char line[] = "string-io: rep outsb reached the UART\r\n";
    const void *src = line;
    cnt = sizeof(line) - 1;
    __asm__ volatile("cld; rep outsb" : "+S"(src), "+c"(cnt) : "d"(COM1) : "memory");
    check(cnt == 0, "rep outsb to COM1 consumed the whole string");

    /* outl: the fw_cfg DMA address register (big-endian halves) reads the signature. */
    static volatile struct {
        uint32_t control, length;
        uint64_t address;
    } __attribute__((aligned(16))) dma;
    static volatile char buf[8];
    dma.control = __builtin_bswap32(0x0000u << 16 | 0x08 | 0x02);   /* select key 0, read */
    dma.length = __builtin_bswap32(4);
    dma.address = __builtin_bswap64((uintptr_t)buf);
    outl(0x514, __builtin_bswap32((uint32_t)((uintptr_t)&dma >> 32)));
    outl(0x518, __builtin_bswap32((uint32_t)(uintptr_t)&dma));
    check(dma.control == 0 && !memcmp((const void *)buf, "QEMU", 4),
          "outl to the fw_cfg DMA register: transfer done, '%c%c%c%c'", buf[0], buf[1],
          buf[2], buf[3]);

    /* Ring 3 with IOPL 3: the same exits from user mode. */
    uint64_t r = run_user(user_pio, 0x3c, user_stack + sizeof(user_stack), USER_RFLAGS_IOPL3);
    check(r == 0x3c, "ring 3 (IOPL 3) outb/inb on the scratch register: %#lx", r);
}
