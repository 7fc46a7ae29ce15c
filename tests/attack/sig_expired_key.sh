# Signature: by an expired key (T15): the exp key, pinned by this client,
# signed while it was valid (2020); it expired long before trusted time.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup "trust = $FPR_EXP"
control med2

fresh_medium exp
forge sign exp --key exp --faked 20200101T010000
refused 5 "manifest.json: signing key $FPR_EXP expired on 2020-01-02 \(trusted time [0-9-]+\)" exp
done_cases 1
