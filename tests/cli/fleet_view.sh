# The fleet view (issue 18 section 2): mkmedia fleet enroll pins client
# report keys in the repository (idempotent; refusals change nothing);
# mkmedia fleet REPORTS... shows one line per client from its newest
# trusted report (behind in versions and days, failures with their class,
# pins, last seen), a summary (current / behind / failing), --json the
# same; a report from a key that is not enrolled is UNTRUSTED and not
# used; an older report of a client is superseded by its newest.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_TESTLIB/fleet.sh"
need_keys

V1=2026.11.19-1
V2=2026.11.20-1
make_repo repo --deltas none
add_versions repo patterns $V1
add_versions repo engine 8.0.0
build_medium repo m1
add_versions repo patterns $V2
build_medium repo m2
cp -a m2 m2clean	# without reports (clients below write into m2)
low() { echo "$1" | tr 'A-F' 'a-f'; }

fleet_client a web-01;  A=$FLEET_FPR	# stays at V1: behind
fleet_client b db-01;   B=$FLEET_FPR	# V2, patterns pinned: current
fleet_client p pin-01;  P=$FLEET_FPR	# V1 pinned: current (held)
fleet_client c app-07;  C=$FLEET_FPR	# last apply refused: failing
fleet_client d rogue-01; D=$FLEET_FPR	# never enrolled: untrusted
for x in a b p c d; do expect_ok client $x apply m1; done
expect_ok client b apply m2
expect_ok client b pin patterns
expect_ok client p pin patterns
cp -a m2 bad
flip_byte bad/ferry/manifest.json 20
expect_fail 5 "" client c apply bad

# --- enroll ---------------------------------------------------------------
repo_digest() { tree_digest repo; }
before=$(repo_digest)
expect_fail 2 "mkmedia: 1234: not a full fingerprint" \
    mkmedia --repo repo fleet enroll 1234 --key a/var/lib/ferry/report-key.gpg --name web-01
expect_fail 2 "mkmedia: fleet enroll: needs --key FILE and --name NAME" \
    mkmedia --repo repo fleet enroll "$A" --name web-01
expect_fail 2 "mkmedia: Web_01: --name takes 1-64 of" \
    mkmedia --repo repo fleet enroll "$A" --key a/var/lib/ferry/report-key.gpg --name Web_01
expect_fail 17 "mkmedia: b/var/lib/ferry/report-key.gpg: holds no key with fingerprint $A" \
    mkmedia --repo repo fleet enroll "$A" --key b/var/lib/ferry/report-key.gpg --name web-01
expect_fail 17 "mkmedia: nokey.gpg: .*" \
    mkmedia --repo repo fleet enroll "$A" --key nokey.gpg --name web-01
expect_fail 18 "mkmedia: norepo: not a ferry repository" \
    mkmedia --repo norepo fleet enroll "$A" --key a/var/lib/ferry/report-key.gpg --name web-01
[ "$(repo_digest)" = "$before" ] || die "a refused enroll changed the repository"
expect_ok mkmedia --repo repo fleet enroll "$A" --key a/var/lib/ferry/report-key.gpg --name web-01
out_has "client web-01 enrolled with key $A"
before=$(repo_digest)
expect_ok mkmedia --repo repo fleet enroll "$A" --key a/var/lib/ferry/report-key.gpg --name web-01
out_has "client web-01 is already enrolled with key $A"
[ "$(repo_digest)" = "$before" ] || die "enrolling again changed the repository"
expect_fail 17 "mkmedia: web-01: already enrolled: client web-01 has key $A" \
    mkmedia --repo repo fleet enroll "$B" --key b/var/lib/ferry/report-key.gpg --name web-01
expect_fail 17 "mkmedia: other: already enrolled: client web-01 has key $A" \
    mkmedia --repo repo fleet enroll "$A" --key a/var/lib/ferry/report-key.gpg --name other
[ "$(repo_digest)" = "$before" ] || die "a refused enroll changed the repository"
fleet_enroll repo b db-01
fleet_enroll repo p pin-01
expect_ok mkmedia --repo repo --json fleet enroll "$C" --key c/var/lib/ferry/report-key.gpg --name app-07
jq -e --arg f "$C" '.ok and .name == "app-07" and .fingerprint == $f' "$TEST_TMP/last.out" >/dev/null ||
    die "fleet enroll --json"
jq -e '[.clients[].name] == ["app-07", "db-01", "pin-01", "web-01"]' repo/fleet/clients.json >/dev/null ||
    die "clients.json not sorted by name"

