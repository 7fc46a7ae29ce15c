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
