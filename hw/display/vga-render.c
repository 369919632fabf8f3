/*
 * Drawing the VGA's picture into its console surface, the way the CRT
 * controller, attribute controller and DAC produce it (IBM VGA TRM):
 *
 *   - The CRTC walks memory address MA from the start address (CR0C/0D),
 *     adding 2 * CR13 per character row of CR9[4:0] + 1 scanlines (each shown
 *     twice with CR9 bit 7), restarting at 0 at the line compare scanline
 *     (CR18 + overflow bits). MA becomes a plane address in byte, word
 *     (rotated left, MA13 or MA15 into bit 0) or dword mode (rotated by 2),
 *     and row scan bits 0/1 replace address bits 13/14 unless CR17 bits 0/1
 *     are set (the CGA and Hercules interleave).
 *   - Text (GR6 bit 0 clear): plane 0 holds the character, plane 1 the
 *     attribute, and plane 2 the font, 32 bytes per character in the map
 *     that SR3 selects by attribute bit 3. 8- or 9-dot cells (SR1 bit 0; the
 *     ninth column repeats the eighth for 0xc0-0xdf with AR10 bit 2), doubled
 *     when the dot clock is halved (40 columns). Attribute bit 7 is blink
 *     (with AR10 bit 3) or background intensity; the cursor (CR0A-CR0F) and
 *     the underline (CR14, attributes x0x1) fill their scanlines with the
 *     foreground colour.
 *   - Graphics: each fetch gives a byte from each plane: 8 pixels of 4
 *     planar bits, or with GR5 bit 5 8 CGA pixels of 2 bits (even plane: the
 *     first four), or with GR5 bit 6 four 256-colour pixels (plane 0 first).
 *   - Colour: a 4-bit value, masked by the colour plane enable (AR12), goes
 *     through the palette registers (AR0-AR15, with AR14 and AR10 bit 7
 *     supplying the top bits); 256-colour pixels go to the DAC directly. The
 *     DAC index is masked by the pixel mask (0x3c6); 6-bit DAC values become
 *     8-bit by bit replication.
 *   - Blank while the attribute controller's palette address source (index
 *     bit 5) is clear or the sequencer turns the screen off (SR1 bit 5).
 *   - With VBE enabled the picture is XRES x YRES of 8 (DAC), 15, 16, 24 or
 *     32 bpp pixels from vram at the panning offset.
 *
 * Surface sizes follow the displayed dots: a graphics mode's pixels (320x200
 * for mode 13h, whose scanlines repeat each line), a text mode's cells (720x400
 * for 80x25 with 9-dot cells).
 *
 * Only what changed is redrawn: text cells are compared with what was drawn
 * (character, attribute, glyph row, cursor and blink state), graphics lines
 * are redrawn when a page they fetch from is dirty in vram's VGA dirty bitmap,
 * and any register, palette or size change redraws everything.
 */
#include "vga-int.h"
#include "ui/console.h"

#define MAX_SCANLINES 2048

enum {
    RENDER_NONE,
    RENDER_BLANK,
    RENDER_TEXT,
    RENDER_GFX,
    RENDER_VBE,
};

enum { SHIFT_PLANAR, SHIFT_CGA, SHIFT_256 };

/* Everything a full redraw depends on besides memory; compared between updates. */
typedef struct RenderParams {
    int kind;
    int width, height;
    /* VGA */
    int shift;
    int hdisp;                  /* fetches per scanline */
    int cw, hx;                 /* text: cell width in dots, horizontal doubling */
    int lines;                  /* scanlines */
    int vdiv;                   /* scanlines per surface line */
    uint32_t start;
    uint32_t offset;
    uint32_t line_compare;
    int maxscan, preset;
    bool dscan;
    uint8_t addr_mode;          /* 0 byte, 1 word, 2 dword */
    uint8_t wrap_bit;           /* word mode: MA bit rotated into bit 0 */
    bool subst13, subst14;
    int count_shift;
    uint8_t ar10, ar12, cr14ul;
    uint8_t cursor_start, cursor_end;
    bool cursor_off;
    uint32_t cursor_loc;
    uint32_t font_a, font_b;
    /* VBE */
    unsigned bpp;
    uint32_t vbe_start, vbe_line;
    bool big_endian;
} RenderParams;

