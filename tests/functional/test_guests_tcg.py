#!/usr/bin/env python3
"""The tests/guests multiboot guests under emu's own translator: each guest that
does not depend on KVM runs under -accel tcg (native backend) and
-accel tcg,backend=tci and must meet the same expectations as in test_kvm.py
(RESULT: PASS on COM1 and isa-debug-exit status 33, plus per-guest checks).

KVM-only guests (not run here): regs (checks registers synced from KVM's vCPU,
its XSAVE area and MP_STATE), emufail (provokes a KVM internal error), errors
(KVM's error messages, /dev/kvm permissions), exitbench (measures KVM exits),
cputest (compared KVM vs TCG vs tci by test_cpu_diff.py). garbage (random
port and MMIO writes) runs here only: emu must survive it; so does
virtio-hostile (malformed virtio-blk and virtio-net rings).

usage: test_guests_tcg.py GUEST"""
import os
import re
import sys

from emutest import GUESTS, Tap, multiboot_args, run_serial_guest, xorshift

PASS = 33
BACKENDS = [("tcg", "tcg"), ("tci", "tcg,backend=tci")]

t = Tap()


def run_guest(accel, name, append=None, extra=(), timeout=120):
    """Run to completion; returns (exit status, serial text, stderr)."""
    return run_serial_guest(lambda serial: multiboot_args(accel, name, serial, append, extra),
                            timeout)


def check_pass(desc, rc, out, err):
    return t.check(rc == PASS and "RESULT: PASS" in out and "FAIL" not in out, desc,
                   f"exit status {rc}\n--- serial\n{out}\n--- stderr\n{err[-3000:]}")


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
    check_pass(f"{be}: -smp 4 (one socket, four cores): three APs start through INIT/SIPI",
               *run_guest(accel, "smp", append="cpus=4 htt=1 perpkg=4", extra=["-smp", "4"],
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


def vhostile_disk(path):
    """The disk whose sector 0 the guest checks (pattern() in virtio-hostile.c)."""
    magic = b"emu virtio-hostile disk"
    sector = bytes(magic[i] if i < len(magic) else (i * 37 + 11) & 0xff
                   for i in range(512))
    with open(path, "wb") as f:
        f.write(sector + bytes((1 << 20) - 512))


# What emu must log (-d guest_errors) for the bad rings, per device.
VHOSTILE_LOG = [
    r"queue \d: descriptor chain at 0 longer than the queue \(16\): a loop",
    r"queue \d: next descriptor 4660 beyond 16",
    r"device-readable buffer 0x4000000000 \(\+512\) is not in guest RAM",
    r"device-readable buffer 0xfec00000 \(\+64\) is not in guest RAM",
    r"device-writable buffer 0xffff0000 \(\+512\) is not in guest writable RAM",
    r"buffer 0xfffffffffffff000 \(\+8192\) is not in guest",
    r"queue \d: zero-length buffer",
    r"\(\+4294967295\) is not in guest",
    r"avail idx 1000 is \d+ ahead",
    r"head descriptor 32768 beyond queue size 16",
    r"longer than the indirect table \(2\): a loop",
    r"indirect table of 24 bytes",
    r"indirect table of 4294967280 bytes",
    r"both INDIRECT and NEXT",
    r"nested indirect descriptor",
    r"ring at 0x4000000000 \(\+16\) is not in guest RAM",
]


def g_virtio_hostile(be, accel):
    # Malformed rings to virtio-blk and virtio-net (tests/guests/virtio-hostile.c):
    # each case must set NEEDS_RESET (or not) as the spec says, and the device
    # must work again after a reset. emu must log each bad ring and survive.
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        disk = os.path.join(tmp, "disk.img")
        vhostile_disk(disk)
        rc, out, err = run_guest(accel, "virtio-hostile", timeout=170, extra=[
            "-m", "128M", "-d", "guest_errors",
            "-drive", f"if=none,id=d0,format=raw,file={disk}",
            "-device", "virtio-blk-pci,drive=d0",
            "-netdev", "user,id=n0,ipv6=off", "-device", "virtio-net-pci,netdev=n0"])
    check_pass(f"{be}: hostile virtio rings: every case as expected, the devices work "
               "after each reset", rc, out, err)
    bad = [ln for ln in err.splitlines()
           if "Sanitizer" in ln or "runtime error" in ln or "assert" in ln.lower()]
    t.check(rc == PASS and not bad, f"{be}: emu ends through isa-debug-exit (status {rc})",
            err[-4000:])
    for dev, extra in (("virtio-blk", [r"request 0 without a header \(16 bytes\) or "
                                       r"status byte"]),
                       ("virtio-net", [r"receive buffer 0 of 4 writable bytes: no room",
                                       r"transmit chain 0 of 4 bytes: shorter than"])):
        cases = len(re.findall(rf"^{dev}: .*\(NEEDS_RESET\)", out, re.M))
        logged = len(re.findall(rf"^{dev}: .*; device needs reset$", err, re.M))
        missing = [p for p in VHOSTILE_LOG + extra
                   if not re.search(rf"^{dev}: .*{p}", err, re.M)]
        t.check(cases >= 20 and logged >= cases and not missing,
                f"{be}: {dev}: -d guest_errors names the bad descriptors "
                f"({logged} lines for {cases} cases)",
                f"missing: {missing}\n--- stderr\n{err[-4000:]}")


GUESTS_TCG = {n[2:].replace("_", "-"): f for n, f in globals().items()
              if n.startswith("g_")}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in GUESTS_TCG:
        sys.exit(f"usage: test_guests_tcg.py {{{','.join(GUESTS_TCG)}}}")
    if not os.path.exists(os.path.join(GUESTS, sys.argv[1] + ".bin")):
        print(f"1..0 # SKIP guest {sys.argv[1]}.bin not built (non-x86 host?)")
        sys.exit(0)
    for be, accel in BACKENDS:
        GUESTS_TCG[sys.argv[1]](be, accel)
    t.done()
