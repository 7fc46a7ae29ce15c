#!/usr/bin/env bash
# bench/issue17.sh BUILD_DIR [BEFORE_BUILD]: the rows of issue 17's table
# that this repository can measure, in one run: bench/e2e.sh (verify and
# fresh apply of the npm corpus medium and of a 512 MiB synthetic one,
# ferry and the plain tools interleaved; downtime between the hooks on the
# corpus and on 40 MiB), then bench/http_load.sh (200 clients; with
# BEFORE_BUILD, e.g. a build of 53bc079, the revision of the issue's 28 s,
# the rounds alternate with it on media that build can read).  The delta
# byte and ingest rows come from bench/delta.sh, bench/sparse.sh and the
# ingest benchmarks (docs/BENCHMARKS-delta.md).  Wall times on a shared
# machine are noisy: the reports give CPU time (user + sys) next to them
# and the load average during the run.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:?usage: issue17.sh BUILD_DIR [BEFORE_BUILD]}
BEFORE=${2:-}
export FERRY_BENCH_RUNS=${FERRY_BENCH_RUNS:-7}
export FERRY_BENCH_RUNS_BIG=${FERRY_BENCH_RUNS_BIG:-3}
export FERRY_BENCH_BIG_ONE=${FERRY_BENCH_BIG_ONE:-1}
date -u '+# issue17.sh: start %Y-%m-%d %H:%M:%S UTC' >&2
bash bench/e2e.sh "$BUILD" --sets "corpus s40 big" --items "1 2 3"
date -u '+# issue17.sh: e2e done %H:%M:%S UTC' >&2
if [ -n "$BEFORE" ]; then
	FERRY_HTTP_MEDIA_BIN=$BEFORE bash bench/http_load.sh "$BUILD" 200 \
	    "$BEFORE" "${FERRY_HTTP_ROUNDS:-2}"
else
	bash bench/http_load.sh "$BUILD" 200
fi
date -u '+# issue17.sh: end %H:%M:%S UTC' >&2
