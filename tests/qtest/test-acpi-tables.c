/*
 * The ACPI and MP tables -machine pc writes into guest RAM for direct kernel
 * boot, found the way Linux finds them: scan 0xe0000-0xfffff for the RSDP
 * ("RSD PTR ", 16-byte aligned) and 0xf0000-0xfffff for the MP floating
 * pointer ("_MP_"), then follow the pointers. Checks signatures, lengths and
 * checksums of every table, and the contents a kernel depends on: the PM
 * block addresses and reset register in the FADT, CPUs and IRQ overrides in
 * the MADT, \_S5 in the DSDT.
 */
#include "libqtest.h"

#include <string.h>

#define AREA_BASE 0xe0000
#define AREA_SIZE 0x20000
#define FSEG_BASE 0xf0000

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint16_t le16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
    uint8_t s = 0;
    while (len--) {
        s += *p++;
    }
    return s;
}

/* The BIOS area as the guest sees it. */
static uint8_t *read_area(QTestState *s)
{
    uint8_t *area = g_malloc(AREA_SIZE);
    qtest_bufread(s, AREA_BASE, area, AREA_SIZE);
    return area;
}

/* Offset in the area of @sig at a 16-byte boundary from @from, or -1. */
static long scan(const uint8_t *area, const char *sig, size_t from)
{
    for (size_t off = from; off + 16 <= AREA_SIZE; off += 16) {
        if (!memcmp(area + off, sig, strlen(sig))) {
            return off;
        }
    }
    return -1;
}

/* Read the table at @addr, checking its header: signature, length, checksum. */
static uint8_t *read_table(QTestState *s, uint64_t addr, const char *sig, uint32_t *len)
{
    uint8_t hdr[36];
    g_assert_cmphex(addr, !=, 0);
    qtest_memread(s, addr, hdr, sizeof(hdr));
    g_assert_cmpmem(hdr, 4, sig, 4);
    *len = le32(hdr + 4);
    g_assert_cmpuint(*len, >=, 36);
    g_assert_cmpuint(*len, <, 0x10000);
    uint8_t *t = g_malloc(*len);
    qtest_bufread(s, addr, t, *len);
    g_assert_cmphex(sum(t, *len), ==, 0);
    g_assert_cmpmem(t + 10, 6, "EMU   ", 6);
    return t;
}

typedef struct Tables {
    uint64_t rsdp, rsdt, xsdt, fadt, madt, dsdt, facs;
} Tables;

static void find_tables(QTestState *s, Tables *out)
{
    g_autofree uint8_t *area = read_area(s);
    long off = scan(area, "RSD PTR ", 0);
    g_assert_cmpint(off, >=, 0);
    const uint8_t *rsdp = area + off;

    memset(out, 0, sizeof(*out));
    out->rsdp = AREA_BASE + off;
    g_assert_cmphex(sum(rsdp, 20), ==, 0);
    g_assert_cmpuint(rsdp[15], ==, 2);                 /* revision */
    g_assert_cmpuint(le32(rsdp + 20), ==, 36);         /* length */
    g_assert_cmphex(sum(rsdp, 36), ==, 0);             /* extended checksum */
    out->rsdt = le32(rsdp + 16);
    out->xsdt = le64(rsdp + 24);

    uint32_t rlen, xlen;
    g_autofree uint8_t *rsdt = read_table(s, out->rsdt, "RSDT", &rlen);
    g_autofree uint8_t *xsdt = read_table(s, out->xsdt, "XSDT", &xlen);
    unsigned n = (rlen - 36) / 4;
    g_assert_cmpuint((rlen - 36) % 4, ==, 0);
    g_assert_cmpuint((xlen - 36) / 8, ==, n);
    for (unsigned i = 0; i < n; i++) {
        uint64_t a = le32(rsdt + 36 + 4 * i);
        g_assert_cmphex(le64(xsdt + 36 + 8 * i), ==, a);
        char sig[5] = { 0 };
        qtest_memread(s, a, sig, 4);
        if (!strcmp(sig, "FACP")) {
            out->fadt = a;
        } else if (!strcmp(sig, "APIC")) {
            out->madt = a;
        } else if (!strcmp(sig, "HPET")) {
            /* -machine hpet=on (default): test-hpet checks its contents. */
        } else {
            g_error("unexpected table '%s' in the RSDT", sig);
        }
    }
    g_assert_cmphex(out->fadt, !=, 0);
    g_assert_cmphex(out->madt, !=, 0);
}

