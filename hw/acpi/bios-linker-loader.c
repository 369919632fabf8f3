/*
 * Table-loader script writer (for firmware) and runner (for direct kernel
 * boot). Format as in QEMU's hw/acpi/bios-linker-loader.c and SeaBIOS's
 * src/fw/romfile_loader.c, which executes it.
 */
#include "hw/acpi/bios-linker-loader.h"
#include "system/memory.h"

BIOSLinker *bios_linker_loader_init(void)
{
    BIOSLinker *l = g_new0(BIOSLinker, 1);
    l->cmd_blob = g_byte_array_new();
    l->files = g_array_new(false, true, sizeof(BIOSLinkerFile));
    return l;
}

void bios_linker_loader_cleanup(BIOSLinker *linker)
{
    for (guint i = 0; i < linker->files->len; i++) {
        g_free(g_array_index(linker->files, BIOSLinkerFile, i).name);
    }
    g_array_free(linker->files, true);
    g_byte_array_unref(linker->cmd_blob);
    g_free(linker);
}

static const BIOSLinkerFile *linker_find(const BIOSLinker *l, const char *name)
{
    for (guint i = 0; i < l->files->len; i++) {
        const BIOSLinkerFile *f = &g_array_index(l->files, BIOSLinkerFile, i);
        if (!strcmp(f->name, name)) {
            return f;
        }
    }
    return NULL;
}

/* A zeroed 128-byte command starting with @command; returns its payload. */
static uint8_t *linker_new_cmd(BIOSLinker *l, uint32_t command)
{
    uint8_t cmd[BIOS_LINKER_LOADER_ENTRY_SIZE] = { 0 };
    uint32_t le = GUINT32_TO_LE(command);
    memcpy(cmd, &le, 4);
    g_byte_array_append(l->cmd_blob, cmd, sizeof(cmd));
    return l->cmd_blob->data + l->cmd_blob->len - sizeof(cmd) + 4;
}

static void put_name(uint8_t *dst, const char *name)
{
    g_assert(strlen(name) < BIOS_LINKER_LOADER_FILESZ);
    memcpy(dst, name, strlen(name));
}

static void put_le32(uint8_t *dst, uint32_t v)
{
    v = GUINT32_TO_LE(v);
    memcpy(dst, &v, 4);
}

static uint32_t get_le32(const uint8_t *src)
{
    uint32_t v;
    memcpy(&v, src, 4);
    return GUINT32_FROM_LE(v);
}

void bios_linker_loader_alloc(BIOSLinker *linker, const char *file, GByteArray *blob,
                              uint32_t align, bool fseg)
{
    g_assert(!linker_find(linker, file));
    g_assert(align && !(align & (align - 1)));
    BIOSLinkerFile f = { .name = g_strdup(file), .blob = blob };
    g_array_append_val(linker->files, f);

    uint8_t *p = linker_new_cmd(linker, BIOS_LINKER_LOADER_COMMAND_ALLOCATE);
    put_name(p, file);
    put_le32(p + BIOS_LINKER_LOADER_FILESZ, align);
    p[BIOS_LINKER_LOADER_FILESZ + 4] = fseg ? BIOS_LINKER_LOADER_ALLOC_ZONE_FSEG
                                            : BIOS_LINKER_LOADER_ALLOC_ZONE_HIGH;
}

void bios_linker_loader_add_checksum(BIOSLinker *linker, const char *file,
                                     uint32_t start, uint32_t size,
                                     uint32_t checksum_offset)
{
    const BIOSLinkerFile *f = linker_find(linker, file);
    g_assert(f);
    g_assert(start <= f->blob->len && size <= f->blob->len - start);
    g_assert(checksum_offset >= start && checksum_offset < start + size);
    /* The loader subtracts the sum from the byte: it must start at zero. */
    f->blob->data[checksum_offset] = 0;

    uint8_t *p = linker_new_cmd(linker, BIOS_LINKER_LOADER_COMMAND_ADD_CHECKSUM);
    put_name(p, file);
    put_le32(p + BIOS_LINKER_LOADER_FILESZ, checksum_offset);
    put_le32(p + BIOS_LINKER_LOADER_FILESZ + 4, start);
    put_le32(p + BIOS_LINKER_LOADER_FILESZ + 8, size);
}

