/*
 * Segmentation helpers for x86 generated code (translate-seg.c): segment
 * register loads with the descriptor checks of SDM vol. 2 MOV/POP/LDS and
 * vol. 3 §5.5-5.8, far JMP/CALL/RET through code segments and call gates
 * (§5.8), IRET in every mode (§6.14, §20.3), LLDT/LTR, LAR/LSL/VERR/VERW.
 *
 * Every helper validates and does all guest-memory accesses that can fault
 * before it changes any register, so a fault (raised with the helper's
 * GETPC(), which restores RIP and cc_op) restarts the instruction cleanly.
 * Segment limits are not checked (docs/devel/x86-translator.md).
 */
#include "util/osdep.h"
#include "util/log.h"
#include "target/i386/tcg/tcg-internal.h"
#include "target/i386/tcg/seg-internal.h"
#include "target/i386/tcg/helper.h"

static inline CPUState *env_cs(CPUX86State *env)
{
    return &x86_env_get_cpu(env)->parent_obj;
}

static inline unsigned cur_cpl(CPUX86State *env)
{
    return env->hflags & HF_CPL_MASK;
}

static G_NORETURN void raise_sel(CPUX86State *env, int vector, uint32_t sel, uintptr_t ra)
{
    x86_raise_exception_err(env, vector, sel & 0xfffc, ra);
}

static uint64_t trunc_opsize(uint64_t v, unsigned opsize)
{
    return opsize == 8 ? v : opsize == 4 ? (uint32_t)v : (uint16_t)v;
}

/* ---- descriptor tables: implicit supervisor accesses (SDM §5.5, §4.6) ---- */

static uint64_t sys_lin(CPUX86State *env, uint64_t addr)
{
    return (env->hflags & HF_LMA_MASK) ? addr : (uint32_t)addr;
}

static uint32_t sys_ldl(CPUX86State *env, uint64_t addr, uintptr_t ra)
{
    return cpu_ldl_mmuidx_ra(env_cs(env), sys_lin(env, addr), X86_MMU_KERNEL, ra);
}

static void sys_stl(CPUX86State *env, uint64_t addr, uint32_t v, uintptr_t ra)
{
    cpu_stl_mmuidx_ra(env_cs(env), sys_lin(env, addr), v, X86_MMU_KERNEL, ra);
}

/* The table (GDT or LDT by TI) and byte offset of @sel's descriptor. */
static const SegmentCache *desc_table(CPUX86State *env, uint32_t sel)
{
    return (sel & 4) ? &env->ldt : &env->gdt;
}

/* Reads @sel's 8-byte descriptor; false when it lies beyond the table limit. */
static bool read_desc(CPUX86State *env, uint32_t sel, uint32_t *lo, uint32_t *hi,
                      uintptr_t ra)
{
    const SegmentCache *dt = desc_table(env, sel);
    uint32_t index = sel & 0xfff8;

    if (index + 7 > dt->limit) {
        return false;
    }
    *lo = sys_ldl(env, dt->base + index, ra);
    *hi = sys_ldl(env, dt->base + index + 4, ra);
    return true;
}

/* The upper 8 bytes of a 16-byte IA-32e system descriptor or gate (SDM §5.8.3.1). */
static bool read_desc_upper(CPUX86State *env, uint32_t sel, uint32_t *w2, uint32_t *w3,
                            uintptr_t ra)
{
    const SegmentCache *dt = desc_table(env, sel);
    uint32_t index = sel & 0xfff8;

    if (index + 15 > dt->limit) {
        return false;
    }
    *w2 = sys_ldl(env, dt->base + index + 8, ra);
    *w3 = sys_ldl(env, dt->base + index + 12, ra);
    return true;
}

/*
 * The processor sets the accessed bit of a segment descriptor it loads
 * (§3.4.5.1); the segment cache then holds it set. Returns the new high dword.
 */
static uint32_t set_accessed(CPUX86State *env, uint32_t sel, uint32_t hi, uintptr_t ra)
{
    if (!(hi & DESC_A_MASK)) {
        sys_stl(env, desc_table(env, sel)->base + (sel & 0xfff8) + 4, hi | DESC_A_MASK, ra);
    }
    return hi | DESC_A_MASK;
}

/* ---- stacks ---- */

typedef struct X86Stack {
    CPUX86State *env;
    uint64_t base;
    uint64_t sp;
    uint64_t mask;      /* 0xffff or 0xffffffff (SS.B), ~0 in 64-bit mode */
    int mmu_idx;
    uintptr_t ra;
} X86Stack;

static uint64_t ss_mask(uint32_t ss_flags)
{
    return (ss_flags & DESC_B_MASK) ? 0xffffffffull : 0xffff;
}

static void stack_init(X86Stack *st, CPUX86State *env, uint64_t base, uint64_t sp,
                       uint64_t mask, int mmu_idx, uintptr_t ra)
{
    st->env = env;
    st->base = base;
    st->sp = sp;
    st->mask = mask;
    st->mmu_idx = mmu_idx;
    st->ra = ra;
}

/* The current SS:rSP with the current privilege's data MMU index (in 64-bit mode
 * its stack variant: a non-canonical rSP is #SS(0)). */
static void stack_cur(X86Stack *st, CPUX86State *env, uintptr_t ra)
{
    int idx = x86_mmu_index_for_hflags(env->hflags, false);
    if (env->hflags & HF_CS64_MASK) {
        stack_init(st, env, 0, env->regs[R_ESP], ~0ull, idx + X86_MMU_STACK, ra);
    } else {
        stack_init(st, env, env->segs[R_SS].base, env->regs[R_ESP],
                   ss_mask(env->segs[R_SS].flags), idx, ra);
    }
}

static uint64_t stack_lin(const X86Stack *st)
{
    uint64_t a = st->base + (st->sp & st->mask);
    return st->mask == ~0ull ? a : (uint32_t)a;
}

