/*
 * Exception and interrupt delivery for TCG (SDM vol. 3 ch. 6): IA-32e IDT
 * gates (interrupt and trap gates, IST, privilege change with the stack from
 * the TSS, error codes), 16/32-bit protected-mode interrupt and trap gates
 * (privilege change with SS:ESP from the TSS, virtual-8086 mode -> PL0),
 * real-mode IVT delivery, the double-fault rules of §6.15 Table 6-5 and
 * triple fault -> reset; external interrupts and NMI at instruction
 * boundaries (IF, STI/MOV SS shadow).
 *
 * Task gates (a task switch) are not implemented: they log under -d unimp
 * and raise #GP(vector) like a bad gate.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "system/memory.h"
#include "system/runstate.h"
#include "target/i386/tcg/tcg-internal.h"
#include "target/i386/tcg/seg-internal.h"

int (*x86_cpu_ack_interrupt)(CPUState *cs);

typedef struct DeliverFault {
    int vector;
    uint32_t err;
} DeliverFault;

static bool fault(DeliverFault *f, int vector, uint32_t err)
{
    f->vector = vector;
    f->err = err;
    return false;
}

/* Accesses by linear address with the privilege of @mmu_idx. */
static bool lin_access_mmu(CPUX86State *env, uint64_t addr, void *buf, unsigned len,
                           bool write, int mmu_idx, DeliverFault *f)
{
    uint8_t *p = buf;
    while (len) {
        unsigned chunk = MIN(len, TCG_PAGE_SIZE - (addr & (TCG_PAGE_SIZE - 1)));
        hwaddr pa;
        int prot, vector;
        uint64_t psize;
        uint32_t err;
        if (!x86_mmu_translate(env, addr, write ? MMU_DATA_STORE : MMU_DATA_LOAD,
                               mmu_idx, &pa, &prot, &psize, &vector, &err)) {
            if (vector == EXCP0E_PAGE) {
                env->cr[2] = addr;
            }
            return fault(f, vector, err);
        }
        if (write) {
            address_space_write(&address_space_memory, pa, p, chunk);
            tb_invalidate_phys_range(pa, pa + chunk);
        } else {
            address_space_read(&address_space_memory, pa, p, chunk);
        }
        addr += chunk;
        p += chunk;
        len -= chunk;
    }
    return true;
}

/* Implicit supervisor accesses (IDT, GDT, TSS, inner stacks) by linear address. */
static bool lin_access(CPUX86State *env, uint64_t addr, void *buf, unsigned len,
                       bool write, DeliverFault *f)
{
    return lin_access_mmu(env, addr, buf, len, write, X86_MMU_KERNEL, f);
}

/* Linear addresses of system structures wrap at 4 GiB outside IA-32e mode. */
static uint64_t sys_lin(CPUX86State *env, uint64_t addr)
{
    return (env->hflags & HF_LMA_MASK) ? addr : (uint32_t)addr;
}

static bool load_desc(CPUX86State *env, uint32_t sel, uint32_t *lo, uint32_t *hi,
                      uint32_t ext, DeliverFault *f)
{
    const SegmentCache *dt = (sel & 4) ? &env->ldt : &env->gdt;
    uint32_t index = sel & ~7u;
    uint32_t d[2];
    if (index + 7 > dt->limit) {
        return fault(f, EXCP0D_GPF, (sel & ~3u) | ext);
    }
    if (!lin_access(env, sys_lin(env, dt->base + index), d, 8, false, f)) {
        return false;
    }
    *lo = GUINT32_FROM_LE(d[0]);
    *hi = GUINT32_FROM_LE(d[1]);
    return true;
}

