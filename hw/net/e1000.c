/*
 * Intel 82540EM Gigabit Ethernet controller ("e1000", 8086:100e), as QEMU's
 * e1000 presents it: BAR0 registers (128 KiB), BAR1 I/O window (IOADDR/IODATA),
 * INTA. Per the PCI/PCI-X Family of Gigabit Ethernet Controllers Software
 * Developer's Manual (8254x SDM): registers (chapter 13), receive (3.2) with
 * checksum offload (3.2.9) and its address/VLAN filters (13.4.22,
 * 13.5.1-13.5.3), interrupts with ITR moderation (13.4.17-13.4.21),
 * statistics (13.7). The EEPROM, PHY and the transmit path live in
 * e1000-eeprom.c, e1000-phy.c and e1000-tx.c.
 */
#include "e1000-regs.h"
#include "hw/nvram/fw-bootorder.h"
#include "migration/vmstate.h"
#include "net/checksum.h"
#include "util/log.h"

/* ---- interrupts (13.4.17-13.4.21) ---- */

static void e1000_update_irq(E1000State *s)
{
    PCIDevice *pd = &s->parent_obj;

    if (!(s->regs[ICR] & s->regs[IMS])) {
        s->mit_pending = false;
        s->irq_level = 0;
        pci_set_irq(pd, 0);
        return;
    }
    if (s->irq_level) {
        return;
    }
    /*
     * ITR (13.4.18): at most one interrupt per ITR * 256 ns. A cause that
     * arrives inside the interval waits for the timer.
     */
    if (s->mit_on && timer_pending(s->mit_timer)) {
        s->mit_pending = true;
        return;
    }
    s->irq_level = 1;
    pci_set_irq(pd, 1);
    if (s->mit_on) {
        /*
         * Never closer than E1000_MIT_MIN_INTERVAL (128 us, ~7813/s), even
         * when the driver asks for less or for none (ITR 0), as QEMU's e1000
         * does: under TCG every interrupt costs the guest a full pass of its
         * handler and NAPI poll, and Linux's adaptive ITR asks for 20000/s
         * while it sees small frames (ACKs).
         */
        uint32_t itr = MAX(s->regs[ITR] & 0xffff, E1000_MIT_MIN_INTERVAL);
        timer_mod_ns(s->mit_timer, clock_get_ns(EMU_CLOCK_VIRTUAL) + (int64_t)itr * 256);
    }
}

static void e1000_mit_timer(void *opaque)
{
    E1000State *s = opaque;
    if (s->mit_pending) {
        s->mit_pending = false;
        e1000_update_irq(s);
    }
}

void e1000_set_ics(E1000State *s, uint32_t cause)
{
    s->regs[ICR] |= cause & ICR_VALID_MASK;
    e1000_update_irq(s);
}

/* ---- statistics (13.7): counters stick at their maximum ---- */

void e1000_stat_inc(E1000State *s, int reg)
{
    if (s->regs[reg] != UINT32_MAX) {
        s->regs[reg]++;
    }
}

void e1000_stat_add64(E1000State *s, int lo, uint64_t n)
{
    uint64_t v = s->regs[lo] | ((uint64_t)s->regs[lo + 1] << 32);
    v = v + n < v ? UINT64_MAX : v + n;
    s->regs[lo] = (uint32_t)v;
    s->regs[lo + 1] = v >> 32;
}

/* PRC64..PRC1522 / PTC64..PTC1522 by length with FCS. */
void e1000_count_size(E1000State *s, int first, size_t len)
{
    static const size_t limit[] = { 64, 127, 255, 511, 1023 };
    int i = 0;
    while (i < 5 && len > limit[i]) {
        i++;
    }
    e1000_stat_inc(s, first + i);
}

/* ---- receive (3.2) ---- */

static uint32_t rx_ring_size(E1000State *s)
{
    return (s->regs[RDLEN] & 0xfff80) / RXD_SIZE;
}

/* Descriptors software gave the hardware: RDH up to RDT - 1 (3.2.6). */
static uint32_t rx_free_descs(E1000State *s)
{
    uint32_t n = rx_ring_size(s), h = s->regs[RDH], t = s->regs[RDT];
    if (!n || h >= n || t >= n) {
        return 0;
    }
    return t >= h ? t - h : n - h + t;
}

