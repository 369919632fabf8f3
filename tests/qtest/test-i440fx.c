/*
 * The i440FX host bridge's memory decoding below 1 MiB, programmed through
 * its configuration space as firmware does, observed in guest-physical
 * memory. Oracles: the 82441FX datasheet's PAM attributes (RE/WE per
 * segment, §3.2.18) and SMRAM control (§3.2.23, D_LCK semantics as the
 * 440-family datasheets state them), and a -bios image whose bytes the test
 * chose (the "ROM" side of PAM's PCI setting is the board's BIOS flash).
 * Also the PIIX3 identity and the ports around 0xcf8.
 */
#include "pci-helpers.h"

#define PMC BDF(0, 0)
#define PAM(n) (0x59 + (n))
#define SMRAM 0x72
#define BIOS_SIZE (128 * 1024)

static char *tmpdir;
static char *bios;

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 7 + i / 251 + 0x5a);
}

/* What the image holds at guest address @a (its last 128 KiB at 0xe0000). */
static uint8_t rom_at(uint64_t a)
{
    return pattern(a - 0xe0000);
}

static QTestState *start_fw(void)
{
    return qtest_initf("-machine pc -m 64M -bios %s", bios);
}

/* Segment i: 0 = 0xf0000 (64 KiB, PAM0 high nibble), 1..12 = 0xc0000 + 16 KiB
 * steps, PAM1 low nibble first. */
static uint64_t seg_base(int i)
{
    return i == 0 ? 0xf0000 : 0xc0000 + (i - 1) * 0x4000;
}

static void set_seg(QTestState *s, int i, uint8_t attr)
{
    int reg = (i + 1) / 2;
    uint8_t v = cfg_readb(s, PMC, PAM(reg));
    if (i & 1) {
        v = (v & 0xf0) | attr;
    } else {
        v = (v & 0x0f) | attr << 4;
    }
    cfg_writeb(s, PMC, PAM(reg), v);
}

/* The byte PCI shows at @a: the flash for 0xe0000 up, nothing below. */
static uint8_t pci_at(uint64_t a)
{
    return a >= 0xe0000 ? rom_at(a) : 0xff;
}

