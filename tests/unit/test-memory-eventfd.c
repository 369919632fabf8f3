/*
 * ioeventfds in the memory API (memory_region_add_eventfd): which guest writes
 * signal the notifier instead of reaching the region's write callback (the
 * address, the size -- 0 meaning any -- and the value when data matching is
 * asked for), through memory_region_dispatch_write and through an address
 * space (the TCG/qtest path), and what listeners (the KVM path) are told when
 * regions move, disappear or come back. The oracle is the rule as QEMU and
 * KVM_IOEVENTFD state it; the notifier's eventfd is read back with read(2).
 */
#include "system/memory.h"
#include <unistd.h>

typedef struct Dev {
    MemoryRegion mr;
    unsigned writes;
    hwaddr last_addr;
    uint64_t last_val;
} Dev;

static void dev_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    Dev *d = opaque;
    d->writes++;
    d->last_addr = addr;
    d->last_val = val;
}

static uint64_t dev_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static const MemoryRegionOps dev_ops = {
    .read = dev_read,
    .write = dev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

/* Whether @e was signalled since the last look (the eventfd itself, via read(2)). */
static bool signalled(EventNotifier *e)
{
    uint64_t v = 0;
    ssize_t r = read(event_notifier_get_fd(e), &v, sizeof(v));
    return r == sizeof(v) && v > 0;
}

static void test_dispatch(void)
{
    Dev d = { 0 };
    EventNotifier match, any;
    g_assert_cmpint(event_notifier_init(&match, false), ==, 0);
    g_assert_cmpint(event_notifier_init(&any, false), ==, 0);
    memory_region_init_io(&d.mr, NULL, &dev_ops, &d, "doorbells", 0x100);
    memory_region_add_eventfd(&d.mr, 0x10, 2, true, 0x1234, &match);
    memory_region_add_eventfd(&d.mr, 0x20, 0, false, 0, &any);

    /* Matching address, size and value: the notifier, not the device. */
    memory_region_dispatch_write(&d.mr, 0x10, 0x1234, 2);
    g_assert_true(signalled(&match));
    g_assert_cmpuint(d.writes, ==, 0);
    /* Another value, size or address: the device, not the notifier. */
    memory_region_dispatch_write(&d.mr, 0x10, 0x1235, 2);
    g_assert_cmpuint(d.writes, ==, 1);
    g_assert_cmphex(d.last_val, ==, 0x1235);
    memory_region_dispatch_write(&d.mr, 0x10, 0x1234, 4);
    g_assert_cmpuint(d.writes, ==, 2);
    memory_region_dispatch_write(&d.mr, 0x12, 0x1234, 2);
    g_assert_cmpuint(d.writes, ==, 3);
    g_assert_false(signalled(&match));
    /* Size 0, no data match: any write at that address, of any size and value. */
    for (unsigned size = 1; size <= 4; size *= 2) {
        memory_region_dispatch_write(&d.mr, 0x20, 0xa5a5 + size, size);
        g_assert_true(signalled(&any));
    }
    g_assert_cmpuint(d.writes, ==, 3);
    /* Reads never signal. */
    uint64_t v;
    memory_region_dispatch_read(&d.mr, 0x20, &v, 2);
    g_assert_false(signalled(&any));

    /* Removed: writes reach the device again. */
    memory_region_del_eventfd(&d.mr, 0x10, 2, true, 0x1234, &match);
    memory_region_dispatch_write(&d.mr, 0x10, 0x1234, 2);
    g_assert_false(signalled(&match));
    g_assert_cmpuint(d.writes, ==, 4);
    g_assert_cmphex(d.last_addr, ==, 0x10);

    memory_region_del_eventfd(&d.mr, 0x20, 0, false, 0, &any);
    memory_region_finalize(&d.mr);
    event_notifier_cleanup(&match);
    event_notifier_cleanup(&any);
}

/* Guest-physical writes through an address space (what TCG and qtest do). */
static void test_address_space(void)
{
    MemoryRegion root;
    AddressSpace as;
    Dev d = { 0 };
    EventNotifier e;
    g_assert_cmpint(event_notifier_init(&e, false), ==, 0);
    memory_region_init(&root, NULL, "root", 0x10000);
    address_space_init(&as, &root, "eventfd-as");
    memory_region_init_io(&d.mr, NULL, &dev_ops, &d, "notify", 0x1000);
    memory_region_add_subregion(&root, 0x4000, &d.mr);
    memory_region_add_eventfd(&d.mr, 0x8, 2, true, 3, &e);

    uint16_t three = GUINT16_TO_LE(3), four = GUINT16_TO_LE(4);
    address_space_write(&as, 0x4008, &three, 2);
    g_assert_true(signalled(&e));
    g_assert_cmpuint(d.writes, ==, 0);
    address_space_write(&as, 0x4008, &four, 2);
    g_assert_false(signalled(&e));
    g_assert_cmpuint(d.writes, ==, 1);

    /* The region moves: the doorbell moves with it. */
    memory_region_set_address(&d.mr, 0x6000);
    address_space_write(&as, 0x4008, &three, 2);
    g_assert_false(signalled(&e));
    address_space_write(&as, 0x6008, &three, 2);
    g_assert_true(signalled(&e));

    memory_region_del_eventfd(&d.mr, 0x8, 2, true, 3, &e);
    memory_region_del_subregion(&root, &d.mr);
    memory_region_finalize(&d.mr);
    address_space_destroy(&as);
    memory_region_finalize(&root);
    event_notifier_cleanup(&e);
}

/* ---- listeners ---- */

typedef struct Seen {
    bool add;
    hwaddr addr;
    uint64_t size;
    bool match;
    uint64_t data;
    EventNotifier *e;
} Seen;

static Seen seen[16];
static unsigned nseen;

static void record(bool add, MemoryRegionSection *s, bool match, uint64_t data,
                   EventNotifier *e)
{
    g_assert_cmpuint(nseen, <, G_N_ELEMENTS(seen));
    seen[nseen++] = (Seen) { add, s->offset_within_address_space, s->size, match, data, e };
}

static void l_add(MemoryListener *l, MemoryRegionSection *s, bool match, uint64_t data,
                  EventNotifier *e)
{
    record(true, s, match, data, e);
}

static void l_del(MemoryListener *l, MemoryRegionSection *s, bool match, uint64_t data,
                  EventNotifier *e)
{
    record(false, s, match, data, e);
}

static void expect(unsigned i, bool add, hwaddr addr, uint64_t size, EventNotifier *e)
{
    g_assert_cmpuint(i, <, nseen);
    g_assert_cmpint(seen[i].add, ==, add);
    g_assert_cmphex(seen[i].addr, ==, addr);
    g_assert_cmpuint(seen[i].size, ==, size);
    g_assert_true(seen[i].e == e);
}

static void test_listener(void)
{
    MemoryRegion root, c;
    AddressSpace as;
    Dev d = { 0 };
    EventNotifier e;
    MemoryListener l = { .eventfd_add = l_add, .eventfd_del = l_del, .name = "test" };
    g_assert_cmpint(event_notifier_init(&e, false), ==, 0);
    memory_region_init(&root, NULL, "root", 0x100000);
    address_space_init(&as, &root, "eventfd-listen");
    memory_listener_register(&l, &as);
    /* Inside a container (a BAR inside a bridge window, say). */
    memory_region_init(&c, NULL, "container", 0x10000);
    memory_region_add_subregion(&root, 0x20000, &c);
    memory_region_init_io(&d.mr, NULL, &dev_ops, &d, "notify", 0x1000);
    memory_region_add_subregion(&c, 0x3000, &d.mr);
    nseen = 0;

    /* Added: one eventfd_add at its place in the address space. */
    memory_region_add_eventfd(&d.mr, 0x40, 2, true, 7, &e);
    g_assert_cmpuint(nseen, ==, 1);
    expect(0, true, 0x23040, 2, &e);
    g_assert_true(seen[0].match);
    g_assert_cmpuint(seen[0].data, ==, 7);
    /* An unrelated change: nothing. */
    MemoryRegion other;
    memory_region_init_io(&other, NULL, &dev_ops, &d, "other", 0x1000);
    memory_region_add_subregion(&root, 0x50000, &other);
    g_assert_cmpuint(nseen, ==, 1);
    /* The container moves: removed at the old place, then added at the new one. */
    memory_region_set_address(&c, 0x30000);
    g_assert_cmpuint(nseen, ==, 3);
    expect(1, false, 0x23040, 2, &e);
    expect(2, true, 0x33040, 2, &e);
    /* Hidden (disabled), then shown again. */
    memory_region_set_enabled(&d.mr, false);
    g_assert_cmpuint(nseen, ==, 4);
    expect(3, false, 0x33040, 2, &e);
    memory_region_set_enabled(&d.mr, true);
    g_assert_cmpuint(nseen, ==, 5);
    expect(4, true, 0x33040, 2, &e);
    /* A region covering it on top: the doorbell is not visible there any more. */
    memory_region_del_subregion(&root, &other);
    g_assert_cmpuint(nseen, ==, 5);
    memory_region_add_subregion_overlap(&root, 0x33000, &other, 1);
    g_assert_cmpuint(nseen, ==, 6);
    expect(5, false, 0x33040, 2, &e);
    memory_region_del_subregion(&root, &other);
    g_assert_cmpuint(nseen, ==, 7);
    expect(6, true, 0x33040, 2, &e);

    /* A listener registered later learns about the existing eventfd. */
    unsigned before = nseen;
    MemoryListener l2 = { .eventfd_add = l_add, .eventfd_del = l_del, .name = "late" };
    memory_listener_register(&l2, &as);
    g_assert_cmpuint(nseen, ==, before + 1);
    expect(before, true, 0x33040, 2, &e);
    memory_listener_unregister(&l2);
    g_assert_cmpuint(nseen, ==, before + 2);
    expect(before + 1, false, 0x33040, 2, &e);

    /* Deleted: eventfd_del. */
    nseen = 0;
    memory_region_del_eventfd(&d.mr, 0x40, 2, true, 7, &e);
    g_assert_cmpuint(nseen, ==, 1);
    expect(0, false, 0x33040, 2, &e);

    memory_listener_unregister(&l);
    memory_region_finalize(&other);
    memory_region_finalize(&d.mr);
    memory_region_finalize(&c);
    address_space_destroy(&as);
    memory_region_finalize(&root);
    event_notifier_cleanup(&e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory-eventfd/dispatch", test_dispatch);
    g_test_add_func("/memory-eventfd/address-space", test_address_space);
    g_test_add_func("/memory-eventfd/listener", test_listener);
    return g_test_run();
}
