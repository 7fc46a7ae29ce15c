# Hostile client reports (issue 18, formats/SPEC.md §14, docs/SECURITY.md
# §5): the publisher reads reports from many clients on an internet-facing
# host, so each one passes the same door as a manifest: signature by the
# pinned client key that its name names, over the exact bytes, BEFORE any
# byte is parsed; then a strict parser (size, depth, unknown and duplicate
# keys, types, grammar).  Each case puts one hostile report in a folder
# and asserts that `mkmedia fleet` lists it as UNTRUSTED with the expected
# reason, uses no client from it, exits 0, and leaves the repository
# unchanged.  Hostile content is genuinely signed by an enrolled client's
# key, so each case reaches the layer it targets.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_TESTLIB/fleet.sh"
need_keys
CASES=0

make_repo repo --deltas none
add_versions repo patterns 2026.11.19-1
build_medium repo med
fleet_client a web-01;  A=$FLEET_FPR
fleet_client b db-01;   B=$FLEET_FPR
fleet_client e evil-01; E=$FLEET_FPR		# never enrolled
for x in a b e; do expect_ok client $x apply med; done
fleet_enroll repo a web-01
fleet_enroll repo b db-01
la=$(echo "$A" | tr 'A-F' 'a-f')
lb=$(echo "$B" | tr 'A-F' 'a-f')
le=$(echo "$E" | tr 'A-F' 'a-f')
expect_ok client a report --to good
G=good/report-$la-0000000002.json
[ -f "$G" ] || die "no good report"

# control: the genuine report is trusted and used
expect_ok mkmedia --repo repo fleet good
out_has "^current +web-01 +web-01 "
out_has "^1 client\(s\): 1 current, 0 behind, 0 failing; 0 untrusted"
REPO_BEFORE=$(tree_digest repo)

# untrusted DIR NAME REGEX: the one report DIR/NAME is UNTRUSTED for
# REGEX, no client is shown, and the repository is unchanged.
untrusted() {
	local dir=$1 name=$2 re=$3
	expect_ok mkmedia --repo repo fleet "$dir"
	out_has "^UNTRUSTED $dir/$name: $re \(not used\)$"
	out_has "^0 client\(s\): 0 current, 0 behind, 0 failing; 1 untrusted report\(s\) ignored"
	grep -Eq '^(current|behind|failing) ' "$TEST_TMP/last.out" &&
	    die "$dir: a client was taken from an untrusted report"
	expect_ok mkmedia --repo repo --json fleet "$dir"
	jq -e '.clients == [] and .summary.untrusted == 1' "$TEST_TMP/last.out" >/dev/null ||
	    die "$dir: --json"
	[ "$(tree_digest repo)" = "$REPO_BEFORE" ] || die "$dir: the repository changed"
	CASES=$((CASES + 1))
}
# hostile DIR EDIT: a copy of the good report edited by the python
# expression EDIT (on bytes b), then signed by a's key, under a's name.
hostile() {
	local dir=$1 edit=$2 n=${3:-report-$la-0000000002.json}
	mkdir -p "$dir"
	python3 - "$G" "$dir/$n" "$edit" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
b2 = eval(sys.argv[3])
assert b2 != b, "edit changed nothing"
open(sys.argv[2], 'wb').write(b2)
PY
	report_sign a "$dir/$n"
}