static void check_fadt(QTestState *s, Tables *t, unsigned max_cpus)
{
    uint32_t len;
    g_autofree uint8_t *f = read_table(s, t->fadt, "FACP", &len);

    g_assert_cmpuint(len, ==, 244);
    g_assert_cmpuint(f[8], ==, 3);                     /* revision */
    t->facs = le32(f + 36);
    t->dsdt = le32(f + 40);
    g_assert_cmphex(le64(f + 140), ==, t->dsdt);       /* X_DSDT */
    g_assert_cmpuint(le16(f + 46), ==, 9);             /* SCI_INT */
    g_assert_cmphex(le32(f + 48), ==, 0);              /* SMI_CMD: no SMM */
    g_assert_cmphex(le32(f + 56), ==, 0x600);          /* PM1a_EVT_BLK */
    g_assert_cmphex(le32(f + 64), ==, 0x604);          /* PM1a_CNT_BLK */
    g_assert_cmphex(le32(f + 76), ==, 0x608);          /* PM_TMR_BLK */
    g_assert_cmphex(le32(f + 80), ==, 0x620);          /* GPE0_BLK */
    g_assert_cmpuint(f[88], ==, 4);                    /* PM1_EVT_LEN */
    g_assert_cmpuint(f[89], ==, 2);                    /* PM1_CNT_LEN */
    g_assert_cmpuint(f[91], ==, 4);                    /* PM_TMR_LEN */
    g_assert_cmpuint(f[92], ==, 8);                    /* GPE0_BLK_LEN */
    g_assert_cmpuint(f[108], ==, 0x32);                /* CENTURY */
    g_assert_cmphex(le16(f + 109), ==, 3);             /* IAPC: legacy devices, 8042 */
    uint32_t flags = le32(f + 112);
    g_assert_cmphex(flags & (1 << 0), !=, 0);          /* WBINVD */
    g_assert_cmphex(flags & (1 << 2), !=, 0);          /* PROC_C1 */
    g_assert_cmphex(flags & (1 << 4), ==, 0);          /* fixed power button */
    g_assert_cmphex(flags & (1 << 5), !=, 0);          /* no fixed sleep button */
    g_assert_cmphex(flags & (1 << 8), ==, 0);          /* 24-bit PM timer */
    g_assert_cmphex(flags & (1 << 10), !=, 0);         /* RESET_REG_SUP */
    g_assert_cmphex(!!(flags & (1 << 18)), ==, max_cpus > 8);
    /* RESET_REG: system I/O, 8 bits, port 0xcf9; RESET_VALUE 6. */
    g_assert_cmpuint(f[116], ==, 1);
    g_assert_cmpuint(f[117], ==, 8);
    g_assert_cmphex(le64(f + 120), ==, 0xcf9);
    g_assert_cmphex(f[128], ==, 0x06);
    /* X_PM1a_EVT_BLK, X_PM1a_CNT_BLK, X_PM_TMR_BLK agree with the 32-bit fields. */
    g_assert_cmpuint(f[148], ==, 1);
    g_assert_cmpuint(f[149], ==, 32);
    g_assert_cmphex(le64(f + 152), ==, 0x600);
    g_assert_cmphex(le64(f + 176), ==, 0x604);
    g_assert_cmphex(le64(f + 212), ==, 0x608);

    /* FACS: 64 bytes, 64-byte aligned, no checksum. */
    uint8_t facs[64];
    g_assert_cmphex(t->facs % 64, ==, 0);
    qtest_memread(s, t->facs, facs, sizeof(facs));
    g_assert_cmpmem(facs, 4, "FACS", 4);
    g_assert_cmpuint(le32(facs + 4), ==, 64);
}

static unsigned count_str(const uint8_t *p, size_t len, const char *needle)
{
    unsigned n = 0;
    size_t nl = strlen(needle);
    for (size_t i = 0; i + nl <= len; i++) {
        n += !memcmp(p + i, needle, nl);
    }
    return n;
}

