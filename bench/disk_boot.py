#!/usr/bin/env python3
"""Power-on to boot-loader and to shell from a real disk: scripts/mkdisk.py's
disk.img (MBR + FAT32 + SYSLINUX + the standard test guest) booted through
SeaBIOS with no -kernel, under TCG. Wall time from exec to the SYSLINUX banner
on the serial console and to EMU-GUEST-READY, emu vs qemu-system-x86_64 -accel
tcg, medians of BENCH_RUNS runs (default 3). A measurement, not a test.

    python3 bench/disk_boot.py [BUILD_DIR]
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKS = (b"SYSLINUX 6", b"EMU-GUEST-READY")


def boot(cmd, timeout=900):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out = b""
    times = [None] * len(MARKS)
    while True:
        chunk = p.stdout.read1(65536)
        if not chunk:
            break
        out += chunk
        now = time.perf_counter() - t0
        for i, m in enumerate(MARKS):
            if times[i] is None and m in out:
                times[i] = now
        if now > timeout:
            p.kill()
            break
    p.wait()
    if None in times:
        raise RuntimeError(f"{cmd[0]}: marker missing\n{out[-2000:].decode(errors='replace')}")
    return times + [time.perf_counter() - t0]


def measure(name, make_cmd):
    runs = []
    for _ in range(RUNS):
        runs.append(boot(make_cmd()))
    med = [statistics.median(r[i] for r in runs) for i in range(3)]
    print(f"{name:10s} SYSLINUX banner {med[0]:7.2f} s   EMU-GUEST-READY {med[1]:7.2f} s   "
          f"exit {med[2]:7.2f} s")
    return med


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "mkdisk.py"), "disk"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print("scripts/mkdisk.py failed (run scripts/fetch-guest.sh first?):\n" + r.stderr)
        return
    src = r.stdout.split()[1]
    tmp = tempfile.mkdtemp(prefix="emu-bench-diskboot-")
    disk = os.path.join(tmp, "disk.img")

    def fresh(extra):
        def make():
            shutil.copy(src, disk)      # every run boots the same pristine image
            return extra
        return make

    try:
        common = ["-machine", "pc", "-accel", "tcg", "-m", "512", "-nographic", "-no-reboot",
                  "-drive", f"file={disk},format=raw,if=ide"]
        e = measure("emu", fresh([os.path.join(build, "emu")] + common))
        qemu = shutil.which("qemu-system-x86_64")
        if not qemu:
            print("qemu-system-x86_64 not installed: no comparison")
            return
        q = measure("qemu", fresh([qemu] + common))
        print(f"ratio emu/qemu: SYSLINUX banner {e[0] / q[0]:.2f}x   "
              f"EMU-GUEST-READY {e[1] / q[1]:.2f}x   exit {e[2] / q[2]:.2f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
