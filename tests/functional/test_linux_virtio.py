#!/usr/bin/env python3
"""Linux's own virtio_pci + virtio_blk drivers against emu's virtio-blk-pci, under
`-machine pc -accel tcg` with `-drive if=virtio` (root-less):

- the host builds an ext4 image with a file in it (mkfs.ext4 -d), the guest
  loads the modules (emu.modprobe=, scripts/guest-init.sh), sees /dev/vda with
  the image's size, mounts it, checksums the host's file, writes a file of its
  own, deletes the host's file, runs fstrim (the drive has discard=unmap, so the
  image file shrinks in allocated blocks), syncs, unmounts and powers off;
- the host reads the guest's file back out of the image with debugfs (no
  mount, no root) and compares it byte for byte with what the guest was told to
  write; the host file's checksum in the guest equals the host's.

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


work = tempfile.mkdtemp(prefix="emu-virtio-")
img = os.path.join(work, "disk.img")
src = os.path.join(work, "src")
os.mkdir(src)
host_data = bytes((i * 131 + (i >> 11)) & 0xff for i in range(2 * 1024 * 1024))
with open(os.path.join(src, "host.bin"), "wb") as f:
    f.write(host_data)
subprocess.run([MKFS, "-q", "-F", "-b", "4096", "-d", src, img, "32M"], check=True,
               capture_output=True)

# The guest writes "line N" for N = 1..30000 (about 300 KiB) to guest.txt, then
# deletes the host's 2 MiB file and trims the free space (virtio-blk DISCARD with
# discard=unmap punches holes in the image).
want = "".join(f"line {n}\n" for n in range(1, 30001)).encode()
cmd = ("cat /sys/block/vda/size; mkdir -p /mnt; mount -t ext4 /dev/vda /mnt && "
       "md5sum /mnt/host.bin && seq 1 30000 | sed 's/^/line /' > /mnt/guest.txt && "
       # ext4 hands a deleted file's blocks back to its allocator when the
       # journal commit's callback runs, which can trail `sync`; a group whose
       # blocks came back after the first pass is trimmed by the second.
       "rm /mnt/host.bin && sync && fstrim -v /mnt && sync && fstrim -v /mnt && "
       "sync && umount /mnt && echo VIRTIO-DONE")
blocks_before = os.stat(img).st_blocks
args = linux_args(cmd, ["virtio_pci", "virtio_blk", "crc32c_generic", "ext4"],
                  # Linux scans the bus through the DSDT's \_SB.PCI0 and routes INTx
                  # by its _PRT.
                  extra=["-drive", f"if=virtio,format=raw,file={img},discard=unmap"])
out, rc, secs = run_guest(args, TIMEOUT)
blocks_after = os.stat(img).st_blocks

lines = [line.strip() for line in out.splitlines()]
t.check(str(32 * 1024 * 1024 // 512) in lines,
        f"the guest's /dev/vda has the image's 65536 sectors ({secs:.1f} s)", out[-3000:])
md5 = hashlib.md5(host_data).hexdigest()
t.check(any(line.startswith(md5) for line in lines),
        "the host's file reads back in the guest with the same md5", out[-2000:])
t.check("VIRTIO-DONE" in lines and "EMU-CMD-DONE rc=0" in out,
        "mount, write, sync and umount succeed in the guest", out[-2000:])
t.check(rc == 0, "poweroff -f ends emu with status 0", f"rc={rc}")
# 2 MiB freed and trimmed, 300 KiB written: the image holds at least 1 MiB less
# (without the discard it would hold 300 KiB more).
t.check(any("trimmed" in line for line in lines) and
        blocks_after <= blocks_before - 2048,
        "fstrim's discards punch the deleted file out of the image "
        f"({blocks_before} -> {blocks_after} 512-byte blocks)", out[-1500:])
r = subprocess.run([DEBUGFS, "-R", "cat /guest.txt", img], capture_output=True)
t.check(r.stdout == want, "the guest's file is in the image, byte for byte (debugfs)",
        f"got {len(r.stdout)} bytes, want {len(want)}; {r.stderr.decode()[-500:]}")
r = subprocess.run([E2FSCK, "-fn", img], capture_output=True)
t.check(r.returncode == 0, "the filesystem is clean (e2fsck -fn)",
        r.stdout.decode()[-1500:])
shutil.rmtree(work, ignore_errors=True)
t.done()