static void check_dsdt(QTestState *s, const Tables *t, unsigned cpus)
{
    uint32_t len;
    g_autofree uint8_t *d = read_table(s, t->dsdt, "DSDT", &len);

    /* Name(_S5_, Package(4) { 0, 0, 0, 0 }): what Linux writes for S5. */
    static const uint8_t s5[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04,
                                  0x00, 0x00, 0x00, 0x00 };
    g_assert_cmpuint(count_str(d, len, "_S5_"), ==, 1);
    g_assert_true(memmem(d, len, s5, sizeof(s5)) != NULL);
    g_assert_cmpuint(count_str(d, len, "QEMU0002"), ==, 1);
    g_assert_cmpuint(count_str(d, len, "ACPI0007"), ==, cpus);
    g_assert_cmpuint(count_str(d, len, "_SB_"), >=, 1);
    /* One PCI host bridge, EISAID("PNP0A03") (tests/qtest/test-acpi-pci.c decodes it). */
    static const uint8_t pnp0a03[] = { 0x0c, 0x41, 0xd0, 0x0a, 0x03 };
    g_assert_true(memmem(d, len, pnp0a03, sizeof(pnp0a03)) != NULL);
}

static void check_madt(QTestState *s, const Tables *t, unsigned cpus, unsigned max_cpus)
{
    uint32_t len;
    g_autofree uint8_t *m = read_table(s, t->madt, "APIC", &len);
    unsigned enabled = 0, disabled = 0, ioapics = 0, nmis = 0;
    bool irq0 = false, sci = false;

    g_assert_cmphex(le32(m + 36), ==, 0xfee00000);
    g_assert_cmphex(le32(m + 40), ==, 1);              /* PCAT_COMPAT */
    for (uint32_t off = 44; off < len;) {
        uint8_t type = m[off], elen = m[off + 1];
        g_assert_cmpuint(elen, >=, 2);
        g_assert_cmpuint(off + elen, <=, len);
        switch (type) {
        case 0:                                        /* Processor Local APIC */
            g_assert_cmpuint(elen, ==, 8);
            g_assert_cmpuint(m[off + 3], ==, enabled + disabled);   /* APIC ID */
            if (le32(m + off + 4) & 1) {
                g_assert_cmpuint(disabled, ==, 0);     /* enabled ones come first */
                enabled++;
            } else {
                disabled++;
            }
            break;
        case 1:                                        /* I/O APIC */
            g_assert_cmpuint(elen, ==, 12);
            g_assert_cmpuint(m[off + 2], ==, 0);
            g_assert_cmphex(le32(m + off + 4), ==, 0xfec00000);
            g_assert_cmpuint(le32(m + off + 8), ==, 0);
            ioapics++;
            break;
        case 2:                                        /* Interrupt Source Override */
            g_assert_cmpuint(elen, ==, 10);
            if (m[off + 3] == 0) {
                g_assert_cmpuint(le32(m + off + 4), ==, 2);
                g_assert_cmphex(le16(m + off + 8), ==, 0);
                irq0 = true;
            } else if (m[off + 3] == 9) {
                g_assert_cmpuint(le32(m + off + 4), ==, 9);
                g_assert_cmphex(le16(m + off + 8), ==, 0xd);   /* level, active high */
                sci = true;
            }
            break;
        case 4:                                        /* Local APIC NMI */
            g_assert_cmpuint(m[off + 2], ==, 0xff);
            g_assert_cmpuint(m[off + 5], ==, 1);       /* LINT1 */
            nmis++;
            break;
        default:
            g_error("unexpected MADT entry type %u", type);
        }
        off += elen;
    }
    g_assert_cmpuint(enabled, ==, cpus);
    g_assert_cmpuint(disabled, ==, max_cpus - cpus);
    g_assert_cmpuint(ioapics, ==, 1);
    g_assert_cmpuint(nmis, ==, 1);
    g_assert_true(irq0);
    g_assert_true(sci);
}

