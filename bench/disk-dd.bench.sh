#!/bin/sh
# In-guest O_DIRECT dd on IDE and virtio-blk, MB/s and IOPS, emu vs QEMU TCG (disk_dd.py).
exec python3 "$(dirname "$0")/disk_dd.py" "${1:-build}"
