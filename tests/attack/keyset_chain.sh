# Broken key-set chains (docs/KEYS.md), each on a copy of a genuine
# medium carrying v1 {good} -> v2 {k2,k3} -> v3 {k2,k3} threshold 2, offered
# to a client pinned to v1: a gap, a set signed only by the old or only by
# the new keys, a version that is not previous+1, a swapped keyring, a set
# named by evil, a statement changed after the manifest listed it, a
# manifest naming another set, a manifest below v3's threshold.  Each is
# refused with its exit code and message and leaves the client byte for
# byte unchanged; the untouched medium then applies.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/scenarios/_trust.sh"
need_keys

rotation_fixture

before=$(client_digest a)
attack() {	# NAME: a copy of m3 to damage
	rm -rf "$1"; cp -a m3 "$1"; K=$1/ferry/keys
}
refused() {	# CODE REGEX MEDIUM: client a refuses, unchanged
	expect_fail "$1" "$2" client a apply "$3"
	[ "$(client_digest a)" = "$before" ] || die "$3 changed the client"
}

# A gap: v2 missing, v3 present.
attack gap; rm "$K"/keyset-0002.*
refused 5 '^applymedia: keys/keyset-0003.json: the key-set chain has a gap: keyset-0002.json is missing$' gap
# v2 signed only by the old set.
attack oldonly; resign "$K/keyset-0002.json" "$FPR_GOOD"
refused 5 "^applymedia: keys/keyset-0002.json: not signed by its own key set 2: signed by key $FPR_GOOD, which is not pinned$" oldonly
# v2 signed only by the new set.
attack newonly; resign "$K/keyset-0002.json" "$FPR_K2" "$FPR_K3"
refused 5 "^applymedia: keys/keyset-0002.json: not signed by key set 1, the one before it: .*signed by key $FPR_K2, which is not pinned" newonly
# A statement whose version is not exactly previous+1.
attack skipver; sed -i 's/"version": 2/"version": 3/' "$K/keyset-0002.json"
resign "$K/keyset-0002.json" "$FPR_GOOD" "$FPR_K2"
refused 5 '^applymedia: keys/keyset-0002.json: statement says version 3; the version after 1 must be exactly 2$' skipver
# Its keyring swapped for another one.
attack ring; cp "$FERRY_TEST_KEYS/evil.gpg" "$K/keyset-0002.gpg"
refused 6 '^applymedia: keys/keyset-0002.gpg: SHA-256 differs from the one in keys/keyset-0002.json$' ring
# evil (in no set) names itself as set 2.
attack evil2; cp "$FERRY_TEST_KEYS/evil.gpg" "$K/keyset-0002.gpg"
statement "$K/keyset-0002.json" 2 1 "$K/keyset-0002.gpg" "$FPR_EVIL"
resign "$K/keyset-0002.json" "$FPR_EVIL"
refused 5 "^applymedia: keys/keyset-0002.json: not signed by key set 1, the one before it: signed by key $FPR_EVIL, which is not pinned$" evil2
# A statement changed after the manifest listed it (validly re-signed).
attack relist; echo >>"$K/keyset-0002.json"
resign "$K/keyset-0002.json" "$FPR_GOOD" "$FPR_K2"
refused 6 '^applymedia: keys/keyset-0002.json: differs from the manifest$' relist
# A manifest naming a set the chain does not reach, or an older one.
attack ahead; sed -i 's/"keyset": "keyset-0003"/"keyset": "keyset-0005"/' "$K/../manifest.json"
resign "$K/../manifest.json" "$FPR_K2" "$FPR_K3"
refused 5 '^applymedia: manifest.json: manifest names key set 5, but the key-set chain reaches only 3$' ahead
attack behind; sed -i 's/"keyset": "keyset-0003"/"keyset": "keyset-0002"/' "$K/../manifest.json"
resign "$K/../manifest.json" "$FPR_K2" "$FPR_K3"
refused 5 '^applymedia: manifest.json: manifest names key set "keyset-0002", the medium carries up to keyset-0003$' behind
# A manifest whose signatures do not reach v3's threshold of 2.
attack thr; rm "$K/../manifest.json.sig.2"
refused 5 '^applymedia: manifest.json: 1 of 2 required signatures from pinned keys' thr

# Control: the genuine chain applies, v1 -> v2 -> v3.
expect_ok client a apply m3
[ "$(keyset_version a)" = 3 ] || die "client a is not at key set 3"
