/*
 * Linux bzImage direct boot, 64-bit boot protocol. References are to
 * Documentation/arch/x86/boot.rst and zero-page.rst of the Linux tree.
 */
#include "hw/i386/linux-boot.h"

#define PAGE_4K 0x1000ULL
#define DIV_ROUND_UP(n, d) ((n) / (d) + ((n) % (d) != 0))   /* no wrap near UINT64_MAX */
#define PAGE_2M 0x200000ULL

/* Page table entry bits (Intel SDM vol. 3, 4.5). */
#define PTE_P 0x001ULL
#define PTE_RW 0x002ULL
#define PTE_PS 0x080ULL

/*
 * Flat 4 GiB descriptors: base 0, limit 0xfffff with G=1, present, DPL 0, type
 * already marked accessed so the CPU never has to write the table.
 */
#define GDT_CODE64 0x00af9b000000ffffULL   /* L=1, D=0: 64-bit code */
#define GDT_DATA 0x00cf93000000ffffULL     /* read/write data, B=1 */

static uint16_t rd16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static uint32_t rd32(const uint8_t *p)
{
    return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void wr32(uint8_t *p, uint32_t v)
{
    wr16(p, v);
    wr16(p + 2, v >> 16);
}

static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, v);
    wr32(p + 4, v >> 32);
}

static uint64_t align_up(uint64_t v, uint64_t align)
{
    if (align <= 1) {
        return v;
    }
    return (v + align - 1) / align * align;
}

bool linux_is_kernel(const uint8_t *image, size_t size)
{
    return size >= LINUX_HEADER + 4 && rd32(image + LINUX_HEADER) == LINUX_HDRS_MAGIC;
}

bool linux_parse_header(const uint8_t *image, size_t size, LinuxSetupHeader *hdr,
                        Error **errp)
{
    memset(hdr, 0, sizeof(*hdr));
    if (!linux_is_kernel(image, size)) {
        error_setg(errp, "not a Linux kernel (no \"HdrS\" signature at offset 0x202)");
        return false;
    }
    if (size < LINUX_INIT_SIZE + 4) {
        error_setg(errp, "truncated Linux kernel: %zu bytes, shorter than its setup header",
                   size);
        return false;
    }
    hdr->version = rd16(image + LINUX_VERSION);
    if (hdr->version < LINUX_MIN_VERSION) {
        error_setg(errp, "Linux boot protocol %u.%02u is too old: emu needs 2.06 or later "
                   "(Linux 2.6.22+)", hdr->version >> 8, hdr->version & 0xff);
        return false;
    }
    /* boot.rst: "If this field is 0, the real value is 4." */
    hdr->setup_sects = image[LINUX_SETUP_SECTS] ? image[LINUX_SETUP_SECTS] : 4;
    hdr->setup_size = (hdr->setup_sects + 1) * 512;
    /* syssize (2.04+) counts the protected-mode code in 16-byte paragraphs. */
    uint64_t sys_bytes = (uint64_t)rd32(image + LINUX_SYSSIZE) * 16;
    if (size < hdr->setup_size + LINUX_ENTRY_64 || size - hdr->setup_size < sys_bytes) {
        error_setg(errp, "truncated Linux kernel: the header says %" PRIu64 " bytes "
                   "(%zu of setup, %" PRIu64 " of kernel), the file has %zu",
                   hdr->setup_size + MAX(sys_bytes, LINUX_ENTRY_64), hdr->setup_size,
                   MAX(sys_bytes, LINUX_ENTRY_64), size);
        return false;
    }
    hdr->kernel_size = size - hdr->setup_size;
    /* "The end of setup header can be calculated as 0x0202 + byte value at 0x0201". */
    hdr->header_end = MIN((size_t)LINUX_HEADER + image[LINUX_JUMP + 1], LINUX_HDR_MAX_END);
    hdr->loadflags = image[LINUX_LOADFLAGS];
    hdr->initrd_addr_max = rd32(image + LINUX_INITRD_ADDR_MAX);
    hdr->kernel_alignment = rd32(image + LINUX_KERNEL_ALIGNMENT);
    hdr->relocatable = image[LINUX_RELOCATABLE] != 0;
    hdr->cmdline_size = rd32(image + LINUX_CMDLINE_SIZE);
    if (hdr->version >= 0x020a) {
        hdr->pref_address = rd64(image + LINUX_PREF_ADDRESS);
        hdr->init_size = rd32(image + LINUX_INIT_SIZE);
    }
    if (hdr->version >= 0x020c) {
        hdr->xloadflags = rd16(image + LINUX_XLOADFLAGS);
    }
    uint16_t kv = rd16(image + LINUX_KERNEL_VERSION);
    if (kv && kv + 0x200 < hdr->setup_size) {
        size_t max = MIN(sizeof(hdr->kernel_version) - 1, hdr->setup_size - kv - 0x200);
        const char *s = (const char *)image + kv + 0x200;
        size_t n = strnlen(s, max);
        memcpy(hdr->kernel_version, s, n);
        for (size_t i = 0; i < n; i++) {
            if (!g_ascii_isprint(hdr->kernel_version[i])) {
                hdr->kernel_version[i] = '?';
            }
        }
    }

    if (!(hdr->loadflags & LINUX_LOADED_HIGH)) {
        error_setg(errp, "not a bzImage (loadflags LOADED_HIGH clear): zImage kernels "
                   "are not supported");
        return false;
    }
    if (!(hdr->xloadflags & LINUX_XLF_KERNEL_64)) {
        error_setg(errp, "the kernel has no 64-bit entry point (boot protocol %u.%02u, "
                   "xloadflags XLF_KERNEL_64 clear): emu boots Linux through the 64-bit "
                   "boot protocol only; use an x86-64 kernel (2.12+)",
                   hdr->version >> 8, hdr->version & 0xff);
        return false;
    }
    return true;
}

