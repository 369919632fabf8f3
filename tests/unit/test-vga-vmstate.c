/*
 * Migration of the VGA core (vmstate_vga_common), in-process: drive one
 * VGACommonState into a non-trivial state through its ports and window (mode
 * 13h-like registers, DAC entries, latches, a VBE mode), move it to a freshly
 * reset instance (save, load, save again: byte-identical), copy vram as RAM
 * migration would, then check both answer every register read alike and
 * render the same picture. The comparison must catch a changed register, so
 * it really looks. Hostile streams (each byte replaced by extreme values,
 * every truncation) must be refused or give a state the device runs with
 * safely (the ASan build checks vram and palette indexing).
 */
#include "hw/display/vga.h"
#include "migration/vmstate.h"
#include "migration/emufile.h"
#include "ui/console.h"

const char *__ubsan_default_options(void);
__attribute__((used)) const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

static VGACommonState *vga_new(void)
{
    VGACommonState *s = g_new0(VGACommonState, 1);
    s->vram_size_mb = 1;
    g_assert_true(vga_common_init(s, NULL, &error_abort));
    vga_console_init(s, NULL);
    return s;
}

static void vga_free(VGACommonState *s)
{
    vga_common_unrealize(s);
    vga_common_finalize(s);
    g_free(s);
}

static void out_idx(VGACommonState *s, uint16_t port, uint8_t idx, uint8_t v)
{
    vga_ioport_write(s, port, idx);
    vga_ioport_write(s, port + 1, v);
}

static void ac_w(VGACommonState *s, uint8_t idx, uint8_t v)
{
    vga_ioport_read(s, VGA_IS1_RC);
    vga_ioport_write(s, VGA_ATT_W, idx);
    vga_ioport_write(s, VGA_ATT_W, v);
}

static void drive(VGACommonState *s)
{
    static const uint8_t seq[5] = { 0x03, 0x01, 0x0f, 0x00, 0x0e };
    static const uint8_t crtc[25] = {
        0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x9c, 0x0e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff,
    };
    static const uint8_t gc[9] = { 0, 0, 0, 0, 0, 0x40, 0x05, 0x0f, 0xff };
    vga_ioport_write(s, VGA_MIS_W, 0x63);
    for (int i = 0; i < 5; i++) {
        out_idx(s, VGA_SEQ_I, i, seq[i]);
    }
    for (int i = 0; i < 25; i++) {
        out_idx(s, VGA_CRT_IC, i, crtc[i]);
    }
    for (int i = 0; i < 9; i++) {
        out_idx(s, VGA_GFX_I, i, gc[i]);
    }
    for (int i = 0; i < 16; i++) {
        ac_w(s, i, i);
    }
    ac_w(s, VGA_ATC_MODE, 0x41);
    ac_w(s, VGA_ATC_PLANE_ENABLE, 0x0f);
    vga_ioport_read(s, VGA_IS1_RC);
    vga_ioport_write(s, VGA_ATT_W, 0x20);
    vga_ioport_write(s, VGA_PEL_IW, 0);
    for (int i = 0; i < 768; i++) {
        vga_ioport_write(s, VGA_PEL_D, (i * 37) & 0x3f);
    }
    /* A half-written DAC entry and a read index mid-entry. */
    vga_ioport_write(s, VGA_PEL_IW, 0x42);
    vga_ioport_write(s, VGA_PEL_D, 0x11);
    vga_ioport_write(s, VGA_PEL_IR, 0x10);
    vga_ioport_read(s, VGA_PEL_D);
    for (int i = 0; i < 320 * 200; i += 7) {
        vga_mem_writeb(s, i, i * 13);
    }
    vga_mem_readb(s, 1234);                 /* latches */
    out_idx(s, VGA_SEQ_I, 0x02, 0x0b);
    out_idx(s, VGA_CRT_IC, 0x0e, 0x12);     /* indexes left pointing somewhere */
    vbe_write_index(s, VBE_DISPI_INDEX_XRES);
    vbe_write_data(s, 640);
    vbe_write_index(s, VBE_DISPI_INDEX_ID);
    vbe_write_data(s, 0xb0c2);
    vbe_write_index(s, VBE_DISPI_INDEX_BANK);
    vbe_write_data(s, 3);
}

