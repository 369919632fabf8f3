#!/usr/bin/env python3
"""Linux's own drivers against emu's smaller virtio devices, in one boot under
`-machine pc -accel tcg` (root-less):

- virtio-blk-pci with packed=on: the guest's driver negotiates
  VIRTIO_F_RING_PACKED (bit 34 of /sys/bus/virtio/devices/*/features), reads
  a region of the raw disk whose md5 the host computed from the image, and
  writes `seq 1 20000` at 1 MiB; the host finds those bytes in the image file;
- virtio-rng-pci: /sys/class/misc/hw_random/rng_current names virtio_rng and
  `dd if=/dev/hwrng bs=64 count=4` returns 256 bytes, two reads differ;
- virtio-serial-pci: a virtconsole on a Unix socket (the guest's hvc0) and a
  named virtserialport on a file: the guest sees the port's name, its line
  lands in the file, its hvc0 line arrives on the socket, and a line the host
  sends on the socket is read from /dev/hvc0 in the guest;
- virtio-balloon-pci: after `balloon 128` on the 256 MiB guest (QMP
  human-monitor-command), `info balloon` reports actual=128 and the guest's own
  MemTotal dropped by 128 MiB. (`balloon 64` inflates too, but Debian's kernel
  keeps about 50 MiB for itself, so 64 MiB in all leaves the guest to the OOM
  killer: the test would measure the kernel, not the device.)

The guest's script is in the first 4 KiB of the disk (the kernel command line
is too short for it), so the first read through the packed ring loads it.

Env: EMU_GUEST_CACHE (default .cache/guest), EMU_LINUX_TCG_TIMEOUT (s per boot).
"""
import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import time

from emutest import Console, Qmp, Tap, connect_unix
from linuxguest import TIMEOUT, linux_args, require_guest

t = Tap()
MODULES = ["virtio_pci", "virtio_blk", "virtio_rng", "virtio_balloon", "virtio_console"]
require_guest(t, modules=MODULES)

SCRIPT = r"""
for d in /sys/bus/virtio/devices/*; do echo VDEV $(cat $d/device) $(cat $d/features); done
echo BLKSIZE $(cat /sys/block/vda/size)
dd if=/dev/vda bs=4096 skip=16 count=64 2>/dev/null | md5sum | sed 's/^/BLKREAD /'
seq 1 20000 > /tmp/seq
dd if=/tmp/seq of=/dev/vda bs=4096 seek=256 conv=fsync 2>/dev/null; echo BLKWRITE $?
echo RNG $(cat /sys/class/misc/hw_random/rng_current)
echo RNGBYTES $(dd if=/dev/hwrng bs=64 count=4 2>/dev/null | wc -c)
echo RNGMD5 $(head -c 64 /dev/hwrng | md5sum) $(head -c 64 /dev/hwrng | md5sum)
i=0; while [ ! -e /dev/vport*p1 ] && [ $i -lt 60 ]; do sleep 1; i=$((i+1)); done
for p in /sys/class/virtio-ports/*p1; do
  echo PORT ${p##*/} $(cat $p/name)
  [ "$(cat $p/name)" = org.emu.port ] && echo GUEST-TO-FILE > /dev/${p##*/}
done
i=0; while [ ! -e /dev/hvc0 ] && [ $i -lt 60 ]; do sleep 1; i=$((i+1)); done
stty -F /dev/hvc0 raw -echo
(head -n 1 /dev/hvc0 > /tmp/in) &
sleep 1
echo GUEST-TO-HVC > /dev/hvc0
i=0; while [ ! -s /tmp/in ] && [ $i -lt 120 ]; do sleep 1; i=$((i+1)); done
echo HVCIN $(cat /tmp/in)
m0=$(awk '/MemTotal/{print $2}' /proc/meminfo)
echo MEM0 $m0
(head -n 1 /dev/hvc0 > /tmp/in2) &
echo BALLOON-WAIT
i=0; while [ $i -lt 300 ]; do
  m=$(awk '/MemTotal/{print $2}' /proc/meminfo); [ $m -le $((m0 - 131072)) ] && break
  sleep 1; i=$((i+1))
done
echo MEM1 $(awk '/MemTotal/{print $2}' /proc/meminfo)
i=0; while [ ! -s /tmp/in2 ] && [ $i -lt 120 ]; do sleep 1; i=$((i+1)); done
echo MISC-DONE
"""

work = tempfile.mkdtemp(prefix="emu-vmisc-")
img = os.path.join(work, "disk.img")
sock_path = os.path.join(work, "con.sock")
qmp_path = os.path.join(work, "qmp.sock")
port_file = os.path.join(work, "port.out")

# Disk: the script (NUL-padded to 4 KiB), then a byte pattern; 4 MiB.
script = SCRIPT.encode()
assert len(script) < 4096
disk = bytearray(4 << 20)
disk[:len(script)] = script
for i in range(4096, len(disk), 4096):
    disk[i:i + 4096] = bytes(((i >> 12) * 7 + j * 13) & 0xff for j in range(4096))
with open(img, "wb") as f:
    f.write(disk)
read_md5 = hashlib.md5(disk[16 * 4096:80 * 4096]).hexdigest()
seq_bytes = "".join(f"{n}\n" for n in range(1, 20001)).encode()

