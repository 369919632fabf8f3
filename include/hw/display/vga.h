/*
 * The standard VGA core with the Bochs VBE extension, shared by the PCI VGA
 * (1234:1111, hw/display/vga-pci.c) and isa-vga (hw/display/vga-isa.c).
 *
 * Video memory. One RAM region ("vga.vram", vgamem_mb MiB, 16 by default)
 * holds everything. Its first 256 KiB are the four VGA planes, interleaved:
 * byte (A << 2) | P is byte A of plane P, so one 32-bit load fetches what the
 * hardware's four latches hold. VBE modes see the same region as a linear
 * framebuffer (the LFB: PCI BAR 0, or 0xe0000000 on isa-vga; and the banked
 * 64 KiB window at 0xa0000). The region logs writes for the VGA dirty client,
 * so guest stores to the LFB or the bank window run at RAM speed and the
 * renderer redraws only lines whose pages changed.
 *
 * The legacy window 0xa0000-0xbffff is an I/O region running the graphics
 * controller (hw/display/vga-mem.c); the registers are on ports 0x3b4/5,
 * 0x3ba, 0x3c0-0x3cf, 0x3d4/5, 0x3da (hw/display/vga.c) and the dispi
 * interface on 0x1ce/0x1cf (hw/display/vga-vbe.c). Rendering into the
 * console's surface is hw/display/vga-render.c.
 */
#ifndef HW_DISPLAY_VGA_H
#define HW_DISPLAY_VGA_H

#include "system/memory.h"
#include "hw/display/vga-regs.h"

typedef struct QemuConsole QemuConsole;
typedef struct VGARender VGARender;
typedef struct VMStateDescription VMStateDescription;

#define VGA_PLANE_SIZE      0x10000         /* bytes per plane */
#define VGA_PLANES_BYTES    (4 * VGA_PLANE_SIZE)
#define VGA_VRAM_DEFAULT_MB 16

typedef struct VGACommonState VGACommonState;

/* One of the legacy port ranges (0x3b4, 0x3ba, 0x3c0, 0x3d4, 0x3da). */
typedef struct VGAPortRange {
    VGACommonState *s;
    uint16_t base;
    MemoryRegion mr;
} VGAPortRange;

struct VGACommonState {
    Object *owner;

    /* ---- configuration ---- */
    uint32_t vram_size_mb;          /* property vgamem_mb */
    uint64_t vram_size;
    MemoryRegion vram;
    uint8_t *vram_ptr;

    /* ---- the legacy window and ports ---- */
    MemoryRegion lowmem;            /* 0xa0000-0xbffff, through the graphics controller */
    MemoryRegion bank;              /* VBE: 64 KiB of vram at 0xa0000 (BANK) */
    MemoryRegion *lowmem_container;
    VGAPortRange ports[5];
    MemoryRegion vbe_ports;
    bool legacy_mapped;

    /* ---- registers (IBM VGA Technical Reference) ---- */
    uint8_t misc;                   /* miscellaneous output */
    uint8_t fcr;                    /* feature control */
    uint8_t sr_index;
    uint8_t sr[8];
    uint8_t gr_index;
    uint8_t gr[16];
    uint8_t ar_index;               /* with the palette address source bit (0x20) */
    uint8_t ar[VGA_ATT_C];
    uint8_t ar_flip_flop;           /* 0: the next 0x3c0 write is an index */
    uint8_t cr_index;
    uint8_t cr[VGA_CRT_C];
    uint8_t dac_read_index;
    uint8_t dac_write_index;
    uint8_t dac_sub_index;          /* 0..2: R, G, B */
    uint8_t dac_state;              /* 0x3c7 read: 0 after a write index, 3 after a read index */
    uint8_t dac_pel_mask;
    uint8_t dac_cache[3];
    uint8_t palette[768];           /* 6 bits per component (8 with the VBE 8-bit DAC) */
    uint32_t latch;                 /* the four plane latches, plane 0 in bits 7:0 */

    /* ---- Bochs VBE ---- */
    uint16_t vbe_index;
    uint16_t vbe_regs[VBE_DISPI_INDEX_NB];
    uint32_t vbe_start_addr;        /* byte offset in vram of the first visible pixel */
    uint32_t vbe_line_offset;       /* bytes per virtual line */
    bool big_endian_fb;             /* PCI VGA qext byte order */

    /* ---- display ---- */
    QemuConsole *con;
    VGARender *render;

    /* ---- counters for `info display` ---- */
    uint64_t ignored_writes;        /* protected, read-only or undecoded registers */
    uint64_t window_drops;          /* window accesses with RAM disabled or unmapped */
};

/*
 * Allocate vram (vgamem_mb: a power of two from 1 to 256) and set the
 * power-on state. @owner owns the memory regions.
 */
bool vga_common_init(VGACommonState *s, Object *owner, Error **errp);
/* Close the console and unmap the legacy window and ports (unrealize). */
void vga_common_unrealize(VGACommonState *s);
/* Free the regions (instance finalize; safe if init never ran). */
void vga_common_finalize(VGACommonState *s);
/* Power-on register state (all zero, as before a VGA BIOS runs) and VBE off. */
void vga_common_reset(VGACommonState *s);
/*
 * Map the legacy window into @mem (at 0xa0000, above RAM: priority 1) and the
 * legacy VGA and VBE ports into @io.
 */
void vga_init_legacy(VGACommonState *s, MemoryRegion *mem, MemoryRegion *io);
void vga_unmap_legacy(VGACommonState *s);
/* The graphic console that shows this VGA; @dev names it in screendump. */
void vga_console_init(VGACommonState *s, Object *dev);
void vga_console_close(VGACommonState *s);

/* Register access by port number (0x3b0-0x3df), one byte. */
uint8_t vga_ioport_read(VGACommonState *s, uint16_t port);
void vga_ioport_write(VGACommonState *s, uint16_t port, uint8_t val);
/* The dispi registers (index, data). */
uint16_t vbe_read_index(VGACommonState *s);
void vbe_write_index(VGACommonState *s, uint16_t val);
uint16_t vbe_read_data(VGACommonState *s);
void vbe_write_data(VGACommonState *s, uint16_t val);
/* The legacy window at offset @addr from 0xa0000 (0..0x1ffff). */
uint8_t vga_mem_readb(VGACommonState *s, hwaddr addr);
void vga_mem_writeb(VGACommonState *s, hwaddr addr, uint8_t val);

static inline bool vbe_enabled(const VGACommonState *s)
{
    return s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED;
}

/* Registers, DAC and VBE state; vram travels as RAM. */
extern const VMStateDescription vmstate_vga_common;

#endif
