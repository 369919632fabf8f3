/*
 * ACPI fixed hardware of the PC: the PM1 event/control blocks, the PM timer
 * and GPE0 (ACPI 6.5 §4.8), at the PIIX4 PM layout QEMU uses; and the PIIX3
 * reset control register at 0xcf9 (82371SB datasheet §4.1.17, "RC").
 */
#include "hw/acpi/pm.h"
#include "util/host-utils.h"
#include "migration/vmstate.h"
#include "system/runstate.h"
#include "util/log.h"

/* PM1 events that raise the SCI when enabled (ACPI 6.5 §4.8.3.1). */
#define PM1_SCI_EVENTS (ACPI_PM1_TMR_EN | ACPI_PM1_GBL_EN | ACPI_PM1_PWRBTN_EN | \
                        ACPI_PM1_SLPBTN_EN | ACPI_PM1_RTC_EN)
#define PM1_STS_BITS (ACPI_PM1_TMR_STS | ACPI_PM1_BM_STS | ACPI_PM1_GBL_STS | \
                      ACPI_PM1_PWRBTN_STS | ACPI_PM1_SLPBTN_STS | ACPI_PM1_RTC_STS | \
                      ACPI_PM1_WAK_STS)
/* SLP_EN and GBL_RLS are write-only: they act and read back as 0. */
#define PM1_CNT_STORED (ACPI_PM1_CNT_SCI_EN | ACPI_PM1_CNT_BM_RLD | ACPI_PM1_CNT_SLP_TYP_MASK)
/* The timer's TMR_STS fires whenever bit 23 of the counter toggles. */
#define PM_TMR_HALF 0x800000ULL

static uint64_t pm_tmr_now(void)
{
    return muldiv64(clock_get_ns(EMU_CLOCK_VIRTUAL), ACPI_PM_TIMER_FREQUENCY,
                    NANOSECONDS_PER_SECOND);
}

uint32_t acpi_pm_tmr_ticks(int64_t ns)
{
    return muldiv64(ns, ACPI_PM_TIMER_FREQUENCY, NANOSECONDS_PER_SECOND) & 0xffffff;
}

/* Next tick at which bit 23 toggles, counted from now. */
static void pm_tmr_calc_overflow(AcpiPMState *s)
{
    s->tmr_overflow = (pm_tmr_now() + PM_TMR_HALF) & ~(PM_TMR_HALF - 1);
}

/* TMR_STS is set by time passing; bring it up to date before using it. */
static void pm_tmr_check(AcpiPMState *s)
{
    if (pm_tmr_now() >= s->tmr_overflow) {
        s->pm1_sts |= ACPI_PM1_TMR_STS;
    }
}

static void acpi_pm_update_sci(AcpiPMState *s)
{
    pm_tmr_check(s);
    /*
     * Without SMM there is no SMI for events to go to when SCI_EN is clear
     * (ACPI 6.5 §4.8.3.2.1): they just stay pending in the status bits.
     */
    bool level = (s->pm1_cnt & ACPI_PM1_CNT_SCI_EN) &&
                 ((s->pm1_sts & s->pm1_en & PM1_SCI_EVENTS) ||
                  (s->gpe0_sts & s->gpe0_en));
    if (level != s->sci_level) {
        s->sci_level = level;
        qemu_set_irq(s->sci, level);
    }
    /* Wake up for the next overflow only while it would raise the SCI. */
    if ((s->pm1_en & ACPI_PM1_TMR_EN) && !(s->pm1_sts & ACPI_PM1_TMR_STS)) {
        timer_mod_ns(s->tmr_timer, muldiv64_round_up(s->tmr_overflow,
                                                     NANOSECONDS_PER_SECOND,
                                                     ACPI_PM_TIMER_FREQUENCY));
    } else {
        timer_del(s->tmr_timer);
    }
}

static void acpi_pm_tmr_expired(void *opaque)
{
    acpi_pm_update_sci(opaque);
}

void acpi_pm1_set_status(AcpiPMState *s, uint16_t bits)
{
    s->pm1_sts |= bits & PM1_STS_BITS;
    acpi_pm_update_sci(s);
}

void acpi_gpe0_set_status(AcpiPMState *s, uint32_t bits)
{
    s->gpe0_sts |= bits;
    acpi_pm_update_sci(s);
}