static uint32_t rx_buf_size(uint32_t rctl)
{
    unsigned bsize = (rctl >> RCTL_BSIZE_SHIFT) & 3;
    if (rctl & RCTL_BSEX) {
        static const uint32_t ext[] = { 2048, 16384, 8192, 4096 };   /* 00b reserved */
        return ext[bsize];
    }
    static const uint32_t std[] = { 2048, 1024, 512, 256 };
    return std[bsize];
}

static bool e1000_rx_ready(E1000State *s)
{
    NetClientState *nc = qemu_get_queue(s->nic);
    return !nc->link_down && (s->regs[RCTL] & RCTL_EN) &&
           pci_bus_master_enabled(&s->parent_obj);
}

static bool e1000_can_receive(NetClientState *nc)
{
    E1000State *s = qemu_get_nic_opaque(nc);
    return e1000_rx_ready(s) && rx_free_descs(s) > 0;
}

static void e1000_flush_rx(E1000State *s)
{
    if (s->nic && e1000_can_receive(qemu_get_queue(s->nic))) {
        qemu_flush_queued_packets(qemu_get_queue(s->nic));
    }
}

static uint16_t rd_be16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

/* Destination address and VLAN filters (13.4.22, 13.5.1-13.5.3). */
static bool rx_filter(E1000State *s, const uint8_t *buf, size_t size)
{
    uint32_t rctl = s->regs[RCTL];

    if ((rctl & RCTL_VFE) && size >= 18 && rd_be16(buf + 12) == (s->regs[VET] & 0xffff)) {
        unsigned vid = rd_be16(buf + 14) & 0xfff;
        if (!(s->regs[VFTA + (vid >> 5)] & (1u << (vid & 31)))) {
            return false;
        }
    }
    bool mcast = buf[0] & 1;
    bool bcast = !memcmp(buf, "\xff\xff\xff\xff\xff\xff", 6);
    if ((!mcast && (rctl & RCTL_UPE)) || (mcast && (rctl & RCTL_MPE)) ||
        (bcast && (rctl & RCTL_BAM))) {
        return true;
    }
    for (int i = 0; i < 16; i++) {
        uint32_t lo = s->regs[RA + 2 * i], hi = s->regs[RA + 2 * i + 1];
        uint8_t ra[6] = { lo, lo >> 8, lo >> 16, lo >> 24, hi, hi >> 8 };
        if ((hi & RAH_AV) && !memcmp(buf, ra, 6)) {
            return true;
        }
    }
    if (mcast) {
        /* MO picks which 12 of the address's last bits index the MTA (13.5.1). */
        static const unsigned shift[] = { 4, 3, 2, 0 };
        unsigned mo = (rctl >> RCTL_MO_SHIFT) & 3;
        uint32_t bits = buf[4] | (buf[5] << 8);
        unsigned hash = (bits >> shift[mo]) & 0xfff;
        if (s->regs[MTA + (hash >> 5)] & (1u << (hash & 31))) {
            return true;
        }
    }
    return false;
}

/*
 * Receive checksum offload (SDM 3.2.9, 13.4.24): for an IPv4 frame the IP
 * header checksum (IPOFL) and the TCP/UDP checksum (TUOFL, first fragments
 * only, UDP with a checksum) are verified and reported as IPCS/TCPCS with
 * IPE/TCPE on a mismatch; otherwise IXSM tells the driver nothing was checked.
 * The descriptor's checksum field is the raw sum from RXCSUM.PCSS on.
 */
