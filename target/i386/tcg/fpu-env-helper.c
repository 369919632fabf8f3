/*
 * FLDENV, FNSTENV, FRSTOR, FNSAVE: the x87 environment and register images in
 * their four formats (SDM vol. 1 §8.1.10, Figures 8-9 to 8-12: 14 or 28 bytes
 * by operand size, real-mode or protected-mode layout), followed by the eight
 * registers in stack order for FSAVE/FRSTOR.
 *
 * emu keeps FIP/FDP as offsets and no FCS/FDS (fpu-internal.h), so the
 * selectors are stored as 0; in real and virtual-8086 mode the translator
 * records linear addresses, which is what the real-mode formats hold. The
 * reserved upper halves of the 32-bit formats are stored as ones (measured,
 * like Intel's manuals show them).
 */
#include "util/osdep.h"
#include "target/i386/tcg/tcg-internal.h"
#include "target/i386/tcg/fpu-internal.h"
#include "target/i386/tcg/helper.h"

typedef struct X87Image {
    CPUState *cs;
    uint64_t addr;
    uint32_t ctl;
    uintptr_t ra;
} X87Image;

/* With alignment checking the image needs 4 (32-bit operand size) or 2 (SDM vol. 3
 * Table 6-7), whatever its fields' offsets. */
static X87Image x87_image(CPUX86State *env, uint64_t addr, uint32_t ctl, uintptr_t ra)
{
    X87Image m = { CPU(x86_env_get_cpu(env)), addr, ctl, ra };
    x86_check_alignment(env, addr, ctl & X87_CTL_OP32 ? 4 : 2, X87_CTL_MMU(ctl), ra);
    return m;
}

static uint32_t img_ld(X87Image *m, unsigned off, unsigned size)
{
    uint64_t a = x87_addr(m->ctl, m->addr, off);
    int mmu = X87_CTL_MMU(m->ctl);
    switch (size) {
    case 2:
        return cpu_lduw_mmuidx_ra(m->cs, a, mmu, m->ra);
    default:
        return cpu_ldl_mmuidx_ra(m->cs, a, mmu, m->ra);
    }
}

static void img_st(X87Image *m, unsigned off, unsigned size, uint32_t v)
{
    uint64_t a = x87_addr(m->ctl, m->addr, off);
    int mmu = X87_CTL_MMU(m->ctl);
    switch (size) {
    case 2:
        cpu_stw_mmuidx_ra(m->cs, a, v, mmu, m->ra);
        break;
    default:
        cpu_stl_mmuidx_ra(m->cs, a, v, mmu, m->ra);
        break;
    }
}

/* The environment fields, as the formats see them. */
typedef struct X87Env {
    uint16_t fcw, fsw, ftw, fop;
    uint32_t fip, fdp;
} X87Env;

static unsigned env_size(uint32_t ctl)
{
    return ctl & X87_CTL_OP32 ? 28 : 14;
}

static void env_store(X87Image *m, const X87Env *e)
{
    bool prot = m->ctl & X87_CTL_PROT;

    if (m->ctl & X87_CTL_OP32) {
        img_st(m, 0, 4, 0xffff0000u | e->fcw);
        img_st(m, 4, 4, 0xffff0000u | e->fsw);
        img_st(m, 8, 4, 0xffff0000u | e->ftw);
        if (prot) {
            img_st(m, 12, 4, e->fip);
            img_st(m, 16, 4, (uint32_t)e->fop << 16);     /* FCS = 0 */
            img_st(m, 20, 4, e->fdp);
            img_st(m, 24, 4, 0xffff0000u);                /* FDS = 0 */
        } else {
            img_st(m, 12, 4, 0xffff0000u | (e->fip & 0xffff));
            img_st(m, 16, 4, ((e->fip >> 16) << 12) | e->fop);
            img_st(m, 20, 4, 0xffff0000u | (e->fdp & 0xffff));
            img_st(m, 24, 4, (e->fdp >> 16) << 12);
        }
    } else {
        img_st(m, 0, 2, e->fcw);
        img_st(m, 2, 2, e->fsw);
        img_st(m, 4, 2, e->ftw);
        if (prot) {
            img_st(m, 6, 2, e->fip);
            img_st(m, 8, 2, 0);
            img_st(m, 10, 2, e->fdp);
            img_st(m, 12, 2, 0);
        } else {
            img_st(m, 6, 2, e->fip);
            img_st(m, 8, 2, (((e->fip >> 16) & 0xf) << 12) | e->fop);
            img_st(m, 10, 2, e->fdp);
            img_st(m, 12, 2, ((e->fdp >> 16) & 0xf) << 12);
        }
    }
}

