#!/bin/sh
# Debian kernel boot to marker, emu vs QEMU (see linux_boot.py; BENCH_ACCEL=kvm|tcg).
exec python3 "$(dirname "$0")/linux_boot.py" "${1:-build}"
