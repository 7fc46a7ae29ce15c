# mkmedia build --notice: a notice no client would read is refused before
# anything is signed or written (exit 2), and the good medium already on
# the target stays as it was.  Before, a notice over 1024 bytes was
# written, failed the self-check (exit 4) and left the stick holding no
# valid medium; a notice that is not UTF-8 (typed in a Latin-1 terminal)
# vanished from the signed manifest while README.txt showed it.  A notice
# of exactly 1024 bytes, and one naming its component, reach the client.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1
build_medium repo stick
medium_sum() { (cd stick && find . -type f -exec sha256sum {} + | LC_ALL=C sort); }
before=$(medium_sum)

long=$(head -c 1025 /dev/zero | tr '\0' a)
expect_fail 2 '^mkmedia: --notice: notice 2: 1025 bytes, at most 1024 \(nothing was written\)$' \
    build_medium repo stick --notice 'fine' --notice "patterns: $long"
[ "$(medium_sum)" = "$before" ] || die "a refused notice changed the medium on the target"
expect_fail 2 '^mkmedia: --notice: notice 1 is not valid UTF-8 \(nothing was written\)$' \
    build_medium repo stick --notice "$(printf 'patterns: caf\351 ferm\351')"
[ "$(medium_sum)" = "$before" ] || die "a refused notice changed the medium on the target"
verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" stick >/dev/null ||
    die "the good medium on the target no longer verifies"
jq -e '.serial == 1' stick/ferry/manifest.json >/dev/null || die "serial moved"

max=$(head -c 1024 /dev/zero | tr '\0' b)
expect_ok build_medium repo stick --notice "patterns: $max" --notice "$(printf 'caf\303\251 ferm\303\251')"
jq -e --arg m "$max" '.notices == [{"component": "patterns", "text": $m}, {"text": "café fermé"}]' \
    stick/ferry/manifest.json >/dev/null || { jq .notices stick/ferry/manifest.json; die "notices not in the manifest"; }
make_client c
expect_ok client c apply stick
grep -q 'café fermé' "$TEST_TMP/last.out" "$TEST_TMP/last.err" || die "the client did not show the notice"
echo "ok: notices refused before anything is written; a 1024-byte and a UTF-8 notice reach the client"
