#!/usr/bin/env python3
"""gen.py OUTDIR: write deterministic sample vendor releases.

Two components, as an antivirus vendor ships them:
  engine    the scan engine: 7.9.2 (old engine, v7), 8.0.0 and 8.0.1 (v8)
  patterns  the definition database: a monthly base rebuilt on 2026-09-01,
            then daily releases; each day appends a few KB of signatures
            to Bases/daily.db and touches Bases/version.txt; on 2026-11-01
            the vendor rebuilds the database (a new base).
The same seed always gives the same bytes, so media built from the samples
are reproducible.  Output: OUTDIR/<component>/<version>/ trees.
"""
import os, random, sys

def blob(seed, n):
    return random.Random(seed).randbytes(n)

def text_db(seed, lines):
    r = random.Random(seed)
    out = []
    for i in range(lines):
        out.append("SIG:%08d:%s:%s\n" % (i, r.choice(["Trojan", "Worm", "Adware", "Exploit"]),
                   "".join(r.choice("0123456789abcdef") for _ in range(40))))
    return "".join(out).encode()

def write(root, rel, data, mode=0o644):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)
    os.chmod(p, mode)

def engine(out):
    base = blob(7, 400_000)
    for ver, gen in (("7.9.2", 7), ("8.0.0", 8), ("8.0.1", 8)):
        root = os.path.join(out, "engine", ver)
        body = bytearray(base)
        r = random.Random(ver)
        for _ in range(40 if gen == 8 else 5):       # patched code regions
            at = r.randrange(len(body) - 512)
            body[at:at + 256] = r.randbytes(256)
        write(root, "bin/scanengine", bytes(body), 0o755)
        write(root, "bin/avhelper", ("#!/bin/sh\necho avhelper %s\n" %
              ("3.01" if gen == 8 else "2.10")).encode(), 0o755)
        if gen == 8:
            write(root, "lib/libav8.so", blob(800 + (ver == "8.0.1"), 120_000))
        else:
            write(root, "lib/libav7.so", blob(700, 100_000))
        write(root, "version.txt", ("engine %s\n" % ver).encode())

PATTERN_DAYS = ["2026.09.01-1", "2026.11.01-1", "2026.11.19-1", "2026.11.20-1",
                "2026.11.20-2", "2026.11.21-1", "2026.11.22-1", "2026.11.23-1"]

def patterns(out):
    for i, ver in enumerate(PATTERN_DAYS):
        root = os.path.join(out, "patterns", ver)
        rebuild = 0 if i == 0 else 1        # base rebuilt on 2026-11-01
        main = text_db(100 + rebuild, 20_000 + 3000 * rebuild)
        daily = b"".join(text_db(1000 + d, 60) for d in range(1, i + 1)
                         if d >= (1 if rebuild == 0 else 2))
        write(root, "Bases/main.db", main)
        write(root, "Bases/daily.db", daily or b"# empty\n")
        write(root, "Bases/version.txt", ("patterns %s\n" % ver).encode())
        if i % 3 == 0:
            write(root, "Bases/extra/heuristics.db", text_db(500 + i, 800))

if __name__ == "__main__":
    out = sys.argv[1]
    engine(out)
    patterns(out)
