#!/usr/bin/env python3
"""-drive and friends from the command line: bad options are one clear line and
exit 1, a missing file or a held lock is reported as such (naming the holder's
pid, between two emu processes and against QEMU when it is installed), drives
with a disk interface that emu cannot connect yet say so, -snapshot leaves the
image alone, and `info block` / query-block describe the drives in QEMU's
format."""
import json
import os
import shutil
import subprocess
import tempfile
import time

from emutest import EMU, Qmp, Tap, run_emu as run

t = Tap()


def one_error(args, needle, desc):
    rc, out, err = run(args)
    lines = [line for line in err.splitlines() if line.strip()]
    t.check(rc == 1 and len(lines) == 1 and lines[0].startswith("emu: ")
            and needle in lines[0], desc, f"rc={rc} stderr={err!r}")


def locked_by_pid(path, pid, byte):
    """True once process pid holds an OFD lock on byte of path (its fdinfo has
    "lock: 1: OFDLCK ADVISORY READ -1 MAJ:MIN:INO START END")."""
    ino = os.stat(path).st_ino
    try:
        for fd in os.listdir(f"/proc/{pid}/fdinfo"):
            try:
                with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                    for line in f:
                        w = line.split()
                        if (line.startswith("lock:") and len(w) >= 9
                                and w[6].endswith(f":{ino}") and int(w[7]) <= byte
                                and (w[8] == "EOF" or byte <= int(w[8]))):
                            return True
            except (OSError, ValueError):
                pass
    except OSError:
        pass
    return False


def wait_locked(path, proc, byte=201, timeout=10):
    """Wait for QEMU's "write not shared" byte (201), which every user holds
    once it is set up, or @byte (101: "I write")."""
    end = time.time() + timeout
    while time.time() < end and proc.poll() is None:
        if locked_by_pid(path, proc.pid, byte):
            return True
        time.sleep(0.05)
    return False


def start(args, env=None):
    return subprocess.Popen([EMU] + args, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)


