#!/usr/bin/env bash
# tests/crash/_check.sh MODE [RC ERRFILE]: the invariants after one crash or
# fault trial on the client $CRASH_CL made from template MODE (base, delta,
# rollback; see _lib.sh).  RC and ERRFILE are the faulted run's exit code
# and stderr when it was not killed.  Environment: FERRY_BIN, CRASH_FIX,
# CRASH_CL.  Prints one "VIOLATION In: ..." line per broken invariant and
# exits 1 if there was any; the last line is always "recovery_ms N" (the
# follow-up run, which recovers and completes).
#   I1 current of every component names the old or the new generation
#      (or nothing, if nothing was installed before)
#   I2 the application path shows exactly the old or the new tree
#   I3 after the follow-up apply: no .stage-*, *.tmp, spool/ left
#   I4 state.json parses; counters never went backwards
#   I5 the follow-up apply succeeds and leaves the new version (for
#      rollback: the old one if the rollback was recorded, else the new)
#   I6 a faulted run that reported success left the new version
#   I7 the canary tree and the configuration are unchanged
#   I8 rollback target kept: "previous" names the other generation
#      whenever two generations were installed
set -uo pipefail
MODE=${1:?usage: _check.sh MODE [RC ERRFILE]}
RC=${2:-}
ERRF=${3:-}
: "${FERRY_BIN:?}" "${CRASH_FIX:?}" "${CRASH_CL:?}"
# shellcheck disable=SC1091
. "$CRASH_FIX/expect.sh"
ST=$CRASH_CL/var/lib/ferry
bad=0
viol() { echo "VIOLATION $1: $2"; bad=1; }

tree_digest() {
	local d=$1
	[ -e "$d" ] || { echo "absent"; return; }
	(cd "$d" && find . -printf '%p %y %m %s %l\n' | LC_ALL=C sort &&
	 find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) |
	    sha256sum | cut -d' ' -f1
}
app_path() {
	case $1 in
	patterns) echo "$CRASH_CL/opt/av/Bases" ;;
	engine) echo "$CRASH_CL/opt/av/engine" ;;
	esac
}
var() { eval "echo \"\${$1_$2:-}\""; }
counters() {	# FILE -> "serial time" (0 0 if absent)
	if [ ! -e "$1" ]; then echo "0 0"; return; fi
	jq -r '[(.publishers["example-av"].serial // 0),
	    (.newest_signed_time // 0)] | map(tostring) | join(" ")' "$1"
}

# --- before recovery --------------------------------------------------
read -r s0 t0 < <(var COUNTERS "$MODE")
for c in $CRASH_COMPS; do
	old=$(var OLDGEN "$c") new=$(var NEWGEN "$c")
	olddig=$(var OLDDIG "$c") newdig=$(var NEWDIG "$c")
	[ "$MODE" = base ] && old="" olddig=absent
	[ "$MODE" = rollback ] && [ "$c" = engine ] && old=$new olddig=$newdig
	cur=$(readlink "$ST/c/$c/current" 2>/dev/null || true)
	[ "$cur" = "$old" ] || [ "$cur" = "$new" ] ||
	    viol I1 "$c: current -> '${cur}' (old '$old', new '$new')"
	dig=$(tree_digest "$(app_path "$c")")
	[ "$dig" = "$olddig" ] || [ "$dig" = "$newdig" ] ||
	    viol I2 "$c: application tree is neither old nor new"
	if [ -n "$RC" ] && [ "$RC" -eq 0 ] && [ "$MODE" != rollback ]; then
		[ "$cur" = "$new" ] && [ "$dig" = "$newdig" ] ||
		    viol I6 "$c: run reported success but is not at the new version"
	fi
done
if [ -e "$ST/state.json" ]; then
	if read -r s1 t1 < <(counters "$ST/state.json") 2>/dev/null &&
	    [ -n "${t1:-}" ]; then
		[ "$s1" -ge "$s0" ] && [ "$t1" -ge "$t0" ] ||
		    viol I4 "counters went backwards: $s0/$t0 -> $s1/$t1"
	else
		viol I4 "state.json does not parse"
	fi
elif [ "$s0" != 0 ]; then
	viol I4 "state.json vanished"
fi
if [ -n "$RC" ] && [ "$RC" -ne 0 ] && [ -n "$ERRF" ]; then
	# A clean failure: one "applymedia: ..." line naming the failure.
	grep -Eq '^applymedia: .+' "$ERRF" ||
	    viol MSG "exit $RC without an 'applymedia: ...' message"
fi

# --- the follow-up run: recovery, then the update completes -----------
t_start=$(date +%s%3N)
frc=0
"$FERRY_BIN/applymedia" --root "$CRASH_CL" apply "$CRASH_MEDB" \
    >"$CRASH_CL.follow.out" 2>"$CRASH_CL.follow.err" || frc=$?
t_end=$(date +%s%3N)
if [ "$frc" -ne 0 ]; then
	viol I5 "follow-up apply exit $frc: $(head -c 300 "$CRASH_CL.follow.err")"
fi
left=$(cd "$ST" && find . \( -name '.stage-*' -o -name '*.tmp' -o \
    -path ./spool \) -print 2>/dev/null | head -5 | tr '\n' ' ')
[ -z "$left" ] || viol I3 "leftovers after recovery: $left"
pinned=$(jq -r '.pins.patterns // empty' "$ST/state.json" 2>/dev/null)
for c in $CRASH_COMPS; do
	old=$(var OLDGEN "$c") new=$(var NEWGEN "$c")
	want=$new other=$old
	if [ "$MODE" = rollback ] && [ "$c" = patterns ] && [ -n "$pinned" ]; then
		want=$old other=$new
	fi
	cur=$(readlink "$ST/c/$c/current" 2>/dev/null || true)
	[ "$cur" = "$want" ] || viol I5 "$c: after follow-up current -> '$cur', want '$want'"
	# The content is checked by "applymedia verify" below; here only that
	# the application resolves through current.
	[ "$(readlink "$(app_path "$c")")" = "$ST/c/$c/current/tree" ] ||
	    viol I5 "$c: after follow-up the application link is wrong or missing"
	if [ "$MODE" != base ]; then
		prev=$(readlink "$ST/c/$c/previous" 2>/dev/null || true)
		[ "$prev" = "$other" ] ||
		    viol I8 "$c: previous -> '$prev', want '$other' (rollback target)"
	fi
done
if read -r s2 t2 < <(counters "$ST/state.json") 2>/dev/null && [ -n "${t2:-}" ]; then
	[ "$s2" -ge 2 ] && [ "$t2" -ge "$t0" ] ||
	    viol I4 "after follow-up counters $s2/$t2 (want serial 2, time >= $t0)"
else
	viol I4 "state.json does not parse after the follow-up"
fi
"$FERRY_BIN/applymedia" --root "$CRASH_CL" verify >/dev/null \
    2>"$CRASH_CL.verify.err" ||
    viol I2 "applymedia verify: $(head -c 300 "$CRASH_CL.verify.err")"
[ "$(tree_digest "$CRASH_CL/home/canary")" = "$CANARY" ] ||
    viol I7 "canary tree changed"
[ "$(tree_digest "$CRASH_CL/etc")" = "$ETC" ] || viol I7 "configuration changed"
echo "recovery_ms $((t_end - t_start))"
exit $bad
