/*
 * Hostile-guest test: random values to every I/O port 0-0xffff (isa-debug-exit's
 * ports 0xf4-0xf7 last, to end the run) and to random addresses in the PCI hole,
 * the I/O APIC, the HPET, the VGA window and the BIOS ROM, in three rounds
 * (MMIO, ports, MMIO again, after the port round reprogrammed the PCI BARs).
 * Nothing is checked inside the guest: emu must neither crash nor hang; the run
 * ends through isa-debug-exit (status 33) or, when the garbage reset the machine
 * or corrupted the guest (a device DMA'd over it), a reset (-no-reboot: status 0).
 *
 * A few values are sanitised so that the run usually reaches the end (these
 * would only cut it short, not test anything more): no reset or A20-off through
 * port 0x92 (bit 0 set, bit 1 clear), 0xcf9 (bit 2) or the keyboard controller
 * (0x64 commands 0xd1 and 0xf0-0xff), no power-off through PM1a_CNT.SLP_EN at the
 * default PM base (0x604, bit 13; the random PCI writes may still move it); the local APIC page is left alone (an
 * INIT IPI to itself would park the only CPU); the I/O APIC's redirection
 * entries are masked again before the port round, so a random timer cannot
 * route INIT or SMI to the CPU. Interrupts stay off (IF = 0); NMIs are ignored.
 *
 *   -append "seed=N rounds=N"
 */
#include "libguest.h"

#define DEBUG_EXIT_PORT 0xf4

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64 (Marsaglia, 2003) */
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return x;
}

static void ignore_irq(InterruptFrame *f)
{
    (void)f;
}

/* The byte for @port with the reset and A20 triggers removed. */
static uint8_t sanitize(uint32_t port, uint8_t b)
{
    switch (port) {
    case 0x92:
        return (b | 2) & ~1;
    case 0xcf9:
        return b & ~4;
    case 0x64:
        return (b == 0xd1 || b >= 0xf0) ? 0xaa : b;     /* 0xaa: self test */
    case 0x605:     /* PIIX4 PM1a_CNT high byte at the default PM base 0x600 */
        return b & ~0x20;                               /* SLP_EN: power off */
    default:
        return b;
    }
}

static void port_garbage(uint16_t port)
{
    uint64_t v = rnd();
    /* Wide accesses must not reach isa-debug-exit or wrap past 0xffff. */
    bool narrow = (port < DEBUG_EXIT_PORT && port + 3 >= DEBUG_EXIT_PORT) || port > 0xfffc;
    unsigned width = narrow ? 1 : 1u << ((v >> 32) % 3);
    uint32_t val = 0;
    for (unsigned i = 0; i < width; i++) {
        val |= (uint32_t)sanitize(port + i, (uint8_t)(v >> (8 * i))) << (8 * i);
    }
    switch (width) {
    case 1:
        outb(port, (uint8_t)val);
        break;
    case 2:
        outw(port, (uint16_t)val);
        break;
    default:
        outl(port, val);
        break;
    }
    if ((v >> 40) & 1) {
        (void)inb(port);
    }
}

static void mmio_garbage(uintptr_t base, uint64_t size, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        uint64_t v = rnd();
        uintptr_t a = base + (rnd() % size);
        switch (v % 4) {
        case 0:
            mmio_write8(a, (uint8_t)(v >> 8));
            break;
        case 1:
            mmio_write16(a & ~1ul, (uint16_t)(v >> 8));
            break;
        case 2:
            mmio_write32(a & ~3ul, (uint32_t)(v >> 8));
            break;
        default:
            mmio_write64(a & ~7ul, v);
            break;
        }
        if ((v >> 60) & 1) {
            (void)mmio_read32(a & ~3ul);
        }
    }
}

static void mmio_round(unsigned count)
{
    mmio_garbage(0xa0000, 0x20000, count / 8);              /* VGA window */
    mmio_garbage(0xc0000000, 0x3ec00000, count);            /* PCI hole (BARs) */
    mmio_garbage(0xfed00000, 0x1000, count / 8);            /* HPET */
    mmio_garbage(0xfffc0000, 0x40000, count / 16);          /* BIOS ROM */
    mmio_garbage(0xfec00000, 0x1000, count / 8);            /* I/O APIC */
    for (int pin = 0; pin < 24; pin++) {
        ioapic_route(pin, 0x30, 0, true);
    }
}

void test_main(void)
{
    rng_state = (cmdline_uint("seed", 0) + 1) * 0x9e3779b97f4a7c15ull;
    unsigned rounds = cmdline_uint("rounds", 1);
    bool trace = cmdline_has("trace");     /* debugging: name each port first */
    cli();
    for (int v = 2; v < 256; v++) {
        if (v == 2 || v >= 32) {
            set_handler(v, ignore_irq);
        }
    }
    printf("garbage: seed %#lx, %u rounds\n", (unsigned long)rng_state, rounds);
    for (unsigned r = 0; r < rounds; r++) {
        mmio_round(20000);
        for (uint32_t port = 0; port <= 0xffff; port++) {
            if (port < DEBUG_EXIT_PORT || port > DEBUG_EXIT_PORT + 3) {
                if (trace && port < 0x3f8) {
                    printf("port %#x\n", port);
                }
                port_garbage(port);
            }
        }
        mmio_round(20000);
    }
    /* The UART may be in any state now: the status says it all. */
    guest_exit(GUEST_PASS);
}
