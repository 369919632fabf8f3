/*
 * 16550A UART register model. Section and table numbers refer to the National
 * Semiconductor PC16550D datasheet (June 1995); see include/hw/char/serial.h for
 * the transmit/receive timing choices.
 */
#include "hw/char/serial.h"
#include "migration/vmstate.h"
#include "util/log.h"

static const uint8_t rx_trigger_levels[4] = { 1, 4, 8, 14 };

static bool fifo_enabled(SerialState *s)
{
    return s->fcr & UART_FCR_FE;
}

/* With FCR0 = 0 the part behaves as a 16450: one holding register each way. */
static unsigned fifo_capacity(SerialState *s)
{
    return fifo_enabled(s) ? UART_FIFO_LENGTH : 1;
}

static const char *owner_name(SerialState *s)
{
    return s->owner ? object_get_canonical_path_component(s->owner) : "serial";
}

static void guest_error(SerialState *s, const char *fmt, ...) EMU_PRINTF(2, 3);
static void guest_error(SerialState *s, const char *fmt, ...)
{
    if (s->ignored_accesses) {
        (*s->ignored_accesses)++;
    }
    if (emu_log_enabled(LOG_GUEST_ERROR)) {
        va_list ap;
        va_start(ap, fmt);
        g_autofree char *msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        emu_log("%s: %s\n", owner_name(s), msg);
    }
}

/* ---- derived registers ---- */

static uint8_t lsr_value(SerialState *s)
{
    uint8_t v = s->lsr & (UART_LSR_ERRORS | UART_LSR_FIFOE);
    if (s->rx_count) {
        v |= UART_LSR_DR;
    }
    if (!s->tx_count) {
        v |= UART_LSR_THRE;
        if (!s->tsr_full) {
            v |= UART_LSR_TEMT;
        }
    }
    return v;
}

/* Table V: the highest-priority pending source, FIFO bits included. */
static uint8_t iir_value(SerialState *s)
{
    uint8_t id = UART_IIR_NO_INT;
    unsigned level = fifo_enabled(s) ? rx_trigger_levels[s->fcr >> 6] : 1;

    if ((s->ier & UART_IER_ELSI) && (s->lsr & UART_LSR_ERRORS)) {
        id = UART_IIR_RLSI;
    } else if ((s->ier & UART_IER_ERBFI) && s->rx_count >= level) {
        id = UART_IIR_RDI;
    } else if ((s->ier & UART_IER_ERBFI) && s->timeout_ipending) {
        id = UART_IIR_CTI;
    } else if ((s->ier & UART_IER_ETBEI) && s->thr_ipending) {
        id = UART_IIR_THRI;
    } else if ((s->ier & UART_IER_EDSSI) && (s->msr & UART_MSR_DELTAS)) {
        id = UART_IIR_MSI;
    }
    return id | (fifo_enabled(s) ? UART_IIR_FIFO : 0);
}

/*
 * On PCs the UART's INTR pin reaches the PIC through a buffer enabled by the
 * OUT2 pin, so nothing is seen until the driver sets MCR.OUT2 (Linux's 8250
 * driver does). In loopback mode the OUT pins are forced inactive (§8.6, MCR
 * bit 4), which closes the gate too. A gated UART does not drive the line at
 * all, so COM1 and COM3 can share IRQ 4 as on real boards.
 */
static void serial_update_irq(SerialState *s)
{
    bool pending = !(iir_value(s) & UART_IIR_NO_INT);
    bool level = pending && (s->mcr & UART_MCR_OUT2) && !(s->mcr & UART_MCR_LOOP);

    if (level != s->irq_level) {
        s->irq_level = level;
        qemu_set_irq(s->irq, level);
    }
}

/*
 * MSR inputs. In loopback DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD (§8.6).
 * Otherwise the chardev offers no modem lines: show a connected, ready modem
 * (CTS, DSR, DCD) as QEMU does, so drivers waiting for CTS can send.
 */
