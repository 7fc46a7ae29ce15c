#!/usr/bin/env bash
# tests/crash/_powercut_check_keys.sh FIXDIR: the checks of one power-loss
# crash state of the key-set rotation run (tests/crash/_powercut_full.sh):
# client $CRASH_CL was at patterns 2026.11.20-1 trusting key set 1 and
# applied m2 (patterns 2026.11.21-1, key set 2: the good key revoked, k2
# added).  FIXDIR/expect.sh holds the old and new tree digests.
#   K1 the application tree is exactly the old or the new one
#   K2 the key state is key set 1 or key set 2, whole: "trust list"
#      works and names exactly the keys of that set
#   K3 status succeeds; the follow-up apply of m2 succeeds and leaves
#      patterns 2026.11.21-1, key set 2, one keyring file, serial 2,
#      applymedia verify passes, no leftovers, history whole
set -uo pipefail
FIX=${1:?usage: _powercut_check_keys.sh FIXDIR}
: "${FERRY_BIN:?}" "${CRASH_CL:?}"
# shellcheck disable=SC1091
. "$FIX/expect.sh"
ST=$CRASH_CL/var/lib/ferry
bad=0
viol() { echo "VIOLATION $1: $2"; bad=1; }
am() { "$FERRY_BIN/applymedia" --root "$CRASH_CL" "$@"; }
tree_digest() {
	local d=$1
	[ -e "$d" ] || { echo "absent"; return; }
	(cd "$d" && find . -printf '%p %y %m %s %l\n' | LC_ALL=C sort &&
	 find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) |
	    sha256sum | cut -d' ' -f1
}
keyset_version() {
	local f=$ST/keys/keyset.json
	if [ -f "$f" ]; then jq -r .version "$f" 2>/dev/null || echo corrupt
	else echo none; fi
}
trusted() {	# the fingerprints "trust list" prints, sorted, one line
	am trust list 2>/dev/null | grep -Eo '[0-9A-F]{40}' | sort -u | tr '\n' ' '
}
dig=$(tree_digest "$CRASH_CL/opt/av/Bases")
[ "$dig" = "$OLDDIG" ] || [ "$dig" = "$NEWDIG" ] ||
    viol K1 "application tree is neither old nor new"
v=$(keyset_version)
t=$(trusted)
case $v in
1) [ "$t" = "$KEYS1" ] || viol K2 "key set 1 but trust list shows '$t'" ;;
2) [ "$t" = "$KEYS2" ] || viol K2 "key set 2 but trust list shows '$t'" ;;
*) viol K2 "key state version '$v'" ;;
esac
am status >/dev/null 2>"$CRASH_CL.status.err" ||
    viol K3 "status: $(head -c 300 "$CRASH_CL.status.err")"
am apply "$M2" >/dev/null 2>"$CRASH_CL.follow.err" ||
    viol K3 "follow-up apply: $(head -c 300 "$CRASH_CL.follow.err")"
[ "$(tree_digest "$CRASH_CL/opt/av/Bases")" = "$NEWDIG" ] ||
    viol K3 "after the follow-up the tree is not the new one"
[ "$(keyset_version)" = 2 ] || viol K3 "after the follow-up key set $(keyset_version)"
[ "$(trusted)" = "$KEYS2" ] || viol K3 "after the follow-up trust list shows '$(trusted)'"
n=$(find "$ST/keys" -name 'keyring-*.gpg' | wc -l)
[ "$n" -eq 1 ] || viol K3 "$n keyring files after the follow-up"
s=$(jq -r '.publishers["example-av"].serial' "$ST/state.json" 2>/dev/null)
[ "$s" = 2 ] || viol K3 "serial '$s' after the follow-up"
am verify >/dev/null 2>"$CRASH_CL.verify.err" ||
    viol K3 "verify: $(head -c 300 "$CRASH_CL.verify.err")"
left=$(cd "$ST" && find . \( -name '.stage-*' -o -name '*.tmp' -o \
    -path ./spool \) -print 2>/dev/null | head -5 | tr '\n' ' ')
[ -z "$left" ] || viol K3 "leftovers: $left"
if [ -e "$ST/history.jsonl" ]; then
	jq -c . "$ST/history.jsonl" >/dev/null 2>&1 &&
	    [ "$(tr -d '\000' <"$ST/history.jsonl" | wc -c)" -eq \
	    "$(wc -c <"$ST/history.jsonl")" ] ||
	    viol K3 "history.jsonl is not whole JSON lines"
fi
exit $bad
