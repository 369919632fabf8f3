/*
 * The x87 FPU and the state save/restore instructions of the x86 translator,
 * with this host's FPU as the oracle (x86-native.h): every case loads one
 * random x87 state with FXRSTOR, runs an instruction sequence, and captures the
 * result with FXSAVE and FNSTENV, natively and through emu on both backends.
 * Compared bit for bit: ST0-7 (the 16-byte slots), FCW, FSW (TOP, C0-C3,
 * flags, ES/B), the abridged and the full tag word, FOP, FIP (as an offset in
 * the code), FDP, the memory the sequence stored, EFLAGS (FCOMI), RAX
 * (FNSTSW AX) and the exception raised (#MF, #GP).
 *
 * Fields that legitimately differ are masked, and said where:
 *  - FXSAVE bytes 6-23 (FOP, FIP, FDP): AMD writes them only while FSW.ES is
 *    set; they are compared through FNSTENV instead.
 *  - FXSAVE bytes 28-31 (MXCSR_MASK): the host reports MM (bit 17); emu 0xffff.
 *  - FNSTENV/FXSAVE selectors FCS/FDS: emu keeps none (fpu-internal.h) and
 *    stores 0, the host stores its CS.
 *  - FIP in 32-bit runs (the code address is not known there).
 *  - Transcendental instructions (F2XM1 ... FSINCOS): results may be 1 ulp
 *    apart (docs/devel/softfloat.md measures how often), C1 then too.
 * Exercised: every rounding and precision-control mode, masked and unmasked
 * exceptions, NaNs, denormals, pseudo-denormals, unnormals, pseudo-NaNs,
 * infinities, empty and full stacks.
 *
 * emu-only checks follow where the host cannot run the code (real-mode
 * images, CR0.TS/EM/NE, XSAVE without CR4.OSXSAVE).
 */
#include "util/osdep.h"
#include "x86-native.h"
#include "x86-run.h"

/* Data layout at X86_NATIVE_DATA (RBX/EBX point there). */
#define D_IN    0x000       /* FXSAVE image loaded by the prologue */
#define D_OUT   0x200       /* FXSAVE after the body */
#define D_ENV   0x400       /* FNSTENV after that (28 bytes) */
#define D_MEM   0x500       /* the body's memory operands */
#define D_MEM_SIZE 0x300
#define D_XSAVE 0x1000      /* XSAVE areas (64-byte aligned) */
#define D_SIZE  0x2000

/* Memory operands inside D_MEM. */
#define M_F32A  0x00
#define M_F32B  0x04
#define M_F64A  0x08
#define M_F64B  0x10
#define M_F80   0x18
#define M_I16   0x28
#define M_I32   0x2c
#define M_I64   0x30
#define M_BCD   0x38
#define M_CW    0x44
#define M_OUT   0x48        /* stores go from here on */
#define M_ENV   0x100       /* FNSTENV / FLDENV image */
#define M_SAVE  0x180       /* FNSAVE / FRSTOR image (108 bytes) */

/* ModRM + disp32 for [rbx/ebx + D_MEM + off] with ModRM.reg = r. */
#define MEM(r, off) (0x80 | (r) << 3 | 3), ((D_MEM + (off)) & 0xff), \
                    ((D_MEM + (off)) >> 8), 0, 0

/* Case flags. */
#define F_UNMASK  1     /* one waiting instruction: may run with unmasked exceptions */
#define F_TRANS   2     /* transcendental: results within 1 ulp */
#define F_NO64    4     /* 32-bit run only */
#define F_NO32    8     /* 64-bit run only */
#define F_FULL    16    /* bias the input towards a full stack */
#define F_EMPTY   32    /* bias the input towards empty registers */

typedef struct Case {
    const char *name;
    uint8_t code[40];
    uint8_t len;
    uint8_t flags;
} Case;

#define C(n, f, ...) { n, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), f }
#define U F_UNMASK

