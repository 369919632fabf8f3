/*
 * Segment descriptors and segment-register caches, shared by the segment
 * helpers (seg-helper.c, syscall-helper.c) and interrupt delivery
 * (excp-helper.c). Layout: SDM vol. 3 §3.4.5 (code/data), §3.5 (system
 * descriptors), §5.8.3.1 and §6.14.1 (16-byte IA-32e gates and TSS/LDT).
 */
#ifndef TARGET_I386_TCG_SEG_INTERNAL_H
#define TARGET_I386_TCG_SEG_INTERNAL_H

#include "target/i386/cpu.h"

/* System-segment and gate types (S = 0), SDM vol. 3 Table 3-2. */
enum {
    X86_SYS_TSS16 = 1,      /* available 16-bit TSS */
    X86_SYS_LDT = 2,
    X86_SYS_TSS16_BUSY = 3,
    X86_SYS_CALL16 = 4,
    X86_SYS_TASK = 5,
    X86_SYS_INT16 = 6,
    X86_SYS_TRAP16 = 7,
    X86_SYS_TSS32 = 9,      /* available 32-bit (64-bit in IA-32e mode) TSS */
    X86_SYS_TSS32_BUSY = 11,
    X86_SYS_CALL32 = 12,    /* 64-bit call gate in IA-32e mode */
    X86_SYS_INT32 = 14,
    X86_SYS_TRAP32 = 15,
};

/* The TSS busy bit (type bit 1). */
#define X86_DESC_TSS_BUSY (1u << 9)

/* Attribute bits of the high dword that a segment cache keeps (no base bits). */
#define X86_DESC_ATTR_MASK 0x00f0ff00u

/* Virtual-8086 segments: base = selector * 16, limit 64 KiB, data, DPL 3 (SDM §20.1.1). */
#define X86_VM86_SEG_FLAGS (DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK | \
                            (3u << DESC_DPL_SHIFT))

static inline uint64_t x86_desc_base(uint32_t lo, uint32_t hi)
{
    return (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
}

/* Byte-granular limit (G scales it by 4 KiB with the low 12 bits set). */
static inline uint32_t x86_desc_limit(uint32_t lo, uint32_t hi)
{
    uint32_t limit = (lo & 0xffff) | (hi & 0x000f0000u);
    return (hi & DESC_G_MASK) ? (limit << 12) | 0xfff : limit;
}

static inline unsigned x86_desc_dpl(uint32_t hi)
{
    return (hi >> DESC_DPL_SHIFT) & 3;
}

static inline unsigned x86_desc_type(uint32_t hi)
{
    return (hi >> DESC_TYPE_SHIFT) & 15;
}

static inline void x86_seg_set(SegmentCache *sc, uint32_t sel, uint64_t base,
                               uint32_t limit, uint32_t flags)
{
    sc->selector = sel & 0xffff;
    sc->base = base;
    sc->limit = limit;
    sc->flags = flags;
}

static inline void x86_seg_from_desc(SegmentCache *sc, uint32_t sel, uint32_t lo,
                                     uint32_t hi)
{
    x86_seg_set(sc, sel, x86_desc_base(lo, hi), x86_desc_limit(lo, hi),
                hi & X86_DESC_ATTR_MASK);
}

/* Real mode keeps the hidden limit and attributes ("unreal" mode): only base moves. */
static inline void x86_seg_load_real(SegmentCache *sc, uint32_t sel)
{
    sc->selector = sel & 0xffff;
    sc->base = (sel & 0xffff) << 4;
}

static inline void x86_seg_load_vm86(SegmentCache *sc, uint32_t sel)
{
    x86_seg_set(sc, sel, (sel & 0xffff) << 4, 0xffff, X86_VM86_SEG_FLAGS);
}

/*
 * The NULL SS of IA-32e mode (SDM §6.14.4, §5.8.5): selector = RPL = the new
 * CPL, no base or limit; the attributes keep DPL = CPL and a 32-bit stack.
 */
static inline void x86_seg_null_ss(SegmentCache *sc, unsigned cpl)
{
    x86_seg_set(sc, cpl, 0, 0, (cpl << DESC_DPL_SHIFT) | DESC_S_MASK | DESC_W_MASK |
                DESC_A_MASK | DESC_P_MASK | DESC_B_MASK);
}

/* Flat 4 GiB segments that SYSCALL/SYSENTER and their returns load (SDM vol. 2). */
static inline void x86_seg_flat(SegmentCache *sc, uint32_t sel, bool code, bool code64,
                                unsigned dpl)
{
    uint32_t f = DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | DESC_G_MASK |
                 (dpl << DESC_DPL_SHIFT);
    if (code) {
        f |= DESC_CS_MASK | DESC_R_MASK | (code64 ? DESC_L_MASK : DESC_B_MASK);
    } else {
        f |= DESC_W_MASK | DESC_B_MASK;
    }
    x86_seg_set(sc, sel, 0, 0xffffffff, f);
}

static inline bool x86_is_canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

#endif
