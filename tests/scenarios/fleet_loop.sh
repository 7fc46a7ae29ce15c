# Acceptance scenario of issue 18: the fleet loop across the air gap.
# Five enrolled clients at different states apply one stick and write
# their reports onto it (report = yes):
#   web-01  nothing installed
#   web-02  one version behind
#   web-03  one version behind, patterns pinned
#   web-04  already current
#   web-05  one version behind; its report on the stick is then forged
#           (re-signed by another client's key)
# The stick goes back: `mkmedia fleet` shows the five (web-05 untrusted,
# not used); `mkmedia build --for` makes the next stick with only what the
# trusted clients need (no base, one delta per component: the forged
# report's claim of "nothing installed" is not served); every client
# applies it and ends current, web-03's patterns stay pinned; the second
# round of reports shows it.  --max-size: the clients left behind are
# named and the split into two media is proposed.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_TESTLIB/fleet.sh"
need_keys
command -v jq >/dev/null || skip "jq missing"

make_repo repo
add_versions repo patterns 2026.11.19-1
add_versions repo engine 8.0.0
build_medium repo old
add_versions repo patterns 2026.11.20-1
build_medium repo stick
cp -r stick early

for i in 1 2 3 4 5; do
	fleet_client c$i web-0$i
	fleet_enroll repo c$i web-0$i
done
FPR5=$(client c5 -q enroll)
# the five states before the stick arrives
for i in 2 3 5; do expect_ok client c$i apply old; done
expect_ok client c3 pin patterns
expect_ok client c4 apply early
rm -rf early

# --- round 1: the stick goes round, every client writes its report
for i in 1 2 3 4 5; do
	expect_ok client c$i apply stick
	out_has "report written to stick/ferry-reports/report-"
done
expect_ok client c3 status
for i in 1 2 4 5; do
	diff -r c$i/opt/av/Bases "$SAMPLES/patterns/2026.11.20-1" >/dev/null || die "web-0$i not at 2026.11.20-1"
done
diff -r c3/opt/av/Bases "$SAMPLES/patterns/2026.11.19-1" >/dev/null || die "web-03's pin did not hold"
ls stick/ferry-reports/report-*.json >/dev/null || die "no reports on the stick"
[ "$(ls stick/ferry-reports/report-*.json | wc -l)" = 5 ] || { ls stick/ferry-reports; die "not five reports"; }

# web-05's report is forged: it claims nothing is installed (a medium
# with a base for it would be larger) and is signed by web-01's key.
r5=$(ls stick/ferry-reports/report-"${FPR5,,}"-*.json)
jq '(.components[] | select(.name == "patterns")) |= (.installed = "" | .generation = "")' \
    "$r5" >forged.json && mv forged.json "$r5"
report_sign c1 "$r5"

# --- the publisher's view
expect_ok mkmedia --repo repo fleet stick
cp "$TEST_TMP/last.out" view1.out
for i in 1 2 3 4; do grep -q "web-0$i" view1.out || { cat view1.out; die "web-0$i not shown"; }; done
grep -q "^UNTRUSTED .*report-${FPR5,,}-.*(not used)$" view1.out || { cat view1.out; die "the forged report is not shown as untrusted"; }
grep -Eq "^(current|behind|failing) +web-05 " view1.out && { cat view1.out; die "the forged report was used"; }
grep -Eq "^missing +web-05 " view1.out || { cat view1.out; die "web-05 is not shown as without a trusted report"; }
grep -q "^4 client(s): .*1 untrusted report(s) ignored" view1.out || { cat view1.out; die "summary"; }
expect_ok mkmedia --repo repo --json fleet stick
jq -e '(.clients | length) == 4 and (.untrusted | length) == 1 and .summary.untrusted == 1' \
    "$TEST_TMP/last.out" >/dev/null || die "fleet --json"
jq -e '.clients[] | select(.name == "web-03") | .components[] | select(.name == "patterns") | .pinned' \
    "$TEST_TMP/last.out" >/dev/null || die "web-03's pin not in the view"

# --- the next stick, built for the fleet
add_versions repo patterns 2026.11.21-1
add_versions repo engine 8.0.1
build_medium repo window		# the default medium, for comparison
expect_ok mkmedia --repo repo build --for stick --out stick2 --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
cp "$TEST_TMP/last.out" build.out; cp "$TEST_TMP/last.err" build.err
grep -q "untrusted, not used" build.err || { cat build.err; die "build --for did not name the untrusted report"; }
grep -q "^--for: 4 trusted client(s) from 5 report file(s); 1 untrusted report(s) not used$" build.out ||
    { cat build.out; die "build --for: trusted count"; }
grep -q "^--for: web-03: patterns is pinned at 2026.11.19-1: left as it is$" build.out ||
    { cat build.out; die "the pinned client"; }