def stop(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
    img = os.path.join(tmp, "disk.img")
    data = bytes((i * 7 + 3) & 0xff for i in range(1 << 20))
    with open(img, "wb") as f:
        f.write(data)
    img2 = os.path.join(tmp, "disk2.img")
    shutil.copy(img, img2)
    odd = os.path.join(tmp, "odd.img")
    with open(odd, "wb") as f:
        f.write(b"x" * 1000)
    none = ["-machine", "none", "-display", "none"]
    pc = ["-machine", "pc", "-accel", "qtest", "-display", "none"]

    # -- bad options: one line naming the option, exit 1
    missing = os.path.join(tmp, "missing.img")
    for args, needle in [
        (["-drive", f"file={img},cache=bogus"], "invalid cache mode"),
        (["-drive", f"file={img},format=qcow2"], "format 'qcow2' is not supported yet"),
        (["-drive", f"file={img},format=vhd9"], "unknown format 'vhd9'"),
        (["-drive", f"file={img},if=bogus"], "unsupported bus type 'bogus'"),
        (["-drive", f"file={img},if=none,bogus=1"], "unknown parameter 'bogus'"),
        (["-drive", f"file={img},index=1,bus=1"], "index cannot be used with bus and unit"),
        (["-drive", f"file={img},if=ide,unit=2"], "unit 2 too big (max is 1)"),
        (["-drive", f"file={img},if=none,werror=often"], "invalid write error action"),
        (["-drive", f"file={img},if=none,rerror=enospc"], "invalid read error action"),
        (["-drive", f"file={img},if=none,aio=native"], "aio=native is not supported yet"),
        (["-drive", f"file={img},if=none,media=tape"], "media=tape: invalid value"),
        (["-drive", f"file={img},if=none,snapshot=maybe"], "parameter 'snapshot'"),
        (["-drive", f"file={missing},if=none"],
         f"-drive file={missing},if=none: could not open '{missing}': "
         "No such file or directory"),
        (["-drive", f"file={tmp},if=none"], "is a directory"),
        (["-drive", "file=/proc/version,if=none,readonly=on,cache=none"],
         "the filesystem does not support O_DIRECT"),
        (["-drive", f"if=none,file={img},id=a", "-drive", f"if=none,file={img2},id=a"],
         "duplicate drive id 'a'"),
        (["-drive", f"if=none,file={img}", "-drive", f"if=none,file={img2},index=0"],
         "drive with bus=0, unit=0 (index=0) exists"),
        (["-drive", "file=a,=b"], "empty parameter name"),
    ]:
        one_error(none + args, needle, f"bad -drive {' '.join(args[1:])!r}: {needle}")

    # -- a missing file is reported as such before the missing controller
    one_error(pc + ["-hda", missing], f"-hda {missing}: could not open", "-hda missing file")
    # -- a drive no controller connects: the option is named (PIIX3 IDE has
    #    buses 0 and 1 only)
    for args, needle in [
        (["-drive", f"file={img},format=raw,if=ide,bus=2,unit=0"],
         "does not support if=ide,bus=2,unit=0"),
        # if=virtio makes a virtio-blk-pci; addr= is its PCI slot (taken by PIIX3 here)
        (["-drive", f"file={img},format=raw,if=virtio,addr=01.0"],
         "slot 1 function 0 not available for virtio-blk-pci"),
    ]:
        one_error(pc + args, needle, f"pc {' '.join(args)} -> {needle[-30:]}")

    # -- two emu processes: the second is told the first one's pid
    a = start(none + ["-drive", f"if=none,file={img}"])
    if t.check(wait_locked(img, a, 101), "emu holds the image lock", a.stderr.read()
               if a.poll() is not None else ""):
        one_error(none + ["-drive", f"if=none,file={img}"],
                  f"image '{img}' is in use by another process (pid {a.pid}): cannot get "
                  "the write lock", "second read-write emu refused, holder pid named")
        one_error(none + ["-drive", f"if=none,file={img},readonly=on"],
                  f"(pid {a.pid}): cannot get the shared lock",
                  "a reader refused while emu writes")
        # -snapshot opens the image read-only: refused too, as in QEMU.
        one_error(none + ["-drive", f"if=none,file={img}", "-snapshot"],
                  f"(pid {a.pid})", "-snapshot refused while emu writes")
        rc, out, err = run(none + ["-drive", f"if=none,file={img},locking=off"],
                           timeout=3)
        t.check(rc is None, "locking=off opens anyway", f"rc={rc} err={err!r}")
    stop(a)
    # Readers share.
    a = start(none + ["-drive", f"if=none,file={img},readonly=on"])
    wait_locked(img, a)
    b = start(none + ["-drive", f"if=none,file={img},readonly=on"])
    time.sleep(1)
    t.check(a.poll() is None and b.poll() is None, "two readers share the image",
            f"{a.poll()} {b.poll()}")
    stop(a)
    stop(b)

    # -- against QEMU, when installed: the same lock bytes keep both out
    qemu = shutil.which("qemu-system-x86_64")
    if qemu:
        q = subprocess.Popen([qemu, "-machine", "pc", "-display", "none", "-S",
                              "-monitor", "none", "-nodefaults",
                              "-drive", f"file={img},format=raw,if=ide"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        if t.check(wait_locked(img, q, 101), "qemu holds the image lock"):
            one_error(none + ["-drive", f"if=none,file={img}"],
                      f"in use by another process (pid {q.pid}): cannot get the write lock",
                      "emu refused while QEMU writes the image")
        q.terminate()
        q.wait(timeout=10)
        a = start(none + ["-drive", f"if=none,file={img}"])
        if wait_locked(img, a, 101):
            p = subprocess.run([qemu, "-machine", "pc", "-display", "none", "-S",
                                "-monitor", "none", "-nodefaults",
                                "-drive", f"file={img},format=raw,if=ide"],
                               capture_output=True, text=True, timeout=20,
                               stdin=subprocess.DEVNULL)
            t.check(p.returncode != 0 and "lock" in p.stderr,
                    "QEMU refused while emu writes the image", p.stderr)
        stop(a)
    else:
        t.check(True, "# SKIP qemu-system-x86_64 not installed: no QEMU interop check")

    # -- info block and query-block
    sock = os.path.join(tmp, "qmp.sock")
    p = start(none + ["-qmp", f"unix:{sock},server=on,wait=off",
                      "-drive", f"if=none,file={img},cache=none,id=disk0",
                      "-drive", f"if=none,file={odd},readonly=on",
                      "-drive", "if=none,media=cdrom,id=cd",
                      "-drive", f"if=none,file={img2},werror=stop,cache=unsafe",
                      "-snapshot"], env=dict(os.environ, TMPDIR=tmp))
    try:
        qmp = Qmp(sock, timeout=10)
        r = qmp.cmd("query-block")["return"]
        byname = {d["device"]: d for d in r}
        t.check([d["device"] for d in r] == ["disk0", "none1", "cd", "none3"],
                "query-block lists the drives in order", json.dumps(r))
        d0 = byname["disk0"]["inserted"]
        t.check(d0["file"] == img and d0["drv"] == "raw" and not d0["ro"]
                and d0["image"]["virtual-size"] == 1 << 20
                and d0["cache"] == {"writeback": True, "direct": True, "no-flush": True}
                and d0["x-snapshot"], "query-block: disk0 (cache=none, -snapshot)",
                json.dumps(d0))
        n1 = byname["none1"]["inserted"]
        t.check(n1["ro"] and n1["image"]["virtual-size"] == 1024 and not n1["x-snapshot"],
                "query-block: a 1000-byte image is 1024 bytes, read-only",
                json.dumps(n1))
        t.check("inserted" not in byname["cd"] and byname["cd"]["removable"],
                "query-block: an empty cdrom", json.dumps(byname["cd"]))
        t.check(byname["none3"]["inserted"]["x-werror"] == "stop",
                "query-block: werror=stop kept", json.dumps(byname["none3"]))
        hmp = qmp.cmd("human-monitor-command", **{"command-line": "info block"})["return"]
        expect = (f"disk0: {img} (raw)\n"
                  "    Removable device: not locked, tray closed\n"
                  "    Cache mode:       writeback, direct, ignore flushes\n"
                  "    Snapshot:         writes go to a temporary overlay and are "
                  "discarded at exit\n"
                  "\n"
                  f"none1: {odd} (raw, read-only)\n"
                  "    Removable device: not locked, tray closed\n"
                  "    Cache mode:       writeback\n"
                  "\n"
                  "cd: [not inserted]\n"
                  "    Removable device: not locked, tray closed\n")
        t.check(hmp.startswith(expect), "info block in QEMU's format", hmp)
        one = qmp.cmd("human-monitor-command",
                      **{"command-line": "info block none1"})["return"]
        t.check(one.startswith("none1: ") and "disk0" not in one, "info block DEVICE", one)
        qmp.cmd("quit")
        p.wait(timeout=10)
    except Exception as e:  # noqa: BLE001 - report, do not crash the TAP stream
        t.check(False, "QMP session", repr(e))
    finally:
        stop(p)
    leftovers = [n for n in os.listdir(tmp) if n.startswith("emu-snapshot")]
    t.check(not leftovers, "-snapshot: no overlay file visible in TMPDIR", leftovers)

t.done()