static bool deliver_long(CPUX86State *env, int vector, bool is_int, bool has_err,
                         uint32_t err, uint64_t next_rip, DeliverFault *f)
{
    unsigned cpl = env->hflags & HF_CPL_MASK;
    uint32_t ext = is_int ? 0 : 1;
    uint32_t idt_err = vector * 8 + 2 + ext;
    uint32_t g[4];

    if (vector * 16 + 15 > env->idt.limit) {
        return fault(f, EXCP0D_GPF, idt_err);
    }
    if (!lin_access(env, env->idt.base + vector * 16, g, 16, false, f)) {
        return false;
    }
    unsigned type = (g[1] >> 8) & 0x1f;
    unsigned dpl = (g[1] >> DESC_DPL_SHIFT) & 3;
    if (type != 0x0e && type != 0x0f) {
        return fault(f, EXCP0D_GPF, idt_err);
    }
    /* Software interrupts check the gate's DPL (SDM §6.12.1.1). */
    if (is_int && dpl < cpl) {
        return fault(f, EXCP0D_GPF, idt_err);
    }
    if (!(g[1] & DESC_P_MASK)) {
        return fault(f, EXCP0B_NOSEG, idt_err);
    }
    uint32_t sel = g[0] >> 16;
    uint64_t target = (g[0] & 0xffff) | (g[1] & 0xffff0000u) | ((uint64_t)g[2] << 32);
    unsigned ist = g[1] & 7;
    uint32_t d0, d1;

    if ((sel & ~3u) == 0) {
        return fault(f, EXCP0D_GPF, ext);
    }
    if (!load_desc(env, sel, &d0, &d1, ext, f)) {
        return false;
    }
    unsigned cs_dpl = (d1 >> DESC_DPL_SHIFT) & 3;
    if (!(d1 & DESC_S_MASK) || !(d1 & DESC_CS_MASK) || !(d1 & DESC_L_MASK) ||
        (d1 & DESC_B_MASK) || cs_dpl > cpl) {
        return fault(f, EXCP0D_GPF, (sel & ~3u) | ext);
    }
    if (!(d1 & DESC_P_MASK)) {
        return fault(f, EXCP0B_NOSEG, (sel & ~3u) | ext);
    }
    unsigned new_cpl = (d1 & DESC_C_MASK) ? cpl : cs_dpl;

    uint64_t rsp = env->regs[R_ESP];
    if (ist || new_cpl < cpl) {
        /* 64-bit TSS: RSPn at 4 + 8n, ISTn at 36 + 8(n-1) (SDM §7.7). */
        uint32_t off = ist ? 36 + 8 * (ist - 1) : 4 + 8 * new_cpl;
        if (off + 7 > env->tr.limit) {
            return fault(f, EXCP0A_TSS, (env->tr.selector & ~3u) | ext);
        }
        if (!lin_access(env, env->tr.base + off, &rsp, 8, false, f)) {
            return false;
        }
    }
    rsp &= ~0xfull;     /* SDM §6.14.2: the new RSP is 16-byte aligned */

    uint64_t frame[6];
    unsigned n = 0;
    if (has_err) {
        frame[n++] = err;
    }
    frame[n++] = is_int ? next_rip : env->rip;
    frame[n++] = env->segs[R_CS].selector;
    frame[n++] = x86_cpu_get_rflags(env);
    frame[n++] = env->regs[R_ESP];
    frame[n++] = env->segs[R_SS].selector;
    rsp -= n * 8;
    /* INT n "64-bit gate": a non-canonical stack address is #SS(0) (the stack index
     * makes x86_mmu_translate say so). */
    if (!lin_access_mmu(env, rsp, frame, n * 8, true, X86_MMU_KERNEL + X86_MMU_STACK, f)) {
        return false;
    }

    if (new_cpl != cpl) {
        /* A NULL SS with RPL = new CPL (SDM §6.14.4). */
        env->segs[R_SS].selector = new_cpl;
        env->segs[R_SS].base = 0;
        env->segs[R_SS].limit = 0;
        env->segs[R_SS].flags = (new_cpl << DESC_DPL_SHIFT) | DESC_S_MASK | DESC_W_MASK |
                                DESC_A_MASK | DESC_P_MASK | DESC_B_MASK;
    }
    env->segs[R_CS].selector = (sel & ~3u) | new_cpl;
    env->segs[R_CS].base = 0;
    env->segs[R_CS].limit = 0xffffffff;
    env->segs[R_CS].flags = d1 & 0x00f0ff00u;
    env->regs[R_ESP] = rsp;
    env->rip = target;
    uint64_t rfl = x86_cpu_get_rflags(env) &
                   ~(uint64_t)(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM);
    if (type == 0x0e) {
        rfl &= ~(uint64_t)RFLAGS_IF;   /* interrupt gate */
    }
    x86_cpu_set_rflags(env, rfl);
    return true;
}

