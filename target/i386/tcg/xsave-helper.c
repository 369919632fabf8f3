/*
 * FXSAVE/FXRSTOR (SDM vol. 1 §10.5, vol. 2) and XSAVE/XSAVEOPT/XSAVEC/XRSTOR
 * (SDM vol. 1 ch. 13): between guest memory and env->xsave_area, which holds
 * the same legacy region in the 64-bit format plus the standard-format
 * components (fpu-internal.h).
 *
 * Choices: XINUSE is taken as all ones (the "init optimization" is allowed to
 * be skipped, SDM §13.6), so XSAVE* write every requested component and set
 * its XSTATE_BV bit; XSAVEOPT saves like XSAVE. FXSAVE writes bytes 0-415
 * only (XMM8-15 in 64-bit mode), never the reserved and software-available
 * bytes 416-511, and skips the XMM registers while CR4.OSFXSR = 0 (the SDM
 * leaves that implementation dependent).
 */
#include "util/osdep.h"
#include "util/log.h"
#include "target/i386/decode.h"
#include "target/i386/tcg/tcg-internal.h"
#include "target/i386/tcg/fpu-internal.h"
#include "target/i386/tcg/helper.h"

#define XSAVE_HEADER 512
#define XSAVE_EXT    576        /* first extended component (compacted form) */
#define XCOMP_BV_COMPACT (1ull << 63)

typedef struct XMem {
    CPUState *cs;
    uint64_t addr;
    uint32_t ctl;
    uintptr_t ra;
} XMem;

static void xmem_write(XMem *m, unsigned off, const uint8_t *src, unsigned len)
{
    int mmu = X87_CTL_MMU(m->ctl);
    while (len) {
        uint64_t a = x87_addr(m->ctl, m->addr, off);
        if (len >= 8 && !(off & 7)) {
            cpu_stq_mmuidx_ra(m->cs, a, x87_ld_le(src, 8), mmu, m->ra);
            off += 8, src += 8, len -= 8;
        } else {
            cpu_stb_mmuidx_ra(m->cs, a, *src, mmu, m->ra);
            off++, src++, len--;
        }
    }
}

static void xmem_read(XMem *m, unsigned off, uint8_t *dst, unsigned len)
{
    int mmu = X87_CTL_MMU(m->ctl);
    while (len) {
        uint64_t a = x87_addr(m->ctl, m->addr, off);
        if (len >= 8 && !(off & 7)) {
            x87_st_le(dst, 8, cpu_ldq_mmuidx_ra(m->cs, a, mmu, m->ra));
            off += 8, dst += 8, len -= 8;
        } else {
            *dst = cpu_ldub_mmuidx_ra(m->cs, a, mmu, m->ra);
            off++, dst++, len--;
        }
    }
}

/* Number of XMM registers the current mode saves and restores. */
static unsigned xmm_count(uint32_t ctl)
{
    return ctl & X87_CTL_CODE64 ? 16 : 8;
}

/*
 * The legacy region as FXSAVE/XSAVE write it: 64-bit format with REX.W,
 * else FIP/FDP as 32-bit offsets with zero selectors (SDM Table 10-2).
 */
static void legacy_build(CPUX86State *env, uint8_t img[512], uint32_t ctl)
{
    const uint8_t *a = env->xsave_area;

    memset(img, 0, 512);
    memcpy(img, a, 5);                              /* FCW, FSW, abridged FTW */
    x87_st_le(img + X87_OFF_FOP, 2, x87_ld_le(a + X87_OFF_FOP, 2) & 0x7ff);
    if (ctl & X87_CTL_REXW) {
        memcpy(img + X87_OFF_FIP, a + X87_OFF_FIP, 8);
        memcpy(img + X87_OFF_FDP, a + X87_OFF_FDP, 8);
    } else {
        memcpy(img + X87_OFF_FIP, a + X87_OFF_FIP, 4);
        memcpy(img + X87_OFF_FDP, a + X87_OFF_FDP, 4);
    }
    x87_st_le(img + X87_OFF_MXCSR, 4, x87_mxcsr(env));
    x87_st_le(img + X87_OFF_MXCSR_MASK, 4, X86_MXCSR_MASK);
    for (unsigned i = 0; i < 8; i++) {
        memcpy(img + X87_OFF_ST + 16 * i, a + X87_OFF_ST + 16 * i, 10);
    }
    memcpy(img + X87_OFF_XMM, a + X87_OFF_XMM, 256);
}

