/*
 * Hostile-guest test for the virtio core: a driver for virtio-blk-pci and
 * virtio-net-pci over the modern PCI interface (virtio 1.2 §4.1.4) that, after
 * one good request per device, submits malformed rings: looping chains,
 * chains longer than the queue, buffers beyond RAM, in MMIO holes and in ROM,
 * lengths 0 and 0xffffffff, an avail index far ahead of the ring, bad indirect
 * tables, an RX buffer shorter than the net header. After each case the
 * device status must show (or not show) NEEDS_RESET as the spec's "device
 * MUST/MAY" rules and emu's validation say (§2.1.2, §2.7.5, §2.7.4.2);
 * then the driver resets the device, renegotiates and does the good request
 * again to prove the device still works.
 *
 * The test expects (tests/functional/test_guests_tcg.py):
 *   -m 128M -drive if=none,id=d0,format=raw,file=DISK (sector 0 = pattern())
 *   -device virtio-blk-pci,drive=d0 -netdev user,id=n0,ipv6=off
 *   -device virtio-net-pci,netdev=n0
 * Nothing else programs the BARs (multiboot, no firmware): this guest does.
 */
#include "libguest.h"

#define TIMEOUT 20000000000ull          /* TSC cycles to wait for a device */
#define QSZ 16                          /* queue size the driver picks */

/* Status bits (§2.1). */
#define S_ACK           1
#define S_DRIVER        2
#define S_DRIVER_OK     4
#define S_FEATURES_OK   8
#define S_NEEDS_RESET   0x40

/* Descriptor flags (§2.7.5). */
#define F_NEXT          1
#define F_WRITE         2
#define F_INDIRECT      4

#define FEAT_INDIRECT   28
#define FEAT_VERSION_1  32

/* Common configuration layout (§4.1.4.3). */
#define CC_DFSELECT     0x00
#define CC_DF           0x04
#define CC_GFSELECT     0x08
#define CC_GF           0x0c
#define CC_STATUS       0x14
#define CC_QSEL         0x16
#define CC_QSIZE        0x18
#define CC_QENABLE      0x1c
#define CC_QNOTIFY_OFF  0x1e
#define CC_QDESC        0x20
#define CC_QDRIVER      0x28
#define CC_QDEVICE      0x30

#define NET_HDR         12              /* VERSION_1: with num_buffers (§5.1.6) */
#define BEYOND_RAM      0x4000000000ull /* 256 GiB */

typedef struct VDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VDesc;

typedef struct Ring {
    VDesc *desc;
    volatile uint16_t *avail;           /* flags, idx, ring[QSZ], used_event */
    volatile uint32_t *used;            /* flags|idx, {id, len}[QSZ] */
    uint16_t avail_idx, used_seen;
    uint16_t notify_off;
} Ring;

typedef struct VDev {
    const char *name;
    int slot;
    uintptr_t bar;                      /* BAR 4, assigned here */
    uintptr_t common, isr, device, notify;
    uint32_t notify_mult;
    unsigned nq;
    Ring q[2];
} VDev;

/* One page per ring, 16 pages of buffers per device. */
static uint8_t ring_mem[2][2][4096] __attribute__((aligned(4096)));
static uint8_t buf_mem[2][16][4096] __attribute__((aligned(4096)));

static uint64_t ram_end;
static unsigned ncases;

/* ---- PCI ---- */

static int find_dev(uint16_t legacy_id, uint16_t modern_id)
{
    for (int d = 0; d < 32; d++) {
        uint32_t id = pci_cfg_read(d, 0);
        if (id == ((uint32_t)legacy_id << 16 | 0x1af4) ||
            id == ((uint32_t)modern_id << 16 | 0x1af4)) {
            return d;
        }
    }
    return -1;
}

