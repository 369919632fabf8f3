/*
 * Multiboot version 1 loader. Section numbers are those of the Multiboot
 * Specification version 0.6.96 ("3.1 OS image format", "3.2 Machine state",
 * "3.3 Boot information format").
 */
#include "hw/i386/multiboot.h"

#define PAGE_4K 0x1000ULL

/* ELF (System V ABI, i386 supplement). */
#define EI_CLASS 4
#define ELFCLASS32 1
#define ELFCLASS64 2
#define EM_386 3
#define PT_LOAD 1

/* Flat 4 GiB 32-bit descriptors, type already marked accessed. */
#define GDT_CODE32 0x00cf9b000000ffffULL
#define GDT_DATA32 0x00cf93000000ffffULL

/* Layout of the information block emu builds after the modules. */
#define INFO_GDT 0x60
#define INFO_MODS 0x80

static uint16_t rd16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static uint32_t rd32(const uint8_t *p)
{
    return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, v);
    wr32(p + 4, v >> 32);
}

static uint64_t page_align(uint64_t v)
{
    return (v + PAGE_4K - 1) & ~(PAGE_4K - 1);
}

int multiboot_find_header(const uint8_t *image, size_t size, MultibootHeader *mh,
                          Error **errp)
{
    /* 3.1.1: "contained completely within the first 8192 bytes", 32-bit aligned. */
    size_t limit = MIN(size, (size_t)MULTIBOOT_SEARCH);
    long bad = -1;

    memset(mh, 0, sizeof(*mh));
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        if (rd32(image + off) != MULTIBOOT_HEADER_MAGIC) {
            continue;
        }
        uint32_t flags = rd32(image + off + 4);
        uint32_t checksum = rd32(image + off + 8);
        /* 3.1.2: magic + flags + checksum is zero modulo 2^32. */
        if ((uint32_t)(MULTIBOOT_HEADER_MAGIC + flags + checksum) != 0) {
            if (bad < 0) {
                bad = off;
            }
            continue;
        }
        mh->offset = off;
        mh->flags = flags;
        if (flags & MULTIBOOT_AOUT_KLUDGE) {
            if (off + 32 > limit) {
                error_setg(errp, "the multiboot header at offset 0x%zx is cut short: its "
                           "address fields (flag bit 16) lie past %s", off,
                           limit < size ? "the first 8 KiB" : "the end of the file");
                return -1;
            }
            mh->header_addr = rd32(image + off + 12);
            mh->load_addr = rd32(image + off + 16);
            mh->load_end_addr = rd32(image + off + 20);
            mh->bss_end_addr = rd32(image + off + 24);
            mh->entry_addr = rd32(image + off + 28);
        }
        return 1;
    }
    if (bad >= 0) {
        error_setg(errp, "the multiboot header at offset 0x%lx has a bad checksum", bad);
        return -1;
    }
    return 0;
}