static void store_x87(XMem *m, const uint8_t *img)
{
    xmem_write(m, 0, img, 24);
    xmem_write(m, X87_OFF_ST, img + X87_OFF_ST, 128);
}

static void store_mxcsr(XMem *m, const uint8_t *img)
{
    xmem_write(m, X87_OFF_MXCSR, img + X87_OFF_MXCSR, 8);
}

static void store_xmm(XMem *m, const uint8_t *img)
{
    xmem_write(m, X87_OFF_XMM, img + X87_OFF_XMM, 16 * xmm_count(m->ctl));
}

/* The x87 part of a loaded legacy region (slots are in stack order already). */
static void load_x87(CPUX86State *env, const uint8_t *img, uint32_t ctl)
{
    uint8_t *a = env->xsave_area;
    uint16_t fcw = x87_fcw_stored(x87_ld_le(img, 2));
    bool w = ctl & X87_CTL_REXW;

    x87_st_le(a + X87_OFF_FCW, 2, fcw);
    x87_set_fsw(env, x87_fsw_summary(x87_ld_le(img + 2, 2), fcw));
    a[X87_OFF_FTW] = img[4];
    a[X87_OFF_FTW + 1] = 0;
    x87_st_le(a + X87_OFF_FOP, 2, x87_ld_le(img + X87_OFF_FOP, 2) & 0x7ff);
    x87_st_le(a + X87_OFF_FIP, 8, x87_ld_le(img + X87_OFF_FIP, w ? 8 : 4));
    x87_st_le(a + X87_OFF_FDP, 8, x87_ld_le(img + X87_OFF_FDP, w ? 8 : 4));
    for (unsigned i = 0; i < 8; i++) {
        memcpy(a + X87_OFF_ST + 16 * i, img + X87_OFF_ST + 16 * i, 10);
        memset(a + X87_OFF_ST + 16 * i + 10, 0, 6);
    }
}

static void load_xmm(CPUX86State *env, const uint8_t *img, uint32_t ctl)
{
    memcpy(env->xsave_area + X87_OFF_XMM, img + X87_OFF_XMM, 16 * xmm_count(ctl));
}

static void set_mxcsr(CPUX86State *env, uint32_t v)
{
    x87_st_le(env->xsave_area + X87_OFF_MXCSR, 4, v);
}

static XMem xmem(CPUX86State *env, uint64_t addr, uint32_t ctl, uintptr_t ra)
{
    XMem m = { CPU(x86_env_get_cpu(env)), addr, ctl, ra };
    return m;
}

/* ---- FXSAVE / FXRSTOR ---- */

void helper_fxsave(CPUX86State *env, uint64_t addr, uint32_t ctl)
{
    uintptr_t ra = GETPC();
    XMem m = xmem(env, addr, ctl, ra);
    uint8_t img[512];

    if (addr & 15) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
    legacy_build(env, img, ctl);
    store_x87(&m, img);
    store_mxcsr(&m, img);
    if (env->cr[4] & CR4_OSFXSR_MASK) {
        store_xmm(&m, img);
    }
}

void helper_fxrstor(CPUX86State *env, uint64_t addr, uint32_t ctl)
{
    uintptr_t ra = GETPC();
    XMem m = xmem(env, addr, ctl, ra);
    uint8_t img[512];
    uint32_t mxcsr;

    if (addr & 15) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
    xmem_read(&m, 0, img, X87_OFF_XMM + 16 * xmm_count(ctl));
    mxcsr = x87_ld_le(img + X87_OFF_MXCSR, 4);
    if (mxcsr & ~X86_MXCSR_MASK) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
    load_x87(env, img, ctl);
    set_mxcsr(env, mxcsr);
    if (env->cr[4] & CR4_OSFXSR_MASK) {
        load_xmm(env, img, ctl);
    }
}