static void rx_checksum(E1000State *s, const uint8_t *f, size_t len, uint8_t *status,
                        uint8_t *errors, uint16_t *csum)
{
    uint32_t rxcsum = s->regs[RXCSUM];
    unsigned pcss = rxcsum & RXCSUM_PCSS_MASK;

    *csum = pcss < len ? net_checksum_fold(net_checksum_add(len - pcss, f + pcss)) : 0;
    *status |= RXD_STAT_IXSM;
    if (!(rxcsum & (RXCSUM_IPOFL | RXCSUM_TUOFL)) || len < 34 || rd_be16(f + 12) != 0x0800) {
        return;
    }
    const uint8_t *ip = f + 14;
    size_t ihl = (ip[0] & 0xf) * 4, tot = rd_be16(ip + 2);
    if ((ip[0] >> 4) != 4 || ihl < 20 || tot < ihl || tot > len - 14) {
        return;
    }
    *status &= ~RXD_STAT_IXSM;
    if (rxcsum & RXCSUM_IPOFL) {
        *status |= RXD_STAT_IPCS;
        if (net_checksum_fold(net_checksum_add(ihl, ip)) != 0xffff) {
            *errors |= RXD_ERR_IPE;
        }
    }
    bool first_fragment = !(rd_be16(ip + 6) & 0x3fff);
    const uint8_t *l4 = ip + ihl;
    size_t l4len = tot - ihl;
    uint8_t proto = ip[9];
    if (!(rxcsum & RXCSUM_TUOFL) || !first_fragment ||
        !((proto == 6 && l4len >= 20) || (proto == 17 && l4len >= 8 && (l4[6] | l4[7])))) {
        return;
    }
    *status |= RXD_STAT_TCPCS;
    uint32_t sum = net_checksum_pseudo4(ip + 12, proto, l4len);
    if (net_checksum_fold(net_checksum_add_cont(l4len, l4, sum, 0)) != 0xffff) {
        *errors |= RXD_ERR_TCPE;
    }
}

static ssize_t e1000_receive(NetClientState *nc, const uint8_t *in, size_t size)
{
    E1000State *s = qemu_get_nic_opaque(nc);
    uint32_t *r = s->regs;
    uint8_t minbuf[60];
    const uint8_t *buf = in;

    if (!e1000_rx_ready(s) || !rx_free_descs(s)) {
        return 0;               /* keep it queued until the guest is ready */
    }
    if (size < sizeof(minbuf)) {
        /* Short frames arrive padded to the 64-byte minimum (with FCS). */
        memcpy(minbuf, in, size);
        memset(minbuf + size, 0, sizeof(minbuf) - size);
        buf = minbuf;
        size = sizeof(minbuf);
    }
    if (size > ((r[RCTL] & RCTL_LPE) ? E1000_RX_MAX_LPE : E1000_RX_MAX)) {
        e1000_stat_inc(s, ROC);
        return size;
    }
    if (!rx_filter(s, buf, size)) {
        return size;
    }

    /* Build what lands in the buffers: the frame (tag stripped), then the FCS. */
    uint8_t *data = s->rx_buf;
    uint16_t special = 0;
    uint8_t status = 0, errors = 0;
    uint16_t csum;
    size_t len;
    if ((r[CTRL] & CTRL_VME) && rd_be16(buf + 12) == (r[VET] & 0xffff)) {
        special = rd_be16(buf + 14);
        status |= RXD_STAT_VP;
        memcpy(data, buf, 12);
        memcpy(data + 12, buf + 16, size - 16);
        len = size - 4;
    } else {
        memcpy(data, buf, size);
        len = size;
    }
    rx_checksum(s, data, len, &status, &errors, &csum);
    if (!(r[RCTL] & RCTL_SECRC)) {
        uint32_t fcs = net_crc32(data, len);
        for (int i = 0; i < 4; i++) {
            data[len++] = fcs >> (8 * i);
        }
    }

    uint32_t bufsize = rx_buf_size(r[RCTL]);
    uint32_t need = (len + bufsize - 1) / bufsize;
    if (rx_free_descs(s) < need) {
        /* Not enough buffers for the whole frame: an overrun (13.4.17). */
        e1000_stat_inc(s, RNBC);
        e1000_stat_inc(s, MPC);
        e1000_set_ics(s, ICR_RXO);
        return size;
    }
    uint32_t n = rx_ring_size(s);
    uint64_t base = ((uint64_t)r[RDBAH] << 32) | (r[RDBAL] & ~0xfu);
    size_t off = 0;
    while (off < len) {
        uint8_t d[RXD_SIZE];
        uint64_t da = base + (uint64_t)r[RDH] * RXD_SIZE;
        if (pci_dma_read(&s->parent_obj, da, d, sizeof(d)) != MEMTX_OK) {
            emu_log_mask(LOG_GUEST_ERROR, "e1000: RX descriptor %u outside memory; "
                         "frame dropped\n", r[RDH]);
            e1000_count_bad(s);
            return size;
        }
        uint64_t baddr = 0;
        for (int i = 7; i >= 0; i--) {
            baddr = (baddr << 8) | d[i];
        }
        size_t chunk = MIN((size_t)bufsize, len - off);
        if (baddr && pci_dma_write(&s->parent_obj, baddr, data + off, chunk) != MEMTX_OK) {
            emu_log_mask(LOG_GUEST_ERROR, "e1000: RX buffer 0x%" PRIx64 " outside "
                         "memory\n", baddr);
            e1000_count_bad(s);
        }
        off += chunk;
        /* Write-back (3.2.3): length, checksum, status, errors, special. */
        bool eop = off == len;
        uint8_t wb[8] = { chunk, chunk >> 8, csum, csum >> 8,
                          status | RXD_STAT_DD | (eop ? RXD_STAT_EOP : 0), eop ? errors : 0,
                          special, special >> 8 };
        pci_dma_write(&s->parent_obj, da + 8, wb, sizeof(wb));
        r[RDH] = (r[RDH] + 1) % n;
    }

    size_t wire = size + 4;
    e1000_stat_inc(s, GPRC);
    e1000_stat_inc(s, TPR);
    e1000_stat_add64(s, GORCL, wire);
    e1000_stat_add64(s, TORL, wire);
    e1000_count_size(s, PRC64, wire);
    if (!memcmp(buf, "\xff\xff\xff\xff\xff\xff", 6)) {
        e1000_stat_inc(s, BPRC);
    } else if (buf[0] & 1) {
        e1000_stat_inc(s, MPRC);
    }

    unsigned rdmts = (r[RCTL] >> RCTL_RDMTS_SHIFT) & 3;
    if (rdmts < 3 && rx_free_descs(s) <= (n >> (rdmts + 1))) {
        e1000_set_ics(s, ICR_RXDMT0);   /* 1/2, 1/4 or 1/8 of the ring left */
    }
    e1000_rx_done_irq(s);               /* RXT0, now or after RDTR/RADV */
    return size;
}

