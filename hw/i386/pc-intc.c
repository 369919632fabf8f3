/*
 * The PC's interrupt controllers and timers, where emu emulates them (TCG,
 * qtest, KVM with kernel-irqchip=off): the 8259 pair at /machine/i8259, the I/O
 * APIC at /machine/ioapic (0xfec00000), the 8254 at /machine/i8254, and the
 * HPET at /machine/hpet0 (0xfed00000; also under KVM's in-kernel irqchip, where
 * its GSIs go to KVM through the GSI router's sink).
 *
 * GSI routing (the MADT's view, hw/acpi/acpi-build.c): GSI router input n is
 * ISA IRQ n for n < 16. Output n drives 8259 input n (n < 16, except 2: the
 * master's IR2 is the cascade) and I/O APIC pin n, except that ISA IRQ 0 goes
 * to pin 2 (the MADT's interrupt source override); pin 2 also takes GSI 2
 * (the HPET's non-legacy route). The 8259's INT goes to LINT0 of every local
 * APIC and, as on the PIIX/ICH, to I/O APIC pin 0 (virtual wire mode B).
 *
 * The local APICs themselves are the CPUs' (hw/i386/x86-apic-wiring.c, one per
 * CPU from pc-cpus.c). Here is the 1 MiB window at 0xfee00000 they share: an
 * access from a vCPU thread reaches that CPU's own APIC page (the wiring's
 * current-CPU hook, as QEMU's cpu_get_current_apic), a device write is an MSI.
 */
#include "hw/i386/pc-devices.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "hw/intc/apic.h"
#include "hw/timer/i8254.h"
#include "hw/timer/hpet.h"
#include "hw/misc/port61.h"
#include "hw/rtc/mc146818rtc.h"
#include "monitor/monitor.h"
#include "system/irqchip.h"
#include "util/log.h"

#define PC_MSI_WINDOW_SIZE 0x100000

typedef struct PCIntc {
    DeviceState *pic;
    DeviceState *ioapic;
    qemu_irq ioapic_pin0;
    qemu_irq ioapic_pin2;
    bool pin2_sources[2];       /* GSI 0 (ISA IRQ 0) and GSI 2 */
    MemoryRegion msi_window;
} PCIntc;

static PCIntc pc_intc;

/* I/O APIC pin 2 is asserted while either ISA IRQ 0 or GSI 2 is. */
static void pc_pin2_in(void *opaque, int n, int level)
{
    PCIntc *p = opaque;
    p->pin2_sources[n] = level;
    qemu_set_irq(p->ioapic_pin2, p->pin2_sources[0] || p->pin2_sources[1]);
}

static void pc_pic_int(void *opaque, int n, int level)
{
    PCIntc *p = opaque;
    apic_bus_set_pic_int(level);
    qemu_set_irq(p->ioapic_pin0, level);
}

static int pc_pic_ack(void *opaque)
{
    return pic_read_irq(opaque);
}

static uint64_t pc_msi_read(void *opaque, hwaddr addr, unsigned size)
{
    return apic_bus_mmio_read(addr);
}

static void pc_msi_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    apic_bus_mmio_write(addr, val);
}

