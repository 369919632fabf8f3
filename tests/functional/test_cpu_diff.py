#!/usr/bin/env python3
"""Differential CPU test: run the cputest guest (tests/guests/cputest.c) under
KVM, where its ring-3 sequences run on the host CPU, and under emu's TCG with
the native and the tci backend, then compare the outputs sequence by sequence.

The guest prints one digest line per sequence ("F NAME CASES HASH", the hash
of its case lines; every serial byte is a VM exit on kvm_pvm) and the case
lines of the sequences compared with a tolerance. For each sequence whose
digest differs the test runs both engines again with "verbose forms=NAME,..."
and prints the first differing case lines side by side.

usage: test_cpu_diff.py [--seed N] [--cases N] [--only PREFIX]
SKIPs the KVM part with the reason when /dev/kvm is unusable, and a TCG engine
while the translator cannot boot the guest. Set CPUDIFF_QEMU=/path/to/qemu-
system-x86_64 to also compare QEMU's TCG (informational, never fails)."""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

from emutest import EMU, Tap, kvm_unusable

GUESTS = os.environ.get("EMU_GUESTS", "build/tests/guests")
GUEST = os.path.join(GUESTS, "cputest.bin")
PASS = 33   # isa-debug-exit (0x10 << 1) | 1

# A model both engines can run: qemu64 plus the ISA extensions the guest tests.
# (kvm_pvm filters them out of the ring-0 CPUID, but ring-3 code runs natively
# and sees the host's CPUID, which the guest gates on; see docs/devel/cputest.md.)
CPU = ("qemu64,+pni,+ssse3,+sse4.1,+sse4.2,+popcnt,+movbe,+bmi1,+bmi2,+adx,+abm,"
       "+pclmulqdq,+aes,+cx16")

TCG_NOT_BOOTING = "TCG cannot boot the guest yet (translator system instructions)"
BOOT_TIMEOUT = 20       # until CPUTEST-BEGIN
RUN_TIMEOUT = 180       # the whole run
MAX_RERUN_FORMS = 8     # sequences re-run verbosely per comparison
MAX_SHOWN = 12          # differing case lines printed per comparison

# Where kvm_pvm (a software KVM) is known to differ from hardware: the sequence
# is left out of the comparison when the reference is kvm_pvm, with the reason.
PVM_EMULATED_GP = ("kvm_pvm passes a #GP raised at CPL 3 to KVM's instruction "
                   "emulator, which raises #UD for an instruction it cannot decode")
KNOWN_PVM = {
    "fault.db-int1": "kvm_pvm reports the #DB of INT1 (ICEBP) with RIP at the "
                     "instruction; INT1 is a trap on hardware (RIP after it)",
    "fault.gp-addps-unaligned-mem": PVM_EMULATED_GP,
    "fault.gp-pxor-unaligned-mem": PVM_EMULATED_GP,
    "fault.gp-ldmxcsr-reserved": PVM_EMULATED_GP,
    "fault.gp-fxsave-unaligned": "kvm_pvm's instruction emulator completes a misaligned "
                                 "FXSAVE that hardware refuses with #GP",
}

t = Tap()


def is_pvm():
    return os.path.exists("/sys/module/kvm_pvm")


class Run:
    """One guest run: exit status, serial text, stderr, seconds."""

    def __init__(self, rc, text, err, secs, booted):
        self.rc, self.text, self.err, self.secs, self.booted = rc, text, err, secs, booted
        self.features = None
        self.forms = {}         # name -> (cases, digest or "skipped"), in order
        self.lines = {}         # name -> [case lines] (verbose or compared with tolerance)
        self.end = None
        for line in text.splitlines():
            if line.startswith("CPUTEST-FEATURES "):
                self.features = line
            elif line.startswith("CPUTEST-END "):
                self.end = line
            elif line.startswith("F "):
                parts = line.split()
                self.forms[parts[1]] = (parts[2], " ".join(parts[3:]))
            elif line and not line.startswith("#") and not line.startswith("CPUTEST") \
                    and ":" in line:
                name = line.split()[0].rstrip("~")
                self.lines.setdefault(name, []).append(line)

    def tail(self, n=15):
        return "\n".join(self.text.splitlines()[-n:])


class Engine:
    def __init__(self, label, argv):
        self.label, self.argv = label, argv

    def run(self, append, timeout=RUN_TIMEOUT):
        with tempfile.TemporaryDirectory() as tmp:
            serial = os.path.join(tmp, "serial.txt")
            args = self.argv + ["-display", "none", "-kernel", GUEST,
                                "-serial", f"file:{serial}",
                                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                                "-append", append]
            t0 = time.time()
            p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, start_new_session=True)
            booted = False
            rc = None
            while True:
                rc = p.poll()
                if rc is not None:
                    break
                elapsed = time.time() - t0
                if not booted:
                    booted = "CPUTEST-BEGIN" in read(serial)
                    if not booted and elapsed > BOOT_TIMEOUT:
                        break
                if elapsed > timeout:
                    break
                time.sleep(0.1)
            if rc is None:
                os.killpg(p.pid, signal.SIGKILL)    # emu and anything it started
            _, err = p.communicate()
            text = read(serial)
            booted = booted or "CPUTEST-BEGIN" in text
            return Run(rc, text, err.decode("utf-8", "replace"), time.time() - t0, booted)


