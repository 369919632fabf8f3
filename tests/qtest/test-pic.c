/*
 * The 8259A pair on -machine pc (/machine/i8259, ports 0x20/0x21, 0xa0/0xa1,
 * ELCR 0x4d0/0x4d1): the ICW1-4 initialization, OCW1 masking, fixed and
 * rotating priorities, non-specific/specific EOI, the poll command standing
 * in for the CPU's INTA cycle, IRR/ISR reads, the cascade on IR2, automatic
 * EOI, special mask mode, PIIX3 ELCR edge/level behaviour and the INT output
 * (observed with irq_intercept_out). Interrupts come in as GSI router inputs,
 * ISA IRQ n = GSI n. Facts from the 8259A datasheet and the PIIX3 datasheet.
 */
#include "libqtest.h"

#include <string.h>

#define M_CMD 0x20
#define M_DATA 0x21
#define S_CMD 0xa0
#define S_DATA 0xa1
#define ELCR1 0x4d0
#define ELCR2 0x4d1
#define OCW3_READ_IRR 0x0a
#define OCW3_READ_ISR 0x0b
#define OCW3_POLL 0x0c
#define EOI 0x20

static QTestState *start(void)
{
    QTestState *s = qtest_init("-machine pc");
    qtest_irq_intercept_out(s, "/machine/i8259");
    return s;
}

static void irq(QTestState *s, int n, int level)
{
    qtest_set_irq_in(s, "/machine/gsi", NULL, n, level);
}

static bool int_pin(QTestState *s)
{
    return qtest_get_irq(s, 0);
}

/* The BIOS's programming: master at vector 0x08, slave at 0x70, cascade on
 * IR2, 8086 mode (@icw4 extra bits: 0x02 AEOI, 0x10 SFNM). */
static void init_pics(QTestState *s, uint8_t icw4)
{
    qtest_outb(s, M_CMD, 0x11);
    qtest_outb(s, M_DATA, 0x08);
    qtest_outb(s, M_DATA, 0x04);
    qtest_outb(s, M_DATA, 0x01 | icw4);
    qtest_outb(s, S_CMD, 0x11);
    qtest_outb(s, S_DATA, 0x70);
    qtest_outb(s, S_DATA, 0x02);
    qtest_outb(s, S_DATA, 0x01 | icw4);
}

static uint8_t read_irr(QTestState *s, uint16_t port)
{
    qtest_outb(s, port, OCW3_READ_IRR);
    return qtest_inb(s, port);
}

static uint8_t read_isr(QTestState *s, uint16_t port)
{
    qtest_outb(s, port, OCW3_READ_ISR);
    return qtest_inb(s, port);
}

/* Poll command: acknowledges the highest request like INTA (datasheet,
 * "The Poll Command"); 0x80 | level, or 0 with nothing pending. */
static uint8_t poll(QTestState *s, uint16_t port)
{
    qtest_outb(s, port, OCW3_POLL);
    return qtest_inb(s, port);
}