struct VGARender {
    bool invalid;
    RenderParams p;
    uint32_t pal16[16];         /* AC palette entry -> xRGB */
    uint32_t pal256[256];       /* DAC index (before the pixel mask) -> xRGB */
    uint32_t *keys;             /* text: what each cell of each surface line shows */
    size_t nkeys;
    uint32_t line_ma[MAX_SCANLINES];
    uint8_t line_rs[MAX_SCANLINES];
};

VGARender *vga_render_new(void)
{
    VGARender *r = g_new0(VGARender, 1);
    r->invalid = true;
    return r;
}

void vga_render_free(VGARender *r)
{
    if (r) {
        g_free(r->keys);
        g_free(r);
    }
}

void vga_render_invalidate(VGACommonState *s)
{
    if (s->render) {
        s->render->invalid = true;
    }
}

/* ---- colours ---- */

static inline uint8_t c6_to_8(uint8_t v)
{
    v &= 0x3f;
    return (v << 2) | (v >> 4);
}

static uint32_t dac_colour(VGACommonState *s, unsigned idx)
{
    const uint8_t *p = &s->palette[(idx & 0xff) * 3];
    if (s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC) {
        return (uint32_t)p[0] << 16 | p[1] << 8 | p[2];
    }
    return (uint32_t)c6_to_8(p[0]) << 16 | c6_to_8(p[1]) << 8 | c6_to_8(p[2]);
}

/* Recompute both palettes; true if any colour changed. */
static bool update_palettes(VGACommonState *s, VGARender *r)
{
    bool changed = false;
    for (int i = 0; i < 256; i++) {
        uint32_t c = dac_colour(s, i & s->dac_pel_mask);
        changed |= c != r->pal256[i];
        r->pal256[i] = c;
    }
    for (int i = 0; i < 16; i++) {
        unsigned v = s->ar[i];
        if (s->ar[VGA_ATC_MODE] & VGA_AR10_P54_SELECT) {
            v = ((s->ar[VGA_ATC_COLOR_PAGE] & 3) << 4) | (v & 0xf);
        }
        v |= (s->ar[VGA_ATC_COLOR_PAGE] & 0xc) << 4;
        uint32_t c = r->pal256[v & 0xff];
        changed |= c != r->pal16[i];
        r->pal16[i] = c;
    }
    return changed;
}

/* ---- mode parameters ---- */

static uint32_t font_base(unsigned map)
{
    /* SR3 map numbers 0-7: 0, 16, 32, 48, 8, 24, 40, 56 KiB into plane 2. */
    return (map & 3) * 0x4000 + ((map >> 2) & 1) * 0x2000;
}

