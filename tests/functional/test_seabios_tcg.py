#!/usr/bin/env python3
"""SeaBIOS (the default firmware of -machine pc, Debian's bios-256k.bin) under
emu's own translator (-accel tcg), with nothing to boot: it logs its banner on
the debug console (port 0x402), runs its POST through PCI setup, the VGA
option ROM and the boot menu, and ends at "No bootable device."; the VGA text
screen then holds its banner (a screendump has light-grey glyph pixels in the
first row). Also -boot reboot-timeout= (fw_cfg etc/boot-fail-wait): SeaBIOS
says "Retrying in 1 seconds" and reboots. Times are printed as TAP comments.
-L DIR is searched first for the default image. SKIPs without the seabios
package."""
import os
import subprocess
import tempfile
import time

from emutest import EMU, Qmp, Tap, read_ppm

t = Tap()
FW = "/usr/share/seabios/bios-256k.bin"


def wait_for(path, needle, deadline):
    while time.time() < deadline:
        if os.path.exists(path):
            with open(path, "rb") as f:
                data = f.read().decode("latin-1")
            if needle in data:
                return data
        time.sleep(0.05)
    return None


def main():
    if not os.path.exists(FW):
        t.skip_all(f"{FW} missing (Debian package seabios)")
    tmp = tempfile.mkdtemp(prefix="emu-seabios-")
    log = os.path.join(tmp, "debugcon.log")
    sock = os.path.join(tmp, "qmp.sock")
    shot = os.path.join(tmp, "screen.ppm")
    errlog = os.path.join(tmp, "stderr.log")

    # 1. No -bios, no -kernel: the default firmware runs.
    start = time.time()
    with open(errlog, "w") as err:
        proc = subprocess.Popen([EMU, "-machine", "pc", "-accel", "tcg", "-m", "128M",
                                 "-display", "none", "-d", "unimp,guest_errors",
                                 "-chardev", f"file,id=d,path={log}",
                                 "-device", "isa-debugcon,iobase=0x402,chardev=d",
                                 "-qmp", f"unix:{sock},server=on,wait=off"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err)
    try:
        qmp = Qmp(sock)
        data = wait_for(log, "SeaBIOS (version", start + 120)
        t_banner = time.time() - start
        t.check(data is not None, "SeaBIOS prints its banner on the debug console",
                open(log, "rb").read()[-2000:] if os.path.exists(log) else "no log")
        print(f"# banner after {t_banner:.2f} s")
        data = wait_for(log, "No bootable device", start + 180)
        t_end = time.time() - start
        t.check(data is not None, "SeaBIOS reaches \"No bootable device\"",
                open(log, "rb").read().decode("latin-1")[-3000:])
        print(f"# \"No bootable device\" after {t_end:.2f} s")
        if data:
            t.check("Found QEMU fw_cfg" in data and "QEMU fw_cfg DMA interface supported"
                    in data, "SeaBIOS finds fw_cfg with DMA")
            t.check("init bdf=00:01.3 id=8086:7113" in data,
                    "SeaBIOS sees the PIIX4 PM function at 01.3")
            t.check("Using pmtimer, ioport 0x608" in data,
                    "SeaBIOS programs PMBA 0x600 and uses the PM timer at 0x608")
            t.check("init smm" not in data, "SeaBIOS skips SMM setup (DEVACTB APMC_EN)")
            t.check("Running option rom at c000" in data,
                    "the VGA option ROM (PCI ROM BAR) runs")
        r = qmp.cmd("screendump", filename=shot, format="ppm")
        t.check("return" in r, "screendump succeeds", r)
        if "return" in r:
            w, h, px = read_ppm(shot)
            row0 = px[:w * 16 * 3]
            lit = sum(1 for i in range(0, len(row0), 3) if row0[i:i + 3] == b"\xaa\xaa\xaa")
            t.check((w, h) == (720, 400) and lit > 100,
                    "the text screen's first row has light-grey banner glyphs",
                    f"{w}x{h}, {lit} lit pixels")
        qmp.cmd("quit")
        proc.wait(timeout=30)
        with open(errlog) as f:
            errs = [line for line in f if "unassigned" not in line]
        unimp = [line for line in errs if "unimp" in line.lower() or "#UD" in line
                 or "not implemented" in line]
        t.check(not unimp, "no translator gap logged (-d unimp)", "".join(unimp[:20]))
        for line in errs[:10]:
            print("# stderr: " + line.rstrip())
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    # 2. -boot menu=on,splash-time=200,reboot-timeout=0: SeaBIOS offers its
    # menu, then retries at once and reboots (a second banner), through fw_cfg
    # FW_CFG_BOOT_MENU, etc/boot-menu-wait and etc/boot-fail-wait.
    os.unlink(log)
    start = time.time()
    proc = subprocess.Popen([EMU, "-machine", "pc", "-accel", "tcg", "-display", "none",
                             "-boot", "menu=on,splash-time=200,reboot-timeout=0",
                             "-chardev", f"file,id=d,path={log}",
                             "-device", "isa-debugcon,iobase=0x402,chardev=d"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        data = wait_for(log, "Rebooting.", start + 180)
        t.check(data is not None and "Press ESC for boot menu" in data,
                "menu=on: SeaBIOS offers the boot menu (FW_CFG_BOOT_MENU)",
                (data or "")[-1000:])
        t.check(data is not None and "Retrying in 0 seconds" in data,
                "reboot-timeout=0: \"Retrying in 0 seconds\", then a reboot",
                (data or "")[-1000:])
        # Each run prints the banner twice (debug console, then again after the
        # VGA console is up): a second run makes it at least 3.
        ok = False
        while time.time() < start + 180 and not ok:
            data = open(log, "rb").read().decode("latin-1")
            ok = "Attempting a hard reboot" in data and data.count("SeaBIOS (version") >= 3
            time.sleep(0.05)
        t.check(ok, "after the reboot SeaBIOS runs again (another banner)", data[-1500:])
        print(f"# reboot cycle took {time.time() - start:.2f} s")
    finally:
        proc.kill()
        proc.wait()

    # 3. -L DIR comes first in the search for the default bios-256k.bin: a
    # 64 KiB image whose reset vector writes "L" to the debug console.
    os.unlink(log)
    ldir = os.path.join(tmp, "L")
    os.mkdir(ldir)
    code = bytes([0xb0, ord("L"), 0xba, 0x02, 0x04, 0xee, 0xf4, 0xeb, 0xfd])
    img = bytearray(b"\xf4" * 65536)
    img[65536 - 16:65536 - 16 + len(code)] = code
    with open(os.path.join(ldir, "bios-256k.bin"), "wb") as f:
        f.write(img)
    proc = subprocess.Popen([EMU, "-machine", "pc", "-accel", "tcg", "-display", "none",
                             "-L", ldir, "-chardev", f"file,id=d,path={log}",
                             "-device", "isa-debugcon,iobase=0x402,chardev=d"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        data = wait_for(log, "L", time.time() + 60)
        t.check(data == "L", "-L DIR: the default firmware is taken from DIR", repr(data))
    finally:
        proc.kill()
        proc.wait()
    os.unlink(os.path.join(ldir, "bios-256k.bin"))
    os.rmdir(ldir)
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)


main()
t.done()
