# Signature: weak algorithms (T15): a SHA-1 signature by a pinned key; a
# signature by a pinned RSA key of 2048 bits.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup "trust = $FPR_SHA1 $FPR_WEAK"
control med2

fresh_medium sha1
gpg --homedir "$KEYHOME" --batch --quiet --pinentry-mode loopback \
    --passphrase '' -u "$FPR_SHA1!" --digest-algo SHA1 --detach-sign \
    -o sha1/ferry/manifest.json.sig --yes sha1/ferry/manifest.json
refused 5 'manifest.json: signature uses SHA-1, which is refused' sha1

fresh_medium weak
forge sign weak --key weak
refused 5 "manifest.json: signing key $FPR_WEAK is RSA with 2048 bits, fewer than 3072" weak
done_cases 2