def sanitizer_clean(run):
    """No AddressSanitizer/UBSan report on emu's stderr (an -Db_sanitize build)."""
    return "runtime error:" not in run.err and "Sanitizer" not in run.err


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().replace("\r", "")
    except OSError:
        return ""


# ---- CPUID feature words the guest gates its groups on ----

FEATURE_NAMES = {
    (0, 15): "cmov", (0, 23): "mmx", (0, 25): "sse", (0, 26): "sse2",
    (1, 0): "sse3", (1, 1): "pclmulqdq", (1, 9): "ssse3", (1, 13): "cx16",
    (1, 19): "sse4.1", (1, 20): "sse4.2", (1, 22): "movbe", (1, 23): "popcnt",
    (1, 25): "aes", (2, 3): "bmi1", (2, 8): "bmi2", (2, 19): "adx",
    (3, 0): "lahf-lm", (3, 5): "abm",
}


def feature_words(run):
    """The four words of a CPUTEST-FEATURES line, or None."""
    m = re.search(r"1\.edx=(\w+) 1\.ecx=(\w+) 7\.ebx=(\w+) 80000001\.ecx=(\w+)",
                  run.features or "")
    return [int(x, 16) for x in m.groups()] if m else None


def feature_names(words):
    return " ".join(n for (w, b), n in sorted(FEATURE_NAMES.items()) if words[w] >> b & 1)


# ---- comparing ----

def f80_key(v):
    """An 80-bit value "EEEE:MMMMMMMMMMMMMMMM" as (sign, ordinal) for ulp distances."""
    se, mant = v.split(":")
    se, mant = int(se, 16), int(mant, 16)
    return se >> 15, (se & 0x7fff) * (1 << 63) + (mant & ((1 << 63) - 1))


def f32_close(a, b):
    """Two binary32 lanes within the 12-bit accuracy of RCPPS/RSQRTPS."""
    if a == b:
        return True
    ea, eb = (a >> 23) & 0xff, (b >> 23) & 0xff
    if (a ^ b) >> 31 or ea in (0, 255) or eb in (0, 255):
        return False
    import struct
    fa = struct.unpack("<f", struct.pack("<I", a))[0]
    fb = struct.unpack("<f", struct.pack("<I", b))[0]
    return abs(fa - fb) <= abs(fa) * 2.0 ** -10


def fields(line):
    return dict(tok.split("=", 1) for tok in line.split() if "=" in tok)


def lines_match(a, b):
    """Case lines of sequences marked ~ (x87, within a few ulp) or ~~ (12-bit)."""
    if a == b:
        return True
    name = a.split()[0]
    if not name.endswith("~") or a.split("->")[0] != b.split("->")[0]:
        return False
    fa, fb = fields(a.split("->")[1]), fields(b.split("->")[1])
    if fa.keys() != fb.keys():
        return False
    for k in fa:
        if fa[k] == fb[k]:
            continue
        if name.endswith("~~") and k.startswith("x"):
            va, vb = int(fa[k], 16), int(fb[k], 16)
            if not all(f32_close((va >> s) & 0xffffffff, (vb >> s) & 0xffffffff)
                       for s in range(0, 128, 32)):
                return False
        elif not name.endswith("~~") and k.startswith("st"):
            (sa, oa), (sb, ob) = f80_key(fa[k]), f80_key(fb[k])
            if sa != sb or abs(oa - ob) > 4:
                return False
        else:
            return False
    return True


def skip(desc):
    """A TAP line that meson counts as skipped."""
    t.n += 1
    print(f"ok {t.n} - # SKIP {desc}")
    sys.stdout.flush()


def compare(label, ref_engine, ref, other_engine, other, append, known):
    """@other's sequences against @ref's: (matches, description, details)."""
    problems = []
    if ref.features != other.features:
        problems.append(f"CPUID feature words differ, so different groups ran:\n"
                        f"  {ref_engine.label}: {ref.features}\n"
                        f"  {other_engine.label}: {other.features}")
    differing, missing, skipped_known = [], None, []
    for name, (n, digest) in ref.forms.items():
        if name in known:
            skipped_known.append(name)
            continue
        if name not in other.forms:
            missing = name
            break
        if other.forms[name] == (n, digest):
            continue
        if name in ref.lines and name in other.lines and \
                len(ref.lines[name]) == len(other.lines[name]) and \
                all(lines_match(a, b) for a, b in zip(ref.lines[name], other.lines[name])):
            continue
        differing.append(name)
    if missing:
        problems.append(f"{other_engine.label} stopped before sequence {missing} "
                        f"(exit status {other.rc}); its last lines:\n{other.tail()}\n"
                        f"stderr:\n{other.err[-2000:]}")
    total = len(ref.forms) - len(skipped_known)
    ncases = sum(int(n) for name, (n, d) in ref.forms.items()
                 if d != "skipped (CPUID)" and name not in known)
    if differing:
        problems.append(f"{len(differing)} of {total} sequences differ: "
                        + " ".join(differing[:40]) + (" ..." if len(differing) > 40 else ""))
        problems.append(show_differences(ref_engine, other_engine, differing, append))
    return (not problems, f"{label}: {other_engine.label} matches {ref_engine.label} on "
            f"{total} sequences, {ncases} cases", "\n".join(problems))


