/* The test guests' library (see libguest.h). */
#include "libguest.h"

/* ---- memory and strings (the compiler may call these itself) ---- */

void *memset(void *d, int c, size_t n)
{
    uint8_t *p = d;
    while (n--) {
        *p++ = (uint8_t)c;
    }
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *p = d;
    const uint8_t *q = s;
    while (n--) {
        *p++ = *q++;
    }
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *p = a, *q = b;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != q[i]) {
            return p[i] - q[i];
        }
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i] || !a[i]) {
            return (uint8_t)a[i] - (uint8_t)b[i];
        }
    }
    return 0;
}

int strcmp(const char *a, const char *b)
{
    return strncmp(a, b, (size_t)-1);
}

/* ---- COM1 ---- */

static bool serial_ready;

static void serial_init(void)
{
    outb(COM1 + 1, 0x00);   /* IER: no interrupts */
    outb(COM1 + 3, 0x80);   /* LCR: DLAB */
    outb(COM1 + 0, 0x01);   /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);   /* 8N1 */
    outb(COM1 + 2, 0x07);   /* FCR: FIFOs on, cleared */
    serial_ready = true;
}

void serial_putc(char c)
{
    if (!serial_ready) {
        serial_init();
    }
    /* LSR bit 5: THR empty (16550A datasheet, "Line Status Register"). */
    for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++) {
        pause();
    }
    outb(COM1, (uint8_t)c);
}

void puts(const char *s)
{
    while (*s) {
        if (*s == '\n') {
            serial_putc('\r');
        }
        serial_putc(*s++);
    }
}

/* ---- printf ---- */

typedef struct {
    char *buf;
    size_t size, len;
} Out;

static void out_c(Out *o, char c)
{
    if (o->len + 1 < o->size) {
        o->buf[o->len] = c;
    }
    o->len++;
}

static void out_num(Out *o, uint64_t v, unsigned base, bool neg, int width, char pad)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg) {
        tmp[n++] = '-';
    }
    while (n < width--) {
        out_c(o, pad);
    }
    while (n) {
        out_c(o, tmp[--n]);
    }
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    Out o = { buf, size, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            out_c(&o, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0;
        bool alt = false, left = false;
        for (;; fmt++) {
            if (*fmt == '#') {
                alt = true;
            } else if (*fmt == '-') {
                left = true;
            } else {
                break;
            }
        }
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l') {
            longs++;
            fmt++;
        }
        if (*fmt == 'z') {
            longs = 2;
            fmt++;
        }
        switch (*fmt) {
        case 'd': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            out_num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
        case 'x': {
            uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            if (alt && *fmt == 'x') {
                out_c(&o, '0');
                out_c(&o, 'x');
            }
            out_num(&o, v, *fmt == 'x' ? 16 : 10, false, width, pad);
            break;
        }
        case 'p':
            out_c(&o, '0');
            out_c(&o, 'x');
            out_num(&o, (uintptr_t)va_arg(ap, void *), 16, false, width, pad);
            break;
        case 'c':
            out_c(&o, (char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            int n = (int)strlen(s);
            for (int i = n; !left && i < width; i++) {
                out_c(&o, ' ');
            }
            while (*s) {
                out_c(&o, *s++);
            }
            for (int i = n; left && i < width; i++) {
                out_c(&o, ' ');
            }
            break;
        }
        case '%':
            out_c(&o, '%');
            break;
        default:
            out_c(&o, '?');
            break;
        }
    }
    if (size) {
        buf[o.len < size ? o.len : size - 1] = 0;
    }
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    puts(buf);
    return n;
}

/* ---- exit and checks ---- */

static unsigned checks, failures;

void guest_exit(uint8_t code)
{
    outb(DEBUG_EXIT_PORT, code);
    /* emu exits from its main loop: give it a moment before complaining. */
    for (uint64_t t0 = rdtsc(); rdtsc() - t0 < 10000000000ull;) {
        pause();
    }
    puts("guest: isa-debug-exit did not end emu (add -device isa-debug-exit,"
         "iobase=0xf4,iosize=0x04)\n");
    for (;;) {
        cli();
        hlt();
    }
}

void check(bool ok, const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    checks++;
    if (!ok) {
        failures++;
        printf("FAIL: %s\n", buf);
    } else {
        printf("ok: %s\n", buf);
    }
}

void guest_done(void)
{
    printf("RESULT: %s (%u checks, %u failed)\n", failures ? "FAIL" : "PASS", checks,
           failures);
    guest_exit(failures ? GUEST_FAIL : GUEST_PASS);
}

void guest_skip(const char *why)
{
    printf("RESULT: SKIP (%s)\n", why);
    guest_exit(GUEST_SKIP);
}

