#!/usr/bin/env python3
"""The tests/guests multiboot guests under emu's own translator: each guest that
does not depend on KVM runs under -accel tcg (native backend) and
-accel tcg,backend=tci and must meet the same expectations as in test_kvm.py
(RESULT: PASS on COM1 and isa-debug-exit status 33, plus per-guest checks).

KVM-only guests (not run here): regs (checks registers synced from KVM's vCPU,
its XSAVE area and MP_STATE), emufail (provokes a KVM internal error), errors
(KVM's error messages, /dev/kvm permissions), exitbench (measures KVM exits),
cputest (compared KVM vs TCG vs tci by test_cpu_diff.py). garbage (random
port and MMIO writes) runs here only: emu must survive it.

usage: test_guests_tcg.py GUEST"""
import os
import re
import subprocess
import sys
import tempfile

from emutest import EMU, Tap

GUESTS = os.environ.get("EMU_GUESTS", "build/tests/guests")
PASS = 33
BACKENDS = [("tcg", "tcg"), ("tci", "tcg,backend=tci")]

t = Tap()


def run_guest(accel, name, append=None, extra=(), timeout=120):
    with tempfile.TemporaryDirectory() as tmp:
        serial = os.path.join(tmp, "serial.txt")
        args = [EMU, "-machine", "pc", "-accel", accel, "-display", "none",
                "-kernel", os.path.join(GUESTS, name + ".bin"),
                "-serial", f"file:{serial}",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        if append:
            args += ["-append", append]
        args += list(extra)
        try:
            p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=timeout)
            rc, err = p.returncode, p.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:
            rc = None
            err = (e.stderr or b"").decode("utf-8", "replace") + "\n(timed out)"
        out = open(serial, encoding="utf-8", errors="replace").read() \
            if os.path.exists(serial) else ""
        return rc, out.replace("\r", ""), err


def check_pass(desc, rc, out, err):
    return t.check(rc == PASS and "RESULT: PASS" in out and "FAIL" not in out, desc,
                   f"exit status {rc}\n--- serial\n{out}\n--- stderr\n{err[-3000:]}")


def xorshift(n):
    x, acc, m = 0x9e3779b97f4a7c15, 0, (1 << 64) - 1
    for _ in range(n):
        x ^= (x << 13) & m
        x ^= x >> 7
        x ^= (x << 17) & m
        acc = (acc + x) & m
    return acc


def g_hello(be, accel):
    rc, out, err = run_guest(accel, "hello", append="alpha=1 beta")
    check_pass(f"{be}: hello enters long mode, prints on COM1, exits", rc, out, err)
    t.check("alpha=1 beta" in out, f"{be}: hello sees its command line", out)


def g_pio(be, accel):
    check_pass(f"{be}: port I/O of every width, string I/O, ring-3 I/O",
               *run_guest(accel, "pio"))


def g_mmio(be, accel):
    check_pass(f"{be}: MMIO of every width; IOAPIC and LAPIC registers",
               *run_guest(accel, "mmio"))
    rc, out, err = run_guest(accel, "mmio", append="highmem=0x100000000",
                             extra=["-machine", "pc,max-ram-below-4g=1G", "-m", "1280M"])
    check_pass(f"{be}: RAM above 4 GiB", rc, out, err)
    t.check("above 4 GiB) keeps" in out, f"{be}: the guest checked RAM above 4 GiB", out)


def g_rtc(be, accel):
    check_pass(f"{be}: RTC/CMOS registers and interrupt", *run_guest(accel, "rtc"))


def g_fwcfg(be, accel):
    check_pass(f"{be}: fw_cfg over I/O ports, -smp 2",
               *run_guest(accel, "fwcfg", append="cpus=2", extra=["-smp", "2"]))


def g_smp(be, accel):
    check_pass(f"{be}: -smp 4: three APs start through INIT/SIPI",
               *run_guest(accel, "smp", append="cpus=4 htt=0", extra=["-smp", "4"],
                          timeout=170))


def g_irq(be, accel):
    check_pass(f"{be}: PIT -> PIC, PIT -> IOAPIC -> LAPIC, LAPIC timer interrupts",
               *run_guest(accel, "irq"))


def g_ring3(be, accel):
    n = 100000
    rc, out, err = run_guest(accel, "ring3", append=f"iterations={n}")
    # The guest's "ring 3 runs natively" check times the loop against KVM's
    # speed: under a translator (tci above all) only that check may fail.
    fails = [ln for ln in out.splitlines() if ln.startswith("FAIL:")]
    others = [ln for ln in fails if "ring 3 runs natively" not in ln]
    t.check(rc in (PASS, PASS + 2) and "RESULT:" in out and not others,
            f"{be}: a loop at ring 3; #GP at CPL 3 reaches ring 0 (all checks but the "
            "KVM timing one)", f"exit status {rc}\n{out}\n{err[-2000:]}")
    m = re.search(r"= ([0-9a-f]+)", out)
    t.check(m is not None and int(m.group(1), 16) == xorshift(n),
            f"{be}: the ring-3 computation matches Python's", out)


def g_reset(be, accel):
    rc, out, err = run_guest(accel, "reset")
    check_pass(f"{be}: a triple fault resets the machine and the guest boots again",
               rc, out, err)
    t.check("first boot" in out and "second boot" in out, f"{be}: both boots", out)
    rc, out, err = run_guest(accel, "reset", extra=["-no-reboot"])
    t.check(rc == 0 and "first boot" in out and "second boot" not in out,
            f"{be}: -no-reboot ends emu with status 0 at the triple fault",
            f"status {rc}\n{out}\n{err[-2000:]}")


def g_memslot(be, accel):
    check_pass(f"{be}: regions added, moved and removed at run time, ROM, MMIO hole, "
               "dirty log across moves",
               *run_guest(accel, "memslot", extra=["-device", "emu-testdev"],
                          timeout=170))


def g_garbage(be, accel):
    # Random values to every I/O port and to MMIO (tests/guests/garbage.c): emu
    # must not crash or hang; the guest ends through isa-debug-exit, or through a
    # reset (-no-reboot) if the garbage reset the machine or broke the guest.
    for seed in (1, 2, 3, 4):
        rc, out, err = run_guest(accel, "garbage", append=f"seed={seed}",
                                 extra=["-m", "128M", "-no-reboot"], timeout=300)
        bad = [ln for ln in err.splitlines()
               if "Sanitizer" in ln or "runtime error" in ln or "assert" in ln.lower()]
        t.check(rc in (PASS, 0) and "garbage: seed" in out and not bad,
                f"{be}: seed {seed}: random port and MMIO writes: emu exits cleanly "
                f"(status {rc})", f"exit status {rc}\n--- serial\n{out[-2000:]}\n"
                f"--- stderr\n{err[-4000:]}")


GUESTS_TCG = {n[2:]: f for n, f in globals().items() if n.startswith("g_")}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in GUESTS_TCG:
        sys.exit(f"usage: test_guests_tcg.py {{{','.join(GUESTS_TCG)}}}")
    if not os.path.exists(os.path.join(GUESTS, sys.argv[1] + ".bin")):
        print(f"1..0 # SKIP guest {sys.argv[1]}.bin not built (non-x86 host?)")
        sys.exit(0)
    for be, accel in BACKENDS:
        GUESTS_TCG[sys.argv[1]](be, accel)
    t.done()
