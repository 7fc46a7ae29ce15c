#!/usr/bin/env bash
# tests/run.sh BUILD_DIR [PATTERN|!PATTERN...]: run the suite against BUILD_DIR.
# Unit binaries (BUILD_DIR/tests/test_*) and shell tests
# (tests/{cli,media,attack,crash,scenarios,http}/*.sh).  A shell test passes
# with exit 0, is skipped with exit 77 after printing "SKIP: <reason>", and
# fails otherwise.  Each test runs in its own scratch directory, kept when it
# fails.  The last line is always "N passed, N failed, N skipped".
#
# A test that leaves out part of itself says so, and counts as skipped, not
# passed: a shell test prints "SKIP-PART: <reason>" (skip_part in
# tests/lib/common.sh) and goes on; a cmocka case that calls skip() shows
# as "[  SKIPPED ] <case>" (its reason is the line "SKIP <case>: <reason>"
# it prints first).  Each skipped part is listed with its reason.
# FERRY_NO_SKIPS=1 (.ci/run: CI installs every dependency) makes any skip
# fail the run.
# GnuPG homes that tests create (any folder with a private-keys-v1.d or a
# pubring) get their gpg-agent stopped after each test and at the end; a
# run that still leaves an agent for its own folders behind fails.
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
# verifymedia keeps its verification homes in the user's cache
# (verify/gpg_cache.c): the suite's go to its own, shared by its tests.
export XDG_CACHE_HOME=$RUN_TMP/cache
mkdir -m 0700 "$XDG_CACHE_HOME"

# A test runs when its name (e.g. cli/apply_update.sh) contains one of the
# PATTERNs, or when no PATTERN is given; a PATTERN "!text" leaves out the
# tests whose name contains text (only exclusions: everything else runs).
selected() {
	[ ${#PATTERNS[@]} -eq 0 ] && return 0
	local p want=0 any=0
	for p in "${PATTERNS[@]}"; do
		if [[ $p == '!'* ]]; then
			[[ $1 == *"${p#!}"* ]] && return 1
		else
			any=1
			[[ $1 == *$p* ]] && want=1
		fi
	done
	[ $any -eq 0 ] || [ $want -eq 1 ]
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

# skipped_parts KIND LOG: one line per part the test left out, with its
# reason.  Shell tests: "SKIP-PART: reason".  cmocka: "[  SKIPPED ] case"
# (not the "N test(s), listed below" summary), reason from "SKIP case: ...".
skipped_parts() {
	if [ "$1" = unit ]; then
		local c r
		sed -n 's/^\[  SKIPPED \] \([A-Za-z_0-9]*\)$/\1/p' "$2" | sort -u |
		while read -r c; do
			r=$(sed -n "s/^SKIP $c: //p" "$2" | head -n 1)
			echo "$c: ${r:-(skip() without a reason)}"
		done
	else
		sed -n 's/^SKIP-PART: //p' "$2"
	fi
}
# stop_agents DIR: stop the gpg-agent of every GnuPG home below DIR.
stop_agents() {
	local h
	[ -d "$1" ] || return 0
	find "$1" \( -name private-keys-v1.d -o -name pubring.kbx \
	    -o -name pubring.gpg \) -printf '%h\n' 2>/dev/null | sort -u |
	while read -r h; do
		gpgconf --homedir "$h" --kill all >/dev/null 2>&1 || true
	done
}
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
	stop_agents "$dir"
	local secs parts
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}')
	parts=$(skipped_parts "$kind" "$log")
	if [ $rc -eq 0 ] && [ -n "$parts" ]; then
		echo "skip  $name (${secs}s): passed, but left out $(grep -c . <<<"$parts") part(s):"
		sed 's/^/      - /' <<<"$parts"
		echo skip >"$RUN_TMP/results/${name//\//_}"
		rm -rf "$dir"
	elif [ $rc -eq 0 ]; then
		echo "ok    $name (${secs}s)"
		echo pass >"$RUN_TMP/results/${name//\//_}"
		rm -rf "$dir"
	elif [ $rc -eq 77 ]; then
		echo "skip  $name: $(grep -m1 '^SKIP:' "$log" | cut -c7-)"
		[ -z "$parts" ] || sed 's/^/      - /' <<<"$parts"
		echo skip >"$RUN_TMP/results/${name//\//_}"
		rm -rf "$dir"
	else
		{ echo "FAIL  $name (exit $rc, ${secs}s; kept $dir)";
		  tail -n 40 "$log" | sed 's/^/      | /'; }
		echo fail >"$RUN_TMP/results/${name//\//_}"
	fi
}
export -f run_one skipped_parts stop_agents
export RUN_TMP ROOT

printf '%s\n' "${tests[@]}" | xargs -d '\n' -P "$JOBS" -I{} bash -c 'run_one "$1"' _ {}

pass=$(grep -lx pass "$RUN_TMP"/results/* 2>/dev/null | wc -l)
fail=$(grep -lx fail "$RUN_TMP"/results/* 2>/dev/null | wc -l)
skip=$(grep -lx skip "$RUN_TMP"/results/* 2>/dev/null | wc -l)
missing=$(( ${#tests[@]} - pass - fail - skip ))
fail=$(( fail + missing ))

# No gpg-agent of this run may outlive it.
stop_agents "$RUN_TMP"
for _ in 1 2 3 4 5 6 7 8 9 10; do
	left=$(pgrep -f "gpg-agent --homedir $RUN_TMP/" || true)
	[ -z "$left" ] && break
	sleep 0.5
done
if [ -n "$left" ]; then
	echo "FAIL  the run left gpg-agent processes behind:"
	ps -o pid=,args= -p "$(echo $left | tr ' ' ',')" | sed 's/^/      | /'
	fail=$((fail + 1))
fi
if [ "${FERRY_NO_SKIPS:-0}" = 1 ] && [ "$skip" -gt 0 ]; then
	echo "FAIL  $skip test(s) skipped all or part of themselves, and" \
	    "FERRY_NO_SKIPS=1 (every dependency is installed here):"
	grep -lx skip "$RUN_TMP"/results/* | sed "s|^$RUN_TMP/results/|      |"
	fail=$((fail + skip))
	skip=0
fi
[ "$fail" -eq 0 ] && rm -rf "$RUN_TMP"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
