/*
 * The TCG lazy-flags code (target/i386/tcg/cc-helper.c) against this host's
 * silicon: for every CCOp kind and width, random and edge operands are run
 * through the real instruction with inline asm and through the lazy state the
 * translator would leave (cc_dst/cc_src/cc_src2 as documented in cpu.h), and
 * every flag the SDM defines for that instruction must agree. Undefined
 * flags (SDM "Flags Affected") are masked out; they differ between Intel and
 * AMD anyway. Also ROL/ROR/RCL/RCR and SHLD/SHRD (x86_rotate,
 * x86_shift_double).
 */
#include "util/osdep.h"
#include "target/i386/tcg/tcg-internal.h"

#if defined(__x86_64__)

#define ALL (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

/* Run INSN with flags FIN in, return flags out; the red zone is stepped over. */
#define FLAGS_PRE  "sub $128, %%rsp\n\tpush %[fin]\n\tpopfq\n\t"
#define FLAGS_POST "\n\tpushfq\n\tpop %[fout]\n\tadd $128, %%rsp"

typedef struct NativeResult {
    uint64_t r;       /* result (low half for MUL) */
    uint64_t hi;      /* MUL: high half */
    uint32_t flags;
} NativeResult;

/* Binary op "OP src, dst" at every width. */
#define DEF_BIN(name, mnem)                                                         \
static NativeResult native_##name(unsigned size, uint64_t a, uint64_t b, uint64_t fin) \
{                                                                                   \
    uint64_t x = a, f;                                                              \
    switch (size) {                                                                 \
    case 0:                                                                         \
        asm volatile(FLAGS_PRE mnem "b %b[y], %b[x]" FLAGS_POST                     \
                     : [x] "+q"(x), [fout] "=&r"(f) : [y] "q"(b), [fin] "r"(fin)    \
                     : "cc", "memory");                                             \
        break;                                                                      \
    case 1:                                                                         \
        asm volatile(FLAGS_PRE mnem "w %w[y], %w[x]" FLAGS_POST                     \
                     : [x] "+r"(x), [fout] "=&r"(f) : [y] "r"(b), [fin] "r"(fin)    \
                     : "cc", "memory");                                             \
        break;                                                                      \
    case 2:                                                                         \
        asm volatile(FLAGS_PRE mnem "l %k[y], %k[x]" FLAGS_POST                     \
                     : [x] "+r"(x), [fout] "=&r"(f) : [y] "r"(b), [fin] "r"(fin)    \
                     : "cc", "memory");                                             \
        break;                                                                      \
    default:                                                                        \
        asm volatile(FLAGS_PRE mnem "q %q[y], %q[x]" FLAGS_POST                     \
                     : [x] "+r"(x), [fout] "=&r"(f) : [y] "r"(b), [fin] "r"(fin)    \
                     : "cc", "memory");                                             \
        break;                                                                      \
    }                                                                               \
    return (NativeResult){ .r = x, .flags = (uint32_t)f };                          \
}

/* Unary op "OP dst". */
#define DEF_UN(name, mnem)                                                          \
static NativeResult native_##name(unsigned size, uint64_t a, uint64_t b, uint64_t fin) \
{                                                                                   \
    uint64_t x = a, f;                                                              \
    switch (size) {                                                                 \
    case 0:                                                                         \
        asm volatile(FLAGS_PRE mnem "b %b[x]" FLAGS_POST                            \
                     : [x] "+q"(x), [fout] "=&r"(f) : [fin] "r"(fin) : "cc", "memory"); \
        break;                                                                      \
    case 1:                                                                         \
        asm volatile(FLAGS_PRE mnem "w %w[x]" FLAGS_POST                            \
                     : [x] "+r"(x), [fout] "=&r"(f) : [fin] "r"(fin) : "cc", "memory"); \
        break;                                                                      \
    case 2:                                                                         \
        asm volatile(FLAGS_PRE mnem "l %k[x]" FLAGS_POST                            \
                     : [x] "+r"(x), [fout] "=&r"(f) : [fin] "r"(fin) : "cc", "memory"); \
        break;                                                                      \
    default:                                                                        \
        asm volatile(FLAGS_PRE mnem "q %q[x]" FLAGS_POST                            \
                     : [x] "+r"(x), [fout] "=&r"(f) : [fin] "r"(fin) : "cc", "memory"); \
        break;                                                                      \
    }                                                                               \
    return (NativeResult){ .r = x, .flags = (uint32_t)f };                          \
}