grep -q "^--for: patterns: 3 of 3 client(s) behind brought to 2026.11.21-1: 1 delta(s), [0-9]* bytes$" build.out ||
    { cat build.out; die "patterns choice"; }
grep -q "^--for: engine: 4 of 4 client(s) behind brought to 8.0.1: 1 delta(s), [0-9]* bytes$" build.out ||
    { cat build.out; die "engine choice"; }
M=stick2/ferry/manifest.json
[ "$(jq '[.components[].versions[] | select(.base)] | length' $M)" = 0 ] || die "a base is on the --for medium"
[ "$(jq -S -c '[.components[] | {(.name): [.deltas[] | "\(.from)>\(.to)"]}] | add' $M)" = \
    '{"engine":["8.0.0>8.0.1"],"patterns":["2026.11.20-1>2026.11.21-1"]}' ] ||
    { jq -c '.components[] | [.name, [.deltas[] | "\(.from)>\(.to)"]]' $M; die "the --for medium's deltas"; }
for_b=$(jq '[.files[] | .size] | add' $M)
win_b=$(jq '[.files[] | .size] | add' window/ferry/manifest.json)
note "--for medium: $for_b bytes of files; default medium: $win_b"
[ "$for_b" -lt "$win_b" ] || die "the --for medium is not smaller than the default one"
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" stick2

# --component C=VERSION: that target, that component only
expect_ok mkmedia --repo repo build --for stick --component patterns=2026.11.20-1 \
    --component engine=8.0.1 --out stick5 --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
[ "$(jq -S -c '[.components[] | {(.name): [.deltas[] | "\(.from)>\(.to)"]}] | add' stick5/ferry/manifest.json)" = \
    '{"engine":["8.0.0>8.0.1"]}' ] || die "--component C=VERSION with --for"

# --- round 2: every client applies it and ends current; web-03 pinned
for i in 1 2 3 4 5; do expect_ok client c$i apply stick2; done
for i in 1 2 4 5; do
	diff -r c$i/opt/av/Bases "$SAMPLES/patterns/2026.11.21-1" >/dev/null || die "web-0$i patterns not current"
done
for i in 1 2 3 4 5; do
	diff -r c$i/opt/av/engine "$SAMPLES/engine/8.0.1" >/dev/null || die "web-0$i engine not current"
done
diff -r c3/opt/av/Bases "$SAMPLES/patterns/2026.11.19-1" >/dev/null || die "web-03's pin did not hold"
expect_ok mkmedia --repo repo --json fleet stick2
jq -e '(.clients | length) == 5 and (.untrusted | length) == 0' "$TEST_TMP/last.out" >/dev/null ||
    { cat "$TEST_TMP/last.out"; die "round 2: five trusted clients"; }
for i in 1 2 4 5; do
	jq -e --arg n web-0$i '.clients[] | select(.name == $n) | .status == "current"' \
	    "$TEST_TMP/last.out" >/dev/null || { cat "$TEST_TMP/last.out"; die "web-0$i not current in the view"; }
done
jq -e '.clients[] | select(.name == "web-03") | .components[] |
    select(.name == "patterns") | .pinned and .installed == "2026.11.19-1"' \
    "$TEST_TMP/last.out" >/dev/null || { cat "$TEST_TMP/last.out"; die "web-03 not shown pinned"; }
# both sticks: the newest report of each client wins
expect_ok mkmedia --repo repo --json fleet stick stick2
jq -e '(.clients | length) == 5 and .summary.superseded == 4' "$TEST_TMP/last.out" >/dev/null ||
    { jq .summary "$TEST_TMP/last.out"; die "the newest report does not win"; }
# and nothing more to build for them
expect_fail 18 "no trusted client needs anything" \
    mkmedia --repo repo build --for stick2 --out stick3 --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"

# --- --max-size: only one component's way fits; who is left behind, and
# the split into media of that size
pd=$(jq '[.files[] | select(.path | test("patterns")) | .size] | add' $M)
ed=$(jq '[.files[] | select(.path | test("engine")) | .size] | add' $M)
big=$(( pd > ed ? pd : ed ))
max=$(( big + 65536 + 1 ))
note "deltas: patterns $pd, engine $ed bytes; --max-size $max"
expect_ok mkmedia --repo repo build --for stick --out stick4 --max-size "$max" \
    --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
err_has "is left behind: its update does not fit --max-size"
err_has "2 media of that size would carry everyone"
err_has "medium 1: mkmedia build --for \.\.\. --component"
err_has "medium 2: mkmedia build --for \.\.\. --component"
[ "$(jq '.components | length' stick4/ferry/manifest.json)" = 1 ] || die "--max-size: not one component"
