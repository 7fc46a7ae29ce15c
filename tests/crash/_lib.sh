# tests/crash/_lib.sh: fixture and trial helpers of the crash tests.
# Source after tests/lib/common.sh.  Not a test (run.sh skips _*.sh).
#
# crash_fixture DIR builds, once per test:
#   DIR/repo, DIR/medA (serial 1: patterns 2026.11.19-1, engine 8.0.0),
#   DIR/medB (serial 2: patterns 2026.11.20-1, engine 8.0.1, with deltas)
#   DIR/t/base      fresh client (nothing installed)        -> apply medB
#   DIR/t/delta     client at medA (one version behind)      -> apply medB
#   DIR/t/rollback  client at medB with medA as previous     -> rollback
#   DIR/expect.sh   generation ids and tree digests of old/new (for _check.sh)
# Every client template holds a canary tree (home/canary) outside the state.
# A trial copies a template to a scratch client, runs one faulted command,
# then tests/crash/_check.sh decides the invariants I1-I8.

CRASH_COMPS="patterns engine"
CRASH_CHECK=$FERRY_SRC/tests/crash/_check.sh

_crash_template() {
	local t=$1
	make_client "$t"
	mkdir -p "$t/home/canary/sub"
	printf 'do not touch\n' >"$t/home/canary/a.txt"
	head -c 4096 /dev/urandom >"$t/home/canary/sub/b.bin"
	ln -s ../a.txt "$t/home/canary/sub/link"
}

# app_path CLIENT COMP: the application path of COMP.
app_path() {
	case $2 in
	patterns) echo "$1/opt/av/Bases" ;;
	engine) echo "$1/opt/av/engine" ;;
	esac
}

# The fixture lives on a private tmpfs when it can be mounted (root): the
# trials test process death and I/O errors, not power loss, and without
# real fsyncs they run several times faster.  FERRY_CRASH_DISK=1 keeps it
# on the test's own file system.
crash_unmount() {
	[ -z "${CRASH_MNT:-}" ] || umount -l "$CRASH_MNT" 2>/dev/null || true
}
crash_fixture() {
	local d=$1 c
	mkdir -p "$d"
	d=$(cd "$d" && pwd)
	if [ -z "${FERRY_CRASH_DISK:-}" ] &&
	    mount -t tmpfs -o size=512m,mode=0700 ferry-crash "$d" 2>/dev/null; then
		CRASH_MNT=$d
		trap crash_unmount EXIT
	fi
	mkdir -p "$d/t"
	make_repo "$d/repo" ${CRASH_CHAIN:+--deltas chain}
	add_versions "$d/repo" patterns 2026.11.19-1
	add_versions "$d/repo" engine 8.0.0
	build_medium "$d/repo" "$d/medA"
	add_versions "$d/repo" patterns 2026.11.20-1
	# CRASH_CHAIN=1: medium B carries patterns 2026.11.20-2 as well, so a
	# client at A reaches it through a chain of two deltas.
	[ -z "${CRASH_CHAIN:-}" ] || add_versions "$d/repo" patterns 2026.11.20-2
	add_versions "$d/repo" engine 8.0.1
	build_medium "$d/repo" "$d/medB"
	# The application links are absolute (they name the state directory),
	# so every template is made at, and every trial runs at, $d/c.
	CRASH_CL=$d/c
	_crash_template "$CRASH_CL"
	cp -a "$CRASH_CL" "$d/t/base"
	client "$CRASH_CL" apply "$d/medA" >/dev/null
	cp -a "$CRASH_CL" "$d/t/delta"
	client "$CRASH_CL" apply "$d/medB" >/dev/null
	cp -a "$CRASH_CL" "$d/t/rollback"
	{
		echo "CRASH_MEDB=$d/medB"
		echo "CRASH_COMPS=\"$CRASH_COMPS\""
		echo "CANARY=$(tree_digest "$d/t/base/home/canary")"
		echo "ETC=$(tree_digest "$d/t/base/etc")"
		for c in $CRASH_COMPS; do
			echo "OLDGEN_$c=$(readlink "$d/t/delta/var/lib/ferry/c/$c/current")"
			echo "NEWGEN_$c=$(readlink "$d/t/rollback/var/lib/ferry/c/$c/current")"
		done
	} >"$d/expect.sh"
	for c in base delta rollback; do
		if [ -e "$d/t/$c/var/lib/ferry/state.json" ]; then
			echo "COUNTERS_$c=\"$(jq -r '[.publishers["example-av"].serial,
			    .newest_signed_time] | map(tostring) | join(" ")' \
			    "$d/t/$c/var/lib/ferry/state.json")\""
		else
			echo "COUNTERS_$c=\"0 0\""
		fi
	done >>"$d/expect.sh"
	# Digests through the live application links (template at $d/c).
	CRASH_FIX=$d
	export CRASH_FIX CRASH_CL
	trial_client delta
	for c in $CRASH_COMPS; do
		echo "OLDDIG_$c=$(tree_digest "$(app_path "$CRASH_CL" $c)")"
	done >>"$d/expect.sh"
	trial_client rollback
	for c in $CRASH_COMPS; do
		echo "NEWDIG_$c=$(tree_digest "$(app_path "$CRASH_CL" $c)")"
	done >>"$d/expect.sh"
}

