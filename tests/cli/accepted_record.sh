# formats/SPEC.md §13 rule 1: state.json keeps, per publisher, the manifest
# SHA-256 of the last 64 serials accepted (bounded), next to the highest
# serial; a serial in the record with other content is refused (7), an
# older medium accepted for a newer component is recorded without lowering
# the highest serial, and a state.json from before the record (highest
# serial + hash only) still refuses the same serial with other content.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo --deltas none
add_versions repo patterns 2026.11.19-1
build_medium repo m100 --serial 100
add_versions repo patterns 2026.11.20-1
build_medium repo m101 --serial 101
make_client cl
S=cl/var/lib/ferry/state.json
expect_ok client cl apply m100

# 64 older serials recorded already (as after a long life): the record
# stays at 64 entries and drops the lowest when m101 is accepted.
python3 - "$S" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
acc = d["publishers"]["example-av"]["accepted"]
for s in range(36, 99):
    acc[str(s)] = "ab" * 32
json.dump(d, open(sys.argv[1], "w"), indent=1, sort_keys=True)
EOF
expect_ok client cl apply m101
python3 - "$S" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))["publishers"]["example-av"]
acc = p["accepted"]
assert len(acc) == 64, len(acc)
assert "36" not in acc and "37" in acc and "100" in acc and "101" in acc, sorted(acc)
assert p["serial"] == 101, p
EOF

# A recorded older serial (98, fake hash above) with this content: refused.
build_medium repo m98 --serial 98
before=$(client_digest cl)
expect_fail 7 '^applymedia: example-av-stable-98: serial 98 was already accepted from example-av with different content \(replay refused\)$' \
    client cl apply m98
[ "$(client_digest cl)" = "$before" ] || die "a refused replay changed the client"

# A state.json of an older ferry: highest serial and its hash only.
python3 - "$S" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
del d["publishers"]["example-av"]["accepted"]
json.dump(d, open(sys.argv[1], "w"), indent=1, sort_keys=True)
EOF
mkmedia --repo repo build --out other101 --sign-key "$FPR_GOOD" \
    --gnupghome "$KEYHOME" --serial 101 --notice "other content" >/dev/null
before=$(client_digest cl)
expect_fail 7 '^applymedia: example-av-stable-101: serial 101 was already accepted from example-av with different content \(replay refused\)$' \
    client cl apply other101
[ "$(client_digest cl)" = "$before" ] || die "a refused replay changed the client"
