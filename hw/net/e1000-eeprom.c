/*
 * 82540EM EEPROM: the 64-word image (8254x SDM 5.6, table 5-2), read through
 * EERD (13.4.4) or bit-banged over EECD as a Microwire part (5.5, 13.4.3).
 * Only READ is implemented; the part is presented as always write-protected,
 * so erase/write commands shift in and do nothing, as on a locked 93C46.
 */
#include "e1000-regs.h"
#include "util/log.h"

/* Word offsets in the image (SDM table 5-2). */
enum {
    EE_MAC0 = 0x00, EE_COMPAT = 0x03, EE_ID_LED = 0x04, EE_PBA0 = 0x08,
    EE_PBA1 = 0x09, EE_INIT1 = 0x0a, EE_SUBSYS_ID = 0x0b, EE_SUBSYS_VID = 0x0c,
    EE_DEV_ID = 0x0d, EE_VENDOR_ID = 0x0e, EE_INIT2 = 0x0f, EE_INIT3 = 0x14,
    EE_PXE0 = 0x30,
};

void e1000_eeprom_init(E1000State *s)
{
    uint16_t *w = s->eeprom;
    const uint8_t *mac = s->conf.macaddr.a;

    memset(s->eeprom, 0, sizeof(s->eeprom));
    for (int i = 0; i < 3; i++) {
        w[EE_MAC0 + i] = mac[2 * i] | (mac[2 * i + 1] << 8);
    }
    w[EE_ID_LED] = 0xffff;                  /* use the default LED setup */
    w[EE_PBA0] = 0x1234;
    w[EE_PBA1] = 0x5678;
    /* Init control 1: load subsystem IDs, signature 01b in bits 15:14. */
    w[EE_INIT1] = 0x4000 | 0x0001;
    w[EE_SUBSYS_ID] = PCI_SUBDEVICE_ID_QEMU;
    w[EE_SUBSYS_VID] = PCI_SUBVENDOR_ID_REDHAT_QUMRANET;
    w[EE_DEV_ID] = E1000_DEVICE_ID;
    w[EE_VENDOR_ID] = E1000_VENDOR_ID;
    /* Init control 2: PAUSE and ASM_DIR advertised (bits 13:12). */
    w[EE_INIT2] = 0x3000;
    w[EE_INIT3] = 0x0000;
    for (int i = EE_PXE0; i < EEPROM_CHECKSUM_WORD; i++) {
        w[i] = 0xffff;                      /* no boot agent configuration */
    }
    /* 5.6.1: words 0x00-0x3f sum to 0xBABA. */
    uint16_t sum = 0;
    for (int i = 0; i < EEPROM_CHECKSUM_WORD; i++) {
        sum += w[i];
    }
    w[EEPROM_CHECKSUM_WORD] = (uint16_t)(EEPROM_SUM - sum);
}

/* The DO line: the bit at ee_out_pos, MSB of each word first (5.5.2). */
static bool eecd_do(E1000State *s)
{
    if (!s->ee_reading) {
        return false;
    }
    unsigned word = (s->ee_out_pos >> 4) % EEPROM_WORDS;
    unsigned bit = 15 - (s->ee_out_pos & 15);
    return (s->eeprom[word] >> bit) & 1;
}

uint32_t e1000_eecd_read(E1000State *s)
{
    uint32_t v = s->ee_old & (EECD_SK | EECD_CS | EECD_DI | EECD_FWE_MASK | EECD_REQ);
    v |= EECD_PRES;
    if (v & EECD_REQ) {
        v |= EECD_GNT;          /* no firmware competes for the EEPROM */
    }
    if (eecd_do(s)) {
        v |= EECD_DO;
    }
    return v;
}

void e1000_eecd_write(E1000State *s, uint32_t val)
{
    uint32_t old = s->ee_old;
    s->ee_old = val;

    if (!(val & EECD_CS)) {
        /* CS low ends any command (5.5.2). */
        s->ee_bits_in = 0;
        s->ee_shift = 0;
        s->ee_reading = false;
        return;
    }
    if ((old & EECD_SK) || !(val & EECD_SK)) {
        return;                 /* data moves on rising SK edges only */
    }
    if (s->ee_reading) {
        s->ee_out_pos++;
        return;
    }
    bool di = val & EECD_DI;
    if (s->ee_bits_in == 0 && !di) {
        return;                 /* leading zeros before the start bit */
    }
    s->ee_shift = (s->ee_shift << 1) | di;
    s->ee_bits_in++;
    /* start bit + 2-bit opcode + 6 address bits for a 64-word part */
    if (s->ee_bits_in == 9) {
        if ((s->ee_shift >> 6) == EEPROM_READ_OPCODE) {
            s->ee_reading = true;
            /* The first rising edge of the read phase presents D15. */
            s->ee_out_pos = (s->ee_shift & 0x3f) * 16 - 1;
        } else {
            emu_log_mask(LOG_UNIMP, "e1000: EEPROM command 0x%x ignored "
                         "(write-protected)\n", s->ee_shift);
        }
    }
}

void e1000_eerd_write(E1000State *s, uint32_t val)
{
    if (!(val & EERD_START)) {
        s->regs[EERD] = val & ~EERD_DONE;
        return;
    }
    unsigned addr = (val >> EERD_ADDR_SHIFT) & 0xff;
    uint32_t v = (addr << EERD_ADDR_SHIFT) | EERD_DONE;
    if (addr < EEPROM_WORDS) {
        v |= (uint32_t)s->eeprom[addr] << EERD_DATA_SHIFT;
    } else {
        emu_log_mask(LOG_GUEST_ERROR, "e1000: EERD read of word 0x%x beyond the "
                     "64-word EEPROM\n", addr);
    }
    s->regs[EERD] = v;
}
