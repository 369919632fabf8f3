/*
 * ACPI fixed hardware of -machine pc (PIIX4 PM layout at 0x600): the PM timer
 * (3.579545 MHz, 24 bits), PM1 status/enable with the SCI on GSI 9, sleep
 * control (S5 powers off), the power button (system_powerdown) and the PIIX3
 * reset control register at 0xcf9.
 */
#include "libqtest.h"

#define PM_BASE 0x600
#define PM1_STS (PM_BASE + 0)
#define PM1_EN (PM_BASE + 2)
#define PM1_CNT (PM_BASE + 4)
#define PM_TMR (PM_BASE + 8)
#define GPE0_STS (PM_BASE + 0x20)
#define GPE0_EN (PM_BASE + 0x24)
#define RCR 0xcf9

#define TMR_STS 0x0001
#define PWRBTN_STS 0x0100
#define WAK_STS 0x8000
#define TMR_EN 0x0001
#define PWRBTN_EN 0x0100
#define SCI_EN 0x0001
#define SLP_EN 0x2000
#define SLP_TYP(n) ((n) << 10)

#define PM_FREQ 3579545
#define SCI_GSI 9

static QTestState *pm_start(const char *extra)
{
    QTestState *s = qtest_initf("-machine pc -m 128M %s", extra ? extra : "");
    qtest_irq_intercept_in(s, "/machine/gsi");
    return s;
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

static void test_timer(void)
{
    QTestState *s = pm_start(NULL);

    uint32_t t0 = qtest_inl(s, PM_TMR);
    g_assert_cmphex(t0 & 0xff000000, ==, 0);
    /* Time only moves with clock_step under qtest. */
    g_assert_cmphex(qtest_inl(s, PM_TMR), ==, t0);
    qtest_clock_step(s, 1000000000);
    uint32_t t1 = qtest_inl(s, PM_TMR);
    g_assert_cmpuint((t1 - t0) & 0xffffff, ==, PM_FREQ);
    qtest_clock_step(s, 1000000);
    uint32_t t2 = qtest_inl(s, PM_TMR);
    g_assert_cmpuint((t2 - t1) & 0xffffff, >=, 3579);
    g_assert_cmpuint((t2 - t1) & 0xffffff, <=, 3580);
    /* Narrow reads see the same counter. */
    g_assert_cmphex(qtest_inw(s, PM_TMR), ==, t2 & 0xffff);
    g_assert_cmphex(qtest_inb(s, PM_TMR + 2), ==, (t2 >> 16) & 0xff);
    g_assert_cmphex(qtest_inb(s, PM_TMR + 3), ==, 0);
    /* Read-only: a write changes nothing. */
    qtest_outl(s, PM_TMR, 0);
    g_assert_cmphex(qtest_inl(s, PM_TMR), ==, t2);

    /* Wraps at 2^24 (about 4.69 s). */
    qtest_clock_step(s, 4687500000ll);
    uint32_t t3 = qtest_inl(s, PM_TMR);
    g_assert_cmphex(t3 & 0xff000000, ==, 0);
    /* 4.6875 s is 16779117.19 ticks: 1901 or 1902 past a full turn. */
    g_assert_cmpuint((t3 - t2) & 0xffffff, >=, 1901);
    g_assert_cmpuint((t3 - t2) & 0xffffff, <=, 1902);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_timer_status_and_sci(void)
{
    QTestState *s = pm_start(NULL);

    /* From reset: nothing pending, SCI_EN set (no SMM, always ACPI mode). */
    g_assert_cmphex(qtest_inw(s, PM1_STS), ==, 0);
    g_assert_cmphex(qtest_inw(s, PM1_EN), ==, 0);
    g_assert_cmphex(qtest_inw(s, PM1_CNT), ==, SCI_EN);
    /* TMR_STS sets when bit 23 toggles (at most 2^23 ticks, 2.34 s), enabled or not. */
    qtest_clock_step(s, 2400000000ll);
    g_assert_cmphex(qtest_inw(s, PM1_STS) & TMR_STS, ==, TMR_STS);
    g_assert_false(qtest_get_irq(s, SCI_GSI));
    /* Write 0: no effect; write 1: clear. */
    qtest_outw(s, PM1_STS, 0);
    g_assert_cmphex(qtest_inw(s, PM1_STS) & TMR_STS, ==, TMR_STS);
    qtest_outw(s, PM1_STS, TMR_STS);
    g_assert_cmphex(qtest_inw(s, PM1_STS) & TMR_STS, ==, 0);

    /* With TMR_EN the overflow raises the SCI (level) by itself. */
    qtest_outw(s, PM1_EN, TMR_EN);
    g_assert_cmphex(qtest_inw(s, PM1_EN), ==, TMR_EN);
    g_assert_false(qtest_get_irq(s, SCI_GSI));
    qtest_clock_step(s, 2400000000ll);
    g_assert_true(qtest_get_irq(s, SCI_GSI));
    g_assert_cmphex(qtest_inw(s, PM1_STS) & TMR_STS, ==, TMR_STS);
    /* Clearing the status lowers it. */
    qtest_outw(s, PM1_STS, TMR_STS);
    g_assert_false(qtest_get_irq(s, SCI_GSI));
    /* The next overflow arrives within 2^23 ticks of the clear. */
    qtest_clock_step(s, 2400000000ll);
    g_assert_true(qtest_get_irq(s, SCI_GSI));
    /* Disabling the event lowers the SCI; the status stays. */
    qtest_outw(s, PM1_EN, 0);
    g_assert_false(qtest_get_irq(s, SCI_GSI));
    g_assert_cmphex(qtest_inw(s, PM1_STS) & TMR_STS, ==, TMR_STS);
    /* Byte writes reach the right half of a register. */
    qtest_outb(s, PM1_EN + 1, PWRBTN_EN >> 8);
    g_assert_cmphex(qtest_inw(s, PM1_EN), ==, PWRBTN_EN);
    qtest_outb(s, PM1_STS, TMR_STS);
    g_assert_cmphex(qtest_inw(s, PM1_STS) & TMR_STS, ==, 0);
    /* WAK_STS is never set without sleep states; writing 1 keeps it 0. */
    qtest_outw(s, PM1_STS, WAK_STS);
    g_assert_cmphex(qtest_inw(s, PM1_STS) & WAK_STS, ==, 0);

    /* SCI_EN clear: the event stays pending, no SCI until it is set again. */
    qtest_outw(s, PM1_EN, TMR_EN);
    qtest_outw(s, PM1_CNT, 0);
    g_assert_cmphex(qtest_inw(s, PM1_CNT), ==, 0);
    qtest_clock_step(s, 2400000000ll);
    g_assert_cmphex(qtest_inw(s, PM1_STS) & TMR_STS, ==, TMR_STS);
    g_assert_false(qtest_get_irq(s, SCI_GSI));
    qtest_outw(s, PM1_CNT, SCI_EN);
    g_assert_true(qtest_get_irq(s, SCI_GSI));

    /* A 32-bit write to the event block writes status and enable at once. */
    qtest_outl(s, PM1_STS, TMR_STS);
    g_assert_cmphex(qtest_inl(s, PM1_STS), ==, 0);
    g_assert_false(qtest_get_irq(s, SCI_GSI));

    /* GPE0: enable bits stick, status is write-1-to-clear. */
    qtest_outl(s, GPE0_EN, 0x0000000f);
    g_assert_cmphex(qtest_inl(s, GPE0_EN), ==, 0xf);
    qtest_outl(s, GPE0_STS, 0xffffffff);
    g_assert_cmphex(qtest_inl(s, GPE0_STS), ==, 0);
    g_assert_false(qtest_get_irq(s, SCI_GSI));

    /* A system reset puts everything back. */
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'system_reset'}");
    g_assert_nonnull(qtest_qmp_return(r));
    qtest_qmp_eventwait(s, "RESET");
    g_assert_cmphex(qtest_inw(s, PM1_EN), ==, 0);
    g_assert_cmphex(qtest_inl(s, GPE0_EN), ==, 0);
    g_assert_cmphex(qtest_inw(s, PM1_CNT), ==, SCI_EN);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_power_button(void)
{
    QTestState *s = pm_start(NULL);

    /* Not enabled: the status is set, no SCI. */
    g_autoptr(JsonNode) r1 = qtest_qmp(s, "{'execute': 'system_powerdown'}");
    g_assert_nonnull(qtest_qmp_return(r1));
    qtest_qmp_eventwait(s, "POWERDOWN");
    g_assert_cmphex(qtest_inw(s, PM1_STS) & PWRBTN_STS, ==, PWRBTN_STS);
    g_assert_false(qtest_get_irq(s, SCI_GSI));
    /* Enabling with the status pending raises it at once. */
    qtest_outw(s, PM1_EN, PWRBTN_EN);
    g_assert_true(qtest_get_irq(s, SCI_GSI));
    qtest_outw(s, PM1_STS, PWRBTN_STS);
    g_assert_cmphex(qtest_inw(s, PM1_STS) & PWRBTN_STS, ==, 0);
    g_assert_false(qtest_get_irq(s, SCI_GSI));

    /* Enabled: the button raises the SCI. */
    g_autoptr(JsonNode) r2 = qtest_qmp(s, "{'execute': 'system_powerdown'}");
    g_assert_nonnull(qtest_qmp_return(r2));
    qtest_qmp_eventwait(s, "POWERDOWN");
    g_assert_cmphex(qtest_inw(s, PM1_STS) & PWRBTN_STS, ==, PWRBTN_STS);
    g_assert_true(qtest_get_irq(s, SCI_GSI));
    /* The button does not power off by itself: the guest is still running. */
    g_assert_cmpstr(qmp_status(s), ==, "running");
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_s5_exits(void)
{
    QTestState *s = pm_start(NULL);

    /* S5 as Linux does it: SLP_TYP from \_S5 (0) with SLP_EN. */
    qtest_outw(s, PM1_CNT, SCI_EN | SLP_TYP(0) | SLP_EN);
    g_autoptr(JsonNode) ev = qtest_qmp_eventwait_ref(s, "SHUTDOWN");
    JsonObject *data = json_object_get_object_member(json_node_get_object(ev), "data");
    g_assert_nonnull(data);
    g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==, "guest-shutdown");
    g_assert_true(json_object_get_boolean_member(data, "guest"));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_s5_no_shutdown(void)
{
    QTestState *s = pm_start("-no-shutdown");

    /* Other sleep types are not offered: SLP_EN with them does nothing. */
    qtest_outw(s, PM1_CNT, SCI_EN | SLP_TYP(1) | SLP_EN);
    qtest_outw(s, PM1_CNT, SCI_EN | SLP_TYP(5) | SLP_EN);
    g_assert_cmpstr(qmp_status(s), ==, "running");
    /* SLP_TYP is kept, SLP_EN reads back 0. */
    g_assert_cmphex(qtest_inw(s, PM1_CNT), ==, SCI_EN | SLP_TYP(5));

    /* Two byte writes: the high one carries SLP_EN with SLP_TYP 0. */
    qtest_outb(s, PM1_CNT, SCI_EN);
    qtest_outb(s, PM1_CNT + 1, SLP_EN >> 8);
    qtest_qmp_eventwait(s, "SHUTDOWN");
    g_assert_cmpstr(qmp_status(s), ==, "shutdown");
    /* Still answering. */
    g_assert_cmphex(qtest_inw(s, PM1_CNT), ==, SCI_EN);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_reset_control(void)
{
    QTestState *s = pm_start(NULL);

    g_assert_cmphex(qtest_inb(s, RCR), ==, 0);
    /* SYS_RST alone selects the reset type and is kept; no reset yet. */
    qtest_outb(s, RCR, 0x02);
    g_assert_cmphex(qtest_inb(s, RCR), ==, 0x02);
    qtest_outb(s, RCR, 0xf9);      /* only bit 1 is kept: 0xf9 has it clear */
    g_assert_cmphex(qtest_inb(s, RCR), ==, 0x00);
    qtest_outw(s, PM1_EN, PWRBTN_EN);

    /* 0x06 (the FADT's RESET_VALUE): reset. */
    qtest_outb(s, RCR, 0x06);
    g_autoptr(JsonNode) ev = qtest_qmp_eventwait_ref(s, "RESET");
    JsonObject *data = json_object_get_object_member(json_node_get_object(ev), "data");
    g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==, "guest-reset");
    g_assert_cmphex(qtest_inb(s, RCR), ==, 0);
    g_assert_cmphex(qtest_inw(s, PM1_EN), ==, 0);
    g_assert_cmpstr(qmp_status(s), ==, "running");

    /* Bit 2 alone resets too (PIIX3: RCPU). */
    qtest_outb(s, RCR, 0x04);
    qtest_qmp_eventwait(s, "RESET");
    g_assert_cmpstr(qmp_status(s), ==, "running");
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_acpi_off(void)
{
    /* acpi=off: no PM block, but the reset control register stays. */
    QTestState *s = qtest_init("-machine pc,acpi=off -m 128M");
    g_assert_cmphex(qtest_inw(s, PM1_CNT), ==, 0xffff);
    qtest_outb(s, RCR, 0x06);
    qtest_qmp_eventwait(s, "RESET");
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/acpi-pm/timer", test_timer);
    g_test_add_func("/acpi-pm/timer-status-sci", test_timer_status_and_sci);
    g_test_add_func("/acpi-pm/power-button", test_power_button);
    g_test_add_func("/acpi-pm/s5-exit", test_s5_exits);
    g_test_add_func("/acpi-pm/s5-no-shutdown", test_s5_no_shutdown);
    g_test_add_func("/acpi-pm/reset-control", test_reset_control);
    g_test_add_func("/acpi-pm/acpi-off", test_acpi_off);
    return g_test_run();
}
