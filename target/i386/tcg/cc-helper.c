/*
 * Lazy flags: computing the arithmetic flags from the last flag-setting
 * operation (CCOp in target/i386/cpu.h), the multi-flag rotate and double
 * shift operations, and the mode bits the translator keys TBs on.
 *
 * Flag definitions: SDM vol. 1 §3.4.3.1 and appendix A, and each
 * instruction's "Flags Affected" section in vol. 2. Flags the SDM calls
 * undefined get QEMU-compatible values here; tests/unit/test-x86-flags.c
 * checks every defined flag against this host's silicon.
 */
#include "util/osdep.h"
#include "target/i386/cpu.h"
#include "target/i386/tcg/tcg-internal.h"
#include "target/i386/tcg/helper.h"

static inline uint32_t parity_flag(uint64_t v)
{
    /* PF: set when the low byte has an even number of 1 bits. */
    return __builtin_parity((unsigned)(v & 0xff)) ? 0 : RFLAGS_PF;
}

static inline uint32_t zs_flags(uint64_t dst, uint64_t mask, uint64_t sign)
{
    return ((dst & mask) == 0 ? RFLAGS_ZF : 0) | ((dst & sign) ? RFLAGS_SF : 0);
}

uint32_t x86_cc_compute_all(uint32_t cc_op, uint64_t dst, uint64_t src, uint64_t src2,
                            uint64_t rflags)
{
    if (cc_op == CC_OP_EFLAGS || cc_op >= CC_OP_NB) {
        return rflags & RFLAGS_ARITH;
    }
    unsigned bits = 8u << CC_OP_SIZE(cc_op);
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    uint64_t sign = 1ull << (bits - 1);
    uint64_t src1;
    uint32_t cf = 0, of = 0, af = 0;

    dst &= mask;
    src &= mask;
    switch (CC_OP_KIND(cc_op)) {
    case CC_OP_ADDB:
        src1 = (dst - src) & mask;
        cf = dst < src;
        af = (dst ^ src ^ src1) & 0x10;
        of = ((~(src1 ^ src) & (src1 ^ dst)) & sign) != 0;
        break;
    case CC_OP_ADCB:
        src1 = (dst - src - (src2 & 1)) & mask;
        cf = (src2 & 1) ? dst <= src : dst < src;
        af = (dst ^ src ^ src1) & 0x10;
        of = ((~(src1 ^ src) & (src1 ^ dst)) & sign) != 0;
        break;
    case CC_OP_SUBB:
        src1 = (dst + src) & mask;
        cf = src1 < src;
        af = (dst ^ src ^ src1) & 0x10;
        of = (((src1 ^ src) & (src1 ^ dst)) & sign) != 0;
        break;
    case CC_OP_SBBB:
        src1 = (dst + src + (src2 & 1)) & mask;
        cf = (src2 & 1) ? src1 <= src : src1 < src;
        af = (dst ^ src ^ src1) & 0x10;
        of = (((src1 ^ src) & (src1 ^ dst)) & sign) != 0;
        break;
    case CC_OP_LOGICB:
        break;
    case CC_OP_INCB:
        cf = src & 1;
        af = (dst ^ ((dst - 1) & mask) ^ 1) & 0x10;
        of = dst == sign;
        break;
    case CC_OP_DECB:
        cf = src & 1;
        af = (dst ^ ((dst + 1) & mask) ^ 1) & 0x10;
        of = dst == sign - 1;
        break;
    case CC_OP_SHLB:
        cf = (src >> (bits - 1)) & 1;
        of = ((dst ^ src) & sign) != 0;
        break;
    case CC_OP_SARB:
        cf = src & 1;
        of = ((dst ^ src) & sign) != 0;
        break;
    case CC_OP_MULB:
        cf = of = src != 0;
        break;
    case CC_OP_TZCNTB:
        return (src == 0 ? RFLAGS_CF : 0) | (dst == 0 ? RFLAGS_ZF : 0);
    case CC_OP_POPCNTB:
        return dst == 0 ? RFLAGS_ZF : 0;
    default:
        g_assert_not_reached();
    }
    return (cf ? RFLAGS_CF : 0) | parity_flag(dst) | (af ? RFLAGS_AF : 0) |
           zs_flags(dst, mask, sign) | (of ? RFLAGS_OF : 0);
}

uint64_t x86_cpu_get_rflags(const CPUX86State *env)
{
    return (env->rflags & ~(uint64_t)RFLAGS_ARITH) |
           x86_cc_compute_all(env->cc_op, env->cc_dst, env->cc_src, env->cc_src2,
                              env->rflags) | RFLAGS_FIXED;
}

void x86_cpu_set_rflags(CPUX86State *env, uint64_t rflags)
{
    env->rflags = rflags | RFLAGS_FIXED;
    env->cc_op = CC_OP_EFLAGS;
}

