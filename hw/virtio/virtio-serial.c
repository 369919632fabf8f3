/*
 * virtio-serial (virtio 1.2 §5.3, console device) on the PCI transport:
 * `-device virtio-serial-pci[,max_ports=N]` provides a virtio-serial-bus;
 * `-device virtconsole,chardev=ID` (a console port: the guest's hvc0) and
 * `-device virtserialport,chardev=ID,name=NAME` plug into it and carry bytes
 * between a guest port and a host chardev.
 *
 * With VIRTIO_CONSOLE_F_MULTIPORT (offered) the queues are: port 0 receive
 * and transmit (0, 1), control receive and transmit (2, 3), then port n's
 * receive and transmit at 2 + 2n and 3 + 2n (§5.3.2). The control protocol
 * (§5.3.6.2): the driver says DEVICE_READY, the device announces each port
 * with DEVICE_ADD; for each PORT_READY the device answers CONSOLE_PORT (a
 * console), PORT_NAME and PORT_OPEN (the host side is connected); the driver
 * says PORT_OPEN when a guest program opens the port.
 *
 * Host input waits in the chardev until the guest has a receive buffer;
 * guest output that the chardev cannot take at once is held (with the rest
 * of the transmit queue) until the chardev is writable again.
 */
#include "hw/virtio/virtio-pci.h"
#include "hw/virtio/virtio-serial.h"
#include "block/iov.h"
#include "chardev/char.h"
#include "util/log.h"

#define VIRTIO_ID_CONSOLE               3

#define VIRTIO_CONSOLE_F_SIZE           0
#define VIRTIO_CONSOLE_F_MULTIPORT      1

#define VIRTIO_CONSOLE_DEVICE_READY     0
#define VIRTIO_CONSOLE_DEVICE_ADD       1
#define VIRTIO_CONSOLE_DEVICE_REMOVE    2
#define VIRTIO_CONSOLE_PORT_READY       3
#define VIRTIO_CONSOLE_CONSOLE_PORT     4
#define VIRTIO_CONSOLE_RESIZE           5
#define VIRTIO_CONSOLE_PORT_OPEN        6
#define VIRTIO_CONSOLE_PORT_NAME        7

#define VSER_CONFIG_SIZE                12  /* cols, rows, max_nr_ports, emerg_wr */
#define VSER_MAX_PORTS                  31  /* 2 * (31 + 1) queues = VIRTIO_QUEUE_MAX */
#define VSER_BAD_ID                     UINT32_MAX

typedef struct VirtIOSerial VirtIOSerial;

struct VirtIOSerialPort {
    DeviceState parent_obj;
    VirtIOSerial *vser;
    CharBackend chr;
    uint32_t id;
    VirtQueue *ivq, *ovq;
    bool guest_ready;           /* PORT_READY seen */
    bool guest_connected;       /* PORT_OPEN 1 from the driver */
    bool host_connected;        /* the chardev's host side is there */
    /* Guest output the chardev has not taken yet. */
    VirtQueueElement *tx_elem;
    size_t tx_off;
    guint tx_watch;
    /* A receive buffer being filled with host input. */
    VirtQueueElement *rx_elem;
    /* properties */
    char *chardev;
    char *name;
    uint32_t nr;
    bool is_console;
    /* counters */
    uint64_t bytes_to_guest, bytes_to_host;
};

typedef struct VirtIOSerialBus {
    BusState parent_obj;
    VirtIOSerial *vser;
} VirtIOSerialBus;

struct VirtIOSerial {
    VirtIODevice vdev;
    VirtIOSerialBus *bus;
    VirtQueue *c_ivq, *c_ovq;
    VirtIOSerialPort *ports[VSER_MAX_PORTS];
    bool driver_ready;
    GQueue ctrl_pending;        /* GByteArray: control messages for the driver */
    /* properties */
    uint32_t max_ports;
    /* counters */
    uint64_t bad_ctrl;
};