# --- the view -------------------------------------------------------------
cp -a m2clean stick
expect_ok client a report --to old		# older report of a, kept aside
for x in a b p c d; do expect_ok client $x report --to stick; done
later=$(( $(date +%s) + 3 * 86400 ))		# the publisher looks 3 days on
export SOURCE_DATE_EPOCH=$later
expect_ok mkmedia --repo repo fleet stick old
cat "$TEST_TMP/last.out"
out_has "^behind +web-01 +web-01 +[0-9-]{10} \(3 d\)  patterns $V1 -> $V2: 1 behind, 3 d  engine 8.0.0 current$"
out_has "^current +db-01 +db-01 .*  patterns $V2 current \[pinned\]  engine 8.0.0 current$"
out_has "^current +pin-01 +pin-01 .*  patterns $V1 -> $V2: 1 behind, 3 d \[pinned\]"
out_has "^failing +app-07 +app-07 .*  FAILED refused \(signature\)$"
out_has "^UNTRUSTED stick/ferry-reports/report-$(low "$D")-0000000002.json: key $D is not enrolled \(not used\)$"
out_has "^4 client\(s\): 2 current, 1 behind, 1 failing; 1 untrusted report\(s\) ignored, 1 older report\(s\) superseded; 0 enrolled client\(s\) without a report$"
grep -q rogue-01 "$TEST_TMP/last.out" && die "an untrusted report was read"

expect_ok mkmedia --repo repo --json fleet stick old
unset SOURCE_DATE_EPOCH
J=$TEST_TMP/last.out
jq -e '.summary == {"clients": 4, "current": 2, "behind": 1, "failing": 1, "untrusted": 1, "superseded": 1, "missing": 0}
    and .missing == []' "$J" >/dev/null ||
    { jq .summary "$J"; die "--json summary"; }
jq -e --arg a "$A" '.clients[] | select(.name == "web-01") | .fingerprint == $a
    and .client_id == "web-01" and .status == "behind" and .trusted and .serial == 3
    and (.components[0] | .name == "patterns" and .installed == "2026.11.19-1"
         and .newest == "2026.11.20-1" and .versions_behind == 1
         and .days_behind == 3 and (.pinned | not))
    and (.components[1] | .versions_behind == 0)' "$J" >/dev/null ||
    { jq '.clients[] | select(.name == "web-01")' "$J"; die "--json client web-01"; }
jq -e '.clients[] | select(.name == "app-07") | .status == "failing"
    and (.failures[0] | .component == null and .result.event == "refused"
         and .result.result == "signature")' "$J" >/dev/null || die "--json failing client"
jq -e --arg d "$D" '.untrusted[0] | .fingerprint == $d and .code == "signature"' "$J" >/dev/null ||
    die "--json untrusted"
jq -e '.superseded == [{"name": "web-01", "report": "old/report-'"$(low "$A")"'-0000000002.json", "serial": 2}]' "$J" >/dev/null ||
    { jq .superseded "$J"; die "--json superseded"; }

# enrolled clients without a report in the folders given are listed
expect_ok mkmedia --repo repo fleet old
out_has "^behind +web-01 "
out_has "^missing  app-07 +no trusted report from key $C in these folders$"
out_has "^missing  db-01 +no trusted report from key $B in these folders$"
out_has "^missing  pin-01 +no trusted report from key $P in these folders$"
out_has "^1 client\(s\): 0 current, 1 behind, 0 failing; 0 untrusted report\(s\) ignored, 0 older report\(s\) superseded; 3 enrolled client\(s\) without a report$"
expect_ok mkmedia --repo repo --json fleet old
jq -e '[.missing[].name] == ["app-07", "db-01", "pin-01"] and .summary.missing == 3' \
    "$TEST_TMP/last.out" >/dev/null || die "--json missing"

# a client catches up: its newer report wins, wherever it is
cp -a m2clean m2a
expect_ok client a apply m2a
expect_ok mkmedia --repo repo fleet stick old m2a
out_has "^current +web-01 .*  patterns $V2 current  engine 8.0.0 current$"
out_has "^4 client\(s\): 3 current, 0 behind, 1 failing; 1 untrusted report\(s\) ignored, 2 older report\(s\) superseded; 0 enrolled client\(s\) without a report$"
# the same report on two sticks counts once
cp -a stick stick2
expect_ok mkmedia --repo repo fleet stick stick2
out_has "^4 client\(s\): 2 current, 1 behind, 1 failing; 2 untrusted report\(s\) ignored, 4 older report\(s\) superseded; 0 enrolled client\(s\) without a report$"

# usage and missing folders; the view never writes to the repository
before=$(repo_digest)
expect_fail 2 "mkmedia: fleet: name at least one folder or stick of reports" mkmedia --repo repo fleet
expect_fail 18 "mkmedia: nowhere: not a folder of reports" mkmedia --repo repo fleet nowhere
[ "$(repo_digest)" = "$before" ] || die "the fleet view changed the repository"
# no client enrolled: every report is untrusted
make_repo repo2
expect_ok mkmedia --repo repo2 fleet stick
out_has "^0 client\(s\): 0 current, 0 behind, 0 failing; 5 untrusted report\(s\) ignored"
