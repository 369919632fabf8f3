/*
 * Memory API: how overlapping regions resolve, what devices see when accesses
 * are split or widened, how listeners learn about remapping, dirty tracking,
 * RAM backing and DMA mapping.
 */
#include "system/memory.h"
#include "util/log.h"

#include <fcntl.h>
#include <sys/stat.h>

/* ---- a test device that records every callback ---- */

typedef struct Access {
    bool write;
    hwaddr addr;
    unsigned size;
    uint64_t val;
} Access;

typedef struct TestDev {
    MemoryRegion mr;
    uint8_t regs[64];
    Access log[64];
    unsigned n;
    bool refuse_writes;            /* for valid.accepts */
} TestDev;

static uint64_t dev_read(void *opaque, hwaddr addr, unsigned size)
{
    TestDev *d = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)d->regs[(addr + i) % 64] << (8 * i);
    }
    g_assert_cmpuint(d->n, <, G_N_ELEMENTS(d->log));
    d->log[d->n++] = (Access) { false, addr, size, v };
    return v;
}

static void dev_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    TestDev *d = opaque;
    for (unsigned i = 0; i < size; i++) {
        d->regs[(addr + i) % 64] = val >> (8 * i);
    }
    g_assert_cmpuint(d->n, <, G_N_ELEMENTS(d->log));
    d->log[d->n++] = (Access) { true, addr, size, val };
}

static bool dev_accepts(void *opaque, hwaddr addr, unsigned size, bool is_write)
{
    TestDev *d = opaque;
    return !(is_write && d->refuse_writes);
}

static void dev_init(TestDev *d, const MemoryRegionOps *ops, const char *name,
                     uint64_t size)
{
    memset(d, 0, sizeof(*d));
    for (unsigned i = 0; i < 64; i++) {
        d->regs[i] = 0x10 + i;
    }
    memory_region_init_io(&d->mr, NULL, ops, d, name, size);
}

static void assert_access(TestDev *d, unsigned i, bool write, hwaddr addr, unsigned size,
                          uint64_t val)
{
    g_assert_cmpuint(i, <, d->n);
    g_assert_cmpint(d->log[i].write, ==, write);
    g_assert_cmphex(d->log[i].addr, ==, addr);
    g_assert_cmpuint(d->log[i].size, ==, size);
    g_assert_cmphex(d->log[i].val, ==, val);
}

/* ---- a listener that records what it was told ---- */

typedef struct TestListener {
    MemoryListener ml;
    GString *events;
} TestListener;

static void tl_event(MemoryListener *ml, const char *what, MemoryRegionSection *s)
{
    TestListener *tl = container_of(ml, TestListener, ml);
    g_string_append_printf(tl->events, "%s %s %" PRIx64 "+%" PRIx64 "@%" PRIx64 "%s;",
                           what, memory_region_name(s->mr), s->offset_within_address_space,
                           s->size, s->offset_within_region, s->readonly ? " ro" : "");
}

static void tl_begin(MemoryListener *ml)
{
    g_string_append(container_of(ml, TestListener, ml)->events, "begin;");
}

static void tl_commit(MemoryListener *ml)
{
    g_string_append(container_of(ml, TestListener, ml)->events, "commit;");
}

static void tl_add(MemoryListener *ml, MemoryRegionSection *s)
{
    tl_event(ml, "add", s);
}

static void tl_del(MemoryListener *ml, MemoryRegionSection *s)
{
    tl_event(ml, "del", s);
}

static void tl_log_start(MemoryListener *ml, MemoryRegionSection *s, int o, int n)
{
    tl_event(ml, "log_start", s);
}

static void tl_log_stop(MemoryListener *ml, MemoryRegionSection *s, int o, int n)
{
    tl_event(ml, "log_stop", s);
}

static void tl_init(TestListener *tl, AddressSpace *as)
{
    memset(tl, 0, sizeof(*tl));
    tl->events = g_string_new("");
    tl->ml.begin = tl_begin;
    tl->ml.commit = tl_commit;
    tl->ml.region_add = tl_add;
    tl->ml.region_del = tl_del;
    tl->ml.log_start = tl_log_start;
    tl->ml.log_stop = tl_log_stop;
    tl->ml.name = "test";
    memory_listener_register(&tl->ml, as);
}

/* Return and forget the events so far. */
static char *tl_take(TestListener *tl)
{
    char *s = g_strdup(tl->events->str);
    g_string_truncate(tl->events, 0);
    return s;
}

#define assert_events(tl, expected) do { \
        g_autofree char *ev_ = tl_take(tl); \
        g_assert_cmpstr(ev_, ==, expected); \
    } while (0)

static const MemoryRegionOps plain_ops = {
    .read = dev_read,
    .write = dev_write,
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
};

/* Check a flat range: [start, last] shows @mr at @offset. */
static void assert_range(FlatView *fv, unsigned i, hwaddr start, hwaddr last,
                         MemoryRegion *mr, hwaddr offset)
{
    g_assert_cmpuint(i, <, fv->nr);
    g_assert_cmphex(fv->ranges[i].start, ==, start);
    g_assert_cmphex(fv->ranges[i].last, ==, last);
    g_assert_cmpstr(memory_region_name(fv->ranges[i].mr), ==, memory_region_name(mr));
    g_assert_true(fv->ranges[i].mr == mr);
    g_assert_cmphex(fv->ranges[i].offset_in_region, ==, offset);
}

/* ---- overlap and priority ---- */

