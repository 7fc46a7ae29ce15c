#!/usr/bin/env bash
# bench/fleet_for.sh BUILD_DIR: media built for the fleet (issue 18 sec. 3).
# A publisher repository of the shared corpus (bench/.corpus: caniuse-lite
# 12 versions, @mdn/browser-compat-data 8, esbuild 6; `mkmedia init`
# defaults but --deltas both, so a client may take a chain or a jump),
# then 300 simulated clients at mixed versions (bench/fleet_for.c; three
# seeds).  For each seed: the packages of the default medium (the target's
# base and every delta in the window) against `mkmedia build --for` for
# those clients, and what the fleet reads from each.  Byte counts are
# exact; CPU seconds are the selection's alone.
# Writes bench/out/fleet-for.tsv and docs/BENCHMARKS-fleet-for.md.
# FERRY_BENCH_LEVEL (default 9): the repository's zstd level.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/rel}
CORPUS=$PWD/bench/.corpus
OUT=bench/out
LEVEL=${FERRY_BENCH_LEVEL:-9}
CLIENTS=${FERRY_BENCH_CLIENTS:-300}
mkdir -p "$OUT"
[ -f "$CORPUS/MANIFEST.tsv" ] || bash bench/corpus.sh "$CORPUS" >/dev/null
make -s O="$BUILD" all
cc -O2 -std=gnu11 -I. -D_GNU_SOURCE -o "$BUILD/fleet_for" bench/fleet_for.c \
    "$BUILD/libmkmedia.a" "$BUILD/libverify.a" "$BUILD/libformats.a" \
    "$BUILD/libcore.a" $(pkg-config --libs gpgme blkid libzstd jansson \
    libgcrypt libdivsufsort liblzma) -lgcrypt -lunistring -lpthread -ldl

REPO=$OUT/fleet-for-repo
if [ ! -f "$REPO/.complete-$LEVEL" ]; then
	rm -rf "$REPO"
	"$BUILD/mkmedia" --repo "$REPO" init --publisher bench --deltas both \
	    --level "$LEVEL" >/dev/null
	start=$(date +%s)
	for s in caniuse bcd esbuild; do
		for v in $(awk -F'\t' -v s="$s" '$1 == s { print $3 }' "$CORPUS/MANIFEST.tsv"); do
			"$BUILD/mkmedia" --repo "$REPO" add "$s" "$v" \
			    "$CORPUS/tree/$s/$v" --quiet
		done
	done
	echo "fleet_for.sh: repository built in $(( $(date +%s) - start )) s" >&2
	# the revision whose `mkmedia add` (keep rule, levels) made it
	git rev-parse --short HEAD >"$REPO/.rev"
	touch "$REPO/.complete-$LEVEL"
fi

TSV=$OUT/fleet-for.tsv
: >"$TSV"
for run in 1 2 3 1b 2b 3b; do
	seed=${run%b}
	mix=; [ "$run" = "$seed" ] || mix=nofresh
	"$BUILD/fleet_for" "$REPO" "$CLIENTS" "$seed" $mix >"$OUT/fleet-for-$run.out"
	[ -s "$TSV" ] || head -n 1 "$OUT/fleet-for-$run.out" | sed 's/^/seed\t/' >"$TSV"
	grep -v '^#' "$OUT/fleet-for-$run.out" | tail -n +2 | sed "s/^/$run\t/" >>"$TSV"
done
rev=$(git rev-parse --short HEAD)
dirty=$(git status --porcelain -- mkmedia formats bench | grep -q . && echo "+changes" || true)
addrev=$(cat "$REPO/.rev" 2>/dev/null || echo "unknown")
when="$(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$TSV" "$OUT" "$CLIENTS" "$LEVEL" "$rev$dirty" "$addrev" "$when" >docs/BENCHMARKS-fleet-for.md <<'PY'
import csv, sys
tsv, out, clients, level, rev, addrev, when = sys.argv[1:]
rows = list(csv.DictReader(open(tsv), delimiter="\t"))
def mib(b): return "%.2f MiB" % (int(b) / 1048576)
print("# Media built for the fleet (bench/fleet_for.sh)\n")
print("%s simulated clients, each holding caniuse-lite, @mdn/browser-compat-data" % clients)
print("and esbuild (the shared corpus: 12, 8 and 6 versions) at a version drawn")
print("from a fixed mix: 12 % current, 30 % one version behind, 20 % two, 12 %")
print("three, 21 % further back, 5 % nothing installed (bench/fleet_for.c);")
print("runs 1b-3b: mix B, the same without fresh installs (those 5 % are one")
print("version behind).")
print("Repository: `mkmedia init --deltas both --level %s`, defaults otherwise" % level)
print("(window 4, bases at the default base level 12), ingested by `mkmedia add`")
print("of revision %s (issue 19's keep rule: a delta is kept only when it lowers" % addrev)
print("some client's cheapest plan).  Both media are mkmedia's own selection")
print("(select_build, the packages `mkmedia build` writes); *fleet reads* is the")
print("sum over every client that is behind of what its own planner reads from")
print("that medium.  Selection at revision %s, %s." % (rev, when))
print("Byte counts are exact and do not depend on load, the CPU time is the")
print("selection's alone (2-core machine shared by 5 engineers).\n")
print("| run | medium | packages on the medium | files | fleet reads | clients via a base | selection CPU |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    print("| %s | %s | %s | %s | %s | %s of %s | %s s |" % (r["seed"], "default (window)" if r["medium"] == "window" else "`--for` 300 reports",
          mib(r["packages_bytes"]), r["files"], mib(r["fleet_reads_bytes"]), r["via_base"], r["behind"], r["select_cpu_s"]))
print()
for seed in [r["seed"] for r in rows if r["medium"] == "window"]:
    w = next(r for r in rows if r["seed"] == seed and r["medium"] == "window")
    f = next(r for r in rows if r["seed"] == seed and r["medium"] == "for")
    print("- run %s: the `--for` medium is %.1f %% of the default one (%s against %s); the fleet reads %.1f %% of what it reads from the default one." % (
        seed, 100.0 * int(f["packages_bytes"]) / int(w["packages_bytes"]), mib(f["packages_bytes"]), mib(w["packages_bytes"]),
        100.0 * int(f["fleet_reads_bytes"]) / int(w["fleet_reads_bytes"])))
for run in ("1", "1b"):
    print("\nWhat each medium carries (run %s):\n" % run)
    print("```")
    for l in open(out + "/fleet-for-%s.out" % run):
        if l.startswith("#"):
            print(l[2:].rstrip("\n").replace("\t", "  "))
    print("```")
PY
echo "fleet_for.sh: wrote docs/BENCHMARKS-fleet-for.md" >&2
