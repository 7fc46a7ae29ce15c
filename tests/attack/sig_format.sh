# Signature format confusion (T14): armored where binary is expected, a
# clearsigned manifest, an inline-signed file, trailing garbage after a
# valid signature.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

fresh_medium armor
forge sign armor --armor
refused 5 'manifest.json: not a binary detached signature: ascii armor is refused' armor

fresh_medium clear
forge sign clear --clearsign
refused 5 'manifest.json: not a binary detached signature: cleartext-signed message' clear

# The clearsigned text in place of the manifest, with a valid detached
# signature over that text: the manifest is not JSON.
fresh_medium clear2
gpg --homedir "$KEYHOME" --batch --quiet --pinentry-mode loopback \
    --passphrase '' -u "$FPR_GOOD!" --clearsign -o clear2.asc \
    clear2/ferry/manifest.json
cp clear2.asc clear2.json
forge raw clear2 clear2.json
refused 4 "manifest.json: invalid JSON at line 1: '\\[' or '\\{' expected near '-'" clear2

fresh_medium inline
gpg --homedir "$KEYHOME" --batch --quiet --pinentry-mode loopback \
    --passphrase '' --yes -u "$FPR_GOOD!" --sign -o inline/ferry/manifest.json.sig \
    inline/ferry/README.txt
refused 5 'manifest.json: not a binary detached signature: packet 1 has tag 8 \(compressed data\)' inline

fresh_medium trail
printf 'X' >>trail/ferry/manifest.json.sig
refused 5 'manifest.json: not a binary detached signature: packet 2 does not start with an OpenPGP packet header' trail
done_cases 5
