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
import os
import re
import select
import shutil
import subprocess
import tempfile
import time

from emutest import Qmp, Tap, read_png
from linuxguest import TIMEOUT, linux_args, require_guest

t = Tap()
require_guest(t, modules=["bochs"])

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
    args = linux_args(cmd, ["bochs"], mem=256,
                      console="console=tty0 console=ttyS0 panic=-1 loglevel=4",
                      display=["-vga", "std", "-display", "none", "-nic", "none",
                               "-serial", "stdio"],
                      extra=["-qmp", f"unix:{sock},server=on,wait=off"])
    t0 = time.time()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    qmp = Qmp(sock, timeout=60)
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
                rep = qmp.cmd("screendump", filename=path, format="png")
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
