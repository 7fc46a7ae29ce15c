# L4 power loss: the simulator can fail (issue 16).  A test build
# (HOOKS=1) with FERRY_SEED_BUG=<step> leaves out one directory fsync:
#   gens.fsync      the fsync that makes the rename of a staged generation
#                   into c/<comp>/gens durable (applymedia/stage.c).  In
#                   the strict model the switch of "current" (fsynced in
#                   c/<comp>) can reach the disk while the generation it
#                   names is still ".stage-*": "current" dangles and the
#                   application path shows neither tree (I2).
#   previous.fsync  the fsync between the renames of "previous" and
#                   "current" (applymedia/switch.c; the bug the simulator
#                   found): "current" new with "previous" lost (I8).
# The simulator must catch both among the states of the switch windows.
# (The ext4 data=ordered approximation, in which metadata persists in
# order, does not flag gens.fsync: tests/crash/_powercut_full.sh shows it.)
# The same run without a seeded bug is clean (powercut_apply.sh).
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/crash/_lib.sh"
. "$FERRY_SRC/tests/crash/_powercut.sh"
need_keys
command -v jq >/dev/null || skip "jq not installed"
pc_setup
crash_fixture fx
CHECK=$FERRY_SRC/tests/crash/_powercut_check.sh

seeded() {	# STEP WANT-REGEX
	local step=$1 want=$2 rc=0
	trial_client delta
	FERRY_FAULT_LOG=$PWD/points pc_record "$step" "$CRASH_CL" \
	    env FERRY_SEED_BUG="$step" \
	    "$FERRY_BIN/applymedia" --root "$CRASH_CL" apply "$CRASH_FIX/medB"
	grep -q . points 2>/dev/null ||
	    skip "not a HOOKS=1 build (FERRY_SEED_BUG needs the test hooks)"
	pc_explore "$step" "$CRASH_CL" --focus current --per-window 10 -- \
	    "$CHECK" delta || rc=$?
	note "$step (strict): $(cat "pc/$step.summary")"
	[ "$rc" -eq 1 ] || { tail -5 "pc/$step.states";
	    die "the seeded missing $step was not caught (exit $rc)"; }
	grep -Eq "VIOLATION $want" "pc/$step.states" || {
	    grep -A6 VIOLATION "pc/$step.states" | head -20
	    die "$step: caught, but not as /$want/"; }
	note "$step: $(grep -m1 -E "VIOLATION $want" "pc/$step.states")"
}
seeded gens.fsync 'I2: .*application tree is neither old nor new'
seeded previous.fsync 'I8: .*previous'
echo "ok: both seeded missing directory fsyncs are caught in the strict model"
