/*
 * -machine pc direct kernel boot, seen from outside: emu loads -kernel/-initrd/
 * -append into guest RAM (no CPU runs under qtest), and the test reads back the
 * zero page, page tables, initrd and multiboot information through the qtest
 * protocol, and the boot entry through QMP (qom-get /machine boot-entry-*).
 * The test parses the images itself, independently of emu's loader.
 *
 * The Debian kernel case needs scripts/fetch-guest.sh to have run (make check
 * does it); without the cache it is skipped.
 */
#include "libqtest.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MiB (1024ULL * 1024)

static char *tmpdir;

/* ---- little-endian helpers ---- */

static uint32_t get16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
    return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, v);
    put32(p + 4, v >> 32);
}

static char *write_tmp(const char *name, const void *data, size_t len)
{
    char *path = g_build_filename(tmpdir, name, NULL);
    g_assert_true(g_file_set_contents(path, data, len, NULL));
    return path;
}

/* ---- QMP ---- */

static JsonNode *qom_get(QTestState *s, const char *prop)
{
    JsonNode *resp = qtest_qmp(s, "{'execute': 'qom-get', 'arguments': "
                               "{'path': '/machine', 'property': '%s'}}", prop);
    JsonNode *ret = qtest_qmp_return(resp);
    if (!ret) {
        g_error("qom-get /machine %s failed", prop);
    }
    JsonNode *copy = json_node_copy(ret);
    json_node_unref(resp);
    return copy;
}

static uint64_t qom_get_u64(QTestState *s, const char *prop)
{
    g_autoptr(JsonNode) n = qom_get(s, prop);
    return json_node_get_int(n);
}

static char *qom_get_str(QTestState *s, const char *prop)
{
    g_autoptr(JsonNode) n = qom_get(s, prop);
    return g_strdup(json_node_get_string(n));
}

/* Physical address @va maps to through the 4-level tables at @cr3, or ~0. */
static uint64_t walk(QTestState *s, uint64_t cr3, uint64_t va)
{
    static const int shifts[] = { 39, 30, 21, 12 };
    uint64_t table = cr3 & ~0xfffULL;
    for (int level = 0; level < 4; level++) {
        uint64_t e = qtest_readq(s, table + ((va >> shifts[level]) & 511) * 8);
        if (!(e & 1) || !(e & 2)) {
            return ~0ULL;
        }
        uint64_t base = e & 0x000ffffffffff000ULL;
        if (level == 3 || (level > 0 && (e & 0x80))) {
            uint64_t mask = (1ULL << shifts[level]) - 1;
            return (base & ~mask) | (va & mask);
        }
        table = base;
    }
    return ~0ULL;
}

/* ---- the Debian kernel ---- */

static char *guest_cache(void)
{
    const char *env = g_getenv("EMU_GUEST_CACHE");
    if (env) {
        return g_strdup(env);
    }
    /* __FILE__ is relative to the build dir, where the emu binary lives. */
    const char *emu = g_getenv("EMU_BINARY");
    g_autofree char *build = g_path_get_dirname(emu ? emu : "build/emu");
    g_autofree char *self = g_canonicalize_filename(__FILE__, build);
    g_autofree char *d1 = g_path_get_dirname(self);     /* tests/qtest */
    g_autofree char *d2 = g_path_get_dirname(d1);       /* tests */
    g_autofree char *src = g_path_get_dirname(d2);
    return g_build_filename(src, ".cache", "guest", NULL);
}

