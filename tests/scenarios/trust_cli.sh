# applymedia trust list|add|remove: the administrator's pin, kept in the
# state.  Full fingerprints only, from a file holding exactly that key;
# never below the threshold; every refusal changes nothing.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/scenarios/_trust.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1
expect_ok mkmedia --repo repo build --out byk2 --sign-key "$FPR_K2" --gnupghome "$KEYHOME"
make_client cl
expect_ok client cl trust list
out_has "^pinned: 1 of 1 keys must sign \(no key-set statement accepted yet\)$"
out_has "^  $FPR_GOOD$"
out_has "^from: trust = in .*/etc/ferry/client.conf$"
# Control: not pinned yet, k2's medium is refused.
before=$(client_digest cl)
expect_fail 5 "^applymedia: manifest.json: signed by key $FPR_K2, which is not pinned$" client cl apply byk2
pubkey "$FPR_K2" k2.asc
# refusals: short id, no --key, a file with another key, a file with many
expect_fail 2 'not a full 40 or 64 hex digit fingerprint' client cl trust add "${FPR_K2: -16}" --key k2.asc
expect_fail 2 'trust add needs --key FILE' client cl trust add "$FPR_K2"
expect_fail 17 "holds key $FPR_K2, not $FPR_K3$" client cl trust add "$FPR_K3" --key k2.asc
expect_fail 17 'holds [0-9]+ primary keys; give a file with exactly the key' \
    client cl trust add "$FPR_K2" --key "$FERRY_TEST_KEYS/pinned.gpg"
"${G[@]}" --export-secret-keys "$FPR_K2" >k2.secret
expect_fail 17 'holds secret keys' client cl trust add "$FPR_K2" --key k2.secret
expect_fail 18 "^applymedia: $FPR_K3: not pinned$" client cl trust remove "$FPR_K3"
expect_fail 17 "removing it would leave 0 pinned keys, fewer than the threshold 1" \
    client cl trust remove "$FPR_GOOD"
[ "$(client_digest cl)" = "$before" ] || die "a refused trust command changed the client"
# add k2 (lower case is fine: it is still the full fingerprint)
expect_ok client cl trust add "${FPR_K2,,}" --key k2.asc
expect_ok client cl trust list --json
out_has "\"source\": \"state\""
out_has "\"$FPR_K2\""
[ "$(keyset_version cl)" = 0 ] || die "trust add invented a statement version"
expect_ok client cl apply byk2
grep -q '"event":"trust".*key '"$FPR_K2"' added to the pinned key set' cl/var/lib/ferry/history.jsonl ||
    die "trust add not logged"
expect_ok client cl trust list
out_has '^\(the trust = line of .*/etc/ferry/client.conf is the initial pin only; the state.s set above is what counts\)$'
# a client pinned by trust add alone: no trust = line to speak of
mkdir -p nt/etc/ferry
printf '[client]\nstate_dir = /var/lib/ferry\n[component patterns]\npath = /opt/av/Bases\n' >nt/etc/ferry/client.conf
expect_ok client nt trust add "$FPR_K2" --key k2.asc
expect_ok client nt trust list
out_has "^  $FPR_K2$"
if grep -q 'trust = line' last.out; then cat last.out; die "trust list speaks of a trust = line the configuration does not have"; fi
# remove good: a medium signed by good alone is refused from now on
expect_ok client cl trust remove "$FPR_GOOD"
add_versions repo patterns 2026.11.21-1
build_medium repo bygood
before=$(client_digest cl)
expect_fail 5 "signed by key $FPR_GOOD, which is not pinned" client cl apply bygood
[ "$(client_digest cl)" = "$before" ] || die "refused medium changed the client"
# A damaged key state is an error, never a fall back to the configuration.
ring=$(ls cl/var/lib/ferry/keys/keyring-*.gpg)
echo x >>"$ring"
expect_fail 17 'client key state damaged \(keyring file differs from its SHA-256\)' client cl trust list
