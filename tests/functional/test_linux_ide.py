#!/usr/bin/env python3
"""The PIIX3 IDE controller under Linux's own drivers (ata_piix, sd_mod, sr_mod),
standard test guest under `-machine pc -accel tcg`:

- lspci's view (/sys/bus/pci/devices/*/vendor,device) shows 8086:7010;
- -hda with an ext4 image made on the host (mke2fs -d): the guest mounts
  /dev/sda, reads a known file, writes a new one, syncs and powers off; the
  host reads the new file out of the image with debugfs (the oracle);
- the same once with libata.dma=0 (PIO) and once with DMA (the default, the
  guest's dmesg must say MWDMA/UDMA is in use);
- -cdrom with an ISO 9660 image built here (a minimal writer, ECMA-119), read
  through sr_mod and isofs.

Env: EMU_GUEST_CACHE (default .cache/guest), EMU_LINUX_TCG_TIMEOUT (s per boot).
"""
import hashlib
import os
import shutil
import struct
import subprocess
import tempfile

from emutest import Tap, run_guest
from linuxguest import TIMEOUT, linux_args, require_guest, wait_dev_cmd

t = Tap()
MKE2FS, DEBUGFS, E2FSCK = require_guest(t, modules=["ata_piix"],
                                        tools=["mke2fs", "debugfs", "e2fsck"])


def boot(cmd, modules, extra, append=""):
    out, rc, secs = run_guest(linux_args(cmd, modules, append, extra), TIMEOUT)
    return rc, out, secs


def both16(v):
    return struct.pack("<H", v) + struct.pack(">H", v)


def both32(v):
    return struct.pack("<I", v) + struct.pack(">I", v)


def dirrec(name, lba, size, is_dir):
    body = bytes([0]) + both32(lba) + both32(size) + bytes(7) + \
        bytes([2 if is_dir else 0, 0, 0]) + both16(1) + bytes([len(name)]) + name
    size = 33 + len(name) + (1 if len(name) % 2 == 0 else 0)     # even (§9.1.12)
    return (bytes([size]) + body).ljust(size, b"\0")


