/*
 * qtest smoke test: start emu with -machine none under -accel qtest and check
 * that every protocol command round-trips with QEMU's reply formats, that bad
 * input gets FAIL without breaking the connection, and that QMP works alongside.
 */
#include "libqtest.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define RAM_SIZE (16 * 1024 * 1024)

static void assert_fail_reply(QTestState *s, const char *line)
{
    g_autofree char *reply = qtest_raw_cmd(s, line);
    if (!g_str_has_prefix(reply, "FAIL") && !g_str_has_prefix(reply, "ERR")) {
        g_error("'%s' should have failed, got '%s'", line, reply);
    }
}

static void assert_reply(QTestState *s, const char *line, const char *expected)
{
    g_autofree char *reply = qtest_raw_cmd(s, line);
    g_assert_cmpstr(reply, ==, expected);
}

/* With no RAM, memory is one big hole: reads are all-ones, writes vanish. */
static void test_no_ram(void)
{
    QTestState *s = qtest_init("-machine none");
    uint8_t buf[64];

    g_assert_cmphex(qtest_readb(s, 0), ==, 0xff);
    g_assert_cmphex(qtest_readw(s, 0x1000), ==, 0xffff);
    g_assert_cmphex(qtest_readl(s, 0x100000), ==, 0xffffffff);
    g_assert_cmphex(qtest_readq(s, 0xfffffffffffffff8ull), ==, UINT64_MAX);
    qtest_writel(s, 0, 0x12345678);
    g_assert_cmphex(qtest_readl(s, 0), ==, 0xffffffff);
    qtest_memread(s, 0x2000, buf, sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++) {
        g_assert_cmphex(buf[i], ==, 0xff);
    }
    /* Exact reply formats, as QEMU prints them. */
    assert_reply(s, "readb 0x0", "OK 0x00000000000000ff");
    assert_reply(s, "read 0x0 3", "OK 0xffffff");
    assert_reply(s, "b64read 0x0 3", "OK ////");
    assert_reply(s, "endianness", "OK little");
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Nothing decodes these ports on machine none. */
static void test_unassigned_ports(void)
{
    QTestState *s = qtest_init("-machine none");

    g_assert_cmphex(qtest_inb(s, 0x1234), ==, 0xff);
    g_assert_cmphex(qtest_inw(s, 0x1234), ==, 0xffff);
    g_assert_cmphex(qtest_inl(s, 0x1234), ==, 0xffffffff);
    assert_reply(s, "inb 0x1234", "OK 0x00ff");
    qtest_outb(s, 0x1234, 0x5a);
    qtest_outw(s, 0x1234, 0x5a5a);
    qtest_outl(s, 0xfffc, 0x5a5a5a5a);
    g_assert_cmphex(qtest_inb(s, 0x1234), ==, 0xff);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* machine none with -m maps that much RAM at 0. */
static void test_ram_widths(void)
{
    QTestState *s = qtest_init("-machine none -m 16M");

    qtest_writeb(s, 0x1000, 0xa5);
    g_assert_cmphex(qtest_readb(s, 0x1000), ==, 0xa5);
    qtest_writew(s, 0x1002, 0xbeef);
    g_assert_cmphex(qtest_readw(s, 0x1002), ==, 0xbeef);
    qtest_writel(s, 0x1004, 0xdeadbeef);
    g_assert_cmphex(qtest_readl(s, 0x1004), ==, 0xdeadbeef);
    qtest_writeq(s, 0x1008, 0x0123456789abcdefull);
    g_assert_cmphex(qtest_readq(s, 0x1008), ==, 0x0123456789abcdefull);

    /* Little-endian guest: the low byte lands at the lowest address. */
    g_assert_cmphex(qtest_readb(s, 0x1002), ==, 0xef);
    g_assert_cmphex(qtest_readb(s, 0x1008), ==, 0xef);
    g_assert_cmphex(qtest_readb(s, 0x100f), ==, 0x01);
    g_assert_cmphex(qtest_readl(s, 0x1000), ==, 0xbeef00a5);
    assert_reply(s, "readq 0x1008", "OK 0x0123456789abcdef");

    /* The last byte of RAM works; the next one is a hole. */
    qtest_writeb(s, RAM_SIZE - 1, 0x42);
    g_assert_cmphex(qtest_readb(s, RAM_SIZE - 1), ==, 0x42);
    qtest_writeb(s, RAM_SIZE, 0x42);
    g_assert_cmphex(qtest_readb(s, RAM_SIZE), ==, 0xff);
    /* A read straddling the end: RAM then all-ones. */
    g_assert_cmphex(qtest_readw(s, RAM_SIZE - 1), ==, 0xff42);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_ram_buffers(void)
{
    QTestState *s = qtest_init("-machine none -m 16M");
    enum { N = 5000 };
    static uint8_t pattern[N], back[N];
    GRand *rand = g_rand_new_with_seed(42);

    for (int i = 0; i < N; i++) {
        pattern[i] = g_rand_int(rand);
    }
    g_rand_free(rand);

    /* hex */
    qtest_memwrite(s, 0x10001, pattern, N);
    qtest_memread(s, 0x10001, back, N);
    g_assert_cmpmem(back, N, pattern, N);
    /* a single value written as a buffer reads back through the width commands */
    qtest_memwrite(s, 0x20000, "\x78\x56\x34\x12", 4);
    g_assert_cmphex(qtest_readl(s, 0x20000), ==, 0x12345678);

    /* base64 */
    qtest_bufwrite(s, 0x30003, pattern, N);
    qtest_bufread(s, 0x30003, back, N);
    g_assert_cmpmem(back, N, pattern, N);
    qtest_memread(s, 0x30003, back, N);
    g_assert_cmpmem(back, N, pattern, N);

    /* memset, and that it touches nothing outside its range */
    qtest_memset(s, 0x30003 + 10, 0x5c, 100);
    qtest_memread(s, 0x30003, back, N);
    memset(pattern + 10, 0x5c, 100);
    g_assert_cmpmem(back, N, pattern, N);
    assert_reply(s, "memset 0x30003 0 0x00", "OK");
    g_assert_cmphex(qtest_readb(s, 0x30003), ==, pattern[0]);

    /* "write" with short data zero-fills the rest (QEMU's rule). */
    qtest_memset(s, 0x40000, 0xff, 4);
    assert_reply(s, "write 0x40000 4 0xabcd", "OK");
    g_assert_cmphex(qtest_readl(s, 0x40000), ==, 0x0000cdab);
    assert_reply(s, "read 0x40000 4", "OK 0xabcd0000");
    assert_reply(s, "b64write 0x40000 3 AQID", "OK");
    assert_reply(s, "read 0x40000 4", "OK 0x01020300");
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_clock(void)
{
    QTestState *s = qtest_init("-machine none");
    g_autofree char *r = NULL;

    int64_t t0 = qtest_clock_step(s, 1);
    g_assert_cmpint(t0, >=, 1);
    /* Only the test moves time: a pause changes nothing. */
    g_usleep(20 * 1000);
    g_assert_cmpint(qtest_clock_step(s, 1000), ==, t0 + 1000);
    g_assert_cmpint(qtest_clock_step(s, 1000000000), ==, t0 + 1000 + 1000000000);
    int64_t t1 = t0 + 1000 + 1000000000;
    g_assert_cmpint(qtest_clock_set(s, t1 + 5), ==, t1 + 5);
    g_assert_cmpint(qtest_clock_set(s, t1 + 5), ==, t1 + 5);

    /* Time never goes back: the reply is FAIL with the current time. */
    r = qtest_raw_cmd(s, "clock_set 3");
    g_autofree char *expected = g_strdup_printf("FAIL %" PRId64, t1 + 5);
    g_assert_cmpstr(r, ==, expected);
    assert_fail_reply(s, "clock_step 0");
    assert_fail_reply(s, "clock_step -10");
    assert_fail_reply(s, "clock_step 9223372036854775807");
    /* machine none arms no virtual timer, so there is no deadline to step to. */
    assert_fail_reply(s, "clock_step");
    g_assert_cmpint(qtest_clock_step(s, 7), ==, t1 + 12);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_malformed(void)
{
    static const char *const bad[] = {
        "", "   ", "frobnicate", "frobnicate 1 2", "\x01\x02\x7f", "OUTB 0x10 1",
        "outb", "outb 0x10", "outb 0x10 1 2", "outb 0x10 0x100", "outb 0x10000 1",
        "outb 0x10 -1", "outw 0x10 0x10000", "outl 0x10 0x100000000",
        "inb", "inb zz", "inb 0x10 extra", "inb 0x", "inb 12abc", "inb 0x1-",
        "readb", "readb -1", "readb 0x10000000000000000",
        "readq 0xfffffffffffffff9", "writew 0xffffffffffffffff 0",
        "writeb 0x0 0x1ff", "writeb 0 ''", "writel 0 4294967296",
        "read 0 0", "read 0", "read 0 0x10000000", "read 0xffffffffffffffff 2",
        "write 0 4 1234", "write 0 2 0x123", "write 0 1 0x1234", "write 0 2 0xzz00",
        "write 0 4", "b64read 0 0", "b64write 0 4 !!!!", "b64write 0 4",
        "memset 0 4 0x100", "memset 0 4", "memset 0 0x1000000000000 0",
        "clock_step abc", "clock_step 1 2", "clock_set -5", "clock_set", "clock_set 1e9",
        "irq_intercept_in", "irq_intercept_in /nonexistent",
        "irq_intercept_in /machine", "irq_intercept_out /machine",
        "set_irq_in /machine unnamed-gpio-in 0 1", "set_irq_in /nonexistent x 0 1",
        "set_irq_in /machine x y z", "set_irq_in /machine",
        "endianness big",
    };
    QTestState *s = qtest_init("-machine none -m 1M");

    qtest_writel(s, 0x100, 0xcafef00d);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        assert_fail_reply(s, bad[i]);
        /* Still in step: the next command gets its own reply. */
        g_assert_cmphex(qtest_readl(s, 0x100), ==, 0xcafef00d);
    }
    /* Several commands in one write, CRLF, extra spaces: all answered in order. */
    qtest_raw_send(s, "readb 0x100\r\nreadb 0x101\n  readb   0x102  \nendianness\n");
    static const char *const replies[] = {
        "OK 0x000000000000000d", "OK 0x00000000000000f0", "OK 0x00000000000000fe",
        "OK little",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(replies); i++) {
        g_autofree char *r = qtest_raw_recv(s);
        g_assert_cmpstr(r, ==, replies[i]);
    }
    /* A command split over two writes is one command. */
    qtest_raw_send(s, "read");
    g_usleep(10 * 1000);
    qtest_raw_send(s, "b 0x103\n");
    g_autofree char *split = qtest_raw_recv(s);
    g_assert_cmpstr(split, ==, "OK 0x00000000000000ca");
    /* Unknown commands are named in the reply. */
    g_autofree char *r6 = qtest_raw_cmd(s, "frobnicate");
    g_assert_cmpstr(r6, ==, "FAIL Unknown command 'frobnicate'");
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static const char *qmp_status(QTestState *s)
{
    static char status[64];
    g_autoptr(JsonNode) resp = qtest_qmp(s, "{'execute': 'query-status'}");
    JsonNode *ret = qtest_qmp_return(resp);
    g_assert_nonnull(ret);
    g_strlcpy(status, json_object_get_string_member(json_node_get_object(ret), "status"),
              sizeof(status));
    return status;
}

static void test_qmp_side_channel(void)
{
    QTestState *s = qtest_init("-machine none");
    g_assert_cmpstr(qmp_status(s), ==, "running");
    /* qtest and QMP interleave freely. */
    g_assert_cmphex(qtest_inb(s, 0x1234), ==, 0xff);
    g_assert_cmpstr(qmp_status(s), ==, "running");
    /* Events are kept for qtest_qmp_eventwait, not mistaken for responses. */
    g_autoptr(JsonNode) stop = qtest_qmp(s, "{'execute': 'stop'}");
    g_assert_nonnull(qtest_qmp_return(stop));
    qtest_qmp_eventwait(s, "STOP");
    g_assert_cmpstr(qmp_status(s), ==, "paused");
    /* The machine answers qtest while stopped. */
    qtest_clock_step(s, 10);
    g_assert_cmpint(qtest_quit(s), ==, 0);

    s = qtest_init("-machine none -S");
    g_assert_cmpstr(qmp_status(s), ==, "prelaunch");
    g_assert_cmphex(qtest_readb(s, 0), ==, 0xff);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_qtest_log(void)
{
    g_autofree char *dir = g_dir_make_tmp("emu-qtest-log-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "qtest.log", NULL);
    g_autofree char *contents = NULL;

    g_assert_nonnull(dir);
    QTestState *s = qtest_initf("-machine none -qtest-log %s", path);
    g_assert_cmphex(qtest_inw(s, 0x4321), ==, 0xffff);
    assert_fail_reply(s, "bogus");
    g_assert_cmpint(qtest_quit(s), ==, 0);

    g_assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    g_assert_nonnull(strstr(contents, "] inw 0x4321\n"));
    g_assert_nonnull(strstr(contents, "] OK 0xffff\n"));
    g_assert_nonnull(strstr(contents, "] bogus\n"));
    g_assert_nonnull(strstr(contents, "] FAIL Unknown command 'bogus'\n"));
    unlink(path);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qtest/smoke/no-ram", test_no_ram);
    g_test_add_func("/qtest/smoke/unassigned-ports", test_unassigned_ports);
    g_test_add_func("/qtest/smoke/ram-widths", test_ram_widths);
    g_test_add_func("/qtest/smoke/ram-buffers", test_ram_buffers);
    g_test_add_func("/qtest/smoke/clock", test_clock);
    g_test_add_func("/qtest/smoke/malformed", test_malformed);
    g_test_add_func("/qtest/smoke/qmp", test_qmp_side_channel);
    g_test_add_func("/qtest/smoke/qtest-log", test_qtest_log);
    return g_test_run();
}
