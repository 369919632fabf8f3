/*
 * The VGA register set (IBM VGA Technical Reference, "Registers"): the
 * miscellaneous output and feature control registers, the sequencer, graphics
 * controller, attribute controller (index/data flip-flop on 0x3c0, reset by
 * reading input status 1), CRT controller (CR0-CR7 write-protected by CR11
 * bit 7, except the line compare bit in CR7) and the DAC (read and write
 * indexes, three accesses per entry). Also vram allocation, reset, the
 * graphic console glue and migration.
 */
#include "vga-int.h"
#include "ui/console.h"
#include "migration/vmstate.h"
#include "util/log.h"
#include "util/timer.h"

/* Writable bits per register; the others read 0 (IBM VGA TRM register maps). */
static const uint8_t sr_mask[VGA_SEQ_C] = { 0x03, 0x3d, 0x0f, 0x3f, 0x0e };
static const uint8_t gr_mask[VGA_GFX_C] = {
    0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff,
};
static const uint8_t ar_mask[VGA_ATT_C] = {
    0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
    0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
    0xef, 0xff, 0x3f, 0x0f, 0x0f,
};

/* ---- timing: input status 1 and the blink counters ---- */

void vga_timing(const VGACommonState *s, VGATiming *t)
{
    /* Clock select 0: 25.175 MHz, 1: 28.322 MHz; 2-3 are external (taken as 0). */
    int64_t clk_hz = ((s->misc >> 2) & 3) == 1 ? 28322000 : 25175000;
    int dots = (s->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_CHAR_CLK_8DOTS) ? 8 : 9;
    if (s->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_HALF_CLOCK) {
        clk_hz /= 2;
    }
    const uint8_t *cr = s->cr;
    t->htotal = cr[VGA_CRTC_H_TOTAL] + 5;
    t->hdisp = cr[VGA_CRTC_H_DISP] + 1;
    t->vtotal = (cr[VGA_CRTC_V_TOTAL] | ((cr[VGA_CRTC_OVERFLOW] & 0x01) << 8) |
                 ((cr[VGA_CRTC_OVERFLOW] & 0x20) << 4)) + 2;
    t->vdisp = (cr[VGA_CRTC_V_DISP_END] | ((cr[VGA_CRTC_OVERFLOW] & 0x02) << 7) |
                ((cr[VGA_CRTC_OVERFLOW] & 0x40) << 3)) + 1;
    t->vsync_start = cr[VGA_CRTC_V_SYNC_START] | ((cr[VGA_CRTC_OVERFLOW] & 0x04) << 6) |
                     ((cr[VGA_CRTC_OVERFLOW] & 0x80) << 2);
    /* The end register holds the low 4 bits of the line where the pulse stops. */
    t->vsync_len = ((cr[VGA_CRTC_V_SYNC_END] & 0x0f) - (t->vsync_start & 0x0f)) & 0x0f;
    if (!t->vsync_len) {
        t->vsync_len = 16;
    }
    t->char_ps = dots * 1000000000000LL / clk_hz;
    t->line_ps = t->char_ps * t->htotal;
    t->frame_ps = t->line_ps * t->vtotal;
    if (vbe_enabled(s) || t->frame_ps < 4000000000LL || t->frame_ps > 100000000000LL ||
        t->vdisp > t->vtotal || t->hdisp > t->htotal) {
        /*
         * VBE modes leave the CRTC as it was, and a half-programmed CRTC gives
         * nonsense: use 640x480 at 60 Hz (800 clocks x 525 lines) so polling
         * for retrace still sees one per frame.
         */
        t->htotal = 100;
        t->hdisp = 80;
        t->vtotal = 525;
        t->vdisp = 480;
        t->vsync_start = 490;
        t->vsync_len = 2;
        t->char_ps = 8 * 1000000000000LL / 25175000;
        t->line_ps = t->char_ps * t->htotal;
        t->frame_ps = t->line_ps * t->vtotal;
    }
}

/* Virtual time in picoseconds (128 bits: 2^63 ps is only 107 days). */
static unsigned __int128 vga_now_ps(void)
{
    int64_t now = clock_get_ns(EMU_CLOCK_VIRTUAL);
    return (unsigned __int128)(now > 0 ? now : 0) * 1000;
}

uint64_t vga_frame_count(const VGACommonState *s)
{
    VGATiming t;
    vga_timing(s, &t);
    return vga_now_ps() / t.frame_ps;
}

