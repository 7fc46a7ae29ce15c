# TUF replay (T8): the medium already applied, presented again, is a
# no-op; the same serial with different signed content is refused, also
# when it is no longer the highest serial accepted (state.json keeps a
# record of accepted serials and their manifest hashes).
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med1

# The identical medium again: nothing to do, nothing written.
expect_ok client client apply med1
out_has '^nothing to do: every component is up to date$'
assert_unchanged
CASES=$((CASES + 1))

# Serial 1 again, genuinely signed, but other content (a notice).
mkmedia --repo repo build --out replay --sign-key "$FPR_GOOD" \
    --gnupghome "$KEYHOME" --component "patterns=$V1" --serial 1 \
    --notice "replayed" >/dev/null
refused 7 'example-av-stable-1: serial 1 was already accepted from example-av with different content \(replay refused\)' replay

# The same after serial 2 was accepted: an older serial is no longer
# refused for being older (formats/SPEC.md §13), but the client remembers
# which manifest it accepted for serial 1, so other content under that
# serial is still a contradiction.
expect_ok client client apply med2
snapshot
refused 7 'example-av-stable-1: serial 1 was already accepted from example-av with different content \(replay refused\)' replay
# ... while the genuine serial 1 again is harmless: nothing to do.
expect_ok attack_apply med1
out_has '^medium example-av-stable-1 \(serial 1\) is older than serial 2 already accepted and offers nothing newer: nothing to do$'
assert_unchanged
CASES=$((CASES + 1))
done_cases 4