def make_iso(path, files):
    """A single-directory ISO 9660 level 1 image (ECMA-119 §8.4, §9)."""
    sec = 2048
    data_lba = 21
    entries = []
    lba = data_lba
    for name, content in files:
        entries.append((name, lba, content))
        lba += (len(content) + sec - 1) // sec
    total = lba
    root = dirrec(b"\0", 20, sec, True) + dirrec(b"\1", 20, sec, True)
    for name, l, content in entries:
        root += dirrec(name.encode() + b";1", l, len(content), False)
    root = root.ljust(sec, b"\0")
    pvd = bytearray(sec)
    pvd[0:7] = b"\x01CD001\x01"
    pvd[8:40] = b"EMU".ljust(32)
    pvd[40:72] = b"EMU_IDE_TEST".ljust(32)
    pvd[80:88] = both32(total)
    pvd[120:124] = both16(1)
    pvd[124:128] = both16(1)
    pvd[128:132] = both16(sec)
    pvd[132:140] = both32(10)
    pvd[140:144] = struct.pack("<I", 18)
    pvd[148:152] = struct.pack(">I", 19)
    pvd[156:190] = dirrec(b"\0", 20, sec, True)
    pvd[190:813] = b" " * (813 - 190)
    for off in (813, 830, 847, 864):
        pvd[off:off + 17] = b"0" * 16 + b"\0"
    pvd[881] = 1
    term = bytearray(sec)
    term[0:7] = b"\xffCD001\x01"
    lpt = (bytes([1, 0]) + struct.pack("<I", 20) + struct.pack("<H", 1) + b"\0\0").ljust(sec, b"\0")
    mpt = (bytes([1, 0]) + struct.pack(">I", 20) + struct.pack(">H", 1) + b"\0\0").ljust(sec, b"\0")
    with open(path, "wb") as f:
        f.write(bytes(16 * sec) + pvd + term + lpt + mpt + root)
        for name, l, content in entries:
            f.write(content.ljust(((len(content) + sec - 1) // sec) * sec, b"\0"))


tmp = tempfile.mkdtemp(prefix="emu-ide-")
try:
    src = os.path.join(tmp, "root")
    os.mkdir(src)
    known = b"known file from the host, " + os.urandom(8).hex().encode() + b"\n"
    with open(os.path.join(src, "hello.txt"), "wb") as f:
        f.write(known)
    iso_payload = b"".join(b"line %05d of the CD\n" % i for i in range(3000))
    iso = os.path.join(tmp, "cd.iso")
    make_iso(iso, [("README.TXT", b"from the iso\n"), ("DATA.BIN", iso_payload)])

    for mode, append in (("PIO", "libata.dma=0"), ("DMA", "")):
        disk = os.path.join(tmp, f"disk-{mode}.img")
        subprocess.run([MKE2FS, "-q", "-F", "-t", "ext4", "-d", src, disk, "32M"],
                       check=True, capture_output=True)
        newdata = f"written by the guest over {mode}: " + os.urandom(6).hex()
        cmd = ("for d in /sys/bus/pci/devices/*; do echo PCI $(cat $d/vendor):$(cat $d/device);"
               " done; " + wait_dev_cmd("/dev/sda") +
               "mount -t ext4 /dev/sda /mnt && echo ==HELLO== && cat /mnt/hello.txt && "
               "echo ==END== && echo '" + newdata + "' > /mnt/new.txt && "
               "dd if=/dev/zero of=/mnt/big bs=64k count=32 2>/dev/null && sync && "
               "umount /mnt && echo UMOUNT-OK; echo XFER=$(cat /sys/class/ata_device/dev1.0/xfer_mode)")
        rc, out, secs = boot(cmd, ["ata_piix", "sd_mod", "crc32c_generic", "ext4"], ["-hda", disk], append)
        t.check(rc == 0 and "EMU-CMD-DONE rc=0" in out,
                f"{mode}: boots, runs and powers off ({secs:.1f} s)", out[-3000:])
        if mode == "DMA":
            t.check("PCI 0x8086:0x7010" in out, "lspci view shows the PIIX3 IDE 8086:7010",
                    "\n".join(l for l in out.splitlines() if l.startswith("PCI")))
        ok = f"==HELLO==\n{known.decode()}==END==" in out
        t.check(ok, f"{mode}: the guest reads the host's file from /dev/sda", out[-2000:])
        conf = next((l for l in out.splitlines() if l.startswith("XFER=")), "")
        want = "PIO" if mode == "PIO" else "DMA"
        t.check(want in conf, f"{mode}: libata configured the disk for {want}", conf)
        t.check("UMOUNT-OK" in out, f"{mode}: write, sync and umount succeed", out[-1500:])
        r = subprocess.run([DEBUGFS, "-R", "cat /new.txt", disk], capture_output=True)
        t.check(r.stdout.decode(errors="replace").strip() == newdata,
                f"{mode}: the host finds the guest's file intact in the image (debugfs)",
                f"got {r.stdout[:200]!r} {r.stderr[-300:]!r}")
        r = subprocess.run([E2FSCK, "-fn", disk],
                           capture_output=True)
        t.check(r.returncode == 0, f"{mode}: e2fsck finds the filesystem clean",
                r.stdout.decode(errors="replace")[-800:])

    # The CD through sr_mod and isofs, with DMA (ATAPI packets by DMA) and PIO.
    for mode, append in (("DMA", ""), ("PIO", "libata.dma=0")):
        cmd = (wait_dev_cmd("/dev/sr0") +
               "mount -t iso9660 -o ro /dev/sr0 /mnt && cat /mnt/readme.txt && "
               "md5sum /mnt/data.bin && umount /mnt; "
               "echo XFER=$(cat /sys/class/ata_device/dev2.0/xfer_mode)")
        rc, out, secs = boot(cmd, ["ata_piix", "sr_mod", "isofs"],
                             ["-cdrom", iso], append)
        md5 = hashlib.md5(iso_payload).hexdigest()
        t.check("from the iso" in out and md5 in out,
                f"CD ({mode}): the guest reads files from the ISO through sr0 ({secs:.1f} s)",
                out[-3000:])
        conf = next((l for l in out.splitlines() if l.startswith("XFER=")), "")
        t.check(mode in conf, f"CD ({mode}): libata drives the ATAPI device by {mode}", conf)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
t.done()
