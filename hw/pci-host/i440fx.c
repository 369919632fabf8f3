/*
 * Intel 82441FX PMC, the 440FX host bridge (datasheet 290549 §3.2).
 *
 * Memory decoding below 1 MiB:
 *   - PAM0-PAM6 (0x59-0x5f) split 0xc0000-0xfffff into twelve 16 KiB
 *     segments (PAM1-6, low nibble first) and the 64 KiB BIOS segment at
 *     0xf0000 (PAM0's high nibble). Per segment, RE sends reads to DRAM and
 *     WE sends writes to DRAM; what does not go to DRAM goes to PCI (where
 *     the board put the BIOS flash and option ROMs live). Each segment has
 *     four aliases, one enabled at a time: PCI (00), DRAM read-only (01; the
 *     writes, which the chip would forward to PCI, are dropped, as in QEMU),
 *     write-only (10: reads from PCI, writes to DRAM, through an I/O region,
 *     so code cannot run from it under KVM) and DRAM (11).
 *   - SMRAM (0x72) opens the DRAM under the VGA window 0xa0000-0xbffff when
 *     G_SMRAME and D_OPEN are set ("the Open, Close and Lock bits function
 *     only when G_SMRAME is set"); otherwise the window goes to PCI (VGA).
 *     D_LCK clears D_OPEN and makes D_OPEN, D_LCK and G_SMRAME read-only
 *     until reset. emu has no SMM: there is no separate SMM view, so SMRAM
 *     contents are only ever reached through D_OPEN.
 */
#include "hw/pci-host/i440fx.h"
#include "migration/vmstate.h"
#include "util/log.h"

enum { PAM_MODE_PCI = 0, PAM_MODE_RO = PAM_RE, PAM_MODE_WO = PAM_WE,
       PAM_MODE_RAM = PAM_RE | PAM_WE };

/* ---- PAM ---- */

/* Write-only segments: reads go to PCI, writes to DRAM. */
static uint64_t pam_wo_read(void *opaque, hwaddr addr, unsigned size)
{
    PAMSegment *seg = opaque;
    uint8_t buf[8] = { 0 };
    uint64_t v = 0;
    address_space_read(seg->pmc->pci_as, seg->start + addr, buf, size);
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)buf[i] << (8 * i);
    }
    return v;
}

static void pam_wo_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PAMSegment *seg = opaque;
    uint8_t *ram = memory_region_get_ram_ptr(seg->pmc->ram);
    for (unsigned i = 0; i < size; i++) {
        ram[seg->start + addr + i] = val >> (8 * i);
    }
    memory_region_set_dirty(seg->pmc->ram, seg->start + addr, size);
}

static const MemoryRegionOps pam_wo_ops = {
    .read = pam_wo_read,
    .write = pam_wo_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
};

static void pam_init(PCII440FXState *d, PAMSegment *seg, hwaddr start, uint64_t size)
{
    Object *o = OBJECT(d);
    seg->pmc = d;
    seg->start = start;
    seg->size = size;
    memory_region_init_alias(&seg->alias[PAM_MODE_PCI], o, "pam-pci", d->pci_memory, start,
                             size);
    memory_region_init_alias(&seg->alias[PAM_MODE_RO], o, "pam-rom", d->ram, start, size);
    memory_region_set_readonly(&seg->alias[PAM_MODE_RO], true);
    memory_region_init_io(&seg->alias[PAM_MODE_WO], o, &pam_wo_ops, seg, "pam-wo", size);
    memory_region_init_alias(&seg->alias[PAM_MODE_RAM], o, "pam-ram", d->ram, start, size);
    for (int m = 0; m < 4; m++) {
        memory_region_set_enabled(&seg->alias[m], m == PAM_MODE_PCI);
        /* Above RAM (priority 0); the board's devices keep out of this area. */
        memory_region_add_subregion_overlap(d->system_memory, start, &seg->alias[m], 1);
    }
    seg->mode = PAM_MODE_PCI;
}

