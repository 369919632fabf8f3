/*
 * Dirty-memory tracking under TCG: guest stores executed by the translator must
 * set the dirty bits of every logging client (include/system/memory.h), as KVM's
 * dirty log does, also after a client cleared them while the TLB still maps the
 * page (accel/tcg/cputlb.c, TLB_NOTDIRTY). The oracle is the set of pages the
 * guest code writes, known from the code itself.
 */
#include "x86-run.h"
#include "system/memory.h"
#include "util/osdep.h"

#define VRAM_GPA   0x2000000u       /* above the harness's 16 MiB of RAM */
#define VRAM_PAGES 16u
#define P          4096u

static MemoryRegion vram;

static void vram_init(void)
{
    static bool done;
    if (!done) {
        g_assert_true(memory_region_init_ram(&vram, NULL, "test-vram", VRAM_PAGES * P,
                                             &error_abort));
        memory_region_add_subregion(get_system_memory(), VRAM_GPA, &vram);
        memory_region_set_log(&vram, true, DIRTY_MEMORY_VGA);
        done = true;
    }
}

/* What the display does each refresh: take and clear the bits. */
static uint32_t take_dirty(MemoryRegion *mr, hwaddr base, unsigned pages, unsigned client)
{
    DirtyBitmapSnapshot *snap = memory_region_snapshot_and_clear_dirty(mr, base,
                                                                      pages * P, client);
    uint32_t bits = 0;
    for (unsigned i = 0; i < pages; i++) {
        if (memory_region_snapshot_get_dirty(mr, snap, base + i * P, P)) {
            bits |= 1u << i;
        }
    }
    memory_region_snapshot_free(snap);
    return bits;
}

/*
 *   mov ebx, addr ; mov eax, val ; mov ecx, n
 * 1: mov [rbx], eax ; add ebx, stride ; dec ecx ; jnz 1b ; hlt
 * (the same bytes in 32-bit protected mode and long mode).
 */
static void put_store_loop(uint32_t addr, uint32_t val, uint32_t n, uint32_t stride)
{
    uint8_t code[] = {
        0xbb, 0, 0, 0, 0,
        0xb8, 0, 0, 0, 0,
        0xb9, 0, 0, 0, 0,
        0x89, 0x03,
        0x81, 0xc3, 0, 0, 0, 0,
        0xff, 0xc9,
        0x75, 0xf4,
        0xf4,
    };
    memcpy(&code[1], &addr, 4);
    memcpy(&code[6], &val, 4);
    memcpy(&code[11], &n, 4);
    memcpy(&code[19], &stride, 4);
    x86run_write(X86RUN_CODE, code, sizeof(code));
}

static void run_ok(void)
{
    X86RunResult r = x86run_exec(X86RUN_CODE, 1000);
    if (r.stop != X86RUN_HALT) {
        g_autofree char *d = x86run_describe(&r);
        g_error("guest did not halt: %s", d);
    }
}

