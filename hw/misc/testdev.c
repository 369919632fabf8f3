/*
 * emu-testdev: a test-only device that lets a guest change the memory map at
 * run time, as PCI BARs, PAM and SMRAM will later, so that the KVM memory-slot
 * listener and the flat-view machinery can be tested before those exist.
 * Modelled loosely on QEMU's pc-testdev (kvm-unit-tests); the register layout
 * is emu's own (include/hw/misc/testdev-regs.h, docs/devices.md).
 *
 * Three windows: 64 KiB of RAM (zeroed at reset, its writes logged per page
 * like a framebuffer's), a 64 KiB ROM holding a known pattern, and a 4 KiB
 * MMIO region with a scratch register and an access counter. Every change of
 * the map is one memory transaction, counted in CHANGES. Requests that would
 * overlap memory already there (guest RAM, another device, another window) are
 * refused with a STATUS bit unless the guest asks to overlay, so a guest can
 * never corrupt the machine's map: an overlay only hides what is beneath until
 * the window goes away.
 */
#include "hw/misc/testdev.h"
#include "util/log.h"

static const char *const win_name[TESTDEV_NR_WIN] = { "ram", "rom", "mmio" };

static void testdev_error(TestDevState *s, uint32_t bit, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void testdev_error(TestDevState *s, uint32_t bit, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    s->status |= bit;
    DEVICE(s)->ignored_accesses++;
    emu_log_mask(LOG_GUEST_ERROR, "emu-testdev: %s\n", msg);
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

/* Whether anything at all is mapped in [addr, addr + size) of guest memory. */
static bool memory_in_use(uint64_t addr, uint64_t size)
{
    FlatView *fv = address_space_get_flatview(&address_space_memory);
    bool used = false;
    hwaddr last = addr + size - 1;
    for (unsigned i = 0; i < fv->nr && !used; i++) {
        used = fv->ranges[i].start <= last && fv->ranges[i].last >= addr;
    }
    flatview_unref(fv);
    return used;
}

/* The rules of docs/devices.md "emu-testdev"; true if @w may go to @addr. */
static bool window_target_ok(TestDevState *s, int w, uint64_t addr, bool overlay)
{
    TestDevWindow *win = &s->win[w];

    if (addr & (win->size - 1)) {
        testdev_error(s, TESTDEV_ERR_ALIGN, "%s window: address %#" PRIx64 " is not a "
                      "multiple of its size %#" PRIx64, win_name[w], addr, win->size);
        return false;
    }
    if (addr > TESTDEV_ADDR_LIMIT - win->size ||
        ranges_overlap(addr, win->size, TESTDEV_RESERVED_START,
                       TESTDEV_RESERVED_END - TESTDEV_RESERVED_START)) {
        testdev_error(s, TESTDEV_ERR_RANGE, "%s window: address %#" PRIx64 " is beyond "
                      "64 GiB or in 0xfec00000-0xffffffff", win_name[w], addr);
        return false;
    }
    for (int o = 0; o < TESTDEV_NR_WIN; o++) {
        if (o != w && s->win[o].mapped &&
            ranges_overlap(addr, win->size, s->win[o].addr, s->win[o].size)) {
            testdev_error(s, TESTDEV_ERR_OVERLAP, "%s window at %#" PRIx64 " would "
                          "overlap the %s window", win_name[w], addr, win_name[o]);
            return false;
        }
    }
    /*
     * The window's own old place never meets the new one (both are multiples
     * of its size and differ), so anything in the flat view there is foreign.
     */
    if (!overlay && memory_in_use(addr, win->size)) {
        testdev_error(s, TESTDEV_ERR_OVERLAP, "%s window: memory is already mapped at "
                      "%#" PRIx64 " (set OVERLAY to cover it)", win_name[w], addr);
        return false;
    }
    return true;
}

static void window_ctl_write(TestDevState *s, int w, uint32_t val)
{
    TestDevWindow *win = &s->win[w];
    bool map = val & TESTDEV_CTL_MAP;
    bool overlay = val & TESTDEV_CTL_OVERLAY;

    if (val & ~(TESTDEV_CTL_MAP | TESTDEV_CTL_OVERLAY)) {
        testdev_error(s, TESTDEV_ERR_CTL, "%s window: reserved CTL bits in %#x",
                      win_name[w], val);
        return;
    }
    if (!map) {
        if (win->mapped) {
            memory_region_transaction_begin();
            memory_region_del_subregion(get_system_memory(), &win->mr);
            memory_region_transaction_commit();
            win->mapped = false;
            s->changes++;
        }
        return;
    }
    if (win->mapped && win->staged == win->addr) {
        if (overlay != win->overlay) {
            /* What lies beneath an overlay is unknown from the flat view: unmap first. */
            testdev_error(s, TESTDEV_ERR_CTL, "%s window: OVERLAY changes only while "
                          "unmapped or moving", win_name[w]);
        }
        return;
    }
    if (!window_target_ok(s, w, win->staged, overlay)) {
        return;
    }
    memory_region_transaction_begin();
    if (win->mapped && overlay == win->overlay) {
        /* A move, as a PCI BAR update will do it. */
        memory_region_set_address(&win->mr, win->staged);
    } else {
        if (win->mapped) {
            memory_region_del_subregion(get_system_memory(), &win->mr);
        }
        memory_region_add_subregion_overlap(get_system_memory(), win->staged, &win->mr,
                                            overlay ? 1 : 0);
    }
    memory_region_transaction_commit();
    win->mapped = true;
    win->addr = win->staged;
    win->overlay = overlay;
    s->changes++;
}

static uint32_t rom_diff(TestDevState *s)
{
    const uint8_t *rom = memory_region_get_ram_ptr(&s->win[TESTDEV_WIN_ROM].mr);
    uint32_t n = 0;
    for (uint32_t i = 0; i < TESTDEV_ROM_SIZE / 4; i++) {
        uint32_t v = rom[4 * i] | rom[4 * i + 1] << 8 | rom[4 * i + 2] << 16 |
                     (uint32_t)rom[4 * i + 3] << 24;
        n += v != TESTDEV_ROM_WORD(i);
    }
    return n;
}

/*
 * Pages of the RAM window the guest wrote since the last call, as a display
 * adapter finds the parts of its framebuffer to redraw: fold the accelerator's
 * dirty log in (KVM keeps it per slot), then test and clear.
 */
static uint32_t ram_dirty(TestDevState *s)
{
    MemoryRegion *mr = &s->win[TESTDEV_WIN_RAM].mr;
    uint32_t bits = 0;
    memory_region_sync_dirty_bitmap(mr);
    for (unsigned p = 0; p < TESTDEV_RAM_SIZE / TARGET_PAGE_SIZE; p++) {
        if (memory_region_test_and_clear_dirty(mr, p * TARGET_PAGE_SIZE, TARGET_PAGE_SIZE,
                                               DIRTY_MEMORY_VGA)) {
            bits |= 1u << p;
        }
    }
    return bits;
}

static uint32_t reg_read(TestDevState *s, uint32_t reg)
{
    switch (reg) {
    case TESTDEV_REG_ID:
        return TESTDEV_ID_VALUE;
    case TESTDEV_REG_STATUS:
        return s->status;
    case TESTDEV_REG_CHANGES:
        return s->changes;
    case TESTDEV_REG_ROM_DIFF:
        return rom_diff(s);
    case TESTDEV_REG_MMIO_COUNT:
        return (uint32_t)s->mmio_count;
    case TESTDEV_REG_RAM_DIRTY:
        return ram_dirty(s);
    }
    if (reg >= TESTDEV_REG_WIN(0) && reg < TESTDEV_REG_WIN(TESTDEV_NR_WIN)) {
        TestDevWindow *win = &s->win[(reg - TESTDEV_REG_WIN(0)) / 4];
        switch ((reg - TESTDEV_REG_WIN(0)) % 4) {
        case TESTDEV_WIN_ADDR_LO:
            return (uint32_t)win->staged;
        case TESTDEV_WIN_ADDR_HI:
            return win->staged >> 32;
        case TESTDEV_WIN_CTL:
            return (win->mapped ? TESTDEV_CTL_MAP : 0) |
                   (win->mapped && win->overlay ? TESTDEV_CTL_OVERLAY : 0);
        }
    }
    testdev_error(s, TESTDEV_ERR_REG, "read of unknown register %#x", reg);
    return UINT32_MAX;
}

static void reg_write(TestDevState *s, uint32_t reg, uint32_t val)
{
    if (reg == TESTDEV_REG_STATUS) {
        s->status &= ~val;
        return;
    }
    if (reg >= TESTDEV_REG_WIN(0) && reg < TESTDEV_REG_WIN(TESTDEV_NR_WIN)) {
        int w = (reg - TESTDEV_REG_WIN(0)) / 4;
        TestDevWindow *win = &s->win[w];
        switch ((reg - TESTDEV_REG_WIN(0)) % 4) {
        case TESTDEV_WIN_ADDR_LO:
            win->staged = (win->staged & ~(uint64_t)UINT32_MAX) | val;
            return;
        case TESTDEV_WIN_ADDR_HI:
            win->staged = (win->staged & UINT32_MAX) | (uint64_t)val << 32;
            return;
        case TESTDEV_WIN_CTL:
            window_ctl_write(s, w, val);
            return;
        }
    }
    testdev_error(s, TESTDEV_ERR_REG, "write of %#x to %s register %#x", val,
                  reg < TESTDEV_REG_WIN(0) ? "read-only" : "unknown", reg);
}

static uint64_t testdev_io_read(void *opaque, hwaddr addr, unsigned size)
{
    TestDevState *s = opaque;
    if (size != 4 || (addr & 3)) {
        DEVICE(s)->ignored_accesses++;
        emu_log_mask(LOG_GUEST_ERROR, "emu-testdev: %u-byte read at port offset %u "
                     "(32-bit only)\n", size, (unsigned)addr);
        return UINT64_MAX;
    }
    return addr == TESTDEV_PORT_INDEX ? s->index : reg_read(s, s->index);
}

static void testdev_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    TestDevState *s = opaque;
    if (size != 4 || (addr & 3)) {
        DEVICE(s)->ignored_accesses++;
        emu_log_mask(LOG_GUEST_ERROR, "emu-testdev: %u-byte write at port offset %u "
                     "(32-bit only)\n", size, (unsigned)addr);
        return;
    }
    if (addr == TESTDEV_PORT_INDEX) {
        s->index = val;
    } else {
        reg_write(s, s->index, val);
    }
}

static const MemoryRegionOps testdev_io_ops = {
    .read = testdev_io_read,
    .write = testdev_io_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

/* The MMIO window: 64-bit registers, any aligned byte lanes of them. */
static uint64_t testdev_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    TestDevState *s = opaque;
    hwaddr reg = addr & ~7ull;
    unsigned shift = (addr & 7) * 8;
    uint64_t mask = size == 8 ? UINT64_MAX : (1ull << (size * 8)) - 1;
    uint64_t v;

    switch (reg) {
    case TESTDEV_MMIO_SCRATCH:
        v = s->scratch;
        break;
    case TESTDEV_MMIO_COUNT:
        /* Not counted, so that reading the counter does not move it. */
        return (s->mmio_count >> shift) & mask;
    case TESTDEV_MMIO_ID:
        v = TESTDEV_ID_VALUE;
        break;
    default:
        v = 0;
        break;
    }
    s->mmio_count++;
    return (v >> shift) & mask;
}

static void testdev_mmio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    TestDevState *s = opaque;
    hwaddr reg = addr & ~7ull;
    unsigned shift = (addr & 7) * 8;
    uint64_t mask = size == 8 ? UINT64_MAX : (1ull << (size * 8)) - 1;

    s->mmio_count++;
    if (reg == TESTDEV_MMIO_SCRATCH) {
        s->scratch = (s->scratch & ~(mask << shift)) | (val & mask) << shift;
        return;
    }
    DEVICE(s)->ignored_accesses++;
    emu_log_mask(LOG_GUEST_ERROR, "emu-testdev: write of %#" PRIx64 " to read-only MMIO "
                 "offset %#" PRIx64 "\n", val, (uint64_t)addr);
}

