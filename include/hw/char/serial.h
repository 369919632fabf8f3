/*
 * 16550A UART core (National Semiconductor PC16550D datasheet, June 1995).
 *
 * SerialState is the register model shared by bus wrappers (isa-serial). The
 * wrapper embeds it, sets the IRQ line and the chardev, maps serial_io_ops over
 * 8 ports and calls serial_realize_core / serial_reset / serial_unrealize_core.
 *
 * Transmission is instant (no baud-rate pacing), as QEMU's: a byte written to
 * THR goes to the chardev right away. When the host side is full the byte stays
 * in the transmitter (TSR, then the TX FIFO) and THRE/TEMT stay clear until a
 * G_IO_OUT watch lets it continue, so flushed output is never dropped and the
 * main loop never blocks. Reception honours the programmed baud rate only for
 * the FIFO character timeout (4 character times on EMU_CLOCK_VIRTUAL).
 */
#ifndef HW_CHAR_SERIAL_H
#define HW_CHAR_SERIAL_H

#include "chardev/char.h"
#include "hw/isa/isa.h"
#include "hw/core/irq.h"
#include "system/memory.h"
#include "util/timer.h"

#define UART_FIFO_LENGTH 16

/* Register offsets (datasheet Table II); DLAB = LCR bit 7 selects DLL/DLM. */
#define UART_RBR 0      /* read, DLAB=0 */
#define UART_THR 0      /* write, DLAB=0 */
#define UART_DLL 0      /* DLAB=1 */
#define UART_IER 1      /* DLAB=0 */
#define UART_DLM 1      /* DLAB=1 */
#define UART_IIR 2      /* read */
#define UART_FCR 2      /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_ERBFI 0x01    /* received data available (and FIFO timeout) */
#define UART_IER_ETBEI 0x02    /* transmitter holding register empty */
#define UART_IER_ELSI  0x04    /* receiver line status */
#define UART_IER_EDSSI 0x08    /* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_ID     0x0e
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_CTI    0x0c
#define UART_IIR_FIFO   0xc0   /* both set when FCR0 = 1 */

#define UART_FCR_FE     0x01   /* FIFO enable */
#define UART_FCR_RFR    0x02   /* RX FIFO reset (self-clearing) */
#define UART_FCR_XFR    0x04   /* TX FIFO reset (self-clearing) */
#define UART_FCR_DMS    0x08   /* DMA mode select */
#define UART_FCR_ITL    0xc0   /* RX trigger level: 1, 4, 8, 14 */

#define UART_LCR_WLS    0x03   /* word length 5..8 */
#define UART_LCR_STB    0x04   /* 1.5 / 2 stop bits */
#define UART_LCR_PEN    0x08   /* parity */
#define UART_LCR_SBC    0x40   /* set break */
#define UART_LCR_DLAB   0x80

#define UART_MCR_DTR    0x01
#define UART_MCR_RTS    0x02
#define UART_MCR_OUT1   0x04
#define UART_MCR_OUT2   0x08
#define UART_MCR_LOOP   0x10

#define UART_LSR_DR     0x01
#define UART_LSR_OE     0x02
#define UART_LSR_PE     0x04
#define UART_LSR_FE     0x08
#define UART_LSR_BI     0x10
#define UART_LSR_THRE   0x20
#define UART_LSR_TEMT   0x40
#define UART_LSR_FIFOE  0x80
#define UART_LSR_ERRORS (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

#define UART_MSR_DCTS   0x01
#define UART_MSR_DDSR   0x02
#define UART_MSR_TERI   0x04
#define UART_MSR_DDCD   0x08
#define UART_MSR_DELTAS 0x0f
#define UART_MSR_CTS    0x10
#define UART_MSR_DSR    0x20
#define UART_MSR_RI     0x40
#define UART_MSR_DCD    0x80

/* The UART's input clock on PCs: 1.8432 MHz / 16 = 115200 baud at divisor 1. */
#define UART_BAUD_BASE 115200

typedef struct SerialState {
    /* Registers as the guest sees them. */
    uint8_t ier;
    uint8_t lcr;
    uint8_t mcr;
    uint8_t lsr;          /* latched OE/PE/FE/BI and FIFOE; DR, THRE, TEMT are derived */
    uint8_t msr;
    uint8_t scr;
    uint8_t fcr;          /* FE, DMS and ITL as last written */
    uint16_t divider;

    /* RX FIFO (one slot when FIFOs are off: the RBR); error bits per byte. */
    uint8_t rx_data[UART_FIFO_LENGTH];
    uint8_t rx_err[UART_FIFO_LENGTH];
    uint8_t rx_head;
    uint8_t rx_count;
    /* TX FIFO (one slot when FIFOs are off: the THR). */
    uint8_t tx_data[UART_FIFO_LENGTH];
    uint8_t tx_head;
    uint8_t tx_count;
    uint8_t rbr;          /* last byte read: what an empty RBR reads back */
    /* Transmitter shift register: a byte the host side has not taken yet. */
    uint8_t tsr;
    bool tsr_full;

    /* Interrupt sources that are latched rather than derived from registers. */
    bool thr_ipending;    /* THRE interrupt, cleared by IIR read or THR write */
    bool timeout_ipending;/* FIFO character timeout */
    bool irq_level;       /* what we drive on the line now */
    bool last_break;      /* LCR.SBC as last written (loopback break edge) */

    /* Not guest state. */
    qemu_irq irq;
    CharBackend chr;
    EmuTimer *fifo_timeout_timer;
    EmuTimer *tx_retry_timer;   /* for backends that cannot be watched */
    guint tx_watch;
    Object *owner;
    uint64_t *ignored_accesses; /* the owning device's counter */
    /* Statistics for `info serial`. */
    uint64_t tx_bytes;
    uint64_t rx_bytes;
    uint64_t tx_dropped;        /* host side reported an error */
} SerialState;

extern const MemoryRegionOps serial_io_ops;
/* Migration description of the register model; bus wrappers embed it. */
extern const VMStateDescription vmstate_serial;

/*
 * Attach to @chr (may be NULL: output vanishes, no input) and set up timers.
 * @owner is the device (for logs), @ignored its ignored-access counter.
 */
bool serial_realize_core(SerialState *s, Object *owner, Chardev *chr,
                         uint64_t *ignored, Error **errp);
void serial_unrealize_core(SerialState *s);
/* Power-on / master reset values (datasheet Table IV). */
void serial_reset(SerialState *s);
/* One line per register for `info serial`. */
void serial_describe(SerialState *s, GString *out);

/* ---- isa-serial: the 16550A on the ISA bus (COM1..COM4) ---- */

#define TYPE_ISA_SERIAL "isa-serial"
#define ISA_SERIAL_MAX_INDEX 4

typedef struct ISASerialState {
    ISADevice parent_obj;
    int32_t index;        /* COMn - 1; -1 = the lowest unused */
    int32_t iobase;       /* -1 = the COMn default (0x3f8, 0x2f8, 0x3e8, 0x2e8) */
    int32_t isairq;       /* -1 = the COMn default (4, 3, 4, 3) */
    char *chardev;        /* id of the chardev; none = output vanishes */
    Chardev *chr_direct;  /* set by serial_isa_create instead of an id */
    SerialState state;
    MemoryRegion io;
} ISASerialState;

DECLARE_INSTANCE_CHECKER(ISASerialState, ISA_SERIAL, TYPE_ISA_SERIAL)

/* COM@index+1 at its legacy port and IRQ, talking to @chr (may be NULL). */
ISADevice *serial_isa_create(ISABus *bus, int index, Chardev *chr, Error **errp);

#endif
