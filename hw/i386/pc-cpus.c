/* The PC's vCPUs. */
#include "hw/i386/pc-devices.h"
#include "accel/accel.h"

bool pc_cpus_init(PCMachineState *pcms, Error **errp)
{
    AccelState *accel = current_accel();
    if (!accel || ACCEL_GET_CLASS(accel)->no_cpus) {
        return true;   /* qtest: devices only */
    }
    error_setg(errp, "machine 'pc': the x86 CPU is not built yet in this version of emu");
    return false;
}