/* Shift/rotate "OP %cl, dst". */
#define DEF_SH(name, mnem)                                                          \
static NativeResult native_##name(unsigned size, uint64_t a, uint64_t b, uint64_t fin) \
{                                                                                   \
    uint64_t x = a, f;                                                              \
    switch (size) {                                                                 \
    case 0:                                                                         \
        asm volatile(FLAGS_PRE mnem "b %%cl, %b[x]" FLAGS_POST                      \
                     : [x] "+q"(x), [fout] "=&r"(f) : "c"(b), [fin] "r"(fin)        \
                     : "cc", "memory");                                             \
        break;                                                                      \
    case 1:                                                                         \
        asm volatile(FLAGS_PRE mnem "w %%cl, %w[x]" FLAGS_POST                      \
                     : [x] "+r"(x), [fout] "=&r"(f) : "c"(b), [fin] "r"(fin)        \
                     : "cc", "memory");                                             \
        break;                                                                      \
    case 2:                                                                         \
        asm volatile(FLAGS_PRE mnem "l %%cl, %k[x]" FLAGS_POST                      \
                     : [x] "+r"(x), [fout] "=&r"(f) : "c"(b), [fin] "r"(fin)        \
                     : "cc", "memory");                                             \
        break;                                                                      \
    default:                                                                        \
        asm volatile(FLAGS_PRE mnem "q %%cl, %q[x]" FLAGS_POST                      \
                     : [x] "+r"(x), [fout] "=&r"(f) : "c"(b), [fin] "r"(fin)        \
                     : "cc", "memory");                                             \
        break;                                                                      \
    }                                                                               \
    return (NativeResult){ .r = x, .flags = (uint32_t)f };                          \
}

/* Double shift "OP %cl, src, dst" (16/32/64 only). */
#define DEF_DSH(name, mnem)                                                         \
static NativeResult native_##name(unsigned size, uint64_t a, uint64_t b, uint64_t c, \
                                  uint64_t fin)                                     \
{                                                                                   \
    uint64_t x = a, f;                                                              \
    switch (size) {                                                                 \
    case 1:                                                                         \
        asm volatile(FLAGS_PRE mnem "w %%cl, %w[y], %w[x]" FLAGS_POST               \
                     : [x] "+r"(x), [fout] "=&r"(f) : [y] "r"(b), "c"(c), [fin] "r"(fin) \
                     : "cc", "memory");                                             \
        break;                                                                      \
    case 2:                                                                         \
        asm volatile(FLAGS_PRE mnem "l %%cl, %k[y], %k[x]" FLAGS_POST               \
                     : [x] "+r"(x), [fout] "=&r"(f) : [y] "r"(b), "c"(c), [fin] "r"(fin) \
                     : "cc", "memory");                                             \
        break;                                                                      \
    default:                                                                        \
        asm volatile(FLAGS_PRE mnem "q %%cl, %q[y], %q[x]" FLAGS_POST               \
                     : [x] "+r"(x), [fout] "=&r"(f) : [y] "r"(b), "c"(c), [fin] "r"(fin) \
                     : "cc", "memory");                                             \
        break;                                                                      \
    }                                                                               \
    return (NativeResult){ .r = x, .flags = (uint32_t)f };                          \
}

DEF_BIN(add, "add")
DEF_BIN(adc, "adc")
DEF_BIN(sub, "sub")
DEF_BIN(sbb, "sbb")
DEF_BIN(and, "and")
DEF_BIN(or, "or")
DEF_BIN(xor, "xor")
DEF_UN(inc, "inc")
DEF_UN(dec, "dec")
DEF_UN(neg, "neg")
DEF_SH(shl, "shl")
DEF_SH(shr, "shr")
DEF_SH(sar, "sar")
DEF_SH(rol, "rol")
DEF_SH(ror, "ror")
DEF_SH(rcl, "rcl")
DEF_SH(rcr, "rcr")
DEF_DSH(shld, "shld")
DEF_DSH(shrd, "shrd")

