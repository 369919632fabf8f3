#!/usr/bin/env python3
"""Linux's bochs DRM driver on emu's std VGA (1234:1111) under `-accel tcg`, with
the framebuffer console (fbcon) on it:

- the guest loads bochs (emu.modprobe=bochs), which programs the Bochs VBE
  "dispi" registers through BAR 2 (MMIO at 0x500) and scans out of BAR 0;
  /sys/class/graphics/fb0 appears and says which mode the driver set;
- screendump (QMP, PNG, decoded here with zlib) shows a picture of that size
  (not the text mode the VGA started in) that is not blank;
- the guest then writes a distinctive block of text to /dev/tty0: a second
  screendump differs from the first in the console area, by at least the
  pixels of the new glyphs.

Console: kernel messages go to tty0 and ttyS0; /dev/console (the test's
markers) is ttyS0. Env: EMU_GUEST_CACHE, EMU_LINUX_TCG_TIMEOUT (s).
"""
import gzip
import json
import os
import re
import select
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import zlib

from emutest import EMU, Tap

t = Tap()
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.environ.get("EMU_GUEST_CACHE", os.path.join(ROOT, ".cache", "guest"))
KERNEL = os.path.join(CACHE, "vmlinuz")
INITRD = os.path.join(CACHE, "initrd.img")
TIMEOUT = float(os.environ.get("EMU_LINUX_TCG_TIMEOUT", "600"))

if not all(os.path.exists(p) for p in (KERNEL, INITRD)):
    t.skip_all(f"no test guest in {CACHE} (scripts/fetch-guest.sh fetches it)")
with open(INITRD, "rb") as f:
    initrd = f.read()
if initrd[:2] == b"\x1f\x8b":
    initrd = gzip.decompress(initrd)
if b"bochs.ko" not in initrd:
    t.skip_all("the guest initramfs has no bochs module (rerun scripts/fetch-guest.sh)")


def encode(cmd):
    """emu.cmd= takes %XX escapes (scripts/guest-init.sh)."""
    return "".join(ch if ch.isalnum() or ch in "-_./:=,+|&>;<()'" else "%%%02X" % ord(ch)
                   for ch in cmd)