# trial_client MODE: $CRASH_CL becomes a fresh copy of template MODE.
trial_client() {
	rm -rf "$CRASH_CL"
	cp -a "$CRASH_FIX/t/$1" "$CRASH_CL"
}

# trial_cmd MODE: the command (after applymedia --root C) a trial faults.
trial_cmd() {
	case $1 in
	base|delta) echo "apply $CRASH_FIX/medB" ;;
	rollback) echo "rollback patterns" ;;
	esac
}

# now_ms: wall clock in milliseconds.
now_ms() { date +%s%3N; }

# median FILE: median of the numbers in FILE (one a line), or "-".
median() {
	sort -n "$1" | awk '{v[NR]=$1} END {if (NR == 0) print "-";
	    else if (NR % 2) print v[(NR+1)/2];
	    else print (v[NR/2] + v[NR/2+1]) / 2}'
}

# fault_trial MODE [VAR=VALUE...]: one trial: a fresh client from template
# MODE, the faulted command run with the given environment, then the
# invariant checker.  Sets TRIAL_RC (137: killed), TRIAL_OUT (checker
# output) and TRIAL_MS (recovery time); returns the checker's status.
fault_trial() {
	local mode=$1 rc=0 crc=0; shift
	trial_client "$mode"
	# shellcheck disable=SC2046
	{ env "$@" "$FERRY_BIN/applymedia" --root "$CRASH_CL" \
	    $(trial_cmd "$mode") >"$CRASH_CL.out" 2>"$CRASH_CL.err"; } \
	    2>/dev/null || rc=$?
	TRIAL_RC=$rc
	if [ "$rc" -eq 137 ]; then
		TRIAL_OUT=$("$CRASH_CHECK" "$mode") || crc=$?
	else
		TRIAL_OUT=$("$CRASH_CHECK" "$mode" "$rc" "$CRASH_CL.err") ||
		    crc=$?
	fi
	TRIAL_MS=$(echo "$TRIAL_OUT" | sed -n 's/^recovery_ms //p')
	return $crc
}

# clean_points MODE FILE: every fault point passed by a clean run of MODE's
# command, "name count" per line, in FILE.
clean_points() {
	local mode=$1 f=$2
	trial_client "$mode"
	rm -f "$f.raw"
	# shellcheck disable=SC2046
	FERRY_FAULT_LOG=$f.raw "$FERRY_BIN/applymedia" --root "$CRASH_CL" \
	    $(trial_cmd "$mode") >/dev/null 2>&1 ||
	    die "clean $mode run failed"
	[ -s "$f.raw" ] || skip "no fault points logged (not a HOOKS=1 build)"
	sort "$f.raw" | uniq -c | awk '{print $2, $1}' >"$f"
}