typedef struct VirtIOSerialPCI {
    VirtIOPCIProxy parent_obj;
    VirtIOSerial vser;
} VirtIOSerialPCI;

DECLARE_INSTANCE_CHECKER(VirtIOSerialPCI, VIRTIO_SERIAL_PCI, TYPE_VIRTIO_SERIAL_PCI)
DECLARE_INSTANCE_CHECKER(VirtIOSerialBus, VIRTIO_SERIAL_BUS, TYPE_VIRTIO_SERIAL_BUS)
DECLARE_INSTANCE_CHECKER(VirtIOSerialPort, VIRTIO_SERIAL_PORT, TYPE_VIRTIO_SERIAL_PORT)

#define VIRTIO_SERIAL(vdev) container_of(vdev, VirtIOSerial, vdev)

static bool vser_multiport(VirtIOSerial *s)
{
    return virtio_vdev_has_feature(&s->vdev, VIRTIO_CONSOLE_F_MULTIPORT);
}

static bool vser_running(VirtIOSerial *s)
{
    return (s->vdev.status & VIRTIO_CONFIG_S_DRIVER_OK) && !s->vdev.broken;
}

/* Without MULTIPORT only port 0 exists and it is always open (§5.3.6). */
static bool port_guest_open(VirtIOSerialPort *p)
{
    VirtIOSerial *s = p->vser;
    return vser_running(s) && (vser_multiport(s) ? p->guest_connected : p->id == 0);
}

/* ---- control queue (§5.3.6.2) ---- */

static void vser_flush_ctrl(VirtIOSerial *s)
{
    bool pushed = false;
    while (!g_queue_is_empty(&s->ctrl_pending) && vser_running(s)) {
        VirtQueueElement *elem = virtqueue_pop(s->c_ivq);
        if (!elem) {
            break;
        }
        GByteArray *msg = g_queue_pop_head(&s->ctrl_pending);
        size_t n = iov_from_buf(elem->in_sg, elem->in_num, 0, msg->data, msg->len);
        if (n < msg->len) {
            emu_log_mask(LOG_GUEST_ERROR, "virtio-serial: control buffer of %zu bytes "
                         "cut a %u-byte message\n", elem->in_len, msg->len);
        }
        g_byte_array_unref(msg);
        virtqueue_push(s->c_ivq, elem, n);
        pushed = true;
    }
    if (pushed) {
        virtio_notify(&s->vdev, s->c_ivq);
    }
}

static void vser_send_ctrl(VirtIOSerial *s, uint32_t id, uint16_t event, uint16_t value,
                           const char *extra)
{
    if (!vser_multiport(s)) {
        return;
    }
    uint8_t hdr[8];
    uint32_t le_id = GUINT32_TO_LE(id);
    uint16_t le_ev = GUINT16_TO_LE(event), le_val = GUINT16_TO_LE(value);
    memcpy(hdr, &le_id, 4);
    memcpy(hdr + 4, &le_ev, 2);
    memcpy(hdr + 6, &le_val, 2);
    GByteArray *msg = g_byte_array_new();
    g_byte_array_append(msg, hdr, sizeof(hdr));
    if (extra) {
        /* PORT_NAME: the name follows the header, not NUL-terminated. */
        g_byte_array_append(msg, (const uint8_t *)extra, strlen(extra));
    }
    g_queue_push_tail(&s->ctrl_pending, msg);
    vser_flush_ctrl(s);
}

static void vser_handle_ctrl_rx(VirtIODevice *vdev, VirtQueue *vq)
{
    vser_flush_ctrl(VIRTIO_SERIAL(vdev));
}

static void port_announce(VirtIOSerialPort *p)
{
    vser_send_ctrl(p->vser, p->id, VIRTIO_CONSOLE_DEVICE_ADD, 1, NULL);
}

