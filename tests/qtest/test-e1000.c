/*
 * e1000 (82540EM) driven as a driver would, per the 8254x Software
 * Developer's Manual: PCI identity and BARs, the EEPROM through EERD and
 * through EECD bit-banging (Microwire, SDM 5.5), the PHY through MDIC
 * (13.4.7), interrupt causes and ITR moderation (13.4.17-21), transmit of
 * legacy and context/data descriptors with checksum offload and TSO (3.3,
 * 3.5) to a socket the test holds (`-netdev socket,connect=`), receive into
 * the RX ring (3.2) with filters and VLAN stripping, statistics, and hostile
 * rings that must leave emu alive.
 *
 * Oracles: the SDM's stated values (EEPROM checksum 0xBABA, PHY ID), the frame
 * bytes the test built, and checksums and CRC-32 computed here independently
 * (a plain RFC 1071 sum and a bitwise CRC), never with emu's helpers.
 */
#include "pci-helpers.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#define SLOT 4
#define DEV BDF(SLOT, 0)
#define MMIO 0xfe000000u
#define IOBASE 0xc000
#define GSI_INTA (16 + ((SLOT - 1) & 3))

#define TX_RING 0x100000
#define RX_RING 0x110000
#define TX_BUF 0x200000
#define RX_BUF 0x300000
#define NDESC 16

/* registers */
#define CTRL 0x0000
#define STATUS 0x0008
#define EECD 0x0010
#define EERD 0x0014
#define MDIC 0x0020
#define VET 0x0038
#define ICR 0x00c0
#define ITR 0x00c4
#define ICS 0x00c8
#define IMS 0x00d0
#define IMC 0x00d8
#define RCTL 0x0100
#define TCTL 0x0400
#define RDBAL 0x2800
#define RDBAH 0x2804
#define RDLEN 0x2808
#define RDH 0x2810
#define RDT 0x2818
#define RDTR 0x2820
#define RADV 0x282c
#define TDBAL 0x3800
#define TDBAH 0x3804
#define TDLEN 0x3808
#define TDH 0x3810
#define TDT 0x3818
#define TIDV 0x3820
#define GPRC 0x4074
#define GPTC 0x4080
#define TOTL 0x40c8
#define TOTH 0x40cc
#define TPT 0x40d4
#define MTA 0x5200
#define RAL0 0x5400
#define RAH0 0x5404
#define VFTA 0x5600

#define ICR_TXDW 0x01
#define ICR_TXQE 0x02
#define ICR_LSC 0x04
#define ICR_RXDMT0 0x10
#define ICR_RXO 0x40
#define ICR_RXT0 0x80
#define ICR_MDAC 0x200

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

typedef struct Dev {
    QTestState *s;
    int sock;                   /* the other end of -netdev socket, or -1 */
    uint32_t tdt, rdt;
} Dev;

/* ---- independent oracles ---- */

static uint16_t ref_csum(const uint8_t *p, size_t n, uint32_t seed)
{
    uint64_t sum = seed;
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += (p[i] << 8) | p[i + 1];
    }
    if (n & 1) {
        sum += p[n - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)sum;       /* folded, not complemented */
}

static uint32_t ref_crc32(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffff;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
        }
    }
    return ~crc;
}

static uint32_t pseudo4(const uint8_t *ip, uint8_t proto, uint32_t len)
{
    return ref_csum(ip + 12, 8, 0) + proto + len;
}

/* ---- device ---- */

static uint32_t rd(Dev *d, uint32_t reg)
{
    return qtest_readl(d->s, MMIO + reg);
}

static void wr(Dev *d, uint32_t reg, uint32_t v)
{
    qtest_writel(d->s, MMIO + reg, v);
}

static int listen_socket(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    g_assert_cmpint(fd, >=, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    socklen_t len = sizeof(a);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static Dev *dev_start(bool net, const char *extra)
{
    Dev *d = g_new0(Dev, 1);
    int lfd = -1, port = 0;
    d->sock = -1;
    if (net) {
        lfd = listen_socket(&port);
        d->s = qtest_initf("-machine pc -m 64M -netdev socket,id=n0,connect=127.0.0.1:%d "
                           "-device e1000,netdev=n0,addr=%02x.0,mac=52:54:00:ab:cd:ef%s",
                           port, SLOT, extra ? extra : "");
        struct pollfd p = { .fd = lfd, .events = POLLIN };
        g_assert_cmpint(poll(&p, 1, 10000), ==, 1);
        d->sock = accept(lfd, NULL, NULL);
        g_assert_cmpint(d->sock, >=, 0);
        close(lfd);
    } else {
        d->s = qtest_initf("-machine pc -m 64M -device e1000,addr=%02x.0,"
                           "mac=52:54:00:ab:cd:ef%s", SLOT, extra ? extra : "");
    }
    qtest_irq_intercept_in(d->s, "/machine/gsi");
    cfg_writel(d->s, DEV, PCI_BASE_ADDRESS_0, MMIO);
    cfg_writel(d->s, DEV, (PCI_BASE_ADDRESS_0 + 4), IOBASE);
    cfg_writew(d->s, DEV, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
               PCI_COMMAND_MASTER);
    return d;
}

static void dev_free(Dev *d)
{
    if (d->sock >= 0) {
        close(d->sock);
    }
    qtest_quit(d->s);
    g_free(d);
}

/* ---- the socket end: 4-byte big-endian length, then the frame ---- */

static bool read_full(int fd, void *buf, size_t n, int timeout_ms)
{
    uint8_t *p = buf;
    while (n) {
        struct pollfd pf = { .fd = fd, .events = POLLIN };
        if (poll(&pf, 1, timeout_ms) != 1) {
            return false;
        }
        ssize_t r = read(fd, p, n);
        if (r <= 0) {
            return false;
        }
        p += r;
        n -= r;
    }
    return true;
}

/* The next frame emu sent, or -1 if none comes within @timeout_ms. */
static int sock_recv(Dev *d, uint8_t *buf, size_t max, int timeout_ms)
{
    uint8_t hdr[4];
    if (!read_full(d->sock, hdr, 4, timeout_ms)) {
        return -1;
    }
    uint32_t len = (uint32_t)hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3];
    g_assert_cmpuint(len, <=, max);
    g_assert_true(read_full(d->sock, buf, len, 5000));
    return len;
}

static void sock_send(Dev *d, const uint8_t *buf, size_t len)
{
    uint8_t hdr[4] = { len >> 24, len >> 16, len >> 8, len };
    g_assert_cmpint(write(d->sock, hdr, 4), ==, 4);
    g_assert_cmpint(write(d->sock, buf, len), ==, (ssize_t)len);
}

/* ---- rings ---- */

static void tx_setup(Dev *d)
{
    qtest_memset(d->s, TX_RING, 0, NDESC * 16);
    wr(d, TDBAL, TX_RING);
    wr(d, TDBAH, 0);
    wr(d, TDLEN, NDESC * 16);
    wr(d, TDH, 0);
    wr(d, TDT, 0);
    d->tdt = 0;
    wr(d, TCTL, 0x2 | 0x8);     /* EN | PSP */
}

/* Put one raw 16-byte descriptor at TDT (not yet handed over). */
static uint32_t tx_put(Dev *d, uint64_t q0, uint64_t q1)
{
    uint32_t i = d->tdt;
    qtest_writeq(d->s, TX_RING + i * 16, q0);
    qtest_writeq(d->s, TX_RING + i * 16 + 8, q1);
    d->tdt = (d->tdt + 1) % NDESC;
    return i;
}

static void tx_kick(Dev *d)
{
    wr(d, TDT, d->tdt);
}

static uint64_t legacy(uint32_t len, uint8_t cso, uint8_t cmd, uint8_t css, uint16_t special)
{
    return len | (uint64_t)cso << 16 | (uint64_t)cmd << 24 | (uint64_t)css << 40 |
           (uint64_t)special << 48;
}

static void rx_setup(Dev *d, uint32_t rctl)
{
    qtest_memset(d->s, RX_RING, 0, NDESC * 16);
    for (int i = 0; i < NDESC; i++) {
        qtest_writeq(d->s, RX_RING + i * 16, RX_BUF + i * 0x4000);
    }
    wr(d, RDBAL, RX_RING);
    wr(d, RDBAH, 0);
    wr(d, RDLEN, NDESC * 16);
    wr(d, RDH, 0);
    d->rdt = NDESC - 1;
    wr(d, RDT, d->rdt);
    wr(d, RCTL, rctl);
}

/* Wait until descriptor @i has DD (emu's main loop runs between commands). */
static bool rx_wait(Dev *d, int i, int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000;
    do {
        if (qtest_readb(d->s, RX_RING + i * 16 + 12) & 1) {
            return true;
        }
        g_usleep(1000);
    } while (g_get_monotonic_time() < end);
    return false;
}

/* ---- frames ---- */

static size_t build_udp(uint8_t *f, const uint8_t *dst, size_t payload)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, MAC, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[2] = (20 + 8 + payload) >> 8;
    ip[3] = 20 + 8 + payload;
    ip[4] = 0x43;
    ip[5] = 0x21;
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
    uint8_t *udp = ip + 20;
    udp[0] = 0x12; udp[1] = 0x34; udp[2] = 0x00; udp[3] = 0x35;
    udp[4] = (8 + payload) >> 8;
    udp[5] = 8 + payload;
    udp[6] = udp[7] = 0;
    for (size_t i = 0; i < payload; i++) {
        udp[8 + i] = i * 13 + 5;
    }
    return 14 + 20 + 8 + payload;
}

