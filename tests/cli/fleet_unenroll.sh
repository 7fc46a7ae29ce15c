# mkmedia fleet unenroll CLIENT (a name or a fingerprint) takes a client's
# report key out of the enrolled set in one atomic write of
# fleet/clients.json; its reports are then refused, named as unenrolled
# (with the date), by the view and by build --for; an unknown client is
# exit 18 and changes nothing; a failed write changes nothing; doing it
# again changes nothing; enrolling the key again brings the client back.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_TESTLIB/fleet.sh"
need_keys

make_repo repo --deltas none
add_versions repo patterns 2026.11.19-1
build_medium repo m1
add_versions repo patterns 2026.11.20-1
fleet_client a web-01;  A=$FLEET_FPR
fleet_client b db-01;   B=$FLEET_FPR
for x in a b; do expect_ok client $x apply m1; done
fleet_enroll repo a web-01
fleet_enroll repo b db-01
la=$(echo "$A" | tr 'A-F' 'a-f')
lb=$(echo "$B" | tr 'A-F' 'a-f')
for x in a b; do expect_ok client $x report --to st; done
RA=st/report-$la-0000000002.json

# control: both clients are seen
expect_ok mkmedia --repo repo fleet st
out_has "^behind +web-01 "
out_has "^behind +db-01 "

# refusals change nothing
before=$(tree_digest repo)
expect_fail 2 "^mkmedia: fleet unenroll: needs exactly one client \(name or fingerprint\)$" \
    mkmedia --repo repo fleet unenroll
expect_fail 2 "^mkmedia: fleet unenroll: needs exactly one client" \
    mkmedia --repo repo fleet unenroll web-01 db-01
expect_fail 18 "^mkmedia: nosuch: no client of this name or key is enrolled \(nothing was changed\)$" \
    mkmedia --repo repo fleet unenroll nosuch
expect_fail 18 "^mkmedia: 0123456789ABCDEF0123456789ABCDEF01234567: no client of this name or key is enrolled" \
    mkmedia --repo repo fleet unenroll 0123456789ABCDEF0123456789ABCDEF01234567
expect_fail 18 "^mkmedia: norepo: not a ferry repository" \
    mkmedia --repo norepo fleet unenroll web-01
[ "$(tree_digest repo)" = "$before" ] || die "a refused unenroll changed the repository"
# the write of the new list fails: the old list and the key stay
rc=0
FERRY_FAULT=file.rename:1:eio "$FERRY_BIN/mkmedia" --repo repo fleet unenroll web-01 \
    >"$TEST_TMP/last.out" 2>"$TEST_TMP/last.err" || rc=$?
if [ "$rc" -eq 0 ]; then
	skip_part "failed write: fault points not compiled in (build with HOOKS=1)"
else
	[ "$rc" -eq 3 ] || { cat "$TEST_TMP/last.err"; die "failed write: exit $rc, not 3"; }
	err_has "^mkmedia: fleet/clients.json: cannot rename into place"
	[ "$(tree_digest repo)" = "$before" ] || die "a failed unenroll changed the repository"
	expect_ok mkmedia --repo repo fleet unenroll web-01
fi