static void port_ready(VirtIOSerialPort *p)
{
    VirtIOSerial *s = p->vser;
    p->guest_ready = true;
    if (p->is_console) {
        vser_send_ctrl(s, p->id, VIRTIO_CONSOLE_CONSOLE_PORT, 1, NULL);
    }
    if (p->name) {
        vser_send_ctrl(s, p->id, VIRTIO_CONSOLE_PORT_NAME, 1, p->name);
    }
    if (p->host_connected) {
        vser_send_ctrl(s, p->id, VIRTIO_CONSOLE_PORT_OPEN, 1, NULL);
    }
}

static void vser_ctrl_msg(VirtIOSerial *s, const uint8_t *m)
{
    uint32_t id;
    uint16_t event, value;
    memcpy(&id, m, 4);
    memcpy(&event, m + 4, 2);
    memcpy(&value, m + 6, 2);
    id = GUINT32_FROM_LE(id);
    event = GUINT16_FROM_LE(event);
    value = GUINT16_FROM_LE(value);

    if (event == VIRTIO_CONSOLE_DEVICE_READY) {
        if (value != 1) {
            emu_log_mask(LOG_GUEST_ERROR, "virtio-serial: the driver failed to set up "
                         "(DEVICE_READY %u)\n", value);
            return;
        }
        s->driver_ready = true;
        for (unsigned i = 0; i < VSER_MAX_PORTS; i++) {
            if (s->ports[i]) {
                port_announce(s->ports[i]);
            }
        }
        return;
    }
    VirtIOSerialPort *p = id < VSER_MAX_PORTS ? s->ports[id] : NULL;
    if (!p) {
        s->bad_ctrl++;
        emu_log_mask(LOG_GUEST_ERROR, "virtio-serial: control event %u for port %u, "
                     "which does not exist\n", event, id);
        return;
    }
    switch (event) {
    case VIRTIO_CONSOLE_PORT_READY:
        if (value != 1) {
            emu_log_mask(LOG_GUEST_ERROR, "virtio-serial: port %u failed in the guest\n",
                         id);
            return;
        }
        port_ready(p);
        break;
    case VIRTIO_CONSOLE_PORT_OPEN:
        p->guest_connected = value;
        if (value) {
            qemu_chr_fe_accept_input(&p->chr);
        }
        break;
    default:
        s->bad_ctrl++;
        emu_log_mask(LOG_GUEST_ERROR, "virtio-serial: control event %u from the driver "
                     "is not one it sends\n", event);
        break;
    }
}

static void vser_handle_ctrl_tx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOSerial *s = VIRTIO_SERIAL(vdev);
    VirtQueueElement *elem;
    bool pushed = false;
    while ((elem = virtqueue_pop(vq))) {
        uint8_t m[8];
        if (elem->out_len < sizeof(m)) {
            s->bad_ctrl++;
            emu_log_mask(LOG_GUEST_ERROR, "virtio-serial: control message of %zu bytes\n",
                         elem->out_len);
        } else {
            iov_to_buf(elem->out_sg, elem->out_num, 0, m, sizeof(m));
            vser_ctrl_msg(s, m);
        }
        virtqueue_push(vq, elem, 0);
        pushed = true;
    }
    if (pushed) {
        virtio_notify(vdev, vq);
    }
}

/* ---- data: guest to host ---- */

static void port_flush_tx(VirtIOSerialPort *p);

static gboolean port_tx_writable(void *opaque)
{
    VirtIOSerialPort *p = opaque;
    p->tx_watch = 0;
    port_flush_tx(p);
    return G_SOURCE_REMOVE;
}

