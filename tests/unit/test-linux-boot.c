/*
 * Direct kernel boot loaders on byte buffers and a bare RAM region: the Linux
 * bzImage setup header checks and the zero page / page tables / initrd placement
 * of the 64-bit boot protocol (Documentation/arch/x86/boot.rst), and multiboot
 * v1 headers, a.out kludge and ELF32 loading, modules and the information
 * structure (Multiboot Specification 0.6.96). When the Debian guest kernel has
 * been fetched (scripts/fetch-guest.sh) its real header is checked too.
 */
#include "hw/i386/linux-boot.h"
#include "hw/i386/multiboot.h"

#define MiB (1024ULL * 1024)

/* ---- a machine-less guest: RAM at 0 in its own address space ---- */

typedef struct TestRam {
    MemoryRegion root, ram;
    AddressSpace as;
    E820Table machine_e820;
    BootRam boot;
    uint8_t *host;
    uint64_t size;
} TestRam;

static TestRam *test_ram_new(uint64_t size, bool record)
{
    TestRam *t = g_new0(TestRam, 1);
    memory_region_init(&t->root, NULL, "root", MEMORY_REGION_SIZE_FULL);
    address_space_init(&t->as, &t->root, "boot-test");
    g_assert_true(memory_region_init_ram(&t->ram, NULL, "ram", size, &error_abort));
    memory_region_add_subregion(&t->root, 0, &t->ram);
    t->host = memory_region_get_ram_ptr(&t->ram);
    t->size = size;
    e820_add_entry(&t->machine_e820, 0, size, E820_RAM);
    boot_ram_init(&t->boot, &t->as, &t->machine_e820, record);
    return t;
}

/* Re-derive the guest map after the test changed the machine's. */
static void test_ram_remap(TestRam *t)
{
    boot_ram_destroy(&t->boot);
    boot_ram_init(&t->boot, &t->as, &t->machine_e820, false);
}

static void test_ram_free(TestRam *t)
{
    boot_ram_destroy(&t->boot);
    e820_free(&t->machine_e820);
    memory_region_del_subregion(&t->root, &t->ram);
    address_space_destroy(&t->as);
    memory_region_finalize(&t->ram);
    memory_region_finalize(&t->root);
    g_free(t);
}

static uint16_t get16(const uint8_t *p)
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

/* Walk the 4-level page tables at @cr3 in guest RAM; returns the physical
 * address @va maps to, or ~0 if it is not mapped writable. */
static uint64_t walk(TestRam *t, uint64_t cr3, uint64_t va)
{
    uint64_t table = cr3 & ~0xfffULL;
    static const int shifts[] = { 39, 30, 21, 12 };
    for (int level = 0; level < 4; level++) {
        uint64_t idx = (va >> shifts[level]) & 511;
        uint64_t e = address_space_ldq_le(&t->as, table + idx * 8, NULL);
        if (!(e & 1) || !(e & 2)) {
            return ~0ULL;
        }
        uint64_t base = e & 0x000ffffffffff000ULL;
        if (level > 0 && level < 3 && (e & 0x80)) {   /* 1 GiB or 2 MiB page */
            uint64_t mask = (1ULL << shifts[level]) - 1;
            return (base & ~mask) | (va & mask);
        }
        table = base;
        if (level == 3) {
            return base | (va & 0xfff);
        }
    }
    return ~0ULL;
}

/* ---- synthetic bzImages ---- */

typedef struct FakeKernel {
    uint16_t version;
    uint8_t setup_sects;
    uint8_t loadflags;
    uint16_t xloadflags;
    uint32_t kernel_size;
    uint32_t init_size;
    uint64_t pref_address;
    uint32_t kernel_alignment;
    uint8_t relocatable;
    uint32_t cmdline_size;
    uint32_t initrd_addr_max;
} FakeKernel;

static FakeKernel fake_default(void)
{
    return (FakeKernel){
        .version = 0x020f, .setup_sects = 4, .loadflags = LINUX_LOADED_HIGH,
        .xloadflags = LINUX_XLF_KERNEL_64 | LINUX_XLF_CAN_BE_LOADED_ABOVE_4G,
        .kernel_size = 64 * 1024, .init_size = 8 * MiB, .pref_address = 16 * MiB,
        .kernel_alignment = 2 * MiB, .relocatable = 1, .cmdline_size = 2047,
        .initrd_addr_max = 0x7fffffff,
    };
}

static uint8_t *fake_bzimage(const FakeKernel *k, size_t *size)
{
    unsigned sects = k->setup_sects ? k->setup_sects : 4;
    size_t setup = (sects + 1) * 512;
    *size = setup + k->kernel_size;
    uint8_t *img = g_malloc0(*size);
    for (size_t i = setup; i < *size; i++) {
        img[i] = (uint8_t)(i * 7 + 3);
    }
    img[LINUX_SETUP_SECTS] = k->setup_sects;
    put32(img + LINUX_SYSSIZE, k->kernel_size / 16);
    put16(img + LINUX_BOOT_FLAG, 0xaa55);
    img[LINUX_JUMP] = 0xeb;
    img[LINUX_JUMP + 1] = 0x6a;                      /* header ends at 0x26c */
    put32(img + LINUX_HEADER, LINUX_HDRS_MAGIC);
    put16(img + LINUX_VERSION, k->version);
    put16(img + LINUX_KERNEL_VERSION, 0x400);        /* string at 0x600 */
    strcpy((char *)img + 0x600, "9.9.9-fake (test@emu)");
    img[LINUX_LOADFLAGS] = k->loadflags;
    put32(img + LINUX_CODE32_START, 0x100000);
    put32(img + LINUX_INITRD_ADDR_MAX, k->initrd_addr_max);
    put32(img + LINUX_KERNEL_ALIGNMENT, k->kernel_alignment);
    img[LINUX_RELOCATABLE] = k->relocatable;
    img[0x235] = 21;                                 /* min_alignment */
    put16(img + LINUX_XLOADFLAGS, k->xloadflags);
    put32(img + LINUX_CMDLINE_SIZE, k->cmdline_size);
    put64(img + LINUX_PREF_ADDRESS, k->pref_address);
    put32(img + LINUX_INIT_SIZE, k->init_size);
    img[BP_SENTINEL] = 0xff;                         /* as real images have */
    img[0x26c] = 0xab;                               /* past the header's end */
    return img;
}

