/*
 * The PC's built-in devices. Each family has its own function so the wiring of
 * one does not disturb the others.
 */
#include "hw/i386/pc-devices.h"
#include "system/system.h"
#include "system/runstate.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/nvram/fw-bootorder.h"
#include "hw/firmware/smbios.h"
#include "hw/acpi/pm.h"
#include "hw/acpi/acpi-build.h"
#include "hw/input/i8042.h"
#include "hw/misc/port92.h"
#include "hw/misc/port61.h"
#include "hw/misc/ioport80.h"
#include "hw/char/serial.h"
#include "hw/rtc/mc146818rtc.h"

/* COM1..COM4 for every -serial (16550A at the legacy addresses). */
static bool pc_serial_init(PCMachineState *pcms, Error **errp)
{
    for (int i = 0; i < MAX_SERIAL_PORTS && i < ISA_SERIAL_MAX_INDEX; i++) {
        Chardev *chr = serial_hd(i);
        if (chr && !serial_isa_create(pcms->isa_bus, i, chr, errp)) {
            error_prepend(errp, "COM%d: ", i + 1);
            return false;
        }
    }
    return true;
}

/* QEMU's CMOS boot device nibbles, as SeaBIOS reads them (0x3d, 0x38). */
static int pc_boot_device_nibble(char c)
{
    switch (c) {
    case 'a':
    case 'b':
        return 1;       /* floppy */
    case 'c':
        return 2;       /* hard disk */
    case 'd':
        return 3;       /* CD-ROM */
    case 'n':
        return 4;       /* network */
    default:
        return 0;
    }
}

/* MC146818 RTC and CMOS at 0x70, IRQ 8. */
static bool pc_rtc_init(PCMachineState *pcms, Error **errp)
{
    MachineState *ms = MACHINE(pcms);
    DeviceState *dev = qdev_new(TYPE_MC146818_RTC);
    object_property_add_child(OBJECT(pcms), "rtc", OBJECT(dev));
    if (!qdev_realize_and_unref(dev, BUS(pcms->isa_bus), errp)) {
        return false;
    }
    ISADevice *rtc = ISA_DEVICE(dev);
    uint64_t below = pcms->below_4g_mem_size;
    uint64_t val;

    /* The PC/AT CMOS layout that SeaBIOS reads (QEMU's pc_cmos_init). */
    rtc_set_memory(rtc, 0x10, 0);               /* no floppy drives */
    rtc_set_memory(rtc, 0x12, 0);               /* no IDE disks (yet) */
    /* Equipment: FPU, PS/2 mouse; display bits 00 = EGA/VGA, no floppy. */
    rtc_set_memory(rtc, 0x14, 0x02 | 0x04);
    /* Base memory in KiB. */
    val = MIN(below / 1024, 640);
    rtc_set_memory(rtc, 0x15, val);
    rtc_set_memory(rtc, 0x16, val >> 8);
    /* Extended memory from 1 MiB in KiB, saturating at 65535 (64 MiB). */
    val = below > 1024 * 1024 ? MIN((below - 1024 * 1024) / 1024, 65535) : 0;
    rtc_set_memory(rtc, 0x17, val);
    rtc_set_memory(rtc, 0x18, val >> 8);
    rtc_set_memory(rtc, 0x30, val);
    rtc_set_memory(rtc, 0x31, val >> 8);
    /* Memory from 16 MiB up to the PCI hole, in 64 KiB units. */
    val = below > 16 * 1024 * 1024 ? MIN((below - 16 * 1024 * 1024) / 65536, 65535) : 0;
    rtc_set_memory(rtc, 0x34, val);
    rtc_set_memory(rtc, 0x35, val >> 8);
    /* Memory above 4 GiB in 64 KiB units, 24 bits. */
    val = pcms->above_4g_mem_size / 65536;
    rtc_set_memory(rtc, 0x5b, val);
    rtc_set_memory(rtc, 0x5c, val >> 8);
    rtc_set_memory(rtc, 0x5d, val >> 16);
    rtc_set_memory(rtc, 0x5f, MAX(ms->smp.cpus, 1u) - 1);

    /* Boot order: up to three devices; 0x38 bit 0 = 0 keeps the floppy
     * boot-sector signature check on, as QEMU's default. */
    const char *order = ms->boot_order ? ms->boot_order : "cad";
    int bds[3] = { 0 };
    if (strlen(order) > 3) {
        error_setg(errp, "-boot order=%s: the PC takes at most 3 boot devices", order);
        return false;
    }
    for (int i = 0; order[i]; i++) {
        bds[i] = pc_boot_device_nibble(order[i]);
        if (!bds[i]) {
            error_setg(errp, "-boot order=%s: invalid boot device '%c' for the PC "
                       "(use a, c, d or n)", order, order[i]);
            return false;
        }
    }
    rtc_set_memory(rtc, 0x3d, (bds[1] << 4) | bds[0]);
    rtc_set_memory(rtc, 0x38, bds[2] << 4);
    return true;
}