static void test_vga_log(gconstpointer data)
{
    int be = GPOINTER_TO_INT(data) & 0xff;
    X86RunMode mode = GPOINTER_TO_INT(data) >> 8;
    x86run_init((TCGBackendKind)be);
    vram_init();
    x86run_setup(mode);
    uint32_t *host = memory_region_get_ram_ptr(&vram);

    take_dirty(&vram, 0, VRAM_PAGES, DIRTY_MEMORY_VGA);
    g_assert_cmphex(take_dirty(&vram, 0, VRAM_PAGES, DIRTY_MEMORY_VGA), ==, 0);

    /* Pages 3, 5, 7, 9: each written once. */
    put_store_loop(VRAM_GPA + 3 * P + 8, 0x11223344, 4, 2 * P);
    run_ok();
    g_assert_cmphex(host[(3 * P + 8) / 4], ==, 0x11223344);
    g_assert_cmphex(host[(9 * P + 8) / 4], ==, 0x11223344);
    g_assert_cmphex(take_dirty(&vram, 0, VRAM_PAGES, DIRTY_MEMORY_VGA), ==,
                    (1u << 3) | (1u << 5) | (1u << 7) | (1u << 9));

    /* Same pages again: the TLB still maps them (no setup in between), the bits
     * were cleared after the entries lost TLB_NOTDIRTY: they must trap again. */
    put_store_loop(VRAM_GPA + 5 * P, 0x55667788, 2, 2 * P);
    run_ok();
    g_assert_cmphex(host[5 * P / 4], ==, 0x55667788);
    g_assert_cmphex(take_dirty(&vram, 0, VRAM_PAGES, DIRTY_MEMORY_VGA), ==,
                    (1u << 5) | (1u << 7));

    /* Many stores to one page in one run: dirty once, value of the last. */
    put_store_loop(VRAM_GPA + 12 * P, 0xabcdef01, 200, 4);
    run_ok();
    g_assert_cmphex(host[(12 * P + 199 * 4) / 4], ==, 0xabcdef01);
    g_assert_cmphex(take_dirty(&vram, 0, VRAM_PAGES, DIRTY_MEMORY_VGA), ==, 1u << 12);

    /* A store crossing pages 14/15 dirties both. */
    put_store_loop(VRAM_GPA + 15 * P - 2, 0xa5a5a5a5, 1, 0);
    run_ok();
    g_assert_cmphex(take_dirty(&vram, 0, VRAM_PAGES, DIRTY_MEMORY_VGA), ==,
                    (1u << 14) | (1u << 15));

    /* No store: nothing dirty. */
    uint8_t hlt = 0xf4;
    x86run_write(X86RUN_CODE, &hlt, 1);
    run_ok();
    g_assert_cmphex(take_dirty(&vram, 0, VRAM_PAGES, DIRTY_MEMORY_VGA), ==, 0);
}

/* Migration's global log: every RAM page, logging flag on the region or not. */
static void test_global_log(gconstpointer data)
{
    int be = GPOINTER_TO_INT(data);
    x86run_init((TCGBackendKind)be);
    x86run_setup(X86RUN_LONG);

    /* Warm the TLB for the data pages before logging starts. */
    put_store_loop(X86RUN_DATA, 1, 8, P);
    run_ok();

    memory_global_dirty_log_start(1u << DIRTY_MEMORY_MIGRATION);
    /* Find the harness's RAM through the flat view. */
    FlatView *fv = address_space_get_flatview(&address_space_memory);
    const FlatRange *fr = flatview_lookup(fv, X86RUN_DATA);
    g_assert_nonnull(fr);
    MemoryRegion *mr = fr->mr;
    hwaddr base = fr->offset_in_region + (X86RUN_DATA - fr->start);
    flatview_unref(fv);

    take_dirty(mr, base, 8, DIRTY_MEMORY_MIGRATION);
    put_store_loop(X86RUN_DATA + 2 * P, 2, 3, 2 * P);    /* pages 2, 4, 6 */
    run_ok();
    g_assert_cmphex(take_dirty(mr, base, 8, DIRTY_MEMORY_MIGRATION), ==,
                    (1u << 2) | (1u << 4) | (1u << 6));
    put_store_loop(X86RUN_DATA + 4 * P, 3, 1, 0);
    run_ok();
    g_assert_cmphex(take_dirty(mr, base, 8, DIRTY_MEMORY_MIGRATION), ==, 1u << 4);
    memory_global_dirty_log_stop(1u << DIRTY_MEMORY_MIGRATION);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    TCGBackendKind bes[2];
    int n = x86run_backends(bes);
    for (int b = 0; b < n; b++) {
        const char *bn = bes[b] == TCG_BACKEND_TCI ? "tci" : "native";
        char *p = g_strdup_printf("/x86-dirty/%s/vga-log-long", bn);
        g_test_add_data_func(p, GINT_TO_POINTER(bes[b] | (X86RUN_LONG << 8)), test_vga_log);
        g_free(p);
        p = g_strdup_printf("/x86-dirty/%s/vga-log-prot32", bn);
        g_test_add_data_func(p, GINT_TO_POINTER(bes[b] | (X86RUN_PROT32 << 8)),
                             test_vga_log);
        g_free(p);
        p = g_strdup_printf("/x86-dirty/%s/migration-log", bn);
        g_test_add_data_func(p, GINT_TO_POINTER(bes[b]), test_global_log);
        g_free(p);
    }
    return g_test_run();
}
