/*
 * A small virtio-pci driver for the qtests, written from the virtio 1.2
 * specification: the PCI capability walk and BAR placement (§4.1.4), device
 * status and feature negotiation (§3.1.1, §2.1, §2.2), queue setup through
 * the common configuration (§4.1.4.3), split rings (§2.7) and packed rings
 * (§2.8), notifications (§4.1.4.4), used-entry polling and MSI-X vectors
 * (§4.1.5.1.2, PCI 3.0 §6.8.2).
 *
 * Queue q's rings sit at QVIRTIO_RINGS + q * QVIRTIO_RING_STRIDE: descriptor
 * table (or packed ring) +0, driver area ("avail") +0x4000, device area
 * ("used") +0x8000. Tests keep their buffers at 0x200000 and above.
 */
#ifndef TESTS_QTEST_LIBQVIRTIO_H
#define TESTS_QTEST_LIBQVIRTIO_H

#include "pci-helpers.h"

#define QVIRTIO_BAR4 0xfe000000ull          /* the modern (memory) BAR */
#define QVIRTIO_MSIX_BAR 0xfebf0000u        /* BAR 1: MSI-X table */
#define QVIRTIO_IOBASE 0xc000               /* BAR 0: legacy I/O, if any */
#define QVIRTIO_RINGS 0x100000ull
#define QVIRTIO_RING_STRIDE 0x10000ull
#define QVIRTIO_AVAIL_OFF 0x4000
#define QVIRTIO_USED_OFF 0x8000
#define QVIRTIO_MAXQ 16
#define QVIRTIO_MAX_IDS 256                 /* packed buffer ids tracked */

/* §6: reserved feature bits */
#define VIRTIO_F_INDIRECT (1ull << 28)
#define VIRTIO_F_EVENT_IDX (1ull << 29)
#define VIRTIO_F_VERSION_1 (1ull << 32)
#define VIRTIO_F_ACCESS_PLATFORM (1ull << 33)
#define VIRTIO_F_RING_PACKED (1ull << 34)

/* §2.1 device status */
#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 0x40

/* §2.7.5 / §2.8.1 descriptor flags */
#define D_NEXT 1
#define D_WRITE 2
#define D_INDIRECT 4
#define D_AVAIL (1 << 7)
#define D_USED (1 << 15)

/* §4.1.4 capability types and common configuration offsets (§4.1.4.3) */
enum {
    QVIRTIO_CAP_COMMON = 1, QVIRTIO_CAP_NOTIFY = 2, QVIRTIO_CAP_ISR = 3,
    QVIRTIO_CAP_DEVICE = 4,
};
enum {
    VC_DFSELECT = 0x00, VC_DF = 0x04, VC_GFSELECT = 0x08, VC_GF = 0x0c,
    VC_MSIX_CONFIG = 0x10, VC_NUM_QUEUES = 0x12, VC_STATUS = 0x14, VC_GEN = 0x15,
    VC_Q_SELECT = 0x16, VC_Q_SIZE = 0x18, VC_Q_MSIX = 0x1a, VC_Q_ENABLE = 0x1c,
    VC_Q_NOTIFY_OFF = 0x1e, VC_Q_DESC = 0x20, VC_Q_DRIVER = 0x28, VC_Q_DEVICE = 0x30,
};

typedef struct QVirtQueue {
    uint64_t desc, avail, used;     /* packed: ring, driver area, device area */
    uint16_t size;
    /* split (§2.7): next avail index, used entries consumed, next free descriptor */
    uint16_t avail_idx, used_seen, next_desc;
    /* packed (§2.8.1): next slot to fill / to look at, and their wrap counters */
    uint16_t pk_avail, pk_used;
    bool avail_wrap, used_wrap;
    uint16_t chain_len[QVIRTIO_MAX_IDS];    /* slots taken by each buffer id */
} QVirtQueue;

typedef struct QVirtioDev {
    QTestState *s;
    uint32_t bdf;
    uint64_t common, isr, device, notify;   /* 0 when the device is legacy-only */
    uint32_t notify_mult;
    uint64_t features;              /* what the driver last asked for */
    bool legacy;                    /* status and kicks through the I/O BAR */
    char *image;                    /* a temporary file qvirtio_free deletes, or NULL */
    QVirtQueue vq[QVIRTIO_MAXQ];
} QVirtioDev;

typedef struct QVirtioBuf {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;                 /* D_WRITE, D_INDIRECT */
} QVirtioBuf;