static void test_priority(void)
{
    MemoryRegion root, ram;
    TestDev a, b, c;
    AddressSpace as;

    memory_region_init(&root, NULL, "root", 0x10000);
    address_space_init(&as, &root, "prio");
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x4000, &error_abort));
    dev_init(&a, &plain_ops, "a", 0x1000);
    dev_init(&b, &plain_ops, "b", 0x1000);
    dev_init(&c, &plain_ops, "c", 0x1000);

    memory_region_add_subregion(&root, 0, &ram);
    memory_region_add_subregion_overlap(&root, 0x800, &a.mr, 1);
    FlatView *fv = address_space_to_flatview(&as);
    g_assert_cmpuint(fv->nr, ==, 3);
    assert_range(fv, 0, 0, 0x7ff, &ram, 0);
    assert_range(fv, 1, 0x800, 0x17ff, &a.mr, 0);
    assert_range(fv, 2, 0x1800, 0x3fff, &ram, 0x1800);
    g_assert_true(fv->ranges[0].ram);
    g_assert_false(fv->ranges[1].ram);

    /* Equal priority: the region added later wins where they overlap. */
    memory_region_add_subregion_overlap(&root, 0x1000, &b.mr, 1);
    fv = address_space_to_flatview(&as);
    g_assert_cmpuint(fv->nr, ==, 4);
    assert_range(fv, 1, 0x800, 0xfff, &a.mr, 0);
    assert_range(fv, 2, 0x1000, 0x1fff, &b.mr, 0);
    assert_range(fv, 3, 0x2000, 0x3fff, &ram, 0x2000);

    /* A lower priority loses even when added last. */
    memory_region_add_subregion_overlap(&root, 0x1800, &c.mr, 0);
    fv = address_space_to_flatview(&as);
    g_assert_cmpuint(fv->nr, ==, 5);
    assert_range(fv, 3, 0x2000, 0x27ff, &c.mr, 0x800);
    assert_range(fv, 4, 0x2800, 0x3fff, &ram, 0x2800);

    /* Higher priority wins even when added first. */
    memory_region_del_subregion(&root, &c.mr);
    memory_region_add_subregion_overlap(&root, 0x1800, &c.mr, 2);
    fv = address_space_to_flatview(&as);
    assert_range(fv, 2, 0x1000, 0x17ff, &b.mr, 0);
    assert_range(fv, 3, 0x1800, 0x27ff, &c.mr, 0);

    /* Accesses follow the view: b's offset 0x10 is at 0x1010. */
    uint8_t v = address_space_ldub(&as, 0x1010, NULL);
    g_assert_cmphex(v, ==, 0x20);
    assert_access(&b, 0, false, 0x10, 1, 0x20);
    g_assert_cmpuint(a.n + c.n, ==, 0);

    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&a.mr);
    memory_region_finalize(&b.mr);
    memory_region_finalize(&c.mr);
    memory_region_finalize(&ram);
}

static void test_container_holes(void)
{
    MemoryRegion root, ram, box;
    TestDev inner, io, child;
    AddressSpace as;

    memory_region_init(&root, NULL, "root", 0x10000);
    address_space_init(&as, &root, "holes");
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x1000, &error_abort));
    memory_region_init(&box, NULL, "box", 0x1000);
    dev_init(&inner, &plain_ops, "inner", 0x100);
    dev_init(&io, &plain_ops, "io", 0x1000);
    dev_init(&child, &plain_ops, "child", 0x10);

    /* A high-priority container is transparent outside its children. */
    memory_region_add_subregion(&root, 0, &ram);
    memory_region_add_subregion(&box, 0x100, &inner.mr);
    memory_region_add_subregion_overlap(&root, 0, &box, 5);
    FlatView *fv = address_space_to_flatview(&as);
    g_assert_cmpuint(fv->nr, ==, 3);
    assert_range(fv, 0, 0, 0xff, &ram, 0);
    assert_range(fv, 1, 0x100, 0x1ff, &inner.mr, 0);
    assert_range(fv, 2, 0x200, 0xfff, &ram, 0x200);

    /* An I/O region with a child: the child on top, the region's own ops beneath. */
    memory_region_add_subregion(&io.mr, 0x20, &child.mr);
    memory_region_add_subregion(&root, 0x2000, &io.mr);
    fv = address_space_to_flatview(&as);
    g_assert_cmpuint(fv->nr, ==, 6);
    assert_range(fv, 3, 0x2000, 0x201f, &io.mr, 0);
    assert_range(fv, 4, 0x2020, 0x202f, &child.mr, 0);
    assert_range(fv, 5, 0x2030, 0x2fff, &io.mr, 0x30);

    /* A disabled container hides its children and lets the RAM through. */
    memory_region_set_enabled(&box, false);
    fv = address_space_to_flatview(&as);
    assert_range(fv, 0, 0, 0xfff, &ram, 0);

    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&box);
    memory_region_finalize(&inner.mr);
    memory_region_finalize(&io.mr);
    memory_region_finalize(&child.mr);
    memory_region_finalize(&ram);
}

/* ---- aliases ---- */