/* SS:ESP for privilege level @dpl from a 16- or 32-bit TSS (SDM §7.2.1, §7.6). */
static bool tss_stack(CPUX86State *env, unsigned dpl, uint32_t ext, uint32_t *ss,
                      uint32_t *sp, DeliverFault *f)
{
    unsigned type = x86_desc_type(env->tr.flags);
    bool tss32 = type & 8;
    uint32_t off = tss32 ? 4 + 8 * dpl : 2 + 4 * dpl;
    uint8_t b[6];

    /* Types 1, 3, 9, 11: a TSS, busy or not. */
    if (!(env->tr.flags & DESC_P_MASK) || (type & 5) != X86_SYS_TSS16 ||
        off + (tss32 ? 5 : 3) > env->tr.limit) {
        return fault(f, EXCP0A_TSS, (env->tr.selector & ~3u) | ext);
    }
    if (!lin_access(env, sys_lin(env, env->tr.base + off), b, tss32 ? 6 : 4, false, f)) {
        return false;
    }
    if (tss32) {
        *sp = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
        *ss = b[4] | b[5] << 8;
    } else {
        *sp = b[0] | b[1] << 8;
        *ss = b[2] | b[3] << 8;
    }
    return true;
}

/*
 * Push @n values of @size bytes (@v[0] ends up lowest) below @sp on a stack,
 * with the privilege of @cpl (a handler that stays at CPL 3 writes as user).
 */
static bool push_frame(CPUX86State *env, uint64_t base, uint32_t *sp, uint32_t mask,
                       const uint32_t *v, unsigned n, unsigned size, unsigned cpl,
                       DeliverFault *f)
{
    int idx = cpl == 3 ? X86_MMU_USER : X86_MMU_KERNEL;
    uint8_t buf[11 * 4];
    uint32_t new_sp = *sp - n * size;

    for (unsigned i = 0; i < n; i++) {
        for (unsigned j = 0; j < size; j++) {
            buf[i * size + j] = v[i] >> (8 * j);
        }
    }
    if ((*sp & mask) >= n * size) {
        if (!lin_access_mmu(env, (uint32_t)(base + (new_sp & mask)), buf, n * size, true,
                            idx, f)) {
            return false;
        }
    } else {
        /* The frame wraps around the bottom of the stack segment. */
        for (unsigned i = 0; i < n; i++) {
            uint32_t a = (uint32_t)(base + ((new_sp + i * size) & mask));
            if (!lin_access_mmu(env, a, buf + i * size, size, true, idx, f)) {
                return false;
            }
        }
    }
    *sp = new_sp;
    return true;
}

/*
 * 16/32-bit protected mode (SDM §6.12.1, Figure 6-4; §20.3.1 from virtual-8086
 * mode): interrupt and trap gates, stack switch to the handler's privilege
 * level with SS:ESP from the TSS, error code, IF cleared by interrupt gates.
 */