/* One-operand MUL/IMUL: rDX:rAX = rAX * src (AX = AL * src for bytes). */
static NativeResult native_mul(unsigned size, uint64_t a, uint64_t b, uint64_t fin,
                               bool sign)
{
    uint64_t lo = a, hi = 0, f;
    switch (size * 2 + sign) {
    case 0:
        asm volatile(FLAGS_PRE "mulb %b[y]" FLAGS_POST
                     : "+a"(lo), [fout] "=&r"(f) : [y] "q"(b), [fin] "r"(fin)
                     : "cc", "memory");
        hi = (lo >> 8) & 0xff;
        break;
    case 1:
        asm volatile(FLAGS_PRE "imulb %b[y]" FLAGS_POST
                     : "+a"(lo), [fout] "=&r"(f) : [y] "q"(b), [fin] "r"(fin)
                     : "cc", "memory");
        hi = (lo >> 8) & 0xff;
        break;
    case 2:
        asm volatile(FLAGS_PRE "mulw %w[y]" FLAGS_POST
                     : "+a"(lo), "+d"(hi), [fout] "=&r"(f) : [y] "r"(b), [fin] "r"(fin)
                     : "cc", "memory");
        break;
    case 3:
        asm volatile(FLAGS_PRE "imulw %w[y]" FLAGS_POST
                     : "+a"(lo), "+d"(hi), [fout] "=&r"(f) : [y] "r"(b), [fin] "r"(fin)
                     : "cc", "memory");
        break;
    case 4:
        asm volatile(FLAGS_PRE "mull %k[y]" FLAGS_POST
                     : "+a"(lo), "+d"(hi), [fout] "=&r"(f) : [y] "r"(b), [fin] "r"(fin)
                     : "cc", "memory");
        break;
    case 5:
        asm volatile(FLAGS_PRE "imull %k[y]" FLAGS_POST
                     : "+a"(lo), "+d"(hi), [fout] "=&r"(f) : [y] "r"(b), [fin] "r"(fin)
                     : "cc", "memory");
        break;
    case 6:
        asm volatile(FLAGS_PRE "mulq %q[y]" FLAGS_POST
                     : "+a"(lo), "+d"(hi), [fout] "=&r"(f) : [y] "r"(b), [fin] "r"(fin)
                     : "cc", "memory");
        break;
    default:
        asm volatile(FLAGS_PRE "imulq %q[y]" FLAGS_POST
                     : "+a"(lo), "+d"(hi), [fout] "=&r"(f) : [y] "r"(b), [fin] "r"(fin)
                     : "cc", "memory");
        break;
    }
    return (NativeResult){ .r = lo, .hi = hi, .flags = (uint32_t)f };
}

/* TZCNT/LZCNT/POPCNT (16/32/64) "OP src, dst". */
#define DEF_CNT(name, mnem)                                                         \
static NativeResult native_##name(unsigned size, uint64_t a, uint64_t b, uint64_t fin) \
{                                                                                   \
    uint64_t x = 0, f;                                                              \
    switch (size) {                                                                 \
    case 1:                                                                         \
        asm volatile(FLAGS_PRE mnem "w %w[y], %w[x]" FLAGS_POST                     \
                     : [x] "+r"(x), [fout] "=&r"(f) : [y] "r"(b), [fin] "r"(fin)    \
                     : "cc", "memory");                                             \
        break;                                                                      \
    case 2:                                                                         \
        asm volatile(FLAGS_PRE mnem "l %k[y], %k[x]" FLAGS_POST                     \
                     : [x] "+r"(x), [fout] "=&r"(f) : [y] "r"(b), [fin] "r"(fin)    \
                     : "cc", "memory");                                             \
        break;                                                                      \
    default:                                                                        \
        asm volatile(FLAGS_PRE mnem "q %q[y], %q[x]" FLAGS_POST                     \
                     : [x] "+r"(x), [fout] "=&r"(f) : [y] "r"(b), [fin] "r"(fin)    \
                     : "cc", "memory");                                             \
        break;                                                                      \
    }                                                                               \
    return (NativeResult){ .r = x, .flags = (uint32_t)f };                          \
}
DEF_CNT(tzcnt, "tzcnt")
DEF_CNT(lzcnt, "lzcnt")
DEF_CNT(popcnt, "popcnt")

