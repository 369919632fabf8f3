#!/usr/bin/env python3
"""Bootable disk images of the standard test guest (scripts/fetch-guest.sh), built
without root or loop mounts:

  disk.img  a raw disk with an MBR partition table (written here), one active
            FAT32 partition (mkfs.vfat --offset) holding vmlinuz, initrd.img and
            syslinux.cfg, SYSLINUX installed with `syslinux --install --offset`
            (the mtools installer) and syslinux's mbr.bin as the MBR code;
  disk.iso  an ISOLINUX El Torito CD (xorriso, no-emulation boot, boot info
            table), hybrid (isohdpfx.bin) so it boots from a disk too;
  disk-ext4.img  (only as root with loop devices: extlinux needs a mounted
            filesystem) MBR + an active ext4 partition (mke2fs -d) + EXTLINUX.

All boot the kernel with `console=ttyS0` and SYSLINUX on COM1 (SERIAL 0 115200).
No pci=noacpi (unless --pci-noacpi): after SeaBIOS, Linux's PCI-without-ACPI
path leaves ata_piix's legacy BARs unassigned (QEMU behaves the same).

  scripts/mkdisk.py [--out-dir DIR] [--cmd CMD] [--modules a,b] [--size-mb N]
                    [disk|iso|ext4|all]

Default output: $EMU_GUEST_CACHE (default <repo>/.cache/guest), rebuilt only when
an input (kernel, initrd, this script, syslinux files, the options) changed; a
stamp file next to each image records them. Prints the image paths; for the disk
also the byte offset of the FAT partition (for `mtools -i disk.img@@OFFSET`).
"""
import argparse
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("EMU_GUEST_CACHE", os.path.join(REPO, ".cache", "guest"))

SYSLINUX_MBR = "/usr/lib/syslinux/mbr/mbr.bin"
LDLINUX_C32 = "/usr/lib/syslinux/modules/bios/ldlinux.c32"
ISOLINUX_BIN = "/usr/lib/ISOLINUX/isolinux.bin"
ISOHDPFX = "/usr/lib/ISOLINUX/isohdpfx.bin"

PART_START = 2048            # first sector of the FAT partition (1 MiB aligned)
SECTOR = 512
PART_OFFSET = PART_START * SECTOR

DEFAULT_MODULES = "ata_piix,sd_mod,vfat,nls_cp437,nls_ascii,nls_utf8"
# Default guest command: write a file onto the FAT partition it booted from.
DEFAULT_DISK_CMD = ("i=0; while [ ! -b /dev/sda1 ] && [ $i -lt 150 ]; do sleep 0.2; "
                    "i=$((i+1)); done; mount -t vfat /dev/sda1 /mnt && "
                    "uname -r > /mnt/booted.txt && umount /mnt")
DEFAULT_ISO_CMD = "cat /proc/cmdline"
DEFAULT_EXT4_MODULES = "ata_piix,sd_mod,crc32c_generic,ext4"
DEFAULT_EXT4_CMD = DEFAULT_DISK_CMD.replace("-t vfat", "-t ext4")

# Bump when the image layout changes so existing caches are rebuilt.
LAYOUT_VERSION = 1


def encode_cmd(cmd):
    """emu.cmd= form understood by scripts/guest-init.sh: %XX for anything odd."""
    out = []
    for ch in cmd:
        out.append(ch if ch.isalnum() or ch in "-_./:=,+|&>;<()" else "%%%02X" % ord(ch))
    return "".join(out)


def kernel_append(cmd, modules, extra="", pci_noacpi=False):
    words = ["console=ttyS0", "quiet", "panic=-1"]
    if pci_noacpi:
        words.append("pci=noacpi")
    if extra:
        words.append(extra)
    if modules:
        words.append("emu.modprobe=" + modules)
    if cmd:
        words.append("emu.cmd=" + encode_cmd(cmd))
    return " ".join(words)


def syslinux_cfg(append, kernel="vmlinuz", initrd="initrd.img"):
    # SERIAL 0 115200: SYSLINUX mirrors its console on COM1 (syslinux.cfg(5)).
    return ("SERIAL 0 115200\n"
            "DEFAULT linux\n"
            "PROMPT 0\n"
            "TIMEOUT 0\n"
            "LABEL linux\n"
            f"  KERNEL {kernel}\n"
            f"  INITRD {initrd}\n"
            f"  APPEND {append}\n")


