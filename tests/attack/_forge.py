#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
_forge.py: build hostile media for tests/attack/.  A forged medium is a
real medium (mkmedia) whose manifest is edited and then signed again with a
test key, so the client gets past the signature check and the layer under
test is the one that must refuse.  Python standard library only; zstd
frames come from the zstd CLI or are written by hand (RLE bombs, huge
window descriptors).

  _forge.py package MED COMP VERSION SPEC.json
      Write a base package from SPEC (see below), put it on MED as the base
      of COMP VERSION (replacing the old one, dropping deltas to or from
      VERSION), set VERSION's listing, fix files[] and SHA256SUMS, re-sign.
  _forge.py edit MED CODE [--no-fix] [--key NAME]...
      exec CODE with `m` (the manifest as a dict) and helpers comp(name),
      ver(comp, version), fentry(path); then fix files[] sizes and hashes
      (unless --no-fix), rewrite SHA256SUMS and re-sign manifest.json.
  _forge.py raw MED FILE [--key NAME]...
      FILE's bytes become manifest.json as they are; re-sign.
  _forge.py sign MED [--key NAME]... [--armor] [--clearsign] [--faked T]
      Sign manifest.json again (sig files .sig, .sig.2, ... one per key).
  _forge.py fixsums MED
      Rewrite SHA256SUMS from files[] and sign it with the good key.

SPEC (JSON):
  {"listing": [{"d": "Bases"}, {"f": "Bases/a", "data": "x", "mode": "0644"}],
   "tar": [{"type": "symlink", "name": "Bases/a", "link": "/etc/passwd"}],
   "format": "gnu" | "pax" | "ustar",
   "wlog": 31,            window descriptor of the frame (hand-patched)
   "bomb": N,             N zero bytes after the tar, in RLE blocks
   "truncate": N}         keep only the first N bytes of the package
  listing entries make the signed tree; "tar" (default: the listing) makes
  the archive.  Tar entry keys: type file|dir|symlink|hardlink|chr|blk|fifo,
  name (or name_hex for raw bytes), data (text) or zeros (N), mode (octal
  string), link.
Keys are named as in tests/lib/mkkeys.sh (good, k2, evil, exp, rev, ...)
and found through FPR_<NAME>; KEYHOME is the GnuPG home that holds them.
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

LAYOUT = "ferry"


def die(msg):
    sys.stderr.write("_forge.py: %s\n" % msg)
    sys.exit(1)


def folder(med):
    return os.path.join(med, LAYOUT) if os.path.isdir(
        os.path.join(med, LAYOUT)) else med


def sha256_bytes(b):
    return hashlib.sha256(b).hexdigest()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fpr(name):
    v = os.environ.get("FPR_" + name.upper())
    if not v:
        die("no key %s (FPR_%s unset)" % (name, name.upper()))
    return v


def gpg(args, faked=None):
    cmd = ["gpg", "--homedir", os.environ["KEYHOME"], "--batch", "--yes",
           "--quiet", "--no-tty", "--pinentry-mode", "loopback",
           "--passphrase", ""]
    if faked:
        cmd += ["--faked-system-time", faked + "!"]
    r = subprocess.run(cmd + args, stderr=subprocess.PIPE)
    if r.returncode != 0:
        die("gpg %s: %s" % (" ".join(args), r.stderr.decode(errors="replace")))


def sign_file(path, keys, armor=False, clearsign=False, faked=None):
    """One signature file per key: path.sig, path.sig.2, ..."""
    d = os.path.dirname(path)
    base = os.path.basename(path)
    for n in os.listdir(d):
        if n == base + ".sig" or n.startswith(base + ".sig."):
            os.unlink(os.path.join(d, n))
    for i, k in enumerate(keys):
        out = path + ".sig" + ("" if i == 0 else ".%d" % (i + 1))
        mode = ["--clearsign"] if clearsign else ["--detach-sign"]
        if armor:
            mode.append("--armor")
        gpg(["--digest-algo", "SHA256", "-u", fpr(k) + "!", "-o", out] +
            mode + [path], faked)


# --- the manifest ----------------------------------------------------------

def load(med):
    with open(os.path.join(folder(med), "manifest.json"), "rb") as f:
        return json.load(f)


def dump(med, m):
    b = json.dumps(m, sort_keys=True, indent=1, ensure_ascii=True) + "\n"
    with open(os.path.join(folder(med), "manifest.json"), "w") as f:
        f.write(b)


def comp(m, name):
    for c in m["components"]:
        if c["name"] == name:
            return c
    die("no component %s" % name)


