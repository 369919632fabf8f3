#!/bin/sh
# Disk boot through SeaBIOS + SYSLINUX to the banner and to the shell marker, emu vs QEMU TCG (disk_boot.py).
exec python3 "$(dirname "$0")/disk_boot.py" "${1:-build}"
