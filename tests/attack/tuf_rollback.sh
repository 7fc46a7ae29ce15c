# TUF rollback attack (T7): an older medium, genuinely signed by the pinned
# key, and a newer medium that offers only an older version.
# Serial 1 replayed after serial 2 cannot roll anything back: it offers
# only an older version, which is left alone.  Since issue 14 that is
# "nothing to do" (exit 0, no on_failure, logged as information), not a
# refusal (formats/SPEC.md §13); what the attack wanted, patterns back at
# V1, must not happen, and the client must be exactly as it was.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2
expect_ok client client apply med2
sed -i "s|^\[client\]\$|&\non_failure = touch $PWD/on_failure.ran|" \
    client/etc/ferry/client.conf
snapshot

# Serial 1 after serial 2 was accepted: the old version is not installed.
expect_ok attack_apply med1
grep -Fxq 'medium example-av-stable-1 (serial 1) is older than serial 2 already accepted and offers nothing newer: nothing to do' last.out ||
    { cat last.out; die "no 'older medium, nothing to do' line"; }
grep -Fxq "patterns: medium offers $V1, older than the installed $V2; left alone" last.out ||
    { cat last.out; die "no 'left alone' line for patterns"; }
assert_unchanged
grep -q "patterns $V2" client/opt/av/Bases/Bases/version.txt ||
    die "patterns is no longer at $V2"
[ ! -e on_failure.ran ] || die "on_failure ran for a harmless older medium"
tail -n 1 "$ST/history.jsonl" | grep -q '"event":"older-medium".*"result":"ok"' ||
    die "the older medium is not logged as information"
grep -q '"event":"refused"' "$ST/history.jsonl" && die "history has a refusal"
CASES=$((CASES + 1))

# Serial 3, genuinely signed, but it offers only the older version.
mkmedia --repo repo build --out med3 --sign-key "$FPR_GOOD" \
    --gnupghome "$KEYHOME" --component "patterns=$V1" --serial 3 >/dev/null
refused 7 "patterns: medium offers $V1, older than the installed $V2 \(downgrade refused; --allow-downgrade overrides\)" med3
done_cases 2