cmd = "sh -c \"$(dd if=/dev/vda bs=4096 count=1 2>/dev/null | tr -d '\\000')\""
# No pci=noacpi: the DSDT's \_SB.PCI0 and _PRT route the functions' INTx.
args = linux_args(cmd, MODULES, mem=256, extra=[
    "-nic", "none",
    "-drive", f"id=d0,if=none,format=raw,file={img}",
    "-device", "virtio-blk-pci,drive=d0,packed=on",
    "-device", "virtio-rng-pci",
    "-device", "virtio-balloon-pci",
    "-device", "virtio-serial-pci",
    "-chardev", f"socket,id=con,path={sock_path},server=on,wait=off",
    "-chardev", f"file,id=pf,path={port_file}",
    "-device", "virtconsole,chardev=con",
    "-device", "virtserialport,chardev=pf,name=org.emu.port",
    "-qmp", f"unix:{qmp_path},server=on,wait=off"])

t0 = time.time()
p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT)
console = Console(p)
deadline = t0 + TIMEOUT
con = connect_unix(sock_path, deadline - time.time())
qmp = Qmp(qmp_path, timeout=300, connect_timeout=deadline - time.time())
con_data = b""
if con:
    con.settimeout(1)
    while time.time() < deadline and b"GUEST-TO-HVC" not in con_data and p.poll() is None:
        try:
            chunk = con.recv(4096)
            if not chunk:
                break
            con_data += chunk
        except socket.timeout:
            pass
    con.sendall(b"HOST-TO-GUEST\n")

balloon_info = ""
try:
    if console.wait_for(r"^BALLOON-WAIT", deadline - time.time()):
        qmp.hmp("balloon 128")
        while time.time() < deadline and p.poll() is None:
            balloon_info = qmp.hmp("info balloon")
            if "actual=128" in balloon_info:
                break
            time.sleep(2)
    if con:
        con.sendall(b"HOST-CHECKED\n")       # the guest may power off now
except (OSError, ValueError) as e:
    balloon_info = f"monitor: {e!r}"

try:
    p.wait(timeout=max(1, deadline - time.time()))
    rc = p.returncode
except subprocess.TimeoutExpired:
    p.kill()
    p.wait()
    rc = None
secs = time.time() - t0
console.wait_exit(10)
out_lines = console.all_lines()
out = "\n".join(out_lines)
tail = out[-3000:]


def field(prefix):
    for line in out_lines:
        if line.startswith(prefix + " "):
            return line[len(prefix) + 1:].split()
    return None


blk = [v for v in (line.split() for line in out_lines if line.startswith("VDEV "))
       if len(v) >= 3 and v[1] == "0x0002"]
t.check(blk and len(blk[0][2]) > 34 and blk[0][2][34] == "1",
        f"the guest's virtio_blk negotiated VIRTIO_F_RING_PACKED ({secs:.1f} s)", tail)
t.check(field("BLKSIZE") == [str(len(disk) // 512)], "/dev/vda has the image's size", tail)
t.check((field("BLKREAD") or [""])[0] == read_md5,
        "a 256 KiB read through the packed ring matches the image (md5)", tail)
with open(img, "rb") as f:
    f.seek(256 * 4096)
    written = f.read(len(seq_bytes))
t.check(field("BLKWRITE") == ["0"] and written == seq_bytes,
        "the guest's write through the packed ring is in the image, byte for byte",
        f"BLKWRITE {field('BLKWRITE')}, {written[:40]!r}")
t.check((field("RNG") or [""])[0].startswith("virtio_rng"),
        "hw_random's current source is virtio_rng", tail)
t.check(field("RNGBYTES") == ["256"], "dd if=/dev/hwrng bs=64 count=4 returns 256 bytes",
        tail)
md5s = field("RNGMD5") or []
t.check(len(md5s) == 4 and md5s[0] != md5s[2], "two reads of /dev/hwrng differ", tail)
ports = [line.split() for line in out_lines if line.startswith("PORT ")]
t.check(any(len(v) == 3 and v[2] == "org.emu.port" for v in ports),
        "the guest sees the virtserialport's name", tail)
try:
    with open(port_file, "rb") as f:
        port_out = f.read()
except OSError:
    port_out = b""
t.check(port_out == b"GUEST-TO-FILE\n", "the guest's port line is in the file chardev",
        repr(port_out))
t.check(b"GUEST-TO-HVC" in con_data, "the guest's hvc0 line arrives on the socket",
        repr(con_data[-500:]))
t.check(field("HVCIN") == ["HOST-TO-GUEST"], "the host's line is read from /dev/hvc0",
        tail)
t.check("balloon: actual=128" in balloon_info, "info balloon reports actual=128 after "
        "`balloon 128`", balloon_info)
mem0, mem1 = field("MEM0"), field("MEM1")
shrink = int(mem0[0]) - int(mem1[0]) if mem0 and mem1 else 0
t.check(shrink == 128 * 1024,
        f"the guest's MemTotal dropped by {shrink} kB (128 MiB ballooned)", tail)
t.check("runtime error:" not in out and "AddressSanitizer" not in out,
        "emu reported no sanitizer error (when built with them)", tail)
t.check("MISC-DONE" in out_lines and rc == 0, "the guest finished and powered off",
        f"rc={rc}\n{tail}")
qmp.close()
if con:
    con.close()
shutil.rmtree(work, ignore_errors=True)
t.done()
