/*
 * SSE4.2 packed string compares: PCMPESTRI, PCMPESTRM, PCMPISTRI, PCMPISTRM
 * (SDM vol. 2 §4.1 "Imm8 control byte operation for PCMPESTRI / PCMPESTRM /
 * PCMPISTRI / PCMPISTRM" and the instruction pages).
 *
 * Terms as in the SDM: src1 is the register operand (xmm1), src2 the
 * xmm2/m128 operand; BoolRes[i][j] compares src1 element i with src2 element
 * j; IntRes1 aggregates, IntRes2 applies the polarity.
 */
#include "util/osdep.h"
#include "target/i386/tcg/sse-internal.h"
#include "target/i386/tcg/helper.h"

/* Element @i of @v in the imm8[1:0] format (unsigned/signed bytes/words). */
static int str_elem(const X86Vec *v, unsigned ctl, unsigned i)
{
    switch (ctl & 3) {
    case 0: return v->b[i];
    case 1: return v->w[i];
    case 2: return v->sb[i];
    default: return v->sw[i];
    }
}

static unsigned implicit_len(const X86Vec *v, unsigned ctl, unsigned n)
{
    unsigned i;
    for (i = 0; i < n && str_elem(v, ctl, i) != 0; i++) {
    }
    return i;
}

/* Explicit lengths: |EAX|/|EDX| (RAX/RDX with REX.W), saturated to n. */
static unsigned explicit_len(uint64_t reg, bool w, unsigned n)
{
    uint64_t mag;
    if (w) {
        mag = (int64_t)reg < 0 ? -reg : reg;
    } else {
        mag = (int32_t)reg < 0 ? -(uint64_t)(int32_t)reg : (uint32_t)reg;
    }
    return mag > n ? n : (unsigned)mag;
}

/*
 * IntRes2 of the comparison; *flags gets CF, ZF, SF, OF (AF = PF = 0).
 */
static unsigned pcmpstr(const X86Vec *s1, const X86Vec *s2, unsigned ctl, unsigned len1,
                        unsigned len2, uint64_t *flags)
{
    unsigned n = (ctl & 1) ? 8 : 16;
    unsigned agg = (ctl >> 2) & 3;
    bool bres[16][16];
    unsigned res1 = 0, res2, all = (1u << n) - 1;

    /* BoolRes with the overrides of SDM table 4-7 for invalid elements. */
    for (unsigned i = 0; i < n; i++) {
        for (unsigned j = 0; j < n; j++) {
            bool v1 = i < len1, v2 = j < len2;
            bool r;
            if (v1 && v2) {
                int a = str_elem(s1, ctl, i), b = str_elem(s2, ctl, j);
                if (agg == 1) {
                    r = (i & 1) ? b <= a : b >= a;     /* ranges: [lo, hi] pairs */
                } else {
                    r = a == b;
                }
            } else if (!v1 && !v2) {
                r = agg >= 2;               /* equal each / ordered: true */
            } else if (!v1) {
                r = agg == 3;               /* ordered: an invalid needle matches */
            } else {
                r = false;
            }
            bres[i][j] = r;
        }
    }

    switch (agg) {
    case 0:     /* equal any: src2[j] is one of src1's elements */
        for (unsigned j = 0; j < n; j++) {
            for (unsigned i = 0; i < n; i++) {
                if (bres[i][j]) {
                    res1 |= 1u << j;
                }
            }
        }
        break;
    case 1:     /* ranges: src2[j] lies in one of src1's [lo, hi] pairs */
        for (unsigned j = 0; j < n; j++) {
            for (unsigned i = 0; i < n; i += 2) {
                if (bres[i][j] && bres[i + 1][j]) {
                    res1 |= 1u << j;
                }
            }
        }
        break;
    case 2:     /* equal each */
        for (unsigned i = 0; i < n; i++) {
            if (bres[i][i]) {
                res1 |= 1u << i;
            }
        }
        break;
    default:    /* equal ordered: src1 found at src2[j] (within the register) */
        for (unsigned j = 0; j < n; j++) {
            bool m = true;
            for (unsigned i = 0; i + j < n; i++) {
                m &= bres[i][i + j];
            }
            if (m) {
                res1 |= 1u << j;
            }
        }
        break;
    }

    switch ((ctl >> 4) & 3) {
    case 1:     /* negative */
        res2 = ~res1 & all;
        break;
    case 3:     /* masked negative: only the valid elements of src2 */
        res2 = res1 ^ ((1u << len2) - 1);
        break;
    default:
        res2 = res1;
        break;
    }

    *flags = (res2 ? RFLAGS_CF : 0) | (len2 < n ? RFLAGS_ZF : 0) |
             (len1 < n ? RFLAGS_SF : 0) | ((res2 & 1) ? RFLAGS_OF : 0);
    return res2;
}

