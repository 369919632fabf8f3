/*
 * MC146818 RTC and CMOS on -machine pc: the clock registers in BCD and binary,
 * 12/24-hour mode, -rtc base= and clock=vm, SET and divider reset freezing the
 * clock, UIP timing, periodic / alarm / update-ended interrupts on GSI 8 with
 * their flags in register C, and the CMOS bytes the board fills for firmware.
 * Tests with clock=vm are exact: the virtual clock only moves with clock_step.
 */
#include "libqtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEC 0x00
#define SEC_ALARM 0x01
#define MINUTE 0x02
#define MINUTE_ALARM 0x03
#define HOUR 0x04
#define HOUR_ALARM 0x05
#define DOW 0x06
#define DOM 0x07
#define MONTH 0x08
#define YEAR 0x09
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d
#define CENTURY 0x32

#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_DM 0x04
#define B_24H 0x02
#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10

#define NS 1000000000LL
#define MS 1000000LL
#define RTC_IRQ 8
#define BASE_2006 "-rtc base=2006-06-17T16:01:21,clock=vm"

static uint8_t cmos_read(QTestState *s, uint8_t idx)
{
    qtest_outb(s, 0x70, idx);
    return qtest_inb(s, 0x71);
}

static void cmos_write(QTestState *s, uint8_t idx, uint8_t val)
{
    qtest_outb(s, 0x70, idx);
    qtest_outb(s, 0x71, val);
}

static QTestState *start(const char *args)
{
    QTestState *s = qtest_initf("-machine pc %s", args);
    qtest_irq_intercept_in(s, "/machine/gsi");
    return s;
}

static int bcd(uint8_t v)
{
    return (v >> 4) * 10 + (v & 0xf);
}

