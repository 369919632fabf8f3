/*
 * 82540EM transmit path (8254x SDM 3.3): the descriptor ring between TDH and
 * TDT, legacy descriptors (3.3.3) with their CSO/CSS checksum insertion, and
 * the TCP/IP context (3.3.6) and data (3.3.7) descriptors with checksum
 * offload (IXSM/TXSM) and TCP segmentation (3.5). Frames are assembled in a
 * buffer and sent to the backend at EOP; a TSO burst is cut into MSS-sized
 * frames then, each with its IP length/id, TCP sequence/flags and checksums
 * fixed up (3.5.4-3.5.6).
 *
 * Malformed descriptors are handled as the SDM leaves hardware to: a fetch
 * that fails stops the ring, a frame whose data cannot be read or that is
 * larger than the device can hold is dropped, and a TSO context whose offsets
 * do not fit its header drops the burst. Each case is logged under
 * -d guest_errors and counted.
 */
#include "e1000-regs.h"
#include "net/checksum.h"
#include "util/log.h"

static uint16_t ld16(const uint8_t *p)
{
    return p[0] | (p[1] << 8);
}

static uint32_t ld32(const uint8_t *p)
{
    return ld16(p) | ((uint32_t)ld16(p + 2) << 16);
}

static uint16_t be16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)be16(p) << 16) | be16(p + 2);
}

static void st_be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void st_be32(uint8_t *p, uint32_t v)
{
    st_be16(p, v >> 16);
    st_be16(p + 2, v);
}

static void tx_bad(E1000State *s, const char *why)
{
    emu_log_mask(LOG_GUEST_ERROR, "e1000: TX %s (TDH %u)\n", why, s->regs[TDH]);
    e1000_count_bad(s);
}

static void tx_frame_done(E1000State *s)
{
    s->tx_len = 0;
    s->tx_started = false;
    s->tx_bad = false;
    s->tx_tse = false;
    s->tx_popts = 0;
}

void e1000_tx_reset(E1000State *s)
{
    memset(&s->ctx, 0, sizeof(s->ctx));
    s->tx_legacy_ic = false;
    s->tx_vle = false;
    tx_frame_done(s);
}

/*
 * Insert the checksum of bytes css..cse (inclusive; 0 = to the end) at cso
 * (3.3.3, 3.3.6): the one's complement of the sum, the field's own contents
 * included, so software seeds it (0, or a pseudo-header sum).
 */
static void put_checksum(E1000State *s, uint8_t *buf, size_t len, unsigned cso,
                         unsigned css, unsigned cse)
{
    if (cse == 0 || cse >= len) {
        cse = len - 1;
    }
    if (css > cse || cso + 2 > len) {
        tx_bad(s, "checksum offsets outside the frame");
        return;
    }
    uint32_t sum = net_checksum_add(cse - css + 1, buf + css);
    st_be16(buf + cso, net_checksum_finish(sum));
}

/* Count a transmitted frame in the statistics registers (13.7). */
static void tx_stats(E1000State *s, const uint8_t *buf, size_t len)
{
    size_t wire = len + 4;          /* with the FCS the MAC appends */
    e1000_stat_inc(s, GPTC);
    e1000_stat_inc(s, TPT);
    e1000_stat_add64(s, GOTCL, wire);
    e1000_stat_add64(s, TOTL, wire);
    e1000_count_size(s, PTC64, wire);
    if (!memcmp(buf, "\xff\xff\xff\xff\xff\xff", 6)) {
        e1000_stat_inc(s, BPTC);
    } else if (buf[0] & 1) {
        e1000_stat_inc(s, MPTC);
    }
}

/* Hand one frame to the backend, with the 802.1Q tag if asked (3.3.3, 3.4). */
static void tx_send(E1000State *s, const uint8_t *buf, size_t len)
{
    if (len < 14) {
        tx_bad(s, "frame shorter than an Ethernet header");
        return;
    }
    if (len > E1000_RX_MAX_LPE) {
        tx_bad(s, "frame over 16 KiB; dropped");
        return;
    }
    if (s->tx_vle && (s->regs[CTRL] & CTRL_VME)) {
        uint8_t *f = s->tx_frame;
        memcpy(f, buf, 12);
        st_be16(f + 12, s->regs[VET] & 0xffff);
        st_be16(f + 14, s->tx_vlan);
        memcpy(f + 16, buf + 12, len - 12);
        buf = f;
        len += 4;
    }
    tx_stats(s, buf, len);
    qemu_send_packet(qemu_get_queue(s->nic), buf, len);
}