static void e1000_link_status_changed(NetClientState *nc)
{
    E1000State *s = qemu_get_nic_opaque(nc);
    e1000_phy_set_link(s, !nc->link_down);
    e1000_flush_rx(s);
}

static NetClientInfo net_e1000_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NetClientState),
    .receive = e1000_receive,
    .can_receive = e1000_can_receive,
    .link_status_changed = e1000_link_status_changed,
};

/* ---- reset ---- */

static void e1000_reset_regs(E1000State *s)
{
    uint32_t *r = s->regs;
    const uint8_t *mac = s->conf.macaddr.a;

    timer_del(s->mit_timer);
    s->mit_pending = false;
    e1000_delay_reset(s);
    memset(s->regs, 0, sizeof(s->regs));
    r[CTRL] = CTRL_FD | CTRL_SLU | (2u << 8);       /* 1000 Mb/s */
    r[STATUS] = STATUS_FD | STATUS_SPEED_1000 | STATUS_ASDV_1000;
    r[LEDCTL] = 0x07068302;
    r[PBA] = 0x00000030;                            /* 48 KB RX, 16 KB TX */
    r[VET] = 0x8100;
    r[RXCSUM] = 0x00000300;
    r[TXDCTL] = 0x00000000;
    r[MANC] = 0x00000000;
    /* RAL0/RAH0 come from the EEPROM's MAC after reset (13.5.2). */
    r[RA] = mac[0] | (mac[1] << 8) | (mac[2] << 16) | ((uint32_t)mac[3] << 24);
    r[RA + 1] = mac[4] | (mac[5] << 8) | RAH_AV;
    s->ee_bits_in = s->ee_shift = s->ee_out_pos = s->ee_old = 0;
    s->ee_reading = false;
    s->ioaddr = 0;
    e1000_phy_reset(s);
    e1000_tx_reset(s);
    s->irq_level = 0;
    pci_set_irq(&s->parent_obj, 0);
}