static uint8_t msr_inputs(uint8_t mcr)
{
    if (mcr & UART_MCR_LOOP) {
        return ((mcr & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
               ((mcr & UART_MCR_RTS) ? UART_MSR_CTS : 0) |
               ((mcr & UART_MCR_OUT1) ? UART_MSR_RI : 0) |
               ((mcr & UART_MCR_OUT2) ? UART_MSR_DCD : 0);
    }
    return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
}

static void serial_update_msr(SerialState *s)
{
    uint8_t in = msr_inputs(s->mcr);
    uint8_t old = s->msr;
    uint8_t changed = (old ^ in) & 0xf0;
    uint8_t deltas = old & UART_MSR_DELTAS;
    if (changed & UART_MSR_CTS) {
        deltas |= UART_MSR_DCTS;
    }
    if (changed & UART_MSR_DSR) {
        deltas |= UART_MSR_DDSR;
    }
    /* TERI: trailing edge only (RI went from on to off). */
    if ((old & UART_MSR_RI) && !(in & UART_MSR_RI)) {
        deltas |= UART_MSR_TERI;
    }
    if (changed & UART_MSR_DCD) {
        deltas |= UART_MSR_DDCD;
    }
    s->msr = in | deltas;
}

/* ---- receiver ---- */

/* Character time at the programmed format and rate (start + data + parity + stop). */
static int64_t char_time_ns(SerialState *s)
{
    unsigned data_bits = 5 + (s->lcr & UART_LCR_WLS);
    /* Count half bits: 5-bit words with STB use 1.5 stop bits. */
    unsigned half_bits = 2 * (1 + data_bits + ((s->lcr & UART_LCR_PEN) ? 1 : 0));
    if (!(s->lcr & UART_LCR_STB)) {
        half_bits += 2;
    } else {
        half_bits += data_bits == 5 ? 3 : 4;
    }
    /* A divisor of 0 makes the baud generator count through all 65536 states. */
    uint64_t divider = s->divider ? s->divider : 65536;
    return (int64_t)(half_bits * divider * (uint64_t)NANOSECONDS_PER_SECOND /
                     (2 * UART_BAUD_BASE));
}

/*
 * §8.7 (FIFO interrupt mode): a timeout interrupt is raised when the RX FIFO
 * holds a byte and for 4 character times nothing was received or read.
 */
static void serial_arm_fifo_timeout(SerialState *s)
{
    timer_mod_ns(s->fifo_timeout_timer,
                 clock_get_ns(EMU_CLOCK_VIRTUAL) + 4 * char_time_ns(s));
}

static void serial_fifo_timeout(void *opaque)
{
    SerialState *s = opaque;
    if (fifo_enabled(s) && s->rx_count) {
        s->timeout_ipending = true;
        serial_update_irq(s);
    }
}

static void rx_fifo_clear(SerialState *s)
{
    s->rx_head = 0;
    s->rx_count = 0;
    s->lsr &= ~UART_LSR_FIFOE;
    s->timeout_ipending = false;
    timer_del(s->fifo_timeout_timer);
}

static bool rx_fifo_has_errors(SerialState *s)
{
    for (unsigned i = 0; i < s->rx_count; i++) {
        if (s->rx_err[(s->rx_head + i) % UART_FIFO_LENGTH]) {
            return true;
        }
    }
    return false;
}

/*
 * A byte (with its PE/FE/BI bits) arrives from the line or the loopback path.
 * In FIFO mode error bits reach LSR when their byte is at the top of the FIFO
 * (§8.4, LSR bits 2-4).
 */
static void serial_receive_byte(SerialState *s, uint8_t byte, uint8_t err)
{
    unsigned cap = fifo_capacity(s);

    s->rx_bytes++;
    if (s->rx_count >= cap) {
        /* Overrun (LSR bit 1). A 16450 overwrites RBR; a full FIFO keeps its
         * contents and loses the byte in the shift register. */
        s->lsr |= UART_LSR_OE;
        if (!fifo_enabled(s)) {
            s->rx_data[s->rx_head] = byte;
            s->rx_err[s->rx_head] = err;
            s->lsr |= err;
        }
    } else {
        unsigned slot = (s->rx_head + s->rx_count) % UART_FIFO_LENGTH;
        s->rx_data[slot] = byte;
        s->rx_err[slot] = err;
        s->rx_count++;
        if (s->rx_count == 1) {
            s->lsr |= err;
        }
        if (err && fifo_enabled(s)) {
            s->lsr |= UART_LSR_FIFOE;
        }
    }
    if (fifo_enabled(s) && !s->timeout_ipending) {
        serial_arm_fifo_timeout(s);
    }
    serial_update_irq(s);
}

/* A break: one all-zero character flagged BI (§8.4, LSR bit 4). */
static void serial_receive_break(SerialState *s)
{
    serial_receive_byte(s, 0, UART_LSR_BI);
}

static uint8_t serial_read_rbr(SerialState *s)
{
    if (!s->rx_count) {
        return s->rbr;
    }
    s->rbr = s->rx_data[s->rx_head];
    s->rx_head = (s->rx_head + 1) % UART_FIFO_LENGTH;
    s->rx_count--;
    if (s->rx_count) {
        s->lsr |= s->rx_err[s->rx_head];
    }
    s->timeout_ipending = false;
    if (fifo_enabled(s) && s->rx_count) {
        serial_arm_fifo_timeout(s);
    } else {
        timer_del(s->fifo_timeout_timer);
    }
    serial_update_irq(s);
    /* Room again: let the chardev deliver what it held back (may re-enter). */
    qemu_chr_fe_accept_input(&s->chr);
    return s->rbr;
}

static int serial_can_receive(void *opaque)
{
    SerialState *s = opaque;
    /* Loopback disconnects the serial input (§8.6). */
    if (s->mcr & UART_MCR_LOOP) {
        return 0;
    }
    return fifo_capacity(s) - s->rx_count;
}

static void serial_receive(void *opaque, const uint8_t *buf, int size)
{
    SerialState *s = opaque;
    for (int i = 0; i < size; i++) {
        serial_receive_byte(s, buf[i], 0);
    }
}

static void serial_event(void *opaque, ChrEvent event)
{
    SerialState *s = opaque;
    if (event == CHR_EVENT_BREAK && !(s->mcr & UART_MCR_LOOP)) {
        serial_receive_break(s);
    }
}

/* ---- transmitter ---- */

static void serial_xmit(SerialState *s);

static gboolean serial_watch_cb(void *opaque)
{
    SerialState *s = opaque;
    s->tx_watch = 0;
    serial_xmit(s);
    return G_SOURCE_REMOVE;
}

static void serial_tx_retry(void *opaque)
{
    SerialState *s = opaque;

    serial_xmit(s);
    /* Also the resume point after an incoming migration (serial_post_load). */
    qemu_chr_fe_accept_input(&s->chr);
}

static void tx_fifo_clear(SerialState *s)
{
    if (s->tx_count) {
        /* THR went empty: the THRE interrupt source arises (Table V). */
        s->thr_ipending = true;
    }
    s->tx_head = 0;
    s->tx_count = 0;
}

/*
 * Move bytes THR/FIFO -> TSR -> host until everything is out or the host side
 * is full. Transmission is instant, so a byte written to an idle transmitter
 * leaves THRE set again right away, as with QEMU.
 */
static void serial_xmit(SerialState *s)
{
    if (s->tx_watch || timer_pending(s->tx_retry_timer)) {
        return;     /* waiting for the host side; the callback resumes */
    }
    for (;;) {
        if (!s->tsr_full) {
            if (!s->tx_count) {
                break;
            }
            s->tsr = s->tx_data[s->tx_head];
            s->tx_head = (s->tx_head + 1) % UART_FIFO_LENGTH;
            s->tx_count--;
            s->tsr_full = true;
            if (!s->tx_count) {
                s->thr_ipending = true;
            }
        }
        if (s->mcr & UART_MCR_LOOP) {
            s->tsr_full = false;
            s->tx_bytes++;
            serial_receive_byte(s, s->tsr, 0);
            continue;
        }
        int n = qemu_chr_fe_write(&s->chr, &s->tsr, 1);
        if (n > 0) {
            s->tsr_full = false;
            s->tx_bytes++;
            continue;
        }
        if (n < 0) {
            /* The host side is broken for good; don't wedge the guest. */
            s->tsr_full = false;
            s->tx_dropped++;
            continue;
        }
        /* Full: keep the byte in TSR and the rest in the FIFO until writable. */
        s->tx_watch = qemu_chr_fe_add_watch(&s->chr, G_IO_OUT | G_IO_HUP,
                                            serial_watch_cb, s);
        if (!s->tx_watch) {
            timer_mod_ns(s->tx_retry_timer, clock_get_ns(EMU_CLOCK_REALTIME) + SCALE_MS);
        }
        break;
    }
    serial_update_irq(s);
}

static void serial_write_thr(SerialState *s, uint8_t val)
{
    if (s->tx_count >= fifo_capacity(s)) {
        if (fifo_enabled(s)) {
            guest_error(s, "THR write with the TX FIFO full, byte 0x%02x lost", val);
        } else {
            /* 16450 mode: the holding register is simply overwritten. */
            guest_error(s, "THR write while THRE=0 overwrites the held byte");
            s->tx_data[s->tx_head] = val;
        }
    } else {
        s->tx_data[(s->tx_head + s->tx_count) % UART_FIFO_LENGTH] = val;
        s->tx_count++;
    }
    s->thr_ipending = false;
    serial_xmit(s);
}

/* ---- register access ---- */

static void serial_write_fcr(SerialState *s, uint8_t val)
{
    /* §8.3: changing FCR0 clears both FIFOs; with FCR0 = 0 nothing else takes. */
    if ((val ^ s->fcr) & UART_FCR_FE) {
        rx_fifo_clear(s);
        tx_fifo_clear(s);
    }
    if (!(val & UART_FCR_FE)) {
        s->fcr = 0;
    } else {
        if (val & UART_FCR_RFR) {
            rx_fifo_clear(s);
        }
        if (val & UART_FCR_XFR) {
            tx_fifo_clear(s);
        }
        s->fcr = val & (UART_FCR_FE | UART_FCR_DMS | UART_FCR_ITL);
    }
    serial_update_irq(s);
    qemu_chr_fe_accept_input(&s->chr);
}

static void serial_write_mcr(SerialState *s, uint8_t val)
{
    uint8_t old = s->mcr;

    /* Bits 5-7 are always 0 on a 16550A. */
    s->mcr = val & 0x1f;
    serial_update_msr(s);
    if ((old & UART_MCR_LOOP) && !(s->mcr & UART_MCR_LOOP)) {
        /* Input reconnected, and anything held for the host can go now. */
        serial_xmit(s);
        qemu_chr_fe_accept_input(&s->chr);
    }
    serial_update_irq(s);
}

static void serial_write_lcr(SerialState *s, uint8_t val)
{
    bool brk = val & UART_LCR_SBC;

    s->lcr = val;
    /* A break sent in loopback mode is received as one (§8.6). Outside
     * loopback the chardev layer has no way to send a break. */
    if (brk && !s->last_break && (s->mcr & UART_MCR_LOOP)) {
        serial_receive_break(s);
    }
    s->last_break = brk;
}

static uint64_t serial_io_read(void *opaque, hwaddr addr, unsigned size)
{
    SerialState *s = opaque;
    uint8_t v;

    switch (addr & 7) {
    case UART_RBR:
        if (s->lcr & UART_LCR_DLAB) {
            return s->divider & 0xff;
        }
        return serial_read_rbr(s);
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            return s->divider >> 8;
        }
        return s->ier;
    case UART_IIR:
        v = iir_value(s);
        /* Reading IIR while THRE is the reported source clears it (Table V). */
        if ((v & (UART_IIR_ID | UART_IIR_NO_INT)) == UART_IIR_THRI) {
            s->thr_ipending = false;
            serial_update_irq(s);
        }
        return v;
    case UART_LCR:
        return s->lcr;
    case UART_MCR:
        return s->mcr;
    case UART_LSR:
        v = lsr_value(s);
        /* Reading LSR clears the error bits; FIFOE stays while errors remain. */
        s->lsr &= ~UART_LSR_ERRORS;
        if (!(fifo_enabled(s) && rx_fifo_has_errors(s))) {
            s->lsr &= ~UART_LSR_FIFOE;
        }
        serial_update_irq(s);
        return v;
    case UART_MSR:
        v = s->msr;
        s->msr &= ~UART_MSR_DELTAS;
        serial_update_irq(s);
        return v;
    case UART_SCR:
    default:
        return s->scr;
    }
}

static void serial_io_write(void *opaque, hwaddr addr, uint64_t data, unsigned size)
{
    SerialState *s = opaque;
    uint8_t val = data;

    switch (addr & 7) {
    case UART_THR:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0xff00) | val;
        } else {
            serial_write_thr(s, val);
        }
        break;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0x00ff) | (val << 8);
            break;
        }
        s->ier = val & 0x0f;
        /*
         * A real 16550 raises THRE again whenever ETBEI is written as 1 with
         * the holding register empty, even if an IIR read cleared it before;
         * Linux's 8250 driver tests for this (UART_BUG_THRE) and Windows
         * toggles IER to get a fresh THRE interrupt.
         */
        if ((s->ier & UART_IER_ETBEI) && !s->tx_count) {
            s->thr_ipending = true;
        }
        serial_update_irq(s);
        break;
    case UART_FCR:
        serial_write_fcr(s, val);
        break;
    case UART_LCR:
        serial_write_lcr(s, val);
        break;
    case UART_MCR:
        serial_write_mcr(s, val);
        break;
    case UART_LSR:
        /* LSR is for factory testing only on writes (§8.4): ignore. */
        guest_error(s, "write 0x%02x to read-only LSR ignored", val);
        break;
    case UART_MSR:
        guest_error(s, "write 0x%02x to read-only MSR ignored", val);
        break;
    case UART_SCR:
        s->scr = val;
        break;
    }
}

