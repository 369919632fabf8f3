/*
 * fw_cfg, the QEMU firmware configuration device (QEMU docs/specs/fw_cfg.rst),
 * port-I/O flavour as on x86: selector 0x510, data 0x511, DMA address 0x514.
 */
#include "hw/nvram/fw_cfg.h"
#include "hw/core/machine.h"
#include "migration/vmstate.h"
#include "util/log.h"

/* Bits 5..15 of control are reserved; 16..31 carry the selector. */
#define FW_CFG_DMA_CTL_RESERVED 0x0000ffe0u

static inline uint32_t fw_cfg_max_entry(const FWCfgState *s)
{
    return FW_CFG_FILE_FIRST + s->file_slots;
}

static FWCfgEntry *fw_cfg_entry(FWCfgState *s, uint16_t key)
{
    if ((key & FW_CFG_ENTRY_MASK) >= fw_cfg_max_entry(s)) {
        return NULL;
    }
    return &s->entries[!!(key & FW_CFG_ARCH_LOCAL)][key & FW_CFG_ENTRY_MASK];
}

static void fw_cfg_select(FWCfgState *s, uint16_t key)
{
    FWCfgEntry *e = fw_cfg_entry(s, key);

    s->cur_offset = 0;
    if (!e) {
        /* Out of range: reads give zeros until the next select (QEMU's rule). */
        s->cur_entry = FW_CFG_INVALID;
        return;
    }
    s->cur_entry = key;
    if (e->select_cb) {
        e->select_cb(e->callback_opaque);
    }
}

static FWCfgEntry *fw_cfg_cur(FWCfgState *s)
{
    return s->cur_entry == FW_CFG_INVALID ? NULL : fw_cfg_entry(s, s->cur_entry);
}

/* ---- the traditional interface ---- */

static uint8_t fw_cfg_read_byte(FWCfgState *s)
{
    FWCfgEntry *e = fw_cfg_cur(s);

    /* Past the end of the item (or with none) the data port reads 0. */
    if (!e || !e->data || s->cur_offset >= e->len) {
        return 0;
    }
    return e->data[s->cur_offset++];
}

static uint64_t fw_cfg_comb_read(void *opaque, hwaddr addr, unsigned size)
{
    return fw_cfg_read_byte(opaque);
}

static void fw_cfg_comb_write(void *opaque, hwaddr addr, uint64_t value, unsigned size)
{
    FWCfgState *s = opaque;

    if (size == 2) {
        fw_cfg_select(s, value);
        return;
    }
    /* Data-port writes are no-ops since QEMU 2.4; writes go through DMA. */
    DEVICE(s)->ignored_accesses++;
    emu_log_mask(LOG_GUEST_ERROR, "fw_cfg: write 0x%02" PRIx64 " to the data port ignored\n",
                 value);
}

/*
 * As in QEMU's combined region: byte reads of either port read data, a 16-bit
 * write at 0x510 selects, a byte write is a (dropped) data write.
 */
static bool fw_cfg_comb_accepts(void *opaque, hwaddr addr, unsigned size, bool is_write)
{
    return size == 1 || (is_write && size == 2 && addr == 0);
}

static const MemoryRegionOps fw_cfg_comb_ops = {
    .read = fw_cfg_comb_read,
    .write = fw_cfg_comb_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 2,
        .accepts = fw_cfg_comb_accepts,
    },
};

/* ---- DMA ---- */

/*
 * Whether [addr, addr + len) is all RAM (writable RAM when @write). fw_cfg
 * only moves data to and from RAM: a descriptor aimed at a hole or at another
 * device's registers is refused instead of reaching into that device.
 */
static bool fw_cfg_dma_range_ok(hwaddr addr, uint64_t len, bool write)
{
    if (len == 0) {
        return true;
    }
    if (addr + (len - 1) < addr) {
        return false;    /* wraps around the top of the address space */
    }
    FlatView *fv = address_space_to_flatview(&address_space_memory);
    hwaddr last = addr + (len - 1);
    for (;;) {
        const FlatRange *fr = flatview_lookup(fv, addr);
        if (!fr || !fr->ram || (write && fr->readonly)) {
            return false;
        }
        if (fr->last >= last) {
            return true;
        }
        addr = fr->last + 1;
    }
}

static bool fw_cfg_dma_write_guest(hwaddr addr, const void *buf, uint64_t len)
{
    return fw_cfg_dma_range_ok(addr, len, true) &&
           address_space_write(&address_space_memory, addr, buf, len) == MEMTX_OK;
}

