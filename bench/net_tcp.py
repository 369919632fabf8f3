#!/usr/bin/env python3
"""TCP throughput between the standard test guest (direct kernel boot, -accel
tcg) and the host, with busybox nc, on virtio-net-pci and e1000:

  guest-to-host: `dd if=/dev/zero bs=64k count=N | nc SERVER PORT` in the guest
      to a Python receiver on the host that counts the bytes and times them from
      the first to the last byte;
  host-to-guest: `nc -l -p 5001 | wc -c` in the guest; the host sends N*64 KiB
      and the time runs from its connect to the guest's line reporting the
      byte count (serial console).

Backends: -netdev user (slirp: the guest's udhcpc lease, SERVER 10.0.2.2 which
slirp maps to the host's 127.0.0.1, hostfwd for the other direction) and tap
(root with /dev/net/tun: a tap device in a fresh network namespace, `unshare
--net`, with the host end and the Python side inside it; SKIP with the reason
otherwise). MB/s (10^6 bytes/s) emu vs qemu-system-x86_64 -accel tcg on the
same guest, one run per configuration. A measurement, not a test.

    python3 bench/net_tcp.py [BUILD_DIR]

Env: BENCH_NET_MB (MiB sent each way, default 64), BENCH_NET_BACKENDS
(default "user,tap"), BENCH_NET_MODELS (default "virtio-net-pci,e1000"),
BENCH_NET_H2G_ONLY (send one block guest-to-host and time only the other
direction), BENCH_NET_VERBOSE (print the guest's link-up wait and ping tries,
and per direction the guest's NIC interrupts, its CPU jiffies and the
emulator's CPU time per MB; docs/devel/net.md lists the rest),
EMU_GUEST_CACHE.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "functional"))
from linuxguest import encode_cmd as encode  # noqa: E402  (emu.cmd= escaping)
MB = int(os.environ.get("BENCH_NET_MB", "64"))
COUNT = MB * 16                      # 64 KiB blocks
NBYTES = COUNT << 16
H2G_ONLY = bool(os.environ.get("BENCH_NET_H2G_ONLY"))
G2H_COUNT = 1 if H2G_ONLY else COUNT
BACKENDS = os.environ.get("BENCH_NET_BACKENDS", "user,tap").split(",")
MODELS = os.environ.get("BENCH_NET_MODELS", "virtio-net-pci,e1000").split(",")
MODULES = {"virtio-net-pci": "virtio_pci,virtio_net", "e1000": "e1000"}
GUEST_PORT = 5001
TIMEOUT = 900                        # s per boot
# tap: the namespace's end of the tap device and the guest's static address
TAP_HOST, TAP_GUEST = "10.77.0.1", "10.77.0.2"
IP = shutil.which("ip") or "/usr/sbin/ip"
UNSHARE = shutil.which("unshare") or "/usr/bin/unshare"


# The guest's interrupts on its NIC lines (virtio0-* or eth0) in /proc/interrupts.
IRQS_FN = ("irqs() { awk '/virtio0|eth0/ { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; "
           "i++) n += $i; printf \"%s=%d \", $NF, n }' /proc/interrupts; head -1 /proc/stat; }; ")
IRQS = "$(irqs)"


def guest_script(backend, server, port):
    if backend == "user":
        setup = ("udhcpc -i eth0 -n -q -t 20 -T 1 -s /usr/share/udhcpc/default.script "
                 ">/dev/null 2>&1")
        arp = ""
    else:
        setup = f"ip addr add {TAP_GUEST}/24 dev eth0"
        arp = ("i=0; while [ $i -lt 30 ] && "
               f"! ping -c 1 -W 1 {server} >/dev/null 2>&1; do i=$((i+1)); done; "
               "echo PING-TRIES $i; ")
    return (IRQS_FN + "ip link set lo up; ip link set eth0 up; " + setup + "; "
            # wait for the link (e1000 reports it after autonegotiation); on
            # tap, until the host end answers (ARP)
            "a=$(cut -d' ' -f1 /proc/uptime); i=0; while [ $i -lt 100 ] && "
            "[ \"$(cat /sys/class/net/eth0/carrier)\" != 1 ]; do sleep 0.1; i=$((i+1)); done; "
            "b=$(cut -d' ' -f1 /proc/uptime); echo LINK-WAIT $a $b; " + arp +
            "echo NET-UP $(ip -4 addr show dev eth0 | sed -n 's/.*inet \\([0-9.]*\\).*/\\1/p'); "
            f"echo IRQS {IRQS}; "
            f"dd if=/dev/zero bs=64k count={G2H_COUNT} 2>/dev/null | nc {server} {port}; "
            f"echo G2H-DONE; echo IRQS {IRQS}; "
            f"sh -c 'nc -l -p {GUEST_PORT} </dev/null | wc -c >/tmp/h2g; "
            "grep syscr /proc/$$/io >/tmp/h2g-io' & sleep 1; "
            f"echo H2G-LISTEN; wait; echo H2G-BYTES $(cat /tmp/h2g); echo IRQS {IRQS}; "
            "echo H2G-READS $(cat /tmp/h2g-io); cd /sys/class/net/eth0/statistics; "
            "echo RX-DROPS rx_dropped $(cat rx_dropped) missed $(cat rx_missed_errors) "
            "fifo $(cat rx_fifo_errors) over $(cat rx_over_errors)")


class Receiver:
    """Accepts one connection and counts its bytes, first to last byte."""

    def __init__(self, addr):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((addr, 0))
        self.sock.listen(1)
        self.sock.settimeout(TIMEOUT)
        self.port = self.sock.getsockname()[1]
        self.nbytes, self.first, self.last = 0, None, None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        buf = bytearray(1 << 18)
        while True:
            n = conn.recv_into(buf)
            if not n:
                break
            now = time.perf_counter()
            if self.first is None:
                self.first = now
            self.last = now
            self.nbytes += n
        conn.close()

    def mbps(self):
        if self.first is None or self.last <= self.first:
            return None
        return self.nbytes / 1e6 / (self.last - self.first)


class Console:
    """The guest's serial console; each line with the time it arrived."""

    def __init__(self, proc):
        self.lines = []
        self.cond = threading.Condition()
        self.proc = proc
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        for raw in self.proc.stdout:
            with self.cond:
                self.lines.append((time.perf_counter(), raw.decode(errors="replace").rstrip()))
                self.cond.notify_all()
        with self.cond:
            self.lines.append((time.perf_counter(), None))
            self.cond.notify_all()

    def wait_for(self, pattern, timeout):
        deadline = time.perf_counter() + timeout
        i = 0
        with self.cond:
            while True:
                while i < len(self.lines):
                    when, line = self.lines[i]
                    if line is None:
                        return None, None
                    m = re.search(pattern, line)
                    if m:
                        return m, when
                    i += 1
                left = deadline - time.perf_counter()
                if left <= 0:
                    return None, None
                self.cond.wait(left)

    def tail(self):
        with self.cond:
            return "\n".join(l for _, l in self.lines[-30:] if l is not None)


