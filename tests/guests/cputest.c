/*
 * cputest: differential CPU test guest (issue 4). It runs several thousand
 * short instruction sequences at CPL 3 with chosen and pseudo-random operands
 * and prints, one line per case, the inputs and everything the sequence
 * changed: GPRs, RFLAGS (documented-undefined flags masked per instruction),
 * x87/MMX/SSE state (from FXSAVE), scratch memory, and the exception it raised
 * if any (vector, error code, RIP relative to the sequence, CR2 for #PF).
 *
 * The same image runs under KVM (on kvm_pvm ring-3 code runs natively: the
 * host CPU is the oracle) and under emu's TCG; tests/functional/test_cpu_diff.py
 * diffs the outputs. The output depends only on the seed and on the CPUID
 * feature bits that gate the groups, which are printed first.
 *
 * Every sequence ends with a line "F NAME CASES DIGEST", the FNV-1a hash of
 * its case lines; the case lines themselves are printed with "verbose" (and
 * always for the sequences compared with a tolerance). On kvm_pvm every byte
 * written to the serial port is a VM exit (30-110 us), so the default run
 * prints digests and the test asks for the lines of the sequences that differ.
 *
 * Command line: seed=N (default 1), cases=N (cases per sequence, default 16),
 * verbose, only=PREFIX (the sequences whose name starts with PREFIX),
 * forms=NAME,NAME,... (exactly these sequences), featmask=W0,W1,W2,W3 (hex words
 * ANDed with the CPUID words the groups are gated on).
 * See docs/devel/cputest.md.
 */
#include "libguest.h"
#include "cputest.h"

#define DEFAULT_SEED 1
#define DEFAULT_CASES 16

extern const CtForm ct_int_table[], ct_int_table_end[];
extern const CtForm ct_fp_table[], ct_fp_table_end[];
extern char ct_isr_stubs[], isr_stubs[];
extern uint8_t ct_mem[CT_MEM_SIZE];
extern volatile uint64_t ct_active;
extern CtFault ct_fault;
extern uint64_t ct_saved_rsp;
void ct_enter_user(void (*fn)(void), void *stack_top) __attribute__((noreturn));
int ct_run(const CtState *in, CtState *out, const void *code);
void ct_fatal(uint64_t *frame);

static const struct {
    const CtForm *start, *end;
} tables[] = {
    { ct_int_table, ct_int_table_end },
    { ct_fp_table, ct_fp_table_end },
};

static uint64_t seed, cases_per_form;
static bool verbose;
static char only[64], forms[2048];

/* ---- ring 0: IDT, the #PF window, CR0.AM, EFER.NXE ---- */

static uint64_t ct_idt[512] __attribute__((aligned(16)));
static uint64_t ct_pt[512] __attribute__((aligned(4096)));
static uint8_t ct_pages[5][4096] __attribute__((aligned(4096)));
static uint8_t user_stack[65536] __attribute__((aligned(16)));

#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_U 0x4ull
#define PTE_PS 0x80ull
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

static void idt_gate(int vec, void *handler, int dpl)
{
    uint64_t a = (uintptr_t)handler;
    /* 64-bit interrupt gate (SDM vol. 3 §6.14.1): selector 0x18, type 0xe. */
    ct_idt[2 * vec] = (a & 0xffff) | (uint64_t)0x18 << 16 |
                      (uint64_t)(0x8e | dpl << 5) << 40 | ((a >> 16) & 0xffff) << 48;
    ct_idt[2 * vec + 1] = a >> 32;
}

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static void setup_ring0(void)
{
    /* Vectors 0-31 go to the cputest handler, the rest to libguest's "unexpected".
     * #BP and #OF gates have DPL 3 so that INT3 at CPL 3 delivers #BP (SDM vol. 3
     * §6.12.1.1: the gate DPL is checked for INT3, INTO and INT n, not for INT1). */
    for (int v = 0; v < 256; v++) {
        idt_gate(v, v < 32 ? ct_isr_stubs + 16 * v : isr_stubs + 16 * v,
                 v == 3 || v == 4 ? 3 : 0);
    }
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } idtr = { sizeof(ct_idt) - 1, (uintptr_t)ct_idt };
    __asm__ volatile("lidt %0" : : "m"(idtr));

    /* EFER.NXE, so that the XD bit is honoured (SDM vol. 3 §4.6). */
    wrmsr(0xc0000080, rdmsr(0xc0000080) | 0x800);

    /* CR0.AM: alignment checks at CPL 3 when RFLAGS.AC is set (SDM vol. 3 §6.15 #AC). */
    uint64_t cr0, cr3;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | (1ull << 18)));

    /* The #PF window: the 2 MiB mapping at CT_WIN becomes a page table. */
    for (int i = 0; i < 5; i++) {
        for (int j = 0; j < 4096; j++) {
            ct_pages[i][j] = (uint8_t)(i * 0x40 + j * 7 + (j >> 8));
        }
    }
    memset(ct_pages[3], 0xcc, 4096);    /* the NX page: INT3 if it ever runs */
    uint64_t u = PTE_P | PTE_W | PTE_U;
    ct_pt[CT_WIN_RW >> 12] = (uintptr_t)ct_pages[0] | u;
    ct_pt[CT_WIN_NP >> 12] = 0;
    ct_pt[CT_WIN_RO >> 12] = (uintptr_t)ct_pages[1] | PTE_P | PTE_U;
    ct_pt[CT_WIN_SUP >> 12] = (uintptr_t)ct_pages[2] | PTE_P | PTE_W;
    ct_pt[CT_WIN_NX >> 12] = (uintptr_t)ct_pages[3] | u | PTE_NX;
    ct_pt[CT_WIN_RW2 >> 12] = (uintptr_t)ct_pages[4] | u;
    ct_pt[CT_WIN_NP2 >> 12] = 0;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    uint64_t *pml4 = (uint64_t *)(uintptr_t)(cr3 & PTE_ADDR);
    uint64_t *pdpt = (uint64_t *)(uintptr_t)(pml4[0] & PTE_ADDR);
    uint64_t *pd = (uint64_t *)(uintptr_t)(pdpt[CT_WIN >> 30] & PTE_ADDR);
    pd[(CT_WIN >> 21) & 511] = (uintptr_t)ct_pt | u;
    /* Bits 20:13 of a 2 MiB PDE are reserved (SDM vol. 3 §4.5, table 4-18). It maps
     * RAM at 6 MiB that nothing uses, in case a CPU misses the reserved bit. */
    pd[(CT_WIN_RSVD >> 21) & 511] = 0x600000 | u | PTE_PS | (1ull << 13);
    __asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