/* Input status 1: where the beam is, from the virtual clock. */
static uint8_t vga_input_status1(VGACommonState *s)
{
    VGATiming t;
    vga_timing(s, &t);
    int64_t in_frame = vga_now_ps() % t.frame_ps;
    int line = in_frame / t.line_ps;
    int ch = (in_frame % t.line_ps) / t.char_ps;
    uint8_t v = 0;
    if (line >= t.vdisp || ch >= t.hdisp) {
        v |= VGA_IS1_DE;
    }
    if (line >= t.vsync_start && line < t.vsync_start + t.vsync_len) {
        v |= VGA_IS1_VR;
    }
    return v;
}

/* ---- ports ---- */

/* The CRTC and status ports answer at 0x3dx in colour mode, 0x3bx in mono. */
static bool vga_port_decoded(VGACommonState *s, uint16_t port)
{
    if (port >= 0x3b0 && port <= 0x3bf) {
        return !(s->misc & VGA_MIS_COLOR);
    }
    if (port >= 0x3d0 && port <= 0x3df) {
        return s->misc & VGA_MIS_COLOR;
    }
    return port >= 0x3c0 && port <= 0x3cf;
}

uint8_t vga_ioport_read(VGACommonState *s, uint16_t port)
{
    uint8_t idx;

    if (!vga_port_decoded(s, port)) {
        return 0xff;
    }
    switch (port) {
    case VGA_ATT_W:
        return s->ar_index;
    case VGA_ATT_R:
        idx = s->ar_index & 0x1f;
        return idx < VGA_ATT_C ? s->ar[idx] : 0;
    case VGA_MIS_W:
        return 0;                      /* input status 0: no switch sense, no CRT irq */
    case VGA_SEQ_I:
        return s->sr_index;
    case VGA_SEQ_D:
        return s->sr_index < VGA_SEQ_C ? s->sr[s->sr_index] : 0;
    case VGA_PEL_MSK:
        return s->dac_pel_mask;
    case VGA_PEL_IR:
        return s->dac_state;
    case VGA_PEL_IW:
        return s->dac_write_index;
    case VGA_PEL_D: {
        uint8_t v = s->palette[s->dac_read_index * 3 + s->dac_sub_index];
        if (++s->dac_sub_index == 3) {
            s->dac_sub_index = 0;
            s->dac_read_index++;
        }
        return v;
    }
    case VGA_FTC_R:
        return s->fcr;
    case VGA_MIS_R:
        return s->misc;
    case VGA_GFX_I:
        return s->gr_index;
    case VGA_GFX_D:
        return s->gr_index < VGA_GFX_C ? s->gr[s->gr_index] : 0;
    case VGA_CRT_IM:
    case VGA_CRT_IC:
        return s->cr_index;
    case VGA_CRT_DM:
    case VGA_CRT_DC:
        return s->cr_index < VGA_CRT_C ? s->cr[s->cr_index] : 0;
    case VGA_IS1_RM:
    case VGA_IS1_RC:
        /* Reading input status 1 makes the next 0x3c0 write an index. */
        s->ar_flip_flop = 0;
        return vga_input_status1(s);
    default:
        return 0xff;
    }
}

static void vga_ignored(VGACommonState *s, uint16_t port, uint8_t idx, uint8_t val,
                        const char *why)
{
    s->ignored_writes++;
    emu_log_mask(LOG_GUEST_ERROR, "vga: write 0x%02x to port 0x%03x index 0x%02x ignored: "
                 "%s\n", val, port, idx, why);
}

