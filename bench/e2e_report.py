#!/usr/bin/env python3
# bench/e2e_report.py RAW.tsv FACTS.tsv: the markdown section of
# docs/BENCHMARKS.md for bench/e2e.sh (medians over the runs).
import collections
import os
import statistics
import sys

raw = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    s, k, r, wall, u, sy, rss = line.rstrip("\n").split("\t")
    raw[s][k].append((int(r), float(wall), float(u) + float(sy), int(rss)))
facts = collections.defaultdict(dict)
for line in open(sys.argv[2]):
    a, k, v = line.rstrip("\n").split("\t", 2)
    facts[a][k] = v
run = facts["run"]
sets = run.get("sets", "").split()
names = {"corpus": "npm corpus", "s40": "synthetic 40 MiB",
         "big": "synthetic %s MiB" % run.get("big_mib", "1024")}


def per_run(s, *keys):
    """{run: (wall, cpu, rss)} summing every row of the keys in that run."""
    out = {}
    for k in keys:
        for r, w, c, m in raw[s].get(k, []):
            a = out.get(r, (0.0, 0.0, 0))
            out[r] = (a[0] + w, a[1] + c, max(a[2], m))
    return out


def med(d, i):
    return statistics.median(v[i] for v in d.values()) if d else None


def fmt(x, unit="s"):
    if x is None:
        return "—"
    if unit == "ms":
        return "%.1f" % (x * 1000)
    return "%.3f" % x if x < 10 else "%.1f" % x


def mib(b):
    return "%.1f" % (b / 1048576)


def sizeinfo(s):
    f = facts[s]
    return "%s MiB in %s files (version 1), medium %s MiB in %s files" % (
        mib(int(f.get("v1_bytes", 0))), f.get("v1_files", "?"),
        mib(int(f.get("medium2_bytes", 0))), f.get("medium2_files", "?"))


out = []
p = out.append
p("## End to end: ferry against the plain tools (bench/e2e.sh)\n")
p("| | |\n|---|---|")
p("| machine | %s, %s cores (SHA-NI: %s), %s RAM |" % (
    run.get("cpu"), run.get("cores"), run.get("sha_ni"), run.get("ram")))
p("| kernel | %s |" % run.get("kernel"))
p("| disk | %s |" % run.get("disk"))
p("| tools | %s |" % run.get("tools"))
p("| date | %s |" % run.get("date"))
p("| ferry revision | %s |" % run.get("rev"))
p("| cache | %s (%s) |" % (run.get("cache"), "inputs just written or read "
  "once untimed" if run.get("cache") == "warm" else
  "page cache dropped before every timed command"))
loads = []
try:
    for line in open(os.path.join(os.path.dirname(sys.argv[1]),
                                  "e2e-load.tsv")):
        loads.append(float(line.split("\t")[1]))
except (OSError, ValueError, IndexError):
    pass
during = (", during the timed commands %.1f to %.1f (median %.1f)" % (
    min(loads), max(loads), statistics.median(loads))) if loads else ""
p("| load average | %s at start, %s at end%s (other work shared the two "
  "cores: runs are interleaved ferry/baseline so both see the same load) |"
  % (run.get("load_start"), run.get("load_end"), during))
p("| runs | %s (corpus, 40 MiB), %s (big); medians |" % (
    run.get("runs"), run.get("runs_big")))
p("| items | %s |" % run.get("items", "1 2 3 4 5"))
p("| reproduce | `./build.sh bench` (= `bench/run.sh build/rel`; "
  "`FERRY_BENCH_BIG_LEVEL=19` for level 19 on the big set) |")
p("")
p("Data: " + "; ".join("**%s**: %s, zstd level %s" % (
    names[s], sizeinfo(s), facts[s].get("level")) for s in sets) + ".")
p("The npm corpus is caniuse-lite 1.0.30001823→…826 (841 files), "
  "@mdn/browser-compat-data 8.1.7→8.1.9 and @esbuild/linux-x64 "
  "0.28.1 (unchanged, like an engine between releases) as three "
  "components; the synthetic sets come from "
  "bench/synth.c (signature text, random blobs, binary records: "
  "zstd -19 ratio about 1.7). Version 2 is the weekly update.\n")