static void e1000_pci_reset(PCIDevice *pd)
{
    e1000_reset_regs(E1000(pd));
}

/* ---- register access (13.2, table 13-2) ---- */

static bool reg_known(unsigned i)
{
    static const uint16_t plain[] = {
        CTRL, STATUS, EECD, EERD, CTRL_EXT, FLA, MDIC, FCAL, FCAH, FCT, VET, ICR, ITR,
        ICS, IMS, IMC, RCTL, FCTTV, TXCW, RXCW, TCTL, TIPG, AIT, LEDCTL, PBA, FCRTL,
        FCRTH,
        RDBAL, RDBAH, RDLEN, RDH, RDT, RDTR, RXDCTL, RADV, RSRPD, TXDMAC, TDBAL,
        TDBAH, TDLEN, TDH, TDT, TIDV, TXDCTL, TADV, TSPMT, RXCSUM, WUC, WUFC, WUS,
        MANC, IPAV, WUPL,
    };
    for (size_t k = 0; k < ARRAY_SIZE(plain); k++) {
        if (plain[k] == i) {
            return true;
        }
    }
    return (i >= STATS_FIRST && i <= STATS_LAST) || (i >= MTA && i < MTA_END) ||
           (i >= RA && i < RA_END) || (i >= VFTA && i < VFTA_END) ||
           (i >= IP4AT && i < IP4AT + 8) || (i >= IP6AT && i < IP6AT + 4) ||
           (i >= WUPM && i < WUPM + 32) || (i >= FFLT && i < FFLT + 8) ||
           (i >= FFMT && i < FFMT + 128 * 2) || (i >= FFVT && i < FFVT + 128 * 2);
}

static uint32_t e1000_reg_read(E1000State *s, unsigned i)
{
    uint32_t *r = s->regs;
    uint32_t v;

    if (!reg_known(i)) {
        emu_log_mask(LOG_UNIMP, "e1000: read of unknown register 0x%05x\n", i * 4);
        return 0;
    }
    switch (i) {
    case ICR:
        /* Read to clear (13.4.17). */
        v = r[ICR];
        r[ICR] = 0;
        e1000_update_irq(s);
        return v;
    case ICS:
    case IMC:
        return 0;                   /* write-only */
    case EECD:
        return e1000_eecd_read(s);
    case GORCL: case GOTCL: case TORL: case TOTL:
        return r[i];                /* the pair clears when the high half is read */
    case GORCH: case GOTCH: case TORH: case TOTH:
        v = r[i];
        r[i] = r[i - 1] = 0;
        return v;
    default:
        if (i >= STATS_FIRST && i <= STATS_LAST) {
            v = r[i];
            r[i] = 0;               /* statistics clear on read (13.7) */
            return v;
        }
        return r[i];
    }
}

static void e1000_reg_write(E1000State *s, unsigned i, uint32_t val)
{
    uint32_t *r = s->regs;

    if (!reg_known(i)) {
        emu_log_mask(LOG_UNIMP, "e1000: write 0x%08x to unknown register 0x%05x\n",
                     val, i * 4);
        return;
    }
    switch (i) {
    case CTRL:
        if (val & CTRL_RST) {
            /* Global reset (13.4.1): everything but PCI configuration. */
            e1000_reset_regs(s);
            return;
        }
        if (val & CTRL_PHY_RST) {
            e1000_phy_reset(s);
        }
        r[CTRL] = val & ~(CTRL_RST | CTRL_PHY_RST);
        break;
    case STATUS:
        break;                      /* read-only */
    case EECD:
        e1000_eecd_write(s, val);
        break;
    case EERD:
        e1000_eerd_write(s, val);
        break;
    case MDIC:
        e1000_mdic_write(s, val);
        break;
    case ICR:
        r[ICR] &= ~val;             /* write 1 to clear */
        e1000_update_irq(s);
        break;
    case ICS:
        e1000_set_ics(s, val);
        break;
    case IMS:
        r[IMS] |= val & ICR_VALID_MASK;
        e1000_update_irq(s);
        break;
    case IMC:
        r[IMS] &= ~val;
        e1000_update_irq(s);
        break;
    case ITR:
        r[ITR] = val & 0xffff;
        break;
    case VET:
        r[VET] = val & 0xffff;
        break;
    case RCTL:
        r[RCTL] = val;
        e1000_flush_rx(s);
        break;
    case RDBAL:
    case TDBAL:
        r[i] = val & ~0xfu;
        break;
    case RDLEN:
    case TDLEN:
        r[i] = val & 0xfff80;
        break;
    case RDH:
    case TDH:
        r[i] = val & 0xffff;
        break;
    case RDT:
        r[RDT] = val & 0xffff;
        e1000_flush_rx(s);
        break;
    case TCTL:
        r[TCTL] = val;
        e1000_start_xmit(s);
        break;
    case RDTR:
    case RADV:
    case TIDV:
    case TADV:
        e1000_delay_write(s, i, val);
        break;
    case TDT:
        r[TDT] = val & 0xffff;
        e1000_start_xmit(s);
        break;
    default:
        if (i >= STATS_FIRST && i <= STATS_LAST) {
            break;                  /* statistics are read-only */
        }
        r[i] = val;
        break;
    }
}