/* Pushes and pops at CPL 3 are data accesses for alignment checking (#AC). */
static void stack_check_align(X86Stack *st, uint64_t a, unsigned size)
{
    if (x86_mmu_base(st->mmu_idx) == X86_MMU_USER) {
        x86_check_alignment(st->env, a, size, st->mmu_idx, st->ra);
    }
}

static void stack_push(X86Stack *st, uint64_t v, unsigned size)
{
    CPUState *cs = env_cs(st->env);
    st->sp -= size;
    uint64_t a = stack_lin(st);
    stack_check_align(st, a, size);
    switch (size) {
    case 2:
        cpu_stw_mmuidx_ra(cs, a, v, st->mmu_idx, st->ra);
        break;
    case 4:
        cpu_stl_mmuidx_ra(cs, a, v, st->mmu_idx, st->ra);
        break;
    default:
        cpu_stq_mmuidx_ra(cs, a, v, st->mmu_idx, st->ra);
        break;
    }
}

static uint64_t stack_pop(X86Stack *st, unsigned size)
{
    CPUState *cs = env_cs(st->env);
    uint64_t a = stack_lin(st), v;
    stack_check_align(st, a, size);
    switch (size) {
    case 2:
        v = cpu_lduw_mmuidx_ra(cs, a, st->mmu_idx, st->ra);
        break;
    case 4:
        v = cpu_ldl_mmuidx_ra(cs, a, st->mmu_idx, st->ra);
        break;
    default:
        v = cpu_ldq_mmuidx_ra(cs, a, st->mmu_idx, st->ra);
        break;
    }
    st->sp += size;
    return v;
}

/* rSP = @sp at the stack's width: SP merges, ESP zero-extends (vol. 1 §3.4.1.1). */
static void set_rsp(CPUX86State *env, uint64_t sp, uint64_t mask)
{
    if (mask == 0xffff) {
        env->regs[R_ESP] = (env->regs[R_ESP] & ~0xffffull) | (sp & 0xffff);
    } else if (mask == 0xffffffffull) {
        env->regs[R_ESP] = (uint32_t)sp;
    } else {
        env->regs[R_ESP] = sp;
    }
}

/* ---- segment register loads (SDM vol. 2 MOV "Operation", vol. 3 §5.5-5.7) ---- */

static void load_seg_prot(CPUX86State *env, int seg, uint32_t sel, uintptr_t ra)
{
    unsigned cpl = cur_cpl(env), rpl = sel & 3, dpl;
    uint32_t lo, hi;

    if ((sel & 0xfffc) == 0) {
        if (seg != R_SS) {
            /* A NULL selector loads an unusable segment (Intel: base 0). */
            x86_seg_set(&env->segs[seg], sel, 0, 0, 0);
            return;
        }
        /* 64-bit mode allows a NULL SS at CPL < 3 when RPL = CPL (SDM MOV). */
        if (!(env->hflags & HF_CS64_MASK) || cpl == 3 || rpl != cpl) {
            x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
        }
        x86_seg_null_ss(&env->segs[R_SS], cpl);
        env->segs[R_SS].selector = sel;
        return;
    }
    if (!read_desc(env, sel, &lo, &hi, ra) || !(hi & DESC_S_MASK)) {
        raise_sel(env, EXCP0D_GPF, sel, ra);
    }
    dpl = x86_desc_dpl(hi);
    if (seg == R_SS) {
        if (rpl != cpl || dpl != cpl || (hi & DESC_CS_MASK) || !(hi & DESC_W_MASK)) {
            raise_sel(env, EXCP0D_GPF, sel, ra);
        }
        if (!(hi & DESC_P_MASK)) {
            raise_sel(env, EXCP0C_STACK, sel, ra);
        }
    } else {
        bool code = hi & DESC_CS_MASK;
        if (code && !(hi & DESC_R_MASK)) {
            raise_sel(env, EXCP0D_GPF, sel, ra);       /* execute-only code */
        }
        if ((!code || !(hi & DESC_C_MASK)) && (rpl > dpl || cpl > dpl)) {
            raise_sel(env, EXCP0D_GPF, sel, ra);
        }
        if (!(hi & DESC_P_MASK)) {
            raise_sel(env, EXCP0B_NOSEG, sel, ra);
        }
    }
    hi = set_accessed(env, sel, hi, ra);
    x86_seg_from_desc(&env->segs[seg], sel, lo, hi);
}

void helper_load_seg(CPUX86State *env, uint32_t seg, uint32_t sel)
{
    sel &= 0xffff;
    if (!(env->hflags & HF_PE_MASK)) {
        x86_seg_load_real(&env->segs[seg], sel);
    } else if (env->hflags & HF_VM_MASK) {
        x86_seg_load_vm86(&env->segs[seg], sel);
    } else {
        load_seg_prot(env, seg, sel, GETPC());
    }
    x86_update_hflags(env);
}

/* SDM RET/IRET: data segments the new (outer) CPL may not use become NULL. */
static void x86_seg_null_outer(CPUX86State *env, unsigned new_cpl)
{
    static const int segs[] = { R_ES, R_DS, R_FS, R_GS };
    for (unsigned i = 0; i < ARRAY_SIZE(segs); i++) {
        SegmentCache *sc = &env->segs[segs[i]];
        bool conforming = (sc->flags & DESC_CS_MASK) && (sc->flags & DESC_C_MASK);
        /* A NULL selector stays as it is: FS/GS may hold a 64-bit base. */
        if ((sc->selector & 0xfffc) == 0 || conforming) {
            continue;
        }
        if (x86_desc_dpl(sc->flags) < new_cpl) {
            x86_seg_set(sc, 0, 0, 0, 0);
        }
    }
}

/* ---- far transfers ---- */

