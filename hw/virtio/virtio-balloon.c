/*
 * virtio-balloon (virtio 1.2 §5.5, traditional memory balloon) on the PCI
 * transport: `-device virtio-balloon-pci[,guest-stats-polling-interval=S]
 * [,deflate-on-oom=on]`, with the monitor's `balloon SIZE` / `info balloon`
 * (QMP balloon, query-balloon) as in QEMU.
 *
 * The host sets num_pages (the pages it wants the guest to give up) in the
 * configuration space; the driver hands page frame numbers (4 KiB, §5.5.6)
 * over the inflate queue and takes them back on the deflate queue, and
 * reports how many it holds in `actual`. Inflated pages of anonymous guest
 * RAM are given back to the host with madvise(MADV_DONTNEED) (they read as
 * zeroes when the guest touches them again); file-backed RAM is left alone.
 * The statistics queue (VIRTIO_BALLOON_F_STATS_VQ, §5.5.6.3) keeps the
 * driver's buffer and returns it every polling interval to ask for fresh
 * numbers.
 */
#include "hw/virtio/virtio-pci.h"
#include "hw/core/machine.h"
#include "block/iov.h"
#include "monitor/monitor.h"
#include "util/log.h"
#include "util/timer.h"
#include <sys/mman.h>
#include <unistd.h>

#define TYPE_VIRTIO_BALLOON_PCI "virtio-balloon-pci"
#define VIRTIO_ID_BALLOON       5

#define VIRTIO_BALLOON_F_MUST_TELL_HOST 0
#define VIRTIO_BALLOON_F_STATS_VQ       1
#define VIRTIO_BALLOON_F_DEFLATE_ON_OOM 2

#define BALLOON_PAGE_SHIFT      12
#define BALLOON_CONFIG_SIZE     8       /* num_pages, actual */
#define BALLOON_NR_STATS        10      /* tags 0-9 of §5.5.6.3 */
#define BALLOON_STAT_SIZE       10      /* le16 tag, le64 val, packed */

static const char *const balloon_stat_names[BALLOON_NR_STATS] = {
    "stat-swap-in", "stat-swap-out", "stat-major-faults", "stat-minor-faults",
    "stat-free-memory", "stat-total-memory", "stat-available-memory",
    "stat-disk-caches", "stat-htlb-pgalloc", "stat-htlb-pgfail",
};

typedef struct VirtIOBalloon {
    VirtIODevice vdev;
    VirtQueue *ivq, *dvq, *svq;
    uint32_t num_pages;         /* the host's target, in 4 KiB pages */
    uint32_t actual;            /* pages the driver says it holds */
    VirtQueueElement *stats_elem;
    EmuTimer *stats_timer;
    uint64_t stats[BALLOON_NR_STATS];
    int64_t stats_last_update;  /* host seconds; 0: never */
    int64_t stats_since_ms;     /* guest time the held buffer arrived */
    /* properties */
    uint32_t stats_interval;    /* seconds; 0: no polling */
    bool deflate_on_oom;
    /* counters */
    uint64_t inflated, deflated, discarded, bad_pfns;
} VirtIOBalloon;

typedef struct VirtIOBalloonPCI {
    VirtIOPCIProxy parent_obj;
    VirtIOBalloon balloon;
} VirtIOBalloonPCI;

DECLARE_INSTANCE_CHECKER(VirtIOBalloonPCI, VIRTIO_BALLOON_PCI, TYPE_VIRTIO_BALLOON_PCI)

#define VIRTIO_BALLOON(vdev) container_of(vdev, VirtIOBalloon, vdev)

/* QEMU has one balloon per machine; so does emu. */
static VirtIOBalloon *the_balloon;

static uint64_t balloon_ram_size(void)
{
    MachineState *ms = current_machine_get();
    return ms ? ms->ram_size : 0;
}

/* Give one guest page back to the host if it is plain anonymous RAM. */
static void balloon_discard(VirtIOBalloon *s, hwaddr pa)
{
    static long host_page;
    if (!host_page) {
        host_page = sysconf(_SC_PAGESIZE);
    }
    if (host_page != 1 << BALLOON_PAGE_SHIFT) {
        return;     /* a host page holds other guest pages: not safe */
    }
    FlatView *fv = address_space_to_flatview(&address_space_memory);
    const FlatRange *fr = flatview_lookup(fv, pa);
    if (!fr || !fr->ram || fr->readonly || fr->last < pa + (1 << BALLOON_PAGE_SHIFT) - 1 ||
        memory_region_get_fd(fr->mr) >= 0) {
        return;
    }
    uint8_t *host = memory_region_get_ram_ptr(fr->mr);
    if (!host) {
        return;
    }
    host += fr->offset_in_region + (pa - fr->start);
    if (madvise(host, 1 << BALLOON_PAGE_SHIFT, MADV_DONTNEED) == 0) {
        s->discarded++;
    }
}

