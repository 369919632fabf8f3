/*
 * The x86-64 CPU: architectural state (CPUX86State), the CPU object and its
 * models ("qemu64", "max", "host"), CPUID, reset, and the boot entry applied
 * to the bootstrap processor when emu loads the guest itself.
 *
 * State layout follows the Intel SDM vol. 3 and is what accelerators marshal
 * to and from (target/i386/kvm/ for KVM). Segment descriptor caches keep the
 * attribute bits at their positions in the descriptor's high dword (SDM vol. 3
 * §3.4.5), so "flags" can be compared with a GDT entry directly.
 */
#ifndef TARGET_I386_CPU_H
#define TARGET_I386_CPU_H

#include "hw/core/cpu.h"
#include "hw/i386/x86-boot.h"
#include "tcg/tcg-softmmu.h"

#define TYPE_X86_CPU "x86-cpu"
#define X86_CPU_TYPE_SUFFIX "-x86_64-cpu"
#define X86_CPU_TYPE_NAME(name) (name X86_CPU_TYPE_SUFFIX)
#define X86_CPU_DEFAULT_MODEL "qemu64"

enum {
    R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
    R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
    CPU_NB_REGS = 16,
};

enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS, NB_SEGS };

/* Descriptor attribute bits (SDM vol. 3 §3.4.5, Figure 3-8), high dword. */
#define DESC_TYPE_SHIFT 8
#define DESC_TYPE_MASK  (15u << DESC_TYPE_SHIFT)
#define DESC_A_MASK     (1u << 8)
#define DESC_S_MASK     (1u << 12)
#define DESC_DPL_SHIFT  13
#define DESC_DPL_MASK   (3u << DESC_DPL_SHIFT)
#define DESC_P_MASK     (1u << 15)
#define DESC_AVL_MASK   (1u << 20)
#define DESC_L_MASK     (1u << 21)
#define DESC_B_MASK     (1u << 22)
#define DESC_G_MASK     (1u << 23)
/* Code/data type bits (S = 1). */
#define DESC_CS_MASK    (1u << 11)
#define DESC_C_MASK     (1u << 10)   /* code: conforming */
#define DESC_E_MASK     (1u << 10)   /* data: expand-down */
#define DESC_R_MASK     (1u << 9)    /* code: readable */
#define DESC_W_MASK     (1u << 9)    /* data: writable */

/* Control registers (SDM vol. 3 §2.5). */
#define CR0_PE_MASK (1u << 0)
#define CR0_MP_MASK (1u << 1)
#define CR0_EM_MASK (1u << 2)
#define CR0_TS_MASK (1u << 3)
#define CR0_ET_MASK (1u << 4)
#define CR0_NE_MASK (1u << 5)
#define CR0_WP_MASK (1u << 16)
#define CR0_AM_MASK (1u << 18)
#define CR0_NW_MASK (1u << 29)
#define CR0_CD_MASK (1u << 30)
#define CR0_PG_MASK (1u << 31)

#define CR4_PSE_MASK        (1u << 4)
#define CR4_PAE_MASK        (1u << 5)
#define CR4_PGE_MASK        (1u << 7)
#define CR4_OSFXSR_MASK     (1u << 9)
#define CR4_OSXMMEXCPT_MASK (1u << 10)
#define CR4_OSXSAVE_MASK    (1u << 18)

#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

#define RFLAGS_CF (1u << 0)
#define RFLAGS_FIXED (1u << 1)      /* reserved, always 1 */
#define RFLAGS_PF (1u << 2)
#define RFLAGS_AF (1u << 4)
#define RFLAGS_ZF (1u << 6)
#define RFLAGS_SF (1u << 7)
#define RFLAGS_TF (1u << 8)
#define RFLAGS_IF (1u << 9)
#define RFLAGS_DF (1u << 10)
#define RFLAGS_OF (1u << 11)
#define RFLAGS_IOPL_SHIFT 12
#define RFLAGS_NT (1u << 14)
#define RFLAGS_RF (1u << 16)
#define RFLAGS_VM (1u << 17)
#define RFLAGS_AC (1u << 18)
#define RFLAGS_VIF (1u << 19)
#define RFLAGS_VIP (1u << 20)
#define RFLAGS_ID (1u << 21)

