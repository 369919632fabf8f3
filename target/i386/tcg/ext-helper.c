/*
 * Helpers for translate-ext.c: CRC32, PDEP/PEXT, RDRAND/RDSEED and the BCD
 * adjustments (SDM vol. 2 instruction pages, "Operation" sections).
 */
#include "util/osdep.h"
#include "target/i386/tcg/tcg-internal.h"
#include "target/i386/tcg/helper.h"
#include <sys/random.h>

/*
 * CRC32 computes CRC-32C (polynomial 11EDC6F41H) on bit-reflected data without
 * the usual pre/post inversion (SDM CRC32, "Bit Reflection" and "Operation"):
 * with the reflected polynomial 82F63B78H that is the plain LSB-first update.
 */
#define CRC32C_POLY_REFLECTED 0x82f63b78u

static uint32_t crc32c_table[256];

static void __attribute__((constructor)) crc32c_init(void)
{
    for (unsigned i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (CRC32C_POLY_REFLECTED & -(c & 1));
        }
        crc32c_table[i] = c;
    }
}

uint64_t helper_crc32c(uint64_t crc, uint64_t val, uint32_t bits)
{
    uint32_t c = crc;
    for (unsigned i = 0; i < bits; i += 8) {
        c = (c >> 8) ^ crc32c_table[(c ^ (val >> i)) & 0xff];
    }
    return c;
}

/* PDEP: the low bits of @src go, in order, to the set bits of @mask (SDM PDEP). */
uint64_t helper_pdep(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;
    for (uint64_t bit = 1; mask; bit <<= 1) {
        if (src & bit) {
            r |= mask & -mask;
        }
        mask &= mask - 1;
    }
    return r;
}

/* PEXT: the bits of @src under the set bits of @mask, packed at the bottom (SDM PEXT). */
uint64_t helper_pext(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;
    for (uint64_t bit = 1; mask; bit <<= 1) {
        if (src & mask & -mask) {
            r |= bit;
        }
        mask &= mask - 1;
    }
    return r;
}

/*
 * RDRAND/RDSEED (SDM RDRAND, RDSEED): CF = 1 with a random value, or CF = 0 and
 * a zero destination when none is available; OF, SF, ZF, AF, PF are cleared.
 * Both come from the host's getrandom(), which never blocks here.
 */
uint64_t helper_rdrand(CPUX86State *env, uint32_t size)
{
    uint64_t v = 0;
    bool ok = getrandom(&v, size, GRND_NONBLOCK) == (ssize_t)size;

    env->rflags &= ~(uint64_t)RFLAGS_ARITH;
    if (ok) {
        env->rflags |= RFLAGS_CF;
    } else {
        v = 0;
    }
    return v;
}

static uint32_t szp_flags(uint8_t v)
{
    return (v == 0 ? RFLAGS_ZF : 0) | (v & 0x80 ? RFLAGS_SF : 0) |
           (__builtin_parity(v) ? 0 : RFLAGS_PF);
}

/*
 * Decimal adjustments on AL/AH (SDM DAA, DAS, AAA, AAS, AAM, AAD "Operation").
 * Flags the SDM leaves undefined: OF = 0 for DAA/DAS; for AAA/AAS SF/ZF/PF
 * describe AL and OF = 0; for AAM/AAD CF = AF = OF = 0.
 */
void helper_bcd(CPUX86State *env, uint32_t op, uint32_t imm)
{
    uint64_t rax = env->regs[R_EAX];
    unsigned al = rax & 0xff, ah = (rax >> 8) & 0xff;
    uint32_t f = env->rflags & RFLAGS_ARITH;
    bool cf = f & RFLAGS_CF, af = f & RFLAGS_AF;
    unsigned old_al = al;
    uint32_t nf = 0;

    switch (op) {
    case X86_BCD_DAA: {
        bool ncf = false;
        if ((al & 0x0f) > 9 || af) {
            ncf = cf || al + 6 > 0xff;
            al = (al + 6) & 0xff;
            nf |= RFLAGS_AF;
        }
        if (old_al > 0x99 || cf) {
            al = (al + 0x60) & 0xff;
            ncf = true;
        } else {
            ncf = false;
        }
        nf |= (ncf ? RFLAGS_CF : 0) | szp_flags(al);
        break;
    }
    case X86_BCD_DAS: {
        bool ncf = false;
        if ((al & 0x0f) > 9 || af) {
            ncf = cf || al < 6;
            al = (al - 6) & 0xff;
            nf |= RFLAGS_AF;
        }
        if (old_al > 0x99 || cf) {
            al = (al - 0x60) & 0xff;
            ncf = true;
        }
        nf |= (ncf ? RFLAGS_CF : 0) | szp_flags(al);
        break;
    }
    case X86_BCD_AAA:
    case X86_BCD_AAS: {
        unsigned ax = ah << 8 | al;
        if ((al & 0x0f) > 9 || af) {
            /* AAA: AX += 106H; AAS: AX -= 6, AH -= 1. */
            ax = op == X86_BCD_AAA ? ax + 0x106 : ax - 6 - 0x100;
            nf |= RFLAGS_AF | RFLAGS_CF;
        }
        al = ax & 0x0f;
        ah = (ax >> 8) & 0xff;
        nf |= szp_flags(al);
        break;
    }
    case X86_BCD_AAM:
        if ((imm & 0xff) == 0) {
            x86_raise_exception(env, EXCP00_DIVZ, GETPC());
        }
        ah = al / (imm & 0xff);
        al = al % (imm & 0xff);
        nf = szp_flags(al);
        break;
    default: /* AAD */
        al = (al + ah * (imm & 0xff)) & 0xff;
        ah = 0;
        nf = szp_flags(al);
        break;
    }
    if (op == X86_BCD_DAA || op == X86_BCD_DAS) {
        env->regs[R_EAX] = (rax & ~0xffull) | al;
    } else {
        env->regs[R_EAX] = (rax & ~0xffffull) | ah << 8 | al;
    }
    env->rflags = (env->rflags & ~(uint64_t)RFLAGS_ARITH) | nf;
}