/* A fault outside a sequence, or at CPL 0: a bug in the guest or the CPU. */
void ct_fatal(uint64_t *frame)
{
    uint64_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    printf("\nCPUTEST-FATAL vector %lu error %#lx at %lx:%lx rflags %lx rsp %lx cr2 %lx "
           "(in a sequence: %lu)\n", frame[0], frame[1], frame[3], frame[2], frame[4],
           frame[5], cr2, ct_active);
    guest_exit(GUEST_FAIL);
}

/* ---- ring-3 output: one REP OUTSB per line (on KVM each byte still exits) ---- */

static char line[8192];
static size_t line_len;

static void out_flush(void)
{
    const char *p = line;
    uint64_t n = line_len;
    __asm__ volatile("cld; rep outsb" : "+S"(p), "+c"(n) : "d"(COM1) : "memory");
    line_len = 0;
}

static void out_str(const char *s)
{
    while (*s && line_len < sizeof(line) - 64) {
        line[line_len++] = *s++;
    }
}

static void out_hex(uint64_t v, int digits)
{
    for (int i = digits - 1; i >= 0; i--) {
        line[line_len + i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    }
    line_len += digits;
}

static void out_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out_fmt(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    out_str(buf);
}

static void out_end(void)
{
    line[line_len++] = '\r';
    line[line_len++] = '\n';
    out_flush();
}

/* ---- pseudo-random numbers: splitmix64, reseeded per case ---- */

static uint64_t rng;

static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static unsigned rndn(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static uint64_t name_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;     /* FNV-1a */
    while (*s) {
        h = (h ^ (uint8_t)*s++) * 0x100000001b3ull;
    }
    return h;
}

/* ---- operand values ---- */

static uint64_t width_mask(int w)
{
    return w >= 64 ? ~0ull : (1ull << w) - 1;
}

/* Edge values of a w-bit integer about half of the time, random ones otherwise. */
static uint64_t int_edge(int w)
{
    uint64_t m = width_mask(w), top = 1ull << (w - 1);
    switch (rndn(24)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return m;
    case 3: return top;
    case 4: return top - 1;
    case 5: return top + 1;
    case 6: return m - 1;
    case 7: return 0x5555555555555555ull & m;
    case 8: return 0xaaaaaaaaaaaaaaaaull & m;
    case 9: return rndn(16);
    case 10: return m - rndn(16);
    case 11: return 1ull << rndn(w);
    case 12: return ((1ull << rndn(w)) - 1) & m;
    case 13: return top - rndn(4);
    default: return rnd() & m;
    }
}

static const uint32_t f32_edges[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x00000001, 0x807fffff,
    0x00800000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000,
    0xffc00000, 0x7fa00001, 0xff811111, 0x3f000000, 0x3fc00000, 0xc0200000,
    0x4f000000, 0xcf000000, 0x5f000000, 0xdf000001, 0x3f800001, 0x33800000,
    0x4b7fffff, 0x00400000, 0x40490fdb, 0x3eaaaaab,
};

static const uint64_t f64_edges[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull,
    0xbff0000000000000ull, 0x0000000000000001ull, 0x800fffffffffffffull,
    0x0010000000000000ull, 0x7fefffffffffffffull, 0xffefffffffffffffull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
    0xfff8000000000000ull, 0x7ff4000000000001ull, 0xfff0000000000123ull,
    0x3fe0000000000000ull, 0x3ff8000000000000ull, 0xc004000000000000ull,
    0x41e0000000000000ull, 0xc1e0000000000000ull, 0xc1e0000000200000ull,
    0x43e0000000000000ull, 0xc3e0000000000001ull, 0x3ff0000000000001ull,
    0x3ca0000000000000ull, 0x4330000000000001ull, 0x0008000000000000ull,
    0x400921fb54442d18ull, 0x3fd5555555555555ull, 0x47efffffe0000000ull,
    0x36a0000000000000ull,
};

static uint32_t f32_value(void)
{
    unsigned k = rndn(3);
    if (k == 0) {
        return f32_edges[rndn(sizeof(f32_edges) / 4)];
    }
    if (k == 1) {       /* a normal number of moderate size, either sign */
        return (uint32_t)(rnd() & 0x807fffff) | (uint32_t)(0x60 + rndn(64)) << 23;
    }
    return (uint32_t)rnd();
}

static uint64_t f64_value(void)
{
    unsigned k = rndn(3);
    if (k == 0) {
        return f64_edges[rndn(sizeof(f64_edges) / 8)];
    }
    if (k == 1) {
        return (rnd() & 0x800fffffffffffffull) | (uint64_t)(0x3c0 + rndn(128)) << 52;
    }
    return rnd();
}

/* A double that is an integer, a half-integer or close to one (rounding tests). */
static uint64_t f64_nearint(void)
{
    uint64_t sign = rnd() & (1ull << 63);
    unsigned e = 1023 + rndn(40);                       /* 1 .. 2^39 */
    uint64_t frac = rnd() & 0x000fffffffffffffull;
    unsigned fb = e - 1023;                              /* integer bits in the fraction */
    uint64_t low = 52 - fb >= 64 ? ~0ull : (1ull << (52 - fb)) - 1;
    switch (rndn(4)) {
    case 0: frac &= ~low; break;                         /* integer */
    case 1: frac = (frac & ~low) | ((low + 1) >> 1); break;  /* .5 */
    case 2: frac = (frac & ~low) | 1; break;             /* just above */
    default: break;
    }
    if (rndn(8) == 0) {
        return sign | 0x3fe0000000000000ull | (rnd() & 0xfffffffffffffull);  /* 0.5 .. 1 */
    }
    return sign | (uint64_t)e << 52 | frac;
}

typedef struct {
    uint64_t mant;
    uint16_t se;        /* sign and exponent */
} F80;

static F80 f80_value(bool integers)
{
    F80 v = { rnd(), (uint16_t)(rnd() & 0x8000) };
    if (integers) {
        /* Integers, halves and near-halves up to 2^70 (FRNDINT, FIST). */
        unsigned ib = rndn(72);
        v.se |= 0x3fff + ib;
        v.mant |= 1ull << 63;
        unsigned frac_bits = ib >= 63 ? 0 : 63 - ib;
        uint64_t low = frac_bits ? (1ull << frac_bits) - 1 : 0;
        switch (rndn(4)) {
        case 0: v.mant &= ~low; break;
        case 1: v.mant = (v.mant & ~low) | ((low + 1) >> 1); break;
        default: break;
        }
        return v;
    }
    switch (rndn(20)) {
    case 0: v.mant = 0; v.se &= 0x8000; break;                               /* zero */
    case 1: v.mant = 1ull << 63; v.se |= 0x3fff; break;                      /* 1 */
    case 2: v.mant >>= 1 + rndn(62); v.se &= 0x8000; break;                  /* denormal */
    case 3: v.mant |= 1ull << 63; v.se &= 0x8000; break;                     /* pseudo-denormal */
    case 4: v.mant &= ~(1ull << 63); v.se |= 0x3fff - 20 + rndn(40); break;  /* unnormal */
    case 5: v.mant = 1ull << 63; v.se |= 0x7fff; break;                      /* infinity */
    case 6: v.mant |= 3ull << 62; v.se |= 0x7fff; break;                     /* QNaN */
    case 7: v.mant = (v.mant & ~(3ull << 62)) | (1ull << 63) | 1; v.se |= 0x7fff; break;
    case 8: v.mant &= ~(1ull << 63); v.se |= 0x7fff; break;                  /* pseudo-NaN/inf */
    case 9: v.mant = ~0ull; v.se |= 0x7ffe; break;                           /* largest */
    case 10: v.mant = 1ull << 63; v.se |= 1; break;                          /* smallest normal */
    case 11: v.mant = 0xc90fdaa22168c235ull; v.se |= 0x4000 + rndn(3) - 1; break;  /* pi */
    case 12: v.mant |= 1ull << 63; v.se |= 0x3fff + 63 + rndn(4) - 2; break;       /* 2^63 */
    case 13: v.mant |= 1ull << 63; v.se |= 0x3fff - 80 + rndn(160); break;
    case 14: v.mant = 0xffffffffffffff00ull | rnd() % 256; v.se |= 0x3ffe + rndn(3); break;
    default: v.mant |= 1ull << 63; v.se |= 0x3fff - 16 + rndn(32); break;  /* ordinary */
    }
    return v;
}

static void mem_bcd(uint8_t *p)
{
    for (int i = 0; i < 9; i++) {
        unsigned lo = rndn(10), hi = rndn(10);
        if (rndn(40) == 0) {
            lo = 10 + rndn(6);          /* an invalid digit */
        }
        p[i] = (uint8_t)(hi << 4 | lo);
    }
    p[9] = rndn(4) ? (rnd() & 0x80) : (uint8_t)rnd();
}

/* ---- building a case ---- */

static const char *const gpr_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static CtState in, out;
static unsigned case_index;
static uint8_t mem_in[CT_MEM_SIZE];

#define FX_FCW 0
#define FX_FSW 2
#define FX_FTW 4
#define FX_MXCSR 24
#define FX_ST(i) (32 + 16 * (i))
#define FX_XMM(i) (160 + 16 * (i))

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, v >> 32); }

