/*
 * Register dumps in QEMU's `info registers` layout, so habits and scripts that
 * read QEMU's output carry over.
 */
#include "target/i386/cpu.h"
#include "system/cpus.h"
#include "monitor/monitor.h"

static const char *const sys_type_name[2][16] = {
    { /* 32-bit mode */
        "Reserved", "TSS16-avl", "LDT", "TSS16-busy",
        "CallGate16", "TaskGate", "IntGate16", "TrapGate16",
        "Reserved", "TSS32-avl", "Reserved", "TSS32-busy",
        "CallGate32", "Reserved", "IntGate32", "TrapGate32",
    },
    { /* 64-bit mode */
        "<hiword>", "Reserved", "LDT", "Reserved", "Reserved",
        "Reserved", "Reserved", "Reserved", "Reserved",
        "TSS64-avl", "Reserved", "TSS64-busy", "CallGate64",
        "Reserved", "IntGate64", "TrapGate64",
    },
};

static void dump_seg(GString *out, const CPUX86State *env, const char *name,
                     const SegmentCache *sc)
{
    bool lma = env->efer & EFER_LMA;
    bool cs64 = lma && (env->segs[R_CS].flags & DESC_L_MASK);

    if (cs64) {
        g_string_append_printf(out, "%-3s=%04x %016" PRIx64 " %08x %08x", name,
                               sc->selector, sc->base, sc->limit, sc->flags & 0x00ffff00);
    } else {
        g_string_append_printf(out, "%-3s=%04x %08x %08x %08x", name, sc->selector,
                               (uint32_t)sc->base, sc->limit, sc->flags & 0x00ffff00);
    }
    if ((env->cr[0] & CR0_PE_MASK) && (sc->flags & DESC_P_MASK)) {
        g_string_append_printf(out, " DPL=%u ", (sc->flags & DESC_DPL_MASK) >> DESC_DPL_SHIFT);
        if (sc->flags & DESC_S_MASK) {
            if (sc->flags & DESC_CS_MASK) {
                g_string_append(out, (sc->flags & DESC_L_MASK) ? "CS64" :
                                     (sc->flags & DESC_B_MASK) ? "CS32" : "CS16");
                g_string_append_printf(out, " [%c%c", (sc->flags & DESC_C_MASK) ? 'C' : '-',
                                       (sc->flags & DESC_R_MASK) ? 'R' : '-');
            } else {
                g_string_append(out, ((sc->flags & DESC_B_MASK) || lma) ? "DS  " : "DS16");
                g_string_append_printf(out, " [%c%c", (sc->flags & DESC_E_MASK) ? 'E' : '-',
                                       (sc->flags & DESC_W_MASK) ? 'W' : '-');
            }
            g_string_append_printf(out, "%c]", (sc->flags & DESC_A_MASK) ? 'A' : '-');
        } else {
            g_string_append(out, sys_type_name[lma ? 1 : 0]
                                              [(sc->flags & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT]);
        }
    }
    g_string_append_c(out, '\n');
}

static const char *const mp_state_names[] = {
    "runnable", "uninitialized", "wait-for-SIPI", "halted", "SIPI-received",
};

void x86_cpu_dump_state(CPUState *cs, GString *out, int flags)
{
    X86CPU *cpu = X86_CPU(cs);
    CPUX86State *env = &cpu->env;
    bool lma = env->efer & EFER_LMA;
    bool cs64 = lma && (env->segs[R_CS].flags & DESC_L_MASK);
    uint32_t rfl = x86_cpu_get_rflags(env);   /* TCG keeps CF..OF lazily */
    unsigned cpl = (env->cr[0] & CR0_PE_MASK)
                   ? (env->segs[R_SS].flags & DESC_DPL_MASK) >> DESC_DPL_SHIFT : 0;
    if (rfl & RFLAGS_VM) {
        cpl = 3;
    }
    static const char *const names64[16] = {
        "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
        "R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15",
    };
    /* QEMU's order: A B C D / SI DI BP SP / R8.. */
    static const int order[16] = {
        R_EAX, R_EBX, R_ECX, R_EDX, R_ESI, R_EDI, R_EBP, R_ESP,
        R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
    };

    if (cs64) {
        for (int i = 0; i < 16; i++) {
            g_string_append_printf(out, "%s=%016" PRIx64 "%c", names64[order[i]],
                                   env->regs[order[i]], i % 4 == 3 ? '\n' : ' ');
        }
        g_string_append_printf(out, "RIP=%016" PRIx64, env->rip);
    } else {
        static const char *const names32[8] = {
            "EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI",
        };
        for (int i = 0; i < 8; i++) {
            g_string_append_printf(out, "%s=%08x%c", names32[order[i]],
                                   (uint32_t)env->regs[order[i]], i % 4 == 3 ? '\n' : ' ');
        }
        g_string_append_printf(out, "EIP=%08x", (uint32_t)env->rip);
    }
    g_string_append_printf(out, " %s=%08x [%c%c%c%c%c%c%c] CPL=%u II=%u A20=%u SMM=%u "
                           "HLT=%u\n", cs64 ? "RFL" : "EFL", rfl,
                           rfl & RFLAGS_DF ? 'D' : '-', rfl & RFLAGS_OF ? 'O' : '-',
                           rfl & RFLAGS_SF ? 'S' : '-', rfl & RFLAGS_ZF ? 'Z' : '-',
                           rfl & RFLAGS_AF ? 'A' : '-', rfl & RFLAGS_PF ? 'P' : '-',
                           rfl & RFLAGS_CF ? 'C' : '-', cpl,
                           env->events.interrupt_shadow ? 1 : 0, env->a20_enabled,
                           env->events.smm, env->mp_state == X86_MP_HALTED || cs->halted);
    static const char *const seg_names[NB_SEGS] = { "ES", "CS", "SS", "DS", "FS", "GS" };
    for (int i = 0; i < NB_SEGS; i++) {
        dump_seg(out, env, seg_names[i], &env->segs[i]);
    }
    dump_seg(out, env, "LDT", &env->ldt);
    dump_seg(out, env, "TR", &env->tr);
    if (cs64) {
        g_string_append_printf(out, "GDT=     %016" PRIx64 " %08x\n", env->gdt.base,
                               env->gdt.limit);
        g_string_append_printf(out, "IDT=     %016" PRIx64 " %08x\n", env->idt.base,
                               env->idt.limit);
        g_string_append_printf(out, "CR0=%08x CR2=%016" PRIx64 " CR3=%016" PRIx64
                               " CR4=%08x\n", (uint32_t)env->cr[0], env->cr[2], env->cr[3],
                               (uint32_t)env->cr[4]);
        for (int i = 0; i < 4; i++) {
            g_string_append_printf(out, "DR%d=%016" PRIx64 " ", i, env->dr[i]);
        }
        g_string_append_printf(out, "\nDR6=%016" PRIx64 " DR7=%016" PRIx64 "\n", env->dr[6],
                               env->dr[7]);
    } else {
        g_string_append_printf(out, "GDT=     %08x %08x\n", (uint32_t)env->gdt.base,
                               env->gdt.limit);
        g_string_append_printf(out, "IDT=     %08x %08x\n", (uint32_t)env->idt.base,
                               env->idt.limit);
        g_string_append_printf(out, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n",
                               (uint32_t)env->cr[0], (uint32_t)env->cr[2],
                               (uint32_t)env->cr[3], (uint32_t)env->cr[4]);
        for (int i = 0; i < 4; i++) {
            g_string_append_printf(out, "DR%d=%08x ", i, (uint32_t)env->dr[i]);
        }
        g_string_append_printf(out, "\nDR6=%08x DR7=%08x\n", (uint32_t)env->dr[6],
                               (uint32_t)env->dr[7]);
    }
    g_string_append_printf(out, "EFER=%016" PRIx64 "\n", env->efer);

    if (flags & CPU_DUMP_FPU) {
        uint16_t fsw = x86_fxsave_fsw(env);
        g_string_append_printf(out, "FCW=%04x FSW=%04x [ST=%d] FTW=%02x MXCSR=%08x\n",
                               x86_fxsave_fcw(env), fsw, (fsw >> 11) & 7,
                               x86_fxsave_ftw(env), x86_fxsave_mxcsr(env));
        /* ST/MM registers at offset 32, 16 bytes apart (80 bits used). */
        for (int i = 0; i < 8; i++) {
            const uint8_t *r = env->xsave + 32 + 16 * i;
            uint64_t mant;
            uint16_t exp;
            memcpy(&mant, r, 8);
            memcpy(&exp, r + 8, 2);
            g_string_append_printf(out, "FPR%d=%016" PRIx64 " %04x%c", i, mant, exp,
                                   i % 2 ? '\n' : ' ');
        }
        /* XMM registers at offset 160. */
        int nxmm = cs64 ? 16 : 8;
        for (int i = 0; i < nxmm; i++) {
            const uint8_t *r = env->xsave + 160 + 16 * i;
            uint64_t lo, hi;
            memcpy(&lo, r, 8);
            memcpy(&hi, r + 8, 8);
            g_string_append_printf(out, "XMM%02d=%016" PRIx64 "%016" PRIx64 "%c", i, hi, lo,
                                   i % 2 ? '\n' : ' ');
        }
    }
    g_string_append_printf(out, "APIC_ID=%u APIC_BASE=%016" PRIx64 " MP_STATE=%s TSC=%016"
                           PRIx64 "\n", cpu->apic_id, env->apic_base,
                           env->mp_state < ARRAY_SIZE(mp_state_names)
                           ? mp_state_names[env->mp_state] : "?", env->tsc);
    const X86PendingEvents *ev = &env->events;
    if (ev->exception_injected || ev->exception_pending || ev->interrupt_injected ||
        ev->nmi_injected || ev->nmi_pending) {
        g_string_append_printf(out, "EVENTS: exception %s%s vector %u error %#x, "
                               "interrupt %s vector %u, NMI %s%s\n",
                               ev->exception_injected ? "injected" : "",
                               ev->exception_pending ? "pending" : "", ev->exception_nr,
                               ev->exception_error_code,
                               ev->interrupt_injected ? "injected" : "none",
                               ev->interrupt_nr, ev->nmi_injected ? "injected" : "",
                               ev->nmi_pending ? "pending" : "");
    }
}

void x86_cpu_info_registers(GString *out)
{
    CPUState *cs;
    if (!first_cpu) {
        g_string_append(out, "No CPU (this machine or accelerator runs none)\n");
        return;
    }
    CPU_FOREACH(cs) {
        cpu_synchronize_state(cs);
        g_string_append_printf(out, "CPU#%d\n", cs->cpu_index);
        cpu_dump_state(cs, out, CPU_DUMP_FPU);
    }
}

static void register_info(void)
{
    monitor_register_info("registers", "show the registers of every CPU",
                          x86_cpu_info_registers);
}
type_init(register_info)
