#!/usr/bin/env python3
"""Write a gzip-compressed newc cpio archive (a Linux initramfs) without root.

Usage: mkinitramfs.py OUTPUT ENTRY...
  dir:PATH               a directory (mode 0755)
  file:PATH=HOSTFILE     a regular file with the host file's contents (mode 0755)
  symlink:PATH=TARGET    a symbolic link
  chardev:PATH=MAJ:MIN   a character device node (mode 0600)

The "newc" format (magic 070701) is the one the kernel's initramfs unpacker
reads (Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte
ASCII header of thirteen 8-digit hex fields, the NUL-terminated name padded to a
multiple of 4 bytes, then the data padded to 4, and a final "TRAILER!!!" entry.
Device nodes can be written without root because we write the archive ourselves
instead of asking cpio to read them from the host file system.
"""
import gzip
import sys

S_IFDIR, S_IFREG, S_IFLNK, S_IFCHR = 0o040000, 0o100000, 0o120000, 0o020000


def pad4(n):
    return (4 - n % 4) % 4


def entry(ino, name, mode, data=b"", rdev=(0, 0), nlink=1):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1],
              len(name_b), 0]
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = hdr + name_b + b"\0" * pad4(len(hdr) + len(name_b))
    return out + data + b"\0" * pad4(len(data))


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    parts = []
    ino = 1
    for spec in argv[2:]:
        kind, _, rest = spec.partition(":")
        path, _, arg = rest.partition("=")
        path = path.lstrip("/")
        if kind == "dir":
            parts.append(entry(ino, path, S_IFDIR | 0o755, nlink=2))
        elif kind == "file":
            with open(arg, "rb") as f:
                parts.append(entry(ino, path, S_IFREG | 0o755, f.read()))
        elif kind == "symlink":
            parts.append(entry(ino, path, S_IFLNK | 0o777, arg.encode()))
        elif kind == "chardev":
            major, minor = (int(x) for x in arg.split(":"))
            parts.append(entry(ino, path, S_IFCHR | 0o600, rdev=(major, minor)))
        else:
            sys.stderr.write("mkinitramfs: unknown entry kind in %r\n" % spec)
            return 2
        ino += 1
    parts.append(entry(0, "TRAILER!!!", 0))
    # mtime=0: the same inputs give the same bytes.
    with open(argv[1], "wb") as out:
        out.write(gzip.compress(b"".join(parts), compresslevel=9, mtime=0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
