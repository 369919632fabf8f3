/*
 * fw_cfg's C API, as the machine, the kernel loader and the ACPI builder use
 * it: ownership of the data, files and their directory, modify, select
 * callbacks and DMA writes to writable items; read back through the ports.
 */
#include "hw/nvram/fw_cfg.h"
#include "system/memory.h"

static FWCfgState *fw;
static MemoryRegion ram;

static void fw_select(uint16_t key)
{
    cpu_outw(FW_CFG_IO_BASE, key);
}

static void fw_read(void *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        ((uint8_t *)buf)[i] = cpu_inb(FW_CFG_IO_BASE + 1);
    }
}

static void setup(void)
{
    if (fw) {
        return;
    }
    memory_init();
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x100000, &error_abort));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    fw = fw_cfg_init_io_dma(FW_CFG_IO_BASE, FW_CFG_DMA_IO_BASE, &error_abort);
    g_assert_nonnull(fw);
}

static void test_find_and_items(void)
{
    char buf[16];
    size_t len;

    setup();
    g_assert_true(fw_cfg_find() == fw);
    fw_select(FW_CFG_SIGNATURE);
    fw_read(buf, 4);
    g_assert_cmpmem(buf, 4, "QEMU", 4);

    /* Copies: the caller's buffer may go away. */
    char *tmp = g_strdup("hello");
    fw_cfg_add_string(fw, FW_CFG_CMDLINE_DATA, tmp);
    g_free(tmp);
    fw_select(FW_CFG_CMDLINE_DATA);
    fw_read(buf, 7);
    g_assert_cmpmem(buf, 7, "hello\0\0", 7);

    fw_cfg_add_i32(fw, FW_CFG_KERNEL_ADDR, 0x100000);
    fw_cfg_modify_i32(fw, FW_CFG_KERNEL_ADDR, 0x200000);
    fw_select(FW_CFG_KERNEL_ADDR);
    fw_read(buf, 4);
    g_assert_cmpmem(buf, 4, "\x00\x00\x20\x00", 4);
    /* modify adds what is missing; take adopts the buffer. */
    fw_cfg_modify_i16(fw, FW_CFG_BOOT_DEVICE, 0x0203);
    fw_cfg_add_bytes_take(fw, FW_CFG_KERNEL_DATA, g_memdup2("KERNEL", 6), 6);
    const uint8_t *p = fw_cfg_get_item(fw, FW_CFG_KERNEL_DATA, &len);
    g_assert_cmpmem(p, len, "KERNEL", 6);
    p = fw_cfg_get_item(fw, FW_CFG_BOOT_DEVICE, &len);
    g_assert_cmpuint(len, ==, 2);
    g_assert_cmphex(p[0], ==, 0x03);
    /* Arch-local keys are a separate table. */
    fw_cfg_add_i32(fw, FW_CFG_IRQ0_OVERRIDE, 1);
    g_assert_nonnull(fw_cfg_get_item(fw, FW_CFG_IRQ0_OVERRIDE, &len));
    g_assert_cmpuint(len, ==, 4);
    g_assert_nonnull(fw_cfg_get_item(fw, FW_CFG_IRQ0_OVERRIDE & ~FW_CFG_ARCH_LOCAL, &len));
    g_assert_cmpuint(len, ==, 16);      /* key 2 is the UUID */
    g_assert_null(fw_cfg_get_item(fw, FW_CFG_ARCH_LOCAL | 0x10, &len));
    g_assert_cmpuint(len, ==, 0);
}

