#!/bin/sh
# Fetch the standard test guest: Debian's stock x86-64 kernel and busybox-static,
# as Debian packages, into a cache folder outside git, and build an initramfs whose
# /init (scripts/guest-init.sh) runs a command given on the kernel command line.
#
#   scripts/fetch-guest.sh        prints the paths of vmlinuz and initrd.img
#
# Cache: $EMU_GUEST_CACHE, default <repo>/.cache/guest (ignored by git). Holds
# vmlinuz, initrd.img, busybox, VERSION and the downloaded .deb files in debs/.
# Idempotent and offline-safe: nothing is downloaded when vmlinuz and busybox are
# already there; initrd.img is rebuilt only when the init script or this script is
# newer than it. Delete the cache folder to fetch a newer kernel.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${EMU_GUEST_CACHE:-$REPO/.cache/guest}
mkdir -p "$CACHE/debs"

SUDO=""
APT_OPTS=""
if [ "$(id -u)" != 0 ]; then
    SUDO="sudo"
else
    # root: download as root instead of warning that _apt cannot write here.
    APT_OPTS="-o APT::Sandbox::User=root"
fi

# The package a metapackage depends on, e.g. linux-image-amd64 ->
# linux-image-6.1.0-XX-amd64 (the newest in the apt lists).
resolve_dep() {
    apt-cache depends "$1" 2>/dev/null | sed -n 's/^ *Depends: *\([^ <>]*\).*/\1/p' |
        grep "$2" | head -n 1
}

ensure_apt_lists() {
    if ! apt-cache show "$1" >/dev/null 2>&1; then
        echo "fetch-guest: apt lists lack $1, running apt-get update" >&2
        $SUDO apt-get update -qq
    fi
}

# Download package $1 into debs/ (once) and print the path of its .deb.
download() {
    existing=$(ls "$CACHE/debs/$1"_*.deb 2>/dev/null | head -n 1 || true)
    if [ -n "$existing" ]; then
        echo "$existing"
        return
    fi
    (cd "$CACHE/debs" && apt-get $APT_OPTS download -q "$1" >&2)
    ls "$CACHE/debs/$1"_*.deb | head -n 1
}

if [ ! -s "$CACHE/vmlinuz" ]; then
    ensure_apt_lists linux-image-amd64
    pkg=$(resolve_dep linux-image-amd64 '^linux-image-.*-amd64$')
    if [ -z "$pkg" ]; then
        echo "fetch-guest: cannot find the package behind linux-image-amd64" >&2
        exit 1
    fi
    deb=$(download "$pkg")
    tmp=$(mktemp -d "$CACHE/extract.XXXXXX")
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*'
    kernel=$(ls "$tmp"/boot/vmlinuz-* | head -n 1)
    cp "$kernel" "$CACHE/vmlinuz.tmp"
    mv "$CACHE/vmlinuz.tmp" "$CACHE/vmlinuz"
    echo "kernel=$pkg $(basename "$deb")" > "$CACHE/VERSION.kernel"
    rm -rf "$tmp"
fi

if [ ! -s "$CACHE/busybox" ]; then
    ensure_apt_lists busybox-static
    deb=$(download busybox-static)
    tmp=$(mktemp -d "$CACHE/extract.XXXXXX")
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./bin/busybox
    cp "$tmp/bin/busybox" "$CACHE/busybox.tmp"
    chmod 755 "$CACHE/busybox.tmp"
    mv "$CACHE/busybox.tmp" "$CACHE/busybox"
    echo "busybox=$(basename "$deb")" > "$CACHE/VERSION.busybox"
    rm -rf "$tmp"
fi

# Kernel modules in the initramfs, loaded by emu.modprobe=a,b (guest-init.sh),
# with their dependencies: disks, CD, filesystems, NICs and the bochs DRM.
MODULES="ata_piix libata sd_mod sr_mod cdrom isofs vfat fat ext4 virtio_pci virtio_blk
virtio_net e1000 bochs failover net_failover crc32c_generic virtio_rng virtio_balloon
virtio_console nls_cp437 nls_ascii nls_utf8"
# Bump when the initramfs contents change, so existing caches are rebuilt.
INITRD_VERSION=6

INIT="$REPO/scripts/guest-init.sh"
if [ ! -s "$CACHE/initrd.img" ] || [ "$INIT" -nt "$CACHE/initrd.img" ] ||
   [ "$0" -nt "$CACHE/initrd.img" ] || [ "$CACHE/busybox" -nt "$CACHE/initrd.img" ] ||
   [ "$(cat "$CACHE/initrd.version" 2>/dev/null)" != "$INITRD_VERSION" ] ||
   [ "$REPO/scripts/guest-modules.py" -nt "$CACHE/initrd.img" ] ||
   [ "$REPO/scripts/guest-udhcpc.sh" -nt "$CACHE/initrd.img" ]; then
    kdeb=$(ls "$CACHE"/debs/linux-image-*-amd64_*.deb 2>/dev/null | head -n 1 || true)
    if [ -z "$kdeb" ]; then
        ensure_apt_lists linux-image-amd64
        kdeb=$(download "$(sed -n 's/^kernel=\([^ ]*\) .*/\1/p' "$CACHE/VERSION.kernel")")
    fi
    stage=$(mktemp -d "$CACHE/modules.XXXXXX")
    # shellcheck disable=SC2086
    python3 "$REPO/scripts/guest-modules.py" "$stage" "$kdeb" $MODULES > "$stage/entries"
    # shellcheck disable=SC2046
    python3 "$REPO/scripts/mkinitramfs.py" "$CACHE/initrd.img.tmp" \
        dir:/bin dir:/sbin dir:/usr dir:/usr/bin dir:/usr/sbin dir:/dev dir:/proc \
        dir:/sys dir:/tmp dir:/root dir:/etc dir:/mnt dir:/usr/share dir:/usr/share/udhcpc \
        chardev:/dev/console=5:1 chardev:/dev/null=1:3 chardev:/dev/ttyS0=4:64 \
        file:/bin/busybox="$CACHE/busybox" symlink:/bin/sh=busybox \
        file:/init="$INIT" file:/usr/share/udhcpc/default.script="$REPO/scripts/guest-udhcpc.sh" \
        $(cat "$stage/entries")
    mv "$CACHE/initrd.img.tmp" "$CACHE/initrd.img"
    echo "$INITRD_VERSION" > "$CACHE/initrd.version"
    rm -rf "$stage"
fi

cat "$CACHE/VERSION.kernel" "$CACHE/VERSION.busybox" > "$CACHE/VERSION"
echo "vmlinuz: $CACHE/vmlinuz"
echo "initrd:  $CACHE/initrd.img"
