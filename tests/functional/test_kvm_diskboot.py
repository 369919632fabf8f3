#!/usr/bin/env python3
"""SeaBIOS booting a hard disk under KVM (-enable-kvm, no -kernel):

1. a 1 MiB disk whose boot sector (built here) writes a marker to the debug
   console (port 0x402) and halts: SeaBIOS's POST says "Booting from Hard
   Disk" and the boot sector runs at 0000:7c00 (the marker arrives);
2. with the guest cache, scripts/mkdisk.py's SYSLINUX disk: POST reaches
   "Booting from Hard Disk" too; how far it gets after that is printed as a
   TAP comment, not checked: on this development host /dev/kvm is kvm_pvm, a
   software KVM whose instruction emulator runs ring-0 and real-mode code and
   cannot emulate everything: SYSLINUX's 32-bit protected-mode core stops at
   its first IRETD (KVM internal error "instruction emulation failed", bytes
   cf c3). A hardware KVM host boots on to Linux.

SKIPs without /dev/kvm or SeaBIOS."""
import os
import shutil
import subprocess
import tempfile
import time

from emutest import EMU, Tap, kvm_unusable
from linuxguest import CACHE

t = Tap()
FW = "/usr/share/seabios/bios-256k.bin"
MARK = b"EMU-BOOTSECTOR-RAN"

# Real-mode boot sector: DS = 0; print the string at 0x7c1a on port 0x402; hlt.
BOOT = bytes([0x31, 0xc0,              # xor ax, ax
              0x8e, 0xd8,              # mov ds, ax
              0xfc,                    # cld
              0xba, 0x02, 0x04,        # mov dx, 0x402
              0xbe, 0x1a, 0x7c,        # mov si, 0x7c1a
              0xac,                    # 0x0b: lodsb
              0x84, 0xc0,              # test al, al
              0x74, 0x03,              # jz 0x13
              0xee,                    # out dx, al
              0xeb, 0xf8,              # jmp 0x0b
              0xf4,                    # 0x13: hlt
              0xeb, 0xfd,              # jmp 0x13
              0x90, 0x90, 0x90, 0x90]) + MARK + b"\n\0"


def run(disk, log, seconds, want):
    """Boot @disk under KVM until @want is in the debug console log."""
    p = subprocess.Popen([EMU, "-machine", "pc", "-accel", "kvm", "-m", "128",
                          "-display", "none", "-no-reboot", "-hda", disk,
                          "-chardev", f"file,id=d,path={log}",
                          "-device", "isa-debugcon,iobase=0x402,chardev=d"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    t0 = time.time()
    data = b""
    try:
        while time.time() - t0 < seconds and p.poll() is None:
            if os.path.exists(log):
                with open(log, "rb") as f:
                    data = f.read()
                if want in data:
                    break
            time.sleep(0.1)
    finally:
        if p.poll() is None:
            p.kill()
        out = p.communicate()[0]
    if os.path.exists(log):
        with open(log, "rb") as f:
            data = f.read()
    return data.decode("latin-1"), out.decode(errors="replace"), time.time() - t0


def main():
    why = kvm_unusable()
    if why:
        t.skip_all(why)
    if not os.path.exists(FW):
        t.skip_all(f"{FW} missing (Debian package seabios)")
    tmp = tempfile.mkdtemp(prefix="emu-kvmdisk-")
    try:
        disk = os.path.join(tmp, "boot.img")
        sector = bytearray(512)
        sector[:len(BOOT)] = BOOT
        sector[510:512] = b"\x55\xaa"
        with open(disk, "wb") as f:
            f.write(sector)
            f.truncate(1 << 20)
        log = os.path.join(tmp, "debugcon.log")
        data, out, secs = run(disk, log, 150, MARK)
        t.check("Booting from Hard Disk" in data,
                f"KVM: SeaBIOS POST reaches \"Booting from Hard Disk\" ({secs:.1f} s)",
                data[-1500:] + out[-1500:])
        t.check(MARK.decode() in data, "KVM: the boot sector runs at 0000:7c00 (marker)",
                data[-800:] + out[-1500:])

        img = os.path.join(CACHE, "disk.img")
        if os.path.exists(img):
            copy = os.path.join(tmp, "disk.img")
            shutil.copy(img, copy)
            log2 = os.path.join(tmp, "debugcon2.log")
            data, out, secs = run(copy, log2, 30, b"\x00never\x00")
            t.check("Booting from Hard Disk" in data,
                    "KVM: SeaBIOS boots the SYSLINUX disk (\"Booting from Hard Disk\")",
                    data[-1500:])
            err = [line for line in out.splitlines() if "internal error" in line]
            print("# SYSLINUX disk under this host's KVM: " +
                  (err[0] if err else "no KVM internal error within 30 s"))
        else:
            print(f"# no {img}: scripts/mkdisk.py builds it (SYSLINUX part skipped)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
t.done()
