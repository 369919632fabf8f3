/*
 * The AML encoder (ACPI 6.5 §20.2 encodings; the PCI terms against bytes from
 * ACPICA's iasl), the table-loader script and its runner, and the table
 * builder with an HPET registered.
 */
#include "hw/acpi/aml.h"
#include "hw/acpi/acpi-build.h"
#include "hw/acpi/bios-linker-loader.h"
#include "hw/acpi/mptable.h"
#include "system/memory.h"

static GByteArray *encode(Aml *a)
{
    Aml *root = aml_root();
    aml_append(root, a);
    return aml_finish(root);
}

#define assert_bytes(arr, ...) do { \
        static const uint8_t expect_[] = { __VA_ARGS__ }; \
        g_assert_cmpmem((arr)->data, (arr)->len, expect_, sizeof(expect_)); \
    } while (0)

static void test_pkg_length(void)
{
    /* 1 byte up to 63 in all; then 4 bits in the lead byte, 8 per extra byte. */
    static const struct {
        size_t len;
        uint8_t bytes[4];
        unsigned n;
    } cases[] = {
        { 0, { 0x01 }, 1 },
        { 0x3e, { 0x3f }, 1 },
        { 0x3f, { 0x41, 0x04 }, 2 },
        { 0xffd, { 0x4f, 0xff }, 2 },
        { 0xffe, { 0x81, 0x00, 0x01 }, 3 },
        { 0xffffc, { 0x8f, 0xff, 0xff }, 3 },
        { 0xffffd, { 0xc1, 0x00, 0x00, 0x01 }, 4 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GByteArray) b = g_byte_array_new();
        build_append_pkg_length(b, cases[i].len);
        g_assert_cmpmem(b->data, b->len, cases[i].bytes, cases[i].n);
    }
}

static void test_names_and_data(void)
{
    g_autoptr(GByteArray) a = encode(aml_name("\\_SB.PCI0.ISA"));
    assert_bytes(a, '\\', 0x2f, 3, '_', 'S', 'B', '_', 'P', 'C', 'I', '0', 'I', 'S', 'A', '_');
    g_autoptr(GByteArray) b = encode(aml_name("^FOO.BAR"));
    assert_bytes(b, '^', 0x2e, 'F', 'O', 'O', '_', 'B', 'A', 'R', '_');
    g_autoptr(GByteArray) c = encode(aml_name(""));
    assert_bytes(c, 0x00);
    g_autoptr(GByteArray) d = encode(aml_int(0));
    assert_bytes(d, 0x00);
    g_autoptr(GByteArray) e = encode(aml_int(0x1234));
    assert_bytes(e, 0x0b, 0x34, 0x12);
    g_autoptr(GByteArray) f = encode(aml_int(0x100000000ull));
    assert_bytes(f, 0x0e, 0, 0, 0, 0, 1, 0, 0, 0);
    g_autoptr(GByteArray) g = encode(aml_int(UINT64_MAX));
    assert_bytes(g, 0xff);
    g_autoptr(GByteArray) h = encode(aml_eisaid("PNP0303"));
    assert_bytes(h, 0x0c, 0x41, 0xd0, 0x03, 0x03);
    g_autoptr(GByteArray) i = encode(aml_string("AB"));
    assert_bytes(i, 0x0d, 'A', 'B', 0);
}

static void test_blocks(void)
{
    /* Name(_S5, Package(4) {0, 0, 0, 0}) as Linux's ACPICA expects it. */
    Aml *pkg = aml_package(4);
    for (int k = 0; k < 4; k++) {
        aml_append(pkg, aml_int(0));
    }
    g_autoptr(GByteArray) s5 = encode(aml_name_decl("_S5", pkg));
    assert_bytes(s5, 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0);

    /* Device with a resource template and a method. */
    Aml *dev = aml_device("COM1");
    Aml *crs = aml_resource_template();
    aml_append(crs, aml_io(0x3f8, 0x3f8, 1, 8));
    aml_append(crs, aml_irq_no_flags(4));
    aml_append(dev, aml_name_decl("_CRS", crs));
    Aml *m = aml_method("_STA", 0, false);
    aml_append(m, aml_return(aml_int(0xf)));
    aml_append(dev, m);
    g_autoptr(GByteArray) d = encode(dev);
    assert_bytes(d, 0x5b, 0x82, 0x25, 'C', 'O', 'M', '1',
                 0x08, '_', 'C', 'R', 'S',
                 0x11, 0x10, 0x0a, 0x0d,
                 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
                 0x22, 0x10, 0x00,
                 0x79, 0x00,
                 0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xa4, 0x0a, 0x0f);

    /* A scope big enough for a two-byte PkgLength. */
    Aml *sc = aml_scope("\\_SB");
    for (int k = 0; k < 20; k++) {
        aml_append(sc, aml_name_decl("XXXX", aml_int(0x12345678)));
    }
    g_autoptr(GByteArray) big = encode(sc);
    /* body: 5 (name) + 20 * 10 = 205; +2 for the PkgLength itself = 207 = 0xcf */
    g_assert_cmpuint(big->len, ==, 1 + 2 + 205);
    g_assert_cmphex(big->data[1], ==, 0x40 | 0xf);
    g_assert_cmphex(big->data[2], ==, 0x0c);
}

