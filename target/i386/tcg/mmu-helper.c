/*
 * x86 paging for TCG (SDM vol. 3 ch. 4): 32-bit, PAE and 4-level IA-32e
 * page walks with accessed/dirty updates, 2 MiB/4 MiB/1 GiB pages, NX, U/S,
 * R/W with CR0.WP, SMEP and SMAP, reserved-bit checks, #PF error codes and
 * CR2; identity mapping with paging off; #GP/#SS for non-canonical addresses
 * and #AC for misaligned ones (the engine's do_unaligned_access hook). The
 * result fills the softmmu TLB (tlb_set_page).
 *
 * Page-table entries are read and updated with physical accesses through
 * address_space_memory; PCID, protection keys and LA57 are not modelled yet.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "system/memory.h"
#include "util/rcu.h"
#include "target/i386/tcg/tcg-internal.h"
#include "target/i386/tcg/sys-internal.h"

typedef struct X86WalkCPUID X86WalkCPUID;

#define PG_P   (1ull << 0)
#define PG_RW  (1ull << 1)
#define PG_US  (1ull << 2)
#define PG_A   (1ull << 5)
#define PG_D   (1ull << 6)
#define PG_PS  (1ull << 7)
#define PG_G   (1ull << 8)
#define PG_NX  (1ull << 63)

/* #PF error code bits (SDM vol. 3 §4.7). */
#define PF_P    (1u << 0)
#define PF_W    (1u << 1)
#define PF_U    (1u << 2)
#define PF_RSVD (1u << 3)
#define PF_I    (1u << 4)

/* Bits 51:12 of a 64-bit entry address the next level (reserved above MAXPHYADDR). */
#define PG_ADDR_MASK 0x000ffffffffff000ull

/* Bits @hi:@lo (hi >= lo). */
#define BITS(hi, lo) ((~0ull >> (63 - (hi))) & (~0ull << (lo)))

/*
 * Page-table reads of one walk. A walk's entries nearly always sit in one RAM
 * range of the memory map, so the range found for the last entry is tried
 * first: a 4-level walk does one flatview search instead of four. The view is
 * taken once per walk inside an RCU section (its ranges stay valid until the
 * walk ends); an entry outside RAM takes the memory API's general path, which
 * also reports an access to nothing as all-ones.
 */
typedef struct PTEReader {
    FlatView *fv;
    const FlatRange *fr;       /* the RAM range of the last entry, or NULL */
    uint8_t *host;             /* fr's RAM at fr->start */
} PTEReader;

static void pte_reader_start(PTEReader *rd)
{
    rcu_read_lock();
    rd->fv = address_space_to_flatview(&address_space_memory);
    rd->fr = NULL;
    rd->host = NULL;
}

static void pte_reader_end(PTEReader *rd)
{
    rd->fr = NULL;
    rcu_read_unlock();
}

