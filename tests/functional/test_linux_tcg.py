#!/usr/bin/env python3
"""The standard test guest (Debian's stock kernel + the busybox initramfs from
scripts/fetch-guest.sh) under emu's own translator, `-machine pc -accel tcg`:

- it boots to EMU-GUEST-READY with 1 and 2 vCPUs and on the tci backend, runs a
  command and `poweroff -f` ends emu with status 0; `reboot -f` under -no-reboot
  ends it too;
- userspace computes the same bytes as this host running the very same static
  busybox binary natively (sha256sum of the binary, a gzip -9 stream, sort,
  awk floating point), which is the oracle for the translated CPU;
- the guest sees the CPUID the translator implements (SSE4.2, no AVX) and both
  vCPUs come online.

Env: EMU_GUEST_CACHE (default .cache/guest), EMU_LINUX_TCG_TIMEOUT (s per boot).
"""
import hashlib
import os
import subprocess

from emutest import Tap, run_guest
from linuxguest import BUSYBOX, TIMEOUT, linux_args, require_guest

t = Tap()
# EMU_TEST_QUICK=1 (the sanitizer pass of .ci/run): smaller workloads, no tci boot.
QUICK = os.environ.get("EMU_TEST_QUICK") == "1"
require_guest(t, files=["busybox"])

# Workloads whose output the host's native busybox must reproduce byte for byte.
WORKLOADS = {
    "sha256-busybox": "sha256sum /bin/busybox | cut -d' ' -f1",
    "gzip-9": "seq 1 2000000 | head -c %d | gzip -9 | sha256sum | cut -d' ' -f1",
    "gzip-roundtrip": "seq 1 2000000 | head -c %d > /tmp/a && gzip -9 < /tmp/a | "
                      "gunzip | cmp - /tmp/a && echo same",
    "sort": "seq 1 50000 | awk '{print ($1 * 7919) % 100003}' | sort -n | sha256sum | "
            "cut -d' ' -f1",
    # Debian's busybox-static awk has no math library: arithmetic only. int() of
    # an out-of-range value is the x86 "integer indefinite" (-2147483648).
    "awk-float": "awk 'BEGIN { s = 0; for (i = 1; i <= 20000; i++) "
                 "s += 1 / i + (i * 0.37) / (i + 3.5) - i / 7.0; "
                 "printf \"%.17g %.6e %d\\n\", s, s / 3, int(s * 1000) }'",
}

GZIP_BYTES = 2000000 if QUICK else 16000000
for _k in ("gzip-9", "gzip-roundtrip"):
    WORKLOADS[_k] = WORKLOADS[_k] % GZIP_BYTES


def boot(cmd, accel="tcg", smp=1, extra=(), cpu="qemu64"):
    """Boot with emu.cmd=CMD; return (exit status or None, console text, seconds)."""
    out, rc, secs = run_guest(linux_args(cmd, accel=accel,
                                         extra=["-cpu", cpu, "-smp", str(smp)] + list(extra)),
                              TIMEOUT)
    return rc, out, secs


def section(out, name):
    """The lines between ==NAME== and ==END-NAME== in the guest output."""
    lines = out.split("\n")
    try:
        a = lines.index(f"=={name}==")
        b = lines.index(f"==END-{name}==")
    except ValueError:
        return None
    return "\n".join(lines[a + 1:b])


def host_busybox(cmd):
    """The same workload on this host, run by the guest's own static busybox."""
    env = {"PATH": "/nonexistent"}
    r = subprocess.run([BUSYBOX, "sh", "-c", cmd.replace("/bin/busybox", BUSYBOX)],
                       capture_output=True, env=env, timeout=300,
                       preexec_fn=None, cwd="/tmp")
    return r.stdout.decode(errors="replace").strip()


def workload_script():
    # Run each applet through the busybox binary explicitly on the host side by
    # making "busybox sh" resolve applets itself (PATH points nowhere, and
    # busybox's sh runs its own applets first with FEATURE_SH_STANDALONE or via
    # the "busybox APPLET" fallback below).
    parts = []
    for name, cmd in WORKLOADS.items():
        parts.append(f"echo =={name}==; {cmd}; echo ==END-{name}==")
    return "; ".join(parts)


# 1. One vCPU, native backend, -cpu max (SSE4.2, BMI...): boot, workloads, CPUID,
#    poweroff.
rc, out, secs = boot("cat /proc/cpuinfo | grep -m1 ^flags; " + workload_script(),
                     cpu="max")
booted = "EMU-GUEST-READY" in out
t.check(booted, f"1 vCPU: boots to the marker (whole run with the workloads {secs:.1f} s)",
        out[-3000:])
t.check("EMU-CMD-DONE rc=0" in out, "1 vCPU: the command runs and exits 0", out[-2000:])
t.check(rc == 0, "1 vCPU: poweroff -f ends emu with status 0", f"rc={rc}")
flags = next((l for l in out.splitlines() if l.startswith("flags")), "")
t.check(" sse4_2" in flags and " avx" not in flags,
        "-cpu max: the guest sees sse4_2 but no avx (what the translator implements)",
        flags)
for name, cmd in WORKLOADS.items():
    got = section(out, name)
    want = host_busybox(cmd) if name != "sha256-busybox" else \
        hashlib.sha256(open(BUSYBOX, "rb").read()).hexdigest()
    t.check(got is not None and got.strip() == want,
            f"userspace {name}: same bytes as this host's CPU",
            f"guest: {got!r}\nhost:  {want!r}")

# 2. Two vCPUs: both online.
rc, out, secs = boot("grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online",
                     smp=2)
t.check("EMU-CMD-DONE rc=0" in out and rc == 0,
        f"2 vCPUs: boots, runs, powers off ({secs:.1f} s)", out[-3000:])
lines = [l.strip() for l in out.splitlines()]
t.check("2" in lines and "0-1" in lines, "2 vCPUs: both online in the guest", out[-1500:])

# 3. tci backend: same boot, slower (not in the quick sanitizer pass: the
#    instrumented interpreter takes many minutes).
if not QUICK:
    rc, out, secs = boot("echo tci-ok", accel="tcg,backend=tci")
    t.check("tci-ok" in out and rc == 0, f"backend=tci: boots and powers off ({secs:.1f} s)",
            out[-3000:])

# 4. reboot under -no-reboot ends emu.
rc, out, secs = boot("reboot -f")
t.check("EMU-GUEST-READY" in out and rc == 0,
        f"reboot -f with -no-reboot: emu exits with status 0 ({secs:.1f} s)",
        f"rc={rc}\n" + out[-2000:])

t.done()