/* ---- operands ---- */

static uint64_t wmask(unsigned size)
{
    return size == 3 ? ~0ull : (1ull << (8 << size)) - 1;
}

static uint64_t sext(uint64_t v, unsigned size)
{
    unsigned sh = 64 - (8 << size);
    return (uint64_t)((int64_t)(v << sh) >> sh);
}

/* Random operands biased to the edges where flags change. */
static uint64_t pick(GRand *r, unsigned size)
{
    static const uint64_t edges[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
        0xffffffff, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, 0xf, 0x10,
    };
    uint64_t v;
    switch (g_rand_int_range(r, 0, 4)) {
    case 0:
        v = edges[g_rand_int_range(r, 0, G_N_ELEMENTS(edges))];
        break;
    case 1:
        v = edges[g_rand_int_range(r, 0, G_N_ELEMENTS(edges))] +
            g_rand_int_range(r, -2, 3);
        break;
    default:
        v = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
        break;
    }
    return v & wmask(size);
}

static uint64_t random_flags_in(GRand *r)
{
    /* Any arithmetic flag pattern (DF, TF, IF... kept clear). */
    return RFLAGS_FIXED | (g_rand_int(r) & ALL);
}

static unsigned long checks;

static void check(const char *what, unsigned size, uint64_t a, uint64_t b, uint32_t want,
                  uint32_t got, uint32_t defined, uint64_t want_r, uint64_t got_r)
{
    checks++;
    if (((want ^ got) & defined) != 0 || want_r != got_r) {
        g_test_message("%s size %u a=0x%" PRIx64 " b=0x%" PRIx64 ": silicon flags 0x%x"
                       " result 0x%" PRIx64 ", emu flags 0x%x result 0x%" PRIx64
                       " (defined 0x%x)", what, 8 << size, a, b, want & ALL, want_r,
                       got & ALL, got_r, defined);
        g_test_fail();
    }
}

#define ITERS 20000

typedef NativeResult (*NativeFn)(unsigned, uint64_t, uint64_t, uint64_t);

static void test_arith(void)
{
    static const struct {
        const char *name;
        NativeFn fn;
        int cc;       /* the B variant */
        int kind;     /* 0 add, 1 adc, 2 sub, 3 sbb, 4 logic and, 5 or, 6 xor */
    } ops[] = {
        { "add", native_add, CC_OP_ADDB, 0 }, { "adc", native_adc, CC_OP_ADCB, 1 },
        { "sub", native_sub, CC_OP_SUBB, 2 }, { "sbb", native_sbb, CC_OP_SBBB, 3 },
        { "and", native_and, CC_OP_LOGICB, 4 }, { "or", native_or, CC_OP_LOGICB, 5 },
        { "xor", native_xor, CC_OP_LOGICB, 6 },
    };
    GRand *r = g_rand_new_with_seed(1);

    for (unsigned i = 0; i < G_N_ELEMENTS(ops); i++) {
        for (unsigned size = 0; size < 4; size++) {
            for (int n = 0; n < ITERS; n++) {
                uint64_t a = pick(r, size), b = pick(r, size), fin = random_flags_in(r);
                NativeResult nr = ops[i].fn(size, a, b, fin);
                uint64_t m = wmask(size), carry = fin & RFLAGS_CF, res;
                switch (ops[i].kind) {
                case 0: res = a + b; break;
                case 1: res = a + b + carry; break;
                case 2: res = a - b; break;
                case 3: res = a - b - carry; break;
                case 4: res = a & b; break;
                case 5: res = a | b; break;
                default: res = a ^ b; break;
                }
                res &= m;
                uint32_t f = x86_cc_compute_all(ops[i].cc + size, res, b, carry, 0);
                check(ops[i].name, size, a, b, nr.flags, f,
                      ops[i].kind >= 4 ? ALL & ~RFLAGS_AF : ALL, nr.r & m, res);
            }
        }
    }
    g_rand_free(r);
}