static void test_alias(void)
{
    MemoryRegion root, ram, win, bus, bus_alias;
    TestDev dev;
    AddressSpace as;

    memory_region_init(&root, NULL, "root", 0x100000);
    address_space_init(&as, &root, "alias");
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x4000, &error_abort));
    uint8_t *host = memory_region_get_ram_ptr(&ram);
    for (unsigned i = 0; i < 0x4000; i++) {
        host[i] = i * 7;
    }

    /* A window onto ram[0x1000..0x2fff] at 0x10000. */
    memory_region_init_alias(&win, NULL, "win", &ram, 0x1000, 0x2000);
    memory_region_add_subregion(&root, 0x10000, &win);
    FlatView *fv = address_space_to_flatview(&as);
    g_assert_cmpuint(fv->nr, ==, 1);
    assert_range(fv, 0, 0x10000, 0x11fff, &ram, 0x1000);
    g_assert_cmphex(address_space_ldub(&as, 0x10005, NULL), ==, (uint8_t)(0x1005 * 7));
    address_space_stl_le(&as, 0x10100, 0xdeadbeef, NULL);
    g_assert_cmphex(*(uint32_t *)(host + 0x1100), ==, 0xdeadbeef);
    g_assert_true(memory_region_get_ram_ptr(&win) == host + 0x1000);

    /* Moving the window (PAM-style remap). */
    memory_region_set_alias_offset(&win, 0x3000);
    fv = address_space_to_flatview(&as);
    /* Only 0x1000 bytes of ram remain past offset 0x3000: the window is clipped. */
    g_assert_cmpuint(fv->nr, ==, 1);
    assert_range(fv, 0, 0x10000, 0x10fff, &ram, 0x3000);
    g_assert_cmphex(address_space_ldub(&as, 0x10001, NULL), ==, (uint8_t)(0x3001 * 7));
    g_assert_cmphex(address_space_ldub(&as, 0x11000, NULL), ==, 0xff);

    /* An alias of a container carries the container's layout along. */
    memory_region_init(&bus, NULL, "bus", 0x10000);
    dev_init(&dev, &plain_ops, "dev", 0x40);
    memory_region_add_subregion(&bus, 0x8000, &dev.mr);
    memory_region_init_alias(&bus_alias, NULL, "bus-alias", &bus, 0x4000, 0x8000);
    memory_region_add_subregion(&root, 0x40000, &bus_alias);
    fv = address_space_to_flatview(&as);
    g_assert_cmpuint(fv->nr, ==, 2);
    assert_range(fv, 1, 0x44000, 0x4403f, &dev.mr, 0);
    g_assert_cmphex(address_space_ldub(&as, 0x44003, NULL), ==, 0x13);
    assert_access(&dev, 0, false, 3, 1, 0x13);

    memory_region_set_alias_offset(&bus_alias, 0x8010);
    fv = address_space_to_flatview(&as);
    assert_range(fv, 1, 0x40000, 0x4002f, &dev.mr, 0x10);

    address_space_destroy(&as);
    memory_region_finalize(&win);
    memory_region_finalize(&bus_alias);
    memory_region_finalize(&root);
    memory_region_finalize(&bus);
    memory_region_finalize(&dev.mr);
    memory_region_finalize(&ram);
}

/* ---- access splitting ---- */

static const MemoryRegionOps impl1_ops = {
    .read = dev_read, .write = dev_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};
static const MemoryRegionOps impl2_ops = {
    .read = dev_read, .write = dev_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 2, .max_access_size = 2 },
};
static const MemoryRegionOps impl4_ops = {
    .read = dev_read, .write = dev_write,
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};
static const MemoryRegionOps impl8_ops = {
    .read = dev_read, .write = dev_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 8, .max_access_size = 8 },
};
static const MemoryRegionOps be_ops = {
    .read = dev_read, .write = dev_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 2 },
};

static void test_access_split(void)
{
    TestDev d;
    uint64_t v;

    /* impl max 1: a 4-byte read is four byte reads, combined little-endian. */
    dev_init(&d, &impl1_ops, "impl1", 64);
    g_assert_cmpint(memory_region_dispatch_read(&d.mr, 4, &v, 4), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0x17161514);
    g_assert_cmpuint(d.n, ==, 4);
    for (unsigned i = 0; i < 4; i++) {
        assert_access(&d, i, false, 4 + i, 1, 0x14 + i);
    }
    d.n = 0;
    memory_region_dispatch_write(&d.mr, 8, 0xa1a2a3a4, 4);
    g_assert_cmpuint(d.n, ==, 4);
    assert_access(&d, 0, true, 8, 1, 0xa4);
    assert_access(&d, 3, true, 11, 1, 0xa1);
    memory_region_finalize(&d.mr);

    /* impl 2: an 8-byte read is four 2-byte reads; a byte read widens to 2 and extracts. */
    dev_init(&d, &impl2_ops, "impl2", 64);
    memory_region_dispatch_read(&d.mr, 8, &v, 8);
    g_assert_cmphex(v, ==, 0x1f1e1d1c1b1a1918);
    g_assert_cmpuint(d.n, ==, 4);
    assert_access(&d, 0, false, 8, 2, 0x1918);
    assert_access(&d, 3, false, 14, 2, 0x1f1e);
    d.n = 0;
    memory_region_dispatch_read(&d.mr, 3, &v, 1);
    g_assert_cmphex(v, ==, 0x13);
    g_assert_cmpuint(d.n, ==, 1);
    assert_access(&d, 0, false, 2, 2, 0x1312);
    memory_region_finalize(&d.mr);

    /*
     * impl 4: a byte write becomes one aligned 4-byte write with the other
     * bytes zero; an unaligned 4-byte read touches the two words it straddles.
     */
    dev_init(&d, &impl4_ops, "impl4", 64);
    memory_region_dispatch_write(&d.mr, 2, 0xab, 1);
    g_assert_cmpuint(d.n, ==, 1);
    assert_access(&d, 0, true, 0, 4, 0x00ab0000);
    d.n = 0;
    memory_region_dispatch_read(&d.mr, 6, &v, 4);
    g_assert_cmphex(v, ==, 0x19181716);
    g_assert_cmpuint(d.n, ==, 2);
    assert_access(&d, 0, false, 4, 4, 0x17161514);
    assert_access(&d, 1, false, 8, 4, 0x1b1a1918);
    d.n = 0;
    memory_region_dispatch_read(&d.mr, 8, &v, 8);
    g_assert_cmphex(v, ==, 0x1f1e1d1c1b1a1918);
    g_assert_cmpuint(d.n, ==, 2);
    memory_region_finalize(&d.mr);

    /* impl 8: a 4-byte read of the upper half reads the whole quadword. */
    dev_init(&d, &impl8_ops, "impl8", 64);
    memory_region_dispatch_read(&d.mr, 12, &v, 4);
    g_assert_cmphex(v, ==, 0x1f1e1d1c);
    g_assert_cmpuint(d.n, ==, 1);
    assert_access(&d, 0, false, 8, 8, 0x1f1e1d1c1b1a1918);
    memory_region_finalize(&d.mr);

    /* Big-endian device: its 2-byte values are byte-swapped into guest order. */
    dev_init(&d, &be_ops, "be", 64);
    memory_region_dispatch_read(&d.mr, 0, &v, 4);
    g_assert_cmpuint(d.n, ==, 2);
    assert_access(&d, 0, false, 0, 2, 0x1110);
    assert_access(&d, 1, false, 2, 2, 0x1312);
    g_assert_cmphex(v, ==, 0x12131011);
    d.n = 0;
    memory_region_dispatch_write(&d.mr, 4, 0x1234, 2);
    assert_access(&d, 0, true, 4, 2, 0x3412);
    memory_region_finalize(&d.mr);
}

