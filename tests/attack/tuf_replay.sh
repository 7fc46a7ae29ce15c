# TUF replay (T8): the medium already applied, presented again, is a
# no-op; the same serial with different signed content is refused.
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
done_cases 2
