# Signature: made by the pinned key, but over another file (T1, S06/S07):
# the signature of another genuine manifest; the signature of SHA256SUMS.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

fresh_medium other
cp med1/ferry/manifest.json.sig other/ferry/manifest.json.sig
refused 5 'manifest.json: bad signature' other

fresh_medium sums
cp sums/ferry/SHA256SUMS.sig sums/ferry/manifest.json.sig
refused 5 'manifest.json: bad signature' sums

done_cases 2