/* Index result: flags | ECX << 32 (ECX = n when nothing matched). */
static uint64_t str_index(unsigned res2, unsigned ctl, uint64_t flags)
{
    unsigned n = (ctl & 1) ? 8 : 16, idx;
    if (!res2) {
        idx = n;
    } else if (ctl & 0x40) {
        idx = 31 - __builtin_clz(res2);
    } else {
        idx = __builtin_ctz(res2);
    }
    return flags | (uint64_t)idx << 32;
}

/* Mask result in XMM0: the bits, or each bit widened to its byte/word. */
static void str_mask(CPUX86State *env, unsigned res2, unsigned ctl)
{
    X86Vec r = { 0 };
    if (!(ctl & 0x40)) {
        r.q[0] = res2;
    } else if (ctl & 1) {
        for (unsigned i = 0; i < 8; i++) {
            r.w[i] = (res2 >> i) & 1 ? 0xffff : 0;
        }
    } else {
        for (unsigned i = 0; i < 16; i++) {
            r.b[i] = (res2 >> i) & 1 ? 0xff : 0;
        }
    }
    *SSE_XMM(env, 0) = r;
}

/* ctl = imm8 | REX.W << 8 for the explicit-length forms. */
uint64_t helper_pcmpestri(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t ctl,
                          uint64_t rax, uint64_t rdx)
{
    unsigned n = (ctl & 1) ? 8 : 16;
    uint64_t flags;
    unsigned r = pcmpstr(sse_vec(env, doff), sse_vec(env, soff), ctl,
                         explicit_len(rax, ctl & 0x100, n), explicit_len(rdx, ctl & 0x100, n),
                         &flags);
    return str_index(r, ctl, flags);
}

uint64_t helper_pcmpestrm(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t ctl,
                          uint64_t rax, uint64_t rdx)
{
    unsigned n = (ctl & 1) ? 8 : 16;
    uint64_t flags;
    unsigned r = pcmpstr(sse_vec(env, doff), sse_vec(env, soff), ctl,
                         explicit_len(rax, ctl & 0x100, n), explicit_len(rdx, ctl & 0x100, n),
                         &flags);
    str_mask(env, r, ctl);
    return flags;
}

uint64_t helper_pcmpistri(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t ctl)
{
    unsigned n = (ctl & 1) ? 8 : 16;
    X86Vec *s1 = sse_vec(env, doff), *s2 = sse_vec(env, soff);
    uint64_t flags;
    unsigned r = pcmpstr(s1, s2, ctl, implicit_len(s1, ctl, n), implicit_len(s2, ctl, n),
                         &flags);
    return str_index(r, ctl, flags);
}

uint64_t helper_pcmpistrm(CPUX86State *env, uint32_t doff, uint32_t soff, uint32_t ctl)
{
    unsigned n = (ctl & 1) ? 8 : 16;
    X86Vec *s1 = sse_vec(env, doff), *s2 = sse_vec(env, soff);
    uint64_t flags;
    unsigned r = pcmpstr(s1, s2, ctl, implicit_len(s1, ctl, n), implicit_len(s2, ctl, n),
                         &flags);
    str_mask(env, r, ctl);
    return flags;
}
