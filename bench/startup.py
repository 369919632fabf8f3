#!/usr/bin/env python3
"""Start-up cost, emu vs qemu-system-x86_64, medians over several runs:
 1. the empty machine (-machine none -m 512): exec -> QMP greeting, exec -> exit
    after 'quit', peak RSS;
 2. under KVM, the exitbench test guest with count=0 (-machine pc -m 512): exec ->
    the guest's first port write ends the process through isa-debug-exit, peak RSS.
    QEMU runs SeaBIOS first (its multiboot path goes through firmware); emu
    enters the guest directly. A measurement, not a test."""
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(os.environ.get("BENCH_RUNS", "15"))


def one_run(cmd, sock_path):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd + ["-qmp", f"unix:{sock_path},server=on,wait=off"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    s = socket.socket(socket.AF_UNIX)
    while True:
        try:
            s.connect(sock_path)
            break
        except OSError:
            if p.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited early")
            time.sleep(0.0005)
    f = s.makefile("rwb")
    f.readline()                                  # greeting
    t_ready = time.perf_counter() - t0
    for c in ("qmp_capabilities", "quit"):
        f.write(json.dumps({"execute": c}).encode() + b"\n")
        f.flush()
        f.readline()
    s.close()
    _, status, usage = os.wait4(p.pid, 0)
    t_total = time.perf_counter() - t0
    os.unlink(sock_path) if os.path.exists(sock_path) else None
    return t_ready, t_total, usage.ru_maxrss


def measure(name, cmd):
    ready, total, rss = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(RUNS):
            r, t, m = one_run(cmd, os.path.join(tmp, f"q{i}.sock"))
            ready.append(r)
            total.append(t)
            rss.append(m)
    res = (statistics.median(ready), statistics.median(total), statistics.median(rss))
    print(f"{name:6s} ready {res[0]*1000:7.2f} ms   exec-to-exit {res[1]*1000:7.2f} ms   "
          f"peak RSS {res[2]/1024:7.1f} MiB")
    return res


def guest_run(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 33:
        raise RuntimeError(f"{cmd[0]}: exit status {os.waitstatus_to_exitcode(status)}")
    return time.perf_counter() - t0, usage.ru_maxrss


def measure_guest(name, binary, image):
    cmd = [binary, "-machine", "pc", "-accel", "kvm", "-m", "512", "-display", "none",
           "-kernel", image, "-append", "count=0", "-serial", "null",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    runs = [guest_run(cmd) for _ in range(RUNS)]
    t = statistics.median(r[0] for r in runs)
    rss = statistics.median(r[1] for r in runs)
    print(f"{name:6s} kvm guest exec-to-exit {t*1000:7.2f} ms   peak RSS {rss/1024:7.1f} MiB")
    return t, rss


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    qemu_bin = shutil.which("qemu-system-x86_64")
    common = ["-machine", "none", "-m", "512", "-display", "none", "-nodefaults"]
    emu = measure("emu", [os.path.join(build, "emu")] + common)
    if qemu_bin:
        qemu = measure("qemu", [qemu_bin] + common)
        print(f"ratio emu/qemu: ready {emu[0]/qemu[0]:.2f}x  exec-to-exit "
              f"{emu[1]/qemu[1]:.2f}x  peak RSS {emu[2]/qemu[2]:.2f}x")
    else:
        print("qemu-system-x86_64 not installed: no comparison "
              "(apt-get install qemu-system-x86)")

    image = os.path.join(build, "tests", "guests", "exitbench.bin")
    if not os.access("/dev/kvm", os.R_OK | os.W_OK) or not os.path.exists(image):
        print("no usable /dev/kvm or no exitbench guest: skipping the KVM guest start-up")
        return
    eg = measure_guest("emu", os.path.join(build, "emu"), image)
    if qemu_bin:
        qg = measure_guest("qemu", qemu_bin, image)
        print(f"ratio emu/qemu: kvm guest exec-to-exit {eg[0]/qg[0]:.2f}x  "
              f"peak RSS {eg[1]/qg[1]:.2f}x")


if __name__ == "__main__":
    main()
