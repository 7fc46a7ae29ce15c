# Field scenario 5 (../shared/SCENARIOS.md): a critical security patch for
# a small-business suite 9.5 that applies only to servers already at
# "9.5 Patch 1 Critical Patch 1514" (9.5.0.1514) or later, and that must be
# harmless to apply again.  Asserts: the admin can check the version first
# (status, plan); a server below 1514 is refused naming required and
# installed versions, unchanged; a failing apply names its cause (consoles
# still open -> pre_switch refuses, a damaged copy of the medium -> the
# file, services not running after the switch -> health check, switched
# back), changes nothing, and a retry works; re-applying the same medium
# any number of times says "already at", exits 0 and leaves the server
# byte-identical; status/history play the hotfix history; the server then
# serves the patch to its clients, which restart themselves.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/scenarios/_lib.sh"
need_keys

head -c 1000000 /dev/urandom >suite.dat
suite() {	# suite DIR BUILD: the server's program tree at a build
	put_file "$1" bin/sbs-server "sbs server $2" 755
	put_file "$1" lib/libssl.so.1 "openssl for $2"
	cp suite.dat "$1/lib/suite.dat"          # the bulk, unchanged by patches
	put_file "$1" www/query.cgi "remote query handler $2"
	put_file "$1" build.txt "$2"
}
suite r1100 9.5.0.1100          # 9.5 Patch 1
suite r1514 9.5.0.1514          # 9.5 Patch 1 Critical Patch 1514
suite r1558 9.5.0.1558          # the new critical patch (OpenSSL, query fix)
make_repo repo
mkmedia --repo repo add sbs 9.5.0.1100 r1100 >/dev/null
build_medium repo m-p1
mkmedia --repo repo add sbs 9.5.0.1514 r1514 >/dev/null
build_medium repo m-1514
mkmedia --repo repo add sbs 9.5.0.1558 r1558 --requires 'sbs>=9.5.0.1514' >/dev/null
build_medium repo m-cp --notice "sbs:critical: fixes an OpenSSL flaw and an unauthenticated remote query; apply now"

server() {
	scen_client "$1" "on_failure = echo \"\$FERRY_MESSAGE\" >> $TEST_TMP/$1.fail" \
	    "[component sbs]" "path = /opt/sbs" \
	    "pre_switch = if [ -e $TEST_TMP/$1.consoles ]; then echo 'close all consoles first' >&2; exit 1; fi" \
	    "health_check = test ! -e $TEST_TMP/$1.services-down"
}
server old
server srv
expect_ok client old apply m-p1
expect_ok client srv apply m-1514

# --- check the version first, as the vendor tells admins to
expect_ok client srv status m-cp
out_has '^sbs +9\.5\.0\.1514 +available 9\.5\.0\.1558  OUT OF DATE$'
out_has '^notice for sbs: critical: fixes an OpenSSL flaw'
expect_ok client old status m-cp
out_has '^sbs +9\.5\.0\.1100 +available 9\.5\.0\.1558  OUT OF DATE$'
out_has '^ +cannot be updated yet: sbs 9\.5\.0\.1558 requires sbs 9\.5\.0\.1514 or later; installed: 9\.5\.0\.1100$'
expect_ok client old status --json m-cp
python3 - "$TEST_TMP/last.out" <<'PY' || die "status --json does not show the unmet prerequisite"
import json, sys
c = json.load(open(sys.argv[1]))["components"][0]
assert c["out_of_date"] is True and "requires sbs 9.5.0.1514" in c["blocked"], c
PY

# --- a server below 1514: refused, the cause named, nothing changed
before=$(client_digest old)
msg='^applymedia: sbs: sbs 9\.5\.0\.1558 requires sbs 9\.5\.0\.1514 or later; installed: 9\.5\.0\.1100$'
expect_fail 13 "$msg" client old plan m-cp
expect_fail 13 "$msg" client old apply m-cp
[ "$(client_digest old)" = "$before" ] || die "refused patch changed the old server"
grep -q 'requires sbs 9.5.0.1514 or later; installed: 9.5.0.1100' old.fail || die "on_failure not told"
# that server goes to 1514 first (the medium carries the way), then patches
expect_ok client old apply --to 9.5.0.1514 m-cp
expect_ok client old apply m-cp
out_has '^sbs: 9\.5\.0\.1514 -> 9\.5\.0\.1558 applied'

