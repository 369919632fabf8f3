#!/bin/sh
# PIO and MMIO exit round trip under KVM, emu vs QEMU (see exit_roundtrip.py).
exec python3 "$(dirname "$0")/exit_roundtrip.py" "${1:-build}"