static bool fw_cfg_dma_zero_guest(hwaddr addr, uint64_t len)
{
    static const uint8_t zeros[4096];

    if (!fw_cfg_dma_range_ok(addr, len, true)) {
        return false;
    }
    while (len) {
        uint64_t n = MIN(len, sizeof(zeros));
        if (address_space_write(&address_space_memory, addr, zeros, n) != MEMTX_OK) {
            return false;
        }
        addr += n;
        len -= n;
    }
    return true;
}

static bool fw_cfg_dma_read_guest(hwaddr addr, void *buf, uint64_t len)
{
    return fw_cfg_dma_range_ok(addr, len, false) &&
           address_space_read(&address_space_memory, addr, buf, len) == MEMTX_OK;
}

static void fw_cfg_dma_error(FWCfgState *s, const char *why, uint32_t control)
{
    s->dma_errors++;
    DEVICE(s)->ignored_accesses++;
    emu_log_mask(LOG_GUEST_ERROR, "fw_cfg: DMA (control 0x%08" PRIx32 ") failed: %s\n",
                 control, why);
}

/* Run the FWCfgDmaAccess at s->dma_addr (fw_cfg.rst, "Guest-side DMA Interface"). */
static void fw_cfg_dma_transfer(FWCfgState *s)
{
    hwaddr desc = s->dma_addr;
    FWCfgDmaAccess dma;

    /* The register reads back as 0 once an operation has been started. */
    s->dma_addr = 0;

    /* The descriptor is read, then its control word written back: it must be RAM. */
    if (!fw_cfg_dma_range_ok(desc, sizeof(dma), true) ||
        !fw_cfg_dma_read_guest(desc, &dma, sizeof(dma))) {
        s->dma_errors++;
        DEVICE(s)->ignored_accesses++;
        emu_log_mask(LOG_GUEST_ERROR, "fw_cfg: DMA descriptor at 0x%" PRIx64
                     " is not in RAM; ignored\n", (uint64_t)desc);
        return;
    }
    uint32_t control = GUINT32_FROM_BE(dma.control);
    uint64_t length = GUINT32_FROM_BE(dma.length);
    uint64_t address = GUINT64_FROM_BE(dma.address);
    uint32_t result = 0;
    enum { OP_NONE, OP_READ, OP_WRITE, OP_SKIP } op;

    if (control & FW_CFG_DMA_CTL_RESERVED) {
        /* Reserved bits: refuse the whole request rather than guess at it. */
        fw_cfg_dma_error(s, "reserved control bits set", control);
        result = FW_CFG_DMA_CTL_ERROR;
        goto done;
    }
    if (control & FW_CFG_DMA_CTL_SELECT) {
        fw_cfg_select(s, control >> 16);
    }
    /* Precedence as in the spec: read, else write, else skip. */
    if (control & FW_CFG_DMA_CTL_READ) {
        op = OP_READ;
    } else if (control & FW_CFG_DMA_CTL_WRITE) {
        op = OP_WRITE;
    } else if (control & FW_CFG_DMA_CTL_SKIP) {
        op = OP_SKIP;
    } else {
        op = OP_NONE;
        length = 0;
    }

    FWCfgEntry *e = fw_cfg_cur(s);
    while (length > 0) {
        uint64_t len;
        if (!e || !e->data || s->cur_offset >= e->len) {
            /* Nothing (left) to transfer: reads see zeros, writes fail. */
            len = length;
            if (op == OP_READ && !fw_cfg_dma_zero_guest(address, len)) {
                fw_cfg_dma_error(s, "destination is not RAM", control);
                result = FW_CFG_DMA_CTL_ERROR;
                break;
            }
            if (op == OP_WRITE) {
                fw_cfg_dma_error(s, "write past the end of the item", control);
                result = FW_CFG_DMA_CTL_ERROR;
                break;
            }
        } else {
            len = MIN(length, (uint64_t)(e->len - s->cur_offset));
            if (op == OP_READ &&
                !fw_cfg_dma_write_guest(address, e->data + s->cur_offset, len)) {
                fw_cfg_dma_error(s, "destination is not RAM", control);
                result = FW_CFG_DMA_CTL_ERROR;
                break;
            }
            if (op == OP_WRITE) {
                /* Only items registered writable; the item cannot grow. */
                if (!e->allow_write || len != length) {
                    fw_cfg_dma_error(s, !e->allow_write ? "item is read-only"
                                                        : "write past the end of the item",
                                     control);
                    result = FW_CFG_DMA_CTL_ERROR;
                    break;
                }
                if (!fw_cfg_dma_read_guest(address, e->data + s->cur_offset, len)) {
                    fw_cfg_dma_error(s, "source is not RAM", control);
                    result = FW_CFG_DMA_CTL_ERROR;
                    break;
                }
                if (e->write_cb) {
                    e->write_cb(e->callback_opaque, s->cur_offset, len);
                }
            }
            s->cur_offset += len;
        }
        address += len;
        length -= len;
    }

done:;
    uint32_t be = GUINT32_TO_BE(result);
    address_space_write(&address_space_memory, desc + offsetof(FWCfgDmaAccess, control),
                        &be, sizeof(be));
}

