#!/usr/bin/env python3
"""In-guest sequential disk throughput under TCG: the standard test guest
(direct kernel boot) runs busybox dd with O_DIRECT (oflag=direct / iflag=direct)
on a scratch raw image, on IDE (-drive if=ide, Linux ata_piix) and on
virtio-blk (-drive if=virtio), with bs=1M (BENCH_DD_MB MiB, default 256) and
bs=4K (BENCH_DD_4K_MB MiB, default 32: 8192 requests). Each dd is timed in the
guest with the kernel's clock in nanoseconds ("now at" in /proc/timer_list;
/proc/uptime's 10 ms would be 3-5% of a 256 MiB bs=1M run); MB/s and IOPS, emu vs qemu-system-x86_64 -accel tcg.
One run per configuration. A measurement, not a test.

    python3 bench/disk_dd.py [BUILD_DIR...]

Several build directories (e.g. a baseline and a change) run one after the
other with QEMU, per bus, and each gets its own emu/qemu column.

BENCH_DD_BUSES picks the buses (default "ide,virtio"; also "virtio-iothread":
-device virtio-blk-pci,iothread=io0). The 1 GiB virtio-blk
run (bs=1M and bs=4K, both O_DIRECT; the scratch image is a sparse file of
size + 16 MiB in $TMPDIR, written in full):

    BENCH_DD_MB=1024 BENCH_DD_4K_MB=1024 BENCH_DD_BUSES=virtio python3 bench/disk_dd.py
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "functional"))
from linuxguest import encode_cmd as encode  # noqa: E402  (emu.cmd= escaping)
MB = int(os.environ.get("BENCH_DD_MB", "256"))
MB4K = int(os.environ.get("BENCH_DD_4K_MB", "32"))
BUSES = {
    "ide": ("if=ide", "/dev/sda", "ata_piix,sd_mod", []),
    "virtio": ("if=virtio", "/dev/vda", "virtio_pci,virtio_blk", []),
    # virtio-blk-pci served by an iothread (the same options for both emulators).
    "virtio-iothread": ("if=none,id=d0", "/dev/vda", "virtio_pci,virtio_blk",
                        ["-object", "iothread,id=io0",
                         "-device", "virtio-blk-pci,drive=d0,iothread=io0"]),
}
BUSES = {b: BUSES[b] for b in os.environ.get("BENCH_DD_BUSES", "ide,virtio").split(",")
         if b in BUSES}
TIMEOUT = 3600                       # s per boot


# The guest's monotonic clock in ns (busybox date has no %N).
NOW = "awk '/^now at/ {print $3; exit}' /proc/timer_list"


def guest_script(dev):
    # (name, dd arguments, bytes, requests)
    cases = [
        ("write-1M", f"if=/dev/zero of={dev} bs=1M count={MB} oflag=direct", MB << 20, MB),
        ("read-1M", f"if={dev} of=/dev/null bs=1M count={MB} iflag=direct", MB << 20, MB),
        ("write-4K", f"if=/dev/zero of={dev} bs=4k count={MB4K * 256} oflag=direct",
         MB4K << 20, MB4K * 256),
        ("read-4K", f"if={dev} of=/dev/null bs=4k count={MB4K * 256} iflag=direct",
         MB4K << 20, MB4K * 256),
    ]
    lines = [f"i=0; while [ ! -b {dev} ] && [ $i -lt 150 ]; do sleep 0.2; i=$((i+1)); done"]
    for name, args, nbytes, nreq in cases:
        lines.append(f"a=$({NOW}); dd {args} 2>/dev/null; "
                     f"b=$({NOW}); echo DDRES {name} $a $b {nbytes} {nreq}")
    return "; ".join(lines)


def run(binary, kernel, initrd, bus, scratch):
    drive, dev, mods, extra = BUSES[bus]
    append = ("console=ttyS0 quiet panic=-1 emu.modprobe=" + mods + " emu.cmd=" +
              encode(guest_script(dev)))
    cmd = [binary, "-machine", "pc", "-accel", "tcg", "-m", "512", "-nographic",
           "-no-reboot", "-kernel", kernel, "-initrd", initrd, "-append", append,
           "-drive", f"file={scratch},format=raw,{drive}"] + extra
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=TIMEOUT)
        out = p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") + f"\n(timed out after {TIMEOUT} s)"
    res = {}
    for m in re.finditer(r"DDRES (\S+) ([\d.]+) ([\d.]+) (\d+) (\d+)", out):
        secs = max(int(m.group(3)) - int(m.group(2)), 1) / 1e9
        res[m.group(1)] = (int(m.group(4)) / 1e6 / secs, int(m.group(5)) / secs, secs)
    if len(res) != 4:
        print(f"  {os.path.basename(binary)} {bus}: incomplete output:\n" + out[-1500:])
    return res


def main():
    builds = sys.argv[1:] or ["build"]
    cache = os.environ.get("EMU_GUEST_CACHE", os.path.join(ROOT, ".cache", "guest"))
    kernel, initrd = os.path.join(cache, "vmlinuz"), os.path.join(cache, "initrd.img")
    if not os.path.exists(kernel):
        print(f"no guest in {cache}: run scripts/fetch-guest.sh")
        return
    qemu = shutil.which("qemu-system-x86_64")
    emus = [("emu" if len(builds) == 1 else f"emu:{os.path.basename(b.rstrip('/'))}",
             os.path.join(b, "emu")) for b in builds]
    binaries = emus + ([("qemu", qemu)] if qemu else [])
    tmp = tempfile.mkdtemp(prefix="emu-bench-dd-")
    scratch = os.path.join(tmp, "scratch.img")
    try:
        results = {}
        for bus in BUSES:
            for name, binary in binaries:
                with open(scratch, "wb") as f:
                    f.truncate((max(MB, MB4K) + 16) << 20)
                results[(name, bus)] = run(binary, kernel, initrd, bus, scratch)
        for ename, _ in emus:
            if len(emus) > 1:
                print(ename)
            print(f"{'':24s} {'emu MB/s':>9s} {'IOPS':>8s} {'qemu MB/s':>10s} {'IOPS':>8s} "
                  f"{'emu/qemu':>9s}")
            for bus in BUSES:
                for case in ("write-1M", "read-1M", "write-4K", "read-4K"):
                    e = results.get((ename, bus), {}).get(case)
                    q = results.get(("qemu", bus), {}).get(case)
                    es = f"{e[0]:9.1f} {e[1]:8.0f}" if e else f"{'-':>9s} {'-':>8s}"
                    qs = f"{q[0]:10.1f} {q[1]:8.0f}" if q else f"{'-':>10s} {'-':>8s}"
                    ratio = f"{e[0] / q[0]:8.2f}x" if e and q else f"{'-':>9s}"
                    print(f"{bus + ' ' + case:24s} {es} {qs} {ratio}")
        if not qemu:
            print("qemu-system-x86_64 not installed: no comparison")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
