/*
 * The PC's small system ports on -machine pc: System Control Port A (0x92:
 * fast A20, fast reset), NMI status and control (0x61: refresh toggle, PIT
 * channel 2 gate and output, speaker), and the POST port 0x80.
 */
#include "libqtest.h"

static void expect_guest_reset(QTestState *s)
{
    g_autoptr(JsonNode) ev = qtest_qmp_eventwait_ref(s, "RESET");
    JsonObject *data = json_object_get_object_member(json_node_get_object(ev), "data");
    g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==, "guest-reset");
}

static void test_port92(void)
{
    QTestState *s = qtest_init("-machine pc");
    g_autofree char *r = qtest_raw_cmd(s, "irq_intercept_out /machine/port92 a20");
    g_assert_cmpstr(r, ==, "OK");

    /* A20 bit: written, read back, and driven on the "a20" line. */
    g_assert_cmphex(qtest_inb(s, 0x92), ==, 0x00);
    qtest_outb(s, 0x92, 0x02);
    g_assert_cmphex(qtest_inb(s, 0x92), ==, 0x02);
    g_assert_true(qtest_get_irq(s, 0));
    qtest_outb(s, 0x92, 0x00);
    g_assert_cmphex(qtest_inb(s, 0x92), ==, 0x00);
    g_assert_false(qtest_get_irq(s, 0));
    /* Reserved bits read as 0. */
    qtest_outb(s, 0x92, 0xf2);
    g_assert_cmphex(qtest_inb(s, 0x92), ==, 0x02);

    /* Bit 0 going 0 -> 1 resets the machine; A20 survives, bit 0 reads 0 after. */
    qtest_outb(s, 0x92, 0x03);
    expect_guest_reset(s);
    g_assert_cmphex(qtest_inb(s, 0x92), ==, 0x02);
    g_assert_true(qtest_get_irq(s, 0));
    qtest_outb(s, 0x92, 0x01);
    expect_guest_reset(s);
    g_assert_cmphex(qtest_inb(s, 0x92), ==, 0x00);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_port61(void)
{
    QTestState *s = qtest_init("-machine pc");
    g_autofree char *r = qtest_raw_cmd(s, "irq_intercept_out /machine/port61 pit-gate2");
    g_assert_cmpstr(r, ==, "OK");

    /* The refresh bit flips on every read; nothing else moves. */
    uint8_t a = qtest_inb(s, 0x61);
    uint8_t b = qtest_inb(s, 0x61);
    uint8_t c = qtest_inb(s, 0x61);
    g_assert_cmphex((a ^ b) & 0x10, ==, 0x10);
    g_assert_cmphex((b ^ c) & 0x10, ==, 0x10);
    g_assert_cmphex((a ^ b) & ~0x10, ==, 0);
    g_assert_cmphex(a & 0xef, ==, 0x00);

    /* Bits 0-3 are read/write, bit 0 drives the PIT channel 2 gate. */
    qtest_outb(s, 0x61, 0x03);
    g_assert_cmphex(qtest_inb(s, 0x61) & 0x0f, ==, 0x03);
    g_assert_true(qtest_get_irq(s, 0));
    qtest_outb(s, 0x61, 0xfc);
    g_assert_cmphex(qtest_inb(s, 0x61) & 0xef, ==, 0x0c);
    g_assert_false(qtest_get_irq(s, 0));

    /* Bit 5 shows the PIT channel 2 output (low until a PIT drives it). */
    g_assert_cmphex(qtest_inb(s, 0x61) & 0x20, ==, 0);
    qtest_set_irq_in(s, "/machine/port61", "pit-out2", 0, 1);
    g_assert_cmphex(qtest_inb(s, 0x61) & 0x20, ==, 0x20);
    qtest_set_irq_in(s, "/machine/port61", "pit-out2", 0, 0);
    g_assert_cmphex(qtest_inb(s, 0x61) & 0x20, ==, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_port80(void)
{
    QTestState *s = qtest_init("-machine pc");

    /* POST codes go nowhere; the port reads high and the machine runs on. */
    g_assert_cmphex(qtest_inb(s, 0x80), ==, 0xff);
    for (int i = 0; i < 16; i++) {
        qtest_outb(s, 0x80, i * 17);
    }
    g_assert_cmphex(qtest_inb(s, 0x80), ==, 0xff);
    g_autoptr(JsonNode) st = qtest_qmp(s, "{'execute': 'query-status'}");
    JsonNode *ret = qtest_qmp_return(st);
    g_assert_nonnull(ret);
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(ret), "status"),
                    ==, "running");
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/misc-ports/port92", test_port92);
    g_test_add_func("/misc-ports/port61", test_port61);
    g_test_add_func("/misc-ports/port80", test_port80);
    return g_test_run();
}
