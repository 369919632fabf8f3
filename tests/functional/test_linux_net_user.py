#!/usr/bin/env python3
"""User-mode networking (libslirp) end to end: the standard Linux guest under
`-machine pc -accel tcg` with `-nic user,model=M,hostfwd=tcp::HP-:80` for each NIC
model emu has (e1000, virtio-net-pci; a model missing from `emu -device help`
is skipped):

- Linux's driver binds, busybox udhcpc gets its lease from slirp's DHCP server:
  the guest reports 10.0.2.15 (QEMU's first lease, the oracle);
- the guest downloads a random 256 KiB file from an HTTP server this test runs
  on the host's 127.0.0.1 (reached as 10.0.2.2) and prints its sha256, which
  must equal the host's hashlib digest;
- the guest starts busybox httpd on port 80 serving a random token; the host
  fetches http://127.0.0.1:HP/ through the hostfwd rule and must get the token.

Env: EMU_GUEST_CACHE (default .cache/guest), EMU_LINUX_TCG_TIMEOUT (s per boot).
"""
import hashlib
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.request

from emutest import Console, HttpServer, Tap, device_models, free_port
from linuxguest import TIMEOUT, linux_args, require_guest

t = Tap()
require_guest(t)

MODULES = {"e1000": ["e1000"], "virtio-net-pci": ["virtio_pci", "virtio_net"]}

# The host side: an HTTP server on loopback with a random file.
webroot = tempfile.mkdtemp(prefix="emu-net-user-")
blob = secrets.token_bytes(256 * 1024)
with open(os.path.join(webroot, "blob.bin"), "wb") as f:
    f.write(blob)
want_sha = hashlib.sha256(blob).hexdigest()
web = HttpServer(webroot).start()

models = device_models()
ran = 0
for model in ("e1000", "virtio-net-pci"):
    if model not in models:
        print(f"# SKIP {model}: not in `emu -device help` yet")
        continue
    ran += 1
    token = secrets.token_hex(16)
    hp = free_port()
    cmd = ("ip link set lo up; ip link set eth0 up; "
           # Debian's busybox looks in /etc/udhcpc: name the guest's script.
           "udhcpc -i eth0 -n -q -t 20 -T 1 -s /usr/share/udhcpc/default.script "
           ">/dev/null 2>&1; "
           "ip=$(ip -4 addr show dev eth0 | sed -n 's/.*inet \\([0-9.]*\\).*/\\1/p'); "
           "echo GUEST-IP=${ip:-none}; "
           f"wget -q -O /tmp/blob {web.guest_url('blob.bin')} && "
           "sha256sum /tmp/blob | sed 's/^/GUEST-SHA=/'; "
           f"mkdir -p /www && echo {token} > /www/index.html && "
           "httpd -p 80 -h /www && echo GUEST-HTTPD-UP; sleep 600")
    args = linux_args(cmd, MODULES[model], mem=256, extra=[
        "-nic", f"user,model={model},hostfwd=tcp:127.0.0.1:{hp}-:80"])
    t0 = time.time()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    con = Console(p)
    try:
        m = con.wait_for(r"GUEST-IP=(\S+)", TIMEOUT)
        t.check(m is not None and m.group(1) == "10.0.2.15",
                f"{model}: udhcpc got 10.0.2.15 from slirp's DHCP",
                con.text()[-3000:] if m is None else f"got {m.group(1)}")
        m = con.wait_for(r"GUEST-SHA=([0-9a-f]{64})|GUEST-HTTPD-UP", 300)
        t.check(m is not None and m.group(1) == want_sha,
                f"{model}: wget from the host's 127.0.0.1 via 10.0.2.2, sha256 matches",
                con.text()[-2000:] if m is None else f"guest {m.group(1)} host {want_sha}")
        body = None
        if con.wait_for(r"GUEST-HTTPD-UP", 120):
            for _ in range(30):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{hp}/index.html",
                                                timeout=30) as r:
                        body = r.read().decode().strip()
                    break
                except OSError:
                    time.sleep(1)
        t.check(body == token, f"{model}: hostfwd tcp::{hp}-:80 reaches the guest's httpd",
                f"got {body!r}, want {token!r}\n" + con.text()[-2000:])
        t.check(p.poll() is None, f"{model}: emu still running after the exchanges",
                con.text()[-2000:])
    finally:
        p.kill()
        p.wait()
    print(f"# {model}: {time.time() - t0:.1f}s")

web.stop()
shutil.rmtree(webroot, ignore_errors=True)
if not ran:
    t.skip_all("neither e1000 nor virtio-net-pci is built in yet")
t.done()
