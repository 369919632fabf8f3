#!/usr/bin/env python3
"""Linux's virtio_pci + virtio_blk drivers against a virtio-blk-pci served by an
iothread (`-object iothread,id=io0 -device virtio-blk-pci,drive=d0,iothread=io0`)
under `-machine pc -accel tcg`: the queue's doorbell is an eventfd the iothread
waits on, the requests run and complete there, the MSI-X interrupts reach the
guest through the main loop.

- the host builds an ext4 image with a file in it (mkfs.ext4 -d); the guest
  mounts it, checksums the host's file, writes 4 MiB of its own with dd and a
  text file, syncs, unmounts and powers off;
- the host reads both files back out of the image with debugfs and compares
  them byte for byte with what the guest was told to write; e2fsck finds the
  filesystem clean.

Env: EMU_GUEST_CACHE (default .cache/guest), EMU_LINUX_TCG_TIMEOUT (s per boot).
"""
import hashlib
import os
import shutil
import subprocess
import tempfile

from emutest import Tap, run_guest
from linuxguest import TIMEOUT, linux_args, require_guest

t = Tap()
MKFS, DEBUGFS, E2FSCK = require_guest(t, modules=["virtio_blk"],
                                      tools=["mkfs.ext4", "debugfs", "e2fsck"])

work = tempfile.mkdtemp(prefix="emu-virtio-io-")
img = os.path.join(work, "disk.img")
src = os.path.join(work, "src")
os.mkdir(src)
host_data = bytes((i * 37 + (i >> 9)) & 0xff for i in range(1024 * 1024))
with open(os.path.join(src, "host.bin"), "wb") as f:
    f.write(host_data)
subprocess.run([MKFS, "-q", "-F", "-b", "4096", "-d", src, img, "32M"], check=True,
               capture_output=True)

# 4 MiB of zeroes through dd (32 requests of up to 128 KiB at once with the
# page cache flushing them), and "row N" lines in a text file.
want_txt = "".join(f"row {n}\n" for n in range(1, 20001)).encode()
cmd = ("mkdir -p /mnt; mount -t ext4 /dev/vda /mnt && md5sum /mnt/host.bin && "
       "dd if=/dev/zero of=/mnt/zero.bin bs=64k count=64 2>/dev/null && "
       "seq 1 20000 | sed 's/^/row /' > /mnt/rows.txt && sync && "
       "md5sum /mnt/rows.txt && umount /mnt && echo IOTHREAD-DONE")
args = linux_args(cmd, ["virtio_pci", "virtio_blk", "crc32c_generic", "ext4"],
                  extra=["-object", "iothread,id=io0",
                         "-drive", f"if=none,id=d0,format=raw,file={img}",
                         "-device", "virtio-blk-pci,drive=d0,iothread=io0"])
out, rc, secs = run_guest(args, TIMEOUT)
lines = [line.strip() for line in out.splitlines()]

md5 = hashlib.md5(host_data).hexdigest()
t.check(any(line.startswith(md5) for line in lines),
        f"the host's file reads back in the guest with the same md5 ({secs:.1f} s)",
        out[-2500:])
t.check(any(line.startswith(hashlib.md5(want_txt).hexdigest()) for line in lines),
        "the guest's text file has the expected md5 in the guest", out[-2000:])
t.check("IOTHREAD-DONE" in lines and "EMU-CMD-DONE rc=0" in out,
        "mount, dd, write, sync and umount succeed in the guest", out[-2000:])
t.check(rc == 0, "poweroff -f ends emu with status 0", f"rc={rc}")
r = subprocess.run([DEBUGFS, "-R", "cat /rows.txt", img], capture_output=True)
t.check(r.stdout == want_txt, "the guest's text file is in the image, byte for byte",
        f"got {len(r.stdout)} bytes, want {len(want_txt)}; {r.stderr.decode()[-500:]}")
r = subprocess.run([DEBUGFS, "-R", "cat /zero.bin", img], capture_output=True)
t.check(r.stdout == bytes(4 * 1024 * 1024), "the guest's 4 MiB dd file is in the image",
        f"got {len(r.stdout)} bytes")
r = subprocess.run([E2FSCK, "-fn", img], capture_output=True)
t.check(r.returncode == 0, "the filesystem is clean (e2fsck -fn)",
        r.stdout.decode()[-1500:])
shutil.rmtree(work, ignore_errors=True)
t.done()
