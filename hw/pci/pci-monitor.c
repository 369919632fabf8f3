/*
 * The PCI monitor commands: QMP query-pci and HMP `info pci`, in QEMU's
 * formats (one implementation: `info pci` prints what query-pci returns).
 */
#include "hw/pci/pci.h"
#include "hw/pci/pci_host.h"
#include "monitor/monitor.h"

/* Class names as QEMU prints them (PCI Code and ID Assignment, appendix D). */
static const struct {
    uint16_t class_id;
    const char *desc;
} pci_class_names[] = {
    { 0x0001, "VGA controller" },
    { 0x0100, "SCSI controller" },
    { 0x0101, "IDE controller" },
    { 0x0102, "Floppy controller" },
    { 0x0104, "RAID controller" },
    { 0x0106, "SATA controller" },
    { 0x0107, "SAS controller" },
    { 0x0180, "Storage controller" },
    { 0x0200, "Ethernet controller" },
    { 0x0280, "Network controller" },
    { 0x0300, "VGA controller" },
    { 0x0301, "XGA controller" },
    { 0x0302, "3D controller" },
    { 0x0380, "Display controller" },
    { 0x0400, "Video controller" },
    { 0x0401, "Audio controller" },
    { 0x0403, "Audio controller" },
    { 0x0480, "Multimedia controller" },
    { 0x0500, "RAM controller" },
    { 0x0580, "Memory controller" },
    { 0x0600, "Host bridge" },
    { 0x0601, "ISA bridge" },
    { 0x0604, "PCI bridge" },
    { 0x0680, "Bridge" },
    { 0x0700, "Serial port" },
    { 0x0701, "Parallel port" },
    { 0x0800, "Interrupt controller" },
    { 0x0801, "DMA controller" },
    { 0x0802, "Timer" },
    { 0x0803, "RTC" },
    { 0x0c03, "USB controller" },
    { 0x0c05, "SMBus" },
};

const char *pci_class_description(uint16_t class_id)
{
    for (size_t i = 0; i < G_N_ELEMENTS(pci_class_names); i++) {
        if (pci_class_names[i].class_id == class_id) {
            return pci_class_names[i].desc;
        }
    }
    return NULL;
}

static JsonObject *pci_region_info(PCIDevice *d, int bar)
{
    PCIIORegion *r = &d->io_regions[bar];
    JsonObject *o = json_object_new();
    bool io = r->type & PCI_BASE_ADDRESS_SPACE_IO;

    json_object_set_int_member(o, "bar", bar);
    json_object_set_string_member(o, "type", io ? "io" : "memory");
    /* PCI_BAR_UNMAPPED travels as -1, as QEMU's int64 field carries it. */
    json_object_set_int_member(o, "address", (gint64)r->addr);
    json_object_set_int_member(o, "size", r->size);
    if (!io) {
        json_object_set_boolean_member(o, "prefetch",
                                       r->type & PCI_BASE_ADDRESS_MEM_PREFETCH);
        json_object_set_boolean_member(o, "mem_type_64",
                                       r->type & PCI_BASE_ADDRESS_MEM_TYPE_64);
    }
    return o;
}

static JsonObject *pci_device_info(PCIDevice *d)
{
    PCIBus *bus = pci_get_bus(d);
    JsonObject *o = json_object_new();
    JsonObject *cls = json_object_new();
    JsonObject *id = json_object_new();
    JsonArray *regions = json_array_new();
    uint16_t class_id = pci_get_word(d->config + PCI_CLASS_DEVICE);
    const char *desc = pci_class_description(class_id);

    json_object_set_int_member(o, "bus", bus->bus_num);
    json_object_set_int_member(o, "slot", PCI_SLOT(d->devfn));
    json_object_set_int_member(o, "function", PCI_FUNC(d->devfn));
    if (desc) {
        json_object_set_string_member(cls, "desc", desc);
    }
    json_object_set_int_member(cls, "class", class_id);
    json_object_set_object_member(o, "class_info", cls);
    json_object_set_int_member(id, "device", pci_get_word(d->config + PCI_DEVICE_ID));
    json_object_set_int_member(id, "vendor", pci_get_word(d->config + PCI_VENDOR_ID));
    json_object_set_int_member(id, "subsystem", pci_get_word(d->config + PCI_SUBSYSTEM_ID));
    json_object_set_int_member(id, "subsystem-vendor",
                               pci_get_word(d->config + PCI_SUBSYSTEM_VENDOR_ID));
    json_object_set_object_member(o, "id", id);
    if (d->config[PCI_INTERRUPT_PIN]) {
        json_object_set_int_member(o, "irq", d->config[PCI_INTERRUPT_LINE]);
    }
    json_object_set_int_member(o, "irq_pin", d->config[PCI_INTERRUPT_PIN]);
    json_object_set_string_member(o, "qdev_id", DEVICE(d)->id ? DEVICE(d)->id : "");
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        if (d->io_regions[i].size) {
            json_array_add_object_element(regions, pci_region_info(d, i));
        }
    }
    json_object_set_array_member(o, "regions", regions);
    /* emu's counters (not in QEMU's schema; clients ignore unknown members). */
    json_object_set_int_member(o, "x-ignored-accesses", DEVICE(d)->ignored_accesses);
    json_object_set_int_member(o, "x-msi-sent", d->msi_sent);
    json_object_set_int_member(o, "x-msi-blocked", d->msi_blocked);
    return o;
}

