#!/bin/sh
# Start-up time and peak RSS of the empty machine, emu vs QEMU (see startup.py).
exec python3 "$(dirname "$0")/startup.py" "${1:-build}"