/* MSRs emu keeps in CPUX86State (SDM vol. 4 table 2-2; KVM's paravirt MSRs). */
#define MSR_IA32_TSC               0x10
#define MSR_IA32_APICBASE          0x1b
#define MSR_IA32_APICBASE_BSP      (1u << 8)
#define MSR_IA32_APICBASE_EXTD     (1u << 10)
#define MSR_IA32_APICBASE_ENABLE   (1u << 11)
#define MSR_IA32_APICBASE_BASE     0xfffff000ull
#define MSR_IA32_FEATURE_CONTROL   0x3a
#define MSR_IA32_TSC_ADJUST        0x3b
#define MSR_IA32_SPEC_CTRL         0x48
#define MSR_IA32_UCODE_REV         0x8b
#define MSR_IA32_ARCH_CAPABILITIES 0x10a
#define MSR_IA32_SYSENTER_CS       0x174
#define MSR_IA32_SYSENTER_ESP      0x175
#define MSR_IA32_SYSENTER_EIP      0x176
#define MSR_MCG_STATUS             0x17a
#define MSR_MCG_CTL                0x17b
#define MSR_IA32_MISC_ENABLE       0x1a0
#define MSR_IA32_MISC_ENABLE_FAST_STRING (1u << 0)
#define MSR_PAT                    0x277
#define MSR_IA32_PERF_CAPABILITIES 0x345
#define MSR_IA32_TSC_DEADLINE      0x6e0
#define MSR_EFER                   0xc0000080
#define MSR_STAR                   0xc0000081
#define MSR_LSTAR                  0xc0000082
#define MSR_CSTAR                  0xc0000083
#define MSR_FMASK                  0xc0000084
#define MSR_FSBASE                 0xc0000100
#define MSR_GSBASE                 0xc0000101
#define MSR_KERNELGSBASE           0xc0000102
#define MSR_TSC_AUX                0xc0000103
#define MSR_KVM_WALL_CLOCK_NEW     0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW    0x4b564d01
#define MSR_KVM_ASYNC_PF_EN        0x4b564d02
#define MSR_KVM_STEAL_TIME         0x4b564d03
#define MSR_KVM_PV_EOI_EN          0x4b564d04
#define MSR_KVM_POLL_CONTROL       0x4b564d05
#define MSR_KVM_ASYNC_PF_INT       0x4b564d06

#define PAT_RESET_VALUE 0x0007040600070406ull

/* CPUID feature bits emu itself looks at. */
#define CPUID_1_EDX_APIC  (1u << 9)
#define CPUID_1_EDX_HTT   (1u << 28)
#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_XSAVE (1u << 26)
#define CPUID_1_ECX_OSXSAVE (1u << 27)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_7_0_EDX_ARCH_CAPABILITIES (1u << 29)
#define CPUID_7_0_EDX_SPEC_CTRL (1u << 26)
#define CPUID_80000001_EDX_RDTSCP (1u << 27)
#define CPUID_80000001_EDX_LM (1u << 29)
#define CPUID_80000001_ECX_CMP_LEGACY (1u << 1)
#define CPUID_80000001_ECX_TOPOEXT (1u << 22)

/* KVM paravirtual CPUID leaves (Linux Documentation/virt/kvm/x86/cpuid.rst). */
#define KVM_CPUID_SIGNATURE 0x40000000
#define KVM_CPUID_FEATURES  0x40000001