void vga_ioport_write(VGACommonState *s, uint16_t port, uint8_t val)
{
    uint8_t idx;

    if (!vga_port_decoded(s, port)) {
        return;
    }
    switch (port) {
    case VGA_ATT_W:
        if (!s->ar_flip_flop) {
            s->ar_index = val & 0x3f;
        } else {
            idx = s->ar_index & 0x1f;
            if (idx < VGA_ATT_C) {
                s->ar[idx] = val & ar_mask[idx];
            } else {
                vga_ignored(s, port, idx, val, "no such attribute register");
            }
        }
        s->ar_flip_flop ^= 1;
        break;
    case VGA_MIS_W:
        s->misc = val & ~0x10;
        break;
    case VGA_SEQ_I:
        s->sr_index = val & 7;
        break;
    case VGA_SEQ_D:
        if (s->sr_index < VGA_SEQ_C) {
            s->sr[s->sr_index] = val & sr_mask[s->sr_index];
        } else {
            vga_ignored(s, port, s->sr_index, val, "no such sequencer register");
        }
        break;
    case VGA_PEL_MSK:
        s->dac_pel_mask = val;
        break;
    case VGA_PEL_IR:
        s->dac_read_index = val;
        s->dac_sub_index = 0;
        s->dac_state = 3;
        break;
    case VGA_PEL_IW:
        s->dac_write_index = val;
        s->dac_sub_index = 0;
        s->dac_state = 0;
        break;
    case VGA_PEL_D:
        /* 6-bit DAC; the VBE 8-bit DAC option keeps all 8 bits. */
        s->dac_cache[s->dac_sub_index] =
            (s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC) ? val : val & 0x3f;
        if (++s->dac_sub_index == 3) {
            memcpy(&s->palette[s->dac_write_index * 3], s->dac_cache, 3);
            s->dac_sub_index = 0;
            s->dac_write_index++;
        }
        break;
    case VGA_GFX_I:
        s->gr_index = val & 0x0f;
        break;
    case VGA_GFX_D:
        if (s->gr_index < VGA_GFX_C) {
            s->gr[s->gr_index] = val & gr_mask[s->gr_index];
        } else {
            vga_ignored(s, port, s->gr_index, val, "no such graphics register");
        }
        break;
    case VGA_CRT_IM:
    case VGA_CRT_IC:
        s->cr_index = val;
        break;
    case VGA_CRT_DM:
    case VGA_CRT_DC:
        idx = s->cr_index;
        if (idx >= VGA_CRT_C) {
            vga_ignored(s, port, idx, val, "no such CRTC register");
            break;
        }
        if ((s->cr[VGA_CRTC_V_SYNC_END] & VGA_CR11_LOCK_CR0_CR7) &&
            idx <= VGA_CRTC_OVERFLOW) {
            /* Protected; only the line compare bit 8 in CR7 stays writable. */
            if (idx == VGA_CRTC_OVERFLOW) {
                s->cr[idx] = (s->cr[idx] & ~0x10) | (val & 0x10);
            }
            vga_ignored(s, port, idx, val, "CR0-CR7 are write-protected (CR11 bit 7)");
            break;
        }
        s->cr[idx] = val;
        break;
    case VGA_IS1_RM:
    case VGA_IS1_RC:
        s->fcr = val & 0x0b;          /* feature control: FC0, FC1, VSS */
        break;
    default:
        vga_ignored(s, port, 0, val, "undecoded port");
        break;
    }
}

typedef struct {
    uint16_t base, size;
} PortSpan;

/* QEMU's and the hardware's decode: 0x3b4-5, 0x3ba, 0x3c0-0x3cf, 0x3d4-5, 0x3da. */
static const PortSpan vga_port_spans[5] = {
    { 0x3b4, 2 }, { 0x3ba, 1 }, { 0x3c0, 16 }, { 0x3d4, 2 }, { 0x3da, 1 },
};

static uint64_t vga_port_read(void *opaque, hwaddr addr, unsigned size)
{
    VGAPortRange *r = opaque;
    return vga_ioport_read(r->s, r->base + addr);
}

static void vga_port_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    VGAPortRange *r = opaque;
    vga_ioport_write(r->s, r->base + addr, val);
}

/* A 16-bit OUT writes index then data (the low byte first), as on the ISA bus. */
static const MemoryRegionOps vga_port_ops = {
    .read = vga_port_read,
    .write = vga_port_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* 0x1ce: index; 0x1cf and 0x1d0: data (16-bit registers). */
static uint64_t vbe_port_read(void *opaque, hwaddr addr, unsigned size)
{
    VGACommonState *s = opaque;
    return addr == 0 ? vbe_read_index(s) : vbe_read_data(s);
}

static void vbe_port_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    VGACommonState *s = opaque;
    if (addr == 0) {
        vbe_write_index(s, val);
    } else if (addr <= 2) {
        vbe_write_data(s, val);
    }
}

static const MemoryRegionOps vbe_port_ops = {
    .read = vbe_port_read,
    .write = vbe_port_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 2, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 2, .unaligned = true },
};

/* ---- the legacy window ---- */

static uint64_t vga_lowmem_read(void *opaque, hwaddr addr, unsigned size)
{
    return vga_mem_readb(opaque, addr);
}

static void vga_lowmem_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    vga_mem_writeb(opaque, addr, val);
}