/* address_space_rw cuts a buffer into accesses the device accepts. */
static void test_access_buffer(void)
{
    static const MemoryRegionOps ops = {
        .read = dev_read, .write = dev_write,
        .valid = { .min_access_size = 1, .max_access_size = 4 },
    };
    MemoryRegion root;
    TestDev d;
    AddressSpace as;
    uint8_t buf[7];

    memory_region_init(&root, NULL, "root", 0x10000);
    address_space_init(&as, &root, "buffer");
    dev_init(&d, &ops, "dev", 64);
    memory_region_add_subregion(&root, 0x100, &d.mr);

    /* 7 bytes from offset 1: widest aligned pieces 1, 2, 4. */
    g_assert_cmpint(address_space_read(&as, 0x101, buf, 7), ==, MEMTX_OK);
    g_assert_cmpuint(d.n, ==, 3);
    assert_access(&d, 0, false, 1, 1, 0x11);
    assert_access(&d, 1, false, 2, 2, 0x1312);
    assert_access(&d, 2, false, 4, 4, 0x17161514);
    for (unsigned i = 0; i < 7; i++) {
        g_assert_cmphex(buf[i], ==, 0x11 + i);
    }
    /* An 8-byte load of a device taking at most 4 is two 4-byte reads. */
    d.n = 0;
    g_assert_cmphex(address_space_ldq_le(&as, 0x108, NULL), ==, 0x1f1e1d1c1b1a1918);
    g_assert_cmpuint(d.n, ==, 2);

    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&d.mr);
}