/* BCD by default; DM switches reads to binary; 12-hour mode sets bit 7 for PM. */
static void test_bcd_binary(void)
{
    QTestState *s = start(BASE_2006);

    g_assert_cmphex(cmos_read(s, REG_A), ==, 0x26);
    g_assert_cmphex(cmos_read(s, REG_B), ==, B_24H);
    g_assert_cmphex(cmos_read(s, REG_D), ==, 0x80);
    g_assert_cmphex(cmos_read(s, SEC), ==, 0x21);
    g_assert_cmphex(cmos_read(s, MINUTE), ==, 0x01);
    g_assert_cmphex(cmos_read(s, HOUR), ==, 0x16);
    g_assert_cmphex(cmos_read(s, DOW), ==, 7);          /* Saturday */
    g_assert_cmphex(cmos_read(s, DOM), ==, 0x17);
    g_assert_cmphex(cmos_read(s, MONTH), ==, 0x06);
    g_assert_cmphex(cmos_read(s, YEAR), ==, 0x06);
    g_assert_cmphex(cmos_read(s, CENTURY), ==, 0x20);

    cmos_write(s, REG_B, B_24H | B_DM);
    g_assert_cmpuint(cmos_read(s, SEC), ==, 21);
    g_assert_cmpuint(cmos_read(s, MINUTE), ==, 1);
    g_assert_cmpuint(cmos_read(s, HOUR), ==, 16);
    g_assert_cmpuint(cmos_read(s, DOM), ==, 17);
    g_assert_cmpuint(cmos_read(s, MONTH), ==, 6);
    g_assert_cmpuint(cmos_read(s, YEAR), ==, 6);
    g_assert_cmpuint(cmos_read(s, CENTURY), ==, 20);

    cmos_write(s, REG_B, B_DM);                         /* 12-hour, binary */
    g_assert_cmphex(cmos_read(s, HOUR), ==, 0x80 | 4);
    cmos_write(s, REG_B, 0);                            /* 12-hour, BCD */
    g_assert_cmphex(cmos_read(s, HOUR), ==, 0x80 | 0x04);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* base=utc with the default host clock: the host's UTC time, give or take. */
static void test_utc(void)
{
    QTestState *s = start("-rtc base=utc");
    struct tm tm = { 0 };
    int sec;

    /* Read the fields one at a time; retry if a second boundary fell between. */
    for (int tries = 0; tries < 3; tries++) {
        sec = bcd(cmos_read(s, SEC));
        tm.tm_min = bcd(cmos_read(s, MINUTE));
        tm.tm_hour = bcd(cmos_read(s, HOUR));
        tm.tm_mday = bcd(cmos_read(s, DOM));
        tm.tm_mon = bcd(cmos_read(s, MONTH)) - 1;
        tm.tm_year = bcd(cmos_read(s, CENTURY)) * 100 + bcd(cmos_read(s, YEAR)) - 1900;
        if (bcd(cmos_read(s, SEC)) == sec) {
            break;
        }
    }
    tm.tm_sec = sec;
    int64_t diff = (int64_t)timegm(&tm) - (int64_t)time(NULL);
    g_assert_cmpint(llabs(diff), <=, 2);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* clock=vm: time moves exactly with the virtual clock. */
static void test_advance_vm(void)
{
    QTestState *s = start(BASE_2006);

    g_assert_cmphex(cmos_read(s, SEC), ==, 0x21);
    qtest_clock_step(s, NS - 1);
    g_assert_cmphex(cmos_read(s, SEC), ==, 0x21);
    qtest_clock_step(s, 1);
    g_assert_cmphex(cmos_read(s, SEC), ==, 0x22);
    qtest_clock_step(s, 60 * NS);
    g_assert_cmphex(cmos_read(s, MINUTE), ==, 0x02);
    g_assert_cmphex(cmos_read(s, SEC), ==, 0x22);
    /* Across midnight into the next day. */
    qtest_clock_step(s, 8 * 3600 * NS);
    g_assert_cmphex(cmos_read(s, HOUR), ==, 0x00);
    g_assert_cmphex(cmos_read(s, DOM), ==, 0x18);
    g_assert_cmphex(cmos_read(s, DOW), ==, 1);          /* Sunday */
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* UIP is set for the 244 us before each second boundary. */
static void test_uip(void)
{
    QTestState *s = start(BASE_2006);

    g_assert_cmphex(cmos_read(s, REG_A) & 0x80, ==, 0);
    qtest_clock_step(s, NS - 244000 - 1);
    g_assert_cmphex(cmos_read(s, REG_A) & 0x80, ==, 0);
    qtest_clock_step(s, 2);
    g_assert_cmphex(cmos_read(s, REG_A), ==, 0xa6);
    g_assert_cmphex(cmos_read(s, SEC), ==, 0x21);
    qtest_clock_step(s, 244000);
    g_assert_cmphex(cmos_read(s, REG_A), ==, 0x26);
    g_assert_cmphex(cmos_read(s, SEC), ==, 0x22);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* SET freezes the registers; the written time runs once SET is cleared. */
static void test_set_time(void)
{
    QTestState *s = start(BASE_2006);

    cmos_write(s, REG_B, B_24H | B_SET | B_UIE);
    /* Setting SET clears UIE. */
    g_assert_cmphex(cmos_read(s, REG_B), ==, B_24H | B_SET);
    qtest_clock_step(s, 3 * NS);
    g_assert_cmphex(cmos_read(s, SEC), ==, 0x21);
    g_assert_cmphex(cmos_read(s, REG_A) & 0x80, ==, 0);
    cmos_write(s, SEC, 0x50);
    cmos_write(s, MINUTE, 0x59);
    cmos_write(s, HOUR, 0x23);
    cmos_write(s, DOM, 0x31);
    cmos_write(s, MONTH, 0x12);
    cmos_write(s, YEAR, 0x99);
    cmos_write(s, CENTURY, 0x19);
    qtest_clock_step(s, 5 * NS);
    g_assert_cmphex(cmos_read(s, SEC), ==, 0x50);
    cmos_write(s, REG_B, B_24H);
    qtest_qmp_eventwait(s, "RTC_CHANGE");
    qtest_clock_step(s, 10 * NS);
    g_assert_cmphex(cmos_read(s, SEC), ==, 0x00);
    g_assert_cmphex(cmos_read(s, MINUTE), ==, 0x00);
    g_assert_cmphex(cmos_read(s, HOUR), ==, 0x00);
    g_assert_cmphex(cmos_read(s, DOM), ==, 0x01);
    g_assert_cmphex(cmos_read(s, MONTH), ==, 0x01);
    g_assert_cmphex(cmos_read(s, YEAR), ==, 0x00);
    g_assert_cmphex(cmos_read(s, CENTURY), ==, 0x20);
    g_assert_cmphex(cmos_read(s, DOW), ==, 7);          /* 2000-01-01: Saturday */

    /* Writing one field of a running clock changes just that field. */
    cmos_write(s, MINUTE, 0x30);
    g_assert_cmphex(cmos_read(s, MINUTE), ==, 0x30);
    g_assert_cmphex(cmos_read(s, HOUR), ==, 0x00);
    qtest_clock_step(s, NS);
    g_assert_cmphex(cmos_read(s, SEC), ==, 0x01);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Divider in reset stops the clock; the first update comes 500 ms after. */
static void test_divider_reset(void)
{
    QTestState *s = start(BASE_2006);

    cmos_write(s, REG_A, 0x70);
    qtest_clock_step(s, 5 * NS);
    g_assert_cmphex(cmos_read(s, SEC), ==, 0x21);
    cmos_write(s, REG_A, 0x26);
    qtest_clock_step(s, 499 * MS);
    g_assert_cmphex(cmos_read(s, SEC), ==, 0x21);
    qtest_clock_step(s, 1 * MS);
    g_assert_cmphex(cmos_read(s, SEC), ==, 0x22);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Rate 6 = 1024 Hz: PF and IRQ 8 after one period; reading C clears both. */
static void test_periodic(void)
{
    QTestState *s = start(BASE_2006);
    const int64_t period = NS / 1024 + 1;

    /* PF is set even with PIE off (polling), without IRQF. */
    qtest_clock_step(s, period);
    g_assert_cmphex(cmos_read(s, REG_C), ==, C_PF);
    g_assert_cmphex(cmos_read(s, REG_C), ==, 0);
    g_assert_false(qtest_get_irq(s, RTC_IRQ));

    cmos_write(s, REG_B, B_24H | B_PIE);
    g_assert_false(qtest_get_irq(s, RTC_IRQ));
    qtest_clock_step(s, period);
    g_assert_true(qtest_get_irq(s, RTC_IRQ));
    g_assert_cmphex(cmos_read(s, REG_C), ==, C_IRQF | C_PF);
    g_assert_false(qtest_get_irq(s, RTC_IRQ));
    g_assert_cmphex(cmos_read(s, REG_C), ==, 0);

    /* Rate 15 = 2 Hz: nothing after 400 ms, an interrupt by 500 ms. */
    cmos_write(s, REG_A, 0x2f);
    cmos_read(s, REG_C);
    qtest_clock_step(s, 400 * MS);
    g_assert_false(qtest_get_irq(s, RTC_IRQ));
    qtest_clock_step(s, 100 * MS);
    g_assert_true(qtest_get_irq(s, RTC_IRQ));
    cmos_read(s, REG_C);

    /* Rate 0 turns it off. */
    cmos_write(s, REG_A, 0x20);
    qtest_clock_step(s, 2 * NS);
    g_assert_cmphex(cmos_read(s, REG_C) & C_PF, ==, 0);
    g_assert_false(qtest_get_irq(s, RTC_IRQ));

    /* Enabling PIE while PF is already set raises the IRQ at once. */
    cmos_write(s, REG_B, B_24H);
    cmos_write(s, REG_A, 0x26);
    qtest_clock_step(s, period);
    g_assert_false(qtest_get_irq(s, RTC_IRQ));
    cmos_write(s, REG_B, B_24H | B_PIE);
    g_assert_true(qtest_get_irq(s, RTC_IRQ));
    g_assert_cmphex(cmos_read(s, REG_C), ==, C_IRQF | C_PF);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Update-ended: once per second, at the second boundary. */
static void test_update_ended(void)
{
    QTestState *s = start(BASE_2006);

    cmos_write(s, REG_A, 0x20);                 /* no periodic flag noise */
    cmos_write(s, REG_B, B_24H | B_UIE);
    qtest_clock_step(s, NS - 1);
    g_assert_false(qtest_get_irq(s, RTC_IRQ));
    qtest_clock_step(s, 1);
    g_assert_true(qtest_get_irq(s, RTC_IRQ));
    g_assert_cmphex(cmos_read(s, REG_C), ==, C_IRQF | C_UF);
    g_assert_false(qtest_get_irq(s, RTC_IRQ));
    qtest_clock_step(s, NS);
    g_assert_true(qtest_get_irq(s, RTC_IRQ));
    g_assert_cmphex(cmos_read(s, REG_C), ==, C_IRQF | C_UF);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_alarm(void)
{
    QTestState *s = start(BASE_2006);

    cmos_write(s, REG_A, 0x20);
    /* Every minute at second 25 (hours and minutes "don't care"). */
    cmos_write(s, SEC_ALARM, 0x25);
    cmos_write(s, MINUTE_ALARM, 0xc0);
    cmos_write(s, HOUR_ALARM, 0xff);
    cmos_write(s, REG_B, B_24H | B_AIE);
    qtest_clock_step(s, 3 * NS);
    g_assert_false(qtest_get_irq(s, RTC_IRQ));
    g_assert_cmphex(cmos_read(s, REG_C), ==, C_UF);    /* 16:01:24, no alarm */
    qtest_clock_step(s, NS);
    g_assert_true(qtest_get_irq(s, RTC_IRQ));
    g_assert_cmphex(cmos_read(s, SEC), ==, 0x25);
    g_assert_cmphex(cmos_read(s, REG_C), ==, C_IRQF | C_AF | C_UF);
    g_assert_false(qtest_get_irq(s, RTC_IRQ));
    /* Next minute, same second. */
    qtest_clock_step(s, 59 * NS);
    g_assert_false(qtest_get_irq(s, RTC_IRQ));
    qtest_clock_step(s, NS);
    g_assert_true(qtest_get_irq(s, RTC_IRQ));
    g_assert_cmphex(cmos_read(s, MINUTE), ==, 0x02);
    cmos_read(s, REG_C);

    /* A full alarm at 16:05:00 (now 16:02:25): 155 s away. */
    cmos_write(s, SEC_ALARM, 0x00);
    cmos_write(s, MINUTE_ALARM, 0x05);
    cmos_write(s, HOUR_ALARM, 0x16);
    qtest_clock_step(s, 154 * NS);
    g_assert_false(qtest_get_irq(s, RTC_IRQ));
    qtest_clock_step(s, NS);
    g_assert_true(qtest_get_irq(s, RTC_IRQ));
    g_assert_cmphex(cmos_read(s, MINUTE), ==, 0x05);
    g_assert_cmphex(cmos_read(s, SEC), ==, 0x00);
    g_assert_cmphex(cmos_read(s, REG_C) & C_AF, ==, C_AF);

    /* An alarm byte no clock value can equal (not BCD) never fires. */
    cmos_write(s, SEC_ALARM, 0x3a);
    cmos_write(s, MINUTE_ALARM, 0xc0);
    cmos_write(s, HOUR_ALARM, 0xc0);
    qtest_clock_step(s, 120 * NS);
    g_assert_false(qtest_get_irq(s, RTC_IRQ));
    g_assert_cmphex(cmos_read(s, REG_C) & C_AF, ==, 0);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Port 0x70 bit 7 is the NMI mask, not index; C and D can't be written. */
static void test_index_and_ram(void)
{
    QTestState *s = start(BASE_2006);

    qtest_outb(s, 0x70, 0x80 | 0x40);
    qtest_outb(s, 0x71, 0x5a);
    g_assert_cmphex(cmos_read(s, 0x40), ==, 0x5a);
    qtest_outb(s, 0x70, 0x7f);
    qtest_outb(s, 0x71, 0xa5);
    qtest_outb(s, 0x70, 0xff);
    g_assert_cmphex(qtest_inb(s, 0x71), ==, 0xa5);
    g_assert_cmphex(qtest_inb(s, 0x70), ==, 0xff);
    cmos_write(s, REG_D, 0x00);
    g_assert_cmphex(cmos_read(s, REG_D), ==, 0x80);
    cmos_write(s, REG_C, 0xff);
    g_assert_cmphex(cmos_read(s, REG_C), ==, 0x00);

    /* Both ignored writes are counted. */
    JsonNode *r = qtest_qmp(s, "{'execute': 'human-monitor-command', "
                               "'arguments': {'command-line': 'info rtc'}}");
    const char *text = json_node_get_string(qtest_qmp_return(r));
    g_assert_nonnull(strstr(text, "ignored accesses 2"));
    g_assert_nonnull(strstr(text, "2006-06-17 16:01:21"));
    json_node_unref(r);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* A system reset clears the interrupt enables and flags but not the time. */
static void test_reset(void)
{
    QTestState *s = start(BASE_2006);

    cmos_write(s, REG_B, B_24H | B_PIE | B_DM);
    qtest_clock_step(s, NS);
    g_assert_true(qtest_get_irq(s, RTC_IRQ));
    JsonNode *r = qtest_qmp(s, "{'execute': 'system_reset'}");
    json_node_unref(r);
    qtest_qmp_eventwait(s, "RESET");
    g_assert_false(qtest_get_irq(s, RTC_IRQ));
    g_assert_cmphex(cmos_read(s, REG_B), ==, B_24H | B_DM);
    g_assert_cmphex(cmos_read(s, REG_C), ==, 0x00);
    g_assert_cmpuint(cmos_read(s, SEC), ==, 22);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static unsigned cmos_word(QTestState *s, uint8_t lo)
{
    return cmos_read(s, lo) | (cmos_read(s, lo + 1) << 8);
}

static void check_checksum(QTestState *s)
{
    unsigned sum = 0;
    for (int i = 0x10; i <= 0x2d; i++) {
        sum += cmos_read(s, i);
    }
    g_assert_cmphex((cmos_read(s, 0x2e) << 8) | cmos_read(s, 0x2f), ==, sum & 0xffff);
}

static void test_cmos_128m(void)
{
    QTestState *s = start("-m 128M");

    g_assert_cmphex(cmos_read(s, 0x10), ==, 0x00);      /* no floppy */
    g_assert_cmphex(cmos_read(s, 0x12), ==, 0x00);      /* no IDE disk */
    g_assert_cmphex(cmos_read(s, 0x14), ==, 0x06);      /* FPU, PS/2 mouse, VGA */
    g_assert_cmpuint(cmos_word(s, 0x15), ==, 640);
    g_assert_cmpuint(cmos_word(s, 0x17), ==, 0xffff);   /* 127 MiB saturates */
    g_assert_cmpuint(cmos_word(s, 0x30), ==, 0xffff);
    g_assert_cmpuint(cmos_word(s, 0x34), ==, (128 - 16) * 16);
    g_assert_cmpuint(cmos_word(s, 0x5b), ==, 0);
    g_assert_cmpuint(cmos_read(s, 0x5d), ==, 0);
    g_assert_cmpuint(cmos_read(s, 0x5f), ==, 0);        /* 1 CPU */
    /* Default boot order "cad": c=2, a=1 in 0x3d; d=3 in 0x38's high nibble. */
    g_assert_cmphex(cmos_read(s, 0x3d), ==, 0x12);
    g_assert_cmphex(cmos_read(s, 0x38), ==, 0x30);
    check_checksum(s);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_cmos_small(void)
{
    QTestState *s = start("-m 8M -boot order=dn");

    g_assert_cmpuint(cmos_word(s, 0x15), ==, 640);
    g_assert_cmpuint(cmos_word(s, 0x17), ==, 7 * 1024);
    g_assert_cmpuint(cmos_word(s, 0x34), ==, 0);
    g_assert_cmphex(cmos_read(s, 0x3d), ==, 0x43);
    g_assert_cmphex(cmos_read(s, 0x38), ==, 0x00);
    check_checksum(s);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* 5 GiB: 3 GiB below the PCI hole (gigabyte-aligned), 2 GiB above 4 GiB. */
static void test_cmos_5g(void)
{
    QTestState *s = start("-m 5G");

    g_assert_cmpuint(cmos_word(s, 0x17), ==, 0xffff);
    g_assert_cmpuint(cmos_word(s, 0x34), ==, (3 * 1024 - 16) * 16);
    g_assert_cmphex(cmos_read(s, 0x5b), ==, 0x00);
    g_assert_cmphex(cmos_read(s, 0x5c), ==, 0x80);
    g_assert_cmphex(cmos_read(s, 0x5d), ==, 0x00);
    check_checksum(s);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtc/bcd-binary", test_bcd_binary);
    g_test_add_func("/rtc/utc", test_utc);
    g_test_add_func("/rtc/advance-vm", test_advance_vm);
    g_test_add_func("/rtc/uip", test_uip);
    g_test_add_func("/rtc/set-time", test_set_time);
    g_test_add_func("/rtc/divider-reset", test_divider_reset);
    g_test_add_func("/rtc/periodic", test_periodic);
    g_test_add_func("/rtc/update-ended", test_update_ended);
    g_test_add_func("/rtc/alarm", test_alarm);
    g_test_add_func("/rtc/index-and-ram", test_index_and_ram);
    g_test_add_func("/rtc/reset", test_reset);
    g_test_add_func("/rtc/cmos-128m", test_cmos_128m);
    g_test_add_func("/rtc/cmos-small", test_cmos_small);
    g_test_add_func("/rtc/cmos-5g", test_cmos_5g);
    return g_test_run();
}