/* Wider accesses are split into byte accesses, as on the ISA bus. */
const MemoryRegionOps serial_io_ops = {
    .read = serial_io_read,
    .write = serial_io_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* ---- lifecycle ---- */

void serial_reset(SerialState *s)
{
    /* Table IV: master reset. DLL/DLM and SCR keep their contents. */
    if (s->tsr_full || s->tx_count) {
        s->tx_dropped += s->tx_count + (s->tsr_full ? 1 : 0);
    }
    s->ier = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->fcr = 0;
    s->lsr = 0;
    s->last_break = false;
    rx_fifo_clear(s);
    s->tx_head = 0;
    s->tx_count = 0;
    s->tsr_full = false;
    s->thr_ipending = false;
    if (s->tx_watch) {
        g_source_remove(s->tx_watch);
        s->tx_watch = 0;
    }
    timer_del(s->tx_retry_timer);
    s->msr = 0;
    serial_update_msr(s);
    s->msr &= ~UART_MSR_DELTAS;
    serial_update_irq(s);
    qemu_chr_fe_accept_input(&s->chr);
}

bool serial_realize_core(SerialState *s, Object *owner, Chardev *chr,
                         uint64_t *ignored, Error **errp)
{
    s->owner = owner;
    s->ignored_accesses = ignored;
    if (chr) {
        if (!qemu_chr_fe_init(&s->chr, chr, errp)) {
            return false;
        }
        qemu_chr_fe_set_handlers(&s->chr, serial_can_receive, serial_receive, serial_event,
                                 s, NULL, true);
    }
    s->fifo_timeout_timer = timer_new_ns(EMU_CLOCK_VIRTUAL, serial_fifo_timeout, s);
    s->tx_retry_timer = timer_new_ns(EMU_CLOCK_REALTIME, serial_tx_retry, s);
    /* Power-on: the divisor is undefined on silicon; start at 9600 baud. */
    s->divider = UART_BAUD_BASE / 9600;
    s->scr = 0;
    s->irq_level = false;
    serial_reset(s);
    return true;
}

void serial_unrealize_core(SerialState *s)
{
    if (s->tx_watch) {
        g_source_remove(s->tx_watch);
        s->tx_watch = 0;
    }
    qemu_chr_fe_deinit(&s->chr, false);
    timer_free(s->fifo_timeout_timer);
    timer_free(s->tx_retry_timer);
    s->fifo_timeout_timer = NULL;
    s->tx_retry_timer = NULL;
}

/* ---- migration ---- */

/*
 * A stream is input from outside: refuse what the register model can never
 * hold, so that nothing below indexes past a FIFO or shows the guest a value
 * the hardware cannot produce. Then rebuild what is derived: the IRQ line, and
 * the host side of transmission (a pending watch is not state; a timer on the
 * realtime clock picks up the TX FIFO and lets the chardev deliver input again).
 */
static int serial_post_load(void *opaque, int version_id)
{
    SerialState *s = opaque;
    const uint8_t rx_err_bits = UART_LSR_PE | UART_LSR_FE | UART_LSR_BI;

    if (s->rx_head >= UART_FIFO_LENGTH || s->tx_head >= UART_FIFO_LENGTH) {
        return -1;
    }
    /* With FCR0 = 0 each FIFO is the one-byte RBR / THR. */
    if (s->rx_count > fifo_capacity(s) || s->tx_count > fifo_capacity(s)) {
        return -1;
    }
    if ((s->ier & ~0x0f) || (s->mcr & ~0x1f) ||
        (s->lsr & ~(UART_LSR_ERRORS | UART_LSR_FIFOE)) ||
        (s->fcr & ~(UART_FCR_FE | UART_FCR_DMS | UART_FCR_ITL)) ||
        (!(s->fcr & UART_FCR_FE) && s->fcr) ||
        (s->msr & 0xf0) != msr_inputs(s->mcr)) {
        return -1;
    }
    for (unsigned i = 0; i < UART_FIFO_LENGTH; i++) {
        if (s->rx_err[i] & ~rx_err_bits) {
            return -1;
        }
    }
    serial_update_irq(s);
    if (s->tx_retry_timer) {
        timer_mod_ns(s->tx_retry_timer, clock_get_ns(EMU_CLOCK_REALTIME));
    }
    return 0;
}

/*
 * Everything the guest can observe through the eight registers. Not here:
 * irq_level (derived, rebuilt by post_load), the chardev and its watch, the
 * realtime TX retry timer, and the statistics of `info serial`.
 */
const VMStateDescription vmstate_serial = {
    .name = "serial",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = serial_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(ier, SerialState),
        VMSTATE_UINT8(lcr, SerialState),
        VMSTATE_UINT8(mcr, SerialState),
        VMSTATE_UINT8(lsr, SerialState),
        VMSTATE_UINT8(msr, SerialState),
        VMSTATE_UINT8(scr, SerialState),
        VMSTATE_UINT8(fcr, SerialState),
        VMSTATE_UINT16(divider, SerialState),
        VMSTATE_UINT8_ARRAY(rx_data, SerialState, UART_FIFO_LENGTH),
        VMSTATE_UINT8_ARRAY(rx_err, SerialState, UART_FIFO_LENGTH),
        VMSTATE_UINT8(rx_head, SerialState),
        VMSTATE_UINT8(rx_count, SerialState),
        VMSTATE_UINT8_ARRAY(tx_data, SerialState, UART_FIFO_LENGTH),
        VMSTATE_UINT8(tx_head, SerialState),
        VMSTATE_UINT8(tx_count, SerialState),
        VMSTATE_UINT8(rbr, SerialState),
        VMSTATE_UINT8(tsr, SerialState),
        VMSTATE_BOOL(tsr_full, SerialState),
        VMSTATE_BOOL(thr_ipending, SerialState),
        VMSTATE_BOOL(timeout_ipending, SerialState),
        VMSTATE_BOOL(last_break, SerialState),
        VMSTATE_TIMER_PTR(fifo_timeout_timer, SerialState),
        VMSTATE_END_OF_LIST()
    },
};