def run(args, **kw):
    r = subprocess.run(args, capture_output=True, **kw)
    if r.returncode != 0:
        sys.exit(f"mkdisk: {' '.join(args)} failed ({r.returncode}):\n"
                 + r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace"))
    return r


def tool(name):
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not path:
        sys.exit(f"mkdisk: {name} not found (scripts/install-deps.sh installs it)")
    return path


def chs(lba, heads=255, spt=63):
    """The 3-byte CHS field of a partition entry; 1023/254/63 past the CHS limit."""
    c, rem = divmod(lba, heads * spt)
    h, s = divmod(rem, spt)
    if c > 1023:
        c, h, s = 1023, heads - 1, spt - 1
    else:
        s += 1
    return bytes([h, (s & 0x3f) | ((c >> 2) & 0xc0), c & 0xff])


def write_mbr(path, part_start, part_sectors, ptype=0x0c):
    """MBR: syslinux's boot code (first 440 bytes), then one active primary
    partition entry (type 0x0c, FAT32 LBA) and the 0x55AA signature."""
    with open(SYSLINUX_MBR, "rb") as f:
        code = f.read()
    if len(code) > 440:
        sys.exit(f"mkdisk: {SYSLINUX_MBR} is {len(code)} bytes, more than 440")
    entry = (bytes([0x80]) + chs(part_start) + bytes([ptype]) +
             chs(part_start + part_sectors - 1) +
             struct.pack("<II", part_start, part_sectors))
    mbr = bytearray(512)
    mbr[0:len(code)] = code
    mbr[440:444] = struct.pack("<I", 0x454d5545)   # disk signature "EUME"
    mbr[446:462] = entry
    mbr[510:512] = b"\x55\xaa"
    with open(path, "r+b") as f:
        f.write(mbr)


def build_disk(out, kernel, initrd, append, size_mb):
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.truncate(size_mb * 1024 * 1024)
    part_sectors = size_mb * 1024 * 1024 // SECTOR - PART_START
    write_mbr(tmp, PART_START, part_sectors)
    run([tool("mkfs.vfat"), "-F", "32", "-n", "EMUBOOT", "-h", str(PART_START),
         f"--offset={PART_START}", tmp, str(part_sectors * SECTOR // 1024)])
    img = f"{tmp}@@{PART_OFFSET}"
    with tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, "syslinux.cfg")
        with open(cfg, "w") as f:
            f.write(syslinux_cfg(append))
        env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
        run([tool("mcopy"), "-i", img, kernel, "::vmlinuz"], env=env)
        run([tool("mcopy"), "-i", img, initrd, "::initrd.img"], env=env)
        run([tool("mcopy"), "-i", img, cfg, "::syslinux.cfg"], env=env)
    # The mtools installer writes ldlinux.sys/ldlinux.c32 and the boot sector;
    # --offset is in bytes.
    run([tool("syslinux"), "--install", "--offset", str(PART_OFFSET), tmp])
    os.replace(tmp, out)


def can_loop_mount():
    """The ext4 + EXTLINUX variant needs root, loop devices and extlinux."""
    return (os.geteuid() == 0 and os.path.exists("/dev/loop-control") and
            bool(shutil.which("losetup") or shutil.which("losetup", path="/usr/sbin:/sbin"))
            and bool(shutil.which("extlinux")))


def build_ext4(out, kernel, initrd, append, size_mb):
    """MBR + one active Linux partition (0x83) with ext4 made by mke2fs -d (no
    mount), then EXTLINUX installed through a loop mount (extlinux(1) works on a
    mounted filesystem only). No 64bit feature: SYSLINUX 6.04 cannot read it.
    The boot loader's banner says SYSLINUX too (one ldlinux.sys for both)."""
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.truncate(size_mb * 1024 * 1024)
    part_sectors = size_mb * 1024 * 1024 // SECTOR - PART_START
    write_mbr(tmp, PART_START, part_sectors, ptype=0x83)
    with tempfile.TemporaryDirectory() as d:
        root = os.path.join(d, "root")
        os.makedirs(os.path.join(root, "boot", "extlinux"))
        shutil.copy(kernel, os.path.join(root, "boot", "vmlinuz"))
        shutil.copy(initrd, os.path.join(root, "boot", "initrd.img"))
        with open(os.path.join(root, "boot", "extlinux", "extlinux.conf"), "w") as f:
            f.write(syslinux_cfg(append, "/boot/vmlinuz", "/boot/initrd.img"))
        # 4 KiB blocks: SYSLINUX 6.04 fails to read files ("I/O error") on the
        # 1 KiB blocks mke2fs picks for a small filesystem.
        run([tool("mke2fs"), "-q", "-F", "-t", "ext4", "-b", "4096",
             "-O", "^64bit,^metadata_csum", "-L", "EMUEXT4", "-d", root, "-E", f"offset={PART_OFFSET}", tmp,
             f"{part_sectors * SECTOR // 1024}k"])
        mnt = os.path.join(d, "mnt")
        os.mkdir(mnt)
        loop = run([tool("losetup"), "-f", "--show", "-o", str(PART_OFFSET),
                    "--sizelimit", str(part_sectors * SECTOR), tmp]).stdout.decode().strip()
        try:
            run(["mount", "-t", "ext4", loop, mnt])
            try:
                run([tool("extlinux"), "--install", os.path.join(mnt, "boot", "extlinux")])
            finally:
                run(["umount", mnt])
        finally:
            run([tool("losetup"), "-d", loop])
    os.replace(tmp, out)


def build_iso(out, kernel, initrd, append):
    with tempfile.TemporaryDirectory() as d:
        os.mkdir(os.path.join(d, "isolinux"))
        shutil.copy(ISOLINUX_BIN, os.path.join(d, "isolinux", "isolinux.bin"))
        shutil.copy(LDLINUX_C32, os.path.join(d, "isolinux", "ldlinux.c32"))
        with open(os.path.join(d, "isolinux", "isolinux.cfg"), "w") as f:
            f.write(syslinux_cfg(append, "/vmlinuz", "/initrd.img"))
        shutil.copy(kernel, os.path.join(d, "vmlinuz"))
        shutil.copy(initrd, os.path.join(d, "initrd.img"))
        args = [tool("xorriso"), "-as", "mkisofs", "-quiet", "-o", out + ".tmp",
                "-V", "EMUBOOT", "-R", "-J",
                "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat",
                "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table"]
        if os.path.exists(ISOHDPFX):
            args += ["-isohybrid-mbr", ISOHDPFX]
        run(args + [d])
    os.replace(out + ".tmp", out)


def stamp_of(kind, kernel, initrd, append, size_mb):
    h = hashlib.sha256()
    h.update(f"{LAYOUT_VERSION} {kind} {size_mb} {append}\n".encode())
    files = [kernel, initrd, os.path.abspath(__file__)]
    files += [ISOLINUX_BIN, LDLINUX_C32] if kind == "iso" else [SYSLINUX_MBR, LDLINUX_C32]
    for p in files:
        st = os.stat(p)
        h.update(f"{p} {st.st_size} {st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def ensure(kind, out, kernel, initrd, append, size_mb=64):
    """Build OUT unless its stamp says the inputs are unchanged; return OUT."""
    stamp = stamp_of(kind, kernel, initrd, append, size_mb)
    stamp_path = out + ".stamp"
    try:
        with open(stamp_path) as f:
            if f.read().strip() == stamp and os.path.exists(out):
                return out
    except OSError:
        pass
    if kind == "disk":
        build_disk(out, kernel, initrd, append, size_mb)
    elif kind == "ext4":
        build_ext4(out, kernel, initrd, append, size_mb)
    else:
        build_iso(out, kernel, initrd, append)
    with open(stamp_path, "w") as f:
        f.write(stamp + "\n")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", nargs="?", default="all", choices=["disk", "iso", "ext4", "all"])
    ap.add_argument("--out-dir", default=CACHE)
    ap.add_argument("--cmd", help="guest command (emu.cmd=), default writes booted.txt")
    ap.add_argument("--modules", default=DEFAULT_MODULES, help="emu.modprobe= list")
    ap.add_argument("--modules-ext4", default=DEFAULT_EXT4_MODULES,
                    help="emu.modprobe= list of the ext4 image")
    ap.add_argument("--extra", default="", help="more kernel command line words")
    ap.add_argument("--size-mb", type=int, default=64, help="disk size (>= 40)")
    ap.add_argument("--pci-noacpi", action="store_true",
                    help="add pci=noacpi (breaks ata_piix after SeaBIOS: legacy BARs)")
    a = ap.parse_args()
    kernel = os.path.join(CACHE, "vmlinuz")
    initrd = os.path.join(CACHE, "initrd.img")
    if not (os.path.exists(kernel) and os.path.exists(initrd)):
        sys.exit(f"mkdisk: no guest in {CACHE}: run scripts/fetch-guest.sh first")
    if a.size_mb < 40:
        sys.exit("mkdisk: --size-mb must be at least 40 (FAT32 needs ~65525 clusters)")
    os.makedirs(a.out_dir, exist_ok=True)
    if a.what in ("disk", "all"):
        cmd = DEFAULT_DISK_CMD if a.cmd is None else a.cmd
        out = ensure("disk", os.path.join(a.out_dir, "disk.img"), kernel, initrd,
                     kernel_append(cmd, a.modules, a.extra, a.pci_noacpi), a.size_mb)
        print(f"disk: {out} fat-offset={PART_OFFSET}")
    if a.what in ("iso", "all"):
        cmd = DEFAULT_ISO_CMD if a.cmd is None else a.cmd
        out = ensure("iso", os.path.join(a.out_dir, "disk.iso"), kernel, initrd,
                     kernel_append(cmd, a.modules, a.extra, a.pci_noacpi))
        print(f"iso:  {out}")
    if a.what in ("ext4", "all"):
        if not can_loop_mount():
            if a.what == "ext4":
                sys.exit("mkdisk: the ext4 image needs root, loop devices and extlinux")
            print("ext4: skipped (needs root, loop devices and extlinux)")
        else:
            cmd = DEFAULT_EXT4_CMD if a.cmd is None else a.cmd
            out = ensure("ext4", os.path.join(a.out_dir, "disk-ext4.img"), kernel, initrd,
                         kernel_append(cmd, a.modules_ext4, a.extra, a.pci_noacpi),
                         a.size_mb)
            print(f"ext4: {out} part-offset={PART_OFFSET}")


if __name__ == "__main__":
    main()