/* ---- multiboot ---- */

const char *cmdline(void)
{
    /* Multiboot spec 3.3: flags bit 2 says the cmdline field (offset 16) is valid. */
    if (mb_magic != 0x2BADB002 || !mb_info) {
        return "";
    }
    const uint32_t *info = (const uint32_t *)(uintptr_t)mb_info;
    if (!(info[0] & (1u << 2)) || !info[4]) {
        return "";
    }
    return (const char *)(uintptr_t)info[4];
}

static const char *find_word(const char *key, size_t klen)
{
    const char *s = cmdline();
    while (*s) {
        while (*s == ' ') {
            s++;
        }
        if (!strncmp(s, key, klen) && (s[klen] == ' ' || s[klen] == '=' || !s[klen])) {
            return s + klen;
        }
        while (*s && *s != ' ') {
            s++;
        }
    }
    return NULL;
}

bool cmdline_has(const char *flag)
{
    return find_word(flag, strlen(flag)) != NULL;
}

uint64_t cmdline_uint(const char *key, uint64_t dflt)
{
    const char *p = find_word(key, strlen(key));
    if (!p || *p != '=') {
        return dflt;
    }
    p++;
    uint64_t v = 0;
    unsigned base = 10;
    if (p[0] == '0' && p[1] == 'x') {
        base = 16;
        p += 2;
    }
    for (;; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9') {
            d = *p - '0';
        } else if (base == 16 && *p >= 'a' && *p <= 'f') {
            d = *p - 'a' + 10;
        } else {
            break;
        }
        v = v * base + d;
    }
    return v;
}

/* ---- interrupts ---- */

extern char isr_stubs[];
extern uint64_t tss_desc[2];
__attribute__((noreturn)) void user_return(uint64_t value);

static InterruptHandler handlers[256];
static uint64_t idt[512] __attribute__((aligned(16)));
/* 104-byte 64-bit TSS, then an I/O permission bitmap allowing every port and its
 * 0xff terminator (SDM vol. 1 §19.5.2): kvm_pvm checks the bitmap for ring-3
 * port I/O instead of honouring IOPL 3. */
#define TSS_IOMAP 104
static uint8_t tss[TSS_IOMAP + 8192 + 1] __attribute__((aligned(16)));
static uint8_t irq_stack[16384] __attribute__((aligned(16)));

void set_handler(uint8_t vector, InterruptHandler h)
{
    handlers[vector] = h;
}

static void user_syscall(InterruptFrame *f)
{
    user_return(f->rdi);
}

extern char syscall_entry[];

static void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void isr_dispatch(InterruptFrame *f);
void isr_dispatch(InterruptFrame *f)
{
    InterruptHandler h = handlers[f->vector & 0xff];
    if (h) {
        h(f);
        return;
    }
    uint64_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    printf("FAIL: unexpected interrupt %lu error %#lx at %lx:%lx rflags %lx cr2 %lx\n",
           f->vector, f->error_code, f->cs, f->rip, f->rflags, cr2);
    guest_exit(GUEST_FAIL);
}

static void idt_set(int vec, void *handler, int dpl)
{
    uint64_t a = (uintptr_t)handler;
    /* 64-bit interrupt gate (SDM vol. 3 §6.14.1): selector 0x18, type 0xe. */
    idt[2 * vec] = (a & 0xffff) | (uint64_t)0x18 << 16 | (uint64_t)(0x8e | dpl << 5) << 40 |
                   ((a >> 16) & 0xffff) << 48;
    idt[2 * vec + 1] = a >> 32;
}

static void interrupts_init(void)
{
    for (int v = 0; v < 256; v++) {
        idt_set(v, isr_stubs + 16 * v, v == 0x81 ? 3 : 0);
    }
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } idtr = { sizeof(idt) - 1, (uintptr_t)idt };
    __asm__ volatile("lidt %0" : : "m"(idtr));

    /* A TSS only for RSP0: where ring-3 interrupts land. */
    uint64_t top = (uintptr_t)(irq_stack + sizeof(irq_stack));
    memcpy(tss + 4, &top, 8);
    uint16_t iomap = TSS_IOMAP;
    memcpy(tss + 102, &iomap, 2);
    tss[sizeof(tss) - 1] = 0xff;
    uint64_t base = (uintptr_t)tss;
    tss_desc[0] = (sizeof(tss) - 1) | (base & 0xffffff) << 16 | (uint64_t)0x89 << 40 |
                  ((base >> 24) & 0xff) << 56;
    tss_desc[1] = base >> 32;
    __asm__ volatile("ltr %w0" : : "r"(0x40));
    set_handler(0x81, user_syscall);
    /* SYSCALL (AMD APM vol. 2 §6.1.1): kernel CS 0x18 / SS 0x20, IF cleared. */
    wrmsr(0xc0000081, (uint64_t)0x18 << 32);
    wrmsr(0xc0000082, (uintptr_t)syscall_entry);
    wrmsr(0xc0000084, 0x200);
}

