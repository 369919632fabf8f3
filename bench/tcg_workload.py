#!/usr/bin/env python3
"""CPU-bound userspace under the translator: the standard test guest
(scripts/fetch-guest.sh) boots under -accel tcg and runs a workload with its
static busybox; the time from EMU-GUEST-READY to EMU-CMD-DONE (host clock) is
compared with qemu-system-x86_64 -accel tcg on the same guest and with this host
running the same busybox binary natively. Medians of BENCH_RUNS runs
(BENCH_WORKLOADS=a,b picks some). A measurement, not a test.

Workloads: gzip -9 of 64 MB of `seq` output (integer + memory), an awk
floating-point loop (SSE2 doubles), a 256 MiB buffer filled by read() (page
faults) and 1000 fork+exec of /bin/true.
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
WORKLOADS = {
    "gzip-64M": "seq 1 9000000 | head -c 64000000 | gzip -9 | wc -c",
    "awk-float": "awk 'BEGIN { s = 0; for (i = 1; i <= 3000000; i++) "
                 "s += 1 / i + (i * 0.37) / (i + 3.5); printf \"%.6f\\n\", s }'",
    # Page faults: a 256 MiB buffer filled by read(), then 1000 fork+exec.
    "touch-256M": "dd if=/dev/zero of=/dev/null bs=256M count=1",
    "fork-exec": "for i in $(seq 1 1000); do /bin/true; done",
}


def encode(cmd):
    return "".join(c if c.isalnum() or c in "-_./:=,+|&>;<()'" else "%%%02X" % ord(c)
                   for c in cmd)


def guest_run(cmd_prefix, kernel, initrd, workload, timeout=1800):
    """Seconds from the guest's READY marker to its DONE marker."""
    args = cmd_prefix + ["-m", "512", "-kernel", kernel, "-initrd", initrd,
                         "-append", "console=ttyS0 quiet emu.cmd=" + encode(workload),
                         "-nographic", "-no-reboot"]
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out, t_ready, t_done = b"", None, None
    t0 = time.perf_counter()
    while True:
        chunk = p.stdout.read1(65536)
        if not chunk:
            break
        out += chunk
        now = time.perf_counter()
        if t_ready is None and b"EMU-GUEST-READY" in out:
            t_ready = now
        if t_done is None and b"EMU-CMD-DONE" in out:
            t_done = now
        if now - t0 > timeout:
            p.kill()
            break
    p.wait()
    if t_ready is None or t_done is None:
        raise RuntimeError(f"{args[0]}: no markers\n{out[-2000:].decode(errors='replace')}")
    return t_done - t_ready


def native_run(busybox, workload):
    t0 = time.perf_counter()
    subprocess.run([busybox, "sh", "-c", workload], env={"PATH": "/nonexistent"},
                   stdout=subprocess.DEVNULL, check=True, cwd="/tmp")
    return time.perf_counter() - t0


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cache = os.environ.get("EMU_GUEST_CACHE", os.path.join(root, ".cache", "guest"))
    kernel, initrd = os.path.join(cache, "vmlinuz"), os.path.join(cache, "initrd.img")
    busybox = os.path.join(cache, "busybox")
    if not os.path.exists(kernel):
        print(f"no guest in {cache}: run scripts/fetch-guest.sh")
        return
    qemu = shutil.which("qemu-system-x86_64")
    only = os.environ.get("BENCH_WORKLOADS")     # comma-separated names, default all
    for name, w in WORKLOADS.items():
        if only and name not in only.split(","):
            continue
        nat = statistics.median(native_run(busybox, w) for _ in range(RUNS))
        emu = statistics.median(guest_run([os.path.join(build, "emu"), "-machine", "pc",
                                           "-accel", "tcg", "-cpu", "max"],
                                          kernel, initrd, w) for _ in range(RUNS))
        line = f"{name:10s} native {nat:7.2f} s   emu tcg {emu:7.2f} s ({emu / nat:5.1f}x)"
        if qemu:
            q = statistics.median(guest_run([qemu, "-machine", "pc", "-accel", "tcg",
                                             "-cpu", "max"], kernel, initrd, w)
                                  for _ in range(RUNS))
            line += f"   qemu tcg {q:7.2f} s ({q / nat:5.1f}x)   emu/qemu {emu / q:.2f}x"
        print(line, flush=True)


if __name__ == "__main__":
    main()
