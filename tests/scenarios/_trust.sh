# tests/scenarios/_trust.sh: helpers for the key-set (trust_*) tests.
# Source after common.sh.

# gpg on the test key home, as a publisher's signing machine would run it.
G=(gpg --homedir "$KEYHOME" --batch --quiet --no-tty --pinentry-mode loopback
    --passphrase '')

# keyset REPO SUBCOMMAND ARGS...: mkmedia keyset with the test key home.
keyset() {
	local r=$1; shift
	mkmedia --repo "$r" keyset "$@" --gnupghome "$KEYHOME" >/dev/null
}

# resign FILE FPR...: replace FILE's detached signatures (FILE.sig,
# FILE.sig.2, ...) with fresh ones by exactly these keys.
resign() {
	local f=$1 i=1 out k; shift
	rm -f "$f".sig "$f".sig.*
	for k in "$@"; do
		out=$f.sig
		[ $i -gt 1 ] && out=$f.sig.$i
		"${G[@]}" --yes -u "$k!" --detach-sign -o "$out" "$f"
		i=$((i + 1))
	done
}

# statement FILE VERSION THRESHOLD KEYRING FPR...: a key-set statement
# written by hand (what an attacker holding some key could make).
statement() {
	local f=$1 v=$2 k=$3 ring=$4 keys="" x sha; shift 4
	sha=$(sha256sum "$ring" | cut -d' ' -f1)
	for x in "$@"; do keys="$keys${keys:+, }{\"fpr\": \"$x\"}"; done
	printf '{"created": "2026-11-23T00:00:00Z", "format": "ferry-keyset", "keyring_sha256": "%s", "keys": [%s], "publisher": "example-av", "threshold": %s, "version": %s}\n' \
	    "$sha" "$keys" "$k" "$v" >"$f"
}

# pubkey FPR FILE: export one public key.
pubkey() { "${G[@]}" --export "$1" >"$2"; }

# keyset_version CLIENT: the version of the key set the client's state pins
# ("none" when it still uses the configuration's initial pin).
keyset_version() {
	local f=$1/var/lib/ferry/keys/keyset.json
	if [ -f "$f" ]; then
		sed -n 's/^ *"version": \([0-9]*\),*$/\1/p' "$f"
	else
		echo none
	fi
}

# rotation_fixture: a repository whose chain is v1 {good} -> v2 {k2,k3}
# (good revoked) -> v3 {k2,k3} threshold 2; medium m1 (chain v1, applied
# by client "a", which persisted set 1) and medium m3 (chain to v3, which
# verifies for anyone pinned to v1).
rotation_fixture() {
	make_repo repo
	add_versions repo patterns 2026.11.20-1
	keyset repo init --sign-key "$FPR_GOOD"
	build_medium repo m1                          # chain v1, signed by good
	make_client a                                 # pinned to good (= v1)
	expect_ok client a apply m1
	[ "$(keyset_version a)" = 1 ] || die "client a did not persist key set 1"

	add_versions repo patterns 2026.11.21-1
	keyset repo rotate --remove "$FPR_GOOD" --add "$FPR_K2" --add "$FPR_K3" \
	    --sign-key "$FPR_GOOD,$FPR_K2"            # v2: good revoked
	keyset repo rotate --threshold 2 --sign-key "$FPR_K2,$FPR_K3"    # v3
	expect_ok mkmedia --repo repo keyset list
	out_has '^key set 3 of example-av: 2 of 2 keys must sign'
	expect_ok mkmedia --repo repo build --out m3 --sign-key "$FPR_K2,$FPR_K3" \
	    --gnupghome "$KEYHOME"
	grep -q '"keyset": "keyset-0003"' m3/ferry/manifest.json ||
	    die "manifest does not name key set 3"
	# Control: the untouched medium verifies for anyone pinned to v1.
	expect_ok verifymedia --trust "$FPR_GOOD" \
	    --keyring "$FERRY_TEST_KEYS/pinned.gpg" m3
}