static void test_incdec_neg(void)
{
    GRand *r = g_rand_new_with_seed(2);
    for (unsigned size = 0; size < 4; size++) {
        for (int n = 0; n < ITERS; n++) {
            uint64_t a = pick(r, size), fin = random_flags_in(r), m = wmask(size);
            uint64_t cf = fin & RFLAGS_CF;
            NativeResult nr = native_inc(size, a, 0, fin);
            uint64_t res = (a + 1) & m;
            check("inc", size, a, 0, nr.flags,
                  x86_cc_compute_all(CC_OP_INCB + size, res, cf, 0, 0), ALL, nr.r & m, res);
            nr = native_dec(size, a, 0, fin);
            res = (a - 1) & m;
            check("dec", size, a, 0, nr.flags,
                  x86_cc_compute_all(CC_OP_DECB + size, res, cf, 0, 0), ALL, nr.r & m, res);
            /* NEG is SUB from 0: the translator records it as SUB 0 - a. */
            nr = native_neg(size, a, 0, fin);
            res = (0 - a) & m;
            check("neg", size, a, 0, nr.flags,
                  x86_cc_compute_all(CC_OP_SUBB + size, res, a, 0, 0), ALL, nr.r & m, res);
        }
    }
    g_rand_free(r);
}

static void test_shifts(void)
{
    static const struct {
        const char *name;
        NativeFn fn;
        int kind;       /* 0 shl, 1 shr, 2 sar */
    } ops[] = {
        { "shl", native_shl, 0 }, { "shr", native_shr, 1 }, { "sar", native_sar, 2 },
    };
    GRand *r = g_rand_new_with_seed(3);

    for (unsigned i = 0; i < G_N_ELEMENTS(ops); i++) {
        for (unsigned size = 0; size < 4; size++) {
            unsigned bits = 8 << size;
            for (int n = 0; n < ITERS; n++) {
                uint64_t a = pick(r, size), fin = random_flags_in(r), m = wmask(size);
                unsigned count = g_rand_int_range(r, 0, 256);
                unsigned mc = count & (size == 3 ? 63 : 31);
                NativeResult nr = ops[i].fn(size, a, count, fin);
                uint64_t res, src;
                uint32_t f, defined;
                if (mc == 0) {
                    /* Flags unchanged: the translator leaves the lazy state alone. */
                    check(ops[i].name, size, a, count, nr.flags, fin, ALL, nr.r & m, a);
                    continue;
                }
                /* What the translator computes (64-bit temps, then truncation). */
                if (ops[i].kind == 0) {
                    res = mc >= 64 ? 0 : (a << mc) & m;
                    src = (a << (mc - 1)) & m;
                    f = x86_cc_compute_all(CC_OP_SHLB + size, res, src, 0, 0);
                } else if (ops[i].kind == 1) {
                    res = (a >> mc) & m;
                    src = (a >> (mc - 1)) & m;
                    f = x86_cc_compute_all(CC_OP_SARB + size, res, src, 0, 0);
                } else {
                    res = (uint64_t)((int64_t)sext(a, size) >> mc) & m;
                    src = (uint64_t)((int64_t)sext(a, size) >> (mc - 1)) & m;
                    f = x86_cc_compute_all(CC_OP_SARB + size, res, src, 0, 0);
                }
                defined = RFLAGS_SF | RFLAGS_ZF | RFLAGS_PF;
                if (mc < bits || ops[i].kind == 2) {
                    defined |= RFLAGS_CF;     /* beyond the width CF is undefined */
                }
                if (mc == 1) {
                    defined |= RFLAGS_OF;
                }
                check(ops[i].name, size, a, count, nr.flags, f, defined, nr.r & m, res);
            }
        }
    }
    g_rand_free(r);
}