static const Case cases[] = {
    /* arithmetic, register forms */
    C("fadd st0,st1", U, 0xd8, 0xc1),
    C("fmul st0,st2", U, 0xd8, 0xca),
    C("fsub st0,st3", U, 0xd8, 0xe3),
    C("fsubr st0,st1", U, 0xd8, 0xe9),
    C("fdiv st0,st1", U, 0xd8, 0xf1),
    C("fdivr st0,st2", U, 0xd8, 0xfa),
    C("fadd st2,st0", U, 0xdc, 0xc2),
    C("fmul st1,st0", U, 0xdc, 0xc9),
    C("fsubr st1,st0", U, 0xdc, 0xe1),
    C("fsub st3,st0", U, 0xdc, 0xeb),
    C("fdivr st1,st0", U, 0xdc, 0xf1),
    C("fdiv st2,st0", U, 0xdc, 0xfa),
    C("faddp st1", U, 0xde, 0xc1),
    C("fmulp st2", U, 0xde, 0xca),
    C("fsubrp st1", U, 0xde, 0xe1),
    C("fsubp st1", U, 0xde, 0xe9),
    C("fdivrp st2", U, 0xde, 0xf2),
    C("fdivp st1", U, 0xde, 0xf9),
    C("fsqrt", U, 0xd9, 0xfa),
    C("frndint", U, 0xd9, 0xfc),
    C("fscale", U, 0xd9, 0xfd),
    C("fprem", U, 0xd9, 0xf8),
    C("fprem1", U, 0xd9, 0xf5),
    C("fxtract", U, 0xd9, 0xf4),
    C("fchs; fabs", 0, 0xd9, 0xe0, 0xd9, 0xe1),
    C("fabs", U, 0xd9, 0xe1),
    /* arithmetic, memory forms */
    C("fadd m32", U, 0xd8, MEM(0, M_F32A)),
    C("fmul m32", U, 0xd8, MEM(1, M_F32B)),
    C("fsub m32", U, 0xd8, MEM(4, M_F32A)),
    C("fsubr m32", U, 0xd8, MEM(5, M_F32B)),
    C("fdiv m32", U, 0xd8, MEM(6, M_F32A)),
    C("fdivr m32", U, 0xd8, MEM(7, M_F32B)),
    C("fadd m64", U, 0xdc, MEM(0, M_F64A)),
    C("fmul m64", U, 0xdc, MEM(1, M_F64B)),
    C("fsub m64", U, 0xdc, MEM(4, M_F64A)),
    C("fsubr m64", U, 0xdc, MEM(5, M_F64B)),
    C("fdiv m64", U, 0xdc, MEM(6, M_F64A)),
    C("fdivr m64", U, 0xdc, MEM(7, M_F64B)),
    C("fiadd m32", U, 0xda, MEM(0, M_I32)),
    C("fimul m16", U, 0xde, MEM(1, M_I16)),
    C("fisub m32", U, 0xda, MEM(4, M_I32)),
    C("fisubr m16", U, 0xde, MEM(5, M_I16)),
    C("fidiv m16", U, 0xde, MEM(6, M_I16)),
    C("fidivr m32", U, 0xda, MEM(7, M_I32)),
    /* compares */
    C("fcom st1", U, 0xd8, 0xd1),
    C("fcomp st2", U, 0xd8, 0xda),
    C("fcompp", U, 0xde, 0xd9),
    C("fucom st1", U, 0xdd, 0xe1),
    C("fucomp st3", U, 0xdd, 0xeb),
    C("fucompp", U, 0xda, 0xe9),
    C("fcom m32", U, 0xd8, MEM(2, M_F32A)),
    C("fcomp m64", U, 0xdc, MEM(3, M_F64A)),
    C("ficom m16", U, 0xde, MEM(2, M_I16)),
    C("ficomp m32", U, 0xda, MEM(3, M_I32)),
    C("ftst", U, 0xd9, 0xe4),
    C("fxam", U, 0xd9, 0xe5),
    C("fcomi st1", U, 0xdb, 0xf1),
    C("fucomi st2", U, 0xdb, 0xea),
    C("fcomip st1", U, 0xdf, 0xf1),
    C("fucomip st1", U, 0xdf, 0xe9),
    C("fnstsw ax after fcom", 0, 0xd8, 0xd1, 0xdf, 0xe0),
    C("fcmovb", U, 0xda, 0xc1), C("fcmove", U, 0xda, 0xca),
    C("fcmovbe", U, 0xda, 0xd3), C("fcmovu", U, 0xda, 0xd9),
    C("fcmovnb", U, 0xdb, 0xc1), C("fcmovne", U, 0xdb, 0xca),
    C("fcmovnbe", U, 0xdb, 0xd3), C("fcmovnu", U, 0xdb, 0xd9),
    C("fucomi; fcmovnbe; setp al", 0, 0xdb, 0xe9, 0xdb, 0xd2, 0x0f, 0x9a, 0xc0),
    /* loads */
    C("fld m32", U | F_FULL, 0xd9, MEM(0, M_F32A)),
    C("fld m64", U | F_FULL, 0xdd, MEM(0, M_F64B)),
    C("fld m80", U | F_FULL, 0xdb, MEM(5, M_F80)),
    C("fild m16", U | F_FULL, 0xdf, MEM(0, M_I16)),
    C("fild m32", U | F_FULL, 0xdb, MEM(0, M_I32)),
    C("fild m64", U | F_FULL, 0xdf, MEM(5, M_I64)),
    C("fbld", U | F_FULL, 0xdf, MEM(4, M_BCD)),
    C("fld st3", U | F_FULL, 0xd9, 0xc3),
    C("fld1", U | F_FULL, 0xd9, 0xe8),
    C("fldl2t", U, 0xd9, 0xe9),
    C("fldl2e", U, 0xd9, 0xea),
    C("fldpi", U, 0xd9, 0xeb),
    C("fldlg2", U, 0xd9, 0xec),
    C("fldln2", U, 0xd9, 0xed),
    C("fldz", U | F_FULL, 0xd9, 0xee),
    /* stores */
    C("fst m32", U, 0xd9, MEM(2, M_OUT)),
    C("fstp m32", U, 0xd9, MEM(3, M_OUT)),
    C("fst m64", U, 0xdd, MEM(2, M_OUT)),
    C("fstp m64", U, 0xdd, MEM(3, M_OUT)),
    C("fstp m80", U, 0xdb, MEM(7, M_OUT)),
    C("fist m16", U, 0xdf, MEM(2, M_OUT)),
    C("fistp m16", U, 0xdf, MEM(3, M_OUT)),
    C("fist m32", U, 0xdb, MEM(2, M_OUT)),
    C("fistp m32", U, 0xdb, MEM(3, M_OUT)),
    C("fistp m64", U, 0xdf, MEM(7, M_OUT)),
    C("fisttp m16", U, 0xdf, MEM(1, M_OUT)),
    C("fisttp m32", U, 0xdb, MEM(1, M_OUT)),
    C("fisttp m64", U, 0xdd, MEM(1, M_OUT)),
    C("fbstp", U, 0xdf, MEM(6, M_OUT)),
    C("fst st2", U, 0xdd, 0xd2),
    C("fstp st3", U, 0xdd, 0xdb),
    C("fstp st0", U, 0xdd, 0xd8),
    C("fnstsw m16; fnstcw m16", 0, 0xdd, MEM(7, M_OUT), 0xd9, MEM(7, M_OUT + 2)),
    C("fnstsw ax", 0, 0xdf, 0xe0),
    /* stack and control */
    C("fxch st1", U, 0xd9, 0xc9),
    C("fxch st5", U | F_EMPTY, 0xd9, 0xcd),
    C("ffree st2", 0, 0xdd, 0xc2),
    C("ffreep st1", 0, 0xdf, 0xc1),
    C("fincstp; fdecstp; fdecstp", 0, 0xd9, 0xf7, 0xd9, 0xf6, 0xd9, 0xf6),
    C("fnop", 0, 0xd9, 0xd0),
    C("fwait", 0, 0x9b),
    C("fnclex", 0, 0xdb, 0xe2),
    C("fninit", 0, 0xdb, 0xe3),
    C("fneni; fndisi; fnsetpm", 0, 0xdb, 0xe0, 0xdb, 0xe1, 0xdb, 0xe4),
    C("fldcw", 0, 0xd9, MEM(5, M_CW)),
    C("fnstenv; fldenv", 0, 0xd9, MEM(6, M_ENV), 0xd9, MEM(4, M_ENV)),
    C("fldenv (random image)", 0, 0xd9, MEM(4, M_I16)),
    C("o16 fnstenv; fldenv", 0, 0x66, 0xd9, MEM(6, M_ENV), 0x66, 0xd9, MEM(4, M_ENV)),
    C("fnsave; frstor", 0, 0xdd, MEM(6, M_SAVE), 0xdd, MEM(4, M_SAVE)),
    C("fnsave; fld1; frstor", 0, 0xdd, MEM(6, M_SAVE), 0xd9, 0xe8, 0xdd, MEM(4, M_SAVE)),
    C("o16 fnsave; o16 frstor", 0, 0x66, 0xdd, MEM(6, M_SAVE), 0x66, 0xdd, MEM(4, M_SAVE)),
    C("fnsave (stored)", 0, 0xdd, MEM(6, M_SAVE)),
    /* sequences */
    C("fld m64; fmul st0,st1; fstp m64", 0,
      0xdd, MEM(0, M_F64A), 0xd8, 0xc9, 0xdd, MEM(3, M_OUT)),
    C("fild m32; fidiv m16; fistp m64", 0,
      0xdb, MEM(0, M_I32), 0xde, MEM(6, M_I16), 0xdf, MEM(7, M_OUT)),
    C("fld1; fadd st0,st0; fsqrt; fstp m80", 0,
      0xd9, 0xe8, 0xdc, 0xc0, 0xd9, 0xfa, 0xdb, MEM(7, M_OUT)),
    C("fldz x9 (overflow)", 0, 0xd9, 0xee, 0xd9, 0xee, 0xd9, 0xee, 0xd9, 0xee, 0xd9, 0xee,
      0xd9, 0xee, 0xd9, 0xee, 0xd9, 0xee, 0xd9, 0xee),
    C("fstp st0 x9 (underflow)", 0, 0xdd, 0xd8, 0xdd, 0xd8, 0xdd, 0xd8, 0xdd, 0xd8,
      0xdd, 0xd8, 0xdd, 0xd8, 0xdd, 0xd8, 0xdd, 0xd8, 0xdd, 0xd8),
    C("fprem loop", 0, 0xd9, 0xf8, 0xd9, 0xf8, 0xd9, 0xf8, 0xd9, 0xf8),
    C("fbld; fbstp", 0, 0xdf, MEM(4, M_BCD), 0xdf, MEM(6, M_OUT)),
    /* transcendental */
    C("f2xm1", U | F_TRANS, 0xd9, 0xf0),
    C("fyl2x", U | F_TRANS, 0xd9, 0xf1),
    C("fyl2xp1", U | F_TRANS, 0xd9, 0xf9),
    C("fpatan", U | F_TRANS, 0xd9, 0xf3),
    C("fptan", U | F_TRANS | F_FULL, 0xd9, 0xf2),
    C("fsin", U | F_TRANS, 0xd9, 0xfe),
    C("fcos", U | F_TRANS, 0xd9, 0xff),
    C("fsincos", U | F_TRANS | F_FULL, 0xd9, 0xfb),
};

/* ---- random x87 states ---- */

typedef struct X80 {
    uint16_t se;
    uint64_t m;
} X80;

static const X80 specials[] = {
    { 0x0000, 0 }, { 0x8000, 0 },                                   /* zeros */
    { 0x3fff, 1ull << 63 }, { 0xbfff, 1ull << 63 },                 /* +-1 */
    { 0x4000, 0xc000000000000000ull }, { 0x3ffe, 0xc000000000000000ull },  /* 3, 0.75 */
    { 0x7fff, 1ull << 63 }, { 0xffff, 1ull << 63 },                 /* infinities */
    { 0x7fff, 0xc000000000000000ull }, { 0xffff, 0xc000000000000000ull },  /* QNaN, indef */
    { 0x7fff, 0xc000000000001234ull }, { 0xffff, 0xe000000000000000ull },
    { 0x7fff, 0x8000000000000001ull }, { 0xffff, 0xa000000000000000ull },  /* SNaNs */
    { 0x0000, 1 }, { 0x8000, 0x7fffffffffffffffull },               /* denormals */
    { 0x0000, 1ull << 63 }, { 0x8000, 0x8000000000000123ull },      /* pseudo-denormals */
    { 0x0001, 1ull << 63 }, { 0x7ffe, ~0ull }, { 0xfffe, ~0ull },   /* min normal, max */
    { 0x3fff, 0x4000000000000000ull }, { 0x0123, 0x1234 },          /* unnormals */
    { 0x7fff, 0 }, { 0xffff, 0x4000000000000000ull },               /* pseudo-inf/NaN */
    { 0x403e, 1ull << 63 }, { 0xc03e, 1ull << 63 },                 /* +-2^63 */
    { 0x403d, 0xde0b6b3a763ffff0ull },                              /* ~10^18 */
    { 0x4000, 0xc90fdaa22168c235ull }, { 0x3ffe, 0xb17217f7d1cf79acull },  /* pi, ln2 */
    { 0x3ffd, 0xffffffffffffffffull }, { 0x3fbf, 1ull << 63 },      /* ~0.25, 2^-64 */
    { 0x3ffe, 0x8000000000000000ull }, { 0xbffe, 0x8000000000000000ull },  /* +-0.5 */
};

