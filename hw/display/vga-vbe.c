/*
 * The Bochs VBE "dispi" interface, as QEMU's stdvga implements it and the
 * SeaBIOS VGA BIOS and Linux's bochs-drm drive it: an index register (port
 * 0x1ce, or BAR 2 + 0x500 + 2 * index on PCI) selecting 16-bit registers:
 *
 *   ID          the interface version; writes of 0xb0c0-0xb0c5 are kept, so a
 *               driver writes the version it wants and reads it back
 *   XRES, YRES, BPP (8, 15, 16, 24, 32)
 *   ENABLE      ENABLED, GETCAPS (XRES/YRES/BPP then read the maxima),
 *               8BIT_DAC, LFB_ENABLED, NOCLEARMEM (else enabling clears the
 *               visible framebuffer)
 *   BANK        which 64 KiB of vram appears at 0xa0000
 *   VIRT_WIDTH  pixels per line in memory (at least XRES)
 *   VIRT_HEIGHT read-only: how many such lines vram holds
 *   X_OFFSET, Y_OFFSET  the first visible pixel (panning)
 *   VIDEO_MEMORY_64K    read-only: vram size / 64 KiB
 *
 * There is no way to report an error, so while the mode is enabled each
 * write is followed by a fix-up to the nearest values vram can show: the
 * visible frame always lies inside vram, whatever the guest wrote.
 */
#include "vga-int.h"
#include "util/log.h"

unsigned vbe_bytes_per_pixel(unsigned bpp)
{
    return bpp == 15 ? 2 : (bpp + 7) / 8;
}