static void check_ipv4(const uint8_t *ip)
{
    g_assert_cmphex(ref_csum(ip, 20, 0), ==, 0xffff);
}

static void check_l4(const uint8_t *ip, size_t l4len)
{
    uint8_t proto = ip[9];
    g_assert_cmphex(ref_csum(ip + 20, l4len, pseudo4(ip, proto, l4len)), ==, 0xffff);
}

/* ---- tests ---- */

static void test_ids(void)
{
    Dev *d = dev_start(false, NULL);
    QTestState *s = d->s;
    g_assert_cmphex(cfg_readw(s, DEV, PCI_VENDOR_ID), ==, 0x8086);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_DEVICE_ID), ==, 0x100e);
    g_assert_cmphex(cfg_readl(s, DEV, PCI_REVISION_ID) >> 8, ==, 0x020000);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_SUBSYSTEM_VENDOR_ID), ==, 0x1af4);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_SUBSYSTEM_ID), ==, 0x1100);
    g_assert_cmpuint(cfg_readb(s, DEV, PCI_INTERRUPT_PIN), ==, 1);
    /* BAR0: 128 KiB 32-bit memory; BAR1: 64 bytes of I/O. */
    g_assert_cmphex(cfg_size_bar(s, DEV, PCI_BASE_ADDRESS_0), ==, 0xfffe0000);
    g_assert_cmphex(cfg_size_bar(s, DEV, (PCI_BASE_ADDRESS_0 + 4)), ==, 0xffffffc1);
    /* STATUS: link up at 1000 Mb/s full duplex. */
    uint32_t st = rd(d, STATUS);
    g_assert_cmphex(st & 0xc3, ==, 0x83);
    /* The I/O window reaches the same registers (13.1.1). */
    qtest_outl(s, IOBASE, STATUS);
    g_assert_cmphex(qtest_inl(s, IOBASE), ==, STATUS);
    g_assert_cmphex(qtest_inl(s, IOBASE + 4), ==, st);
    qtest_outl(s, IOBASE, IMS);
    qtest_outl(s, IOBASE + 4, ICR_RXT0);
    g_assert_cmphex(rd(d, IMS), ==, ICR_RXT0);
    /* RAL0/RAH0 hold the MAC with Address Valid after reset. */
    g_assert_cmphex(rd(d, RAL0), ==, 0xab005452);
    g_assert_cmphex(rd(d, RAH0), ==, 0x8000efcd);
    dev_free(d);
}

static uint16_t eerd(Dev *d, unsigned word)
{
    wr(d, EERD, (word << 8) | 1);
    uint32_t v = rd(d, EERD);
    g_assert_true(v & 0x10);                    /* DONE */
    return v >> 16;
}

static void check_eeprom_image(const uint16_t *w)
{
    uint16_t sum = 0;
    for (int i = 0; i < 64; i++) {
        sum += w[i];
    }
    g_assert_cmphex(sum, ==, 0xbaba);
    for (int i = 0; i < 3; i++) {
        g_assert_cmphex(w[i], ==, MAC[2 * i] | MAC[2 * i + 1] << 8);
    }
    g_assert_cmphex(w[0x0d], ==, 0x100e);
    g_assert_cmphex(w[0x0e], ==, 0x8086);
}

static void test_eeprom_eerd(void)
{
    Dev *d = dev_start(false, NULL);
    uint16_t w[64];
    for (int i = 0; i < 64; i++) {
        w[i] = eerd(d, i);
    }
    check_eeprom_image(w);
    dev_free(d);
}

/* Microwire as the SDM's 5.5 timing describes: DI sampled on SK rising edges. */
static void ee_clock(Dev *d, uint32_t *v)
{
    wr(d, EECD, *v | 1);
    wr(d, EECD, *v);
}

static uint16_t ee_bitbang_read(Dev *d, unsigned word)
{
    uint32_t v = rd(d, EECD) | 0x40;            /* REQ */
    wr(d, EECD, v);
    g_assert_true(rd(d, EECD) & 0x80);          /* GNT */
    g_assert_true(rd(d, EECD) & 0x100);         /* PRES */
    v = (v & ~0xf) | 0x2;                       /* CS */
    wr(d, EECD, v);
    uint32_t cmd = (0x6 << 6) | word;           /* start, READ (10b), 6-bit address */
    for (int b = 8; b >= 0; b--) {
        v = (v & ~0x4) | ((cmd >> b) & 1 ? 0x4 : 0);
        wr(d, EECD, v);
        ee_clock(d, &v);
    }
    v &= ~0x4;
    uint16_t data = 0;
    for (int b = 0; b < 16; b++) {
        wr(d, EECD, v | 1);
        data = (data << 1) | !!(rd(d, EECD) & 0x8);
        wr(d, EECD, v);
    }
    wr(d, EECD, v & ~0x2);                      /* CS low */
    wr(d, EECD, (v & ~0x2) & ~0x40);            /* release */
    return data;
}