static void test_access_valid(void)
{
    static const MemoryRegionOps min4_ops = {
        .read = dev_read, .write = dev_write,
        .valid = { .min_access_size = 4, .max_access_size = 4, .accepts = dev_accepts },
    };
    MemoryRegion root;
    TestDev d;
    AddressSpace as;
    uint64_t v;

    memory_region_init(&root, NULL, "root", 0x10000);
    address_space_init(&as, &root, "valid");
    dev_init(&d, &min4_ops, "min4", 64);
    memory_region_add_subregion(&root, 0x100, &d.mr);

    /* Too narrow, too wide, unaligned: refused before the device sees anything. */
    g_assert_cmpint(memory_region_dispatch_read(&d.mr, 0, &v, 1), ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(v, ==, 0xff);
    g_assert_cmpint(memory_region_dispatch_read(&d.mr, 0, &v, 8), ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(v, ==, UINT64_MAX);
    g_assert_cmpint(memory_region_dispatch_read(&d.mr, 2, &v, 4), ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(v, ==, 0xffffffff);
    g_assert_cmpint(memory_region_dispatch_write(&d.mr, 1, 0, 1), ==, MEMTX_DECODE_ERROR);
    g_assert_cmpuint(d.n, ==, 0);

    /* Through the address space: a byte read of a dword-only device reads all-ones. */
    MemTxResult res;
    g_assert_cmphex(address_space_ldub(&as, 0x100, &res), ==, 0xff);
    g_assert_cmpint(res, ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(address_space_ldl_le(&as, 0x104, &res), ==, 0x17161514);
    g_assert_cmpint(res, ==, MEMTX_OK);

    /* The accepts hook can refuse individual accesses. */
    d.refuse_writes = true;
    address_space_stl_le(&as, 0x100, 0x12345678, &res);
    g_assert_cmpint(res, ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(d.regs[0], ==, 0x10);
    d.refuse_writes = false;
    address_space_stl_le(&as, 0x100, 0x12345678, &res);
    g_assert_cmpint(res, ==, MEMTX_OK);
    g_assert_cmphex(d.regs[0], ==, 0x78);

    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&d.mr);
}

/* ---- unassigned ---- */

static void test_unassigned(void)
{
    MemoryRegion root, ram;
    AddressSpace as;
    MemTxResult res;
    uint8_t buf[8];
    g_autofree char *dir = g_dir_make_tmp("emu-mem-XXXXXX", NULL);
    g_autofree char *logpath = g_build_filename(dir, "log", NULL);

    memory_region_init(&root, NULL, "root", 0x10000);
    address_space_init(&as, &root, "unassigned-as");
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x1000, &error_abort));
    memory_region_add_subregion(&root, 0x1000, &ram);
    memset(memory_region_get_ram_ptr(&ram), 0x5a, 0x1000);

    g_assert_true(emu_log_set_file(logpath, &error_abort));
    emu_log_set_mask(LOG_UNIMP);
    g_assert_cmphex(address_space_ldl_le(&as, 0x200, &res), ==, 0xffffffff);
    g_assert_cmpint(res, ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(address_space_lduw_le(&as, 0xfff0, &res), ==, 0xffff);
    address_space_stl_le(&as, 0x200, 0, &res);
    g_assert_cmpint(res, ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(address_space_ldl_le(&as, 0x200, NULL), ==, 0xffffffff);

    /* A read straddling the end of RAM: RAM bytes, then all-ones. */
    res = address_space_read(&as, 0x1ffc, buf, 8);
    g_assert_cmpint(res, ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(buf[3], ==, 0x5a);
    g_assert_cmphex(buf[4], ==, 0xff);
    g_assert_cmphex(buf[7], ==, 0xff);
    emu_log_set_mask(0);

    g_autofree char *log = NULL;
    g_assert_true(g_file_get_contents(logpath, &log, NULL, NULL));
    g_assert_nonnull(strstr(log, "unassigned-as: unassigned read of 4 bytes at "
                                 "0x0000000000000200"));
    g_assert_nonnull(strstr(log, "unassigned write of 4 bytes"));
    unlink(logpath);
    rmdir(dir);

    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&ram);
}

/* ---- remapping, as listeners see it ---- */

static void test_remap_listener(void)
{
    MemoryRegion root, ram, other;
    TestDev bar;
    AddressSpace as;
    TestListener tl;

    memory_region_init(&root, NULL, "root", 0x100000);
    address_space_init(&as, &root, "remap");
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x2000, &error_abort));
    g_assert_true(memory_region_init_ram(&other, NULL, "other", 0x1000, &error_abort));
    dev_init(&bar, &plain_ops, "bar", 0x1000);
    memory_region_add_subregion(&root, 0, &ram);

    /* Registering replays the current view. */
    tl_init(&tl, &as);
    assert_events(&tl, "begin;add ram 0+2000@0;commit;");

    /* A BAR appears over RAM: RAM is cut in two. */
    memory_region_add_subregion_overlap(&root, 0x1000, &bar.mr, 1);
    assert_events(&tl, "begin;del ram 0+2000@0;add ram 0+1000@0;add bar 1000+1000@0;"
                       "commit;");

    /* The guest moves the BAR. */
    memory_region_set_address(&bar.mr, 0x8000);
    assert_events(&tl, "begin;del ram 0+1000@0;del bar 1000+1000@0;add ram 0+2000@0;"
                       "add bar 8000+1000@0;commit;");

    /* Disabling and re-enabling (a command register's memory enable bit). */
    memory_region_set_enabled(&bar.mr, false);
    assert_events(&tl, "begin;del bar 8000+1000@0;commit;");
    memory_region_set_enabled(&bar.mr, false);
    assert_events(&tl, "");
    memory_region_set_enabled(&bar.mr, true);
    assert_events(&tl, "begin;add bar 8000+1000@0;commit;");

    /* A transaction batches edits into one update; undone edits cancel out. */
    memory_region_transaction_begin();
    memory_region_set_address(&bar.mr, 0x9000);
    memory_region_add_subregion(&root, 0x10000, &other);
    memory_region_set_readonly(&other, true);
    memory_region_set_address(&bar.mr, 0x8000);
    assert_events(&tl, "");
    memory_region_transaction_commit();
    assert_events(&tl, "begin;add other 10000+1000@0 ro;commit;");

    memory_region_del_subregion(&root, &other);
    assert_events(&tl, "begin;del other 10000+1000@0 ro;commit;");

    /* Dirty logging switched on an existing range is a log_start, not a remap. */
    memory_region_set_log(&ram, true, DIRTY_MEMORY_VGA);
    assert_events(&tl, "begin;log_start ram 0+2000@0;commit;");
    memory_region_set_log(&ram, false, DIRTY_MEMORY_VGA);
    assert_events(&tl, "begin;log_stop ram 0+2000@0;commit;");

    /* A referenced old view stays intact while the tree changes under it. */
    FlatView *old = address_space_get_flatview(&as);
    memory_region_set_size(&ram, 0x1000);
    assert_events(&tl, "begin;del ram 0+2000@0;add ram 0+1000@0;commit;");
    g_assert_cmphex(old->ranges[0].last, ==, 0x1fff);
    g_assert_cmphex(address_space_to_flatview(&as)->ranges[0].last, ==, 0xfff);
    flatview_unref(old);

    memory_listener_unregister(&tl.ml);
    assert_events(&tl, "begin;del ram 0+1000@0;del bar 8000+1000@0;commit;");
    memory_region_set_enabled(&bar.mr, false);
    assert_events(&tl, "");

    g_string_free(tl.events, true);
    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&bar.mr);
    memory_region_finalize(&ram);
    memory_region_finalize(&other);
}

/* ---- ROM ---- */

static void test_rom(void)
{
    MemoryRegion root, rom, ram;
    AddressSpace as;
    static const uint8_t fw[4] = { 0xea, 0x5b, 0xe0, 0x00 };

    memory_region_init(&root, NULL, "root", 0x100000);
    address_space_init(&as, &root, "rom");
    g_assert_true(memory_region_init_rom(&rom, NULL, "bios", 0x10000, &error_abort));
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x1000, &error_abort));
    g_assert_true(memory_region_is_rom(&rom));
    g_assert_true(memory_region_is_ram(&rom));
    memory_region_add_subregion(&root, 0xf0000, &rom);
    memory_region_add_subregion(&root, 0, &ram);

    g_assert_cmpint(address_space_write_rom(&as, 0xffff0, fw, 4), ==, MEMTX_OK);
    g_assert_cmphex(address_space_ldl_le(&as, 0xffff0, NULL), ==, 0x00e05bea);
    /* The guest cannot write ROM; the write is dropped, not an error on the bus. */
    MemTxResult res;
    address_space_stl_le(&as, 0xffff0, 0, &res);
    g_assert_cmpint(res, ==, MEMTX_OK);
    g_assert_cmphex(address_space_ldl_le(&as, 0xffff0, NULL), ==, 0x00e05bea);
    g_assert_cmphex(((uint8_t *)memory_region_get_ram_ptr(&rom))[0xfff0], ==, 0xea);

    /* Read-only RAM behaves like ROM until made writable again (PAM). */
    address_space_stb(&as, 0x10, 0x11, NULL);
    memory_region_set_readonly(&ram, true);
    g_assert_true(address_space_to_flatview(&as)->ranges[0].readonly);
    address_space_stb(&as, 0x10, 0x22, NULL);
    g_assert_cmphex(address_space_ldub(&as, 0x10, NULL), ==, 0x11);
    memory_region_set_readonly(&ram, false);
    address_space_stb(&as, 0x10, 0x33, NULL);
    g_assert_cmphex(address_space_ldub(&as, 0x10, NULL), ==, 0x33);

    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&rom);
    memory_region_finalize(&ram);
}

