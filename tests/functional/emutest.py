"""Helpers shared by the functional tests (stdlib only, TAP output): Tap;
running emu (run_emu, run_guest, run_serial_guest, Console); a QMP client (Qmp);
an HTTP server for the host side of guest networking (HttpServer); screendump
readers (read_ppm, read_png); host probes (kvm_unusable, slirp_unusable,
device_models, free_port, connect_unix). The standard Linux test guest's
paths, skip checks and command line are in linuxguest.py."""
import hashlib
import http.server
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

EMU = os.environ.get("EMU_BINARY", "build/emu")
# The multiboot test guests of tests/guests (NAME.bin).
GUESTS = os.environ.get("EMU_GUESTS", "build/tests/guests")


class Tap:
    """Minimal TAP producer: ok/not ok lines, then the plan, exit status."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, cond, desc, detail=""):
        self.n += 1
        if cond:
            print(f"ok {self.n} - {desc}")
        else:
            self.failed += 1
            print(f"not ok {self.n} - {desc}")
            for line in str(detail).splitlines():
                print(f"# {line}")
        sys.stdout.flush()
        return cond

    def skip_all(self, reason):
        # TAP's way to skip a whole file; meson reports it as SKIP.
        print(f"1..0 # SKIP {reason}")
        sys.exit(0)

    def done(self):
        print(f"1..{self.n}")
        sys.exit(1 if self.failed else 0)


# ---- shared pieces of the whole-system tests (emu processes, QMP, images) ----


def run_guest(args, timeout):
    """Run emu with @args until it exits or @timeout seconds pass (then kill it).
    Returns (console text without CRs, exit status or None on timeout, seconds)."""
    t0 = time.time()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    try:
        out, _ = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
        rc = None
    return out.decode(errors="replace").replace("\r", ""), rc, time.time() - t0


class Console:
    """An emu process's stdout (the guest's serial console), read line by line
    in a thread, so a test can wait for a line while the guest runs."""

    def __init__(self, proc):
        self.proc = proc
        self.lines = []
        self.cond = threading.Condition()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for raw in self.proc.stdout:
            with self.cond:
                self.lines.append(raw.decode(errors="replace").rstrip("\r\n")
                                  .replace("\r", ""))
                self.cond.notify_all()
        with self.cond:
            self.lines.append(None)          # EOF: emu exited
            self.cond.notify_all()

    def wait_for(self, pattern, timeout):
        """The match of the first line matching @pattern (a regex, searched from
        the first line on), or None on timeout or when emu has exited."""
        deadline = time.time() + timeout
        i = 0
        with self.cond:
            while True:
                while i < len(self.lines):
                    line = self.lines[i]
                    i += 1
                    if line is None:
                        return None
                    m = re.search(pattern, line)
                    if m:
                        return m
                left = deadline - time.time()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def wait_exit(self, timeout):
        """Wait until emu has closed its stdout (exited); False on timeout."""
        deadline = time.time() + timeout
        with self.cond:
            while None not in self.lines:
                left = deadline - time.time()
                if left <= 0:
                    return False
                self.cond.wait(left)
        return True

    def all_lines(self):
        with self.cond:
            return [l for l in self.lines if l is not None]

    def text(self):
        return "\n".join(self.all_lines())


def free_port(kind=socket.SOCK_STREAM):
    """A port on 127.0.0.1 that was free a moment ago."""
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def connect_unix(path, timeout=20):
    """A stream socket connected to the Unix socket @path (retried while emu
    starts up), or None after @timeout seconds."""
    deadline = time.time() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.time() >= deadline:
                return None
            time.sleep(0.05)


class Qmp:
    """A QMP client on emu's `-qmp unix:PATH,server=on,wait=off` socket.
    With @negotiate (the default) it reads the greeting (self.greeting) and
    sends qmp_capabilities; events that arrive are kept in self.events."""

    def __init__(self, path, timeout=30, connect_timeout=20, negotiate=True):
        self.sock = connect_unix(path, connect_timeout)
        if self.sock is None:
            raise OSError(f"cannot connect to the QMP socket {path}")
        self.sock.settimeout(timeout)
        self.buf = b""
        self.events = []
        self.greeting = None
        if negotiate:
            self.greeting = self.recv()
            self.cmd("qmp_capabilities")

    def raw(self, data):
        """Send @data (bytes) as it is."""
        self.sock.sendall(data)

    def recv(self):
        """The next JSON message, event or not (EOFError when emu hung up)."""
        dec = json.JSONDecoder()
        while True:
            text = self.buf.decode("utf-8", "replace").lstrip()
            if text:
                try:
                    obj, end = dec.raw_decode(text)
                    self.buf = text[end:].encode()
                    return obj
                except json.JSONDecodeError:
                    pass
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk

    def reply(self):
        """The next message that is not an event; events go to self.events."""
        while True:
            msg = self.recv()
            if "event" in msg:
                self.events.append(msg)
            else:
                return msg

    def cmd(self, name, args=None, **kwargs):
        """Run @name with @args and/or keyword arguments; returns the reply
        ({"return": ...} or {"error": ...})."""
        msg = {"execute": name}
        if args or kwargs:
            msg["arguments"] = dict(args or {}, **kwargs)
        self.raw(json.dumps(msg).encode())
        return self.reply()

    def event(self, name, timeout=10):
        """The first event called @name (kept or arriving within @timeout s)."""
        end = time.time() + timeout
        while time.time() < end:
            for i, e in enumerate(self.events):
                if e["event"] == name:
                    return self.events.pop(i)
            msg = self.recv()
            if "event" in msg:
                self.events.append(msg)
        return None

    def hmp(self, line):
        """A human monitor command's output (the error reply as JSON on error)."""
        r = self.cmd("human-monitor-command", {"command-line": line})
        return r.get("return", json.dumps(r))

    def status(self):
        return self.cmd("query-status").get("return", {}).get("status")

    def close(self):
        self.sock.close()