static bool deliver_prot(CPUX86State *env, int vector, bool is_int, bool has_err,
                         uint32_t err, uint64_t next_rip, DeliverFault *f)
{
    unsigned cpl = env->hflags & HF_CPL_MASK;
    bool vm86 = env->rflags & RFLAGS_VM;
    uint32_t ext = is_int ? 0 : 1;
    uint32_t idt_err = vector * 8 + 2 + ext;
    uint8_t gb[8];

    /* INT n in virtual-8086 mode needs IOPL 3 without VME (SDM §20.3.1.1);
     * INT3 and INTO are not IOPL-sensitive (their vectors stand for them here). */
    if (vm86 && is_int && ((env->rflags >> RFLAGS_IOPL_SHIFT) & 3) != 3 &&
        vector != EXCP03_INT3 && vector != EXCP04_INTO) {
        return fault(f, EXCP0D_GPF, 0);
    }
    if (vector * 8 + 7 > env->idt.limit) {
        return fault(f, EXCP0D_GPF, idt_err);
    }
    if (!lin_access(env, sys_lin(env, env->idt.base + vector * 8), gb, 8, false, f)) {
        return false;
    }
    uint32_t g0 = gb[0] | gb[1] << 8 | gb[2] << 16 | (uint32_t)gb[3] << 24;
    uint32_t g1 = gb[4] | gb[5] << 8 | gb[6] << 16 | (uint32_t)gb[7] << 24;
    unsigned type = x86_desc_type(g1), dpl = x86_desc_dpl(g1);
    if (g1 & DESC_S_MASK) {
        return fault(f, EXCP0D_GPF, idt_err);
    }
    if (type == X86_SYS_TASK) {
        emu_log_mask(LOG_UNIMP, "x86 tcg: vector %d through a task gate is not "
                     "implemented: #GP\n", vector);
        return fault(f, EXCP0D_GPF, idt_err);
    }
    if (type != X86_SYS_INT16 && type != X86_SYS_TRAP16 && type != X86_SYS_INT32 &&
        type != X86_SYS_TRAP32) {
        return fault(f, EXCP0D_GPF, idt_err);
    }
    if (is_int && dpl < cpl) {
        return fault(f, EXCP0D_GPF, idt_err);
    }
    if (!(g1 & DESC_P_MASK)) {
        return fault(f, EXCP0B_NOSEG, idt_err);
    }
    bool gate32 = type & 8;
    unsigned size = gate32 ? 4 : 2;
    uint32_t sel = g0 >> 16;
    uint32_t target = (g0 & 0xffff) | (gate32 ? g1 & 0xffff0000u : 0);
    uint32_t d0, d1;

    if ((sel & ~3u) == 0) {
        return fault(f, EXCP0D_GPF, ext);
    }
    if (!load_desc(env, sel, &d0, &d1, ext, f)) {
        return false;
    }
    unsigned cs_dpl = x86_desc_dpl(d1);
    if (!(d1 & DESC_S_MASK) || !(d1 & DESC_CS_MASK) || cs_dpl > cpl) {
        return fault(f, EXCP0D_GPF, (sel & ~3u) | ext);
    }
    if (!(d1 & DESC_P_MASK)) {
        return fault(f, EXCP0B_NOSEG, (sel & ~3u) | ext);
    }

    uint32_t frame[11];
    unsigned n = 0;
    uint64_t rfl = x86_cpu_get_rflags(env);
    unsigned new_cpl;
    uint32_t ss = 0, ss0 = 0, ss1 = 0, sp, mask;
    uint64_t base;
    bool stack_switch = !(d1 & DESC_C_MASK) && cs_dpl < cpl;

    if (has_err) {
        frame[n++] = err;
    }
    frame[n++] = is_int ? next_rip : env->rip;
    frame[n++] = env->segs[R_CS].selector;
    frame[n++] = rfl;
    if (stack_switch) {
        /* Inner stack from the TSS (SDM §6.12.1.1). */
        if (vm86 && cs_dpl != 0) {
            return fault(f, EXCP0D_GPF, (sel & ~3u) | ext);
        }
        new_cpl = cs_dpl;
        if (!tss_stack(env, new_cpl, ext, &ss, &sp, f)) {
            return false;
        }
        uint32_t ss_err = (ss & ~3u) | ext;
        const SegmentCache *dt = (ss & 4) ? &env->ldt : &env->gdt;
        if ((ss & ~3u) == 0 || (ss & ~7u) + 7 > dt->limit) {
            return fault(f, EXCP0A_TSS, ss_err);
        }
        if (!load_desc(env, ss, &ss0, &ss1, ext, f)) {
            return false;
        }
        if ((ss & 3) != new_cpl || x86_desc_dpl(ss1) != new_cpl || !(ss1 & DESC_S_MASK) ||
            (ss1 & DESC_CS_MASK) || !(ss1 & DESC_W_MASK)) {
            return fault(f, EXCP0A_TSS, ss_err);
        }
        if (!(ss1 & DESC_P_MASK)) {
            return fault(f, EXCP0C_STACK, ss_err);
        }
        base = x86_desc_base(ss0, ss1);
        mask = (ss1 & DESC_B_MASK) ? 0xffffffffu : 0xffff;
        frame[n++] = env->regs[R_ESP];
        frame[n++] = env->segs[R_SS].selector;
        if (vm86) {
            frame[n++] = env->segs[R_ES].selector;
            frame[n++] = env->segs[R_DS].selector;
            frame[n++] = env->segs[R_FS].selector;
            frame[n++] = env->segs[R_GS].selector;
        }
    } else {
        if (vm86) {
            return fault(f, EXCP0D_GPF, (sel & ~3u) | ext);
        }
        new_cpl = cpl;
        sp = env->regs[R_ESP];
        base = env->segs[R_SS].base;
        mask = (env->segs[R_SS].flags & DESC_B_MASK) ? 0xffffffffu : 0xffff;
    }
    if (!push_frame(env, base, &sp, mask, frame, n, size, new_cpl, f)) {
        return false;
    }

    if (stack_switch) {
        if (vm86) {
            /* The handler starts with NULL data segments (SDM §20.3.1.1). */
            x86_seg_set(&env->segs[R_ES], 0, 0, 0, 0);
            x86_seg_set(&env->segs[R_DS], 0, 0, 0, 0);
            x86_seg_set(&env->segs[R_FS], 0, 0, 0, 0);
            x86_seg_set(&env->segs[R_GS], 0, 0, 0, 0);
        }
        x86_seg_from_desc(&env->segs[R_SS], ss, ss0, ss1);
    }
    if (mask == 0xffff) {
        env->regs[R_ESP] = (env->regs[R_ESP] & ~0xffffull) | (sp & 0xffff);
    } else {
        env->regs[R_ESP] = sp;
    }
    x86_seg_from_desc(&env->segs[R_CS], (sel & ~3u) | new_cpl, d0, d1);
    env->rip = gate32 ? target : (uint16_t)target;
    rfl &= ~(uint64_t)(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM);
    if (type == X86_SYS_INT16 || type == X86_SYS_INT32) {
        rfl &= ~(uint64_t)RFLAGS_IF;
    }
    x86_cpu_set_rflags(env, rfl);
    return true;
}

