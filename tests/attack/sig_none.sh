# Signature: none (T1): no signature file, an empty one.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

fresh_medium nosig
rm nosig/ferry/manifest.json.sig
refused 5 'manifest.json: not signed: manifest.json.sig is missing' nosig

fresh_medium empty
: >empty/ferry/manifest.json.sig
refused 5 'manifest.json: not a binary detached signature: empty file' empty

# Only a second signature file, the first one missing.
fresh_medium second
mv second/ferry/manifest.json.sig second/ferry/manifest.json.sig.2
refused 5 'manifest.json: not signed: manifest.json.sig is missing' second
done_cases 3
