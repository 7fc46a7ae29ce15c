#!/usr/bin/env bash
# tests/run.sh BUILD_DIR [PATTERN...]: run the whole suite against BUILD_DIR.
# Unit binaries (BUILD_DIR/tests/test_*) and shell tests
# (tests/{cli,media,attack,crash,scenarios,http}/*.sh).  A shell test passes
# with exit 0, is skipped with exit 77 after printing "SKIP: <reason>", and
# fails otherwise.  Each test runs in its own scratch directory, kept when it
# fails.  The last line is always "N passed, N failed, N skipped".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:?usage: tests/run.sh BUILD_DIR [PATTERN...]}" && pwd)
shift
PATTERNS=("$@")
JOBS=${FERRY_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}

RUN_TMP=$(mktemp -d /tmp/ferry-tests.XXXXXX)
export FERRY_SRC=$ROOT FERRY_BIN=$BUILD FERRY_TESTLIB=$ROOT/tests/lib
export FERRY_LOCALEDIR=$BUILD/locale FERRY_RUN_TMP=$RUN_TMP
export LC_ALL=C.UTF-8 LANG=C.UTF-8 TZ=UTC
unset GNUPGHOME

selected() {
	[ ${#PATTERNS[@]} -eq 0 ] && return 0
	local p
	for p in "${PATTERNS[@]}"; do [[ $1 == *$p* ]] && return 0; done
	return 1
}

# Shared fixtures: real GnuPG keys generated once per run in a temp home.
if [ -x "$ROOT/tests/lib/mkkeys.sh" ]; then
	if ! "$ROOT/tests/lib/mkkeys.sh" "$RUN_TMP/keys" >"$RUN_TMP/mkkeys.log" 2>&1; then
		cat "$RUN_TMP/mkkeys.log"
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	export FERRY_TEST_KEYS=$RUN_TMP/keys
fi

tests=()
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	selected "unit/${t##*/}" && tests+=("unit:$t")
done
for d in cli media attack crash scenarios http; do
	for t in "$ROOT"/tests/$d/*.sh; do
		[ -f "$t" ] || continue
		case ${t##*/} in _*) continue ;; esac
		# the long crash campaign is build.sh crash, not a suite test
		[ "$d/${t##*/}" = crash/campaign.sh ] && continue
		selected "$d/${t##*/}" && tests+=("sh:$t")
	done
done

mkdir -p "$RUN_TMP/results"
run_one() {
	local kind=${1%%:*} t=${1#*:} name dir log rc start end
	if [ "$kind" = unit ]; then name=unit/${t##*/}; else
		name=${t#$ROOT/tests/}; fi
	dir=$RUN_TMP/work/${name//\//_}
	mkdir -p "$dir"
	log=$dir/log
	start=$(date +%s.%N)
	if [ "$kind" = unit ]; then
		if [ -n "${FERRY_VALGRIND:-}" ]; then
			(cd "$dir" && valgrind -q --error-exitcode=99 \
			    --leak-check=full --errors-for-leak-kinds=definite \
			    "$t") >"$log" 2>&1
		else
			(cd "$dir" && "$t") >"$log" 2>&1
		fi
	else
		(cd "$dir" && TEST_TMP=$dir bash "$t") >"$log" 2>&1
	fi
	rc=$?
	end=$(date +%s.%N)
	local secs
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}')
	if [ $rc -eq 0 ]; then
		echo "ok    $name (${secs}s)"
		echo pass >"$RUN_TMP/results/${name//\//_}"
		rm -rf "$dir"
	elif [ $rc -eq 77 ]; then
		echo "skip  $name: $(grep -m1 '^SKIP:' "$log" | cut -c7-)"
		echo skip >"$RUN_TMP/results/${name//\//_}"
		rm -rf "$dir"
	else
		{ echo "FAIL  $name (exit $rc, ${secs}s; kept $dir)";
		  tail -n 40 "$log" | sed 's/^/      | /'; }
		echo fail >"$RUN_TMP/results/${name//\//_}"
	fi
}
export -f run_one
export RUN_TMP ROOT

printf '%s\n' "${tests[@]}" | xargs -d '\n' -P "$JOBS" -I{} bash -c 'run_one "$1"' _ {}

pass=$(grep -lx pass "$RUN_TMP"/results/* 2>/dev/null | wc -l)
fail=$(grep -lx fail "$RUN_TMP"/results/* 2>/dev/null | wc -l)
skip=$(grep -lx skip "$RUN_TMP"/results/* 2>/dev/null | wc -l)
missing=$(( ${#tests[@]} - pass - fail - skip ))
fail=$(( fail + missing ))
[ "$fail" -eq 0 ] && rm -rf "$RUN_TMP"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
