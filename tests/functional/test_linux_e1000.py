#!/usr/bin/env python3
"""Linux's own e1000 driver against emu's 82540EM, under `-machine pc -accel tcg`
with `-netdev user` (libslirp):

- the driver probes the device (EEPROM checksum over Microwire bit-banging, PHY
  identification over MDIC) and reports the link at 1000 Mb/s full duplex;
- busybox udhcpc gets 10.0.2.15 from slirp's DHCP server;
- a file this test serves over HTTP on the host's 127.0.0.1 (10.0.2.2 from the
  guest) arrives with the host's sha256 (RX through the descriptor ring), and
  posted back it reaches the host with the same sha256 (TX: Linux sends TSO
  bursts with checksum offload);
- /sys/class/net/eth0 shows the MAC given with -device, carrier 1, speed 1000,
  duplex full, and the e1000 driver.

SKIP without the guest cache or when `-netdev user` is not available.
Env: EMU_GUEST_CACHE (default .cache/guest), EMU_LINUX_TCG_TIMEOUT (s per boot).
"""
import hashlib
import os
import shutil
import tempfile

from emutest import HttpServer, Tap, run_guest, slirp_unusable
from linuxguest import TIMEOUT, linux_args, require_guest

t = Tap()
MAC = "52:54:00:e1:00:07"
require_guest(t, modules=["e1000"])
why = slirp_unusable("e1000")
if why:
    t.skip_all(why)

work = tempfile.mkdtemp(prefix="emu-e1000-")
# 1 MiB: the 256-entry receive ring wraps many times. Printable bytes only:
# busybox wget --post-file sends the file as a C string.
blob = bytes(0x21 + (i * 167 + (i >> 10) * 11) % 94 for i in range(1024 * 1024))
with open(os.path.join(work, "blob"), "wb") as f:
    f.write(blob)


with HttpServer(work) as web:
    cmd = ("ip link set eth0 up && "
           "udhcpc -i eth0 -n -q -t 10 -s /usr/share/udhcpc/default.script && "
           "ip -4 addr show eth0 && "
           f"wget -q -O /tmp/a {web.guest_url('blob')} && sha256sum /tmp/a; "
           f"wget -q -O - --post-file /tmp/a {web.guest_url('upload')}; "
           "for f in address carrier speed duplex; do "
           "echo SYS-$f=$(cat /sys/class/net/eth0/$f); done; "
           "echo SYS-driver=$(basename $(readlink /sys/class/net/eth0/device/driver)); "
           "echo E1000-DONE; dmesg | grep -i -e e1000 -e 'PCI.*IRQ'; grep eth0 /proc/interrupts")
    # No pci=noacpi: the e1000 needs INTx, routed through the DSDT's _PRT.
    args = linux_args(cmd, ["e1000"], extra=["-netdev", "user,id=n0",
                                             "-device", f"e1000,netdev=n0,mac={MAC}"])
    out, rc, secs = run_guest(args, TIMEOUT)
shutil.rmtree(work, ignore_errors=True)

lines = [line.strip() for line in out.splitlines()]
start = out.find("EMU-GUEST-READY")
guest = out[start:] if start >= 0 else out[-3000:]
t.check(any("Intel(R) PRO/1000 Network Connection" in line for line in lines),
        "the e1000 driver probes the device (EEPROM checksum, PHY id)", out[-3000:])
t.check(any("Link is Up 1000 Mbps Full Duplex" in line for line in lines),
        "the driver reports the link up at 1000 Mb/s full duplex", out[-3000:])
t.check(any("inet 10.0.2.15/" in line for line in lines),
        f"udhcpc gets 10.0.2.15 from slirp through e1000 ({secs:.1f} s)", out[-3000:])
digest = hashlib.sha256(blob).hexdigest()
t.check(any(line.startswith(digest) for line in lines),
        "a 1 MiB file served on the host's 127.0.0.1 arrives intact (sha256)", out[-2000:])
t.check(any(line == "UPLOAD-SHA256=" + digest for line in lines),
        "the same 1 MiB posted back by the guest reaches the host intact (TX, TSO)",
        guest[:3000])
t.check(any(line.endswith("eth0") and "IO-APIC" in line for line in lines),
        "eth0's INTx arrives through the I/O APIC (/proc/interrupts)", out[-1500:])
sysfs = dict(line[4:].split("=", 1) for line in lines
             if line.startswith("SYS-") and "=" in line)
t.check(sysfs.get("address") == MAC and sysfs.get("carrier") == "1" and
        sysfs.get("speed") == "1000" and sysfs.get("duplex") == "full" and
        sysfs.get("driver") == "e1000",
        "/sys/class/net/eth0: MAC, carrier, speed, duplex and driver", repr(sysfs))
t.check(rc == 0 and "E1000-DONE" in lines, "the guest finishes and emu exits with 0",
        f"rc={rc}")
t.done()