static int pci_bus_visit(Object *obj, void *opaque)
{
    PCIBus *bus = (PCIBus *)object_dynamic_cast(obj, TYPE_PCI_BUS);
    if (!bus) {
        return 0;
    }
    JsonObject *info = json_object_new();
    JsonArray *devs = json_array_new();
    json_object_set_int_member(info, "bus", bus->bus_num);
    for (int devfn = 0; devfn < 256; devfn++) {
        if (bus->devices[devfn]) {
            json_array_add_object_element(devs, pci_device_info(bus->devices[devfn]));
        }
    }
    json_object_set_array_member(info, "devices", devs);
    json_array_add_object_element(opaque, info);
    return 0;
}

static JsonNode *qmp_query_pci(JsonObject *args, Error **errp)
{
    JsonArray *arr = json_array_new();
    object_child_foreach_recursive(object_get_root(), pci_bus_visit, arr);
    JsonNode *n = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(n, arr);
    return n;
}

static gint64 member_int(JsonObject *o, const char *name)
{
    return json_object_get_int_member(o, name);
}

static void print_device(GString *out, JsonObject *d)
{
    JsonObject *cls = json_object_get_object_member(d, "class_info");
    JsonObject *id = json_object_get_object_member(d, "id");
    JsonArray *regions = json_object_get_array_member(d, "regions");

    g_string_append_printf(out, "  Bus %2" G_GINT64_FORMAT ", device %3" G_GINT64_FORMAT
                           ", function %" G_GINT64_FORMAT ":\n", member_int(d, "bus"),
                           member_int(d, "slot"), member_int(d, "function"));
    if (json_object_has_member(cls, "desc")) {
        g_string_append_printf(out, "    %s", json_object_get_string_member(cls, "desc"));
    } else {
        g_string_append_printf(out, "    Class %04" G_GINT64_MODIFIER "x",
                               member_int(cls, "class"));
    }
    g_string_append_printf(out, ": PCI device %04" G_GINT64_MODIFIER "x:%04"
                           G_GINT64_MODIFIER "x\n", member_int(id, "vendor"),
                           member_int(id, "device"));
    g_string_append_printf(out, "      PCI subsystem %04" G_GINT64_MODIFIER "x:%04"
                           G_GINT64_MODIFIER "x\n", member_int(id, "subsystem-vendor"),
                           member_int(id, "subsystem"));
    if (json_object_has_member(d, "irq")) {
        g_string_append_printf(out, "      IRQ %" G_GINT64_FORMAT ", pin %c\n",
                               member_int(d, "irq"),
                               (char)('A' + member_int(d, "irq_pin") - 1));
    }
    for (guint i = 0; i < json_array_get_length(regions); i++) {
        JsonObject *r = json_array_get_object_element(regions, i);
        uint64_t addr = (uint64_t)member_int(r, "address");
        uint64_t size = member_int(r, "size");
        g_string_append_printf(out, "      BAR%" G_GINT64_FORMAT ": ", member_int(r, "bar"));
        if (!strcmp(json_object_get_string_member(r, "type"), "io")) {
            if (addr != PCI_BAR_UNMAPPED) {
                g_string_append_printf(out, "I/O at 0x%04" PRIx64 " [0x%04" PRIx64 "]\n",
                                       addr, addr + size - 1);
            } else {
                g_string_append(out, "I/O (not mapped)\n");
            }
            continue;
        }
        const char *pf = json_object_get_boolean_member(r, "prefetch") ? " prefetchable"
                                                                         : "";
        int bits = json_object_get_boolean_member(r, "mem_type_64") ? 64 : 32;
        if (addr != PCI_BAR_UNMAPPED) {
            g_string_append_printf(out, "%d bit%s memory at 0x%08" PRIx64 " [0x%08" PRIx64
                                   "]\n", bits, pf, addr, addr + size - 1);
        } else {
            g_string_append_printf(out, "%d bit%s memory (not mapped)\n", bits, pf);
        }
    }
    g_string_append_printf(out, "      id \"%s\"\n",
                           json_object_get_string_member(d, "qdev_id"));
    gint64 ignored = member_int(d, "x-ignored-accesses");
    gint64 blocked = member_int(d, "x-msi-blocked");
    if (ignored || blocked) {
        g_string_append_printf(out, "      ignored accesses %" G_GINT64_FORMAT ", MSIs "
                               "blocked (bus mastering off) %" G_GINT64_FORMAT "\n",
                               ignored, blocked);
    }
}

static void info_pci(GString *out)
{
    Error *err = NULL;
    JsonNode *n = qmp_query_pci(NULL, &err);
    JsonArray *buses = json_node_get_array(n);

    if (!json_array_get_length(buses)) {
        g_string_append(out, "no PCI bus\n");
    }
    for (guint b = 0; b < json_array_get_length(buses); b++) {
        JsonArray *devs = json_object_get_array_member(
            json_array_get_object_element(buses, b), "devices");
        for (guint i = 0; i < json_array_get_length(devs); i++) {
            print_device(out, json_array_get_object_element(devs, i));
        }
    }
    json_node_unref(n);
}

static const MonitorCommand pci_commands[] = {
    {
        .name = "query-pci",
        .help = "PCI buses and devices",
        .qmp = qmp_query_pci,
    },
};

static void __attribute__((constructor)) pci_monitor_register(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(pci_commands); i++) {
        monitor_register_command(&pci_commands[i]);
    }
    monitor_register_info("pci", "show PCI info", info_pci);
}