/* CS is 64-bit code after loading @hi in the current mode. */
static bool desc_code64(CPUX86State *env, uint32_t hi)
{
    return (env->hflags & HF_LMA_MASK) && (hi & DESC_L_MASK);
}

/* The new RIP must be canonical for 64-bit code and fit 32 bits otherwise
 * (the 4 GiB limit check, the only one made). */
static void check_new_rip(CPUX86State *env, uint32_t cs_hi, uint64_t rip, uintptr_t ra)
{
    if (desc_code64(env, cs_hi) ? !x86_is_canonical(rip) : rip > 0xffffffffull) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
}

static void load_cs(CPUX86State *env, uint32_t sel, unsigned rpl, uint32_t lo, uint32_t hi)
{
    x86_seg_from_desc(&env->segs[R_CS], (sel & 0xfffc) | rpl, lo, hi);
}

static void real_far_jump(CPUX86State *env, uint32_t sel, uint64_t eip)
{
    if (env->hflags & HF_VM_MASK) {
        x86_seg_load_vm86(&env->segs[R_CS], sel);
    } else {
        x86_seg_load_real(&env->segs[R_CS], sel);
    }
    env->rip = eip;
}

/* Checks of a direct JMP/CALL to a code segment (SDM JMP/CALL "Operation"). */
static void check_direct_code(CPUX86State *env, uint32_t sel, uint32_t hi, uintptr_t ra)
{
    unsigned cpl = cur_cpl(env), dpl = x86_desc_dpl(hi);
    if (!(hi & DESC_CS_MASK)) {
        raise_sel(env, EXCP0D_GPF, sel, ra);
    }
    if ((hi & DESC_C_MASK) ? dpl > cpl : ((sel & 3) > cpl || dpl != cpl)) {
        raise_sel(env, EXCP0D_GPF, sel, ra);
    }
    if ((env->hflags & HF_LMA_MASK) && (hi & DESC_L_MASK) && (hi & DESC_B_MASK)) {
        raise_sel(env, EXCP0D_GPF, sel, ra);
    }
    if (!(hi & DESC_P_MASK)) {
        raise_sel(env, EXCP0B_NOSEG, sel, ra);
    }
}

static G_NORETURN void task_switch_unimp(CPUX86State *env, const char *what, uint32_t sel,
                                         uintptr_t ra)
{
    emu_log_mask(LOG_UNIMP, "x86 tcg: %s through a task gate or TSS (selector %#x) is not "
                 "implemented: #GP\n", what, sel);
    raise_sel(env, EXCP0D_GPF, sel, ra);
}

/* A call gate and its target code segment (SDM §5.8.3, §5.8.4). */
typedef struct CallGate {
    uint32_t cs_sel, cs_lo, cs_hi;
    uint64_t offset;
    unsigned size;        /* 2, 4 or 8: gate (and push) size */
    unsigned params;      /* 16/32-bit gates: words/dwords to copy */
} CallGate;

static void read_call_gate(CPUX86State *env, uint32_t sel, uint32_t lo, uint32_t hi,
                           CallGate *g, uintptr_t ra)
{
    unsigned cpl = cur_cpl(env), dpl = x86_desc_dpl(hi), type = x86_desc_type(hi);
    bool lma = env->hflags & HF_LMA_MASK;

    if (lma ? type != X86_SYS_CALL32 : (type != X86_SYS_CALL16 && type != X86_SYS_CALL32)) {
        raise_sel(env, EXCP0D_GPF, sel, ra);
    }
    if (dpl < cpl || dpl < (sel & 3)) {
        raise_sel(env, EXCP0D_GPF, sel, ra);
    }
    if (!(hi & DESC_P_MASK)) {
        raise_sel(env, EXCP0B_NOSEG, sel, ra);
    }
    g->cs_sel = lo >> 16;
    g->offset = lo & 0xffff;
    g->params = hi & 0x1f;
    if (type == X86_SYS_CALL16) {
        g->size = 2;
    } else {
        g->offset |= hi & 0xffff0000u;
        g->size = 4;
    }
    if (lma) {
        uint32_t w2, w3;
        /* 64-bit call gate: offset[63:32], and a zero type in the upper half. */
        if (!read_desc_upper(env, sel, &w2, &w3, ra) || x86_desc_type(w3) != 0 ||
            (w3 & DESC_S_MASK)) {
            raise_sel(env, EXCP0D_GPF, sel, ra);
        }
        g->offset |= (uint64_t)w2 << 32;
        g->size = 8;
        g->params = 0;
    }
    if ((g->cs_sel & 0xfffc) == 0) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
    if (!read_desc(env, g->cs_sel, &g->cs_lo, &g->cs_hi, ra) ||
        !(g->cs_hi & DESC_S_MASK) || !(g->cs_hi & DESC_CS_MASK) ||
        x86_desc_dpl(g->cs_hi) > cpl) {
        raise_sel(env, EXCP0D_GPF, g->cs_sel, ra);
    }
    if (lma && (!(g->cs_hi & DESC_L_MASK) || (g->cs_hi & DESC_B_MASK))) {
        raise_sel(env, EXCP0D_GPF, g->cs_sel, ra);
    }
    if (!(g->cs_hi & DESC_P_MASK)) {
        raise_sel(env, EXCP0B_NOSEG, g->cs_sel, ra);
    }
    if (lma && !x86_is_canonical(g->offset)) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
}