static void compute_params(VGACommonState *s, RenderParams *p)
{
    const uint8_t *cr = s->cr;
    memset(p, 0, sizeof(*p));

    if (vbe_enabled(s)) {
        vbe_fixup_regs(s);     /* the registers are valid whatever was loaded */
        p->kind = RENDER_VBE;
        p->width = s->vbe_regs[VBE_DISPI_INDEX_XRES];
        p->height = s->vbe_regs[VBE_DISPI_INDEX_YRES];
        p->bpp = s->vbe_regs[VBE_DISPI_INDEX_BPP];
        p->vbe_start = s->vbe_start_addr;
        p->vbe_line = s->vbe_line_offset;
        p->big_endian = s->big_endian_fb;
        return;
    }

    p->hdisp = cr[VGA_CRTC_H_DISP] + 1;
    p->lines = (cr[VGA_CRTC_V_DISP_END] | ((cr[VGA_CRTC_OVERFLOW] & 0x02) << 7) |
                ((cr[VGA_CRTC_OVERFLOW] & 0x40) << 3)) + 1;
    p->maxscan = cr[VGA_CRTC_MAX_SCAN] & 0x1f;
    p->dscan = cr[VGA_CRTC_MAX_SCAN] & VGA_CR09_DOUBLE_SCAN;
    p->preset = cr[VGA_CRTC_PRESET_ROW] & 0x1f;
    p->offset = cr[VGA_CRTC_OFFSET] * 2;
    p->start = cr[VGA_CRTC_START_HI] << 8 | cr[VGA_CRTC_START_LO];
    p->line_compare = cr[VGA_CRTC_LINE_COMPARE] | ((cr[VGA_CRTC_OVERFLOW] & 0x10) << 4) |
                      ((cr[VGA_CRTC_MAX_SCAN] & 0x40) << 3);
    if (cr[VGA_CRTC_UNDERLINE] & VGA_CR14_DWORD) {
        p->addr_mode = 2;
    } else if (!(cr[VGA_CRTC_MODE] & VGA_CR17_BYTE_MODE)) {
        p->addr_mode = 1;
    }
    p->wrap_bit = (cr[VGA_CRTC_MODE] & VGA_CR17_WRAP_MA15) ? 15 : 13;
    p->subst13 = !(cr[VGA_CRTC_MODE] & VGA_CR17_MA13_ROW0);
    p->subst14 = !(cr[VGA_CRTC_MODE] & VGA_CR17_MA14_ROW1);
    if (cr[VGA_CRTC_UNDERLINE] & VGA_CR14_COUNT_BY_4) {
        p->count_shift = 2;
    } else if (cr[VGA_CRTC_MODE] & VGA_CR17_COUNT_BY_2) {
        p->count_shift = 1;
    }
    p->ar10 = s->ar[VGA_ATC_MODE];
    p->ar12 = s->ar[VGA_ATC_PLANE_ENABLE] & 0xf;

    bool blank = !(s->ar_index & VGA_AR_ENABLE_DISPLAY) ||
                 (s->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_SCREEN_OFF);

    if (!(s->gr[VGA_GFX_MISC] & VGA_GR06_GRAPHICS_MODE)) {
        p->kind = RENDER_TEXT;
        p->cw = (s->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_CHAR_CLK_8DOTS) ? 8 : 9;
        p->hx = (s->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_HALF_CLOCK) ? 2 : 1;
        p->vdiv = p->dscan ? 2 : 1;
        p->width = p->hdisp * p->cw * p->hx;
        p->height = MAX(p->lines / p->vdiv, 1);
        p->cr14ul = cr[VGA_CRTC_UNDERLINE] & 0x1f;
        p->cursor_start = cr[VGA_CRTC_CURSOR_START] & 0x1f;
        p->cursor_end = cr[VGA_CRTC_CURSOR_END] & 0x1f;
        p->cursor_off = cr[VGA_CRTC_CURSOR_START] & VGA_CR0A_CURSOR_OFF;
        p->cursor_loc = cr[VGA_CRTC_CURSOR_HI] << 8 | cr[VGA_CRTC_CURSOR_LO];
        uint8_t sr3 = s->sr[VGA_SEQ_CHARACTER_MAP];
        p->font_a = font_base(((sr3 >> 5) & 1) << 2 | ((sr3 >> 2) & 3));
        p->font_b = font_base(((sr3 >> 4) & 1) << 2 | (sr3 & 3));
    } else {
        p->kind = RENDER_GFX;
        if (s->gr[VGA_GFX_MODE] & VGA_GR05_SHIFT_256) {
            p->shift = SHIFT_256;
            p->width = p->hdisp * 4;
        } else {
            p->shift = (s->gr[VGA_GFX_MODE] & VGA_GR05_SHIFT_INTERLEAVE) ? SHIFT_CGA
                                                                         : SHIFT_PLANAR;
            p->width = p->hdisp * 8;
        }
        /*
         * Scanlines that repeat the one before (double scan, or rows of several
         * scanlines with nothing substituted into the address) are one surface
         * line: mode 13h is 320x200, not 320x400.
         */
        p->vdiv = p->dscan ? 2 : 1;
        if (!p->subst13 && !p->subst14) {
            p->vdiv *= p->maxscan + 1;
        }
        p->height = MAX(p->lines / p->vdiv, 1);
    }
    if (blank) {
        p->kind = RENDER_BLANK;
    }
}