/* ---- -mem-path ---- */

static void test_mem_path(void)
{
    MemoryRegion a, b;
    Error *err = NULL;
    g_autofree char *dir = g_dir_make_tmp("emu-mem-XXXXXX", NULL);
    g_assert_nonnull(dir);

    /* A directory: an unlinked temporary file, nothing left behind. */
    g_assert_true(memory_region_init_ram_from_file(&a, NULL, "pc.ram", 0x10000, dir, false,
                                                   &err));
    g_assert_null(err);
    g_assert_cmpint(memory_region_get_fd(&a), >=, 0);
    uint8_t *p = memory_region_get_ram_ptr(&a);
    p[0x1234] = 0x42;
    g_assert_cmphex(p[0x1234], ==, 0x42);
    GDir *d = g_dir_open(dir, 0, NULL);
    g_assert_null(g_dir_read_name(d));
    g_dir_close(d);
    memory_region_finalize(&a);

    /* A file, shared: guest writes reach the file. */
    g_autofree char *file = g_build_filename(dir, "guest-ram", NULL);
    g_assert_true(memory_region_init_ram_from_file(&b, NULL, "pc.ram", 0x3000, file, true,
                                                   &err));
    struct stat st;
    g_assert_cmpint(stat(file, &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, 0x3000);
    memcpy((uint8_t *)memory_region_get_ram_ptr(&b) + 0x2000, "emu", 4);
    memory_region_finalize(&b);
    g_autofree char *contents = NULL;
    gsize len;
    g_assert_true(g_file_get_contents(file, &contents, &len, NULL));
    g_assert_cmpuint(len, ==, 0x3000);
    g_assert_cmpstr(contents + 0x2000, ==, "emu");
    unlink(file);

    /* A path that cannot be opened is the user's error, reported, not fatal. */
    g_autofree char *bad = g_build_filename(dir, "no", "such", "dir", NULL);
    g_assert_false(memory_region_init_ram_from_file(&b, NULL, "pc.ram", 0x1000, bad, false,
                                                    &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err), bad));
    error_free(err);
    err = NULL;
    g_assert_false(memory_region_init_ram(&b, NULL, "empty", 0, &err));
    g_assert_nonnull(err);
    error_free(err);
    rmdir(dir);
}

/* ---- dirty tracking ---- */

