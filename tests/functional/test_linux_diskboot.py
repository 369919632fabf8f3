#!/usr/bin/env python3
"""Real disk images booted the way a PC boots them, under emu's own translator:
no -kernel, SeaBIOS (the default firmware) runs the boot sector.

- -hda disk.img (scripts/mkdisk.py: MBR with syslinux's mbr.bin, an active
  FAT32 partition with SYSLINUX, vmlinuz, initrd.img): SeaBIOS says "Booting
  from Hard Disk", SYSLINUX loads the kernel through int 13h and runs its
  real-mode setup code, the guest prints EMU-GUEST-READY, mounts /dev/sda1
  (vfat), writes a file there and powers off. The oracle for the write is
  mtools on the host (mtype -i disk.img@@OFFSET).
- -cdrom disk.iso -boot d (ISOLINUX, El Torito no-emulation boot over ATAPI)
  with the same disk as -hda: "Booting from DVD/CD", ISOLINUX, the kernel,
  a file written to the disk's FAT partition;
- as root with loop devices: an ext4 partition with EXTLINUX, the guest's
  file checked with debugfs.

The SYSLINUX/ISOLINUX configurations carry a per-run token in emu.cmd=, so a
stale image cannot pass. SKIPs without the guest cache, SeaBIOS, syslinux,
isolinux, mtools or xorriso. Env: EMU_GUEST_CACHE, EMU_LINUX_TCG_TIMEOUT.
"""
import importlib.util
import os
import shutil
import subprocess
import tempfile

from emutest import EMU, Tap, run_guest
from linuxguest import CACHE, INITRD, KERNEL, ROOT, TIMEOUT, require_guest, wait_dev_cmd

t = Tap()
os.environ["EMU_GUEST_CACHE"] = CACHE

spec = importlib.util.spec_from_file_location("mkdisk",
                                              os.path.join(ROOT, "scripts", "mkdisk.py"))
mkdisk = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mkdisk)

require_guest(t)
for path, pkg in (("/usr/share/seabios/bios-256k.bin", "seabios"),
                  (mkdisk.SYSLINUX_MBR, "syslinux-common"),
                  (mkdisk.ISOLINUX_BIN, "isolinux")):
    if not os.path.exists(path):
        t.skip_all(f"{path} missing (Debian package {pkg})")
require_guest(t, modules=["nls_cp437"],
              tools=["mcopy", "mtype", "syslinux", "xorriso", "mkfs.vfat"])

MTOOLS_ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1")


def guest_cmd(name, token):
    return (wait_dev_cmd("/dev/sda1") + "mount -t vfat /dev/sda1 /mnt && echo " + token +
            " > /mnt/" + name + " && umount /mnt && echo WRITE-OK")


def boot(args):
    out, rc, secs = run_guest([EMU, "-machine", "pc", "-accel", "tcg", "-m", "512",
                               "-nographic", "-no-reboot"] + args, TIMEOUT)
    return rc, out, secs


def mtype(img, name):
    r = subprocess.run(["mtype", "-i", f"{img}@@{mkdisk.PART_OFFSET}", "::" + name],
                       capture_output=True, env=MTOOLS_ENV)
    return r.stdout.decode(errors="replace").strip()


def in_order(out, marks):
    pos = 0
    for m in marks:
        pos = out.find(m, pos)
        if pos < 0:
            return False
    return True