/* Segment the assembled TSO burst (3.5). */
static void tx_tso(E1000State *s)
{
    const E1000TxContext *c = &s->ctx;
    uint8_t *buf = s->tx_buf;
    unsigned hdr = c->hdr_len;
    bool ipv4 = c->tucmd & TUCMD_IP;
    bool tcp = c->tucmd & TUCMD_TCP;
    unsigned l4min = tcp ? 20 : 8;

    if (hdr == 0 || hdr > s->tx_len || c->mss == 0 ||
        c->ipcss + (ipv4 ? 20u : 40u) > hdr || c->tucss + l4min > hdr ||
        c->tucss < c->ipcss || c->tucso + 2u > hdr || c->ipcso + 2u > hdr) {
        tx_bad(s, "TSO context does not fit the header; burst dropped");
        return;
    }
    size_t payload = s->tx_len - hdr;
    uint16_t ip_id = be16(buf + c->ipcss + 4);
    uint32_t seq = tcp ? be32(buf + c->tucss + 4) : 0;
    uint8_t flags = tcp ? buf[c->tucss + 13] : 0;
    uint16_t seed = be16(buf + c->tucso);
    uint8_t *f = s->tx_buf + E1000_TX_MAX;   /* segment scratch after the burst */
    size_t off = 0;
    unsigned nseg = 0;

    do {
        size_t chunk = MIN((size_t)c->mss, payload - off);
        size_t flen = hdr + chunk;
        bool last = off + chunk >= payload;

        memcpy(f, buf, hdr);
        memcpy(f + hdr, buf + hdr + off, chunk);
        if (ipv4) {
            st_be16(f + c->ipcss + 2, flen - c->ipcss);
            st_be16(f + c->ipcss + 4, ip_id + nseg);
        } else {
            st_be16(f + c->ipcss + 4, flen - c->ipcss - 40);
        }
        if (tcp) {
            st_be32(f + c->tucss + 4, seq + off);
            /* FIN and PSH only on the last segment (3.5.6). */
            f[c->tucss + 13] = last ? flags : flags & ~0x09;
        } else {
            st_be16(f + c->tucss + 4, flen - c->tucss);
        }
        if (s->tx_popts & POPTS_TXSM) {
            /* Software seeded the pseudo-header without length; add it (3.5.5). */
            uint32_t l4len = flen - c->tucss;
            st_be16(f + c->tucso, net_checksum_fold((uint32_t)seed + l4len));
            put_checksum(s, f, flen, c->tucso, c->tucss, 0);
        }
        if (s->tx_popts & POPTS_IXSM) {
            put_checksum(s, f, flen, c->ipcso, c->ipcss, c->ipcse);
        }
        tx_send(s, f, flen);
        off += chunk;
        nseg++;
    } while (off < payload);
    e1000_stat_inc(s, TSCTC);
}

/* EOP: offload and send what was assembled. */
static void tx_finish(E1000State *s, bool legacy)
{
    if (s->tx_bad) {
        /* already logged */
    } else if (!legacy && s->tx_tse) {
        tx_tso(s);
    } else if (s->tx_len > E1000_RX_MAX_LPE) {
        tx_bad(s, "frame over 16 KiB without TSE; dropped");
    } else if (s->tx_len) {
        uint8_t *buf = s->tx_buf;
        size_t len = s->tx_len;
        if (legacy) {
            if (s->tx_legacy_ic) {
                put_checksum(s, buf, len, s->tx_legacy_cso, s->tx_legacy_css, 0);
            }
        } else {
            if (s->tx_popts & POPTS_TXSM) {
                put_checksum(s, buf, len, s->ctx.tucso, s->ctx.tucss, s->ctx.tucse);
            }
            if (s->tx_popts & POPTS_IXSM) {
                put_checksum(s, buf, len, s->ctx.ipcso, s->ctx.ipcss, s->ctx.ipcse);
            }
        }
        tx_send(s, buf, len);
    }
    tx_frame_done(s);
}