static void assert_error(Error *err, const char *needle)
{
    g_assert_nonnull(err);
    if (!strstr(error_get_pretty(err), needle)) {
        g_error("error '%s' lacks '%s'", error_get_pretty(err), needle);
    }
    error_free(err);
}

static void test_header_parse(void)
{
    FakeKernel k = fake_default();
    size_t size;
    g_autofree uint8_t *img = fake_bzimage(&k, &size);
    LinuxSetupHeader hdr;

    g_assert_true(linux_is_kernel(img, size));
    g_assert_true(linux_parse_header(img, size, &hdr, &error_abort));
    g_assert_cmphex(hdr.version, ==, 0x020f);
    g_assert_cmpuint(hdr.setup_sects, ==, 4);
    g_assert_cmpuint(hdr.setup_size, ==, 5 * 512);
    g_assert_cmpuint(hdr.kernel_size, ==, 64 * 1024);
    g_assert_cmphex(hdr.header_end, ==, 0x26c);
    g_assert_cmphex(hdr.pref_address, ==, 16 * MiB);
    g_assert_cmphex(hdr.init_size, ==, 8 * MiB);
    g_assert_cmphex(hdr.kernel_alignment, ==, 2 * MiB);
    g_assert_true(hdr.relocatable);
    g_assert_cmpuint(hdr.cmdline_size, ==, 2047);
    g_assert_cmpstr(hdr.kernel_version, ==, "9.9.9-fake (test@emu)");

    /* setup_sects 0 means 4 (boot.rst note 1). */
    img[LINUX_SETUP_SECTS] = 0;
    g_assert_true(linux_parse_header(img, size, &hdr, &error_abort));
    g_assert_cmpuint(hdr.setup_sects, ==, 4);
    g_assert_cmpuint(hdr.setup_size, ==, 2560);

    /* More setup sectors move the kernel start. */
    k.setup_sects = 30;
    g_autofree uint8_t *img2 = fake_bzimage(&k, &size);
    g_assert_true(linux_parse_header(img2, size, &hdr, &error_abort));
    g_assert_cmpuint(hdr.setup_size, ==, 31 * 512);
    g_assert_cmpuint(hdr.kernel_size, ==, 64 * 1024);
}

static void test_header_errors(void)
{
    FakeKernel k;
    size_t size;
    Error *err = NULL;
    LinuxSetupHeader hdr;

    /* No signature. */
    k = fake_default();
    g_autofree uint8_t *img = fake_bzimage(&k, &size);
    img[LINUX_HEADER] = 'X';
    g_assert_false(linux_is_kernel(img, size));
    g_assert_false(linux_parse_header(img, size, &hdr, &err));
    assert_error(err, "HdrS");
    err = NULL;
    g_assert_false(linux_is_kernel(img, 0x205));

    /* Protocol 2.05: no cmdline_size, refused. */
    k = fake_default();
    k.version = 0x0205;
    g_autofree uint8_t *old = fake_bzimage(&k, &size);
    g_assert_false(linux_parse_header(old, size, &hdr, &err));
    assert_error(err, "2.05 is too old");
    err = NULL;

    /* Truncated: inside the setup sectors, and short of what syssize says. */
    k = fake_default();
    g_autofree uint8_t *full = fake_bzimage(&k, &size);
    g_assert_false(linux_parse_header(full, 0x300, &hdr, &err));
    assert_error(err, "truncated");
    err = NULL;
    g_assert_false(linux_parse_header(full, 2000, &hdr, &err));
    assert_error(err, "truncated");
    err = NULL;
    g_assert_false(linux_parse_header(full, size - 16, &hdr, &err));
    assert_error(err, "truncated");
    err = NULL;
    g_assert_true(linux_parse_header(full, size, &hdr, &error_abort));

    /* No 64-bit entry point: XLF_KERNEL_64 clear, or a pre-2.12 header. */
    k = fake_default();
    k.xloadflags = LINUX_XLF_CAN_BE_LOADED_ABOVE_4G;
    g_autofree uint8_t *no64 = fake_bzimage(&k, &size);
    g_assert_false(linux_parse_header(no64, size, &hdr, &err));
    assert_error(err, "XLF_KERNEL_64");
    err = NULL;
    k = fake_default();
    k.version = 0x020b;
    g_autofree uint8_t *v211 = fake_bzimage(&k, &size);
    g_assert_false(linux_parse_header(v211, size, &hdr, &err));
    assert_error(err, "64-bit entry point");
    err = NULL;

    /* zImage. */
    k = fake_default();
    k.loadflags = 0;
    g_autofree uint8_t *zimage = fake_bzimage(&k, &size);
    g_assert_false(linux_parse_header(zimage, size, &hdr, &err));
    assert_error(err, "zImage");
}

