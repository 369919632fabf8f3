/*
 * -kernel on the PC: a Linux bzImage (64-bit boot protocol) or a multiboot
 * kernel, loaded without firmware. The format is chosen as QEMU does: a file
 * with the Linux "HdrS" signature is Linux, anything else is looked at for a
 * multiboot header. The loaded bytes are written again on every machine reset,
 * and the CPU starts from pcms->boot_entry.
 */
#include "hw/i386/pc-devices.h"
#include "hw/i386/linux-boot.h"
#include "hw/i386/multiboot.h"
#include "hw/nvram/fw_cfg.h"
#include "system/runstate.h"
#include "util/log.h"

#include <fcntl.h>
#include <sys/stat.h>

/* One machine per process: what was written, for resets. */
static BootRam pc_boot_ram;
static const char *pc_boot_protocol = "none";

/* Read a whole regular file; @opt names the option in errors ("-kernel"). */
static bool pc_read_file(const char *opt, const char *path, uint8_t **data, size_t *len,
                         Error **errp)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        error_setg_errno(errp, errno, "%s %s: cannot open", opt, path);
        return false;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        error_setg(errp, "%s %s: not a regular file", opt, path);
        close(fd);
        return false;
    }
    uint8_t *buf = g_try_malloc(st.st_size ? st.st_size : 1);
    if (!buf) {
        error_setg(errp, "%s %s: cannot allocate %lld bytes to read it", opt, path,
                   (long long)st.st_size);
        close(fd);
        return false;
    }
    size_t done = 0;
    while (done < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + done, st.st_size - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            error_setg_errno(errp, n < 0 ? errno : 0, "%s %s: read error%s", opt, path,
                             n == 0 ? " (file shrank while reading)" : "");
            g_free(buf);
            close(fd);
            return false;
        }
        done += n;
    }
    close(fd);
    *data = buf;
    *len = done;
    return true;
}

/*
 * Split -initrd's list as QEMU does: ',' separates items, ",," is a literal
 * comma. For multiboot each item is "file args"; for Linux each item is a file.
 */
static GPtrArray *pc_split_initrd(const char *list)
{
    GPtrArray *items = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);

    for (const char *p = list; ; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
        } else if (*p == ',' || *p == '\0') {
            g_ptr_array_add(items, g_string_free(cur, false));
            if (*p == '\0') {
                break;
            }
            cur = g_string_new(NULL);
        } else {
            g_string_append_c(cur, *p);
        }
    }
    return items;
}

static void pc_boot_reset(void *opaque)
{
    boot_ram_replay(opaque);
}

/* For the firmware path (a BIOS with a linuxboot ROM): the kernel split as QEMU
 * hands it over in fw_cfg. emu's own direct boot does not need it. */