/* 3.1.3 "The address fields of Multiboot header": the a.out kludge. */
static bool multiboot_load_kludge(BootRam *ram, const uint8_t *image, size_t size,
                                  MultibootLayout *lay, Error **errp)
{
    const MultibootHeader *mh = &lay->header;

    if (mh->load_addr > mh->header_addr) {
        error_setg(errp, "multiboot load_addr 0x%x is above header_addr 0x%x",
                   mh->load_addr, mh->header_addr);
        return false;
    }
    uint64_t delta = mh->header_addr - mh->load_addr;
    if (delta > mh->offset) {
        error_setg(errp, "multiboot load_addr 0x%x would start 0x%" PRIx64 " bytes before "
                   "the header, which is only 0x%x bytes into the file", mh->load_addr,
                   delta, mh->offset);
        return false;
    }
    uint64_t file_off = mh->offset - delta;
    uint64_t load_size;
    if (mh->load_end_addr == 0) {
        load_size = size - file_off;        /* "the text and data occupy the rest" */
    } else if (mh->load_end_addr < mh->load_addr) {
        error_setg(errp, "multiboot load_end_addr 0x%x is below load_addr 0x%x",
                   mh->load_end_addr, mh->load_addr);
        return false;
    } else {
        load_size = mh->load_end_addr - mh->load_addr;
        if (file_off + load_size > size) {
            error_setg(errp, "truncated multiboot kernel: load_addr..load_end_addr needs "
                       "%" PRIu64 " bytes from offset 0x%" PRIx64 ", the file has %zu",
                       load_size, file_off, size);
            return false;
        }
    }
    uint64_t end = (uint64_t)mh->load_addr + load_size;
    if (mh->bss_end_addr && mh->bss_end_addr < end) {
        error_setg(errp, "multiboot bss_end_addr 0x%x is below the end of the loaded "
                   "image 0x%" PRIx64, mh->bss_end_addr, end);
        return false;
    }
    if (!boot_ram_write(ram, mh->load_addr, image + file_off, load_size,
                        "the multiboot kernel", errp)) {
        return false;
    }
    if (mh->bss_end_addr &&
        !boot_ram_write(ram, end, NULL, mh->bss_end_addr - end, "the multiboot bss",
                        errp)) {
        return false;
    }
    lay->load_start = mh->load_addr;
    lay->load_end = mh->bss_end_addr ? mh->bss_end_addr : end;
    lay->entry = mh->entry_addr;
    return true;
}

/* 3.1.3 otherwise: an ELF image, loaded at its segments' physical addresses. */
static bool multiboot_load_elf(BootRam *ram, const uint8_t *image, size_t size,
                               MultibootLayout *lay, Error **errp)
{
    if (size < 52 || memcmp(image, "\x7f" "ELF", 4) != 0) {
        error_setg(errp, "the multiboot header has no address fields (flag bit 16) and "
                   "the file is not ELF");
        return false;
    }
    if (image[EI_CLASS] == ELFCLASS64) {
        error_setg(errp, "64-bit ELF multiboot kernels are not supported: link the "
                   "kernel as ELF32 or set the a.out kludge (flag bit 16)");
        return false;
    }
    if (image[EI_CLASS] != ELFCLASS32 || rd16(image + 0x12) != EM_386) {
        error_setg(errp, "the multiboot kernel is not an ELF32 i386 file (class %u, "
                   "machine %u)", image[EI_CLASS], rd16(image + 0x12));
        return false;
    }
    uint32_t e_entry = rd32(image + 0x18);
    uint32_t phoff = rd32(image + 0x1c);
    unsigned phentsize = rd16(image + 0x2a);
    unsigned phnum = rd16(image + 0x2c);
    if (phentsize < 32 || phoff > size || (uint64_t)phnum * phentsize > size - phoff) {
        error_setg(errp, "truncated ELF multiboot kernel: %u program headers at offset "
                   "0x%x do not fit in %zu bytes", phnum, phoff, size);
        return false;
    }

    bool loaded = false;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = image + phoff + (size_t)i * phentsize;
        uint32_t offset = rd32(ph + 4), vaddr = rd32(ph + 8), paddr = rd32(ph + 12);
        uint32_t filesz = rd32(ph + 16), memsz = rd32(ph + 20);
        if (rd32(ph) != PT_LOAD || memsz == 0) {
            continue;
        }
        if (filesz > memsz || offset > size || filesz > size - offset) {
            error_setg(errp, "truncated ELF multiboot kernel: segment %u wants %u bytes at "
                       "offset 0x%x (memsz %u), the file has %zu", i, filesz, offset,
                       memsz, size);
            return false;
        }
        g_autofree char *what = g_strdup_printf("ELF segment %u", i);
        if (!boot_ram_write(ram, paddr, image + offset, filesz, what, errp) ||
            !boot_ram_write(ram, (uint64_t)paddr + filesz, NULL, memsz - filesz, what,
                            errp)) {
            return false;
        }
        uint64_t end = (uint64_t)paddr + memsz;
        if (!loaded || paddr < lay->load_start) {
            lay->load_start = paddr;
        }
        if (!loaded || end > lay->load_end) {
            lay->load_end = end;
        }
        /* The entry point is a virtual address; run it at the physical address of
         * the segment holding it (paging is off), as GRUB and QEMU do. */
        if (e_entry >= vaddr && e_entry - vaddr < memsz) {
            lay->entry = (uint64_t)e_entry - vaddr + paddr;
        }
        loaded = true;
    }
    if (!loaded) {
        error_setg(errp, "the ELF multiboot kernel has no loadable segment");
        return false;
    }
    if (!lay->entry) {
        lay->entry = e_entry;
    }
    lay->elf = true;
    return true;
}