static void test_pam_modes(void)
{
    QTestState *s = start_fw();
    const uint64_t a = 0xf1234;

    for (int r = 0; r < 7; r++) {
        g_assert_cmphex(cfg_readb(s, PMC, PAM(r)), ==, 0);
    }
    /* 00: PCI. The flash answers, writes are lost. */
    g_assert_cmphex(qtest_readb(s, a), ==, rom_at(a));
    qtest_writeb(s, a, 0xab);
    g_assert_cmphex(qtest_readb(s, a), ==, rom_at(a));
    /* 01: reads DRAM (zeros here), writes do not reach it. */
    cfg_writeb(s, PMC, PAM(0), 0x10);
    g_assert_cmphex(qtest_readb(s, a), ==, 0);
    qtest_writeb(s, a, 0xab);
    g_assert_cmphex(qtest_readb(s, a), ==, 0);
    /* 10: reads the flash, writes DRAM: copying the BIOS onto itself shadows it. */
    cfg_writeb(s, PMC, PAM(0), 0x20);
    g_assert_cmphex(qtest_readb(s, a), ==, rom_at(a));
    uint8_t block[256];
    qtest_memread(s, 0xf0000, block, sizeof(block));
    qtest_memwrite(s, 0xf0000, block, sizeof(block));
    qtest_writeb(s, a, 0xab);
    g_assert_cmphex(qtest_readb(s, a), ==, rom_at(a));
    /* 11: DRAM both ways, with what was written in mode 10. */
    cfg_writeb(s, PMC, PAM(0), 0x30);
    g_assert_cmphex(qtest_readb(s, a), ==, 0xab);
    for (int i = 0; i < 256; i++) {
        g_assert_cmphex(qtest_readb(s, 0xf0000 + i), ==, rom_at(0xf0000 + i));
    }
    qtest_writeb(s, a, 0xcd);
    g_assert_cmphex(qtest_readb(s, a), ==, 0xcd);
    /* Back to 01: the shadow reads, and stays as it is. */
    cfg_writeb(s, PMC, PAM(0), 0x10);
    qtest_writeb(s, a, 0x11);
    g_assert_cmphex(qtest_readb(s, a), ==, 0xcd);
    /* Back to 00: the flash again; the DRAM under it kept its bytes. */
    cfg_writeb(s, PMC, PAM(0), 0x00);
    g_assert_cmphex(qtest_readb(s, a), ==, rom_at(a));
    cfg_writeb(s, PMC, PAM(0), 0x30);
    g_assert_cmphex(qtest_readb(s, a), ==, 0xcd);
    /* The top of 4 GiB is the flash whatever PAM says. */
    g_assert_cmphex(qtest_readb(s, 0xfffe0000 + (a - 0xe0000)), ==, rom_at(a));
    /* Reserved PAM bits read 0: PAM0 3:0, PAMn 7:6 and 3:2. */
    cfg_writeb(s, PMC, PAM(0), 0xff);
    g_assert_cmphex(cfg_readb(s, PMC, PAM(0)), ==, 0x30);
    cfg_writeb(s, PMC, PAM(3), 0xff);
    g_assert_cmphex(cfg_readb(s, PMC, PAM(3)), ==, 0x33);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Each nibble switches its own segment and no other. */
static void test_pam_segments(void)
{
    QTestState *s = start_fw();

    for (int i = 0; i < 13; i++) {
        set_seg(s, i, 3);
        qtest_writeb(s, seg_base(i) + 0x10, 0x40 + i);
        set_seg(s, i, 0);
    }
    for (int i = 0; i < 13; i++) {
        set_seg(s, i, 3);
        for (int j = 0; j < 13; j++) {
            uint64_t a = seg_base(j) + 0x10;
            uint8_t want = i == j ? 0x40 + j : pci_at(a);
            if (qtest_readb(s, a) != want) {
                g_error("segment %d in RAM mode: 0x%" PRIx64 " reads 0x%02x, expected "
                        "0x%02x", i, a, qtest_readb(s, a), want);
            }
            /* Last byte of the segment: same story. */
            uint64_t end = seg_base(j) + (j == 0 ? 0xffff : 0x3fff);
            if (i != j) {
                g_assert_cmphex(qtest_readb(s, end), ==, pci_at(end));
            }
        }
        set_seg(s, i, 0);
    }
    /* A PAM register written as a dword (firmware does: SeaBIOS's
     * make_bios_writable) moves four at once. */
    cfg_writel(s, PMC, 0x58, 0x33333000);
    g_assert_cmphex(cfg_readl(s, PMC, 0x58), ==, 0x33333000);
    g_assert_cmphex(qtest_readb(s, seg_base(1) + 0x10), ==, 0x41);
    g_assert_cmphex(qtest_readb(s, seg_base(4) + 0x10), ==, 0x44);
    g_assert_cmphex(qtest_readb(s, seg_base(5) + 0x10), ==, pci_at(seg_base(5) + 0x10));
    /* Reset: every segment to PCI. */
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(s, "RESET");
    g_assert_cmphex(cfg_readl(s, PMC, 0x58), ==, 0);
    g_assert_cmphex(qtest_readb(s, seg_base(1) + 0x10), ==, 0xff);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Without firmware the BIOS area comes out of reset as RAM (what a BIOS
 * leaves for the OS), so direct boot finds its tables there. */
static void test_pam_no_firmware(void)
{
    QTestState *s = qtest_init("-machine pc -m 64M");
    g_assert_cmphex(cfg_readb(s, PMC, PAM(0)), ==, 0x30);
    for (int r = 1; r < 7; r++) {
        g_assert_cmphex(cfg_readb(s, PMC, PAM(r)), ==, 0x33);
    }
    qtest_writel(s, 0xc0000, 0x12345678);
    g_assert_cmphex(qtest_readl(s, 0xc0000), ==, 0x12345678);
    /* The RSDP of direct boot is in the F segment. */
    bool found = false;
    for (uint64_t a = 0xe0000; a < 0x100000 && !found; a += 16) {
        found = qtest_readq(s, a) == 0x2052545020445352ull;    /* "RSD PTR " */
    }
    g_assert_true(found);
    /* Firmware may still switch a segment to PCI: nothing there. */
    cfg_writeb(s, PMC, PAM(1), 0x30);
    g_assert_cmphex(qtest_readl(s, 0xc0000), ==, 0xffffffff);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_smram(void)
{
    QTestState *s = start_fw();
    const uint64_t vga = 0xa8000;

    g_assert_cmphex(cfg_readb(s, PMC, SMRAM), ==, 0x02);
    /* Closed: the VGA window is PCI's (no VGA here: all-ones). */
    qtest_writel(s, vga, 0x11111111);
    g_assert_cmphex(qtest_readl(s, vga), ==, 0xffffffff);
    /* Open (G_SMRAME + D_OPEN): the DRAM beneath. */
    cfg_writeb(s, PMC, SMRAM, 0x48);
    g_assert_cmphex(cfg_readb(s, PMC, SMRAM), ==, 0x4a);
    qtest_writel(s, vga, 0x12345678);
    g_assert_cmphex(qtest_readl(s, vga), ==, 0x12345678);
    /* D_OPEN without G_SMRAME does nothing. */
    cfg_writeb(s, PMC, SMRAM, 0x40);
    g_assert_cmphex(qtest_readl(s, vga), ==, 0xffffffff);
    /* C_BASE_SEG is read-only 010, bit 7 reserved. */
    cfg_writeb(s, PMC, SMRAM, 0x85);
    g_assert_cmphex(cfg_readb(s, PMC, SMRAM), ==, 0x02);
    cfg_writeb(s, PMC, SMRAM, 0x48);
    g_assert_cmphex(qtest_readl(s, vga), ==, 0x12345678);

    /* D_LCK: D_OPEN drops, and D_OPEN, D_LCK, G_SMRAME stay put until reset. */
    cfg_writeb(s, PMC, SMRAM, 0x58);
    g_assert_cmphex(cfg_readb(s, PMC, SMRAM), ==, 0x1a);
    g_assert_cmphex(qtest_readl(s, vga), ==, 0xffffffff);
    const uint8_t tries[] = { 0x48, 0x40, 0x00, 0x4a, 0xff, 0x08 };
    for (size_t i = 0; i < sizeof(tries); i++) {
        cfg_writeb(s, PMC, SMRAM, tries[i]);
        uint8_t want = 0x1a | (tries[i] & 0x20);     /* only D_CLS moves */
        g_assert_cmphex(cfg_readb(s, PMC, SMRAM), ==, want);
        g_assert_cmphex(qtest_readl(s, vga), ==, 0xffffffff);
    }
    cfg_writel(s, PMC, 0x70, 0x00480000);               /* as part of a dword, too */
    g_assert_cmphex(cfg_readb(s, PMC, SMRAM), ==, 0x1a);
    /* Lock with D_OPEN alone set: D_OPEN cannot survive the lock. */
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(s, "RESET");
    g_assert_cmphex(cfg_readb(s, PMC, SMRAM), ==, 0x02);
    cfg_writeb(s, PMC, SMRAM, 0x48);
    g_assert_cmphex(qtest_readl(s, vga), ==, 0x12345678);   /* RAM survives reset */
    cfg_writeb(s, PMC, SMRAM, 0x50);
    g_assert_cmphex(cfg_readb(s, PMC, SMRAM), ==, 0x12);
    g_assert_cmphex(qtest_readl(s, vga), ==, 0xffffffff);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_identity(void)
{
    QTestState *s = start_fw();
    /* 82441FX: 8086:1237 rev 02, host bridge; 82371SB function 0: 8086:7000,
     * ISA bridge, multifunction. */
    g_assert_cmphex(cfg_readl(s, PMC, 0x00), ==, 0x12378086);
    g_assert_cmphex(cfg_readl(s, PMC, 0x08), ==, 0x06000002);
    g_assert_cmphex(cfg_readl(s, BDF(1, 0), 0x00), ==, 0x70008086);
    g_assert_cmphex(cfg_readl(s, BDF(1, 0), 0x08) >> 8, ==, 0x060100);
    g_assert_cmphex(cfg_readb(s, BDF(1, 0), PCI_HEADER_TYPE), ==, 0x80);
    /* PIIX3 defaults (82371SB §2.2): command 7, PIRQs off, TOM, SMICNTL. */
    g_assert_cmphex(cfg_readw(s, BDF(1, 0), PCI_COMMAND), ==, 0x0007);
    g_assert_cmphex(cfg_readl(s, BDF(1, 0), 0x60), ==, 0x80808080);
    g_assert_cmphex(cfg_readb(s, BDF(1, 0), 0x69), ==, 0x02);
    g_assert_cmphex(cfg_readb(s, BDF(1, 0), 0xa0), ==, 0x08);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* 0xcf8-0xcfb: dword = CONFIG_ADDRESS; a byte at 0xcf9 = PIIX3's reset control. */
static void test_cf9(void)
{
    QTestState *s = start_fw();

    qtest_outb(s, 0xcf9, 0x02);
    g_assert_cmphex(qtest_inb(s, 0xcf9), ==, 0x02);
    cfg_writeb(s, PMC, PAM(1), 0x33);
    /* A CONFIG_ADDRESS whose second byte has the reset bit (function 4) must
     * not reach the reset control register. */
    qtest_outl(s, CONFADD, 0x80000400);
    g_assert_cmphex(qtest_inl(s, CONFADD), ==, 0x80000400);
    g_assert_cmphex(qtest_inl(s, CONFDATA), ==, 0xffffffff);
    /* Nor a word access overlapping 0xcf9. */
    qtest_outw(s, 0xcf8, 0x0606);
    g_assert_cmphex(qtest_inb(s, 0xcf9), ==, 0x02);
    /* No reset happened: PAM kept its value, the CONFADD too. */
    g_assert_cmphex(cfg_readb(s, PMC, PAM(1)), ==, 0x33);
    /* The reset bit through the byte port does reset. */
    qtest_outb(s, 0xcf9, 0x06);
    qtest_qmp_eventwait(s, "RESET");
    g_assert_cmphex(cfg_readb(s, PMC, PAM(1)), ==, 0x00);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("emu-i440fx-XXXXXX", NULL);
    g_autofree uint8_t *img = g_malloc(BIOS_SIZE);
    for (size_t i = 0; i < BIOS_SIZE; i++) {
        img[i] = pattern(i);
    }
    bios = g_build_filename(tmpdir, "bios.bin", NULL);
    g_assert_true(g_file_set_contents(bios, (char *)img, BIOS_SIZE, NULL));

    g_test_add_func("/i440fx/identity", test_identity);
    g_test_add_func("/i440fx/pam/modes", test_pam_modes);
    g_test_add_func("/i440fx/pam/segments", test_pam_segments);
    g_test_add_func("/i440fx/pam/no-firmware", test_pam_no_firmware);
    g_test_add_func("/i440fx/smram", test_smram);
    g_test_add_func("/i440fx/cf9", test_cf9);
    int ret = g_test_run();
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(cmd)) {
        /* best effort */
    }
    g_free(bios);
    return ret;
}
