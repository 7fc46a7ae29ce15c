# A slow mirror and a cut transfer (T12).  Slow: a server that trickles
# package bytes; with FERRY_HTTP_LOW_SPEED_TIME=2 applymedia aborts with a
# clear message, exit 3, client unchanged.  Cut: the server drops the
# connection after 4000 bytes of a package the first time; applymedia
# resumes with a Range request (seen in the server's log) and succeeds.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/http/_nginx.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.19-1 2026.11.20-1
add_versions repo engine 8.0.0
build_medium repo m1

# Control: the same medium from a well-behaved server of the same kind.
make_client control
pyserve_start plain m1
expect_ok client control apply "$PYSERVE_URL/ferry/"
pyserve_stop

# Slow: 8 bytes/s, far below 1024 bytes/s.
make_client c
before=$(client_digest c)
pyserve_start trickle m1 8
start=$(date +%s)
FERRY_HTTP_LOW_SPEED_TIME=2 expect_fail 3 \
    'pkg/[a-z]+/[^:]+: mirror too slow: less than 1024 bytes/s for 2 s, transfer aborted$' \
    client c apply "$PYSERVE_URL/ferry/"
took=$(( $(date +%s) - start ))
# A 500 KB package at 8 bytes/s would take 17 hours; the limit ends it.
[ "$took" -le 25 ] || die "slow mirror took ${took}s to abort"
[ "$(client_digest c)" = "$before" ] || die "client changed after a slow mirror"
pyserve_stop

# Cut after 4000 bytes: resumed with Range, applied.
: >"$TEST_TMP/pyserve.log"
pyserve_start cut m1 4000
expect_ok client c apply "$PYSERVE_URL/ferry/"
cat "$PYSERVE_LOG"
grep -Eq '^GET /ferry/pkg/[^ ]+ bytes=4000- 206$' "$PYSERVE_LOG" ||
    die "no Range request after the cut"
for comp in Bases engine; do
	[ "$(tree_digest c/opt/av/$comp)" = "$(tree_digest control/opt/av/$comp)" ] ||
	    die "resumed client differs in $comp"
done
