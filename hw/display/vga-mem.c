/*
 * The CPU's view of VGA memory through 0xa0000-0xbffff (IBM VGA TRM,
 * "Graphics Controller" and "Sequencer"):
 *
 *   - GR6 bits 3:2 pick the window: 0xa0000 128 KiB, 0xa0000 64 KiB,
 *     0xb0000 32 KiB or 0xb8000 32 KiB; the rest of 0xa0000-0xbffff is not
 *     decoded. Misc output bit 1 clear disables CPU access altogether.
 *   - Addressing: chain 4 (SR4 bit 3) takes the plane from A1:A0 and drops
 *     them from the plane address (so mode 13h uses every fourth byte of each
 *     plane, and dword-mode CRTC fetches find them); odd/even (SR4 bit 2 clear
 *     for writes, GR5 bit 4 for reads) takes the plane from A0 (even: 0/2,
 *     odd: 1/3; reads pick the pair with GR4 bit 1) and clears A0; otherwise
 *     the offset is the plane address and the map mask (SR2) picks the planes
 *     written, the read map select (GR4) the plane read.
 *   - Every read loads the four latches. Read mode 0 returns one plane; read
 *     mode 1 returns the colour compare (GR2, masked by GR7).
 *   - Write mode 0: data rotated (GR3 2:0), per plane replaced by set/reset
 *     (GR0) where GR1 enables it; mode 1: the latches; mode 2: data bits 3:0
 *     expanded to planes; mode 3: set/reset as data and the rotated data ANDed
 *     into the bit mask. Then the logical operation with the latches (GR3
 *     4:3: replace, AND, OR, XOR), the bit mask (GR8) choosing between result
 *     and latch (not in mode 1), and the map mask enabling planes.
 *
 * With VBE enabled, 0xa0000-0xaffff is the bank window, a RAM alias mapped
 * above this region (vga.c); what reaches here then is outside it.
 */
#include "vga-int.h"
#include "util/log.h"

/* A byte per plane, plane 0 in bits 7:0, from a 4-bit plane mask. */
static uint32_t expand_planes(unsigned mask4)
{
    uint32_t v = 0;
    for (int p = 0; p < 4; p++) {
        if (mask4 & (1u << p)) {
            v |= 0xffu << (8 * p);
        }
    }
    return v;
}

static uint32_t replicate(uint8_t b)
{
    return b * 0x01010101u;
}

static inline uint8_t rotate_right(uint8_t v, unsigned n)
{
    n &= 7;
    return n ? (uint8_t)((v >> n) | (v << (8 - n))) : v;
}

/* Offset @addr of 0xa0000-0xbffff to an offset in the mapped window, or false. */
static bool vga_window_offset(VGACommonState *s, hwaddr addr, uint32_t *off)
{
    switch ((s->gr[VGA_GFX_MISC] >> 2) & 3) {
    case 0:
        *off = addr;
        return true;
    case 1:
        *off = addr;
        return addr < 0x10000;
    case 2:
        *off = addr - 0x10000;
        return addr >= 0x10000 && addr < 0x18000;
    default:
        *off = addr - 0x18000;
        return addr >= 0x18000;
    }
}

