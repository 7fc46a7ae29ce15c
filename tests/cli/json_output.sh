# --json on every command: one document on stdout, parsed by jq, with the
# documented fields; failures too (ok false, exit, code, message).
. "$FERRY_TESTLIB/common.sh"
need_keys
J() { "$@" >out.json 2>err.txt || true; jq -e . out.json >/dev/null || { cat out.json err.txt; die "not one JSON document: $*"; }; }
J mkmedia --repo repo --json init --publisher example-av --level 3
jq -e '.ok and .publisher == "example-av"' out.json >/dev/null || die "init json"
make_samples
J mkmedia --repo repo --json add patterns 2026.11.20-1 "$SAMPLES/patterns/2026.11.20-1"
jq -e '.ok and .version == "2026.11.20-1" and .entries > 0 and .base_bytes > 0' out.json >/dev/null || die "add json"
J mkmedia --repo repo --json add patterns 2026.11.21-1 "$SAMPLES/patterns/2026.11.21-1"
jq -e '.deltas[0].from == "2026.11.20-1" and .deltas[0].bytes > 0' out.json >/dev/null || die "add json deltas"
J mkmedia --repo repo --json list
jq -e '.components[0].versions | length == 2' out.json >/dev/null || die "list json"
J mkmedia --repo repo --json build --out med --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
jq -e '.ok and .serial == 1 and .written > 0 and .medium_id == "example-av-stable-1"' out.json >/dev/null || die "build json"
J mkmedia --repo nowhere --json list
jq -e '.ok == false and .exit == 18 and .code == "notfound"' out.json >/dev/null || die "error json"

make_client cl
J client cl --json plan med
jq -e '.components[] | select(.component == "patterns" and .status == "planned" and .bytes > 0)' out.json >/dev/null || die "plan json"
J client cl --json apply med
jq -e '.result == "applied" and (.components[] | select(.component == "patterns") | .status == "applied")' out.json >/dev/null || die "apply json"
J client cl --json status
jq -e '.components[] | select(.component == "patterns" and .installed == "2026.11.21-1" and .pinned == false)' out.json >/dev/null || die "status json"
J client cl --json verify
jq -e '.ok and (.components[0].ok == true)' out.json >/dev/null || die "verify json"
J client cl --json pin patterns
jq -e '.ok and .pinned == true' out.json >/dev/null || die "pin json"
J client cl --json unpin patterns
jq -e '.ok and .pinned == false' out.json >/dev/null || die "unpin json"
J client cl --json rollback patterns
jq -e '.ok == false and .exit == 18' out.json >/dev/null || die "rollback error json (no previous)"
J client cl --json find
jq -e 'type == "array"' out.json >/dev/null || die "find json"
rm med/ferry/manifest.json.sig
J client cl --json apply med
jq -e '.ok == false and .exit == 5 and .code == "signature" and (.message | test("not signed"))' out.json >/dev/null || die "refusal json"
J verifymedia --json --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" med
jq -e '.ok == false and .exit == 5' out.json >/dev/null || die "verifymedia json"