uint64_t x86_rotate(unsigned kind, unsigned size, uint64_t val, unsigned count,
                    uint32_t *flags)
{
    unsigned bits = 8u << size;
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    uint64_t sign = 1ull << (bits - 1);
    unsigned mcount = count & (bits == 64 ? 0x3f : 0x1f);
    uint32_t f = *flags;
    uint64_t r = val & mask;
    unsigned cf = f & RFLAGS_CF, of;

    /* SDM vol. 2 RCL/RCR/ROL/ROR: a masked count of 0 changes nothing. */
    if (mcount == 0) {
        return r;
    }
    switch (kind) {
    case X86_ROT_ROL: {
        unsigned n = mcount % bits;
        if (n) {
            r = ((r << n) | (r >> (bits - n))) & mask;
        }
        cf = r & 1;
        of = ((r & sign) != 0) ^ cf;
        break;
    }
    case X86_ROT_ROR: {
        unsigned n = mcount % bits;
        if (n) {
            r = ((r >> n) | (r << (bits - n))) & mask;
        }
        cf = (r & sign) != 0;
        of = cf ^ ((r >> (bits - 2)) & 1);
        break;
    }
    case X86_ROT_RCL: {
        unsigned n = bits < 32 ? mcount % (bits + 1) : mcount;
        while (n--) {
            unsigned tcf = (r & sign) != 0;
            r = ((r << 1) | cf) & mask;
            cf = tcf;
        }
        of = ((r & sign) != 0) ^ cf;
        break;
    }
    case X86_ROT_RCR: {
        unsigned n = bits < 32 ? mcount % (bits + 1) : mcount;
        of = ((r & sign) != 0) ^ cf;
        while (n--) {
            unsigned tcf = r & 1;
            r = (r >> 1) | (cf ? sign : 0);
            cf = tcf;
        }
        break;
    }
    default:
        g_assert_not_reached();
    }
    f &= ~(RFLAGS_CF | RFLAGS_OF);
    f |= (cf ? RFLAGS_CF : 0) | (of ? RFLAGS_OF : 0);
    *flags = f;
    return r;
}

uint64_t x86_shift_double(bool right, unsigned size, uint64_t dst, uint64_t src,
                          unsigned count, uint32_t *flags)
{
    unsigned bits = 8u << size;
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    uint64_t sign = 1ull << (bits - 1);
    unsigned n = count & (bits == 64 ? 0x3f : 0x1f);
    uint64_t r;
    unsigned cf;

    dst &= mask;
    src &= mask;
    if (n == 0) {
        return dst;
    }
    if (bits == 16 && n > 16) {
        /* SDM: result and flags undefined; emu shifts dst:src:dst (48 bits). */
        uint64_t wide = right ? (dst | src << 16 | dst << 32) : (dst << 32 | src << 16 | dst);
        if (right) {
            r = (wide >> n) & mask;
            cf = (wide >> (n - 1)) & 1;
        } else {
            r = (wide << n >> 32) & mask;
            cf = (wide >> (48 - n)) & 1;
        }
    } else if (right) {
        r = n == bits ? src : ((dst >> n) | (src << (bits - n))) & mask;
        cf = (dst >> (n - 1)) & 1;
    } else {
        r = n == bits ? src : ((dst << n) | (src >> (bits - n))) & mask;
        cf = (dst >> (bits - n)) & 1;
    }
    /* OF: sign change (defined for a count of 1). AF: undefined, 0. */
    unsigned of = ((r ^ dst) & sign) != 0;
    *flags = (*flags & ~(uint32_t)RFLAGS_ARITH) | (cf ? RFLAGS_CF : 0) | parity_flag(r) |
             zs_flags(r, mask, sign) | (of ? RFLAGS_OF : 0);
    return r;
}

void x86_update_hflags(CPUX86State *env)
{
    env->hflags = x86_compute_hflags(env);
}

/* ---- helpers called from generated code (helper.h) ---- */

uint64_t helper_cc_compute_all(uint32_t cc_op, uint64_t dst, uint64_t src, uint64_t src2,
                               uint64_t rflags)
{
    return x86_cc_compute_all(cc_op, dst, src, src2, rflags);
}

uint64_t helper_rotate_val(uint64_t val, uint64_t count, uint32_t ks, uint64_t rflags)
{
    uint32_t f = rflags & RFLAGS_ARITH;
    return x86_rotate(ks >> 2, ks & 3, val, count & 0xff, &f);
}

uint64_t helper_rotate_flags(uint64_t val, uint64_t count, uint32_t ks, uint64_t rflags)
{
    uint32_t f = rflags & RFLAGS_ARITH;
    x86_rotate(ks >> 2, ks & 3, val, count & 0xff, &f);
    return (rflags & ~(uint64_t)RFLAGS_ARITH) | f;
}

uint64_t helper_shiftd_val(uint64_t dst, uint64_t src, uint64_t count, uint32_t ks,
                           uint64_t rflags)
{
    uint32_t f = rflags & RFLAGS_ARITH;
    return x86_shift_double(ks >> 2, ks & 3, dst, src, count & 0xff, &f);
}

uint64_t helper_shiftd_flags(uint64_t dst, uint64_t src, uint64_t count, uint32_t ks,
                             uint64_t rflags)
{
    uint32_t f = rflags & RFLAGS_ARITH;
    x86_shift_double(ks >> 2, ks & 3, dst, src, count & 0xff, &f);
    return (rflags & ~(uint64_t)RFLAGS_ARITH) | f;
}
