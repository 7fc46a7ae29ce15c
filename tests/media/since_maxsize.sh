# --since: an incremental medium holding only what clients that applied
# the previous medium need; --max-size: newest bases first, then the
# deltas that save the most bytes per byte stored, and a clear error when
# the bases alone do not fit.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo --deltas both
add_versions repo patterns 2026.11.19-1 2026.11.20-1
add_versions repo engine 8.0.0
build_medium repo m1
make_client cl
expect_ok client cl apply m1

add_versions repo patterns 2026.11.21-1 2026.11.22-1
expect_ok mkmedia --repo repo build --out m2 --since m1 --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
# only a delta for patterns, nothing for the unchanged engine, no base
jq -r '.files[].path' m2/ferry/manifest.json >files.txt
grep -q 'base' files.txt && { cat files.txt; die "--since medium carries a base"; }
grep -q 'engine' files.txt && die "--since medium carries the unchanged engine"
grep -q 'patterns-2026.11.20-1-to-2026.11.22-1-' files.txt || { cat files.txt; die "no direct delta"; }
full=$(du -sb m1/ferry | cut -f1); inc=$(du -sb m2/ferry | cut -f1)
note "full medium $full bytes, incremental $inc bytes"
[ "$inc" -lt "$full" ] || die "incremental medium not smaller"
expect_ok client cl apply m2
out_has 'patterns: 2026.11.20-1 -> 2026.11.22-1 applied via delta chain 2026.11.20-1 -> 2026.11.22-1'
out_has '^engine: not on this medium$'
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.22-1" || die "wrong result"
# a fresh client cannot use an incremental medium: clear refusal, unchanged
make_client fresh
before=$(client_digest fresh)
expect_fail 8 'nothing installed and no base of 2026.11.22-1 on the medium' client fresh apply m2
[ "$(client_digest fresh)" = "$before" ] || die "refusal changed the client"
# --since a medium we did not sign is refused
cp -a m1 forged; sed -i 's/"channel": "stable"/"channel": "stabla"/' forged/ferry/manifest.json
expect_fail 5 'bad signature.*--since needs the previous medium' \
    mkmedia --repo repo build --out m3 --since forged --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"

# --max-size
bases=$(jq '[.components[].versions[] | select(.base) | .base] as $b | [.files[] | select(.path as $p | $b | index($p))] | map(.size) | add' m1/ferry/manifest.json)
expect_fail 14 'the newest base packages alone need [0-9]+ bytes, more than the 1000 allowed' \
    mkmedia --repo repo build --out tiny --max-size 1000 --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
[ ! -e tiny/ferry/manifest.json ] || die "a medium was written despite the size error"
expect_ok mkmedia --repo repo build --out all --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
nall=$(jq '[.components[].deltas // [] | .[]] | length' all/ferry/manifest.json)
total=$(jq '[.files[].size] | add' all/ferry/manifest.json)
# Room for everything but about 20 kB of deltas (mkmedia keeps 64 KiB for
# the README, sums and signatures): one delta has to go.
lim=$(( total + 65536 - 20000 ))
expect_ok mkmedia --repo repo build --out small --max-size "$lim" --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
nsmall=$(jq '[.components[].deltas // [] | .[]] | length' small/ferry/manifest.json)
note "deltas: $nall without a limit, $nsmall under --max-size $lim"
[ "$nsmall" -eq $((nall - 1)) ] || die "--max-size dropped $((nall - nsmall)) deltas, not one"
[ "$(jq '[.files[].size] | add' small/ferry/manifest.json)" -le "$lim" ] || die "medium larger than --max-size"
# What saves the clients the fewest bytes per byte stored goes first: each
# delta saves its client (base - delta) bytes, so the largest delta, here
# the one from the oldest version, has the lowest ratio.
largest=$(jq -r '[.files[] | select(.path | test("patterns-.*-to-.*fdelta"))] | max_by(.size) | .path' all/ferry/manifest.json)
grep -q "$largest" <(jq -r '.files[].path' small/ferry/manifest.json) && die "the delta saving least per byte ($largest) stayed"
jq -e '.components[] | select(.name=="patterns") | .deltas[] | select(.from=="2026.11.21-1" and .to=="2026.11.22-1")' \
    small/ferry/manifest.json >/dev/null || die "the newest delta was dropped"