/* Every register read, in the same order on both (reads have side effects). */
static GByteArray *observe(VGACommonState *s)
{
    GByteArray *b = g_byte_array_new();
    uint8_t v;
#define PUT(x) do { v = (x); g_byte_array_append(b, &v, 1); } while (0)
    PUT(vga_ioport_read(s, VGA_MIS_R));
    PUT(vga_ioport_read(s, VGA_FTC_R));
    PUT(vga_ioport_read(s, VGA_SEQ_I));
    PUT(vga_ioport_read(s, VGA_GFX_I));
    PUT(vga_ioport_read(s, VGA_CRT_IC));
    PUT(vga_ioport_read(s, VGA_ATT_W));
    PUT(vga_ioport_read(s, VGA_PEL_IR));
    PUT(vga_ioport_read(s, VGA_PEL_IW));
    PUT(vga_ioport_read(s, VGA_PEL_MSK));
    /* The flip-flop state: a write now lands as index or data. */
    vga_ioport_write(s, VGA_ATT_W, 0x33);
    PUT(vga_ioport_read(s, VGA_ATT_W));
    /* The pending DAC write: one more component completes entry 0x42 or not. */
    vga_ioport_write(s, VGA_PEL_D, 0x22);
    vga_ioport_write(s, VGA_PEL_D, 0x33);
    for (int i = 0; i < 800; i++) {
        PUT(vga_ioport_read(s, VGA_PEL_D));
    }
    for (int i = 0; i < 8; i++) {
        vga_ioport_write(s, VGA_SEQ_I, i);
        PUT(vga_ioport_read(s, VGA_SEQ_D));
    }
    for (int i = 0; i < 16; i++) {
        vga_ioport_write(s, VGA_GFX_I, i);
        PUT(vga_ioport_read(s, VGA_GFX_D));
    }
    for (int i = 0; i < 32; i++) {
        vga_ioport_write(s, VGA_CRT_IC, i);
        PUT(vga_ioport_read(s, VGA_CRT_DC));
    }
    for (int i = 0; i < 32; i++) {
        vga_ioport_read(s, VGA_IS1_RC);
        vga_ioport_write(s, VGA_ATT_W, i | 0x20);
        PUT(vga_ioport_read(s, VGA_ATT_R));
    }
    PUT(vbe_read_index(s));
    for (int i = 0; i < 12; i++) {
        vbe_write_index(s, i);
        uint16_t w = vbe_read_data(s);
        PUT(w);
        PUT(w >> 8);
    }
    /* The latches, through write mode 1 into a scratch address. */
    vga_ioport_write(s, VGA_GFX_I, VGA_GFX_MODE);
    vga_ioport_write(s, VGA_GFX_D, 0x41);
    vga_mem_writeb(s, 0xfff0, 0);
    for (int i = 0; i < 4; i++) {
        PUT(vga_mem_readb(s, 0xfff0 + i));
    }
    /* The picture. */
    graphic_hw_update(s->con);
    DisplaySurface *surf = qemu_console_surface(s->con);
    uint32_t dims[2] = { surface_width(surf), surface_height(surf) };
    g_byte_array_append(b, (uint8_t *)dims, sizeof(dims));
    for (int y = 0; y < surface_height(surf); y++) {
        g_byte_array_append(b, (uint8_t *)surface_row(surf, y), surface_width(surf) * 4);
    }
#undef PUT
    return b;
}

static bool same_behaviour(VGACommonState *a, VGACommonState *b)
{
    g_autoptr(GByteArray) oa = observe(a);
    g_autoptr(GByteArray) ob = observe(b);
    return oa->len == ob->len && !memcmp(oa->data, ob->data, oa->len);
}

static GByteArray *save(VGACommonState *s)
{
    EmuFile *f = emufile_new_buffer();
    g_assert_true(vmstate_save(f, &vmstate_vga_common, s, &error_abort));
    size_t len;
    const uint8_t *p = emufile_buffer(f, &len);
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, p, len);
    emufile_close(f);
    return b;
}

static bool load(VGACommonState *s, const uint8_t *data, size_t len)
{
    EmuFile *f = emufile_new_reader(data, len);
    Error *err = NULL;
    bool ok = vmstate_load(f, &vmstate_vga_common, s, vmstate_vga_common.version_id, &err);
    emufile_close(f);
    if (err) {
        error_free(err);
    }
    return ok;
}

static void copy_vram(VGACommonState *dst, VGACommonState *src)
{
    memcpy(dst->vram_ptr, src->vram_ptr, src->vram_size);
}

