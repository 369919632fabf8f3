#!/usr/bin/env python3
"""Exit round trip under KVM: the exitbench test guest (tests/guests/exitbench.c)
does N `outb` to port 0x80, or N 32-bit writes to unassigned memory ("mmio"),
from ring 3, under emu and under qemu-system-x86_64 with the same multiboot image.
Time per exit = (wall time with N exits - wall time with 0) / N, so start-up
(and QEMU's SeaBIOS) cancels out; the guest's own TSC count is printed too.
A measurement, not a test. BENCH_EXITS sets N (default 1000000)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

N = int(os.environ.get("BENCH_EXITS", "1000000"))


def run(cmd, image, count, mode):
    with tempfile.TemporaryDirectory() as tmp:
        serial = os.path.join(tmp, "serial.txt")
        args = cmd + ["-machine", "pc", "-accel", "kvm", "-m", "128", "-display", "none",
                      "-kernel", image, "-append", f"count={count} {mode}",
                      "-serial", f"file:{serial}",
                      "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        t0 = time.perf_counter()
        p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=1800)
        wall = time.perf_counter() - t0
        out = open(serial, errors="replace").read()
    m = re.search(r"exitbench: \d+ \w+ exits in \d+ Mcycles \((\d+) cycles/exit\)", out)
    if p.returncode != 33 or not m:
        raise RuntimeError(f"{cmd[0]} {mode or 'pio'}: status {p.returncode}\n{out}\n"
                           f"{p.stderr.decode(errors='replace')}")
    return wall, int(m.group(1))


def measure(name, cmd, image, mode):
    base, _ = run(cmd, image, 0, mode)
    wall, cycles = run(cmd, image, N, mode)
    per_exit = (wall - base) / N * 1e9
    print(f"{name:5s} {mode or 'pio':4s}: {N} exits, {per_exit:8.0f} ns/exit "
          f"(guest TSC {cycles} cycles/exit)")
    return per_exit


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    image = os.path.join(build, "tests", "guests", "exitbench.bin")
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("no usable /dev/kvm: nothing to measure")
        return
    if not os.path.exists(image):
        print(f"{image} not built")
        return
    qemu_bin = shutil.which("qemu-system-x86_64")
    for mode in ("", "mmio"):
        emu = measure("emu", [os.path.join(build, "emu")], image, mode)
        if not qemu_bin:
            print("qemu-system-x86_64 not installed: no comparison "
                  "(apt-get install qemu-system-x86)")
            continue
        qemu = measure("qemu", [qemu_bin, "-monitor", "none"], image, mode)
        print(f"ratio emu/qemu {mode or 'pio'}: {emu / qemu:.2f}x (target <= 1.0x)")


if __name__ == "__main__":
    main()