/* Load into 256 MiB and check every structure the 64-bit protocol hands over. */
static void test_load_layout(void)
{
    TestRam *t = test_ram_new(256 * MiB, false);
    FakeKernel k = fake_default();
    size_t size;
    g_autofree uint8_t *img = fake_bzimage(&k, &size);
    const char *cmdline = "console=ttyS0 root=/dev/ram0 x=y";
    size_t initrd_size = 3 * MiB + 123;
    g_autofree uint8_t *initrd = g_malloc(initrd_size);
    X86BootEntry entry;
    LinuxBootLayout lay;

    for (size_t i = 0; i < initrd_size; i++) {
        initrd[i] = (uint8_t)(i ^ (i >> 8));
    }
    g_assert_true(linux_load(&t->boot, img, size, cmdline, initrd, initrd_size, &entry,
                             &lay, &error_abort));

    /* Entry state (boot.rst "64-bit Boot Protocol"). */
    g_assert_cmpint(entry.mode, ==, X86_BOOT_LONG64);
    g_assert_cmphex(lay.kernel_addr, ==, 16 * MiB);        /* pref_address */
    g_assert_cmphex(entry.rip, ==, 16 * MiB + 0x200);
    g_assert_cmphex(entry.rsi, ==, LINUX_ZERO_PAGE);
    g_assert_cmphex(entry.cr3, ==, LINUX_PML4);
    g_assert_cmphex(entry.cs, ==, 0x10);
    g_assert_cmphex(entry.ds, ==, 0x18);
    g_assert_cmphex(entry.rsp, <=, LINUX_ZERO_PAGE);
    g_assert_cmphex(entry.rsp, >, 0x1000);
    g_assert_cmpuint(entry.gdt_limit, >=, 0x1f);

    /* GDT: __BOOT_CS 64-bit code (L=1, D=0, present, code), __BOOT_DS data. */
    uint64_t cs = address_space_ldq_le(&t->as, entry.gdt_base + 0x10, NULL);
    uint64_t ds = address_space_ldq_le(&t->as, entry.gdt_base + 0x18, NULL);
    g_assert_true(cs & (1ULL << 53));
    g_assert_false(cs & (1ULL << 54));
    g_assert_true(cs & (1ULL << 47));
    g_assert_cmphex((cs >> 43) & 3, ==, 3);                /* S=1, code */
    g_assert_cmphex((ds >> 43) & 3, ==, 2);                /* S=1, data */
    g_assert_true(ds & (1ULL << 41));                      /* writable */

    /* The protected-mode kernel is at the load address, byte for byte. */
    g_assert_cmpmem(t->host + lay.kernel_addr, k.kernel_size, img + 5 * 512, k.kernel_size);

    /* Zero page: the setup header copied, then the loader's fields. */
    const uint8_t *bp = t->host + LINUX_ZERO_PAGE;
    g_assert_cmpmem(bp + LINUX_HEADER, 4, "HdrS", 4);
    g_assert_cmphex(get16(bp + LINUX_VERSION), ==, 0x020f);
    g_assert_cmphex(get32(bp + LINUX_INIT_SIZE), ==, 8 * MiB);
    g_assert_cmphex(get32(bp + LINUX_KERNEL_ALIGNMENT), ==, 2 * MiB);
    g_assert_cmphex(get64(bp + LINUX_PREF_ADDRESS), ==, 16 * MiB);
    g_assert_cmpuint(bp[LINUX_SETUP_SECTS], ==, 4);
    g_assert_cmphex(bp[BP_SENTINEL], ==, 0);               /* not copied */
    g_assert_cmphex(bp[0x26c], ==, 0);                     /* past header_end */
    g_assert_cmphex(bp[LINUX_TYPE_OF_LOADER], ==, 0xff);
    g_assert_cmphex(bp[LINUX_LOADFLAGS], ==, LINUX_LOADED_HIGH);
    g_assert_cmphex(get32(bp + LINUX_CODE32_START), ==, 16 * MiB);
    g_assert_cmphex(get32(bp + LINUX_CMD_LINE_PTR), ==, LINUX_CMDLINE);
    g_assert_cmphex(get32(bp + BP_EXT_CMD_LINE_PTR), ==, 0);
    g_assert_cmpstr((const char *)t->host + LINUX_CMDLINE, ==, cmdline);

    /* initrd: page-aligned, highest page that fits, above the kernel's end. */
    uint32_t rd = get32(bp + LINUX_RAMDISK_IMAGE);
    g_assert_cmphex(rd, ==, lay.initrd);
    g_assert_cmphex(get32(bp + LINUX_RAMDISK_SIZE), ==, initrd_size);
    g_assert_cmphex(get32(bp + BP_EXT_RAMDISK_IMAGE), ==, 0);
    g_assert_cmphex(rd % 4096, ==, 0);
    g_assert_cmphex(rd + initrd_size, <=, 256 * MiB);
    g_assert_cmphex(rd + initrd_size, >, 256 * MiB - 4096);
    g_assert_cmphex(rd, >=, 16 * MiB + 8 * MiB);
    g_assert_cmpmem(t->host + rd, initrd_size, initrd, initrd_size);

    /* e820: conventional memory, the EBDA reserved, RAM from 1 MiB. */
    g_assert_cmpuint(bp[BP_E820_ENTRIES], ==, 3);
    const uint8_t *e = bp + BP_E820_TABLE;
    g_assert_cmphex(get64(e), ==, 0);
    g_assert_cmphex(get64(e + 8), ==, 0x9fc00);
    g_assert_cmpuint(get32(e + 16), ==, E820_RAM);
    g_assert_cmphex(get64(e + 20), ==, 0x9fc00);
    g_assert_cmphex(get64(e + 28), ==, 0x400);
    g_assert_cmpuint(get32(e + 36), ==, E820_RESERVED);
    g_assert_cmphex(get64(e + 40), ==, 1 * MiB);
    g_assert_cmphex(get64(e + 48), ==, 255 * MiB);
    g_assert_cmpuint(get32(e + 56), ==, E820_RAM);

    /* Identity map over the kernel, zero page, command line, initrd, 4 GiB. */
    uint64_t vas[] = { entry.rip, lay.kernel_addr, lay.kernel_end - 1, LINUX_ZERO_PAGE,
                       LINUX_CMDLINE, rd, rd + initrd_size - 1, 0xfffff000ULL,
                       entry.gdt_base };
    for (size_t i = 0; i < G_N_ELEMENTS(vas); i++) {
        g_assert_cmphex(walk(t, entry.cr3, vas[i]), ==, vas[i]);
    }
    g_assert_cmphex(walk(t, entry.cr3, 1ULL << 32), ==, ~0ULL);

    /* The structures do not overlap each other. */
    g_assert_cmphex(LINUX_ZERO_PAGE + BP_SIZE, <=, entry.gdt_base);
    g_assert_cmphex(entry.gdt_base + 32, <=, entry.cr3);
    g_assert_cmphex(LINUX_PD + 4 * 4096, <=, LINUX_CMDLINE);
    test_ram_free(t);
}