static uint64_t fw_cfg_dma_read(void *opaque, hwaddr addr, unsigned size)
{
    /* Any naturally aligned piece of the big-endian signature. */
    unsigned shift = (8 - addr - size) * 8;
    uint64_t mask = size == 8 ? UINT64_MAX : ((uint64_t)1 << (size * 8)) - 1;
    return (FW_CFG_DMA_SIGNATURE >> shift) & mask;
}

static void fw_cfg_dma_write(void *opaque, hwaddr addr, uint64_t value, unsigned size)
{
    FWCfgState *s = opaque;

    if (size == 8) {
        s->dma_addr = value;
        fw_cfg_dma_transfer(s);
    } else if (addr == 0) {
        s->dma_addr = value << 32;    /* high half: remembered, no action */
    } else {
        s->dma_addr |= (uint32_t)value;
        fw_cfg_dma_transfer(s);       /* the low half starts the operation */
    }
}

static bool fw_cfg_dma_accepts(void *opaque, hwaddr addr, unsigned size, bool is_write)
{
    return !is_write || (size == 4 && (addr == 0 || addr == 4)) || (size == 8 && addr == 0);
}

static const MemoryRegionOps fw_cfg_dma_ops = {
    .read = fw_cfg_dma_read,
    .write = fw_cfg_dma_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .accepts = fw_cfg_dma_accepts,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
};

/* ---- items ---- */

static void fw_cfg_entry_set(FWCfgEntry *e, uint8_t *data, size_t len, bool owned)
{
    g_assert(len <= UINT32_MAX);
    if (e->owned) {
        g_free(e->data);
    }
    e->data = data;
    e->len = len;
    e->owned = owned;
}

static FWCfgEntry *fw_cfg_entry_checked(FWCfgState *s, uint16_t key)
{
    g_assert(s->entries[0]);                  /* realized */
    g_assert(!(key & FW_CFG_WRITE_CHANNEL));
    FWCfgEntry *e = fw_cfg_entry(s, key);
    g_assert(e);
    return e;
}

static void fw_cfg_add_entry(FWCfgState *s, uint16_t key, uint8_t *data, size_t len,
                             bool owned)
{
    FWCfgEntry *e = fw_cfg_entry_checked(s, key);
    g_assert(!e->data && !e->len);            /* each key is added once */
    fw_cfg_entry_set(e, data, len, owned);
}

void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data, size_t len)
{
    fw_cfg_add_entry(s, key, len ? g_memdup2(data, len) : NULL, len, true);
}

void fw_cfg_add_bytes_take(FWCfgState *s, uint16_t key, void *data, size_t len)
{
    fw_cfg_add_entry(s, key, data, len, true);
}

void fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *value)
{
    fw_cfg_add_bytes(s, key, value, strlen(value) + 1);
}

void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t value)
{
    uint16_t le = GUINT16_TO_LE(value);
    fw_cfg_add_bytes(s, key, &le, sizeof(le));
}

void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t value)
{
    uint32_t le = GUINT32_TO_LE(value);
    fw_cfg_add_bytes(s, key, &le, sizeof(le));
}

void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t value)
{
    uint64_t le = GUINT64_TO_LE(value);
    fw_cfg_add_bytes(s, key, &le, sizeof(le));
}

static void fw_cfg_update_dir(FWCfgState *s);

void fw_cfg_modify_bytes(FWCfgState *s, uint16_t key, const void *data, size_t len)
{
    FWCfgEntry *e = fw_cfg_entry_checked(s, key);
    fw_cfg_entry_set(e, len ? g_memdup2(data, len) : NULL, len, true);
    if ((key & FW_CFG_ENTRY_MASK) >= FW_CFG_FILE_FIRST && !(key & FW_CFG_ARCH_LOCAL)) {
        fw_cfg_update_dir(s);
    }
}

