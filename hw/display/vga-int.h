/* Private to hw/display/vga*.c: what the register, memory and render files share. */
#ifndef HW_DISPLAY_VGA_INT_H
#define HW_DISPLAY_VGA_INT_H

#include "hw/display/vga.h"

/* Raster timing derived from the CRTC and clock select (IBM VGA TRM, CRTC). */
typedef struct VGATiming {
    int64_t frame_ps;       /* picoseconds: a 28.322 MHz clock is not a whole ns */
    int64_t line_ps;
    int64_t char_ps;
    int htotal;             /* character clocks per line */
    int hdisp;
    int vtotal;             /* scanlines per frame */
    int vdisp;
    int vsync_start;
    int vsync_len;
} VGATiming;

void vga_timing(const VGACommonState *s, VGATiming *t);
/* Frames since virtual time 0 (drives the cursor and character blink). */
uint64_t vga_frame_count(const VGACommonState *s);

/* VBE (vga-vbe.c). */
void vbe_reset(VGACommonState *s);
/* Clamp the dispi registers to what vram can show; recompute start and pitch. */
void vbe_fixup_regs(VGACommonState *s);
/* Bytes per pixel of a (fixed-up) depth. */
unsigned vbe_bytes_per_pixel(unsigned bpp);

/* Map or unmap the VBE bank window after ENABLE/BANK changed. */
void vga_update_memory_access(VGACommonState *s);

/* Rendering (vga-render.c). */
VGARender *vga_render_new(void);
void vga_render_free(VGARender *r);
void vga_render_update(VGACommonState *s);
void vga_render_invalidate(VGACommonState *s);
void vga_render_describe(VGACommonState *s, GString *out);

#endif