/* One inflate or deflate buffer: an array of le32 PFNs (§5.5.6). */
static void balloon_pages(VirtIOBalloon *s, VirtQueueElement *elem, bool inflate)
{
    uint64_t ram_pages = balloon_ram_size() >> BALLOON_PAGE_SHIFT;
    uint32_t pfns[256];
    size_t off = 0;
    if (elem->out_len % 4) {
        emu_log_mask(LOG_GUEST_ERROR, "virtio-balloon: %s buffer of %zu bytes is not "
                     "whole PFNs\n", inflate ? "inflate" : "deflate", elem->out_len);
    }
    while (off + 4 <= elem->out_len) {
        size_t n = MIN(sizeof(pfns), (elem->out_len - off) & ~(size_t)3);
        iov_to_buf(elem->out_sg, elem->out_num, off, pfns, n);
        off += n;
        for (size_t i = 0; i < n / 4; i++) {
            uint64_t pfn = GUINT32_FROM_LE(pfns[i]);
            hwaddr pa = pfn << BALLOON_PAGE_SHIFT;
            FlatView *fv = address_space_to_flatview(&address_space_memory);
            const FlatRange *fr = flatview_lookup(fv, pa);
            if (!fr || !fr->ram || fr->readonly) {
                /* Not guest RAM: ignored, as QEMU does. */
                s->bad_pfns++;
                emu_log_mask(LOG_GUEST_ERROR, "virtio-balloon: PFN 0x%" PRIx64 " is not "
                             "guest RAM (%" PRIu64 " pages)\n", pfn, ram_pages);
                continue;
            }
            if (inflate) {
                s->inflated++;
                balloon_discard(s, pa);
            } else {
                /* The page faults back in when the guest touches it. */
                s->deflated++;
            }
        }
    }
}

static void balloon_handle_pages(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOBalloon *s = VIRTIO_BALLOON(vdev);
    VirtQueueElement *elem;
    bool pushed = false;
    while ((elem = virtqueue_pop(vq))) {
        balloon_pages(s, elem, vq == s->ivq);
        virtqueue_push(vq, elem, 0);
        pushed = true;
    }
    if (pushed) {
        virtio_notify(vdev, vq);
    }
}

/* Ask the driver for fresh statistics by returning its buffer. */
static void balloon_stats_request(VirtIOBalloon *s)
{
    if (s->stats_elem) {
        virtqueue_push(s->svq, g_steal_pointer(&s->stats_elem), 0);
        virtio_notify(&s->vdev, s->svq);
    }
}

/*
 * While the driver's buffer is held, look once a second (guest time) whether
 * the polling interval has passed: the interval may change at run time
 * (qom-set), as in QEMU.
 */
static void balloon_stats_arm(VirtIOBalloon *s)
{
    timer_mod(s->stats_timer, clock_get_ms(EMU_CLOCK_VIRTUAL) + 1000);
}

static void balloon_stats_poll(void *opaque)
{
    VirtIOBalloon *s = opaque;
    if (!s->stats_elem) {
        return;
    }
    if (s->stats_interval && clock_get_ms(EMU_CLOCK_VIRTUAL) - s->stats_since_ms >=
        (int64_t)s->stats_interval * 1000) {
        balloon_stats_request(s);
        return;
    }
    balloon_stats_arm(s);
}

static void balloon_handle_stats(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOBalloon *s = VIRTIO_BALLOON(vdev);
    VirtQueueElement *elem = virtqueue_pop(vq);
    if (!elem) {
        return;
    }
    if (s->stats_elem) {
        /* §5.5.6.3: one buffer at a time; a second one is returned at once. */
        emu_log_mask(LOG_GUEST_ERROR, "virtio-balloon: second statistics buffer\n");
        virtqueue_push(vq, s->stats_elem, 0);
        virtio_notify(vdev, vq);
    }
    uint8_t st[BALLOON_STAT_SIZE];
    for (size_t off = 0; off + sizeof(st) <= elem->out_len; off += sizeof(st)) {
        uint16_t tag;
        uint64_t val;
        iov_to_buf(elem->out_sg, elem->out_num, off, st, sizeof(st));
        memcpy(&tag, st, 2);
        memcpy(&val, st + 2, 8);
        tag = GUINT16_FROM_LE(tag);
        if (tag < BALLOON_NR_STATS) {
            s->stats[tag] = GUINT64_FROM_LE(val);
        }
    }
    s->stats_last_update = g_get_real_time() / G_USEC_PER_SEC;
    s->stats_elem = elem;
    s->stats_since_ms = clock_get_ms(EMU_CLOCK_VIRTUAL);
    balloon_stats_arm(s);
}