/* ---- XSAVE family ---- */

typedef struct XComp {
    uint32_t size, offset;      /* standard-form offset */
    bool align64;               /* compacted form: start on 64 bytes */
} XComp;

/* Component @i >= 2 as CPUID leaf 0xD describes it; false when absent or too big. */
static bool xcomp(CPUX86State *env, unsigned i, XComp *c)
{
    const X86CPUIDEntry *e = x86_cpu_get_cpuid(x86_env_get_cpu(env), 0xd, i);
    if (!e || !e->eax || e->ebx < XSAVE_EXT || e->ebx + e->eax > X86_XSAVE_MIN_SIZE) {
        return false;
    }
    c->size = e->eax;
    c->offset = e->ebx;
    c->align64 = e->ecx & 2;
    return true;
}

/* Offset of component @i in a compacted image holding @xcomp_bv. */
static uint32_t xcomp_offset(CPUX86State *env, uint64_t xcomp_bv, unsigned i)
{
    uint32_t off = XSAVE_EXT;
    for (unsigned j = 2; j <= i; j++) {
        XComp c;
        if (!(xcomp_bv & (1ull << j)) || !xcomp(env, j, &c)) {
            continue;
        }
        if (c.align64) {
            off = (off + 63) & ~63u;
        }
        if (j == i) {
            break;
        }
        off += c.size;
    }
    return off;
}

/*
 * #UD without CR4.OSXSAVE, #NM with CR0.TS, #GP(0) unless 64-byte aligned
 * (SDM vol. 2 XSAVE, XRSTOR); returns RFBM = XCR0 & EDX:EAX.
 */
static uint64_t xsave_check(CPUX86State *env, uint64_t addr, uintptr_t ra)
{
    if (!(env->cr[4] & CR4_OSXSAVE_MASK)) {
        x86_raise_exception(env, EXCP06_ILLOP, ra);
    }
    if (env->cr[0] & CR0_TS_MASK) {
        x86_raise_exception(env, EXCP07_PREX, ra);
    }
    if (addr & 63) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
    return env->xcr0 & ((uint64_t)(uint32_t)env->regs[R_EDX] << 32 |
                        (uint32_t)env->regs[R_EAX]);
}

void helper_xsave(CPUX86State *env, uint64_t addr, uint32_t ctl)
{
    uintptr_t ra = GETPC();
    uint64_t rfbm = xsave_check(env, addr, ra);
    XMem m = xmem(env, addr, ctl, ra);
    bool compact = X87_CTL_XVAR(ctl) == X87_XSAVEC;
    uint8_t img[512], hdr[16];

    legacy_build(env, img, ctl);
    if (rfbm & 1) {
        store_x87(&m, img);
    }
    if (rfbm & 6) {
        store_mxcsr(&m, img);
    }
    if (rfbm & 2) {
        store_xmm(&m, img);
    }
    for (unsigned i = 2; i < 63; i++) {
        XComp c;
        if (!(rfbm & (1ull << i))) {
            continue;
        }
        if (!xcomp(env, i, &c)) {
            emu_log_mask(LOG_UNIMP, "xsave: state component %u not kept by TCG\n", i);
            continue;
        }
        xmem_write(&m, compact ? xcomp_offset(env, rfbm, i) : c.offset,
                   env->xsave_area + c.offset, c.size);
    }
    /* Header (SDM §13.7, §13.10): XSAVE changes only the XSTATE_BV bits in RFBM. */
    if (compact) {
        x87_st_le(hdr, 8, rfbm);
        x87_st_le(hdr + 8, 8, rfbm | XCOMP_BV_COMPACT);
        xmem_write(&m, XSAVE_HEADER, hdr, 16);
    } else {
        xmem_read(&m, XSAVE_HEADER, hdr, 8);
        uint64_t bv = (x87_ld_le(hdr, 8) & ~rfbm) | rfbm;
        x87_st_le(hdr, 8, bv);
        xmem_write(&m, XSAVE_HEADER, hdr, 8);
    }
}