static void put_f80(uint8_t *p, F80 v)
{
    put64(p, v.mant);
    put16(p + 8, v.se);
}

static int int_width(unsigned cls)
{
    return cls == C_V8 ? 8 : cls == C_V16 ? 16 : cls == C_V32 ? 32 : 64;
}

static uint64_t gpr_value(unsigned cls)
{
    switch (cls) {
    case C_V8: case C_V16: case C_V32: case C_V64: {
        int w = int_width(cls);
        return (rnd() & ~width_mask(w)) | int_edge(w);
    }
    case C_CNT: {
        static const uint8_t counts[] = { 0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64,
                                          65, 127, 128, 255 };
        uint64_t c = rndn(2) ? counts[rndn(sizeof(counts))] : rnd() & 0xff;
        return (rnd() & ~0xffull) | c;
    }
    case C_BIT: {
        static const int16_t bits[] = { 0, 1, 7, 8, 15, 16, 31, 32, 63, 64, 127, -1, -8,
                                        -9, -64, -65, 2047, -2048 };
        return (uint64_t)(int64_t)(rndn(2) ? bits[rndn(sizeof(bits) / 2)]
                                           : (int)rndn(4096) - 2048);
    }
    case C_PTR:
        return (uintptr_t)ct_mem + 384 + rndn(256);
    case C_REP:
        return rndn(13);
    case C_SLEN:
        return (uint64_t)(int64_t)((int)rndn(41) - 20);
    default:
        return rnd();
    }
}