/* Write held and queued guest output; stop (and watch) when the chardev is full. */
static void port_flush_tx(VirtIOSerialPort *p)
{
    VirtIOSerial *s = p->vser;
    bool pushed = false;
    for (;;) {
        if (!p->tx_elem) {
            p->tx_elem = virtqueue_pop(p->ovq);
            p->tx_off = 0;
            if (!p->tx_elem) {
                break;
            }
        }
        VirtQueueElement *elem = p->tx_elem;
        while (p->tx_off < elem->out_len) {
            uint8_t buf[4096];
            size_t n = iov_to_buf(elem->out_sg, elem->out_num, p->tx_off, buf,
                                  MIN(sizeof(buf), elem->out_len - p->tx_off));
            int w = qemu_chr_fe_backend_connected(&p->chr) ?
                    qemu_chr_fe_write(&p->chr, buf, n) : (int)n;
            if (w < 0) {
                /* The host side failed: drop the rest, as a closed line would. */
                w = n;
            }
            p->tx_off += w;
            p->bytes_to_host += w;
            if ((size_t)w < n) {
                if (!p->tx_watch) {
                    p->tx_watch = qemu_chr_fe_add_watch(&p->chr, G_IO_OUT | G_IO_HUP,
                                                        port_tx_writable, p);
                }
                if (p->tx_watch) {
                    goto out;
                }
                /* Nothing to wait on: drop the rest rather than spin. */
                emu_log_mask(LOG_UNIMP, "virtio-serial: port %u: chardev full and not "
                             "watchable, %zu bytes dropped\n", p->id,
                             elem->out_len - p->tx_off);
                p->tx_off = elem->out_len;
            }
        }
        virtqueue_push(p->ovq, g_steal_pointer(&p->tx_elem), 0);
        pushed = true;
    }
out:
    if (pushed) {
        virtio_notify(&s->vdev, p->ovq);
    }
}

/* ---- data: host to guest ---- */

static int port_can_read(void *opaque)
{
    VirtIOSerialPort *p = opaque;
    if (!port_guest_open(p)) {
        return 0;
    }
    if (!p->rx_elem) {
        p->rx_elem = virtqueue_pop(p->ivq);
        if (!p->rx_elem) {
            return 0;
        }
        if (!p->rx_elem->in_len) {
            emu_log_mask(LOG_GUEST_ERROR, "virtio-serial: port %u receive buffer has no "
                         "device-writable part\n", p->id);
            virtqueue_push(p->ivq, g_steal_pointer(&p->rx_elem), 0);
            virtio_notify(&p->vser->vdev, p->ivq);
            return 0;
        }
    }
    return MIN(p->rx_elem->in_len, (size_t)INT_MAX);
}

static void port_read(void *opaque, const uint8_t *buf, int size)
{
    VirtIOSerialPort *p = opaque;
    while (size > 0 && port_can_read(p) > 0) {
        VirtQueueElement *elem = g_steal_pointer(&p->rx_elem);
        size_t n = iov_from_buf(elem->in_sg, elem->in_num, 0, buf, size);
        p->bytes_to_guest += n;
        virtqueue_push(p->ivq, elem, n);
        virtio_notify(&p->vser->vdev, p->ivq);
        buf += n;
        size -= n;
    }
    if (size > 0) {
        /* can_read promised room: only a device reset in between gets here. */
        emu_log_mask(LOG_GUEST_ERROR, "virtio-serial: port %u dropped %d bytes of host "
                     "input\n", p->id, size);
    }
}

static void port_event(void *opaque, ChrEvent event)
{
    VirtIOSerialPort *p = opaque;
    bool connected;
    if (event == CHR_EVENT_OPENED) {
        connected = true;
    } else if (event == CHR_EVENT_CLOSED) {
        connected = false;
    } else {
        return;
    }
    if (connected == p->host_connected) {
        return;
    }
    p->host_connected = connected;
    if (p->guest_ready && vser_running(p->vser)) {
        vser_send_ctrl(p->vser, p->id, VIRTIO_CONSOLE_PORT_OPEN, connected, NULL);
    }
}