static void test_load_cmdline_limit(void)
{
    TestRam *t = test_ram_new(64 * MiB, false);
    FakeKernel k = fake_default();
    k.cmdline_size = 16;
    size_t size;
    g_autofree uint8_t *img = fake_bzimage(&k, &size);
    X86BootEntry entry;
    Error *err = NULL;

    /* cmdline_size is the length without the NUL (boot.rst). */
    g_assert_true(linux_load(&t->boot, img, size, "0123456789abcdef", NULL, 0, &entry,
                             NULL, &error_abort));
    g_assert_cmpstr((const char *)t->host + LINUX_CMDLINE, ==, "0123456789abcdef");
    g_assert_false(linux_load(&t->boot, img, size, "0123456789abcdefg", NULL, 0, &entry,
                              NULL, &err));
    assert_error(err, "17 bytes, longer than the 16");

    /* No command line: an empty string, still pointed at; no initrd: zeros. */
    g_assert_true(linux_load(&t->boot, img, size, NULL, NULL, 0, &entry, NULL,
                             &error_abort));
    g_assert_cmphex(t->host[LINUX_CMDLINE], ==, 0);
    g_assert_cmphex(get32(t->host + LINUX_ZERO_PAGE + LINUX_CMD_LINE_PTR), ==,
                    LINUX_CMDLINE);
    g_assert_cmphex(get32(t->host + LINUX_ZERO_PAGE + LINUX_RAMDISK_IMAGE), ==, 0);
    g_assert_cmphex(get32(t->host + LINUX_ZERO_PAGE + LINUX_RAMDISK_SIZE), ==, 0);
    test_ram_free(t);
}

static void test_load_initrd_placement(void)
{
    TestRam *t = test_ram_new(256 * MiB, false);
    FakeKernel k = fake_default();
    size_t size;
    uint8_t initrd[5000];
    X86BootEntry entry;
    LinuxBootLayout lay;
    Error *err = NULL;

    memset(initrd, 0x5a, sizeof(initrd));
    /* Without XLF_CAN_BE_LOADED_ABOVE_4G initrd_addr_max (the last byte's
     * address) is the ceiling. */
    k.xloadflags = LINUX_XLF_KERNEL_64;
    k.initrd_addr_max = 128 * MiB - 1;
    g_autofree uint8_t *img = fake_bzimage(&k, &size);
    g_assert_true(linux_load(&t->boot, img, size, "", initrd, sizeof(initrd), &entry,
                             &lay, &error_abort));
    g_assert_cmphex(lay.initrd + sizeof(initrd) - 1, <=, 128 * MiB - 1);
    g_assert_cmphex(lay.initrd, ==, 128 * MiB - 8192);
    g_assert_cmpmem(t->host + lay.initrd, sizeof(initrd), initrd, sizeof(initrd));

    /* A ceiling inside the kernel leaves no room: the initrd never overlaps it. */
    k.initrd_addr_max = 20 * MiB;
    g_autofree uint8_t *img2 = fake_bzimage(&k, &size);
    g_assert_false(linux_load(&t->boot, img2, size, "", initrd, sizeof(initrd), &entry,
                              NULL, &err));
    assert_error(err, "initrd");
    err = NULL;

    /* Too big for the RAM left above the kernel. */
    k = fake_default();
    g_autofree uint8_t *img3 = fake_bzimage(&k, &size);
    g_autofree uint8_t *huge = g_malloc0(240 * MiB);
    g_assert_false(linux_load(&t->boot, img3, size, "", huge, 240 * MiB, &entry, NULL,
                              &err));
    assert_error(err, "does not fit in RAM");
    err = NULL;
    /* Just fits: right after the kernel's init_size area. */
    g_assert_true(linux_load(&t->boot, img3, size, "", huge, 256 * MiB - 24 * MiB, &entry,
                             &lay, &error_abort));
    g_assert_cmphex(lay.initrd, ==, 24 * MiB);
    test_ram_free(t);
}

