#!/usr/bin/env bash
# bench/issue17.sh BUILD_DIR [BEFORE_BUILD]: every row of issue 17's table
# that this repository can measure, in one run, logged to
# bench/out/issue17/ (one file per part, plus the load average and the
# clock at each part's start in times.txt):
#   e2e.md      bench/e2e.sh: verify and fresh apply of the npm corpus
#               medium and of a 512 MiB synthetic one, ferry and the plain
#               tools interleaved; downtime between the hooks on the
#               corpus and on 40 MiB;
#   sparse.md   bench/sparse.sh: the binary-database stand-in (bytes);
#   delta.md    bench/delta.sh: every pair of the npm corpus against the
#               best plain tool (bytes; also docs/BENCHMARKS-delta.md);
#   hopeless    bench/hopeless.sh: add of a 10 MB release sharing nothing;
#   ingest      bench/ingest.sh: add of 1 GiB at the defaults vs the pipe;
#   big_adds    bench/big_adds.sh: add of a 100 MB program, 2nd and 3rd
#               version (only with FERRY_BENCH_BUN=1: about 15 minutes of
#               two cores; needs bench/.corpus-big);
#   http        bench/http_load.sh: 200 clients (with BEFORE_BUILD, e.g. a
#               build of 53bc079, the revision of the issue's 28 s, the
#               rounds alternate with it twice: http.log on media that
#               build made, so both read the same bytes; http_own.log
#               with each build serving its own media to clients it set
#               up, the load test as each revision runs it).
# FERRY_BENCH_PARTS limits the run ("e2e sparse delta hopeless ingest
# big_adds http").  Wall times on a shared machine are noisy: the reports
# give CPU time (user + sys) next to them and the load average.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:?usage: issue17.sh BUILD_DIR [BEFORE_BUILD]}
BEFORE=${2:-}
export FERRY_BENCH_RUNS=${FERRY_BENCH_RUNS:-7}
export FERRY_BENCH_RUNS_BIG=${FERRY_BENCH_RUNS_BIG:-3}
export FERRY_BENCH_BIG_ONE=${FERRY_BENCH_BIG_ONE:-1}
OUT=bench/out/issue17
mkdir -p "$OUT"
PARTS=${FERRY_BENCH_PARTS:-e2e sparse delta hopeless ingest big_adds http}
[ "${FERRY_BENCH_BUN:-0}" = 1 ] || PARTS=${PARTS/big_adds/}
: >"$OUT/times.txt"
mark() { printf '%s %s load %s\n' "$(date -u +%H:%M:%S)" "$1" "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/times.txt" >&2; }
want() { [[ " $PARTS " == *" $1 "* ]]; }
mark "start $(git rev-parse --short HEAD) parts: $PARTS"
if want e2e; then
	bash bench/e2e.sh "$BUILD" --sets "corpus s40 big" --items "1 2 3"
	cp bench/out/e2e.md "$OUT/e2e.md"
	mark "e2e done"
fi
if want sparse; then
	bash bench/sparse.sh "$BUILD" >"$OUT/sparse.md"
	mark "sparse done"
fi
if want delta; then
	rm -f "$OUT/delta_pkg.tsv"
	FERRY_BENCH_V1=0 FERRY_BENCH_TSV=$PWD/$OUT/delta_pkg.tsv \
	    bash bench/delta.sh "$BUILD" >"$OUT/delta.log" 2>&1
	cp docs/BENCHMARKS-delta.md "$OUT/delta.md"
	mark "delta done"
fi
if want hopeless; then
	bash bench/hopeless.sh "$BUILD" 10 3 >"$OUT/hopeless.tsv"
	mark "hopeless done"
fi
if want ingest; then
	bash bench/ingest.sh "$BUILD" 1024 12 2 >"$OUT/ingest.tsv"
	mark "ingest done"
fi
if want big_adds; then
	bash bench/big_adds.sh "$BUILD" 3 >"$OUT/big_adds.tsv"
	mark "big_adds done"
fi
if want http; then
	if [ -n "$BEFORE" ]; then
		FERRY_HTTP_MEDIA_BIN=$BEFORE bash bench/http_load.sh "$BUILD" \
		    200 "$BEFORE" "${FERRY_HTTP_ROUNDS:-3}" >"$OUT/http.log" 2>&1
		mark "http (same media) done"
		FERRY_HTTP_OWN_MEDIA=1 bash bench/http_load.sh "$BUILD" \
		    200 "$BEFORE" "${FERRY_HTTP_ROUNDS:-3}" >"$OUT/http_own.log" 2>&1
	else
		bash bench/http_load.sh "$BUILD" 200 >"$OUT/http.log" 2>&1
	fi
	mark "http done"
fi
mark end
