#!/usr/bin/env python3
"""-machine none -nographic on a terminal: the monitor answers on the mux, Ctrl-A h
prints help, Ctrl-A x quits with exit 0, SIGTERM quits with exit 0, and the
terminal's settings are restored either way."""
import os
import pty
import select
import signal
import subprocess
import termios
import time

from emutest import EMU, Tap

t = Tap()


def start():
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    p = subprocess.Popen([EMU, "-machine", "none", "-nographic"], stdin=slave,
                         stdout=slave, stderr=slave, close_fds=True,
                         start_new_session=True)
    return p, master, slave, before


def read_until(master, needle, timeout=10.0):
    buf = b""
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            if needle in buf:
                return True, buf
    return False, buf


def finish(p, master, slave, before, how):
    try:
        rc = p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = None
    t.check(rc == 0, f"{how}: exit status 0", f"rc={rc}")
    after = termios.tcgetattr(slave)
    t.check(after == before, f"{how}: terminal settings restored",
            f"before={before}\nafter={after}")
    os.close(master)
    os.close(slave)


# Ctrl-A x
p, master, slave, before = start()
ok, out = read_until(master, b"(emu)")
t.check(ok, "monitor prompt appears on the terminal", out)
raw = termios.tcgetattr(slave)
t.check(not (raw[3] & termios.ICANON) and not (raw[3] & termios.ECHO),
        "terminal is in raw mode while running", raw)
os.write(master, b"info status\r")
ok, out = read_until(master, b"VM status: running")
t.check(ok, "HMP 'info status' answers through the mux", out)
os.write(master, b"\x01h")
ok, out = read_until(master, b"C-a x")
t.check(ok, "Ctrl-A h prints the escape key help", out)
os.write(master, b"\x01x")
finish(p, master, slave, before, "Ctrl-A x")

# SIGTERM
p, master, slave, before = start()
ok, out = read_until(master, b"(emu)")
t.check(ok, "second start shows the prompt", out)
p.send_signal(signal.SIGTERM)
finish(p, master, slave, before, "SIGTERM")

# HMP quit
p, master, slave, before = start()
read_until(master, b"(emu)")
os.write(master, b"quit\r")
finish(p, master, slave, before, "HMP quit")

t.done()