/*
 * Where the kernel runs while decompressing when loaded at @load: a relocatable
 * kernel realigns itself to kernel_alignment and (in arch/x86/boot/compressed/
 * head_64.S) never goes below its LOAD_PHYSICAL_ADDR, which is pref_address; a
 * fixed one runs at pref_address (boot.rst, init_size).
 */
static uint64_t linux_kernel_end(const LinuxSetupHeader *hdr, uint64_t load)
{
    uint64_t runtime = hdr->relocatable ? align_up(load, hdr->kernel_alignment) : load;
    runtime = MAX(runtime, hdr->pref_address);
    uint64_t init = MAX((uint64_t)hdr->init_size, hdr->kernel_size);
    /* pref_address and kernel_alignment come from the image: a hostile one can
     * make runtime + init wrap to a small end that linux_fits() would accept. */
    if (runtime < load || runtime + init < runtime) {
        return UINT64_MAX;
    }
    return MAX(load + hdr->kernel_size, runtime + init);
}

static bool linux_fits(const BootRam *ram, const LinuxSetupHeader *hdr, uint64_t load)
{
    uint64_t end = linux_kernel_end(hdr, load);
    return end <= BOOT_4G && boot_ram_is_ram(ram, load, end - load);
}

static bool linux_write_page_tables(BootRam *ram, Error **errp)
{
    uint8_t page[PAGE_4K];

    memset(page, 0, sizeof(page));
    wr64(page, LINUX_PDPT | PTE_P | PTE_RW);
    if (!boot_ram_write(ram, LINUX_PML4, page, sizeof(page), "the page tables", errp)) {
        return false;
    }
    memset(page, 0, sizeof(page));
    for (unsigned i = 0; i < 4; i++) {
        wr64(page + i * 8, (LINUX_PD + i * PAGE_4K) | PTE_P | PTE_RW);
    }
    if (!boot_ram_write(ram, LINUX_PDPT, page, sizeof(page), "the page tables", errp)) {
        return false;
    }
    /* Four page directories of 512 2 MiB pages: the identity map of 0..4 GiB,
     * which covers the kernel, zero page, command line and initrd. */
    for (unsigned i = 0; i < 4; i++) {
        for (unsigned j = 0; j < 512; j++) {
            uint64_t addr = ((uint64_t)i * 512 + j) * PAGE_2M;
            wr64(page + j * 8, addr | PTE_P | PTE_RW | PTE_PS);
        }
        if (!boot_ram_write(ram, LINUX_PD + i * PAGE_4K, page, sizeof(page),
                            "the page tables", errp)) {
            return false;
        }
    }
    return true;
}