p("Wall = elapsed seconds; CPU = user + system seconds of all processes, "
  "the gpg processes GPGME starts included (every command runs under "
  "bench/reap.c, a child subreaper). Ratio = ferry / baseline of the "
  "median walls.\n")
items = run.get("items", "1 2 3 4 5").split()


def skipped(n):
    if n not in items:
        p("Not measured in this run (`bench/e2e.sh BUILD --items %s`; "
          "the previous figures are in the history of docs/BENCHMARKS.md)."
          "\n" % n)
        return True
    return False


def row(label, f, b, target, ok_fn):
    fw, bw = med(f, 0), med(b, 0)
    ratio = fw / bw if fw and bw else None
    ok = ok_fn(ratio) if ratio is not None else None
    return "| %s | %s | %s | %s | %s | %s | %s | %s |" % (
        label, fmt(fw), fmt(bw), "%.2f" % ratio if ratio else "—",
        fmt(med(f, 1)), fmt(med(b, 1)), target,
        "—" if ok is None else ("met" if ok else "**missed**"))


HDR = ("| data | ferry wall s | baseline wall s | ratio | ferry CPU s | "
       "baseline CPU s | target | |\n|---|---:|---:|---:|---:|---:|---|---|")

p("### 1. Verify a medium\n")
skipped("1")
p("ferry: `verifymedia --trust FPR --keyring pinned.gpg MEDIUM` (manifest "
  "signature, every file's size and SHA-256, SHA256SUMS and its "
  "signature, no extra or missing file). Baseline in the same folder: "
  "`gpgv manifest.json.sig manifest.json; gpgv SHA256SUMS.sig SHA256SUMS; "
  "sha256sum -c --strict SHA256SUMS`.\n")
p("ferry keeps the GnuPG home of the pinned keyring between runs "
  "(verify/gpg_cache.c): the first row of a data set is the usual run, "
  "the second the first run on a machine, which builds the home.\n")
p(HDR)
for s in sets:
    if "verify.ferry" in raw[s]:
        # a small medium is all fixed cost: target 1.0; a big one is
        # hashing throughput: 0.40
        lim = 1.0 if s == "corpus" else 0.40
        p(row(names[s], per_run(s, "verify.ferry"), per_run(s, "verify.base"),
              "≤ %.2f" % lim, lambda r, lim=lim: r <= lim))
        p(row(names[s] + ", first run", per_run(s, "verify.ferry1st"),
              per_run(s, "verify.base"), "—", lambda r: None))
p("")

p("### 2. Apply a base on a fresh client\n")
skipped("2")
p("ferry: `applymedia apply MEDIUM` on an empty client without service "
  "hooks (the baseline stops and starts no service; item 3's clients have "
  "them) (signature, "
  "freshness, plan, stage with every file hashed while written and "
  "checked, durable, atomic switch, state). Baseline: per package "
  "`sha256sum -c` of its line, `zstd -d -c PKG | tar -x -C DIR`, then "
  "one `sync`. The trees were compared (diff -r) on the first run.\n")
p(HDR)
for s in sets:
    if "apply.ferry" in raw[s]:
        p(row(names[s], per_run(s, "apply.ferry"), per_run(s, "apply.base"),
              "≤ 1.0", lambda r: r <= 1.0))
p("")

p("### 3. Service downtime during an update\n")
skipped("3")
p("Client at version 1 applies version 2 (delta or base, as planned); "
  "downtime = time from the start of the component's pre_switch hook to "
  "the start of its post_switch hook (each hook is `date +%s%N >> file`, "
  "so a shell start is included once). Target: under 50 ms at the median "
  "and flat in size.\n")
p("| data | component | median ms | max ms | whole update median s | "
  "target | |\n|---|---|---:|---:|---:|---|---|")
for s in sets:
    ks = sorted(k for k in raw[s] if k.startswith("downtime."))
    up = per_run(s, "update.ferry")
    for k in ks:
        d = per_run(s, k)
        m, mx = med(d, 0), max(v[0] for v in d.values())
        p("| %s | %s | %s | %s | %s | < 50 ms | %s |" % (
            names[s], k.split(".", 1)[1], fmt(m, "ms"), fmt(mx, "ms"),
            fmt(med(up, 0)), "met" if m < 0.050 else "**missed**"))
