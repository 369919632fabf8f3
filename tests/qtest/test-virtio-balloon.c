/*
 * virtio-balloon-pci (virtio 1.2 §5.5) driven like Linux's virtio_balloon,
 * with the monitor commands a user types: PCI IDs (1af4:1002 / 1045), three
 * queues and VIRTIO_BALLOON_F_STATS_VQ, `balloon SIZE` setting num_pages to
 * (RAM - SIZE) / 4 KiB with a configuration-change interrupt, `info balloon`
 * and query-balloon following the driver's `actual`, inflated pages given
 * back to the host (MADV_DONTNEED: they read back as zeroes, the kernel's
 * documented behaviour for private anonymous memory), PFNs outside RAM
 * ignored, and the statistics buffer held and returned every polling
 * interval of guest time.
 */
#include "libqvirtio.h"

#define SLOT 6
#define DEV BDF(SLOT, 0)
#define PAGES 0x400000          /* guest pages the test balloons */
#define PFN_BUF 0x300000
#define STATS_BUF 0x301000

static QVirtioDev *balloon_start(const char *extra)
{
    g_autofree char *args = g_strdup_printf("-machine pc -m 64M -nic none -device "
                                            "virtio-balloon-pci,addr=%02x.0%s", SLOT,
                                            extra ? extra : "");
    return qvirtio_start(SLOT, args);
}

static void test_ids(void)
{
    QVirtioDev *d = balloon_start(NULL);
    QTestState *s = d->s;
    g_assert_cmphex(cfg_readw(s, DEV, PCI_DEVICE_ID), ==, 0x1002);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_SUBSYSTEM_ID), ==, 5);
    g_assert_cmpuint(qtest_readw(s, d->common + VC_NUM_QUEUES), ==, 3);
    g_assert_true(qvirtio_host_features(d) & (1ull << 1));           /* STATS_VQ */
    g_assert_false(qvirtio_host_features(d) & (1ull << 2));          /* DEFLATE_ON_OOM */
    g_assert_cmpuint(qtest_readl(s, d->device), ==, 0);      /* num_pages */
    qvirtio_free(d);
    d = balloon_start(",disable-legacy=on,deflate-on-oom=on");
    g_assert_cmphex(cfg_readw(d->s, DEV, PCI_DEVICE_ID), ==, 0x1045);
    g_assert_true(qvirtio_host_features(d) & (1ull << 2));
    qvirtio_free(d);
}

static void test_monitor(void)
{
    QVirtioDev *d = balloon_start(NULL);
    QTestState *s = d->s;
    qvirtio_go(d, 1ull << 1, 3, 64);
    g_assert_cmphex(qtest_readb(s, d->isr), ==, 0);
    g_autofree char *o1 = hmp(s, "info balloon");
    g_assert_nonnull(strstr(o1, "balloon: actual=64\n"));

    /* balloon 48 on 64 MiB: the guest should give up 16 MiB = 4096 pages. */
    g_autofree char *o2 = hmp(s, "balloon 48");
    g_assert_cmpstr(o2, ==, "");
    g_assert_cmpuint(qtest_readl(s, d->device), ==, 4096);
    g_assert_cmphex(qtest_readb(s, d->isr), ==, 2);          /* configuration change */
    /* Until the driver reports, nothing changed. */
    g_autofree char *o3 = hmp(s, "info balloon");
    g_assert_nonnull(strstr(o3, "balloon: actual=64\n"));
    qtest_writel(s, d->device + 4, 4096);                     /* actual */
    g_autofree char *o4 = hmp(s, "info balloon");
    g_assert_nonnull(strstr(o4, "balloon: actual=48\n"));
    JsonNode *r = qtest_qmp(s, "{'execute': 'query-balloon'}");
    JsonNode *ret = qtest_qmp_return(r);
    g_assert_nonnull(ret);
    g_assert_cmpint(json_object_get_int_member(json_node_get_object(ret), "actual"), ==,
                    48 << 20);
    json_node_unref(r);

    /* QMP takes bytes; more than RAM means no balloon at all. */
    r = qtest_qmp(s, "{'execute': 'balloon', 'arguments': {'value': %d}}", 60 << 20);
    g_assert_nonnull(qtest_qmp_return(r));
    json_node_unref(r);
    g_assert_cmpuint(qtest_readl(s, d->device), ==, 1024);
    g_autofree char *o5 = hmp(s, "balloon 4096");
    g_assert_cmpuint(qtest_readl(s, d->device), ==, 0);
    g_autofree char *o6 = hmp(s, "balloon 0");
    g_assert_nonnull(strstr(o6, "expects a size"));
    g_assert_cmpuint(qtest_readl(s, d->device), ==, 0);
    /* The driver cannot move num_pages. */
    qtest_writel(s, d->device, 77);
    g_assert_cmpuint(qtest_readl(s, d->device), ==, 0);
    qvirtio_free(d);

    /* No balloon device. */
    QTestState *q = qtest_init("-machine pc -m 64M -nic none");
    g_autofree char *o7 = hmp(q, "balloon 32");
    g_assert_nonnull(strstr(o7, "No balloon device"));
    qtest_quit(q);
}

