#!/usr/bin/env python3
"""Two emu guests on TAP devices joined by a Linux bridge, in a fresh network
namespace (unshare --net; nothing on the host's own network changes):

    guest A (e1000, 192.168.77.1) -- tap -- br0 -- tap -- guest B (virtio-net-pci
    if emu has it, else e1000; 192.168.77.2)

Each guest pings the other (busybox ping; the kernel's ICMP echo on the far
side is the oracle), and the host pings both from br0 (192.168.77.254).
Guest B's tap is multiqueue (queues=2, virtio-net mq=on, -smp 2): its driver
enables both queue pairs, and the tap then has both queues attached (the
kernel's own count, `ip -d link`), where emu attached only queue 0 at start.
SKIPs with the reason when not root, without /dev/net/tun, or without ip/unshare.

Env: EMU_GUEST_CACHE (default .cache/guest), EMU_LINUX_TCG_TIMEOUT (s per boot).
"""
import fcntl
import os
import shutil
import socket
import struct
import subprocess
import sys
import time

from emutest import EMU, Console, Tap, device_models
from linuxguest import TIMEOUT, linux_args, require_guest

IP = shutil.which("ip") or "/usr/sbin/ip"
UNSHARE = shutil.which("unshare") or "/usr/bin/unshare"

if not os.environ.get("EMU_NET_TAP_INNER"):
    t = Tap()
    require_guest(t)
    if os.geteuid() != 0:
        t.skip_all("needs root (CAP_NET_ADMIN) to create tap devices and a bridge")
    if not os.path.exists("/dev/net/tun"):
        t.skip_all("no /dev/net/tun on this host")
    if not (os.path.exists(IP) and os.path.exists(UNSHARE)):
        t.skip_all("needs ip (iproute2) and unshare (util-linux)")
    probe = subprocess.run([UNSHARE, "--net", "--", IP, "link", "add", "br0", "type",
                            "bridge"], capture_output=True, text=True)
    if probe.returncode:
        t.skip_all(f"cannot create a bridge in a new network namespace: "
                   f"{probe.stderr.strip()}")
    env = dict(os.environ, EMU_NET_TAP_INNER="1")
    sys.exit(subprocess.run([UNSHARE, "--net", "--", sys.executable,
                             os.path.abspath(__file__)], env=env).returncode)

# ---- inside the new network namespace ----
t = Tap()


def sh(*args):
    subprocess.run([IP] + list(args), check=True, capture_output=True)


def icmp_echo(addr, seq, timeout=3.0):
    """One ICMP echo over a raw socket (we are root); True if the reply came back."""
    ident = os.getpid() & 0xffff
    payload = b"emu-tap-test" * 4
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    data = hdr + payload
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    data = hdr[:2] + struct.pack("!H", ~total & 0xffff) + hdr[4:] + payload
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.settimeout(timeout)
    try:
        s.sendto(data, (addr, 0))
        deadline = time.time() + timeout
        while time.time() < deadline:
            pkt, src = s.recvfrom(2048)
            ihl = (pkt[0] & 15) * 4
            typ, _, _, rid, rseq = struct.unpack("!BBHHH", pkt[ihl:ihl + 8])
            if src[0] == addr and typ == 0 and rid == ident and rseq == seq:
                return pkt[ihl + 8:] == payload
    except OSError:
        return False
    finally:
        s.close()
    return False


models_out = device_models()
if "e1000" not in models_out:
    t.skip_all("emu has no e1000 yet")
model_b = "virtio-net-pci" if "virtio-net-pci" in models_out else "e1000"
MODS = {"e1000": ["e1000"], "virtio-net-pci": ["virtio_pci", "virtio_net"]}

sh("link", "set", "lo", "up")
sh("link", "add", "br0", "type", "bridge")
sh("addr", "add", "192.168.77.254/24", "dev", "br0")
sh("link", "set", "br0", "up")
MQ = model_b == "virtio-net-pci"
for tap in ("tap0", "tap1"):
    sh("tuntap", "add", "dev", tap, "mode", "tap",
       *(["multi_queue"] if MQ and tap == "tap1" else []))
    sh("link", "set", tap, "master", "br0")
    sh("link", "set", tap, "up")


