/*
 * The pc board's NICs: one PCI device per -nic / -net nic request
 * (net_nic_requests()), after the VGA so that the first lands in slot 3 as
 * on QEMU's pc. The default NIC (no net option given) is an e1000 on a user
 * backend; a board built without that model skips it quietly, while a
 * model asked for by name must exist.
 */
#include "hw/i386/pc-devices.h"
#include "hw/pci/pci.h"
#include "net/net.h"
#include "util/log.h"

#define PC_DEFAULT_NIC "e1000"

bool pc_nic_init(PCMachineState *pcms, Error **errp)
{
    GPtrArray *reqs = net_nic_requests();

    for (guint i = 0; i < reqs->len; i++) {
        NICRequest *r = g_ptr_array_index(reqs, i);
        const char *model = r->model ? r->model : PC_DEFAULT_NIC;
        ObjectClass *oc = object_class_by_name(model);

        if (!oc || !object_class_dynamic_cast(oc, TYPE_PCI_DEVICE)) {
            if (r->implicit) {
                NetClientState *be = qemu_find_netdev(r->netdev_id);
                emu_log_mask(LOG_BOOT, "pc: no default NIC (%s is not built in)\n", model);
                qemu_del_net_client(be);
                continue;
            }
            error_setg(errp, "-nic model=%s: no such PCI NIC model (try -nic model=help)",
                       model);
            return false;
        }
        if (!pcms->pci_bus) {
            error_setg(errp, "-nic: the machine has no PCI bus for the NIC");
            return false;
        }
        DeviceState *dev = qdev_new(model);
        if (!object_property_set_str(OBJECT(dev), "netdev", r->netdev_id, errp) ||
            (r->mac && !object_property_set_str(OBJECT(dev), "mac", r->mac, errp))) {
            object_unref(OBJECT(dev));
            return false;
        }
        g_autofree char *child = g_strdup_printf("nic%u", i);
        object_property_add_child(OBJECT(pcms), child, OBJECT(dev));
        if (!qdev_realize_and_unref(dev, BUS(pcms->pci_bus), errp)) {
            error_prepend(errp, "-nic model=%s: ", model);
            return false;
        }
        PCIDevice *pd = PCI_DEVICE(dev);
        emu_log_mask(LOG_BOOT, "pc: NIC %s at %02x.%x on netdev %s\n", model,
                     PCI_SLOT(pd->devfn), PCI_FUNC(pd->devfn), r->netdev_id);
    }
    return true;
}
