/*
 * Migration of PCI functions, in-process: two "rigs" (a PCI root bus each,
 * with its own memory and I/O spaces and INTx lines), a function driven into
 * a non-trivial state on the first, its state moved to a fresh one on the
 * second (vmstate_roundtrip), then both compared by behaviour: BAR
 * placement, INTx, MSI-X pending messages going out on unmask. A stream is
 * outside input: patched read-only bytes (IDs, BAR types, capability
 * pointers, table sizes) must not reach the destination, and every byte
 * replaced by extreme values must give a refused load or a function that
 * runs safely (ASan/UBSan build).
 */
#include "hw/pci/pci.h"
#include "hw/pci/msix.h"
#include "hw/pci-host/i440fx.h"
#include "hw/isa/piix3.h"
#include "hw/misc/pci-testdev-regs.h"
#include "migration/vmstate.h"
#include "migration/emufile.h"

const char *__ubsan_default_options(void);
__attribute__((used)) const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

#define TD_DEVFN PCI_DEVFN(3, 0)
#define MSG_ADDR 0x8000

typedef struct Rig {
    MemoryRegion sysmem;        /* stands for system memory (PAM/SMRAM go here) */
    MemoryRegion pcimem;
    MemoryRegion io;
    AddressSpace pci_as;
    PCIBus *bus;
    int level[4];
} Rig;

static Rig rigs[2];
static MemoryRegion ram;        /* guest RAM at 0 of the global memory: MSIs land here */

static void rig_set_irq(void *opaque, int irq, int level)
{
    ((Rig *)opaque)->level[irq] = level;
}

static void setup(void)
{
    if (rigs[0].bus) {
        return;
    }
    memory_init();
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x100000, &error_abort));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    for (int i = 0; i < 2; i++) {
        Rig *r = &rigs[i];
        g_autofree char *name = g_strdup_printf("rig%d.pci", i);
        memory_region_init(&r->sysmem, NULL, "rig-sys", MEMORY_REGION_SIZE_FULL);
        memory_region_init(&r->pcimem, NULL, "rig-pci", MEMORY_REGION_SIZE_FULL);
        memory_region_init(&r->io, NULL, "rig-io", 0x10000);
        address_space_init(&r->pci_as, &r->pcimem, "rig-pci");
        r->bus = pci_root_bus_new(NULL, name, &r->pcimem, &r->io);
        pci_bus_irqs(r->bus, rig_set_irq, pci_swizzle_map_irq_fn, r, 4);
    }
}

static PCIDevice *create(Rig *r, const char *type, int devfn)
{
    DeviceState *d = qdev_new(type);
    PCI_DEVICE(d)->devfn = devfn;
    if (!strcmp(type, TYPE_PIIX3_DEVICE)) {
        /* PIIX3 is the bus's interrupt router itself. */
        pci_bus_irqs(r->bus, NULL, NULL, NULL, 4);
    }
    if (!strcmp(type, TYPE_I440FX_PCI_DEVICE)) {
        PCII440FXState *pmc = I440FX_PCI_DEVICE(d);
        pmc->system_memory = &r->sysmem;
        pmc->pci_memory = &r->pcimem;
        pmc->pci_as = &r->pci_as;
        pmc->ram = &ram;
    }
    g_assert_true(qdev_realize(d, BUS(r->bus), &error_abort));
    qdev_reset(d, RESET_TYPE_COLD);
    return PCI_DEVICE(d);
}

static Rig *rig_of(PCIDevice *d);

static void destroy(PCIDevice *d)
{
    Rig *r = rig_of(d);
    object_unparent(OBJECT(d));
    object_unref(d);
    if (!r->bus->set_irq) {
        pci_bus_irqs(r->bus, rig_set_irq, pci_swizzle_map_irq_fn, r, 4);
    }
}

static const VMStateDescription *vmsd_of(PCIDevice *d)
{
    return DEVICE_GET_CLASS(d)->vmsd;
}