/* The power button (system_powerdown): PWRBTN_STS, an SCI if PWRBTN_EN. */
static void acpi_pm_powerdown(void *opaque)
{
    acpi_pm1_set_status(opaque, ACPI_PM1_PWRBTN_STS);
}

/* ---- registers ---- */

static void pm1_sts_write(AcpiPMState *s, uint32_t val, uint32_t mask)
{
    pm_tmr_check(s);
    if (val & s->pm1_sts & ACPI_PM1_TMR_STS) {
        /* Cleared: the next toggle of bit 23 sets it again. */
        pm_tmr_calc_overflow(s);
    }
    s->pm1_sts &= ~val;
}

static void pm1_en_write(AcpiPMState *s, uint32_t val, uint32_t mask)
{
    s->pm1_en = ((s->pm1_en & ~mask) | (val & mask)) & PM1_SCI_EVENTS;
}

static void pm1_cnt_write(AcpiPMState *s, uint32_t val, uint32_t mask)
{
    uint16_t cnt = (s->pm1_cnt & ~mask) | (val & mask);

    s->pm1_cnt = cnt & PM1_CNT_STORED;
    if (!(val & mask & ACPI_PM1_CNT_SLP_EN)) {
        return;
    }
    unsigned typ = (cnt & ACPI_PM1_CNT_SLP_TYP_MASK) >> ACPI_PM1_CNT_SLP_TYP_SHIFT;
    if (typ == ACPI_SLP_TYP_S5) {
        emu_log_mask(LOG_RESET, "acpi: guest entered S5 (soft off)\n");
        system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        return;
    }
    /* The DSDT offers only \_S5; other sleep types do nothing. */
    s->sleep_requests_ignored++;
    DEVICE(s)->ignored_accesses++;
    emu_log_mask(LOG_GUEST_ERROR, "acpi: SLP_EN with SLP_TYP %u: only S5 (%u) is "
                 "supported; ignored\n", typ, ACPI_SLP_TYP_S5);
}

static void gpe0_sts_write(AcpiPMState *s, uint32_t val, uint32_t mask)
{
    s->gpe0_sts &= ~val;
}

static void gpe0_en_write(AcpiPMState *s, uint32_t val, uint32_t mask)
{
    s->gpe0_en = (s->gpe0_en & ~mask) | (val & mask);
}

typedef struct PMReg {
    unsigned offset, width;
    void (*write)(AcpiPMState *s, uint32_t val, uint32_t mask);   /* NULL: read-only */
} PMReg;

static const PMReg pm_regs[] = {
    { ACPI_PM1_STS, 2, pm1_sts_write },
    { ACPI_PM1_EN, 2, pm1_en_write },
    { ACPI_PM1_CNT, 2, pm1_cnt_write },
    { ACPI_PM_TMR, 4, NULL },
    { ACPI_GPE0_BLK, 4, gpe0_sts_write },
    { ACPI_GPE0_BLK + 4, 4, gpe0_en_write },
};

static uint64_t acpi_pm_read(void *opaque, hwaddr addr, unsigned size)
{
    AcpiPMState *s = opaque;
    uint8_t img[ACPI_PM_IO_SIZE] = { 0 };
    uint32_t tmr = pm_tmr_now() & 0xffffff;

    /* The block as the guest sees it now; offsets no register uses read 0. */
    pm_tmr_check(s);
    uint32_t vals[] = { s->pm1_sts, s->pm1_en, s->pm1_cnt, tmr, s->gpe0_sts, s->gpe0_en };
    for (unsigned r = 0; r < G_N_ELEMENTS(pm_regs); r++) {
        for (unsigned b = 0; b < pm_regs[r].width; b++) {
            img[pm_regs[r].offset + b] = vals[r] >> (8 * b);
        }
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)img[addr + i] << (8 * i);
    }
    return v;
}