static void vser_handle_rx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOSerial *s = VIRTIO_SERIAL(vdev);
    unsigned id = vq->index < 2 ? 0 : vq->index / 2 - 1;
    if (id < VSER_MAX_PORTS && s->ports[id]) {
        /* New receive buffers: deliver input the chardev held back. */
        qemu_chr_fe_accept_input(&s->ports[id]->chr);
    }
}

static void vser_handle_tx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOSerial *s = VIRTIO_SERIAL(vdev);
    unsigned id = vq->index < 2 ? 0 : vq->index / 2 - 1;
    VirtIOSerialPort *p = id < VSER_MAX_PORTS ? s->ports[id] : NULL;
    if (!p) {
        /* No port here: the bytes go nowhere, the buffers come back. */
        VirtQueueElement *elem;
        while ((elem = virtqueue_pop(vq))) {
            virtqueue_push(vq, elem, 0);
        }
        virtio_notify(vdev, vq);
        return;
    }
    if (!p->tx_watch) {
        port_flush_tx(p);
    }
}

/* ---- the device ---- */

static void vser_get_config(VirtIODevice *vdev, uint8_t *c)
{
    VirtIOSerial *s = VIRTIO_SERIAL(vdev);
    memset(c, 0, VSER_CONFIG_SIZE);
    pci_set_long(c + 4, s->max_ports);      /* max_nr_ports; cols, rows 0 */
}

static void vser_set_config(VirtIODevice *vdev, const uint8_t *c)
{
    /* emerg_wr (§5.3.4) is not offered: writes are ignored. */
}

static void port_reset(VirtIOSerialPort *p)
{
    if (p->tx_watch) {
        g_source_remove(p->tx_watch);
        p->tx_watch = 0;
    }
    if (p->tx_elem) {
        virtqueue_drop(p->ovq, g_steal_pointer(&p->tx_elem));
    }
    if (p->rx_elem) {
        virtqueue_drop(p->ivq, g_steal_pointer(&p->rx_elem));
    }
    p->guest_ready = p->guest_connected = false;
}

static void vser_reset(VirtIODevice *vdev)
{
    VirtIOSerial *s = VIRTIO_SERIAL(vdev);
    s->driver_ready = false;
    g_queue_clear_full(&s->ctrl_pending, (GDestroyNotify)g_byte_array_unref);
    for (unsigned i = 0; i < VSER_MAX_PORTS; i++) {
        if (s->ports[i]) {
            port_reset(s->ports[i]);
        }
    }
}

static const VirtIODeviceOps vser_ops = {
    .get_config = vser_get_config,
    .set_config = vser_set_config,
    .reset = vser_reset,
};

static void vser_realize_vdev(VirtIOPCIProxy *proxy, Error **errp)
{
    VirtIOSerial *s = &VIRTIO_SERIAL_PCI(proxy)->vser;
    if (s->max_ports < 1 || s->max_ports > VSER_MAX_PORTS) {
        error_setg(errp, "virtio-serial-pci: max_ports=%u: use 1-%d", s->max_ports,
                   VSER_MAX_PORTS);
        return;
    }
    VirtIODevice *vdev = &s->vdev;
    virtio_init(vdev, "virtio-serial", VIRTIO_ID_CONSOLE, VSER_CONFIG_SIZE, &vser_ops);
    vdev->host_features |= 1ull << VIRTIO_CONSOLE_F_MULTIPORT;
    g_queue_init(&s->ctrl_pending);
    /* §5.3.2: port 0, control, then ports 1.. (receive before transmit). */
    for (unsigned i = 0; i < s->max_ports; i++) {
        virtio_add_queue(vdev, 128, vser_handle_rx);
        virtio_add_queue(vdev, 128, vser_handle_tx);
        if (i == 0) {
            s->c_ivq = virtio_add_queue(vdev, 32, vser_handle_ctrl_rx);
            s->c_ovq = virtio_add_queue(vdev, 32, vser_handle_ctrl_tx);
        }
    }
    if (proxy->vectors == UINT32_MAX) {
        /* As QEMU: one vector per port and one for configuration; drivers share. */
        proxy->vectors = s->max_ports + 1;
    }
    s->bus = VIRTIO_SERIAL_BUS(qbus_new(TYPE_VIRTIO_SERIAL_BUS, DEVICE(proxy), NULL));
    s->bus->vser = s;
    proxy->vdev = vdev;
}