static const MemoryRegionOps pc_msi_ops = {
    .read = pc_msi_read,
    .write = pc_msi_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static DeviceState *pc_intc_add(PCMachineState *pcms, const char *type, const char *name,
                                BusState *bus, Error **errp)
{
    DeviceState *dev = qdev_new(type);
    object_property_add_child(OBJECT(pcms), name, OBJECT(dev));
    if (!qdev_realize_and_unref(dev, bus, errp)) {
        return NULL;
    }
    return dev;
}

static bool pc_irqchip_init(PCMachineState *pcms, Error **errp)
{
    PCIntc *p = &pc_intc;
    DeviceState *router = DEVICE(pcms->gsi_router);

    p->pic = pc_intc_add(pcms, TYPE_I8259, "i8259", BUS(pcms->isa_bus), errp);
    p->ioapic = p->pic ? pc_intc_add(pcms, TYPE_IOAPIC, "ioapic", NULL, errp) : NULL;
    if (!p->ioapic) {
        return false;
    }
    memory_region_add_subregion(get_system_memory(), IOAPIC_DEFAULT_BASE,
                                &IOAPIC(p->ioapic)->mmio);

    qemu_irq *pin2 = qemu_allocate_irqs(pc_pin2_in, p, 2);
    p->ioapic_pin0 = qdev_get_gpio_in(p->ioapic, 0);
    p->ioapic_pin2 = qdev_get_gpio_in(p->ioapic, 2);
    for (int gsi = 0; gsi < GSI_NUM_PINS; gsi++) {
        qemu_irq to_ioapic = gsi == 0 ? pin2[0] : gsi == 2 ? pin2[1]
                                                            : qdev_get_gpio_in(p->ioapic, gsi);
        qemu_irq out = to_ioapic;
        if (gsi < ISA_NUM_IRQS && gsi != PIC_CASCADE_IRQ) {
            out = qemu_irq_split(qdev_get_gpio_in(p->pic, gsi), to_ioapic);
        }
        qdev_connect_gpio_out(router, gsi, out);
    }
    qdev_connect_gpio_out(p->pic, 0, qemu_allocate_irq(pc_pic_int, p, 0));
    apic_bus_set_extint(pc_pic_ack, p->pic);

    memory_region_init_io(&p->msi_window, OBJECT(pcms), &pc_msi_ops, NULL, "apic-msi",
                          PC_MSI_WINDOW_SIZE);
    memory_region_add_subregion(get_system_memory(), APIC_DEFAULT_BASE, &p->msi_window);
    return true;
}

/*
 * The HPET's legacy replacement takes IRQ 0 and IRQ 8 from the PIT and the
 * RTC (HPET spec §2.4): both reach their GSI through the HPET, which passes
 * them on unless LEG_RT_CNF is set (QEMU gates them the same way).
 */
static DeviceState *pc_hpet_init(PCMachineState *pcms, Error **errp)
{
    DeviceState *hpet = pc_intc_add(pcms, TYPE_HPET, "hpet0", NULL, errp);
    if (!hpet) {
        return NULL;
    }
    memory_region_add_subregion(get_system_memory(), HPET_BASE, &HPET(hpet)->mmio);
    for (int i = 0; i < HPET_NUM_IRQS; i++) {
        qdev_connect_gpio_out(hpet, i, pcms->gsi[i]);
    }
    /* The RTC took its IRQ 8 line at realize (pc_rtc_init runs first). */
    Object *rtc = object_resolve_path_type("/machine/rtc", TYPE_MC146818_RTC, NULL);
    if (rtc) {
        MC146818_RTC(rtc)->irq = qdev_get_gpio_in_named(hpet, HPET_LEGACY_IN, 1);
    }
    return hpet;
}

static bool pc_pit_init(PCMachineState *pcms, DeviceState *hpet, Error **errp)
{
    DeviceState *pit = pc_intc_add(pcms, TYPE_I8254, "i8254", BUS(pcms->isa_bus), errp);
    if (!pit) {
        return false;
    }
    if (hpet) {
        qdev_connect_gpio_out(pit, 0, qdev_get_gpio_in_named(hpet, HPET_LEGACY_IN, 0));
        qdev_connect_gpio_out_named(hpet, HPET_PIT_ENABLE_OUT, 0,
                                    qdev_get_gpio_in_named(pit, PIT_IRQ_ENABLE_LINE, 0));
    } else {
        qdev_connect_gpio_out(pit, 0, pcms->gsi[0]);
    }
    /* Channel 2's gate is port 0x61 bit 0, its output port 0x61 bit 5. */
    Object *port61 = object_resolve_path_type("/machine/port61", TYPE_PORT61, NULL);
    if (port61) {
        qdev_connect_gpio_out_named(DEVICE(port61), PORT61_PIT_GATE2_LINE, 0,
                                    qdev_get_gpio_in_named(pit, PIT_GATE2_LINE, 0));
        qdev_connect_gpio_out_named(pit, PIT_OUT2_LINE, 0,
                                    qdev_get_gpio_in_named(DEVICE(port61),
                                                           PORT61_PIT_OUT2_LINE, 0));
    }
    return true;
}

bool pc_intc_timers_init(PCMachineState *pcms, Error **errp)
{
    /* With an in-kernel irqchip (KVM) the PIC, I/O APIC, LAPICs and PIT are
     * the kernel's; the GSI router feeds them through its sink. */
    bool own_irqchip = irqchip_get_sink() == NULL;
    DeviceState *hpet = NULL;

    if (own_irqchip && !pc_irqchip_init(pcms, errp)) {
        return false;
    }
    if (pcms->hpet && !(hpet = pc_hpet_init(pcms, errp))) {
        return false;
    }
    if (own_irqchip && pcms->pit && !pc_pit_init(pcms, hpet, errp)) {
        return false;
    }
    emu_log_mask(LOG_BOOT, "pc: %s interrupt controllers%s%s\n",
                 own_irqchip ? "emulated 8259/I/O APIC" : "in-kernel",
                 own_irqchip && pcms->pit ? ", emulated 8254" : "",
                 hpet ? ", emulated HPET" : "");
    return true;
}

static void info_pic(GString *out)
{
    Object *pic = object_resolve_path_type("/machine/i8259", TYPE_I8259, NULL);
    Object *ioapic = object_resolve_path_type("/machine/ioapic", TYPE_IOAPIC, NULL);

    if (!pic && !ioapic) {
        g_string_append(out, "no emulated PIC or I/O APIC (in-kernel irqchip)\n");
        return;
    }
    if (pic) {
        pic_print_info(DEVICE(pic), out);
    }
    if (ioapic) {
        ioapic_print_info(DEVICE(ioapic), out);
    }
}

static void info_irq(GString *out)
{
    Object *pic = object_resolve_path_type("/machine/i8259", TYPE_I8259, NULL);
    Object *ioapic = object_resolve_path_type("/machine/ioapic", TYPE_IOAPIC, NULL);

    if (!pic && !ioapic) {
        g_string_append(out, "no emulated PIC or I/O APIC (in-kernel irqchip)\n");
        return;
    }
    if (pic) {
        g_string_append(out, "8259 inputs (rising edges):\n");
        pic_print_irq_counts(DEVICE(pic), out);
    }
    if (ioapic) {
        g_string_append(out, "I/O APIC pins (rising edges):\n");
        ioapic_print_irq_counts(DEVICE(ioapic), out);
    }
}

static void __attribute__((constructor)) pc_intc_register_info(void)
{
    monitor_register_info("pic", "show the 8259 PICs and the I/O APIC", info_pic);
    monitor_register_info("irq", "show interrupt counts per input", info_irq);
}
