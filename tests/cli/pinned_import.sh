#!/usr/bin/env bash
# pinned_import: a client's verification home holds only the keys it pins
# (issue 17; verify/gpg_pinned.c, docs/KEYS.md "Keys in the keyring that
# are not pinned").  The client keyring of make_client holds the 9 keys of
# pinned.gpg and pins one:
#   - the home an apply keeps (state/gpg/h-*) lists that key alone, and
#     the medium it signed is applied; verifymedia's home likewise;
#   - a medium signed by a key of the keyring that is not pinned (k2, and
#     sub, which signs with a subkey) is refused as before: exit 5 and the
#     same line, naming the primary fingerprint;
#   - pinning another key of the same keyring builds another home, which
#     holds that key alone.
. "$FERRY_TESTLIB/common.sh"
need_keys
export XDG_CACHE_HOME=$TEST_TMP/xdg
mkdir -m 0700 "$XDG_CACHE_HOME"

# keys HOME: the primary fingerprints a GnuPG home holds, one a line
keys() {
	gpg --homedir "$1" --batch --list-keys --with-colons 2>/dev/null |
	    awk -F: '/^pub/ { getline; print $10 }'
}

make_repo repo
add_versions repo patterns 2026.11.19-1
build_medium repo med
add_versions repo patterns 2026.11.20-1		# (a newer one to apply)
mkmedia --repo repo build --out byk2 --sign-key "$FPR_K2" \
    --gnupghome "$KEYHOME" >/dev/null
mkmedia --repo repo build --out bysub --sign-key "$FPR_SUB" \
    --gnupghome "$KEYHOME" >/dev/null

# control: the client's keyring holds all 9 keys
[ "$(keys "$KEYHOME" | grep -c -v "$FPR_EVIL")" -eq 9 ] || die "control: test keys"
make_client cl
cmp -s cl/etc/ferry/trusted.gpg "$FERRY_TEST_KEYS/pinned.gpg" || die "control: keyring"

# --- the pinned key alone, and it verifies --------------------------------
expect_ok client cl apply med
out_has "patterns"
home=$(echo cl/var/lib/ferry/gpg/h-*)
[ -d "$home" ] || die "apply kept no home: $(ls -a cl/var/lib/ferry/gpg 2>&1)"
[ "$(keys "$home")" = "$FPR_GOOD" ] ||
    die "home $home holds: $(keys "$home" | tr '\n' ' '), want only $FPR_GOOD"
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" med
vhome=$(echo "$XDG_CACHE_HOME"/ferry/gpg/h-*)
[ "$(keys "$vhome")" = "$FPR_GOOD" ] ||
    die "verifymedia's home holds: $(keys "$vhome" | tr '\n' ' ')"

# --- signed by keys of the keyring that are not pinned: refused as before --
before=$(client_digest cl)
expect_fail 5 "^applymedia: manifest.json: signed by key $FPR_K2, which is not pinned$" \
    client cl apply byk2
[ "$(wc -l <"$TEST_TMP/last.err")" -eq 1 ] || { cat "$TEST_TMP/last.err"; die "more than the one line"; }
expect_fail 5 "^applymedia: manifest.json: signed by key $FPR_SUB, which is not pinned$" \
    client cl apply bysub
[ "$(wc -l <"$TEST_TMP/last.err")" -eq 1 ] || { cat "$TEST_TMP/last.err"; die "more than the one line"; }
expect_fail 5 "^verifymedia: manifest.json: signed by key $FPR_SUB, which is not pinned$" \
    verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" bysub
[ "$(client_digest cl)" = "$before" ] || die "a refused apply changed the client"
# the same on a fresh client (no home yet)
make_client fresh
expect_fail 5 "^applymedia: manifest.json: signed by key $FPR_K2, which is not pinned$" \
    client fresh apply byk2
[ ! -e fresh/var/lib/ferry/gpg ] || die "a refused apply kept a home"

# --- another pin, the same keyring: another home --------------------------
sed -i "s/^trust = .*/trust = $FPR_K2/" cl/etc/ferry/client.conf
expect_ok client cl apply byk2
home2=$(echo cl/var/lib/ferry/gpg/h-*)
[ -d "$home2" ] || die "no home after the pin changed: $(ls -a cl/var/lib/ferry/gpg)"
[ "$home2" != "$home" ] || die "the same home $home for another pinned key"
[ "$(keys "$home2")" = "$FPR_K2" ] ||
    die "home $home2 holds: $(keys "$home2" | tr '\n' ' '), want only $FPR_K2"
# and the key no longer pinned is refused in it
expect_fail 5 "^applymedia: manifest.json: signed by key $FPR_GOOD, which is not pinned$" \
    client cl apply med
exit 0