static void test_load_small_ram(void)
{
    TestRam *t = test_ram_new(32 * MiB, false);
    FakeKernel k = fake_default();
    size_t size;
    X86BootEntry entry;
    LinuxBootLayout lay;
    Error *err = NULL;

    /* Relocatable kernels never decompress below pref_address, so 16 MiB +
     * init_size must be RAM wherever the image is loaded. */
    k.init_size = 24 * MiB;
    g_autofree uint8_t *img = fake_bzimage(&k, &size);
    g_assert_false(linux_load(&t->boot, img, size, "", NULL, 0, &entry, NULL, &err));
    assert_error(err, "give the machine more memory");
    err = NULL;

    /* A kernel that prefers 1 MiB loads there. */
    k = fake_default();
    k.pref_address = 1 * MiB;
    k.init_size = 20 * MiB;
    g_autofree uint8_t *img2 = fake_bzimage(&k, &size);
    g_assert_true(linux_load(&t->boot, img2, size, "", NULL, 0, &entry, &lay,
                             &error_abort));
    g_assert_cmphex(lay.kernel_addr, ==, 1 * MiB);
    g_assert_cmphex(entry.rip, ==, 1 * MiB + 0x200);

    /* A non-relocatable kernel is loaded at 1 MiB. */
    k.relocatable = 0;
    g_autofree uint8_t *img3 = fake_bzimage(&k, &size);
    g_assert_true(linux_load(&t->boot, img3, size, "", NULL, 0, &entry, &lay,
                             &error_abort));
    g_assert_cmphex(lay.kernel_addr, ==, 1 * MiB);

    /* A pref_address near 2^64 must not wrap the kernel's end into a small
     * address that passes the RAM check (review fix in linux_kernel_end). */
    k = fake_default();
    k.relocatable = 0;
    k.pref_address = 0xfffffffffff00000ULL;
    k.init_size = 2 * MiB;
    g_autofree uint8_t *img4 = fake_bzimage(&k, &size);
    err = NULL;
    g_assert_false(linux_load(&t->boot, img4, size, "", NULL, 0, &entry, NULL, &err));
    assert_error(err, "give the machine more memory");   /* frees err */
    /* The same through a relocatable kernel whose alignment wraps align_up. */
    k.relocatable = 1;
    k.pref_address = 0;
    k.kernel_alignment = 0xffffffff;
    g_autofree uint8_t *img5 = fake_bzimage(&k, &size);
    err = NULL;
    g_assert_false(linux_load(&t->boot, img5, size, "", NULL, 0, &entry, NULL, &err));
    error_free(err);
    test_ram_free(t);
}

/* The machine's map as the ACPI code leaves it: reserved BIOS area, RAM above
 * 4 GiB. The zero page gets it normalized, with the EBDA and the VGA hole. */
static void test_load_e820(void)
{
    TestRam *t = test_ram_new(64 * MiB, false);
    FakeKernel k = fake_default();
    size_t size;
    g_autofree uint8_t *img = fake_bzimage(&k, &size);
    X86BootEntry entry;

    e820_add_entry(&t->machine_e820, 0xe0000, 0x20000, E820_RESERVED);
    e820_add_entry(&t->machine_e820, 1ULL << 32, 1ULL << 30, E820_RAM);
    e820_add_entry(&t->machine_e820, 0xfeffc000, 0x4000, E820_RESERVED);
    test_ram_remap(t);
    g_assert_true(linux_load(&t->boot, img, size, "", NULL, 0, &entry, NULL,
                             &error_abort));
    static const struct { uint64_t addr, size; uint32_t type; } want[] = {
        { 0, 0x9fc00, E820_RAM },
        { 0x9fc00, 0x400, E820_RESERVED },
        { 0xe0000, 0x20000, E820_RESERVED },
        { 0x100000, 63 * MiB, E820_RAM },
        { 0xfeffc000, 0x4000, E820_RESERVED },
        { 1ULL << 32, 1ULL << 30, E820_RAM },
    };
    const uint8_t *bp = t->host + LINUX_ZERO_PAGE;
    g_assert_cmpuint(bp[BP_E820_ENTRIES], ==, G_N_ELEMENTS(want));
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        const uint8_t *e = bp + BP_E820_TABLE + i * 20;
        g_assert_cmphex(get64(e), ==, want[i].addr);
        g_assert_cmphex(get64(e + 8), ==, want[i].size);
        g_assert_cmpuint(get32(e + 16), ==, want[i].type);
    }
    test_ram_free(t);
}

/* A reset writes the same bytes back over whatever the guest did. */
static void test_load_replay(void)
{
    TestRam *t = test_ram_new(64 * MiB, true);
    FakeKernel k = fake_default();
    size_t size;
    g_autofree uint8_t *img = fake_bzimage(&k, &size);
    uint8_t initrd[100];
    X86BootEntry entry;
    LinuxBootLayout lay;

    memset(initrd, 0xc3, sizeof(initrd));
    g_assert_true(linux_load(&t->boot, img, size, "a=b", initrd, sizeof(initrd), &entry,
                             &lay, &error_abort));
    g_autofree uint8_t *snap = g_malloc(64 * MiB);
    memcpy(snap, t->host, 64 * MiB);
    memset(t->host + lay.kernel_addr, 0xee, 4096);
    memset(t->host + LINUX_ZERO_PAGE, 0xee, BP_SIZE);
    memset(t->host + LINUX_GDT, 0xee, 32);
    memset(t->host + LINUX_PML4, 0xee, 8);
    memset(t->host + lay.initrd, 0, sizeof(initrd));
    g_assert_false(memcmp(snap, t->host, 64 * MiB) == 0);
    boot_ram_replay(&t->boot);
    g_assert_true(memcmp(snap, t->host, 64 * MiB) == 0);
    test_ram_free(t);
}

/* The Debian kernel from scripts/fetch-guest.sh, when it is there. */
static void test_debian_header(void)
{
    const char *dir = g_getenv("EMU_GUEST_CACHE");
    g_autofree char *path = dir ? g_build_filename(dir, "vmlinuz", NULL)
                                : g_build_filename(EMU_SOURCE_DIR, ".cache", "guest",
                                                   "vmlinuz", NULL);
    g_autofree char *data = NULL;
    gsize size;
    LinuxSetupHeader hdr;

    if (!g_file_get_contents(path, &data, &size, NULL)) {
        g_test_skip("no guest kernel: run scripts/fetch-guest.sh");
        return;
    }
    g_assert_true(linux_parse_header((uint8_t *)data, size, &hdr, &error_abort));
    g_assert_cmphex(hdr.version, >=, 0x020c);
    g_assert_true(hdr.xloadflags & LINUX_XLF_KERNEL_64);
    g_assert_true(hdr.relocatable);
    g_assert_cmpuint(hdr.init_size, >, hdr.kernel_size);
    g_assert_true(g_ascii_isdigit(hdr.kernel_version[0]));

    /* 512 MiB: the kernel at pref_address, the initrd at the top. */
    TestRam *t = test_ram_new(512 * MiB, false);
    X86BootEntry entry;
    LinuxBootLayout lay;
    uint8_t initrd[4096] = { 1, 2, 3 };
    g_assert_true(linux_load(&t->boot, (uint8_t *)data, size, "console=ttyS0", initrd,
                             sizeof(initrd), &entry, &lay, &error_abort));
    g_assert_cmphex(lay.kernel_addr, ==, hdr.pref_address);
    g_assert_cmphex(lay.initrd, ==, 512 * MiB - 4096);
    g_assert_cmpmem(t->host + LINUX_ZERO_PAGE + LINUX_SETUP_SECTS, 9,
                    data + LINUX_SETUP_SECTS, 9);
    test_ram_free(t);
}

