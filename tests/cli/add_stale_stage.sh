# An add that does not finish (killed, a power cut) leaves its staging
# folder components/C/.incoming-VERSION.PID, a copy of a whole release
# that no later add used or removed; the next add of that component
# removes every such folder whose process is gone (saying so) and keeps
# the one of an add still running.
. "$FERRY_TESTLIB/common.sh"
make_repo repo
make_samples
expect_ok mkmedia --repo repo add patterns 2026.11.20-1 "$SAMPLES/patterns/2026.11.20-1"
rc=0
FERRY_FAULT=file.rename:1:kill "$FERRY_BIN/mkmedia" --repo repo add patterns 2026.11.21-1 \
    "$SAMPLES/patterns/2026.11.21-1" >"$TEST_TMP/last.out" 2>"$TEST_TMP/last.err" || rc=$?
v=2026.11.21-1
if [ "$rc" -eq 0 ]; then
	skip_part "a killed add: fault points not compiled in (build with HOOKS=1)"
	mkdir -p repo/components/patterns/.incoming-2026.11.21-1.999999999/tree
	v=2026.11.22-1
else
	[ "$rc" -eq 137 ] || { cat "$TEST_TMP/last.err"; die "killed add: exit $rc, not 137"; }
fi
stale=$(cd repo/components/patterns && ls -d .incoming-*)
[ -n "$stale" ] || die "the killed add left no staging folder (the test needs one)"
pid=${stale##*.}
# an add still running keeps its folder
sleep 600 & live=$!
mkdir -p "repo/components/patterns/.incoming-2026.11.23-1.$live/tree"
expect_ok mkmedia --repo repo add patterns "$v" "$SAMPLES/patterns/$v"
kill "$live"
out_has "^components/patterns/${stale//./\\.}: removed, left by an add that did not finish \(process $pid is gone\)\$"
[ ! -e "repo/components/patterns/$stale" ] || die "the stale staging folder is still there"
[ -d "repo/components/patterns/.incoming-2026.11.23-1.$live" ] || die "the folder of a running add was removed"
out_has "^added patterns ${v//./\\.}: "