static void xmm_value(uint8_t *p, unsigned cls)
{
    switch (cls) {
    case C_XPS: case C_MPS:
        for (int i = 0; i < 4; i++) {
            put32(p + 4 * i, f32_value());
        }
        break;
    case C_XPD: case C_MPD:
        for (int i = 0; i < 2; i++) {
            put64(p + 8 * i, f64_value());
        }
        break;
    case C_XPH:
        for (int i = 0; i < 2; i++) {
            uint64_t d = f64_nearint();
            if (rndn(2)) {
                /* two binary32 near-integers instead: the same shape, narrower */
                uint32_t s = (uint32_t)(d >> 32) & 0x80000000u;
                int e = (int)((d >> 52) & 0x7ff) - 1023 + 127;
                uint32_t f = (uint32_t)((d >> 29) & 0x7fffff);
                uint32_t v = s | (uint32_t)(e < 1 ? 0 : e > 254 ? 254 : e) << 23 | f;
                d = (uint64_t)v << 32 | v;
            }
            put64(p + 8 * i, d);
        }
        break;
    case C_XI8: case C_XI16: case C_XI32: case C_XI64: {
        int w = 8 << (cls - C_XI8);
        for (int i = 0; i < 16; i += w / 8) {
            uint64_t v = int_edge(w);
            for (int j = 0; j < w / 8; j++) {
                p[i + j] = (uint8_t)(v >> (8 * j));
            }
        }
        break;
    }
    case C_XSTR: {
        static const uint8_t alpha[] = { 'a', 'b', 'c', 'z', 'A', '0', 0x80, 0xff };
        for (int i = 0; i < 16; i++) {
            p[i] = alpha[rndn(rndn(4) ? 4 : 8)];
        }
        if (rndn(2)) {
            p[rndn(16)] = 0;        /* an implicit length shorter than 16 */
            if (rndn(2)) {
                p[rndn(16) & ~1] = 0;
                p[(rndn(16) & ~1) + 1] = 0;
            }
        }
        break;
    }
    default:
        for (int i = 0; i < 16; i++) {
            p[i] = (uint8_t)rnd();
        }
    }
}

static void mem_value(unsigned cls, uint8_t *p)
{
    switch (cls) {
    case C_MF32: put32(p, f32_value()); break;
    case C_MF64: put64(p, f64_value()); break;
    case C_MF80: put_f80(p, f80_value(rndn(4) == 0)); break;
    case C_MI16: put16(p, (uint16_t)int_edge(16)); break;
    case C_MI32: put32(p, (uint32_t)int_edge(32)); break;
    case C_MI64: put64(p, int_edge(64)); break;
    case C_MBCD: mem_bcd(p); break;
    default: xmm_value(p, cls); break;
    }
}

static int op_width(const CtForm *f, int i)
{
    unsigned cls = f->ops[i] >> 8;
    switch (cls) {
    case C_V8: return 8;
    case C_V16: case C_MI16: return 16;
    case C_V32: case C_MI32: return 32;
    default: return 64;
    }
}

static unsigned dyn_rule(const CtForm *f)
{
    return (f->gen >> 16) & 0xff;
}

