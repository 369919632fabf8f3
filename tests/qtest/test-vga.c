/*
 * The standard VGA (PCI 1234:1111) and Bochs VBE, programmed as a VGA BIOS
 * and drivers do it: register tables for the standard modes (IBM VGA
 * Technical Reference / FreeVGA "standard mode" register dumps), a font
 * loaded into plane 2 and text written to 0xb8000, pixels through the window
 * and the LFB; then screendump to PNG (decoded here with libpng) or PPM and
 * the pixels checked against what the VGA documentation says the hardware
 * shows: glyph bits in the foreground and background colours of the
 * attribute, 9th-column and blink rules, the cursor's scanlines, DAC colours
 * (6-bit values shown as 8-bit by bit replication), the graphics
 * controller's write modes, logical operations, bit mask, set/reset, read
 * mode 1 colour compare and latches, and VBE's XRES/YRES/BPP/virtual
 * width/offset semantics. Hostile register values must not crash emu (the
 * ASan build checks that nothing is read outside vram).
 */
#include "pci-helpers.h"
#include "../../include/hw/display/vga-regs.h"

#include <png.h>

#define VGA_BDF BDF(2, 0)
#define LFB_ADDR 0xfd000000u
#define MMIO_ADDR 0xfebf0000u

static char *tmpdir;

/* ---- standard mode register tables ---- */

typedef struct VGAModeRegs {
    uint8_t misc;
    uint8_t seq[5];
    uint8_t crtc[25];
    uint8_t gc[9];
    uint8_t ac[21];
} VGAModeRegs;

/* Mode 03h: 80x25 text, 9x16 cells, 720x400. */
static const VGAModeRegs mode_03 = {
    0x67,
    { 0x03, 0x00, 0x03, 0x00, 0x02 },
    { 0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00,
      0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c,
      0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00 },
};

/* Mode 01h: 40x25 text, 9x16 cells at half dot clock. */
static const VGAModeRegs mode_01 = {
    0x67,
    { 0x03, 0x08, 0x03, 0x00, 0x02 },
    { 0x2d, 0x27, 0x28, 0x90, 0x2b, 0xa0, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00,
      0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x14, 0x1f, 0x96, 0xb9, 0xa3, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c,
      0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00 },
};

/* Mode 04h: 320x200, 4 colours, CGA layout (even lines at 0xb8000, odd at 0xba000). */
static const VGAModeRegs mode_04 = {
    0x63,
    { 0x03, 0x09, 0x03, 0x00, 0x02 },
    { 0x2d, 0x27, 0x28, 0x90, 0x2b, 0x80, 0xbf, 0x1f, 0x00, 0xc1, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x14, 0x00, 0x96, 0xb9, 0xa2, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x0f, 0x00, 0xff },
    { 0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14,
      0x15, 0x16, 0x17, 0x01, 0x00, 0x03, 0x00, 0x00 },
};

/* Mode 12h: 640x480, 16 colours, planar. */
static const VGAModeRegs mode_12 = {
    0xe3,
    { 0x03, 0x01, 0x0f, 0x00, 0x06 },
    { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0x0b, 0x3e, 0x00, 0x40, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0xea, 0x8c, 0xdf, 0x28, 0x00, 0xe7, 0x04, 0xe3, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c,
      0x3d, 0x3e, 0x3f, 0x01, 0x00, 0x0f, 0x00, 0x00 },
};

/* Mode 13h: 320x200, 256 colours, chain 4. */
static const VGAModeRegs mode_13 = {
    0x63,
    { 0x03, 0x01, 0x0f, 0x00, 0x0e },
    { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x9c, 0x0e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
      0x0d, 0x0e, 0x0f, 0x41, 0x00, 0x0f, 0x00, 0x00 },
};

static void seq_w(QTestState *s, uint8_t i, uint8_t v)
{
    qtest_outb(s, VGA_SEQ_I, i);
    qtest_outb(s, VGA_SEQ_D, v);
}

static uint8_t seq_r(QTestState *s, uint8_t i)
{
    qtest_outb(s, VGA_SEQ_I, i);
    return qtest_inb(s, VGA_SEQ_D);
}

static void gc_w(QTestState *s, uint8_t i, uint8_t v)
{
    qtest_outb(s, VGA_GFX_I, i);
    qtest_outb(s, VGA_GFX_D, v);
}

static uint8_t gc_r(QTestState *s, uint8_t i)
{
    qtest_outb(s, VGA_GFX_I, i);
    return qtest_inb(s, VGA_GFX_D);
}

static void crtc_w(QTestState *s, uint8_t i, uint8_t v)
{
    qtest_outb(s, VGA_CRT_IC, i);
    qtest_outb(s, VGA_CRT_DC, v);
}

static uint8_t crtc_r(QTestState *s, uint8_t i)
{
    qtest_outb(s, VGA_CRT_IC, i);
    return qtest_inb(s, VGA_CRT_DC);
}

/* The flip-flop is reset by reading input status 1, then index, then data. */
static void ac_w(QTestState *s, uint8_t i, uint8_t v)
{
    qtest_inb(s, VGA_IS1_RC);
    qtest_outb(s, VGA_ATT_W, i);
    qtest_outb(s, VGA_ATT_W, v);
}

static void display_on(QTestState *s)
{
    qtest_inb(s, VGA_IS1_RC);
    qtest_outb(s, VGA_ATT_W, VGA_AR_ENABLE_DISPLAY);
}

static void dac_w(QTestState *s, uint8_t idx, uint8_t r, uint8_t g, uint8_t b)
{
    qtest_outb(s, VGA_PEL_IW, idx);
    qtest_outb(s, VGA_PEL_D, r);
    qtest_outb(s, VGA_PEL_D, g);
    qtest_outb(s, VGA_PEL_D, b);
}

/* The EGA-compatible 64 colours (rgbRGB: low bits 2/3 intensity, high 1/3). */
static void ega_rgb(unsigned i, uint8_t *r, uint8_t *g, uint8_t *b)
{
    *r = ((i >> 2) & 1) * 42 + ((i >> 5) & 1) * 21;
    *g = ((i >> 1) & 1) * 42 + ((i >> 4) & 1) * 21;
    *b = (i & 1) * 42 + ((i >> 3) & 1) * 21;
}

/* 6-bit DAC value to the 8-bit screendump value: bit replication. */
static uint32_t c6(uint8_t v)
{
    return (v << 2) | (v >> 4);
}

static uint32_t rgb6(uint8_t r, uint8_t g, uint8_t b)
{
    return c6(r) << 16 | c6(g) << 8 | c6(b);
}

static uint32_t ega_colour(unsigned dac_index)
{
    uint8_t r, g, b;
    ega_rgb(dac_index, &r, &g, &b);
    return rgb6(r, g, b);
}

static void load_ega_dac(QTestState *s)
{
    qtest_outb(s, VGA_PEL_MSK, 0xff);
    qtest_outb(s, VGA_PEL_IW, 0);
    for (unsigned i = 0; i < 64; i++) {
        uint8_t r, g, b;
        ega_rgb(i, &r, &g, &b);
        qtest_outb(s, VGA_PEL_D, r);
        qtest_outb(s, VGA_PEL_D, g);
        qtest_outb(s, VGA_PEL_D, b);
    }
}

/* Program a mode as the VGA BIOS does: sequencer held in reset meanwhile. */
static void set_mode(QTestState *s, const VGAModeRegs *m)
{
    qtest_inb(s, VGA_IS1_RC);
    qtest_outb(s, VGA_ATT_W, 0x00);            /* palette source off: blank */
    seq_w(s, 0, 0x01);
    qtest_outb(s, VGA_MIS_W, m->misc);
    for (int i = 1; i < 5; i++) {
        seq_w(s, i, m->seq[i]);
    }
    seq_w(s, 0, 0x03);
    crtc_w(s, VGA_CRTC_V_SYNC_END, m->crtc[VGA_CRTC_V_SYNC_END] & 0x7f);   /* unlock */
    for (int i = 0; i < 25; i++) {
        crtc_w(s, i, m->crtc[i]);
    }
    for (int i = 0; i < 9; i++) {
        gc_w(s, i, m->gc[i]);
    }
    for (int i = 0; i < 21; i++) {
        ac_w(s, i, m->ac[i]);
    }
    load_ega_dac(s);
    display_on(s);
}

/* A synthetic 8x16 font: rows that are hard to get right by accident. */
static uint8_t glyph(unsigned ch, unsigned row)
{
    if (row >= 16) {
        return 0;
    }
    return (uint8_t)((ch * 0x9d) ^ (row * 0x37) ^ (row << 5));
}

/*
 * Load @rows-row glyphs into plane 2 at character map @map (0-3), 32 bytes per
 * character, with the sequencer and graphics controller set for plain planar
 * access as the BIOS does, then restore the text-mode settings.
 */
static void load_font(QTestState *s, unsigned rows, unsigned map)
{
    seq_w(s, VGA_SEQ_PLANE_WRITE, 0x04);
    seq_w(s, VGA_SEQ_MEMORY_MODE, 0x07);
    gc_w(s, VGA_GFX_PLANE_READ, 0x02);
    gc_w(s, VGA_GFX_MODE, 0x00);
    gc_w(s, VGA_GFX_MISC, 0x04);
    uint8_t *buf = g_malloc0(256 * 32);
    for (unsigned ch = 0; ch < 256; ch++) {
        for (unsigned r = 0; r < rows; r++) {
            buf[ch * 32 + r] = glyph(ch, r);
        }
    }
    qtest_bufwrite(s, 0xa0000 + map * 0x4000, buf, 256 * 32);
    g_free(buf);
    seq_w(s, VGA_SEQ_PLANE_WRITE, 0x03);
    seq_w(s, VGA_SEQ_MEMORY_MODE, 0x02);
    gc_w(s, VGA_GFX_PLANE_READ, 0x00);
    gc_w(s, VGA_GFX_MODE, 0x10);
    gc_w(s, VGA_GFX_MISC, 0x0e);
}