static void test_eeprom_bitbang(void)
{
    Dev *d = dev_start(false, NULL);
    uint16_t w[64];
    for (int i = 0; i < 64; i++) {
        w[i] = ee_bitbang_read(d, i);
    }
    check_eeprom_image(w);
    dev_free(d);
}

static uint32_t mdic(Dev *d, uint32_t v)
{
    wr(d, MDIC, v);
    uint32_t r = rd(d, MDIC);
    g_assert_true(r & (1u << 28));              /* Ready */
    return r;
}

static uint32_t phy_read(Dev *d, unsigned reg)
{
    return mdic(d, (2u << 26) | (1u << 21) | (reg << 16));
}

static void test_phy(void)
{
    Dev *d = dev_start(false, NULL);
    /* 82540EM PHY identifier (SDM 13.5.3/13.5.4). */
    g_assert_cmphex(phy_read(d, 2) & 0xffff, ==, 0x0141);
    g_assert_cmphex(phy_read(d, 3) & 0xfff0, ==, 0x0c20);
    /* Restart auto-negotiation: it completes with the link up. */
    mdic(d, (1u << 26) | (1u << 21) | (0 << 16) | 0x1340);
    uint32_t bmsr = phy_read(d, 1) & 0xffff;
    g_assert_cmphex(bmsr & 0x24, ==, 0x24);
    g_assert_cmphex(phy_read(d, 0) & 0x0200, ==, 0);   /* restart self-clears */
    g_assert_true(rd(d, STATUS) & 2);
    /* A writable register keeps its value; nobody answers at PHY address 2. */
    mdic(d, (1u << 26) | (1u << 21) | (4 << 16) | 0x01e1);
    g_assert_cmphex(phy_read(d, 4) & 0xffff, ==, 0x01e1);
    g_assert_true(mdic(d, (2u << 26) | (2u << 21) | (1 << 16)) & (1u << 30));
    /* The I bit raises MDAC. */
    rd(d, ICR);
    mdic(d, (2u << 26) | (1u << 21) | (1u << 29));
    g_assert_cmphex(rd(d, ICR) & ICR_MDAC, ==, ICR_MDAC);
    dev_free(d);
}

/* QMP set_link on the NIC (QEMU's "MODEL.N" name when it has no id). */
static bool set_link(QTestState *s, bool up)
{
    JsonNode *r = qtest_qmp(s, "{'execute': 'set_link', 'arguments': "
                            "{'name': 'e1000.0', 'up': %s}}", up ? "true" : "false");
    bool ok = qtest_qmp_return(r) != NULL;
    json_node_unref(r);
    return ok;
}

static void test_interrupts(void)
{
    Dev *d = dev_start(false, NULL);
    QTestState *s = d->s;
    rd(d, ICR);
    g_assert_false(qtest_get_irq(s, GSI_INTA));
    /* ICS sets causes; masked ones do not interrupt. */
    wr(d, ICS, ICR_TXDW);
    g_assert_false(qtest_get_irq(s, GSI_INTA));
    wr(d, IMS, ICR_TXDW | ICR_RXT0);
    g_assert_cmphex(rd(d, IMS), ==, ICR_TXDW | ICR_RXT0);
    g_assert_true(qtest_get_irq(s, GSI_INTA));
    /* ICR reads and clears; the line drops. */
    g_assert_cmphex(rd(d, ICR), ==, ICR_TXDW);
    g_assert_cmphex(rd(d, ICR), ==, 0);
    g_assert_false(qtest_get_irq(s, GSI_INTA));
    /* IMC masks. */
    wr(d, IMC, ICR_TXDW);
    g_assert_cmphex(rd(d, IMS), ==, ICR_RXT0);
    wr(d, ICS, ICR_TXDW);
    g_assert_false(qtest_get_irq(s, GSI_INTA));
    /*
     * Even with ITR 0 interrupts are at least 128 us apart (QEMU's floor of
     * 500 * 256 ns): the first one started the interval.
     */
    wr(d, ICS, ICR_RXT0);
    g_assert_false(qtest_get_irq(s, GSI_INTA));
    qtest_clock_step(s, 120 * 1000);
    g_assert_false(qtest_get_irq(s, GSI_INTA));
    qtest_clock_step(s, 10 * 1000);
    g_assert_true(qtest_get_irq(s, GSI_INTA));
    /* Writing 1s to ICR clears those causes. */
    wr(d, ICR, ICR_RXT0 | ICR_TXDW);
    g_assert_false(qtest_get_irq(s, GSI_INTA));
    g_assert_cmphex(rd(d, ICR), ==, 0);

    /* ITR = 1000 (256 us): a second interrupt waits out the interval. */
    wr(d, ITR, 1000);
    qtest_clock_step(s, 130 * 1000);
    wr(d, ICS, ICR_RXT0);
    g_assert_true(qtest_get_irq(s, GSI_INTA));
    rd(d, ICR);
    g_assert_false(qtest_get_irq(s, GSI_INTA));
    wr(d, ICS, ICR_RXT0);
    g_assert_false(qtest_get_irq(s, GSI_INTA));
    qtest_clock_step(s, 200 * 1000);
    g_assert_false(qtest_get_irq(s, GSI_INTA));
    qtest_clock_step(s, 60 * 1000);
    g_assert_true(qtest_get_irq(s, GSI_INTA));
    rd(d, ICR);

    /* set_link off/on: LSC, STATUS.LU and the PHY follow. */
    wr(d, IMS, ICR_LSC);
    qtest_clock_step(s, 1000 * 1000);
    rd(d, ICR);
    g_assert_true(set_link(s, false));
    g_assert_cmphex(rd(d, STATUS) & 2, ==, 0);
    g_assert_cmphex(rd(d, ICR) & ICR_LSC, ==, ICR_LSC);
    g_assert_cmphex(phy_read(d, 1) & 0x4, ==, 0);
    g_assert_true(set_link(s, true));
    g_assert_true(rd(d, STATUS) & 2);
    qtest_clock_step(s, 1000 * 1000);
    g_assert_cmphex(rd(d, ICR) & ICR_LSC, ==, ICR_LSC);
    g_assert_cmphex(phy_read(d, 1) & 0x24, ==, 0x24);
    /* CTRL.RST: masks and receive control back to their defaults. */
    wr(d, RCTL, 0x2);
    wr(d, CTRL, rd(d, CTRL) | (1u << 26));
    g_assert_cmphex(rd(d, IMS), ==, 0);
    g_assert_cmphex(rd(d, RCTL), ==, 0);
    g_assert_cmphex(rd(d, CTRL) & (1u << 26), ==, 0);
    g_assert_cmphex(rd(d, RAH0), ==, 0x8000efcd);
    dev_free(d);
}

/* mitigation=off (QEMU's property): no interval, whatever ITR says. */
static void test_interrupts_unmitigated(void)
{
    Dev *d = dev_start(false, ",mitigation=off");
    QTestState *s = d->s;
    rd(d, ICR);
    wr(d, ITR, 1000);
    wr(d, IMS, ICR_RXT0);
    for (int i = 0; i < 3; i++) {
        wr(d, ICS, ICR_RXT0);
        g_assert_true(qtest_get_irq(s, GSI_INTA));
        g_assert_cmphex(rd(d, ICR), ==, ICR_RXT0);
        g_assert_false(qtest_get_irq(s, GSI_INTA));
    }
    dev_free(d);
}