static void env_load(X87Image *m, X87Env *e)
{
    bool prot = m->ctl & X87_CTL_PROT;

    if (m->ctl & X87_CTL_OP32) {
        e->fcw = img_ld(m, 0, 2);
        e->fsw = img_ld(m, 4, 2);
        e->ftw = img_ld(m, 8, 2);
        if (prot) {
            e->fip = img_ld(m, 12, 4);
            e->fop = (img_ld(m, 16, 4) >> 16) & 0x7ff;
            e->fdp = img_ld(m, 20, 4);
        } else {
            uint32_t w = img_ld(m, 16, 4);
            e->fip = (img_ld(m, 12, 2) | ((w >> 12) << 16));
            e->fop = w & 0x7ff;
            e->fdp = img_ld(m, 20, 2) | ((img_ld(m, 24, 4) >> 12) << 16);
        }
    } else {
        e->fcw = img_ld(m, 0, 2);
        e->fsw = img_ld(m, 2, 2);
        e->ftw = img_ld(m, 4, 2);
        if (prot) {
            e->fip = img_ld(m, 6, 2);
            e->fop = 0;
            e->fdp = img_ld(m, 10, 2);
        } else {
            uint32_t w = img_ld(m, 8, 2);
            e->fip = img_ld(m, 6, 2) | ((w >> 12) << 16);
            e->fop = w & 0x7ff;
            e->fdp = img_ld(m, 10, 2) | ((img_ld(m, 12, 2) >> 12) << 16);
        }
    }
}

static void env_get(CPUX86State *env, X87Env *e)
{
    const uint8_t *a = env->xsave_area;
    e->fcw = x87_fcw(env);
    e->fsw = x87_fsw(env);
    e->ftw = x87_full_tag_word(env);
    e->fop = x87_ld_le(a + X87_OFF_FOP, 2) & 0x7ff;
    e->fip = x87_ld_le(a + X87_OFF_FIP, 8);
    e->fdp = x87_ld_le(a + X87_OFF_FDP, 8);
}

/*
 * Install a loaded environment. The loaded TOP makes ST(i) a different
 * physical register: the slots move along (FLDENV keeps register contents).
 * ES and B follow the loaded flags and masks (measured).
 */
static void env_put(CPUX86State *env, const X87Env *e)
{
    uint8_t *a = env->xsave_area;
    uint16_t fcw = x87_fcw_stored(e->fcw);

    x87_set_top(env, (e->fsw >> FSW_TOP_SHIFT) & 7);
    x87_st_le(a + X87_OFF_FCW, 2, fcw);
    x87_set_fsw(env, x87_fsw_summary(e->fsw, fcw));
    x87_set_ftw(env, x87_abridged_tag(e->ftw));
    x87_st_le(a + X87_OFF_FOP, 2, e->fop);
    x87_st_le(a + X87_OFF_FIP, 8, e->fip);
    x87_st_le(a + X87_OFF_FDP, 8, e->fdp);
}

void helper_fnstenv(CPUX86State *env, uint64_t addr, uint32_t ctl)
{
    X87Image m = x87_image(env, addr, ctl, GETPC());
    X87Env e;

    env_get(env, &e);
    env_store(&m, &e);
    /* FNSTENV then masks every exception (SDM vol. 2), which clears ES. */
    uint16_t fcw = x87_fcw(env) | FSW_EXC;
    x87_st_le(env->xsave_area + X87_OFF_FCW, 2, fcw);
    x87_set_fsw(env, x87_fsw_summary(x87_fsw(env), fcw));
}

void helper_fldenv(CPUX86State *env, uint64_t addr, uint32_t ctl)
{
    X87Image m = x87_image(env, addr, ctl, GETPC());
    X87Env e;

    env_load(&m, &e);
    env_put(env, &e);
}

void helper_fnsave(CPUX86State *env, uint64_t addr, uint32_t ctl)
{
    X87Image m = x87_image(env, addr, ctl, GETPC());
    unsigned base = env_size(ctl);
    X87Env e;

    env_get(env, &e);
    env_store(&m, &e);
    for (unsigned i = 0; i < 8; i++) {
        floatx80 v = x87_get_st(env, i);
        unsigned off = base + 10 * i;
        img_st(&m, off, 4, (uint32_t)v.mantissa);
        img_st(&m, off + 4, 4, v.mantissa >> 32);
        img_st(&m, off + 8, 2, v.sign_exp);
    }
    /* FNSAVE then initializes the FPU like FNINIT. */
    x87_init_state(env);
}

void helper_frstor(CPUX86State *env, uint64_t addr, uint32_t ctl)
{
    X87Image m = x87_image(env, addr, ctl, GETPC());
    unsigned base = env_size(ctl);
    floatx80 regs[8];
    X87Env e;

    /* Every load before the first change of state (a fault restarts FRSTOR). */
    env_load(&m, &e);
    for (unsigned i = 0; i < 8; i++) {
        unsigned off = base + 10 * i;
        uint64_t lo = img_ld(&m, off, 4), hi = img_ld(&m, off + 4, 4);
        regs[i] = make_floatx80(img_ld(&m, off + 8, 2), lo | hi << 32);
    }
    env_put(env, &e);
    for (unsigned i = 0; i < 8; i++) {
        x87_put_st(env, i, regs[i]);
    }
}