p("")

p("### 4. Build a medium\n")
if not skipped("4"):
    p("ferry: `mkmedia add` of every component (copy into the repository, "
      "list, tar + zstd with 2 workers, long matching, checksum) then "
      "`mkmedia build --out DIR` (copy, sign manifest and SHA256SUMS, "
      "self-check through verifymedia's code, flush) or `build --iso FILE`. "
      "Baseline: per component `tar --sort=name --owner=0 --group=0 "
      "--mtime=@0 -c | zstd -LEVEL --long -T2`, `sha256sum`, two "
      "`gpg --detach-sign`, `sync`; ISO: the same plus `xorriso -as mkisofs "
      "-R -J` and `sync`.\n")
    p(HDR)
    for s in sets:
        if "build.ferry.add" in raw[s]:
            p(row(names[s] + ", folder",
                  per_run(s, "build.ferry.add", "build.ferry.out"),
                  per_run(s, "build.base.out"), "≤ 1.0", lambda r: r <= 1.0))
            p(row(names[s] + ", ISO",
                  per_run(s, "build.ferry.add", "build.ferry.iso"),
                  per_run(s, "build.base.out", "build.base.iso"), "≤ 1.0",
                  lambda r: r <= 1.0))
    p("")
    if any("build.ferry.add" in raw[s] for s in sets):
      p("Split of ferry's build time (median s): " + "; ".join(
        "%s: add %s, build --out %s, build --iso %s" % (
            names[s], fmt(med(per_run(s, "build.ferry.add"), 0)),
            fmt(med(per_run(s, "build.ferry.out"), 0)),
            fmt(med(per_run(s, "build.ferry.iso"), 0)))
        for s in sets if "build.ferry.add" in raw[s]) + ".\n")

p("### 5. Weekly rewrite of a USB stick\n")
if not skipped("5"):
    p("An ext4 image on a loop device holds the version-1 medium; then the "
      "version-2 medium is written. ferry: `mkmedia build --out STICK` (keeps "
      "packages already there with the right hash, writes the new ones, "
      "removes obsolete ones). Baseline: `rm -rf` the old medium, `cp -r` the "
      "new one, `sync`. Bytes = sectors the loop device received (data, "
      "metadata and journal), from /sys/block/loopN/stat.\n")
    p("| data | ferry bytes to device | baseline bytes to device | ratio | "
      "ferry: written / kept (its own count) | medium size |\n"
      "|---|---:|---:|---:|---|---:|")
    for s in sets:
        f = facts[s]
        if "stick_ferry_dev_bytes" in f:
            a, b = int(f["stick_ferry_dev_bytes"]), int(f["stick_base_dev_bytes"])
            w = f.get("stick_ferry_reported", "? ?").split()
            p("| %s | %s MiB | %s MiB | %.2f | %s / %s MiB | %s MiB |" % (
                names[s], mib(a), mib(b), a / b if b else 0,
                mib(int(w[0])) if w and w[0].isdigit() else "?",
                mib(int(w[1])) if len(w) > 1 and w[1].isdigit() else "?",
                mib(int(f["stick_base_files_bytes"]))))
    p("")

p("### 6. Peak resident memory (MiB, max over all runs)\n")
cmds = [("mkmedia add", ["setup.add1", "setup.add2", "build.ferry.add"]),
        ("mkmedia build --out", ["setup.build2", "build.ferry.out"]),
        ("mkmedia build --iso", ["build.ferry.iso"]),
        ("verifymedia", ["verify.ferry"]),
        ("applymedia apply (fresh)", ["apply.ferry"]),
        ("applymedia apply (update)", ["update.ferry"]),
        ("baseline build (largest process)", ["build.base.out"]),
        ("baseline verify", ["verify.base"]),
        ("baseline apply", ["apply.base"])]
p("| command | " + " | ".join(names[s] for s in sets) + " |")
p("|---|" + "---:|" * len(sets))
for label, keys in cmds:
    cells = []
    for s in sets:
        v = [m for k in keys for (_, _, _, m) in raw[s].get(k, [])]
        cells.append("%.0f" % (max(v) / 1024) if v else "—")
    p("| %s | %s |" % (label, " | ".join(cells)))
p("")
print("\n".join(out))