static const MemoryRegionOps vga_lowmem_ops = {
    .read = vga_lowmem_read,
    .write = vga_lowmem_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

void vga_update_memory_access(VGACommonState *s)
{
    /* The bank window exists only for VBE's linear modes. */
    uint64_t banks = s->vram_size >> 16;
    uint64_t bank = s->vbe_regs[VBE_DISPI_INDEX_BANK] % banks;
    memory_region_transaction_begin();
    memory_region_set_alias_offset(&s->bank, bank << 16);
    memory_region_set_enabled(&s->bank, vbe_enabled(s));
    memory_region_transaction_commit();
}

/* ---- life cycle ---- */

bool vga_common_init(VGACommonState *s, Object *owner, Error **errp)
{
    uint32_t mb = s->vram_size_mb;
    if (mb < 1 || mb > 256 || (mb & (mb - 1))) {
        error_setg(errp, "vgamem_mb=%u: the VGA memory size must be a power of two from "
                   "1 to 256 (MiB)", mb);
        return false;
    }
    s->owner = owner;
    s->vram_size = (uint64_t)mb << 20;
    if (!memory_region_init_ram(&s->vram, owner, "vga.vram", s->vram_size, errp)) {
        return false;
    }
    s->vram_ptr = memory_region_get_ram_ptr(&s->vram);
    memory_region_set_log(&s->vram, true, DIRTY_MEMORY_VGA);
    memory_region_init_io(&s->lowmem, owner, &vga_lowmem_ops, s, "vga-lowmem", 0x20000);
    memory_region_init_alias(&s->bank, owner, "vga.bank", &s->vram, 0, 0x10000);
    memory_region_set_enabled(&s->bank, false);
    for (int i = 0; i < 5; i++) {
        VGAPortRange *r = &s->ports[i];
        r->s = s;
        r->base = vga_port_spans[i].base;
        memory_region_init_io(&r->mr, owner, &vga_port_ops, r, "vga", vga_port_spans[i].size);
    }
    memory_region_init_io(&s->vbe_ports, owner, &vbe_port_ops, s, "vbe", 4);
    s->render = vga_render_new();
    vga_common_reset(s);
    return true;
}

void vga_common_unrealize(VGACommonState *s)
{
    vga_console_close(s);
    vga_unmap_legacy(s);
}

void vga_common_finalize(VGACommonState *s)
{
    for (int i = 0; i < 5; i++) {
        memory_region_finalize(&s->ports[i].mr);
    }
    memory_region_finalize(&s->vbe_ports);
    memory_region_finalize(&s->bank);
    memory_region_finalize(&s->lowmem);
    memory_region_finalize(&s->vram);
    vga_render_free(s->render);
    s->render = NULL;
    s->vram_ptr = NULL;
}

void vga_common_reset(VGACommonState *s)
{
    s->misc = 0;
    s->fcr = 0;
    s->sr_index = 0;
    memset(s->sr, 0, sizeof(s->sr));
    s->gr_index = 0;
    memset(s->gr, 0, sizeof(s->gr));
    s->ar_index = 0;
    memset(s->ar, 0, sizeof(s->ar));
    s->ar_flip_flop = 0;
    s->cr_index = 0;
    memset(s->cr, 0, sizeof(s->cr));
    s->dac_read_index = 0;
    s->dac_write_index = 0;
    s->dac_sub_index = 0;
    s->dac_state = 0;
    /* Undefined at power-on; every BIOS sets 0xff, and guests that skip it expect it. */
    s->dac_pel_mask = 0xff;
    memset(s->dac_cache, 0, sizeof(s->dac_cache));
    memset(s->palette, 0, sizeof(s->palette));
    s->latch = 0;
    vbe_reset(s);
    vga_update_memory_access(s);
    vga_render_invalidate(s);
}

void vga_init_legacy(VGACommonState *s, MemoryRegion *mem, MemoryRegion *io)
{
    memory_region_transaction_begin();
    /* Above RAM and the chipset's own decode of the window (SMRAM, PAM). */
    memory_region_add_subregion_overlap(mem, 0xa0000, &s->lowmem, 1);
    memory_region_add_subregion_overlap(mem, 0xa0000, &s->bank, 2);
    for (int i = 0; i < 5; i++) {
        memory_region_add_subregion(io, s->ports[i].base, &s->ports[i].mr);
    }
    memory_region_add_subregion(io, VBE_DISPI_IOPORT_INDEX, &s->vbe_ports);
    memory_region_transaction_commit();
    s->lowmem_container = mem;
    s->legacy_mapped = true;
}

void vga_unmap_legacy(VGACommonState *s)
{
    if (!s->legacy_mapped) {
        return;
    }
    memory_region_transaction_begin();
    memory_region_del_subregion(s->lowmem_container, &s->lowmem);
    memory_region_del_subregion(s->lowmem_container, &s->bank);
    for (int i = 0; i < 5; i++) {
        memory_region_del_subregion(s->ports[i].mr.container, &s->ports[i].mr);
    }
    memory_region_del_subregion(s->vbe_ports.container, &s->vbe_ports);
    memory_region_transaction_commit();
    s->legacy_mapped = false;
}

/* ---- the console ---- */

static void vga_gfx_update(void *opaque)
{
    vga_render_update(opaque);
}

static void vga_gfx_invalidate(void *opaque)
{
    vga_render_invalidate(opaque);
}

static void vga_describe(void *opaque, GString *out)
{
    VGACommonState *s = opaque;
    vga_render_describe(s, out);
    g_string_append_printf(out, "; %" PRIu64 " MiB vram, %" PRIu64 " ignored register "
                           "writes, %" PRIu64 " dropped window accesses",
                           s->vram_size >> 20, s->ignored_writes, s->window_drops);
}

static const GraphicHwOps vga_console_ops = {
    .gfx_update = vga_gfx_update,
    .invalidate = vga_gfx_invalidate,
    .describe = vga_describe,
};

void vga_console_init(VGACommonState *s, Object *dev)
{
    s->con = graphic_console_init(dev, &vga_console_ops, s);
    vga_render_invalidate(s);
}

void vga_console_close(VGACommonState *s)
{
    if (s->con) {
        graphic_console_close(s->con);
        s->con = NULL;
    }
}

/* ---- migration ---- */

static int vga_post_load(void *opaque, int version_id)
{
    VGACommonState *s = opaque;
    /* Indexes index arrays: keep them in range whatever the stream said. */
    s->sr_index &= 7;
    s->gr_index &= 0x0f;
    s->ar_index &= 0x3f;
    s->ar_flip_flop &= 1;
    s->dac_sub_index %= 3;
    s->dac_state &= 3;
    for (int i = 0; i < VGA_SEQ_C; i++) {
        s->sr[i] &= sr_mask[i];
    }
    for (int i = 0; i < VGA_GFX_C; i++) {
        s->gr[i] &= gr_mask[i];
    }
    for (int i = 0; i < VGA_ATT_C; i++) {
        s->ar[i] &= ar_mask[i];
    }
    vbe_fixup_regs(s);
    vga_update_memory_access(s);
    vga_render_invalidate(s);
    return 0;
}

const VMStateDescription vmstate_vga_common = {
    .name = "vga",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = vga_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(misc, VGACommonState),
        VMSTATE_UINT8(fcr, VGACommonState),
        VMSTATE_UINT8(sr_index, VGACommonState),
        VMSTATE_UINT8_ARRAY(sr, VGACommonState, 8),
        VMSTATE_UINT8(gr_index, VGACommonState),
        VMSTATE_UINT8_ARRAY(gr, VGACommonState, 16),
        VMSTATE_UINT8(ar_index, VGACommonState),
        VMSTATE_UINT8_ARRAY(ar, VGACommonState, VGA_ATT_C),
        VMSTATE_UINT8(ar_flip_flop, VGACommonState),
        VMSTATE_UINT8(cr_index, VGACommonState),
        VMSTATE_UINT8_ARRAY(cr, VGACommonState, VGA_CRT_C),
        VMSTATE_UINT8(dac_read_index, VGACommonState),
        VMSTATE_UINT8(dac_write_index, VGACommonState),
        VMSTATE_UINT8(dac_sub_index, VGACommonState),
        VMSTATE_UINT8(dac_state, VGACommonState),
        VMSTATE_UINT8(dac_pel_mask, VGACommonState),
        VMSTATE_UINT8_ARRAY(dac_cache, VGACommonState, 3),
        VMSTATE_UINT8_ARRAY(palette, VGACommonState, 768),
        VMSTATE_UINT32(latch, VGACommonState),
        VMSTATE_UINT16(vbe_index, VGACommonState),
        VMSTATE_UINT16_ARRAY(vbe_regs, VGACommonState, VBE_DISPI_INDEX_NB),
        VMSTATE_BOOL(big_endian_fb, VGACommonState),
        VMSTATE_END_OF_LIST()
    },
};