/*
 * The PCI part's terms against ACPICA's compiler: the bytes below are iasl
 * 20200925's output (after the table header) for this ASL:
 *   Name (R1, ResourceTemplate () {
 *     WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, 0, 0xff, 0, 0x100)
 *     DWordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
 *              0, 0xd00, 0xffff, 0, 0xf300)
 *     DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable,
 *                  ReadWrite, 0, 0x08000000, 0xfebfffff, 0, 0xf6c00000)
 *     QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable,
 *                  ReadWrite, 0, 0x100000000, 0x17fffffff, 0, 0x80000000)
 *     Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {5, 10, 11} })
 *   OperationRegion (P40C, PCI_Config, 0x60, 0x04)
 *   Field (P40C, ByteAcc, NoLock, Preserve) { PRQA, 8, PRQB, 8 }
 *   Method (M1, 1, Serialized) {
 *     If (And (PRQA, 0x80)) { Return (0x09) }
 *     Or (PRQA, 0x80, PRQA)
 *     CreateDWordField (Arg0, 0x05, PRRI)
 *     Store (PRRI, PRQB)
 *     Return (LLess (PRQA, 0x80)) }
 */
static void test_pci_terms(void)
{
    static const char iasl_hex[] =
        "0852315f5f1149080a85880d00020c0000000000ff0000000001871700010c03000000"
        "00000d0000ffff00000000000000f30000871700000c010000000000000008ffffbffe"
        "000000000000c0f68a2b00000c0300000000000000000000000001000000ffffff7f01"
        "00000000000000000000000000008000000000890e000903050000000a0000000b0000"
        "0079005b8050343043020a600a045b811050343043015052514108505251420814374d"
        "315f5f09a00c7b505251410a8000a40a097d505251410a80505251418a680a05505252"
        "49705052524950525142a495505251410a80";
    const uint32_t irqs[] = { 5, 10, 11 };
    Aml *root = aml_root();
    Aml *rt = aml_resource_template();

    aml_append(rt, aml_word_bus_number(0, 0xff));
    aml_append(rt, aml_dword_io(0xd00, 0xffff));
    aml_append(rt, aml_dword_memory(false, 0x08000000, 0xfebfffff));
    aml_append(rt, aml_qword_memory(true, 0x100000000ull, 0x17fffffffull));
    aml_append(rt, aml_interrupt_level_shared(irqs, 3));
    aml_append(root, aml_name_decl("R1", rt));
    aml_append(root, aml_operation_region("P40C", AML_SPACE_PCI_CONFIG, 0x60, 4));
    Aml *f = aml_field_byte_acc("P40C");
    aml_append(f, aml_named_field("PRQA", 8));
    aml_append(f, aml_named_field("PRQB", 8));
    aml_append(root, f);
    Aml *m = aml_method("M1", 1, true);
    Aml *cond = aml_if(aml_and(aml_name("PRQA"), aml_int(0x80), NULL));
    aml_append(cond, aml_return(aml_int(9)));
    aml_append(m, cond);
    aml_append(m, aml_or(aml_name("PRQA"), aml_int(0x80), aml_name("PRQA")));
    aml_append(m, aml_create_dword_field(aml_arg(0), aml_int(5), "PRRI"));
    aml_append(m, aml_store(aml_name("PRRI"), aml_name("PRQB")));
    aml_append(m, aml_return(aml_lless(aml_name("PRQA"), aml_int(0x80))));
    aml_append(root, m);
    g_autoptr(GByteArray) got = aml_finish(root);

    size_t n = strlen(iasl_hex) / 2;
    g_autofree uint8_t *want = g_malloc(n);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        g_assert_cmpint(sscanf(iasl_hex + 2 * i, "%2x", &v), ==, 1);
        want[i] = v;
    }
    g_assert_cmpmem(got->data, got->len, want, n);
}