static X80 rand_x80(GRand *r)
{
    X80 v;
    int kind = g_rand_int_range(r, 0, 8);
    uint64_t m = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
    bool neg = g_rand_boolean(r);

    switch (kind) {
    case 0:
    case 1:
        return specials[g_rand_int_range(r, 0, G_N_ELEMENTS(specials))];
    case 2:     /* moderate magnitudes */
        v.se = 0x3fff + g_rand_int_range(r, -70, 70);
        v.m = m | 1ull << 63;
        break;
    case 3:     /* anything normal */
        v.se = g_rand_int_range(r, 1, 0x7fff);
        v.m = m | 1ull << 63;
        break;
    case 4: {   /* integers and halves (FIST, FRNDINT, FBSTP) */
        int bits = g_rand_int_range(r, 1, 64);
        uint64_t n = (m >> (64 - bits)) | 1;
        int sh = __builtin_clzll(n);
        int half = g_rand_int_range(r, 0, 2);
        v.se = 0x3fff + 63 - sh - half;
        v.m = n << sh;
        break;
    }
    case 5:     /* short mantissas: ties for PC 24/53 */
        v.se = 0x3fff + g_rand_int_range(r, -20, 20);
        v.m = (m & 0xffffffffff800000ull) | 1ull << 63 |
              (g_rand_boolean(r) ? 0x400 : 0x80000000000ull);
        break;
    case 6:     /* near the denormal and overflow edges */
        v.se = g_rand_boolean(r) ? g_rand_int_range(r, 0, 80)
                                 : g_rand_int_range(r, 0x7fa0, 0x7fff);
        v.m = v.se ? m | 1ull << 63 : m >> 1;
        break;
    default:    /* small integers */
        v.se = 0x3fff + g_rand_int_range(r, 0, 5);
        v.m = (m & 0xf000000000000000ull) | 1ull << 63;
        break;
    }
    v.se |= neg ? 0x8000 : 0;
    return v;
}

static void put_x80(uint8_t *p, X80 v)
{
    memcpy(p, &v.m, 8);
    memcpy(p + 8, &v.se, 2);
}

static uint32_t rand_f32(GRand *r)
{
    static const uint32_t sp[] = {
        0, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000,
        0xffc00000, 0x7f800001, 0x7fa00000, 0x00000001, 0x807fffff, 0x00800000,
        0x7f7fffff, 0x40490fdb, 0x3f000000,
    };
    if (g_rand_int_range(r, 0, 3) == 0) {
        return sp[g_rand_int_range(r, 0, G_N_ELEMENTS(sp))];
    }
    uint32_t v = g_rand_int(r);
    if (g_rand_boolean(r)) {
        v = (v & 0x807fffff) | (uint32_t)g_rand_int_range(r, 0x70, 0x90) << 23;
    }
    return v;
}

static uint64_t rand_f64(GRand *r)
{
    static const uint64_t sp[] = {
        0, 1ull << 63, 0x3ff0000000000000ull, 0x7ff0000000000000ull,
        0xfff0000000000000ull, 0x7ff8000000000000ull, 0x7ff0000000000001ull,
        0x0000000000000001ull, 0x800fffffffffffffull, 0x0010000000000000ull,
        0x7fefffffffffffffull, 0x400921fb54442d18ull, 0x43e0000000000000ull,
    };
    if (g_rand_int_range(r, 0, 3) == 0) {
        return sp[g_rand_int_range(r, 0, G_N_ELEMENTS(sp))];
    }
    uint64_t v = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
    if (g_rand_boolean(r)) {
        v = (v & 0x800fffffffffffffull) | (uint64_t)g_rand_int_range(r, 0x3c0, 0x440) << 52;
    }
    return v;
}

/*
 * A random FXSAVE image: FCW with any RC and PC (the reserved PC 01 too),
 * all exceptions masked unless @unmask (then no flag is pending), any TOP,
 * tags, condition codes and register contents.
 */
static void rand_state(GRand *r, uint8_t *img, bool unmask, unsigned flags)
{
    memset(img, 0, 512);
    uint16_t fcw = 0x0040 | (g_rand_int_range(r, 0, 4) << 8) | (g_rand_int_range(r, 0, 4) << 10) |
                   (g_rand_boolean(r) ? 0x1000 : 0);
    uint16_t fsw = g_rand_int_range(r, 0, 8) << 11 | (g_rand_int(r) & 0x4700);
    if (unmask) {
        fcw |= g_rand_int(r) & 0x3f;
    } else {
        fcw |= 0x3f;
        if (g_rand_int_range(r, 0, 4) == 0) {
            fsw |= g_rand_int(r) & 0x7f;        /* sticky flags, masked */
        }
    }
    uint8_t ftw;
    if (flags & F_FULL && g_rand_boolean(r)) {
        ftw = 0xff;
    } else if (flags & F_EMPTY && g_rand_boolean(r)) {
        ftw = g_rand_int(r) & 0x55;
    } else if (g_rand_int_range(r, 0, 4) == 0) {
        ftw = g_rand_int(r);
    } else {
        /* The usual shape: ST0..ST(n-1) valid. */
        unsigned n = g_rand_int_range(r, 0, 8), top = (fsw >> 11) & 7;
        ftw = 0;
        for (unsigned i = 0; i < n; i++) {
            ftw |= 1u << ((top + i) & 7);
        }
    }
    memcpy(img, &fcw, 2);
    memcpy(img + 2, &fsw, 2);
    img[4] = ftw;
    /* FOP/FIP/FDP markers: kept until a non-control instruction replaces them. */
    uint16_t fop = 0x5a5;
    uint64_t fip = 0x5a5a5a5a, fdp = 0x3c3c3c3c;
    memcpy(img + 6, &fop, 2);
    memcpy(img + 8, &fip, 8);
    memcpy(img + 16, &fdp, 8);
    uint32_t mxcsr = 0x1f80;
    memcpy(img + 24, &mxcsr, 4);
    for (unsigned i = 0; i < 8; i++) {
        put_x80(img + 32 + 16 * i, rand_x80(r));
    }
    for (unsigned i = 160; i < 416; i++) {
        img[i] = g_rand_int(r);
    }
}

static void rand_mem(GRand *r, uint8_t *mem)
{
    uint32_t f32a = rand_f32(r), f32b = rand_f32(r);
    uint64_t f64a = rand_f64(r), f64b = rand_f64(r);
    int16_t i16 = g_rand_int_range(r, 0, 3) ? (int16_t)g_rand_int(r)
                                            : (int16_t)g_rand_int_range(r, -3, 4);
    int32_t i32 = g_rand_int_range(r, 0, 3) ? (int32_t)g_rand_int(r) : g_rand_int_range(r, -3, 4);
    int64_t i64 = (int64_t)((uint64_t)g_rand_int(r) << 32 | g_rand_int(r)) >>
                  g_rand_int_range(r, 0, 64);
    uint16_t cw = g_rand_int(r) | 0x3f;      /* FLDCW: keep exceptions masked */

    memset(mem, 0, D_MEM_SIZE);
    memcpy(mem + M_F32A, &f32a, 4);
    memcpy(mem + M_F32B, &f32b, 4);
    memcpy(mem + M_F64A, &f64a, 8);
    memcpy(mem + M_F64B, &f64b, 8);
    put_x80(mem + M_F80, rand_x80(r));
    memcpy(mem + M_I16, &i16, 2);
    memcpy(mem + M_I32, &i32, 4);
    memcpy(mem + M_I64, &i64, 8);
    /* Packed BCD: random digits, random sign. */
    unsigned ndig = g_rand_int_range(r, 0, 19);
    for (unsigned d = 0; d < 18; d++) {
        unsigned v = d < ndig ? g_rand_int_range(r, 0, 10) : 0;
        mem[M_BCD + d / 2] |= v << (4 * (d & 1));
    }
    mem[M_BCD + 9] = g_rand_boolean(r) ? 0x80 : 0;
    memcpy(mem + M_CW, &cw, 2);
}

/* ---- running a case ---- */

