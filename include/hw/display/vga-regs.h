/*
 * Standard VGA and Bochs VBE ("dispi") register layout, from the IBM VGA
 * Technical Reference (registers by port and index) and the Bochs VBE
 * interface as QEMU's stdvga implements it. Plain defines and no includes:
 * the device (hw/display/vga*.c) and the qtests share them.
 */
#ifndef HW_DISPLAY_VGA_REGS_H
#define HW_DISPLAY_VGA_REGS_H

/* ---- I/O ports ---- */
#define VGA_CRT_IM          0x3b4   /* CRTC index, monochrome decode */
#define VGA_CRT_DM          0x3b5   /* CRTC data, monochrome decode */
#define VGA_IS1_RM          0x3ba   /* R: input status 1 / W: feature control (mono) */
#define VGA_ATT_W           0x3c0   /* attribute controller index / data (flip-flop) */
#define VGA_ATT_R           0x3c1   /* attribute controller data read */
#define VGA_MIS_W           0x3c2   /* W: miscellaneous output / R: input status 0 */
#define VGA_VSE             0x3c3   /* video subsystem enable */
#define VGA_SEQ_I           0x3c4
#define VGA_SEQ_D           0x3c5
#define VGA_PEL_MSK         0x3c6   /* DAC pixel mask */
#define VGA_PEL_IR          0x3c7   /* W: DAC read index / R: DAC state */
#define VGA_PEL_IW          0x3c8   /* DAC write index */
#define VGA_PEL_D           0x3c9   /* DAC data, three accesses per entry (R, G, B) */
#define VGA_FTC_R           0x3ca   /* feature control read */
#define VGA_MIS_R           0x3cc   /* miscellaneous output read */
#define VGA_GFX_I           0x3ce
#define VGA_GFX_D           0x3cf
#define VGA_CRT_IC          0x3d4   /* CRTC index, colour decode */
#define VGA_CRT_DC          0x3d5
#define VGA_IS1_RC          0x3da   /* R: input status 1 / W: feature control (colour) */

/* Miscellaneous output */
#define VGA_MIS_COLOR       0x01    /* CRTC and status at 0x3dx (else 0x3bx) */
#define VGA_MIS_ENB_MEM     0x02    /* CPU access to display memory enabled */
#define VGA_MIS_PAGE        0x20    /* odd/even page select */

/* Input status 1 */
#define VGA_IS1_DE          0x01    /* display disabled: blanking or retrace */
#define VGA_IS1_VR          0x08    /* vertical retrace */

/* ---- sequencer (SR) ---- */
#define VGA_SEQ_RESET           0x00
#define VGA_SEQ_CLOCK_MODE      0x01
#define VGA_SEQ_PLANE_WRITE     0x02    /* map mask */
#define VGA_SEQ_CHARACTER_MAP   0x03
#define VGA_SEQ_MEMORY_MODE     0x04
#define VGA_SEQ_C               0x05    /* number of sequencer registers */

#define VGA_SR01_CHAR_CLK_8DOTS 0x01    /* 8-dot character cells (else 9) */
#define VGA_SR01_HALF_CLOCK     0x08    /* dot clock / 2 (40-column and 320-wide modes) */
#define VGA_SR01_SCREEN_OFF     0x20
#define VGA_SR04_EXT_MEM        0x02
#define VGA_SR04_SEQ_MODE       0x04    /* odd/even host writes disabled */
#define VGA_SR04_CHN_4M         0x08    /* chain 4 */

/* ---- graphics controller (GR) ---- */
#define VGA_GFX_SR_VALUE        0x00
#define VGA_GFX_SR_ENABLE       0x01
#define VGA_GFX_COMPARE_VALUE   0x02
#define VGA_GFX_DATA_ROTATE     0x03    /* rotate count 2:0, function 4:3 */
#define VGA_GFX_PLANE_READ      0x04
#define VGA_GFX_MODE            0x05
#define VGA_GFX_MISC            0x06
#define VGA_GFX_COMPARE_MASK    0x07    /* colour don't care */
#define VGA_GFX_BIT_MASK        0x08
#define VGA_GFX_C               0x09

#define VGA_GR05_READ_MODE1     0x08
#define VGA_GR05_HOST_OE        0x10    /* host odd/even reads */
#define VGA_GR05_SHIFT_INTERLEAVE 0x20  /* CGA 4-colour shift */
#define VGA_GR05_SHIFT_256      0x40    /* 256-colour shift */
#define VGA_GR06_GRAPHICS_MODE  0x01
#define VGA_GR06_CHAIN_OE       0x02

/* ---- attribute controller (AR) ---- */
#define VGA_ATC_PALETTE0        0x00    /* ... 0x0f */
#define VGA_ATC_MODE            0x10
#define VGA_ATC_OVERSCAN        0x11
#define VGA_ATC_PLANE_ENABLE    0x12
#define VGA_ATC_PEL             0x13    /* horizontal pel panning */
#define VGA_ATC_COLOR_PAGE      0x14
#define VGA_ATT_C               0x15
#define VGA_AR_ENABLE_DISPLAY   0x20    /* palette address source, in the index */

#define VGA_AR10_GRAPHICS       0x01
#define VGA_AR10_LINE_GRAPHICS  0x04    /* 9th column repeats for 0xc0-0xdf */
#define VGA_AR10_BLINK          0x08
#define VGA_AR10_8BIT           0x40
#define VGA_AR10_P54_SELECT     0x80

