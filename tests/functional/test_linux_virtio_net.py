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
import hashlib
import os
import re
import shutil
import tempfile

from emutest import HttpServer, Tap, run_guest, slirp_unusable
from linuxguest import TIMEOUT, linux_args, require_guest

t = Tap()
require_guest(t, modules=["virtio_net"])
why = slirp_unusable("virtio-net-pci")
if why:
    t.skip_all(why)

work = tempfile.mkdtemp(prefix="emu-vnet-")
blob = bytes((i * 131 + (i >> 9) * 7) & 0xff for i in range(768 * 1024))
with open(os.path.join(work, "blob"), "wb") as f:
    f.write(blob)


with HttpServer(work) as web:
    url = web.guest_url("blob")
    cmd = ("ip link set eth0 up && "
           "udhcpc -i eth0 -n -q -t 10 -s /usr/share/udhcpc/default.script && "
           "ip -4 addr show eth0 && "
           f"wget -q -O /tmp/a {url} && sha256sum /tmp/a && "
           "ip link set eth0 promisc on && cat /sys/class/net/eth0/flags && "
           f"wget -q -O /tmp/b {url} && sha256sum /tmp/b && echo VNET-DONE; "
           "dmesg | grep -i -e virtio_net -e promisc")
    log = os.path.join(work, "emu.log")
    # No pci=noacpi: Linux finds the device through the DSDT's \_SB.PCI0 and
    # routes its INTx by the _PRT (test_linux_acpi.py).
    args = linux_args(cmd, ["virtio_pci", "virtio_net"],
                      extra=["-d", "trace,guest_errors", "-D", log,
                             "-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0"])
    out, rc, secs = run_guest(args, TIMEOUT)

lines = [line.strip() for line in out.splitlines()]
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