/* Map BAR 4 at @base and find the four capabilities (§4.1.4). */
static bool map_dev(VDev *v, uintptr_t base)
{
    int d = v->slot;
    pci_cfg_write(d, 0x04, 0);
    pci_cfg_write(d, 0x20, 0xffffffff);
    uint32_t sz = ~(pci_cfg_read(d, 0x20) & ~0xfu) + 1;
    pci_cfg_write(d, 0x20, (uint32_t)base);
    pci_cfg_write(d, 0x24, 0);
    pci_cfg_write(d, 0x14, (uint32_t)base + 0x10000);      /* BAR 1: MSI-X, unused */
    pci_cfg_write(d, 0x04, 0x6);            /* memory, bus master */
    v->bar = base;
    check(sz && sz <= 0x100000, "%s: BAR 4 is %#x bytes", v->name, sz);
    int found = 0;
    for (int cap = pci_cfg_read(d, 0x34) & 0xfc; cap; cap = (pci_cfg_read(d, cap) >> 8) & 0xfc) {
        uint32_t w0 = pci_cfg_read(d, cap);
        if ((w0 & 0xff) != 0x09) {      /* vendor-specific */
            continue;
        }
        uint8_t type = w0 >> 24;
        uint8_t bar = pci_cfg_read(d, cap + 4) & 0xff;
        uint32_t off = pci_cfg_read(d, cap + 8);
        if (bar != 4) {
            continue;
        }
        switch (type) {
        case 1: v->common = base + off; found |= 1; break;
        case 2:
            v->notify = base + off;
            v->notify_mult = pci_cfg_read(d, cap + 16);
            found |= 2;
            break;
        case 3: v->isr = base + off; found |= 4; break;
        case 4: v->device = base + off; found |= 8; break;
        }
    }
    check(found == 15, "%s: common, notify, ISR and device capabilities (%#x)", v->name,
          found);
    return found == 15;
}

/* ---- the driver (§3.1.1) ---- */

static uint8_t get_status(VDev *v)
{
    return mmio_read8(v->common + CC_STATUS);
}

static void set_status(VDev *v, uint8_t s)
{
    mmio_write8(v->common + CC_STATUS, s);
}

/* The ring's page holds its descriptors, avail and used rings: clear them all. */
static void ring_clear(Ring *r)
{
    memset(r->desc, 0, 4096);
    r->avail_idx = r->used_seen = 0;
}

