#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""powercut.py: the reconstructing half of the power-loss simulator (L4).

  powercut.py snap BACKING SNAPFILE
      record the tree at BACKING (before the run) with the ids powercut_fs
      uses ("i<st_ino>").
  powercut.py explore SNAPFILE LOG BLOB FINAL DEST CHECK... [options]
      replay LOG (written by powercut_fs) onto SNAPFILE; first check that
      replaying every operation gives exactly the tree at FINAL (the
      recorder missed nothing); then enumerate the crash states the
      persistence model allows, materialise each distinct one at DEST and
      run CHECK (a command; exit 0 = the state is fine).  Prints one line
      per state and a summary "states N violations V windows W ops O".

Persistence model (docs/BENCHMARKS-crash.md "L4 power loss" has the long
form).  The log is cut at its barriers (fsync, fdatasync, fsync of a
directory, syncfs).  Crash window k lies between barrier k and barrier
k+1: every operation issued before barrier k+1 may have reached the disk,
and those that barriers 1..k made durable must have.  Durability:

  --mode strict (default; the model in which ALICE found its bugs)
    write/trunc of a file   durable after fsync/fdatasync of that file or
                            a syncfs; otherwise lost, or torn per 4 KiB
                            page (the size grows, a lost page reads as
                            its old bytes or zeros)
    chmod                   after fsync (not fdatasync) of the object,
                            fsync of the directory itself, or syncfs
    create, mkdir, symlink, link, unlink, rmdir in directory P
                            after fsync of P or a syncfs
    rename into directory P after fsync of P (the destination) or a
                            syncfs; a rename is atomic (both names move
                            together)
    Undurable operations persist in any subset, applied in program
    order; metadata of one operation is never split.
  --mode ordered (an approximation of ext4 data=ordered, auto_da_alloc)
    every metadata operation (entries, chmod, trunc) persists in program
    order, as a prefix, and any barrier commits all earlier metadata; file
    data as in strict, except that a rename that replaces an existing
    name carries the earlier writes of the renamed file with it.