/* ---- screendump and PNG ---- */

typedef struct Image {
    int w, h;
    uint32_t *px;           /* 0x00RRGGBB */
} Image;

static void image_free(Image *img)
{
    g_free(img->px);
    g_free(img);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Image, image_free)

static Image *read_png(const char *path)
{
    png_image pi;
    memset(&pi, 0, sizeof(pi));
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&pi, path)) {
        g_error("%s: not a PNG: %s", path, pi.message);
    }
    pi.format = PNG_FORMAT_RGB;
    g_autofree uint8_t *rgb = g_malloc(PNG_IMAGE_SIZE(pi));
    if (!png_image_finish_read(&pi, NULL, rgb, 0, NULL)) {
        g_error("%s: PNG decode: %s", path, pi.message);
    }
    Image *img = g_new0(Image, 1);
    img->w = pi.width;
    img->h = pi.height;
    img->px = g_new(uint32_t, (size_t)img->w * img->h);
    for (size_t i = 0; i < (size_t)img->w * img->h; i++) {
        img->px[i] = rgb[3 * i] << 16 | rgb[3 * i + 1] << 8 | rgb[3 * i + 2];
    }
    png_image_free(&pi);
    return img;
}

static JsonNode *screendump_cmd(QTestState *s, const char *path, const char *format)
{
    if (format) {
        return qtest_qmp(s, "{'execute': 'screendump', 'arguments': "
                         "{'filename': '%s', 'format': '%s'}}", path, format);
    }
    return qtest_qmp(s, "{'execute': 'screendump', 'arguments': {'filename': '%s'}}",
                     path);
}

static Image *screendump(QTestState *s)
{
    g_autofree char *path = g_build_filename(tmpdir, "shot.png", NULL);
    JsonNode *r = screendump_cmd(s, path, "png");
    if (!qtest_qmp_return(r)) {
        g_error("screendump failed");
    }
    json_node_unref(r);
    Image *img = read_png(path);
    unlink(path);
    return img;
}

static uint32_t px(const Image *img, int x, int y)
{
    g_assert_cmpint(x, <, img->w);
    g_assert_cmpint(y, <, img->h);
    return img->px[(size_t)y * img->w + x];
}

#define assert_px(img, x, y, want) do { \
        uint32_t got_ = px(img, x, y), want_ = (want); \
        if (got_ != want_) { \
            g_error("%s:%d: pixel (%d,%d) is %06x, expected %06x", __FILE__, __LINE__, \
                    (int)(x), (int)(y), got_, want_); \
        } \
    } while (0)

/* ---- text modes ---- */

static QTestState *start_text(const VGAModeRegs *m, unsigned font_rows)
{
    QTestState *s = qtest_init("-machine pc");
    set_mode(s, m);
    load_font(s, font_rows, 0);
    return s;
}

/* The colour the attribute controller gives 4-bit attribute colour @c (EGA palette). */
static uint32_t text_colour(const VGAModeRegs *m, unsigned c)
{
    return ega_colour(m->ac[c & 0xf]);
}

typedef struct TextCheck {
    int cols;
    int cw;                 /* cell width on screen */
    int hx;                 /* dots per font column */
    int ch_h;               /* cell height */
    bool blink_enabled;
    bool blink_on;
    int cursor_cell;        /* -1: none */
    int cursor_start, cursor_end;
} TextCheck;

/* Every pixel of cell @cell against the glyph and attribute rules. */
static void check_cell(const Image *img, const VGAModeRegs *m, const TextCheck *t, int cell,
                       uint8_t ch, uint8_t attr)
{
    int cx = cell % t->cols, cy = cell / t->cols;
    unsigned fg = attr & 0xf, bg = attr >> 4;
    bool hide = false;
    if (t->blink_enabled) {
        bg &= 7;
        hide = (attr & 0x80) && !t->blink_on;
    }
    for (int row = 0; row < t->ch_h; row++) {
        uint8_t bits = hide ? 0 : glyph(ch, row);
        if (cell == t->cursor_cell && row >= t->cursor_start && row <= t->cursor_end) {
            bits = 0xff;
        }
        for (int col = 0; col < t->cw / t->hx; col++) {
            bool on;
            if (col < 8) {
                on = (bits >> (7 - col)) & 1;
            } else {
                /* 9th column: a copy of the 8th for the line-drawing characters. */
                on = ch >= 0xc0 && ch <= 0xdf && (bits & 1);
            }
            uint32_t want = text_colour(m, on ? fg : bg);
            for (int k = 0; k < t->hx; k++) {
                assert_px(img, cx * t->cw + col * t->hx + k, cy * t->ch_h + row, want);
            }
        }
    }
}

static void write_cells(QTestState *s, int first, const uint8_t *ch, const uint8_t *attr,
                        int n)
{
    for (int i = 0; i < n; i++) {
        qtest_writeb(s, 0xb8000 + 2 * (first + i), ch[i]);
        qtest_writeb(s, 0xb8000 + 2 * (first + i) + 1, attr[i]);
    }
}

static void set_cursor(QTestState *s, unsigned start, unsigned end, unsigned loc)
{
    crtc_w(s, VGA_CRTC_CURSOR_START, start);
    crtc_w(s, VGA_CRTC_CURSOR_END, end);
    crtc_w(s, VGA_CRTC_CURSOR_HI, loc >> 8);
    crtc_w(s, VGA_CRTC_CURSOR_LO, loc & 0xff);
}

/* Mode 3: 28.322 MHz / 9 dots per clock: 31777.4 ns per 100-clock line, 449 lines. */
#define MODE3_LINE_NS 31777LL
#define MODE3_FRAME_NS 14268053LL