# 1. unsigned
mkdir -p unsigned && cp "$G" unsigned/
untrusted unsigned "report-$la-0000000002.json" "not signed: report-$la-0000000002.json.sig is missing"
# 2. unknown key: a genuine report of a client nobody enrolled
expect_ok client e report --to unknown
# (refused by its name, before gpg runs: a stick of reports named for
# unknown keys costs the publisher no signature check)
untrusted unknown "report-$le-0000000002.json" "key $E is not enrolled"
# 3. forged: b signs a report under a's name
mkdir -p forged && cp "$G" forged/
report_sign b "forged/report-$la-0000000002.json"
untrusted forged "report-$la-0000000002.json" "signed by key $B, but the file name names key $A"
# 4. tampered bytes after signing
mkdir -p tampered && cp "$G" "$G.sig" tampered/
sed -i 's/"hostname": "[^"]*"/"hostname": "evil"/' "tampered/report-$la-0000000002.json"
cmp -s "$G" "tampered/report-$la-0000000002.json" && die "tamper failed"
untrusted tampered "report-$la-0000000002.json" "bad signature"
# 5. oversize (signed): refused before parsing
hostile oversize 'b.replace(b"\n}", b",\n \"pad\": \"" + b"x" * 300000 + b"\"\n}")'
untrusted oversize "report-$la-0000000002.json" "[0-9]+ bytes, larger than the [0-9]+ allowed"
# 6. deep nesting (signed)
hostile deep 'b.replace(b"\"results\": [", b"\"results\": [" + b"[" * 40 + b"]" * 40 + b",", 1)'
untrusted deep "report-$la-0000000002.json" "JSON nested deeper than 6 levels"
# 7. an unknown field (signed): e.g. the environment smuggled out
hostile unknownfield 'b.replace(b"\"format\": ", b"\"environment\": \"PATH=/bin\",\n \"format\": ", 1)'
untrusted unknownfield "report-$la-0000000002.json" ".*environment.*"
# 8. bad UTF-8 (signed)
hostile badutf8 'b.replace(b"\"client_id\": \"web-01\"", b"\"client_id\": \"web-\xff1\"", 1)'
untrusted badutf8 "report-$la-0000000002.json" "malformed JSON at line [0-9]+: .*"
# 9. duplicate keys (signed): jansson's JSON_REJECT_DUPLICATES
hostile dupkey 'b.replace(b"\"serial\": 2", b"\"serial\": 2,\n \"serial\": 2", 1)'
untrusted dupkey "report-$la-0000000002.json" "malformed JSON at line [0-9]+: duplicate object key.*"
# 10. a float where an integer belongs (signed)
hostile float 'b.replace(b"\"keyset_version\": 0", b"\"keyset_version\": 0.0", 1)'
untrusted float "report-$la-0000000002.json" ".*"
# 11. a path in a string (signed): grammar refuses it
hostile pathval 'b.replace(b"\"client_id\": \"web-01\"", b"\"client_id\": \"../../etc\"", 1)'
untrusted pathval "report-$la-0000000002.json" "client_id, hostname or ferry_version is outside its grammar"
# 12. the name and the content disagree on the serial (signed)
hostile serialname 'b.replace(b"\"serial\": 2", b"\"serial\": 9", 1)'
untrusted serialname "report-$la-0000000002.json" "holds serial 9, but the file name says 2"
# 13. not a report name: report-*.json that is no report-FPR-SERIAL.json
# is named; any other file (notes.json, a medium's README.txt) is no
# report and passed over
mkdir -p badname && cp "$G" badname/report-notes.json && cp "$G.sig" badname/report-notes.json.sig
cp "$G" badname/notes.json && cp "$G.sig" badname/notes.json.sig
# (untrusted asserts exactly 1 untrusted report: notes.json is not one)
untrusted badname report-notes.json "not a report file name \(report-FINGERPRINT-SERIAL.json\)"
# 14. a symbolic link posing as a report
mkdir -p symlink && ln -s /etc/passwd "symlink/report-$la-0000000002.json"
untrusted symlink "report-$la-0000000002.json" ".*"
# 15. conflict: the same serial twice with other content, both signed
mkdir -p conflict/x conflict/y
cp "$G" "$G.sig" conflict/x/
hostile conflict/y 'b.replace(b"\"pinned\": false", b"\"pinned\": true", 1)'
expect_ok mkmedia --repo repo fleet conflict/x conflict/y
out_has "^UNTRUSTED conflict/x/report-$la-0000000002.json: client web-01 sent serial 2 twice with different content: neither is used \(not used\)$"
out_has "^UNTRUSTED conflict/y/report-$la-0000000002.json: client web-01 sent serial 2 twice"
out_has "^0 client\(s\)"
CASES=$((CASES + 1))
# 16. replayed older report: ignored, the newest one counts
expect_ok client a pin patterns
expect_ok client a report --to newer
cp "$G" "$G.sig" newer/
expect_ok mkmedia --repo repo --json fleet newer
jq -e '.summary.superseded == 1 and .superseded[0].serial == 2
    and (.clients[0] | .serial == 3 and .components[0].pinned)' "$TEST_TMP/last.out" >/dev/null ||
    { cat "$TEST_TMP/last.out"; die "the replayed older report was used"; }
CASES=$((CASES + 1))

[ "$(tree_digest repo)" = "$REPO_BEFORE" ] || die "the repository changed"
[ "$CASES" -eq 16 ] || die "expected 16 cases, asserted $CASES"
note "$CASES case(s) asserted"