static void test_roundtrip(void)
{
    VGACommonState *a = vga_new(), *b = vga_new();
    drive(a);
    graphic_hw_update(a->con);
    g_assert_cmpint(surface_width(qemu_console_surface(a->con)), ==, 320);
    g_assert_cmpint(surface_height(qemu_console_surface(a->con)), ==, 200);
    g_assert_true(vmstate_roundtrip(&vmstate_vga_common, a, b, &error_abort));
    copy_vram(b, a);
    g_assert_true(same_behaviour(a, b));

    /* With a VBE mode on as well. */
    VGACommonState *c = vga_new(), *d = vga_new();
    drive(c);
    vbe_write_index(c, VBE_DISPI_INDEX_BPP);
    vbe_write_data(c, 16);
    vbe_write_index(c, VBE_DISPI_INDEX_ENABLE);
    vbe_write_data(c, VBE_DISPI_ENABLED | VBE_DISPI_NOCLEARMEM);
    vbe_write_index(c, VBE_DISPI_INDEX_Y_OFFSET);
    vbe_write_data(c, 9);
    g_assert_true(vmstate_roundtrip(&vmstate_vga_common, c, d, &error_abort));
    copy_vram(d, c);
    g_assert_true(same_behaviour(c, d));
    vga_free(a);
    vga_free(b);
    vga_free(c);
    vga_free(d);
}

/* The comparison sees a difference in any one register. */
static void test_comparison_catches(void)
{
    static const struct { uint16_t port; uint8_t idx; } regs[] = {
        { VGA_SEQ_I, 1 }, { VGA_GFX_I, 5 }, { VGA_CRT_IC, 0x13 }, { VGA_CRT_IC, 0x0d },
        { VGA_GFX_I, 8 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(regs); i++) {
        VGACommonState *a = vga_new(), *b = vga_new();
        drive(a);
        g_assert_true(vmstate_roundtrip(&vmstate_vga_common, a, b, &error_abort));
        copy_vram(b, a);
        vga_ioport_write(b, regs[i].port, regs[i].idx);
        uint8_t old = vga_ioport_read(b, regs[i].port + 1);
        vga_ioport_write(b, regs[i].port + 1, old ^ 0x01);
        vga_ioport_write(b, regs[i].port, regs[i].idx);
        vga_ioport_write(a, regs[i].port, regs[i].idx);
        g_assert_false(same_behaviour(a, b));
        vga_free(a);
        vga_free(b);
    }
    /* A DAC entry. */
    VGACommonState *a = vga_new(), *b = vga_new();
    drive(a);
    g_assert_true(vmstate_roundtrip(&vmstate_vga_common, a, b, &error_abort));
    copy_vram(b, a);
    b->palette[600] ^= 1;
    g_assert_false(same_behaviour(a, b));
    vga_free(a);
    vga_free(b);
}

/* Exercise a loaded state: render, registers, window, VBE. */
static void run_with(VGACommonState *s)
{
    graphic_hw_update(s->con);
    for (int port = 0x3b0; port < 0x3e0; port++) {
        vga_ioport_read(s, port);
    }
    vga_ioport_write(s, VGA_PEL_D, 1);
    vga_ioport_write(s, VGA_ATT_W, 0xff);
    vga_ioport_write(s, VGA_ATT_W, 0xff);
    for (hwaddr a = 0; a < 0x20000; a += 0x3fff) {
        vga_mem_writeb(s, a, 0x5a);
        vga_mem_readb(s, a);
    }
    vbe_read_data(s);
    graphic_hw_update(s->con);
}

static void test_hostile_streams(void)
{
    VGACommonState *a = vga_new();
    drive(a);
    vbe_write_index(a, VBE_DISPI_INDEX_ENABLE);
    vbe_write_data(a, VBE_DISPI_ENABLED);
    g_autoptr(GByteArray) good = save(a);
    VGACommonState *t = vga_new();
    static const uint8_t pats[] = { 0x00, 0xff, 0x80, 0x7f };
    for (guint i = 0; i < good->len; i++) {
        for (size_t k = 0; k < G_N_ELEMENTS(pats); k++) {
            g_autofree uint8_t *bad = g_memdup2(good->data, good->len);
            bad[i] = pats[k];
            vga_common_reset(t);
            if (load(t, bad, good->len)) {
                run_with(t);
                /* The VBE frame stays inside vram. */
                if (vbe_enabled(t)) {
                    g_assert_cmpuint((uint64_t)t->vbe_start_addr +
                                     (uint64_t)t->vbe_regs[VBE_DISPI_INDEX_YRES] *
                                     t->vbe_line_offset, <=, t->vram_size);
                }
            }
        }
    }
    for (guint len = 0; len < good->len; len += 7) {
        vga_common_reset(t);
        g_assert_false(load(t, good->data, len));
        run_with(t);
    }
    vga_free(a);
    vga_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    memory_init();
    g_test_add_func("/vga-vmstate/roundtrip", test_roundtrip);
    g_test_add_func("/vga-vmstate/comparison-catches", test_comparison_catches);
    g_test_add_func("/vga-vmstate/hostile-streams", test_hostile_streams);
    return g_test_run();
}
