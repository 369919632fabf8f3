#!/usr/bin/env python3
"""KVM tests: boot one long-mode test guest (tests/guests) under -accel kvm and
check what it reports over COM1 and isa-debug-exit, plus what emu does around it
(info registers, stop/cont, reset, triple fault, KVM internal errors).

usage: test_kvm.py CASE   (CASE = a guest name: hello, pio, mmio, ...)
SKIPs with the reason when /dev/kvm is missing or unusable."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from emutest import EMU, GUESTS, Qmp, Tap, kvm_unusable, multiboot_args, run_serial_guest, xorshift

PASS, FAIL, SKIP = 33, 35, 37   # isa-debug-exit (v << 1) | 1 for 0x10, 0x11, 0x12

t = Tap()


def is_pvm():
    return os.path.exists("/sys/module/kvm_pvm")


def run_guest(name, append=None, extra=(), timeout=60):
    """Run to completion; returns (exit status, serial text, stderr)."""
    return run_serial_guest(lambda serial: multiboot_args("kvm", name, serial, append, extra),
                            timeout)


def check_pass(desc, rc, out, err):
    return t.check(rc == PASS and "RESULT: PASS" in out, desc,
                   f"exit status {rc}\n--- serial\n{out}\n--- stderr\n{err}")


class Session:
    """emu with a QMP socket, for the cases that talk to it while it runs."""

    def __init__(self, name, append=None, extra=()):
        self.tmp = tempfile.TemporaryDirectory()
        self.serial = os.path.join(self.tmp.name, "serial.txt")
        sock = os.path.join(self.tmp.name, "qmp.sock")
        self.proc = subprocess.Popen(
            multiboot_args("kvm", name, self.serial, append,
                       list(extra) + ["-qmp", f"unix:{sock},server=on,wait=off"]),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.qmp = Qmp(sock)

    def serial_text(self):
        try:
            return open(self.serial, encoding="utf-8",
                        errors="replace").read().replace("\r", "")
        except OSError:
            return ""

    def wait_serial(self, pattern, timeout=30, count=1):
        end = time.time() + timeout
        while time.time() < end:
            if len(re.findall(pattern, self.serial_text())) >= count:
                return True
            time.sleep(0.05)
        return False

    def finish(self, timeout=30):
        try:
            self.qmp.cmd("quit")
        except (OSError, EOFError):
            pass
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        self.tmp.cleanup()
        return self.proc.returncode, err.decode("utf-8", "replace")


# ---- cases ----

def case_hello():
    rc, out, err = run_guest("hello", append="alpha=1 beta")
    check_pass("a multiboot guest enters long mode, prints on COM1 and exits with "
               "isa-debug-exit status 33", rc, out, err)
    t.check("alpha=1 beta" in out, "the -append command line reaches the guest", out)
    t.check(re.search(r"mmap: 00000000feffc000-00000000feffffff type 2", out) is not None,
            "the e820 map reserves KVM's TSS and identity map (0xfeffc000, 16 KiB)", out)
    if is_pvm():
        lines = [l for l in err.splitlines() if "kvm_pvm" in l]
        t.check(len(lines) == 1 and "ring-0" in lines[0] and "tcg" in lines[0],
                "exactly one start-up line says the host KVM is kvm_pvm and what it runs",
                err)


def case_pio():
    rc, out, err = run_guest("pio")
    check_pass("port I/O exits of every width, string I/O and ring-3 I/O", rc, out, err)
    t.check("string-io: rep outsb reached the UART\n" in out,
            "a REP OUTSB line arrives whole on the serial file", out)


def case_mmio():
    rc, out, err = run_guest("mmio")
    check_pass("MMIO exits of every width; in-kernel IOAPIC and LAPIC registers", rc, out,
               err)
    # 256 MiB above 4 GiB: a second RAM slot at 0x100000000.
    rc, out, err = run_guest("mmio", append="highmem=0x100000000",
                             extra=["-machine", "pc,max-ram-below-4g=1G", "-m", "1280M"])
    check_pass("RAM above 4 GiB is mapped by its own memory slot", rc, out, err)
    t.check("above 4 GiB) keeps" in out, "the guest checked RAM above 4 GiB", out)


def case_rtc():
    rc, out, err = run_guest("rtc")
    check_pass("RTC/CMOS registers", rc, out, err)
    m = re.search(r"RTC (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)", out)
    if t.check(m is not None, "the guest printed the RTC time", out):
        import calendar
        g = [int(x) for x in m.groups()]
        guest = calendar.timegm((g[0], g[1], g[2], g[3], g[4], g[5], 0, 0, 0))
        t.check(abs(guest - time.time()) < 300,
                "the RTC runs on host UTC (-rtc base=utc default)",
                f"guest {m.group(0)} vs host {time.strftime('%F %T', time.gmtime())}")


def case_fwcfg():
    rc, out, err = run_guest("fwcfg", append="cpus=2", extra=["-smp", "2"])
    check_pass("fw_cfg signature, ID, CPU count and file directory over I/O ports", rc,
               out, err)


def case_smp():
    rc, out, err = run_guest("smp", append="cpus=4 perpkg=4", extra=["-smp", "4"], timeout=120)
    if rc == PASS:
        check_pass("-smp 4: three APs start through INIT/SIPI with the in-kernel LAPIC",
                   rc, out, err)
    else:
        m = re.search(r"(\d+) of 3 APs started", out)
        t.check(False, "-smp 4: APs start through INIT/SIPI",
                f"exit {rc}; {m.group(0) if m else 'no AP report'}\n{out}\n{err}")
    rc, out, err = run_guest("smp", append="cpus=16 perpkg=16", extra=["-smp", "16"], timeout=170)
    check_pass("-smp 16: fifteen APs start and count", rc, out, err)
    # 2 sockets x 3 cores: 2 bits of core ID, so socket 1 starts at APIC ID 4.
    rc, out, err = run_guest("smp", append="cpus=6 apicmask=0x77 perpkg=3",
                             extra=["-smp", "6,sockets=2,cores=3,threads=1"], timeout=120)
    check_pass("-smp 6,sockets=2,cores=3: APIC IDs 0-2 and 4-6, CPUID leaf 0xb "
               "topology", rc, out, err)
    rc, out, err = run_guest("smp", append="cpus=4 threads=2 perpkg=4",
                             extra=["-smp", "4,sockets=1,cores=2,threads=2"], timeout=120)
    check_pass("-smp 4,cores=2,threads=2: SMT level in CPUID leaf 0xb", rc, out, err)


def case_irq():
    rc, out, err = run_guest("irq")
    check_pass("PIT -> PIC, PIT -> IOAPIC -> LAPIC and LAPIC timer interrupts reach the "
               "guest's IDT handlers; HLT wakes", rc, out, err)


def case_msi():
    rc, out, err = run_guest("msi", extra=["-device", "emu-pci-testdev"])
    check_pass("MSI from a PCI function reaches the LAPIC (KVM_SIGNAL_MSI); CR8 and the "
               "LAPIC TPR are one register", rc, out, err)


IRQOFF = ["-machine", "kernel-irqchip=off"]


def case_irqoff():
    """-machine kernel-irqchip=off: emu's 8259, I/O APIC, LAPICs and PIT serve
    the KVM vCPUs; the guests check what they receive, as in the default mode."""
    rc, out, err = run_guest("irq", extra=IRQOFF)
    check_pass("kernel-irqchip=off: PIT -> 8259, PIT -> I/O APIC -> LAPIC and LAPIC "
               "timer interrupts reach the guest's IDT (KVM_INTERRUPT); HLT sleeps in emu "
               "and wakes", rc, out, err)
    rc, out, err = run_guest("smp", append="cpus=4 perpkg=4", extra=IRQOFF + ["-smp", "4"],
                             timeout=120)
    check_pass("kernel-irqchip=off, -smp 4: three APs start through INIT/SIPI from emu's "
               "LAPIC", rc, out, err)
    rc, out, err = run_guest("smp", append="cpus=16 perpkg=16", extra=IRQOFF + ["-smp", "16"],
                             timeout=170)
    check_pass("kernel-irqchip=off, -smp 16: fifteen APs start and count", rc, out, err)
    rc, out, err = run_guest("rtc", extra=IRQOFF)
    check_pass("kernel-irqchip=off: RTC/CMOS registers and its interrupt", rc, out, err)
    rc, out, err = run_guest("mmio", extra=IRQOFF)
    check_pass("kernel-irqchip=off: MMIO exits, emu's I/O APIC and LAPIC registers", rc,
               out, err)
    t.check("IOAPIC version 0x170020" in out,
            "the guest saw emu's I/O APIC (version 0x20), not KVM's (0x11)", out)
    rc, out, err = run_guest("msi", extra=IRQOFF + ["-device", "emu-pci-testdev"])
    check_pass("kernel-irqchip=off: MSI to emu's LAPIC, TPR <-> CR8 kept in sync "
               "(kvm_run->cr8)", rc, out, err)

    s = Session("regs", append="n=2", extra=IRQOFF + ["-smp", "4"])
    ok = s.wait_serial(r"READY boot 2")
    time.sleep(0.3)
    pic = s.qmp.hmp("info pic") if ok else ""
    t.check("in-kernel" not in pic and "IOAPIC" in pic.upper(),
            "info pic shows emu's 8259 and I/O APIC", pic)
    regs = s.qmp.hmp("info registers") if ok else ""
    t.check(all(f"CPU#{i}" in regs for i in range(4)) and "MP_STATE=wait-for-SIPI" in regs,
            "kernel-irqchip=off, -smp 4: APs wait for SIPI in emu", regs)
    s.qmp.cmd("system_reset")
    t.check(s.wait_serial(r"READY boot 2", count=2),
            "system_reset restarts the guest with emu's irqchip", s.serial_text())
    rc, err = s.finish()
    t.check(rc == 0, "quit with 4 vCPUs asleep in emu (HLT, wait-for-SIPI)",
            f"status {rc}\n{err}")


def case_ring3():
    n = 200000000
    rc, out, err = run_guest("ring3", append=f"iterations={n}")
    check_pass("a heavy loop at ring 3 runs natively; #GP at CPL 3 reaches ring 0", rc,
               out, err)
    m = re.search(r"ring3 xorshift (\d+) iterations = ([0-9a-f]+)", out)
    if t.check(m is not None, "the guest printed its ring-3 result", out):
        small = 100000
        rc2, out2, _ = run_guest("ring3", append=f"iterations={small}")
        m2 = re.search(r"= ([0-9a-f]+)", out2)
        t.check(m2 is not None and int(m2.group(1), 16) == xorshift(small),
                "the ring-3 computation matches the host's (100000 iterations)", out2)


def case_regs():
    s = Session("regs", append="n=1")
    ok = t.check(s.wait_serial(r"READY boot 1"), "the guest reached its halt loop",
                 s.serial_text())
    time.sleep(0.3)
    regs = s.qmp.hmp("info registers") if ok else ""
    t.check("RAX=1122334455667788" in regs and "R15=0123456789abcdef" in regs
            and "RBX=00000000deadbeef" in regs,
            "info registers shows the guest's GPRs (synced from KVM)", regs)
    t.check(re.search(r"CS =0018 0000000000000000 ffffffff 00a09[ab]00 DPL=0 CS64", regs)
            is not None, "info registers decodes the 64-bit code segment", regs)
    t.check("EFER=0000000000000d01" in regs or "EFER=0000000000000501" in regs,
            "EFER shows long mode active (LME|LMA|SCE)", regs)
    t.check(re.search(r"CR0=8001003[0-9a-f] ", regs) is not None and "CR4=00000620" in regs,
            "CR0 has PG|WP|NE and CR4 has PAE|OSFXSR|OSXMMEXCPT", regs)
    t.check("FCW=037f" in regs and "MXCSR=00001f80" in regs, "FPU/SSE state from XSAVE",
            regs)
    s.qmp.cmd("stop")
    t.check(s.qmp.status() == "paused", "stop pauses the KVM vCPU")
    regs2 = s.qmp.hmp("info registers")
    t.check("RAX=1122334455667788" in regs2, "info registers works while paused", regs2)
    s.qmp.cmd("cont")
    t.check(s.qmp.status() == "running", "cont resumes it")
    s.qmp.cmd("system_reset")
    t.check(s.wait_serial(r"READY boot 1", count=2),
            "system_reset restarts the guest from the multiboot entry", s.serial_text())
    rc, err = s.finish()
    t.check(rc == 0, "quit ends emu with status 0 while the vCPU sleeps in HLT",
            f"status {rc}\n{err}")

    s = Session("regs", append="n=2", extra=["-smp", "4"])
    s.wait_serial(r"READY boot 2")
    time.sleep(0.3)
    regs = s.qmp.hmp("info registers")
    t.check(all(f"CPU#{i}" in regs for i in range(4)) and "MP_STATE=wait-for-SIPI" in regs,
            "-smp 4: info registers dumps every vCPU; APs wait for SIPI", regs)
    t.check(all(f"APIC_ID={i} " in regs for i in range(4)), "APIC IDs 0..3", regs)
    rc, err = s.finish()
    t.check(rc == 0, "quit with 4 vCPUs", f"status {rc}\n{err}")


def case_reset():
    rc, out, err = run_guest("reset")
    check_pass("a triple fault resets the machine and the guest boots again", rc, out, err)
    t.check("first boot" in out and "second boot" in out, "both boots on the serial file",
            out)
    rc, out, err = run_guest("reset", extra=["-no-reboot"])
    t.check(rc == 0 and "first boot" in out and "second boot" not in out,
            "-no-reboot: the triple fault ends emu with status 0",
            f"status {rc}\n{out}\n{err}")


def case_emufail():
    s = Session("emufail")
    end = time.time() + 20
    status = None
    while time.time() < end:
        if s.proc.poll() is not None:
            break
        status = s.qmp.status()
        if status != "running":
            break
        time.sleep(0.1)
    if s.proc.poll() is not None:
        rc = s.proc.returncode
        t.check(rc == PASS, "32-bit IRET at CPL 0 works on this host's KVM", f"status {rc}")
        s.tmp.cleanup()
        return
    t.check(status == "internal-error",
            "a KVM internal error (32-bit IRET emulation) stops the VM: internal-error",
            f"status {status}")
    regs = s.qmp.hmp("info registers")
    t.check("EIP=" in regs, "the monitor still answers info registers", regs)
    rc, err = s.finish()
    t.check("KVM: CPU 0: internal error" in err and "EIP=" in err and "CR0=" in err,
            "stderr names the error and dumps the registers", err)
    t.check(rc == 0, "emu did not crash: quit exits 0", f"status {rc}")


def case_memslot():
    testdev = ["-device", "emu-testdev", "-d", "boot"]
    rc, out, err = run_guest("memslot", extra=testdev, timeout=120)
    check_pass("memory slots added, moved and removed at run time: RAM above 4 GiB moved "
               "into the PCI hole, a read-only ROM slot, an MMIO hole, a ROM overlaid on "
               "guest RAM, the dirty log across moves, 600 map/unmap cycles", rc, out, err)
    # emu's slot listener logs each slot it fills under -d boot: with slots
    # freed on removal, the same few numbers come back (a leak climbs to 512).
    slots = [int(n) for n in re.findall(r"^kvm: slot (\d+): ", err, re.M)]
    t.check(len(slots) > 1200 and max(slots) < 8,
            "KVM slots are reused: %d slot fills, highest slot number %s"
            % (len(slots), max(slots) if slots else None), err[-3000:])
    t.check("read-only" in "".join(l for l in err.splitlines() if "testdev.rom" in l),
            "the ROM window is a read-only KVM slot", err[-3000:])
    errors = re.findall(r"^(?:emu: )?kvm: (?:out of memory slots|mapping |removing memory "
                        r"slot).*", err, re.M)
    t.check(not errors, "no KVM slot errors on stderr", "\n".join(errors[:20]))

    # The host's view of the final map the guest leaves (hold).
    s = Session("memslot", append="hold", extra=["-device", "emu-testdev"])
    held = s.wait_serial(r"HOLD status 0x0\n|HOLD status 0\n", timeout=90)
    t.check(held and "FAIL:" not in s.serial_text(),
            "the guest passed its checks and left its final map", s.serial_text())
    mtree = s.qmp.hmp("info mtree -f") if held else ""
    for line, what in [
            ("00000000d0000000-00000000d000ffff (prio 0, ram): testdev.ram",
             "the RAM window in the PCI hole"),
            ("0000000002000000-000000000200ffff (prio 1, rom): testdev.rom",
             "the ROM overlaid on guest RAM at 32 MiB"),
            # (0xa0000-0xbffff is the PCI VGA window, hw/pci-host/i440fx.c)
            ("00000000000c0000-0000000001ffffff (prio 0, ram): pc.ram @00000000000c0000\n",
             "guest RAM below the overlay"),
            ("0000000002010000-0000000007ffffff (prio 0, ram): pc.ram @0000000002010000",
             "guest RAM above the overlay"),
            ("0000000180200000-0000000180200fff (prio 0, i/o): testdev.mmio",
             "the MMIO region above 4 GiB")]:
        t.check(line in mtree, f"info mtree -f shows {what}", mtree)
    rc, err = s.finish()
    t.check(rc == 0, "quit with the windows mapped", f"status {rc}\n{err}")


def emu_fails(args, as_nobody=False):
    cmd = [EMU] + args
    if as_nobody:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def case_errors():
    rc, err = emu_fails(["-machine", "pc,kernel-irqchip=split", "-accel", "kvm",
                         "-display", "none"])
    t.check(rc == 1 and "kernel-irqchip=split is not supported" in err
            and len(err.strip().splitlines()) == 1,
            "kernel-irqchip=split is refused in one clear line", err)
    rc, err = emu_fails(["-machine", "pc", "-accel", "kvm", "-cpu", "foo"])
    t.check(rc == 1 and "-cpu foo: unknown CPU model (see -cpu help)" in err,
            "an unknown -cpu model is refused", err)
    rc, out, err = run_guest("hello", extra=["-cpu", "qemu64,+avx,enforce"])
    t.check((rc == 1 and "the host cannot provide: avx" in err) or rc == PASS,
            "-cpu qemu64,+avx,enforce: refused if KVM lacks AVX, else it boots",
            f"status {rc}\n{err}")
    if os.geteuid() == 0 and shutil.which("setpriv"):
        rc, err = emu_fails(["-machine", "pc", "-accel", "kvm", "-display", "none"],
                            as_nobody=True)
        t.check(rc == 1 and "permission denied on /dev/kvm (add yourself to group kvm)"
                in err, "no permission on /dev/kvm: one clear line", err)
        # With a -bios that is nowhere the fallback machine stops right after
        # choosing; -d boot shows the choice and why KVM was passed over.
        rc, err = emu_fails(["-machine", "pc,accel=kvm:tcg", "-display", "none",
                             "-bios", "no-such-bios.bin", "-d", "boot"], as_nobody=True)
        t.check(rc == 1 and "accelerator: tcg (earlier choices not usable: -accel kvm: "
                "permission denied" in err and "no-such-bios.bin: file not found" in err,
                "accel=kvm:tcg falls back to tcg when KVM is unusable, saying why", err)
    for model in ("host", "max"):
        rc, out, err = run_guest("hello", extra=["-cpu", model])
        check_pass(f"-cpu {model} boots (a refused MSR drops its feature, no abort)", rc,
                   out, err)


def case_ioeventfd():
    """virtio-blk's doorbell under KVM: with ioeventfd=on (the default) KVM turns
    each guest write into an eventfd signal in the kernel, so emu sees no MMIO
    exit for it; with ioeventfd=off every write is an exit. The guest
    (tests/guests/virtio-notify.c) rings the empty queue N times, then reads
    sector 0 through the same doorbell; the host counts the vCPU's exits (info
    cpus) in both runs."""
    n = 3000
    tmp = tempfile.TemporaryDirectory()
    disk = os.path.join(tmp.name, "disk.img")
    with open(disk, "wb") as f:
        f.write(b"emu ioeventfd disk".ljust(65536, b"\0"))
    exits = {}
    for mode in ("on", "off", "iothread"):
        dev = "iothread=io0" if mode == "iothread" else f"ioeventfd={mode}"
        s = Session("virtio-notify", append=f"notifies={n}", extra=[
            "-object", "iothread,id=io0",
            "-drive", f"if=none,id=d0,format=raw,file={disk}",
            "-device", f"virtio-blk-pci,drive=d0,{dev}"])
        done = s.wait_serial(r"NOTIFY-DONE", timeout=150)
        out = s.serial_text()
        info = s.qmp.hmp("info cpus") if done else ""
        rc, err = s.finish()
        m = re.search(r"exits=(\d+)", info)
        t.check(done and "FAIL:" not in out and m is not None,
                f"{dev}: the guest's read through the doorbell is answered",
                f"{out}\n--- info cpus\n{info}\n--- stderr\n{err}")
        exits[mode] = int(m.group(1)) if m else None
    if exits["on"] is not None and exits["off"] is not None:
        t.check(exits["off"] >= n and exits["off"] - exits["on"] >= n * 9 // 10,
                f"{n} doorbell writes: {exits['off']} vCPU exits with ioeventfd=off, "
                f"{exits['on']} with ioeventfd=on (KVM_IOEVENTFD kept them in the kernel)",
                f"exits {exits}")
    if exits["iothread"] is not None and exits["off"] is not None:
        t.check(exits["off"] - exits["iothread"] >= n * 9 // 10,
                f"iothread=io0: the iothread serves the doorbell without exits "
                f"({exits['iothread']} vCPU exits)", f"exits {exits}")
    tmp.cleanup()


def case_irqfd():
    """virtio-blk served by an iothread under KVM with the in-kernel irqchip: the
    guest (virtio-notify.c, `msix`) takes queue 0's interrupt as MSI-X vector 0
    and waits for it after each of 21 reads. The first goes out with the big lock
    (taken by trylock, or in the main loop), which sets up the vector's MSI route
    and irqfd; the others are signalled by the iothread straight into KVM (the
    device's x-irqs-irqfd counter)."""
    tmp = tempfile.TemporaryDirectory()
    disk = os.path.join(tmp.name, "disk.img")
    with open(disk, "wb") as f:
        f.write(b"emu ioeventfd disk".ljust(65536, b"\0"))
    s = Session("virtio-notify", append="notifies=10 msix reads=20", extra=[
        "-object", "iothread,id=io0",
        "-drive", f"if=none,id=d0,format=raw,file={disk}",
        "-device", "virtio-blk-pci,drive=d0,iothread=io0,id=vb"])
    done = s.wait_serial(r"NOTIFY-DONE", timeout=150)
    out = s.serial_text()
    counts = {}
    if done:
        for name in ("x-irqs-irqfd", "x-irqs-direct", "x-irqs-deferred"):
            r = s.qmp.cmd("qom-get", {"path": "/machine/peripheral/vb", "property": name})
            counts[name] = r.get("return")
    rc, err = s.finish()
    t.check(done and "FAIL:" not in out and out.count("interrupt arrived") == 21,
            "21 reads from an iothread, each answered by its MSI-X interrupt",
            f"{out}\n--- stderr\n{err}")
    irqfd = counts.get("x-irqs-irqfd") or 0
    t.check(irqfd >= 19, f"the iothread sent {irqfd} of them through the KVM irqfd "
            f"({counts.get('x-irqs-direct')} under a free big lock, "
            f"{counts.get('x-irqs-deferred')} through the main loop)", f"{counts}")
    tmp.cleanup()


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        sys.exit(f"usage: test_kvm.py {{{','.join(CASES)}}}")
    why = kvm_unusable()
    guest = {"irqoff": "irq", "ioeventfd": "virtio-notify",
             "irqfd": "virtio-notify"}.get(sys.argv[1], sys.argv[1])
    if not why and sys.argv[1] != "errors" and \
            not os.path.exists(os.path.join(GUESTS, guest + ".bin")):
        why = f"guest {guest}.bin not built (non-x86 host?)"
    if why:
        # Meson's TAP reader reports "1..0 # SKIP" as a skip only with status 0.
        print(f"1..0 # SKIP {why}")
        sys.exit(0)
    CASES[sys.argv[1]]()
    t.done()