static void init_x87(CPUX86State *env)
{
    x87_init_state(env);
    memset(env->xsave_area + X87_OFF_ST, 0, 128);
}

/*
 * XRSTOR (SDM §13.8): the standard form when XCOMP_BV[63] = 0, else the
 * compacted form; #GP(0) for header bits the forms reserve and for an MXCSR
 * with reserved bits, before anything is loaded.
 */
void helper_xrstor(CPUX86State *env, uint64_t addr, uint32_t ctl)
{
    uintptr_t ra = GETPC();
    uint64_t rfbm = xsave_check(env, addr, ra);
    XMem m = xmem(env, addr, ctl, ra);
    uint8_t img[512], hdr[64];
    uint64_t xstate_bv, xcomp_bv;
    bool compact, load_mxcsr;
    uint32_t mxcsr = X86_MXCSR_INIT;

    xmem_read(&m, XSAVE_HEADER, hdr, 64);
    xstate_bv = x87_ld_le(hdr, 8);
    xcomp_bv = x87_ld_le(hdr + 8, 8);
    compact = xcomp_bv & XCOMP_BV_COMPACT;
    if (!compact) {
        if ((xstate_bv & ~env->xcr0) || xcomp_bv || x87_ld_le(hdr + 16, 8)) {
            x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
        }
        load_mxcsr = rfbm & 6;
    } else {
        bool reserved = false;
        for (unsigned i = 16; i < 64; i++) {
            reserved |= hdr[i] != 0;
        }
        if (!(env->decode_features & X86_FEATURE_BIT(X86_FEAT_XSAVEC)) ||
            (xcomp_bv & ~XCOMP_BV_COMPACT & ~env->xcr0) || (xstate_bv & ~xcomp_bv) ||
            reserved) {
            x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
        }
        load_mxcsr = rfbm & xstate_bv & 6;
    }
    xmem_read(&m, 0, img, X87_OFF_XMM + 16 * xmm_count(ctl));
    if (load_mxcsr) {
        mxcsr = x87_ld_le(img + X87_OFF_MXCSR, 4);
        if (mxcsr & ~X86_MXCSR_MASK) {
            x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
        }
    }

    /* Extended components: read all before changing anything (a fault restarts). */
    uint8_t ext[X86_XSAVE_MIN_SIZE];
    bool any_ext = false;
    for (unsigned i = 2; i < 63; i++) {
        XComp c;
        if (!(rfbm & (1ull << i)) || !xcomp(env, i, &c)) {
            continue;
        }
        memset(ext + c.offset, 0, c.size);
        any_ext = true;
        if (xstate_bv & (1ull << i)) {
            xmem_read(&m, compact ? xcomp_offset(env, xcomp_bv, i) : c.offset,
                      ext + c.offset, c.size);
        }
    }

    if (rfbm & 1) {
        if (xstate_bv & 1) {
            load_x87(env, img, ctl);
        } else {
            init_x87(env);
        }
    }
    if (rfbm & 2) {
        if (xstate_bv & 2) {
            load_xmm(env, img, ctl);
        } else {
            memset(env->xsave_area + X87_OFF_XMM, 0, 256);
        }
    }
    if (load_mxcsr || (compact && (rfbm & 2))) {
        set_mxcsr(env, mxcsr);
    }
    for (unsigned i = 2; any_ext && i < 63; i++) {
        XComp c;
        if ((rfbm & (1ull << i)) && xcomp(env, i, &c)) {
            memcpy(env->xsave_area + c.offset, ext + c.offset, c.size);
        }
    }
}