/* ---- PIC, PIT, LAPIC, IOAPIC ---- */

static uint8_t pic_masks[2] = { 0xff, 0xff };

void pic_init(uint8_t base)
{
    /* 8259A ICW1-ICW4: edge, cascade, vectors base/base+8, slave on IRQ2, 8086 mode. */
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, base);
    outb(0xa1, base + 8);
    outb(0x21, 0x04);
    outb(0xa1, 0x02);
    outb(0x21, 0x01);
    outb(0xa1, 0x01);
    pic_mask_all();
}

void pic_mask_all(void)
{
    pic_masks[0] = pic_masks[1] = 0xff;
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

void pic_unmask(int irq)
{
    if (irq >= 8) {
        pic_masks[1] &= ~(1u << (irq - 8));
        pic_masks[0] &= ~(1u << 2);
    } else {
        pic_masks[0] &= ~(1u << irq);
    }
    outb(0x21, pic_masks[0]);
    outb(0xa1, pic_masks[1]);
}

void pic_eoi(int irq)
{
    if (irq >= 8) {
        outb(0xa0, 0x20);
    }
    outb(0x20, 0x20);
}

void pit_periodic(uint32_t hz)
{
    uint32_t div = 1193182 / hz;
    outb(0x43, 0x34);   /* channel 0, lobyte/hibyte, mode 2 */
    outb(0x40, div & 0xff);
    outb(0x40, div >> 8);
}

uint32_t lapic_read(uint32_t reg)
{
    return mmio_read32(LAPIC_BASE + reg);
}

void lapic_write(uint32_t reg, uint32_t v)
{
    mmio_write32(LAPIC_BASE + reg, v);
}

void lapic_enable(void)
{
    lapic_write(0xf0, 0x1ff);   /* SVR: software enable, spurious vector 0xff */
}

void lapic_eoi(void)
{
    lapic_write(0xb0, 0);
}

uint32_t lapic_id(void)
{
    return lapic_read(0x20) >> 24;
}

uint32_t ioapic_read(uint32_t reg)
{
    mmio_write32(IOAPIC_BASE, reg);
    return mmio_read32(IOAPIC_BASE + 0x10);
}

void ioapic_write(uint32_t reg, uint32_t v)
{
    mmio_write32(IOAPIC_BASE, reg);
    mmio_write32(IOAPIC_BASE + 0x10, v);
}

void ioapic_route(int pin, uint8_t vector, uint8_t dest, bool masked)
{
    /* 82093AA §3.2.4: fixed delivery, physical destination, edge, active high. */
    ioapic_write(0x10 + 2 * pin + 1, (uint32_t)dest << 24);
    ioapic_write(0x10 + 2 * pin, vector | (masked ? 1u << 16 : 0));
}

/* ---- SMP ---- */

extern char tramp_start[], tramp_end[];
volatile uint32_t ap_started;
volatile uint64_t ap_seen_mask;
void (*volatile ap_entry)(uint32_t apic_id);

void ap_main(uint32_t apic_id);
void ap_main(uint32_t apic_id)
{
    __atomic_fetch_or(&ap_seen_mask, 1ull << (apic_id & 63), __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&ap_started, 1, __ATOMIC_SEQ_CST);
    if (ap_entry) {
        ap_entry(apic_id);
    }
}

static void delay(unsigned n)
{
    /* Roughly n microseconds on the PIT-less path: spin on port 0x80 reads. */
    for (unsigned i = 0; i < n; i++) {
        pause();
    }
}

void smp_start_aps(void)
{
    memcpy((void *)0x8000, tramp_start, tramp_end - tramp_start);
    lapic_enable();
    /* INIT, then two STARTUPs with vector 0x08 (0x8000), to all but self (SDM vol. 3
     * §8.4.4.1, "Typical BSP Initialization Sequence"). */
    lapic_write(0x310, 0);
    lapic_write(0x300, 0x000c4500);
    delay(10000);
    lapic_write(0x300, 0x000c4608);
    delay(200);
    lapic_write(0x300, 0x000c4608);
}

/* ---- start ---- */

void guest_start(void);
void guest_start(void)
{
    interrupts_init();
    /* Firmware (QEMU runs SeaBIOS first) may leave the PIC at vectors 8-15 with the
     * PIT ticking: move it out of the exception vectors and mask everything. */
    pic_init(0x20);
    test_main();
    guest_done();
}