static void pam_set_mode(PAMSegment *seg, unsigned mode)
{
    if (mode == seg->mode) {
        return;
    }
    memory_region_set_enabled(&seg->alias[seg->mode], false);
    memory_region_set_enabled(&seg->alias[mode], true);
    seg->mode = mode;
}

/* Segment 0 is PAM0's high nibble; segment i > 0 is nibble (i - 1) & 1 of
 * PAM(i + 1) / 2 (low nibble first). */
static unsigned pam_segment_attr(PCII440FXState *d, int i)
{
    uint8_t reg = PCI_DEVICE(d)->config[I440FX_PAM + (i + 1) / 2];
    return (i & 1 ? reg : reg >> 4) & (PAM_RE | PAM_WE);
}

static void i440fx_update_memory_mappings(PCII440FXState *d)
{
    uint8_t smram = PCI_DEVICE(d)->config[I440FX_SMRAM];
    bool open = (smram & SMRAM_G_SMRAME) && (smram & SMRAM_D_OPEN);

    memory_region_transaction_begin();
    for (int i = 0; i < PAM_NR_SEGMENTS; i++) {
        pam_set_mode(&d->pam[i], pam_segment_attr(d, i));
    }
    memory_region_set_enabled(&d->smram_region, !open);
    memory_region_transaction_commit();
}

/* ---- configuration ---- */

/* D_LCK (§3.2.23): once set, D_OPEN is 0 and D_OPEN, D_LCK, G_SMRAME keep
 * their value until reset; D_CLS stays writable. */
static uint8_t i440fx_smram_next(PCII440FXState *d, uint8_t old, uint8_t val)
{
    const uint8_t rw = SMRAM_D_OPEN | SMRAM_D_CLS | SMRAM_D_LCK | SMRAM_G_SMRAME;
    uint8_t v;

    if (old & SMRAM_D_LCK) {
        v = (old & ~SMRAM_D_CLS) | (val & SMRAM_D_CLS);
        if ((val ^ old) & (SMRAM_D_OPEN | SMRAM_G_SMRAME | SMRAM_D_LCK) & rw) {
            emu_log_mask(LOG_GUEST_ERROR, "i440FX: SMRAM is locked (D_LCK): write of "
                         "0x%02x keeps D_OPEN/D_LCK/G_SMRAME at 0x%02x\n", val, old);
            d->smram_lock_violations++;
            DEVICE(d)->ignored_accesses++;
        }
    } else {
        v = val & rw;
        if (v & SMRAM_D_LCK) {
            v &= ~SMRAM_D_OPEN;
        }
    }
    return (v & rw) | SMRAM_C_BASE_SEG;
}

static void i440fx_write_config(PCIDevice *pd, uint32_t addr, uint32_t val, int len)
{
    PCII440FXState *d = I440FX_PCI_DEVICE(pd);
    uint8_t old_smram = pd->config[I440FX_SMRAM];
    bool smram_hit = addr <= I440FX_SMRAM && I440FX_SMRAM < addr + len;

    pci_default_write_config(pd, addr, val, len);
    if (smram_hit) {
        uint8_t b = val >> (8 * (I440FX_SMRAM - addr));
        pd->config[I440FX_SMRAM] = i440fx_smram_next(d, old_smram, b);
    }
    if ((addr < I440FX_PAM + I440FX_PAM_SIZE && I440FX_PAM < addr + len) || smram_hit) {
        i440fx_update_memory_mappings(d);
    }
}

