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
import functools
import gzip
import hashlib
import http.server
import os
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
MAC = "52:54:00:e1:00:07"

if not all(os.path.exists(p) for p in (KERNEL, INITRD)):
    t.skip_all(f"no test guest in {CACHE} (scripts/fetch-guest.sh fetches it)")
with open(INITRD, "rb") as f:
    initrd = f.read()
if initrd[:2] == b"\x1f\x8b":
    initrd = gzip.decompress(initrd)
if b"e1000.ko" not in initrd:
    t.skip_all("the guest initramfs has no e1000 module (rerun scripts/fetch-guest.sh)")
probe = subprocess.run([EMU, "-machine", "pc", "-accel", "qtest", "-display", "none",
                        "-netdev", "user,id=n0", "-device", "e1000,netdev=n0",
                        "-qtest", "stdio"], input=b"", capture_output=True, timeout=60)
if probe.returncode != 0:
    t.skip_all("-netdev user is not available: " + probe.stderr.decode(errors="replace")[-300:])


def encode(cmd):
    """emu.cmd= takes %XX escapes (scripts/guest-init.sh)."""
    return "".join(ch if ch.isalnum() or ch in "-_./:=,+|&>;<()'" else "%%%02X" % ord(ch)
                   for ch in cmd)


work = tempfile.mkdtemp(prefix="emu-e1000-")
# 1 MiB: the 256-entry receive ring wraps many times. Printable bytes only:
# busybox wget --post-file sends the file as a C string.
blob = bytes(0x21 + (i * 167 + (i >> 10) * 11) % 94 for i in range(1024 * 1024))
with open(os.path.join(work, "blob"), "wb") as f:
    f.write(blob)


class Handler(http.server.SimpleHTTPRequestHandler):
    """GET serves the blob; POST answers with the sha256 of the body it got."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        if "chunked" in self.headers.get("Transfer-Encoding", ""):
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                chunk = self.rfile.read(size + 2)
                if not size:
                    break
                body += chunk[:size]
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        reply = ("UPLOAD-SHA256=" + hashlib.sha256(body).hexdigest() + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


handler = functools.partial(Handler, directory=work)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
port = server.server_address[1]
threading.Thread(target=server.serve_forever, daemon=True).start()

url = f"http://10.0.2.2:{port}/blob"
upload = f"http://10.0.2.2:{port}/upload"
cmd = ("ip link set eth0 up && "
       "udhcpc -i eth0 -n -q -t 10 -s /usr/share/udhcpc/default.script && "
       "ip -4 addr show eth0 && "
       f"wget -q -O /tmp/a {url} && sha256sum /tmp/a; "
       f"wget -q -O - --post-file /tmp/a {upload}; "
       "for f in address carrier speed duplex; do "
       "echo SYS-$f=$(cat /sys/class/net/eth0/$f); done; "
       "echo SYS-driver=$(basename $(readlink /sys/class/net/eth0/device/driver)); "
       "echo E1000-DONE; dmesg | grep -i -e e1000 -e 'PCI.*IRQ'; grep eth0 /proc/interrupts")
args = [EMU, "-machine", "pc", "-accel", "tcg", "-m", "512", "-kernel", KERNEL,
        "-initrd", INITRD, "-nographic", "-no-reboot",
        "-netdev", "user,id=n0", "-device", f"e1000,netdev=n0,mac={MAC}",
        # No pci=noacpi: the e1000 needs INTx, routed through the DSDT's _PRT.
        "-append", "console=ttyS0 quiet panic=-1 "
        "emu.modprobe=e1000 emu.cmd=" + encode(cmd)]
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