static void ljmp_prot(CPUX86State *env, uint32_t sel, uint64_t eip, uintptr_t ra)
{
    unsigned cpl = cur_cpl(env);
    uint32_t lo, hi;

    if ((sel & 0xfffc) == 0) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
    if (!read_desc(env, sel, &lo, &hi, ra)) {
        raise_sel(env, EXCP0D_GPF, sel, ra);
    }
    if (hi & DESC_S_MASK) {
        check_direct_code(env, sel, hi, ra);
        check_new_rip(env, hi, eip, ra);
        hi = set_accessed(env, sel, hi, ra);
        load_cs(env, sel, cpl, lo, hi);
        env->rip = eip;
        return;
    }
    switch (x86_desc_type(hi)) {
    case X86_SYS_TSS16: case X86_SYS_TSS32: case X86_SYS_TASK:
        if (!(env->hflags & HF_LMA_MASK)) {
            task_switch_unimp(env, "far JMP", sel, ra);
        }
        break;
    case X86_SYS_CALL16: case X86_SYS_CALL32: {
        CallGate g;
        read_call_gate(env, sel, lo, hi, &g, ra);
        /* JMP never changes CPL: nonconforming targets need DPL = CPL. */
        if (!(g.cs_hi & DESC_C_MASK) && x86_desc_dpl(g.cs_hi) != cpl) {
            raise_sel(env, EXCP0D_GPF, g.cs_sel, ra);
        }
        uint64_t rip = g.size == 2 ? (uint16_t)g.offset : g.offset;
        check_new_rip(env, g.cs_hi, rip, ra);
        g.cs_hi = set_accessed(env, g.cs_sel, g.cs_hi, ra);
        load_cs(env, g.cs_sel, cpl, g.cs_lo, g.cs_hi);
        env->rip = rip;
        return;
    }
    default:
        break;
    }
    raise_sel(env, EXCP0D_GPF, sel, ra);
}

void helper_ljmp(CPUX86State *env, uint32_t sel, uint64_t eip, uint32_t opsize)
{
    sel &= 0xffff;
    eip = trunc_opsize(eip, opsize);
    if (!(env->hflags & HF_PE_MASK) || (env->hflags & HF_VM_MASK)) {
        real_far_jump(env, sel, eip);
    } else {
        ljmp_prot(env, sel, eip, GETPC());
    }
    x86_update_hflags(env);
}

/*
 * The inner stack for a CPL change through a 16/32-bit call gate (SDM §5.8.5):
 * SS:ESP for @dpl from the TSS, with the checks that raise #TS (error code:
 * the selector at fault) or #SS (SS not present).
 */
static void tss_inner_stack(CPUX86State *env, unsigned dpl, uint32_t *ss, uint32_t *ss_lo,
                            uint32_t *ss_hi, uint64_t *sp, uintptr_t ra)
{
    unsigned type = x86_desc_type(env->tr.flags);
    bool tss32 = type & 8;
    uint32_t off = tss32 ? 4 + 8 * dpl : 2 + 4 * dpl;
    uint32_t tr_err = env->tr.selector & 0xfffc;

    /* Types 1, 3, 9, 11: a 16- or 32-bit TSS, busy or not. */
    if (!(env->tr.flags & DESC_P_MASK) || (type & 5) != X86_SYS_TSS16 ||
        off + (tss32 ? 5 : 3) > env->tr.limit) {
        x86_raise_exception_err(env, EXCP0A_TSS, tr_err, ra);
    }
    if (tss32) {
        *sp = sys_ldl(env, env->tr.base + off, ra);
        *ss = cpu_lduw_mmuidx_ra(env_cs(env), sys_lin(env, env->tr.base + off + 4),
                                 X86_MMU_KERNEL, ra);
    } else {
        *sp = cpu_lduw_mmuidx_ra(env_cs(env), sys_lin(env, env->tr.base + off),
                                 X86_MMU_KERNEL, ra);
        *ss = cpu_lduw_mmuidx_ra(env_cs(env), sys_lin(env, env->tr.base + off + 2),
                                 X86_MMU_KERNEL, ra);
    }
    uint32_t err = *ss & 0xfffc;
    if ((*ss & 0xfffc) == 0) {
        x86_raise_exception_err(env, EXCP0A_TSS, err, ra);
    }
    if (!read_desc(env, *ss, ss_lo, ss_hi, ra) || (*ss & 3) != dpl ||
        x86_desc_dpl(*ss_hi) != dpl || !(*ss_hi & DESC_S_MASK) ||
        (*ss_hi & DESC_CS_MASK) || !(*ss_hi & DESC_W_MASK)) {
        x86_raise_exception_err(env, EXCP0A_TSS, err, ra);
    }
    if (!(*ss_hi & DESC_P_MASK)) {
        x86_raise_exception_err(env, EXCP0C_STACK, err, ra);
    }
}

/* RSPn of the 64-bit TSS (SDM §7.7, Figure 7-11). */
static uint64_t tss64_rsp(CPUX86State *env, unsigned dpl, uintptr_t ra)
{
    uint32_t off = 4 + 8 * dpl;
    if (off + 7 > env->tr.limit) {
        x86_raise_exception_err(env, EXCP0A_TSS, env->tr.selector & 0xfffc, ra);
    }
    return sys_ldl(env, env->tr.base + off, ra) |
           (uint64_t)sys_ldl(env, env->tr.base + off + 4, ra) << 32;
}

