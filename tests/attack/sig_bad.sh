# Signature: bad (T1): the manifest changed after signing (one bit, one
# byte cut), the signature itself damaged.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

fresh_medium flip
sed -i 's/"serial": 2/"serial": 9/' flip/ferry/manifest.json
refused 5 'manifest.json: bad signature' flip

fresh_medium cut
truncate -s -1 cut/ferry/manifest.json
refused 5 'manifest.json: bad signature' cut

fresh_medium sigflip
n=$(stat -c %s sigflip/ferry/manifest.json.sig)
flip_byte sigflip/ferry/manifest.json.sig $((n - 10))
refused 5 'manifest.json: bad signature' sigflip
done_cases 3