def cpu_seconds(pid):
    """user + system CPU time so far of a process's main thread and of all its
    threads (/proc/PID/task/TID/stat)."""
    main = total = 0.0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return (0.0, 0.0)
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        t = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        total += t
        if int(tid) == pid:
            main = t
    return (main, total)


def run(name, binary, kernel, initrd, backend, model):
    """One boot: (guest-to-host MB/s, host-to-guest MB/s), None where it failed."""
    if backend == "user":
        rx, server = Receiver("127.0.0.1"), "10.0.2.2"
        hport = free_port()
        netdev = f"user,id=n0,hostfwd=tcp:127.0.0.1:{hport}-:{GUEST_PORT}"
        h2g_addr = ("127.0.0.1", hport)
    else:
        rx, server = Receiver(TAP_HOST), TAP_HOST
        netdev = "tap,id=n0,ifname=tap0,script=no,downscript=no"
        h2g_addr = (TAP_GUEST, GUEST_PORT)
    append = ("console=ttyS0 quiet panic=-1 emu.modprobe=" + MODULES[model] +
              " emu.cmd=" + encode(guest_script(backend, server, rx.port)))
    cmd = [binary, "-machine", "pc", "-accel", "tcg", "-m", "512", "-nographic",
           "-no-reboot", "-kernel", kernel, "-initrd", initrd, "-append", append,
           "-netdev", netdev, "-device", f"{model},netdev=n0"]
    retrans0 = tcp_retrans()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    con = Console(p)
    g2h = h2g = None
    cpu = []
    try:
        m, _ = con.wait_for(r"NET-UP", TIMEOUT)
        cpu.append(cpu_seconds(p.pid))
        m, _ = con.wait_for(r"G2H-DONE", TIMEOUT) if m else (None, None)
        cpu.append(cpu_seconds(p.pid))
        rx.thread.join(5)
        if m and rx.nbytes == G2H_COUNT << 16:
            g2h = None if H2G_ONLY else rx.mbps()
        else:
            print(f"  {name} {backend} {model}: guest-to-host got {rx.nbytes} of "
                  f"{G2H_COUNT << 16} bytes\n{con.tail()}")
        m, _ = con.wait_for(r"H2G-LISTEN", 120) if m else (None, None)
        if m:
            block = bytes(1 << 16)
            s = socket.create_connection(h2g_addr, timeout=60)
            cpu.append(cpu_seconds(p.pid))
            t0 = time.perf_counter()
            for _ in range(COUNT):
                s.sendall(block)
            s.shutdown(socket.SHUT_WR)
            m, t1 = con.wait_for(r"H2G-BYTES (\d+)", TIMEOUT)
            cpu.append(cpu_seconds(p.pid))
            s.close()
            if os.environ.get("BENCH_NET_VERBOSE"):
                con.wait_for(r"EMU-CMD-DONE", 30)   # the last IRQS line
            if m and int(m.group(1)) == NBYTES:
                h2g = NBYTES / 1e6 / (t1 - t0)
            else:
                print(f"  {name} {backend} {model}: host-to-guest: guest reported "
                      f"{m.group(1) if m else 'nothing'} of {NBYTES} bytes\n{con.tail()}")
    except OSError as e:
        print(f"  {name} {backend} {model}: {e}\n{con.tail()}")
    finally:
        p.kill()
        p.wait()
        rx.sock.close()
        retrans = tcp_retrans() - retrans0
    if os.environ.get("BENCH_NET_VERBOSE"):
        print(f"  {name} {backend} {model}: " +
              " ".join(l for _, l in con.lines
                       if l and re.match(r"LINK-WAIT|PING-TRIES|RX-DROPS|H2G-READS", l)) +
              f"; host TCP retransmits {retrans}" +
              (f", tap0 {tap_drops()}" if backend == "tap" else ""))
        # "IRQS name=count ... cpu user nice system idle iowait irq softirq ..." (jiffies)
        lines = [l.split(" cpu ") for _, l in con.lines if l and re.match(r"IRQS .* cpu ", l)]
        vec = [dict((w.rsplit("=", 1)[0], int(w.rsplit("=", 1)[1])) for w in a.split()[1:])
               for a, _ in lines]
        stats = [[sum(v.values())] + [int(x) for x in b.split()] for v, (_, b) in zip(vec, lines)]
        irqs = [st[0] for st in stats]
        mb = NBYTES / 1e6
        for i, direction in enumerate(("guest->host", "host->guest")):
            if len(irqs) > i + 1 and len(cpu) > 2 * i + 1 and not (H2G_ONLY and i == 0):
                print(f"  {name} {backend} {model} {direction}: "
                      f"{(irqs[i + 1] - irqs[i]) / mb:.0f} guest NIC irq/MB, "
                      f"{(cpu[2 * i + 1][1] - cpu[2 * i][1]) * 1000 / mb:.0f} ms CPU/MB "
                      f"({(cpu[2 * i + 1][0] - cpu[2 * i][0]) * 1000 / mb:.0f} in the "
                      "main thread), guest " +
                      "/".join(f"{b - a}" for a, b in zip(stats[i][1:8], stats[i + 1][1:8])) +
                      " jiffies user/nice/sys/idle/iowait/irq/softirq; irqs " +
                      " ".join(f"{k}={vec[i + 1][k] - vec[i].get(k, 0)}" for k in vec[i + 1]))
    return g2h, h2g