static uint64_t e1000_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    return e1000_reg_read(opaque, addr >> 2);
}

static void e1000_mmio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    e1000_reg_write(opaque, addr >> 2, val);
}

static const MemoryRegionOps e1000_mmio_ops = {
    .read = e1000_mmio_read,
    .write = e1000_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

/* I/O window (13.1.1): IOADDR at 0 picks the register IODATA at 4 reaches. */
static uint64_t e1000_io_read(void *opaque, hwaddr addr, unsigned size)
{
    E1000State *s = opaque;
    switch (addr) {
    case 0:
        return s->ioaddr;
    case 4:
        return e1000_reg_read(s, s->ioaddr >> 2);
    default:
        emu_log_mask(LOG_GUEST_ERROR, "e1000: I/O read at reserved offset 0x%x\n",
                     (unsigned)addr);
        return 0;
    }
}

static void e1000_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    E1000State *s = opaque;
    switch (addr) {
    case 0:
        s->ioaddr = val & (E1000_MMIO_SIZE - 4);
        break;
    case 4:
        e1000_reg_write(s, s->ioaddr >> 2, val);
        break;
    default:
        emu_log_mask(LOG_GUEST_ERROR, "e1000: I/O write at reserved offset 0x%x\n",
                     (unsigned)addr);
        break;
    }
}

static const MemoryRegionOps e1000_io_ops = {
    .read = e1000_io_read,
    .write = e1000_io_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

/* ---- migration ---- */

static const VMStateDescription vmstate_e1000 = {
    .name = "e1000",
    .version_id = 2,
    .minimum_version_id = 2,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(parent_obj, E1000State, 1, vmstate_pci_device, PCIDevice),
        VMSTATE_UINT32_ARRAY(regs, E1000State, E1000_NREGS),
        VMSTATE_UINT16_ARRAY(eeprom, E1000State, EEPROM_WORDS),
        VMSTATE_UINT16_ARRAY(phy, E1000State, PHY_REGS),
        VMSTATE_UINT32(ee_bits_in, E1000State),
        VMSTATE_UINT32(ee_shift, E1000State),
        VMSTATE_UINT32(ee_out_pos, E1000State),
        VMSTATE_UINT32(ee_old, E1000State),
        VMSTATE_BOOL(ee_reading, E1000State),
        VMSTATE_UINT32(ioaddr, E1000State),
        VMSTATE_UINT8(ctx.ipcss, E1000State),
        VMSTATE_UINT8(ctx.ipcso, E1000State),
        VMSTATE_UINT16(ctx.ipcse, E1000State),
        VMSTATE_UINT8(ctx.tucss, E1000State),
        VMSTATE_UINT8(ctx.tucso, E1000State),
        VMSTATE_UINT16(ctx.tucse, E1000State),
        VMSTATE_UINT8(ctx.hdr_len, E1000State),
        VMSTATE_UINT8(ctx.tucmd, E1000State),
        VMSTATE_UINT16(ctx.mss, E1000State),
        VMSTATE_UINT32(ctx.paylen, E1000State),
        VMSTATE_BOOL(mit_pending, E1000State),
        VMSTATE_INT32(irq_level, E1000State),
        VMSTATE_TIMER_PTR(mit_timer, E1000State),
        VMSTATE_TIMER_PTR(rdtr_timer, E1000State),
        VMSTATE_TIMER_PTR(radv_timer, E1000State),
        VMSTATE_TIMER_PTR(tidv_timer, E1000State),
        VMSTATE_TIMER_PTR(tadv_timer, E1000State),
        VMSTATE_END_OF_LIST()
    },
};