static inline uint32_t plane_load(VGACommonState *s, uint32_t paddr)
{
    const uint8_t *p = s->vram_ptr + ((paddr & 0xffff) << 2);
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void plane_store(VGACommonState *s, uint32_t paddr, uint32_t v, uint32_t mask)
{
    uint8_t *p = s->vram_ptr + ((paddr & 0xffff) << 2);
    for (int i = 0; i < 4; i++) {
        if (mask & (0xffu << (8 * i))) {
            p[i] = v >> (8 * i);
        }
    }
    memory_region_set_dirty(&s->vram, (paddr & 0xffff) << 2, 4);
}

/* Outside the window, or CPU access disabled: hardware leaves the bus floating. */
static bool vga_access_dropped(VGACommonState *s, hwaddr addr, uint32_t *off, bool write)
{
    if (vbe_enabled(s)) {
        /* The bank alias covers 0xa0000-0xaffff; 0xb0000-0xbffff is not decoded. */
        if (addr < 0x10000) {
            *off = addr;
            return false;
        }
    } else if ((s->misc & VGA_MIS_ENB_MEM) && vga_window_offset(s, addr, off)) {
        return false;
    }
    s->window_drops++;
    emu_log_mask(LOG_GUEST_ERROR, "vga: %s at 0x%05" PRIx64 " dropped (%s)\n",
                 write ? "write" : "read", (uint64_t)(0xa0000 + addr),
                 !(s->misc & VGA_MIS_ENB_MEM) ? "CPU access disabled in misc output"
                                                : "outside the mapped window");
    return true;
}

/* Only reached with VBE on when the bank alias is not mapped (no container). */
static uint8_t *vbe_bank_ptr(VGACommonState *s, uint32_t off)
{
    uint64_t bank = s->vbe_regs[VBE_DISPI_INDEX_BANK] % (s->vram_size >> 16);
    return s->vram_ptr + (bank << 16) + (off & 0xffff);
}

uint8_t vga_mem_readb(VGACommonState *s, hwaddr addr)
{
    uint32_t off, paddr;
    unsigned plane;

    if (vga_access_dropped(s, addr, &off, false)) {
        return 0xff;
    }
    if (vbe_enabled(s)) {
        return *vbe_bank_ptr(s, off);
    }
    if (s->sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_CHN_4M) {
        plane = off & 3;
        paddr = off & ~3u;
    } else if (s->gr[VGA_GFX_MODE] & VGA_GR05_HOST_OE) {
        plane = (s->gr[VGA_GFX_PLANE_READ] & 2) | (off & 1);
        paddr = off & ~1u;
    } else {
        plane = s->gr[VGA_GFX_PLANE_READ] & 3;
        paddr = off;
    }
    s->latch = plane_load(s, paddr);
    if (!(s->gr[VGA_GFX_MODE] & VGA_GR05_READ_MODE1)) {
        return s->latch >> (8 * plane);
    }
    /* Read mode 1: 1 where every cared-for plane matches the compare colour. */
    uint32_t care = expand_planes(s->gr[VGA_GFX_COMPARE_MASK]);
    uint32_t diff = (s->latch ^ expand_planes(s->gr[VGA_GFX_COMPARE_VALUE])) & care;
    diff |= diff >> 16;
    diff |= diff >> 8;
    return ~diff & 0xff;
}

void vga_mem_writeb(VGACommonState *s, hwaddr addr, uint8_t val)
{
    uint32_t off, paddr;
    unsigned planes = s->sr[VGA_SEQ_PLANE_WRITE] & 0xf;

    if (vga_access_dropped(s, addr, &off, true)) {
        return;
    }
    if (vbe_enabled(s)) {
        uint8_t *p = vbe_bank_ptr(s, off);
        *p = val;
        memory_region_set_dirty(&s->vram, p - s->vram_ptr, 1);
        return;
    }
    if (s->sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_CHN_4M) {
        planes &= 1u << (off & 3);
        paddr = off & ~3u;
    } else if (!(s->sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_SEQ_MODE)) {
        planes &= (off & 1) ? 0xa : 0x5;
        paddr = off & ~1u;
    } else {
        paddr = off;
    }
    if (!planes) {
        return;
    }

    const uint8_t *gr = s->gr;
    uint32_t data, bit_mask = gr[VGA_GFX_BIT_MASK];
    unsigned rot = gr[VGA_GFX_DATA_ROTATE] & 7;
    switch (gr[VGA_GFX_MODE] & 3) {
    case 0: {
        uint32_t sr_en = expand_planes(gr[VGA_GFX_SR_ENABLE]);
        data = (replicate(rotate_right(val, rot)) & ~sr_en) |
               (expand_planes(gr[VGA_GFX_SR_VALUE]) & sr_en);
        break;
    }
    case 1:
        plane_store(s, paddr, s->latch, expand_planes(planes));
        return;
    case 2:
        data = expand_planes(val & 0xf);
        break;
    default:
        bit_mask &= rotate_right(val, rot);
        data = expand_planes(gr[VGA_GFX_SR_VALUE]);
        break;
    }
    switch ((gr[VGA_GFX_DATA_ROTATE] >> 3) & 3) {
    case 1:
        data &= s->latch;
        break;
    case 2:
        data |= s->latch;
        break;
    case 3:
        data ^= s->latch;
        break;
    default:
        break;
    }
    uint32_t bm = replicate(bit_mask);
    data = (data & bm) | (s->latch & ~bm);
    plane_store(s, paddr, data, expand_planes(planes));
}