static GByteArray *save(PCIDevice *d)
{
    EmuFile *f = emufile_new_buffer();
    size_t len;
    g_assert_true(vmstate_save(f, vmsd_of(d), d, &error_abort));
    const uint8_t *data = emufile_buffer(f, &len);
    GByteArray *out = g_byte_array_new();
    g_byte_array_append(out, data, len);
    emufile_close(f);
    return out;
}

static bool load(PCIDevice *d, const uint8_t *data, size_t len)
{
    EmuFile *f = emufile_new_reader(data, len);
    Error *err = NULL;
    bool ok = vmstate_load(f, vmsd_of(d), d, vmsd_of(d)->version_id, &err);
    emufile_close(f);
    error_free(err);
    return ok;
}

/* A 32-bit access to BAR @bar at @off, through the rig's PCI memory space
 * when the BAR is mapped there (the MSI-X BAR is a container), else straight
 * to its region. */
static Rig *rig_of(PCIDevice *d)
{
    return pci_get_bus(d) == rigs[0].bus ? &rigs[0] : &rigs[1];
}

static uint32_t bar_read(PCIDevice *d, int bar, hwaddr off)
{
    PCIIORegion *r = &d->io_regions[bar];
    uint64_t v = 0;
    if (!(r->type & PCI_BASE_ADDRESS_SPACE_IO) && r->addr != PCI_BAR_UNMAPPED) {
        return address_space_ldl_le(&rig_of(d)->pci_as, r->addr + off, NULL);
    }
    memory_region_dispatch_read(r->memory, off, &v, 4);
    return v;
}

static void bar_write(PCIDevice *d, int bar, hwaddr off, uint32_t v)
{
    PCIIORegion *r = &d->io_regions[bar];
    if (!(r->type & PCI_BASE_ADDRESS_SPACE_IO) && r->addr != PCI_BAR_UNMAPPED) {
        address_space_stl_le(&rig_of(d)->pci_as, r->addr + off, v, NULL);
        return;
    }
    memory_region_dispatch_write(r->memory, off, v, 4);
}

/* The test function in a state worth moving. */
static void drive_testdev(PCIDevice *d)
{
    uint8_t msix = pci_find_capability(d, PCI_CAP_ID_MSIX);
    uint8_t msi = pci_find_capability(d, PCI_CAP_ID_MSI);

    pci_config_write(d, PCI_BASE_ADDRESS_0, 0xc000, 4);
    pci_config_write(d, PCI_BASE_ADDRESS_0 + 4, 0xfebf0000, 4);
    pci_config_write(d, PCI_BASE_ADDRESS_0 + 8, 0, 4);
    pci_config_write(d, PCI_BASE_ADDRESS_0 + 12, 1, 4);
    pci_config_write(d, PCI_BASE_ADDRESS_0 + 16, 0xfebf1000, 4);
    pci_config_write(d, PCI_ROM_ADDRESS, 0xfeb00001, 4);
    pci_config_write(d, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                     PCI_COMMAND_MASTER, 2);
    pci_config_write(d, PCI_INTERRUPT_LINE, 10, 1);
    pci_config_write(d, msi + 4, MSG_ADDR + 0x40, 4);
    pci_config_write(d, msi + 12, 0x4500, 2);
    pci_config_write(d, msi + 16, 0x2, 4);
    pci_config_write(d, msi + 2, 0x21, 2);          /* enabled, 4 vectors */
    bar_write(d, 1, PCITESTDEV_REG_MSI, 1);         /* masked: pending */
    pci_config_write(d, msi + 2, 0x20, 2);          /* disabled again (INTx below) */
    bar_write(d, 4, 3 * 16 + 0, MSG_ADDR);
    bar_write(d, 4, 3 * 16 + 8, 0xabcd0003);
    pci_config_write(d, msix + 2, 0x8000, 2);
    bar_write(d, 1, PCITESTDEV_REG_MSIX, 3);        /* masked: pending */
    pci_config_write(d, msix + 2, 0x0000, 2);
    bar_write(d, 1, PCITESTDEV_REG_SCRATCH, 0x5eed);
    bar_write(d, 1, PCITESTDEV_REG_INTX, 1);
    /* A status error bit (RW1C) set by a DMA that nobody claims. */
    bar_write(d, 1, PCITESTDEV_REG_DMA_LO, 0xd0000000);
    bar_write(d, 1, PCITESTDEV_REG_DMA_WRITE, 1);
}

