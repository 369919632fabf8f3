#!/usr/bin/env python3
"""The command line: help answers, every bad input is one clear line and exit 1,
options whose feature is not built yet say so and exit 1."""
import os
import subprocess
import tempfile

from emutest import EMU, Tap, run_emu as run

t = Tap()


# -- answers that exit 0
for args, needle in [
    (["-version"], "emu version"),
    (["-help"], "-machine"),
    (["-machine", "help"], "none"),
    (["-M", "help"], "empty machine"),
    (["-device", "help"], ""),
    (["-accel", "help"], "qtest"),
    (["-chardev", "help"], "socket"),
    (["-d", "help"], "guest_errors"),
    (["-cpu", "help"], "Available CPUs"),
    (["-object", "help"], "user creatable"),
    (["-display", "help"], "none"),
]:
    rc, out, err = run(args)
    t.check(rc == 0 and needle in out, f"{' '.join(args)} answers",
            f"rc={rc} out={out[:300]!r} err={err!r}")

with tempfile.TemporaryDirectory() as tmp:
    bad_inputs = [
        ["-m", "foo"],
        ["-m", "0"],
        ["-m", "1Q"],
        ["-m", "size=1G,maxmem=512M"],
        ["-smp", "0"],
        ["-smp", "cpus=4,sockets=3,cores=1"],
        ["-smp", "4,sockets=2,cores=2,threads=2"],
        ["-machine", "none", "-netdev", "tap,id=t,queues=0"],
        ["-machine", "none", "-netdev", "tap,id=t,queues=2,fd=3"],
        ["-machine", "none", "-netdev", "tap,id=t,fds=x:y"],
        ["-machine", "nosuchboard"],
        ["-machine", "none,nosuchprop=1"],
        ["-accel", "bogus"],
        ["-machine", "none", "-device", "nosuchdev"],
        ["-device"],
        ["-nosuchoption"],
        ["-machine", "none", "-chardev", "socket"],
        ["-machine", "none", "-chardev", "bogus,id=x"],
        ["-machine", "none", "-serial", "bogus:x"],
        ["-d", "nosuchitem"],
        ["-boot", "order=z"],
        ["-rtc", "base=yesterday"],
        ["-name", "guest=x,bad=1"],
        ["-machine", "none", "-initrd", "foo"],
        ["-uuid", "notauuid"],
        ["-display", "bogus"],
        ["-vga", "bogus"],
        ["-machine", "none", "-monitor", "unix:"],
        ["-machine", "none", "-object", "nosuchtype,id=x"],
        ["-machine", "none", "-global", "nodot=1"],
        ["-machine", "none", "-pidfile", tmp + "/no/such/dir/pid"],
        ["-machine", "none", "-kernel", tmp + "/vmlinuz"],
        ["-echr", "999"],
        ["-machine", "none", "-qmp", "tcp:localhost"],
        ["-machine", "none", "-mem-path", tmp + "/missing/dir", "-m", "16M"],
        ["-machine", "none", "-chardev", "null,id=a", "-chardev", "null,id=a"],
        ["-machine", "pc", "-accel", "tcg,backend=bogus", "-display", "none"],
    ]
    for args in bad_inputs:
        rc, out, err = run(args)
        lines = [line for line in err.splitlines() if line.strip()]
        t.check(rc == 1 and len(lines) == 1 and lines[0].startswith("emu: ")
                and out == "",
                f"bad input {' '.join(args)!r} -> one line, exit 1",
                f"rc={rc} stdout={out!r} stderr={err!r}")

    # Drives: tests/functional/test_drive.py; networking: test_net_socket.py.
    not_built = [
        ["-vnc", ":0"],
        ["-display", "sdl"],
        ["-vga", "cirrus"],
        ["-incoming", "tcp:0:4444"],
        ["-parallel", "stdio"],
    ]
    for args in not_built:
        rc, out, err = run(args)
        t.check(rc == 1 and "not built yet" in err and len(err.strip().splitlines()) == 1,
                f"{' '.join(args)} says it is not built yet",
                f"rc={rc} stderr={err!r}")

    # -accel tcg without -kernel runs the default firmware (SeaBIOS, as QEMU):
    # it keeps running (rc None after the timeout), with nothing on stderr
    # from start-up; a -bios that is nowhere is one error line.
    rc, out, err = run(["-machine", "pc", "-accel", "tcg", "-display", "none"], timeout=3)
    if os.path.exists("/usr/share/seabios/bios-256k.bin"):
        t.check(rc is None and "error" not in err and "nothing to boot" not in err,
                "-accel tcg without -kernel boots the default SeaBIOS", f"rc={rc} {err!r}")
    else:
        t.check(rc == 1 and "nothing to boot" in err,
                "-accel tcg without -kernel and without SeaBIOS: one error line", err)
    rc, out, err = run(["-machine", "pc", "-accel", "tcg", "-display", "none",
                        "-bios", "no-such-bios.bin"])
    lines = err.strip().splitlines()
    t.check(rc == 1 and len(lines) == 1 and "no-such-bios.bin" in lines[0] and
            "not found" in lines[0], "-bios that is nowhere: one error line", err)

    # A pidfile is written, locked against a second instance, and removed at exit.
    pid = tmp + "/emu.pid"
    p = subprocess.Popen([EMU, "-machine", "none", "-display", "none", "-pidfile", pid],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    import os
    import signal
    import time
    for _ in range(100):
        if os.path.exists(pid) and os.path.getsize(pid) > 0:
            break
        time.sleep(0.05)
    content = open(pid).read().strip() if os.path.exists(pid) else ""
    t.check(content == str(p.pid), "pidfile holds the pid", f"{content!r} vs {p.pid}")
    rc, out, err = run(["-machine", "none", "-display", "none", "-pidfile", pid])
    t.check(rc == 1 and "locked" in err, "second instance refused by the pidfile lock",
            f"rc={rc} err={err!r}")
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=10)
    t.check(rc == 0, "SIGTERM exits 0", f"rc={rc} err={p.stderr.read()!r}")
    t.check(not os.path.exists(pid), "pidfile removed at exit")

    # -daemonize: the parent returns 0 once the child runs; the child keeps running.
    pid2 = tmp + "/daemon.pid"
    rc, out, err = run(["-machine", "none", "-display", "none", "-daemonize",
                        "-pidfile", pid2])
    ok = rc == 0 and os.path.exists(pid2)
    t.check(ok, "-daemonize returns 0 with the daemon running", f"rc={rc} err={err!r}")
    if ok:
        dpid = int(open(pid2).read())
        os.kill(dpid, signal.SIGTERM)
        for _ in range(100):
            if not os.path.exists(pid2):
                break
            time.sleep(0.05)
        t.check(not os.path.exists(pid2), "daemon exits on SIGTERM")
    rc, out, err = run(["-machine", "none", "-nographic", "-daemonize"])
    t.check(rc == 1 and "-daemonize" in err, "-nographic with -daemonize refused",
            f"rc={rc} err={err!r}")

t.done()