static void vser_unrealize_vdev(VirtIOPCIProxy *proxy)
{
    VirtIOSerial *s = &VIRTIO_SERIAL_PCI(proxy)->vser;
    vser_reset(&s->vdev);
    virtio_cleanup(&s->vdev);
}

static const Property vser_props[] = {
    DEFINE_PROP_UINT32("max_ports", VirtIOSerialPCI, vser.max_ports, VSER_MAX_PORTS),
    DEFINE_PROP_END_OF_LIST(),
};

static void vser_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    VirtIOPCIClass *vc = VIRTIO_PCI_CLASS(oc);

    dc->desc = "Virtio serial (console) controller: a virtio-serial-bus for ports";
    dc->category = DEVICE_CATEGORY_INPUT;
    dc->user_creatable = true;
    device_class_set_props(dc, vser_props);
    pc->class_id = 0x0780;      /* simple communication controller, as QEMU */
    pc->device_id = 0x1003;
    vc->legacy_device_id = 0x1003;
    vc->realize_vdev = vser_realize_vdev;
    vc->unrealize_vdev = vser_unrealize_vdev;
}

/* ---- ports ---- */

static uint32_t vser_free_id(VirtIOSerial *s, bool console)
{
    /* Port 0 is kept for a console (QEMU's rule, for old drivers). */
    if (console && !s->ports[0]) {
        return 0;
    }
    for (uint32_t i = 1; i < s->max_ports; i++) {
        if (!s->ports[i]) {
            return i;
        }
    }
    return VSER_BAD_ID;
}

static void port_realize(DeviceState *dev, Error **errp)
{
    VirtIOSerialPort *p = VIRTIO_SERIAL_PORT(dev);
    VirtIOSerialBus *bus = (VirtIOSerialBus *)object_dynamic_cast(
        OBJECT(dev->parent_bus), TYPE_VIRTIO_SERIAL_BUS);
    const char *type = object_get_typename(OBJECT(dev));
    if (!bus || !bus->vser) {
        error_setg(errp, "%s: needs a virtio-serial-bus (add -device virtio-serial-pci)",
                   type);
        return;
    }
    VirtIOSerial *s = bus->vser;
    if (p->name) {
        for (unsigned i = 0; i < VSER_MAX_PORTS; i++) {
            if (s->ports[i] && s->ports[i]->name && !strcmp(s->ports[i]->name, p->name)) {
                error_setg(errp, "%s: a port named '%s' already exists", type, p->name);
                return;
            }
        }
    }
    uint32_t id = p->nr;
    if (id == VSER_BAD_ID) {
        id = vser_free_id(s, p->is_console);
        if (id == VSER_BAD_ID) {
            error_setg(errp, "%s: all %u ports of the bus are in use (max_ports)", type,
                       s->max_ports);
            return;
        }
    } else if (id >= s->max_ports || s->ports[id]) {
        error_setg(errp, "%s: nr=%u is %s", type, id,
                   id >= s->max_ports ? "beyond max_ports" : "in use");
        return;
    } else if (id == 0 && !p->is_console) {
        error_setg(errp, "%s: port 0 is for a virtconsole", type);
        return;
    }
    if (p->chardev) {
        Chardev *chr = qemu_chr_find(p->chardev);
        if (!chr) {
            error_setg(errp, "%s: chardev '%s' not found (define it with -chardev "
                       "BACKEND,id=%s)", type, p->chardev, p->chardev);
            return;
        }
        if (!qemu_chr_fe_init(&p->chr, chr, errp)) {
            return;
        }
    }
    p->vser = s;
    p->id = id;
    p->ivq = &s->vdev.vq[id == 0 ? 0 : 2 + 2 * id];
    p->ovq = &s->vdev.vq[id == 0 ? 1 : 3 + 2 * id];
    s->ports[id] = p;
    if (p->chardev) {
        qemu_chr_fe_set_handlers(&p->chr, port_can_read, port_read, port_event, p, NULL,
                                 true);
    }
    if (s->driver_ready && vser_running(s)) {
        port_announce(p);
    }
}

