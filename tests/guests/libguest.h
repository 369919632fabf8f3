/*
 * The test guests' freestanding library: port and MMIO access, COM1 output and
 * printf, isa-debug-exit, interrupts, the LAPIC/IOAPIC/PIC/PIT basics, ring 3,
 * and the multiboot command line. Everything runs in 64-bit mode.
 *
 * Exit codes (isa-debug-exit at 0xf4, emu exits with (v << 1) | 1):
 *   GUEST_PASS 0x10 -> 33, GUEST_FAIL 0x11 -> 35, GUEST_SKIP 0x12 -> 37.
 */
#ifndef TESTS_GUESTS_LIBGUEST_H
#define TESTS_GUESTS_LIBGUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_PASS 0x10
#define GUEST_FAIL 0x11
#define GUEST_SKIP 0x12
#define DEBUG_EXIT_PORT 0xf4
#define COM1 0x3f8

#define LAPIC_BASE 0xfee00000ul
#define IOAPIC_BASE 0xfec00000ul

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* PCI type-1 configuration access (PCI 3.0 §3.2.2.3.2) to bus 0, device @dev, function 0. */
static inline uint32_t pci_cfg_read(int dev, int reg)
{
    outl(0xcf8, 0x80000000u | (uint32_t)dev << 11 | (reg & 0xfc));
    return inl(0xcfc);
}
static inline void pci_cfg_write(int dev, int reg, uint32_t v)
{
    outl(0xcf8, 0x80000000u | (uint32_t)dev << 11 | (reg & 0xfc));
    outl(0xcfc, v);
}

static inline uint8_t mmio_read8(uintptr_t a) { return *(volatile uint8_t *)a; }
static inline uint16_t mmio_read16(uintptr_t a) { return *(volatile uint16_t *)a; }
static inline uint32_t mmio_read32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline uint64_t mmio_read64(uintptr_t a) { return *(volatile uint64_t *)a; }
static inline void mmio_write8(uintptr_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline void mmio_write16(uintptr_t a, uint16_t v) { *(volatile uint16_t *)a = v; }
static inline void mmio_write32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline void mmio_write64(uintptr_t a, uint64_t v) { *(volatile uint64_t *)a = v; }

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void pause(void) { __asm__ volatile("pause" ::: "memory"); }
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

/* ---- output and exit ---- */

void serial_putc(char c);
void puts(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* isa-debug-exit: ends emu with status (code << 1) | 1. */
__attribute__((noreturn)) void guest_exit(uint8_t code);
/* Count a check; failures are printed ("FAIL: ...") and make guest_done() fail. */
void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
__attribute__((noreturn)) void guest_done(void);
__attribute__((noreturn)) void guest_skip(const char *why);

/* ---- boot information ---- */

extern uint32_t mb_magic, mb_info;
/* The multiboot command line ("" if none), and "key=value" lookups in it. */
const char *cmdline(void);
bool cmdline_has(const char *flag);
uint64_t cmdline_uint(const char *key, uint64_t dflt);

/* ---- interrupts ---- */

typedef struct InterruptFrame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
} InterruptFrame;

typedef void (*InterruptHandler)(InterruptFrame *f);
void set_handler(uint8_t vector, InterruptHandler h);
/* Unexpected exceptions print the vector and RIP and fail the test. */

/* ---- interrupt controllers and timer ---- */

void pic_init(uint8_t base);                 /* remap, all masked */
void pic_unmask(int irq);
void pic_mask_all(void);
void pic_eoi(int irq);
void pit_periodic(uint32_t hz);              /* channel 0, mode 2 */
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);
void lapic_enable(void);
void lapic_eoi(void);
uint32_t lapic_id(void);
uint32_t ioapic_read(uint32_t reg);
void ioapic_write(uint32_t reg, uint32_t v);
void ioapic_route(int pin, uint8_t vector, uint8_t dest_apic_id, bool masked);

/* ---- ring 3 ---- */

/*
 * Run @fn(arg) at CPL 3 on @stack (its top) with @rflags (e.g. IOPL 3 for port
 * I/O) and return its result. The CPU is back at CPL 0 through SYSCALL (kvm_pvm
 * raises #UD for INT n at CPL 3 instead of using the IDT gate).
 */
uint64_t run_user(uint64_t (*fn)(uint64_t), uint64_t arg, void *stack, uint64_t rflags);
#define USER_RFLAGS_IOPL3 0x3002ull

/* ---- SMP ---- */

extern volatile uint32_t ap_started;
extern volatile uint64_t ap_seen_mask;
/* Start every AP (INIT, SIPI, SIPI broadcast); they run ap_entry(apic_id) if set. */
void smp_start_aps(void);
extern void (*volatile ap_entry)(uint32_t apic_id);

/* The test's entry point. */
void test_main(void);

#endif