static void i440fx_realize(PCIDevice *pd, Error **errp)
{
    PCII440FXState *d = I440FX_PCI_DEVICE(pd);

    pci_set_word(pd->config + PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_FAST_BACK);
    /* DRAM and cache control registers: kept, no effect here. */
    pci_config_set_wmask(pd, 0x50, 9, 0xff);        /* PMCCFG..DRAMT */
    pci_config_set_wmask(pd, I440FX_PAM, 1, 0x30);  /* PAM0: bits 3:0 reserved */
    pci_config_set_wmask(pd, I440FX_PAM + 1, I440FX_PAM_SIZE - 1, 0x33);
    pci_config_set_wmask(pd, 0x60, 9, 0xff);        /* DRB0-7, FDHC */
    pci_config_set_wmask(pd, 0x70, 2, 0xff);        /* MTT, CLT */
    /* SMRAM: the write path enforces D_LCK; the mask lets migration carry it. */
    pci_config_set_wmask(pd, I440FX_SMRAM, 1,
                         SMRAM_D_OPEN | SMRAM_D_CLS | SMRAM_D_LCK | SMRAM_G_SMRAME);
    pci_config_set_wmask(pd, 0x90, 1, 0xff);        /* ERRCMD */
    pci_config_set_w1cmask(pd, 0x91, 1, 0xff);      /* ERRSTS */
    pd->config[I440FX_SMRAM] = SMRAM_C_BASE_SEG;

    memory_region_transaction_begin();
    pam_init(d, &d->pam[0], PAM_BIOS_BASE, 0x10000);
    for (int i = 1; i < PAM_NR_SEGMENTS; i++) {
        pam_init(d, &d->pam[i], PAM_EXPAN_BASE + (i - 1) * PAM_EXPAN_SIZE, PAM_EXPAN_SIZE);
    }
    memory_region_init_alias(&d->smram_region, OBJECT(d), "smram-region", d->pci_memory,
                             SMRAM_C_BASE, SMRAM_C_SIZE);
    memory_region_add_subregion_overlap(d->system_memory, SMRAM_C_BASE, &d->smram_region, 1);
    memory_region_transaction_commit();
    i440fx_update_memory_mappings(d);
}

static void i440fx_exit(PCIDevice *pd)
{
    PCII440FXState *d = I440FX_PCI_DEVICE(pd);
    for (int i = 0; i < PAM_NR_SEGMENTS; i++) {
        for (int m = 0; m < 4; m++) {
            memory_region_finalize(&d->pam[i].alias[m]);
        }
    }
    memory_region_finalize(&d->smram_region);
}

static void i440fx_reset(PCIDevice *pd)
{
    PCII440FXState *d = I440FX_PCI_DEVICE(pd);

    memset(pd->config + 0x50, 0, 0xb0);
    if (d->shadow_ram) {
        pd->config[I440FX_PAM] = (PAM_RE | PAM_WE) << 4;
        memset(pd->config + I440FX_PAM + 1, 0x33, I440FX_PAM_SIZE - 1);
    }
    pd->config[I440FX_SMRAM] = SMRAM_C_BASE_SEG;
    i440fx_update_memory_mappings(d);
}

static int i440fx_post_load(void *opaque, int version_id)
{
    PCII440FXState *d = opaque;
    uint8_t *smram = &PCI_DEVICE(d)->config[I440FX_SMRAM];
    if (*smram & SMRAM_D_LCK) {
        *smram &= ~SMRAM_D_OPEN;
    }
    i440fx_update_memory_mappings(d);
    return 0;
}

static const VMStateDescription vmstate_i440fx = {
    .name = "I440FX",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = i440fx_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(parent_obj, PCII440FXState, 1, vmstate_pci_device, PCIDevice),
        VMSTATE_END_OF_LIST()
    },
};

static void i440fx_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    dc->desc = "Host bridge";
    dc->category = DEVICE_CATEGORY_BRIDGE;
    dc->vmsd = &vmstate_i440fx;
    pc->realize = i440fx_realize;
    pc->exit = i440fx_exit;
    pc->reset = i440fx_reset;
    pc->config_write = i440fx_write_config;
    pc->vendor_id = PCI_VENDOR_ID_INTEL;
    pc->device_id = PCI_DEVICE_ID_INTEL_82441;
    pc->revision = 0x02;
    pc->class_id = PCI_CLASS_BRIDGE_HOST;
}

/* ---- the host bridge ---- */

/*
 * Nothing on PCI claims a cycle in the legacy window: master abort, reads
 * all-ones (PCI 3.0 §3.3.3.1). Elsewhere PCI memory is left transparent, so
 * holes stay holes; here it must not be, or RAM would show through the PCI
 * settings of PAM and SMRAM.
 */