/* The scanline -> (MA at the line start, row scan) walk of the CRTC. */
static void build_line_table(VGARender *r, const RenderParams *p)
{
    uint32_t row_ma = p->start;
    unsigned rs = p->preset;
    int n = MIN(p->lines, MAX_SCANLINES);
    for (int sl = 0; sl < n; sl++) {
        if ((uint32_t)sl == p->line_compare) {
            row_ma = 0;
            rs = 0;
        }
        r->line_ma[sl] = row_ma;
        r->line_rs[sl] = rs;
        if (p->dscan && !(sl & 1)) {
            continue;
        }
        if (rs == (unsigned)p->maxscan) {
            rs = 0;
            row_ma += p->offset;
        } else {
            rs = (rs + 1) & 0x1f;
        }
    }
}

/* Plane address (0..0xffff) the CRTC fetches for MA @ma on row scan @rs. */
static inline uint32_t crtc_addr(const RenderParams *p, uint32_t ma, unsigned rs)
{
    uint32_t a;
    ma &= 0xffff;
    switch (p->addr_mode) {
    case 2:
        a = (ma << 2) | ((ma >> 14) & 3);
        break;
    case 1:
        a = (ma << 1) | ((ma >> p->wrap_bit) & 1);
        break;
    default:
        a = ma;
        break;
    }
    if (p->subst13) {
        a = (a & ~(1u << 13)) | ((rs & 1) << 13);
    }
    if (p->subst14) {
        a = (a & ~(1u << 14)) | (((rs >> 1) & 1) << 14);
    }
    return a & 0xffff;
}

static inline uint32_t plane_word(VGACommonState *s, uint32_t a)
{
    const uint8_t *v = s->vram_ptr + (a << 2);
    return v[0] | v[1] << 8 | v[2] << 16 | (uint32_t)v[3] << 24;
}

/* ---- text ---- */

static void fill_cell(uint32_t *d, uint32_t bits, int cw, int hx, uint32_t fg, uint32_t bg)
{
    for (int i = 0; i < cw; i++) {
        uint32_t c = (bits >> (cw - 1 - i)) & 1 ? fg : bg;
        for (int k = 0; k < hx; k++) {
            *d++ = c;
        }
    }
}