static void test_files(void)
{
    Error *err = NULL;
    uint8_t dir[4 + 64 * 3];

    setup();
    fw_cfg_add_file(fw, "etc/a", "AAAA", 4);
    fw_cfg_add_file_take(fw, "etc/b", g_memdup2("BB", 2), 2);
    g_assert_cmpint(fw_cfg_file_key(fw, "etc/a"), ==, 0x20);
    g_assert_cmpint(fw_cfg_file_key(fw, "etc/b"), ==, 0x21);
    g_assert_cmpint(fw_cfg_file_key(fw, "etc/c"), ==, -1);
    /* Duplicates and bad names are refused with an error. */
    g_assert_false(fw_cfg_try_add_file(fw, "etc/a", "x", 1, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_false(fw_cfg_try_add_file(fw, "", "x", 1, &err));
    error_free(err);
    err = NULL;
    char longname[80];
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = 0;
    g_assert_false(fw_cfg_try_add_file(fw, longname, "x", 1, &err));
    error_free(err);

    /* The directory: BE count, then BE size/select and the name. */
    fw_select(FW_CFG_FILE_DIR);
    fw_read(dir, 4 + 64 * 2);
    g_assert_cmpmem(dir, 4, "\0\0\0\2", 4);
    g_assert_cmpmem(dir + 4, 8, "\0\0\0\4\0\x20\0\0", 8);
    g_assert_cmpstr((char *)dir + 12, ==, "etc/a");
    g_assert_cmpmem(dir + 68, 8, "\0\0\0\2\0\x21\0\0", 8);

    /* A modified file changes size in the directory. */
    fw_cfg_modify_file(fw, "etc/a", "AAAAAAAA", 8);
    fw_select(FW_CFG_FILE_DIR);
    fw_read(dir, 4 + 64);
    g_assert_cmpmem(dir + 4, 4, "\0\0\0\x08", 4);
    /* modify_file of a new name adds it. */
    fw_cfg_modify_file(fw, "etc/c", "C", 1);
    g_assert_cmpint(fw_cfg_file_key(fw, "etc/c"), ==, 0x22);
}

static int selects;
static uint32_t written_off, written_len;

static void lazy_select(void *opaque)
{
    /* Build the contents when the guest asks for them. */
    memcpy(opaque, "LAZY", 4);
    selects++;
}

static void lazy_write(void *opaque, uint32_t offset, uint32_t len)
{
    written_off = offset;
    written_len = len;
}

static uint32_t dma(uint32_t control, uint32_t length, uint64_t address)
{
    const uint64_t desc = 0x1000;
    struct {
        uint32_t control, length;
        uint64_t address;
    } __attribute__((packed)) d = {
        GUINT32_TO_BE(control), GUINT32_TO_BE(length), GUINT64_TO_BE(address),
    };
    address_space_write(&address_space_memory, desc, &d, sizeof(d));
    cpu_outl(FW_CFG_DMA_IO_BASE, 0);
    cpu_outl(FW_CFG_DMA_IO_BASE + 4, GUINT32_SWAP_LE_BE((uint32_t)desc));
    uint32_t be;
    address_space_read(&address_space_memory, desc, &be, 4);
    return GUINT32_FROM_BE(be);
}

static void test_callback_and_write(void)
{
    static uint8_t lazy[4] = "....";
    char buf[4];

    setup();
    fw_cfg_add_file_callback(fw, "etc/lazy", lazy_select, lazy_write, lazy, lazy, 4, false);
    int key = fw_cfg_file_key(fw, "etc/lazy");
    g_assert_cmpint(key, >, 0);
    fw_select(key);
    g_assert_cmpint(selects, ==, 1);
    fw_read(buf, 4);
    g_assert_cmpmem(buf, 4, "LAZY", 4);

    /* A writable item takes a DMA write within its size... */
    address_space_write(&address_space_memory, 0x2000, "WXYZ", 4);
    g_assert_cmphex(dma(key << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_SKIP, 1, 0), ==, 0);
    g_assert_cmpint(selects, ==, 2);
    g_assert_cmphex(dma(FW_CFG_DMA_CTL_WRITE, 2, 0x2000), ==, 0);
    g_assert_cmpmem(lazy, 4, "LWXY", 4);
    g_assert_cmpuint(written_off, ==, 1);
    g_assert_cmpuint(written_len, ==, 2);
    /* ... but not past its end: the item cannot grow. */
    g_assert_cmphex(dma(FW_CFG_DMA_CTL_WRITE, 4, 0x2000), ==, FW_CFG_DMA_CTL_ERROR);
    g_assert_cmpmem(lazy, 4, "LWXY", 4);
    g_assert_cmpuint(fw->dma_errors, >=, 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fw-cfg/api/find-and-items", test_find_and_items);
    g_test_add_func("/fw-cfg/api/files", test_files);
    g_test_add_func("/fw-cfg/api/callback-and-write", test_callback_and_write);
    return g_test_run();
}