void fw_cfg_modify_string(FWCfgState *s, uint16_t key, const char *value)
{
    fw_cfg_modify_bytes(s, key, value, strlen(value) + 1);
}

void fw_cfg_modify_i16(FWCfgState *s, uint16_t key, uint16_t value)
{
    uint16_t le = GUINT16_TO_LE(value);
    fw_cfg_modify_bytes(s, key, &le, sizeof(le));
}

void fw_cfg_modify_i32(FWCfgState *s, uint16_t key, uint32_t value)
{
    uint32_t le = GUINT32_TO_LE(value);
    fw_cfg_modify_bytes(s, key, &le, sizeof(le));
}

void fw_cfg_modify_i64(FWCfgState *s, uint16_t key, uint64_t value)
{
    uint64_t le = GUINT64_TO_LE(value);
    fw_cfg_modify_bytes(s, key, &le, sizeof(le));
}

/* ---- files ---- */

/* FW_CFG_FILE_DIR: BE32 count, then one FWCfgFile per file, in key order. */
static void fw_cfg_update_dir(FWCfgState *s)
{
    size_t size = sizeof(uint32_t) + s->file_count * sizeof(FWCfgFile);
    uint8_t *dir = g_malloc0(size);
    uint32_t count = GUINT32_TO_BE(s->file_count);

    memcpy(dir, &count, sizeof(count));
    for (unsigned i = 0; i < s->file_count; i++) {
        FWCfgEntry *e = &s->entries[0][FW_CFG_FILE_FIRST + i];
        FWCfgFile f = {
            .size = GUINT32_TO_BE(e->len),
            .select = GUINT16_TO_BE(FW_CFG_FILE_FIRST + i),
        };
        memcpy(f.name, s->file_names[i], sizeof(f.name));
        memcpy(dir + sizeof(uint32_t) + i * sizeof(FWCfgFile), &f, sizeof(f));
    }
    fw_cfg_entry_set(&s->entries[0][FW_CFG_FILE_DIR], dir, size, true);
}

int fw_cfg_file_key(FWCfgState *s, const char *name)
{
    for (unsigned i = 0; i < s->file_count; i++) {
        if (!strncmp(s->file_names[i], name, FW_CFG_MAX_FILE_PATH)) {
            return FW_CFG_FILE_FIRST + i;
        }
    }
    return -1;
}

static int fw_cfg_new_file(FWCfgState *s, const char *name, size_t len, Error **errp)
{
    g_assert(s->entries[0]);
    if (!name[0] || strlen(name) >= FW_CFG_MAX_FILE_PATH) {
        error_setg(errp, "fw_cfg file name '%s' must have 1 to %d characters", name,
                   FW_CFG_MAX_FILE_PATH - 1);
        return -1;
    }
    if (fw_cfg_file_key(s, name) >= 0) {
        error_setg(errp, "fw_cfg file '%s' exists already", name);
        return -1;
    }
    if (s->file_count >= s->file_slots) {
        error_setg(errp, "fw_cfg has no free file slot for '%s' (%u slots)", name,
                   s->file_slots);
        return -1;
    }
    if (len > UINT32_MAX) {
        error_setg(errp, "fw_cfg file '%s' is too large (%zu bytes)", name, len);
        return -1;
    }
    unsigned idx = s->file_count++;
    g_strlcpy(s->file_names[idx], name, FW_CFG_MAX_FILE_PATH);
    return FW_CFG_FILE_FIRST + idx;
}

bool fw_cfg_try_add_file(FWCfgState *s, const char *name, const void *data, size_t len,
                         Error **errp)
{
    int key = fw_cfg_new_file(s, name, len, errp);
    if (key < 0) {
        return false;
    }
    fw_cfg_entry_set(&s->entries[0][key], len ? g_memdup2(data, len) : NULL, len, true);
    fw_cfg_update_dir(s);
    return true;
}

void fw_cfg_add_file(FWCfgState *s, const char *name, const void *data, size_t len)
{
    fw_cfg_try_add_file(s, name, data, len, &error_abort);
}

void fw_cfg_add_file_take(FWCfgState *s, const char *name, void *data, size_t len)
{
    int key = fw_cfg_new_file(s, name, len, &error_abort);
    fw_cfg_entry_set(&s->entries[0][key], data, len, true);
    fw_cfg_update_dir(s);
}

