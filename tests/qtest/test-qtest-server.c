/*
 * The qtest server's command handling, in-process (no chardev, no emu binary):
 * what a device sees for each command, timers firing on clock steps, and IRQ
 * interception reporting level changes while still delivering them.
 */
#include "system/qtest.h"
#include "system/memory.h"
#include "hw/core/qdev.h"
#include "util/timer.h"

#define TYPE_QTEST_TEST_DEV "qtest-test-dev"

typedef struct TestDev {
    DeviceState parent_obj;
    MemoryRegion io;
    qemu_irq out[2];
    int in_level[2];
    int named_level;
    uint64_t last_write;
    unsigned last_size;
} TestDev;

static TestDev *the_dev;
static int sink_level[2];     /* what the device's outputs are wired to */

static void dev_set_in(void *opaque, int n, int level)
{
    TestDev *d = opaque;
    d->in_level[n] = level;
}

static void dev_set_named(void *opaque, int n, int level)
{
    TestDev *d = opaque;
    d->named_level = level;
}

static void sink_set(void *opaque, int n, int level)
{
    sink_level[n] = level;
}

/* Port 0x100: writes drive output pin 0 and are recorded; reads return 0xa5. */
static uint64_t dev_io_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0xa5;
}

static void dev_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    TestDev *d = opaque;
    d->last_write = val;
    d->last_size = size;
    qemu_set_irq(d->out[addr & 1], val != 0);
}

