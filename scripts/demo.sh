#!/bin/sh
# Boot the default guest. No bootable machine is built yet, so this starts the
# empty machine with its monitor on the terminal: try `info qtree`, `info mtree`,
# then Ctrl-A x to quit.
set -eu
build=${1:-build}
echo "emu demo: no bootable machine is built yet; starting '-machine none' with the"
echo "monitor on this terminal. Type 'help', and Ctrl-A x to quit."
exec "$build/emu" -machine none -m 16M -nographic
