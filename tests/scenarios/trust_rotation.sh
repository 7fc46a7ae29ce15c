# Key rotation carried on media (docs/KEYS.md): a chain v1 {good} ->
# v2 {k2,k3} (good revoked) -> v3 {k2,k3} threshold 2.  A client still
# pinned to v1 walks to v3 and persists it; a client that never saw a
# rotation skips all of them; a client pinned later to v3's keys starts
# there.  After the walk the revoked key is worth nothing: neither its
# media (old genuine ones included) nor a set 4 of its own; evil's chain
# is refused by a client still at the bootstrap pin.  The broken chains
# are in tests/attack/keyset_chain.sh.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/scenarios/_trust.sh"
need_keys

rotation_fixture
# mkmedia itself refuses to sign with the revoked key, before it writes.
expect_fail 17 "^mkmedia: $FPR_GOOD: not in key set 3, the repository's newest" \
    mkmedia --repo repo build --out bad --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
[ ! -e bad ] || die "a build refused for its key wrote the target"
# mkmedia refuses a rotation the old set did not sign (k2 alone is 1 of 2).
expect_fail 5 'key set 3 must sign' mkmedia --repo repo keyset rotate \
    --add "$FPR_GOOD" --sign-key "$FPR_K2,$FPR_GOOD" --gnupghome "$KEYHOME"
[ ! -e repo/keys/keyset-0004.json ] || die "a refused rotation was written"


refused() {	# CODE REGEX MEDIUM: client a refuses, unchanged
	expect_fail "$1" "$2" client a apply "$3"
	[ "$(client_digest a)" = "$before" ] || die "$3 changed the client"
}
# The genuine chain: a client still pinned to v1 walks v1 -> v2 -> v3.
expect_ok client a apply m3
[ "$(keyset_version a)" = 3 ] || die "client a is not at key set 3"
grep -q '"event":"keyset".*now trusting key set 3 of example-av' a/var/lib/ferry/history.jsonl ||
    die "the new key set is not in the history"
# A client that never saw a rotation skips all of them (bootstrap pin v1).
make_client b
expect_ok client b apply m3
[ "$(keyset_version b)" = 3 ] || die "client b is not at key set 3"
# A client pinned later, from the second channel, to v3's keys directly.
make_client c "threshold = 2"
sed -i "s/^trust = .*/trust = $FPR_K2 $FPR_K3/" c/etc/ferry/client.conf
expect_ok client c apply m3
[ "$(keyset_version c)" = 3 ] || die "client c is not at key set 3"

# At v3: the revoked key is worth nothing any more.
before=$(client_digest a)
add_versions repo patterns 2026.11.22-1
expect_ok mkmedia --repo repo build --out m4 --sign-key "$FPR_K2,$FPR_K3" --gnupghome "$KEYHOME"
rm -rf revoked; cp -a m4 revoked
resign revoked/ferry/manifest.json "$FPR_GOOD"
refused 5 "^applymedia: manifest.json: 0 of 2 required signatures from pinned keys; signed by key $FPR_GOOD, which is not pinned$" revoked
# ... nor is the genuine old medium it signed (no roll back through m1).
refused 5 "^applymedia: manifest.json: 0 of 2 required signatures from pinned keys; signed by key $FPR_GOOD, which is not pinned$" m1
# ... and the compromised old key cannot name a set 4 of its own.
rm -rf good4; cp -a m4 good4
pubkey "$FPR_GOOD" good4/ferry/keys/keyset-0004.gpg
statement good4/ferry/keys/keyset-0004.json 4 1 good4/ferry/keys/keyset-0004.gpg "$FPR_GOOD"
resign good4/ferry/keys/keyset-0004.json "$FPR_GOOD"
resign good4/ferry/manifest.json "$FPR_GOOD"
refused 5 "^applymedia: keys/keyset-0004.json: not signed by key set 3, the one before it: 0 of 2 required signatures from pinned keys; signed by key $FPR_GOOD, which is not pinned$" good4
# A client still at the bootstrap pin, offered only evil's chain.
make_client d
rm -rf evil1; cp -a m4 evil1; rm evil1/ferry/keys/*
cp "$FERRY_TEST_KEYS/evil.gpg" evil1/ferry/keys/keyset-0001.gpg
statement evil1/ferry/keys/keyset-0001.json 1 1 evil1/ferry/keys/keyset-0001.gpg "$FPR_EVIL"
resign evil1/ferry/keys/keyset-0001.json "$FPR_EVIL"
before_d=$(client_digest d)
expect_fail 5 "^applymedia: keys: none of the 1 key-set statements on this medium is signed by the pinned keys \(keys/keyset-0001.json: signed by key $FPR_EVIL, which is not pinned\)$" \
    client d apply evil1
[ "$(client_digest d)" = "$before_d" ] || die "evil's chain changed client d"
# Control: the genuine m4 applies at v3.
expect_ok client a apply m4
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" m4