static void pc_boot_fw_cfg_linux(FWCfgState *fw, const uint8_t *image,
                                 const LinuxBootLayout *lay, const char *cmdline,
                                 const uint8_t *initrd)
{
    const LinuxSetupHeader *hdr = &lay->hdr;
    size_t cmdline_size = strlen(cmdline) + 1;
    uint8_t *setup = g_malloc(hdr->setup_size);

    memcpy(setup, image, hdr->setup_size);

    /* The real-mode part runs at 0x10000 with heap up to 0xfe00 and the command
     * line at LINUX_CMDLINE (boot.rst "Sample Boot Configuration"). */
    setup[LINUX_TYPE_OF_LOADER] = 0xb0;           /* QEMU's id: what firmware expects */
    setup[LINUX_LOADFLAGS] |= LINUX_CAN_USE_HEAP;
    setup[LINUX_HEAP_END_PTR] = (0xfe00 - 0x200) & 0xff;
    setup[LINUX_HEAP_END_PTR + 1] = (0xfe00 - 0x200) >> 8;
    for (int i = 0; i < 4; i++) {
        setup[LINUX_CMD_LINE_PTR + i] = (uint32_t)LINUX_CMDLINE >> (8 * i);
        setup[LINUX_RAMDISK_IMAGE + i] = (uint32_t)lay->initrd >> (8 * i);
        setup[LINUX_RAMDISK_SIZE + i] = (uint32_t)lay->initrd_size >> (8 * i);
    }
    fw_cfg_modify_i32(fw, FW_CFG_SETUP_ADDR, 0x10000);
    fw_cfg_modify_i32(fw, FW_CFG_SETUP_SIZE, hdr->setup_size);
    fw_cfg_modify_bytes(fw, FW_CFG_SETUP_DATA, setup, hdr->setup_size);
    g_free(setup);
    fw_cfg_modify_i32(fw, FW_CFG_KERNEL_ADDR, lay->kernel_addr);
    fw_cfg_modify_i32(fw, FW_CFG_KERNEL_SIZE, hdr->kernel_size);
    fw_cfg_modify_bytes(fw, FW_CFG_KERNEL_DATA, image + hdr->setup_size, hdr->kernel_size);
    fw_cfg_modify_i32(fw, FW_CFG_CMDLINE_ADDR, LINUX_CMDLINE);
    fw_cfg_modify_i32(fw, FW_CFG_CMDLINE_SIZE, cmdline_size);
    fw_cfg_modify_bytes(fw, FW_CFG_CMDLINE_DATA, cmdline, cmdline_size);
    fw_cfg_modify_i32(fw, FW_CFG_INITRD_ADDR, lay->initrd);
    fw_cfg_modify_i32(fw, FW_CFG_INITRD_SIZE, lay->initrd_size);
    fw_cfg_modify_bytes(fw, FW_CFG_INITRD_DATA, initrd, lay->initrd_size);
}

static bool pc_boot_linux(PCMachineState *pcms, const uint8_t *image, size_t size,
                          Error **errp)
{
    MachineState *ms = MACHINE(pcms);
    const char *cmdline = ms->kernel_cmdline ? ms->kernel_cmdline : "";
    g_autoptr(GByteArray) initrd = g_byte_array_new();
    LinuxBootLayout lay;

    if (ms->initrd_filename && *ms->initrd_filename) {
        /* Several files are concatenated (cpio archives may follow one another,
         * each starting 4-byte aligned). */
        g_autoptr(GPtrArray) files = pc_split_initrd(ms->initrd_filename);
        for (guint i = 0; i < files->len; i++) {
            uint8_t *data;
            size_t len;
            if (!pc_read_file("-initrd", g_ptr_array_index(files, i), &data, &len, errp)) {
                return false;
            }
            while (initrd->len % 4) {
                g_byte_array_append(initrd, (const guint8 *)"", 1);
            }
            g_byte_array_append(initrd, data, len);
            g_free(data);
        }
    }
    if (!linux_load(&pc_boot_ram, image, size, cmdline, initrd->data, initrd->len,
                    &pcms->boot_entry, &lay, errp)) {
        return false;
    }

    const LinuxSetupHeader *hdr = &lay.hdr;
    emu_log_mask(LOG_BOOT, "boot: Linux bzImage %s, boot protocol %u.%02u%s%s%s\n",
                 ms->kernel_filename, hdr->version >> 8, hdr->version & 0xff,
                 hdr->kernel_version[0] ? ", version \"" : "", hdr->kernel_version,
                 hdr->kernel_version[0] ? "\"" : "");
    emu_log_mask(LOG_BOOT, "boot: kernel %zu bytes at 0x%" PRIx64 " (%s, needs RAM up to "
                 "0x%" PRIx64 "), 64-bit entry 0x%" PRIx64 "\n", hdr->kernel_size,
                 lay.kernel_addr, hdr->relocatable && lay.kernel_addr == hdr->pref_address
                 ? "pref_address" : "1 MiB", lay.kernel_end, lay.entry);
    emu_log_mask(LOG_BOOT, "boot: zero page 0x%" PRIx64 ", command line 0x%" PRIx64
                 " \"%s\", page tables 0x%x (identity map of 4 GiB), %u e820 entries\n",
                 lay.zero_page, lay.cmdline, cmdline, LINUX_PML4, lay.e820_entries);
    if (lay.initrd_size) {
        emu_log_mask(LOG_BOOT, "boot: initrd %" PRIu64 " bytes at 0x%" PRIx64 "-0x%"
                     PRIx64 " (initrd_addr_max 0x%x%s)\n", lay.initrd_size, lay.initrd,
                     lay.initrd + lay.initrd_size - 1, hdr->initrd_addr_max,
                     hdr->xloadflags & LINUX_XLF_CAN_BE_LOADED_ABOVE_4G
                     ? ", may be above 4 GiB" : "");
    } else {
        emu_log_mask(LOG_BOOT, "boot: no initrd\n");
    }
    if (pcms->fw_cfg) {
        pc_boot_fw_cfg_linux(pcms->fw_cfg, image, &lay, cmdline, initrd->data);
    }
    pc_boot_protocol = "linux";
    return true;
}