/* Size of the XSAVE image emu keeps (KVM_CAP_XSAVE2 may ask for more). */
#define X86_XSAVE_MIN_SIZE 4096
/* Legacy-region offsets (SDM vol. 1 §10.5.1, Table 10-2). */
#define X86_XSAVE_MXCSR_OFFSET 24
#define X86_XSAVE_ST_OFFSET    32    /* ST0/MM0 .. ST7/MM7, 16 bytes each */
#define X86_XSAVE_XMM_OFFSET   160   /* XMM0 .. XMM15, 16 bytes each */

typedef struct SegmentCache {
    uint32_t selector;
    uint64_t base;
    uint32_t limit;            /* byte granular, already expanded by G */
    uint32_t flags;            /* DESC_* bits */
} SegmentCache;

typedef struct X86CPUIDEntry {
    uint32_t function;
    uint32_t index;
    bool indexed;              /* the sub-leaf (ECX) selects the output */
    uint32_t eax, ebx, ecx, edx;
} X86CPUIDEntry;

/* An event being delivered or waiting (SDM vol. 3 §6.4, KVM's vcpu events). */
typedef struct X86PendingEvents {
    bool exception_injected;   /* delivery in progress */
    bool exception_pending;    /* recognised, not yet delivered */
    uint8_t exception_nr;
    bool exception_has_error_code;
    uint32_t exception_error_code;
    bool exception_has_payload;
    uint64_t exception_payload; /* CR2 for #PF, DR6 bits for #DB */
    bool interrupt_injected;
    uint8_t interrupt_nr;
    bool interrupt_soft;
    uint8_t interrupt_shadow;  /* STI / MOV SS blocking */
    bool nmi_injected;
    bool nmi_pending;
    bool nmi_masked;
    uint32_t sipi_vector;
    bool smm;
    bool triple_fault_pending;
} X86PendingEvents;

/* Multiprocessor state as KVM tracks it (KVM_MP_STATE_*). */
enum {
    X86_MP_RUNNABLE = 0,
    X86_MP_UNINITIALIZED = 1,
    X86_MP_INIT_RECEIVED = 2,   /* wait-for-SIPI */
    X86_MP_HALTED = 3,
    X86_MP_SIPI_RECEIVED = 4,
};

/*
 * Lazy flags for TCG (docs/devel/x86-translator.md). The arithmetic flags
 * (CF PF AF ZF SF OF) are described by cc_op and the operands cc_dst, cc_src,
 * cc_src2 of the last flag-setting operation; CC_OP_EFLAGS (= 0, so a zeroed
 * state is valid) means "they are in rflags". The width is the low 2 bits of
 * the operation kinds (B = 8, W = 16, L = 32, Q = 64 bits).
 */
typedef enum CCOp {
    CC_OP_EFLAGS = 0,   /* flags are in rflags */
#define X86_CCOP4(name) CC_OP_##name##B, CC_OP_##name##W, CC_OP_##name##L, \
                        CC_OP_##name##Q,
    X86_CCOP4(ADD)      /* dst = result, src = second operand */
    X86_CCOP4(ADC)      /* dst = result, src = second operand, src2 = carry in */
    X86_CCOP4(SUB)      /* dst = result, src = subtrahend */
    X86_CCOP4(SBB)      /* dst = result, src = subtrahend, src2 = borrow in */
    X86_CCOP4(LOGIC)    /* dst = result; CF = OF = AF = 0 */
    X86_CCOP4(INC)      /* dst = result, src = CF before (INC keeps CF) */
    X86_CCOP4(DEC)      /* dst = result, src = CF before */
    X86_CCOP4(SHL)      /* dst = result, src = operand << (count - 1) */
    X86_CCOP4(SAR)      /* SHR and SAR: dst = result, src = operand >> (count - 1) */
    X86_CCOP4(MUL)      /* dst = low half, src = non-zero when CF = OF = 1 */
    X86_CCOP4(TZCNT)    /* TZCNT/LZCNT: dst = result, src = source; CF = src == 0 */
    X86_CCOP4(POPCNT)   /* dst = source; ZF = dst == 0, all others 0 */
#undef X86_CCOP4
    CC_OP_NB,
    CC_OP_DYNAMIC = 0xff,   /* translator only: "whatever env->cc_op says" */
} CCOp;

