/*
 * fpu/softfloat against real silicon: every operation is run on this host's SSE or x87
 * unit (softfloat-hw.h) and on the library, with structured edge cases and random
 * operands, under every rounding mode, FTZ/DAZ setting and x87 precision control.
 * Result bits (NaN payloads included) and exception flags must agree exactly; the
 * transcendental instructions are held to the accuracy bound documented in
 * docs/devel/softfloat.md. SOFTFLOAT_TEST_SCALE=<n> multiplies the random case counts,
 * SOFTFLOAT_TEST_SEED=<n> changes the seed.
 */
#include <glib.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include "fpu/softfloat.h"

#if !defined(__x86_64__)
/* The oracle is the host's own x87/SSE unit. */
int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_message("skipped: needs an x86-64 host as the reference");
    return g_test_run();
}
#else

#include <cpuid.h>

#include "softfloat-hw.h"

static double scale = 1.0;
static uint64_t rng_state;
static unsigned long total_cases;

static uint64_t rnd64(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static unsigned rnd(unsigned n)
{
    return (unsigned)(rnd64() % n);
}

static unsigned long count(unsigned long n)
{
    unsigned long c = (unsigned long)(n * scale);
    return c ? c : 1;
}

/* ---- Failure reporting: print the first few, count all, fail the test case. ---- */

static unsigned long fails;

static void vreport(const char *fmt, va_list ap)
{
    if (++fails <= 30) {
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
    }
}

static void report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
}

/*
 * ---- Architectural comparisons and host-specific corners ----
 *
 * Most of what the test compares is architectural: IEEE results of the basic operations
 * in every rounding mode, conversions, NaN selection and quieting, the indefinite
 * values, DAZ/FTZ, tininess after rounding (SDM vol 1 4.9.1.5; the APM defines UE on
 * the rounded result too), and the flags, as the Intel SDM (vol 1 ch. 4, 8, 11) and the
 * AMD APM (vol 1, vol 5) specify them alike. A few corners are not: there the manuals
 * leave room and docs/devel/softfloat.md records what was measured on AuthenticAMD
 * family 0x1a. For each case the corners it falls in name the bits they dispute; a
 * difference anywhere else always fails. On the measured vendor and family a difference
 * in a corner fails as well. On any other host (other vendors, other AMD families) it is
 * counted and printed as a TAP comment: emu keeps AMD's behaviour there, because its
 * default CPU model (qemu64, target/i386/cpuid.c) reports AuthenticAMD.
 */
#define MEASURED_VENDOR "AuthenticAMD"
#define MEASURED_FAMILY 0x1a

typedef enum Corner {
    /*
     * DE beside a masked invalid operation, a divide-by-zero or a NaN operand (SDM vol 1
     * 4.9.2 lets a lower-priority exception "occur as well"), and DE from ROUNDSS/SD,
     * FIST/FISTTP and FST m32/m64, which AMD never raises (FST and FIST are arithmetic
     * instructions in SDM table 8-9). Disputed: the DE flag only.
     */
    CN_DENORMAL,
    /* x87, two NaNs of one kind with equal significands and opposite signs: table 4-7
     * picks the larger significand and says nothing of a tie. Disputed: the result sign. */
    CN_NAN_TIE,
    /* FPREM/FPREM1 with an exponent difference of 64 or more: the step N is
     * "implementation-dependent" (SDM vol 2 FPREM) and C0/C3/C1 are only defined for a
     * complete remainder. Disputed: the result, C0, C1, C3 and UE (C2 is architectural). */
    CN_PREM_PARTIAL,
    /* Integer indefinite from CVT(T)S*2SI and FIST(TP): whether PE (and C1) accompany IE. */
    CN_INDEF_PE,
    /* FST m32/m64 of an out-of-range value with UE/OE unmasked: nothing is stored; PE and
     * C1 beside UE/OE. */
    CN_FST_UNMASKED,
    /* FSCALE beyond the reach of the unmasked 24576 bias adjustment: the result is
     * architectural (SDM vol 1 8.5.4/8.5.5), PE and C1 are not. */
    CN_FSCALE_WRAP,
    /* Transcendentals on finite operands: the hardware's error pattern, its flags when
     * results agree, and the out-of-domain behaviour of F2XM1/FYL2XP1. */
    CN_TRANS,
    CN_COUNT
} Corner;

static const char *const corner_names[CN_COUNT] = {
    "denormal-flag", "nan-tie", "prem-partial", "indef-pe", "fst-unmasked", "fscale-wrap",
    "trans",
};

/* True on the vendor and family the corners were measured on. */
static bool corners_strict = true;

/* SOFTFLOAT_TEST_INJECT: fake host differences, to check how they are judged. */
#define INJECT_ARCH (1u << CN_COUNT)
static unsigned inject;
static bool arch_injected;      /* one architectural mismatch per operation */

typedef struct CornerCount {
    unsigned long cases, differ;
} CornerCount;

static CornerCount corner_op[CN_COUNT], corner_all[CN_COUNT];
static unsigned long corner_notes;

/* The bits one comparison looks at. */
typedef struct Bits {
    uint64_t m, m2, i;      /* result (SSE bits, x87 significands), integer result */
    uint16_t se, se2;       /* x87 sign/exponent words */
    uint16_t fl;            /* exception flags and the compared FSW condition bits */
} Bits;

typedef struct CornerSet {
    unsigned n;
    Corner id[CN_COUNT];
    Bits mask[CN_COUNT];
} CornerSet;

static void corner_add(CornerSet *cs, Corner c, Bits mask)
{
    cs->id[cs->n] = c;
    cs->mask[cs->n++] = mask;
}

static Bits bits_and(Bits a, Bits b, bool invert_b)
{
    uint64_t k = invert_b ? ~0ull : 0;
    return (Bits){ a.m & (b.m ^ k), a.m2 & (b.m2 ^ k), a.i & (b.i ^ k),
                   (uint16_t)(a.se & (b.se ^ k)), (uint16_t)(a.se2 & (b.se2 ^ k)),
                   (uint16_t)(a.fl & (b.fl ^ k)) };
}

static bool bits_any(Bits a)
{
    return a.m || a.m2 || a.i || a.se || a.se2 || a.fl;
}

/* Flip one disputed bit of what the host returned (the lowest of the first field). */
static void bits_flip_one(Bits *h, Bits mask)
{
    uint64_t *f64[] = { &h->m, &h->m2, &h->i }, m64[] = { mask.m, mask.m2, mask.i };
    uint16_t *f16[] = { &h->se, &h->se2, &h->fl }, m16[] = { mask.se, mask.se2, mask.fl };

    for (int k = 0; k < 3; k++) {
        if (m64[k]) {
            *f64[k] ^= m64[k] & -m64[k];
            return;
        }
    }
    for (int k = 0; k < 3; k++) {
        if (m16[k]) {
            *f16[k] ^= (uint16_t)(m16[k] & -m16[k]);
            return;
        }
    }
}

static void inject_into(Bits *h, const CornerSet *cs)
{
    for (unsigned k = 0; k < cs->n; k++) {
        if (inject & (1u << cs->id[k])) {
            bits_flip_one(h, cs->mask[k]);
        }
    }
    if ((inject & INJECT_ARCH) && !cs->n && !arch_injected) {
        h->m ^= 1;
        arch_injected = true;
    }
}

typedef enum Verdict {
    V_SAME,         /* bit for bit */
    V_CORNER,       /* differs only in bits a host-specific corner disputes */
    V_ARCH,         /* differs in an architectural bit */
} Verdict;

static Verdict judge(const Bits *h, const Bits *s, const CornerSet *cs)
{
    Bits d = { h->m ^ s->m, h->m2 ^ s->m2, h->i ^ s->i, (uint16_t)(h->se ^ s->se),
               (uint16_t)(h->se2 ^ s->se2), (uint16_t)(h->fl ^ s->fl) };
    Bits rest = d;

    for (unsigned k = 0; k < cs->n; k++) {
        corner_op[cs->id[k]].cases++;
        rest = bits_and(rest, cs->mask[k], true);
    }
    if (!bits_any(d)) {
        return V_SAME;
    }
    if (bits_any(rest)) {
        return V_ARCH;
    }
    for (unsigned k = 0; k < cs->n; k++) {
        if (bits_any(bits_and(d, cs->mask[k], false))) {
            corner_op[cs->id[k]].differ++;
        }
    }
    return V_CORNER;
}

