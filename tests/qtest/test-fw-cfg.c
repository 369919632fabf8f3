/*
 * fw_cfg on -machine pc, as QEMU's docs/specs/fw_cfg.rst defines it: the
 * selector/data ports (0x510/0x511), the DMA interface (0x514), the file
 * directory, and the items SeaBIOS reads from QEMU's pc (RAM size, CPU
 * counts, etc/e820). Malformed DMA requests must answer with the error bit.
 */
#include "libqtest.h"

#include <string.h>

#define FW_CFG_CTL 0x510
#define FW_CFG_DATA 0x511
#define FW_CFG_DMA 0x514

#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID 0x01
#define FW_CFG_RAM_SIZE 0x03
#define FW_CFG_NOGRAPHIC 0x04
#define FW_CFG_NB_CPUS 0x05
#define FW_CFG_MAX_CPUS 0x0f
#define FW_CFG_FILE_DIR 0x19
#define FW_CFG_IRQ0_OVERRIDE 0x8002

#define DMA_ERROR 0x01
#define DMA_READ 0x02
#define DMA_SKIP 0x04
#define DMA_SELECT 0x08
#define DMA_WRITE 0x10

/* Guest RAM used by the DMA tests (the machine has 128 MiB). */
#define DESC 0x200000
#define BUF 0x201000

static void fw_select(QTestState *s, uint16_t key)
{
    qtest_outw(s, FW_CFG_CTL, key);
}

static void fw_read(QTestState *s, void *buf, size_t len)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < len; i++) {
        p[i] = qtest_inb(s, FW_CFG_DATA);
    }
}

static uint64_t fw_read_int(QTestState *s, uint16_t key, size_t width)
{
    uint8_t b[8] = { 0 };
    uint64_t v = 0;
    fw_select(s, key);
    fw_read(s, b, width);
    for (size_t i = 0; i < width; i++) {
        v |= (uint64_t)b[i] << (8 * i);
    }
    return v;
}

/* The key and size of file @name from FW_CFG_FILE_DIR, or -1. */
static int fw_find_file(QTestState *s, const char *name, uint32_t *size)
{
    uint8_t be[4];
    fw_select(s, FW_CFG_FILE_DIR);
    fw_read(s, be, 4);
    uint32_t count = (uint32_t)be[0] << 24 | be[1] << 16 | be[2] << 8 | be[3];
    g_assert_cmpuint(count, <, 0x4000);
    int found = -1;
    for (uint32_t i = 0; i < count; i++) {
        uint8_t e[64];
        fw_read(s, e, sizeof(e));
        if (!strncmp((const char *)e + 8, name, 56) && found < 0) {
            found = e[4] << 8 | e[5];
            if (size) {
                *size = (uint32_t)e[0] << 24 | e[1] << 16 | e[2] << 8 | e[3];
            }
        }
    }
    return found;
}

/* Read file @name through the data port (g_free). */
static uint8_t *fw_read_file(QTestState *s, const char *name, uint32_t *size)
{
    int key = fw_find_file(s, name, size);
    g_assert_cmpint(key, >=, 0x20);
    uint8_t *data = g_malloc0(*size + 1);
    fw_select(s, key);
    fw_read(s, data, *size);
    return data;
}

/* Start the FWCfgDmaAccess at @desc the way firmware does: two BE halves. */
static void dma_kick(QTestState *s, uint64_t desc)
{
    qtest_outl(s, FW_CFG_DMA, GUINT32_SWAP_LE_BE((uint32_t)(desc >> 32)));
    qtest_outl(s, FW_CFG_DMA + 4, GUINT32_SWAP_LE_BE((uint32_t)desc));
}

/* Run one DMA request; returns the control word the device wrote back. */
static uint32_t dma_run(QTestState *s, uint64_t desc, uint32_t control, uint32_t length,
                        uint64_t address)
{
    struct {
        uint32_t control, length;
        uint64_t address;
    } __attribute__((packed)) d = {
        GUINT32_TO_BE(control), GUINT32_TO_BE(length), GUINT64_TO_BE(address),
    };
    qtest_memwrite(s, desc, &d, sizeof(d));
    dma_kick(s, desc);
    uint32_t be;
    qtest_memread(s, desc, &be, 4);
    return GUINT32_FROM_BE(be);
}