static void acpi_pm_write(void *opaque, hwaddr addr, uint64_t value, unsigned size)
{
    AcpiPMState *s = opaque;
    bool hit = false;

    /* Hand each register the bytes of the access that fall on it. */
    for (unsigned r = 0; r < G_N_ELEMENTS(pm_regs); r++) {
        const PMReg *reg = &pm_regs[r];
        uint32_t val = 0, mask = 0;
        for (unsigned i = 0; i < size; i++) {
            hwaddr a = addr + i;
            if (a >= reg->offset && a < reg->offset + reg->width) {
                unsigned sh = 8 * (a - reg->offset);
                val |= (uint32_t)((value >> (8 * i)) & 0xff) << sh;
                mask |= 0xffu << sh;
            }
        }
        if (!mask) {
            continue;
        }
        if (reg->write) {
            reg->write(s, val, mask);
            hit = true;
        }
    }
    if (!hit) {
        DEVICE(s)->ignored_accesses++;
        emu_log_mask(LOG_GUEST_ERROR, "acpi-pm: write 0x%" PRIx64 " (%u bytes) to "
                     "read-only or unused offset 0x%" HWADDR_PRIx " ignored\n",
                     value, size, addr);
    }
    acpi_pm_update_sci(s);
}

static const MemoryRegionOps acpi_pm_ops = {
    .read = acpi_pm_read,
    .write = acpi_pm_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
};

/* ---- device ---- */

static void acpi_pm_realize(DeviceState *dev, Error **errp)
{
    AcpiPMState *s = ACPI_PM(dev);

    if (s->iobase % ACPI_PM_IO_SIZE || s->iobase > 0x10000 - ACPI_PM_IO_SIZE) {
        error_setg(errp, "acpi-pm: iobase=0x%" PRIx32 " must be a multiple of 0x%x "
                   "below 0x10000", s->iobase, ACPI_PM_IO_SIZE);
        return;
    }
    if (s->sci_irq >= ISA_NUM_IRQS) {
        error_setg(errp, "acpi-pm: sci_irq=%" PRIu32 " is not an ISA IRQ (0-15)",
                   s->sci_irq);
        return;
    }
    s->sci = isa_get_irq(ISA_DEVICE(dev), s->sci_irq);
    s->tmr_timer = timer_new_ns(EMU_CLOCK_VIRTUAL, acpi_pm_tmr_expired, s);
    memory_region_init_io(&s->io, OBJECT(s), &acpi_pm_ops, s, "acpi-pm", ACPI_PM_IO_SIZE);
    isa_register_ioport(ISA_DEVICE(dev), &s->io, s->iobase);
    register_powerdown_notifier(acpi_pm_powerdown, s);
}

static void acpi_pm_reset(DeviceState *dev, ResetType type)
{
    AcpiPMState *s = ACPI_PM(dev);

    s->pm1_sts = 0;
    s->pm1_en = 0;
    s->gpe0_sts = 0;
    s->gpe0_en = 0;
    /*
     * The FADT has no SMI_CMD, which tells the OS the machine is always in ACPI
     * mode (ACPI 6.5 §4.8.3.2.1): SCI_EN reads 1 from reset.
     */
    s->pm1_cnt = ACPI_PM1_CNT_SCI_EN;
    pm_tmr_calc_overflow(s);
    acpi_pm_update_sci(s);
}

static void acpi_pm_finalize(Object *obj)
{
    AcpiPMState *s = ACPI_PM(obj);

    if (s->tmr_timer) {
        timer_free(s->tmr_timer);
    }
    memory_region_finalize(&s->io);
}

/*
 * The largest overflow tick a stream may carry: its time in ns (about 279 ns a
 * tick) must fit in an int64_t for the timer. 2^54 ticks are 159 years of
 * uptime.
 */
#define PM_TMR_MAX_OVERFLOW (UINT64_C(1) << 54)

/*
 * Registers hold only the bits their writes can store, and the overflow mark
 * is always a multiple of 2^23 ticks. Then the SCI level and the overflow
 * timer are functions of the registers and the virtual clock (which migrates
 * with the VM): acpi_pm_update_sci rebuilds both.
 */
static int acpi_pm_post_load(void *opaque, int version_id)
{
    AcpiPMState *s = opaque;

    if ((s->pm1_sts & ~PM1_STS_BITS) || (s->pm1_en & ~PM1_SCI_EVENTS) ||
        (s->pm1_cnt & ~PM1_CNT_STORED) || (s->tmr_overflow % PM_TMR_HALF) ||
        s->tmr_overflow > PM_TMR_MAX_OVERFLOW) {
        return -1;
    }
    acpi_pm_update_sci(s);
    return 0;
}

/* TMR_STS is set lazily: bring it (and the SCI it may raise) up to date so the
 * stream holds what the guest would read now. */
static int acpi_pm_pre_save(void *opaque)
{
    acpi_pm_update_sci(opaque);
    return 0;
}

