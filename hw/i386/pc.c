/*
 * -machine pc: the board. RAM below 4 GiB up to the PCI hole and the rest above
 * 4 GiB (as QEMU's i440FX pc), the ISA bus and its legacy devices, GSI routing.
 */
#include "hw/i386/pc.h"
#include "hw/i386/pc-devices.h"
#include "accel/accel.h"
#include "system/irqchip.h"
#include "system/system.h"
#include "util/log.h"

const uint16_t pc_serial_iobase[4] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
const uint8_t pc_serial_irq[4] = { 4, 3, 4, 3 };

/* ---- GSI router ---- */

static void gsi_router_set(void *opaque, int n, int level)
{
    GSIRouter *r = opaque;
    r->levels[n] = level;
    const IrqchipSink *sink = irqchip_get_sink();
    if (sink) {
        sink->set_gsi(sink->opaque, n, level);
    } else {
        qemu_set_irq(r->out[n], level);
    }
}

static void gsi_router_init(Object *obj)
{
    GSIRouter *r = GSI_ROUTER(obj);
    qdev_init_gpio_in(DEVICE(obj), gsi_router_set, GSI_NUM_PINS);
    qdev_init_gpio_out(DEVICE(obj), r->out, GSI_NUM_PINS);
}

/* ---- RAM ---- */

static void pc_memory_init(PCMachineState *pcms, Error **errp)
{
    MachineState *ms = MACHINE(pcms);
    uint64_t ram = ms->ram_size;
    uint64_t lowmem = pcms->max_ram_below_4g;

    /* QEMU's i440FX rule: with 3.5 GiB or more, keep the hole gigabyte-aligned. */
    if (ram >= lowmem && lowmem == PC_MAX_RAM_BELOW_4G) {
        lowmem = PC_GB_ALIGNED_BELOW_4G;
    }
    pcms->below_4g_mem_size = MIN(ram, lowmem);
    pcms->above_4g_mem_size = ram - pcms->below_4g_mem_size;

    if (!machine_create_ram(ms, errp)) {
        return;
    }
    MemoryRegion *sysmem = get_system_memory();
    memory_region_init_alias(&pcms->ram_below_4g, OBJECT(pcms), "ram-below-4g", ms->ram,
                             0, pcms->below_4g_mem_size);
    memory_region_add_subregion(sysmem, 0, &pcms->ram_below_4g);
    e820_add_entry(&pcms->e820, 0, pcms->below_4g_mem_size, E820_RAM);
    if (pcms->above_4g_mem_size) {
        memory_region_init_alias(&pcms->ram_above_4g, OBJECT(pcms), "ram-above-4g",
                                 ms->ram, pcms->below_4g_mem_size,
                                 pcms->above_4g_mem_size);
        memory_region_add_subregion(sysmem, PC_4G, &pcms->ram_above_4g);
        e820_add_entry(&pcms->e820, PC_4G, pcms->above_4g_mem_size, E820_RAM);
    }
}

/* ---- firmware ---- */

/*
 * -bios FILE: the image is ROM at the top of 4 GiB and its last 128 KiB also
 * appear below 1 MiB (the legacy BIOS area, 0xe0000-0xfffff), as on a PC where
 * the chipset decodes both to the flash.
 */
static bool pc_firmware_init(PCMachineState *pcms, Error **errp)
{
    MachineState *ms = MACHINE(pcms);
    if (!ms->firmware) {
        return true;
    }
    g_autofree char *path = datadir_find_file(ms->firmware);
    if (!path) {
        error_setg(errp, "-bios %s: file not found (searched -L directories and the "
                   "data directories)", ms->firmware);
        return false;
    }
    g_autofree char *data = NULL;
    gsize size;
    GError *gerr = NULL;
    if (!g_file_get_contents(path, &data, &size, &gerr)) {
        error_setg(errp, "-bios %s: %s", path, gerr->message);
        g_error_free(gerr);
        return false;
    }
    if (size == 0 || size % (64 * 1024) || size > 16 * 1024 * 1024) {
        error_setg(errp, "-bios %s: a PC BIOS image must be a multiple of 64 KiB and at "
                   "most 16 MiB (this one is %zu bytes)", path, (size_t)size);
        return false;
    }
    if (!memory_region_init_rom(&pcms->bios, OBJECT(pcms), "pc.bios", size, errp)) {
        return false;
    }
    memcpy(memory_region_get_ram_ptr(&pcms->bios), data, size);
    memory_region_add_subregion(get_system_memory(), PC_4G - size, &pcms->bios);

    uint64_t isa_size = MIN(size, 128 * 1024);
    memory_region_init_alias(&pcms->isa_bios, OBJECT(pcms), "isa-bios", &pcms->bios,
                             size - isa_size, isa_size);
    /* Above RAM: the chipset routes these reads to the flash. */
    memory_region_add_subregion_overlap(get_system_memory(), 0x100000 - isa_size,
                                        &pcms->isa_bios, 1);
    emu_log_mask(LOG_BOOT, "firmware: %s (%zu KiB at 0x%" PRIx64 ")\n", path,
                 (size_t)size / 1024, (uint64_t)(PC_4G - size));
    return true;
}

