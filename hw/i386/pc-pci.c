/*
 * The PC's PCI side, laid out as QEMU's i440FX pc: the 82441FX host bridge
 * at 00.0 (/machine/i440fx, bus pci.0) and the PIIX3 ISA bridge at 01.0
 * (/machine/piix3). The legacy ISA devices stay on the machine's ISA bus.
 *
 * Wiring:
 *   - PCI memory space lies under system memory (priority -1); the -bios
 *     image's copy below 1 MiB ("isa-bios") moves into it, where the PAM
 *     registers' "PCI" setting finds it, as on a board whose BIOS flash
 *     answers behind the bridge.
 *   - PCI I/O space is the machine's I/O space; the host bridge decodes
 *     0xcf8/0xcfc above everything, and hands byte accesses at 0xcf9 to the
 *     reset control register (hw/acpi/pm.c), which PIIX3 decodes on real
 *     boards.
 *   - PIIX3's PIRQ outputs drive GSI n for ISA IRQ n and GSI 16-19 for
 *     PIRQA-D.
 *   - MSIs: with emu's own APICs a message is a write to their window at
 *     0xfee00000 (hw/i386/pc-intc.c); with KVM's in-kernel irqchip nothing
 *     in emu's memory map takes it, so the hook hands it to KVM; with KVM and
 *     kernel-irqchip=off a hook hands it to emu's APIC bus (apic_send_msi).
 */
#include "hw/i386/pc-devices.h"
#include "hw/pci-host/i440fx.h"
#include "hw/isa/piix3.h"
#include "hw/ide/piix-ide.h"
#include "hw/pci/msi.h"
#include "hw/acpi/pm.h"
#include "hw/acpi/piix4-pm.h"
#include "system/kvm.h"
#include "hw/intc/apic.h"
#include "util/log.h"

static bool pc_kvm_msi(PCIDevice *dev, MSIMessage msg)
{
    return (msg.address >> 20) == 0xfee && kvm_send_msi(msg.address, msg.data) >= 0;
}

/* KVM with kernel-irqchip=off: straight to emu's APIC bus, whichever thread
 * raises it (a vCPU thread's write to 0xfee00000 would reach its own APIC). */
static bool pc_user_irqchip_msi(PCIDevice *dev, MSIMessage msg)
{
    if ((msg.address >> 20) != 0xfee) {
        return false;
    }
    apic_send_msi(msg.address, msg.data);
    return true;
}

bool pc_pci_init(PCMachineState *pcms, Error **errp)
{
    MachineState *ms = MACHINE(pcms);

    /*
     * Without firmware nobody programs PAM, so it comes out of reset with the
     * BIOS area as RAM (what a BIOS leaves for the OS): the ACPI and MP tables
     * of direct boot live there.
     */
    I440FXState *host = i440fx_init(OBJECT(pcms), "i440fx", get_system_memory(),
                                    get_system_io(), ms->ram, !ms->firmware, errp);
    if (!host) {
        return false;
    }
    PCIBus *bus = PCI_HOST_BRIDGE(host)->bus;
    pcms->pci_bus = bus;

    if (memory_region_is_mapped(&pcms->isa_bios)) {
        uint64_t at = memory_region_get_address(&pcms->isa_bios);
        memory_region_transaction_begin();
        memory_region_del_subregion(get_system_memory(), &pcms->isa_bios);
        /* Above BARs: the bridge decodes the BIOS range to the flash first. */
        memory_region_add_subregion_overlap(&host->pci_memory, at, &pcms->isa_bios, 2);
        memory_region_transaction_commit();
    }

    DeviceState *piix3 = qdev_new(TYPE_PIIX3_DEVICE);
    PCI_DEVICE(piix3)->devfn = PCI_DEVFN(1, 0);
    /* Functions 1.1 (IDE) and 1.3 (ACPI PM) join it later. */
    PCI_DEVICE(piix3)->multifunction = true;
    object_property_add_child(OBJECT(pcms), "piix3", OBJECT(piix3));
    if (!qdev_realize_and_unref(piix3, BUS(bus), errp)) {
        return false;
    }
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        qdev_connect_gpio_out_named(piix3, PIIX3_ISA_IRQ_OUT, i, pcms->gsi[i]);
    }
    for (int i = 0; i < PIIX_NUM_PIRQS; i++) {
        qdev_connect_gpio_out_named(piix3, PIIX3_PIRQ_GSI_OUT, i,
                                    pcms->gsi[PIIX3_PIRQ_GSI_BASE + i]);
    }

    /* PIIX3 IDE at 01.1 on IRQ 14/15, with the if=ide drives. */
    if (!piix3_ide_create(OBJECT(pcms), bus, PCI_DEVFN(1, 1), pcms->gsi[14], pcms->gsi[15],
                          errp)) {
        return false;
    }

    /* PIIX4's PM function at 01.3 places the ACPI PM block (hw/acpi/piix4-pm.c). */
    Object *pm = object_resolve_path_type("/machine/acpi-pm", TYPE_ACPI_PM, NULL);
    if (pm) {
        DeviceState *pmf = qdev_new(TYPE_PIIX4_PM);
        PCI_DEVICE(pmf)->devfn = PCI_DEVFN(1, 3);
        object_property_set_link(OBJECT(pmf), "pm", pm, &error_abort);
        object_property_set_bool(OBJECT(pmf), "firmware", ms->firmware != NULL,
                                 &error_abort);
        object_property_set_uint(OBJECT(pmf), "pm-base", ACPI_PM_IOBASE, &error_abort);
        object_property_add_child(OBJECT(pcms), "piix4-pm", OBJECT(pmf));
        if (!qdev_realize_and_unref(pmf, BUS(bus), errp)) {
            return false;
        }
    }

    Object *rcr = object_resolve_path_type("/machine/reset-control", TYPE_PC_RESET_CONTROL,
                                           NULL);
    if (rcr) {
        pci_host_set_conf_passthrough(PCI_HOST_BRIDGE(host), &PC_RESET_CONTROL(rcr)->io,
                                      PC_RESET_CONTROL_PORT);
    }
    if (kvm_irqchip_in_kernel()) {
        msi_set_deliver_hook(pc_kvm_msi);
    } else if (kvm_enabled()) {
        msi_set_deliver_hook(pc_user_irqchip_msi);
    }
    emu_log_mask(LOG_BOOT, "pc: PCI bus pci.0 with i440FX at 00.0, PIIX3 at 01.0; PAM "
                 "resets to %s\n", ms->firmware ? "PCI (firmware shadows itself)"
                                                : "RAM (no firmware)");
    return true;
}