static void check_mptable(QTestState *s, unsigned cpus)
{
    g_autofree uint8_t *area = read_area(s);
    long off = scan(area, "_MP_", FSEG_BASE - AREA_BASE);
    g_assert_cmpint(off, >=, 0);
    const uint8_t *mpf = area + off;

    g_assert_cmphex(sum(mpf, 16), ==, 0);
    g_assert_cmpuint(mpf[8], ==, 1);                   /* length: 16 bytes */
    g_assert_cmpuint(mpf[9], ==, 4);                   /* MPS 1.4 */
    g_assert_cmpuint(mpf[11], ==, 0);                  /* a config table follows */
    uint32_t cfg = le32(mpf + 4);
    g_assert_cmphex(cfg, >=, AREA_BASE);
    g_assert_cmphex(cfg, <, AREA_BASE + AREA_SIZE - 44);
    const uint8_t *c = area + (cfg - AREA_BASE);
    g_assert_cmpmem(c, 4, "PCMP", 4);
    uint16_t len = le16(c + 4);
    g_assert_cmpuint(cfg + len, <=, AREA_BASE + AREA_SIZE);
    g_assert_cmphex(sum(c, len), ==, 0);
    g_assert_cmphex(le32(c + 36), ==, 0xfee00000);

    unsigned procs = 0, buses = 0, ioapics = 0, ints = 0, n = le16(c + 34);
    const uint8_t *e = c + 44;
    for (unsigned i = 0; i < n; i++) {
        g_assert_cmphex(e - c, <, len);
        switch (e[0]) {
        case 0:
            g_assert_cmpuint(e[1], ==, procs);         /* APIC ID */
            g_assert_cmphex(e[3] & 1, ==, 1);          /* enabled */
            g_assert_cmphex(!!(e[3] & 2), ==, procs == 0);   /* BSP */
            procs++;
            e += 20;
            break;
        case 1:
            g_assert_cmpmem(e + 2, 6, "ISA   ", 6);
            buses++;
            e += 8;
            break;
        case 2:
            g_assert_cmphex(le32(e + 4), ==, 0xfec00000);
            ioapics++;
            e += 8;
            break;
        case 3:
            if (e[5] == 0) {
                g_assert_cmpuint(e[7], ==, 2);         /* IRQ 0 on pin 2 */
            }
            ints++;
            e += 8;
            break;
        case 4:
            e += 8;
            break;
        default:
            g_error("unexpected MP table entry %u", e[0]);
        }
    }
    g_assert_cmphex(e - c, ==, len);
    g_assert_cmpuint(procs, ==, cpus);
    g_assert_cmpuint(buses, ==, 1);
    g_assert_cmpuint(ioapics, ==, 1);
    g_assert_cmpuint(ints, ==, 15);
}

static void check_machine(unsigned cpus, unsigned max_cpus)
{
    QTestState *s = qtest_initf("-machine pc -m 128M -smp %u,maxcpus=%u", cpus, max_cpus);
    Tables t;

    find_tables(s, &t);
    check_fadt(s, &t, max_cpus);
    check_dsdt(s, &t, cpus);
    check_madt(s, &t, cpus, max_cpus);
    check_mptable(s, cpus);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_smp1(void)
{
    check_machine(1, 1);
}

static void test_smp4(void)
{
    check_machine(4, 4);
}

static void test_hotplug_slots(void)
{
    /* Possible but absent CPUs are listed disabled; > 8 forces cluster mode. */
    check_machine(2, 12);
}

static void test_rewritten_on_reset(void)
{
    QTestState *s = qtest_init("-machine pc -m 128M");
    Tables before, after;

    find_tables(s, &before);
    /* The guest scribbles over the whole BIOS area. */
    qtest_memset(s, AREA_BASE, 0x5a, AREA_SIZE);
    g_autofree uint8_t *area = read_area(s);
    g_assert_cmpint(scan(area, "RSD PTR ", 0), ==, -1);
    g_autoptr(JsonNode) r = qtest_qmp(s, "{'execute': 'system_reset'}");
    g_assert_nonnull(qtest_qmp_return(r));
    qtest_qmp_eventwait(s, "RESET");
    find_tables(s, &after);
    g_assert_cmphex(after.rsdp, ==, before.rsdp);
    g_assert_cmphex(after.fadt, ==, before.fadt);
    check_fadt(s, &after, 1);
    check_mptable(s, 1);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_acpi_off(void)
{
    /* acpi=off: no RSDP, but the MP table still describes the machine. */
    QTestState *s = qtest_init("-machine pc,acpi=off -m 128M -smp 2");
    g_autofree uint8_t *area = read_area(s);
    g_assert_cmpint(scan(area, "RSD PTR ", 0), ==, -1);
    check_mptable(s, 2);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/acpi-tables/smp1", test_smp1);
    g_test_add_func("/acpi-tables/smp4", test_smp4);
    g_test_add_func("/acpi-tables/hotplug-slots", test_hotplug_slots);
    g_test_add_func("/acpi-tables/rewritten-on-reset", test_rewritten_on_reset);
    g_test_add_func("/acpi-tables/acpi-off", test_acpi_off);
    return g_test_run();
}
