#!/bin/sh
# Guest<->host TCP throughput with busybox nc over user (slirp) and tap, virtio-net and e1000, emu vs QEMU TCG (net_tcp.py).
exec python3 "$(dirname "$0")/net_tcp.py" "${1:-build}"
