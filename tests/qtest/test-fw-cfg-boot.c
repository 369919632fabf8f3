/*
 * What fw_cfg tells the firmware about booting and the machine, checked
 * against the specifications rather than emu's code:
 *   - -boot order= in CMOS 0x3d/0x38 (the nibbles SeaBIOS reads: 1 floppy,
 *     2 disk, 3 CD, 4 network) and FW_CFG_BOOT_DEVICE, the "bootorder" file
 *     (empty without bootindex devices), etc/boot-fail-wait (LE32
 *     reboot-timeout, -1 by default), FW_CFG_BOOT_MENU and etc/boot-menu-wait;
 *   - the SMBIOS files parsed per DMTF DSP0134: the 2.1 entry point's two
 *     checksums and fields (§5.2.1), each structure's formatted length for
 *     SMBIOS 2.8, string sets, the structure count, total length and largest
 *     structure, and the type 1 fields and UUID byte order (§7.2.1) from
 *     -smbios / -uuid.
 */
#include "libqtest.h"

#include <string.h>
#include <unistd.h>

#include "fw-cfg-helpers.h"
#define FW_CFG_BOOT_DEVICE 0x0c
#define FW_CFG_BOOT_MENU 0x0e

static uint8_t cmos(QTestState *s, uint8_t reg)
{
    qtest_outb(s, 0x70, reg);
    return qtest_inb(s, 0x71);
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void test_boot_order(void)
{
    QTestState *s = qtest_init("-machine pc -boot order=dnc");
    uint8_t b[2];
    uint32_t size;

    /* d=3, n=4, c=2: first two in 0x3d (low nibble first), third in 0x38[7:4]. */
    g_assert_cmphex(cmos(s, 0x3d), ==, 0x43);
    g_assert_cmphex(cmos(s, 0x38) >> 4, ==, 0x2);
    fw_read(s, FW_CFG_BOOT_DEVICE, b, 2);
    g_assert_cmpuint(b[0] | b[1] << 8, ==, 'd');
    /* No device has a bootindex: the file exists and is empty (QEMU's pc). */
    g_autofree uint8_t *order = fw_file(s, "bootorder", &size);
    g_assert_nonnull(order);
    g_assert_cmpuint(size, ==, 0);
    /* Defaults: no menu, wait forever after a failed boot (-1). */
    fw_read(s, FW_CFG_BOOT_MENU, b, 2);
    g_assert_cmpuint(b[0] | b[1] << 8, ==, 0);
    g_autofree uint8_t *wait = fw_file(s, "etc/boot-fail-wait", &size);
    g_assert_nonnull(wait);
    g_assert_cmpuint(size, ==, 4);
    g_assert_cmphex(le32(wait), ==, 0xffffffff);
    g_assert_null(fw_file(s, "etc/boot-menu-wait", &size));
    qtest_quit(s);

    s = qtest_init("-machine pc -boot order=c,menu=on,splash-time=2500,"
                   "reboot-timeout=5000");
    g_assert_cmphex(cmos(s, 0x3d), ==, 0x02);
    fw_read(s, FW_CFG_BOOT_MENU, b, 2);
    g_assert_cmpuint(b[0] | b[1] << 8, ==, 1);
    g_autofree uint8_t *wait2 = fw_file(s, "etc/boot-fail-wait", &size);
    g_assert_cmpuint(size, ==, 4);
    g_assert_cmpuint(le32(wait2), ==, 5000);
    g_autofree uint8_t *menu = fw_file(s, "etc/boot-menu-wait", &size);
    g_assert_nonnull(menu);
    g_assert_cmpuint(size, ==, 2);
    g_assert_cmpuint(menu[0] | menu[1] << 8, ==, 2500);
    qtest_quit(s);
}

/* Formatted-area lengths of the SMBIOS 2.8 structures (DSP0134 §7). */
static unsigned smbios_min_len(unsigned type)
{
    switch (type) {
    case 0: return 0x18;
    case 1: return 0x1b;
    case 3: return 0x15;
    case 4: return 0x2a;
    case 16: return 0x17;
    case 17: return 0x28;
    case 19: return 0x1f;
    case 32: return 0x0b;
    case 127: return 0x04;
    default: return 4;
    }
}

/* String @n (1-based) of the structure at @st, or NULL. */
static const char *smbios_string(const uint8_t *st, unsigned n)
{
    const char *p = (const char *)st + st[1];
    if (!n) {
        return NULL;
    }
    for (unsigned i = 1; *p; i++) {
        if (i == n) {
            return p;
        }
        p += strlen(p) + 1;
    }
    return NULL;
}

static void test_smbios(void)
{
    QTestState *s = qtest_init("-machine pc -m 5G -smp 3 "
                               "-smbios type=1,manufacturer=Acme,product=Rocket,"
                               "version=7.1,serial=SN-42,family=Toys "
                               "-uuid 12345678-9abc-def0-1122-334455667788");
    uint32_t alen, tlen;
    g_autofree uint8_t *ep = fw_file(s, "etc/smbios/smbios-anchor", &alen);
    g_autofree uint8_t *tab = fw_file(s, "etc/smbios/smbios-tables", &tlen);

    g_assert_nonnull(ep);
    g_assert_nonnull(tab);
    /* §5.2.1: 31 bytes, "_SM_", checksum over all, "_DMI_", intermediate
     * checksum over 0x10-0x1e, version 2.8, BCD revision 0x28. */
    g_assert_cmpuint(alen, ==, 0x1f);
    g_assert_cmpmem(ep, 4, "_SM_", 4);
    g_assert_cmpuint(ep[5], ==, 0x1f);
    g_assert_cmpuint(ep[6], ==, 2);
    g_assert_cmpuint(ep[7], ==, 8);
    g_assert_cmpmem(ep + 0x10, 5, "_DMI_", 5);
    uint8_t sum = 0;
    for (int i = 0; i < 0x1f; i++) {
        sum += ep[i];
    }
    g_assert_cmpuint(sum, ==, 0);
    sum = 0;
    for (int i = 0x10; i < 0x1f; i++) {
        sum += ep[i];
    }
    g_assert_cmpuint(sum, ==, 0);
    g_assert_cmphex(ep[0x1e], ==, 0x28);
    unsigned max_size = ep[8] | ep[9] << 8;
    unsigned table_len = ep[0x16] | ep[0x17] << 8;
    unsigned count = ep[0x1c] | ep[0x1d] << 8;
    g_assert_cmpuint(table_len, ==, tlen);

    /* Walk the structures (§6.1.2, §6.1.3). */
    unsigned n = 0, largest = 0, n4 = 0, n17 = 0, n19 = 0;
    bool seen[256] = { false };
    const uint8_t *t1 = NULL, *t16 = NULL, *t19[2] = { NULL, NULL };
    const uint8_t *last = NULL;
    GHashTable *handles = g_hash_table_new(NULL, NULL);
    for (uint32_t off = 0; off < tlen; ) {
        const uint8_t *st = tab + off;
        g_assert_cmpuint(off + 4, <=, tlen);
        g_assert_cmpuint(st[1], >=, smbios_min_len(st[0]));
        g_assert_cmpuint(off + st[1] + 2, <=, tlen);
        unsigned handle = st[2] | st[3] << 8;
        g_assert_false(g_hash_table_contains(handles, GUINT_TO_POINTER(handle + 1)));
        g_hash_table_add(handles, GUINT_TO_POINTER(handle + 1));
        uint32_t end = off + st[1];
        if (tab[end] == 0 && tab[end + 1] == 0) {
            end += 2;               /* no strings */
        } else {
            while (end + 1 < tlen && !(tab[end] == 0 && tab[end + 1] == 0)) {
                end++;
            }
            g_assert_cmpuint(end + 1, <, tlen);
            end += 2;
        }
        largest = MAX(largest, end - off);
        seen[st[0]] = true;
        switch (st[0]) {
        case 1: t1 = st; break;
        case 4: n4++; break;
        case 16: t16 = st; break;
        case 17: n17++; break;
        case 19: if (n19 < 2) { t19[n19] = st; } n19++; break;
        }
        last = st;
        off = end;
        n++;
    }
    g_hash_table_destroy(handles);
    g_assert_cmpuint(n, ==, count);
    g_assert_cmpuint(largest, ==, max_size);
    g_assert_nonnull(last);
    g_assert_cmpuint(last[0], ==, 127);
    static const uint8_t want[] = { 0, 1, 3, 4, 16, 17, 19, 32, 127 };
    for (size_t i = 0; i < sizeof(want); i++) {
        g_assert_true(seen[want[i]]);
    }
    g_assert_cmpuint(n4, ==, 3);            /* one per CPU */
    g_assert_cmpuint(n17, ==, 1);           /* 5 GiB: one 16 GiB "DIMM" */

    /* Type 1 strings and UUID: first three fields little-endian (§7.2.1). */
    g_assert_nonnull(t1);
    g_assert_cmpstr(smbios_string(t1, t1[4]), ==, "Acme");
    g_assert_cmpstr(smbios_string(t1, t1[5]), ==, "Rocket");
    g_assert_cmpstr(smbios_string(t1, t1[6]), ==, "7.1");
    g_assert_cmpstr(smbios_string(t1, t1[7]), ==, "SN-42");
    g_assert_cmpstr(smbios_string(t1, t1[0x1a]), ==, "Toys");
    static const uint8_t uuid[16] = { 0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde,
                                      0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
    g_assert_cmpmem(t1 + 8, 16, uuid, 16);

    /* Type 16 capacity in KiB (5 GiB) and type 19 ranges: the RAM below the
     * PCI hole (3 GiB with 5 GiB of RAM, QEMU's i440FX rule) and 2 GiB at 4 GiB. */
    g_assert_nonnull(t16);
    g_assert_cmpuint(le32(t16 + 7), ==, 5u * 1024 * 1024);
    g_assert_cmpuint(n19, ==, 2);
    g_assert_cmpuint(le32(t19[0] + 4), ==, 0);
    g_assert_cmpuint(le32(t19[0] + 8), ==, 3u * 1024 * 1024 - 1);
    g_assert_cmpuint(le32(t19[1] + 4), ==, 4u * 1024 * 1024);
    g_assert_cmpuint(le32(t19[1] + 8), ==, 6u * 1024 * 1024 - 1);
    qtest_quit(s);
}

/* -smbios and -fw_cfg mistakes are one-line errors at start-up. */
static void test_bad_options(void)
{
    static const char *const bad[] = {
        "-smbios type=2,manufacturer=x",
        "-smbios type=1,colour=red",
        "-smbios type=1,uuid=not-a-uuid",
        "-smbios manufacturer=x",
        "-fw_cfg etc/foo,string=x",
        "-fw_cfg opt/foo",
        "-fw_cfg opt/foo,string=x,file=/etc/hostname",
        "-fw_cfg opt/foo,file=/nonexistent/file",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        const char *emu = g_getenv("EMU_BINARY") ? g_getenv("EMU_BINARY") : "build/emu";
        g_autofree char *cmd = g_strdup_printf("%s -machine pc -accel qtest -display none "
                                               "%s", emu, bad[i]);
        g_autofree char *err = NULL;
        g_autofree char *out = NULL;
        int status;
        g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status, NULL));
        g_assert_cmpint(status, !=, 0);
        g_assert_nonnull(strstr(err, bad[i][1] == 's' ? "-smbios" : "-fw_cfg"));
        g_assert_null(strchr(g_strchomp(err), '\n'));
    }
}

