/*
 * The virtual clock (util/timer.c), read without a lock (RDTSC reads it on
 * every guest RDTSC): it stops while the VM is stopped and goes on from where
 * it stopped, and no reader ever sees it go back, also while another thread
 * stops and restarts it or switches it to manual (qtest) time and back.
 * The oracle is the host's monotonic clock (EMU_CLOCK_REALTIME).
 */
#include "util/osdep.h"
#include "util/timer.h"

/* Stopped: frozen. Restarted: it resumes from the frozen value, and has run no
 * longer than the host clock since the restart began. */
static void test_stop_cont(void)
{
    clock_virtual_enable(true);
    int64_t a = clock_get_ns(EMU_CLOCK_VIRTUAL);
    g_usleep(1000);
    int64_t b = clock_get_ns(EMU_CLOCK_VIRTUAL);
    g_assert_cmpint(b, >, a);

    clock_virtual_enable(false);
    int64_t f0 = clock_get_ns(EMU_CLOCK_VIRTUAL);
    g_assert_cmpint(f0, >=, b);
    g_usleep(3000);
    g_assert_cmpint(clock_get_ns(EMU_CLOCK_VIRTUAL), ==, f0);

    int64_t h0 = clock_get_ns(EMU_CLOCK_REALTIME);
    clock_virtual_enable(true);
    int64_t c = clock_get_ns(EMU_CLOCK_VIRTUAL);
    int64_t h1 = clock_get_ns(EMU_CLOCK_REALTIME);
    g_assert_cmpint(c, >=, f0);
    g_assert_cmpint(c - f0, <=, h1 - h0);
}

/* Manual time: frozen but for clock_virtual_advance_to, which never goes back. */
static void test_manual(void)
{
    clock_virtual_enable(true);
    clock_virtual_set_manual(true);
    int64_t m = clock_get_ns(EMU_CLOCK_VIRTUAL);
    g_usleep(2000);
    g_assert_cmpint(clock_get_ns(EMU_CLOCK_VIRTUAL), ==, m);
    clock_virtual_advance_to(m + 12345);
    g_assert_cmpint(clock_get_ns(EMU_CLOCK_VIRTUAL), ==, m + 12345);
    clock_virtual_advance_to(m);
    g_assert_cmpint(clock_get_ns(EMU_CLOCK_VIRTUAL), ==, m + 12345);
    int64_t h0 = clock_get_ns(EMU_CLOCK_REALTIME);
    clock_virtual_set_manual(false);
    int64_t c = clock_get_ns(EMU_CLOCK_VIRTUAL);
    int64_t h1 = clock_get_ns(EMU_CLOCK_REALTIME);
    g_assert_cmpint(c, >=, m + 12345);
    g_assert_cmpint(c - (m + 12345), <=, h1 - h0);
}

typedef struct Race {
    int stop;
    unsigned long reads;
    int64_t backwards;
} Race;

static gpointer reader(gpointer opaque)
{
    Race *r = opaque;
    int64_t last = clock_get_ns(EMU_CLOCK_VIRTUAL);
    unsigned long n = 0;
    while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
        int64_t v = clock_get_ns(EMU_CLOCK_VIRTUAL);
        if (v < last) {
            __atomic_store_n(&r->backwards, last - v, __ATOMIC_RELAXED);
        }
        last = v;
        n++;
    }
    __atomic_add_fetch(&r->reads, n, __ATOMIC_RELAXED);
    return NULL;
}

/* Readers on two threads while the main thread stops, restarts and switches
 * the clock to manual time and back, 20,000 times: no reader sees time go back. */
static void test_race(void)
{
    Race r = { 0 };
    clock_virtual_enable(true);
    GThread *t[2];
    for (int i = 0; i < 2; i++) {
        t[i] = g_thread_new("reader", reader, &r);
    }
    for (int i = 0; i < 20000; i++) {
        switch (i % 4) {
        case 0:
            clock_virtual_enable(false);
            break;
        case 1:
            clock_virtual_enable(true);
            break;
        case 2:
            clock_virtual_set_manual(true);
            clock_virtual_advance_to(clock_get_ns(EMU_CLOCK_VIRTUAL) + 1000);
            break;
        default:
            clock_virtual_set_manual(false);
            break;
        }
        if (i % 64 == 0) {
            g_thread_yield();
        }
    }
    __atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 2; i++) {
        g_thread_join(t[i]);
    }
    g_test_message("%lu reads", r.reads);
    g_assert_cmpint(r.backwards, ==, 0);
    g_assert_cmpuint(r.reads, >, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/timer/virtual/stop-cont", test_stop_cont);
    g_test_add_func("/timer/virtual/manual", test_manual);
    g_test_add_func("/timer/virtual/race", test_race);
    return g_test_run();
}