/* ---- CRT controller (CR) ---- */
#define VGA_CRTC_H_TOTAL        0x00
#define VGA_CRTC_H_DISP         0x01
#define VGA_CRTC_H_BLANK_START  0x02
#define VGA_CRTC_H_BLANK_END    0x03
#define VGA_CRTC_H_SYNC_START   0x04
#define VGA_CRTC_H_SYNC_END     0x05
#define VGA_CRTC_V_TOTAL        0x06
#define VGA_CRTC_OVERFLOW       0x07
#define VGA_CRTC_PRESET_ROW     0x08
#define VGA_CRTC_MAX_SCAN       0x09
#define VGA_CRTC_CURSOR_START   0x0a
#define VGA_CRTC_CURSOR_END     0x0b
#define VGA_CRTC_START_HI       0x0c
#define VGA_CRTC_START_LO       0x0d
#define VGA_CRTC_CURSOR_HI      0x0e
#define VGA_CRTC_CURSOR_LO      0x0f
#define VGA_CRTC_V_SYNC_START   0x10
#define VGA_CRTC_V_SYNC_END     0x11
#define VGA_CRTC_V_DISP_END     0x12
#define VGA_CRTC_OFFSET         0x13
#define VGA_CRTC_UNDERLINE      0x14
#define VGA_CRTC_V_BLANK_START  0x15
#define VGA_CRTC_V_BLANK_END    0x16
#define VGA_CRTC_MODE           0x17
#define VGA_CRTC_LINE_COMPARE   0x18
#define VGA_CRT_C               0x19

#define VGA_CR09_DOUBLE_SCAN    0x80
#define VGA_CR0A_CURSOR_OFF     0x20
#define VGA_CR11_LOCK_CR0_CR7   0x80
#define VGA_CR14_DWORD          0x40
#define VGA_CR14_COUNT_BY_4     0x20
#define VGA_CR17_MA13_ROW0      0x01    /* 0: row scan bit 0 replaces address bit 13 */
#define VGA_CR17_MA14_ROW1      0x02    /* 0: row scan bit 1 replaces address bit 14 */
#define VGA_CR17_COUNT_BY_2     0x08
#define VGA_CR17_WRAP_MA15      0x20    /* word mode: MA15 (else MA13) into bit 0 */
#define VGA_CR17_BYTE_MODE      0x40

/* ---- Bochs VBE ---- */
#define VBE_DISPI_IOPORT_INDEX  0x1ce
#define VBE_DISPI_IOPORT_DATA   0x1cf

#define VBE_DISPI_INDEX_ID              0x0
#define VBE_DISPI_INDEX_XRES            0x1
#define VBE_DISPI_INDEX_YRES            0x2
#define VBE_DISPI_INDEX_BPP             0x3
#define VBE_DISPI_INDEX_ENABLE          0x4
#define VBE_DISPI_INDEX_BANK            0x5
#define VBE_DISPI_INDEX_VIRT_WIDTH      0x6
#define VBE_DISPI_INDEX_VIRT_HEIGHT     0x7
#define VBE_DISPI_INDEX_X_OFFSET        0x8
#define VBE_DISPI_INDEX_Y_OFFSET        0x9
#define VBE_DISPI_INDEX_VIDEO_MEMORY_64K 0xa
#define VBE_DISPI_INDEX_NB              0xb

#define VBE_DISPI_ID0           0xb0c0
#define VBE_DISPI_ID5           0xb0c5

#define VBE_DISPI_MAX_XRES      16000
#define VBE_DISPI_MAX_YRES      12000
#define VBE_DISPI_MAX_BPP       32

#define VBE_DISPI_DISABLED      0x00
#define VBE_DISPI_ENABLED       0x01
#define VBE_DISPI_GETCAPS       0x02
#define VBE_DISPI_8BIT_DAC      0x20
#define VBE_DISPI_LFB_ENABLED   0x40
#define VBE_DISPI_NOCLEARMEM    0x80

/* isa-vga's linear framebuffer; PCI VGA has it in BAR 0. */
#define VBE_DISPI_LFB_PHYSICAL_ADDRESS 0xe0000000u

/* ---- PCI VGA (1234:1111) BAR 2: QEMU's stdvga MMIO layout ---- */
#define PCI_VGA_MMIO_SIZE       0x1000
#define PCI_VGA_IOPORT_OFFSET   0x400   /* ports 0x3c0-0x3df */
#define PCI_VGA_IOPORT_SIZE     0x20
#define PCI_VGA_BOCHS_OFFSET    0x500   /* dispi register N at 0x500 + 2N */
#define PCI_VGA_BOCHS_SIZE      (VBE_DISPI_INDEX_NB * 2)
#define PCI_VGA_QEXT_OFFSET     0x600
#define PCI_VGA_QEXT_SIZE       8
#define PCI_VGA_QEXT_REG_SIZE       0
#define PCI_VGA_QEXT_REG_BYTEORDER  4
#define PCI_VGA_QEXT_LITTLE_ENDIAN  0x1e1e1e1eu
#define PCI_VGA_QEXT_BIG_ENDIAN     0xbebebebeu

#endif
