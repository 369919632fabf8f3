#!/usr/bin/env python3
"""Boot to marker: Debian's kernel + the busybox initramfs (scripts/fetch-guest.sh)
boots, prints EMU-GUEST-READY, runs `true`, powers off. Wall time from exec to
the marker and to exit, emu vs qemu-system-x86_64 (-machine pc, and microvm),
medians of BENCH_RUNS runs. BENCH_ACCEL=kvm (needs a hardware KVM host)
or tcg; unset: kvm on a hardware KVM host, else tcg. A measurement, not a test."""
import os
import shutil
import statistics
import subprocess
import sys
import time

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
ACCEL = os.environ.get("BENCH_ACCEL", "")   # default: kvm on a hardware KVM host, else tcg
MARKER = b"EMU-GUEST-READY"


def hardware_kvm():
    if not os.access("/dev/kvm", os.R_OK | os.W_OK) or os.path.exists("/sys/module/kvm_pvm"):
        return False
    with open("/proc/cpuinfo") as f:
        flags = f.read()
    return " vmx" in flags or " svm" in flags


def boot(cmd, timeout=600):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out = b""
    t_marker = None
    while True:
        chunk = p.stdout.read1(65536)
        if not chunk:
            break
        out += chunk
        if t_marker is None and MARKER in out:
            t_marker = time.perf_counter() - t0
        if time.perf_counter() - t0 > timeout:
            p.kill()
            break
    p.wait()
    if t_marker is None:
        raise RuntimeError(f"{cmd[0]}: no marker\n{out[-2000:].decode(errors='replace')}")
    return t_marker, time.perf_counter() - t0


def measure(name, cmd):
    runs = [boot(cmd) for _ in range(RUNS)]
    m = statistics.median(r[0] for r in runs)
    e = statistics.median(r[1] for r in runs)
    print(f"{name:12s} to marker {m:7.3f} s   to exit {e:7.3f} s")
    return m


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cache = os.environ.get("EMU_GUEST_CACHE", os.path.join(root, ".cache", "guest"))
    kernel, initrd = os.path.join(cache, "vmlinuz"), os.path.join(cache, "initrd.img")
    if not os.path.exists(kernel):
        print(f"no guest in {cache}: run scripts/fetch-guest.sh")
        return
    global ACCEL
    if not ACCEL:
        ACCEL = "kvm" if hardware_kvm() else "tcg"
    print(f"accelerator: {ACCEL}")
    if ACCEL == "kvm" and not hardware_kvm():
        print("BENCH_ACCEL=kvm needs a hardware KVM host (VMX/SVM); this one has none "
              "or a software KVM: use BENCH_ACCEL=tcg.")
        return
    guest = ["-m", "512", "-kernel", kernel, "-initrd", initrd,
             "-append", "console=ttyS0 quiet emu.cmd=true", "-nographic", "-no-reboot"]
    emu = [os.path.join(build, "emu"), "-machine", "pc", "-accel", ACCEL] + guest
    e = measure("emu pc", emu)
    qemu_bin = shutil.which("qemu-system-x86_64")
    if not qemu_bin:
        print("qemu-system-x86_64 not installed: no comparison")
        return
    q = measure("qemu pc", [qemu_bin, "-machine", "pc", "-accel", ACCEL] + guest)
    print(f"ratio emu/qemu pc: {e / q:.2f}x")
    if ACCEL == "kvm":
        qm = measure("qemu microvm", [qemu_bin, "-machine", "microvm", "-accel", ACCEL] + guest)
        print(f"ratio emu pc/qemu microvm: {e / qm:.2f}x")


if __name__ == "__main__":
    main()