/* Input fix-ups that make the interesting outcome likely (see D_* in cputest.h). */
static void fixup_case(const CtForm *f)
{
    unsigned rule = dyn_rule(f);
    int w = op_width(f, 1);
    uint64_t m = width_mask(w);

    switch (rule) {
    case D_DIV:
    case D_IDIV: {
        if (rndn(4) == 0) {
            break;                      /* leave it: mostly #DE */
        }
        uint64_t divisor = (f->ops[1] >> 8) == C_MI32 ? get32(ct_mem + 0x40)
                                                       : in.gpr[RCX] & m;
        if (w == 8) {
            /* AX / r/m8: AH is the high half. */
            uint64_t ah = (in.gpr[RAX] >> 8) & 0xff, al = in.gpr[RAX] & 0xff;
            if (rule == D_DIV) {
                ah = divisor ? ah % divisor : ah;
            } else {
                ah = al & 0x80 ? 0xff : 0;
            }
            in.gpr[RAX] = (in.gpr[RAX] & ~0xffffull) | ah << 8 | al;
            break;
        }
        uint64_t hi = in.gpr[RDX] & m;
        if (rule == D_DIV) {
            hi = divisor ? hi % divisor : hi;
        } else {
            hi = (in.gpr[RAX] >> (w - 1)) & 1 ? m : 0;
        }
        in.gpr[RDX] = (in.gpr[RDX] & ~m) | hi;
        break;
    }
    case D_CMPX:
        if (rndn(2)) {
            int dw = op_width(f, 0);
            uint64_t dm = width_mask(dw);
            uint64_t d = f->ops[0] >> 8 >= C_MF32 ? get64(ct_mem + 16 * (f->ops[0] & 0xff))
                                                   : in.gpr[f->ops[0] & 0xff];
            in.gpr[RAX] = (in.gpr[RAX] & ~dm) | (d & dm);
        }
        break;
    case D_CX8:
        if (rndn(2)) {
            if ((f->ops[0] >> 8) == C_MI64) {
                in.gpr[RAX] = get32(ct_mem + 0x40);
                in.gpr[RDX] = get32(ct_mem + 0x44);
            } else {
                in.gpr[RAX] = get64(ct_mem + 0x40);
                in.gpr[RDX] = get64(ct_mem + 0x48);
            }
        }
        break;
    case D_NOTF:
        in.gpr[RAX] &= ~0x100ull;
        break;
    }
}

/*
 * Flags (and GPRs) undefined for this case's operands only (Intel SDM vol. 2:
 * SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD, SHRD, BSF, BSR "Flags Affected").
 */
static void dyn_undef(const CtForm *f, uint32_t *flags, uint32_t *gprs)
{
    unsigned rule = dyn_rule(f);
    int w = op_width(f, 0);
    unsigned cnt = in.gpr[RCX] & (w == 64 ? 63 : 31);

    switch (rule) {
    case D_SHIFT:
    case D_SAR:
        if (cnt) {
            *flags |= FL_AF | (cnt != 1 ? FL_OF : 0);
            if (rule == D_SHIFT && (int)cnt >= w) {
                *flags |= FL_CF;
            }
        }
        break;
    case D_ROT:
    case D_RCX:
        if (cnt && cnt != 1) {
            *flags |= FL_OF;
        }
        break;
    case D_SHD:
        if (cnt) {
            *flags |= FL_AF | (cnt != 1 ? FL_OF : 0);
        }
        if ((int)cnt > w) {
            /* "If the count is greater than the operand size, the result is undefined." */
            *flags |= FL_ARITH;
            if ((f->ops[0] >> 8) < C_XPS) {
                *gprs |= 1u << (f->ops[0] & 0xff);
            }
            *gprs |= 1u << 16;          /* memory destination */
        }
        break;
    case D_BSF:
        if (!(in.gpr[f->ops[1] & 0xff] & width_mask(op_width(f, 1)))) {
            *gprs |= 1u << (f->ops[0] & 0xff);
        }
        break;
    }
}

static void build_case(const CtForm *f)
{
    unsigned kind = f->gen & 0xff;

    memset(&in, 0, sizeof(in));
    for (int r = 0; r < 16; r++) {
        in.gpr[r] = rnd();
    }
    in.gpr[RSP] = 0;
    /* Random arithmetic flags and DF (string ops); bit 1 is always set. */
    in.rflags = 2 | (rnd() & (FL_ARITH | 0x400));
    for (int i = 0; i < CT_MEM_SIZE; i += 8) {
        put64(ct_mem + i, rnd());
    }

    uint8_t *fx = in.fx;
    put16(fx + FX_FCW, 0x37f);
    put32(fx + FX_MXCSR, 0x1f80);
    for (int i = 0; i < 16; i++) {
        xmm_value(fx + FX_XMM(i), 0);
    }
    if (kind == K_SSE) {
        /* Rounding control, FTZ and DAZ at random, exceptions masked (SDM vol. 1 §10.2.3). */
        uint32_t mx = 0x1f80 | (uint32_t)rndn(4) << 13;
        mx |= rndn(3) == 0 ? 0x8000 : 0;
        mx |= rndn(3) == 0 ? 0x40 : 0;
        mx |= rndn(8) == 0 ? (uint32_t)(rnd() & 0x3f) : 0;
        put32(fx + FX_MXCSR, mx);
    }

    unsigned depth = 0;
    for (int i = 0; i < 4; i++) {
        unsigned cls = f->ops[i] >> 8, reg = f->ops[i] & 0xff;
        if (cls == C_ST || cls == C_STI) {
            depth = reg + 1 > depth ? reg + 1 : depth;
        } else if (cls == C_STFULL) {
            depth = 8;
        }
    }
    if (kind == K_X87) {
        /* Precision control 24/53/64 bits, rounding control at random, all masked
         * (SDM vol. 1 §8.1.5). */
        static const uint16_t pcs[] = { 0, 2, 3, 3 };
        put16(fx + FX_FCW, (uint16_t)(0x7f | pcs[rndn(4)] << 8 | rndn(4) << 10));
        unsigned top = rndn(8);
        uint16_t fsw = (uint16_t)(top << 11 | (rnd() & 0x4700));
        put16(fx + FX_FSW, fsw);
        uint8_t ftw = 0;
        for (unsigned i = 0; i < depth; i++) {
            ftw |= 1 << ((top + i) & 7);
            put_f80(fx + FX_ST(i), f80_value(false));
        }
        fx[FX_FTW] = ftw;
    } else if (kind == K_MMX) {
        fx[FX_FTW] = 0xff;
        for (int i = 0; i < 8; i++) {
            put64(fx + FX_ST(i), rnd());
            put16(fx + FX_ST(i) + 8, 0xffff);
        }
    }

    for (int i = 0; i < 4; i++) {
        unsigned cls = f->ops[i] >> 8, reg = f->ops[i] & 0xff;
        if (!cls) {
            continue;
        }
        if (cls < C_XPS) {
            in.gpr[reg] = gpr_value(cls);
        } else if (cls < C_ST) {
            xmm_value(fx + FX_XMM(reg), cls);
        } else if (cls == C_ST || cls == C_STI) {
            put_f80(fx + FX_ST(reg), f80_value(cls == C_STI));
        } else if (cls == C_MM) {
            uint8_t v[16];
            xmm_value(v, C_XI8 + rndn(4));
            memcpy(fx + FX_ST(reg), v, 8);
        } else if (cls >= C_MF32) {
            mem_value(cls, ct_mem + 16 * reg);
        }
    }
    fixup_case(f);
    if ((f->gen & G_SWEEP) && case_index < CT_SWEEP) {
        in.gpr[RCX] = (in.gpr[RCX] & ~0xffull) | case_index;
    }
    memcpy(mem_in, ct_mem, CT_MEM_SIZE);
}