def ver(m, cname, version):
    for v in comp(m, cname)["versions"]:
        if v["version"] == version:
            return v
    die("no version %s of %s" % (version, cname))


def fentry(m, path):
    for f in m["files"]:
        if f["path"] == path:
            return f
    return None


def write_sums(med, m):
    """SHA256SUMS over README.txt and pkg/ as mkmedia does, signed by good;
    then its own entries in files[]."""
    d = folder(med)
    lines = []
    for f in sorted(m["files"], key=lambda x: x["path"]):
        p = f["path"]
        if p.startswith("SHA256SUMS") or p.startswith("keys/"):
            continue
        full = os.path.join(d, p)
        if os.path.isfile(full) and not os.path.islink(full):
            lines.append("%s  %s\n" % (sha256_file(full), p))
    with open(os.path.join(d, "SHA256SUMS"), "w") as f:
        f.write("".join(lines))
    sign_file(os.path.join(d, "SHA256SUMS"), ["good"])
    for name in ("SHA256SUMS", "SHA256SUMS.sig"):
        e = fentry(m, name)
        if e is not None:
            e["size"] = os.path.getsize(os.path.join(d, name))
            e["sha256"] = sha256_file(os.path.join(d, name))


def fix_files(med, m):
    d = folder(med)
    for f in m["files"]:
        full = os.path.join(d, f["path"])
        if (f["path"].startswith("SHA256SUMS") or not os.path.isfile(full)
                or os.path.islink(full)):
            continue
        f["size"] = os.path.getsize(full)
        f["sha256"] = sha256_file(full)
    write_sums(med, m)


# --- packages ----------------------------------------------------------------

def listing_tree(spec):
    tree = []
    for e in spec["listing"]:
        if "d" in e:
            tree.append({"path": e["d"], "type": "dir", "mode": "0755"})
        else:
            data = entry_data(e)
            tree.append({"path": e["f"], "type": "file",
                         "mode": e.get("mode", "0644"), "size": len(data),
                         "sha256": sha256_bytes(data)})
    return sorted(tree, key=lambda x: x["path"].encode())


def entry_data(e):
    if "zeros" in e:
        return b"\0" * int(e["zeros"])
    return e.get("data", "").encode()


def tar_entries(spec):
    if "tar" in spec:
        return spec["tar"]
    out = []
    for e in sorted(spec["listing"],
                    key=lambda x: (x.get("d") or x.get("f")).encode()):
        if "d" in e:
            out.append({"type": "dir", "name": e["d"], "mode": "0755"})
        else:
            out.append(dict(e, type="file", name=e["f"]))
    return out


TYPES = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE,
         "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
         "chr": tarfile.CHRTYPE, "blk": tarfile.BLKTYPE,
         "fifo": tarfile.FIFOTYPE}


def make_tar(spec):
    fmt = {"gnu": tarfile.GNU_FORMAT, "pax": tarfile.PAX_FORMAT,
           "ustar": tarfile.USTAR_FORMAT}[spec.get("format", "gnu")]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt, encoding="utf-8",
                      errors="surrogateescape") as t:
        for e in tar_entries(spec):
            if "name_hex" in e:
                name = bytes.fromhex(e["name_hex"]).decode(
                    "utf-8", "surrogateescape")
            else:
                name = e["name"]
            ti = tarfile.TarInfo(name)
            ti.type = TYPES[e["type"]]
            ti.mode = int(e.get("mode", "0755" if e["type"] == "dir"
                                else "0644"), 8)
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            ti.mtime = 0
            if "link" in e:
                ti.linkname = e["link"]
            if e["type"] in ("chr", "blk"):
                ti.devmajor, ti.devminor = 1, 3
            data = None
            if e["type"] == "file":
                data = entry_data(e)
                ti.size = len(data)
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def zstd_compress(raw):
    r = subprocess.run(["zstd", "-q", "-3", "-c"], input=raw,
                       stdout=subprocess.PIPE, check=True)
    return r.stdout


def set_window_log(frame, wlog):
    """Rewrite the Window_Descriptor of the first frame (RFC 8878 3.1.1.1)."""
    b = bytearray(frame)
    if b[:4] != b"\x28\xb5\x2f\xfd":
        die("not a zstd frame")
    fhd = b[4]
    if fhd & 0x20:
        die("single-segment frame has no window descriptor")
    b[5] = (wlog - 10) << 3
    return bytes(b)


def block(last, btype, size, payload):
    h = (1 if last else 0) | (btype << 1) | (size << 3)
    return h.to_bytes(3, "little") + payload