#define CC_OP_SIZE(op) (((op) - 1) & 3)          /* MO_8 .. MO_64 */
#define CC_OP_KIND(op) ((((op) - 1) & ~3) + 1)   /* the B variant */

/* Arithmetic flags: the part of rflags the lazy-flag state describes. */
#define RFLAGS_ARITH (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | \
                      RFLAGS_OF)

/*
 * Translator mode bits (env->hflags, also the TB flags): everything that
 * changes the code generated for the same bytes (docs/devel/x86-translator.md).
 */
#define HF_CPL_MASK      3u           /* CPL = CS.RPL (SS.DPL) */
#define HF_PE_MASK       (1u << 2)    /* CR0.PE */
#define HF_LMA_MASK      (1u << 3)    /* EFER.LMA: IA-32e mode */
#define HF_CS64_MASK     (1u << 4)    /* 64-bit code (LMA and CS.L) */
#define HF_CS32_MASK     (1u << 5)    /* CS.D: 32-bit default operand size */
#define HF_SS32_MASK     (1u << 6)    /* SS.B: 32-bit stack */
#define HF_ADDSEG_MASK   (1u << 7)    /* DS/ES/SS base non-zero (not 64-bit) */
#define HF_VM_MASK       (1u << 8)    /* EFLAGS.VM */
#define HF_INHIBIT_IRQ_MASK (1u << 9) /* STI / MOV SS shadow: one insn per TB */
#define HF_TF_MASK       (1u << 10)   /* EFLAGS.TF */
#define HF_SMAP_AC_MASK  (1u << 11)   /* CR4.SMAP with EFLAGS.AC: SMAP suspended */
#define HF_PG_MASK       (1u << 12)   /* CR0.PG */
#define HF_OSFXSR_MASK   (1u << 13)   /* CR4.OSFXSR */
#define HF_EM_MASK       (1u << 14)   /* CR0.EM */
#define HF_TS_MASK       (1u << 15)   /* CR0.TS */
#define HF_MP_MASK       (1u << 16)   /* CR0.MP */
#define HF_IOPL_SHIFT    17           /* EFLAGS.IOPL, 2 bits */
#define HF_IOPL_MASK     (3u << HF_IOPL_SHIFT)
#define HF_SMAP_MASK     (1u << 19)   /* CR4.SMAP */
#define HF_SMEP_MASK     (1u << 20)   /* CR4.SMEP */
#define HF_AC_MASK       (1u << 21)   /* alignment checks: CPL 3, CR0.AM, EFLAGS.AC */

/*
 * Softmmu MMU indexes (one TLB each). SMAP (SDM vol. 3 §4.6.1) makes the same
 * supervisor data access behave differently with EFLAGS.AC, so AC=1 (or
 * CR4.SMAP = 0, which behaves the same) gets its own TLB instead of a flush on
 * every STAC/CLAC.
 */
enum {
    X86_MMU_KERNEL = 0,        /* CPL 0-2 data, SMAP enforced when CR4.SMAP */
    X86_MMU_USER = 1,          /* CPL 3 */
    X86_MMU_KERNEL_NOSMAP = 2, /* CPL 0-2 with EFLAGS.AC = 1 (STAC): no SMAP */
    /*
     * The same three for SS-relative accesses in 64-bit mode (X86_MMU_STACK +
     * one of the above): identical permissions, but a non-canonical address
     * raises #SS(0) instead of #GP(0) (SDM vol. 3 §6.15 "Interrupt 12").
     */
    X86_MMU_STACK = 3,
    X86_MMU_NB = 6,
};