/* -fw_cfg opt/ files: a string (no NUL, as QEMU) and a file's bytes. */
static void test_user_files(void)
{
    g_autofree char *path = g_strdup_printf("%s/emu-fwcfg-%d.bin", g_get_tmp_dir(),
                                            (int)getpid());
    static const uint8_t blob[5] = { 0, 1, 0xfe, 0xff, 7 };
    uint32_t size;

    g_assert_true(g_file_set_contents(path, (const char *)blob, sizeof(blob), NULL));
    QTestState *s = qtest_initf("-machine pc -fw_cfg opt/org.example/str,string=hello "
                                "-fw_cfg name=opt/org.example/bin,file=%s", path);
    g_autofree uint8_t *str = fw_file(s, "opt/org.example/str", &size);
    g_assert_nonnull(str);
    g_assert_cmpuint(size, ==, 5);
    g_assert_cmpmem(str, 5, "hello", 5);
    g_autofree uint8_t *bin = fw_file(s, "opt/org.example/bin", &size);
    g_assert_nonnull(bin);
    g_assert_cmpmem(bin, size, blob, sizeof(blob));
    qtest_quit(s);
    unlink(path);
}

/*
 * bootindex= on if=ide drives: the "bootorder" file lists them by rising
 * index with QEMU's OpenFirmware paths for the PIIX3 IDE function at 01.1,
 * /pci@i0cf8/ide@1,1/drive@CHANNEL/disk@UNIT (what SeaBIOS's boot.c matches),
 * one per line, NUL-terminated. A bootindex used twice is a start-up error.
 */
