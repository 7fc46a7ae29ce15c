# A crash while the client adopts a new key set (fault point
# keystate.commit: the new keyring is durable, keys/keyset.json not yet
# replaced) leaves the old set in force and usable; the next apply of the
# same medium, which has nothing left to install, adopts the new set.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/scenarios/_trust.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1
keyset repo init --sign-key "$FPR_GOOD"
build_medium repo m1
make_client a
expect_ok client a apply m1
add_versions repo patterns 2026.11.21-1
keyset repo revoke "$FPR_GOOD" --add "$FPR_K2" --sign-key "$FPR_GOOD,$FPR_K2"
expect_ok mkmedia --repo repo build --out m2 --sign-key "$FPR_K2" --gnupghome "$KEYHOME"
rc=0
FERRY_FAULT=keystate.commit:1:kill client a apply m2 >out 2>err || rc=$?
[ "$rc" -eq 137 ] || { cat err; die "expected a kill at keystate.commit, got exit $rc"; }
[ "$(keyset_version a)" = 1 ] || die "half-adopted key set"
expect_ok client a trust list
out_has "^  $FPR_GOOD$"
expect_ok client a status
out_has '2026.11.21-1'
# The same medium again: nothing to install, the new set is adopted.
expect_ok client a apply m2
out_has 'nothing to do: every component is up to date'
[ "$(keyset_version a)" = 2 ] || die "key set 2 not adopted on the second apply"
[ "$(ls a/var/lib/ferry/keys/keyring-*.gpg | wc -l)" -eq 1 ] || die "old keyring files left"
# ... and applying it once more changes nothing at all.
before=$(client_digest a)
expect_ok client a apply m2
[ "$(client_digest a)" = "$before" ] || die "an up-to-date medium changed the client"
# A power cut just after the adoption can keep the old keyring file (its
# unlink was not durable; found by the power-loss simulator, issue 16):
# the next locked run removes it, a read-only one leaves it alone.
cp a/var/lib/ferry/keys/keyring-*.gpg a/var/lib/ferry/keys/keyring-0123456789abcdef.gpg
expect_ok client a trust list
[ "$(ls a/var/lib/ferry/keys/keyring-*.gpg | wc -l)" -eq 2 ] || die "a read-only run removed a file"
expect_ok client a apply m2
[ "$(ls a/var/lib/ferry/keys/keyring-*.gpg | wc -l)" -eq 1 ] ||
    die "the stale keyring file survived a locked run"
[ "$(keyset_version a)" = 2 ] || die "key set changed"
expect_ok client a trust list
out_has "^  $FPR_K2$"