/* ---- printing a case ---- */

/* RFLAGS bits shown: CF PF AF ZF SF TF DF OF IOPL NT AC ID. IF is not (kvm_pvm runs
 * ring 3 with the host's IF = 1), nor RF (set in the frame of some faults). */
#define FLAGS_SHOWN 0x247dd5ull

static void out_reg(const char *name, uint64_t v)
{
    out_str(" ");
    out_str(name);
    out_str("=");
    out_hex(v, 16);
}

static void out_x128(const char *pfx, int n, const uint8_t *p)
{
    out_fmt(" %s%d=", pfx, n);
    out_hex(get64(p + 8), 16);
    out_hex(get64(p), 16);
}

static void out_f80(int n, const uint8_t *p)
{
    out_fmt(" st%d=", n);
    out_hex(get16(p + 8), 4);
    out_str(":");
    out_hex(get64(p), 16);
}

static void print_inputs(const CtForm *f)
{
    for (int i = 0; i < 4; i++) {
        unsigned cls = f->ops[i] >> 8, reg = f->ops[i] & 0xff;
        if (!cls) {
            continue;
        }
        if (cls < C_XPS) {
            out_reg(gpr_names[reg], in.gpr[reg]);
        } else if (cls < C_ST) {
            out_x128("x", reg, in.fx + FX_XMM(reg));
        } else if (cls == C_ST || cls == C_STI) {
            out_f80(reg, in.fx + FX_ST(reg));
        } else if (cls == C_STFULL) {
            for (int r = 0; r < 8; r++) {
                out_f80(r, in.fx + FX_ST(r));
            }
        } else if (cls == C_MM) {
            out_fmt(" mm%d=", reg);
            out_hex(get64(in.fx + FX_ST(reg)), 16);
        } else {
            out_fmt(" m%03x=", 16 * reg);
            out_hex(get64(mem_in + 16 * reg + 8), 16);
            out_hex(get64(mem_in + 16 * reg), 16);
        }
    }
    out_str(" fl=");
    out_hex(in.rflags & (FL_ARITH | 0x400), 3);
    unsigned kind = f->gen & 0xff;
    if (kind == K_X87) {
        out_str(" fcw=");
        out_hex(get16(in.fx + FX_FCW), 4);
        out_str(" fsw=");
        out_hex(get16(in.fx + FX_FSW), 4);
    } else if (kind == K_SSE) {
        out_str(" mxcsr=");
        out_hex(get32(in.fx + FX_MXCSR), 4);
    }
}

static const char *const vec_names[32] = {
    "DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "CSO", "TS", "NP", "SS", "GP",
    "PF", "15", "MF", "AC", "MC", "XM", "VE", "CP", "22", "23", "24", "25", "26", "27",
    "HV", "VC", "SX", "31",
};

