/*
 * Random bytes executed by the x86 translator in every mode, at ring 0 and
 * ring 3 (issue 4: "executing random bytes in ring 0 and ring 3 never crashes
 * emu"). Whatever the bytes do (fault, halt, loop, rewrite the page tables or
 * the IDT, triple fault) the run must end in one of the harness's stop
 * states: no assertion, no crash (the ASan build runs this too), no hang.
 * The seed is printed; EMU_FUZZ_SEED / EMU_FUZZ_RUNS reproduce or lengthen;
 * EMU_FUZZ_SLOW=1 prints the bytes of runs that took over 20 ms. Code looping in
 * chained TBs ends through x86-run's watchdog kick (a slice per kick).
 */
#include "util/osdep.h"
#include "x86-run.h"

typedef struct FuzzMode {
    const char *name;
    X86RunMode mode;
    bool user;
} FuzzMode;

static const FuzzMode modes[] = {
    { "long-ring0", X86RUN_LONG, false }, { "long-ring3", X86RUN_LONG, true },
    { "prot32-ring0", X86RUN_PROT32, false }, { "real", X86RUN_REAL, false },
};

static void fuzz(TCGBackendKind be, const FuzzMode *m, uint32_t seed, int runs)
{
    GRand *r = g_rand_new_with_seed(seed);
    int stops[X86RUN_FATAL + 1] = { 0 };
    uint8_t blob[96];

    x86run_init(be);
    x86run_set_kick_interval(1000);     /* looping runs end after ~3 ms */
    for (int i = 0; i < runs; i++) {
        x86run_setup(m->mode);
        if (m->user) {
            x86run_enter_user();
        }
        for (size_t k = 0; k < sizeof(blob); k++) {
            blob[k] = g_rand_int(r);
        }
        uint64_t code = m->mode == X86RUN_REAL ? 0x7c00 : X86RUN_CODE;
        x86run_write(code, blob, sizeof(blob));
        /* Random registers too, but a usable stack. */
        CPUX86State *env = x86run_env();
        for (int k = 0; k < CPU_NB_REGS; k++) {
            if (k != R_ESP) {
                env->regs[k] = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
            }
        }
        int64_t t0 = g_get_monotonic_time();
        X86RunResult res = x86run_exec(code, 3);
        int64_t dt = g_get_monotonic_time() - t0;
        if (g_getenv("EMU_FUZZ_SLOW") && dt > 20000) {
            GString *h = g_string_new(NULL);
            for (size_t k = 0; k < sizeof(blob); k++) {
                g_string_append_printf(h, "%02x", blob[k]);
            }
            g_test_message("slow run %d: %" PRId64 " us stop %d bytes %s", i, dt, res.stop,
                           h->str);
            g_string_free(h, true);
        }
        if (res.stop == X86RUN_FATAL) {
            g_autofree char *hex = NULL;
            GString *h = g_string_new(NULL);
            for (size_t k = 0; k < sizeof(blob); k++) {
                g_string_append_printf(h, "%02x", blob[k]);
            }
            hex = g_string_free(h, false);
            g_test_message("%s run %d: engine fatal error; bytes %s", m->name, i, hex);
            g_test_fail();
        }
        stops[res.stop]++;
    }
    g_test_message("%s (%s, seed %u): %d runs: %d halt, %d exception, %d triple fault, "
                   "%d still running", m->name, be == TCG_BACKEND_TCI ? "tci" : "native",
                   seed, runs, stops[X86RUN_HALT], stops[X86RUN_EXCEPTION],
                   stops[X86RUN_TRIPLE_FAULT], stops[X86RUN_LIMIT]);
    g_rand_free(r);
}

static uint32_t seed;
static int runs;

static void test_fuzz(gconstpointer p)
{
    int i = GPOINTER_TO_INT(p);
    fuzz((TCGBackendKind)(i >> 8), &modes[i & 0xff], seed, runs);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    const char *s = g_getenv("EMU_FUZZ_SEED");
    seed = s ? (uint32_t)strtoul(s, NULL, 0) : (uint32_t)g_random_int();
    s = g_getenv("EMU_FUZZ_RUNS");
    runs = s ? atoi(s) : 1000;
    g_test_message("seed %u (EMU_FUZZ_SEED=%u reproduces)", seed, seed);
    TCGBackendKind bes[2];
    int nb = x86run_backends(bes);
    for (int b = 0; b < nb; b++) {
        for (unsigned i = 0; i < G_N_ELEMENTS(modes); i++) {
            g_autofree char *path = g_strdup_printf(
                "/x86-fuzz/%s/%s", bes[b] == TCG_BACKEND_TCI ? "tci" : "native", modes[i].name);
            g_test_add_data_func(path, GINT_TO_POINTER(bes[b] << 8 | i), test_fuzz);
        }
    }
    return g_test_run();
}