/* Create @type on the ISA bus as /machine/@name. */
static bool pc_input_misc_add(PCMachineState *pcms, const char *type, const char *name,
                              Error **errp)
{
    DeviceState *dev = qdev_new(type);
    object_property_add_child(OBJECT(pcms), name, OBJECT(dev));
    return qdev_realize_and_unref(dev, BUS(pcms->isa_bus), errp);
}

/* i8042 keyboard controller (0x60/0x64, IRQ 1 and 12), port 0x92, port 0x61,
 * port 0x80. Their A20 outputs ("a20" on i8042 and port92) are left for the
 * CPU's A20 mask to connect; port61 is wired to the PIT in pc-intc.c. */
static bool pc_input_misc_init(PCMachineState *pcms, Error **errp)
{
    return pc_input_misc_add(pcms, TYPE_I8042, "i8042", errp) &&
           pc_input_misc_add(pcms, TYPE_PORT92, "port92", errp) &&
           pc_input_misc_add(pcms, TYPE_PORT61, "port61", errp) &&
           pc_input_misc_add(pcms, TYPE_IOPORT80, "ioport80", errp);
}

/*
 * The e820 map as fw_cfg carries it (QEMU's pc): "etc/e820" lists every range,
 * FW_CFG_E820_TABLE (older SeaBIOS) only the non-RAM ones, at most 16.
 */
static void pc_fw_cfg_update_e820(PCMachineState *pcms)
{
    E820Table map = e820_normalized(&pcms->e820);
    uint8_t legacy[4 + 16 * sizeof(E820Entry)] = { 0 };
    uint32_t nlegacy = 0;

    for (unsigned i = 0; i < map.count; i++) {
        E820Entry le = {
            .addr = GUINT64_TO_LE(map.entries[i].addr),
            .size = GUINT64_TO_LE(map.entries[i].size),
            .type = GUINT32_TO_LE(map.entries[i].type),
        };
        map.entries[i] = le;
        if (GUINT32_FROM_LE(le.type) != E820_RAM && nlegacy < 16) {
            memcpy(legacy + 4 + nlegacy++ * sizeof(E820Entry), &le, sizeof(le));
        }
    }
    legacy[0] = nlegacy;
    fw_cfg_modify_file(pcms->fw_cfg, "etc/e820", map.entries,
                       map.count * sizeof(E820Entry));
    fw_cfg_modify_bytes(pcms->fw_cfg, FW_CFG_E820_TABLE, legacy, sizeof(legacy));
    e820_free(&map);
}

/* Devices and the kernel loader add e820 ranges after pc_fw_cfg_init, and
 * -device adds bootindex entries after it: both are final at reset. */
static void pc_fw_cfg_reset(void *opaque)
{
    PCMachineState *pcms = opaque;
    size_t len;
    g_autofree char *order = get_boot_devices_list(MACHINE(pcms)->boot_strict, &len);

    pc_fw_cfg_update_e820(pcms);
    fw_cfg_modify_file(pcms->fw_cfg, "bootorder", order, len);
}

/* The SMBIOS tables and entry point SeaBIOS installs (hw/smbios/smbios.c). */
static void pc_fw_cfg_smbios(PCMachineState *pcms)
{
    MachineState *ms = MACHINE(pcms);
    SmbiosMachineInfo mi = {
        .manufacturer = "emu",
        .product = MACHINE_GET_CLASS(ms)->desc,
        .version = MACHINE_GET_CLASS(ms)->name,
        .below_4g_mem_size = pcms->below_4g_mem_size,
        .above_4g_mem_size = pcms->above_4g_mem_size,
        .cpus = ms->smp.cpus,
    };
    uint8_t *tables, *anchor;
    size_t tables_len, anchor_len;

    smbios_build(&mi, &tables, &tables_len, &anchor, &anchor_len);
    fw_cfg_add_file_take(pcms->fw_cfg, "etc/smbios/smbios-tables", tables, tables_len);
    fw_cfg_add_file_take(pcms->fw_cfg, "etc/smbios/smbios-anchor", anchor, anchor_len);
}

/*
 * fw_cfg at 0x510/0x511 with DMA at 0x514, with the items QEMU's pc gives
 * SeaBIOS. The kernel loader fills the FW_CFG_KERNEL_* / INITRD_* / CMDLINE_* /
 * SETUP_* keys itself (fw_cfg_modify_*), ACPI adds etc/acpi/ and etc/table-loader.
 */