static void tx_append(E1000State *s, uint64_t addr, uint32_t len)
{
    if (!len || s->tx_bad) {
        return;
    }
    if (len > E1000_TX_MAX - s->tx_len) {
        tx_bad(s, "frame larger than the transmit FIFO; dropped");
        s->tx_bad = true;
        return;
    }
    if (pci_dma_read(&s->parent_obj, addr, s->tx_buf + s->tx_len, len) != MEMTX_OK) {
        tx_bad(s, "buffer outside memory; frame dropped");
        s->tx_bad = true;
        return;
    }
    s->tx_len += len;
}

static void tx_descriptor(E1000State *s, const uint8_t *d)
{
    uint8_t cmd = d[11];
    uint64_t addr = ld32(d) | ((uint64_t)ld32(d + 4) << 32);

    if (!(cmd & TXD_CMD_DEXT)) {
        /* Legacy (3.3.3): CSO, CSS and VLE count on the EOP descriptor. */
        s->tx_started = true;
        tx_append(s, addr, ld16(d + 8));
        if (cmd & TXD_CMD_EOP) {
            s->tx_legacy_ic = cmd & TXD_CMD_IC;
            s->tx_legacy_cso = d[10];
            s->tx_legacy_css = d[13];
            s->tx_vle = cmd & TXD_CMD_VLE;
            s->tx_vlan = ld16(d + 14);
            tx_finish(s, true);
        }
        return;
    }
    switch ((d[10] >> 4) & 0xf) {
    case TXD_DTYP_CTX: {
        /* TCP/IP context descriptor (3.3.6). */
        E1000TxContext *c = &s->ctx;
        c->ipcss = d[0];
        c->ipcso = d[1];
        c->ipcse = ld16(d + 2);
        c->tucss = d[4];
        c->tucso = d[5];
        c->tucse = ld16(d + 6);
        c->paylen = ld32(d + 8) & 0xfffff;
        c->tucmd = cmd;
        c->hdr_len = d[13];
        c->mss = ld16(d + 14);
        break;
    }
    case TXD_DTYP_DATA:
        /* Data descriptor (3.3.7): TSE and POPTS count on the first one. */
        if (!s->tx_started) {
            s->tx_started = true;
            s->tx_tse = cmd & TUCMD_TSE;
            s->tx_popts = d[13];
        }
        tx_append(s, addr, ld32(d + 8) & 0xfffff);
        if (cmd & TXD_CMD_EOP) {
            s->tx_vle = cmd & TXD_CMD_VLE;
            s->tx_vlan = ld16(d + 14);
            tx_finish(s, false);
        }
        break;
    default:
        tx_bad(s, "descriptor with a reserved DTYP ignored");
        break;
    }
}

void e1000_start_xmit(E1000State *s)
{
    uint32_t *r = s->regs;
    if (!(r[TCTL] & TCTL_EN)) {
        return;
    }
    uint32_t n = (r[TDLEN] & 0xfff80) / TXD_SIZE;
    uint64_t base = ((uint64_t)r[TDBAH] << 32) | (r[TDBAL] & ~0xfu);
    bool any = false, wb_now = false, wb_delayed = false;

    /* At most one lap per doorbell, whatever TDT says. */
    for (uint32_t budget = n; r[TDH] != r[TDT] && budget; budget--) {
        uint8_t d[TXD_SIZE];
        if (r[TDH] >= n) {
            tx_bad(s, "TDH beyond the ring; transmit stopped");
            break;
        }
        uint64_t da = base + (uint64_t)r[TDH] * TXD_SIZE;
        if (pci_dma_read(&s->parent_obj, da, d, sizeof(d)) != MEMTX_OK) {
            tx_bad(s, "descriptor fetch outside memory; transmit stopped");
            break;
        }
        tx_descriptor(s, d);
        any = true;
        if (d[11] & (TXD_CMD_RS | TXD_CMD_RPS)) {
            /* Write back DD in the status byte (3.3.3.2). */
            uint8_t st = d[12] | TXD_STAT_DD;
            pci_dma_write(&s->parent_obj, da + 12, &st, 1);
            /* IDE: TXDW waits for TIDV/TADV (13.4.41, 13.4.44). */
            if (d[11] & TXD_CMD_IDE) {
                wb_delayed = true;
            } else {
                wb_now = true;
            }
        }
        r[TDH] = (r[TDH] + 1) % n;
    }
    if (any && r[TDH] == r[TDT]) {
        e1000_set_ics(s, ICR_TXQE);
    }
    if (wb_now || wb_delayed) {
        e1000_tx_done_irq(s, !wb_now);
    }
}