/* The PM timer itself is the virtual clock; sci_level and tmr_timer are derived. */
static const VMStateDescription vmstate_acpi_pm = {
    .name = "acpi-pm",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_save = acpi_pm_pre_save,
    .post_load = acpi_pm_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16(pm1_sts, AcpiPMState),
        VMSTATE_UINT16(pm1_en, AcpiPMState),
        VMSTATE_UINT16(pm1_cnt, AcpiPMState),
        VMSTATE_UINT32(gpe0_sts, AcpiPMState),
        VMSTATE_UINT32(gpe0_en, AcpiPMState),
        VMSTATE_UINT64(tmr_overflow, AcpiPMState),
        VMSTATE_END_OF_LIST()
    },
};

static const Property acpi_pm_props[] = {
    DEFINE_PROP_UINT32("iobase", AcpiPMState, iobase, 0x600),
    DEFINE_PROP_UINT32("sci_irq", AcpiPMState, sci_irq, 9),
    DEFINE_PROP_END_OF_LIST(),
};

static void acpi_pm_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->desc = "ACPI PM1/PM timer/GPE0 registers (PIIX4 PM layout)";
    dc->category = DEVICE_CATEGORY_BRIDGE;
    dc->realize = acpi_pm_realize;
    dc->reset = acpi_pm_reset;
    dc->vmsd = &vmstate_acpi_pm;
    device_class_set_props(dc, acpi_pm_props);
}

/* ---- reset control register (0xcf9) ---- */

uint8_t pc_reset_control_read(PCResetControl *s)
{
    return s->rcr;
}

void pc_reset_control_write(PCResetControl *s, uint8_t value)
{
    /* PIIX3 RC: RCPU set resets now; SYS_RST only picks the kind of reset. */
    if (value & PC_RCR_RCPU) {
        emu_log_mask(LOG_RESET, "pc-reset-control: reset requested (0x%02x)\n", value);
        system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        return;
    }
    s->rcr = value & PC_RCR_SYS_RST;
}

static uint64_t rcr_read(void *opaque, hwaddr addr, unsigned size)
{
    return pc_reset_control_read(opaque);
}

static void rcr_write(void *opaque, hwaddr addr, uint64_t value, unsigned size)
{
    pc_reset_control_write(opaque, value);
}

static const MemoryRegionOps rcr_ops = {
    .read = rcr_read,
    .write = rcr_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 1,
    },
};

static void rcr_realize(DeviceState *dev, Error **errp)
{
    PCResetControl *s = PC_RESET_CONTROL(dev);

    memory_region_init_io(&s->io, OBJECT(s), &rcr_ops, s, "reset-control", 1);
    isa_register_ioport(ISA_DEVICE(dev), &s->io, PC_RESET_CONTROL_PORT);
}

static void rcr_reset(DeviceState *dev, ResetType type)
{
    PC_RESET_CONTROL(dev)->rcr = 0;
}

static void rcr_finalize(Object *obj)
{
    memory_region_finalize(&PC_RESET_CONTROL(obj)->io);
}

/* Only SYS_RST is stored: RCPU acts at once and is never kept. */
static int rcr_post_load(void *opaque, int version_id)
{
    PCResetControl *s = opaque;
    return s->rcr & ~PC_RCR_SYS_RST ? -1 : 0;
}

static const VMStateDescription vmstate_rcr = {
    .name = "pc-reset-control",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = rcr_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(rcr, PCResetControl),
        VMSTATE_END_OF_LIST()
    },
};

static void rcr_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->desc = "PIIX3 reset control register (port 0xcf9)";
    dc->category = DEVICE_CATEGORY_BRIDGE;
    dc->realize = rcr_realize;
    dc->reset = rcr_reset;
    dc->vmsd = &vmstate_rcr;
}

static const TypeInfo acpi_pm_types[] = {
    {
        .name = TYPE_ACPI_PM,
        .parent = TYPE_ISA_DEVICE,
        .instance_size = sizeof(AcpiPMState),
        .instance_finalize = acpi_pm_finalize,
        .class_init = acpi_pm_class_init,
    },
    {
        .name = TYPE_PC_RESET_CONTROL,
        .parent = TYPE_ISA_DEVICE,
        .instance_size = sizeof(PCResetControl),
        .instance_finalize = rcr_finalize,
        .class_init = rcr_class_init,
    },
};
DEFINE_TYPES(acpi_pm_types)