# unenrolled by name
out_has "^client web-01 unenrolled: its reports \(key $A\) are refused from now on$"
jq -e --arg a "$A" '[.clients[].name] == ["db-01"] and (.unenrolled | length == 1)
    and (.unenrolled[0] | .name == "web-01" and .fingerprint == $a
         and (.unenrolled | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")))' \
    repo/fleet/clients.json >/dev/null || { cat repo/fleet/clients.json; die "clients.json"; }
[ -e "repo/fleet/keys/$A.gpg" ] && die "the unenrolled key file is still there"
[ -e "repo/fleet/keys/$B.gpg" ] || die "another client's key file went"
ls -a repo/fleet | grep -q tmp && die "a temporary file was left"

# its reports are refused, named as unenrolled; it is not missing either
expect_ok mkmedia --repo repo fleet st
out_has "^UNTRUSTED $RA: key $A was unenrolled on [0-9T:-]+Z \(client web-01, mkmedia fleet unenroll\): its reports are refused \(not used\)$"
out_has "^behind +db-01 "
grep -q "web-01" <(grep -v UNTRUSTED "$TEST_TMP/last.out") && die "web-01 still shown"
out_has "^1 client\(s\): 0 current, 1 behind, 0 failing; 1 untrusted report\(s\) ignored, 0 older report\(s\) superseded; 0 enrolled client\(s\) without a report$"
expect_ok mkmedia --repo repo --json fleet st
jq -e --arg a "$A" '.untrusted[0] | .fingerprint == $a and .code == "signature"
    and (.message | test("unenrolled"))' "$TEST_TMP/last.out" >/dev/null || die "--json untrusted"
# build --for serves only the enrolled client
expect_ok mkmedia --repo repo build --for st --out out --sign-key "$FPR_GOOD" \
    --gnupghome "$KEYHOME"
err_has "^mkmedia: warning: --for: $RA: untrusted, not used: .*key $A was unenrolled"
out_has "--for: 1 trusted client\(s\) from 2 report file\(s\); 1 untrusted"

# again: nothing changes
before=$(tree_digest repo)
expect_ok mkmedia --repo repo fleet unenroll web-01
out_has "^client web-01 \(key $A\) was already unenrolled on "
[ "$(tree_digest repo)" = "$before" ] || die "unenrolling again changed the repository"

# by fingerprint (any case), --json
expect_ok mkmedia --repo repo --json fleet unenroll "$lb"
jq -e --arg b "$B" '.ok and .name == "db-01" and .fingerprint == $b' "$TEST_TMP/last.out" >/dev/null ||
    die "unenroll --json"
jq -e '.clients == [] and [.unenrolled[].name] == ["web-01", "db-01"]' repo/fleet/clients.json >/dev/null ||
    die "clients.json after the second unenroll"
expect_ok mkmedia --repo repo fleet st
out_has "^0 client\(s\): 0 current, 0 behind, 0 failing; 2 untrusted report\(s\) ignored, 0 older report\(s\) superseded; 0 enrolled client\(s\) without a report$"

# enrolled again: back, and out of the unenrolled list
fleet_enroll repo a web-01
jq -e '[.clients[].name] == ["web-01"] and [.unenrolled[].name] == ["db-01"]' \
    repo/fleet/clients.json >/dev/null || die "clients.json after enrolling again"
expect_ok mkmedia --repo repo fleet st
out_has "^behind +web-01 "
out_has "^1 client\(s\): 0 current, 1 behind, 0 failing; 1 untrusted report\(s\) ignored"

# a hand-edited clients.json: a key that is not a full fingerprint is a
# corrupt list (exit 4, nothing changes), never a path to a key file or
# an empty key that every word matches; a fingerprint in lower case is
# unenrolled by its upper-case form
make_repo hand
mkdir -p hand/fleet/keys && : >victim.gpg
printf '{"clients": [{"fingerprint": "../../../victim", "name": "evil", "enrolled": "2026-01-01T00:00:00Z"}]}\n' \
    >hand/fleet/clients.json
before=$(tree_digest hand)
expect_fail 4 '^mkmedia: hand/fleet/clients\.json: corrupt list of enrolled clients: client evil has key "\.\./\.\./\.\./victim", not a full fingerprint \(40 or 64 hex digits\)$' \
    mkmedia --repo hand fleet unenroll evil
[ -e victim.gpg ] || die "unenroll removed a file outside the repository"
[ "$(tree_digest hand)" = "$before" ] || die "a refused unenroll changed the repository"
printf '{"clients": [{"fingerprint": "", "name": "empty", "enrolled": "2026-01-01T00:00:00Z"}]}\n' \
    >hand/fleet/clients.json
before=$(tree_digest hand)
expect_fail 4 '^mkmedia: hand/fleet/clients\.json: corrupt list of enrolled clients: client empty has key "", not a full fingerprint' \
    mkmedia --repo hand fleet unenroll nosuch
[ "$(tree_digest hand)" = "$before" ] || die "unenroll nosuch unenrolled the client with an empty key"
printf '{"clients": [{"fingerprint": "%s", "name": "lower", "enrolled": "2026-01-01T00:00:00Z"}]}\n' "$lb" \
    >hand/fleet/clients.json
expect_ok mkmedia --repo hand fleet unenroll "$B"
out_has "^client lower unenrolled: "
jq -e '.clients == [] and [.unenrolled[].name] == ["lower"]' hand/fleet/clients.json >/dev/null ||
    die "a lower-case fingerprint was not unenrolled by its upper-case form"