/* Prologue: lea r14, [rip - 7]; fxrstor64 [rbx]. Epilogue: fxsave64, fnstenv, fninit. */
static size_t build(uint8_t *out, const Case *c, bool bits32)
{
    static const uint8_t pro64[] = { 0x4c, 0x8d, 0x35, 0xf9, 0xff, 0xff, 0xff,
                                     0x48, 0x0f, 0xae, 0x0b };
    static const uint8_t pro32[] = { 0x0f, 0xae, 0x0b };
    static const uint8_t epi64[] = { 0x48, 0x0f, 0xae, 0x83, D_OUT & 0xff, D_OUT >> 8, 0, 0,
                                     0xd9, 0xb3, D_ENV & 0xff, D_ENV >> 8, 0, 0,
                                     0xdb, 0xe3 };
    size_t n = 0;
    if (bits32) {
        memcpy(out, pro32, sizeof(pro32));
        n = sizeof(pro32);
    } else {
        memcpy(out, pro64, sizeof(pro64));
        n = sizeof(pro64);
    }
    memcpy(out + n, c->code, c->len);
    n += c->len;
    memcpy(out + n, epi64 + (bits32 ? 1 : 0), sizeof(epi64) - (bits32 ? 1 : 0));
    return n + sizeof(epi64) - (bits32 ? 1 : 0);
}

typedef struct Result {
    X86NativeRegs regs;
    X86NativeFault fault;
    uint8_t data[D_SIZE];
} Result;

static uint8_t *low_data(void)
{
    return x86_native_low() + (X86_NATIVE_DATA - X86_NATIVE_LOW_BASE);
}

static void run_native(Result *res, const uint8_t *code, size_t len, const uint8_t *data,
                       bool bits32)
{
    memcpy(low_data(), data, D_SIZE);
    if (bits32) {
        if (!x86_native_run32(&res->regs, code, len, &res->fault)) {
            g_assert_not_reached();
        }
        /* A fault leaves the host x87 in the signal handler's (init) state. */
    } else {
        x86_native_run(&res->regs, code, len, &res->fault);
    }
    memcpy(res->data, low_data(), D_SIZE);
}

static void run_emu(Result *res, const uint8_t *code, size_t len, const uint8_t *data)
{
    x86run_write(X86_NATIVE_DATA, data, D_SIZE);
    x86_native_emu_run(&res->regs, code, len, &res->fault);
    x86run_read(X86_NATIVE_DATA, res->data, D_SIZE);
}

/* Set while a comparison only decides whether to look again: no messages. */
static bool quiet;

/* Two 80-bit values at most 1 ulp apart (transcendental results). */
static bool near_x80(const uint8_t *a, const uint8_t *b)
{
    uint64_t ma, mb;
    uint16_t ea, eb;
    memcpy(&ma, a, 8);
    memcpy(&mb, b, 8);
    memcpy(&ea, a + 8, 2);
    memcpy(&eb, b + 8, 2);
    if (ea == eb) {
        return ma - mb + 1 <= 2;
    }
    /* Across a binade: 1.111..1 x 2^e and 1.000..0 x 2^(e+1). */
    if ((ea ^ eb) & 0x8000 || ((ea + 1) & 0x7fff) != (eb & 0x7fff)) {
        if (((eb + 1) & 0x7fff) != (ea & 0x7fff) || (ea ^ eb) & 0x8000) {
            return false;
        }
        return mb == ~0ull && ma == 1ull << 63;
    }
    return ma == ~0ull && mb == 1ull << 63;
}

static bool compare_bytes(const char *what, const uint8_t *want, const uint8_t *got,
                          unsigned off, unsigned len, bool *reported)
{
    if (!memcmp(want + off, got + off, len)) {
        return true;
    }
    if (!*reported) {
        *reported = true;
    }
    if (quiet) {
        return false;
    }
    /* Long ranges: show the 16 bytes around the first difference. */
    while (len > 16 && !memcmp(want + off, got + off, 16)) {
        off += 16;
        len -= 16;
    }
    len = MIN(len, 16);
    GString *w = g_string_new(NULL), *g = g_string_new(NULL);
    for (unsigned i = 0; i < len; i++) {
        g_string_append_printf(w, "%02x", want[off + len - 1 - i]);
        g_string_append_printf(g, "%02x", got[off + len - 1 - i]);
    }
    g_test_message("  %s (+0x%x): silicon %s emu %s", what, off, w->str, g->str);
    g_string_free(w, true);
    g_string_free(g, true);
    return false;
}

/*
 * The FIP field of an FNSTENV image made comparable: an offset in the code,
 * or the value itself when it is no code address (the marker the input
 * image holds, 0 after FNINIT, what FLDENV loaded). A 16-bit FNSTENV/FLDENV
 * pair keeps the low 16 bits of a code address (the same on both sides: the
 * code starts on a page boundary there).
 */
static uint32_t env_fip(const Result *res, bool bits32)
{
    uint32_t fip;
    memcpy(&fip, res->data + D_ENV + 12, 4);
    if (bits32) {
        return 0;
    }
    if (fip == 0x5a5a5a5a || fip < 0x10000) {
        return fip;
    }
    return fip - (uint32_t)res->regs.r[R_R14];
}

static bool compare_results(const Case *c, const Result *want, const Result *got, bool bits32,
                            const uint8_t *in)
{
    bool rep = false, ok = true;
    const uint8_t *w = want->data, *g = got->data;

    quiet = !in;
    if (quiet) {
        ok = want->fault.vector == got->fault.vector &&
             (want->fault.vector < 0 || want->fault.offset == got->fault.offset) &&
             !((want->regs.flags ^ got->regs.flags) & RFLAGS_ARITH);
        for (int k = 0; k < 16; k++) {
            ok &= k == R_ESP || k == R_R14 || want->regs.r[k] == got->regs.r[k];
        }
    } else {
        ok &= x86_native_compare_fault(c->name, &want->fault, &got->fault);
        ok &= x86_native_compare(c->name, &want->regs, &got->regs,
                                 1u << R_ESP | 1u << R_R14, 0, false);
    }
    if (want->fault.vector >= 0 || got->fault.vector >= 0) {
        return ok;
    }
    /* FXSAVE image: FCW FSW FTW (C1 of transcendentals apart), MXCSR, registers, XMM. */
    if (c->flags & F_TRANS) {
        uint8_t wf[2], gf[2];
        memcpy(wf, w + D_OUT + 2, 2);
        memcpy(gf, g + D_OUT + 2, 2);
        wf[1] &= ~0x02;
        gf[1] &= ~0x02;
        ok &= compare_bytes("FSW (C1 masked)", wf, gf, 0, 2, &rep);
        ok &= compare_bytes("FCW", w, g, D_OUT, 2, &rep);
        ok &= compare_bytes("FTW", w, g, D_OUT + 4, 2, &rep);
    } else {
        ok &= compare_bytes("FCW FSW FTW", w, g, D_OUT, 6, &rep);
    }
    ok &= compare_bytes("MXCSR", w, g, D_OUT + 24, 4, &rep);
    for (unsigned i = 0; i < 8; i++) {
        unsigned off = D_OUT + 32 + 16 * i;
        char name[16];
        snprintf(name, sizeof(name), "ST%u", i);
        if ((c->flags & F_TRANS) && near_x80(w + off, g + off) &&
            !memcmp(w + off + 10, g + off + 10, 6)) {
            continue;
        }
        ok &= compare_bytes(name, w, g, off, 16, &rep);
    }
    ok &= compare_bytes("XMM, reserved", w, g, D_OUT + 160, 352, &rep);
    /* FNSTENV: FCW, FSW, full tag word, FIP offset, FOP, FDP. */
    ok &= compare_bytes("env FCW", w, g, D_ENV, 4, &rep);
    if (c->flags & F_TRANS) {
        uint8_t wf[4], gf[4];
        memcpy(wf, w + D_ENV + 4, 4);
        memcpy(gf, g + D_ENV + 4, 4);
        wf[1] &= ~0x02;
        gf[1] &= ~0x02;
        ok &= compare_bytes("env FSW (C1 masked)", wf, gf, 0, 4, &rep);
    } else {
        ok &= compare_bytes("env FSW", w, g, D_ENV + 4, 4, &rep);
    }
    ok &= compare_bytes("env FTW", w, g, D_ENV + 8, 4, &rep);
    uint32_t wfip = env_fip(want, bits32), gfip = env_fip(got, bits32);
    if (wfip != gfip && !quiet) {
        g_test_message("  env FIP: silicon 0x%x emu 0x%x (offset in the code)", wfip, gfip);
        ok = false;
    }
    ok &= compare_bytes("env FOP", w, g, D_ENV + 18, 2, &rep);
    ok &= compare_bytes("env FDP", w, g, D_ENV + 20, 4, &rep);
    ok &= compare_bytes("env FDS upper", w, g, D_ENV + 26, 2, &rep);
    /* Memory the body stored. */
    ok &= compare_bytes("memory", w, g, D_MEM, D_MEM_SIZE, &rep);
    ok &= wfip == gfip;
    if (!ok && !quiet) {
        uint16_t fcw, fsw;
        memcpy(&fcw, in, 2);
        memcpy(&fsw, in + 2, 2);
        g_test_message("  input: FCW %04x FSW %04x FTW %02x", fcw, fsw, in[4]);
        for (unsigned i = 0; i < 8; i++) {
            uint64_t m;
            uint16_t se;
            memcpy(&m, in + 32 + 16 * i, 8);
            memcpy(&se, in + 40 + 16 * i, 2);
            g_test_message("    ST%u %04x:%016" PRIx64 "%s", i, se, m,
                           in[4] >> ((((fsw >> 11) & 7) + i) & 7) & 1 ? "" : " (empty)");
        }
        const uint8_t *mem = in + D_MEM;
        uint32_t f32;
        uint64_t f64;
        memcpy(&f32, mem + M_F32A, 4);
        memcpy(&f64, mem + M_F64A, 8);
        g_test_message("    m32a %08x m64a %016" PRIx64 " flags in 0x%" PRIx64, f32, f64,
                       want->regs.flags);
    }
    return ok;
}

