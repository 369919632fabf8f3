/*
 * -smp N: the BSP starts the APs with INIT/SIPI/SIPI through the in-kernel LAPIC;
 * each AP runs the real-mode trampoline into long mode, reports its APIC ID and
 * adds to a shared counter with locked instructions.
 */
#include "libguest.h"

#define ADDS 1000

static volatile uint64_t counter;

static void ap_work(uint32_t apic_id)
{
    for (int i = 0; i < ADDS; i++) {
        __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
    }
}

void test_main(void)
{
    unsigned n = cmdline_uint("cpus", 1);
    if (n < 2) {
        guest_skip("give -smp N and cpus=N on the command line");
    }
    uint32_t r[4];
    unsigned threads = cmdline_uint("threads", 1);
    unsigned per_pkg = cmdline_uint("perpkg", 1);
    cpuid(1, 0, r);
    check((r[1] >> 24) == 0, "CPUID.1: BSP initial APIC ID 0");
    /*
     * HTT: set with more than one logical processor per package (emu's CPUID
     * table, as QEMU's). Checked when the command line says htt=1|0: kvm_pvm
     * reports HTT set whatever the table says, so the KVM runs do not ask.
     */
    if (cmdline_uint("htt", 2) != 2) {
        check(!!(r[3] & (1u << 28)) == cmdline_uint("htt", 2), "CPUID.1: HTT %s",
              r[3] & (1u << 28) ? "set" : "clear");
    }
    cpuid(0xb, 0, r);
    check((r[1] & 0xffff) == threads && r[3] == 0,
          "CPUID.0BH.0: %u logical processors per core, x2APIC ID %u", r[1] & 0xffff, r[3]);
    cpuid(0xb, 1, r);
    check((r[1] & 0xffff) == per_pkg && ((r[2] >> 8) & 0xff) == 2,
          "CPUID.0BH.1: %u logical processors per package (core level)", r[1] & 0xffff);
    ap_entry = ap_work;
    uint64_t t0 = rdtsc();
    smp_start_aps();
    /* Generous: APs run their real-mode start-up through KVM's emulator on kvm_pvm. */
    while (ap_started < n - 1 && rdtsc() - t0 < 30000000000ull) {
        pause();
    }
    uint64_t t1 = rdtsc();
    printf("%u of %u APs started after %lu Mcycles\n", ap_started, n - 1, (t1 - t0) >> 20);
    check(ap_started == n - 1, "all %u APs started", n - 1);
    /* APIC IDs follow the -smp topology (one bit per ID); "apicmask" overrides. */
    uint64_t want = cmdline_uint("apicmask", ((1ull << n) - 1)) & ~1ull;
    check(ap_seen_mask == want, "AP APIC IDs: mask %#lx (want %#lx)", ap_seen_mask, want);
    while (counter < (uint64_t)ap_started * ADDS && rdtsc() - t1 < 30000000000ull) {
        pause();
    }
    check(counter == (uint64_t)(n - 1) * ADDS, "locked adds from the APs: %lu", counter);
}
