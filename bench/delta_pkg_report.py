#!/usr/bin/env python3
"""delta_pkg_report.py TSV LEVEL WORKERS [FORMAT]: docs/BENCHMARKS-delta.md
from bench/delta.sh's rows (bench/out/delta_pkg.tsv); FORMAT (default 3)
is the package format of the "ferry" column."""
import csv
import datetime
import os
import platform
import statistics
import subprocess
import sys

tsv, level, workers = sys.argv[1], sys.argv[2], sys.argv[3]
fmt = sys.argv[4] if len(sys.argv) > 4 else "3"
rows = list(csv.DictReader(open(tsv), delimiter="\t"))
PLAIN = [("tar_zstd", "tar: zstd -19 --long --patch-from"),
         ("tar_bsdiff", "tar: bsdiff"), ("tar_xdelta3", "tar: xdelta3 -9 -S djw"),
         ("file_zstd", "per file: zstd"), ("file_bsdiff", "per file: bsdiff"),
         ("file_xdelta3", "per file: xdelta3")]


def num(v):
    return int(v) if v and v[0].isdigit() else None


def best(r):
    c = [(num(r[k]), name) for k, name in PLAIN if num(r[k]) is not None]
    return min(c)


def git(*a):
    try:
        return subprocess.run(["git", *a], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


rev = os.environ.get("FERRY_BENCH_REV") or git("rev-parse", "--short=12",
                                                 "HEAD")
dirty = "" if os.environ.get("FERRY_BENCH_REV") else git(
    "status", "--porcelain", "--untracked-files=no", "--", "formats", "core")
cpu = "?"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
zv = subprocess.run(["zstd", "--version"], capture_output=True,
                    text=True).stdout.split()
zv = "zstd " + next((w for w in zv if w.startswith("v")), "?").rstrip(",")
print("# Delta packages against the best plain tool (bench/delta.sh)\n")
print(f"Date {datetime.date.today()}; machine: {cpu}, {os.cpu_count()} CPUs, "
      f"Linux {platform.release()}; {zv}; bsdiff 4.3; xdelta3 3.0.11. "
      f"Revision {rev}{' (with uncommitted changes)' if dirty else ''}; "
      f"ferry at level {level}, {workers} workers.\n")
print("What a client reads for a delta is the whole delta package "
      f"(container, index and blobs): **ferry** is package format {fmt} "
      "(formats/SPEC.md §7; mkmedia writes format 4 when a blob uses method 6 "
      "or a file kind 6, else format 3), **v1** the "
      "former tar container with its JSON index. The **best plain tool** is the smaller of (a) the best of "
      "zstd -19 --long --patch-from, bsdiff and xdelta3 -9 -S djw on tar files "
      "of the two trees and (b) the best of the same tools file by file "
      "(unchanged files free, zstd -19 for added files). A per-file total "
      "shown as >N was abandoned once it passed the best total known (it "
      "cannot win). Every ferry package was applied and checked against the "
      "new tree's listing; every tar-level plain delta was decoded and "
      "compared. Byte counts are deterministic; ferry's CPU seconds (encode, "
      "user + sys) are for information and were measured on a shared, "
      "loaded machine.\n")
series = []
for r in rows:
    if r["series"] not in series:
        series.append(r["series"])
print("## Summary\n")
print("| series | pairs | ferry / best plain: max | median | ferry total bytes "
      "| best plain total | v1 total bytes |")
print("|---|---:|---:|---:|---:|---:|---:|")
for s in series:
    rs = [r for r in rows if r["series"] == s]
    ratios = [int(r["ferry"]) / best(r)[0] for r in rs]
    v1 = [num(r["ferry_v1"]) for r in rs]
    v1s = f"{sum(v1):,}" if None not in v1 else "—"
    print(f"| {s} | {len(rs)} | {max(ratios):.3f}x | "
          f"{statistics.median(ratios):.2f}x | "
          f"{sum(int(r['ferry']) for r in rs):,} | "
          f"{sum(best(r)[0] for r in rs):,} | {v1s} |")
print()
for s in series:
    print(f"## {s}\n")
    print("| pair | ferry | v1 | best plain | which | ferry / best | "
          "tar zstd | tar bsdiff | tar xdelta3 | file zstd | file bsdiff | "
          "file xdelta3 | ferry encode CPU s |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if r["series"] != s:
            continue
        b, name = best(r)
        cells = " | ".join(r[k] for k, _ in PLAIN)
        print(f"| {r['kind']} {r['old']} -> {r['new']} | {int(r['ferry']):,} "
              f"| {r['ferry_v1'] or '—'} | {b:,} | {name} | "
              f"{int(r['ferry']) / b:.3f}x | {cells} | {r['ferry_cpu_s']} |")
    print()