static const char *be_name(TCGBackendKind be)
{
    return be == TCG_BACKEND_TCI ? "tci" : "native";
}

static bool host_ok(void)
{
    if (!x86_native_low()) {
        g_test_skip("the shared low region cannot be mapped here");
        return false;
    }
    return true;
}

static int iterations(void)
{
    const char *s = g_getenv("X87_TEST_ITER");
    return s ? atoi(s) : 300;
}

static void test_cases(TCGBackendKind be, bool bits32)
{
    GRand *r = g_rand_new_with_seed(87);
    static uint8_t data[D_SIZE];
    uint8_t code[128];
    unsigned long runs = 0, failed = 0, retries = 0;
    int iter = iterations();

    if (!host_ok()) {
        return;
    }
    x86_native_emu_begin(be, bits32);
    const char *only = g_getenv("X87_TEST_CASE");
    const char *seed_env = g_getenv("X87_TEST_SEED");
    uint32_t seed = seed_env ? strtoul(seed_env, NULL, 0) : 87;
    for (unsigned k = 0; k < G_N_ELEMENTS(cases); k++) {
        const Case *c = &cases[k];
        if (c->flags & (bits32 ? F_NO32 : F_NO64)) {
            continue;
        }
        if (only && strcmp(only, c->name)) {
            continue;
        }
        size_t len = build(code, c, bits32);
        g_rand_set_seed(r, seed + k);
        for (int it = 0; it < iter; it++) {
            Result want, got;
            bool unmask = (c->flags & F_UNMASK) && g_rand_int_range(r, 0, 4) == 0;

            memset(data, 0, sizeof(data));
            rand_state(r, data + D_IN, unmask, c->flags);
            rand_mem(r, data + D_MEM);
            if (!strncmp(c->name, "fldenv", 6)) {
                /* FLDENV of random bytes: no unmasked flag may become pending. */
                uint16_t cw = 0x37f;
                uint32_t fip = 0x1234;
                memcpy(data + D_MEM + M_I16, &cw, 2);
                memcpy(data + D_MEM + M_I16 + 12, &fip, 4);
            }
            x86_native_regs_random(r, &want.regs);
            want.regs.r[R_EBX] = X86_NATIVE_DATA;
            if (bits32) {
                want.regs.r[R_ESP] = X86_NATIVE_STACK - 256;
                for (int q = 0; q < 8; q++) {
                    want.regs.r[q] = (uint32_t)want.regs.r[q];
                }
            }
            memcpy(want.regs.xmm, data + D_IN + 160, 256);
            got.regs = want.regs;
            X86NativeRegs in = want.regs;
            run_native(&want, code, len, data, bits32);
            run_emu(&got, code, len, data);
            runs++;
            /*
             * A context switch between the host's FXRSTOR and FNSTENV loses
             * FIP/FDP/FOP (AMD saves them only with FSW.ES set): a difference
             * must show up again on a second native run to count.
             */
            for (int again = 0; again < 3 && !compare_results(c, &want, &got, bits32, NULL);
                 again++) {
                want.regs = in;
                run_native(&want, code, len, data, bits32);
                retries++;
            }
            if (!compare_results(c, &want, &got, bits32, data)) {
                g_test_message("^^^ %s (%s, %s, iteration %d)", c->name, be_name(be),
                               bits32 ? "32-bit" : "64-bit", it);
                if (++failed > 20) {
                    g_test_fail();
                    goto out;
                }
                break;
            }
        }
    }
out:
    g_test_message("%lu runs compared with silicon (%s, %s), %lu cases differ, %lu native "
                   "reruns", runs, be_name(be), bits32 ? "32-bit" : "64-bit", failed, retries);
    if (failed) {
        g_test_fail();
    }
    g_rand_free(r);
}

static TCGBackendKind be_of(gconstpointer p)
{
    return (TCGBackendKind)GPOINTER_TO_INT(p);
}

static void test_cases64(gconstpointer p)
{
    test_cases(be_of(p), false);
}

static void test_cases32(gconstpointer p)
{
    test_cases(be_of(p), true);
}

/* ---- one sequence on both sides, for the exception tests ---- */

typedef struct Pair {
    Result want, got;
} Pair;

static bool run_pair(Pair *pr, const uint8_t *code, size_t len, const uint8_t *data,
                     bool bits32, const char *what)
{
    x86_native_regs_random(g_rand_new_with_seed(1), &pr->want.regs);
    pr->want.regs.r[R_EBX] = X86_NATIVE_DATA;
    pr->want.regs.r[R_EAX] = 3;              /* XSAVE masks: x87 and SSE */
    pr->want.regs.r[R_EDX] = 0;
    if (bits32) {
        pr->want.regs.r[R_ESP] = X86_NATIVE_STACK - 256;
        for (int q = 0; q < 8; q++) {
            pr->want.regs.r[q] = (uint32_t)pr->want.regs.r[q];
        }
    }
    pr->got.regs = pr->want.regs;
    run_native(&pr->want, code, len, data, bits32);
    run_emu(&pr->got, code, len, data);
    bool ok = x86_native_compare_fault(what, &pr->want.fault, &pr->got.fault);
    ok &= x86_native_compare(what, &pr->want.regs, &pr->got.regs, 1u << R_ESP | 1u << R_R14,
                             0, false);
    return ok;
}

static void base_state(uint8_t *data, uint16_t fcw)
{
    memset(data, 0, D_SIZE);
    uint32_t mxcsr = 0x1f80;
    memcpy(data + D_IN, &fcw, 2);
    memcpy(data + D_IN + 24, &mxcsr, 4);
}

/*
 * #MF (SDM vol. 1 §8.6): an unmasked exception stays pending through the
 * non-waiting FNSTSW and is raised by the next waiting instruction; the fault
 * points at that instruction.
 */