/*
 * Interrupt delay timers (SDM 3.2.7.1, 13.4.30-31, 13.4.41, 13.4.44), in
 * 1.024 us units on the virtual clock the test steps: RDTR restarts with
 * every frame, RADV does not and forces RXT0 while frames keep coming, FPD
 * flushes at once; TIDV delays TXDW for descriptors with IDE.
 */
static void test_interrupt_delay(void)
{
    Dev *d = dev_start(true, NULL);
    QTestState *s = d->s;
    uint8_t f[256], got[2048];
    size_t n = build_udp(f, MAC, 64);
    int rx = 0;

    rx_setup(d, 0x2 | (1u << 15));
    wr(d, IMS, ICR_RXT0 | ICR_TXDW);
    rd(d, ICR);
    wr(d, RDTR, 100);                   /* 102.4 us after the last frame */
    wr(d, RADV, 300);                   /* 307.2 us after the first */
    g_assert_cmpuint(rd(d, RDTR), ==, 100);
    g_assert_cmpuint(rd(d, RADV), ==, 300);

    /* The packet timer: each frame restarts it. */
    sock_send(d, f, n);
    g_assert_true(rx_wait(d, rx++, 5000));
    g_assert_false(qtest_get_irq(s, GSI_INTA));
    qtest_clock_step(s, 60 * 1000);
    sock_send(d, f, n);
    g_assert_true(rx_wait(d, rx++, 5000));
    qtest_clock_step(s, 90 * 1000);     /* 150 us after the first, 90 after the second */
    g_assert_false(qtest_get_irq(s, GSI_INTA));
    qtest_clock_step(s, 15 * 1000);     /* 105 us after the second */
    g_assert_true(qtest_get_irq(s, GSI_INTA));
    g_assert_cmphex(rd(d, ICR), ==, ICR_RXT0);
    g_assert_false(qtest_get_irq(s, GSI_INTA));

    /* The absolute timer: frames every 80 us never let RDTR run out. */
    for (int t = 0; t <= 240; t += 80) {
        sock_send(d, f, n);
        g_assert_true(rx_wait(d, rx++, 5000));
        qtest_clock_step(s, t < 240 ? 80 * 1000 : 60 * 1000);
        g_assert_false(qtest_get_irq(s, GSI_INTA));
    }
    qtest_clock_step(s, 10 * 1000);     /* 310 us after the first: RADV (307.2) ran out */
    g_assert_true(qtest_get_irq(s, GSI_INTA));
    g_assert_cmphex(rd(d, ICR), ==, ICR_RXT0);
    /* RXT0 stopped the packet timer too: no second interrupt. */
    qtest_clock_step(s, 1000 * 1000);
    g_assert_false(qtest_get_irq(s, GSI_INTA));
    g_assert_cmphex(rd(d, ICR), ==, 0);

    /* FPD: the pending interrupt now; the bit reads back 0. */
    sock_send(d, f, n);
    g_assert_true(rx_wait(d, rx++, 5000));
    g_assert_false(qtest_get_irq(s, GSI_INTA));
    wr(d, RDTR, 100 | (1u << 31));
    g_assert_true(qtest_get_irq(s, GSI_INTA));
    g_assert_cmpuint(rd(d, RDTR), ==, 100);
    g_assert_cmphex(rd(d, ICR) & ICR_RXT0, ==, ICR_RXT0);    /* RXDMT0 too by now */
    /* RDTR 0: no delay at all (once the 128 us interrupt interval is over). */
    wr(d, RDTR, 0);
    qtest_clock_step(s, 130 * 1000);
    sock_send(d, f, n);
    g_assert_true(rx_wait(d, rx++, 5000));
    g_assert_true(qtest_get_irq(s, GSI_INTA));
    g_assert_cmphex(rd(d, ICR) & ICR_RXT0, ==, ICR_RXT0);

    /* Transmit: RS|IDE waits for TIDV (51.2 us); RS alone is immediate. */
    qtest_clock_step(s, 130 * 1000);
    qtest_memwrite(s, TX_BUF, f, n);
    tx_setup(d);
    wr(d, TIDV, 50);
    tx_put(d, TX_BUF, legacy(n, 0, 0x01 | 0x08 | 0x80, 0, 0));
    tx_kick(d);
    g_assert_cmpint(sock_recv(d, got, sizeof(got), 5000), ==, (int)n);
    g_assert_false(qtest_get_irq(s, GSI_INTA));
    qtest_clock_step(s, 40 * 1000);
    g_assert_false(qtest_get_irq(s, GSI_INTA));
    qtest_clock_step(s, 20 * 1000);
    g_assert_true(qtest_get_irq(s, GSI_INTA));
    g_assert_cmphex(rd(d, ICR) & ICR_TXDW, ==, ICR_TXDW);
    qtest_clock_step(s, 130 * 1000);
    tx_put(d, TX_BUF, legacy(n, 0, 0x01 | 0x08, 0, 0));
    tx_kick(d);
    g_assert_cmpint(sock_recv(d, got, sizeof(got), 5000), ==, (int)n);
    g_assert_true(qtest_get_irq(s, GSI_INTA));
    g_assert_cmphex(rd(d, ICR) & ICR_TXDW, ==, ICR_TXDW);
    dev_free(d);
}

static void test_tx_legacy(void)
{
    Dev *d = dev_start(true, NULL);
    uint8_t f[256], got[2048];
    size_t n = build_udp(f, (const uint8_t *)"\xff\xff\xff\xff\xff\xff", 100);
    /* Seed the UDP checksum with the pseudo-header, let IC fill it (3.3.3). */
    uint8_t *ip = f + 14;
    uint16_t seed = ref_csum(NULL, 0, pseudo4(ip, 17, 108));
    f[14 + 20 + 6] = seed >> 8;
    f[14 + 20 + 7] = seed;
    ip[10] = ip[11] = 0;
    uint16_t ipc = ~ref_csum(ip, 20, 0);
    ip[10] = ipc >> 8;
    ip[11] = ipc;
    qtest_memwrite(d->s, TX_BUF, f, 40);
    qtest_memwrite(d->s, TX_BUF + 0x1000, f + 40, n - 40);
    tx_setup(d);
    rd(d, ICR);
    rd(d, GPTC);
    rd(d, TOTH);
    tx_put(d, TX_BUF, legacy(40, 0, 0x00, 0, 0));
    uint32_t last = tx_put(d, TX_BUF + 0x1000, legacy(n - 40, 40, 0x01 | 0x04 | 0x08, 34, 0));
    tx_kick(d);
    int len = sock_recv(d, got, sizeof(got), 5000);
    g_assert_cmpint(len, ==, (int)n);
    g_assert_cmpmem(got, 40, f, 40);
    g_assert_cmpmem(got + 42, n - 42, f + 42, n - 42);
    check_ipv4(got + 14);
    check_l4(got + 14, 108);
    g_assert_cmphex(qtest_readb(d->s, TX_RING + last * 16 + 12) & 1, ==, 1);
    g_assert_cmpuint(rd(d, TDH), ==, d->tdt);
    g_assert_cmphex(rd(d, ICR) & (ICR_TXDW | ICR_TXQE), ==, ICR_TXDW | ICR_TXQE);
    g_assert_cmpuint(rd(d, GPTC), ==, 1);
    g_assert_cmpuint(rd(d, GPTC), ==, 0);               /* read-clear */
    g_assert_cmpuint(rd(d, TOTL), ==, n + 4);
    rd(d, TOTH);
    g_assert_cmpuint(rd(d, TOTL), ==, 0);

    /* VLAN insertion (CTRL.VME + VLE): tag 0x8100/0x0123 after the MACs. */
    wr(d, CTRL, rd(d, CTRL) | (1u << 30));
    qtest_memwrite(d->s, TX_BUF + 0x2000, f, n);
    tx_put(d, TX_BUF + 0x2000, legacy(n, 0, 0x01 | 0x40 | 0x08, 0, 0x0123));
    tx_kick(d);
    len = sock_recv(d, got, sizeof(got), 5000);
    g_assert_cmpint(len, ==, (int)n + 4);
    g_assert_cmpmem(got + 12, 4, "\x81\x00\x01\x23", 4);
    g_assert_cmpmem(got + 16, n - 12, f + 12, n - 12);
    dev_free(d);
}