static void test_signature_and_id(void)
{
    QTestState *s = qtest_init("-machine pc -m 128M");
    char sig[8];

    /* After reset the signature is selected. */
    sig[0] = qtest_inb(s, FW_CFG_DATA);
    g_assert_cmpint(sig[0], ==, 'Q');
    fw_select(s, FW_CFG_SIGNATURE);
    fw_read(s, sig, 4);
    g_assert_cmpmem(sig, 4, "QEMU", 4);
    /* Past the end of the item: zeros. */
    g_assert_cmphex(qtest_inb(s, FW_CFG_DATA), ==, 0);
    g_assert_cmphex(qtest_inb(s, FW_CFG_DATA), ==, 0);
    /* Reselecting starts again at offset 0; a byte read at 0x510 reads data too. */
    fw_select(s, FW_CFG_SIGNATURE);
    g_assert_cmphex(qtest_inb(s, FW_CFG_CTL), ==, 'Q');
    g_assert_cmphex(qtest_inb(s, FW_CFG_DATA), ==, 'E');
    /* Data-port writes are ignored and do not move the offset. */
    qtest_outb(s, FW_CFG_DATA, 0x55);
    g_assert_cmphex(qtest_inb(s, FW_CFG_DATA), ==, 'M');
    /* The write-channel bit (0x4000) selects the same item. */
    fw_select(s, 0x4000 | FW_CFG_SIGNATURE);
    g_assert_cmphex(qtest_inb(s, FW_CFG_DATA), ==, 'Q');
    /* 16-bit reads of the ports are not part of the interface. */
    g_assert_cmphex(qtest_inw(s, FW_CFG_CTL), ==, 0xffff);

    /* Traditional and DMA interfaces. */
    g_assert_cmphex(fw_read_int(s, FW_CFG_ID, 4), ==, 3);

    /* The DMA register reads "QEMU CFG" big-endian, in any width. */
    g_assert_cmphex(GUINT32_SWAP_LE_BE(qtest_inl(s, FW_CFG_DMA)), ==, 0x51454d55);
    g_assert_cmphex(GUINT32_SWAP_LE_BE(qtest_inl(s, FW_CFG_DMA + 4)), ==, 0x20434647);
    g_assert_cmphex(qtest_inb(s, FW_CFG_DMA), ==, 'Q');
    g_assert_cmphex(qtest_inb(s, FW_CFG_DMA + 7), ==, 'G');
    g_assert_cmphex(GUINT16_SWAP_LE_BE(qtest_inw(s, FW_CFG_DMA + 2)), ==, 0x4d55);

    /* A system reset selects the signature again. */
    fw_select(s, FW_CFG_ID);
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'system_reset'}");
    g_assert_nonnull(qtest_qmp_return(r));
    qtest_qmp_eventwait(s, "RESET");
    g_assert_cmphex(qtest_inb(s, FW_CFG_DATA), ==, 'Q');
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_machine_items(void)
{
    QTestState *s = qtest_init("-machine pc -m 128M -smp 4");
    g_assert_cmpuint(fw_read_int(s, FW_CFG_RAM_SIZE, 8), ==, 128ull << 20);
    g_assert_cmpuint(fw_read_int(s, FW_CFG_NB_CPUS, 2), ==, 4);
    g_assert_cmpuint(fw_read_int(s, FW_CFG_MAX_CPUS, 2), ==, 4);
    g_assert_cmpuint(fw_read_int(s, FW_CFG_IRQ0_OVERRIDE, 4), ==, 1);
    /* -display none is not -nographic. */
    g_assert_cmpuint(fw_read_int(s, FW_CFG_NOGRAPHIC, 2), ==, 0);

    uint32_t size;
    g_autofree uint8_t *wait = fw_read_file(s, "etc/boot-fail-wait", &size);
    g_assert_cmpuint(size, ==, 4);
    g_assert_cmphex(wait[0] & wait[1] & wait[2] & wait[3], ==, 0xff);
    g_assert_cmpint(fw_find_file(s, "bootorder", &size), >=, 0x20);
    g_assert_cmpuint(size, ==, 0);
    /* The ACPI tables for firmware, with their loader script. */
    g_assert_cmpint(fw_find_file(s, "etc/acpi/tables", &size), >=, 0x20);
    g_assert_cmpuint(size, >, 36 * 4);
    g_assert_cmpint(fw_find_file(s, "etc/acpi/rsdp", &size), >=, 0x20);
    g_assert_cmpuint(size, ==, 36);
    g_assert_cmpint(fw_find_file(s, "etc/table-loader", &size), >=, 0x20);
    g_assert_cmpuint(size % 128, ==, 0);
    g_assert_cmpint(fw_find_file(s, "no/such/file", NULL), ==, -1);
    g_assert_cmpint(qtest_quit(s), ==, 0);

    s = qtest_init("-machine pc -m 256M -smp 2,maxcpus=6");
    g_assert_cmpuint(fw_read_int(s, FW_CFG_RAM_SIZE, 8), ==, 256ull << 20);
    g_assert_cmpuint(fw_read_int(s, FW_CFG_NB_CPUS, 2), ==, 2);
    g_assert_cmpuint(fw_read_int(s, FW_CFG_MAX_CPUS, 2), ==, 6);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

typedef struct E820 {
    uint64_t addr, size;
    uint32_t type;
} E820;

static unsigned read_e820(QTestState *s, E820 *out, unsigned max)
{
    uint32_t size;
    g_autofree uint8_t *raw = fw_read_file(s, "etc/e820", &size);
    g_assert_cmpuint(size % 20, ==, 0);
    g_assert_cmpuint(size / 20, <=, max);
    for (unsigned i = 0; i < size / 20; i++) {
        memcpy(&out[i].addr, raw + 20 * i, 8);
        memcpy(&out[i].size, raw + 20 * i + 8, 8);
        memcpy(&out[i].type, raw + 20 * i + 16, 4);
        out[i].addr = GUINT64_FROM_LE(out[i].addr);
        out[i].size = GUINT64_FROM_LE(out[i].size);
        out[i].type = GUINT32_FROM_LE(out[i].type);
    }
    return size / 20;
}

static void test_e820(void)
{
    /* 5 GiB: 3 GiB below the PCI hole, 2 GiB from 4 GiB; the BIOS area reserved. */
    QTestState *s = qtest_init("-machine pc -m 5G");
    E820 e[16];
    unsigned n = read_e820(s, e, 16);
    g_assert_cmpuint(n, ==, 4);
    g_assert_cmphex(e[0].addr, ==, 0);
    g_assert_cmphex(e[0].size, ==, 0xe0000);
    g_assert_cmpuint(e[0].type, ==, 1);
    g_assert_cmphex(e[1].addr, ==, 0xe0000);
    g_assert_cmphex(e[1].size, ==, 0x20000);
    g_assert_cmpuint(e[1].type, ==, 2);
    g_assert_cmphex(e[2].addr, ==, 0x100000);
    g_assert_cmphex(e[2].addr + e[2].size, ==, 0xc0000000);
    g_assert_cmpuint(e[2].type, ==, 1);
    g_assert_cmphex(e[3].addr, ==, 0x100000000ull);
    g_assert_cmphex(e[3].size, ==, 2ull << 30);
    g_assert_cmpuint(e[3].type, ==, 1);
    g_assert_cmpuint(fw_read_int(s, FW_CFG_RAM_SIZE, 8), ==, 5ull << 30);

    /* A descriptor above 4 GiB needs both halves of the address register. */
    const uint64_t hi = 0x100001000ull;
    g_assert_cmphex(dma_run(s, hi, DMA_SELECT | DMA_READ, 4, hi + 0x100), ==, 0);
    char sig[4];
    qtest_memread(s, hi + 0x100, sig, 4);
    g_assert_cmpmem(sig, 4, "QEMU", 4);
    g_assert_cmpint(qtest_quit(s), ==, 0);

    s = qtest_init("-machine pc -m 128M");
    n = read_e820(s, e, 16);
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmphex(e[2].addr + e[2].size, ==, 128ull << 20);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_dma(void)
{
    QTestState *s = qtest_init("-machine pc -m 128M");
    uint8_t buf[64];

    /* SELECT + READ of the signature into RAM; control reads back 0. */
    qtest_memset(s, BUF, 0xaa, 16);
    g_assert_cmphex(dma_run(s, DESC, FW_CFG_SIGNATURE << 16 | DMA_SELECT | DMA_READ, 4, BUF),
                    ==, 0);
    qtest_memread(s, BUF, buf, 5);
    g_assert_cmpmem(buf, 4, "QEMU", 4);
    g_assert_cmphex(buf[4], ==, 0xaa);
    /* The address register reads as the signature again afterwards. */
    g_assert_cmphex(GUINT32_SWAP_LE_BE(qtest_inl(s, FW_CFG_DMA)), ==, 0x51454d55);

    /* Reading past the end fills the rest with zeros. */
    qtest_memset(s, BUF, 0xaa, 16);
    g_assert_cmphex(dma_run(s, DESC, DMA_SELECT | DMA_READ, 8, BUF), ==, 0);
    qtest_memread(s, BUF, buf, 9);
    g_assert_cmpmem(buf, 8, "QEMU\0\0\0\0", 8);
    g_assert_cmphex(buf[8], ==, 0xaa);

    /* SKIP moves the offset; a READ without SELECT continues from there. */
    g_assert_cmphex(dma_run(s, DESC, DMA_SELECT | DMA_SKIP, 2, 0), ==, 0);
    g_assert_cmphex(dma_run(s, DESC, DMA_READ, 2, BUF), ==, 0);
    qtest_memread(s, BUF, buf, 2);
    g_assert_cmpmem(buf, 2, "MU", 2);
    /* ... and the port interface shares that offset. */
    fw_select(s, FW_CFG_SIGNATURE);
    g_assert_cmphex(dma_run(s, DESC, DMA_SKIP, 3, 0), ==, 0);
    g_assert_cmphex(qtest_inb(s, FW_CFG_DATA), ==, 'U');

    /* A file by DMA equals the same file read through the port. */
    uint32_t size;
    g_autofree uint8_t *e820 = fw_read_file(s, "etc/e820", &size);
    int key = fw_find_file(s, "etc/e820", NULL);
    g_assert_cmphex(dma_run(s, DESC, (uint32_t)key << 16 | DMA_SELECT | DMA_READ, size, BUF),
                    ==, 0);
    g_autofree uint8_t *viadma = g_malloc(size);
    qtest_memread(s, BUF, viadma, size);
    g_assert_cmpmem(viadma, size, e820, size);

    /* Destination outside RAM (256 MiB is past the end of RAM): ERROR. */
    g_assert_cmphex(dma_run(s, DESC, DMA_SELECT | DMA_READ, 4, 0x10000000), ==, DMA_ERROR);
    /* ... also when only the tail of the buffer sticks out. */
    g_assert_cmphex(dma_run(s, DESC, DMA_SELECT | DMA_READ, 8, (128 << 20) - 4), ==,
                    DMA_ERROR);
    /* Zero-filling into a hole is refused as well. */
    g_assert_cmphex(dma_run(s, DESC, 0x1fff << 16 | DMA_SELECT | DMA_READ, 4, 0x10000000),
                    ==, DMA_ERROR);

    /* Unknown selectors read zeros, by DMA and by port. */
    qtest_memset(s, BUF, 0xaa, 16);
    g_assert_cmphex(dma_run(s, DESC, 0x1fff << 16 | DMA_SELECT | DMA_READ, 16, BUF), ==, 0);
    qtest_memread(s, BUF, buf, 16);
    for (int i = 0; i < 16; i++) {
        g_assert_cmphex(buf[i], ==, 0);
    }
    fw_select(s, 0x3fff);
    g_assert_cmphex(qtest_inb(s, FW_CFG_DATA), ==, 0);
    fw_select(s, 0x1e);      /* in range but never filled */
    g_assert_cmphex(qtest_inb(s, FW_CFG_DATA), ==, 0);

    /* Writes: only to items registered writable, which none of these is. */
    qtest_memwrite(s, BUF, "XXXX", 4);
    g_assert_cmphex(dma_run(s, DESC, DMA_SELECT | DMA_WRITE, 4, BUF), ==, DMA_ERROR);
    g_assert_cmphex(dma_run(s, DESC, 0x1fff << 16 | DMA_SELECT | DMA_WRITE, 4, BUF), ==,
                    DMA_ERROR);
    fw_select(s, FW_CFG_SIGNATURE);
    g_assert_cmphex(qtest_inb(s, FW_CFG_DATA), ==, 'Q');

    /* Reserved control bits: refused. */
    g_assert_cmphex(dma_run(s, DESC, 0x100 | DMA_SELECT | DMA_READ, 4, BUF), ==, DMA_ERROR);
    /* No operation bit: nothing happens, success. */
    g_assert_cmphex(dma_run(s, DESC, 0, 4, BUF), ==, 0);
    /* READ wins over WRITE and SKIP. */
    qtest_memset(s, BUF, 0, 4);
    g_assert_cmphex(dma_run(s, DESC, DMA_SELECT | DMA_READ | DMA_WRITE | DMA_SKIP, 4, BUF),
                    ==, 0);
    qtest_memread(s, BUF, buf, 4);
    g_assert_cmpmem(buf, 4, "QEMU", 4);

    /* A descriptor outside RAM, or wrapping around 2^64: ignored, emu carries on. */
    dma_kick(s, 0x10000000);
    dma_kick(s, 0xfffffffffffffff8ull);
    qtest_outl(s, FW_CFG_DMA, 0);
    qtest_outl(s, FW_CFG_DMA + 4, GUINT32_SWAP_LE_BE(0xfffffff8u));
    /* A single 16-bit write to the address register is not accepted. */
    qtest_outw(s, FW_CFG_DMA + 6, 0x1234);
    fw_select(s, FW_CFG_SIGNATURE);
    g_assert_cmphex(qtest_inb(s, FW_CFG_DATA), ==, 'Q');
    g_assert_cmphex(dma_run(s, DESC, DMA_SELECT | DMA_READ, 4, BUF), ==, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fw-cfg/signature-id", test_signature_and_id);
    g_test_add_func("/fw-cfg/machine-items", test_machine_items);
    g_test_add_func("/fw-cfg/e820", test_e820);
    g_test_add_func("/fw-cfg/dma", test_dma);
    return g_test_run();
}