static void test_debian_kernel(void)
{
    g_autofree char *cache = guest_cache();
    g_autofree char *kpath = g_build_filename(cache, "vmlinuz", NULL);
    g_autofree char *ipath = g_build_filename(cache, "initrd.img", NULL);
    g_autofree uint8_t *k = NULL, *rd = NULL;
    gsize ksize, rdsize;
    const char *cmdline = "console=ttyS0 x=y";

    if (!g_file_get_contents(kpath, (char **)&k, &ksize, NULL) ||
        !g_file_get_contents(ipath, (char **)&rd, &rdsize, NULL)) {
        g_autofree char *msg = g_strdup_printf("no guest kernel in %s: run "
                                               "scripts/fetch-guest.sh", cache);
        g_test_skip(msg);
        return;
    }
    /* The file itself: a 64-bit bzImage of a recent protocol. */
    g_assert_cmpuint(ksize, >, 0x1000);
    g_assert_cmpmem(k + 0x202, 4, "HdrS", 4);
    uint32_t version = get16(k + 0x206);
    g_assert_cmphex(version, >=, 0x020c);
    g_assert_true(get16(k + 0x236) & 1);                  /* XLF_KERNEL_64 */
    unsigned sects = k[0x1f1] ? k[0x1f1] : 4;
    size_t setup = (sects + 1) * 512;
    uint64_t pref = get64(k + 0x258);
    uint32_t init_size = get32(k + 0x260);
    size_t hdr_end = 0x202 + k[0x201];

    QTestState *s = qtest_initf("-machine pc -m 512M -kernel %s -initrd %s "
                                "-append '%s'", kpath, ipath, cmdline);

    g_autofree char *proto = qom_get_str(s, "boot-protocol");
    g_autofree char *mode = qom_get_str(s, "boot-entry-mode");
    g_assert_cmpstr(proto, ==, "linux");
    g_assert_cmpstr(mode, ==, "long64");
    uint64_t rip = qom_get_u64(s, "boot-entry-rip");
    uint64_t rsi = qom_get_u64(s, "boot-entry-rsi");
    uint64_t cr3 = qom_get_u64(s, "boot-entry-cr3");
    uint64_t gdt = qom_get_u64(s, "boot-entry-gdt-base");
    g_assert_cmphex(rip, ==, pref + 0x200);               /* relocatable, fits */
    g_assert_cmphex(rsi % 4096, ==, 0);
    g_assert_cmphex(rsi, <, 0x9fc00);

    /* The protected-mode kernel at pref_address: first and last 4 KiB. */
    uint8_t buf[4096];
    qtest_bufread(s, pref, buf, sizeof(buf));
    g_assert_cmpmem(buf, sizeof(buf), k + setup, sizeof(buf));
    qtest_bufread(s, pref + ksize - setup - sizeof(buf), buf, sizeof(buf));
    g_assert_cmpmem(buf, sizeof(buf), k + ksize - sizeof(buf), sizeof(buf));

    /* Zero page: the file's setup header, except the fields a loader writes. */
    uint8_t bp[4096];
    qtest_bufread(s, rsi, bp, sizeof(bp));
    for (size_t off = 0x1f1; off < hdr_end; off++) {
        bool loader_field = (off >= 0x1fa && off < 0x1fc) || off == 0x210 ||
                            off == 0x211 || (off >= 0x214 && off < 0x220) ||
                            (off >= 0x224 && off < 0x22c);
        if (!loader_field && bp[off] != k[off]) {
            g_error("zero page byte 0x%zx is 0x%02x, the file has 0x%02x", off, bp[off],
                    k[off]);
        }
    }
    g_assert_cmphex(bp[0x1ef], ==, 0);                    /* sentinel */
    g_assert_cmphex(bp[0x210], ==, 0xff);                 /* type_of_loader */
    g_assert_true(bp[0x211] & 1);                         /* LOADED_HIGH */
    g_assert_cmphex(get32(bp + 0x214), ==, pref);         /* code32_start */

    /* Command line. */
    uint32_t cmd_ptr = get32(bp + 0x228);
    g_assert_cmphex(get32(bp + 0x0c8), ==, 0);
    char cmd[64] = { 0 };
    qtest_memread(s, cmd_ptr, cmd, strlen(cmdline) + 1);
    g_assert_cmpstr(cmd, ==, cmdline);

    /* initrd: the file's bytes, page-aligned, above the kernel, below 512 MiB. */
    uint64_t rd_addr = get32(bp + 0x218) | (uint64_t)get32(bp + 0x0c0) << 32;
    uint64_t rd_size = get32(bp + 0x21c) | (uint64_t)get32(bp + 0x0c4) << 32;
    g_assert_cmpuint(rd_size, ==, rdsize);
    g_assert_cmphex(rd_addr % 4096, ==, 0);
    g_assert_cmphex(rd_addr, >=, pref + init_size);
    g_assert_cmphex(rd_addr + rd_size, <=, 512 * MiB);
    g_autofree uint8_t *back = g_malloc(rdsize);
    qtest_bufread(s, rd_addr, back, rdsize);
    g_assert_true(memcmp(back, rd, rdsize) == 0);

    /* e820: sorted, disjoint, RAM under the kernel, zero page and initrd, about
     * 512 MiB of it in total. */
    unsigned n = bp[0x1e8];
    g_assert_cmpuint(n, >=, 3);
    g_assert_cmpuint(n, <=, 128);
    uint64_t prev_end = 0, ram = 0;
    bool kernel_ram = false, initrd_ram = false, zp_ram = false;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *e = bp + 0x2d0 + i * 20;
        uint64_t a = get64(e), len = get64(e + 8);
        uint32_t type = get32(e + 16);
        g_assert_cmphex(a, >=, prev_end);
        g_assert_cmpuint(len, >, 0);
        g_assert_cmpuint(type, >=, 1);
        g_assert_cmpuint(type, <=, 5);
        prev_end = a + len;
        if (type == 1) {
            ram += len;
            kernel_ram |= a <= pref && pref + init_size <= a + len;
            initrd_ram |= a <= rd_addr && rd_addr + rd_size <= a + len;
            zp_ram |= a <= rsi && rsi + 4096 <= a + len;
        }
    }
    g_assert_true(kernel_ram && initrd_ram && zp_ram);
    g_assert_cmpuint(ram, <=, 512 * MiB);
    g_assert_cmpuint(ram, >, 510 * MiB);

    /* Identity map over kernel, zero page, command line and initrd. */
    uint64_t vas[] = { rip, pref, pref + init_size - 1, rsi, cmd_ptr, rd_addr,
                       rd_addr + rd_size - 1, gdt };
    for (size_t i = 0; i < G_N_ELEMENTS(vas); i++) {
        g_assert_cmphex(walk(s, cr3, vas[i]), ==, vas[i]);
    }
    /* GDT: __BOOT_CS is 64-bit code, __BOOT_DS writable data. */
    uint64_t cs = qtest_readq(s, gdt + 0x10), ds = qtest_readq(s, gdt + 0x18);
    g_assert_true((cs >> 53) & 1);
    g_assert_cmphex((cs >> 43) & 3, ==, 3);
    g_assert_cmphex((ds >> 41) & 7, ==, 1);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- synthetic images ---- */