void vbe_reset(VGACommonState *s)
{
    s->vbe_index = 0;
    memset(s->vbe_regs, 0, sizeof(s->vbe_regs));
    s->vbe_regs[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID5;
    s->vbe_start_addr = 0;
    s->vbe_line_offset = 0;
    s->big_endian_fb = false;
}

void vbe_fixup_regs(VGACommonState *s)
{
    uint16_t *r = s->vbe_regs;

    if (!(r[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED)) {
        return;
    }
    switch (r[VBE_DISPI_INDEX_BPP]) {
    case 8:
    case 15:
    case 16:
    case 24:
    case 32:
        break;
    default:
        /* Including 4: emu has no planar VBE modes. */
        r[VBE_DISPI_INDEX_BPP] = 8;
        break;
    }
    uint64_t bytes = vbe_bytes_per_pixel(r[VBE_DISPI_INDEX_BPP]);

    r[VBE_DISPI_INDEX_XRES] &= ~7u;
    r[VBE_DISPI_INDEX_XRES] = CLAMP(r[VBE_DISPI_INDEX_XRES], 8, VBE_DISPI_MAX_XRES);
    r[VBE_DISPI_INDEX_VIRT_WIDTH] &= ~7u;
    r[VBE_DISPI_INDEX_VIRT_WIDTH] = CLAMP(r[VBE_DISPI_INDEX_VIRT_WIDTH],
                                          r[VBE_DISPI_INDEX_XRES], VBE_DISPI_MAX_XRES);

    uint64_t line = r[VBE_DISPI_INDEX_VIRT_WIDTH] * bytes;
    uint64_t maxy = s->vram_size / line;
    r[VBE_DISPI_INDEX_YRES] = CLAMP(r[VBE_DISPI_INDEX_YRES], 1,
                                    MIN(VBE_DISPI_MAX_YRES, maxy));

    r[VBE_DISPI_INDEX_X_OFFSET] = MIN(r[VBE_DISPI_INDEX_X_OFFSET], VBE_DISPI_MAX_XRES);
    r[VBE_DISPI_INDEX_Y_OFFSET] = MIN(r[VBE_DISPI_INDEX_Y_OFFSET], VBE_DISPI_MAX_YRES);
    uint64_t frame = r[VBE_DISPI_INDEX_YRES] * line;
    uint64_t start = r[VBE_DISPI_INDEX_X_OFFSET] * bytes + r[VBE_DISPI_INDEX_Y_OFFSET] * line;
    if (start + frame > s->vram_size) {
        /* Past the end: drop the vertical offset, then the horizontal one. */
        r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
        start = r[VBE_DISPI_INDEX_X_OFFSET] * bytes;
        if (start + frame > s->vram_size) {
            r[VBE_DISPI_INDEX_X_OFFSET] = 0;
            start = 0;
        }
    }
    r[VBE_DISPI_INDEX_VIRT_HEIGHT] = MIN(maxy, 0xffff);
    s->vbe_line_offset = line;
    s->vbe_start_addr = start;
}

uint16_t vbe_read_index(VGACommonState *s)
{
    return s->vbe_index;
}

void vbe_write_index(VGACommonState *s, uint16_t val)
{
    s->vbe_index = val;
}

uint16_t vbe_read_data(VGACommonState *s)
{
    uint16_t idx = s->vbe_index;

    if (idx == VBE_DISPI_INDEX_VIDEO_MEMORY_64K) {
        return MIN(s->vram_size >> 16, 0xffff);
    }
    if (idx >= VBE_DISPI_INDEX_NB) {
        return 0;
    }
    if (s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS) {
        switch (idx) {
        case VBE_DISPI_INDEX_XRES:
            return VBE_DISPI_MAX_XRES;
        case VBE_DISPI_INDEX_YRES:
            return VBE_DISPI_MAX_YRES;
        case VBE_DISPI_INDEX_BPP:
            return VBE_DISPI_MAX_BPP;
        }
    }
    return s->vbe_regs[idx];
}

/* What the VGA registers say while a VBE mode is on (guests may read them). */
static void vbe_set_vga_regs(VGACommonState *s)
{
    /* Graphics, 64 KiB at 0xa0000; chain 4 and the 256-colour shift, as QEMU. */
    s->gr[VGA_GFX_MISC] = (s->gr[VGA_GFX_MISC] & ~0x0c) | 0x04 | VGA_GR06_GRAPHICS_MODE;
    s->gr[VGA_GFX_MODE] = (s->gr[VGA_GFX_MODE] & ~0x60) | VGA_GR05_SHIFT_256;
    s->sr[VGA_SEQ_MEMORY_MODE] |= VGA_SR04_CHN_4M;
    s->sr[VGA_SEQ_PLANE_WRITE] |= 0x0f;
}

static void vbe_write_enable(VGACommonState *s, uint16_t val)
{
    uint16_t *r = s->vbe_regs;

    if ((val & VBE_DISPI_ENABLED) && !(r[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED)) {
        /* A new mode starts unpanned, with the virtual width of the mode. */
        r[VBE_DISPI_INDEX_VIRT_WIDTH] = 0;
        r[VBE_DISPI_INDEX_X_OFFSET] = 0;
        r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
        r[VBE_DISPI_INDEX_ENABLE] |= VBE_DISPI_ENABLED;
        vbe_fixup_regs(s);
        if (!(val & VBE_DISPI_NOCLEARMEM)) {
            uint64_t len = (uint64_t)r[VBE_DISPI_INDEX_YRES] * s->vbe_line_offset;
            memset(s->vram_ptr, 0, len);
            memory_region_set_dirty(&s->vram, 0, len);
        }
        vbe_set_vga_regs(s);
    }
    r[VBE_DISPI_INDEX_ENABLE] = val;
    vbe_fixup_regs(s);
    vga_update_memory_access(s);
}

void vbe_write_data(VGACommonState *s, uint16_t val)
{
    uint16_t idx = s->vbe_index;
    uint16_t *r = s->vbe_regs;

    switch (idx) {
    case VBE_DISPI_INDEX_ID:
        if (val >= VBE_DISPI_ID0 && val <= VBE_DISPI_ID5) {
            r[idx] = val;
            return;
        }
        break;
    case VBE_DISPI_INDEX_XRES:
    case VBE_DISPI_INDEX_YRES:
    case VBE_DISPI_INDEX_BPP:
    case VBE_DISPI_INDEX_VIRT_WIDTH:
    case VBE_DISPI_INDEX_X_OFFSET:
    case VBE_DISPI_INDEX_Y_OFFSET:
        r[idx] = val;
        vbe_fixup_regs(s);
        return;
    case VBE_DISPI_INDEX_ENABLE:
        vbe_write_enable(s, val);
        return;
    case VBE_DISPI_INDEX_BANK:
        r[idx] = val & ((s->vram_size >> 16) - 1);
        vga_update_memory_access(s);
        return;
    default:
        break;
    }
    s->ignored_writes++;
    emu_log_mask(LOG_GUEST_ERROR, "vbe: write 0x%04x to dispi register 0x%x ignored\n",
                 val, idx);
}
