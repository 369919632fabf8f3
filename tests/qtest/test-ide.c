/*
 * PIIX3 IDE at 00:01.1: ATA (ATA/ATAPI-6) and ATAPI (MMC-3) protocol sequences
 * as a driver issues them, bus-master DMA through PRD tables in guest RAM
 * (SFF-8038i), and hostile PRD tables. The oracle for data is the image file,
 * read and written by the test with POSIX calls; for registers the specs.
 */
#include "pci-helpers.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#define IDE_BDF   BDF(1, 1)
#define BMDMA     0xc000
#define P0        0x1f0
#define C0        0x3f6
#define P1        0x170
#define C1        0x376
#define PRD_TABLE 0x10000
#define DISK_SECTORS ((1ull << 28) + 64)    /* past LBA28: needs LBA48 */
#define CD_SECTORS 100
#define CD2_SECTORS 40

static char *disk_path, *cd_path, *cd2_path;
static int disk_fd;

static void make_images(void)
{
    disk_path = g_strdup("/tmp/emu-ide-disk-XXXXXX");
    disk_fd = mkstemp(disk_path);
    g_assert_cmpint(disk_fd, >=, 0);
    g_assert_cmpint(ftruncate(disk_fd, DISK_SECTORS * 512), ==, 0);
    uint8_t buf[512];
    for (uint64_t sec = 0; sec < 64; sec++) {
        for (int i = 0; i < 512; i++) {
            buf[i] = (uint8_t)(sec * 7 + i * 13 + (i >> 8));
        }
        g_assert_cmpint(pwrite(disk_fd, buf, 512, sec * 512), ==, 512);
    }
    /* A marker past the LBA28 limit. */
    memset(buf, 0xa5, 512);
    memcpy(buf, "LBA48!", 6);
    g_assert_cmpint(pwrite(disk_fd, buf, 512, ((1ull << 28) + 5) * 512), ==, 512);

    cd_path = g_strdup("/tmp/emu-ide-cd-XXXXXX");
    int fd = mkstemp(cd_path);
    g_assert_cmpint(fd, >=, 0);
    uint8_t sec[2048];
    for (int s = 0; s < CD_SECTORS; s++) {
        for (int i = 0; i < 2048; i++) {
            sec[i] = (uint8_t)(s * 3 + i * 5);
        }
        memcpy(sec, &s, sizeof(s));
        g_assert_cmpint(pwrite(fd, sec, 2048, (off_t)s * 2048), ==, 2048);
    }
    close(fd);

    /* A second, smaller disc for media changes: every byte 0x5a, sector number first. */
    cd2_path = g_strdup("/tmp/emu-ide-cd2-XXXXXX");
    fd = mkstemp(cd2_path);
    g_assert_cmpint(fd, >=, 0);
    for (int s = 0; s < CD2_SECTORS; s++) {
        memset(sec, 0x5a, sizeof(sec));
        memcpy(sec, &s, sizeof(s));
        g_assert_cmpint(pwrite(fd, sec, 2048, (off_t)s * 2048), ==, 2048);
    }
    close(fd);
}

static void disk_expect(uint64_t sector, const uint8_t *data, size_t len)
{
    g_autofree uint8_t *buf = g_malloc(len);
    g_assert_cmpint(pread(disk_fd, buf, len, sector * 512), ==, (ssize_t)len);
    g_assert_cmpmem(buf, len, data, len);
}

