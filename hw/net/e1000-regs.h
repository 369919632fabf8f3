/*
 * Intel 82540EM Gigabit Ethernet controller: registers, descriptors and the
 * device state shared by hw/net/e1000*.c. Offsets and bits are from the PCI/
 * PCI-X Family of Gigabit Ethernet Controllers Software Developer's Manual
 * (8254x SDM, rev. 4.0), chapter 13 (registers) and chapter 3 (descriptors).
 */
#ifndef HW_NET_E1000_REGS_H
#define HW_NET_E1000_REGS_H

#include "hw/pci/pci.h"
#include "net/net.h"
#include "util/timer.h"

#define TYPE_E1000 "e1000"

#define E1000_VENDOR_ID     0x8086
#define E1000_DEVICE_ID     0x100e      /* 82540EM desktop */
#define E1000_MMIO_SIZE     0x20000     /* BAR0: 128 KiB (SDM 4.1) */
#define E1000_IO_SIZE       0x40        /* BAR1: IOADDR/IODATA (SDM 13.1) */
#define E1000_NREGS         (E1000_MMIO_SIZE / 4)

/* Register offsets (SDM table 13-2), as dword indices. */
#define R(off) ((off) >> 2)
enum {
    CTRL = R(0x0000), STATUS = R(0x0008), EECD = R(0x0010), EERD = R(0x0014),
    CTRL_EXT = R(0x0018), FLA = R(0x001c), MDIC = R(0x0020), FCAL = R(0x0028),
    FCAH = R(0x002c), FCT = R(0x0030), VET = R(0x0038), ICR = R(0x00c0),
    ITR = R(0x00c4), ICS = R(0x00c8), IMS = R(0x00d0), IMC = R(0x00d8),
    RCTL = R(0x0100), FCTTV = R(0x0170), TXCW = R(0x0178), RXCW = R(0x0180),
    TCTL = R(0x0400), TIPG = R(0x0410), AIT = R(0x0458), LEDCTL = R(0x0e00),
    PBA = R(0x1000),
    FCRTL = R(0x2160), FCRTH = R(0x2168),
    RDBAL = R(0x2800), RDBAH = R(0x2804), RDLEN = R(0x2808), RDH = R(0x2810),
    RDT = R(0x2818), RDTR = R(0x2820), RXDCTL = R(0x2828), RADV = R(0x282c),
    RSRPD = R(0x2c00), TXDMAC = R(0x3000),
    TDBAL = R(0x3800), TDBAH = R(0x3804), TDLEN = R(0x3808), TDH = R(0x3810),
    TDT = R(0x3818), TIDV = R(0x3820), TXDCTL = R(0x3828), TADV = R(0x382c),
    TSPMT = R(0x3830),
    STATS_FIRST = R(0x4000), STATS_LAST = R(0x40fc),
    RXCSUM = R(0x5000), MTA = R(0x5200), MTA_END = R(0x5400),
    RA = R(0x5400), RA_END = R(0x5480), VFTA = R(0x5600), VFTA_END = R(0x5800),
    WUC = R(0x5800), WUFC = R(0x5808), WUS = R(0x5810), MANC = R(0x5820),
    IPAV = R(0x5838), IP4AT = R(0x5840), IP6AT = R(0x5880), WUPL = R(0x5900),
    WUPM = R(0x5a00), FFLT = R(0x5f00), FFMT = R(0x9000), FFVT = R(0x9800),
};