# --- failures name their cause, change nothing, and a retry works
# consoles still open: the pre_switch hook refuses
touch srv.consoles
before=$(client_digest srv)
expect_fail 11 '^applymedia: sbs: pre_switch hook exited with status 1: ' client srv apply m-cp
err_has '^close all consoles first$'
[ "$(client_digest srv)" = "$before" ] || die "a refused pre_switch changed the server"
rm srv.consoles
# a damaged copy of the medium: the damaged file is named
cp -a m-cp m-bad
pkg=$(cd m-bad/ferry && find pkg -name 'sbs-9.5.0.1514-to-9.5.0.1558-*' | head -n1)
[ -n "$pkg" ] || { find m-bad/ferry/pkg; die "no delta 1514 -> 1558 on the medium"; }
flip_byte "m-bad/ferry/$pkg" 20
expect_fail 6 "$pkg" client srv apply m-bad
[ "$(client_digest srv)" = "$before" ] || die "a damaged medium changed the server"
# services do not come back after the switch: switched back, named
touch srv.services-down
expect_fail 11 '^applymedia: sbs: health_check hook exited with status 1: .*; rolled back to 9\.5\.0\.1514$' \
    client srv apply m-cp
[ "$(cat srv/opt/sbs/build.txt)" = 9.5.0.1514 ] || die "left on the patch whose services failed"
ls srv/var/lib/ferry/c/sbs/gens | grep -q '^9\.5\.0\.1558-' && die "the failed generation stayed behind"
rm srv.services-down
# every failure reached the site's notification script
[ "$(wc -l <srv.fail)" -eq 3 ] || { cat srv.fail; die "on_failure not called once per failure"; }
# retry
expect_ok client srv apply m-cp
out_has '^notice for sbs: critical: '
out_has '^sbs: 9\.5\.0\.1514 -> 9\.5\.0\.1558 applied via delta'
diff -r srv/opt/sbs r1558 || die "patched tree wrong"

# --- applying the same patch again is harmless, however often
state=$(client_digest srv)
cp srv/var/lib/ferry/history.jsonl history.before
for i in 1 2 3; do
	expect_ok client srv apply m-cp
	out_has '^sbs: already at 9\.5\.0\.1558$'
	out_has '^nothing to do: every component is up to date$'
done
[ "$(client_digest srv)" = "$state" ] || die "re-applying changed the server"
cmp -s history.before srv/var/lib/ferry/history.jsonl || die "re-applying wrote history"
expect_ok client srv verify
out_has '^sbs 9\.5\.0\.1558: [0-9]+ entries match the listing$'

# --- the hotfix history
expect_ok client srv status
out_has '^sbs +9\.5\.0\.1558'
out_has 'sbs 9\.5\.0\.1558 applied from medium example-av-stable-3 \(delta chain 9\.5\.0\.1514 -> 9\.5\.0\.1558\)'
out_has 'sbs 9\.5\.0\.1514 applied from medium example-av-stable-2'
out_has 'sbs rolled back to 9\.5\.0\.1514'

# --- the server pushes the patched files to its clients: its mirror
# folder, from which they pull and restart themselves
mkdir -p srv/srv/mirror && cp -a m-cp/ferry srv/srv/mirror/ferry
for c in pc1 pc2; do
	scen_client "$c" "[component sbs]" "path = /opt/sbs-agent" \
	    "post_switch = echo restarted \$FERRY_TO >> $TEST_TMP/$c.restart"
	expect_ok client "$c" apply m-1514
	expect_ok client "$c" apply srv/srv/mirror/ferry
	[ "$(tail -n1 "$c.restart")" = "restarted 9.5.0.1558" ] || die "$c did not restart"
	diff -r "$c/opt/sbs-agent" r1558 || die "$c tree wrong"
done
note "scenario 5: prerequisite, named failures, 3 harmless re-applies, hotfix history"
