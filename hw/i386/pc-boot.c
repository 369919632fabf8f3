/* -kernel on the PC: multiboot or Linux bzImage, loaded without firmware. */
#include "hw/i386/pc-devices.h"

bool pc_load_kernel(PCMachineState *pcms, Error **errp)
{
    error_setg(errp, "-kernel: direct kernel boot is not built yet in this version of emu");
    return false;
}