/* Statistics (SDM 13.7), dword indices. */
enum {
    CRCERRS = R(0x4000), MPC = R(0x4010), COLC = R(0x4028), RNBC = R(0x40a0),
    RUC = R(0x40a4), ROC = R(0x40ac),
    PRC64 = R(0x405c), PRC127 = R(0x4060), PRC255 = R(0x4064), PRC511 = R(0x4068),
    PRC1023 = R(0x406c), PRC1522 = R(0x4070),
    GPRC = R(0x4074), BPRC = R(0x4078), MPRC = R(0x407c), GPTC = R(0x4080),
    GORCL = R(0x4088), GORCH = R(0x408c), GOTCL = R(0x4090), GOTCH = R(0x4094),
    TORL = R(0x40c0), TORH = R(0x40c4), TOTL = R(0x40c8), TOTH = R(0x40cc),
    TPR = R(0x40d0), TPT = R(0x40d4),
    PTC64 = R(0x40d8), PTC127 = R(0x40dc), PTC255 = R(0x40e0), PTC511 = R(0x40e4),
    PTC1023 = R(0x40e8), PTC1522 = R(0x40ec),
    MPTC = R(0x40f0), BPTC = R(0x40f4), TSCTC = R(0x40f8), TSCTFC = R(0x40fc),
};

/* CTRL (13.4.1) */
#define CTRL_FD         (1u << 0)
#define CTRL_SLU        (1u << 6)
#define CTRL_RST        (1u << 26)
#define CTRL_VME        (1u << 30)
#define CTRL_PHY_RST    (1u << 31)

/* STATUS (13.4.2) */
#define STATUS_FD       (1u << 0)
#define STATUS_LU       (1u << 1)
#define STATUS_SPEED_1000 (2u << 6)
#define STATUS_ASDV_1000 (2u << 8)

/* EECD (13.4.3) */
#define EECD_SK         (1u << 0)
#define EECD_CS         (1u << 1)
#define EECD_DI         (1u << 2)
#define EECD_DO         (1u << 3)
#define EECD_FWE_MASK   (3u << 4)
#define EECD_REQ        (1u << 6)
#define EECD_GNT        (1u << 7)
#define EECD_PRES       (1u << 8)

/* EERD (13.4.4), 82540EM layout */
#define EERD_START      (1u << 0)
#define EERD_DONE       (1u << 4)
#define EERD_ADDR_SHIFT 8
#define EERD_DATA_SHIFT 16

/* MDIC (13.4.7) */
#define MDIC_DATA_MASK  0xffffu
#define MDIC_REG_SHIFT  16
#define MDIC_PHY_SHIFT  21
#define MDIC_OP_WRITE   (1u << 26)
#define MDIC_OP_READ    (2u << 26)
#define MDIC_READY      (1u << 28)
#define MDIC_INT_EN     (1u << 29)
#define MDIC_ERROR      (1u << 30)

/* Interrupt causes, ICR/ICS/IMS/IMC (13.4.17-21) */
#define ICR_TXDW        (1u << 0)
#define ICR_TXQE        (1u << 1)
#define ICR_LSC         (1u << 2)
#define ICR_RXSEQ       (1u << 3)
#define ICR_RXDMT0      (1u << 4)
#define ICR_RXO         (1u << 6)
#define ICR_RXT0        (1u << 7)
#define ICR_MDAC        (1u << 9)
#define ICR_VALID_MASK  0x0001f6dfu

/* RCTL (13.4.22) */
#define RCTL_EN         (1u << 1)
#define RCTL_UPE        (1u << 3)
#define RCTL_MPE        (1u << 4)
#define RCTL_LPE        (1u << 5)
#define RCTL_RDMTS_SHIFT 8
#define RCTL_MO_SHIFT   12
#define RCTL_BAM        (1u << 15)
#define RCTL_BSIZE_SHIFT 16
#define RCTL_VFE        (1u << 18)
#define RCTL_BSEX       (1u << 25)
#define RCTL_SECRC      (1u << 26)

/* TCTL (13.4.33) */
#define TCTL_EN         (1u << 1)

#define RAH_AV          (1u << 31)

