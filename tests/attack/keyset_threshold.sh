# Threshold 2 of 3 (good, k2, k3) carried as key set 1: a medium signed by
# two of them applies; with one of its two signatures bad, or replaced by
# an unpinned key's, or the same key twice, it is refused and the client
# is unchanged.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/scenarios/_trust.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1
keyset repo init --sign-key "$FPR_GOOD,$FPR_K2,$FPR_K3" --threshold 2
expect_ok mkmedia --repo repo build --out med --sign-key "$FPR_GOOD,$FPR_K2" \
    --gnupghome "$KEYHOME"
make_client cl "threshold = 2"
sed -i "s/^trust = .*/trust = $FPR_GOOD $FPR_K2 $FPR_K3/" cl/etc/ferry/client.conf
# Control: the untouched medium verifies.
expect_ok verifymedia --trust "$FPR_GOOD,$FPR_K2,$FPR_K3" --threshold 2 \
    --keyring "$FERRY_TEST_KEYS/pinned.gpg" med
before=$(client_digest cl)
refused() {	# REGEX MEDIUM
	expect_fail 5 "$1" client cl apply "$2"
	[ "$(client_digest cl)" = "$before" ] || die "$2 changed the client"
}
# one of the two signatures damaged
rm -rf bad; cp -a med bad
sz=$(stat -c %s bad/ferry/manifest.json.sig.2)
flip_byte bad/ferry/manifest.json.sig.2 $((sz - 10))
refused '^applymedia: manifest.json: 1 of 2 required signatures from pinned keys; signature 2: bad signature$' bad
# the second signature by evil (not pinned)
rm -rf ev; cp -a med ev
"${G[@]}" --yes -u "$FPR_EVIL!" --detach-sign -o ev/ferry/manifest.json.sig.2 ev/ferry/manifest.json
refused "^applymedia: manifest.json: 1 of 2 required signatures from pinned keys; signature 2: signed by key $FPR_EVIL, which is not pinned$" ev
# the same key twice counts once
rm -rf twice; cp -a med twice
cp twice/ferry/manifest.json.sig twice/ferry/manifest.json.sig.2
refused "^applymedia: manifest.json: 1 of 2 required signatures from pinned keys; signature 2: key $FPR_GOOD signed more than once$" twice
# the key-set statement itself with one bad signature of three: 2 of 3
# still hold, so it is only the manifest that decides
rm -rf st; cp -a med st
sz=$(stat -c %s st/ferry/keys/keyset-0001.json.sig.3)
flip_byte st/ferry/keys/keyset-0001.json.sig.3 $((sz - 10))
expect_ok client cl plan st
# ... and with two of three bad it is refused before the manifest is read
sz=$(stat -c %s st/ferry/keys/keyset-0001.json.sig.2)
flip_byte st/ferry/keys/keyset-0001.json.sig.2 $((sz - 10))
refused "^applymedia: keys: none of the 1 key-set statements on this medium is signed by the pinned keys \(keys/keyset-0001.json: 1 of 2 required signatures from pinned keys; signature 2: bad signature\)$" st
# Control: the genuine medium applies.
expect_ok client cl apply med
[ "$(keyset_version cl)" = 1 ] || die "client did not persist key set 1"