static void test_dirty(void)
{
    MemoryRegion root, vram, win;
    AddressSpace as;
    const hwaddr P = TARGET_PAGE_SIZE;

    memory_region_init(&root, NULL, "root", 0x1000000);
    address_space_init(&as, &root, "dirty");
    g_assert_true(memory_region_init_ram(&vram, NULL, "vram", 16 * P, &error_abort));
    memory_region_init_alias(&win, NULL, "vga-window", &vram, 4 * P, 4 * P);
    memory_region_add_subregion(&root, 0x100000, &vram);
    memory_region_add_subregion(&root, 0xa0000, &win);

    /* New RAM starts dirty for everybody. */
    g_assert_true(memory_region_get_dirty(&vram, 0, 16 * P, DIRTY_MEMORY_VGA));
    g_assert_true(memory_region_get_dirty(&vram, 15 * P, 1, DIRTY_MEMORY_MIGRATION));
    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
        memory_region_reset_dirty(&vram, 0, 16 * P, c);
        g_assert_false(memory_region_get_dirty(&vram, 0, 16 * P, c));
    }

    /* Writes mark only clients that log the region. */
    memory_region_set_log(&vram, true, DIRTY_MEMORY_VGA);
    address_space_stl_le(&as, 0x100000 + 2 * P + 8, 1, NULL);
    g_assert_true(memory_region_get_dirty(&vram, 2 * P, P, DIRTY_MEMORY_VGA));
    g_assert_false(memory_region_get_dirty(&vram, 0, 2 * P, DIRTY_MEMORY_VGA));
    g_assert_false(memory_region_get_dirty(&vram, 3 * P, 13 * P, DIRTY_MEMORY_VGA));
    g_assert_false(memory_region_get_dirty(&vram, 0, 16 * P, DIRTY_MEMORY_MIGRATION));

    /* A write through the alias lands on the page behind it; one straddling two pages. */
    address_space_stl_le(&as, 0xa0000 + P - 2, 0xffffffff, NULL);
    g_assert_true(memory_region_get_dirty(&vram, 4 * P, 1, DIRTY_MEMORY_VGA));
    g_assert_true(memory_region_get_dirty(&vram, 5 * P, 1, DIRTY_MEMORY_VGA));
    g_assert_true(memory_region_get_dirty(&win, P, 1, DIRTY_MEMORY_VGA));
    g_assert_false(memory_region_get_dirty(&vram, 6 * P, 1, DIRTY_MEMORY_VGA));

    /* Test-and-clear reports once. */
    g_assert_true(memory_region_test_and_clear_dirty(&vram, 2 * P, 4 * P,
                                                     DIRTY_MEMORY_VGA));
    g_assert_false(memory_region_test_and_clear_dirty(&vram, 2 * P, 4 * P,
                                                      DIRTY_MEMORY_VGA));

    /* Snapshot: a copy that survives further writes, and the bitmap cleared. */
    address_space_stb(&as, 0x100000 + 7 * P, 1, NULL);
    DirtyBitmapSnapshot *snap = memory_region_snapshot_and_clear_dirty(&vram, 0, 16 * P,
                                                                       DIRTY_MEMORY_VGA);
    address_space_stb(&as, 0x100000 + 9 * P, 1, NULL);
    g_assert_true(memory_region_snapshot_get_dirty(&vram, snap, 7 * P, P));
    g_assert_false(memory_region_snapshot_get_dirty(&vram, snap, 9 * P, P));
    g_assert_false(memory_region_get_dirty(&vram, 7 * P, P, DIRTY_MEMORY_VGA));
    g_assert_true(memory_region_get_dirty(&vram, 9 * P, P, DIRTY_MEMORY_VGA));
    memory_region_snapshot_free(snap);

    /* set_dirty marks every client, logging or not. */
    memory_region_set_dirty(&vram, 12 * P, 1);
    g_assert_true(memory_region_get_dirty(&vram, 12 * P, 1, DIRTY_MEMORY_CODE));
    g_assert_true(memory_region_get_dirty(&vram, 12 * P, 1, DIRTY_MEMORY_MIGRATION));

    /* Global logging (migration) catches writes to regions that do not log. */
    memory_region_reset_dirty(&vram, 0, 16 * P, DIRTY_MEMORY_MIGRATION);
    memory_global_dirty_log_start(1u << DIRTY_MEMORY_MIGRATION);
    address_space_stb(&as, 0x100000 + 3 * P, 1, NULL);
    memory_global_dirty_log_stop(1u << DIRTY_MEMORY_MIGRATION);
    address_space_stb(&as, 0x100000 + 11 * P, 1, NULL);
    g_assert_true(memory_region_get_dirty(&vram, 3 * P, 1, DIRTY_MEMORY_MIGRATION));
    g_assert_false(memory_region_get_dirty(&vram, 11 * P, 1, DIRTY_MEMORY_MIGRATION));

    /* DMA through a mapping marks dirty at unmap, for the bytes actually written. */
    memory_region_reset_dirty(&vram, 0, 16 * P, DIRTY_MEMORY_VGA);
    hwaddr len = 3 * P;
    uint8_t *p = address_space_map(&as, 0x100000 + 13 * P, &len, true);
    g_assert_nonnull(p);
    g_assert_cmphex(len, ==, 3 * P);
    memset(p, 0, P + 1);
    g_assert_false(memory_region_get_dirty(&vram, 0, 16 * P, DIRTY_MEMORY_VGA));
    address_space_unmap(&as, p, len, true, P + 1);
    g_assert_true(memory_region_get_dirty(&vram, 14 * P, 1, DIRTY_MEMORY_VGA));
    g_assert_false(memory_region_get_dirty(&vram, 15 * P, 1, DIRTY_MEMORY_VGA));

    address_space_destroy(&as);
    memory_region_finalize(&win);
    memory_region_finalize(&root);
    memory_region_finalize(&vram);
}

/* ---- DMA mapping ---- */

static void test_map(void)
{
    MemoryRegion root, ram;
    TestDev d;
    AddressSpace as;

    memory_region_init(&root, NULL, "root", 0x100000);
    address_space_init(&as, &root, "map");
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x8000, &error_abort));
    dev_init(&d, &plain_ops, "mmio", 64);
    memory_region_add_subregion(&root, 0, &ram);
    memory_region_add_subregion(&root, 0x10000, &d.mr);
    uint8_t *host = memory_region_get_ram_ptr(&ram);

    /* RAM: a direct pointer, the length cut where RAM ends. */
    hwaddr len = 0x10000;
    void *p = address_space_map(&as, 0x7000, &len, false);
    g_assert_true(p == host + 0x7000);
    g_assert_cmphex(len, ==, 0x1000);
    address_space_unmap(&as, p, len, false, len);

    /* MMIO: a bounce buffer, filled through the device, written back at unmap. */
    len = 16;
    uint8_t *b = address_space_map(&as, 0x10000, &len, false);
    g_assert_nonnull(b);
    g_assert_false(b >= host && b < host + 0x8000);
    g_assert_cmpuint(len, ==, 16);
    g_assert_cmphex(b[5], ==, 0x15);
    /* Only one bounce buffer: a second mapping must wait. */
    hwaddr len2 = 4;
    g_assert_null(address_space_map(&as, 0x10020, &len2, true));
    g_assert_cmpuint(len2, ==, 0);
    address_space_unmap(&as, b, len, false, len);

    len = 8;
    d.n = 0;
    b = address_space_map(&as, 0x10008, &len, true);
    g_assert_cmpuint(d.n, ==, 0);
    memset(b, 0xcc, 8);
    address_space_unmap(&as, b, len, true, 4);
    g_assert_cmpuint(d.n, ==, 1);
    assert_access(&d, 0, true, 8, 4, 0xcccccccc);
    g_assert_cmphex(d.regs[12], ==, 0x1c);

    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&ram);
    memory_region_finalize(&d.mr);
}

/* ---- the machine's buses ---- */

