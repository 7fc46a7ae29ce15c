#!/usr/bin/env python3
"""delta_plain.py OLD.tar NEW.tar OLDTREE NEWTREE WORKDIR: the plain tools'
bytes for one pair (bench/delta.sh).  Prints six tab-separated numbers:
tar_zstd tar_bsdiff tar_xdelta3 file_zstd file_bsdiff file_xdelta3.  Each
tar-level output is decoded again and compared with its input.  File by
file, each tool's sum is built largest file first and abandoned as soon as
it exceeds the best total known so far (it cannot be the best any more):
such a cell reads ">N", N the partial sum.  A tool that cannot run on an
input (bsdiff above BSDIFF_MAX bytes) gives "-" for that total.
"""
import filecmp
import os
import subprocess
import sys

BSDIFF_MAX = int(os.environ.get("BSDIFF_MAX", 64 << 20))


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def check(a, b):
    if not filecmp.cmp(a, b, shallow=False):
        sys.exit(f"delta_plain.py: round trip differs: {b}")


def one(tool, old, new, w):
    """bytes of one tool's delta old -> new (no round trip)"""
    if tool == "zstd":
        run("zstd", "-q", "-f", "-19", "--long=31", f"--patch-from={old}",
            new, "-o", f"{w}.1")
    elif tool == "bsdiff":
        if max(os.path.getsize(old), os.path.getsize(new)) > BSDIFF_MAX:
            return None
        run("bsdiff", old, new, f"{w}.1")
    else:
        run("xdelta3", "-9", "-S", "djw", "-e", "-f", "-s", old, new,
            f"{w}.1")
    return os.path.getsize(f"{w}.1")


def tools(old, new, w):
    """bytes of each tool's delta old -> new, round trips checked"""
    out = {}
    run("zstd", "-q", "-f", "-19", "--long=31", f"--patch-from={old}", new,
        "-o", f"{w}.zst")
    run("zstd", "-q", "-f", "-d", "--long=31", f"--patch-from={old}",
        f"{w}.zst", "-o", f"{w}.out")
    check(f"{w}.out", new)
    out["zstd"] = os.path.getsize(f"{w}.zst")
    if max(os.path.getsize(old), os.path.getsize(new)) <= BSDIFF_MAX:
        run("bsdiff", old, new, f"{w}.bsd")
        run("bspatch", old, f"{w}.out", f"{w}.bsd")
        check(f"{w}.out", new)
        out["bsdiff"] = os.path.getsize(f"{w}.bsd")
    else:
        out["bsdiff"] = None
    run("xdelta3", "-9", "-S", "djw", "-e", "-f", "-s", old, new, f"{w}.xd")
    run("xdelta3", "-d", "-f", "-s", old, f"{w}.xd", f"{w}.out")
    check(f"{w}.out", new)
    out["xdelta3"] = os.path.getsize(f"{w}.xd")
    return out


def files(tree):
    r = {}
    for d, _, fs in os.walk(tree):
        for f in fs:
            p = os.path.join(d, f)
            r[os.path.relpath(p, tree)] = p
    return r


def main():
    otar, ntar, otree, ntree, w = sys.argv[1:6]
    names = ("zstd", "bsdiff", "xdelta3")
    t = tools(otar, ntar, w)
    best = min(v for v in t.values() if v is not None)
    of, nf = files(otree), files(ntree)
    work = []  # (size, rel) of the files that cost something
    for rel in nf:
        o = of.get(rel)
        if o is not None and filecmp.cmp(o, nf[rel], shallow=False):
            continue
        work.append((os.path.getsize(nf[rel]), rel))
    work.sort(reverse=True)
    added = {}
    cells = {}
    for k in names:
        total, cut = 0, False
        for _, rel in work:
            n, o = nf[rel], of.get(rel)
            if o is None:
                if rel not in added:
                    run("zstd", "-q", "-f", "-19", n, "-o", f"{w}.add")
                    added[rel] = os.path.getsize(f"{w}.add")
                total += added[rel]
            else:
                d = one(k, o, n, w)
                if d is None:
                    total = None
                    break
                total += d
            if total > best:
                cut = True
                break
        if total is None:
            cells[k] = "-"
        elif cut:
            cells[k] = f">{total}"
        else:
            cells[k] = str(total)
            best = min(best, total)
    out = [t["zstd"], t["bsdiff"], t["xdelta3"]]
    print("\t".join("-" if c is None else str(c) for c in out) + "\t" +
          "\t".join(cells[k] for k in names))


main()
