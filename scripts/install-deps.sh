#!/bin/sh
# Install what emu's build and tests need on Debian 12. Idempotent: does nothing
# (and needs no network) when everything is already there.
set -eu

PACKAGES="gcc make meson ninja-build pkg-config libglib2.0-dev libjson-glib-dev \
libcapstone-dev libpixman-1-dev libpng-dev libslirp-dev seabios \
linux-libc-dev python3 \
xorriso mtools syslinux syslinux-common isolinux dosfstools e2fsprogs"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO="sudo"
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