def tcp_retrans():
    """The host's (this network namespace's) TCP RetransSegs (/proc/net/snmp)."""
    with open("/proc/net/snmp") as f:
        rows = [l.split() for l in f if l.startswith("Tcp:")]
    return int(rows[1][rows[0].index("RetransSegs")])


def tap_drops():
    """tap0's transmit (to the emulator) drop count, from `ip -s link`."""
    out = subprocess.run([IP, "-s", "link", "show", "tap0"], capture_output=True,
                         text=True).stdout.split("\n")
    for i, l in enumerate(out):
        if l.strip().startswith("TX:") and i + 1 < len(out):
            return "TX dropped " + out[i + 1].split()[3]
    return "?"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def tap_unavailable():
    """Why tap cannot be measured here, or None."""
    if os.geteuid() != 0:
        return "needs root (CAP_NET_ADMIN) for a tap device"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun on this host"
    if not (os.path.exists(IP) and os.path.exists(UNSHARE)):
        return "needs ip (iproute2) and unshare (util-linux)"
    probe = subprocess.run([UNSHARE, "--net", "--", IP, "tuntap", "add", "dev", "tap0",
                            "mode", "tap"], capture_output=True, text=True)
    if probe.returncode:
        return f"cannot create a tap device in a new network namespace: {probe.stderr.strip()}"
    return None