void bios_linker_loader_add_pointer(BIOSLinker *linker, const char *dest_file,
                                    uint32_t dest_offset, uint8_t dest_size,
                                    const char *src_file, uint32_t src_offset)
{
    const BIOSLinkerFile *dst = linker_find(linker, dest_file);
    const BIOSLinkerFile *src = linker_find(linker, src_file);
    g_assert(dst && src);
    g_assert(dest_size == 1 || dest_size == 2 || dest_size == 4 || dest_size == 8);
    g_assert(dest_offset <= dst->blob->len && dest_size <= dst->blob->len - dest_offset);
    g_assert(src_offset < src->blob->len);
    /* The field holds the offset into src; the loader adds src's address. */
    for (unsigned i = 0; i < dest_size; i++) {
        dst->blob->data[dest_offset + i] = (uint64_t)src_offset >> (8 * i);
    }

    uint8_t *p = linker_new_cmd(linker, BIOS_LINKER_LOADER_COMMAND_ADD_POINTER);
    put_name(p, dest_file);
    put_name(p + BIOS_LINKER_LOADER_FILESZ, src_file);
    put_le32(p + 2 * BIOS_LINKER_LOADER_FILESZ, dest_offset);
    p[2 * BIOS_LINKER_LOADER_FILESZ + 4] = dest_size;
}

/* ---- running the script ---- */

typedef struct LoadedFile {
    char name[BIOS_LINKER_LOADER_FILESZ];
    uint64_t addr;
    GByteArray *image;     /* a copy, patched in place */
} LoadedFile;

static LoadedFile *loaded_find(GArray *loaded, const uint8_t *name)
{
    for (guint i = 0; i < loaded->len; i++) {
        LoadedFile *f = &g_array_index(loaded, LoadedFile, i);
        if (!strncmp(f->name, (const char *)name, BIOS_LINKER_LOADER_FILESZ)) {
            return f;
        }
    }
    return NULL;
}

static void loaded_free(GArray *loaded)
{
    for (guint i = 0; i < loaded->len; i++) {
        g_byte_array_unref(g_array_index(loaded, LoadedFile, i).image);
    }
    g_array_free(loaded, true);
}

static bool run_alloc(const BIOSLinker *l, GArray *loaded, const uint8_t *p,
                      uint64_t *next, const uint64_t *end, Error **errp)
{
    char name[BIOS_LINKER_LOADER_FILESZ + 1] = { 0 };
    memcpy(name, p, BIOS_LINKER_LOADER_FILESZ);
    uint32_t align = get_le32(p + BIOS_LINKER_LOADER_FILESZ);
    uint8_t zone = p[BIOS_LINKER_LOADER_FILESZ + 4];
    const BIOSLinkerFile *f = linker_find(l, name);

    if (!f || loaded_find(loaded, p)) {
        error_setg(errp, "table-loader: cannot allocate '%s'", name);
        return false;
    }
    if (zone != BIOS_LINKER_LOADER_ALLOC_ZONE_HIGH &&
        zone != BIOS_LINKER_LOADER_ALLOC_ZONE_FSEG) {
        error_setg(errp, "table-loader: '%s' has unknown zone %u", name, zone);
        return false;
    }
    if (!align || (align & (align - 1))) {
        error_setg(errp, "table-loader: '%s' has bad alignment %" PRIu32, name, align);
        return false;
    }
    int z = zone == BIOS_LINKER_LOADER_ALLOC_ZONE_FSEG;
    uint64_t addr = (next[z] + align - 1) & ~(uint64_t)(align - 1);
    if (addr > end[z] || f->blob->len > end[z] - addr) {
        error_setg(errp, "table-loader: no room for '%s' (%u bytes)", name, f->blob->len);
        return false;
    }
    next[z] = addr + f->blob->len;
    LoadedFile lf = { .addr = addr, .image = g_byte_array_sized_new(f->blob->len) };
    memcpy(lf.name, name, BIOS_LINKER_LOADER_FILESZ);
    g_byte_array_append(lf.image, f->blob->data, f->blob->len);
    g_array_append_val(loaded, lf);
    return true;
}