static void test_system_io(void)
{
    static const MemoryRegionOps pio_ops = {
        .read = dev_read, .write = dev_write,
        .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
        .impl = { .min_access_size = 1, .max_access_size = 1 },
    };
    TestDev d;
    MemoryRegion ram;

    dev_init(&d, &pio_ops, "debug-port", 8);
    memory_region_add_subregion(get_system_io(), 0x3f8, &d.mr);
    cpu_outb(0x3f8, 0x41);
    assert_access(&d, 0, true, 0, 1, 0x41);
    g_assert_cmphex(cpu_inw(0x3f8), ==, 0x1141);
    g_assert_cmphex(cpu_inl(0x3fa), ==, 0x15141312);
    cpu_outl(0x3fc, 0x01020304);
    g_assert_cmphex(d.regs[7], ==, 0x01);
    g_assert_cmphex(cpu_inb(0x80), ==, 0xff);
    g_assert_cmphex(cpu_inl(0x80), ==, 0xffffffff);

    /* The system bus is 2^64 bytes: RAM can sit at the very top. */
    g_assert_cmphex(memory_region_size(get_system_memory()), ==, MEMORY_REGION_SIZE_FULL);
    g_assert_true(memory_region_init_ram(&ram, NULL, "top", 0x1000, &error_abort));
    memory_region_add_subregion(get_system_memory(), 0xfffffffffffff000ull, &ram);
    FlatView *fv = address_space_get_flatview(&address_space_memory);
    g_assert_cmpuint(fv->nr, ==, 1);
    g_assert_cmphex(fv->ranges[0].last, ==, UINT64_MAX);
    g_assert_cmphex(fv->ranges[0].size, ==, 0x1000);
    flatview_unref(fv);
    address_space_stq_le(&address_space_memory, 0xfffffffffffffff8ull, 0x1122334455667788,
                         NULL);
    g_assert_cmphex(address_space_ldq_le(&address_space_memory, 0xfffffffffffffff8ull,
                                         NULL), ==, 0x1122334455667788);

    memory_region_finalize(&ram);
    memory_region_finalize(&d.mr);
    g_assert_cmpuint(address_space_to_flatview(&address_space_memory)->nr, ==, 0);
}

static void test_mtree(void)
{
    MemoryRegion root, ram, low, hidden;
    TestDev d;
    AddressSpace as;

    memory_region_init(&root, NULL, "root", 0x100000);
    address_space_init(&as, &root, "mtree");
    g_assert_true(memory_region_init_ram(&ram, NULL, "pc.ram", 0x20000, &error_abort));
    memory_region_init_alias(&low, NULL, "ram-below-1m", &ram, 0x1000, 0x9000);
    dev_init(&d, &plain_ops, "vga", 0x1000);
    memory_region_init(&hidden, NULL, "hidden", 0x100);
    memory_region_add_subregion(&root, 0, &low);
    memory_region_add_subregion_overlap(&root, 0x8000, &d.mr, 1);
    memory_region_add_subregion(&root, 0x20000, &hidden);
    memory_region_set_enabled(&hidden, false);

    g_autoptr(GString) out = g_string_new("");
    mtree_info(out, false);
    const char *s = strstr(out->str, "address-space: mtree\n");
    g_assert_nonnull(s);
    g_assert_nonnull(strstr(s, "  0000000000000000-00000000000fffff (prio 0, container): "
                               "root\n"
                               "    0000000000000000-0000000000008fff (prio 0, ram): "
                               "alias ram-below-1m @pc.ram "
                               "0000000000001000-0000000000009fff\n"
                               "    0000000000008000-0000000000008fff (prio 1, i/o): vga\n"
                               "    0000000000020000-00000000000200ff (prio 0, container): "
                               "hidden [disabled]\n"));
    g_assert_nonnull(strstr(s, "memory-region: pc.ram\n"
                               "  0000000000000000-000000000001ffff (prio 0, ram): "
                               "pc.ram\n"));

    g_string_truncate(out, 0);
    mtree_info(out, true);
    s = strstr(out->str, " AS \"mtree\", root: root\n");
    g_assert_nonnull(s);
    g_assert_nonnull(strstr(s, "  0000000000000000-0000000000007fff (prio 0, ram): pc.ram"
                               " @0000000000001000\n"
                               "  0000000000008000-0000000000008fff (prio 1, i/o): vga\n"));

    address_space_destroy(&as);
    memory_region_finalize(&low);
    memory_region_finalize(&root);
    memory_region_finalize(&ram);
    memory_region_finalize(&d.mr);
    memory_region_finalize(&hidden);
}

/* A mapped region keeps its owner alive; unmapping lets it go. */
static void test_owner_ref(void)
{
    MemoryRegion root, ram;
    AddressSpace as;
    Object *owner = object_new(TYPE_CONTAINER);

    memory_region_init(&root, NULL, "root", 0x10000);
    address_space_init(&as, &root, "owner");
    g_assert_true(memory_region_init_ram(&ram, owner, "ram", 0x1000, &error_abort));
    g_assert_true(memory_region_owner(&ram) == owner);
    g_assert_cmpuint(owner->ref, ==, 1);
    memory_region_add_subregion(&root, 0, &ram);
    g_assert_cmpuint(owner->ref, ==, 2);
    hwaddr len = 16;
    void *p = address_space_map(&as, 0, &len, true);
    g_assert_cmpuint(owner->ref, ==, 3);
    address_space_unmap(&as, p, len, true, len);
    memory_region_del_subregion(&root, &ram);
    g_assert_cmpuint(owner->ref, ==, 1);

    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&ram);
    object_unref(owner);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/priority", test_priority);
    g_test_add_func("/memory/container-holes", test_container_holes);
    g_test_add_func("/memory/alias", test_alias);
    g_test_add_func("/memory/access/split", test_access_split);
    g_test_add_func("/memory/access/buffer", test_access_buffer);
    g_test_add_func("/memory/access/valid", test_access_valid);
    g_test_add_func("/memory/unassigned", test_unassigned);
    g_test_add_func("/memory/remap-listener", test_remap_listener);
    g_test_add_func("/memory/rom", test_rom);
    g_test_add_func("/memory/mem-path", test_mem_path);
    g_test_add_func("/memory/dirty", test_dirty);
    g_test_add_func("/memory/map", test_map);
    g_test_add_func("/memory/system-io", test_system_io);
    g_test_add_func("/memory/mtree", test_mtree);
    g_test_add_func("/memory/owner-ref", test_owner_ref);
    return g_test_run();
}