def read_png(path):
    """(width, height, rows of RGB bytes) of an 8-bit RGB/RGBA PNG (RFC 2083)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, hdr
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 0xff
            elif ftype == 2:
                line[x] = (line[x] + b) & 0xff
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xff
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 0xff
        rows.append(bytes(line) if bpp == 3 else
                    b"".join(bytes(line[i:i + 3]) for i in range(0, stride, 4)))
        prev = line
    return w, h, rows


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for _ in range(400):
            try:
                self.sock.connect(path)
                break
            except OSError:
                time.sleep(0.05)
        self.sock.settimeout(60)
        self.f = self.sock.makefile("rw")
        self.f.readline()
        self.cmd("qmp_capabilities")

    def cmd(self, name, args=None):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg) + "\n")
        self.f.flush()
        while True:
            reply = json.loads(self.f.readline())
            if "return" in reply or "error" in reply:
                return reply


tmp = tempfile.mkdtemp(prefix="emu-bochs-")
proc = None
try:
    sock = os.path.join(tmp, "qmp.sock")
    cmd = ("i=0; while [ ! -e /sys/class/graphics/fb0 ] && [ $i -lt 100 ]; do sleep 0.2; "
           "i=$((i+1)); done; echo FBNAME=$(cat /sys/class/graphics/fb0/name); "
           "echo FBSIZE=$(cat /sys/class/graphics/fb0/virtual_size); "
           "echo FBBPP=$(cat /sys/class/graphics/fb0/bits_per_pixel); "
           "echo EMU-BOCHS-DRM-READY $(cat /sys/class/graphics/fb0/name) > /dev/tty0; "
           "sleep 3; echo SHOT-ONE; sleep 6; "
           "i=0; while [ $i -lt 12 ]; do echo EMU-BOCHS-DRM-LINE-$i-'#@%&#@%&#@%&#@%&' "
           "> /dev/tty0; i=$((i+1)); done; sleep 3; echo SHOT-TWO; sleep 10")
    args = [EMU, "-machine", "pc", "-accel", "tcg", "-m", "256", "-kernel", KERNEL,
            "-initrd", INITRD, "-vga", "std", "-display", "none", "-nic", "none",
            "-serial", "stdio", "-no-reboot",
            "-qmp", f"unix:{sock},server=on,wait=off",
            "-append", "console=tty0 console=ttyS0 panic=-1 loglevel=4 "
            "emu.modprobe=bochs emu.cmd=" + encode(cmd)]
    t0 = time.time()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    qmp = Qmp(sock)
    out = b""
    shots = {}
    deadline = time.time() + TIMEOUT
    while time.time() < deadline and proc.poll() is None:
        r, _, _ = select.select([proc.stdout], [], [], 1.0)
        if r:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            out += chunk
        for marker in (b"SHOT-ONE", b"SHOT-TWO"):
            if marker in out and marker not in shots:
                path = os.path.join(tmp, marker.decode() + ".png")
                rep = qmp.cmd("screendump", {"filename": path, "format": "png"})
                shots[marker] = read_png(path) if "return" in rep else rep
        if b"EMU-CMD-DONE" in out:
            break
    text = out.decode(errors="replace").replace("\r", "")
    secs = time.time() - t0
    t.check(b"SHOT-TWO" in out, f"the guest loads bochs and reaches the end ({secs:.1f} s)",
            text[-3000:])
    name = re.search(r"^FBNAME=(.*)$", text, re.M)
    t.check(name and "bochs" in name.group(1), "fb0 is bochs-drm's framebuffer",
            name.group(0) if name else text[-1500:])
    size = re.search(r"^FBSIZE=(\d+),(\d+)$", text, re.M)
    fbw, fbh = (int(size.group(1)), int(size.group(2))) if size else (0, 0)
    t.check((fbw, fbh) == (1024, 768), "bochs-drm set 1024x768 (its default mode)",
            size.group(0) if size else "no FBSIZE")
    one, two = shots.get(b"SHOT-ONE"), shots.get(b"SHOT-TWO")
    ok = isinstance(one, tuple) and isinstance(two, tuple)
    t.check(ok, "two PNG screendumps were taken", f"{one!r:.300} {two!r:.300}")
    if ok:
        t.check(one[:2] == (fbw, fbh) and two[:2] == (fbw, fbh),
                f"the screendumps have the driver's resolution {fbw}x{fbh}",
                f"{one[:2]} {two[:2]}")
        lit = sum(1 for row in one[2] for i in range(0, len(row), 3)
                  if row[i:i + 3] != b"\0\0\0")
        # At least the glyphs of the READY line fbcon drew.
        t.check(lit > 500, f"the console is not blank ({lit} lit pixels)")
        changed = [y for y in range(min(one[1], two[1])) if one[2][y] != two[2][y]]
        diff = sum(1 for y in changed for a, b in zip(one[2][y], two[2][y]) if a != b)
        # 12 new lines of ~34 characters, each glyph with dozens of lit pixels.
        t.check(len(changed) >= 12 * 8 and diff > 12 * 20 * 30,
                f"the text block changed the console ({len(changed)} rows, {diff} bytes)")
    bad = [l for l in text.splitlines() if re.search(r"bochs.*(error|fail)|BUG:|Oops", l, re.I)]
    t.check(not bad, "no driver errors in the log", "\n".join(bad[:10]))
finally:
    if proc and proc.poll() is None:
        proc.kill()
        proc.wait()
    if os.environ.get("EMU_TEST_KEEP"):
        for n in ("SHOT-ONE.png", "SHOT-TWO.png"):
            if os.path.exists(os.path.join(tmp, n)):
                shutil.copy(os.path.join(tmp, n), os.environ["EMU_TEST_KEEP"])
    shutil.rmtree(tmp, ignore_errors=True)
t.done()
