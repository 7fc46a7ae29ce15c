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
# the cheapest way from 2026.11.20-1: two deltas through 2026.11.21-1 (a
# direct one was not kept: it would not have lowered that plan by 1/64)
grep -q 'patterns-2026.11.20-1-to-2026.11.22-1-' files.txt && { cat files.txt; die "a direct delta no plan uses"; }
grep -q 'patterns-2026.11.20-1-to-2026.11.21-1-' files.txt || { cat files.txt; die "no first step"; }
grep -q 'patterns-2026.11.21-1-to-2026.11.22-1-' files.txt || { cat files.txt; die "no second step"; }
full=$(du -sb m1/ferry | cut -f1); inc=$(du -sb m2/ferry | cut -f1)
note "full medium $full bytes, incremental $inc bytes"
[ "$inc" -lt "$full" ] || die "incremental medium not smaller"
expect_ok client cl apply m2
out_has 'patterns: 2026.11.20-1 -> 2026.11.22-1 applied via delta chain 2026.11.20-1 -> 2026.11.21-1 -> 2026.11.22-1'
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
# A new engine: its delta 8.0.0 -> 8.0.1 saves its one client (base - delta)
# bytes, under 3 per byte it takes; every patterns delta saves its clients
# many times its size (a small delta most clients' chains pass through).
add_versions repo engine 8.0.1
expect_ok mkmedia --repo repo build --out all --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
nall=$(jq '[.components[].deltas // [] | .[]] | length' all/ferry/manifest.json)
total=$(jq '[.files[].size] | add' all/ferry/manifest.json)
# What saves the clients the fewest bytes per byte stored goes first.  The
# engine delta's ratio, from the manifest: (base - delta) / delta.
ebase=$(jq -r '.files[] | select(.path | test("engine-8.0.1-base-")) | .size' all/ferry/manifest.json)
ebytes=$(jq -r '.files[] | select(.path | test("engine-8.0.0-to-8.0.1-.*fdelta")) | .size' all/ferry/manifest.json)
[ -n "$ebytes" ] || die "no engine delta on the full medium"
note "engine delta $ebytes bytes; base $ebase"
[ $(( (ebase - ebytes) / ebytes )) -lt 3 ] || die "engine delta saves 3 or more bytes per byte: the test's premise"
# Room for everything but 20 kB (mkmedia keeps 64 KiB for the README, sums
# and signatures): one delta has to go, and it is the engine's, not the
# oldest nor any patterns delta.
lim=$(( total + 65536 - 20000 ))
expect_ok mkmedia --repo repo build --out small --max-size "$lim" --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
nsmall=$(jq '[.components[].deltas // [] | .[]] | length' small/ferry/manifest.json)
note "deltas: $nall without a limit, $nsmall under --max-size $lim"
[ "$nsmall" -eq $((nall - 1)) ] || die "--max-size dropped $((nall - nsmall)) deltas, not one"
[ "$(jq '[.files[].size] | add' small/ferry/manifest.json)" -le "$lim" ] || die "medium larger than --max-size"
jq -e '.components[] | select(.name=="engine") | (.deltas // []) | length == 0' small/ferry/manifest.json >/dev/null ||
    die "the delta saving least per byte (engine 8.0.0 -> 8.0.1) stayed"
[ "$(jq -r '.components[] | select(.name=="patterns") | .deltas | map("\(.from)>\(.to)") | sort | join(" ")' small/ferry/manifest.json)" = \
  "$(jq -r '.components[] | select(.name=="patterns") | .deltas | map("\(.from)>\(.to)") | sort | join(" ")' all/ferry/manifest.json)" ] ||
    die "a patterns delta went: $(jq -c '.components[] | select(.name=="patterns") | .deltas' small/ferry/manifest.json)"
# One byte less than the packages of that medium need (bases and deltas,
# besides the 64 KiB kept for the rest): then the next lowest ratio
# goes, the delta into 2026.11.22-1 that every patterns client's chain ends
# with, and the others are no use without it (no plan uses them): bases only.
lim2=$(( $(jq '[.files[] | select(.path | startswith("pkg/")) | .size] | add' small/ferry/manifest.json) + 65536 - 1 ))
expect_ok mkmedia --repo repo build --out smaller --max-size "$lim2" --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
[ "$(jq '[.components[].deltas // [] | .[]] | length' smaller/ferry/manifest.json)" -eq 0 ] ||
    die "deltas no plan uses stayed: $(jq -c '[.components[].deltas]' smaller/ferry/manifest.json)"
