/*
 * -bios on -machine pc: the image is ROM at the top of 4 GiB, its last 128 KiB
 * are mirrored at 0xe0000-0xfffff above RAM, guest writes to either are ignored,
 * and bad images are refused with one clear line.
 */
#include "libqtest.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static char *tmpdir;

static uint8_t pattern(size_t i)
{
    /* Never 0 at offset 0, so RAM (zeros) cannot pass for the image. */
    return (uint8_t)(i * 7 + i / 251 + 0x5a);
}

static char *make_image(const char *name, size_t size)
{
    g_autofree uint8_t *data = g_malloc(size);
    for (size_t i = 0; i < size; i++) {
        data[i] = pattern(i);
    }
    char *path = g_build_filename(tmpdir, name, NULL);
    g_assert_true(g_file_set_contents(path, (char *)data, size, NULL));
    return path;
}

static void test_rom_128k(void)
{
    g_autofree char *img = make_image("bios128.bin", 128 * 1024);
    QTestState *s = qtest_initf("-machine pc -m 64M -bios %s", img);

    /* The reset vector and the whole image at the top of 4 GiB. */
    g_assert_cmphex(qtest_readb(s, 0xfffffff0), ==, pattern(128 * 1024 - 16));
    g_assert_cmphex(qtest_readb(s, 0xfffe0000), ==, pattern(0));
    g_assert_cmphex(qtest_readl(s, 0xfffe1234),
                    ==, pattern(0x1234) | pattern(0x1235) << 8 |
                        pattern(0x1236) << 16 | (uint32_t)pattern(0x1237) << 24);
    /* The same bytes below 1 MiB, over RAM. */
    g_assert_cmphex(qtest_readb(s, 0xe0000), ==, pattern(0));
    g_assert_cmphex(qtest_readb(s, 0xffff0), ==, pattern(128 * 1024 - 16));
    /* Guest writes to ROM are dropped, in both places. */
    qtest_writeb(s, 0xffff0, (uint8_t)~pattern(128 * 1024 - 16));
    qtest_writeb(s, 0xfffe0000, (uint8_t)~pattern(0));
    g_assert_cmphex(qtest_readb(s, 0xffff0), ==, pattern(128 * 1024 - 16));
    g_assert_cmphex(qtest_readb(s, 0xfffe0000), ==, pattern(0));
    /* Below the mirror, PAM (reset: everything to PCI) finds nothing: all-ones,
     * writes go nowhere. Conventional RAM below 0xa0000 is still RAM. */
    qtest_writel(s, 0xdfff0, 0x12345678);
    g_assert_cmphex(qtest_readl(s, 0xdfff0), ==, 0xffffffff);
    qtest_writel(s, 0x9fff0, 0x12345678);
    g_assert_cmphex(qtest_readl(s, 0x9fff0), ==, 0x12345678);
    /* Below the image, the PCI hole reads all-ones. */
    g_assert_cmphex(qtest_readl(s, 0xfffd0000), ==, 0xffffffff);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_rom_64k(void)
{
    g_autofree char *img = make_image("bios64.bin", 64 * 1024);
    QTestState *s = qtest_initf("-machine pc -m 64M -bios %s", img);
    g_assert_cmphex(qtest_readb(s, 0xffff0000), ==, pattern(0));
    g_assert_cmphex(qtest_readb(s, 0xf0000), ==, pattern(0));
    /* 0xe0000 is not covered by a 64 KiB image: PAM sends it to PCI, where
     * nothing answers. */
    qtest_writeb(s, 0xe0010, 0x5a);
    g_assert_cmphex(qtest_readb(s, 0xe0010), ==, 0xff);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_search_path(void)
{
    g_autofree char *img = make_image("byname.bin", 64 * 1024);
    /* A bare name is looked up in -L directories. */
    QTestState *s = qtest_initf("-machine pc -m 64M -L %s -bios byname.bin", tmpdir);
    g_assert_cmphex(qtest_readb(s, 0xffff0001), ==, pattern(1));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void expect_refused(const char *bios, const char *needle)
{
    const char *emu = g_getenv("EMU_BINARY") ? g_getenv("EMU_BINARY") : "build/emu";
    const char *argv[] = { emu, "-machine", "pc", "-accel", "qtest", "-display", "none",
                           "-bios", bios, NULL };
    g_autofree char *err = NULL;
    int status = -1;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, NULL));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(err, needle));
    g_assert_null(strchr(strchr(err, '\n') + 1, '\n'));   /* one line */
}

static void test_bad_images(void)
{
    g_autofree char *odd = make_image("odd.bin", 65 * 1024);
    g_autofree char *empty = make_image("empty.bin", 0);
    expect_refused(odd, "multiple of 64 KiB");
    expect_refused(empty, "multiple of 64 KiB");
    g_autofree char *missing = g_build_filename(tmpdir, "missing.bin", NULL);
    expect_refused(missing, "not found");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("emu-fw-XXXXXX", NULL);
    g_test_add_func("/pc-firmware/rom-128k", test_rom_128k);
    g_test_add_func("/pc-firmware/rom-64k", test_rom_64k);
    g_test_add_func("/pc-firmware/search-path", test_search_path);
    g_test_add_func("/pc-firmware/bad-images", test_bad_images);
    int ret = g_test_run();
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(cmd)) {
        /* best effort */
    }
    return ret;
}