/* Reset, negotiate VERSION_1 + INDIRECT_DESC, set up the queues, DRIVER_OK. */
static bool dev_init(VDev *v, uint64_t desc_override)
{
    set_status(v, 0);
    if (get_status(v) != 0) {
        return false;
    }
    set_status(v, S_ACK | S_DRIVER);
    mmio_write32(v->common + CC_DFSELECT, 0);
    uint32_t lo = mmio_read32(v->common + CC_DF);
    mmio_write32(v->common + CC_DFSELECT, 1);
    uint32_t hi = mmio_read32(v->common + CC_DF);
    if (!(hi & 1) || !(lo & (1u << FEAT_INDIRECT))) {
        return false;
    }
    mmio_write32(v->common + CC_GFSELECT, 0);
    mmio_write32(v->common + CC_GF, 1u << FEAT_INDIRECT);
    mmio_write32(v->common + CC_GFSELECT, 1);
    mmio_write32(v->common + CC_GF, 1);                 /* VERSION_1 */
    set_status(v, S_ACK | S_DRIVER | S_FEATURES_OK);
    if (!(get_status(v) & S_FEATURES_OK)) {
        return false;
    }
    for (unsigned i = 0; i < v->nq; i++) {
        Ring *r = &v->q[i];
        ring_clear(r);
        uint64_t desc = i == v->nq - 1 && desc_override ? desc_override
                                                        : (uintptr_t)r->desc;
        mmio_write16(v->common + CC_QSEL, i);
        mmio_write16(v->common + CC_QSIZE, QSZ);
        if (mmio_read16(v->common + CC_QSIZE) != QSZ) {
            return false;
        }
        mmio_write32(v->common + CC_QDESC, (uint32_t)desc);
        mmio_write32(v->common + CC_QDESC + 4, desc >> 32);
        mmio_write32(v->common + CC_QDRIVER, (uint32_t)(uintptr_t)r->avail);
        mmio_write32(v->common + CC_QDRIVER + 4, 0);
        mmio_write32(v->common + CC_QDEVICE, (uint32_t)(uintptr_t)r->used);
        mmio_write32(v->common + CC_QDEVICE + 4, 0);
        r->notify_off = mmio_read16(v->common + CC_QNOTIFY_OFF);
        mmio_write16(v->common + CC_QENABLE, 1);
    }
    set_status(v, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    return get_status(v) == (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

static void set_desc(Ring *r, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    r->desc[i] = (VDesc){ .addr = addr, .len = len, .flags = flags, .next = next };
}

/* Put @head in the avail ring, publish it (§2.7.13) and notify queue @qi. */
static void kick(VDev *v, unsigned qi, uint16_t head)
{
    Ring *r = &v->q[qi];
    r->avail[2 + r->avail_idx % QSZ] = head;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    r->avail[1] = ++r->avail_idx;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    mmio_write16(v->notify + (uintptr_t)r->notify_off * v->notify_mult, qi);
}

/* Wait for the next used entry of queue @qi: its length, or -1 on timeout. */
static int64_t wait_used(VDev *v, unsigned qi, uint32_t *id)
{
    Ring *r = &v->q[qi];
    uint64_t t0 = rdtsc();
    while ((uint16_t)(r->used[0] >> 16) == r->used_seen) {
        if (rdtsc() - t0 > TIMEOUT || (get_status(v) & S_NEEDS_RESET)) {
            return -1;
        }
        pause();
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    unsigned slot = r->used_seen++ % QSZ;
    if (id) {
        *id = r->used[1 + 2 * slot];
    }
    return r->used[2 + 2 * slot];
}

/* ---- virtio-blk (§5.2.6) ---- */

static uint8_t pattern(unsigned i)
{
    static const char magic[] = "emu virtio-hostile disk";
    return i < sizeof(magic) - 1 ? (uint8_t)magic[i] : (uint8_t)(i * 37 + 11);
}

static VDev blk = { .name = "virtio-blk", .nq = 1 };
static VDev net = { .name = "virtio-net", .nq = 2 };

/* Buffer @n of device @v. */
static uint8_t *bufp(VDev *v, unsigned n)
{
    return buf_mem[v == &net][n];
}

static uint64_t bufa(VDev *v, unsigned n)
{
    return (uintptr_t)bufp(v, n);
}

/* A read request header for @sector in buffer 0. */
static void blk_hdr(uint32_t type, uint64_t sector)
{
    uint8_t *h = bufp(&blk, 0);
    memset(h, 0, 16);
    memcpy(h, &type, 4);
    memcpy(h + 8, &sector, 8);
}

/* Read @sector into buffer 1 (@len bytes); status byte in buffer 2. -1: no answer. */
static int blk_read(uint64_t sector, uint32_t len, int64_t *used_len)
{
    Ring *r = &blk.q[0];
    blk_hdr(0, sector);
    memset(bufp(&blk, 1), 0xcc, 4096);
    bufp(&blk, 2)[0] = 0xee;
    set_desc(r, 0, bufa(&blk, 0), 16, F_NEXT, 1);
    set_desc(r, 1, bufa(&blk, 1), len, F_NEXT | F_WRITE, 2);
    set_desc(r, 2, bufa(&blk, 2), 1, F_WRITE, 0);
    kick(&blk, 0, 0);
    uint32_t id;
    int64_t l = wait_used(&blk, 0, &id);
    if (used_len) {
        *used_len = l;
    }
    return l < 0 || id != 0 ? -1 : bufp(&blk, 2)[0];
}

static bool blk_good(void)
{
    int64_t len;
    int st = blk_read(0, 512, &len);
    bool same = true;
    for (unsigned i = 0; i < 512; i++) {
        same &= bufp(&blk, 1)[i] == pattern(i);
    }
    return st == 0 && len == 513 && same;
}

/* ---- virtio-net (§5.1.6) ---- */

static uint8_t mac[6];

static void put16be(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

/* An ARP request for 10.0.2.2 (slirp's gateway) in buffer 0, after the header. */
static unsigned net_arp_frame(void)
{
    static const uint8_t me[4] = { 10, 0, 2, 15 }, gw[4] = { 10, 0, 2, 2 };
    uint8_t *b = bufp(&net, 0);
    memset(b, 0, NET_HDR + 60);
    uint8_t *f = b + NET_HDR;
    memset(f, 0xff, 6);
    memcpy(f + 6, mac, 6);
    put16be(f + 12, 0x0806);
    put16be(f + 14, 1);                 /* Ethernet */
    put16be(f + 16, 0x0800);            /* IPv4 */
    f[18] = 6;
    f[19] = 4;
    put16be(f + 20, 1);                 /* request */
    memcpy(f + 22, mac, 6);
    memcpy(f + 28, me, 4);
    memcpy(f + 38, gw, 4);
    return NET_HDR + 42;
}

/* Post receive buffer @n (@len bytes) as descriptor @d of the RX queue. */
static void net_post_rx(unsigned d, uint64_t addr, uint32_t len)
{
    set_desc(&net.q[0], d, addr, len, F_WRITE, 0);
    kick(&net, 0, d);
}

static bool net_send_arp(void)
{
    set_desc(&net.q[1], 0, bufa(&net, 0), net_arp_frame(), 0, 0);
    kick(&net, 1, 0);
    uint32_t id;
    return wait_used(&net, 1, &id) >= 0 && id == 0;
}

/* Send an ARP request to the gateway and receive its reply. */
static bool net_good(void)
{
    net_post_rx(0, bufa(&net, 1), 2048);
    if (!net_send_arp()) {
        return false;
    }
    for (int tries = 0; tries < 8; tries++) {
        uint32_t id;
        int64_t len = wait_used(&net, 0, &id);
        if (len < 0) {
            return false;
        }
        const uint8_t *f = bufp(&net, 1) + NET_HDR;
        if (len >= NET_HDR + 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2 &&
            !memcmp(f, mac, 6) && f[28] == 10 && f[29] == 0 && f[30] == 2 && f[31] == 2 &&
            !memcmp(f + 22, f + 6, 6) && !memcmp(f + 32, mac, 6)) {
            return true;
        }
        net_post_rx(0, bufa(&net, 1), 2048);   /* something else: wait on */
    }
    return false;
}

/* ---- the cases ---- */

typedef enum { EXPECT_RESET, EXPECT_OK } Expect;

static bool good_request(VDev *v)
{
    return v == &blk ? blk_good() : net_good();
}

/* The queue that takes requests: blk's only queue, net's transmit queue. */
static unsigned req_q(VDev *v)
{
    return v == &blk ? 0 : 1;
}

/*
 * A chain's first descriptor: a read header for blk (so that the device would
 * accept it), a net header and frame for net.
 */
static void head_desc(VDev *v, unsigned i, uint16_t flags, uint16_t next)
{
    if (v == &blk) {
        blk_hdr(0, 0);
        set_desc(&v->q[0], i, bufa(v, 0), 16, flags, next);
    } else {
        set_desc(&v->q[1], i, bufa(v, 0), net_arp_frame(), flags, next);
    }
}

/* After a case: the status, then reset, renegotiate and the good request again. */
static void finish(VDev *v, const char *name, Expect e, bool extra_ok, const char *extra)
{
    uint8_t st = get_status(v);
    if (e == EXPECT_RESET) {
        uint64_t t0 = rdtsc();
        /* Bad rings are found at the notify write: a short wait is plenty. */
        while (!(st & S_NEEDS_RESET) && rdtsc() - t0 < TIMEOUT / 10) {
            pause();
            st = get_status(v);
        }
    }
    bool want = e == EXPECT_RESET;
    bool st_ok = !!(st & S_NEEDS_RESET) == want;
    bool init_ok = dev_init(v, 0);
    bool good = init_ok && good_request(v);
    bool ok = st_ok && extra_ok && init_ok && good;
    ncases++;
    printf("%s: %-44s status 0x%02x (%s) %s%s-> reset, good request %s: %s\n", v->name,
           name, st, want ? "NEEDS_RESET" : "no reset", extra ? extra : "",
           extra ? " " : "", good ? "ok" : "FAILED", ok ? "ok" : "MISMATCH");
    check(ok, "%s: %s", v->name, name);
    if (!good) {
        guest_done();           /* the device is gone: the rest would only time out */
    }
}

/* Buffer page @page as a descriptor table (for the indirect cases). */
static VDesc *table(VDev *v, unsigned page)
{
    return (VDesc *)bufp(v, page);
}

static void hostile_chains(VDev *v)
{
    unsigned qi = req_q(v);
    Ring *r = &v->q[qi];
    uint64_t filler = bufa(v, 3);
    uint16_t w = v == &blk ? F_WRITE : 0;       /* a data descriptor's direction */

    /* A loop: 0 -> 1 -> 0 (§2.7.5.1: loops in a chain are forbidden). */
    head_desc(v, 0, F_NEXT, 1);
    set_desc(r, 1, filler, 16, F_NEXT, 0);
    kick(v, qi, 0);
    finish(v, "chain 0 -> 1 -> 0 loops", EXPECT_RESET, true, NULL);

    /* Every descriptor, then back to the head: longer than the queue. */
    head_desc(v, 0, F_NEXT, 1);
    for (unsigned i = 1; i < QSZ; i++) {
        set_desc(r, i, filler, 16, F_NEXT, (i + 1) % QSZ);
    }
    kick(v, qi, 0);
    finish(v, "chain of all 16 descriptors and on", EXPECT_RESET, true, NULL);

    /* A next index beyond the queue. */
    head_desc(v, 0, F_NEXT, 0x1234);
    kick(v, qi, 0);
    finish(v, "next = 0x1234 beyond the queue", EXPECT_RESET, true, NULL);

    /* Buffers outside RAM. */
    static const struct {
        const char *name;
        uint64_t addr;          /* 0: the end of RAM */
        uint32_t len;
        bool write;
    } bufs[] = {
        { "buffer at 256 GiB, beyond RAM", BEYOND_RAM, 512, false },
        { "buffer across the end of RAM", 0, 512, false },
        { "buffer in the I/O APIC (MMIO)", 0xfec00000, 64, false },
        { "writable buffer in the PCI hole", 0xd0000000, 512, true },
        { "writable buffer in the BIOS ROM", 0xffff0000, 512, true },
        { "buffer at 2^64 - 4K, 8K long (wraps)", 0xfffffffffffff000ull, 8192, false },
    };
    for (unsigned i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
        uint64_t a = bufs[i].addr ? bufs[i].addr : ram_end - 256;
        if (bufs[i].write && v == &net) {
            /* RX takes writable buffers: post it there, the ARP reply fills it. */
            net_post_rx(0, a, bufs[i].len);
            net_send_arp();
            finish(v, bufs[i].name, EXPECT_RESET, true, NULL);
            continue;
        }
        if (v == &blk && bufs[i].write) {
            head_desc(v, 0, F_NEXT, 1);
            set_desc(r, 1, a, bufs[i].len, F_WRITE, 0);
        } else {
            set_desc(r, 0, a, bufs[i].len, 0, 0);
        }
        kick(v, qi, 0);
        finish(v, bufs[i].name, EXPECT_RESET, true, NULL);
    }

    /* Lengths 0 and 0xffffffff in RAM. */
    head_desc(v, 0, F_NEXT, 1);
    set_desc(r, 1, filler, 0, w, 0);
    kick(v, qi, 0);
    finish(v, "descriptor of length 0", EXPECT_RESET, true, NULL);
    head_desc(v, 0, F_NEXT, 1);
    set_desc(r, 1, filler, 0xffffffff, w, 0);
    kick(v, qi, 0);
    finish(v, "descriptor of length 0xffffffff", EXPECT_RESET, true, NULL);

    /* The avail index 1000 entries ahead of the ring (§2.7.6). */
    head_desc(v, 0, 0, 0);
    r->avail[2] = 0;
    r->avail_idx = 1000;
    r->avail[1] = 1000;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    mmio_write16(v->notify + (uintptr_t)r->notify_off * v->notify_mult, qi);
    finish(v, "avail idx 1000 ahead of the ring", EXPECT_RESET, true, NULL);

    /* A head index beyond the queue. */
    kick(v, qi, 0x8000);
    finish(v, "avail ring entry 0x8000 beyond the queue", EXPECT_RESET, true, NULL);

    /* Indirect tables (§2.7.5.3). */
    VDesc *t = table(v, 4);
    static const struct {
        const char *name;
        uint32_t len;
        uint16_t flags;
        int kind;               /* 0 loop, 1 nested, 2 beyond RAM */
    } ind[] = {
        { "indirect table looping 0 -> 1 -> 0", 32, F_INDIRECT, 0 },
        { "indirect table of 24 bytes (not n * 16)", 24, F_INDIRECT, 0 },
        { "indirect table of 0 bytes", 0, F_INDIRECT, 0 },
        { "indirect table of 0xfffffff0 bytes", 0xfffffff0, F_INDIRECT, 0 },
        { "indirect descriptor with NEXT", 32, F_INDIRECT | F_NEXT, 0 },
        { "indirect table inside an indirect table", 32, F_INDIRECT, 1 },
        { "indirect table beyond RAM", 32, F_INDIRECT, 2 },
        { "indirect chain with next 7 beyond its 2 entries", 32, F_INDIRECT, 3 },
    };
    for (unsigned i = 0; i < sizeof(ind) / sizeof(ind[0]); i++) {
        memset(t, 0, 4096);
        t[0] = (VDesc){ filler, 16, F_NEXT, 1 };
        t[1] = (VDesc){ filler, 16, F_NEXT, 0 };
        if (ind[i].kind == 1) {
            t[0] = (VDesc){ bufa(v, 5), 32, F_INDIRECT, 0 };
        } else if (ind[i].kind == 3) {
            t[1].next = 7;
        }
        uint64_t ta = ind[i].kind == 2 ? BEYOND_RAM : (uintptr_t)t;
        set_desc(r, 0, ta, ind[i].len, ind[i].flags, 1);
        set_desc(r, 1, filler, 16, 0, 0);
        kick(v, qi, 0);
        finish(v, ind[i].name, EXPECT_RESET, true, NULL);
    }

    /* A descriptor table (the ring itself) beyond RAM. */
    bool init = dev_init(v, BEYOND_RAM);
    r->avail[2] = 0;
    r->avail[1] = ++r->avail_idx;
    mmio_write16(v->notify + (uintptr_t)r->notify_off * v->notify_mult, qi);
    finish(v, "descriptor table at 256 GiB", EXPECT_RESET, init, NULL);

    /* Device-readable after device-writable (§2.7.4.2). */
    head_desc(v, 0, F_NEXT | F_WRITE, 1);
    set_desc(r, 1, filler, 16, 0, 0);
    kick(v, qi, 0);
    finish(v, "readable descriptor after a writable one", EXPECT_RESET, true, NULL);
}

static void hostile_blk(void)
{
    int64_t len;
    char what[64];

    /* A request without the status byte (§5.2.6). */
    head_desc(&blk, 0, 0, 0);
    kick(&blk, 0, 0);
    finish(&blk, "request without a status byte", EXPECT_RESET, true, NULL);

    /* Well-formed rings with bad requests: an I/O error, the device lives on. */
    static const struct {
        const char *name;
        uint64_t sector;
        uint32_t len;
    } io[] = {
        { "read at sector 2^63", 1ull << 63, 512 },
        { "read at sector 2^64 - 1", ~0ull, 512 },
        { "read of 1000 bytes (not whole sectors)", 0, 1000 },
        { "read past the end of the disk", 2047, 1024 },
    };
    for (unsigned i = 0; i < sizeof(io) / sizeof(io[0]); i++) {
        int st = blk_read(io[i].sector, io[i].len, &len);
        snprintf(what, sizeof(what), "(request status %d, used len %ld)", st, (long)len);
        finish(&blk, io[i].name, EXPECT_OK, st == 1 && len == 1, what);
    }
}

static void hostile_net(void)
{
    Ring *tx = &net.q[1];
    char what[64];

    /* A transmit chain shorter than the 12-byte header (§5.1.6.2). */
    set_desc(tx, 0, bufa(&net, 0), 4, 0, 0);
    kick(&net, 1, 0);
    finish(&net, "transmit chain of 4 bytes (< header)", EXPECT_RESET, true, NULL);

    /* A receive buffer shorter than the header: the ARP reply lands on it. */
    net_post_rx(0, bufa(&net, 1), 4);
    net_send_arp();
    finish(&net, "receive buffer of 4 bytes (< header)", EXPECT_RESET, true, NULL);

    /* A frame larger than any backend takes: dropped as a NIC does, no reset. */
    set_desc(tx, 0, 0x400000, 0x20000, 0, 0);
    kick(&net, 1, 0);
    uint32_t id;
    int64_t l = wait_used(&net, 1, &id);
    snprintf(what, sizeof(what), "(used len %ld)", (long)l);
    finish(&net, "transmit frame of 128 KiB (dropped)", EXPECT_OK, l == 0, what);
}

static void run_device(VDev *v, int slot, uintptr_t base, void (*extra)(void))
{
    v->slot = slot;
    for (unsigned i = 0; i < v->nq; i++) {
        uint8_t *m = ring_mem[v == &net][i];
        v->q[i].desc = (VDesc *)m;
        v->q[i].avail = (volatile uint16_t *)(m + 1024);
        v->q[i].used = (volatile uint32_t *)(m + 2048);
    }
    if (!map_dev(v, base)) {
        return;
    }
    bool init = dev_init(v, 0);
    check(init, "%s: reset, VERSION_1 + INDIRECT_DESC, %u queues of %u, DRIVER_OK",
          v->name, v->nq, QSZ);
    if (!init) {
        return;
    }
    if (v == &net) {
        for (int i = 0; i < 6; i++) {
            mac[i] = mmio_read8(v->device + i);
        }
    }
    bool good = good_request(v);
    printf("%s: good request (%s): %s\n", v->name,
           v == &blk ? "read sector 0, compare" : "ARP to 10.0.2.2, reply received",
           good ? "ok" : "FAILED");
    check(good, "%s: the first good request", v->name);
    if (!good) {
        return;
    }
    hostile_chains(v);
    extra();
    set_status(v, 0);
}

void test_main(void)
{
    cli();
    /* Multiboot 3.3: mem_upper (KiB above 1 MiB) is valid with flags bit 0. */
    const uint32_t *info = (const uint32_t *)(uintptr_t)mb_info;
    ram_end = 0x100000 + (uint64_t)info[2] * 1024;
    printf("virtio-hostile: RAM ends at %#lx\n", (unsigned long)ram_end);
    int b = find_dev(0x1001, 0x1042), n = find_dev(0x1000, 0x1041);
    if (b < 0 || n < 0) {
        guest_skip("needs virtio-blk-pci and virtio-net-pci on bus 0");
    }
    run_device(&blk, b, 0xe0000000, hostile_blk);
    run_device(&net, n, 0xe0100000, hostile_net);
    printf("virtio-hostile: %u cases\n", ncases);
    guest_done();
}