static void port_unrealize(DeviceState *dev)
{
    VirtIOSerialPort *p = VIRTIO_SERIAL_PORT(dev);
    VirtIOSerial *s = p->vser;
    if (!s) {
        return;
    }
    port_reset(p);
    if (s->driver_ready && vser_running(s)) {
        vser_send_ctrl(s, p->id, VIRTIO_CONSOLE_DEVICE_REMOVE, 1, NULL);
    }
    s->ports[p->id] = NULL;
    qemu_chr_fe_deinit(&p->chr, false);
    p->vser = NULL;
}

static const Property port_props[] = {
    DEFINE_PROP_STRING("chardev", VirtIOSerialPort, chardev),
    DEFINE_PROP_STRING("name", VirtIOSerialPort, name),
    DEFINE_PROP_UINT32("nr", VirtIOSerialPort, nr, VSER_BAD_ID),
    DEFINE_PROP_END_OF_LIST(),
};

static void port_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->bus_type = TYPE_VIRTIO_SERIAL_BUS;
    dc->category = DEVICE_CATEGORY_INPUT;
    dc->realize = port_realize;
    dc->unrealize = port_unrealize;
    device_class_set_props(dc, port_props);
}

static void serialport_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->desc = "virtio-serial port (a /dev/vportNpM in the guest)";
    dc->user_creatable = true;
}

static void console_instance_init(Object *obj)
{
    VIRTIO_SERIAL_PORT(obj)->is_console = true;
}

static void console_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->desc = "virtio console port (hvcN in the guest)";
    dc->user_creatable = true;
}

static void vser_bus_print_dev(GString *out, DeviceState *dev, int indent)
{
    VirtIOSerialPort *p = VIRTIO_SERIAL_PORT(dev);
    g_string_append_printf(out, "%*snr %u%s%s, guest %s, host %s\n", indent, "", p->id,
                           p->name ? ", name " : "", p->name ? p->name : "",
                           p->guest_connected ? "open" : "closed",
                           p->host_connected ? "connected" : "not connected");
}

static void vser_bus_class_init(ObjectClass *oc, void *data)
{
    BusClass *bc = BUS_CLASS(oc);
    bc->print_dev = vser_bus_print_dev;
}

static const TypeInfo vser_types[] = {
    {
        .name = TYPE_VIRTIO_SERIAL_PCI,
        .parent = TYPE_VIRTIO_PCI,
        .instance_size = sizeof(VirtIOSerialPCI),
        .class_init = vser_class_init,
    },
    {
        .name = TYPE_VIRTIO_SERIAL_BUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(VirtIOSerialBus),
        .class_init = vser_bus_class_init,
    },
    {
        .name = TYPE_VIRTIO_SERIAL_PORT,
        .parent = TYPE_DEVICE,
        .abstract = true,
        .instance_size = sizeof(VirtIOSerialPort),
        .class_init = port_class_init,
    },
    {
        .name = TYPE_VIRTSERIALPORT,
        .parent = TYPE_VIRTIO_SERIAL_PORT,
        .class_init = serialport_class_init,
    },
    {
        .name = TYPE_VIRTCONSOLE,
        .parent = TYPE_VIRTIO_SERIAL_PORT,
        .instance_init = console_instance_init,
        .class_init = console_class_init,
    },
};
DEFINE_TYPES(vser_types)