static uint64_t ctx_q0(uint8_t ipcss, uint8_t ipcso, uint16_t ipcse, uint8_t tucss,
                       uint8_t tucso, uint16_t tucse)
{
    return ipcss | ipcso << 8 | (uint64_t)ipcse << 16 | (uint64_t)tucss << 32 |
           (uint64_t)tucso << 40 | (uint64_t)tucse << 48;
}

static uint64_t ctx_q1(uint32_t paylen, uint8_t tucmd, uint8_t hdrlen, uint16_t mss)
{
    return (paylen & 0xfffff) | (uint64_t)tucmd << 24 | (uint64_t)hdrlen << 40 |
           (uint64_t)mss << 48;
}

static uint64_t data_q1(uint32_t len, uint8_t dcmd, uint8_t popts)
{
    return (len & 0xfffff) | 1u << 20 | (uint64_t)dcmd << 24 | (uint64_t)popts << 40;
}

static void test_tx_csum_offload(void)
{
    Dev *d = dev_start(true, NULL);
    uint8_t f[256], got[2048];
    size_t n = build_udp(f, MAC, 77);
    uint8_t *ip = f + 14;
    uint16_t seed = ref_csum(NULL, 0, pseudo4(ip, 17, 85));
    f[40] = seed >> 8;
    f[41] = seed;
    qtest_memwrite(d->s, TX_BUF, f, n);
    tx_setup(d);
    /* Context: IP header 14..33, checksum at 24; UDP from 34, checksum at 40. */
    tx_put(d, ctx_q0(14, 24, 33, 34, 40, 0), ctx_q1(0, 0x20 | 0x02, 0, 0));
    tx_put(d, TX_BUF, data_q1(n, 0x20 | 0x01 | 0x08, 0x03));
    tx_kick(d);
    int len = sock_recv(d, got, sizeof(got), 5000);
    g_assert_cmpint(len, ==, (int)n);
    check_ipv4(got + 14);
    check_l4(got + 14, 85);
    g_assert_cmpmem(got + 42, n - 42, f + 42, n - 42);
    dev_free(d);
}

static void test_tx_tso(void)
{
    Dev *d = dev_start(true, NULL);
    enum { HDR = 54, PAY = 2500, MSS = 1000 };
    static uint8_t f[HDR + PAY], got[4096];
    memset(f, 0, HDR);
    memcpy(f, "\x52\x54\x00\x12\x34\x56", 6);
    memcpy(f + 6, MAC, 6);
    f[12] = 0x08;
    uint8_t *ip = f + 14, *tcp = f + 34;
    ip[0] = 0x45;
    ip[4] = 0x12;                               /* id 0x1234 */
    ip[5] = 0x34;
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, "\xc0\xa8\x01\x02\xc0\xa8\x01\x03", 8);
    tcp[0] = 0x04; tcp[1] = 0xd2; tcp[2] = 0x00; tcp[3] = 0x50;
    memcpy(tcp + 4, "\x11\x22\x33\x44", 4);     /* seq */
    tcp[12] = 0x50;
    tcp[13] = 0x19;                             /* ACK PSH FIN */
    tcp[14] = 0xff;
    /* As Linux does: pseudo-header without the length, not complemented (3.5.5). */
    uint16_t seed = ref_csum(NULL, 0, pseudo4(ip, 6, 0));
    tcp[16] = seed >> 8;
    tcp[17] = seed;
    for (int i = 0; i < PAY; i++) {
        f[HDR + i] = i * 7 + (i >> 8);
    }
    qtest_memwrite(d->s, TX_BUF, f, sizeof(f));
    tx_setup(d);
    rd(d, 0x40f8);
    tx_put(d, ctx_q0(14, 24, 33, 34, 50, 0),
           ctx_q1(PAY, 0x20 | 0x04 | 0x02 | 0x01, HDR, MSS));
    tx_put(d, TX_BUF, data_q1(HDR, 0x20 | 0x04, 0x03));
    tx_put(d, TX_BUF + HDR, data_q1(1200, 0x20 | 0x04, 0x03));
    tx_put(d, TX_BUF + HDR + 1200, data_q1(PAY - 1200, 0x20 | 0x04 | 0x01 | 0x08, 0x03));
    tx_kick(d);
    for (int seg = 0; seg < 3; seg++) {
        int chunk = seg < 2 ? MSS : PAY - 2 * MSS;
        int len = sock_recv(d, got, sizeof(got), 5000);
        g_assert_cmpint(len, ==, HDR + chunk);
        const uint8_t *gip = got + 14, *gtcp = got + 34;
        g_assert_cmpmem(got, 14, f, 14);
        g_assert_cmpuint(gip[2] << 8 | gip[3], ==, 40 + chunk);
        g_assert_cmpuint(gip[4] << 8 | gip[5], ==, 0x1234 + seg);
        check_ipv4(gip);
        uint32_t seq = (uint32_t)gtcp[4] << 24 | gtcp[5] << 16 | gtcp[6] << 8 | gtcp[7];
        g_assert_cmphex(seq, ==, 0x11223344u + seg * MSS);
        g_assert_cmphex(gtcp[13], ==, seg == 2 ? 0x19 : 0x10);
        check_l4(gip, 20 + chunk);
        g_assert_cmpmem(got + HDR, chunk, f + HDR + seg * MSS, chunk);
    }
    g_assert_cmpint(sock_recv(d, got, sizeof(got), 200), ==, -1);
    g_assert_cmpuint(rd(d, GPTC), ==, 3);
    g_assert_cmpuint(rd(d, 0x40f8), ==, 1);     /* TSCTC */
    dev_free(d);
}