/* Transmit descriptors (SDM 3.3). Every layout is 16 bytes. */
#define TXD_SIZE        16
/* legacy cmd byte (3.3.3.1) */
#define TXD_CMD_EOP     0x01
#define TXD_CMD_IFCS    0x02
#define TXD_CMD_IC      0x04
#define TXD_CMD_RS      0x08
#define TXD_CMD_RPS     0x10
#define TXD_CMD_DEXT    0x20
#define TXD_CMD_VLE     0x40
#define TXD_CMD_IDE     0x80
#define TXD_STAT_DD     0x01
/* extended descriptors: cmd_and_length bits 20-23 = DTYP, 24-31 = (T)UCMD/DCMD */
#define TXD_DTYP_CTX    0
#define TXD_DTYP_DATA   1
#define TUCMD_TCP       0x01
#define TUCMD_IP        0x02        /* IPv4 (else IPv6) */
#define TUCMD_TSE       0x04
/* data descriptor POPTS (3.3.7.2) */
#define POPTS_IXSM      0x01
#define POPTS_TXSM      0x02

/* Receive descriptor (SDM 3.2.3) */
#define RXD_SIZE        16
#define RXD_STAT_DD     0x01
#define RXD_STAT_EOP    0x02
#define RXD_STAT_IXSM   0x04
#define RXD_STAT_VP     0x08
#define RXD_STAT_TCPCS  0x20
#define RXD_STAT_IPCS   0x40
#define RXD_ERR_TCPE    0x20
#define RXD_ERR_IPE     0x40

/* RXCSUM (13.4.24) */
#define RXCSUM_PCSS_MASK 0xffu
#define RXCSUM_IPOFL    (1u << 8)
#define RXCSUM_TUOFL    (1u << 9)

/* EEPROM: a 93C46-style Microwire part, 64 words (SDM 5.5/5.6). */
#define EEPROM_WORDS    64
#define EEPROM_CHECKSUM_WORD 0x3f
#define EEPROM_SUM      0xbaba
#define EEPROM_READ_OPCODE 0x6      /* start bit + 10b */

/* PHY: 82540EM internal PHY registers (SDM 13.5). */
#define PHY_REGS        0x20
#define PHY_ADDR        1
enum {
    PHY_CTRL = 0x00, PHY_STATUS = 0x01, PHY_ID1 = 0x02, PHY_ID2 = 0x03,
    PHY_AUTONEG_ADV = 0x04, PHY_LP_ABILITY = 0x05, PHY_AUTONEG_EXP = 0x06,
    PHY_NEXT_PAGE_TX = 0x07, PHY_LP_NEXT_PAGE = 0x08, PHY_1000T_CTRL = 0x09,
    PHY_1000T_STATUS = 0x0a, PHY_EXT_STATUS = 0x0f, PHY_SPEC_CTRL = 0x10,
    PHY_SPEC_STATUS = 0x11, PHY_INT_ENABLE = 0x12, PHY_INT_STATUS = 0x13,
    PHY_EXT_SPEC_CTRL = 0x14, PHY_RX_ERR_CNTR = 0x15, PHY_LED_CTRL = 0x18,
    PHY_EXT_SPEC_CTRL2 = 0x1a, PHY_EXT_SPEC_STATUS = 0x1b,
};
#define PHY_ID          0x01410c20u     /* Marvell 88E1011 core in the 82540EM */
#define BMCR_RESET      (1u << 15)
#define BMCR_ANRESTART  (1u << 9)
#define BMCR_ANENABLE   (1u << 12)
#define BMSR_LSTATUS    (1u << 2)
#define BMSR_ANEGCOMPLETE (1u << 5)

/* Largest frame the TX path assembles: a 64 KiB TSO burst plus headers. */
#define E1000_TX_MAX    (0x10000 + 0x200)
/* Largest frame received (RCTL.LPE): 16 KiB (SDM 3.2.2). */
#define E1000_RX_MAX_LPE 16384
#define E1000_RX_MAX    1522            /* 1518 + an 802.1Q tag */
/* Shortest interrupt interval with mitigation on, in ITR's 256 ns units. */
#define E1000_MIT_MIN_INTERVAL 500