static uint8_t *fake_bzimage(size_t *size, uint16_t version, uint16_t xloadflags,
                             uint32_t cmdline_size, uint64_t pref, uint32_t init_size)
{
    const size_t setup = 5 * 512, kernel = 8192;
    *size = setup + kernel;
    uint8_t *img = g_malloc0(*size);
    for (size_t i = setup; i < *size; i++) {
        img[i] = (uint8_t)(i * 5);
    }
    img[0x1f1] = 4;
    put32(img + 0x1f4, kernel / 16);
    put16(img + 0x1fe, 0xaa55);
    img[0x200] = 0xeb;
    img[0x201] = 0x6a;
    memcpy(img + 0x202, "HdrS", 4);
    put16(img + 0x206, version);
    img[0x211] = 1;
    put32(img + 0x22c, 0x7fffffff);
    put32(img + 0x230, 2 * MiB);
    img[0x234] = 1;
    put16(img + 0x236, xloadflags);
    put32(img + 0x238, cmdline_size);
    put64(img + 0x258, pref);
    put32(img + 0x260, init_size);
    return img;
}

static void fw_cfg_read(QTestState *s, uint16_t key, void *buf, size_t len)
{
    qtest_outw(s, 0x510, key);
    for (size_t i = 0; i < len; i++) {
        ((uint8_t *)buf)[i] = qtest_inb(s, 0x511);
    }
}