Bounds per window (--per-window caps the total, deduplicated by the
resulting tree): nothing undurable; everything; up to 8 prefixes of the
undurable operations in program order; each new operation of the window
alone dropped and alone kept (up to 12 each, evenly chosen); up to 4
writes torn; 6 random subsets (seeded).  --limit keeps an evenly spread
sample of the distinct states (the quick suite test).
"""
import hashlib
import os
import random
import re
import shutil
import stat
import subprocess
import sys
import time
import urllib.parse

PAGE = 4096


def unesc(s):
    return "" if s == "%" else urllib.parse.unquote_to_bytes(s).decode(
        "utf-8", "surrogateescape")


# --- the model ---------------------------------------------------------
class Node:
    __slots__ = ("t", "mode", "data", "target")

    def __init__(self, t, mode, data=None, target=None):
        self.t, self.mode, self.data, self.target = t, mode, data, target

    def copy(self):
        return Node(self.t, self.mode,
                    bytearray(self.data) if self.data is not None else None,
                    self.target)


class FS:
    def __init__(self):
        self.nodes = {}     # id -> Node
        self.dirs = {}      # dir id -> {name: id}
        self.root = None

    def copy(self):
        f = FS()
        f.nodes = {k: v.copy() for k, v in self.nodes.items()}
        f.dirs = {k: dict(v) for k, v in self.dirs.items()}
        f.root = self.root
        return f


def snap(backing):
    fs = FS()
    st = os.lstat(backing)
    fs.root = "i%d" % st.st_ino

    def walk(path, did):
        fs.dirs.setdefault(did, {})
        for name in sorted(os.listdir(path)):
            p = os.path.join(path, name)
            s = os.lstat(p)
            nid = "i%d" % s.st_ino
            fs.dirs[did][name] = nid
            if nid in fs.nodes:
                continue
            if stat.S_ISDIR(s.st_mode):
                fs.nodes[nid] = Node("d", stat.S_IMODE(s.st_mode))
                walk(p, nid)
            elif stat.S_ISLNK(s.st_mode):
                fs.nodes[nid] = Node("l", 0o777, target=os.readlink(p))
            elif stat.S_ISREG(s.st_mode):
                with open(p, "rb") as f:
                    fs.nodes[nid] = Node("f", stat.S_IMODE(s.st_mode),
                                         data=bytearray(f.read()))
            else:
                raise SystemExit("powercut: %s: not a file, directory or "
                                 "symbolic link" % p)
    fs.nodes[fs.root] = Node("d", stat.S_IMODE(st.st_mode))
    walk(backing, fs.root)
    return fs


def save_fs(fs, path):
    import pickle
    with open(path, "wb") as f:
        pickle.dump((fs.nodes, fs.dirs, fs.root), f)


def load_fs(path):
    import pickle
    fs = FS()
    with open(path, "rb") as f:
        fs.nodes, fs.dirs, fs.root = pickle.load(f)
    return fs


# --- the log -------------------------------------------------------------
ENTRY = {"create", "mkdir", "symlink", "link", "unlink", "rmdir", "rename"}
BARRIER = {"fsync", "fsyncdir", "syncfs"}


class Op:
    __slots__ = ("i", "kind", "a", "obj", "dir", "data")

    def __init__(self, i, kind, a):
        self.i, self.kind, self.a = i, kind, a
        self.obj = self.dir = self.data = None

    def __repr__(self):
        return "#%d %s %s" % (self.i, self.kind, " ".join(self.a))


def read_log(logpath, blobpath):
    with open(blobpath, "rb") as f:
        blob = f.read()
    ops = []
    with open(logpath, "r", encoding="ascii") as f:
        for line in f:
            a = line.split()
            if not a:
                continue
            op = Op(len(ops), a[0], a[1:])
            k = op.kind
            if k in ("create", "mkdir", "symlink", "link", "unlink",
                     "rmdir"):
                op.dir, op.obj = a[1], a[3]
            elif k == "rename":
                op.dir, op.obj = a[3], a[5]
            elif k == "write":
                op.obj = a[1]
                off, ln, bo = int(a[2]), int(a[3]), int(a[4])
                op.data = (off, blob[bo:bo + ln])
            elif k in ("trunc", "chmod", "fsync", "fsyncdir"):
                op.obj = a[1]
            elif k != "syncfs":
                raise SystemExit("powercut: log line %d: unknown "
                                 "operation %r" % (len(ops) + 1, k))
            ops.append(op)
    return ops


def apply(fs, op, torn=None):
    """Apply OP to FS.  TORN: for a write, the set of page numbers (of
    the write's own pages) that did NOT reach the disk."""
    k, a = op.kind, op.a
    if k in ("create", "mkdir", "symlink"):
        nid = a[2]
        if k == "create":
            fs.nodes[nid] = Node("f", int(a[3], 8), data=bytearray())
        elif k == "mkdir":
            fs.nodes[nid] = Node("d", int(a[3], 8))
            fs.dirs.setdefault(nid, {})
        else:
            fs.nodes[nid] = Node("l", 0o777, target=unesc(a[3]))
        fs.dirs.setdefault(a[0], {})[unesc(a[1])] = nid
    elif k == "link":
        fs.dirs.setdefault(a[0], {})[unesc(a[1])] = a[2]
    elif k in ("unlink", "rmdir"):
        d = fs.dirs.get(a[0], {})
        n = unesc(a[1])
        if d.get(n) == a[2]:
            del d[n]
    elif k == "rename":
        p1, n1, p2, n2, nid, victim, flags = (a[0], unesc(a[1]), a[2],
                                             unesc(a[3]), a[4], a[5],
                                             int(a[6]))
        d1 = fs.dirs.setdefault(p1, {})
        d2 = fs.dirs.setdefault(p2, {})
        if flags & 2 and victim != "-":        # RENAME_EXCHANGE
            d1[n1] = victim
        elif d1.get(n1) == nid:
            del d1[n1]
        d2[n2] = nid
    elif k == "write":
        off, data = op.data
        n = fs.nodes.get(op.obj)
        if n is None:       # its create did not persist: an orphan inode
            n = fs.nodes[op.obj] = Node("f", 0o600, data=bytearray())
        end = off + len(data)
        if len(n.data) < end:
            n.data.extend(b"\0" * (end - len(n.data)))
        if not torn:
            n.data[off:end] = data
        else:
            first = off // PAGE
            for p in range(first, (end - 1) // PAGE + 1):
                if p - first in torn:
                    continue
                s, e = max(off, p * PAGE), min(end, (p + 1) * PAGE)
                n.data[s:e] = data[s - off:e - off]
    elif k == "trunc":
        n = fs.nodes.get(op.obj)
        if n is None:
            n = fs.nodes[op.obj] = Node("f", 0o600, data=bytearray())
        size = int(a[1])
        if n.data is not None:
            if len(n.data) > size:
                del n.data[size:]
            else:
                n.data.extend(b"\0" * (size - len(n.data)))
    elif k == "chmod":
        n = fs.nodes.get(op.obj)
        if n is not None:
            n.mode = int(a[1], 8)


def pages_of(op):
    off, data = op.data
    if not data:
        return 0
    return (off + len(data) - 1) // PAGE - off // PAGE + 1


def walk(fs):
    """Yield (path, node, id) from the root; a directory reached twice or
    a node whose creation did not persist is shown as what a checker of
    the real disk would see."""
    seen = set()

    def rec(did, prefix):
        for name in sorted(fs.dirs.get(did, {})):
            nid = fs.dirs[did][name]
            n = fs.nodes.get(nid)
            if n is None:   # an entry whose inode was never initialised
                n = Node("d", 0o700) if nid in fs.dirs else \
                    Node("f", 0o600, data=bytearray())
            p = prefix + "/" + name
            yield p, n, nid
            if n.t == "d" and nid not in seen:
                seen.add(nid)
                yield from rec(nid, p)
    yield from rec(fs.root, "")


def digest(fs):
    h = hashlib.sha256()
    for p, n, _ in walk(fs):
        h.update(p.encode("utf-8", "surrogateescape") + b"\0")
        h.update(("%s %o\0" % (n.t, n.mode)).encode())
        if n.t == "f":
            h.update(hashlib.sha256(n.data).digest())
        elif n.t == "l":
            h.update(n.target.encode("utf-8", "surrogateescape") + b"\0")
    return h.hexdigest()


def materialise(fs, dest):
    if os.path.lexists(dest):
        shutil.rmtree(dest)
    os.mkdir(dest)
    links = {}
    dirmodes = []
    for p, n, nid in walk(fs):
        path = dest + p
        if n.t == "d":
            if os.path.lexists(path):
                continue
            os.mkdir(path, 0o700)
            dirmodes.append((path, n.mode))
        elif n.t == "l":
            os.symlink(n.target, path)
        elif nid in links:
            os.link(links[nid], path)
        else:
            with open(path, "wb") as f:
                f.write(n.data)
            os.chmod(path, n.mode)
            links[nid] = path
    os.chmod(dest, fs.nodes[fs.root].mode)
    for path, mode in reversed(dirmodes):
        os.chmod(path, mode)


# --- durability ------------------------------------------------------------
def durable_sets(ops, mode):
    """For each barrier (in order), the set of op indices durable once it
    completed.  Returns (barriers, durable) with durable[j] a set."""
    barriers, durable = [], []
    cur = set()
    pending = []            # undurable non-barrier ops
    for op in ops:
        if op.kind not in BARRIER:
            pending.append(op)
            continue
        keep = []
        for p in pending:
            if covers(op, p, mode):
                cur.add(p.i)
            else:
                keep.append(p)
        pending = keep
        barriers.append(op.i)
        durable.append(set(cur))
    return barriers, durable


def is_meta(op):
    return op.kind in ENTRY or op.kind in ("chmod", "trunc")


def covers(b, p, mode):
    if b.kind == "syncfs":
        return True
    if mode == "ordered" and is_meta(p):
        return True         # any fsync commits the journal
    if b.kind == "fsync":
        if p.kind in ("write", "trunc"):
            return p.obj == b.obj
        if p.kind == "chmod":
            return p.obj == b.obj and b.a[1] == "0"
        return False
    # fsyncdir
    if p.kind in ENTRY:
        return p.dir == b.obj
    if p.kind == "chmod":
        return p.obj == b.obj
    return False


def spread(seq, n):
    seq = list(seq)
    if len(seq) <= n:
        return seq
    return [seq[(i * (len(seq) - 1)) // (n - 1)] for i in range(n)] \
        if n > 1 else seq[:1]


def candidates(ops, mode, req, opt, new, rng):
    """Yield (label, applied-set, torn-dict) for one window."""
    opt = sorted(opt)
    writes = [i for i in opt if ops[i].kind == "write"]
    if mode == "ordered":
        meta = [i for i in opt if is_meta(ops[i])]
        data = [i for i in opt if not is_meta(ops[i])]
        for j in spread(range(len(meta) + 1), 8):
            chosen = set(meta[:j])
            forced = set()
            for m in meta[:j]:
                o = ops[m]
                if o.kind == "rename" and o.a[5] != "-":
                    forced |= {d for d in data if d < m and
                               ops[d].obj == o.obj}
            base = req | chosen | forced
            rest = [d for d in data if d not in forced]
            yield "meta%d-nodata" % j, base, {}
            yield "meta%d-alldata" % j, base | set(rest), {}
            for d in spread(rest, 4):
                yield "meta%d-drop#%d" % (j, d), base | set(rest) - {d}, {}
            for w in spread([d for d in rest if ops[d].kind == "write"], 2):
                np = pages_of(ops[w])
                if np:
                    lost = set(rng.sample(range(np), max(1, np // 2)))
                    yield "meta%d-torn#%d" % (j, w), base | set(rest), \
                        {w: lost}
        for r in range(4):
            j = rng.randrange(len(meta) + 1)
            sub = {d for d in data if rng.random() < 0.5}
            yield "random%d" % r, req | set(meta[:j]) | sub, {}
        return
    yield "none", set(req), {}
    yield "all", req | set(opt), {}
    for j in spread(range(1, len(opt)), 8):
        yield "prefix%d" % j, req | set(opt[:j]), {}
    for o in spread(new, 12):
        yield "drop#%d" % o, req | set(opt) - {o}, {}
        yield "only#%d" % o, req | {o}, {}
    for w in spread(writes, 4):
        np = pages_of(ops[w])
        if np:
            lost = set(rng.sample(range(np), max(1, np // 2))) if np > 1 \
                else {0}
            yield "torn#%d" % w, req | set(opt), {w: lost}
    for r in range(6):
        sub = {o for o in opt if rng.random() < 0.5}
        torn = {}
        for w in writes:
            if w in sub and pages_of(ops[w]) > 1 and rng.random() < 0.2:
                torn[w] = {rng.randrange(pages_of(ops[w]))}
        yield "random%d" % r, req | sub, torn


def build(base, ops, applied, torn):
    fs = base.copy()
    for i in sorted(applied):
        apply(fs, ops[i], torn.get(i))
    return fs


def explore(args):
    import argparse
    ap = argparse.ArgumentParser(prog="powercut.py explore")
    ap.add_argument("snap")
    ap.add_argument("log")
    ap.add_argument("blob")
    ap.add_argument("final")
    ap.add_argument("dest")
    ap.add_argument("check", nargs="+")
    ap.add_argument("--mode", default="strict",
                    choices=("strict", "ordered"))
    ap.add_argument("--per-window", type=int, default=24)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--report", default=None)
    ap.add_argument("--keep-failures", default=None)
    ap.add_argument("--focus", default=None,
                    help="only windows in which a new operation matches "
                    "this regular expression (e.g. 'current')")
    o = ap.parse_args(args)
    rng = random.Random(o.seed)
    base = load_fs(o.snap)
    ops = read_log(o.log, o.blob)
    whole = build(base, ops, {op.i for op in ops if op.kind not in BARRIER},
                  {})
    final = snap(o.final)
    if digest(whole) != digest(final):
        a = {p: (n.t, n.mode, bytes(n.data or b""), n.target)
             for p, n, _ in walk(whole)}
        b = {p: (n.t, n.mode, bytes(n.data or b""), n.target)
             for p, n, _ in walk(final)}
        diff = sorted(p for p in set(a) | set(b) if a.get(p) != b.get(p))
        print("powercut: replaying the whole log does not give the final "
              "tree: %s" % " ".join(diff[:10]))
        return 2
    barriers, durable = durable_sets(ops, o.mode)
    ends = barriers + [len(ops)]
    states = []         # (window, label, digest, applied, torn)
    seen = set()
    nonbarrier = [op.i for op in ops if op.kind not in BARRIER]
    for k in range(len(barriers) + 1):
        start = barriers[k - 1] if k > 0 else -1
        req = durable[k - 1] if k > 0 else set()
        issued = [i for i in nonbarrier if i < ends[k]]
        opt = [i for i in issued if i not in req]
        new = [i for i in opt if i > start]
        if o.focus and not any(re.search(o.focus, repr(ops[i]))
                               for i in new):
            continue
        n = 0
        for label, applied, torn in candidates(ops, o.mode, req, opt, new,
                                               rng):
            if n >= o.per_window:
                break
            fs = build(base, ops, applied, torn)
            d = digest(fs)
            if d in seen:
                continue
            seen.add(d)
            states.append((k, label, d, applied, torn))
            n += 1
    if o.limit and len(states) > o.limit:
        states = spread(states, o.limit)
    viol = 0
    t0 = time.time()
    rep = open(o.report, "a") if o.report else None
    for idx, (k, label, d, applied, torn) in enumerate(states):
        fs = build(base, ops, applied, torn)
        materialise(fs, o.dest)
        r = subprocess.run(o.check, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        out = r.stdout.decode("utf-8", "replace").strip()
        where = "op %d" % ends[k] if k < len(barriers) else "end"
        line = "state %d window %d (crash before %s) %s: %s" % (
            idx + 1, k, where, label,
            "ok" if r.returncode == 0 else "VIOLATION")
        if r.returncode != 0:
            viol += 1
            last = [ops[i] for i in sorted(applied)][-3:]
            line += "\n  last applied: %s\n  %s" % (
                "; ".join(map(repr, last)),
                out.replace("\n", "\n  "))
            if o.keep_failures:
                kd = os.path.join(o.keep_failures, "state%d" % (idx + 1))
                if not os.path.exists(kd):
                    shutil.copytree(o.dest, kd, symlinks=True)
        print(line, flush=True)
        if rep:
            rep.write(line + "\n")
    print("states %d violations %d windows %d ops %d barriers %d mode %s "
          "seconds %d" % (len(states), viol, len(barriers) + 1, len(ops),
                          len(barriers), o.mode, time.time() - t0))
    return 1 if viol else 0


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "snap" and len(sys.argv) == 4:
        save_fs(snap(sys.argv[2]), sys.argv[3])
        return 0
    if len(sys.argv) >= 2 and sys.argv[1] == "explore":
        return explore(sys.argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