static void test_rx(void)
{
    Dev *d = dev_start(true, NULL);
    uint8_t f[2048], got[2048];
    rx_setup(d, 0x2 | (1u << 15));        /* EN, BAM, 2048-byte buffers */
    wr(d, IMS, ICR_RXT0);
    rd(d, ICR);

    /* To our MAC: accepted, with the FCS appended. */
    size_t n = build_udp(f, MAC, 200);
    sock_send(d, f, n);
    g_assert_true(rx_wait(d, 0, 5000));
    g_assert_cmpuint(qtest_readw(d->s, RX_RING + 8), ==, n + 4);
    g_assert_cmphex(qtest_readb(d->s, RX_RING + 12) & 3, ==, 3);     /* DD EOP */
    qtest_memread(d->s, RX_BUF, got, n + 4);
    g_assert_cmpmem(got, n, f, n);
    uint32_t fcs = ref_crc32(f, n);
    g_assert_cmphex(got[n] | got[n + 1] << 8 | got[n + 2] << 16 | (uint32_t)got[n + 3] << 24,
                    ==, fcs);
    g_assert_cmpuint(rd(d, RDH), ==, 1);
    g_assert_true(qtest_get_irq(d->s, GSI_INTA));
    g_assert_cmphex(rd(d, ICR) & ICR_RXT0, ==, ICR_RXT0);
    g_assert_cmpuint(rd(d, GPRC), ==, 1);

    /* Another unicast address: dropped; then a broadcast (BAM) is taken. */
    build_udp(f, (const uint8_t *)"\x52\x54\x00\x99\x99\x99", 20);
    sock_send(d, f, 62);
    n = build_udp(f, (const uint8_t *)"\xff\xff\xff\xff\xff\xff", 30);
    sock_send(d, f, n);
    g_assert_true(rx_wait(d, 1, 5000));
    qtest_memread(d->s, RX_BUF + 0x4000, got, n);
    g_assert_cmpmem(got, n, f, n);
    g_assert_cmpuint(rd(d, RDH), ==, 2);

    /* Multicast through the MTA (MO = 00: address bits 47:36). */
    const uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
    unsigned hash = ((mc[4] >> 4) | (mc[5] << 4)) & 0xfff;
    wr(d, MTA + (hash >> 5) * 4, 1u << (hash & 31));
    n = build_udp(f, mc, 40);
    sock_send(d, f, n);
    g_assert_true(rx_wait(d, 2, 5000));

    /* Short frame: padded to 60 bytes (+ FCS). */
    memcpy(f, MAC, 6);
    sock_send(d, f, 42);
    g_assert_true(rx_wait(d, 3, 5000));
    g_assert_cmpuint(qtest_readw(d->s, RX_RING + 3 * 16 + 8), ==, 64);

    /* VLAN stripping (CTRL.VME): the tag goes to the descriptor's special field. */
    wr(d, CTRL, rd(d, CTRL) | (1u << 30));
    n = build_udp(f, MAC, 64);
    uint8_t tagged[2048];
    memcpy(tagged, f, 12);
    memcpy(tagged + 12, "\x81\x00\x04\x56", 4);
    memcpy(tagged + 16, f + 12, n - 12);
    sock_send(d, tagged, n + 4);
    g_assert_true(rx_wait(d, 4, 5000));
    g_assert_cmphex(qtest_readb(d->s, RX_RING + 4 * 16 + 12) & 0x08, ==, 0x08);
    g_assert_cmphex(qtest_readw(d->s, RX_RING + 4 * 16 + 14), ==, 0x0456);
    qtest_memread(d->s, RX_BUF + 4 * 0x4000, got, n);
    g_assert_cmpmem(got, n, f, n);
    /* VFTA filtering drops tags whose bit is clear. */
    wr(d, RCTL, rd(d, RCTL) | (1u << 18));
    sock_send(d, tagged, n + 4);
    g_assert_false(rx_wait(d, 5, 300));
    wr(d, VFTA + (0x456 >> 5) * 4, 1u << (0x456 & 31));
    memcpy(tagged + 12, "\x81\x00\x04\x56", 4);
    sock_send(d, tagged, n + 4);
    g_assert_true(rx_wait(d, 5, 5000));
    g_assert_cmpuint(rd(d, RDH), ==, 6);
    dev_free(d);
}

static void test_rx_multi_and_full(void)
{
    Dev *d = dev_start(true, NULL);
    uint8_t f[2048], got[2048];
    /* BSIZE = 11b: 256-byte buffers; a 600-byte frame spans 3 descriptors. */
    rx_setup(d, 0x2 | (3u << 16));
    size_t n = build_udp(f, MAC, 600 - 42);
    sock_send(d, f, n);
    g_assert_true(rx_wait(d, 2, 5000));
    for (int i = 0; i < 3; i++) {
        uint8_t st = qtest_readb(d->s, RX_RING + i * 16 + 12);
        g_assert_cmphex(st & 3, ==, i == 2 ? 3 : 1);
        g_assert_cmpuint(qtest_readw(d->s, RX_RING + i * 16 + 8), ==,
                         i == 2 ? n + 4 - 512 : 256);
        qtest_memread(d->s, RX_BUF + i * 0x4000, got + i * 256, 256);
    }
    g_assert_cmpmem(got, n, f, n);

    /* Ring exhausted: the frame waits in emu, and arrives once RDT moves. */
    rx_setup(d, 0x2 | (1u << 15));
    wr(d, RDT, 1);                              /* one descriptor */
    n = build_udp(f, MAC, 100);
    sock_send(d, f, n);
    g_assert_true(rx_wait(d, 0, 5000));
    f[50] ^= 0xff;
    sock_send(d, f, n);
    g_assert_false(rx_wait(d, 1, 300));
    wr(d, RDT, 5);
    g_assert_true(rx_wait(d, 1, 5000));
    qtest_memread(d->s, RX_BUF + 0x4000, got, n);
    g_assert_cmpmem(got, n, f, n);

    /* Receive disabled: frames wait until RCTL.EN. */
    wr(d, RCTL, 0);
    sock_send(d, f, n);
    g_assert_false(rx_wait(d, 2, 300));
    wr(d, RCTL, 0x2);
    g_assert_true(rx_wait(d, 2, 5000));
    dev_free(d);
}

/* Fill in a correct IPv4 header checksum and UDP checksum. */
static void fix_udp_checksums(uint8_t *f, size_t n)
{
    uint8_t *ip = f + 14, *udp = f + 34;
    size_t l4len = n - 34;
    ip[10] = ip[11] = 0;
    uint16_t c = ~ref_csum(ip, 20, 0);
    ip[10] = c >> 8;
    ip[11] = c;
    udp[6] = udp[7] = 0;
    c = ~ref_csum(udp, l4len, pseudo4(ip, 17, l4len));
    udp[6] = c >> 8;
    udp[7] = c;
}