/* ---- multiboot ---- */

static void mb_header(uint8_t *p, uint32_t flags)
{
    put32(p, MULTIBOOT_HEADER_MAGIC);
    put32(p + 4, flags);
    put32(p + 8, -(MULTIBOOT_HEADER_MAGIC + flags));
}

static void test_mb_find_header(void)
{
    g_autofree uint8_t *img = g_malloc0(16384);
    MultibootHeader mh;
    Error *err = NULL;

    g_assert_cmpint(multiboot_find_header(img, 16384, &mh, &error_abort), ==, 0);
    mb_header(img + 0x1000, MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO);
    g_assert_cmpint(multiboot_find_header(img, 16384, &mh, &error_abort), ==, 1);
    g_assert_cmphex(mh.offset, ==, 0x1000);
    g_assert_cmphex(mh.flags, ==, 3);

    /* A bad checksum is not a header; alone it is reported. */
    memset(img, 0, 16384);
    mb_header(img + 0x200, 3);
    img[0x208] ^= 1;
    g_assert_cmpint(multiboot_find_header(img, 16384, &mh, &err), ==, -1);
    assert_error(err, "bad checksum");
    err = NULL;
    /* ...but a good one later still counts. */
    mb_header(img + 0x400, 3);
    g_assert_cmpint(multiboot_find_header(img, 16384, &mh, &error_abort), ==, 1);
    g_assert_cmphex(mh.offset, ==, 0x400);

    /* It must lie completely within the first 8 KiB, 4-byte aligned. */
    memset(img, 0, 16384);
    mb_header(img + 8192 - 12, 3);
    g_assert_cmpint(multiboot_find_header(img, 16384, &mh, &error_abort), ==, 1);
    memset(img, 0, 16384);
    mb_header(img + 8192 - 8, 3);
    g_assert_cmpint(multiboot_find_header(img, 16384, &mh, &error_abort), ==, 0);
    memset(img, 0, 16384);
    mb_header(img + 8192, 3);
    g_assert_cmpint(multiboot_find_header(img, 16384, &mh, &error_abort), ==, 0);
    memset(img, 0, 16384);
    mb_header(img + 0x102, 3);
    g_assert_cmpint(multiboot_find_header(img, 16384, &mh, &error_abort), ==, 0);

    /* With the a.out kludge the address fields must be there too. */
    memset(img, 0, 16384);
    mb_header(img + 8192 - 16, MULTIBOOT_AOUT_KLUDGE);
    g_assert_cmpint(multiboot_find_header(img, 16384, &mh, &err), ==, -1);
    assert_error(err, "cut short");
}

/* An a.out-kludge kernel: 0x3000 bytes loaded at 1 MiB, bss to 1 MiB + 0x5000. */
static uint8_t *mb_aout_image(size_t *size, uint32_t flags)
{
    *size = 0x3000 + 0x800;                 /* trailing bytes not loaded */
    uint8_t *img = g_malloc(*size);
    for (size_t i = 0; i < *size; i++) {
        img[i] = (uint8_t)(i * 13 + 1);
    }
    uint8_t *h = img + 0x40;
    mb_header(h, flags | MULTIBOOT_AOUT_KLUDGE);
    put32(h + 12, 0x100040);                /* header_addr */
    put32(h + 16, 0x100000);                /* load_addr */
    put32(h + 20, 0x103000);                /* load_end_addr */
    put32(h + 24, 0x105000);                /* bss_end_addr */
    put32(h + 28, 0x100080);                /* entry_addr */
    return img;
}