bool multiboot_load(BootRam *ram, const uint8_t *image, size_t size, const char *cmdline,
                    const MultibootModule *mods, unsigned nr_mods, X86BootEntry *entry,
                    MultibootLayout *layout, Error **errp)
{
    MultibootLayout lay;
    int found;

    memset(&lay, 0, sizeof(lay));
    found = multiboot_find_header(image, size, &lay.header, errp);
    if (found == 0) {
        error_setg(errp, "not a multiboot kernel (no header in the first 8 KiB)");
    }
    if (found <= 0) {
        return false;
    }
    /* 3.1.2: a loader must refuse requirement bits (0-15) it does not know. Video
     * mode (bit 2) is accepted without video information, as QEMU does. */
    uint32_t unknown = lay.header.flags & 0xffff &
        ~(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_VIDEO_MODE);
    if (unknown) {
        error_setg(errp, "the multiboot kernel requires features emu does not know "
                   "(header flags 0x%x)", unknown);
        return false;
    }
    if (lay.header.flags & MULTIBOOT_AOUT_KLUDGE) {
        if (!multiboot_load_kludge(ram, image, size, &lay, errp)) {
            return false;
        }
    } else if (!multiboot_load_elf(ram, image, size, &lay, errp)) {
        return false;
    }

    /* Modules: page-aligned one after the other above the kernel (3.3 mods; page
     * alignment is what flag bit 0 asks for, and costs nothing otherwise). */
    uint64_t next = page_align(lay.load_end);
    g_autofree uint64_t *mod_addr = g_new0(uint64_t, nr_mods + 1);
    for (unsigned i = 0; i < nr_mods; i++) {
        g_autofree char *what = g_strdup_printf("multiboot module %u (%s)", i,
                                                mods[i].cmdline ? mods[i].cmdline : "");
        mod_addr[i] = next;
        if (next + mods[i].size > BOOT_4G ||
            !boot_ram_write(ram, next, mods[i].data, mods[i].size, what, errp)) {
            if (next + mods[i].size > BOOT_4G) {
                error_setg(errp, "%s does not fit in RAM below 4 GiB", what);
            }
            return false;
        }
        if (i < G_N_ELEMENTS(lay.mods)) {
            lay.mods[i] = next;
        }
        next = page_align(next + mods[i].size);
    }
    lay.nr_mods = nr_mods;

    /* The information block: structure, GDT, module list, memory map, strings. */
    GByteArray *blk = g_byte_array_new();
    uint64_t info = next;
    unsigned mmap_off = INFO_MODS + nr_mods * MB_MOD_SIZE;
    unsigned str_off = mmap_off + ram->e820.count * MB_MMAP_ENTRY_SIZE;
    g_byte_array_set_size(blk, str_off);
    memset(blk->data, 0, blk->len);

    const char *name = "emu";
    uint32_t name_addr = info + blk->len;
    g_byte_array_append(blk, (const guint8 *)name, strlen(name) + 1);
    uint32_t cmdline_addr = info + blk->len;
    cmdline = cmdline ? cmdline : "";
    g_byte_array_append(blk, (const guint8 *)cmdline, strlen(cmdline) + 1);
    for (unsigned i = 0; i < nr_mods; i++) {
        const char *s = mods[i].cmdline ? mods[i].cmdline : "";
        uint8_t *m = blk->data + INFO_MODS + i * MB_MOD_SIZE;
        wr32(m, mod_addr[i]);
        wr32(m + 4, mod_addr[i] + mods[i].size);   /* end, exclusive (as GRUB) */
        wr32(m + 8, info + blk->len);
        wr32(m + 12, 0);
        g_byte_array_append(blk, (const guint8 *)s, strlen(s) + 1);
    }
    /* 3.3 mmap: each entry starts with its size (20) not counting the size field. */
    for (unsigned i = 0; i < ram->e820.count; i++) {
        uint8_t *e = blk->data + mmap_off + i * MB_MMAP_ENTRY_SIZE;
        wr32(e, MB_MMAP_ENTRY_SIZE - 4);
        wr64(e + 4, ram->e820.entries[i].addr);
        wr64(e + 12, ram->e820.entries[i].size);
        wr32(e + 20, ram->e820.entries[i].type);
    }
    lay.mmap_entries = ram->e820.count;
    /* mem_lower: RAM from 0 (at most 640 KiB); mem_upper: RAM from 1 MiB up to the
     * first hole (3.3). */
    uint64_t low_end = MIN(boot_ram_range_end(ram, 0), BOOT_LOW_RAM_END);
    uint64_t high_end = MIN(boot_ram_range_end(ram, BOOT_HIGH_MEM), BOOT_4G);
    lay.mem_lower = low_end / 1024;
    lay.mem_upper = high_end ? (high_end - BOOT_HIGH_MEM) / 1024 : 0;

    uint8_t *mbi = blk->data;
    wr32(mbi + MBI_FLAGS, MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
         MULTIBOOT_INFO_MODS | MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_BOOT_LOADER_NAME);
    wr32(mbi + MBI_MEM_LOWER, lay.mem_lower);
    wr32(mbi + MBI_MEM_UPPER, lay.mem_upper);
    wr32(mbi + MBI_CMDLINE, cmdline_addr);
    wr32(mbi + MBI_MODS_COUNT, nr_mods);
    wr32(mbi + MBI_MODS_ADDR, info + INFO_MODS);
    wr32(mbi + MBI_MMAP_LENGTH, ram->e820.count * MB_MMAP_ENTRY_SIZE);
    wr32(mbi + MBI_MMAP_ADDR, info + mmap_off);
    wr32(mbi + MBI_BOOT_LOADER_NAME, name_addr);
    wr64(blk->data + INFO_GDT + MULTIBOOT_CODE_SEL, GDT_CODE32);
    wr64(blk->data + INFO_GDT + MULTIBOOT_DATA_SEL, GDT_DATA32);

    bool ok = info + blk->len <= BOOT_4G &&
              boot_ram_write(ram, info, blk->data, blk->len,
                             "the multiboot information", errp);
    if (!ok && info + blk->len > BOOT_4G) {
        error_setg(errp, "the multiboot information does not fit in RAM below 4 GiB");
    }
    g_byte_array_unref(blk);
    if (!ok) {
        return false;
    }
    lay.info = info;

    /* 3.2: EAX magic, EBX info, flat CS/DS, protected mode, paging and interrupts
     * off. The GDTR "may be invalid" per the spec; ours is valid anyway. */
    memset(entry, 0, sizeof(*entry));
    entry->mode = X86_BOOT_PROTECTED32;
    entry->rip = lay.entry;
    entry->rax = MULTIBOOT_BOOTLOADER_MAGIC;
    entry->rbx = info;
    entry->rsp = MULTIBOOT_STACK_TOP;
    entry->gdt_base = info + INFO_GDT;
    entry->gdt_limit = 3 * 8 - 1;
    entry->cs = MULTIBOOT_CODE_SEL;
    entry->ds = MULTIBOOT_DATA_SEL;
    if (layout) {
        *layout = lay;
    }
    return true;
}
