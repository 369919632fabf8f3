#!/bin/sh
# make demo: boot the standard test guest (Debian's kernel + a busybox shell).
#  - With a hardware KVM (VMX/SVM), under KVM.
#  - Elsewhere (no /dev/kvm, or a software KVM such as kvm_pvm that cannot run an
#    unmodified kernel), emu's own translator will run it once `-accel tcg` exists;
#    until then the demo runs a multiboot test guest under KVM and then leaves you
#    at the monitor of an empty machine.
set -eu
build=${1:-build}
emu="$build/emu"
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${EMU_GUEST_CACHE:-$root/.cache/guest}

hardware_kvm() {
    [ -w /dev/kvm ] && [ ! -e /sys/module/kvm_pvm ] &&
        grep -qE '^flags.* (vmx|svm)( |$)' /proc/cpuinfo
}

if hardware_kvm; then
    "$root/scripts/fetch-guest.sh" >/dev/null
    echo "emu demo: Debian's kernel with a busybox shell under KVM; 'poweroff' or Ctrl-A x quits."
    exec "$emu" -machine pc -accel kvm -m 512 -smp 2 -kernel "$cache/vmlinuz" \
        -initrd "$cache/initrd.img" -append "console=ttyS0 emu.shell=1" -nographic
fi

echo "emu demo: this host has no hardware KVM, and emu's own translator (-accel tcg)"
echo "cannot run a whole kernel yet, so Debian's kernel cannot boot here yet."
if [ -w /dev/kvm ] && [ -e "$build/tests/guests/hello.bin" ]; then
    echo "Running a multiboot test guest under this host's software KVM instead:"
    "$emu" -machine pc -accel kvm -m 64 -kernel "$build/tests/guests/hello.bin" \
        -append "demo" -serial stdio -display none \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 || true
fi
echo "Now the monitor of an empty machine: try 'help', 'info qtree'; Ctrl-A x quits."
exec "$emu" -machine none -m 16M -nographic