static void balloon_get_config(VirtIODevice *vdev, uint8_t *c)
{
    VirtIOBalloon *s = VIRTIO_BALLOON(vdev);
    pci_set_long(c, s->num_pages);
    pci_set_long(c + 4, s->actual);
}

static void balloon_set_config(VirtIODevice *vdev, const uint8_t *c)
{
    VirtIOBalloon *s = VIRTIO_BALLOON(vdev);
    /* num_pages is the device's (read-only for the driver, §5.5.4). */
    s->actual = pci_get_long(c + 4);
}

static void balloon_reset(VirtIODevice *vdev)
{
    VirtIOBalloon *s = VIRTIO_BALLOON(vdev);
    if (s->stats_elem) {
        virtqueue_drop(s->svq, g_steal_pointer(&s->stats_elem));
    }
    timer_del(s->stats_timer);
    /* The pages a reset guest held come back to it: nothing is ballooned. */
    s->actual = 0;
}

static const VirtIODeviceOps balloon_ops = {
    .get_config = balloon_get_config,
    .set_config = balloon_set_config,
    .reset = balloon_reset,
};

/* ---- monitor ---- */

static bool balloon_set_target(int64_t target, Error **errp)
{
    VirtIOBalloon *s = the_balloon;
    if (!s) {
        error_setg(errp, "No balloon device has been activated");
        return false;
    }
    if (target <= 0) {
        error_setg(errp, "Parameter 'target' expects a size");
        return false;
    }
    uint64_t ram = balloon_ram_size();
    if ((uint64_t)target > ram) {
        target = ram;
    }
    s->num_pages = (ram - target) >> BALLOON_PAGE_SHIFT;
    virtio_notify_config(&s->vdev);
    return true;
}

static uint64_t balloon_actual_bytes(VirtIOBalloon *s)
{
    uint64_t ram = balloon_ram_size(), held = (uint64_t)s->actual << BALLOON_PAGE_SHIFT;
    return held < ram ? ram - held : 0;
}

static JsonNode *qmp_balloon(JsonObject *args, Error **errp)
{
    balloon_set_target(json_object_get_int_member(args, "value"), errp);
    return NULL;
}

static void hmp_balloon(Monitor *mon, JsonObject *args)
{
    Error *err = NULL;
    /* HMP takes megabytes (QEMU's `balloon 512`). */
    int64_t mb = json_object_get_int_member(args, "value");
    int64_t bytes = mb > 0 && mb < (INT64_MAX >> 20) ? mb << 20 : (mb > 0 ? INT64_MAX : 0);
    if (!balloon_set_target(bytes, &err)) {
        hmp_handle_error(mon, err);
    }
}

static JsonNode *qmp_query_balloon(JsonObject *args, Error **errp)
{
    VirtIOBalloon *s = the_balloon;
    if (!s) {
        error_setg(errp, "No balloon device has been activated");
        return NULL;
    }
    JsonObject *o = json_object_new();
    json_object_set_int_member(o, "actual", balloon_actual_bytes(s));
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(n, o);
    return n;
}

static void info_balloon(GString *out)
{
    VirtIOBalloon *s = the_balloon;
    if (!s) {
        g_string_append(out, "Error: No balloon device has been activated\n");
        return;
    }
    g_string_append_printf(out, "balloon: actual=%" PRIu64 "\n",
                           balloon_actual_bytes(s) >> 20);
    g_string_append_printf(out, "  target=%" PRIu64 " MiB, inflated %" PRIu64
                           " deflated %" PRIu64 " discarded %" PRIu64 " bad %" PRIu64
                           " pages\n",
                           (balloon_ram_size() - ((uint64_t)s->num_pages <<
                                                  BALLOON_PAGE_SHIFT)) >> 20,
                           s->inflated, s->deflated, s->discarded, s->bad_pfns);
    if (s->stats_last_update) {
        g_string_append(out, "  guest stats:");
        for (int i = 0; i < BALLOON_NR_STATS; i++) {
            g_string_append_printf(out, " %s=%" PRIu64, balloon_stat_names[i] + 5,
                                   s->stats[i]);
        }
        g_string_append_printf(out, " (last-update %" PRId64 ")\n", s->stats_last_update);
    }
}