static void test_mb_aout_modules(void)
{
    TestRam *t = test_ram_new(64 * MiB, false);
    size_t size;
    g_autofree uint8_t *img = mb_aout_image(&size, MULTIBOOT_PAGE_ALIGN |
                                            MULTIBOOT_MEMORY_INFO);
    uint8_t m0[5000], m1[10];
    MultibootModule mods[2] = {
        { m0, sizeof(m0), "mod0.bin arg1 arg2" },
        { m1, sizeof(m1), "mod1.bin" },
    };
    X86BootEntry entry;
    MultibootLayout lay;

    memset(m0, 0x11, sizeof(m0));
    memset(m1, 0x22, sizeof(m1));
    memset(t->host + 0x100000, 0xaa, 0x10000);  /* bss must come out zeroed */
    g_assert_true(multiboot_load(&t->boot, img, size, "kernel.elf console=x", mods, 2,
                                 &entry, &lay, &error_abort));
    g_assert_false(lay.elf);

    /* 3.2 machine state. */
    g_assert_cmpint(entry.mode, ==, X86_BOOT_PROTECTED32);
    g_assert_cmphex(entry.rip, ==, 0x100080);
    g_assert_cmphex(entry.rax, ==, 0x2BADB002);
    g_assert_cmphex(entry.rbx, ==, lay.info);
    g_assert_cmphex(entry.cs, ==, 0x08);
    g_assert_cmphex(entry.ds, ==, 0x10);
    uint64_t cs = address_space_ldq_le(&t->as, entry.gdt_base + 8, NULL);
    uint64_t ds = address_space_ldq_le(&t->as, entry.gdt_base + 16, NULL);
    g_assert_cmphex(cs, ==, 0x00cf9b000000ffffULL);   /* flat 4 GiB 32-bit code */
    g_assert_cmphex(ds, ==, 0x00cf93000000ffffULL);

    /* Image and bss. */
    g_assert_cmpmem(t->host + 0x100000, 0x3000, img, 0x3000);
    for (unsigned i = 0x103000; i < 0x105000; i++) {
        g_assert_cmphex(t->host[i], ==, 0);
    }

    /* Modules: page-aligned, after the bss, in order, end exclusive. */
    const uint8_t *mbi = t->host + lay.info;
    uint32_t flags = get32(mbi + MBI_FLAGS);
    g_assert_cmphex(flags, ==, MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
                    MULTIBOOT_INFO_MODS | MULTIBOOT_INFO_MEM_MAP |
                    MULTIBOOT_INFO_BOOT_LOADER_NAME);
    g_assert_cmpuint(get32(mbi + MBI_MODS_COUNT), ==, 2);
    const uint8_t *ml = t->host + get32(mbi + MBI_MODS_ADDR);
    uint32_t s0 = get32(ml), e0 = get32(ml + 4), s1 = get32(ml + 16), e1 = get32(ml + 20);
    g_assert_cmphex(s0, ==, 0x105000);
    g_assert_cmphex(e0, ==, 0x105000 + sizeof(m0));
    g_assert_cmphex(s1, ==, 0x107000);
    g_assert_cmphex(e1, ==, 0x107000 + sizeof(m1));
    g_assert_cmpmem(t->host + s0, sizeof(m0), m0, sizeof(m0));
    g_assert_cmpmem(t->host + s1, sizeof(m1), m1, sizeof(m1));
    g_assert_cmpstr((char *)t->host + get32(ml + 8), ==, "mod0.bin arg1 arg2");
    g_assert_cmpstr((char *)t->host + get32(ml + 24), ==, "mod1.bin");
    g_assert_cmphex(lay.info % 4096, ==, 0);
    g_assert_cmphex(lay.info, >=, e1);

    /* Strings and memory sizes. */
    g_assert_cmpstr((char *)t->host + get32(mbi + MBI_CMDLINE), ==, "kernel.elf console=x");
    g_assert_cmpstr((char *)t->host + get32(mbi + MBI_BOOT_LOADER_NAME), ==, "emu");
    g_assert_cmpuint(get32(mbi + MBI_MEM_LOWER), ==, 639);
    g_assert_cmpuint(get32(mbi + MBI_MEM_UPPER), ==, 63 * 1024);

    /* mmap: size fields of 20, the guest map. */
    uint32_t mlen = get32(mbi + MBI_MMAP_LENGTH);
    const uint8_t *mm = t->host + get32(mbi + MBI_MMAP_ADDR);
    g_assert_cmpuint(mlen, ==, 3 * 24);
    g_assert_cmpuint(get32(mm), ==, 20);
    g_assert_cmphex(get64(mm + 4), ==, 0);
    g_assert_cmphex(get64(mm + 12), ==, 0x9fc00);
    g_assert_cmpuint(get32(mm + 20), ==, E820_RAM);
    g_assert_cmpuint(get32(mm + 24), ==, 20);
    g_assert_cmpuint(get32(mm + 44), ==, E820_RESERVED);
    g_assert_cmphex(get64(mm + 52), ==, 1 * MiB);
    g_assert_cmphex(get64(mm + 60), ==, 63 * MiB);
    g_assert_cmpuint(get32(mm + 68), ==, E820_RAM);
    test_ram_free(t);
}

/* An ELF32 kernel linked in the higher half, loaded at physical addresses. */
static uint8_t *mb_elf_image(size_t *size, uint8_t cls)
{
    *size = 0x3000;
    uint8_t *img = g_malloc0(*size);
    memcpy(img, "\x7f" "ELF", 4);
    img[4] = cls;
    img[5] = 1;                                 /* little-endian */
    img[6] = 1;
    put16(img + 0x10, 2);                       /* ET_EXEC */
    put16(img + 0x12, cls == 2 ? 62 : 3);       /* EM_X86_64 / EM_386 */
    put32(img + 0x18, 0xc0100010);              /* e_entry (virtual) */
    put32(img + 0x1c, 0x34);                    /* e_phoff */
    put16(img + 0x2a, 32);
    put16(img + 0x2c, 2);
    /* text: file 0x1000..0x1800 -> 0x100000 (vaddr 0xc0100000) */
    uint8_t *ph = img + 0x34;
    put32(ph, 1);
    put32(ph + 4, 0x1000);
    put32(ph + 8, 0xc0100000);
    put32(ph + 12, 0x100000);
    put32(ph + 16, 0x800);
    put32(ph + 20, 0x800);
    /* data+bss: file 0x2000..0x2100 -> 0x102000, memsz 0x3000 */
    ph += 32;
    put32(ph, 1);
    put32(ph + 4, 0x2000);
    put32(ph + 8, 0xc0102000);
    put32(ph + 12, 0x102000);
    put32(ph + 16, 0x100);
    put32(ph + 20, 0x3000);
    mb_header(img + 0x1000, MULTIBOOT_PAGE_ALIGN);
    memset(img + 0x1010, 0x90, 0x7f0);
    memset(img + 0x2000, 0x77, 0x100);
    return img;
}