static uint8_t sum(const uint8_t *p, size_t len)
{
    uint8_t s = 0;
    while (len--) {
        s += *p++;
    }
    return s;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Run the table-loader script into a RAM region, as firmware would. */
static void test_build_and_load(void)
{
    static MemoryRegion ram;
    const AcpiHpetInfo hpet = { .event_timer_block_id = 0x8086a201, .base = 0xfed00000 };
    AcpiBuildConfig cfg = {
        .cpus = 2, .max_cpus = 3, .pm_iobase = 0x600, .sci_irq = 9, .hpet = &hpet,
    };
    AcpiBuildTables t;

    memory_init();
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x100000, &error_abort));
    memory_region_add_subregion(get_system_memory(), 0, &ram);

    acpi_build(&cfg, &t);
    /* Script: 128-byte commands, ALLOCATE of the tables first. */
    g_assert_cmpuint(t.linker->cmd_blob->len % 128, ==, 0);
    g_assert_cmpuint(le32(t.linker->cmd_blob->data), ==, 1);
    g_assert_cmpstr((const char *)t.linker->cmd_blob->data + 4, ==, "etc/acpi/tables");
    g_assert_cmpmem(t.tables->data, 4, "FACS", 4);
    g_assert_cmpmem(t.rsdp->data, 8, "RSD PTR ", 8);

    BIOSLinkerPlacement placed[2];
    unsigned n = 0;
    uint64_t fseg_end = 0;
    g_assert_true(bios_linker_loader_run(&address_space_memory, t.linker, 0x10000, 0x10000,
                                         0x40000, 0x100, placed, 2, &n, &fseg_end,
                                         &error_abort));
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmphex(placed[0].addr, ==, 0x10000);
    g_assert_cmphex(placed[1].addr, ==, 0x40000);
    g_assert_cmphex(fseg_end, ==, 0x40000 + 36);

    uint8_t *mem = memory_region_get_ram_ptr(&ram);
    const uint8_t *rsdp = mem + 0x40000;
    g_assert_cmphex(sum(rsdp, 20), ==, 0);
    g_assert_cmphex(sum(rsdp, 36), ==, 0);
    const uint8_t *rsdt = mem + le32(rsdp + 16);
    g_assert_cmpmem(rsdt, 4, "RSDT", 4);
    g_assert_cmphex(sum(rsdt, le32(rsdt + 4)), ==, 0);
    /* FADT, MADT and, with an HPET registered, the HPET table. */
    g_assert_cmpuint(le32(rsdt + 4), ==, 36 + 3 * 4);
    const uint8_t *hp = mem + le32(rsdt + 36 + 8);
    g_assert_cmpmem(hp, 4, "HPET", 4);
    g_assert_cmpuint(le32(hp + 4), ==, 56);
    g_assert_cmphex(sum(hp, 56), ==, 0);
    g_assert_cmphex(le32(hp + 36), ==, 0x8086a201);
    g_assert_cmphex(le32(hp + 44), ==, 0xfed00000);

    /* Zones too small: an error, not a crash or an overrun. */
    Error *err = NULL;
    g_assert_false(bios_linker_loader_run(&address_space_memory, t.linker, 0x10000, 0x100,
                                          0x40000, 0x100, placed, 2, &n, &fseg_end, &err));
    g_assert_nonnull(err);
    error_free(err);
    /* A corrupted script is refused too. */
    uint8_t *cmds = t.linker->cmd_blob->data;
    size_t rsdp_alloc = 0;
    for (size_t off = 128; off < t.linker->cmd_blob->len; off += 128) {
        if (le32(cmds + off) == 1) {
            rsdp_alloc = off;
        }
    }
    g_assert_cmpstr((const char *)cmds + rsdp_alloc + 4, ==, "etc/acpi/rsdp");
    g_assert_cmpuint(cmds[rsdp_alloc + 4 + 56 + 4], ==, 2);    /* FSEG zone */
    cmds[rsdp_alloc + 4 + 56 + 4] = 7;
    g_assert_false(bios_linker_loader_run(&address_space_memory, t.linker, 0x10000, 0x10000,
                                          0x40000, 0x100, placed, 2, &n, &fseg_end, NULL));
    acpi_build_tables_cleanup(&t);
}

static void test_mptable(void)
{
    MPTableConfig cfg = { .cpus = 3, .ioapic_addr = 0xfec00000, .irq0_override = true,
                          .level_irqs = 1 << 9 };
    g_autoptr(GByteArray) t = mptable_build(&cfg, 0xf0000);
    g_assert_cmpmem(t->data, 4, "_MP_", 4);
    g_assert_cmphex(sum(t->data, 16), ==, 0);
    g_assert_cmphex(le32(t->data + 4), ==, 0xf0010);
    const uint8_t *c = t->data + 16;
    g_assert_cmpmem(c, 4, "PCMP", 4);
    g_assert_cmpuint(c[4] | c[5] << 8, ==, t->len - 16);
    g_assert_cmphex(sum(c, t->len - 16), ==, 0);
    /* 3 CPUs + bus + I/O APIC + 15 ISA IRQs + 2 local = 22 entries */
    g_assert_cmpuint(c[34] | c[35] << 8, ==, 22);
    g_assert_cmpuint(t->len - 16, ==, 44 + 3 * 20 + 19 * 8);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/acpi/aml/pkg-length", test_pkg_length);
    g_test_add_func("/acpi/aml/names-data", test_names_and_data);
    g_test_add_func("/acpi/aml/blocks", test_blocks);
    g_test_add_func("/acpi/aml/pci-terms", test_pci_terms);
    g_test_add_func("/acpi/build-and-load", test_build_and_load);
    g_test_add_func("/acpi/mptable", test_mptable);
    return g_test_run();
}
