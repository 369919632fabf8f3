#!/usr/bin/env python3
"""Start-up cost: exec -> QMP greeting -> quit -> exit, and peak RSS, for emu and
qemu-system-x86_64 running the same empty machine with the same RAM size.
Prints medians over several runs and emu/QEMU ratios. A measurement, not a test."""
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


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    common = ["-machine", "none", "-m", "512", "-display", "none", "-nodefaults"]
    emu = measure("emu", [os.path.join(build, "emu")] + common)
    qemu_bin = shutil.which("qemu-system-x86_64")
    if not qemu_bin:
        print("qemu-system-x86_64 not installed: no comparison "
              "(apt-get install qemu-system-x86)")
        return
    qemu = measure("qemu", [qemu_bin] + common)
    print(f"ratio emu/qemu: ready {emu[0]/qemu[0]:.2f}x  exec-to-exit {emu[1]/qemu[1]:.2f}x  "
          f"peak RSS {emu[2]/qemu[2]:.2f}x")


if __name__ == "__main__":
    main()