static void lcall_gate(CPUX86State *env, uint32_t sel, uint32_t lo, uint32_t hi,
                       uint64_t next_eip, uintptr_t ra)
{
    unsigned cpl = cur_cpl(env);
    CallGate g;
    X86Stack st;

    read_call_gate(env, sel, lo, hi, &g, ra);
    uint64_t rip = g.size == 2 ? (uint16_t)g.offset : g.offset;
    check_new_rip(env, g.cs_hi, rip, ra);
    unsigned dpl = x86_desc_dpl(g.cs_hi);

    if (!(g.cs_hi & DESC_C_MASK) && dpl < cpl) {
        /* More privilege: switch to the inner stack (SDM §5.8.5, Figure 5-13). */
        uint32_t ss = dpl, ss_lo = 0, ss_hi = 0;
        uint64_t sp;
        X86Stack old;

        stack_cur(&old, env, ra);
        if (g.size == 8) {
            sp = tss64_rsp(env, dpl, ra);
            if (!x86_is_canonical(sp)) {
                x86_raise_exception_err(env, EXCP0C_STACK, 0, ra);
            }
            stack_init(&st, env, 0, sp, ~0ull, X86_MMU_KERNEL, ra);
        } else {
            tss_inner_stack(env, dpl, &ss, &ss_lo, &ss_hi, &sp, ra);
            stack_init(&st, env, x86_desc_base(ss_lo, ss_hi), sp, ss_mask(ss_hi),
                       X86_MMU_KERNEL, ra);
        }
        stack_push(&st, env->segs[R_SS].selector, g.size);
        stack_push(&st, env->regs[R_ESP], g.size);
        /* Parameters from the caller's stack, deepest first (§5.8.5). */
        for (int i = (int)g.params - 1; i >= 0; i--) {
            X86Stack p = old;
            p.sp += i * g.size;
            stack_push(&st, stack_pop(&p, g.size), g.size);
        }
        stack_push(&st, env->segs[R_CS].selector, g.size);
        stack_push(&st, next_eip, g.size);
        if (g.size != 8) {
            ss_hi = set_accessed(env, ss, ss_hi, ra);
        }
        g.cs_hi = set_accessed(env, g.cs_sel, g.cs_hi, ra);

        if (g.size == 8) {
            x86_seg_null_ss(&env->segs[R_SS], dpl);
        } else {
            x86_seg_from_desc(&env->segs[R_SS], ss, ss_lo, ss_hi);
        }
        load_cs(env, g.cs_sel, dpl, g.cs_lo, g.cs_hi);
        set_rsp(env, st.sp, st.mask);
    } else {
        if (g.size == 8) {
            stack_init(&st, env, 0, env->regs[R_ESP], ~0ull,
                       x86_mmu_index_for_hflags(env->hflags, false) + X86_MMU_STACK, ra);
        } else {
            stack_cur(&st, env, ra);
        }
        stack_push(&st, env->segs[R_CS].selector, g.size);
        stack_push(&st, next_eip, g.size);
        g.cs_hi = set_accessed(env, g.cs_sel, g.cs_hi, ra);
        load_cs(env, g.cs_sel, cpl, g.cs_lo, g.cs_hi);
        set_rsp(env, st.sp, st.mask);
    }
    env->rip = rip;
}

static void lcall_prot(CPUX86State *env, uint32_t sel, uint64_t eip, unsigned opsize,
                       uint64_t next_eip, uintptr_t ra)
{
    unsigned cpl = cur_cpl(env);
    uint32_t lo, hi;

    if ((sel & 0xfffc) == 0) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
    if (!read_desc(env, sel, &lo, &hi, ra)) {
        raise_sel(env, EXCP0D_GPF, sel, ra);
    }
    if (hi & DESC_S_MASK) {
        X86Stack st;
        check_direct_code(env, sel, hi, ra);
        check_new_rip(env, hi, eip, ra);
        stack_cur(&st, env, ra);
        stack_push(&st, env->segs[R_CS].selector, opsize);
        stack_push(&st, next_eip, opsize);
        hi = set_accessed(env, sel, hi, ra);
        load_cs(env, sel, cpl, lo, hi);
        set_rsp(env, st.sp, st.mask);
        env->rip = eip;
        return;
    }
    switch (x86_desc_type(hi)) {
    case X86_SYS_TSS16: case X86_SYS_TSS32: case X86_SYS_TASK:
        if (!(env->hflags & HF_LMA_MASK)) {
            task_switch_unimp(env, "far CALL", sel, ra);
        }
        break;
    case X86_SYS_CALL16: case X86_SYS_CALL32:
        lcall_gate(env, sel, lo, hi, next_eip, ra);
        return;
    default:
        break;
    }
    raise_sel(env, EXCP0D_GPF, sel, ra);
}

void helper_lcall(CPUX86State *env, uint32_t sel, uint64_t eip, uint32_t opsize,
                  uint64_t next_eip)
{
    uintptr_t ra = GETPC();
    sel &= 0xffff;
    eip = trunc_opsize(eip, opsize);
    next_eip = trunc_opsize(next_eip, opsize);
    if (!(env->hflags & HF_PE_MASK) || (env->hflags & HF_VM_MASK)) {
        X86Stack st;
        stack_cur(&st, env, ra);
        stack_push(&st, env->segs[R_CS].selector, opsize);
        stack_push(&st, next_eip, opsize);
        set_rsp(env, st.sp, st.mask);
        real_far_jump(env, sel, eip);
    } else {
        lcall_prot(env, sel, eip, opsize, next_eip, ra);
    }
    x86_update_hflags(env);
}

/*
 * The CS a far RET or IRET returns to (SDM RET/IRET "Operation"): NULL ->
 * #GP(0); RPL < CPL, not code, conforming with DPL > RPL or nonconforming
 * with DPL != RPL -> #GP(selector); not present -> #NP(selector).
 */
static void check_return_cs(CPUX86State *env, uint32_t sel, uint32_t *lo, uint32_t *hi,
                            uintptr_t ra)
{
    unsigned rpl = sel & 3, dpl;

    if ((sel & 0xfffc) == 0) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
    if (!read_desc(env, sel, lo, hi, ra) || !(*hi & DESC_S_MASK) ||
        !(*hi & DESC_CS_MASK) || rpl < cur_cpl(env)) {
        raise_sel(env, EXCP0D_GPF, sel, ra);
    }
    dpl = x86_desc_dpl(*hi);
    if ((*hi & DESC_C_MASK) ? dpl > rpl : dpl != rpl) {
        raise_sel(env, EXCP0D_GPF, sel, ra);
    }
    if ((env->hflags & HF_LMA_MASK) && (*hi & DESC_L_MASK) && (*hi & DESC_B_MASK)) {
        raise_sel(env, EXCP0D_GPF, sel, ra);
    }
    if (!(*hi & DESC_P_MASK)) {
        raise_sel(env, EXCP0B_NOSEG, sel, ra);
    }
}

