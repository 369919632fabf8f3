#!/usr/bin/env python3
"""Linux enumerates emu's PCI bus through ACPI (no pci=noacpi), standard test guest
under `-machine pc -accel tcg`:

- /sys/bus/pci (no lspci) lists the i440FX 00:00.0 8086:1237, PIIX3 00:01.0
  8086:7000, its IDE 00:01.1 8086:7010 and PM 00:01.3 8086:7113, and the std VGA
  1234:1111 (ids from the datasheets / QEMU's stdvga);
- /sys/firmware/acpi/tables holds the DSDT, and the kernel found the host bridge
  PNP0A03 and the link devices (dmesg "ACPI: PCI Root Bridge [PCI0]",
  "PCI: Using ACPI for IRQ routing"), with no "ACPI Error" / "ACPI BIOS Error" /
  ACPI warnings;
- the DSDT's ISA devices are bound by Linux's PnP drivers: i8042 (PNP0303 /
  PNP0F13 at 0x60/0x64, IRQ 1/12), COM1 (PNP0501 at 0x3f8, IRQ 4), the RTC;
- a virtio-blk disk works: the guest reads a known file back from it (the
  driver's interrupts come from the _PRT + link routing), and /proc/interrupts
  shows its line as an IO-APIC level interrupt that fired; the PIIX3 PIRQRC
  register (00:01.0 config 0x60-0x63, read in the guest) holds the IRQ the
  kernel said it enabled the link at.

Env: EMU_GUEST_CACHE (default .cache/guest), EMU_LINUX_TCG_TIMEOUT (s per boot).
"""
import os
import re
import shutil
import subprocess
import tempfile

from emutest import Tap, run_guest
from linuxguest import TIMEOUT, linux_args, require_guest

t = Tap()
(MKFS,) = require_guest(t, modules=["virtio_blk"], tools=["mkfs.ext4"])