def measure_all(binaries, kernel, initrd, backend, before_each=lambda: None):
    res = {}
    for model in MODELS:
        for name, binary in binaries:
            before_each()
            res[f"{name} {backend} {model}"] = run(name, binary, kernel, initrd, backend,
                                                    model)
    return res


def fresh_tap():
    """A new tap0 with TAP_HOST: a persistent tap keeps settings such as the
    vnet header size (TUNSETVNETHDRSZ) from its previous user."""
    subprocess.run([IP, "tuntap", "del", "dev", "tap0", "mode", "tap"], capture_output=True)
    for args in (("tuntap", "add", "dev", "tap0", "mode", "tap"),
                 ("addr", "add", f"{TAP_HOST}/24", "dev", "tap0"),
                 ("link", "set", "tap0", "up")):
        subprocess.run([IP] + list(args), check=True, capture_output=True)


def tap_inner(binaries, kernel, initrd):
    """Inside `unshare --net`: each run gets a fresh tap0; prints the results as JSON."""
    subprocess.run([IP, "link", "set", "lo", "up"], check=True, capture_output=True)
    print("NETRES " + json.dumps(measure_all(binaries, kernel, initrd, "tap", fresh_tap)))


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    cache = os.environ.get("EMU_GUEST_CACHE", os.path.join(ROOT, ".cache", "guest"))
    kernel, initrd = os.path.join(cache, "vmlinuz"), os.path.join(cache, "initrd.img")
    if not os.path.exists(kernel):
        print(f"no guest in {cache}: run scripts/fetch-guest.sh")
        return
    qemu = shutil.which("qemu-system-x86_64")
    binaries = [("emu", os.path.join(build, "emu"))] + ([("qemu", qemu)] if qemu else [])
    if os.environ.get("EMU_BENCH_NET_TAP_INNER"):
        tap_inner(binaries, kernel, initrd)
        return
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{MB} MiB each way, busybox nc, -accel tcg; host load average {load}")
    results = {}
    if "user" in BACKENDS:
        results.update(measure_all(binaries, kernel, initrd, "user"))
    if "tap" in BACKENDS:
        why = tap_unavailable()
        if why:
            print(f"SKIP tap: {why}")
        else:
            env = dict(os.environ, EMU_BENCH_NET_TAP_INNER="1")
            p = subprocess.run([UNSHARE, "--net", "--", sys.executable,
                                os.path.abspath(__file__), build], env=env,
                               stdout=subprocess.PIPE, text=True)
            for line in p.stdout.splitlines():
                if line.startswith("NETRES "):
                    results.update({k: tuple(v) for k, v in json.loads(line[7:]).items()})
                else:
                    print(line)
    print(f"{'':28s} {'emu MB/s':>9s} {'qemu MB/s':>10s} {'emu/qemu':>9s}")
    for backend in BACKENDS:
        for model in MODELS:
            for i, direction in enumerate(("guest->host", "host->guest")):
                e = results.get(f"emu {backend} {model}")
                q = results.get(f"qemu {backend} {model}")
                e = e[i] if e else None
                q = q[i] if q else None
                if e is None and q is None:
                    continue
                es = f"{e:9.1f}" if e else f"{'-':>9s}"
                qs = f"{q:10.1f}" if q else f"{'-':>10s}"
                ratio = f"{e / q:8.2f}x" if e and q else f"{'-':>9s}"
                label = f"{backend} {'virtio-net' if model.startswith('virtio') else model}"
                print(f"{label + ' ' + direction:28s} {es} {qs} {ratio}")
    if not qemu:
        print("qemu-system-x86_64 not installed: no comparison")


if __name__ == "__main__":
    main()