def bomb_frame(raw, zeros):
    """raw bytes in raw blocks, then `zeros` zero bytes as 128 KiB RLE
    blocks: about 4 bytes on the medium per 128 KiB unpacked."""
    out = bytearray(b"\x28\xb5\x2f\xfd")
    out.append(0x00)			# no FCS, not single segment, no checksum
    out.append((17 - 10) << 3)		# window 128 KiB
    bmax = 128 << 10
    chunks = [raw[i:i + bmax] for i in range(0, len(raw), bmax)]
    n = max(1, zeros // bmax)
    for c in chunks:
        out += block(False, 0, len(c), c)
    for i in range(n):
        out += block(i == n - 1, 1, bmax, b"\0")
    return bytes(out)


def build_package(spec):
    raw = make_tar(spec)
    if spec.get("bomb"):
        pkg = bomb_frame(raw, int(spec["bomb"]))
    else:
        pkg = zstd_compress(raw)
    if spec.get("wlog"):
        pkg = set_window_log(pkg, int(spec["wlog"]))
    if "truncate" in spec:
        pkg = pkg[:int(spec["truncate"])]
    return pkg


def cmd_package(med, cname, version, specfile, keys):
    with open(specfile) as f:
        spec = json.load(f)
    m = load(med)
    v = ver(m, cname, version)
    c = comp(m, cname)
    pkg = build_package(spec)
    d = folder(med)
    sub = cname + ("-" + c["variant"] if c.get("variant") else "")
    name = "pkg/%s/%s-%s-base-%s.tar.zst" % (sub, cname, version,
                                             sha256_bytes(pkg)[:12])
    old = v.get("base")
    if old:
        m["files"] = [f for f in m["files"] if f["path"] != old]
        if os.path.exists(os.path.join(d, old)):
            os.unlink(os.path.join(d, old))
    gone = [x["file"] for x in c.get("deltas", [])
            if version in (x["from"], x["to"])]
    c["deltas"] = [x for x in c.get("deltas", [])
                   if version not in (x["from"], x["to"])]
    if not c["deltas"]:
        del c["deltas"]
    m["files"] = [f for f in m["files"] if f["path"] not in gone]
    os.makedirs(os.path.dirname(os.path.join(d, name)), exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(pkg)
    v["base"] = name
    v["tree"] = listing_tree(spec)
    m["files"].append({"path": name, "size": len(pkg),
                       "sha256": sha256_bytes(pkg)})
    m["files"].sort(key=lambda x: x["path"])
    fix_files(med, m)
    dump(med, m)
    sign_file(os.path.join(d, "manifest.json"), keys)
    print(name)


def cmd_edit(med, code, fix, keys):
    m = load(med)
    env = {"m": m, "comp": lambda n: comp(m, n),
           "ver": lambda c, v: ver(m, c, v), "fentry": lambda p: fentry(m, p),
           "os": os, "folder": folder(med)}
    exec(code, env)
    m = env["m"]
    if fix:
        fix_files(med, m)
    dump(med, m)
    sign_file(os.path.join(folder(med), "manifest.json"), keys)


def main(argv):
    if len(argv) < 3:
        die(__doc__)
    cmd, med = argv[1], argv[2]
    rest = argv[3:]
    keys, fix, armor, clear, faked, pos = [], True, False, False, None, []
    i = 0
    while i < len(rest):
        a = rest[i]
        if a == "--key":
            keys.append(rest[i + 1])
            i += 1
        elif a == "--no-fix":
            fix = False
        elif a == "--armor":
            armor = True
        elif a == "--clearsign":
            clear = True
        elif a == "--faked":
            faked = rest[i + 1]
            i += 1
        else:
            pos.append(a)
        i += 1
    keys = keys or ["good"]
    d = folder(med)
    if cmd == "package" and len(pos) == 3:
        cmd_package(med, pos[0], pos[1], pos[2], keys)
    elif cmd == "edit" and len(pos) == 1:
        cmd_edit(med, pos[0], fix, keys)
    elif cmd == "raw" and len(pos) == 1:
        with open(pos[0], "rb") as f:
            b = f.read()
        with open(os.path.join(d, "manifest.json"), "wb") as f:
            f.write(b)
        sign_file(os.path.join(d, "manifest.json"), keys)
    elif cmd == "sign" and not pos:
        sign_file(os.path.join(d, "manifest.json"), keys, armor, clear,
                  faked)
    elif cmd == "fixsums" and not pos:
        m = load(med)
        fix_files(med, m)
        dump(med, m)
        sign_file(os.path.join(d, "manifest.json"), keys)
    else:
        die("bad usage: %s" % " ".join(argv[1:]))


if __name__ == "__main__":
    main(sys.argv)