void serial_describe(SerialState *s, GString *out)
{
    Chardev *chr = qemu_chr_fe_get_driver(&s->chr);
    unsigned divider = s->divider ? s->divider : 65536;

    g_string_append_printf(out, "  chardev %s, %u baud, %u%c%s\n",
                           chr ? chr->label : "(none)", UART_BAUD_BASE / divider,
                           5 + (s->lcr & UART_LCR_WLS),
                           (s->lcr & UART_LCR_PEN) ? 'P' : 'N',
                           (s->lcr & UART_LCR_STB) ? "2" : "1");
    g_string_append_printf(out, "  IER=%02x IIR=%02x LCR=%02x MCR=%02x LSR=%02x MSR=%02x "
                           "SCR=%02x FCR=%02x\n", s->ier, iir_value(s), s->lcr, s->mcr,
                           lsr_value(s), s->msr, s->scr, s->fcr);
    g_string_append_printf(out, "  rx fifo %u, tx fifo %u%s, irq %s\n", s->rx_count,
                           s->tx_count, s->tsr_full ? " + shift register (host full)" : "",
                           s->irq_level ? "raised" : "low");
    g_string_append_printf(out, "  tx %" PRIu64 " bytes, rx %" PRIu64 " bytes, "
                           "dropped %" PRIu64 ", ignored accesses %" PRIu64 "\n",
                           s->tx_bytes, s->rx_bytes, s->tx_dropped,
                           s->ignored_accesses ? *s->ignored_accesses : 0);
}