static bool pc_boot_multiboot(PCMachineState *pcms, const uint8_t *image, size_t size,
                              Error **errp)
{
    MachineState *ms = MACHINE(pcms);
    g_autoptr(GPtrArray) items = NULL;
    g_autoptr(GPtrArray) datas = g_ptr_array_new_with_free_func(g_free);
    g_autofree MultibootModule *mods = NULL;
    unsigned nr_mods = 0;
    MultibootLayout lay;

    if (ms->initrd_filename && *ms->initrd_filename) {
        /* "-initrd 'file args,file2'": each module's string is the whole item. */
        items = pc_split_initrd(ms->initrd_filename);
        mods = g_new0(MultibootModule, items->len);
        for (guint i = 0; i < items->len; i++) {
            const char *item = g_ptr_array_index(items, i);
            g_autofree char *path = g_strndup(item, strcspn(item, " "));
            uint8_t *data;
            size_t len;
            if (!pc_read_file("-initrd", path, &data, &len, errp)) {
                return false;
            }
            g_ptr_array_add(datas, data);
            mods[nr_mods++] = (MultibootModule){ .data = data, .size = len,
                                                 .cmdline = item };
        }
    }
    /* The kernel's string is "path args", as QEMU and GRUB pass it. */
    g_autofree char *cmdline = ms->kernel_cmdline && *ms->kernel_cmdline
        ? g_strdup_printf("%s %s", ms->kernel_filename, ms->kernel_cmdline)
        : g_strdup(ms->kernel_filename);
    if (!multiboot_load(&pc_boot_ram, image, size, cmdline, mods, nr_mods,
                        &pcms->boot_entry, &lay, errp)) {
        return false;
    }
    emu_log_mask(LOG_BOOT, "boot: multiboot kernel %s (%s), header at 0x%x, flags 0x%x\n",
                 ms->kernel_filename, lay.elf ? "ELF32" : "a.out kludge",
                 lay.header.offset, lay.header.flags);
    emu_log_mask(LOG_BOOT, "boot: image 0x%" PRIx64 "-0x%" PRIx64 ", entry 0x%" PRIx64
                 ", %u module(s), info at 0x%" PRIx64 ", mem_lower %u KiB, "
                 "mem_upper %u KiB, %u mmap entries\n", lay.load_start, lay.load_end,
                 lay.entry, lay.nr_mods, lay.info, lay.mem_lower, lay.mem_upper,
                 lay.mmap_entries);
    for (unsigned i = 0; i < nr_mods && i < G_N_ELEMENTS(lay.mods); i++) {
        emu_log_mask(LOG_BOOT, "boot: module %u at 0x%" PRIx64 " (%zu bytes): %s\n", i,
                     lay.mods[i], mods[i].size, mods[i].cmdline);
    }
    pc_boot_protocol = "multiboot";
    return true;
}

