#!/usr/bin/env bash
# bench/delta.sh [BUILD_DIR] -- issue 17 target 1: the bytes a client reads
# for a delta (the whole delta package: container, index and blobs) against
# the best plain tool, for every pair of every series of the npm corpus
# (bench/corpus.sh): each adjacent pair and the first -> last jump.
#
# ferry: `delta_bench pkg`, i.e. deltapkg_write() as mkmedia calls it
# (format 4, what mkmedia writes, by default; format 1 too, for
# comparison), each package then applied and checked against the new
# tree's listing.
# The best plain tool is the smaller of
#   (a) the best of zstd -19 --long=31 --patch-from, bsdiff and
#       xdelta3 -9 -S djw on tar files of the two trees (GNU tar, sorted
#       names, mtime 0, owner 0), and
#   (b) the best of the same three tools file by file, each tool's bytes
#       summed over the files of the new tree: 0 for a file unchanged at
#       its path, the tool's delta against the old file at the same path,
#       zstd -19 of the file when the old tree has no file at that path.
# Byte counts only (deterministic); ferry's encode CPU seconds for
# information.  Raw rows: bench/out/delta_pkg.tsv; the table:
# docs/BENCHMARKS-delta.md, followed by the notes kept by hand in
# bench/delta_notes.md (edit those there, not in the generated file).
#
# Environment: FERRY_BENCH_LEVEL (19), FERRY_BENCH_WORKERS (2),
# FERRY_BENCH_FORMAT (4: the package format measured as "ferry"),
# FERRY_BENCH_PLAIN_KNOWN (a TSV of plain-tool bytes already measured,
# bench/delta_plain_known.tsv: its pairs are not measured again -- the
# plain tools' bytes are deterministic for one corpus and tool versions;
# "" measures every pair),
# FERRY_BENCH_SERIES ("caniuse bcd esbuild octokit"), FERRY_BENCH_V1 (1:
# also format 1), FERRY_BENCH_TSV (bench/out/delta_pkg.tsv; an existing file
# is appended to, so series can run separately), FERRY_BENCH_REPORT (1: write
# the report from the whole TSV), FERRY_BENCH_KINDS ("adjacent jump").
# bsdiff is skipped (and said so) above
# FERRY_BENCH_BSDIFF_MAX bytes (default 64 MiB: it needs 9x its input).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${1:-build/bench}
LEVEL=${FERRY_BENCH_LEVEL:-19}
WORKERS=${FERRY_BENCH_WORKERS:-2}
FORMAT=${FERRY_BENCH_FORMAT:-4}
KNOWN=${FERRY_BENCH_PLAIN_KNOWN-$ROOT/bench/delta_plain_known.tsv}
SERIES=${FERRY_BENCH_SERIES:-caniuse bcd esbuild octokit}
V1=${FERRY_BENCH_V1:-1}
export BSDIFF_MAX=${FERRY_BENCH_BSDIFF_MAX:-67108864}
CORPUS=$ROOT/bench/.corpus
OUT=$ROOT/bench/out
TMP=$(mktemp -d /tmp/ferry-delta-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

for t in xdelta3 bsdiff zstd tar python3; do
	command -v "$t" >/dev/null || { echo "delta.sh: $t missing" >&2; exit 1; }
done
[ -f "$CORPUS/MANIFEST.tsv" ] || bash bench/corpus.sh "$CORPUS" >/dev/null
make -s O="$BUILD" "$BUILD/libformats.a" "$BUILD/libcore.a"
cc -O2 -std=gnu11 -I. -D_GNU_SOURCE -o "$BUILD/delta_bench" \
    bench/delta_bench.c "$BUILD/libformats.a" "$BUILD/libcore.a" \
    $(pkg-config --libs libzstd jansson libgcrypt libdivsufsort liblzma) \
    -lgcrypt -lunistring -lpthread

TSV=${FERRY_BENCH_TSV:-$OUT/delta_pkg.tsv}
[ -s "$TSV" ] || printf 'series\tkind\told\tnew\tferry\tferry_cpu_s\tferry_v1\ttar_zstd\ttar_bsdiff\ttar_xdelta3\tfile_zstd\tfile_bsdiff\tfile_xdelta3\n' >"$TSV"

mktar() { # mktar TREE OUT
	tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
	    --format=gnu -cf "$2" -C "$1" .
}

measure() { # measure SERIES KIND OLDTREE NEWTREE
	local s=$1 k=$2 o=$3 n=$4 v2 cpu v1=""
	read -r v2 cpu < <("$BUILD/delta_bench" pkg "$o" "$n" "$TMP/p2" "$LEVEL" "$WORKERS" "$FORMAT")
	if [ "$V1" = 1 ]; then
		read -r v1 _ < <("$BUILD/delta_bench" pkg "$o" "$n" "$TMP/p1" "$LEVEL" "$WORKERS" 1)
	fi
	plain=""
	if [ -n "$KNOWN" ] && [ -f "$KNOWN" ]; then
		plain=$(awk -F'\t' -v s="$s" -v k="$k" -v a="${o##*/}" -v b="${n##*/}" \
		    'BEGIN { OFS = "\t" } $1 == s && $2 == k && $3 == a && $4 == b {
		    print $5, $6, $7, $8, $9, $10; exit }' "$KNOWN")
	fi
	if [ -z "$plain" ]; then
		mktar "$o" "$TMP/o.tar"
		mktar "$n" "$TMP/n.tar"
		plain=$(python3 bench/delta_plain.py "$TMP/o.tar" "$TMP/n.tar" "$o" "$n" "$TMP/w")
		rm -f "$TMP"/o.tar "$TMP"/n.tar "$TMP"/w.*
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$k" "${o##*/}" "${n##*/}" "$v2" "$cpu" "$v1" "$plain" >>"$TSV"
	echo "delta.sh: $s $k ${o##*/} -> ${n##*/}: ferry $v2, plain $plain" >&2
}

for s in $SERIES; do
	mapfile -t vers < <(awk -F'\t' -v s="$s" '$1 == s { print $3 }' "$CORPUS/MANIFEST.tsv")
	[ ${#vers[@]} -ge 2 ] || { echo "delta.sh: series $s missing" >&2; exit 1; }
	T=$CORPUS/tree/$s
	case " ${FERRY_BENCH_KINDS:-adjacent jump} " in *" adjacent "*)
		for ((i = 0; i + 1 < ${#vers[@]}; i++)); do
			measure "$s" adjacent "$T/${vers[i]}" "$T/${vers[i+1]}"
		done ;;
	esac
	case " ${FERRY_BENCH_KINDS:-adjacent jump} " in *" jump "*)
		measure "$s" jump "$T/${vers[0]}" "$T/${vers[${#vers[@]}-1]}" ;;
	esac
done

if [ "${FERRY_BENCH_REPORT:-1}" = 1 ]; then
	# the table, then the notes kept by hand in bench/delta_notes.md
	{ python3 bench/delta_pkg_report.py "$TSV" "$LEVEL" "$WORKERS" "$FORMAT"
	  [ -s bench/delta_notes.md ] && { echo; cat bench/delta_notes.md; }
	} >"$ROOT/docs/BENCHMARKS-delta.md.tmp"
	mv "$ROOT/docs/BENCHMARKS-delta.md.tmp" "$ROOT/docs/BENCHMARKS-delta.md"
	echo "delta.sh: wrote docs/BENCHMARKS-delta.md" >&2
fi