static void test_init_mask(void)
{
    QTestState *s = start();

    init_pics(s, 0);
    /* ICW1 clears the IMR. */
    g_assert_cmphex(qtest_inb(s, M_DATA), ==, 0x00);
    g_assert_cmphex(qtest_inb(s, S_DATA), ==, 0x00);
    /* OCW1 reads back. */
    qtest_outb(s, M_DATA, 0xfa);
    g_assert_cmphex(qtest_inb(s, M_DATA), ==, 0xfa);
    /* A masked request sits in IRR without raising INT. */
    irq(s, 1, 1);
    g_assert_cmphex(read_irr(s, M_CMD) & 0x02, ==, 0x02);
    g_assert_false(int_pin(s));
    qtest_outb(s, M_DATA, 0xf8);
    g_assert_true(int_pin(s));
    /* Re-initializing masks nothing, clears the edge latch: no INT. */
    init_pics(s, 0);
    g_assert_false(int_pin(s));
    g_assert_cmphex(read_irr(s, M_CMD) & 0x02, ==, 0);
    irq(s, 1, 0);
    irq(s, 1, 1);
    g_assert_true(int_pin(s));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_priority_eoi(void)
{
    QTestState *s = start();

    init_pics(s, 0);
    irq(s, 3, 1);
    irq(s, 1, 1);
    g_assert_true(int_pin(s));
    /* IR1 beats IR3 (fixed priority, IR0 highest). */
    g_assert_cmphex(poll(s, M_CMD), ==, 0x81);
    g_assert_cmphex(read_isr(s, M_CMD), ==, 0x02);
    /* IR3 is of lower priority than IR1 in service: INT stays low. */
    g_assert_false(int_pin(s));
    /* IR0 is higher: it nests. */
    irq(s, 0, 1);
    g_assert_true(int_pin(s));
    g_assert_cmphex(poll(s, M_CMD), ==, 0x80);
    g_assert_cmphex(read_isr(s, M_CMD), ==, 0x03);
    /* Non-specific EOI ends the highest in service (IR0), then IR1. */
    qtest_outb(s, M_CMD, EOI);
    g_assert_cmphex(read_isr(s, M_CMD), ==, 0x02);
    g_assert_false(int_pin(s));
    qtest_outb(s, M_CMD, EOI);
    g_assert_true(int_pin(s));
    g_assert_cmphex(poll(s, M_CMD), ==, 0x83);
    /* Specific EOI for IR3. */
    qtest_outb(s, M_CMD, 0x60 | 3);
    g_assert_cmphex(read_isr(s, M_CMD), ==, 0);
    /* Nothing left: poll says so. */
    g_assert_cmphex(poll(s, M_CMD), ==, 0x00);
    /* IR7, the lowest, in service holds off nobody. */
    irq(s, 7, 1);
    g_assert_cmphex(poll(s, M_CMD), ==, 0x87);
    irq(s, 6, 1);
    g_assert_true(int_pin(s));
    g_assert_cmphex(poll(s, M_CMD), ==, 0x86);
    irq(s, 6, 0);
    irq(s, 7, 0);
    qtest_outb(s, M_CMD, EOI);
    g_assert_cmphex(read_isr(s, M_CMD), ==, 0x80);
    qtest_outb(s, M_CMD, EOI);
    g_assert_cmphex(read_isr(s, M_CMD), ==, 0x00);

    /* Set priority (OCW2 0xc0 | L): IR4 lowest, so IR5 is now the highest. */
    irq(s, 4, 1);
    irq(s, 6, 1);
    irq(s, 5, 1);
    qtest_outb(s, M_CMD, 0xc0 | 4);
    g_assert_cmphex(poll(s, M_CMD), ==, 0x85);
    /* Rotate on non-specific EOI: IR5 becomes the lowest, IR6 the highest. */
    qtest_outb(s, M_CMD, 0xa0);
    g_assert_cmphex(poll(s, M_CMD), ==, 0x86);
    qtest_outb(s, M_CMD, 0xe0 | 6);        /* rotate on specific EOI */
    g_assert_cmphex(poll(s, M_CMD), ==, 0x84);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_cascade_aeoi(void)
{
    QTestState *s = start();

    init_pics(s, 0);
    /* IRQ 12 = slave IR4: the master sees it on IR2. */
    irq(s, 12, 1);
    g_assert_true(int_pin(s));
    g_assert_cmphex(read_irr(s, M_CMD), ==, 0x04);
    g_assert_cmphex(read_irr(s, S_CMD), ==, 0x10);
    /* Masking IR2 on the master hides the whole slave. */
    qtest_outb(s, M_DATA, 0x04);
    g_assert_false(int_pin(s));
    qtest_outb(s, M_DATA, 0x00);
    g_assert_cmphex(poll(s, S_CMD), ==, 0x84);
    g_assert_cmphex(poll(s, M_CMD), ==, 0x82);
    g_assert_cmphex(read_isr(s, S_CMD), ==, 0x10);
    g_assert_cmphex(read_isr(s, M_CMD), ==, 0x04);
    qtest_outb(s, S_CMD, EOI);
    qtest_outb(s, M_CMD, EOI);
    g_assert_false(int_pin(s));

    /* Automatic EOI: acknowledging sets no ISR bit. */
    init_pics(s, 0x02);
    irq(s, 7, 1);
    g_assert_cmphex(poll(s, M_CMD), ==, 0x87);
    g_assert_cmphex(read_isr(s, M_CMD), ==, 0x00);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Special mask mode (OCW3 0x68/0x48): a masked in-service level no longer
 * holds off lower levels. */
static void test_special_mask(void)
{
    QTestState *s = start();

    init_pics(s, 0);
    irq(s, 1, 1);
    g_assert_cmphex(poll(s, M_CMD), ==, 0x81);
    irq(s, 5, 1);
    g_assert_false(int_pin(s));
    qtest_outb(s, M_DATA, 0x02);           /* mask IR1, in service */
    g_assert_false(int_pin(s));
    qtest_outb(s, M_CMD, 0x68);            /* set special mask mode */
    g_assert_true(int_pin(s));
    qtest_outb(s, M_CMD, 0x48);            /* reset special mask mode */
    g_assert_false(int_pin(s));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* PIIX3 ELCR: level-sensitive inputs stay requested while high and re-assert
 * after EOI; IRQ 0, 1, 2, 8, 13 are edge only. */
static void test_elcr(void)
{
    QTestState *s = start();

    init_pics(s, 0);
    g_assert_cmphex(qtest_inb(s, ELCR1), ==, 0x00);
    qtest_outb(s, ELCR1, 0xff);
    qtest_outb(s, ELCR2, 0xff);
    g_assert_cmphex(qtest_inb(s, ELCR1), ==, 0xf8);
    g_assert_cmphex(qtest_inb(s, ELCR2), ==, 0xde);
    g_assert_cmphex(qtest_inw(s, ELCR1), ==, 0xdef8);
    qtest_outb(s, ELCR1, 0x00);
    qtest_outb(s, ELCR2, 0x04);            /* IRQ 10 level */

    irq(s, 10, 1);
    g_assert_true(int_pin(s));
    g_assert_cmphex(poll(s, S_CMD), ==, 0x82);
    g_assert_cmphex(poll(s, M_CMD), ==, 0x82);
    /* Still requested while the line is high. */
    g_assert_cmphex(read_irr(s, S_CMD), ==, 0x04);
    qtest_outb(s, S_CMD, EOI);
    qtest_outb(s, M_CMD, EOI);
    g_assert_true(int_pin(s));             /* interrupts again */
    irq(s, 10, 0);
    g_assert_cmphex(read_irr(s, S_CMD), ==, 0x00);
    /* The master latched the edge of the slave's INT when IRQ 10 came back
     * after the EOI: it still asks, and the slave has nothing to answer (with
     * INTA: the spurious IRQ15 vector). */
    g_assert_true(int_pin(s));
    g_assert_cmphex(poll(s, M_CMD), ==, 0x82);
    g_assert_cmphex(poll(s, S_CMD), ==, 0x00);
    qtest_outb(s, M_CMD, EOI);
    g_assert_false(int_pin(s));

    /* Edge: acknowledged once, no new request while the line stays high. */
    irq(s, 3, 1);
    g_assert_cmphex(poll(s, M_CMD), ==, 0x83);
    qtest_outb(s, M_CMD, EOI);
    g_assert_false(int_pin(s));
    g_assert_cmphex(read_irr(s, M_CMD) & 0x08, ==, 0);
    /* An edge request stays latched after the line drops... */
    irq(s, 3, 0);
    irq(s, 3, 1);
    irq(s, 3, 0);
    g_assert_true(int_pin(s));
    g_assert_cmphex(poll(s, M_CMD), ==, 0x83);
    qtest_outb(s, M_CMD, EOI);
    /* ...but a level request that goes away is gone: poll finds nothing
     * (with INTA this is the spurious IRQ7 vector). */
    qtest_outb(s, ELCR1, 0x20);            /* IRQ 5 level */
    irq(s, 5, 1);
    g_assert_true(int_pin(s));
    irq(s, 5, 0);
    g_assert_false(int_pin(s));
    g_assert_cmphex(poll(s, M_CMD), ==, 0x00);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_info_pic(void)
{
    QTestState *s = start();

    init_pics(s, 0);
    qtest_outb(s, M_DATA, 0xfb);
    irq(s, 4, 1);
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'human-monitor-command', "
                                      "'arguments': {'command-line': 'info pic'}}");
    const char *text = json_node_get_string(qtest_qmp_return(r));
    g_assert_nonnull(strstr(text, "pic0: irr=10 imr=fb isr=00"));
    g_assert_nonnull(strstr(text, "pic1: irr=00 imr=00"));
    g_assert_nonnull(strstr(text, "ioapic0: ver=0x20"));
    g_autoptr(JsonNode) r2 = qtest_qmp(s, "{'execute': 'human-monitor-command', "
                                       "'arguments': {'command-line': 'info irq'}}");
    g_assert_nonnull(strstr(json_node_get_string(qtest_qmp_return(r2)), " 4: 1"));
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pic/init-mask", test_init_mask);
    g_test_add_func("/pic/priority-eoi", test_priority_eoi);
    g_test_add_func("/pic/cascade-aeoi", test_cascade_aeoi);
    g_test_add_func("/pic/special-mask", test_special_mask);
    g_test_add_func("/pic/elcr", test_elcr);
    g_test_add_func("/pic/info", test_info_pic);
    return g_test_run();
}