/*
 * The SS popped by a return to another privilege level (or by any IRET in
 * 64-bit mode). NULL is allowed only when returning to 64-bit code at RPL < 3:
 * then false. Otherwise true, with the descriptor in @lo and @hi.
 */
static bool check_return_ss(CPUX86State *env, uint32_t ss, unsigned rpl, bool to64,
                            uint32_t *lo, uint32_t *hi, uintptr_t ra)
{
    if ((ss & 0xfffc) == 0) {
        if (!to64 || rpl == 3) {
            x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
        }
        return false;
    }
    if (!read_desc(env, ss, lo, hi, ra) || (ss & 3) != rpl || !(*hi & DESC_S_MASK) ||
        (*hi & DESC_CS_MASK) || !(*hi & DESC_W_MASK) || x86_desc_dpl(*hi) != rpl) {
        raise_sel(env, EXCP0D_GPF, ss, ra);
    }
    if (!(*hi & DESC_P_MASK)) {
        raise_sel(env, EXCP0C_STACK, ss, ra);
    }
    return true;
}

/* Load CS and (if @load_ss) SS for a protected-mode return; rSP = @sp. */
static void commit_return(CPUX86State *env, uint32_t cs, uint32_t cs_lo, uint32_t cs_hi,
                          bool load_ss, uint32_t ss, bool ss_valid, uint32_t ss_lo,
                          uint32_t ss_hi, uint64_t sp, uint64_t sp_mask, uint64_t rip,
                          uintptr_t ra)
{
    unsigned rpl = cs & 3, old_cpl = cur_cpl(env);

    cs_hi = set_accessed(env, cs, cs_hi, ra);
    if (load_ss && ss_valid) {
        ss_hi = set_accessed(env, ss, ss_hi, ra);
    }
    load_cs(env, cs, rpl, cs_lo, cs_hi);
    if (load_ss) {
        if (ss_valid) {
            x86_seg_from_desc(&env->segs[R_SS], ss, ss_lo, ss_hi);
        } else {
            x86_seg_null_ss(&env->segs[R_SS], rpl);
            env->segs[R_SS].selector = ss;
        }
        sp_mask = desc_code64(env, cs_hi) ? ~0ull : ss_mask(env->segs[R_SS].flags);
    }
    set_rsp(env, sp, sp_mask);
    env->rip = rip;
    if (rpl > old_cpl) {
        x86_seg_null_outer(env, rpl);
    }
}

static void lret_prot(CPUX86State *env, unsigned opsize, unsigned imm, uintptr_t ra)
{
    X86Stack st;
    uint32_t lo, hi, ss = 0, ss_lo = 0, ss_hi = 0;
    bool ss_valid = false;

    stack_cur(&st, env, ra);
    uint64_t eip = stack_pop(&st, opsize);
    uint32_t cs = stack_pop(&st, opsize) & 0xffff;
    unsigned rpl = cs & 3;

    check_return_cs(env, cs, &lo, &hi, ra);
    check_new_rip(env, hi, eip, ra);
    st.sp += imm;
    if (rpl == cur_cpl(env)) {
        commit_return(env, cs, lo, hi, false, 0, false, 0, 0, st.sp, st.mask, eip, ra);
        return;
    }
    /* Return to an outer level: SS:rSP follow on the stack (SDM RET). */
    uint64_t sp = stack_pop(&st, opsize);
    ss = stack_pop(&st, opsize) & 0xffff;
    ss_valid = check_return_ss(env, ss, rpl, desc_code64(env, hi), &ss_lo, &ss_hi, ra);
    commit_return(env, cs, lo, hi, true, ss, ss_valid, ss_lo, ss_hi, sp + imm, 0, eip, ra);
}

void helper_lret(CPUX86State *env, uint32_t opsize, uint32_t imm)
{
    uintptr_t ra = GETPC();
    if (!(env->hflags & HF_PE_MASK) || (env->hflags & HF_VM_MASK)) {
        X86Stack st;
        stack_cur(&st, env, ra);
        uint64_t eip = stack_pop(&st, opsize);
        uint32_t cs = stack_pop(&st, opsize) & 0xffff;
        set_rsp(env, st.sp + imm, st.mask);
        real_far_jump(env, cs, eip);
    } else {
        lret_prot(env, opsize, imm, ra);
    }
    x86_update_hflags(env);
}

/* ---- IRET (SDM vol. 2 IRET "Operation") ---- */

#define IRET_ALWAYS (RFLAGS_ARITH | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT)

static void iret_set_rflags(CPUX86State *env, uint64_t val, uint64_t mask, unsigned opsize)
{
    if (opsize == 2) {
        mask &= 0xffff;
    }
    x86_cpu_set_rflags(env, (x86_cpu_get_rflags(env) & ~mask) | (val & mask));
}

static void iret_real(CPUX86State *env, unsigned opsize, uintptr_t ra)
{
    X86Stack st;
    stack_cur(&st, env, ra);
    uint64_t eip = stack_pop(&st, opsize);
    uint32_t cs = stack_pop(&st, opsize) & 0xffff;
    uint64_t fl = stack_pop(&st, opsize);
    uint64_t mask = IRET_ALWAYS | RFLAGS_IF | (3u << RFLAGS_IOPL_SHIFT);

    if (opsize == 4) {
        mask |= RFLAGS_RF | RFLAGS_AC | RFLAGS_ID;
    }
    set_rsp(env, st.sp, st.mask);
    real_far_jump(env, cs, eip);
    iret_set_rflags(env, fl, mask, opsize);
}

