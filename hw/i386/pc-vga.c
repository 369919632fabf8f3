/*
 * The PC's video card for -vga (system/main.c decides which: -vga MODEL,
 * else none with -nodefaults or a display card given by -device, else the
 * machine's default, "std"). "std" is the PCI VGA (1234:1111), placed in the
 * first free slot after the chipset: 00:02.0, as on QEMU's pc.
 */
#include "hw/i386/pc-devices.h"
#include "hw/pci/pci.h"
#include "system/system.h"
#include "util/log.h"

bool pc_vga_init(PCMachineState *pcms, Error **errp)
{
    const char *model = vga_model;

    if (!model || !strcmp(model, "none")) {
        return true;
    }
    if (strcmp(model, "std")) {
        error_setg(errp, "-vga %s: machine 'pc' has no such video card (std or none)", model);
        return false;
    }
    if (!pcms->pci_bus) {
        error_setg(errp, "-vga std: the machine has no PCI bus for the VGA");
        return false;
    }
    DeviceState *dev = qdev_new("VGA");
    PCIDevice *pd = PCI_DEVICE(dev);
    /*
     * The VGA BIOS (vgabios-stdvga.bin, Debian's seabios package) only matters
     * when firmware runs; without it the card works, and direct kernel boot
     * does not need it.
     */
    g_autofree char *rom = datadir_find_file(pd->romfile);
    if (!rom) {
        if (MACHINE(pcms)->firmware) {
            warn_report("-vga std: %s not found (searched -L directories and the data "
                        "directories): the firmware will show nothing on the screen",
                        pd->romfile);
        }
        emu_log_mask(LOG_BOOT, "vga: no option ROM (%s not found)\n", pd->romfile);
        g_free(pd->romfile);
        pd->romfile = NULL;
    }
    object_property_add_child(OBJECT(pcms), "vga", OBJECT(dev));
    if (!qdev_realize_and_unref(dev, BUS(pcms->pci_bus), errp)) {
        return false;
    }
    emu_log_mask(LOG_BOOT, "vga: std (PCI 1234:1111) at %02x.%x, %s\n",
                 PCI_SLOT(pd->devfn), PCI_FUNC(pd->devfn),
                 rom ? rom : "no option ROM");
    return true;
}
