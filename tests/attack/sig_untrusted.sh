# Signature: by an untrusted key (T1): a good signature by a key that is
# not pinned (evil, absent from the keyring) and by a key that is in the
# keyring but not pinned by this client's trust list (k2).
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

fresh_medium evil
forge sign evil --key evil
refused 5 "manifest.json: signed by key $FPR_EVIL, which is not pinned" evil

fresh_medium k2
forge sign k2 --key k2
refused 5 "manifest.json: signed by key $FPR_K2, which is not pinned" k2
done_cases 2