/* Start emu with @args and place the BARs of the device in @slot. */
QVirtioDev *qvirtio_start(int slot, const char *args);
/* The same for an emu already running. */
QVirtioDev *qvirtio_attach(QTestState *s, int slot);
/* Quit emu, delete d->image if set and free @d. */
void qvirtio_free(QVirtioDev *d);

/* Offset of the vendor capability of cfg_type @type (0: none). */
uint8_t qvirtio_cap_of_type(QVirtioDev *d, uint8_t type);

uint8_t qvirtio_status(QVirtioDev *d);
void qvirtio_set_status(QVirtioDev *d, uint8_t v);
uint64_t qvirtio_host_features(QVirtioDev *d);
/* §3.1.1 steps 1-6; whether FEATURES_OK stuck. */
bool qvirtio_negotiate(QVirtioDev *d, uint64_t features);
void qvirtio_driver_ok(QVirtioDev *d);
/* Negotiate VERSION_1 | @features, set up @nq split queues of @size, DRIVER_OK. */
void qvirtio_go(QVirtioDev *d, uint64_t features, unsigned nq, uint16_t size);

/* Program and enable queue @q at its default place (split or packed layout). */
void qvirtio_setup_queue(QVirtioDev *d, unsigned q, uint16_t size, uint16_t vector);

/* ---- split rings (§2.7) ---- */
void qvirtio_set_desc(QVirtioDev *d, uint64_t table, unsigned i, uint64_t addr,
                      uint32_t len, uint16_t flags, uint16_t next);
/* Put @head in the available ring of @q and publish the index. */
void qvirtio_avail_push(QVirtioDev *d, unsigned q, uint16_t head);
/* Chain @n buffers from the next free descriptors, make it available; its head. */
uint16_t qvirtio_add_chain(QVirtioDev *d, unsigned q, const QVirtioBuf *b, unsigned n,
                           bool notify);
void qvirtio_kick(QVirtioDev *d, unsigned q);
/* The next used entry of @q if there is one now. */
bool qvirtio_get_used(QVirtioDev *d, unsigned q, uint32_t *id, uint32_t *len);
/* The same, polling up to @ms milliseconds of host time. */
bool qvirtio_try_used(QVirtioDev *d, unsigned q, uint32_t *id, uint32_t *len, int ms);
/* Wait up to 10 s for the next used entry, check its id is @head; its len. */
uint32_t qvirtio_wait_used(QVirtioDev *d, unsigned q, uint32_t head);

/* ---- packed rings (§2.8) ---- */
void qvirtio_packed_write_desc(QVirtioDev *d, uint64_t a, uint64_t addr, uint32_t len,
                               uint16_t id, uint16_t flags);
/* Make @n buffers available as one chain with buffer id @id, head flags last. */
void qvirtio_packed_post(QVirtioDev *d, unsigned q, const QVirtioBuf *b, unsigned n,
                         uint16_t id, bool notify);
bool qvirtio_packed_used_ready(QVirtioDev *d, unsigned q);
/* Wait up to 10 s for the next used descriptor: its buffer id; *len its length. */
uint16_t qvirtio_packed_wait_used(QVirtioDev *d, unsigned q, uint32_t *len);

/*
 * Enable MSI-X with @nvec vectors: vector v writes @data_base + v to
 * @msg_addr + 4 * v (guest RAM, where a message lands as an ordinary write).
 */
void qvirtio_msix_setup(QVirtioDev *d, unsigned nvec, uint64_t msg_addr, uint32_t data_base);

/* Device-specific configuration (§4.1.4.6). */
uint8_t qvirtio_config_readb(QVirtioDev *d, uint32_t off);
uint16_t qvirtio_config_readw(QVirtioDev *d, uint32_t off);
uint32_t qvirtio_config_readl(QVirtioDev *d, uint32_t off);
uint64_t qvirtio_config_readq(QVirtioDev *d, uint32_t off);

/*
 * A raw disk image for virtio-blk tests: a new temporary file (@tmpl as for
 * g_file_open_tmp) of @size bytes, byte i = @pattern(i); its path.
 */
char *qvirtio_image_new(const char *tmpl, size_t size, uint8_t (*pattern)(uint64_t));
/* @len bytes at @off of the file @path, read with POSIX calls (the oracle). */
void qvirtio_image_read(const char *path, uint64_t off, void *buf, size_t len);

#endif
