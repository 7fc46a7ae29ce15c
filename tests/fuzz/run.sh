#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/fuzz/run.sh [SECONDS] [TARGET...]: build every libFuzzer target
# (tests/fuzz/fuzz_*.c) with clang against an ASan+UBSan build of the
# libraries in build/fuzz, then run each for SECONDS (default 60) on its
# seeds (tests/fuzz/seed_<name>, read only; new inputs go to a scratch
# corpus) and its dictionary (tests/fuzz/<name>.dict) if there is one.
# Prints one line per target: execs, coverage, corpus size, crashes.  A
# crash keeps its input in build/fuzz/artifacts/ and fails the run.
#   FUZZ_JOBS=N       targets run N at a time (default 1)
#   FUZZ_BUILD=DIR    build directory (default build/fuzz)
#   FUZZ_BUILD_ONLY=1 build the targets, run nothing
# Exit: 0 no crash, 1 a crash or a build failure, 77 no clang/libFuzzer.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SECS=${1:-60}
shift || true
B=${FUZZ_BUILD:-build/fuzz}
JOBS=${FUZZ_JOBS:-1}
PKGS="libarchive gpgme blkid libzstd jansson libgcrypt libcurl libdivsufsort liblzma"

command -v clang >/dev/null 2>&1 || { echo "SKIP: clang not installed"; exit 77; }
probe=$(mktemp -d)
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' >"$probe/p.c"
if ! clang -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" \
    >/dev/null 2>&1; then
	rm -rf "$probe"
	echo "SKIP: clang cannot link libFuzzer (install libclang-rt-dev)"
	exit 77
fi
rm -rf "$probe"

# The libraries, instrumented for coverage, ASan and UBSan.
mkdir -p "$B"
if ! make -s -j"$(nproc 2>/dev/null || echo 2)" O="$B" HOOKS=1 SAN=1 CC=clang \
    CFLAGS='-O1 -g -fsanitize=fuzzer-no-link' \
    "$B/libverify.a" "$B/libformats.a" "$B/libcore.a" >"$B/build.log" 2>&1; then
	cat "$B/build.log"
	echo "fuzz: building the libraries failed"
	exit 1
fi
# shellcheck disable=SC2086
CF=(-O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer -std=gnu11 -I. -D_GNU_SOURCE -DFERRY_TEST_HOOKS
    $(pkg-config --cflags $PKGS))
# libarchive's headers only: formats/archive_dl.c loads the library.
# shellcheck disable=SC2086
LIBS=("$B/libverify.a" "$B/libformats.a" "$B/libcore.a"
      $(pkg-config --libs ${PKGS/libarchive /}) -lgcrypt -lunistring -lpthread)

targets=()
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	if ! clang "${CF[@]}" -o "$B/fuzz_$name" "$src" "${LIBS[@]}" \
	    >"$B/fuzz_$name.build.log" 2>&1; then
		cat "$B/fuzz_$name.build.log"
		echo "fuzz: building fuzz_$name failed"
		exit 1
	fi
	targets+=("$name")
done
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no targets"; exit 1; }
if [ -n "${FUZZ_BUILD_ONLY:-}" ]; then
	echo "fuzz: built ${#targets[@]} targets in $B"
	exit 0
fi

mkdir -p "$B/artifacts" "$B/corpus"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_target() {
	local name=$1 log=$B/fuzz_$1.log work=$B/corpus/$1 seeds dict rc
	seeds=tests/fuzz/seed_$name
	mkdir -p "$work"
	[ -d "$seeds" ] || seeds=
	dict=tests/fuzz/$name.dict
	[ -f "$dict" ] || dict=
	"$B/fuzz_$name" -max_total_time="$SECS" -timeout=10 \
	    ${dict:+-dict="$dict"} -rss_limit_mb=2560 -max_len=1048576 \
	    -print_final_stats=1 \
	    -artifact_prefix="$B/artifacts/${name}-" "$work" ${seeds:+"$seeds"} \
	    >"$log" 2>&1
	rc=$?
	local execs cov crashes=0
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
	if [ $rc -ne 0 ]; then
		crashes=$(ls "$B"/artifacts/"${name}"-* 2>/dev/null | wc -l)
		[ "$crashes" -gt 0 ] || crashes=1
	fi
	printf 'fuzz_%-10s %4ss  execs %-10s cov %-6s corpus %-6s crashes %s\n' \
	    "$name" "$SECS" "${execs:-?}" "${cov:-?}" \
	    "$(ls "$work" | wc -l)" "$crashes"
	if [ $rc -ne 0 ]; then
		grep -E 'ERROR|SUMMARY|fuzz_[a-z]+: |Test unit written' "$log" |
		    head -n 20 | sed 's/^/    | /'
		return 1
	fi
	return 0
}
export -f run_target
export B SECS

fails=0
if [ "$JOBS" -gt 1 ]; then
	printf '%s\n' "${targets[@]}" |
	    xargs -P "$JOBS" -I{} bash -c 'run_target "$1"' _ {} || fails=1
else
	for t in "${targets[@]}"; do
		run_target "$t" || fails=1
	done
fi
if [ $fails -ne 0 ]; then
	echo "fuzz: crash (inputs in $B/artifacts/, logs in $B/fuzz_*.log)"
	exit 1
fi
echo "fuzz: ${#targets[@]} targets, no crash"
