#!/usr/bin/env python3
"""SeaBIOS and its VGA BIOS (vgabios-stdvga.bin, the PCI VGA's option ROM) on
-machine pc under KVM with -display none: the firmware sets text mode 3 and
prints its banner "SeaBIOS (version ...", which screendump must show. The
oracle is the text itself: 80x25 cells of 9x16 pixels in the two colours of
attribute 07 (light grey 0xaaaaaa from DAC value 42, on black), equal glyphs
for equal characters of the banner, different ones for different characters,
and blank cells for spaces. SKIPs without /dev/kvm or the firmware files."""
import os
import subprocess
import tempfile
import time

from emutest import EMU, Qmp, Tap, kvm_unusable, read_ppm

t = Tap()

FW_DIR = "/usr/share/seabios"
BANNER = "SeaBIOS (version "


def cell(img, col, row):
    """The 9x16 pixels of a text cell as a tuple of RGB triples."""
    w, _, px = img
    out = []
    for y in range(row * 16, row * 16 + 16):
        base = (y * w + col * 9) * 3
        out.append(px[base:base + 27])
    return tuple(out)


def colours(img, rows):
    w, _, px = img
    seen = set()
    for y in range(rows * 16):
        line = px[y * w * 3:(y + 1) * w * 3]
        for x in range(0, len(line), 3):
            seen.add(line[x:x + 3])
    return seen


def main():
    why = kvm_unusable()
    if why:
        t.skip_all(why)
    for name in ("bios-256k.bin", "vgabios-stdvga.bin"):
        if not os.path.exists(os.path.join(FW_DIR, name)):
            t.skip_all(f"{FW_DIR}/{name} missing (Debian package seabios)")

    tmp = tempfile.mkdtemp(prefix="emu-vgafw-")
    sock = os.path.join(tmp, "qmp.sock")
    shot = os.path.join(tmp, "screen.ppm")
    proc = subprocess.Popen([EMU, "-machine", "pc", "-accel", "kvm", "-m", "128M",
                             "-bios", "bios-256k.bin", "-display", "none",
                             "-qmp", f"unix:{sock},server=on,wait=off"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        qmp = Qmp(sock)
        img = None
        banner_cells = [ch for ch in BANNER]
        deadline = time.time() + 120
        while time.time() < deadline:
            r = qmp.cmd("screendump", filename=shot, format="ppm")
            if "return" in r:
                img = read_ppm(shot)
                if img[0] == 720 and img[1] == 400 and \
                        all(any(b != 0 for row in cell(img, i, 0) for b in row)
                            for i, ch in enumerate(banner_cells) if ch != " "):
                    break
            time.sleep(0.5)
        info = qmp.hmp("info display")
        t.check("VGA text 80x25" in info, "the firmware left the VGA in 80x25 text mode",
                info)
        t.check(img is not None and img[:2] == (720, 400), "screendump is 720x400",
                img[:2] if img else "no screendump")
        if img is None or img[:2] != (720, 400):
            return
        cells = [cell(img, i, 0) for i in range(len(BANNER))]
        t.check(all(any(b != 0 for row in cells[i] for b in row)
                    for i, ch in enumerate(BANNER) if ch != " "),
                "every banner character has foreground pixels")
        blank = bytes(27)
        t.check(all(row == blank for i, ch in enumerate(BANNER) if ch == " "
                    for row in cells[i]), "spaces are all background")
        pairs = [(i, j) for i in range(len(BANNER)) for j in range(i + 1, len(BANNER))]
        same = all(cells[i] == cells[j] for i, j in pairs if BANNER[i] == BANNER[j])
        differ = all(cells[i] != cells[j] for i, j in pairs if BANNER[i] != BANNER[j])
        t.check(same, "equal banner characters have equal glyphs ('S', 'e', ' ')")
        t.check(differ, "different banner characters have different glyphs")
        t.check(colours(img, 1) == {b"\x00\x00\x00", b"\xaa\xaa\xaa"},
                "row 0 is attribute 07: light grey 0xaaaaaa on black",
                sorted(c.hex() for c in colours(img, 1))[:8])
        qmp.cmd("quit")
        proc.wait(timeout=30)
        t.check(proc.returncode == 0, "emu quits cleanly", proc.stdout.read().decode()[-2000:])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for f in (sock, shot):
            if os.path.exists(f):
                os.unlink(f)
        os.rmdir(tmp)


main()
t.done()
