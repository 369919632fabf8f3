#!/bin/sh
# CPU-bound guest userspace under -accel tcg: emu vs QEMU vs native (tcg_workload.py).
exec python3 "$(dirname "$0")/tcg_workload.py" "${1:-build}"