class _HttpHandler(http.server.SimpleHTTPRequestHandler):
    """GET serves files; POST answers UPLOAD-SHA256=<sha256 of the body>."""

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


class HttpServer:
    """`with HttpServer(dir) as web:` (or start()/stop()) serves @dir over HTTP
    on the host's 127.0.0.1:web.port; web.guest_url(name) is its address from a
    slirp guest (10.0.2.2). POSTs are answered with the sha256 of what arrived."""

    def __init__(self, directory):
        self.directory = directory

    def start(self):
        directory = self.directory

        class Handler(_HttpHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=directory, **kw)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def guest_url(self, name):
        return f"http://10.0.2.2:{self.port}/{name}"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def read_ppm(path):
    """(width, height, RGB bytes) of a binary PPM (P6, maxval 255)."""
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(b"\n", 3)
    assert parts[0] == b"P6" and parts[2] == b"255", parts[:3]
    w, h = (int(v) for v in parts[1].split())
    return w, h, parts[3]


def read_png(path):
    """(width, height, rows of RGB bytes) of an 8-bit RGB/RGBA PNG (RFC 2083)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, hdr
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 0xff
            elif ftype == 2:
                line[x] = (line[x] + b) & 0xff
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xff
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 0xff
        rows.append(bytes(line) if bpp == 3 else
                    b"".join(bytes(line[i:i + 3]) for i in range(0, stride, 4)))
        prev = line
    return w, h, rows


def kvm_unusable():
    """Why /dev/kvm cannot be used here, or None."""
    if not os.path.exists("/dev/kvm"):
        return "no /dev/kvm on this host"
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
    except OSError as e:
        return f"/dev/kvm cannot be opened: {e}"
    return None


def device_models():
    """The names `emu -device help` lists."""
    out = subprocess.run([EMU, "-device", "help"], capture_output=True, text=True).stdout
    return set(re.findall(r'"?([A-Za-z0-9_-]+)"?', out))


def slirp_unusable(device):
    """Why `-netdev user` with -device @device cannot start here, or None."""
    r = subprocess.run([EMU, "-machine", "pc", "-accel", "qtest", "-display", "none",
                        "-netdev", "user,id=n0", "-device", f"{device},netdev=n0",
                        "-qtest", "stdio"], input=b"", capture_output=True, timeout=60)
    if r.returncode:
        return "-netdev user is not available: " + r.stderr.decode(errors="replace")[-300:]
    return None


def _text(data):
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else (data or "")


def run_emu(args, timeout=20):
    """Run `emu ARGS` to its end: (exit status, stdout, stderr) as text; the
    status is None when emu had to be killed after @timeout seconds."""
    try:
        p = subprocess.run([EMU] + list(args), capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        return None, _text(e.stdout), f"(still running after {timeout} s) {_text(e.stderr)}"
    return p.returncode, p.stdout, p.stderr


def run_serial_guest(make_args, timeout):
    """Run emu with the arguments make_args(PATH) returns, which send COM1 to
    the file PATH (in a temporary directory): (exit status or None when killed
    after @timeout seconds, COM1 text without CRs, stderr text)."""
    with tempfile.TemporaryDirectory() as tmp:
        serial = os.path.join(tmp, "serial.txt")
        try:
            p = subprocess.run(make_args(serial), stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=timeout)
            rc, err = p.returncode, _text(p.stderr)
        except subprocess.TimeoutExpired as e:
            rc = None
            err = _text(e.stderr) + "\n(timed out)"
        out = open(serial, encoding="utf-8", errors="replace").read() \
            if os.path.exists(serial) else ""
        return rc, out.replace("\r", ""), err


def multiboot_args(accel, name, serial, append=None, extra=()):
    """emu's arguments for the tests/guests guest @name under @accel: COM1 to
    the file @serial, isa-debug-exit at 0xf4 for its verdict."""
    args = [EMU, "-machine", "pc", "-accel", accel, "-display", "none",
            "-kernel", os.path.join(GUESTS, name + ".bin"),
            "-serial", f"file:{serial}",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if append:
        args += ["-append", append]
    return args + list(extra)


def xorshift(n):
    """What the tests/guests ring3 guest computes, done here independently: the
    64-bit sum of @n xorshift64 (13, 7, 17) states from 0x9e3779b97f4a7c15."""
    x, acc, m = 0x9e3779b97f4a7c15, 0, (1 << 64) - 1
    for _ in range(n):
        x ^= (x << 13) & m
        x ^= x >> 7
        x ^= (x << 17) & m
        acc = (acc + x) & m
    return acc