static void draw_text(VGACommonState *s, VGARender *r, DisplaySurface *surf, bool full)
{
    const RenderParams *p = &r->p;
    uint64_t frame = vga_frame_count(s);
    bool cursor_phase = !((frame >> 4) & 1);      /* toggles every 16 frames */
    bool blink_phase = !((frame >> 5) & 1);       /* toggles every 32 frames */
    int cols = p->hdisp;
    int cellw = p->cw * p->hx;
    int x0 = INT32_MAX, x1 = -1, y0 = INT32_MAX, y1 = -1;
    size_t need = (size_t)p->height * cols;

    if (r->nkeys != need) {
        g_free(r->keys);
        r->keys = g_new(uint32_t, need);
        r->nkeys = need;
        full = true;
    }
    for (int y = 0; y < p->height; y++) {
        int sl = MIN(y * p->vdiv, MAX_SCANLINES - 1);
        uint32_t ma = r->line_ma[sl];
        unsigned rs = r->line_rs[sl];
        uint32_t *keys = &r->keys[(size_t)y * cols];
        uint32_t *row = surface_row(surf, y);
        for (int c = 0; c < cols; c++) {
            uint32_t cma = ma + (c >> p->count_shift);
            uint32_t a = crtc_addr(p, cma, rs);
            uint32_t w = plane_word(s, a);
            uint8_t ch = w, attr = w >> 8;
            uint32_t fa = ((attr & 0x08) ? p->font_a : p->font_b) + ch * 32 + rs;
            uint32_t bits = s->vram_ptr[((fa & 0xffff) << 2) + 2];
            unsigned fg = attr & 0xf, bg = attr >> 4;
            if (p->ar10 & VGA_AR10_BLINK) {
                bg &= 7;
                if ((attr & 0x80) && !blink_phase) {
                    bits = 0;
                }
            }
            if (rs == p->cr14ul && (attr & 0x77) == 0x01) {
                bits = 0xff;
            }
            if (!p->cursor_off && cursor_phase && (cma & 0xffff) == p->cursor_loc &&
                rs >= p->cursor_start && rs <= p->cursor_end) {
                bits = 0xff;
            }
            bits <<= 1;
            if (p->cw == 9 && (p->ar10 & VGA_AR10_LINE_GRAPHICS) && ch >= 0xc0 &&
                ch <= 0xdf) {
                bits |= (bits >> 1) & 1;
            }
            if (p->cw == 8) {
                bits >>= 1;
            }
            fg &= p->ar12;
            bg &= p->ar12;
            uint32_t key = bits | fg << 9 | bg << 13 | 1u << 17;
            if (!full && keys[c] == key) {
                continue;
            }
            keys[c] = key;
            fill_cell(row + c * cellw, bits, p->cw, p->hx, r->pal16[fg], r->pal16[bg]);
            x0 = MIN(x0, c * cellw);
            x1 = MAX(x1, (c + 1) * cellw);
            y0 = MIN(y0, y);
            y1 = MAX(y1, y + 1);
        }
    }
    if (x1 > x0) {
        dpy_gfx_update(s->con, x0, y0, x1 - x0, y1 - y0);
    }
}

/* ---- VGA graphics ---- */

static void draw_gfx_line(VGACommonState *s, VGARender *r, uint32_t *d, uint32_t ma,
                          unsigned rs)
{
    const RenderParams *p = &r->p;
    for (int k = 0; k < p->hdisp; k++) {
        uint32_t w = plane_word(s, crtc_addr(p, ma + (k >> p->count_shift), rs));
        uint8_t b0 = w, b1 = w >> 8, b2 = w >> 16, b3 = w >> 24;
        switch (p->shift) {
        case SHIFT_256:
            *d++ = r->pal256[b0];
            *d++ = r->pal256[b1];
            *d++ = r->pal256[b2];
            *d++ = r->pal256[b3];
            break;
        case SHIFT_CGA:
            for (int i = 0; i < 8; i++) {
                uint8_t lo = i < 4 ? b0 : b1, hi = i < 4 ? b2 : b3;
                int sh = 6 - 2 * (i & 3);
                unsigned v = ((lo >> sh) & 3) | (((hi >> sh) & 3) << 2);
                *d++ = r->pal16[v & p->ar12];
            }
            break;
        default:
            for (int i = 7; i >= 0; i--) {
                unsigned v = ((b0 >> i) & 1) | ((b1 >> i) & 1) << 1 |
                             ((b2 >> i) & 1) << 2 | ((b3 >> i) & 1) << 3;
                *d++ = r->pal16[v & p->ar12];
            }
            break;
        }
    }
}

/* Report dirty lines as runs of whole-width rectangles. */
static void flush_run(VGACommonState *s, int width, int *run_start, int y)
{
    if (*run_start >= 0) {
        dpy_gfx_update(s->con, 0, *run_start, width, y - *run_start);
        *run_start = -1;
    }
}