#define CR4_SMEP_MASK (1u << 20)
#define CR4_SMAP_MASK (1u << 21)
#define CR4_FSGSBASE_MASK (1u << 16)
#define CR4_TSD_MASK  (1u << 2)
#define CR4_UMIP_MASK (1u << 11)   /* SGDT/SIDT/SLDT/STR/SMSW need CPL 0 */

typedef struct CPUX86State {
    /*
     * TCG softmmu fast-path TLB, first so generated code reaches it with
     * one-byte displacements (include/tcg/tcg-softmmu.h). Owned by accel/tcg.
     */
    CPUTLBFast tlb_fast[TCG_NB_MMU_MODES];

    uint64_t regs[CPU_NB_REGS];
    uint64_t rip;
    uint64_t rflags;

    SegmentCache segs[NB_SEGS];
    SegmentCache ldt;
    SegmentCache tr;
    SegmentCache gdt;          /* base and limit only */
    SegmentCache idt;

    uint64_t cr[5];            /* cr[0], cr[2], cr[3], cr[4]; cr[1] unused */
    uint64_t cr8;              /* task priority, as the LAPIC sees it */
    uint64_t efer;
    uint64_t dr[8];            /* dr[4], dr[5] unused */
    uint64_t xcr0;

    /* MSRs */
    uint64_t tsc;
    uint64_t tsc_adjust;
    uint64_t tsc_deadline;
    uint64_t apic_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t star, lstar, cstar, fmask;
    uint64_t kernelgsbase;
    uint64_t pat;
    uint64_t misc_enable;
    uint64_t tsc_aux;
    uint64_t spec_ctrl;
    uint64_t mcg_status;
    uint64_t system_time_msr;  /* kvmclock */
    uint64_t wall_clock_msr;
    uint64_t async_pf_en_msr;
    uint64_t async_pf_int_msr;
    uint64_t steal_time_msr;
    uint64_t pv_eoi_en_msr;
    uint64_t poll_control_msr;
    /* Feature MSRs: read-only to the guest, values chosen for the model. */
    uint64_t arch_capabilities;
    uint64_t perf_capabilities;
    uint64_t ucode_rev;
    /* TCG's own MSR state (target/i386/tcg/msr-helper.c): stored, no effect. */
#define X86_MCE_BANKS 10
    uint64_t mtrr_deftype;
    uint64_t mtrr_fixed[11];   /* 64K_00000, 16K_80000/A0000, 4K_C0000..F8000 */
    uint64_t mtrr_var[16];     /* PHYSBASE0, PHYSMASK0, PHYSBASE1... */
    uint64_t mcg_ctl;
    uint64_t mce_banks[4 * X86_MCE_BANKS];   /* CTL, STATUS, ADDR, MISC per bank */
    uint32_t pkru;             /* RDPKRU/WRPKRU (keys are not enforced by TCG) */

    /*
     * FPU, SSE, AVX...: the standard-format XSAVE image (SDM vol. 1 §13.4):
     * legacy FXSAVE region, XSAVE header, then components at the offsets
     * CPUID leaf 0xd gives. Use the accessors below for the legacy fields.
     */
    uint8_t *xsave;            /* xsave_area, or a larger heap copy KVM asked for */
    uint32_t xsave_size;
    /*
     * TCG keeps x87/MMX/SSE state right here (generated code reaches XMMn at
     * offsetof(CPUX86State, xsave_area) + X86_XSAVE_XMM_OFFSET + 16 * n), so
     * the image is the one representation of that state for every accelerator.
     */
    uint8_t xsave_area[X86_XSAVE_MIN_SIZE] __attribute__((aligned(64)));

    uint8_t lapic[1024];       /* LAPIC register page (in-kernel LAPIC image) */
    bool lapic_valid;

    X86PendingEvents events;
    uint32_t mp_state;         /* X86_MP_* */
    bool a20_enabled;

    uint64_t tsc_khz;

    /* ---- TCG only (target/i386/tcg) ---- */
    uint64_t cc_dst, cc_src, cc_src2;
    uint32_t cc_op;            /* CCOp */
    uint32_t hflags;           /* HF_*: recomputed by x86_update_hflags() */
    int32_t exit_request;      /* set by accel/tcg: leave chained TBs */
    void *tcg_jc;              /* set by accel/tcg: the vCPU's jump cache (inline
                                  probe of lookup_and_goto_ptr, TCGCPUOps) */
    int32_t error_code;        /* of the exception being raised */
    bool exception_is_int;     /* INT n/INT3/INTO: software interrupt */
    uint64_t exception_next_rip;  /* return RIP of a software interrupt */
    int old_exception;         /* vector being delivered (#DF detection), or -1 */
    uint64_t decode_features;  /* X86_FEATURE_BIT set for the decoder; 0 = unset */
    /* SSE/MMX memory operand, loaded here before the operation (translate-sse.c). */
    uint8_t sse_scratch[16] __attribute__((aligned(16)));
} CPUX86State;

