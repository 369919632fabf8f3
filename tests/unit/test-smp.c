/*
 * -smp parsing against the topologies QEMU's documentation and its
 * test-smp-parse table give for a machine type since 6.2 (`pc`): missing
 * values are filled preferring cores over sockets, threads are computed last,
 * maxcpus defaults to the product of the hierarchy.
 */
#include "system/cli.h"

typedef struct SmpCase {
    const char *arg;
    unsigned cpus, sockets, dies, cores, threads, maxcpus;
} SmpCase;

static const SmpCase good[] = {
    { "8",                          8, 1, 1, 8, 1, 8 },
    { "cpus=8",                     8, 1, 1, 8, 1, 8 },
    { "sockets=2",                  2, 2, 1, 1, 1, 2 },
    { "cores=4",                    4, 1, 1, 4, 1, 4 },
    { "threads=2",                  2, 1, 1, 1, 2, 2 },
    { "maxcpus=16",                 16, 1, 1, 16, 1, 16 },
    { "8,sockets=2",                8, 2, 1, 4, 1, 8 },
    { "8,cores=4",                  8, 2, 1, 4, 1, 8 },
    { "8,threads=2",                8, 1, 1, 4, 2, 8 },
    { "8,sockets=2,cores=2",        8, 2, 1, 2, 2, 8 },
    { "8,maxcpus=16",               8, 1, 1, 16, 1, 16 },
    { "8,sockets=2,maxcpus=16",     8, 2, 1, 8, 1, 16 },
    { "4,sockets=2,cores=2,threads=2,maxcpus=8", 4, 2, 1, 2, 2, 8 },
    { "sockets=2,cores=3,threads=2", 12, 2, 1, 3, 2, 12 },
    { "16,dies=2",                  16, 1, 2, 8, 1, 16 },
    { "2",                          2, 1, 1, 2, 1, 2 },
};

static void test_good(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        const SmpCase *c = &good[i];
        CpuTopology t = { 0 };
        Error *err = NULL;
        bool ok = cli_parse_smp(c->arg, &t, &err);
        if (!ok) {
            g_error("-smp %s: %s", c->arg, error_get_pretty(err));
        }
        g_test_message("-smp %s -> cpus=%u sockets=%u dies=%u cores=%u threads=%u "
                       "maxcpus=%u", c->arg, t.cpus, t.sockets, t.dies, t.cores, t.threads,
                       t.max_cpus);
        g_assert_cmpuint(t.cpus, ==, c->cpus);
        g_assert_cmpuint(t.sockets, ==, c->sockets);
        g_assert_cmpuint(t.dies, ==, c->dies);
        g_assert_cmpuint(t.cores, ==, c->cores);
        g_assert_cmpuint(t.threads, ==, c->threads);
        g_assert_cmpuint(t.max_cpus, ==, c->maxcpus);
    }
}

static void test_bad(void)
{
    static const struct {
        const char *arg, *needle;
    } bad[] = {
        { "8,sockets=3,cores=1", "product of the hierarchy must match maxcpus" },
        { "5,sockets=2", "sockets (2) * dies (1) * cores (2) * threads (1) != maxcpus (5)" },
        { "4,sockets=2,cores=2,threads=2", "threads (2) != maxcpus (4)" },
        { "16,maxcpus=8", "maxcpus (8) must be equal to or greater than cpus (16)" },
        { "0", "must be between 1 and 4096" },
        { "4,sockets=x", "sockets" },
        { "4,bogus=1", "bogus" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        CpuTopology t = { 0 };
        Error *err = NULL;
        g_assert_false(cli_parse_smp(bad[i].arg, &t, &err));
        g_assert_nonnull(err);
        g_test_message("-smp %s: %s", bad[i].arg, error_get_pretty(err));
        g_assert_nonnull(strstr(error_get_pretty(err), bad[i].needle));
        error_free(err);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/smp/fill-in", test_good);
    g_test_add_func("/smp/errors", test_bad);
    return g_test_run();
}
