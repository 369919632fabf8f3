/* The MC146818 RTC/CMOS through ports 0x70/0x71: time, status, memory bytes. */
#include "libguest.h"

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static unsigned bcd(uint8_t v, bool binary)
{
    return binary ? v : (v >> 4) * 10 + (v & 15);
}

void test_main(void)
{
    uint8_t b = cmos(0x0b);
    bool binary = b & 0x04, h24 = b & 0x02;
    /* Read while no update is in progress (status A bit 7, MC146818 datasheet). */
    for (int i = 0; i < 100000 && (cmos(0x0a) & 0x80); i++) {
        pause();
    }
    unsigned sec = bcd(cmos(0x00), binary), min = bcd(cmos(0x02), binary);
    uint8_t hraw = cmos(0x04);
    unsigned hour = bcd(hraw & 0x7f, binary);
    if (!h24) {
        hour = hour % 12 + ((hraw & 0x80) ? 12 : 0);
    }
    unsigned day = bcd(cmos(0x07), binary), mon = bcd(cmos(0x08), binary);
    unsigned year = bcd(cmos(0x09), binary), cent = bcd(cmos(0x32), binary);
    printf("RTC %02u%02u-%02u-%02u %02u:%02u:%02u (status B %#x)\n", cent, year, mon, day,
           hour, min, sec, b);
    check(sec < 60 && min < 60 && hour < 24, "time fields in range");
    check(mon >= 1 && mon <= 12 && day >= 1 && day <= 31, "date fields in range");
    check(cent >= 20 && cent <= 21, "century byte %u", cent);
    check(cmos(0x0d) & 0x80, "status D: valid RAM and time (VRT)");
    /* A CMOS memory byte keeps what is written. */
    outb(0x70, 0x5e);
    outb(0x71, 0xa7);
    check(cmos(0x5e) == 0xa7, "CMOS byte 0x5e keeps 0xa7");
}