static void test_rx_csum_offload(void)
{
    Dev *d = dev_start(true, NULL);
    uint8_t f[2048];
    const uint32_t RXCSUM = 0x5000;
    rx_setup(d, 0x2);
    /* Reset value: IP and TCP/UDP offload on (SDM 13.4.24); PCSS = 14. */
    g_assert_cmphex(rd(d, RXCSUM), ==, 0x300);
    wr(d, RXCSUM, 0x300 | 14);
    size_t n = build_udp(f, MAC, 333);
    fix_udp_checksums(f, n);
    struct {
        int ip_bad, udp_bad, udp_zero, off;
        uint8_t status, errors;
    } cases[] = {
        { 0, 0, 0, 0, 0x60, 0x00 },     /* IPCS TCPCS */
        { 0, 1, 0, 0, 0x60, 0x20 },     /* TCPE */
        { 1, 0, 0, 0, 0x60, 0x40 },     /* IPE */
        { 0, 0, 1, 0, 0x40, 0x00 },     /* UDP without checksum: IPCS only */
        { 0, 0, 0, 1, 0x04, 0x00 },     /* RXCSUM off: IXSM */
    };
    for (int i = 0; i < (int)G_N_ELEMENTS(cases); i++) {
        uint8_t g[2048];
        memcpy(g, f, n);
        g[24] ^= cases[i].ip_bad;
        g[34 + 8 + 100] ^= cases[i].udp_bad ? 0x40 : 0;
        if (cases[i].udp_zero) {
            g[40] = g[41] = 0;
        }
        if (cases[i].off) {
            wr(d, RXCSUM, 14);
        }
        sock_send(d, g, n);
        g_assert_true(rx_wait(d, i, 5000));
        uint64_t a = RX_RING + i * 16;
        g_assert_cmphex(qtest_readb(d->s, a + 12) & 0xfc, ==, cases[i].status);
        g_assert_cmphex(qtest_readb(d->s, a + 13), ==, cases[i].errors);
        g_assert_cmphex(qtest_readw(d->s, a + 10), ==, ref_csum(g + 14, n - 14, 0));
    }
    dev_free(d);
}

static void test_rx_overrun_threshold(void)
{
    Dev *d = dev_start(true, NULL);
    uint8_t f[2048];
    /* 256-byte buffers, RDMTS = 01b (a quarter of 16 = 4 left raises RXDMT0). */
    rx_setup(d, 0x2 | (1u << 8) | (3u << 16));
    wr(d, RDT, 2);                              /* two free descriptors */
    rd(d, ICR);
    rd(d, 0x4010);
    /* 604 bytes with FCS need three: an overrun, the frame is missed (13.4.17). */
    size_t n = build_udp(f, MAC, 600 - 42);
    sock_send(d, f, n);
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    uint32_t icr = 0;
    while (!(icr & ICR_RXO) && g_get_monotonic_time() < end) {
        icr |= rd(d, ICR);
        g_usleep(1000);
    }
    g_assert_cmphex(icr & ICR_RXO, ==, ICR_RXO);
    g_assert_cmpuint(rd(d, 0x4010), ==, 1);    /* MPC */
    g_assert_cmpuint(rd(d, RDH), ==, 0);
    g_assert_cmphex(qtest_readb(d->s, RX_RING + 12), ==, 0);
    /* Small frames: RXT0 each; RXDMT0 once 4 or fewer descriptors are left. */
    wr(d, RDT, 7);
    n = build_udp(f, MAC, 100);
    for (int i = 0; i < 3; i++) {
        sock_send(d, f, n);
        g_assert_true(rx_wait(d, i, 5000));
        icr = rd(d, ICR);
        g_assert_cmphex(icr & ICR_RXT0, ==, ICR_RXT0);
        g_assert_cmphex(icr & ICR_RXDMT0, ==, i == 2 ? ICR_RXDMT0 : 0);
    }
    dev_free(d);
}

/* query-pci's x-ignored-accesses of our function (emu's counter). */
static int64_t ignored_accesses(QTestState *s)
{
    JsonNode *r = qtest_qmp(s, "{'execute': 'query-pci'}");
    JsonArray *buses = json_node_get_array(qtest_qmp_return(r));
    int64_t v = -1;
    JsonArray *devs = json_object_get_array_member(json_array_get_object_element(buses, 0),
                                                   "devices");
    for (guint i = 0; i < json_array_get_length(devs); i++) {
        JsonObject *o = json_array_get_object_element(devs, i);
        if (json_object_get_int_member(o, "slot") == SLOT) {
            v = json_object_get_int_member(o, "x-ignored-accesses");
        }
    }
    json_node_unref(r);
    return v;
}