typedef struct X86CPUModel X86CPUModel;

typedef struct X86CPU {
    CPUState parent_obj;
    CPUX86State env;

    uint32_t apic_id;
    /*
     * The emulated local APIC (hw/intc/apic.c) when emu provides the interrupt
     * controllers (TCG, qtest, KVM with kernel-irqchip=off); NULL under KVM's
     * in-kernel irqchip. RDMSR/WRMSR of APIC MSRs, CR8 and interrupt
     * acknowledge go through it.
     */
    struct APICState *apic;
    /* -cpu MODEL,+feat,-feat,feat=on|off: everything after the model name. */
    char *features;
    /* Topology for CPUID (from -smp). */
    uint32_t nr_threads;       /* threads per core */
    uint32_t nr_cores;         /* cores per die */
    uint32_t nr_dies;          /* dies per socket */
    uint32_t socket_id, die_id, core_id, thread_id;

    /* The CPUID the guest sees, built at realize. */
    X86CPUIDEntry *cpuid;
    int nr_cpuid;
    /* Bumped on every change to cpuid[] (build, clear_bits): caches key on it. */
    uint32_t cpuid_gen;
    /* The TCG page walker's CPUID facts (target/i386/tcg/mmu-helper.c). */
    struct X86WalkCPUID {
        const X86CPUIDEntry *table;    /* the key: cpuid, nr_cpuid, cpuid_gen */
        int nr;
        uint32_t gen;
        bool valid;
        bool pse36, pdpe1g;
        uint8_t phys_bits;
    } walk_cpuid;
    uint32_t cpuid_level, cpuid_xlevel;
    /* Why features were dropped (for -d boot). */
    GString *filtered;
    /*
     * The BSP's entry when emu loaded the guest itself (owned by the machine;
     * read at every reset, NULL or mode X86_BOOT_RESET_VECTOR: the reset vector).
     */
    const X86BootEntry *boot_entry;
} X86CPU;

typedef struct X86CPUClass {
    CPUClass parent_class;
    const X86CPUModel *model;
    void (*parent_realize)(DeviceState *dev, Error **errp);
} X86CPUClass;

DECLARE_OBJ_CHECKERS(X86CPU, X86CPUClass, X86_CPU, TYPE_X86_CPU)

/* Unchecked (no QOM cast): it is on the TB lookup path; every caller holds an x86 CPU. */
static inline CPUX86State *cpu_env(CPUState *cpu)
{
    return &container_of(cpu, X86CPU, parent_obj)->env;
}

static inline bool x86_cpu_is_bsp(X86CPU *cpu)
{
    return (cpu->env.apic_base & MSR_IA32_APICBASE_BSP) != 0;
}

/* ---- models and -cpu ---- */