/* -initrd a,b: the files concatenated, each starting 4-byte aligned. */
static void test_linux_two_initrds(void)
{
    size_t size;
    g_autofree uint8_t *img = fake_bzimage(&size, 0x020f, 3, 2047, 16 * MiB, 4 * MiB);
    g_autofree char *kpath = write_tmp("bzimage", img, size);
    g_autofree char *a = write_tmp("rd-a", "AAAAA", 5);
    g_autofree char *b = write_tmp("rd-b", "BBB", 3);
    QTestState *s = qtest_initf("-machine pc -m 64M -kernel %s -initrd %s,%s", kpath, a, b);

    g_autofree char *proto = qom_get_str(s, "boot-protocol");
    g_assert_cmpstr(proto, ==, "linux");
    uint64_t zp = qom_get_u64(s, "boot-entry-rsi");
    g_assert_cmphex(qom_get_u64(s, "boot-entry-rip"), ==, 16 * MiB + 0x200);
    uint32_t rd = qtest_readl(s, zp + 0x218);
    g_assert_cmpuint(qtest_readl(s, zp + 0x21c), ==, 11);
    uint8_t got[11];
    qtest_memread(s, rd, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), "AAAAA\0\0\0BBB", 11);
    g_assert_cmphex(rd, ==, 64 * MiB - 4096);
    /* No -append: an empty command line. */
    g_assert_cmphex(qtest_readb(s, qtest_readl(s, zp + 0x228)), ==, 0);

    /* fw_cfg carries the same kernel for firmware (QEMU's key numbers). */
    char sig[4];
    fw_cfg_read(s, 0x00, sig, 4);
    if (memcmp(sig, "QEMU", 4) == 0) {
        uint8_t v[8];
        fw_cfg_read(s, 0x08, v, 4);                     /* KERNEL_SIZE */
        g_assert_cmpuint(get32(v), ==, 8192);
        fw_cfg_read(s, 0x17, v, 4);                     /* SETUP_SIZE */
        g_assert_cmpuint(get32(v), ==, 5 * 512);
        fw_cfg_read(s, 0x0b, v, 4);                     /* INITRD_SIZE */
        g_assert_cmpuint(get32(v), ==, 11);
        fw_cfg_read(s, 0x0a, v, 4);                     /* INITRD_ADDR */
        g_assert_cmphex(get32(v), ==, rd);
        fw_cfg_read(s, 0x14, v, 4);                     /* CMDLINE_SIZE, with the NUL */
        g_assert_cmpuint(get32(v), ==, 1);
        uint8_t kd[16];
        fw_cfg_read(s, 0x11, kd, sizeof(kd));           /* KERNEL_DATA */
        g_assert_cmpmem(kd, sizeof(kd), img + 5 * 512, sizeof(kd));
    }
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void mb_header(uint8_t *p, uint32_t flags)
{
    put32(p, 0x1BADB002);
    put32(p + 4, flags);
    put32(p + 8, -(0x1BADB002u + flags));
}

/* a.out kludge kernel: 0x2000 bytes at 1 MiB, bss to 1 MiB + 0x3000. */
static uint8_t *fake_multiboot(size_t *size)
{
    *size = 0x2000;
    uint8_t *img = g_malloc(*size);
    for (size_t i = 0; i < *size; i++) {
        img[i] = (uint8_t)(i * 3);
    }
    mb_header(img + 0x20, 0x10003);
    put32(img + 0x2c, 0x100020);
    put32(img + 0x30, 0x100000);
    put32(img + 0x34, 0x102000);
    put32(img + 0x38, 0x103000);
    put32(img + 0x3c, 0x100100);
    return img;
}