static void test_ide_bootindex(void)
{
    g_autofree char *img = g_strdup_printf("%s/emu-fwcfg-ide-%d.img", g_get_tmp_dir(),
                                           (int)getpid());
    g_autofree char *zeros = g_malloc0(1 << 20);
    uint32_t size;

    g_assert_true(g_file_set_contents(img, zeros, 1 << 20, NULL));
    QTestState *s = qtest_initf(
        "-machine pc "
        "-drive file=%s,format=raw,if=ide,index=2,bootindex=5,readonly=on "
        "-drive file=%s,format=raw,if=ide,index=1,bootindex=2,readonly=on "
        "-drive if=ide,bus=1,unit=1,media=cdrom,bootindex=9 "
        "-drive file=%s,format=raw,if=ide,index=0,readonly=on", img, img, img);
    g_autofree uint8_t *order = fw_file(s, "bootorder", &size);
    static const char want[] = "/pci@i0cf8/ide@1,1/drive@0/disk@1\n"
                               "/pci@i0cf8/ide@1,1/drive@1/disk@0\n"
                               "/pci@i0cf8/ide@1,1/drive@1/disk@1\n";
    g_assert_nonnull(order);
    g_assert_cmpuint(size, ==, sizeof(want));
    g_assert_cmpmem(order, size, want, sizeof(want));
    qtest_quit(s);

    /*
     * The same through -device ide-hd/ide-cd on the channels' buses. The drives
     * really are where the paths say: the slave of the secondary channel (0x170,
     * drive select bit 4 set) answers IDENTIFY PACKET DEVICE with the ATAPI
     * signature and the master of the primary one IDENTIFY DEVICE (ATA-6 §8.15,
     * §8.16).
     */
    s = qtest_initf("-machine pc "
                    "-drive file=%s,format=raw,if=none,id=d0,readonly=on "
                    "-drive if=none,id=cd0,media=cdrom "
                    "-device ide-cd,drive=cd0,bus=ide.1,unit=1,bootindex=1 "
                    "-device ide-hd,drive=d0,bus=ide.0,bootindex=3", img);
    g_autofree uint8_t *order2 = fw_file(s, "bootorder", &size);
    static const char want2[] = "/pci@i0cf8/ide@1,1/drive@1/disk@1\n"
                                "/pci@i0cf8/ide@1,1/drive@0/disk@0\n";
    g_assert_cmpuint(size, ==, sizeof(want2));
    g_assert_cmpmem(order2, size, want2, sizeof(want2));
    qtest_outb(s, 0x176, 0xb0);                 /* secondary, slave */
    qtest_outb(s, 0x177, 0xa1);                 /* IDENTIFY PACKET DEVICE */
    g_assert_cmphex(qtest_inb(s, 0x177) & 0x89, ==, 0x08);   /* DRQ, no BSY/ERR */
    g_assert_cmphex(qtest_inw(s, 0x170) >> 14, ==, 2);       /* word 0: ATAPI */
    qtest_outb(s, 0x1f6, 0xa0);                 /* primary, master */
    qtest_outb(s, 0x1f7, 0xec);                 /* IDENTIFY DEVICE */
    g_assert_cmphex(qtest_inb(s, 0x1f7) & 0x89, ==, 0x08);
    g_assert_cmphex(qtest_inw(s, 0x1f0) & 0x8000, ==, 0);     /* word 0: ATA */
    qtest_quit(s);

    /* Two drives with one index, and bootindex on a bus that cannot take it. */
    static const char *const bad[] = {
        "-drive file=%s,format=raw,if=ide,index=0,bootindex=1,readonly=on "
        "-drive file=%s,format=raw,if=ide,index=1,bootindex=1,readonly=on",
        "-drive file=%s,format=raw,if=virtio,bootindex=1,readonly=on",
        "-drive file=%s,format=raw,if=ide,index=0,bootindex=4,readonly=on "
        "-drive file=%s,format=raw,if=none,id=x,readonly=on -device ide-hd,drive=x,bootindex=4",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        const char *emu = g_getenv("EMU_BINARY") ? g_getenv("EMU_BINARY") : "build/emu";
        /* The second file name may be unused. */
        g_autofree char *opts = g_strdup_printf(bad[i], img, img);
        g_autofree char *cmd = g_strdup_printf("%s -machine pc -accel qtest -display none "
                                               "%s", emu, opts);
        g_autofree char *err = NULL;
        g_autofree char *out = NULL;
        int status;
        g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status, NULL));
        g_assert_cmpint(status, !=, 0);
        g_assert_nonnull(strstr(err, "bootindex"));
    }
    unlink(img);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fw-cfg-boot/boot-order", test_boot_order);
    g_test_add_func("/fw-cfg-boot/smbios", test_smbios);
    g_test_add_func("/fw-cfg-boot/bad-options", test_bad_options);
    g_test_add_func("/fw-cfg-boot/user-files", test_user_files);
    g_test_add_func("/fw-cfg-boot/ide-bootindex", test_ide_bootindex);
    return g_test_run();
}