static void test_text_80x25(void)
{
    QTestState *s = start_text(&mode_03, 16);
    static const uint8_t ch[] = { 'A', 0xc4, 0xc0, 0xdb, 0x41, 'z', 0x00, 0xff, 0xb3 };
    static const uint8_t at[] = { 0x1f, 0x4e, 0x07, 0x70, 0x8f, 0x2a, 0x5b, 0xf0, 0x9c };
    TextCheck t = { .cols = 80, .cw = 9, .hx = 1, .ch_h = 16, .blink_enabled = true,
                    .blink_on = true, .cursor_cell = 2 * 80 + 10, .cursor_start = 13,
                    .cursor_end = 14 };

    /* Clear the screen to attribute 0x07 spaces, then a row of test cells. */
    uint16_t blank[80 * 25];
    for (int i = 0; i < 80 * 25; i++) {
        blank[i] = 0x0720;
    }
    qtest_bufwrite(s, 0xb8000, blank, sizeof(blank));
    write_cells(s, 0, ch, at, G_N_ELEMENTS(ch));
    write_cells(s, 80 * 24 + 70, ch, at, G_N_ELEMENTS(ch));
    write_cells(s, 2 * 80 + 10, ch, at, 1);
    set_cursor(s, 13, 14, 2 * 80 + 10);

    g_autoptr(Image) img = screendump(s);
    g_assert_cmpint(img->w, ==, 720);
    g_assert_cmpint(img->h, ==, 400);
    for (size_t i = 0; i < G_N_ELEMENTS(ch); i++) {
        check_cell(img, &mode_03, &t, i, ch[i], at[i]);
        check_cell(img, &mode_03, &t, 80 * 24 + 70 + i, ch[i], at[i]);
    }
    check_cell(img, &mode_03, &t, 2 * 80 + 10, 'A', 0x1f);
    check_cell(img, &mode_03, &t, 2 * 80 + 11, 0x20, 0x07);

    /* 24 frames later the cursor is in its off phase (16 frames on, 16 off). */
    qtest_clock_step(s, 24 * MODE3_FRAME_NS);
    g_autoptr(Image) off = screendump(s);
    t.cursor_cell = -1;
    check_cell(off, &mode_03, &t, 2 * 80 + 10, 'A', 0x1f);
    /* 40 frames: blinking characters off (32 on, 32 off), cursor back on. */
    qtest_clock_step(s, 16 * MODE3_FRAME_NS);
    g_autoptr(Image) blinked = screendump(s);
    t.blink_on = false;
    t.cursor_cell = 2 * 80 + 10;
    for (size_t i = 0; i < G_N_ELEMENTS(ch); i++) {
        check_cell(blinked, &mode_03, &t, i, ch[i], at[i]);
    }
    check_cell(blinked, &mode_03, &t, 2 * 80 + 10, 'A', 0x1f);

    /* Blink off in AR10: attribute bit 7 is background intensity. */
    ac_w(s, VGA_ATC_MODE, 0x04);
    display_on(s);
    g_autoptr(Image) intense = screendump(s);
    t.blink_enabled = false;
    for (size_t i = 0; i < G_N_ELEMENTS(ch); i++) {
        check_cell(intense, &mode_03, &t, i, ch[i], at[i]);
    }
    /* Cursor disabled (CR0A bit 5) and moved: no cursor anywhere. */
    set_cursor(s, 0x2d, 14, 0);
    qtest_clock_step(s, 32 * MODE3_FRAME_NS);    /* frame 72: cursor phase on */
    g_autoptr(Image) nocursor = screendump(s);
    t.cursor_cell = -1;
    check_cell(nocursor, &mode_03, &t, 0, ch[0], at[0]);
    check_cell(nocursor, &mode_03, &t, 2 * 80 + 10, 'A', 0x1f);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* The start address scrolls: cell 0 on screen is the cell at the start address. */
static void test_text_start_address(void)
{
    QTestState *s = start_text(&mode_03, 16);
    TextCheck t = { .cols = 80, .cw = 9, .hx = 1, .ch_h = 16, .blink_enabled = true,
                    .blink_on = true, .cursor_cell = -1 };
    uint8_t buf[80 * 30 * 2];
    for (int i = 0; i < 80 * 30; i++) {
        buf[2 * i] = i & 0xff;
        buf[2 * i + 1] = (i >> 3) & 0x7f;
    }
    qtest_bufwrite(s, 0xb8000, buf, sizeof(buf));
    crtc_w(s, VGA_CRTC_CURSOR_START, 0x20);
    crtc_w(s, VGA_CRTC_START_HI, 0);
    crtc_w(s, VGA_CRTC_START_LO, 80);            /* one row down */
    g_autoptr(Image) img = screendump(s);
    for (int cell = 0; cell < 80 * 25; cell += 37) {
        int i = cell + 80;
        check_cell(img, &mode_03, &t, cell, i & 0xff, (i >> 3) & 0x7f);
    }
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_text_40x25(void)
{
    QTestState *s = start_text(&mode_01, 16);
    static const uint8_t ch[] = { 'W', 0xcd, 0x01 };
    static const uint8_t at[] = { 0x1e, 0x3c, 0x47 };
    TextCheck t = { .cols = 40, .cw = 18, .hx = 2, .ch_h = 16, .blink_enabled = true,
                    .blink_on = true, .cursor_cell = -1 };
    crtc_w(s, VGA_CRTC_CURSOR_START, 0x20);
    write_cells(s, 41, ch, at, 3);
    g_autoptr(Image) img = screendump(s);
    g_assert_cmpint(img->w, ==, 720);
    g_assert_cmpint(img->h, ==, 400);
    for (int i = 0; i < 3; i++) {
        check_cell(img, &mode_01, &t, 41 + i, ch[i], at[i]);
    }
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* 80x50: 8-scanline cells (CR9 = 7) and an 8-row font, 9-dot cells. */
static void test_text_80x50(void)
{
    QTestState *s = start_text(&mode_03, 8);
    crtc_w(s, VGA_CRTC_MAX_SCAN, 0x47);
    crtc_w(s, VGA_CRTC_CURSOR_START, 0x06);
    crtc_w(s, VGA_CRTC_CURSOR_END, 0x07);
    crtc_w(s, VGA_CRTC_CURSOR_HI, (80 * 45 + 3) >> 8);
    crtc_w(s, VGA_CRTC_CURSOR_LO, (80 * 45 + 3) & 0xff);
    static const uint8_t ch[] = { 'Q', 0xd9, '7' };
    static const uint8_t at[] = { 0x71, 0x0a, 0x6e };
    write_cells(s, 80 * 45 + 2, ch, at, 3);
    g_autoptr(Image) img = screendump(s);
    g_assert_cmpint(img->w, ==, 720);
    g_assert_cmpint(img->h, ==, 400);
    TextCheck t = { .cols = 80, .cw = 9, .hx = 1, .ch_h = 8, .blink_enabled = true,
                    .blink_on = true, .cursor_cell = 80 * 45 + 3, .cursor_start = 6,
                    .cursor_end = 7 };
    for (int i = 0; i < 3; i++) {
        check_cell(img, &mode_03, &t, 80 * 45 + 2 + i, ch[i], at[i]);
    }
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Character map select: attribute bit 3 picks map A (SR3 bits 5,3:2), else map B. */
static void test_text_font_maps(void)
{
    QTestState *s = start_text(&mode_03, 16);
    /* Map 1 (16 KiB into plane 2) holds the inverted glyphs. */
    seq_w(s, VGA_SEQ_PLANE_WRITE, 0x04);
    seq_w(s, VGA_SEQ_MEMORY_MODE, 0x07);
    gc_w(s, VGA_GFX_MODE, 0x00);
    gc_w(s, VGA_GFX_MISC, 0x04);
    for (int r = 0; r < 16; r++) {
        qtest_writeb(s, 0xa0000 + 0x4000 + 'B' * 32 + r, (uint8_t)~glyph('B', r));
    }
    seq_w(s, VGA_SEQ_PLANE_WRITE, 0x03);
    seq_w(s, VGA_SEQ_MEMORY_MODE, 0x02);
    gc_w(s, VGA_GFX_MODE, 0x10);
    gc_w(s, VGA_GFX_MISC, 0x0e);
    seq_w(s, VGA_SEQ_CHARACTER_MAP, 0x04);      /* A = map 1, B = map 0 */
    crtc_w(s, VGA_CRTC_CURSOR_START, 0x20);
    qtest_writeb(s, 0xb8000, 'B');
    qtest_writeb(s, 0xb8001, 0x0f);             /* bit 3 set: map A */
    qtest_writeb(s, 0xb8002, 'B');
    qtest_writeb(s, 0xb8003, 0x07);             /* map B */
    g_autoptr(Image) img = screendump(s);
    for (int r = 0; r < 16; r++) {
        for (int c = 0; c < 8; c++) {
            bool on_a = (~glyph('B', r) >> (7 - c)) & 1;
            bool on_b = (glyph('B', r) >> (7 - c)) & 1;
            assert_px(img, c, r, text_colour(&mode_03, on_a ? 0xf : 0));
            assert_px(img, 9 + c, r, text_colour(&mode_03, on_b ? 0x7 : 0));
        }
    }
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- graphics modes ---- */

static void test_mode13(void)
{
    QTestState *s = qtest_init("-machine pc");
    set_mode(s, &mode_13);
    dac_w(s, 0x01, 63, 0, 0);
    dac_w(s, 0x80, 10, 20, 30);
    dac_w(s, 0xff, 63, 63, 63);
    dac_w(s, 0x42, 0x3f, 0x15, 0x2a);
    /* The DAC holds 6 bits: 0xff written reads back 0x3f. */
    dac_w(s, 0x43, 0xff, 0x80, 0x41);
    qtest_outb(s, VGA_PEL_IR, 0x43);
    g_assert_cmphex(qtest_inb(s, VGA_PEL_IR), ==, 3);
    g_assert_cmphex(qtest_inb(s, VGA_PEL_D), ==, 0x3f);
    g_assert_cmphex(qtest_inb(s, VGA_PEL_D), ==, 0x00);
    g_assert_cmphex(qtest_inb(s, VGA_PEL_D), ==, 0x01);
    qtest_outb(s, VGA_PEL_IW, 0x10);
    g_assert_cmphex(qtest_inb(s, VGA_PEL_IR), ==, 0);
    g_assert_cmphex(qtest_inb(s, VGA_PEL_IW), ==, 0x10);

    static const struct { int x, y; uint8_t c; } pts[] = {
        { 0, 0, 0x01 }, { 319, 0, 0x80 }, { 0, 199, 0xff }, { 319, 199, 0x42 },
        { 1, 1, 0x80 }, { 2, 1, 0x01 }, { 3, 1, 0x42 }, { 160, 100, 0x43 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(pts); i++) {
        qtest_writeb(s, 0xa0000 + pts[i].y * 320 + pts[i].x, pts[i].c);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(pts); i++) {
        g_assert_cmphex(qtest_readb(s, 0xa0000 + pts[i].y * 320 + pts[i].x), ==, pts[i].c);
    }
    g_autoptr(Image) img = screendump(s);
    g_assert_cmpint(img->w, ==, 320);
    g_assert_cmpint(img->h, ==, 200);
    const uint32_t col[256] = {
        [0x00] = 0, [0x01] = rgb6(63, 0, 0), [0x80] = rgb6(10, 20, 30),
        [0xff] = rgb6(63, 63, 63), [0x42] = rgb6(0x3f, 0x15, 0x2a), [0x43] = rgb6(63, 0, 1),
    };
    for (size_t i = 0; i < G_N_ELEMENTS(pts); i++) {
        assert_px(img, pts[i].x, pts[i].y, col[pts[i].c]);
    }
    assert_px(img, 5, 5, 0);
    g_assert_cmphex(col[0x80], ==, 0x285179);   /* 10,20,30 -> 0x28,0x51,0x79 */

    /* The pixel mask (0x3c6) ANDs the index before the DAC: 0x80 & 0x7f = 0. */
    qtest_outb(s, VGA_PEL_MSK, 0x7f);
    g_autoptr(Image) masked = screendump(s);
    assert_px(masked, 319, 0, 0);
    assert_px(masked, 0, 199, 0);               /* 0xff & 0x7f: entry 0x7f, never set */
    assert_px(masked, 0, 0, col[0x01]);
    assert_px(masked, 319, 199, col[0x42]);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Plane bytes at plane address @a, through read mode 0 with GR4 = plane. */
static void read_planes(QTestState *s, uint32_t a, uint8_t p[4])
{
    for (int i = 0; i < 4; i++) {
        gc_w(s, VGA_GFX_PLANE_READ, i);
        p[i] = qtest_readb(s, 0xa0000 + a);
    }
}

static void write_planes(QTestState *s, uint32_t a, const uint8_t p[4])
{
    gc_w(s, VGA_GFX_MODE, 0x00);
    gc_w(s, VGA_GFX_SR_ENABLE, 0x00);
    gc_w(s, VGA_GFX_DATA_ROTATE, 0x00);
    gc_w(s, VGA_GFX_BIT_MASK, 0xff);
    for (int i = 0; i < 4; i++) {
        seq_w(s, VGA_SEQ_PLANE_WRITE, 1 << i);
        qtest_writeb(s, 0xa0000 + a, p[i]);
    }
    seq_w(s, VGA_SEQ_PLANE_WRITE, 0x0f);
}

#define assert_planes(s, a, p0, p1, p2, p3) do { \
        uint8_t got_[4]; \
        read_planes(s, a, got_); \
        const uint8_t want_[4] = { p0, p1, p2, p3 }; \
        for (int i_ = 0; i_ < 4; i_++) { \
            if (got_[i_] != want_[i_]) { \
                g_error("%s:%d: plane %d at 0x%x is 0x%02x, expected 0x%02x", __FILE__, \
                        __LINE__, i_, (unsigned)(a), got_[i_], want_[i_]); \
            } \
        } \
    } while (0)

/*
 * The graphics controller's write path, against the data flow the IBM VGA
 * TRM describes (rotate, set/reset, logical function with the latches, bit
 * mask, map mask) and read mode 1's colour compare.
 */
static void test_planar_write_modes(void)
{
    QTestState *s = qtest_init("-machine pc");
    set_mode(s, &mode_12);
    static const uint8_t base[4] = { 0xa5, 0x3c, 0x0f, 0xf0 };

    /* Map mask: a mode 0 write of 0xff with SR2 = 0x02 reaches plane 1 only. */
    write_planes(s, 0, base);
    seq_w(s, VGA_SEQ_PLANE_WRITE, 0x02);
    qtest_writeb(s, 0xa0000, 0xff);
    seq_w(s, VGA_SEQ_PLANE_WRITE, 0x0f);
    assert_planes(s, 0, 0xa5, 0xff, 0x0f, 0xf0);

    /* Set/reset: GR1 enables planes 0 and 2 to take GR0's bits (1 -> 0xff, 0 -> 0). */
    write_planes(s, 1, base);
    gc_w(s, VGA_GFX_SR_VALUE, 0x01);
    gc_w(s, VGA_GFX_SR_ENABLE, 0x05);
    qtest_writeb(s, 0xa0001, 0x66);
    assert_planes(s, 1, 0xff, 0x66, 0x00, 0x66);
    gc_w(s, VGA_GFX_SR_ENABLE, 0x00);

    /* Rotate: GR3 count 3 turns 0x81 into 0x30 on every plane. */
    gc_w(s, VGA_GFX_DATA_ROTATE, 0x03);
    qtest_writeb(s, 0xa0002, 0x81);
    gc_w(s, VGA_GFX_DATA_ROTATE, 0x00);
    assert_planes(s, 2, 0x30, 0x30, 0x30, 0x30);

    /* Logical functions on the latches (loaded by a read of the same address). */
    static const struct { uint8_t fn; uint8_t data; uint8_t want[4]; } ops[] = {
        { 0x08, 0x0f, { 0xa5 & 0x0f, 0x3c & 0x0f, 0x0f & 0x0f, 0xf0 & 0x0f } },   /* AND */
        { 0x10, 0x0f, { 0xa5 | 0x0f, 0x3c | 0x0f, 0x0f | 0x0f, 0xf0 | 0x0f } },   /* OR */
        { 0x18, 0xff, { 0x5a, 0xc3, 0xf0, 0x0f } },                             /* XOR */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(ops); i++) {
        write_planes(s, 3, base);
        qtest_readb(s, 0xa0003);
        gc_w(s, VGA_GFX_DATA_ROTATE, ops[i].fn);
        qtest_writeb(s, 0xa0003, ops[i].data);
        gc_w(s, VGA_GFX_DATA_ROTATE, 0x00);
        assert_planes(s, 3, ops[i].want[0], ops[i].want[1], ops[i].want[2], ops[i].want[3]);
    }

    /* Bit mask: masked-off bits keep the latch value. */
    write_planes(s, 4, base);
    qtest_readb(s, 0xa0004);
    gc_w(s, VGA_GFX_BIT_MASK, 0xf0);
    qtest_writeb(s, 0xa0004, 0x00);
    assert_planes(s, 4, 0x05, 0x0c, 0x0f, 0x00);
    gc_w(s, VGA_GFX_BIT_MASK, 0xff);

    /* Write mode 1: the latches as they are (a copy from address 0 to 5). */
    write_planes(s, 0, base);
    qtest_readb(s, 0xa0000);
    gc_w(s, VGA_GFX_MODE, 0x01);
    qtest_writeb(s, 0xa0005, 0x99);
    gc_w(s, VGA_GFX_MODE, 0x00);
    assert_planes(s, 5, 0xa5, 0x3c, 0x0f, 0xf0);

    /* Write mode 2: data bits 3:0 fill the planes; bit mask 0xc3 keeps the middle. */
    write_planes(s, 6, base);
    qtest_readb(s, 0xa0006);
    gc_w(s, VGA_GFX_MODE, 0x02);
    gc_w(s, VGA_GFX_BIT_MASK, 0xc3);
    qtest_writeb(s, 0xa0006, 0x09);
    gc_w(s, VGA_GFX_BIT_MASK, 0xff);
    gc_w(s, VGA_GFX_MODE, 0x00);
    assert_planes(s, 6, 0xa5 | 0xc3, 0x3c & ~0xc3, 0x0f & ~0xc3, 0xf0 | 0xc3);

    /* Write mode 3: set/reset colour 0x0e; rotated data AND GR8 is the bit mask. */
    write_planes(s, 7, base);
    qtest_readb(s, 0xa0007);
    gc_w(s, VGA_GFX_MODE, 0x03);
    gc_w(s, VGA_GFX_SR_VALUE, 0x0e);
    gc_w(s, VGA_GFX_BIT_MASK, 0x3c);
    gc_w(s, VGA_GFX_DATA_ROTATE, 0x04);
    qtest_writeb(s, 0xa0007, 0x0f);             /* mask = ror(0x0f, 4) & 0x3c = 0x30 */
    gc_w(s, VGA_GFX_DATA_ROTATE, 0x00);
    gc_w(s, VGA_GFX_BIT_MASK, 0xff);
    gc_w(s, VGA_GFX_MODE, 0x00);
    assert_planes(s, 7, 0xa5 & ~0x30, 0x3c | 0x30, 0x0f | 0x30, 0xf0 | 0x30);

    /* Read mode 1: bit set where the pixel's colour equals GR2 on the planes GR7 selects. */
    write_planes(s, 8, base);                   /* pixels: bit i of each plane */
    gc_w(s, VGA_GFX_MODE, 0x08);
    uint8_t want_eq[16];
    for (int c = 0; c < 16; c++) {
        want_eq[c] = 0;
        for (int b = 0; b < 8; b++) {
            int pix = 0;
            for (int p = 0; p < 4; p++) {
                pix |= ((base[p] >> b) & 1) << p;
            }
            if (pix == c) {
                want_eq[c] |= 1 << b;
            }
        }
        gc_w(s, VGA_GFX_COMPARE_VALUE, c);
        gc_w(s, VGA_GFX_COMPARE_MASK, 0x0f);
        g_assert_cmphex(qtest_readb(s, 0xa0008), ==, want_eq[c]);
    }
    /* Don't care about planes 2-3: compare on planes 0-1 only. */
    gc_w(s, VGA_GFX_COMPARE_VALUE, 0x01);
    gc_w(s, VGA_GFX_COMPARE_MASK, 0x03);
    g_assert_cmphex(qtest_readb(s, 0xa0008), ==, (uint8_t)(base[0] & ~base[1]));
    gc_w(s, VGA_GFX_COMPARE_MASK, 0x00);
    g_assert_cmphex(qtest_readb(s, 0xa0008), ==, 0xff);
    gc_w(s, VGA_GFX_MODE, 0x00);

    /* On screen: address 8 is pixels 64-71 of line 0 with those colours. */
    g_autoptr(Image) img = screendump(s);
    g_assert_cmpint(img->w, ==, 640);
    g_assert_cmpint(img->h, ==, 480);
    for (int b = 0; b < 8; b++) {
        int pix = 0;
        for (int p = 0; p < 4; p++) {
            pix |= ((base[p] >> (7 - b)) & 1) << p;
        }
        assert_px(img, 64 + b, 0, ega_colour(mode_12.ac[pix]));
    }
    /* Colour plane enable (AR12 = 0x03): only planes 0-1 reach the palette. */
    ac_w(s, VGA_ATC_PLANE_ENABLE, 0x03);
    display_on(s);
    g_autoptr(Image) img2 = screendump(s);
    for (int b = 0; b < 8; b++) {
        int pix = ((base[0] >> (7 - b)) & 1) | ((base[1] >> (7 - b)) & 1) << 1;
        assert_px(img2, 64 + b, 0, ega_colour(mode_12.ac[pix]));
    }
    /* The last line is line 479, address 479 * 80. */
    write_planes(s, 479 * 80 + 79, (const uint8_t[4]){ 0x01, 0x00, 0x00, 0x00 });
    g_autoptr(Image) img3 = screendump(s);
    assert_px(img3, 639, 479, ega_colour(mode_12.ac[1]));
    assert_px(img3, 638, 479, ega_colour(mode_12.ac[0]));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Mode 4: 2 bits per pixel, even lines at 0xb8000 and odd lines at 0xba000. */
static void test_cga_mode4(void)
{
    QTestState *s = qtest_init("-machine pc");
    set_mode(s, &mode_04);
    uint8_t line[2][80];
    for (int y = 0; y < 4; y++) {
        for (int i = 0; i < 80; i++) {
            line[y & 1][i] = (uint8_t)(i * 29 + y * 101);
        }
        qtest_bufwrite(s, 0xb8000 + (y & 1) * 0x2000 + (y >> 1) * 80, line[y & 1], 80);
    }
    g_autoptr(Image) img = screendump(s);
    g_assert_cmpint(img->w, ==, 320);
    g_assert_cmpint(img->h, ==, 200);
    for (int y = 0; y < 4; y++) {
        for (int x = 0; x < 320; x++) {
            uint8_t b = (uint8_t)((x / 4) * 29 + y * 101);
            unsigned pix = (b >> (6 - 2 * (x & 3))) & 3;
            assert_px(img, x, y, ega_colour(mode_04.ac[pix]));
        }
    }
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- registers ---- */

static void test_registers(void)
{
    QTestState *s = qtest_init("-machine pc");
    set_mode(s, &mode_03);

    /* Read-back through the index registers, with the reserved bits read as 0. */
    seq_w(s, VGA_SEQ_CLOCK_MODE, 0xff);
    g_assert_cmphex(seq_r(s, VGA_SEQ_CLOCK_MODE), ==, 0x3d);
    seq_w(s, VGA_SEQ_CLOCK_MODE, mode_03.seq[VGA_SEQ_CLOCK_MODE]);
    gc_w(s, VGA_GFX_MODE, 0xff);
    g_assert_cmphex(gc_r(s, VGA_GFX_MODE), ==, 0x7b);
    gc_w(s, VGA_GFX_MODE, 0x10);
    g_assert_cmphex(qtest_inb(s, VGA_MIS_R), ==, 0x67);

    /* CR11 bit 7 protects CR0-CR7, except CR7 bit 4 (line compare bit 8). */
    g_assert_cmphex(crtc_r(s, VGA_CRTC_V_SYNC_END) & 0x80, ==, 0x80);
    crtc_w(s, VGA_CRTC_H_TOTAL, 0x12);
    crtc_w(s, VGA_CRTC_OVERFLOW, 0x00);
    g_assert_cmphex(crtc_r(s, VGA_CRTC_H_TOTAL), ==, 0x5f);
    g_assert_cmphex(crtc_r(s, VGA_CRTC_OVERFLOW), ==, 0x0f);
    crtc_w(s, VGA_CRTC_MAX_SCAN, 0x4e);          /* CR9 is not protected */
    g_assert_cmphex(crtc_r(s, VGA_CRTC_MAX_SCAN), ==, 0x4e);
    crtc_w(s, VGA_CRTC_V_SYNC_END, 0x0e);
    crtc_w(s, VGA_CRTC_H_TOTAL, 0x12);
    g_assert_cmphex(crtc_r(s, VGA_CRTC_H_TOTAL), ==, 0x12);
    crtc_w(s, VGA_CRTC_H_TOTAL, 0x5f);
    /* A 16-bit OUT to the index port writes index then data. */
    qtest_outw(s, VGA_CRT_IC, 0x340c);
    g_assert_cmphex(crtc_r(s, VGA_CRTC_START_HI), ==, 0x34);

    /* Colour mode: the CRTC is not at 0x3b4/0x3b5, and input status not at 0x3ba. */
    qtest_outb(s, VGA_CRT_IM, 0x0d);
    g_assert_cmphex(qtest_inb(s, VGA_CRT_DM), ==, 0xff);
    /* Mono mode (misc bit 0 clear) moves them. */
    qtest_outb(s, VGA_MIS_W, 0x66);
    qtest_outb(s, VGA_CRT_IM, 0x0c);
    g_assert_cmphex(qtest_inb(s, VGA_CRT_DM), ==, 0x34);
    g_assert_cmphex(qtest_inb(s, VGA_CRT_DC), ==, 0xff);
    qtest_outb(s, VGA_MIS_W, 0x67);

    /* The attribute flip-flop: index, data, index...; reading 0x3da resets it. */
    qtest_inb(s, VGA_IS1_RC);
    qtest_outb(s, VGA_ATT_W, 0x31);             /* index 0x11 with PAS */
    qtest_outb(s, VGA_ATT_W, 0x2a);
    g_assert_cmphex(qtest_inb(s, VGA_ATT_W), ==, 0x31);
    g_assert_cmphex(qtest_inb(s, VGA_ATT_R), ==, 0x2a);
    qtest_outb(s, VGA_ATT_W, 0x32);             /* now an index again */
    qtest_outb(s, VGA_ATT_W, 0x05);
    g_assert_cmphex(qtest_inb(s, VGA_ATT_R), ==, 0x05);
    qtest_outb(s, VGA_ATT_W, 0x31);             /* index... */
    qtest_inb(s, VGA_IS1_RC);                   /* ...reset: the next write is an index */
    qtest_outb(s, VGA_ATT_W, 0x33);
    qtest_outb(s, VGA_ATT_W, 0x07);
    g_assert_cmphex(qtest_inb(s, VGA_ATT_W), ==, 0x33);
    g_assert_cmphex(qtest_inb(s, VGA_ATT_R), ==, 0x07);
    qtest_outb(s, VGA_ATT_W, 0x11);             /* index 0x11 ... */
    qtest_inb(s, VGA_IS1_RC);
    qtest_outb(s, VGA_ATT_W, 0x31);
    g_assert_cmphex(qtest_inb(s, VGA_ATT_R), ==, 0x2a);   /* ... was never written */

    /* DAC: three writes per entry, then the index moves on; reads likewise. */
    dac_w(s, 0xfe, 1, 2, 3);
    qtest_outb(s, VGA_PEL_D, 4);
    qtest_outb(s, VGA_PEL_D, 5);
    qtest_outb(s, VGA_PEL_D, 6);                /* entry 0xff */
    g_assert_cmphex(qtest_inb(s, VGA_PEL_IW), ==, 0x00);   /* wrapped */
    qtest_outb(s, VGA_PEL_IR, 0xfe);
    for (int i = 1; i <= 6; i++) {
        g_assert_cmphex(qtest_inb(s, VGA_PEL_D), ==, i);
    }

    /*
     * Input status 1 follows the beam. Mode 3: 80 of 100 clocks per line
     * displayed, 400 of 449 lines, vertical sync from line 412 (CR10 and CR7
     * bit 2) for 2 lines (CR11 bits 3:0 = 0xe).
     */
    int64_t line_ns = MODE3_LINE_NS;
    int64_t now = qtest_clock_step(s, 1);
    int64_t frame0 = (now / MODE3_FRAME_NS + 1) * MODE3_FRAME_NS;
    qtest_clock_step(s, frame0 - now + 200 * line_ns + line_ns / 4);
    g_assert_cmphex(qtest_inb(s, VGA_IS1_RC) & 0x09, ==, 0x00);       /* active display */
    qtest_clock_step(s, line_ns * 6 / 10);      /* line 200, clock 85: horizontal blank */
    g_assert_cmphex(qtest_inb(s, VGA_IS1_RC) & 0x09, ==, 0x01);
    qtest_clock_step(s, 212 * line_ns + line_ns / 10);   /* line 412.95: vertical sync */
    g_assert_cmphex(qtest_inb(s, VGA_IS1_RC) & 0x09, ==, 0x09);
    qtest_clock_step(s, 10 * line_ns);          /* line 423: blanking, no retrace */
    g_assert_cmphex(qtest_inb(s, VGA_IS1_RC) & 0x09, ==, 0x01);
    qtest_clock_step(s, 30 * line_ns);          /* line 4 of the next frame */
    g_assert_cmphex(qtest_inb(s, VGA_IS1_RC) & 0x08, ==, 0x00);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Misc output bit 1 clear: the CPU cannot reach display memory. */
static void test_window_decode(void)
{
    QTestState *s = qtest_init("-machine pc");
    set_mode(s, &mode_03);
    qtest_writeb(s, 0xb8000, 0x41);
    g_assert_cmphex(qtest_readb(s, 0xb8000), ==, 0x41);
    /* Text mode maps 0xb8000-0xbffff only. */
    g_assert_cmphex(qtest_readb(s, 0xa0000), ==, 0xff);
    g_assert_cmphex(qtest_readb(s, 0xb0000), ==, 0xff);
    qtest_outb(s, VGA_MIS_W, 0x65);
    g_assert_cmphex(qtest_readb(s, 0xb8000), ==, 0xff);
    qtest_writeb(s, 0xb8000, 0x42);
    qtest_outb(s, VGA_MIS_W, 0x67);
    g_assert_cmphex(qtest_readb(s, 0xb8000), ==, 0x41);
    /* Memory map 2: 0xb0000-0xb7fff. */
    gc_w(s, VGA_GFX_MISC, 0x0a);
    g_assert_cmphex(qtest_readb(s, 0xb0000), ==, 0x41);
    g_assert_cmphex(qtest_readb(s, 0xb8000), ==, 0xff);
    /* Odd/even: odd addresses reach plane 1 at the same (even) plane address. */
    gc_w(s, VGA_GFX_MISC, 0x0e);
    qtest_writeb(s, 0xb8001, 0x1e);
    gc_w(s, VGA_GFX_MODE, 0x00);                /* planar reads */
    gc_w(s, VGA_GFX_MISC, 0x06);                /* 0xa0000 64 KiB */
    gc_w(s, VGA_GFX_PLANE_READ, 1);
    g_assert_cmphex(qtest_readb(s, 0xa0000), ==, 0x1e);
    gc_w(s, VGA_GFX_PLANE_READ, 0);
    g_assert_cmphex(qtest_readb(s, 0xa0000), ==, 0x41);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- dirty tracking ---- */

static uint64_t display_updates(QTestState *s)
{
    g_autofree char *out = hmp(s, "info display");
    const char *p = strstr(out, "surface ");
    g_assert_nonnull(p);
    p = strchr(p, ',');
    g_assert_nonnull(p);
    return g_ascii_strtoull(p + 1, NULL, 10);
}

/* Only what changed is redrawn: no notification when nothing changed. */
static void test_dirty_tracking(void)
{
    QTestState *s = qtest_init("-machine pc");
    set_mode(s, &mode_13);
    g_autoptr(Image) a = screendump(s);
    uint64_t n0 = display_updates(s);
    g_assert_cmpuint(display_updates(s), ==, n0);
    qtest_writeb(s, 0xa0000 + 100 * 320 + 7, 0x0f);
    uint64_t n1 = display_updates(s);
    g_assert_cmpuint(n1, ==, n0 + 1);            /* one run of dirty lines */
    g_autoptr(Image) b = screendump(s);
    assert_px(b, 7, 100, ega_colour(0x0f));
    /* A palette change redraws everything. */
    dac_w(s, 0x0f, 1, 2, 3);
    g_autoptr(Image) c = screendump(s);
    assert_px(c, 7, 100, rgb6(1, 2, 3));

    /* Text: one changed cell, one small update; none for no change. */
    set_mode(s, &mode_03);
    load_font(s, 16, 0);
    crtc_w(s, VGA_CRTC_CURSOR_START, 0x20);
    g_autoptr(Image) d = screendump(s);
    uint64_t t0 = display_updates(s);
    g_assert_cmpuint(display_updates(s), ==, t0);
    qtest_writeb(s, 0xb8000 + 2 * 81, 'x');
    g_assert_cmpuint(display_updates(s), ==, t0 + 1);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- VBE ---- */

static void vbe_w(QTestState *s, uint16_t idx, uint16_t v)
{
    qtest_outw(s, VBE_DISPI_IOPORT_INDEX, idx);
    qtest_outw(s, VBE_DISPI_IOPORT_DATA, v);
}

static uint16_t vbe_r(QTestState *s, uint16_t idx)
{
    qtest_outw(s, VBE_DISPI_IOPORT_INDEX, idx);
    return qtest_inw(s, VBE_DISPI_IOPORT_DATA);
}

static void map_bars(QTestState *s)
{
    cfg_writel(s, VGA_BDF, PCI_BASE_ADDRESS_0, LFB_ADDR);
    cfg_writel(s, VGA_BDF, PCI_BASE_ADDRESS_0 + 8, MMIO_ADDR);
    cfg_writew(s, VGA_BDF, PCI_COMMAND, PCI_COMMAND_MEMORY);
}

static void vbe_mode(QTestState *s, uint16_t xres, uint16_t yres, uint16_t bpp,
                     uint16_t flags)
{
    vbe_w(s, VBE_DISPI_INDEX_ENABLE, 0);
    vbe_w(s, VBE_DISPI_INDEX_XRES, xres);
    vbe_w(s, VBE_DISPI_INDEX_YRES, yres);
    vbe_w(s, VBE_DISPI_INDEX_BPP, bpp);
    vbe_w(s, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED | flags);
}

static void test_vbe_id_and_caps(void)
{
    QTestState *s = qtest_init("-machine pc");
    g_assert_cmphex(vbe_r(s, VBE_DISPI_INDEX_ID), ==, 0xb0c5);
    vbe_w(s, VBE_DISPI_INDEX_ID, 0xb0c0);
    g_assert_cmphex(vbe_r(s, VBE_DISPI_INDEX_ID), ==, 0xb0c0);
    vbe_w(s, VBE_DISPI_INDEX_ID, 0xb0c4);
    g_assert_cmphex(vbe_r(s, VBE_DISPI_INDEX_ID), ==, 0xb0c4);
    vbe_w(s, VBE_DISPI_INDEX_ID, 0xb0c6);       /* not a version emu has: kept */
    g_assert_cmphex(vbe_r(s, VBE_DISPI_INDEX_ID), ==, 0xb0c4);
    vbe_w(s, VBE_DISPI_INDEX_ID, 0x1234);
    g_assert_cmphex(vbe_r(s, VBE_DISPI_INDEX_ID), ==, 0xb0c4);
    g_assert_cmphex(qtest_inw(s, VBE_DISPI_IOPORT_INDEX), ==, VBE_DISPI_INDEX_ID);
    /* 16 MiB of vram in 64 KiB units. */
    g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_VIDEO_MEMORY_64K), ==, 256);
    /* GETCAPS: the maxima instead of the values. */
    vbe_w(s, VBE_DISPI_INDEX_XRES, 800);
    vbe_w(s, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_GETCAPS);
    g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_XRES), ==, VBE_DISPI_MAX_XRES);
    g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_YRES), ==, VBE_DISPI_MAX_YRES);
    g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_BPP), ==, 32);
    vbe_w(s, VBE_DISPI_INDEX_ENABLE, 0);
    g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_XRES), ==, 800);
    /* Unknown indexes read 0. */
    g_assert_cmpuint(vbe_r(s, 0x0b), ==, 0);
    g_assert_cmpuint(vbe_r(s, 0xffff), ==, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);

    s = qtest_init("-machine pc -global VGA.vgamem_mb=4");
    g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_VIDEO_MEMORY_64K), ==, 64);
    g_assert_cmphex(cfg_size_bar(s, VGA_BDF, PCI_BASE_ADDRESS_0), ==, 0xffc00008);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static uint32_t argb(int x, int y)
{
    return ((x * 7 + y * 3) & 0xff) << 16 | ((x ^ y) & 0xff) << 8 | ((x + 5 * y) & 0xff);
}