static void test_mf(gconstpointer p)
{
    static uint8_t data[D_SIZE];
    static const uint8_t code[] = {
        0x48, 0x0f, 0xae, 0x0b,         /* fxrstor64 [rbx] */
        0xd9, 0xe8, 0xd9, 0xee,         /* fld1; fldz */
        0xde, 0xf9,                     /* fdivp: ZE, unmasked */
        0xdf, 0xe0,                     /* fnstsw ax: no wait */
        0xd9, 0xd0,                     /* fnop: waits -> #MF here */
        0xdb, 0xe3,
    };
    static const uint8_t code2[] = {
        0x48, 0x0f, 0xae, 0x0b, 0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9,
        0x9b,                           /* fwait -> #MF */
        0xdb, 0xe3,
    };
    Pair pr;

    if (!host_ok()) {
        return;
    }
    x86_native_emu_begin(be_of(p), false);
    base_state(data, 0x037b);
    g_assert_true(run_pair(&pr, code, sizeof(code), data, false, "#MF at fnop"));
    g_assert_cmpint(pr.got.fault.vector, ==, 16);
    g_assert_cmpuint(pr.got.fault.offset, ==, 12);
    g_assert_cmphex(pr.got.regs.r[R_EAX] & 0xffff, ==, 0xb084);   /* no pop */
    g_assert_true(run_pair(&pr, code2, sizeof(code2), data, false, "#MF at fwait"));
    g_assert_cmpint(pr.got.fault.vector, ==, 16);
    g_assert_cmpuint(pr.got.fault.offset, ==, 10);

    /* FLDCW unmasking a flag that is already set makes it pending (ES). */
    static const uint8_t code3[] = {
        0x48, 0x0f, 0xae, 0x0b, 0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9,   /* masked ZE */
        0xd9, 0xab, (D_MEM + M_CW) & 0xff, (D_MEM + M_CW) >> 8, 0, 0,  /* fldcw: unmask */
        0xdf, 0xe0, 0xd9, 0xd0, 0xdb, 0xe3,                         /* fnstsw ax; fnop */
    };
    base_state(data, 0x037f);
    uint16_t cw = 0x037b;
    memcpy(data + D_MEM + M_CW, &cw, 2);
    g_assert_true(run_pair(&pr, code3, sizeof(code3), data, false, "#MF after fldcw"));
    g_assert_cmpint(pr.got.fault.vector, ==, 16);
    g_assert_cmpuint(pr.got.fault.offset, ==, 18);
    g_assert_cmphex(pr.got.regs.r[R_EAX] & 0xffff, ==, 0xb884);
    base_state(data, 0x037b);

    /* CR0.NE = 0: FERR# instead of #MF; emu logs it and carries on. */
    CPUX86State *env = x86run_env();
    env->cr[0] &= ~CR0_NE_MASK;
    X86NativeRegs regs = pr.want.regs;
    X86NativeFault f;
    x86run_write(X86_NATIVE_DATA, data, D_SIZE);
    x86_native_emu_run(&regs, code2, sizeof(code2), &f);
    env->cr[0] |= CR0_NE_MASK;
    g_assert_cmpint(f.vector, ==, -1);
}

/*
 * #NM (SDM vol. 3 §2.5 Table 2-2): x87 instructions and FXSAVE with CR0.EM or
 * CR0.TS; WAIT only with CR0.TS and CR0.MP. emu only: the host's CR0 is fixed.
 */
static void test_nm(gconstpointer p)
{
    static const uint8_t fld1[] = { 0xd9, 0xe8 };
    static const uint8_t fwait[] = { 0x9b };
    static const uint8_t fxsave[] = { 0x0f, 0xae, 0x03 };
    static const uint8_t fnstsw[] = { 0xdf, 0xe0 };
    static const struct {
        const uint8_t *code;
        size_t len;
        uint64_t cr0;
        int vector;
    } t[] = {
        { fld1, 2, CR0_TS_MASK, 7 }, { fld1, 2, CR0_EM_MASK, 7 },
        { fnstsw, 2, CR0_TS_MASK, 7 }, { fld1, 2, 0, -1 },
        { fwait, 1, CR0_TS_MASK, -1 }, { fwait, 1, CR0_TS_MASK | CR0_MP_MASK, 7 },
        { fwait, 1, CR0_EM_MASK, -1 }, { fwait, 1, CR0_EM_MASK | CR0_MP_MASK, -1 },
        { fxsave, 3, CR0_TS_MASK, 7 }, { fxsave, 3, CR0_EM_MASK, 7 },
    };

    x86_native_emu_begin(be_of(p), false);
    CPUX86State *env = x86run_env();
    uint64_t cr0 = env->cr[0];
    for (unsigned i = 0; i < G_N_ELEMENTS(t); i++) {
        X86NativeRegs regs = { .flags = RFLAGS_FIXED, .mxcsr = 0x1f80 };
        X86NativeFault f;
        regs.r[R_EBX] = X86_NATIVE_DATA;
        env->cr[0] = (cr0 & ~(CR0_TS_MASK | CR0_EM_MASK | CR0_MP_MASK)) | t[i].cr0;
        x86_native_emu_run(&regs, t[i].code, t[i].len, &f);
        g_test_message("case %u: cr0 0x%" PRIx64 " vector %d", i, t[i].cr0, f.vector);
        g_assert_cmpint(f.vector, ==, t[i].vector);
    }
    env->cr[0] = cr0;
}

/* Stack overflow and underflow with IE unmasked: nothing but FSW changes, then #MF. */
static void test_stack_fault_unmasked(gconstpointer p)
{
    static uint8_t data[D_SIZE];
    static const uint8_t over[] = {
        0x48, 0x0f, 0xae, 0x0b,
        0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8,
        0xd9, 0xe8, 0xd9, 0xee,         /* 8 x fld1, fldz: overflow */
        0x48, 0x0f, 0xae, 0x83, D_OUT & 0xff, D_OUT >> 8, 0, 0,
        0xd9, 0xd0,                     /* fnop: #MF */
    };
    static const uint8_t under[] = {
        0x48, 0x0f, 0xae, 0x0b,
        0xd9, 0xe8, 0xde, 0xc1,         /* fld1; faddp: ST1 empty */
        0x48, 0x0f, 0xae, 0x83, D_OUT & 0xff, D_OUT >> 8, 0, 0,
        0xd9, 0xd0,
    };
    Pair pr;
    bool rep = false;

    if (!host_ok()) {
        return;
    }
    x86_native_emu_begin(be_of(p), false);
    base_state(data, 0x037e);
    g_assert_true(run_pair(&pr, over, sizeof(over), data, false, "overflow"));
    g_assert_cmpint(pr.got.fault.vector, ==, 16);
    g_assert_true(compare_bytes("FXSAVE", pr.want.data, pr.got.data, D_OUT, 6, &rep));
    g_assert_true(compare_bytes("ST", pr.want.data, pr.got.data, D_OUT + 32, 128, &rep));
    g_assert_true(run_pair(&pr, under, sizeof(under), data, false, "underflow"));
    g_assert_cmpint(pr.got.fault.vector, ==, 16);
    g_assert_true(compare_bytes("FXSAVE", pr.want.data, pr.got.data, D_OUT, 6, &rep));
    g_assert_true(compare_bytes("ST", pr.want.data, pr.got.data, D_OUT + 32, 128, &rep));
}

/*
 * FXSAVE/FXRSTOR: the 32-bit format (no REX.W) against the host's, #GP(0)
 * for a misaligned operand and for MXCSR reserved bits (SDM vol. 2 FXRSTOR).
 */
static void test_fxsave(gconstpointer p)
{
    static uint8_t data[D_SIZE];
    static const uint8_t fx32[] = {
        0x48, 0x0f, 0xae, 0x0b, 0xd9, 0xeb, 0xd9, 0xe8, 0xdd, MEM(0, M_F64A),
        0x0f, 0xae, 0x83, D_OUT & 0xff, D_OUT >> 8, 0, 0,     /* fxsave (32-bit format) */
        0xdb, 0xe3,
    };
    static const uint8_t misaligned[] = { 0x0f, 0xae, 0x43, 0x08 };    /* fxsave [rbx+8] */
    static const uint8_t rstor_bad[] = { 0x48, 0x0f, 0xae, 0x0b };
    GRand *r = g_rand_new_with_seed(5);
    Pair pr;
    bool rep = false;

    if (!host_ok()) {
        return;
    }
    x86_native_emu_begin(be_of(p), false);
    for (int it = 0; it < 50; it++) {
        memset(data, 0, sizeof(data));
        rand_state(r, data + D_IN, false, 0);
        rand_mem(r, data + D_MEM);
        memset(data + D_OUT, 0xa5, 512);
        g_assert_true(run_pair(&pr, fx32, sizeof(fx32), data, false, "fxsave32"));
        bool ok = compare_bytes("FXSAVE 0-5", pr.want.data, pr.got.data, D_OUT, 6, &rep);
        ok &= compare_bytes("FXSAVE 24-27", pr.want.data, pr.got.data, D_OUT + 24, 4, &rep);
        ok &= compare_bytes("FXSAVE 32-511", pr.want.data, pr.got.data, D_OUT + 32, 480, &rep);
        g_assert_true(ok);
    }
    g_assert_true(run_pair(&pr, misaligned, sizeof(misaligned), data, false, "misaligned"));
    g_assert_cmpint(pr.got.fault.vector, ==, 13);
    base_state(data, 0x37f);
    uint32_t bad = 0x1f80 | 1u << 20;
    memcpy(data + D_IN + 24, &bad, 4);
    g_assert_true(run_pair(&pr, rstor_bad, sizeof(rstor_bad), data, false, "mxcsr"));
    g_assert_cmpint(pr.got.fault.vector, ==, 13);

    /* CR4.OSFXSR = 0: FXSAVE leaves the XMM area alone (emu's choice, SDM: may). */
    CPUX86State *env = x86run_env();
    static const uint8_t fxsave_only[] = { 0x48, 0x0f, 0xae, 0x83, D_OUT & 0xff, D_OUT >> 8,
                                           0, 0 };
    X86NativeRegs regs = pr.want.regs;
    X86NativeFault f;
    uint8_t out[512];
    memset(data + D_OUT, 0xa5, 512);
    x86run_write(X86_NATIVE_DATA, data, D_SIZE);
    env->cr[4] &= ~CR4_OSFXSR_MASK;
    x86_native_emu_run(&regs, fxsave_only, sizeof(fxsave_only), &f);
    env->cr[4] |= CR4_OSFXSR_MASK;
    g_assert_cmpint(f.vector, ==, -1);
    x86run_read(X86_NATIVE_DATA + D_OUT, out, sizeof(out));
    g_assert_cmphex(out[0], ==, 0x7f);
    for (unsigned i = 160; i < 512; i++) {
        g_assert_cmphex(out[i], ==, 0xa5);
    }
    g_rand_free(r);
}