static void test_testdev_roundtrip(void)
{
    setup();
    PCIDevice *a = create(&rigs[0], "emu-pci-testdev", TD_DEVFN);
    PCIDevice *b = create(&rigs[1], "emu-pci-testdev", TD_DEVFN);
    uint8_t msix = pci_find_capability(a, PCI_CAP_ID_MSIX);
    uint8_t msi = pci_find_capability(a, PCI_CAP_ID_MSI);

    drive_testdev(a);
    g_assert_cmpint(rigs[0].level[(3 + 0) % 4], ==, 1);
    g_assert_true(vmstate_roundtrip(vmsd_of(a), a, b, &error_abort));

    g_assert_cmpmem(a->config, 256, b->config, 256);
    g_assert_cmphex(pci_get_word(b->config + PCI_STATUS) & PCI_STATUS_REC_MASTER_ABORT, !=, 0);
    /* Mapped where the source was, in the destination's own spaces. */
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        g_assert_cmphex(b->io_regions[i].addr, ==, a->io_regions[i].addr);
        if (b->io_regions[i].size) {
            g_assert_true(b->io_regions[i].container == (i ? &rigs[1].pcimem
                                                           : &rigs[1].io));
        }
    }
    MemoryRegionSection sec = memory_region_find(&rigs[1].pcimem, 0xfebf0000, 4);
    g_assert_true(sec.mr == b->io_regions[1].memory);
    g_assert_cmphex(bar_read(b, 1, PCITESTDEV_REG_SCRATCH), ==, 0x5eed);
    /* INTx comes back on the destination's line. */
    g_assert_cmpint(rigs[1].level[(3 + 0) % 4], ==, 1);
    /* Pending messages go out when the destination's guest unmasks them. */
    uint32_t zero = 0;
    address_space_write(&address_space_memory, MSG_ADDR, &zero, 4);
    address_space_write(&address_space_memory, MSG_ADDR + 0x40, &zero, 4);
    pci_config_write(b, msix + 2, 0x8000, 2);
    g_assert_true(msix_is_pending(b, 3));
    bar_write(b, 4, 3 * 16 + 12, 0);
    g_assert_cmphex(address_space_ldl_le(&address_space_memory, MSG_ADDR, NULL), ==,
                    0xabcd0003);
    g_assert_false(msix_is_pending(b, 3));
    pci_config_write(b, msix + 2, 0, 2);
    pci_config_write(b, msi + 2, 0x21, 2);
    pci_config_write(b, msi + 16, 0, 4);
    g_assert_cmphex(address_space_ldl_le(&address_space_memory, MSG_ADDR + 0x40, NULL),
                    ==, 0x4501);
    g_assert_cmpint(rigs[1].level[(3 + 0) % 4], ==, 0);        /* MSI enabled */

    destroy(a);
    destroy(b);
    g_assert_cmpint(rigs[0].level[3], ==, 0);
    g_assert_cmpint(rigs[1].level[3], ==, 0);
}

/* Offsets in the testdev stream: 5 registers, then the PCI function. */
#define TD_CFG 20
#define TD_INTX (TD_CFG + 256)
#define TD_TABLE (TD_INTX + 4)
#define TD_PBA (TD_TABLE + PCI_MSIX_MAX_VECTORS * 16)