typedef struct E1000TxContext {
    uint8_t ipcss, ipcso, tucss, tucso, hdr_len, tucmd;
    uint16_t ipcse, tucse, mss;
    uint32_t paylen;
} E1000TxContext;

typedef struct E1000State {
    PCIDevice parent_obj;

    NICState *nic;
    NICConf conf;
    MemoryRegion mmio;
    MemoryRegion io;

    uint32_t regs[E1000_NREGS];
    uint16_t eeprom[EEPROM_WORDS];
    uint16_t phy[PHY_REGS];

    /* Microwire bit-bang state (SDM 5.6) */
    uint32_t ee_bits_in;        /* bits shifted in since CS rose */
    uint32_t ee_shift;          /* the command being shifted in */
    uint32_t ee_out_pos;        /* bit position being read out (word * 16 + bit) */
    uint32_t ee_old;            /* last EECD written, for the SK edge */
    bool ee_reading;

    /* IOADDR (13.1.1) */
    uint32_t ioaddr;

    /* TX: the context from the last context descriptor, the frame in progress. */
    E1000TxContext ctx;
    uint8_t tx_popts;           /* POPTS of the frame in progress */
    uint8_t tx_legacy_cso, tx_legacy_css;
    bool tx_legacy_ic;
    bool tx_started;            /* a frame's first descriptor was seen */
    bool tx_tse;
    bool tx_vle;
    bool tx_bad;                /* overflow: drop the frame at EOP */
    uint16_t tx_vlan;
    uint32_t tx_len;
    uint8_t *tx_buf;            /* E1000_TX_MAX bytes */
    uint8_t *tx_frame;          /* a tagged frame */
    uint8_t *rx_buf;            /* the frame being received, with FCS */

    /* interrupt mitigation (ITR, SDM 13.4.18) */
    bool mit_on;                /* property "mitigation" */
    bool mit_pending;
    int32_t irq_level;
    EmuTimer *mit_timer;
    /* receive and transmit delay timers (e1000-delay.c) */
    EmuTimer *rdtr_timer, *radv_timer, *tidv_timer, *tadv_timer;

    /* counters for odd guest behaviour */
    uint64_t bad_desc;
} E1000State;

DECLARE_INSTANCE_CHECKER(E1000State, E1000, TYPE_E1000)

/* A malformed descriptor or buffer was skipped (also in `info pci`). */
static inline void e1000_count_bad(E1000State *s)
{
    s->bad_desc++;
    DEVICE(s)->ignored_accesses++;
}

/* e1000.c */
void e1000_set_ics(E1000State *s, uint32_t cause);
void e1000_stat_inc(E1000State *s, int reg);
void e1000_stat_add64(E1000State *s, int lo, uint64_t n);
void e1000_count_size(E1000State *s, int first, size_t len);

/* e1000-eeprom.c */
void e1000_eeprom_init(E1000State *s);
uint32_t e1000_eecd_read(E1000State *s);
void e1000_eecd_write(E1000State *s, uint32_t val);
void e1000_eerd_write(E1000State *s, uint32_t val);

/* e1000-phy.c */
void e1000_phy_reset(E1000State *s);
void e1000_phy_set_link(E1000State *s, bool up);
void e1000_mdic_write(E1000State *s, uint32_t val);

/* e1000-tx.c */
void e1000_tx_reset(E1000State *s);
void e1000_start_xmit(E1000State *s);

/* e1000-delay.c: RXT0 after a frame, TXDW after a write-back (IDE: delayed) */
void e1000_rx_done_irq(E1000State *s);
void e1000_tx_done_irq(E1000State *s, bool ide);
void e1000_delay_write(E1000State *s, unsigned reg, uint32_t val);
void e1000_delay_reset(E1000State *s);
void e1000_delay_init(E1000State *s);
void e1000_delay_exit(E1000State *s);

#endif
