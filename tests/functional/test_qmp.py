#!/usr/bin/env python3
"""A QMP session against `-machine none -qmp unix:S,server=on,wait=off`: greeting,
negotiation, queries, stop/cont with events, errors that keep the session, quit."""
import os
import subprocess
import tempfile

from emutest import EMU, Qmp, Tap

t = Tap()


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "qmp.sock")
    p = subprocess.Popen([EMU, "-machine", "none", "-display", "none",
                          "-qmp", f"unix:{path},server=on,wait=off"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    q = Qmp(path, timeout=10, negotiate=False)
    greeting = q.recv()
    t.check("QMP" in greeting and "version" in greeting["QMP"]
            and "qemu" in greeting["QMP"]["version"]
            and "capabilities" in greeting["QMP"], "greeting has QEMU's shape", greeting)

    r = q.cmd("query-status")
    t.check(r.get("error", {}).get("class") == "CommandNotFound",
            "commands refused before qmp_capabilities", r)
    r = q.cmd("qmp_capabilities")
    t.check(r == {"return": {}}, "qmp_capabilities", r)

    r = q.cmd("query-version")
    v = r.get("return", {}).get("qemu", {})
    t.check(r.get("return", {}).get("package") == "emu" and
            f"{v.get('major')}.{v.get('minor')}.{v.get('micro')}" != "None.None.None",
            "query-version", r)
    r = q.cmd("query-status")
    t.check(r.get("return", {}).get("status") == "running" and
            r["return"].get("running") is True, "query-status running", r)

    r = q.cmd("stop")
    t.check(r == {"return": {}}, "stop", r)
    t.check(q.event("STOP") is not None, "STOP event")
    r = q.cmd("query-status")
    t.check(r.get("return", {}).get("status") == "paused", "status paused", r)
    r = q.cmd("cont")
    t.check(q.event("RESUME") is not None, "RESUME event after cont", r)

    q.raw(b'{"execute": "query-status", "id": 42}')
    r = q.reply()
    t.check(r.get("id") == 42 and "return" in r, "id echoed", r)

    q.raw(b'{"execute": oops}')
    r = q.reply()
    t.check(r.get("error", {}).get("class") == "GenericError", "malformed JSON -> error", r)
    r = q.cmd("query-status")
    t.check("return" in r, "session survives malformed JSON", r)

    q.raw(b'{"execute": "query-name"}{"execute": "query-status"}')
    r1, r2 = q.reply(), q.reply()
    t.check("return" in r1 and r2.get("return", {}).get("status") == "running",
            "two commands in one write", (r1, r2))

    r = q.cmd("no-such-command")
    t.check(r.get("error", {}).get("class") == "CommandNotFound", "unknown command", r)
    r = q.cmd("query-status", bogus=1)
    t.check("error" in r, "unexpected argument refused", r)

    r = q.cmd("human-monitor-command", **{"command-line": "info version"})
    t.check("0." in r.get("return", ""), "human-monitor-command info version", r)
    r = q.cmd("human-monitor-command", **{"command-line": "info mtree"})
    t.check("address-space" in r.get("return", ""), "info mtree through HMP", r)

    r = q.cmd("qom-list", path="/")
    names = [e.get("name") for e in r.get("return", [])]
    t.check("machine" in names, "qom-list / shows machine", r)
    r = q.cmd("qom-get", path="/machine", property="graphics")
    t.check(r.get("return") is True, "qom-get /machine graphics (-display none keeps it)",
            r)
    r = q.cmd("qom-set", path="/machine", property="usb", value=True)
    r2 = q.cmd("qom-get", path="/machine", property="usb")
    t.check(r == {"return": {}} and r2.get("return") is True, "qom-set then qom-get", r2)
    r = q.cmd("query-commands")
    cmds = {c["name"] for c in r.get("return", [])}
    t.check({"quit", "stop", "cont", "qom-get", "query-status"} <= cmds, "query-commands",
            sorted(cmds))

    r = q.cmd("system_reset")
    t.check(r == {"return": {}} and q.event("RESET") is not None, "system_reset + RESET",
            r)

    r = q.cmd("quit")
    t.check(r == {"return": {}}, "quit replies before exit", r)
    ev = q.event("SHUTDOWN")
    t.check(ev is not None and ev["data"].get("reason") == "host-qmp-quit",
            "SHUTDOWN event with reason host-qmp-quit", ev)
    rc = p.wait(timeout=10)
    t.check(rc == 0, "exit status 0", f"rc={rc} stderr={p.stderr.read()!r}")

# -no-reboot turns a reset into an exit, as in QEMU.
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "qmp.sock")
    p = subprocess.Popen([EMU, "-machine", "none", "-display", "none", "-no-reboot", "-S",
                          "-qmp", f"unix:{path},server=on,wait=off"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    q = Qmp(path, timeout=10, negotiate=False)
    q.recv()
    q.cmd("qmp_capabilities")
    r = q.cmd("query-status")
    t.check(r.get("return", {}).get("status") == "prelaunch", "-S starts in prelaunch", r)
    r = q.cmd("system_reset")
    ev = q.event("SHUTDOWN")
    t.check(ev is not None and ev["data"].get("reason") == "host-qmp-system-reset",
            "-no-reboot: system_reset becomes SHUTDOWN", ev)
    rc = p.wait(timeout=10)
    t.check(rc == 0, "-no-reboot: exit status 0 after reset", f"rc={rc}")

# query-cpus-fast: the -smp topology as QEMU's `pc` lays it out (cores before
# sockets since its 6.2 machine types), and a host thread per vCPU.
for smp, want in [("4", [(0, 0), (0, 1), (0, 2), (0, 3)]),
                  ("4,sockets=2", [(0, 0), (0, 1), (1, 0), (1, 1)])]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "qmp.sock")
        p = subprocess.Popen([EMU, "-machine", "pc", "-accel", "tcg", "-S", "-smp", smp,
                              "-nic", "none", "-display", "none",
                              "-qmp", f"unix:{path},server=on,wait=off"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        q = Qmp(path, timeout=10)
        cpus = q.cmd("query-cpus-fast").get("return", [])
        got = [(c["props"]["socket-id"], c["props"]["core-id"]) for c in cpus]
        t.check(got == want and [c["cpu-index"] for c in cpus] == [0, 1, 2, 3],
                f"-smp {smp}: query-cpus-fast (socket-id, core-id) {want}", cpus)
        tasks = set(os.listdir(f"/proc/{p.pid}/task"))
        tids = {str(c["thread-id"]) for c in cpus}
        t.check(len(tids) == 4 and tids <= tasks and str(p.pid) not in tids,
                f"-smp {smp}: a host thread of emu per vCPU", (tids, tasks))
        q.cmd("quit")
        p.wait(timeout=10)

t.done()