def leave_vnet_hdr_size(tap, size):
    """Attach to persistent @tap with IFF_VNET_HDR, set its header size as a
    previous user (a virtio-net guest with mergeable buffers: 12) would, and
    detach: the size stays with the device (linux/if_tun.h ioctls)."""
    tunsetiff, tunsetvnethdrsz = 0x400454ca, 0x400454d8
    iff_tap, iff_no_pi, iff_vnet_hdr = 0x0002, 0x1000, 0x4000
    fd = os.open("/dev/net/tun", os.O_RDWR)
    try:
        fcntl.ioctl(fd, tunsetiff, struct.pack("16sH", tap.encode(),
                                                iff_tap | iff_no_pi | iff_vnet_hdr))
        fcntl.ioctl(fd, tunsetvnethdrsz, struct.pack("i", size))
    finally:
        os.close(fd)


# tap0 (the e1000's) comes with a 12-byte header size left over: emu must set
# the size it uses instead of assuming the kernel's default of 10.
leave_vnet_hdr_size("tap0", 12)

if MQ:
    # Before a driver enables pair 1, only queue 0 of the tap is attached: the
    # kernel steers no flow into a queue nobody reads.
    sh("tuntap", "add", "dev", "tap2", "mode", "tap", "multi_queue")
    p = subprocess.Popen([EMU, "-machine", "pc", "-accel", "tcg", "-S", "-display", "none",
                          "-netdev", "tap,id=m0,ifname=tap2,script=no,downscript=no,queues=2",
                          "-device", "virtio-net-pci,netdev=m0,mq=on,vectors=6",
                          "-monitor", "stdio"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    info = ""
    for _ in range(50):
        info = subprocess.run([IP, "-d", "link", "show", "tap2"], capture_output=True,
                              text=True).stdout
        if "numqueues 1 numdisabled 1" in info:
            break
        time.sleep(0.1)
    t.check("numqueues 1 numdisabled 1" in info,
            "tap queues=2: emu attaches queue 0 and keeps queue 1 detached", info)
    p.kill()
    p.wait()

guests = []
for n, (tap, model, me, peer) in enumerate((("tap0", "e1000", "1", "2"),
                                            ("tap1", model_b, "2", "1"))):
    cmd = ("ip link set eth0 up && ip addr add 192.168.77.%s/24 dev eth0 && "
           "n=0; while [ $n -lt 90 ]; do n=$((n+1)); "
           "ping -c 1 -W 1 192.168.77.%s >/dev/null 2>&1 && break; done; "
           # busybox: "3 packets transmitted, 3 packets received, 0% packet loss"
           "rx=$(ping -c 3 -W 2 192.168.77.%s | "
           "sed -n 's/.* \\([0-9]*\\) packets received.*/\\1/p'); "
           "echo QUEUES=$(ls /sys/class/net/eth0/queues | tr '\\n' ' '); "
           "echo PEER-RX=${rx:-0}; sleep 900" % (me, peer, peer))
    mq = MQ and tap == "tap1"
    args = linux_args(cmd, MODS[model], mem=256, extra=[
        "-netdev", f"tap,id=n{n},ifname={tap},script=no,downscript=no" +
        (",queues=2" if mq else ""),
        "-device", f"{model},netdev=n{n},mac=52:54:00:77:00:0{me}" +
        (",mq=on,vectors=6" if mq else "")] + (["-smp", "2"] if mq else []))
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    guests.append((model, me, p, Console(p)))

try:
    for model, me, p, con in guests:
        m = con.wait_for(r"PEER-RX=(\d+)", TIMEOUT)
        t.check(m is not None and int(m.group(1)) >= 2,
                f"guest 192.168.77.{me} ({model}) pings its peer over tap+bridge",
                con.text()[-3000:] if m is None else f"{m.group(1)} of 3 replies")
    if MQ:
        con = guests[1][3]
        m = con.wait_for(r"QUEUES=([^\n]*)", 5)
        queues = m.group(1).split() if m else []
        t.check({"rx-0", "rx-1", "tx-0", "tx-1"} <= set(queues),
                "virtio-net mq=on over tap queues=2: the guest runs two queue pairs", queues)
        info = subprocess.run([IP, "-d", "link", "show", "tap1"], capture_output=True,
                              text=True).stdout
        t.check("numqueues 2 numdisabled 0" in info,
                "the guest enabled pair 1: emu attached the tap's second queue", info)
    for model, me, p, con in guests:
        replies = sum(icmp_echo(f"192.168.77.{me}", seq) for seq in range(3))
        t.check(replies >= 2, f"the host pings guest 192.168.77.{me} ({model}) from br0",
                f"{replies} of 3 echo replies")
finally:
    for _, _, p, _ in guests:
        p.kill()
        p.wait()
t.done()