/* "Available CPUs:" listing for -cpu help. */
void x86_cpu_list(GString *out);
/*
 * Check a -cpu argument (MODEL[,+feat][,-feat][,feat=on|off]...): the model
 * exists and every feature name is known. Error: "-cpu foo: unknown CPU model
 * (see -cpu help)".
 */
bool x86_cpu_check_spec(const char *spec, Error **errp);
/* The QOM type name of the model in @spec ("qemu64" -> "qemu64-x86_64-cpu"). */
char *x86_cpu_type_name_from_spec(const char *spec);

/* Topology: the initial APIC ID of CPU @index for this -smp layout. */
typedef struct X86Topology {
    unsigned sockets, dies, cores, threads;
} X86Topology;
uint32_t x86_apic_id_from_index(const X86Topology *topo, unsigned index);
void x86_topo_ids_from_index(const X86Topology *topo, unsigned index, unsigned *socket,
                             unsigned *die, unsigned *core, unsigned *thread);

/* Look up the guest CPUID (NULL when the leaf is absent). */
const X86CPUIDEntry *x86_cpu_get_cpuid(X86CPU *cpu, uint32_t function, uint32_t index);
/* Clear @mask in register @reg ('a','b','c','d') of a leaf, with a reason for -d boot. */
void x86_cpu_clear_cpuid_bits(X86CPU *cpu, uint32_t function, uint32_t index, char reg,
                              uint32_t mask, const char *why);

/* ---- state helpers ---- */

/* Architectural reset (SDM vol. 3 §9.1.1, Table 9-1), then the boot entry. */
void x86_cpu_reset_state(X86CPU *cpu);
void x86_cpu_dump_state(CPUState *cs, GString *out, int flags);
/* Reset value of the XSAVE image: FCW 0x37f, MXCSR 0x1f80, nothing in use. */
void x86_xsave_reset(CPUX86State *env);

/* Legacy FXSAVE-region fields of env->xsave (SDM vol. 1 §10.5.1, Table 10-2). */
static inline uint16_t x86_fxsave_fcw(const CPUX86State *env)
{
    return env->xsave[0] | env->xsave[1] << 8;
}
static inline uint16_t x86_fxsave_fsw(const CPUX86State *env)
{
    return env->xsave[2] | env->xsave[3] << 8;
}
static inline uint8_t x86_fxsave_ftw(const CPUX86State *env)
{
    return env->xsave[4];
}
static inline uint32_t x86_fxsave_mxcsr(const CPUX86State *env)
{
    uint32_t v;
    memcpy(&v, env->xsave + 24, 4);
    return v;
}

/*
 * TCG lazy flags: the full RFLAGS value (arithmetic bits computed from
 * cc_op), and the inverse. Accelerators other than TCG never change cc_op,
 * so there they are plain reads/writes of env->rflags.
 */
uint64_t x86_cpu_get_rflags(const CPUX86State *env);
void x86_cpu_set_rflags(CPUX86State *env, uint64_t rflags);
/* Arithmetic flags (RFLAGS_ARITH bits) described by cc_op and its operands. */
uint32_t x86_cc_compute_all(uint32_t cc_op, uint64_t dst, uint64_t src, uint64_t src2,
                            uint64_t rflags);
/*
 * TCG: acknowledge the highest-priority pending external interrupt of @cs
 * (LAPIC, or the 8259 through LINT0/ExtINT) and return its vector, or -1.
 * Set by whoever wires the interrupt controllers to the CPUs; NULL: none.
 * CPU_INTERRUPT_HARD stays requested while the controller has more.
 */
extern int (*x86_cpu_ack_interrupt)(CPUState *cs);
/* Recompute env->hflags from CR0/CR4/EFER/segments/RFLAGS. */
void x86_update_hflags(CPUX86State *env);

/* `info registers` for every CPU (syncs from the accelerator first). */
void x86_cpu_info_registers(GString *out);

#endif
