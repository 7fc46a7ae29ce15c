# L4 power loss, quick sample (issue 16; the full exploration is
# tests/crash/_powercut_full.sh, run by build.sh crash).  A delta apply of
# medium B onto a client at A and a base apply onto a fresh client are
# recorded through the FUSE recorder (tests/crash/powercut_fs.c); from
# each log tests/crash/powercut.py builds the crash states the strict
# model allows (unsynced writes lost or torn per page, names durable only
# after an fsync of their directory) and ~50 of them, spread over the
# run, plus every state of the switch windows of the delta apply, are
# materialised and checked by tests/crash/_powercut_check.sh
# (old or new tree before and after recovery, status, history, the
# follow-up apply reaches B, applymedia verify).
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/crash/_lib.sh"
. "$FERRY_SRC/tests/crash/_powercut.sh"
need_keys
command -v jq >/dev/null || skip "jq not installed"
pc_setup
crash_fixture fx
CHECK=$FERRY_SRC/tests/crash/_powercut_check.sh
total=0
explore() {	# MODE [powercut.py explore options]
	local m=$1 rc=0; shift
	pc_explore "$m" "$CRASH_CL" "$@" -- "$CHECK" "$m" || rc=$?
	note "$m $*: $(cat "pc/$m.summary")"
	if [ "$rc" -ne 0 ]; then
		grep -A12 VIOLATION "pc/$m.states" | head -60
		die "$m: a crash state is outside {old, new} (pc/$m.states)"
	fi
	total=$((total + $(awk '{print $2}' "pc/$m.summary")))
}
for m in delta base; do
	trial_client "$m"
	# shellcheck disable=SC2046
	pc_record "$m" "$CRASH_CL" "$FERRY_BIN/applymedia" --root "$CRASH_CL" \
	    $(trial_cmd "$m")
	explore "$m" --limit 20
done
# Every state of the windows around the switch of "current" (regression:
# the renames of previous and current need an fsync between them).
explore delta --focus current --per-window 10

[ "$total" -ge 50 ] || die "only $total crash states explored"
echo "ok: $total power-loss crash states, all old or new"