static void test_testdev_readonly_from_stream(void)
{
    setup();
    PCIDevice *a = create(&rigs[0], "emu-pci-testdev", TD_DEVFN);
    PCIDevice *b = create(&rigs[1], "emu-pci-testdev", TD_DEVFN);
    uint8_t msix = pci_find_capability(a, PCI_CAP_ID_MSIX);
    uint8_t before[256];

    drive_testdev(a);
    memcpy(before, b->config, 256);
    g_autoptr(GByteArray) s = save(a);
    g_assert_cmpuint(s->len, ==, TD_PBA + PCI_MSIX_MAX_VECTORS / 8);
    uint8_t *p = s->data;
    p[TD_CFG + PCI_VENDOR_ID] ^= 0xff;
    p[TD_CFG + PCI_HEADER_TYPE] = 0x81;
    p[TD_CFG + PCI_BASE_ADDRESS_0] &= ~1;          /* I/O BAR claims to be memory */
    p[TD_CFG + PCI_CAPABILITY_LIST] = 0x41;
    p[TD_CFG + msix + 2] = 0xff;                    /* table size 0x7ff */
    p[TD_CFG + msix + 3] |= 0x07;
    p[TD_CFG + PCI_INTERRUPT_PIN] = 7;
    p[TD_INTX + 3] = 9;                             /* INTx level 9 */
    memset(p + TD_TABLE + 3 * 16 + 12, 0xff, 4);    /* vector control reserved bits */
    memset(p + TD_TABLE + 100 * 16, 0x5a, 16);      /* beyond the 8 entries */
    memset(p + TD_PBA, 0xff, PCI_MSIX_MAX_VECTORS / 8);
    g_assert_true(load(b, s->data, s->len));

    /* Read-only to software but the function's own state: Interrupt Status
     * (follows the INTx level) and the MSI pending bits. */
    uint8_t dyn[256] = { 0 };
    uint8_t msi = pci_find_capability(b, PCI_CAP_ID_MSI);
    dyn[PCI_STATUS] = PCI_STATUS_INTERRUPT;
    dyn[msi + PCI_MSI_PENDING_64] = 0x0f;
    for (int i = 0; i < 256; i++) {
        uint8_t sw = b->wmask[i] | b->w1cmask[i] | dyn[i];
        if ((b->config[i] ^ before[i]) & ~sw) {
            g_error("read-only bits of config byte 0x%02x came from the stream: "
                    "0x%02x -> 0x%02x", i, before[i], b->config[i]);
        }
    }
    g_assert_cmphex(pci_get_word(b->config + msix + 2) & PCI_MSIX_FLAGS_QSIZE, ==, 7);
    g_assert_cmpint(b->intx_level, ==, 1);
    g_assert_cmphex(pci_get_long(b->msix_table + 3 * 16 + 12), ==, 1);
    g_assert_cmphex(pci_get_long(b->msix_table + 100 * 16), ==, 0);
    g_assert_cmphex(b->msix_pba[0], ==, 0xff);      /* the 8 real vectors */
    for (int i = 1; i < PCI_MSIX_MAX_VECTORS / 8; i++) {
        g_assert_cmphex(b->msix_pba[i], ==, 0);
    }
    g_assert_cmphex(b->io_regions[0].addr, ==, 0xc000);
    g_assert_true(b->io_regions[0].container == &rigs[1].io);
    destroy(a);
    destroy(b);
}