static void test_hostile(void)
{
    Dev *d = dev_start(true, NULL);
    uint8_t got[2048], f[256];
    QTestState *s = d->s;

    tx_setup(d);
    g_assert_cmpint(ignored_accesses(s), ==, 0);
    /* Zero-length and out-of-RAM buffers; a reserved DTYP; TSO with a huge header. */
    tx_put(d, TX_BUF, legacy(0, 0, 0x01 | 0x08, 0, 0));
    tx_put(d, 0xfffffff000000ull, legacy(1500, 0, 0x01 | 0x08, 0, 0));
    tx_put(d, TX_BUF, (uint64_t)0xf << 20 | (uint64_t)0x28 << 24);
    tx_put(d, ctx_q0(14, 24, 33, 34, 50, 0), ctx_q1(100, 0x27, 255, 0));
    tx_put(d, TX_BUF, data_q1(60, 0x20 | 0x04 | 0x01 | 0x08, 0x03));
    /* Checksum offsets past the frame end. */
    tx_put(d, ctx_q0(200, 250, 0, 240, 254, 0), ctx_q1(0, 0x20, 0, 0));
    tx_put(d, TX_BUF, data_q1(60, 0x20 | 0x01 | 0x08, 0x03));
    /* TSO with MSS 0 */
    tx_put(d, ctx_q0(14, 24, 33, 34, 50, 0), ctx_q1(100, 0x27, 54, 0));
    tx_put(d, TX_BUF, data_q1(154, 0x20 | 0x04 | 0x01 | 0x08, 0x03));
    tx_kick(d);
    g_assert_cmpuint(rd(d, TDH), ==, d->tdt);
    /* Out-of-RAM buffer, reserved DTYP, two bad TSO contexts, bad offsets. */
    g_assert_cmpint(ignored_accesses(s), >=, 5);
    /* The frame with bad checksum offsets still goes out (hardware sends it). */
    while (sock_recv(d, got, sizeof(got), 300) >= 0) {
    }

    /* TDLEN not a multiple of 128 / TDH beyond the ring / ring outside RAM. */
    wr(d, TDLEN, 0x7f);
    wr(d, TDT, 3);
    wr(d, TDLEN, NDESC * 16);
    wr(d, TDH, 0x8000);
    wr(d, TDT, 2);
    wr(d, TDBAL, 0xfffff000);
    wr(d, TDBAH, 0xffff);
    wr(d, TDH, 0);
    wr(d, TDT, 5);
    wr(d, TDLEN, 0xfff80);
    wr(d, TDBAL, TX_RING);
    wr(d, TDBAH, 0);
    wr(d, TDH, 0);
    wr(d, TDT, 0xffff);
    while (sock_recv(d, got, sizeof(got), 300) >= 0) {
    }

    /* RX ring outside RAM, RDH beyond the ring: frames are dropped or wait. */
    rx_setup(d, 0x2);
    wr(d, RDBAL, 0xfffff000);
    wr(d, RDBAH, 0xffff);
    size_t n = build_udp(f, MAC, 100);
    sock_send(d, f, n);
    g_usleep(100000);
    g_assert_cmphex(rd(d, STATUS) & 2, ==, 2);
    wr(d, RDH, 0x9999);
    sock_send(d, f, n);
    g_usleep(100000);
    rd(d, ICR);
    /* Bus mastering off: nothing is fetched. */
    cfg_writew(s, DEV, PCI_COMMAND, PCI_COMMAND_MEMORY);
    tx_setup(d);
    tx_put(d, TX_BUF, legacy(60, 0, 0x01 | 0x08, 0, 0));
    tx_kick(d);
    g_assert_cmpint(sock_recv(d, got, sizeof(got), 200), ==, -1);

    /* Still a working device after a reset. */
    cfg_writew(s, DEV, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    wr(d, CTRL, 1u << 26);
    g_assert_cmphex(eerd(d, 0), ==, 0x5452);
    while (sock_recv(d, got, sizeof(got), 100) >= 0) {
    }
    qtest_memwrite(s, TX_BUF, f, n);
    tx_setup(d);
    tx_put(d, TX_BUF, legacy(n, 0, 0x01 | 0x08, 0, 0));
    tx_kick(d);
    g_assert_cmpint(sock_recv(d, got, sizeof(got), 5000), ==, (int)n);
    g_assert_cmpmem(got, n, f, n);
    /* Unknown registers read 0, odd-sized accesses are refused without harm. */
    g_assert_cmphex(rd(d, 0x1fffc), ==, 0);
    qtest_writeb(s, MMIO + IMS, 0xff);
    qtest_readw(s, MMIO + STATUS);
    dev_free(d);
}

/* fw_cfg file @name (docs/specs/fw_cfg: the directory at key 0x19, big-endian). */
static char *fw_cfg_file(QTestState *s, const char *name)
{
    uint8_t e[64];
    qtest_outw(s, 0x510, 0x19);
    for (int j = 0; j < 4; j++) {
        e[j] = qtest_inb(s, 0x511);
    }
    uint32_t count = (uint32_t)e[0] << 24 | e[1] << 16 | e[2] << 8 | e[3];
    int key = -1;
    uint32_t size = 0;
    for (uint32_t i = 0; i < count && i < 0x1000; i++) {
        for (int j = 0; j < 64; j++) {
            e[j] = qtest_inb(s, 0x511);
        }
        if (!strncmp((const char *)e + 8, name, 56)) {
            size = (uint32_t)e[0] << 24 | e[1] << 16 | e[2] << 8 | e[3];
            key = e[4] << 8 | e[5];
        }
    }
    if (key < 0) {
        return NULL;
    }
    char *data = g_malloc0(size + 1);
    qtest_outw(s, 0x510, key);
    for (uint32_t i = 0; i < size; i++) {
        data[i] = qtest_inb(s, 0x511);
    }
    return data;
}

/*
 * Random descriptors, contexts and ring registers (fixed seed), run under
 * ASan in CI: whatever the guest writes, emu must stay up and the device must
 * still answer.
 */
static void test_fuzz_rings(void)
{
    Dev *d = dev_start(false, NULL);
    GRand *r = g_rand_new_with_seed(0xe1000);
    QTestState *s = d->s;

    qtest_memset(s, TX_BUF, 0x5a, 0x20000);
    tx_setup(d);
    for (int round = 0; round < 300; round++) {
        for (int i = 0; i < NDESC; i++) {
            uint64_t q0 = ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
            uint64_t q1 = ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
            if (g_rand_int_range(r, 0, 4)) {
                q0 &= 0x3ffffff;                /* mostly inside the 64 MiB of RAM */
            }
            if (g_rand_boolean(r)) {
                q1 &= ~(0xfffffull);            /* mostly short buffers */
                q1 |= g_rand_int_range(r, 0, 3000);
            }
            qtest_writeq(s, TX_RING + i * 16, q0);
            qtest_writeq(s, TX_RING + i * 16 + 8, q1);
        }
        if (round % 7 == 0) {
            wr(d, CTRL, g_rand_boolean(r) ? 1u << 30 : 0);
        }
        wr(d, TDH, g_rand_int_range(r, 0, round % 10 ? NDESC : 0x10000));
        wr(d, TDT, g_rand_int_range(r, 0, round % 11 ? NDESC : 0x10000));
    }
    g_assert_true(rd(d, STATUS) & 2);
    g_assert_cmphex(eerd(d, 1), ==, 0xab00);
    g_rand_free(r);
    dev_free(d);

    /* Receive: random descriptors and RCTL, frames of random length. */
    d = dev_start(true, NULL);
    s = d->s;
    r = g_rand_new_with_seed(0x82540);
    uint8_t f[2048];
    for (int round = 0; round < 100; round++) {
        for (int i = 0; i < NDESC; i++) {
            uint64_t a = ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
            qtest_writeq(s, RX_RING + i * 16, g_rand_int_range(r, 0, 4) ? a & 0x3ffffff : a);
        }
        wr(d, RCTL, (g_rand_int(r) & 0x0607f33a) | 0x2 | 0x8);
        wr(d, RDH, g_rand_int_range(r, 0, round % 9 ? NDESC : 0x10000));
        wr(d, RDT, g_rand_int_range(r, 0, NDESC));
        size_t n = g_rand_int_range(r, 1, sizeof(f));
        for (size_t i = 0; i < n; i++) {
            f[i] = g_rand_int(r);
        }
        sock_send(d, f, n);
        rd(d, ICR);
    }
    g_usleep(100000);
    g_assert_true(rd(d, STATUS) & 2);
    g_assert_cmphex(eerd(d, 2), ==, 0xefcd);
    g_rand_free(r);
    dev_free(d);
}

static void test_bootindex(void)
{
    QTestState *s = qtest_initf("-machine pc -device e1000,addr=%02x.0,bootindex=3", SLOT);
    g_assert_cmphex(cfg_readw(s, DEV, PCI_DEVICE_ID), ==, 0x100e);
    g_autofree char *order = fw_cfg_file(s, "bootorder");
    g_assert_nonnull(order);
    g_assert_cmpstr(order, ==, "/pci@i0cf8/ethernet@4/ethernet-phy@0\n");
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/e1000/ids", test_ids);
    g_test_add_func("/e1000/eeprom-eerd", test_eeprom_eerd);
    g_test_add_func("/e1000/eeprom-bitbang", test_eeprom_bitbang);
    g_test_add_func("/e1000/phy", test_phy);
    g_test_add_func("/e1000/interrupts", test_interrupts);
    g_test_add_func("/e1000/interrupts-unmitigated", test_interrupts_unmitigated);
    g_test_add_func("/e1000/interrupt-delay", test_interrupt_delay);
    g_test_add_func("/e1000/tx-legacy", test_tx_legacy);
    g_test_add_func("/e1000/tx-csum-offload", test_tx_csum_offload);
    g_test_add_func("/e1000/tx-tso", test_tx_tso);
    g_test_add_func("/e1000/rx", test_rx);
    g_test_add_func("/e1000/rx-multi-and-full", test_rx_multi_and_full);
    g_test_add_func("/e1000/rx-csum-offload", test_rx_csum_offload);
    g_test_add_func("/e1000/rx-overrun-threshold", test_rx_overrun_threshold);
    g_test_add_func("/e1000/hostile", test_hostile);
    g_test_add_func("/e1000/fuzz-rings", test_fuzz_rings);
    g_test_add_func("/e1000/bootindex", test_bootindex);
    return g_test_run();
}