/* ---- the board ---- */

static void pc_init(MachineState *ms, Error **errp)
{
    PCMachineState *pcms = PC_MACHINE(ms);
    Error *err = NULL;

    if (ms->ram_size < 1024 * 1024) {
        error_setg(errp, "-m: machine 'pc' needs at least 1 MiB of RAM");
        return;
    }
    pc_memory_init(pcms, &err);
    if (err) {
        error_propagate(errp, err);
        return;
    }
    AccelState *accel = current_accel();
    if (accel && !ACCEL_GET_CLASS(accel)->no_cpus && !ms->kernel_filename &&
        !ms->firmware) {
        /* As QEMU: SeaBIOS unless -kernel boots directly (qtest has no CPU to run
         * it, and keeps the firmware-less machine unless given -bios). */
        ms->firmware = g_strdup(PC_DEFAULT_BIOS);
        if (!datadir_find_file(PC_DEFAULT_BIOS)) {
            error_setg(errp, "machine 'pc': nothing to boot: no -kernel, and the default "
                       "firmware %s is not in the -L directories or the data "
                       "directories (install Debian's seabios package)", PC_DEFAULT_BIOS);
            return;
        }
    }
    if (!pc_firmware_init(pcms, errp)) {
        return;
    }

    DeviceState *router = qdev_new(TYPE_GSI_ROUTER);
    object_property_add_child(OBJECT(ms), "gsi", OBJECT(router));
    qdev_realize_and_unref(router, NULL, &error_abort);
    pcms->gsi_router = GSI_ROUTER(router);
    for (int i = 0; i < GSI_NUM_PINS; i++) {
        pcms->gsi[i] = qdev_get_gpio_in(router, i);
    }

    pcms->isa_bus = isa_bus_new(DEVICE(ms), get_system_io());
    /* ISA IRQ n is GSI n; the IRQ0->GSI2 override lives in the irqchip routing
     * and the MADT. */
    isa_bus_set_irqs(pcms->isa_bus, pcms->gsi);

    if (!pc_devices_init(pcms, errp) || !pc_pci_init(pcms, errp) ||
        !pc_vga_init(pcms, errp) || !pc_nic_init(pcms, errp) || !pc_cpus_init(pcms, errp)) {
        return;
    }
    pc_acpi_tables_init(pcms);
    if (ms->kernel_filename && !pc_load_kernel(pcms, errp)) {
        return;
    }
    emu_log_mask(LOG_BOOT, "pc: %" PRIu64 " MiB below 4 GiB, %" PRIu64 " MiB above\n",
                 pcms->below_4g_mem_size >> 20, pcms->above_4g_mem_size >> 20);
}

static const char *const irqchip_modes[] = { "on", "off", "split", NULL };

static const Property pc_props[] = {
    DEFINE_PROP_ENUM("kernel-irqchip", PCMachineState, kernel_irqchip, KERNEL_IRQCHIP_ON,
                     irqchip_modes),
    DEFINE_PROP_BOOL("acpi", PCMachineState, acpi, true),
    DEFINE_PROP_BOOL("hpet", PCMachineState, hpet, true),
    DEFINE_PROP_BOOL("pit", PCMachineState, pit, true),
    DEFINE_PROP_SIZE("max-ram-below-4g", PCMachineState, max_ram_below_4g,
                     PC_MAX_RAM_BELOW_4G),
    DEFINE_PROP_END_OF_LIST(),
};

static void pc_finalize(Object *obj)
{
    e820_free(&PC_MACHINE(obj)->e820);
}

static void pc_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);
    mc->name = "pc";
    mc->desc = "Standard PC (i440FX + PIIX, 1996)";
    mc->is_default = true;
    mc->init = pc_init;
    mc->max_cpus = 255;
    mc->default_ram_size = 128 * 1024 * 1024;
    mc->default_display = "std";
    mc->block_default_type = IF_IDE;
    object_class_add_static_props(oc, pc_props);
}

static const TypeInfo pc_types[] = {
    {
        .name = TYPE_PC_MACHINE,
        .parent = TYPE_MACHINE,
        .instance_size = sizeof(PCMachineState),
        .instance_finalize = pc_finalize,
        .class_size = sizeof(PCMachineClass),
        .abstract = true,
    },
    {
        .name = MACHINE_TYPE_NAME("pc"),
        .parent = TYPE_PC_MACHINE,
        .class_init = pc_class_init,
    },
    {
        .name = TYPE_GSI_ROUTER,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(GSIRouter),
        .instance_init = gsi_router_init,
    },
};
DEFINE_TYPES(pc_types)