/* ---- PCI glue ---- */

static void e1000_realize(PCIDevice *pd, Error **errp)
{
    E1000State *s = E1000(pd);
    DeviceState *dev = DEVICE(pd);
    Object *o = OBJECT(pd);
    const char *name = dev->id;     /* NULL: the core names it "e1000.N" */

    if (!qemu_nic_conf_resolve(&s->conf, object_get_typename(o), errp)) {
        return;
    }
    if (!fw_cfg_add_bootindex(dev, s->conf.bootindex, "/ethernet-phy@0", errp)) {
        return;
    }
    pci_config_set_interrupt_pin(pd, 1);
    memory_region_init_io(&s->mmio, o, &e1000_mmio_ops, s, "e1000-mmio", E1000_MMIO_SIZE);
    pci_register_bar(pd, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->mmio);
    memory_region_init_io(&s->io, o, &e1000_io_ops, s, "e1000-io", E1000_IO_SIZE);
    pci_register_bar(pd, 1, PCI_BASE_ADDRESS_SPACE_IO, &s->io);

    s->tx_buf = g_malloc(2 * E1000_TX_MAX);
    s->tx_frame = g_malloc(E1000_RX_MAX_LPE + 4);
    s->rx_buf = g_malloc(E1000_RX_MAX_LPE + 4);
    s->mit_timer = timer_new_ns(EMU_CLOCK_VIRTUAL, e1000_mit_timer, s);
    e1000_delay_init(s);
    s->nic = qemu_new_nic(&net_e1000_info, &s->conf, object_get_typename(o), name, s);
    qemu_format_nic_info_str(qemu_get_queue(s->nic), s->conf.macaddr.a);
    e1000_eeprom_init(s);
    e1000_reset_regs(s);
}

static void e1000_exit(PCIDevice *pd)
{
    E1000State *s = E1000(pd);
    if (s->nic) {
        qemu_del_nic(s->nic);
        s->nic = NULL;
    }
    fw_cfg_del_bootindex(DEVICE(pd));
    if (s->mit_timer) {
        timer_free(s->mit_timer);
        s->mit_timer = NULL;
        e1000_delay_exit(s);
    }
    g_free(s->tx_buf);
    g_free(s->tx_frame);
    g_free(s->rx_buf);
    s->tx_buf = s->tx_frame = s->rx_buf = NULL;
}

static void e1000_finalize(Object *obj)
{
    E1000State *s = E1000(obj);
    memory_region_finalize(&s->mmio);
    memory_region_finalize(&s->io);
}

static const Property e1000_props[] = {
    DEFINE_NIC_PROPERTIES(E1000State, conf),
    DEFINE_PROP_INT32("bootindex", E1000State, conf.bootindex, -1),
    DEFINE_PROP_BOOL("mitigation", E1000State, mit_on, true),
    DEFINE_PROP_END_OF_LIST(),
};

static void e1000_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    dc->desc = "Intel Gigabit Ethernet (82540EM)";
    dc->category = DEVICE_CATEGORY_NETWORK;
    dc->user_creatable = true;
    dc->vmsd = &vmstate_e1000;
    device_class_set_props(dc, e1000_props);
    pc->realize = e1000_realize;
    pc->exit = e1000_exit;
    pc->reset = e1000_pci_reset;
    pc->vendor_id = E1000_VENDOR_ID;
    pc->device_id = E1000_DEVICE_ID;
    pc->revision = 3;
    pc->class_id = PCI_CLASS_NETWORK_ETHERNET;
}

static const TypeInfo e1000_types[] = {
    {
        .name = TYPE_E1000,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(E1000State),
        .instance_finalize = e1000_finalize,
        .class_init = e1000_class_init,
    },
};
DEFINE_TYPES(e1000_types)