static uint64_t pte_load(PTEReader *rd, hwaddr a, bool wide)
{
    unsigned size = wide ? 8 : 4;
    const FlatRange *fr = rd->fr;

    if (!fr || a < fr->start || a > fr->last || fr->last - a < size - 1) {
        fr = flatview_lookup(rd->fv, a);
        if (!fr || !fr->ram || fr->last - a < size - 1) {
            MemTxResult res;
            return wide ? address_space_ldq_le(&address_space_memory, a, &res)
                        : address_space_ldl_le(&address_space_memory, a, &res);
        }
        rd->fr = fr;
        rd->host = (uint8_t *)memory_region_get_ram_ptr(fr->mr) + fr->offset_in_region;
    }
    const uint8_t *p = rd->host + (a - fr->start);
    /* One load, as the hardware reads an entry; little-endian host. */
    if (wide) {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static void pte_set_bits(hwaddr a, bool wide, uint64_t old, uint64_t bits)
{
    MemTxResult res;
    if ((old & bits) == bits) {
        return;
    }
    /* Only the low dword holds A and D: a 32-bit store keeps NX intact. */
    address_space_stl_le(&address_space_memory, a, (uint32_t)(old | bits), &res);
    (void)wide;
}

/*
 * Reserved bits of a 4 MiB page's PDE in 32-bit paging (SDM vol. 3 Table 4-4):
 * with PSE-36, bits (M-20):13 are physical-address bits (M-1):32 for
 * M = min(MAXPHYADDR, 40) and bits 21:(M-19) are reserved; without PSE-36
 * bits 21:13 are.
 */
static uint64_t pde4m_reserved(const X86WalkCPUID *w)
{
    if (!w->pse36) {
        return BITS(21, 13);
    }
    unsigned m = MIN(w->phys_bits, 40u);
    return BITS(21, m - 19);
}

/*
 * The CPUID facts a walk needs (MAXPHYADDR, PSE-36, 1-GByte pages), searched
 * for once per CPUID table instead of on every walk. The key is the table's
 * address and size and cpu->cpuid_gen: x86_cpu_build_cpuid and
 * x86_cpu_clear_cpuid_bits bump the generation (a rebuilt table may land at
 * the freed one's address), and pointing cpu->cpuid at another table changes
 * the address.
 */
static const X86WalkCPUID *walk_cpuid(X86CPU *cpu)
{
    X86WalkCPUID *w = &cpu->walk_cpuid;
    if (G_UNLIKELY(!w->valid || w->table != cpu->cpuid || w->nr != cpu->nr_cpuid ||
                   w->gen != cpu->cpuid_gen)) {
        w->phys_bits = x86_phys_bits(cpu);
        w->pse36 = x86_cpuid_has(cpu, 1, 0, 'd', 17);
        w->pdpe1g = x86_cpuid_has(cpu, 0x80000001, 0, 'd', 26);
        w->table = cpu->cpuid;
        w->nr = cpu->nr_cpuid;
        w->gen = cpu->cpuid_gen;
        w->valid = true;
    }
    return w;
}

/*
 * Walk the page tables for @addr. Returns true with *paddr (of @addr),
 * *prot (PAGE_* this MMU index may use without another walk) and *page_size,
 * or false with *vector (14, 13, or 12 for a non-canonical address through an
 * X86_MMU_STACK index) and *err.
 *
 * A reserved bit set in any entry the walk reads (SDM vol. 3 §4.5 "Reserved
 * bits", Tables 4-4 to 4-20: bits MAXPHYADDR and up of an address, XD without
 * EFER.NXE, PS in a PML4E or in a PDPTE without 1-GByte pages, the bits
 * between the PAT bit and the page address of a large page) ends the walk
 * with #PF, P and RSVD set in the error code (§4.7).
 */
bool x86_mmu_translate(CPUX86State *env, uint64_t addr, MMUAccessType access,
                       int mmu_idx, hwaddr *paddr, int *prot, uint64_t *page_size,
                       int *vector, uint32_t *err)
{
    X86CPU *cpu = x86_env_get_cpu(env);
    const X86WalkCPUID *cw;
    PTEReader rd;
    int base_idx = x86_mmu_base(mmu_idx);
    bool user = base_idx == X86_MMU_USER;
    bool is_write = access == MMU_DATA_STORE, is_exec = access == MMU_INST_FETCH;
    uint64_t cr0 = env->cr[0], cr4 = env->cr[4];
    bool nxe = env->efer & EFER_NXE;
    bool lma = env->efer & EFER_LMA;
    uint32_t code = (is_write ? PF_W : 0) | (user ? PF_U : 0);

    if (!(cr0 & CR0_PG_MASK)) {
        *paddr = addr & 0xffffffffull;     /* linear addresses are 32-bit here */
        if (lma) {
            *paddr = addr;
        }
        *prot = PAGE_READ | PAGE_WRITE | PAGE_EXEC;
        *page_size = TCG_PAGE_SIZE;
        return true;
    }

    if (is_exec && (nxe || (cr4 & CR4_SMEP_MASK))) {
        code |= PF_I;
    }
    cw = walk_cpuid(cpu);
    pte_reader_start(&rd);

    int levels;
    bool wide = true;
    uint64_t table;
    /* Reserved in every 64-bit entry: XD without NXE, address bits from MAXPHYADDR
     * up to 51 (IA-32e) or 62 (PAE, which has no ignored high bits). */
    uint64_t rsvd = nxe ? 0 : PG_NX;

    if (lma) {
        /* Canonical check (SDM vol. 1 §3.3.7.1): #GP(0), or #SS(0) through SS. */
        if ((uint64_t)((int64_t)(addr << 16) >> 16) != addr) {
            *vector = x86_mmu_is_stack(mmu_idx) ? EXCP0C_STACK : EXCP0D_GPF;
            *err = 0;
            pte_reader_end(&rd);
            return false;
        }
        rsvd |= BITS(51, cw->phys_bits);
        levels = 4;
        table = env->cr[3] & PG_ADDR_MASK;
    } else if (cr4 & CR4_PAE_MASK) {
        rsvd |= BITS(62, cw->phys_bits);
        /* PAE: the PDPTE comes from CR3[31:5] (SDM vol. 3 §4.4.1); bits 2:1, 8:5
         * and 63:MAXPHYADDR are reserved (XD too: Table 4-8). */
        hwaddr pdpte_a = (env->cr[3] & 0xffffffe0ull) + ((addr >> 30) & 3) * 8;
        uint64_t pdpte = pte_load(&rd, pdpte_a, true);
        if (!(pdpte & PG_P)) {
            goto fault;
        }
        if (pdpte & (0x1e6ull | BITS(63, cw->phys_bits))) {
            code |= PF_RSVD | PF_P;
            goto fault;
        }
        levels = 2;
        table = pdpte & PG_ADDR_MASK;
    } else {
        levels = 2;
        wide = false;
        table = env->cr[3] & 0xfffff000ull;
        rsvd = 0;
    }

    bool us_ok = true, rw_ok = true, nx = false;
    uint64_t pte = 0, size = TCG_PAGE_SIZE, base;
    hwaddr pte_addr = 0;

    for (int level = levels; level >= 1; level--) {
        unsigned shift = wide ? 12 + 9 * (level - 1) : 12 + 10 * (level - 1);
        unsigned idx = wide ? (addr >> shift) & 0x1ff : (addr >> shift) & 0x3ff;
        pte_addr = table + idx * (wide ? 8 : 4);
        pte = pte_load(&rd, pte_addr, wide);
        if (!(pte & PG_P)) {
            goto fault;
        }
        bool leaf = level == 1;
        uint64_t level_rsvd = rsvd;
        if (!leaf && (pte & PG_PS)) {
            if (!wide) {
                /* 32-bit paging ignores PS without CR4.PSE. */
                if (cr4 & CR4_PSE_MASK) {
                    leaf = true;
                    level_rsvd = pde4m_reserved(cw);
                }
            } else if (level == 4 ||
                       (level == 3 && !cw->pdpe1g)) {
                /* PS is reserved in a PML4E, and in a PDPTE without 1-GByte pages. */
                level_rsvd |= PG_PS;
            } else {
                /* 1 GiB (PDPTE) or 2 MiB (PDE) page: bits 29:13 or 20:13 (above
                 * the PAT bit, below the page address) are reserved. */
                leaf = true;
                level_rsvd |= BITS(shift - 1, 13);
            }
        }
        if (pte & level_rsvd) {
            code |= PF_RSVD | PF_P;
            goto fault;
        }
        if (leaf && level > 1) {
            size = 1ull << shift;
        }
        us_ok &= (pte & PG_US) != 0;
        rw_ok &= (pte & PG_RW) != 0;
        nx |= nxe && (pte & PG_NX);
        if (leaf) {
            break;
        }
        pte_set_bits(pte_addr, wide, pte, PG_A);
        table = pte & (wide ? PG_ADDR_MASK : 0xfffff000ull);
    }

    /* Permissions (SDM vol. 3 §4.6). */
    bool wp = cr0 & CR0_WP_MASK;
    bool smap = (cr4 & CR4_SMAP_MASK) && us_ok && !user && base_idx == X86_MMU_KERNEL;
    bool smep = (cr4 & CR4_SMEP_MASK) && us_ok && !user;
    int p = 0;
    if (user) {
        if (us_ok) {
            p = PAGE_READ | (rw_ok ? PAGE_WRITE : 0) | (nx ? 0 : PAGE_EXEC);
        }
    } else {
        if (!smap) {
            p = PAGE_READ | ((rw_ok || !wp) ? PAGE_WRITE : 0);
        }
        if (!nx && !smep) {
            p |= PAGE_EXEC;
        }
    }
    int need = is_write ? PAGE_WRITE : is_exec ? PAGE_EXEC : PAGE_READ;
    if (!(p & need)) {
        code |= PF_P;
        goto fault;
    }
    /* Accessed on every leaf use, dirty on a write; before the first write
     * the TLB entry is read-only so that the write comes back here. */
    pte_set_bits(pte_addr, wide, pte, PG_A | (is_write ? PG_D : 0));
    if (!is_write && !(pte & PG_D)) {
        p &= ~PAGE_WRITE;
    }

    if (size == TCG_PAGE_SIZE) {
        base = pte & (wide ? PG_ADDR_MASK : 0xfffff000ull);
    } else if (wide) {
        base = pte & PG_ADDR_MASK & ~(size - 1);
    } else {
        /* 4 MiB page: bits 20:13 of the PDE are physical address bits 39:32. */
        base = (pte & 0xffc00000ull) | ((pte & 0x1fe000ull) << 19);
    }
    *paddr = base | (addr & (size - 1));
    /* Global page (SDM vol. 3 §4.10.2.4): G in the entry that maps the page, with
     * CR4.PGE; such TLB entries survive MOV to CR3 (§4.10.4.1). */
    if ((cr4 & CR4_PGE_MASK) && (pte & PG_G)) {
        p |= PAGE_GLOBAL;
    }
    *prot = p;
    *page_size = size;
    pte_reader_end(&rd);
    return true;

fault:
    pte_reader_end(&rd);
    *vector = EXCP0E_PAGE;
    *err = code;
    return false;
}

bool x86_cpu_tlb_fill(CPUState *cs, uint64_t addr, int size, MMUAccessType access,
                      int mmu_idx, bool probe, uintptr_t retaddr)
{
    CPUX86State *env = cpu_env(cs);
    hwaddr paddr;
    int prot, vector;
    uint64_t page_size;
    uint32_t err;

    if (x86_mmu_translate(env, addr, access, mmu_idx, &paddr, &prot, &page_size,
                          &vector, &err)) {
        /* The TLB maps 4 KiB pages: the one holding @addr, inside a large page. */
        tlb_set_page(cs, addr & TCG_PAGE_MASK, paddr & TCG_PAGE_MASK, prot, mmu_idx,
                     page_size);
        return true;
    }
    if (probe) {
        return false;
    }
    emu_log_mask(LOG_MMU, "x86 mmu: %s at 0x%" PRIx64 " -> vector %d err 0x%x\n",
                 access == MMU_INST_FETCH ? "fetch" : access == MMU_DATA_STORE ?
                 "store" : "load", addr, vector, err);
    if (vector == EXCP0E_PAGE) {
        env->cr[2] = addr;
    }
    x86_raise_exception_err(env, vector, err, retaddr);
}

/*
 * Alignment checking (SDM vol. 3 §6.15 "Interrupt 17"). Generated code marks
 * its data accesses MO_ALIGN only in TBs with HF_AC_MASK, so reaching here
 * means CPL 3, CR0.AM and EFLAGS.AC. A non-canonical address is a #GP/#SS
 * first (segmentation checks precede alignment: measured on an AMD EPYC, a
 * misaligned non-canonical load gets #GP, a misaligned load from a
 * not-present page #AC).
 */
static G_NORETURN void raise_alignment(CPUX86State *env, uint64_t addr, int mmu_idx,
                                       uintptr_t retaddr)
{
    if ((env->efer & EFER_LMA) && !x86_is_canonical(addr)) {
        x86_raise_exception_err(env, x86_mmu_is_stack(mmu_idx) ? EXCP0C_STACK
                                                               : EXCP0D_GPF, 0, retaddr);
    }
    emu_log_mask(LOG_MMU, "x86 mmu: misaligned access at 0x%" PRIx64 " -> #AC\n", addr);
    x86_raise_exception_err(env, EXCP11_ALGN, 0, retaddr);
}

void x86_cpu_do_unaligned_access(CPUState *cs, uint64_t addr, MMUAccessType access,
                                 int mmu_idx, uintptr_t retaddr)
{
    (void)access;
    raise_alignment(cpu_env(cs), addr, mmu_idx, retaddr);
}

void x86_check_alignment(CPUX86State *env, uint64_t addr, unsigned align, int mmu_idx,
                         uintptr_t retaddr)
{
    if ((env->hflags & HF_AC_MASK) && (addr & (align - 1))) {
        raise_alignment(env, addr, mmu_idx, retaddr);
    }
}