/* A difference: a failure, unless it is confined to corners this host may differ in. */
static void mismatch(Verdict v, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void mismatch(Verdict v, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (v == V_ARCH || corners_strict) {
        vreport(fmt, ap);
    } else if (++corner_notes <= 20) {
        char *msg = g_strdup_vprintf(fmt, ap);
        g_test_message("host-specific, reported: %s", msg);
        g_free(msg);
    }
    va_end(ap);
}

/* "; corners: nan-tie 96 (0 differ), ..." for the corners an operation met. */
static char *corner_summary(CornerCount *cc)
{
    GString *g = g_string_new("");

    for (int c = 0; c < CN_COUNT; c++) {
        if (cc[c].cases) {
            g_string_append_printf(g, "%s %s %lu (%lu differ)", g->len ? "," : "; corners:",
                                   corner_names[c], cc[c].cases, cc[c].differ);
        }
    }
    return g_string_free(g, false);
}

static unsigned long cases_at_start;

static void finish(const char *what)
{
    char *cs = corner_summary(corner_op);
    unsigned long differ = 0;

    g_test_message("%-12s %8lu cases, %lu mismatches%s", what, total_cases - cases_at_start,
                   fails, cs);
    g_free(cs);
    for (int c = 0; c < CN_COUNT; c++) {
        differ += corner_op[c].differ;
        corner_all[c].cases += corner_op[c].cases;
        corner_all[c].differ += corner_op[c].differ;
    }
    if (differ && !corners_strict) {
        g_test_message("%s: %lu differences in host-specific corners, reported, not failed",
                       what, differ);
    }
    memset(corner_op, 0, sizeof(corner_op));
    cases_at_start = total_cases;
    arch_injected = false;
    if (fails) {
        fprintf(stderr, "%s: %lu mismatches\n", what, fails);
        g_test_fail();
    }
    fails = 0;
}

/* The host's CPUID vendor and family, or what SOFTFLOAT_TEST_ASSUME_VENDOR says. */
static void host_identify(void)
{
    unsigned a = 0, b = 0, c = 0, d = 0, family, model, stepping;
    char vendor[13] = { 0 }, brand[49] = { 0 };
    const char *e = getenv("SOFTFLOAT_TEST_ASSUME_VENDOR");

    __get_cpuid(0, &a, &b, &c, &d);
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    __get_cpuid(1, &a, &b, &c, &d);
    family = (a >> 8) & 0xf;
    model = (a >> 4) & 0xf;
    stepping = a & 0xf;
    if (family == 0xf) {
        family += (a >> 20) & 0xff;
    }
    if (family == 0x6 || family >= 0xf) {
        model |= ((a >> 16) & 0xf) << 4;
    }
    if (__get_cpuid_max(0x80000000, NULL) >= 0x80000004) {
        for (unsigned k = 0; k < 3; k++) {
            __get_cpuid(0x80000002 + k, &a, &b, &c, &d);
            memcpy(brand + 16 * k, (unsigned[]){ a, b, c, d }, 16);
        }
    }
    printf("# host CPU: %s family 0x%x model 0x%x stepping %u, \"%s\"\n", vendor, family,
           model, stepping, g_strstrip(brand));
    if (e && *e) {
        /* VENDOR or VENDOR:FAMILY */
        const char *colon = strchr(e, ':');
        g_strlcpy(vendor, e, colon && colon - e < 12 ? (size_t)(colon - e + 1) : 13);
        if (colon) {
            family = (unsigned)strtoul(colon + 1, NULL, 0);
        }
        printf("# SOFTFLOAT_TEST_ASSUME_VENDOR: judged as %s family 0x%x\n", vendor, family);
    }
    corners_strict = !strcmp(vendor, MEASURED_VENDOR) && family == MEASURED_FAMILY;
    printf("# host-specific corners (measured on %s family 0x%x): %s\n", MEASURED_VENDOR,
           MEASURED_FAMILY, corners_strict ? "compared strictly"
                                           : "differences reported, not failed");
    e = getenv("SOFTFLOAT_TEST_INJECT");
    if (e && *e) {
        char **names = g_strsplit(e, ",", -1);
        for (char **n = names; *n; n++) {
            int k = 0;
            while (k < CN_COUNT && strcmp(*n, corner_names[k])) {
                k++;
            }
            if (k == CN_COUNT && strcmp(*n, "arch")) {
                fprintf(stderr, "SOFTFLOAT_TEST_INJECT: unknown '%s' (arch or a corner)\n", *n);
                exit(2);
            }
            inject |= k == CN_COUNT ? INJECT_ARCH : 1u << k;
        }
        g_strfreev(names);
        printf("# SOFTFLOAT_TEST_INJECT=%s: host results altered on purpose\n", e);
    }
    fflush(stdout);
}

/* ---- Operand generators: random bits, specials, boundary exponents, ties. ---- */

typedef struct IeeeFmt {
    int eb, fb;
} IeeeFmt;

static const IeeeFmt fmt32 = { 8, 23 }, fmt64 = { 11, 52 };

static uint64_t ieee_make(const IeeeFmt *f, int sign, int64_t e, uint64_t frac)
{
    int64_t emax = (1 << f->eb) - 1;
    e = e < 0 ? 0 : e > emax ? emax : e;
    return ((uint64_t)sign << (f->eb + f->fb)) | ((uint64_t)e << f->fb) |
           (frac & ((1ull << f->fb) - 1));
}

static uint64_t gen_frac(int fb)
{
    uint64_t mask = fb == 64 ? ~0ull : (1ull << fb) - 1, r = rnd64();
    switch (rnd(12)) {
    case 0:
        return 0;
    case 1:
        return mask;
    case 2:
        return 1ull << rnd(fb);
    case 3:
        return mask >> rnd(fb);
    case 4:
        return (mask << rnd(fb)) & mask;
    case 5:
        return r & (mask << (fb / 2));
    case 6:
        return r & (mask << (fb - fb / 4));
    case 7:
        return (r & mask) | 1;
    default:
        return r & mask;
    }
}

static int64_t gen_exp(int eb, int fb)
{
    int64_t emax = (1 << eb) - 1, bias = emax >> 1;
    switch (rnd(10)) {
    case 0:
        return 0;
    case 1:
        return rnd(fb + 4);
    case 2:
        return emax - 1 - rnd(fb + 4);
    case 3:
        return emax;
    case 4:
    case 5:
    case 6:
        return bias - 40 + rnd(80);
    default:
        return rnd(emax + 1);
    }
}

static const uint32_t specials32[] = {
    0x00000000, 0x00000001, 0x00000002, 0x00000003, 0x007fffff, 0x00400000, 0x00400001,
    0x00800000, 0x00800001, 0x00ffffff, 0x01000000, 0x33800000, 0x34000000, 0x3effffff,
    0x3f000000, 0x3f000001, 0x3f7fffff, 0x3f800000, 0x3f800001, 0x3fc00000, 0x3fffffff,
    0x40000000, 0x40200000, 0x40400000, 0x4b000000, 0x4b000001, 0x4b7fffff, 0x4b800000,
    0x4effffff, 0x4f000000, 0x4f000001, 0x5effffff, 0x5f000000, 0x5f000001, 0x7f000000,
    0x7f7ffffe, 0x7f7fffff, 0x7f800000, 0x7f800001, 0x7f800002, 0x7fa00000, 0x7fbfffff,
    0x7fc00000, 0x7fc00001, 0x7fd00000, 0x7fffffff,
};

static const uint64_t specials64[] = {
    0x0000000000000000ull, 0x0000000000000001ull, 0x0000000000000002ull,
    0x000fffffffffffffull, 0x0008000000000000ull, 0x0008000000000001ull,
    0x0010000000000000ull, 0x0010000000000001ull, 0x001fffffffffffffull,
    0x3ca0000000000000ull, 0x3cb0000000000000ull, 0x3fdfffffffffffffull,
    0x3fe0000000000000ull, 0x3fe0000000000001ull, 0x3fefffffffffffffull,
    0x3ff0000000000000ull, 0x3ff0000000000001ull, 0x3ff8000000000000ull,
    0x3fffffffffffffffull, 0x4000000000000000ull, 0x4004000000000000ull,
    0x4330000000000000ull, 0x4330000000000001ull, 0x433fffffffffffffull,
    0x41dfffffffc00000ull, 0x41dfffffffe00000ull, 0x41e0000000000000ull,
    0x41e0000000100000ull, 0xc1e0000000000000ull, 0xc1e0000000100000ull,
    0x43dfffffffffffffull, 0x43e0000000000000ull, 0x43e0000000000001ull,
    0x380fffffffffffffull, 0x3810000000000000ull, 0x47efffffe0000000ull,
    0x47efffffffffffffull, 0x47f0000000000000ull, 0x36a0000000000000ull,
    0x7fe0000000000000ull, 0x7feffffffffffffeull, 0x7fefffffffffffffull,
    0x7ff0000000000000ull, 0x7ff0000000000001ull, 0x7ff4000000000000ull,
    0x7ff7ffffffffffffull, 0x7ff8000000000000ull, 0x7ff8000000000001ull,
    0x7ffc000000000000ull, 0x7fffffffffffffffull, 0x7ff0000020000000ull,
};

static uint64_t gen_ieee(const IeeeFmt *f)
{
    uint64_t sign = rnd64() & 1;
    switch (rnd(10)) {
    case 0:
    case 1:
        return rnd64() & (f->fb == 23 ? 0xffffffffull : ~0ull);
    case 2:
        if (f->fb == 23) {
            return specials32[rnd(G_N_ELEMENTS(specials32))] | (uint32_t)(sign << 31);
        }
        return specials64[rnd(G_N_ELEMENTS(specials64))] | (sign << 63);
    default:
        return ieee_make(f, (int)sign, gen_exp(f->eb, f->fb), gen_frac(f->fb));
    }
}

/* An operand related to a: close exponent (cancellation, alignment) or an exponent
 * that puts a product or quotient at the underflow/overflow thresholds. */
static int64_t related_exp(int64_t ea, int64_t bias, int64_t emax_field, int fb)
{
    int64_t d = (int64_t)rnd(2 * fb + 7) - fb - 3;
    switch (rnd(9)) {
    case 0:
        return ea;
    case 1:
        return ea + (int64_t)rnd(5) - 2;
    case 2:
        return ea + d;
    case 3:
        return bias + 1 - ea + d;                   /* a * b near the smallest normal */
    case 4:
        return bias + emax_field - 1 - ea + d;      /* a * b near overflow */
    case 5:
        return 2 * bias - ea + d;                   /* a * b near 1 */
    case 6:
        return ea + bias - 1 + d;                   /* a / b near the smallest normal */
    case 7:
        return ea - bias + 1 + d;                   /* a / b near overflow */
    default:
        return ea + (int64_t)rnd(200) - 100;
    }
}

static uint64_t gen_ieee_related(const IeeeFmt *f, uint64_t a)
{
    int64_t emax = (1 << f->eb) - 1;
    int64_t ea = (a >> f->fb) & emax;
    uint64_t frac = gen_frac(f->fb);

    if (rnd(4) == 0) {
        return gen_ieee(f);
    }
    if (rnd(6) == 0) {
        /* Same magnitude give or take a few ulps: massive cancellation. */
        frac = (a & ((1ull << f->fb) - 1)) + rnd(7) - 3;
    }
    return ieee_make(f, (int)(rnd64() & 1), related_exp(ea, emax >> 1, emax, f->fb), frac);
}

static const floatx80 specialsx80[] = {
    { 0, 0 }, { 1, 0 }, { 0x7fffffffffffffffull, 0 }, { 0x4000000000000000ull, 0 },
    { 0x8000000000000000ull, 0 },                                 /* pseudo-denormal */
    { 0xc000000000000000ull, 0 },                                 /* pseudo-denormal */
    { 0x8000000000000000ull, 1 }, { 0x8000000000000001ull, 1 }, { 0xffffffffffffffffull, 1 },
    { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000001ull, 0x3fff },
    { 0xffffffffffffffffull, 0x3ffe }, { 0xffffffffffffffffull, 0x3fff },
    { 0xc000000000000000ull, 0x3fff }, { 0x8000008000000000ull, 0x3fff },
    { 0x8000000000000400ull, 0x3fff }, { 0xffffff8000000000ull, 0x3fff },
    { 0xfffffffffffff800ull, 0x3fff }, { 0x8000000000000000ull, 0x403e },
    { 0xffffffffffffffffull, 0x403e }, { 0x8000000000000000ull, 0x401e },
    { 0x8000000000000000ull, 0x400e }, { 0xfffe000000000000ull, 0x400d },
    { 0xc90fdaa22168c235ull, 0x3fff }, { 0xc90fdaa22168c235ull, 0x3ffe },
    { 0x8000000000000000ull, 0x7ffe }, { 0xffffffffffffffffull, 0x7ffe },
    { 0xffffff0000000000ull, 0x7ffe }, { 0xfffffffffffff800ull, 0x7ffe },
    { 0x8000000000000000ull, 0x7fff },                            /* infinity */
    { 0xc000000000000000ull, 0x7fff }, { 0xc000000000000001ull, 0x7fff },
    { 0xffffffffffffffffull, 0x7fff }, { 0x8000000000000001ull, 0x7fff },
    { 0xa000000000000000ull, 0x7fff }, { 0xbfffffffffffffffull, 0x7fff },
    { 0x0000000000000000ull, 0x7fff },                            /* pseudo-infinity */
    { 0x4000000000000000ull, 0x7fff }, { 0x0000000000000001ull, 0x7fff }, /* pseudo-NaN */
    { 0x4000000000000000ull, 0x3fff }, { 0x0000000000000000ull, 0x3fff }, /* unnormal */
    { 0x7fffffffffffffffull, 0x0001 }, { 0x8000000000000000ull, 0x3c01 },
    { 0x8000000000000000ull, 0x3f81 }, { 0x8000000000000000ull, 0x43fe },
    { 0x8000000000000000ull, 0x407e }, { 0x8000000000000000ull, 0x3bcd },
};

static floatx80 x80_special(void)
{
    floatx80 r = specialsx80[rnd(G_N_ELEMENTS(specialsx80))];
    r.sign_exp |= (uint16_t)((rnd64() & 1) << 15);
    return r;
}

static floatx80 gen_x80_exp(int64_t e)
{
    uint64_t m = gen_frac(63) | (1ull << 63);
    unsigned k = rnd(40);

    e = e < 0 ? 0 : e > 0x7fff ? 0x7fff : e;
    if (k == 0) {
        m &= ~(1ull << 63);            /* unnormal / pseudo-NaN / denormal */
    } else if (k == 1) {
        m &= 0xffffff0000000000ull;     /* exact in single precision */
    } else if (k == 2) {
        m &= 0xfffffffffffff800ull;     /* exact in double precision */
    } else if (k == 3) {
        m = (m & 0xffffff0000000000ull) | 0x0000008000000000ull;   /* PC 24 tie */
    } else if (k == 4) {
        m = (m & 0xfffffffffffff800ull) | 0x400;                    /* PC 53 tie */
    }
    if (e == 0 && k > 4 && rnd(3)) {
        m &= ~(1ull << 63);             /* true denormal rather than pseudo-denormal */
    }
    if (e == 0x7fff && rnd(8)) {
        m |= 1ull << 63;                /* mostly real NaNs/infinities */
    }
    return make_floatx80((uint16_t)(((rnd64() & 1) << 15) | e), m);
}

static floatx80 gen_x80(void)
{
    switch (rnd(10)) {
    case 0:
        return make_floatx80((uint16_t)rnd64(), rnd64());
    case 1:
        return x80_special();
    default:
        return gen_x80_exp(gen_exp(15, 64));
    }
}

static floatx80 gen_x80_related(floatx80 a)
{
    if (rnd(4) == 0) {
        return gen_x80();
    }
    if (rnd(6) == 0) {
        floatx80 b = make_floatx80((uint16_t)(((rnd64() & 1) << 15) | (a.sign_exp & 0x7fff)),
                                   a.mantissa + rnd(7) - 3);
        return b;
    }
    return gen_x80_exp(related_exp(a.sign_exp & 0x7fff, 0x3fff, 0x7fff, 64));
}

static int64_t gen_int(int bits)
{
    uint64_t r = rnd64();
    switch (rnd(6)) {
    case 0:
        r = (uint64_t)(int64_t)(int32_t)(uint32_t)r >> rnd(32);
        break;
    case 1:
        r = 1ull << rnd(64);
        break;
    case 2:
        r = (1ull << rnd(64)) - rnd(3);
        break;
    case 3:
        r >>= rnd(64);
        break;
    default:
        break;
    }
    if (bits < 64) {
        r = (uint64_t)(int64_t)(int32_t)(uint32_t)(r << (64 - bits) >> (64 - bits));
        if (bits == 16) {
            r = (uint64_t)(int64_t)(int16_t)r;
        }
    }
    return rnd(2) ? (int64_t)r : (int64_t)(0 - r);
}

/* ---- SSE: float32/float64 ---- */

typedef struct SseCase {
    uint64_t in[3];
} SseCase;

typedef uint64_t (*SseHw)(const uint64_t *x, uint32_t mx, uint32_t *fl);
typedef uint64_t (*SseSf)(const uint64_t *x, float_status *s);

enum { K_F32, K_F64, K_I32, K_I64 };

typedef struct SseOp {
    const char *name;
    int kind;       /* operand kind */
    int nargs;
    bool out32;     /* 32-bit result: compare the low half only */
    SseHw hw;
    SseSf sf;
} SseOp;

#define SSE_BIN(nm, hwf, sff, T)                                                        \
    static uint64_t hw_op_##nm(const uint64_t *x, uint32_t mx, uint32_t *fl)            \
    {                                                                                   \
        return hwf((T)x[0], (T)x[1], mx, fl);                                           \
    }                                                                                   \
    static uint64_t sf_op_##nm(const uint64_t *x, float_status *s)                      \
    {                                                                                   \
        return sff((T)x[0], (T)x[1], s);                                                \
    }

SSE_BIN(addss, hw_addss, float32_add, uint32_t)
SSE_BIN(subss, hw_subss, float32_sub, uint32_t)
SSE_BIN(mulss, hw_mulss, float32_mul, uint32_t)
SSE_BIN(divss, hw_divss, float32_div, uint32_t)
SSE_BIN(minss, hw_minss, float32_min, uint32_t)
SSE_BIN(maxss, hw_maxss, float32_max, uint32_t)
SSE_BIN(addsd, hw_addsd, float64_add, uint64_t)
SSE_BIN(subsd, hw_subsd, float64_sub, uint64_t)
SSE_BIN(mulsd, hw_mulsd, float64_mul, uint64_t)
SSE_BIN(divsd, hw_divsd, float64_div, uint64_t)
SSE_BIN(minsd, hw_minsd, float64_min, uint64_t)
SSE_BIN(maxsd, hw_maxsd, float64_max, uint64_t)
SSE_BIN(comiss, hw_comiss, float32_compare, uint32_t)
SSE_BIN(ucomiss, hw_ucomiss, float32_compare_quiet, uint32_t)
SSE_BIN(comisd, hw_comisd, float64_compare, uint64_t)
SSE_BIN(ucomisd, hw_ucomisd, float64_compare_quiet, uint64_t)

#define SSE_UN(nm, hwexpr, sfexpr)                                                      \
    static uint64_t hw_op_##nm(const uint64_t *x, uint32_t mx, uint32_t *fl)            \
    {                                                                                   \
        return hwexpr;                                                                  \
    }                                                                                   \
    static uint64_t sf_op_##nm(const uint64_t *x, float_status *s)                      \
    {                                                                                   \
        return sfexpr;                                                                  \
    }

SSE_UN(sqrtss, hw_sqrtss_(0, (uint32_t)x[0], mx, fl), float32_sqrt((uint32_t)x[0], s))
SSE_UN(sqrtsd, hw_sqrtsd_(0, x[0], mx, fl), float64_sqrt(x[0], s))
SSE_UN(cvtss2sd, hw_cvtss2sd_(0, (uint32_t)x[0], mx, fl), float32_to_float64((uint32_t)x[0], s))
SSE_UN(cvtsd2ss, (uint32_t)hw_cvtsd2ss_(0, x[0], mx, fl), float64_to_float32(x[0], s))
SSE_UN(cvtss2si32, (uint32_t)hw_cvtss2si32((uint32_t)x[0], mx, fl),
       (uint32_t)float32_to_int32((uint32_t)x[0], s))
SSE_UN(cvttss2si32, (uint32_t)hw_cvttss2si32((uint32_t)x[0], mx, fl),
       (uint32_t)float32_to_int32_round_to_zero((uint32_t)x[0], s))
SSE_UN(cvtss2si64, hw_cvtss2si64((uint32_t)x[0], mx, fl), float32_to_int64((uint32_t)x[0], s))
SSE_UN(cvttss2si64, hw_cvttss2si64((uint32_t)x[0], mx, fl),
       float32_to_int64_round_to_zero((uint32_t)x[0], s))
SSE_UN(cvtsd2si32, (uint32_t)hw_cvtsd2si32(x[0], mx, fl), (uint32_t)float64_to_int32(x[0], s))
SSE_UN(cvttsd2si32, (uint32_t)hw_cvttsd2si32(x[0], mx, fl),
       (uint32_t)float64_to_int32_round_to_zero(x[0], s))
SSE_UN(cvtsd2si64, hw_cvtsd2si64(x[0], mx, fl), float64_to_int64(x[0], s))
SSE_UN(cvttsd2si64, hw_cvttsd2si64(x[0], mx, fl), float64_to_int64_round_to_zero(x[0], s))
SSE_UN(cvtsi2ss32, hw_cvtsi2ss32((int32_t)x[0], mx, fl), int32_to_float32((int32_t)x[0], s))
SSE_UN(cvtsi2ss64, hw_cvtsi2ss64((int64_t)x[0], mx, fl), int64_to_float32((int64_t)x[0], s))
SSE_UN(cvtsi2sd32, hw_cvtsi2sd32((int32_t)x[0], mx, fl), int32_to_float64((int32_t)x[0], s))
SSE_UN(cvtsi2sd64, hw_cvtsi2sd64((int64_t)x[0], mx, fl), int64_to_float64((int64_t)x[0], s))
SSE_UN(roundss, hw_roundss4(0, (uint32_t)x[0], mx, fl), float32_round_to_int((uint32_t)x[0], s))
SSE_UN(roundsd, hw_roundsd4(0, x[0], mx, fl), float64_round_to_int(x[0], s))

/* ROUNDSS with an immediate mode, and imm8 bit 3 (suppress precision). */
#define SSE_ROUNDI(nm, hwf, sff, T, mode, noinx)                                        \
    SSE_UN(nm, hwf(0, (T)x[0], mx, fl), sff((T)x[0], mode, noinx, s))
SSE_ROUNDI(roundss_n, hw_roundss0, float32_round_to_int_mode, uint32_t, 0, false)
SSE_ROUNDI(roundss_d, hw_roundss1, float32_round_to_int_mode, uint32_t, 1, false)
SSE_ROUNDI(roundss_u, hw_roundss2, float32_round_to_int_mode, uint32_t, 2, false)
SSE_ROUNDI(roundss_z, hw_roundss3, float32_round_to_int_mode, uint32_t, 3, false)
SSE_ROUNDI(roundsd_n, hw_roundsd0, float64_round_to_int_mode, uint64_t, 0, false)
SSE_ROUNDI(roundsd_d, hw_roundsd1, float64_round_to_int_mode, uint64_t, 1, false)
SSE_ROUNDI(roundsd_u, hw_roundsd2, float64_round_to_int_mode, uint64_t, 2, false)
SSE_ROUNDI(roundsd_z, hw_roundsd3, float64_round_to_int_mode, uint64_t, 3, false)
SSE_ROUNDI(roundss_nx, hw_roundss8, float32_round_to_int_mode, uint32_t, 0, true)
SSE_ROUNDI(roundsd_nx, hw_roundsd8, float64_round_to_int_mode, uint64_t, 0, true)

/*
 * FMA forms onto float*_muladd(a, b, c) = a * b + c, NaNs chosen in a, b, c order:
 * the operands in the order the instruction's formula names them (Intel syntax).
 */
#define SSE_FMA(nm, hwf, sff, T, i0, i1, i2, fl_)                                       \
    static uint64_t hw_op_##nm(const uint64_t *x, uint32_t mx, uint32_t *fl)            \
    {                                                                                   \
        return hwf((T)x[0], (T)x[1], (T)x[2], mx, fl);                                  \
    }                                                                                   \
    static uint64_t sf_op_##nm(const uint64_t *x, float_status *s)                      \
    {                                                                                   \
        return sff((T)x[i0], (T)x[i1], (T)x[i2], fl_, s);                               \
    }
/* 132: x0 = x0*x2 + x1; 213: x0 = x1*x0 + x2; 231: x0 = x1*x2 + x0. */
SSE_FMA(vfmadd132ss, hw_vfmadd132ss, float32_muladd, uint32_t, 0, 2, 1, 0)
SSE_FMA(vfmadd213ss, hw_vfmadd213ss, float32_muladd, uint32_t, 1, 0, 2, 0)
SSE_FMA(vfmadd231ss, hw_vfmadd231ss, float32_muladd, uint32_t, 1, 2, 0, 0)
SSE_FMA(vfmsub231ss, hw_vfmsub231ss, float32_muladd, uint32_t, 1, 2, 0,
        float_muladd_negate_c)
SSE_FMA(vfnmadd231ss, hw_vfnmadd231ss, float32_muladd, uint32_t, 1, 2, 0,
        float_muladd_negate_product)
SSE_FMA(vfnmsub231ss, hw_vfnmsub231ss, float32_muladd, uint32_t, 1, 2, 0,
        float_muladd_negate_product | float_muladd_negate_c)
SSE_FMA(vfmadd132sd, hw_vfmadd132sd, float64_muladd, uint64_t, 0, 2, 1, 0)
SSE_FMA(vfmadd213sd, hw_vfmadd213sd, float64_muladd, uint64_t, 1, 0, 2, 0)
SSE_FMA(vfmadd231sd, hw_vfmadd231sd, float64_muladd, uint64_t, 1, 2, 0, 0)
SSE_FMA(vfmsub231sd, hw_vfmsub231sd, float64_muladd, uint64_t, 1, 2, 0,
        float_muladd_negate_c)
SSE_FMA(vfnmadd231sd, hw_vfnmadd231sd, float64_muladd, uint64_t, 1, 2, 0,
        float_muladd_negate_product)
SSE_FMA(vfnmsub231sd, hw_vfnmsub231sd, float64_muladd, uint64_t, 1, 2, 0,
        float_muladd_negate_product | float_muladd_negate_c)

#define OP(nm, kind, n) { #nm, kind, n, false, hw_op_##nm, sf_op_##nm }
#define OP32(nm, kind, n) { #nm, kind, n, true, hw_op_##nm, sf_op_##nm }

static const SseOp sse_arith_ops[] = {
    OP32(addss, K_F32, 2), OP32(subss, K_F32, 2), OP32(mulss, K_F32, 2), OP32(divss, K_F32, 2),
    OP32(sqrtss, K_F32, 1),
    OP(addsd, K_F64, 2), OP(subsd, K_F64, 2), OP(mulsd, K_F64, 2), OP(divsd, K_F64, 2),
    OP(sqrtsd, K_F64, 1),
};

static const SseOp sse_misc_ops[] = {
    OP32(minss, K_F32, 2), OP32(maxss, K_F32, 2), OP(minsd, K_F64, 2), OP(maxsd, K_F64, 2),
    OP(comiss, K_F32, 2), OP(ucomiss, K_F32, 2), OP(comisd, K_F64, 2), OP(ucomisd, K_F64, 2),
    OP32(roundss, K_F32, 1), OP(roundsd, K_F64, 1),
    OP32(roundss_n, K_F32, 1), OP32(roundss_d, K_F32, 1), OP32(roundss_u, K_F32, 1),
    OP32(roundss_z, K_F32, 1), OP(roundsd_n, K_F64, 1), OP(roundsd_d, K_F64, 1),
    OP(roundsd_u, K_F64, 1), OP(roundsd_z, K_F64, 1), OP32(roundss_nx, K_F32, 1),
    OP(roundsd_nx, K_F64, 1),
};

static const SseOp sse_fma_ops[] = {
    OP32(vfmadd132ss, K_F32, 3), OP32(vfmadd213ss, K_F32, 3), OP32(vfmadd231ss, K_F32, 3),
    OP32(vfmsub231ss, K_F32, 3), OP32(vfnmadd231ss, K_F32, 3), OP32(vfnmsub231ss, K_F32, 3),
    OP(vfmadd132sd, K_F64, 3), OP(vfmadd213sd, K_F64, 3), OP(vfmadd231sd, K_F64, 3),
    OP(vfmsub231sd, K_F64, 3), OP(vfnmadd231sd, K_F64, 3), OP(vfnmsub231sd, K_F64, 3),
};

static const SseOp sse_conv_ops[] = {
    OP(cvtss2sd, K_F32, 1), OP32(cvtsd2ss, K_F64, 1),
    OP32(cvtss2si32, K_F32, 1), OP32(cvttss2si32, K_F32, 1), OP(cvtss2si64, K_F32, 1),
    OP(cvttss2si64, K_F32, 1), OP32(cvtsd2si32, K_F64, 1), OP32(cvttsd2si32, K_F64, 1),
    OP(cvtsd2si64, K_F64, 1), OP(cvttsd2si64, K_F64, 1),
    OP32(cvtsi2ss32, K_I32, 1), OP32(cvtsi2ss64, K_I64, 1), OP(cvtsi2sd32, K_I32, 1),
    OP(cvtsi2sd64, K_I64, 1),
};

/* MXCSR settings: all exceptions masked, each rounding mode, FTZ and DAZ on/off. */
static uint32_t sse_config(int i)
{
    uint32_t mx = 0x1f80 | ((uint32_t)(i & 3) << 13) | ((i & 4) ? 0x8000 : 0) |
                  ((i & 8) ? 0x40 : 0);
    /* Configurations 16-31: underflow and overflow unmasked (the instruction faults). */
    return i & 16 ? mx & ~0xc00u : mx;
}

/* An SSE instruction faulting with #XM: keep the MXCSR it left and get out. */
static sigjmp_buf sse_fault_jmp;
static volatile uint32_t sse_fault_mxcsr;
static volatile sig_atomic_t sse_fault_armed;

static void sse_fault_handler(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;

    if (!sse_fault_armed) {
        static const char msg[] = "unexpected SIGFPE\n";
        if (write(2, msg, sizeof(msg) - 1) < 0) {
            /* nothing more to do */
        }
        _exit(1);
    }
    sse_fault_armed = 0;
    sse_fault_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    siglongjmp(sse_fault_jmp, 1);
}

static uint64_t mask_kind(int kind, uint64_t v)
{
    return kind == K_F32 ? (uint32_t)v : kind == K_I32 ? (uint64_t)(int64_t)(int32_t)v : v;
}

static bool ieee_is_denormal(const IeeeFmt *f, uint64_t v)
{
    uint64_t emax = (1u << f->eb) - 1;
    return !((v >> f->fb) & emax) && (v & ((1ull << f->fb) - 1));
}

static bool ieee_is_nan(const IeeeFmt *f, uint64_t v)
{
    uint64_t emax = (1u << f->eb) - 1;
    return ((v >> f->fb) & emax) == emax && (v & ((1ull << f->fb) - 1));
}

/* The host-specific corners (see Corner) an SSE case falls in; sfl: the library's flags,
 * which are compared strictly wherever they decide the corner. */
static void sse_corners(const SseOp *op, const uint64_t *x, uint32_t mx, uint16_t sfl,
                        CornerSet *cs)
{
    const IeeeFmt *f = op->kind == K_F32 ? &fmt32 : &fmt64;
    bool den = false, nan = false;

    cs->n = 0;
    if (op->kind != K_F32 && op->kind != K_F64) {
        return;
    }
    for (int k = 0; k < op->nargs; k++) {
        den |= ieee_is_denormal(f, x[k]);
        nan |= ieee_is_nan(f, x[k]);
    }
    /*
     * With DAZ no DE is raised, on either vendor (SDM vol 1 10.2.3.4, APM vol 1 MXCSR.DAZ):
     * that stays architectural, and so does the absence of DE from CVT(T)S*2SI (SDM vol 1
     * 11.5.2.2 lists them).
     */
    if (den && !(mx & 0x40) &&
        (nan || (sfl & (float_flag_invalid | float_flag_divbyzero)) ||
         !strncmp(op->name, "round", 5))) {
        corner_add(cs, CN_DENORMAL, (Bits){ .fl = float_flag_denormal });
    }
    if ((sfl & float_flag_invalid) && strstr(op->name, "2si")) {
        corner_add(cs, CN_INDEF_PE, (Bits){ .fl = float_flag_inexact });
    }
}

static bool sse_one(const SseOp *op, const uint64_t *x, uint32_t mx)
{
    uint32_t hfl;
    float_status s;
    uint64_t h, r;
    CornerSet cs;
    Bits hb = { 0 }, sb = { 0 };
    Verdict v;

    float_status_from_mxcsr(&s, mx);
    s.flags = 0;
    r = op->sf(x, &s);
    if (sigsetjmp(sse_fault_jmp, 1)) {
        /* Faulted: no result, the flags are what the library must report. */
        __asm__ volatile("ldmxcsr %0" : : "m"(hw_mxcsr_default));
        total_cases++;
        sse_corners(op, x, mx, s.flags, &cs);
        hb.fl = sse_fault_mxcsr & 0x3f;
        sb.fl = s.flags & 0x3f;
        if (inject) {
            inject_into(&hb, &cs);
        }
        v = judge(&hb, &sb, &cs);
        if (v != V_SAME || hb.m || !(s.flags & s.unmasked)) {
            mismatch(!(s.flags & s.unmasked) || hb.m ? V_ARCH : v,
                     "%s mxcsr=%04x in=%016" PRIx64 " %016" PRIx64 " %016" PRIx64
                     ": hw faulted, fl %02x, sf fl %02x", op->name, mx, x[0], x[1], x[2],
                     hb.fl, sb.fl);
            return false;
        }
        return true;
    }
    sse_fault_armed = 1;
    h = op->hw(x, mx, &hfl);
    sse_fault_armed = 0;
    if (op->out32) {
        h = (uint32_t)h;
        r = (uint32_t)r;
    }
    total_cases++;
    sse_corners(op, x, mx, s.flags, &cs);
    hb.m = h;
    hb.fl = (uint16_t)hfl;
    sb.m = r;
    sb.fl = s.flags & 0x3f;
    if (inject) {
        inject_into(&hb, &cs);
    }
    v = judge(&hb, &sb, &cs);
    if (v != V_SAME) {
        mismatch(v, "%s mxcsr=%04x in=%016" PRIx64 " %016" PRIx64 " %016" PRIx64
                 ": hw %016" PRIx64 " fl %02x, sf %016" PRIx64 " fl %02x",
                 op->name, mx, x[0], x[1], x[2], hb.m, hb.fl, r, sb.fl);
        return false;
    }
    return true;
}

static uint64_t gen_kind(int kind)
{
    switch (kind) {
    case K_F32:
        return gen_ieee(&fmt32);
    case K_F64:
        return gen_ieee(&fmt64);
    case K_I32:
        return (uint64_t)gen_int(32);
    default:
        return (uint64_t)gen_int(64);
    }
}

static uint64_t special_kind(int kind, unsigned i, unsigned *n)
{
    if (kind == K_F32) {
        *n = 2 * G_N_ELEMENTS(specials32);
        return specials32[i / 2] | ((uint32_t)(i & 1) << 31);
    }
    *n = 2 * G_N_ELEMENTS(specials64);
    return specials64[i / 2] | ((uint64_t)(i & 1) << 63);
}

static void run_sse_ops(const SseOp *ops, size_t nops, unsigned long nrand, int nconfigs)
{
    for (size_t k = 0; k < nops; k++) {
        const SseOp *op = &ops[k];
        const IeeeFmt *f = op->kind == K_F32 ? &fmt32 : &fmt64;
        unsigned n;

        for (int c = 0; c < nconfigs; c++) {
            uint32_t mx = sse_config(c);
            uint64_t x[3] = { 0, 0, 0 };

            if (op->kind == K_F32 || op->kind == K_F64) {
                /* Every pair of specials (for FMA: specials times a random addend). */
                special_kind(op->kind, 0, &n);
                for (unsigned i = 0; i < n; i++) {
                    for (unsigned j = 0; j < (op->nargs > 1 ? n : 1); j++) {
                        x[0] = special_kind(op->kind, i, &n);
                        x[1] = special_kind(op->kind, j, &n);
                        x[2] = op->nargs > 2 ? special_kind(op->kind, rnd(n), &n) : 0;
                        sse_one(op, x, mx);
                    }
                }
            }
            for (unsigned long i = 0; i < nrand; i++) {
                x[0] = gen_kind(op->kind);
                if (op->kind == K_F32 || op->kind == K_F64) {
                    x[1] = gen_ieee_related(f, x[0]);
                    x[2] = rnd(2) ? gen_ieee_related(f, x[rnd(2)]) : gen_kind(op->kind);
                    if (op->nargs == 3 && rnd(3) == 0) {
                        /* Addend close to the product: cancellation in the FMA sum. */
                        float_status s = { 0 };
                        x[2] = (f == &fmt32 ? float32_mul((uint32_t)x[0], (uint32_t)x[1], &s)
                                            : float64_mul(x[0], x[1], &s)) ^
                               (rnd(2) ? 0 : (f == &fmt32 ? 0x80000000ull : 1ull << 63));
                        x[2] = mask_kind(op->kind, x[2] + rnd(5) - 2);
                    }
                }
                sse_one(op, x, mx);
            }
        }
        finish(op->name);
    }
}

static void test_sse_arith(void)
{
    run_sse_ops(sse_arith_ops, G_N_ELEMENTS(sse_arith_ops), count(15000), 32);
}

static void test_sse_fma(void)
{
    if (!__builtin_cpu_supports("fma")) {
        g_test_skip("host without FMA");
        return;
    }
    run_sse_ops(sse_fma_ops, G_N_ELEMENTS(sse_fma_ops), count(6000), 32);
}

static void test_sse_misc(void)
{
    if (!__builtin_cpu_supports("sse4.1")) {
        g_test_skip("host without SSE4.1 (ROUNDSS)");
        return;
    }
    run_sse_ops(sse_misc_ops, G_N_ELEMENTS(sse_misc_ops), count(6000), 16);
}

static void test_sse_conv(void)
{
    run_sse_ops(sse_conv_ops, G_N_ELEMENTS(sse_conv_ops), count(8000), 32);
}

/* ---- x87: floatx80 ---- */

typedef struct X87In {
    floatx80 a, b;
    int64_t i;
} X87In;

typedef struct X87Out {
    floatx80 r, r2;
    uint64_t i;
    uint16_t sw;
} X87Out;

typedef void (*X87Hw)(const X87In *x, uint16_t cw, X87Out *o);
typedef void (*X87Sf)(const X87In *x, float_status *s, X87Out *o);

enum { K_X1, K_X2, K_XI16, K_XI32, K_XI64, K_XF32, K_XF64, K_XM32, K_XM64 };

typedef struct X87Op {
    const char *name;
    int kind;
    uint16_t sw_mask;       /* status bits compared besides the flags */
    X87Hw hw;
    X87Sf sf;
} X87Op;

#define SW_C0 0x0100
#define SW_C1 0x0200
#define SW_C2 0x0400
#define SW_C3 0x4000

/* x87 bias adjustment of unmasked overflow/underflow results (SDM vol 1 8.5.4). */
#define X87_WRAP 24576

static uint16_t sf_sw(const float_status *s)
{
    return (s->flags & 0x3f) | ((s->flags & float_flag_c1) ? SW_C1 : 0);
}

#define X87_BIN(nm, hwf, sff)                                                           \
    static void hw87_##nm(const X87In *x, uint16_t cw, X87Out *o)                       \
    {                                                                                   \
        o->r = hwf(x->a, x->b, cw, &o->sw);                                             \
    }                                                                                   \
    static void sf87_##nm(const X87In *x, float_status *s, X87Out *o)                   \
    {                                                                                   \
        o->r = sff(x->a, x->b, s);                                                      \
        o->sw = sf_sw(s);                                                               \
    }

X87_BIN(fadd, hw_fadd, floatx80_add)
X87_BIN(fsub, hw_fsub, floatx80_sub)
X87_BIN(fmul, hw_fmul, floatx80_mul)
X87_BIN(fdiv, hw_fdiv, floatx80_div)
X87_BIN(fscale, hw_fscale, floatx80_scale)

#define X87_UN(nm, hwf, sff)                                                            \
    static void hw87_##nm(const X87In *x, uint16_t cw, X87Out *o)                       \
    {                                                                                   \
        o->r = hwf(x->a, cw, &o->sw, NULL);                                             \
    }                                                                                   \
    static void sf87_##nm(const X87In *x, float_status *s, X87Out *o)                   \
    {                                                                                   \
        o->r = sff(x->a, s);                                                            \
        o->sw = sf_sw(s);                                                               \
    }

X87_UN(fsqrt, hw_fsqrt, floatx80_sqrt)
X87_UN(frndint, hw_frndint, floatx80_round_to_int)

static void hw87_fxtract(const X87In *x, uint16_t cw, X87Out *o)
{
    o->r = hw_fxtract(x->a, cw, &o->sw, &o->r2);
}

static void sf87_fxtract(const X87In *x, float_status *s, X87Out *o)
{
    o->r = floatx80_extract(x->a, &o->r2, s);
    o->sw = sf_sw(s);
}

static uint16_t rel_sw(FloatRelation r)
{
    switch (r) {
    case float_relation_less:
        return SW_C0;
    case float_relation_equal:
        return SW_C3;
    case float_relation_greater:
        return 0;
    default:
        return SW_C0 | SW_C2 | SW_C3;
    }
}

static void hw87_fcom(const X87In *x, uint16_t cw, X87Out *o)
{
    hw_fcom(x->a, x->b, cw, &o->sw);
}

static void sf87_fcom(const X87In *x, float_status *s, X87Out *o)
{
    FloatRelation r = floatx80_compare(x->a, x->b, s);
    o->sw = sf_sw(s) | rel_sw(r);
}

static void hw87_fucom(const X87In *x, uint16_t cw, X87Out *o)
{
    hw_fucom(x->a, x->b, cw, &o->sw);
}

static void sf87_fucom(const X87In *x, float_status *s, X87Out *o)
{
    FloatRelation r = floatx80_compare_quiet(x->a, x->b, s);
    o->sw = sf_sw(s) | rel_sw(r);
}

static uint16_t prem_sw(uint64_t q, bool partial)
{
    return (partial ? SW_C2 : 0) | ((q & 4) ? SW_C0 : 0) | ((q & 2) ? SW_C3 : 0) |
           ((q & 1) ? SW_C1 : 0);
}

static void hw87_fprem(const X87In *x, uint16_t cw, X87Out *o)
{
    o->r = hw_fprem(x->a, x->b, cw, &o->sw);
}

static void sf87_fprem(const X87In *x, float_status *s, X87Out *o)
{
    uint64_t q;
    bool partial;
    o->r = floatx80_prem(x->a, x->b, false, &q, &partial, s);
    o->sw = (s->flags & 0x3f) | prem_sw(q, partial);
}

static void hw87_fprem1(const X87In *x, uint16_t cw, X87Out *o)
{
    o->r = hw_fprem1(x->a, x->b, cw, &o->sw);
}

static void sf87_fprem1(const X87In *x, float_status *s, X87Out *o)
{
    uint64_t q;
    bool partial;
    o->r = floatx80_prem(x->a, x->b, true, &q, &partial, s);
    o->sw = (s->flags & 0x3f) | prem_sw(q, partial);
}

static void hw87_frem(const X87In *x, uint16_t cw, X87Out *o)
{
    o->r = hw_fprem1_loop(x->a, x->b, cw, &o->sw);
}

static void sf87_frem(const X87In *x, float_status *s, X87Out *o)
{
    o->r = floatx80_rem(x->a, x->b, s);
    o->sw = s->flags & 0x3f;
}

#define X87_TOINT(nm, hwf, sff, TI)                                                     \
    static void hw87_##nm(const X87In *x, uint16_t cw, X87Out *o)                       \
    {                                                                                   \
        o->i = (uint64_t)(TI)hwf(x->a, cw, &o->sw);                                     \
    }                                                                                   \
    static void sf87_##nm(const X87In *x, float_status *s, X87Out *o)                   \
    {                                                                                   \
        o->i = (uint64_t)(TI)sff(x->a, s);                                              \
        o->sw = sf_sw(s);                                                               \
    }

X87_TOINT(fist16, hw_fist16, floatx80_to_int16, int16_t)
X87_TOINT(fist32, hw_fist32, floatx80_to_int32, int32_t)
X87_TOINT(fist64, hw_fist64, floatx80_to_int64, int64_t)
X87_TOINT(fisttp16, hw_fisttp16, floatx80_to_int16_round_to_zero, int16_t)
X87_TOINT(fisttp32, hw_fisttp32, floatx80_to_int32_round_to_zero, int32_t)
X87_TOINT(fisttp64, hw_fisttp64, floatx80_to_int64_round_to_zero, int64_t)
X87_TOINT(fst32, hw_fst32, floatx80_to_float32, uint32_t)
X87_TOINT(fst64, hw_fst64, floatx80_to_float64, uint64_t)

#define X87_LOAD(nm, hwf, sff, TI)                                                      \
    static void hw87_##nm(const X87In *x, uint16_t cw, X87Out *o)                       \
    {                                                                                   \
        o->r = hwf((TI)x->i, cw, &o->sw);                                               \
    }                                                                                   \
    static void sf87_##nm(const X87In *x, float_status *s, X87Out *o)                   \
    {                                                                                   \
        o->r = sff((TI)x->i, s);                                                        \
        o->sw = sf_sw(s);                                                               \
    }

static floatx80 int16_to_floatx80(int16_t a, float_status *s)
{
    return int32_to_floatx80(a, s);
}

X87_LOAD(fild16, hw_fild16, int16_to_floatx80, int16_t)
X87_LOAD(fild32, hw_fild32, int32_to_floatx80, int32_t)
X87_LOAD(fild64, hw_fild64, int64_to_floatx80, int64_t)
X87_LOAD(fld32, hw_fld32, float32_to_floatx80, uint32_t)
X87_LOAD(fld64, hw_fld64, float64_to_floatx80, uint64_t)

/* Memory operands: the translator widens m32/m64 with floatx80_from_float*_operand. */
#define X87_MEM(nm, hwf, T, expr)                                                       \
    static void hw87_##nm(const X87In *x, uint16_t cw, X87Out *o)                       \
    {                                                                                   \
        o->r = hwf(x->a, (T)x->i, cw, &o->sw);                                          \
    }                                                                                   \
    static void sf87_##nm(const X87In *x, float_status *s, X87Out *o)                   \
    {                                                                                   \
        floatx80 a = x->a, m = sizeof(T) == 4 ? float32_to_floatx80_operand((T)x->i, s)   \
                                              : float64_to_floatx80_operand((T)x->i, s);  \
        o->sw = 0;                                                                      \
        o->r = expr;                                                                    \
        o->sw |= sf_sw(s);                                                              \
    }

X87_MEM(fadd_m32, hw_fadd_m32, uint32_t, floatx80_add(a, m, s))
X87_MEM(fmul_m32, hw_fmul_m32, uint32_t, floatx80_mul(a, m, s))
X87_MEM(fdiv_m32, hw_fdiv_m32, uint32_t, floatx80_div(a, m, s))
X87_MEM(fdivr_m32, hw_fdivr_m32, uint32_t, floatx80_div(m, a, s))
X87_MEM(fadd_m64, hw_fadd_m64, uint64_t, floatx80_add(a, m, s))
X87_MEM(fsub_m64, hw_fsub_m64, uint64_t, floatx80_sub(a, m, s))
X87_MEM(fcom_m32, hw_fcom_m32, uint32_t,
        (o->sw = rel_sw(floatx80_compare(a, m, s)), a))
X87_MEM(fcom_m64, hw_fcom_m64, uint64_t,
        (o->sw = rel_sw(floatx80_compare(a, m, s)), a))

#define XOP(nm, kind, mask) { #nm, kind, mask, hw87_##nm, sf87_##nm }

static const X87Op x87_arith_ops[] = {
    XOP(fadd, K_X2, SW_C1), XOP(fsub, K_X2, SW_C1), XOP(fmul, K_X2, SW_C1),
    XOP(fdiv, K_X2, SW_C1), XOP(fsqrt, K_X1, SW_C1),
};

static const X87Op x87_misc_ops[] = {
    XOP(frndint, K_X1, SW_C1), XOP(fscale, K_X2, SW_C1), XOP(fxtract, K_X1, SW_C1),
    XOP(fcom, K_X2, SW_C0 | SW_C1 | SW_C2 | SW_C3),
    XOP(fucom, K_X2, SW_C0 | SW_C1 | SW_C2 | SW_C3),
    XOP(fprem, K_X2, SW_C0 | SW_C1 | SW_C2 | SW_C3),
    XOP(fprem1, K_X2, SW_C0 | SW_C1 | SW_C2 | SW_C3),
    XOP(frem, K_X2, SW_C2),
};

static const X87Op x87_conv_ops[] = {
    XOP(fist16, K_X1, SW_C1), XOP(fist32, K_X1, SW_C1), XOP(fist64, K_X1, SW_C1),
    XOP(fisttp16, K_X1, SW_C1), XOP(fisttp32, K_X1, SW_C1), XOP(fisttp64, K_X1, SW_C1),
    XOP(fst32, K_X1, SW_C1), XOP(fst64, K_X1, SW_C1),
    XOP(fild16, K_XI16, SW_C1), XOP(fild32, K_XI32, SW_C1), XOP(fild64, K_XI64, SW_C1),
    XOP(fld32, K_XF32, SW_C1), XOP(fld64, K_XF64, SW_C1),
    XOP(fadd_m32, K_XM32, SW_C1), XOP(fmul_m32, K_XM32, SW_C1),
    XOP(fdiv_m32, K_XM32, SW_C1), XOP(fdivr_m32, K_XM32, SW_C1),
    XOP(fadd_m64, K_XM64, SW_C1), XOP(fsub_m64, K_XM64, SW_C1),
    XOP(fcom_m32, K_XM32, SW_C0 | SW_C1 | SW_C2 | SW_C3),
    XOP(fcom_m64, K_XM64, SW_C0 | SW_C1 | SW_C2 | SW_C3),
};

/* FCW settings: all exceptions masked, each precision control and rounding mode. */
static uint16_t x87_config(int i)
{
    static const uint16_t pc[3] = { 0, 2, 3 };
    uint16_t cw = 0x7f | (uint16_t)(pc[i % 3] << 8) | (uint16_t)(((i / 3) & 3) << 10);
    /* Configurations 12-23: underflow and overflow unmasked. */
    return i >= 12 ? cw & ~0x18 : cw;
}

static bool x87_stores(const X87Op *op)
{
    return op->hw == hw87_fist16 || op->hw == hw87_fist32 || op->hw == hw87_fist64 ||
           op->hw == hw87_fisttp16 || op->hw == hw87_fisttp32 || op->hw == hw87_fisttp64 ||
           op->hw == hw87_fst32 || op->hw == hw87_fst64;
}

static bool x80_is_denormal(floatx80 a)
{
    return !(a.sign_exp & 0x7fff) && a.mantissa;
}

/* A NaN the x87 supports (integer bit set; pseudo-NaNs are unsupported encodings). */
static bool x80_is_real_nan(floatx80 a)
{
    return (a.sign_exp & 0x7fff) == 0x7fff && (a.mantissa >> 63) && (a.mantissa << 1);
}

/* Finite, nonzero and not an unnormal. */
static bool x80_is_finite_value(floatx80 a)
{
    uint16_t e = a.sign_exp & 0x7fff;
    return e != 0x7fff && a.mantissa && (!e || (a.mantissa >> 63));
}

/* Unbiased exponent of a finite nonzero value, denormals normalized. */
static int x80_exp(floatx80 a)
{
    uint16_t e = a.sign_exp & 0x7fff;
    return e ? e - 0x3fff : 1 - 0x3fff - __builtin_clzll(a.mantissa);
}

static bool x80_nan_tie(floatx80 a, floatx80 b)
{
    return x80_is_real_nan(a) && x80_is_real_nan(b) && a.mantissa == b.mantissa &&
           ((a.sign_exp ^ b.sign_exp) & 0x8000);
}

static bool x87_is_fist(const X87Op *op)
{
    return x87_stores(op) && op->hw != hw87_fst32 && op->hw != hw87_fst64;
}

/* The host-specific corners (see Corner) an x87 case falls in; r: the library's output,
 * whose flags and C2 are compared strictly wherever they decide the corner. */
static void x87_corners(const X87Op *op, const X87In *x, uint16_t cw, const X87Out *r,
                        CornerSet *cs)
{
    bool two = op->kind == K_X2, den, nan;
    floatx80 a = x->a, b = x->b;
    const uint16_t ie_ze = float_flag_invalid | float_flag_divbyzero;
    const uint16_t pe_c1 = float_flag_inexact | SW_C1;

    cs->n = 0;
    if (op->kind == K_XM32 || op->kind == K_XM64) {
        /* The memory operand as the x87 sees it, for the NaN rules. */
        const IeeeFmt *f = op->kind == K_XM32 ? &fmt32 : &fmt64;
        uint64_t m = op->kind == K_XM32 ? (uint32_t)x->i : (uint64_t)x->i;
        bool mnan = ieee_is_nan(f, m);

        den = ieee_is_denormal(f, m);
        b = make_floatx80((uint16_t)(((m >> (f->eb + f->fb)) & 1) << 15 | (mnan ? 0x7fff : 1)),
                          (1ull << 63) | (m << (63 - f->fb)));
        two = true;
    } else if (op->kind == K_X2) {
        den = x80_is_denormal(b);
    } else if (op->kind == K_X1) {
        den = false;
    } else {
        return;     /* FILD, FLD m32/m64: architectural (SDM vol 2 FLD lists #D) */
    }
    den |= x80_is_denormal(a);
    nan = x80_is_real_nan(a) || (two && x80_is_real_nan(b));
    if (den && (nan || (r->sw & ie_ze) || x87_stores(op))) {
        corner_add(cs, CN_DENORMAL, (Bits){ .fl = float_flag_denormal });
    }
    if (two && x80_nan_tie(a, b)) {
        corner_add(cs, CN_NAN_TIE, (Bits){ .se = 0x8000 });
    }
    if ((op->hw == hw87_fprem || op->hw == hw87_fprem1) && (r->sw & SW_C2)) {
        corner_add(cs, CN_PREM_PARTIAL,
                   (Bits){ .m = ~0ull, .se = 0xffff,
                           .fl = SW_C0 | SW_C1 | SW_C3 | float_flag_underflow });
    }
    if (x87_is_fist(op) && (r->sw & float_flag_invalid)) {
        corner_add(cs, CN_INDEF_PE, (Bits){ .fl = pe_c1 });
    }
    if ((~cw & 0x18) && x87_stores(op) && !x87_is_fist(op) && x80_is_finite_value(a)) {
        /* Out of the destination's normal range, give or take a rounding. */
        int e = x80_exp(a), lim = op->hw == hw87_fst32 ? 127 : 1023;
        if (e >= lim || e <= 1 - lim) {
            corner_add(cs, CN_FST_UNMASKED, (Bits){ .fl = pe_c1 });
        }
    }
    if ((~cw & 0x18) && op->hw == hw87_fscale && x80_is_finite_value(a) &&
        (x80_is_finite_value(b) || !(b.sign_exp & 0x7fff))) {
        /* a * 2^trunc(b), far enough out that the 24576 wrap cannot bring it back. */
        int64_t n = 0, e;
        if (x80_is_finite_value(b) && x80_exp(b) >= 0) {
            n = x80_exp(b) >= 30 ? 1 << 30 : (int64_t)(b.mantissa >> (63 - x80_exp(b)));
        }
        e = x80_exp(a) + (b.sign_exp & 0x8000 ? -n : n) + 0x3fff;
        if (e - X87_WRAP >= 0x7ffe || e + X87_WRAP <= 1) {
            corner_add(cs, CN_FSCALE_WRAP, (Bits){ .fl = pe_c1 });
        }
    }
}

static bool x87_one(const X87Op *op, const X87In *x, uint16_t cw)
{
    X87Out h = { 0 }, r = { 0 };
    float_status s;
    uint16_t mask = 0x3f | op->sw_mask;
    CornerSet cs;
    Bits hb, sb;
    Verdict v;

    if ((~cw & 0x18) && op->hw == hw87_frem) {
        /* The FPREM1 loop would trip over its own pending exception. */
        return true;
    }
    float_status_from_fcw(&s, cw);
    op->hw(x, cw, &h);
    op->sf(x, &s, &r);
    total_cases++;
    if ((h.sw & 0x80) && op->kind == K_X1 && op->sw_mask == SW_C1 && x87_stores(op)) {
        /* FIST/FST with an unmasked exception: nothing is stored. */
        h.i = r.i;
    }
    x87_corners(op, x, cw, &r, &cs);
    hb = (Bits){ h.r.mantissa, h.r2.mantissa, h.i, h.r.sign_exp, h.r2.sign_exp,
                 (uint16_t)(h.sw & mask) };
    sb = (Bits){ r.r.mantissa, r.r2.mantissa, r.i, r.r.sign_exp, r.r2.sign_exp,
                 (uint16_t)(r.sw & mask) };
    if (inject) {
        inject_into(&hb, &cs);
    }
    v = judge(&hb, &sb, &cs);
    if (v != V_SAME) {
        mismatch(v, "%s cw=%04x a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64 " i=%" PRIx64
                 ": hw %04x:%016" PRIx64 " (%04x:%016" PRIx64 ") i=%" PRIx64 " sw %04x,"
                 " sf %04x:%016" PRIx64 " (%04x:%016" PRIx64 ") i=%" PRIx64 " sw %04x",
                 op->name, cw, x->a.sign_exp, x->a.mantissa, x->b.sign_exp, x->b.mantissa,
                 (uint64_t)x->i, hb.se, hb.m, hb.se2, hb.m2, hb.i, hb.fl, sb.se, sb.m,
                 sb.se2, sb.m2, sb.i, sb.fl);
        return false;
    }
    return true;
}

static void gen_x87_in(int kind, X87In *x)
{
    switch (kind) {
    case K_XI16:
        x->i = gen_int(16);
        break;
    case K_XI32:
        x->i = gen_int(32);
        break;
    case K_XI64:
        x->i = gen_int(64);
        break;
    case K_XF32:
        x->i = (int64_t)gen_ieee(&fmt32);
        break;
    case K_XF64:
        x->i = (int64_t)gen_ieee(&fmt64);
        break;
    case K_XM32:
    case K_XM64: {
        float_status st = { 0 };
        const IeeeFmt *f = kind == K_XM32 ? &fmt32 : &fmt64;
        uint64_t m = gen_ieee(f);
        x->i = (int64_t)m;
        /* st0 near the memory operand half of the time. */
        x->a = rnd(2) ? gen_x80() : kind == K_XM32 ? float32_to_floatx80((uint32_t)m, &st)
                                                   : float64_to_floatx80(m, &st);
        if (rnd(2)) {
            x->a.mantissa += rnd(64) - 32;
            x->a.sign_exp ^= (uint16_t)(rnd(2) << 15);
        }
        break;
    }
    default:
        x->a = gen_x80();
        x->b = gen_x80_related(x->a);
        if (rnd(8) == 0) {
            /* Integral-ish operands for FRNDINT/FIST/FSCALE boundaries. */
            x->a = int64_to_floatx80(gen_int(64) >> rnd(64), &(float_status){ 0 });
            if (rnd(2)) {
                x->a.mantissa |= rnd(4);
            }
        }
        break;
    }
}

static void run_x87_ops(const X87Op *ops, size_t nops, unsigned long nrand, int nconfigs)
{
    for (size_t k = 0; k < nops; k++) {
        const X87Op *op = &ops[k];
        unsigned n = 2 * G_N_ELEMENTS(specialsx80);

        for (int c = 0; c < nconfigs; c++) {
            uint16_t cw = x87_config(c);
            X87In x = { { 0, 0 }, { 0, 0 }, 0 };

            if (op->kind == K_X1 || op->kind == K_X2) {
                for (unsigned i = 0; i < n; i++) {
                    for (unsigned j = 0; j < (op->kind == K_X2 ? n : 1); j++) {
                        x.a = specialsx80[i / 2];
                        x.a.sign_exp |= (uint16_t)((i & 1) << 15);
                        x.b = specialsx80[j / 2];
                        x.b.sign_exp |= (uint16_t)((j & 1) << 15);
                        x87_one(op, &x, cw);
                    }
                }
            } else if (op->kind == K_XM32 || op->kind == K_XM64) {
                unsigned m;
                int fk = op->kind == K_XM32 ? K_F32 : K_F64;
                special_kind(fk, 0, &m);
                for (unsigned i = 0; i < n; i++) {
                    for (unsigned j = 0; j < m; j++) {
                        x.a = specialsx80[i / 2];
                        x.a.sign_exp |= (uint16_t)((i & 1) << 15);
                        x.i = (int64_t)special_kind(fk, j, &m);
                        x87_one(op, &x, cw);
                    }
                }
            } else if (op->kind == K_XF32 || op->kind == K_XF64) {
                unsigned m;
                special_kind(op->kind == K_XF32 ? K_F32 : K_F64, 0, &m);
                for (unsigned i = 0; i < m; i++) {
                    x.i = (int64_t)special_kind(op->kind == K_XF32 ? K_F32 : K_F64, i, &m);
                    x87_one(op, &x, cw);
                }
            }
            for (unsigned long i = 0; i < nrand; i++) {
                gen_x87_in(op->kind, &x);
                x87_one(op, &x, cw);
            }
        }
        finish(op->name);
    }
}

static void test_x87_arith(void)
{
    run_x87_ops(x87_arith_ops, G_N_ELEMENTS(x87_arith_ops), count(15000), 24);
}

static void test_x87_misc(void)
{
    run_x87_ops(x87_misc_ops, G_N_ELEMENTS(x87_misc_ops), count(8000), 24);
}

static void test_x87_conv(void)
{
    if (!__builtin_cpu_supports("sse3")) {
        g_test_skip("host without SSE3 (FISTTP)");
        return;
    }
    run_x87_ops(x87_conv_ops, G_N_ELEMENTS(x87_conv_ops), count(5000), 24);
}

/* FLDPI and friends: the constant rounded by RC, no exception flags. */
static void test_x87_constants(void)
{
    for (int rc = 0; rc < 4; rc++) {
        for (int c = 0; c < 5; c++) {
            uint16_t cw = 0x37f | (uint16_t)(rc << 10), sw;
            float_status s;
            floatx80 h = hw_fldconst(c, cw, &sw), r;

            float_status_from_fcw(&s, cw);
            r = floatx80_load_constant(c, &s);
            total_cases++;
            if ((inject & INJECT_ARCH) && !arch_injected) {
                h.mantissa ^= 1;
                arch_injected = true;
            }
            if (h.sign_exp != r.sign_exp || h.mantissa != r.mantissa ||
                (sw & (0x3f | SW_C1)) != sf_sw(&s)) {
                report("constant %d rc=%d: hw %04x:%016" PRIx64 " sw %04x, sf %04x:%016" PRIx64
                       " sw %04x", c, rc, h.sign_exp, h.mantissa, sw & (0x3f | SW_C1),
                       r.sign_exp, r.mantissa, sf_sw(&s));
            }
        }
    }
    finish("constants");
}

/* ---- x87 transcendentals: agreement statistics against the host ---- */

/* Position of a floatx80 on the number line, in units of the last place. */
static __int128 x80_key(floatx80 a)
{
    uint64_t e = a.sign_exp & 0x7fff;
    __int128 mag = e ? (__int128)(e - 1) * ((__int128)1 << 63) + a.mantissa : a.mantissa;
    return (a.sign_exp >> 15) ? -mag : mag;
}

static uint64_t ulp_dist(floatx80 a, floatx80 b)
{
    __int128 d;
    if (floatx80_is_nan(a) || floatx80_is_nan(b)) {
        return a.sign_exp == b.sign_exp && a.mantissa == b.mantissa ? 0 : UINT64_MAX;
    }
    d = x80_key(a) - x80_key(b);
    d = d < 0 ? -d : d;
    return d > UINT64_MAX ? UINT64_MAX : (uint64_t)d;
}

typedef struct TransStats {
    unsigned long n, exact, one_ulp, more, flag_diff;
    uint64_t max_ulp;
} TransStats;

enum { T_F2XM1, T_FYL2X, T_FYL2XP1, T_FPATAN, T_FSIN, T_FCOS, T_FSINCOS, T_FPTAN, T_COUNT };
static const char *const trans_names[T_COUNT] = {
    "f2xm1", "fyl2x", "fyl2xp1", "fpatan", "fsin", "fcos", "fsincos", "fptan",
};

static floatx80 gen_x80_range(int emin, int emax)
{
    int e = emin + (int)rnd((unsigned)(emax - emin + 1));
    uint64_t m = gen_frac(63) | (1ull << 63);
    return make_floatx80((uint16_t)(((rnd64() & 1) << 15) | (0x3fff + e)), m);
}

static void trans_inputs(int op, floatx80 *a, floatx80 *b)
{
    float_status st = { 0 };
    *b = make_floatx80(0x3fff, 1ull << 63);
    switch (op) {
    case T_F2XM1:
        *a = rnd(10) ? gen_x80_range(-70, -1) : gen_x80_range(-16400, -1);
        if (rnd(20) == 0) {
            a->mantissa = 1ull << 63;
            a->sign_exp = (a->sign_exp & 0x8000) | 0x3fff;
        }
        break;
    case T_FYL2X:
        *a = gen_x80_range(-300, 300);
        if (rnd(3) == 0) {
            /* Close to 1, where log2 x is tiny. */
            a->sign_exp = rnd(2) ? 0x3fff : 0x3ffe;
            a->mantissa = rnd(2) ? (1ull << 63) + (rnd64() >> rnd(64))
                                 : ~0ull - (rnd64() >> rnd(64));
        }
        a->sign_exp &= 0x7fff;
        if (rnd(2)) {
            *b = gen_x80_range(-20, 20);
        }
        break;
    case T_FYL2XP1:
        *a = gen_x80_range(-70, -3);
        if (rnd(4) == 0) {
            a->sign_exp = (a->sign_exp & 0x8000) | 0x3ffd;
            a->mantissa = (1ull << 63) | (rnd64() >> 3);   /* [0.25, 0.28] */
        }
        if (rnd(2)) {
            *b = gen_x80_range(-20, 20);
        }
        break;
    case T_FPATAN:
        *a = gen_x80_range(-100, 100);
        *b = rnd(3) ? gen_x80_range(-100, 100) : gen_x80_exp(a->sign_exp & 0x7fff);
        break;
    default:
        switch (rnd(6)) {
        case 0:
            *a = gen_x80_range(-70, -1);
            break;
        case 1:
            *a = gen_x80_range(5, 62);
            break;
        case 2: {
            /* Near a multiple of pi/2. */
            floatx80 k = int64_to_floatx80((int64_t)(rnd64() >> (2 + rnd(60))), &st);
            *a = floatx80_mul(k, make_floatx80(0x3fff, 0xc90fdaa22168c235ull), &st);
            a->mantissa += rnd(5) - 2;
            break;
        }
        default:
            *a = gen_x80_range(-2, 5);
            break;
        }
        break;
    }
}

/*
 * Operands whose results the SDM/APM result tables fix on every vendor: NaNs and
 * unsupported encodings, the zeros and infinities each instruction's table lists, a
 * negative FYL2X operand (invalid), and |x| >= 2^63 for the trigonometric instructions
 * (C2 set, operand unchanged). Everything else, including F2XM1(±inf) and FYL2XP1
 * outside |x| < 1 - sqrt(2)/2 (undefined there), is the host's pattern (CN_TRANS).
 */
static bool trans_architectural(int op, floatx80 a, floatx80 b)
{
    bool two = op == T_FYL2X || op == T_FYL2XP1 || op == T_FPATAN;
    bool a_fin = x80_is_finite_value(a), b_fin = x80_is_finite_value(b);
    bool a_zero = !(a.sign_exp & 0x7fff) && !a.mantissa;
    bool a_bad = !a_fin && !a_zero && !((a.sign_exp & 0x7fff) == 0x7fff && (a.mantissa >> 63));
    bool b_zero = !(b.sign_exp & 0x7fff) && !b.mantissa;
    bool b_bad = !b_fin && !b_zero && !((b.sign_exp & 0x7fff) == 0x7fff && (b.mantissa >> 63));

    /* a_bad/b_bad: unnormals, pseudo-infinities, pseudo-NaNs. */
    if (a_bad || x80_is_real_nan(a) || (two && (b_bad || x80_is_real_nan(b)))) {
        return true;
    }
    switch (op) {
    case T_F2XM1:
        return a_zero;
    case T_FYL2X:
        return !a_fin || !b_fin || (a.sign_exp & 0x8000);
    case T_FYL2XP1:
        return (!a_fin || !b_fin) && (a_zero || (a_fin && x80_exp(a) <= -3));
    case T_FPATAN:
        return !a_fin || !b_fin;
    default:
        return !a_fin || x80_exp(a) >= 63;
    }
}

/*
 * Off the measured vendor the transcendentals' last bits are the host's business, but a
 * result further than this from the correctly rounded one is an emu bug on any x87 (SDM
 * vol 1 8.3.10 promises about 1 ulp). Not applied where the manuals give no accuracy
 * (out-of-domain F2XM1/FYL2XP1) or where the host's argument reduction enters (|x| >= 1).
 */
#define TRANS_GROSS_ULP (1ull << 32)

static bool trans_gross_checked(int op, floatx80 a)
{
    switch (op) {
    case T_F2XM1:
    case T_FSIN:
    case T_FCOS:
    case T_FSINCOS:
    case T_FPTAN:
        return x80_is_finite_value(a) && x80_exp(a) < 0;
    case T_FYL2XP1:
        return x80_is_finite_value(a) && x80_exp(a) <= -3;
    default:
        return true;
    }
}

static void trans_one(int op, floatx80 a, floatx80 b, uint16_t cw, TransStats *ts)
{
    floatx80 h = { 0, 0 }, h2 = { 0, 0 }, r = { 0, 0 }, r2 = { 0, 0 };
    uint16_t sw = 0, ssw;
    float_status s;
    uint64_t d;
    bool inrange = true, arch, tie;
    Verdict v;

    float_status_from_fcw(&s, cw);
    switch (op) {
    case T_F2XM1:
        h = hw_f2xm1(a, cw, &sw, NULL);
        r = floatx80_f2xm1(a, &s);
        break;
    case T_FYL2X:
        h = hw_fyl2x(a, b, cw, &sw);
        r = floatx80_fyl2x(a, b, &s);
        break;
    case T_FYL2XP1:
        h = hw_fyl2xp1(a, b, cw, &sw);
        r = floatx80_fyl2xp1(a, b, &s);
        break;
    case T_FPATAN:
        h = hw_fpatan(a, b, cw, &sw);
        r = floatx80_fpatan(b, a, &s);
        break;
    case T_FSIN:
        h = hw_fsin(a, cw, &sw, NULL);
        inrange = floatx80_fsin(a, &r, &s);
        break;
    case T_FCOS:
        h = hw_fcos(a, cw, &sw, NULL);
        inrange = floatx80_fcos(a, &r, &s);
        break;
    case T_FSINCOS:
        h = hw_fsincos(a, cw, &sw, &h2);
        inrange = floatx80_fsincos(a, &r2, &r, &s);
        break;
    default:
        h = hw_fptan(a, cw, &sw, &h2);
        inrange = floatx80_fptan(a, &r2, &s);
        /* FPTAN pushes 1.0, or the NaN again when the result is one. */
        r = floatx80_is_nan(r2) ? r2 : make_floatx80(0x3fff, 1ull << 63);
        break;
    }
    ssw = sf_sw(&s);
    arch = trans_architectural(op, a, b);
    tie = (op == T_FYL2X || op == T_FYL2XP1 || op == T_FPATAN) && x80_nan_tie(a, b);
    if (inject) {
        if ((inject & (1u << CN_TRANS)) && !arch && x80_is_finite_value(h)) {
            h.mantissa ^= 2;        /* 2 ulps off */
        }
        if ((inject & (1u << CN_NAN_TIE)) && tie) {
            h.sign_exp ^= 0x8000;
        }
        if ((inject & INJECT_ARCH) && arch && !arch_injected) {
            h.mantissa ^= 1;
            arch_injected = true;
        }
    }
    if (op >= T_FSIN) {
        /* Out of range (C2 = 1): the operand stays, nothing is pushed. */
        if (!inrange) {
            ssw |= SW_C2;
            r = a;
            r2 = h2;    /* nothing pushed: st1 is empty */
        }
        if ((sw & SW_C2) != (ssw & SW_C2)) {
            /* The |x| < 2^63 range is architectural (SDM vol 2 FSIN). */
            mismatch(V_ARCH, "%s cw=%04x a=%04x:%016" PRIx64 ": C2 hw %d sf %d",
                     trans_names[op], cw, a.sign_exp, a.mantissa, !!(sw & SW_C2),
                     !!(ssw & SW_C2));
            ts->more++;
            return;
        }
    }
    d = ulp_dist(h, r);
    if (op == T_FSINCOS || op == T_FPTAN) {
        uint64_t d2 = ulp_dist(h2, r2);
        d = d2 > d ? d2 : d;
    }
    ts->n++;
    if (d == 0) {
        ts->exact++;
    } else if (d == 1) {
        ts->one_ulp++;
    } else {
        ts->more++;
    }
    if (d > ts->max_ulp) {
        ts->max_ulp = d;
    }
    if (arch) {
        /* Fixed by the tables: bit for bit (signed zeros, NaN payloads), and the flags. */
        bool same_but_sign = h.mantissa == r.mantissa && h2.sign_exp == r2.sign_exp &&
                             h2.mantissa == r2.mantissa && (sw & 0x3f) == (ssw & 0x3f);
        if (tie) {
            corner_op[CN_NAN_TIE].cases++;
        }
        if (same_but_sign && h.sign_exp == r.sign_exp) {
            return;
        }
        if (d == 0 && (sw & 0x3f) != (ssw & 0x3f)) {
            ts->flag_diff++;
        }
        v = V_ARCH;
        if (tie && same_but_sign && !((h.sign_exp ^ r.sign_exp) & 0x7fff)) {
            corner_op[CN_NAN_TIE].differ++;
            v = V_CORNER;
        }
    } else {
        /* The host's error pattern: within 1 ulp, flags equal where the results are. */
        corner_op[CN_TRANS].cases++;
        if (d <= 1 && (d == 1 || (sw & 0x3f) == (ssw & 0x3f))) {
            return;
        }
        if (d == 0) {
            ts->flag_diff++;
        }
        corner_op[CN_TRANS].differ++;
        v = V_CORNER;
        if (d > TRANS_GROSS_ULP && trans_gross_checked(op, a)) {
            v = V_ARCH;
        }
    }
    mismatch(v, "%s cw=%04x a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64 ": hw %04x:%016" PRIx64
             " %04x:%016" PRIx64 " fl %02x, sf %04x:%016" PRIx64 " %04x:%016" PRIx64
             " fl %02x (%" PRIu64 " ulp)", trans_names[op], cw, a.sign_exp, a.mantissa,
             b.sign_exp, b.mantissa, h.sign_exp, h.mantissa, h2.sign_exp, h2.mantissa,
             sw & 0x3f, r.sign_exp, r.mantissa, r2.sign_exp, r2.mantissa, ssw & 0x3f, d);
}

static void test_x87_trans(void)
{
    unsigned n = 2 * G_N_ELEMENTS(specialsx80);

    for (int op = 0; op < T_COUNT; op++) {
        TransStats ts = { 0 };
        bool off_bound;

        for (int rc = 0; rc < 4; rc++) {
            uint16_t cw = 0x37f | (uint16_t)(rc << 10);
            for (unsigned i = 0; i < n; i++) {
                for (unsigned j = 0; j < (op <= T_FPATAN && op != T_F2XM1 ? n : 1); j++) {
                    floatx80 a = specialsx80[i / 2], b = specialsx80[j / 2];
                    a.sign_exp |= (uint16_t)((i & 1) << 15);
                    b.sign_exp |= (uint16_t)((j & 1) << 15);
                    trans_one(op, a, b, cw, &ts);
                }
            }
            for (unsigned long i = 0; i < count(2000); i++) {
                floatx80 a, b;
                trans_inputs(op, &a, &b);
                trans_one(op, a, b, cw, &ts);
            }
        }
        g_test_message("%-8s %lu cases: %.3f%% exact, %lu at 1 ulp, %lu beyond (max %" PRIu64
                       " ulp), %lu flag differences", trans_names[op], ts.n,
                       100.0 * ts.exact / ts.n, ts.one_ulp, ts.more, ts.max_ulp, ts.flag_diff);
        /* The bound measured on AMD: at most 1 ulp apart, flags equal when results are,
         * at least 90% bit-exact. Elsewhere it is the host's pattern, reported. */
        off_bound = ts.more || ts.flag_diff || ts.exact < 0.9 * ts.n;
        if (off_bound && corners_strict) {
            g_test_fail();
        } else if (off_bound) {
            g_test_message("%s: outside the bound measured on %s, reported, not failed",
                           trans_names[op], MEASURED_VENDOR);
        }
        total_cases += ts.n;
        finish(trans_names[op]);
    }
}

/* ---- Throughput (only with -m perf): operations per second on random operands ---- */

#define BENCH_N 4096

/* CPU time, so that other load on the machine does not count. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void bench_report(const char *name, unsigned long ops, double t)
{
    g_test_message("%-12s %6.1f Mops/s", name, ops / t / 1e6);
}

#define BENCH(name, T, gen, expr)                                                       \
    do {                                                                                \
        static T va[BENCH_N], vb[BENCH_N];                                              \
        float_status s;                                                                 \
        unsigned long ops = 0;                                                          \
        double t0, t;                                                                   \
        T sink;                                                                         \
        memset(&sink, 0, sizeof(sink));                                                 \
        float_status_from_mxcsr(&s, 0x1f80);                                            \
        for (int i = 0; i < BENCH_N; i++) {                                             \
            va[i] = gen;                                                                \
            vb[i] = gen;                                                                \
        }                                                                               \
        t0 = now_s();                                                                   \
        do {                                                                            \
            for (int i = 0; i < BENCH_N; i++) {                                         \
                T a = va[i], b = vb[i];                                                 \
                (void)b;                                                                \
                sink = expr;                                                            \
                __asm__ volatile("" : : "g"(&sink) : "memory");                        \
            }                                                                           \
            ops += BENCH_N;                                                             \
            t = now_s() - t0;                                                           \
        } while (t < 0.3);                                                              \
        bench_report(name, ops, t);                                                     \
    } while (0)

static float64 bench_f64(void)
{
    return ieee_make(&fmt64, (int)(rnd64() & 1), 1023 - 30 + rnd(60), rnd64());
}

static floatx80 bench_x80(void)
{
    return make_floatx80((uint16_t)(0x3fff - 30 + rnd(60)), rnd64() | (1ull << 63));
}

static float64 native_add(float64 a, float64 b)
{
    double x, y;
    memcpy(&x, &a, 8);
    memcpy(&y, &b, 8);
    x += y;
    memcpy(&a, &x, 8);
    return a;
}

static void test_perf(void)
{
    BENCH("host addsd", float64, bench_f64(), native_add(a, b));
    BENCH("float64_add", float64, bench_f64(), float64_add(a, b, &s));
    BENCH("float64_mul", float64, bench_f64(), float64_mul(a, b, &s));
    BENCH("float64_div", float64, bench_f64(), float64_div(a, b, &s));
    BENCH("float64_sqrt", float64, bench_f64() & ~(1ull << 63), float64_sqrt(a, &s));
    BENCH("floatx80_add", floatx80, bench_x80(), floatx80_add(a, b, &s));
    BENCH("floatx80_mul", floatx80, bench_x80(), floatx80_mul(a, b, &s));
    BENCH("floatx80_div", floatx80, bench_x80(), floatx80_div(a, b, &s));
    BENCH("floatx80_sin", floatx80, bench_x80(),
          (floatx80_fsin(make_floatx80(a.sign_exp & 0x3fff, a.mantissa), &b, &s), b));
}

int main(int argc, char **argv)
{
    const char *e;
    int ret;

    g_test_init(&argc, &argv, NULL);
    e = getenv("SOFTFLOAT_TEST_SCALE");
    if (e) {
        scale = strtod(e, NULL);
    }
    {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = sse_fault_handler;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGFPE, &sa, NULL);
    }
    e = getenv("SOFTFLOAT_TEST_SEED");
    rng_state = e ? strtoull(e, NULL, 0) : 0x5eed5eed5eedull;
    host_identify();

    g_test_add_func("/softfloat/sse/arith", test_sse_arith);
    g_test_add_func("/softfloat/sse/fma", test_sse_fma);
    g_test_add_func("/softfloat/sse/misc", test_sse_misc);
    g_test_add_func("/softfloat/sse/conv", test_sse_conv);
    g_test_add_func("/softfloat/x87/arith", test_x87_arith);
    g_test_add_func("/softfloat/x87/misc", test_x87_misc);
    g_test_add_func("/softfloat/x87/conv", test_x87_conv);
    g_test_add_func("/softfloat/x87/constants", test_x87_constants);
    g_test_add_func("/softfloat/x87/trans", test_x87_trans);
    if (g_test_perf()) {
        g_test_add_func("/softfloat/perf", test_perf);
    }
    ret = g_test_run();
    printf("# %lu cases compared with the host\n", total_cases);
    {
        char *cs = corner_summary(corner_all);
        printf("# host-specific corners (%s)%s\n",
               corners_strict ? "compared strictly" : "reported, not failed", cs);
        g_free(cs);
    }
    return ret;
}

#endif
