#!/usr/bin/env python3
"""The socket netdev and hubs, driven by this test over real host sockets (no guest):

- emu #1: two TCP listeners (a, b) and a UDP socket (u) on hub 0. A frame the test
  writes to a with QEMU's framing (4-byte big-endian length, then the frame) must
  come out of b framed the same way and out of u as one datagram, byte for byte;
  a datagram sent to u must come out of a and b.
- emu #2 connects to emu #1's listener a (connect=) and has its own listener d on
  its hub: a frame written to d crosses both emus and comes out of #1's b.
- mcast=: two emus on one multicast group (loopback) exchange a frame; the
  sender's own looped-back datagram is not delivered again.
- hostile peers: a length above NET_MAX_FRAME (65600) makes emu close that
  connection, emu keeps running and a's listener accepts the next connection.
- bad -netdev/-nic options exit with status 1 and a message naming the option.
"""
import secrets
import socket
import struct
import subprocess
import time

from emutest import EMU, Tap, free_port

t = Tap()


def connect(port, timeout=20):
    deadline = time.time() + timeout
    while True:
        try:
            c = socket.create_connection(("127.0.0.1", port), timeout=10)
            return c
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError(f"connection closed after {len(buf)} of {n} bytes")
        buf += chunk
    return buf


def send_frame(s, frame):
    s.sendall(struct.pack(">I", len(frame)) + frame)


def recv_frame(s):
    (n,) = struct.unpack(">I", recv_exact(s, 4))
    return recv_exact(s, n)