static void draw_gfx(VGACommonState *s, VGARender *r, DisplaySurface *surf, bool full)
{
    const RenderParams *p = &r->p;
    uint64_t dirty = 0;
    DirtyBitmapSnapshot *snap =
        memory_region_snapshot_and_clear_dirty(&s->vram, 0, VGA_PLANES_BYTES,
                                               DIRTY_MEMORY_VGA);
    for (int pg = 0; pg < VGA_PLANES_BYTES / 4096; pg++) {
        if (memory_region_snapshot_get_dirty(&s->vram, snap, pg * 4096ull, 4096)) {
            dirty |= 1ull << pg;
        }
    }
    memory_region_snapshot_free(snap);

    int run = -1;
    for (int y = 0; y < p->height; y++) {
        int sl = MIN(y * p->vdiv, MAX_SCANLINES - 1);
        uint32_t ma = r->line_ma[sl];
        unsigned rs = r->line_rs[sl];
        bool redraw = full;
        if (!redraw) {
            /* 64 pages of 4 KiB hold the planes: plane address a is in page a >> 10. */
            uint64_t pages = 0;
            for (int k = 0; k < p->hdisp; k++) {
                pages |= 1ull << (crtc_addr(p, ma + (k >> p->count_shift), rs) >> 10);
            }
            redraw = pages & dirty;
        }
        if (!redraw) {
            flush_run(s, p->width, &run, y);
            continue;
        }
        draw_gfx_line(s, r, surface_row(surf, y), ma, rs);
        if (run < 0) {
            run = y;
        }
    }
    flush_run(s, p->width, &run, p->height);
}

/* ---- VBE ---- */

static inline uint32_t expand5(uint32_t v)
{
    return (v << 3) | (v >> 2);
}

static inline uint32_t expand6(uint32_t v)
{
    return (v << 2) | (v >> 4);
}

static void draw_vbe_line(VGARender *r, uint32_t *d, const uint8_t *src, int width)
{
    const RenderParams *p = &r->p;
    for (int x = 0; x < width; x++) {
        uint32_t v;
        switch (p->bpp) {
        case 8:
            d[x] = r->pal256[src[x]];
            break;
        case 15:
        case 16:
            v = p->big_endian ? (src[2 * x] << 8 | src[2 * x + 1])
                              : (src[2 * x] | src[2 * x + 1] << 8);
            if (p->bpp == 15) {
                d[x] = expand5((v >> 10) & 0x1f) << 16 | expand5((v >> 5) & 0x1f) << 8 |
                       expand5(v & 0x1f);
            } else {
                d[x] = expand5(v >> 11) << 16 | expand6((v >> 5) & 0x3f) << 8 |
                       expand5(v & 0x1f);
            }
            break;
        case 24:
            if (p->big_endian) {
                d[x] = src[3 * x] << 16 | src[3 * x + 1] << 8 | src[3 * x + 2];
            } else {
                d[x] = src[3 * x + 2] << 16 | src[3 * x + 1] << 8 | src[3 * x];
            }
            break;
        default:
            if (p->big_endian) {
                d[x] = src[4 * x + 1] << 16 | src[4 * x + 2] << 8 | src[4 * x + 3];
            } else {
                d[x] = src[4 * x + 2] << 16 | src[4 * x + 1] << 8 | src[4 * x];
            }
            break;
        }
    }
}