static const MonitorCommand balloon_commands[] = {
    {
        .name = "balloon",
        .args_type = "value:i",
        .params = "target",
        .help = "request VM to change its memory allocation (in MB; QMP: bytes)",
        .qmp = qmp_balloon,
        .hmp = hmp_balloon,
    },
    {
        .name = "query-balloon",
        .help = "the guest's memory size as the balloon leaves it",
        .qmp = qmp_query_balloon,
    },
};

static void __attribute__((constructor)) balloon_monitor_register(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(balloon_commands); i++) {
        monitor_register_command(&balloon_commands[i]);
    }
    monitor_register_info("balloon", "show balloon information", info_balloon);
}

/* ---- device ---- */

static void balloon_realize_vdev(VirtIOPCIProxy *proxy, Error **errp)
{
    VirtIOBalloon *s = &VIRTIO_BALLOON_PCI(proxy)->balloon;
    if (the_balloon) {
        error_setg(errp, "virtio-balloon-pci: only one balloon device is supported");
        return;
    }
    VirtIODevice *vdev = &s->vdev;
    virtio_init(vdev, "virtio-balloon", VIRTIO_ID_BALLOON, BALLOON_CONFIG_SIZE,
                &balloon_ops);
    vdev->host_features |= 1ull << VIRTIO_BALLOON_F_STATS_VQ;
    if (s->deflate_on_oom) {
        vdev->host_features |= 1ull << VIRTIO_BALLOON_F_DEFLATE_ON_OOM;
    }
    s->ivq = virtio_add_queue(vdev, 128, balloon_handle_pages);
    s->dvq = virtio_add_queue(vdev, 128, balloon_handle_pages);
    s->svq = virtio_add_queue(vdev, 128, balloon_handle_stats);
    s->stats_timer = timer_new_ms(EMU_CLOCK_VIRTUAL, balloon_stats_poll, s);
    the_balloon = s;
    proxy->vdev = vdev;
}

static void balloon_unrealize_vdev(VirtIOPCIProxy *proxy)
{
    VirtIOBalloon *s = &VIRTIO_BALLOON_PCI(proxy)->balloon;
    if (s->stats_elem) {
        virtqueue_drop(s->svq, g_steal_pointer(&s->stats_elem));
    }
    if (s->stats_timer) {
        timer_del(s->stats_timer);
        g_clear_pointer(&s->stats_timer, timer_free);
    }
    if (the_balloon == s) {
        the_balloon = NULL;
    }
    virtio_cleanup(&s->vdev);
}

static const Property balloon_props[] = {
    {
        /* DEFINE_PROP_UINT32 that qom-set may change while the guest runs */
        .name = "guest-stats-polling-interval", .kind = PROP_KIND_UINT,
        .offset = PROP_TYPED_OFFSET(VirtIOBalloonPCI, balloon.stats_interval, uint32_t),
        .width = 4, .has_default = true, .def.u = 0, .set_after_realize = true,
    },
    DEFINE_PROP_BOOL("deflate-on-oom", VirtIOBalloonPCI, balloon.deflate_on_oom, false),
    DEFINE_PROP_END_OF_LIST(),
};

static void balloon_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    VirtIOPCIClass *vc = VIRTIO_PCI_CLASS(oc);

    dc->desc = "Virtio memory balloon";
    dc->category = DEVICE_CATEGORY_MISC;
    dc->user_creatable = true;
    device_class_set_props(dc, balloon_props);
    pc->class_id = 0x00ff;      /* "other", as QEMU */
    pc->device_id = 0x1002;
    vc->legacy_device_id = 0x1002;
    vc->realize_vdev = balloon_realize_vdev;
    vc->unrealize_vdev = balloon_unrealize_vdev;
}

static const TypeInfo balloon_types[] = {
    {
        .name = TYPE_VIRTIO_BALLOON_PCI,
        .parent = TYPE_VIRTIO_PCI,
        .instance_size = sizeof(VirtIOBalloonPCI),
        .class_init = balloon_class_init,
    },
};
DEFINE_TYPES(balloon_types)