/* Real-address mode (SDM §6.1, vol. 1 ...): the IVT of 4-byte CS:IP vectors. */
static bool deliver_real(CPUX86State *env, int vector, bool is_int, uint64_t next_rip,
                         DeliverFault *f)
{
    uint16_t v[2], frame[3];
    if (vector * 4 + 3 > env->idt.limit) {
        return fault(f, EXCP0D_GPF, 0);
    }
    if (!lin_access(env, env->idt.base + vector * 4, v, 4, false, f)) {
        return false;
    }
    uint16_t sp = env->regs[R_ESP] - 6;
    frame[0] = is_int ? next_rip : env->rip;
    frame[1] = env->segs[R_CS].selector;
    frame[2] = x86_cpu_get_rflags(env);
    if (!lin_access(env, env->segs[R_SS].base + sp, frame, 6, true, f)) {
        return false;
    }
    env->regs[R_ESP] = (env->regs[R_ESP] & ~0xffffull) | sp;
    env->segs[R_CS].selector = v[1];
    env->segs[R_CS].base = (uint32_t)v[1] << 4;
    env->rip = v[0];
    x86_cpu_set_rflags(env, x86_cpu_get_rflags(env) &
                       ~(uint64_t)(RFLAGS_IF | RFLAGS_TF | RFLAGS_AC | RFLAGS_RF));
    return true;
}

static bool has_error_code(int vector)
{
    return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21;
}

static bool contributory(int vector)
{
    return vector == 0 || (vector >= 10 && vector <= 13);
}