bool linux_load(BootRam *ram, const uint8_t *image, size_t size, const char *cmdline,
                const uint8_t *initrd, size_t initrd_size, X86BootEntry *entry,
                LinuxBootLayout *layout, Error **errp)
{
    LinuxBootLayout lay;
    LinuxSetupHeader *hdr = &lay.hdr;

    memset(&lay, 0, sizeof(lay));
    if (!linux_parse_header(image, size, hdr, errp)) {
        return false;
    }
    if (!cmdline) {
        cmdline = "";
    }
    size_t cmdline_len = strlen(cmdline);
    if (cmdline_len > hdr->cmdline_size) {
        error_setg(errp, "the command line (-append) is %zu bytes, longer than the %u "
                   "bytes this kernel accepts (cmdline_size)", cmdline_len,
                   hdr->cmdline_size);
        return false;
    }
    if (cmdline_len + 1 > BOOT_EBDA_START - LINUX_CMDLINE) {
        error_setg(errp, "the command line (-append) is %zu bytes, more than the %llu "
                   "emu can place below 640 KiB", cmdline_len,
                   BOOT_EBDA_START - LINUX_CMDLINE - 1);
        return false;
    }

    /* A relocatable kernel goes where it prefers when that is RAM (boot.rst,
     * pref_address), anything else at 1 MiB like every bzImage. */
    uint64_t load = LINUX_DEFAULT_LOAD;
    if (hdr->relocatable && hdr->pref_address >= BOOT_HIGH_MEM &&
        hdr->pref_address % PAGE_4K == 0 && linux_fits(ram, hdr, hdr->pref_address)) {
        load = hdr->pref_address;
    }
    if (!linux_fits(ram, hdr, load)) {
        uint64_t end = linux_kernel_end(hdr, load);
        uint64_t ram_end = boot_ram_range_end(ram, load);
        error_setg(errp, "the kernel needs RAM from 0x%" PRIx64 " up to 0x%" PRIx64
                   " (%" PRIu64 " MiB, init_size %u) but RAM ends at 0x%" PRIx64
                   ": give the machine more memory with -m", load, end,
                   DIV_ROUND_UP(end, 1024 * 1024), hdr->init_size, ram_end);
        return false;
    }
    lay.kernel_addr = load;
    lay.kernel_end = linux_kernel_end(hdr, load);
    lay.entry = load + LINUX_ENTRY_64;
    lay.zero_page = LINUX_ZERO_PAGE;
    lay.cmdline = LINUX_CMDLINE;

    if (initrd_size) {
        /* The highest page in RAM below the limit and above the kernel, as
         * boot.rst's initrd_addr_max says (it is the last byte's address). A
         * kernel that takes an initrd anywhere (XLF_CAN_BE_LOADED_ABOVE_4G) still
         * gets it below 4 GiB: that is what the page tables map. */
        uint64_t max = BOOT_4G - 1;
        if (!(hdr->xloadflags & LINUX_XLF_CAN_BE_LOADED_ABOVE_4G)) {
            max = MIN(max, (uint64_t)hdr->initrd_addr_max);
        }
        uint64_t min = align_up(lay.kernel_end, PAGE_4K);
        if (!boot_ram_find_top(ram, initrd_size, min, max, PAGE_4K, &lay.initrd)) {
            error_setg(errp, "the initrd (%zu bytes) does not fit in RAM between the "
                       "kernel's end 0x%" PRIx64 " and 0x%" PRIx64
                       ": give the machine more memory with -m", initrd_size, min, max);
            return false;
        }
        lay.initrd_size = initrd_size;
    }

    /* The zero page: zeroed, the file's setup header copied in, then the fields a
     * boot loader writes (boot.rst "64-bit Boot Protocol", zero-page.rst). */
    g_autofree uint8_t *bp = g_malloc0(BP_SIZE);
    memcpy(bp + LINUX_SETUP_SECTS, image + LINUX_SETUP_SECTS,
           hdr->header_end - LINUX_SETUP_SECTS);
    wr16(bp + LINUX_VID_MODE, 0xffff);             /* "normal" */
    bp[LINUX_TYPE_OF_LOADER] = 0xff;               /* no assigned loader id */
    /* No real-mode setup runs, so no heap; KASLR_FLAG is the kernel's. */
    bp[LINUX_LOADFLAGS] = hdr->loadflags & LINUX_LOADED_HIGH;
    wr16(bp + LINUX_HEAP_END_PTR, 0);
    wr32(bp + LINUX_CODE32_START, load);
    wr32(bp + LINUX_CMD_LINE_PTR, LINUX_CMDLINE);
    wr32(bp + BP_EXT_CMD_LINE_PTR, 0);
    wr32(bp + LINUX_RAMDISK_IMAGE, lay.initrd);
    wr32(bp + LINUX_RAMDISK_SIZE, lay.initrd_size);
    wr32(bp + BP_EXT_RAMDISK_IMAGE, lay.initrd >> 32);
    wr32(bp + BP_EXT_RAMDISK_SIZE, lay.initrd_size >> 32);
    /* acpi_rsdp_addr stays 0: Linux scans the BIOS area for the RSDP. */
    if (ram->e820.count > BP_E820_MAX) {
        error_setg(errp, "the memory map has %u ranges, more than the %u the zero page "
                   "holds", ram->e820.count, BP_E820_MAX);
        return false;
    }
    for (unsigned i = 0; i < ram->e820.count; i++) {
        uint8_t *e = bp + BP_E820_TABLE + i * 20;
        wr64(e, ram->e820.entries[i].addr);
        wr64(e + 8, ram->e820.entries[i].size);
        wr32(e + 16, ram->e820.entries[i].type);
    }
    bp[BP_E820_ENTRIES] = ram->e820.count;
    lay.e820_entries = ram->e820.count;

    uint8_t gdt[32] = { 0 };
    wr64(gdt + LINUX_BOOT_CS, GDT_CODE64);
    wr64(gdt + LINUX_BOOT_DS, GDT_DATA);

    if (!boot_ram_write(ram, load, image + hdr->setup_size, hdr->kernel_size,
                        "the kernel", errp) ||
        !boot_ram_write(ram, LINUX_ZERO_PAGE, bp, BP_SIZE, "the zero page", errp) ||
        !boot_ram_write(ram, LINUX_CMDLINE, cmdline, cmdline_len + 1, "the command line",
                        errp) ||
        !boot_ram_write(ram, LINUX_GDT, gdt, sizeof(gdt), "the GDT", errp) ||
        !linux_write_page_tables(ram, errp) ||
        !boot_ram_write(ram, lay.initrd, initrd, lay.initrd_size, "the initrd", errp)) {
        return false;
    }

    /* boot.rst: long mode, paging on, __BOOT_CS/__BOOT_DS flat, interrupts off,
     * %rsi = boot_params. */
    memset(entry, 0, sizeof(*entry));
    entry->mode = X86_BOOT_LONG64;
    entry->rip = lay.entry;
    entry->rsi = LINUX_ZERO_PAGE;
    entry->rsp = LINUX_STACK_TOP;
    entry->cr3 = LINUX_PML4;
    entry->gdt_base = LINUX_GDT;
    entry->gdt_limit = sizeof(gdt) - 1;
    entry->cs = LINUX_BOOT_CS;
    entry->ds = LINUX_BOOT_DS;
    if (layout) {
        *layout = lay;
    }
    return true;
}
