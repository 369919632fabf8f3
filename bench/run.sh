#!/bin/sh
# Run every benchmark in bench/ (files named *.bench.sh); each prints emu vs QEMU
# figures and ratios. Benchmarks are measurements, never pass/fail tests.
set -u
build=${1:-build}
dir=$(dirname "$0")
found=0
for b in "$dir"/*.bench.sh; do
    [ -e "$b" ] || continue
    found=1
    echo "== $(basename "$b" .bench.sh)"
    sh "$b" "$build" || echo "(benchmark $(basename "$b") failed)"
done
[ $found = 1 ] || echo "no benchmarks yet"