static const MemoryRegionOps testdev_mmio_ops = {
    .read = testdev_mmio_read,
    .write = testdev_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

static void testdev_reset(DeviceState *dev, ResetType type)
{
    TestDevState *s = EMU_TESTDEV(dev);
    bool any = false;

    for (int w = 0; w < TESTDEV_NR_WIN; w++) {
        any |= s->win[w].mapped;
    }
    if (any) {
        memory_region_transaction_begin();
        for (int w = 0; w < TESTDEV_NR_WIN; w++) {
            if (s->win[w].mapped) {
                memory_region_del_subregion(get_system_memory(), &s->win[w].mr);
            }
        }
        memory_region_transaction_commit();
    }
    for (int w = 0; w < TESTDEV_NR_WIN; w++) {
        s->win[w].mapped = false;
        s->win[w].overlay = false;
        s->win[w].staged = 0;
        s->win[w].addr = 0;
    }
    memset(memory_region_get_ram_ptr(&s->win[TESTDEV_WIN_RAM].mr), 0, TESTDEV_RAM_SIZE);
    memory_region_reset_dirty(&s->win[TESTDEV_WIN_RAM].mr, 0, TESTDEV_RAM_SIZE,
                              DIRTY_MEMORY_VGA);
    s->index = 0;
    s->status = 0;
    s->changes = 0;
    s->scratch = 0;
    s->mmio_count = 0;
}

static void testdev_realize(DeviceState *dev, Error **errp)
{
    TestDevState *s = EMU_TESTDEV(dev);
    Object *obj = OBJECT(dev);

    if (s->iobase > 0x10000 - TESTDEV_IOSIZE) {
        error_setg(errp, "iobase %#x: ports %#x-%#x are outside the I/O "
                   "space (0-0xffff)", s->iobase, s->iobase, s->iobase + TESTDEV_IOSIZE - 1);
        return;
    }
    s->win[TESTDEV_WIN_RAM].size = TESTDEV_RAM_SIZE;
    s->win[TESTDEV_WIN_ROM].size = TESTDEV_ROM_SIZE;
    s->win[TESTDEV_WIN_MMIO].size = TESTDEV_MMIO_SIZE;
    if (!memory_region_init_ram(&s->win[TESTDEV_WIN_RAM].mr, obj, "testdev.ram",
                                TESTDEV_RAM_SIZE, errp) ||
        !memory_region_init_rom(&s->win[TESTDEV_WIN_ROM].mr, obj, "testdev.rom",
                                TESTDEV_ROM_SIZE, errp)) {
        return;
    }
    /* Logged like a framebuffer, so that moves of a logged slot are tested too. */
    memory_region_set_log(&s->win[TESTDEV_WIN_RAM].mr, true, DIRTY_MEMORY_VGA);
    uint8_t *rom = memory_region_get_ram_ptr(&s->win[TESTDEV_WIN_ROM].mr);
    for (uint32_t i = 0; i < TESTDEV_ROM_SIZE / 4; i++) {
        uint32_t v = TESTDEV_ROM_WORD(i);
        rom[4 * i] = v;
        rom[4 * i + 1] = v >> 8;
        rom[4 * i + 2] = v >> 16;
        rom[4 * i + 3] = v >> 24;
    }
    memory_region_init_io(&s->win[TESTDEV_WIN_MMIO].mr, obj, &testdev_mmio_ops, s,
                          "testdev.mmio", TESTDEV_MMIO_SIZE);
    memory_region_init_io(&s->io, obj, &testdev_io_ops, s, "emu-testdev", TESTDEV_IOSIZE);
    isa_register_ioport(ISA_DEVICE(dev), &s->io, s->iobase);
}

static void testdev_finalize(Object *obj)
{
    TestDevState *s = EMU_TESTDEV(obj);
    memory_region_finalize(&s->io);
    for (int w = 0; w < TESTDEV_NR_WIN; w++) {
        memory_region_finalize(&s->win[w].mr);
    }
}

static const Property testdev_props[] = {
    DEFINE_PROP_UINT32("iobase", TestDevState, iobase, TESTDEV_IOBASE),
    DEFINE_PROP_END_OF_LIST(),
};

static void testdev_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->desc = "for tests only: guest-driven RAM, ROM and MMIO windows (run-time "
               "memory-map changes)";
    dc->category = DEVICE_CATEGORY_MISC;
    dc->user_creatable = true;
    dc->realize = testdev_realize;
    dc->reset = testdev_reset;
    device_class_set_props(dc, testdev_props);
}

static const TypeInfo testdev_types[] = {
    {
        .name = TYPE_EMU_TESTDEV,
        .parent = TYPE_ISA_DEVICE,
        .instance_size = sizeof(TestDevState),
        .instance_finalize = testdev_finalize,
        .class_init = testdev_class_init,
    },
};
DEFINE_TYPES(testdev_types)