static uint64_t master_abort_read(void *opaque, hwaddr addr, unsigned size)
{
    emu_log_mask(LOG_UNIMP, "i440FX: %u-byte read at 0x%" PRIx64 ": no PCI device "
                 "(master abort)\n", size, (uint64_t)(SMRAM_C_BASE + addr));
    return ~0ull;
}

static void master_abort_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    emu_log_mask(LOG_UNIMP, "i440FX: %u-byte write at 0x%" PRIx64 ": no PCI device "
                 "(master abort)\n", size, (uint64_t)(SMRAM_C_BASE + addr));
}

static const MemoryRegionOps master_abort_ops = {
    .read = master_abort_read,
    .write = master_abort_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
};

static const VMStateDescription vmstate_i440fx_host = {
    .name = "i440FX-pcihost",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(config_reg, PCIHostState),
        VMSTATE_END_OF_LIST()
    },
};

static void i440fx_host_finalize(Object *obj)
{
    I440FXState *s = I440FX_PCI_HOST_BRIDGE(obj);
    if (s->pci_as.root) {
        address_space_destroy(&s->pci_as);
    }
    memory_region_finalize(&s->legacy_abort);
    memory_region_finalize(&s->pci_memory);
}

static void i440fx_host_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->desc = "i440FX PCI host bridge";
    dc->vmsd = &vmstate_i440fx_host;
}

I440FXState *i440fx_init(Object *parent, const char *name, MemoryRegion *sysmem,
                         MemoryRegion *sysio, MemoryRegion *ram, bool shadow_ram,
                         Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_I440FX_PCI_HOST_BRIDGE);
    I440FXState *s = I440FX_PCI_HOST_BRIDGE(dev);
    PCIHostState *phb = PCI_HOST_BRIDGE(dev);

    object_property_add_child(parent, name, OBJECT(dev));
    object_unref(dev);
    memory_region_init(&s->pci_memory, OBJECT(s), "pci", MEMORY_REGION_SIZE_FULL);
    /* Under everything else: RAM, the APIC/IOAPIC/HPET windows and the
     * firmware at the top of 4 GiB hide BARs put over them. */
    memory_region_add_subregion_overlap(sysmem, 0, &s->pci_memory, -1);
    memory_region_init_io(&s->legacy_abort, OBJECT(s), &master_abort_ops, s,
                          "pci-master-abort", 0x100000 - SMRAM_C_BASE);
    memory_region_add_subregion_overlap(&s->pci_memory, SMRAM_C_BASE, &s->legacy_abort,
                                        -1000);
    address_space_init(&s->pci_as, &s->pci_memory, "pci-memory");
    pci_host_map_config_ports(phb, sysio);

    phb->bus = pci_root_bus_new(dev, "pci.0", &s->pci_memory, sysio);
    if (!qdev_realize(dev, NULL, errp)) {
        return NULL;
    }
    DeviceState *pmc = qdev_new(TYPE_I440FX_PCI_DEVICE);
    PCII440FXState *d = I440FX_PCI_DEVICE(pmc);
    d->system_memory = sysmem;
    d->pci_memory = &s->pci_memory;
    d->pci_as = &s->pci_as;
    d->ram = ram;
    d->shadow_ram = shadow_ram;
    PCI_DEVICE(pmc)->devfn = PCI_DEVFN(0, 0);
    object_property_add_child(OBJECT(s), "pmc", OBJECT(pmc));
    if (!qdev_realize_and_unref(pmc, BUS(phb->bus), errp)) {
        return NULL;
    }
    s->pmc = d;
    return s;
}

static const TypeInfo i440fx_types[] = {
    {
        .name = TYPE_I440FX_PCI_HOST_BRIDGE,
        .parent = TYPE_PCI_HOST_BRIDGE,
        .instance_size = sizeof(I440FXState),
        .instance_finalize = i440fx_host_finalize,
        .class_init = i440fx_host_class_init,
    },
    {
        .name = TYPE_I440FX_PCI_DEVICE,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PCII440FXState),
        .class_init = i440fx_class_init,
    },
};
DEFINE_TYPES(i440fx_types)