def start(args):
    return subprocess.Popen([EMU, "-machine", "none", "-display", "none", "-nodefaults",
                             "-monitor", "none"] + args,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


def frame(n=120):
    # Ethernet-looking: broadcast destination, a locally administered source.
    return b"\xff" * 6 + b"\x52\x54\x00\x12\x34\x99" + b"\x08\x00" + secrets.token_bytes(n)


pa, pb, pd = free_port(), free_port(), free_port()
pu_emu, pu_test = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", pu_test))
udp.settimeout(10)

emu1 = start(["-netdev", f"socket,id=a,listen=127.0.0.1:{pa}",
              "-netdev", f"socket,id=b,listen=127.0.0.1:{pb}",
              "-netdev", f"socket,id=u,udp=127.0.0.1:{pu_test},localaddr=127.0.0.1:{pu_emu}",
              "-netdev", "hubport,id=ha,hubid=0,netdev=a",
              "-netdev", "hubport,id=hb,hubid=0,netdev=b",
              "-netdev", "hubport,id=hu,hubid=0,netdev=u"])
emu2 = None
try:
    ca, cb = connect(pa), connect(pb)
    time.sleep(0.3)
    f1 = frame()
    send_frame(ca, f1)
    got_b = recv_frame(cb)
    got_u, _ = udp.recvfrom(70000)
    t.check(got_b == f1, "TCP a -> hub -> TCP b: framed frame arrives intact")
    t.check(got_u == f1, "TCP a -> hub -> UDP u: one datagram, the frame")

    f2 = frame(1400)
    udp.sendto(f2, ("127.0.0.1", pu_emu))
    t.check(recv_frame(ca) == f2 and recv_frame(cb) == f2,
            "UDP u -> hub -> both TCP peers")

    # Many frames in one write, and one frame split across writes.
    frames = [frame(60 + 7 * i) for i in range(20)]
    ca.sendall(b"".join(struct.pack(">I", len(f)) + f for f in frames))
    got = [recv_frame(cb) for _ in frames]
    t.check(got == frames, "20 frames in one TCP write come out in order")
    f3 = frame(3000)
    wire = struct.pack(">I", len(f3)) + f3
    ca.sendall(wire[:3])
    time.sleep(0.2)
    ca.sendall(wire[3:1000])
    time.sleep(0.2)
    ca.sendall(wire[1000:])
    t.check(recv_frame(cb) == f3, "a frame split over three writes is reassembled")
    while True:         # drain u
        udp.settimeout(0.5)
        try:
            udp.recvfrom(70000)
        except OSError:
            break
    udp.settimeout(10)

    # Hostile: a length over NET_MAX_FRAME closes that connection only.
    ca.sendall(struct.pack(">I", 65601) + b"x" * 100)
    ca.settimeout(10)
    try:
        closed = ca.recv(1) == b""
    except ConnectionResetError:
        closed = True
    t.check(closed, "length 65601 > NET_MAX_FRAME: emu closes the connection")
    ca.close()
    time.sleep(0.3)
    t.check(emu1.poll() is None, "emu keeps running after the hostile length")
    f4 = frame()
    send_frame(cb, f4)
    got_u, _ = udp.recvfrom(70000)
    t.check(got_u == f4, "the other peers still work (b -> u)")

    # Second emu: connect= to emu #1's listener a, its own listener d on its hub.
    emu2 = start(["-netdev", f"socket,id=c,connect=127.0.0.1:{pa}",
                  "-netdev", f"socket,id=d,listen=127.0.0.1:{pd}",
                  "-netdev", "hubport,id=hc,hubid=0,netdev=c",
                  "-netdev", "hubport,id=hd,hubid=0,netdev=d"])
    cd = connect(pd)
    time.sleep(0.5)
    f5 = frame(900)
    send_frame(cd, f5)
    cb.settimeout(20)
    t.check(recv_frame(cb) == f5, "two emus: TCP d -> emu2 hub -> connect= -> emu1 -> b")
    f6 = frame(200)
    send_frame(cb, f6)
    t.check(recv_frame(cd) == f6, "and back: b -> emu1 -> emu2 -> d")
    cd.close()
    cb.close()
finally:
    for p in (emu1, emu2):
        if p:
            p.kill()
            p.wait()

# Multicast: two emus on one group over the loopback interface. A frame entering
# emu #3 comes out of emu #4, and not back out of emu #3 (its own looped datagram).
pm, p3, p4 = free_port(socket.SOCK_DGRAM), free_port(), free_port()
mc = []
try:
    for port in (p3, p4):
        mc.append(start(["-netdev", f"socket,id=m,mcast=230.0.0.1:{pm},localaddr=127.0.0.1",
                         "-netdev", "hubport,id=h1,hubid=0,netdev=m",
                         "-netdev", f"socket,id=s,listen=127.0.0.1:{port}",
                         "-netdev", "hubport,id=h2,hubid=0,netdev=s"]))
    c3, c4 = connect(p3), connect(p4)
    time.sleep(0.5)
    f7 = frame(500)
    send_frame(c3, f7)
    c4.settimeout(10)
    t.check(recv_frame(c4) == f7, "mcast: emu3 -> group -> emu4")
    c3.settimeout(1)
    try:
        echoed = c3.recv(4)
    except socket.timeout:
        echoed = b""
    t.check(echoed == b"", "mcast: a sender does not hear its own looped frame")
    c3.close()
    c4.close()
finally:
    for p in mc:
        p.kill()
        p.wait()

# Bad options: exit 1 with the offending option named.
bad = [
    (["-netdev", "socket,id=s,listen=127.0.0.1:1,bogus=1"], "bogus"),
    (["-netdev", "socket,id=s"], "listen="),
    (["-netdev", "socket,id=s,connect=127.0.0.1:99999"], "99999"),
    (["-netdev", "socket,id=s,mcast=10.1.1.1:5000"], "multicast"),
    (["-netdev", "user,id=u,hostfwd=tcp::x-:22"], "hostfwd"),
    (["-netdev", "user,id=u,net=10.0.2.0/33"], "net="),
    (["-netdev", "user,id=u,dhcpstart=192.168.9.9"], "dhcpstart"),
    (["-netdev", "user,id=u,restrict=maybe"], "restrict"),
    (["-netdev", "tap,id=t,vhost=on"], "vhost"),
    (["-netdev", "hubport,id=h"], "hubid"),
    (["-netdev", "warp,id=w"], "warp"),
    (["-netdev", "user,id=1bad"], "1bad"),
    (["-netdev", "user,id=u", "-netdev", "user,id=u"], "already used"),
    (["-nic", "user,model=nosuch"], "nosuch"),
    (["-nic", "user,mac=01:02:03:04:05"], "mac"),
    (["-machine", "pc", "-nic", "user,mac=01:00:5e:00:00:01"], "multicast"),
    (["-machine", "pc", "-netdev", "user,id=n", "-device", "e1000,netdev=nope"], "nope"),
    # The message names the device, never "(null)".
    (["-machine", "pc", "-device", "e1000,mac=01:00:00:00:00:01"], "e1000: mac"),
]
for args, needle in bad:
    r = subprocess.run([EMU, "-display", "none", "-accel", "qtest"] + args,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    t.check(r.returncode == 1 and needle in r.stderr,
            f"{' '.join(args)}: exit 1 naming '{needle}'",
            f"rc={r.returncode} stderr={r.stderr.strip()}")
r = subprocess.run([EMU, "-nic", "model=help"], capture_output=True, text=True, timeout=30)
t.check(r.returncode == 0 and "e1000" in r.stdout.split(), "-nic model=help lists e1000",
        r.stdout + r.stderr)
t.done()