/* Virtual-8086 mode: IOPL-sensitive; IOPL, VM, VIF and VIP are kept (SDM §20.2.7). */
static void iret_vm86(CPUX86State *env, unsigned opsize, uintptr_t ra)
{
    X86Stack st;
    uint64_t mask = IRET_ALWAYS | RFLAGS_IF;

    if (((env->rflags >> RFLAGS_IOPL_SHIFT) & 3) != 3) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
    stack_cur(&st, env, ra);
    uint64_t eip = stack_pop(&st, opsize);
    uint32_t cs = stack_pop(&st, opsize) & 0xffff;
    uint64_t fl = stack_pop(&st, opsize);
    if (opsize == 4) {
        mask |= RFLAGS_RF | RFLAGS_AC | RFLAGS_ID;
    }
    set_rsp(env, st.sp, st.mask);
    real_far_jump(env, cs, eip);
    iret_set_rflags(env, fl, mask, opsize);
}

/* IRETD at CPL 0 with VM set in the image: back to virtual-8086 mode (SDM IRET). */
static void iret_to_vm86(CPUX86State *env, X86Stack *st, uint64_t eip, uint32_t cs,
                         uint64_t fl)
{
    uint32_t sp = stack_pop(st, 4);
    uint32_t ss = stack_pop(st, 4);
    uint32_t es = stack_pop(st, 4);
    uint32_t ds = stack_pop(st, 4);
    uint32_t fs = stack_pop(st, 4);
    uint32_t gs = stack_pop(st, 4);

    x86_cpu_set_rflags(env, (fl & 0x3f7fd5u) | RFLAGS_VM);
    x86_seg_load_vm86(&env->segs[R_CS], cs);
    x86_seg_load_vm86(&env->segs[R_SS], ss);
    x86_seg_load_vm86(&env->segs[R_ES], es);
    x86_seg_load_vm86(&env->segs[R_DS], ds);
    x86_seg_load_vm86(&env->segs[R_FS], fs);
    x86_seg_load_vm86(&env->segs[R_GS], gs);
    env->regs[R_ESP] = sp;
    env->rip = (uint16_t)eip;
}

static void iret_prot(CPUX86State *env, unsigned opsize, uintptr_t ra)
{
    unsigned cpl = cur_cpl(env);
    unsigned iopl = (env->rflags >> RFLAGS_IOPL_SHIFT) & 3;
    bool lma = env->hflags & HF_LMA_MASK;
    X86Stack st;
    uint32_t lo, hi, ss = 0, ss_lo = 0, ss_hi = 0;
    bool ss_valid = false;

    if (env->rflags & RFLAGS_NT) {
        if (lma) {
            x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
        }
        task_switch_unimp(env, "IRET with NT (task return)", env->tr.selector, ra);
    }
    stack_cur(&st, env, ra);
    uint64_t eip = stack_pop(&st, opsize);
    uint32_t cs = stack_pop(&st, opsize) & 0xffff;
    uint64_t fl = stack_pop(&st, opsize);

    if (opsize == 4 && (fl & RFLAGS_VM) && cpl == 0 && !lma) {
        iret_to_vm86(env, &st, eip, cs, fl);
        return;
    }
    check_return_cs(env, cs, &lo, &hi, ra);
    unsigned rpl = cs & 3;
    bool to64 = desc_code64(env, hi);
    check_new_rip(env, hi, eip, ra);

    /* In 64-bit mode IRET always pops SS:RSP (SDM IRET, IA-32e mode). */
    bool pop_ss = rpl != cpl || (env->hflags & HF_CS64_MASK);
    uint64_t sp = st.sp;
    if (pop_ss) {
        sp = stack_pop(&st, opsize);
        ss = stack_pop(&st, opsize) & 0xffff;
        ss_valid = check_return_ss(env, ss, rpl, to64, &ss_lo, &ss_hi, ra);
    }

    uint64_t mask = IRET_ALWAYS;
    if (opsize >= 4) {
        mask |= RFLAGS_RF | RFLAGS_AC | RFLAGS_ID;
    }
    if (cpl <= iopl) {
        mask |= RFLAGS_IF;
    }
    if (cpl == 0) {
        mask |= 3u << RFLAGS_IOPL_SHIFT;
        if (opsize >= 4) {
            mask |= RFLAGS_VIF | RFLAGS_VIP;
        }
    }
    commit_return(env, cs, lo, hi, pop_ss, ss, ss_valid, ss_lo, ss_hi, sp, st.mask, eip,
                  ra);
    iret_set_rflags(env, fl, mask, opsize);
}

void helper_iret(CPUX86State *env, uint32_t opsize)
{
    uintptr_t ra = GETPC();

    /* IRET unblocks NMIs even when it faults (SDM §6.7.1). */
    env->events.nmi_masked = false;
    if (!(env->hflags & HF_PE_MASK)) {
        iret_real(env, opsize, ra);
    } else if (env->hflags & HF_VM_MASK) {
        iret_vm86(env, opsize, ra);
    } else {
        iret_prot(env, opsize, ra);
    }
    x86_update_hflags(env);
}

/* ---- LLDT, LTR (SDM vol. 2; 16-byte descriptors in IA-32e mode, §7.2.3) ---- */