void fw_cfg_add_file_callback(FWCfgState *s, const char *name, FWCfgCallback select_cb,
                              FWCfgWriteCallback write_cb, void *opaque, void *data,
                              size_t len, bool read_only)
{
    int key = fw_cfg_new_file(s, name, len, &error_abort);
    FWCfgEntry *e = &s->entries[0][key];
    fw_cfg_entry_set(e, data, len, false);
    e->select_cb = select_cb;
    e->write_cb = write_cb;
    e->callback_opaque = opaque;
    e->allow_write = !read_only;
    fw_cfg_update_dir(s);
}

void fw_cfg_modify_file(FWCfgState *s, const char *name, const void *data, size_t len)
{
    int key = fw_cfg_file_key(s, name);
    if (key < 0) {
        fw_cfg_add_file(s, name, data, len);
        return;
    }
    fw_cfg_modify_bytes(s, key, data, len);
}

const void *fw_cfg_get_item(FWCfgState *s, uint16_t key, size_t *len)
{
    FWCfgEntry *e = fw_cfg_entry(s, key);
    *len = e ? e->len : 0;
    return e ? e->data : NULL;
}

/* ---- device ---- */

static int fw_cfg_find_visit(Object *obj, void *opaque)
{
    if (object_dynamic_cast(obj, TYPE_FW_CFG)) {
        *(Object **)opaque = obj;
        return 1;
    }
    return 0;
}

FWCfgState *fw_cfg_find(void)
{
    Object *found = object_resolve_path_type(FW_CFG_PATH, TYPE_FW_CFG, NULL);
    if (!found) {
        object_child_foreach_recursive(object_get_root(), fw_cfg_find_visit, &found);
    }
    return found ? FW_CFG(found) : NULL;
}

FWCfgState *fw_cfg_init_io_dma(uint32_t iobase, uint32_t dma_iobase, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_FW_CFG_IO);
    Object *machine = OBJECT(current_machine_get());

    object_property_set_uint(OBJECT(dev), "iobase", iobase, &error_abort);
    object_property_set_uint(OBJECT(dev), "dma_iobase", dma_iobase, &error_abort);
    object_property_set_bool(OBJECT(dev), "dma_enabled", dma_iobase != 0, &error_abort);
    object_property_add_child(machine ? machine : object_get_root(), "fw_cfg",
                              OBJECT(dev));
    if (!qdev_realize_and_unref(dev, NULL, errp)) {
        object_unparent(OBJECT(dev));
        return NULL;
    }
    return FW_CFG(dev);
}

static void fw_cfg_realize(DeviceState *dev, Error **errp)
{
    FWCfgState *s = FW_CFG(dev);
    static const uint8_t uuid[16];

    /* Keys are 14 bits wide; QEMU wants at least 16 file slots. */
    if (s->file_slots < 0x10 || FW_CFG_FILE_FIRST + s->file_slots > 0x4000) {
        error_setg(errp, "fw_cfg: x-file-slots=%u must be between %u and %u",
                   s->file_slots, 0x10, 0x4000 - FW_CFG_FILE_FIRST);
        return;
    }
    if (s->dma_enabled && (s->dma_iobase > 0xfff8 || s->dma_iobase % 4)) {
        error_setg(errp, "fw_cfg: dma_iobase=0x%" PRIx32 " must be a 4-aligned port below "
                   "0xfff9", s->dma_iobase);
        return;
    }
    if (s->iobase > 0xfffe) {
        error_setg(errp, "fw_cfg: iobase=0x%" PRIx32 " is not a port", s->iobase);
        return;
    }
    for (int i = 0; i < 2; i++) {
        s->entries[i] = g_new0(FWCfgEntry, fw_cfg_max_entry(s));
    }
    s->file_names = g_malloc0_n(s->file_slots, sizeof(*s->file_names));
    s->cur_entry = FW_CFG_INVALID;

    fw_cfg_add_bytes(s, FW_CFG_SIGNATURE, "QEMU", 4);
    fw_cfg_add_i32(s, FW_CFG_ID, FW_CFG_VERSION | (s->dma_enabled ? FW_CFG_VERSION_DMA : 0));
    fw_cfg_add_bytes(s, FW_CFG_UUID, uuid, sizeof(uuid));
    fw_cfg_update_dir(s);

    memory_region_init_io(&s->comb_io, OBJECT(s), &fw_cfg_comb_ops, s, "fwcfg", 2);
    memory_region_add_subregion(get_system_io(), s->iobase, &s->comb_io);
    if (s->dma_enabled) {
        memory_region_init_io(&s->dma_io, OBJECT(s), &fw_cfg_dma_ops, s, "fwcfg.dma", 8);
        memory_region_add_subregion(get_system_io(), s->dma_iobase, &s->dma_io);
    }
}