static GVariant *pc_boot_str_get(Object *obj, ObjectProperty *prop, Error **errp)
{
    return g_variant_new_string(*(const char **)prop->opaque);
}

static const char *const boot_mode_names[] = {
    [X86_BOOT_RESET_VECTOR] = "reset-vector",
    [X86_BOOT_PROTECTED32] = "protected32",
    [X86_BOOT_LONG64] = "long64",
};
static const char *pc_boot_mode_name;

/* Read-only properties on /machine so tests and people can see the entry state
 * (qom-get /machine boot-entry-rip). */
static void pc_boot_add_properties(PCMachineState *pcms)
{
    static const struct {
        const char *name;
        size_t offset;
    } regs[] = {
        { "boot-entry-rip", offsetof(X86BootEntry, rip) },
        { "boot-entry-rsp", offsetof(X86BootEntry, rsp) },
        { "boot-entry-rax", offsetof(X86BootEntry, rax) },
        { "boot-entry-rbx", offsetof(X86BootEntry, rbx) },
        { "boot-entry-rsi", offsetof(X86BootEntry, rsi) },
        { "boot-entry-cr3", offsetof(X86BootEntry, cr3) },
        { "boot-entry-gdt-base", offsetof(X86BootEntry, gdt_base) },
    };
    Object *obj = OBJECT(pcms);

    for (size_t i = 0; i < G_N_ELEMENTS(regs); i++) {
        if (!object_property_find(obj, regs[i].name)) {
            object_property_add_uint64_ptr(
                obj, regs[i].name,
                (const uint64_t *)((const char *)&pcms->boot_entry + regs[i].offset));
        }
    }
    pc_boot_mode_name = boot_mode_names[pcms->boot_entry.mode];
    if (!object_property_find(obj, "boot-protocol")) {
        object_property_add(obj, "boot-protocol", "str", PROP_KIND_STRING,
                            pc_boot_str_get, NULL, NULL, &pc_boot_protocol);
        object_property_add(obj, "boot-entry-mode", "str", PROP_KIND_STRING,
                            pc_boot_str_get, NULL, NULL, &pc_boot_mode_name);
    }
}

bool pc_load_kernel(PCMachineState *pcms, Error **errp)
{
    MachineState *ms = MACHINE(pcms);
    const char *path = ms->kernel_filename;
    g_autofree uint8_t *image = NULL;
    size_t size;
    Error *err = NULL;
    bool ok = false;

    if (!pc_read_file("-kernel", path, &image, &size, errp)) {
        return false;
    }
    boot_ram_destroy(&pc_boot_ram);
    boot_ram_init(&pc_boot_ram, &address_space_memory, &pcms->e820, true);

    if (linux_is_kernel(image, size)) {
        ok = pc_boot_linux(pcms, image, size, &err);
    } else {
        MultibootHeader mh;
        int found = multiboot_find_header(image, size, &mh, &err);
        if (found > 0) {
            ok = pc_boot_multiboot(pcms, image, size, &err);
        } else if (found == 0) {
            error_setg(&err, "neither a Linux bzImage (no \"HdrS\" at offset 0x202) nor a "
                       "multiboot kernel (no header in the first 8 KiB)%s",
                       size < LINUX_HEADER + 4 ? "; the file is too short" : "");
        }
    }
    if (!ok) {
        /* Errors about -initrd files already name their file. */
        if (!g_str_has_prefix(error_get_pretty(err), "-initrd ")) {
            error_prepend(&err, "-kernel %s: ", path);
        }
        error_propagate(errp, err);
        boot_ram_destroy(&pc_boot_ram);
        memset(&pcms->boot_entry, 0, sizeof(pcms->boot_entry));
        return false;
    }
    register_reset_handler(pc_boot_reset, &pc_boot_ram);
    pc_boot_add_properties(pcms);
    return true;
}
