#!/usr/bin/env bash
# tests/crash/_powercut_check_media.sh FIXDIR: the checks of one
# power-loss crash state of "mkmedia build --out T" onto a folder T that
# held a good medium (tests/crash/_powercut_full.sh).  FIXDIR/expect.sh
# names the old and the new medium (medium_id) and the build command.
#   M1 verifymedia T passes and names the old or the new medium
#   M2 the same build again succeeds, and T then verifies as the new
#      medium (or a later serial of the same repository)
set -uo pipefail
FIX=${1:?usage: _powercut_check_media.sh FIXDIR}
: "${FERRY_BIN:?}" "${PC_TARGET:?}"
# shellcheck disable=SC1091
. "$FIX/expect.sh"
bad=0
viol() { echo "VIOLATION $1: $2"; bad=1; }
vm() {	# -> "exit medium_id serial"
	local rc=0 out
	out=$("$FERRY_BIN/verifymedia" --trust "$FPR" --keyring "$PINNED" \
	    --json "$PC_TARGET" 2>/dev/null) || rc=$?
	echo "$rc $(echo "$out" | jq -r '"\(.medium_id // "-") \(.serial // 0)"' 2>/dev/null || echo "- 0")"
}
read -r rc id serial < <(vm)
if [ "$rc" -ne 0 ]; then
	viol M1 "verifymedia exit $rc ($id)"
elif [ "$id" != "$OLDID" ] && [ "$id" != "$NEWID" ]; then
	viol M1 "verifymedia accepts '$id', neither '$OLDID' nor '$NEWID'"
fi
frc=0
"$FERRY_BIN/mkmedia" --repo "$REPO" build --out "$PC_TARGET" \
    --sign-key "$FPR" --gnupghome "$KEYHOME" >/dev/null \
    2>"$PC_TARGET.follow.err" || frc=$?
[ "$frc" -eq 0 ] || viol M2 "follow-up build exit $frc: $(head -c 300 "$PC_TARGET.follow.err")"
read -r rc id serial < <(vm)
[ "$rc" -eq 0 ] && [ "$serial" -ge "$NEWSERIAL" ] ||
    viol M2 "after the follow-up build verifymedia exit $rc, '$id' serial $serial"
exit $bad