def show_differences(ref_engine, other_engine, names, append):
    """Re-run the differing sequences verbosely on both engines; the first differing lines."""
    forms = ",".join(names[:MAX_RERUN_FORMS])
    extra = f"{append} verbose forms={forms}".strip()
    a, b = ref_engine.run(extra), other_engine.run(extra)
    out, shown = [], 0
    for name in names[:MAX_RERUN_FORMS]:
        la, lb = a.lines.get(name, []), b.lines.get(name, [])
        for i in range(max(len(la), len(lb))):
            x = la[i] if i < len(la) else "(missing)"
            y = lb[i] if i < len(lb) else "(missing)"
            if x != y and not lines_match(x, y):
                out.append(f"  {ref_engine.label:>10}: {x}\n  {other_engine.label:>10}: {y}")
                shown += 1
                break
        if shown >= MAX_SHOWN:
            break
    if not out:
        out.append("  (the verbose re-run shows no differing line: a nondeterministic "
                   "result?)")
    return "first differing case of each sequence (inputs -> outputs):\n" + "\n".join(out)


# ---- the test ----

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=16)
    ap.add_argument("--only", default="")
    opts = ap.parse_args()
    if not os.path.exists(GUEST):
        t.skip_all(f"guest {GUEST} not built (non-x86 host?)")
    append = f"seed={opts.seed} cases={opts.cases}"
    if opts.only:
        append += f" only={opts.only}"

    kvm = Engine("kvm", [EMU, "-machine", "pc", "-accel", "kvm", "-cpu", CPU])
    engines = [Engine("tcg", [EMU, "-machine", "pc", "-accel", "tcg", "-cpu", CPU]),
               Engine("tci", [EMU, "-machine", "pc", "-accel", "tcg,backend=tci",
                              "-cpu", CPU])]
    why = kvm_unusable()

    # Which groups can run everywhere: the guest gates on the CPUID it sees at
    # CPL 3; a short run of each engine reports it, the common part is passed on.
    probes, booted = {}, []
    for e in ([] if why else [kvm]) + engines:
        r = e.run(f"{append} only=-", timeout=BOOT_TIMEOUT + 30)
        if feature_words(r):
            probes[e.label] = feature_words(r)
            booted.append(e)
    common = [0xffffffff] * 4
    for words in probes.values():
        common = [a & b for a, b in zip(common, words)]
    for label, words in probes.items():
        lost = [a & ~b for a, b in zip(words, common)]
        if any(lost):
            print(f"# not compared, {label} advertises but another engine does not: "
                  f"{feature_names(lost)}")
    append += " featmask=" + ",".join(f"{w:x}" for w in common)
    print(f"# compared groups: {feature_names(common)}")

    ref, ref_engine, known = None, None, {}
    if why:
        skip(f"the guest runs under KVM (the host CPU is the oracle): {why}")
    else:
        r = kvm.run(append)
        ok = t.check(r.rc == PASS and r.end is not None and r.forms and sanitizer_clean(r),
                     f"kvm: the guest runs {len(r.forms)} sequences in {r.secs:.1f} s "
                     f"({r.end})",
                     f"exit status {r.rc}\n{r.tail()}\nstderr:\n{r.err[-2000:]}")
        if ok:
            ref, ref_engine = r, kvm
            known = KNOWN_PVM if is_pvm() else {}
            for name, reason in known.items():
                print(f"# {name} not compared: {reason}")

    tcg_runs = []
    for e in engines:
        r = e.run(append) if e in booted else None
        if not r or not r.booted:
            skip(f"{e.label}: {TCG_NOT_BOOTING}")
            continue
        t.check(r.rc == PASS and r.end is not None and sanitizer_clean(r),
                f"{e.label}: the guest runs to its end in {r.secs:.1f} s ({r.end})",
                f"exit status {r.rc}\n{r.tail()}\nstderr:\n{r.err[-2000:]}")
        tcg_runs.append((e, r))

    if ref:
        for e, r in tcg_runs:
            t.check(*compare("silicon", ref_engine, ref, e, r, append, known))
    elif len(tcg_runs) == 2:
        (ea, ra), (eb, rb) = tcg_runs
        t.check(*compare("backends (no KVM oracle)", ea, ra, eb, rb, append, {}))

    qemu = os.environ.get("CPUDIFF_QEMU")
    if ref and qemu:
        e = Engine("qemu-tcg", [qemu, "-machine", "pc", "-accel", "tcg", "-cpu", CPU])
        ok, desc, detail = compare("informational", ref_engine, ref, e, e.run(append),
                                   append, known)
        print(f"# {desc}: {'yes' if ok else 'no'}")
        for line in detail.splitlines():
            print(f"#   {line}")
    t.done()


if __name__ == "__main__":
    main()