static void fw_cfg_unrealize(DeviceState *dev)
{
    FWCfgState *s = FW_CFG(dev);

    memory_region_del_subregion(get_system_io(), &s->comb_io);
    if (s->dma_enabled) {
        memory_region_del_subregion(get_system_io(), &s->dma_io);
    }
}

static void fw_cfg_reset(DeviceState *dev, ResetType type)
{
    FWCfgState *s = FW_CFG(dev);

    /* The signature has no select callback, so selecting it has no side effect. */
    fw_cfg_select(s, FW_CFG_SIGNATURE);
    s->dma_addr = 0;
}

static void fw_cfg_finalize(Object *obj)
{
    FWCfgState *s = FW_CFG(obj);

    for (int i = 0; i < 2; i++) {
        for (uint32_t k = 0; s->entries[i] && k < fw_cfg_max_entry(s); k++) {
            fw_cfg_entry_set(&s->entries[i][k], NULL, 0, false);
        }
        g_free(s->entries[i]);
        s->entries[i] = NULL;
    }
    g_free(s->file_names);
    memory_region_finalize(&s->comb_io);
    memory_region_finalize(&s->dma_io);
}

static const Property fw_cfg_io_props[] = {
    DEFINE_PROP_UINT32("iobase", FWCfgState, iobase, FW_CFG_IO_BASE),
    DEFINE_PROP_UINT32("dma_iobase", FWCfgState, dma_iobase, FW_CFG_DMA_IO_BASE),
    DEFINE_PROP_BOOL("dma_enabled", FWCfgState, dma_enabled, true),
    DEFINE_PROP_UINT16("x-file-slots", FWCfgState, file_slots, FW_CFG_FILE_SLOTS_DEFAULT),
    DEFINE_PROP_END_OF_LIST(),
};

/* ---- migration ---- */

/*
 * The items are not migrated: the destination builds the same ones from the
 * same configuration (as QEMU). The selector must name an item this fw_cfg
 * has (a guest may select with the legacy write-channel bit set, so that bit
 * is allowed); the offset never passes the item's end (reads there give 0, which an
 * offset beyond it would too, so a shorter item on this side is clamped to
 * its end rather than refused).
 */
static int fw_cfg_post_load(void *opaque, int version_id)
{
    FWCfgState *s = opaque;

    if (s->cur_entry == FW_CFG_INVALID) {
        s->cur_offset = 0;
        return 0;
    }
    FWCfgEntry *e = fw_cfg_entry(s, s->cur_entry);
    if (!e) {
        return -1;
    }
    s->cur_offset = MIN(s->cur_offset, e->len);
    return 0;
}

/*
 * What the guest can see change: the selected item, the read position in it,
 * and the DMA address register (its high half is latched until the low half
 * is written).
 */
static const VMStateDescription vmstate_fw_cfg = {
    .name = "fw_cfg",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = fw_cfg_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16(cur_entry, FWCfgState),
        VMSTATE_UINT32(cur_offset, FWCfgState),
        VMSTATE_UINT64(dma_addr, FWCfgState),
        VMSTATE_END_OF_LIST()
    },
};

static void fw_cfg_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->desc = "QEMU firmware configuration device";
    dc->category = DEVICE_CATEGORY_MISC;
    dc->realize = fw_cfg_realize;
    dc->unrealize = fw_cfg_unrealize;
    dc->reset = fw_cfg_reset;
    dc->vmsd = &vmstate_fw_cfg;
}

static void fw_cfg_io_class_init(ObjectClass *oc, void *data)
{
    device_class_set_props(DEVICE_CLASS(oc), fw_cfg_io_props);
}

static const TypeInfo fw_cfg_types[] = {
    {
        .name = TYPE_FW_CFG,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(FWCfgState),
        .instance_finalize = fw_cfg_finalize,
        .class_init = fw_cfg_class_init,
        .abstract = true,
    },
    {
        .name = TYPE_FW_CFG_IO,
        .parent = TYPE_FW_CFG,
        .class_init = fw_cfg_io_class_init,
    },
};
DEFINE_TYPES(fw_cfg_types)
