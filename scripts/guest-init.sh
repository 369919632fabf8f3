#!/bin/busybox sh
# /init of the standard test guest (built into initrd.img by scripts/fetch-guest.sh).
#
# Kernel command line options read here:
#   emu.cmd=CMD    run CMD with sh -c; write a space as %20 (any %XX is decoded)
#   -- CMD...      everything after " -- " is the command when emu.cmd= is absent
#   emu.modprobe=a,b  load these kernel modules (busybox modprobe) first
#   emu.shell=1    after the command, start an interactive shell on the console
#                  instead of powering off
# Prints EMU-GUEST-READY once /proc, /sys and /dev are mounted, then
# EMU-CMD-DONE rc=N after the command, then powers off (poweroff -f).
/bin/busybox mkdir -p /proc /sys /dev /tmp /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
hostname emu-guest

cmdline=$(cat /proc/cmdline)
cmd=""
shell=0
for word in $cmdline; do
    case "$word" in
        emu.cmd=*)
            # %XX -> \xXX, then let printf %b decode it; a literal backslash must
            # be written %5C.
            enc=$(echo "${word#emu.cmd=}" |
                  sed 's/\\/\\\\/g; s/%\([0-9A-Fa-f][0-9A-Fa-f]\)/\\x\1/g')
            cmd=$(printf '%b' "$enc")
            ;;
        emu.shell=1)
            shell=1
            ;;
        emu.modprobe=*)
            modules=$(echo "${word#emu.modprobe=}" | tr ',' ' ')
            ;;
    esac
done
# emu.modprobe=a,b: load modules from the initramfs (scripts/fetch-guest.sh).
for m in ${modules:-}; do
    modprobe "$m" || echo "emu-init: modprobe $m failed"
done
if [ -z "$cmd" ]; then
    case "$cmdline" in
        *" -- "*) cmd=${cmdline#* -- } ;;
    esac
fi

echo "EMU-GUEST-READY"
rc=0
if [ -n "$cmd" ]; then
    sh -c "$cmd"
    rc=$?
fi
echo "EMU-CMD-DONE rc=$rc"

if [ "$shell" = 1 ]; then
    echo "emu guest shell (exit or poweroff -f to stop)"
    # cttyhack gives the shell a controlling terminal so Ctrl-C works.
    setsid cttyhack sh -l
fi
sync
poweroff -f
# poweroff needs ACPI; without it the kernel halts. Never let init exit (panic).
while true; do sleep 3600; done
