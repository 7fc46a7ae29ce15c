# verifymedia: every failure class with its exit code and message, and
# every problem reported (not only the first).
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1 2026.11.21-1
build_medium repo good
V() { verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" "$@"; }
expect_ok V good                                  # control
fresh() { rm -rf "$1"; cp -a good "$1"; }
pkg() { find "$1/ferry/pkg" -name '*base*' | head -1; }

fresh unsigned; rm unsigned/ferry/manifest.json.sig
expect_fail 5 '^verifymedia: manifest.json: not signed: manifest.json.sig is missing$' V unsigned

fresh evil
gpg --homedir "$KEYHOME" --batch --yes -q -u "$FPR_EVIL" --detach-sign \
    -o evil/ferry/manifest.json.sig evil/ferry/manifest.json
expect_fail 5 "signed by key $FPR_EVIL, which is not pinned" V evil

fresh tampered; sed -i 's/"channel": "stable"/"channel": "stabla"/' tampered/ferry/manifest.json
expect_fail 5 'manifest.json: bad signature' V tampered

fresh flipped; flip_byte "$(pkg flipped)" 200
expect_fail 6 'base-.*\.tar\.zst: sha256 differs from manifest' V flipped

fresh trunc; p=$(pkg trunc); truncate -s -10 "$p"
expect_fail 6 'bytes, manifest says' V trunc

fresh missing; rm "$(find missing/ferry/pkg -name '*.fdelta' | head -1)"
expect_fail 16 '\.fdelta: ' V missing

fresh extra; echo hello >extra/ferry/pkg/patterns/evil.exe
expect_fail 6 'pkg/patterns/evil.exe: extra file, not listed in the manifest' V extra

fresh half; touch half/ferry/.incomplete
expect_fail 16 'medium is incomplete: writing it was interrupted' V half

# several problems at once: all reported, most severe exit code
fresh many; flip_byte "$(pkg many)" 100; echo x >many/ferry/stray.txt
expect_fail 6 'problems found' V many
[ "$(grep -c '^verifymedia: ' "$TEST_TMP/last.err")" -ge 3 ] || die "not every problem reported"

# wrong format version: a correctly signed manifest of a future format
fresh future
sed -i 's/"format_version": [0-9]*/"format_version": 5/' future/ferry/manifest.json
gpg --homedir "$KEYHOME" --batch --yes -q -u "$FPR_GOOD" --detach-sign \
    -o future/ferry/manifest.json.sig future/ferry/manifest.json
expect_fail 4 'format version 5 is not supported \(this ferry reads versions 1 to 4\)' V future

# --json: one document, machine readable, same exit code
rc=0; V --json flipped >v.json 2>/dev/null || rc=$?
[ "$rc" -eq 6 ] || die "json run exit $rc"
jq -e '.ok == false and .exit == 6 and (.problems | length) >= 1 and .problems[0].code == "integrity"' v.json >/dev/null ||
    { cat v.json; die "bad json"; }
V --json good | jq -e '.ok == true and .serial == 1 and .files >= 4' >/dev/null || die "good json"
# usage errors
expect_fail 2 'trust and --keyring are required' verifymedia good
