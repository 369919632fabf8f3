/* fw_cfg through its I/O ports: signature, ID, CPU count, the file directory. */
#include "libguest.h"

#define FW_CFG_CTL 0x510
#define FW_CFG_DATA 0x511

static void fw_select(uint16_t key)
{
    outw(FW_CFG_CTL, key);
}

static void fw_read(void *buf, uint32_t len)
{
    uint8_t *p = buf;
    for (uint32_t i = 0; i < len; i++) {
        p[i] = inb(FW_CFG_DATA);
    }
}

void test_main(void)
{
    char sig[5] = { 0 };
    fw_select(0x0000);
    fw_read(sig, 4);
    check(!memcmp(sig, "QEMU", 4), "signature '%s'", sig);

    uint32_t id;
    fw_select(0x0001);
    fw_read(&id, 4);
    check(id & 1, "ID %#x: traditional interface", id);
    printf("fw_cfg DMA %s\n", id & 2 ? "advertised" : "not advertised");

    uint16_t ncpus;
    fw_select(0x0005);
    fw_read(&ncpus, 2);
    check(ncpus == cmdline_uint("cpus", 1), "FW_CFG_NB_CPUS = %u", ncpus);

    uint32_t count;
    fw_select(0x0019);
    fw_read(&count, 4);
    count = __builtin_bswap32(count);
    check(count > 0 && count < 100, "file directory: %u files", count);
    for (uint32_t i = 0; i < count && i < 100; i++) {
        struct {
            uint32_t size;
            uint16_t select, reserved;
            char name[56];
        } f;
        fw_read(&f, sizeof(f));
        f.name[55] = 0;
        printf("  %-40s key %#x size %u\n", f.name, __builtin_bswap16(f.select),
               __builtin_bswap32(f.size));
    }
}
