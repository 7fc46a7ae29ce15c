# Signature: by a revoked key (T15): a pinned key signs the manifest and
# is revoked afterwards; the client's keyring holds the revocation.
. "$FERRY_SRC/tests/attack/_lib.sh"
H=$TEST_TMP/revhome
mkdir -m 0700 "$H"
trap 'gpgconf --homedir "$H" --kill all >/dev/null 2>&1 || true' EXIT
G=(gpg --homedir "$H" --batch --quiet --no-tty --pinentry-mode loopback
    --passphrase '')
"${G[@]}" --quick-gen-key "ferry test rev2 <rev2@ferry.test>" ed25519 sign 2y
FPR_REV2=$("${G[@]}" --with-colons --list-keys rev2@ferry.test |
    awk -F: '/^fpr/ { print $10; exit }')
export FPR_REV2
attack_setup "trust = $FPR_REV2"

# Before the revocation: the key signs and the client would accept it.
fresh_medium rev
KEYHOME=$H forge sign rev --key rev2
"${G[@]}" --export "$FPR_REV2" >rev2.gpg
cat "$FERRY_TEST_KEYS/pinned.gpg" rev2.gpg >client/etc/ferry/trusted.gpg
snapshot
expect_ok client client plan rev

# Revoked: the same signature, the keyring now carries the revocation.
sed 's/^:-----BEGIN/-----BEGIN/' "$H/openpgp-revocs.d/$FPR_REV2.rev" >rev2.rev
"${G[@]}" --import rev2.rev 2>/dev/null
"${G[@]}" --export "$FPR_REV2" >rev2.gpg
cat "$FERRY_TEST_KEYS/pinned.gpg" rev2.gpg >client/etc/ferry/trusted.gpg
snapshot
refused 5 "manifest.json: signing key $FPR_REV2 is revoked" rev

# The mkkeys fixture key `rev` (revoked, pinned in the keyring): its
# signature over other data never verifies this manifest either.
fresh_medium rev0
cp "$FERRY_TEST_KEYS/rev.sig" rev0/ferry/manifest.json.sig
sed -i "s|^trust = $FPR_REV2|&\ntrust = $FPR_REV|" client/etc/ferry/client.conf
snapshot
refused 5 "manifest.json: bad signature" rev0
done_cases 2