work = tempfile.mkdtemp(prefix="emu-acpi-")
try:
    img = os.path.join(work, "disk.img")
    src = os.path.join(work, "src")
    os.mkdir(src)
    token = "acpi-routed-" + os.urandom(6).hex()
    with open(os.path.join(src, "token.txt"), "w") as f:
        f.write(token + "\n")
    subprocess.run([MKFS, "-q", "-F", "-d", src, img, "16M"], check=True,
                   capture_output=True)

    cmd = ("for d in /sys/bus/pci/devices/*; do echo PCIDEV ${d##*/} "
           "$(cat $d/vendor):$(cat $d/device); done; "
           "ls /sys/firmware/acpi/tables/ | tr '\\n' ' ' | sed 's/^/ACPITABLES /'; echo; "
           "mkdir -p /mnt; mount -t ext4 -o ro /dev/vda /mnt && "
           "echo TOKEN=$(cat /mnt/token.txt) && umount /mnt; "
           "grep -i virtio /proc/interrupts | sed 's/^/IRQLINE /'; "
           "echo PIRQRC $(od -An -tx1 -j96 -N4 /sys/bus/pci/devices/0000:00:01.0/config); "
           "dmesg | grep -iE 'acpi|pci|irq|pnp|rtc' | sed 's/^/DMESG /'")
    args = linux_args(cmd, ["virtio_pci", "virtio_blk", "crc32c_generic", "ext4"],
                      # pci=nomsi: virtio then takes INTx, which only the _PRT and the
                      # links route.
                      append="pci=nomsi", console="console=ttyS0 panic=-1 loglevel=4",
                      mem=256, extra=["-vga", "std", "-nic", "none",
                                      "-drive", f"if=virtio,format=raw,file={img}"])
    out, rc, secs = run_guest(args, TIMEOUT)
    t.check(rc == 0 and "EMU-CMD-DONE" in out, f"boots and powers off ({secs:.1f} s)",
            out[-3000:])
    if os.environ.get("EMU_TEST_VERBOSE"):
        print("\n".join("# " + l for l in out.splitlines()))

    devs = {bdf: f"{v}:{d}" for bdf, v, d in
            re.findall(r"^PCIDEV 0000:(\S+) 0x([0-9a-f]{4}):0x([0-9a-f]{4})$", out, re.M)}
    want = {"00:00.0": "8086:1237", "00:01.0": "8086:7000", "00:01.1": "8086:7010",
            "00:01.3": "8086:7113"}
    for bdf, ids in want.items():
        t.check(devs.get(bdf) == ids, f"{bdf} is {ids} in /sys/bus/pci", str(devs))
    t.check("1234:1111" in devs.values(), "the std VGA 1234:1111 is enumerated", str(devs))
    t.check("1af4:1001" in devs.values(), "the virtio-blk function 1af4:1001 is enumerated",
            str(devs))

    tables = next((l for l in out.splitlines() if l.startswith("ACPITABLES")), "")
    t.check("DSDT" in tables.split(), "/sys/firmware/acpi/tables has the DSDT", tables)

    dmesg = "\n".join(l for l in out.splitlines() if l.startswith("DMESG"))
    t.check("PCI: Using ACPI for IRQ routing" in out,
            "dmesg: PCI: Using ACPI for IRQ routing", dmesg[-2000:])
    t.check(re.search(r"PCI Root Bridge \[PCI0\]", out) is not None,
            "dmesg: the kernel found the PCI0 root bridge in the DSDT", dmesg[-2000:])
    bad = [l for l in out.splitlines()
           if re.search(r"ACPI (BIOS )?Error|ACPI Warning|ACPI BIOS Warning|"
                        r"ACPI Exception", l)]
    t.check(not bad, "no ACPI errors or warnings in the log", "\n".join(bad[:20]))
    # The DSDT's ISA devices, bound by Linux's PnP drivers at the PC/AT resources.
    pnp = re.search(r"pnp: PnP ACPI: found (\d+) devices", out)
    t.check(pnp and int(pnp.group(1)) >= 4, "PnP ACPI finds the RTC, KBD, MOU and COM1",
            pnp.group(0) if pnp else dmesg[-1500:])
    t.check(re.search(r"i8042: PNP: PS/2 Controller \[PNP0303:KBD,PNP0f13:MOU\] at "
                      r"0x60,0x64 irq 1,12", out) is not None,
            "i8042 is found through PNP0303/PNP0F13 at 0x60/0x64, IRQ 1/12", dmesg[-1500:])
    t.check(re.search(r"00:\w+: ttyS0 at I/O 0x3f8 \(irq = 4", out) is not None,
            "8250_pnp binds COM1 (PNP0501) at 0x3f8, IRQ 4", dmesg[-1500:])
    t.check(re.search(r"rtc_cmos 00:\w+:", out) is not None,
            "rtc_cmos binds the PNP0B00 device", dmesg[-1500:])
    t.check(f"TOKEN={token}" in out, "virtio-blk works: the guest reads the host's file",
            out[-2000:])
    # The link Linux enabled (dmesg) is what the PIIX3 register now says (§2.2.9).
    links = re.findall(r"_SB_\.LNK([A-D]): Enabled at IRQ (\d+)", out)
    regs = re.search(r"^PIRQRC ((?:[0-9a-f]{2} ?){4})$", out, re.M)
    vals = [int(v, 16) for v in regs.group(1).split()] if regs else []
    t.check(links and len(vals) == 4 and
            all(vals["ABCD".index(l)] == int(irq) for l, irq in links),
            "PIRQRC holds the IRQs the kernel set through the links' _SRS",
            f"{links} {regs.group(0) if regs else 'no PIRQRC line'}")
    irqs = [l for l in out.splitlines() if l.startswith("IRQLINE")]
    fired = [l for l in irqs if "IO-APIC" in l and "fasteoi" in l and
             sum(int(x) for x in re.findall(r"\s(\d+)(?=\s)", l.split(":", 1)[1])[:8]) > 0]
    t.check(fired, "/proc/interrupts: a virtio line is an IO-APIC level (fasteoi) IRQ "
            "that fired", "\n".join(irqs))
finally:
    shutil.rmtree(work, ignore_errors=True)
t.done()