static void test_mb_elf(void)
{
    TestRam *t = test_ram_new(16 * MiB, false);
    size_t size;
    g_autofree uint8_t *img = mb_elf_image(&size, 1);
    X86BootEntry entry;
    MultibootLayout lay;

    memset(t->host + 0x100000, 0xaa, 0x10000);
    g_assert_true(multiboot_load(&t->boot, img, size, "k", NULL, 0, &entry, &lay,
                                 &error_abort));
    g_assert_true(lay.elf);
    g_assert_cmphex(entry.rip, ==, 0x100010);   /* e_entry made physical */
    g_assert_cmphex(lay.load_start, ==, 0x100000);
    g_assert_cmphex(lay.load_end, ==, 0x105000);
    g_assert_cmpmem(t->host + 0x100000, 0x800, img + 0x1000, 0x800);
    g_assert_cmpmem(t->host + 0x102000, 0x100, img + 0x2000, 0x100);
    g_assert_cmphex(t->host[0x102100], ==, 0);  /* bss */
    g_assert_cmphex(t->host[0x104fff], ==, 0);
    g_assert_cmphex(t->host[0x101000], ==, 0xaa);  /* gap between segments untouched */
    g_assert_cmphex(lay.info, ==, 0x105000);
    const uint8_t *mbi = t->host + lay.info;
    g_assert_cmpuint(get32(mbi + MBI_MODS_COUNT), ==, 0);
    g_assert_cmpstr((char *)t->host + get32(mbi + MBI_CMDLINE), ==, "k");
    g_assert_cmpuint(get32(mbi + MBI_MEM_UPPER), ==, 15 * 1024);
    test_ram_free(t);
}

static void test_mb_errors(void)
{
    TestRam *t = test_ram_new(16 * MiB, false);
    size_t size;
    X86BootEntry entry;
    Error *err = NULL;

    /* ELF64 without the kludge, as QEMU refuses it. */
    g_autofree uint8_t *elf64 = mb_elf_image(&size, 2);
    g_assert_false(multiboot_load(&t->boot, elf64, size, "", NULL, 0, &entry, NULL, &err));
    assert_error(err, "64-bit ELF");
    err = NULL;

    /* Neither ELF nor kludge. */
    g_autofree uint8_t *raw = g_malloc0(4096);
    mb_header(raw + 16, 0);
    g_assert_false(multiboot_load(&t->boot, raw, 4096, "", NULL, 0, &entry, NULL, &err));
    assert_error(err, "not ELF");
    err = NULL;

    /* No header at all. */
    memset(raw, 0, 4096);
    g_assert_false(multiboot_load(&t->boot, raw, 4096, "", NULL, 0, &entry, NULL, &err));
    assert_error(err, "not a multiboot kernel");
    err = NULL;

    /* A requirement bit emu does not know (bit 3). */
    g_autofree uint8_t *req = mb_aout_image(&size, 1u << 3);
    g_assert_false(multiboot_load(&t->boot, req, size, "", NULL, 0, &entry, NULL, &err));
    assert_error(err, "requires features");
    err = NULL;

    /* The video bit alone is accepted (QEMU does the same). */
    g_autofree uint8_t *video = mb_aout_image(&size, MULTIBOOT_VIDEO_MODE);
    g_assert_true(multiboot_load(&t->boot, video, size, "", NULL, 0, &entry, NULL,
                                 &error_abort));

    /* Truncated: load_end_addr past the end of the file. */
    g_autofree uint8_t *aout = mb_aout_image(&size, 0);
    g_assert_false(multiboot_load(&t->boot, aout, 0x2000, "", NULL, 0, &entry, NULL,
                                  &err));
    assert_error(err, "truncated");
    err = NULL;

    /* load_addr above header_addr. */
    put32(aout + 0x40 + 16, 0x100080);
    g_assert_false(multiboot_load(&t->boot, aout, size, "", NULL, 0, &entry, NULL, &err));
    assert_error(err, "load_addr");
    err = NULL;

    /* A segment past the end of the file. */
    g_autofree uint8_t *elf = mb_elf_image(&size, 1);
    put32(elf + 0x34 + 32 + 16, 0x2000);
    g_assert_false(multiboot_load(&t->boot, elf, size, "", NULL, 0, &entry, NULL, &err));
    assert_error(err, "truncated ELF");
    err = NULL;

    /* A kernel outside RAM. */
    g_autofree uint8_t *high = mb_elf_image(&size, 1);
    put32(high + 0x34 + 12, 0x40000000);
    g_assert_false(multiboot_load(&t->boot, high, size, "", NULL, 0, &entry, NULL, &err));
    assert_error(err, "does not fit in RAM");
    err = NULL;

    /* Modules larger than the RAM left. */
    g_autofree uint8_t *ok = mb_aout_image(&size, 0);
    g_autofree uint8_t *big = g_malloc0(15 * MiB);
    MultibootModule mod = { big, 15 * MiB, "big" };
    g_assert_false(multiboot_load(&t->boot, ok, size, "", &mod, 1, &entry, NULL, &err));
    assert_error(err, "module 0 (big)");
    test_ram_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/linux-boot/header/parse", test_header_parse);
    g_test_add_func("/linux-boot/header/errors", test_header_errors);
    g_test_add_func("/linux-boot/load/layout", test_load_layout);
    g_test_add_func("/linux-boot/load/cmdline-limit", test_load_cmdline_limit);
    g_test_add_func("/linux-boot/load/initrd-placement", test_load_initrd_placement);
    g_test_add_func("/linux-boot/load/small-ram", test_load_small_ram);
    g_test_add_func("/linux-boot/load/e820", test_load_e820);
    g_test_add_func("/linux-boot/load/replay", test_load_replay);
    g_test_add_func("/linux-boot/debian-kernel", test_debian_header);
    g_test_add_func("/multiboot/find-header", test_mb_find_header);
    g_test_add_func("/multiboot/aout-modules", test_mb_aout_modules);
    g_test_add_func("/multiboot/elf32", test_mb_elf);
    g_test_add_func("/multiboot/errors", test_mb_errors);
    return g_test_run();
}