static void test_rotates(void)
{
    static const struct {
        const char *name;
        NativeFn fn;
        int kind;
    } ops[] = {
        { "rol", native_rol, X86_ROT_ROL }, { "ror", native_ror, X86_ROT_ROR },
        { "rcl", native_rcl, X86_ROT_RCL }, { "rcr", native_rcr, X86_ROT_RCR },
    };
    GRand *r = g_rand_new_with_seed(4);

    for (unsigned i = 0; i < G_N_ELEMENTS(ops); i++) {
        for (unsigned size = 0; size < 4; size++) {
            for (int n = 0; n < ITERS; n++) {
                uint64_t a = pick(r, size), fin = random_flags_in(r), m = wmask(size);
                unsigned count = g_rand_int_range(r, 0, 256);
                unsigned mc = count & (size == 3 ? 63 : 31);
                NativeResult nr = ops[i].fn(size, a, count, fin);
                uint32_t f = fin & ALL;
                uint64_t res = x86_rotate(ops[i].kind, size, a, count, &f);
                uint32_t defined = mc == 0 ? ALL : RFLAGS_CF | RFLAGS_SF | RFLAGS_ZF |
                                                   RFLAGS_PF | RFLAGS_AF;
                if (mc == 1) {
                    defined |= RFLAGS_OF;
                }
                check(ops[i].name, size, a, count, nr.flags, f, defined, nr.r & m, res);
            }
        }
    }
    g_rand_free(r);
}

static void test_double_shifts(void)
{
    GRand *r = g_rand_new_with_seed(5);
    for (int right = 0; right < 2; right++) {
        for (unsigned size = 1; size < 4; size++) {
            unsigned bits = 8 << size;
            for (int n = 0; n < ITERS; n++) {
                uint64_t a = pick(r, size), b = pick(r, size), m = wmask(size);
                uint64_t fin = random_flags_in(r);
                unsigned count = g_rand_int_range(r, 0, 256);
                unsigned mc = count & (size == 3 ? 63 : 31);
                NativeResult nr = right ? native_shrd(size, a, b, count, fin)
                                        : native_shld(size, a, b, count, fin);
                uint32_t f = fin & ALL;
                uint64_t res = x86_shift_double(right, size, a, b, count, &f);
                uint32_t defined;
                if (mc == 0) {
                    defined = ALL;
                } else if (mc > bits) {
                    continue;   /* 16-bit with count > 16: result and flags undefined */
                } else {
                    defined = RFLAGS_CF | RFLAGS_SF | RFLAGS_ZF | RFLAGS_PF;
                    if (mc == 1) {
                        defined |= RFLAGS_OF;
                    }
                }
                check(right ? "shrd" : "shld", size, a, b | (uint64_t)count << 32,
                      nr.flags, f, defined, nr.r & m, res);
            }
        }
    }
    g_rand_free(r);
}

static void test_mul(void)
{
    GRand *r = g_rand_new_with_seed(6);
    for (int sign = 0; sign < 2; sign++) {
        for (unsigned size = 0; size < 4; size++) {
            for (int n = 0; n < ITERS; n++) {
                uint64_t a = pick(r, size), b = pick(r, size), m = wmask(size);
                NativeResult nr = native_mul(size, a, b, random_flags_in(r), sign);
                /* The translator's recipe: full product, src = "high half is significant". */
                uint64_t lo, hi, src;
                if (sign) {
                    __int128 p = (__int128)(int64_t)sext(a, size) * (int64_t)sext(b, size);
                    lo = (uint64_t)p & m;
                    hi = (uint64_t)(p >> (8 << size)) & m;
                    src = (__int128)(int64_t)sext(lo, size) != p;
                } else {
                    unsigned __int128 p = (unsigned __int128)a * b;
                    lo = (uint64_t)p & m;
                    hi = (uint64_t)(p >> (8 << size)) & m;
                    src = hi;
                }
                uint32_t f = x86_cc_compute_all(CC_OP_MULB + size, lo, src, 0, 0);
                check(sign ? "imul" : "mul", size, a, b, nr.flags, f,
                      RFLAGS_CF | RFLAGS_OF, nr.r & m, lo);
                check(sign ? "imul-hi" : "mul-hi", size, a, b, 0, 0, 0, nr.hi & m, hi);
            }
        }
    }
    g_rand_free(r);
}