static void test_vbe_1024x768x32(void)
{
    QTestState *s = qtest_init("-machine pc");
    map_bars(s);
    vbe_mode(s, 1024, 768, 32, 0);
    g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_XRES), ==, 1024);
    g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_YRES), ==, 768);
    g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_BPP), ==, 32);
    g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_VIRT_WIDTH), ==, 1024);
    g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_VIRT_HEIGHT), ==, 16 * 1024 * 1024 / 4096);
    static const int ys[] = { 0, 1, 383, 767 };
    uint32_t *row = g_new(uint32_t, 1024);
    for (size_t i = 0; i < G_N_ELEMENTS(ys); i++) {
        for (int x = 0; x < 1024; x++) {
            row[x] = argb(x, ys[i]) | 0xab000000u;     /* the X byte is ignored */
        }
        qtest_bufwrite(s, LFB_ADDR + ys[i] * 4096, row, 4096);
    }
    g_autoptr(Image) img = screendump(s);
    g_assert_cmpint(img->w, ==, 1024);
    g_assert_cmpint(img->h, ==, 768);
    for (size_t i = 0; i < G_N_ELEMENTS(ys); i++) {
        for (int x = 0; x < 1024; x += 31) {
            assert_px(img, x, ys[i], argb(x, ys[i]));
        }
        assert_px(img, 1023, ys[i], argb(1023, ys[i]));
    }
    assert_px(img, 5, 2, 0);                    /* cleared when the mode was enabled */

    /* Panning: a 2048-pixel virtual width, offsets (100, 50). */
    vbe_w(s, VBE_DISPI_INDEX_VIRT_WIDTH, 2048);
    g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_VIRT_HEIGHT), ==, 16 * 1024 * 1024 / 8192);
    for (int y = 50; y < 53; y++) {
        for (int x = 0; x < 1024; x++) {
            row[x] = argb(x + 100, y);
        }
        qtest_bufwrite(s, LFB_ADDR + (y * 2048 + 100) * 4, row, 4096);
    }
    vbe_w(s, VBE_DISPI_INDEX_X_OFFSET, 100);
    vbe_w(s, VBE_DISPI_INDEX_Y_OFFSET, 50);
    g_autoptr(Image) pan = screendump(s);
    for (int y = 0; y < 3; y++) {
        for (int x = 0; x < 1024; x += 17) {
            assert_px(pan, x, y, argb(x + 100, y + 50));
        }
    }
    /* An offset that would show past the end of vram is dropped (Y first). */
    vbe_w(s, VBE_DISPI_INDEX_Y_OFFSET, 1500);
    g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_Y_OFFSET), ==, 0);
    g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_X_OFFSET), ==, 100);
    g_free(row);

    /* The same registers through BAR 2 (0x500 + 2 * index), and the qext block. */
    g_assert_cmphex(qtest_readw(s, MMIO_ADDR + 0x500 + 2 * VBE_DISPI_INDEX_XRES), ==, 1024);
    g_assert_cmphex(qtest_readw(s, MMIO_ADDR + 0x500), ==, 0xb0c5);
    g_assert_cmphex(qtest_readl(s, MMIO_ADDR + 0x600), ==, 8);
    g_assert_cmphex(qtest_readl(s, MMIO_ADDR + 0x604), ==, 0x1e1e1e1e);
    qtest_writew(s, MMIO_ADDR + 0x500 + 2 * VBE_DISPI_INDEX_Y_OFFSET, 7);
    g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_Y_OFFSET), ==, 7);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_vbe_depths(void)
{
    QTestState *s = qtest_init("-machine pc");
    map_bars(s);

    /* 16 bpp 5:6:5 */
    vbe_mode(s, 640, 480, 16, 0);
    qtest_writew(s, LFB_ADDR + 0, 0xf800);
    qtest_writew(s, LFB_ADDR + 2, 0x07e0);
    qtest_writew(s, LFB_ADDR + 4, 0x001f);
    qtest_writew(s, LFB_ADDR + 1280 + 6, 0x8410);   /* (16, 32, 16) of (31, 63, 31) */
    g_autoptr(Image) a = screendump(s);
    g_assert_cmpint(a->w, ==, 640);
    assert_px(a, 0, 0, 0xff0000);
    assert_px(a, 1, 0, 0x00ff00);
    assert_px(a, 2, 0, 0x0000ff);
    assert_px(a, 3, 1, 0x848284);

    /* 15 bpp 5:5:5 */
    vbe_mode(s, 640, 480, 15, 0);
    qtest_writew(s, LFB_ADDR + 0, 0x7c00);
    qtest_writew(s, LFB_ADDR + 2, 0x03e0);
    qtest_writew(s, LFB_ADDR + 4, 0x4210);
    g_autoptr(Image) b = screendump(s);
    assert_px(b, 0, 0, 0xff0000);
    assert_px(b, 1, 0, 0x00ff00);
    assert_px(b, 2, 0, 0x848484);

    /* 24 bpp: B, G, R in memory */
    vbe_mode(s, 800, 600, 24, 0);
    const uint8_t p24[6] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
    qtest_memwrite(s, LFB_ADDR + 2400 * 599 + 3 * 798, p24, 6);
    g_autoptr(Image) c = screendump(s);
    g_assert_cmpint(c->w, ==, 800);
    g_assert_cmpint(c->h, ==, 600);
    assert_px(c, 798, 599, 0x332211);
    assert_px(c, 799, 599, 0x665544);

    /* 8 bpp through the DAC, written through the 64 KiB bank window. */
    vbe_mode(s, 640, 480, 8, 0);
    dac_w(s, 0x99, 63, 32, 0);
    vbe_w(s, VBE_DISPI_INDEX_BANK, 1);
    qtest_writeb(s, 0xa0000 + 5, 0x99);          /* vram 65541: (261, 102) */
    g_assert_cmphex(qtest_readb(s, LFB_ADDR + 65541), ==, 0x99);
    g_assert_cmphex(qtest_readb(s, 0xa0000 + 5), ==, 0x99);
    vbe_w(s, VBE_DISPI_INDEX_BANK, 0);
    g_assert_cmphex(qtest_readb(s, 0xa0000 + 5), ==, 0x00);
    g_autoptr(Image) d = screendump(s);
    assert_px(d, 65541 % 640, 65541 / 640, rgb6(63, 32, 0));
    /* The 8-bit DAC option keeps all 8 bits of what is written. */
    vbe_w(s, VBE_DISPI_INDEX_ENABLE,
          VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED | VBE_DISPI_8BIT_DAC);
    dac_w(s, 0x99, 0x80, 0x81, 0xfe);
    g_autoptr(Image) e = screendump(s);
    assert_px(e, 261, 102, 0x8081fe);

    /* NOCLEARMEM keeps the framebuffer; a plain enable clears it. */
    vbe_w(s, VBE_DISPI_INDEX_ENABLE, 0);
    vbe_mode(s, 640, 480, 8, VBE_DISPI_NOCLEARMEM);
    g_assert_cmphex(qtest_readb(s, LFB_ADDR + 65541), ==, 0x99);
    vbe_w(s, VBE_DISPI_INDEX_ENABLE, 0);
    vbe_mode(s, 640, 480, 8, 0);
    g_assert_cmphex(qtest_readb(s, LFB_ADDR + 65541), ==, 0x00);

    /* Back to VGA text: the legacy window is the VGA's again. */
    vbe_w(s, VBE_DISPI_INDEX_ENABLE, 0);
    set_mode(s, &mode_03);
    qtest_writeb(s, 0xb8000, 0x5a);
    g_assert_cmphex(qtest_readb(s, 0xb8000), ==, 0x5a);
    g_autoptr(Image) f = screendump(s);
    g_assert_cmpint(f->w, ==, 720);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- PCI, options, screendump formats ---- */

static void test_pci_identity(void)
{
    QTestState *s = qtest_init("-machine pc");
    g_assert_cmphex(cfg_readl(s, VGA_BDF, PCI_VENDOR_ID), ==, 0x11111234);
    g_assert_cmphex(cfg_readw(s, VGA_BDF, PCI_CLASS_DEVICE), ==, 0x0300);
    g_assert_cmphex(cfg_size_bar(s, VGA_BDF, PCI_BASE_ADDRESS_0), ==, 0xff000008);
    g_assert_cmphex(cfg_size_bar(s, VGA_BDF, PCI_BASE_ADDRESS_0 + 8), ==, 0xfffff000);
    if (g_file_test("/usr/share/seabios/vgabios-stdvga.bin", G_FILE_TEST_EXISTS)) {
        g_assert_cmphex(cfg_size_bar(s, VGA_BDF, PCI_ROM_ADDRESS) & 0xfffff800, !=, 0);
    }
    /* BAR 2's VGA registers are ports 0x3c0-0x3df. */
    map_bars(s);
    qtest_writeb(s, MMIO_ADDR + 0x400 + (VGA_SEQ_I - 0x3c0), VGA_SEQ_PLANE_WRITE);
    qtest_writeb(s, MMIO_ADDR + 0x400 + (VGA_SEQ_D - 0x3c0), 0x05);
    g_assert_cmphex(seq_r(s, VGA_SEQ_PLANE_WRITE), ==, 0x05);
    qtest_outb(s, VGA_MIS_W, 0x01);
    qtest_writew(s, MMIO_ADDR + 0x400 + (VGA_CRT_IC - 0x3c0), 0x770c);
    g_assert_cmphex(crtc_r(s, VGA_CRTC_START_HI), ==, 0x77);
    g_assert_cmphex(qtest_readl(s, MMIO_ADDR), ==, 0);        /* no EDID */
    g_autofree char *out = hmp(s, "info display");
    g_assert_nonnull(strstr(out, "console 0: /machine/vga"));
    g_assert_cmpint(qtest_quit(s), ==, 0);

    /* -vga none, -nodefaults: no card; -device VGA: one card, no default one. */
    s = qtest_init("-machine pc -vga none");
    g_assert_cmphex(cfg_readl(s, VGA_BDF, 0), ==, 0xffffffff);
    JsonNode *r = screendump_cmd(s, "/dev/null", NULL);
    g_assert_null(qtest_qmp_return(r));
    json_node_unref(r);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    s = qtest_init("-machine pc -nodefaults");
    g_assert_cmphex(cfg_readl(s, VGA_BDF, 0), ==, 0xffffffff);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    s = qtest_init("-machine pc -device VGA,addr=05.0,id=gfx");
    g_assert_cmphex(cfg_readl(s, VGA_BDF, 0), ==, 0xffffffff);
    g_assert_cmphex(cfg_readl(s, BDF(5, 0), 0), ==, 0x11111234);
    out = (g_free(out), hmp(s, "info display"));
    g_assert_nonnull(strstr(out, "/machine/peripheral/gfx"));
    g_assert_null(strstr(out, "console 1"));
    g_assert_cmpint(qtest_quit(s), ==, 0);
    s = qtest_init("-machine pc -vga std");
    g_assert_cmphex(cfg_readl(s, VGA_BDF, 0), ==, 0x11111234);
    g_assert_cmpint(qtest_quit(s), ==, 0);

    g_free(expect_start_failure("-machine pc -global VGA.vgamem_mb=3",
                                "vgamem_mb=3: the VGA memory size must be a power of two"));
    g_free(expect_start_failure("-machine pc -vga cirrus", "not built yet"));
}

static void test_isa_vga(void)
{
    QTestState *s = qtest_init("-machine pc -vga none -device isa-vga");
    set_mode(s, &mode_13);
    qtest_writeb(s, 0xa0000 + 321, 0x07);
    g_autoptr(Image) img = screendump(s);
    assert_px(img, 1, 1, ega_colour(0x07));
    /* The LFB at 0xe0000000. */
    vbe_mode(s, 640, 480, 32, 0);
    qtest_writel(s, VBE_DISPI_LFB_PHYSICAL_ADDRESS + 4 * 641, 0x00123456);
    g_autoptr(Image) v = screendump(s);
    assert_px(v, 1, 1, 0x123456);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_screendump_formats(void)
{
    QTestState *s = qtest_init("-machine pc");
    set_mode(s, &mode_13);
    dac_w(s, 0x20, 63, 31, 1);
    qtest_writeb(s, 0xa0000 + 2 * 320 + 3, 0x20);

    /* PPM (QEMU's default format): P6, then RGB bytes. */
    g_autofree char *ppm = g_build_filename(tmpdir, "shot.ppm", NULL);
    JsonNode *r = screendump_cmd(s, ppm, NULL);
    g_assert_nonnull(qtest_qmp_return(r));
    json_node_unref(r);
    g_autofree char *data = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(ppm, &data, &len, NULL));
    const char *hdr = "P6\n320 200\n255\n";
    g_assert_cmpuint(len, ==, strlen(hdr) + 320 * 200 * 3);
    g_assert_cmpint(memcmp(data, hdr, strlen(hdr)), ==, 0);
    const uint8_t *p = (const uint8_t *)data + strlen(hdr) + (2 * 320 + 3) * 3;
    g_assert_cmphex(p[0] << 16 | p[1] << 8 | p[2], ==, rgb6(63, 31, 1));

    /* HMP, with QEMU's -f spelling and from the name. */
    g_autofree char *png = g_build_filename(tmpdir, "hmp.png", NULL);
    g_autofree char *cmd = g_strdup_printf("screendump %s -f png", png);
    g_autofree char *out = hmp(s, cmd);
    g_assert_cmpstr(out, ==, "");
    g_autoptr(Image) img = read_png(png);
    assert_px(img, 3, 2, rgb6(63, 31, 1));
    unlink(png);
    g_free(cmd);
    cmd = g_strdup_printf("screendump %s", png);
    g_free(out);
    out = hmp(s, cmd);
    g_autoptr(Image) img2 = read_png(png);
    assert_px(img2, 3, 2, rgb6(63, 31, 1));

    /* Errors: a bad format, a file that cannot be created, an unknown device. */
    r = screendump_cmd(s, ppm, "bmp");
    g_assert_null(qtest_qmp_return(r));
    json_node_unref(r);
    r = screendump_cmd(s, "/nonexistent-dir/x.png", "png");
    g_assert_null(qtest_qmp_return(r));
    json_node_unref(r);
    r = qtest_qmp(s, "{'execute': 'screendump', 'arguments': {'filename': '%s', "
                  "'device': 'nosuch'}}", ppm);
    g_assert_null(qtest_qmp_return(r));
    json_node_unref(r);
    r = qtest_qmp(s, "{'execute': 'screendump', 'arguments': {'filename': '%s', "
                  "'device': '/machine/vga'}}", ppm);
    g_assert_nonnull(qtest_qmp_return(r));
    json_node_unref(r);
    unlink(ppm);
    unlink(png);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- hostile values ---- */

static void all_ones(QTestState *s)
{
    qtest_outb(s, VGA_MIS_W, 0xff);
    for (int i = 0; i < 256; i++) {
        seq_w(s, i, 0xff);
        gc_w(s, i, 0xff);
        crtc_w(s, i, 0xff);
        ac_w(s, i, 0xff);
    }
    /* CR11 bit 7 is now set: clear it and write CR0-CR7 again. */
    crtc_w(s, VGA_CRTC_V_SYNC_END, 0x7f);
    for (int i = 0; i < 8; i++) {
        crtc_w(s, i, 0xff);
    }
    qtest_outb(s, VGA_PEL_MSK, 0xff);
    for (int i = 0; i < 768; i++) {
        qtest_outb(s, VGA_PEL_D, 0xff);
    }
    for (int port = 0x3b0; port <= 0x3df; port++) {
        qtest_outb(s, port, 0xff);
        qtest_inb(s, port);
    }
    display_on(s);
}

static void test_hostile(void)
{
    QTestState *s = qtest_init("-machine pc");
    map_bars(s);
    all_ones(s);
    /* SR1 bit 5 is "screen off": black, at the size the screen had. */
    g_autoptr(Image) dark = screendump(s);
    g_assert_cmpint(dark->w, ==, 640);
    g_assert_cmpint(dark->h, ==, 480);
    for (int i = 0; i < dark->w * dark->h; i += 97) {
        g_assert_cmphex(dark->px[i], ==, 0);
    }
    seq_w(s, VGA_SEQ_CLOCK_MODE, 0xdf);
    /*
     * GR5 bit 6 (256-colour shift): 4 pixels per clock, 256 clocks (CR1 + 1);
     * 1024 scanlines (CR12 and CR7 bits 1, 6), each row of 32 (CR9 bits 4:0)
     * doubled (CR9 bit 7) and nothing substituted (CR17 bits 0, 1): 16 lines.
     */
    g_autoptr(Image) a = screendump(s);
    g_assert_cmpint(a->w, ==, 1024);
    g_assert_cmpint(a->h, ==, 16);
    qtest_memset(s, 0xa0000, 0xff, 0x20000);
    for (uint32_t off = 0; off < 0x20000; off += 0x1fff) {
        qtest_readb(s, 0xa0000 + off);
    }
    /* Text with SR1 = 0x3d: 8-dot cells at half clock (16 wide), double scan. */
    gc_w(s, VGA_GFX_MISC, 0x00);
    g_autoptr(Image) b = screendump(s);
    g_assert_cmpint(b->w, ==, 256 * 16);
    g_assert_cmpint(b->h, ==, 512);

    /* VBE: every register all-ones, then each at its extreme. */
    for (int i = 0; i < 0x10; i++) {
        vbe_w(s, i, 0xffff);
    }
    g_autoptr(Image) c = screendump(s);
    g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_XRES), <=, VBE_DISPI_MAX_XRES);
    vbe_w(s, VBE_DISPI_INDEX_ENABLE, 0);
    static const uint16_t vals[] = { 0, 1, 7, 8, 0x7fff, 0x8000, 0xfff8, 0xffff };
    for (size_t i = 0; i < G_N_ELEMENTS(vals); i++) {
        vbe_w(s, VBE_DISPI_INDEX_ENABLE, 0);
        vbe_w(s, VBE_DISPI_INDEX_XRES, vals[i]);
        vbe_w(s, VBE_DISPI_INDEX_YRES, vals[(i + 3) % G_N_ELEMENTS(vals)]);
        vbe_w(s, VBE_DISPI_INDEX_BPP, (uint16_t[]){ 4, 8, 15, 16, 24, 32, 0, 0xffff }[i]);
        vbe_w(s, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED);
        vbe_w(s, VBE_DISPI_INDEX_VIRT_WIDTH, vals[(i + 5) % G_N_ELEMENTS(vals)]);
        vbe_w(s, VBE_DISPI_INDEX_X_OFFSET, vals[(i + 1) % G_N_ELEMENTS(vals)]);
        vbe_w(s, VBE_DISPI_INDEX_Y_OFFSET, vals[(i + 2) % G_N_ELEMENTS(vals)]);
        vbe_w(s, VBE_DISPI_INDEX_BANK, vals[i]);
        qtest_writeb(s, 0xa0000 + 0xffff, 1);
        qtest_readb(s, 0xbffff);
        /* The visible frame lies inside vram (16 MiB). */
        uint64_t bytes = vbe_r(s, VBE_DISPI_INDEX_BPP) == 15 ? 2
                         : (vbe_r(s, VBE_DISPI_INDEX_BPP) + 7) / 8;
        uint64_t line = vbe_r(s, VBE_DISPI_INDEX_VIRT_WIDTH) * bytes;
        uint64_t end = vbe_r(s, VBE_DISPI_INDEX_Y_OFFSET) * line +
                       vbe_r(s, VBE_DISPI_INDEX_X_OFFSET) * bytes +
                       vbe_r(s, VBE_DISPI_INDEX_YRES) * line;
        g_assert_cmpuint(end, <=, 16u << 20);
        g_assert_cmpuint(vbe_r(s, VBE_DISPI_INDEX_XRES), <=,
                         vbe_r(s, VBE_DISPI_INDEX_VIRT_WIDTH));
        g_autoptr(Image) d = screendump(s);
        g_assert_cmpint(d->w, ==, vbe_r(s, VBE_DISPI_INDEX_XRES));
        g_assert_cmpint(d->h, ==, vbe_r(s, VBE_DISPI_INDEX_YRES));
    }

    /* Random register traffic with screendumps in between. */
    GRand *rnd = g_rand_new_with_seed(0x5eed);
    vbe_w(s, VBE_DISPI_INDEX_ENABLE, 0);
    for (int round = 0; round < 40; round++) {
        for (int k = 0; k < 40; k++) {
            uint16_t port = 0x3b0 + g_rand_int_range(rnd, 0, 0x30);
            qtest_outb(s, port, g_rand_int_range(rnd, 0, 256));
        }
        if (round % 3 == 0) {
            vbe_w(s, g_rand_int_range(rnd, 0, 12), g_rand_int_range(rnd, 0, 0x10000));
        }
        qtest_writeb(s, 0xa0000 + g_rand_int_range(rnd, 0, 0x20000),
                     g_rand_int_range(rnd, 0, 256));
        display_on(s);
        if (round % 5 == 4) {
            g_autoptr(Image) e = screendump(s);
            g_assert_cmpint(e->w, >, 0);
        } else {
            g_free(hmp(s, "info display"));
        }
    }
    g_rand_free(rnd);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("emu-vga-XXXXXX", NULL);
    g_test_add_func("/vga/text/80x25", test_text_80x25);
    g_test_add_func("/vga/text/start-address", test_text_start_address);
    g_test_add_func("/vga/text/40x25", test_text_40x25);
    g_test_add_func("/vga/text/80x50", test_text_80x50);
    g_test_add_func("/vga/text/font-maps", test_text_font_maps);
    g_test_add_func("/vga/gfx/mode13h", test_mode13);
    g_test_add_func("/vga/gfx/planar-write-modes", test_planar_write_modes);
    g_test_add_func("/vga/gfx/cga-mode4", test_cga_mode4);
    g_test_add_func("/vga/registers", test_registers);
    g_test_add_func("/vga/window-decode", test_window_decode);
    g_test_add_func("/vga/dirty-tracking", test_dirty_tracking);
    g_test_add_func("/vga/vbe/id-and-caps", test_vbe_id_and_caps);
    g_test_add_func("/vga/vbe/1024x768x32", test_vbe_1024x768x32);
    g_test_add_func("/vga/vbe/depths", test_vbe_depths);
    g_test_add_func("/vga/pci", test_pci_identity);
    g_test_add_func("/vga/isa-vga", test_isa_vga);
    g_test_add_func("/vga/screendump", test_screendump_formats);
    g_test_add_func("/vga/hostile", test_hostile);
    int ret = g_test_run();
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(cmd)) {
        /* best effort */
    }
    return ret;
}
