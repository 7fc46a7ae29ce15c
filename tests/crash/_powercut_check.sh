#!/usr/bin/env bash
# tests/crash/_powercut_check.sh MODE: the checks of one power-loss crash
# state (tests/crash/powercut.py materialised it at $CRASH_CL; MODE is
# the _lib.sh template the recorded run started from).
#   P1 before any recovery, I1/I2 of _check.sh (current names the old or
#      the new generation; each application tree is exactly the old or
#      the new one, every file's hash) - done by _check.sh below
#   P2 "applymedia status" (a read-only run) succeeds and reports, for
#      each component, the version of the generation "current" names
#   P3 after the follow-up apply, history.jsonl: every line is one JSON
#      object (recovery cut away a line the power cut tore or zeroed)
#   then _check.sh MODE: I1-I8 before and after the follow-up apply
#   (recovery, completion to the new version, applymedia verify).
set -uo pipefail
MODE=${1:?usage: _powercut_check.sh MODE}
: "${FERRY_BIN:?}" "${CRASH_FIX:?}" "${CRASH_CL:?}"
ST=$CRASH_CL/var/lib/ferry
bad=0
viol() { echo "VIOLATION $1: $2"; bad=1; }
hist_ok() {
	[ -e "$ST/history.jsonl" ] || return 0
	if [ "$(tr -d '\000' <"$ST/history.jsonl" | wc -c)" -ne \
	    "$(wc -c <"$ST/history.jsonl")" ]; then
		viol P3 "$1: history.jsonl holds NUL bytes"; return
	fi
	jq -c . "$ST/history.jsonl" >/dev/null 2>&1 ||
	    viol P3 "$1: history.jsonl has a line that is not JSON"
}
src=0
"$FERRY_BIN/applymedia" --root "$CRASH_CL" status --json \
    >"$CRASH_CL.status" 2>"$CRASH_CL.status.err" || src=$?
if [ "$src" -ne 0 ]; then
	viol P2 "status exit $src: $(head -c 300 "$CRASH_CL.status.err")"
fi
out=$("$FERRY_SRC/tests/crash/_check.sh" "$MODE") || bad=1
echo "$out"
hist_ok "after the follow-up apply"
exit $bad
