# applymedia refusals: downgrade, replayed older medium, untrusted signer,
# threshold not met, wrong publisher.  Each: exit code, message, and the
# client byte-for-byte unchanged.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1
build_medium repo old          # serial 1
add_versions repo patterns 2026.11.21-1
build_medium repo new          # serial 2
make_client cl
expect_ok client cl apply new  # control: the good medium applies

before=$(client_digest cl)
# replayed older medium, genuinely signed: it offers only an older version,
# so it can do nothing.  Since issue 14 that is "nothing to do", exit 0,
# not a refusal (formats/SPEC.md §13); the client must be unchanged.
expect_ok client cl apply old
out_has '^medium example-av-stable-1 \(serial 1\) is older than serial 2 already accepted and offers nothing newer: nothing to do$'
out_has '^patterns: medium offers 2026\.11\.20-1, older than the installed 2026\.11\.21-1; left alone$'
[ "$(client_digest cl)" = "$before" ] || die "replay changed the client"
# an explicit older version
expect_fail 7 'medium offers 2026.11.20-1, older than the installed 2026.11.21-1 \(downgrade refused' \
    client cl apply --to 2026.11.20-1 new
[ "$(client_digest cl)" = "$before" ] || die "downgrade changed the client"
# a version that is not there
expect_fail 18 'version 9.9 is not on the medium' client cl apply --to 9.9 new

# a client that pins only k2: the medium (signed by good) is refused
make_client cl2
sed -i "s/^trust = .*/trust = $FPR_K2/" cl2/etc/ferry/client.conf
before2=$(client_digest cl2)
expect_fail 5 "^applymedia: manifest.json: signed by key $FPR_GOOD, which is not pinned" client cl2 apply new
[ "$(client_digest cl2)" = "$before2" ] || die "untrusted medium changed the client"
# threshold 2 of good+k2: only good signed
make_client cl3 "threshold = 2"
sed -i "s/^trust = .*/trust = $FPR_GOOD $FPR_K2/" cl3/etc/ferry/client.conf
before3=$(client_digest cl3)
expect_fail 5 '1 of 2 required signatures' client cl3 apply new
[ "$(client_digest cl3)" = "$before3" ] || die "threshold refusal changed the client"
# ... and a medium signed by both is accepted
expect_ok mkmedia --repo repo build --out both --sign-key "$FPR_GOOD,$FPR_K2" --gnupghome "$KEYHOME"
expect_ok client cl3 apply both
# wrong publisher
make_client cl4 "publisher = other-vendor"
before4=$(client_digest cl4)
expect_fail 19 'medium is from publisher example-av; this client follows other-vendor' client cl4 apply new
[ "$(client_digest cl4)" = "$before4" ] || die "wrong-publisher medium changed the client"
# refusals are logged in plain words
grep -q 'refused medium' cl/var/lib/ferry/history.jsonl || die "refusal not in history"
# status against an older medium informs instead of refusing
expect_ok client cl status old
out_has '^medium example-av-stable-1: serial 1 is older than serial 2 already accepted from example-av; apply takes only what it offers newer$'
out_has '^patterns +2026.11.21-1'