static void test_multiboot(void)
{
    size_t size;
    g_autofree uint8_t *img = fake_multiboot(&size);
    g_autofree char *kpath = write_tmp("mbkernel", img, size);
    g_autofree char *m1 = write_tmp("mod1", "first module", 12);
    g_autofree char *m2 = write_tmp("mod2", "second", 6);
    QTestState *s = qtest_initf("-machine pc -m 32M -kernel %s -append 'a=1 b' "
                                "-initrd '%s x y,%s'", kpath, m1, m2);

    g_autofree char *proto = qom_get_str(s, "boot-protocol");
    g_autofree char *mode = qom_get_str(s, "boot-entry-mode");
    g_assert_cmpstr(proto, ==, "multiboot");
    g_assert_cmpstr(mode, ==, "protected32");
    g_assert_cmphex(qom_get_u64(s, "boot-entry-rip"), ==, 0x100100);
    g_assert_cmphex(qom_get_u64(s, "boot-entry-rax"), ==, 0x2BADB002);
    uint64_t mbi = qom_get_u64(s, "boot-entry-rbx");
    g_assert_cmphex(mbi % 4096, ==, 0);

    uint8_t kernel[0x2000];
    qtest_bufread(s, 0x100000, kernel, sizeof(kernel));
    g_assert_cmpmem(kernel, sizeof(kernel), img, size);
    g_assert_cmphex(qtest_readq(s, 0x102ff8), ==, 0);     /* bss */

    uint8_t info[88];
    qtest_memread(s, mbi, info, sizeof(info));
    g_assert_cmphex(get32(info) & 0x24d, ==, 0x24d);      /* mem, cmdline, mods, mmap, name */
    g_assert_cmpuint(get32(info + 4), ==, 639);
    g_assert_cmpuint(get32(info + 8), ==, 31 * 1024);
    char str[256] = { 0 };
    g_autofree char *want_cmd = g_strdup_printf("%s a=1 b", kpath);
    qtest_memread(s, get32(info + 16), str, strlen(want_cmd) + 1);
    g_assert_cmpstr(str, ==, want_cmd);

    g_assert_cmpuint(get32(info + 20), ==, 2);
    uint8_t mods[32];
    qtest_memread(s, get32(info + 24), mods, sizeof(mods));
    g_assert_cmphex(get32(mods), ==, 0x103000);
    g_assert_cmphex(get32(mods + 4), ==, 0x103000 + 12);
    g_assert_cmphex(get32(mods + 16), ==, 0x104000);
    g_assert_cmphex(get32(mods + 20), ==, 0x104000 + 6);
    char data[13] = { 0 };
    qtest_memread(s, 0x103000, data, 12);
    g_assert_cmpstr(data, ==, "first module");
    g_autofree char *want_m1 = g_strdup_printf("%s x y", m1);
    memset(str, 0, sizeof(str));
    qtest_memread(s, get32(mods + 8), str, strlen(want_m1) + 1);
    g_assert_cmpstr(str, ==, want_m1);
    memset(str, 0, sizeof(str));
    qtest_memread(s, get32(mods + 24), str, strlen(m2) + 1);
    g_assert_cmpstr(str, ==, m2);

    /* mmap: 24-byte entries (size 20), ending with RAM up to 32 MiB. */
    uint32_t mlen = get32(info + 44), maddr = get32(info + 48);
    g_assert_cmpuint(mlen % 24, ==, 0);
    g_assert_cmpuint(mlen / 24, >=, 3);
    uint8_t last[24];
    qtest_memread(s, maddr + mlen - 24, last, sizeof(last));
    g_assert_cmpuint(get32(last), ==, 20);
    g_assert_cmphex(get64(last + 4) + get64(last + 12), ==, 32 * MiB);
    g_assert_cmpuint(get32(last + 20), ==, 1);
    memset(str, 0, sizeof(str));
    qtest_memread(s, get32(info + 64), str, 4);
    g_assert_cmpstr(str, ==, "emu");
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- bad input on the command line: a clear error and exit status 1 ---- */

/* Run emu to completion (killed after 30 s); returns its stderr. */
static char *run_emu(const char *const *args, int *status)
{
    const char *emu = g_getenv("EMU_BINARY");
    GPtrArray *argv = g_ptr_array_new();
    GError *gerr = NULL;
    GPid pid;
    int err_fd;

    g_ptr_array_add(argv, (char *)(emu ? emu : "build/emu"));
    static const char *const base[] = { "-machine", "pc", "-accel", "qtest",
                                        "-display", "none" };
    for (size_t i = 0; i < G_N_ELEMENTS(base); i++) {
        g_ptr_array_add(argv, (char *)base[i]);
    }
    for (size_t i = 0; args[i]; i++) {
        g_ptr_array_add(argv, (char *)args[i]);
    }
    g_ptr_array_add(argv, NULL);
    if (!g_spawn_async_with_pipes(NULL, (char **)argv->pdata, NULL,
                                  G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                  NULL, NULL, &pid, NULL, NULL, &err_fd, &gerr)) {
        g_error("cannot run emu: %s", gerr->message);
    }
    g_ptr_array_free(argv, true);

    GString *out = g_string_new(NULL);
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    for (;;) {
        GPollFD pfd = { .fd = err_fd, .events = G_IO_IN | G_IO_HUP };
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;
        if (left <= 0) {
            kill(pid, SIGKILL);
            g_string_append(out, "\n[test: emu did not exit within 30 s]");
            break;
        }
        if (g_poll(&pfd, 1, left) <= 0) {
            continue;
        }
        char buf[4096];
        ssize_t n = read(err_fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        g_string_append_len(out, buf, n);
    }
    close(err_fd);
    int wstatus;
    g_assert_cmpint(waitpid(pid, &wstatus, 0), ==, pid);
    g_spawn_close_pid(pid);
    *status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    return g_string_free(out, false);
}

static void expect_error(const char *const *args, const char *needle1,
                         const char *needle2)
{
    int status;
    g_autofree char *err = run_emu(args, &status);
    if (status != 1 || !strstr(err, needle1) || (needle2 && !strstr(err, needle2))) {
        g_error("expected exit 1 with '%s' and '%s', got %d: %s", needle1,
                needle2 ? needle2 : "", status, err);
    }
    /* One line: "emu: -kernel FILE: what". */
    g_assert_true(g_str_has_prefix(err, "emu: -"));
    g_assert_true(g_str_has_suffix(err, "\n"));
    g_assert_true(strchr(err, '\n') == err + strlen(err) - 1);
}

static void test_cli_errors(void)
{
    size_t size;
    g_autofree char *missing = g_build_filename(tmpdir, "no-such-kernel", NULL);
    g_autofree char *empty = write_tmp("empty", "", 0);
    uint8_t junk[4096];
    for (size_t i = 0; i < sizeof(junk); i++) {
        junk[i] = (uint8_t)(i * 31 + 7);
    }
    g_autofree char *garbage = write_tmp("garbage", junk, sizeof(junk));
    g_autofree uint8_t *good = fake_bzimage(&size, 0x020f, 3, 8, 1 * MiB, 2 * MiB);
    g_autofree char *goodp = write_tmp("good", good, size);
    g_autofree char *trunc = write_tmp("truncated", good, 3000);
    g_autofree uint8_t *old = fake_bzimage(&size, 0x0205, 0, 255, 0, 0);
    g_autofree char *oldp = write_tmp("old", old, size);
    g_autofree uint8_t *no64 = fake_bzimage(&size, 0x020f, 2, 2047, 1 * MiB, 2 * MiB);
    g_autofree char *no64p = write_tmp("no64", no64, size);
    g_autofree uint8_t *big = fake_bzimage(&size, 0x020f, 3, 2047, 16 * MiB, 64 * MiB);
    g_autofree char *bigp = write_tmp("big", big, size);
    uint8_t mb[1024] = { 0 };
    mb_header(mb + 64, 0x10000);
    mb[72] ^= 0x40;
    g_autofree char *badsum = write_tmp("badsum", mb, sizeof(mb));
    g_autofree char *huge_rd = g_build_filename(tmpdir, "huge-initrd", NULL);
    FILE *f = fopen(huge_rd, "w");
    g_assert_nonnull(f);
    g_assert_cmpint(ftruncate(fileno(f), 40 * MiB), ==, 0);
    fclose(f);

    expect_error((const char *[]){ "-kernel", missing, NULL }, missing,
                 "No such file or directory");
    expect_error((const char *[]){ "-kernel", tmpdir, NULL }, tmpdir, "not a regular file");
    expect_error((const char *[]){ "-kernel", empty, NULL }, empty,
                 "neither a Linux bzImage");
    expect_error((const char *[]){ "-kernel", garbage, NULL }, garbage,
                 "nor a multiboot kernel");
    expect_error((const char *[]){ "-kernel", trunc, NULL }, trunc, "truncated");
    expect_error((const char *[]){ "-kernel", oldp, NULL }, oldp, "2.05 is too old");
    expect_error((const char *[]){ "-kernel", no64p, NULL }, no64p, "64-bit entry point");
    expect_error((const char *[]){ "-kernel", badsum, NULL }, badsum, "bad checksum");
    expect_error((const char *[]){ "-kernel", goodp, "-append", "0123456789", NULL },
                 goodp, "longer than the 8");
    expect_error((const char *[]){ "-kernel", goodp, "-initrd", missing, NULL },
                 "-initrd", missing);
    expect_error((const char *[]){ "-m", "32M", "-kernel", goodp, "-initrd", huge_rd,
                                   NULL }, goodp, "initrd (41943040 bytes) does not fit");
    expect_error((const char *[]){ "-m", "64M", "-kernel", bigp, NULL }, bigp,
                 "give the machine more memory");
    unlink(huge_rd);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("emu-pc-boot-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    g_test_add_func("/pc-machine/boot/debian-kernel", test_debian_kernel);
    g_test_add_func("/pc-machine/boot/linux-two-initrds", test_linux_two_initrds);
    g_test_add_func("/pc-machine/boot/multiboot", test_multiboot);
    g_test_add_func("/pc-machine/boot/cli-errors", test_cli_errors);
    int ret = g_test_run();
    g_autoptr(GDir) dir = g_dir_open(tmpdir, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *p = g_build_filename(tmpdir, name, NULL);
        unlink(p);
    }
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