static void test_inflate_deflate(void)
{
    QVirtioDev *d = balloon_start(NULL);
    QTestState *s = d->s;
    qvirtio_go(d, 1ull << 1, 3, 64);
    qtest_memset(s, PAGES, 0x5a, 4 * 4096);
    /* Pages 1 and 3 of the four, a PFN beyond RAM, one in the BIOS ROM. */
    uint32_t pfns[4] = { (PAGES >> 12) + 1, (PAGES >> 12) + 3, 0x7fffff, 0xfffff };
    qtest_memwrite(s, PFN_BUF, pfns, sizeof(pfns));
    QVirtioBuf b = { PFN_BUF, sizeof(pfns), 0 };
    uint16_t h = qvirtio_add_chain(d, 0, &b, 1, true);
    g_assert_cmpuint(qvirtio_wait_used(d, 0, h), ==, 0);
    g_assert_cmphex(qvirtio_status(d) & S_NEEDS_RESET, ==, 0);
    uint8_t page[4096];
    for (int p = 0; p < 4; p++) {
        qtest_memread(s, PAGES + 4096 * p, page, sizeof(page));
        unsigned zero = 0, fill = 0;
        for (int i = 0; i < 4096; i++) {
            zero += page[i] == 0;
            fill += page[i] == 0x5a;
        }
        /* Ballooned pages went back to the host; the others kept their bytes. */
        g_assert_cmpuint(p & 1 ? zero : fill, ==, 4096);
    }
    g_autofree char *info = hmp(s, "info balloon");
    g_assert_nonnull(strstr(info, "inflated 2 deflated 0 discarded 2 bad 2"));
    /* Deflate them: the pages are the guest's again and hold what it writes. */
    h = qvirtio_add_chain(d, 1, &b, 1, true);
    g_assert_cmpuint(qvirtio_wait_used(d, 1, h), ==, 0);
    qtest_writel(s, PAGES + 4096 + 8, 0x12345678);
    g_assert_cmphex(qtest_readl(s, PAGES + 4096 + 8), ==, 0x12345678);
    g_autofree char *info2 = hmp(s, "info balloon");
    g_assert_nonnull(strstr(info2, "inflated 2 deflated 2"));
    qvirtio_free(d);
}

static void put_stat(QTestState *s, uint64_t at, uint16_t tag, uint64_t val)
{
    qtest_writew(s, at, tag);
    qtest_writeq(s, at + 2, val);
}

static void test_stats(void)
{
    QVirtioDev *d = balloon_start(",guest-stats-polling-interval=2");
    QTestState *s = d->s;
    qvirtio_go(d, 1ull << 1, 3, 64);
    put_stat(s, STATS_BUF, 4, 12345678);         /* free memory */
    put_stat(s, STATS_BUF + 10, 5, 67108864);    /* total memory */
    put_stat(s, STATS_BUF + 20, 99, 1);          /* an unknown tag: ignored */
    QVirtioBuf b = { STATS_BUF, 30, 0 };
    uint16_t h = qvirtio_add_chain(d, 2, &b, 1, true);
    g_autofree char *info = hmp(s, "info balloon");
    g_assert_nonnull(strstr(info, "free-memory=12345678"));
    g_assert_nonnull(strstr(info, "total-memory=67108864"));
    /* The device keeps the buffer until the interval passes (guest time). */
    uint32_t id, len;
    g_usleep(20 * 1000);
    g_assert_false(qvirtio_get_used(d, 2, &id, &len));
    qtest_clock_step(s, 1900 * 1000000ll);
    g_assert_false(qvirtio_get_used(d, 2, &id, &len));
    qtest_clock_step(s, 200 * 1000000ll);
    g_assert_cmpuint(qvirtio_wait_used(d, 2, h), ==, 0);
    /* The driver refills it with new numbers. */
    put_stat(s, STATS_BUF, 4, 999);
    h = qvirtio_add_chain(d, 2, &b, 1, true);
    g_autofree char *info2 = hmp(s, "info balloon");
    g_assert_nonnull(strstr(info2, "free-memory=999 "));
    qtest_clock_step(s, 2100 * 1000000ll);
    g_assert_cmpuint(qvirtio_wait_used(d, 2, h), ==, 0);
    qvirtio_free(d);

    /* Polling off at start, switched on at run time with qom-set (as QEMU). */
    d = balloon_start(",id=bal");
    s = d->s;
    qvirtio_go(d, 1ull << 1, 3, 64);
    h = qvirtio_add_chain(d, 2, &b, 1, true);
    qtest_clock_step(s, 10000 * 1000000ll);
    g_assert_false(qvirtio_get_used(d, 2, &id, &len));
    g_autofree char *o = hmp(s, "qom-set /machine/peripheral/bal "
                            "guest-stats-polling-interval 3");
    g_assert_cmpstr(o, ==, "");
    qtest_clock_step(s, 1100 * 1000000ll);
    g_assert_cmpuint(qvirtio_wait_used(d, 2, h), ==, 0);
    qvirtio_free(d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-balloon/ids", test_ids);
    g_test_add_func("/virtio-balloon/monitor", test_monitor);
    g_test_add_func("/virtio-balloon/inflate-deflate", test_inflate_deflate);
    g_test_add_func("/virtio-balloon/stats", test_stats);
    return g_test_run();
}