static void draw_vbe(VGACommonState *s, VGARender *r, DisplaySurface *surf, bool full)
{
    const RenderParams *p = &r->p;
    uint64_t bytes = (uint64_t)p->width * vbe_bytes_per_pixel(p->bpp);
    uint64_t first = p->vbe_start & ~4095ull;
    uint64_t end = MIN((uint64_t)p->vbe_start + (uint64_t)p->height * p->vbe_line,
                       s->vram_size);
    DirtyBitmapSnapshot *snap = NULL;

    memory_region_sync_dirty_bitmap(&s->vram);
    if (end > first) {
        snap = memory_region_snapshot_and_clear_dirty(&s->vram, first, end - first,
                                                      DIRTY_MEMORY_VGA);
    }
    int run = -1;
    for (int y = 0; y < p->height; y++) {
        uint64_t off = p->vbe_start + (uint64_t)y * p->vbe_line;
        uint32_t *d = surface_row(surf, y);
        if (off + bytes > s->vram_size) {
            /* vbe_fixup_regs keeps the frame inside vram; this is belt and braces. */
            if (full) {
                memset(d, 0, p->width * 4);
            }
            flush_run(s, p->width, &run, y);
            continue;
        }
        if (!full && !(snap && memory_region_snapshot_get_dirty(&s->vram, snap, off, bytes))) {
            flush_run(s, p->width, &run, y);
            continue;
        }
        draw_vbe_line(r, d, s->vram_ptr + off, p->width);
        if (run < 0) {
            run = y;
        }
    }
    flush_run(s, p->width, &run, p->height);
    if (snap) {
        memory_region_snapshot_free(snap);
    }
}

/* ---- the update ---- */

void vga_render_update(VGACommonState *s)
{
    VGARender *r = s->render;
    RenderParams p;

    if (!s->con || !r) {
        return;
    }
    compute_params(s, &p);
    bool full = r->invalid || memcmp(&p, &r->p, sizeof(p)) != 0;
    if (p.kind == RENDER_BLANK) {
        /* Keep the size the guest had; show black. */
        DisplaySurface *surf = qemu_console_surface(s->con);
        p.width = surface_width(surf);
        p.height = surface_height(surf);
        full = r->invalid || memcmp(&p, &r->p, sizeof(p)) != 0;
        if (full) {
            pixman_image_t *img = surf->image;
            memset(pixman_image_get_data(img), 0,
                   (size_t)pixman_image_get_stride(img) * p.height);
            dpy_gfx_update_full(s->con);
        }
        r->p = p;
        r->invalid = false;
        return;
    }
    if (p.kind == RENDER_GFX) {
        memory_region_sync_dirty_bitmap(&s->vram);    /* KVM keeps its own log */
    }
    full |= update_palettes(s, r);
    DisplaySurface *surf = qemu_console_resize(s->con, p.width, p.height);
    if (surface_width(surf) != p.width || surface_height(surf) != p.height) {
        /* Larger than a console can be: only possible with VBE at its maxima. */
        p.width = MIN(p.width, surface_width(surf));
        p.height = MIN(p.height, surface_height(surf));
    }
    r->p = p;
    r->invalid = false;
    switch (p.kind) {
    case RENDER_TEXT:
        build_line_table(r, &p);
        draw_text(s, r, surf, full);
        break;
    case RENDER_GFX:
        build_line_table(r, &p);
        draw_gfx(s, r, surf, full);
        break;
    default:
        draw_vbe(s, r, surf, full);
        break;
    }
}

void vga_render_describe(VGACommonState *s, GString *out)
{
    RenderParams p;
    compute_params(s, &p);
    switch (p.kind) {
    case RENDER_VBE:
        g_string_append_printf(out, "VBE %dx%dx%u, pitch %u, start 0x%x", p.width, p.height,
                               p.bpp, p.vbe_line, p.vbe_start);
        break;
    case RENDER_TEXT:
        g_string_append_printf(out, "VGA text %dx%d (%dx%d, %d-dot cells, %d scanlines)",
                               p.hdisp, p.height / (p.maxscan + 1), p.width, p.height,
                               p.cw, p.maxscan + 1);
        break;
    case RENDER_GFX:
        g_string_append_printf(out, "VGA graphics %dx%d, %s", p.width, p.height,
                               p.shift == SHIFT_256 ? "256 colours" :
                               p.shift == SHIFT_CGA ? "4 colours (CGA shift)"
                                                     : "16 colours (planar)");
        break;
    default:
        g_string_append(out, "VGA blank (display disabled in the attribute controller "
                        "or sequencer)");
        break;
    }
}
