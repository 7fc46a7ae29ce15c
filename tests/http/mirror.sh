# mkmedia mirror: verify a medium with the pinned keys, then refresh a
# served folder (packages first, manifest signatures and manifest last,
# old files removed after).  The served tree verifies over http and a
# client applies from it; a refresh keeps unchanged packages and removes
# the ones the new manifest drops; an unsigned or tampered medium is
# refused and the mirror left byte-for-byte as it was; a crash in the
# middle of a refresh leaves the old medium served and verifiable.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/http/_nginx.sh"
need_keys
KR=$FERRY_TEST_KEYS/pinned.gpg
make_repo repo
add_versions repo patterns 2026.11.19-1 2026.11.20-1
add_versions repo engine 8.0.0
build_medium repo m1
add_versions repo patterns 2026.11.21-1
build_medium repo m2
add_versions repo patterns 2026.11.22-1
build_medium repo m3 --component patterns
mirror() { mkmedia mirror --trust "$FPR_GOOD" --keyring "$KR" "$@"; }

mkdir -p www
nginx_start www
URL=$NGINX_URL/ferry/

# First mirror into an empty folder; it verifies over http and applies.
expect_ok mirror --from m1 --to www/ferry
out_has "mirrored example-av-stable-1 \(serial 1\) to www/ferry: [0-9]+ files copied"
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$KR" "$URL"
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$KR" www/ferry
make_client c
expect_ok client c apply "$URL"

# Refresh to m2: the unchanged packages stay, the folder equals the medium.
expect_ok mirror --from m2 --to www/ferry
out_has 'serial 2.*[1-9][0-9]* unchanged'
diff -r m2/ferry www/ferry || die "mirror differs from the medium"
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$KR" www/ferry
expect_ok client c apply "$URL"

# Refused mediums leave the mirror exactly as it was.
before=$(tree_digest www/ferry)
cp -a m3 unsigned && rm unsigned/ferry/manifest.json.sig
expect_fail 5 'not signed: manifest.json.sig is missing' mirror --from unsigned --to www/ferry
cp -a m3 tampered
flip_byte "$(ls tampered/ferry/pkg/patterns/*-2026.11.22-1-base-*.tar.zst)" 64
expect_fail 6 'sha256 differs|SHA256SUMS' mirror --from tampered --to www/ferry
expect_fail 5 'not pinned|signed by' mkmedia mirror --trust "$FPR_K2" --keyring "$KR" --from m3 --to www/ferry
[ "$(tree_digest www/ferry)" = "$before" ] || die "a refused medium changed the mirror"
# Going back to an older medium is refused; so is a folder that is not a
# mirror, and the medium itself as destination.
expect_fail 7 'mirror already serves serial 2' mirror --from m1 --to www/ferry
mkdir other && echo keep >other/index.html
expect_fail 2 'not empty and holds no ferry mirror' mirror --from m2 --to other
[ "$(cat other/index.html)" = keep ] || die "a foreign folder was touched"
expect_fail 2 'is the medium itself' mirror --from m2 --to m2/ferry
[ "$(tree_digest www/ferry)" = "$before" ] || die "a refused refresh changed the mirror"

# A refresh killed after the first new package: the old medium is still
# what is served, and it verifies over http.
FERRY_FAULT=mirror.file:1:kill expect_fail 137 '' mirror --from m3 --to www/ferry
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$KR" "$URL"
out_has 'serial 2\)'
# Killed just before the manifest rename (new signatures added beside the
# old ones) and just after it (old signatures still there): each time the
# served manifest verifies and a client plans from it.  (README.txt and
# SHA256SUMS were already replaced: only verifymedia notices that, until
# the refresh is run again.)
FERRY_FAULT=mirror.manifest:1:kill expect_fail 137 '' mirror --from m3 --to www/ferry
ls www/ferry/manifest.json.sig.2 >/dev/null || die "new signature not added beside the old one"
expect_ok client c plan "$URL"
grep -q 'serial 2)' "$TEST_TMP/last.out" "$TEST_TMP/last.err" || die "plan did not see serial 2"
FERRY_FAULT=mirror.sigs:1:kill expect_fail 137 '' mirror --from m3 --to www/ferry
expect_ok client c plan "$URL"
grep -q 'serial 3)' "$TEST_TMP/last.out" "$TEST_TMP/last.err" || die "plan did not see serial 3"
# The next run completes the refresh.
expect_ok mirror --from m3 --to www/ferry
diff -r m3/ferry www/ferry || die "mirror differs from m3 after the resumed refresh"
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$KR" "$URL"
out_has 'serial 3\)'
expect_ok client c apply "$URL"

# A mirror of a mirror: --from an http URL.
expect_ok mirror --from "$URL" --to www2/ferry
diff -r m3/ferry www2/ferry || die "http-sourced mirror differs"