static bool host_has(unsigned leaf, unsigned reg, unsigned bit)
{
    unsigned a, b, c, d;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(0));
    unsigned v = reg == 'b' ? b : reg == 'c' ? c : d;
    return (v >> bit) & 1;
}

static void test_counts(void)
{
    bool have_bmi1 = host_has(7, 'b', 3), have_abm = host_has(0x80000001, 'c', 5);
    bool have_popcnt = host_has(1, 'c', 23);
    GRand *r = g_rand_new_with_seed(7);

    for (unsigned size = 1; size < 4; size++) {
        unsigned bits = 8 << size;
        for (int n = 0; n < ITERS; n++) {
            uint64_t b = pick(r, size), fin = random_flags_in(r), m = wmask(size);
            if (g_rand_int_range(r, 0, 8) == 0) {
                b = 0;
            }
            if (have_bmi1) {
                NativeResult nr = native_tzcnt(size, 0, b, fin);
                uint64_t res = b ? (uint64_t)__builtin_ctzll(b) : bits;
                check("tzcnt", size, 0, b, nr.flags,
                      x86_cc_compute_all(CC_OP_TZCNTB + size, res, b, 0, 0),
                      RFLAGS_CF | RFLAGS_ZF, nr.r & m, res);
            }
            if (have_abm) {
                NativeResult nr = native_lzcnt(size, 0, b, fin);
                uint64_t res = b ? (uint64_t)__builtin_clzll(b) - (64 - bits) : bits;
                check("lzcnt", size, 0, b, nr.flags,
                      x86_cc_compute_all(CC_OP_TZCNTB + size, res, b, 0, 0),
                      RFLAGS_CF | RFLAGS_ZF, nr.r & m, res);
            }
            if (have_popcnt) {
                NativeResult nr = native_popcnt(size, 0, b, fin);
                uint64_t res = __builtin_popcountll(b);
                check("popcnt", size, 0, b, nr.flags,
                      x86_cc_compute_all(CC_OP_POPCNTB + size, b, 0, 0, 0), ALL,
                      nr.r & m, res);
            }
        }
    }
    if (!have_bmi1 || !have_abm || !have_popcnt) {
        g_test_message("host lacks some of BMI1/ABM/POPCNT: those were not checked");
    }
    g_rand_free(r);
}

static void test_eflags_passthrough(void)
{
    /* CC_OP_EFLAGS: the arithmetic flags are whatever rflags holds. */
    for (uint32_t f = 0; f <= ALL; f++) {
        g_assert_cmpuint(x86_cc_compute_all(CC_OP_EFLAGS, 1, 2, 3, f | RFLAGS_IF | RFLAGS_DF),
                         ==, f & ALL);
    }
}

static void test_count(void)
{
    g_test_message("%lu flag/result comparisons against silicon", checks);
    g_assert_cmpuint(checks, >, 1000000);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86-flags/arith", test_arith);
    g_test_add_func("/x86-flags/incdec-neg", test_incdec_neg);
    g_test_add_func("/x86-flags/shifts", test_shifts);
    g_test_add_func("/x86-flags/rotates", test_rotates);
    g_test_add_func("/x86-flags/double-shifts", test_double_shifts);
    g_test_add_func("/x86-flags/mul", test_mul);
    g_test_add_func("/x86-flags/counts", test_counts);
    g_test_add_func("/x86-flags/eflags", test_eflags_passthrough);
    g_test_add_func("/x86-flags/count", test_count);
    return g_test_run();
}

#else

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    printf("1..0 # SKIP the oracle is the host CPU: x86-64 hosts only\n");
    return 0;
}

#endif
