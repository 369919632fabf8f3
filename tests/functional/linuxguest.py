"""The standard Linux test guest (scripts/fetch-guest.sh: Debian's kernel and a
busybox initramfs whose init is scripts/guest-init.sh) for the functional tests:
where it is, skipping without it, and emu's command line to boot it.

Env: EMU_GUEST_CACHE (default .cache/guest), EMU_LINUX_TCG_TIMEOUT (s per boot).
"""
import gzip
import os
import shutil

from emutest import EMU

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.environ.get("EMU_GUEST_CACHE", os.path.join(ROOT, ".cache", "guest"))
KERNEL = os.path.join(CACHE, "vmlinuz")
INITRD = os.path.join(CACHE, "initrd.img")
BUSYBOX = os.path.join(CACHE, "busybox")
TIMEOUT = float(os.environ.get("EMU_LINUX_TCG_TIMEOUT", "600"))
# Kernel command line start: serial console, quiet, power off on panic, and
# no_timer_check, as guests in emulators commonly pass: Linux's boot-time
# check (IRQ 0 must tick more than 4 times within 40e9/HZ TSC cycles) costs
# the boot about 5 ticks. emu passes it even on a starved host (the timers'
# lost_tick_policy=delay); test_linux_timer_stall.py boots without it.
CONSOLE = "console=ttyS0 quiet panic=-1 no_timer_check"


def initrd_bytes():
    """The guest's initramfs, gunzipped when it is compressed."""
    with open(INITRD, "rb") as f:
        data = f.read()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def tool(name):
    """The path of a host program (also looked for in /usr/sbin, /sbin), or None."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")


def require_guest(t, modules=(), files=(), tools=()):
    """Skip the whole test (TAP) unless the guest is cached, its initramfs holds
    each kernel module in @modules (NAME.ko, '_' also spelt '-'), the cache holds
    @files and the host has the programs in @tools. Returns the tools' paths."""
    for path in (KERNEL, INITRD) + tuple(os.path.join(CACHE, f) for f in files):
        if not os.path.exists(path):
            t.skip_all(f"no test guest in {CACHE} (scripts/fetch-guest.sh fetches it)")
    if modules:
        initrd = initrd_bytes()
        missing = [m for m in modules if (m + ".ko").encode() not in initrd and
                   (m.replace("_", "-") + ".ko").encode() not in initrd]
        if missing:
            t.skip_all(f"the guest initramfs lacks {', '.join(missing)} "
                       "(rerun scripts/fetch-guest.sh)")
    paths = [tool(name) for name in tools]
    missing = [name for name, path in zip(tools, paths) if path is None]
    if missing:
        t.skip_all(f"{', '.join(missing)} not installed (scripts/install-deps.sh)")
    return paths


def encode_cmd(cmd):
    """@cmd as the value of emu.cmd=: the kernel command line cannot carry
    spaces, quotes or '%', so guest-init.sh decodes %XX escapes."""
    return "".join(ch if ch.isalnum() or ch in "-_./:=,+|&>;<()" else "%%%02X" % ord(ch)
                   for ch in cmd)


def wait_dev_cmd(dev, tries=150):
    """Shell that waits up to @tries * 0.2 s for the block device @dev."""
    return (f"i=0; while [ ! -b {dev} ] && [ $i -lt {tries} ]; do sleep 0.2; "
            "i=$((i+1)); done; ")


def linux_args(cmd=None, modules=(), append="", extra=(), mem=512, accel="tcg",
               console=CONSOLE, display=("-nographic",)):
    """emu's command line booting the test guest on -machine pc: the kernel
    command line is @console, @append, emu.modprobe=@modules and
    emu.cmd=@cmd (encoded); @extra goes before -append."""
    words = [console, append]
    if modules:
        words.append("emu.modprobe=" + ",".join(modules))
    if cmd is not None:
        words.append("emu.cmd=" + encode_cmd(cmd))
    return ([EMU, "-machine", "pc", "-accel", accel, "-m", str(mem),
             "-kernel", KERNEL, "-initrd", INITRD] + list(display) + ["-no-reboot"] +
            list(extra) + ["-append", " ".join(w for w in words if w)])
