/*
 * 82540EM internal copper PHY behind MDIC (8254x SDM 13.4.7 for MDIC, 13.5
 * for the PHY registers). The link partner is an ideal 1000BASE-T full-duplex
 * switch: auto-negotiation completes as soon as it is (re)started while the
 * backend link is up, and LSC tells the driver (13.4.17).
 */
#include "e1000-regs.h"
#include "util/log.h"

/* Which registers exist, and which bits software may write. */
static const uint16_t phy_wmask[PHY_REGS] = {
    [PHY_CTRL] = 0xffff,
    [PHY_AUTONEG_ADV] = 0xffff,
    [PHY_NEXT_PAGE_TX] = 0xffff,
    [PHY_1000T_CTRL] = 0xffff,
    [PHY_SPEC_CTRL] = 0xffff,
    [PHY_INT_ENABLE] = 0xffff,
    [PHY_EXT_SPEC_CTRL] = 0xffff,
    [PHY_LED_CTRL] = 0xffff,
    [PHY_EXT_SPEC_CTRL2] = 0xffff,
    [0x1d] = 0xffff,                /* page address (Linux's DSP fixups) */
    [0x1e] = 0xffff,                /* page data */
};

static const bool phy_readable[PHY_REGS] = {
    [PHY_CTRL] = true, [PHY_STATUS] = true, [PHY_ID1] = true, [PHY_ID2] = true,
    [PHY_AUTONEG_ADV] = true, [PHY_LP_ABILITY] = true, [PHY_AUTONEG_EXP] = true,
    [PHY_NEXT_PAGE_TX] = true, [PHY_LP_NEXT_PAGE] = true, [PHY_1000T_CTRL] = true,
    [PHY_1000T_STATUS] = true, [PHY_EXT_STATUS] = true, [PHY_SPEC_CTRL] = true,
    [PHY_SPEC_STATUS] = true, [PHY_INT_ENABLE] = true, [PHY_INT_STATUS] = true,
    [PHY_EXT_SPEC_CTRL] = true, [PHY_RX_ERR_CNTR] = true, [PHY_LED_CTRL] = true,
    [PHY_EXT_SPEC_CTRL2] = true, [PHY_EXT_SPEC_STATUS] = true, [0x1d] = true,
    [0x1e] = true,
};

/* Auto-negotiation with the ideal partner finished (or the link dropped). */
static void phy_link_result(E1000State *s, bool up)
{
    uint16_t *p = s->phy;
    if (up) {
        p[PHY_STATUS] |= BMSR_LSTATUS | BMSR_ANEGCOMPLETE;
        p[PHY_LP_ABILITY] = 0x45e1;      /* 10/100 HD/FD, pause, ack */
        p[PHY_AUTONEG_EXP] = 0x000f;
        p[PHY_1000T_STATUS] = 0x3c00;    /* partner 1000FD/HD, receivers OK */
        p[PHY_SPEC_STATUS] = 0xac00;     /* 1000 Mb/s, FD, resolved, link */
        s->regs[STATUS] |= STATUS_LU;
    } else {
        p[PHY_STATUS] &= ~(BMSR_LSTATUS | BMSR_ANEGCOMPLETE);
        p[PHY_LP_ABILITY] = 0;
        p[PHY_1000T_STATUS] = 0;
        p[PHY_SPEC_STATUS] = 0;
        s->regs[STATUS] &= ~STATUS_LU;
    }
}

void e1000_phy_reset(E1000State *s)
{
    uint16_t *p = s->phy;
    memset(s->phy, 0, sizeof(s->phy));
    p[PHY_CTRL] = 0x1140;               /* AN enabled, full duplex, 1000 Mb/s */
    p[PHY_STATUS] = 0x7949;             /* 10/100 abilities, AN able, ext caps */
    p[PHY_ID1] = PHY_ID >> 16;
    p[PHY_ID2] = PHY_ID & 0xffff;
    p[PHY_AUTONEG_ADV] = 0x0de1;
    p[PHY_1000T_CTRL] = 0x0e00;
    p[PHY_EXT_STATUS] = 0x3000;         /* 1000BASE-T FD and HD capable */
    p[PHY_SPEC_CTRL] = 0x0360;
    p[PHY_EXT_SPEC_CTRL] = 0x0c60;
    p[PHY_LED_CTRL] = 0x4100;
    p[PHY_EXT_SPEC_CTRL2] = 0x0000;
    NetClientState *nc = s->nic ? qemu_get_queue(s->nic) : NULL;
    phy_link_result(s, !(nc && nc->link_down));
}

void e1000_phy_set_link(E1000State *s, bool up)
{
    bool was = s->regs[STATUS] & STATUS_LU;
    phy_link_result(s, up);
    if (was != up) {
        e1000_set_ics(s, ICR_LSC);
    }
}

static void phy_write(E1000State *s, unsigned reg, uint16_t val)
{
    if (reg == PHY_CTRL) {
        if (val & BMCR_RESET) {
            e1000_phy_reset(s);
            return;
        }
        s->phy[PHY_CTRL] = val & ~BMCR_ANRESTART;
        if ((val & BMCR_ANRESTART) && (val & BMCR_ANENABLE)) {
            NetClientState *nc = qemu_get_queue(s->nic);
            e1000_phy_set_link(s, !nc->link_down);
        }
        return;
    }
    s->phy[reg] = (s->phy[reg] & ~phy_wmask[reg]) | (val & phy_wmask[reg]);
}

void e1000_mdic_write(E1000State *s, uint32_t val)
{
    unsigned phy = (val >> MDIC_PHY_SHIFT) & 0x1f;
    unsigned reg = (val >> MDIC_REG_SHIFT) & 0x1f;
    uint32_t op = val & (3u << 26);
    uint32_t r = val & ~(MDIC_READY | MDIC_ERROR);

    if (phy != PHY_ADDR) {
        /* Nobody answers at another address: the read returns an error. */
        r |= MDIC_ERROR;
    } else if (op == MDIC_OP_READ) {
        if (phy_readable[reg]) {
            r = (r & ~MDIC_DATA_MASK) | s->phy[reg];
        } else {
            emu_log_mask(LOG_GUEST_ERROR, "e1000: MDIC read of PHY reg 0x%x\n", reg);
            r |= MDIC_ERROR;
        }
    } else if (op == MDIC_OP_WRITE) {
        if (phy_wmask[reg]) {
            phy_write(s, reg, val & MDIC_DATA_MASK);
        } else {
            emu_log_mask(LOG_GUEST_ERROR, "e1000: MDIC write 0x%04x to read-only PHY "
                         "reg 0x%x\n", val & MDIC_DATA_MASK, reg);
        }
    } else {
        r |= MDIC_ERROR;
    }
    s->regs[MDIC] = r | MDIC_READY;
    if (val & MDIC_INT_EN) {
        e1000_set_ics(s, ICR_MDAC);
    }
}