static bool pc_fw_cfg_init(PCMachineState *pcms, Error **errp)
{
    MachineState *ms = MACHINE(pcms);
    FWCfgState *fw = fw_cfg_init_io_dma(FW_CFG_IO_BASE, FW_CFG_DMA_IO_BASE, errp);
    static const uint8_t no_acpi_tables[2];     /* legacy -acpitable blob: count 0 */
    /* -boot reboot-timeout= in ms; -1 (the default): wait for a key forever. */
    uint32_t boot_fail_wait = GUINT32_TO_LE(ms->boot_reboot_timeout < 0 ? UINT32_MAX
                                            : (uint32_t)ms->boot_reboot_timeout);

    if (!fw) {
        return false;
    }
    pcms->fw_cfg = fw;
    fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, ms->ram_size);
    fw_cfg_add_i16(fw, FW_CFG_NB_CPUS, ms->smp.cpus);
    fw_cfg_add_i16(fw, FW_CFG_MAX_CPUS, ms->smp.max_cpus);
    fw_cfg_add_i16(fw, FW_CFG_NOGRAPHIC, !ms->graphics);
    fw_cfg_add_i16(fw, FW_CFG_BOOT_MENU, ms->boot_menu);
    fw_cfg_add_i32(fw, FW_CFG_IRQ0_OVERRIDE, 1);
    fw_cfg_add_bytes(fw, FW_CFG_ACPI_TABLES, no_acpi_tables, sizeof(no_acpi_tables));
    /* The first -boot order= device, as a letter (QEMU's FW_CFG_BOOT_DEVICE);
     * the whole order is in CMOS 0x3d/0x38, where SeaBIOS reads it. */
    fw_cfg_add_i16(fw, FW_CFG_BOOT_DEVICE, ms->boot_order ? ms->boot_order[0] : 'c');
    fw_cfg_add_file(fw, "bootorder", NULL, 0);
    fw_cfg_add_file(fw, "etc/boot-fail-wait", &boot_fail_wait, sizeof(boot_fail_wait));
    if (ms->boot_menu && ms->boot_splash_time > 0) {
        /* -boot menu=on,splash-time=MS: how long SeaBIOS shows the menu prompt. */
        uint16_t wait = GUINT16_TO_LE(MIN(ms->boot_splash_time, 0xffff));
        fw_cfg_add_file(fw, "etc/boot-menu-wait", &wait, sizeof(wait));
    }
    pc_fw_cfg_smbios(pcms);
    if (!fw_cfg_add_user_files(fw, errp)) {
        return false;
    }
    pc_fw_cfg_update_e820(pcms);
    register_reset_handler(pc_fw_cfg_reset, pcms);
    return true;
}

static void pc_acpi_reset(void *opaque)
{
    /* The guest may have scribbled over the tables in RAM: write them again. */
    pc_acpi_build(opaque);
}

/*
 * ACPI PM1 block at ACPI_PM_IOBASE (SCI on IRQ 9) and the ACPI/MP tables; the
 * PIIX3 reset control register at 0xcf9, which exists with acpi=off too.
 */
static bool pc_acpi_init(PCMachineState *pcms, Error **errp)
{
    DeviceState *rcr = qdev_new(TYPE_PC_RESET_CONTROL);
    object_property_add_child(OBJECT(pcms), "reset-control", OBJECT(rcr));
    if (!qdev_realize_and_unref(rcr, BUS(pcms->isa_bus), errp)) {
        return false;
    }
    if (pcms->acpi) {
        DeviceState *pm = qdev_new(TYPE_ACPI_PM);
        object_property_set_uint(OBJECT(pm), "iobase", ACPI_PM_IOBASE, &error_abort);
        object_property_set_uint(OBJECT(pm), "sci_irq", ACPI_SCI_IRQ, &error_abort);
        object_property_add_child(OBJECT(pcms), "acpi-pm", OBJECT(pm));
        if (!qdev_realize_and_unref(pm, BUS(pcms->isa_bus), errp)) {
            return false;
        }
    }
    /* The tables (direct boot) or the BIOS (firmware) live here. */
    e820_add_entry(&pcms->e820, ACPI_BUILD_AREA_BASE,
                   ACPI_BUILD_AREA_END - ACPI_BUILD_AREA_BASE, E820_RESERVED);
    return true;
}

void pc_acpi_tables_init(PCMachineState *pcms)
{
    pc_acpi_build(pcms);
    register_reset_handler(pc_acpi_reset, pcms);
}

bool pc_devices_init(PCMachineState *pcms, Error **errp)
{
    return pc_serial_init(pcms, errp) &&
           pc_rtc_init(pcms, errp) &&
           pc_input_misc_init(pcms, errp) &&
           pc_intc_timers_init(pcms, errp) &&
           pc_fw_cfg_init(pcms, errp) &&
           pc_acpi_init(pcms, errp);
}