/* Every byte replaced by an extreme value: refused, or a function that works. */
static void hostile_bytes(const char *type, int devfn)
{
    setup();
    PCIDevice *a = create(&rigs[0], type, devfn);
    if (!strcmp(type, "emu-pci-testdev")) {
        drive_testdev(a);
    }
    g_autoptr(GByteArray) s = save(a);
    const uint8_t vals[] = { 0x00, 0xff, 0x80 };
    unsigned loaded = 0;

    for (guint off = 0; off < s->len; off++) {
        for (size_t v = 0; v < sizeof(vals); v++) {
            PCIDevice *b = create(&rigs[1], type, devfn);
            g_autoptr(GByteArray) m = g_byte_array_sized_new(s->len);
            g_byte_array_append(m, s->data, s->len);
            m->data[off] = vals[v];
            if (load(b, m->data, m->len)) {
                loaded++;
                /* Run it: every config register at every width, the BARs. */
                for (uint32_t reg = 0; reg < 256; reg += 4) {
                    (void)pci_config_read(b, reg, 4);
                }
                pci_config_write(b, PCI_COMMAND, 0x0547, 2);
                for (int i = 0; i < PCI_NUM_BARS; i++) {
                    if (b->io_regions[i].size && !(b->io_regions[i].type & 1)) {
                        (void)bar_read(b, i, 0);
                    }
                }
                if (b->msix_cap) {
                    pci_config_write(b, b->msix_cap + 2, 0x8000, 2);
                    for (unsigned vec = 0; vec < b->msix_entries_nr; vec++) {
                        msix_notify(b, vec);
                    }
                }
            }
            destroy(b);
            if (off % 512 && off > 64 && off < s->len - 64) {
                break;      /* the middle of big tables: one value is enough */
            }
        }
    }
    g_assert_cmpuint(loaded, >, 0);
    destroy(a);
    for (int i = 0; i < 4; i++) {
        g_assert_cmpint(rigs[1].level[i], ==, 0);
    }
}

static void test_hostile_testdev(void)
{
    hostile_bytes("emu-pci-testdev", TD_DEVFN);
}

static void test_hostile_piix3(void)
{
    hostile_bytes(TYPE_PIIX3_DEVICE, PCI_DEVFN(1, 0));
}

/* i440FX: PAM and SMRAM come back as mappings; a stream cannot unlock SMRAM. */
static void test_i440fx(void)
{
    setup();
    PCIDevice *a = create(&rigs[0], TYPE_I440FX_PCI_DEVICE, 0);
    PCIDevice *b = create(&rigs[1], TYPE_I440FX_PCI_DEVICE, 0);
    PCII440FXState *pb = I440FX_PCI_DEVICE(b);

    pci_config_write(a, I440FX_PAM, 0x10, 1);
    pci_config_write(a, I440FX_PAM + 1, 0x32, 1);
    pci_config_write(a, I440FX_SMRAM, 0x48, 1);
    g_assert_true(vmstate_roundtrip(vmsd_of(a), a, b, &error_abort));
    g_assert_cmpuint(pb->pam[0].mode, ==, 1);
    g_assert_cmpuint(pb->pam[1].mode, ==, 2);
    g_assert_cmpuint(pb->pam[2].mode, ==, 3);
    g_assert_false(memory_region_is_enabled(&pb->smram_region));

    /* Locked and open at once is impossible: the lock wins. */
    g_autoptr(GByteArray) s = save(a);
    g_assert_cmpuint(s->len, >=, 256);
    s->data[I440FX_SMRAM] = SMRAM_D_LCK | SMRAM_D_OPEN | SMRAM_G_SMRAME | 2;
    g_assert_true(load(b, s->data, s->len));
    g_assert_cmphex(b->config[I440FX_SMRAM], ==, SMRAM_D_LCK | SMRAM_G_SMRAME | 2);
    g_assert_true(memory_region_is_enabled(&pb->smram_region));
    pci_config_write(b, I440FX_SMRAM, 0x48, 1);
    g_assert_cmphex(b->config[I440FX_SMRAM], ==, SMRAM_D_LCK | SMRAM_G_SMRAME | 2);
    destroy(a);
    destroy(b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pci-vmstate/testdev/roundtrip", test_testdev_roundtrip);
    g_test_add_func("/pci-vmstate/testdev/readonly-from-stream",
                    test_testdev_readonly_from_stream);
    g_test_add_func("/pci-vmstate/testdev/hostile", test_hostile_testdev);
    g_test_add_func("/pci-vmstate/piix3/hostile", test_hostile_piix3);
    g_test_add_func("/pci-vmstate/i440fx", test_i440fx);
    return g_test_run();
}