tmp = tempfile.mkdtemp(prefix="emu-diskboot-")
try:
    # The cached images (built or refreshed here), then a per-run copy whose
    # syslinux.cfg carries a fresh token.
    r = subprocess.run(["python3", os.path.join(ROOT, "scripts", "mkdisk.py")],
                       capture_output=True, env=os.environ)
    t.check(r.returncode == 0, "scripts/mkdisk.py builds disk.img and disk.iso",
            r.stdout.decode() + r.stderr.decode())
    disk = os.path.join(tmp, "disk.img")
    shutil.copy(os.path.join(CACHE, "disk.img"), disk)
    token = "disk-" + os.urandom(6).hex()
    cfg = os.path.join(tmp, "syslinux.cfg")
    with open(cfg, "w") as f:
        f.write(mkdisk.syslinux_cfg(mkdisk.kernel_append(guest_cmd("disk.txt", token),
                                                         mkdisk.DEFAULT_MODULES)))
    subprocess.run(["mcopy", "-o", "-i", f"{disk}@@{mkdisk.PART_OFFSET}", cfg,
                    "::syslinux.cfg"], check=True, env=MTOOLS_ENV)

    rc, out, secs = boot(["-hda", disk])
    t.check(in_order(out, ["Booting from Hard Disk", "SYSLINUX 6", "EMU-GUEST-READY",
                           "WRITE-OK", "EMU-CMD-DONE rc=0"]),
            f"hard disk: SeaBIOS -> SYSLINUX -> Linux -> command ({secs:.1f} s)", out[-3000:])
    t.check(rc == 0, "hard disk: the guest powers off (exit status 0)", f"rc={rc}")
    got = mtype(disk, "disk.txt")
    t.check(got == token, "hard disk: mtools finds the guest's file on the FAT partition",
            f"got {got!r}, want {token!r}")

    # The ISO with a token of its own; the disk (written by the first boot) as -hda.
    token2 = "iso-" + os.urandom(6).hex()
    iso = os.path.join(tmp, "boot.iso")
    mkdisk.build_iso(iso, KERNEL, INITRD,
                     mkdisk.kernel_append(guest_cmd("iso.txt", token2), mkdisk.DEFAULT_MODULES))
    rc, out, secs = boot(["-cdrom", iso, "-hda", disk, "-boot", "d"])
    t.check(in_order(out, ["Booting from DVD/CD", "ISOLINUX 6", "EMU-GUEST-READY",
                           "WRITE-OK", "EMU-CMD-DONE rc=0"]),
            f"CD: SeaBIOS El Torito -> ISOLINUX -> Linux -> command ({secs:.1f} s)",
            out[-3000:])
    t.check("Booting from Hard Disk" not in out, "CD: -boot d boots the CD, not the disk")
    t.check(rc == 0, "CD: the guest powers off (exit status 0)", f"rc={rc}")
    got = mtype(disk, "iso.txt")
    t.check(got == token2, "CD: mtools finds the file written after the ISO boot",
            f"got {got!r}, want {token2!r}")
    t.check(mtype(disk, "disk.txt") == token, "CD: the first boot's file is still intact")
    r = subprocess.run(["mdir", "-b", "-i", f"{disk}@@{mkdisk.PART_OFFSET}", "::"],
                       capture_output=True, env=MTOOLS_ENV)
    names = r.stdout.decode(errors="replace").lower()
    t.check(r.returncode == 0 and all(n in names for n in
                                      ("vmlinuz", "initrd.img", "disk.txt", "iso.txt")),
            "the FAT partition lists cleanly with the kernel and both files (mdir)",
            names + r.stderr.decode()[-500:])

    # ext4 + EXTLINUX (needs root and loop devices to install EXTLINUX).
    debugfs = shutil.which("debugfs") or "/usr/sbin/debugfs"
    if mkdisk.can_loop_mount() and os.path.exists(debugfs):
        token3 = "ext4-" + os.urandom(6).hex()
        ext4 = os.path.join(tmp, "ext4.img")
        cmd = guest_cmd("ext4.txt", token3).replace("-t vfat", "-t ext4")
        mkdisk.build_ext4(ext4, KERNEL, INITRD,
                          mkdisk.kernel_append(cmd, mkdisk.DEFAULT_EXT4_MODULES), 64)
        rc, out, secs = boot(["-hda", ext4])
        t.check(in_order(out, ["Booting from Hard Disk", "SYSLINUX 6", "EMU-GUEST-READY",
                               "WRITE-OK", "EMU-CMD-DONE rc=0"]) and rc == 0,
                f"ext4: SeaBIOS -> EXTLINUX -> Linux -> command ({secs:.1f} s)", out[-3000:])
        r = subprocess.run([debugfs, "-R", "cat /ext4.txt",
                            f"{ext4}?offset={mkdisk.PART_OFFSET}"], capture_output=True)
        got = r.stdout.decode(errors="replace").strip()
        t.check(got == token3, "ext4: debugfs finds the guest's file on the partition",
                f"got {got!r}, want {token3!r}")
    else:
        print("# ext4 + EXTLINUX skipped: needs root, loop devices, extlinux and debugfs")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
t.done()
