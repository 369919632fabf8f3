#!/usr/bin/env python3
"""Linux's own virtio_pci + virtio_net drivers against emu's virtio-net-pci, under
`-machine pc -accel tcg` with `-netdev user` (libslirp):

- the guest loads the modules, brings eth0 up and gets 10.0.2.15 from slirp's
  DHCP server with busybox udhcpc;
- it downloads a file that this test serves over HTTP on the host's 127.0.0.1
  (10.0.2.2 from the guest) and prints its sha256, which must equal the host's;
- `ip link set eth0 promisc on` goes through the control queue
  (VIRTIO_NET_CTRL_RX_PROMISC, virtio 1.2 §5.1.6.5.1): the driver logs "Failed
  to enable promisc mode" if the device refuses; the interface must show
  PROMISC and a second download must still match.

SKIP without the guest cache or when `-netdev user` is not available.
Env: EMU_GUEST_CACHE (default .cache/guest), EMU_LINUX_TCG_TIMEOUT (s per boot).
"""
import functools
import gzip
import hashlib
import http.server
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

from emutest import EMU, Tap

t = Tap()
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.environ.get("EMU_GUEST_CACHE", os.path.join(ROOT, ".cache", "guest"))
KERNEL = os.path.join(CACHE, "vmlinuz")
INITRD = os.path.join(CACHE, "initrd.img")
TIMEOUT = float(os.environ.get("EMU_LINUX_TCG_TIMEOUT", "600"))

if not all(os.path.exists(p) for p in (KERNEL, INITRD)):
    t.skip_all(f"no test guest in {CACHE} (scripts/fetch-guest.sh fetches it)")
with open(INITRD, "rb") as f:
    initrd = f.read()
if initrd[:2] == b"\x1f\x8b":
    initrd = gzip.decompress(initrd)
if b"virtio_net.ko" not in initrd:
    t.skip_all("the guest initramfs has no virtio_net module (rerun scripts/fetch-guest.sh)")
probe = subprocess.run([EMU, "-machine", "pc", "-accel", "qtest", "-display", "none",
                        "-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0",
                        "-qtest", "stdio"], input=b"", capture_output=True, timeout=60)
if probe.returncode != 0:
    t.skip_all("-netdev user is not available: " + probe.stderr.decode(errors="replace")[-300:])


def encode(cmd):
    """emu.cmd= takes %XX escapes (scripts/guest-init.sh)."""
    return "".join(ch if ch.isalnum() or ch in "-_./:=,+|&>;<()'" else "%%%02X" % ord(ch)
                   for ch in cmd)


work = tempfile.mkdtemp(prefix="emu-vnet-")
blob = bytes((i * 131 + (i >> 9) * 7) & 0xff for i in range(768 * 1024))
with open(os.path.join(work, "blob"), "wb") as f:
    f.write(blob)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


handler = functools.partial(Quiet, directory=work)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
port = server.server_address[1]
threading.Thread(target=server.serve_forever, daemon=True).start()

url = f"http://10.0.2.2:{port}/blob"
cmd = ("ip link set eth0 up && "
       "udhcpc -i eth0 -n -q -t 10 -s /usr/share/udhcpc/default.script && "
       "ip -4 addr show eth0 && "
       f"wget -q -O /tmp/a {url} && sha256sum /tmp/a && "
       "ip link set eth0 promisc on && cat /sys/class/net/eth0/flags && "
       f"wget -q -O /tmp/b {url} && sha256sum /tmp/b && echo VNET-DONE; "
       "dmesg | grep -i -e virtio_net -e promisc")
log = os.path.join(work, "emu.log")
args = [EMU, "-machine", "pc", "-accel", "tcg", "-m", "512", "-kernel", KERNEL,
        "-d", "trace,guest_errors", "-D", log,
        "-initrd", INITRD, "-nographic", "-no-reboot",
        "-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0",
        # pci=noacpi as in test_linux_virtio.py: the legacy scan finds the device.
        "-append", "console=ttyS0 quiet panic=-1 pci=noacpi "
        "emu.modprobe=virtio_pci,virtio_net emu.cmd=" + encode(cmd)]
t0 = time.time()
p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT)
try:
    out, _ = p.communicate(timeout=TIMEOUT)
    rc = p.returncode
except subprocess.TimeoutExpired:
    p.kill()
    out, _ = p.communicate()
    rc = None
out = out.decode(errors="replace")
secs = time.time() - t0
server.shutdown()

lines = [line.strip() for line in out.replace("\r", "").splitlines()]
t.check(any("inet 10.0.2.15/" in line for line in lines),
        f"udhcpc gets 10.0.2.15 from slirp through virtio-net ({secs:.1f} s)", out[-3000:])
digest = hashlib.sha256(blob).hexdigest()
sums = [line for line in lines if line.startswith(digest)]
t.check(len(sums) >= 1, "a 768 KiB file served on the host's 127.0.0.1 arrives intact "
        "(sha256)", out[-2000:])
# The device's own trace (-d trace) says what the control queue carried.
with open(log, errors="replace") as f:
    emu_log = f.read()
flags = [int(line, 16) for line in lines if re.fullmatch(r"0x[0-9a-f]+", line)]
t.check(any(f & 0x100 for f in flags) and
        "virtio-net: control class 0 command 0 (1 bytes): ok; promisc=1" in emu_log and
        not any("virtio-net" in line and "refused" in line for line in emu_log.splitlines()) and
        not any("Failed to enable promisc" in line for line in lines),
        "ip link set eth0 promisc on goes through the control queue (RX_PROMISC on)",
        out[-1500:] + emu_log[-1500:])
t.check(len(sums) == 2 and "VNET-DONE" in lines,
        "the second download in promiscuous mode matches too", out[-2000:])
t.check("virtio-net:" not in emu_log.replace("virtio-net: control", ""),
        "the driver never broke the device", emu_log[-1500:])
t.check(rc == 0, "poweroff -f ends emu with status 0", f"rc={rc}")
shutil.rmtree(work, ignore_errors=True)
t.done()
