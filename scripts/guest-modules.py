#!/usr/bin/env python3
"""Pick kernel modules (with everything they depend on) out of a linux-image .deb.

Usage: guest-modules.py STAGE DEB MODULE...
Extracts lib/modules/KVER/kernel/.../MODULE.ko and the modules they need into
STAGE, writes STAGE/lib/modules/KVER/modules.dep in depmod's format ("path:
dep dep", paths relative to the KVER folder, dependencies in load order), and
prints the scripts/mkinitramfs.py entries that put them at /lib/modules.

Dependencies come from each module's own .modinfo section ("depends=a,b"), the
same field depmod reads, so no kmod is needed on the host. Module names compare
with '-' and '_' as equal, as modprobe does.
"""
import os
import struct
import subprocess
import sys
import tarfile


def norm(name):
    return name.replace("-", "_")


def modinfo_depends(data):
    """The depends= list of an ELF64 relocatable module image."""
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return []
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)

    def section(i):
        off = shoff + i * shentsize
        name, _, _, _, offset, size = struct.unpack_from("<IIQQQQ", data, off)
        return name, offset, size

    _, str_off, _ = section(shstrndx)
    for i in range(shnum):
        name, offset, size = section(i)
        end = data.index(b"\0", str_off + name)
        if data[str_off + name:end] == b".modinfo":
            for field in data[offset:offset + size].split(b"\0"):
                if field.startswith(b"depends="):
                    deps = field[len(b"depends="):].decode()
                    return [norm(d) for d in deps.split(",") if d]
    return []


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    stage, deb, wanted = argv[1], argv[2], [norm(m) for m in argv[3:]]
    tar_bytes = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb], check=True,
                               stdout=subprocess.PIPE).stdout
    import io
    tf = tarfile.open(fileobj=io.BytesIO(tar_bytes))
    mods = {}           # name -> (relative path under KVER, member)
    kver = None
    for m in tf.getmembers():
        p = m.name.lstrip("./")
        if not (p.startswith("lib/modules/") and p.endswith(".ko") and m.isfile()):
            continue
        parts = p.split("/")
        kver = parts[2]
        mods[norm(os.path.basename(p)[:-3])] = ("/".join(parts[3:]), m)
    if not kver:
        sys.stderr.write("guest-modules: no modules in %s\n" % deb)
        return 1

    deps = {}
    data = {}
    order = []

    def visit(name, stack):
        if name in deps:
            return
        if name not in mods:
            raise SystemExit("guest-modules: module %s not in %s" % (name, deb))
        if name in stack:
            return
        blob = tf.extractfile(mods[name][1]).read()
        data[name] = blob
        direct = modinfo_depends(blob)
        for d in direct:
            visit(d, stack + [name])
        # depmod lists every (transitive) dependency so that loading the list
        # from its end is a valid order: a topological order, reversed.
        topo = []
        for d in direct:
            for x in list(reversed(deps[d])) + [d]:
                if x not in topo:
                    topo.append(x)
        deps[name] = list(reversed(topo))
        order.append(name)

    for w in wanted:
        visit(w, [])

    base = os.path.join(stage, "lib/modules", kver)
    dirs = set()
    entries = []
    for name in order:
        rel = mods[name][0]
        dst = os.path.join(base, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "wb") as f:
            f.write(data[name])
        d = os.path.dirname("/lib/modules/%s/%s" % (kver, rel))
        while d not in ("/", ""):
            dirs.add(d)
            d = os.path.dirname(d)
        entries.append("file:/lib/modules/%s/%s=%s" % (kver, rel, dst))
    with open(os.path.join(base, "modules.dep"), "w") as f:
        for name in order:
            f.write("%s: %s\n" % (mods[name][0], " ".join(mods[d][0] for d in deps[name])))
    dirs.add("/lib/modules/%s" % kver)
    out = ["dir:%s" % d for d in sorted(dirs, key=lambda x: (x.count("/"), x))]
    out += entries
    out.append("file:/lib/modules/%s/modules.dep=%s" % (kver, os.path.join(base, "modules.dep")))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