/*
 * Deliver @vector: a software interrupt (@is_int: INT n, INT3, INTO), an
 * exception, or an external interrupt or NMI (@external). Only exceptions
 * push an error code: an external interrupt whose vector is 8, 10-14, 17 or
 * 21 (the BIOS's IRQ 0-7 at vectors 8-15) pushes none (SDM §6.13), and it is
 * a benign event for the double-fault rules (SDM §6.15, Table 6-4).
 */
static void deliver(CPUState *cs, int vector, bool is_int, bool external, uint32_t err)
{
    CPUX86State *env = cpu_env(cs);
    bool has_err = !is_int && !external && has_error_code(vector);

    for (;;) {
        DeliverFault f;
        bool ok;

        x86_update_hflags(env);
        emu_log_mask(LOG_INT, "x86: %s %d (0x%x) at %04x:%" PRIx64 " err 0x%x cr2 0x%"
                     PRIx64 " cpl %d\n", is_int ? "int" : "exception", vector, vector,
                     env->segs[R_CS].selector, env->rip, err, env->cr[2],
                     env->hflags & HF_CPL_MASK);
        if (env->hflags & HF_LMA_MASK) {
            ok = deliver_long(env, vector, is_int, has_err, err, env->exception_next_rip, &f);
        } else if (!(env->hflags & HF_PE_MASK)) {
            ok = deliver_real(env, vector, is_int, env->exception_next_rip, &f);
        } else {
            ok = deliver_prot(env, vector, is_int, has_err, err, env->exception_next_rip, &f);
        }
        if (ok) {
            break;
        }
        /* A fault while delivering (SDM §6.15, Table 6-5). */
        if (vector == EXCP08_DBLE && !is_int && !external) {
            emu_log_mask(LOG_INT | LOG_GUEST_ERROR, "x86: triple fault: resetting\n");
            system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
            cpu_set_exception_index(cs, EXCP_HLT);
            return;
        }
        if (!is_int && !external &&
            ((contributory(vector) && contributory(f.vector)) ||
             (vector == EXCP0E_PAGE &&
              (contributory(f.vector) || f.vector == EXCP0E_PAGE)))) {
            vector = EXCP08_DBLE;
            err = 0;
        } else {
            vector = f.vector;
            err = f.err;
        }
        is_int = false;
        external = false;
        has_err = has_error_code(vector);
    }
    env->exception_is_int = false;
    env->events.interrupt_shadow = 0;
    x86_update_hflags(env);
}

void x86_cpu_do_interrupt(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    int vector = cpu_exception_index(cs);

    if (vector < 0 || vector >= 256) {
        return;
    }
    cpu_set_exception_index(cs, EXCP_NONE);
    deliver(cs, vector, env->exception_is_int, false, env->error_code);
}

bool x86_cpu_exec_interrupt(CPUState *cs, int interrupt_request)
{
    CPUX86State *env = cpu_env(cs);

    if (env->events.interrupt_shadow) {
        return false;      /* STI / MOV SS shadow (SDM §6.8.3) */
    }
    /* INIT, SIPI and wait-for-SIPI (mp-helper.c): nothing else reaches such a CPU. */
    if ((interrupt_request & (CPU_INTERRUPT_INIT | CPU_INTERRUPT_SIPI)) ||
        env->mp_state == X86_MP_INIT_RECEIVED) {
        return x86_cpu_handle_init_sipi(cs, interrupt_request);
    }
    if ((interrupt_request & CPU_INTERRUPT_NMI) && !env->events.nmi_masked) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_NMI);
        env->events.nmi_masked = true;       /* until IRET */
        cs->halted = false;
        env->exception_is_int = false;
        deliver(cs, EXCP02_NMI, false, true, 0);
        return true;
    }
    if ((interrupt_request & CPU_INTERRUPT_HARD) && (env->rflags & RFLAGS_IF)) {
        int vector = x86_cpu_ack_interrupt ? x86_cpu_ack_interrupt(cs) : -1;
        if (vector < 0) {
            return false;
        }
        cs->halted = false;
        env->exception_is_int = false;
        deliver(cs, vector & 0xff, false, true, 0);
        return true;
    }
    return false;
}