static void print_outputs(const CtForm *f, bool faulted, uint64_t saved_rsp)
{
    if (faulted) {
        int64_t rel = (int64_t)(ct_fault.rip - (uintptr_t)f->code);
        out_fmt(" #%s", vec_names[ct_fault.vec & 31]);
        if (ct_fault.vec == 8 || (ct_fault.vec >= 10 && ct_fault.vec <= 14) ||
            ct_fault.vec == 17) {
            out_fmt("(%lx)", ct_fault.err);
        }
        if (rel >= 0 && rel < 4096) {
            out_fmt(" @+%ld", rel);
        } else {
            out_fmt(" @%lx", ct_fault.rip);
        }
        if (ct_fault.vec == 14) {
            out_fmt(" cr2=%lx", ct_fault.cr2);
        }
    }
    uint32_t uflags = f->undef & 0xffff, ugprs = 0;
    dyn_undef(f, &uflags, &ugprs);
    for (int r = 0; r < 16; r++) {
        if (ugprs & (1u << r)) {
            continue;                   /* undefined for these operands: not shown */
        }
        if (r == RSP) {
            int64_t d = (int64_t)(out.gpr[RSP] - saved_rsp);
            if (d > -65536 && d < 65536 && d) {
                out_fmt(" rsp=%s%lu", d < 0 ? "-" : "+", d < 0 ? -(uint64_t)d : (uint64_t)d);
            } else if (d) {
                out_reg("rsp", out.gpr[RSP]);
            }
        } else if (out.gpr[r] != in.gpr[r]) {
            out_reg(gpr_names[r], out.gpr[r]);
        }
    }
    out_str(" fl=");
    out_hex(out.rflags & FLAGS_SHOWN & ~(uint64_t)uflags, 6);

    const uint8_t *a = in.fx, *b = out.fx;
    if (get16(a + FX_FCW) != get16(b + FX_FCW)) {
        out_str(" fcw=");
        out_hex(get16(b + FX_FCW), 4);
    }
    uint16_t fsw_mask = (uint16_t)~(f->undef >> 16);
    if (f->gen & G_APPROX) {
        fsw_mask &= (uint16_t)~0x200;  /* C1: the rounding direction of an approximation */
    }
    if ((get16(a + FX_FSW) ^ get16(b + FX_FSW)) & fsw_mask) {
        out_str(" fsw=");
        out_hex(get16(b + FX_FSW) & fsw_mask, 4);
    }
    if (a[FX_FTW] != b[FX_FTW]) {
        out_str(" ftw=");
        out_hex(b[FX_FTW], 2);
    }
    if (get32(a + FX_MXCSR) != get32(b + FX_MXCSR)) {
        out_str(" mxcsr=");
        out_hex(get32(b + FX_MXCSR), 4);
    }
    if (faulted && (ct_fault.vec == 16 || ct_fault.vec == 19)) {
        /* The x87 instruction pointer and opcode of the excepting instruction (FXSAVE
         * stores them when an exception is pending, SDM vol. 1 §8.1.8-9). */
        if (ct_fault.vec == 16) {
            int64_t fip = (int64_t)(get64(b + 8) - (uintptr_t)f->code);
            out_fmt(" fop=%03x fip=%s%lu", get16(b + 6) & 0x7ff, fip < 0 ? "-" : "+",
                    fip < 0 ? -(uint64_t)fip : (uint64_t)fip);
        }
    }
    for (int i = 0; i < 8; i++) {
        if (memcmp(a + FX_ST(i), b + FX_ST(i), 10)) {
            out_f80(i, b + FX_ST(i));
        }
    }
    for (int i = 0; i < 16; i++) {
        if (memcmp(a + FX_XMM(i), b + FX_XMM(i), 16)) {
            out_x128("x", i, b + FX_XMM(i));
        }
    }
    for (int i = 0; i < CT_MEM_SIZE && !(ugprs & (1u << 16)); i += 8) {
        if (get64(mem_in + i) != get64(ct_mem + i)) {
            out_fmt(" m%03x=", i);
            out_hex(get64(ct_mem + i), 16);
        }
    }
}

/* ---- features ---- */

static uint32_t feat_words[4], feat_used[4];
/* featmask=W0,W1,W2,W3 (hex): the test passes what every engine advertises. */
static uint32_t featmask[4] = { ~0u, ~0u, ~0u, ~0u };

static void read_features(uint32_t w[4])
{
    uint32_t r[4];
    cpuid(0, 0, r);
    uint32_t max = r[0];
    cpuid(1, 0, r);
    w[W_1EDX] = r[3];
    w[W_1ECX] = r[2];
    w[W_7EBX] = 0;
    if (max >= 7) {
        cpuid(7, 0, r);
        w[W_7EBX] = r[1];
    }
    cpuid(0x80000000, 0, r);
    w[W_81ECX] = 0;
    if (r[0] >= 0x80000001) {
        cpuid(0x80000001, 0, r);
        w[W_81ECX] = r[2];
    }
}

static bool feature_ok(uint32_t feat)
{
    if (!feat) {
        return true;
    }
    feat--;
    return feat_words[feat >> 8] >> (feat & 31) & 1;
}

/* ---- the run, at CPL 3 ---- */

static unsigned ncases(const CtForm *f)
{
    unsigned n = (unsigned)cases_per_form;
    if (f->gen & G_ONCE) {
        return 1;
    }
    if (f->gen & G_FEW) {
        return n / 4 ? n / 4 : 1;
    }
    if (f->gen & G_MANY) {
        return 2 * n;
    }
    if (f->gen & G_SWEEP) {
        return CT_SWEEP + n;
    }
    return n;
}

/* Whether @name is in the forms=NAME,NAME,... list (or there is no list). */
static bool form_listed(const char *name)
{
    size_t n = strlen(name);
    const char *p = forms;
    if (!*p) {
        return true;
    }
    while (*p) {
        if (!strncmp(p, name, n) && (p[n] == ',' || !p[n])) {
            return true;
        }
        while (*p && *p != ',') {
            p++;
        }
        if (*p == ',') {
            p++;
        }
    }
    return false;
}