static QTestState *start(const char *extra)
{
    QTestState *s = qtest_initf("-machine pc -nodefaults -m 64M "
                                "-drive file=%s,if=ide,index=0,format=raw "
                                "-drive file=%s,if=ide,index=2,media=cdrom,format=raw %s",
                                disk_path, cd_path, extra ? extra : "");
    cfg_writel(s, IDE_BDF, 0x20, BMDMA | 1);
    cfg_writew(s, IDE_BDF, PCI_COMMAND,
               PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    qtest_irq_intercept_in(s, "/machine/gsi");
    return s;
}

/* Poll the alternate status until BSY clears (completions run on emu's main loop). */
static uint8_t wait_not_busy(QTestState *s, uint16_t ctl)
{
    for (int i = 0; i < 200000; i++) {
        uint8_t st = qtest_inb(s, ctl);
        if (!(st & 0x80)) {
            return st;
        }
        if (i > 1000) {
            g_usleep(100);
        }
    }
    g_assert_not_reached();
}

static void set_lba28(QTestState *s, uint16_t p, uint32_t lba, uint8_t count)
{
    qtest_outb(s, p + 6, 0xe0 | ((lba >> 24) & 0xf));
    qtest_outb(s, p + 2, count);
    qtest_outb(s, p + 3, lba);
    qtest_outb(s, p + 4, lba >> 8);
    qtest_outb(s, p + 5, lba >> 16);
}

static void set_lba48(QTestState *s, uint16_t p, uint64_t lba, uint16_t count)
{
    qtest_outb(s, p + 6, 0x40);
    qtest_outb(s, p + 2, count >> 8);
    qtest_outb(s, p + 3, lba >> 24);
    qtest_outb(s, p + 4, lba >> 32);
    qtest_outb(s, p + 5, lba >> 40);
    qtest_outb(s, p + 2, count);
    qtest_outb(s, p + 3, lba);
    qtest_outb(s, p + 4, lba >> 8);
    qtest_outb(s, p + 5, lba >> 16);
}

static void read_words(QTestState *s, uint16_t p, uint8_t *buf, int nbytes)
{
    for (int i = 0; i < nbytes; i += 2) {
        uint16_t w = qtest_inw(s, p);
        buf[i] = w;
        buf[i + 1] = w >> 8;
    }
}

static void test_pci_ids(void)
{
    QTestState *s = start(NULL);
    g_assert_cmphex(cfg_readl(s, IDE_BDF, PCI_VENDOR_ID), ==, 0x70108086);
    g_assert_cmphex(cfg_readw(s, IDE_BDF, PCI_CLASS_DEVICE), ==, 0x0101);
    g_assert_cmphex(cfg_readb(s, IDE_BDF, PCI_CLASS_PROG), ==, 0x80);
    /* BAR4 is a 16-byte I/O BAR (SFF-8038i §2). */
    g_assert_cmphex(cfg_size_bar(s, IDE_BDF, 0x20), ==, 0xfffffff1);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_identify(void)
{
    QTestState *s = start(NULL);
    uint8_t id[512];

    /* Power-on signature of an ATA device (§9.12) */
    g_assert_cmphex(qtest_inb(s, P0 + 2), ==, 1);
    g_assert_cmphex(qtest_inb(s, P0 + 4), ==, 0);
    qtest_outb(s, P0 + 6, 0xa0);
    qtest_outb(s, P0 + 7, 0xec);
    g_assert_true(qtest_get_irq(s, 14));
    uint8_t st = wait_not_busy(s, C0);
    g_assert_cmphex(st & 0xc9, ==, 0x48);           /* DRDY DRQ, no ERR */
    g_assert_cmphex(qtest_inb(s, P0 + 7) & 0x08, ==, 0x08);
    g_assert_false(qtest_get_irq(s, 14));           /* status read clears INTRQ */
    read_words(s, P0, id, 512);
    g_assert_cmphex(qtest_inb(s, P0 + 7) & 0x89, ==, 0);
    uint16_t *w = (uint16_t *)id;
    g_assert_cmphex(w[0], ==, 0x0040);
    g_assert_true(w[49] & (1 << 9));                /* LBA */
    g_assert_true(w[49] & (1 << 8));                /* DMA */
    g_assert_true(w[83] & (1 << 10));               /* LBA48 */
    g_assert_cmphex(w[60] | (uint32_t)w[61] << 16, ==, 0x0fffffff);
    uint64_t lba48 = w[100] | (uint64_t)w[101] << 16 | (uint64_t)w[102] << 32 |
                     (uint64_t)w[103] << 48;
    g_assert_cmpuint(lba48, ==, DISK_SECTORS);
    /* Model string, byte-swapped per word (§8.15.10) */
    char model[41];
    for (int i = 0; i < 20; i++) {
        model[2 * i] = id[54 + 2 * i + 1];
        model[2 * i + 1] = id[54 + 2 * i];
    }
    model[40] = 0;
    g_assert_true(g_str_has_prefix(model, "EMU HARDDISK "));
    g_assert_true(w[63] & 7);                       /* MWDMA modes */
    g_assert_true(w[82] & (1 << 5));                /* write cache */
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_pio_read_write(void)
{
    QTestState *s = start(NULL);
    uint8_t buf[4096], expect[4096];

    /* READ SECTORS 5..7: one DRQ block per sector (§8.27) */
    set_lba28(s, P0, 5, 3);
    qtest_outb(s, P0 + 7, 0x20);
    for (int i = 0; i < 3; i++) {
        uint8_t st = wait_not_busy(s, C0);
        g_assert_cmphex(st & 0x89, ==, 0x08);
        read_words(s, P0, buf + i * 512, 512);
    }
    g_assert_cmphex(wait_not_busy(s, C0) & 0x89, ==, 0);
    disk_expect(5, buf, 1536);

    /* WRITE SECTORS 40..41 */
    for (int i = 0; i < 1024; i++) {
        expect[i] = i * 31 + 7;
    }
    set_lba28(s, P0, 40, 2);
    qtest_outb(s, P0 + 7, 0x30);
    for (int i = 0; i < 2; i++) {
        uint8_t st = wait_not_busy(s, C0);
        g_assert_cmphex(st & 0x89, ==, 0x08);
        for (int j = 0; j < 512; j += 2) {
            qtest_outw(s, P0, expect[i * 512 + j] | expect[i * 512 + j + 1] << 8);
        }
    }
    g_assert_cmphex(wait_not_busy(s, C0) & 0x89, ==, 0);
    qtest_outb(s, P0 + 7, 0xe7);                    /* FLUSH CACHE */
    g_assert_cmphex(wait_not_busy(s, C0) & 0x41, ==, 0x40);
    disk_expect(40, expect, 1024);

    /* SET MULTIPLE 4, WRITE MULTIPLE 8 sectors (2 DRQ blocks) with 32-bit PIO,
     * READ MULTIPLE them back */
    qtest_outb(s, P0 + 2, 4);
    qtest_outb(s, P0 + 7, 0xc6);
    g_assert_cmphex(wait_not_busy(s, C0) & 0x41, ==, 0x40);
    for (int i = 0; i < 4096; i++) {
        expect[i] = i * 17 + (i >> 9);
    }
    set_lba28(s, P0, 48, 8);
    qtest_outb(s, P0 + 7, 0xc5);
    for (int blk = 0; blk < 2; blk++) {
        g_assert_cmphex(wait_not_busy(s, C0) & 0x89, ==, 0x08);
        for (int j = 0; j < 2048; j += 4) {
            uint8_t *q = expect + blk * 2048 + j;
            qtest_outl(s, P0, q[0] | q[1] << 8 | q[2] << 16 | (uint32_t)q[3] << 24);
        }
    }
    g_assert_cmphex(wait_not_busy(s, C0) & 0x89, ==, 0);
    disk_expect(48, expect, 4096);
    set_lba28(s, P0, 48, 8);
    qtest_outb(s, P0 + 7, 0xc4);
    for (int blk = 0; blk < 2; blk++) {
        g_assert_cmphex(wait_not_busy(s, C0) & 0x89, ==, 0x08);
        read_words(s, P0, buf + blk * 2048, 2048);
    }
    g_assert_cmpmem(buf, 4096, expect, 4096);

    /* LBA48: READ SECTORS EXT past 2^28 */
    set_lba48(s, P0, (1ull << 28) + 5, 1);
    qtest_outb(s, P0 + 7, 0x24);
    g_assert_cmphex(wait_not_busy(s, C0) & 0x89, ==, 0x08);
    read_words(s, P0, buf, 512);
    g_assert_cmpmem(buf, 6, "LBA48!", 6);
    g_assert_cmphex(buf[511], ==, 0xa5);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_errors(void)
{
    QTestState *s = start(NULL);

    /* IDNF: the range ends past the disk */
    set_lba48(s, P0, DISK_SECTORS - 1, 2);
    qtest_outb(s, P0 + 7, 0x24);
    g_assert_cmphex(wait_not_busy(s, C0) & 0x89, ==, 0x01);
    g_assert_cmphex(qtest_inb(s, P0 + 1), ==, 0x10);
    /* LBA28 beyond a 2^28-sector-limited address is fine here; ABRT for an
     * unknown opcode */
    qtest_outb(s, P0 + 7, 0x5c);
    g_assert_cmphex(wait_not_busy(s, C0) & 0x41, ==, 0x41);
    g_assert_cmphex(qtest_inb(s, P0 + 1), ==, 0x04);
    /* READ MULTIPLE with multiple mode disabled aborts */
    qtest_outb(s, P0 + 2, 0);
    qtest_outb(s, P0 + 7, 0xc6);
    wait_not_busy(s, C0);
    set_lba28(s, P0, 0, 1);
    qtest_outb(s, P0 + 7, 0xc4);
    g_assert_cmphex(wait_not_busy(s, C0) & 0x01, ==, 0x01);
    /* nIEN masks INTRQ */
    qtest_inb(s, P0 + 7);
    qtest_outb(s, C0, 0x02);
    qtest_outb(s, P0 + 7, 0xe5);
    wait_not_busy(s, C0);
    g_assert_false(qtest_get_irq(s, 14));
    g_assert_cmphex(qtest_inb(s, P0 + 2), ==, 0xff);    /* CHECK POWER MODE: active */
    qtest_outb(s, C0, 0x00);
    g_assert_true(qtest_get_irq(s, 14));
    /* SRST: signature and diagnostic code (§9.3) */
    qtest_outb(s, P0 + 4, 0x55);
    qtest_outb(s, C0, 0x04);
    g_assert_cmphex(qtest_inb(s, C0) & 0x80, ==, 0x80);
    qtest_outb(s, C0, 0x00);
    g_assert_cmphex(wait_not_busy(s, C0) & 0x40, ==, 0x40);
    g_assert_cmphex(qtest_inb(s, P0 + 1), ==, 0x01);
    g_assert_cmphex(qtest_inb(s, P0 + 2), ==, 0x01);
    g_assert_cmphex(qtest_inb(s, P0 + 3), ==, 0x01);
    g_assert_cmphex(qtest_inb(s, P0 + 4), ==, 0x00);
    g_assert_cmphex(qtest_inb(s, P0 + 5), ==, 0x00);
    /* Absent slave: status 0 */
    qtest_outb(s, P0 + 6, 0xb0);
    g_assert_cmphex(qtest_inb(s, P0 + 7), ==, 0x00);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void prd(QTestState *s, int idx, uint32_t addr, uint32_t count, bool eot)
{
    qtest_writel(s, PRD_TABLE + idx * 8, addr);
    qtest_writel(s, PRD_TABLE + idx * 8 + 4, (count & 0xffff) | (eot ? 0x80000000u : 0));
}

/* Run a DMA command; returns the BM status after the device finished. */
static uint8_t dma_cmd(QTestState *s, uint8_t cmd, bool to_mem)
{
    qtest_outl(s, BMDMA + 4, PRD_TABLE);
    qtest_outb(s, BMDMA + 2, 0x06);                 /* clear INT and ERR */
    qtest_outb(s, BMDMA, to_mem ? 0x08 : 0x00);
    qtest_outb(s, P0 + 7, cmd);
    qtest_outb(s, BMDMA, to_mem ? 0x09 : 0x01);
    for (int i = 0; i < 200000; i++) {
        uint8_t bm = qtest_inb(s, BMDMA + 2);
        uint8_t st = qtest_inb(s, C0);
        if ((bm & 0x04) || !(bm & 0x01) || !(st & 0x88)) {
            if (!(st & 0x80)) {
                bm = qtest_inb(s, BMDMA + 2);   /* after the device finished */
                qtest_outb(s, BMDMA, 0);
                return bm;
            }
        }
        if (i > 1000) {
            g_usleep(100);
        }
    }
    g_assert_not_reached();
}

static void test_dma(void)
{
    QTestState *s = start(NULL);
    uint8_t buf[4096], expect[4096];

    /* READ DMA of 8 sectors through 3 PRDs, one crossing 0x30000 */
    prd(s, 0, 0x20000, 512, false);
    prd(s, 1, 0x2ff00, 1024, false);
    prd(s, 2, 0x40000, 2560, true);
    set_lba28(s, P0, 20, 8);
    uint8_t bm = dma_cmd(s, 0xc8, true);
    g_assert_cmphex(bm & 0x07, ==, 0x04);           /* INT, not active, no error */
    g_assert_cmphex(qtest_inb(s, P0 + 7) & 0x89, ==, 0);
    qtest_memread(s, 0x20000, buf, 512);
    qtest_memread(s, 0x2ff00, buf + 512, 1024);
    qtest_memread(s, 0x40000, buf + 1536, 2560);
    disk_expect(20, buf, 4096);

    /* WRITE DMA EXT of 4 sectors past the LBA28 limit, 2 PRDs */
    for (int i = 0; i < 2048; i++) {
        expect[i] = i * 3 + 11;
    }
    qtest_memwrite(s, 0x50000, expect, 1024);
    qtest_memwrite(s, 0x60000, expect + 1024, 1024);
    prd(s, 0, 0x50000, 1024, false);
    prd(s, 1, 0x60000, 1024, true);
    set_lba48(s, P0, (1ull << 28) + 20, 4);
    bm = dma_cmd(s, 0x35, false);
    g_assert_cmphex(bm & 0x07, ==, 0x04);
    disk_expect((1ull << 28) + 20, expect, 2048);

    /* Long PRD table: interrupt with Active still set (SFF-8038i §3.1.2) */
    prd(s, 0, 0x20000, 8192, true);
    set_lba28(s, P0, 1, 1);
    bm = dma_cmd(s, 0xc8, true);
    g_assert_cmphex(bm & 0x07, ==, 0x05);
    /* Short PRD table: no interrupt, not active */
    prd(s, 0, 0x20000, 512, true);
    set_lba28(s, P0, 1, 2);
    bm = dma_cmd(s, 0xc8, true);
    g_assert_cmphex(bm & 0x07, ==, 0x00);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/*
 * The same DMA transfers in every cache mode, through the paths they take:
 * buffered reads (writeback, writethrough, unsafe) finish on the spot from the
 * host page cache, cache=none goes to a worker with O_DIRECT, writethrough
 * writes are flushed on a worker. The file (read with pread) is the oracle for
 * data; SFF-8038i §3.1.2 for the status (Interrupt set, Active clear) and ATA
 * for INTRQ (asserted at completion, cleared by reading Status).
 */
static void test_dma_cache_modes(void)
{
    static const char *const modes[] = { "writeback", "none", "writethrough", "unsafe" };
    uint8_t data[8192], buf[8192], zero[4096] = { 0 }, sec[512];

    for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        QTestState *s = qtest_initf("-machine pc -nodefaults -m 64M "
                                    "-drive file=%s,if=ide,index=0,format=raw,cache=%s",
                                    disk_path, modes[m]);
        uint32_t lba = 100 + m * 32;
        cfg_writel(s, IDE_BDF, 0x20, BMDMA | 1);
        cfg_writew(s, IDE_BDF, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
        qtest_irq_intercept_in(s, "/machine/gsi");

        /* WRITE DMA: 16 sectors from one PRD. */
        for (size_t i = 0; i < sizeof(data); i++) {
            data[i] = i * 7 + m * 13 + 1;
        }
        qtest_memwrite(s, 0x30000, data, sizeof(data));
        prd(s, 0, 0x30000, sizeof(data), true);
        set_lba28(s, P0, lba, 16);
        uint8_t bm = dma_cmd(s, 0xca, false);
        g_assert_cmphex(bm & 0x07, ==, 0x04);
        g_assert_true(qtest_get_irq(s, 14));
        g_assert_cmphex(qtest_inb(s, P0 + 7) & 0x89, ==, 0);
        g_assert_false(qtest_get_irq(s, 14));
        disk_expect(lba, data, sizeof(data));

        /* READ DMA of the same sectors into other memory, two PRDs. */
        qtest_memwrite(s, 0x40000, zero, sizeof(zero));
        qtest_memwrite(s, 0x50000, zero, sizeof(zero));
        prd(s, 0, 0x40000, 4096, false);
        prd(s, 1, 0x50000, 4096, true);
        set_lba28(s, P0, lba, 16);
        bm = dma_cmd(s, 0xc8, true);
        g_assert_cmphex(bm & 0x07, ==, 0x04);
        g_assert_true(qtest_get_irq(s, 14));
        g_assert_cmphex(qtest_inb(s, P0 + 7) & 0x89, ==, 0);
        qtest_memread(s, 0x40000, buf, 4096);
        qtest_memread(s, 0x50000, buf + 4096, 4096);
        g_assert_cmpmem(buf, sizeof(buf), data, sizeof(data));

        /* PIO: WRITE SECTORS of 2, READ SECTORS back (on the spot or on a worker) */
        for (int i = 0; i < 1024; i++) {
            data[i] = i * 5 + m * 29 + 3;
        }
        set_lba28(s, P0, lba + 20, 2);
        qtest_outb(s, P0 + 7, 0x30);
        for (int i = 0; i < 2; i++) {
            g_assert_cmphex(wait_not_busy(s, C0) & 0x89, ==, 0x08);
            for (int j = 0; j < 512; j += 2) {
                qtest_outw(s, P0, data[i * 512 + j] | data[i * 512 + j + 1] << 8);
            }
        }
        g_assert_cmphex(wait_not_busy(s, C0) & 0x89, ==, 0);
        disk_expect(lba + 20, data, 1024);
        memset(sec, 0x96 ^ (int)m, sizeof(sec));
        g_assert_cmpint(pwrite(disk_fd, sec, sizeof(sec), (off_t)(lba + 21) * 512), ==, 512);
        memcpy(data + 512, sec, 512);
        set_lba28(s, P0, lba + 20, 2);
        qtest_outb(s, P0 + 7, 0x20);
        for (int i = 0; i < 2; i++) {
            g_assert_cmphex(wait_not_busy(s, C0) & 0x89, ==, 0x08);
            read_words(s, P0, buf + i * 512, 512);
        }
        g_assert_cmphex(wait_not_busy(s, C0) & 0x89, ==, 0);
        g_assert_cmpmem(buf, 1024, data, 1024);

        /* The file changed behind emu's back: a read sees the new bytes. */
        memset(sec, 0xc3 ^ (int)m, sizeof(sec));
        g_assert_cmpint(pwrite(disk_fd, sec, sizeof(sec), (off_t)(lba + 3) * 512), ==, 512);
        prd(s, 0, 0x40000, 512, true);
        set_lba28(s, P0, lba + 3, 1);
        bm = dma_cmd(s, 0xc8, true);
        g_assert_cmphex(bm & 0x07, ==, 0x04);
        qtest_memread(s, 0x40000, buf, 512);
        g_assert_cmpmem(buf, 512, sec, 512);

        /* A read across the end of the disk: IDNF, nothing transferred. */
        qtest_memwrite(s, 0x40000, zero, 512);
        prd(s, 0, 0x40000, 1024, true);
        set_lba48(s, P0, DISK_SECTORS - 1, 2);
        dma_cmd(s, 0x25, true);
        uint8_t st = qtest_inb(s, P0 + 7);
        g_assert_cmphex(st & 0x01, ==, 0x01);
        g_assert_cmphex(qtest_inb(s, P0 + 1) & 0x10, ==, 0x10);
        g_assert_cmpint(qtest_quit(s), ==, 0);
    }
}

static void test_dma_hostile(void)
{
    QTestState *s = start(NULL);

    /* A region outside RAM (the PCI hole): Error set, emu survives */
    prd(s, 0, 0xe0000000u, 4096, true);
    set_lba28(s, P0, 0, 8);
    uint8_t bm = dma_cmd(s, 0xc8, true);
    g_assert_cmphex(bm & 0x02, ==, 0x02);
    /* The PRD table itself outside RAM */
    qtest_outl(s, BMDMA + 4, 0xe0000000u);
    qtest_outb(s, BMDMA + 2, 0x06);
    set_lba28(s, P0, 0, 1);
    qtest_outb(s, BMDMA, 0x08);
    qtest_outb(s, P0 + 7, 0xc8);
    qtest_outb(s, BMDMA, 0x09);
    wait_not_busy(s, C0);
    qtest_outb(s, BMDMA, 0);
    /* Endless table: 8192 2-byte entries, no EOT, 65536-sector transfer */
    for (int i = 0; i < 8192; i++) {
        prd(s, i, 0x70000, 2, false);
    }
    set_lba48(s, P0, 0, 0);
    bm = dma_cmd(s, 0x25, true);
    g_assert_cmphex(bm & 0x05, ==, 0x00);           /* short: neither INT nor Active */
    /* Zero counts mean 64 KiB; 16 of them cover 2048 sectors, none has EOT */
    for (int i = 0; i < 16; i++) {
        prd(s, i, 0x100000, 0, false);
    }
    set_lba28(s, P0, 0, 0);                         /* 256 sectors = 128 KiB */
    bm = dma_cmd(s, 0xc8, true);
    g_assert_cmphex(bm & 0x05, ==, 0x05);           /* long table */
    /* A write from RAM that vanishes mid-way; stop during a transfer */
    prd(s, 0, 0x3fff000, 0x8000, true);
    set_lba28(s, P0, 60, 64);
    bm = dma_cmd(s, 0xca, false);
    g_assert_cmphex(bm & 0x02, ==, 0x02);
    set_lba48(s, P0, 0, 0);
    prd(s, 0, 0x100000, 0, true);
    qtest_outl(s, BMDMA + 4, PRD_TABLE);
    qtest_outb(s, BMDMA, 0x08);
    qtest_outb(s, P0 + 7, 0x25);
    qtest_outb(s, BMDMA, 0x09);
    qtest_outb(s, BMDMA, 0x08);
    /* The device answers commands again */
    qtest_outb(s, C0, 0x04);
    qtest_outb(s, C0, 0x00);
    wait_not_busy(s, C0);
    qtest_outb(s, P0 + 6, 0xa0);
    qtest_outb(s, P0 + 7, 0xe5);
    g_assert_cmphex(wait_not_busy(s, C0) & 0x41, ==, 0x40);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- bus-master DMA straight to guest RAM (no bounce buffer) ---- */

typedef struct {
    uint32_t addr, len;     /* len 0x10000 goes in the PRD as 0 */
} Region;

#define GUARD 16            /* bytes checked untouched on each side of a region */

/* Write a PRD table for @r[0..n), EOT on the last; returns the total bytes. */
static uint32_t prd_table(QTestState *s, const Region *r, int n)
{
    uint32_t total = 0;
    for (int i = 0; i < n; i++) {
        prd(s, i, r[i].addr, r[i].len, i == n - 1);
        total += r[i].len;
    }
    return total;
}

static void fill_pattern(uint8_t *buf, size_t len, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = x >> 16;
    }
}

/* The regions' bytes in guest RAM, in PRD order; guards must still be 0xee. */
static void regions_read(QTestState *s, const Region *r, int n, uint8_t *out)
{
    uint8_t g[2][GUARD], ee[GUARD];
    memset(ee, 0xee, sizeof(ee));
    for (int i = 0; i < n; i++) {
        qtest_bufread(s, r[i].addr, out, r[i].len);
        out += r[i].len;
        qtest_memread(s, r[i].addr - GUARD, g[0], GUARD);
        qtest_memread(s, r[i].addr + r[i].len, g[1], GUARD);
        g_assert_cmpmem(g[0], GUARD, ee, GUARD);
        g_assert_cmpmem(g[1], GUARD, ee, GUARD);
    }
}

static void regions_write(QTestState *s, const Region *r, int n, const uint8_t *in)
{
    for (int i = 0; i < n; i++) {
        qtest_memset(s, r[i].addr - GUARD, 0xee, r[i].len + 2 * GUARD);
        if (in) {
            qtest_bufwrite(s, r[i].addr, in, r[i].len);
            in += r[i].len;
        }
    }
}

/*
 * The most a table holds, 8192 entries of 2 bytes, as one 16 KiB transfer:
 * more iovecs than one preadv/pwritev takes (IOV_MAX), and none aligned for
 * O_DIRECT. Written and read back against the file.
 */
static void dma_tiny_regions(QTestState *s, uint64_t lba, uint32_t seed)
{
    const uint32_t base = 0x800000, n = 8192;
    g_autofree uint8_t *data = g_malloc(2 * n);
    g_autofree uint8_t *area = g_malloc(4 * n);
    g_autofree uint8_t *want = g_malloc(4 * n);

    for (uint32_t i = 0; i < n; i++) {
        prd(s, i, base + i * 4, 2, i == n - 1);
    }
    fill_pattern(data, 2 * n, seed);
    memset(area, 0xee, 4 * n);
    for (uint32_t i = 0; i < n; i++) {
        memcpy(area + i * 4, data + i * 2, 2);
    }
    qtest_bufwrite(s, base, area, 4 * n);
    set_lba48(s, P0, lba, 2 * n / 512);
    g_assert_cmphex(dma_cmd(s, 0x35, false) & 0x07, ==, 0x04);
    g_assert_cmphex(qtest_inb(s, P0 + 7) & 0x89, ==, 0);
    disk_expect(lba, data, 2 * n);

    fill_pattern(data, 2 * n, seed + 1);
    g_assert_cmpint(pwrite(disk_fd, data, 2 * n, lba * 512), ==, (ssize_t)(2 * n));
    qtest_memset(s, base, 0xee, 4 * n);
    set_lba48(s, P0, lba, 2 * n / 512);
    g_assert_cmphex(dma_cmd(s, 0x25, true) & 0x07, ==, 0x04);
    g_assert_cmphex(qtest_inb(s, P0 + 7) & 0x89, ==, 0);
    memset(want, 0xee, 4 * n);
    for (uint32_t i = 0; i < n; i++) {
        memcpy(want + i * 4, data + i * 2, 2);
    }
    qtest_bufread(s, base, area, 4 * n);
    g_assert_cmpmem(area, 4 * n, want, 4 * n);
}

/*
 * One transfer scattered over non-contiguous guest regions of odd but legal
 * sizes (even byte counts, 2 bytes up to 64 KiB, addresses off 512-byte
 * alignment, a region across a page boundary), written and read back with
 * the image file (pread/pwrite by the test) as the oracle, in the buffered
 * and the O_DIRECT cache modes. The small table finishes on the spot from the
 * page cache when it can; the 2.5 MiB one is cut into several requests, with
 * the cuts inside PRD regions.
 */
static void test_dma_scatter(void)
{
    static const Region small[] = {
        { 0x200002, 2 }, { 0x210000, 510 }, { 0x220ffe, 1000 }, { 0x230010, 24 },
        { 0x240002, 4094 }, { 0x250000, 2 }, { 0x260000, 0x10000 },
    };
    Region big[41];
    for (int i = 0; i < 40; i++) {
        big[i] = (Region) { 0x400000 + i * 0x11000 + (i & 1) * 2, 65534 };
    }
    big[40] = (Region) { 0x300000, 80 };    /* 40 * 65534 + 80 = 5120 sectors */
    static const char *const modes[] = { "writeback", "none" };

    for (int m = 0; m < 2; m++) {
        QTestState *s = qtest_initf("-machine pc -nodefaults -m 64M "
                                    "-drive file=%s,if=ide,index=0,format=raw,cache=%s",
                                    disk_path, modes[m]);
        cfg_writel(s, IDE_BDF, 0x20, BMDMA | 1);
        cfg_writew(s, IDE_BDF, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
        for (int t = 0; t < 2; t++) {
            const Region *r = t ? big : small;
            int n = t ? 41 : 7;
            uint64_t lba = 20000 + t * 8192 + m * 16384;
            uint32_t total = 0;
            for (int i = 0; i < n; i++) {
                total += r[i].len;
            }
            g_assert_cmpint(total % 512, ==, 0);
            g_autofree uint8_t *data = g_malloc(total);
            g_autofree uint8_t *got = g_malloc(total);

            /* WRITE DMA EXT from the regions */
            fill_pattern(data, total, 1 + m * 2 + t);
            regions_write(s, r, n, data);
            g_assert_cmpint(prd_table(s, r, n), ==, total);
            set_lba48(s, P0, lba, total / 512);
            uint8_t bm = dma_cmd(s, 0x35, false);
            g_assert_cmphex(bm & 0x07, ==, 0x04);
            g_assert_cmphex(qtest_inb(s, P0 + 7) & 0x89, ==, 0);
            disk_expect(lba, data, total);

            /* READ DMA EXT into the regions of bytes the test put in the file */
            fill_pattern(data, total, 100 + m * 2 + t);
            g_assert_cmpint(pwrite(disk_fd, data, total, lba * 512), ==, (ssize_t)total);
            regions_write(s, r, n, NULL);
            prd_table(s, r, n);
            set_lba48(s, P0, lba, total / 512);
            bm = dma_cmd(s, 0x25, true);
            g_assert_cmphex(bm & 0x07, ==, 0x04);
            g_assert_cmphex(qtest_inb(s, P0 + 7) & 0x89, ==, 0);
            regions_read(s, r, n, got);
            g_assert_cmpmem(got, total, data, total);
        }
        dma_tiny_regions(s, 60000 + m * 64, 200 + m);
        g_assert_cmpint(qtest_quit(s), ==, 0);
    }
}

/*
 * PRD regions that are not plain RAM take the copying path and end as they
 * always did: a hole past the end of RAM is a master abort (Error, ATA
 * ABRT), with the RAM regions before it already filled on a read and nothing
 * written to the disk on a write; MMIO (the I/O APIC) is read like memory;
 * ROM is not written; with Bus Master Enable clear nothing moves at all.
 */
static void test_dma_not_ram(void)
{
    QTestState *s = start(NULL);
    uint8_t buf[1024], want[1024], rom[512], rom2[512];

    /* READ DMA: RAM, then past the 64 MiB of RAM */
    qtest_memset(s, 0x200000, 0xee, 512);
    prd(s, 0, 0x200000, 512, false);
    prd(s, 1, 0x8000000, 512, true);
    set_lba28(s, P0, 3, 2);
    uint8_t bm = dma_cmd(s, 0xc8, true);
    g_assert_cmphex(bm & 0x03, ==, 0x02);
    g_assert_cmphex(qtest_inb(s, P0 + 7) & 0x89, ==, 0x01);
    g_assert_cmphex(qtest_inb(s, P0 + 1), ==, 0x04);
    qtest_memread(s, 0x200000, buf, 512);
    disk_expect(3, buf, 512);

    /* WRITE DMA: the same table; the disk keeps its bytes */
    g_assert_cmpint(pread(disk_fd, want, 1024, 30 * 512), ==, 1024);
    qtest_memset(s, 0x200000, 0x3c, 512);
    set_lba28(s, P0, 30, 2);
    bm = dma_cmd(s, 0xca, false);
    g_assert_cmphex(bm & 0x03, ==, 0x02);
    g_assert_cmphex(qtest_inb(s, P0 + 7) & 0x89, ==, 0x01);
    disk_expect(30, want, 1024);

    /* WRITE DMA from RAM and the I/O APIC's registers */
    fill_pattern(want, 512, 7);
    qtest_memwrite(s, 0x200000, want, 512);
    qtest_memread(s, 0xfec00000, want + 512, 512);
    prd(s, 0, 0x200000, 512, false);
    prd(s, 1, 0xfec00000, 512, true);
    set_lba28(s, P0, 30, 2);
    bm = dma_cmd(s, 0xca, false);
    g_assert_cmphex(bm & 0x07, ==, 0x04);
    g_assert_cmphex(qtest_inb(s, P0 + 7) & 0x89, ==, 0);
    disk_expect(30, want, 1024);

    /* READ DMA into the BIOS ROM: the ROM stays as it was */
    qtest_memread(s, 0xffff0000u, rom, 512);
    prd(s, 0, 0xffff0000u, 512, true);
    set_lba28(s, P0, 3, 1);
    bm = dma_cmd(s, 0xc8, true);
    g_assert_cmphex(bm & 0x01, ==, 0x00);
    qtest_memread(s, 0xffff0000u, rom2, 512);
    g_assert_cmpmem(rom2, 512, rom, 512);

    /* Bus Master Enable clear: Error, and RAM is untouched */
    cfg_writew(s, IDE_BDF, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    qtest_memset(s, 0x200000, 0x55, 512);
    prd(s, 0, 0x200000, 512, true);
    set_lba28(s, P0, 3, 1);
    bm = dma_cmd(s, 0xc8, true);
    g_assert_cmphex(bm & 0x02, ==, 0x02);
    qtest_memread(s, 0x200000, buf, 512);
    memset(want, 0x55, 512);
    g_assert_cmpmem(buf, 512, want, 512);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/*
 * A 4 MiB READ DMA EXT with O_DIRECT (on a worker, 1 MiB per request) is
 * abandoned right after the engine starts: Start cleared (SFF-8038i §3.1.1),
 * SRST, a new command. Then the guest rewrites the buffer: no byte of the
 * abandoned transfer may land there later. Afterwards the drive works, and
 * emu exits cleanly (every mapping released).
 */
static void test_dma_cancel(void)
{
    const uint32_t base = 0x1000000, len = 4 << 20;
    const uint64_t lba = 40000;
    g_autofree uint8_t *data = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);

    fill_pattern(data, len, 55);
    g_assert_cmpint(pwrite(disk_fd, data, len, lba * 512), ==, (ssize_t)len);
    QTestState *s = qtest_initf("-machine pc -nodefaults -m 128M "
                                "-drive file=%s,if=ide,index=0,format=raw,cache=none",
                                disk_path);
    cfg_writel(s, IDE_BDF, 0x20, BMDMA | 1);
    cfg_writew(s, IDE_BDF, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    for (int i = 0; i < 64; i++) {
        prd(s, i, base + i * 0x10000, 0x10000, i == 63);
    }
    for (int it = 0; it < 9; it++) {
        qtest_memset(s, base, 0, len);
        qtest_outb(s, P0 + 6, 0x40);
        wait_not_busy(s, C0);
        set_lba48(s, P0, lba, len / 512);
        qtest_outl(s, BMDMA + 4, PRD_TABLE);
        qtest_outb(s, BMDMA + 2, 0x06);
        qtest_outb(s, BMDMA, 0x08);
        qtest_outb(s, P0 + 7, 0x25);
        qtest_outb(s, BMDMA, 0x09);
        switch (it % 3) {
        case 0:
            qtest_outb(s, BMDMA, 0x08);
            break;
        case 1:
            qtest_outb(s, C0, 0x04);
            qtest_outb(s, C0, 0x00);
            qtest_outb(s, BMDMA, 0x08);
            break;
        default:
            qtest_outb(s, P0 + 7, 0xe5);    /* CHECK POWER MODE */
            qtest_outb(s, BMDMA, 0x08);
            break;
        }
        wait_not_busy(s, C0);
        qtest_memset(s, base, 0x5a, len);
        g_usleep(30 * 1000);
        qtest_bufread(s, base, got, len);
        for (uint32_t j = 0; j < len; j++) {
            if (got[j] != 0x5a) {
                g_error("round %d: byte 0x%x of the buffer changed after the cancel", it, j);
            }
        }
    }
    /* The drive still reads correctly. */
    qtest_memset(s, base, 0, 4096);
    prd(s, 0, base, 4096, true);
    set_lba48(s, P0, lba + 8, 8);
    uint8_t bm = dma_cmd(s, 0x25, true);
    g_assert_cmphex(bm & 0x07, ==, 0x04);
    qtest_memread(s, base, got, 4096);
    g_assert_cmpmem(got, 4096, data + 4096, 4096);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- ATAPI ---- */

/* Send a PACKET command on the secondary channel; returns the final status. */
static uint8_t atapi_cmd(QTestState *s, const uint8_t *cdb, bool dma, uint16_t limit,
                         uint8_t *out, int *outlen, int *pieces)
{
    qtest_outb(s, P1 + 6, 0xa0);
    qtest_outb(s, P1 + 1, dma ? 1 : 0);
    qtest_outb(s, P1 + 4, limit);
    qtest_outb(s, P1 + 5, limit >> 8);
    if (dma) {
        qtest_outl(s, BMDMA + 8 + 4, PRD_TABLE);
        qtest_outb(s, BMDMA + 8 + 2, 0x06);
        qtest_outb(s, BMDMA + 8, 0x08);
    }
    qtest_outb(s, P1 + 7, 0xa0);
    uint8_t st = wait_not_busy(s, C1);
    g_assert_cmphex(st & 0x08, ==, 0x08);
    g_assert_cmphex(qtest_inb(s, P1 + 2) & 3, ==, 1);  /* CoD, to the device */
    for (int i = 0; i < 12; i += 2) {
        qtest_outw(s, P1, cdb[i] | cdb[i + 1] << 8);
    }
    if (dma) {
        qtest_outb(s, BMDMA + 8, 0x09);
    }
    int n = 0, np = 0;
    for (;;) {
        st = wait_not_busy(s, C1);
        if (!(st & 0x08) || dma) {
            if (dma && (st & 0x08)) {
                continue;
            }
            break;
        }
        g_assert_cmphex(qtest_inb(s, P1 + 2) & 3, ==, 2);  /* IO: to the host */
        int len = qtest_inb(s, P1 + 4) | qtest_inb(s, P1 + 5) << 8;
        g_assert_cmpint(len, <=, limit);
        for (int i = 0; i < len; i += 2) {
            uint16_t w = qtest_inw(s, P1);
            out[n + i] = w;
            out[n + i + 1] = w >> 8;
        }
        n += len;
        np++;
    }
    if (dma) {
        qtest_outb(s, BMDMA + 8, 0);
    }
    g_assert_cmphex(qtest_inb(s, P1 + 2) & 3, ==, 3);      /* command done */
    if (outlen) {
        *outlen = n;
    }
    if (pieces) {
        *pieces = np;
    }
    return qtest_inb(s, P1 + 7);
}

static void test_atapi(void)
{
    QTestState *s = start(NULL);
    uint8_t buf[16384], cdb[12] = { 0 };
    int n, pieces;

    /* ATAPI signature; IDENTIFY DEVICE aborts, IDENTIFY PACKET DEVICE works */
    g_assert_cmphex(qtest_inb(s, P1 + 4), ==, 0x14);
    g_assert_cmphex(qtest_inb(s, P1 + 5), ==, 0xeb);
    qtest_outb(s, P1 + 6, 0xa0);
    qtest_outb(s, P1 + 7, 0xec);
    g_assert_cmphex(wait_not_busy(s, C1) & 0x01, ==, 0x01);
    g_assert_cmphex(qtest_inb(s, P1 + 4), ==, 0x14);
    qtest_outb(s, P1 + 7, 0xa1);
    g_assert_cmphex(wait_not_busy(s, C1) & 0x08, ==, 0x08);
    read_words(s, P1, buf, 512);
    g_assert_cmphex(buf[1] & 0xdf, ==, 0x85);       /* ATAPI, CD-ROM (word 0) */

    /* The first command after power-on sees no unit attention here; TUR ok */
    cdb[0] = 0x00;
    g_assert_cmphex(atapi_cmd(s, cdb, false, 2048, buf, &n, NULL) & 0x01, ==, 0);

    /* INQUIRY */
    memset(cdb, 0, 12);
    cdb[0] = 0x12;
    cdb[4] = 36;
    g_assert_cmphex(atapi_cmd(s, cdb, false, 2048, buf, &n, NULL) & 0x01, ==, 0);
    g_assert_cmpint(n, ==, 36);
    g_assert_cmphex(buf[0], ==, 0x05);
    g_assert_cmphex(buf[1], ==, 0x80);

    /* READ CAPACITY */
    memset(cdb, 0, 12);
    cdb[0] = 0x25;
    g_assert_cmphex(atapi_cmd(s, cdb, false, 2048, buf, &n, NULL) & 0x01, ==, 0);
    g_assert_cmpint(n, ==, 8);
    g_assert_cmpuint((uint32_t)buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3], ==,
                     CD_SECTORS - 1);
    g_assert_cmpuint(buf[6] << 8 | buf[7], ==, 2048);

    /* READ(10) of sectors 3-6 with a 2048-byte limit: 4 DRQ pieces */
    memset(cdb, 0, 12);
    cdb[0] = 0x28;
    cdb[5] = 3;
    cdb[8] = 4;
    g_assert_cmphex(atapi_cmd(s, cdb, false, 2048, buf, &n, &pieces) & 0x01, ==, 0);
    g_assert_cmpint(n, ==, 8192);
    g_assert_cmpint(pieces, ==, 4);
    int fd = open(cd_path, O_RDONLY);
    uint8_t ref[8192];
    g_assert_cmpint(pread(fd, ref, 8192, 3 * 2048), ==, 8192);
    g_assert_cmpmem(buf, 8192, ref, 8192);

    /* READ(10) by DMA, sectors 10-11 */
    prd(s, 0, 0x30000, 4096, true);
    cdb[5] = 10;
    cdb[8] = 2;
    g_assert_cmphex(atapi_cmd(s, cdb, true, 0, buf, &n, NULL) & 0x01, ==, 0);
    g_assert_cmphex(qtest_inb(s, BMDMA + 10) & 0x07, ==, 0x04);
    qtest_memread(s, 0x30000, buf, 4096);
    g_assert_cmpint(pread(fd, ref, 4096, 10 * 2048), ==, 4096);
    g_assert_cmpmem(buf, 4096, ref, 4096);
    close(fd);

    /* READ(10) past the end: ILLEGAL REQUEST, LBA out of range */
    cdb[5] = CD_SECTORS - 1;
    cdb[8] = 2;
    g_assert_cmphex(atapi_cmd(s, cdb, false, 2048, buf, &n, NULL) & 0x01, ==, 0x01);
    g_assert_cmphex(qtest_inb(s, P1 + 1) >> 4, ==, 5);
    memset(cdb, 0, 12);
    cdb[0] = 0x03;
    cdb[4] = 18;
    atapi_cmd(s, cdb, false, 2048, buf, &n, NULL);
    g_assert_cmphex(buf[2], ==, 5);
    g_assert_cmphex(buf[12], ==, 0x21);

    /* READ TOC format 0: track 1 at 0, lead-out at the capacity */
    memset(cdb, 0, 12);
    cdb[0] = 0x43;
    cdb[8] = 0xff;
    g_assert_cmphex(atapi_cmd(s, cdb, false, 2048, buf, &n, NULL) & 0x01, ==, 0);
    g_assert_cmpint(n, ==, 20);
    g_assert_cmphex(buf[6], ==, 1);
    g_assert_cmphex(buf[14], ==, 0xaa);
    g_assert_cmpuint(buf[18] << 8 | buf[19], ==, CD_SECTORS);

    /* MODE SENSE(10) page 2A, GET CONFIGURATION, GESN */
    memset(cdb, 0, 12);
    cdb[0] = 0x5a;
    cdb[2] = 0x2a;
    cdb[8] = 0xff;
    g_assert_cmphex(atapi_cmd(s, cdb, false, 2048, buf, &n, NULL) & 0x01, ==, 0);
    g_assert_cmphex(buf[8], ==, 0x2a);
    memset(cdb, 0, 12);
    cdb[0] = 0x46;
    cdb[8] = 0xff;
    g_assert_cmphex(atapi_cmd(s, cdb, false, 2048, buf, &n, NULL) & 0x01, ==, 0);
    g_assert_cmpuint(buf[6] << 8 | buf[7], ==, 0x08);   /* CD-ROM profile */
    memset(cdb, 0, 12);
    cdb[0] = 0x4a;
    cdb[1] = 1;
    cdb[4] = 0x10;
    cdb[8] = 8;
    g_assert_cmphex(atapi_cmd(s, cdb, false, 2048, buf, &n, NULL) & 0x01, ==, 0);
    g_assert_cmphex(buf[5] & 2, ==, 2);             /* media present */

    /* Lock, eject refused; unlock, eject, TUR says no medium */
    memset(cdb, 0, 12);
    cdb[0] = 0x1e;
    cdb[4] = 1;
    atapi_cmd(s, cdb, false, 2048, buf, &n, NULL);
    memset(cdb, 0, 12);
    cdb[0] = 0x1b;
    cdb[4] = 2;
    g_assert_cmphex(atapi_cmd(s, cdb, false, 2048, buf, &n, NULL) & 0x01, ==, 0x01);
    memset(cdb, 0, 12);
    cdb[0] = 0x1e;
    atapi_cmd(s, cdb, false, 2048, buf, &n, NULL);
    memset(cdb, 0, 12);
    cdb[0] = 0x1b;
    cdb[4] = 2;
    g_assert_cmphex(atapi_cmd(s, cdb, false, 2048, buf, &n, NULL) & 0x01, ==, 0);
    memset(cdb, 0, 12);
    g_assert_cmphex(atapi_cmd(s, cdb, false, 2048, buf, &n, NULL) & 0x01, ==, 0x01);
    g_assert_cmphex(qtest_inb(s, P1 + 1) >> 4, ==, 2);

    /* Unknown opcode: ILLEGAL REQUEST */
    cdb[0] = 0xff;
    g_assert_cmphex(atapi_cmd(s, cdb, false, 2048, buf, &n, NULL) & 0x01, ==, 0x01);
    g_assert_cmphex(qtest_inb(s, P1 + 1) >> 4, ==, 5);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_atapi_no_medium(void)
{
    /* Without -nodefaults the pc gets QEMU's empty ide1-cd0. */
    QTestState *s = qtest_init("-machine pc -m 64M");
    uint8_t buf[64], cdb[12] = { 0 };

    cfg_writew(s, IDE_BDF, PCI_COMMAND, PCI_COMMAND_IO);
    g_assert_cmphex(qtest_inb(s, P1 + 4), ==, 0x14);
    g_assert_cmphex(atapi_cmd(s, cdb, false, 2048, buf, NULL, NULL) & 0x01, ==, 0x01);
    g_assert_cmphex(qtest_inb(s, P1 + 1) >> 4, ==, 2);  /* NOT READY */
    cdb[0] = 0x03;
    cdb[4] = 18;
    atapi_cmd(s, cdb, false, 2048, buf, NULL, NULL);
    g_assert_cmphex(buf[2], ==, 2);
    g_assert_cmphex(buf[12], ==, 0x3a);                 /* MEDIUM NOT PRESENT */
    /* No disk on the primary channel: the floating bus reads 0xff */
    g_assert_cmphex(qtest_inb(s, P0 + 7), ==, 0xff);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- removable media: the monitor's eject/change and the guest's tray ---- */

/* CHECK CONDITION's sense key and ASC after @cdb (REQUEST SENSE), or 0 if it passed. */
static int atapi_sense_of(QTestState *s, const uint8_t *cdb, uint8_t *buf, int *n)
{
    if (!(atapi_cmd(s, cdb, false, 2048, buf, n, NULL) & 0x01)) {
        return 0;
    }
    uint8_t rs[12] = { 0x03, 0, 0, 0, 18 };
    uint8_t sense[64];
    atapi_cmd(s, rs, false, 2048, sense, NULL, NULL);
    return sense[2] << 8 | sense[12];
}

static uint32_t atapi_capacity(QTestState *s)
{
    uint8_t cdb[12] = { 0x25 }, buf[64];
    g_assert_cmphex(atapi_cmd(s, cdb, false, 2048, buf, NULL, NULL) & 0x01, ==, 0);
    return (buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3]) + 1;
}

/* READ(10) of one sector: its first word is the sector number, then the disc's pattern. */
static int atapi_read1(QTestState *s, uint32_t lba, uint8_t *buf)
{
    uint8_t cdb[12] = { 0x28, 0, lba >> 24, lba >> 16, lba >> 8, lba, 0, 0, 1 };
    int n = 0;
    int r = atapi_sense_of(s, cdb, buf, &n);
    if (!r) {
        g_assert_cmpint(n, ==, 2048);
        int sec;
        memcpy(&sec, buf, sizeof(sec));
        g_assert_cmpint(sec, ==, lba);
    }
    return r;
}

static bool tray_event(QTestState *s, bool open)
{
    g_autoptr(JsonNode) ev = qtest_qmp_eventwait_ref(s, "DEVICE_TRAY_MOVED");
    JsonObject *data = json_object_get_object_member(json_node_get_object(ev), "data");
    g_assert_cmpstr(json_object_get_string_member(data, "device"), ==, "ide1-cd0");
    return json_object_get_boolean_member(data, "tray-open") == open;
}

static void test_atapi_change(void)
{
    QTestState *s = start(NULL);
    uint8_t buf[4096], tur[12] = { 0 };

    g_assert_cmpint(atapi_read1(s, 7, buf), ==, 0);
    g_assert_cmphex(buf[100], ==, (uint8_t)(7 * 3 + 100 * 5));
    g_assert_cmpuint(atapi_capacity(s), ==, CD_SECTORS);

    g_autofree char *cmd = g_strdup_printf("change ide1-cd0 %s raw", cd2_path);
    g_autofree char *out = hmp(s, cmd);
    g_assert_cmpstr(out, ==, "");
    g_assert_true(tray_event(s, true));
    g_assert_true(tray_event(s, false));

    /* MMC-3 §4.1.6: the first command after the change reports UNIT ATTENTION 28h. */
    g_assert_cmphex(atapi_sense_of(s, tur, buf, NULL), ==, 0x0628);
    g_assert_cmphex(atapi_sense_of(s, tur, buf, NULL), ==, 0);
    g_assert_cmpuint(atapi_capacity(s), ==, CD2_SECTORS);
    g_assert_cmpint(atapi_read1(s, 7, buf), ==, 0);
    g_assert_cmphex(buf[100], ==, 0x5a);
    /* Past the new, smaller disc: ILLEGAL REQUEST, LBA out of range. */
    g_assert_cmphex(atapi_read1(s, CD2_SECTORS + 3, buf), ==, 0x0521);

    g_autofree char *info = hmp(s, "info block ide1-cd0");
    g_assert_nonnull(strstr(info, cd2_path));
    g_assert_nonnull(strstr(info, "tray closed"));

    /* Bad requests: an error naming the problem, the old state kept. */
    g_autofree char *e1 = qtest_qmp_error(s, "{'execute': 'eject', 'arguments': {'device': 'ide0-hd0'}}");
    g_assert_nonnull(e1);
    g_assert_nonnull(strstr(e1, "not removable"));
    g_autofree char *e2 = qtest_qmp_error(s, "{'execute': 'eject', 'arguments': {'device': 'nope'}}");
    g_assert_nonnull(strstr(e2, "not found"));
    g_autofree char *e3 = qtest_qmp_error(s, "{'execute': 'blockdev-remove-medium', "
                                       "'arguments': {'device': 'ide1-cd0'}}");
    g_assert_nonnull(strstr(e3, "not open"));
    g_autofree char *e4 = qtest_qmp_error(s, "{'execute': 'blockdev-change-medium', 'arguments': "
                                       "{'device': 'ide1-cd0', 'filename': '/nonexistent/x.iso'}}");
    g_assert_nonnull(e4);
    g_assert_nonnull(strstr(e4, "/nonexistent/x.iso"));
    g_assert_true(tray_event(s, true));
    /* The failed change left the tray open and the drive empty (as QEMU). */
    g_assert_cmphex(atapi_sense_of(s, tur, buf, NULL), ==, 0x023a);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_atapi_eject_locked(void)
{
    QTestState *s = start(NULL);
    uint8_t buf[4096], tur[12] = { 0 };
    uint8_t lock[12] = { 0x1e, 0, 0, 0, 1 };
    uint8_t gesn[12] = { 0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8 };

    g_assert_cmphex(atapi_cmd(s, lock, false, 2048, buf, NULL, NULL) & 0x01, ==, 0);
    g_autofree char *e = qtest_qmp_error(s, "{'execute': 'eject', 'arguments': {'device': 'ide1-cd0'}}");
    g_assert_nonnull(e);
    g_assert_nonnull(strstr(e, "is locked"));
    /* The guest was asked to let go: GESN media class, event 1 (EjectRequest). */
    g_assert_cmphex(atapi_cmd(s, gesn, false, 2048, buf, NULL, NULL) & 0x01, ==, 0);
    g_assert_cmphex(buf[4] & 0x0f, ==, 1);
    g_assert_cmphex(buf[5], ==, 2);                     /* medium present, tray closed */
    g_assert_cmpint(atapi_read1(s, 1, buf), ==, 0);     /* still readable */

    /* -f opens anyway and takes the disc out. */
    g_autofree char *out = hmp(s, "eject -f ide1-cd0");
    g_assert_cmpstr(out, ==, "");
    g_assert_true(tray_event(s, true));
    g_assert_cmphex(atapi_sense_of(s, tur, buf, NULL), ==, 0x023a);
    g_assert_cmphex(atapi_cmd(s, gesn, false, 2048, buf, NULL, NULL) & 0x01, ==, 0);
    g_assert_cmphex(buf[5], ==, 1);                     /* no medium, tray open */
    g_autofree char *info = hmp(s, "info block ide1-cd0");
    g_assert_nonnull(strstr(info, "not inserted"));
    g_assert_nonnull(strstr(info, "tray open"));

    /* Closing an empty tray: still no medium, and no unit attention. */
    g_assert_null(qtest_qmp_error(s, "{'execute': 'blockdev-close-tray', "
                               "'arguments': {'device': 'ide1-cd0'}}"));
    g_assert_true(tray_event(s, false));
    g_assert_cmphex(atapi_sense_of(s, tur, buf, NULL), ==, 0x023a);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* The guest opens the tray (START STOP UNIT LoEj): the monitor sees it and may swap the disc. */
static void test_atapi_guest_tray(void)
{
    QTestState *s = start(NULL);
    uint8_t buf[4096], tur[12] = { 0 };
    uint8_t open[12] = { 0x1b, 0, 0, 0, 0x02 }, close[12] = { 0x1b, 0, 0, 0, 0x03 };

    g_assert_cmphex(atapi_cmd(s, open, false, 2048, buf, NULL, NULL) & 0x01, ==, 0);
    g_assert_true(tray_event(s, true));
    g_assert_cmphex(atapi_sense_of(s, tur, buf, NULL), ==, 0x023a);
    g_assert_null(qtest_qmp_error(s, "{'execute': 'blockdev-remove-medium', "
                               "'arguments': {'device': 'ide1-cd0'}}"));
    g_autofree char *ins = g_strdup_printf("{'execute': 'blockdev-change-medium', 'arguments': "
                                           "{'device': 'ide1-cd0', 'filename': '%s'}}",
                                           cd2_path);
    g_assert_null(qtest_qmp_error(s, ins));
    g_assert_true(tray_event(s, false));
    g_assert_cmphex(atapi_sense_of(s, tur, buf, NULL), ==, 0x0628);
    g_assert_cmpint(atapi_read1(s, 3, buf), ==, 0);
    g_assert_cmphex(buf[2047], ==, 0x5a);
    /* The guest opens and closes it again: same disc, no unit attention. */
    g_assert_cmphex(atapi_cmd(s, open, false, 2048, buf, NULL, NULL) & 0x01, ==, 0);
    g_assert_true(tray_event(s, true));
    g_assert_cmphex(atapi_cmd(s, close, false, 2048, buf, NULL, NULL) & 0x01, ==, 0);
    g_assert_true(tray_event(s, false));
    g_assert_cmpint(atapi_read1(s, 4, buf), ==, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- werror=/rerror=: host I/O errors ---- */

#define ERR_LIMIT   (1 << 20)           /* RLIMIT_FSIZE of emu: writes past 1 MiB fail */
#define ERR_LBA     4096                /* 2 MiB: past the limit */

/* PIO WRITE SECTORS of one sector of @fill at ERR_LBA on the primary channel's @unit. */
static void pio_write_start(QTestState *s, int unit, uint8_t fill)
{
    qtest_outb(s, P0 + 6, 0xe0 | unit << 4);
    wait_not_busy(s, C0);
    qtest_outb(s, P0 + 6, 0xe0 | unit << 4 | ((ERR_LBA >> 24) & 0xf));
    qtest_outb(s, P0 + 2, 1);
    qtest_outb(s, P0 + 3, ERR_LBA & 0xff);
    qtest_outb(s, P0 + 4, ERR_LBA >> 8);
    qtest_outb(s, P0 + 5, ERR_LBA >> 16);
    qtest_outb(s, P0 + 7, 0x30);
    g_assert_cmphex(wait_not_busy(s, C0) & 0x08, ==, 0x08);
    for (int i = 0; i < 256; i++) {
        qtest_outw(s, P0, fill | fill << 8);
    }
}

static JsonObject *io_error_event(QTestState *s, JsonNode **keep)
{
    *keep = qtest_qmp_eventwait_ref(s, "BLOCK_IO_ERROR");
    return json_object_get_object_member(json_node_get_object(*keep), "data");
}

/*
 * EFBIG from RLIMIT_FSIZE is a real host write error, with no root or special
 * filesystem: werror=stop stops the VM with the request kept, `cont` after the
 * limit is lifted completes it; werror=report gives the guest ABRT;
 * werror=ignore completes the command and writes nothing.
 */
static void test_werror(void)
{
    char paths[3][64];
    for (int i = 0; i < 3; i++) {
        snprintf(paths[i], sizeof(paths[i]), "/tmp/emu-ide-werr-XXXXXX");
        int fd = mkstemp(paths[i]);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(ftruncate(fd, 4 << 20), ==, 0);
        close(fd);
    }
    qtest_set_fsize_limit(ERR_LIMIT);
    QTestState *s = qtest_initf("-machine pc -nodefaults -m 64M "
                                "-drive file=%s,if=ide,index=0,format=raw,werror=stop "
                                "-drive file=%s,if=ide,index=1,format=raw,werror=report "
                                "-drive file=%s,if=ide,index=2,format=raw,werror=ignore",
                                paths[0], paths[1], paths[2]);
    JsonNode *keep;
    JsonObject *ev;

    /* report: ERR + ABRT, the VM runs on */
    pio_write_start(s, 1, 0x11);
    g_assert_cmphex(wait_not_busy(s, C0) & 0x01, ==, 0x01);
    g_assert_cmphex(qtest_inb(s, P0 + 1), ==, 0x04);
    ev = io_error_event(s, &keep);
    g_assert_cmpstr(json_object_get_string_member(ev, "device"), ==, "ide0-hd1");
    g_assert_cmpstr(json_object_get_string_member(ev, "operation"), ==, "write");
    g_assert_cmpstr(json_object_get_string_member(ev, "action"), ==, "report");
    json_node_unref(keep);
    g_assert_cmpstr(qtest_vm_status(s), ==, "running");

    /* stop: the VM stops with the drive BSY; the data is not on disk yet */
    pio_write_start(s, 0, 0x77);
    ev = io_error_event(s, &keep);
    g_assert_cmpstr(json_object_get_string_member(ev, "device"), ==, "ide0-hd0");
    g_assert_cmpstr(json_object_get_string_member(ev, "action"), ==, "stop");
    json_node_unref(keep);
    qtest_qmp_eventwait(s, "STOP");
    g_assert_cmpstr(qtest_vm_status(s), ==, "io-error");
    g_assert_cmphex(qtest_inb(s, C0) & 0x80, ==, 0x80);
    uint8_t sec[512], want[512];
    memset(want, 0x77, sizeof(want));
    int fd = open(paths[0], O_RDONLY);
    g_assert_cmpint(pread(fd, sec, 512, (off_t)ERR_LBA * 512), ==, 512);
    g_assert_cmphex(sec[0], ==, 0);
    /* The host makes room; cont retries the same request, which now lands. */
    struct rlimit lim = { RLIM_INFINITY, RLIM_INFINITY };
    g_assert_cmpint(prlimit(qtest_pid(s), RLIMIT_FSIZE, NULL, &lim), ==, 0);
    lim.rlim_cur = lim.rlim_max;
    g_assert_cmpint(prlimit(qtest_pid(s), RLIMIT_FSIZE, &lim, NULL), ==, 0);
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'cont'}");
    g_assert_nonnull(qtest_qmp_return(r));
    g_assert_cmphex(wait_not_busy(s, C0) & 0x01, ==, 0);
    g_assert_cmpstr(qtest_vm_status(s), ==, "running");
    g_assert_cmpint(pread(fd, sec, 512, (off_t)ERR_LBA * 512), ==, 512);
    g_assert_cmpmem(sec, 512, want, 512);
    close(fd);
    g_assert_cmpint(qtest_quit(s), ==, 0);

    /* ignore, in a fresh emu that has the limit again: success, nothing written */
    qtest_set_fsize_limit(ERR_LIMIT);
    s = qtest_initf("-machine pc -nodefaults -m 64M "
                    "-drive file=%s,if=ide,index=0,format=raw,werror=ignore", paths[2]);
    pio_write_start(s, 0, 0x33);
    g_assert_cmphex(wait_not_busy(s, C0) & 0x01, ==, 0);
    ev = io_error_event(s, &keep);
    g_assert_cmpstr(json_object_get_string_member(ev, "action"), ==, "ignore");
    json_node_unref(keep);
    fd = open(paths[2], O_RDONLY);
    g_assert_cmpint(pread(fd, sec, 512, (off_t)ERR_LBA * 512), ==, 512);
    g_assert_cmphex(sec[0], ==, 0);
    close(fd);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    for (int i = 0; i < 3; i++) {
        unlink(paths[i]);
    }
}

/*
 * werror=stop on a bus-master write from scattered guest RAM: the VM stops
 * with the command pending (Active, no Interrupt) and nothing on disk; `cont`
 * resubmits the same request, whose mapping of guest RAM was kept, and the
 * data lands as written by the guest.
 */
static void test_dma_werror(void)
{
    static const Region r[] = { { 0x200002, 2 }, { 0x210000, 1022 }, { 0x220ffe, 512 } };
    char path[64];
    snprintf(path, sizeof(path), "/tmp/emu-ide-dwerr-XXXXXX");
    int fd = mkstemp(path);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 4 << 20), ==, 0);
    qtest_set_fsize_limit(ERR_LIMIT);
    QTestState *s = qtest_initf("-machine pc -nodefaults -m 64M "
                                "-drive file=%s,if=ide,index=0,format=raw,werror=stop", path);
    cfg_writel(s, IDE_BDF, 0x20, BMDMA | 1);
    cfg_writew(s, IDE_BDF, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    uint8_t data[1536], got[1536];
    JsonNode *keep;

    fill_pattern(data, sizeof(data), 77);
    regions_write(s, r, 3, data);
    g_assert_cmpint(prd_table(s, r, 3), ==, sizeof(data));
    set_lba28(s, P0, ERR_LBA, 3);
    qtest_outl(s, BMDMA + 4, PRD_TABLE);
    qtest_outb(s, BMDMA + 2, 0x06);
    qtest_outb(s, BMDMA, 0x00);
    qtest_outb(s, P0 + 7, 0xca);
    qtest_outb(s, BMDMA, 0x01);
    JsonObject *ev = io_error_event(s, &keep);
    g_assert_cmpstr(json_object_get_string_member(ev, "action"), ==, "stop");
    json_node_unref(keep);
    qtest_qmp_eventwait(s, "STOP");
    g_assert_cmphex(qtest_inb(s, BMDMA + 2) & 0x07, ==, 0x01);
    g_assert_cmpint(pread(fd, got, sizeof(got), (off_t)ERR_LBA * 512), ==, sizeof(got));
    g_assert_cmphex(got[0] | got[1535], ==, 0);

    struct rlimit lim = { RLIM_INFINITY, RLIM_INFINITY };
    g_assert_cmpint(prlimit(qtest_pid(s), RLIMIT_FSIZE, NULL, &lim), ==, 0);
    lim.rlim_cur = lim.rlim_max;
    g_assert_cmpint(prlimit(qtest_pid(s), RLIMIT_FSIZE, &lim, NULL), ==, 0);
    g_autoptr(JsonNode) rep = qtest_qmp(s, "{'execute': 'cont'}");
    g_assert_nonnull(qtest_qmp_return(rep));
    for (int i = 0; !(qtest_inb(s, BMDMA + 2) & 0x04); i++) {
        g_assert_cmpint(i, <, 100000);
        g_usleep(100);
    }
    g_assert_cmphex(qtest_inb(s, BMDMA + 2) & 0x07, ==, 0x04);
    g_assert_cmphex(qtest_inb(s, P0 + 7) & 0x89, ==, 0);
    g_assert_cmpint(pread(fd, got, sizeof(got), (off_t)ERR_LBA * 512), ==, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), data, sizeof(data));
    qtest_outb(s, BMDMA, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    close(fd);
    unlink(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    make_images();
    g_test_add_func("/ide/pci-ids", test_pci_ids);
    g_test_add_func("/ide/ata/identify", test_identify);
    g_test_add_func("/ide/ata/pio", test_pio_read_write);
    g_test_add_func("/ide/ata/errors", test_errors);
    g_test_add_func("/ide/bmdma/prd", test_dma);
    g_test_add_func("/ide/bmdma/hostile", test_dma_hostile);
    g_test_add_func("/ide/bmdma/cache-modes", test_dma_cache_modes);
    g_test_add_func("/ide/bmdma/scatter", test_dma_scatter);
    g_test_add_func("/ide/bmdma/not-ram", test_dma_not_ram);
    g_test_add_func("/ide/bmdma/cancel", test_dma_cancel);
    g_test_add_func("/ide/atapi/commands", test_atapi);
    g_test_add_func("/ide/atapi/no-medium", test_atapi_no_medium);
    g_test_add_func("/ide/atapi/change", test_atapi_change);
    g_test_add_func("/ide/atapi/eject-locked", test_atapi_eject_locked);
    g_test_add_func("/ide/atapi/guest-tray", test_atapi_guest_tray);
    g_test_add_func("/ide/ata/werror", test_werror);
    g_test_add_func("/ide/bmdma/werror", test_dma_werror);
    int ret = g_test_run();
    close(disk_fd);
    unlink(disk_path);
    unlink(cd_path);
    unlink(cd2_path);
    return ret;
}