static bool run_pointer(GArray *loaded, const uint8_t *p, Error **errp)
{
    LoadedFile *dst = loaded_find(loaded, p);
    LoadedFile *src = loaded_find(loaded, p + BIOS_LINKER_LOADER_FILESZ);
    uint32_t off = get_le32(p + 2 * BIOS_LINKER_LOADER_FILESZ);
    uint8_t size = p[2 * BIOS_LINKER_LOADER_FILESZ + 4];

    if (!dst || !src || (size != 1 && size != 2 && size != 4 && size != 8) ||
        off > dst->image->len || size > dst->image->len - off) {
        error_setg(errp, "table-loader: bad ADD_POINTER command");
        return false;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)dst->image->data[off + i] << (8 * i);
    }
    v += src->addr;
    for (unsigned i = 0; i < size; i++) {
        dst->image->data[off + i] = v >> (8 * i);
    }
    return true;
}

static bool run_checksum(GArray *loaded, const uint8_t *p, Error **errp)
{
    LoadedFile *f = loaded_find(loaded, p);
    uint32_t off = get_le32(p + BIOS_LINKER_LOADER_FILESZ);
    uint32_t start = get_le32(p + BIOS_LINKER_LOADER_FILESZ + 4);
    uint32_t len = get_le32(p + BIOS_LINKER_LOADER_FILESZ + 8);

    if (!f || off >= f->image->len || start > f->image->len ||
        len > f->image->len - start) {
        error_setg(errp, "table-loader: bad ADD_CHECKSUM command");
        return false;
    }
    uint8_t sum = 0;
    for (uint32_t i = 0; i < len; i++) {
        sum += f->image->data[start + i];
    }
    f->image->data[off] -= sum;
    return true;
}

bool bios_linker_loader_run(AddressSpace *as, const BIOSLinker *linker, uint64_t high_base,
                            uint64_t high_size, uint64_t fseg_base, uint64_t fseg_size,
                            BIOSLinkerPlacement *placed, unsigned max_placed,
                            unsigned *num_placed, uint64_t *fseg_end, Error **errp)
{
    GArray *loaded = g_array_new(false, true, sizeof(LoadedFile));
    uint64_t next[2] = { high_base, fseg_base };
    const uint64_t end[2] = { high_base + high_size, fseg_base + fseg_size };
    const GByteArray *cmds = linker->cmd_blob;
    bool ok = true;

    for (guint pos = 0; ok && pos + BIOS_LINKER_LOADER_ENTRY_SIZE <= cmds->len;
         pos += BIOS_LINKER_LOADER_ENTRY_SIZE) {
        const uint8_t *p = cmds->data + pos + 4;
        switch (get_le32(cmds->data + pos)) {
        case BIOS_LINKER_LOADER_COMMAND_ALLOCATE:
            ok = run_alloc(linker, loaded, p, next, end, errp);
            break;
        case BIOS_LINKER_LOADER_COMMAND_ADD_POINTER:
            ok = run_pointer(loaded, p, errp);
            break;
        case BIOS_LINKER_LOADER_COMMAND_ADD_CHECKSUM:
            ok = run_checksum(loaded, p, errp);
            break;
        default:
            break;    /* firmware skips commands it does not know */
        }
    }
    if (ok && loaded->len > max_placed) {
        error_setg(errp, "table-loader: %u files, room to report %u", loaded->len,
                   max_placed);
        ok = false;
    }
    for (guint i = 0; ok && i < loaded->len; i++) {
        LoadedFile *f = &g_array_index(loaded, LoadedFile, i);
        if (address_space_write(as, f->addr, f->image->data,
                                f->image->len) != MEMTX_OK) {
            error_setg(errp, "table-loader: cannot write '%s' at 0x%" PRIx64, f->name,
                       f->addr);
            ok = false;
            break;
        }
        memcpy(placed[i].name, f->name, BIOS_LINKER_LOADER_FILESZ);
        placed[i].addr = f->addr;
        placed[i].size = f->image->len;
    }
    if (ok) {
        *num_placed = loaded->len;
        *fseg_end = next[1];
    }
    loaded_free(loaded);
    return ok;
}