/* The value of "key=VALUE" on the command line, copied into @buf ("" if absent). */
static void cmdline_str(const char *key, char *buf, size_t size)
{
    const char *s = cmdline();
    size_t klen = strlen(key);
    buf[0] = 0;
    while (*s) {
        while (*s == ' ') {
            s++;
        }
        if (!strncmp(s, key, klen) && s[klen] == '=') {
            s += klen + 1;
            size_t n = 0;
            while (s[n] && s[n] != ' ' && n + 1 < size) {
                buf[n] = s[n];
                n++;
            }
            buf[n] = 0;
            return;
        }
        while (*s && *s != ' ') {
            s++;
        }
    }
}

static void user_main(void)
{
    uint32_t r3[4];
    read_features(r3);
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        for (const CtForm *f = tables[t].start; f < tables[t].end; f++) {
            if (f->feat) {
                uint32_t b = f->feat - 1;
                feat_used[b >> 8] |= 1u << (b & 31);
            }
        }
    }
    for (int w = 0; w < 4; w++) {
        feat_words[w] = r3[w] & feat_used[w] & featmask[w];
    }
    out_fmt("# cpuid at CPL3: 1.edx=%08x 1.ecx=%08x 7.ebx=%08x 80000001.ecx=%08x",
            r3[W_1EDX], r3[W_1ECX], r3[W_7EBX], r3[W_81ECX]);
    out_end();
    out_fmt("CPUTEST-FEATURES 1.edx=%08x 1.ecx=%08x 7.ebx=%08x 80000001.ecx=%08x",
            feat_words[W_1EDX], feat_words[W_1ECX], feat_words[W_7EBX], feat_words[W_81ECX]);
    out_end();

    unsigned long total = 0, faults = 0, skipped = 0;
    size_t only_len = strlen(only);
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        for (const CtForm *f = tables[t].start; f < tables[t].end; f++) {
            if ((only_len && strncmp(f->name, only, only_len)) || !form_listed(f->name)) {
                continue;
            }
            if (!feature_ok(f->feat)) {
                out_str("F ");
                out_str(f->name);
                out_str(" skipped (CPUID)");
                out_end();
                skipped++;
                continue;
            }
            uint64_t h = name_hash(f->name), digest = 0xcbf29ce484222325ull;
            bool approx = f->gen & (G_APPROX | G_APPROX12);
            unsigned n = ncases(f);
            for (unsigned i = 0; i < n; i++) {
                rng = seed * 0x2545f4914f6cdd1dull ^ h ^ (uint64_t)i << 48;
                case_index = i;
                build_case(f);
                memset(&out, 0, sizeof(out));
                int faulted = ct_run(&in, &out, f->code);
                out_str(f->name);
                out_str(f->gen & G_APPROX ? "~" : f->gen & G_APPROX12 ? "~~" : "");
                out_fmt(" %u:", i);
                print_inputs(f);
                out_str(" ->");
                print_outputs(f, faulted, ct_saved_rsp);
                /* The digest covers the exact text of the case lines. */
                for (size_t k = 0; k < line_len; k++) {
                    digest = (digest ^ (uint8_t)line[k]) * 0x100000001b3ull;
                }
                if (verbose || approx) {
                    out_end();
                } else {
                    line_len = 0;
                }
                total++;
                faults += faulted;
            }
            out_fmt("F %s %u ", f->name, n);
            out_hex(digest, 16);
            out_end();
        }
    }
    out_fmt("CPUTEST-END %lu cases, %lu faults, %lu sequences skipped", total, faults,
            skipped);
    out_end();
    outb(DEBUG_EXIT_PORT, GUEST_PASS);
    for (;;) {
        pause();
    }
}

void test_main(void)
{
    seed = cmdline_uint("seed", DEFAULT_SEED);
    cases_per_form = cmdline_uint("cases", DEFAULT_CASES);
    cmdline_str("only", only, sizeof(only));
    cmdline_str("forms", forms, sizeof(forms));
    verbose = cmdline_has("verbose");
    char fm[64];
    cmdline_str("featmask", fm, sizeof(fm));
    for (int w = 0, i = 0; w < 4 && fm[i]; w++) {
        uint32_t v = 0;
        for (; fm[i] && fm[i] != ','; i++) {
            char c = fm[i];
            v = v << 4 | (uint32_t)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
        }
        featmask[w] = v;
        i += fm[i] == ',';
    }

    uint32_t r0[4], v[4];
    read_features(r0);
    cpuid(0, 0, v);
    char vendor[13];
    memcpy(vendor, &v[1], 4);
    memcpy(vendor + 4, &v[3], 4);
    memcpy(vendor + 8, &v[2], 4);
    vendor[12] = 0;
    printf("# cpuid at CPL0: vendor %s 1.edx=%08x 1.ecx=%08x 7.ebx=%08x "
           "80000001.ecx=%08x\n", vendor, r0[W_1EDX], r0[W_1ECX], r0[W_7EBX], r0[W_81ECX]);
    setup_ring0();
    printf("CPUTEST-BEGIN seed=%lu cases=%lu%s\n", seed, cases_per_form,
           verbose ? " verbose" : "");
    ct_enter_user(user_main, user_stack + sizeof(user_stack));
}