/*
 * A page fault in the middle of an x87 store or save leaves the FPU as it
 * was (the instruction restarts): FSTP m64, FISTP, FBSTP, FNSAVE, FXSAVE to a
 * page beyond x86-run's 4 GiB of mappings, and FLD m80 whose second part is
 * there. emu only: the host has no such page to fault on at will.
 */
static void test_pf(gconstpointer p)
{
    /* rax = 4 GiB - 8 (last mapped bytes), rcx = 4 GiB (unmapped). */
    static const uint8_t pro[] = {
        0x48, 0xb8, 0xf8, 0xff, 0xff, 0xff, 0, 0, 0, 0,     /* mov rax, 0xfffffff8 */
        0x48, 0xb9, 0, 0, 0, 0, 1, 0, 0, 0,                 /* mov rcx, 1 << 32 */
        0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xeb,                 /* fninit; fld1; fldpi */
    };
    static const struct {
        const char *name;
        uint8_t code[4];
        uint8_t len;
    } t[] = {
        { "fstp m64", { 0xdd, 0x19 }, 2 },
        { "fistp m64", { 0xdf, 0x39 }, 2 },
        { "fbstp", { 0xdf, 0x30 }, 2 },             /* [rax]: 8 bytes mapped, 2 not */
        { "fstp m80", { 0xdb, 0x38 }, 2 },
        { "fld m80", { 0xdb, 0x28 }, 2 },
        { "fnsave", { 0xdd, 0x31 }, 2 },
        { "fxsave", { 0x0f, 0xae, 0x01 }, 3 },
        { "fnstenv", { 0xd9, 0x31 }, 2 },
    };

    x86run_init(be_of(p));
    for (unsigned i = 0; i < G_N_ELEMENTS(t); i++) {
        uint8_t code[64];
        memcpy(code, pro, sizeof(pro));
        memcpy(code + sizeof(pro), t[i].code, t[i].len);
        code[sizeof(pro) + t[i].len] = 0xf4;
        x86run_setup(X86RUN_LONG);
        x86run_write(X86RUN_CODE, code, sizeof(pro) + t[i].len + 1);
        X86RunResult r = x86run_exec(X86RUN_CODE, 100);
        CPUX86State *env = x86run_env();
        g_autofree char *d = x86run_describe(&r);
        g_test_message("%s: %s", t[i].name, d);
        g_assert_cmpint(r.stop, ==, X86RUN_EXCEPTION);
        g_assert_cmpint(r.vector, ==, 14);
        g_assert_cmphex(r.frame_rip, ==, X86RUN_CODE + sizeof(pro));
        /* Still two values, pi on top, FCW untouched, no flags. */
        uint16_t fcw = env->xsave_area[0] | env->xsave_area[1] << 8;
        uint16_t fsw = env->xsave_area[2] | env->xsave_area[3] << 8;
        g_assert_cmphex(fcw, ==, 0x037f);
        g_assert_cmphex(fsw, ==, 6 << 11);
        g_assert_cmphex(env->xsave_area[4], ==, 0xc0);
        g_assert_cmphex(env->xsave_area[32 + 9], ==, 0x40);        /* pi: 4000:c90f... */
        g_assert_cmphex(env->xsave_area[48 + 9], ==, 0x3f);        /* 1.0: 3fff:8000... */
    }
}

static bool host_xsave(void)
{
    uint32_t a, b, c, d;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    return (c >> 27) & 1;       /* OSXSAVE */
}

/*
 * XSAVE, XSAVEC, XRSTOR with RFBM = 3 against the host (SDM vol. 1 ch. 13):
 * the legacy region and header; emu sets XSTATE_BV for every requested
 * component (no init tracking), the host may clear a bit for a component in
 * its initial state, so emu's bits must include the host's.
 */
static void test_xsave(gconstpointer p)
{
    static uint8_t data[D_SIZE];
#define XS(op, reg) 0x48, 0x0f, op, (0x80 | (reg) << 3 | 3), D_XSAVE & 0xff, D_XSAVE >> 8, 0, 0
    static const uint8_t xsave[] = {
        0x48, 0x0f, 0xae, 0x0b, 0xd9, 0xeb, 0xd9, 0xe8, 0xdd, MEM(0, M_F64A),
        XS(0xae, 4), 0xdb, 0xe3,                                /* xsave64 */
    };
    static const uint8_t xsavec[] = {
        0x48, 0x0f, 0xae, 0x0b, 0xd9, 0xeb, 0xd9, 0xe8,
        XS(0xc7, 4), 0xdb, 0xe3,                                /* xsavec64 */
    };
    static const uint8_t xrstor[] = {
        XS(0xae, 5),                                            /* xrstor64 */
        0x48, 0x0f, 0xae, 0x83, D_OUT & 0xff, D_OUT >> 8, 0, 0, 0xdb, 0xe3,
    };
    GRand *r = g_rand_new_with_seed(6);
    Pair pr;
    bool rep = false;

    if (!host_ok()) {
        return;
    }
    if (!host_xsave()) {
        g_test_skip("the host has no XSAVE enabled");
        return;
    }
    x86_native_emu_begin(be_of(p), false);
    CPUX86State *env = x86run_env();
    env->cr[4] |= CR4_OSXSAVE_MASK;
    env->xcr0 = 3;
    for (int it = 0; it < 40; it++) {
        const uint8_t *code = it & 1 ? xsavec : xsave;
        size_t len = it & 1 ? sizeof(xsavec) : sizeof(xsave);
        memset(data, 0, sizeof(data));
        rand_state(r, data + D_IN, false, 0);
        rand_mem(r, data + D_MEM);
        memset(data + D_XSAVE, 0x5a, 512);
        memset(data + D_XSAVE + 512, 0, 64);
        g_assert_true(run_pair(&pr, code, len, data, false, it & 1 ? "xsavec" : "xsave"));
        const uint8_t *w = pr.want.data + D_XSAVE, *g = pr.got.data + D_XSAVE;
        bool ok = compare_bytes("legacy 0-5", w, g, 0, 6, &rep);
        ok &= compare_bytes("legacy 24-27", w, g, 24, 4, &rep);
        ok &= compare_bytes("legacy 32-511", w, g, 32, 480, &rep);
        uint64_t wbv, gbv;
        memcpy(&wbv, w + 512, 8);
        memcpy(&gbv, g + 512, 8);
        if ((wbv & ~gbv) || (gbv & ~3)) {
            g_test_message("XSTATE_BV: silicon 0x%" PRIx64 " emu 0x%" PRIx64, wbv, gbv);
            ok = false;
        }
        ok &= compare_bytes("XCOMP_BV..", w, g, 520, 56, &rep);
        g_assert_true(ok);
    }

    /* XRSTOR: a standard image, then with XSTATE_BV = 0 (initial state). */
    for (int it = 0; it < 20; it++) {
        uint64_t bv = it < 10 ? 3 : it < 15 ? 0 : 1;
        memset(data, 0, sizeof(data));
        rand_state(r, data + D_XSAVE, false, 0);
        memcpy(data + D_XSAVE + 512, &bv, 8);
        g_assert_true(run_pair(&pr, xrstor, sizeof(xrstor), data, false, "xrstor"));
        g_assert_cmpint(pr.got.fault.vector, ==, -1);
        bool ok = compare_bytes("state 0-5", pr.want.data, pr.got.data, D_OUT, 6, &rep);
        ok &= compare_bytes("state 24-27", pr.want.data, pr.got.data, D_OUT + 24, 4, &rep);
        ok &= compare_bytes("state 32-415", pr.want.data, pr.got.data, D_OUT + 32, 384, &rep);
        g_assert_true(ok);
    }

    /* XSAVEC, FNINIT, XRSTOR of the compacted image: the state comes back. */
    static const uint8_t roundtrip[] = {
        0x48, 0x0f, 0xae, 0x0b, XS(0xc7, 4), 0xdb, 0xe3, XS(0xae, 5),
        0x48, 0x0f, 0xae, 0x83, D_OUT & 0xff, D_OUT >> 8, 0, 0, 0xdb, 0xe3,
    };
    for (int it = 0; it < 10; it++) {
        memset(data, 0, sizeof(data));
        rand_state(r, data + D_IN, false, 0);
        g_assert_true(run_pair(&pr, roundtrip, sizeof(roundtrip), data, false, "xsavec+xrstor"));
        bool ok = compare_bytes("state 0-5", pr.want.data, pr.got.data, D_OUT, 6, &rep);
        ok &= compare_bytes("state 32-415", pr.want.data, pr.got.data, D_OUT + 32, 384, &rep);
        ok &= !memcmp(pr.got.data + D_OUT + 32, data + D_IN + 32, 384);
        g_assert_true(ok);
    }

    /* #GP(0): reserved header bytes, XSTATE_BV outside XCR0, bad MXCSR, misaligned. */
    static const struct {
        unsigned off;
        uint64_t val;
    } bad[] = { { 512, 1ull << 9 }, { 520, 1 }, { 528, 1 }, { 24, 1u << 20 } };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        uint64_t bv = 3;
        memset(data, 0, sizeof(data));
        rand_state(r, data + D_XSAVE, false, 0);
        memcpy(data + D_XSAVE + 512, &bv, 8);
        memcpy(data + D_XSAVE + bad[i].off, &bad[i].val, bad[i].off == 24 ? 4 : 8);
        g_assert_true(run_pair(&pr, xrstor, sizeof(xrstor), data, false, "xrstor #GP"));
        g_test_message("bad header %u: vector %d", i, pr.got.fault.vector);
        g_assert_cmpint(pr.got.fault.vector, ==, 13);
    }
    static const uint8_t mis[] = { 0x0f, 0xae, 0x63, 0x10 };       /* xsave [rbx+16] */
    g_assert_true(run_pair(&pr, mis, sizeof(mis), data, false, "xsave misaligned"));
    g_assert_cmpint(pr.got.fault.vector, ==, 13);

    /* Without CR4.OSXSAVE: #UD (emu only). */
    env->cr[4] &= ~CR4_OSXSAVE_MASK;
    X86NativeRegs regs = pr.want.regs;
    X86NativeFault f;
    static const uint8_t xsave_only[] = { XS(0xae, 4) };
    x86_native_emu_run(&regs, xsave_only, sizeof(xsave_only), &f);
    g_assert_cmpint(f.vector, ==, 6);
    g_rand_free(r);