/* A GDT system descriptor of @want type(s) for LLDT/LTR; returns base in *base. */
static void read_sys_desc(CPUX86State *env, uint32_t sel, bool tss, uint32_t *lo,
                          uint32_t *hi, uint64_t *base, uintptr_t ra)
{
    bool lma = env->hflags & HF_LMA_MASK;

    if (sel & 4) {
        raise_sel(env, EXCP0D_GPF, sel, ra);
    }
    if (!read_desc(env, sel, lo, hi, ra) || (*hi & DESC_S_MASK)) {
        raise_sel(env, EXCP0D_GPF, sel, ra);
    }
    unsigned type = x86_desc_type(*hi);
    bool ok = tss ? (type == X86_SYS_TSS32 || (!lma && type == X86_SYS_TSS16))
                  : type == X86_SYS_LDT;
    if (!ok) {
        raise_sel(env, EXCP0D_GPF, sel, ra);
    }
    *base = x86_desc_base(*lo, *hi);
    if (lma) {
        uint32_t w2, w3;
        if (!read_desc_upper(env, sel, &w2, &w3, ra) || x86_desc_type(w3) != 0 ||
            (w3 & DESC_S_MASK)) {
            raise_sel(env, EXCP0D_GPF, sel, ra);
        }
        *base |= (uint64_t)w2 << 32;
        if (!x86_is_canonical(*base)) {
            raise_sel(env, EXCP0D_GPF, sel, ra);
        }
    }
    if (!(*hi & DESC_P_MASK)) {
        raise_sel(env, EXCP0B_NOSEG, sel, ra);
    }
}

void helper_lldt(CPUX86State *env, uint32_t sel)
{
    uintptr_t ra = GETPC();
    uint32_t lo, hi;
    uint64_t base;

    sel &= 0xffff;
    if ((sel & 0xfffc) == 0) {
        /* A NULL selector marks LDTR unusable: any LDT reference then faults. */
        x86_seg_set(&env->ldt, sel, 0, 0, 0);
        return;
    }
    read_sys_desc(env, sel, false, &lo, &hi, &base, ra);
    x86_seg_set(&env->ldt, sel, base, x86_desc_limit(lo, hi), hi & X86_DESC_ATTR_MASK);
}

void helper_ltr(CPUX86State *env, uint32_t sel)
{
    uintptr_t ra = GETPC();
    uint32_t lo, hi;
    uint64_t base;

    sel &= 0xffff;
    if ((sel & 0xfffc) == 0) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
    read_sys_desc(env, sel, true, &lo, &hi, &base, ra);
    hi |= X86_DESC_TSS_BUSY;
    sys_stl(env, env->gdt.base + (sel & 0xfff8) + 4, hi, ra);
    x86_seg_set(&env->tr, sel, base, x86_desc_limit(lo, hi), hi & X86_DESC_ATTR_MASK);
}

/* ---- LAR, LSL, VERR, VERW: ZF = 1 when the selector passes (SDM vol. 2) ---- */

static void set_zf(CPUX86State *env, bool zf)
{
    /* The translator materialized the flags (cc_op = CC_OP_EFLAGS). */
    env->rflags = zf ? env->rflags | RFLAGS_ZF : env->rflags & ~(uint64_t)RFLAGS_ZF;
}

/*
 * The descriptor of @sel if LAR/LSL/VERR/VERW may look at it: not NULL,
 * within the table, and (unless conforming code) DPL >= CPL and DPL >= RPL.
 */
static bool visible_desc(CPUX86State *env, uint32_t sel, uint32_t *lo, uint32_t *hi,
                         uintptr_t ra)
{
    unsigned dpl;
    if ((sel & 0xfffc) == 0 || !read_desc(env, sel, lo, hi, ra)) {
        return false;
    }
    dpl = x86_desc_dpl(*hi);
    if ((*hi & DESC_S_MASK) && (*hi & DESC_CS_MASK) && (*hi & DESC_C_MASK)) {
        return true;
    }
    return dpl >= cur_cpl(env) && dpl >= (sel & 3);
}

static bool sys_type_ok(CPUX86State *env, unsigned type, bool lar)
{
    if (env->hflags & HF_LMA_MASK) {
        return type == X86_SYS_LDT || type == X86_SYS_TSS32 ||
               type == X86_SYS_TSS32_BUSY || (lar && type == X86_SYS_CALL32);
    }
    switch (type) {
    case X86_SYS_TSS16: case X86_SYS_LDT: case X86_SYS_TSS16_BUSY:
    case X86_SYS_TSS32: case X86_SYS_TSS32_BUSY:
        return true;
    case X86_SYS_CALL16: case X86_SYS_TASK: case X86_SYS_CALL32:
        return lar;
    default:
        return false;
    }
}

uint64_t helper_lar(CPUX86State *env, uint32_t sel)
{
    uint32_t lo, hi;
    bool ok = visible_desc(env, sel & 0xffff, &lo, &hi, GETPC()) &&
              ((hi & DESC_S_MASK) || sys_type_ok(env, x86_desc_type(hi), true));
    set_zf(env, ok);
    return ok ? hi & X86_DESC_ATTR_MASK : 0;
}

uint64_t helper_lsl(CPUX86State *env, uint32_t sel)
{
    uint32_t lo, hi;
    bool ok = visible_desc(env, sel & 0xffff, &lo, &hi, GETPC()) &&
              ((hi & DESC_S_MASK) || sys_type_ok(env, x86_desc_type(hi), false));
    set_zf(env, ok);
    return ok ? x86_desc_limit(lo, hi) : 0;
}

void helper_verr(CPUX86State *env, uint32_t sel)
{
    uint32_t lo, hi;
    bool ok = visible_desc(env, sel & 0xffff, &lo, &hi, GETPC()) && (hi & DESC_S_MASK) &&
              (!(hi & DESC_CS_MASK) || (hi & DESC_R_MASK));
    set_zf(env, ok);
}

void helper_verw(CPUX86State *env, uint32_t sel)
{
    uint32_t lo, hi;
    bool ok = visible_desc(env, sel & 0xffff, &lo, &hi, GETPC()) && (hi & DESC_S_MASK) &&
              !(hi & DESC_CS_MASK) && (hi & DESC_W_MASK);
    set_zf(env, ok);
}

/* SGDT/SIDT/SLDT/STR (and SMSW) with CR4.UMIP at CPL > 0: #GP(0) (SDM §2.5). */
void helper_check_umip(CPUX86State *env)
{
    if ((env->cr[4] & CR4_UMIP_MASK) && cur_cpl(env) > 0) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, GETPC());
    }
}
