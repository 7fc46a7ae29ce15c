# TUF rollback attack (T7): an older medium, genuinely signed by the pinned
# key, and a newer medium that offers only an older version.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2
expect_ok client client apply med2
snapshot

# Serial 1 after serial 2 was accepted.
refused 7 'example-av-stable-1: serial 1 is older than serial 2 already accepted from example-av \(replay or downgrade refused\)' med1

# Serial 3, genuinely signed, but it offers only the older version.
mkmedia --repo repo build --out med3 --sign-key "$FPR_GOOD" \
    --gnupghome "$KEYHOME" --component "patterns=$V1" --serial 3 >/dev/null
refused 7 "patterns: medium offers $V1, older than the installed $V2 \(downgrade refused; --allow-downgrade overrides\)" med3
done_cases 2