#undef XS
}

/*
 * The real-mode environment formats (SDM vol. 1 Figures 8-10, 8-12): 20-bit
 * linear FIP/FDP split around FOP. emu only (the host cannot run real mode):
 * the expected bytes are the manual's layout.
 */
static void test_real_env(gconstpointer p)
{
    /* At 0x1000:0x0100 (linear 0x10100), DS = 0x2000. */
    static const uint8_t code[] = {
        0xb8, 0x00, 0x20, 0x8e, 0xd8,               /* mov ax, 0x2000; mov ds, ax */
        0xdb, 0xe3,                                 /* fninit */
        0xdd, 0x06, 0x34, 0x12,                     /* fld qword [0x1234] */
        0xd9, 0x36, 0x00, 0x03,                     /* fnstenv [0x300] (14 bytes) */
        0x66, 0xd9, 0x36, 0x00, 0x04,               /* o32 fnstenv [0x400] (28 bytes) */
        0xd9, 0xe8,                                 /* fld1 */
        0x66, 0xd9, 0x26, 0x00, 0x04,               /* o32 fldenv [0x400] */
        0x66, 0xd9, 0x36, 0x00, 0x05,               /* o32 fnstenv [0x500] */
        0xf4,
    };
    uint8_t e16[14], e32[28], e32b[28];

    x86run_init(be_of(p));
    x86run_setup(X86RUN_REAL);
    CPUX86State *env = x86run_env();
    env->segs[R_CS].selector = 0x1000;
    env->segs[R_CS].base = 0x10000;
    x86run_write(0x10100, code, sizeof(code));
    x86_update_hflags(env);
    X86RunResult r = x86run_exec(0x100, 100);
    g_autofree char *d = x86run_describe(&r);
    g_test_message("%s", d);
    g_assert_cmpint(r.stop, ==, X86RUN_HALT);
    x86run_read(0x20300, e16, sizeof(e16));
    x86run_read(0x20400, e32, sizeof(e32));
    x86run_read(0x20500, e32b, sizeof(e32b));

    /* FIP = 0x10107 (fld), FOP = 0x506 (DD 06), FDP = 0x21234, TOP = 7, ST0 valid. */
    static const uint8_t want16[14] = {
        0x7f, 0x03, 0x00, 0x38, 0xff, 0x7f, 0x07, 0x01, 0x06, 0x15, 0x34, 0x12, 0x00, 0x20,
    };
    static const uint8_t want32[28] = {
        0x7f, 0x03, 0xff, 0xff, 0x00, 0x38, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff,
        0x07, 0x01, 0xff, 0xff, 0x06, 0x15, 0x00, 0x00, 0x34, 0x12, 0xff, 0xff,
        0x00, 0x20, 0x00, 0x00,
    };
    bool rep = false;
    /* The 14-byte image was stored before FNSTENV masked the exceptions: FCW 037f either way. */
    g_assert_true(compare_bytes("real 16-bit env", want16, e16, 0, 14, &rep));
    g_assert_true(compare_bytes("real 32-bit env", want32, e32, 0, 28, &rep));
    /* FLDENV of that image then FNSTENV: the same bytes (FLD1 is undone except its registers). */
    g_assert_true(compare_bytes("real 32-bit env round trip", want32, e32b, 0, 28, &rep));
}

/*
 * MMX entry (the "sse" helper's MMX instructions): TOP 0, tags valid, MMn =
 * physical register n, exponent ones after a write. Against the host with
 * MOVQ MM2, MM2; skipped while emu has no MMX MOVQ.
 */
static void test_mmx(gconstpointer p)
{
    static uint8_t data[D_SIZE];
    static const uint8_t code[] = {
        0x48, 0x0f, 0xae, 0x0b,
        0x0f, 0x6f, 0xd2,                           /* movq mm2, mm2 */
        0x48, 0x0f, 0xae, 0x83, D_OUT & 0xff, D_OUT >> 8, 0, 0,
        0x0f, 0x77,                                 /* emms */
        0xd9, 0xb3, D_ENV & 0xff, D_ENV >> 8, 0, 0,
        0xdb, 0xe3,
    };
    GRand *r = g_rand_new_with_seed(7);
    Pair pr;
    bool rep = false;

    if (!host_ok()) {
        return;
    }
    x86_native_emu_begin(be_of(p), false);
    for (int it = 0; it < 20; it++) {
        memset(data, 0, sizeof(data));
        rand_state(r, data + D_IN, false, 0);
        run_pair(&pr, code, sizeof(code), data, false, "mmx");
        if (pr.got.fault.vector == 6) {
            g_test_skip("emu has no MMX MOVQ yet");
            break;
        }
        bool ok = compare_bytes("FXSAVE", pr.want.data, pr.got.data, D_OUT, 6, &rep);
        ok &= compare_bytes("ST/MM", pr.want.data, pr.got.data, D_OUT + 32, 128, &rep);
        ok &= compare_bytes("env after EMMS", pr.want.data, pr.got.data, D_ENV, 12, &rep);
        g_assert_true(ok);
    }
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    TCGBackendKind bes[2];
    int nb;

    g_test_init(&argc, &argv, NULL);
    nb = x86run_backends(bes);
    for (int i = 0; i < nb; i++) {
        const char *n = be_name(bes[i]);
        gconstpointer be = GINT_TO_POINTER(bes[i]);
        char path[96];
#define ADD(name, fn) \
        snprintf(path, sizeof(path), "/x86-x87/%s/%s", n, name); \
        g_test_add_data_func(path, be, fn)
        ADD("cases-64", test_cases64);
        ADD("cases-32", test_cases32);
        ADD("mf", test_mf);
        ADD("nm", test_nm);
        ADD("stack-fault-unmasked", test_stack_fault_unmasked);
        ADD("fxsave", test_fxsave);
        ADD("page-fault", test_pf);
        ADD("xsave", test_xsave);
        ADD("real-env", test_real_env);
        ADD("mmx", test_mmx);
#undef ADD
    }
    return g_test_run();
}
