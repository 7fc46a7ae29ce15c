#!/usr/bin/env bash
# bench/delta_codec.sh [BUILD_DIR] -- ferry's single-file delta codec next to xdelta3, bsdiff
# and zstd --patch-from on the npm corpus (bench/corpus.sh), one run.
#
# For every series: each adjacent pair of versions and the first -> last
# jump.  Per pair and method: delta bytes, create seconds, apply seconds,
# peak RSS of create and apply (/usr/bin/time -f %M), and the output is
# compared with the real new version.  FULL = zstd -19 --long of the new
# version alone (what a base package costs).  Raw rows go to
# bench/out/delta.tsv, the summary (medians) to docs/BENCHMARKS-delta-codec.md.
# (bench/delta.sh measures whole delta packages against the plain tools.)
#
# Environment: FERRY_BENCH_LEVEL (19), FERRY_BENCH_WORKERS (2),
# FERRY_BENCH_SERIES (all: "caniuse bcd esbuild octokit").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${1:-build/bench}
LEVEL=${FERRY_BENCH_LEVEL:-19}
WORKERS=${FERRY_BENCH_WORKERS:-2}
SERIES=${FERRY_BENCH_SERIES:-caniuse bcd esbuild octokit}
CORPUS=$ROOT/bench/.corpus
OUT=$ROOT/bench/out
TMP=$(mktemp -d /tmp/ferry-delta-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

for t in xdelta3 bsdiff bspatch zstd /usr/bin/time python3; do
	command -v "$t" >/dev/null || { echo "delta.sh: $t missing" >&2; exit 1; }
done
bash bench/corpus.sh "$CORPUS" >/dev/null
make -s O="$BUILD" "$BUILD/libformats.a" "$BUILD/libcore.a"
cc -O2 -std=gnu11 -I. -D_GNU_SOURCE -o "$BUILD/delta_bench" \
    bench/delta_bench.c "$BUILD/libformats.a" "$BUILD/libcore.a" \
    $(pkg-config --libs libzstd jansson libgcrypt libdivsufsort liblzma) \
    -lgcrypt -lunistring -lpthread

# run NAME CMD... : wall seconds and peak RSS (KiB) of CMD into $TMP/NAME
# (wall from date(1): /usr/bin/time's %e has 10 ms steps)
run() {
	local n=$1 t0 t1; shift
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$TMP/$n.time" "$@" >/dev/null 2>"$TMP/$n.err" ||
	    { cat "$TMP/$n.err" >&2; echo "delta.sh: $n failed: $*" >&2; exit 1; }
	t1=$(date +%s%N)
	echo "$(( (t1 - t0) / 1000000 )).$(( (t1 - t0) / 1000 % 1000 ))" | awk '{ printf "%.4f %s\n", $1 / 1000, m }' m="$(cat "$TMP/$n.time")"
}

TSV=$OUT/delta.tsv
printf 'series\tkind\told\tnew\tnew_bytes\told_bytes\tmethod\tbytes\tcreate_s\tcreate_kib\tapply_s\tapply_kib\tnote\n' >"$TSV"

measure() { # measure SERIES KIND OLDFILE NEWFILE
	local s=$1 k=$2 o=$3 n=$4 nb c a m cs ck as ak
	nb=$(stat -c %s "$n")
	# ferry
	read -r cs ck < <(run fe "$BUILD/delta_bench" enc "$o" "$n" "$TMP/f.d" "$LEVEL" "$WORKERS")
	m=$("$BUILD/delta_bench" dec "$o" "$TMP/f.d" "$TMP/f.out" "$nb" | cut -d' ' -f1)
	read -r as ak < <(run fd "$BUILD/delta_bench" dec "$o" "$TMP/f.d" "$TMP/f.out" "$nb")
	cmp -s "$TMP/f.out" "$n" || { echo "ferry output differs: $n" >&2; exit 1; }
	printf '%s\t%s\t%s\t%s\t%s\t%s\tferry\t%s\t%s\t%s\t%s\t%s\tm%s\n' "$s" "$k" "${o##*/}" "${n##*/}" "$nb" "$(stat -c %s "$o")" \
	    "$(stat -c %s "$TMP/f.d")" "$cs" "$ck" "$as" "$ak" "$m" >>"$TSV"
	# xdelta3 -9 -S djw
	read -r cs ck < <(run xe xdelta3 -9 -S djw -e -f -s "$o" "$n" "$TMP/x.d")
	read -r as ak < <(run xd xdelta3 -d -f -s "$o" "$TMP/x.d" "$TMP/x.out")
	cmp -s "$TMP/x.out" "$n" || { echo "xdelta3 output differs" >&2; exit 1; }
	printf '%s\t%s\t%s\t%s\t%s\t%s\txdelta3-9-djw\t%s\t%s\t%s\t%s\t%s\t\n' "$s" "$k" "${o##*/}" "${n##*/}" "$nb" "$(stat -c %s "$o")" \
	    "$(stat -c %s "$TMP/x.d")" "$cs" "$ck" "$as" "$ak" >>"$TSV"
	# bsdiff
	read -r cs ck < <(run be bsdiff "$o" "$n" "$TMP/b.d")
	read -r as ak < <(run bd bspatch "$o" "$TMP/b.out" "$TMP/b.d")
	cmp -s "$TMP/b.out" "$n" || { echo "bspatch output differs" >&2; exit 1; }
	printf '%s\t%s\t%s\t%s\t%s\t%s\tbsdiff\t%s\t%s\t%s\t%s\t%s\t\n' "$s" "$k" "${o##*/}" "${n##*/}" "$nb" "$(stat -c %s "$o")" \
	    "$(stat -c %s "$TMP/b.d")" "$cs" "$ck" "$as" "$ak" >>"$TSV"
	# zstd -19 --long=31 --patch-from
	read -r cs ck < <(run ze zstd -q -f -19 --long=31 --patch-from="$o" "$n" -o "$TMP/z.d")
	read -r as ak < <(run zd zstd -q -f -d --long=31 --patch-from="$o" "$TMP/z.d" -o "$TMP/z.out")
	cmp -s "$TMP/z.out" "$n" || { echo "zstd output differs" >&2; exit 1; }
	printf '%s\t%s\t%s\t%s\t%s\t%s\tzstd-19-long-patch\t%s\t%s\t%s\t%s\t%s\t\n' "$s" "$k" "${o##*/}" "${n##*/}" "$nb" "$(stat -c %s "$o")" \
	    "$(stat -c %s "$TMP/z.d")" "$cs" "$ck" "$as" "$ak" >>"$TSV"
	# FULL: the new version compressed alone
	read -r cs ck < <(run fu zstd -q -f -19 --long "$n" -o "$TMP/full.zst")
	printf '%s\t%s\t%s\t%s\t%s\t%s\tFULL-zstd-19-long\t%s\t%s\t%s\t\t\t\n' "$s" "$k" "${o##*/}" "${n##*/}" "$nb" "$(stat -c %s "$o")" \
	    "$(stat -c %s "$TMP/full.zst")" "$cs" "$ck" >>"$TSV"
	echo "delta.sh: $s $k ${o##*/} -> ${n##*/} done" >&2
}

for s in $SERIES; do
	mapfile -t files < <(awk -F'\t' -v s="$s" '$1 == s { print $7 }' "$CORPUS/MANIFEST.tsv")
	[ ${#files[@]} -ge 2 ] || { echo "delta.sh: series $s missing" >&2; exit 1; }
	for ((i = 0; i + 1 < ${#files[@]}; i++)); do
		measure "$s" adjacent "$CORPUS/${files[i]}" "$CORPUS/${files[i+1]}"
	done
	measure "$s" jump "$CORPUS/${files[0]}" "$CORPUS/${files[${#files[@]}-1]}"
done

python3 bench/delta_report.py "$TSV" "$LEVEL" "$WORKERS" >"$ROOT/docs/BENCHMARKS-delta-codec.md"
echo "delta_codec.sh: wrote docs/BENCHMARKS-delta-codec.md" >&2