static const MemoryRegionOps dev_io_ops = {
    .read = dev_io_read,
    .write = dev_io_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static void dev_instance_init(Object *obj)
{
    TestDev *d = (TestDev *)obj;
    qdev_init_gpio_in(DEVICE(obj), dev_set_in, 2);
    qdev_init_gpio_in_named(DEVICE(obj), dev_set_named, "named", 1);
    qdev_init_gpio_out(DEVICE(obj), d->out, 2);
}

static const TypeInfo test_types[] = {
    {
        .name = TYPE_QTEST_TEST_DEV,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(TestDev),
        .instance_init = dev_instance_init,
    },
};
DEFINE_TYPES(test_types)

static MemoryRegion ram;

static void setup(void)
{
    memory_init();
    memory_region_init_ram(&ram, NULL, "ram", 64 * 1024, &error_abort);
    memory_region_add_subregion(get_system_memory(), 0, &ram);

    the_dev = (TestDev *)object_new(TYPE_QTEST_TEST_DEV);
    object_property_add_child(object_get_root(), "testdev", OBJECT(the_dev));
    memory_region_init_io(&the_dev->io, OBJECT(the_dev), &dev_io_ops, the_dev, "testdev",
                          4);
    memory_region_add_subregion(get_system_io(), 0x100, &the_dev->io);
    for (int i = 0; i < 2; i++) {
        qdev_connect_gpio_out(DEVICE(the_dev), i, qemu_allocate_irq(sink_set, NULL, i));
    }

    clock_virtual_set_manual(true);
    qtest_set_enabled(true);
}

static void check(const char *line, const char *expected)
{
    g_autofree char *out = qtest_process_line_for_test(line);
    g_assert_cmpstr(out, ==, expected);
}

static void check_fail(const char *line)
{
    g_autofree char *out = qtest_process_line_for_test(line);
    if (!g_str_has_prefix(out, "FAIL ") || !g_str_has_suffix(out, "\n") ||
        strchr(out, '\n') != out + strlen(out) - 1) {
        g_error("'%s' should give one FAIL line, gave '%s'", line, out);
    }
}

static void test_ports(void)
{
    check("outb 0x100 0x12", "OK\n");
    g_assert_cmphex(the_dev->last_write, ==, 0x12);
    g_assert_cmpuint(the_dev->last_size, ==, 1);
    check("outw 0x100 0x1234", "OK\n");
    g_assert_cmphex(the_dev->last_write, ==, 0x1234);
    g_assert_cmpuint(the_dev->last_size, ==, 2);
    check("outl 256 0x12345678", "OK\n");
    g_assert_cmphex(the_dev->last_write, ==, 0x12345678);
    g_assert_cmpuint(the_dev->last_size, ==, 4);
    check("outb 0x100 0", "OK\n");
    check("inb 0x100", "OK 0x00a5\n");
    check("inb 0x200", "OK 0x00ff\n");
    check("inl 0x200", "OK 0xffffffff\n");
    check_fail("outb 0x100 0x123");
    check_fail("inb 0x10000");
}

static void test_memory(void)
{
    check("writeq 0x10 0x1122334455667788", "OK\n");
    check("readb 0x10", "OK 0x0000000000000088\n");
    check("readw 0x16", "OK 0x0000000000001122\n");
    check("readl 0x12", "OK 0x0000000033445566\n");
    check("read 0x10 8", "OK 0x8877665544332211\n");
    check("b64read 0x10 3", "OK iHdm\n");
    check("b64write 0x20 2 /wA=", "OK\n");
    check("read 0x20 2", "OK 0xff00\n");
    /* base64 longer than SIZE is truncated to SIZE */
    check("b64write 0x20 1 AQID", "OK\n");
    check("read 0x20 3", "OK 0x010000\n");
    check("write 0x30 4 0xDEADbeef", "OK\n");
    check("readl 0x30", "OK 0x00000000efbeadde\n");
    check("memset 0x30 2 0x7f", "OK\n");
    check("readl 0x30", "OK 0x00000000efbe7f7f\n");
    /* straddling the end of RAM: RAM bytes, then all-ones */
    check("writew 0xffff 0x4242", "OK\n");
    check("read 0xfffe 3", "OK 0x0042ff\n");
    check("endianness", "OK little\n");
}

static int64_t fired_at[3];
static int nfired;

static void timer_cb(void *opaque)
{
    g_assert_cmpint(nfired, <, 3);
    fired_at[nfired++] = clock_get_ns(EMU_CLOCK_VIRTUAL);
}

static void test_clock(void)
{
    int64_t now = clock_get_ns(EMU_CLOCK_VIRTUAL);
    EmuTimer *a = timer_new_ns(EMU_CLOCK_VIRTUAL, timer_cb, NULL);
    EmuTimer *b = timer_new_ns(EMU_CLOCK_VIRTUAL, timer_cb, NULL);
    g_autofree char *expect = NULL;

    check_fail("clock_step");              /* nothing armed */
    timer_mod_ns(a, now + 500);
    timer_mod_ns(b, now + 1500);

    /* No argument: exactly to the next deadline, firing that timer only. */
    expect = g_strdup_printf("OK %" PRId64 "\n", now + 500);
    check("clock_step", expect);
    g_assert_cmpint(nfired, ==, 1);
    g_assert_cmpint(fired_at[0], ==, now + 500);

    /* A long step fires what falls inside it, at its own time. */
    g_free(expect);
    expect = g_strdup_printf("OK %" PRId64 "\n", now + 3000);
    check("clock_step 2500", expect);
    g_assert_cmpint(nfired, ==, 2);
    g_assert_cmpint(fired_at[1], ==, now + 1500);

    timer_mod_ns(a, now + 4000);
    g_free(expect);
    expect = g_strdup_printf("OK %" PRId64 "\n", now + 4000);
    g_autofree char *set = g_strdup_printf("clock_set %" PRId64, now + 4000);
    check(set, expect);
    g_assert_cmpint(nfired, ==, 3);
    g_free(expect);
    expect = g_strdup_printf("FAIL %" PRId64 "\n", now + 4000);
    check("clock_set 0", expect);
    check_fail("clock_step 0");
    timer_free(a);
    timer_free(b);
}

static void test_set_irq_in(void)
{
    check("set_irq_in /testdev unnamed-gpio-in 1 1", "OK\n");
    g_assert_cmpint(the_dev->in_level[1], ==, 1);
    check("set_irq_in testdev named 0 5", "OK\n");
    g_assert_cmpint(the_dev->named_level, ==, 5);
    check_fail("set_irq_in /testdev unnamed-gpio-in 2 1");
    check_fail("set_irq_in /testdev named 1 1");
    check_fail("set_irq_in /testdev nosuch 0 1");
    check_fail("set_irq_in /testdev unnamed-gpio-in -1 1");
    check_fail("set_irq_in /nosuch unnamed-gpio-in 0 1");
    check("set_irq_in /testdev unnamed-gpio-in 1 0", "OK\n");
}

/* Runs in a subprocess: interception is once per emu run, like QEMU's. */
static void test_intercept_in(void)
{
    if (!g_test_subprocess()) {
        g_test_trap_subprocess(NULL, 0, 0);
        g_test_trap_assert_passed();
        return;
    }
    check_fail("irq_intercept_in /nosuch");
    check_fail("irq_intercept_in /testdev nosuch");
    check("irq_intercept_in /testdev", "OK\n");
    check("irq_intercept_in /testdev", "OK\n");    /* again: already done */
    /* Reported once per change, and the device still gets the level. */
    check("set_irq_in /testdev unnamed-gpio-in 1 1", "IRQ raise 1\nOK\n");
    g_assert_cmpint(the_dev->in_level[1], ==, 1);
    check("set_irq_in /testdev unnamed-gpio-in 1 1", "OK\n");
    check("set_irq_in /testdev unnamed-gpio-in 0 1", "IRQ raise 0\nOK\n");
    check("set_irq_in /testdev unnamed-gpio-in 1 0", "IRQ lower 1\nOK\n");
    g_assert_cmpint(the_dev->in_level[1], ==, 0);
    /* Only one device may be intercepted. */
    Object *other = object_new(TYPE_QTEST_TEST_DEV);
    object_property_add_child(object_get_root(), "other", other);
    check("irq_intercept_in /other", "FAIL IRQ intercept already enabled\n");
}

static void test_intercept_out(void)
{
    if (!g_test_subprocess()) {
        g_test_trap_subprocess(NULL, 0, 0);
        g_test_trap_assert_passed();
        return;
    }
    check("irq_intercept_out /testdev", "OK\n");
    /* The device raises its output from a port write: reported before the OK. */
    check("outb 0x100 1", "IRQ raise 0\nOK\n");
    g_assert_cmpint(sink_level[0], ==, 1);
    check("outb 0x101 1", "IRQ raise 1\nOK\n");
    check("outb 0x100 0", "IRQ lower 0\nOK\n");
    g_assert_cmpint(sink_level[0], ==, 0);
    g_assert_cmpint(sink_level[1], ==, 1);
}

static void test_malformed(void)
{
    static const char *const bad[] = {
        "", " ", "\t", "nosuch", "outb", "outb 1", "outb 1 2 3", "outb x 1", "outb 1 x",
        "readb 0x", "readb 0x1g", "readb +", "readq 18446744073709551615",
        "read 0 99999999999", "write 0 2 0x1", "write 0 2 12", "write 0 1 0xabcd",
        "b64write 0 2 a$b=", "memset 0 1 256", "clock_step 1x", "clock_set",
        "irq_intercept_in", "set_irq_in a b c", "set_irq_in /testdev x 0 99999999999",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        check_fail(bad[i]);
    }
    check("frob\x01nicate", "FAIL Unknown command 'frob?nicate'\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    setup();
    g_test_add_func("/qtest/server/ports", test_ports);
    g_test_add_func("/qtest/server/memory", test_memory);
    g_test_add_func("/qtest/server/clock", test_clock);
    g_test_add_func("/qtest/server/set-irq-in", test_set_irq_in);
    g_test_add_func("/qtest/server/intercept-in", test_intercept_in);
    g_test_add_func("/qtest/server/intercept-out", test_intercept_out);
    g_test_add_func("/qtest/server/malformed", test_malformed);
    return g_test_run();
}
